/* Circuit evaluation: the packed M31x16 evaluator (runs inside every proof) and the scalar
 * references for M31 and BN254. One pass over the gates of each layer; the only allocations
 * are the per-layer value arrays the caller receives (or two scratch arrays for the scalar
 * paths). */
#include "circuit/circuit.h"
#include "common/util.h"
#include <stdlib.h>
#include <string.h>
#include <inttypes.h>

void gf_circuit_vals_free(const gf_circuit *c, gf_m31x16 **vals) {
    if (!vals) return;
    for (uint32_t i = 0; c && i <= c->n_layers; i++) gf_free_aligned(vals[i]);
    free(vals);
}

/* out += coef * t, with the coefficient values that dominate real circuits (+-1, +-2)
 * handled without a multiplication. */
static inline gf_m31x16 gf_circuit_acc_(gf_m31x16 out, gf_m31x16 t, gf_m31 cv) {
    if (cv == 1) return gf_m31x16_add(out, t);
    if (cv == GF_M31_P - 1) return gf_m31x16_sub(out, t);
    if (cv == 2) return gf_m31x16_add(out, gf_m31x16_dbl(t));
    if (cv == GF_M31_P - 2) return gf_m31x16_sub(out, gf_m31x16_dbl(t));
    if (cv == 0) return out;
    return gf_m31x16_mul_add(t, gf_m31x16_broadcast(cv), out);
}

/* One layer of one block. first == NULL: every gate adds to out (cleared by the caller).
 * Else first/zero come from an evaluation plan: first writers store onto a zero vector (the
 * pointer select keeps the loop free of unpredictable branches) and unwritten outputs are
 * zeroed. Always inlined, so each caller gets the variant it uses. */
static inline __attribute__((always_inline)) void gf_circuit_eval_layer_m31x16_(const gf_layer *l, const gf_m31 *coefs,
                                                                                const gf_m31x16 *restrict in, gf_m31x16 *restrict out,
                                                                                const uint64_t *first, const uint32_t *zero,
                                                                                uint64_t n_zero) {
    const gf_m31x16 z = gf_m31x16_zero();
#define GF_EVAL_BASE_(g, o) ((first && (first[(g) >> 6] >> ((g) & 63) & 1)) ? &z : &out[o])
    uint64_t g = 0;
    const gf_gate_mul *mul = l->mul;
    for (uint64_t k = 0; k < l->n_mul; k++, g++) {
        gf_m31x16 t = gf_m31x16_mul(in[mul[k].in0], in[mul[k].in1]);
        out[mul[k].out] = gf_circuit_acc_(*GF_EVAL_BASE_(g, mul[k].out), t, coefs[mul[k].coef]);
    }
    const gf_gate_add *add = l->add;
    for (uint64_t k = 0; k < l->n_add; k++, g++)
        out[add[k].out] = gf_circuit_acc_(*GF_EVAL_BASE_(g, add[k].out), in[add[k].in], coefs[add[k].coef]);
    const gf_gate_const *cst = l->cst;
    for (uint64_t k = 0; k < l->n_const; k++, g++)
        out[cst[k].out] = gf_m31x16_add(*GF_EVAL_BASE_(g, cst[k].out), gf_m31x16_broadcast(coefs[cst[k].coef]));
#undef GF_EVAL_BASE_
    for (uint64_t k = 0; k < n_zero; k++) out[zero[k]] = z;
}

static gf_status gf_circuit_eval_check_(const gf_circuit *c, const gf_m31 *coefs, int need_coefs, uint64_t n_blocks,
                                        gf_error *err) {
    if (!c || c->field != GF_FIELD_M31)
        return gf_error_set(err, GF_ERR_INVALID, "eval_m31x16: circuit field is %s, need m31",
                            c ? gf_field_name(c->field) : "(null)");
    if (n_blocks == 0 || (need_coefs && c->n_coefs && !coefs))
        return gf_error_set(err, GF_ERR_INVALID, "eval_m31x16: %s", n_blocks == 0 ? "n_blocks is 0" : "NULL coefficients");
    for (uint32_t i = 0; i <= c->n_layers; i++) {
        uint32_t lg = i < c->n_layers ? c->layers[i].in_log : c->layers[i - 1].out_log;
        if (n_blocks > (SIZE_MAX / sizeof(gf_m31x16)) >> lg)
            return gf_error_set(err, GF_ERR_INVALID, "eval_m31x16: %" PRIu64 " blocks x 2^%" PRIu32 " values overflow memory", n_blocks, lg);
    }
    return GF_OK;
}

gf_status gf_circuit_vals_alloc(const gf_circuit *c, uint64_t n_blocks, gf_m31x16 ***vals_out, gf_error *err) {
    if (!vals_out) return gf_error_set(err, GF_ERR_INVALID, "vals_alloc: vals is NULL");
    *vals_out = NULL;
    gf_status st = gf_circuit_eval_check_(c, NULL, 0, n_blocks, err);
    if (st) return st;
    gf_m31x16 **vals = calloc((size_t)c->n_layers + 1, sizeof *vals);
    if (!vals) return gf_error_set(err, GF_ERR_NOMEM, "vals_alloc: out of memory");
    for (uint32_t i = 0; i <= c->n_layers; i++) {
        uint32_t lg = i < c->n_layers ? c->layers[i].in_log : c->layers[i - 1].out_log;
        vals[i] = gf_alloc_aligned(n_blocks << lg, sizeof(gf_m31x16));
        if (!vals[i]) {
            gf_circuit_vals_free(c, vals);
            return gf_error_set(err, GF_ERR_NOMEM, "vals_alloc: out of memory for layer %" PRIu32 " values (%" PRIu64 " blocks)", i, n_blocks);
        }
    }
    *vals_out = vals;
    return GF_OK;
}

static void gf_circuit_eval_layers_(const gf_circuit *c, const gf_m31 *coefs, uint64_t n_blocks,
                                    gf_m31x16 **vals, int zero_outputs) {
    for (uint32_t i = 0; i < c->n_layers; i++) {
        const gf_layer *l = &c->layers[i];
        const uint64_t in_n = 1ull << l->in_log, out_n = 1ull << l->out_log;
        if (zero_outputs) memset(vals[i + 1], 0, n_blocks * out_n * sizeof(gf_m31x16));
        /* block-outer keeps one block's input and output arrays hot in cache */
        for (uint64_t b = 0; b < n_blocks; b++)
            gf_circuit_eval_layer_m31x16_(l, coefs, vals[i] + b * in_n, vals[i + 1] + b * out_n, NULL, NULL, 0);
    }
}

gf_status gf_circuit_eval_m31x16_into(const gf_circuit *c, const gf_m31 *coefs, uint64_t n_blocks,
                                      gf_m31x16 **vals, gf_error *err) {
    gf_status st = gf_circuit_eval_check_(c, coefs, 1, n_blocks, err);
    if (st) return st;
    if (!vals) return gf_error_set(err, GF_ERR_INVALID, "eval_m31x16_into: vals is NULL");
    for (uint32_t i = 0; i <= c->n_layers; i++)
        if (!vals[i]) return gf_error_set(err, GF_ERR_INVALID, "eval_m31x16_into: vals[%" PRIu32 "] is NULL", i);
    gf_circuit_eval_layers_(c, coefs, n_blocks, vals, 1);
    return GF_OK;
}

gf_status gf_circuit_eval_m31x16(const gf_circuit *c, const gf_m31 *coefs, const gf_m31x16 *input,
                                 uint64_t n_blocks, gf_m31x16 ***vals_out, gf_error *err) {
    if (!vals_out) return gf_error_set(err, GF_ERR_INVALID, "eval_m31x16: vals is NULL");
    *vals_out = NULL;
    gf_status st = gf_circuit_eval_check_(c, coefs, 1, n_blocks, err);
    if (st) return st;
    if (!input) return gf_error_set(err, GF_ERR_INVALID, "eval_m31x16: NULL input");
    gf_m31x16 **vals = NULL;
    if ((st = gf_circuit_vals_alloc(c, n_blocks, &vals, err))) return st;
    memcpy(vals[0], input, (n_blocks << c->layers[0].in_log) * sizeof(gf_m31x16));
    gf_circuit_eval_layers_(c, coefs, n_blocks, vals, 0);   /* fresh arrays are already zero */
    *vals_out = vals;
    return GF_OK;
}

struct gf_circuit_eval_plan {
    uint32_t n_layers;
    uint64_t **first;     /* per layer: bit g = gate g (mul, then add, then const) writes first */
    uint32_t **zero;      /* per layer: outputs no gate writes */
    uint64_t *n_zero;
};

void gf_circuit_eval_plan_free(gf_circuit_eval_plan *p) {
    if (!p) return;
    for (uint32_t i = 0; i < p->n_layers; i++) {
        if (p->first) free(p->first[i]);
        if (p->zero) free(p->zero[i]);
    }
    free(p->first); free(p->zero); free(p->n_zero);
    free(p);
}

gf_status gf_circuit_eval_plan_new(gf_circuit_eval_plan **out, const gf_circuit *c, gf_error *err) {
    if (!out) return gf_error_set(err, GF_ERR_INVALID, "eval_plan_new: out is NULL");
    *out = NULL;
    if (!c) return gf_error_set(err, GF_ERR_INVALID, "eval_plan_new: circuit is NULL");
    gf_circuit_eval_plan *p = calloc(1, sizeof *p);
    if (!p) return gf_error_set(err, GF_ERR_NOMEM, "eval_plan_new: out of memory");
    p->n_layers = c->n_layers;
    p->first = calloc(c->n_layers, sizeof *p->first);
    p->zero = calloc(c->n_layers, sizeof *p->zero);
    p->n_zero = calloc(c->n_layers, sizeof *p->n_zero);
    uint64_t *seen = NULL;
    gf_status st = (!p->first || !p->zero || !p->n_zero) ? GF_ERR_NOMEM : GF_OK;
    for (uint32_t i = 0; !st && i < c->n_layers; i++) {
        const gf_layer *l = &c->layers[i];
        uint64_t ng = l->n_mul + l->n_add + l->n_const, no = 1ull << l->out_log;
        p->first[i] = calloc(ng / 64 + 1, sizeof(uint64_t));
        free(seen);
        seen = calloc(no / 64 + 1, sizeof(uint64_t));
        if (!p->first[i] || !seen) { st = GF_ERR_NOMEM; break; }
        for (uint64_t g = 0; g < ng; g++) {
            uint32_t o = g < l->n_mul ? l->mul[g].out : g < l->n_mul + l->n_add ? l->add[g - l->n_mul].out
                                                                                 : l->cst[g - l->n_mul - l->n_add].out;
            if (!(seen[o >> 6] >> (o & 63) & 1)) {
                seen[o >> 6] |= 1ull << (o & 63);
                p->first[i][g >> 6] |= 1ull << (g & 63);
            }
        }
        uint64_t nz = 0;
        for (uint64_t o = 0; o < no; o++) nz += !(seen[o >> 6] >> (o & 63) & 1);
        p->zero[i] = malloc((nz + 1) * sizeof(uint32_t));
        if (!p->zero[i]) { st = GF_ERR_NOMEM; break; }
        for (uint64_t o = 0; o < no; o++)
            if (!(seen[o >> 6] >> (o & 63) & 1)) p->zero[i][p->n_zero[i]++] = (uint32_t)o;
    }
    free(seen);
    if (st) { gf_circuit_eval_plan_free(p); return gf_error_set(err, st, "eval_plan_new: out of memory"); }
    *out = p;
    return GF_OK;
}

gf_status gf_circuit_eval_m31x16_plan(const gf_circuit *c, const gf_circuit_eval_plan *p, const gf_m31 *coefs,
                                      uint64_t n_blocks, gf_m31x16 **vals, gf_error *err) {
    gf_status st = gf_circuit_eval_check_(c, coefs, 1, n_blocks, err);
    if (st) return st;
    if (!vals || !p || p->n_layers != c->n_layers)
        return gf_error_set(err, GF_ERR_INVALID, "eval_m31x16_plan: %s", !vals ? "vals is NULL" : "plan missing or not made for this circuit");
    for (uint32_t i = 0; i <= c->n_layers; i++)
        if (!vals[i]) return gf_error_set(err, GF_ERR_INVALID, "eval_m31x16_plan: vals[%" PRIu32 "] is NULL", i);
    for (uint32_t i = 0; i < c->n_layers; i++) {
        const gf_layer *l = &c->layers[i];
        const uint64_t in_n = 1ull << l->in_log, out_n = 1ull << l->out_log;
        for (uint64_t b = 0; b < n_blocks; b++)
            gf_circuit_eval_layer_m31x16_(l, coefs, vals[i] + b * in_n, vals[i + 1] + b * out_n, p->first[i], p->zero[i], p->n_zero[i]);
    }
    return GF_OK;
}

static uint32_t gf_circuit_max_log_(const gf_circuit *c) {
    uint32_t m = c->layers[0].in_log;
    for (uint32_t i = 0; i < c->n_layers; i++) if (c->layers[i].out_log > m) m = c->layers[i].out_log;
    return m;
}

gf_status gf_circuit_eval_m31(const gf_circuit *c, const gf_m31 *coefs, const gf_m31 *input,
                              gf_m31 *output, gf_error *err) {
    if (!c || c->field != GF_FIELD_M31)
        return gf_error_set(err, GF_ERR_INVALID, "eval_m31: circuit field is %s, need m31",
                            c ? gf_field_name(c->field) : "(null)");
    if (!input || !output || (c->n_coefs && !coefs))
        return gf_error_set(err, GF_ERR_INVALID, "eval_m31: NULL input, output or coefficients");
    size_t n = (size_t)1 << gf_circuit_max_log_(c);
    gf_m31 *a = malloc(n * sizeof *a), *b = malloc(n * sizeof *b);
    if (!a || !b) { free(a); free(b); return gf_error_set(err, GF_ERR_NOMEM, "eval_m31: out of memory"); }
    memcpy(a, input, ((size_t)1 << c->layers[0].in_log) * sizeof *a);
    for (uint32_t i = 0; i < c->n_layers; i++) {
        const gf_layer *l = &c->layers[i];
        memset(b, 0, ((size_t)1 << l->out_log) * sizeof *b);
        for (uint64_t g = 0; g < l->n_mul; g++) {
            const gf_gate_mul *m = &l->mul[g];
            b[m->out] = gf_m31_add(b[m->out], gf_m31_mul(coefs[m->coef], gf_m31_mul(a[m->in0], a[m->in1])));
        }
        for (uint64_t g = 0; g < l->n_add; g++) {
            const gf_gate_add *d = &l->add[g];
            b[d->out] = gf_m31_add(b[d->out], gf_m31_mul(coefs[d->coef], a[d->in]));
        }
        for (uint64_t g = 0; g < l->n_const; g++)
            b[l->cst[g].out] = gf_m31_add(b[l->cst[g].out], coefs[l->cst[g].coef]);
        gf_m31 *t = a; a = b; b = t;
    }
    memcpy(output, a, ((size_t)1 << c->layers[c->n_layers - 1].out_log) * sizeof *a);
    free(a); free(b);
    return GF_OK;
}

gf_status gf_circuit_eval_bn254(const gf_circuit *c, const gf_bn254fr *coefs, const gf_bn254fr *input,
                                gf_bn254fr *output, gf_error *err) {
    if (!c || c->field != GF_FIELD_BN254)
        return gf_error_set(err, GF_ERR_INVALID, "eval_bn254: circuit field is %s, need bn254",
                            c ? gf_field_name(c->field) : "(null)");
    if (!input || !output || (c->n_coefs && !coefs))
        return gf_error_set(err, GF_ERR_INVALID, "eval_bn254: NULL input, output or coefficients");
    size_t n = (size_t)1 << gf_circuit_max_log_(c);
    gf_bn254fr *a = malloc(n * sizeof *a), *b = malloc(n * sizeof *b);
    if (!a || !b) { free(a); free(b); return gf_error_set(err, GF_ERR_NOMEM, "eval_bn254: out of memory"); }
    memcpy(a, input, ((size_t)1 << c->layers[0].in_log) * sizeof *a);
    for (uint32_t i = 0; i < c->n_layers; i++) {
        const gf_layer *l = &c->layers[i];
        memset(b, 0, ((size_t)1 << l->out_log) * sizeof *b);   /* all-zero limbs = 0 */
        gf_bn254fr t;
        for (uint64_t g = 0; g < l->n_mul; g++) {
            const gf_gate_mul *m = &l->mul[g];
            gf_bn254fr_mul(&t, &a[m->in0], &a[m->in1]);
            gf_bn254fr_mul(&t, &t, &coefs[m->coef]);
            gf_bn254fr_add(&b[m->out], &b[m->out], &t);
        }
        for (uint64_t g = 0; g < l->n_add; g++) {
            const gf_gate_add *d = &l->add[g];
            gf_bn254fr_mul(&t, &a[d->in], &coefs[d->coef]);
            gf_bn254fr_add(&b[d->out], &b[d->out], &t);
        }
        for (uint64_t g = 0; g < l->n_const; g++)
            gf_bn254fr_add(&b[l->cst[g].out], &b[l->cst[g].out], &coefs[l->cst[g].coef]);
        gf_bn254fr *s = a; a = b; b = s;
    }
    memcpy(output, a, ((size_t)1 << c->layers[c->n_layers - 1].out_log) * sizeof *a);
    free(a); free(b);
    return GF_OK;
}
