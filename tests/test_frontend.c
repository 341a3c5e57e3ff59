/* Kernel builder and compiler: random kernels checked against an independent shadow model
 * (the test's own interpreter of the recorded operations) and a naive layered-circuit
 * evaluator; reference kernels (add_2, add_16, dot product, mul_line); layout and shape
 * rules; every error path. */
#include <string.h>
#include "testutil.h"
#include "frontend/kernel.h"
#include "circuit/circuit.h"
#include "field/m31.h"
#include "field/m31ext3.h"
#include "common/util.h"

/* ---- naive layered evaluator (independent of src/circuit) ---------------------------------- */

static gf_m31 *naive_eval(const gf_circuit *c, const gf_m31 *coefs, const gf_m31 *input) {
    uint64_t n = 1ull << c->layers[0].in_log;
    gf_m31 *cur = malloc(n * sizeof *cur);
    memcpy(cur, input, n * sizeof *cur);
    for (uint32_t i = 0; i < c->n_layers; i++) {
        const gf_layer *l = &c->layers[i];
        uint64_t m = 1ull << l->out_log;
        gf_m31 *nx = calloc(m, sizeof *nx);
        for (uint64_t g = 0; g < l->n_mul; g++)
            nx[l->mul[g].out] = gf_m31_add(nx[l->mul[g].out],
                gf_m31_mul(coefs[l->mul[g].coef], gf_m31_mul(cur[l->mul[g].in0], cur[l->mul[g].in1])));
        for (uint64_t g = 0; g < l->n_add; g++)
            nx[l->add[g].out] = gf_m31_add(nx[l->add[g].out], gf_m31_mul(coefs[l->add[g].coef], cur[l->add[g].in]));
        for (uint64_t g = 0; g < l->n_const; g++)
            nx[l->cst[g].out] = gf_m31_add(nx[l->cst[g].out], coefs[l->cst[g].coef]);
        free(cur);
        cur = nx;
    }
    return cur;
}

/* Residuals of one instance: assemble, fill coefficients (rnd in draw order), evaluate with
 * the naive evaluator and the library's, check they agree. Caller frees. */
static gf_m31 *residuals(const gf_kernel *k, const gf_m31 *in, const gf_m31 *out, const gf_m31 *hints,
                         const gf_m31 *rnd) {
    const gf_circuit *c = k->circuit;
    gf_m31 *ci = malloc(gf_circuit_input_len(c) * sizeof *ci);
    gf_m31 *coefs = malloc((c->n_coefs + 1) * sizeof *coefs);
    gf_error e;
    CHECK(gf_kernel_assemble_input(k, in, out, hints, ci, &e) == GF_OK);
    CHECK(gf_circuit_coefs_fill_m31(c, rnd, coefs, &e) == GF_OK);
    gf_m31 *r = naive_eval(c, coefs, ci);
    uint64_t no = gf_circuit_output_len(c);
    gf_m31 *r2 = malloc(no * sizeof *r2);
    CHECK(gf_circuit_eval_m31(c, coefs, ci, r2, &e) == GF_OK);
    CHECK(memcmp(r, r2, no * sizeof *r) == 0);
    free(r2); free(ci); free(coefs);
    return r;
}

static int all_zero(const gf_m31 *v, uint64_t n) {
    for (uint64_t i = 0; i < n; i++) if (v[i]) return 0;
    return 1;
}

/* Layout invariants checked independently: sorted (len desc, index desc), consecutive. */
static void check_layout(const gf_kernel *k) {
    uint32_t n = k->n_components;
    uint64_t pos = 0;
    uint8_t *done = calloc(n + 1, 1);
    for (uint32_t step = 0; step < n; step++) {
        int best = -1;
        for (uint32_t i = 0; i < n; i++) {
            if (done[i]) continue;
            if (best < 0 || k->comp[i].len > k->comp[best].len || (k->comp[i].len == k->comp[best].len && (int)i > best))
                best = (int)i;
        }
        done[best] = 1;
        CHECK_EQ_U64(k->comp[best].offset, pos);
        CHECK(gf_is_pow2(k->comp[best].len));
        CHECK(k->comp[best].offset % k->comp[best].len == 0);
        pos += k->comp[best].len;
    }
    free(done);
    CHECK_EQ_U64(k->layout_len, pos);
    CHECK(gf_circuit_input_len(k->circuit) >= pos);
    CHECK(k->circuit->layers[0].in_log >= 1);
}

/* ---- shadow model -------------------------------------------------------------------------- */

enum { T_NONE, T_IN, T_CONST, T_ADD, T_SUB, T_NEG, T_MUL, T_MULC, T_ADDC, T_DIVQ, T_HOUT, T_RAND };
enum { H_INV, H_SUMPROD, H_FREE };
typedef struct top { int op; uint32_t a, b; gf_m31 c; uint32_t h; int taint; } top;
typedef struct hcall { int kind; uint32_t in[2]; uint32_t n_in, first_out, n_out, h0; } hcall;
typedef struct sasrt { int div; uint32_t a, b, q; } sasrt;   /* div: a - q*b, else a */

#define SH_MAXV 8192
typedef struct shadow {
    gf_kernel_builder *kb;
    top ops[SH_MAXV];
    gf_m31 val[SH_MAXV];       /* generation-time sample values */
    hcall calls[256]; uint32_t n_calls;
    sasrt as[1024]; uint32_t n_as;
    uint32_t n_hint_vals, n_rand;
    int hconstrained[1024];    /* hint value index -> changing it must break something */
    /* io */
    int n_io; int io_is_in[8], io_is_out[8]; uint64_t io_len[8], io_in_off[8], io_out_off[8];
    gf_var io_first[8];
    gf_var out_var[8][64];
    uint64_t n_in_vals, n_out_vals;
    gf_var pool[SH_MAXV]; uint32_t n_pool;
    gf_var rpool[64]; uint32_t n_rpool;
    gf_var rel[1024]; uint32_t n_rel;   /* zero for honest hint values, not identically zero */
} shadow;

static gf_status hint_cb(const gf_m31 *in, size_t n_in, gf_m31 *out, size_t n_out, void *user) {
    int kind = *(const int *)user;
    if (kind == H_INV) { if (n_in != 1 || n_out != 1 || in[0] == 0) return GF_ERR_INVALID; out[0] = gf_m31_inv(in[0]); }
    else if (kind == H_SUMPROD) { out[0] = gf_m31_add(in[0], in[1]); out[1] = gf_m31_mul(in[0], in[1]); }
    else { out[0] = gf_m31_add(gf_m31_mul(in[0], gf_m31_sqr(in[0])), 7); }
    return GF_OK;
}
static int kind_inv = H_INV, kind_sp = H_SUMPROD, kind_free = H_FREE;

static void sh_rec(shadow *s, gf_var v, int op, uint32_t a, uint32_t b, gf_m31 c) {
    if (v == GF_VAR_NONE || v >= SH_MAXV) return;
    top *t = &s->ops[v];
    t->op = op; t->a = a; t->b = b; t->c = c;
    t->taint = op == T_RAND || (a && s->ops[a].taint) || (b && s->ops[b].taint);
}

/* Evaluates all recorded variables. mode 0 (call time): hints computed, randoms skipped.
 * mode 1 (check): hints read from hv, randoms from rnd. */
static void sh_eval(shadow *s, int mode, const gf_m31 *in, gf_m31 *hv, const gf_m31 *rnd, gf_m31 *v) {
    for (uint32_t i = 0; i < SH_MAXV; i++) {
        top *t = &s->ops[i];
        if (t->op == T_NONE || (mode == 0 && t->taint)) continue;
        switch (t->op) {
        case T_IN: v[i] = in[t->a]; break;
        case T_CONST: v[i] = t->c; break;
        case T_ADD: v[i] = gf_m31_add(v[t->a], v[t->b]); break;
        case T_SUB: v[i] = gf_m31_sub(v[t->a], v[t->b]); break;
        case T_NEG: v[i] = gf_m31_neg(v[t->a]); break;
        case T_MUL: v[i] = gf_m31_mul(v[t->a], v[t->b]); break;
        case T_MULC: v[i] = gf_m31_mul(v[t->a], t->c); break;
        case T_ADDC: v[i] = gf_m31_add(v[t->a], t->c); break;
        case T_RAND: v[i] = rnd[t->a]; break;
        case T_DIVQ:
            if (mode == 0) hv[t->h] = gf_m31_mul(v[t->a], gf_m31_inv(v[t->b]));
            v[i] = hv[t->h];
            break;
        case T_HOUT:
            if (mode == 0) {
                const hcall *hc = &s->calls[t->a];
                gf_m31 x = v[hc->in[0]], y = hc->n_in > 1 ? v[hc->in[1]] : 0, r;
                if (hc->kind == H_INV) r = gf_m31_inv(x);
                else if (hc->kind == H_SUMPROD) r = t->b == 0 ? gf_m31_add(x, y) : gf_m31_mul(x, y);
                else r = gf_m31_add(gf_m31_mul(x, gf_m31_mul(x, x)), 7);
                hv[t->h] = r;
            }
            v[i] = hv[t->h];
            break;
        }
    }
}

static gf_var pick(shadow *s, gf_rng *rng) { return s->pool[gf_rng_below(rng, s->n_pool)]; }
static void pool_add(shadow *s, gf_var v) { if (v && v < SH_MAXV && s->n_pool < SH_MAXV) s->pool[s->n_pool++] = v; }

/* Wrappers that build and record. */
static gf_var s_add(shadow *s, gf_var a, gf_var b) { gf_var v = gf_kb_add(s->kb, a, b); sh_rec(s, v, T_ADD, a, b, 0); s->val[v] = gf_m31_add(s->val[a], s->val[b]); return v; }
static gf_var s_sub(shadow *s, gf_var a, gf_var b) { gf_var v = gf_kb_sub(s->kb, a, b); sh_rec(s, v, T_SUB, a, b, 0); s->val[v] = gf_m31_sub(s->val[a], s->val[b]); return v; }
static gf_var s_mul(shadow *s, gf_var a, gf_var b) { gf_var v = gf_kb_mul(s->kb, a, b); sh_rec(s, v, T_MUL, a, b, 0); s->val[v] = gf_m31_mul(s->val[a], s->val[b]); return v; }
static gf_var s_mulc(shadow *s, gf_var a, gf_m31 c) { gf_var v = gf_kb_mul_const(s->kb, a, c); sh_rec(s, v, T_MULC, a, 0, c); s->val[v] = gf_m31_mul(s->val[a], c); return v; }
static void s_assert_eq(shadow *s, gf_var a, gf_var b) {
    gf_var d = s_sub(s, a, b);
    gf_kb_assert_zero(s->kb, d);
    s->as[s->n_as++] = (sasrt){ 0, d, 0, 0 };
}

static void gen_step(shadow *s, gf_rng *rng) {
    gf_kernel_builder *kb = s->kb;
    uint64_t op = gf_rng_below(rng, 19);
    if (op >= 16) op = 12;   /* random-weighted relations are the richest case */
    gf_var a = pick(s, rng), b = pick(s, rng), c = pick(s, rng), v;
    switch (op) {
    case 0: case 1: pool_add(s, s_add(s, a, b)); break;
    case 2: pool_add(s, s_sub(s, a, b)); break;
    case 3: case 4: case 5: pool_add(s, s_mul(s, a, b)); break;
    case 6: v = gf_kb_neg(kb, a); sh_rec(s, v, T_NEG, a, 0, 0); s->val[v] = gf_m31_neg(s->val[a]); pool_add(s, v); break;
    case 7: pool_add(s, s_mulc(s, a, gf_m31_random(rng))); break;
    case 8: {
        gf_m31 k = gf_rng_below(rng, 4) ? gf_m31_random(rng) : 0;
        v = gf_kb_add_const(kb, a, k); sh_rec(s, v, T_ADDC, a, 0, k); s->val[v] = gf_m31_add(s->val[a], k); pool_add(s, v);
        gf_m31 cv = (gf_m31)gf_rng_below(rng, 3);
        v = gf_kb_const(kb, cv); sh_rec(s, v, T_CONST, 0, 0, cv); s->val[v] = cv; pool_add(s, v);
        break;
    }
    case 9:   /* division: quotient hint + constraint a = q*b */
        if (s->val[b] == 0) break;
        v = gf_kb_div(kb, a, b);
        if (v == GF_VAR_NONE) break;
        if (s->ops[b].op == T_CONST) {   /* folded to a multiplication by the inverse */
            sh_rec(s, v, T_MULC, a, 0, gf_m31_inv(s->val[b]));
        } else {
            sh_rec(s, v, T_DIVQ, a, b, 0);
            s->ops[v].h = s->n_hint_vals;
            s->hconstrained[s->n_hint_vals++] = 1;
            s->as[s->n_as++] = (sasrt){ 1, a, b, v };
            s->rel[s->n_rel++] = s_sub(s, a, s_mul(s, v, b));
        }
        s->val[v] = gf_m31_mul(s->val[a], gf_m31_inv(s->val[b]));
        pool_add(s, v);
        break;
    case 10: {   /* hints */
        int kind = (int)gf_rng_below(rng, 3);
        if (kind == H_INV && s->val[a] == 0) break;
        gf_var in[2] = { a, b }, out[2];
        uint32_t n_in = kind == H_SUMPROD ? 2 : 1, n_out = kind == H_SUMPROD ? 2 : 1;
        CHECK(gf_kb_hint(kb, kind == H_INV ? "inv" : kind == H_SUMPROD ? "sumprod" : "free",
                         hint_cb, kind == H_INV ? &kind_inv : kind == H_SUMPROD ? &kind_sp : &kind_free,
                         in, n_in, out, n_out) == GF_OK);
        hcall *hc = &s->calls[s->n_calls];
        hc->kind = kind; hc->in[0] = a; hc->in[1] = b; hc->n_in = n_in; hc->n_out = n_out; hc->h0 = s->n_hint_vals;
        for (uint32_t i = 0; i < n_out; i++) {
            sh_rec(s, out[i], T_HOUT, s->n_calls, i, 0);
            s->ops[out[i]].h = s->n_hint_vals + i;
        }
        if (kind == H_INV) { s->val[out[0]] = gf_m31_inv(s->val[a]); }
        else if (kind == H_SUMPROD) { s->val[out[0]] = gf_m31_add(s->val[a], s->val[b]); s->val[out[1]] = gf_m31_mul(s->val[a], s->val[b]); }
        else s->val[out[0]] = gf_m31_add(gf_m31_mul(s->val[a], gf_m31_sqr(s->val[a])), 7);
        s->n_calls++;
        if (kind == H_INV) {
            gf_var one = gf_kb_const(kb, 1); sh_rec(s, one, T_CONST, 0, 0, 1); s->val[one] = 1;
            gf_var ax = s_mul(s, a, out[0]);
            s_assert_eq(s, ax, one);
            s->rel[s->n_rel++] = s_sub(s, ax, one);
            s->hconstrained[s->n_hint_vals] = 1;
        } else if (kind == H_SUMPROD) {
            s_assert_eq(s, out[0], s_add(s, a, b));
            s_assert_eq(s, out[1], s_mul(s, a, b));
            s->rel[s->n_rel++] = s_sub(s, out[0], s_add(s, a, b));
            s->rel[s->n_rel++] = s_sub(s, s_mul(s, a, b), out[1]);
            s->hconstrained[s->n_hint_vals] = s->hconstrained[s->n_hint_vals + 1] = 1;
        }
        s->n_hint_vals += n_out;
        for (uint32_t i = 0; i < n_out; i++) pool_add(s, out[i]);
        break;
    }
    case 11: {   /* identity (a+b)c = ac + bc: folds away (the compiler drops it) */
        s_assert_eq(s, s_mul(s, s_add(s, a, b), c), s_add(s, s_mul(s, a, c), s_mul(s, b, c)));
        break;
    }
    case 12: {   /* random-weighted hint relations: r*R, c*r*R, r*R*a, r*R + c*r'*R' */
        if (!s->n_rel) break;
        gf_var rv[2], rl[2], d = GF_VAR_NONE;
        for (int i = 0; i < 2; i++) {
            if (s->n_rpool && gf_rng_below(rng, 2)) rv[i] = s->rpool[gf_rng_below(rng, s->n_rpool)];
            else { rv[i] = gf_kb_random(kb); sh_rec(s, rv[i], T_RAND, s->n_rand++, 0, 0); if (s->n_rpool < 64) s->rpool[s->n_rpool++] = rv[i]; }
            if (gf_rng_below(rng, 2)) rv[i] = s_mulc(s, rv[i], (gf_m31)gf_rng_below(rng, 5) + 1);   /* c*r path */
            rl[i] = s->rel[gf_rng_below(rng, s->n_rel)];
        }
        switch (gf_rng_below(rng, 4)) {
        case 0: d = s_mul(s, rv[0], rl[0]); break;
        case 1: d = s_mul(s, rl[0], rv[0]); break;
        case 2: d = s_mul(s, s_mul(s, rv[0], rl[0]), a); break;
        default: d = s_add(s, s_mul(s, rv[0], rl[0]), s_mul(s, rl[1], rv[1])); break;
        }
        gf_kb_assert_zero(kb, d);
        s->as[s->n_as++] = (sasrt){ 0, d, 0, 0 };
        break;
    }
    case 13: {   /* (a-b)(a+b) = aa - bb */
        s_assert_eq(s, s_mul(s, s_sub(s, a, b), s_add(s, a, b)), s_sub(s, s_mul(s, a, a), s_mul(s, b, b)));
        break;
    }
    case 14: {   /* a long sum, reused twice (exercises sharing) */
        gf_var acc = a;
        for (int i = 0; i < 40; i++) acc = s_add(s, acc, pick(s, rng));
        pool_add(s, acc);
        pool_add(s, s_mul(s, acc, b));
        pool_add(s, s_mul(s, acc, c));
        break;
    }
    default: {   /* product chain: depth */
        gf_var p = a;
        for (int i = 0; i < 3; i++) p = s_mul(s, p, pick(s, rng));
        pool_add(s, p);
        break;
    }
    }
}

static void rand_shape(gf_rng *rng, uint32_t *nd, uint64_t *dims) {
    *nd = (uint32_t)gf_rng_below(rng, 4);
    for (uint32_t j = 0; j < *nd; j++) dims[j] = 1 + gf_rng_below(rng, 4);
}

static void test_random_kernels(gf_rng *rng) {
    shadow *s = calloc(1, sizeof *s);
    for (int iter = 0; iter < 150; iter++) {
        memset(s, 0, sizeof *s);
        gf_error e;
        s->kb = gf_kb_new(GF_FIELD_M31, &e);
        REQUIRE(s->kb);
        /* IO: 1-3 inputs, maybe one inout, 1-2 outputs, in a shuffled parameter order */
        int n_in = 1 + (int)gf_rng_below(rng, 3), has_io = (int)gf_rng_below(rng, 2), n_out = 1 + (int)gf_rng_below(rng, 2);
        int kinds[8], nk = 0;
        for (int i = 0; i < n_in; i++) kinds[nk++] = 0;
        for (int i = 0; i < n_out; i++) kinds[nk++] = 1;
        if (has_io) kinds[nk++] = 2;
        for (int i = nk - 1; i > 0; i--) { int j = (int)gf_rng_below(rng, (uint64_t)i + 1); int t = kinds[i]; kinds[i] = kinds[j]; kinds[j] = t; }
        gf_m31 sample[512];
        for (int i = 0; i < nk; i++) {
            uint32_t nd; uint64_t dims[4]; char name[16];
            rand_shape(rng, &nd, dims);
            snprintf(name, sizeof name, "io%d", i);
            int io = kinds[i] == 0 ? gf_kb_input(s->kb, name, nd, dims) : kinds[i] == 1 ? gf_kb_output(s->kb, name, nd, dims)
                                                                          : gf_kb_inout(s->kb, name, nd, dims);
            REQUIRE(io == i);
            s->io_is_in[i] = kinds[i] != 1;
            s->io_is_out[i] = kinds[i] != 0;
            s->io_len[i] = gf_kb_io_len(s->kb, io);
            if (s->io_is_in[i]) {
                s->io_in_off[i] = s->n_in_vals;
                s->io_first[i] = gf_kb_in(s->kb, io, 0);
                for (uint64_t k = 0; k < s->io_len[i]; k++) {
                    gf_var v = gf_kb_in(s->kb, io, k);
                    CHECK(v == s->io_first[i] + k);
                    sh_rec(s, v, T_IN, (uint32_t)(s->n_in_vals + k), 0, 0);
                    sample[s->n_in_vals + k] = s->val[v] = gf_m31_random(rng);
                    pool_add(s, v);
                }
                s->n_in_vals += s->io_len[i];
            }
            if (s->io_is_out[i]) { s->io_out_off[i] = s->n_out_vals; s->n_out_vals += s->io_len[i]; }
        }
        s->n_io = nk;
        gf_var k0 = gf_kb_const(s->kb, 3); sh_rec(s, k0, T_CONST, 0, 0, 3); s->val[k0] = 3; pool_add(s, k0);
        int steps = 5 + (int)gf_rng_below(rng, 40);
        for (int i = 0; i < steps; i++) gen_step(s, rng);
        /* every input reaches a constraint: the sum of the first elements is an extra output
         * (elsewhere the random operations may cancel an input out entirely) */
        gf_var acc = GF_VAR_NONE;
        for (int i = 0; i < nk; i++)
            if (s->io_is_in[i]) acc = acc ? s_add(s, acc, s->io_first[i]) : s->io_first[i];
        REQUIRE(gf_kb_output(s->kb, "usage", 0, NULL) == nk);
        s->io_is_out[nk] = 1;
        s->io_len[nk] = 1;
        s->io_out_off[nk] = s->n_out_vals++;
        nk++;
        s->n_io = nk;
        for (int i = 0; i < nk; i++) {
            if (!s->io_is_out[i]) continue;
            for (uint64_t k = 0; k < s->io_len[i]; k++) {
                gf_var v = i == nk - 1 ? acc : (s->io_is_in[i] && gf_rng_below(rng, 2)) ? s->io_first[i] + (gf_var)k : pick(s, rng);
                gf_kb_set(s->kb, i, k, v);
                s->out_var[i][k] = v;
            }
        }
        CHECK(gf_kb_status(s->kb, &e) == GF_OK);
        gf_kernel *k = NULL;
        gf_status st = gf_kernel_compile(s->kb, &k, &e);
        CHECK_MSG(st == GF_OK, "iter %d: %s", iter, e.msg);
        if (st != GF_OK) { gf_kb_free(s->kb); continue; }
        CHECK_EQ_U64(k->n_in_vals, s->n_in_vals);
        CHECK_EQ_U64(k->n_out_vals, s->n_out_vals);
        CHECK_EQ_U64(k->n_hints, s->n_hint_vals);
        CHECK_EQ_U64(gf_circuit_n_random(k->circuit), s->n_rand);
        for (int i = 0; i < nk; i++) {
            if (s->io_is_in[i]) CHECK_EQ_U64(k->io[i].in_offset, s->io_in_off[i]);
            if (s->io_is_out[i]) CHECK_EQ_U64(k->io[i].out_offset, s->io_out_off[i]);
        }
        check_layout(k);
        CHECK(gf_circuit_validate(k->circuit, &e) == GF_OK);
        gf_m31 *scratch = malloc(gf_kernel_scratch_len(k) * sizeof *scratch);
        gf_m31 in[512], outs[512], hints[1024], sh_h[1024], rnd[64], want_out[512];
        static gf_m31 vals[SH_MAXV];
        for (int smp = 0; smp < 3; smp++) {
            for (uint64_t i = 0; i < s->n_in_vals; i++) in[i] = smp == 0 ? sample[i] : gf_m31_random(rng);
            for (uint32_t i = 0; i < s->n_rand; i++) rnd[i] = gf_m31_random(rng);
            /* call time: kernel evaluator vs shadow */
            st = gf_kernel_eval(k, in, outs, hints, smp == 1 ? NULL : scratch, &e);
            CHECK_MSG(st == GF_OK, "iter %d: eval: %s", iter, e.msg);
            if (st != GF_OK) break;
            memset(vals, 0, sizeof vals);
            sh_eval(s, 0, in, sh_h, rnd, vals);
            for (int i = 0; i < nk; i++)
                if (s->io_is_out[i])
                    for (uint64_t q = 0; q < s->io_len[i]; q++) want_out[s->io_out_off[i] + q] = vals[s->out_var[i][q]];
            CHECK(memcmp(outs, want_out, s->n_out_vals * sizeof *outs) == 0);
            CHECK(memcmp(hints, sh_h, s->n_hint_vals * sizeof *hints) == 0);
            /* proving time: honest residuals are zero */
            gf_m31 *res = residuals(k, in, outs, hints, rnd);
            CHECK_MSG(all_zero(res, gf_circuit_output_len(k->circuit)), "iter %d sample %d: honest residual non-zero", iter, smp);
            free(res);
            /* tampering: the residuals equal the shadow's assertion values exactly */
            for (int t = 0; t < 3; t++) {
                gf_m31 to[512], th[1024];
                memcpy(to, outs, sizeof to);
                memcpy(th, hints, sizeof th);
                int must_fail = 0;
                if (t == 0 && s->n_out_vals) { uint64_t j = gf_rng_below(rng, s->n_out_vals); to[j] = gf_m31_add(to[j], 1); must_fail = 1; }
                if (t == 1 && s->n_hint_vals) {
                    uint32_t j = (uint32_t)gf_rng_below(rng, s->n_hint_vals);
                    th[j] = gf_m31_add(th[j], 1 + (gf_m31)gf_rng_below(rng, 1000));
                    must_fail = s->hconstrained[j];
                }
                if (t == 2) for (uint32_t j = 0; j < s->n_hint_vals; j++) th[j] = gf_m31_random(rng);
                res = residuals(k, in, to, th, rnd);
                memset(vals, 0, sizeof vals);
                sh_eval(s, 1, in, th, rnd, vals);
                int bad = 0;
                for (uint64_t r = 0; r < gf_circuit_output_len(k->circuit); r++) {
                    gf_m31 want = 0;
                    if (r < k->n_residuals) {
                        uint64_t src = k->resid_src[r];
                        if (src >> 63) {
                            uint32_t io = (uint32_t)((src << 1) >> 33);
                            uint64_t el = src & 0xffffffffu;
                            want = gf_m31_sub(vals[s->out_var[io][el]], to[s->io_out_off[io] + el]);
                        } else {
                            const sasrt *as = &s->as[src];
                            want = as->div ? gf_m31_sub(vals[as->a], gf_m31_mul(vals[as->q], vals[as->b])) : vals[as->a];
                        }
                    }
                    if (res[r] != want) bad = 1;
                }
                CHECK_MSG(!bad, "iter %d sample %d tamper %d: residuals differ from the shadow model", iter, smp, t);
                if (must_fail) CHECK_MSG(!all_zero(res, gf_circuit_output_len(k->circuit)), "iter %d: tampering not detected", iter);
                free(res);
            }
        }
        /* assertions dropped as trivially true must be identically zero */
        {
            uint8_t present[1024] = { 0 };
            for (uint64_t r = 0; r < k->n_residuals; r++) if (!(k->resid_src[r] >> 63)) present[k->resid_src[r]] = 1;
            for (uint32_t a = 0; a < s->n_as; a++) {
                if (present[a]) continue;
                memset(vals, 0, sizeof vals);
                for (uint64_t i = 0; i < s->n_in_vals; i++) in[i] = gf_m31_random(rng);
                for (uint32_t i = 0; i < s->n_hint_vals; i++) hints[i] = gf_m31_random(rng);
                for (uint32_t i = 0; i < s->n_rand; i++) rnd[i] = gf_m31_random(rng);
                sh_eval(s, 1, in, hints, rnd, vals);
                const sasrt *as = &s->as[a];
                gf_m31 v = as->div ? gf_m31_sub(vals[as->a], gf_m31_mul(vals[as->q], vals[as->b])) : vals[as->a];
                CHECK_MSG(v == 0, "iter %d: dropped assertion %u is not trivially true", iter, a);
            }
        }
        free(scratch);
        gf_kernel_free(k);
        gf_kb_free(s->kb);
    }
    free(s);
}

/* ---- reference kernels ---------------------------------------------------------------------- */

static gf_kernel *compile_ok(gf_kernel_builder *kb) {
    gf_kernel *k = NULL;
    gf_error e;
    gf_status st = gf_kernel_compile(kb, &k, &e);
    CHECK_MSG(st == GF_OK, "%s", e.msg);
    gf_kb_free(kb);
    return k;
}

static gf_kernel *make_sum(uint64_t n) {
    gf_kernel_builder *kb = gf_kb_new(GF_FIELD_M31, NULL);
    int a = gf_kb_input(kb, "a", 1, &n);
    int b = gf_kb_output(kb, "b", 0, NULL);
    gf_var acc = gf_kb_in(kb, a, 0);
    for (uint64_t i = 1; i < n; i++) acc = gf_kb_add(kb, acc, gf_kb_in(kb, a, i));
    gf_kb_set(kb, b, 0, acc);
    return compile_ok(kb);
}

static void test_add_2_add_16(gf_rng *rng) {
    for (int which = 0; which < 2; which++) {
        uint64_t n = which ? 16 : 2;
        gf_kernel *k = make_sum(n);
        REQUIRE(k);
        CHECK_EQ_U64(k->n_components, 2);
        CHECK_EQ_U64(k->comp[0].kind, GF_KCOMP_INPUT);
        CHECK_EQ_U64(k->comp[0].offset, 0);
        CHECK_EQ_U64(k->comp[0].len, n);
        CHECK_EQ_U64(k->comp[1].kind, GF_KCOMP_OUTPUT);
        CHECK_EQ_U64(k->comp[1].offset, n);
        CHECK_EQ_U64(k->comp[1].len, 1);
        CHECK_EQ_U64(k->circuit->n_layers, 1);
        CHECK_EQ_U64(k->circuit->layers[0].in_log, which ? 5 : 2);
        CHECK_EQ_U64(k->circuit->layers[0].out_log, 1);
        CHECK_EQ_U64(k->circuit->layers[0].n_add, n + 1);
        CHECK_EQ_U64(k->circuit->layers[0].n_mul, 0);
        CHECK_EQ_U64(k->n_residuals, 1);
        CHECK_EQ_U64(k->n_relays, 0);
        gf_m31 in[16], out[1], want = 0;
        for (uint64_t i = 0; i < n; i++) { in[i] = gf_m31_random(rng); want = gf_m31_add(want, in[i]); }
        gf_error e;
        CHECK(gf_kernel_eval(k, in, out, NULL, NULL, &e) == GF_OK);
        CHECK_EQ_U64(out[0], want);
        gf_m31 *r = residuals(k, in, out, NULL, NULL);
        CHECK(all_zero(r, 2));
        free(r);
        out[0] = gf_m31_add(out[0], 1);
        r = residuals(k, in, out, NULL, NULL);
        CHECK(r[0] != 0);
        free(r);
        char nm[64];
        gf_kernel_residual_name(k, 0, nm, sizeof nm);
        CHECK(strstr(nm, "output 'b'[0]") != NULL);
        gf_kernel_free(k);
    }
}

/* mul_line of zkCUDA's matmul test: c[j] = sum_i a[i] * b[i][j]; and a plain dot product. */
static void test_dot_and_mul_line(gf_rng *rng) {
    for (int which = 0; which < 2; which++) {
        const uint64_t K = which ? 32 : 64, M = which ? 64 : 1;
        gf_kernel_builder *kb = gf_kb_new(GF_FIELD_M31, NULL);
        uint64_t bd[2] = { K, M };
        int a = gf_kb_input(kb, "a", 1, &K);
        int b = which ? gf_kb_input(kb, "b", 2, bd) : gf_kb_input(kb, "b", 1, &K);
        int c = which ? gf_kb_output(kb, "c", 1, &M) : gf_kb_output(kb, "c", 0, NULL);
        for (uint64_t j = 0; j < M; j++) {
            gf_var acc = gf_kb_mul(kb, gf_kb_in(kb, a, 0), gf_kb_in(kb, b, j));
            for (uint64_t i = 1; i < K; i++) acc = gf_kb_add(kb, acc, gf_kb_mul(kb, gf_kb_in(kb, a, i), gf_kb_in(kb, b, i * M + j)));
            gf_kb_set(kb, c, j, acc);
        }
        gf_kernel *k = compile_ok(kb);
        REQUIRE(k);
        CHECK_EQ_U64(k->circuit->n_layers, 1);   /* products folded into the residual layer */
        CHECK_EQ_U64(k->circuit->layers[0].n_mul, K * M);
        CHECK_EQ_U64(k->circuit->layers[0].n_add, M);
        CHECK_EQ_U64(k->n_relays, 0);
        gf_m31 *in = malloc((K + K * M) * sizeof *in), out[64], want[64];
        for (uint64_t i = 0; i < K + K * M; i++) in[i] = gf_m31_random(rng);
        for (uint64_t j = 0; j < M; j++) {
            want[j] = 0;
            for (uint64_t i = 0; i < K; i++) want[j] = gf_m31_add(want[j], gf_m31_mul(in[i], in[K + i * M + j]));
        }
        gf_error e;
        CHECK(gf_kernel_eval(k, in, out, NULL, NULL, &e) == GF_OK);
        CHECK(memcmp(out, want, M * sizeof *out) == 0);
        gf_m31 *r = residuals(k, in, out, NULL, NULL);
        CHECK(all_zero(r, gf_circuit_output_len(k->circuit)));
        free(r);
        out[M - 1] = gf_m31_sub(out[M - 1], 5);
        r = residuals(k, in, out, NULL, NULL);
        CHECK(r[M - 1] != 0);
        free(r);
        free(in);
        gf_kernel_free(k);
    }
}

/* Depth: longest multiplication path; linear ops cost nothing; relays fill gaps. */
static void test_depth_and_relays(gf_rng *rng) {
    (void)rng;
    uint64_t n8 = 8;
    /* chain ((x0 x1) x2) x3 -> 3 layers; balanced tree of 8 -> 3 layers */
    for (int tree = 0; tree < 2; tree++) {
        gf_kernel_builder *kb = gf_kb_new(GF_FIELD_M31, NULL);
        int x = gf_kb_input(kb, "x", 1, &n8);
        int o = gf_kb_output(kb, "o", 0, NULL);
        gf_var v;
        if (!tree) {
            v = gf_kb_in(kb, x, 0);
            for (int i = 1; i < 4; i++) v = gf_kb_mul(kb, v, gf_kb_in(kb, x, (uint64_t)i));
            v = gf_kb_add(kb, v, gf_kb_add(kb, gf_kb_in(kb, x, 4), gf_kb_add(kb, gf_kb_in(kb, x, 5), gf_kb_add(kb, gf_kb_in(kb, x, 6), gf_kb_in(kb, x, 7)))));
        } else {
            gf_var l[8];
            for (int i = 0; i < 8; i++) l[i] = gf_kb_in(kb, x, (uint64_t)i);
            for (int w = 8; w > 1; w /= 2)
                for (int i = 0; i < w / 2; i++) l[i] = gf_kb_mul(kb, l[2 * i], l[2 * i + 1]);
            v = l[0];
        }
        gf_kb_set(kb, o, 0, v);
        gf_kernel *k = compile_ok(kb);
        REQUIRE(k);
        CHECK_EQ_U64(k->circuit->n_layers, 3);
        gf_m31 in[8], out[1];
        for (int i = 0; i < 8; i++) in[i] = (gf_m31)(i + 2);
        CHECK(gf_kernel_eval(k, in, out, NULL, NULL, NULL) == GF_OK);
        CHECK_EQ_U64(out[0], tree ? 2 * 3 * 4 * 5 * 6 * 7 * 8 * 9 : 2 * 3 * 4 * 5 + 6 + 7 + 8 + 9);
        gf_m31 *r = residuals(k, in, out, NULL, NULL);
        CHECK(all_zero(r, 2));
        free(r);
        gf_kernel_free(k);
    }
    /* (a+b+c)*(d-e) = out: one layer */
    {
        uint64_t n5 = 5;
        gf_kernel_builder *kb = gf_kb_new(GF_FIELD_M31, NULL);
        int x = gf_kb_input(kb, "x", 1, &n5);
        int o = gf_kb_output(kb, "o", 0, NULL);
        gf_var s = gf_kb_add(kb, gf_kb_add(kb, gf_kb_in(kb, x, 0), gf_kb_in(kb, x, 1)), gf_kb_in(kb, x, 2));
        gf_var d = gf_kb_sub(kb, gf_kb_in(kb, x, 3), gf_kb_in(kb, x, 4));
        gf_kb_set(kb, o, 0, gf_kb_mul(kb, gf_kb_mul_const(kb, s, 3), d));
        gf_kernel *k = compile_ok(kb);
        REQUIRE(k);
        CHECK_EQ_U64(k->circuit->n_layers, 1);
        CHECK_EQ_U64(k->circuit->layers[0].n_mul, 6);
        gf_kernel_free(k);
    }
    /* o = (x*y)*z + w: x*y gets a wire at level 1; z, w and the committed o are relayed */
    {
        uint64_t n4 = 4;
        gf_kernel_builder *kb = gf_kb_new(GF_FIELD_M31, NULL);
        int x = gf_kb_input(kb, "x", 1, &n4);
        int o = gf_kb_output(kb, "o", 0, NULL);
        gf_var p = gf_kb_mul(kb, gf_kb_mul(kb, gf_kb_in(kb, x, 0), gf_kb_in(kb, x, 1)), gf_kb_in(kb, x, 2));
        gf_kb_set(kb, o, 0, gf_kb_add(kb, p, gf_kb_in(kb, x, 3)));
        gf_kernel *k = compile_ok(kb);
        REQUIRE(k);
        CHECK_EQ_U64(k->circuit->n_layers, 2);
        CHECK_EQ_U64(k->n_relays, 3);
        CHECK_EQ_U64(k->circuit->layers[0].n_mul, 1);
        CHECK_EQ_U64(k->circuit->layers[0].n_add, 3);
        CHECK_EQ_U64(k->circuit->layers[0].out_log, 2);
        CHECK_EQ_U64(k->circuit->layers[1].n_mul, 1);
        CHECK_EQ_U64(k->circuit->layers[1].n_add, 2);
        gf_kernel_free(k);
    }
}

/* o = x0*x1*...*x7 + (x8 + ... + x23): the 16 shallow inputs and the committed o are summed at
 * level 1 and that one wire is relayed to level 6, instead of 17 separate relay chains. */
static void test_relay_grouping(gf_rng *rng) {
    uint64_t n = 24;
    gf_kernel_builder *kb = gf_kb_new(GF_FIELD_M31, NULL);
    int x = gf_kb_input(kb, "x", 1, &n);
    int o = gf_kb_output(kb, "o", 0, NULL);
    gf_var p = gf_kb_in(kb, x, 0);
    for (uint64_t i = 1; i < 8; i++) p = gf_kb_mul(kb, p, gf_kb_in(kb, x, i));
    for (uint64_t i = 8; i < 24; i++) p = gf_kb_add(kb, p, gf_kb_in(kb, x, i));
    gf_kb_set(kb, o, 0, p);
    gf_kernel *k = compile_ok(kb);
    REQUIRE(k);
    CHECK_EQ_U64(k->circuit->n_layers, 7);
    CHECK_EQ_U64(k->n_relays, 5 + (1 + 2 + 3 + 4 + 5 + 6));   /* the sum, then x2..x7 */
    gf_m31 in[24], out[1];
    for (int i = 0; i < 24; i++) in[i] = gf_m31_random(rng);
    CHECK(gf_kernel_eval(k, in, out, NULL, NULL, NULL) == GF_OK);
    gf_m31 *r = residuals(k, in, out, NULL, NULL);
    CHECK(all_zero(r, 2));
    free(r);
    out[0] = gf_m31_add(out[0], 1);
    r = residuals(k, in, out, NULL, NULL);
    CHECK(r[0] == GF_M31_P - 1);
    free(r);
    gf_kernel_free(k);
}

/* A long sum used by several constraints gets one wire instead of being copied into each. */
static void test_shared_sum(gf_rng *rng) {
    uint64_t n = 100, n3 = 3;
    gf_kernel_builder *kb = gf_kb_new(GF_FIELD_M31, NULL);
    int x = gf_kb_input(kb, "x", 1, &n);
    int o = gf_kb_output(kb, "o", 1, &n3);
    gf_var s = gf_kb_in(kb, x, 0);
    for (uint64_t i = 1; i < n; i++) s = gf_kb_add(kb, s, gf_kb_in(kb, x, i));
    for (uint64_t i = 0; i < 3; i++) gf_kb_set(kb, o, i, gf_kb_add(kb, s, gf_kb_in(kb, x, i)));
    gf_kernel *k = compile_ok(kb);
    REQUIRE(k);
    CHECK_EQ_U64(k->circuit->n_layers, 2);
    CHECK(gf_circuit_n_gates(k->circuit) < 150);   /* 100 + relays + 3 x 3, not 3 x 102 */
    gf_m31 in[100], out[3];
    for (int i = 0; i < 100; i++) in[i] = gf_m31_random(rng);
    CHECK(gf_kernel_eval(k, in, out, NULL, NULL, NULL) == GF_OK);
    gf_m31 *r = residuals(k, in, out, NULL, NULL);
    CHECK(all_zero(r, gf_circuit_output_len(k->circuit)));
    free(r);
    gf_kernel_free(k);
}

/* Emulated M31Ext3 against the field implementation; a LogUp-style identity with ext3
 * randomness (as polynomials in alpha, so honest residuals vanish for every draw). */
static void test_ext3(gf_rng *rng) {
    uint64_t n3 = 3, n2 = 2;
    gf_kernel_builder *kb = gf_kb_new(GF_FIELD_M31, NULL);
    int x = gf_kb_input(kb, "x", 1, &n3), y = gf_kb_input(kb, "y", 1, &n3), t = gf_kb_input(kb, "t", 1, &n2);
    int z = gf_kb_output(kb, "z", 1, &n3);
    gf_var xv[3], yv[3], zv[3], al[3];
    for (int i = 0; i < 3; i++) { xv[i] = gf_kb_in(kb, x, (uint64_t)i); yv[i] = gf_kb_in(kb, y, (uint64_t)i); }
    gf_kb_ext3_mul(kb, xv, yv, zv);
    gf_var sum[3];
    gf_kb_ext3_add(kb, xv, yv, sum);
    gf_kb_ext3_sub(kb, sum, yv, sum);
    gf_kb_ext3_mul_base(kb, sum, gf_kb_const(kb, 1), sum);
    for (int i = 0; i < 3; i++) gf_kb_set(kb, z, (uint64_t)i, gf_kb_add(kb, zv[i], gf_kb_sub(kb, sum[i], xv[i])));
    /* (alpha - t0)(alpha - t1) == alpha^2 - (t0 + t1) alpha + t0 t1 */
    gf_kb_random_ext3(kb, al);
    gf_var t0 = gf_kb_in(kb, t, 0), t1 = gf_kb_in(kb, t, 1), zero = gf_kb_const(kb, 0);
    gf_var a0[3] = { gf_kb_sub(kb, al[0], t0), al[1], al[2] }, a1[3] = { gf_kb_sub(kb, al[0], t1), al[1], al[2] };
    gf_var lhs[3], a2[3], rhs[3], ts[3] = { gf_kb_add(kb, t0, t1), zero, zero };
    gf_kb_ext3_mul(kb, a0, a1, lhs);
    gf_kb_ext3_mul(kb, al, al, a2);
    gf_var mid[3];
    gf_kb_ext3_mul(kb, al, ts, mid);
    gf_kb_ext3_sub(kb, a2, mid, rhs);
    gf_var pr[3] = { gf_kb_add(kb, rhs[0], gf_kb_mul(kb, t0, t1)), rhs[1], rhs[2] };
    gf_kb_ext3_assert_equal(kb, lhs, pr);
    gf_kernel *k = compile_ok(kb);
    REQUIRE(k);
    CHECK_EQ_U64(gf_circuit_n_random(k->circuit), 3);
    for (int it = 0; it < 20; it++) {
        gf_m31 in[8], out[3], rnd[3];
        for (int i = 0; i < 8; i++) in[i] = gf_m31_random(rng);
        for (int i = 0; i < 3; i++) rnd[i] = gf_m31_random(rng);
        CHECK(gf_kernel_eval(k, in, out, NULL, NULL, NULL) == GF_OK);
        gf_m31ext3 a = {{ in[0], in[1], in[2] }}, b = {{ in[3], in[4], in[5] }}, p = gf_m31ext3_mul(a, b);
        CHECK(out[0] == p.c[0] && out[1] == p.c[1] && out[2] == p.c[2]);
        gf_m31 *r = residuals(k, in, out, NULL, rnd);
        CHECK(all_zero(r, gf_circuit_output_len(k->circuit)));
        free(r);
    }
    gf_kernel_free(k);
}

/* ---- layout and shapes ---------------------------------------------------------------------- */

static void test_layout_rules(gf_rng *rng) {
    gf_error e;
    uint64_t len[6] = { 4, 8, 4, 1, 8, 2 }, off[6], total;
    CHECK(gf_kernel_layout(6, len, off, &total, &e) == GF_OK);
    /* (8,#4) (8,#1) (4,#2) (4,#0) (2,#5) (1,#3) */
    CHECK_EQ_U64(off[4], 0); CHECK_EQ_U64(off[1], 8); CHECK_EQ_U64(off[2], 16);
    CHECK_EQ_U64(off[0], 20); CHECK_EQ_U64(off[5], 24); CHECK_EQ_U64(off[3], 26);
    CHECK_EQ_U64(total, 27);
    uint64_t bad[2] = { 4, 3 };
    CHECK(gf_kernel_layout(2, bad, off, &total, &e) == GF_ERR_INVALID);
    CHECK(strstr(e.msg, "power of two") != NULL);
    CHECK(gf_kernel_layout(0, NULL, NULL, &total, &e) == GF_OK && total == 0);

    /* Through the compiler: p [3] (pad 4), q [5][3] (pad 8x4 = 32), s scalar, o [2][2], 3 hints.
     * Components: p=0 q=1 s=2 o=3 hints=4; sorted: q(32) hints(4) o(4) p(4) s(1), so
     * offsets q=0 hints=32 o=36 p=40 s=44. */
    gf_kernel_builder *kb = gf_kb_new(GF_FIELD_M31, NULL);
    uint64_t d3 = 3, d53[2] = { 5, 3 }, d22[2] = { 2, 2 };
    int p = gf_kb_input(kb, "p", 1, &d3), q = gf_kb_input(kb, "q", 2, d53), s = gf_kb_input(kb, "s", 0, NULL);
    int o = gf_kb_output(kb, "o", 2, d22);
    gf_var qsum = gf_kb_in(kb, q, 0);
    for (uint64_t i = 1; i < 15; i++) qsum = gf_kb_add(kb, qsum, gf_kb_in(kb, q, i));
    gf_var h[3], hin[2] = { gf_kb_in(kb, p, 0), gf_kb_in(kb, s, 0) };
    CHECK(gf_kb_hint(kb, "sumprod", hint_cb, &kind_sp, hin, 2, h, 2) == GF_OK);
    CHECK(gf_kb_hint(kb, "free", hint_cb, &kind_free, hin, 1, h + 2, 1) == GF_OK);
    gf_kb_assert_equal(kb, h[0], gf_kb_add(kb, hin[0], hin[1]));
    gf_kb_set(kb, o, 0, qsum);
    gf_kb_set(kb, o, 1, h[1]);
    gf_kb_set(kb, o, 2, gf_kb_add(kb, h[2], gf_kb_in(kb, p, 2)));
    gf_kb_set(kb, o, 3, gf_kb_in(kb, p, 1));
    gf_kernel *k = compile_ok(kb);
    REQUIRE(k);
    CHECK_EQ_U64(k->n_components, 5);
    CHECK_EQ_U64(k->hint_comp, 4);
    const uint64_t want_len[5] = { 4, 32, 1, 4, 4 }, want_off[5] = { 40, 0, 44, 36, 32 };
    for (int i = 0; i < 5; i++) { CHECK_EQ_U64(k->comp[i].len, want_len[i]); CHECK_EQ_U64(k->comp[i].offset, want_off[i]); }
    CHECK_EQ_U64(k->layout_len, 45);
    CHECK_EQ_U64(k->circuit->layers[0].in_log, 6);
    CHECK_EQ_U64(k->io[q].in_comp, 1);
    CHECK_EQ_U64(k->io[o].out_comp, 3);
    check_layout(k);
    gf_m31 in[19], out[4], hv[3];
    for (int i = 0; i < 19; i++) in[i] = gf_m31_random(rng);
    CHECK(gf_kernel_eval(k, in, out, hv, NULL, &e) == GF_OK);
    gf_m31 *ci = malloc(64 * sizeof *ci);
    CHECK(gf_kernel_assemble_input(k, in, out, hv, ci, &e) == GF_OK);
    /* q[i][j] at 0 + i*4 + min(j,2), rows 5..7 replicate row 4 */
    for (int i = 0; i < 8; i++)
        for (int j = 0; j < 4; j++) CHECK_EQ_U64(ci[i * 4 + j], in[3 + (i < 5 ? i : 4) * 3 + (j < 3 ? j : 2)]);
    for (int j = 0; j < 4; j++) CHECK_EQ_U64(ci[32 + j], hv[j < 3 ? j : 2]);
    for (int j = 0; j < 4; j++) CHECK_EQ_U64(ci[36 + j], out[j]);
    for (int j = 0; j < 4; j++) CHECK_EQ_U64(ci[40 + j], in[j < 3 ? j : 2]);
    CHECK_EQ_U64(ci[44], in[18]);
    for (int j = 45; j < 64; j++) CHECK_EQ_U64(ci[j], 0);
    free(ci);
    gf_m31 *r = residuals(k, in, out, hv, NULL);
    CHECK(all_zero(r, gf_circuit_output_len(k->circuit)));
    free(r);
    gf_kernel_free(k);
}

static void test_shapes(gf_rng *rng) {
    for (int it = 0; it < 200; it++) {
        uint32_t nd = (uint32_t)gf_rng_below(rng, 5);
        uint64_t dims[4], len = 1, plen = 1;
        for (uint32_t j = 0; j < nd; j++) { dims[j] = 1 + gf_rng_below(rng, 6); len *= dims[j]; plen *= gf_next_pow2(dims[j]); }
        CHECK_EQ_U64(gf_shape_padded_len(nd, dims), plen);
        gf_m31 src[1296], dst[4096];
        for (uint64_t i = 0; i < len; i++) src[i] = (gf_m31)(i + 1);
        gf_shape_pad_replicate_m31(nd, dims, src, dst);
        /* naive: decompose the padded index, clamp each coordinate, recompose */
        for (uint64_t p = 0; p < plen; p++) {
            uint64_t rem = p, si = 0, mul = 1;
            for (uint32_t j = nd; j-- > 0;) {
                uint64_t pd = gf_next_pow2(dims[j]), cj = rem % pd;
                rem /= pd;
                si += (cj < dims[j] ? cj : dims[j] - 1) * mul;
                mul *= dims[j];
            }
            CHECK_EQ_U64(dst[p], src[si]);
        }
        for (uint64_t i = 0; i < len; i++) CHECK_EQ_U64(dst[gf_shape_padded_index(nd, dims, i)], src[i]);
    }
}

/* ---- errors ----------------------------------------------------------------------------------- */

static int compile_fails(gf_kernel_builder *kb, const char *needle) {
    gf_kernel *k = NULL;
    gf_error e;
    memset(&e, 0, sizeof e);
    gf_status st = gf_kernel_compile(kb, &k, &e);
    int ok = st != GF_OK && k == NULL && strstr(e.msg, needle) != NULL;
    if (!ok) fprintf(stderr, "  expected error containing '%s', got status %d: %s\n", needle, (int)st, e.msg);
    gf_kernel_free(k);
    gf_kb_free(kb);
    return ok;
}

static gf_status hint_fail(const gf_m31 *in, size_t n_in, gf_m31 *out, size_t n_out, void *user) {
    (void)user; (void)n_in; (void)n_out;
    if (in[0] == 0) return GF_ERR_WITNESS;
    out[0] = in[0];
    return GF_OK;
}
static gf_status hint_noncanon(const gf_m31 *in, size_t n_in, gf_m31 *out, size_t n_out, void *user) {
    (void)user; (void)n_in; (void)n_out; (void)in;
    out[0] = GF_M31_P;
    return GF_OK;
}

static void test_errors(gf_rng *rng) {
    (void)rng;
    gf_error e;
    uint64_t two = 2, dz[2] = { 3, 0 };
    CHECK(gf_kb_new(GF_FIELD_BN254, &e) == NULL && strstr(e.msg, "not supported") != NULL);

    gf_kernel_builder *kb = gf_kb_new(GF_FIELD_M31, NULL);
    CHECK(compile_fails(kb, "no constraints"));

    kb = gf_kb_new(GF_FIELD_M31, NULL);   /* only trivially true assertions */
    int x = gf_kb_input(kb, "x", 1, &two);
    gf_kb_assert_equal(kb, gf_kb_in(kb, x, 0), gf_kb_in(kb, x, 0));
    CHECK(compile_fails(kb, "no constraints"));

    kb = gf_kb_new(GF_FIELD_M31, NULL);
    x = gf_kb_input(kb, "x", 1, &two);
    int y = gf_kb_input(kb, "unused_y", 0, NULL);
    int o = gf_kb_output(kb, "o", 0, NULL);
    gf_kb_set(kb, o, 0, gf_kb_add(kb, gf_kb_in(kb, x, 0), gf_kb_in(kb, x, 1)));
    (void)y;
    CHECK(compile_fails(kb, "unused IO: input 'unused_y'"));

    kb = gf_kb_new(GF_FIELD_M31, NULL);   /* used only by a cancelling expression */
    x = gf_kb_input(kb, "x", 0, NULL);
    y = gf_kb_input(kb, "y", 0, NULL);
    gf_var yy = gf_kb_in(kb, y, 0);
    gf_kb_assert_zero(kb, gf_kb_add(kb, gf_kb_in(kb, x, 0), gf_kb_sub(kb, yy, yy)));
    CHECK(compile_fails(kb, "unused IO: input 'y'"));

    kb = gf_kb_new(GF_FIELD_M31, NULL);
    x = gf_kb_input(kb, "x", 0, NULL);
    CHECK(gf_kb_div(kb, gf_kb_in(kb, x, 0), gf_kb_const(kb, 0)) == GF_VAR_NONE);
    CHECK(gf_kb_add(kb, gf_kb_in(kb, x, 0), gf_kb_in(kb, x, 0)) == GF_VAR_NONE);   /* sticky */
    CHECK(gf_kb_status(kb, &e) != GF_OK && strstr(e.msg, "division by constant zero") != NULL);
    CHECK(compile_fails(kb, "division by constant zero"));

    kb = gf_kb_new(GF_FIELD_M31, NULL);   /* divisor folds to zero only when compiled */
    x = gf_kb_input(kb, "x", 0, NULL);
    gf_var xv = gf_kb_in(kb, x, 0);
    gf_kb_assert_zero(kb, gf_kb_div(kb, xv, gf_kb_sub(kb, xv, xv)));
    CHECK(compile_fails(kb, "division by constant zero"));

    kb = gf_kb_new(GF_FIELD_M31, NULL);
    CHECK(gf_kb_input(kb, "z", 2, dz) == -1);
    CHECK(compile_fails(kb, "zero dimension"));

    kb = gf_kb_new(GF_FIELD_M31, NULL);
    x = gf_kb_input(kb, "x", 1, &two);
    CHECK(gf_kb_input(kb, "x", 0, NULL) == -1);
    CHECK(compile_fails(kb, "duplicate IO name 'x'"));

    kb = gf_kb_new(GF_FIELD_M31, NULL);
    x = gf_kb_input(kb, "x", 1, &two);
    o = gf_kb_output(kb, "o", 1, &two);
    gf_kb_set(kb, o, 0, gf_kb_in(kb, x, 0));
    gf_kb_assert_zero(kb, gf_kb_in(kb, x, 1));
    CHECK(compile_fails(kb, "output 'o'[1] is never assigned"));

    kb = gf_kb_new(GF_FIELD_M31, NULL);
    x = gf_kb_input(kb, "x", 0, NULL);
    o = gf_kb_output(kb, "o", 0, NULL);
    gf_kb_set(kb, o, 0, gf_kb_mul(kb, gf_kb_in(kb, x, 0), gf_kb_random(kb)));
    CHECK(compile_fails(kb, "depends on a random value"));

    kb = gf_kb_new(GF_FIELD_M31, NULL);
    x = gf_kb_input(kb, "x", 0, NULL);
    {
        gf_var hi = gf_kb_add(kb, gf_kb_in(kb, x, 0), gf_kb_random(kb)), ho;
        CHECK(gf_kb_hint(kb, "h", hint_fail, NULL, &hi, 1, &ho, 1) != GF_OK);
        CHECK(ho == GF_VAR_NONE);
    }
    CHECK(compile_fails(kb, "depends on a random value"));

    kb = gf_kb_new(GF_FIELD_M31, NULL);
    x = gf_kb_input(kb, "x", 0, NULL);
    gf_kb_div(kb, gf_kb_in(kb, x, 0), gf_kb_random(kb));
    CHECK(compile_fails(kb, "random value"));

    kb = gf_kb_new(GF_FIELD_M31, NULL);
    x = gf_kb_input(kb, "x", 0, NULL);
    gf_kb_assert_zero(kb, gf_kb_in(kb, x, 0));
    gf_kb_assert_zero(kb, gf_kb_add_const(kb, gf_kb_sub(kb, gf_kb_in(kb, x, 0), gf_kb_in(kb, x, 0)), 5));
    CHECK(compile_fails(kb, "assert #1 can never hold"));

    kb = gf_kb_new(GF_FIELD_M31, NULL);
    x = gf_kb_input(kb, "x", 0, NULL);
    CHECK(gf_kb_add(kb, gf_kb_in(kb, x, 0), 12345) == GF_VAR_NONE);
    CHECK(compile_fails(kb, "invalid variable id 12345"));

    kb = gf_kb_new(GF_FIELD_M31, NULL);
    x = gf_kb_input(kb, "x", 0, NULL);
    CHECK(gf_kb_in(kb, x, 1) == GF_VAR_NONE);
    CHECK(compile_fails(kb, "out of range"));

    /* call-time errors: hint failure names the hint; division by zero; non-canonical values */
    kb = gf_kb_new(GF_FIELD_M31, NULL);
    x = gf_kb_input(kb, "x", 1, &two);
    o = gf_kb_output(kb, "o", 0, NULL);
    {
        gf_var hi = gf_kb_in(kb, x, 0), ho;
        CHECK(gf_kb_hint(kb, "picky", hint_fail, NULL, &hi, 1, &ho, 1) == GF_OK);
        gf_kb_assert_equal(kb, ho, hi);
        gf_kb_set(kb, o, 0, gf_kb_div(kb, ho, gf_kb_in(kb, x, 1)));
    }
    gf_kernel *k = compile_ok(kb);
    REQUIRE(k);
    gf_m31 in[2] = { 0, 1 }, out[1], hv[2];
    CHECK(gf_kernel_eval(k, in, out, hv, NULL, &e) == GF_ERR_WITNESS && strstr(e.msg, "hint 'picky'") != NULL);
    in[0] = 5; in[1] = 0;
    CHECK(gf_kernel_eval(k, in, out, hv, NULL, &e) == GF_ERR_WITNESS && strstr(e.msg, "division by zero") != NULL);
    in[1] = GF_M31_P;
    CHECK(gf_kernel_eval(k, in, out, hv, NULL, &e) == GF_ERR_INVALID && strstr(e.msg, "canonical") != NULL);
    in[1] = 2;
    CHECK(gf_kernel_eval(k, in, out, hv, NULL, &e) == GF_OK);
    CHECK_EQ_U64(gf_m31_mul(out[0], 2), 5);
    CHECK_EQ_U64(hv[0], 5);
    CHECK_EQ_U64(hv[1], out[0]);
    gf_kernel_free(k);

    kb = gf_kb_new(GF_FIELD_M31, NULL);
    x = gf_kb_input(kb, "x", 0, NULL);
    {
        gf_var hi = gf_kb_in(kb, x, 0), ho;
        CHECK(gf_kb_hint(kb, "bad", hint_noncanon, NULL, &hi, 1, &ho, 1) == GF_OK);
        gf_kb_assert_equal(kb, ho, hi);
    }
    k = compile_ok(kb);
    REQUIRE(k);
    CHECK(gf_kernel_eval(k, in, NULL, NULL, NULL, &e) == GF_ERR_INVALID && strstr(e.msg, "hint 'bad'") != NULL);
    gf_kernel_free(k);
}

/* Stats output mentions every layer; a kernel with an input-output keeps identity outputs. */
static void test_stats_and_inout(gf_rng *rng) {
    uint64_t n4 = 4;
    gf_kernel_builder *kb = gf_kb_new(GF_FIELD_M31, NULL);
    int io = gf_kb_inout(kb, "acc", 1, &n4);
    int x = gf_kb_input(kb, "x", 0, NULL);
    gf_kb_set(kb, io, 2, gf_kb_mul(kb, gf_kb_in(kb, io, 2), gf_kb_in(kb, x, 0)));
    gf_kernel *k = compile_ok(kb);
    REQUIRE(k);
    CHECK_EQ_U64(k->n_components, 3);   /* acc (in), x (in), acc (out) */
    CHECK_EQ_U64(k->io[0].in_comp, 0);
    CHECK_EQ_U64(k->io[0].out_comp, 2);
    gf_m31 in[5], out[4];
    for (int i = 0; i < 5; i++) in[i] = gf_m31_random(rng);
    CHECK(gf_kernel_eval(k, in, out, NULL, NULL, NULL) == GF_OK);
    CHECK(out[0] == in[0] && out[1] == in[1] && out[3] == in[3]);
    CHECK_EQ_U64(out[2], gf_m31_mul(in[2], in[4]));
    gf_m31 *r = residuals(k, in, out, NULL, NULL);
    CHECK(all_zero(r, gf_circuit_output_len(k->circuit)));
    free(r);
    char buf[4096] = { 0 };
    FILE *f = fmemopen(buf, sizeof buf - 1, "w");
    gf_kernel_print_stats(f, k);
    fclose(f);
    CHECK(strstr(buf, "layer   0") != NULL);
    CHECK(strstr(buf, "acc") != NULL);
    gf_kernel_free(k);
}

int main(void) {
    TEST_BEGIN();
    RUN(test_layout_rules);
    RUN(test_shapes);
    RUN(test_add_2_add_16);
    RUN(test_dot_and_mul_line);
    RUN(test_depth_and_relays);
    RUN(test_shared_sum);
    RUN(test_relay_grouping);
    RUN(test_ext3);
    RUN(test_stats_and_inout);
    RUN(test_errors);
    RUN(test_random_kernels);
    return TEST_END();
}
