#ifndef GF_GKR_GKR_BN254_H
#define GF_GKR_GKR_BN254_H
/* Data-parallel GKR over BN254 Fr: the protocol of gkr.h with circuit field = challenge
 * field = Fr and no SIMD lanes (one instance per table entry).
 *
 * Statement: for a layered circuit C (field BN254) and N instances (N a power of two,
 * 1 <= N <= 2^24), every output of every instance is 0. The input of layer l is the MLE
 * V_l(x, b) over x = wire (in_log bits) and b = instance (log2 N bits), in that variable
 * order, LSB-first: index = x + 2^in_log * b, i.e. instance-major rows, the layout of the
 * vals arrays below.
 *
 * Per layer (output to input), with incoming claims on (rz0, r_b) [and (rz1, r_b), combined
 * with a transcript challenge alpha]:
 *   phase 1: sumcheck over x (in_log rounds, degree 2, 3 evaluations each), then over b
 *            (log2 N rounds, degree 3, 4 evaluations each); prover sends vx = V(rx, r_b');
 *   phase 2 (only if the layer has mul gates): sumcheck over y (in_log rounds, degree 2,
 *            variables bound from the most significant down), prover sends vy = V(ry, r_b').
 * Every message is absorbed by the transcript before the next challenge. The output claim is
 * at (rz, r_b) drawn from the transcript after the label "gkr-output", with value 0 or, in
 * public-output mode, the MLE of the public outputs there (the caller absorbs the outputs
 * before calling). The result is one or two claims on the input layer's MLE, checked by the
 * caller (PCS). The proof bytes are exactly the messages: 32-byte canonical big-endian Fr
 * (the transcript's encoding); the verifier rejects non-canonical encodings. */
#include <stdint.h>
#include "circuit/circuit.h"
#include "common/buf.h"
#include "common/pool.h"
#include "field/bn254fr.h"
#include "transcript/transcript.h"

#define GF_GKR_BN254_MAX_INSTANCES (1ull << 24)

typedef struct gf_gkr_bn254_claim {
    uint32_t n_vars;          /* in_log(layer 0) + log2 N */
    gf_bn254fr *point;        /* n_vars coordinates, (x, b) order */
    gf_bn254fr value;
} gf_gkr_bn254_claim;

typedef struct gf_gkr_bn254_claims { int n; gf_gkr_bn254_claim c[2]; } gf_gkr_bn254_claims;
void gf_gkr_bn254_claims_free(gf_gkr_bn254_claims *cl);

/* Evaluates N instances layer by layer: input holds N instance-major rows of 2^in_log(layer
 * 0) values; on success *vals has n_layers + 1 arrays (vals[l] = input of layer l, N * 2^log
 * entries, instance-major; vals[n_layers] = outputs), each from gf_alloc_aligned. */
gf_status gf_gkr_bn254_eval(const gf_circuit *c, const gf_bn254fr *coefs, const gf_bn254fr *input, uint64_t n_instances,
                            gf_pool *pool, gf_bn254fr ***vals, gf_error *err);
void gf_gkr_bn254_vals_free(const gf_circuit *c, gf_bn254fr **vals);   /* NULL ok */

/* vals: as from gf_gkr_bn254_eval (outputs must all be zero unless public_outputs; the
 * first non-zero one gives GF_ERR_WITNESS naming its instance). coefs: the circuit's
 * coefficient values with random entries already drawn from t. Writes messages to proof
 * and t; out receives the input claims. */
gf_status gf_gkr_bn254_prove(const gf_circuit *c, const gf_bn254fr *coefs, gf_bn254fr *const *vals, uint64_t n_instances,
                             int public_outputs, gf_transcript *t, gf_buf *proof, gf_pool *pool,
                             gf_gkr_bn254_claims *out, gf_error *err);

/* Replays the prover's messages; on success out holds the input claims the caller must check
 * against the committed input. outputs: NULL (all outputs must be 0) or the public outputs,
 * N * 2^out_log values in MLE order (wire, instance). GF_ERR_VERIFY naming the layer, phase
 * and round at fault; GF_ERR_FORMAT on truncation or a non-canonical element. */
gf_status gf_gkr_bn254_verify(const gf_circuit *c, const gf_bn254fr *coefs, uint64_t n_instances,
                              const gf_bn254fr *outputs, gf_transcript *t, gf_reader *proof,
                              gf_gkr_bn254_claims *out, gf_error *err);

/* Size in bytes of the GKR messages for this circuit and N. */
uint64_t gf_gkr_bn254_proof_bytes(const gf_circuit *c, uint64_t n_instances);

#endif
