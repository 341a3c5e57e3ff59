/* GKR over BN254 Fr (one instance per table entry) and BN254 circuit proofs.
 * - MLE helpers against direct formulas;
 * - round trips on random layered circuits with zero outputs, N = 1, 2, 4, 16, 64, with and
 *   without a thread pool (byte-identical proofs either way);
 * - a naive prover (brute-force sums of multilinear extensions, written independently of the
 *   fast prover) must produce byte-identical proofs;
 * - every byte of a small proof flipped -> rejected; truncation -> GF_ERR_FORMAT;
 * - a bad witness -> GF_ERR_WITNESS naming the instance; public outputs with one changed
 *   output -> rejected;
 * - circuit proofs (gf_circuit_prove_bn254 / gf_circuit_verify_bn254): round trips with zero
 *   and public outputs, truncations, tampering, a different circuit, the wrong field. */
#include <stdlib.h>
#include <string.h>
#include "common/util.h"
#include "gkr/gkr_bn254.h"
#include "gkr/mle_bn254.h"
#include "hash/sha256.h"
#include "prover/circuit_proof.h"
#include "gkr_testcircuits.h"
#include "testutil.h"

/* value-style wrappers keep the naive code readable */
typedef gf_bn254fr fr;
static fr F0(void) { fr r; gf_bn254fr_zero(&r); return r; }
static fr F1(void) { fr r; gf_bn254fr_one(&r); return r; }
static fr FU(uint64_t x) { fr r; gf_bn254fr_from_u64(&r, x); return r; }
static fr FADD(fr a, fr b) { fr r; gf_bn254fr_add(&r, &a, &b); return r; }
static fr FSUB(fr a, fr b) { fr r; gf_bn254fr_sub(&r, &a, &b); return r; }
static fr FMUL(fr a, fr b) { fr r; gf_bn254fr_mul(&r, &a, &b); return r; }
static int FEQ(fr a, fr b) { return gf_bn254fr_eq(&a, &b); }
static fr FRND(gf_rng *rng) { fr r; gf_bn254fr_random(&r, rng); return r; }

/* brute-force MLE: sum_i eq(pt, i) tab[i] */
static fr mle_naive(const fr *tab, const fr *pt, unsigned k) {
    fr acc = F0();
    for (size_t i = 0; i < ((size_t)1 << k); i++) {
        fr w = F1();
        for (unsigned j = 0; j < k; j++) w = FMUL(w, (i >> j) & 1 ? pt[j] : FSUB(F1(), pt[j]));
        acc = FADD(acc, FMUL(w, tab[i]));
    }
    return acc;
}

static void test_mle_helpers(gf_rng *rng) {
    fr r[6], s[6], tab[64], eqt[64], v;
    for (int i = 0; i < 6; i++) { r[i] = FRND(rng); s[i] = FRND(rng); }
    for (int i = 0; i < 64; i++) tab[i] = FRND(rng);
    for (unsigned k = 0; k <= 6; k++) {
        REQUIRE(gf_mle_bn254_eval(&v, tab, r, k) == 0);
        CHECK(FEQ(v, mle_naive(tab, r, k)));
        fr sc = FRND(rng);
        gf_mle_bn254_eq_table(eqt, r, k, &sc);
        for (size_t i = 0; i < ((size_t)1 << k); i++) {
            fr w = sc;
            for (unsigned j = 0; j < k; j++) w = FMUL(w, (i >> j) & 1 ? r[j] : FSUB(F1(), r[j]));
            CHECK(FEQ(eqt[i], w));
        }
        /* eq(r, s) = sum_i eq(r, i) eq(s, i) */
        fr e, ets[64];
        gf_mle_bn254_eq_point(&e, r, s, k);
        gf_mle_bn254_eq_table(ets, s, k, NULL);
        CHECK(FEQ(e, mle_naive(ets, r, k)));
    }
    /* interpolation: random cubic / quadratic, Horner evaluation */
    for (int it = 0; it < 20; it++) {
        fr a[4] = {FRND(rng), FRND(rng), FRND(rng), FRND(rng)}, p3[4], p2[3], x = FRND(rng), o;
        for (int t = 0; t < 4; t++) {
            fr tt = FU((uint64_t)t);
            p3[t] = FADD(a[0], FMUL(tt, FADD(a[1], FMUL(tt, FADD(a[2], FMUL(tt, a[3]))))));
            if (t < 3) p2[t] = FADD(a[0], FMUL(tt, FADD(a[1], FMUL(tt, a[2]))));
        }
        gf_interp_bn254_deg3(&o, p3, &x);
        CHECK(FEQ(o, FADD(a[0], FMUL(x, FADD(a[1], FMUL(x, FADD(a[2], FMUL(x, a[3]))))))));
        gf_interp_bn254_deg2(&o, p2, &x);
        CHECK(FEQ(o, FADD(a[0], FMUL(x, FADD(a[1], FMUL(x, a[2]))))));
    }
}

/* ---------- random circuits whose outputs are zero for the generated witness ---------- */
/* Every layer has 2^n wires; [0,h) compute, [h,2h) relay the expected values of the final
 * compute wires. Layer D computes diff = f - y; layer D+1 scales the differences by RANDOM
 * coefficients (and multiplies some by other wires). */
static uint32_t add_coef(gf_circuit *c, int kind, fr v) {
    c->coef_kind = realloc(c->coef_kind, c->n_coefs + 1);
    c->coef_fr = realloc(c->coef_fr, (c->n_coefs + 1) * sizeof(fr));
    c->coef_kind[c->n_coefs] = (uint8_t)kind;
    c->coef_fr[c->n_coefs] = kind == GF_COEF_RANDOM ? F0() : v;
    return c->n_coefs++;
}

static gf_circuit *make_circuit(gf_rng *rng, unsigned n, unsigned depth, int input_mul, unsigned out_log) {
    gf_error err;
    gf_circuit *c = calloc(1, sizeof *c);
    c->field = GF_FIELD_BN254;
    c->n_layers = depth + 2;
    c->layers = calloc(c->n_layers, sizeof *c->layers);
    uint32_t one = add_coef(c, GF_COEF_CONST, F1()), mone = add_coef(c, GF_COEF_CONST, FSUB(F0(), F1()));
    uint32_t h = 1u << (n - 1);
    for (unsigned l = 0; l < depth; l++) {
        gf_layer *L = &c->layers[l];
        L->in_log = n; L->out_log = n;
        for (uint32_t o = 0; o < h; o++) {
            int k = (int)gf_rng_below(rng, 4);
            uint32_t cf = gf_rng_below(rng, 3) ? add_coef(c, GF_COEF_CONST, FRND(rng)) : one;
            if ((k == 0 || k == 3) && (input_mul || l > 0)) gf_testc_push_mul(L, o, (uint32_t)gf_rng_below(rng, h), (uint32_t)gf_rng_below(rng, h), cf);
            if (k == 1 || k == 3 || !(input_mul || l > 0)) gf_testc_push_add(L, o, (uint32_t)gf_rng_below(rng, h), cf);
            if (k == 2) { gf_testc_push_add(L, o, (uint32_t)gf_rng_below(rng, h), cf); gf_testc_push_cst(L, o, add_coef(c, GF_COEF_CONST, FRND(rng))); }
            if (gf_rng_below(rng, 4) == 0) gf_testc_push_add(L, o, (uint32_t)gf_rng_below(rng, h), one);
        }
        for (uint32_t o = h; o < 2 * h; o++) gf_testc_push_add(L, o, o, one);
    }
    gf_layer *D = &c->layers[depth];
    D->in_log = n; D->out_log = n;
    for (uint32_t o = 0; o < h; o++) { gf_testc_push_add(D, o, o, one); gf_testc_push_add(D, o, h + o, mone); }
    gf_layer *R = &c->layers[depth + 1];
    R->in_log = n; R->out_log = out_log;
    for (uint32_t o = 0; o < h; o++) {
        uint32_t q = o & ((1u << out_log) - 1);
        gf_testc_push_add(R, q, o, add_coef(c, GF_COEF_RANDOM, F0()));
        if (gf_rng_below(rng, 2)) gf_testc_push_mul(R, q, o, (uint32_t)gf_rng_below(rng, 2 * h), add_coef(c, GF_COEF_RANDOM, F0()));
    }
    if (gf_circuit_validate(c, &err) != GF_OK) { fprintf(stderr, "generator bug: %s\n", err.msg); abort(); }
    return c;
}

/* naive evaluation of one instance: vals[l][x] */
static void naive_eval(const gf_circuit *c, const fr *coefs, const fr *in, fr **vals) {
    memcpy(vals[0], in, gf_testc_width(c, 0) * sizeof(fr));
    for (uint32_t l = 0; l < c->n_layers; l++) {
        const gf_layer *L = &c->layers[l];
        fr *o = vals[l + 1];
        const fr *v = vals[l];
        for (size_t x = 0; x < gf_testc_width(c, l + 1); x++) o[x] = F0();
        for (uint64_t g = 0; g < L->n_mul; g++) o[L->mul[g].out] = FADD(o[L->mul[g].out], FMUL(coefs[L->mul[g].coef], FMUL(v[L->mul[g].in0], v[L->mul[g].in1])));
        for (uint64_t g = 0; g < L->n_add; g++) o[L->add[g].out] = FADD(o[L->add[g].out], FMUL(coefs[L->add[g].coef], v[L->add[g].in]));
        for (uint64_t g = 0; g < L->n_const; g++) o[L->cst[g].out] = FADD(o[L->cst[g].out], coefs[L->cst[g].coef]);
    }
}

typedef struct {
    gf_circuit *c;
    uint64_t N;
    fr *coefs;
    fr **inst;      /* inst[k]: input of instance k */
    fr **vals;      /* flat, instance-major, n_layers + 1 arrays */
    fr ***sv;       /* sv[k][l][x] */
    int public_out;
} tinst;

static void setup_transcript(gf_transcript *t) {
    gf_error err;
    if (gf_transcript_init(t, "gkrflow/test-gkr-bn254", &err)) { fprintf(stderr, "%s\n", err.msg); abort(); }
    gf_transcript_append_label(t, "commitment-placeholder");
}

/* coefficients as the prover/verifier would see them after setup_transcript */
static fr *draw_coefs(const gf_circuit *c, gf_transcript *t) {
    fr *co = malloc((c->n_coefs + 1) * sizeof(fr));
    for (uint32_t i = 0; i < c->n_coefs; i++) {
        if (c->coef_kind[i] == GF_COEF_RANDOM) gf_transcript_challenge_bn254fr(t, &co[i]);
        else co[i] = c->coef_fr[i];
    }
    return co;
}

static void evaluate_all(tinst *T) {
    const gf_circuit *c = T->c;
    for (size_t k = 0; k < T->N; k++) naive_eval(c, T->coefs, T->inst[k], T->sv[k]);
    if (T->vals) for (uint32_t l = 0; l <= c->n_layers; l++) gf_free_aligned(T->vals[l]);
    free(T->vals);
    T->vals = calloc(c->n_layers + 1, sizeof *T->vals);
    for (uint32_t l = 0; l <= c->n_layers; l++) {
        size_t sz = gf_testc_width(c, l);
        T->vals[l] = gf_alloc_aligned(T->N * sz, sizeof(fr));
        for (size_t k = 0; k < T->N; k++) memcpy(T->vals[l] + k * sz, T->sv[k][l], sz * sizeof(fr));
    }
}

static tinst make_tinst(gf_rng *rng, unsigned n, unsigned depth, int input_mul, unsigned out_log, uint64_t N) {
    tinst T;
    memset(&T, 0, sizeof T);
    T.c = make_circuit(rng, n, depth, input_mul, out_log);
    T.N = N;
    gf_transcript t;
    setup_transcript(&t);
    T.coefs = draw_coefs(T.c, &t);
    gf_transcript_free(&t);
    size_t n0 = gf_testc_width(T.c, 0), h = n0 / 2;
    T.inst = calloc(N, sizeof *T.inst);
    T.sv = calloc(N, sizeof *T.sv);
    for (size_t k = 0; k < N; k++) {
        T.inst[k] = calloc(n0, sizeof(fr));
        T.sv[k] = calloc(T.c->n_layers + 1, sizeof(fr *));
        for (uint32_t l = 0; l <= T.c->n_layers; l++) T.sv[k][l] = calloc(gf_testc_width(T.c, l), sizeof(fr));
        for (size_t x = 0; x < h; x++) T.inst[k][x] = FRND(rng);
        /* evaluate with y = 0 to learn f, then set y = f */
        naive_eval(T.c, T.coefs, T.inst[k], T.sv[k]);
        for (size_t x = 0; x < h; x++) T.inst[k][h + x] = T.sv[k][depth][x];
    }
    evaluate_all(&T);
    return T;
}

static void free_instance(tinst *T) {
    for (size_t k = 0; k < T->N; k++) {
        for (uint32_t l = 0; l <= T->c->n_layers; l++) free(T->sv[k][l]);
        free(T->sv[k]);
        free(T->inst[k]);
    }
    free(T->sv); free(T->inst);
    if (T->vals) for (uint32_t l = 0; l <= T->c->n_layers; l++) gf_free_aligned(T->vals[l]);
    free(T->vals);
    free(T->coefs);
    gf_circuit_free(T->c);
}

/* ---------- naive prover ---------- */
/* cheat: index of the message to falsify (-1: none). A round polynomial gets
 * + delta (1 - 2X), which keeps p(0) + p(1) but moves the claim for the next round, and a
 * claim gets + delta; the prover then continues honestly from the resulting transcript, so
 * exactly the verifier's next check stands between the cheat and acceptance. */
typedef struct { long cheat, count; } ncheat;

static void nsend_c(ncheat *ch, gf_transcript *t, gf_buf *b, fr *v, size_t n) {
    if (ch && ch->count++ == ch->cheat) {
        fr delta = FU(12345);
        if (n == 1) v[0] = FADD(v[0], delta);
        else for (size_t k = 0; k < n; k++) v[k] = FADD(v[k], FMUL(delta, FSUB(F1(), FU(2 * k))));
    }
    gf_transcript_append_bn254frs(t, v, n);
    for (size_t i = 0; i < n; i++) { uint8_t x[32]; gf_bn254fr_to_bytes_be(x, &v[i]); gf_buf_append(b, x, 32); }
}
static fr chal(gf_transcript *t) { fr r; gf_transcript_challenge_bn254fr(t, &r); return r; }

static void naive_prove(const tinst *T, gf_transcript *t, gf_buf *proof, ncheat *ch) {
    const gf_circuit *c = T->c;
    size_t N = T->N;
    unsigned nb = gf_log2_u64(N), nmax = 0;
    for (uint32_t l = 0; l < c->n_layers; l++) nmax = c->layers[l].in_log > nmax ? c->layers[l].in_log : nmax;
    size_t M = (size_t)1 << nmax;
    fr rz0[32], rz1[32], rb[32], rx[32], ry[32], rb2[32], pt[32];
    int has1 = 0;
    gf_transcript_append_label(t, "gkr-output");
    for (unsigned j = 0; j < c->layers[c->n_layers - 1].out_log; j++) rz0[j] = chal(t);
    for (unsigned j = 0; j < nb; j++) rb[j] = chal(t);
    fr *Vt = malloc(N * M * sizeof *Vt), *Ht = malloc(N * M * sizeof *Ht), *Z = malloc(M * sizeof *Z);
    fr *colV = malloc(M * sizeof *colV), *colH = malloc(M * sizeof *colH);
    fr *sv = malloc(N * sizeof *sv), *sh = malloc(N * sizeof *sh), *se = malloc(N * sizeof *se);
    for (uint32_t l = c->n_layers; l-- > 0;) {
        const gf_layer *L = &c->layers[l];
        unsigned n = L->in_log, mo = L->out_log;
        size_t m = (size_t)1 << n;
        fr alpha = F0();
        if (has1) alpha = chal(t);
        for (size_t z = 0; z < ((size_t)1 << mo); z++) {
            fr w0 = F1(), w1 = F1();
            for (unsigned j = 0; j < mo; j++) {
                w0 = FMUL(w0, (z >> j) & 1 ? rz0[j] : FSUB(F1(), rz0[j]));
                if (has1) w1 = FMUL(w1, (z >> j) & 1 ? rz1[j] : FSUB(F1(), rz1[j]));
            }
            Z[z] = has1 ? FADD(w0, FMUL(alpha, w1)) : w0;
        }
        for (size_t b = 0; b < N; b++) {
            const fr *v = T->sv[b][l];
            for (size_t x = 0; x < m; x++) { Vt[b * M + x] = v[x]; Ht[b * M + x] = F0(); }
            for (uint64_t g = 0; g < L->n_mul; g++) {
                const gf_gate_mul *G = &L->mul[g];
                Ht[b * M + G->in0] = FADD(Ht[b * M + G->in0], FMUL(FMUL(Z[G->out], T->coefs[G->coef]), v[G->in1]));
            }
            for (uint64_t g = 0; g < L->n_add; g++) {
                const gf_gate_add *G = &L->add[g];
                Ht[b * M + G->in] = FADD(Ht[b * M + G->in], FMUL(Z[G->out], T->coefs[G->coef]));
            }
        }
        for (size_t b = 0; b < N; b++) {
            fr w = F1();
            for (unsigned j = 0; j < nb; j++) w = FMUL(w, (b >> j) & 1 ? rb[j] : FSUB(F1(), rb[j]));
            se[b] = w;
        }
        for (unsigned j = 0; j < n; j++) {
            fr ev[3];
            for (int tt = 0; tt < 3; tt++) {
                fr acc = F0();
                for (size_t rest = 0; rest < ((size_t)1 << (n - j - 1)); rest++) {
                    for (unsigned q = 0; q < j; q++) pt[q] = rx[q];
                    pt[j] = FU((uint64_t)tt);
                    for (unsigned q = j + 1; q < n; q++) pt[q] = FU((rest >> (q - j - 1)) & 1);
                    for (size_t b = 0; b < N; b++)
                        acc = FADD(acc, FMUL(se[b], FMUL(mle_naive(Vt + b * M, pt, n), mle_naive(Ht + b * M, pt, n))));
                }
                ev[tt] = acc;
            }
            nsend_c(ch, t, proof, ev, 3);
            rx[j] = chal(t);
        }
        for (size_t b = 0; b < N; b++) { sv[b] = mle_naive(Vt + b * M, rx, n); sh[b] = mle_naive(Ht + b * M, rx, n); }
        for (unsigned j = 0; j < nb; j++) {
            fr ev[4];
            for (int tt = 0; tt < 4; tt++) {
                fr acc = F0();
                for (size_t rest = 0; rest < ((size_t)1 << (nb - j - 1)); rest++) {
                    for (unsigned q = 0; q < j; q++) pt[q] = rb2[q];
                    pt[j] = FU((uint64_t)tt);
                    for (unsigned q = j + 1; q < nb; q++) pt[q] = FU((rest >> (q - j - 1)) & 1);
                    acc = FADD(acc, FMUL(mle_naive(se, pt, nb), FMUL(mle_naive(sv, pt, nb), mle_naive(sh, pt, nb))));
                }
                ev[tt] = acc;
            }
            nsend_c(ch, t, proof, ev, 4);
            rb2[j] = chal(t);
        }
        fr vx = mle_naive(sv, rb2, nb), eqf = mle_naive(se, rb2, nb);
        nsend_c(ch, t, proof, &vx, 1);
        if (L->n_mul) {
            fr coef2 = FMUL(eqf, vx);
            for (size_t y = 0; y < m; y++) {
                for (size_t b = 0; b < N; b++) sv[b] = Vt[b * M + y];
                colV[y] = mle_naive(sv, rb2, nb);
                colH[y] = F0();
            }
            for (uint64_t g = 0; g < L->n_mul; g++) {
                const gf_gate_mul *G = &L->mul[g];
                fr e = F1();
                for (unsigned q = 0; q < n; q++) e = FMUL(e, (G->in0 >> q) & 1 ? rx[q] : FSUB(F1(), rx[q]));
                colH[G->in1] = FADD(colH[G->in1], FMUL(FMUL(Z[G->out], T->coefs[G->coef]), e));
            }
            for (unsigned j = 0; j < n; j++) {
                unsigned var = n - 1 - j;
                fr ev[3];
                for (int tt = 0; tt < 3; tt++) {
                    fr acc = F0();
                    for (size_t rest = 0; rest < ((size_t)1 << var); rest++) {
                        for (unsigned q = 0; q < var; q++) pt[q] = FU((rest >> q) & 1);
                        pt[var] = FU((uint64_t)tt);
                        for (unsigned q = var + 1; q < n; q++) pt[q] = ry[q];
                        acc = FADD(acc, FMUL(mle_naive(colH, pt, n), mle_naive(colV, pt, n)));
                    }
                    ev[tt] = FMUL(acc, coef2);
                }
                nsend_c(ch, t, proof, ev, 3);
                ry[var] = chal(t);
            }
            fr vy = mle_naive(colV, ry, n);
            nsend_c(ch, t, proof, &vy, 1);
            has1 = 1;
            memcpy(rz1, ry, n * sizeof *ry);
        } else has1 = 0;
        memcpy(rz0, rx, n * sizeof *rx);
        memcpy(rb, rb2, nb * sizeof *rb);
    }
    free(Vt); free(Ht); free(Z); free(colV); free(colH); free(sv); free(sh); free(se);
}

/* ---------- driver ---------- */
static gf_status prove_fast(tinst *T, gf_pool *pool, gf_buf *proof, gf_gkr_bn254_claims *cl, gf_error *err) {
    gf_transcript t;
    setup_transcript(&t);
    free(draw_coefs(T->c, &t));   /* same transcript state as when T->coefs were drawn */
    gf_status st = gf_gkr_bn254_prove(T->c, T->coefs, T->vals, T->N, T->public_out, &t, proof, pool, cl, err);
    gf_transcript_free(&t);
    return st;
}

static gf_status verify_bytes(tinst *T, const uint8_t *p, size_t len, gf_gkr_bn254_claims *cl, gf_error *err) {
    gf_transcript t;
    setup_transcript(&t);
    fr *co = draw_coefs(T->c, &t);
    gf_reader r;
    gf_reader_init(&r, p, len);
    gf_status st = gf_gkr_bn254_verify(T->c, co, T->N, T->public_out ? T->vals[T->c->n_layers] : NULL, &t, &r, cl, err);
    if (!st && gf_reader_remaining(&r)) { gf_gkr_bn254_claims_free(cl); st = gf_error_set(err, GF_ERR_FORMAT, "trailing bytes"); }
    free(co);
    gf_transcript_free(&t);
    return st;
}

/* input claims against the instances: V_0(point) = value, brute force */
static int claims_match(const tinst *T, const gf_gkr_bn254_claims *cl) {
    size_t n0 = gf_testc_width(T->c, 0);
    fr *flat = malloc(T->N * n0 * sizeof *flat);
    for (size_t k = 0; k < T->N; k++) memcpy(flat + k * n0, T->inst[k], n0 * sizeof *flat);
    int ok = cl->n >= 1;
    for (int i = 0; i < cl->n; i++) ok &= FEQ(mle_naive(flat, cl->c[i].point, cl->c[i].n_vars), cl->c[i].value);
    free(flat);
    return ok;
}

static void run_case(gf_rng *rng, unsigned n, unsigned depth, int input_mul, unsigned out_log, uint64_t N, gf_pool *pool,
                     int naive, int tamper) {
    tinst T = make_tinst(rng, n, depth, input_mul, out_log, N);
    gf_error err;
    gf_buf proof;
    gf_buf_init(&proof);
    gf_gkr_bn254_claims cl;
    /* the library's batch evaluator agrees with the naive one */
    gf_bn254fr **ev = NULL;
    REQUIRE(gf_gkr_bn254_eval(T.c, T.coefs, T.vals[0], N, pool, &ev, &err) == GF_OK);
    for (uint32_t l = 0; l <= T.c->n_layers; l++)
        CHECK(!memcmp(ev[l], T.vals[l], N * gf_testc_width(T.c, l) * sizeof(fr)));
    gf_gkr_bn254_vals_free(T.c, ev);

    gf_status st = prove_fast(&T, pool, &proof, &cl, &err);
    CHECK_MSG(st == GF_OK, "prove n=%u depth=%u N=%llu: %s", n, depth, (unsigned long long)N, err.msg);
    if (st) { gf_buf_free(&proof); free_instance(&T); return; }
    CHECK_EQ_U64(proof.len, gf_gkr_bn254_proof_bytes(T.c, N));
    CHECK(claims_match(&T, &cl));
    gf_gkr_bn254_claims vcl;
    st = verify_bytes(&T, proof.data, proof.len, &vcl, &err);
    CHECK_MSG(st == GF_OK, "verify n=%u depth=%u N=%llu: %s", n, depth, (unsigned long long)N, err.msg);
    if (!st) {
        CHECK(vcl.n == cl.n);
        for (int i = 0; i < cl.n && i < vcl.n; i++) {
            CHECK(FEQ(vcl.c[i].value, cl.c[i].value));
            CHECK(!memcmp(vcl.c[i].point, cl.c[i].point, cl.c[i].n_vars * sizeof(fr)));
        }
        gf_gkr_bn254_claims_free(&vcl);
    }
    if (pool) {   /* the schedule must not change the bytes */
        gf_buf p1;
        gf_buf_init(&p1);
        gf_gkr_bn254_claims c1;
        CHECK(prove_fast(&T, NULL, &p1, &c1, &err) == GF_OK);
        CHECK(p1.len == proof.len && !memcmp(p1.data, proof.data, p1.len));
        gf_gkr_bn254_claims_free(&c1);
        gf_buf_free(&p1);
    }
    if (naive) {
        gf_transcript t;
        setup_transcript(&t);
        free(draw_coefs(T.c, &t));
        gf_buf np;
        gf_buf_init(&np);
        naive_prove(&T, &t, &np, NULL);
        CHECK_EQ_U64(np.len, proof.len);
        CHECK_MSG(np.len == proof.len && !memcmp(np.data, proof.data, np.len), "naive prover disagrees (n=%u depth=%u N=%llu)",
                  n, depth, (unsigned long long)N);
        gf_buf_free(&np);
        gf_transcript_free(&t);
    }
    if (tamper) {
        size_t accepted = 0;
        for (size_t i = 0; i < proof.len; i++) {
            proof.data[i] ^= (uint8_t)(1u << (i % 8));
            gf_gkr_bn254_claims tc;
            if (verify_bytes(&T, proof.data, proof.len, &tc, &err) == GF_OK) {
                if (claims_match(&T, &tc)) accepted++;   /* changed claims would fail the PCS check */
                gf_gkr_bn254_claims_free(&tc);
            }
            proof.data[i] ^= (uint8_t)(1u << (i % 8));
        }
        CHECK_EQ_U64(accepted, 0);
        gf_gkr_bn254_claims tc;
        CHECK(verify_bytes(&T, proof.data, proof.len - 1, &tc, &err) == GF_ERR_FORMAT);
        CHECK(verify_bytes(&T, proof.data, 0, &tc, &err) == GF_ERR_FORMAT);
        /* a non-canonical element (r itself, big-endian) is rejected as such */
        static const uint8_t R_BE[32] = {0x30, 0x64, 0x4e, 0x72, 0xe1, 0x31, 0xa0, 0x29, 0xb8, 0x50, 0x45, 0xb6, 0x81, 0x81, 0x58, 0x5d,
                                         0x28, 0x33, 0xe8, 0x48, 0x79, 0xb9, 0x70, 0x91, 0x43, 0xe1, 0xf5, 0x93, 0xf0, 0x00, 0x00, 0x01};
        uint8_t save[32];
        memcpy(save, proof.data, 32);
        memcpy(proof.data, R_BE, 32);
        CHECK(verify_bytes(&T, proof.data, proof.len, &tc, &err) == GF_ERR_FORMAT);
        CHECK_MSG(strstr(err.msg, "non-canonical") != NULL, "%s", err.msg);
        memcpy(proof.data, save, 32);
    }
    gf_gkr_bn254_claims_free(&cl);
    gf_buf_free(&proof);
    free_instance(&T);
}

static void test_naive_agreement(gf_rng *rng) {
    run_case(rng, 2, 1, 1, 0, 1, NULL, 1, 0);
    run_case(rng, 3, 2, 1, 1, 1, NULL, 1, 0);
    run_case(rng, 3, 2, 0, 2, 2, NULL, 1, 0);
    run_case(rng, 2, 2, 1, 1, 4, NULL, 1, 0);
    run_case(rng, 4, 1, 1, 1, 2, NULL, 1, 0);
    run_case(rng, 1, 1, 1, 0, 8, NULL, 1, 0);   /* one-wire compute half, in_log 1 */
}

/* Every verifier check is needed: falsify message i, continue honestly -> rejected. */
static void run_cheats(gf_rng *rng, unsigned n, unsigned depth, int input_mul, unsigned out_log, uint64_t N) {
    tinst T = make_tinst(rng, n, depth, input_mul, out_log, N);
    long n_msgs = -1;
    for (long i = 0; n_msgs < 0 || i < n_msgs; i++) {
        gf_transcript t;
        setup_transcript(&t);
        free(draw_coefs(T.c, &t));
        gf_buf np;
        gf_buf_init(&np);
        ncheat ch = {i, 0};
        naive_prove(&T, &t, &np, &ch);
        n_msgs = ch.count;
        gf_error err;
        gf_gkr_bn254_claims cl;
        gf_status st = verify_bytes(&T, np.data, np.len, &cl, &err);
        int accepted = st == GF_OK && claims_match(&T, &cl);
        CHECK_MSG(!accepted, "cheat in message %ld of %ld accepted (n=%u depth=%u N=%llu)", i, n_msgs, n, depth, (unsigned long long)N);
        if (st == GF_OK) gf_gkr_bn254_claims_free(&cl);
        gf_buf_free(&np);
        gf_transcript_free(&t);
    }
    CHECK(n_msgs > 0);
    free_instance(&T);
}

static void test_cheating_prover(gf_rng *rng) {
    run_cheats(rng, 2, 1, 1, 1, 2);
    run_cheats(rng, 2, 2, 1, 0, 4);
    run_cheats(rng, 2, 1, 0, 1, 1);
}

static void test_round_trips(gf_rng *rng) {
    gf_pool *pool = NULL;
    gf_error err;
    REQUIRE(gf_pool_new(&pool, 2, &err) == GF_OK);
    static const uint64_t Ns[] = {1, 2, 4, 16, 64};
    for (int it = 0; it < 25; it++) {
        uint64_t N = Ns[it % 5];
        unsigned n = 1 + (unsigned)gf_rng_below(rng, N >= 16 ? 6 : 8), depth = 1 + (unsigned)gf_rng_below(rng, 4);
        run_case(rng, n, depth, (int)gf_rng_below(rng, 2), (unsigned)gf_rng_below(rng, n), N, it % 2 ? pool : NULL, 0, 0);
    }
    /* big enough that the pool splits every kind of loop */
    run_case(rng, 8, 2, 1, 3, 16, pool, 0, 0);
    run_case(rng, 3, 1, 1, 1, 512, pool, 0, 0);
    gf_pool_free(pool);
}

static void test_tamper(gf_rng *rng) {
    run_case(rng, 2, 1, 1, 1, 2, NULL, 0, 1);
    run_case(rng, 2, 1, 0, 0, 1, NULL, 0, 1);
}

static void test_bad_witness(gf_rng *rng) {
    tinst T = make_tinst(rng, 3, 2, 1, 1, 16);
    T.inst[11][5] = FADD(T.inst[11][5], F1());   /* an expected value: its diff becomes non-zero */
    evaluate_all(&T);
    gf_error err;
    gf_buf proof;
    gf_buf_init(&proof);
    gf_gkr_bn254_claims cl;
    CHECK(prove_fast(&T, NULL, &proof, &cl, &err) == GF_ERR_WITNESS);
    CHECK_MSG(strstr(err.msg, "instance 11") != NULL, "message should name the instance: %s", err.msg);
    gf_buf_free(&proof);
    free_instance(&T);
}

static void test_public_outputs(gf_rng *rng) {
    tinst T = make_tinst(rng, 4, 2, 1, 2, 4);
    for (size_t k = 0; k < T.N; k++) T.inst[k][9] = FRND(rng);   /* breaks the residuals */
    evaluate_all(&T);
    T.public_out = 1;
    gf_error err;
    gf_buf proof;
    gf_buf_init(&proof);
    gf_gkr_bn254_claims cl, vcl;
    REQUIRE(prove_fast(&T, NULL, &proof, &cl, &err) == GF_OK);
    CHECK(claims_match(&T, &cl));
    CHECK(verify_bytes(&T, proof.data, proof.len, &vcl, &err) == GF_OK);
    gf_gkr_bn254_claims_free(&vcl);
    fr *outv = T.vals[T.c->n_layers];
    size_t nout = T.N * gf_testc_width(T.c, T.c->n_layers);
    for (size_t i = 0; i < nout; i++) {
        outv[i] = FADD(outv[i], F1());
        gf_status st = verify_bytes(&T, proof.data, proof.len, &vcl, &err);
        CHECK_MSG(st == GF_ERR_VERIFY || (st == GF_OK && !claims_match(&T, &vcl)), "changed output %zu accepted", i);
        if (st == GF_OK) gf_gkr_bn254_claims_free(&vcl);
        outv[i] = FSUB(outv[i], F1());
    }
    /* the zero-output verifier rejects it too */
    T.public_out = 0;
    CHECK(verify_bytes(&T, proof.data, proof.len, &vcl, &err) == GF_ERR_VERIFY);
    gf_gkr_bn254_claims_free(&cl);
    gf_buf_free(&proof);
    free_instance(&T);
}

/* ---------- circuit proofs ---------- */
static fr *flat_inputs(const tinst *T, uint64_t n) {
    size_t n0 = gf_testc_width(T->c, 0);
    fr *in = malloc(n * n0 * sizeof *in);
    for (uint64_t k = 0; k < n; k++) memcpy(in + k * n0, T->inst[k], n0 * sizeof *in);
    return in;
}

static void test_circuit_proof(gf_rng *rng) {
    gf_error err;
    gf_pool *pool = NULL;
    REQUIRE(gf_pool_new(&pool, 2, &err) == GF_OK);
    tinst T = make_tinst(rng, 3, 2, 1, 1, 8);
    tinst U = make_tinst(rng, 3, 2, 1, 1, 1);   /* another circuit of the same shape */
    const uint64_t n = 5;                       /* padded to 8 */
    fr *in = flat_inputs(&T, n);
    gf_buf p;
    gf_buf_init(&p);
    gf_prove_stats S;
    REQUIRE(gf_circuit_prove_bn254(T.c, in, n, 0, pool, &p, &S, &err) == GF_OK);
    CHECK_EQ_U64(S.proof_bytes, p.len);
    CHECK_EQ_U64(S.opening_bytes, 8 * 8 * 32);
    CHECK_EQ_U64(S.gkr_bytes, gf_gkr_bn254_proof_bytes(T.c, 8));
    uint64_t nv = 0;
    uint32_t flags = 9;
    CHECK_MSG(gf_circuit_verify_bn254(T.c, p.data, p.len, &nv, &flags, &err) == GF_OK, "%s", err.msg);
    CHECK_EQ_U64(nv, n);
    CHECK_EQ_U64(flags, 0);
    /* header: field 2, n, blocks = N */
    CHECK_EQ_U64(gf_get_u32le(p.data + 12), GF_FIELD_BN254);
    CHECK_EQ_U64(gf_get_u64le(p.data + 20), n);
    CHECK_EQ_U64(gf_get_u64le(p.data + 28), 8);
    /* commitment = SHA-256(tag || u64 len || padded inputs, 32-byte BE), raw PCS id 1;
     * the opening at the end is the same bytes */
    {
        size_t vl = 8 * 8, blen = 18 + 8 + 32 * vl;
        uint8_t *bytes = malloc(blen), dig[32];
        memcpy(bytes, "gkrflow/raw-pcs/v1", 18);
        gf_put_u64le(bytes + 18, vl);
        for (size_t k = 0; k < 8; k++)
            for (size_t x = 0; x < 8; x++) gf_bn254fr_to_bytes_be(bytes + 26 + 32 * (8 * k + x), &T.inst[k < n ? k : n - 1][x]);
        REQUIRE(gf_sha256(dig, bytes, blen, &err) == GF_OK);
        CHECK_EQ_U64(gf_get_u32le(p.data + 68), 1);
        CHECK(!memcmp(p.data + 72, dig, 32));
        CHECK(!memcmp(p.data + p.len - 32 * vl, bytes + 26, 32 * vl));
        CHECK_EQ_U64(gf_get_u64le(p.data + p.len - 32 * vl - 8), 32 * vl);
        free(bytes);
    }
    /* deterministic, independent of the pool */
    gf_buf p2;
    gf_buf_init(&p2);
    CHECK(gf_circuit_prove_bn254(T.c, in, n, 0, NULL, &p2, NULL, &err) == GF_OK);
    CHECK(p2.len == p.len && !memcmp(p2.data, p.data, p.len));
    gf_buf_free(&p2);
    /* truncations */
    for (size_t cut = 0; cut < p.len; cut += (cut < 200 ? 1 : 97))
        CHECK_MSG(gf_circuit_verify_bn254(T.c, p.data, cut, NULL, NULL, &err) == GF_ERR_FORMAT, "truncated at %zu: %s", cut, err.msg);
    CHECK(gf_circuit_verify_bn254(T.c, p.data, p.len - 1, NULL, NULL, &err) == GF_ERR_FORMAT);
    /* trailing byte */
    gf_buf_append(&p, "x", 1);
    CHECK(gf_circuit_verify_bn254(T.c, p.data, p.len, NULL, NULL, &err) == GF_ERR_FORMAT);
    p.len--;
    /* a different circuit */
    CHECK(gf_circuit_verify_bn254(U.c, p.data, p.len, NULL, NULL, &err) == GF_ERR_VERIFY);
    CHECK_MSG(strstr(err.msg, "different circuit") != NULL, "%s", err.msg);
    /* the M31 verifier refuses a BN254 circuit */
    CHECK(gf_circuit_verify_m31(T.c, p.data, p.len, NULL, NULL, &err) != GF_OK);
    /* tampering: a stride of bytes over the whole file, each must be rejected */
    size_t rejected = 0, tried = 0;
    for (size_t i = 0; i < p.len; i += 1 + i / 64) {
        p.data[i] ^= 0x10;
        tried++;
        rejected += gf_circuit_verify_bn254(T.c, p.data, p.len, NULL, NULL, &err) != GF_OK;
        p.data[i] ^= 0x10;
    }
    CHECK_EQ_U64(rejected, tried);
    gf_buf_free(&p);

    /* public outputs: non-zero outputs, listed in the proof */
    for (uint64_t k = 0; k < n; k++) in[k * 8 + 4] = FRND(rng);   /* expected values: residuals non-zero */
    CHECK(gf_circuit_prove_bn254(T.c, in, n, 0, NULL, &p, NULL, &err) == GF_ERR_WITNESS);
    gf_buf_free(&p);
    gf_buf_init(&p);
    REQUIRE(gf_circuit_prove_bn254(T.c, in, n, 1, pool, &p, NULL, &err) == GF_OK);
    CHECK_MSG(gf_circuit_verify_bn254(T.c, p.data, p.len, &nv, &flags, &err) == GF_OK, "%s", err.msg);
    CHECK_EQ_U64(flags, GF_PROOF_FLAG_PUBLIC_OUTPUTS);
    size_t out0 = 8 + 4 * 3 + 8 * 2 + 32 + 4 + 32 + 8;   /* first output element */
    uint64_t n_out = gf_get_u64le(p.data + out0 - 8);
    CHECK_EQ_U64(n_out, 8 * 2);
    for (uint64_t i = 0; i < n_out; i++) {
        p.data[out0 + 32 * i + 31] ^= 1;
        CHECK_MSG(gf_circuit_verify_bn254(T.c, p.data, p.len, NULL, NULL, &err) == GF_ERR_VERIFY, "output %llu changed: %s",
                  (unsigned long long)i, err.msg);
        p.data[out0 + 32 * i + 31] ^= 1;
    }
    /* an output made non-canonical */
    p.data[out0] = 0xff;
    CHECK(gf_circuit_verify_bn254(T.c, p.data, p.len, NULL, NULL, &err) == GF_ERR_FORMAT);
    gf_buf_free(&p);

    /* one instance (N = 1, no instance variables) */
    gf_buf_init(&p);
    fr *in1 = flat_inputs(&U, 1);
    REQUIRE(gf_circuit_prove_bn254(U.c, in1, 1, 0, NULL, &p, NULL, &err) == GF_OK);
    CHECK_MSG(gf_circuit_verify_bn254(U.c, p.data, p.len, &nv, NULL, &err) == GF_OK, "%s", err.msg);
    CHECK_EQ_U64(nv, 1);
    CHECK(gf_circuit_verify_bn254(T.c, p.data, p.len, NULL, NULL, &err) == GF_ERR_VERIFY);
    gf_buf_free(&p);
    free(in1);
    free(in);
    free_instance(&U);
    free_instance(&T);
    gf_pool_free(pool);
}

int main(void) {
    TEST_BEGIN();
    RUN(test_mle_helpers);
    RUN(test_naive_agreement);
    RUN(test_cheating_prover);
    RUN(test_round_trips);
    RUN(test_tamper);
    RUN(test_bad_witness);
    RUN(test_public_outputs);
    RUN(test_circuit_proof);
    return TEST_END();
}
