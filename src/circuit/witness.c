#include "circuit/witness.h"
#include "circuit/circuit.h"
#include "circuit/binio.h"
#include "common/util.h"
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#define GF_WITN_MAGIC "GKRFWITN"
#define GF_WITN_VERSION 1u

static gf_status gf_witness_check_dims_(int field, uint64_t n_instances, uint64_t n_inputs, const char *ctx,
                                        uint64_t at, gf_error *err) {
    if (field != GF_FIELD_M31 && field != GF_FIELD_BN254)
        return gf_error_set(err, GF_ERR_INVALID, "%s: unknown field id %d", ctx, field);
    if (n_instances < 1)
        return gf_error_set(err, GF_ERR_INVALID, "%s: offset %" PRIu64 ": instance count is 0", ctx, at);
    if (n_inputs < 1 || n_inputs > GF_WITNESS_MAX_INPUTS)
        return gf_error_set(err, GF_ERR_INVALID, "%s: offset %" PRIu64 ": input count %" PRIu64 " not in [1, 2^30]",
                            ctx, at + 8, n_inputs);
    uint64_t eb = field == GF_FIELD_M31 ? sizeof(gf_m31) : sizeof(gf_bn254fr);
    if (n_instances > SIZE_MAX / n_inputs / eb)
        return gf_error_set(err, GF_ERR_INVALID, "%s: offset %" PRIu64 ": %" PRIu64 " instances x %" PRIu64
                            " inputs overflow memory", ctx, at, n_instances, n_inputs);
    return GF_OK;
}

gf_status gf_witness_new(gf_witness **out, int field, uint64_t n_instances, uint64_t n_inputs, gf_error *err) {
    *out = NULL;
    gf_status st = gf_witness_check_dims_(field, n_instances, n_inputs, "gf_witness_new", 0, err);
    if (st) return st;
    gf_witness *w = calloc(1, sizeof *w);
    if (!w) return gf_error_set(err, GF_ERR_NOMEM, "gf_witness_new: out of memory");
    w->field = field;
    w->n_instances = n_instances;
    w->n_inputs = n_inputs;
    size_t n = (size_t)(n_instances * n_inputs);
    if (field == GF_FIELD_M31) w->m31 = calloc(n, sizeof *w->m31);
    else w->fr = calloc(n, sizeof *w->fr);
    if (!w->m31 && !w->fr) {
        free(w);
        return gf_error_set(err, GF_ERR_NOMEM, "gf_witness_new: out of memory for %" PRIu64 " x %" PRIu64 " values",
                            n_instances, n_inputs);
    }
    *out = w;
    return GF_OK;
}

void gf_witness_free(gf_witness *w) {
    if (!w) return;
    free(w->m31);
    free(w->fr);
    free(w);
}

gf_status gf_witness_write(const gf_witness *w, FILE *f, gf_error *err) {
    if (!w || !f) return gf_error_set(err, GF_ERR_INVALID, "gf_witness_write: NULL argument");
    gf_status st = gf_witness_check_dims_(w->field, w->n_instances, w->n_inputs, "writing witness", 0, err);
    if (st) return st;
    if ((w->field == GF_FIELD_M31 && !w->m31) || (w->field == GF_FIELD_BN254 && !w->fr))
        return gf_error_set(err, GF_ERR_INVALID, "writing witness: value array missing");
    gf_binio_writer *bw = malloc(sizeof *bw);
    if (!bw) return gf_error_set(err, GF_ERR_NOMEM, "writing witness: out of memory");
    gf_binio_writer_init(bw, f, NULL, "witness file", err);
    gf_binio_put(bw, GF_WITN_MAGIC, 8);
    gf_binio_put_u32(bw, GF_WITN_VERSION);
    gf_binio_put_u32(bw, (uint32_t)w->field);
    gf_binio_put_u64(bw, w->n_instances);
    gf_binio_put_u64(bw, w->n_inputs);
    size_t n = (size_t)(w->n_instances * w->n_inputs);
    if (w->field == GF_FIELD_M31) {
        for (size_t i = 0; i < n; i++)
            if (w->m31[i] >= GF_M31_P) {
                free(bw);
                return gf_error_set(err, GF_ERR_INVALID, "writing witness: value %" PRIu32 " of instance %zu input %zu is not canonical m31",
                                    w->m31[i], i / w->n_inputs, i % w->n_inputs);
            }
        gf_binio_put_u32s(bw, w->m31, n);
    } else {
        for (size_t i = 0; i < n; i++) {
            uint8_t b[32];
            gf_bn254fr_to_bytes_le(b, &w->fr[i]);
            gf_binio_put(bw, b, 32);
        }
    }
    st = gf_binio_flush(bw);
    free(bw);
    return st;
}

gf_status gf_witness_save(const gf_witness *w, const char *path, gf_error *err) {
    FILE *f;
    gf_status st = gf_binio_create(&f, path, "gf_witness_save", err);
    if (st) return st;
    return gf_binio_finish(f, path, gf_witness_write(w, f, err), err);
}

static gf_status gf_witness_read_body_(gf_witness **out, gf_binio_reader *r, gf_error *err) {
    const char *nm = r->name;
    uint8_t magic[8];
    uint32_t version, field;
    uint64_t n_inst, n_in, at;
    gf_status st;
    if ((st = gf_binio_read(r, magic, 8, "magic", err))) return st;
    if (memcmp(magic, GF_WITN_MAGIC, 8) != 0)
        return gf_error_set(err, GF_ERR_FORMAT, "%s: offset %" PRIu64 ": bad magic %02x%02x%02x%02x%02x%02x%02x%02x "
                            "(expected \"%s\"): not a gkrflow witness file", nm, r->off - 8, magic[0], magic[1], magic[2],
                            magic[3], magic[4], magic[5], magic[6], magic[7], GF_WITN_MAGIC);
    at = r->off;
    if ((st = gf_binio_u32(r, &version, "version", err))) return st;
    if (version != GF_WITN_VERSION)
        return gf_error_set(err, GF_ERR_FORMAT, "%s: offset %" PRIu64 ": unknown witness format version %" PRIu32
                            " (this build reads version %u)", nm, at, version, GF_WITN_VERSION);
    at = r->off;
    if ((st = gf_binio_u32(r, &field, "field id", err))) return st;
    if (field != GF_FIELD_M31 && field != GF_FIELD_BN254)
        return gf_error_set(err, GF_ERR_FORMAT, "%s: offset %" PRIu64 ": unknown field id %" PRIu32 " (1 = m31, 2 = bn254)",
                            nm, at, field);
    at = r->off;
    if ((st = gf_binio_u64(r, &n_inst, "instance count", err))) return st;
    if ((st = gf_binio_u64(r, &n_in, "input count", err))) return st;
    if ((st = gf_witness_check_dims_((int)field, n_inst, n_in, nm, at, err))) { if (err) err->code = GF_ERR_FORMAT; return GF_ERR_FORMAT; }
    const unsigned eb = gf_field_elem_bytes((int)field);
    if ((st = gf_binio_check_room(r, n_inst * n_in, eb, at, "witness value", err))) return st;
    gf_witness *w = NULL;
    if ((st = gf_witness_new(&w, (int)field, n_inst, n_in, err))) return st;
    *out = w;
    /* stream the values in bounded chunks straight into the witness */
    const size_t n = (size_t)(n_inst * n_in), chunk = (size_t)1 << 16;
    uint8_t *buf = malloc(chunk * eb);
    if (!buf) return gf_error_set(err, GF_ERR_NOMEM, "%s: out of memory", nm);
    for (size_t i = 0; i < n && !st; i += chunk) {
        size_t k = n - i < chunk ? n - i : chunk;
        uint64_t base = r->off;
        if ((st = gf_binio_read(r, buf, k * eb, "witness values", err))) break;
        for (size_t j = 0; j < k; j++) {
            size_t idx = i + j;
            if (field == GF_FIELD_M31) {
                uint32_t v = gf_get_u32le(buf + 4 * j);
                if (v >= GF_M31_P) {
                    st = gf_error_set(err, GF_ERR_FORMAT, "%s: offset %" PRIu64 ": instance %zu input %zu: value %" PRIu32
                                      " is not a canonical m31 element (must be < 2^31-1)", nm, base + 4 * j,
                                      idx / n_in, idx % n_in, v);
                    break;
                }
                w->m31[idx] = v;
            } else if (gf_bn254fr_from_bytes_le(&w->fr[idx], buf + 32 * j) != 0) {
                st = gf_error_set(err, GF_ERR_FORMAT, "%s: offset %" PRIu64 ": instance %zu input %zu: value is not a canonical bn254 element (must be < r)",
                                  nm, base + 32 * j, idx / n_in, idx % n_in);
                break;
            }
        }
    }
    free(buf);
    if (st) return st;
    return gf_binio_expect_eof(r, err);
}

gf_status gf_witness_read(gf_witness **out, FILE *f, const char *name, gf_error *err) {
    if (!out || !f) return gf_error_set(err, GF_ERR_INVALID, "gf_witness_read: NULL argument");
    *out = NULL;
    gf_binio_reader r;
    gf_binio_reader_init(&r, f, name);
    gf_witness *w = NULL;
    gf_status st = gf_witness_read_body_(&w, &r, err);
    if (st) { gf_witness_free(w); return st; }
    *out = w;
    return GF_OK;
}

gf_status gf_witness_load(gf_witness **out, const char *path, gf_error *err) {
    if (out) *out = NULL;
    FILE *f;
    gf_status st = gf_binio_open(&f, path, "gf_witness_load", err);
    if (st) return st;
    st = gf_witness_read(out, f, path, err);
    fclose(f);
    return st;
}

gf_status gf_witness_check(const gf_witness *w, const gf_circuit *c, gf_error *err) {
    if (!w || !c) return gf_error_set(err, GF_ERR_INVALID, "gf_witness_check: NULL argument");
    if (w->field != c->field)
        return gf_error_set(err, GF_ERR_INVALID, "witness field %s does not match circuit field %s",
                            gf_field_name(w->field), gf_field_name(c->field));
    if (w->n_inputs != gf_circuit_input_len(c))
        return gf_error_set(err, GF_ERR_INVALID, "witness has %" PRIu64 " inputs per instance, circuit takes %" PRIu64,
                            w->n_inputs, gf_circuit_input_len(c));
    return GF_OK;
}

gf_status gf_witness_pack_m31x16(const gf_witness *w, uint64_t first, uint64_t n_blocks,
                                 gf_m31x16 *out, gf_error *err) {
    if (!w || !out || w->field != GF_FIELD_M31 || !w->m31)
        return gf_error_set(err, GF_ERR_INVALID, "witness_pack_m31x16: need an m31 witness and an output array");
    if (n_blocks == 0 || first > w->n_instances || n_blocks > (w->n_instances - first) / 16)
        return gf_error_set(err, GF_ERR_INVALID, "witness_pack_m31x16: instances %" PRIu64 "..%" PRIu64 " (16 x %" PRIu64
                            " blocks) are not all in the witness (%" PRIu64 " instances)", first,
                            first + 16 * n_blocks - 1, n_blocks, w->n_instances);
    const size_t n = (size_t)w->n_inputs;
    for (uint64_t b = 0; b < n_blocks; b++) {
        gf_m31x16 *dst = out + b * n;
        /* 16x16 tiles: each source row is read sequentially, each destination line written whole */
        for (size_t x0 = 0; x0 < n; x0 += 16) {
            size_t xe = x0 + 16 < n ? x0 + 16 : n;
            for (int j = 0; j < 16; j++) {
                const gf_m31 *src = w->m31 + (size_t)(first + 16 * b + (uint64_t)j) * n;
                for (size_t x = x0; x < xe; x++) dst[x].v[j] = src[x];
            }
        }
    }
    return GF_OK;
}
