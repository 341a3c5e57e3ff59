/* GKR prover for BN254 Fr (see gkr_bn254.h for the protocol). The layer tables are flat
 * instance-major arrays, so binding the low (wire) variables first is a plain LSB fold of
 * the whole array: pair k is entries (2k, 2k+1) and belongs to instance k >> log2(pairs per
 * instance). Phase 2 collapses the instances first (V~(y) = sum_b eq(r_b', b) V(y, b)), so
 * its rounds run on 2^in_log values. Large loops go through the gf_pool; folds write to a
 * separate buffer (ping-pong) because an in-place LSB fold is not safe to split. */
#include <stdlib.h>
#include <string.h>
#include "common/util.h"
#include "gkr/gkr_bn254.h"
#include "gkr/mle_bn254.h"

#define MAXT GF_POOL_MAX_THREADS
#define PAR_MIN 64   /* items below which a loop runs inline (an Fr item is ~100 ns) */

typedef struct { gf_bn254fr v[4]; } acc4;   /* 128 bytes: one thread's sums on its own lines */

typedef struct prover {
    const gf_circuit *c;
    const gf_bn254fr *coefs;
    gf_bn254fr *const *vals;
    uint64_t N;
    unsigned nb;
    gf_transcript *t;
    gf_buf *proof;
    gf_pool *pool;         /* NULL: run everything inline */
    /* scratch, sized for the largest layer */
    gf_bn254fr *hg0, *hgA, *vA, *vB, *hadd, *W, *ib[2][3];
    uint8_t *ex;
    gf_bn254fr *Z, *tmp, *zc_mul, *zc_add, *mzx, *vy;
    gf_bn254fr *rz0, *rz1, *rb, *rb_new, *rx, *ry;
    int has_rz1;
    gf_bn254fr claim_vx, claim_vy;
} prover;

static void send(prover *P, const gf_bn254fr *v, size_t n) {
    gf_transcript_append_bn254frs(P->t, v, n);
    uint8_t b[32];
    for (size_t i = 0; i < n; i++) {
        gf_bn254fr_to_bytes_be(b, &v[i]);
        gf_buf_append(P->proof, b, 32);
    }
}

static void run(prover *P, size_t n, gf_pool_fn fn, void *ctx) {
    if (n == 0) return;
    if (n < PAR_MIN || !P->pool) fn(ctx, 0, 0, n);
    else gf_pool_run(P->pool, n, fn, ctx);
}

static void sum_acc(gf_bn254fr *out, const acc4 *acc, int k, int n) {
    for (int i = 0; i < k; i++) {
        gf_bn254fr_zero(&out[i]);
        for (int t = 0; t < MAXT && t < n; t++) gf_bn254fr_add(&out[i], &out[i], &acc[t].v[i]);
    }
}

/* fold: lo + r (hi - lo) */
static inline void fold1(gf_bn254fr *out, const gf_bn254fr *lo, const gf_bn254fr *hi, const gf_bn254fr *r) {
    gf_bn254fr d;
    gf_bn254fr_sub(&d, hi, lo);
    gf_bn254fr_mul(&d, &d, r);
    gf_bn254fr_add(out, lo, &d);
}

/* ---------- layer evaluation ---------- */
typedef struct { const gf_layer *L; const gf_bn254fr *coefs, *in; gf_bn254fr *out; } eval_job;

static void eval_inst(void *ctx, int tid, size_t b0, size_t b1) {
    (void)tid;
    const eval_job *J = ctx;
    const gf_layer *L = J->L;
    size_t mi = (size_t)1 << L->in_log, mo = (size_t)1 << L->out_log;
    gf_bn254fr t;
    for (size_t b = b0; b < b1; b++) {
        const gf_bn254fr *v = J->in + b * mi;
        gf_bn254fr *o = J->out + b * mo;
        memset(o, 0, mo * sizeof *o);   /* all-zero limbs = 0 */
        for (uint64_t g = 0; g < L->n_mul; g++) {
            const gf_gate_mul *G = &L->mul[g];
            gf_bn254fr_mul(&t, &v[G->in0], &v[G->in1]);
            gf_bn254fr_mul(&t, &t, &J->coefs[G->coef]);
            gf_bn254fr_add(&o[G->out], &o[G->out], &t);
        }
        for (uint64_t g = 0; g < L->n_add; g++) {
            const gf_gate_add *G = &L->add[g];
            gf_bn254fr_mul(&t, &v[G->in], &J->coefs[G->coef]);
            gf_bn254fr_add(&o[G->out], &o[G->out], &t);
        }
        for (uint64_t g = 0; g < L->n_const; g++)
            gf_bn254fr_add(&o[L->cst[g].out], &o[L->cst[g].out], &J->coefs[L->cst[g].coef]);
    }
}

void gf_gkr_bn254_vals_free(const gf_circuit *c, gf_bn254fr **vals) {
    if (!vals) return;
    for (uint32_t l = 0; l <= c->n_layers; l++) gf_free_aligned(vals[l]);
    free(vals);
}

gf_status gf_gkr_bn254_eval(const gf_circuit *c, const gf_bn254fr *coefs, const gf_bn254fr *input, uint64_t n_instances,
                            gf_pool *pool, gf_bn254fr ***vals_out, gf_error *err) {
    *vals_out = NULL;
    if (c->field != GF_FIELD_BN254) return gf_error_set(err, GF_ERR_INVALID, "BN254 evaluation given a %s circuit", gf_field_name(c->field));
    if (n_instances == 0 || n_instances > GF_GKR_BN254_MAX_INSTANCES)
        return gf_error_set(err, GF_ERR_INVALID, "instance count %llu out of range 1..2^24", (unsigned long long)n_instances);
    gf_bn254fr **vals = calloc(c->n_layers + 1, sizeof *vals);
    if (!vals) return gf_error_set(err, GF_ERR_NOMEM, "out of memory");
    for (uint32_t l = 0; l <= c->n_layers; l++) {
        unsigned lg = l < c->n_layers ? c->layers[l].in_log : c->layers[l - 1].out_log;
        vals[l] = gf_alloc_aligned(n_instances << lg, sizeof(gf_bn254fr));
        if (!vals[l]) {
            gf_gkr_bn254_vals_free(c, vals);
            return gf_error_set(err, GF_ERR_NOMEM, "out of memory for the values of layer %u (%llu x 2^%u)", l,
                                (unsigned long long)n_instances, lg);
        }
    }
    memcpy(vals[0], input, (n_instances << c->layers[0].in_log) * sizeof(gf_bn254fr));
    if (pool && gf_pool_threads(pool) < 2) pool = NULL;
    for (uint32_t l = 0; l < c->n_layers; l++) {
        eval_job J = {&c->layers[l], coefs, vals[l], vals[l + 1]};
        if (pool && n_instances > 1) gf_pool_run(pool, n_instances, eval_inst, &J);
        else eval_inst(&J, 0, 0, n_instances);
    }
    *vals_out = vals;
    return GF_OK;
}

/* ---------- HG: per instance, HG(x) = sum_add Z c [x=in] + sum_mul Z c V(in1) [x=in0] ---------- */
typedef struct { prover *P; const gf_layer *L; const gf_bn254fr *vin; } hg_job;

static void hg_inst(void *ctx, int tid, size_t b0, size_t b1) {
    (void)tid;
    const hg_job *J = ctx;
    const prover *P = J->P;
    const gf_layer *L = J->L;
    size_t m = (size_t)1 << L->in_log;
    gf_bn254fr t;
    for (size_t b = b0; b < b1; b++) {
        gf_bn254fr *hg = P->hg0 + b * m;
        const gf_bn254fr *v = J->vin + b * m;
        memcpy(hg, P->hadd, m * sizeof *hg);
        for (uint64_t g = 0; g < L->n_mul; g++) {
            const gf_gate_mul *G = &L->mul[g];
            gf_bn254fr_mul(&t, &P->zc_mul[g], &v[G->in1]);
            gf_bn254fr_add(&hg[G->in0], &hg[G->in0], &t);
        }
    }
}

/* ---------- phase 1, x rounds on flat tables ---------- */
typedef struct {
    const gf_bn254fr *W;         /* eq(r_b, b) per instance */
    const gf_bn254fr *vs, *hs;   /* source tables, 2 * n_pairs entries */
    gf_bn254fr *vd, *hd;         /* fold destinations, n_pairs entries */
    const uint8_t *ex;           /* per-instance mask of the source level: HG may be non-zero */
    unsigned lph;                /* log2(pairs per instance) */
    gf_bn254fr r;
    acc4 acc[MAXT];
} xjob;

static void x_eval(void *ctx, int tid, size_t k0, size_t k1) {
    xjob *J = ctx;
    const size_t pmask = ((size_t)1 << J->lph) - 1;
    gf_bn254fr t, v2, h2;
    for (size_t k = k0; k < k1;) {
        size_t b = k >> J->lph, kend = (b + 1) << J->lph;
        if (kend > k1) kend = k1;
        gf_bn254fr loc[3];
        gf_bn254fr_zero(&loc[0]); gf_bn254fr_zero(&loc[1]); gf_bn254fr_zero(&loc[2]);
        for (; k < kend; k++) {
            size_t i = k & pmask;
            if (!(J->ex[2 * i] | J->ex[2 * i + 1])) continue;
            const gf_bn254fr *v = J->vs + 2 * k, *h = J->hs + 2 * k;
            gf_bn254fr_mul(&t, &h[0], &v[0]);
            gf_bn254fr_add(&loc[0], &loc[0], &t);
            gf_bn254fr_mul(&t, &h[1], &v[1]);
            gf_bn254fr_add(&loc[1], &loc[1], &t);
            gf_bn254fr_dbl(&v2, &v[1]);
            gf_bn254fr_sub(&v2, &v2, &v[0]);
            gf_bn254fr_dbl(&h2, &h[1]);
            gf_bn254fr_sub(&h2, &h2, &h[0]);
            gf_bn254fr_mul(&t, &h2, &v2);
            gf_bn254fr_add(&loc[2], &loc[2], &t);
        }
        for (int q = 0; q < 3; q++) {
            gf_bn254fr_mul(&t, &loc[q], &J->W[b]);
            gf_bn254fr_add(&J->acc[tid].v[q], &J->acc[tid].v[q], &t);
        }
    }
}

static void x_fold(void *ctx, int tid, size_t k0, size_t k1) {
    (void)tid;
    xjob *J = ctx;
    const size_t pmask = ((size_t)1 << J->lph) - 1;
    for (size_t k = k0; k < k1; k++) {
        size_t i = k & pmask;
        fold1(&J->vd[k], &J->vs[2 * k], &J->vs[2 * k + 1], &J->r);
        if (J->ex[2 * i] | J->ex[2 * i + 1]) fold1(&J->hd[k], &J->hs[2 * k], &J->hs[2 * k + 1], &J->r);
        else gf_bn254fr_zero(&J->hd[k]);
    }
}

/* ---------- phase 1, instance rounds (degree 3: eq * V * HG) ---------- */
typedef struct {
    const gf_bn254fr *s[3];   /* e, v, h sources */
    gf_bn254fr *d[3];
    gf_bn254fr r;
    acc4 acc[MAXT];
} bjob;

static void b_eval(void *ctx, int tid, size_t i0, size_t i1) {
    bjob *J = ctx;
    gf_bn254fr x[3], dx[3], t;
    for (size_t i = i0; i < i1; i++) {
        for (int q = 0; q < 3; q++) {
            x[q] = J->s[q][2 * i];
            gf_bn254fr_sub(&dx[q], &J->s[q][2 * i + 1], &x[q]);
        }
        for (int e = 0; e < 4; e++) {
            if (e) for (int q = 0; q < 3; q++) gf_bn254fr_add(&x[q], &x[q], &dx[q]);
            gf_bn254fr_mul(&t, &x[0], &x[1]);
            gf_bn254fr_mul(&t, &t, &x[2]);
            gf_bn254fr_add(&J->acc[tid].v[e], &J->acc[tid].v[e], &t);
        }
    }
}

static void b_fold(void *ctx, int tid, size_t i0, size_t i1) {
    (void)tid;
    bjob *J = ctx;
    for (size_t i = i0; i < i1; i++)
        for (int q = 0; q < 3; q++) fold1(&J->d[q][i], &J->s[q][2 * i], &J->s[q][2 * i + 1], &J->r);
}

/* ---------- phase 2 ---------- */
typedef struct { const gf_bn254fr *eb, *vin; gf_bn254fr *vy; size_t m; uint64_t N; } vyjob;

/* vy[y] = sum_b eb[b] V(y, b), instance-outer so each thread streams whole rows */
static void vy_collapse(void *ctx, int tid, size_t y0, size_t y1) {
    (void)tid;
    const vyjob *J = ctx;
    gf_bn254fr t;
    memset(J->vy + y0, 0, (y1 - y0) * sizeof *J->vy);
    for (uint64_t b = 0; b < J->N; b++) {
        const gf_bn254fr *row = J->vin + b * J->m;
        for (size_t y = y0; y < y1; y++) {
            gf_bn254fr_mul(&t, &J->eb[b], &row[y]);
            gf_bn254fr_add(&J->vy[y], &J->vy[y], &t);
        }
    }
}

typedef struct { gf_bn254fr *M, *V; size_t h; gf_bn254fr r; acc4 acc[MAXT]; } p2job;

static void p2_eval(void *ctx, int tid, size_t i0, size_t i1) {
    p2job *J = ctx;
    size_t h = J->h;
    gf_bn254fr t, m2, v2;
    for (size_t i = i0; i < i1; i++) {
        const gf_bn254fr *m0 = &J->M[i], *m1 = &J->M[i + h], *v0 = &J->V[i], *v1 = &J->V[i + h];
        gf_bn254fr_mul(&t, m0, v0);
        gf_bn254fr_add(&J->acc[tid].v[0], &J->acc[tid].v[0], &t);
        gf_bn254fr_mul(&t, m1, v1);
        gf_bn254fr_add(&J->acc[tid].v[1], &J->acc[tid].v[1], &t);
        gf_bn254fr_dbl(&m2, m1);
        gf_bn254fr_sub(&m2, &m2, m0);
        gf_bn254fr_dbl(&v2, v1);
        gf_bn254fr_sub(&v2, &v2, v0);
        gf_bn254fr_mul(&t, &m2, &v2);
        gf_bn254fr_add(&J->acc[tid].v[2], &J->acc[tid].v[2], &t);
    }
}

/* binds the top variable: in place is safe, entry i reads only i and i + h */
static void p2_fold(void *ctx, int tid, size_t i0, size_t i1) {
    (void)tid;
    p2job *J = ctx;
    for (size_t i = i0; i < i1; i++) {
        fold1(&J->M[i], &J->M[i], &J->M[i + J->h], &J->r);
        fold1(&J->V[i], &J->V[i], &J->V[i + J->h], &J->r);
    }
}

static gf_status prove_layer(prover *P, uint32_t l, gf_error *err) {
    const gf_layer *L = &P->c->layers[l];
    const unsigned n = L->in_log, mo = L->out_log;
    const size_t m = (size_t)1 << n, N = (size_t)P->N;
    const gf_bn254fr *vin = P->vals[l];
    const int nt = P->pool ? gf_pool_threads(P->pool) : 1;
    gf_bn254fr t;

    /* Z(z) = eq(rz0, z) + alpha eq(rz1, z); per-gate Z[o] * coef */
    gf_mle_bn254_eq_table(P->Z, P->rz0, mo, NULL);
    if (P->has_rz1) {
        gf_bn254fr alpha;
        gf_transcript_challenge_bn254fr(P->t, &alpha);
        gf_mle_bn254_eq_table(P->tmp, P->rz1, mo, &alpha);
        for (size_t z = 0; z < ((size_t)1 << mo); z++) gf_bn254fr_add(&P->Z[z], &P->Z[z], &P->tmp[z]);
    }
    for (uint64_t g = 0; g < L->n_mul; g++) gf_bn254fr_mul(&P->zc_mul[g], &P->Z[L->mul[g].out], &P->coefs[L->mul[g].coef]);
    for (uint64_t g = 0; g < L->n_add; g++) gf_bn254fr_mul(&P->zc_add[g], &P->Z[L->add[g].out], &P->coefs[L->add[g].coef]);
    memset(P->hadd, 0, m * sizeof *P->hadd);
    for (uint64_t g = 0; g < L->n_add; g++) gf_bn254fr_add(&P->hadd[L->add[g].in], &P->hadd[L->add[g].in], &P->zc_add[g]);

    /* masks per fold level (instance independent): where HG may be non-zero */
    uint8_t *lev[32];
    lev[0] = P->ex;
    memset(lev[0], 0, m);
    for (uint64_t g = 0; g < L->n_mul; g++) lev[0][L->mul[g].in0] = 1;
    for (uint64_t g = 0; g < L->n_add; g++) lev[0][L->add[g].in] = 1;
    for (unsigned j = 1; j <= n; j++) {
        lev[j] = lev[j - 1] + (m >> (j - 1));
        for (size_t i = 0; i < (m >> j); i++) lev[j][i] = lev[j - 1][2 * i] | lev[j - 1][2 * i + 1];
    }

    gf_mle_bn254_eq_table(P->W, P->rb, P->nb, NULL);
    hg_job hj = {P, L, vin};
    run(P, N, hg_inst, &hj);

    /* x rounds; V: vin -> vA -> vB -> vA ..., HG: hg0 -> hgA -> hg0 ... */
    xjob *J = gf_alloc_aligned(1, sizeof *J);
    if (!J) return gf_error_set(err, GF_ERR_NOMEM, "out of memory in the GKR prover");
    const gf_bn254fr *vs = vin, *hs = P->hg0;
    for (unsigned j = 0; j < n; j++) {
        size_t np = N * (m >> (j + 1));
        J->W = P->W; J->vs = vs; J->hs = hs; J->ex = lev[j]; J->lph = n - j - 1;
        J->vd = (j & 1) ? P->vB : P->vA;
        J->hd = (j & 1) ? P->hg0 : P->hgA;
        memset(J->acc, 0, sizeof J->acc);
        run(P, np, x_eval, J);
        gf_bn254fr ev[3];
        sum_acc(ev, J->acc, 3, nt);
        send(P, ev, 3);
        gf_transcript_challenge_bn254fr(P->t, &J->r);
        P->rx[j] = J->r;
        run(P, np, x_fold, J);
        vs = J->vd; hs = J->hd;
    }
    gf_free_aligned(J);

    /* instance rounds, degree 3: sum_b eq(r_b, b) V(rx, b) HG(rx, b) */
    bjob *B = gf_alloc_aligned(1, sizeof *B);
    if (!B) return gf_error_set(err, GF_ERR_NOMEM, "out of memory in the GKR prover");
    B->s[0] = P->W; B->s[1] = vs; B->s[2] = hs;
    for (unsigned j = 0; j < P->nb; j++) {
        size_t h = N >> (j + 1);
        for (int q = 0; q < 3; q++) B->d[q] = P->ib[j & 1][q];
        memset(B->acc, 0, sizeof B->acc);
        run(P, h, b_eval, B);
        gf_bn254fr ev[4];
        sum_acc(ev, B->acc, 4, nt);
        send(P, ev, 4);
        gf_transcript_challenge_bn254fr(P->t, &B->r);
        P->rb_new[j] = B->r;
        run(P, h, b_fold, B);
        for (int q = 0; q < 3; q++) B->s[q] = B->d[q];
    }
    gf_bn254fr eq_fin = B->s[0][0], vx = B->s[1][0];
    gf_free_aligned(B);
    send(P, &vx, 1);
    P->claim_vx = vx;

    if (L->n_mul > 0) {
        gf_bn254fr coef2;
        gf_bn254fr_mul(&coef2, &eq_fin, &vx);
        gf_mle_bn254_eq_table(P->tmp, P->rx, n, NULL);
        memset(P->mzx, 0, m * sizeof *P->mzx);
        for (uint64_t g = 0; g < L->n_mul; g++) {
            const gf_gate_mul *G = &L->mul[g];
            gf_bn254fr_mul(&t, &P->zc_mul[g], &P->tmp[G->in0]);
            gf_bn254fr_add(&P->mzx[G->in1], &P->mzx[G->in1], &t);
        }
        gf_mle_bn254_eq_table(P->W, P->rb_new, P->nb, NULL);
        vyjob vj = {P->W, vin, P->vy, m, P->N};
        run(P, m, vy_collapse, &vj);
        p2job *Q = gf_alloc_aligned(1, sizeof *Q);
        if (!Q) return gf_error_set(err, GF_ERR_NOMEM, "out of memory in the GKR prover");
        Q->M = P->mzx; Q->V = P->vy;
        for (unsigned j = 0; j < n; j++) {
            Q->h = m >> (j + 1);
            memset(Q->acc, 0, sizeof Q->acc);
            run(P, Q->h, p2_eval, Q);
            gf_bn254fr ev[3];
            sum_acc(ev, Q->acc, 3, nt);
            for (int k = 0; k < 3; k++) gf_bn254fr_mul(&ev[k], &ev[k], &coef2);
            send(P, ev, 3);
            gf_transcript_challenge_bn254fr(P->t, &Q->r);
            P->ry[n - 1 - j] = Q->r;
            run(P, Q->h, p2_fold, Q);
        }
        gf_free_aligned(Q);
        gf_bn254fr vy = P->vy[0];
        send(P, &vy, 1);
        P->claim_vy = vy;
        P->has_rz1 = 1;
    } else {
        P->has_rz1 = 0;
    }
    memcpy(P->rz0, P->rx, n * sizeof *P->rx);
    if (P->has_rz1) memcpy(P->rz1, P->ry, n * sizeof *P->ry);
    memcpy(P->rb, P->rb_new, P->nb * sizeof *P->rb);
    return GF_OK;
}

void gf_gkr_bn254_claims_free(gf_gkr_bn254_claims *cl) {
    if (!cl) return;
    for (int i = 0; i < 2; i++) { free(cl->c[i].point); cl->c[i].point = NULL; }
    cl->n = 0;
}

static void free_prover(prover *P) {
    gf_free_aligned(P->hg0); gf_free_aligned(P->hgA); gf_free_aligned(P->vA); gf_free_aligned(P->vB);
    for (int i = 0; i < 2; i++)
        for (int q = 0; q < 3; q++) gf_free_aligned(P->ib[i][q]);
    free(P->hadd); free(P->W); free(P->ex); free(P->Z); free(P->tmp); free(P->zc_mul); free(P->zc_add);
    free(P->mzx); free(P->vy); free(P->rz0); free(P->rz1); free(P->rb); free(P->rb_new); free(P->rx); free(P->ry);
}

gf_status gf_gkr_bn254_prove(const gf_circuit *c, const gf_bn254fr *coefs, gf_bn254fr *const *vals, uint64_t n_instances,
                             int public_outputs, gf_transcript *t, gf_buf *proof, gf_pool *pool,
                             gf_gkr_bn254_claims *out, gf_error *err) {
    memset(out, 0, sizeof *out);
    if (c->field != GF_FIELD_BN254) return gf_error_set(err, GF_ERR_INVALID, "GKR BN254 prover given a %s circuit", gf_field_name(c->field));
    if (!gf_is_pow2(n_instances) || n_instances > GF_GKR_BN254_MAX_INSTANCES)
        return gf_error_set(err, GF_ERR_INVALID, "number of instances must be a power of two <= 2^24, got %llu",
                            (unsigned long long)n_instances);
    const gf_layer *Lo = &c->layers[c->n_layers - 1];
    size_t no = (size_t)1 << Lo->out_log;
    for (uint64_t b = 0; !public_outputs && b < n_instances; b++)
        for (size_t o = 0; o < no; o++)
            if (!gf_bn254fr_is_zero(&vals[c->n_layers][b * no + o]))
                return gf_error_set(err, GF_ERR_WITNESS, "instance %llu: output %zu is not 0 (a constraint of the circuit is violated)",
                                    (unsigned long long)b, o);

    prover P;
    memset(&P, 0, sizeof P);
    P.c = c; P.coefs = coefs; P.vals = vals; P.N = n_instances; P.nb = gf_log2_u64(n_instances);
    P.t = t; P.proof = proof;
    P.pool = pool && gf_pool_threads(pool) > 1 && gf_pool_threads(pool) <= MAXT ? pool : NULL;
    unsigned nin = 0, nout = 0;
    uint64_t gm = 1, ga = 1;
    for (uint32_t l = 0; l < c->n_layers; l++) {
        if (c->layers[l].in_log > nin) nin = c->layers[l].in_log;
        if (c->layers[l].out_log > nout) nout = c->layers[l].out_log;
        if (c->layers[l].n_mul > gm) gm = c->layers[l].n_mul;
        if (c->layers[l].n_add > ga) ga = c->layers[l].n_add;
    }
    size_t min = (size_t)1 << nin, mout = (size_t)1 << nout, mx = min > mout ? min : mout, N = n_instances;
    const size_t fs = sizeof(gf_bn254fr);
    P.hg0 = gf_alloc_aligned(N * min, fs);
    P.hgA = gf_alloc_aligned(N * (min / 2) + 1, fs);
    P.vA = gf_alloc_aligned(N * (min / 2) + 1, fs);
    P.vB = gf_alloc_aligned(N * (min / 4) + 1, fs);
    int ok = P.hg0 && P.hgA && P.vA && P.vB;
    for (int i = 0; i < 2; i++)
        for (int q = 0; q < 3; q++) ok &= (P.ib[i][q] = gf_alloc_aligned(N / 2 + 1, fs)) != NULL;
    P.hadd = malloc(min * fs); P.W = malloc(N * fs); P.ex = malloc(2 * min + 2);
    P.Z = malloc(mout * fs); P.tmp = malloc(mx * fs);
    P.zc_mul = malloc(gm * fs); P.zc_add = malloc(ga * fs);
    P.mzx = malloc(min * fs); P.vy = malloc(min * fs);
    size_t nr = (nin > nout ? nin : nout) + 1;
    P.rz0 = malloc(nr * fs); P.rz1 = malloc(nr * fs); P.rx = malloc(nr * fs); P.ry = malloc(nr * fs);
    P.rb = malloc((P.nb + 1) * fs); P.rb_new = malloc((P.nb + 1) * fs);
    if (!ok || !P.hadd || !P.W || !P.ex || !P.Z || !P.tmp || !P.zc_mul || !P.zc_add || !P.mzx || !P.vy || !P.rz0 ||
        !P.rz1 || !P.rx || !P.ry || !P.rb || !P.rb_new) {
        free_prover(&P);
        return gf_error_set(err, GF_ERR_NOMEM, "out of memory allocating GKR prover tables (%zu instances x 2^%u wires)", N, nin);
    }

    gf_transcript_append_label(t, "gkr-output");
    gf_transcript_challenge_bn254fr_vec(t, P.rz0, Lo->out_log);
    gf_transcript_challenge_bn254fr_vec(t, P.rb, P.nb);
    P.has_rz1 = 0;
    gf_status st = GF_OK;
    for (uint32_t l = c->n_layers; l-- > 0;)
        if ((st = prove_layer(&P, l, err))) break;
    if (!st && (st = gf_buf_status(proof, err)) == GF_OK) {
        unsigned n0 = c->layers[0].in_log, nv = n0 + P.nb;
        out->n = c->layers[0].n_mul ? 2 : 1;
        for (int k = 0; k < out->n; k++) {
            gf_gkr_bn254_claim *cl = &out->c[k];
            cl->n_vars = nv;
            cl->point = malloc((nv + 1) * fs);
            if (!cl->point) { gf_gkr_bn254_claims_free(out); st = gf_error_set(err, GF_ERR_NOMEM, "out of memory"); break; }
            memcpy(cl->point, k == 0 ? P.rz0 : P.rz1, n0 * fs);
            memcpy(cl->point + n0, P.rb, P.nb * fs);
            cl->value = k == 0 ? P.claim_vx : P.claim_vy;
        }
    }
    free_prover(&P);
    return st;
}

uint64_t gf_gkr_bn254_proof_bytes(const gf_circuit *c, uint64_t n_instances) {
    uint64_t nb = gf_log2_u64(n_instances), elems = 0;
    for (uint32_t l = 0; l < c->n_layers; l++) {
        const gf_layer *L = &c->layers[l];
        elems += 3ull * L->in_log + 4 * nb + 1;
        if (L->n_mul) elems += 3ull * L->in_log + 1;
    }
    return 32 * elems;
}
