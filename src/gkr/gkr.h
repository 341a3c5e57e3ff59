#ifndef GF_GKR_GKR_H
#define GF_GKR_GKR_H
/* Data-parallel GKR over M31 (Libra-style, linear-time prover).
 *
 * Statement: for a layered circuit C and N = 16*K instances (K = n_blocks, a power of two),
 * every output of every instance is 0. The input of layer l is the multilinear extension
 * V_l(s, x, b) over s = lane (4 bits), x = wire (in_log bits), b = block (log2 K bits), in
 * that variable order, LSB-first (index = s + 16*x + 16*2^in_log*b, which is exactly the
 * memory order of the block-major packed value arrays).
 *
 * Per layer (output to input), with incoming claims on points (rz0, r_sb) [and (rz1, r_sb),
 * combined with a transcript challenge alpha]:
 *   phase 1: sumcheck over x (in_log rounds, degree 2, 3 evaluations each), then over (s, b)
 *            (4 + log2 K rounds, degree 3, 4 evaluations each); prover sends vx = V(rx, r_sb');
 *   phase 2 (only if the layer has mul gates): sumcheck over y (in_log rounds, degree 2,
 *            variables bound from the most significant down), prover sends vy = V(ry, r_sb').
 * Every message is absorbed by the transcript before the next challenge. The output claim is
 * at (rz, r_sb) drawn from the transcript, with value 0 (default: every output is a
 * constraint residual) or, in public-output mode, the MLE of the public outputs there (the
 * caller absorbs the outputs into the transcript before calling; nothing else is sent).
 * The result is one or two claims on the input layer's MLE, checked by the caller (PCS).
 * The proof bytes are exactly the sequence of messages: 12-byte M31Ext3 values. */
#include <stdint.h>
#include "circuit/circuit.h"
#include "common/buf.h"
#include "common/pool.h"
#include "field/m31ext3.h"
#include "transcript/transcript.h"

typedef struct gf_gkr_claim {
    uint32_t n_vars;          /* 4 + in_log(layer 0) + log2 K */
    gf_m31ext3 *point;        /* n_vars coordinates, (s, x, b) order */
    gf_m31ext3 value;
} gf_gkr_claim;

typedef struct gf_gkr_claims { int n; gf_gkr_claim c[2]; } gf_gkr_claims;
void gf_gkr_claims_free(gf_gkr_claims *cl);

/* vals: the packed evaluation from gf_circuit_eval_m31x16 (vals[l] = input of layer l,
 * vals[n_layers] = outputs, which must all be zero unless public_outputs). coefs: the
 * circuit's coefficient values with random entries already drawn from t. Writes messages
 * to proof and t. */
gf_status gf_gkr_m31_prove(const gf_circuit *c, const gf_m31 *coefs, gf_m31x16 *const *vals, uint64_t n_blocks,
                           int public_outputs, gf_transcript *t, gf_buf *proof, gf_pool *pool, gf_gkr_claims *out,
                           gf_error *err);

/* Reusable prover: scratch tables sized once for (circuit, n_blocks) and reused by every run,
 * so repeated proofs allocate nothing. The circuit must outlive the prover. */
typedef struct gf_gkr_m31_prover gf_gkr_m31_prover;
gf_status gf_gkr_m31_prover_new(gf_gkr_m31_prover **out, const gf_circuit *c, uint64_t n_blocks, gf_error *err);
void gf_gkr_m31_prover_free(gf_gkr_m31_prover *p);
/* Layer 0 given as regions: per 16 consecutive mul gates (16-aligned), whether they form a
 * column of a matrix-vector product: one output, one coefficient, (oriented) first inputs
 * x .. x + 15 in one region, second inputs y + s d (d a positive multiple of 16) in one
 * region; d = 0 otherwise. Found once when the prover is made; *n_chunks = ceil(n_mul / 16)
 * entries, or NULL when layer 0 is not given as regions. The graph prover evaluates such
 * columns as one dot product per block. */
typedef struct gf_gkr_column { uint32_t x, y, d, out, coef; } gf_gkr_column;
const gf_gkr_column *gf_gkr_m31_prover_columns(const gf_gkr_m31_prover *p, uint64_t *n_chunks);
gf_status gf_gkr_m31_prover_run(gf_gkr_m31_prover *p, const gf_m31 *coefs, gf_m31x16 *const *vals, int public_outputs,
                                gf_transcript *t, gf_buf *proof, gf_pool *pool, gf_gkr_claims *out, gf_error *err);

/* MPI: ranks of comm prove one statement together; each holds n_blocks blocks (rank r:
 * global blocks [r n_blocks, (r+1) n_blocks)), the block count of the statement is
 * n_blocks * size (a power of two). Only rank 0 uses the transcript and the proof buffer
 * (the others pass NULL); every rank receives the claim points, only rank 0 the values; the
 * proof bytes equal the single-process
 * proof of the same instances. A NULL comm means a single process. */
struct gf_comm;
gf_status gf_gkr_m31_prover_new_comm(gf_gkr_m31_prover **out, const gf_circuit *c, uint64_t n_blocks,
                                     const struct gf_comm *comm, gf_error *err);

/* Layer-0 input given as regions instead of the packed vals[0]: aligned power-of-two slices
 * [offset, offset + len) of the circuit input, each shared by every instance (shared != 0,
 * shared_vals: len values — e.g. a broadcast matrix) or per instance (packed: n_blocks * len
 * values, block-major); wires outside every region are 0. The proof is exactly the one the
 * packed input would give; memory for shared regions is one scalar table instead of one
 * packed table per block. Create with the shapes (data pointers may be NULL), then set the
 * data with gf_gkr_m31_prover_set_regions before each run; vals[0] is then not read. */
typedef struct gf_gkr_region {
    uint64_t offset, len;
    int shared;
    const gf_m31 *shared_vals;
    const gf_m31x16 *packed;
} gf_gkr_region;
gf_status gf_gkr_m31_prover_new_regions(gf_gkr_m31_prover **out, const gf_circuit *c, uint64_t n_blocks, size_t n_regions,
                                        const gf_gkr_region *regions, gf_error *err);
gf_status gf_gkr_m31_prover_set_regions(gf_gkr_m31_prover *p, const gf_gkr_region *regions, gf_error *err);
/* Regions across MPI ranks: packed regions hold this rank's n_blocks blocks.
 * flags: 0, or GF_GKR_ORIENT_SHARED_SECOND: layer-0 mul gates whose first input lies in a
 * shared region and whose second does not are proved with their inputs swapped, i.e. the
 * proof is the one for the circuit with those gates re-oriented (so HG stays off the shared
 * data); the verifier must use that re-oriented circuit. Saves the caller a copy of layer 0. */
#define GF_GKR_ORIENT_SHARED_SECOND 1u
gf_status gf_gkr_m31_prover_new_regions_comm(gf_gkr_m31_prover **out, const gf_circuit *c, uint64_t n_blocks,
                                             size_t n_regions, const gf_gkr_region *regions, const struct gf_comm *comm,
                                             unsigned flags, gf_error *err);

/* Replays the prover's messages from r; on success out holds the input claims that the caller
 * must check against the committed input. GF_ERR_VERIFY with the layer, phase and round at
 * fault on rejection; GF_ERR_FORMAT if the proof is truncated. */
/* outputs: NULL (all outputs must be 0) or the public outputs, 16*K*2^out_log values in MLE
 * order (lane, wire, block). */
gf_status gf_gkr_m31_verify(const gf_circuit *c, const gf_m31 *coefs, uint64_t n_blocks, const gf_m31 *outputs,
                            gf_transcript *t, gf_reader *proof, gf_gkr_claims *out, gf_error *err);

/* Size in bytes of the GKR messages for this circuit and K. */
uint64_t gf_gkr_m31_proof_bytes(const gf_circuit *c, uint64_t n_blocks);

#endif
