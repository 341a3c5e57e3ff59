/* AVX-512 part of test_m31: compiled with AVX-512 flags; test_m31.c calls in here only after
 * __builtin_cpu_supports("avx512f"). The build's backend choice is overridden so that this
 * part's M31Ext3x16 runs on AVX-512 as well. */
#undef GKRFLOW_FORCE_SCALAR
#undef GKRFLOW_FORCE_AVX2
#include "field/m31ext3x16.h"
#include "test_m31_backend.h"
#ifndef __AVX512F__
#error "test_m31_avx512.c must be compiled with -mavx512f"
#endif

void gf_test_m31_apply_avx512(int op, uint32_t *r, const uint32_t *const *in) { GF_TEST_M31_APPLY_BODY(_avx512) }
const char *gf_test_m31_backend_avx512(void) { return gf_m31x16_backend(); }
