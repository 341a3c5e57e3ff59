/* GKR prover for M31 (see gkr.h for the protocol). Phase-1 x rounds run on packed tables
 * (16 instances per M31Ext3x16) with the fold of round j fused into the evaluation of round
 * j+1, so each round reads its tables once. Phase 2 first collapses lanes and blocks
 * (V~(y) = sum_sb eq(r_sb', sb) V(y, sb)) so its rounds run on 2^in_log scalars instead of
 * N * 2^in_log values. Rounds 1..J (J per layer, while mul gates are sparse) gather HG from
 * the gates instead of folding a stored table; round 0 derives p(1) from the claim. */
#include <stdlib.h>
#include <string.h>
#include "common/util.h"
#include "field/m31ext3x16.h"
#include "gkr/gkr.h"
#include "gkr/mle.h"
#include "mpi/comm.h"

#define MAXT GF_POOL_MAX_THREADS
#define PAR_MIN 256   /* below this many pair-items per round, run inline */

/* Per-layer gates regrouped by the wire they read first (i0 for mul, in for add), built once
 * per prover so HG(x) is a gather over x's own gates: no memset, no scattered
 * read-modify-write, and any range of x can be built by one thread. */
typedef struct { uint32_t i1, out, coef; } pmul;
typedef struct { uint32_t out, coef; } padd;
typedef struct { uint32_t k, i0; } pby1;     /* mul gate k (plan order) listed under its i1 */
/* lev[j][i]: some wire of the 2^j-range i has a gate (fold level j sparsity mask, block independent) */
typedef struct { uint32_t *mptr, *aptr, *yptr; pmul *mg; padd *ag; pby1 *yg; uint8_t *lev; } lplan;

typedef struct prover {
    const gf_circuit *c;
    const gf_m31 *coefs;
    gf_m31x16 *const *vals;
    uint64_t K;                      /* blocks on this rank */
    unsigned kb, nsb;                /* kb = log2 K; nsb = 4 + kb + kr lane/block variables (global) */
    const gf_comm *comm;             /* ranks sharing the instances; rank r holds blocks [r K, (r+1) K) */
    gf_comm self;
    int rank, nranks;
    unsigned kr;                     /* log2 nranks */
    gf_m31ext3 crank;                /* eq(rank variables of the current r_sb, this rank) */
    gf_m31ext3 *gath;                /* root: 3 values per rank for the rank rounds */
    gf_status st;                    /* sticky communication error */
    gf_error *err;
    gf_transcript *t;
    gf_buf *proof;
    gf_pool *pool;
    /* scratch, sized for the largest layer */
    gf_m31ext3x16 *hg0, *hgA, *vA, *vB, *W, *p2M, *p2V, *Zv, *Tv;
    lplan *plan;
    gf_m31ext3 *A;   /* add-gate part of HG: sum over x's add gates of Z[out] * coef, lane independent */
    gf_m31ext3 *eqhi[2];             /* high halves of eq tables (2^(k-4) scalars each) */
    uint32_t *wl;                    /* phase 2: limb c of eq(r_sb', (s, b)) at [(3 b + c) 16 + s] */
    gf_m31ext3 *A1, *A2, *zw;   /* gather rounds: A folded (ping-pong); zc_mul times eq(r, low bits of i0) */
    int pub;                         /* public-output mode: the output layer's claim is not known */
    gf_m31ext3 *zc_mul, *sb_e, *sb_v, *sb_h, *mzx, *vy;
    gf_m31ext3 *p2pk;                /* layer-0 phase 2: V(r_sb, y) per packed-region wire */
    gf_m31ext3 *rz0, *rz1, *rsb, *rsb_new, *rx, *ry;
    int has_rz1;
    gf_m31ext3 claim_vx, claim_vy;   /* claims left by the last processed layer */
    /* layer 0 given as regions (see gf_gkr_region); n_regions == 0: vals[0] is used */
    size_t n_regions, n_given;       /* all regions incl. the zero gaps between the given ones */
    int raw0;                        /* layer 0 from regions, every HG shared or zero: no plan (raw0_hg, raw0_m) */
    int p2M_used;                    /* p2M has been written since it was allocated (zeroed) */
    gf_gkr_column *cols;             /* regions: per 16 mul gates of layer 0, a column's structure or d = 0 */
    uint8_t *shared0;                /* per layer-0 wire: in a shared region (orientation), or NULL */
    struct rstate *rs;
    unsigned jstar;                  /* region rounds before the tables become dense */
    uint8_t *rid;                    /* per 2^jstar layer-0 wires: region index + 1 (rid_of) */
} prover;

static void send(prover *P, const gf_m31ext3 *v, size_t n) {
    gf_transcript_append_m31ext3s(P->t, v, n);
    uint8_t b[12];
    for (size_t i = 0; i < n; i++) {
        gf_m31ext3_to_bytes(b, v[i]);
        gf_buf_append(P->proof, b, 12);
    }
}

static int is_root(const prover *P) { return P->rank == 0; }

/* One sumcheck message: the ranks' partial evaluations are summed at the root, which
 * optionally scales them, sets p(1) = S - p(0) when derive (S: the running claim, root only),
 * absorbs them, draws the challenge and broadcasts it. */
static gf_m31ext3 round_io(prover *P, gf_m31ext3 *ev, size_t n, const gf_m31ext3 *scale, int derive, gf_m31ext3 *S) {
    gf_m31ext3 r = gf_m31ext3_zero();
    if (P->nranks > 1 && !P->st) P->st = gf_comm_reduce_sum_m31ext3(P->comm, ev, n, ev, 0, P->err);
    if (is_root(P)) {
        for (size_t k = 0; scale && k < n; k++) ev[k] = gf_m31ext3_mul(ev[k], *scale);
        if (derive) ev[1] = gf_m31ext3_sub(*S, ev[0]);
        send(P, ev, n);
        r = gf_transcript_challenge_m31ext3(P->t);
        if (S && n == 3) *S = gf_interp_deg2(ev, r);
    }
    if (P->nranks > 1 && !P->st) P->st = gf_comm_bcast(P->comm, &r, sizeof r, 0, P->err);
    return r;
}

/* A challenge (vector) drawn by the root and broadcast. */
static void challenge_io(prover *P, gf_m31ext3 *out, size_t n) {
    if (is_root(P)) gf_transcript_challenge_m31ext3_vec(P->t, out, n);
    if (P->nranks > 1 && n && !P->st) P->st = gf_comm_bcast(P->comm, out, n * sizeof *out, 0, P->err);
}

static void run(prover *P, size_t n, gf_pool_fn fn, void *ctx) {
    if (n < PAR_MIN) fn(ctx, 0, 0, n);
    else gf_pool_run(P->pool, n, fn, ctx);
}

/* out = s0 eq(r0, .) [+ s1 eq(r1, .)] over k variables, packed as gf_mle_eq_table_x16 does
 * (lanes = low 4 variables): the small high tables are built serially, the 2^(k-4) packed
 * products split over the pool (the prover builds three such tables per layer). */
typedef struct { gf_m31ext3x16 *out, L[2]; const gf_m31ext3 *hi[2]; int two; } eqjob;
static void eq_fill(void *ctx, int tid, size_t j0, size_t j1) {
    (void)tid;
    eqjob *J = ctx;
    for (size_t j = j0; j < j1; j++) {
        gf_m31ext3x16 v = gf_m31ext3x16_scale(J->L[0], J->hi[0][j]);
        J->out[j] = J->two ? gf_m31ext3x16_add(v, gf_m31ext3x16_scale(J->L[1], J->hi[1][j])) : v;
    }
}
static void eq_build(prover *P, gf_m31ext3x16 *out, unsigned k, const gf_m31ext3 *r0, gf_m31ext3 s0, const gf_m31ext3 *r1,
                     gf_m31ext3 s1) {
    eqjob J;
    J.out = out;
    J.two = r1 != NULL;
    unsigned kl = k < 4 ? k : 4;
    for (int q = 0; q <= J.two; q++) {
        J.L[q] = gf_mle_eq_lanes(q ? r1 : r0, k, q ? s1 : s0);
        gf_mle_eq_table(P->eqhi[q], (q ? r1 : r0) + kl, k - kl, gf_m31ext3_one());
        J.hi[q] = P->eqhi[q];
    }
    run(P, (size_t)1 << (k - kl), eq_fill, &J);
}

/* ---------- phase 1, x rounds ---------- */
typedef struct {
    prover *P;
    const lplan *pl;
    size_t per_block;            /* items per block */
    size_t src_m;                /* per-block source table size */
    const gf_m31x16 *vbase;      /* source V if base (round 0/1), stride src_m */
    const gf_m31ext3x16 *vsrc;   /* source V if extension */
    gf_m31ext3x16 *vdst;
    const gf_m31ext3x16 *hsrc;
    gf_m31ext3x16 *hdst;
    const uint8_t *ex_src, *ex_dst;
    gf_m31ext3 r;
    int store_h, want1;          /* round 0 / gather rounds: keep HG for a fold; round 0: accumulate p(1) */
    uint32_t layer;
    unsigned gj;                 /* gather rounds: level and folded add part */
    const gf_m31ext3 *aj;
    const gf_m31x16 *vin0;       /* the layer's base input (gather reads V(i1) there) */
    gf_m31ext3x16 acc[MAXT][3];
} xjob;

/* A chunk's products are summed wide (one reduction per chunk, not per product), then
 * weighted by the block's eq(r_sb, .) lanes w into a thread's sums. */
static inline __attribute__((always_inline)) void flush_w(gf_m31ext3x16 acc[3], const gf_m31ext3x16w loc[3], gf_m31ext3x16 w) {
    for (int k = 0; k < 3; k++) acc[k] = gf_m31ext3x16_add(acc[k], gf_m31ext3x16_mul(gf_m31ext3x16w_reduce(loc[k]), w));
}
static inline __attribute__((always_inline)) void acc_flush(xjob *J, int tid, size_t b, gf_m31ext3x16w loc[3]) {
    flush_w(J->acc[tid], loc, J->P->W[b]);
}

/* Per-layer preparation over wires x: zc[k] = Z[out] * coef for the mul gates of x (plan
 * order) and A[x] = sum of Z[out] * coef over the add gates of x. */
/* A gate's weight in HG and phase 2: Z[out] times its coefficient */
static inline gf_m31ext3 gate_weight(const prover *P, uint32_t out, uint32_t coef) {
    const gf_m31 cf = P->coefs[coef];
    const gf_m31ext3 z = gf_eq16_at(P->Zv, out);
    return cf == 1 ? z : gf_m31ext3_mul_base(z, cf);
}

typedef struct { prover *P; const lplan *pl; size_t base; } prep_job;   /* wires base + [x0, x1) */
static void prep_wires(void *ctx, int tid, size_t x0, size_t x1) {
    (void)tid;
    prep_job *J = ctx;
    prover *P = J->P;
    const lplan *pl = J->pl;
    for (size_t x = J->base + x0; x < J->base + x1; x++) {
        for (uint32_t k = pl->mptr[x]; k < pl->mptr[x + 1]; k++) P->zc_mul[k] = gate_weight(P, pl->mg[k].out, pl->mg[k].coef);
        gf_m31ext3 a = gf_m31ext3_zero();
        for (uint32_t k = pl->aptr[x]; k < pl->aptr[x + 1]; k++) a = gf_m31ext3_add(a, gate_weight(P, pl->ag[k].out, pl->ag[k].coef));
        P->A[x] = a;
    }
}

/* Round 0 fused with building HG: for each pair (2i, 2i+1) build HG there (gather over the
 * wires' gates), store it for the round-1 fold and accumulate the round-0 products with the
 * base-field V. */
static inline __attribute__((always_inline)) gf_m31ext3x16 hg_at(const prover *P, const lplan *pl,
                                                                 const gf_m31x16 *restrict v, size_t x) {
    gf_m31ext3x16 acc = gf_m31ext3x16_broadcast(P->A[x]);
    for (uint32_t k = pl->mptr[x]; k < pl->mptr[x + 1]; k++)
        acc = gf_m31ext3x16_add(acc, gf_m31ext3x16_ext_times_base(P->zc_mul[k], v[pl->mg[k].i1]));
    return acc;
}

static void x_round0(void *ctx, int tid, size_t it0, size_t it1) {
    xjob *J = ctx;
    const prover *P = J->P;
    const lplan *pl = J->pl;
    size_t pb = J->per_block, m = J->src_m;
    for (size_t it = it0; it < it1;) {
        size_t b = it / pb, i = it % pb, iend = (b + 1) * pb < it1 ? pb : i + (it1 - it);
        const gf_m31x16 *restrict v = J->vbase + b * m;
        gf_m31ext3x16 *restrict h = J->hdst + b * m;
        gf_m31ext3x16w loc[3] = {gf_m31ext3x16w_zero(), gf_m31ext3x16w_zero(), gf_m31ext3x16w_zero()};
        for (; i < iend; i++) {
            if (!(J->ex_src[2 * i] | J->ex_src[2 * i + 1])) {
                if (J->store_h) h[2 * i] = h[2 * i + 1] = gf_m31ext3x16_zero();
                continue;
            }
            gf_m31ext3x16 h0 = hg_at(P, pl, v, 2 * i), h1 = hg_at(P, pl, v, 2 * i + 1);
            if (J->store_h) { h[2 * i] = h0; h[2 * i + 1] = h1; }
            gf_m31x16 v0 = v[2 * i], v1 = v[2 * i + 1];
            gf_m31ext3x16w_add_mul_base(&loc[0], h0, v0);
            if (J->want1) gf_m31ext3x16w_add_mul_base(&loc[1], h1, v1);
            gf_m31x16 v2 = gf_m31x16_sub(gf_m31x16_add(v1, v1), v0);
            gf_m31ext3x16 h2 = gf_m31ext3x16_sub(gf_m31ext3x16_add(h1, h1), h0);
            gf_m31ext3x16w_add_mul_base(&loc[2], h2, v2);
        }
        acc_flush(J, tid, b, loc);
        it = (b + 1) * pb;
    }
}

static inline __attribute__((always_inline)) gf_m31ext3x16 fold_base(gf_m31x16 a, gf_m31x16 b, gf_m31ext3 r) {
    gf_m31ext3x16 d = gf_m31ext3x16_ext_times_base(r, gf_m31x16_sub(b, a));
    d.c[0] = gf_m31x16_add(d.c[0], a);
    return d;
}
static inline __attribute__((always_inline)) gf_m31ext3x16 fold_ext(gf_m31ext3x16 a, gf_m31ext3x16 b, gf_m31ext3 r) {
    return gf_m31ext3x16_add(a, gf_m31ext3x16_scale(gf_m31ext3x16_sub(b, a), r));
}

static inline gf_m31ext3 fold_s(gf_m31ext3 a, gf_m31ext3 b, gf_m31ext3 r) { return gf_m31ext3_add(a, gf_m31ext3_mul(r, gf_m31ext3_sub(b, a))); }

/* a[0..2] += a pair's products at t = 0, (1,) 2: h(t) v(t) with h(2) = 2 h1 - h0, likewise v;
 * t = 1 only if with1 (the x rounds do not accumulate p(1): the prover tracks the running
 * claim S and sets p(1) = S - p(0)) */
static inline __attribute__((always_inline)) void pair_products_w(gf_m31ext3x16w a[3], gf_m31ext3x16 h0, gf_m31ext3x16 h1,
                                                                   gf_m31ext3x16 v0, gf_m31ext3x16 v1, int with1) {
    gf_m31ext3x16w_add_mul(&a[0], h0, v0);
    if (with1) gf_m31ext3x16w_add_mul(&a[1], h1, v1);
    gf_m31ext3x16 v2 = gf_m31ext3x16_sub(gf_m31ext3x16_add(v1, v1), v0);
    gf_m31ext3x16 h2 = gf_m31ext3x16_sub(gf_m31ext3x16_add(h1, h1), h0);
    gf_m31ext3x16w_add_mul(&a[2], h2, v2);
}

/* Rounds 1..J without stored or folded HG tables (J per layer, while mul gates are sparse).
 * After binding x's low j bits to r_0..r_{j-1}, HG at level-j entry x is
 *   Aj[x] (the add part folded j times: lane independent, one scalar per entry)
 *   + sum over the mul gates whose i0 lies in x's 2^j wires of zw * V(i1),
 *   zw = Z[out] coef eq(r_0..r_{j-1}, low j bits of i0),
 * so a round costs 3 products per gate and block (plus one scalar product per gate and entry,
 * shared by all blocks) instead of 9 per entry and block for folding a stored HG table; and
 * round 0 writes no HG table. Only the last gather round stores HG, for the fold rounds. */
typedef struct { prover *P; const lplan *pl; gf_m31ext3 r; unsigned j; const gf_m31ext3 *asrc; gf_m31ext3 *adst; const uint8_t *lev; } gprep;
static void x_gather_prep(void *ctx, int tid, size_t x0, size_t x1) {
    (void)tid;
    gprep *J = ctx;
    prover *P = J->P;
    const lplan *pl = J->pl;
    const gf_m31ext3_const r = gf_m31ext3_const_prep(J->r), r1 = gf_m31ext3_const_prep(gf_m31ext3_sub(gf_m31ext3_one(), J->r));
    const gf_m31ext3 *zsrc = J->j == 1 ? P->zc_mul : P->zw;
    const unsigned sh = J->j - 1;    /* source entries are level j-1: 2^sh wires each */
    for (size_t x = x0; x < x1; x++) {
        if (!J->lev[x]) { J->adst[x] = gf_m31ext3_zero(); continue; }   /* no gate under x */
        gf_m31ext3 a = J->asrc[2 * x];
        J->adst[x] = gf_m31ext3_add(a, gf_m31ext3_mul_const(gf_m31ext3_sub(J->asrc[2 * x + 1], a), &r));
        uint32_t k0 = pl->mptr[(2 * x) << sh], km = pl->mptr[(2 * x + 1) << sh], k1 = pl->mptr[(2 * x + 2) << sh];
        for (uint32_t k = k0; k < km; k++) P->zw[k] = gf_m31ext3_mul_const(zsrc[k], &r1);
        for (uint32_t k = km; k < k1; k++) P->zw[k] = gf_m31ext3_mul_const(zsrc[k], &r);
    }
}
static inline __attribute__((always_inline)) gf_m31ext3x16 hgj_at(const prover *P, const lplan *pl, const gf_m31ext3 *aj,
                                                                  unsigned j, const gf_m31x16 *restrict v, size_t x) {
    gf_m31ext3x16 acc = gf_m31ext3x16_broadcast(aj[x]);
    for (uint32_t k = pl->mptr[x << j]; k < pl->mptr[(x + 1) << j]; k++)
        acc = gf_m31ext3x16_add(acc, gf_m31ext3x16_ext_times_base(P->zw[k], v[pl->mg[k].i1]));
    return acc;
}
/* J->gj: this round's level; J->aj: its folded add part; J->store_h: last gather round. V
 * folds as in the fused rounds (from the base input in round 1). */
static inline __attribute__((always_inline)) void x_gather_body(xjob *J, int tid, size_t it0, size_t it1, int base) {
    const prover *P = J->P;
    const lplan *pl = J->pl;
    const size_t pb = J->per_block, m = J->src_m, md = m / 2, min = (size_t)1 << P->c->layers[J->layer].in_log;
    const gf_m31ext3 r = J->r;
    const unsigned j = J->gj;
    const gf_m31ext3 *aj = J->aj;
    const uint8_t *restrict exd = J->ex_dst;
    for (size_t it = it0; it < it1;) {
        size_t b = it / pb, i = it % pb, iend = (b + 1) * pb < it1 ? pb : i + (it1 - it);
        const gf_m31x16 *restrict vin = J->vin0 + b * min;
        const gf_m31x16 *restrict vb = base ? J->vbase + b * m : NULL;
        const gf_m31ext3x16 *restrict vs = base ? NULL : J->vsrc + b * m;
        gf_m31ext3x16 *restrict vd = J->vdst + b * md, *restrict hd = J->hdst + b * md;
        gf_m31ext3x16w loc[3] = {gf_m31ext3x16w_zero(), gf_m31ext3x16w_zero(), gf_m31ext3x16w_zero()};
        for (; i < iend; i++) {
            const size_t a = 4 * i;
            gf_m31ext3x16 v0, v1;
            if (base) { v0 = fold_base(vb[a], vb[a + 1], r); v1 = fold_base(vb[a + 2], vb[a + 3], r); }
            else { v0 = fold_ext(vs[a], vs[a + 1], r); v1 = fold_ext(vs[a + 2], vs[a + 3], r); }
            vd[2 * i] = v0; vd[2 * i + 1] = v1;
            if (!(exd[2 * i] | exd[2 * i + 1])) {
                if (J->store_h) hd[2 * i] = hd[2 * i + 1] = gf_m31ext3x16_zero();
                continue;
            }
            gf_m31ext3x16 h0 = hgj_at(P, pl, aj, j, vin, 2 * i), h1 = hgj_at(P, pl, aj, j, vin, 2 * i + 1);
            if (J->store_h) { hd[2 * i] = h0; hd[2 * i + 1] = h1; }
            pair_products_w(loc, h0, h1, v0, v1, 0);
        }
        acc_flush(J, tid, b, loc);
        it = (b + 1) * pb;
    }
}
static void x_gather_base(void *ctx, int tid, size_t it0, size_t it1) { x_gather_body(ctx, tid, it0, it1, 1); }
static void x_gather_ext(void *ctx, int tid, size_t it0, size_t it1) { x_gather_body(ctx, tid, it0, it1, 0); }

/* Rounds >= 1: fold the previous round's tables with r and evaluate this round's pairs;
 * folded values stay in registers for the products instead of being re-read from the
 * destination. base: V is read from the layer's base input (round 1), else from the
 * previous round's extension table. */
static inline __attribute__((always_inline)) void x_fused_body(xjob *J, int tid, size_t it0, size_t it1, int base) {
    const size_t pb = J->per_block, m = J->src_m, md = m / 2;
    const gf_m31ext3 r = J->r;
    const uint8_t *restrict exs = J->ex_src, *restrict exd = J->ex_dst;
    for (size_t it = it0; it < it1;) {
        size_t b = it / pb, i = it % pb, iend = (b + 1) * pb < it1 ? pb : i + (it1 - it);
        const gf_m31ext3x16 *restrict h = J->hsrc + b * m;
        const gf_m31x16 *restrict vb = base ? J->vbase + b * m : NULL;
        const gf_m31ext3x16 *restrict vs = base ? NULL : J->vsrc + b * m;
        gf_m31ext3x16 *restrict vd = J->vdst + b * md, *restrict hd = J->hdst + b * md;
        gf_m31ext3x16w loc[3] = {gf_m31ext3x16w_zero(), gf_m31ext3x16w_zero(), gf_m31ext3x16w_zero()};
        for (; i < iend; i++) {
            const size_t a = 4 * i;
            gf_m31ext3x16 v0, v1;
            if (base) { v0 = fold_base(vb[a], vb[a + 1], r); v1 = fold_base(vb[a + 2], vb[a + 3], r); }
            else { v0 = fold_ext(vs[a], vs[a + 1], r); v1 = fold_ext(vs[a + 2], vs[a + 3], r); }
            gf_m31ext3x16 h0 = (exs[a] | exs[a + 1]) ? fold_ext(h[a], h[a + 1], r) : gf_m31ext3x16_zero();
            gf_m31ext3x16 h1 = (exs[a + 2] | exs[a + 3]) ? fold_ext(h[a + 2], h[a + 3], r) : gf_m31ext3x16_zero();
            vd[2 * i] = v0; vd[2 * i + 1] = v1; hd[2 * i] = h0; hd[2 * i + 1] = h1;
            if (exd[2 * i] | exd[2 * i + 1]) pair_products_w(loc, h0, h1, v0, v1, 0);
        }
        acc_flush(J, tid, b, loc);
        it = (b + 1) * pb;
    }
}
static void x_fused_base(void *ctx, int tid, size_t it0, size_t it1) { x_fused_body(ctx, tid, it0, it1, 1); }
static void x_fused_ext(void *ctx, int tid, size_t it0, size_t it1) { x_fused_body(ctx, tid, it0, it1, 0); }

static void x_collect(prover *P, xjob *J, int nt, gf_m31ext3 out[3]) {
    for (int k = 0; k < 3; k++) {
        gf_m31ext3x16 s = gf_m31ext3x16_zero();
        for (int t = 0; t < nt; t++) s = gf_m31ext3x16_add(s, J->acc[t][k]);
        out[k] = gf_m31ext3x16_hsum(s);
    }
    (void)P;
}

/* ---------- phase 2 tables ----------
 * MZX(y) = sum over mul gates with i1 = y of Z[out] coef eq(rx, i0)   (gather, plan by i1)
 * Vy(y)  = sum_b hsum(W_b * V_b[y]) with W = eq(r_sb', .)               (lane/block collapse) */
typedef struct { prover *P; const lplan *pl; const gf_m31x16 *vin; size_t m; } p2prep;
static gf_m31ext3 region_vy(const prover *P, size_t y);
static gf_m31ext3 region_eq_rx(const prover *P, size_t x);
static inline __attribute__((always_inline)) void p2_entry(const p2prep *J, size_t y, gf_m31ext3 *mz, gf_m31ext3 *vy) {
    const prover *P = J->P;
    const lplan *pl = J->pl;
    gf_m31ext3 a = gf_m31ext3_zero();
    for (uint32_t e = pl->yptr[y]; e < pl->yptr[y + 1]; e++) {
        const uint32_t x = pl->yg[e].i0;
        gf_m31ext3 eqv;
        if (J->vin) { eqv = gf_eq16_at(P->Tv, x); }
        else eqv = region_eq_rx(P, x);   /* layer 0 from regions */
        a = gf_m31ext3_add(a, gf_m31ext3_mul(P->zc_mul[pl->yg[e].k], eqv));
    }
    *mz = a;
    if (!J->vin) { *vy = region_vy(P, y); return; }
    gf_m31ext3x16 s = gf_m31ext3x16_mul_base(P->W[0], J->vin[y]);
    for (uint64_t b = 1; b < P->K; b++) s = gf_m31ext3x16_add(s, gf_m31ext3x16_mul_base(P->W[b], J->vin[b * J->m + y]));
    *vy = gf_m31ext3x16_hsum(s);
}
static void p2_prep_vec(void *ctx, int tid, size_t k0, size_t k1) {
    (void)tid;
    p2prep *J = ctx;
    prover *P = J->P;
    for (size_t k = k0; k < k1; k++) {
        const lplan *pl = J->pl;
        for (int s = 0; s < 16; s++) {
            size_t y = 16 * k + (size_t)s;
            gf_m31ext3 a = gf_m31ext3_zero();
            for (uint32_t e = pl->yptr[y]; e < pl->yptr[y + 1]; e++)
                a = gf_m31ext3_add(a, gf_m31ext3_mul(P->zc_mul[pl->yg[e].k], gf_eq16_at(P->Tv, pl->yg[e].i0)));
            gf_m31ext3x16_set_lane(&P->p2M[k], s, a);
        }
        /* V~ for 16 wires at once: transpose each block's 16x16 (wire, lane) tile so a lane
         * weight multiplies a whole column, instead of one horizontal sum per wire */
        gf_m31ext3x16 acc = gf_m31ext3x16_zero();
        for (uint64_t b = 0; b < P->K; b++) {
            gf_m31x16 tile[16];
            const gf_m31x16 *src = J->vin + b * J->m + 16 * k;
            for (int s = 0; s < 16; s++) tile[s] = src[s];   /* element copies: a 1 KB memcpy call cost 2% */
            gf_m31x16_transpose16(tile);
            /* limb c of sum_s eq_s tile_s: one 16-term dot product, reduced once per 4 terms */
            for (int c = 0; c < 3; c++) acc.c[c] = gf_m31x16_add(acc.c[c], gf_m31x16_dot16_scalar(tile, P->wl + (b * 3 + (uint64_t)c) * 16));
        }
        P->p2V[k] = acc;
    }
}

static void p2_prep_scalar(void *ctx, int tid, size_t y0, size_t y1) {
    (void)tid;
    p2prep *J = ctx;
    for (size_t y = y0; y < y1; y++) p2_entry(J, y, &J->P->mzx[y], &J->P->vy[y]);
}

/* ---------- phase 2 rounds (scalar tables, top variable first) ---------- */
typedef struct { gf_m31ext3 *M, *V; size_t h; gf_m31ext3 r; int fold; gf_m31ext3 acc[MAXT][3]; } p2job;
static void p2_eval(void *ctx, int tid, size_t i0, size_t i1) {
    p2job *J = ctx;
    gf_m31ext3 a0 = gf_m31ext3_zero(), a1 = a0, a2 = a0;
    size_t h = J->h;
    for (size_t i = i0; i < i1; i++) {
        gf_m31ext3 m0 = J->M[i], m1 = J->M[i + h], v0 = J->V[i], v1 = J->V[i + h];
        a0 = gf_m31ext3_add(a0, gf_m31ext3_mul(m0, v0));
        a1 = gf_m31ext3_add(a1, gf_m31ext3_mul(m1, v1));
        a2 = gf_m31ext3_add(a2, gf_m31ext3_mul(gf_m31ext3_sub(gf_m31ext3_add(m1, m1), m0),
                                               gf_m31ext3_sub(gf_m31ext3_add(v1, v1), v0)));
    }
    J->acc[tid][0] = gf_m31ext3_add(J->acc[tid][0], a0);
    J->acc[tid][1] = gf_m31ext3_add(J->acc[tid][1], a1);
    J->acc[tid][2] = gf_m31ext3_add(J->acc[tid][2], a2);
}
static void p2_fold(void *ctx, int tid, size_t i0, size_t i1) {
    (void)tid;
    p2job *J = ctx;
    size_t h = J->h;
    for (size_t i = i0; i < i1; i++) {
        J->M[i] = gf_m31ext3_add(J->M[i], gf_m31ext3_mul(J->r, gf_m31ext3_sub(J->M[i + h], J->M[i])));
        J->V[i] = gf_m31ext3_add(J->V[i], gf_m31ext3_mul(J->r, gf_m31ext3_sub(J->V[i + h], J->V[i])));
    }
}

/* Same rounds on packed tables: vector k holds elements 16k..16k+15, so binding the top
 * variable pairs whole vectors (k, k + hv) while at least 16 pairs remain. */
typedef struct { gf_m31ext3x16 *M, *V; size_t hv; gf_m31ext3 r; gf_m31ext3x16 acc[MAXT][3]; } p2vjob;
static void p2v_eval(void *ctx, int tid, size_t k0, size_t k1) {
    p2vjob *J = ctx;
    size_t h = J->hv;
    gf_m31ext3x16w a[3] = {gf_m31ext3x16w_zero(), gf_m31ext3x16w_zero(), gf_m31ext3x16w_zero()};
    for (size_t k = k0; k < k1; k++) pair_products_w(a, J->M[k], J->M[k + h], J->V[k], J->V[k + h], 1);
    for (int q = 0; q < 3; q++) J->acc[tid][q] = gf_m31ext3x16_add(J->acc[tid][q], gf_m31ext3x16w_reduce(a[q]));
}
/* Fold with r (pairs (k, k + 2h) at the previous size) fused with this round's products on
 * pairs (k, k + h); in place: thread ranges [k0, k1) and [k0 + h, k1 + h) are disjoint. */
static void p2v_fused(void *ctx, int tid, size_t k0, size_t k1) {
    p2vjob *J = ctx;
    const size_t h = J->hv, h2 = 2 * h;
    const gf_m31ext3 r = J->r;
    gf_m31ext3x16 *restrict M = J->M, *restrict V = J->V;
    gf_m31ext3x16w a[3] = {gf_m31ext3x16w_zero(), gf_m31ext3x16w_zero(), gf_m31ext3x16w_zero()};
    for (size_t k = k0; k < k1; k++) {
        gf_m31ext3x16 m0 = fold_ext(M[k], M[k + h2], r), m1 = fold_ext(M[k + h], M[k + h + h2], r);
        gf_m31ext3x16 v0 = fold_ext(V[k], V[k + h2], r), v1 = fold_ext(V[k + h], V[k + h + h2], r);
        M[k] = m0; M[k + h] = m1; V[k] = v0; V[k + h] = v1;
        pair_products_w(a, m0, m1, v0, v1, 0);
    }
    J->acc[tid][0] = gf_m31ext3x16_add(J->acc[tid][0], gf_m31ext3x16w_reduce(a[0]));
    J->acc[tid][2] = gf_m31ext3x16_add(J->acc[tid][2], gf_m31ext3x16w_reduce(a[2]));
}

static void p2v_fold(void *ctx, int tid, size_t k0, size_t k1) {
    (void)tid;
    p2vjob *J = ctx;
    size_t h = J->hv;
    for (size_t k = k0; k < k1; k++) {
        J->M[k] = fold_ext(J->M[k], J->M[k + h], J->r);
        J->V[k] = fold_ext(J->V[k], J->V[k + h], J->r);
    }
}


/* ---------- layer 0 given as regions ----------
 * The input of layer 0 is a set of aligned power-of-two regions, each either shared by all
 * instances (broadcast data: one scalar per wire) or per instance (packed blocks); the rest is
 * zero. For the first jstar = log2(smallest region) x rounds every pair lies inside one region,
 * so each region keeps its own form: shared tables are scalar (12 B per wire instead of
 * 192 B x K), and a region whose HG is identically zero is not folded at all (its value after
 * jstar rounds is a partial MLE computed once). Then everything becomes the ordinary dense
 * packed tables, now 2^jstar times smaller. */
enum { RK_ZERO = 0, RK_SHARED = 1, RK_PACKED = 2 };   /* V is never ZERO except for gaps */
struct rstate {
    uint64_t off, len;
    int vk, hk;                       /* V: shared/packed; HG: zero/shared/packed */
    const gf_m31 *vs0;                /* level-0 V (shared) */
    const gf_m31x16 *vp0;             /* level-0 V (packed, K blocks of len) */
    gf_m31ext3 *sv[2], *sh[2];        /* scalar tables, ping-pong by level parity */
    gf_m31ext3x16 *pv[2], *ph[2];     /* packed tables (K blocks, compact stride) */
    gf_m31ext3 *eqx;                  /* phase 2: eq(rx, wire) over the region (where mul gates' i0 lie) */
    size_t pkoff;                     /* packed regions: first entry in p2pk */
};

/* the region (index + 1) of layer-0 wire w */
static inline uint8_t rid_of(const prover *P, uint64_t w) { return P->rid[w >> P->jstar]; }

/* eq(rx, x) for a wire some mul gate reads first (its region has an HG, hence a table) */
static gf_m31ext3 region_eq_rx(const prover *P, size_t x) {
    const struct rstate *R = &P->rs[rid_of(P, x) - 1];
    return R->eqx[x - R->off];
}

/* sum over this rank's blocks of eq(r_sb, block) V at wire x of packed region R */
static gf_m31ext3 packed_vy(const prover *P, const struct rstate *R, size_t x) {
    gf_m31ext3x16 acc = gf_m31ext3x16_mul_base(P->W[0], R->vp0[x]);
    for (uint64_t b = 1; b < P->K; b++) acc = gf_m31ext3x16_add(acc, gf_m31ext3x16_mul_base(P->W[b], R->vp0[b * R->len + x]));
    return gf_m31ext3x16_hsum(acc);
}

static gf_m31ext3 region_vy(const prover *P, size_t y) {
    uint8_t q = rid_of(P, y);
    if (!q) return gf_m31ext3_zero();
    const struct rstate *R = &P->rs[q - 1];
    size_t x = y - R->off;
    if (R->vk == RK_ZERO) return gf_m31ext3_zero();
    /* the eq weights of this rank's instances sum to crank (to 1 over all ranks) */
    if (R->vk == RK_SHARED) return gf_m31ext3_mul_base(P->crank, R->vs0[x]);
    return packed_vy(P, R, x);
}


/* Layer 0 from regions with several ranks and at least two phase-2 vectors per rank: the
 * instance-independent work is split over the ranks instead of repeated on each. */
static int split0(const prover *P) {
    return P->n_regions && P->nranks > 1 && ((size_t)1 << P->c->layers[0].in_log) / 16 >= 2 * (size_t)P->nranks;
}
/* The wires [*a, *b) of region R whose gate weights and HG this rank computes: a shared HG is
 * split in equal slices over the ranks (then gathered); anything else is the whole region. */
static void region_slice(const prover *P, const struct rstate *R, size_t *a, size_t *b) {
    *a = 0;
    *b = R->len;
    if (split0(P) && R->hk == RK_SHARED && R->len >= (size_t)P->nranks) {
        *a = R->len / (size_t)P->nranks * (size_t)P->rank;
        *b = *a + R->len / (size_t)P->nranks;
    }
}
/* Z[out] coef of mul gate k of the plan (what prep_wires stores in zc_mul) */
static inline gf_m31ext3 zc_of(const prover *P, const lplan *pl, uint32_t k) { return gate_weight(P, pl->mg[k].out, pl->mg[k].coef); }

/* Layer 0's phase-2 tables from regions. Vector k' of a rank's table holds wires
 * 16 (k' stride + first) .. + 15: with split ownership (stride = ranks, first = rank) each
 * rank builds and sums only every R-th vector, and since the rounds bind the top variable
 * first, pairs (k, k + h) with h a multiple of R stay on one rank (compact pairs (k', k' + h/R)).
 * V of a shared wire is wsh times its value (1 when split: one rank counts it; else crank);
 * of a packed wire p2pk (all ranks' instances when split, else this rank's). */
typedef struct { prover *P; const lplan *pl; size_t stride, first; gf_m31ext3 wsh; int fly; } p2rprep;
static void p2_prep_regions(void *ctx, int tid, size_t k0, size_t k1) {
    (void)tid;
    const p2rprep *J = ctx;
    const prover *P = J->P;
    const lplan *pl = J->pl;
    for (size_t k = k0; k < k1; k++) {
        const size_t y0 = 16 * (k * J->stride + J->first);
        const struct rstate *R = &P->rs[rid_of(P, y0) - 1];   /* gaps are regions too */
        gf_m31ext3x16 M, V;
        /* a broadcast matrix's wires: one gate each, the whole vector in one shared region;
         * 16 products as one packed multiplication instead of 16 scalar ones */
        const uint32_t e0 = pl->yptr[y0];
        int single = pl->yptr[y0 + 16] - e0 == 16 && R->vk == RK_SHARED && R->len >= 16;
        for (int s = 0; single && s < 16; s++) single = pl->yptr[y0 + (size_t)s + 1] == e0 + (uint32_t)s + 1;
        if (single) {
            gf_m31ext3x16 zc, eq;
            for (int s = 0; s < 16; s++) {
                const pby1 *g = &pl->yg[e0 + (uint32_t)s];
                const gf_m31ext3 a = J->fly ? zc_of(P, pl, g->k) : P->zc_mul[g->k], b = region_eq_rx(P, g->i0);
                for (int c = 0; c < 3; c++) { zc.c[c].v[s] = a.c[c]; eq.c[c].v[s] = b.c[c]; }
            }
            P->p2M[k] = gf_m31ext3x16_mul(zc, eq);
            P->p2V[k] = gf_m31ext3x16_mul_base(gf_m31ext3x16_broadcast(J->wsh), gf_m31x16_load(R->vs0 + (y0 - R->off)));
            continue;
        }
        for (int s = 0; s < 16; s++) {
            const size_t y = y0 + (size_t)s;
            const struct rstate *Ry = &P->rs[rid_of(P, y) - 1];
            gf_m31ext3 a = gf_m31ext3_zero(), v = gf_m31ext3_zero();
            for (uint32_t e = pl->yptr[y]; e < pl->yptr[y + 1]; e++)
                a = gf_m31ext3_add(a, gf_m31ext3_mul(J->fly ? zc_of(P, pl, pl->yg[e].k) : P->zc_mul[pl->yg[e].k], region_eq_rx(P, pl->yg[e].i0)));
            if (Ry->vk == RK_SHARED) v = gf_m31ext3_mul_base(J->wsh, Ry->vs0[y - Ry->off]);
            else if (Ry->vk == RK_PACKED) v = P->p2pk[Ry->pkoff + y - Ry->off];
            for (int c = 0; c < 3; c++) { M.c[c].v[s] = a.c[c]; V.c[c].v[s] = v.c[c]; }
        }
        P->p2M[k] = M;
        P->p2V[k] = V;
    }
}

/* p2pk for one packed region: sum over this rank's blocks of eq(r_sb, block) V */
typedef struct { prover *P; const struct rstate *R; } p2pkjob;
static void p2_packed_values(void *ctx, int tid, size_t x0, size_t x1) {
    (void)tid;
    const p2pkjob *J = ctx;
    const prover *P = J->P;
    const struct rstate *R = J->R;
    for (size_t x = x0; x < x1; x++) P->p2pk[R->pkoff + x] = packed_vy(P, R, x);
}

/* a[0..2] += the pair's products at t = 0, 1, 2: h(t) v(t) with h(2) = 2 h1 - h0, likewise v */
static inline void pair_products_s(gf_m31ext3 a[3], gf_m31ext3 h0, gf_m31ext3 h1, gf_m31ext3 v0, gf_m31ext3 v1) {
    a[0] = gf_m31ext3_add(a[0], gf_m31ext3_mul(h0, v0));
    a[1] = gf_m31ext3_add(a[1], gf_m31ext3_mul(h1, v1));
    a[2] = gf_m31ext3_add(a[2], gf_m31ext3_mul(gf_m31ext3_sub(gf_m31ext3_add(h1, h1), h0), gf_m31ext3_sub(gf_m31ext3_add(v1, v1), v0)));
}

/* A round's evaluations from per-thread sums of per-block products (weighted by eq over the
 * rank's instances) and of shared products (instance independent). Shared products count
 * once over all ranks: each rank weighs them by its instances' share crank of the eq weights
 * (the shares sum to 1). */
static void collect_split(const prover *P, gf_m31ext3x16 (*acc)[3], gf_m31ext3 (*sacc)[3], int nt, gf_m31ext3 ev[3]) {
    for (int k = 0; k < 3; k++) {
        gf_m31ext3x16 a = gf_m31ext3x16_zero();
        gf_m31ext3 sc = gf_m31ext3_zero();
        for (int t = 0; t < nt; t++) { a = gf_m31ext3x16_add(a, acc[t][k]); sc = gf_m31ext3_add(sc, sacc[t][k]); }
        ev[k] = gf_m31ext3_add(gf_m31ext3x16_hsum(a), gf_m31ext3_mul(sc, P->crank));
    }
}

/* one region round: products at level j (sizes len >> j) and, when fold, the fold with r */
typedef struct {
    prover *P;
    struct rstate *R;
    unsigned j;
    size_t half;                      /* pairs per block at this level */
    gf_m31ext3 r;
    gf_m31ext3x16 acc[MAXT][3];       /* weighted per-block sums, summed over lanes at the end */
    gf_m31ext3 sacc[MAXT][3];         /* shared x shared sums (instance independent) */
} rjob;

/* V or HG value of a region at (level j, index i, block b) as an extension element. */
static inline gf_m31ext3x16 rv_packed(const struct rstate *R, unsigned j, size_t i, uint64_t b, size_t sz) {
    if (j == 0) return gf_m31ext3x16_from_base(R->vp0[b * R->len + i]);
    return R->pv[j & 1][b * sz + i];
}
static inline gf_m31ext3 rv_shared(const struct rstate *R, unsigned j, size_t i) {
    return j == 0 ? gf_m31ext3_from_base(R->vs0[i]) : R->sv[j & 1][i];
}

static void region_eval(void *ctx, int tid, size_t it0, size_t it1) {
    rjob *J = ctx;
    const struct rstate *R = J->R;
    const prover *P = J->P;
    const unsigned j = J->j;
    const size_t half = J->half, sz = 2 * half;
    const int vp = R->vk == RK_PACKED, hp = R->hk == RK_PACKED;
    for (size_t it = it0; it < it1;) {
        size_t b = (vp || hp) ? it / half : 0, i = it % half;
        size_t iend = (vp || hp) ? ((b + 1) * half < it1 ? half : i + (it1 - it)) : it1;
        if (vp || hp) {
            gf_m31ext3x16w loc[3] = {gf_m31ext3x16w_zero(), gf_m31ext3x16w_zero(), gf_m31ext3x16w_zero()};
            for (; i < iend; i++) {
                gf_m31ext3x16 v0, v1, h0, h1;
                if (vp) { v0 = rv_packed(R, j, 2 * i, b, sz); v1 = rv_packed(R, j, 2 * i + 1, b, sz); }
                else { v0 = gf_m31ext3x16_broadcast(rv_shared(R, j, 2 * i)); v1 = gf_m31ext3x16_broadcast(rv_shared(R, j, 2 * i + 1)); }
                if (hp) { h0 = R->ph[j & 1][b * sz + 2 * i]; h1 = R->ph[j & 1][b * sz + 2 * i + 1]; }
                else { h0 = gf_m31ext3x16_broadcast(R->sh[j & 1][2 * i]); h1 = gf_m31ext3x16_broadcast(R->sh[j & 1][2 * i + 1]); }
                pair_products_w(loc, h0, h1, v0, v1, 1);
            }
            flush_w(J->acc[tid], loc, P->W[b]);
            it = (b + 1) * half;
        } else {
            gf_m31ext3 a[3] = {gf_m31ext3_zero(), gf_m31ext3_zero(), gf_m31ext3_zero()};   /* local: no false sharing */
            for (; i < iend; i++)
                pair_products_s(a, R->sh[j & 1][2 * i], R->sh[j & 1][2 * i + 1], rv_shared(R, j, 2 * i), rv_shared(R, j, 2 * i + 1));
            for (int k = 0; k < 3; k++) J->sacc[tid][k] = gf_m31ext3_add(J->sacc[tid][k], a[k]);
            it = iend;
        }
    }
}

static void region_fold(void *ctx, int tid, size_t it0, size_t it1) {
    (void)tid;
    rjob *J = ctx;
    struct rstate *R = J->R;
    const unsigned j = J->j;
    const size_t half = J->half, sz = 2 * half;
    const gf_m31ext3 r = J->r;
    const int vp = R->vk == RK_PACKED, hp = R->hk == RK_PACKED;
    for (size_t it = it0; it < it1; it++) {
        size_t b = (vp || hp) ? it / half : 0, i = it % half;
        if (vp) R->pv[(j + 1) & 1][b * half + i] = fold_ext(rv_packed(R, j, 2 * i, b, sz), rv_packed(R, j, 2 * i + 1, b, sz), r);
        else if (b == 0 && R->vk == RK_SHARED) R->sv[(j + 1) & 1][i] = fold_s(rv_shared(R, j, 2 * i), rv_shared(R, j, 2 * i + 1), r);
        if (hp) R->ph[(j + 1) & 1][b * half + i] = fold_ext(R->ph[j & 1][b * sz + 2 * i], R->ph[j & 1][b * sz + 2 * i + 1], r);
        else if (b == 0) R->sh[(j + 1) & 1][i] = fold_s(R->sh[j & 1][2 * i], R->sh[j & 1][2 * i + 1], r);
    }
}

/* HG at level 0 for a region: shared (scalar) when every mul gate reading the region first has
 * its second input outside per-instance regions, else packed. */
typedef struct { prover *P; const lplan *pl; struct rstate *R; size_t x0; } rhg_job;   /* shared HG: wires x0 + it */
static void region_hg(void *ctx, int tid, size_t it0, size_t it1) {
    (void)tid;
    rhg_job *J = ctx;
    prover *P = J->P;
    const lplan *pl = J->pl;
    struct rstate *R = J->R;
    for (size_t it = it0; it < it1; it++) {
        size_t b = R->hk == RK_PACKED ? it / R->len : 0, x = R->hk == RK_PACKED ? it % R->len : J->x0 + it, w = R->off + x;
        if (R->hk == RK_SHARED) {
            gf_m31ext3 a = P->A[w];
            for (uint32_t k = pl->mptr[w]; k < pl->mptr[w + 1]; k++) {
                uint32_t y = pl->mg[k].i1;
                uint8_t q = rid_of(P, y);
                if (q && P->rs[q - 1].vk == RK_SHARED)
                    a = gf_m31ext3_add(a, gf_m31ext3_mul_base(P->zc_mul[k], P->rs[q - 1].vs0[y - P->rs[q - 1].off]));
            }
            R->sh[0][x] = a;
        } else {
            gf_m31ext3x16 a = gf_m31ext3x16_broadcast(P->A[w]);
            for (uint32_t k = pl->mptr[w]; k < pl->mptr[w + 1]; k++) {
                uint32_t y = pl->mg[k].i1;
                uint8_t q = rid_of(P, y);
                if (!q || P->rs[q - 1].vk == RK_ZERO) continue;
                const struct rstate *Q = &P->rs[q - 1];
                gf_m31x16 v = Q->vk == RK_SHARED ? gf_m31x16_broadcast(Q->vs0[y - Q->off]) : Q->vp0[b * Q->len + (y - Q->off)];
                a = gf_m31ext3x16_add(a, gf_m31ext3x16_ext_times_base(P->zc_mul[k], v));
            }
            R->ph[0][b * R->len + x] = a;
        }
    }
}

/* After the region rounds (level jstar) the smallest regions are single entries, so the next
 * rounds pair entries of different regions. The tables there are mixed: a position is either
 * shared (V and HG scalars, the same for every instance: broadcast data, gaps, add-only HG)
 * or packed (per block, when V or HG depends on the instance). A pair of shared positions
 * folds to a shared one; any other pair to a packed one, so the packed positions never grow
 * in number. Memory is one scalar per position plus K values per packed position, instead of
 * K values per position (the whole input domain after jstar rounds, per block). */
typedef struct {
    size_t n;                    /* positions at this level */
    gf_m31ext3 *vs, *hs;         /* shared values (packed positions: unused) */
    uint32_t *slot;              /* per position: 0 = shared, else packed slot + 1 */
    gf_m31ext3x16 *pv, *ph;      /* packed slots: [slot * K + block] */
    size_t nslots;
} mixlevel;

static void mix_free(mixlevel *m) {
    free(m->vs); free(m->hs); free(m->slot); gf_free_aligned(m->pv); gf_free_aligned(m->ph);
    memset(m, 0, sizeof *m);
}
static int mix_alloc(mixlevel *m, size_t n, size_t slots, uint64_t K) {
    m->n = n;
    m->vs = calloc(n + 1, sizeof *m->vs); m->hs = calloc(n + 1, sizeof *m->hs); m->slot = calloc(n + 1, sizeof *m->slot);
    m->pv = gf_alloc_aligned(slots * K + 1, sizeof *m->pv); m->ph = gf_alloc_aligned(slots * K + 1, sizeof *m->ph);
    m->nslots = 0;
    return m->vs && m->hs && m->slot && m->pv && m->ph ? 0 : -1;
}
static inline gf_m31ext3x16 mix_v(const mixlevel *m, size_t i, uint64_t b, uint64_t K) {
    return m->slot[i] ? m->pv[(m->slot[i] - 1) * K + b] : gf_m31ext3x16_broadcast(m->vs[i]);
}
static inline gf_m31ext3x16 mix_h(const mixlevel *m, size_t i, uint64_t b, uint64_t K) {
    return m->slot[i] ? m->ph[(m->slot[i] - 1) * K + b] : gf_m31ext3x16_broadcast(m->hs[i]);
}

/* Level-jstar tables from the regions. Regions whose HG is zero were never folded: their V
 * there is the partial MLE over the low jstar bits. */
static gf_status regions_to_mixed(prover *P, mixlevel *M, gf_error *err) {
    const unsigned js = P->jstar, n0 = P->c->layers[0].in_log;
    const size_t w = (size_t)1 << js, md = (size_t)1 << (n0 - js);
    const uint64_t K = P->K;
    size_t slots = 0;
    for (size_t q = 0; q < P->n_regions; q++) {
        const struct rstate *R = &P->rs[q];
        if (R->vk == RK_PACKED || R->hk == RK_PACKED) slots += R->len >> js;
    }
    if (mix_alloc(M, md, slots, K)) return gf_error_set(err, GF_ERR_NOMEM, "out of memory");
    gf_m31ext3 *eqr = malloc(w * sizeof *eqr);
    gf_m31ext3x16 *eqv = w >= 16 ? gf_alloc_aligned(w / 16, sizeof *eqv) : NULL;
    if (!eqr || (w >= 16 && !eqv)) { free(eqr); gf_free_aligned(eqv); return gf_error_set(err, GF_ERR_NOMEM, "out of memory"); }
    gf_mle_eq_table(eqr, P->rx, js, gf_m31ext3_one());
    if (eqv && gf_mle_eq_table_x16(eqv, P->rx, js, gf_m31ext3_one())) { free(eqr); gf_free_aligned(eqv); return gf_error_set(err, GF_ERR_NOMEM, "out of memory"); }
    for (size_t q = 0; q < P->n_regions; q++) {
        const struct rstate *R = &P->rs[q];
        const size_t cnt = R->len >> js, base = R->off >> js;
        const int packed = R->vk == RK_PACKED || R->hk == RK_PACKED;
        for (size_t k = 0; k < cnt; k++) {
            const size_t pos = base + k;
            if (!packed) {
                gf_m31ext3 v = gf_m31ext3_zero();
                if (R->vk == RK_SHARED && R->hk != RK_ZERO) {
                    v = R->sv[js & 1][k];
                } else if (R->vk == RK_SHARED && eqv) {   /* 16 wires per packed product (a broadcast matrix) */
                    gf_m31ext3x16w a = gf_m31ext3x16w_zero();
                    for (size_t x = 0; x < w / 16; x++) gf_m31ext3x16w_add_mul_base(&a, eqv[x], gf_m31x16_load(R->vs0 + k * w + 16 * x));
                    v = gf_m31ext3x16_hsum(gf_m31ext3x16w_reduce(a));
                } else if (R->vk == RK_SHARED) {
                    for (size_t x = 0; x < w; x++) v = gf_m31ext3_add(v, gf_m31ext3_mul_base(eqr[x], R->vs0[k * w + x]));
                }
                M->vs[pos] = v;
                M->hs[pos] = R->hk == RK_SHARED ? R->sh[js & 1][k] : gf_m31ext3_zero();
                continue;
            }
            const size_t sl = M->nslots++;
            M->slot[pos] = (uint32_t)(sl + 1);
            for (uint64_t b = 0; b < K; b++) {
                gf_m31ext3x16 v;
                if (R->vk == RK_ZERO) {
                    v = gf_m31ext3x16_zero();
                } else if (R->hk != RK_ZERO) {
                    v = R->vk == RK_PACKED ? R->pv[js & 1][b * cnt + k] : gf_m31ext3x16_broadcast(R->sv[js & 1][k]);
                } else {   /* packed V, zero HG: the partial MLE of this block */
                    v = gf_m31ext3x16_zero();
                    for (size_t x = 0; x < w; x++)
                        v = gf_m31ext3x16_add(v, gf_m31ext3x16_ext_times_base(eqr[x], R->vp0[b * R->len + k * w + x]));
                }
                M->pv[sl * K + b] = v;
                M->ph[sl * K + b] = R->hk == RK_PACKED ? R->ph[js & 1][b * cnt + k]
                                    : R->hk == RK_SHARED ? gf_m31ext3x16_broadcast(R->sh[js & 1][k]) : gf_m31ext3x16_zero();
            }
        }
    }
    free(eqr);
    gf_free_aligned(eqv);
    return GF_OK;
}

/* One round on mixed tables: items are the shared pairs (scalar products, instance
 * independent) and (pair with a packed side, block) items; the fold then builds the next
 * level the same way. */
typedef struct {
    prover *P;
    const mixlevel *M;
    mixlevel *D;
    const size_t *pp;                 /* pairs with a packed side */
    gf_m31ext3 r;
    gf_m31ext3x16 acc[MAXT][3];
    gf_m31ext3 sacc[MAXT][3];
} mixjob;

static void mix_eval_shared(void *ctx, int tid, size_t i0, size_t i1) {
    mixjob *J = ctx;
    const mixlevel *M = J->M;
    gf_m31ext3 a[3] = {gf_m31ext3_zero(), gf_m31ext3_zero(), gf_m31ext3_zero()};
    for (size_t i = i0; i < i1; i++)
        if (!(M->slot[2 * i] | M->slot[2 * i + 1])) pair_products_s(a, M->hs[2 * i], M->hs[2 * i + 1], M->vs[2 * i], M->vs[2 * i + 1]);
    for (int k = 0; k < 3; k++) J->sacc[tid][k] = gf_m31ext3_add(J->sacc[tid][k], a[k]);
}
static void mix_eval_packed(void *ctx, int tid, size_t it0, size_t it1) {
    mixjob *J = ctx;
    const mixlevel *M = J->M;
    const uint64_t K = J->P->K;
    for (size_t it = it0; it < it1; it++) {
        const size_t i = J->pp[it / K];
        const uint64_t b = it % K;
        gf_m31ext3x16 v0 = mix_v(M, 2 * i, b, K), v1 = mix_v(M, 2 * i + 1, b, K), h0 = mix_h(M, 2 * i, b, K), h1 = mix_h(M, 2 * i + 1, b, K);
        gf_m31ext3x16w e[3] = {gf_m31ext3x16w_zero(), gf_m31ext3x16w_zero(), gf_m31ext3x16w_zero()};
        pair_products_w(e, h0, h1, v0, v1, 1);
        flush_w(J->acc[tid], e, J->P->W[b]);
    }
}
static void mix_fold_shared(void *ctx, int tid, size_t i0, size_t i1) {
    (void)tid;
    mixjob *J = ctx;
    const mixlevel *M = J->M;
    mixlevel *D = J->D;
    for (size_t i = i0; i < i1; i++) {
        if (M->slot[2 * i] | M->slot[2 * i + 1]) continue;
        D->vs[i] = fold_s(M->vs[2 * i], M->vs[2 * i + 1], J->r);
        D->hs[i] = fold_s(M->hs[2 * i], M->hs[2 * i + 1], J->r);
    }
}
static void mix_fold_packed(void *ctx, int tid, size_t it0, size_t it1) {
    (void)tid;
    mixjob *J = ctx;
    const mixlevel *M = J->M;
    mixlevel *D = J->D;
    const uint64_t K = J->P->K;
    for (size_t it = it0; it < it1; it++) {
        const size_t q = it / K, i = J->pp[q];
        const uint64_t b = it % K;
        D->pv[q * K + b] = fold_ext(mix_v(M, 2 * i, b, K), mix_v(M, 2 * i + 1, b, K), J->r);
        D->ph[q * K + b] = fold_ext(mix_h(M, 2 * i, b, K), mix_h(M, 2 * i + 1, b, K), J->r);
    }
}

/* Rounds jstar .. n-1 of layer 0 on mixed tables; vfin/hfin receive the K final values. */
static gf_status x_rounds_mixed(prover *P, int nt, gf_m31ext3 *S, gf_m31ext3x16 *vfin, gf_m31ext3x16 *hfin, gf_error *err) {
    const unsigned n = P->c->layers[0].in_log;
    const uint64_t K = P->K;
    mixlevel L[2];
    memset(L, 0, sizeof L);
    mixjob *J = gf_alloc_aligned(1, sizeof *J);
    size_t *pp = NULL;
    gf_status st = J ? regions_to_mixed(P, &L[0], err) : gf_error_set(err, GF_ERR_NOMEM, "out of memory");
    if (!st && !(pp = malloc((L[0].n / 2 + 1) * sizeof *pp))) st = gf_error_set(err, GF_ERR_NOMEM, "out of memory");
    if (!st && mix_alloc(&L[1], L[0].n / 2, L[0].nslots, K)) st = gf_error_set(err, GF_ERR_NOMEM, "out of memory");
    unsigned c = 0;
    for (unsigned j = P->jstar; !st && j < n; j++, c ^= 1) {
        mixlevel *M = &L[c], *D = &L[c ^ 1];
        const size_t half = M->n / 2;
        size_t npp = 0;
        for (size_t i = 0; i < half; i++)
            if (M->slot[2 * i] | M->slot[2 * i + 1]) pp[npp++] = i;
        J->P = P; J->M = M; J->D = D; J->pp = pp;
        memset(J->acc, 0, (size_t)nt * sizeof J->acc[0]);
        memset(J->sacc, 0, (size_t)nt * sizeof J->sacc[0]);
        run(P, half, mix_eval_shared, J);
        run(P, npp * K, mix_eval_packed, J);
        gf_m31ext3 ev[3];
        collect_split(P, J->acc, J->sacc, nt, ev);
        J->r = round_io(P, ev, 3, NULL, 0, S);
        P->rx[j] = J->r;
        /* the next level: pairs with a packed side take slots 0..npp-1 in order */
        D->n = half;
        D->nslots = npp;
        memset(D->slot, 0, half * sizeof *D->slot);
        for (size_t q = 0; q < npp; q++) D->slot[pp[q]] = (uint32_t)(q + 1);
        run(P, half, mix_fold_shared, J);
        run(P, npp * K, mix_fold_packed, J);
    }
    if (!st)
        for (uint64_t b = 0; b < K; b++) { vfin[b] = mix_v(&L[c], 0, b, K); hfin[b] = mix_h(&L[c], 0, b, K); }
    mix_free(&L[0]);
    mix_free(&L[1]);
    free(pp);
    gf_free_aligned(J);
    return st;
}

/* ---------- layer 0 without a plan (raw0) ----------
 * When every region's HG is shared or zero (per-instance x broadcast products, as in a
 * matrix-vector kernel), layer 0 needs no gate plan: its HGs and phase-2 weights are sums
 * over the gates in circuit order, scattered into small tables. That saves building and
 * storing the plan (counting sorts over all the layer's gates and wires), which every rank
 * would repeat. Gates are oriented as the plan would (GF_GKR_ORIENT_SHARED_SECOND). */
static inline int raw0_shared(const prover *P, uint32_t w) { return P->rs[rid_of(P, w) - 1].vk == RK_SHARED; }
static inline void raw0_gate(const prover *P, const gf_gate_mul *G, uint32_t *x, uint32_t *y) {
    *x = G->in0; *y = G->in1;
    if (P->shared0 && raw0_shared(P, *x) && !raw0_shared(P, *y)) { *x = G->in1; *y = G->in0; }
}

/* 16 mul gates [g0, g0 + n) at a time (n <= 16; missing lanes zero): oriented inputs and
 * their weights Z[out] coef as one packed value */
typedef struct { uint32_t x[16], y[16]; gf_m31ext3x16 zc; } raw0_chunk;
static void raw0_load(const prover *P, const gf_layer *L, uint64_t g0, int n, raw0_chunk *C) {
    C->zc = gf_m31ext3x16_zero();
    for (int s = 0; s < n; s++) {
        const gf_gate_mul *G = &L->mul[g0 + (uint64_t)s];
        raw0_gate(P, G, &C->x[s], &C->y[s]);
        gf_m31ext3x16_set_lane(&C->zc, s, gate_weight(P, G->out, G->coef));
    }
}

/* A column: 16 consecutive mul gates into one output with coefficient 1, oriented first
 * inputs x0 .. x0 + 15 (one region) and second inputs y0 + s d, d a positive multiple of 16
 * (one region): one output of a matrix-vector product with a broadcast matrix, the order the
 * kernel compiler emits (gates grouped by output). Its 16 products are one packed product. */
typedef gf_gkr_column raw0_col;   /* d == 0: not a column */
/* The gate structure part, found once per prover for every 16-gate chunk (P->cols); the
 * coefficient's value (1) is checked when proving, as random coefficients are drawn then. */
static void raw0_find_column(const prover *P, const gf_layer *L, uint64_t g0, raw0_col *pc) {
    pc->d = 0;
    if (L->n_mul - g0 < 16) return;
    const gf_gate_mul *G = &L->mul[g0];
    const int sw = P->shared0 && raw0_shared(P, G->in0) && !raw0_shared(P, G->in1);
    const uint32_t x0 = sw ? G->in1 : G->in0, y0 = sw ? G->in0 : G->in1, y1 = sw ? G[1].in0 : G[1].in1, d = y1 - y0;
    const uint64_t m = (uint64_t)1 << L->in_log;
    if (y1 <= y0 || (d & 15) || (uint64_t)x0 + 15 >= m || (uint64_t)y0 + 15ull * d >= m) return;
    if (rid_of(P, x0) != rid_of(P, x0 + 15) || rid_of(P, y0) != rid_of(P, y0 + 15 * d)) return;
    int ok = 1;
    for (uint32_t s = 1; s < 16; s++) {
        const uint32_t xs = sw ? G[s].in1 : G[s].in0, ys = sw ? G[s].in0 : G[s].in1;
        ok &= (xs == x0 + s) & (ys == y0 + s * d) & (G[s].out == G->out) & (G[s].coef == G->coef);
    }
    if (ok) { pc->x = x0; pc->y = y0; pc->d = d; pc->out = G->out; pc->coef = G->coef; }
}
static inline const raw0_col *raw0_column(const prover *P, uint64_t g0) {
    const raw0_col *pc = &P->cols[g0 >> 4];
    return pc->d && P->coefs[pc->coef] == 1 ? pc : NULL;
}

/* Level-0 HG of every region: sum over add gates at x of Z[out] coef, plus over mul gates at
 * x of Z[out] coef V(y) (V shared; gaps are zero). With several ranks each takes an equal run
 * of the gates and the tables are summed over the ranks (one small reduction per region). */
static void raw0_hg(prover *P) {
    const gf_layer *L = &P->c->layers[0];
    const int sp = split0(P);
    const uint64_t R = sp ? (uint64_t)P->nranks : 1, r = sp ? (uint64_t)P->rank : 0;
    for (size_t q = 0; q < P->n_regions; q++)
        if (P->rs[q].hk == RK_SHARED) memset(P->rs[q].sh[0], 0, P->rs[q].len * sizeof(gf_m31ext3));
    for (uint64_t g = L->n_add * r / R; g < L->n_add * (r + 1) / R; g++) {
        struct rstate *Q = &P->rs[rid_of(P, L->add[g].in) - 1];
        gf_m31ext3 *h = &Q->sh[0][L->add[g].in - Q->off];
        *h = gf_m31ext3_add(*h, gate_weight(P, L->add[g].out, L->add[g].coef));
    }
    /* 16-aligned runs of gates per rank (the chunks of P->cols) */
    const uint64_t g1 = r + 1 == R ? L->n_mul : (L->n_mul * (r + 1) / R) & ~(uint64_t)15;
    raw0_chunk C;
    for (uint64_t g0 = (L->n_mul * r / R) & ~(uint64_t)15; g0 < g1; g0 += 16) {
        const int n = g1 - g0 < 16 ? (int)(g1 - g0) : 16;
        const raw0_col *col = g1 - g0 >= 16 ? raw0_column(P, g0) : NULL;
        if (col) {
            const raw0_col pt = *col;
            const struct rstate *Qy = &P->rs[rid_of(P, pt.y) - 1];
            if (Qy->vk != RK_SHARED) continue;   /* a gap: zero */
            struct rstate *Qx = &P->rs[rid_of(P, pt.x) - 1];
            gf_m31ext3 *h = &Qx->sh[0][pt.x - Qx->off];
            gf_m31x16 v;
            for (uint32_t s2 = 0; s2 < 16; s2++) v.v[s2] = Qy->vs0[pt.y + s2 * pt.d - Qy->off];
            const gf_m31ext3x16 t = gf_m31ext3x16_mul_base(gf_m31ext3x16_broadcast(gate_weight(P, pt.out, pt.coef)), v);
            for (int s2 = 0; s2 < 16; s2++) h[s2] = gf_m31ext3_add(h[s2], gf_m31ext3x16_lane(&t, s2));
            continue;
        }
        raw0_load(P, L, g0, n, &C);
        gf_m31x16 v = gf_m31x16_zero();
        for (int s = 0; s < n; s++) {
            const struct rstate *Qy = &P->rs[rid_of(P, C.y[s]) - 1];
            v.v[s] = Qy->vk == RK_SHARED ? Qy->vs0[C.y[s] - Qy->off] : 0;   /* a gap: zero */
        }
        const gf_m31ext3x16 t = gf_m31ext3x16_mul_base(C.zc, v);
        for (int s = 0; s < n; s++) {
            struct rstate *Qx = &P->rs[rid_of(P, C.x[s]) - 1];
            gf_m31ext3 *h = &Qx->sh[0][C.x[s] - Qx->off];
            *h = gf_m31ext3_add(*h, gf_m31ext3x16_lane(&t, s));
        }
    }
    for (size_t q = 0; sp && q < P->n_regions && !P->st; q++) {
        struct rstate *Q = &P->rs[q];
        if (Q->hk != RK_SHARED) continue;
        P->st = gf_comm_reduce_sum_m31ext3(P->comm, Q->sh[0], Q->len, Q->sh[0], 0, P->err);
        if (!P->st) P->st = gf_comm_bcast(P->comm, Q->sh[0], Q->len * sizeof *Q->sh[0], 0, P->err);
    }
}

/* One column's 16 products Z[out] eq(rx, x0 + s) into lane y0 & 15 of vectors (y0 + s d) / 16
 * that this rank owns (v mod RR == first; local index v / RR). */
static void raw0_m_column(prover *P, const raw0_col *pt, size_t RR, size_t first) {
    const struct rstate *Qx = &P->rs[rid_of(P, pt->x) - 1];
    gf_m31ext3x16 e;
    for (int s2 = 0; s2 < 16; s2++) gf_m31ext3x16_set_lane(&e, s2, Qx->eqx[pt->x + (uint32_t)s2 - Qx->off]);
    const gf_m31ext3x16 t = gf_m31ext3x16_mul(e, gf_m31ext3x16_broadcast(gate_weight(P, pt->out, pt->coef)));
    const int ln = (int)(pt->y & 15);
    for (uint32_t s2 = 0; s2 < 16; s2++) {
        const size_t v = (pt->y + s2 * pt->d) >> 4;
        if (v % RR != first) continue;
        gf_m31ext3x16 *M = &P->p2M[v / RR];
        for (int c = 0; c < 3; c++) M->c[c].v[ln] = gf_m31_add(M->c[c].v[ln], t.c[c].v[s2]);
    }
}

/* Threads share the columns whose 16 vectors fall to one thread (d / 16 a multiple of RR x
 * threads; thread (v / RR) mod threads), so no two threads write one vector. */
typedef struct { prover *P; size_t RR, first, nt; } raw0m_job;
static void raw0_m_part(void *ctx, int tid, size_t t0, size_t t1) {
    (void)tid;
    const raw0m_job *J = ctx;
    prover *P = J->P;
    const gf_layer *L = &P->c->layers[0];
    const size_t span = J->RR * J->nt;
    for (size_t t = t0; t < t1; t++)
        for (uint64_t g0 = 0; g0 + 16 <= L->n_mul; g0 += 16) {
            const raw0_col *col = raw0_column(P, g0);
            if (!col || (col->d >> 4) % span) continue;
            const size_t v = col->y >> 4;
            if (v % J->RR != J->first || (v / J->RR) % J->nt != t) continue;
            raw0_m_column(P, col, J->RR, J->first);
        }
}

/* Phase-2 weights M(y) = sum over mul gates reading y second of Z[out] coef eq(rx, x), into
 * this rank's vectors of p2M (vector k' holds wires 16 (k' R + rank) ..; R = 1 unsplit). */
static void raw0_m(prover *P, size_t RR, size_t nvec) {
    const gf_layer *L = &P->c->layers[0];
    const size_t first = RR > 1 ? (size_t)P->rank : 0, nt = (size_t)gf_pool_threads(P->pool);
    if (P->p2M_used) memset(P->p2M, 0, nvec * sizeof *P->p2M);   /* fresh from gf_alloc_aligned: zero already */
    P->p2M_used = 1;
    raw0m_job J = {P, RR, first, nt};
    if (nt > 1) gf_pool_run(P->pool, nt, raw0_m_part, &J);
    const size_t span = nt > 1 ? RR * nt : 0;   /* columns the threads took */
    raw0_chunk C;
    for (uint64_t g0 = 0; g0 < L->n_mul; g0 += 16) {
        const int n = L->n_mul - g0 < 16 ? (int)(L->n_mul - g0) : 16;
        const raw0_col *col = raw0_column(P, g0);
        if (col) {
            if (span && (col->d >> 4) % span == 0) continue;
            /* one lane of 16 vectors; with d / 16 a multiple of the ranks, all on one rank */
            if ((col->d >> 4) % RR == 0 && (col->y >> 4) % RR != first) continue;
            raw0_m_column(P, col, RR, first);
            continue;
        }
        raw0_load(P, L, g0, n, &C);
        gf_m31ext3x16 e = gf_m31ext3x16_zero();
        for (int s = 0; s < n; s++) gf_m31ext3x16_set_lane(&e, s, region_eq_rx(P, C.x[s]));
        const gf_m31ext3x16 t = gf_m31ext3x16_mul(C.zc, e);
        for (int s = 0; s < n; s++) {
            const size_t v = C.y[s] >> 4;
            if (v % RR != first) continue;
            gf_m31ext3x16 *M = &P->p2M[v / RR];
            const int ln = (int)(C.y[s] & 15);
            gf_m31ext3x16_set_lane(M, ln, gf_m31ext3_add(gf_m31ext3x16_lane(M, ln), gf_m31ext3x16_lane(&t, s)));
        }
    }
}

/* V(y) for this rank's phase-2 vectors (the M side comes from raw0_m) */
typedef struct { prover *P; size_t stride, first; gf_m31ext3 wsh; } raw0v_job;
static void raw0_v(void *ctx, int tid, size_t k0, size_t k1) {
    (void)tid;
    const raw0v_job *J = ctx;
    const prover *P = J->P;
    for (size_t k = k0; k < k1; k++) {
        const size_t y0 = 16 * (k * J->stride + J->first);
        const struct rstate *R = &P->rs[rid_of(P, y0) - 1];
        if (R->len >= 16 && R->vk == RK_SHARED) {   /* the whole vector in one shared region */
            P->p2V[k] = gf_m31ext3x16_mul_base(gf_m31ext3x16_broadcast(J->wsh), gf_m31x16_load(R->vs0 + (y0 - R->off)));
            continue;
        }
        gf_m31ext3x16 V;
        for (int s = 0; s < 16; s++) {
            const size_t y = y0 + (size_t)s;
            const struct rstate *Ry = &P->rs[rid_of(P, y) - 1];
            gf_m31ext3 v = gf_m31ext3_zero();
            if (Ry->vk == RK_SHARED) v = gf_m31ext3_mul_base(J->wsh, Ry->vs0[y - Ry->off]);
            else if (Ry->vk == RK_PACKED) v = P->p2pk[Ry->pkoff + y - Ry->off];
            for (int c = 0; c < 3; c++) V.c[c].v[s] = v.c[c];
        }
        P->p2V[k] = V;
    }
}

/* Phase-1 x rounds of layer 0 from regions. On return vfin and hfin hold the K final values. */
static gf_status x_phase_regions(prover *P, const lplan *pl, int nt, gf_m31ext3x16 **vfin, gf_m31ext3x16 **hfin,
                                 gf_error *err) {
    const unsigned js = P->jstar;
    rjob *RJ = gf_alloc_aligned(1, sizeof *RJ);
    if (!RJ) return gf_error_set(err, GF_ERR_NOMEM, "out of memory");
    RJ->P = P;
    if (P->raw0) raw0_hg(P);
    for (size_t q = 0; !P->raw0 && q < P->n_regions; q++) {
        struct rstate *R = &P->rs[q];
        if (R->hk == RK_ZERO) continue;
        size_t a, b;
        region_slice(P, R, &a, &b);
        rhg_job hj = {P, pl, R, a};
        run(P, R->hk == RK_PACKED ? P->K * R->len : b - a, region_hg, &hj);
        if (b - a < R->len && !P->st) {
            /* every rank made one slice: gather them at the root, then everyone takes all */
            gf_m31ext3 *all = is_root(P) ? malloc(R->len * sizeof *all) : NULL;
            if (is_root(P) && !all) P->st = gf_error_set(P->err, GF_ERR_NOMEM, "out of memory in the GKR prover");
            /* the peers are in the gather whatever happened here */
            if (!P->st || !is_root(P)) P->st = gf_comm_gather(P->comm, R->sh[0] + a, (b - a) * sizeof *all, all, 0, P->err);
            if (all) memcpy(R->sh[0], all, R->len * sizeof *all);
            free(all);
            if (!P->st) P->st = gf_comm_bcast(P->comm, R->sh[0], R->len * sizeof *R->sh[0], 0, P->err);
        }
    }
    gf_m31ext3 S = gf_m31ext3_zero(), r = S;
    for (unsigned j = 0; j < js; j++) {
        memset(RJ->acc, 0, (size_t)nt * sizeof RJ->acc[0]);
        memset(RJ->sacc, 0, (size_t)nt * sizeof RJ->sacc[0]);
        RJ->j = j;
        for (size_t q = 0; q < P->n_regions; q++) {
            struct rstate *R = &P->rs[q];
            if (R->hk == RK_ZERO || R->vk == RK_ZERO) continue;   /* a zero factor: no products */
            RJ->R = R;
            RJ->half = (R->len >> j) / 2;
            int packed = R->vk == RK_PACKED || R->hk == RK_PACKED;
            run(P, (packed ? P->K : 1) * RJ->half, region_eval, RJ);
        }
        gf_m31ext3 ev[3];
        collect_split(P, RJ->acc, RJ->sacc, nt, ev);
        r = round_io(P, ev, 3, NULL, 0, &S);
        P->rx[j] = r;
        RJ->r = r;
        for (size_t q = 0; q < P->n_regions; q++) {
            struct rstate *R = &P->rs[q];
            if (R->hk == RK_ZERO) continue;
            RJ->R = R;
            RJ->half = (R->len >> j) / 2;
            int packed = R->vk == RK_PACKED || R->hk == RK_PACKED;
            run(P, (packed ? P->K : 1) * RJ->half, region_fold, RJ);
        }
    }
    gf_free_aligned(RJ);
    gf_status st = x_rounds_mixed(P, nt, &S, P->vA, P->hg0, err);
    if (st) return st;
    *vfin = P->vA;
    *hfin = P->hg0;
    return GF_OK;
}

/* eq(r_sb, (s, b, rank)) for this rank's 16 K instances: the local table times the constant
 * eq(rank variables, this rank) = crank. */
static void pack_weights(prover *P, const gf_m31ext3 *rsb) {
    unsigned nl = 4 + P->kb;
    gf_m31ext3 c = gf_m31ext3_one();
    for (unsigned j = 0; j < P->kr; j++) {
        gf_m31ext3 rj = rsb[nl + j];
        c = gf_m31ext3_mul(c, (P->rank >> j) & 1 ? rj : gf_m31ext3_sub(gf_m31ext3_one(), rj));
    }
    P->crank = c;
    gf_mle_eq_table(P->sb_e, rsb, nl, c);
    for (uint64_t b = 0; b < P->K; b++)
        for (int s = 0; s < 16; s++) gf_m31ext3x16_set_lane(&P->W[b], s, P->sb_e[b * 16 + s]);
}

static gf_status prove_layer(prover *P, uint32_t l, int is_last_layer_processed, gf_error *err) {
    const gf_layer *L = &P->c->layers[l];
    const unsigned n = L->in_log, mo = L->out_log;
    const size_t m = (size_t)1 << n;
    const gf_m31x16 *vin = P->vals[l];
    const int nt = gf_pool_threads(P->pool);   /* <= MAXT, checked by prover_run */
    (void)is_last_layer_processed;

    /* Z(z) = eq(rz0, z) + alpha eq(rz1, z); per-gate Z[o] * coef */
    /* S0: the claim the x rounds start from (root only), known except for public outputs */
    const int top = l == P->c->n_layers - 1, s0_known = !(top && P->pub);
    gf_m31ext3 S0 = top ? gf_m31ext3_zero() : P->claim_vx;
    if (P->has_rz1) {
        gf_m31ext3 alpha;
        challenge_io(P, &alpha, 1);
        eq_build(P, P->Zv, mo, P->rz0, gf_m31ext3_one(), P->rz1, alpha);
        S0 = gf_m31ext3_add(S0, gf_m31ext3_mul(alpha, P->claim_vy));
    } else {
        eq_build(P, P->Zv, mo, P->rz0, gf_m31ext3_one(), NULL, gf_m31ext3_zero());
    }
    for (uint64_t g = 0; g < L->n_const; g++)
        S0 = gf_m31ext3_sub(S0, gf_m31ext3_mul_base(gf_eq16_at(P->Zv, L->cst[g].out), P->coefs[L->cst[g].coef]));
    const lplan *pl = &P->plan[l];
    prep_job pj = {P, pl, 0};
    if (l == 0 && P->raw0) {
        /* no plan: raw0_hg and raw0_m take the gate weights from Z directly */
    } else if (l == 0 && P->n_regions) {
        /* gates read first only inside regions with an HG: A and zc elsewhere are never read */
        for (size_t q = 0; q < P->n_regions; q++)
            if (P->rs[q].hk != RK_ZERO) {
                size_t a, b;
                region_slice(P, &P->rs[q], &a, &b);
                pj.base = P->rs[q].off + a;
                run(P, b - a, prep_wires, &pj);
            }
    } else {
        run(P, m, prep_wires, &pj);
    }

    uint8_t *lev[32] = {0};   /* dense layers only (layer 0 from regions has none) */
    lev[0] = pl->lev;
    for (unsigned j = 1; pl->lev && j <= n; j++) lev[j] = lev[j - 1] + (m >> (j - 1));

    pack_weights(P, P->rsb);

    /* x rounds */
    xjob *J = gf_alloc_aligned(1, sizeof *J);
    if (!J) return gf_error_set(err, GF_ERR_NOMEM, "out of memory in the GKR prover");
    gf_m31ext3x16 *vfin = NULL, *hfin = NULL;
    J->P = P; J->pl = pl;
    if (l == 0 && P->n_regions) {
        gf_status rst = x_phase_regions(P, pl, nt, &vfin, &hfin, err);
        if (rst) { gf_free_aligned(J); return rst; }
    } else if (n == 0) {
        for (uint64_t b = 0; b < P->K; b++) {
            P->vA[b] = gf_m31ext3x16_from_base(vin[b]);
            P->hgA[b] = hg_at(P, pl, vin + b, 0);
        }
        vfin = P->vA; hfin = P->hgA;
    } else {
        /* rounds 1..ng by gather while the level has at least half as many entries as there
         * are mul gates (then gathering is cheaper than folding a stored HG) */
        unsigned ng = 0;
        while (ng + 1 < n && 2 * (m >> (ng + 1)) >= L->n_mul) ng++;
        const int gather1 = ng >= 1;
        J->P = P; J->pl = pl;
        J->src_m = m; J->per_block = m / 2;
        J->vbase = vin; J->hdst = P->hg0; J->ex_src = lev[0];
        J->store_h = !gather1; J->want1 = !s0_known;
        memset(J->acc, 0, (size_t)nt * sizeof J->acc[0]);
        run(P, P->K * J->per_block, x_round0, J);
        gf_m31ext3 ev[3], S = S0;
        x_collect(P, J, nt, ev);
        gf_m31ext3 r = round_io(P, ev, 3, NULL, s0_known, &S);
        P->rx[0] = r;
        /* ping-pong: V: base -> vA -> vB -> vA ...; HG: hg0 -> hgA -> hg0 -> ... */
        gf_m31ext3x16 *vbufs[2] = {P->vA, P->vB}, *hbufs[2] = {P->hgA, P->hg0};
        const gf_m31ext3x16 *vs = NULL, *hs = P->hg0;
        for (unsigned j = 1; j < n; j++) {
            size_t sm = m >> (j - 1);
            J->src_m = sm; J->per_block = sm / 4;
            J->vbase = j == 1 ? vin : NULL; J->vsrc = vs; J->hsrc = hs;
            J->vdst = vbufs[(j - 1) & 1]; J->hdst = hbufs[(j - 1) & 1];
            J->ex_src = lev[j - 1]; J->ex_dst = lev[j]; J->r = r;
            memset(J->acc, 0, (size_t)nt * sizeof J->acc[0]);
            if (j <= ng) {
                gf_m31ext3 *abuf[2] = {P->A1, P->A2};
                gprep gp = {P, pl, r, j, j == 1 ? P->A : abuf[j & 1], abuf[(j - 1) & 1], lev[j]};
                run(P, m >> j, x_gather_prep, &gp);
                J->layer = l; J->gj = j; J->aj = gp.adst; J->vin0 = vin; J->store_h = j == ng;
                run(P, P->K * J->per_block, j == 1 ? x_gather_base : x_gather_ext, J);
            } else {
                run(P, P->K * J->per_block, j == 1 ? x_fused_base : x_fused_ext, J);
            }
            x_collect(P, J, nt, ev);
            r = round_io(P, ev, 3, NULL, 1, &S);
            P->rx[j] = r;
            vs = J->vdst; hs = J->hdst;
        }
        /* final fold: tables of size 2 -> 1 */
        gf_m31ext3x16 *vd = vbufs[(n - 1) & 1], *hd = hbufs[(n - 1) & 1];
        for (uint64_t b = 0; b < P->K; b++) {
            gf_m31ext3x16 nv = n == 1 ? fold_base(vin[2 * b], vin[2 * b + 1], r) : fold_ext(vs[2 * b], vs[2 * b + 1], r);
            gf_m31ext3x16 nh = fold_ext(hs[2 * b], hs[2 * b + 1], r);
            vd[b] = nv; hd[b] = nh;
        }
        vfin = vd; hfin = hd;
    }
    gf_free_aligned(J);

    /* (s, b) rounds, degree 3: sum eq(r_sb, sb) V(rx, sb) HG(rx, sb) */
    size_t nsbv = (size_t)16 * P->K;
    for (uint64_t b = 0; b < P->K; b++)
        for (int s = 0; s < 16; s++) {
            P->sb_v[b * 16 + s] = gf_m31ext3x16_lane(&vfin[b], s);
            P->sb_h[b * 16 + s] = gf_m31ext3x16_lane(&hfin[b], s);
        }
    /* sb_e still holds eq(r_sb, .) for this rank from pack_weights. Local variables first
     * (every rank's partial sums are added at the root), then the rank variables, which the
     * root runs alone on one (eq, V, HG) triple per rank. */
    const unsigned nl = 4 + P->kb;
    for (unsigned j = 0; j < nl; j++) {
        size_t h = nsbv >> (j + 1);
        gf_m31ext3 ev[4] = {gf_m31ext3_zero(), gf_m31ext3_zero(), gf_m31ext3_zero(), gf_m31ext3_zero()};
        for (size_t i = 0; i < h; i++) {
            gf_m31ext3 e0 = P->sb_e[2 * i], v0 = P->sb_v[2 * i], h0 = P->sb_h[2 * i];
            gf_m31ext3 de = gf_m31ext3_sub(P->sb_e[2 * i + 1], e0), dv = gf_m31ext3_sub(P->sb_v[2 * i + 1], v0),
                       dh = gf_m31ext3_sub(P->sb_h[2 * i + 1], h0);
            for (int t = 0; t < 4; t++) {
                ev[t] = gf_m31ext3_add(ev[t], gf_m31ext3_mul(gf_m31ext3_mul(e0, v0), h0));
                e0 = gf_m31ext3_add(e0, de); v0 = gf_m31ext3_add(v0, dv); h0 = gf_m31ext3_add(h0, dh);
            }
        }
        gf_m31ext3 r = round_io(P, ev, 4, NULL, 0, NULL);
        P->rsb_new[j] = r;
        for (size_t i = 0; i < h; i++) {
            P->sb_e[i] = gf_m31ext3_add(P->sb_e[2 * i], gf_m31ext3_mul(r, gf_m31ext3_sub(P->sb_e[2 * i + 1], P->sb_e[2 * i])));
            P->sb_v[i] = gf_m31ext3_add(P->sb_v[2 * i], gf_m31ext3_mul(r, gf_m31ext3_sub(P->sb_v[2 * i + 1], P->sb_v[2 * i])));
            P->sb_h[i] = gf_m31ext3_add(P->sb_h[2 * i], gf_m31ext3_mul(r, gf_m31ext3_sub(P->sb_h[2 * i + 1], P->sb_h[2 * i])));
        }
    }
    gf_m31ext3 eq_fin = P->sb_e[0], vx = P->sb_v[0];
    if (P->nranks > 1) {
        gf_m31ext3 mine[3] = {P->sb_e[0], P->sb_v[0], P->sb_h[0]};
        if (!P->st) P->st = gf_comm_gather(P->comm, mine, sizeof mine, P->gath, 0, P->err);
        if (is_root(P)) {
            gf_m31ext3 *e = P->sb_e, *v = P->sb_v, *hh = P->sb_h;   /* reuse: nranks <= 16 K */
            for (int q = 0; q < P->nranks; q++) { e[q] = P->gath[3 * q]; v[q] = P->gath[3 * q + 1]; hh[q] = P->gath[3 * q + 2]; }
            for (unsigned j = 0; j < P->kr; j++) {
                size_t h = (size_t)P->nranks >> (j + 1);
                gf_m31ext3 ev[4] = {gf_m31ext3_zero(), gf_m31ext3_zero(), gf_m31ext3_zero(), gf_m31ext3_zero()};
                for (size_t i = 0; i < h; i++) {
                    gf_m31ext3 e0 = e[2 * i], v0 = v[2 * i], h0 = hh[2 * i];
                    gf_m31ext3 de = gf_m31ext3_sub(e[2 * i + 1], e0), dv = gf_m31ext3_sub(v[2 * i + 1], v0),
                               dh = gf_m31ext3_sub(hh[2 * i + 1], h0);
                    for (int t = 0; t < 4; t++) {
                        ev[t] = gf_m31ext3_add(ev[t], gf_m31ext3_mul(gf_m31ext3_mul(e0, v0), h0));
                        e0 = gf_m31ext3_add(e0, de); v0 = gf_m31ext3_add(v0, dv); h0 = gf_m31ext3_add(h0, dh);
                    }
                }
                send(P, ev, 4);
                gf_m31ext3 r = gf_transcript_challenge_m31ext3(P->t);
                P->rsb_new[nl + j] = r;
                for (size_t i = 0; i < h; i++) {
                    e[i] = gf_m31ext3_add(e[2 * i], gf_m31ext3_mul(r, gf_m31ext3_sub(e[2 * i + 1], e[2 * i])));
                    v[i] = gf_m31ext3_add(v[2 * i], gf_m31ext3_mul(r, gf_m31ext3_sub(v[2 * i + 1], v[2 * i])));
                    hh[i] = gf_m31ext3_add(hh[2 * i], gf_m31ext3_mul(r, gf_m31ext3_sub(hh[2 * i + 1], hh[2 * i])));
                }
            }
            eq_fin = e[0];
            vx = v[0];
        }
        if (!P->st) P->st = gf_comm_bcast(P->comm, P->rsb_new + nl, P->kr * sizeof *P->rsb_new, 0, P->err);
    }
    if (is_root(P)) send(P, &vx, 1);
    P->claim_vx = vx;

    if (L->n_mul > 0) {
        gf_m31ext3 coef2 = gf_m31ext3_mul(eq_fin, vx);
        if (l == 0 && P->n_regions) {
            /* eq(rx, .) only where mul gates read first: the regions with an HG, each its own
             * table times eq of the region's fixed high bits */
            for (size_t q = 0; q < P->n_regions; q++) {
                struct rstate *R = &P->rs[q];
                if (R->hk == RK_ZERO) continue;
                const unsigned lg = gf_log2_u64(R->len);
                gf_m31ext3 hi = gf_m31ext3_one();
                for (unsigned b = lg; b < n; b++)
                    hi = gf_m31ext3_mul(hi, (R->off >> b) & 1 ? P->rx[b] : gf_m31ext3_sub(gf_m31ext3_one(), P->rx[b]));
                gf_mle_eq_table(R->eqx, P->rx, lg, hi);
            }
        } else {
            eq_build(P, P->Tv, n, P->rx, gf_m31ext3_one(), NULL, gf_m31ext3_zero());
        }
        pack_weights(P, P->rsb_new);
        for (uint64_t b = 0; b < P->K; b++)
            for (int c = 0; c < 3; c++)
                for (int s2 = 0; s2 < 16; s2++) P->wl[(b * 3 + (uint64_t)c) * 16 + (uint64_t)s2] = P->sb_e[b * 16 + (uint64_t)s2].c[c];
        /* layer 0 from regions: the y tables are mostly instance independent (shared and gap
         * wires), so with several ranks each builds and runs every R-th vector of them (V of
         * packed wires summed over all ranks first) instead of all of it on every rank; the
         * last R vectors are gathered and finished on every rank alike, the root's sums alone
         * counting */
        const int reg0 = l == 0 && P->n_regions;
        const size_t RR = reg0 && split0(P) ? (size_t)P->nranks : 1;
        const int split = RR > 1, tail_zero = split && !is_root(P);
        p2prep pp = {P, pl, vin, m};
        if (reg0 && m >= 32) {
            for (size_t q = 0; q < P->n_regions; q++) {
                if (P->rs[q].vk != RK_PACKED) continue;
                p2pkjob pj2 = {P, &P->rs[q]};
                run(P, P->rs[q].len, p2_packed_values, &pj2);
                if (split && !P->st) {
                    gf_m31ext3 *pk = P->p2pk + P->rs[q].pkoff;
                    P->st = gf_comm_reduce_sum_m31ext3(P->comm, pk, P->rs[q].len, pk, 0, P->err);
                    if (!P->st) P->st = gf_comm_bcast(P->comm, pk, P->rs[q].len * sizeof *pk, 0, P->err);
                }
            }
            if (P->raw0) {
                raw0_m(P, RR, m / 16 / RR);
                raw0v_job vj = {P, RR, split ? (size_t)P->rank : 0, split ? gf_m31ext3_one() : P->crank};
                run(P, m / 16 / RR, raw0_v, &vj);
            } else {
                /* split: zc_mul holds only this rank's slices of shared-HG regions (region_slice) */
                p2rprep rp = {P, pl, RR, split ? (size_t)P->rank : 0, split ? gf_m31ext3_one() : P->crank, split};
                run(P, m / 16 / RR, p2_prep_regions, &rp);
            }
        } else if (m >= 32) {
            run(P, m / 16, p2_prep_vec, &pp);
        } else {
            pp.vin = reg0 ? NULL : vin;
            p2_prep_scalar(&pp, 0, 0, m);
        }
        p2job *Q = gf_alloc_aligned(1, sizeof *Q);
        p2vjob *QV = gf_alloc_aligned(1, sizeof *QV);
        if (!Q || !QV) { gf_free_aligned(Q); gf_free_aligned(QV); return gf_error_set(err, GF_ERR_NOMEM, "out of memory in the GKR prover"); }
        unsigned j = 0;
        if (m >= 32) {
            QV->M = P->p2M; QV->V = P->p2V;
            /* round 0: all three evaluations; then p(1) = S - p(0) with S the running claim */
            gf_m31ext3 S2 = gf_m31ext3_zero();
            int fresh = 1;   /* no fold pending: this round evaluates the table as it is */
            for (size_t per = 16 * RR;; per = 16) {
                for (; (m >> (j + 1)) >= per; j++) {
                    QV->hv = (m >> (j + 1)) / per;
                    memset(QV->acc, 0, (size_t)nt * sizeof QV->acc[0]);
                    run(P, QV->hv, fresh ? p2v_eval : p2v_fused, QV);
                    fresh = 0;
                    gf_m31ext3 ev[3];
                    for (int k = 0; k < 3; k++) {
                        gf_m31ext3x16 s3 = gf_m31ext3x16_zero();
                        for (int t = 0; t < nt; t++) s3 = gf_m31ext3x16_add(s3, QV->acc[t][k]);
                        ev[k] = gf_m31ext3x16_hsum(s3);
                    }
                    if (per == 16 && tail_zero) ev[0] = ev[1] = ev[2] = gf_m31ext3_zero();
                    QV->r = round_io(P, ev, 3, &coef2, j > 0, &S2);
                    P->ry[n - 1 - j] = QV->r;
                }
                if (per == 16) break;
                /* split: fold each rank's last pair, then every rank takes all R vectors */
                QV->hv = 1;
                p2v_fold(QV, 0, 0, 1);
                gf_m31ext3x16 mine[2] = {P->p2M[0], P->p2V[0]};
                gf_m31ext3x16 *all = is_root(P) ? gf_alloc_aligned(2 * RR, sizeof *all) : NULL;
                if (is_root(P) && !all && !P->st) P->st = gf_error_set(P->err, GF_ERR_NOMEM, "out of memory in the GKR prover");
                /* the peers are in the gather whatever happened here */
                if (!P->st || !is_root(P)) P->st = gf_comm_gather(P->comm, mine, sizeof mine, all, 0, P->err);
                for (size_t q = 0; all && q < RR; q++) { P->p2M[q] = all[2 * q]; P->p2V[q] = all[2 * q + 1]; }
                gf_free_aligned(all);
                if (!P->st) P->st = gf_comm_bcast(P->comm, P->p2M, RR * sizeof *P->p2M, 0, P->err);
                if (!P->st) P->st = gf_comm_bcast(P->comm, P->p2V, RR * sizeof *P->p2V, 0, P->err);
                fresh = 1;
            }
            /* the last vector round's fold: vector pair (0, 1) -> vector 0 */
            QV->hv = 1;
            p2v_fold(QV, 0, 0, 1);
            /* 16 elements left in vector 0 */
            for (int s2 = 0; s2 < 16; s2++) {
                P->mzx[s2] = gf_m31ext3x16_lane(&P->p2M[0], s2);
                P->vy[s2] = gf_m31ext3x16_lane(&P->p2V[0], s2);
            }
        }
        Q->M = P->mzx; Q->V = P->vy;
        for (; j < n; j++) {
            Q->h = m >> (j + 1);
            memset(Q->acc, 0, sizeof Q->acc[0]);
            p2_eval(Q, 0, 0, Q->h);
            gf_m31ext3 ev[3] = {Q->acc[0][0], Q->acc[0][1], Q->acc[0][2]}, S3 = gf_m31ext3_zero();
            if (tail_zero) ev[0] = ev[1] = ev[2] = gf_m31ext3_zero();
            Q->r = round_io(P, ev, 3, &coef2, 0, &S3);
            P->ry[n - 1 - j] = Q->r;
            p2_fold(Q, 0, 0, Q->h);
        }
        gf_free_aligned(QV);
        P->p2M_used = 1;
        gf_m31ext3 vy = P->vy[0];
        gf_free_aligned(Q);
        /* split: every rank finished the same full tables */
        if (P->nranks > 1 && !split && !P->st) P->st = gf_comm_reduce_sum_m31ext3(P->comm, &vy, 1, &vy, 0, P->err);
        if (is_root(P)) send(P, &vy, 1);
        P->claim_vy = vy;
        P->has_rz1 = 1;
        /* the next layer's second claim value is vy; values themselves live in the transcript */
    } else {
        P->has_rz1 = 0;
    }
    /* next claims: rz0 = rx, rz1 = ry, r_sb = rsb_new */
    memcpy(P->rz0, P->rx, n * sizeof *P->rx);
    if (P->has_rz1) memcpy(P->rz1, P->ry, n * sizeof *P->ry);
    memcpy(P->rsb, P->rsb_new, P->nsb * sizeof *P->rsb);
    return GF_OK;
}

void gf_gkr_claims_free(gf_gkr_claims *cl) {
    if (!cl) return;
    for (int i = 0; i < 2; i++) { free(cl->c[i].point); cl->c[i].point = NULL; }
    cl->n = 0;
}

static void free_plan(prover *P) {
    for (uint32_t l = 0; P->plan && l < P->c->n_layers; l++) {
        gf_free_aligned(P->plan[l].mptr); gf_free_aligned(P->plan[l].aptr); gf_free_aligned(P->plan[l].mg);
        gf_free_aligned(P->plan[l].ag); gf_free_aligned(P->plan[l].yptr); gf_free_aligned(P->plan[l].yg);
        gf_free_aligned(P->plan[l].lev);
    }
    free(P->plan);
    P->plan = NULL;
}

/* Counting sort of each layer's gates by their first input. */
/* shared0: NULL, or per layer-0 wire 1 if it lies in a shared region; then layer-0 mul
 * gates reading a shared wire first and a non-shared one second are planned with their
 * inputs swapped (GF_GKR_ORIENT_SHARED_SECOND). */
static int build_plan(prover *P, const uint8_t *shared0, int regions0, int skip0) {
    const gf_circuit *c = P->c;
    P->plan = calloc(c->n_layers, sizeof *P->plan);
    if (!P->plan) return -1;
    for (uint32_t l = skip0 ? 1 : 0; l < c->n_layers; l++) {
        const gf_layer *L = &c->layers[l];
        lplan *pl = &P->plan[l];
        size_t m = (size_t)1 << L->in_log;
        /* every array comes zeroed from gf_alloc_aligned (on huge pages when large) */
        pl->mptr = gf_alloc_aligned(m + 1, sizeof *pl->mptr);
        pl->aptr = gf_alloc_aligned(m + 1, sizeof *pl->aptr);
        pl->mg = gf_alloc_aligned(L->n_mul + 1, sizeof *pl->mg);
        pl->ag = gf_alloc_aligned(L->n_add + 1, sizeof *pl->ag);
        if (!pl->mptr || !pl->aptr || !pl->mg || !pl->ag) return -1;
        const uint8_t *sw = l == 0 ? shared0 : NULL;
#define GKR_SWAP(G) (sw && sw[(G)->in0] && !sw[(G)->in1])
        for (uint64_t g = 0; g < L->n_mul; g++) pl->mptr[(GKR_SWAP(&L->mul[g]) ? L->mul[g].in1 : L->mul[g].in0) + 1]++;
        for (uint64_t g = 0; g < L->n_add; g++) pl->aptr[L->add[g].in + 1]++;
        for (size_t x = 0; x < m; x++) { pl->mptr[x + 1] += pl->mptr[x]; pl->aptr[x + 1] += pl->aptr[x]; }
        uint32_t *fill = gf_alloc_aligned(m + 1, sizeof *fill);
        if (!fill) return -1;
        memcpy(fill, pl->mptr, (m + 1) * sizeof *fill);
        for (uint64_t g = 0; g < L->n_mul; g++) {
            const gf_gate_mul *G = &L->mul[g];
            const int sx = GKR_SWAP(G);
            pl->mg[fill[sx ? G->in1 : G->in0]++] = (pmul){sx ? G->in0 : G->in1, G->out, G->coef};
        }
#undef GKR_SWAP
        memcpy(fill, pl->aptr, (m + 1) * sizeof *fill);
        for (uint64_t g = 0; g < L->n_add; g++) {
            const gf_gate_add *G = &L->add[g];
            pl->ag[fill[G->in]++] = (padd){G->out, G->coef};
        }
        /* the same mul gates grouped by i1, for phase 2's MZX(y) gather */
        pl->yptr = gf_alloc_aligned(m + 1, sizeof *pl->yptr);
        pl->yg = gf_alloc_aligned(L->n_mul + 1, sizeof *pl->yg);
        if (!pl->yptr || !pl->yg) { gf_free_aligned(fill); return -1; }
        for (uint64_t k = 0; k < L->n_mul; k++) pl->yptr[pl->mg[k].i1 + 1]++;
        for (size_t x = 0; x < m; x++) pl->yptr[x + 1] += pl->yptr[x];
        memcpy(fill, pl->yptr, (m + 1) * sizeof *fill);
        for (size_t x = 0; x < m; x++)
            for (uint32_t k = pl->mptr[x]; k < pl->mptr[x + 1]; k++) pl->yg[fill[pl->mg[k].i1]++] = (pby1){k, (uint32_t)x};
        gf_free_aligned(fill);
        if (l == 0 && regions0) continue;   /* layer 0's x rounds run on the regions, not on masks */
        pl->lev = gf_alloc_aligned(2 * m, 1);
        if (!pl->lev) return -1;
        for (size_t x = 0; x < m; x++) pl->lev[x] = (pl->mptr[x + 1] > pl->mptr[x]) | (pl->aptr[x + 1] > pl->aptr[x]);
        for (size_t o = 0, len = m; len > 1; o += len, len /= 2)
            for (size_t i = 0; i < len / 2; i++) pl->lev[o + len + i] = pl->lev[o + 2 * i] | pl->lev[o + 2 * i + 1];
    }
    return 0;
}

static void free_regions(prover *P) {
    for (size_t q = 0; P->rs && q < P->n_regions; q++) {
        struct rstate *R = &P->rs[q];
        for (int k = 0; k < 2; k++) { free(R->sv[k]); free(R->sh[k]); gf_free_aligned(R->pv[k]); gf_free_aligned(R->ph[k]); }
        free(R->eqx);
    }
    free(P->rs);
    free(P->rid);
    gf_free_aligned(P->p2pk);
    P->p2pk = NULL;
    P->rs = NULL;
    P->rid = NULL;
    P->n_regions = 0;
}

static void free_scratch(prover *P) {
    free(P->gath);
    free(P->cols);
    free(P->shared0);
    free_regions(P);
    free_plan(P);
    gf_free_aligned(P->A); gf_free_aligned(P->A1); gf_free_aligned(P->A2); gf_free_aligned(P->zw);
    gf_free_aligned(P->hg0); gf_free_aligned(P->hgA); gf_free_aligned(P->vA); gf_free_aligned(P->vB);
    gf_free_aligned(P->W); free(P->wl); gf_free_aligned(P->p2M); gf_free_aligned(P->p2V);
    gf_free_aligned(P->Zv); gf_free_aligned(P->Tv); free(P->eqhi[0]); free(P->eqhi[1]);
    gf_free_aligned(P->zc_mul); free(P->sb_e); free(P->sb_v); free(P->sb_h);
    free(P->mzx); free(P->vy); free(P->rz0); free(P->rz1); free(P->rsb); free(P->rsb_new); free(P->rx); free(P->ry);
}

struct gf_gkr_m31_prover { prover P; };

/* Validates the regions against layer 0, records them, and decides each region's HG form. */
static gf_status setup_regions(prover *P, size_t nr, const gf_gkr_region *reg, const uint8_t *shared0, gf_error *err) {
    const gf_circuit *c = P->c;
    const unsigned n0 = c->layers[0].in_log;
    const size_t m0 = (size_t)1 << n0;
    if (nr > 255) return gf_error_set(err, GF_ERR_INVALID, "at most 255 input regions, got %zu", nr);
    P->rs = calloc(256, sizeof *P->rs);
    if (!P->rs) return gf_error_set(err, GF_ERR_NOMEM, "out of memory");
    P->n_regions = nr;
    unsigned js = n0;
    for (size_t q = 0; q < nr; q++) {
        const gf_gkr_region *g = &reg[q];
        if (!gf_is_pow2(g->len) || g->len < 2 || g->offset % g->len || g->offset + g->len > m0)
            return gf_error_set(err, GF_ERR_INVALID, "input region %zu (offset %llu, length %llu) is not an aligned power of two >= 2 inside the 2^%u inputs",
                                q, (unsigned long long)g->offset, (unsigned long long)g->len, n0);
        /* aligned powers of two either nest or are disjoint: a clash shows at the ends */
        for (size_t q2 = 0; q2 < q; q2++) {
            const uint64_t a = reg[q2].offset > g->offset ? reg[q2].offset : g->offset;
            if (a < reg[q2].offset + reg[q2].len && a < g->offset + g->len)
                return gf_error_set(err, GF_ERR_INVALID, "input regions %zu and %zu overlap at wire %llu", q2, q, (unsigned long long)a);
        }
        struct rstate *R = &P->rs[q];
        R->off = g->offset; R->len = g->len;
        R->vk = g->shared ? RK_SHARED : RK_PACKED;
        unsigned lg = gf_log2_u64(g->len);
        if (lg < js) js = lg;
    }
    /* the rest of the input is zero: cover it with aligned power-of-two gap regions, because
     * gates may still read those wires (their HG is not zero) */
    P->n_given = nr;
    for (uint64_t a = 0; a < m0;) {
        /* the next wire no given region covers, then the end of that gap */
        uint64_t next = m0;
        int inside = 0;
        for (size_t q = 0; q < nr; q++) {
            if (reg[q].offset <= a && a < reg[q].offset + reg[q].len) { a = reg[q].offset + reg[q].len; inside = 1; break; }
            if (reg[q].offset > a && reg[q].offset < next) next = reg[q].offset;
        }
        if (inside) continue;
        const uint64_t b = next;
        while (a < b) {
            uint64_t sz = a ? (a & (~a + 1)) : ((uint64_t)1 << 62);
            while (a + sz > b) sz >>= 1;
            if (P->n_regions >= 255) return gf_error_set(err, GF_ERR_INVALID, "input regions leave too many gaps (more than 255 regions)");
            struct rstate *G = &P->rs[P->n_regions];
            G->off = a; G->len = sz; G->vk = RK_ZERO;
            P->n_regions++;
            unsigned lg = gf_log2_u64(sz);
            if (lg < js) js = lg;
            a += sz;
        }
    }
    /* which region a wire lies in, per 2^jstar wires (every region is aligned and at least
     * that long): a table of m0 / 2^jstar bytes instead of one per wire */
    if (!(P->rid = malloc((m0 >> js) + 1))) return gf_error_set(err, GF_ERR_NOMEM, "out of memory");
    for (size_t q = 0; q < P->n_regions; q++) memset(P->rid + (P->rs[q].off >> js), (int)(q + 1), P->rs[q].len >> js);
    P->jstar = js;
    nr = P->n_regions;
    size_t npk = 0;
    for (size_t q = 0; q < nr; q++)
        if (P->rs[q].vk == RK_PACKED) { P->rs[q].pkoff = npk; npk += P->rs[q].len; }
    if (!(P->p2pk = gf_alloc_aligned(npk + 1, sizeof *P->p2pk))) return gf_error_set(err, GF_ERR_NOMEM, "out of memory");
    if (js == 0) return gf_error_set(err, GF_ERR_INVALID, "an input region or gap of a single wire (use the packed input)");
    /* HG kinds from the gates as given (oriented like the plan): a region's HG is packed when
     * some mul gate reading it first reads a packed wire second, else shared when some gate
     * reads it first, else zero */
    const gf_layer *L0 = &c->layers[0];
    for (size_t q = 0; q < nr; q++) P->rs[q].hk = RK_ZERO;
    for (uint64_t g = 0; g < L0->n_add; g++) {
        struct rstate *R = &P->rs[rid_of(P, L0->add[g].in) - 1];
        if (R->hk == RK_ZERO) R->hk = RK_SHARED;
    }
    /* per region: 1 = some gate reads it first, 2 = some such gate reads a packed wire second */
    uint8_t vk[256], seen[256] = {0};
    for (size_t q = 0; q < nr; q++) vk[q + 1] = (uint8_t)P->rs[q].vk;
    /* with the columns (gf_gkr_m31_prover_columns) in the same pass: a column's 16 gates
     * read one region first and one second */
    if (m0 >= 32 && !(P->cols = malloc((L0->n_mul / 16 + 1) * sizeof *P->cols))) return gf_error_set(err, GF_ERR_NOMEM, "out of memory");
    for (uint64_t g0 = 0; g0 < L0->n_mul; g0 += 16) {
        gf_gkr_column *col = P->cols ? &P->cols[g0 >> 4] : NULL;
        if (col) raw0_find_column(P, L0, g0, col);
        if (col && col->d) {
            seen[rid_of(P, col->x)] |= (uint8_t)(1 | (vk[rid_of(P, col->y)] == RK_PACKED) << 1);
            continue;
        }
        for (uint64_t g = g0; g < g0 + 16 && g < L0->n_mul; g++) {
            uint32_t x = L0->mul[g].in0, y = L0->mul[g].in1;
            const uint8_t qx0 = rid_of(P, x), qy0 = rid_of(P, y);
            const int sw = shared0 && vk[qx0] == RK_SHARED && vk[qy0] != RK_SHARED;   /* = shared0[x] && !shared0[y] */
            const uint8_t qx = sw ? qy0 : qx0, qy = sw ? qx0 : qy0;
            seen[qx] |= (uint8_t)(1 | (vk[qy] == RK_PACKED) << 1);
        }
    }
    for (size_t q = 0; q < nr; q++) {
        struct rstate *R = &P->rs[q];
        if (seen[q + 1] & 2) R->hk = RK_PACKED;
        else if (seen[q + 1] && R->hk == RK_ZERO) R->hk = RK_SHARED;
    }
    for (size_t q = 0; q < nr; q++) {
        struct rstate *R = &P->rs[q];
        size_t K = P->K, len = R->len, l2 = len / 2, l4 = len / 4 ? len / 4 : 1;
        if (R->hk != RK_ZERO && !(R->eqx = malloc(len * sizeof *R->eqx)))
            return gf_error_set(err, GF_ERR_NOMEM, "out of memory for input region %zu", q);
        if (R->hk != RK_ZERO && R->vk == RK_ZERO) {   /* gap: HG only */
            if (R->hk == RK_SHARED) { R->sh[0] = malloc(len * sizeof(gf_m31ext3)); R->sh[1] = malloc(l2 * sizeof(gf_m31ext3)); }
            else { R->ph[0] = gf_alloc_aligned(K * len, sizeof(gf_m31ext3x16)); R->ph[1] = gf_alloc_aligned(K * l2, sizeof(gf_m31ext3x16)); }
            if (!(R->sh[0] || R->ph[0]) || !(R->sh[1] || R->ph[1])) return gf_error_set(err, GF_ERR_NOMEM, "out of memory for input gap %zu", q);
        } else if (R->hk != RK_ZERO) {
            if (R->vk == RK_SHARED) { R->sv[1] = malloc(l2 * sizeof(gf_m31ext3)); R->sv[0] = malloc(l4 * sizeof(gf_m31ext3)); }
            else { R->pv[1] = gf_alloc_aligned(K * l2, sizeof(gf_m31ext3x16)); R->pv[0] = gf_alloc_aligned(K * l4, sizeof(gf_m31ext3x16)); }
            if (R->hk == RK_SHARED) { R->sh[0] = malloc(len * sizeof(gf_m31ext3)); R->sh[1] = malloc(l2 * sizeof(gf_m31ext3)); }
            else { R->ph[0] = gf_alloc_aligned(K * len, sizeof(gf_m31ext3x16)); R->ph[1] = gf_alloc_aligned(K * l2, sizeof(gf_m31ext3x16)); }
            if (!(R->sv[1] || R->pv[1]) || !(R->sv[0] || R->pv[0]) || !(R->sh[0] || R->ph[0]) || !(R->sh[1] || R->ph[1]))
                return gf_error_set(err, GF_ERR_NOMEM, "out of memory for input region %zu", q);
        }
    }
    return GF_OK;
}

static gf_status prover_new_impl(gf_gkr_m31_prover **out, const gf_circuit *c, uint64_t n_blocks, size_t nr,
                                 const gf_gkr_region *reg, const gf_comm *comm, unsigned flags, gf_error *err) {
    *out = NULL;
    if (c->field != GF_FIELD_M31) return gf_error_set(err, GF_ERR_INVALID, "GKR M31 prover given a %s circuit", gf_field_name(c->field));
    if (!gf_is_pow2(n_blocks) || n_blocks > (1u << 20))
        return gf_error_set(err, GF_ERR_INVALID, "number of 16-instance blocks must be a power of two <= 2^20, got %llu",
                            (unsigned long long)n_blocks);
    gf_gkr_m31_prover *G = calloc(1, sizeof *G);
    if (!G) return gf_error_set(err, GF_ERR_NOMEM, "out of memory");
    prover *P = &G->P;
    P->self = gf_comm_self();
    P->comm = comm ? comm : &P->self;
    P->rank = gf_comm_rank(P->comm);
    P->nranks = gf_comm_size(P->comm);
    if (!gf_is_pow2((uint64_t)P->nranks)) {
        int nr_bad = P->nranks;
        free(G);
        return gf_error_set(err, GF_ERR_INVALID, "the number of ranks proving together must be a power of two, got %d", nr_bad);
    }
    P->kr = gf_log2_u64((uint64_t)P->nranks);
    P->c = c; P->K = n_blocks; P->kb = gf_log2_u64(n_blocks); P->nsb = 4 + P->kb + P->kr;
    P->gath = malloc(3 * (size_t)P->nranks * sizeof *P->gath);
    unsigned nin = 0, nout = 0, ndense = 0;
    uint64_t gm = 1, gmd = 1;   /* most mul gates in a layer; in a layer proved from dense tables */
    for (uint32_t l = 0; l < c->n_layers; l++) {
        if (c->layers[l].in_log > nin) nin = c->layers[l].in_log;
        if (c->layers[l].out_log > nout) nout = c->layers[l].out_log;
        if (c->layers[l].n_mul > gm) gm = c->layers[l].n_mul;
        if ((l > 0 || !nr) && c->layers[l].in_log > ndense) ndense = c->layers[l].in_log;
        if ((l > 0 || !nr) && c->layers[l].n_mul > gmd) gmd = c->layers[l].n_mul;
    }
    const size_t mgd = (size_t)1 << ndense;   /* widest layer the gather rounds run on */
    gf_status st = GF_OK;
    uint8_t *shared0 = NULL;
    if (nr && (flags & GF_GKR_ORIENT_SHARED_SECOND)) {
        const uint64_t m0 = 1ull << c->layers[0].in_log;
        if (!(shared0 = P->shared0 = calloc(m0, 1))) st = gf_error_set(err, GF_ERR_NOMEM, "out of memory");
        for (size_t q = 0; !st && q < nr; q++)
            if (reg[q].shared && reg[q].offset < m0 && reg[q].len <= m0 - reg[q].offset) memset(shared0 + reg[q].offset, 1, reg[q].len);
    }
    if (!st && nr) st = setup_regions(P, nr, reg, shared0, err);   /* layer 0 then needs no dense tables */
    /* regions whose HGs are all shared (e.g. per-instance x broadcast products): layer 0 reads
     * its gates in circuit order and needs no plan (see raw0) */
    if (!st && nr && ((size_t)1 << c->layers[0].in_log) >= 32) {
        P->raw0 = 1;
        for (size_t q = 0; q < P->n_regions; q++) P->raw0 &= P->rs[q].hk != RK_PACKED;
    }
    if (!st && build_plan(P, shared0, nr > 0, P->raw0)) st = gf_error_set(err, GF_ERR_NOMEM, "out of memory building the gate plan");

    if (st) { gf_gkr_m31_prover_free(G); return st; }
    /* dense tables: sized by the largest layer (layer 0 counts only after its region rounds);
     * scalar and phase-2 tables: by the largest layer */
    size_t min = (size_t)1 << nin, mout = (size_t)1 << nout, mx = min > mout ? min : mout, mden = (size_t)1 << ndense;
    size_t K = n_blocks, nsbv = 16 * K;
    P->hg0 = gf_alloc_aligned(K * mden, sizeof(gf_m31ext3x16));
    P->hgA = gf_alloc_aligned(K * (mden / 2 + 1), sizeof(gf_m31ext3x16));
    P->vA = gf_alloc_aligned(K * (mden / 2 + 1), sizeof(gf_m31ext3x16));
    P->vB = gf_alloc_aligned(K * (mden / 4 + 1), sizeof(gf_m31ext3x16));
    P->W = gf_alloc_aligned(K, sizeof(gf_m31ext3x16));
    P->wl = malloc(48 * K * sizeof *P->wl);
    P->p2M = gf_alloc_aligned(min / 16 + 1, sizeof(gf_m31ext3x16));
    P->p2V = gf_alloc_aligned(min / 16 + 1, sizeof(gf_m31ext3x16));
    /* Z is over a layer's outputs, T (eq(rx)) over its inputs */
    P->Zv = gf_alloc_aligned(mout / 16 + 1, sizeof(gf_m31ext3x16));
    P->Tv = gf_alloc_aligned(min / 16 + 1, sizeof(gf_m31ext3x16));
    P->eqhi[0] = malloc((mx / 16 + 1) * sizeof(gf_m31ext3));
    P->eqhi[1] = malloc((mx / 16 + 1) * sizeof(gf_m31ext3));
    P->zc_mul = gf_alloc_aligned(gm, sizeof *P->zc_mul);
    P->A = gf_alloc_aligned(min, sizeof *P->A);
    P->A1 = gf_alloc_aligned(mgd / 2 + 1, sizeof *P->A1);
    P->A2 = gf_alloc_aligned(mgd / 4 + 1, sizeof *P->A2);
    P->zw = gf_alloc_aligned(gmd, sizeof *P->zw);
    P->sb_e = malloc(nsbv * sizeof *P->sb_e); P->sb_v = malloc(nsbv * sizeof *P->sb_v); P->sb_h = malloc(nsbv * sizeof *P->sb_h);
    /* scalar phase-2 tables: only layers under 32 wires and the last 16 entries use them */
    P->mzx = malloc(32 * sizeof *P->mzx); P->vy = malloc(32 * sizeof *P->vy);
    size_t nrr = (nin > nout ? nin : nout) + 1;
    P->rz0 = malloc(nrr * sizeof *P->rz0); P->rz1 = malloc(nrr * sizeof *P->rz1);
    P->rx = malloc(nrr * sizeof *P->rx); P->ry = malloc(nrr * sizeof *P->ry);
    P->rsb = malloc(P->nsb * sizeof *P->rsb); P->rsb_new = malloc(P->nsb * sizeof *P->rsb_new);
    if (!P->gath || !P->A || !P->A1 || !P->A2 || !P->zw || !P->p2M || !P->p2V || !P->hg0 || !P->hgA || !P->vA || !P->vB || !P->W || !P->wl || !P->Zv || !P->Tv || !P->eqhi[0] || !P->eqhi[1] ||
        !P->zc_mul || !P->sb_e || !P->sb_v || !P->sb_h || !P->mzx || !P->vy || !P->rz0 || !P->rz1 ||
        !P->rx || !P->ry || !P->rsb || !P->rsb_new) {
        gf_gkr_m31_prover_free(G);
        return gf_error_set(err, GF_ERR_NOMEM, "out of memory allocating GKR prover tables (%zu blocks x 2^%u wires)", K, ndense);
    }
    *out = G;
    return GF_OK;
}

gf_status gf_gkr_m31_prover_new(gf_gkr_m31_prover **out, const gf_circuit *c, uint64_t n_blocks, gf_error *err) {
    return prover_new_impl(out, c, n_blocks, 0, NULL, NULL, 0, err);
}

gf_status gf_gkr_m31_prover_new_comm(gf_gkr_m31_prover **out, const gf_circuit *c, uint64_t n_blocks, const gf_comm *comm,
                                     gf_error *err) {
    return prover_new_impl(out, c, n_blocks, 0, NULL, comm, 0, err);
}

gf_status gf_gkr_m31_prover_new_regions(gf_gkr_m31_prover **out, const gf_circuit *c, uint64_t n_blocks, size_t n_regions,
                                        const gf_gkr_region *regions, gf_error *err) {
    return gf_gkr_m31_prover_new_regions_comm(out, c, n_blocks, n_regions, regions, NULL, 0, err);
}

gf_status gf_gkr_m31_prover_new_regions_comm(gf_gkr_m31_prover **out, const gf_circuit *c, uint64_t n_blocks,
                                             size_t n_regions, const gf_gkr_region *regions, const gf_comm *comm,
                                             unsigned flags, gf_error *err) {
    if (n_regions == 0) return gf_error_set(err, GF_ERR_INVALID, "no input regions given");
    if (flags & ~(unsigned)GF_GKR_ORIENT_SHARED_SECOND) return gf_error_set(err, GF_ERR_INVALID, "unknown prover flags 0x%x", flags);
    return prover_new_impl(out, c, n_blocks, n_regions, regions, comm, flags, err);
}

gf_status gf_gkr_m31_prover_set_regions(gf_gkr_m31_prover *G, const gf_gkr_region *regions, gf_error *err) {
    prover *P = &G->P;
    for (size_t q = 0; q < P->n_given; q++) {
        struct rstate *R = &P->rs[q];
        const gf_gkr_region *g = &regions[q];
        if (g->offset != R->off || g->len != R->len || !g->shared != (R->vk == RK_PACKED) ||
            (g->shared ? !g->shared_vals : !g->packed))
            return gf_error_set(err, GF_ERR_INVALID, "input region %zu does not match the shape the prover was made for", q);
        R->vs0 = g->shared_vals;
        R->vp0 = g->packed;
    }
    return GF_OK;
}

const gf_gkr_column *gf_gkr_m31_prover_columns(const gf_gkr_m31_prover *G, uint64_t *n_chunks) {
    const prover *P = &G->P;
    *n_chunks = P->cols ? (P->c->layers[0].n_mul + 15) / 16 : 0;
    return P->cols;
}

void gf_gkr_m31_prover_free(gf_gkr_m31_prover *G) {
    if (!G) return;
    free_scratch(&G->P);
    free(G);
}

gf_status gf_gkr_m31_prover_run(gf_gkr_m31_prover *G, const gf_m31 *coefs, gf_m31x16 *const *vals, int public_outputs,
                                gf_transcript *t, gf_buf *proof, gf_pool *pool, gf_gkr_claims *out, gf_error *err) {
    memset(out, 0, sizeof *out);
    prover *P = &G->P;
    const gf_circuit *c = P->c;
    const uint64_t n_blocks = P->K;
    gf_status st = GF_OK;
    /* outputs must all be zero: find the first offender for a useful message; every rank
     * learns whether any rank failed, so none is left waiting in a collective */
    const gf_layer *Lo = &c->layers[c->n_layers - 1];
    size_t no = (size_t)1 << Lo->out_log;
    for (uint64_t b = 0; !public_outputs && !st && b < n_blocks; b++)
        for (size_t o = 0; o < no && !st; o++) {
            const gf_m31x16 *v = &vals[c->n_layers][b * no + o];
            for (int s = 0; s < 16; s++)
                if (v->v[s]) {
                    st = gf_error_set(err, GF_ERR_WITNESS, "instance %llu: output %zu is %u, not 0 (a constraint of the circuit is violated)",
                                      (unsigned long long)(((uint64_t)P->rank * n_blocks + b) * 16 + (uint64_t)s), o, v->v[s]);
                    break;
                }
        }
    if (!st && gf_pool_threads(pool) > MAXT)
        st = gf_error_set(err, GF_ERR_INVALID, "the GKR prover uses at most %d threads per process, the pool has %d (use MPI ranks beyond that)",
                          MAXT, gf_pool_threads(pool));
    if (P->nranks > 1) st = gf_comm_agree(P->comm, st, err);
    if (st) return st;
    P->pub = public_outputs;
    P->coefs = coefs; P->vals = vals; P->t = t; P->proof = proof; P->pool = pool; P->err = err; P->st = GF_OK;

    /* output claim at (rz, r_sb) */
    if (is_root(P)) gf_transcript_append_label(t, "gkr-output");
    challenge_io(P, P->rz0, Lo->out_log);
    challenge_io(P, P->rsb, P->nsb);
    P->has_rz1 = 0;
    for (uint32_t l = c->n_layers; l-- > 0;) {
        st = prove_layer(P, l, l == 0, err);
        if (!st) st = P->st;
        if (st) break;
    }
    if (!st && is_root(P)) st = gf_buf_status(proof, err);
    if (!st) {   /* the points on every rank (their challenges were broadcast), values at the root */
        const gf_layer *L0 = &c->layers[0];
        unsigned n0 = L0->in_log, nv = P->nsb + n0;
        out->n = L0->n_mul ? 2 : 1;
        for (int k = 0; k < out->n; k++) {
            gf_gkr_claim *cl = &out->c[k];
            cl->n_vars = nv;
            cl->point = malloc(nv * sizeof *cl->point);
            if (!cl->point) { gf_gkr_claims_free(out); st = gf_error_set(err, GF_ERR_NOMEM, "out of memory"); break; }
            const gf_m31ext3 *rw = k == 0 ? P->rz0 : P->rz1;
            memcpy(cl->point, P->rsb, 4 * sizeof *cl->point);
            memcpy(cl->point + 4, rw, n0 * sizeof *cl->point);
            memcpy(cl->point + 4 + n0, P->rsb + 4, (P->kb + P->kr) * sizeof *cl->point);
            cl->value = k == 0 ? P->claim_vx : P->claim_vy;
        }
    }
    return st;
}

gf_status gf_gkr_m31_prove(const gf_circuit *c, const gf_m31 *coefs, gf_m31x16 *const *vals, uint64_t n_blocks,
                           int public_outputs, gf_transcript *t, gf_buf *proof, gf_pool *pool, gf_gkr_claims *out,
                           gf_error *err) {
    memset(out, 0, sizeof *out);
    gf_gkr_m31_prover *G;
    gf_status st = gf_gkr_m31_prover_new(&G, c, n_blocks, err);
    if (st) return st;
    st = gf_gkr_m31_prover_run(G, coefs, vals, public_outputs, t, proof, pool, out, err);
    gf_gkr_m31_prover_free(G);
    return st;
}

uint64_t gf_gkr_m31_proof_bytes(const gf_circuit *c, uint64_t n_blocks) {
    uint64_t nsb = 4 + gf_log2_u64(n_blocks), elems = 0;
    for (uint32_t l = 0; l < c->n_layers; l++) {
        const gf_layer *L = &c->layers[l];
        elems += 3ull * L->in_log + 4 * nsb + 1;
        if (L->n_mul) elems += 3ull * L->in_log + 1;
    }
    return 12 * elems;
}
