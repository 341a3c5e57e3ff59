/* Graph file "GKRFGRPH" and graph witness file "GKRFGWIT", version 1 (spec: docs/formats.md,
 * sections "Graph file" and "Graph witness file"). The graph encoding is canonical, so its
 * SHA-256 is the graph digest. */
#define _GNU_SOURCE   /* open_memstream, fmemopen */
#include "graph/graph.h"
#include "graph/graph_internal.h"
#include "circuit/binio.h"
#include "common/util.h"
#include "hash/sha256.h"
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#define GRAPH_MAGIC "GKRFGRPH"
#define GRAPH_VERSION 1u
#define GWIT_MAGIC "GKRFGWIT"
#define GWIT_VERSION 1u
#define GRAPH_MAX_COMPONENTS (1u << 20)
#define CIRCUIT_MIN_BYTES 24u

/* ---- graph: encoding ------------------------------------------------------------------------ */

static gf_status graph_encode(const gf_graph *g, gf_binio_writer *w) {
    gf_binio_put(w, GRAPH_MAGIC, 8);
    gf_binio_put_u32(w, GRAPH_VERSION);
    gf_binio_put_u32(w, (uint32_t)g->field);
    gf_binio_put_u32(w, g->n_kernels);
    for (uint32_t i = 0; i < g->n_kernels && !w->st; i++) {
        const gf_graph_kernel *k = &g->kernels[i];
        uint32_t nl = (uint32_t)strlen(k->name);
        gf_binio_put_u32(w, nl);
        gf_binio_put(w, k->name, nl);
        gf_binio_put_u32(w, k->n_components);
        for (uint32_t c = 0; c < k->n_components; c++) {
            gf_binio_put_u64(w, k->comp_len[c]);
            gf_binio_put_u64(w, k->comp_offset[c]);
        }
        /* streamed straight into w (the graph is validated, so is every circuit) */
        gf_binio_put_u64(w, gf_circuit_encoded_size(k->circuit));
        gf_status st = gf_circuit_encode(k->circuit, w);
        if (st) { w->st = st; break; }
    }
    gf_binio_put_u32(w, g->n_commitments);
    for (uint32_t i = 0; i < g->n_commitments; i++) gf_binio_put_u64(w, g->commit_len[i]);
    gf_binio_put_u32(w, g->n_templates);
    for (uint32_t t = 0; t < g->n_templates; t++) {
        const gf_graph_template *tp = &g->templates[t];
        gf_binio_put_u32(w, tp->kernel);
        gf_binio_put_u64(w, tp->parallel_count);
        gf_binio_put_u64(w, tp->n_instances);
        for (uint32_t c = 0; c < g->kernels[tp->kernel].n_components; c++) {
            gf_binio_put_u32(w, tp->commit[c]);
            gf_binio_put(w, &tp->broadcast[c], 1);
        }
    }
    return gf_binio_flush(w);
}

gf_status gf_graph_write(const gf_graph *g, FILE *f, gf_error *err) {
    if (!g || !f) return gf_error_set(err, GF_ERR_INVALID, "gf_graph_write: NULL argument");
    gf_status st = gf_graph_validate(g, err);
    if (st) return gf_error_prefix(err, "writing graph");
    gf_binio_writer *w = malloc(sizeof *w);
    if (!w) return gf_error_set(err, GF_ERR_NOMEM, "writing graph: out of memory");
    gf_binio_writer_init(w, f, NULL, "graph file", err);
    st = graph_encode(g, w);
    free(w);
    return st;
}

gf_status gf_graph_save(const gf_graph *g, const char *path, gf_error *err) {
    FILE *f;
    gf_status st = gf_binio_create(&f, path, "gf_graph_save", err);
    if (st) return st;
    return gf_binio_finish(f, path, gf_graph_write(g, f, err), err);
}

gf_status gf_graph_digest(const gf_graph *g, uint8_t digest[32], gf_error *err) {
    if (!g || !digest) return gf_error_set(err, GF_ERR_INVALID, "gf_graph_digest: NULL argument");
    gf_status st = gf_graph_validate(g, err);
    if (st) return gf_error_prefix(err, "graph digest");
    gf_sha256_ctx h;
    memset(&h, 0, sizeof h);
    if ((st = gf_sha256_init(&h, err))) return st;
    gf_binio_writer *w = malloc(sizeof *w);
    if (!w) { gf_sha256_free(&h); return gf_error_set(err, GF_ERR_NOMEM, "graph digest: out of memory"); }
    gf_binio_writer_init(w, NULL, &h, "graph digest", err);
    st = graph_encode(g, w);
    free(w);
    if (!st) st = gf_sha256_final(&h, digest, err);
    gf_sha256_free(&h);
    return st;
}

/* ---- graph: strict reader --------------------------------------------------------------------- */

#define FMT_ERR(...) gf_error_set(err, GF_ERR_FORMAT, __VA_ARGS__)

static gf_status read_kernel(gf_graph_kernel *k, uint32_t i, gf_binio_reader *r, gf_error *err) {
    const char *nm = r->name;
    uint64_t at = r->off;
    uint32_t nl, nc;
    gf_status st;
    if ((st = gf_binio_u32(r, &nl, "kernel name length", err))) return st;
    if (nl >= GF_GRAPH_NAME_MAX)
        return FMT_ERR("%s: offset %" PRIu64 ": kernel %" PRIu32 ": name length %" PRIu32 " exceeds %u", nm, at, i, nl,
                       GF_GRAPH_NAME_MAX - 1);
    if ((st = gf_binio_read(r, k->name, nl, "kernel name", err))) return st;
    k->name[nl] = 0;
    if (memchr(k->name, 0, nl))
        return FMT_ERR("%s: offset %" PRIu64 ": kernel %" PRIu32 ": name contains a NUL byte", nm, at + 4, i);
    at = r->off;
    if ((st = gf_binio_u32(r, &nc, "component count", err))) return st;
    if (nc < 1 || nc > GRAPH_MAX_COMPONENTS)
        return FMT_ERR("%s: offset %" PRIu64 ": kernel %" PRIu32 " '%s': component count %" PRIu32 " not in [1, 2^20]", nm, at, i,
                       k->name, nc);
    uint8_t *cb = NULL;
    uint64_t comp_at = r->off;
    if ((st = gf_binio_read_array(r, (void **)&cb, nc, 16, at, "component", err))) return st;
    k->comp_len = malloc(nc * sizeof *k->comp_len);
    k->comp_offset = malloc(nc * sizeof *k->comp_offset);
    if (!k->comp_len || !k->comp_offset) { free(cb); return gf_error_set(err, GF_ERR_NOMEM, "%s: out of memory", nm); }
    k->n_components = nc;
    for (uint32_t c = 0; c < nc; c++) {
        uint64_t l = gf_get_u64le(cb + 16 * c), o = gf_get_u64le(cb + 16 * c + 8);
        k->comp_len[c] = l;
        k->comp_offset[c] = o;
        if (!gf_is_pow2(l) || l > (1ull << GF_CIRCUIT_MAX_LOG) || o % l) {
            free(cb);
            return FMT_ERR("%s: offset %" PRIu64 ": kernel %" PRIu32 " '%s' component %" PRIu32 ": length %" PRIu64 " offset %"
                           PRIu64 " is not a power-of-two slice (<= 2^30) aligned to its length", nm, comp_at + 16 * c, i, k->name,
                           c, l, o);
        }
    }
    free(cb);
    at = r->off;
    uint64_t clen;
    if ((st = gf_binio_u64(r, &clen, "circuit length", err))) return st;
    if (clen < CIRCUIT_MIN_BYTES)
        return FMT_ERR("%s: offset %" PRIu64 ": kernel %" PRIu32 " '%s': circuit length %" PRIu64 " is below the %u-byte header", nm,
                       at, i, k->name, clen, CIRCUIT_MIN_BYTES);
    uint64_t circ_at = r->off;
    char *buf = NULL;
    if ((st = gf_binio_read_array(r, (void **)&buf, clen, 1, at, "circuit", err))) return st;
    FILE *mf = fmemopen(buf, (size_t)clen, "rb");
    if (!mf) { free(buf); return gf_error_set(err, GF_ERR_NOMEM, "%s: cannot open a memory stream: %s", nm, strerror(errno)); }
    char cname[512];
    snprintf(cname, sizeof cname, "%s: kernel %" PRIu32 " circuit (file offset %" PRIu64 ")", nm, i, circ_at);
    st = gf_circuit_read(&k->circuit, mf, cname, err);
    fclose(mf);
    free(buf);
    if (st) {
        if (err) err->code = GF_ERR_FORMAT;
        return GF_ERR_FORMAT;
    }
    if (k->circuit->field != GF_FIELD_M31)
        return FMT_ERR("%s: offset %" PRIu64 ": kernel %" PRIu32 " '%s': circuit field is %s, graphs are m31", nm, circ_at, i,
                       k->name, gf_field_name(k->circuit->field));
    const uint64_t in_len = gf_circuit_input_len(k->circuit);
    for (uint32_t c = 0; c < nc; c++)
        if (k->comp_offset[c] > in_len || k->comp_len[c] > in_len - k->comp_offset[c])
            return FMT_ERR("%s: offset %" PRIu64 ": kernel %" PRIu32 " '%s' component %" PRIu32 ": [%" PRIu64 ", +%" PRIu64
                           ") lies outside the circuit input of %" PRIu64 " values", nm, comp_at + 16 * c, i, k->name, c,
                           k->comp_offset[c], k->comp_len[c], in_len);
    return GF_OK;
}

static gf_status read_template(gf_graph *g, uint32_t t, gf_binio_reader *r, gf_error *err) {
    const char *nm = r->name;
    gf_graph_template *tp = &g->templates[t];
    uint64_t at = r->off;
    gf_status st;
    if ((st = gf_binio_u32(r, &tp->kernel, "template kernel", err))) return st;
    if (tp->kernel >= g->n_kernels)
        return FMT_ERR("%s: offset %" PRIu64 ": template %" PRIu32 ": kernel index %" PRIu32 " out of range (%" PRIu32 " kernels)",
                       nm, at, t, tp->kernel, g->n_kernels);
    const gf_graph_kernel *k = &g->kernels[tp->kernel];
    at = r->off;
    if ((st = gf_binio_u64(r, &tp->parallel_count, "parallel count", err))) return st;
    const uint64_t P = tp->parallel_count;
    if (!gf_is_pow2(P) || P > GF_GRAPH_MAX_LEN)
        return FMT_ERR("%s: offset %" PRIu64 ": template %" PRIu32 ": parallel count %" PRIu64 " is not a power of two <= 2^40", nm,
                       at, t, P);
    at = r->off;
    if ((st = gf_binio_u64(r, &tp->n_instances, "instance count", err))) return st;
    if (tp->n_instances > P)
        return FMT_ERR("%s: offset %" PRIu64 ": template %" PRIu32 ": instance count %" PRIu64 " exceeds the parallel count %" PRIu64,
                       nm, at, t, tp->n_instances, P);
    const uint32_t nc = k->n_components;
    uint8_t *cb = NULL;
    uint64_t comp_at = r->off;
    if ((st = gf_binio_read_array(r, (void **)&cb, nc, 5, comp_at, "template component", err))) return st;
    tp->commit = malloc(nc * sizeof *tp->commit);
    tp->broadcast = malloc(nc);
    if (!tp->commit || !tp->broadcast) { free(cb); return gf_error_set(err, GF_ERR_NOMEM, "%s: out of memory", nm); }
    int part = 0;
    for (uint32_t c = 0; c < nc && !st; c++) {
        uint64_t o = comp_at + 5 * c;
        tp->commit[c] = gf_get_u32le(cb + 5 * c);
        tp->broadcast[c] = cb[5 * c + 4];
        if (tp->commit[c] >= g->n_commitments) {
            st = FMT_ERR("%s: offset %" PRIu64 ": template %" PRIu32 " component %" PRIu32 ": commitment %" PRIu32
                         " out of range (%" PRIu32 " commitments)", nm, o, t, c, tp->commit[c], g->n_commitments);
        } else if (tp->broadcast[c] > 1) {
            st = FMT_ERR("%s: offset %" PRIu64 ": template %" PRIu32 " component %" PRIu32 ": broadcast byte %u is not 0 or 1", nm,
                         o + 4, t, c, tp->broadcast[c]);
        } else {
            uint64_t want = tp->broadcast[c] ? k->comp_len[c] : k->comp_len[c] * P;   /* both <= 2^40 */
            part |= !tp->broadcast[c];
            if (g->commit_len[tp->commit[c]] != want)
                st = FMT_ERR("%s: offset %" PRIu64 ": template %" PRIu32 " (kernel '%s') component %" PRIu32 " (%s, length %" PRIu64
                             ", parallel count %" PRIu64 "): commitment %" PRIu32 " has length %" PRIu64 ", expected %" PRIu64, nm,
                             o, t, k->name, c, tp->broadcast[c] ? "broadcast" : "partitioned", k->comp_len[c], P,
                             tp->commit[c], g->commit_len[tp->commit[c]], want);
        }
    }
    free(cb);
    if (!st && !part)
        st = FMT_ERR("%s: offset %" PRIu64 ": template %" PRIu32 " (kernel '%s'): every component is broadcast", nm, comp_at, t,
                     k->name);
    return st;
}

static gf_status graph_read_body(gf_graph *g, gf_binio_reader *r, gf_error *err) {
    const char *nm = r->name;
    uint8_t magic[8];
    uint32_t version, field, n;
    uint64_t at;
    gf_status st;
    if ((st = gf_binio_read(r, magic, 8, "magic", err))) return st;
    if (memcmp(magic, GRAPH_MAGIC, 8) != 0)
        return FMT_ERR("%s: offset %" PRIu64 ": bad magic %02x%02x%02x%02x%02x%02x%02x%02x (expected \"%s\"): not a gkrflow "
                       "graph file", nm, r->off - 8, magic[0], magic[1], magic[2], magic[3], magic[4], magic[5], magic[6],
                       magic[7], GRAPH_MAGIC);
    at = r->off;
    if ((st = gf_binio_u32(r, &version, "version", err))) return st;
    if (version != GRAPH_VERSION)
        return FMT_ERR("%s: offset %" PRIu64 ": unknown graph format version %" PRIu32 " (this build reads version %u)", nm, at,
                       version, GRAPH_VERSION);
    at = r->off;
    if ((st = gf_binio_u32(r, &field, "field id", err))) return st;
    if (field != GF_FIELD_M31)
        return FMT_ERR("%s: offset %" PRIu64 ": field id %" PRIu32 " is not supported for graphs (1 = m31)", nm, at, field);
    g->field = (int)field;
    at = r->off;
    if ((st = gf_binio_u32(r, &n, "kernel count", err))) return st;
    /* smallest kernel record: name length, component count, one component, circuit header */
    if ((st = gf_binio_check_room(r, n, 4 + 4 + 16 + 8 + CIRCUIT_MIN_BYTES, at, "kernel", err))) return st;
    if (!(g->kernels = calloc(n ? n : 1, sizeof *g->kernels))) return gf_error_set(err, GF_ERR_NOMEM, "%s: out of memory", nm);
    g->n_kernels = n;
    for (uint32_t i = 0; i < n; i++)
        if ((st = read_kernel(&g->kernels[i], i, r, err))) return st;
    at = r->off;
    if ((st = gf_binio_u32(r, &n, "commitment count", err))) return st;
    uint64_t lens_at = r->off;
    if ((st = gf_binio_read_array(r, (void **)&g->commit_len, n, 8, at, "commitment length", err))) return st;
    g->n_commitments = n;
    for (uint32_t i = 0; i < n; i++) {
        uint64_t l = gf_get_u64le((const uint8_t *)&g->commit_len[i]);
        g->commit_len[i] = l;
        if (!gf_is_pow2(l) || l > GF_GRAPH_MAX_LEN)
            return FMT_ERR("%s: offset %" PRIu64 ": commitment %" PRIu32 ": length %" PRIu64 " is not a power of two <= 2^40", nm,
                           lens_at + 8 * (uint64_t)i, i, l);
    }
    at = r->off;
    if ((st = gf_binio_u32(r, &n, "template count", err))) return st;
    if ((st = gf_binio_check_room(r, n, 4 + 8 + 8 + 5, at, "template", err))) return st;
    if (!(g->templates = calloc(n ? n : 1, sizeof *g->templates))) return gf_error_set(err, GF_ERR_NOMEM, "%s: out of memory", nm);
    g->n_templates = n;
    for (uint32_t t = 0; t < n; t++)
        if ((st = read_template(g, t, r, err))) return st;
    if ((st = gf_binio_expect_eof(r, err))) return st;
    if (gf_graph_validate(g, err)) {   /* remaining cross-checks (e.g. overlapping components) */
        gf_error_prefix(err, "%s: invalid graph", nm);
        if (err) err->code = GF_ERR_FORMAT;
        return GF_ERR_FORMAT;
    }
    return GF_OK;
}

gf_status gf_graph_read(gf_graph **out, FILE *f, const char *name, gf_error *err) {
    if (!out || !f) return gf_error_set(err, GF_ERR_INVALID, "gf_graph_read: NULL argument");
    *out = NULL;
    gf_graph *g = calloc(1, sizeof *g);
    if (!g) return gf_error_set(err, GF_ERR_NOMEM, "gf_graph_read: out of memory");
    gf_binio_reader r;
    gf_binio_reader_init(&r, f, name);
    gf_status st = graph_read_body(g, &r, err);
    if (st) { gf_graph_free(g); return st; }
    *out = g;
    return GF_OK;
}

gf_status gf_graph_load(gf_graph **out, const char *path, gf_error *err) {
    if (out) *out = NULL;
    FILE *f;
    gf_status st = gf_binio_open(&f, path, "gf_graph_load", err);
    if (st) return st;
    st = gf_graph_read(out, f, path, err);
    fclose(f);
    return st;
}

/* ---- graph witness file ----------------------------------------------------------------------- */

gf_status gf_graph_witness_write(const gf_graph_witness *w, FILE *f, gf_error *err) {
    if (!w || !f) return gf_error_set(err, GF_ERR_INVALID, "gf_graph_witness_write: NULL argument");
    if (w->n && (!w->len || !w->vec)) return gf_error_set(err, GF_ERR_INVALID, "writing graph witness: NULL arrays");
    for (uint32_t i = 0; i < w->n; i++) {
        if (!gf_is_pow2(w->len[i]) || w->len[i] > GF_GRAPH_MAX_LEN || !w->vec[i])
            return gf_error_set(err, GF_ERR_INVALID, "writing graph witness: vector %" PRIu32 " has length %" PRIu64
                                " (not a power of two <= 2^40) or no values", i, w->len[i]);
        for (uint64_t j = 0; j < w->len[i]; j++)
            if (w->vec[i][j] >= GF_M31_P)
                return gf_error_set(err, GF_ERR_INVALID, "writing graph witness: vector %" PRIu32 " value %" PRIu64 " = %" PRIu32
                                    " is not canonical m31", i, j, w->vec[i][j]);
    }
    gf_binio_writer *bw = malloc(sizeof *bw);
    if (!bw) return gf_error_set(err, GF_ERR_NOMEM, "writing graph witness: out of memory");
    gf_binio_writer_init(bw, f, NULL, "graph witness file", err);
    gf_binio_put(bw, GWIT_MAGIC, 8);
    gf_binio_put_u32(bw, GWIT_VERSION);
    gf_binio_put(bw, w->graph_digest, 32);
    gf_binio_put_u32(bw, w->n);
    for (uint32_t i = 0; i < w->n; i++) {
        gf_binio_put_u64(bw, w->len[i]);
        gf_binio_put_u32s(bw, w->vec[i], (size_t)w->len[i]);
    }
    gf_status st = gf_binio_flush(bw);
    free(bw);
    return st;
}

gf_status gf_graph_witness_save(const gf_graph_witness *w, const char *path, gf_error *err) {
    FILE *f;
    gf_status st = gf_binio_create(&f, path, "gf_graph_witness_save", err);
    if (st) return st;
    return gf_binio_finish(f, path, gf_graph_witness_write(w, f, err), err);
}

static gf_status witness_read_body(gf_graph_witness *w, gf_binio_reader *r, gf_error *err) {
    const char *nm = r->name;
    uint8_t magic[8];
    uint32_t version, n;
    uint64_t at;
    gf_status st;
    if ((st = gf_binio_read(r, magic, 8, "magic", err))) return st;
    if (memcmp(magic, GWIT_MAGIC, 8) != 0)
        return FMT_ERR("%s: offset %" PRIu64 ": bad magic %02x%02x%02x%02x%02x%02x%02x%02x (expected \"%s\"): not a gkrflow "
                       "graph witness file", nm, r->off - 8, magic[0], magic[1], magic[2], magic[3], magic[4], magic[5],
                       magic[6], magic[7], GWIT_MAGIC);
    at = r->off;
    if ((st = gf_binio_u32(r, &version, "version", err))) return st;
    if (version != GWIT_VERSION)
        return FMT_ERR("%s: offset %" PRIu64 ": unknown graph witness format version %" PRIu32 " (this build reads version %u)", nm,
                       at, version, GWIT_VERSION);
    if ((st = gf_binio_read(r, w->graph_digest, 32, "graph digest", err))) return st;
    at = r->off;
    if ((st = gf_binio_u32(r, &n, "vector count", err))) return st;
    if ((st = gf_binio_check_room(r, n, 8 + 4, at, "vector", err))) return st;
    w->len = calloc(n ? n : 1, sizeof *w->len);
    w->vec = calloc(n ? n : 1, sizeof *w->vec);
    if (!w->len || !w->vec) return gf_error_set(err, GF_ERR_NOMEM, "%s: out of memory", nm);
    w->n = n;
    for (uint32_t i = 0; i < n; i++) {
        at = r->off;
        uint64_t l;
        if ((st = gf_binio_u64(r, &l, "vector length", err))) return st;
        if (!gf_is_pow2(l) || l > GF_GRAPH_MAX_LEN)
            return FMT_ERR("%s: offset %" PRIu64 ": vector %" PRIu32 ": length %" PRIu64 " is not a power of two <= 2^40", nm, at, i, l);
        uint64_t vat = r->off;
        if ((st = gf_binio_read_array(r, (void **)&w->vec[i], l, 4, at, "witness value", err))) return st;
        w->len[i] = l;
        gf_binio_le32_inplace(w->vec[i], (size_t)l);
        for (uint64_t j = 0; j < l; j++)
            if (w->vec[i][j] >= GF_M31_P)
                return FMT_ERR("%s: offset %" PRIu64 ": vector %" PRIu32 " value %" PRIu64 ": %" PRIu32
                               " is not a canonical m31 element (must be < 2^31-1)", nm, vat + 4 * j, i, j, w->vec[i][j]);
    }
    return gf_binio_expect_eof(r, err);
}

gf_status gf_graph_witness_read(gf_graph_witness **out, FILE *f, const char *name, gf_error *err) {
    if (!out || !f) return gf_error_set(err, GF_ERR_INVALID, "gf_graph_witness_read: NULL argument");
    *out = NULL;
    gf_graph_witness *w = calloc(1, sizeof *w);
    if (!w) return gf_error_set(err, GF_ERR_NOMEM, "gf_graph_witness_read: out of memory");
    gf_binio_reader r;
    gf_binio_reader_init(&r, f, name);
    gf_status st = witness_read_body(w, &r, err);
    if (st) { gf_graph_witness_free(w); return st; }
    *out = w;
    return GF_OK;
}

gf_status gf_graph_witness_load(gf_graph_witness **out, const char *path, gf_error *err) {
    if (out) *out = NULL;
    FILE *f;
    gf_status st = gf_binio_open(&f, path, "gf_graph_witness_load", err);
    if (st) return st;
    st = gf_graph_witness_read(out, f, path, err);
    fclose(f);
    return st;
}
