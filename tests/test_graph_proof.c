/* Graph proving end to end: the reference's examples through context -> graph -> witness ->
 * prove -> verify, and rejection of tampered proofs, wrong witnesses and mismatched graphs. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "kernels.h"
#include "graph/context.h"
#include "mpi/comm.h"
#include "prover/graph_proof.h"
#include "testutil.h"

typedef struct { gf_graph *g; gf_graph_witness *w; } prog;

static void prog_free(prog *p) { gf_graph_free(p->g); gf_graph_witness_free(p->w); memset(p, 0, sizeof *p); }

/* Proves p (pool may be NULL) and checks the proof verifies; `what` names the case. */
static void prove_verified(const prog *p, gf_pool *pool, const char *what) {
    gf_error err;
    gf_buf pr;
    gf_buf_init(&pr);
    gf_status st = gf_graph_prove(p->g, p->w, pool, &pr, NULL, &err);
    CHECK_MSG(st == GF_OK, "%s: %s", what, err.msg);
    if (!st) CHECK_MSG(gf_graph_verify(p->g, pr.data, pr.len, &err) == GF_OK, "%s: %s", what, err.msg);
    gf_buf_free(&pr);
}

static gf_status make_add(prog *p, gf_m31 first, gf_m31 *sum, gf_error *err) {
    gf_kernel *k2 = NULL, *k16 = NULL;
    gf_context *ctx = NULL;
    gf_m31 in[32];
    for (int i = 0; i < 32; i++) in[i] = first + (gf_m31)i;
    gf_status st;
    if ((st = gf_example_kernel_add_2(&k2, err)) || (st = gf_example_kernel_add_16(&k16, err)) ||
        (st = gf_context_new(&ctx, NULL, err)) || (st = gf_example_run_add(ctx, k2, k16, in, sum, err)) ||
        (st = gf_context_compile_graph(ctx, &p->g, err)) || (st = gf_context_solve_witness(ctx, err)) ||
        (st = gf_context_export_witness(ctx, p->g, &p->w, err))) {}
    gf_context_free(ctx);
    gf_kernel_free(k2);
    gf_kernel_free(k16);
    return st;
}

/* times > 1: the same product shape again on new data (one more template of the same shape,
 * so the prover reuses its engine and tables) */
static gf_status make_matmul_times(prog *p, uint64_t n, uint64_t k, uint64_t m, int times, gf_rng *rng, gf_error *err) {
    gf_kernel *ml = NULL;
    gf_context *ctx = NULL;
    gf_m31 *a = malloc(n * k * sizeof *a), *b = malloc(k * m * sizeof *b), *c = malloc(n * m * sizeof *c);
    gf_status st;
    if ((st = gf_example_kernel_mul_line(k, m, &ml, err)) || (st = gf_context_new(&ctx, NULL, err))) {}
    for (int t = 0; !st && t < times; t++) {
        for (uint64_t i = 0; i < n * k; i++) a[i] = gf_m31_random(rng);
        for (uint64_t i = 0; i < k * m; i++) b[i] = gf_m31_random(rng);
        st = gf_example_run_matmul(ctx, ml, n, k, m, a, b, c, err);
    }
    if (st || (st = gf_context_compile_graph(ctx, &p->g, err)) ||
        (st = gf_context_solve_witness(ctx, err)) || (st = gf_context_export_witness(ctx, p->g, &p->w, err))) {}
    gf_context_free(ctx);
    gf_kernel_free(ml);
    free(a); free(b); free(c);
    return st;
}
static gf_status make_matmul(prog *p, uint64_t n, uint64_t k, uint64_t m, gf_rng *rng, gf_error *err) {
    return make_matmul_times(p, n, k, m, 1, rng, err);
}

/* z[j] = x[j] y[j] + s[0] s[1] + x[j] + s[j], x and y partitioned, s broadcast: layer 0 from
 * regions then has per-instance x per-instance and shared x shared multiplications, and add
 * gates from both kinds of input, besides the shared x per-instance runs of matmul. */
static gf_status make_mixed_kernel(prog *p, uint64_t n, gf_rng *rng, gf_error *err) {
    gf_kernel_builder *kb = gf_kb_new(GF_FIELD_M31, err);
    if (!kb) return err ? err->code : GF_ERR_NOMEM;
    uint64_t two = 2;
    int x = gf_kb_input(kb, "x", 1, &two), y = gf_kb_input(kb, "y", 1, &two), sv = gf_kb_input(kb, "s", 1, &two);
    int z = gf_kb_output(kb, "z", 1, &two);
    gf_var ss = gf_kb_mul(kb, gf_kb_in(kb, sv, 0), gf_kb_in(kb, sv, 1));
    for (uint64_t j = 0; j < 2; j++) {
        gf_var t = gf_kb_add(kb, gf_kb_mul(kb, gf_kb_in(kb, x, j), gf_kb_in(kb, y, j)), ss);
        gf_kb_set(kb, z, j, gf_kb_add(kb, gf_kb_add(kb, t, gf_kb_in(kb, x, j)), gf_kb_in(kb, sv, j)));
    }
    gf_kernel *k = NULL;
    gf_status st = gf_kernel_compile(kb, &k, err);
    gf_kb_free(kb);
    if (st) return st;
    gf_context *ctx = NULL;
    gf_m31 *xs = malloc(2 * n * sizeof *xs), *ys = malloc(2 * n * sizeof *ys), s2[2] = {gf_m31_random(rng), gf_m31_random(rng)};
    for (uint64_t i = 0; i < 2 * n; i++) { xs[i] = gf_m31_random(rng); ys[i] = gf_m31_random(rng); }
    const uint64_t dn[2] = {n, 2};
    gf_handle io[4] = {GF_HANDLE_NONE, GF_HANDLE_NONE, GF_HANDLE_NONE, GF_HANDLE_NONE};
    if (!(st = gf_context_new(&ctx, NULL, err)) && !(st = gf_context_copy_to_device(ctx, xs, 2, dn, &io[0], err)) &&
        !(st = gf_context_copy_to_device(ctx, ys, 2, dn, &io[1], err)) && !(st = gf_context_copy_to_device(ctx, s2, 1, &two, &io[2], err)) &&
        !(st = gf_context_call_kernel(ctx, k, "mixed", n, io, 4, err)) && !(st = gf_context_compile_graph(ctx, &p->g, err)) &&
        !(st = gf_context_solve_witness(ctx, err)))
        st = gf_context_export_witness(ctx, p->g, &p->w, err);
    gf_context_free(ctx);
    gf_kernel_free(k);
    free(xs); free(ys);
    return st;
}

/* c[j] = sum_i a[i] b[i][j] built row by row (i outer, j inner), b broadcast. The compiler
 * groups layer 0's products by output anyway; with fewer than 16 terms per output (k = 3, 4,
 * 5) the prover's gate-order path (no plan for layer 0) takes its general, lane-by-lane
 * route instead of whole columns. */
static gf_status make_rowmajor(prog *p, uint64_t n, uint64_t k, uint64_t m, gf_rng *rng, gf_error *err) {
    gf_kernel_builder *kb = gf_kb_new(GF_FIELD_M31, err);
    if (!kb) return err ? err->code : GF_ERR_NOMEM;
    const uint64_t db[2] = {k, m};
    int a = gf_kb_input(kb, "a", 1, &k), b = gf_kb_input(kb, "b", 2, db), c = gf_kb_output(kb, "c", 1, &m);
    gf_var *acc = malloc(m * sizeof *acc);
    for (uint64_t i = 0; i < k; i++)
        for (uint64_t j = 0; j < m; j++) {
            gf_var t = gf_kb_mul(kb, gf_kb_in(kb, a, i), gf_kb_in(kb, b, i * m + j));
            acc[j] = i ? gf_kb_add(kb, acc[j], t) : t;
        }
    for (uint64_t j = 0; j < m; j++) gf_kb_set(kb, c, j, acc[j]);
    free(acc);
    gf_kernel *kern = NULL;
    gf_status st = gf_kernel_compile(kb, &kern, err);
    gf_kb_free(kb);
    if (st) return st;
    gf_context *ctx = NULL;
    gf_m31 *as = malloc(n * k * sizeof *as), *bs = malloc(k * m * sizeof *bs);
    for (uint64_t i = 0; i < n * k; i++) as[i] = gf_m31_random(rng);
    for (uint64_t i = 0; i < k * m; i++) bs[i] = gf_m31_random(rng);
    const uint64_t da[2] = {n, k};
    gf_handle io[3] = {GF_HANDLE_NONE, GF_HANDLE_NONE, GF_HANDLE_NONE};
    if (!(st = gf_context_new(&ctx, NULL, err)) && !(st = gf_context_copy_to_device(ctx, as, 2, da, &io[0], err)) &&
        !(st = gf_context_copy_to_device(ctx, bs, 2, db, &io[1], err)) && !(st = gf_context_call_kernel(ctx, kern, "rowmajor", n, io, 3, err)) &&
        !(st = gf_context_compile_graph(ctx, &p->g, err)) && !(st = gf_context_solve_witness(ctx, err)))
        st = gf_context_export_witness(ctx, p->g, &p->w, err);
    gf_context_free(ctx);
    gf_kernel_free(kern);
    free(as); free(bs);
    return st;
}

/* s = sum_i a[i] b[i] over 32 terms, c = (s^2, s a[0]), b broadcast, called twice with the same shape: the
 * second template reuses the engine, and layer 0's outputs (the sums, not residuals) from
 * the first call must not leak into the second. */
static void test_two_layer_reuse(gf_rng *rng) {
    gf_error err;
    gf_kernel_builder *kb = gf_kb_new(GF_FIELD_M31, &err);
    REQUIRE(kb);
    uint64_t n32 = 32, two = 2;   /* components of >= 2 wires: layer 0 from regions */
    int a = gf_kb_input(kb, "a", 1, &n32), b = gf_kb_input(kb, "b", 1, &n32), c = gf_kb_output(kb, "c", 1, &two);
    gf_var acc = gf_kb_mul(kb, gf_kb_in(kb, a, 0), gf_kb_in(kb, b, 0));
    for (uint64_t i = 1; i < 32; i++) acc = gf_kb_add(kb, acc, gf_kb_mul(kb, gf_kb_in(kb, a, i), gf_kb_in(kb, b, i)));
    gf_kb_set(kb, c, 0, gf_kb_mul(kb, acc, acc));
    gf_kb_set(kb, c, 1, gf_kb_mul(kb, acc, gf_kb_in(kb, a, 0)));
    gf_kernel *k = NULL;
    REQUIRE(gf_kernel_compile(kb, &k, &err) == GF_OK);
    gf_kb_free(kb);
    REQUIRE(k->circuit->n_layers >= 2);
    gf_context *ctx = NULL;
    REQUIRE(gf_context_new(&ctx, NULL, &err) == GF_OK);
    enum { N = 64 };
    static gf_m31 as[N * 32], bs[32];
    for (int call = 0; call < 2; call++) {
        for (int i = 0; i < N * 32; i++) as[i] = gf_m31_random(rng);
        for (int i = 0; i < 32; i++) bs[i] = gf_m31_random(rng);
        const uint64_t da[2] = {N, 32};
        gf_handle io[3] = {GF_HANDLE_NONE, GF_HANDLE_NONE, GF_HANDLE_NONE};
        REQUIRE(gf_context_copy_to_device(ctx, as, 2, da, &io[0], &err) == GF_OK);
        REQUIRE(gf_context_copy_to_device(ctx, bs, 1, &n32, &io[1], &err) == GF_OK);
        REQUIRE(gf_context_call_kernel(ctx, k, "sq", N, io, 3, &err) == GF_OK);
    }
    prog p = {0};
    REQUIRE(gf_context_compile_graph(ctx, &p.g, &err) == GF_OK && gf_context_solve_witness(ctx, &err) == GF_OK);
    REQUIRE(gf_context_export_witness(ctx, p.g, &p.w, &err) == GF_OK);
    CHECK_EQ_U64(p.g->n_templates, 2);
    prove_verified(&p, NULL, "two-layer kernel twice");
    prog_free(&p);
    gf_context_free(ctx);
    gf_kernel_free(k);
}

static void test_rowmajor(gf_rng *rng) {
    gf_error err;
    gf_pool *pool = NULL;
    REQUIRE(gf_pool_new(&pool, 2, &err) == GF_OK);
    const uint64_t shapes[3][3] = {{64, 4, 32}, {16, 3, 48}, {32, 5, 20}};   /* the last: partial rows */
    for (int i = 0; i < 3; i++) {
        prog p = {0};
        REQUIRE(make_rowmajor(&p, shapes[i][0], shapes[i][1], shapes[i][2], rng, &err) == GF_OK);
        prove_verified(&p, i == 1 ? pool : NULL, "row-major matvec");
        /* a wrong entry of the broadcast matrix cannot be proved */
        gf_buf proof;
        const gf_graph_template *T = &p.g->templates[0];
        for (uint32_t q = 0; q < p.g->kernels[T->kernel].n_components; q++)
            if (T->broadcast[q]) p.w->vec[T->commit[q]][7] = gf_m31_add(p.w->vec[T->commit[q]][7], 1);
        gf_buf_init(&proof);
        CHECK(gf_graph_prove(p.g, p.w, NULL, &proof, NULL, &err) == GF_ERR_WITNESS);
        gf_buf_free(&proof);
        prog_free(&p);
    }
    gf_pool_free(pool);
}

static void test_mixed_layer0(gf_rng *rng) {
    gf_error err;
    prog p = {0};
    REQUIRE(make_mixed_kernel(&p, 32, rng, &err) == GF_OK);
    prove_verified(&p, NULL, "mixed kernel");
    /* a wrong output value (the last vector, z) cannot be proved */
    gf_buf proof;
    uint32_t zi = p.g->n_commitments - 1;
    p.w->vec[zi][3] = gf_m31_add(p.w->vec[zi][3], 1);
    gf_buf_init(&proof);
    CHECK(gf_graph_prove(p.g, p.w, NULL, &proof, NULL, &err) == GF_ERR_WITNESS);
    gf_buf_free(&proof);
    prog_free(&p);
}

static void test_add(gf_rng *rng) {
    (void)rng;
    gf_error err;
    prog p = {0};
    gf_m31 sum = 0;
    REQUIRE(make_add(&p, 1, &sum, &err) == GF_OK);
    CHECK_EQ_U64(sum, 528);
    gf_buf proof;
    gf_buf_init(&proof);
    gf_graph_prove_stats S;
    gf_status st = gf_graph_prove(p.g, p.w, NULL, &proof, &S, &err);
    CHECK_MSG(st == GF_OK, "%s", err.msg);
    st = gf_graph_verify(p.g, proof.data, proof.len, &err);
    CHECK_MSG(st == GF_OK, "%s", err.msg);
    /* every byte of the proof flipped (sampled to keep the test fast) is rejected */
    size_t accepted = 0;
    for (size_t i = 0; i < proof.len; i += 1 + i / 64) {
        proof.data[i] ^= 0x10;
        if (gf_graph_verify(p.g, proof.data, proof.len, &err) == GF_OK) { accepted++; fprintf(stderr, "accepted flip at %zu\n", i); }
        proof.data[i] ^= 0x10;
    }
    CHECK_EQ_U64(accepted, 0);
    CHECK(gf_graph_verify(p.g, proof.data, proof.len - 1, &err) != GF_OK);
    gf_buf_free(&proof);
    /* a witness whose add_16 result is wrong cannot be proved; the message names the template */
    uint32_t last = p.g->n_commitments - 1;
    for (uint32_t i = 0; i < p.g->n_commitments; i++)
        if (p.g->commit_len[i] == 1) last = i;   /* the scalar result */
    p.w->vec[last][0] = gf_m31_add(p.w->vec[last][0], 1);
    gf_buf_init(&proof);
    st = gf_graph_prove(p.g, p.w, NULL, &proof, &S, &err);
    CHECK(st == GF_ERR_WITNESS);
    CHECK_MSG(strstr(err.msg, "template") != NULL, "message should name the template: %s", err.msg);
    gf_buf_free(&proof);
    prog_free(&p);
}

static void test_reuse_and_mismatch(gf_rng *rng) {
    (void)rng;
    gf_error err;
    prog p1 = {0}, p2 = {0};
    gf_m31 s1 = 0, s2 = 0;
    REQUIRE(make_add(&p1, 1, &s1, &err) == GF_OK);
    REQUIRE(make_add(&p2, 1000, &s2, &err) == GF_OK);
    CHECK_EQ_U64(s2, 32496);
    gf_buf proof;
    gf_buf_init(&proof);
    CHECK(gf_graph_prove(p1.g, p2.w, NULL, &proof, NULL, &err) == GF_OK);   /* same graph, new data */
    CHECK(gf_graph_verify(p1.g, proof.data, proof.len, &err) == GF_OK);
    gf_buf_free(&proof);
    /* a proof checked against a different graph is rejected */
    prog pm = {0};
    REQUIRE(make_matmul(&pm, 16, 4, 8, rng, &err) == GF_OK);
    gf_buf_init(&proof);
    CHECK(gf_graph_prove(p1.g, p1.w, NULL, &proof, NULL, &err) == GF_OK);
    CHECK(gf_graph_verify(pm.g, proof.data, proof.len, &err) != GF_OK);
    gf_buf_free(&proof);
    prog_free(&pm);
    prog_free(&p1);
    prog_free(&p2);
}

static void test_matmul(gf_rng *rng) {
    gf_error err;
    /* 64x32x64: b broadcast (layer-0 input from regions), a partitioned, 64 instances */
    prog p = {0};
    REQUIRE(make_matmul(&p, 64, 32, 64, rng, &err) == GF_OK);
    gf_buf proof;
    gf_buf_init(&proof);
    gf_status st = gf_graph_prove(p.g, p.w, NULL, &proof, NULL, &err);
    CHECK_MSG(st == GF_OK, "%s", err.msg);
    st = gf_graph_verify(p.g, proof.data, proof.len, &err);
    CHECK_MSG(st == GF_OK, "%s", err.msg);
    /* with 2 and 3 threads (the phase-2 columns split over threads, claims and packing on the
     * pool): the same bytes */
    for (int nt = 2; nt <= 3; nt++) {
        gf_pool *pl = NULL;
        REQUIRE(gf_pool_new(&pl, nt, &err) == GF_OK);
        gf_buf pt;
        gf_buf_init(&pt);
        CHECK_MSG(gf_graph_prove(p.g, p.w, pl, &pt, NULL, &err) == GF_OK, "%s", err.msg);
        CHECK_MSG(pt.len == proof.len && !memcmp(pt.data, proof.data, pt.len), "%d-thread proof differs", nt);
        gf_buf_free(&pt);
        gf_pool_free(pl);
    }
    /* tamper one value of the broadcast matrix in the witness: the proof cannot be made */
    for (uint32_t i = 0; i < p.g->n_commitments; i++)
        if (p.g->commit_len[i] == 32 * 64) p.w->vec[i][5] = gf_m31_add(p.w->vec[i][5], 1);
    gf_buf proof2;
    gf_buf_init(&proof2);
    CHECK(gf_graph_prove(p.g, p.w, NULL, &proof2, NULL, &err) == GF_ERR_WITNESS);
    gf_buf_free(&proof2);
    /* openings left to the caller: the buffer plus gf_graph_write_openings is the same proof */
    for (uint32_t i = 0; i < p.g->n_commitments; i++)
        if (p.g->commit_len[i] == 32 * 64) p.w->vec[i][5] = gf_m31_sub(p.w->vec[i][5], 1);
    gf_graph_prove_opts op = {0};
    op.openings_by_caller = 1;
    gf_graph_prove_stats s1, s2;
    gf_buf head;
    gf_buf_init(&head);
    gf_comm self = gf_comm_self();
    CHECK_MSG(gf_graph_prove_comm(p.g, p.w, &self, NULL, &op, &head, &s1, &err) == GF_OK, "%s", err.msg);
    CHECK(gf_graph_prove_comm(p.g, p.w, &self, NULL, NULL, &proof2, &s2, &err) == GF_OK);
    char *mem = NULL;
    size_t ml = 0;
    FILE *ms = open_memstream(&mem, &ml);
    REQUIRE(ms);
    CHECK(fwrite(head.data, 1, head.len, ms) == head.len);
    CHECK(gf_graph_write_openings(ms, p.g, p.w, &err) == GF_OK);
    fclose(ms);
    CHECK_MSG(ml == proof2.len && !memcmp(mem, proof2.data, ml), "deferred openings: %zu vs %zu bytes", ml, proof2.len);
    CHECK(s1.proof_bytes == s2.proof_bytes && s1.opening_bytes == s2.opening_bytes && s1.proof_bytes == proof2.len);
    CHECK(head.len < proof2.len / 4);   /* the openings are most of it */
    free(mem);
    gf_buf_free(&head);
    gf_buf_free(&proof2);
    gf_buf_free(&proof);
    prog_free(&p);
    /* the same shape twice: the second template reuses the first one's engine (layer-0
     * outputs and phase-2 tables written before must be cleared) */
    {
        prog q = {0};
        REQUIRE(make_matmul_times(&q, 64, 32, 64, 2, rng, &err) == GF_OK);
        CHECK_EQ_U64(q.g->n_templates, 2);
        prove_verified(&q, NULL, "two matmuls");
        prog_free(&q);
    }
    /* a few shapes, including fewer than 16 instances and a thread pool; inner lengths 17 and
     * 33 end each output's run of gates with a lone gate (16 + 1, 2 x 16 + 1), 20 with a
     * partial run (16 + 4), in layer 0's evaluation from regions */
    gf_pool *pool = NULL;
    REQUIRE(gf_pool_new(&pool, 2, &err) == GF_OK);
    uint64_t shapes[7][3] = {{4, 8, 8}, {8, 16, 4}, {32, 8, 16}, {6, 4, 4}, {8, 17, 4}, {16, 20, 8}, {5, 33, 2}};
    for (int i = 0; i < 7; i++) {
        prog q = {0};
        st = make_matmul(&q, shapes[i][0], shapes[i][1], shapes[i][2], rng, &err);
        CHECK_MSG(st == GF_OK, "%s", err.msg);
        if (st) continue;
        char what[64];
        snprintf(what, sizeof what, "matmul %llux%llux%llu", (unsigned long long)shapes[i][0], (unsigned long long)shapes[i][1],
                 (unsigned long long)shapes[i][2]);
        prove_verified(&q, i & 1 ? pool : NULL, what);
        prog_free(&q);
    }
    gf_pool_free(pool);
}

int main(void) {
    TEST_BEGIN();
    RUN(test_add);
    RUN(test_reuse_and_mismatch);
    RUN(test_matmul);
    RUN(test_mixed_layer0);
    RUN(test_rowmajor);
    RUN(test_two_layer_reuse);
    return TEST_END();
}
