#include "common/bench.h"
#include <stdarg.h>
#include <stdlib.h>

void gf_bench_init(gf_bench_out *o, FILE *f, const char *bench, int json) {
    o->f = f; o->json = json; o->bench = bench; o->rows = 0;
}

void gf_bench_emit(gf_bench_out *o, const char *metric, double value, const char *unit) {
    if (o->json) {
        fprintf(o->f, "{\"bench\":\"%s\",\"metric\":\"%s\",\"value\":%.6g,\"unit\":\"%s\"}\n",
                o->bench, metric, value, unit);
    } else {
        if (o->rows == 0)
            fprintf(o->f, "%-10s %-44s %16s  %s\n%-10s %-44s %16s  %s\n", "bench", "metric", "value",
                    "unit", "-----", "------", "-----", "----");
        fprintf(o->f, "%-10s %-44s %16.6g  %s\n", o->bench, metric, value, unit);
    }
    o->rows++;
    fflush(o->f);
}

void gf_bench_note(gf_bench_out *o, const char *fmt, ...) {
    if (o->json) return;
    va_list ap;
    va_start(ap, fmt);
    fputs("# ", o->f);
    vfprintf(o->f, fmt, ap);
    fputc('\n', o->f);
    va_end(ap);
    fflush(o->f);
}

static int cmp_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

double gf_bench_median(double *xs, int n) {
    if (n <= 0) return 0;
    qsort(xs, (size_t)n, sizeof *xs, cmp_double);
    return n % 2 ? xs[n / 2] : 0.5 * (xs[n / 2 - 1] + xs[n / 2]);
}
