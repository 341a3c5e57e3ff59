/* Circuit file format "GKRFCIRC" version 1 (spec: docs/formats.md, section "Circuit file").
 * The encoding is canonical (one byte string per circuit), so its SHA-256 is the digest. */
#include "circuit/circuit.h"
#include "circuit/binio.h"
#include "common/util.h"
#include "hash/sha256.h"
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#define GF_CIRC_MAGIC "GKRFCIRC"
#define GF_CIRC_VERSION 1u
#define GF_CIRC_LAYER_HDR 32u   /* in_log, out_log (u32) + three u64 counts */

uint64_t gf_circuit_encoded_size(const gf_circuit *c) {
    uint64_t n = 24 + (uint64_t)c->n_coefs * (1 + gf_field_elem_bytes(c->field));
    for (uint32_t i = 0; i < c->n_layers; i++)
        n += GF_CIRC_LAYER_HDR + 16 * c->layers[i].n_mul + 12 * c->layers[i].n_add + 8 * c->layers[i].n_const;
    return n;
}

static gf_status gf_circuit_encode_(const gf_circuit *c, gf_binio_writer *w) {
    gf_binio_put(w, GF_CIRC_MAGIC, 8);
    gf_binio_put_u32(w, GF_CIRC_VERSION);
    gf_binio_put_u32(w, (uint32_t)c->field);
    gf_binio_put_u32(w, c->n_layers);
    gf_binio_put_u32(w, c->n_coefs);
    for (uint32_t j = 0; j < c->n_coefs; j++) {
        gf_binio_put(w, &c->coef_kind[j], 1);
        if (c->field == GF_FIELD_M31) {
            gf_binio_put_u32(w, c->coef_m31[j]);
        } else {
            uint8_t b[32];
            gf_bn254fr_to_bytes_le(b, &c->coef_fr[j]);
            gf_binio_put(w, b, 32);
        }
    }
    for (uint32_t i = 0; i < c->n_layers; i++) {
        const gf_layer *l = &c->layers[i];
        gf_binio_put_u32(w, l->in_log);
        gf_binio_put_u32(w, l->out_log);
        gf_binio_put_u64(w, l->n_mul);
        gf_binio_put_u64(w, l->n_add);
        gf_binio_put_u64(w, l->n_const);
        /* the gate structs are packed u32 fields in file order */
        gf_binio_put_u32s(w, (const uint32_t *)l->mul, (size_t)l->n_mul * 4);
        gf_binio_put_u32s(w, (const uint32_t *)l->add, (size_t)l->n_add * 3);
        gf_binio_put_u32s(w, (const uint32_t *)l->cst, (size_t)l->n_const * 2);
    }
    return gf_binio_flush(w);
}

gf_status gf_circuit_encode(const gf_circuit *c, gf_binio_writer *w) { return gf_circuit_encode_(c, w); }

_Static_assert(sizeof(gf_gate_mul) == 16 && sizeof(gf_gate_add) == 12 && sizeof(gf_gate_const) == 8,
               "gate structs must be packed u32 records (file layout)");

gf_status gf_circuit_write(const gf_circuit *c, FILE *f, gf_error *err) {
    gf_status st = gf_circuit_validate(c, err);
    if (st) return gf_error_prefix(err, "writing circuit");
    gf_binio_writer *w = malloc(sizeof *w);
    if (!w) return gf_error_set(err, GF_ERR_NOMEM, "writing circuit: out of memory");
    gf_binio_writer_init(w, f, NULL, "circuit file", err);
    st = gf_circuit_encode_(c, w);
    free(w);
    return st;
}

gf_status gf_circuit_save(const gf_circuit *c, const char *path, gf_error *err) {
    FILE *f;
    gf_status st = gf_binio_create(&f, path, "gf_circuit_save", err);
    if (st) return st;
    return gf_binio_finish(f, path, gf_circuit_write(c, f, err), err);
}

gf_status gf_circuit_digest(const gf_circuit *c, uint8_t digest[32], gf_error *err) {
    gf_status st = gf_circuit_validate(c, err);
    if (st) return gf_error_prefix(err, "circuit digest");
    gf_sha256_ctx h;
    memset(&h, 0, sizeof h);
    if ((st = gf_sha256_init(&h, err))) return st;
    gf_binio_writer *w = malloc(sizeof *w);
    if (!w) { gf_sha256_free(&h); return gf_error_set(err, GF_ERR_NOMEM, "circuit digest: out of memory"); }
    gf_binio_writer_init(w, NULL, &h, "circuit digest", err);
    st = gf_circuit_encode_(c, w);
    free(w);
    if (!st) st = gf_sha256_final(&h, digest, err);
    gf_sha256_free(&h);
    return st;
}

static gf_status gf_circuit_read_body_(gf_circuit **out, gf_binio_reader *r, gf_error *err) {
    const char *nm = r->name;
    uint8_t magic[8];
    uint32_t version, field, n_layers, n_coefs;
    uint64_t at;
    gf_status st;
    if ((st = gf_binio_read(r, magic, 8, "magic", err))) return st;
    if (memcmp(magic, GF_CIRC_MAGIC, 8) != 0)
        return gf_error_set(err, GF_ERR_FORMAT, "%s: offset %" PRIu64 ": bad magic %02x%02x%02x%02x%02x%02x%02x%02x "
                            "(expected \"%s\"): not a gkrflow circuit file", nm, r->off - 8, magic[0], magic[1], magic[2],
                            magic[3], magic[4], magic[5], magic[6], magic[7], GF_CIRC_MAGIC);
    at = r->off;
    if ((st = gf_binio_u32(r, &version, "version", err))) return st;
    if (version != GF_CIRC_VERSION)
        return gf_error_set(err, GF_ERR_FORMAT, "%s: offset %" PRIu64 ": unknown circuit format version %" PRIu32
                            " (this build reads version %u)", nm, at, version, GF_CIRC_VERSION);
    at = r->off;
    if ((st = gf_binio_u32(r, &field, "field id", err))) return st;
    if (field != GF_FIELD_M31 && field != GF_FIELD_BN254)
        return gf_error_set(err, GF_ERR_FORMAT, "%s: offset %" PRIu64 ": unknown field id %" PRIu32 " (1 = m31, 2 = bn254)",
                            nm, at, field);
    at = r->off;
    if ((st = gf_binio_u32(r, &n_layers, "layer count", err))) return st;
    if (n_layers < 1 || n_layers > GF_CIRCUIT_MAX_LAYERS)
        return gf_error_set(err, GF_ERR_FORMAT, "%s: offset %" PRIu64 ": layer count %" PRIu32 " not in [1, %u]",
                            nm, at, n_layers, GF_CIRCUIT_MAX_LAYERS);
    uint64_t layers_at = at;
    at = r->off;
    if ((st = gf_binio_u32(r, &n_coefs, "coefficient count", err))) return st;
    const unsigned eb = gf_field_elem_bytes((int)field);
    if ((st = gf_binio_check_room(r, n_coefs, 1 + eb, at, "coefficient", err))) return st;
    if ((st = gf_binio_check_room(r, n_layers, GF_CIRC_LAYER_HDR, layers_at, "layer", err))) return st;

    gf_circuit *c = gf_circuit_new((int)field, n_layers, err);
    if (!c) return err ? err->code : GF_ERR_NOMEM;
    *out = c;
    if ((st = gf_circuit_alloc_coefs(c, n_coefs, err))) return st;
    uint8_t *tab = NULL;
    uint64_t tab_at = r->off;
    if ((st = gf_binio_read_array(r, (void **)&tab, n_coefs, 1 + eb, at, "coefficient", err))) return st;
    for (uint32_t j = 0; j < n_coefs; j++) {
        const uint8_t *e = tab + (size_t)j * (1 + eb);
        uint64_t eo = tab_at + (uint64_t)j * (1 + eb);
        if (e[0] != GF_COEF_CONST && e[0] != GF_COEF_RANDOM) {
            st = gf_error_set(err, GF_ERR_FORMAT, "%s: offset %" PRIu64 ": coefficient %" PRIu32 ": kind byte %u is neither 0 (const) nor 1 (random)",
                              nm, eo, j, e[0]);
            break;
        }
        c->coef_kind[j] = e[0];
        int zero = 1;
        for (unsigned k = 1; k <= eb; k++) zero &= e[k] == 0;
        if (e[0] == GF_COEF_RANDOM && !zero) {
            st = gf_error_set(err, GF_ERR_FORMAT, "%s: offset %" PRIu64 ": coefficient %" PRIu32 ": random entry has non-zero value bytes",
                              nm, eo + 1, j);
            break;
        }
        if (field == GF_FIELD_M31) {
            uint32_t v = gf_get_u32le(e + 1);
            if (v >= GF_M31_P) {
                st = gf_error_set(err, GF_ERR_FORMAT, "%s: offset %" PRIu64 ": coefficient %" PRIu32 ": value %" PRIu32
                                  " is not a canonical m31 element (must be < 2^31-1)", nm, eo + 1, j, v);
                break;
            }
            c->coef_m31[j] = v;
        } else if (gf_bn254fr_from_bytes_le(&c->coef_fr[j], e + 1) != 0) {
            st = gf_error_set(err, GF_ERR_FORMAT, "%s: offset %" PRIu64 ": coefficient %" PRIu32
                              ": value (top byte 0x%02x) is not a canonical bn254 element (must be < r)", nm, eo + 1, j, e[32]);
            break;
        }
    }
    free(tab);
    if (st) return st;

    for (uint32_t i = 0; i < n_layers; i++) {
        gf_layer *l = &c->layers[i];
        uint64_t lat = r->off;
        uint32_t in_log, out_log;
        uint64_t n[3], nat[3];
        if ((st = gf_binio_u32(r, &in_log, "layer in_log", err))) return st;
        if ((st = gf_binio_u32(r, &out_log, "layer out_log", err))) return st;
        if (in_log > GF_CIRCUIT_MAX_LOG || out_log > GF_CIRCUIT_MAX_LOG)
            return gf_error_set(err, GF_ERR_FORMAT, "%s: offset %" PRIu64 ": layer %" PRIu32 ": %s %" PRIu32 " exceeds the limit %u",
                                nm, in_log > GF_CIRCUIT_MAX_LOG ? lat : lat + 4, i, in_log > GF_CIRCUIT_MAX_LOG ? "in_log" : "out_log",
                                in_log > GF_CIRCUIT_MAX_LOG ? in_log : out_log, GF_CIRCUIT_MAX_LOG);
        static const char *const what[3] = { "mul gate", "add gate", "const gate" };
        static const size_t sz[3] = { sizeof(gf_gate_mul), sizeof(gf_gate_add), sizeof(gf_gate_const) };
        for (int k = 0; k < 3; k++) {
            nat[k] = r->off;
            if ((st = gf_binio_u64(r, &n[k], what[k], err))) return st;
        }
        /* check every count against the file before allocating anything */
        for (int k = 0; k < 3; k++)
            if ((st = gf_binio_check_room(r, n[k], sz[k], nat[k], what[k], err))) return st;
        l->in_log = in_log;
        l->out_log = out_log;
        void *arr[3] = { NULL, NULL, NULL };
        for (int k = 0; k < 3 && !st; k++)
            st = gf_binio_read_array(r, &arr[k], n[k], sz[k], nat[k], what[k], err);
        l->mul = arr[0]; l->add = arr[1]; l->cst = arr[2];
        if (st) return st;
        l->n_mul = n[0]; l->n_add = n[1]; l->n_const = n[2];
        gf_binio_le32_inplace((uint32_t *)l->mul, (size_t)n[0] * 4);
        gf_binio_le32_inplace((uint32_t *)l->add, (size_t)n[1] * 3);
        gf_binio_le32_inplace((uint32_t *)l->cst, (size_t)n[2] * 2);
    }
    if ((st = gf_binio_expect_eof(r, err))) return st;
    if (gf_circuit_validate(c, err)) {   /* a file that decodes to an invalid circuit is malformed */
        gf_error_prefix(err, "%s: invalid circuit", nm);
        if (err) err->code = GF_ERR_FORMAT;
        return GF_ERR_FORMAT;
    }
    return GF_OK;
}

gf_status gf_circuit_read(gf_circuit **out, FILE *f, const char *name, gf_error *err) {
    if (!out || !f) return gf_error_set(err, GF_ERR_INVALID, "gf_circuit_read: NULL argument");
    *out = NULL;
    gf_binio_reader r;
    gf_binio_reader_init(&r, f, name);
    gf_circuit *c = NULL;
    gf_status st = gf_circuit_read_body_(&c, &r, err);
    if (st) { gf_circuit_free(c); return st; }
    *out = c;
    return GF_OK;
}

gf_status gf_circuit_load(gf_circuit **out, const char *path, gf_error *err) {
    if (out) *out = NULL;
    FILE *f;
    gf_status st = gf_binio_open(&f, path, "gf_circuit_load", err);
    if (st) return st;
    st = gf_circuit_read(out, f, path, err);
    fclose(f);
    return st;
}
