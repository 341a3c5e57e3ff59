/* Graph layer: context (device memories, views, kernel calls), graph compile/load, witness
 * export, graph and witness files. The key integration check (instances_failing) assembles
 * every instance's circuit input from the WITNESS vectors exactly as graph.h specifies (what
 * the prover does) and evaluates the kernel circuit: all residuals must be zero, on real
 * and padding instances alike; tampering must make some non-zero. */
#define _GNU_SOURCE
#include <string.h>
#include <stdlib.h>
#include <unistd.h>
#include "testutil.h"
#include "kernels.h"
#include "graph/context.h"
#include "graph/graph.h"
#include "circuit/circuit.h"
#include "common/pool.h"
#include "hash/sha256.h"
#include "common/util.h"

static char tmpdir[256];
static gf_pool *g_pool;   /* 2 threads: evaluation and export run in parallel */

static const char *tmp(const char *name) {
    static char buf[4][512];
    static int k;
    k = (k + 1) & 3;
    snprintf(buf[k], sizeof buf[k], "%s/%s", tmpdir, name);
    return buf[k];
}

/* ---- helpers --------------------------------------------------------------------------------- */

/* Instances (template t, slot p) whose circuit has a non-zero residual when its input is built
 * from the witness: component i at comp_offset[i] reads commitment commit[i], whole if
 * broadcast, else slice [p*len, (p+1)*len); the rest is zero. Random coefficients get random
 * values. */
static uint64_t instances_failing(const gf_graph *g, const gf_graph_witness *w, gf_rng *rng, uint32_t *bt, uint64_t *bp) {
    uint64_t bad = 0;
    gf_error err;
    for (uint32_t t = 0; t < g->n_templates; t++) {
        const gf_graph_template *tp = &g->templates[t];
        const gf_graph_kernel *k = &g->kernels[tp->kernel];
        const gf_circuit *c = k->circuit;
        uint32_t nr = gf_circuit_n_random(c);
        gf_m31 *rnd = malloc((nr + 1) * sizeof *rnd), *coefs = malloc((c->n_coefs + 1) * sizeof *coefs);
        for (uint32_t i = 0; i < nr; i++) rnd[i] = gf_m31_random(rng);
        CHECK(gf_circuit_coefs_fill_m31(c, rnd, coefs, &err) == GF_OK);
        uint64_t nin = gf_circuit_input_len(c), nout = gf_circuit_output_len(c);
        gf_m31 *in = malloc(nin * sizeof *in), *out = malloc(nout * sizeof *out);
        for (uint64_t p = 0; p < tp->parallel_count; p++) {
            memset(in, 0, nin * sizeof *in);
            for (uint32_t i = 0; i < k->n_components; i++) {
                uint64_t len = k->comp_len[i];
                const gf_m31 *src = w->vec[tp->commit[i]] + (tp->broadcast[i] ? 0 : p * len);
                memcpy(in + k->comp_offset[i], src, len * sizeof *in);
            }
            CHECK(gf_circuit_eval_m31(c, coefs, in, out, &err) == GF_OK);
            int zero = 1;
            for (uint64_t j = 0; j < nout; j++) zero &= out[j] == 0;
            if (!zero) {
                if (!bad && bt) { *bt = t; *bp = p; }
                bad++;
            }
        }
        free(rnd); free(coefs); free(in); free(out);
    }
    return bad;
}

static int contains(const char *s, const char *sub) { return strstr(s, sub) != NULL; }
#define CHECK_ERR(expr, code, ...) do { gf_error _e; memset(&_e, 0, sizeof _e); gf_status _st = (expr); \
    CHECK_MSG(_st == (code), "%s -> %s (%s)", #expr, gf_status_name(_st), _e.msg); \
    const char *_subs[] = { __VA_ARGS__ }; \
    for (size_t _i = 0; _i < sizeof _subs / sizeof _subs[0]; _i++) \
        CHECK_MSG(contains(_e.msg, _subs[_i]), "message '%s' lacks '%s'", _e.msg, _subs[_i]); } while (0)
/* CHECK_ERR needs the error variable named _e inside expr: */
#define E (&_e)

static gf_kernel *kernel_sum(uint64_t n, uint64_t factor) {
    gf_error err;
    gf_kernel_builder *kb = gf_kb_new(GF_FIELD_M31, &err);
    int a = gf_kb_input(kb, "a", 1, &n);
    int b = gf_kb_output(kb, "b", 0, NULL);
    gf_var acc = gf_kb_in(kb, a, 0);
    for (uint64_t i = 1; i < n; i++) acc = gf_kb_add(kb, acc, gf_kb_in(kb, a, i));
    if (factor != 1) acc = gf_kb_mul_const(kb, acc, factor);
    gf_kb_set(kb, b, 0, acc);
    gf_kernel *k = NULL;
    CHECK_MSG(gf_kernel_compile(kb, &k, &err) == GF_OK, "%s", err.msg);
    gf_kb_free(kb);
    return k;
}

/* input a[d0][d1] (d1 = 0: a[d0]), output b = sum */
static gf_kernel *kernel_sum2(uint64_t d0, uint64_t d1) {
    gf_error err;
    gf_kernel_builder *kb = gf_kb_new(GF_FIELD_M31, &err);
    uint64_t d[2] = { d0, d1 };
    int a = gf_kb_input(kb, "a", d1 ? 2 : 1, d);
    int b = gf_kb_output(kb, "b", 0, NULL);
    uint64_t n = d1 ? d0 * d1 : d0;
    gf_var acc = gf_kb_in(kb, a, 0);
    for (uint64_t i = 1; i < n; i++) acc = gf_kb_add(kb, acc, gf_kb_in(kb, a, i));
    gf_kb_set(kb, b, 0, acc);
    gf_kernel *k = NULL;
    CHECK_MSG(gf_kernel_compile(kb, &k, &err) == GF_OK, "%s", err.msg);
    gf_kb_free(kb);
    return k;
}

/* inputs x[n], y[n]; output q[n] = x / y (division: a hint value per element, constrained by
 * x = q * y) */
static gf_kernel *kernel_div(uint64_t n) {
    gf_error err;
    gf_kernel_builder *kb = gf_kb_new(GF_FIELD_M31, &err);
    int x = gf_kb_input(kb, "x", 1, &n);
    int y = gf_kb_input(kb, "y", 1, &n);
    int q = gf_kb_output(kb, "q", 1, &n);
    for (uint64_t i = 0; i < n; i++) gf_kb_set(kb, q, i, gf_kb_div(kb, gf_kb_in(kb, x, i), gf_kb_in(kb, y, i)));
    gf_kernel *k = NULL;
    CHECK_MSG(gf_kernel_compile(kb, &k, &err) == GF_OK, "%s", err.msg);
    gf_kb_free(kb);
    return k;
}

/* input a[n]; output s = sum_i 1 / a[i] (n hint values) */
static gf_kernel *kernel_inv_sum(uint64_t n) {
    gf_error err;
    gf_kernel_builder *kb = gf_kb_new(GF_FIELD_M31, &err);
    int a = gf_kb_input(kb, "a", 1, &n);
    int s = gf_kb_output(kb, "s", 0, NULL);
    gf_var one = gf_kb_const(kb, 1), acc = GF_VAR_NONE;
    for (uint64_t i = 0; i < n; i++) {
        gf_var q = gf_kb_div(kb, one, gf_kb_in(kb, a, i));
        acc = i ? gf_kb_add(kb, acc, q) : q;
    }
    gf_kb_set(kb, s, 0, acc);
    gf_kernel *k = NULL;
    CHECK_MSG(gf_kernel_compile(kb, &k, &err) == GF_OK, "%s", err.msg);
    gf_kb_free(kb);
    return k;
}

/* input x[2], no output: asserts x[0] == x[1] */
static gf_kernel *kernel_assert_eq(void) {
    gf_error err;
    gf_kernel_builder *kb = gf_kb_new(GF_FIELD_M31, &err);
    uint64_t two = 2;
    int x = gf_kb_input(kb, "x", 1, &two);
    gf_kb_assert_equal(kb, gf_kb_in(kb, x, 0), gf_kb_in(kb, x, 1));
    gf_kernel *k = NULL;
    CHECK_MSG(gf_kernel_compile(kb, &k, &err) == GF_OK, "%s", err.msg);
    gf_kb_free(kb);
    return k;
}

typedef struct add_kernels { gf_kernel *k2, *k16; } add_kernels;

static add_kernels add_kernels_new(void) {
    add_kernels a = { NULL, NULL };
    gf_error err;
    CHECK_MSG(gf_example_kernel_add_2(&a.k2, &err) == GF_OK, "%s", err.msg);
    CHECK_MSG(gf_example_kernel_add_16(&a.k16, &err) == GF_OK, "%s", err.msg);
    return a;
}
static void add_kernels_free(add_kernels *a) { gf_kernel_free(a->k2); gf_kernel_free(a->k16); }

static gf_context *ctx_new(gf_pool *pool) {
    gf_context *ctx = NULL;
    gf_error err;
    CHECK(gf_context_new(&ctx, pool, &err) == GF_OK);
    return ctx;
}

/* The add program on values base, base+1, ...; returns the context after the calls. */
static gf_context *run_add(const add_kernels *ak, uint32_t base, gf_m31 *sum) {
    gf_context *ctx = ctx_new(g_pool);
    gf_m31 in[32];
    for (int i = 0; i < 32; i++) in[i] = base + (uint32_t)i;
    gf_error err;
    CHECK_MSG(gf_example_run_add(ctx, ak->k2, ak->k16, in, sum, &err) == GF_OK, "%s", err.msg);
    return ctx;
}

static gf_graph *compile_ok(gf_context *ctx) {
    gf_graph *g = NULL;
    gf_error err;
    CHECK_MSG(gf_context_compile_graph(ctx, &g, &err) == GF_OK, "%s", err.msg);
    return g;
}

static gf_graph_witness *witness_ok(gf_context *ctx, const gf_graph *g) {
    gf_graph_witness *w = NULL;
    gf_error err;
    CHECK_MSG(gf_context_solve_witness(ctx, &err) == GF_OK, "%s", err.msg);
    CHECK_MSG(gf_context_export_witness(ctx, g, &w, &err) == GF_OK, "%s", err.msg);
    if (w) CHECK_MSG(gf_graph_witness_check(w, g, &err) == GF_OK, "%s", err.msg);
    return w;
}

static uint8_t *slurp(const char *path, size_t *n) {
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    fseek(f, 0, SEEK_END);
    long sz = ftell(f);
    fseek(f, 0, SEEK_SET);
    uint8_t *b = malloc((size_t)sz + 1);
    *n = fread(b, 1, (size_t)sz, f);
    fclose(f);
    return b;
}

static void spit(const char *path, const void *b, size_t n) {
    FILE *f = fopen(path, "wb");
    if (n) fwrite(b, 1, n, f);
    fclose(f);
}

static int graphs_equal(const gf_graph *a, const gf_graph *b) {
    if (a->field != b->field || a->n_kernels != b->n_kernels || a->n_commitments != b->n_commitments ||
        a->n_templates != b->n_templates)
        return 0;
    for (uint32_t i = 0; i < a->n_kernels; i++) {
        const gf_graph_kernel *x = &a->kernels[i], *y = &b->kernels[i];
        if (strcmp(x->name, y->name) || x->n_components != y->n_components) return 0;
        for (uint32_t c = 0; c < x->n_components; c++)
            if (x->comp_len[c] != y->comp_len[c] || x->comp_offset[c] != y->comp_offset[c]) return 0;
        uint8_t d1[32], d2[32];
        gf_circuit_digest(x->circuit, d1, NULL);
        gf_circuit_digest(y->circuit, d2, NULL);
        if (memcmp(d1, d2, 32)) return 0;
    }
    for (uint32_t i = 0; i < a->n_commitments; i++) if (a->commit_len[i] != b->commit_len[i]) return 0;
    for (uint32_t t = 0; t < a->n_templates; t++) {
        const gf_graph_template *x = &a->templates[t], *y = &b->templates[t];
        if (x->kernel != y->kernel || x->parallel_count != y->parallel_count || x->n_instances != y->n_instances) return 0;
        for (uint32_t c = 0; c < a->kernels[x->kernel].n_components; c++)
            if (x->commit[c] != y->commit[c] || x->broadcast[c] != y->broadcast[c]) return 0;
    }
    return 1;
}

/* ---- the add example and graph reuse ---------------------------------------------------------- */

static void test_add_example(gf_rng *rng) {
    add_kernels ak = add_kernels_new();
    gf_m31 sum = 0;
    gf_context *ctx = run_add(&ak, 1, &sum);
    CHECK_EQ_U64(sum, 528);
    CHECK_EQ_U64(gf_context_n_device_memories(ctx), 3);
    CHECK_EQ_U64(gf_context_n_calls(ctx), 2);
    gf_graph *g = compile_ok(ctx);
    REQUIRE(g);
    CHECK_EQ_U64(g->n_kernels, 2);
    CHECK(!strcmp(g->kernels[0].name, "add_2") && !strcmp(g->kernels[1].name, "add_16"));
    CHECK_EQ_U64(g->n_commitments, 3);
    CHECK(g->commit_len[0] == 32 && g->commit_len[1] == 16 && g->commit_len[2] == 1);
    REQUIRE(g->n_templates == 2);
    const gf_graph_template *t0 = &g->templates[0], *t1 = &g->templates[1];
    CHECK(t0->kernel == 0 && t0->parallel_count == 16 && t0->n_instances == 16);
    CHECK(t0->commit[0] == 0 && t0->commit[1] == 1 && !t0->broadcast[0] && !t0->broadcast[1]);
    CHECK(t1->kernel == 1 && t1->parallel_count == 1 && t1->n_instances == 1);
    CHECK(t1->commit[0] == 1 && t1->commit[1] == 2 && !t1->broadcast[0] && !t1->broadcast[1]);
    CHECK(g->kernels[0].comp_len[0] == 2 && g->kernels[0].comp_len[1] == 1);
    CHECK(g->kernels[1].comp_len[0] == 16 && g->kernels[1].comp_len[1] == 1);
    gf_error err;
    CHECK_MSG(gf_graph_validate(g, &err) == GF_OK, "%s", err.msg);

    gf_graph_witness *w = witness_ok(ctx, g);
    REQUIRE(w);
    for (int i = 0; i < 32; i++) CHECK_EQ_U64(w->vec[0][i], i + 1);
    for (int i = 0; i < 16; i++) CHECK_EQ_U64(w->vec[1][i], 4 * i + 3);
    CHECK_EQ_U64(w->vec[2][0], 528);
    uint8_t d[32];
    CHECK(gf_graph_digest(g, d, &err) == GF_OK && !memcmp(d, w->graph_digest, 32));
    uint32_t bt = 0;
    uint64_t bp = 0;
    CHECK_EQ_U64(instances_failing(g, w, rng, &bt, &bp), 0);
    /* a wrong output / input value must be caught by the circuit */
    w->vec[2][0] = gf_m31_add(w->vec[2][0], 1);
    CHECK_EQ_U64(instances_failing(g, w, rng, &bt, &bp), 1);
    CHECK(bt == 1 && bp == 0);
    w->vec[2][0] = 528;
    w->vec[0][7] = gf_m31_add(w->vec[0][7], 5);   /* instance 3 of add_2 */
    CHECK_EQ_U64(instances_failing(g, w, rng, &bt, &bp), 1);
    CHECK(bt == 0 && bp == 3);
    w->vec[0][7] = 8;
    /* a non-canonical value is named by vector and index, at any position */
    const uint64_t bad_at[3] = {0, 17, 31};
    for (int q = 0; q < 3; q++) {
        w->vec[0][bad_at[q]] = GF_M31_P + (uint32_t)q;
        CHECK(gf_graph_witness_check_digest(w, g, d, &err) == GF_ERR_INVALID);
        char want[64];
        snprintf(want, sizeof want, "vector 0 value %llu = %u is not a canonical", (unsigned long long)bad_at[q], GF_M31_P + (unsigned)q);
        CHECK_MSG(strstr(err.msg, want) != NULL, "message should say '%s': %s", want, err.msg);
        w->vec[0][bad_at[q]] = (gf_m31)bad_at[q] + 1;
    }
    CHECK_MSG(gf_graph_witness_check_digest(w, g, d, &err) == GF_OK, "%s", err.msg);

    CHECK_MSG(gf_graph_save(g, tmp("add.graph"), &err) == GF_OK, "%s", err.msg);
    CHECK_MSG(gf_graph_witness_save(w, tmp("add.wit"), &err) == GF_OK, "%s", err.msg);
    gf_graph *g2 = NULL;
    CHECK_MSG(gf_graph_load(&g2, tmp("add.graph"), &err) == GF_OK, "%s", err.msg);
    REQUIRE(g2);
    CHECK(graphs_equal(g, g2));
    uint8_t d2[32];
    CHECK(gf_graph_digest(g2, d2, &err) == GF_OK && !memcmp(d, d2, 32));
    gf_graph_witness *w2 = NULL;
    CHECK_MSG(gf_graph_witness_load(&w2, tmp("add.wit"), &err) == GF_OK, "%s", err.msg);
    REQUIRE(w2);
    CHECK_MSG(gf_graph_witness_check(w2, g2, &err) == GF_OK, "%s", err.msg);
    CHECK(w2->n == w->n);
    for (uint32_t i = 0; i < w->n; i++) CHECK(w2->len[i] == w->len[i] && !memcmp(w2->vec[i], w->vec[i], w->len[i] * 4));
    gf_graph_witness_free(w2);
    gf_graph_free(g2);
    gf_graph_witness_free(w);
    gf_graph_free(g);
    gf_context_free(ctx);
    add_kernels_free(&ak);
}

static void test_reuse(gf_rng *rng) {
    /* first run: compile and save */
    add_kernels ak = add_kernels_new();
    gf_m31 sum;
    gf_context *c1 = run_add(&ak, 1, &sum);
    gf_graph *g1 = compile_ok(c1);
    REQUIRE(g1);
    gf_error err;
    CHECK_MSG(gf_graph_save(g1, tmp("reuse.graph"), &err) == GF_OK, "%s", err.msg);
    gf_context_free(c1);
    add_kernels_free(&ak);

    /* second run: fresh kernels (other pointers), new data, graph loaded from the file */
    add_kernels ak2 = add_kernels_new();
    gf_context *c2 = run_add(&ak2, 1000, &sum);
    CHECK_EQ_U64(sum, 32496);
    gf_graph *g = NULL;
    CHECK_MSG(gf_graph_load(&g, tmp("reuse.graph"), &err) == GF_OK, "%s", err.msg);
    REQUIRE(g);
    CHECK_MSG(gf_context_load_graph(c2, g, &err) == GF_OK, "%s", err.msg);
    CHECK(gf_context_state(c2) == GF_CTX_GRAPH_DONE);
    gf_graph_witness *w = witness_ok(c2, g);
    REQUIRE(w);
    for (int i = 0; i < 32; i++) CHECK_EQ_U64(w->vec[0][i], 1000 + i);
    CHECK_EQ_U64(w->vec[2][0], 32496);
    CHECK_EQ_U64(instances_failing(g, w, rng, NULL, NULL), 0);
    uint8_t d[32];
    CHECK(gf_graph_digest(g1, d, &err) == GF_OK && !memcmp(d, w->graph_digest, 32));
    gf_graph_witness_free(w);
    gf_graph_free(g);
    gf_graph_free(g1);
    gf_context_free(c2);
    add_kernels_free(&ak2);
}

/* Replays that differ from the saved add program must fail naming the first differing call. */
static void test_replay_mismatch(gf_rng *rng) {
    (void)rng;
    add_kernels ak = add_kernels_new();
    gf_m31 sum;
    gf_context *c0 = run_add(&ak, 1, &sum);
    gf_graph *g = compile_ok(c0);
    REQUIRE(g);
    gf_context_free(c0);
    gf_error err;
    gf_m31 in[64];
    for (int i = 0; i < 64; i++) in[i] = (gf_m31)i + 1;
    const uint64_t d16x2[2] = { 16, 2 }, d8x2[2] = { 8, 2 }, d12x2[2] = { 12, 2 }, d1x16[2] = { 1, 16 }, d16 = 16;

    /* (a) parallel count 8 instead of 16 at call #0 */
    {
        gf_context *ctx = ctx_new(g_pool);
        gf_handle io[2] = { 0, 0 };
        CHECK(gf_context_copy_to_device(ctx, in, 2, d8x2, &io[0], &err) == GF_OK);
        CHECK(gf_context_call_kernel(ctx, ak.k2, "add_2", 8, io, 2, &err) == GF_OK);
        CHECK_ERR(gf_context_load_graph(ctx, g, E), GF_ERR_INVALID, "call #0", "'add_2'", "8 instances", "16");
        CHECK(gf_context_state(ctx) == GF_CTX_RECORDING);
        /* a failed load leaves the context usable */
        gf_graph *g2 = compile_ok(ctx);
        CHECK(g2 && g2->templates[0].parallel_count == 8);
        gf_graph_free(g2);
        gf_context_free(ctx);
    }
    /* (b) a different kernel (same shapes) at call #1 */
    {
        gf_kernel *dbl = kernel_sum(16, 2);
        gf_context *ctx = ctx_new(g_pool);
        gf_handle io[2] = { 0, 0 }, r;
        CHECK(gf_context_copy_to_device(ctx, in, 2, d16x2, &io[0], &err) == GF_OK);
        CHECK(gf_context_call_kernel(ctx, ak.k2, "add_2", 16, io, 2, &err) == GF_OK);
        CHECK(gf_context_reshape(ctx, io[1], 2, d1x16, &r, &err) == GF_OK);
        io[0] = r; io[1] = 0;
        CHECK(gf_context_call_kernel(ctx, dbl, "double_16", 1, io, 2, &err) == GF_OK);
        CHECK_ERR(gf_context_load_graph(ctx, g, E), GF_ERR_INVALID, "call #1", "'double_16'", "differs", "'add_16'");
        gf_context_free(ctx);
        gf_kernel_free(dbl);
    }
    /* (c) broadcast instead of partitioned at call #1 (shape [16] instead of [1,16]) */
    {
        gf_context *ctx = ctx_new(g_pool);
        gf_handle io[2] = { 0, 0 };
        CHECK(gf_context_copy_to_device(ctx, in, 2, d16x2, &io[0], &err) == GF_OK);
        CHECK(gf_context_call_kernel(ctx, ak.k2, "add_2", 16, io, 2, &err) == GF_OK);
        gf_handle b = io[1];
        uint32_t nd;
        uint64_t dims[GF_CONTEXT_MAX_DIMS];
        CHECK(gf_context_shape(ctx, b, &nd, dims, &err) == GF_OK && nd == 1 && dims[0] == d16);
        io[0] = b; io[1] = 0;
        CHECK(gf_context_call_kernel(ctx, ak.k16, "add_16", 1, io, 2, &err) == GF_OK);
        CHECK_ERR(gf_context_load_graph(ctx, g, E), GF_ERR_INVALID, "call #1", "'add_16'", "input 'a'", "broadcast here",
                  "partitioned in the graph");
        gf_context_free(ctx);
    }
    /* (d) 12 instances: pads to the same 16, but the replay is not the same program */
    {
        gf_context *ctx = ctx_new(g_pool);
        gf_handle io[2] = { 0, 0 };
        CHECK(gf_context_copy_to_device(ctx, in, 2, d12x2, &io[0], &err) == GF_OK);
        CHECK(gf_context_call_kernel(ctx, ak.k2, "add_2", 12, io, 2, &err) == GF_OK);
        CHECK_ERR(gf_context_load_graph(ctx, g, E), GF_ERR_INVALID, "call #0", "12 instances");
        gf_context_free(ctx);
    }
    /* (e) fewer calls, (f) more calls */
    {
        gf_context *ctx = ctx_new(g_pool);
        gf_handle io[2] = { 0, 0 };
        CHECK(gf_context_copy_to_device(ctx, in, 2, d16x2, &io[0], &err) == GF_OK);
        CHECK(gf_context_call_kernel(ctx, ak.k2, "add_2", 16, io, 2, &err) == GF_OK);
        CHECK_ERR(gf_context_load_graph(ctx, g, E), GF_ERR_INVALID, "1 kernel calls", "2 templates", "call #1", "'add_16'");
        gf_context_free(ctx);
        ctx = run_add(&ak, 5, &sum);
        gf_handle a, io2[2] = { 0, 0 };
        CHECK(gf_context_copy_to_device(ctx, in, 2, d16x2, &a, &err) == GF_OK);
        io2[0] = a;
        CHECK(gf_context_call_kernel(ctx, ak.k2, "add_2_again", 16, io2, 2, &err) == GF_OK);
        CHECK_ERR(gf_context_load_graph(ctx, g, E), GF_ERR_INVALID, "call #2", "'add_2_again'", "no template");
        gf_context_free(ctx);
    }
    /* (g) an extra device memory before the program: commitment indices shift */
    {
        gf_context *ctx = ctx_new(g_pool);
        gf_handle x;
        CHECK(gf_context_copy_to_device(ctx, in, 1, &d16, &x, &err) == GF_OK);
        gf_m31 s2;
        CHECK(gf_example_run_add(ctx, ak.k2, ak.k16, in, &s2, &err) == GF_OK);
        CHECK_ERR(gf_context_load_graph(ctx, g, E), GF_ERR_INVALID, "call #0", "reads commitment 1", "commitment 0");
        gf_context_free(ctx);
    }
    gf_graph_free(g);
    add_kernels_free(&ak);
}

/* ---- matmul --------------------------------------------------------------------------------- */

static void test_matmul(gf_rng *rng) {
    const uint64_t n = 64, kk = 32, m = 64;
    gf_kernel *ml = NULL;
    gf_error err;
    CHECK_MSG(gf_example_kernel_mul_line(kk, m, &ml, &err) == GF_OK, "%s", err.msg);
    REQUIRE(ml);
    gf_m31 *a = malloc(n * kk * 4), *b = malloc(kk * m * 4), *c = malloc(n * m * 4), *ref = calloc(n * m, 4);
    for (uint64_t i = 0; i < n * kk; i++) a[i] = gf_m31_random(rng);
    for (uint64_t i = 0; i < kk * m; i++) b[i] = gf_m31_random(rng);
    for (uint64_t i = 0; i < n; i++)
        for (uint64_t j = 0; j < m; j++) {
            gf_m31 s = 0;
            for (uint64_t l = 0; l < kk; l++) s = gf_m31_add(s, gf_m31_mul(a[i * kk + l], b[l * m + j]));
            ref[i * m + j] = s;
        }
    gf_graph_witness *wp[2] = { NULL, NULL };
    for (int pass = 0; pass < 2; pass++) {   /* with the pool and single-threaded: same witness */
        gf_context *ctx = ctx_new(pass ? NULL : g_pool);
        CHECK_MSG(gf_example_run_matmul(ctx, ml, n, kk, m, a, b, c, &err) == GF_OK, "%s", err.msg);
        CHECK(!memcmp(c, ref, n * m * 4));
        gf_graph *g = compile_ok(ctx);
        REQUIRE(g);
        CHECK(g->n_kernels == 1 && g->n_templates == 1 && g->n_commitments == 3);
        const gf_graph_template *t = &g->templates[0];
        CHECK(t->parallel_count == 64 && t->commit[0] == 0 && t->commit[1] == 1 && t->commit[2] == 2);
        CHECK(!t->broadcast[0] && t->broadcast[1] && !t->broadcast[2]);
        CHECK(g->commit_len[0] == 2048 && g->commit_len[1] == 2048 && g->commit_len[2] == 4096);
        wp[pass] = witness_ok(ctx, g);
        REQUIRE(wp[pass]);
        CHECK(!memcmp(wp[pass]->vec[2], ref, n * m * 4));
        CHECK_EQ_U64(instances_failing(g, wp[pass], rng, NULL, NULL), 0);
        if (pass == 1) {
            uint32_t bt;
            uint64_t bp;
            wp[1]->vec[1][5] = gf_m31_add(wp[1]->vec[1][5], 1);   /* broadcast b: every instance breaks */
            CHECK_EQ_U64(instances_failing(g, wp[1], rng, &bt, &bp), 64);
            wp[1]->vec[1][5] = b[5];
            for (uint32_t i = 0; i < 3; i++) CHECK(!memcmp(wp[0]->vec[i], wp[1]->vec[i], wp[0]->len[i] * 4));
        }
        gf_graph_free(g);
        gf_context_free(ctx);
    }
    gf_graph_witness_free(wp[0]);
    gf_graph_witness_free(wp[1]);
    free(a); free(b); free(c); free(ref);
    gf_kernel_free(ml);
}

/* ---- call-time rules and the state machine ---------------------------------------------------- */

static void test_call_errors(gf_rng *rng) {
    (void)rng;
    add_kernels ak = add_kernels_new();
    gf_kernel *aeq = kernel_assert_eq(), *dv = kernel_div(1);
    gf_error err;
    gf_context *ctx = ctx_new(g_pool);
    gf_m31 in[32];
    for (int i = 0; i < 32; i++) in[i] = (gf_m31)i + 1;
    const uint64_t d16x2[2] = { 16, 2 }, d32 = 32, d2 = 2, d1x2[2] = { 1, 2 };
    gf_handle a, a32, io[2];
    CHECK(gf_context_copy_to_device(ctx, in, 2, d16x2, &a, &err) == GF_OK);
    CHECK_EQ_U64(a, 1);
    CHECK_EQ_U64(gf_context_len(ctx, a), 32);
    CHECK_EQ_U64(gf_context_device_memory(ctx, a), 0);

    io[0] = a; io[1] = 0;
    CHECK_ERR(gf_context_call_kernel(ctx, ak.k2, "add_2", 16, io, 1, E), GF_ERR_INVALID, "1 io handles", "has 2");
    CHECK_ERR(gf_context_call_kernel(ctx, ak.k2, "add_2", 8, io, 2, E), GF_ERR_INVALID, "incompatible shapes", "handle 1",
              "[16,2]", "[2] (broadcast", "[8,2] (partitioned");
    CHECK(gf_context_reshape(ctx, a, 1, &d32, &a32, &err) == GF_OK);
    io[0] = a32;
    CHECK_ERR(gf_context_call_kernel(ctx, ak.k2, "add_2", 16, io, 2, E), GF_ERR_INVALID, "incompatible shapes", "[32]");
    io[0] = a; io[1] = a;
    CHECK_ERR(gf_context_call_kernel(ctx, ak.k2, "add_2", 16, io, 2, E), GF_ERR_INVALID, "output", "GF_HANDLE_NONE");
    io[0] = 999; io[1] = 0;
    CHECK_ERR(gf_context_call_kernel(ctx, ak.k2, "add_2", 16, io, 2, E), GF_ERR_INVALID, "handle 999", "not valid");
    io[0] = a;
    CHECK_ERR(gf_context_call_kernel(ctx, ak.k2, "add_2", 0, io, 2, E), GF_ERR_INVALID, "parallel count 0");
    CHECK_ERR(gf_context_call_kernel(ctx, ak.k2, "a_name_that_is_much_longer_than_sixty_three_characters_for_sure_yes",
                                     16, io, 2, E), GF_ERR_INVALID, "longer than");
    /* transposed views: readable on the host, rejected by kernels */
    gf_handle at;
    const uint32_t ax[2] = { 1, 0 };
    CHECK(gf_context_transpose(ctx, a, ax, &at, &err) == GF_OK);
    gf_m31 tr[32];
    CHECK(gf_context_copy_to_host(ctx, at, tr, 32, &err) == GF_OK);
    for (int i = 0; i < 2; i++)
        for (int j = 0; j < 16; j++) CHECK_EQ_U64(tr[i * 16 + j], in[j * 2 + i]);
    gf_handle att;
    CHECK(gf_context_transpose(ctx, at, ax, &att, &err) == GF_OK);   /* transposed twice = identity */
    CHECK(gf_context_copy_to_host(ctx, att, tr, 32, &err) == GF_OK && !memcmp(tr, in, sizeof in));
    io[0] = at; io[1] = 0;
    CHECK_ERR(gf_context_call_kernel(ctx, ak.k16, "add_16", 2, io, 2, E), GF_ERR_INVALID, "transposed", "handle");
    gf_handle tmp_h;
    CHECK_ERR(gf_context_reshape(ctx, at, 1, &d32, &tmp_h, E), GF_ERR_INVALID, "transposed");
    /* every io broadcast */
    gf_handle x, x1;
    CHECK(gf_context_copy_to_device(ctx, in, 1, &d2, &x, &err) == GF_OK);
    gf_handle io1[1] = { x };
    CHECK_ERR(gf_context_call_kernel(ctx, aeq, "assert_eq", 1, io1, 1, E), GF_ERR_INVALID, "every io is broadcast");
    CHECK(gf_context_reshape(ctx, x, 2, d1x2, &x1, &err) == GF_OK);
    io1[0] = x1;
    CHECK_MSG(gf_context_call_kernel(ctx, aeq, "assert_eq", 1, io1, 1, &err) == GF_OK, "%s", err.msg);
    CHECK(io1[0] == x1);   /* input slots are left unchanged */
    /* a hint failure names the smallest failing instance, whatever the thread count */
    gf_m31 num[8], den[8];
    for (int i = 0; i < 8; i++) { num[i] = (gf_m31)i + 1; den[i] = (i == 3 || i == 6) ? 0 : 2; }
    const uint64_t d8x1[2] = { 8, 1 };
    gf_handle hn, hd;
    CHECK(gf_context_copy_to_device(ctx, num, 2, d8x1, &hn, &err) == GF_OK);
    CHECK(gf_context_copy_to_device(ctx, den, 2, d8x1, &hd, &err) == GF_OK);
    uint32_t ndm = gf_context_n_device_memories(ctx), ncall = gf_context_n_calls(ctx);
    gf_handle io3[3] = { hn, hd, 0 };
    CHECK_ERR(gf_context_call_kernel(ctx, dv, "div", 8, io3, 3, E), GF_ERR_WITNESS, "call #1", "'div'", "instance 3",
              "division by zero");
    CHECK(io3[2] == 0);
    CHECK(gf_context_n_device_memories(ctx) == ndm && gf_context_n_calls(ctx) == ncall);   /* nothing changed */
    /* non-canonical data */
    gf_m31 badv[2] = { 1, GF_M31_P };
    CHECK_ERR(gf_context_copy_to_device(ctx, badv, 1, &d2, &tmp_h, E), GF_ERR_INVALID, "index 1", "canonical");

    /* state machine */
    gf_context *c2 = ctx_new(NULL);
    gf_graph *g = NULL;
    gf_graph_witness *w = NULL;
    CHECK_ERR(gf_context_compile_graph(c2, &g, E), GF_ERR_INVALID, "no kernel call");
    CHECK_ERR(gf_context_solve_witness(c2, E), GF_ERR_INVALID, "compile or load");
    gf_context_free(c2);
    io[0] = a; io[1] = 0;
    CHECK(gf_context_call_kernel(ctx, ak.k2, "add_2", 16, io, 2, &err) == GF_OK);
    g = compile_ok(ctx);
    REQUIRE(g);
    CHECK_ERR(gf_context_call_kernel(ctx, ak.k2, "add_2", 16, io, 2, E), GF_ERR_INVALID, "already compiled");
    CHECK_ERR(gf_context_copy_to_device(ctx, in, 1, &d32, &tmp_h, E), GF_ERR_INVALID, "already compiled");
    gf_graph *g2 = NULL;
    CHECK_ERR(gf_context_compile_graph(ctx, &g2, E), GF_ERR_INVALID, "only once");
    CHECK_ERR(gf_context_load_graph(ctx, g, E), GF_ERR_INVALID, "only once");
    CHECK_ERR(gf_context_export_witness(ctx, g, &w, E), GF_ERR_INVALID, "solve_witness first");
    CHECK(gf_context_reshape(ctx, a, 1, &d32, &tmp_h, &err) == GF_OK);          /* views: any state */
    gf_m31 back[32];
    CHECK(gf_context_copy_to_host(ctx, tmp_h, back, 32, &err) == GF_OK && !memcmp(back, in, sizeof in));
    CHECK(gf_context_solve_witness(ctx, &err) == GF_OK);
    CHECK_ERR(gf_context_solve_witness(ctx, E), GF_ERR_INVALID, "already solved");
    CHECK_MSG(gf_context_export_witness(ctx, g, &w, &err) == GF_OK, "%s", err.msg);
    /* assert_eq ran on x = (1, 2): accepted at call time (zkCUDA semantics), caught by the circuit */
    uint32_t bt = 9;
    uint64_t bp = 9;
    CHECK_EQ_U64(instances_failing(g, w, rng, &bt, &bp), 1);
    CHECK(bt == 0 && bp == 0);
    /* the graph holds: a(32) x(2) num(8) den(8) out-of-add_2(16); assert_eq: x1 partitioned */
    CHECK(g->n_templates == 2 && g->templates[0].parallel_count == 1 && g->templates[1].parallel_count == 16);
    gf_graph_witness_free(w);
    gf_graph_free(g);
    gf_context_free(ctx);
    gf_kernel_free(aeq);
    gf_kernel_free(dv);
    add_kernels_free(&ak);
}

/* ---- shapes ----------------------------------------------------------------------------------- */

static void test_illegal_shapes(gf_rng *rng) {
    gf_error err;
    gf_m31 in[64];
    for (int i = 0; i < 64; i++) in[i] = (gf_m31)i + 1;
    {
        gf_context *ctx = ctx_new(NULL);
        const uint64_t d16x2[2] = { 16, 2 }, d5x6[2] = { 5, 6 }, d0[2] = { 0, 32 };
        gf_handle a, r;
        CHECK(gf_context_copy_to_device(ctx, in, 2, d16x2, &a, &err) == GF_OK);
        CHECK_ERR(gf_context_reshape(ctx, a, 2, d5x6, &r, E), GF_ERR_INVALID, "illegal shape operation", "handle 1", "[16,2]",
                  "[5,6]");
        CHECK_ERR(gf_context_reshape(ctx, a, 2, d0, &r, E), GF_ERR_INVALID, "illegal shape operation");
        CHECK_ERR(gf_context_reshape(ctx, 77, 2, d16x2, &r, E), GF_ERR_INVALID, "handle 77");
        gf_context_free(ctx);
    }
    /* 15 elements seen as [3,5] and [5,3] by two calls (zkCUDA's context_shape_test_2) */
    {
        gf_kernel *s5 = kernel_sum2(5, 0), *s3 = kernel_sum2(3, 0);
        gf_context *ctx = ctx_new(NULL);
        const uint64_t d15 = 15, d3x5[2] = { 3, 5 }, d5x3[2] = { 5, 3 };
        gf_handle x, v, io[2];
        CHECK(gf_context_copy_to_device(ctx, in, 1, &d15, &x, &err) == GF_OK);
        CHECK(gf_context_reshape(ctx, x, 2, d3x5, &v, &err) == GF_OK);
        io[0] = v; io[1] = 0;
        CHECK_MSG(gf_context_call_kernel(ctx, s5, "sum5", 3, io, 2, &err) == GF_OK, "%s", err.msg);
        CHECK(gf_context_reshape(ctx, x, 2, d5x3, &v, &err) == GF_OK);
        io[0] = v; io[1] = 0;
        CHECK_ERR(gf_context_call_kernel(ctx, s3, "sum3", 5, io, 2, E), GF_ERR_INVALID, "illegal shape operation", "call #1",
                  "handle 4", "[5,3]", "device memory 0");
        gf_context_free(ctx);
        gf_kernel_free(s5);
        gf_kernel_free(s3);
    }
    /* a second view that splits a kernel dimension where the inner part is not a power of two
     * ([15] vs [5][3]) would move the kernel's padded positions: rejected at compile time */
    {
        gf_kernel *s15 = kernel_sum2(15, 0), *s53 = kernel_sum2(5, 3);
        gf_context *ctx = ctx_new(NULL);
        const uint64_t d2x15[2] = { 2, 15 }, d2x5x3[3] = { 2, 5, 3 };
        gf_handle x, v, io[2];
        CHECK(gf_context_copy_to_device(ctx, in, 2, d2x15, &x, &err) == GF_OK);
        io[0] = x; io[1] = 0;
        CHECK(gf_context_call_kernel(ctx, s15, "sum15", 2, io, 2, &err) == GF_OK);
        CHECK(gf_context_reshape(ctx, x, 3, d2x5x3, &v, &err) == GF_OK);
        io[0] = v; io[1] = 0;
        CHECK_MSG(gf_context_call_kernel(ctx, s53, "sum5x3", 2, io, 2, &err) == GF_OK, "%s", err.msg);
        gf_graph *g = NULL;
        CHECK_ERR(gf_context_compile_graph(ctx, &g, E), GF_ERR_INVALID, "illegal shape operation", "call #0", "'sum15'",
                  "[15]", "[2,5,3]");
        CHECK(gf_context_state(ctx) == GF_CTX_RECORDING);
        gf_context_free(ctx);
        gf_kernel_free(s15);
        gf_kernel_free(s53);
    }
    /* ... but a power-of-two inner part is fine: [16] and [4][4] share the padded layout */
    {
        gf_kernel *s16 = kernel_sum2(16, 0), *s44 = kernel_sum2(4, 4);
        gf_context *ctx = ctx_new(g_pool);
        const uint64_t d2x16[2] = { 2, 16 }, d2x4x4[3] = { 2, 4, 4 };
        gf_handle x, v, io[2];
        CHECK(gf_context_copy_to_device(ctx, in, 2, d2x16, &x, &err) == GF_OK);
        io[0] = x; io[1] = 0;
        CHECK(gf_context_call_kernel(ctx, s16, "sum16", 2, io, 2, &err) == GF_OK);
        CHECK(gf_context_reshape(ctx, x, 3, d2x4x4, &v, &err) == GF_OK);
        io[0] = v; io[1] = 0;
        CHECK(gf_context_call_kernel(ctx, s44, "sum4x4", 2, io, 2, &err) == GF_OK);
        gf_graph *g = compile_ok(ctx);
        REQUIRE(g);
        gf_graph_witness *w = witness_ok(ctx, g);
        REQUIRE(w);
        CHECK_EQ_U64(instances_failing(g, w, rng, NULL, NULL), 0);
        gf_graph_witness_free(w);
        gf_graph_free(g);
        gf_context_free(ctx);
        gf_kernel_free(s16);
        gf_kernel_free(s44);
    }
    /* a padded kernel dimension: [3][5] per instance pads to [4][8] in the DM and the kernel */
    {
        gf_kernel *s35 = kernel_sum2(3, 5);
        gf_context *ctx = ctx_new(NULL);
        const uint64_t d3x3x5[3] = { 3, 3, 5 };
        gf_handle x, io[2];
        CHECK(gf_context_copy_to_device(ctx, in, 3, d3x3x5, &x, &err) == GF_OK);
        io[0] = x; io[1] = 0;
        CHECK(gf_context_call_kernel(ctx, s35, "sum3x5", 3, io, 2, &err) == GF_OK);
        gf_graph *g = compile_ok(ctx);
        REQUIRE(g);
        CHECK(g->templates[0].parallel_count == 4 && g->commit_len[0] == 4 * 32 && g->commit_len[1] == 4);
        gf_graph_witness *w = witness_ok(ctx, g);
        REQUIRE(w);
        /* instance 1, element (2,4) = in[15 + 14]; padded at slot 1, position 2*8+4; replicas */
        CHECK_EQ_U64(w->vec[0][32 + 20], in[29]);
        CHECK_EQ_U64(w->vec[0][32 + 21], in[29]);        /* column padding replicates the last column */
        CHECK_EQ_U64(w->vec[0][32 + 24 + 1], in[15 + 11]); /* row 3 replicates row 2 */
        CHECK(!memcmp(w->vec[0] + 3 * 32, w->vec[0] + 2 * 32, 32 * 4));   /* slot 3 = instance 2 */
        CHECK_EQ_U64(instances_failing(g, w, rng, NULL, NULL), 0);
        gf_graph_witness_free(w);
        gf_graph_free(g);
        gf_context_free(ctx);
        gf_kernel_free(s35);
    }
}

/* ---- padding of instance counts ----------------------------------------------------------------- */

static void test_padding_nonpow2(gf_rng *rng) {
    gf_error err;
    /* 6 instances of a kernel with hints (divisions): padded to 8 by replicating instance 5 */
    {
        gf_kernel *dv = kernel_div(3);
        REQUIRE(dv && dv->n_hints == 3);
        gf_context *ctx = ctx_new(g_pool);
        gf_m31 x[18], y[18];
        for (int i = 0; i < 18; i++) { x[i] = gf_m31_random(rng); y[i] = 1 + (gf_m31)gf_rng_below(rng, GF_M31_P - 1); }
        const uint64_t d6x3[2] = { 6, 3 };
        gf_handle io[3];
        CHECK(gf_context_copy_to_device(ctx, x, 2, d6x3, &io[0], &err) == GF_OK);
        CHECK(gf_context_copy_to_device(ctx, y, 2, d6x3, &io[1], &err) == GF_OK);
        io[2] = 0;
        CHECK_MSG(gf_context_call_kernel(ctx, dv, "div3", 6, io, 3, &err) == GF_OK, "%s", err.msg);
        gf_m31 q[18];
        CHECK(gf_context_copy_to_host(ctx, io[2], q, 18, &err) == GF_OK);
        for (int i = 0; i < 18; i++) CHECK(gf_m31_mul(q[i], y[i]) == x[i]);
        gf_graph *g = compile_ok(ctx);
        REQUIRE(g);
        REQUIRE(g->n_templates == 1 && g->n_commitments == 4);
        const gf_graph_template *t = &g->templates[0];
        CHECK(t->parallel_count == 8 && t->n_instances == 6);
        CHECK(t->commit[0] == 0 && t->commit[1] == 1 && t->commit[2] == 2 && t->commit[3] == 3);
        for (int i = 0; i < 4; i++) CHECK_EQ_U64(g->commit_len[i], 32);
        gf_graph_witness *w = witness_ok(ctx, g);
        REQUIRE(w);
        for (int c = 0; c < 4; c++) {
            for (int s = 6; s < 8; s++) CHECK(!memcmp(w->vec[c] + s * 4, w->vec[c] + 5 * 4, 16));
            for (int s = 0; s < 8; s++) CHECK(w->vec[c][s * 4 + 3] == w->vec[c][s * 4 + 2]);
        }
        for (int i = 0; i < 3; i++) CHECK(w->vec[3][4 + i] == q[3 + i]);   /* hints = quotients here */
        CHECK_EQ_U64(instances_failing(g, w, rng, NULL, NULL), 0);
        /* the padding instances are really checked */
        uint32_t bt;
        uint64_t bp;
        w->vec[3][7 * 4 + 1] = gf_m31_add(w->vec[3][7 * 4 + 1], 1);
        CHECK_EQ_U64(instances_failing(g, w, rng, &bt, &bp), 1);
        CHECK(bp == 7);
        /* replay with new data: the loaded graph's witness holds on all 8 slots */
        gf_context *c2 = ctx_new(NULL);
        for (int i = 0; i < 18; i++) { x[i] = gf_m31_random(rng); y[i] = 1 + (gf_m31)gf_rng_below(rng, GF_M31_P - 1); }
        gf_handle io2[3];
        CHECK(gf_context_copy_to_device(c2, x, 2, d6x3, &io2[0], &err) == GF_OK);
        CHECK(gf_context_copy_to_device(c2, y, 2, d6x3, &io2[1], &err) == GF_OK);
        io2[2] = 0;
        CHECK(gf_context_call_kernel(c2, dv, "div3", 6, io2, 3, &err) == GF_OK);
        CHECK_MSG(gf_context_load_graph(c2, g, &err) == GF_OK, "%s", err.msg);
        gf_graph_witness *w2 = witness_ok(c2, g);
        REQUIRE(w2);
        CHECK(memcmp(w2->vec[3], w->vec[3], 32 * 4) != 0);
        CHECK_EQ_U64(instances_failing(g, w2, rng, NULL, NULL), 0);
        gf_graph_witness_free(w2);
        gf_context_free(c2);
        gf_graph_witness_free(w);
        gf_graph_free(g);
        gf_context_free(ctx);
        gf_kernel_free(dv);
    }
    /* instance dimension seen as 6 and as [2][3] (x is [6][4] for one call and [2][12] for
     * another): propagation splits every io of the first call alike, P = 2 * 4 = 8 and slot
     * (i, j) holds instance 3i + min(j, 2); the hint vector follows the same slots */
    {
        gf_kernel *inv4 = kernel_inv_sum(4), *s12 = kernel_sum2(12, 0);
        gf_context *ctx = ctx_new(g_pool);
        gf_m31 x[24];
        for (int i = 0; i < 24; i++) x[i] = 1 + (gf_m31)gf_rng_below(rng, GF_M31_P - 1);
        const uint64_t d6x4[2] = { 6, 4 }, d2x12[2] = { 2, 12 };
        gf_handle hx, hx2, io[2];
        CHECK(gf_context_copy_to_device(ctx, x, 2, d6x4, &hx, &err) == GF_OK);
        io[0] = hx; io[1] = 0;
        CHECK_MSG(gf_context_call_kernel(ctx, inv4, "inv_sum4", 6, io, 2, &err) == GF_OK, "%s", err.msg);
        gf_handle hy = io[1];
        CHECK(gf_context_reshape(ctx, hx, 2, d2x12, &hx2, &err) == GF_OK);
        io[0] = hx2; io[1] = 0;
        CHECK_MSG(gf_context_call_kernel(ctx, s12, "sum12", 2, io, 2, &err) == GF_OK, "%s", err.msg);
        gf_m31 y[6];
        CHECK(gf_context_copy_to_host(ctx, hy, y, 6, &err) == GF_OK);
        gf_graph *g = compile_ok(ctx);
        REQUIRE(g);
        REQUIRE(g->n_templates == 2 && g->n_commitments == 4);   /* x, y, z, hints of call 0 */
        CHECK(g->templates[0].parallel_count == 8 && g->templates[1].parallel_count == 2);
        CHECK(g->commit_len[0] == 32 && g->commit_len[1] == 8 && g->commit_len[2] == 2 && g->commit_len[3] == 32);
        gf_graph_witness *w = witness_ok(ctx, g);
        REQUIRE(w);
        static const int inst_of_slot[8] = { 0, 1, 2, 2, 3, 4, 5, 5 };
        for (int s = 0; s < 8; s++) {
            CHECK(w->vec[1][s] == y[inst_of_slot[s]]);
            CHECK(!memcmp(w->vec[0] + 4 * s, x + 4 * inst_of_slot[s], 16));
            CHECK(gf_m31_mul(w->vec[3][4 * s], x[4 * inst_of_slot[s]]) == 1);
        }
        CHECK_EQ_U64(instances_failing(g, w, rng, NULL, NULL), 0);
        gf_graph_witness_free(w);
        gf_graph_free(g);
        gf_context_free(ctx);
        gf_kernel_free(inv4);
        gf_kernel_free(s12);
    }
}

/* ---- input-output ios and incompatible instance factorisations ---------------------------------- */

/* inout x[2]: x[i] := x[i] * (i + 2) */
static gf_kernel *kernel_scale_inout(void) {
    gf_error err;
    gf_kernel_builder *kb = gf_kb_new(GF_FIELD_M31, &err);
    uint64_t two = 2;
    int x = gf_kb_inout(kb, "x", 1, &two);
    for (uint64_t i = 0; i < 2; i++) gf_kb_set(kb, x, i, gf_kb_mul_const(kb, gf_kb_in(kb, x, i), i + 2));
    gf_kernel *k = NULL;
    CHECK_MSG(gf_kernel_compile(kb, &k, &err) == GF_OK, "%s", err.msg);
    gf_kb_free(kb);
    return k;
}

static void test_inout_and_factorisation(gf_rng *rng) {
    gf_error err;
    gf_m31 in[48];
    for (int i = 0; i < 48; i++) in[i] = (gf_m31)i + 1;
    {
        gf_kernel *sc = kernel_scale_inout();
        REQUIRE(sc && sc->n_components == 2);
        gf_context *ctx = ctx_new(g_pool);
        const uint64_t d4x2[2] = { 4, 2 }, d2 = 2;
        gf_handle x, c, io[1];
        CHECK(gf_context_copy_to_device(ctx, in, 2, d4x2, &x, &err) == GF_OK);
        CHECK(gf_context_copy_to_device(ctx, in + 8, 1, &d2, &c, &err) == GF_OK);
        io[0] = x;
        CHECK_MSG(gf_context_call_kernel(ctx, sc, "scale", 4, io, 1, &err) == GF_OK, "%s", err.msg);
        CHECK(io[0] != x && gf_context_device_memory(ctx, io[0]) == 2);   /* a new DM, input untouched */
        gf_m31 out[8], orig[8];
        CHECK(gf_context_copy_to_host(ctx, io[0], out, 8, &err) == GF_OK);
        CHECK(gf_context_copy_to_host(ctx, x, orig, 8, &err) == GF_OK && !memcmp(orig, in, 32));
        for (int i = 0; i < 8; i++) CHECK_EQ_U64(out[i], in[i] * (gf_m31)(i % 2 + 2));
        io[0] = c;   /* broadcast input, partitioned output [3,2] */
        CHECK_MSG(gf_context_call_kernel(ctx, sc, "scale", 3, io, 1, &err) == GF_OK, "%s", err.msg);
        uint32_t nd;
        uint64_t dims[GF_CONTEXT_MAX_DIMS];
        CHECK(gf_context_shape(ctx, io[0], &nd, dims, &err) == GF_OK && nd == 2 && dims[0] == 3 && dims[1] == 2);
        gf_graph *g = compile_ok(ctx);
        REQUIRE(g && g->n_templates == 2 && g->n_kernels == 1);
        CHECK(g->templates[0].commit[0] == 0 && g->templates[0].commit[1] == 2 && !g->templates[0].broadcast[0]);
        CHECK(g->templates[1].commit[0] == 1 && g->templates[1].commit[1] == 3 && g->templates[1].broadcast[0]);
        CHECK(!g->templates[1].broadcast[1] && g->templates[1].parallel_count == 4 && g->commit_len[3] == 8);
        gf_graph_witness *w = witness_ok(ctx, g);
        REQUIRE(w);
        CHECK_EQ_U64(instances_failing(g, w, rng, NULL, NULL), 0);
        gf_graph_witness_free(w);
        gf_graph_free(g);
        gf_context_free(ctx);
        gf_kernel_free(sc);
    }
    /* x seen as [2][12] and y as [3][8]: a call reading both as [6][4] cannot line its
     * instances up (2 and 3 do not divide each other) */
    {
        gf_kernel *dv = kernel_div(4), *s12 = kernel_sum2(12, 0), *s8 = kernel_sum2(8, 0);
        gf_context *ctx = ctx_new(NULL);
        const uint64_t d6x4[2] = { 6, 4 }, d2x12[2] = { 2, 12 }, d3x8[2] = { 3, 8 };
        gf_handle x, y, v, io[3];
        CHECK(gf_context_copy_to_device(ctx, in, 2, d6x4, &x, &err) == GF_OK);
        CHECK(gf_context_copy_to_device(ctx, in + 24, 2, d6x4, &y, &err) == GF_OK);
        CHECK(gf_context_reshape(ctx, x, 2, d2x12, &v, &err) == GF_OK);
        io[0] = v; io[1] = 0;
        CHECK(gf_context_call_kernel(ctx, s12, "sum12", 2, io, 2, &err) == GF_OK);
        CHECK(gf_context_reshape(ctx, y, 2, d3x8, &v, &err) == GF_OK);
        io[0] = v; io[1] = 0;
        CHECK(gf_context_call_kernel(ctx, s8, "sum8", 3, io, 2, &err) == GF_OK);
        io[0] = x; io[1] = y; io[2] = 0;
        CHECK_MSG(gf_context_call_kernel(ctx, dv, "div4", 6, io, 3, &err) == GF_OK, "%s", err.msg);
        gf_graph *g = NULL;
        CHECK_ERR(gf_context_compile_graph(ctx, &g, E), GF_ERR_INVALID, "illegal shape operation", "call #2", "'div4'",
                  "input 'y'", "6 instances");
        gf_context_free(ctx);
        gf_kernel_free(dv);
        gf_kernel_free(s12);
        gf_kernel_free(s8);
    }
}

/* ---- files ---------------------------------------------------------------------------------- */

static void test_graph_io(gf_rng *rng) {
    (void)rng;
    gf_error err;
    add_kernels ak = add_kernels_new();
    gf_m31 sum;
    gf_context *ctx = run_add(&ak, 1, &sum);
    gf_graph *g = compile_ok(ctx);
    REQUIRE(g);
    gf_graph_witness *w = witness_ok(ctx, g);
    REQUIRE(w);
    const char *gp = tmp("io.graph"), *wp = tmp("io.wit"), *cp = tmp("io.cut");
    CHECK(gf_graph_save(g, gp, &err) == GF_OK);
    CHECK(gf_graph_witness_save(w, wp, &err) == GF_OK);
    size_t n = 0, wn = 0;
    uint8_t *bytes = slurp(gp, &n), *wbytes = slurp(wp, &wn);
    REQUIRE(bytes && wbytes && n > 100);
    /* stream write = file bytes; digest = SHA-256 of them */
    {
        char *mb = NULL;
        size_t ml = 0;
        FILE *f = open_memstream(&mb, &ml);
        CHECK(gf_graph_write(g, f, &err) == GF_OK);
        fclose(f);
        CHECK(ml == n && !memcmp(mb, bytes, n));
        free(mb);
        uint8_t d1[32], d2[32];
        CHECK(gf_graph_digest(g, d1, &err) == GF_OK);
        CHECK(gf_sha256(d2, bytes, n, &err) == GF_OK && !memcmp(d1, d2, 32));
    }
    /* every truncation fails, as a file and as a stream of unknown size */
    int all_rejected = 1;
    for (size_t cut = 0; cut < n; cut++) {
        spit(cp, bytes, cut);
        gf_graph *h = NULL;
        gf_status st = gf_graph_load(&h, cp, &err);
        if (st != GF_ERR_FORMAT || h) { all_rejected = 0; fprintf(stderr, "cut %zu: %s\n", cut, gf_status_name(st)); }
        gf_graph_free(h);
        FILE *f = fmemopen(bytes, cut ? cut : 1, "rb");
        if (!cut) fgetc(f);
        st = gf_graph_read(&h, f, "stream", &err);
        fclose(f);
        if (st != GF_ERR_FORMAT || h) { all_rejected = 0; fprintf(stderr, "stream cut %zu: %s\n", cut, gf_status_name(st)); }
        gf_graph_free(h);
    }
    CHECK(all_rejected);
    /* trailing byte, bad magic, version, field, corruptions */
    {
        uint8_t *b = malloc(n + 1);
        memcpy(b, bytes, n);
        b[n] = 0;
        spit(cp, b, n + 1);
        gf_graph *h = NULL;
        CHECK_ERR(gf_graph_load(&h, cp, E), GF_ERR_FORMAT, "trailing", "io.cut");
        b[0] = 'X';
        spit(cp, b, n);
        CHECK_ERR(gf_graph_load(&h, cp, E), GF_ERR_FORMAT, "bad magic", "offset 0");
        CHECK_ERR(gf_graph_load(&h, NULL, E), GF_ERR_INVALID, "gf_graph_load: NULL path");
        CHECK_ERR(gf_graph_load(&h, "/nonexistent-dir/x.graph", E), GF_ERR_IO, "/nonexistent-dir/x.graph: cannot open");
        CHECK_ERR(gf_graph_save(g, "/nonexistent-dir/x.graph", E), GF_ERR_IO, "/nonexistent-dir/x.graph: cannot create");
        memcpy(b, bytes, n);
        b[8] = 2;
        spit(cp, b, n);
        CHECK_ERR(gf_graph_load(&h, cp, E), GF_ERR_FORMAT, "version 2", "offset 8");
        memcpy(b, bytes, n);
        b[12] = 2;
        spit(cp, b, n);
        CHECK_ERR(gf_graph_load(&h, cp, E), GF_ERR_FORMAT, "field id 2", "offset 12");
        /* layout: magic 8, version 4, field 4, n_kernels 4, kernel 0 at offset 20:
         * name len 4 + "add_2" 5, n_comp 4, 2 x 16, circuit length 8 then the circuit */
        memcpy(b, bytes, n);
        CHECK(gf_get_u32le(b + 20) == 5 && !memcmp(b + 24, "add_2", 5));
        b[20 + 4 + 5 + 4 + 16] = 3;   /* component 1 length 1 -> 3 */
        spit(cp, b, n);
        CHECK_ERR(gf_graph_load(&h, cp, E), GF_ERR_FORMAT, "offset 49", "component 1", "length 3");
        memcpy(b, bytes, n);
        b[20 + 4 + 5 + 4 + 32 + 8 + 8] = 9;   /* circuit version */
        spit(cp, b, n);
        CHECK_ERR(gf_graph_load(&h, cp, E), GF_ERR_FORMAT, "kernel 0 circuit", "version 9");
        /* the tail: ... n_templates(4) t0 [kernel 4, P 8, n 8, 2 x 5] t1 [4, 8, 8, 2 x 5] */
        size_t t1 = n - (4 + 8 + 8 + 10);
        memcpy(b, bytes, n);
        CHECK(gf_get_u32le(b + t1) == 1);
        b[t1] = 7;
        spit(cp, b, n);
        char want[64];
        snprintf(want, sizeof want, "offset %zu", t1);
        CHECK_ERR(gf_graph_load(&h, cp, E), GF_ERR_FORMAT, want, "kernel index 7");
        memcpy(b, bytes, n);
        b[t1 + 4] = 3;   /* parallel count 1 -> 3 */
        spit(cp, b, n);
        CHECK_ERR(gf_graph_load(&h, cp, E), GF_ERR_FORMAT, "parallel count 3");
        memcpy(b, bytes, n);
        b[t1 - 30 + 20 + 4] = 1;   /* input of add_2 broadcast: its commitment has the wrong length */
        spit(cp, b, n);
        CHECK_ERR(gf_graph_load(&h, cp, E), GF_ERR_FORMAT, "template 0", "broadcast", "expected 2");
        memcpy(b, bytes, n);
        b[t1 + 20 + 4] = 2;
        spit(cp, b, n);
        CHECK_ERR(gf_graph_load(&h, cp, E), GF_ERR_FORMAT, "broadcast byte 2");
        memcpy(b, bytes, n);
        b[t1 + 20] = 9;   /* commitment index out of range */
        spit(cp, b, n);
        CHECK_ERR(gf_graph_load(&h, cp, E), GF_ERR_FORMAT, "commitment 9 out of range");
        free(b);
    }
    /* witness files */
    {
        gf_graph_witness *w2 = NULL;
        CHECK_MSG(gf_graph_witness_load(&w2, wp, &err) == GF_OK, "%s", err.msg);
        REQUIRE(w2);
        CHECK(gf_graph_witness_check(w2, g, &err) == GF_OK);
        gf_graph_witness_free(w2);
        CHECK(wn == 8 + 4 + 32 + 4 + 3 * 8 + (32 + 16 + 1) * 4);
        int ok = 1;
        for (size_t cut = 0; cut < wn; cut++) {
            spit(cp, wbytes, cut);
            gf_graph_witness *h = NULL;
            if (gf_graph_witness_load(&h, cp, &err) != GF_ERR_FORMAT || h) { ok = 0; fprintf(stderr, "witness cut %zu\n", cut); }
            gf_graph_witness_free(h);
        }
        CHECK(ok);
        uint8_t *b = malloc(wn + 1);
        memcpy(b, wbytes, wn);
        b[wn] = 1;
        spit(cp, b, wn + 1);
        gf_graph_witness *h = NULL;
        CHECK_ERR(gf_graph_witness_load(&h, cp, E), GF_ERR_FORMAT, "trailing");
        gf_put_u32le(b + 8 + 4 + 32 + 4 + 8 + 4 * 5, GF_M31_P);   /* vector 0 value 5 */
        spit(cp, b, wn);
        CHECK_ERR(gf_graph_witness_load(&h, cp, E), GF_ERR_FORMAT, "vector 0 value 5", "canonical");
        memcpy(b, wbytes, wn);
        b[8 + 4 + 32 + 4] = 33;   /* vector 0 length 32 -> 33 */
        spit(cp, b, wn);
        CHECK_ERR(gf_graph_witness_load(&h, cp, E), GF_ERR_FORMAT, "length 33");
        memcpy(b, wbytes, wn);
        b[0] = 'g';
        spit(cp, b, wn);
        CHECK_ERR(gf_graph_witness_load(&h, cp, E), GF_ERR_FORMAT, "bad magic");
        free(b);
    }
    /* a witness for another graph (same lengths, another kernel) is rejected */
    {
        gf_kernel *dbl = kernel_sum(16, 2);
        gf_context *c2 = ctx_new(NULL);
        gf_m31 s2;
        CHECK(gf_example_run_add(c2, ak.k2, dbl, (const gf_m31[32]){ 1 }, &s2, &err) == GF_OK);
        gf_graph *g2 = compile_ok(c2);
        REQUIRE(g2);
        CHECK_ERR(gf_graph_witness_check(w, g2, E), GF_ERR_INVALID, "another graph");
        gf_graph_witness *w2 = NULL;
        CHECK(gf_context_solve_witness(c2, &err) == GF_OK);
        CHECK_ERR(gf_context_export_witness(c2, g, &w2, E), GF_ERR_INVALID, "call #1", "differs");
        CHECK(!w2);
        /* count and length mismatches */
        gf_graph_witness *w3 = NULL;
        CHECK(gf_graph_witness_new(&w3, g2, &err) == GF_OK);
        CHECK(gf_graph_witness_check(w3, g2, &err) == GF_OK);
        w3->len[1] = 8;
        CHECK_ERR(gf_graph_witness_check(w3, g2, E), GF_ERR_INVALID, "vector 1 has length 8");
        w3->len[1] = 16;
        w3->n = 2;
        CHECK_ERR(gf_graph_witness_check(w3, g2, E), GF_ERR_INVALID, "2 vectors", "3 commitments");
        w3->n = 3;
        gf_graph_witness_free(w3);
        gf_graph_free(g2);
        gf_context_free(c2);
        gf_kernel_free(dbl);
    }
    /* validation of hand-broken graphs */
    {
        gf_graph *h = NULL;
        CHECK(gf_graph_load(&h, gp, &err) == GF_OK);
        REQUIRE(h);
        h->templates[1].broadcast[0] = 1;
        h->templates[1].broadcast[1] = 1;
        h->commit_len[2] = 1;
        CHECK_ERR(gf_graph_validate(h, E), GF_ERR_INVALID, "template 1");
        h->templates[1].broadcast[0] = 0;
        h->templates[1].broadcast[1] = 0;
        CHECK(gf_graph_validate(h, &err) == GF_OK);
        h->kernels[0].comp_offset[1] = 0;   /* overlaps component 0 */
        CHECK_ERR(gf_graph_validate(h, E), GF_ERR_INVALID, "overlap");
        h->kernels[0].comp_offset[1] = 2;
        h->templates[0].parallel_count = 12;
        CHECK_ERR(gf_graph_validate(h, E), GF_ERR_INVALID, "parallel count 12");
        h->templates[0].parallel_count = 16;
        h->templates[0].n_instances = 0;   /* "not recorded" is allowed */
        CHECK(gf_graph_validate(h, &err) == GF_OK);
        gf_graph_free(h);
    }
    free(bytes);
    free(wbytes);
    gf_graph_witness_free(w);
    gf_graph_free(g);
    gf_context_free(ctx);
    add_kernels_free(&ak);
}

/* gf_alloc_aligned: 64-byte aligned and zeroed at every size; from 1 MiB on, aligned to 2 MiB
 * (huge pages) with every byte usable; the freed blocks leave nothing behind (ASan) */
static void test_alloc_aligned(gf_rng *rng) {
    (void)rng;
    const size_t sizes[] = {1, 63, 64, 1000, (256u << 10) - 64, 256u << 10, (1u << 20) - 64, 1u << 20, (3u << 19) + 5, (2u << 20) - 64, 2u << 20, (5u << 20) + 7};
    for (size_t i = 0; i < sizeof sizes / sizeof *sizes; i++) {
        uint8_t *p = gf_alloc_aligned(sizes[i], 1);
        REQUIRE(p != NULL);
        CHECK_EQ_U64((uintptr_t)p % 64, 0);
        if (sizes[i] >= (1u << 20)) CHECK_EQ_U64((uintptr_t)p % (2u << 20), 0);
        int zero = 1;
        for (size_t j = 0; j < sizes[i]; j += 4093) zero &= p[j] == 0;
        CHECK(zero && p[sizes[i] - 1] == 0);
        memset(p, 0xa5, sizes[i]);
        gf_free_aligned(p);
    }
    CHECK(gf_alloc_aligned(SIZE_MAX / 2, 4) == NULL);
    CHECK(gf_alloc_aligned(SIZE_MAX - 10, 1) == NULL);
}

int main(void) {
    TEST_BEGIN();
    snprintf(tmpdir, sizeof tmpdir, "/tmp/gkrflow_test_graph_XXXXXX");
    if (!mkdtemp(tmpdir)) { perror("mkdtemp"); return 1; }
    gf_error err;
    if (gf_pool_new(&g_pool, 2, &err) != GF_OK) { fprintf(stderr, "%s\n", err.msg); return 1; }
    RUN(test_alloc_aligned);
    RUN(test_add_example);
    RUN(test_reuse);
    RUN(test_replay_mismatch);
    RUN(test_matmul);
    RUN(test_call_errors);
    RUN(test_illegal_shapes);
    RUN(test_padding_nonpow2);
    RUN(test_inout_and_factorisation);
    RUN(test_graph_io);
    gf_pool_free(g_pool);
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
    if (system(cmd) != 0) fprintf(stderr, "could not remove %s\n", tmpdir);
    return TEST_END();
}
