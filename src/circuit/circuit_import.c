/* Importer for Expander-cpp's "extracted gates" text files (layout: docs/formats.md,
 * section "Expander-cpp extracted gates"). Files are read as a stream, through liblzma when
 * they start with the xz magic, so the ~80 MB Keccak text never exists uncompressed. */
#include "circuit/circuit.h"
#include <errno.h>
#include <inttypes.h>
#include <lzma.h>
#include <stdlib.h>
#include <string.h>

#define GF_TXT_EOF (-1)
#define GF_TXT_ERR (-2)

typedef struct gf_txt {
    FILE *f;
    const char *name;
    int xz, in_eof, out_eof;
    lzma_stream zs;
    size_t pos, len;            /* decoded bytes buf[pos..len) not yet consumed */
    uint64_t line;
    gf_status st;
    gf_error *err;
    uint8_t in[1 << 16];
    uint8_t buf[1 << 18];
} gf_txt;

static const uint8_t gf_xz_magic[6] = { 0xfd, '7', 'z', 'X', 'Z', 0x00 };

static int gf_txt_fill_(gf_txt *t) {
    if (t->st) return GF_TXT_ERR;
    t->pos = t->len = 0;
    if (!t->xz) {
        if (t->in_eof) return GF_TXT_EOF;
        t->len = fread(t->buf, 1, sizeof t->buf, t->f);
        if (t->len < sizeof t->buf) {
            if (ferror(t->f)) {
                t->st = gf_error_set(t->err, GF_ERR_IO, "%s: read error near line %" PRIu64 ": %s", t->name, t->line, strerror(errno));
                return GF_TXT_ERR;
            }
            t->in_eof = 1;
        }
        return t->len ? 0 : GF_TXT_EOF;
    }
    while (!t->out_eof) {
        if (t->zs.avail_in == 0 && !t->in_eof) {
            size_t n = fread(t->in, 1, sizeof t->in, t->f);
            if (n < sizeof t->in) {
                if (ferror(t->f)) {
                    t->st = gf_error_set(t->err, GF_ERR_IO, "%s: read error: %s", t->name, strerror(errno));
                    return GF_TXT_ERR;
                }
                t->in_eof = 1;
            }
            t->zs.next_in = t->in;
            t->zs.avail_in = n;
        }
        t->zs.next_out = t->buf;
        t->zs.avail_out = sizeof t->buf;
        lzma_ret ret = lzma_code(&t->zs, t->in_eof ? LZMA_FINISH : LZMA_RUN);
        t->len = sizeof t->buf - t->zs.avail_out;
        if (ret == LZMA_STREAM_END) t->out_eof = 1;
        else if (ret != LZMA_OK) {
            t->st = gf_error_set(t->err, GF_ERR_FORMAT, "%s: xz decompression failed near line %" PRIu64 " (liblzma code %d%s)",
                                 t->name, t->line, (int)ret, ret == LZMA_BUF_ERROR ? ": truncated .xz file" :
                                 ret == LZMA_DATA_ERROR ? ": corrupt data" : "");
            return GF_TXT_ERR;
        }
        if (t->len) return 0;
    }
    return GF_TXT_EOF;
}

static inline int gf_txt_peek_(gf_txt *t) {
    if (t->pos == t->len) {
        int r = gf_txt_fill_(t);
        if (r) return r;
    }
    return t->buf[t->pos];
}

static gf_status gf_txt_open_(gf_txt *t, const char *path, gf_error *err) {
    memset(t, 0, offsetof(gf_txt, in));
    t->name = path;
    t->err = err;
    t->line = 1;
    t->f = fopen(path, "rb");
    if (!t->f) return gf_error_set(err, GF_ERR_IO, "%s: cannot open: %s", path, strerror(errno));
    /* sniff the first bytes: xz stream or plain text */
    size_t n = fread(t->in, 1, sizeof gf_xz_magic, t->f);
    if (ferror(t->f)) return gf_error_set(err, GF_ERR_IO, "%s: read error: %s", path, strerror(errno));
    if (n == sizeof gf_xz_magic && memcmp(t->in, gf_xz_magic, n) == 0) {
        t->xz = 1;
        lzma_stream init = LZMA_STREAM_INIT;
        t->zs = init;
        if (lzma_stream_decoder(&t->zs, UINT64_MAX, LZMA_CONCATENATED) != LZMA_OK)
            return gf_error_set(err, GF_ERR_NOMEM, "%s: cannot initialise the xz decoder", path);
        t->zs.next_in = t->in;
        t->zs.avail_in = n;
    } else {
        memcpy(t->buf, t->in, n);
        t->len = n;
    }
    return GF_OK;
}

static void gf_txt_close_(gf_txt *t) {
    if (t->xz) lzma_end(&t->zs);
    if (t->f) fclose(t->f);
}

static void gf_txt_skip_blanks_(gf_txt *t) {
    for (;;) {
        int c = gf_txt_peek_(t);
        if (c != ' ' && c != '\t' && c != '\r') return;
        t->pos++;
    }
}

static const char *gf_txt_describe_(int c, char tmp[16]) {
    if (c == GF_TXT_EOF) return "end of file";
    if (c == '\n') return "end of line";
    if (c >= 0x21 && c < 0x7f) snprintf(tmp, 16, "'%c'", c);
    else snprintf(tmp, 16, "byte 0x%02x", (unsigned)c);
    return tmp;
}

/* Unsigned decimal on the current line. */
static gf_status gf_txt_uint_(gf_txt *t, uint64_t *v, const char *what, uint64_t rec) {
    gf_txt_skip_blanks_(t);
    int c = gf_txt_peek_(t);
    if (c == GF_TXT_ERR) return t->st;
    if (c < '0' || c > '9') {
        char tmp[16];
        if (rec == UINT64_MAX)
            return t->st = gf_error_set(t->err, GF_ERR_FORMAT, "%s:%" PRIu64 ": expected %s, found %s", t->name, t->line,
                                        what, gf_txt_describe_(c, tmp));
        return t->st = gf_error_set(t->err, GF_ERR_FORMAT, "%s:%" PRIu64 ": gate record %" PRIu64 ": expected %s, found %s",
                                    t->name, t->line, rec, what, gf_txt_describe_(c, tmp));
    }
    uint64_t x = 0;
    while (c >= '0' && c <= '9') {
        if (x > (UINT64_MAX - 9) / 10)
            return t->st = gf_error_set(t->err, GF_ERR_FORMAT, "%s:%" PRIu64 ": %s: number too large", t->name, t->line, what);
        x = x * 10 + (uint64_t)(c - '0');
        t->pos++;
        c = gf_txt_peek_(t);
    }
    if (c == GF_TXT_ERR) return t->st;
    *v = x;
    return GF_OK;
}

typedef struct gf_imp_layer {
    void *g;                /* gf_gate_mul[] or gf_gate_add[] */
    uint64_t n, cap;
    int64_t max_in, max_out;   /* -1 if no gate */
} gf_imp_layer;

typedef struct gf_imp_coefs {   /* value -> table index, first appearance order */
    uint32_t *vals;
    uint32_t n, cap;
    uint32_t *slot;          /* hash slots: index + 1, 0 = empty */
    uint32_t nslot;
} gf_imp_coefs;

static inline uint32_t gf_imp_hash_(uint32_t v) {
    v ^= v >> 16; v *= 0x85ebca6bu; v ^= v >> 13; v *= 0xc2b2ae35u; v ^= v >> 16;
    return v;
}

static gf_status gf_imp_coef_(gf_imp_coefs *cf, uint32_t v, uint32_t *idx, gf_error *err) {
    if (2 * (cf->n + 1) > cf->nslot) {
        uint32_t ns = cf->nslot ? 2 * cf->nslot : 64;
        uint32_t *s = calloc(ns, sizeof *s);
        uint32_t *nv = realloc(cf->vals, (size_t)ns * sizeof *nv);
        if (!s || !nv) { free(s); if (nv) cf->vals = nv; return gf_error_set(err, GF_ERR_NOMEM, "import: out of memory for coefficients"); }
        cf->vals = nv;
        for (uint32_t j = 0; j < cf->n; j++) {
            uint32_t h = gf_imp_hash_(cf->vals[j]) & (ns - 1);
            while (s[h]) h = (h + 1) & (ns - 1);
            s[h] = j + 1;
        }
        free(cf->slot);
        cf->slot = s;
        cf->nslot = ns;
    }
    uint32_t h = gf_imp_hash_(v) & (cf->nslot - 1);
    while (cf->slot[h]) {
        if (cf->vals[cf->slot[h] - 1] == v) { *idx = cf->slot[h] - 1; return GF_OK; }
        h = (h + 1) & (cf->nslot - 1);
    }
    cf->vals[cf->n] = v;
    cf->slot[h] = ++cf->n;
    *idx = cf->n - 1;
    return GF_OK;
}

static void gf_imp_free_layers_(gf_imp_layer *ls, uint64_t n) {
    for (uint64_t i = 0; ls && i < n; i++) free(ls[i].g);
    free(ls);
}

/* Parses one file: arity 2 (mul: in0 in1 out coef) or 1 (add: in out coef). */
static gf_status gf_imp_parse_(const char *path, int arity, gf_imp_coefs *cf, gf_imp_layer **out,
                               uint64_t *n_out, gf_error *err) {
    gf_txt *t = malloc(sizeof *t);
    if (!t) return gf_error_set(err, GF_ERR_NOMEM, "import: out of memory");
    gf_status st = gf_txt_open_(t, path, err);
    gf_imp_layer *ls = NULL;
    uint64_t nl = 0, capl = 0, blank_line = 0;
    const size_t gsz = arity == 2 ? sizeof(gf_gate_mul) : sizeof(gf_gate_add);
    static const char *const f2[4] = { "mul in0", "mul in1", "mul out", "mul coefficient" };
    static const char *const f1[3] = { "add in", "add out", "add coefficient" };
    while (!st) {
        gf_txt_skip_blanks_(t);
        int c = gf_txt_peek_(t);
        if (c == GF_TXT_ERR) { st = t->st; break; }
        if (c == GF_TXT_EOF) break;
        if (c == '\n') {   /* blank line: allowed only at the end of the file */
            if (!blank_line) blank_line = t->line;
            t->pos++; t->line++;
            continue;
        }
        if (blank_line) {
            st = gf_error_set(err, GF_ERR_FORMAT, "%s:%" PRIu64 ": empty line inside the file (every line is one layer)", path, blank_line);
            break;
        }
        if (nl == capl) {
            uint64_t nc = capl ? 2 * capl : 256;
            gf_imp_layer *q = realloc(ls, nc * sizeof *q);
            if (!q) { st = gf_error_set(err, GF_ERR_NOMEM, "import: out of memory"); break; }
            ls = q; capl = nc;
        }
        gf_imp_layer *L = &ls[nl++];
        memset(L, 0, sizeof *L);
        L->max_in = L->max_out = -1;
        uint64_t count;
        if ((st = gf_txt_uint_(t, &count, "gate count", UINT64_MAX))) break;
        if (count > UINT32_MAX) {
            st = gf_error_set(err, GF_ERR_FORMAT, "%s:%" PRIu64 ": gate count %" PRIu64 " exceeds 2^32-1", path, t->line, count);
            break;
        }
        for (uint64_t g = 0; g < count && !st; g++) {
            uint64_t v[4];
            for (int k = 0; k <= arity + 1 && !st; k++) st = gf_txt_uint_(t, &v[k], arity == 2 ? f2[k] : f1[k], g);
            if (st) break;
            for (int k = 0; k <= arity; k++)
                if (v[k] >= (1ull << GF_CIRCUIT_MAX_LOG)) {
                    st = gf_error_set(err, GF_ERR_FORMAT, "%s:%" PRIu64 ": gate record %" PRIu64 ": %s index %" PRIu64
                                      " exceeds the wire limit 2^%u", path, t->line, g, arity == 2 ? f2[k] : f1[k], v[k], GF_CIRCUIT_MAX_LOG);
                    break;
                }
            if (st) break;
            uint64_t cv = v[arity + 1];
            if (cv >= GF_M31_P) {
                st = gf_error_set(err, GF_ERR_FORMAT, "%s:%" PRIu64 ": gate record %" PRIu64 ": coefficient %" PRIu64
                                  " is not a canonical m31 value (must be < 2147483647)", path, t->line, g, cv);
                break;
            }
            uint32_t ci;
            if ((st = gf_imp_coef_(cf, (uint32_t)cv, &ci, err))) break;
            if (L->n == L->cap) {
                /* grow as records arrive rather than trusting the count */
                uint64_t nc = L->cap ? 2 * L->cap : (count < 4096 ? count : 4096);
                void *q = realloc(L->g, nc * gsz);
                if (!q) { st = gf_error_set(err, GF_ERR_NOMEM, "import: out of memory for gates"); break; }
                L->g = q; L->cap = nc;
            }
            int64_t mi, mo;
            if (arity == 2) {
                gf_gate_mul *m = (gf_gate_mul *)L->g + L->n;
                m->in0 = (uint32_t)v[0]; m->in1 = (uint32_t)v[1]; m->out = (uint32_t)v[2]; m->coef = ci;
                mi = (int64_t)(v[0] > v[1] ? v[0] : v[1]);
                mo = (int64_t)v[2];
            } else {
                gf_gate_add *a = (gf_gate_add *)L->g + L->n;
                a->in = (uint32_t)v[0]; a->out = (uint32_t)v[1]; a->coef = ci;
                mi = (int64_t)v[0];
                mo = (int64_t)v[1];
            }
            L->n++;
            if (mi > L->max_in) L->max_in = mi;
            if (mo > L->max_out) L->max_out = mo;
        }
        if (st) break;
        gf_txt_skip_blanks_(t);
        c = gf_txt_peek_(t);
        if (c == GF_TXT_ERR) { st = t->st; break; }
        if (c != '\n' && c != GF_TXT_EOF) {
            char tmp[16];
            st = gf_error_set(err, GF_ERR_FORMAT, "%s:%" PRIu64 ": %s after the %" PRIu64 " gate records the count announced",
                              path, t->line, gf_txt_describe_(c, tmp), count);
            break;
        }
        if (c == '\n') { t->pos++; t->line++; }
    }
    if (!st && nl == 0) st = gf_error_set(err, GF_ERR_FORMAT, "%s: no layers (empty file)", path);
    gf_txt_close_(t);
    free(t);
    if (st) { gf_imp_free_layers_(ls, nl); return st; }
    *out = ls;
    *n_out = nl;
    return GF_OK;
}

static uint32_t gf_imp_log_(int64_t max_index) {   /* wires needed for indices 0..max_index */
    uint32_t lg = 0;
    while (max_index >= 0 && (1ll << lg) <= max_index) lg++;
    return lg;
}

gf_status gf_circuit_import_extracted(gf_circuit **out, const char *mul_path, const char *add_path, gf_error *err) {
    if (!out || !mul_path || !add_path) return gf_error_set(err, GF_ERR_INVALID, "import_extracted: NULL argument");
    *out = NULL;
    gf_imp_coefs cf;
    memset(&cf, 0, sizeof cf);
    gf_imp_layer *ml = NULL, *al = NULL;
    uint64_t nm = 0, na = 0;
    gf_circuit *c = NULL;
    gf_status st = gf_imp_parse_(mul_path, 2, &cf, &ml, &nm, err);
    if (!st) st = gf_imp_parse_(add_path, 1, &cf, &al, &na, err);
    if (!st && nm != na)
        st = gf_error_set(err, GF_ERR_FORMAT, "%s has %" PRIu64 " layers (lines) but %s has %" PRIu64,
                          mul_path, nm, add_path, na);
    if (!st && nm > GF_CIRCUIT_MAX_LAYERS)
        st = gf_error_set(err, GF_ERR_FORMAT, "%s: %" PRIu64 " layers exceed the limit %u", mul_path, nm, GF_CIRCUIT_MAX_LAYERS);
    if (!st && !(c = gf_circuit_new(GF_FIELD_M31, (uint32_t)nm, err))) st = err ? err->code : GF_ERR_NOMEM;
    if (!st) st = gf_circuit_alloc_coefs(c, cf.n, err);
    if (!st) {
        memcpy(c->coef_m31, cf.vals, (size_t)cf.n * sizeof(gf_m31));
        const uint32_t L = (uint32_t)nm;
        /* file line j (0-based) is layer L-1-j: the first line is the output layer */
        for (uint32_t i = 0; i < L; i++) {
            gf_imp_layer *m = &ml[L - 1 - i], *a = &al[L - 1 - i];
            int64_t max_in = m->max_in > a->max_in ? m->max_in : a->max_in;
            int64_t max_out = m->max_out > a->max_out ? m->max_out : a->max_out;
            gf_layer *l = &c->layers[i];
            /* a boundary is as wide as both the producer's outputs and the consumer's reads */
            uint32_t in_log = gf_imp_log_(max_in);
            if (i > 0 && c->layers[i - 1].out_log > in_log) in_log = c->layers[i - 1].out_log;
            if (i > 0) c->layers[i - 1].out_log = in_log;
            l->in_log = in_log;
            l->out_log = gf_imp_log_(max_out);
            l->mul = m->g; l->n_mul = m->n; m->g = NULL;
            l->add = a->g; l->n_add = a->n; a->g = NULL;
            l->cst = calloc(1, sizeof *l->cst);
            if (!l->cst) { st = gf_error_set(err, GF_ERR_NOMEM, "import: out of memory"); break; }
        }
    }
    if (!st) st = gf_circuit_validate(c, err);
    if (st && c) { gf_circuit_free(c); c = NULL; }
    gf_imp_free_layers_(ml, nm);
    gf_imp_free_layers_(al, na);
    free(cf.vals);
    free(cf.slot);
    if (!st) *out = c;
    return st;
}
