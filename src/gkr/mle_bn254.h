#ifndef GF_GKR_MLE_BN254_H
#define GF_GKR_MLE_BN254_H
/* Multilinear-extension helpers over BN254 Fr (the Fr twin of mle.h, same conventions):
 * variables are LSB-first, so eq(r, i) = prod_k (r_k if bit k of i else 1 - r_k).
 * Outputs may not alias inputs unless stated. */
#include <stddef.h>
#include "field/bn254fr.h"

/* out[i] = scale * eq(r, i) for i < 2^k (scale NULL means 1). */
void gf_mle_bn254_eq_table(gf_bn254fr *out, const gf_bn254fr *r, unsigned k, const gf_bn254fr *scale);
/* eq(a, b) for two points of k coordinates. */
void gf_mle_bn254_eq_point(gf_bn254fr *out, const gf_bn254fr *a, const gf_bn254fr *b, unsigned k);
/* MLE of the 2^k values at r (k coordinates). Returns 0, or -1 if scratch allocation failed. */
int gf_mle_bn254_eval(gf_bn254fr *out, const gf_bn254fr *vals, const gf_bn254fr *r, unsigned k);
/* Polynomial of degree 2 given at t = 0,1,2 (degree 3: at 0..3), evaluated at r. */
void gf_interp_bn254_deg2(gf_bn254fr *out, const gf_bn254fr p[3], const gf_bn254fr *r);
void gf_interp_bn254_deg3(gf_bn254fr *out, const gf_bn254fr p[4], const gf_bn254fr *r);

#endif
