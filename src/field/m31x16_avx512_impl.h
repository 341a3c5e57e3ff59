#ifndef GF_FIELD_M31X16_AVX512_IMPL_H
#define GF_FIELD_M31X16_AVX512_IMPL_H
/* AVX-512F M31x16 backend: the 16 lanes are one zmm (`.z`). Include via field/m31x16.h only,
 * in code compiled with AVX-512F; call only after checking the CPU has it.
 * Every function maps canonical lanes to canonical lanes; results equal the _generic backend.
 * Reduction idiom: for t in [0, 2p-1], min_epu32(t, t - p) is t mod p (t - p wraps above t
 * when t < p). */

#define GF_M31X16_AVX512_P _mm512_set1_epi32((int)GF_M31_P)
#define GF_M31X16_AVX512_EVEN ((__mmask16)0x5555)
#define GF_M31X16_AVX512_ODD ((__mmask16)0xAAAA)

GF_M31X16_INLINE __m512i gf_m31x16_red_avx512_(__m512i t) {
    return _mm512_min_epu32(t, _mm512_sub_epi32(t, GF_M31X16_AVX512_P));
}
GF_M31X16_INLINE gf_m31x16 gf_m31x16_broadcast_avx512(gf_m31 a) {
    gf_m31x16 r; r.z = _mm512_set1_epi32((int)a); return r;
}
GF_M31X16_INLINE gf_m31x16 gf_m31x16_load_avx512(const uint32_t *p) {
    gf_m31x16 r; r.z = _mm512_loadu_si512((const void *)p); return r;
}
GF_M31X16_INLINE gf_m31x16 gf_m31x16_load_reduce_avx512(const uint32_t *p) {
    __m512i x = _mm512_loadu_si512((const void *)p);
    /* 2^31 = 1 mod p; the sum is at most p + 1 */
    __m512i t = _mm512_add_epi32(_mm512_and_si512(x, GF_M31X16_AVX512_P), _mm512_srli_epi32(x, 31));
    gf_m31x16 r; r.z = gf_m31x16_red_avx512_(t); return r;
}
GF_M31X16_INLINE void gf_m31x16_store_avx512(uint32_t *p, gf_m31x16 a) { _mm512_storeu_si512((void *)p, a.z); }
GF_M31X16_INLINE gf_m31x16 gf_m31x16_add_avx512(gf_m31x16 a, gf_m31x16 b) {
    gf_m31x16 r; r.z = gf_m31x16_red_avx512_(_mm512_add_epi32(a.z, b.z)); return r;
}
GF_M31X16_INLINE gf_m31x16 gf_m31x16_sub_avx512(gf_m31x16 a, gf_m31x16 b) {
    /* a < b: t wraps high and t + p (= a - b + p) is the smaller one */
    __m512i t = _mm512_sub_epi32(a.z, b.z);
    gf_m31x16 r; r.z = _mm512_min_epu32(t, _mm512_add_epi32(t, GF_M31X16_AVX512_P)); return r;
}
GF_M31X16_INLINE gf_m31x16 gf_m31x16_neg_avx512(gf_m31x16 a) {
    /* p - a, but lanes equal to 0 stay 0 (not the non-canonical p) */
    gf_m31x16 r;
    r.z = _mm512_maskz_sub_epi32(_mm512_test_epi32_mask(a.z, a.z), GF_M31X16_AVX512_P, a.z);
    return r;
}
GF_M31X16_INLINE gf_m31x16 gf_m31x16_mul5_avx512(gf_m31x16 a) {
    /* 4a mod p is a 2-bit rotation within 31 bits (canonical in, canonical out) */
    __m512i a4 = _mm512_ternarylogic_epi32(_mm512_slli_epi32(a.z, 2), GF_M31X16_AVX512_P,
                                           _mm512_srli_epi32(a.z, 29), 0xEA);   /* (x & p) | y */
    gf_m31x16 r; r.z = gf_m31x16_red_avx512_(_mm512_add_epi32(a.z, a4)); return r;
}
/* Core of the multiplication; b_odd holds b's odd lanes in the even positions (the low half of
 * each 64-bit slot). One operand is doubled so each 64-bit product 2ab splits at bit 32 into
 * 2(ab mod 2^31) and ab >> 31, and ab = (ab >> 31) + (ab mod 2^31) mod p. */
GF_M31X16_INLINE __m512i gf_m31x16_mul_avx512_(__m512i a, __m512i b, __m512i b_odd) {
    __m512i a_evn_dbl = _mm512_add_epi32(a, a);         /* low half of each slot: 2 a_even */
    __m512i a_odd_dbl = _mm512_srli_epi64(a, 31);       /* low half: 2 a_odd (a_even < 2^31) */
    __m512i pe = _mm512_mul_epu32(a_evn_dbl, b);
    __m512i po = _mm512_mul_epu32(a_odd_dbl, b_odd);
    __m512i lo_dbl = _mm512_castps_si512(_mm512_mask_moveldup_ps(_mm512_castsi512_ps(pe), GF_M31X16_AVX512_ODD,
                                                                  _mm512_castsi512_ps(po)));
    __m512i hi = _mm512_castps_si512(_mm512_mask_movehdup_ps(_mm512_castsi512_ps(po), GF_M31X16_AVX512_EVEN,
                                                              _mm512_castsi512_ps(pe)));
    /* (lo_dbl >> 1) <= p and hi < p - 1, so one conditional subtraction suffices */
    return gf_m31x16_red_avx512_(_mm512_add_epi32(_mm512_srli_epi32(lo_dbl, 1), hi));
}
GF_M31X16_INLINE __m512i gf_m31x16_odd_avx512_(__m512i a) {
    return _mm512_castps_si512(_mm512_movehdup_ps(_mm512_castsi512_ps(a)));
}
GF_M31X16_INLINE gf_m31x16 gf_m31x16_mul_avx512(gf_m31x16 a, gf_m31x16 b) {
    gf_m31x16 r; r.z = gf_m31x16_mul_avx512_(a.z, b.z, gf_m31x16_odd_avx512_(b.z)); return r;
}
GF_M31X16_INLINE gf_m31x16 gf_m31x16_mul_scalar_avx512(gf_m31x16 a, gf_m31 b) {
    __m512i bb = _mm512_set1_epi32((int)b);             /* odd lanes already equal even ones */
    gf_m31x16 r; r.z = gf_m31x16_mul_avx512_(a.z, bb, bb); return r;
}
GF_M31X16_INLINE gf_m31x16 gf_m31x16_mul_add_avx512(gf_m31x16 a, gf_m31x16 b, gf_m31x16 c) {
    gf_m31x16 r;
    r.z = gf_m31x16_red_avx512_(_mm512_add_epi32(gf_m31x16_mul_avx512_(a.z, b.z, gf_m31x16_odd_avx512_(b.z)), c.z));
    return r;
}
/* s < 2^64 per 64-bit slot -> s mod p folded into [0, p + 3] (two folds of 2^31 = 1). */
GF_M31X16_INLINE __m512i gf_m31x16_fold64_avx512_(__m512i s) {
    const __m512i p64 = _mm512_set1_epi64(GF_M31_P);
    s = _mm512_add_epi64(_mm512_and_si512(s, p64), _mm512_srli_epi64(s, 31));   /* < 2^31 + 2^33 */
    return _mm512_add_epi64(_mm512_and_si512(s, p64), _mm512_srli_epi64(s, 31));
}
/* a0 b0 + a1 b1 + a2 b2 unreduced, per 64-bit slot: even lanes in *se, odd lanes in *so
 * (products of canonical values are < 2^62, so three of them fit in 64 bits) */
GF_M31X16_INLINE void gf_m31x16_dot3_raw_avx512_(gf_m31x16 a0, gf_m31x16 b0, gf_m31x16 a1, gf_m31x16 b1, gf_m31x16 a2,
                                                 gf_m31x16 b2, __m512i *se, __m512i *so) {
    *se = _mm512_add_epi64(_mm512_add_epi64(_mm512_mul_epu32(a0.z, b0.z), _mm512_mul_epu32(a1.z, b1.z)),
                           _mm512_mul_epu32(a2.z, b2.z));
    *so = _mm512_add_epi64(
        _mm512_add_epi64(_mm512_mul_epu32(_mm512_srli_epi64(a0.z, 32), _mm512_srli_epi64(b0.z, 32)),
                         _mm512_mul_epu32(_mm512_srli_epi64(a1.z, 32), _mm512_srli_epi64(b1.z, 32))),
        _mm512_mul_epu32(_mm512_srli_epi64(a2.z, 32), _mm512_srli_epi64(b2.z, 32)));
}
/* even and odd 64-bit sums -> canonical lanes */
GF_M31X16_INLINE gf_m31x16 gf_m31x16_from_wide_avx512_(__m512i se, __m512i so) {
    __m512i fe = gf_m31x16_fold64_avx512_(se), fo = gf_m31x16_fold64_avx512_(so);
    __m512i t = _mm512_castps_si512(_mm512_mask_moveldup_ps(_mm512_castsi512_ps(fe), GF_M31X16_AVX512_ODD,
                                                             _mm512_castsi512_ps(fo)));
    gf_m31x16 r; r.z = gf_m31x16_red_avx512_(t); return r;
}
GF_M31X16_INLINE gf_m31x16 gf_m31x16_dot3_avx512(gf_m31x16 a0, gf_m31x16 b0, gf_m31x16 a1, gf_m31x16 b1,
                                              gf_m31x16 a2, gf_m31x16 b2) {
    __m512i se, so;
    gf_m31x16_dot3_raw_avx512_(a0, b0, a1, b1, a2, b2, &se, &so);
    return gf_m31x16_from_wide_avx512_(se, so);
}
/* sum_s t[s] w[s] with scalar weights: 64-bit sums of four products (< 2^64), each folded
 * to < 2^34 and added (< 2^36), one final reduction per lane */
GF_M31X16_INLINE gf_m31x16 gf_m31x16_dot16_scalar_avx512(const gf_m31x16 t[16], const uint32_t w[16]) {
    const __m512i p64 = _mm512_set1_epi64(GF_M31_P);
    __m512i se = _mm512_setzero_si512(), so = _mm512_setzero_si512();
    for (int g = 0; g < 16; g += 4) {
        __m512i ae = _mm512_setzero_si512(), ao = _mm512_setzero_si512();
        for (int s = g; s < g + 4; s++) {
            const __m512i wv = _mm512_set1_epi32((int)w[s]);   /* the low half of each slot is w */
            ae = _mm512_add_epi64(ae, _mm512_mul_epu32(t[s].z, wv));
            ao = _mm512_add_epi64(ao, _mm512_mul_epu32(_mm512_srli_epi64(t[s].z, 32), wv));
        }
        se = _mm512_add_epi64(se, _mm512_add_epi64(_mm512_and_si512(ae, p64), _mm512_srli_epi64(ae, 31)));
        so = _mm512_add_epi64(so, _mm512_add_epi64(_mm512_and_si512(ao, p64), _mm512_srli_epi64(ao, 31)));
    }
    return gf_m31x16_from_wide_avx512_(se, so);
}
/* Wide sums: z.e holds the even lanes' 64-bit sums, z.o the odd lanes'. */
GF_M31X16_INLINE gf_m31x16w gf_m31x16w_zero_avx512(void) { gf_m31x16w w; w.z.e = w.z.o = _mm512_setzero_si512(); return w; }
GF_M31X16_INLINE __m512i gf_m31x16w_fold1_avx512_(__m512i s) {   /* < 2^64 -> < 2^34, same residue */
    return _mm512_add_epi64(_mm512_and_si512(s, _mm512_set1_epi64(GF_M31_P)), _mm512_srli_epi64(s, 31));
}
GF_M31X16_INLINE void gf_m31x16w_add_dot3_avx512(gf_m31x16w *w, gf_m31x16 a0, gf_m31x16 b0, gf_m31x16 a1, gf_m31x16 b1,
                                                gf_m31x16 a2, gf_m31x16 b2) {
    __m512i se, so;
    gf_m31x16_dot3_raw_avx512_(a0, b0, a1, b1, a2, b2, &se, &so);
    w->z.e = _mm512_add_epi64(w->z.e, gf_m31x16w_fold1_avx512_(se));
    w->z.o = _mm512_add_epi64(w->z.o, gf_m31x16w_fold1_avx512_(so));
}
GF_M31X16_INLINE void gf_m31x16w_add_mul_avx512(gf_m31x16w *w, gf_m31x16 a, gf_m31x16 b) {
    w->z.e = _mm512_add_epi64(w->z.e, gf_m31x16w_fold1_avx512_(_mm512_mul_epu32(a.z, b.z)));
    w->z.o = _mm512_add_epi64(w->z.o, gf_m31x16w_fold1_avx512_(_mm512_mul_epu32(_mm512_srli_epi64(a.z, 32), _mm512_srli_epi64(b.z, 32))));
}
GF_M31X16_INLINE gf_m31x16 gf_m31x16w_reduce_avx512(gf_m31x16w w) { return gf_m31x16_from_wide_avx512_(w.z.e, w.z.o); }
GF_M31X16_INLINE gf_m31 gf_m31x16_hsum_avx512(gf_m31x16 a) {
    /* widen to 64-bit slots: the sum is < 16 p < 2^35 */
    __m512i s = _mm512_add_epi64(_mm512_maskz_mov_epi32(GF_M31X16_AVX512_EVEN, a.z), _mm512_srli_epi64(a.z, 32));
    return gf_m31_from_u64((uint64_t)_mm512_reduce_add_epi64(s));
}
GF_M31X16_INLINE int gf_m31x16_eq_avx512(gf_m31x16 a, gf_m31x16 b) { return _mm512_cmpneq_epi32_mask(a.z, b.z) == 0; }

/* 16x16 transpose: 32-bit then 64-bit interleaves give 4x4 blocks inside each 128-bit lane,
 * then two 128-bit-lane shuffles move the blocks (64 shuffles for 256 values). */
GF_M31X16_INLINE void gf_m31x16_transpose16_avx512(gf_m31x16 r[16]) {
    __m512i t[16], u[16];
    for (int i = 0; i < 8; i++) {
        t[2 * i] = _mm512_unpacklo_epi32(r[2 * i].z, r[2 * i + 1].z);
        t[2 * i + 1] = _mm512_unpackhi_epi32(r[2 * i].z, r[2 * i + 1].z);
    }
    for (int i = 0; i < 4; i++) {
        u[4 * i + 0] = _mm512_unpacklo_epi64(t[4 * i + 0], t[4 * i + 2]);
        u[4 * i + 1] = _mm512_unpackhi_epi64(t[4 * i + 0], t[4 * i + 2]);
        u[4 * i + 2] = _mm512_unpacklo_epi64(t[4 * i + 1], t[4 * i + 3]);
        u[4 * i + 3] = _mm512_unpackhi_epi64(t[4 * i + 1], t[4 * i + 3]);
    }
    /* u[4g + c], 128-bit lane L = rows 4g..4g+3 of column 4L + c */
    for (int c = 0; c < 4; c++) {
        __m512i a0 = _mm512_shuffle_i32x4(u[c], u[4 + c], 0x44), a1 = _mm512_shuffle_i32x4(u[c], u[4 + c], 0xEE);
        __m512i a2 = _mm512_shuffle_i32x4(u[8 + c], u[12 + c], 0x44), a3 = _mm512_shuffle_i32x4(u[8 + c], u[12 + c], 0xEE);
        r[0 + c].z = _mm512_shuffle_i32x4(a0, a2, 0x88);
        r[4 + c].z = _mm512_shuffle_i32x4(a0, a2, 0xDD);
        r[8 + c].z = _mm512_shuffle_i32x4(a1, a3, 0x88);
        r[12 + c].z = _mm512_shuffle_i32x4(a1, a3, 0xDD);
    }
}

#endif
