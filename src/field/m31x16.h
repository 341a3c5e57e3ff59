#ifndef GF_FIELD_M31X16_H
#define GF_FIELD_M31X16_H
/* M31x16: 16 independent M31 values ("lanes"), one per circuit instance.
 * Invariants: 64-byte aligned, lane j is the j-th uint32 in memory, every lane canonical
 * [0, p-1] (so all backends are bit-identical and equality is memcmp).
 * Backends: AVX-512 (one zmm), AVX2 (two ymm), scalar; chosen at build time from the
 * compiler's target (-march / GKRFLOW_SIMD); all produce the same bits.
 * PLACEHOLDER: scalar-only until the SIMD backends land; API is fixed. */
#include <stdalign.h>
#include "field/m31.h"

typedef struct gf_m31x16 { alignas(64) uint32_t v[16]; } gf_m31x16;

static inline gf_m31x16 gf_m31x16_broadcast(gf_m31 a) { gf_m31x16 r; for (int i = 0; i < 16; i++) r.v[i] = a; return r; }
static inline gf_m31x16 gf_m31x16_zero(void) { return gf_m31x16_broadcast(0); }
static inline gf_m31x16 gf_m31x16_add(gf_m31x16 a, gf_m31x16 b) { gf_m31x16 r; for (int i = 0; i < 16; i++) r.v[i] = gf_m31_add(a.v[i], b.v[i]); return r; }
static inline gf_m31x16 gf_m31x16_sub(gf_m31x16 a, gf_m31x16 b) { gf_m31x16 r; for (int i = 0; i < 16; i++) r.v[i] = gf_m31_sub(a.v[i], b.v[i]); return r; }
static inline gf_m31x16 gf_m31x16_neg(gf_m31x16 a) { gf_m31x16 r; for (int i = 0; i < 16; i++) r.v[i] = gf_m31_neg(a.v[i]); return r; }
static inline gf_m31x16 gf_m31x16_mul(gf_m31x16 a, gf_m31x16 b) { gf_m31x16 r; for (int i = 0; i < 16; i++) r.v[i] = gf_m31_mul(a.v[i], b.v[i]); return r; }
static inline gf_m31x16 gf_m31x16_mul_scalar(gf_m31x16 a, gf_m31 b) { return gf_m31x16_mul(a, gf_m31x16_broadcast(b)); }
static inline gf_m31 gf_m31x16_hsum(gf_m31x16 a) { uint64_t s = 0; for (int i = 0; i < 16; i++) s += a.v[i]; return gf_m31_from_u64(s); }
static inline int gf_m31x16_eq(gf_m31x16 a, gf_m31x16 b) { for (int i = 0; i < 16; i++) if (a.v[i] != b.v[i]) return 0; return 1; }
static inline const char *gf_m31x16_backend(void) { return "scalar"; }

#endif
