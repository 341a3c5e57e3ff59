/* M31, M31Ext3 and their 16-lane packings.
 * References: plain u64 `%` arithmetic for M31, and schoolbook polynomial multiplication with
 * `%` followed by x^3 = 5 for M31Ext3, both written here. Every packed backend this CPU runs
 * (scalar, AVX2, AVX-512) is compared lane by lane with the (reference-checked) scalar field,
 * on random lanes mixed with edge values. */
#include <stdalign.h>
#include <stddef.h>
#include "common/util.h"
#include "field/m31ext3x16.h"
#include "testutil.h"
#include "test_m31_backend.h"

#define P ((uint64_t)GF_M31_P)

static const uint64_t edge_u64[] = {
    0, 1, 2, P - 2, P - 1, P, P + 1, 2 * P - 1, 2 * P, 2 * P + 1, 0x7ffffffeull /* 2^31-2 */,
    0x80000000ull, 0xfffffffeull, 0xffffffffull /* 2^32-1 */, 0x100000000ull, (P - 1) * (P - 1),
    P * P, 0x3fffffffffffffffull, 0x7fffffffffffffffull, 0x8000000000000000ull,
    0xfffffffffffffffeull, 0xffffffffffffffffull /* 2^64-1 */
};
#define N_EDGE64 (sizeof edge_u64 / sizeof edge_u64[0])
/* canonical edge values */
static const gf_m31 edge[] = {0, 1, 2, 3, 5, GF_M31_P - 1, GF_M31_P - 2, GF_M31_P - 5, 1u << 30,
                              (1u << 30) - 1, (1u << 30) + 1, 0x55555555u, 0x2aaaaaaau, 65535, 65536};
#define N_EDGE (sizeof edge / sizeof edge[0])

static gf_m31 pick(gf_rng *rng) {   /* canonical, edge values 1 time in 4 */
    return (gf_rng_u32(rng) & 3) == 0 ? edge[gf_rng_below(rng, N_EDGE)] : gf_m31_random(rng);
}

/* ---------------------------------------------------------------- scalar M31 vs u64 % */

static void check_m31_pair(uint64_t a, uint64_t b) {
    gf_m31 x = (gf_m31)a, y = (gf_m31)b;
    CHECK_EQ_U64(gf_m31_add(x, y), (a + b) % P);
    CHECK_EQ_U64(gf_m31_sub(x, y), (a + P - b) % P);
    CHECK_EQ_U64(gf_m31_mul(x, y), (a * b) % P);
    CHECK_EQ_U64(gf_m31_neg(x), (P - a) % P);
    CHECK_EQ_U64(gf_m31_dbl(x), (2 * a) % P);
    CHECK_EQ_U64(gf_m31_sqr(x), (a * a) % P);
}

static void test_m31_reduce(gf_rng *rng) {
    for (size_t i = 0; i < N_EDGE64; i++) {
        uint64_t x = edge_u64[i];
        CHECK_EQ_U64(gf_m31_from_u64(x), x % P);
        if (x <= 0xffffffffull) CHECK_EQ_U64(gf_m31_from_u32((uint32_t)x), x % P);
    }
    CHECK_EQ_U64(gf_m31_from_u32(GF_M31_P), 0);
    CHECK_EQ_U64(gf_m31_from_u32(0xffffffffu), 1);              /* 2^32 - 1 = 2p + 1 */
    CHECK_EQ_U64(gf_m31_from_u64(0xffffffffffffffffull), 3);     /* 2^64 = 4 mod p */
    for (int i = 0; i < 20000; i++) {
        uint64_t x = gf_rng_u64(rng);
        uint32_t y = gf_rng_u32(rng);
        CHECK_EQ_U64(gf_m31_from_u64(x), x % P);
        CHECK_EQ_U64(gf_m31_from_u32(y), y % P);
        CHECK_EQ_U64(gf_m31_to_u32(gf_m31_from_u32(y)), y % P);
    }
    /* random() is canonical and not degenerate */
    uint32_t seen_or = 0, seen_and = 0xffffffffu;
    for (int i = 0; i < 1000; i++) {
        gf_m31 r = gf_m31_random(rng);
        CHECK(r < GF_M31_P);
        seen_or |= r; seen_and &= r;
    }
    CHECK_EQ_U64(seen_or, GF_M31_P);
    CHECK_EQ_U64(seen_and, 0);
}

static void test_m31_arith(gf_rng *rng) {
    for (size_t i = 0; i < N_EDGE; i++)
        for (size_t j = 0; j < N_EDGE; j++) check_m31_pair(edge[i], edge[j]);
    for (int i = 0; i < 50000; i++) check_m31_pair(pick(rng), pick(rng));
}

static void test_m31_properties(gf_rng *rng) {
    for (int i = 0; i < 5000; i++) {
        gf_m31 a = pick(rng), b = pick(rng), c = pick(rng);
        CHECK(gf_m31_add(a, b) == gf_m31_add(b, a));
        CHECK(gf_m31_mul(a, b) == gf_m31_mul(b, a));
        CHECK(gf_m31_add(gf_m31_add(a, b), c) == gf_m31_add(a, gf_m31_add(b, c)));
        CHECK(gf_m31_mul(gf_m31_mul(a, b), c) == gf_m31_mul(a, gf_m31_mul(b, c)));
        CHECK(gf_m31_mul(a, gf_m31_add(b, c)) == gf_m31_add(gf_m31_mul(a, b), gf_m31_mul(a, c)));
        CHECK(gf_m31_sub(gf_m31_add(a, b), b) == a);
        CHECK(gf_m31_add(a, gf_m31_neg(a)) == 0);
        CHECK(gf_m31_mul(a, 1) == a && gf_m31_mul(a, 0) == 0 && gf_m31_add(a, 0) == a);
    }
    CHECK(gf_m31_inv(0) == 0);
    CHECK(gf_m31_inv(1) == 1);
    CHECK(gf_m31_inv(GF_M31_P - 1) == GF_M31_P - 1);
    for (int i = 0; i < 300; i++) {
        gf_m31 a = pick(rng);
        if (a == 0) continue;
        gf_m31 ai = gf_m31_inv(a);
        CHECK_EQ_U64(((uint64_t)a * ai) % P, 1);
        CHECK_EQ_U64(gf_m31_pow(a, GF_M31_P - 1), 1);            /* Fermat */
        CHECK_EQ_U64(gf_m31_pow(a, GF_M31_P), a);
        CHECK_EQ_U64(gf_m31_pow(a, (uint64_t)GF_M31_P * 5 + 3), gf_m31_pow(a, 8));   /* e mod (p-1) */
    }
    for (int i = 0; i < 50; i++) {
        gf_m31 a = pick(rng);
        uint64_t acc = 1;
        for (uint64_t e = 0; e < 70; e++) {
            CHECK_EQ_U64(gf_m31_pow(a, e), acc);
            acc = acc * a % P;
        }
    }
    CHECK_EQ_U64(gf_m31_pow(0, 0), 1);
    CHECK_EQ_U64(gf_m31_pow(0, 5), 0);
    /* 7 is a generator of F_p^*: 7^((p-1)/q) != 1 for every prime q | p-1 = 2*3^2*7*11*31*151*331 */
    const uint64_t qs[] = {2, 3, 7, 11, 31, 151, 331};
    for (int i = 0; i < 7; i++) CHECK(gf_m31_pow(7, (P - 1) / qs[i]) != 1);
}

/* ---------------------------------------------------------------- M31Ext3 vs naive polynomials */

static gf_m31ext3 naive_ext_mul(gf_m31ext3 a, gf_m31ext3 b) {
    uint64_t d[5] = {0, 0, 0, 0, 0};
    for (int i = 0; i < 3; i++)
        for (int j = 0; j < 3; j++) d[i + j] = (d[i + j] + (uint64_t)a.c[i] * b.c[j] % P) % P;
    gf_m31ext3 r;   /* x^3 = 5, x^4 = 5x */
    r.c[0] = (gf_m31)((d[0] + 5 * d[3]) % P);
    r.c[1] = (gf_m31)((d[1] + 5 * d[4]) % P);
    r.c[2] = (gf_m31)d[2];
    return r;
}
static gf_m31ext3 pick_ext(gf_rng *rng) {
    gf_m31ext3 r = {{pick(rng), pick(rng), pick(rng)}};
    return r;
}
static int ext_eq_u64(gf_m31ext3 a, uint64_t c0, uint64_t c1, uint64_t c2) {
    return a.c[0] == c0 && a.c[1] == c1 && a.c[2] == c2;
}

static void test_m31ext3_arith(gf_rng *rng) {
    /* x * x^2 = 5 and x^2 * x^2 = 5x */
    gf_m31ext3 x = {{0, 1, 0}}, x2 = {{0, 0, 1}};
    CHECK(ext_eq_u64(gf_m31ext3_mul(x, x2), 5, 0, 0));
    CHECK(ext_eq_u64(gf_m31ext3_mul(x2, x2), 0, 5, 0));
    CHECK(ext_eq_u64(gf_m31ext3_sqr(x), 0, 0, 1));
    for (int i = 0; i < 20000; i++) {
        gf_m31ext3 a = pick_ext(rng), b = pick_ext(rng);
        if (i < 64) {   /* all-extreme limbs */
            for (int k = 0; k < 3; k++) {
                a.c[k] = (i >> k) & 1 ? GF_M31_P - 1 : 0;
                b.c[k] = (i >> (k + 3)) & 1 ? GF_M31_P - 1 : 1;
            }
        }
        gf_m31ext3 m = naive_ext_mul(a, b);
        CHECK(gf_m31ext3_eq(gf_m31ext3_mul(a, b), m));
        gf_m31ext3_const kb = gf_m31ext3_const_prep(b);
        CHECK(gf_m31ext3_eq(gf_m31ext3_mul_const(a, &kb), m));
        CHECK(gf_m31ext3_eq(gf_m31ext3_sqr(a), naive_ext_mul(a, a)));
        CHECK(ext_eq_u64(gf_m31ext3_add(a, b), (a.c[0] + (uint64_t)b.c[0]) % P, (a.c[1] + (uint64_t)b.c[1]) % P,
                         (a.c[2] + (uint64_t)b.c[2]) % P));
        CHECK(ext_eq_u64(gf_m31ext3_sub(a, b), (a.c[0] + P - b.c[0]) % P, (a.c[1] + P - b.c[1]) % P,
                         (a.c[2] + P - b.c[2]) % P));
        CHECK(ext_eq_u64(gf_m31ext3_neg(a), (P - a.c[0]) % P, (P - a.c[1]) % P, (P - a.c[2]) % P));
        gf_m31ext3 bb = gf_m31ext3_from_base(b.c[0]);
        CHECK(gf_m31ext3_eq(gf_m31ext3_mul_base(a, b.c[0]), naive_ext_mul(a, bb)));
    }
    CHECK(gf_m31ext3_is_zero(gf_m31ext3_zero()));
    CHECK(ext_eq_u64(gf_m31ext3_one(), 1, 0, 0));
}

static void test_m31ext3_inv_pow(gf_rng *rng) {
    CHECK(gf_m31ext3_is_zero(gf_m31ext3_inv(gf_m31ext3_zero())));
    CHECK(gf_m31ext3_eq(gf_m31ext3_inv(gf_m31ext3_one()), gf_m31ext3_one()));
    for (int i = 0; i < 300; i++) {
        gf_m31ext3 a = pick_ext(rng);
        if (i < 8) { a.c[0] = i & 1 ? 7 : 0; a.c[1] = i & 2 ? GF_M31_P - 1 : 0; a.c[2] = i & 4 ? 1 : 0; }
        if (gf_m31ext3_is_zero(a)) continue;
        CHECK(gf_m31ext3_eq(naive_ext_mul(a, gf_m31ext3_inv(a)), gf_m31ext3_one()));
        /* Frobenius has order 3: a^(p^3) = a */
        gf_m31ext3 f = gf_m31ext3_pow(gf_m31ext3_pow(gf_m31ext3_pow(a, P), P), P);
        CHECK(gf_m31ext3_eq(f, a));
        /* the norm a^(1+p+p^2) lies in F_p */
        gf_m31ext3 n = naive_ext_mul(naive_ext_mul(a, gf_m31ext3_pow(a, P)), gf_m31ext3_pow(a, P * P));
        CHECK(n.c[1] == 0 && n.c[2] == 0 && n.c[0] != 0);
    }
    for (int i = 0; i < 20; i++) {
        gf_m31ext3 a = pick_ext(rng), acc = gf_m31ext3_one();
        for (uint64_t e = 0; e < 40; e++) {
            CHECK(gf_m31ext3_eq(gf_m31ext3_pow(a, e), acc));
            acc = naive_ext_mul(acc, a);
        }
    }
    for (int i = 0; i < 100; i++) {   /* encoding */
        gf_m31ext3 a = pick_ext(rng), b;
        uint8_t buf[12];
        gf_m31ext3_to_bytes(buf, a);
        CHECK(buf[0] == (a.c[0] & 0xff) && buf[4] == (a.c[1] & 0xff) && buf[11] == (a.c[2] >> 24));
        CHECK(gf_m31ext3_from_bytes(&b, buf) == 0 && gf_m31ext3_eq(a, b));
        buf[4 * (i % 3) + 3] |= 0x80;   /* limb >= 2^31 */
        CHECK(gf_m31ext3_from_bytes(&b, buf) == -1);
        gf_put_u32le(buf + 4 * (i % 3), GF_M31_P);
        CHECK(gf_m31ext3_from_bytes(&b, buf) == -1);
    }
}

/* ---------------------------------------------------------------- packed backends */


static void apply_generic(int op, uint32_t *r, const uint32_t *const *in) { GF_TEST_M31_APPLY_BODY(_generic) }

static gf_m31ext3 lane_ext(const uint32_t *x, int j) {
    gf_m31ext3 e = {{x[j], x[16 + j], x[32 + j]}};
    return e;
}
static void put_ext(uint32_t *r, int j, gf_m31ext3 e) {
    for (int k = 0; k < 3; k++) r[16 * k + j] = e.c[k];
}

/* Lane-wise reference, from the scalar field (itself checked against `%` above). */
static void apply_ref(int op, uint32_t *r, const uint32_t *const *in) {
    memset(r, 0, 48 * sizeof *r);
    const uint32_t *a = in[0], *b = in[1], *c = in[2];
    gf_m31ext3 s0 = lane_ext(in[0], 0), s1 = lane_ext(in[1], 0), hs = gf_m31ext3_zero();
    uint64_t sum = 0;
    for (int j = 0; j < 16; j++) {
        gf_m31ext3 ea = lane_ext(a, j), eb = lane_ext(b, j);
        switch (op) {
        case T16_ADD: r[j] = gf_m31_add(a[j], b[j]); break;
        case T16_SUB: r[j] = gf_m31_sub(a[j], b[j]); break;
        case T16_NEG: r[j] = gf_m31_neg(a[j]); break;
        case T16_DBL: r[j] = gf_m31_dbl(a[j]); break;
        case T16_MUL5: r[j] = gf_m31_mul(a[j], 5); break;
        case T16_MUL: r[j] = gf_m31_mul(a[j], b[j]); break;
        case T16_SQR: r[j] = gf_m31_sqr(a[j]); break;
        case T16_MUL_SCALAR: r[j] = gf_m31_mul(a[j], b[0]); break;
        case T16_BROADCAST: r[j] = a[0]; break;
        case T16_ZERO: r[j] = 0; break;
        case T16_LOAD_REDUCE: r[j] = (uint32_t)(a[j] % P); break;
        case T16_MUL_ADD: r[j] = gf_m31_add(gf_m31_mul(a[j], b[j]), c[j]); break;
        case T16_DOT3:
            r[j] = gf_m31_add(gf_m31_add(gf_m31_mul(a[j], b[j]), gf_m31_mul(c[j], in[3][j])), gf_m31_mul(in[4][j], in[5][j]));
            break;
        case T16_HSUM: sum += a[j]; break;
        case T16_EQ: r[0] = memcmp(a, b, 16 * sizeof *a) == 0; break;
        case T16_WIDE: {
            gf_m31 acc = 0;
            for (int k = 0; k < 10; k++) {
                const uint32_t *q[6];
                for (int u = 0; u < 6; u++) q[u] = in[(k + u) % 6];
                acc = gf_m31_add(acc, gf_m31_add(gf_m31_add(gf_m31_mul(q[0][j], q[1][j]), gf_m31_mul(q[2][j], q[3][j])),
                                                 gf_m31_add(gf_m31_mul(q[4][j], q[5][j]), gf_m31_mul(q[0][j], q[3][j]))));
            }
            r[j] = acc;
        } break;
        case T16_DOT16: {   /* term by term in the base field */
            gf_m31 acc = 0;
            for (int k = 0; k < 16; k++) acc = gf_m31_add(acc, gf_m31_mul(in[k % 6][j], in[(k + 3) % 6][16 + k]));
            r[j] = acc;
        } break;
        case T16_CHAIN: {
            gf_m31 acc = a[j];
            for (int k = 0; k < 64; k++) {
                acc = gf_m31_add(gf_m31_mul(acc, b[j]), c[j]);
                acc = gf_m31_sub(gf_m31_mul(acc, acc), gf_m31_neg(in[3][j]));
                acc = gf_m31_add(gf_m31_add(gf_m31_mul(acc, in[4][j]), gf_m31_mul(gf_m31_mul(acc, 5), in[5][j])),
                                 gf_m31_mul(b[j], acc));
            }
            r[j] = acc;
        } break;
        case TX_ADD: put_ext(r, j, gf_m31ext3_add(ea, eb)); break;
        case TX_SUB: put_ext(r, j, gf_m31ext3_sub(ea, eb)); break;
        case TX_NEG: put_ext(r, j, gf_m31ext3_neg(ea)); break;
        case TX_MUL: put_ext(r, j, gf_m31ext3_mul(ea, eb)); break;
        case TX_SQR: put_ext(r, j, gf_m31ext3_sqr(ea)); break;
        case TX_MUL_ADD: put_ext(r, j, gf_m31ext3_add(gf_m31ext3_mul(ea, eb), ea)); break;
        case TX_SCALE: put_ext(r, j, gf_m31ext3_mul(ea, s1)); break;
        case TX_MUL_BASE: put_ext(r, j, gf_m31ext3_mul_base(ea, b[j])); break;
        case TX_EXT_TIMES_BASE: put_ext(r, j, gf_m31ext3_mul_base(s0, b[j])); break;
        case TX_ADD_BASE: put_ext(r, j, gf_m31ext3_add(ea, gf_m31ext3_from_base(b[j]))); break;
        case TX_BROADCAST: put_ext(r, j, s0); break;
        case TX_FROM_BASE: put_ext(r, j, gf_m31ext3_from_base(a[j])); break;
        case TX_HSUM: hs = gf_m31ext3_add(hs, ea); break;
        case TX_EQ: r[0] = memcmp(a, b, 48 * sizeof *a) == 0; break;
        default: break;
        }
    }
    if (op == T16_HSUM) r[0] = (uint32_t)(sum % P);
    if (op == TX_HSUM) for (int k = 0; k < 3; k++) r[k] = hs.c[k];
}

static const char *const op_names[T_NOPS] = {
    "add", "sub", "neg", "dbl", "mul5", "mul", "sqr", "mul_scalar", "broadcast", "zero", "load_reduce",
    "mul_add", "dot3", "hsum", "eq", "chain", "dot16", "wide", "ext.add", "ext.sub", "ext.neg", "ext.mul", "ext.sqr",
    "ext.mul_add", "ext.scale", "ext.mul_base", "ext.ext_times_base", "ext.add_base", "ext.broadcast",
    "ext.from_base", "ext.hsum", "ext.eq"};

static uint32_t pick_u32(gf_rng *rng) {   /* any uint32, often near multiples of p */
    static const uint32_t e[] = {0, 1, GF_M31_P - 1, GF_M31_P, GF_M31_P + 1, 0x80000000u,
                                 0xfffffffdu, 0xfffffffeu /* 2p */, 0xffffffffu};
    return (gf_rng_u32(rng) & 1) ? e[gf_rng_below(rng, sizeof e / sizeof e[0])] : gf_rng_u32(rng);
}

/* Runs every op on `fn` and on the reference with random inputs (edge lanes mixed in, and some
 * all-edge vectors), requiring identical output words. */
static void check_backend(gf_rng *rng, const char *name, gf_test_m31_apply_fn fn) {
    alignas(64) uint32_t in[6][48], got[48], want[48];
    const uint32_t *inp[6] = {in[0], in[1], in[2], in[3], in[4], in[5]};
    int reported = 0;
    for (int op = 0; op < T_NOPS; op++) {
        int iters = op == T16_CHAIN ? 30 : 400;
        for (int it = 0; it < iters; it++) {
            for (int i = 0; i < 6; i++)
                for (int j = 0; j < 48; j++) {
                    if (it < (int)N_EDGE) in[i][j] = edge[(it + i) % N_EDGE];   /* all-edge vectors */
                    else in[i][j] = op == T16_LOAD_REDUCE ? pick_u32(rng) : pick(rng);
                }
            if ((op == T16_EQ || op == TX_EQ) && (it & 1)) {
                memcpy(in[1], in[0], sizeof in[0]);
                if (it & 2) {   /* differ in exactly one word */
                    int j = (int)gf_rng_below(rng, op == T16_EQ ? 16 : 48);
                    in[1][j] = gf_m31_add(in[1][j], 1 + (gf_m31)gf_rng_below(rng, GF_M31_P - 1));
                }
            }
            memset(got, 0xa5, sizeof got);
            fn(op, got, inp);
            apply_ref(op, want, inp);
            int n = op < TX_ADD ? 16 : 48;
            for (int j = 0; j < n; j++) {
                if (got[j] != want[j]) {
                    CHECK_MSG(got[j] == want[j], "%s %s iter %d word %d: got %u want %u (in0 %u in1 %u)", name,
                              op_names[op], it, j, got[j], want[j], in[0][j], in[1][j]);
                    if (++reported > 20) return;
                    break;
                }
            }
        }
    }
}

static void test_m31x16_scalar_backend(gf_rng *rng) { check_backend(rng, "scalar", apply_generic); }

/* The wide accumulator at its documented limit: 2^22 adds of three products of p - 1 and
 * 2^22 of one (each the largest a lane can receive) stay exact on the default backend. */
static void test_m31x16_wide_long(gf_rng *rng) {
    (void)rng;
    const gf_m31x16 m = gf_m31x16_broadcast(GF_M31_P - 1);
    gf_m31x16w w = gf_m31x16w_zero();
    const uint64_t n = 1u << 22;
    for (uint64_t i = 0; i < n; i++) { gf_m31x16w_add_dot3(&w, m, m, m, m, m, m); gf_m31x16w_add_mul(&w, m, m); }
    /* (p-1)^2 = 1, so the sum is 4 n mod p */
    gf_m31x16 r = gf_m31x16w_reduce(w);
    for (int j = 0; j < 16; j++) CHECK_EQ_U64(r.v[j], (4 * n) % GF_M31_P);
}

static void test_m31x16_avx2_backend(gf_rng *rng) {
#if defined(__x86_64__)
    if (!__builtin_cpu_supports("avx2")) SKIP("CPU has no AVX2: AVX2 backend not tested");
    CHECK(strcmp(gf_test_m31_backend_avx2(), "avx2") == 0);
    check_backend(rng, "avx2", gf_test_m31_apply_avx2);
#else
    (void)rng; SKIP("not x86-64: AVX2 backend not tested");
#endif
}

static void test_m31x16_avx512_backend(gf_rng *rng) {
#if defined(__x86_64__)
    if (!__builtin_cpu_supports("avx512f")) SKIP("CPU has no AVX-512F: AVX-512 backend not tested");
    CHECK(strcmp(gf_test_m31_backend_avx512(), "avx512") == 0);
    check_backend(rng, "avx512", gf_test_m31_apply_avx512);
#else
    (void)rng; SKIP("not x86-64: AVX-512 backend not tested");
#endif
}

/* The unsuffixed API (this build's default backend), layout and lane access. */
static void test_m31x16_default(gf_rng *rng) {
    CHECK(sizeof(gf_m31x16) == 64 && alignof(gf_m31x16) == 64 && offsetof(gf_m31x16, v) == 0);
    CHECK(sizeof(gf_m31ext3x16) == 192);
    const char *want =
#if defined(GKRFLOW_FORCE_SCALAR) || !defined(__x86_64__)
        "scalar";
#elif defined(__AVX512F__) && !defined(GKRFLOW_FORCE_AVX2)
        "avx512";
#elif defined(__AVX2__)
        "avx2";
#else
        "scalar";
#endif
    CHECK_MSG(strcmp(gf_m31x16_backend(), want) == 0, "backend %s, expected %s", gf_m31x16_backend(), want);
    fprintf(stderr, "     default M31x16 backend: %s\n", gf_m31x16_backend());
    for (int it = 0; it < 300; it++) {
        alignas(64) uint32_t a[16], b[16], c[16], out[16];
        for (int j = 0; j < 16; j++) { a[j] = pick(rng); b[j] = pick(rng); c[j] = pick(rng); }
        gf_m31x16 x = gf_m31x16_load(a), y = gf_m31x16_load(b), z = gf_m31x16_load(c);
        gf_m31 s = pick(rng);
        for (int j = 0; j < 16; j++) CHECK(x.v[j] == a[j]);
        gf_m31x16 m = gf_m31x16_mul(x, y), ad = gf_m31x16_add(x, y), sb = gf_m31x16_sub(x, y), ng = gf_m31x16_neg(x);
        gf_m31x16 ms = gf_m31x16_mul_scalar(x, s), bc = gf_m31x16_broadcast(s), zr = gf_m31x16_zero();
        gf_m31x16 ma = gf_m31x16_mul_add(x, y, z), d3 = gf_m31x16_dot3(x, y, y, z, z, x);
        gf_m31x16 db = gf_m31x16_dbl(x), sq = gf_m31x16_sqr(x), m5 = gf_m31x16_mul5(x);
        uint64_t sum = 0;
        for (int j = 0; j < 16; j++) {
            CHECK(m.v[j] == gf_m31_mul(a[j], b[j]));
            CHECK(ad.v[j] == gf_m31_add(a[j], b[j]));
            CHECK(sb.v[j] == gf_m31_sub(a[j], b[j]));
            CHECK(ng.v[j] == gf_m31_neg(a[j]));
            CHECK(ms.v[j] == gf_m31_mul(a[j], s));
            CHECK(bc.v[j] == s && zr.v[j] == 0);
            CHECK(ma.v[j] == gf_m31_add(gf_m31_mul(a[j], b[j]), c[j]));
            CHECK(d3.v[j] == gf_m31_add(gf_m31_add(gf_m31_mul(a[j], b[j]), gf_m31_mul(b[j], c[j])), gf_m31_mul(c[j], a[j])));
            CHECK(db.v[j] == gf_m31_dbl(a[j]) && sq.v[j] == gf_m31_sqr(a[j]) && m5.v[j] == gf_m31_mul(a[j], 5));
            sum += a[j];
        }
        CHECK(gf_m31x16_hsum(x) == sum % P);
        CHECK(gf_m31x16_eq(x, x) && !gf_m31x16_eq(x, gf_m31x16_add(x, gf_m31x16_broadcast(1))));
        gf_m31x16_store(out, m);
        CHECK(memcmp(out, m.v, sizeof out) == 0);
        x.v[it & 15] = s;   /* lane writes are seen by the vector ops */
        CHECK(gf_m31x16_mul(x, gf_m31x16_broadcast(1)).v[it & 15] == s);
        uint32_t raw[16];
        for (int j = 0; j < 16; j++) raw[j] = pick_u32(rng);
        gf_m31x16 rr = gf_m31x16_load_reduce(raw);
        for (int j = 0; j < 16; j++) CHECK(rr.v[j] == raw[j] % P);
    }
    /* M31Ext3x16 lane accessors */
    gf_m31ext3x16 e = gf_m31ext3x16_zero();
    gf_m31ext3 lanes[16];
    for (int j = 0; j < 16; j++) { lanes[j] = pick_ext(rng); gf_m31ext3x16_set_lane(&e, j, lanes[j]); }
    for (int j = 0; j < 16; j++) {
        CHECK(gf_m31ext3_eq(gf_m31ext3x16_lane(&e, j), lanes[j]));
        CHECK(e.c[1].v[j] == lanes[j].c[1]);
    }
}

/* M31Ext3x16 on the default backend through the shared checks (also run per ISA part above). */
/* transpose16 (the library's backend) against the index definition; twice = identity */
static void test_m31x16_transpose(gf_rng *rng) {
    for (int it = 0; it < 50; it++) {
        gf_m31x16 r[16], o[16];
        for (int j = 0; j < 16; j++)
            for (int s = 0; s < 16; s++) r[j].v[s] = o[j].v[s] = gf_m31_random(rng);
        gf_m31x16_transpose16(r);
        int bad = 0;
        for (int j = 0; j < 16; j++)
            for (int s = 0; s < 16; s++) bad += r[s].v[j] != o[j].v[s];
        CHECK_EQ_U64(bad, 0);
        gf_m31x16_transpose16(r);
        for (int j = 0; j < 16; j++) CHECK(gf_m31x16_eq(r[j], o[j]));
    }
}

static void test_m31ext3x16_default(gf_rng *rng) {
    /* apply_generic's ext ops use this translation unit's default backend */
    check_backend(rng, gf_m31x16_backend(), apply_generic);
}

int main(void) {
    TEST_BEGIN();
    RUN(test_m31_reduce);
    RUN(test_m31_arith);
    RUN(test_m31_properties);
    RUN(test_m31ext3_arith);
    RUN(test_m31ext3_inv_pow);
    RUN(test_m31x16_default);
    RUN(test_m31x16_scalar_backend);
    RUN(test_m31x16_wide_long);
    RUN(test_m31x16_avx2_backend);
    RUN(test_m31x16_avx512_backend);
    RUN(test_m31ext3x16_default);
    RUN(test_m31x16_transpose);
    return TEST_END();
}
