#include "gkr/mle_bn254.h"
#include <stdlib.h>

void gf_mle_bn254_eq_table(gf_bn254fr *out, const gf_bn254fr *r, unsigned k, const gf_bn254fr *scale) {
    if (scale) out[0] = *scale;
    else gf_bn254fr_one(&out[0]);
    for (unsigned i = 0; i < k; i++) {
        size_t h = (size_t)1 << i;
        for (size_t j = 0; j < h; j++) {
            gf_bn254fr hi;
            gf_bn254fr_mul(&hi, &out[j], &r[i]);
            gf_bn254fr_sub(&out[j], &out[j], &hi);
            out[j + h] = hi;
        }
    }
}

void gf_mle_bn254_eq_point(gf_bn254fr *out, const gf_bn254fr *a, const gf_bn254fr *b, unsigned k) {
    gf_bn254fr acc, one, t, ab;
    gf_bn254fr_one(&acc);
    gf_bn254fr_one(&one);
    for (unsigned i = 0; i < k; i++) {
        /* a b + (1-a)(1-b) = 1 - a - b + 2ab */
        gf_bn254fr_mul(&ab, &a[i], &b[i]);
        gf_bn254fr_dbl(&ab, &ab);
        gf_bn254fr_sub(&t, &one, &a[i]);
        gf_bn254fr_sub(&t, &t, &b[i]);
        gf_bn254fr_add(&t, &t, &ab);
        gf_bn254fr_mul(&acc, &acc, &t);
    }
    *out = acc;
}

int gf_mle_bn254_eval(gf_bn254fr *out, const gf_bn254fr *vals, const gf_bn254fr *r, unsigned k) {
    if (k == 0) { *out = vals[0]; return 0; }
    size_t h = (size_t)1 << (k - 1);
    gf_bn254fr *t = malloc(h * sizeof *t), d;
    if (!t) return -1;
    for (size_t j = 0; j < h; j++) {
        gf_bn254fr_sub(&d, &vals[2 * j + 1], &vals[2 * j]);
        gf_bn254fr_mul(&d, &d, &r[0]);
        gf_bn254fr_add(&t[j], &vals[2 * j], &d);
    }
    for (unsigned i = 1; i < k; i++) {
        h >>= 1;
        for (size_t j = 0; j < h; j++) {
            gf_bn254fr_sub(&d, &t[2 * j + 1], &t[2 * j]);
            gf_bn254fr_mul(&d, &d, &r[i]);
            gf_bn254fr_add(&t[j], &t[2 * j], &d);
        }
    }
    *out = t[0];
    free(t);
    return 0;
}

/* 1/2 and 1/6 mod r as canonical integers (little-endian limbs). */
static const uint64_t INV2[4] = {0xa1f0fac9f8000001ull, 0x9419f4243cdcb848ull, 0xdc2822db40c0ac2eull, 0x183227397098d014ull};
static const uint64_t INV6[4] = {0xb891a1fb48000001ull, 0x4c2b4191bac53323ull, 0xc442e4c2c1411ef8ull, 0x285396b510feb022ull};

/* Lagrange basis on {0,1,2}: l0 = (r-1)(r-2)/2, l1 = -r(r-2), l2 = r(r-1)/2. */
void gf_interp_bn254_deg2(gf_bn254fr *out, const gf_bn254fr p[3], const gf_bn254fr *r) {
    gf_bn254fr one, inv2, rm1, rm2, l0, l1, l2, acc, t;
    gf_bn254fr_one(&one);
    (void)gf_bn254fr_from_canonical(&inv2, INV2);
    gf_bn254fr_sub(&rm1, r, &one);
    gf_bn254fr_sub(&rm2, &rm1, &one);
    gf_bn254fr_mul(&l0, &rm1, &rm2);
    gf_bn254fr_mul(&l0, &l0, &inv2);
    gf_bn254fr_mul(&l1, r, &rm2);
    gf_bn254fr_neg(&l1, &l1);
    gf_bn254fr_mul(&l2, r, &rm1);
    gf_bn254fr_mul(&l2, &l2, &inv2);
    gf_bn254fr_mul(&acc, &p[0], &l0);
    gf_bn254fr_mul(&t, &p[1], &l1);
    gf_bn254fr_add(&acc, &acc, &t);
    gf_bn254fr_mul(&t, &p[2], &l2);
    gf_bn254fr_add(out, &acc, &t);
}

/* Basis on {0,1,2,3}: l0 = -(r-1)(r-2)(r-3)/6, l1 = r(r-2)(r-3)/2, l2 = -r(r-1)(r-3)/2,
 * l3 = r(r-1)(r-2)/6. */
void gf_interp_bn254_deg3(gf_bn254fr *out, const gf_bn254fr p[4], const gf_bn254fr *r) {
    gf_bn254fr one, inv2, inv6, rm1, rm2, rm3, l[4], acc, t;
    gf_bn254fr_one(&one);
    (void)gf_bn254fr_from_canonical(&inv2, INV2);
    (void)gf_bn254fr_from_canonical(&inv6, INV6);
    gf_bn254fr_sub(&rm1, r, &one);
    gf_bn254fr_sub(&rm2, &rm1, &one);
    gf_bn254fr_sub(&rm3, &rm2, &one);
    gf_bn254fr_mul(&l[0], &rm1, &rm2);
    gf_bn254fr_mul(&l[0], &l[0], &rm3);
    gf_bn254fr_mul(&l[0], &l[0], &inv6);
    gf_bn254fr_neg(&l[0], &l[0]);
    gf_bn254fr_mul(&l[1], r, &rm2);
    gf_bn254fr_mul(&l[1], &l[1], &rm3);
    gf_bn254fr_mul(&l[1], &l[1], &inv2);
    gf_bn254fr_mul(&l[2], r, &rm1);
    gf_bn254fr_mul(&l[2], &l[2], &rm3);
    gf_bn254fr_mul(&l[2], &l[2], &inv2);
    gf_bn254fr_neg(&l[2], &l[2]);
    gf_bn254fr_mul(&l[3], r, &rm1);
    gf_bn254fr_mul(&l[3], &l[3], &rm2);
    gf_bn254fr_mul(&l[3], &l[3], &inv6);
    gf_bn254fr_mul(&acc, &p[0], &l[0]);
    for (int i = 1; i < 4; i++) {
        gf_bn254fr_mul(&t, &p[i], &l[i]);
        gf_bn254fr_add(&acc, &acc, &t);
    }
    *out = acc;
}
