#include "common/bench.h"
/* PLACEHOLDER until the M31 SIMD work lands. */
void gf_bench_field_m31(gf_bench_out *out, int reps) { (void)reps; gf_bench_note(out, "m31: not implemented yet"); }
