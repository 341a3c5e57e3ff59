#define _GNU_SOURCE
#include "circuit/binio.h"
#include "common/util.h"
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define GF_BINIO_CHUNK ((size_t)16 << 20)

gf_status gf_binio_open(FILE **f, const char *path, const char *who, gf_error *err) {
    *f = NULL;
    if (!path) return gf_error_set(err, GF_ERR_INVALID, "%s: NULL path", who);
    *f = fopen(path, "rb");
    if (!*f) return gf_error_set(err, GF_ERR_IO, "%s: cannot open: %s", path, strerror(errno));
    return GF_OK;
}

gf_status gf_binio_create(FILE **f, const char *path, const char *who, gf_error *err) {
    *f = NULL;
    if (!path) return gf_error_set(err, GF_ERR_INVALID, "%s: NULL path", who);
    *f = fopen(path, "wb");
    if (!*f) return gf_error_set(err, GF_ERR_IO, "%s: cannot create: %s", path, strerror(errno));
    return GF_OK;
}

gf_status gf_binio_finish(FILE *f, const char *path, gf_status st, gf_error *err) {
    if (fclose(f) != 0 && !st) st = gf_error_set(err, GF_ERR_IO, "%s: close failed: %s", path, strerror(errno));
    if (st) { gf_error_prefix(err, "%s", path); remove(path); }
    return st;
}

void gf_binio_reader_init(gf_binio_reader *r, FILE *f, const char *name) {
    r->f = f;
    r->name = name ? name : "(stream)";
    r->size = -1;
    off_t pos = ftello(f);
    r->off = pos >= 0 ? (uint64_t)pos : 0;
    struct stat st;
    int fd = fileno(f);
    if (pos >= 0 && fd >= 0 && fstat(fd, &st) == 0 && S_ISREG(st.st_mode)) {
        r->size = (int64_t)st.st_size;
    } else if (pos >= 0 && fseeko(f, 0, SEEK_END) == 0) {
        /* a seekable stream that is not a file (e.g. a memory buffer): measure it, so counts
         * read from the data are checked against what is really there before allocating */
        off_t end = ftello(f);
        if (end >= 0) r->size = (int64_t)end;
        if (fseeko(f, pos, SEEK_SET) != 0) r->size = -1;
    }
}

gf_status gf_binio_read(gf_binio_reader *r, void *p, size_t n, const char *what, gf_error *err) {
    size_t got = n ? fread(p, 1, n, r->f) : 0;
    if (got != n) {
        if (ferror(r->f))
            return gf_error_set(err, GF_ERR_IO, "%s: read error at offset %" PRIu64 " (%s): %s", r->name,
                                r->off + got, what, strerror(errno));
        return gf_error_set(err, GF_ERR_FORMAT, "%s: truncated at offset %" PRIu64 ": %s needs %zu bytes, only %zu left",
                            r->name, r->off, what, n, got);
    }
    r->off += n;
    return GF_OK;
}

gf_status gf_binio_u32(gf_binio_reader *r, uint32_t *v, const char *what, gf_error *err) {
    uint8_t b[4];
    gf_status st = gf_binio_read(r, b, 4, what, err);
    *v = st == GF_OK ? gf_get_u32le(b) : 0;
    return st;
}

gf_status gf_binio_u64(gf_binio_reader *r, uint64_t *v, const char *what, gf_error *err) {
    uint8_t b[8];
    gf_status st = gf_binio_read(r, b, 8, what, err);
    *v = st == GF_OK ? gf_get_u64le(b) : 0;
    return st;
}

gf_status gf_binio_check_room(gf_binio_reader *r, uint64_t count, uint64_t elem, uint64_t at,
                              const char *what, gf_error *err) {
    if (elem && count > (uint64_t)SIZE_MAX / elem)
        return gf_error_set(err, GF_ERR_FORMAT, "%s: offset %" PRIu64 ": %s count %" PRIu64 " x %" PRIu64
                            " bytes overflows memory", r->name, at, what, count, elem);
    if (r->size >= 0) {
        uint64_t left = (uint64_t)r->size > r->off ? (uint64_t)r->size - r->off : 0;
        if (count * elem > left)
            return gf_error_set(err, GF_ERR_FORMAT, "%s: offset %" PRIu64 ": %s count %" PRIu64 " needs %" PRIu64
                                " bytes but only %" PRIu64 " remain in the file", r->name, at, what, count, count * elem, left);
    }
    return GF_OK;
}

gf_status gf_binio_read_array(gf_binio_reader *r, void **out, uint64_t count, size_t elem,
                              uint64_t at, const char *what, gf_error *err) {
    *out = NULL;
    gf_status st = gf_binio_check_room(r, count, elem, at, what, err);
    if (st) return st;
    size_t total = (size_t)count * elem;
    if (r->size >= 0 || total <= GF_BINIO_CHUNK) {
        uint8_t *p = malloc(total ? total : 1);
        if (!p) return gf_error_set(err, GF_ERR_NOMEM, "%s: out of memory for %" PRIu64 " %s", r->name, count, what);
        st = gf_binio_read(r, p, total, what, err);
        if (st) { free(p); return st; }
        *out = p;
        return GF_OK;
    }
    /* Unknown length (pipe): grow as data actually arrives, so a lying count costs at most
     * what the stream really holds. */
    uint8_t *p = NULL;
    size_t have = 0;
    while (have < total) {
        size_t step = total - have < GF_BINIO_CHUNK ? total - have : GF_BINIO_CHUNK;
        uint8_t *q = realloc(p, have + step);
        if (!q) { free(p); return gf_error_set(err, GF_ERR_NOMEM, "%s: out of memory for %s", r->name, what); }
        p = q;
        st = gf_binio_read(r, p + have, step, what, err);
        if (st) { free(p); return st; }
        have += step;
    }
    *out = p;
    return GF_OK;
}

gf_status gf_binio_expect_eof(gf_binio_reader *r, gf_error *err) {
    int ch = fgetc(r->f);
    if (ch != EOF)
        return gf_error_set(err, GF_ERR_FORMAT, "%s: trailing garbage at offset %" PRIu64 " (byte 0x%02x after the end of the data)",
                            r->name, r->off, (unsigned)ch);
    if (ferror(r->f))
        return gf_error_set(err, GF_ERR_IO, "%s: read error at offset %" PRIu64 ": %s", r->name, r->off, strerror(errno));
    return GF_OK;
}

void gf_binio_le32_inplace(uint32_t *p, size_t n) {
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    (void)p; (void)n;
#else
    for (size_t i = 0; i < n; i++) p[i] = gf_get_u32le((const uint8_t *)&p[i]);
#endif
}

void gf_binio_writer_init(gf_binio_writer *w, FILE *f, gf_sha256_ctx *hash, const char *name, gf_error *err) {
    w->f = f;
    w->hash = hash;
    w->name = name ? name : "(stream)";
    w->total = 0;
    w->len = 0;
    w->st = GF_OK;
    w->err = err;
}

static void gf_binio_drain_(gf_binio_writer *w) {
    if (w->st || !w->len) { w->len = 0; return; }
    if (w->hash) w->st = gf_sha256_update(w->hash, w->buf, w->len, w->err);
    if (!w->st && w->f && fwrite(w->buf, 1, w->len, w->f) != w->len)
        w->st = gf_error_set(w->err, GF_ERR_IO, "%s: write failed at offset %" PRIu64 ": %s", w->name,
                             w->total - w->len, strerror(errno));
    w->len = 0;
}

void gf_binio_put(gf_binio_writer *w, const void *p, size_t n) {
    const uint8_t *s = p;
    while (n && !w->st) {
        size_t k = sizeof w->buf - w->len;
        if (k > n) k = n;
        memcpy(w->buf + w->len, s, k);
        w->len += k; w->total += k; s += k; n -= k;
        if (w->len == sizeof w->buf) gf_binio_drain_(w);
    }
}

void gf_binio_put_u32(gf_binio_writer *w, uint32_t v) { uint8_t b[4]; gf_put_u32le(b, v); gf_binio_put(w, b, 4); }
void gf_binio_put_u64(gf_binio_writer *w, uint64_t v) { uint8_t b[8]; gf_put_u64le(b, v); gf_binio_put(w, b, 8); }

void gf_binio_put_u32s(gf_binio_writer *w, const uint32_t *p, size_t n) {
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    gf_binio_put(w, p, n * 4);
#else
    for (size_t i = 0; i < n; i++) gf_binio_put_u32(w, p[i]);
#endif
}

gf_status gf_binio_flush(gf_binio_writer *w) {
    gf_binio_drain_(w);
    if (!w->st && w->f && fflush(w->f) != 0)
        w->st = gf_error_set(w->err, GF_ERR_IO, "%s: flush failed: %s", w->name, strerror(errno));
    return w->st;
}
