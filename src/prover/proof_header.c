#include <stdlib.h>
#include <string.h>
#include "common/util.h"
#include "pcs/pcs.h"
#include "prover/circuit_proof.h"
#include "prover/proof_header.h"

static const char MAGIC[8] = {'G', 'K', 'R', 'F', 'P', 'R', 'O', 'F'};
static const char TAG[] = "gkrflow/circuit-proof/v1";

uint64_t gf_proof_padded_instances(int field, uint64_t n) {
    uint64_t N = gf_next_pow2(n);
    return field == GF_FIELD_M31 && N < 16 ? 16 : N;
}

uint64_t gf_proof_blocks(int field, uint64_t N) { return field == GF_FIELD_M31 ? N / 16 : N; }

void gf_proof_header_write(gf_buf *b, const gf_proof_header *h) {
    gf_buf_append(b, MAGIC, 8);
    gf_buf_u32(b, GF_PROOF_VERSION);
    gf_buf_u32(b, h->field);
    gf_buf_u32(b, h->flags);
    gf_buf_u64(b, h->n_instances);
    gf_buf_u64(b, h->n_blocks);
    gf_buf_append(b, h->digest, 32);
    gf_buf_u32(b, GF_PCS_RAW);
    gf_buf_append(b, h->commitment, 32);
}

gf_status gf_proof_header_read(gf_reader *r, const gf_circuit *c, gf_proof_header *h, gf_error *err) {
    memset(h, 0, sizeof *h);
    const uint8_t *mg = gf_reader_take(r, 8, "magic");
    if (!mg) return gf_error_set(err, GF_ERR_FORMAT, "proof truncated: %zu bytes, shorter than the 8-byte magic", r->len);
    if (memcmp(mg, MAGIC, 8)) return gf_error_set(err, GF_ERR_FORMAT, "not a gkrflow circuit proof (bad magic)");
    uint32_t ver = gf_reader_u32(r, "version"), field = gf_reader_u32(r, "field"), flags = gf_reader_u32(r, "flags");
    uint64_t n = gf_reader_u64(r, "instance count"), K = gf_reader_u64(r, "block count");
    const uint8_t *dg = gf_reader_take(r, 32, "circuit digest");
    uint32_t pcs = gf_reader_u32(r, "pcs id");
    const uint8_t *com = gf_reader_take(r, 32, "commitment");
    gf_status st = gf_reader_status(r, "proof", err);
    if (st) return st;
    if (ver != GF_PROOF_VERSION) return gf_error_set(err, GF_ERR_FORMAT, "proof version %u is not supported (expected %u)", ver, GF_PROOF_VERSION);
    if (field != (uint32_t)c->field || (field != GF_FIELD_M31 && field != GF_FIELD_BN254))
        return gf_error_set(err, GF_ERR_FORMAT, "proof is for field %s, circuit is %s", gf_field_name((int)field), gf_field_name(c->field));
    if (flags & ~GF_PROOF_FLAG_PUBLIC_OUTPUTS) return gf_error_set(err, GF_ERR_FORMAT, "proof header: unknown flags 0x%x", flags);
    if (n == 0 || n > (1ull << 24) || K != gf_proof_blocks((int)field, gf_proof_padded_instances((int)field, n)))
        return gf_error_set(err, GF_ERR_FORMAT, "proof header: instance count %llu and block count %llu are inconsistent",
                            (unsigned long long)n, (unsigned long long)K);
    if (pcs != GF_PCS_RAW) return gf_error_set(err, GF_ERR_FORMAT, "proof uses PCS %u, only raw (1) is supported for circuit proofs", pcs);
    if ((st = gf_circuit_digest(c, h->digest, err))) return st;
    if (memcmp(h->digest, dg, 32)) return gf_error_set(err, GF_ERR_VERIFY, "proof was made for a different circuit (digest mismatch)");
    h->field = field;
    h->flags = flags;
    h->n_instances = n;
    h->n_blocks = K;
    memcpy(h->commitment, com, 32);
    return GF_OK;
}

gf_status gf_proof_transcript_start(gf_transcript *t, const gf_proof_header *h, gf_error *err) {
    gf_status st = gf_transcript_init(t, TAG, err);
    if (st) return st;
    gf_transcript_append_label(t, "circuit");
    gf_transcript_append_bytes(t, h->digest, 32);
    gf_transcript_append_u64(t, h->flags);
    gf_transcript_append_u64(t, h->n_instances);
    gf_transcript_append_u64(t, h->n_blocks);
    gf_transcript_append_label(t, "input-commitment");
    gf_transcript_append_bytes(t, h->commitment, 32);
    return GF_OK;
}

gf_status gf_proof_draw_coefs_m31(const gf_circuit *c, gf_transcript *t, gf_m31 **out, gf_error *err) {
    uint32_t nr = gf_circuit_n_random(c);
    gf_m31 *rnd = malloc((nr + 1) * sizeof *rnd), *co = malloc((c->n_coefs + 1) * sizeof *co);
    if (!rnd || !co) { free(rnd); free(co); return gf_error_set(err, GF_ERR_NOMEM, "out of memory"); }
    gf_transcript_append_label(t, "random-coefficients");
    gf_transcript_challenge_m31_vec(t, rnd, nr);
    gf_status st = gf_circuit_coefs_fill_m31(c, rnd, co, err);
    free(rnd);
    if (st) { free(co); return st; }
    *out = co;
    return GF_OK;
}

gf_status gf_proof_draw_coefs_bn254(const gf_circuit *c, gf_transcript *t, gf_bn254fr **out, gf_error *err) {
    uint32_t nr = gf_circuit_n_random(c);
    gf_bn254fr *rnd = malloc((nr + 1) * sizeof *rnd), *co = malloc((c->n_coefs + 1) * sizeof *co);
    if (!rnd || !co) { free(rnd); free(co); return gf_error_set(err, GF_ERR_NOMEM, "out of memory"); }
    gf_transcript_append_label(t, "random-coefficients");
    gf_transcript_challenge_bn254fr_vec(t, rnd, nr);
    gf_status st = gf_circuit_coefs_fill_bn254(c, rnd, co, err);
    free(rnd);
    if (st) { free(co); return st; }
    *out = co;
    return GF_OK;
}
