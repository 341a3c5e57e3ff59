#ifndef GF_FIELD_M31_H
#define GF_FIELD_M31_H
/* Mersenne-31: p = 2^31 - 1.
 * Invariant: a gf_m31 always holds the canonical representative in [0, p-1]; every function
 * returns canonical values given canonical inputs, so equality is ==. Values read from outside
 * (files, bytes) go through gf_m31_from_u32 / gf_m31_from_u64 which reduce.
 * Encoding: 4 bytes little-endian (canonical). */
#include <stdint.h>
#include "common/rng.h"

typedef uint32_t gf_m31;
#define GF_M31_P 0x7fffffffu

static inline gf_m31 gf_m31_from_u32(uint32_t x) {
    uint32_t r = (x & GF_M31_P) + (x >> 31);
    return r >= GF_M31_P ? r - GF_M31_P : r;
}
static inline gf_m31 gf_m31_from_u64(uint64_t x) {
    /* 2^31 = 1 mod p: fold 31-bit chunks */
    uint64_t r = (x & GF_M31_P) + (x >> 31);          /* < 2^34 */
    r = (r & GF_M31_P) + (r >> 31);                    /* < 2^31 + 8 */
    return (gf_m31)(r >= GF_M31_P ? r - GF_M31_P : r);
}
static inline uint32_t gf_m31_to_u32(gf_m31 a) { return a; }
static inline gf_m31 gf_m31_add(gf_m31 a, gf_m31 b) {
    uint32_t r = a + b;
    return r >= GF_M31_P ? r - GF_M31_P : r;
}
static inline gf_m31 gf_m31_sub(gf_m31 a, gf_m31 b) {
    uint32_t r = a - b;
    return a >= b ? r : r + GF_M31_P;
}
static inline gf_m31 gf_m31_neg(gf_m31 a) { return a ? GF_M31_P - a : 0; }
static inline gf_m31 gf_m31_dbl(gf_m31 a) { return gf_m31_add(a, a); }
static inline gf_m31 gf_m31_mul(gf_m31 a, gf_m31 b) {
    uint64_t t = (uint64_t)a * b;                      /* < 2^62 */
    uint32_t r = (uint32_t)(t & GF_M31_P) + (uint32_t)(t >> 31);
    return r >= GF_M31_P ? r - GF_M31_P : r;
}
static inline gf_m31 gf_m31_sqr(gf_m31 a) { return gf_m31_mul(a, a); }

gf_m31 gf_m31_pow(gf_m31 a, uint64_t e);
/* Inverse; gf_m31_inv(0) = 0 (callers that care check for zero first). */
gf_m31 gf_m31_inv(gf_m31 a);
/* Uniform in [0, p). */
gf_m31 gf_m31_random(gf_rng *rng);

#endif
