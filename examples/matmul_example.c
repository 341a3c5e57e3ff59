/* Matrix product with the mul_line kernel: c[n][m] = a[n][k] * b[k][m] over M31, one
 * mul_line(k, m) instance per row of a (a partitioned, b broadcast to every instance). a and
 * b are pseudo-random from --seed. Writes the computation graph and its witness, checks the
 * product against a naive one and prints a checksum of c.
 *
 *   gkrflow-example-matmul --n 64 --k 32 --m 64 --graph G --witness W
 *   gkrflow setup/prove/verify with G and W (see README). */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "kernels.h"
#include "common/pool.h"
#include "common/rng.h"
#include "graph/context.h"
#include "tools/files.h"

#define MATMUL_MAX_N 65536u
#define MATMUL_MAX_KM 1024u   /* mul_line(k, m) has k*m multiplications */

static int usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int usage_error(const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "gkrflow-example-matmul: ");
    vfprintf(stderr, fmt, ap);
    fprintf(stderr, "\n(see 'gkrflow-example-matmul --help')\n");
    va_end(ap);
    return 2;
}

static int parse_u64(const char *opt, const char *val, uint64_t lo, uint64_t hi, uint64_t *out) {
    char *end = NULL;
    errno = 0;
    unsigned long long v = val[0] >= '0' && val[0] <= '9' ? strtoull(val, &end, 0) : 0;
    if (!end || *end || errno || v < lo || v > hi) {
        usage_error("%s: '%s' is not an integer in %" PRIu64 "..%" PRIu64, opt, val, lo, hi);
        return -1;
    }
    *out = v;
    return 0;
}

static gf_status put_graph(FILE *f, const void *g, gf_error *err) { return gf_graph_write(g, f, err); }
static gf_status put_witness(FILE *f, const void *w, gf_error *err) { return gf_graph_witness_write(w, f, err); }

int main(int argc, char **argv) {
    const char *gp = NULL, *wp = NULL, *np = NULL, *kp = NULL, *mp = NULL, *sp = NULL;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
            printf("usage: gkrflow-example-matmul [--n N] [--k K] [--m M] [--seed S] --graph G --witness W\n\n"
                   "Matrix product c[N][M] = a[N][K] * b[K][M] over M31 with the mul_line kernel: one\n"
                   "instance per row of a (a partitioned, b broadcast to every instance), a and b\n"
                   "pseudo-random from the seed. Writes the computation graph G and its witness W\n"
                   "(atomically), checks c against a naive product and prints a checksum of c.\n"
                   "Prove with: gkrflow prove --graph G --witness W --out P\n"
                   "  --n N       rows of a, 1..%u (default 64)\n"
                   "  --k K       columns of a = rows of b, 1..%u (default 32)\n"
                   "  --m M       columns of b, 1..%u (default 64)\n"
                   "  --seed S    unsigned 64-bit seed (decimal or 0x hex, default 1)\n"
                   "  --graph G   graph file to write\n"
                   "  --witness W graph witness file to write\n",
                   MATMUL_MAX_N, MATMUL_MAX_KM, MATMUL_MAX_KM);
            return 0;
        }
        const char **slot = !strcmp(argv[i], "--graph") ? &gp : !strcmp(argv[i], "--witness") ? &wp
                          : !strcmp(argv[i], "--n") ? &np : !strcmp(argv[i], "--k") ? &kp
                          : !strcmp(argv[i], "--m") ? &mp : !strcmp(argv[i], "--seed") ? &sp : NULL;
        if (!slot) return usage_error("unknown argument '%s'", argv[i]);
        if (i + 1 >= argc) return usage_error("%s needs a value", argv[i]);
        *slot = argv[++i];
    }
    if (!gp || !wp) return usage_error("--graph and --witness are required");
    uint64_t n = 64, k = 32, m = 64, seed = 1;
    if ((np && parse_u64("--n", np, 1, MATMUL_MAX_N, &n)) || (kp && parse_u64("--k", kp, 1, MATMUL_MAX_KM, &k)) ||
        (mp && parse_u64("--m", mp, 1, MATMUL_MAX_KM, &m)) || (sp && parse_u64("--seed", sp, 0, UINT64_MAX, &seed)))
        return 2;

    gf_error err;
    gf_error_clear(&err);
    gf_status st = GF_OK;
    gf_kernel *ml = NULL;
    gf_pool *pool = NULL;
    gf_context *ctx = NULL;
    gf_graph *g = NULL;
    gf_graph_witness *w = NULL;
    gf_m31 *a = malloc(n * k * sizeof *a), *b = malloc(k * m * sizeof *b), *c = malloc(n * m * sizeof *c);
    if (!a || !b || !c) { st = gf_error_set(&err, GF_ERR_NOMEM, "out of memory for the matrices"); goto out; }
    gf_rng rng;
    gf_rng_seed(&rng, seed);
    for (uint64_t i = 0; i < n * k; i++) a[i] = gf_m31_random(&rng);
    for (uint64_t i = 0; i < k * m; i++) b[i] = gf_m31_random(&rng);
    if ((st = gf_example_kernel_mul_line(k, m, &ml, &err)) || (st = gf_pool_new(&pool, gf_pool_default_threads(), &err)) ||
        (st = gf_context_new(&ctx, pool, &err)) || (st = gf_example_run_matmul(ctx, ml, n, k, m, a, b, c, &err)) ||
        (st = gf_context_compile_graph(ctx, &g, &err)) || (st = gf_context_solve_witness(ctx, &err)) ||
        (st = gf_context_export_witness(ctx, g, &w, &err)))
        goto out;
    /* the kernel's result against the schoolbook product */
    gf_m31 sum = 0;
    for (uint64_t i = 0; i < n; i++)
        for (uint64_t j = 0; j < m; j++) {
            gf_m31 e = 0;
            for (uint64_t l = 0; l < k; l++) e = gf_m31_add(e, gf_m31_mul(a[i * k + l], b[l * m + j]));
            if (e != c[i * m + j]) {
                st = gf_error_set(&err, GF_ERR_INTERNAL, "c[%" PRIu64 "][%" PRIu64 "] = %" PRIu32 ", the naive product gives %" PRIu32,
                                  i, j, c[i * m + j], e);
                goto out;
            }
            sum = gf_m31_add(sum, gf_m31_mul(e, (gf_m31)(i * m + j + 1)));   /* index < 2^26 */
        }
    if ((st = cli_write_stream(gp, put_graph, g, &err)) || (st = cli_write_stream(wp, put_witness, w, &err))) goto out;
    printf("matmul example: %" PRIu64 "x%" PRIu64 " * %" PRIu64 "x%" PRIu64 ", seed %" PRIu64 ": c matches the naive product, "
           "checksum sum((index+1)*c) mod p = %" PRIu32 "\n", n, k, k, m, seed, sum);
    printf("wrote graph %s (%u template%s, %u commitments) and witness %s\n", gp, g->n_templates,
           g->n_templates == 1 ? "" : "s", g->n_commitments, wp);
out:
    if (st) fprintf(stderr, "gkrflow-example-matmul: %s\n", err.msg[0] ? err.msg : gf_status_name(st));
    gf_graph_witness_free(w);
    gf_graph_free(g);
    gf_context_free(ctx);
    gf_pool_free(pool);
    gf_kernel_free(ml);
    free(a);
    free(b);
    free(c);
    return st ? 1 : 0;
}
