#include "circuit/circuit.h"
#include <stdlib.h>
#include <string.h>
#include <inttypes.h>

gf_circuit *gf_circuit_new(int field, uint32_t n_layers, gf_error *err) {
    if (field != GF_FIELD_M31 && field != GF_FIELD_BN254) {
        gf_error_set(err, GF_ERR_INVALID, "gf_circuit_new: unknown field id %d", field);
        return NULL;
    }
    if (n_layers < 1 || n_layers > GF_CIRCUIT_MAX_LAYERS) {
        gf_error_set(err, GF_ERR_INVALID, "gf_circuit_new: layer count %" PRIu32 " not in [1, %u]",
                     n_layers, GF_CIRCUIT_MAX_LAYERS);
        return NULL;
    }
    gf_circuit *c = calloc(1, sizeof *c);
    if (c) c->layers = calloc(n_layers, sizeof *c->layers);
    if (!c || !c->layers) {
        free(c);
        gf_error_set(err, GF_ERR_NOMEM, "gf_circuit_new: out of memory for %" PRIu32 " layers", n_layers);
        return NULL;
    }
    c->field = field;
    c->n_layers = n_layers;
    return c;
}

void gf_circuit_free(gf_circuit *c) {
    if (!c) return;
    if (c->layers) {
        for (uint32_t i = 0; i < c->n_layers; i++) {
            free(c->layers[i].mul);
            free(c->layers[i].add);
            free(c->layers[i].cst);
        }
    }
    free(c->layers);
    free(c->coef_kind);
    free(c->coef_m31);
    free(c->coef_fr);
    free(c);
}

gf_status gf_circuit_alloc_coefs(gf_circuit *c, uint32_t n_coefs, gf_error *err) {
    if (!c) return gf_error_set(err, GF_ERR_INVALID, "gf_circuit_alloc_coefs: NULL circuit");
    free(c->coef_kind); free(c->coef_m31); free(c->coef_fr);
    c->coef_kind = NULL; c->coef_m31 = NULL; c->coef_fr = NULL;
    c->n_coefs = 0;
    size_t n = n_coefs ? n_coefs : 1;   /* never NULL, even for an empty table */
    c->coef_kind = calloc(n, 1);
    int ok = c->coef_kind != NULL;
    if (c->field == GF_FIELD_M31) ok = ok && (c->coef_m31 = calloc(n, sizeof *c->coef_m31)) != NULL;
    else ok = ok && (c->coef_fr = calloc(n, sizeof *c->coef_fr)) != NULL;
    if (!ok) return gf_error_set(err, GF_ERR_NOMEM, "out of memory for %" PRIu32 " coefficients", n_coefs);
    c->n_coefs = n_coefs;
    return GF_OK;
}

gf_status gf_circuit_alloc_layer(gf_circuit *c, uint32_t i, uint32_t in_log, uint32_t out_log,
                                 uint64_t n_mul, uint64_t n_add, uint64_t n_const, gf_error *err) {
    if (!c || i >= c->n_layers)
        return gf_error_set(err, GF_ERR_INVALID, "gf_circuit_alloc_layer: no layer %" PRIu32, i);
    gf_layer *l = &c->layers[i];
    free(l->mul); free(l->add); free(l->cst);
    memset(l, 0, sizeof *l);
    l->in_log = in_log;
    l->out_log = out_log;
    if (n_mul > SIZE_MAX / sizeof(gf_gate_mul) || n_add > SIZE_MAX / sizeof(gf_gate_add) ||
        n_const > SIZE_MAX / sizeof(gf_gate_const))
        return gf_error_set(err, GF_ERR_NOMEM, "layer %" PRIu32 ": gate counts too large", i);
    /* size 1 minimum so a non-NULL pointer always comes back */
    l->mul = calloc(n_mul ? n_mul : 1, sizeof *l->mul);
    l->add = calloc(n_add ? n_add : 1, sizeof *l->add);
    l->cst = calloc(n_const ? n_const : 1, sizeof *l->cst);
    if (!l->mul || !l->add || !l->cst)
        return gf_error_set(err, GF_ERR_NOMEM, "layer %" PRIu32 ": out of memory for %" PRIu64 " mul, %"
                            PRIu64 " add, %" PRIu64 " const gates", i, n_mul, n_add, n_const);
    l->n_mul = n_mul;
    l->n_add = n_add;
    l->n_const = n_const;
    return GF_OK;
}

/* BN254 r in Montgomery-limb terms: a valid element's limbs are < r. */
static int gf_circuit_fr_limbs_ok_(const gf_bn254fr *a) {
    static const uint64_t r[4] = { 0x43e1f593f0000001ull, 0x2833e84879b97091ull,
                                   0xb85045b68181585dull, 0x30644e72e131a029ull };
    for (int i = 3; i >= 0; i--) {
        if (a->l[i] < r[i]) return 1;
        if (a->l[i] > r[i]) return 0;
    }
    return 0;
}

gf_status gf_circuit_validate(const gf_circuit *c, gf_error *err) {
    if (!c) return gf_error_set(err, GF_ERR_INVALID, "circuit is NULL");
    if (c->field != GF_FIELD_M31 && c->field != GF_FIELD_BN254)
        return gf_error_set(err, GF_ERR_INVALID, "circuit field id %d is not m31 (1) or bn254 (2)", c->field);
    if (c->n_layers < 1 || c->n_layers > GF_CIRCUIT_MAX_LAYERS || !c->layers)
        return gf_error_set(err, GF_ERR_INVALID, "circuit has %" PRIu32 " layers (need 1..%u)",
                            c->n_layers, GF_CIRCUIT_MAX_LAYERS);
    if (c->n_coefs > 0) {
        if (!c->coef_kind)
            return gf_error_set(err, GF_ERR_INVALID, "circuit has %" PRIu32 " coefficients but no kind array", c->n_coefs);
        if (c->field == GF_FIELD_M31 && !c->coef_m31)
            return gf_error_set(err, GF_ERR_INVALID, "m31 circuit has %" PRIu32 " coefficients but coef_m31 is NULL", c->n_coefs);
        if (c->field == GF_FIELD_BN254 && !c->coef_fr)
            return gf_error_set(err, GF_ERR_INVALID, "bn254 circuit has %" PRIu32 " coefficients but coef_fr is NULL", c->n_coefs);
    }
    for (uint32_t j = 0; j < c->n_coefs; j++) {
        uint8_t k = c->coef_kind[j];
        if (k != GF_COEF_CONST && k != GF_COEF_RANDOM)
            return gf_error_set(err, GF_ERR_INVALID, "coefficient %" PRIu32 ": kind %u is neither const (0) nor random (1)", j, k);
        if (c->field == GF_FIELD_M31) {
            gf_m31 v = c->coef_m31[j];
            if (v >= GF_M31_P)
                return gf_error_set(err, GF_ERR_INVALID, "coefficient %" PRIu32 ": value %" PRIu32 " is not a canonical m31 element", j, v);
            if (k == GF_COEF_RANDOM && v != 0)
                return gf_error_set(err, GF_ERR_INVALID, "coefficient %" PRIu32 ": random entry has value %" PRIu32 " (must be 0)", j, v);
        } else {
            const gf_bn254fr *v = &c->coef_fr[j];
            if (!gf_circuit_fr_limbs_ok_(v))
                return gf_error_set(err, GF_ERR_INVALID, "coefficient %" PRIu32 ": bn254 limbs not reduced (top limb 0x%016" PRIx64 ")", j, v->l[3]);
            if (k == GF_COEF_RANDOM && (v->l[0] | v->l[1] | v->l[2] | v->l[3]))
                return gf_error_set(err, GF_ERR_INVALID, "coefficient %" PRIu32 ": random entry has a non-zero value", j);
        }
    }
    for (uint32_t i = 0; i < c->n_layers; i++) {
        const gf_layer *l = &c->layers[i];
        if (l->in_log > GF_CIRCUIT_MAX_LOG || l->out_log > GF_CIRCUIT_MAX_LOG)
            return gf_error_set(err, GF_ERR_INVALID, "layer %" PRIu32 ": in_log %" PRIu32 " / out_log %" PRIu32 " exceeds %u",
                                i, l->in_log, l->out_log, GF_CIRCUIT_MAX_LOG);
        if (i + 1 < c->n_layers && l->out_log != c->layers[i + 1].in_log)
            return gf_error_set(err, GF_ERR_INVALID, "layer %" PRIu32 ": out_log %" PRIu32 " does not match in_log %" PRIu32 " of layer %" PRIu32,
                                i, l->out_log, c->layers[i + 1].in_log, i + 1);
        if ((l->n_mul && !l->mul) || (l->n_add && !l->add) || (l->n_const && !l->cst))
            return gf_error_set(err, GF_ERR_INVALID, "layer %" PRIu32 ": gate array missing", i);
        const uint64_t in_n = 1ull << l->in_log, out_n = 1ull << l->out_log;
        for (uint64_t g = 0; g < l->n_mul; g++) {
            const gf_gate_mul *m = &l->mul[g];
            const char *what = NULL; uint64_t v = 0, lim = 0;
            if (m->out >= out_n) { what = "out"; v = m->out; lim = out_n; }
            else if (m->in0 >= in_n) { what = "in0"; v = m->in0; lim = in_n; }
            else if (m->in1 >= in_n) { what = "in1"; v = m->in1; lim = in_n; }
            else if (m->coef >= c->n_coefs) { what = "coef"; v = m->coef; lim = c->n_coefs; }
            if (what)
                return gf_error_set(err, GF_ERR_INVALID, "layer %" PRIu32 ": mul gate %" PRIu64 ": %s index %" PRIu64 " out of range (must be < %" PRIu64 ")",
                                    i, g, what, v, lim);
        }
        for (uint64_t g = 0; g < l->n_add; g++) {
            const gf_gate_add *a = &l->add[g];
            const char *what = NULL; uint64_t v = 0, lim = 0;
            if (a->out >= out_n) { what = "out"; v = a->out; lim = out_n; }
            else if (a->in >= in_n) { what = "in"; v = a->in; lim = in_n; }
            else if (a->coef >= c->n_coefs) { what = "coef"; v = a->coef; lim = c->n_coefs; }
            if (what)
                return gf_error_set(err, GF_ERR_INVALID, "layer %" PRIu32 ": add gate %" PRIu64 ": %s index %" PRIu64 " out of range (must be < %" PRIu64 ")",
                                    i, g, what, v, lim);
        }
        for (uint64_t g = 0; g < l->n_const; g++) {
            const gf_gate_const *k = &l->cst[g];
            const char *what = NULL; uint64_t v = 0, lim = 0;
            if (k->out >= out_n) { what = "out"; v = k->out; lim = out_n; }
            else if (k->coef >= c->n_coefs) { what = "coef"; v = k->coef; lim = c->n_coefs; }
            if (what)
                return gf_error_set(err, GF_ERR_INVALID, "layer %" PRIu32 ": const gate %" PRIu64 ": %s index %" PRIu64 " out of range (must be < %" PRIu64 ")",
                                    i, g, what, v, lim);
        }
    }
    return GF_OK;
}

uint32_t gf_circuit_n_random(const gf_circuit *c) {
    uint32_t n = 0;
    for (uint32_t j = 0; j < c->n_coefs; j++) n += c->coef_kind[j] == GF_COEF_RANDOM;
    return n;
}

uint64_t gf_circuit_n_gates(const gf_circuit *c) {
    uint64_t n = 0;
    for (uint32_t i = 0; i < c->n_layers; i++)
        n += c->layers[i].n_mul + c->layers[i].n_add + c->layers[i].n_const;
    return n;
}

gf_status gf_circuit_coefs_fill_m31(const gf_circuit *c, const gf_m31 *rnd, gf_m31 *out, gf_error *err) {
    if (c->field != GF_FIELD_M31)
        return gf_error_set(err, GF_ERR_INVALID, "coefs_fill_m31: circuit field is %s", gf_field_name(c->field));
    uint32_t r = 0;
    for (uint32_t j = 0; j < c->n_coefs; j++) {
        if (c->coef_kind[j] == GF_COEF_RANDOM) {
            if (!rnd) return gf_error_set(err, GF_ERR_INVALID, "coefs_fill_m31: coefficient %" PRIu32 " is random but no values given", j);
            out[j] = rnd[r++];
        } else {
            out[j] = c->coef_m31[j];
        }
    }
    return GF_OK;
}

gf_status gf_circuit_coefs_fill_bn254(const gf_circuit *c, const gf_bn254fr *rnd, gf_bn254fr *out, gf_error *err) {
    if (c->field != GF_FIELD_BN254)
        return gf_error_set(err, GF_ERR_INVALID, "coefs_fill_bn254: circuit field is %s", gf_field_name(c->field));
    uint32_t r = 0;
    for (uint32_t j = 0; j < c->n_coefs; j++) {
        if (c->coef_kind[j] == GF_COEF_RANDOM) {
            if (!rnd) return gf_error_set(err, GF_ERR_INVALID, "coefs_fill_bn254: coefficient %" PRIu32 " is random but no values given", j);
            out[j] = rnd[r++];
        } else {
            out[j] = c->coef_fr[j];
        }
    }
    return GF_OK;
}
