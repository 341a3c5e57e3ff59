/* Computation graph: lifetime, validation, circuit copies, witnesses in memory. */
#include "graph/graph.h"
#include "graph/graph_internal.h"
#include "common/util.h"
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

void gf_graph_free(gf_graph *g) {
    if (!g) return;
    if (g->kernels)
        for (uint32_t i = 0; i < g->n_kernels; i++) {
            gf_circuit_free(g->kernels[i].circuit);
            free(g->kernels[i].comp_len);
            free(g->kernels[i].comp_offset);
        }
    if (g->templates)
        for (uint32_t i = 0; i < g->n_templates; i++) {
            free(g->templates[i].commit);
            free(g->templates[i].broadcast);
        }
    free(g->kernels);
    free(g->commit_len);
    free(g->templates);
    free(g);
}

void gf_graph_free_borrowed_(gf_graph *g) {
    if (!g) return;
    if (g->kernels)
        for (uint32_t i = 0; i < g->n_kernels; i++) g->kernels[i].circuit = NULL;
    gf_graph_free(g);
}

gf_status gf_graph_circuit_copy_(const gf_circuit *c, gf_circuit **out, gf_error *err) {
    *out = NULL;
    gf_circuit *d = gf_circuit_new(c->field, c->n_layers, err);
    if (!d) return err ? err->code : GF_ERR_NOMEM;
    gf_status st = gf_circuit_alloc_coefs(d, c->n_coefs, err);
    if (!st && c->n_coefs) {
        memcpy(d->coef_kind, c->coef_kind, c->n_coefs);
        if (c->field == GF_FIELD_M31) memcpy(d->coef_m31, c->coef_m31, c->n_coefs * sizeof *c->coef_m31);
        else memcpy(d->coef_fr, c->coef_fr, c->n_coefs * sizeof *c->coef_fr);
    }
    for (uint32_t i = 0; i < c->n_layers && !st; i++) {
        const gf_layer *l = &c->layers[i];
        st = gf_circuit_alloc_layer(d, i, l->in_log, l->out_log, l->n_mul, l->n_add, l->n_const, err);
        if (st) break;
        memcpy(d->layers[i].mul, l->mul, (size_t)l->n_mul * sizeof *l->mul);
        memcpy(d->layers[i].add, l->add, (size_t)l->n_add * sizeof *l->add);
        memcpy(d->layers[i].cst, l->cst, (size_t)l->n_const * sizeof *l->cst);
    }
    if (st) { gf_circuit_free(d); return st; }
    *out = d;
    return GF_OK;
}

int gf_graph_circuit_equal_(const gf_circuit *a, const gf_circuit *b) {
    if (a == b) return 1;
    if (!a || !b || a->field != b->field || a->n_layers != b->n_layers || a->n_coefs != b->n_coefs) return 0;
    if (a->n_coefs && memcmp(a->coef_kind, b->coef_kind, a->n_coefs)) return 0;
    if (a->field == GF_FIELD_M31) {
        if (a->n_coefs && memcmp(a->coef_m31, b->coef_m31, a->n_coefs * sizeof *a->coef_m31)) return 0;
    } else {
        for (uint32_t j = 0; j < a->n_coefs; j++)
            if (!gf_bn254fr_eq(&a->coef_fr[j], &b->coef_fr[j])) return 0;
    }
    for (uint32_t i = 0; i < a->n_layers; i++) {
        const gf_layer *x = &a->layers[i], *y = &b->layers[i];
        if (x->in_log != y->in_log || x->out_log != y->out_log || x->n_mul != y->n_mul || x->n_add != y->n_add ||
            x->n_const != y->n_const)
            return 0;
        if ((x->n_mul && memcmp(x->mul, y->mul, (size_t)x->n_mul * sizeof *x->mul)) ||
            (x->n_add && memcmp(x->add, y->add, (size_t)x->n_add * sizeof *x->add)) ||
            (x->n_const && memcmp(x->cst, y->cst, (size_t)x->n_const * sizeof *x->cst)))
            return 0;
    }
    return 1;
}

gf_status gf_graph_validate(const gf_graph *g, gf_error *err) {
    if (!g) return gf_error_set(err, GF_ERR_INVALID, "graph is NULL");
    if (g->field != GF_FIELD_M31)
        return gf_error_set(err, GF_ERR_INVALID, "graph field %d is not m31 (%d)", g->field, GF_FIELD_M31);
    if ((g->n_kernels && !g->kernels) || (g->n_commitments && !g->commit_len) || (g->n_templates && !g->templates))
        return gf_error_set(err, GF_ERR_INVALID, "graph: an array is NULL");
    for (uint32_t i = 0; i < g->n_kernels; i++) {
        const gf_graph_kernel *k = &g->kernels[i];
        if (!memchr(k->name, 0, GF_GRAPH_NAME_MAX))
            return gf_error_set(err, GF_ERR_INVALID, "graph: kernel %" PRIu32 ": name is not NUL-terminated", i);
        if (!k->circuit) return gf_error_set(err, GF_ERR_INVALID, "graph: kernel %" PRIu32 " '%s': no circuit", i, k->name);
        gf_status st = gf_circuit_validate(k->circuit, err);
        if (st) return gf_error_prefix(err, "graph: kernel %" PRIu32 " '%s'", i, k->name);
        if (k->circuit->field != GF_FIELD_M31)
            return gf_error_set(err, GF_ERR_INVALID, "graph: kernel %" PRIu32 " '%s': circuit field is %s, not m31", i, k->name,
                                gf_field_name(k->circuit->field));
        if (k->n_components < 1 || !k->comp_len || !k->comp_offset)
            return gf_error_set(err, GF_ERR_INVALID, "graph: kernel %" PRIu32 " '%s': no components", i, k->name);
        const uint64_t in_len = gf_circuit_input_len(k->circuit);
        for (uint32_t c = 0; c < k->n_components; c++) {
            uint64_t l = k->comp_len[c], o = k->comp_offset[c];
            if (!gf_is_pow2(l) || l > in_len || o % l || o > in_len - l)
                return gf_error_set(err, GF_ERR_INVALID, "graph: kernel %" PRIu32 " '%s': component %" PRIu32 " (length %" PRIu64
                                    ", offset %" PRIu64 ") is not a power-of-two slice aligned to its length inside the circuit "
                                    "input of %" PRIu64 " values", i, k->name, c, l, o, in_len);
            /* aligned power-of-two slices are disjoint or nested: nested means equal start */
            for (uint32_t d = 0; d < c; d++) {
                uint64_t l2 = k->comp_len[d], o2 = k->comp_offset[d];
                if (o < o2 + l2 && o2 < o + l)
                    return gf_error_set(err, GF_ERR_INVALID, "graph: kernel %" PRIu32 " '%s': components %" PRIu32 " and %" PRIu32
                                        " overlap ([%" PRIu64 ", +%" PRIu64 ") and [%" PRIu64 ", +%" PRIu64 "))", i, k->name, d, c,
                                        o2, l2, o, l);
            }
        }
    }
    for (uint32_t i = 0; i < g->n_commitments; i++)
        if (!gf_is_pow2(g->commit_len[i]) || g->commit_len[i] > GF_GRAPH_MAX_LEN)
            return gf_error_set(err, GF_ERR_INVALID, "graph: commitment %" PRIu32 " has length %" PRIu64
                                ", not a power of two <= 2^40", i, g->commit_len[i]);
    for (uint32_t t = 0; t < g->n_templates; t++) {
        const gf_graph_template *tp = &g->templates[t];
        if (tp->kernel >= g->n_kernels)
            return gf_error_set(err, GF_ERR_INVALID, "graph: template %" PRIu32 ": kernel %" PRIu32 " out of range (%" PRIu32 " kernels)",
                                t, tp->kernel, g->n_kernels);
        const gf_graph_kernel *k = &g->kernels[tp->kernel];
        const uint64_t P = tp->parallel_count;
        if (!gf_is_pow2(P) || P > GF_GRAPH_MAX_LEN)
            return gf_error_set(err, GF_ERR_INVALID, "graph: template %" PRIu32 " (kernel '%s'): parallel count %" PRIu64
                                " is not a power of two <= 2^40", t, k->name, P);
        if (tp->n_instances > P)
            return gf_error_set(err, GF_ERR_INVALID, "graph: template %" PRIu32 " (kernel '%s'): %" PRIu64 " instances exceed the "
                                "parallel count %" PRIu64, t, k->name, tp->n_instances, P);
        if (!tp->commit || !tp->broadcast)
            return gf_error_set(err, GF_ERR_INVALID, "graph: template %" PRIu32 ": commit or broadcast array is NULL", t);
        int part = 0;
        for (uint32_t c = 0; c < k->n_components; c++) {
            if (tp->commit[c] >= g->n_commitments)
                return gf_error_set(err, GF_ERR_INVALID, "graph: template %" PRIu32 " (kernel '%s') component %" PRIu32
                                    ": commitment %" PRIu32 " out of range (%" PRIu32 " commitments)", t, k->name, c,
                                    tp->commit[c], g->n_commitments);
            if (tp->broadcast[c] > 1)
                return gf_error_set(err, GF_ERR_INVALID, "graph: template %" PRIu32 " component %" PRIu32 ": broadcast flag %u "
                                    "is not 0 or 1", t, c, tp->broadcast[c]);
            uint64_t want = k->comp_len[c];
            if (!tp->broadcast[c]) {
                part = 1;
                if (__builtin_mul_overflow(want, P, &want)) want = 0;
            }
            if (g->commit_len[tp->commit[c]] != want)
                return gf_error_set(err, GF_ERR_INVALID, "graph: template %" PRIu32 " (kernel '%s') component %" PRIu32
                                    " (%s, length %" PRIu64 ", parallel count %" PRIu64 "): commitment %" PRIu32 " has length %"
                                    PRIu64 ", expected %" PRIu64, t, k->name, c, tp->broadcast[c] ? "broadcast" : "partitioned",
                                    k->comp_len[c], P, tp->commit[c], g->commit_len[tp->commit[c]],
                                    tp->broadcast[c] ? k->comp_len[c] : k->comp_len[c] * P);
        }
        if (!part)
            return gf_error_set(err, GF_ERR_INVALID, "graph: template %" PRIu32 " (kernel '%s'): every component is broadcast", t,
                                k->name);
    }
    return GF_OK;
}

/* ---- witnesses in memory -------------------------------------------------------------------- */

void gf_graph_witness_free(gf_graph_witness *w) {
    if (!w) return;
    if (w->vec)
        for (uint32_t i = 0; i < w->n; i++) free(w->vec[i]);
    free(w->vec);
    free(w->len);
    free(w);
}

gf_status gf_graph_witness_alloc_(gf_graph_witness **out, uint32_t n, const uint64_t *len, gf_error *err) {
    *out = NULL;
    gf_graph_witness *w = calloc(1, sizeof *w);
    if (!w) return gf_error_set(err, GF_ERR_NOMEM, "graph witness: out of memory");
    w->len = calloc(n ? n : 1, sizeof *w->len);
    w->vec = calloc(n ? n : 1, sizeof *w->vec);
    if (!w->len || !w->vec) { gf_graph_witness_free(w); return gf_error_set(err, GF_ERR_NOMEM, "graph witness: out of memory"); }
    w->n = n;
    for (uint32_t i = 0; i < n; i++) {
        w->len[i] = len[i];
        if (len[i] > SIZE_MAX / sizeof(gf_m31) || !(w->vec[i] = calloc((size_t)len[i] ? (size_t)len[i] : 1, sizeof(gf_m31)))) {
            gf_graph_witness_free(w);
            return gf_error_set(err, GF_ERR_NOMEM, "graph witness: out of memory for vector %" PRIu32 " (%" PRIu64 " values)", i, len[i]);
        }
    }
    *out = w;
    return GF_OK;
}

gf_status gf_graph_witness_new(gf_graph_witness **out, const gf_graph *g, gf_error *err) {
    if (!out) return gf_error_set(err, GF_ERR_INVALID, "gf_graph_witness_new: NULL output");
    *out = NULL;
    gf_status st = gf_graph_validate(g, err);
    if (st) return gf_error_prefix(err, "graph witness");
    gf_graph_witness *w = NULL;
    if ((st = gf_graph_witness_alloc_(&w, g->n_commitments, g->commit_len, err))) return st;
    if ((st = gf_graph_digest(g, w->graph_digest, err))) { gf_graph_witness_free(w); return st; }
    *out = w;
    return GF_OK;
}

gf_status gf_graph_witness_check(const gf_graph_witness *w, const gf_graph *g, gf_error *err) {
    uint8_t d[32];
    if (!w || !g) return gf_error_set(err, GF_ERR_INVALID, "witness check: NULL witness or graph");
    gf_status st = gf_graph_digest(g, d, err);
    if (st) return st;
    return gf_graph_witness_check_digest(w, g, d, err);
}

gf_status gf_graph_witness_check_digest(const gf_graph_witness *w, const gf_graph *g, const uint8_t d[32], gf_error *err) {
    if (!w || !g || !d) return gf_error_set(err, GF_ERR_INVALID, "witness check: NULL witness, graph or digest");
    if (w->n != g->n_commitments)
        return gf_error_set(err, GF_ERR_INVALID, "witness has %" PRIu32 " vectors, the graph %" PRIu32 " commitments", w->n,
                            g->n_commitments);
    if (w->n && (!w->len || !w->vec)) return gf_error_set(err, GF_ERR_INVALID, "witness: NULL arrays");
    for (uint32_t i = 0; i < w->n; i++)
        if (w->len[i] != g->commit_len[i] || !w->vec[i])
            return gf_error_set(err, GF_ERR_INVALID, "witness vector %" PRIu32 " has length %" PRIu64 ", the graph's commitment %"
                                PRIu64, i, w->vec[i] ? w->len[i] : 0, g->commit_len[i]);
    if (memcmp(d, w->graph_digest, 32) != 0)
        return gf_error_set(err, GF_ERR_INVALID, "witness belongs to another graph (its graph digest %02x%02x%02x%02x... differs "
                            "from this graph's %02x%02x%02x%02x...)", w->graph_digest[0], w->graph_digest[1],
                            w->graph_digest[2], w->graph_digest[3], d[0], d[1], d[2], d[3]);
    /* branch-free over chunks (vectorised: 5 MB in ~0.05 ms); the index only on failure */
    for (uint32_t i = 0; i < w->n; i++)
        for (uint64_t j0 = 0; j0 < w->len[i]; j0 += 4096) {
            const uint64_t j1 = w->len[i] - j0 < 4096 ? w->len[i] : j0 + 4096;
            uint32_t bad = 0;
            for (uint64_t j = j0; j < j1; j++) bad |= (uint32_t)(w->vec[i][j] >= GF_M31_P);
            for (uint64_t j = j0; bad && j < j1; j++)
                if (w->vec[i][j] >= GF_M31_P)
                    return gf_error_set(err, GF_ERR_INVALID, "witness vector %" PRIu32 " value %" PRIu64 " = %" PRIu32
                                        " is not a canonical m31 element", i, j, w->vec[i][j]);
        }
    return GF_OK;
}
