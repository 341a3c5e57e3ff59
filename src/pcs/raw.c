#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "common/util.h"
#include "gkr/mle.h"
#include "hash/sha256.h"
#include "pcs/pcs.h"

static const char RAW_TAG[] = "gkrflow/raw-pcs/v2";

gf_status gf_pcs_raw_chunk_digests_m31(const gf_m31 *vals, uint64_t n, uint8_t (*out)[32], gf_error *err) {
    gf_status st = GF_OK;
    for (uint64_t i = 0; !st && i * GF_PCS_RAW_CHUNK < n; i++) {
        const uint64_t a = i * GF_PCS_RAW_CHUNK, b = n - a < GF_PCS_RAW_CHUNK ? n : a + GF_PCS_RAW_CHUNK;
        /* M31 values are stored little-endian in memory on every target we build for */
        st = gf_sha256(out[i], vals + a, (b - a) * sizeof(gf_m31), err);
    }
    return st;
}

gf_status gf_pcs_raw_combine_m31(uint64_t len, const uint8_t (*digests)[32], uint8_t com[32], gf_error *err) {
    gf_sha256_ctx h;
    gf_status st = gf_sha256_init(&h, err);
    if (st) return st;
    uint8_t n[8];
    gf_put_u64le(n, len);
    if (!(st = gf_sha256_update(&h, RAW_TAG, sizeof RAW_TAG - 1, err)) && !(st = gf_sha256_update(&h, n, 8, err)) &&
        !(st = gf_sha256_update(&h, digests, gf_pcs_raw_chunks(len) * 32, err)))
        st = gf_sha256_final(&h, com, err);
    gf_sha256_free(&h);
    return st;
}

gf_status gf_pcs_raw_commit_m31(const gf_m31 *vals, uint64_t len, uint8_t com[32], gf_error *err) {
    const uint64_t nc = gf_pcs_raw_chunks(len);
    uint8_t (*d)[32] = malloc(nc * 32);
    if (!d) return gf_error_set(err, GF_ERR_NOMEM, "out of memory committing to %llu values", (unsigned long long)len);
    gf_status st = gf_pcs_raw_chunk_digests_m31(vals, len, d, err);
    if (!st) st = gf_pcs_raw_combine_m31(len, (const uint8_t(*)[32])d, com, err);
    free(d);
    return st;
}

gf_status gf_pcs_raw_open_write_m31(FILE *f, const gf_m31 *vals, uint64_t len, gf_error *err) {
    uint8_t n[8];
    gf_put_u64le(n, len);
    if (fwrite(n, 1, 8, f) != 8 || (len && fwrite(vals, sizeof(gf_m31), len, f) != len))
        return gf_error_set(err, GF_ERR_IO, "write error writing a raw opening of %llu values", (unsigned long long)len);
    return GF_OK;
}

void gf_pcs_raw_open_m31(const gf_m31 *vals, uint64_t len, gf_buf *out) {
    gf_buf_append(out, vals, len * sizeof(gf_m31));
}

gf_status gf_pcs_raw_verify_m31(gf_reader *r, uint64_t len, const uint8_t com[32], size_t n_claims,
                                const gf_m31ext3 *const *points, const gf_m31ext3 *values, gf_error *err) {
    if (!gf_is_pow2(len)) return gf_error_set(err, GF_ERR_INVALID, "raw PCS: length %llu is not a power of two", (unsigned long long)len);
    size_t pos = r->pos;
    if (len > gf_reader_remaining(r) / 4)
        return gf_error_set(err, GF_ERR_FORMAT, "proof truncated at byte %zu: raw opening needs %llu values", pos, (unsigned long long)len);
    const uint8_t *b = gf_reader_take(r, len * 4, "raw opening");
    gf_m31 *v = malloc(len * sizeof *v);
    if (!v) return gf_error_set(err, GF_ERR_NOMEM, "out of memory reading a raw opening of %llu values", (unsigned long long)len);
    for (uint64_t i = 0; i < len; i++) {
        v[i] = gf_get_u32le(b + 4 * i);
        if (v[i] >= GF_M31_P) {
            free(v);
            return gf_error_set(err, GF_ERR_FORMAT, "proof byte %zu: raw opening value %llu is not canonical (%u)",
                                pos + 4 * (size_t)i, (unsigned long long)i, gf_get_u32le(b + 4 * i));
        }
    }
    uint8_t c2[32];
    gf_status st = gf_pcs_raw_commit_m31(v, len, c2, err);
    if (!st && memcmp(c2, com, 32)) st = gf_error_set(err, GF_ERR_VERIFY, "raw PCS: opened values do not match the commitment");
    unsigned k = gf_log2_u64(len);
    for (size_t i = 0; !st && i < n_claims; i++)
        if (!gf_m31ext3_eq(gf_mle_eval_m31(v, points[i], k), values[i]))
            st = gf_error_set(err, GF_ERR_VERIFY, "raw PCS: input claim %zu does not match the committed input", i);
    free(v);
    return st;
}

/* ---------- the raw scheme behind the gf_pcs_m31 interface ---------- */

static gf_status raw_setup(unsigned max_vars, gf_buf *params, gf_error *err) {
    (void)max_vars; (void)params; (void)err;
    return GF_OK;   /* transparent: no parameters */
}

static gf_status raw_commit(const uint8_t *params, size_t params_len, const gf_m31 *vals, uint64_t len, uint8_t *com,
                            gf_error *err) {
    (void)params; (void)params_len;
    return gf_pcs_raw_commit_m31(vals, len, com, err);
}

static gf_status raw_batch_open(const uint8_t *params, size_t params_len, size_t n_vecs, const gf_m31 *const *vecs,
                                const uint64_t *lens, size_t n_claims, const uint32_t *vec_of,
                                const gf_m31ext3 *const *points, struct gf_transcript *t, gf_buf *proof, gf_error *err) {
    (void)params; (void)params_len; (void)n_claims; (void)vec_of; (void)points; (void)t;
    for (size_t i = 0; i < n_vecs; i++) {
        gf_buf_u64(proof, lens[i]);
        gf_pcs_raw_open_m31(vecs[i], lens[i], proof);
    }
    return gf_buf_status(proof, err);
}

static gf_status raw_batch_verify(const uint8_t *params, size_t params_len, size_t n_vecs, const uint8_t *const *coms,
                                  const uint64_t *lens, size_t n_claims, const uint32_t *vec_of,
                                  const gf_m31ext3 *const *points, const gf_m31ext3 *values, struct gf_transcript *t,
                                  gf_reader *r, gf_error *err) {
    (void)params; (void)params_len; (void)t;
    for (size_t j = 0; j < n_claims; j++)
        if (vec_of[j] >= n_vecs) return gf_error_set(err, GF_ERR_INVALID, "raw PCS: claim %zu is on vector %u of %zu", j, vec_of[j], n_vecs);
    const gf_m31ext3 **pts = malloc((n_claims + 1) * sizeof *pts);
    gf_m31ext3 *vals = malloc((n_claims + 1) * sizeof *vals);
    gf_status st = pts && vals ? GF_OK : gf_error_set(err, GF_ERR_NOMEM, "out of memory");
    for (size_t i = 0; !st && i < n_vecs; i++) {
        uint64_t vl = gf_reader_u64(r, "opening length");
        if ((st = gf_reader_status(r, "proof", err))) break;
        if (vl != lens[i]) {
            st = gf_error_set(err, GF_ERR_FORMAT, "opening of vector %zu has %llu values, expected %llu", i, (unsigned long long)vl,
                              (unsigned long long)lens[i]);
            break;
        }
        size_t m = 0;
        for (size_t j = 0; j < n_claims; j++)
            if (vec_of[j] == i) { pts[m] = points[j]; vals[m] = values[j]; m++; }
        if ((st = gf_pcs_raw_verify_m31(r, vl, coms[i], m, pts, vals, err))) gf_error_prefix(err, "commitment %zu", i);
    }
    free(pts);
    free(vals);
    return st;
}

static const gf_pcs_m31 RAW_M31 = {GF_PCS_RAW, "raw", 32, raw_setup, raw_commit, raw_batch_open, raw_batch_verify};

const gf_pcs_m31 *gf_pcs_raw_m31(void) { return &RAW_M31; }

gf_status gf_pcs_m31_open(const gf_pcs_m31 *s, const uint8_t *params, size_t params_len, const gf_m31 *vals, uint64_t len,
                          size_t n_points, const gf_m31ext3 *const *points, struct gf_transcript *t, gf_buf *proof,
                          gf_error *err) {
    uint32_t *vec_of = calloc(n_points + 1, sizeof *vec_of);
    if (!vec_of) return gf_error_set(err, GF_ERR_NOMEM, "out of memory");
    gf_status st = s->batch_open(params, params_len, 1, &vals, &len, n_points, vec_of, points, t, proof, err);
    free(vec_of);
    return st;
}

gf_status gf_pcs_m31_verify(const gf_pcs_m31 *s, const uint8_t *params, size_t params_len, const uint8_t *com, uint64_t len,
                            size_t n_points, const gf_m31ext3 *const *points, const gf_m31ext3 *values,
                            struct gf_transcript *t, gf_reader *proof, gf_error *err) {
    uint32_t *vec_of = calloc(n_points + 1, sizeof *vec_of);
    if (!vec_of) return gf_error_set(err, GF_ERR_NOMEM, "out of memory");
    gf_status st = s->batch_verify(params, params_len, 1, &com, &len, n_points, vec_of, points, values, t, proof, err);
    free(vec_of);
    return st;
}
