/* Whole-file I/O with atomic writes (see files.h). */
#include "tools/files.h"
#include "circuit/binio.h"
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

gf_status cli_read_file(const char *path, uint8_t **data, size_t *len, gf_error *err) {
    *data = NULL;
    *len = 0;
    FILE *f;
    gf_status st = gf_binio_open(&f, path, "cli_read_file", err);
    if (st) return st;
    uint8_t *d = NULL;
    size_t n = 0, cap = 0;
    for (;;) {
        if (n == cap) {
            cap = cap ? cap * 2 : 1 << 16;
            uint8_t *nd = realloc(d, cap);
            if (!nd) { free(d); fclose(f); return gf_error_set(err, GF_ERR_NOMEM, "%s: out of memory reading it", path); }
            d = nd;
        }
        size_t r = fread(d + n, 1, cap - n, f);
        n += r;
        if (r == 0) break;
    }
    int bad = ferror(f);
    fclose(f);
    if (bad) { free(d); return gf_error_set(err, GF_ERR_IO, "%s: read error", path); }
    *data = d;
    *len = n;
    return GF_OK;
}

/* Opens PATH.tmp.PID exclusively (mode 0666 less the umask, like fopen). */
static FILE *open_temp(const char *path, char **tmp, gf_error *err) {
    size_t n = strlen(path) + 32;
    *tmp = malloc(n);
    if (!*tmp) { gf_error_set(err, GF_ERR_NOMEM, "out of memory"); return NULL; }
    snprintf(*tmp, n, "%s.tmp.%ld", path, (long)getpid());
    int fd = open(*tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
    FILE *f = fd >= 0 ? fdopen(fd, "wb") : NULL;
    if (!f) {
        gf_error_set(err, GF_ERR_IO, "%s: cannot create (temporary %s): %s", path, *tmp, strerror(errno));
        if (fd >= 0) { close(fd); remove(*tmp); }
        free(*tmp);
        *tmp = NULL;
    }
    return f;
}

gf_status cli_write_stream(const char *path, cli_write_fn fn, const void *ctx, gf_error *err) {
    char *tmp = NULL;
    FILE *f = open_temp(path, &tmp, err);
    if (!f) return err ? err->code : GF_ERR_IO;
    gf_status st = fn(f, ctx, err);
    if (st) gf_error_prefix(err, "%s", path);
    if (!st && fflush(f) != 0) st = gf_error_set(err, GF_ERR_IO, "%s: write error: %s", path, strerror(errno));
    if (fclose(f) != 0 && !st) st = gf_error_set(err, GF_ERR_IO, "%s: write error: %s", path, strerror(errno));
    if (!st && rename(tmp, path) != 0) st = gf_error_set(err, GF_ERR_IO, "%s: cannot replace it: %s", path, strerror(errno));
    if (st) remove(tmp);
    free(tmp);
    return st;
}

typedef struct { const uint8_t *data; size_t len; } bytes_ctx;

static gf_status write_bytes(FILE *f, const void *ctx, gf_error *err) {
    const bytes_ctx *b = ctx;
    if (b->len && fwrite(b->data, 1, b->len, f) != b->len)
        return gf_error_set(err, GF_ERR_IO, "write error: %s", strerror(errno));
    return GF_OK;
}

gf_status cli_write_file(const char *path, const uint8_t *data, size_t len, gf_error *err) {
    bytes_ctx b = {data, len};
    return cli_write_stream(path, write_bytes, &b, err);
}
