#include "gkr/mle.h"
#include <stdlib.h>
#include "common/util.h"

void gf_mle_eq_table(gf_m31ext3 *out, const gf_m31ext3 *r, unsigned k, gf_m31ext3 scale) {
    out[0] = scale;
    for (unsigned i = 0; i < k; i++) {
        size_t h = (size_t)1 << i;
        for (size_t j = 0; j < h; j++) {
            gf_m31ext3 hi = gf_m31ext3_mul(out[j], r[i]);
            out[j + h] = hi;
            out[j] = gf_m31ext3_sub(out[j], hi);
        }
    }
}

gf_m31ext3x16 gf_mle_eq_lanes(const gf_m31ext3 *r, unsigned k, gf_m31ext3 scale) {
    gf_m31ext3 lo[16];
    unsigned kl = k < 4 ? k : 4;
    gf_mle_eq_table(lo, r, kl, scale);
    gf_m31ext3x16 L = gf_m31ext3x16_zero();
    for (size_t s = 0; s < ((size_t)1 << kl); s++) gf_m31ext3x16_set_lane(&L, (int)s, lo[s]);
    return L;
}

int gf_mle_eq_table_x16(gf_m31ext3x16 *out, const gf_m31ext3 *r, unsigned k, gf_m31ext3 scale) {
    gf_m31ext3x16 L = gf_mle_eq_lanes(r, k, scale);
    if (k <= 4) { out[0] = L; return 0; }
    size_t nh = (size_t)1 << (k - 4);
    gf_m31ext3 *hi = malloc(nh * sizeof *hi);
    if (!hi) return -1;
    gf_mle_eq_table(hi, r + 4, k - 4, gf_m31ext3_one());
    for (size_t j = 0; j < nh; j++) out[j] = gf_m31ext3x16_scale(L, hi[j]);
    free(hi);
    return 0;
}

gf_m31ext3 gf_mle_eq_point(const gf_m31ext3 *a, const gf_m31ext3 *b, unsigned k) {
    gf_m31ext3 acc = gf_m31ext3_one();
    for (unsigned i = 0; i < k; i++) {
        /* a b + (1-a)(1-b) = 1 - a - b + 2ab */
        gf_m31ext3 ab = gf_m31ext3_mul(a[i], b[i]);
        gf_m31ext3 t = gf_m31ext3_add(gf_m31ext3_sub(gf_m31ext3_sub(gf_m31ext3_one(), a[i]), b[i]), gf_m31ext3_add(ab, ab));
        acc = gf_m31ext3_mul(acc, t);
    }
    return acc;
}

/* Small tables: bind the low variable first, one scalar at a time. */
static gf_m31ext3 mle_eval_m31_scalar(const gf_m31 *vals, const gf_m31ext3 *r, unsigned k) {
    if (k == 0) return gf_m31ext3_from_base(vals[0]);
    size_t h = (size_t)1 << (k - 1);
    gf_m31ext3 *t = malloc(h * sizeof *t);
    if (!t) return gf_m31ext3_zero();   /* callers size-check before; avoids a crash path */
    for (size_t j = 0; j < h; j++) {
        gf_m31 d = gf_m31_sub(vals[2 * j + 1], vals[2 * j]);
        t[j] = gf_m31ext3_add(gf_m31ext3_from_base(vals[2 * j]), gf_m31ext3_mul_base(r[0], d));
    }
    for (unsigned i = 1; i < k; i++) {
        h >>= 1;
        for (size_t j = 0; j < h; j++)
            t[j] = gf_m31ext3_add(t[2 * j], gf_m31ext3_mul(r[i], gf_m31ext3_sub(t[2 * j + 1], t[2 * j])));
    }
    gf_m31ext3 v = t[0];
    free(t);
    return v;
}

/* Binding the top variables first pairs whole vectors of 16 (entries j and j + 2^(k-1)), so
 * the work is packed products instead of scalar extension arithmetic per value (about 10x
 * faster; the value is the same, an MLE being unique). The last 16 entries are finished in
 * scalars. */
gf_m31ext3 gf_mle_eval_m31(const gf_m31 *vals, const gf_m31ext3 *r, unsigned k) {
    if (k <= 5) return mle_eval_m31_scalar(vals, r, k);
    /* the first pass binds the top t <= 4 variables at once (16 strided base vectors per
     * output vector, weighted by eq over those variables), so the scratch is 2^-t of the
     * input: 384 KB for 2^19 values instead of a 3 MB table faulted in on every call */
    const unsigned t4 = k - 5 < 4 ? k - 5 : 4;
    const size_t q = (size_t)1 << (k - t4), nv = q / 16;
    gf_m31ext3 w[16];
    gf_mle_eq_table(w, r + (k - t4), t4, gf_m31ext3_one());
    gf_m31ext3x16 *t = gf_alloc_aligned(nv, sizeof *t);
    if (!t) return mle_eval_m31_scalar(vals, r, k);   /* still correct, only slower */
    for (size_t v = 0; v < nv; v++) {
        gf_m31ext3x16 acc = gf_m31ext3x16_ext_times_base(w[0], gf_m31x16_load(vals + 16 * v));
        for (size_t u = 1; u < ((size_t)1 << t4); u++)
            acc = gf_m31ext3x16_add(acc, gf_m31ext3x16_ext_times_base(w[u], gf_m31x16_load(vals + u * q + 16 * v)));
        t[v] = acc;
    }
    size_t n = nv;
    for (unsigned i = k - t4; i-- > 4;) {
        n /= 2;
        for (size_t v = 0; v < n; v++) t[v] = gf_m31ext3x16_add(t[v], gf_m31ext3x16_scale(gf_m31ext3x16_sub(t[v + n], t[v]), r[i]));
    }
    /* 16 entries over the low 4 variables */
    gf_m31ext3 e[16];
    for (int s = 0; s < 16; s++) e[s] = gf_m31ext3x16_lane(&t[0], s);
    gf_free_aligned(t);
    for (unsigned i = 0; i < 4; i++) {
        size_t m = (size_t)8 >> i;
        for (size_t j = 0; j < m; j++) e[j] = gf_m31ext3_add(e[2 * j], gf_m31ext3_mul(r[i], gf_m31ext3_sub(e[2 * j + 1], e[2 * j])));
    }
    return e[0];
}

/* Lagrange basis on {0,1,2} and {0,1,2,3}; denominators 2 and 6 inverted once per call. */
gf_m31ext3 gf_interp_deg2(const gf_m31ext3 p[3], gf_m31ext3 r) {
    const gf_m31 inv2 = (GF_M31_P + 1) / 2;
    gf_m31ext3 one = gf_m31ext3_one(), two = gf_m31ext3_from_base(2);
    gf_m31ext3 rm1 = gf_m31ext3_sub(r, one), rm2 = gf_m31ext3_sub(r, two);
    gf_m31ext3 l0 = gf_m31ext3_mul_base(gf_m31ext3_mul(rm1, rm2), inv2);
    gf_m31ext3 l1 = gf_m31ext3_neg(gf_m31ext3_mul(r, rm2));
    gf_m31ext3 l2 = gf_m31ext3_mul_base(gf_m31ext3_mul(r, rm1), inv2);
    return gf_m31ext3_add(gf_m31ext3_add(gf_m31ext3_mul(p[0], l0), gf_m31ext3_mul(p[1], l1)), gf_m31ext3_mul(p[2], l2));
}

gf_m31ext3 gf_interp_deg3(const gf_m31ext3 p[4], gf_m31ext3 r) {
    const gf_m31 inv2 = (GF_M31_P + 1) / 2, inv6 = gf_m31_inv(6);
    gf_m31ext3 one = gf_m31ext3_one();
    gf_m31ext3 rm1 = gf_m31ext3_sub(r, one), rm2 = gf_m31ext3_sub(rm1, one), rm3 = gf_m31ext3_sub(rm2, one);
    gf_m31ext3 l0 = gf_m31ext3_neg(gf_m31ext3_mul_base(gf_m31ext3_mul(gf_m31ext3_mul(rm1, rm2), rm3), inv6));
    gf_m31ext3 l1 = gf_m31ext3_mul_base(gf_m31ext3_mul(gf_m31ext3_mul(r, rm2), rm3), inv2);
    gf_m31ext3 l2 = gf_m31ext3_neg(gf_m31ext3_mul_base(gf_m31ext3_mul(gf_m31ext3_mul(r, rm1), rm3), inv2));
    gf_m31ext3 l3 = gf_m31ext3_mul_base(gf_m31ext3_mul(gf_m31ext3_mul(r, rm1), rm2), inv6);
    gf_m31ext3 s = gf_m31ext3_add(gf_m31ext3_mul(p[0], l0), gf_m31ext3_mul(p[1], l1));
    return gf_m31ext3_add(s, gf_m31ext3_add(gf_m31ext3_mul(p[2], l2), gf_m31ext3_mul(p[3], l3)));
}
