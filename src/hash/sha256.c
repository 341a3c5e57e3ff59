#include "hash/sha256.h"

#include <stdio.h>
#include <string.h>
#include <openssl/err.h>
#include <openssl/evp.h>

/* Turns the oldest queued OpenSSL error into our message and empties the (thread-local) queue,
 * so a later failure does not report a stale reason. */
static gf_status ossl_fail(gf_error *err, const char *what) {
    unsigned long e = ERR_get_error();
    char reason[256];
    if (e)
        ERR_error_string_n(e, reason, sizeof reason);
    else
        snprintf(reason, sizeof reason, "no OpenSSL error queued");
    ERR_clear_error();
    return gf_error_set(err, GF_ERR_INTERNAL, "sha256: %s failed: %s", what, reason);
}

gf_status gf_sha256_init(gf_sha256_ctx *c, gf_error *err) {
    c->mdctx = NULL;
    c->md = EVP_MD_fetch(NULL, "SHA256", NULL);
    if (!c->md) return ossl_fail(err, "EVP_MD_fetch(SHA256)");
    c->mdctx = EVP_MD_CTX_new();
    if (!c->mdctx) {
        gf_status st = ossl_fail(err, "EVP_MD_CTX_new");
        gf_sha256_free(c);
        return st;
    }
    if (EVP_DigestInit_ex2(c->mdctx, c->md, NULL) != 1) {
        gf_status st = ossl_fail(err, "EVP_DigestInit_ex2");
        gf_sha256_free(c);
        return st;
    }
    return GF_OK;
}

gf_status gf_sha256_update(gf_sha256_ctx *c, const void *data, size_t len, gf_error *err) {
    if (len == 0) return GF_OK;   /* data may be NULL then */
    if (EVP_DigestUpdate(c->mdctx, data, len) != 1) return ossl_fail(err, "EVP_DigestUpdate");
    return GF_OK;
}

gf_status gf_sha256_reset(gf_sha256_ctx *c, gf_error *err) {
    /* Same EVP_MD as before: OpenSSL re-initialises the existing provider context. */
    if (EVP_DigestInit_ex2(c->mdctx, c->md, NULL) != 1) return ossl_fail(err, "EVP_DigestInit_ex2");
    return GF_OK;
}

gf_status gf_sha256_final(gf_sha256_ctx *c, uint8_t out[GF_SHA256_DIGEST_BYTES], gf_error *err) {
    unsigned int n = 0;
    if (EVP_DigestFinal_ex(c->mdctx, out, &n) != 1) return ossl_fail(err, "EVP_DigestFinal_ex");
    if (n != GF_SHA256_DIGEST_BYTES)
        return gf_error_set(err, GF_ERR_INTERNAL, "sha256: digest has %u bytes, expected 32", n);
    return gf_sha256_reset(c, err);
}

void gf_sha256_free(gf_sha256_ctx *c) {
    EVP_MD_CTX_free(c->mdctx);   /* both accept NULL */
    EVP_MD_free(c->md);
    c->mdctx = NULL;
    c->md = NULL;
}

gf_status gf_sha256(uint8_t out[GF_SHA256_DIGEST_BYTES], const void *data, size_t len, gf_error *err) {
    gf_sha256_ctx c;
    gf_status st = gf_sha256_init(&c, err);
    if (st != GF_OK) return st;
    st = gf_sha256_update(&c, data, len, err);
    if (st == GF_OK) st = gf_sha256_final(&c, out, err);
    gf_sha256_free(&c);
    return st;
}
