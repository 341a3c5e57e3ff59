#include <stdlib.h>
#include <string.h>
#include "common/util.h"
#include "gkr/gkr.h"
#include "pcs/pcs.h"
#include "prover/circuit_proof.h"
#include "prover/proof_header.h"

/* Public outputs are a function of the committed input and the random coefficients, so they
 * are absorbed after the coefficients are drawn and before any GKR challenge. */
static void absorb_outputs(gf_transcript *t, const gf_m31 *outputs, uint64_t n_out) {
    gf_transcript_append_label(t, "public-outputs");
    gf_transcript_append_u64(t, n_out);
    gf_transcript_append_m31s(t, outputs, n_out);
}

struct gf_circuit_prover {
    const gf_circuit *c;
    uint64_t K;
    uint8_t digest[32];
    gf_m31x16 **vals;
    gf_m31x16 ***block_vals;   /* per-block views into vals, for parallel evaluation */
    gf_circuit_eval_plan *eplan;   /* evaluation into the reused vals without clearing them */
    gf_gkr_m31_prover *gkr;
};

gf_status gf_circuit_prover_new(gf_circuit_prover **out, const gf_circuit *c, uint64_t K, gf_error *err) {
    *out = NULL;
    if (c->field != GF_FIELD_M31) return gf_error_set(err, GF_ERR_INVALID, "circuit field is %s, expected m31", gf_field_name(c->field));
    if (!gf_is_pow2(K) || K > (1u << 20)) return gf_error_set(err, GF_ERR_INVALID, "block count %llu is not a power of two <= 2^20", (unsigned long long)K);
    gf_circuit_prover *p = calloc(1, sizeof *p);
    if (!p) return gf_error_set(err, GF_ERR_NOMEM, "out of memory");
    p->c = c;
    p->K = K;
    gf_status st;
    if ((st = gf_circuit_digest(c, p->digest, err)) || (st = gf_circuit_vals_alloc(c, K, &p->vals, err)) ||
        (st = gf_circuit_eval_plan_new(&p->eplan, c, err)) ||
        (st = gf_gkr_m31_prover_new(&p->gkr, c, K, err))) {
        gf_circuit_prover_free(p);
        return st;
    }
    p->block_vals = calloc(K, sizeof *p->block_vals);
    for (uint64_t b = 0; p->block_vals && b < K; b++) {
        p->block_vals[b] = malloc((c->n_layers + 1) * sizeof **p->block_vals);
        if (!p->block_vals[b]) { gf_circuit_prover_free(p); return gf_error_set(err, GF_ERR_NOMEM, "out of memory"); }
        for (uint32_t l = 0; l <= c->n_layers; l++) {
            unsigned lg = l < c->n_layers ? c->layers[l].in_log : c->layers[c->n_layers - 1].out_log;
            p->block_vals[b][l] = p->vals[l] + (b << lg);
        }
    }
    if (!p->block_vals) { gf_circuit_prover_free(p); return gf_error_set(err, GF_ERR_NOMEM, "out of memory"); }
    *out = p;
    return GF_OK;
}

void gf_circuit_prover_free(gf_circuit_prover *p) {
    if (!p) return;
    for (uint64_t b = 0; p->block_vals && b < p->K; b++) free(p->block_vals[b]);
    free(p->block_vals);
    gf_circuit_vals_free(p->c, p->vals);
    gf_circuit_eval_plan_free(p->eplan);
    gf_gkr_m31_prover_free(p->gkr);
    free(p);
}

gf_m31x16 *gf_circuit_prover_input(gf_circuit_prover *p) { return p->vals[0]; }

typedef struct { gf_circuit_prover *p; const gf_m31 *coefs; gf_status st[64]; } eval_job;
static void eval_blocks(void *ctx, int tid, size_t b0, size_t b1) {
    eval_job *J = ctx;
    for (size_t b = b0; b < b1; b++) {
        gf_status st = gf_circuit_eval_m31x16_plan(J->p->c, J->p->eplan, J->coefs, 1, J->p->block_vals[b], NULL);
        if (st && tid < 64) J->st[tid] = st;
    }
}

gf_status gf_circuit_prover_prove(gf_circuit_prover *p, const gf_m31x16 *packed, uint64_t n_real, int pub,
                                  gf_pool *pool, gf_buf *proof, gf_prove_stats *stats, gf_error *err) {
    const gf_circuit *c = p->c;
    const uint64_t K = p->K;
    gf_prove_stats S;
    memset(&S, 0, sizeof S);
    double t0 = gf_now_seconds(), t1;
    uint64_t len = K * 16 * gf_circuit_input_len(c), n_out = K * 16 * gf_circuit_output_len(c);
    uint32_t flags = pub ? GF_PROOF_FLAG_PUBLIC_OUTPUTS : 0;
    if (packed && packed != p->vals[0]) memcpy(p->vals[0], packed, len * sizeof(gf_m31));
    uint8_t com[32];
    gf_status st = gf_pcs_raw_commit_m31((const gf_m31 *)p->vals[0], len, com, err);
    if (st) return st;
    t1 = gf_now_seconds(); S.t_commit = t1 - t0; t0 = t1;

    gf_proof_header hd;
    memset(&hd, 0, sizeof hd);
    hd.field = (uint32_t)c->field; hd.flags = flags; hd.n_instances = n_real; hd.n_blocks = K;
    memcpy(hd.digest, p->digest, 32);
    memcpy(hd.commitment, com, 32);
    gf_transcript t;
    if ((st = gf_proof_transcript_start(&t, &hd, err))) return st;
    gf_m31 *coefs = NULL;
    if ((st = gf_proof_draw_coefs_m31(c, &t, &coefs, err))) goto out;
    eval_job ej;
    memset(&ej, 0, sizeof ej);
    ej.p = p; ej.coefs = coefs;
    gf_pool_run(pool, K, eval_blocks, &ej);
    for (int i = 0; i < 64; i++)
        if (ej.st[i]) { st = gf_error_set(err, ej.st[i], "circuit evaluation failed"); goto out; }
    const gf_m31 *outputs = (const gf_m31 *)p->vals[c->n_layers];   /* block-major packed = MLE order */
    if (pub) absorb_outputs(&t, outputs, n_out);
    t1 = gf_now_seconds(); S.t_eval = t1 - t0; t0 = t1;

    gf_proof_header_write(proof, &hd);
    if (pub) {
        gf_buf_u64(proof, n_out);
        gf_buf_append(proof, outputs, n_out * sizeof(gf_m31));
    }
    uint64_t gkr_len = gf_gkr_m31_proof_bytes(c, K);
    gf_buf_u64(proof, gkr_len);
    size_t gkr_start = proof->len;
    gf_gkr_claims cl;
    if ((st = gf_gkr_m31_prover_run(p->gkr, coefs, p->vals, pub, &t, proof, pool, &cl, err))) goto out;
    gf_gkr_claims_free(&cl);   /* raw PCS: the verifier evaluates the claims itself */
    if (!proof->failed && proof->len - gkr_start != gkr_len) {
        st = gf_error_set(err, GF_ERR_INTERNAL, "GKR proof length %zu differs from the expected %llu", proof->len - gkr_start,
                          (unsigned long long)gkr_len);
        goto out;
    }
    t1 = gf_now_seconds(); S.t_gkr = t1 - t0; t0 = t1;
    gf_buf_u64(proof, len * 4);
    gf_pcs_raw_open_m31((const gf_m31 *)p->vals[0], len, proof);
    t1 = gf_now_seconds(); S.t_open = t1 - t0;
    if ((st = gf_buf_status(proof, err))) goto out;
    if ((st = gf_transcript_status(&t, err))) goto out;
    S.t_total = S.t_commit + S.t_eval + S.t_gkr + S.t_open;
    S.proof_bytes = proof->len;
    S.gkr_bytes = gkr_len;
    S.opening_bytes = len * 4;
    if (stats) *stats = S;
out:
    free(coefs);
    gf_transcript_free(&t);
    return st;
}

static gf_status prove_impl(const gf_circuit *c, const gf_m31x16 *packed, uint64_t K, uint64_t n_real, int pub,
                            gf_pool *pool, gf_buf *proof, gf_prove_stats *stats, gf_error *err) {
    gf_circuit_prover *p;
    gf_status st = gf_circuit_prover_new(&p, c, K, err);
    if (st) return st;
    st = gf_circuit_prover_prove(p, packed, n_real, pub, pool, proof, stats, err);
    gf_circuit_prover_free(p);
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
    uint64_t N = gf_proof_padded_instances(GF_FIELD_M31, n), K = gf_proof_blocks(GF_FIELD_M31, N), m = gf_circuit_input_len(c);
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
    if (c->field != GF_FIELD_M31) return gf_error_set(err, GF_ERR_INVALID, "circuit field is %s, expected m31", gf_field_name(c->field));
    gf_reader r;
    gf_reader_init(&r, p, len);
    gf_proof_header hd;
    gf_status st = gf_proof_header_read(&r, c, &hd, err);
    if (st) return st;
    const uint32_t flags = hd.flags;
    const uint64_t n = hd.n_instances, K = hd.n_blocks, N = 16 * K;
    gf_m31 *outputs = NULL, *coefs = NULL;
    uint64_t n_out = K * 16 * gf_circuit_output_len(c);
    gf_gkr_claims cl;
    memset(&cl, 0, sizeof cl);
    gf_transcript t;
    if ((st = gf_proof_transcript_start(&t, &hd, err))) return st;
    if ((st = gf_proof_draw_coefs_m31(c, &t, &coefs, err))) goto out;
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
    if ((st = gf_pcs_raw_verify_m31(&r, vlen, hd.commitment, (size_t)cl.n, pts, vals, err))) goto out;
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
