/* `gkrflow bench field`: per-field, per-path multiplication throughput on one core. */
#include <stdlib.h>
#include <string.h>
#include "common/bench.h"

void gf_bench_field_m31(gf_bench_out *out, int reps);     /* m31_bench.c */
void gf_bench_field_bn254(gf_bench_out *out, int reps);   /* bn254fr_bench.c */

int gf_bench_field(int argc, char **argv, gf_bench_out *out) {
    int reps = 5;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--reps") && i + 1 < argc) {
            reps = atoi(argv[++i]);
            if (reps < 1 || reps > 1000) { fprintf(stderr, "gkrflow bench field: --reps must be 1..1000\n"); return 2; }
        } else if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
            printf("usage: gkrflow bench field [--reps N] [--json]\n"
                   "Multiplications and multiply-adds per second on one core for M31 (scalar, and\n"
                   "M31x16 on each SIMD path this CPU supports), M31Ext3 and BN254 Fr; median of N runs (default 5).\n");
            return 0;
        } else {
            fprintf(stderr, "gkrflow bench field: unknown option '%s'\n", argv[i]);
            return 2;
        }
    }
    gf_bench_field_m31(out, reps);
    gf_bench_field_bn254(out, reps);
    return 0;
}
