/* AVX2 part of test_m31: compiled with -mavx2; test_m31.c calls in here only after
 * __builtin_cpu_supports("avx2"). The build's backend choice is overridden (AVX2 even when the
 * compiler also targets AVX-512) so that this part's M31Ext3x16 runs on AVX2 as well. */
#undef GKRFLOW_FORCE_SCALAR
#undef GKRFLOW_FORCE_AVX2
#define GKRFLOW_FORCE_AVX2 1
#include "field/m31ext3x16.h"
#include "test_m31_backend.h"
#ifndef __AVX2__
#error "test_m31_avx2.c must be compiled with -mavx2"
#endif

void gf_test_m31_apply_avx2(int op, uint32_t *r, const uint32_t *const *in) { GF_TEST_M31_APPLY_BODY(_avx2) }
const char *gf_test_m31_backend_avx2(void) { return gf_m31x16_backend(); }
