/* Cheating-prover tests for the M31 GKR verifier (gkr_m31_verify.c).
 *
 * A naive prover (brute-force multilinear sums, the same construction as tests/test_gkr.c)
 * with a tamper hook falsifies one message of a small proof so that the verifier's check AT
 * that message still passes, then continues honestly from the resulting transcript. The
 * verifier must reject every such proof, and at exactly the next check it makes; so every
 * check is shown to be necessary. Tampers:
 *   round polynomial: + delta (1 - 2X)  (p(0)+p(1) kept, degree kept),
 *                     p(0) + delta and p(1) - delta,  last evaluation + delta;
 *   claim (vx, vy):   + delta;
 *   any message:      one limb written as value + p (same value, non-canonical bytes).
 * A persistent cheater (after the tamper, every later message is corrected so that
 * p(0)+p(1) equals the verifier's running claim and vx/vy satisfy the final gate checks)
 * passes the GKR verifier, so the input-claim check (PCS) must reject it; the same cheater
 * proves false statements: non-zero outputs in zero-output mode and wrong public outputs.
 * Also: the honest naive proof equals gf_gkr_m31_prove's byte for byte, and every
 * truncation is a format error. */
#include <stdlib.h>
#include <string.h>
#include "common/util.h"
#include "gkr/gkr.h"
#include "gkr/mle.h"
#include "gkr_testcircuits.h"
#include "testutil.h"

/* random circuits (as in test_gkr.c) and the naive evaluator: see gkr_testcircuits.h */

typedef struct {
    gf_circuit *c;
    uint64_t K;
    gf_m31 *coefs;
    gf_m31 **inst;      /* inst[k]: input of instance k */
    gf_m31 ***sv;       /* sv[k][l][x]: value of wire x of layer l's input, instance k */
    gf_m31x16 **vals;   /* packed, block-major (gf_gkr_m31_prove's input) */
    int pub;            /* public-output mode */
} tinst;

static void setup_transcript(gf_transcript *t) {
    gf_error err;
    if (gf_transcript_init(t, "gkrflow/test-cheat-m31", &err)) { fprintf(stderr, "%s\n", err.msg); abort(); }
    gf_transcript_append_label(t, "commitment-placeholder");
}

/* Draws the random coefficients from t (as both sides do before GKR). */
static gf_m31 *draw_coefs(const gf_circuit *c, gf_transcript *t) {
    gf_m31 *co = malloc((c->n_coefs + 1) * sizeof *co);
    for (uint32_t i = 0; i < c->n_coefs; i++) co[i] = c->coef_kind[i] == GF_COEF_RANDOM ? gf_transcript_challenge_m31(t) : c->coef_m31[i];
    return co;
}

static void evaluate_all(tinst *T) {
    const gf_circuit *c = T->c;
    size_t N = 16 * T->K;
    for (size_t k = 0; k < N; k++) gf_testc_m31_eval(c, T->coefs, T->inst[k], T->sv[k]);
    for (uint32_t l = 0; l <= c->n_layers; l++) {
        size_t sz = gf_testc_width(c, l);
        for (size_t k = 0; k < N; k++)
            for (size_t x = 0; x < sz; x++) T->vals[l][(k / 16) * sz + x].v[k % 16] = T->sv[k][l][x];
    }
}

/* Zero-output witness: random compute inputs; the relayed expected values = f(inputs). */
static tinst make_tinst(gf_rng *rng, unsigned n, unsigned depth, int input_mul, unsigned out_log, uint64_t K, int pub) {
    tinst T;
    memset(&T, 0, sizeof T);
    T.c = gf_testc_m31_random(rng, n, depth, input_mul, out_log);
    T.K = K;
    T.pub = pub;
    gf_transcript t;
    setup_transcript(&t);
    T.coefs = draw_coefs(T.c, &t);
    gf_transcript_free(&t);
    const gf_circuit *c = T.c;
    size_t N = 16 * K, n0 = gf_testc_width(c, 0), h = n0 / 2;
    T.inst = calloc(N, sizeof *T.inst);
    T.sv = calloc(N, sizeof *T.sv);
    T.vals = calloc(c->n_layers + 1, sizeof *T.vals);
    for (uint32_t l = 0; l <= c->n_layers; l++) T.vals[l] = gf_alloc_aligned(K * gf_testc_width(c, l), sizeof(gf_m31x16));
    for (size_t k = 0; k < N; k++) {
        T.inst[k] = calloc(n0, sizeof(gf_m31));
        T.sv[k] = calloc(c->n_layers + 1, sizeof(gf_m31 *));
        for (uint32_t l = 0; l <= c->n_layers; l++) T.sv[k][l] = calloc(gf_testc_width(c, l), sizeof(gf_m31));
        for (size_t x = 0; x < h; x++) T.inst[k][x] = gf_m31_random(rng);
        gf_testc_m31_eval(c, T.coefs, T.inst[k], T.sv[k]);
        for (size_t x = 0; x < h; x++) T.inst[k][h + x] = T.sv[k][depth][x];
    }
    /* public mode: break the residuals so the outputs are really non-zero */
    if (pub)
        for (size_t k = 0; k < N; k += 3) T.inst[k][h] = gf_m31_random(rng);
    evaluate_all(&T);
    return T;
}

static void free_instance(tinst *T) {
    size_t N = 16 * T->K;
    for (size_t k = 0; k < N; k++) {
        for (uint32_t l = 0; l <= T->c->n_layers; l++) free(T->sv[k][l]);
        free(T->sv[k]);
        free(T->inst[k]);
    }
    free(T->sv); free(T->inst);
    for (uint32_t l = 0; l <= T->c->n_layers; l++) gf_free_aligned(T->vals[l]);
    free(T->vals);
    free(T->coefs);
    gf_circuit_free(T->c);
}

static size_t n_outputs(const tinst *T) { return 16 * T->K * gf_testc_width(T->c, T->c->n_layers); }
/* The true outputs in MLE order (lane, wire, block) = the packed block-major array. */
static const gf_m31 *true_outputs(const tinst *T) { return (const gf_m31 *)T->vals[T->c->n_layers]; }

static void absorb_outputs(gf_transcript *t, const gf_m31 *outs, size_t n) {
    gf_transcript_append_label(t, "public-outputs");
    gf_transcript_append_u64(t, n);
    gf_transcript_append_m31s(t, outs, n);
}

/* ---------- small field helpers, independent of the library's MLE code ---------- */
static gf_m31ext3 E(gf_m31 a) { return gf_m31ext3_from_base(a); }
static gf_m31ext3 eq_idx(const gf_m31ext3 *r, size_t i, unsigned k) {
    gf_m31ext3 w = gf_m31ext3_one();
    for (unsigned j = 0; j < k; j++) w = gf_m31ext3_mul(w, (i >> j) & 1 ? r[j] : gf_m31ext3_sub(gf_m31ext3_one(), r[j]));
    return w;
}
/* w[i] = eq(pt, i), i < 2^k (k <= 10 here) */
static void eq_weights(gf_m31ext3 *w, const gf_m31ext3 *pt, unsigned k) {
    for (size_t i = 0; i < ((size_t)1 << k); i++) w[i] = eq_idx(pt, i, k);
}
static gf_m31ext3 dot(const gf_m31ext3 *tab, const gf_m31ext3 *w, unsigned k) {
    gf_m31ext3 acc = gf_m31ext3_zero();
    for (size_t i = 0; i < ((size_t)1 << k); i++) acc = gf_m31ext3_add(acc, gf_m31ext3_mul(w[i], tab[i]));
    return acc;
}
static gf_m31ext3 mle_ext(const gf_m31ext3 *tab, const gf_m31ext3 *pt, unsigned k) {
    gf_m31ext3 w[1024];
    if (k > 10) abort();
    eq_weights(w, pt, k);
    return dot(tab, w, k);
}
/* Lagrange interpolation through (k, p[k]), k = 0..n-1, evaluated at r. */
static gf_m31ext3 lagrange(const gf_m31ext3 *p, unsigned n, gf_m31ext3 r) {
    gf_m31ext3 acc = gf_m31ext3_zero();
    for (unsigned k = 0; k < n; k++) {
        gf_m31ext3 num = gf_m31ext3_one();
        gf_m31 den = 1;
        for (unsigned m = 0; m < n; m++) {
            if (m == k) continue;
            num = gf_m31ext3_mul(num, gf_m31ext3_sub(r, E(m)));
            den = gf_m31_mul(den, gf_m31_sub(k, m));
        }
        acc = gf_m31ext3_add(acc, gf_m31ext3_mul(p[k], gf_m31ext3_mul_base(num, gf_m31_inv(den))));
    }
    return acc;
}
/* (1 - 2k), (1 - k) as field elements */
static gf_m31 one_minus(unsigned k, unsigned f) { return gf_m31_sub(1, gf_m31_mul(f, k)); }

/* ---------- the cheating prover ---------- */
enum { T_NONE, T_LINEAR, T_ENDS, T_LAST, T_NONCANON, T_NKINDS };
static const char *const kind_name[] = {"none", "+delta(1-2X)", "p(0)+d, p(1)-d", "last evaluation + d", "non-canonical limb"};

#define MAX_MSGS 4096
typedef struct {
    uint32_t layer;
    char kind;        /* 'x' phase-1 wire round, 's' lane/block round, 'v' vx, 'y' phase-2 round, 'w' vy */
    unsigned round;
    size_t byte;      /* offset of the message in the GKR proof */
    int vacuous;      /* a claim whose final check multiplies it by 0 (e.g. an all-zero layer) */
} msg_desc;

typedef struct {
    long target;       /* message to tamper, -1: none */
    int kind;          /* T_* (for claims every kind but T_NONCANON means "+ delta") */
    int persist;       /* after the target (from the start if target < 0): stay consistent */
    gf_m31ext3 delta;
    const gf_m31 *claimed_outputs;   /* public mode: what the prover publishes */
    /* state */
    int active;
    uint32_t stuck_layer;   /* persistent cheat could not be made consistent: this layer's */
    char stuck;             /* final check ('v' add, 'w' mul) will fail; 0 if never stuck */
    long count;
    gf_m31ext3 sv;     /* the verifier's running claim, replayed from the messages sent */
    msg_desc desc[MAX_MSGS];
} cheater;

static void emit(cheater *ch, gf_transcript *t, gf_buf *b, gf_m31ext3 *v, unsigned n, msg_desc d, int is_claim) {
    long i = ch->count++;
    if (i >= MAX_MSGS) { fprintf(stderr, "too many messages\n"); abort(); }
    d.byte = b->len;
    ch->desc[i] = d;
    int noncanon = 0;
    if (ch->active && !is_claim) {
        /* subtract (p(0)+p(1) - claim) (1 - X): now p(0)+p(1) = the verifier's claim */
        gf_m31ext3 T = gf_m31ext3_sub(gf_m31ext3_add(v[0], v[1]), ch->sv);
        for (unsigned k = 0; k < n; k++) v[k] = gf_m31ext3_sub(v[k], gf_m31ext3_mul_base(T, one_minus(k, 1)));
    }
    if (i == ch->target) {
        if (ch->kind == T_NONCANON) noncanon = 1;
        else if (is_claim) v[0] = gf_m31ext3_add(v[0], ch->delta);
        else if (ch->kind == T_LINEAR)
            for (unsigned k = 0; k < n; k++) v[k] = gf_m31ext3_add(v[k], gf_m31ext3_mul_base(ch->delta, one_minus(k, 2)));
        else if (ch->kind == T_ENDS) { v[0] = gf_m31ext3_add(v[0], ch->delta); v[1] = gf_m31ext3_sub(v[1], ch->delta); }
        else if (ch->kind == T_LAST) v[n - 1] = gf_m31ext3_add(v[n - 1], ch->delta);
        if (ch->persist) ch->active = 1;
    }
    gf_transcript_append_m31ext3s(t, v, n);
    for (unsigned e = 0; e < n; e++) {
        uint8_t x[12];
        gf_m31ext3_to_bytes(x, v[e]);
        if (noncanon && e == (unsigned)i % n) {
            unsigned limb = (unsigned)i % 3;
            gf_put_u32le(x + 4 * limb, v[e].c[limb] + GF_M31_P);   /* < 2^32: same value mod p */
        }
        gf_buf_append(b, x, 12);
    }
}

static gf_m31ext3 chal(gf_transcript *t) { return gf_transcript_challenge_m31ext3(t); }

/* Honest naive prover of tests/test_gkr.c plus the cheater hook and the replay of the
 * verifier's claims (needed only to stay consistent after a cheat). */
static void naive_prove(const tinst *T, gf_transcript *t, gf_buf *proof, cheater *ch) {
    const gf_circuit *c = T->c;
    size_t N = 16 * T->K;
    unsigned kb = gf_log2_u64(T->K), nsb = 4 + kb, nmax = 0;
    for (uint32_t l = 0; l < c->n_layers; l++) nmax = c->layers[l].in_log > nmax ? c->layers[l].in_log : nmax;
    size_t M = (size_t)1 << nmax;
    gf_m31ext3 rz0[32], rz1[32], rsb[32], rx[32], ry[32], rsb2[32];
    int has1 = 0;
    ch->active = ch->persist && ch->target < 0;
    ch->count = 0;
    const gf_layer *Lo = &c->layers[c->n_layers - 1];
    gf_transcript_append_label(t, "gkr-output");
    gf_transcript_challenge_m31ext3_vec(t, rz0, Lo->out_log);
    gf_transcript_challenge_m31ext3_vec(t, rsb, nsb);
    /* the verifier's claims c0, c1 */
    gf_m31ext3 c0 = gf_m31ext3_zero(), c1 = gf_m31ext3_zero();
    if (T->pub) {
        size_t no = n_outputs(T);
        unsigned nv = nsb + Lo->out_log;
        gf_m31ext3 *ot = malloc(no * sizeof *ot), pt[64];
        for (size_t i = 0; i < no; i++) ot[i] = E(ch->claimed_outputs[i]);
        memcpy(pt, rsb, 4 * sizeof *pt);
        memcpy(pt + 4, rz0, Lo->out_log * sizeof *pt);
        memcpy(pt + 4 + Lo->out_log, rsb + 4, kb * sizeof *pt);
        c0 = mle_ext(ot, pt, nv);
        free(ot);
    }
    gf_m31ext3 *Vt = malloc(N * M * sizeof *Vt), *Ht = malloc(N * M * sizeof *Ht), *Z = malloc(M * sizeof *Z);
    gf_m31ext3 *colV = malloc(M * sizeof *colV), *colH = malloc(M * sizeof *colH);
    gf_m31ext3 *sv = malloc(N * sizeof *sv), *sh = malloc(N * sizeof *sh), *se = malloc(N * sizeof *se);
    for (uint32_t l = c->n_layers; l-- > 0;) {
        const gf_layer *L = &c->layers[l];
        unsigned n = L->in_log, mo = L->out_log;
        size_t m = (size_t)1 << n;
        gf_m31ext3 alpha = gf_m31ext3_zero();
        if (has1) alpha = chal(t);
        for (size_t z = 0; z < ((size_t)1 << mo); z++)
            Z[z] = has1 ? gf_m31ext3_add(eq_idx(rz0, z, mo), gf_m31ext3_mul(alpha, eq_idx(rz1, z, mo))) : eq_idx(rz0, z, mo);
        ch->sv = has1 ? gf_m31ext3_add(c0, gf_m31ext3_mul(alpha, c1)) : c0;
        for (uint64_t g = 0; g < L->n_const; g++)
            ch->sv = gf_m31ext3_sub(ch->sv, gf_m31ext3_mul_base(Z[L->cst[g].out], T->coefs[L->cst[g].coef]));
        for (size_t sb = 0; sb < N; sb++) {
            const gf_m31 *v = T->sv[sb][l];
            for (size_t x = 0; x < m; x++) { Vt[sb * M + x] = E(v[x]); Ht[sb * M + x] = gf_m31ext3_zero(); }
            for (uint64_t g = 0; g < L->n_mul; g++) {
                const gf_gate_mul *G = &L->mul[g];
                gf_m31ext3 zc = gf_m31ext3_mul_base(Z[G->out], T->coefs[G->coef]);
                Ht[sb * M + G->in0] = gf_m31ext3_add(Ht[sb * M + G->in0], gf_m31ext3_mul_base(zc, v[G->in1]));
            }
            for (uint64_t g = 0; g < L->n_add; g++) {
                const gf_gate_add *G = &L->add[g];
                Ht[sb * M + G->in] = gf_m31ext3_add(Ht[sb * M + G->in], gf_m31ext3_mul_base(Z[G->out], T->coefs[G->coef]));
            }
        }
        gf_m31ext3 esb[1024];
        for (size_t sb = 0; sb < N; sb++) esb[sb] = eq_idx(rsb, sb, nsb);
        /* phase 1, wire variables */
        for (unsigned j = 0; j < n; j++) {
            gf_m31ext3 ev[3];
            for (int tt = 0; tt < 3; tt++) {
                gf_m31ext3 acc = gf_m31ext3_zero();
                for (size_t rest = 0; rest < ((size_t)1 << (n - j - 1)); rest++) {
                    gf_m31ext3 pt[32];
                    for (unsigned q = 0; q < j; q++) pt[q] = rx[q];
                    pt[j] = E((gf_m31)tt);
                    for (unsigned q = j + 1; q < n; q++) pt[q] = E((rest >> (q - j - 1)) & 1);
                    gf_m31ext3 w[1024];
                    eq_weights(w, pt, n);
                    for (size_t sb = 0; sb < N; sb++)
                        acc = gf_m31ext3_add(acc, gf_m31ext3_mul(esb[sb], gf_m31ext3_mul(dot(Vt + sb * M, w, n), dot(Ht + sb * M, w, n))));
                }
                ev[tt] = acc;
            }
            emit(ch, t, proof, ev, 3, (msg_desc){l, 'x', j, 0, 0}, 0);
            rx[j] = chal(t);
            ch->sv = lagrange(ev, 3, rx[j]);
        }
        /* phase 1, lane/block variables */
        for (size_t sb = 0; sb < N; sb++) { sv[sb] = mle_ext(Vt + sb * M, rx, n); sh[sb] = mle_ext(Ht + sb * M, rx, n); se[sb] = esb[sb]; }
        for (unsigned j = 0; j < nsb; j++) {
            gf_m31ext3 ev[4];
            for (int tt = 0; tt < 4; tt++) {
                gf_m31ext3 acc = gf_m31ext3_zero();
                for (size_t rest = 0; rest < ((size_t)1 << (nsb - j - 1)); rest++) {
                    gf_m31ext3 pt[32];
                    for (unsigned q = 0; q < j; q++) pt[q] = rsb2[q];
                    pt[j] = E((gf_m31)tt);
                    for (unsigned q = j + 1; q < nsb; q++) pt[q] = E((rest >> (q - j - 1)) & 1);
                    gf_m31ext3 w[1024];
                    eq_weights(w, pt, nsb);
                    acc = gf_m31ext3_add(acc, gf_m31ext3_mul(dot(se, w, nsb), gf_m31ext3_mul(dot(sv, w, nsb), dot(sh, w, nsb))));
                }
                ev[tt] = acc;
            }
            emit(ch, t, proof, ev, 4, (msg_desc){l, 's', j, 0, 0}, 0);
            rsb2[j] = chal(t);
            ch->sv = lagrange(ev, 4, rsb2[j]);
        }
        /* what the verifier multiplies vx (and vy) by in its final checks */
        gf_m31ext3 eqsb = gf_m31ext3_one(), add = gf_m31ext3_zero();
        for (unsigned j = 0; j < nsb; j++)
            eqsb = gf_m31ext3_mul(eqsb, gf_m31ext3_add(gf_m31ext3_mul(rsb[j], rsb2[j]),
                                                      gf_m31ext3_mul(gf_m31ext3_sub(gf_m31ext3_one(), rsb[j]), gf_m31ext3_sub(gf_m31ext3_one(), rsb2[j]))));
        for (uint64_t g = 0; g < L->n_add; g++)
            add = gf_m31ext3_add(add, gf_m31ext3_mul(gf_m31ext3_mul_base(Z[L->add[g].out], T->coefs[L->add[g].coef]), eq_idx(rx, L->add[g].in, n)));
        gf_m31ext3 vx = mle_ext(sv, rsb2, nsb), eadd = gf_m31ext3_mul(eqsb, add);
        if (ch->active && !L->n_mul) vx = gf_m31ext3_mul(ch->sv, gf_m31ext3_inv(eadd));
        if (ch->active && !L->n_mul && gf_m31ext3_is_zero(eadd) && !ch->stuck) { ch->stuck = 'v'; ch->stuck_layer = l; }
        /* an all-zero layer has vx = 0, which leaves phase 2 nothing to work with: lie */
        if (ch->active && L->n_mul && gf_m31ext3_is_zero(vx)) vx = gf_m31ext3_one();
        emit(ch, t, proof, &vx, 1, (msg_desc){l, 'v', 0, 0, gf_m31ext3_is_zero(eadd)}, 1);
        gf_m31ext3 vy = gf_m31ext3_zero();
        if (L->n_mul) {
            gf_m31ext3 eqf = mle_ext(se, rsb2, nsb), coef2 = gf_m31ext3_mul(eqf, mle_ext(sv, rsb2, nsb));
            gf_m31ext3 evx = gf_m31ext3_mul(eqsb, vx);
            ch->sv = gf_m31ext3_sub(ch->sv, gf_m31ext3_mul(evx, add));
            for (size_t y = 0; y < m; y++) {
                for (size_t sb = 0; sb < N; sb++) sh[sb] = Vt[sb * M + y];
                colV[y] = mle_ext(sh, rsb2, nsb);
                colH[y] = gf_m31ext3_zero();
            }
            for (uint64_t g = 0; g < L->n_mul; g++) {
                const gf_gate_mul *G = &L->mul[g];
                colH[G->in1] = gf_m31ext3_add(colH[G->in1], gf_m31ext3_mul(gf_m31ext3_mul_base(Z[G->out], T->coefs[G->coef]), eq_idx(rx, G->in0, n)));
            }
            for (unsigned j = 0; j < n; j++) {
                unsigned var = n - 1 - j;
                gf_m31ext3 ev[3];
                for (int tt = 0; tt < 3; tt++) {
                    gf_m31ext3 acc = gf_m31ext3_zero();
                    for (size_t rest = 0; rest < ((size_t)1 << var); rest++) {
                        gf_m31ext3 pt[32];
                        for (unsigned q = 0; q < var; q++) pt[q] = E((rest >> q) & 1);
                        pt[var] = E((gf_m31)tt);
                        for (unsigned q = var + 1; q < n; q++) pt[q] = ry[q];
                        gf_m31ext3 w[1024];
                        eq_weights(w, pt, n);
                        acc = gf_m31ext3_add(acc, gf_m31ext3_mul(dot(colH, w, n), dot(colV, w, n)));
                    }
                    ev[tt] = gf_m31ext3_mul(acc, coef2);
                }
                emit(ch, t, proof, ev, 3, (msg_desc){l, 'y', j, 0, 0}, 0);
                ry[var] = chal(t);
                ch->sv = lagrange(ev, 3, ry[var]);
            }
            vy = mle_ext(colV, ry, n);
            gf_m31ext3 mul = gf_m31ext3_zero();
            for (uint64_t g = 0; g < L->n_mul; g++) {
                const gf_gate_mul *G = &L->mul[g];
                gf_m31ext3 e = gf_m31ext3_mul(eq_idx(rx, G->in0, n), eq_idx(ry, G->in1, n));
                mul = gf_m31ext3_add(mul, gf_m31ext3_mul(gf_m31ext3_mul_base(Z[G->out], T->coefs[G->coef]), e));
            }
            gf_m31ext3 emul = gf_m31ext3_mul(evx, mul);
            if (ch->active) vy = gf_m31ext3_mul(ch->sv, gf_m31ext3_inv(emul));
            if (ch->active && gf_m31ext3_is_zero(emul) && !ch->stuck) { ch->stuck = 'w'; ch->stuck_layer = l; }
            emit(ch, t, proof, &vy, 1, (msg_desc){l, 'w', 0, 0, gf_m31ext3_is_zero(emul)}, 1);
            memcpy(rz1, ry, n * sizeof *ry);
        }
        has1 = L->n_mul != 0;
        memcpy(rz0, rx, n * sizeof *rx);
        memcpy(rsb, rsb2, nsb * sizeof *rsb);
        c0 = vx;
        c1 = vy;
    }
    free(Vt); free(Ht); free(Z); free(colV); free(colH); free(sv); free(sh); free(se);
}

/* ---------- driver ---------- */
/* Transcript of both sides up to the GKR: coefficients, then (public mode) the outputs. */
static void start(const tinst *T, gf_transcript *t, const gf_m31 *outs) {
    setup_transcript(t);
    free(draw_coefs(T->c, t));
    if (T->pub) absorb_outputs(t, outs, n_outputs(T));
}

static void prove_cheat(const tinst *T, cheater *ch, gf_buf *proof) {
    gf_transcript t;
    start(T, &t, ch->claimed_outputs);
    gf_buf_init(proof);
    naive_prove(T, &t, proof, ch);
    gf_transcript_free(&t);
}

static gf_status verify_gkr(const tinst *T, const uint8_t *p, size_t len, const gf_m31 *outs, gf_gkr_claims *cl, gf_error *err) {
    gf_transcript t;
    setup_transcript(&t);
    gf_m31 *co = draw_coefs(T->c, &t);
    if (T->pub) absorb_outputs(&t, outs, n_outputs(T));
    gf_reader r;
    gf_reader_init(&r, p, len);
    gf_status st = gf_gkr_m31_verify(T->c, co, T->K, T->pub ? outs : NULL, &t, &r, cl, err);
    if (!st && gf_reader_remaining(&r)) { gf_gkr_claims_free(cl); st = gf_error_set(err, GF_ERR_FORMAT, "trailing bytes"); }
    free(co);
    gf_transcript_free(&t);
    return st;
}

/* The caller's input-claim check (what the PCS opening establishes): V_0(point) = value for
 * the committed (true) input. */
static int claims_match(const tinst *T, const gf_gkr_claims *cl) {
    size_t n0 = gf_testc_width(T->c, 0), N = 16 * T->K;
    unsigned nv = 4 + gf_log2_u64(T->K) + T->c->layers[0].in_log;
    gf_m31ext3 *flat = malloc(N * n0 * sizeof *flat);
    for (size_t k = 0; k < N; k++)
        for (size_t x = 0; x < n0; x++) flat[(k % 16) + 16 * x + 16 * n0 * (k / 16)] = E(T->inst[k][x]);
    int ok = cl->n >= 1;
    for (int i = 0; i < cl->n; i++) ok &= cl->c[i].n_vars == nv && gf_m31ext3_eq(mle_ext(flat, cl->c[i].point, nv), cl->c[i].value);
    free(flat);
    return ok;
}

/* Substring of the verifier's error at the first check after message d (single tamper). */
static void next_check(const tinst *T, msg_desc d, char *buf, size_t cap) {
    const gf_layer *L = &T->c->layers[d.layer];
    unsigned n = L->in_log, nsb = 4 + gf_log2_u64(T->K);
    if (d.kind == 'x' && d.round + 1 < n)
        snprintf(buf, cap, "layer %u, phase 1 (x), round %u:", d.layer, d.round + 1);
    else if (d.kind == 'x')
        snprintf(buf, cap, "layer %u, phase 1 (lane/block variables), round 0:", d.layer);
    else if (d.kind == 's' && d.round + 1 < nsb)
        snprintf(buf, cap, "layer %u, phase 1 (lane/block variables), round %u:", d.layer, d.round + 1);
    else if ((d.kind == 's' || d.kind == 'v') && L->n_mul)   /* vx itself is unchecked until then */
        snprintf(buf, cap, "layer %u, phase 2 (y), round 0:", d.layer);
    else if (d.kind == 's' || d.kind == 'v')
        snprintf(buf, cap, "layer %u: final check of the addition gates failed", d.layer);
    else if (d.kind == 'y' && d.round + 1 < n)
        snprintf(buf, cap, "layer %u, phase 2 (y), round %u:", d.layer, d.round + 1);
    else
        snprintf(buf, cap, "layer %u: final check of the multiplication gates failed", d.layer);
}

/* How a cheat must be caught. */
enum { BY_CHECK, BY_FORMAT, BY_INPUT_CLAIM, BY_ANY, N_BY };
typedef struct { long n[N_BY]; } tally;

static int expected_outcome(const tinst *T, const cheater *ch, char *want, size_t cap) {
    const msg_desc *d = ch->target >= 0 ? &ch->desc[ch->target] : NULL;
    /* a claim the verifier checks right away (no consistent value exists once tampered) */
    int checked_claim = d && !d->vacuous && (d->kind == 'w' || (d->kind == 'v' && !T->c->layers[d->layer].n_mul));
    if (ch->kind == T_NONCANON) {
        unsigned n = d->kind == 's' ? 4 : d->kind == 'x' || d->kind == 'y' ? 3 : 1;
        snprintf(want, cap, "proof byte %zu: non-canonical", d->byte + 12 * ((size_t)ch->target % n));
        return BY_FORMAT;
    }
    if (ch->persist && ch->stuck && !checked_claim) {
        /* the cheater had to satisfy a final check that multiplies its claim by 0 */
        snprintf(want, cap, "layer %u: final check of the %s gates failed", ch->stuck_layer,
                 ch->stuck == 'v' ? "addition" : "multiplication");
        return BY_CHECK;
    }
    if (ch->persist && !checked_claim) return BY_INPUT_CLAIM;   /* a consistent transcript */
    if (d && d->vacuous && d->kind == 'v') return BY_ANY;
    if (d && d->vacuous && d->layer == 0) return BY_INPUT_CLAIM;
    if (d && d->vacuous) snprintf(want, cap, "layer %u, phase 1 (x), round 0:", d->layer - 1);
    else if (d) next_check(T, *d, want, cap);
    else snprintf(want, cap, "layer %u, phase 1 (x), round 0:", T->c->n_layers - 1);   /* false output claim */
    return BY_CHECK;
}

/* Runs one cheat: it must be rejected, and by the expected check. */
static void run_one(const tinst *T, cheater *ch, const gf_m31 *outs, const char *what, tally *ty) {
    gf_buf p;
    prove_cheat(T, ch, &p);
    gf_error err;
    gf_gkr_claims cl;
    gf_status st = verify_gkr(T, p.data, p.len, outs, &cl, &err);
    int claims_ok = 0;
    if (st == GF_OK) { claims_ok = claims_match(T, &cl); gf_gkr_claims_free(&cl); }
    CHECK_MSG(!(st == GF_OK && claims_ok), "%s: cheat ACCEPTED", what);
    char want[160] = "";
    int by = expected_outcome(T, ch, want, sizeof want), ok = 0;
    switch (by) {
    case BY_CHECK: ok = st == GF_ERR_VERIFY && strstr(err.msg, want); break;
    case BY_FORMAT: ok = st == GF_ERR_FORMAT && strstr(err.msg, want); break;
    case BY_INPUT_CLAIM: ok = st == GF_OK && !claims_ok; snprintf(want, sizeof want, "GKR passes, input claim false"); break;
    default: ok = st != GF_OK || !claims_ok; break;
    }
    CHECK_MSG(ok, "%s: expected: %s; got status %d: %s", what, want, (int)st,
              st ? err.msg : claims_ok ? "ok, claims true" : "ok, claims false");
    if (ok) ty->n[by]++;
    gf_buf_free(&p);
}

static void run_cheats(gf_rng *rng, unsigned n, unsigned depth, int input_mul, unsigned out_log, uint64_t K, int pub) {
    tinst T = make_tinst(rng, n, depth, input_mul, out_log, K, pub);
    const gf_m31 *outs = true_outputs(&T);
    char what[256];
    snprintf(what, sizeof what, "n=%u depth=%u input_mul=%d out_log=%u K=%llu %s", n, depth, input_mul, out_log,
             (unsigned long long)K, pub ? "public" : "zero");
    if (input_mul) CHECK(T.c->layers[0].n_mul > 0);
    else CHECK(T.c->layers[0].n_mul == 0);

    /* honest: naive == fast prover, accepted, claims true */
    cheater *ch = calloc(1, sizeof *ch);
    ch->target = -1;
    ch->claimed_outputs = outs;
    gf_buf hp;
    prove_cheat(&T, ch, &hp);
    long n_msgs = ch->count;
    msg_desc *desc = malloc(n_msgs * sizeof *desc);
    memcpy(desc, ch->desc, n_msgs * sizeof *desc);
    {
        gf_transcript t;
        start(&T, &t, outs);
        gf_buf fp;
        gf_buf_init(&fp);
        gf_gkr_claims fcl, vcl;
        gf_error err;
        REQUIRE(gf_gkr_m31_prove(T.c, T.coefs, T.vals, K, pub, &t, &fp, NULL, &fcl, &err) == GF_OK);
        CHECK_MSG(fp.len == hp.len && !memcmp(fp.data, hp.data, fp.len), "%s: naive prover disagrees with gf_gkr_m31_prove", what);
        CHECK(claims_match(&T, &fcl));
        gf_gkr_claims_free(&fcl);
        gf_buf_free(&fp);
        gf_transcript_free(&t);
        gf_status st = verify_gkr(&T, hp.data, hp.len, outs, &vcl, &err);
        CHECK_MSG(st == GF_OK, "%s: honest proof rejected: %s", what, err.msg);
        if (st == GF_OK) { CHECK(claims_match(&T, &vcl)); gf_gkr_claims_free(&vcl); }
        /* every truncation (at each message and one byte short) is a format error */
        for (long i = 0; i <= n_msgs; i++) {
            size_t cut = i < n_msgs ? desc[i].byte : hp.len - 1;
            st = verify_gkr(&T, hp.data, cut, outs, &vcl, &err);
            CHECK_MSG(st == GF_ERR_FORMAT && strstr(err.msg, "truncated"), "%s: truncation at %zu: status %d", what, cut, (int)st);
            if (st == GF_OK) gf_gkr_claims_free(&vcl);
        }
    }
    CHECK(n_msgs > 0);

    tally ty;
    memset(&ty, 0, sizeof ty);
    int saw[128] = {0};
    for (long i = 0; i < n_msgs; i++) {
        int claim = desc[i].kind == 'v' || desc[i].kind == 'w';
        saw[(int)desc[i].kind] = 1;
        for (int kind = T_LINEAR; kind < T_NKINDS; kind++) {
            if (claim && (kind == T_ENDS || kind == T_LAST)) continue;   /* one value: one tamper */
            for (int persist = 0; persist < 2; persist++) {
                if (persist && kind == T_NONCANON) continue;
                memset(ch, 0, sizeof *ch);
                ch->target = i;
                ch->kind = kind;
                ch->persist = persist;
                do ch->delta = gf_m31ext3_random(rng); while (gf_m31ext3_is_zero(ch->delta));
                ch->claimed_outputs = outs;
                char w2[400];
                snprintf(w2, sizeof w2, "%s: message %ld/%ld (layer %u %c round %u), %s%s", what, i, n_msgs, desc[i].layer,
                         desc[i].kind, desc[i].round, kind_name[kind], persist ? ", persistent" : "");
                run_one(&T, ch, outs, w2, &ty);
                CHECK_EQ_U64(ch->count, n_msgs);
            }
        }
    }
    CHECK(saw['x'] && saw['s'] && saw['v'] && saw['y'] && saw['w']);

    /* false statements */
    gf_m31 *bad = malloc(n_outputs(&T) * sizeof *bad);
    memcpy(bad, outs, n_outputs(&T) * sizeof *bad);
    size_t pos = (size_t)gf_rng_below(rng, n_outputs(&T));
    bad[pos] = gf_m31_add(bad[pos], 1 + (gf_m31)gf_rng_below(rng, 1000));
    for (int persist = 0; persist < 2; persist++) {
        memset(ch, 0, sizeof *ch);
        ch->target = -1;
        ch->persist = persist;
        if (pub) {
            /* publish wrong outputs (the verifier checks against what is published) */
            ch->claimed_outputs = bad;
            char w2[400];
            snprintf(w2, sizeof w2, "%s: wrong public output %zu%s", what, pos, persist ? ", persistent" : "");
            run_one(&T, ch, bad, w2, &ty);
        } else {
            /* claim all outputs are zero for a witness where one is not */
            size_t k = (size_t)gf_rng_below(rng, 16 * K), h = gf_testc_width(T.c, 0) / 2;
            gf_m31 old = T.inst[k][h];
            T.inst[k][h] = gf_m31_add(old, 1);
            evaluate_all(&T);
            ch->claimed_outputs = outs;
            char w2[400];
            snprintf(w2, sizeof w2, "%s: instance %zu violates a constraint%s", what, k, persist ? ", persistent" : "");
            run_one(&T, ch, NULL, w2, &ty);
            T.inst[k][h] = old;
            evaluate_all(&T);
        }
    }
    if (pub) {
        /* a valid proof for a different input (its own true outputs): GKR passes, the input
         * claim against the committed input must not */
        size_t k = (size_t)gf_rng_below(rng, 16 * K), x = (size_t)gf_rng_below(rng, gf_testc_width(T.c, 0));
        gf_m31 old = T.inst[k][x];
        T.inst[k][x] = gf_m31_add(old, 1);
        evaluate_all(&T);
        gf_m31 *outs2 = malloc(n_outputs(&T) * sizeof *outs2);
        memcpy(outs2, true_outputs(&T), n_outputs(&T) * sizeof *outs2);
        gf_transcript t;
        start(&T, &t, outs2);
        gf_buf fp;
        gf_buf_init(&fp);
        gf_gkr_claims fcl, vcl;
        gf_error err;
        REQUIRE(gf_gkr_m31_prove(T.c, T.coefs, T.vals, K, 1, &t, &fp, NULL, &fcl, &err) == GF_OK);
        gf_gkr_claims_free(&fcl);
        gf_transcript_free(&t);
        T.inst[k][x] = old;   /* the committed input */
        evaluate_all(&T);
        gf_status st = verify_gkr(&T, fp.data, fp.len, outs2, &vcl, &err);
        CHECK_MSG(st == GF_OK, "%s: proof of another input: GKR should pass: %s", what, err.msg);
        if (st == GF_OK) { CHECK_MSG(!claims_match(&T, &vcl), "%s: proof of another input accepted", what); gf_gkr_claims_free(&vcl); }
        gf_buf_free(&fp);
        free(outs2);
    }
    fprintf(stderr, "  %s: %ld messages; cheats rejected by the expected sumcheck/gate check %ld, as non-canonical %ld, "
            "by the input claim %ld, elsewhere %ld\n", what, n_msgs, ty.n[BY_CHECK], ty.n[BY_FORMAT], ty.n[BY_INPUT_CLAIM], ty.n[BY_ANY]);
    free(bad);
    free(desc);
    free(ch);
    gf_buf_free(&hp);
    free_instance(&T);
}

static void test_cheats_zero_outputs(gf_rng *rng) {
    run_cheats(rng, 2, 1, 1, 1, 1, 0);   /* mul gates in the input layer */
    run_cheats(rng, 2, 1, 0, 0, 1, 0);   /* no mul gates in the input layer */
    run_cheats(rng, 2, 2, 1, 1, 2, 0);   /* K = 2 */
    run_cheats(rng, 3, 1, 0, 2, 2, 0);
}

static void test_cheats_public_outputs(gf_rng *rng) {
    run_cheats(rng, 2, 1, 1, 1, 1, 1);
    run_cheats(rng, 2, 1, 0, 1, 2, 1);
}

int main(void) {
    TEST_BEGIN();
    RUN(test_cheats_zero_outputs);
    RUN(test_cheats_public_outputs);
    return TEST_END();
}
