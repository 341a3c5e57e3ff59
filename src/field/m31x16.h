#ifndef GF_FIELD_M31X16_H
#define GF_FIELD_M31X16_H
/* M31x16: 16 independent M31 values ("lanes"), one per circuit instance.
 * Invariants: 64 bytes, 64-byte aligned, lane j is the j-th uint32 in memory (`.v[j]`), and
 * every lane canonical in [0, p-1] after every operation, so all backends produce the same
 * bits and equality is memcmp. Functions taking uint32_t* expect canonical values unless
 * they say they reduce.
 *
 * Backends, each a set of suffixed static inline functions in its own header:
 *   m31x16_avx512_impl.h  (one zmm, `.z`; needs AVX-512F)   gf_m31x16_mul_avx512, ...
 *   m31x16_avx2_impl.h    (two ymm, `.y[0..1]`; needs AVX2)  gf_m31x16_mul_avx2, ...
 *   m31x16_scalar_impl.h  (plain C, any target)             gf_m31x16_mul_generic, ...
 * (the scalar suffix is _generic because gf_m31x16_mul_scalar already names multiplication by
 * a scalar). A backend's header is included whenever the translation unit is compiled for its
 * ISA, so ISA-specific files (*_avx512.c, *_avx2.c) can call it directly after a run-time CPU
 * check. The unsuffixed API below maps to the default backend, chosen at build time:
 * AVX-512 if __AVX512F__ (unless GKRFLOW_FORCE_SCALAR or GKRFLOW_FORCE_AVX2), else AVX2 if
 * __AVX2__ (unless GKRFLOW_FORCE_SCALAR), else scalar. */
#include <stdalign.h>
#include <stdint.h>
#include "field/m31.h"
#if defined(__x86_64__)
#include <immintrin.h>
#define GF_M31X16_X86 1
#endif

/* Hot code must inline fully (GCC otherwise outlines big composites such as M31Ext3x16 mul,
 * passing 192-byte values through memory); the backends and m31ext3x16.h use this. */
#define GF_M31X16_INLINE static inline __attribute__((always_inline))

typedef union gf_m31x16 {
    alignas(64) uint32_t v[16];
#ifdef GF_M31X16_X86
    __m512i z;       /* only touched by code compiled for AVX-512F */
    __m256i y[2];    /* only touched by code compiled for AVX2 */
#endif
} gf_m31x16;

/* M31x16w: 16 lanes of 64-bit partial sums for accumulating many products before reducing.
 * Every add folds its (at most three) products to below 2^34 first, so a lane stays below
 * 2^63 for 2^29 adds; gf_m31x16w_reduce gives the canonical sum. Layout is the backend's
 * (even/odd lanes in separate 64-bit vectors on x86); only the functions below touch it. */
typedef union gf_m31x16w {
    uint64_t v[16];
#ifdef GF_M31X16_X86
    struct { __m512i e, o; } z;
    __m256i y[4];
#endif
} gf_m31x16w;

#include "field/m31x16_scalar_impl.h"
#if defined(GF_M31X16_X86) && defined(__AVX2__)
#include "field/m31x16_avx2_impl.h"
#endif
#if defined(GF_M31X16_X86) && defined(__AVX512F__)
#include "field/m31x16_avx512_impl.h"
#endif

#if defined(GF_M31X16_X86) && defined(__AVX512F__) && !defined(GKRFLOW_FORCE_SCALAR) && !defined(GKRFLOW_FORCE_AVX2)
#define GF_M31X16_SFX(name) name##_avx512
#define GF_M31X16_BACKEND "avx512"
#elif defined(GF_M31X16_X86) && defined(__AVX2__) && !defined(GKRFLOW_FORCE_SCALAR)
#define GF_M31X16_SFX(name) name##_avx2
#define GF_M31X16_BACKEND "avx2"
#else
#define GF_M31X16_SFX(name) name##_generic
#define GF_M31X16_BACKEND "scalar"
#endif

GF_M31X16_INLINE gf_m31x16 gf_m31x16_broadcast(gf_m31 a) { return GF_M31X16_SFX(gf_m31x16_broadcast)(a); }
GF_M31X16_INLINE gf_m31x16 gf_m31x16_zero(void) { return GF_M31X16_SFX(gf_m31x16_broadcast)(0); }
/* p[0..15], canonical; no alignment needed. */
GF_M31X16_INLINE gf_m31x16 gf_m31x16_load(const uint32_t *p) { return GF_M31X16_SFX(gf_m31x16_load)(p); }
/* p[0..15], any uint32 values: each lane is reduced mod p. */
GF_M31X16_INLINE gf_m31x16 gf_m31x16_load_reduce(const uint32_t *p) { return GF_M31X16_SFX(gf_m31x16_load_reduce)(p); }
GF_M31X16_INLINE void gf_m31x16_store(uint32_t *p, gf_m31x16 a) { GF_M31X16_SFX(gf_m31x16_store)(p, a); }
GF_M31X16_INLINE gf_m31x16 gf_m31x16_add(gf_m31x16 a, gf_m31x16 b) { return GF_M31X16_SFX(gf_m31x16_add)(a, b); }
GF_M31X16_INLINE gf_m31x16 gf_m31x16_sub(gf_m31x16 a, gf_m31x16 b) { return GF_M31X16_SFX(gf_m31x16_sub)(a, b); }
GF_M31X16_INLINE gf_m31x16 gf_m31x16_neg(gf_m31x16 a) { return GF_M31X16_SFX(gf_m31x16_neg)(a); }
GF_M31X16_INLINE gf_m31x16 gf_m31x16_dbl(gf_m31x16 a) { return GF_M31X16_SFX(gf_m31x16_add)(a, a); }
/* 5a (the M31Ext3 non-residue), cheaper than a multiplication. */
GF_M31X16_INLINE gf_m31x16 gf_m31x16_mul5(gf_m31x16 a) { return GF_M31X16_SFX(gf_m31x16_mul5)(a); }
GF_M31X16_INLINE gf_m31x16 gf_m31x16_mul(gf_m31x16 a, gf_m31x16 b) { return GF_M31X16_SFX(gf_m31x16_mul)(a, b); }
GF_M31X16_INLINE gf_m31x16 gf_m31x16_sqr(gf_m31x16 a) { return GF_M31X16_SFX(gf_m31x16_mul)(a, a); }
/* a * b with b broadcast to every lane. */
GF_M31X16_INLINE gf_m31x16 gf_m31x16_mul_scalar(gf_m31x16 a, gf_m31 b) { return GF_M31X16_SFX(gf_m31x16_mul_scalar)(a, b); }
/* a * b + c. */
GF_M31X16_INLINE gf_m31x16 gf_m31x16_mul_add(gf_m31x16 a, gf_m31x16 b, gf_m31x16 c) { return GF_M31X16_SFX(gf_m31x16_mul_add)(a, b, c); }
/* a0*b0 + a1*b1 + a2*b2 with a single reduction (cheaper than 3 muls + 2 adds). */
GF_M31X16_INLINE gf_m31x16 gf_m31x16_dot3(gf_m31x16 a0, gf_m31x16 b0, gf_m31x16 a1, gf_m31x16 b1, gf_m31x16 a2, gf_m31x16 b2) {
    return GF_M31X16_SFX(gf_m31x16_dot3)(a0, b0, a1, b1, a2, b2);
}
/* t[0]*w[0] + ... + t[15]*w[15] with scalar weights (canonical), reduced once per lane group
 * of four products: the lane/block collapse of the GKR prover's phase 2. */
GF_M31X16_INLINE gf_m31x16 gf_m31x16_dot16_scalar(const gf_m31x16 t[16], const uint32_t w[16]) {
    return GF_M31X16_SFX(gf_m31x16_dot16_scalar)(t, w);
}
GF_M31X16_INLINE gf_m31x16w gf_m31x16w_zero(void) { return GF_M31X16_SFX(gf_m31x16w_zero)(); }
/* w += a0*b0 + a1*b1 + a2*b2 (lane-wise, unreduced). */
GF_M31X16_INLINE void gf_m31x16w_add_dot3(gf_m31x16w *w, gf_m31x16 a0, gf_m31x16 b0, gf_m31x16 a1, gf_m31x16 b1, gf_m31x16 a2,
                                          gf_m31x16 b2) {
    GF_M31X16_SFX(gf_m31x16w_add_dot3)(w, a0, b0, a1, b1, a2, b2);
}
/* w += a*b (lane-wise, unreduced). */
GF_M31X16_INLINE void gf_m31x16w_add_mul(gf_m31x16w *w, gf_m31x16 a, gf_m31x16 b) { GF_M31X16_SFX(gf_m31x16w_add_mul)(w, a, b); }
GF_M31X16_INLINE gf_m31x16 gf_m31x16w_reduce(gf_m31x16w w) { return GF_M31X16_SFX(gf_m31x16w_reduce)(w); }
/* Sum over the 16 lanes. */
GF_M31X16_INLINE gf_m31 gf_m31x16_hsum(gf_m31x16 a) { return GF_M31X16_SFX(gf_m31x16_hsum)(a); }
GF_M31X16_INLINE int gf_m31x16_eq(gf_m31x16 a, gf_m31x16 b) { return GF_M31X16_SFX(gf_m31x16_eq)(a, b); }
/* In place: afterwards r[s].v[j] is what r[j].v[s] was (16 rows of 16 lanes). */
GF_M31X16_INLINE void gf_m31x16_transpose16(gf_m31x16 r[16]) { GF_M31X16_SFX(gf_m31x16_transpose16)(r); }
GF_M31X16_INLINE const char *gf_m31x16_backend(void) { return GF_M31X16_BACKEND; }

#endif
