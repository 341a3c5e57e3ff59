#include "field/m31.h"

gf_m31 gf_m31_pow(gf_m31 a, uint64_t e) {
    gf_m31 r = 1;
    while (e) {
        if (e & 1) r = gf_m31_mul(r, a);
        a = gf_m31_sqr(a);
        e >>= 1;
    }
    return r;
}

gf_m31 gf_m31_inv(gf_m31 a) { return gf_m31_pow(a, GF_M31_P - 2); }

gf_m31 gf_m31_random(gf_rng *rng) {
    for (;;) {
        uint32_t x = gf_rng_u32(rng) >> 1;   /* 31 bits, reject p itself */
        if (x != GF_M31_P) return x;
    }
}
