#include "field/m31ext3.h"
#include "common/util.h"

gf_m31ext3 gf_m31ext3_pow(gf_m31ext3 a, uint64_t e) {
    gf_m31ext3 r = gf_m31ext3_one();
    while (e) {
        if (e & 1) r = gf_m31ext3_mul(r, a);
        a = gf_m31ext3_sqr(a);
        e >>= 1;
    }
    return r;
}

/* Frobenius: phi(x) = x^p = 5^((p-1)/3) x since x^3 = 5. With w = 5^((p-1)/3),
 * a^p = a0 + a1 w x + a2 w^2 x^2 and a^(p^2) likewise with w^2, w^4.
 * Then N(a) = a * a^p * a^(p^2) lies in F_p and a^-1 = a^p a^(p^2) / N(a). */
static gf_m31ext3 frob(gf_m31ext3 a, gf_m31 w) {
    gf_m31ext3 r = {{a.c[0], gf_m31_mul(a.c[1], w), gf_m31_mul(a.c[2], gf_m31_mul(w, w))}};
    return r;
}

gf_m31ext3 gf_m31ext3_inv(gf_m31ext3 a) {
    if (gf_m31ext3_is_zero(a)) return a;
    gf_m31 w = gf_m31_pow(GF_M31EXT3_W, (GF_M31_P - 1) / 3);
    gf_m31ext3 ap = frob(a, w), ap2 = frob(a, gf_m31_mul(w, w));
    gf_m31ext3 conj = gf_m31ext3_mul(ap, ap2);
    gf_m31ext3 n = gf_m31ext3_mul(a, conj);          /* in F_p: n.c[1] = n.c[2] = 0 */
    return gf_m31ext3_mul_base(conj, gf_m31_inv(n.c[0]));
}

gf_m31ext3 gf_m31ext3_random(gf_rng *rng) {
    gf_m31ext3 r = {{gf_m31_random(rng), gf_m31_random(rng), gf_m31_random(rng)}};
    return r;
}

void gf_m31ext3_to_bytes(uint8_t out[12], gf_m31ext3 a) {
    for (int i = 0; i < 3; i++) gf_put_u32le(out + 4 * i, a.c[i]);
}

int gf_m31ext3_from_bytes(gf_m31ext3 *out, const uint8_t in[12]) {
    for (int i = 0; i < 3; i++) {
        uint32_t v = gf_get_u32le(in + 4 * i);
        if (v >= GF_M31_P) return -1;
        out->c[i] = v;
    }
    return 0;
}
