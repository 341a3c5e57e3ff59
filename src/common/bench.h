#ifndef GF_COMMON_BENCH_H
#define GF_COMMON_BENCH_H
/* Benchmark output: a readable table, or with --json one object per line:
 *   {"bench":"field","metric":"m31x16_avx512_mul","value":4.1e9,"unit":"lane-mul/s"}
 * Figures are medians over repeated runs (see gf_bench_median). */
#include <stdio.h>

typedef struct gf_bench_out {
    FILE *f;
    int json;
    const char *bench;
    int rows;          /* rows emitted so far (table header printed before the first) */
} gf_bench_out;

void gf_bench_init(gf_bench_out *o, FILE *f, const char *bench, int json);
void gf_bench_emit(gf_bench_out *o, const char *metric, double value, const char *unit);
/* Free-form note: printed as "# ..." in table mode, omitted in JSON mode. */
void gf_bench_note(gf_bench_out *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
double gf_bench_median(double *xs, int n);   /* sorts xs in place */

/* Every `gkrflow bench NAME` is one of these; argv[0] is NAME, the rest its own options. */
typedef int (*gf_bench_fn)(int argc, char **argv, gf_bench_out *out);

#endif
