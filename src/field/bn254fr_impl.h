#ifndef GF_FIELD_BN254FR_IMPL_H
#define GF_FIELD_BN254FR_IMPL_H
/* Inline arithmetic for gf_bn254fr (included by bn254fr.h only).
 *
 * Montgomery multiplication is CIOS with the "no final carry" shortcut: it is valid because
 * r's top limb 0x30644e72e131a029 is below (2^64-1)/2 - 1, which keeps every intermediate
 * t < 2r < 2^255 and the running top word free of a 257th bit (see Gnark's "Faster Montgomery
 * multiplication" note). Inputs must be < r; the result is < 2r before one conditional
 * subtraction. The same bound (2r < 2^256) lets add skip the carry out of the top limb.
 *
 * Two implementations: portable C (always compiled: add_c, sub_c, neg_c, mul_int128,
 * sqr_int128) and x86-64 inline asm (bn254fr_x86.h: add_x86, sub_x86, neg_x86, and
 * mul_adx/sqr_adx when the compiler targets ADX and BMI2). The un-suffixed functions use the
 * asm unless GKRFLOW_BN254_NO_ASM or GKRFLOW_FORCE_SCALAR is defined, so the scalar CI build
 * exercises the portable path end to end; the tests also call every variant directly. */
#include <stdint.h>

#define GF_BN254FR_R0 0x43e1f593f0000001ull
#define GF_BN254FR_R1 0x2833e84879b97091ull
#define GF_BN254FR_R2 0xb85045b68181585dull
#define GF_BN254FR_R3 0x30644e72e131a029ull
/* -r^{-1} mod 2^64 */
#define GF_BN254FR_INV 0xc2e1f593efffffffull
/* R mod r (Montgomery form of 1) and R^2 mod r (to enter Montgomery form). */
#define GF_BN254FR_ONE_INIT  {{0xac96341c4ffffffbull, 0x36fc76959f60cd29ull, 0x666ea36f7879462eull, 0x0e0a77c19a07df2full}}
#define GF_BN254FR_RR_INIT   {{0x1bb8e645ae216da7ull, 0x53fe3ab1e35c59e3ull, 0x8c49833d53bb8085ull, 0x0216d0b17f4e44a5ull}}

#if defined(__x86_64__)
#define GF_BN254FR_HAVE_X86 1
#if defined(__ADX__) && defined(__BMI2__)
#define GF_BN254FR_HAVE_ADX 1
#endif
#if !defined(GKRFLOW_BN254_NO_ASM) && !defined(GKRFLOW_FORCE_SCALAR)
#define GF_BN254FR_USE_X86 1
#if defined(GF_BN254FR_HAVE_ADX)
#define GF_BN254FR_USE_ADX 1
#endif
#endif
#endif

typedef unsigned __int128 gf_bn254fr_u128_;

static inline void gf_bn254fr_zero(gf_bn254fr *out) { out->l[0] = out->l[1] = out->l[2] = out->l[3] = 0; }
static inline void gf_bn254fr_one(gf_bn254fr *out) {
    static const gf_bn254fr one = GF_BN254FR_ONE_INIT;
    *out = one;
}
static inline int gf_bn254fr_eq(const gf_bn254fr *a, const gf_bn254fr *b) {
    return ((a->l[0] ^ b->l[0]) | (a->l[1] ^ b->l[1]) | (a->l[2] ^ b->l[2]) | (a->l[3] ^ b->l[3])) == 0;
}
static inline int gf_bn254fr_is_zero(const gf_bn254fr *a) {
    return (a->l[0] | a->l[1] | a->l[2] | a->l[3]) == 0;
}

/* Carry/borrow chains, c is 0 or 1. GCC 12 turns __builtin_*_overflow chains into setc/or
 * sequences, so x86-64 builds use the adc/sbb intrinsics; builds without asm use plain
 * compares, which is what non-x86 targets get (so the scalar CI build tests them). */
#if defined(GF_BN254FR_USE_X86)
#include <immintrin.h>
static inline uint64_t gf_bn254fr_adc_(uint64_t a, uint64_t b, unsigned char *c) {
    unsigned long long s;
    *c = _addcarry_u64(*c, a, b, &s);
    return s;
}
static inline uint64_t gf_bn254fr_sbb_(uint64_t a, uint64_t b, unsigned char *c) {
    unsigned long long d;
    *c = _subborrow_u64(*c, a, b, &d);
    return d;
}
#else
static inline uint64_t gf_bn254fr_adc_(uint64_t a, uint64_t b, unsigned char *c) {
    uint64_t s = a + b, t = s + *c;
    *c = (unsigned char)((s < a) | (t < s));
    return t;
}
static inline uint64_t gf_bn254fr_sbb_(uint64_t a, uint64_t b, unsigned char *c) {
    uint64_t d = a - b, t = d - *c;
    *c = (unsigned char)((a < b) | (d < *c));
    return t;
}
#endif

/* out = t if t < r else t - r, for t < 2r (fits 256 bits). */
static inline void gf_bn254fr_csub_c_(gf_bn254fr *out, uint64_t t0, uint64_t t1, uint64_t t2, uint64_t t3) {
    unsigned char b = 0;
    uint64_t d0 = gf_bn254fr_sbb_(t0, GF_BN254FR_R0, &b);
    uint64_t d1 = gf_bn254fr_sbb_(t1, GF_BN254FR_R1, &b);
    uint64_t d2 = gf_bn254fr_sbb_(t2, GF_BN254FR_R2, &b);
    uint64_t d3 = gf_bn254fr_sbb_(t3, GF_BN254FR_R3, &b);
    /* borrow means t < r: keep t (masks, not ?:, which GCC may turn into a branch) */
    uint64_t keep = -(uint64_t)b;
    out->l[0] = (t0 & keep) | (d0 & ~keep);
    out->l[1] = (t1 & keep) | (d1 & ~keep);
    out->l[2] = (t2 & keep) | (d2 & ~keep);
    out->l[3] = (t3 & keep) | (d3 & ~keep);
}

static inline void gf_bn254fr_add_c(gf_bn254fr *out, const gf_bn254fr *a, const gf_bn254fr *b) {
    /* a + b < 2r < 2^255: no carry out of the top limb */
    unsigned char c = 0;
    uint64_t s0 = gf_bn254fr_adc_(a->l[0], b->l[0], &c);
    uint64_t s1 = gf_bn254fr_adc_(a->l[1], b->l[1], &c);
    uint64_t s2 = gf_bn254fr_adc_(a->l[2], b->l[2], &c);
    uint64_t s3 = gf_bn254fr_adc_(a->l[3], b->l[3], &c);
    gf_bn254fr_csub_c_(out, s0, s1, s2, s3);
}

static inline void gf_bn254fr_sub_c(gf_bn254fr *out, const gf_bn254fr *a, const gf_bn254fr *b) {
    unsigned char c = 0;
    uint64_t d0 = gf_bn254fr_sbb_(a->l[0], b->l[0], &c);
    uint64_t d1 = gf_bn254fr_sbb_(a->l[1], b->l[1], &c);
    uint64_t d2 = gf_bn254fr_sbb_(a->l[2], b->l[2], &c);
    uint64_t d3 = gf_bn254fr_sbb_(a->l[3], b->l[3], &c);
    /* borrow: add r back (the carry out cancels the borrow) */
    uint64_t m = -(uint64_t)c;
    c = 0;
    d0 = gf_bn254fr_adc_(d0, GF_BN254FR_R0 & m, &c);
    d1 = gf_bn254fr_adc_(d1, GF_BN254FR_R1 & m, &c);
    d2 = gf_bn254fr_adc_(d2, GF_BN254FR_R2 & m, &c);
    d3 = gf_bn254fr_adc_(d3, GF_BN254FR_R3 & m, &c);
    out->l[0] = d0; out->l[1] = d1; out->l[2] = d2; out->l[3] = d3;
}

static inline void gf_bn254fr_neg_c(gf_bn254fr *out, const gf_bn254fr *a) {
    uint64_t nz = -(uint64_t)((a->l[0] | a->l[1] | a->l[2] | a->l[3]) != 0);
    unsigned char c = 0;
    uint64_t d0 = gf_bn254fr_sbb_(GF_BN254FR_R0, a->l[0], &c);
    uint64_t d1 = gf_bn254fr_sbb_(GF_BN254FR_R1, a->l[1], &c);
    uint64_t d2 = gf_bn254fr_sbb_(GF_BN254FR_R2, a->l[2], &c);
    uint64_t d3 = gf_bn254fr_sbb_(GF_BN254FR_R3, a->l[3], &c);
    out->l[0] = d0 & nz; out->l[1] = d1 & nz; out->l[2] = d2 & nz; out->l[3] = d3 & nz;
}

/* ---- portable Montgomery multiplication ---- */

/* lo word of a*b + c + *carry; the high word goes to *carry (the sum cannot overflow 128 bits). */
static inline uint64_t gf_bn254fr_mac_(uint64_t a, uint64_t b, uint64_t c, uint64_t *carry) {
    gf_bn254fr_u128_ t = (gf_bn254fr_u128_)a * b + c + *carry;
    *carry = (uint64_t)(t >> 64);
    return (uint64_t)t;
}

/* One CIOS round: t = (t + a*bi + m*r) / 2^64 with m chosen to clear the low word. */
#define GF_BN254FR_CIOS_ROUND_(bi)                                                          \
    do {                                                                                    \
        uint64_t A_ = 0, C_ = 0, m_, u_;                                                    \
        t0 = gf_bn254fr_mac_(a0, (bi), t0, &A_);                                            \
        m_ = t0 * GF_BN254FR_INV;                                                           \
        (void)gf_bn254fr_mac_(m_, GF_BN254FR_R0, t0, &C_);                                  \
        u_ = gf_bn254fr_mac_(a1, (bi), t1, &A_);                                            \
        t0 = gf_bn254fr_mac_(m_, GF_BN254FR_R1, u_, &C_);                                   \
        u_ = gf_bn254fr_mac_(a2, (bi), t2, &A_);                                            \
        t1 = gf_bn254fr_mac_(m_, GF_BN254FR_R2, u_, &C_);                                   \
        u_ = gf_bn254fr_mac_(a3, (bi), t3, &A_);                                            \
        t2 = gf_bn254fr_mac_(m_, GF_BN254FR_R3, u_, &C_);                                   \
        t3 = A_ + C_;                                                                       \
    } while (0)

static inline void gf_bn254fr_mul_int128(gf_bn254fr *out, const gf_bn254fr *a, const gf_bn254fr *b) {
    const uint64_t a0 = a->l[0], a1 = a->l[1], a2 = a->l[2], a3 = a->l[3];
    const uint64_t b0 = b->l[0], b1 = b->l[1], b2 = b->l[2], b3 = b->l[3];
    uint64_t t0 = 0, t1 = 0, t2 = 0, t3 = 0;
    GF_BN254FR_CIOS_ROUND_(b0);
    GF_BN254FR_CIOS_ROUND_(b1);
    GF_BN254FR_CIOS_ROUND_(b2);
    GF_BN254FR_CIOS_ROUND_(b3);
    gf_bn254fr_csub_c_(out, t0, t1, t2, t3);
}
static inline void gf_bn254fr_sqr_int128(gf_bn254fr *out, const gf_bn254fr *a) {
    gf_bn254fr_mul_int128(out, a, a);
}

#ifdef GF_BN254FR_HAVE_X86
#include "field/bn254fr_x86.h"
#endif

#ifdef GF_BN254FR_USE_X86
#define GF_BN254FR_PICK_(x86, c) x86
#else
#define GF_BN254FR_PICK_(x86, c) c
#endif
#ifdef GF_BN254FR_USE_ADX
#define GF_BN254FR_PICK_MUL_(adx, c) adx
#else
#define GF_BN254FR_PICK_MUL_(adx, c) c
#endif

static inline void gf_bn254fr_add(gf_bn254fr *out, const gf_bn254fr *a, const gf_bn254fr *b) {
    GF_BN254FR_PICK_(gf_bn254fr_add_x86, gf_bn254fr_add_c)(out, a, b);
}
static inline void gf_bn254fr_dbl(gf_bn254fr *out, const gf_bn254fr *a) { gf_bn254fr_add(out, a, a); }
static inline void gf_bn254fr_sub(gf_bn254fr *out, const gf_bn254fr *a, const gf_bn254fr *b) {
    GF_BN254FR_PICK_(gf_bn254fr_sub_x86, gf_bn254fr_sub_c)(out, a, b);
}
static inline void gf_bn254fr_neg(gf_bn254fr *out, const gf_bn254fr *a) {
    GF_BN254FR_PICK_(gf_bn254fr_neg_x86, gf_bn254fr_neg_c)(out, a);
}
static inline void gf_bn254fr_mul(gf_bn254fr *out, const gf_bn254fr *a, const gf_bn254fr *b) {
    GF_BN254FR_PICK_MUL_(gf_bn254fr_mul_adx, gf_bn254fr_mul_int128)(out, a, b);
}
static inline void gf_bn254fr_sqr(gf_bn254fr *out, const gf_bn254fr *a) {
    GF_BN254FR_PICK_MUL_(gf_bn254fr_sqr_adx, gf_bn254fr_sqr_int128)(out, a);
}

static inline void gf_bn254fr_from_u64(gf_bn254fr *out, uint64_t x) {
    static const gf_bn254fr rr = GF_BN254FR_RR_INIT;
    gf_bn254fr t = {{x, 0, 0, 0}};   /* x < 2^64 < r */
    gf_bn254fr_mul(out, &t, &rr);
}

#endif
