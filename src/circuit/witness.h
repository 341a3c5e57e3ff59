#ifndef GF_CIRCUIT_WITNESS_H
#define GF_CIRCUIT_WITNESS_H
/* Witness: the circuit inputs of n_instances independent instances.
 * Layout is instance-major: input i of instance k is m31[k * n_inputs + i] (or fr[...] for a
 * BN254 witness). Exactly one of m31 / fr is non-NULL, matching field; values canonical.
 * For proving, n_inputs must equal the circuit's input length (2^in_log of layer 0);
 * gf_witness_check checks that. gf_witness_pack_m31x16 turns a run of 16*n_blocks
 * instances into the block-major M31x16 layout of gf_circuit_eval_m31x16 (instance k of the
 * run = block k/16, lane k%16).
 * File format "GKRFWITN" version 1: docs/formats.md, section "Witness file". */
#include <stdint.h>
#include <stdio.h>
#include "common/error.h"
#include "field/field.h"
#include "field/m31.h"
#include "field/m31x16.h"
#include "field/bn254fr.h"

typedef struct gf_circuit gf_circuit;

typedef struct gf_witness {
    int field;              /* gf_field_id */
    uint64_t n_instances;
    uint64_t n_inputs;
    gf_m31 *m31;            /* field == M31: n_instances * n_inputs values, else NULL */
    gf_bn254fr *fr;         /* field == BN254: n_instances * n_inputs values, else NULL */
} gf_witness;

/* Limits enforced by gf_witness_new and the reader. */
#define GF_WITNESS_MAX_INPUTS (1ull << 30)

/* Zero-filled witness. n_instances >= 1, 1 <= n_inputs <= GF_WITNESS_MAX_INPUTS. */
gf_status gf_witness_new(gf_witness **out, int field, uint64_t n_instances, uint64_t n_inputs, gf_error *err);
void gf_witness_free(gf_witness *w);   /* accepts NULL */

gf_status gf_witness_write(const gf_witness *w, FILE *f, gf_error *err);
gf_status gf_witness_save(const gf_witness *w, const char *path, gf_error *err);
/* Rejects bad magic, unknown version or field, sizes over the limits or beyond the file,
 * truncation, trailing bytes and non-canonical values, naming the file and byte offset. */
gf_status gf_witness_read(gf_witness **out, FILE *f, const char *name, gf_error *err);
gf_status gf_witness_load(gf_witness **out, const char *path, gf_error *err);

/* GF_ERR_INVALID unless the witness fits the circuit (same field, n_inputs == input length). */
gf_status gf_witness_check(const gf_witness *w, const gf_circuit *c, gf_error *err);

/* Packs instances [first, first + 16*n_blocks) of an M31 witness: out[b * n_inputs + x].v[j]
 * = input x of instance first + 16*b + j. out has n_blocks * n_inputs entries. */
gf_status gf_witness_pack_m31x16(const gf_witness *w, uint64_t first, uint64_t n_blocks,
                                 gf_m31x16 *out, gf_error *err);

#endif
