#ifndef GF_FIELD_M31X16_SCALAR_IMPL_H
#define GF_FIELD_M31X16_SCALAR_IMPL_H
/* Portable M31x16 backend: per-lane gf_m31 ops. The reference the SIMD backends must match
 * bit for bit. Include via field/m31x16.h only. */
#include <string.h>

GF_M31X16_INLINE gf_m31x16 gf_m31x16_broadcast_generic(gf_m31 a) {
    gf_m31x16 r; for (int i = 0; i < 16; i++) r.v[i] = a; return r;
}
GF_M31X16_INLINE gf_m31x16 gf_m31x16_load_generic(const uint32_t *p) {
    gf_m31x16 r; memcpy(r.v, p, sizeof r.v); return r;
}
GF_M31X16_INLINE gf_m31x16 gf_m31x16_load_reduce_generic(const uint32_t *p) {
    gf_m31x16 r; for (int i = 0; i < 16; i++) r.v[i] = gf_m31_from_u32(p[i]); return r;
}
GF_M31X16_INLINE void gf_m31x16_store_generic(uint32_t *p, gf_m31x16 a) { memcpy(p, a.v, sizeof a.v); }
GF_M31X16_INLINE gf_m31x16 gf_m31x16_add_generic(gf_m31x16 a, gf_m31x16 b) {
    gf_m31x16 r; for (int i = 0; i < 16; i++) r.v[i] = gf_m31_add(a.v[i], b.v[i]); return r;
}
GF_M31X16_INLINE gf_m31x16 gf_m31x16_sub_generic(gf_m31x16 a, gf_m31x16 b) {
    gf_m31x16 r; for (int i = 0; i < 16; i++) r.v[i] = gf_m31_sub(a.v[i], b.v[i]); return r;
}
GF_M31X16_INLINE gf_m31x16 gf_m31x16_neg_generic(gf_m31x16 a) {
    gf_m31x16 r; for (int i = 0; i < 16; i++) r.v[i] = gf_m31_neg(a.v[i]); return r;
}
GF_M31X16_INLINE gf_m31x16 gf_m31x16_mul5_generic(gf_m31x16 a) {
    gf_m31x16 r; for (int i = 0; i < 16; i++) r.v[i] = gf_m31_from_u64(5 * (uint64_t)a.v[i]); return r;
}
GF_M31X16_INLINE gf_m31x16 gf_m31x16_mul_generic(gf_m31x16 a, gf_m31x16 b) {
    gf_m31x16 r; for (int i = 0; i < 16; i++) r.v[i] = gf_m31_mul(a.v[i], b.v[i]); return r;
}
GF_M31X16_INLINE gf_m31x16 gf_m31x16_mul_scalar_generic(gf_m31x16 a, gf_m31 b) {
    gf_m31x16 r; for (int i = 0; i < 16; i++) r.v[i] = gf_m31_mul(a.v[i], b); return r;
}
GF_M31X16_INLINE gf_m31x16 gf_m31x16_mul_add_generic(gf_m31x16 a, gf_m31x16 b, gf_m31x16 c) {
    /* (p-1)^2 + p-1 < 2^64: one reduction */
    gf_m31x16 r;
    for (int i = 0; i < 16; i++) r.v[i] = gf_m31_from_u64((uint64_t)a.v[i] * b.v[i] + c.v[i]);
    return r;
}
GF_M31X16_INLINE gf_m31x16 gf_m31x16_dot3_generic(gf_m31x16 a0, gf_m31x16 b0, gf_m31x16 a1, gf_m31x16 b1,
                                               gf_m31x16 a2, gf_m31x16 b2) {
    /* 3 (p-1)^2 < 2^64 */
    gf_m31x16 r;
    for (int i = 0; i < 16; i++)
        r.v[i] = gf_m31_from_u64((uint64_t)a0.v[i] * b0.v[i] + (uint64_t)a1.v[i] * b1.v[i] +
                                 (uint64_t)a2.v[i] * b2.v[i]);
    return r;
}
GF_M31X16_INLINE gf_m31x16 gf_m31x16_dot16_scalar_generic(const gf_m31x16 t[16], const uint32_t w[16]) {
    /* groups of four products (4 (p-1)^2 < 2^64), each reduced before the next */
    gf_m31x16 r;
    for (int i = 0; i < 16; i++) {
        uint64_t acc = 0;
        for (int g = 0; g < 16; g += 4)
            acc += gf_m31_from_u64((uint64_t)t[g].v[i] * w[g] + (uint64_t)t[g + 1].v[i] * w[g + 1] +
                                   (uint64_t)t[g + 2].v[i] * w[g + 2] + (uint64_t)t[g + 3].v[i] * w[g + 3]);
        r.v[i] = gf_m31_from_u64(acc);
    }
    return r;
}
GF_M31X16_INLINE gf_m31x16w gf_m31x16w_zero_generic(void) { gf_m31x16w w; for (int i = 0; i < 16; i++) w.v[i] = 0; return w; }
/* s < 2^64 -> s mod p + k p for a small k, below 2^34 (2^31 = 1 mod p) */
static inline uint64_t gf_m31x16w_fold1_(uint64_t s) { return (s & GF_M31_P) + (s >> 31); }
GF_M31X16_INLINE void gf_m31x16w_add_dot3_generic(gf_m31x16w *w, gf_m31x16 a0, gf_m31x16 b0, gf_m31x16 a1, gf_m31x16 b1,
                                                 gf_m31x16 a2, gf_m31x16 b2) {
    for (int i = 0; i < 16; i++)
        w->v[i] += gf_m31x16w_fold1_((uint64_t)a0.v[i] * b0.v[i] + (uint64_t)a1.v[i] * b1.v[i] + (uint64_t)a2.v[i] * b2.v[i]);
}
GF_M31X16_INLINE void gf_m31x16w_add_mul_generic(gf_m31x16w *w, gf_m31x16 a, gf_m31x16 b) {
    for (int i = 0; i < 16; i++) w->v[i] += gf_m31x16w_fold1_((uint64_t)a.v[i] * b.v[i]);
}
GF_M31X16_INLINE gf_m31x16 gf_m31x16w_reduce_generic(gf_m31x16w w) {
    gf_m31x16 r;
    for (int i = 0; i < 16; i++) r.v[i] = gf_m31_from_u64(w.v[i]);
    return r;
}
GF_M31X16_INLINE gf_m31 gf_m31x16_hsum_generic(gf_m31x16 a) {
    uint64_t s = 0; for (int i = 0; i < 16; i++) s += a.v[i]; return gf_m31_from_u64(s);
}
GF_M31X16_INLINE int gf_m31x16_eq_generic(gf_m31x16 a, gf_m31x16 b) {
    uint32_t d = 0; for (int i = 0; i < 16; i++) d |= a.v[i] ^ b.v[i]; return d == 0;
}

/* rows[j].v[s] <-> rows[s].v[j] */
GF_M31X16_INLINE void gf_m31x16_transpose16_generic(gf_m31x16 r[16]) {
    for (int j = 0; j < 16; j++)
        for (int s = j + 1; s < 16; s++) {
            uint32_t t = r[j].v[s];
            r[j].v[s] = r[s].v[j];
            r[s].v[j] = t;
        }
}

#endif
