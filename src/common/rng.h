#ifndef GF_COMMON_RNG_H
#define GF_COMMON_RNG_H
/* Deterministic, seedable PRNG (xoshiro256**) for tests, benchmarks and random witnesses.
 * NOT for protocol randomness: challenges come from the transcript only. */
#include <stdint.h>

typedef struct gf_rng { uint64_t s[4]; } gf_rng;

void gf_rng_seed(gf_rng *r, uint64_t seed);
static inline uint64_t gf_rng_u64(gf_rng *r) {
    uint64_t *s = r->s;
    uint64_t x = s[1] * 5;
    uint64_t result = ((x << 7) | (x >> 57)) * 9;
    uint64_t t = s[1] << 17;
    s[2] ^= s[0]; s[3] ^= s[1]; s[1] ^= s[2]; s[0] ^= s[3];
    s[2] ^= t;
    s[3] = (s[3] << 45) | (s[3] >> 19);
    return result;
}
static inline uint32_t gf_rng_u32(gf_rng *r) { return (uint32_t)(gf_rng_u64(r) >> 32); }
/* Uniform in [0, n) for n > 0 (rejection sampling). */
uint64_t gf_rng_below(gf_rng *r, uint64_t n);

#endif
