#ifndef GF_FIELD_M31EXT3_H
#define GF_FIELD_M31EXT3_H
/* M31Ext3 = F_p[x]/(x^3 - 5), p = 2^31 - 1 (the challenge field for M31 circuits; same
 * irreducible as Expander). Element c[0] + c[1] x + c[2] x^2, each limb canonical M31.
 * Encoding: 12 bytes, limbs c[0], c[1], c[2] as 4-byte little-endian. */
#include "field/m31.h"

typedef struct gf_m31ext3 { gf_m31 c[3]; } gf_m31ext3;
#define GF_M31EXT3_W 5u

static inline gf_m31ext3 gf_m31ext3_zero(void) { gf_m31ext3 r = {{0, 0, 0}}; return r; }
static inline gf_m31ext3 gf_m31ext3_one(void) { gf_m31ext3 r = {{1, 0, 0}}; return r; }
static inline gf_m31ext3 gf_m31ext3_from_base(gf_m31 a) { gf_m31ext3 r = {{a, 0, 0}}; return r; }
static inline int gf_m31ext3_eq(gf_m31ext3 a, gf_m31ext3 b) {
    return a.c[0] == b.c[0] && a.c[1] == b.c[1] && a.c[2] == b.c[2];
}
static inline int gf_m31ext3_is_zero(gf_m31ext3 a) { return (a.c[0] | a.c[1] | a.c[2]) == 0; }
static inline gf_m31ext3 gf_m31ext3_add(gf_m31ext3 a, gf_m31ext3 b) {
    gf_m31ext3 r = {{gf_m31_add(a.c[0], b.c[0]), gf_m31_add(a.c[1], b.c[1]), gf_m31_add(a.c[2], b.c[2])}};
    return r;
}
static inline gf_m31ext3 gf_m31ext3_sub(gf_m31ext3 a, gf_m31ext3 b) {
    gf_m31ext3 r = {{gf_m31_sub(a.c[0], b.c[0]), gf_m31_sub(a.c[1], b.c[1]), gf_m31_sub(a.c[2], b.c[2])}};
    return r;
}
static inline gf_m31ext3 gf_m31ext3_neg(gf_m31ext3 a) {
    gf_m31ext3 r = {{gf_m31_neg(a.c[0]), gf_m31_neg(a.c[1]), gf_m31_neg(a.c[2])}};
    return r;
}
static inline gf_m31ext3 gf_m31ext3_mul_base(gf_m31ext3 a, gf_m31 b) {
    gf_m31ext3 r = {{gf_m31_mul(a.c[0], b), gf_m31_mul(a.c[1], b), gf_m31_mul(a.c[2], b)}};
    return r;
}
static inline gf_m31ext3 gf_m31ext3_mul(gf_m31ext3 a, gf_m31ext3 b) {
    /* schoolbook with delayed reduction: each sum of products < 2^65 is split safely */
    const uint64_t a0 = a.c[0], a1 = a.c[1], a2 = a.c[2], b0 = b.c[0], b1 = b.c[1], b2 = b.c[2];
    /* c0 = a0b0 + 5(a1b2 + a2b1): reduce the inner sum first to stay below 2^64 */
    gf_m31 t = gf_m31_from_u64(a1 * b2 + a2 * b1);
    gf_m31ext3 r;
    r.c[0] = gf_m31_from_u64(a0 * b0 + (uint64_t)t * GF_M31EXT3_W);
    r.c[1] = gf_m31_from_u64(a0 * b1 + a1 * b0 + (uint64_t)gf_m31_mul((gf_m31)a2, (gf_m31)b2) * GF_M31EXT3_W);
    r.c[2] = gf_m31_from_u64(a0 * b2 + a1 * b1 + a2 * b0);
    return r;
}
static inline gf_m31ext3 gf_m31ext3_sqr(gf_m31ext3 a) { return gf_m31ext3_mul(a, a); }
/* Multiplication by a constant b used many times: with 5 b1 and 5 b2 reduced once, each limb
 * is three products (< 3 p^2 < 2^64) and one reduction. Equals gf_m31ext3_mul(a, b). */
typedef struct { uint64_t b0, b1, b2, b1w, b2w; } gf_m31ext3_const;
static inline gf_m31ext3_const gf_m31ext3_const_prep(gf_m31ext3 b) {
    gf_m31ext3_const k = {b.c[0], b.c[1], b.c[2], gf_m31_mul(b.c[1], GF_M31EXT3_W), gf_m31_mul(b.c[2], GF_M31EXT3_W)};
    return k;
}
static inline gf_m31ext3 gf_m31ext3_mul_const(gf_m31ext3 a, const gf_m31ext3_const *k) {
    const uint64_t a0 = a.c[0], a1 = a.c[1], a2 = a.c[2];
    gf_m31ext3 r;
    r.c[0] = gf_m31_from_u64(a0 * k->b0 + a1 * k->b2w + a2 * k->b1w);
    r.c[1] = gf_m31_from_u64(a0 * k->b1 + a1 * k->b0 + a2 * k->b2w);
    r.c[2] = gf_m31_from_u64(a0 * k->b2 + a1 * k->b1 + a2 * k->b0);
    return r;
}

gf_m31ext3 gf_m31ext3_pow(gf_m31ext3 a, uint64_t e);
/* Inverse via the norm to the base field; inv(0) = 0. */
gf_m31ext3 gf_m31ext3_inv(gf_m31ext3 a);
gf_m31ext3 gf_m31ext3_random(gf_rng *rng);
void gf_m31ext3_to_bytes(uint8_t out[12], gf_m31ext3 a);
/* Returns 0 on success, -1 if a limb is not canonical (>= p). */
int gf_m31ext3_from_bytes(gf_m31ext3 *out, const uint8_t in[12]);

#endif
