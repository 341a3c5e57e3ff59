/* Layered circuits: evaluators (packed vs scalar vs a naive reference written here), the
 * GKRFCIRC / GKRFWITN file formats (hand-encoded golden bytes, round trips, every truncation,
 * header corruption, limits), validation errors and the extracted-gates importer on small
 * hand-written files (plain and xz). */
#define _GNU_SOURCE
#include "testutil.h"
#include "circuit/circuit.h"
#include "circuit/witness.h"
#include "common/util.h"
#include "hash/sha256.h"
#include <lzma.h>
#include <unistd.h>

#define P 0x7fffffffu

/* ---------- helpers ---------- */

static gf_circuit *rand_circuit(gf_rng *r, uint32_t depth, uint32_t maxlog, int with_random) {
    gf_circuit *c = gf_circuit_new(GF_FIELD_M31, depth, NULL);
    if (!c) return NULL;
    uint32_t logs[16];
    for (uint32_t i = 0; i <= depth; i++) logs[i] = (uint32_t)gf_rng_below(r, maxlog + 1);
    uint32_t n_rand = with_random ? 1 + (uint32_t)gf_rng_below(r, 3) : 0;
    uint32_t n_coefs = 6 + n_rand;
    gf_circuit_alloc_coefs(c, n_coefs, NULL);
    const uint32_t special[6] = { 0, 1, P - 1, 2, P - 2, 0 };
    for (uint32_t j = 0; j < 6; j++) c->coef_m31[j] = special[j];
    c->coef_m31[5] = gf_m31_random(r);
    for (uint32_t j = 6; j < n_coefs; j++) c->coef_kind[j] = GF_COEF_RANDOM;
    for (uint32_t i = 0; i < depth; i++) {
        uint64_t in_n = 1ull << logs[i], out_n = 1ull << logs[i + 1];
        uint64_t nm = gf_rng_below(r, 2 * out_n + 3), na = gf_rng_below(r, 2 * out_n + 3), nc = gf_rng_below(r, out_n + 2);
        gf_circuit_alloc_layer(c, i, logs[i], logs[i + 1], nm, na, nc, NULL);
        gf_layer *l = &c->layers[i];
        for (uint64_t g = 0; g < nm; g++) {
            l->mul[g].out = (uint32_t)gf_rng_below(r, out_n);
            l->mul[g].in0 = (uint32_t)gf_rng_below(r, in_n);
            l->mul[g].in1 = (uint32_t)gf_rng_below(r, in_n);
            l->mul[g].coef = (uint32_t)gf_rng_below(r, n_coefs);
        }
        for (uint64_t g = 0; g < na; g++) {
            l->add[g].out = (uint32_t)gf_rng_below(r, out_n);
            l->add[g].in = (uint32_t)gf_rng_below(r, in_n);
            l->add[g].coef = (uint32_t)gf_rng_below(r, n_coefs);
        }
        for (uint64_t g = 0; g < nc; g++) {
            l->cst[g].out = (uint32_t)gf_rng_below(r, out_n);
            l->cst[g].coef = (uint32_t)gf_rng_below(r, n_coefs);
        }
        /* force a duplicate output between kinds when possible */
        if (nm && na) l->add[0].out = l->mul[0].out;
    }
    return c;
}

/* Naive reference: all layer values of one instance, plain 64-bit arithmetic mod p. */
static uint32_t **naive_eval(const gf_circuit *c, const uint32_t *coefs, const uint32_t *input) {
    uint32_t **v = calloc(c->n_layers + 1, sizeof *v);
    uint64_t n0 = 1ull << c->layers[0].in_log;
    v[0] = malloc(n0 * 4);
    memcpy(v[0], input, n0 * 4);
    for (uint32_t i = 0; i < c->n_layers; i++) {
        const gf_layer *l = &c->layers[i];
        uint64_t on = 1ull << l->out_log;
        uint64_t *acc = calloc(on, 8);
        for (uint64_t g = 0; g < l->n_mul; g++) {
            uint64_t t = (uint64_t)v[i][l->mul[g].in0] * v[i][l->mul[g].in1] % P;
            acc[l->mul[g].out] = (acc[l->mul[g].out] + t * coefs[l->mul[g].coef]) % P;
        }
        for (uint64_t g = 0; g < l->n_add; g++)
            acc[l->add[g].out] = (acc[l->add[g].out] + (uint64_t)v[i][l->add[g].in] * coefs[l->add[g].coef]) % P;
        for (uint64_t g = 0; g < l->n_const; g++)
            acc[l->cst[g].out] = (acc[l->cst[g].out] + coefs[l->cst[g].coef]) % P;
        v[i + 1] = malloc(on * 4);
        for (uint64_t x = 0; x < on; x++) v[i + 1][x] = (uint32_t)acc[x];
        free(acc);
    }
    return v;
}

static void naive_free(const gf_circuit *c, uint32_t **v) {
    for (uint32_t i = 0; i <= c->n_layers; i++) free(v[i]);
    free(v);
}

static int circuits_equal(const gf_circuit *a, const gf_circuit *b) {
    if (a->field != b->field || a->n_layers != b->n_layers || a->n_coefs != b->n_coefs) return 0;
    for (uint32_t j = 0; j < a->n_coefs; j++) {
        if (a->coef_kind[j] != b->coef_kind[j]) return 0;
        if (a->field == GF_FIELD_M31 && a->coef_m31[j] != b->coef_m31[j]) return 0;
        if (a->field == GF_FIELD_BN254 && !gf_bn254fr_eq(&a->coef_fr[j], &b->coef_fr[j])) return 0;
    }
    for (uint32_t i = 0; i < a->n_layers; i++) {
        const gf_layer *x = &a->layers[i], *y = &b->layers[i];
        if (x->in_log != y->in_log || x->out_log != y->out_log || x->n_mul != y->n_mul || x->n_add != y->n_add ||
            x->n_const != y->n_const) return 0;
        if (x->n_mul && memcmp(x->mul, y->mul, x->n_mul * sizeof *x->mul)) return 0;
        if (x->n_add && memcmp(x->add, y->add, x->n_add * sizeof *x->add)) return 0;
        if (x->n_const && memcmp(x->cst, y->cst, x->n_const * sizeof *x->cst)) return 0;
    }
    return 1;
}

static char tmpdir[256];
static const char *tpath(const char *name) {
    static char buf[4][512];
    static int k = 0;
    k = (k + 1) & 3;
    snprintf(buf[k], sizeof buf[k], "%s/%s", tmpdir, name);
    return buf[k];
}

static int write_bytes(const char *path, const void *p, size_t n) {
    FILE *f = fopen(path, "wb");
    if (!f) return 0;
    int ok = fwrite(p, 1, n, f) == n;
    return fclose(f) == 0 && ok;
}

static uint8_t *read_bytes(const char *path, size_t *n) {
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    fseek(f, 0, SEEK_END);
    long sz = ftell(f);
    fseek(f, 0, SEEK_SET);
    uint8_t *p = malloc((size_t)sz + 1);
    *n = fread(p, 1, (size_t)sz, f);
    fclose(f);
    return p;
}

/* Loads a circuit from bytes two ways: a regular file (size known) and fmemopen (size
 * unknown, the streaming path). Returns the first non-OK status, or OK only if both accept. */
static gf_status load_circuit_bytes(const uint8_t *p, size_t n, gf_circuit **out, gf_error *err) {
    const char *path = tpath("bytes.gfc");
    *out = NULL;
    if (!write_bytes(path, p, n)) return GF_ERR_IO;
    gf_circuit *c1 = NULL, *c2 = NULL;
    gf_status s1 = gf_circuit_load(&c1, path, err);
    FILE *m = fmemopen((void *)p, n ? n : 1, "rb");
    gf_status s2;
    if (n == 0) { fclose(m); m = fopen("/dev/null", "rb"); }
    gf_error e2;
    s2 = gf_circuit_read(&c2, m, "mem", &e2);
    fclose(m);
    if ((s1 == GF_OK) != (s2 == GF_OK)) { gf_circuit_free(c1); gf_circuit_free(c2); return GF_ERR_INTERNAL; }
    gf_circuit_free(c2);
    *out = c1;
    return s1;
}

/* ---------- evaluation ---------- */

static void test_eval_random(gf_rng *r) {
    for (int trial = 0; trial < 24; trial++) {
        uint32_t depth = 1 + (uint32_t)(trial % 5);
        gf_circuit *c = rand_circuit(r, depth, trial < 4 ? 1 : 6, trial % 2);
        REQUIRE(c);
        gf_error err;
        CHECK_MSG(gf_circuit_validate(c, &err) == GF_OK, "%s", err.msg);
        uint32_t nr = gf_circuit_n_random(c);
        gf_m31 rnd[8], coefs[16];
        for (uint32_t j = 0; j < nr; j++) rnd[j] = gf_m31_random(r);
        REQUIRE(gf_circuit_coefs_fill_m31(c, nr ? rnd : NULL, coefs, &err) == GF_OK);
        uint32_t ri = 0;
        for (uint32_t j = 0; j < c->n_coefs; j++)
            CHECK(coefs[j] == (c->coef_kind[j] == GF_COEF_RANDOM ? rnd[ri++] : c->coef_m31[j]));
        uint64_t n_blocks = 1 + (uint64_t)(trial % 4);
        uint64_t in_n = gf_circuit_input_len(c), N = 16 * n_blocks;
        gf_m31 *inst = malloc(N * in_n * sizeof *inst);
        for (uint64_t k = 0; k < N * in_n; k++) {
            uint64_t t = gf_rng_below(r, 4);   /* mix edge values with random ones */
            inst[k] = t == 0 ? 0 : t == 1 ? P - 1 : gf_m31_random(r);
        }
        gf_m31x16 *packed = gf_alloc_aligned(n_blocks * in_n, sizeof *packed);
        for (uint64_t k = 0; k < N; k++)
            for (uint64_t x = 0; x < in_n; x++) packed[(k / 16) * in_n + x].v[k % 16] = inst[k * in_n + x];
        gf_m31x16 **vals = NULL;
        REQUIRE(gf_circuit_eval_m31x16(c, coefs, packed, n_blocks, &vals, &err) == GF_OK);
        gf_m31 *out = malloc(gf_circuit_output_len(c) * sizeof *out);
        int bad_layer = 0, bad_out = 0;
        for (uint64_t k = 0; k < N; k++) {
            uint32_t **ref = naive_eval(c, coefs, inst + k * in_n);
            for (uint32_t i = 0; i <= c->n_layers; i++) {
                uint32_t lg = i < c->n_layers ? c->layers[i].in_log : c->layers[i - 1].out_log;
                for (uint64_t x = 0; x < (1ull << lg); x++)
                    bad_layer += vals[i][(k / 16) * (1ull << lg) + x].v[k % 16] != ref[i][x];
            }
            REQUIRE(gf_circuit_eval_m31(c, coefs, inst + k * in_n, out, &err) == GF_OK);
            for (uint64_t x = 0; x < gf_circuit_output_len(c); x++) bad_out += out[x] != ref[c->n_layers][x];
            naive_free(c, ref);
        }
        CHECK_MSG(bad_layer == 0, "trial %d: %d packed values differ from the naive reference", trial, bad_layer);
        CHECK_MSG(bad_out == 0, "trial %d: %d scalar outputs differ from the naive reference", trial, bad_out);
        /* evaluating into reused buffers (dirty from a previous run) gives the same values */
        gf_m31x16 **v2 = NULL;
        REQUIRE(gf_circuit_vals_alloc(c, n_blocks, &v2, &err) == GF_OK);
        for (uint64_t x = 0; x < n_blocks * in_n; x++) v2[0][x] = gf_m31x16_broadcast(gf_m31_random(r));
        REQUIRE(gf_circuit_eval_m31x16_into(c, coefs, n_blocks, v2, &err) == GF_OK);
        memcpy(v2[0], packed, n_blocks * in_n * sizeof *packed);
        REQUIRE(gf_circuit_eval_m31x16_into(c, coefs, n_blocks, v2, &err) == GF_OK);
        for (uint32_t i = 0; i <= c->n_layers; i++) {
            uint32_t lg = i < c->n_layers ? c->layers[i].in_log : c->layers[i - 1].out_log;
            CHECK(memcmp(v2[i], vals[i], (n_blocks << lg) * sizeof(gf_m31x16)) == 0);
        }
        /* the plan path (first writers store, unwritten outputs zeroed) on dirty buffers too */
        gf_circuit_eval_plan *plan = NULL;
        REQUIRE(gf_circuit_eval_plan_new(&plan, c, &err) == GF_OK);
        for (uint32_t i = 1; i <= c->n_layers; i++) {
            uint32_t lg = c->layers[i - 1].out_log;
            for (uint64_t x = 0; x < (n_blocks << lg); x++) v2[i][x] = gf_m31x16_broadcast(gf_m31_random(r));
        }
        REQUIRE(gf_circuit_eval_m31x16_plan(c, plan, coefs, n_blocks, v2, &err) == GF_OK);
        for (uint32_t i = 0; i <= c->n_layers; i++) {
            uint32_t lg = i < c->n_layers ? c->layers[i].in_log : c->layers[i - 1].out_log;
            CHECK_MSG(memcmp(v2[i], vals[i], (n_blocks << lg) * sizeof(gf_m31x16)) == 0, "trial %d: plan evaluation differs at layer %u", trial, i);
        }
        CHECK(gf_circuit_eval_m31x16_plan(c, NULL, coefs, n_blocks, v2, &err) == GF_ERR_INVALID);
        gf_circuit_eval_plan_free(plan);
        gf_circuit_vals_free(c, v2);
        /* the witness packing helper produces the same layout */
        gf_witness *w = NULL;
        REQUIRE(gf_witness_new(&w, GF_FIELD_M31, N, in_n, NULL) == GF_OK);
        memcpy(w->m31, inst, N * in_n * sizeof *inst);
        gf_m31x16 *packed2 = gf_alloc_aligned(n_blocks * in_n, sizeof *packed2);
        REQUIRE(gf_witness_pack_m31x16(w, 0, n_blocks, packed2, &err) == GF_OK);
        CHECK(memcmp(packed, packed2, n_blocks * in_n * sizeof *packed) == 0);
        CHECK(gf_witness_check(w, c, &err) == GF_OK);
        gf_witness_free(w);
        gf_free_aligned(packed2);
        gf_circuit_vals_free(c, vals);
        free(out);
        gf_free_aligned(packed);
        free(inst);
        gf_circuit_free(c);
    }
}

/* A tiny circuit evaluated by hand: out = -x2*x1 - x0 + x3 (Expander's small example). */
static void test_eval_known(gf_rng *r) {
    (void)r;
    gf_circuit *c = gf_circuit_new(GF_FIELD_M31, 2, NULL);
    REQUIRE(c);
    gf_circuit_alloc_coefs(c, 3, NULL);
    c->coef_m31[0] = P - 1; c->coef_m31[1] = 1; c->coef_kind[2] = GF_COEF_RANDOM;
    gf_circuit_alloc_layer(c, 0, 2, 0, 1, 2, 0, NULL);
    c->layers[0].mul[0] = (gf_gate_mul){ .out = 0, .in0 = 2, .in1 = 1, .coef = 0 };
    c->layers[0].add[0] = (gf_gate_add){ .out = 0, .in = 0, .coef = 0 };
    c->layers[0].add[1] = (gf_gate_add){ .out = 0, .in = 3, .coef = 1 };
    gf_circuit_alloc_layer(c, 1, 0, 1, 0, 1, 1, NULL);
    c->layers[1].add[0] = (gf_gate_add){ .out = 1, .in = 0, .coef = 2 };
    c->layers[1].cst[0] = (gf_gate_const){ .out = 0, .coef = 1 };
    gf_error err;
    REQUIRE(gf_circuit_validate(c, &err) == GF_OK);
    CHECK_EQ_U64(gf_circuit_n_random(c), 1);
    CHECK_EQ_U64(gf_circuit_n_gates(c), 5);
    gf_m31 rnd = 7, coefs[3], in[4] = { 10, 5, 2, 21 }, out[2];
    REQUIRE(gf_circuit_coefs_fill_m31(c, &rnd, coefs, &err) == GF_OK);
    REQUIRE(gf_circuit_eval_m31(c, coefs, in, out, &err) == GF_OK);
    CHECK_EQ_U64(out[0], 1);        /* const gate */
    CHECK_EQ_U64(out[1], 7);        /* 7 * (-10 - 10 + 21) */
    in[3] = 20;
    REQUIRE(gf_circuit_eval_m31(c, coefs, in, out, &err) == GF_OK);
    CHECK_EQ_U64(out[1], 0);
    /* random coefficients without values are refused */
    CHECK(gf_circuit_coefs_fill_m31(c, NULL, coefs, &err) == GF_ERR_INVALID);
    /* wrong field */
    gf_bn254fr fo[2];
    CHECK(gf_circuit_eval_bn254(c, NULL, NULL, fo, &err) == GF_ERR_INVALID);
    gf_circuit_free(c);
}

/* BN254 evaluation against integers small enough not to wrap. */
static void test_eval_bn254(gf_rng *r) {
    gf_circuit *c = gf_circuit_new(GF_FIELD_BN254, 2, NULL);
    REQUIRE(c);
    gf_circuit_alloc_layer(c, 0, 2, 1, 2, 1, 0, NULL);
    c->layers[0].mul[0] = (gf_gate_mul){ 0, 0, 1, 0 };      /* out0 = 3*a*b */
    c->layers[0].mul[1] = (gf_gate_mul){ 1, 2, 3, 1 };      /* out1 = 5*c*d + d */
    gf_circuit_alloc_coefs(c, 3, NULL);
    gf_bn254fr_from_u64(&c->coef_fr[0], 3);
    gf_bn254fr_from_u64(&c->coef_fr[1], 5);
    gf_bn254fr_from_u64(&c->coef_fr[2], 1);
    c->layers[0].add[0] = (gf_gate_add){ 1, 3, 2 };
    gf_circuit_alloc_layer(c, 1, 1, 0, 1, 0, 1, NULL);
    c->layers[1].mul[0] = (gf_gate_mul){ 0, 0, 1, 2 };      /* out = out0*out1 + 5 */
    c->layers[1].cst[0] = (gf_gate_const){ 0, 1 };
    gf_error err;
    REQUIRE(gf_circuit_validate(c, &err) == GF_OK);
    for (int t = 0; t < 20; t++) {
        uint64_t v[4];
        gf_bn254fr in[4], out[1], coefs[3];
        for (int i = 0; i < 4; i++) { v[i] = gf_rng_below(r, 1000); gf_bn254fr_from_u64(&in[i], v[i]); }
        REQUIRE(gf_circuit_coefs_fill_bn254(c, NULL, coefs, &err) == GF_OK);
        REQUIRE(gf_circuit_eval_bn254(c, coefs, in, out, &err) == GF_OK);
        uint64_t want = 3 * v[0] * v[1] * (5 * v[2] * v[3] + v[3]) + 5, got[4];
        gf_bn254fr_to_canonical(got, &out[0]);
        CHECK(got[0] == want && got[1] == 0 && got[2] == 0 && got[3] == 0);
    }
    /* BN254 file round trip */
    const char *path = tpath("bn.gfc");
    REQUIRE(gf_circuit_save(c, path, &err) == GF_OK);
    gf_circuit *d = NULL;
    CHECK_MSG(gf_circuit_load(&d, path, &err) == GF_OK, "%s", err.msg);
    CHECK(d && circuits_equal(c, d));
    CHECK_EQ_U64(gf_circuit_encoded_size(c), 24 + 3 * 33 + 2 * 32 + 16 * 3 + 12 + 8);
    /* a coefficient >= r is rejected: set the top byte of coefficient 0 to 0xff */
    size_t n;
    uint8_t *b = read_bytes(path, &n);
    REQUIRE(b);
    b[24 + 32] = 0xff;
    gf_circuit *e = NULL;
    CHECK(load_circuit_bytes(b, n, &e, &err) == GF_ERR_FORMAT);
    CHECK_MSG(strstr(err.msg, "offset 25") && strstr(err.msg, "bn254"), "%s", err.msg);
    free(b);
    gf_circuit_free(d);
    gf_circuit_free(c);
}

/* ---------- validation ---------- */

static gf_circuit *small_valid(void) {
    gf_circuit *c = gf_circuit_new(GF_FIELD_M31, 2, NULL);
    gf_circuit_alloc_coefs(c, 2, NULL);
    c->coef_m31[0] = 3;
    c->coef_kind[1] = GF_COEF_RANDOM;
    gf_circuit_alloc_layer(c, 0, 2, 1, 2, 2, 1, NULL);
    c->layers[0].mul[0] = (gf_gate_mul){ 0, 1, 2, 0 };
    c->layers[0].mul[1] = (gf_gate_mul){ 1, 3, 3, 1 };
    c->layers[0].add[0] = (gf_gate_add){ 0, 0, 0 };
    c->layers[0].add[1] = (gf_gate_add){ 1, 2, 1 };
    c->layers[0].cst[0] = (gf_gate_const){ 1, 0 };
    gf_circuit_alloc_layer(c, 1, 1, 0, 1, 1, 1, NULL);
    c->layers[1].mul[0] = (gf_gate_mul){ 0, 0, 1, 0 };
    c->layers[1].add[0] = (gf_gate_add){ 0, 1, 1 };
    c->layers[1].cst[0] = (gf_gate_const){ 0, 0 };
    return c;
}

#define EXPECT_INVALID(mutation, ...) do { \
    gf_circuit *c_ = small_valid(); REQUIRE(c_); gf_circuit *c = c_; (void)c; mutation; gf_error e_; \
    gf_status s_ = gf_circuit_validate(c_, &e_); \
    CHECK_MSG(s_ == GF_ERR_INVALID, "%s accepted", #mutation); \
    const char *subs_[] = { __VA_ARGS__, NULL }; \
    for (int i_ = 0; subs_[i_] && s_; i_++) CHECK_MSG(strstr(e_.msg, subs_[i_]), "%s: message \"%s\" lacks \"%s\"", #mutation, e_.msg, subs_[i_]); \
    gf_circuit_free(c_); } while (0)

static void test_validate(gf_rng *r) {
    (void)r;
    gf_circuit *c0 = small_valid();
    gf_error err;
    CHECK_MSG(gf_circuit_validate(c0, &err) == GF_OK, "%s", err.msg);
    gf_circuit_free(c0);
    EXPECT_INVALID(c->layers[0].mul[1].out = 2, "layer 0", "mul gate 1", "out", "2");
    EXPECT_INVALID(c->layers[0].mul[1].in0 = 4, "layer 0", "mul gate 1", "in0", "4");
    EXPECT_INVALID(c->layers[0].mul[0].in1 = 100, "layer 0", "mul gate 0", "in1", "100");
    EXPECT_INVALID(c->layers[1].mul[0].coef = 2, "layer 1", "mul gate 0", "coef", "2");
    EXPECT_INVALID(c->layers[1].add[0].out = 1, "layer 1", "add gate 0", "out", "1");
    EXPECT_INVALID(c->layers[0].add[1].in = 7, "layer 0", "add gate 1", "in", "7");
    EXPECT_INVALID(c->layers[0].add[1].coef = 9, "layer 0", "add gate 1", "coef", "9");
    EXPECT_INVALID(c->layers[0].cst[0].out = 5, "layer 0", "const gate 0", "out", "5");
    EXPECT_INVALID(c->layers[1].cst[0].coef = 0xffffffffu, "layer 1", "const gate 0", "coef", "4294967295");
    EXPECT_INVALID(c->layers[0].out_log = 2, "layer 0", "out_log 2", "layer 1");
    EXPECT_INVALID(c->layers[1].out_log = 31, "layer 1", "31");
    EXPECT_INVALID(c->field = 3, "field", "3");
    EXPECT_INVALID(c->coef_kind[0] = 2, "coefficient 0", "kind 2");
    EXPECT_INVALID(c->coef_m31[0] = P, "coefficient 0", "2147483647");
    EXPECT_INVALID(c->coef_m31[1] = 5, "coefficient 1", "random");
    gf_circuit *z = small_valid();
    z->n_layers = 0;
    CHECK(gf_circuit_validate(z, &err) == GF_ERR_INVALID && strstr(err.msg, "0 layers"));
    z->n_layers = 2;
    gf_circuit_free(z);
    CHECK(gf_circuit_validate(NULL, &err) == GF_ERR_INVALID);
    CHECK(gf_circuit_new(5, 1, &err) == NULL && err.code == GF_ERR_INVALID);
    CHECK(gf_circuit_new(GF_FIELD_M31, 0, &err) == NULL);
}

/* ---------- circuit file ---------- */

/* Golden encoding of small_valid(), written by hand from docs/formats.md. */
static const uint8_t small_golden[] = {
    'G', 'K', 'R', 'F', 'C', 'I', 'R', 'C', 1, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 2, 0, 0, 0,
    0, 3, 0, 0, 0,   1, 0, 0, 0, 0,                                        /* coef table */
    2, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0,   1, 0, 0, 0, 3, 0, 0, 0, 3, 0, 0, 0, 1, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,   1, 0, 0, 0, 2, 0, 0, 0, 1, 0, 0, 0,
    1, 0, 0, 0, 0, 0, 0, 0,
    1, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0,   0, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0,
};

static void test_io_golden(gf_rng *r) {
    (void)r;
    gf_circuit *c = small_valid();
    const char *path = tpath("small.gfc");
    gf_error err;
    REQUIRE(gf_circuit_save(c, path, &err) == GF_OK);
    size_t n;
    uint8_t *b = read_bytes(path, &n);
    REQUIRE(b);
    CHECK_EQ_U64(n, sizeof small_golden);
    CHECK_EQ_U64(gf_circuit_encoded_size(c), sizeof small_golden);
    CHECK(n == sizeof small_golden && memcmp(b, small_golden, n) == 0);
    /* digest = SHA-256 of exactly these bytes, and stable */
    uint8_t d1[32], d2[32], want[32];
    REQUIRE(gf_circuit_digest(c, d1, &err) == GF_OK);
    REQUIRE(gf_circuit_digest(c, d2, &err) == GF_OK);
    REQUIRE(gf_sha256(want, small_golden, sizeof small_golden, &err) == GF_OK);
    CHECK(memcmp(d1, d2, 32) == 0 && memcmp(d1, want, 32) == 0);
    gf_circuit *d = NULL;
    CHECK_MSG(load_circuit_bytes(small_golden, sizeof small_golden, &d, &err) == GF_OK, "%s", err.msg);
    CHECK(d && circuits_equal(c, d));
    gf_circuit_free(d);
    free(b);
    gf_circuit_free(c);
}

static void test_io_roundtrip(gf_rng *r) {
    for (int trial = 0; trial < 12; trial++) {
        gf_circuit *c = rand_circuit(r, 1 + (uint32_t)(trial % 6), 7, trial % 2);
        REQUIRE(c);
        const char *path = tpath("rt.gfc");
        gf_error err;
        REQUIRE(gf_circuit_save(c, path, &err) == GF_OK);
        gf_circuit *d = NULL;
        REQUIRE(gf_circuit_load(&d, path, &err) == GF_OK);
        CHECK(circuits_equal(c, d));
        uint8_t dc[32], dd[32];
        REQUIRE(gf_circuit_digest(c, dc, &err) == GF_OK && gf_circuit_digest(d, dd, &err) == GF_OK);
        CHECK(memcmp(dc, dd, 32) == 0);
        /* any change to the circuit changes the digest */
        gf_layer *l = &d->layers[0];
        if (l->n_mul) l->mul[0].coef = (l->mul[0].coef + 1) % d->n_coefs;
        else if (l->n_add) l->add[0].coef = (l->add[0].coef + 1) % d->n_coefs;
        else d->coef_m31[0] = gf_m31_add(d->coef_m31[0], 1);
        REQUIRE(gf_circuit_digest(d, dd, &err) == GF_OK);
        CHECK(memcmp(dc, dd, 32) != 0);
        /* via FILE* write/read too */
        FILE *f = tmpfile();
        REQUIRE(f);
        REQUIRE(gf_circuit_write(c, f, &err) == GF_OK);
        rewind(f);
        gf_circuit *e = NULL;
        CHECK_MSG(gf_circuit_read(&e, f, "tmpfile", &err) == GF_OK, "%s", err.msg);
        CHECK(e && circuits_equal(c, e));
        fclose(f);
        gf_circuit_free(e);
        gf_circuit_free(d);
        gf_circuit_free(c);
    }
}

static void test_io_reject(gf_rng *r) {
    (void)r;
    const size_t n = sizeof small_golden;
    uint8_t *b = malloc(n + 8);
    gf_circuit *c = NULL;
    gf_error err;
    /* every truncation */
    int bad = 0;
    for (size_t len = 0; len < n; len++) {
        gf_status s = load_circuit_bytes(small_golden, len, &c, &err);
        if (s != GF_ERR_FORMAT || c) { bad++; fprintf(stderr, "truncation to %zu: status %d\n", len, (int)s); }
        else if (!strstr(err.msg, "bytes.gfc") || !strstr(err.msg, "offset")) { bad++; fprintf(stderr, "message: %s\n", err.msg); }
        gf_circuit_free(c); c = NULL;
    }
    CHECK_EQ_U64(bad, 0);
    /* trailing garbage */
    memcpy(b, small_golden, n);
    b[n] = 0;
    CHECK(load_circuit_bytes(b, n + 1, &c, &err) == GF_ERR_FORMAT);
    CHECK_MSG(strstr(err.msg, "trailing") && strstr(err.msg, "offset 198"), "%s", err.msg);
    /* every single-bit flip in the 24-byte header */
    bad = 0;
    for (size_t i = 0; i < 24; i++)
        for (int bit = 0; bit < 8; bit++) {
            memcpy(b, small_golden, n);
            b[i] ^= (uint8_t)(1u << bit);
            gf_status s = load_circuit_bytes(b, n, &c, &err);
            if (s == GF_OK || s == GF_ERR_INTERNAL) { bad++; fprintf(stderr, "flip byte %zu bit %d accepted (%d)\n", i, bit, (int)s); }
            gf_circuit_free(c); c = NULL;
        }
    CHECK_EQ_U64(bad, 0);
    /* specific messages */
    struct { size_t off; uint32_t val; const char *sub[3]; } cases[] = {
        { 0, 0x4b524647u, { "bad magic", "offset 0", NULL } },
        { 8, 2, { "version 2", "offset 8", NULL } },
        { 12, 7, { "field id 7", "offset 12", NULL } },
        { 16, 0, { "layer count 0", "offset 16", NULL } },
        { 16, 5000000, { "layer count 5000000", NULL, NULL } },
        { 20, 1000000, { "coefficient count 1000000", "remain", NULL } },
        { 25, P, { "2147483647", "offset 25", "canonical" } },
        { 24, 0x00000302u, { "kind byte 2", "offset 24", NULL } },
        { 29, 0x00000101u, { "random entry", "offset 30", NULL } },
        { 34, 31, { "in_log 31", "offset 34", NULL } },
        { 38, 40, { "out_log 40", "offset 38", NULL } },
        { 42, 0x40000000u, { "mul gate count", "remain", "offset 42" } },
        { 46, 0x40000000u, { "mul gate count", "overflows", "offset 42" } },   /* 2^62 */
        { 50, 1000, { "add gate count 1000", "remain", NULL } },
        { 58, 100, { "const gate count 100", "remain", NULL } },
        { 66, 9, { "invalid circuit", "mul gate 0", "out index 9" } },
    };
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        memcpy(b, small_golden, n);
        gf_put_u32le(b + cases[k].off, cases[k].val);
        gf_status s = load_circuit_bytes(b, n, &c, &err);
        CHECK_MSG(s == GF_ERR_FORMAT, "case %zu: status %d", k, (int)s);
        for (int j = 0; j < 3 && cases[k].sub[j]; j++)
            CHECK_MSG(strstr(err.msg, cases[k].sub[j]), "case %zu: \"%s\" lacks \"%s\"", k, err.msg, cases[k].sub[j]);
        gf_circuit_free(c); c = NULL;
    }
    /* unreadable path */
    CHECK(gf_circuit_load(&c, tpath("does-not-exist.gfc"), &err) == GF_ERR_IO && strstr(err.msg, "does-not-exist"));
    /* a NULL path is an argument error naming the function, for every loader and saver */
    {
        gf_witness *wn = NULL;
        gf_circuit *sv = small_valid();
        CHECK(gf_circuit_load(&c, NULL, &err) == GF_ERR_INVALID && !c && strstr(err.msg, "gf_circuit_load: NULL path"));
        CHECK(gf_witness_load(&wn, NULL, &err) == GF_ERR_INVALID && !wn && strstr(err.msg, "gf_witness_load: NULL path"));
        CHECK(gf_circuit_save(sv, NULL, &err) == GF_ERR_INVALID && strstr(err.msg, "gf_circuit_save: NULL path"));
        gf_circuit_free(sv);
    }
    /* writing an invalid circuit is refused */
    gf_circuit *v = small_valid();
    v->layers[0].mul[0].in0 = 99;
    CHECK(gf_circuit_save(v, tpath("inv.gfc"), &err) == GF_ERR_INVALID);
    CHECK(access(tpath("inv.gfc"), F_OK) != 0);
    gf_circuit_free(v);
    free(b);
}

/* ---------- witness file ---------- */

static void test_witness_io(gf_rng *r) {
    gf_error err;
    gf_witness *w = NULL, *u = NULL;
    REQUIRE(gf_witness_new(&w, GF_FIELD_M31, 3, 5, &err) == GF_OK);
    for (int i = 0; i < 15; i++) w->m31[i] = i == 4 ? P - 1 : gf_m31_random(r);
    const char *path = tpath("w.gfw");
    REQUIRE(gf_witness_save(w, path, &err) == GF_OK);
    size_t n;
    uint8_t *b = read_bytes(path, &n);
    REQUIRE(b);
    CHECK_EQ_U64(n, 32 + 15 * 4);
    CHECK(memcmp(b, "GKRFWITN\1\0\0\0\1\0\0\0\3\0\0\0\0\0\0\0\5\0\0\0\0\0\0\0", 32) == 0);
    CHECK(gf_get_u32le(b + 32 + 4 * 7) == w->m31[7]);
    REQUIRE(gf_witness_load(&u, path, &err) == GF_OK);
    CHECK(u->n_instances == 3 && u->n_inputs == 5 && memcmp(u->m31, w->m31, 60) == 0);
    gf_witness_free(u); u = NULL;
    /* truncation at every length, both via a file and via a pipe-like stream */
    int bad = 0;
    for (size_t len = 0; len < n; len++) {
        write_bytes(tpath("t.gfw"), b, len);
        if (gf_witness_load(&u, tpath("t.gfw"), &err) != GF_ERR_FORMAT || u || !strstr(err.msg, "t.gfw")) bad++;
        gf_witness_free(u); u = NULL;
        if (len) {
            FILE *m = fmemopen(b, len, "rb");
            if (gf_witness_read(&u, m, "mem", &err) != GF_ERR_FORMAT) bad++;
            fclose(m);
            gf_witness_free(u); u = NULL;
        }
    }
    CHECK_EQ_U64(bad, 0);
    uint8_t *c = malloc(n + 1);
    struct { size_t off; uint64_t val; int w64; const char *sub; } cases[] = {
        { 0, 0x58585858, 0, "bad magic" },
        { 8, 9, 0, "version 9" },
        { 12, 0, 0, "field id 0" },
        { 16, 0, 1, "instance count is 0" },
        { 24, 0, 1, "input count 0" },
        { 24, (1ull << 30) + 1, 1, "input count 1073741825" },
        { 16, 1ull << 40, 1, "remain" },
        { 16, 1ull << 62, 1, "overflow" },
        { 32 + 8, P, 0, "instance 0 input 2: value 2147483647" },
        { 32 + 4 * 14, 0xffffffffu, 0, "offset 88" },
    };
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        memcpy(c, b, n);
        if (cases[k].w64) gf_put_u64le(c + cases[k].off, cases[k].val);
        else gf_put_u32le(c + cases[k].off, (uint32_t)cases[k].val);
        write_bytes(tpath("bad.gfw"), c, n);
        gf_status s = gf_witness_load(&u, tpath("bad.gfw"), &err);
        CHECK_MSG(s == GF_ERR_FORMAT && !u, "case %zu: status %d", k, (int)s);
        CHECK_MSG(strstr(err.msg, cases[k].sub) && strstr(err.msg, "bad.gfw"), "case %zu: \"%s\" lacks \"%s\"", k, err.msg, cases[k].sub);
        gf_witness_free(u); u = NULL;
    }
    memcpy(c, b, n);
    c[n] = 0x00;
    write_bytes(tpath("bad.gfw"), c, n + 1);
    CHECK(gf_witness_load(&u, tpath("bad.gfw"), &err) == GF_ERR_FORMAT && strstr(err.msg, "trailing") && strstr(err.msg, "offset 92"));
    free(c);
    free(b);
    /* BN254 witness round trip */
    gf_witness *f = NULL;
    REQUIRE(gf_witness_new(&f, GF_FIELD_BN254, 2, 3, &err) == GF_OK);
    for (int i = 0; i < 6; i++) gf_bn254fr_random(&f->fr[i], r);
    REQUIRE(gf_witness_save(f, tpath("f.gfw"), &err) == GF_OK);
    REQUIRE(gf_witness_load(&u, tpath("f.gfw"), &err) == GF_OK);
    CHECK(u->field == GF_FIELD_BN254 && u->m31 == NULL);
    for (int i = 0; i < 6; i++) CHECK(gf_bn254fr_eq(&u->fr[i], &f->fr[i]));
    gf_witness_free(u); u = NULL;
    gf_witness_free(f);
    /* API limits */
    CHECK(gf_witness_new(&u, GF_FIELD_M31, 0, 4, &err) == GF_ERR_INVALID);
    CHECK(gf_witness_new(&u, GF_FIELD_M31, 1, 0, &err) == GF_ERR_INVALID);
    CHECK(gf_witness_new(&u, 9, 1, 1, &err) == GF_ERR_INVALID);
    /* packing needs 16 whole instances per block */
    gf_m31x16 tmp[5];
    CHECK(gf_witness_pack_m31x16(w, 0, 1, tmp, &err) == GF_ERR_INVALID);
    gf_witness_free(w);
}

/* ---------- extracted-gates importer on small files ---------- */

static int write_xz(const char *path, const char *text) {
    size_t n = strlen(text), cap = n + 1024, pos = 0;
    uint8_t *out = malloc(cap);
    int ok = lzma_easy_buffer_encode(6, LZMA_CHECK_CRC64, NULL, (const uint8_t *)text, n, out, &pos, cap) == LZMA_OK &&
             write_bytes(path, out, pos);
    free(out);
    return ok;
}

static gf_status import_text(const char *mul, const char *add, int xz, gf_circuit **c, gf_error *err) {
    const char *mp = tpath(xz ? "m.txt.xz" : "m.txt"), *ap = tpath(xz ? "a.txt.xz" : "a.txt");
    if (xz) { if (!write_xz(mp, mul) || !write_xz(ap, add)) return GF_ERR_IO; }
    else if (!write_bytes(mp, mul, strlen(mul)) || !write_bytes(ap, add, strlen(add))) return GF_ERR_IO;
    return gf_circuit_import_extracted(c, mp, ap, err);
}

static void test_import_small(gf_rng *r) {
    (void)r;
    /* 3 layers; first line = output layer. Output layer: mul (in 0,1 -> out 0, coef p-2);
     * middle: add 2 -> 5 coef 1, mul (3,4 -> 1, coef 7); input layer: add (6 -> 3, coef p-1). */
    const char *mul = "1 0 1 0 2147483645\n1 3 4 1 7\n0\n";
    const char *add = "0\n1 2 5 1\n1 6 3 2147483646\n";
    for (int xz = 0; xz < 2; xz++) {
        gf_circuit *c = NULL;
        gf_error err;
        gf_status s = import_text(mul, add, xz, &c, &err);
        CHECK_MSG(s == GF_OK, "xz=%d: %s", xz, err.msg);
        if (s) continue;
        CHECK_EQ_U64(c->n_layers, 3);
        /* layer 0 reads wire 6 -> in_log 3; writes 3 but layer 1 reads 4 -> boundary log 3;
         * layer 1 writes 5 -> log 3 (layer 2 reads 0,1); output writes 0 -> out_log 0 */
        CHECK(c->layers[0].in_log == 3 && c->layers[0].out_log == 3);
        CHECK(c->layers[1].in_log == 3 && c->layers[1].out_log == 3);
        CHECK(c->layers[2].in_log == 3 && c->layers[2].out_log == 0);
        CHECK(c->layers[0].n_mul == 0 && c->layers[0].n_add == 1 && c->layers[2].n_mul == 1 && c->layers[2].n_add == 0);
        CHECK(c->layers[1].mul[0].in0 == 3 && c->layers[1].mul[0].in1 == 4 && c->layers[1].mul[0].out == 1);
        CHECK(c->layers[1].add[0].in == 2 && c->layers[1].add[0].out == 5);
        CHECK(c->coef_m31[c->layers[2].mul[0].coef] == P - 2);
        CHECK(c->coef_m31[c->layers[0].add[0].coef] == P - 1);
        CHECK(c->coef_m31[c->layers[1].mul[0].coef] == 7);
        CHECK_EQ_U64(c->n_coefs, 4);
        CHECK_EQ_U64(gf_circuit_n_random(c), 0);
        /* evaluate: input x6 = 5 -> x3' = -5; x4' = 0 -> mid out1 = 7*(-5)*0 = 0 ... use x4 path */
        gf_m31 in[8] = { 0 }, out[1];
        in[6] = 5;
        REQUIRE(gf_circuit_eval_m31(c, c->coef_m31, in, out, &err) == GF_OK);
        CHECK_EQ_U64(out[0], 0);
        gf_circuit_free(c);
    }
    struct { const char *mul, *add, *sub; } bad[] = {
        { "1 0 1 0 2147483647\n", "0\n", "m.txt:1: gate record 0: coefficient 2147483647" },
        { "2 0 1 0 1\n", "0\n", "m.txt:1: gate record 1: expected mul in0, found end of line" },
        { "1 0 1 0 1 9\n", "0\n", "m.txt:1: '9' after the 1 gate records" },
        { "1 0 1 0\n", "0\n", "expected mul coefficient, found end of line" },
        { "1 0 x 0 1\n", "0\n", "expected mul in1, found 'x'" },
        { "0\n0\n", "0\n", "2 layers (lines) but" },
        { "0\n\n0\n", "0\n0\n", "m.txt:2: empty line" },
        { "0\n", "1 1073741824 0 1\n", "a.txt:1: gate record 0: add in index 1073741824 exceeds" },
        { "0\n", "1 0 0 99999999999999999999999\n", "number too large" },
        { "0\n", "5000000000\n", "gate count 5000000000" },
        { "", "", "no layers" },
    };
    for (size_t k = 0; k < sizeof bad / sizeof bad[0]; k++) {
        gf_circuit *c = NULL;
        gf_error err;
        gf_status s = import_text(bad[k].mul, bad[k].add, 0, &c, &err);
        CHECK_MSG(s == GF_ERR_FORMAT && !c, "case %zu accepted (%d)", k, (int)s);
        CHECK_MSG(strstr(err.msg, bad[k].sub), "case %zu: \"%s\" lacks \"%s\"", k, err.msg, bad[k].sub);
        gf_circuit_free(c);
    }
    /* trailing blank lines and CRLF are fine */
    gf_circuit *c = NULL;
    gf_error err;
    CHECK_MSG(import_text("1 0 1 0 3\r\n\n\n", "0\r\n", 0, &c, &err) == GF_OK, "%s", err.msg);
    gf_circuit_free(c); c = NULL;
    /* truncated xz stream */
    const char *xp = tpath("m.txt.xz");
    REQUIRE(write_xz(xp, mul));
    size_t n;
    uint8_t *b = read_bytes(xp, &n);
    REQUIRE(b);
    write_bytes(xp, b, n - 8);
    write_bytes(tpath("a.txt"), add, strlen(add));
    CHECK(gf_circuit_import_extracted(&c, xp, tpath("a.txt"), &err) == GF_ERR_FORMAT && strstr(err.msg, "xz"));
    CHECK(gf_circuit_import_extracted(&c, tpath("missing.txt"), tpath("a.txt"), &err) == GF_ERR_IO && strstr(err.msg, "missing.txt"));
    free(b);
}

int main(void) {
    TEST_BEGIN();
    snprintf(tmpdir, sizeof tmpdir, "/tmp/gkrflow_test_circuit_XXXXXX");
    if (!mkdtemp(tmpdir)) { perror("mkdtemp"); return 1; }
    RUN(test_eval_known);
    RUN(test_eval_random);
    RUN(test_eval_bn254);
    RUN(test_validate);
    RUN(test_io_golden);
    RUN(test_io_roundtrip);
    RUN(test_io_reject);
    RUN(test_witness_io);
    RUN(test_import_small);
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
    if (system(cmd) != 0) fprintf(stderr, "could not remove %s\n", tmpdir);
    return TEST_END();
}
