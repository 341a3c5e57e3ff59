/* Circuit proofs over BN254 Fr: the file format and transcript binding of circuit_proof.h
 * (shared parts in proof_header.c) around the Fr GKR of gkr_bn254.h and the Fr raw PCS. */
#include <stdlib.h>
#include <string.h>
#include "common/util.h"
#include "gkr/gkr_bn254.h"
#include "pcs/pcs.h"
#include "prover/circuit_proof.h"
#include "prover/proof_header.h"

/* Public outputs depend on the committed input and the random coefficients: absorbed after
 * the coefficients are drawn and before any GKR challenge (as for M31). */
static void absorb_outputs(gf_transcript *t, const gf_bn254fr *outputs, uint64_t n_out) {
    gf_transcript_append_label(t, "public-outputs");
    gf_transcript_append_u64(t, n_out);
    gf_transcript_append_bn254frs(t, outputs, n_out);
}

static void put_elems(gf_buf *b, const gf_bn254fr *v, uint64_t n) {
    uint8_t e[32];
    for (uint64_t i = 0; i < n; i++) {
        gf_bn254fr_to_bytes_be(e, &v[i]);
        gf_buf_append(b, e, 32);
    }
}

gf_status gf_circuit_prove_bn254(const gf_circuit *c, const gf_bn254fr *input, uint64_t n, int pub, gf_pool *pool,
                                 gf_buf *proof, gf_prove_stats *stats, gf_error *err) {
    if (c->field != GF_FIELD_BN254) return gf_error_set(err, GF_ERR_INVALID, "circuit field is %s, expected bn254", gf_field_name(c->field));
    if (n == 0 || n > GF_GKR_BN254_MAX_INSTANCES)
        return gf_error_set(err, GF_ERR_INVALID, "instance count %llu out of range 1..2^24", (unsigned long long)n);
    gf_prove_stats S;
    memset(&S, 0, sizeof S);
    double t0 = gf_now_seconds(), t1;
    const uint64_t N = gf_proof_padded_instances(GF_FIELD_BN254, n), m = gf_circuit_input_len(c);
    const uint64_t len = N * m, n_out = N * gf_circuit_output_len(c);
    gf_proof_header hd = {.field = GF_FIELD_BN254, .flags = pub ? GF_PROOF_FLAG_PUBLIC_OUTPUTS : 0, .n_instances = n,
                          .n_blocks = gf_proof_blocks(GF_FIELD_BN254, N)};
    gf_status st = gf_circuit_digest(c, hd.digest, err);
    if (st) return st;
    /* pad by repeating the last instance (valid if the last real one is) */
    gf_bn254fr *in = gf_alloc_aligned(len, sizeof *in);
    if (!in) return gf_error_set(err, GF_ERR_NOMEM, "out of memory for %llu instances", (unsigned long long)N);
    memcpy(in, input, n * m * sizeof *in);
    for (uint64_t k = n; k < N; k++) memcpy(in + k * m, input + (n - 1) * m, m * sizeof *in);
    if ((st = gf_pcs_raw_commit_bn254(in, len, hd.commitment, err))) { gf_free_aligned(in); return st; }
    t1 = gf_now_seconds(); S.t_commit = t1 - t0; t0 = t1;

    gf_transcript t;
    gf_bn254fr *coefs = NULL, **vals = NULL;
    gf_gkr_bn254_claims cl;
    memset(&cl, 0, sizeof cl);
    if ((st = gf_proof_transcript_start(&t, &hd, err))) goto out;
    if ((st = gf_proof_draw_coefs_bn254(c, &t, &coefs, err))) goto out;
    if ((st = gf_gkr_bn254_eval(c, coefs, in, N, pool, &vals, err))) goto out;
    const gf_bn254fr *outputs = vals[c->n_layers];   /* instance-major = MLE order */
    if (pub) absorb_outputs(&t, outputs, n_out);
    t1 = gf_now_seconds(); S.t_eval = t1 - t0; t0 = t1;

    gf_proof_header_write(proof, &hd);
    if (pub) {
        gf_buf_u64(proof, n_out);
        put_elems(proof, outputs, n_out);
    }
    uint64_t gkr_len = gf_gkr_bn254_proof_bytes(c, N);
    gf_buf_u64(proof, gkr_len);
    size_t gkr_start = proof->len;
    if ((st = gf_gkr_bn254_prove(c, coefs, vals, N, pub, &t, proof, pool, &cl, err))) goto out;
    if (!proof->failed && proof->len - gkr_start != gkr_len) {
        st = gf_error_set(err, GF_ERR_INTERNAL, "GKR proof length %zu differs from the expected %llu", proof->len - gkr_start,
                          (unsigned long long)gkr_len);
        goto out;
    }
    t1 = gf_now_seconds(); S.t_gkr = t1 - t0; t0 = t1;
    gf_buf_u64(proof, len * 32);
    gf_pcs_raw_open_bn254(in, len, proof);   /* raw PCS: the verifier evaluates the claims itself */
    t1 = gf_now_seconds(); S.t_open = t1 - t0;
    if ((st = gf_buf_status(proof, err))) goto out;
    if ((st = gf_transcript_status(&t, err))) goto out;
    S.t_total = S.t_commit + S.t_eval + S.t_gkr + S.t_open;
    S.proof_bytes = proof->len;
    S.gkr_bytes = gkr_len;
    S.opening_bytes = len * 32;
    if (stats) *stats = S;
out:
    gf_gkr_bn254_claims_free(&cl);
    gf_gkr_bn254_vals_free(c, vals);
    free(coefs);
    gf_free_aligned(in);
    gf_transcript_free(&t);
    return st;
}

gf_status gf_circuit_verify_bn254(const gf_circuit *c, const uint8_t *p, size_t len, uint64_t *n_instances,
                                  uint32_t *flags_out, gf_error *err) {
    if (c->field != GF_FIELD_BN254) return gf_error_set(err, GF_ERR_INVALID, "circuit field is %s, expected bn254", gf_field_name(c->field));
    gf_reader r;
    gf_reader_init(&r, p, len);
    gf_proof_header hd;
    gf_status st = gf_proof_header_read(&r, c, &hd, err);
    if (st) return st;
    const uint64_t N = hd.n_blocks, n_out = N * gf_circuit_output_len(c), vlen = N * gf_circuit_input_len(c);
    gf_bn254fr *outputs = NULL, *coefs = NULL;
    gf_gkr_bn254_claims cl;
    memset(&cl, 0, sizeof cl);
    gf_transcript t;
    if ((st = gf_proof_transcript_start(&t, &hd, err))) goto out;
    if ((st = gf_proof_draw_coefs_bn254(c, &t, &coefs, err))) goto out;
    if (hd.flags & GF_PROOF_FLAG_PUBLIC_OUTPUTS) {
        uint64_t cnt = gf_reader_u64(&r, "output count");
        if ((st = gf_reader_status(&r, "proof", err))) goto out;
        if (cnt != n_out) {
            st = gf_error_set(err, GF_ERR_FORMAT, "proof lists %llu outputs, the circuit has %llu for %llu instances",
                              (unsigned long long)cnt, (unsigned long long)n_out, (unsigned long long)N);
            goto out;
        }
        size_t pos = r.pos;
        const uint8_t *ob = n_out <= gf_reader_remaining(&r) / 32 ? gf_reader_take(&r, n_out * 32, "outputs") : NULL;
        if (!ob) { st = gf_error_set(err, GF_ERR_FORMAT, "proof truncated at byte %zu while reading %llu outputs", pos, (unsigned long long)n_out); goto out; }
        outputs = malloc(n_out * sizeof *outputs);
        if (!outputs) { st = gf_error_set(err, GF_ERR_NOMEM, "out of memory"); goto out; }
        for (uint64_t i = 0; i < n_out; i++)
            if (gf_bn254fr_from_bytes_be(&outputs[i], ob + 32 * i)) {
                st = gf_error_set(err, GF_ERR_FORMAT, "proof byte %zu: output %llu is not canonical", pos + 32 * (size_t)i, (unsigned long long)i);
                goto out;
            }
        absorb_outputs(&t, outputs, n_out);
    }
    uint64_t gkr_len = gf_reader_u64(&r, "gkr length");
    if ((st = gf_reader_status(&r, "proof", err))) goto out;
    if (gkr_len != gf_gkr_bn254_proof_bytes(c, N)) {
        st = gf_error_set(err, GF_ERR_FORMAT, "GKR section is %llu bytes, expected %llu for this circuit",
                          (unsigned long long)gkr_len, (unsigned long long)gf_gkr_bn254_proof_bytes(c, N));
        goto out;
    }
    if ((st = gf_gkr_bn254_verify(c, coefs, N, outputs, &t, &r, &cl, err))) goto out;
    uint64_t olen = gf_reader_u64(&r, "opening length");
    if ((st = gf_reader_status(&r, "proof", err))) goto out;
    if (olen != vlen * 32) {
        st = gf_error_set(err, GF_ERR_FORMAT, "opening is %llu bytes, expected %llu", (unsigned long long)olen, (unsigned long long)(vlen * 32));
        goto out;
    }
    const gf_bn254fr *pts[2] = {cl.c[0].point, cl.n > 1 ? cl.c[1].point : NULL};
    gf_bn254fr vals[2] = {cl.c[0].value, cl.c[cl.n > 1 ? 1 : 0].value};
    if ((st = gf_pcs_raw_verify_bn254(&r, vlen, hd.commitment, (size_t)cl.n, pts, vals, err))) goto out;
    if (gf_reader_remaining(&r)) {
        st = gf_error_set(err, GF_ERR_FORMAT, "%zu unexpected bytes after the end of the proof", gf_reader_remaining(&r));
        goto out;
    }
    if ((st = gf_transcript_status(&t, err))) goto out;
    if (n_instances) *n_instances = hd.n_instances;
    if (flags_out) *flags_out = hd.flags;
out:
    gf_gkr_bn254_claims_free(&cl);
    free(coefs);
    free(outputs);
    gf_transcript_free(&t);
    return st;
}
