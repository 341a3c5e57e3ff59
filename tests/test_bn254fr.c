/* BN254 Fr against GMP. Elements are converted to and from mpz through the raw Montgomery
 * limbs (value = limbs * R^-1 mod r, computed by GMP), so the reference never goes through
 * the library's own multiplication. */
#include <gmp.h>

#include "field/bn254fr.h"
#include "testutil.h"

static const char *const R_DEC =
    "21888242871839275222246405745257275088548364400416034343698204186575808495617";

typedef struct ref {
    mpz_t r, R, Rinv, tmp;
} ref;

static void ref_init(ref *f) {
    mpz_inits(f->r, f->R, f->Rinv, f->tmp, NULL);
    mpz_set_str(f->r, R_DEC, 10);
    mpz_set_ui(f->R, 1);
    mpz_mul_2exp(f->R, f->R, 256);
    mpz_invert(f->Rinv, f->R, f->r);
    mpz_mod(f->R, f->R, f->r);
}
static void ref_clear(ref *f) { mpz_clears(f->r, f->R, f->Rinv, f->tmp, NULL); }

static void limbs_to_mpz(mpz_t z, const uint64_t l[4]) { mpz_import(z, 4, -1, 8, 0, 0, l); }
static void mpz_to_limbs(uint64_t l[4], const mpz_t z) {
    memset(l, 0, 32);
    if (mpz_sizeinbase(z, 2) <= 256) mpz_export(l, NULL, -1, 8, 0, 0, z);
}
/* true when the raw limbs are < r (the representation invariant) */
static int raw_ok(ref *f, const gf_bn254fr *a) {
    limbs_to_mpz(f->tmp, a->l);
    return mpz_cmp(f->tmp, f->r) < 0;
}
static void el_to_mpz(ref *f, mpz_t z, const gf_bn254fr *a) {
    limbs_to_mpz(z, a->l);
    mpz_mul(z, z, f->Rinv);
    mpz_mod(z, z, f->r);
}
/* z must already be reduced mod r */
static void mpz_to_el(ref *f, gf_bn254fr *a, const mpz_t z) {
    mpz_mul(f->tmp, z, f->R);
    mpz_mod(f->tmp, f->tmp, f->r);
    mpz_to_limbs(a->l, f->tmp);
}

/* Values worth hitting both as canonical integers and as raw Montgomery limbs. */
#define N_EDGE 20
static void edge_value(ref *f, mpz_t z, int i) {
    switch (i) {
    case 0: mpz_set_ui(z, 0); break;
    case 1: mpz_set_ui(z, 1); break;
    case 2: mpz_set_ui(z, 2); break;
    case 3: mpz_sub_ui(z, f->r, 1); break;
    case 4: mpz_sub_ui(z, f->r, 2); break;
    case 5: mpz_set_str(z, "ffffffffffffffff", 16); break;
    case 6: mpz_set_str(z, "10000000000000000", 16); break;
    case 7: mpz_set_ui(z, 1); mpz_mul_2exp(z, z, 128); break;
    case 8: mpz_set_ui(z, 1); mpz_mul_2exp(z, z, 128); mpz_sub_ui(z, z, 1); break;
    case 9: mpz_set_ui(z, 1); mpz_mul_2exp(z, z, 192); break;
    case 10: mpz_set_ui(z, 1); mpz_mul_2exp(z, z, 253); break;
    case 11: mpz_set_ui(z, 1); mpz_mul_2exp(z, z, 253); mpz_sub_ui(z, z, 1); break;
    case 12: mpz_set_ui(z, 1); mpz_mul_2exp(z, z, 254); mpz_sub_ui(z, z, 1); mpz_mod(z, z, f->r); break;
    case 13: mpz_set_ui(z, 1); mpz_mul_2exp(z, z, 254); mpz_mod(z, z, f->r); break;
    case 14: mpz_fdiv_q_2exp(z, f->r, 1); break;                            /* (r-1)/2 */
    case 15: mpz_fdiv_q_2exp(z, f->r, 1); mpz_add_ui(z, z, 1); break;       /* (r+1)/2 */
    case 16: mpz_set(z, f->R); break;                                       /* R mod r */
    case 17: mpz_sub(z, f->r, f->R); break;
    case 18: mpz_set_ui(z, 1); mpz_mul_2exp(z, z, 192); mpz_sub(z, f->r, z); break;
    default: mpz_set_str(z, "30644e72e131a029000000000000000000000000000000000000000000000000", 16); break;
    }
}

/* Test inputs: edge values as canonical integers, the same values as raw Montgomery limbs,
 * then random elements. */
static void pick(ref *f, gf_rng *rng, gf_bn254fr *a, int i) {
    mpz_t z;
    mpz_init(z);
    if (i < N_EDGE) {
        edge_value(f, z, i);
        mpz_to_el(f, a, z);
    } else if (i < 2 * N_EDGE) {
        edge_value(f, z, i - N_EDGE);
        mpz_to_limbs(a->l, z);
    } else {
        gf_bn254fr_random(a, rng);
    }
    mpz_clear(z);
}

static void check_el(ref *f, const gf_bn254fr *got, const mpz_t want, const char *what, int i, int j) {
    mpz_t g;
    mpz_init(g);
    int ok = raw_ok(f, got);
    CHECK_MSG(ok, "%s(%d,%d): result not fully reduced", what, i, j);
    el_to_mpz(f, g, got);
    CHECK_MSG(mpz_cmp(g, want) == 0, "%s(%d,%d) mismatch", what, i, j);
    mpz_clear(g);
}

static void test_constants(gf_rng *rng) {
    (void)rng;
    ref f; ref_init(&f);
    mpz_t z; mpz_init(z);
    gf_bn254fr a;
    gf_bn254fr_zero(&a);
    CHECK(gf_bn254fr_is_zero(&a));
    gf_bn254fr_one(&a);
    mpz_set_ui(z, 1);
    check_el(&f, &a, z, "one", 0, 0);
    CHECK(!gf_bn254fr_is_zero(&a));
    uint64_t xs[] = { 0, 1, 2, 3, 0xffffffffull, 0x8000000000000000ull, ~0ull };
    for (int i = 0; i < 7; i++) {
        gf_bn254fr_from_u64(&a, xs[i]);
        mpz_import(z, 1, -1, 8, 0, 0, &xs[i]);
        check_el(&f, &a, z, "from_u64", i, 0);
    }
    CHECK(strcmp(gf_bn254fr_backend(), "adx") == 0 || strcmp(gf_bn254fr_backend(), "int128") == 0);
    fprintf(stderr, "     backend: %s\n", gf_bn254fr_backend());
    mpz_clear(z); ref_clear(&f);
}

/* add/sub/neg/dbl/mul/sqr on all edge pairs and random pairs, each backend checked directly. */
static void test_arith(gf_rng *rng) {
    ref f; ref_init(&f);
    mpz_t x, y, w; mpz_inits(x, y, w, NULL);
    const int n = 2 * N_EDGE + 60;
    for (int i = 0; i < n; i++) {
        for (int j = 0; j < n; j++) {
            gf_bn254fr a, b, c;
            pick(&f, rng, &a, i);
            pick(&f, rng, &b, j);
            el_to_mpz(&f, x, &a);
            el_to_mpz(&f, y, &b);

            mpz_add(w, x, y); mpz_mod(w, w, f.r);
            gf_bn254fr_add(&c, &a, &b);
            check_el(&f, &c, w, "add", i, j);
            gf_bn254fr_add_c(&c, &a, &b);
            check_el(&f, &c, w, "add_c", i, j);
#ifdef GF_BN254FR_HAVE_X86
            gf_bn254fr_add_x86(&c, &a, &b);
            check_el(&f, &c, w, "add_x86", i, j);
#endif
            c = a; gf_bn254fr_add(&c, &c, &b); check_el(&f, &c, w, "add_alias1", i, j);
            c = b; gf_bn254fr_add(&c, &a, &c); check_el(&f, &c, w, "add_alias2", i, j);

            mpz_sub(w, x, y); mpz_mod(w, w, f.r);
            gf_bn254fr_sub(&c, &a, &b);
            check_el(&f, &c, w, "sub", i, j);
            gf_bn254fr_sub_c(&c, &a, &b);
            check_el(&f, &c, w, "sub_c", i, j);
#ifdef GF_BN254FR_HAVE_X86
            gf_bn254fr_sub_x86(&c, &a, &b);
            check_el(&f, &c, w, "sub_x86", i, j);
#endif
            c = b; gf_bn254fr_sub(&c, &a, &c); check_el(&f, &c, w, "sub_alias2", i, j);

            mpz_mul(w, x, y); mpz_mod(w, w, f.r);
            gf_bn254fr_mul(&c, &a, &b);
            check_el(&f, &c, w, "mul", i, j);
            gf_bn254fr_mul_int128(&c, &a, &b);
            check_el(&f, &c, w, "mul_int128", i, j);
#ifdef GF_BN254FR_HAVE_ADX
            gf_bn254fr_mul_adx(&c, &a, &b);
            check_el(&f, &c, w, "mul_adx", i, j);
#endif
            /* aliasing: out == first input, out == second input */
            c = a; gf_bn254fr_mul(&c, &c, &b); check_el(&f, &c, w, "mul_alias1", i, j);
            c = b; gf_bn254fr_mul(&c, &a, &c); check_el(&f, &c, w, "mul_alias2", i, j);
            c = a; gf_bn254fr_sub(&c, &c, &b);
            mpz_sub(w, x, y); mpz_mod(w, w, f.r);
            check_el(&f, &c, w, "sub_alias", i, j);
        }
        gf_bn254fr a, c;
        pick(&f, rng, &a, i);
        el_to_mpz(&f, x, &a);
        mpz_mul(w, x, x); mpz_mod(w, w, f.r);
        gf_bn254fr_sqr(&c, &a);
        check_el(&f, &c, w, "sqr", i, 0);
        gf_bn254fr_sqr_int128(&c, &a);
        check_el(&f, &c, w, "sqr_int128", i, 0);
#ifdef GF_BN254FR_HAVE_ADX
        gf_bn254fr_sqr_adx(&c, &a);
        check_el(&f, &c, w, "sqr_adx", i, 0);
#endif
        c = a; gf_bn254fr_sqr(&c, &c); check_el(&f, &c, w, "sqr_alias", i, 0);
        mpz_neg(w, x); mpz_mod(w, w, f.r);
        gf_bn254fr_neg(&c, &a);
        check_el(&f, &c, w, "neg", i, 0);
        gf_bn254fr_neg_c(&c, &a);
        check_el(&f, &c, w, "neg_c", i, 0);
#ifdef GF_BN254FR_HAVE_X86
        gf_bn254fr_neg_x86(&c, &a);
        check_el(&f, &c, w, "neg_x86", i, 0);
#endif
        c = a; gf_bn254fr_neg(&c, &c); check_el(&f, &c, w, "neg_alias", i, 0);
        gf_bn254fr_dbl(&c, &a);
        mpz_add(w, x, x); mpz_mod(w, w, f.r);
        check_el(&f, &c, w, "dbl", i, 0);
        c = a; gf_bn254fr_dbl(&c, &c); check_el(&f, &c, w, "dbl_alias", i, 0);
        CHECK(gf_bn254fr_eq(&a, &a));
        CHECK_EQ_U64(gf_bn254fr_is_zero(&a), mpz_sgn(x) == 0);
    }
    /* many random products (cheap; covers carries the grid above might miss) */
    for (int k = 0; k < 20000; k++) {
        gf_bn254fr a, b, c;
        gf_bn254fr_random(&a, rng);
        gf_bn254fr_random(&b, rng);
        /* bias some limbs towards all-ones / zero to stress carries */
        if (k % 4 == 1) { a.l[0] = ~0ull; a.l[1] = ~0ull; }
        if (k % 4 == 2) { b.l[1] = 0; b.l[2] = ~0ull; }
        if (!raw_ok(&f, &a) || !raw_ok(&f, &b)) continue;
        el_to_mpz(&f, x, &a);
        el_to_mpz(&f, y, &b);
        mpz_mul(w, x, y); mpz_mod(w, w, f.r);
        gf_bn254fr_mul_int128(&c, &a, &b);
        check_el(&f, &c, w, "mul_int128_rand", k, 0);
#ifdef GF_BN254FR_HAVE_ADX
        gf_bn254fr_mul_adx(&c, &a, &b);
        check_el(&f, &c, w, "mul_adx_rand", k, 0);
#endif
        mpz_mul(w, x, x); mpz_mod(w, w, f.r);
        gf_bn254fr_sqr_int128(&c, &a);
        check_el(&f, &c, w, "sqr_int128_rand", k, 0);
#ifdef GF_BN254FR_HAVE_ADX
        gf_bn254fr_sqr_adx(&c, &a);
        check_el(&f, &c, w, "sqr_adx_rand", k, 0);
#endif
    }
    /* eq is exact */
    gf_bn254fr a, b;
    gf_bn254fr_random(&a, rng);
    for (int limb = 0; limb < 4; limb++) {
        b = a; b.l[limb] ^= 1;
        CHECK(!gf_bn254fr_eq(&a, &b));
    }
    mpz_clears(x, y, w, NULL); ref_clear(&f);
}

static void test_inv(gf_rng *rng) {
    ref f; ref_init(&f);
    mpz_t x, w; mpz_inits(x, w, NULL);
    gf_bn254fr a, c, one;
    gf_bn254fr_one(&one);
    gf_bn254fr_zero(&a);
    gf_bn254fr_inv(&c, &a);
    CHECK(gf_bn254fr_is_zero(&c));
    for (int i = 0; i < 2 * N_EDGE + 200; i++) {
        pick(&f, rng, &a, i);
        el_to_mpz(&f, x, &a);
        if (mpz_sgn(x) == 0) continue;
        mpz_invert(w, x, f.r);
        gf_bn254fr_inv(&c, &a);
        check_el(&f, &c, w, "inv", i, 0);
        gf_bn254fr_mul(&c, &c, &a);
        CHECK(gf_bn254fr_eq(&c, &one));
        c = a; gf_bn254fr_inv(&c, &c);
        check_el(&f, &c, w, "inv_alias", i, 0);
    }
    mpz_clears(x, w, NULL); ref_clear(&f);
}

static void test_pow(gf_rng *rng) {
    ref f; ref_init(&f);
    mpz_t x, w, e; mpz_inits(x, w, e, NULL);
    gf_bn254fr a, c;
    for (int i = 0; i < 2 * N_EDGE + 40; i++) {
        pick(&f, rng, &a, i);
        el_to_mpz(&f, x, &a);
        uint64_t es[] = { 0, 1, 2, 3, 15, 16, 17, 0x8000000000000000ull, ~0ull, gf_rng_u64(rng), gf_rng_u64(rng) >> 40 };
        for (int k = 0; k < (int)(sizeof es / sizeof es[0]); k++) {
            mpz_import(e, 1, -1, 8, 0, 0, &es[k]);
            mpz_powm(w, x, e, f.r);
            gf_bn254fr_pow(&c, &a, es[k]);
            check_el(&f, &c, w, "pow", i, k);
        }
        uint64_t e4[4];
        for (int k = 0; k < 6; k++) {
            if (k == 0) { e4[0] = e4[1] = e4[2] = e4[3] = ~0ull; }
            else if (k == 1) { e4[0] = e4[1] = e4[2] = e4[3] = 0; }
            else if (k == 2) { e4[0] = 0; e4[1] = 0; e4[2] = 0; e4[3] = 1ull << 63; }
            else for (int l = 0; l < 4; l++) e4[l] = gf_rng_u64(rng);
            limbs_to_mpz(e, e4);
            mpz_powm(w, x, e, f.r);
            gf_bn254fr_pow_u256(&c, &a, e4);
            check_el(&f, &c, w, "pow_u256", i, k);
        }
        c = a; gf_bn254fr_pow(&c, &c, 12345);
        mpz_powm_ui(w, x, 12345, f.r);
        check_el(&f, &c, w, "pow_alias", i, 0);
    }
    mpz_clears(x, w, e, NULL); ref_clear(&f);
}

static void test_canonical_and_bytes(gf_rng *rng) {
    ref f; ref_init(&f);
    mpz_t x, z; mpz_inits(x, z, NULL);
    for (int i = 0; i < 2 * N_EDGE + 200; i++) {
        gf_bn254fr a, b;
        pick(&f, rng, &a, i);
        el_to_mpz(&f, x, &a);
        uint64_t can[4], want[4];
        mpz_to_limbs(want, x);
        gf_bn254fr_to_canonical(can, &a);
        CHECK_MSG(memcmp(can, want, 32) == 0, "to_canonical %d", i);
        memset(&b, 0xa5, sizeof b);
        CHECK(gf_bn254fr_from_canonical(&b, want) == 0);
        CHECK_MSG(gf_bn254fr_eq(&a, &b), "from_canonical %d", i);

        uint8_t le[32], be[32], wle[32];
        memset(wle, 0, 32);
        mpz_export(wle, NULL, -1, 1, 0, 0, x);
        gf_bn254fr_to_bytes_le(le, &a);
        gf_bn254fr_to_bytes_be(be, &a);
        CHECK_MSG(memcmp(le, wle, 32) == 0, "to_bytes_le %d", i);
        int rev = 1;
        for (int k = 0; k < 32; k++) rev &= be[k] == le[31 - k];
        CHECK_MSG(rev, "to_bytes_be %d", i);
        memset(&b, 0x5a, sizeof b);
        CHECK(gf_bn254fr_from_bytes_le(&b, le) == 0);
        CHECK_MSG(gf_bn254fr_eq(&a, &b), "le round trip %d", i);
        memset(&b, 0x5a, sizeof b);
        CHECK(gf_bn254fr_from_bytes_be(&b, be) == 0);
        CHECK_MSG(gf_bn254fr_eq(&a, &b), "be round trip %d", i);
    }
    /* non-canonical values are rejected and leave the output untouched */
    for (int k = 0; k < 7; k++) {
        switch (k) {
        case 0: mpz_set(z, f.r); break;
        case 1: mpz_add_ui(z, f.r, 1); break;
        case 2: mpz_set_ui(z, 1); mpz_mul_2exp(z, z, 256); mpz_sub_ui(z, z, 1); break;
        case 3: mpz_set_ui(z, 1); mpz_mul_2exp(z, z, 254); break;
        case 4: mpz_set_ui(z, 1); mpz_mul_2exp(z, z, 255); break;
        case 5: mpz_mul_ui(z, f.r, 2); break;
        default: mpz_add_ui(z, f.r, (unsigned long)(gf_rng_u64(rng) >> 1)); break;
        }
        uint8_t le[32], be[32];
        memset(le, 0, 32);
        mpz_export(le, NULL, -1, 1, 0, 0, z);
        for (int i = 0; i < 32; i++) be[i] = le[31 - i];
        uint64_t limbs[4];
        mpz_to_limbs(limbs, z);
        gf_bn254fr b, sentinel;
        memset(&sentinel, 0xa5, sizeof sentinel);
        b = sentinel;
        CHECK_MSG(gf_bn254fr_from_bytes_le(&b, le) == -1, "le accepted non-canonical %d", k);
        CHECK(memcmp(&b, &sentinel, sizeof b) == 0);
        CHECK_MSG(gf_bn254fr_from_bytes_be(&b, be) == -1, "be accepted non-canonical %d", k);
        CHECK(memcmp(&b, &sentinel, sizeof b) == 0);
        CHECK_MSG(gf_bn254fr_from_canonical(&b, limbs) == -1, "from_canonical accepted %d", k);
        CHECK(memcmp(&b, &sentinel, sizeof b) == 0);
    }
    /* known answer: 1 is 00..01 big-endian, r-1 is 30644e..f0000000 */
    gf_bn254fr a;
    uint8_t be[32];
    gf_bn254fr_one(&a);
    gf_bn254fr_to_bytes_be(be, &a);
    CHECK(be[31] == 1 && be[0] == 0);
    gf_bn254fr_neg(&a, &a);
    gf_bn254fr_to_bytes_be(be, &a);
    CHECK(be[0] == 0x30 && be[1] == 0x64 && be[31] == 0x00 && be[28] == 0xf0);
    mpz_clears(x, z, NULL); ref_clear(&f);
}

static void test_from_uniform64(gf_rng *rng) {
    ref f; ref_init(&f);
    mpz_t x, w; mpz_inits(x, w, NULL);
    for (int i = 0; i < 2000; i++) {
        uint8_t in[64];
        memset(in, 0, 64);
        if (i == 0) memset(in, 0xff, 64);
        else if (i == 1) { /* all zero */ }
        else if (i == 2) mpz_export(in, NULL, -1, 1, 0, 0, f.r);
        else if (i == 3) mpz_export(in + 32, NULL, -1, 1, 0, 0, f.r);
        else if (i < 4 + 4 * N_EDGE) {
            /* lo or hi half set to an edge integer, or to edge + r (>= r: needs reduction) */
            int k = i - 4;
            edge_value(&f, x, k % N_EDGE);
            if ((k / N_EDGE) & 1) mpz_add(x, x, f.r);
            mpz_export(in + (k < 2 * N_EDGE ? 0 : 32), NULL, -1, 1, 0, 0, x);
        } else for (int k = 0; k < 64; k++) in[k] = (uint8_t)gf_rng_u32(rng);
        mpz_import(w, 64, -1, 1, 0, 0, in);
        mpz_mod(w, w, f.r);
        gf_bn254fr a;
        gf_bn254fr_from_uniform64(&a, in);
        check_el(&f, &a, w, "from_uniform64", i, 0);
    }
    mpz_clears(x, w, NULL); ref_clear(&f);
}

static void test_properties(gf_rng *rng) {
    ref f; ref_init(&f);
    gf_bn254fr one, zero;
    gf_bn254fr_one(&one);
    gf_bn254fr_zero(&zero);
    uint64_t rm1[4] = { GF_BN254FR_R0 - 1, GF_BN254FR_R1, GF_BN254FR_R2, GF_BN254FR_R3 };
    uint64_t rr[4] = { GF_BN254FR_R0, GF_BN254FR_R1, GF_BN254FR_R2, GF_BN254FR_R3 };
    for (int i = 0; i < 300; i++) {
        gf_bn254fr a, b, c, s, t, u;
        pick(&f, rng, &a, (i * 7) % (2 * N_EDGE + 50));
        gf_bn254fr_random(&b, rng);
        gf_bn254fr_random(&c, rng);
        /* (ab)c = a(bc), ab = ba */
        gf_bn254fr_mul(&s, &a, &b); gf_bn254fr_mul(&s, &s, &c);
        gf_bn254fr_mul(&t, &b, &c); gf_bn254fr_mul(&t, &a, &t);
        CHECK(gf_bn254fr_eq(&s, &t));
        gf_bn254fr_mul(&s, &a, &b); gf_bn254fr_mul(&t, &b, &a);
        CHECK(gf_bn254fr_eq(&s, &t));
        /* a(b+c) = ab + ac */
        gf_bn254fr_add(&s, &b, &c); gf_bn254fr_mul(&s, &a, &s);
        gf_bn254fr_mul(&t, &a, &b); gf_bn254fr_mul(&u, &a, &c); gf_bn254fr_add(&t, &t, &u);
        CHECK(gf_bn254fr_eq(&s, &t));
        /* (a+b)+c = a+(b+c); a - b + b = a; a + (-a) = 0 */
        gf_bn254fr_add(&s, &a, &b); gf_bn254fr_add(&s, &s, &c);
        gf_bn254fr_add(&t, &b, &c); gf_bn254fr_add(&t, &a, &t);
        CHECK(gf_bn254fr_eq(&s, &t));
        gf_bn254fr_sub(&s, &a, &b); gf_bn254fr_add(&s, &s, &b);
        CHECK(gf_bn254fr_eq(&s, &a));
        gf_bn254fr_neg(&s, &a); gf_bn254fr_add(&s, &s, &a);
        CHECK(gf_bn254fr_is_zero(&s));
        /* a*1 = a, a*0 = 0, a^2 = a*a */
        gf_bn254fr_mul(&s, &a, &one); CHECK(gf_bn254fr_eq(&s, &a));
        gf_bn254fr_mul(&s, &a, &zero); CHECK(gf_bn254fr_is_zero(&s));
        gf_bn254fr_sqr(&s, &a); gf_bn254fr_mul(&t, &a, &a); CHECK(gf_bn254fr_eq(&s, &t));
        if (i < 40) {
            /* Fermat: a^(r-1) = 1 for a != 0, a^r = a */
            gf_bn254fr_pow_u256(&s, &a, rm1);
            if (gf_bn254fr_is_zero(&a)) CHECK(gf_bn254fr_is_zero(&s));
            else CHECK(gf_bn254fr_eq(&s, &one));
            gf_bn254fr_pow_u256(&s, &a, rr);
            CHECK(gf_bn254fr_eq(&s, &a));
            /* (ab)^-1 = a^-1 b^-1 */
            gf_bn254fr_mul(&s, &a, &b); gf_bn254fr_inv(&s, &s);
            gf_bn254fr_inv(&t, &a); gf_bn254fr_inv(&u, &b); gf_bn254fr_mul(&t, &t, &u);
            CHECK(gf_bn254fr_eq(&s, &t));
        }
    }
    ref_clear(&f);
}

static void test_random(gf_rng *rng) {
    ref f; ref_init(&f);
    /* canonical top limb of uniform elements averages r3/2; every element is reduced */
    const int n = 4000;
    double sum = 0;
    int bad = 0, dup = 0;
    gf_bn254fr prev;
    gf_bn254fr_zero(&prev);
    for (int i = 0; i < n; i++) {
        gf_bn254fr a;
        gf_bn254fr_random(&a, rng);
        if (!raw_ok(&f, &a)) bad++;
        if (gf_bn254fr_eq(&a, &prev)) dup++;
        prev = a;
        uint64_t c[4];
        gf_bn254fr_to_canonical(c, &a);
        sum += (double)c[3];
    }
    CHECK_EQ_U64(bad, 0);
    CHECK_EQ_U64(dup, 0);
    double mean = sum / n, want = (double)GF_BN254FR_R3 / 2;
    CHECK_MSG(mean > 0.95 * want && mean < 1.05 * want, "mean top limb %g vs %g", mean, want);
    ref_clear(&f);
}

int main(void) {
    TEST_BEGIN();
    RUN(test_constants);
    RUN(test_arith);
    RUN(test_inv);
    RUN(test_pow);
    RUN(test_canonical_and_bytes);
    RUN(test_from_uniform64);
    RUN(test_properties);
    RUN(test_random);
    return TEST_END();
}
