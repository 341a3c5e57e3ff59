#ifndef GF_PROVER_CIRCUIT_PROOF_H
#define GF_PROVER_CIRCUIT_PROOF_H
/* Proof that every instance of a data-parallel layered circuit satisfies it (all outputs 0).
 *
 * Proof file (all integers little-endian), version 1:
 *   "GKRFPROF" | u32 version | u32 field | u32 flags | u64 n_instances | u64 n_blocks
 *   | 32 B circuit digest | u32 pcs id | 32 B input commitment
 *   | [flags & PUBLIC_OUTPUTS: u64 count | count x 4-byte outputs, (lane, wire, block) order]
 *   | u64 gkr_len | gkr messages (see gkr.h) | u64 opening_len | PCS opening
 * Statement: without PUBLIC_OUTPUTS, every output of every instance is 0 (outputs are
 * constraint residuals); with it, the committed inputs evaluate to the listed outputs.
 * Fiat-Shamir: transcript tag "gkrflow/circuit-proof/v1", then the circuit digest, the
 * instance counts and the commitment are absorbed BEFORE the circuit's random coefficients
 * are drawn (one M31 per random entry, table order); public outputs (a function of the
 * committed input and those coefficients) are absorbed after them and before any GKR
 * challenge.
 * Instances are padded to N = max(16, next power of two) by repeating the last instance
 * (which satisfies the circuit if the last real one does).
 *
 * BN254 (field 2, circuit_proof_bn254.c): the same layout and transcript binding with
 * 32-byte canonical big-endian Fr elements (outputs, GKR messages of gkr_bn254.h, raw
 * opening), N = next power of two >= n (no minimum), n_blocks = N (one instance per block),
 * outputs and the committed input in (wire, instance) MLE order, and one Fr challenge per
 * random coefficient entry. */
#include "circuit/circuit.h"
#include "common/buf.h"
#include "common/pool.h"

#define GF_PROOF_VERSION 2u   /* 2: chunked raw M31 commitment (raw-pcs/v2) */
#define GF_PROOF_FLAG_PUBLIC_OUTPUTS 1u

typedef struct gf_prove_stats {
    double t_commit, t_eval, t_gkr, t_open, t_total;   /* seconds */
    uint64_t proof_bytes, gkr_bytes, opening_bytes;
} gf_prove_stats;

/* Reusable prover for one (circuit, n_blocks): caches the circuit digest, the per-layer value
 * buffers and the GKR scratch, so repeated proofs allocate nothing large. The circuit must
 * outlive it. Callers may pack inputs straight into gf_circuit_prover_input(p)
 * (n_blocks * 2^in_log values, block-major) and pass packed = NULL. */
typedef struct gf_circuit_prover gf_circuit_prover;
gf_status gf_circuit_prover_new(gf_circuit_prover **out, const gf_circuit *c, uint64_t n_blocks, gf_error *err);
void gf_circuit_prover_free(gf_circuit_prover *p);
gf_m31x16 *gf_circuit_prover_input(gf_circuit_prover *p);
gf_status gf_circuit_prover_prove(gf_circuit_prover *p, const gf_m31x16 *packed, uint64_t n_real, int public_outputs,
                                  gf_pool *pool, gf_buf *proof, gf_prove_stats *stats, gf_error *err);

/* input: n_instances instance-major rows of 2^in_log(layer 0) values. */
gf_status gf_circuit_prove_m31(const gf_circuit *c, const gf_m31 *input, uint64_t n_instances, int public_outputs,
                               gf_pool *pool, gf_buf *proof, gf_prove_stats *stats, gf_error *err);
/* Same with inputs already packed block-major (n_blocks * 2^in_log M31x16, all lanes real). */
gf_status gf_circuit_prove_packed_m31(const gf_circuit *c, const gf_m31x16 *packed, uint64_t n_blocks,
                                      int public_outputs, gf_pool *pool, gf_buf *proof, gf_prove_stats *stats,
                                      gf_error *err);
/* On success *n_instances (if non-NULL) is the proven instance count and *flags the header flags. */
gf_status gf_circuit_verify_m31(const gf_circuit *c, const uint8_t *proof, size_t len, uint64_t *n_instances,
                                uint32_t *flags, gf_error *err);

/* BN254: input holds n_instances instance-major rows of 2^in_log(layer 0) values. */
gf_status gf_circuit_prove_bn254(const gf_circuit *c, const gf_bn254fr *input, uint64_t n_instances, int public_outputs,
                                 gf_pool *pool, gf_buf *proof, gf_prove_stats *stats, gf_error *err);
gf_status gf_circuit_verify_bn254(const gf_circuit *c, const uint8_t *proof, size_t len, uint64_t *n_instances,
                                  uint32_t *flags, gf_error *err);

#endif
