/* Random layered circuits for the GKR tests (test_gkr.c, test_cheat_m31.c, test_circuit_proof.c,
 * test_mpigkr.c; the gate pushers also serve test_gkrbn254.c), and a naive scalar M31 evaluator
 * to check provers against.
 *
 * Layout of gf_testc_m31_random: every layer has 2^n wires; wires [0,h) compute, [h,2h) relay
 * the expected values of the final compute wires. Layer `depth` takes differences d = f - y,
 * the last layer scales them by RANDOM coefficients (and multiplies some by other wires), so
 * the outputs are zero exactly when the expected wires hold f(x). Every layer that may have
 * mul gates (all but layer 0 unless input_mul) and the last layer have at least one, so "with
 * mul gates" really exercises them; some outputs get several gates.
 * All functions are static inline so a test that uses only some of them builds with -Werror. */
#ifndef GKRFLOW_TESTS_GKR_TESTCIRCUITS_H
#define GKRFLOW_TESTS_GKR_TESTCIRCUITS_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "circuit/circuit.h"
#include "common/rng.h"
#include "field/m31.h"

static inline void gf_testc_push_mul(gf_layer *L, uint32_t o, uint32_t a, uint32_t b, uint32_t cf) {
    L->mul = realloc(L->mul, (L->n_mul + 1) * sizeof *L->mul);
    L->mul[L->n_mul++] = (gf_gate_mul){o, a, b, cf};
}
static inline void gf_testc_push_add(gf_layer *L, uint32_t o, uint32_t a, uint32_t cf) {
    L->add = realloc(L->add, (L->n_add + 1) * sizeof *L->add);
    L->add[L->n_add++] = (gf_gate_add){o, a, cf};
}
static inline void gf_testc_push_cst(gf_layer *L, uint32_t o, uint32_t cf) {
    L->cst = realloc(L->cst, (L->n_const + 1) * sizeof *L->cst);
    L->cst[L->n_const++] = (gf_gate_const){o, cf};
}

/* Wires of layer l's input (l = n_layers: the output layer). */
static inline size_t gf_testc_width(const gf_circuit *c, uint32_t l) {
    return (size_t)1 << (l < c->n_layers ? c->layers[l].in_log : c->layers[c->n_layers - 1].out_log);
}

static inline uint32_t gf_testc_m31_coef(gf_circuit *c, int kind, gf_m31 v) {
    c->coef_kind = realloc(c->coef_kind, c->n_coefs + 1);
    c->coef_m31 = realloc(c->coef_m31, (c->n_coefs + 1) * sizeof(gf_m31));
    c->coef_kind[c->n_coefs] = (uint8_t)kind;
    c->coef_m31[c->n_coefs] = kind == GF_COEF_RANDOM ? 0 : v;
    return c->n_coefs++;
}

static inline gf_circuit *gf_testc_m31_random(gf_rng *rng, unsigned n, unsigned depth, int input_mul, unsigned out_log) {
    gf_error err;
    gf_circuit *c = calloc(1, sizeof *c);
    c->field = GF_FIELD_M31;
    c->n_layers = depth + 2;
    c->layers = calloc(c->n_layers, sizeof *c->layers);
    uint32_t one = gf_testc_m31_coef(c, GF_COEF_CONST, 1), mone = gf_testc_m31_coef(c, GF_COEF_CONST, GF_M31_P - 1);
    uint32_t h = 1u << (n - 1);
    for (unsigned l = 0; l < depth; l++) {
        gf_layer *L = &c->layers[l];
        L->in_log = n; L->out_log = n;
        int mul_ok = input_mul || l > 0;
        for (uint32_t o = 0; o < h; o++) {
            int k = (int)gf_rng_below(rng, 4);
            uint32_t cf = gf_rng_below(rng, 3) ? gf_testc_m31_coef(c, GF_COEF_CONST, gf_m31_random(rng)) : one;
            if ((k == 0 || k == 3) && mul_ok) gf_testc_push_mul(L, o, (uint32_t)gf_rng_below(rng, h), (uint32_t)gf_rng_below(rng, h), cf);
            if (k == 1 || k == 3 || !mul_ok) gf_testc_push_add(L, o, (uint32_t)gf_rng_below(rng, h), cf);
            if (k == 2) {
                gf_testc_push_add(L, o, (uint32_t)gf_rng_below(rng, h), cf);
                gf_testc_push_cst(L, o, gf_testc_m31_coef(c, GF_COEF_CONST, gf_m31_random(rng)));
            }
            if (gf_rng_below(rng, 4) == 0) gf_testc_push_add(L, o, (uint32_t)gf_rng_below(rng, h), one);
        }
        if (mul_ok && !L->n_mul) gf_testc_push_mul(L, 0, 0, h - 1, one);
        for (uint32_t o = h; o < 2 * h; o++) gf_testc_push_add(L, o, o, one);   /* relay expected values */
    }
    /* diff layer: d_o = f_o - y_o for o < h; out has 2^n wires (upper half zero) */
    gf_layer *D = &c->layers[depth];
    D->in_log = n; D->out_log = n;
    for (uint32_t o = 0; o < h; o++) { gf_testc_push_add(D, o, o, one); gf_testc_push_add(D, o, h + o, mone); }
    /* random scaling layer: out_q = sum over o with o % 2^out_log == q of r*d_o (+ r'*d_o*d_o') */
    gf_layer *R = &c->layers[depth + 1];
    R->in_log = n; R->out_log = out_log;
    for (uint32_t o = 0; o < h; o++) {
        uint32_t q = o & ((1u << out_log) - 1);
        gf_testc_push_add(R, q, o, gf_testc_m31_coef(c, GF_COEF_RANDOM, 0));
        if (gf_rng_below(rng, 2))
            gf_testc_push_mul(R, q, o, (uint32_t)gf_rng_below(rng, 2 * h), gf_testc_m31_coef(c, GF_COEF_RANDOM, 0));
    }
    if (!R->n_mul) gf_testc_push_mul(R, 0, 0, 2 * h - 1, gf_testc_m31_coef(c, GF_COEF_RANDOM, 0));
    if (gf_circuit_validate(c, &err) != GF_OK) { fprintf(stderr, "generator bug: %s\n", err.msg); abort(); }
    return c;
}

/* A dense random circuit with arbitrary (non-zero) outputs: depth layers of 2^n wires, 2^(n-1)
 * mul gates and 2^n add gates at random wires, n_const constant gates; coefficients 1, a random
 * constant and a RANDOM one. */
static inline gf_circuit *gf_testc_m31_dense(gf_rng *rng, unsigned n, unsigned depth, uint64_t n_const) {
    gf_error err;
    gf_circuit *c = gf_circuit_new(GF_FIELD_M31, depth, &err);
    gf_circuit_alloc_coefs(c, 3, &err);
    c->coef_m31[0] = 1;
    c->coef_m31[1] = gf_m31_random(rng);
    c->coef_kind[2] = GF_COEF_RANDOM;
    for (unsigned l = 0; l < depth; l++) {
        uint32_t m = 1u << n;
        gf_circuit_alloc_layer(c, l, n, n, m / 2, m, n_const, &err);
        gf_layer *L = &c->layers[l];
        for (uint64_t g = 0; g < L->n_mul; g++)
            L->mul[g] = (gf_gate_mul){(uint32_t)gf_rng_below(rng, m), (uint32_t)gf_rng_below(rng, m), (uint32_t)gf_rng_below(rng, m), (uint32_t)gf_rng_below(rng, 3)};
        for (uint64_t g = 0; g < L->n_add; g++)
            L->add[g] = (gf_gate_add){(uint32_t)g, (uint32_t)gf_rng_below(rng, m), (uint32_t)gf_rng_below(rng, 3)};
        for (uint64_t g = 0; g < L->n_const; g++) L->cst[g] = (gf_gate_const){(uint32_t)gf_rng_below(rng, m), 1};
    }
    if (gf_circuit_validate(c, &err)) { fprintf(stderr, "generator bug: %s\n", err.msg); abort(); }
    return c;
}

/* Naive scalar evaluation of one instance: vals[l][x] = wire x of layer l's input. */
static inline void gf_testc_m31_eval(const gf_circuit *c, const gf_m31 *coefs, const gf_m31 *in, gf_m31 **vals) {
    memcpy(vals[0], in, gf_testc_width(c, 0) * sizeof(gf_m31));
    for (uint32_t l = 0; l < c->n_layers; l++) {
        const gf_layer *L = &c->layers[l];
        gf_m31 *o = vals[l + 1];
        const gf_m31 *v = vals[l];
        memset(o, 0, gf_testc_width(c, l + 1) * sizeof(gf_m31));
        for (uint64_t g = 0; g < L->n_mul; g++)
            o[L->mul[g].out] = gf_m31_add(o[L->mul[g].out], gf_m31_mul(coefs[L->mul[g].coef], gf_m31_mul(v[L->mul[g].in0], v[L->mul[g].in1])));
        for (uint64_t g = 0; g < L->n_add; g++)
            o[L->add[g].out] = gf_m31_add(o[L->add[g].out], gf_m31_mul(coefs[L->add[g].coef], v[L->add[g].in]));
        for (uint64_t g = 0; g < L->n_const; g++) o[L->cst[g].out] = gf_m31_add(o[L->cst[g].out], coefs[L->cst[g].coef]);
    }
}

#endif
