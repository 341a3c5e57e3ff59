/* BN254 Fr: the non-inline operations (exponentiation, inversion, encodings). */
#include "field/bn254fr.h"

#include <string.h>

static const uint64_t gf_bn254fr_modulus_[4] = { GF_BN254FR_R0, GF_BN254FR_R1, GF_BN254FR_R2, GF_BN254FR_R3 };
/* R^3 mod r: a Montgomery multiplication by it turns x into x * R^2 (see from_uniform64). */
static const gf_bn254fr gf_bn254fr_rrr_ = {{
    0x5e94d8e1b4bf0040ull, 0x2a489cbe1cfbb6b8ull, 0x893cc664a19fcfedull, 0x0cf8594b7fcc657cull }};
/* r - 2, the Fermat inversion exponent */
static const uint64_t gf_bn254fr_r_minus_2_[4] = {
    GF_BN254FR_R0 - 2, GF_BN254FR_R1, GF_BN254FR_R2, GF_BN254FR_R3 };

const char *gf_bn254fr_backend(void) {
#ifdef GF_BN254FR_USE_ADX
    return "adx";
#else
    return "int128";
#endif
}

/* x < r as 256-bit integers */
static int gf_bn254fr_lt_modulus_(const uint64_t x[4]) {
    for (int i = 3; i >= 0; i--) {
        if (x[i] != gf_bn254fr_modulus_[i]) return x[i] < gf_bn254fr_modulus_[i];
    }
    return 0;
}

/* x -= r, ignoring the final borrow (callers ensure x >= r) */
static void gf_bn254fr_sub_modulus_(uint64_t x[4]) {
    unsigned char borrow = 0;
    for (int i = 0; i < 4; i++) {
        uint64_t d;
        unsigned char b1 = __builtin_sub_overflow(x[i], gf_bn254fr_modulus_[i], &d);
        unsigned char b2 = __builtin_sub_overflow(d, (uint64_t)borrow, &x[i]);
        borrow = b1 | b2;
    }
}

/* Any 256-bit integer mod r: 2^256 < 6r, so at most five subtractions. */
static void gf_bn254fr_reduce256_(uint64_t x[4]) {
    while (!gf_bn254fr_lt_modulus_(x)) gf_bn254fr_sub_modulus_(x);
}

/* Montgomery form of a canonical integer x < r. */
static void gf_bn254fr_enter_(gf_bn254fr *out, const uint64_t x[4]) {
    static const gf_bn254fr rr = GF_BN254FR_RR_INIT;
    gf_bn254fr t = {{ x[0], x[1], x[2], x[3] }};
    gf_bn254fr_mul(out, &t, &rr);
}

int gf_bn254fr_from_canonical(gf_bn254fr *out, const uint64_t in[4]) {
    if (!gf_bn254fr_lt_modulus_(in)) return -1;
    gf_bn254fr_enter_(out, in);
    return 0;
}

void gf_bn254fr_to_canonical(uint64_t out[4], const gf_bn254fr *a) {
    static const gf_bn254fr unit = {{ 1, 0, 0, 0 }};   /* the integer 1: mul by it divides by R */
    gf_bn254fr t;
    gf_bn254fr_mul(&t, a, &unit);
    memcpy(out, t.l, sizeof t.l);
}

int gf_bn254fr_from_bytes_le(gf_bn254fr *out, const uint8_t in[32]) {
    uint64_t x[4];
    for (int i = 0; i < 4; i++) {
        uint64_t v = 0;
        for (int j = 7; j >= 0; j--) v = (v << 8) | in[8 * i + j];
        x[i] = v;
    }
    return gf_bn254fr_from_canonical(out, x);
}

void gf_bn254fr_to_bytes_le(uint8_t out[32], const gf_bn254fr *a) {
    uint64_t x[4];
    gf_bn254fr_to_canonical(x, a);
    for (int i = 0; i < 4; i++)
        for (int j = 0; j < 8; j++) out[8 * i + j] = (uint8_t)(x[i] >> (8 * j));
}

int gf_bn254fr_from_bytes_be(gf_bn254fr *out, const uint8_t in[32]) {
    uint8_t le[32];
    for (int i = 0; i < 32; i++) le[i] = in[31 - i];
    return gf_bn254fr_from_bytes_le(out, le);
}

void gf_bn254fr_to_bytes_be(uint8_t out[32], const gf_bn254fr *a) {
    uint8_t le[32];
    gf_bn254fr_to_bytes_le(le, a);
    for (int i = 0; i < 32; i++) out[i] = le[31 - i];
}

void gf_bn254fr_from_uniform64(gf_bn254fr *out, const uint8_t in[64]) {
    /* in = lo + hi * 2^256; Montgomery form is lo*R + hi*R^2 (mod r) */
    static const gf_bn254fr rr = GF_BN254FR_RR_INIT;
    uint64_t lo[4], hi[4];
    for (int i = 0; i < 4; i++) {
        uint64_t v = 0, w = 0;
        for (int j = 7; j >= 0; j--) {
            v = (v << 8) | in[8 * i + j];
            w = (w << 8) | in[32 + 8 * i + j];
        }
        lo[i] = v;
        hi[i] = w;
    }
    gf_bn254fr_reduce256_(lo);
    gf_bn254fr_reduce256_(hi);
    gf_bn254fr a = {{ lo[0], lo[1], lo[2], lo[3] }}, b = {{ hi[0], hi[1], hi[2], hi[3] }};
    gf_bn254fr_mul(&a, &a, &rr);
    gf_bn254fr_mul(&b, &b, &gf_bn254fr_rrr_);
    gf_bn254fr_add(out, &a, &b);
}

void gf_bn254fr_random(gf_bn254fr *out, gf_rng *rng) {
    /* Uniform canonical x < r read directly as a Montgomery form: x -> x/R is a bijection,
     * so the element is uniform too. Top limb masked to 62 bits: acceptance r/2^254 ~ 0.76. */
    uint64_t x[4];
    do {
        x[0] = gf_rng_u64(rng);
        x[1] = gf_rng_u64(rng);
        x[2] = gf_rng_u64(rng);
        x[3] = gf_rng_u64(rng) >> 2;
    } while (!gf_bn254fr_lt_modulus_(x));
    memcpy(out->l, x, sizeof x);
}

void gf_bn254fr_pow(gf_bn254fr *out, const gf_bn254fr *a, uint64_t e) {
    uint64_t ee[4] = { e, 0, 0, 0 };
    gf_bn254fr_pow_u256(out, a, ee);
}

void gf_bn254fr_pow_u256(gf_bn254fr *out, const gf_bn254fr *a, const uint64_t e[4]) {
    /* Left-to-right sliding window of up to 4 bits over odd powers a, a^3, ..., a^15. */
    gf_bn254fr odd[8], a2, acc;
    odd[0] = *a;
    gf_bn254fr_sqr(&a2, a);
    for (int i = 1; i < 8; i++) gf_bn254fr_mul(&odd[i], &odd[i - 1], &a2);
    gf_bn254fr_one(&acc);
    int i = 255;
    while (i >= 0 && !((e[i >> 6] >> (i & 63)) & 1)) i--;
    int started = 0;
    while (i >= 0) {
        if (!((e[i >> 6] >> (i & 63)) & 1)) {
            gf_bn254fr_sqr(&acc, &acc);
            i--;
            continue;
        }
        /* window [i .. lo] ending in a set bit, at most 4 bits wide */
        int lo = i - 3 < 0 ? 0 : i - 3;
        while (!((e[lo >> 6] >> (lo & 63)) & 1)) lo++;
        unsigned w = 0;
        for (int j = i; j >= lo; j--) w = (w << 1) | (unsigned)((e[j >> 6] >> (j & 63)) & 1);
        if (started) {
            for (int j = i; j >= lo; j--) gf_bn254fr_sqr(&acc, &acc);
            gf_bn254fr_mul(&acc, &acc, &odd[w >> 1]);
        } else {
            acc = odd[w >> 1];
            started = 1;
        }
        i = lo - 1;
    }
    *out = acc;
}

void gf_bn254fr_inv(gf_bn254fr *out, const gf_bn254fr *a) {
    /* Fermat: a^(r-2); 0 maps to 0 by itself. */
    gf_bn254fr_pow_u256(out, a, gf_bn254fr_r_minus_2_);
}
