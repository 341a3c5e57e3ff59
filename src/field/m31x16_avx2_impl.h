#ifndef GF_FIELD_M31X16_AVX2_IMPL_H
#define GF_FIELD_M31X16_AVX2_IMPL_H
/* AVX2 M31x16 backend: lanes 0-7 in `.y[0]`, 8-15 in `.y[1]`. Include via field/m31x16.h only,
 * in code compiled with AVX2; call only after checking the CPU has it. Same algorithms as the
 * AVX-512 backend (see m31x16_avx512_impl.h), with blends instead of masked moves. */

#define GF_M31X16_AVX2_P _mm256_set1_epi32((int)GF_M31_P)

GF_M31X16_INLINE __m256i gf_m31x16_red_avx2_(__m256i t) {          /* [0, 2p-1] -> [0, p-1] */
    return _mm256_min_epu32(t, _mm256_sub_epi32(t, GF_M31X16_AVX2_P));
}
GF_M31X16_INLINE gf_m31x16 gf_m31x16_broadcast_avx2(gf_m31 a) {
    gf_m31x16 r; r.y[0] = r.y[1] = _mm256_set1_epi32((int)a); return r;
}
GF_M31X16_INLINE gf_m31x16 gf_m31x16_load_avx2(const uint32_t *p) {
    gf_m31x16 r;
    r.y[0] = _mm256_loadu_si256((const __m256i *)p);
    r.y[1] = _mm256_loadu_si256((const __m256i *)(p + 8));
    return r;
}
GF_M31X16_INLINE gf_m31x16 gf_m31x16_load_reduce_avx2(const uint32_t *p) {
    gf_m31x16 r;
    for (int h = 0; h < 2; h++) {
        __m256i x = _mm256_loadu_si256((const __m256i *)(p + 8 * h));
        r.y[h] = gf_m31x16_red_avx2_(_mm256_add_epi32(_mm256_and_si256(x, GF_M31X16_AVX2_P), _mm256_srli_epi32(x, 31)));
    }
    return r;
}
GF_M31X16_INLINE void gf_m31x16_store_avx2(uint32_t *p, gf_m31x16 a) {
    _mm256_storeu_si256((__m256i *)p, a.y[0]);
    _mm256_storeu_si256((__m256i *)(p + 8), a.y[1]);
}
GF_M31X16_INLINE gf_m31x16 gf_m31x16_add_avx2(gf_m31x16 a, gf_m31x16 b) {
    gf_m31x16 r;
    for (int h = 0; h < 2; h++) r.y[h] = gf_m31x16_red_avx2_(_mm256_add_epi32(a.y[h], b.y[h]));
    return r;
}
GF_M31X16_INLINE gf_m31x16 gf_m31x16_sub_avx2(gf_m31x16 a, gf_m31x16 b) {
    gf_m31x16 r;
    for (int h = 0; h < 2; h++) {
        __m256i t = _mm256_sub_epi32(a.y[h], b.y[h]);
        r.y[h] = _mm256_min_epu32(t, _mm256_add_epi32(t, GF_M31X16_AVX2_P));
    }
    return r;
}
GF_M31X16_INLINE gf_m31x16 gf_m31x16_neg_avx2(gf_m31x16 a) {
    gf_m31x16 r;
    for (int h = 0; h < 2; h++) {   /* 0 - a, then the sub fix-up; 0 stays 0 */
        __m256i t = _mm256_sub_epi32(_mm256_setzero_si256(), a.y[h]);
        r.y[h] = _mm256_min_epu32(t, _mm256_add_epi32(t, GF_M31X16_AVX2_P));
    }
    return r;
}
GF_M31X16_INLINE gf_m31x16 gf_m31x16_mul5_avx2(gf_m31x16 a) {
    gf_m31x16 r;
    for (int h = 0; h < 2; h++) {   /* 4a mod p = 2-bit rotation within 31 bits */
        __m256i a4 = _mm256_or_si256(_mm256_and_si256(_mm256_slli_epi32(a.y[h], 2), GF_M31X16_AVX2_P),
                                     _mm256_srli_epi32(a.y[h], 29));
        r.y[h] = gf_m31x16_red_avx2_(_mm256_add_epi32(a.y[h], a4));
    }
    return r;
}
GF_M31X16_INLINE __m256i gf_m31x16_odd_avx2_(__m256i a) {
    return _mm256_castps_si256(_mm256_movehdup_ps(_mm256_castsi256_ps(a)));
}
GF_M31X16_INLINE __m256i gf_m31x16_mul_avx2_(__m256i a, __m256i b, __m256i b_odd) {
    __m256i pe = _mm256_mul_epu32(_mm256_add_epi32(a, a), b);           /* 2 a_e b_e */
    __m256i po = _mm256_mul_epu32(_mm256_srli_epi64(a, 31), b_odd);     /* 2 a_o b_o */
    __m256i lo_dbl = _mm256_blend_epi32(pe, _mm256_castps_si256(_mm256_moveldup_ps(_mm256_castsi256_ps(po))), 0xAA);
    __m256i hi = _mm256_blend_epi32(gf_m31x16_odd_avx2_(pe), po, 0xAA);
    return gf_m31x16_red_avx2_(_mm256_add_epi32(_mm256_srli_epi32(lo_dbl, 1), hi));
}
GF_M31X16_INLINE gf_m31x16 gf_m31x16_mul_avx2(gf_m31x16 a, gf_m31x16 b) {
    gf_m31x16 r;
    for (int h = 0; h < 2; h++) r.y[h] = gf_m31x16_mul_avx2_(a.y[h], b.y[h], gf_m31x16_odd_avx2_(b.y[h]));
    return r;
}
GF_M31X16_INLINE gf_m31x16 gf_m31x16_mul_scalar_avx2(gf_m31x16 a, gf_m31 b) {
    __m256i bb = _mm256_set1_epi32((int)b);
    gf_m31x16 r;
    for (int h = 0; h < 2; h++) r.y[h] = gf_m31x16_mul_avx2_(a.y[h], bb, bb);
    return r;
}
GF_M31X16_INLINE gf_m31x16 gf_m31x16_mul_add_avx2(gf_m31x16 a, gf_m31x16 b, gf_m31x16 c) {
    gf_m31x16 r;
    for (int h = 0; h < 2; h++)
        r.y[h] = gf_m31x16_red_avx2_(_mm256_add_epi32(gf_m31x16_mul_avx2_(a.y[h], b.y[h], gf_m31x16_odd_avx2_(b.y[h])), c.y[h]));
    return r;
}
GF_M31X16_INLINE __m256i gf_m31x16_fold64_avx2_(__m256i s) {     /* < 2^64 -> [0, p + 4] */
    const __m256i p64 = _mm256_set1_epi64x(GF_M31_P);
    s = _mm256_add_epi64(_mm256_and_si256(s, p64), _mm256_srli_epi64(s, 31));
    return _mm256_add_epi64(_mm256_and_si256(s, p64), _mm256_srli_epi64(s, 31));
}
/* half h of a0 b0 + a1 b1 + a2 b2 unreduced: even lanes' 64-bit sums in *se, odd in *so */
GF_M31X16_INLINE void gf_m31x16_dot3_raw_avx2_(gf_m31x16 a0, gf_m31x16 b0, gf_m31x16 a1, gf_m31x16 b1, gf_m31x16 a2,
                                               gf_m31x16 b2, int h, __m256i *se, __m256i *so) {
    *se = _mm256_add_epi64(_mm256_add_epi64(_mm256_mul_epu32(a0.y[h], b0.y[h]), _mm256_mul_epu32(a1.y[h], b1.y[h])),
                           _mm256_mul_epu32(a2.y[h], b2.y[h]));
    *so = _mm256_add_epi64(
        _mm256_add_epi64(_mm256_mul_epu32(_mm256_srli_epi64(a0.y[h], 32), _mm256_srli_epi64(b0.y[h], 32)),
                         _mm256_mul_epu32(_mm256_srli_epi64(a1.y[h], 32), _mm256_srli_epi64(b1.y[h], 32))),
        _mm256_mul_epu32(_mm256_srli_epi64(a2.y[h], 32), _mm256_srli_epi64(b2.y[h], 32)));
}
/* even and odd 64-bit sums of one half -> canonical lanes */
GF_M31X16_INLINE __m256i gf_m31x16_from_wide_avx2_(__m256i se, __m256i so) {
    return gf_m31x16_red_avx2_(_mm256_blend_epi32(gf_m31x16_fold64_avx2_(se), _mm256_slli_epi64(gf_m31x16_fold64_avx2_(so), 32), 0xAA));
}
GF_M31X16_INLINE gf_m31x16 gf_m31x16_dot3_avx2(gf_m31x16 a0, gf_m31x16 b0, gf_m31x16 a1, gf_m31x16 b1,
                                            gf_m31x16 a2, gf_m31x16 b2) {
    gf_m31x16 r;
    for (int h = 0; h < 2; h++) {
        __m256i se, so;
        gf_m31x16_dot3_raw_avx2_(a0, b0, a1, b1, a2, b2, h, &se, &so);
        r.y[h] = gf_m31x16_from_wide_avx2_(se, so);
    }
    return r;
}

/* Wide sums: for half h, y[2h] holds the even lanes' 64-bit sums, y[2h+1] the odd lanes'. */
GF_M31X16_INLINE gf_m31x16w gf_m31x16w_zero_avx2(void) { gf_m31x16w w; for (int k = 0; k < 4; k++) w.y[k] = _mm256_setzero_si256(); return w; }
GF_M31X16_INLINE __m256i gf_m31x16w_fold1_avx2_(__m256i s) {
    return _mm256_add_epi64(_mm256_and_si256(s, _mm256_set1_epi64x(GF_M31_P)), _mm256_srli_epi64(s, 31));
}
GF_M31X16_INLINE void gf_m31x16w_add_dot3_avx2(gf_m31x16w *w, gf_m31x16 a0, gf_m31x16 b0, gf_m31x16 a1, gf_m31x16 b1,
                                              gf_m31x16 a2, gf_m31x16 b2) {
    for (int h = 0; h < 2; h++) {
        __m256i se, so;
        gf_m31x16_dot3_raw_avx2_(a0, b0, a1, b1, a2, b2, h, &se, &so);
        w->y[2 * h] = _mm256_add_epi64(w->y[2 * h], gf_m31x16w_fold1_avx2_(se));
        w->y[2 * h + 1] = _mm256_add_epi64(w->y[2 * h + 1], gf_m31x16w_fold1_avx2_(so));
    }
}
GF_M31X16_INLINE void gf_m31x16w_add_mul_avx2(gf_m31x16w *w, gf_m31x16 a, gf_m31x16 b) {
    for (int h = 0; h < 2; h++) {
        w->y[2 * h] = _mm256_add_epi64(w->y[2 * h], gf_m31x16w_fold1_avx2_(_mm256_mul_epu32(a.y[h], b.y[h])));
        w->y[2 * h + 1] = _mm256_add_epi64(w->y[2 * h + 1],
                                           gf_m31x16w_fold1_avx2_(_mm256_mul_epu32(_mm256_srli_epi64(a.y[h], 32), _mm256_srli_epi64(b.y[h], 32))));
    }
}
GF_M31X16_INLINE gf_m31x16 gf_m31x16w_reduce_avx2(gf_m31x16w w) {
    gf_m31x16 r;
    for (int h = 0; h < 2; h++) r.y[h] = gf_m31x16_from_wide_avx2_(w.y[2 * h], w.y[2 * h + 1]);
    return r;
}

/* as gf_m31x16_dot16_scalar_avx512, on two halves */
GF_M31X16_INLINE gf_m31x16 gf_m31x16_dot16_scalar_avx2(const gf_m31x16 t[16], const uint32_t w[16]) {
    const __m256i p64 = _mm256_set1_epi64x(GF_M31_P);
    gf_m31x16 r;
    for (int h = 0; h < 2; h++) {
        __m256i se = _mm256_setzero_si256(), so = _mm256_setzero_si256();
        for (int g = 0; g < 16; g += 4) {
            __m256i ae = _mm256_setzero_si256(), ao = _mm256_setzero_si256();
            for (int s = g; s < g + 4; s++) {
                const __m256i wv = _mm256_set1_epi32((int)w[s]);
                ae = _mm256_add_epi64(ae, _mm256_mul_epu32(t[s].y[h], wv));
                ao = _mm256_add_epi64(ao, _mm256_mul_epu32(_mm256_srli_epi64(t[s].y[h], 32), wv));
            }
            se = _mm256_add_epi64(se, _mm256_add_epi64(_mm256_and_si256(ae, p64), _mm256_srli_epi64(ae, 31)));
            so = _mm256_add_epi64(so, _mm256_add_epi64(_mm256_and_si256(ao, p64), _mm256_srli_epi64(ao, 31)));
        }
        r.y[h] = gf_m31x16_from_wide_avx2_(se, so);
    }
    return r;
}
GF_M31X16_INLINE gf_m31 gf_m31x16_hsum_avx2(gf_m31x16 a) {
    const __m256i lo32 = _mm256_set1_epi64x(0xffffffff);
    __m256i s = _mm256_add_epi64(_mm256_add_epi64(_mm256_and_si256(a.y[0], lo32), _mm256_srli_epi64(a.y[0], 32)),
                                 _mm256_add_epi64(_mm256_and_si256(a.y[1], lo32), _mm256_srli_epi64(a.y[1], 32)));
    __m128i t = _mm_add_epi64(_mm256_castsi256_si128(s), _mm256_extracti128_si256(s, 1));
    t = _mm_add_epi64(t, _mm_unpackhi_epi64(t, t));
    return gf_m31_from_u64((uint64_t)_mm_cvtsi128_si64(t));
}
GF_M31X16_INLINE int gf_m31x16_eq_avx2(gf_m31x16 a, gf_m31x16 b) {
    __m256i d = _mm256_or_si256(_mm256_xor_si256(a.y[0], b.y[0]), _mm256_xor_si256(a.y[1], b.y[1]));
    return _mm256_testz_si256(d, d);
}

GF_M31X16_INLINE void gf_m31x16_transpose16_avx2(gf_m31x16 r[16]) { gf_m31x16_transpose16_generic(r); }

#endif
