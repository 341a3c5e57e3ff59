#ifndef GF_PROVER_PROOF_HEADER_H
#define GF_PROVER_PROOF_HEADER_H
/* Internal to src/prover: the field-independent part of circuit proofs (layout and transcript
 * binding in circuit_proof.h), shared by the M31 and BN254 provers and verifiers.
 * Shapes: n real instances are padded to N instances; the header's block count is
 *   M31:   N = max(16, 2^ceil(log2 n)), blocks = N / 16 (16 instances per M31x16 block);
 *   BN254: N = 2^ceil(log2 n),          blocks = N      (one instance per block). */
#include <stdint.h>
#include "circuit/circuit.h"
#include "common/buf.h"
#include "transcript/transcript.h"

typedef struct gf_proof_header {
    uint32_t field, flags;
    uint64_t n_instances, n_blocks;
    uint8_t digest[32], commitment[32];
} gf_proof_header;

/* Padded instance count N and block count for n >= 1 real instances of a field. */
uint64_t gf_proof_padded_instances(int field, uint64_t n);
uint64_t gf_proof_blocks(int field, uint64_t N);
/* Writes magic | version | field | flags | n_instances | n_blocks | digest | pcs (raw) | commitment. */
void gf_proof_header_write(gf_buf *b, const gf_proof_header *h);
/* Reads and checks that header against c: magic, version, field == c's field, known flags,
 * consistent counts (n in 1..2^24, blocks as above), raw PCS and the circuit digest. */
gf_status gf_proof_header_read(gf_reader *r, const gf_circuit *c, gf_proof_header *h, gf_error *err);
/* Initialises t with the circuit-proof tag and absorbs digest, flags, counts and commitment. */
gf_status gf_proof_transcript_start(gf_transcript *t, const gf_proof_header *h, gf_error *err);

/* The circuit's coefficient values with its random entries drawn from t (label
 * "random-coefficients", one challenge per random entry in table order). *out is malloc'd. */
gf_status gf_proof_draw_coefs_m31(const gf_circuit *c, gf_transcript *t, gf_m31 **out, gf_error *err);
gf_status gf_proof_draw_coefs_bn254(const gf_circuit *c, gf_transcript *t, gf_bn254fr **out, gf_error *err);

#endif
