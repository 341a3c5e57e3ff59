#ifndef GF_HASH_SHA256_H
#define GF_HASH_SHA256_H
/* SHA-256 (FIPS 180-4) through OpenSSL's libcrypto EVP interface.
 * Invariant: a gf_sha256_ctx owns its EVP_MD_CTX and the EVP_MD it fetched at init (fetched
 * once, so hashing in a loop costs no provider lookups); nothing is cached globally. Between
 * gf_sha256_init and gf_sha256_free the context always holds a message in progress: after
 * gf_sha256_final it has been reset to the empty message, ready for reuse.
 * A zero-filled context is "not initialised": gf_sha256_free accepts it and is idempotent. */
#include <stddef.h>
#include <stdint.h>
#include "common/error.h"

#define GF_SHA256_DIGEST_BYTES 32u

struct evp_md_ctx_st;   /* OpenSSL's EVP_MD_CTX */
struct evp_md_st;       /* OpenSSL's EVP_MD */

typedef struct gf_sha256_ctx {
    struct evp_md_ctx_st *mdctx;
    struct evp_md_st *md;
} gf_sha256_ctx;

/* On failure the context is left freed (zeroed), err names the OpenSSL reason. */
gf_status gf_sha256_init(gf_sha256_ctx *c, gf_error *err);
gf_status gf_sha256_update(gf_sha256_ctx *c, const void *data, size_t len, gf_error *err);
/* Writes the digest of everything absorbed since init/reset, then resets. */
gf_status gf_sha256_final(gf_sha256_ctx *c, uint8_t out[GF_SHA256_DIGEST_BYTES], gf_error *err);
/* Drops the message in progress and starts an empty one. */
gf_status gf_sha256_reset(gf_sha256_ctx *c, gf_error *err);
void gf_sha256_free(gf_sha256_ctx *c);

/* One-shot digest of data[0..len). */
gf_status gf_sha256(uint8_t out[GF_SHA256_DIGEST_BYTES], const void *data, size_t len, gf_error *err);

#endif
