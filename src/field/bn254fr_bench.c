#include "common/bench.h"
/* PLACEHOLDER until BN254 Fr lands. */
void gf_bench_field_bn254(gf_bench_out *out, int reps) { (void)reps; gf_bench_note(out, "bn254: not implemented yet"); }
