/* zkCUDA's add example as a program: 32 values copied to the device as [16][2], add_2 over 16
 * instances, the results reshaped to [1][16], add_16 once; the sum is read back.
 *
 *   gkrflow-example-add --graph G --witness W              inputs 1..32: compiles the graph,
 *                                                           writes G and W, prints sum 528
 *   gkrflow-example-add --graph G --witness W --data 1000  inputs 1000..1031: replays the same
 *                                                           calls, loads the existing G (it must
 *                                                           be this program's graph) and writes
 *                                                           only W, for G; prints sum 32496
 *
 * Then: gkrflow setup / prove / verify with these files (see README). */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "kernels.h"
#include "common/pool.h"
#include "graph/context.h"
#include "tools/files.h"

static int usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int usage_error(const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "gkrflow-example-add: ");
    vfprintf(stderr, fmt, ap);
    fprintf(stderr, "\n(see 'gkrflow-example-add --help')\n");
    va_end(ap);
    return 2;
}

static gf_status put_graph(FILE *f, const void *g, gf_error *err) { return gf_graph_write(g, f, err); }
static gf_status put_witness(FILE *f, const void *w, gf_error *err) { return gf_graph_witness_write(w, f, err); }

int main(int argc, char **argv) {
    const char *gp = NULL, *wp = NULL, *dp = NULL;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
            printf("usage: gkrflow-example-add --graph G --witness W [--data FIRST]\n\n"
                   "zkCUDA's add example: inputs FIRST..FIRST+31 copied to the device as [16][2];\n"
                   "add_2 runs over 16 instances, its outputs are reshaped to [1][16] and add_16 sums\n"
                   "them. Prints the sum (528 for 1..32).\n"
                   "Without --data: inputs 1..32; compiles the computation graph and writes it to G\n"
                   "and the witness to W.\n"
                   "With --data FIRST: inputs FIRST..FIRST+31 (1000 gives sum 32496); replays the same\n"
                   "calls, loads the existing graph G (it must be this program's graph) and writes only\n"
                   "the witness W, which proves against G.\n"
                   "Files are written atomically. Prove with: gkrflow prove --graph G --witness W --out P\n"
                   "  --graph G       graph file (written, or read with --data)\n"
                   "  --witness W     graph witness file to write\n"
                   "  --data FIRST    first input value, 0..2147483615\n");
            return 0;
        }
        const char **slot = !strcmp(argv[i], "--graph") ? &gp : !strcmp(argv[i], "--witness") ? &wp
                          : !strcmp(argv[i], "--data") ? &dp : NULL;
        if (!slot) return usage_error("unknown argument '%s'", argv[i]);
        if (i + 1 >= argc) return usage_error("%s needs a value", argv[i]);
        *slot = argv[++i];
    }
    if (!gp || !wp) return usage_error("--graph and --witness are required");
    uint64_t first = 1;
    if (dp) {
        char *end = NULL;
        errno = 0;
        unsigned long long v = dp[0] >= '0' && dp[0] <= '9' ? strtoull(dp, &end, 10) : 0;
        if (!end || *end || errno || v > GF_M31_P - 1 - 31) return usage_error("--data: '%s' is not an integer in 0..2147483615", dp);
        first = v;
    }
    gf_m31 in[32];
    for (int i = 0; i < 32; i++) in[i] = (gf_m31)(first + (uint64_t)i);

    gf_error err;
    gf_error_clear(&err);
    gf_kernel *k2 = NULL, *k16 = NULL;
    gf_pool *pool = NULL;
    gf_context *ctx = NULL;
    gf_graph *g = NULL;
    gf_graph_witness *w = NULL;
    gf_m31 sum = 0;
    gf_status st;
    if ((st = gf_example_kernel_add_2(&k2, &err)) || (st = gf_example_kernel_add_16(&k16, &err)) ||
        (st = gf_pool_new(&pool, gf_pool_default_threads(), &err)) || (st = gf_context_new(&ctx, pool, &err)) ||
        (st = gf_example_run_add(ctx, k2, k16, in, &sum, &err)))
        goto out;
    if (dp) {
        /* reuse: the graph on disk must be the one these calls compile to */
        if ((st = gf_graph_load(&g, gp, &err))) goto out;
        if ((st = gf_context_load_graph(ctx, g, &err))) { gf_error_prefix(&err, "%s is not this program's graph", gp); goto out; }
    } else if ((st = gf_context_compile_graph(ctx, &g, &err))) {
        goto out;
    }
    if ((st = gf_context_solve_witness(ctx, &err)) || (st = gf_context_export_witness(ctx, g, &w, &err))) goto out;
    if (!dp && (st = cli_write_stream(gp, put_graph, g, &err))) goto out;
    if ((st = cli_write_stream(wp, put_witness, w, &err))) goto out;
    printf("add example: inputs %" PRIu64 "..%" PRIu64 ", sum = %" PRIu32 "\n", first, first + 31, sum);
    if (dp)
        printf("reused graph %s (%u templates, %u commitments); wrote witness %s\n", gp, g->n_templates, g->n_commitments, wp);
    else
        printf("wrote graph %s (%u templates, %u commitments) and witness %s\n", gp, g->n_templates, g->n_commitments, wp);
out:
    if (st) fprintf(stderr, "gkrflow-example-add: %s\n", err.msg[0] ? err.msg : gf_status_name(st));
    gf_graph_witness_free(w);
    gf_graph_free(g);
    gf_context_free(ctx);
    gf_pool_free(pool);
    gf_kernel_free(k2);
    gf_kernel_free(k16);
    return st ? 1 : 0;
}
