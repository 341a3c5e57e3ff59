#include "common/buf.h"
#include <stdlib.h>
#include <string.h>
#include "common/util.h"

void gf_buf_init(gf_buf *b) { memset(b, 0, sizeof *b); }
void gf_buf_free(gf_buf *b) { free(b->data); memset(b, 0, sizeof *b); }

/* Capacity exactly cap (> b->cap); 0, or -1 with `failed` set. */
static int gf_buf_realloc_(gf_buf *b, size_t cap) {
    uint8_t *d = realloc(b->data, cap);
    if (!d) { b->failed = 1; return -1; }
    /* large buffers (proofs with raw openings) are written whole: first-touch faults on 4 KiB
     * pages cost more than the copy (5 MB: 3.3 ms of faults for a 0.3 ms copy; on huge pages
     * and made resident in one call, 0.7-1.3 ms) */
    if (cap >= ((size_t)4 << 20)) {
        gf_advise_huge(d, cap);
        if (cap > b->cap) gf_prefault(d + b->cap, cap - b->cap);
    }
    b->data = d;
    b->cap = cap;
    return 0;
}

/* Room for n more bytes (capacity doubles); 0, or -1 with `failed` set. */
static int gf_buf_grow(gf_buf *b, size_t n) {
    if (b->failed) return -1;
    if (n > SIZE_MAX - b->len) { b->failed = 1; return -1; }
    if (b->len + n <= b->cap) return 0;
    size_t cap = b->cap ? b->cap : 256;
    while (cap < b->len + n) {
        if (cap > SIZE_MAX / 2) { cap = b->len + n; break; }
        cap *= 2;
    }
    return gf_buf_realloc_(b, cap);
}

void gf_buf_append(gf_buf *b, const void *p, size_t n) {
    if (n == 0 || gf_buf_grow(b, n)) return;
    memcpy(b->data + b->len, p, n);
    b->len += n;
}

void gf_buf_ensure(gf_buf *b, size_t cap) {
    if (!b->failed && cap > b->cap) (void)gf_buf_realloc_(b, cap);
}

uint8_t *gf_buf_reserve(gf_buf *b, size_t n) {
    if (gf_buf_grow(b, n ? n : 1)) return NULL;
    uint8_t *p = b->data + b->len;
    b->len += n;
    return p;
}

void gf_buf_u32(gf_buf *b, uint32_t v) { uint8_t t[4]; gf_put_u32le(t, v); gf_buf_append(b, t, 4); }
void gf_buf_u64(gf_buf *b, uint64_t v) { uint8_t t[8]; gf_put_u64le(t, v); gf_buf_append(b, t, 8); }

gf_status gf_buf_status(const gf_buf *b, gf_error *err) {
    if (b->failed) return gf_error_set(err, GF_ERR_NOMEM, "out of memory growing a buffer past %zu bytes", b->len);
    return GF_OK;
}

void gf_reader_init(gf_reader *r, const void *p, size_t len) {
    memset(r, 0, sizeof *r);
    r->p = p;
    r->len = len;
}

const uint8_t *gf_reader_take(gf_reader *r, size_t n, const char *what) {
    if (r->failed) return NULL;
    if (n > r->len - r->pos) {
        r->failed = 1;
        r->fail_pos = r->pos;
        r->fail_what = what;
        return NULL;
    }
    const uint8_t *q = r->p + r->pos;
    r->pos += n;
    return q;
}

uint32_t gf_reader_u32(gf_reader *r, const char *what) {
    const uint8_t *q = gf_reader_take(r, 4, what);
    return q ? gf_get_u32le(q) : 0;
}

uint64_t gf_reader_u64(gf_reader *r, const char *what) {
    const uint8_t *q = gf_reader_take(r, 8, what);
    return q ? gf_get_u64le(q) : 0;
}

gf_status gf_reader_status(const gf_reader *r, const char *name, gf_error *err) {
    if (!r->failed) return GF_OK;
    return gf_error_set(err, GF_ERR_FORMAT, "%s: truncated at byte %zu of %zu while reading %s", name,
                        r->fail_pos, r->len, r->fail_what ? r->fail_what : "data");
}
