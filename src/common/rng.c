#include "common/rng.h"

void gf_rng_seed(gf_rng *r, uint64_t seed) {
    /* splitmix64 expands the seed so nearby seeds give unrelated streams */
    for (int i = 0; i < 4; i++) {
        uint64_t z = (seed += 0x9e3779b97f4a7c15ull);
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
        z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
        r->s[i] = z ^ (z >> 31);
    }
}

uint64_t gf_rng_below(gf_rng *r, uint64_t n) {
    uint64_t lim = UINT64_MAX - UINT64_MAX % n;
    uint64_t x;
    do { x = gf_rng_u64(r); } while (x >= lim);
    return x % n;
}
