#ifndef GF_PROVER_GRAPH_PROOF_H
#define GF_PROVER_GRAPH_PROOF_H
/* Setup, prove and verify for a computation graph (graph/graph.h) and its witness.
 *
 * Proof (version 2, integers little-endian):
 *   "GKRFGPRF" | u32 version | u32 field | 32 B graph digest | u32 pcs id
 *   | u32 n_commitments | n x 32 B commitments (raw PCS v2: SHA-256 over chunk digests, pcs.h)
 *   | u32 n_templates | per template t (in order):
 *       u32 t | u64 gkr_len | GKR messages | u32 n_claims (1 or 2)
 *       | per claim, per kernel component: 12 B value of the component's committed vector at
 *         the component's share of the claim point
 *   | PCS section (raw: per commitment u64 len | values as 4-byte LE)
 * Fiat-Shamir, per template, a fresh transcript ("gkrflow/graph-proof/v1") absorbs the graph
 * digest, the template index and, per component, the commitment index, its commitment and
 * the broadcast flag, BEFORE the kernel's random coefficients are drawn and before any GKR
 * challenge. The verifier checks the template count and order, every sumcheck, every
 * recombination claim = sum_i eq(point_high_i, offset_i / len_i) * v_i, and every opening.
 * Instances: a template's P instances are packed 16 per block (K = max(1, P/16) blocks);
 * when P < 16 lane s holds instance s mod P, so the committed vector's MLE only sees the
 * low log2(P) lane variables. Proof bytes do not depend on thread or rank counts. */
#include "common/buf.h"
#include "common/pool.h"
#include "graph/graph.h"

#define GF_GRAPH_PROOF_VERSION 2u   /* 2: chunked raw M31 commitment (raw-pcs/v2) */

typedef struct gf_graph_prove_stats {
    double t_commit, t_gkr, t_open, t_total;   /* seconds; t_gkr includes circuit evaluation */
    /* t_gkr on this rank, by step (summed over its templates): prover set-up (gate plans),
     * receiving/packing inputs, circuit evaluation, the sumchecks, the component claims */
    double t_setup, t_inputs, t_eval, t_sumcheck, t_claims;
    double t_commit_in_gkr;                    /* internal: commitment time inside the templates */
    uint64_t proof_bytes, gkr_bytes, opening_bytes;
    size_t peak_rss;                           /* bytes, process high-water mark after proving */
} gf_graph_prove_stats;

/* Optional settings for gf_graph_prove_comm (NULL = none). progress is called on rank 0
 * before each template (done = templates finished so far) and once at the end (done = n),
 * so a caller can show progress on long proofs. */
typedef struct gf_graph_prove_opts {
    void (*progress)(void *ctx, uint32_t done, uint32_t n, const char *kernel, uint64_t instances);
    void *progress_ctx;
    /* the graph's digest if the caller already has it (gf_graph_digest of this very graph):
     * hashing a large graph again costs several milliseconds; NULL = compute it */
    const uint8_t *digest;
    /* nonzero: the proof stops before the raw openings (the witness's vectors, by far its
     * largest part) and the caller writes them after it with gf_graph_write_openings, e.g.
     * straight into the proof file: the same bytes without copying them into the buffer
     * (stats->proof_bytes still counts them) */
    int openings_by_caller;
} gf_graph_prove_opts;

/* Writes the openings section of a proof of g with witness w to f (see openings_by_caller). */
gf_status gf_graph_write_openings(FILE *f, const gf_graph *g, const gf_graph_witness *w, gf_error *err);

/* Setup file: "GKRFSETP" | u32 version | u32 pcs id | 32 B graph digest. The raw PCS is
 * transparent, so the setup only pins the graph; KZG parameters will follow it. */
gf_status gf_graph_setup(const gf_graph *g, gf_buf *setup, gf_error *err);
/* setup may be NULL (default transparent setup) or the bytes from gf_graph_setup. */
gf_status gf_graph_check_setup(const gf_graph *g, const uint8_t *setup, size_t len, gf_error *err);

gf_status gf_graph_prove(const gf_graph *g, const gf_graph_witness *w, gf_pool *pool, gf_buf *proof,
                         gf_graph_prove_stats *stats, gf_error *err);
/* Across MPI ranks: every rank passes the same graph; the witness and the proof buffer are
 * used on rank 0 only (NULL elsewhere). A template with K blocks is proved by the first
 * min(ranks, K) ranks, each holding K / that many consecutive blocks; rank 0 sends them their
 * data. The proof equals the single-process proof. */
struct gf_comm;
gf_status gf_graph_prove_comm(const gf_graph *g, const gf_graph_witness *w, const struct gf_comm *comm, gf_pool *pool,
                              const gf_graph_prove_opts *opts, gf_buf *proof, gf_graph_prove_stats *stats,
                              gf_error *err);
gf_status gf_graph_verify(const gf_graph *g, const uint8_t *proof, size_t len, gf_error *err);

#endif
