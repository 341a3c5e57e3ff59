#include <stdlib.h>
#include <string.h>
#include "common/util.h"
#include "gkr/gkr.h"
#include "pcs/pcs.h"
#include "prover/circuit_proof.h"

static const char MAGIC[8] = {'G', 'K', 'R', 'F', 'P', 'R', 'O', 'F'};
static const char TAG[] = "gkrflow/circuit-proof/v1";

static gf_status start_transcript(gf_transcript *t, const uint8_t digest[32], uint32_t flags, uint64_t n, uint64_t K,
                                  const uint8_t com[32], gf_error *err) {
    gf_status st = gf_transcript_init(t, TAG, err);
    if (st) return st;
    gf_transcript_append_label(t, "circuit");
    gf_transcript_append_bytes(t, digest, 32);
    gf_transcript_append_u64(t, flags);
    gf_transcript_append_u64(t, n);
    gf_transcript_append_u64(t, K);
    gf_transcript_append_label(t, "input-commitment");
    gf_transcript_append_bytes(t, com, 32);
    return GF_OK;
}

/* Public outputs are a function of the committed input and the random coefficients, so they
 * are absorbed after the coefficients are drawn and before any GKR challenge. */
static void absorb_outputs(gf_transcript *t, const gf_m31 *outputs, uint64_t n_out) {
    gf_transcript_append_label(t, "public-outputs");
    gf_transcript_append_u64(t, n_out);
    gf_transcript_append_m31s(t, outputs, n_out);
}

static gf_status draw_coefs(const gf_circuit *c, gf_transcript *t, gf_m31 **out, gf_error *err) {
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

static gf_status prove_impl(const gf_circuit *c, const gf_m31x16 *packed, uint64_t K, uint64_t n_real, int pub,
                            gf_pool *pool, gf_buf *proof, gf_prove_stats *stats, gf_error *err) {
    gf_prove_stats S;
    memset(&S, 0, sizeof S);
    double t0 = gf_now_seconds(), t1;
    uint64_t len = K * 16 * gf_circuit_input_len(c), n_out = K * 16 * gf_circuit_output_len(c);
    uint32_t flags = pub ? GF_PROOF_FLAG_PUBLIC_OUTPUTS : 0;
    uint8_t digest[32], com[32];
    gf_status st = gf_circuit_digest(c, digest, err);
    if (st) return st;
    st = gf_pcs_raw_commit_m31((const gf_m31 *)packed, len, com, err);
    if (st) return st;
    t1 = gf_now_seconds(); S.t_commit = t1 - t0; t0 = t1;

    gf_transcript t;
    if ((st = start_transcript(&t, digest, flags, n_real, K, com, err))) return st;
    gf_m31 *coefs = NULL;
    gf_m31x16 **vals = NULL;
    if ((st = draw_coefs(c, &t, &coefs, err))) goto out;
    if ((st = gf_circuit_eval_m31x16(c, coefs, packed, K, &vals, err))) goto out;
    const gf_m31 *outputs = (const gf_m31 *)vals[c->n_layers];   /* block-major packed = MLE order */
    if (pub) absorb_outputs(&t, outputs, n_out);
    t1 = gf_now_seconds(); S.t_eval = t1 - t0; t0 = t1;

    gf_buf_append(proof, MAGIC, 8);
    gf_buf_u32(proof, GF_PROOF_VERSION);
    gf_buf_u32(proof, (uint32_t)c->field);
    gf_buf_u32(proof, flags);
    gf_buf_u64(proof, n_real);
    gf_buf_u64(proof, K);
    gf_buf_append(proof, digest, 32);
    gf_buf_u32(proof, GF_PCS_RAW);
    gf_buf_append(proof, com, 32);
    if (pub) {
        gf_buf_u64(proof, n_out);
        gf_buf_append(proof, outputs, n_out * sizeof(gf_m31));
    }
    uint64_t gkr_len = gf_gkr_m31_proof_bytes(c, K);
    gf_buf_u64(proof, gkr_len);
    size_t gkr_start = proof->len;
    gf_gkr_claims cl;
    if ((st = gf_gkr_m31_prove(c, coefs, vals, K, pub, &t, proof, pool, &cl, err))) goto out;
    gf_gkr_claims_free(&cl);   /* raw PCS: the verifier evaluates the claims itself */
    if (!proof->failed && proof->len - gkr_start != gkr_len) {
        st = gf_error_set(err, GF_ERR_INTERNAL, "GKR proof length %zu differs from the expected %llu", proof->len - gkr_start,
                          (unsigned long long)gkr_len);
        goto out;
    }
    t1 = gf_now_seconds(); S.t_gkr = t1 - t0; t0 = t1;
    gf_buf_u64(proof, len * 4);
    gf_pcs_raw_open_m31((const gf_m31 *)packed, len, proof);
    t1 = gf_now_seconds(); S.t_open = t1 - t0;
    if ((st = gf_buf_status(proof, err))) goto out;
    if ((st = gf_transcript_status(&t, err))) goto out;
    S.t_total = S.t_commit + S.t_eval + S.t_gkr + S.t_open;
    S.proof_bytes = proof->len;
    S.gkr_bytes = gkr_len;
    S.opening_bytes = len * 4;
    if (stats) *stats = S;
out:
    gf_circuit_vals_free(c, vals);
    free(coefs);
    gf_transcript_free(&t);
    return st;
}

gf_status gf_circuit_prove_packed_m31(const gf_circuit *c, const gf_m31x16 *packed, uint64_t n_blocks,
                                      int public_outputs, gf_pool *pool, gf_buf *proof, gf_prove_stats *stats,
                                      gf_error *err) {
    if (c->field != GF_FIELD_M31) return gf_error_set(err, GF_ERR_INVALID, "circuit field is %s, expected m31", gf_field_name(c->field));
    if (!gf_is_pow2(n_blocks)) return gf_error_set(err, GF_ERR_INVALID, "block count %llu is not a power of two", (unsigned long long)n_blocks);
    return prove_impl(c, packed, n_blocks, 16 * n_blocks, public_outputs, pool, proof, stats, err);
}

gf_status gf_circuit_prove_m31(const gf_circuit *c, const gf_m31 *input, uint64_t n, int public_outputs, gf_pool *pool,
                               gf_buf *proof, gf_prove_stats *stats, gf_error *err) {
    if (c->field != GF_FIELD_M31) return gf_error_set(err, GF_ERR_INVALID, "circuit field is %s, expected m31", gf_field_name(c->field));
    if (n == 0 || n > (1ull << 24)) return gf_error_set(err, GF_ERR_INVALID, "instance count %llu out of range 1..2^24", (unsigned long long)n);
    uint64_t N = gf_next_pow2(n) < 16 ? 16 : gf_next_pow2(n), K = N / 16, m = gf_circuit_input_len(c);
    gf_m31x16 *packed = gf_alloc_aligned(K * m, sizeof *packed);
    if (!packed) return gf_error_set(err, GF_ERR_NOMEM, "out of memory packing %llu instances", (unsigned long long)N);
    for (uint64_t k = 0; k < N; k++) {
        const gf_m31 *row = input + (k < n ? k : n - 1) * m;   /* pad with the last instance */
        gf_m31x16 *blk = packed + (k / 16) * m;
        for (uint64_t x = 0; x < m; x++) blk[x].v[k % 16] = row[x];
    }
    gf_status st = prove_impl(c, packed, K, n, public_outputs, pool, proof, stats, err);
    gf_free_aligned(packed);
    return st;
}

gf_status gf_circuit_verify_m31(const gf_circuit *c, const uint8_t *p, size_t len, uint64_t *n_instances,
                                uint32_t *flags_out, gf_error *err) {
    gf_reader r;
    gf_reader_init(&r, p, len);
    const uint8_t *mg = gf_reader_take(&r, 8, "magic");
    if (!mg || memcmp(mg, MAGIC, 8)) return gf_error_set(err, GF_ERR_FORMAT, "not a gkrflow circuit proof (bad magic)");
    uint32_t ver = gf_reader_u32(&r, "version"), field = gf_reader_u32(&r, "field"), flags = gf_reader_u32(&r, "flags");
    uint64_t n = gf_reader_u64(&r, "instance count"), K = gf_reader_u64(&r, "block count");
    const uint8_t *dg = gf_reader_take(&r, 32, "circuit digest");
    uint32_t pcs = gf_reader_u32(&r, "pcs id");
    const uint8_t *com = gf_reader_take(&r, 32, "commitment");
    gf_status st = gf_reader_status(&r, "proof", err);
    if (st) return st;
    if (ver != GF_PROOF_VERSION) return gf_error_set(err, GF_ERR_FORMAT, "proof version %u is not supported (expected %u)", ver, GF_PROOF_VERSION);
    if (field != (uint32_t)c->field || field != GF_FIELD_M31)
        return gf_error_set(err, GF_ERR_FORMAT, "proof is for field %s, circuit is %s", gf_field_name((int)field), gf_field_name(c->field));
    if (flags & ~GF_PROOF_FLAG_PUBLIC_OUTPUTS) return gf_error_set(err, GF_ERR_FORMAT, "proof header: unknown flags 0x%x", flags);
    uint64_t N = gf_next_pow2(n) < 16 ? 16 : gf_next_pow2(n);
    if (n == 0 || n > (1ull << 24) || K != N / 16)
        return gf_error_set(err, GF_ERR_FORMAT, "proof header: instance count %llu and block count %llu are inconsistent",
                            (unsigned long long)n, (unsigned long long)K);
    if (pcs != GF_PCS_RAW) return gf_error_set(err, GF_ERR_FORMAT, "proof uses PCS %u, only raw (1) is supported for circuit proofs", pcs);
    uint8_t digest[32];
    if ((st = gf_circuit_digest(c, digest, err))) return st;
    if (memcmp(digest, dg, 32)) return gf_error_set(err, GF_ERR_VERIFY, "proof was made for a different circuit (digest mismatch)");
    gf_m31 *outputs = NULL, *coefs = NULL;
    uint64_t n_out = K * 16 * gf_circuit_output_len(c);
    gf_gkr_claims cl;
    memset(&cl, 0, sizeof cl);
    gf_transcript t;
    if ((st = start_transcript(&t, digest, flags, n, K, com, err))) return st;
    if ((st = draw_coefs(c, &t, &coefs, err))) goto out;
    if (flags & GF_PROOF_FLAG_PUBLIC_OUTPUTS) {
        uint64_t cnt = gf_reader_u64(&r, "output count");
        if ((st = gf_reader_status(&r, "proof", err))) goto out;
        if (cnt != n_out) {
            st = gf_error_set(err, GF_ERR_FORMAT, "proof lists %llu outputs, the circuit has %llu for %llu instances",
                              (unsigned long long)cnt, (unsigned long long)n_out, (unsigned long long)N);
            goto out;
        }
        size_t pos = r.pos;
        const uint8_t *ob = n_out <= gf_reader_remaining(&r) / 4 ? gf_reader_take(&r, n_out * 4, "outputs") : NULL;
        if (!ob) { st = gf_error_set(err, GF_ERR_FORMAT, "proof truncated at byte %zu while reading %llu outputs", pos, (unsigned long long)n_out); goto out; }
        outputs = malloc(n_out * sizeof *outputs);
        if (!outputs) { st = gf_error_set(err, GF_ERR_NOMEM, "out of memory"); goto out; }
        for (uint64_t i = 0; i < n_out; i++) {
            outputs[i] = gf_get_u32le(ob + 4 * i);
            if (outputs[i] >= GF_M31_P) {
                st = gf_error_set(err, GF_ERR_FORMAT, "proof byte %zu: output %llu is not canonical", pos + 4 * (size_t)i, (unsigned long long)i);
                goto out;
            }
        }
        absorb_outputs(&t, outputs, n_out);
    }
    uint64_t gkr_len = gf_reader_u64(&r, "gkr length");
    if ((st = gf_reader_status(&r, "proof", err))) goto out;
    if (gkr_len != gf_gkr_m31_proof_bytes(c, K)) {
        st = gf_error_set(err, GF_ERR_FORMAT, "GKR section is %llu bytes, expected %llu for this circuit",
                          (unsigned long long)gkr_len, (unsigned long long)gf_gkr_m31_proof_bytes(c, K));
        goto out;
    }
    if ((st = gf_gkr_m31_verify(c, coefs, K, outputs, &t, &r, &cl, err))) goto out;
    uint64_t olen = gf_reader_u64(&r, "opening length"), vlen = K * 16 * gf_circuit_input_len(c);
    if ((st = gf_reader_status(&r, "proof", err))) goto out;
    if (olen != vlen * 4) {
        st = gf_error_set(err, GF_ERR_FORMAT, "opening is %llu bytes, expected %llu", (unsigned long long)olen, (unsigned long long)(vlen * 4));
        goto out;
    }
    const gf_m31ext3 *pts[2] = {cl.c[0].point, cl.n > 1 ? cl.c[1].point : NULL};
    gf_m31ext3 vals[2] = {cl.c[0].value, cl.n > 1 ? cl.c[1].value : gf_m31ext3_zero()};
    if ((st = gf_pcs_raw_verify_m31(&r, vlen, com, (size_t)cl.n, pts, vals, err))) goto out;
    if (gf_reader_remaining(&r)) {
        st = gf_error_set(err, GF_ERR_FORMAT, "%zu unexpected bytes after the end of the proof", gf_reader_remaining(&r));
        goto out;
    }
    if ((st = gf_transcript_status(&t, err))) goto out;
    if (n_instances) *n_instances = n;
    if (flags_out) *flags_out = flags;
out:
    gf_gkr_claims_free(&cl);
    free(coefs);
    free(outputs);
    gf_transcript_free(&t);
    return st;
}
