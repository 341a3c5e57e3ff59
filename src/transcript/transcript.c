#include "transcript/transcript.h"

#include <string.h>
#include "common/util.h"

#define INIT_PREFIX "gkrflow-transcript-v1"
enum { DOM_INIT = 0x00, DOM_ABSORB = 0x01, DOM_SQUEEZE = 0x02 };
enum { HDR_BYTES = 1 + GF_TRANSCRIPT_STATE_BYTES + 8 };   /* domain byte || s || LE64(k) */

_Static_assert(GF_TRANSCRIPT_BUF_BYTES >= HDR_BYTES + 64, "pending buffer too small");

static void set_error(gf_transcript *t, gf_status code, const char *msg) {
    if (t->status != GF_OK) return;   /* keep the first cause */
    t->status = code;
    size_t n = strnlen(msg, sizeof t->errmsg - 1);   /* truncation is fine for a message */
    memcpy(t->errmsg, msg, n);
    t->errmsg[n] = 0;
}

static int failed(const gf_transcript *t) { return t->status != GF_OK; }

/* Opens the absorb of P: the header binds the state and the squeeze count it continues from. */
static void open_absorb(gf_transcript *t) {
    if (t->absorbing) return;
    t->buf[0] = DOM_ABSORB;
    memcpy(t->buf + 1, t->state, GF_TRANSCRIPT_STATE_BYTES);
    gf_put_u64le(t->buf + 1 + GF_TRANSCRIPT_STATE_BYTES, t->squeezes);
    t->buf_len = HDR_BYTES;
    t->absorbing = 1;
}

static void flush_buf(gf_transcript *t) {
    gf_error e;
    if (t->buf_len && gf_sha256_update(&t->h, t->buf, t->buf_len, &e) != GF_OK) {
        set_error(t, e.code, e.msg);
        return;
    }
    t->buf_len = 0;
    t->streaming = 1;
}

/* Room for k <= 64 contiguous bytes of P; NULL once failed. */
static uint8_t *reserve(gf_transcript *t, size_t k) {
    if (failed(t)) return NULL;
    open_absorb(t);
    if (t->buf_len + k > GF_TRANSCRIPT_BUF_BYTES) {
        flush_buf(t);
        if (failed(t)) return NULL;
    }
    uint8_t *p = t->buf + t->buf_len;
    t->buf_len += k;
    return p;
}

/* s = H(0x01 || s || LE64(k) || P); also used with P empty (get_state when k > 0). */
static void close_absorb(gf_transcript *t) {
    gf_error e;
    open_absorb(t);
    if (gf_sha256_update(&t->h, t->buf, t->buf_len, &e) != GF_OK ||
        gf_sha256_final(&t->h, t->state, &e) != GF_OK) {
        set_error(t, e.code, e.msg);
        return;
    }
    t->buf_len = 0;
    t->absorbing = 0;
    t->streaming = 0;
    t->squeezes = 0;
}

/* One block H(0x02 || s || LE64(k)), absorbing pending bytes first. All-zero once failed. */
static void squeeze_block(gf_transcript *t, uint8_t out[32]) {
    if (!failed(t) && t->absorbing) close_absorb(t);
    if (failed(t)) {
        memset(out, 0, 32);
        return;
    }
    uint8_t msg[HDR_BYTES];
    gf_error e;
    msg[0] = DOM_SQUEEZE;
    memcpy(msg + 1, t->state, GF_TRANSCRIPT_STATE_BYTES);
    gf_put_u64le(msg + 1 + GF_TRANSCRIPT_STATE_BYTES, t->squeezes);
    if (gf_sha256_update(&t->h, msg, sizeof msg, &e) != GF_OK || gf_sha256_final(&t->h, out, &e) != GF_OK) {
        set_error(t, e.code, e.msg);
        memset(out, 0, 32);
        return;
    }
    t->squeezes++;
}

gf_status gf_transcript_init(gf_transcript *t, const char *domain_tag, gf_error *err) {
    memset(t, 0, sizeof *t);
    if (!domain_tag) {
        set_error(t, GF_ERR_INVALID, "gf_transcript_init: domain tag is NULL");
        return gf_transcript_status(t, err);
    }
    gf_error e;
    if (gf_sha256_init(&t->h, &e) != GF_OK) {
        set_error(t, e.code, e.msg);
        return gf_transcript_status(t, err);
    }
    size_t n = strlen(domain_tag);
    uint8_t hdr[1 + sizeof INIT_PREFIX - 1 + 8];
    hdr[0] = DOM_INIT;
    memcpy(hdr + 1, INIT_PREFIX, sizeof INIT_PREFIX - 1);
    gf_put_u64le(hdr + sizeof INIT_PREFIX, (uint64_t)n);
    if (gf_sha256_update(&t->h, hdr, sizeof hdr, &e) != GF_OK ||
        gf_sha256_update(&t->h, domain_tag, n, &e) != GF_OK ||
        gf_sha256_final(&t->h, t->state, &e) != GF_OK)
        set_error(t, e.code, e.msg);
    return gf_transcript_status(t, err);
}

void gf_transcript_free(gf_transcript *t) {
    gf_sha256_free(&t->h);
    memset(t->state, 0, sizeof t->state);
    t->absorbing = t->streaming = 0;
    t->buf_len = 0;
    set_error(t, GF_ERR_INVALID, "transcript used after gf_transcript_free");
}

void gf_transcript_append_bytes(gf_transcript *t, const void *data, size_t len) {
    if (failed(t) || len == 0) return;
    if (!data) {
        set_error(t, GF_ERR_INVALID, "gf_transcript_append_bytes: NULL data with nonzero length");
        return;
    }
    open_absorb(t);
    const uint8_t *p = data;
    if (t->buf_len + len > GF_TRANSCRIPT_BUF_BYTES) {
        flush_buf(t);
        if (failed(t)) return;
        if (len >= GF_TRANSCRIPT_BUF_BYTES) {   /* large: straight to libcrypto, no copy */
            gf_error e;
            if (gf_sha256_update(&t->h, p, len, &e) != GF_OK) set_error(t, e.code, e.msg);
            return;
        }
    }
    memcpy(t->buf + t->buf_len, p, len);
    t->buf_len += len;
}

void gf_transcript_append_u64(gf_transcript *t, uint64_t v) {
    uint8_t *p = reserve(t, 8);
    if (p) gf_put_u64le(p, v);
}

void gf_transcript_append_label(gf_transcript *t, const char *label) {
    if (failed(t)) return;
    if (!label) {
        set_error(t, GF_ERR_INVALID, "gf_transcript_append_label: NULL label");
        return;
    }
    size_t n = strlen(label);
    gf_transcript_append_u64(t, (uint64_t)n);
    gf_transcript_append_bytes(t, label, n);
}

void gf_transcript_append_m31(gf_transcript *t, gf_m31 a) {
    uint8_t *p = reserve(t, 4);
    if (p) gf_put_u32le(p, gf_m31_from_u32(a));
}

void gf_transcript_append_m31s(gf_transcript *t, const gf_m31 *a, size_t n) {
    if (n && !a && !failed(t)) set_error(t, GF_ERR_INVALID, "gf_transcript_append_m31s: NULL array");
    for (size_t i = 0; i < n && !failed(t); i++) gf_transcript_append_m31(t, a[i]);
}

void gf_transcript_append_m31ext3(gf_transcript *t, gf_m31ext3 a) {
    uint8_t *p = reserve(t, 12);
    if (!p) return;
    for (int j = 0; j < 3; j++) gf_put_u32le(p + 4 * j, gf_m31_from_u32(a.c[j]));
}

void gf_transcript_append_m31ext3s(gf_transcript *t, const gf_m31ext3 *a, size_t n) {
    if (n && !a && !failed(t)) set_error(t, GF_ERR_INVALID, "gf_transcript_append_m31ext3s: NULL array");
    for (size_t i = 0; i < n && !failed(t); i++) gf_transcript_append_m31ext3(t, a[i]);
}

void gf_transcript_append_bn254fr(gf_transcript *t, const gf_bn254fr *a) {
    if (!a && !failed(t)) set_error(t, GF_ERR_INVALID, "gf_transcript_append_bn254fr: NULL element");
    uint8_t *p = reserve(t, 32);
    if (p) gf_bn254fr_to_bytes_be(p, a);
}

void gf_transcript_append_bn254frs(gf_transcript *t, const gf_bn254fr *a, size_t n) {
    if (n && !a && !failed(t)) set_error(t, GF_ERR_INVALID, "gf_transcript_append_bn254frs: NULL array");
    for (size_t i = 0; i < n && !failed(t); i++) gf_transcript_append_bn254fr(t, &a[i]);
}

void gf_transcript_squeeze_bytes(gf_transcript *t, uint8_t *out, size_t n) {
    uint8_t blk[32];
    while (n) {
        size_t k = n < 32 ? n : 32;
        squeeze_block(t, blk);
        memcpy(out, blk, k);
        out += k;
        n -= k;
    }
}

/* A call's stream of 32-bit words; starts empty so the first word comes from a fresh block. */
typedef struct word_stream { uint8_t blk[32]; unsigned pos; } word_stream;

static gf_m31 next_m31(gf_transcript *t, word_stream *s) {
    for (;;) {   /* terminates: once failed, blocks are zero and 0 is accepted */
        if (s->pos == 8) {
            squeeze_block(t, s->blk);
            s->pos = 0;
        }
        uint32_t w = gf_get_u32le(s->blk + 4 * s->pos++) & GF_M31_P;
        if (w != GF_M31_P) return w;
    }
}

gf_m31 gf_transcript_challenge_m31(gf_transcript *t) {
    word_stream s = {.pos = 8};
    return next_m31(t, &s);
}

void gf_transcript_challenge_m31_vec(gf_transcript *t, gf_m31 *out, size_t n) {
    word_stream s = {.pos = 8};
    for (size_t i = 0; i < n; i++) out[i] = next_m31(t, &s);
}

gf_m31ext3 gf_transcript_challenge_m31ext3(gf_transcript *t) {
    gf_m31ext3 r;
    gf_transcript_challenge_m31ext3_vec(t, &r, 1);
    return r;
}

void gf_transcript_challenge_m31ext3_vec(gf_transcript *t, gf_m31ext3 *out, size_t n) {
    word_stream s = {.pos = 8};
    for (size_t i = 0; i < n; i++)
        for (int j = 0; j < 3; j++) out[i].c[j] = next_m31(t, &s);
}

void gf_transcript_challenge_bn254fr(gf_transcript *t, gf_bn254fr *out) {
    uint8_t wide[64];
    squeeze_block(t, wide);
    squeeze_block(t, wide + 32);
    gf_bn254fr_from_uniform64(out, wide);
}

void gf_transcript_challenge_bn254fr_vec(gf_transcript *t, gf_bn254fr *out, size_t n) {
    for (size_t i = 0; i < n; i++) gf_transcript_challenge_bn254fr(t, &out[i]);
}

void gf_transcript_get_state(gf_transcript *t, uint8_t out[GF_TRANSCRIPT_STATE_BYTES]) {
    if (!failed(t) && (t->absorbing || t->squeezes)) close_absorb(t);
    if (failed(t))
        memset(out, 0, GF_TRANSCRIPT_STATE_BYTES);
    else
        memcpy(out, t->state, GF_TRANSCRIPT_STATE_BYTES);
}

void gf_transcript_set_state(gf_transcript *t, const uint8_t in[GF_TRANSCRIPT_STATE_BYTES]) {
    if (failed(t)) return;
    if (t->streaming) {   /* drop the partial absorb held by libcrypto */
        gf_error e;
        if (gf_sha256_reset(&t->h, &e) != GF_OK) {
            set_error(t, e.code, e.msg);
            return;
        }
    }
    memcpy(t->state, in, GF_TRANSCRIPT_STATE_BYTES);
    t->squeezes = 0;
    t->absorbing = t->streaming = 0;
    t->buf_len = 0;
}

gf_status gf_transcript_status(const gf_transcript *t, gf_error *err) {
    if (t->status == GF_OK) return GF_OK;
    return gf_error_set(err, t->status, "transcript: %s", t->errmsg);
}
