/* GKR prover/verifier tests.
 * - round trips on random layered circuits (mul/add/const/random-coefficient gates, several
 *   depths and widths, K = 1..8 blocks of 16 instances);
 * - a naive prover (brute-force sums of multilinear extensions, written independently of
 *   the fast prover) must produce byte-identical proofs;
 * - every byte of a proof flipped -> rejected; non-zero outputs -> prover refuses. */
#include <stdlib.h>
#include <string.h>
#include "common/util.h"
#include "field/m31ext3x16.h"
#include "gkr/gkr.h"
#include "gkr/mle.h"
#include "gkr_testcircuits.h"
#include "testutil.h"

/* random circuits and the naive evaluator: see gkr_testcircuits.h */

/* A test instance: circuit, coefficients, N = 16K instances, packed layer values. */
typedef struct {
    gf_circuit *c;
    uint64_t K;
    gf_m31 *coefs;
    gf_m31 **inst;      /* inst[k] = instance-major input, 2^n0 values */
    gf_m31x16 **vals;   /* packed, block-major, n_layers + 1 arrays */
    gf_m31 ***sv;       /* sv[k][l][x] scalar values per instance */
    int public_out;     /* prove with public (non-zero) outputs */
} tinst;

/* The input of each instance: random compute wires; expected wires = the instance's f(x). */
static void build_instance(tinst *T, gf_rng *rng) {
    gf_circuit *c = T->c;
    size_t N = 16 * T->K, n0 = gf_testc_width(c, 0), h = n0 / 2;
    unsigned depth = c->n_layers - 2;
    T->inst = calloc(N, sizeof *T->inst);
    T->sv = calloc(N, sizeof *T->sv);
    for (size_t k = 0; k < N; k++) {
        T->inst[k] = calloc(n0, sizeof(gf_m31));
        T->sv[k] = calloc(c->n_layers + 1, sizeof(gf_m31 *));
        for (uint32_t l = 0; l <= c->n_layers; l++) T->sv[k][l] = calloc(gf_testc_width(c, l), sizeof(gf_m31));
        for (size_t x = 0; x < h; x++) T->inst[k][x] = gf_m31_random(rng);
        /* evaluate once with y = 0 to learn f, then set y = f */
        gf_testc_m31_eval(c, T->coefs, T->inst[k], T->sv[k]);
        for (size_t x = 0; x < h; x++) T->inst[k][h + x] = T->sv[k][depth][x];
    }
}

static void evaluate_all(tinst *T) {
    gf_circuit *c = T->c;
    size_t N = 16 * T->K;
    for (size_t k = 0; k < N; k++) gf_testc_m31_eval(c, T->coefs, T->inst[k], T->sv[k]);
    T->vals = calloc(c->n_layers + 1, sizeof *T->vals);
    for (uint32_t l = 0; l <= c->n_layers; l++) {
        size_t sz = gf_testc_width(c, l);
        T->vals[l] = gf_alloc_aligned(T->K * sz, sizeof(gf_m31x16));
        for (size_t k = 0; k < N; k++)
            for (size_t x = 0; x < sz; x++) T->vals[l][(k / 16) * sz + x].v[k % 16] = T->sv[k][l][x];
    }
}

static void free_instance(tinst *T) {
    size_t N = 16 * T->K;
    for (size_t k = 0; k < N; k++) {
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

/* Random coefficients: the circuit's random entries are filled from a transcript. */
static void fill_coefs(tinst *T, gf_transcript *t) {
    gf_circuit *c = T->c;
    T->coefs = malloc((c->n_coefs + 1) * sizeof(gf_m31));
    for (uint32_t i = 0; i < c->n_coefs; i++)
        T->coefs[i] = c->coef_kind[i] == GF_COEF_RANDOM ? gf_transcript_challenge_m31(t) : c->coef_m31[i];
}

/* ---------- naive prover ---------- */
static gf_m31ext3 mle_ext(const gf_m31ext3 *tab, const gf_m31ext3 *pt, unsigned k) {
    gf_m31ext3 acc = gf_m31ext3_zero();
    for (size_t i = 0; i < ((size_t)1 << k); i++) {
        gf_m31ext3 w = gf_m31ext3_one();
        for (unsigned j = 0; j < k; j++)
            w = gf_m31ext3_mul(w, (i >> j) & 1 ? pt[j] : gf_m31ext3_sub(gf_m31ext3_one(), pt[j]));
        acc = gf_m31ext3_add(acc, gf_m31ext3_mul(w, tab[i]));
    }
    return acc;
}

static void nsend(gf_transcript *t, gf_buf *b, const gf_m31ext3 *v, size_t n) {
    gf_transcript_append_m31ext3s(t, v, n);
    for (size_t i = 0; i < n; i++) { uint8_t x[12]; gf_m31ext3_to_bytes(x, v[i]); gf_buf_append(b, x, 12); }
}

static void naive_prove(const tinst *T, gf_transcript *t, gf_buf *proof) {
    const gf_circuit *c = T->c;
    size_t N = 16 * T->K;
    unsigned nsb = 4 + gf_log2_u64(T->K), nmax = 0;
    for (uint32_t l = 0; l < c->n_layers; l++) nmax = c->layers[l].in_log > nmax ? c->layers[l].in_log : nmax;
    size_t M = (size_t)1 << nmax;
    gf_m31ext3 rz0[32], rz1[32], rsb[32], rx[32], ry[32], rsb2[32];
    int has1 = 0;
    gf_transcript_append_label(t, "gkr-output");
    gf_transcript_challenge_m31ext3_vec(t, rz0, c->layers[c->n_layers - 1].out_log);
    gf_transcript_challenge_m31ext3_vec(t, rsb, nsb);
    gf_m31ext3 *Vt = malloc(N * M * sizeof *Vt), *Ht = malloc(N * M * sizeof *Ht), *Z = malloc(M * 4 * sizeof *Z);
    gf_m31ext3 *colV = malloc(M * sizeof *colV), *colH = malloc(M * sizeof *colH);
    gf_m31ext3 *sv = malloc(N * sizeof *sv), *sh = malloc(N * sizeof *sh), *se = malloc(N * sizeof *se);
    for (uint32_t l = c->n_layers; l-- > 0;) {
        const gf_layer *L = &c->layers[l];
        unsigned n = L->in_log, mo = L->out_log;
        size_t m = (size_t)1 << n;
        gf_m31ext3 alpha = gf_m31ext3_zero();
        if (has1) alpha = gf_transcript_challenge_m31ext3(t);
        for (size_t z = 0; z < ((size_t)1 << mo); z++) {
            gf_m31ext3 w0 = gf_m31ext3_one(), w1 = gf_m31ext3_one();
            for (unsigned j = 0; j < mo; j++) {
                w0 = gf_m31ext3_mul(w0, (z >> j) & 1 ? rz0[j] : gf_m31ext3_sub(gf_m31ext3_one(), rz0[j]));
                if (has1) w1 = gf_m31ext3_mul(w1, (z >> j) & 1 ? rz1[j] : gf_m31ext3_sub(gf_m31ext3_one(), rz1[j]));
            }
            Z[z] = has1 ? gf_m31ext3_add(w0, gf_m31ext3_mul(alpha, w1)) : w0;
        }
        /* per instance sb: V(x), HG(x) */
        for (size_t sb = 0; sb < N; sb++) {
            const gf_m31 *v = T->sv[sb][l];
            for (size_t x = 0; x < m; x++) { Vt[sb * M + x] = gf_m31ext3_from_base(v[x]); Ht[sb * M + x] = gf_m31ext3_zero(); }
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
        for (size_t sb = 0; sb < N; sb++) {
            gf_m31ext3 w = gf_m31ext3_one();
            for (unsigned j = 0; j < nsb; j++) w = gf_m31ext3_mul(w, (sb >> j) & 1 ? rsb[j] : gf_m31ext3_sub(gf_m31ext3_one(), rsb[j]));
            esb[sb] = w;
        }
        for (unsigned j = 0; j < n; j++) {
            gf_m31ext3 ev[3];
            for (int tt = 0; tt < 3; tt++) {
                gf_m31ext3 acc = gf_m31ext3_zero();
                for (size_t rest = 0; rest < ((size_t)1 << (n - j - 1)); rest++) {
                    gf_m31ext3 pt[32];
                    for (unsigned q = 0; q < j; q++) pt[q] = rx[q];
                    pt[j] = gf_m31ext3_from_base((gf_m31)tt);
                    for (unsigned q = j + 1; q < n; q++) pt[q] = gf_m31ext3_from_base((rest >> (q - j - 1)) & 1);
                    for (size_t sb = 0; sb < N; sb++)
                        acc = gf_m31ext3_add(acc, gf_m31ext3_mul(esb[sb], gf_m31ext3_mul(mle_ext(Vt + sb * M, pt, n), mle_ext(Ht + sb * M, pt, n))));
                }
                ev[tt] = acc;
            }
            nsend(t, proof, ev, 3);
            rx[j] = gf_transcript_challenge_m31ext3(t);
        }
        for (size_t sb = 0; sb < N; sb++) { sv[sb] = mle_ext(Vt + sb * M, rx, n); sh[sb] = mle_ext(Ht + sb * M, rx, n); se[sb] = esb[sb]; }
        for (unsigned j = 0; j < nsb; j++) {
            gf_m31ext3 ev[4];
            for (int tt = 0; tt < 4; tt++) {
                gf_m31ext3 acc = gf_m31ext3_zero();
                for (size_t rest = 0; rest < ((size_t)1 << (nsb - j - 1)); rest++) {
                    gf_m31ext3 pt[32];
                    for (unsigned q = 0; q < j; q++) pt[q] = rsb2[q];
                    pt[j] = gf_m31ext3_from_base((gf_m31)tt);
                    for (unsigned q = j + 1; q < nsb; q++) pt[q] = gf_m31ext3_from_base((rest >> (q - j - 1)) & 1);
                    acc = gf_m31ext3_add(acc, gf_m31ext3_mul(mle_ext(se, pt, nsb), gf_m31ext3_mul(mle_ext(sv, pt, nsb), mle_ext(sh, pt, nsb))));
                }
                ev[tt] = acc;
            }
            nsend(t, proof, ev, 4);
            rsb2[j] = gf_transcript_challenge_m31ext3(t);
        }
        gf_m31ext3 vx = mle_ext(sv, rsb2, nsb), eqf = mle_ext(se, rsb2, nsb);
        nsend(t, proof, &vx, 1);
        if (L->n_mul) {
            gf_m31ext3 coef2 = gf_m31ext3_mul(eqf, vx);
            /* Vy(y) = sum_sb eq(rsb2, sb) V(y, sb); MZX(y) */
            for (size_t y = 0; y < m; y++) {
                for (size_t sb = 0; sb < N; sb++) sv[sb] = Vt[sb * M + y];
                colV[y] = mle_ext(sv, rsb2, nsb);
                colH[y] = gf_m31ext3_zero();
            }
            for (uint64_t g = 0; g < L->n_mul; g++) {
                const gf_gate_mul *G = &L->mul[g];
                gf_m31ext3 e = gf_m31ext3_one();
                for (unsigned q = 0; q < n; q++) e = gf_m31ext3_mul(e, (G->in0 >> q) & 1 ? rx[q] : gf_m31ext3_sub(gf_m31ext3_one(), rx[q]));
                colH[G->in1] = gf_m31ext3_add(colH[G->in1], gf_m31ext3_mul(gf_m31ext3_mul_base(Z[G->out], T->coefs[G->coef]), e));
            }
            for (unsigned j = 0; j < n; j++) {
                unsigned var = n - 1 - j;
                gf_m31ext3 ev[3];
                for (int tt = 0; tt < 3; tt++) {
                    gf_m31ext3 acc = gf_m31ext3_zero();
                    for (size_t rest = 0; rest < ((size_t)1 << var); rest++) {
                        gf_m31ext3 pt[32];
                        for (unsigned q = 0; q < var; q++) pt[q] = gf_m31ext3_from_base((rest >> q) & 1);
                        pt[var] = gf_m31ext3_from_base((gf_m31)tt);
                        for (unsigned q = var + 1; q < n; q++) pt[q] = ry[q];
                        acc = gf_m31ext3_add(acc, gf_m31ext3_mul(mle_ext(colH, pt, n), mle_ext(colV, pt, n)));
                    }
                    ev[tt] = gf_m31ext3_mul(acc, coef2);
                }
                nsend(t, proof, ev, 3);
                ry[var] = gf_transcript_challenge_m31ext3(t);
            }
            gf_m31ext3 vy = mle_ext(colV, ry, n);
            nsend(t, proof, &vy, 1);
            has1 = 1;
            memcpy(rz1, ry, n * sizeof *ry);
        } else has1 = 0;
        memcpy(rz0, rx, n * sizeof *rx);
        memcpy(rsb, rsb2, nsb * sizeof *rsb);
    }
    free(Vt); free(Ht); free(Z); free(colV); free(colH); free(sv); free(sh); free(se);
}

/* ---------- driver ---------- */
static void setup_transcript(gf_transcript *t) {
    gf_error err;
    if (gf_transcript_init(t, "gkrflow/test-gkr", &err)) { fprintf(stderr, "%s\n", err.msg); abort(); }
    gf_transcript_append_label(t, "commitment-placeholder");
}

/* dense: every compute layer also gets 2^(n+1) extra mul gates (more than wires), so the
 * prover folds a stored HG table from round 1 on instead of gathering it from the gates */
static tinst make_tinst_ex(gf_rng *rng, unsigned n, unsigned depth, int input_mul, unsigned out_log, uint64_t K, int dense) {
    tinst T;
    memset(&T, 0, sizeof T);
    T.c = gf_testc_m31_random(rng, n, depth, input_mul, out_log);
    for (unsigned l = 0; dense && l < depth; l++) {
        uint32_t h = 1u << (n - 1);
        if (l == 0 && !input_mul) continue;
        for (uint32_t g = 0; g < 4 * h; g++)
            gf_testc_push_mul(&T.c->layers[l], (uint32_t)gf_rng_below(rng, h), (uint32_t)gf_rng_below(rng, h), (uint32_t)gf_rng_below(rng, h), 0);
    }
    T.K = K;
    gf_transcript t;
    setup_transcript(&t);
    fill_coefs(&T, &t);
    gf_transcript_free(&t);
    build_instance(&T, rng);
    evaluate_all(&T);
    return T;
}
static tinst make_tinst(gf_rng *rng, unsigned n, unsigned depth, int input_mul, unsigned out_log, uint64_t K) {
    return make_tinst_ex(rng, n, depth, input_mul, out_log, K, 0);
}

static gf_status prove_fast(tinst *T, gf_pool *pool, gf_buf *proof, gf_gkr_claims *cl, gf_error *err) {
    gf_transcript t;
    setup_transcript(&t);
    gf_m31 *dummy = malloc((T->c->n_coefs + 1) * sizeof(gf_m31));
    /* re-draw coefficients from a fresh transcript so the prover's transcript state matches */
    for (uint32_t i = 0; i < T->c->n_coefs; i++)
        dummy[i] = T->c->coef_kind[i] == GF_COEF_RANDOM ? gf_transcript_challenge_m31(&t) : T->c->coef_m31[i];
    free(dummy);
    gf_status st = gf_gkr_m31_prove(T->c, T->coefs, T->vals, T->K, T->public_out, &t, proof, pool, cl, err);
    gf_transcript_free(&t);
    return st;
}

static gf_status verify_bytes(tinst *T, const uint8_t *p, size_t len, gf_gkr_claims *cl, gf_error *err) {
    gf_transcript t;
    setup_transcript(&t);
    gf_m31 *co = malloc((T->c->n_coefs + 1) * sizeof(gf_m31));
    for (uint32_t i = 0; i < T->c->n_coefs; i++)
        co[i] = T->c->coef_kind[i] == GF_COEF_RANDOM ? gf_transcript_challenge_m31(&t) : T->c->coef_m31[i];
    gf_reader r;
    gf_reader_init(&r, p, len);
    gf_status st = gf_gkr_m31_verify(T->c, co, T->K, T->public_out ? (const gf_m31 *)T->vals[T->c->n_layers] : NULL, &t, &r, cl, err);
    if (!st && gf_reader_remaining(&r)) st = gf_error_set(err, GF_ERR_FORMAT, "trailing bytes");
    free(co);
    gf_transcript_free(&t);
    return st;
}

/* input-claim check against the instance data: V_0(point) = value */
static int claims_match(tinst *T, const gf_gkr_claims *cl) {
    size_t n0 = (size_t)1 << T->c->layers[0].in_log, N = 16 * T->K;
    gf_m31 *flat = malloc(N * n0 * sizeof *flat);
    for (size_t k = 0; k < N; k++)
        for (size_t x = 0; x < n0; x++) flat[(k % 16) + 16 * x + 16 * n0 * (k / 16)] = T->inst[k][x];
    int ok = cl->n >= 1;
    for (int i = 0; i < cl->n; i++)
        ok &= gf_m31ext3_eq(gf_mle_eval_m31(flat, cl->c[i].point, cl->c[i].n_vars), cl->c[i].value);
    free(flat);
    return ok;
}

static void run_case_ex(gf_rng *rng, unsigned n, unsigned depth, int input_mul, unsigned out_log, uint64_t K,
                        gf_pool *pool, int naive, int tamper, int dense) {
    tinst T = make_tinst_ex(rng, n, depth, input_mul, out_log, K, dense);
    gf_error err;
    gf_buf proof;
    gf_buf_init(&proof);
    gf_gkr_claims cl;
    gf_status st = prove_fast(&T, pool, &proof, &cl, &err);
    CHECK_MSG(st == GF_OK, "prove n=%u depth=%u K=%llu: %s", n, depth, (unsigned long long)K, err.msg);
    if (st) { gf_buf_free(&proof); free_instance(&T); return; }
    CHECK_EQ_U64(proof.len, gf_gkr_m31_proof_bytes(T.c, K));
    CHECK(claims_match(&T, &cl));
    gf_gkr_claims vcl;
    st = verify_bytes(&T, proof.data, proof.len, &vcl, &err);
    CHECK_MSG(st == GF_OK, "verify n=%u depth=%u K=%llu: %s", n, depth, (unsigned long long)K, err.msg);
    if (!st) {
        CHECK(vcl.n == cl.n);
        for (int i = 0; i < cl.n && i < vcl.n; i++) {
            CHECK(gf_m31ext3_eq(vcl.c[i].value, cl.c[i].value));
            CHECK(!memcmp(vcl.c[i].point, cl.c[i].point, cl.c[i].n_vars * sizeof(gf_m31ext3)));
        }
        gf_gkr_claims_free(&vcl);
    }
    if (naive) {
        gf_transcript t;
        setup_transcript(&t);
        for (uint32_t i = 0; i < T.c->n_coefs; i++) if (T.c->coef_kind[i] == GF_COEF_RANDOM) (void)gf_transcript_challenge_m31(&t);
        gf_buf np;
        gf_buf_init(&np);
        naive_prove(&T, &t, &np);
        CHECK_EQ_U64(np.len, proof.len);
        CHECK_MSG(np.len == proof.len && !memcmp(np.data, proof.data, np.len), "naive prover disagrees (n=%u depth=%u K=%llu)",
                  n, depth, (unsigned long long)K);
        gf_buf_free(&np);
        gf_transcript_free(&t);
    }
    if (tamper) {
        /* every byte flipped: verification must fail (or the claims must change, which the
         * PCS check would catch: count that as rejected too) */
        size_t accepted = 0;
        for (size_t i = 0; i < proof.len; i++) {
            proof.data[i] ^= (uint8_t)(1u << (i % 8));
            gf_gkr_claims tc;
            if (verify_bytes(&T, proof.data, proof.len, &tc, &err) == GF_OK) {
                if (claims_match(&T, &tc)) accepted++;
                gf_gkr_claims_free(&tc);
            }
            proof.data[i] ^= (uint8_t)(1u << (i % 8));
        }
        CHECK_EQ_U64(accepted, 0);
        gf_gkr_claims tc;
        CHECK(verify_bytes(&T, proof.data, proof.len - 1, &tc, &err) == GF_ERR_FORMAT);
    }
    gf_gkr_claims_free(&cl);
    gf_buf_free(&proof);
    free_instance(&T);
}

static void run_case(gf_rng *rng, unsigned n, unsigned depth, int input_mul, unsigned out_log, uint64_t K,
                     gf_pool *pool, int naive, int tamper) {
    run_case_ex(rng, n, depth, input_mul, out_log, K, pool, naive, tamper, 0);
}

static void test_naive_agreement(gf_rng *rng) {
    run_case(rng, 2, 1, 1, 0, 1, NULL, 1, 0);
    run_case(rng, 3, 2, 1, 1, 1, NULL, 1, 0);
    run_case(rng, 3, 2, 0, 2, 2, NULL, 1, 0);
    run_case(rng, 4, 3, 1, 1, 2, NULL, 1, 0);
    run_case(rng, 2, 2, 1, 1, 4, NULL, 1, 0);
    run_case(rng, 6, 2, 1, 2, 1, NULL, 1, 0);   /* phase 2 on packed tables */
    /* dense mul gates: HG folded from a stored table (sparse ones above gather it) */
    run_case_ex(rng, 3, 2, 1, 1, 2, NULL, 1, 0, 1);
    run_case_ex(rng, 5, 2, 1, 2, 1, NULL, 1, 0, 1);
    run_case_ex(rng, 6, 3, 0, 2, 2, NULL, 1, 1, 1);
}

static void test_round_trips(gf_rng *rng) {
    gf_pool *pool = NULL;
    gf_error err;
    REQUIRE(gf_pool_new(&pool, 2, &err) == GF_OK);
    for (int it = 0; it < 12; it++) {
        unsigned n = 1 + (unsigned)gf_rng_below(rng, 9), depth = 1 + (unsigned)gf_rng_below(rng, 5);
        uint64_t K = 1ull << gf_rng_below(rng, 4);
        run_case(rng, n, depth, (int)gf_rng_below(rng, 2), (unsigned)gf_rng_below(rng, n), K, it % 2 ? pool : NULL, 0, 0);
    }
    /* large enough that the pool really splits rounds */
    run_case(rng, 12, 2, 1, 3, 2, pool, 0, 0);
    run_case(rng, 10, 2, 1, 3, 8, pool, 0, 0);
    gf_pool_free(pool);
}

static void test_tamper(gf_rng *rng) {
    run_case(rng, 3, 2, 1, 1, 1, NULL, 0, 1);
    run_case(rng, 2, 1, 0, 0, 2, NULL, 0, 1);
}

static void test_bad_witness(gf_rng *rng) {
    tinst T = make_tinst(rng, 3, 2, 1, 1, 2);
    /* corrupt one expected value of instance 21: the diff for that wire becomes non-zero */
    T.inst[21][4] = gf_m31_add(T.inst[21][4], 1);
    for (uint32_t l = 0; l <= T.c->n_layers; l++) gf_free_aligned(T.vals[l]);
    free(T.vals);
    evaluate_all(&T);
    gf_error err;
    gf_buf proof;
    gf_buf_init(&proof);
    gf_gkr_claims cl;
    gf_status st = prove_fast(&T, NULL, &proof, &cl, &err);
    CHECK(st == GF_ERR_WITNESS);
    CHECK_MSG(strstr(err.msg, "instance 21") != NULL, "message should name the instance: %s", err.msg);
    gf_buf_free(&proof);
    free_instance(&T);
}

/* Public-output mode: outputs need not be zero; the verifier's claim comes from them, so
 * changing any single output value must make verification fail. */
static void test_public_outputs(gf_rng *rng) {
    tinst T = make_tinst(rng, 4, 2, 1, 2, 2);
    for (size_t k = 0; k < 32; k++) T.inst[k][9] = gf_m31_random(rng);   /* breaks the residuals */
    for (uint32_t l = 0; l <= T.c->n_layers; l++) gf_free_aligned(T.vals[l]);
    free(T.vals);
    evaluate_all(&T);
    T.public_out = 1;
    gf_error err;
    gf_buf proof;
    gf_buf_init(&proof);
    gf_gkr_claims cl, vcl;
    REQUIRE(prove_fast(&T, NULL, &proof, &cl, &err) == GF_OK);
    CHECK(claims_match(&T, &cl));
    CHECK(verify_bytes(&T, proof.data, proof.len, &vcl, &err) == GF_OK);
    gf_gkr_claims_free(&vcl);
    gf_m31x16 *outv = T.vals[T.c->n_layers];
    size_t nout = 2 * ((size_t)1 << T.c->layers[T.c->n_layers - 1].out_log);
    for (size_t i = 0; i < nout; i++)
        for (int s = 0; s < 16; s += 5) {
            outv[i].v[s] = gf_m31_add(outv[i].v[s], 1);
            gf_status st = verify_bytes(&T, proof.data, proof.len, &vcl, &err);
            CHECK_MSG(st == GF_ERR_VERIFY || (st == GF_OK && !claims_match(&T, &vcl)), "changed output %zu lane %d accepted", i, s);
            if (st == GF_OK) gf_gkr_claims_free(&vcl);
            outv[i].v[s] = gf_m31_sub(outv[i].v[s], 1);
        }
    gf_gkr_claims_free(&cl);
    gf_buf_free(&proof);
    free_instance(&T);
}

/* Region input: the same statement with layer 0 given as regions (shared, per-instance and a
 * zero gap) must give byte-identical proofs to the packed input. */
static void region_case(gf_rng *rng, unsigned n, unsigned depth, int input_mul, uint64_t K, gf_pool *pool) {
    tinst T = make_tinst(rng, n, depth, input_mul, 1, K);
    size_t N = 16 * K, h = (size_t)1 << (n - 1), q = h / 4;
    /* shared [0, h/2), gap [h/2, h/2 + q), per-instance [h/2 + q, h), expected values [h, 2h) */
    gf_m31 *common = malloc(h / 2 * sizeof *common);
    for (size_t x = 0; x < h / 2; x++) common[x] = gf_m31_random(rng);
    for (size_t k = 0; k < N; k++) {
        for (size_t x = 0; x < h / 2; x++) T.inst[k][x] = common[x];
        for (size_t x = h / 2; x < h / 2 + q; x++) T.inst[k][x] = 0;
        gf_m31 **sv = T.sv[k];
        gf_testc_m31_eval(T.c, T.coefs, T.inst[k], sv);
        for (size_t x = 0; x < h; x++) T.inst[k][h + x] = sv[depth][x];
    }
    for (uint32_t l = 0; l <= T.c->n_layers; l++) gf_free_aligned(T.vals[l]);
    free(T.vals);
    evaluate_all(&T);
    gf_error err;
    gf_buf p1, p2;
    gf_buf_init(&p1);
    gf_buf_init(&p2);
    gf_gkr_claims c1, c2;
    REQUIRE(prove_fast(&T, pool, &p1, &c1, &err) == GF_OK);
    gf_m31x16 *pk1 = gf_alloc_aligned(K * q, sizeof *pk1), *pk2 = gf_alloc_aligned(K * h, sizeof *pk2);
    for (size_t k = 0; k < N; k++) {
        for (size_t x = 0; x < q; x++) pk1[(k / 16) * q + x].v[k % 16] = T.inst[k][h / 2 + q + x];
        for (size_t x = 0; x < h; x++) pk2[(k / 16) * h + x].v[k % 16] = T.inst[k][h + x];
    }
    gf_gkr_region reg[3] = {{0, h / 2, 1, common, NULL}, {h / 2 + q, q, 0, NULL, pk1}, {h, h, 0, NULL, pk2}};
    gf_gkr_m31_prover *G = NULL;
    gf_status st = gf_gkr_m31_prover_new_regions(&G, T.c, K, 3, reg, &err);
    CHECK_MSG(st == GF_OK, "%s", err.msg);
    if (!st) st = gf_gkr_m31_prover_set_regions(G, reg, &err);
    if (!st) {
        gf_transcript t;
        setup_transcript(&t);
        for (uint32_t i = 0; i < T.c->n_coefs; i++) if (T.c->coef_kind[i] == GF_COEF_RANDOM) (void)gf_transcript_challenge_m31(&t);
        gf_m31x16 *keep = T.vals[0];
        T.vals[0] = NULL;   /* the region path must not read it */
        st = gf_gkr_m31_prover_run(G, T.coefs, T.vals, 0, &t, &p2, pool, &c2, &err);
        T.vals[0] = keep;
        gf_transcript_free(&t);
        CHECK_MSG(st == GF_OK, "%s", err.msg);
        CHECK_MSG(p1.len == p2.len && !memcmp(p1.data, p2.data, p1.len), "region proof differs (n=%u depth=%u K=%llu mul=%d)",
                  n, depth, (unsigned long long)K, input_mul);
        if (!st) gf_gkr_claims_free(&c2);
    }
    gf_gkr_m31_prover_free(G);
    /* GF_GKR_ORIENT_SHARED_SECOND gives exactly the proof of the circuit whose layer-0 mul gates
     * reading the shared region first (and something else second) are swapped */
    {
        gf_circuit *oc = gf_circuit_new(GF_FIELD_M31, T.c->n_layers, &err);
        REQUIRE(oc && gf_circuit_alloc_coefs(oc, T.c->n_coefs, &err) == GF_OK);
        memcpy(oc->coef_kind, T.c->coef_kind, T.c->n_coefs);
        memcpy(oc->coef_m31, T.c->coef_m31, T.c->n_coefs * sizeof *oc->coef_m31);
        uint64_t swapped = 0;
        for (uint32_t l = 0; l < T.c->n_layers; l++) {
            const gf_layer *S = &T.c->layers[l];
            REQUIRE(gf_circuit_alloc_layer(oc, l, S->in_log, S->out_log, S->n_mul, S->n_add, S->n_const, &err) == GF_OK);
            gf_layer *D = &oc->layers[l];
            if (S->n_mul) memcpy(D->mul, S->mul, S->n_mul * sizeof *S->mul);
            if (S->n_add) memcpy(D->add, S->add, S->n_add * sizeof *S->add);
            if (S->n_const) memcpy(D->cst, S->cst, S->n_const * sizeof *S->cst);
            for (uint64_t g = 0; l == 0 && g < D->n_mul; g++)
                if (D->mul[g].in0 < h / 2 && D->mul[g].in1 >= h / 2) {
                    uint32_t t = D->mul[g].in0; D->mul[g].in0 = D->mul[g].in1; D->mul[g].in1 = t;
                    swapped++;
                }
        }
        gf_buf p3, p4;
        gf_buf_init(&p3);
        gf_buf_init(&p4);
        for (int which = 0; which < 2; which++) {
            gf_gkr_m31_prover *Q = NULL;
            st = gf_gkr_m31_prover_new_regions_comm(&Q, which ? oc : T.c, K, 3, reg, NULL, which ? 0 : GF_GKR_ORIENT_SHARED_SECOND, &err);
            if (!st) st = gf_gkr_m31_prover_set_regions(Q, reg, &err);
            CHECK_MSG(st == GF_OK, "%s", err.msg);
            gf_transcript t;
            setup_transcript(&t);
            for (uint32_t i = 0; i < T.c->n_coefs; i++) if (T.c->coef_kind[i] == GF_COEF_RANDOM) (void)gf_transcript_challenge_m31(&t);
            gf_gkr_claims c3;
            if (!st) st = gf_gkr_m31_prover_run(Q, T.coefs, T.vals, 0, &t, which ? &p4 : &p3, pool, &c3, &err);
            CHECK_MSG(st == GF_OK, "%s", err.msg);
            if (!st) gf_gkr_claims_free(&c3);
            gf_transcript_free(&t);
            gf_gkr_m31_prover_free(Q);
        }
        CHECK_MSG(p3.len == p4.len && !memcmp(p3.data, p4.data, p3.len), "oriented-by-flag proof differs (%llu gates swapped)",
                  (unsigned long long)swapped);
        /* and differs from the unoriented proof when some gate was swapped */
        if (swapped) CHECK(p3.len != p1.len || memcmp(p3.data, p1.data, p1.len) != 0);
        CHECK(gf_gkr_m31_prover_new_regions_comm(&G, T.c, K, 3, reg, NULL, 2, &err) == GF_ERR_INVALID);
        gf_buf_free(&p3);
        gf_buf_free(&p4);
        gf_circuit_free(oc);
    }
    /* a region that does not fit is refused with a message */
    gf_gkr_region badr[1] = {{1, 2, 1, common, NULL}};
    CHECK(gf_gkr_m31_prover_new_regions(&G, T.c, K, 1, badr, &err) == GF_ERR_INVALID);
    /* overlapping regions (nested, same start, either order) are refused naming both */
    const uint64_t ov[3][4] = {{0, h / 2, h / 4, 2}, {h / 4, 2, 0, h / 2}, {0, 2, 0, 4}};
    for (int i = 0; i < 3; i++) {
        gf_gkr_region two[2] = {{ov[i][0], ov[i][1], 1, common, NULL}, {ov[i][2], ov[i][3], 1, common, NULL}};
        CHECK(gf_gkr_m31_prover_new_regions(&G, T.c, K, 2, two, &err) == GF_ERR_INVALID);
        CHECK_MSG(strstr(err.msg, "input regions 0 and 1 overlap") != NULL, "%s", err.msg);
    }
    /* adjacent regions are fine */
    gf_gkr_region adj[2] = {{0, h / 4, 1, common, NULL}, {h / 4, h / 4, 1, common + h / 4, NULL}};
    CHECK(gf_gkr_m31_prover_new_regions(&G, T.c, K, 2, adj, &err) == GF_OK);
    gf_gkr_m31_prover_free(G);
    G = NULL;
    gf_gkr_claims_free(&c1);
    gf_buf_free(&p1);
    gf_buf_free(&p2);
    gf_free_aligned(pk1);
    gf_free_aligned(pk2);
    free(common);
    free_instance(&T);
}

static void test_regions(gf_rng *rng) {
    gf_pool *pool = NULL;
    gf_error err;
    REQUIRE(gf_pool_new(&pool, 2, &err) == GF_OK);
    for (int it = 0; it < 8; it++) {
        unsigned n = 4 + (unsigned)gf_rng_below(rng, 6), depth = 1 + (unsigned)gf_rng_below(rng, 3);
        uint64_t K = 1ull << gf_rng_below(rng, 3);
        region_case(rng, n, depth, it & 1, K, it & 2 ? pool : NULL);
    }
    gf_pool_free(pool);
}

int main(void) {
    TEST_BEGIN();
    RUN(test_naive_agreement);
    RUN(test_round_trips);
    RUN(test_tamper);
    RUN(test_bad_witness);
    RUN(test_public_outputs);
    RUN(test_regions);
    return TEST_END();
}
