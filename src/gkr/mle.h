#ifndef GF_GKR_MLE_H
#define GF_GKR_MLE_H
/* Multilinear-extension helpers over M31Ext3.
 * Convention (everywhere in gkrflow): variables are LSB-first: variable k is bit k of the
 * table index, so eq(r, i) = prod_k (r_k if bit k of i else 1 - r_k). */
#include <stddef.h>
#include "field/m31ext3.h"
#include "field/m31ext3x16.h"

/* out[i] = scale * eq(r, i) for i < 2^k. */
void gf_mle_eq_table(gf_m31ext3 *out, const gf_m31ext3 *r, unsigned k, gf_m31ext3 scale);
/* Packed form: element i sits in lane i % 16 of vector i / 16; out has max(1, 2^k / 16)
 * vectors (for k < 4 lanes >= 2^k are 0). ~9 packed multiplications per 16 entries instead of
 * 16 scalar extension multiplications. Returns -1 on allocation failure, else 0. */
int gf_mle_eq_table_x16(gf_m31ext3x16 *out, const gf_m31ext3 *r, unsigned k, gf_m31ext3 scale);
/* Its first vector: lane s = scale * eq(r_0..r_{min(k,4)-1}, s) (lanes >= 2^k zero); every
 * vector j of the table is this one times eq of the high variables at j. */
gf_m31ext3x16 gf_mle_eq_lanes(const gf_m31ext3 *r, unsigned k, gf_m31ext3 scale);
static inline gf_m31ext3 gf_eq16_at(const gf_m31ext3x16 *t, size_t i) { return gf_m31ext3x16_lane(&t[i >> 4], (int)(i & 15)); }
static inline size_t gf_eq16_vectors(unsigned k) { return k < 4 ? 1 : (size_t)1 << (k - 4); }
/* eq(a, b) for two points of k coordinates. */
gf_m31ext3 gf_mle_eq_point(const gf_m31ext3 *a, const gf_m31ext3 *b, unsigned k);
/* MLE of 2^k base-field values at r (k coordinates); vals needs no alignment. */
gf_m31ext3 gf_mle_eval_m31(const gf_m31 *vals, const gf_m31ext3 *r, unsigned k);
/* Degree-2 polynomial given at t = 0,1,2, evaluated at r; degree-3 given at 0..3. */
gf_m31ext3 gf_interp_deg2(const gf_m31ext3 p[3], gf_m31ext3 r);
gf_m31ext3 gf_interp_deg3(const gf_m31ext3 p[4], gf_m31ext3 r);

#endif
