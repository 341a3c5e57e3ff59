/* Kernel builder: records nodes, IO declarations, hints and assertions. */
#include "frontend/kernel_internal.h"
#include "common/util.h"
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

/* Records the first error only; returns it so callers can `return kb_fail(...)`. */
static gf_status kb_fail(gf_kernel_builder *kb, gf_status code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static gf_status kb_fail(gf_kernel_builder *kb, gf_status code, const char *fmt, ...) {
    if (kb->err.code != GF_OK) return kb->err.code;
    va_list ap;
    va_start(ap, fmt);
    kb->err.code = code;
    vsnprintf(kb->err.msg, sizeof kb->err.msg, fmt, ap);
    va_end(ap);
    return code;
}

static int kb_grow(gf_kernel_builder *kb, void **p, uint64_t *cap, uint64_t need, size_t elem) {
    if (need <= *cap) return 1;
    uint64_t nc = *cap ? *cap : 16;
    while (nc < need) nc *= 2;
    if (nc > SIZE_MAX / elem) { kb_fail(kb, GF_ERR_NOMEM, "kernel builder: too many items"); return 0; }
    void *q = realloc(*p, (size_t)(nc * elem));
    if (!q) { kb_fail(kb, GF_ERR_NOMEM, "kernel builder: out of memory (%" PRIu64 " items)", nc); return 0; }
    *p = q;
    *cap = nc;
    return 1;
}

gf_kernel_builder *gf_kb_new(int field, gf_error *err) {
    if (field != GF_FIELD_M31) {
        gf_error_set(err, GF_ERR_INVALID, "kernel builder: field %s (%d) is not supported yet (only m31)",
                     gf_field_name(field), field);
        return NULL;
    }
    gf_kernel_builder *kb = calloc(1, sizeof *kb);
    if (!kb) { gf_error_set(err, GF_ERR_NOMEM, "kernel builder: out of memory"); return NULL; }
    kb->field = field;
    kb->err.code = GF_OK;
    uint64_t cap = 0;
    if (!kb_grow(kb, (void **)&kb->nodes, &cap, 1024, sizeof *kb->nodes)) {
        free(kb);
        gf_error_set(err, GF_ERR_NOMEM, "kernel builder: out of memory");
        return NULL;
    }
    kb->cap_nodes = cap;
    memset(&kb->nodes[0], 0, sizeof kb->nodes[0]);   /* placeholder for GF_VAR_NONE */
    kb->n_nodes = 1;
    return kb;
}

void gf_kb_free(gf_kernel_builder *kb) {
    if (!kb) return;
    for (uint32_t i = 0; i < kb->n_io; i++) free(kb->io[i].out);
    free(kb->io);
    free(kb->nodes);
    free(kb->hints);
    free(kb->hint_in);
    free(kb->asserts);
    free(kb);
}

gf_status gf_kb_status(const gf_kernel_builder *kb, gf_error *err) {
    if (!kb) return gf_error_set(err, GF_ERR_INVALID, "kernel builder is NULL");
    if (kb->err.code == GF_OK) return GF_OK;
    return gf_error_set(err, kb->err.code, "%s", kb->err.msg);
}

static gf_var kb_push(gf_kernel_builder *kb, uint8_t op, uint8_t flags, uint32_t a, uint32_t b, gf_m31 c, uint32_t h) {
    if (kb->n_nodes >= UINT32_MAX) { kb_fail(kb, GF_ERR_INVALID, "kernel builder: more than 2^32-1 variables"); return GF_VAR_NONE; }
    if (!kb_grow(kb, (void **)&kb->nodes, &kb->cap_nodes, kb->n_nodes + 1, sizeof *kb->nodes)) return GF_VAR_NONE;
    kb_node *n = &kb->nodes[kb->n_nodes];
    n->op = op; n->flags = flags; n->a = a; n->b = b; n->c = c; n->h = h;
    return (gf_var)kb->n_nodes++;
}

/* Valid operand: an existing variable and a healthy builder. */
static int kb_ok(gf_kernel_builder *kb, const char *fn, gf_var a) {
    if (!kb || kb->err.code != GF_OK) return 0;
    if (a == GF_VAR_NONE || a >= kb->n_nodes) {
        kb_fail(kb, GF_ERR_INVALID, "%s: invalid variable id %" PRIu32 " (%" PRIu64 " variables exist)",
                fn, a, kb->n_nodes - 1);
        return 0;
    }
    return 1;
}

static uint8_t kb_taint(const gf_kernel_builder *kb, gf_var a) { return kb->nodes[a].flags & KB_F_TAINT; }

/* ---- IO ---------------------------------------------------------------------------------- */

static int kb_declare(gf_kernel_builder *kb, const char *what, const char *name, uint32_t ndims,
                      const uint64_t *dims, int is_in, int is_out) {
    if (!kb || kb->err.code != GF_OK) return -1;
    if (!name || !name[0] || strlen(name) >= GF_KERNEL_NAME_MAX) {
        kb_fail(kb, GF_ERR_INVALID, "%s: IO name must have 1..%u characters", what, GF_KERNEL_NAME_MAX - 1);
        return -1;
    }
    for (uint32_t i = 0; i < kb->n_io; i++)
        if (!strcmp(kb->io[i].spec.name, name)) {
            kb_fail(kb, GF_ERR_INVALID, "%s: duplicate IO name '%s'", what, name);
            return -1;
        }
    if (ndims > GF_KERNEL_MAX_DIMS) {
        kb_fail(kb, GF_ERR_INVALID, "%s '%s': %" PRIu32 " dimensions (at most %u)", what, name, ndims, GF_KERNEL_MAX_DIMS);
        return -1;
    }
    if (ndims && !dims) { kb_fail(kb, GF_ERR_INVALID, "%s '%s': dims is NULL", what, name); return -1; }
    uint64_t len = 1, plen = 1;
    for (uint32_t j = 0; j < ndims; j++) {
        if (dims[j] == 0) {
            kb_fail(kb, GF_ERR_INVALID, "%s '%s': shape has a zero dimension (dims[%" PRIu32 "] = 0)", what, name, j);
            return -1;
        }
        if (dims[j] > GF_KERNEL_MAX_LEN || len * dims[j] > GF_KERNEL_MAX_LEN ||
            plen * gf_next_pow2(dims[j]) > GF_KERNEL_MAX_LEN) {
            kb_fail(kb, GF_ERR_INVALID, "%s '%s': shape too large (padded length must stay below 2^30)", what, name);
            return -1;
        }
        len *= dims[j];
        plen *= gf_next_pow2(dims[j]);
    }
    if (kb->n_io >= INT32_MAX / 2) { kb_fail(kb, GF_ERR_INVALID, "%s: too many IO declarations", what); return -1; }
    uint64_t cap = kb->cap_io;
    if (!kb_grow(kb, (void **)&kb->io, &cap, kb->n_io + 1, sizeof *kb->io)) return -1;
    kb->cap_io = (uint32_t)cap;
    kb_io *io = &kb->io[kb->n_io];
    memset(io, 0, sizeof *io);
    strcpy(io->spec.name, name);
    io->spec.ndims = ndims;
    for (uint32_t j = 0; j < ndims; j++) io->spec.dims[j] = dims[j];
    io->spec.len = len;
    io->spec.padded_len = plen;
    io->spec.is_input = is_in;
    io->spec.is_output = is_out;
    io->spec.in_comp = io->spec.out_comp = -1;
    int idx = (int)kb->n_io;
    if (is_in) {
        if (kb->n_nodes + len >= UINT32_MAX) { kb_fail(kb, GF_ERR_INVALID, "%s '%s': too many variables", what, name); return -1; }
        if (!kb_grow(kb, (void **)&kb->nodes, &kb->cap_nodes, kb->n_nodes + len, sizeof *kb->nodes)) return -1;
        io->first_in = (gf_var)kb->n_nodes;
        for (uint64_t i = 0; i < len; i++) kb_push(kb, KB_INPUT, 0, (uint32_t)idx, (uint32_t)i, 0, 0);
    }
    if (is_out) {
        io->out = calloc((size_t)len, sizeof *io->out);
        if (!io->out) { kb_fail(kb, GF_ERR_NOMEM, "%s '%s': out of memory", what, name); return -1; }
        if (is_in)
            for (uint64_t i = 0; i < len; i++) io->out[i] = io->first_in + (gf_var)i;
    }
    kb->n_io++;
    return idx;
}

int gf_kb_input(gf_kernel_builder *kb, const char *name, uint32_t ndims, const uint64_t *dims) {
    return kb_declare(kb, "gf_kb_input", name, ndims, dims, 1, 0);
}
int gf_kb_output(gf_kernel_builder *kb, const char *name, uint32_t ndims, const uint64_t *dims) {
    return kb_declare(kb, "gf_kb_output", name, ndims, dims, 0, 1);
}
int gf_kb_inout(gf_kernel_builder *kb, const char *name, uint32_t ndims, const uint64_t *dims) {
    return kb_declare(kb, "gf_kb_inout", name, ndims, dims, 1, 1);
}

uint64_t gf_kb_io_len(const gf_kernel_builder *kb, int io) {
    if (!kb || io < 0 || (uint32_t)io >= kb->n_io) return 0;
    return kb->io[io].spec.len;
}

gf_var gf_kb_in(gf_kernel_builder *kb, int io, uint64_t i) {
    if (!kb || kb->err.code != GF_OK) return GF_VAR_NONE;
    if (io < 0 || (uint32_t)io >= kb->n_io) {
        kb_fail(kb, GF_ERR_INVALID, "gf_kb_in: invalid io index %d", io);
        return GF_VAR_NONE;
    }
    const kb_io *x = &kb->io[io];
    if (!x->spec.is_input) {
        kb_fail(kb, GF_ERR_INVALID, "gf_kb_in: '%s' is an output, not readable", x->spec.name);
        return GF_VAR_NONE;
    }
    if (i >= x->spec.len) {
        kb_fail(kb, GF_ERR_INVALID, "gf_kb_in: index %" PRIu64 " out of range for '%s' (length %" PRIu64 ")",
                i, x->spec.name, x->spec.len);
        return GF_VAR_NONE;
    }
    return x->first_in + (gf_var)i;
}

void gf_kb_set(gf_kernel_builder *kb, int io, uint64_t i, gf_var v) {
    if (!kb_ok(kb, "gf_kb_set", v)) return;
    if (io < 0 || (uint32_t)io >= kb->n_io) { kb_fail(kb, GF_ERR_INVALID, "gf_kb_set: invalid io index %d", io); return; }
    kb_io *x = &kb->io[io];
    if (!x->spec.is_output) { kb_fail(kb, GF_ERR_INVALID, "gf_kb_set: '%s' is an input, not an output", x->spec.name); return; }
    if (i >= x->spec.len) {
        kb_fail(kb, GF_ERR_INVALID, "gf_kb_set: index %" PRIu64 " out of range for '%s' (length %" PRIu64 ")",
                i, x->spec.name, x->spec.len);
        return;
    }
    x->out[i] = v;
}

/* ---- Arithmetic -------------------------------------------------------------------------- */

gf_var gf_kb_const(gf_kernel_builder *kb, uint64_t v) {
    if (!kb || kb->err.code != GF_OK) return GF_VAR_NONE;
    return kb_push(kb, KB_CONST, 0, 0, 0, gf_m31_from_u64(v), 0);
}

static gf_var kb_bin(gf_kernel_builder *kb, const char *fn, uint8_t op, gf_var a, gf_var b) {
    if (!kb_ok(kb, fn, a) || !kb_ok(kb, fn, b)) return GF_VAR_NONE;
    return kb_push(kb, op, kb_taint(kb, a) | kb_taint(kb, b), a, b, 0, 0);
}

gf_var gf_kb_add(gf_kernel_builder *kb, gf_var a, gf_var b) { return kb_bin(kb, "gf_kb_add", KB_ADD, a, b); }
gf_var gf_kb_sub(gf_kernel_builder *kb, gf_var a, gf_var b) { return kb_bin(kb, "gf_kb_sub", KB_SUB, a, b); }
gf_var gf_kb_mul(gf_kernel_builder *kb, gf_var a, gf_var b) { return kb_bin(kb, "gf_kb_mul", KB_MUL, a, b); }

gf_var gf_kb_neg(gf_kernel_builder *kb, gf_var a) {
    if (!kb_ok(kb, "gf_kb_neg", a)) return GF_VAR_NONE;
    return kb_push(kb, KB_NEG, kb_taint(kb, a), a, 0, 0, 0);
}
gf_var gf_kb_mul_const(gf_kernel_builder *kb, gf_var a, uint64_t c) {
    if (!kb_ok(kb, "gf_kb_mul_const", a)) return GF_VAR_NONE;
    return kb_push(kb, KB_MULC, kb_taint(kb, a), a, 0, gf_m31_from_u64(c), 0);
}
gf_var gf_kb_add_const(gf_kernel_builder *kb, gf_var a, uint64_t c) {
    if (!kb_ok(kb, "gf_kb_add_const", a)) return GF_VAR_NONE;
    return kb_push(kb, KB_ADDC, kb_taint(kb, a), a, 0, gf_m31_from_u64(c), 0);
}

static int kb_add_assert(gf_kernel_builder *kb, gf_var a) {
    if (!kb_grow(kb, (void **)&kb->asserts, &kb->cap_asserts, kb->n_asserts + 1, sizeof *kb->asserts)) return 0;
    kb->asserts[kb->n_asserts++] = a;
    return 1;
}

gf_var gf_kb_div(gf_kernel_builder *kb, gf_var a, gf_var b) {
    if (!kb_ok(kb, "gf_kb_div", a) || !kb_ok(kb, "gf_kb_div", b)) return GF_VAR_NONE;
    const kb_node *nb = &kb->nodes[b];
    if (nb->op == KB_CONST) {
        if (nb->c == 0) {
            kb_fail(kb, GF_ERR_INVALID, "gf_kb_div: division by constant zero (divisor is variable %" PRIu32 ")", b);
            return GF_VAR_NONE;
        }
        return kb_push(kb, KB_MULC, kb_taint(kb, a), a, 0, gf_m31_inv(nb->c), 0);
    }
    if (kb_taint(kb, a) || kb_taint(kb, b)) {
        kb_fail(kb, GF_ERR_INVALID, "gf_kb_div: operand depends on a random value; quotients are computed at "
                "call time, before random values exist (divide by a constant or avoid the division)");
        return GF_VAR_NONE;
    }
    if (kb->n_hint_vals >= GF_KERNEL_MAX_LEN - 1) { kb_fail(kb, GF_ERR_INVALID, "gf_kb_div: too many hint values"); return GF_VAR_NONE; }
    gf_var q = kb_push(kb, KB_DIVQ, 0, a, b, 0, kb->n_hint_vals);
    if (q == GF_VAR_NONE) return q;
    kb->n_hint_vals++;
    gf_var qb = kb_push(kb, KB_MUL, KB_F_DIVCHECK, q, b, 0, 0);
    gf_var r = qb ? kb_push(kb, KB_SUB, 0, a, qb, 0, 0) : GF_VAR_NONE;
    if (r == GF_VAR_NONE || !kb_add_assert(kb, r)) return GF_VAR_NONE;
    return q;
}

void gf_kb_assert_zero(gf_kernel_builder *kb, gf_var a) {
    if (!kb_ok(kb, "gf_kb_assert_zero", a)) return;
    kb_add_assert(kb, a);
}

void gf_kb_assert_equal(gf_kernel_builder *kb, gf_var a, gf_var b) {
    gf_var d = kb_bin(kb, "gf_kb_assert_equal", KB_SUB, a, b);
    if (d != GF_VAR_NONE) kb_add_assert(kb, d);
}

gf_var gf_kb_random(gf_kernel_builder *kb) {
    if (!kb || kb->err.code != GF_OK) return GF_VAR_NONE;
    gf_var v = kb_push(kb, KB_RANDOM, KB_F_TAINT, kb->n_random, 0, 0, 0);
    if (v != GF_VAR_NONE) kb->n_random++;
    return v;
}

/* ---- M31Ext3 emulation: (a0 + a1 x + a2 x^2)(b0 + b1 x + b2 x^2) with x^3 = 5 ------------ */

void gf_kb_random_ext3(gf_kernel_builder *kb, gf_var out[3]) {
    for (int i = 0; i < 3; i++) out[i] = gf_kb_random(kb);
}
void gf_kb_ext3_add(gf_kernel_builder *kb, const gf_var a[3], const gf_var b[3], gf_var out[3]) {
    gf_var r[3];
    for (int i = 0; i < 3; i++) r[i] = gf_kb_add(kb, a[i], b[i]);
    memcpy(out, r, sizeof r);
}
void gf_kb_ext3_sub(gf_kernel_builder *kb, const gf_var a[3], const gf_var b[3], gf_var out[3]) {
    gf_var r[3];
    for (int i = 0; i < 3; i++) r[i] = gf_kb_sub(kb, a[i], b[i]);
    memcpy(out, r, sizeof r);
}
void gf_kb_ext3_mul(gf_kernel_builder *kb, const gf_var a[3], const gf_var b[3], gf_var out[3]) {
    gf_var p[3][3];
    for (int i = 0; i < 3; i++)
        for (int j = 0; j < 3; j++) p[i][j] = gf_kb_mul(kb, a[i], b[j]);
    /* c0 = a0b0 + 5(a1b2 + a2b1), c1 = a0b1 + a1b0 + 5 a2b2, c2 = a0b2 + a1b1 + a2b0 */
    gf_var w0 = gf_kb_mul_const(kb, gf_kb_add(kb, p[1][2], p[2][1]), 5);
    gf_var w1 = gf_kb_mul_const(kb, p[2][2], 5);
    gf_var r[3];
    r[0] = gf_kb_add(kb, p[0][0], w0);
    r[1] = gf_kb_add(kb, gf_kb_add(kb, p[0][1], p[1][0]), w1);
    r[2] = gf_kb_add(kb, gf_kb_add(kb, p[0][2], p[1][1]), p[2][0]);
    memcpy(out, r, sizeof r);
}
void gf_kb_ext3_mul_base(gf_kernel_builder *kb, const gf_var a[3], gf_var b, gf_var out[3]) {
    gf_var r[3];
    for (int i = 0; i < 3; i++) r[i] = gf_kb_mul(kb, a[i], b);
    memcpy(out, r, sizeof r);
}
void gf_kb_ext3_assert_equal(gf_kernel_builder *kb, const gf_var a[3], const gf_var b[3]) {
    for (int i = 0; i < 3; i++) gf_kb_assert_equal(kb, a[i], b[i]);
}

/* ---- Hints ------------------------------------------------------------------------------- */

gf_status gf_kb_hint(gf_kernel_builder *kb, const char *name, gf_hint_fn fn, void *user,
                     const gf_var *in, size_t n_in, gf_var *out, size_t n_out) {
    if (!kb) return GF_ERR_INVALID;
    if (out)
        for (size_t i = 0; i < n_out; i++) out[i] = GF_VAR_NONE;
    if (kb->err.code != GF_OK) return kb->err.code;
    const char *nm = name ? name : "(unnamed)";
    if (!fn || !out || n_out == 0 || (n_in && !in))
        return kb_fail(kb, GF_ERR_INVALID, "gf_kb_hint '%s': need a callback, at least one output and valid arrays", nm);
    if (strlen(nm) >= GF_KERNEL_NAME_MAX)
        return kb_fail(kb, GF_ERR_INVALID, "gf_kb_hint: name '%.20s...' longer than %u characters", nm, GF_KERNEL_NAME_MAX - 1);
    if (n_in >= UINT32_MAX || n_out >= GF_KERNEL_MAX_LEN || kb->n_hint_vals + n_out >= GF_KERNEL_MAX_LEN)
        return kb_fail(kb, GF_ERR_INVALID, "gf_kb_hint '%s': too many inputs or outputs", nm);
    for (size_t i = 0; i < n_in; i++) {
        if (!kb_ok(kb, "gf_kb_hint", in[i])) return kb->err.code;
        if (kb_taint(kb, in[i]))
            return kb_fail(kb, GF_ERR_INVALID, "gf_kb_hint '%s': input %zu depends on a random value; hints run at "
                           "call time, before random values exist", nm, i);
    }
    if (kb->n_hcalls >= UINT32_MAX - 1) return kb_fail(kb, GF_ERR_INVALID, "gf_kb_hint: too many hint calls");
    uint64_t cap = kb->cap_hcalls;
    if (!kb_grow(kb, (void **)&kb->hints, &cap, kb->n_hcalls + 1, sizeof *kb->hints)) return kb->err.code;
    kb->cap_hcalls = (uint32_t)cap;
    if (!kb_grow(kb, (void **)&kb->hint_in, &kb->cap_hint_in, kb->n_hint_in + n_in, sizeof *kb->hint_in)) return kb->err.code;
    if (kb->n_nodes + n_out >= UINT32_MAX) return kb_fail(kb, GF_ERR_INVALID, "gf_kb_hint '%s': too many variables", nm);
    if (!kb_grow(kb, (void **)&kb->nodes, &kb->cap_nodes, kb->n_nodes + n_out, sizeof *kb->nodes)) return kb->err.code;
    kb_hint *h = &kb->hints[kb->n_hcalls];
    memset(h, 0, sizeof *h);
    strcpy(h->name, nm);
    h->fn = fn;
    h->user = user;
    h->in_off = kb->n_hint_in;
    h->n_in = (uint32_t)n_in;
    h->n_out = (uint32_t)n_out;
    if (n_in) memcpy(kb->hint_in + kb->n_hint_in, in, n_in * sizeof *in);
    kb->n_hint_in += n_in;
    h->first_out = (gf_var)kb->n_nodes;
    for (size_t i = 0; i < n_out; i++) {
        out[i] = kb_push(kb, KB_HINT_OUT, 0, kb->n_hcalls, (uint32_t)i, 0, kb->n_hint_vals);
        kb->n_hint_vals++;
    }
    kb->n_hcalls++;
    return GF_OK;
}
