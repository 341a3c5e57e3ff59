#ifndef GF_CIRCUIT_CIRCUIT_H
#define GF_CIRCUIT_CIRCUIT_H
/* Layered arithmetic circuits.
 *
 * Model. layers[0] reads the circuit input (2^layers[0].in_log values); layer i writes
 * 2^out_log values which are the input of layer i+1, so layers[i].out_log ==
 * layers[i+1].in_log. The last layer's outputs are constraint residuals: a witness is valid
 * iff every output of every instance is 0. Gate semantics (output array starts at zero):
 *   mul:   out[o] += coef * in[i0] * in[i1]
 *   add:   out[o] += coef * in[i]
 *   const: out[o] += coef
 * Coefficients are indices into the circuit's coefficient table; an entry is either a
 * constant (its value stored in the table) or RANDOM: its value is drawn from the Fiat-Shamir
 * transcript at proving time (after the input commitment), one draw per random entry in table
 * order. The circuit itself is immutable; provers/verifiers keep their own filled copy of
 * the coefficient values (gf_circuit_coefs_*).
 *
 * Invariants (checked by gf_circuit_validate, which every reader and importer calls):
 *   1 <= n_layers; 0 <= in_log, out_log <= 30; consecutive layers chain;
 *   every gate index < its array size; every coef index < n_coefs;
 *   field is GF_FIELD_M31 or GF_FIELD_BN254 and the matching coef array is non-NULL.
 * Gate order within a layer is as given (stable, deterministic).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include "common/error.h"
#include "field/field.h"
#include "field/m31.h"
#include "field/m31x16.h"
#include "field/bn254fr.h"

typedef struct gf_gate_mul { uint32_t out, in0, in1, coef; } gf_gate_mul;
typedef struct gf_gate_add { uint32_t out, in, coef; } gf_gate_add;
typedef struct gf_gate_const { uint32_t out, coef; } gf_gate_const;

typedef struct gf_layer {
    uint32_t in_log, out_log;
    uint64_t n_mul, n_add, n_const;
    gf_gate_mul *mul;
    gf_gate_add *add;
    gf_gate_const *cst;
} gf_layer;

enum { GF_COEF_CONST = 0, GF_COEF_RANDOM = 1 };

typedef struct gf_circuit {
    int field;                 /* gf_field_id */
    uint32_t n_layers;
    gf_layer *layers;          /* [0] = input side, [n_layers-1] = output side */
    uint32_t n_coefs;
    uint8_t *coef_kind;        /* GF_COEF_CONST / GF_COEF_RANDOM per entry */
    gf_m31 *coef_m31;          /* field == M31: values (0 for random entries) */
    gf_bn254fr *coef_fr;       /* field == BN254: values (0 for random entries) */
} gf_circuit;

/* Lifetime. gf_circuit_free accepts NULL and partially built circuits. */
gf_circuit *gf_circuit_new(int field, uint32_t n_layers, gf_error *err);
void gf_circuit_free(gf_circuit *c);
gf_status gf_circuit_validate(const gf_circuit *c, gf_error *err);

static inline uint64_t gf_circuit_input_len(const gf_circuit *c) { return 1ull << c->layers[0].in_log; }
static inline uint64_t gf_circuit_output_len(const gf_circuit *c) { return 1ull << c->layers[c->n_layers - 1].out_log; }
uint32_t gf_circuit_n_random(const gf_circuit *c);
uint64_t gf_circuit_n_gates(const gf_circuit *c);

/* Evaluation of N = 16*n_blocks instances packed in M31x16 (field must be M31).
 * coefs: n_coefs filled values. input: n_blocks * 2^in_log(layer 0) packed values,
 * block-major (block b, wire x at input[b * 2^in_log + x]).
 * vals (out): vals[i] receives the input of layer i for i < n_layers and vals[n_layers] the
 * output; each is an array of n_blocks * 2^log packed values, block-major, allocated by the
 * callee with gf_alloc_aligned (free each with gf_free_aligned, then the array with free). */
gf_status gf_circuit_eval_m31x16(const gf_circuit *c, const gf_m31 *coefs, const gf_m31x16 *input,
                                 uint64_t n_blocks, gf_m31x16 ***vals, gf_error *err);
/* Single-instance scalar reference evaluator (tests check the packed path against it). */
gf_status gf_circuit_eval_m31(const gf_circuit *c, const gf_m31 *coefs, const gf_m31 *input,
                              gf_m31 *output, gf_error *err);

/* Serialisation: binary file, magic "GKRFCIRC", version 1; see docs/formats.md.
 * The digest (SHA-256 over the canonical encoding) identifies the circuit in transcripts. */
gf_status gf_circuit_write(const gf_circuit *c, FILE *f, gf_error *err);
gf_status gf_circuit_save(const gf_circuit *c, const char *path, gf_error *err);
gf_status gf_circuit_read(gf_circuit **out, FILE *f, const char *name, gf_error *err);
gf_status gf_circuit_load(gf_circuit **out, const char *path, gf_error *err);
gf_status gf_circuit_digest(const gf_circuit *c, uint8_t digest[32], gf_error *err);

/* Importer for Expander-cpp "extracted gates" text files (mul + add file, .xz accepted).
 * See docs/formats.md for the layout. */
gf_status gf_circuit_import_extracted(gf_circuit **out, const char *mul_path, const char *add_path,
                                      gf_error *err);

/* ---- Additions (builders, helpers). All arrays of a circuit are malloc-owned by it.
 * The evaluators do not re-validate: they assume gf_circuit_validate(c) == GF_OK (readers
 * and the importer guarantee it) and canonical coefficient and input values. ---- */

/* Limits enforced by gf_circuit_validate and the readers. */
#define GF_CIRCUIT_MAX_LOG 30u
#define GF_CIRCUIT_MAX_LAYERS (1u << 20)

/* Allocates the coefficient table (n_coefs zero-filled const entries; replaces any old one). */
gf_status gf_circuit_alloc_coefs(gf_circuit *c, uint32_t n_coefs, gf_error *err);
/* Sets the sizes of layer i and allocates its zero-filled gate arrays (replacing old ones). */
gf_status gf_circuit_alloc_layer(gf_circuit *c, uint32_t i, uint32_t in_log, uint32_t out_log,
                                 uint64_t n_mul, uint64_t n_add, uint64_t n_const, gf_error *err);
/* The filled coefficient values: out[j] = table value for const entries and the next value of
 * rnd (rnd[0], rnd[1], ... in table order) for random entries; rnd may be NULL if
 * gf_circuit_n_random(c) == 0. out has n_coefs entries. */
gf_status gf_circuit_coefs_fill_m31(const gf_circuit *c, const gf_m31 *rnd, gf_m31 *out, gf_error *err);
gf_status gf_circuit_coefs_fill_bn254(const gf_circuit *c, const gf_bn254fr *rnd, gf_bn254fr *out,
                                      gf_error *err);
/* Frees the vals array returned by gf_circuit_eval_m31x16 (c->n_layers + 1 entries); NULL ok. */
void gf_circuit_vals_free(const gf_circuit *c, gf_m31x16 **vals);
/* Allocates a zero-filled vals array shaped like gf_circuit_eval_m31x16's (c->n_layers + 1
 * arrays of n_blocks * 2^log values, gf_alloc_aligned); free with gf_circuit_vals_free. */
gf_status gf_circuit_vals_alloc(const gf_circuit *c, uint64_t n_blocks, gf_m31x16 ***vals, gf_error *err);
/* Like gf_circuit_eval_m31x16 but into caller-owned arrays (e.g. from gf_circuit_vals_alloc,
 * reused across proofs: first-touch page faults of fresh buffers cost more than the gate
 * work itself). vals[0] must hold the input; vals[1..n_layers] are overwritten. */
gf_status gf_circuit_eval_m31x16_into(const gf_circuit *c, const gf_m31 *coefs, uint64_t n_blocks,
                                      gf_m31x16 **vals, gf_error *err);
/* Evaluation plan: for every gate, whether it is the first (in mul, add, const order) to
 * write its output, and the outputs no gate writes. With it, evaluation into reused arrays
 * stores the first contribution instead of clearing each layer's outputs first (clearing
 * was ~40% of the packed evaluation of the Keccak circuit). Built once per circuit; the
 * circuit must not change afterwards. */
typedef struct gf_circuit_eval_plan gf_circuit_eval_plan;
gf_status gf_circuit_eval_plan_new(gf_circuit_eval_plan **out, const gf_circuit *c, gf_error *err);
void gf_circuit_eval_plan_free(gf_circuit_eval_plan *p);
/* gf_circuit_eval_m31x16_into with a plan of c: same values, no clearing. */
gf_status gf_circuit_eval_m31x16_plan(const gf_circuit *c, const gf_circuit_eval_plan *p, const gf_m31 *coefs,
                                      uint64_t n_blocks, gf_m31x16 **vals, gf_error *err);
/* Single-instance BN254 evaluation (field must be BN254); output has 2^out_log(last) entries. */
gf_status gf_circuit_eval_bn254(const gf_circuit *c, const gf_bn254fr *coefs, const gf_bn254fr *input,
                                gf_bn254fr *output, gf_error *err);
/* Encoded size of the circuit file in bytes (what gf_circuit_write produces). */
uint64_t gf_circuit_encoded_size(const gf_circuit *c);

#endif
