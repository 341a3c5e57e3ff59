#ifndef GF_FIELD_BN254FR_H
#define GF_FIELD_BN254FR_H
/* BN254 scalar field Fr:
 *   r = 21888242871839275222246405745257275088548364400416034343698204186575808495617
 *     = 0x30644e72e131a029b85045b68181585d2833e84879b9709143e1f593f0000001  (254 bits).
 * Invariant: l[0..3] are little-endian 64-bit limbs of the Montgomery form a*R mod r with
 * R = 2^256, always fully reduced (< r). So equality is limb equality and zero is all-zero
 * limbs. Every function keeps the invariant given valid inputs; values from outside
 * (bytes, integers) enter only through the from_* functions, which check or reduce.
 * All functions allow the output to alias any input.
 * Encoding: 32 bytes of the canonical integer (never the Montgomery form), little-endian
 * (Expander's serde) or big-endian; decoding rejects values >= r. */
#include <stdint.h>
#include "common/rng.h"

typedef struct gf_bn254fr { uint64_t l[4]; } gf_bn254fr;

/* Inline hot code (bn254fr_impl.h), all constant time:
 *   void gf_bn254fr_zero(gf_bn254fr *out);          void gf_bn254fr_one(gf_bn254fr *out);
 *   int  gf_bn254fr_eq(const gf_bn254fr *a, const gf_bn254fr *b);
 *   int  gf_bn254fr_is_zero(const gf_bn254fr *a);
 *   void gf_bn254fr_add / _sub / _mul(gf_bn254fr *out, const gf_bn254fr *a, const gf_bn254fr *b);
 *   void gf_bn254fr_neg / _dbl / _sqr(gf_bn254fr *out, const gf_bn254fr *a);
 *   void gf_bn254fr_from_u64(gf_bn254fr *out, uint64_t x);
 * GF_BN254FR_ONE_INIT / GF_BN254FR_RR_INIT initialise constants (R and R^2 mod r). */
#include "field/bn254fr_impl.h"

/* a^e; 0^0 = 1. Time depends on e, not on a. */
void gf_bn254fr_pow(gf_bn254fr *out, const gf_bn254fr *a, uint64_t e);
/* a^e with e a 256-bit integer, e[0] least significant limb. */
void gf_bn254fr_pow_u256(gf_bn254fr *out, const gf_bn254fr *a, const uint64_t e[4]);
/* Inverse a^(r-2) (Fermat); gf_bn254fr_inv(0) = 0 (callers that care check for zero first). */
void gf_bn254fr_inv(gf_bn254fr *out, const gf_bn254fr *a);
/* Uniform in [0, r) (rejection sampling). */
void gf_bn254fr_random(gf_bn254fr *out, gf_rng *rng);

/* Canonical integer <-> element. from_canonical returns 0, or -1 if in >= r (out untouched). */
int gf_bn254fr_from_canonical(gf_bn254fr *out, const uint64_t in[4]);
void gf_bn254fr_to_canonical(uint64_t out[4], const gf_bn254fr *a);

/* 32-byte canonical encodings. from_* return 0, or -1 if the value is >= r (out untouched). */
int gf_bn254fr_from_bytes_le(gf_bn254fr *out, const uint8_t in[32]);
void gf_bn254fr_to_bytes_le(uint8_t out[32], const gf_bn254fr *a);
int gf_bn254fr_from_bytes_be(gf_bn254fr *out, const uint8_t in[32]);
void gf_bn254fr_to_bytes_be(uint8_t out[32], const gf_bn254fr *a);

/* The 64 bytes as a little-endian 512-bit integer, reduced mod r (bias <= 2^-250): how the
 * transcript turns squeezed bytes into a uniform challenge. */
void gf_bn254fr_from_uniform64(gf_bn254fr *out, const uint8_t in[64]);

/* Which mul/sqr code this build uses: "adx" (MULX/ADCX/ADOX asm) or "int128" (portable C). */
const char *gf_bn254fr_backend(void);

#endif
