#ifndef GF_GRAPH_GRAPH_H
#define GF_GRAPH_GRAPH_H
/* Computation graph: what the prover and verifier need to know about a program of kernel
 * calls, independent of the data. Produced by gf_context_compile_graph (context.h), saved and
 * loaded as a versioned binary file with a digest.
 *
 * Model (zkCUDA):
 *   - Committed vectors ("commitments"): every device memory (user inputs, kernel outputs) and
 *     one hint vector per call of a kernel that has hints, numbered in creation order. Each
 *     has a padded length (a power of two) = the length of the vector in the witness.
 *   - One template per kernel call, in call order. The call's kernel has n components
 *     (inputs in spec order, outputs in spec order, then hints; see frontend/kernel.h), each
 *     of padded per-instance length comp_len[i] placed at comp_offset[i] in the circuit input.
 *     Component i reads committed vector commit[i]:
 *       broadcast[i] = 1: the vector has length comp_len[i]; every instance reads all of it;
 *       broadcast[i] = 0: the vector has length comp_len[i] * parallel_count; instance p
 *                         reads [p * comp_len[i], (p + 1) * comp_len[i]).
 *   - parallel_count is the call's instance count padded to a power of two (padding instances
 *     are replicas of the last one, as the device-memory padding makes them). When the
 *     program views the instance dimension as several (e.g. 6 instances also seen as [2][3]),
 *     it is padded per dimension ([2][4]: P = 8, slot 4 = instance 3, slot 3 a replica of
 *     instance 2); the slots are still consistent across all components of the call.
 * Invariants (checked by gf_graph_validate, called by the reader):
 *   every kernel circuit validates and is M31; comp_len powers of two, offsets aligned to their
 *   length and inside the circuit input; template kernel and commitment indices in range;
 *   vector lengths consistent with the rule above; parallel_count a power of two;
 *   at least one non-broadcast component per template.
 * The digest (SHA-256 of the canonical encoding) identifies the graph in every transcript. */
#include <stdint.h>
#include <stdio.h>
#include "circuit/circuit.h"
#include "common/error.h"

#define GF_GRAPH_NAME_MAX 64u

typedef struct gf_graph_kernel {
    char name[GF_GRAPH_NAME_MAX];   /* for messages; "" if unnamed */
    gf_circuit *circuit;            /* owned */
    uint32_t n_components;
    uint64_t *comp_len;             /* padded per-instance length, original component order */
    uint64_t *comp_offset;          /* offset in the circuit input */
} gf_graph_kernel;

typedef struct gf_graph_template {
    uint32_t kernel;
    uint64_t parallel_count;        /* power of two */
    uint64_t n_instances;           /* (added) the call's unpadded instance count, 1..parallel_count;
                                       0 = not recorded. Not used by proofs: lets a replay be
                                       checked (12 and 16 instances both pad to 16) */
    uint32_t *commit;               /* per component of the kernel: committed vector index */
    uint8_t *broadcast;             /* per component */
} gf_graph_template;

typedef struct gf_graph {
    int field;                      /* GF_FIELD_M31 */
    uint32_t n_kernels;
    gf_graph_kernel *kernels;
    uint32_t n_commitments;
    uint64_t *commit_len;           /* padded length of each committed vector */
    uint32_t n_templates;
    gf_graph_template *templates;
} gf_graph;

void gf_graph_free(gf_graph *g);    /* NULL ok; frees everything it owns */
gf_status gf_graph_validate(const gf_graph *g, gf_error *err);
/* Binary file: magic "GKRFGRPH", u32 version; see docs/formats.md. Readers are strict. */
gf_status gf_graph_save(const gf_graph *g, const char *path, gf_error *err);
gf_status gf_graph_load(gf_graph **out, const char *path, gf_error *err);
gf_status gf_graph_read(gf_graph **out, FILE *f, const char *name, gf_error *err);
gf_status gf_graph_write(const gf_graph *g, FILE *f, gf_error *err);
gf_status gf_graph_digest(const gf_graph *g, uint8_t digest[32], gf_error *err);

/* Witness of a graph: the committed vectors, padded, in commitment order.
 * File: magic "GKRFGWIT", u32 version, graph digest (32 bytes), then the vectors. */
typedef struct gf_graph_witness {
    uint32_t n;                     /* = graph n_commitments */
    uint64_t *len;                  /* = graph commit_len */
    gf_m31 **vec;                   /* vec[i][0..len[i]) */
    uint8_t graph_digest[32];       /* the graph this witness belongs to */
} gf_graph_witness;

/* (added) A witness shaped for g: zero vectors of g's lengths, g's digest. The arrays are
 * malloc-owned by the witness (gf_graph_witness_free frees vec[i], vec, len and w). */
gf_status gf_graph_witness_new(gf_graph_witness **out, const gf_graph *g, gf_error *err);
void gf_graph_witness_free(gf_graph_witness *w);
/* GF_ERR_INVALID naming the first mismatch unless w fits g (count, lengths, digest; also
 * every value canonical). */
gf_status gf_graph_witness_check(const gf_graph_witness *w, const gf_graph *g, gf_error *err);
/* The same with g's digest already computed (gf_graph_digest), which hashes the whole graph. */
gf_status gf_graph_witness_check_digest(const gf_graph_witness *w, const gf_graph *g, const uint8_t digest[32], gf_error *err);
gf_status gf_graph_witness_save(const gf_graph_witness *w, const char *path, gf_error *err);
gf_status gf_graph_witness_load(gf_graph_witness **out, const char *path, gf_error *err);
/* (added) Stream forms of the witness file (the reader expects the end of the stream after it). */
gf_status gf_graph_witness_write(const gf_graph_witness *w, FILE *f, gf_error *err);
gf_status gf_graph_witness_read(gf_graph_witness **out, FILE *f, const char *name, gf_error *err);

#endif
