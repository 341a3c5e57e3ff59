#ifndef GF_PCS_PCS_H
#define GF_PCS_PCS_H
/* Polynomial commitment schemes for the multilinear extension of a committed vector.
 * Interface (per scheme): setup (public parameters, empty for transparent schemes), commit
 * (bytes absorbed by the transcript before any challenge), open (prover bytes proving
 * P(point) = value for one or more claims), verify, and a batch variant that opens many
 * (vector, point) pairs with one proof. Schemes are identified in proof files by gf_pcs_id.
 * Implemented: RAW (the opening is the vector itself; the verifier evaluates the MLE).
 * KZG over BN254 slots in behind the same calls. */
#include <stddef.h>
#include <stdio.h>
#include <stdint.h>
#include "common/buf.h"
#include "common/error.h"
#include "field/m31.h"
#include "field/m31ext3.h"
#include "field/bn254fr.h"

typedef enum gf_pcs_id { GF_PCS_RAW = 1, GF_PCS_KZG = 2 } gf_pcs_id;
struct gf_transcript;

/* The scheme interface over M31 vectors (a BN254 twin follows the same shape for KZG).
 * Vectors have power-of-two lengths; points have log2(len) M31Ext3 coordinates, LSB-first.
 * params/params_len come from setup (empty for transparent schemes). Commitments are
 * commitment_bytes long and are absorbed by the caller's transcript before any challenge.
 * open/verify take the transcript (after the claims were absorbed) for schemes whose
 * openings are interactive; batch_* open several (vector, point) claims with one opening
 * and must check every claim (claim i is on vector vec_of[i]). */
typedef struct gf_pcs_m31 {
    gf_pcs_id id;
    const char *name;
    size_t commitment_bytes;
    gf_status (*setup)(unsigned max_vars, gf_buf *params, gf_error *err);
    gf_status (*commit)(const uint8_t *params, size_t params_len, const gf_m31 *vals, uint64_t len, uint8_t *com,
                        gf_error *err);
    gf_status (*batch_open)(const uint8_t *params, size_t params_len, size_t n_vecs, const gf_m31 *const *vecs,
                            const uint64_t *lens, size_t n_claims, const uint32_t *vec_of, const gf_m31ext3 *const *points,
                            struct gf_transcript *t, gf_buf *proof, gf_error *err);
    gf_status (*batch_verify)(const uint8_t *params, size_t params_len, size_t n_vecs, const uint8_t *const *coms,
                              const uint64_t *lens, size_t n_claims, const uint32_t *vec_of,
                              const gf_m31ext3 *const *points, const gf_m31ext3 *values, struct gf_transcript *t,
                              gf_reader *proof, gf_error *err);
} gf_pcs_m31;

/* Single-vector open/verify through the batch calls. */
gf_status gf_pcs_m31_open(const gf_pcs_m31 *s, const uint8_t *params, size_t params_len, const gf_m31 *vals, uint64_t len,
                          size_t n_points, const gf_m31ext3 *const *points, struct gf_transcript *t, gf_buf *proof,
                          gf_error *err);
gf_status gf_pcs_m31_verify(const gf_pcs_m31 *s, const uint8_t *params, size_t params_len, const uint8_t *com, uint64_t len,
                            size_t n_points, const gf_m31ext3 *const *points, const gf_m31ext3 *values,
                            struct gf_transcript *t, gf_reader *proof, gf_error *err);
/* The raw scheme: transparent, commitment = the hash below, the opening of a batch = each
 * vector's values once (in vector order), the verifier evaluates every claim. */
const gf_pcs_m31 *gf_pcs_raw_m31(void);

/* RAW over M31: the values (4-byte LE each) are hashed in chunks of GF_PCS_RAW_CHUNK (the
 * last one shorter), D_i = SHA-256(chunk i), and
 *   commitment = SHA-256("gkrflow/raw-pcs/v2" || u64 len LE || D_0 || D_1 || ...).
 * Chunks let ranks (or threads) that hold different parts of a vector hash their parts
 * (gf_pcs_raw_chunk_digests_m31 on whole chunks) and one of them combine the digests. */
#define GF_PCS_RAW_CHUNK ((uint64_t)1 << 15)
static inline uint64_t gf_pcs_raw_chunks(uint64_t len) { return len ? (len + GF_PCS_RAW_CHUNK - 1) / GF_PCS_RAW_CHUNK : 1; }
gf_status gf_pcs_raw_commit_m31(const gf_m31 *vals, uint64_t len, uint8_t com[32], gf_error *err);
/* Digests of the chunks of vals[0..n): out[0 .. gf_pcs_raw_chunks(n)) (vals starts a chunk). */
gf_status gf_pcs_raw_chunk_digests_m31(const gf_m31 *vals, uint64_t n, uint8_t (*out)[32], gf_error *err);
/* The commitment of a vector of len values from its gf_pcs_raw_chunks(len) chunk digests. */
gf_status gf_pcs_raw_combine_m31(uint64_t len, const uint8_t (*digests)[32], uint8_t com[32], gf_error *err);
/* Opening bytes: the values, 4-byte LE each (one opening serves every claim on the vector). */
void gf_pcs_raw_open_m31(const gf_m31 *vals, uint64_t len, gf_buf *out);
/* What the batch opening appends for one vector (u64 len LE, then the values), written to f:
 * lets a caller stream openings from the witness instead of copying them into the proof. */
gf_status gf_pcs_raw_open_write_m31(FILE *f, const gf_m31 *vals, uint64_t len, gf_error *err);
/* Reads len values from r (rejecting non-canonical ones), checks them against com and checks
 * each (point, value) claim; point has log2(len) coordinates, LSB-first. */
gf_status gf_pcs_raw_verify_m31(gf_reader *r, uint64_t len, const uint8_t com[32], size_t n_claims,
                                const gf_m31ext3 *const *points, const gf_m31ext3 *values, gf_error *err);

/* RAW over BN254 Fr (raw_bn254.c): one hash over the values as 32-byte canonical big-endian,
 * commitment = SHA-256("gkrflow/raw-pcs/v1" || u64 len LE || values, 32 bytes BE each);
 * the opening is the values in that encoding; claims are on points in Fr. */
gf_status gf_pcs_raw_commit_bn254(const gf_bn254fr *vals, uint64_t len, uint8_t com[32], gf_error *err);
void gf_pcs_raw_open_bn254(const gf_bn254fr *vals, uint64_t len, gf_buf *out);
gf_status gf_pcs_raw_verify_bn254(gf_reader *r, uint64_t len, const uint8_t com[32], size_t n_claims,
                                  const gf_bn254fr *const *points, const gf_bn254fr *values, gf_error *err);

#endif
