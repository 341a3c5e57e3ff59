/* AVX-512 kernels for `gkrflow bench field`; called only after a run-time CPU check. The build's
 * backend choice is overridden so that M31Ext3x16 here runs on AVX-512 too. */
#undef GKRFLOW_FORCE_SCALAR
#undef GKRFLOW_FORCE_AVX2
#include "field/m31ext3x16.h"
#include "field/m31_bench_impl.h"

GF_M31_BENCH_DEFINE_KERNELS(bench_avx512, _avx512)

uint64_t gf_m31_bench_kernel_avx512(int kernel, uint64_t n, const uint32_t *seed) { return bench_avx512(kernel, n, seed); }
