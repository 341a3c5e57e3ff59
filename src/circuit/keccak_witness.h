#ifndef GF_CIRCUIT_KECCAK_WITNESS_H
#define GF_CIRCUIT_KECCAK_WITNESS_H
/* Witnesses for Expander-cpp's Keccak benchmark circuit (ExtractedCircuit{Mul,Add}.txt,
 * imported with gf_circuit_import_extracted). Layout, derived from the files and checked by
 * tests/test_keccak_import.c (details in docs/formats.md):
 *   one instance = 8 independent Keccak-f[1600] permutations; permutation k uses the wire
 *   block [1601k, 1601k + 1601):
 *   input  1601k                         = 1 (constant-one wire; iota and NOT read it)
 *   input  1601k + 1 + 64*(x + 5y) + z   = bit z of lane A[x][y] (standard lane order)
 *   output 1601k                         = 1 (the constant wire passed through)
 *   output 1601k + 1 + 64*(5x + y) + z   = bit z of lane A'[x][y], A' = Keccak-f[1600](A)
 *                                          (note the transposed lane order)
 *   inputs 12808.. are never read (the top wire only by a zero-coefficient gate); set to 0;
 *   outputs 12808.. are 0.
 * So the circuit computes the permutation: its outputs are NOT zero residuals. Any boolean
 * state with the constant wires set to 1 is a valid witness; the expected output is
 * Keccak-f of it (gf_keccak_extracted_output computes it natively). */
#include <stdint.h>
#include "circuit/circuit.h"
#include "circuit/witness.h"

#define GF_KECCAK_EXTRACTED_PERMS 8u       /* permutations per instance */
#define GF_KECCAK_EXTRACTED_STRIDE 1601u   /* wires per permutation: constant + 1600 bits */
#define GF_KECCAK_EXTRACTED_LAYERS 168u    /* 24 rounds x 7 layers */

/* GF_ERR_INVALID unless c has the shape of that circuit (m31, 168 layers, 2^14 inputs and
 * outputs). */
gf_status gf_keccak_extracted_check(const gf_circuit *c, gf_error *err);

/* Writes permutation `perm` of `instance`: its constant wire and the 1600 state bits of
 * lanes[x + 5y] (bit z = (lanes >> z) & 1). */
gf_status gf_keccak_extracted_set_state(gf_witness *w, uint64_t instance, unsigned perm,
                                        const uint64_t lanes[25], gf_error *err);

/* A witness of n_instances instances with uniformly random states (deterministic in seed);
 * every other input 0. */
gf_status gf_keccak_extracted_witness(const gf_circuit *c, uint64_t n_instances, uint64_t seed,
                                      gf_witness **out, gf_error *err);

/* The circuit output of one instance computed natively (Keccak-f on each of the 8 states),
 * out[0..out_len), out_len >= 8*1601 (normally 2^14; the rest is zero). Fails if the
 * instance's inputs are not well formed (constant wire != 1 or a state value not 0/1). */
gf_status gf_keccak_extracted_output(const gf_witness *w, uint64_t instance, gf_m31 *out, uint64_t out_len,
                                     gf_error *err);

#endif
