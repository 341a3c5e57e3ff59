#include <stdlib.h>
#include <string.h>
#include "common/util.h"
#include "gkr/mle.h"
#include "hash/sha256.h"
#include "pcs/pcs.h"

static const char RAW_TAG[] = "gkrflow/raw-pcs/v1";

gf_status gf_pcs_raw_commit_m31(const gf_m31 *vals, uint64_t len, uint8_t com[32], gf_error *err) {
    gf_sha256_ctx h;
    gf_status st = gf_sha256_init(&h, err);
    if (st) return st;
    uint8_t n[8];
    gf_put_u64le(n, len);
    /* M31 values are stored little-endian in memory on every target we build for */
    if (!(st = gf_sha256_update(&h, RAW_TAG, sizeof RAW_TAG - 1, err)) && !(st = gf_sha256_update(&h, n, 8, err)) &&
        !(st = gf_sha256_update(&h, vals, len * sizeof(gf_m31), err)))
        st = gf_sha256_final(&h, com, err);
    gf_sha256_free(&h);
    return st;
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
