/* Graph proving across MPI ranks with templates of mixed sizes, so that small templates run
 * side by side in groups of their own (waves): add_2 over 16 instances and add_16 once (one
 * block each), mul_line over 64, 32 and 3 rows (4, 2 and 1 blocks). Under mpiexec (ctest:
 * mpigraph_np2, _np4, _np8) rank 0 first proves the graph alone (gf_comm_self), then every
 * rank proves it together over the world: the two proofs must be equal byte for byte and
 * verify. A witness that breaks a template proved by a group whose root is not rank 0 is
 * refused on every rank with the template named (no rank left waiting). Without mpiexec
 * the same runs on one process. */
#include <stdlib.h>
#include <string.h>
#include "kernels.h"
#include "graph/context.h"
#include "mpi/comm.h"
#include "prover/graph_proof.h"
#include "testutil.h"

typedef struct { gf_graph *g; gf_graph_witness *w; } prog;

/* Every rank builds the same graph and witness from a fixed seed (the CLI instead sends the
 * graph from rank 0; only rank 0's witness is read by the prover). */
static gf_status make_mixed(prog *p, gf_error *err) {
    gf_kernel *k2 = NULL, *k16 = NULL, *ml = NULL;
    gf_context *ctx = NULL;
    gf_rng rng;
    gf_rng_seed(&rng, 20261127);
    enum { K = 4, M = 4 };
    const uint64_t rows[3] = {64, 32, 3};
    gf_m31 in[32], sum = 0, a[64 * K], b[K * M], c[64 * M];
    for (int i = 0; i < 32; i++) in[i] = gf_m31_random(&rng);
    gf_status st;
    if ((st = gf_example_kernel_add_2(&k2, err)) || (st = gf_example_kernel_add_16(&k16, err)) ||
        (st = gf_example_kernel_mul_line(K, M, &ml, err)) || (st = gf_context_new(&ctx, NULL, err)) ||
        (st = gf_example_run_add(ctx, k2, k16, in, &sum, err)))
        goto out;
    for (int q = 0; q < 3 && !st; q++) {
        for (uint64_t i = 0; i < rows[q] * K; i++) a[i] = gf_m31_random(&rng);
        for (uint64_t i = 0; i < K * M; i++) b[i] = gf_m31_random(&rng);
        st = gf_example_run_matmul(ctx, ml, rows[q], K, M, a, b, c, err);
    }
    if (!st && !(st = gf_context_compile_graph(ctx, &p->g, err)) && !(st = gf_context_solve_witness(ctx, err)))
        st = gf_context_export_witness(ctx, p->g, &p->w, err);
out:
    gf_context_free(ctx);
    gf_kernel_free(k2);
    gf_kernel_free(k16);
    gf_kernel_free(ml);
    return st;
}

static gf_comm *C;

static void test_side_by_side(gf_rng *rng) {
    (void)rng;
    const int me = gf_comm_rank(C), R = gf_comm_size(C);
    gf_error err = {0};
    prog p = {0};
    REQUIRE(make_mixed(&p, &err) == GF_OK);
    CHECK_EQ_U64(p.g->n_templates, 5);
    gf_buf one, all;
    gf_buf_init(&one);
    gf_buf_init(&all);
    if (me == 0) {
        gf_comm self = gf_comm_self();
        CHECK_MSG(gf_graph_prove_comm(p.g, p.w, &self, NULL, NULL, &one, NULL, &err) == GF_OK, "%s", err.msg);
    }
    gf_status st = gf_graph_prove_comm(p.g, p.w, C, NULL, NULL, &all, NULL, &err);
    CHECK_MSG(st == GF_OK, "%d ranks: %s", R, err.msg);
    if (me == 0) {
        CHECK_MSG(all.len == one.len && !memcmp(all.data, one.data, one.len), "%d-rank proof differs from the 1-process proof (%zu vs %zu bytes)",
                  R, all.len, one.len);
        CHECK_MSG(gf_graph_verify(p.g, all.data, all.len, &err) == GF_OK, "%s", err.msg);
    } else {
        CHECK_EQ_U64(all.len, 0);   /* only rank 0 writes the proof */
    }
    gf_buf_free(&one);
    gf_buf_free(&all);

    /* break add_16 (template 1: with 2 or more ranks its group is rank 1 alone) */
    uint32_t res = p.g->n_commitments;
    for (uint32_t i = 0; i < p.g->n_commitments; i++)
        if (p.g->commit_len[i] == 1) { res = i; break; }
    REQUIRE(res < p.g->n_commitments);
    p.w->vec[res][0] = gf_m31_add(p.w->vec[res][0], 1);
    gf_buf_init(&all);
    memset(&err, 0, sizeof err);
    st = gf_graph_prove_comm(p.g, p.w, C, NULL, NULL, &all, NULL, &err);
    CHECK_MSG(st == GF_ERR_WITNESS, "expected a witness error on every rank, got %d: %s", (int)st, err.msg);
    CHECK_MSG(strstr(err.msg, "template 1") != NULL, "message should name template 1: %s", err.msg);
    gf_buf_free(&all);
    gf_graph_free(p.g);
    gf_graph_witness_free(p.w);
}

/* Proves g with the world and alone on rank 0: the proofs must be equal byte for byte and
 * verify, and a changed byte of the first template's GKR section must be refused. */
static void prove_compare(const gf_graph *g, const gf_graph_witness *w, const char *what) {
    const int me = gf_comm_rank(C), R = gf_comm_size(C);
    gf_error err = {0};
    gf_buf one, all;
    gf_buf_init(&one);
    gf_buf_init(&all);
    if (me == 0) {
        gf_comm self = gf_comm_self();
        CHECK_MSG(gf_graph_prove_comm(g, w, &self, NULL, NULL, &one, NULL, &err) == GF_OK, "%s: %s", what, err.msg);
    }
    CHECK_MSG(gf_graph_prove_comm(g, w, C, NULL, NULL, &all, NULL, &err) == GF_OK, "%s, %d ranks: %s", what, R, err.msg);
    if (me == 0) {
        CHECK_MSG(all.len == one.len && !memcmp(all.data, one.data, one.len), "%s: %d-rank proof differs from the 1-process proof", what, R);
        CHECK_MSG(gf_graph_verify(g, all.data, all.len, &err) == GF_OK, "%s: %s", what, err.msg);
        all.data[60 + 32 * g->n_commitments + 12 + 24] ^= 1;
        CHECK_MSG(gf_graph_verify(g, all.data, all.len, &err) != GF_OK, "%s: tampered proof accepted", what);
    }
    gf_buf_free(&one);
    gf_buf_free(&all);
}

/* Templates proved by the whole world get their inputs before the commitments (each rank its
 * own rows; rank 0 commits once its own inputs are packed). A 128-row x 16 by 16 x 16 matmul
 * (8 blocks, the matrix broadcast): layer 0's input has 512 wires, so with 2, 4 and 8 ranks
 * every rank also builds and runs only its share of the phase-2 tables (shared matrix wires,
 * packed row and output wires, gaps) and the last vectors are gathered. Then add_16 over 128
 * instances (no broadcast: the dense input path) followed by the matmul, proved after it with
 * the commitments made inside the first template. */
static void test_split_tables(gf_rng *rng) {
    enum { N = 128, K = 16, M = 16 };
    gf_error err = {0};
    gf_kernel *ml = NULL, *k16 = NULL;
    static gf_m31 a[N * K], b[K * M], c[N * M], x[N * 16];
    gf_rng_seed(rng, 4242);   /* every rank the same witness */
    for (int i = 0; i < N * K; i++) a[i] = gf_m31_random(rng);
    for (int i = 0; i < K * M; i++) b[i] = gf_m31_random(rng);
    for (int i = 0; i < N * 16; i++) x[i] = gf_m31_random(rng);
    REQUIRE(gf_example_kernel_mul_line(K, M, &ml, &err) == GF_OK && gf_example_kernel_add_16(&k16, &err) == GF_OK);
    /* variant 2: a 1 x 2 matrix, a broadcast vector shorter than 4 and 8 ranks (the root then
     * evaluates its claims alone) */
    gf_kernel *ml12 = NULL;
    REQUIRE(gf_example_kernel_mul_line(1, 2, &ml12, &err) == GF_OK);
    for (int variant = 0; variant < 3; variant++) {
        gf_context *ctx = NULL;
        gf_graph *g = NULL;
        gf_graph_witness *w = NULL;
        REQUIRE(gf_context_new(&ctx, NULL, &err) == GF_OK);
        if (variant == 1) {
            const uint64_t dx[2] = {N, 16};
            gf_handle io[2] = {GF_HANDLE_NONE, GF_HANDLE_NONE};
            REQUIRE(gf_context_copy_to_device(ctx, x, 2, dx, &io[0], &err) == GF_OK);
            REQUIRE(gf_context_call_kernel(ctx, k16, "add_16", N, io, 2, &err) == GF_OK);
        }
        if (variant < 2) REQUIRE(gf_example_run_matmul(ctx, ml, N, K, M, a, b, c, &err) == GF_OK);
        else REQUIRE(gf_example_run_matmul(ctx, ml12, N, 1, 2, a, b, c, &err) == GF_OK);
        REQUIRE(gf_context_compile_graph(ctx, &g, &err) == GF_OK && gf_context_solve_witness(ctx, &err) == GF_OK);
        REQUIRE(gf_context_export_witness(ctx, g, &w, &err) == GF_OK);
        CHECK_EQ_U64(g->n_templates, variant == 1 ? 2 : 1);
        if (variant < 2) CHECK_EQ_U64(g->kernels[g->templates[variant].kernel].circuit->layers[0].in_log, 9);
        prove_compare(g, w, variant == 0 ? "matmul" : variant == 1 ? "add_16 then matmul" : "1 x 2 matrix");
        gf_context_free(ctx);
        gf_graph_free(g);
        gf_graph_witness_free(w);
    }
    gf_kernel_free(ml);
    gf_kernel_free(ml12);
    gf_kernel_free(k16);
}

/* A 512-row x 512 by 512 x 512 matmul: with 4 and 8 ranks every rank hashes its rows of the
 * per-instance vectors (2^18 values each) and an equal share of the broadcast matrix's
 * 8 chunks, and rank 0 combines the digests; the proof must still be the 1-process one. */
static void test_split_commitments(gf_rng *rng) {
    enum { N = 512, K = 512, M = 512 };
    gf_error err = {0};
    gf_kernel *ml = NULL;
    gf_context *ctx = NULL;
    prog p = {0};
    gf_m31 *a = malloc((size_t)N * K * sizeof *a), *b = malloc((size_t)K * M * sizeof *b), *c = malloc((size_t)N * M * sizeof *c);
    REQUIRE(a && b && c);
    gf_rng_seed(rng, 777);   /* every rank the same witness */
    for (size_t i = 0; i < (size_t)N * K; i++) a[i] = gf_m31_random(rng);
    for (size_t i = 0; i < (size_t)K * M; i++) b[i] = gf_m31_random(rng);
    REQUIRE(gf_example_kernel_mul_line(K, M, &ml, &err) == GF_OK && gf_context_new(&ctx, NULL, &err) == GF_OK);
    REQUIRE(gf_example_run_matmul(ctx, ml, N, K, M, a, b, c, &err) == GF_OK);
    REQUIRE(gf_context_compile_graph(ctx, &p.g, &err) == GF_OK && gf_context_solve_witness(ctx, &err) == GF_OK);
    REQUIRE(gf_context_export_witness(ctx, p.g, &p.w, &err) == GF_OK);
    prove_compare(p.g, p.w, "512x512x512 matmul");
    gf_context_free(ctx);
    gf_kernel_free(ml);
    gf_graph_free(p.g);
    gf_graph_witness_free(p.w);
    free(a); free(b); free(c);
}

int main(int argc, char **argv) {
    TEST_BEGIN();
    gf_comm self = gf_comm_self(), world;
    C = &self;
    int mpi = gf_comm_launched_by_mpiexec();
    if (mpi) {
        gf_error err = {0};
        if (gf_comm_init(&world, &argc, &argv, &err) != GF_OK) {
            fprintf(stderr, "gf_comm_init: %s\n", err.msg);
            return 1;
        }
        C = &world;
        fprintf(stderr, "-- world rank %d of %d\n", gf_comm_rank(C), gf_comm_size(C));
    }
    RUN(test_side_by_side);
    RUN(test_split_tables);
    RUN(test_split_commitments);
    if (mpi) CHECK(gf_comm_finalize(&world, NULL) == GF_OK);
    return TEST_END();
}
