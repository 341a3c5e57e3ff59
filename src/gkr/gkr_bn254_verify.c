/* GKR verifier for BN254 Fr: replays the transcript, checks every sumcheck round and each
 * layer's final gate equation; cost linear in the number of gates (mirrors gkr_m31_verify.c). */
#include <stdlib.h>
#include <string.h>
#include "common/util.h"
#include "gkr/gkr_bn254.h"
#include "gkr/mle_bn254.h"

typedef struct {
    gf_transcript *t;
    gf_reader *r;
    gf_error *err;
    gf_status st;
} vctx;

/* Reads n elements and absorbs them; sets st on truncation / non-canonical bytes. */
static int recv(vctx *V, gf_bn254fr *out, size_t n, uint32_t layer, const char *what) {
    for (size_t i = 0; i < n; i++) {
        size_t pos = V->r->pos;
        const uint8_t *b = gf_reader_take(V->r, 32, what);
        if (!b) {
            V->st = gf_error_set(V->err, GF_ERR_FORMAT, "proof truncated at byte %zu: layer %u, %s", pos, layer, what);
            return -1;
        }
        if (gf_bn254fr_from_bytes_be(&out[i], b)) {
            V->st = gf_error_set(V->err, GF_ERR_FORMAT, "proof byte %zu: non-canonical field element in layer %u, %s", pos,
                                 layer, what);
            return -1;
        }
    }
    gf_transcript_append_bn254frs(V->t, out, n);
    return 0;
}

static int sum_ok(const gf_bn254fr *ev, const gf_bn254fr *S) {
    gf_bn254fr s;
    gf_bn254fr_add(&s, &ev[0], &ev[1]);
    return gf_bn254fr_eq(&s, S);
}

gf_status gf_gkr_bn254_verify(const gf_circuit *c, const gf_bn254fr *coefs, uint64_t n_instances,
                              const gf_bn254fr *outputs, gf_transcript *t, gf_reader *proof,
                              gf_gkr_bn254_claims *out, gf_error *err) {
    memset(out, 0, sizeof *out);
    if (c->field != GF_FIELD_BN254) return gf_error_set(err, GF_ERR_INVALID, "GKR BN254 verifier given a %s circuit", gf_field_name(c->field));
    if (!gf_is_pow2(n_instances) || n_instances > GF_GKR_BN254_MAX_INSTANCES)
        return gf_error_set(err, GF_ERR_INVALID, "number of instances must be a power of two <= 2^24, got %llu",
                            (unsigned long long)n_instances);
    const size_t fs = sizeof(gf_bn254fr);
    unsigned nb = gf_log2_u64(n_instances), nmax = 0;
    for (uint32_t l = 0; l < c->n_layers; l++) {
        if (c->layers[l].in_log > nmax) nmax = c->layers[l].in_log;
        if (c->layers[l].out_log > nmax) nmax = c->layers[l].out_log;
    }
    size_t tsz = (size_t)1 << nmax;
    gf_bn254fr *Z = malloc(tsz * fs), *T = malloc(tsz * fs), *EX = malloc(tsz * fs);
    gf_bn254fr *rz0 = malloc((nmax + 1) * fs), *rz1 = malloc((nmax + 1) * fs);
    gf_bn254fr *rx = malloc((nmax + 1) * fs), *ry = malloc((nmax + 1) * fs);
    gf_bn254fr *rb = malloc((nb + 1) * fs), *rb2 = malloc((nb + 1) * fs), *pt = malloc((nmax + nb + 1) * fs);
    vctx V = {t, proof, err, GF_OK};
    if (!Z || !T || !EX || !rz0 || !rz1 || !rx || !ry || !rb || !rb2 || !pt) {
        V.st = gf_error_set(err, GF_ERR_NOMEM, "out of memory in the GKR verifier");
        goto done;
    }
    const gf_layer *Lo = &c->layers[c->n_layers - 1];
    gf_transcript_append_label(t, "gkr-output");
    gf_transcript_challenge_bn254fr_vec(t, rz0, Lo->out_log);
    gf_transcript_challenge_bn254fr_vec(t, rb, nb);
    int has_rz1 = 0;
    gf_bn254fr c0, c1, vx, vy, tmp;
    gf_bn254fr_zero(&c0); gf_bn254fr_zero(&c1); gf_bn254fr_zero(&vx); gf_bn254fr_zero(&vy);
    if (outputs) {
        /* point in (wire, instance) order */
        unsigned no = Lo->out_log;
        memcpy(pt, rz0, no * fs);
        memcpy(pt + no, rb, nb * fs);
        if (gf_mle_bn254_eval(&c0, outputs, pt, no + nb)) {
            V.st = gf_error_set(err, GF_ERR_NOMEM, "out of memory evaluating the public outputs");
            goto done;
        }
    }
    for (uint32_t l = c->n_layers; l-- > 0;) {
        const gf_layer *L = &c->layers[l];
        const unsigned n = L->in_log, mo = L->out_log;
        gf_mle_bn254_eq_table(Z, rz0, mo, NULL);
        gf_bn254fr S = c0;
        if (has_rz1) {
            gf_bn254fr alpha;
            gf_transcript_challenge_bn254fr(t, &alpha);
            gf_mle_bn254_eq_table(T, rz1, mo, &alpha);
            for (size_t z = 0; z < ((size_t)1 << mo); z++) gf_bn254fr_add(&Z[z], &Z[z], &T[z]);
            gf_bn254fr_mul(&tmp, &alpha, &c1);
            gf_bn254fr_add(&S, &S, &tmp);
        }
        /* constants are the same in every instance and sum_b eq(r_b, b) = 1 */
        for (uint64_t g = 0; g < L->n_const; g++) {
            gf_bn254fr_mul(&tmp, &Z[L->cst[g].out], &coefs[L->cst[g].coef]);
            gf_bn254fr_sub(&S, &S, &tmp);
        }
        gf_bn254fr ev[4];
        for (unsigned j = 0; j < n; j++) {
            if (recv(&V, ev, 3, l, "phase-1 round")) goto done;
            if (!sum_ok(ev, &S)) {
                V.st = gf_error_set(err, GF_ERR_VERIFY, "layer %u, phase 1 (x), round %u: p(0)+p(1) does not match the claim", l, j);
                goto done;
            }
            gf_transcript_challenge_bn254fr(t, &rx[j]);
            gf_interp_bn254_deg2(&S, ev, &rx[j]);
        }
        for (unsigned j = 0; j < nb; j++) {
            if (recv(&V, ev, 4, l, "instance round")) goto done;
            if (!sum_ok(ev, &S)) {
                V.st = gf_error_set(err, GF_ERR_VERIFY, "layer %u, phase 1 (instance variables), round %u: p(0)+p(1) does not match the claim", l, j);
                goto done;
            }
            gf_transcript_challenge_bn254fr(t, &rb2[j]);
            gf_interp_bn254_deg3(&S, ev, &rb2[j]);
        }
        if (recv(&V, &vx, 1, l, "claim V(rx)")) goto done;
        gf_bn254fr eqb, add, evx;
        gf_mle_bn254_eq_point(&eqb, rb, rb2, nb);
        gf_mle_bn254_eq_table(EX, rx, n, NULL);
        gf_bn254fr_zero(&add);
        for (uint64_t g = 0; g < L->n_add; g++) {
            gf_bn254fr_mul(&tmp, &Z[L->add[g].out], &coefs[L->add[g].coef]);
            gf_bn254fr_mul(&tmp, &tmp, &EX[L->add[g].in]);
            gf_bn254fr_add(&add, &add, &tmp);
        }
        gf_bn254fr_mul(&evx, &eqb, &vx);
        if (L->n_mul) {
            gf_bn254fr S2;
            gf_bn254fr_mul(&tmp, &evx, &add);
            gf_bn254fr_sub(&S2, &S, &tmp);
            for (unsigned j = 0; j < n; j++) {
                if (recv(&V, ev, 3, l, "phase-2 round")) goto done;
                if (!sum_ok(ev, &S2)) {
                    V.st = gf_error_set(err, GF_ERR_VERIFY, "layer %u, phase 2 (y), round %u: p(0)+p(1) does not match the claim", l, j);
                    goto done;
                }
                gf_transcript_challenge_bn254fr(t, &ry[n - 1 - j]);
                gf_interp_bn254_deg2(&S2, ev, &ry[n - 1 - j]);
            }
            if (recv(&V, &vy, 1, l, "claim V(ry)")) goto done;
            gf_mle_bn254_eq_table(T, ry, n, NULL);
            gf_bn254fr mul, rhs;
            gf_bn254fr_zero(&mul);
            for (uint64_t g = 0; g < L->n_mul; g++) {
                const gf_gate_mul *G = &L->mul[g];
                gf_bn254fr zc;
                gf_bn254fr_mul(&zc, &Z[G->out], &coefs[G->coef]);
                gf_bn254fr_mul(&tmp, &EX[G->in0], &T[G->in1]);
                gf_bn254fr_mul(&tmp, &tmp, &zc);
                gf_bn254fr_add(&mul, &mul, &tmp);
            }
            gf_bn254fr_mul(&rhs, &evx, &vy);
            gf_bn254fr_mul(&rhs, &rhs, &mul);
            if (!gf_bn254fr_eq(&S2, &rhs)) {
                V.st = gf_error_set(err, GF_ERR_VERIFY, "layer %u: final check of the multiplication gates failed", l);
                goto done;
            }
            has_rz1 = 1;
        } else {
            gf_bn254fr rhs;
            gf_bn254fr_mul(&rhs, &evx, &add);
            if (!gf_bn254fr_eq(&S, &rhs)) {
                V.st = gf_error_set(err, GF_ERR_VERIFY, "layer %u: final check of the addition gates failed", l);
                goto done;
            }
            has_rz1 = 0;
        }
        memcpy(rz0, rx, n * fs);
        if (has_rz1) memcpy(rz1, ry, n * fs);
        memcpy(rb, rb2, nb * fs);
        c0 = vx;
        c1 = vy;
    }
    {
        unsigned n0 = c->layers[0].in_log, nv = n0 + nb;
        out->n = has_rz1 ? 2 : 1;
        for (int k = 0; k < out->n; k++) {
            gf_gkr_bn254_claim *cl = &out->c[k];
            cl->n_vars = nv;
            cl->point = malloc((nv + 1) * fs);
            if (!cl->point) { V.st = gf_error_set(err, GF_ERR_NOMEM, "out of memory"); goto done; }
            memcpy(cl->point, k == 0 ? rz0 : rz1, n0 * fs);
            memcpy(cl->point + n0, rb, nb * fs);
            cl->value = k == 0 ? c0 : c1;
        }
    }
done:
    free(Z); free(T); free(EX); free(rz0); free(rz1); free(rx); free(ry); free(rb); free(rb2); free(pt);
    if (V.st) gf_gkr_bn254_claims_free(out);
    return V.st;
}
