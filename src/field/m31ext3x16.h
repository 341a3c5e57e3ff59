#ifndef GF_FIELD_M31EXT3X16_H
#define GF_FIELD_M31EXT3X16_H
/* M31Ext3x16: 16 lanes of M31Ext3 in structure-of-arrays form: c[k] holds limb k of every
 * lane, so Ext x Base costs 3 packed multiplications. Lane j = (c[0].v[j], c[1].v[j], c[2].v[j]).
 * Invariant: every limb canonical, as for gf_m31x16. */
#include "field/m31ext3.h"
#include "field/m31x16.h"

typedef struct gf_m31ext3x16 { gf_m31x16 c[3]; } gf_m31ext3x16;

static inline gf_m31ext3x16 gf_m31ext3x16_zero(void) { gf_m31ext3x16 r; r.c[0] = r.c[1] = r.c[2] = gf_m31x16_zero(); return r; }
static inline gf_m31ext3x16 gf_m31ext3x16_from_base(gf_m31x16 a) { gf_m31ext3x16 r; r.c[0] = a; r.c[1] = r.c[2] = gf_m31x16_zero(); return r; }
static inline gf_m31ext3x16 gf_m31ext3x16_broadcast(gf_m31ext3 a) {
    gf_m31ext3x16 r; for (int k = 0; k < 3; k++) r.c[k] = gf_m31x16_broadcast(a.c[k]); return r;
}
static inline gf_m31ext3x16 gf_m31ext3x16_add(gf_m31ext3x16 a, gf_m31ext3x16 b) {
    gf_m31ext3x16 r; for (int k = 0; k < 3; k++) r.c[k] = gf_m31x16_add(a.c[k], b.c[k]); return r;
}
static inline gf_m31ext3x16 gf_m31ext3x16_sub(gf_m31ext3x16 a, gf_m31ext3x16 b) {
    gf_m31ext3x16 r; for (int k = 0; k < 3; k++) r.c[k] = gf_m31x16_sub(a.c[k], b.c[k]); return r;
}
/* Ext x packed base: 3 packed muls. */
static inline gf_m31ext3x16 gf_m31ext3x16_mul_base(gf_m31ext3x16 a, gf_m31x16 b) {
    gf_m31ext3x16 r; for (int k = 0; k < 3; k++) r.c[k] = gf_m31x16_mul(a.c[k], b); return r;
}
/* Scalar ext x packed base -> packed ext: 3 packed muls. */
static inline gf_m31ext3x16 gf_m31ext3x16_ext_times_base(gf_m31ext3 a, gf_m31x16 b) {
    gf_m31ext3x16 r; for (int k = 0; k < 3; k++) r.c[k] = gf_m31x16_mul_scalar(b, a.c[k]); return r;
}
static inline gf_m31x16 gf_m31x16_times5_(gf_m31x16 a) {
    gf_m31x16 a2 = gf_m31x16_add(a, a); return gf_m31x16_add(gf_m31x16_add(a2, a2), a);
}
/* Packed ext x scalar ext: 9 packed muls (the x5 folded into the scalar). */
static inline gf_m31ext3x16 gf_m31ext3x16_scale(gf_m31ext3x16 a, gf_m31ext3 b) {
    gf_m31 b1w = gf_m31_mul(b.c[1], GF_M31EXT3_W), b2w = gf_m31_mul(b.c[2], GF_M31EXT3_W);
    gf_m31ext3x16 r;
    r.c[0] = gf_m31x16_add(gf_m31x16_mul_scalar(a.c[0], b.c[0]),
             gf_m31x16_add(gf_m31x16_mul_scalar(a.c[1], b2w), gf_m31x16_mul_scalar(a.c[2], b1w)));
    r.c[1] = gf_m31x16_add(gf_m31x16_mul_scalar(a.c[0], b.c[1]),
             gf_m31x16_add(gf_m31x16_mul_scalar(a.c[1], b.c[0]), gf_m31x16_mul_scalar(a.c[2], b2w)));
    r.c[2] = gf_m31x16_add(gf_m31x16_mul_scalar(a.c[0], b.c[2]),
             gf_m31x16_add(gf_m31x16_mul_scalar(a.c[1], b.c[1]), gf_m31x16_mul_scalar(a.c[2], b.c[0])));
    return r;
}
/* Packed ext x packed ext: 9 packed muls + 2 x5. */
static inline gf_m31ext3x16 gf_m31ext3x16_mul(gf_m31ext3x16 a, gf_m31ext3x16 b) {
    gf_m31ext3x16 r;
    gf_m31x16 t0 = gf_m31x16_add(gf_m31x16_mul(a.c[1], b.c[2]), gf_m31x16_mul(a.c[2], b.c[1]));
    r.c[0] = gf_m31x16_add(gf_m31x16_mul(a.c[0], b.c[0]), gf_m31x16_times5_(t0));
    gf_m31x16 t1 = gf_m31x16_mul(a.c[2], b.c[2]);
    r.c[1] = gf_m31x16_add(gf_m31x16_add(gf_m31x16_mul(a.c[0], b.c[1]), gf_m31x16_mul(a.c[1], b.c[0])), gf_m31x16_times5_(t1));
    r.c[2] = gf_m31x16_add(gf_m31x16_add(gf_m31x16_mul(a.c[0], b.c[2]), gf_m31x16_mul(a.c[1], b.c[1])), gf_m31x16_mul(a.c[2], b.c[0]));
    return r;
}
static inline gf_m31ext3 gf_m31ext3x16_lane(const gf_m31ext3x16 *a, int j) {
    gf_m31ext3 r = {{a->c[0].v[j], a->c[1].v[j], a->c[2].v[j]}}; return r;
}
static inline void gf_m31ext3x16_set_lane(gf_m31ext3x16 *a, int j, gf_m31ext3 x) {
    for (int k = 0; k < 3; k++) a->c[k].v[j] = x.c[k];
}
/* Sum over lanes. */
static inline gf_m31ext3 gf_m31ext3x16_hsum(gf_m31ext3x16 a) {
    gf_m31ext3 r = {{gf_m31x16_hsum(a.c[0]), gf_m31x16_hsum(a.c[1]), gf_m31x16_hsum(a.c[2])}}; return r;
}

#endif
