/* Raw PCS over BN254 Fr (see pcs.h): the opening is the committed vector itself. */
#include <stdlib.h>
#include <string.h>
#include "common/util.h"
#include "gkr/mle_bn254.h"
#include "hash/sha256.h"
#include "pcs/pcs.h"

static const char RAW_TAG[] = "gkrflow/raw-pcs/v1";
#define CHUNK 128   /* values encoded per hash update */

gf_status gf_pcs_raw_commit_bn254(const gf_bn254fr *vals, uint64_t len, uint8_t com[32], gf_error *err) {
    gf_sha256_ctx h;
    gf_status st = gf_sha256_init(&h, err);
    if (st) return st;
    uint8_t n[8], buf[CHUNK * 32];
    gf_put_u64le(n, len);
    if (!(st = gf_sha256_update(&h, RAW_TAG, sizeof RAW_TAG - 1, err))) st = gf_sha256_update(&h, n, 8, err);
    for (uint64_t i = 0; !st && i < len; i += CHUNK) {
        size_t k = len - i < CHUNK ? (size_t)(len - i) : CHUNK;
        for (size_t j = 0; j < k; j++) gf_bn254fr_to_bytes_be(buf + 32 * j, &vals[i + j]);
        st = gf_sha256_update(&h, buf, 32 * k, err);
    }
    if (!st) st = gf_sha256_final(&h, com, err);
    gf_sha256_free(&h);
    return st;
}

void gf_pcs_raw_open_bn254(const gf_bn254fr *vals, uint64_t len, gf_buf *out) {
    uint8_t b[32];
    for (uint64_t i = 0; i < len; i++) {
        gf_bn254fr_to_bytes_be(b, &vals[i]);
        gf_buf_append(out, b, 32);
    }
}

gf_status gf_pcs_raw_verify_bn254(gf_reader *r, uint64_t len, const uint8_t com[32], size_t n_claims,
                                  const gf_bn254fr *const *points, const gf_bn254fr *values, gf_error *err) {
    if (!gf_is_pow2(len)) return gf_error_set(err, GF_ERR_INVALID, "raw PCS: length %llu is not a power of two", (unsigned long long)len);
    size_t pos = r->pos;
    if (len > gf_reader_remaining(r) / 32)
        return gf_error_set(err, GF_ERR_FORMAT, "proof truncated at byte %zu: raw opening needs %llu values", pos, (unsigned long long)len);
    const uint8_t *b = gf_reader_take(r, len * 32, "raw opening");
    gf_bn254fr *v = malloc(len * sizeof *v);
    if (!v) return gf_error_set(err, GF_ERR_NOMEM, "out of memory reading a raw opening of %llu values", (unsigned long long)len);
    for (uint64_t i = 0; i < len; i++)
        if (gf_bn254fr_from_bytes_be(&v[i], b + 32 * i)) {
            free(v);
            return gf_error_set(err, GF_ERR_FORMAT, "proof byte %zu: raw opening value %llu is not canonical (>= r)",
                                pos + 32 * (size_t)i, (unsigned long long)i);
        }
    uint8_t c2[32];
    gf_status st = gf_pcs_raw_commit_bn254(v, len, c2, err);
    if (!st && memcmp(c2, com, 32)) st = gf_error_set(err, GF_ERR_VERIFY, "raw PCS: opened values do not match the commitment");
    unsigned k = gf_log2_u64(len);
    for (size_t i = 0; !st && i < n_claims; i++) {
        gf_bn254fr e;
        if (gf_mle_bn254_eval(&e, v, points[i], k)) st = gf_error_set(err, GF_ERR_NOMEM, "out of memory evaluating a raw opening");
        else if (!gf_bn254fr_eq(&e, &values[i]))
            st = gf_error_set(err, GF_ERR_VERIFY, "raw PCS: input claim %zu does not match the committed input", i);
    }
    free(v);
    return st;
}
