/* GKR verifier for M31: replays the transcript, checks every sumcheck round and each
 * layer's final gate equation. Cost is linear in the number of gates (as Expander's). */
#include <stdlib.h>
#include <string.h>
#include "common/util.h"
#include "gkr/gkr.h"
#include "gkr/mle.h"

typedef struct {
    gf_transcript *t;
    gf_reader *r;
    gf_error *err;
    gf_status st;
} vctx;

/* Reads n extension elements and absorbs them; sets st on truncation / non-canonical bytes. */
static int recv(vctx *V, gf_m31ext3 *out, size_t n, uint32_t layer, const char *what) {
    for (size_t i = 0; i < n; i++) {
        size_t pos = V->r->pos;
        const uint8_t *b = gf_reader_take(V->r, 12, what);
        if (!b) {
            V->st = gf_error_set(V->err, GF_ERR_FORMAT, "proof truncated at byte %zu: layer %u, %s", pos, layer, what);
            return -1;
        }
        if (gf_m31ext3_from_bytes(&out[i], b)) {
            V->st = gf_error_set(V->err, GF_ERR_FORMAT, "proof byte %zu: non-canonical field element in layer %u, %s", pos,
                                 layer, what);
            return -1;
        }
    }
    gf_transcript_append_m31ext3s(V->t, out, n);
    return 0;
}

/* Gate sums sum_g Z[out] coef E1[a] (E2[b]) in batches of 16 gates: lanes are gathered from
 * the packed eq tables and multiplied as M31Ext3x16 (one packed product per 16 gates instead
 * of 16 scalar extension products); the lanes are summed once at the end. */
static gf_m31ext3 add_gate_sum(const gf_layer *L, const gf_m31 *coefs, const gf_m31ext3x16 *Z, const gf_m31ext3x16 *E) {
    gf_m31ext3x16 acc = gf_m31ext3x16_zero();
    uint64_t g = 0;
    for (; g + 16 <= L->n_add; g += 16) {
        gf_m31ext3x16 z, e;
        gf_m31x16 cf;
        for (int j = 0; j < 16; j++) {
            const gf_gate_add *G = &L->add[g + (uint64_t)j];
            gf_m31ext3x16_set_lane(&z, j, gf_eq16_at(Z, G->out));
            gf_m31ext3x16_set_lane(&e, j, gf_eq16_at(E, G->in));
            cf.v[j] = coefs[G->coef];
        }
        acc = gf_m31ext3x16_add(acc, gf_m31ext3x16_mul(gf_m31ext3x16_mul_base(z, cf), e));
    }
    gf_m31ext3 s = gf_m31ext3x16_hsum(acc);
    for (; g < L->n_add; g++) {
        const gf_gate_add *G = &L->add[g];
        s = gf_m31ext3_add(s, gf_m31ext3_mul(gf_m31ext3_mul_base(gf_eq16_at(Z, G->out), coefs[G->coef]), gf_eq16_at(E, G->in)));
    }
    return s;
}

static gf_m31ext3 mul_gate_sum(const gf_layer *L, const gf_m31 *coefs, const gf_m31ext3x16 *Z, const gf_m31ext3x16 *E1,
                               const gf_m31ext3x16 *E2) {
    gf_m31ext3x16 acc = gf_m31ext3x16_zero();
    uint64_t g = 0;
    for (; g + 16 <= L->n_mul; g += 16) {
        gf_m31ext3x16 z, a, b;
        gf_m31x16 cf;
        for (int j = 0; j < 16; j++) {
            const gf_gate_mul *G = &L->mul[g + (uint64_t)j];
            gf_m31ext3x16_set_lane(&z, j, gf_eq16_at(Z, G->out));
            gf_m31ext3x16_set_lane(&a, j, gf_eq16_at(E1, G->in0));
            gf_m31ext3x16_set_lane(&b, j, gf_eq16_at(E2, G->in1));
            cf.v[j] = coefs[G->coef];
        }
        acc = gf_m31ext3x16_add(acc, gf_m31ext3x16_mul(gf_m31ext3x16_mul_base(z, cf), gf_m31ext3x16_mul(a, b)));
    }
    gf_m31ext3 s = gf_m31ext3x16_hsum(acc);
    for (; g < L->n_mul; g++) {
        const gf_gate_mul *G = &L->mul[g];
        gf_m31ext3 zc = gf_m31ext3_mul_base(gf_eq16_at(Z, G->out), coefs[G->coef]);
        s = gf_m31ext3_add(s, gf_m31ext3_mul(zc, gf_m31ext3_mul(gf_eq16_at(E1, G->in0), gf_eq16_at(E2, G->in1))));
    }
    return s;
}

gf_status gf_gkr_m31_verify(const gf_circuit *c, const gf_m31 *coefs, uint64_t n_blocks, const gf_m31 *outputs,
                            gf_transcript *t, gf_reader *proof, gf_gkr_claims *out, gf_error *err) {
    memset(out, 0, sizeof *out);
    if (c->field != GF_FIELD_M31) return gf_error_set(err, GF_ERR_INVALID, "GKR M31 verifier given a %s circuit", gf_field_name(c->field));
    if (!gf_is_pow2(n_blocks) || n_blocks > (1u << 20))
        return gf_error_set(err, GF_ERR_INVALID, "number of 16-instance blocks must be a power of two <= 2^20, got %llu",
                            (unsigned long long)n_blocks);
    unsigned kb = gf_log2_u64(n_blocks), nsb = 4 + kb, nmax = 0;
    for (uint32_t l = 0; l < c->n_layers; l++) {
        if (c->layers[l].in_log > nmax) nmax = c->layers[l].in_log;
        if (c->layers[l].out_log > nmax) nmax = c->layers[l].out_log;
    }
    size_t tv = gf_eq16_vectors(nmax);
    gf_m31ext3x16 *Z = gf_alloc_aligned(tv, sizeof *Z), *T = gf_alloc_aligned(tv, sizeof *T), *EX = gf_alloc_aligned(tv, sizeof *EX);
    gf_m31ext3 *rz0 = malloc((nmax + 1) * sizeof *rz0), *rz1 = malloc((nmax + 1) * sizeof *rz1);
    gf_m31ext3 *rx = malloc((nmax + 1) * sizeof *rx), *ry = malloc((nmax + 1) * sizeof *ry);
    gf_m31ext3 *rsb = malloc(nsb * sizeof *rsb), *rsb2 = malloc(nsb * sizeof *rsb2);
    vctx V = {t, proof, err, GF_OK};
    if (!Z || !T || !EX || !rz0 || !rz1 || !rx || !ry || !rsb || !rsb2) {
        V.st = gf_error_set(err, GF_ERR_NOMEM, "out of memory in the GKR verifier");
        goto done;
    }
    const gf_layer *Lo = &c->layers[c->n_layers - 1];
    gf_transcript_append_label(t, "gkr-output");
    gf_transcript_challenge_m31ext3_vec(t, rz0, Lo->out_log);
    gf_transcript_challenge_m31ext3_vec(t, rsb, nsb);
    int has_rz1 = 0;
    gf_m31ext3 c0 = gf_m31ext3_zero(), c1 = gf_m31ext3_zero(), vx = c0, vy = c0;
    if (outputs) {
        /* point in (lane, wire, block) order */
        unsigned no = Lo->out_log, nv = nsb + no;
        gf_m31ext3 *pt = malloc(nv * sizeof *pt);
        if (!pt) { V.st = gf_error_set(err, GF_ERR_NOMEM, "out of memory in the GKR verifier"); goto done; }
        memcpy(pt, rsb, 4 * sizeof *pt);
        memcpy(pt + 4, rz0, no * sizeof *pt);
        memcpy(pt + 4 + no, rsb + 4, kb * sizeof *pt);
        c0 = gf_mle_eval_m31(outputs, pt, nv);
        free(pt);
    }
    for (uint32_t l = c->n_layers; l-- > 0;) {
        const gf_layer *L = &c->layers[l];
        const unsigned n = L->in_log, mo = L->out_log;
        if (gf_mle_eq_table_x16(Z, rz0, mo, gf_m31ext3_one())) { V.st = gf_error_set(err, GF_ERR_NOMEM, "out of memory"); goto done; }
        gf_m31ext3 S = c0;
        if (has_rz1) {
            gf_m31ext3 alpha = gf_transcript_challenge_m31ext3(t);
            if (gf_mle_eq_table_x16(T, rz1, mo, alpha)) { V.st = gf_error_set(err, GF_ERR_NOMEM, "out of memory"); goto done; }
            for (size_t z = 0; z < gf_eq16_vectors(mo); z++) Z[z] = gf_m31ext3x16_add(Z[z], T[z]);
            S = gf_m31ext3_add(S, gf_m31ext3_mul(alpha, c1));
        }
        for (uint64_t g = 0; g < L->n_const; g++)
            S = gf_m31ext3_sub(S, gf_m31ext3_mul_base(gf_eq16_at(Z, L->cst[g].out), coefs[L->cst[g].coef]));
        gf_m31ext3 ev[4];
        for (unsigned j = 0; j < n; j++) {
            if (recv(&V, ev, 3, l, "phase-1 round")) goto done;
            if (!gf_m31ext3_eq(gf_m31ext3_add(ev[0], ev[1]), S)) {
                V.st = gf_error_set(err, GF_ERR_VERIFY, "layer %u, phase 1 (x), round %u: p(0)+p(1) does not match the claim", l, j);
                goto done;
            }
            rx[j] = gf_transcript_challenge_m31ext3(t);
            S = gf_interp_deg2(ev, rx[j]);
        }
        for (unsigned j = 0; j < nsb; j++) {
            if (recv(&V, ev, 4, l, "lane/block round")) goto done;
            if (!gf_m31ext3_eq(gf_m31ext3_add(ev[0], ev[1]), S)) {
                V.st = gf_error_set(err, GF_ERR_VERIFY, "layer %u, phase 1 (lane/block variables), round %u: p(0)+p(1) does not match the claim", l, j);
                goto done;
            }
            rsb2[j] = gf_transcript_challenge_m31ext3(t);
            S = gf_interp_deg3(ev, rsb2[j]);
        }
        if (recv(&V, &vx, 1, l, "claim V(rx)")) goto done;
        gf_m31ext3 eqsb = gf_mle_eq_point(rsb, rsb2, nsb);
        if (gf_mle_eq_table_x16(EX, rx, n, gf_m31ext3_one())) { V.st = gf_error_set(err, GF_ERR_NOMEM, "out of memory"); goto done; }
        gf_m31ext3 add = add_gate_sum(L, coefs, Z, EX);
        gf_m31ext3 evx = gf_m31ext3_mul(eqsb, vx);
        if (L->n_mul) {
            gf_m31ext3 S2 = gf_m31ext3_sub(S, gf_m31ext3_mul(evx, add));
            for (unsigned j = 0; j < n; j++) {
                if (recv(&V, ev, 3, l, "phase-2 round")) goto done;
                if (!gf_m31ext3_eq(gf_m31ext3_add(ev[0], ev[1]), S2)) {
                    V.st = gf_error_set(err, GF_ERR_VERIFY, "layer %u, phase 2 (y), round %u: p(0)+p(1) does not match the claim", l, j);
                    goto done;
                }
                ry[n - 1 - j] = gf_transcript_challenge_m31ext3(t);
                S2 = gf_interp_deg2(ev, ry[n - 1 - j]);
            }
            if (recv(&V, &vy, 1, l, "claim V(ry)")) goto done;
            if (gf_mle_eq_table_x16(T, ry, n, gf_m31ext3_one())) { V.st = gf_error_set(err, GF_ERR_NOMEM, "out of memory"); goto done; }
            gf_m31ext3 mul = mul_gate_sum(L, coefs, Z, EX, T);
            if (!gf_m31ext3_eq(S2, gf_m31ext3_mul(gf_m31ext3_mul(evx, vy), mul))) {
                V.st = gf_error_set(err, GF_ERR_VERIFY, "layer %u: final check of the multiplication gates failed", l);
                goto done;
            }
            has_rz1 = 1;
        } else {
            if (!gf_m31ext3_eq(S, gf_m31ext3_mul(evx, add))) {
                V.st = gf_error_set(err, GF_ERR_VERIFY, "layer %u: final check of the addition gates failed", l);
                goto done;
            }
            has_rz1 = 0;
        }
        memcpy(rz0, rx, n * sizeof *rx);
        if (has_rz1) memcpy(rz1, ry, n * sizeof *ry);
        memcpy(rsb, rsb2, nsb * sizeof *rsb);
        c0 = vx;
        c1 = vy;
    }
    {
        const gf_layer *L0 = &c->layers[0];
        unsigned n0 = L0->in_log, nv = nsb + n0;
        out->n = has_rz1 ? 2 : 1;
        for (int k = 0; k < out->n; k++) {
            gf_gkr_claim *cl = &out->c[k];
            cl->n_vars = nv;
            cl->point = malloc(nv * sizeof *cl->point);
            if (!cl->point) { gf_gkr_claims_free(out); V.st = gf_error_set(err, GF_ERR_NOMEM, "out of memory"); goto done; }
            const gf_m31ext3 *rw = k == 0 ? rz0 : rz1;
            memcpy(cl->point, rsb, 4 * sizeof *cl->point);
            memcpy(cl->point + 4, rw, n0 * sizeof *cl->point);
            memcpy(cl->point + 4 + n0, rsb + 4, kb * sizeof *cl->point);
            cl->value = k == 0 ? c0 : c1;
        }
    }
done:
    gf_free_aligned(Z); gf_free_aligned(T); gf_free_aligned(EX); free(rz0); free(rz1); free(rx); free(ry); free(rsb); free(rsb2);
    if (V.st) gf_gkr_claims_free(out);
    return V.st;
}
