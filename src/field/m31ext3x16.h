#ifndef GF_FIELD_M31EXT3X16_H
#define GF_FIELD_M31EXT3X16_H
/* M31Ext3x16: 16 lanes of M31Ext3 in structure-of-arrays form: c[k] holds limb k of every
 * lane, so Ext x Base costs 3 packed multiplications. Lane j = (c[0].v[j], c[1].v[j], c[2].v[j]).
 * Invariant: every limb canonical, as for gf_m31x16, so every op equals the lane-wise gf_m31ext3
 * op bit for bit. Built on the default M31x16 backend; Ext x Ext products accumulate each limb's
 * three products unreduced (gf_m31x16_dot3) and reduce once. */
#include "field/m31ext3.h"
#include "field/m31x16.h"

typedef struct gf_m31ext3x16 { gf_m31x16 c[3]; } gf_m31ext3x16;

GF_M31X16_INLINE gf_m31ext3x16 gf_m31ext3x16_zero(void) { gf_m31ext3x16 r; r.c[0] = r.c[1] = r.c[2] = gf_m31x16_zero(); return r; }
GF_M31X16_INLINE gf_m31ext3x16 gf_m31ext3x16_from_base(gf_m31x16 a) { gf_m31ext3x16 r; r.c[0] = a; r.c[1] = r.c[2] = gf_m31x16_zero(); return r; }
GF_M31X16_INLINE gf_m31ext3x16 gf_m31ext3x16_broadcast(gf_m31ext3 a) {
    gf_m31ext3x16 r; for (int k = 0; k < 3; k++) r.c[k] = gf_m31x16_broadcast(a.c[k]); return r;
}
GF_M31X16_INLINE gf_m31ext3x16 gf_m31ext3x16_add(gf_m31ext3x16 a, gf_m31ext3x16 b) {
    gf_m31ext3x16 r; for (int k = 0; k < 3; k++) r.c[k] = gf_m31x16_add(a.c[k], b.c[k]); return r;
}
GF_M31X16_INLINE gf_m31ext3x16 gf_m31ext3x16_sub(gf_m31ext3x16 a, gf_m31ext3x16 b) {
    gf_m31ext3x16 r; for (int k = 0; k < 3; k++) r.c[k] = gf_m31x16_sub(a.c[k], b.c[k]); return r;
}
/* Ext x packed base: 3 packed muls. */
GF_M31X16_INLINE gf_m31ext3x16 gf_m31ext3x16_mul_base(gf_m31ext3x16 a, gf_m31x16 b) {
    gf_m31ext3x16 r; for (int k = 0; k < 3; k++) r.c[k] = gf_m31x16_mul(a.c[k], b); return r;
}
/* Scalar ext x packed base -> packed ext: 3 packed muls. */
GF_M31X16_INLINE gf_m31ext3x16 gf_m31ext3x16_ext_times_base(gf_m31ext3 a, gf_m31x16 b) {
    gf_m31ext3x16 r; for (int k = 0; k < 3; k++) r.c[k] = gf_m31x16_mul_scalar(b, a.c[k]); return r;
}
GF_M31X16_INLINE gf_m31x16 gf_m31x16_times5_(gf_m31x16 a) { return gf_m31x16_mul5(a); }
/* Packed ext x scalar ext: 9 products, reduced once per limb (the x5 folded into the scalar).
 * c0 = a0b0 + a1(5b2) + a2(5b1), c1 = a0b1 + a1b0 + a2(5b2), c2 = a0b2 + a1b1 + a2b0. */
GF_M31X16_INLINE gf_m31ext3x16 gf_m31ext3x16_scale(gf_m31ext3x16 a, gf_m31ext3 b) {
    gf_m31x16 b0 = gf_m31x16_broadcast(b.c[0]), b1 = gf_m31x16_broadcast(b.c[1]), b2 = gf_m31x16_broadcast(b.c[2]);
    gf_m31x16 b1w = gf_m31x16_broadcast(gf_m31_mul(b.c[1], GF_M31EXT3_W));
    gf_m31x16 b2w = gf_m31x16_broadcast(gf_m31_mul(b.c[2], GF_M31EXT3_W));
    gf_m31ext3x16 r;
    r.c[0] = gf_m31x16_dot3(a.c[0], b0, a.c[1], b2w, a.c[2], b1w);
    r.c[1] = gf_m31x16_dot3(a.c[0], b1, a.c[1], b0, a.c[2], b2w);
    r.c[2] = gf_m31x16_dot3(a.c[0], b2, a.c[1], b1, a.c[2], b0);
    return r;
}
/* Packed ext x packed ext: 9 products + 2 packed x5, reduced once per limb. */
GF_M31X16_INLINE gf_m31ext3x16 gf_m31ext3x16_mul(gf_m31ext3x16 a, gf_m31ext3x16 b) {
    gf_m31x16 b1w = gf_m31x16_mul5(b.c[1]), b2w = gf_m31x16_mul5(b.c[2]);
    gf_m31ext3x16 r;
    r.c[0] = gf_m31x16_dot3(a.c[0], b.c[0], a.c[1], b2w, a.c[2], b1w);
    r.c[1] = gf_m31x16_dot3(a.c[0], b.c[1], a.c[1], b.c[0], a.c[2], b2w);
    r.c[2] = gf_m31x16_dot3(a.c[0], b.c[2], a.c[1], b.c[1], a.c[2], b.c[0]);
    return r;
}
GF_M31X16_INLINE gf_m31ext3x16 gf_m31ext3x16_sqr(gf_m31ext3x16 a) { return gf_m31ext3x16_mul(a, a); }
GF_M31X16_INLINE gf_m31ext3x16 gf_m31ext3x16_neg(gf_m31ext3x16 a) {
    gf_m31ext3x16 r; for (int k = 0; k < 3; k++) r.c[k] = gf_m31x16_neg(a.c[k]); return r;
}
/* Ext + packed base (only limb 0 changes). */
GF_M31X16_INLINE gf_m31ext3x16 gf_m31ext3x16_add_base(gf_m31ext3x16 a, gf_m31x16 b) {
    a.c[0] = gf_m31x16_add(a.c[0], b); return a;
}
/* a * b + c, the sumcheck accumulation step. */
GF_M31X16_INLINE gf_m31ext3x16 gf_m31ext3x16_mul_add(gf_m31ext3x16 a, gf_m31ext3x16 b, gf_m31ext3x16 c) {
    return gf_m31ext3x16_add(gf_m31ext3x16_mul(a, b), c);
}
GF_M31X16_INLINE int gf_m31ext3x16_eq(gf_m31ext3x16 a, gf_m31ext3x16 b) {
    return gf_m31x16_eq(a.c[0], b.c[0]) & gf_m31x16_eq(a.c[1], b.c[1]) & gf_m31x16_eq(a.c[2], b.c[2]);
}
GF_M31X16_INLINE gf_m31ext3 gf_m31ext3x16_lane(const gf_m31ext3x16 *a, int j) {
    gf_m31ext3 r = {{a->c[0].v[j], a->c[1].v[j], a->c[2].v[j]}}; return r;
}
GF_M31X16_INLINE void gf_m31ext3x16_set_lane(gf_m31ext3x16 *a, int j, gf_m31ext3 x) {
    for (int k = 0; k < 3; k++) a->c[k].v[j] = x.c[k];
}
/* Wide accumulator of M31Ext3x16 products (see gf_m31x16w): many products summed with one
 * reduction at the end instead of one per product. */
typedef struct gf_m31ext3x16w { gf_m31x16w c[3]; } gf_m31ext3x16w;
GF_M31X16_INLINE gf_m31ext3x16w gf_m31ext3x16w_zero(void) {
    gf_m31ext3x16w r; for (int k = 0; k < 3; k++) r.c[k] = gf_m31x16w_zero(); return r;
}
/* acc += a * b (packed ext x packed ext) */
GF_M31X16_INLINE void gf_m31ext3x16w_add_mul(gf_m31ext3x16w *acc, gf_m31ext3x16 a, gf_m31ext3x16 b) {
    gf_m31x16 b1w = gf_m31x16_mul5(b.c[1]), b2w = gf_m31x16_mul5(b.c[2]);
    gf_m31x16w_add_dot3(&acc->c[0], a.c[0], b.c[0], a.c[1], b2w, a.c[2], b1w);
    gf_m31x16w_add_dot3(&acc->c[1], a.c[0], b.c[1], a.c[1], b.c[0], a.c[2], b2w);
    gf_m31x16w_add_dot3(&acc->c[2], a.c[0], b.c[2], a.c[1], b.c[1], a.c[2], b.c[0]);
}
/* acc += a * b (packed ext x packed base) */
GF_M31X16_INLINE void gf_m31ext3x16w_add_mul_base(gf_m31ext3x16w *acc, gf_m31ext3x16 a, gf_m31x16 b) {
    for (int k = 0; k < 3; k++) gf_m31x16w_add_mul(&acc->c[k], a.c[k], b);
}
GF_M31X16_INLINE gf_m31ext3x16 gf_m31ext3x16w_reduce(gf_m31ext3x16w acc) {
    gf_m31ext3x16 r; for (int k = 0; k < 3; k++) r.c[k] = gf_m31x16w_reduce(acc.c[k]); return r;
}
/* Sum over lanes. */
GF_M31X16_INLINE gf_m31ext3 gf_m31ext3x16_hsum(gf_m31ext3x16 a) {
    gf_m31ext3 r = {{gf_m31x16_hsum(a.c[0]), gf_m31x16_hsum(a.c[1]), gf_m31x16_hsum(a.c[2])}}; return r;
}

#endif
