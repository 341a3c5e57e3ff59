/* Context: device memories, views, kernel calls, shape propagation, graph compile/load and
 * witness export (see context.h for the model). */
#include "graph/context.h"
#include "graph/graph_internal.h"
#include "common/util.h"
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

/* A DM length is <= 2^34 and consecutive split points at least double: <= 35 points. */
#define SPLIT_MAX 64u

typedef struct split_t {
    uint32_t n;
    uint64_t p[SPLIT_MAX];   /* sorted, p[0] = 1, p[n-1] = length, each divides the next */
} split_t;

typedef struct ctx_dm {
    gf_m31 *vals;
    uint64_t len;
    split_t split;
} ctx_dm;

typedef struct ctx_view {
    uint32_t dm;
    uint32_t ndims;
    uint64_t dims[GF_CONTEXT_MAX_DIMS];
    int transposed;                           /* then dims[j] = base_dims[axes[j]] */
    uint32_t base_ndims;
    uint64_t base_dims[GF_CONTEXT_MAX_DIMS];
    uint32_t axes[GF_CONTEXT_MAX_DIMS];
} ctx_view;

typedef struct ctx_kern {
    const gf_kernel *k;
    char name[GF_GRAPH_NAME_MAX];
} ctx_kern;

typedef struct ctx_call {
    uint32_t kern;
    char name[GF_GRAPH_NAME_MAX];
    uint64_t n;              /* instances as called */
    uint32_t *dm;            /* per component: DM, UINT32_MAX for the hint component */
    uint32_t *handle;        /* per component: the handle read or created (0 for hints) */
    uint8_t *bcast;          /* per component */
    gf_m31 *hints;           /* n * k->n_hints, instance-major */
    split_t inst;            /* after resolve: instance split points 1..n */
    uint64_t P;              /* after resolve: padded instance count */
} ctx_call;

struct gf_context {
    gf_pool *pool;
    int state;
    ctx_dm *dms; uint32_t n_dm, cap_dm;
    ctx_view *views; uint32_t n_views, cap_views;     /* handle h is views[h - 1] */
    ctx_kern *kerns; uint32_t n_kerns, cap_kerns;
    ctx_call *calls; uint32_t n_calls, cap_calls;
};

/* ---- small helpers ------------------------------------------------------------------------ */

static void fmt_shape(char *buf, size_t n, uint32_t ndims, const uint64_t *dims) {
    size_t o = 0;
    o += (size_t)snprintf(buf + o, o < n ? n - o : 0, "[");
    for (uint32_t j = 0; j < ndims; j++)
        o += (size_t)snprintf(buf + o, o < n ? n - o : 0, "%s%" PRIu64, j ? "," : "", dims[j]);
    snprintf(buf + o, o < n ? n - o : 0, "]");
}

static void fmt_split(char *buf, size_t n, const split_t *s) {
    size_t o = 0;
    o += (size_t)snprintf(buf + o, o < n ? n - o : 0, "{");
    for (uint32_t j = 0; j < s->n; j++)
        o += (size_t)snprintf(buf + o, o < n ? n - o : 0, "%s%" PRIu64, j ? "," : "", s->p[j]);
    snprintf(buf + o, o < n ? n - o : 0, "}");
}

/* The shape a split chain describes, outermost first (as zkCUDA's prefix_products_to_shape). */
static void fmt_split_shape(char *buf, size_t n, const split_t *s) {
    uint64_t d[SPLIT_MAX];
    uint32_t nd = s->n - 1;
    for (uint32_t j = 0; j < nd; j++) d[j] = s->p[nd - j] / s->p[nd - 1 - j];
    fmt_shape(buf, n, nd, d);
}

/* Product of dims with overflow / limit check; 0 on failure. */
static uint64_t shape_len(uint32_t ndims, const uint64_t *dims, uint64_t limit) {
    uint64_t p = 1;
    for (uint32_t j = 0; j < ndims; j++) {
        if (dims[j] == 0 || __builtin_mul_overflow(p, dims[j], &p) || p > limit) return 0;
    }
    return p;
}

static void split_add(split_t *s, uint64_t v) {
    uint32_t i = 0;
    while (i < s->n && s->p[i] < v) i++;
    if (i < s->n && s->p[i] == v) return;
    if (s->n >= SPLIT_MAX) return;   /* cannot happen for valid chains; caught by the chain check */
    memmove(&s->p[i + 1], &s->p[i], (s->n - i) * sizeof s->p[0]);
    s->p[i] = v;
    s->n++;
}

/* Split points of a view shape: 1 and every suffix product (so every dimension boundary). */
static void split_of_shape(uint32_t ndims, const uint64_t *dims, split_t *s) {
    s->n = 1;
    s->p[0] = 1;
    uint64_t q = 1;
    for (uint32_t j = ndims; j-- > 0;) { q *= dims[j]; split_add(s, q); }
}

/* out = a u b. Returns 1 if the union is a divisibility chain; else 0 with the first pair
 * that breaks it in *lo, *hi. */
static int split_merge(const split_t *a, const split_t *b, split_t *out, uint64_t *lo, uint64_t *hi) {
    uint64_t tmp[2 * SPLIT_MAX];
    uint32_t i = 0, j = 0, n = 0;
    while (i < a->n || j < b->n) {
        uint64_t v;
        if (j >= b->n || (i < a->n && a->p[i] < b->p[j])) v = a->p[i++];
        else if (i >= a->n || b->p[j] < a->p[i]) v = b->p[j++];
        else { v = a->p[i++]; j++; }
        tmp[n++] = v;
    }
    for (uint32_t k = 0; k + 1 < n; k++)
        if (tmp[k + 1] % tmp[k] != 0) { *lo = tmp[k]; *hi = tmp[k + 1]; return 0; }
    if (n > SPLIT_MAX) { *lo = *hi = 0; return 0; }
    out->n = n;
    memcpy(out->p, tmp, n * sizeof tmp[0]);
    return 1;
}

/* Padded length of the shape a chain describes; 0 if above GF_GRAPH_MAX_LEN. */
static uint64_t split_padded(const split_t *s) {
    uint64_t p = 1;
    for (uint32_t j = 0; j + 1 < s->n; j++) {
        uint64_t d = gf_next_pow2(s->p[j + 1] / s->p[j]);
        if (__builtin_mul_overflow(p, d, &p) || p > GF_GRAPH_MAX_LEN) return 0;
    }
    return p;
}

static const char *kname(const char *n) { return n && n[0] ? n : "(unnamed)"; }

static const char *comp_kind_name(int kind) {
    return kind == GF_KCOMP_INPUT ? "input" : kind == GF_KCOMP_OUTPUT ? "output" : "hints";
}

static void comp_desc(char *buf, size_t n, const gf_kernel *k, uint32_t i) {
    const gf_kernel_component *c = &k->comp[i];
    if (c->kind == GF_KCOMP_HINT) snprintf(buf, n, "component %" PRIu32 " (hints)", i);
    else snprintf(buf, n, "component %" PRIu32 " (%s '%s')", i, comp_kind_name(c->kind), k->io[c->io].name);
}

static gf_status grow(void **arr, uint32_t *cap, uint32_t need, size_t elem, gf_error *err) {
    if (need <= *cap) return GF_OK;
    if (need >= (1u << 31)) return gf_error_set(err, GF_ERR_NOMEM, "context: too many objects (%" PRIu32 ")", need);
    uint32_t nc = *cap ? *cap : 8;
    while (nc < need) nc *= 2;
    void *p = realloc(*arr, (size_t)nc * elem);
    if (!p) return gf_error_set(err, GF_ERR_NOMEM, "context: out of memory");
    *arr = p;
    *cap = nc;
    return GF_OK;
}

static const ctx_view *get_view(const gf_context *ctx, gf_handle h) {
    return h >= 1 && h <= ctx->n_views ? &ctx->views[h - 1] : NULL;
}

/* ---- lifetime ----------------------------------------------------------------------------- */

gf_status gf_context_new(gf_context **out, gf_pool *pool, gf_error *err) {
    if (!out) return gf_error_set(err, GF_ERR_INVALID, "gf_context_new: NULL output");
    *out = calloc(1, sizeof **out);
    if (!*out) return gf_error_set(err, GF_ERR_NOMEM, "gf_context_new: out of memory");
    (*out)->pool = pool;
    (*out)->state = GF_CTX_RECORDING;
    return GF_OK;
}

void gf_context_free(gf_context *ctx) {
    if (!ctx) return;
    for (uint32_t i = 0; i < ctx->n_dm; i++) free(ctx->dms[i].vals);
    for (uint32_t i = 0; i < ctx->n_calls; i++) {
        free(ctx->calls[i].dm);
        free(ctx->calls[i].handle);
        free(ctx->calls[i].bcast);
        free(ctx->calls[i].hints);
    }
    free(ctx->dms);
    free(ctx->views);
    free(ctx->kerns);
    free(ctx->calls);
    free(ctx);
}

int gf_context_state(const gf_context *ctx) { return ctx ? ctx->state : -1; }
uint32_t gf_context_n_device_memories(const gf_context *ctx) { return ctx ? ctx->n_dm : 0; }
uint32_t gf_context_n_calls(const gf_context *ctx) { return ctx ? ctx->n_calls : 0; }

static const char *state_name(int s) {
    return s == GF_CTX_RECORDING ? "recording" : s == GF_CTX_GRAPH_DONE ? "graph done" : "witness done";
}

/* ---- device memories and views ------------------------------------------------------------ */

static gf_status check_dims(const char *fn, uint32_t ndims, const uint64_t *dims, uint64_t *len, gf_error *err) {
    if (ndims > GF_CONTEXT_MAX_DIMS)
        return gf_error_set(err, GF_ERR_INVALID, "%s: %" PRIu32 " dimensions (at most %u)", fn, ndims, GF_CONTEXT_MAX_DIMS);
    if (ndims && !dims) return gf_error_set(err, GF_ERR_INVALID, "%s: dims is NULL", fn);
    for (uint32_t j = 0; j < ndims; j++)
        if (dims[j] == 0) return gf_error_set(err, GF_ERR_INVALID, "%s: dimension %" PRIu32 " is 0", fn, j);
    *len = shape_len(ndims, dims, GF_CONTEXT_MAX_LEN);
    if (!*len) {
        char s[256];
        fmt_shape(s, sizeof s, ndims, dims);
        return gf_error_set(err, GF_ERR_INVALID, "%s: shape %s has more than 2^34 elements", fn, s);
    }
    return GF_OK;
}

gf_status gf_context_copy_to_device(gf_context *ctx, const gf_m31 *vals, uint32_t ndims, const uint64_t *dims,
                                    gf_handle *out, gf_error *err) {
    if (!ctx || !out || !vals) return gf_error_set(err, GF_ERR_INVALID, "gf_context_copy_to_device: NULL argument");
    *out = GF_HANDLE_NONE;
    if (ctx->state != GF_CTX_RECORDING)
        return gf_error_set(err, GF_ERR_INVALID, "copy_to_device: the context is in state '%s': the computation graph "
                            "is already compiled/loaded, so a new device memory would not be part of it (and would "
                            "shift the hint commitment ids)", state_name(ctx->state));
    uint64_t len;
    gf_status st = check_dims("copy_to_device", ndims, dims, &len, err);
    if (st) return st;
    for (uint64_t i = 0; i < len; i++)
        if (vals[i] >= GF_M31_P)
            return gf_error_set(err, GF_ERR_INVALID, "copy_to_device: value %" PRIu32 " at index %" PRIu64
                                " is not a canonical m31 element", vals[i], i);
    if ((st = grow((void **)&ctx->dms, &ctx->cap_dm, ctx->n_dm + 1, sizeof *ctx->dms, err))) return st;
    if ((st = grow((void **)&ctx->views, &ctx->cap_views, ctx->n_views + 1, sizeof *ctx->views, err))) return st;
    gf_m31 *v = malloc((size_t)len * sizeof *v);
    if (!v) return gf_error_set(err, GF_ERR_NOMEM, "copy_to_device: out of memory for %" PRIu64 " values", len);
    memcpy(v, vals, (size_t)len * sizeof *v);
    ctx_dm *d = &ctx->dms[ctx->n_dm];
    memset(d, 0, sizeof *d);
    d->vals = v;
    d->len = len;
    d->split.n = 1;
    d->split.p[0] = 1;
    split_add(&d->split, len);   /* zkCUDA: [1] or [1, len] at creation */
    ctx_view *w = &ctx->views[ctx->n_views];
    memset(w, 0, sizeof *w);
    w->dm = ctx->n_dm;
    w->ndims = ndims;
    if (ndims) memcpy(w->dims, dims, ndims * sizeof *dims);
    ctx->n_dm++;
    *out = ++ctx->n_views;
    return GF_OK;
}

gf_status gf_context_reshape(gf_context *ctx, gf_handle h, uint32_t ndims, const uint64_t *dims,
                             gf_handle *out, gf_error *err) {
    if (!ctx || !out) return gf_error_set(err, GF_ERR_INVALID, "gf_context_reshape: NULL argument");
    *out = GF_HANDLE_NONE;
    const ctx_view *v = get_view(ctx, h);
    if (!v) return gf_error_set(err, GF_ERR_INVALID, "reshape: handle %" PRIu32 " is not valid in this context", h);
    char s0[256], s1[256];
    fmt_shape(s0, sizeof s0, v->ndims, v->dims);
    if (v->transposed)
        return gf_error_set(err, GF_ERR_INVALID, "reshape: handle %" PRIu32 " is a transposed view %s; reshaping it would "
                            "need the transposed data materialised (copy it to the host and back)", h, s0);
    if (ndims > GF_CONTEXT_MAX_DIMS || (ndims && !dims))
        return gf_error_set(err, GF_ERR_INVALID, "reshape: handle %" PRIu32 ": bad new shape (%" PRIu32 " dimensions, at most %u)",
                            h, ndims, GF_CONTEXT_MAX_DIMS);
    fmt_shape(s1, sizeof s1, ndims, dims);
    uint64_t len = shape_len(ndims, dims, GF_CONTEXT_MAX_LEN);
    uint64_t have = ctx->dms[v->dm].len;
    if (len != have)
        return gf_error_set(err, GF_ERR_INVALID, "illegal shape operation: cannot reshape handle %" PRIu32 " of shape %s (%"
                            PRIu64 " elements) to %s (%s)", h, s0, have, s1,
                            len ? "a different element count" : "a zero dimension or too many elements");
    gf_status st = grow((void **)&ctx->views, &ctx->cap_views, ctx->n_views + 1, sizeof *ctx->views, err);
    if (st) return st;
    v = &ctx->views[h - 1];   /* grow may have moved the array */
    ctx_view *w = &ctx->views[ctx->n_views];
    memset(w, 0, sizeof *w);
    w->dm = v->dm;
    w->ndims = ndims;
    if (ndims) memcpy(w->dims, dims, ndims * sizeof *dims);
    *out = ++ctx->n_views;
    return GF_OK;
}

gf_status gf_context_transpose(gf_context *ctx, gf_handle h, const uint32_t *axes, gf_handle *out, gf_error *err) {
    if (!ctx || !out) return gf_error_set(err, GF_ERR_INVALID, "gf_context_transpose: NULL argument");
    *out = GF_HANDLE_NONE;
    const ctx_view *v = get_view(ctx, h);
    if (!v) return gf_error_set(err, GF_ERR_INVALID, "transpose: handle %" PRIu32 " is not valid in this context", h);
    if (v->ndims && !axes) return gf_error_set(err, GF_ERR_INVALID, "transpose: axes is NULL");
    uint32_t seen = 0;
    for (uint32_t j = 0; j < v->ndims; j++) {
        if (axes[j] >= v->ndims || (seen >> axes[j]) & 1u)
            return gf_error_set(err, GF_ERR_INVALID, "transpose: handle %" PRIu32 ": axes is not a permutation of 0..%" PRIu32
                                " (entry %" PRIu32 " = %" PRIu32 ")", h, v->ndims - 1, j, axes[j]);
        seen |= 1u << axes[j];
    }
    gf_status st = grow((void **)&ctx->views, &ctx->cap_views, ctx->n_views + 1, sizeof *ctx->views, err);
    if (st) return st;
    v = &ctx->views[h - 1];
    ctx_view *w = &ctx->views[ctx->n_views];
    memset(w, 0, sizeof *w);
    w->dm = v->dm;
    w->ndims = v->ndims;
    if (v->transposed) {
        w->base_ndims = v->base_ndims;
        memcpy(w->base_dims, v->base_dims, sizeof w->base_dims);
        for (uint32_t j = 0; j < v->ndims; j++) w->axes[j] = v->axes[axes[j]];
    } else {
        w->base_ndims = v->ndims;
        memcpy(w->base_dims, v->dims, sizeof w->base_dims);
        for (uint32_t j = 0; j < v->ndims; j++) w->axes[j] = axes[j];
    }
    int ident = 1;
    for (uint32_t j = 0; j < w->ndims; j++) {
        w->dims[j] = w->base_dims[w->axes[j]];
        ident &= w->axes[j] == j;
    }
    w->transposed = !ident;
    *out = ++ctx->n_views;
    return GF_OK;
}

gf_status gf_context_shape(const gf_context *ctx, gf_handle h, uint32_t *ndims, uint64_t *dims, gf_error *err) {
    const ctx_view *v = ctx ? get_view(ctx, h) : NULL;
    if (!v || !ndims || !dims) return gf_error_set(err, GF_ERR_INVALID, "shape: handle %" PRIu32 " is not valid", h);
    *ndims = v->ndims;
    memcpy(dims, v->dims, v->ndims * sizeof *dims);
    return GF_OK;
}

uint64_t gf_context_len(const gf_context *ctx, gf_handle h) {
    const ctx_view *v = ctx ? get_view(ctx, h) : NULL;
    return v ? ctx->dms[v->dm].len : 0;
}

int64_t gf_context_device_memory(const gf_context *ctx, gf_handle h) {
    const ctx_view *v = ctx ? get_view(ctx, h) : NULL;
    return v ? (int64_t)v->dm : -1;
}

gf_status gf_context_copy_to_host(const gf_context *ctx, gf_handle h, gf_m31 *out, uint64_t n, gf_error *err) {
    if (!ctx || !out) return gf_error_set(err, GF_ERR_INVALID, "gf_context_copy_to_host: NULL argument");
    const ctx_view *v = get_view(ctx, h);
    if (!v) return gf_error_set(err, GF_ERR_INVALID, "copy_to_host: handle %" PRIu32 " is not valid in this context", h);
    const ctx_dm *d = &ctx->dms[v->dm];
    if (n != d->len)
        return gf_error_set(err, GF_ERR_INVALID, "copy_to_host: handle %" PRIu32 " has %" PRIu64 " elements, the buffer %" PRIu64,
                            h, d->len, n);
    if (!v->transposed) {
        memcpy(out, d->vals, (size_t)n * sizeof *out);
        return GF_OK;
    }
    /* walk the view in row-major order; base stride of view dimension j is the base stride of
     * dimension axes[j] */
    uint64_t bstride[GF_CONTEXT_MAX_DIMS], vstride[GF_CONTEXT_MAX_DIMS], idx[GF_CONTEXT_MAX_DIMS] = { 0 };
    uint64_t s = 1;
    for (uint32_t j = v->base_ndims; j-- > 0;) { bstride[j] = s; s *= v->base_dims[j]; }
    for (uint32_t j = 0; j < v->ndims; j++) vstride[j] = bstride[v->axes[j]];
    uint64_t src = 0;
    for (uint64_t o = 0; o < n; o++) {
        out[o] = d->vals[src];
        for (uint32_t j = v->ndims; j-- > 0;) {
            if (++idx[j] < v->dims[j]) { src += vstride[j]; break; }
            src -= (idx[j] - 1) * vstride[j];
            idx[j] = 0;
        }
    }
    return GF_OK;
}

/* ---- kernel calls ------------------------------------------------------------------------- */

typedef struct eval_fail {
    uint64_t p;              /* failing instance, UINT64_MAX if none */
    gf_error e;
} eval_fail;

typedef struct eval_job {
    const gf_kernel *k;
    const gf_m31 **in_src;   /* per io: DM values (inputs only) */
    const uint8_t *in_bcast; /* per io */
    gf_m31 **out_dst;        /* per io: output array (outputs only) */
    gf_m31 *hints;           /* n * n_hints */
    gf_m31 *buf;             /* per thread: scratch, inputs, outputs */
    size_t per_thread;
    eval_fail *fail;         /* per thread */
    uint64_t min_fail;       /* smallest failing instance so far (atomic) */
} eval_job;

static void eval_instances(void *arg, int tid, size_t b, size_t end) {
    eval_job *J = arg;
    const gf_kernel *k = J->k;
    gf_m31 *scratch = J->buf + (size_t)tid * J->per_thread;
    gf_m31 *in = scratch + gf_kernel_scratch_len(k);
    gf_m31 *out = in + k->n_in_vals;
    eval_fail *F = &J->fail[tid];
    for (size_t p = b; p < end; p++) {
        /* instances above a known failure cannot change the (smallest) reported one */
        if (p > __atomic_load_n(&J->min_fail, __ATOMIC_RELAXED)) break;
        for (uint32_t i = 0; i < k->n_io; i++) {   /* broadcast inputs are already in place */
            const gf_kernel_io *io = &k->io[i];
            if (io->is_input && !J->in_bcast[i])
                memcpy(in + io->in_offset, J->in_src[i] + p * io->len, (size_t)io->len * sizeof *in);
        }
        gf_error e;
        gf_status st = gf_kernel_eval(k, in, out, k->n_hints ? J->hints + p * k->n_hints : NULL, scratch, &e);
        if (st) {
            if (p < F->p) { F->p = p; F->e = e; F->e.code = st; }
            uint64_t cur = __atomic_load_n(&J->min_fail, __ATOMIC_RELAXED);
            while (p < cur && !__atomic_compare_exchange_n(&J->min_fail, &cur, p, 0, __ATOMIC_RELAXED, __ATOMIC_RELAXED)) {}
            break;
        }
        for (uint32_t i = 0; i < k->n_io; i++) {
            const gf_kernel_io *io = &k->io[i];
            if (io->is_output) memcpy(J->out_dst[i] + p * io->len, out + io->out_offset, (size_t)io->len * sizeof *out);
        }
    }
}

gf_status gf_context_call_kernel(gf_context *ctx, const gf_kernel *k, const char *name, uint64_t N,
                                 gf_handle *ios, uint32_t n_ios, gf_error *err) {
    if (!ctx || !k) return gf_error_set(err, GF_ERR_INVALID, "gf_context_call_kernel: NULL context or kernel");
    const uint32_t ci = ctx->n_calls;
    const char *kn = kname(name);
    if (ctx->state != GF_CTX_RECORDING)
        return gf_error_set(err, GF_ERR_INVALID, "call_kernel '%s': the context is in state '%s': the computation graph is "
                            "already compiled/loaded, so this call would not be part of it", kn, state_name(ctx->state));
    if (name && strlen(name) >= GF_GRAPH_NAME_MAX)
        return gf_error_set(err, GF_ERR_INVALID, "call_kernel: kernel name '%.40s...' is longer than %u characters", name,
                            GF_GRAPH_NAME_MAX - 1);
    if (k->field != GF_FIELD_M31 || !k->prog || !k->circuit || !k->comp)
        return gf_error_set(err, GF_ERR_INVALID, "call #%" PRIu32 " (kernel '%s'): not a compiled M31 kernel", ci, kn);
    if (n_ios != k->n_io || (n_ios && !ios))
        return gf_error_set(err, GF_ERR_INVALID, "call #%" PRIu32 " (kernel '%s'): %" PRIu32 " io handles given, the kernel has %"
                            PRIu32 " io", ci, kn, ios ? n_ios : 0, k->n_io);
    if (N < 1 || N > GF_CONTEXT_MAX_LEN)
        return gf_error_set(err, GF_ERR_INVALID, "call #%" PRIu32 " (kernel '%s'): parallel count %" PRIu64 " not in [1, 2^34]",
                            ci, kn, N);

    gf_status st = GF_OK;
    const uint32_t nio = k->n_io;
    uint8_t *bcast = calloc(nio ? nio : 1, 1);
    gf_handle *in_h = calloc(nio ? nio : 1, sizeof *in_h);
    split_t *ns = calloc(nio ? nio : 1, sizeof *ns);          /* merged split of each input's DM */
    const gf_m31 **in_src = calloc(nio ? nio : 1, sizeof *in_src);
    uint32_t *in_dm = calloc(nio ? nio : 1, sizeof *in_dm);     /* input DM per io */
    gf_handle *out_h = calloc(nio ? nio : 1, sizeof *out_h);    /* new output handle per io */
    gf_m31 **out_dst = calloc(nio ? nio : 1, sizeof *out_dst);
    gf_m31 *hints = NULL, *buf = NULL;
    eval_fail *fail = NULL;
    uint32_t *c_dm = NULL, *c_h = NULL;
    uint8_t *c_b = NULL;
    if (!bcast || !in_h || !ns || !in_src || !out_dst || !in_dm || !out_h) { st = gf_error_set(err, GF_ERR_NOMEM, "call_kernel: out of memory"); goto done; }

    int any_part = 0, n_out = 0;
    for (uint32_t i = 0; i < nio; i++) {
        const gf_kernel_io *io = &k->io[i];
        char ks[256], hs[256];
        fmt_shape(ks, sizeof ks, io->ndims, io->dims);
        if (io->is_output && !io->is_input) {
            n_out++;
            any_part = 1;
            if (ios[i] != GF_HANDLE_NONE) {
                st = gf_error_set(err, GF_ERR_INVALID, "call #%" PRIu32 " (kernel '%s') io %" PRIu32 " '%s' is an output: its "
                                  "slot must be GF_HANDLE_NONE (it receives the new handle), got handle %" PRIu32, ci, kn, i,
                                  io->name, ios[i]);
                goto done;
            }
            continue;
        }
        if (io->is_output) { n_out++; any_part = 1; }
        const ctx_view *v = get_view(ctx, ios[i]);
        if (!v) {
            st = gf_error_set(err, GF_ERR_INVALID, "call #%" PRIu32 " (kernel '%s') io %" PRIu32 " '%s' is an input: handle %"
                              PRIu32 " is not valid in this context", ci, kn, i, io->name, ios[i]);
            goto done;
        }
        fmt_shape(hs, sizeof hs, v->ndims, v->dims);
        if (v->transposed) {
            st = gf_error_set(err, GF_ERR_INVALID, "call #%" PRIu32 " (kernel '%s') io '%s': handle %" PRIu32 " is a transposed "
                              "view %s; kernels cannot read transposed views (bit orders are not implemented): copy it to "
                              "the host and back to materialise the transpose", ci, kn, io->name, ios[i], hs);
            goto done;
        }
        in_h[i] = ios[i];
        int same = v->ndims == io->ndims && (io->ndims == 0 || !memcmp(v->dims, io->dims, io->ndims * sizeof *io->dims));
        int part = v->ndims == io->ndims + 1 && v->dims[0] == N &&
                   (io->ndims == 0 || !memcmp(v->dims + 1, io->dims, io->ndims * sizeof *io->dims));
        if (!same && !part) {
            char ps[300];
            uint64_t pd[GF_CONTEXT_MAX_DIMS];
            pd[0] = N;
            memcpy(pd + 1, io->dims, io->ndims * sizeof *pd);
            fmt_shape(ps, sizeof ps, io->ndims + 1, pd);
            st = gf_error_set(err, GF_ERR_INVALID, "call #%" PRIu32 " (kernel '%s') io '%s': incompatible shapes: handle %" PRIu32
                              " has shape %s, the kernel's io has shape %s and the call has %" PRIu64 " instances, so the "
                              "handle must be %s (broadcast: every instance reads it all) or %s (partitioned: instance p "
                              "reads row p); reshape it", ci, kn, io->name, ios[i], hs, ks, N, ks, ps);
            goto done;
        }
        bcast[i] = (uint8_t)same;
        any_part |= !same;
        in_src[i] = ctx->dms[v->dm].vals;
        /* split points this view needs, merged into its DM's (after earlier ios of this call
         * that read the same DM) */
        const split_t *base = &ctx->dms[v->dm].split;
        for (uint32_t j = i; j-- > 0;)
            if (in_h[j] && get_view(ctx, in_h[j])->dm == v->dm) { base = &ns[j]; break; }
        split_t need;
        split_of_shape(v->ndims, v->dims, &need);
        uint64_t lo, hi;
        if (!split_merge(base, &need, &ns[i], &lo, &hi)) {
            char a[600], b[600], dsh[300];
            fmt_split(a, sizeof a, &need);
            fmt_split(b, sizeof b, base);
            fmt_split_shape(dsh, sizeof dsh, base);
            st = gf_error_set(err, GF_ERR_INVALID, "illegal shape operation: call #%" PRIu32 " (kernel '%s') io '%s': handle %"
                              PRIu32 " views device memory %" PRIu32 " as %s, which needs the split points %s, but earlier "
                              "views made it %s (split points %s): %" PRIu64 " does not divide %" PRIu64,
                              ci, kn, io->name, ios[i], v->dm, hs, a, dsh, b, lo, hi);
            goto done;
        }
    }
    if (!any_part) {
        st = gf_error_set(err, GF_ERR_INVALID, "call #%" PRIu32 " (kernel '%s'): every io is broadcast (no outputs, every input "
                          "has exactly the kernel's shape), so the call has no instance dimension to prove; reshape an "
                          "input to [%" PRIu64 ", ...] to partition it", ci, kn, N);
        goto done;
    }
    (void)n_out;
    /* sizes of outputs and hints */
    for (uint32_t i = 0; i < nio; i++) {
        const gf_kernel_io *io = &k->io[i];
        if (!io->is_output) continue;
        uint64_t tot;
        if (__builtin_mul_overflow(N, io->len, &tot) || tot > GF_CONTEXT_MAX_LEN) {
            st = gf_error_set(err, GF_ERR_INVALID, "call #%" PRIu32 " (kernel '%s') output '%s': %" PRIu64 " instances x %" PRIu64
                              " values exceed 2^34", ci, kn, io->name, N, io->len);
            goto done;
        }
        if (!(out_dst[i] = malloc((size_t)tot * sizeof **out_dst))) {
            st = gf_error_set(err, GF_ERR_NOMEM, "call #%" PRIu32 " (kernel '%s'): out of memory for output '%s'", ci, kn, io->name);
            goto done;
        }
    }
    if (k->n_hints) {
        uint64_t tot;
        if (__builtin_mul_overflow(N, k->n_hints, &tot) || tot > GF_CONTEXT_MAX_LEN) {
            st = gf_error_set(err, GF_ERR_INVALID, "call #%" PRIu32 " (kernel '%s'): %" PRIu64 " instances x %" PRIu64
                              " hint values exceed 2^34", ci, kn, N, k->n_hints);
            goto done;
        }
        if (!(hints = malloc((size_t)tot * sizeof *hints))) {
            st = gf_error_set(err, GF_ERR_NOMEM, "call #%" PRIu32 " (kernel '%s'): out of memory for hints", ci, kn);
            goto done;
        }
    }
    /* reserve everything the commit step needs, so it cannot fail */
    if ((st = grow((void **)&ctx->dms, &ctx->cap_dm, ctx->n_dm + (uint32_t)n_out, sizeof *ctx->dms, err)) ||
        (st = grow((void **)&ctx->views, &ctx->cap_views, ctx->n_views + (uint32_t)n_out, sizeof *ctx->views, err)) ||
        (st = grow((void **)&ctx->kerns, &ctx->cap_kerns, ctx->n_kerns + 1, sizeof *ctx->kerns, err)) ||
        (st = grow((void **)&ctx->calls, &ctx->cap_calls, ctx->n_calls + 1, sizeof *ctx->calls, err)))
        goto done;
    const uint32_t nc = k->n_components;
    c_dm = malloc((nc ? nc : 1) * sizeof *c_dm);
    c_h = malloc((nc ? nc : 1) * sizeof *c_h);
    c_b = malloc(nc ? nc : 1);
    if (!c_dm || !c_h || !c_b) { st = gf_error_set(err, GF_ERR_NOMEM, "call_kernel: out of memory"); goto done; }

    /* evaluate every instance */
    {
        int nt = gf_pool_threads(ctx->pool);
        size_t per = gf_kernel_scratch_len(k) + (size_t)k->n_in_vals + (size_t)k->n_out_vals + 1;
        buf = malloc((size_t)nt * per * sizeof *buf);
        fail = malloc((size_t)nt * sizeof *fail);
        if (!buf || !fail) { st = gf_error_set(err, GF_ERR_NOMEM, "call_kernel: out of memory for evaluation buffers"); goto done; }
        for (int t = 0; t < nt; t++) {
            fail[t].p = UINT64_MAX;
            gf_m31 *tin = buf + (size_t)t * per + gf_kernel_scratch_len(k);
            for (uint32_t i = 0; i < nio; i++)
                if (k->io[i].is_input && bcast[i])
                    memcpy(tin + k->io[i].in_offset, in_src[i], (size_t)k->io[i].len * sizeof *tin);
        }
        eval_job J = { k, in_src, bcast, out_dst, hints, buf, per, fail, UINT64_MAX };
        gf_pool_run(ctx->pool, (size_t)N, eval_instances, &J);
        if (J.min_fail != UINT64_MAX) {
            for (int t = 0; t < nt; t++)
                if (fail[t].p == J.min_fail) {
                    st = gf_error_set(err, fail[t].e.code, "call #%" PRIu32 " (kernel '%s') instance %" PRIu64 ": %s", ci, kn,
                                      J.min_fail, fail[t].e.msg);
                    break;
                }
            goto done;
        }
    }

    /* commit: kernel, input splits, output DMs and handles, call record */
    uint32_t kid = 0;
    while (kid < ctx->n_kerns && ctx->kerns[kid].k != k) kid++;
    if (kid == ctx->n_kerns) {
        ctx->kerns[kid].k = k;
        snprintf(ctx->kerns[kid].name, GF_GRAPH_NAME_MAX, "%s", name ? name : "");
        ctx->n_kerns++;
    }
    for (uint32_t i = 0; i < nio; i++)
        if (in_h[i]) ctx->dms[get_view(ctx, in_h[i])->dm].split = ns[i];   /* later ios hold the full merge */
    for (uint32_t i = 0; i < nio; i++) in_dm[i] = in_h[i] ? get_view(ctx, in_h[i])->dm : UINT32_MAX;
    for (uint32_t i = 0; i < nio; i++) {
        const gf_kernel_io *io = &k->io[i];
        out_h[i] = GF_HANDLE_NONE;
        if (!io->is_output) continue;
        ctx_dm *d = &ctx->dms[ctx->n_dm];
        memset(d, 0, sizeof *d);
        d->vals = out_dst[i];
        out_dst[i] = NULL;
        d->len = N * io->len;
        ctx_view *w = &ctx->views[ctx->n_views];
        memset(w, 0, sizeof *w);
        w->dm = ctx->n_dm;
        w->ndims = io->ndims + 1;
        w->dims[0] = N;
        memcpy(w->dims + 1, io->dims, io->ndims * sizeof *io->dims);
        split_of_shape(w->ndims, w->dims, &d->split);
        ctx->n_dm++;
        out_h[i] = ++ctx->n_views;
    }
    for (uint32_t c = 0; c < nc; c++) {
        const gf_kernel_component *cp = &k->comp[c];
        if (cp->kind == GF_KCOMP_HINT) { c_dm[c] = UINT32_MAX; c_h[c] = 0; c_b[c] = 0; continue; }
        if (cp->kind == GF_KCOMP_INPUT) {
            c_dm[c] = in_dm[cp->io];
            c_h[c] = ios[cp->io];
            c_b[c] = bcast[cp->io];
        } else {
            c_h[c] = out_h[cp->io];
            c_dm[c] = ctx->views[c_h[c] - 1].dm;
            c_b[c] = 0;
        }
    }
    for (uint32_t i = 0; i < nio; i++)
        if (k->io[i].is_output) ios[i] = out_h[i];
    ctx_call *call = &ctx->calls[ctx->n_calls++];
    memset(call, 0, sizeof *call);
    call->kern = kid;
    snprintf(call->name, GF_GRAPH_NAME_MAX, "%s", name ? name : "");
    call->n = N;
    call->dm = c_dm; call->handle = c_h; call->bcast = c_b;
    c_dm = NULL; c_h = NULL; c_b = NULL;
    call->hints = hints;
    hints = NULL;

done:
    if (out_dst) for (uint32_t i = 0; i < nio; i++) free(out_dst[i]);
    free(out_dst);
    free(in_src);
    free(in_dm);
    free(out_h);
    free(ns);
    free(in_h);
    free(bcast);
    free(hints);
    free(buf);
    free(fail);
    free(c_dm); free(c_h); free(c_b);
    return st;
}

/* ---- shape propagation (zkCUDA step A) and layout checks -------------------------------- */

/* Kernel io shape of component c (c must not be the hint component). */
static const gf_kernel_io *comp_io(const gf_kernel *k, uint32_t c) { return &k->io[k->comp[c].io]; }

static gf_status ctx_resolve(gf_context *ctx, gf_error *err) {
    split_t *sp = malloc((ctx->n_dm ? ctx->n_dm : 1) * sizeof *sp);
    split_t *inst = malloc((ctx->n_calls ? ctx->n_calls : 1) * sizeof *inst);
    uint64_t *P = malloc((ctx->n_calls ? ctx->n_calls : 1) * sizeof *P);
    gf_status st = GF_OK;
    if (!sp || !inst || !P) { st = gf_error_set(err, GF_ERR_NOMEM, "compile graph: out of memory"); goto done; }
    for (uint32_t d = 0; d < ctx->n_dm; d++) sp[d] = ctx->dms[d].split;
    char a[600], b[600], c3[600];
    for (int changed = 1; changed;) {
        changed = 0;
        for (uint32_t ci = 0; ci < ctx->n_calls; ci++) {
            const ctx_call *cl = &ctx->calls[ci];
            const gf_kernel *k = ctx->kerns[cl->kern].k;
            split_t I = { .n = 1, .p = { 1 } };
            split_add(&I, cl->n);
            /* every non-broadcast component must factor the instances the same way */
            for (uint32_t c = 0; c < k->n_components; c++) {
                if (cl->dm[c] == UINT32_MAX || cl->bcast[c]) continue;
                const uint64_t chunk = comp_io(k, c)->len;
                split_t x = { .n = 0 };
                const split_t *s = &sp[cl->dm[c]];
                for (uint32_t j = 0; j < s->n; j++)
                    if (s->p[j] >= chunk) x.p[x.n++] = s->p[j] / chunk;
                uint64_t lo, hi;
                split_t m;
                if (!split_merge(&I, &x, &m, &lo, &hi)) {
                    comp_desc(c3, sizeof c3, k, c);
                    fmt_split(a, sizeof a, &x);
                    fmt_split(b, sizeof b, &I);
                    st = gf_error_set(err, GF_ERR_INVALID, "illegal shape operation: call #%" PRIu32 " (kernel '%s') %s: its "
                                      "device memory %" PRIu32 " splits the %" PRIu64 " instances at %s, the call's other ios at "
                                      "%s: %" PRIu64 " does not divide %" PRIu64, ci, kname(cl->name), c3, cl->dm[c], cl->n, a,
                                      b, lo, hi);
                    goto done;
                }
                I = m;
            }
            for (uint32_t c = 0; c < k->n_components; c++) {
                if (cl->dm[c] == UINT32_MAX || cl->bcast[c]) continue;
                const uint64_t chunk = comp_io(k, c)->len;
                split_t y = { .n = I.n };
                for (uint32_t j = 0; j < I.n; j++) y.p[j] = I.p[j] * chunk;
                split_t *s = &sp[cl->dm[c]], m;
                uint64_t lo, hi;
                if (!split_merge(s, &y, &m, &lo, &hi)) {
                    comp_desc(c3, sizeof c3, k, c);
                    fmt_split(a, sizeof a, &y);
                    fmt_split(b, sizeof b, s);
                    st = gf_error_set(err, GF_ERR_INVALID, "illegal shape operation: call #%" PRIu32 " (kernel '%s') %s: the call's "
                                      "instance layout needs device memory %" PRIu32 " split at %s, its other views at %s: %"
                                      PRIu64 " does not divide %" PRIu64, ci, kname(cl->name), c3, cl->dm[c], a, b, lo, hi);
                    goto done;
                }
                if (m.n != s->n) changed = 1;
                *s = m;
            }
            inst[ci] = I;
        }
    }
    /* a fixed kernel layout: inside a component, extra splits must keep the padded positions */
    for (uint32_t ci = 0; ci < ctx->n_calls; ci++) {
        const ctx_call *cl = &ctx->calls[ci];
        const gf_kernel *k = ctx->kerns[cl->kern].k;
        P[ci] = split_padded(&inst[ci]);
        if (!P[ci]) {
            st = gf_error_set(err, GF_ERR_INVALID, "call #%" PRIu32 " (kernel '%s'): padded instance count exceeds 2^40", ci,
                              kname(cl->name));
            goto done;
        }
        for (uint32_t c = 0; c < k->n_components; c++) {
            if (cl->dm[c] == UINT32_MAX) continue;
            const gf_kernel_io *io = comp_io(k, c);
            split_t kp;
            split_of_shape(io->ndims, io->dims, &kp);
            const split_t *s = &sp[cl->dm[c]];
            for (uint32_t j = 0; j < s->n && s->p[j] < io->len; j++) {
                uint32_t q = 0;
                while (q + 1 < kp.n && kp.p[q + 1] <= s->p[j]) q++;
                uint64_t lo = kp.p[q];
                if (s->p[j] % lo == 0 && gf_is_pow2(s->p[j] / lo)) continue;
                comp_desc(c3, sizeof c3, k, c);
                fmt_shape(a, sizeof a, io->ndims, io->dims);
                fmt_split_shape(b, sizeof b, s);
                st = gf_error_set(err, GF_ERR_INVALID, "illegal shape operation: call #%" PRIu32 " (kernel '%s') %s of shape %s: "
                                  "other views split its device memory %" PRIu32 " as %s (a split at %" PRIu64 " inside the "
                                  "kernel's per-instance array), which changes the padded positions of the kernel's fixed "
                                  "layout; use the same inner shape in every call (extra splits are only allowed where the "
                                  "inner part is a power of two)", ci, kname(cl->name), c3, a, cl->dm[c], b, s->p[j]);
                goto done;
            }
        }
    }
    for (uint32_t d = 0; d < ctx->n_dm; d++) {
        if (!split_padded(&sp[d])) {
            fmt_split_shape(a, sizeof a, &sp[d]);
            st = gf_error_set(err, GF_ERR_INVALID, "device memory %" PRIu32 " of shape %s: padded length exceeds 2^40", d, a);
            goto done;
        }
    }
    for (uint32_t d = 0; d < ctx->n_dm; d++) ctx->dms[d].split = sp[d];
    for (uint32_t ci = 0; ci < ctx->n_calls; ci++) { ctx->calls[ci].inst = inst[ci]; ctx->calls[ci].P = P[ci]; }
done:
    free(sp);
    free(inst);
    free(P);
    return st;
}

/* The graph of the (resolved) program. copy: the graph owns circuit copies; otherwise it
 * borrows the kernels' circuits (free with gf_graph_free_borrowed_). */
static gf_status ctx_build_graph(const gf_context *ctx, int copy, gf_graph **out, gf_error *err) {
    *out = NULL;
    gf_graph *g = calloc(1, sizeof *g);
    if (!g) return gf_error_set(err, GF_ERR_NOMEM, "compile graph: out of memory");
    g->field = GF_FIELD_M31;
    gf_status st = GF_OK;
    uint32_t n_hint = 0;
    for (uint32_t ci = 0; ci < ctx->n_calls; ci++) n_hint += ctx->kerns[ctx->calls[ci].kern].k->n_hints ? 1 : 0;
    g->kernels = calloc(ctx->n_kerns ? ctx->n_kerns : 1, sizeof *g->kernels);
    g->commit_len = calloc((size_t)ctx->n_dm + n_hint + 1, sizeof *g->commit_len);
    g->templates = calloc(ctx->n_calls ? ctx->n_calls : 1, sizeof *g->templates);
    if (!g->kernels || !g->commit_len || !g->templates) { st = gf_error_set(err, GF_ERR_NOMEM, "compile graph: out of memory"); goto fail; }
    for (uint32_t i = 0; i < ctx->n_kerns; i++) {
        const gf_kernel *k = ctx->kerns[i].k;
        gf_graph_kernel *gk = &g->kernels[i];
        g->n_kernels = i + 1;
        memcpy(gk->name, ctx->kerns[i].name, GF_GRAPH_NAME_MAX);
        gk->comp_len = malloc(k->n_components * sizeof *gk->comp_len);
        gk->comp_offset = malloc(k->n_components * sizeof *gk->comp_offset);
        if (!gk->comp_len || !gk->comp_offset) { st = gf_error_set(err, GF_ERR_NOMEM, "compile graph: out of memory"); goto fail; }
        gk->n_components = k->n_components;
        for (uint32_t c = 0; c < k->n_components; c++) { gk->comp_len[c] = k->comp[c].len; gk->comp_offset[c] = k->comp[c].offset; }
        if (copy) {
            if ((st = gf_graph_circuit_copy_(k->circuit, &gk->circuit, err))) goto fail;
        } else {
            gk->circuit = k->circuit;
        }
    }
    g->n_commitments = ctx->n_dm + n_hint;
    for (uint32_t d = 0; d < ctx->n_dm; d++) g->commit_len[d] = split_padded(&ctx->dms[d].split);
    uint32_t hid = ctx->n_dm;
    for (uint32_t ci = 0; ci < ctx->n_calls; ci++) {
        const ctx_call *cl = &ctx->calls[ci];
        const gf_kernel *k = ctx->kerns[cl->kern].k;
        gf_graph_template *t = &g->templates[ci];
        g->n_templates = ci + 1;
        t->kernel = cl->kern;
        t->parallel_count = cl->P;
        t->n_instances = cl->n;
        t->commit = malloc(k->n_components * sizeof *t->commit);
        t->broadcast = malloc(k->n_components);
        if (!t->commit || !t->broadcast) { st = gf_error_set(err, GF_ERR_NOMEM, "compile graph: out of memory"); goto fail; }
        for (uint32_t c = 0; c < k->n_components; c++) {
            t->broadcast[c] = cl->bcast[c];
            if (cl->dm[c] != UINT32_MAX) {
                t->commit[c] = cl->dm[c];
                continue;
            }
            t->commit[c] = hid;
            uint64_t L = k->comp[c].len, tot;
            if (__builtin_mul_overflow(L, cl->P, &tot) || tot > GF_GRAPH_MAX_LEN) {
                st = gf_error_set(err, GF_ERR_INVALID, "call #%" PRIu32 " (kernel '%s'): hint vector of %" PRIu64 " x %" PRIu64
                                  " values exceeds 2^40", ci, kname(cl->name), L, cl->P);
                goto fail;
            }
            g->commit_len[hid++] = tot;
        }
    }
    /* the propagation guarantees the length rule; a violation is a bug here */
    if ((st = gf_graph_validate(g, err))) {
        gf_error_prefix(err, "compile graph: internal error");
        if (err) err->code = GF_ERR_INTERNAL;
        st = GF_ERR_INTERNAL;
        goto fail;
    }
    *out = g;
    return GF_OK;
fail:
    if (copy) gf_graph_free(g);
    else gf_graph_free_borrowed_(g);
    return st;
}

/* GF_OK iff g equals the graph b this context builds (b borrows the kernels' circuits). */
static gf_status ctx_compare(const gf_context *ctx, const gf_graph *b, const gf_graph *g, gf_error *err) {
    const char *pre = "the graph does not match this program";
    uint32_t *verified = malloc((b->n_kernels ? b->n_kernels : 1) * sizeof *verified);
    if (!verified) return gf_error_set(err, GF_ERR_NOMEM, "comparing graphs: out of memory");
    for (uint32_t i = 0; i < b->n_kernels; i++) verified[i] = UINT32_MAX;
    gf_status st = GF_OK;
    char cd[300];
    uint32_t n = b->n_templates < g->n_templates ? b->n_templates : g->n_templates;
    for (uint32_t ci = 0; ci < n && !st; ci++) {
        const gf_graph_template *tb = &b->templates[ci], *tg = &g->templates[ci];
        const gf_graph_kernel *kb = &b->kernels[tb->kernel], *kg = &g->kernels[tg->kernel];
        const gf_kernel *k = ctx->kerns[tb->kernel].k;
        const char *kn = kname(ctx->calls[ci].name);
        if (verified[tb->kernel] != tg->kernel) {
            if (kb->n_components != kg->n_components) {
                st = gf_error_set(err, GF_ERR_INVALID, "%s: call #%" PRIu32 " (kernel '%s'): the kernel has %" PRIu32 " components, "
                                  "the graph's kernel #%" PRIu32 " '%s' has %" PRIu32 " (a different kernel)", pre, ci, kn,
                                  kb->n_components, tg->kernel, kg->name, kg->n_components);
                break;
            }
            for (uint32_t c = 0; c < kb->n_components; c++)
                if (kb->comp_len[c] != kg->comp_len[c] || kb->comp_offset[c] != kg->comp_offset[c]) {
                    comp_desc(cd, sizeof cd, k, c);
                    st = gf_error_set(err, GF_ERR_INVALID, "%s: call #%" PRIu32 " (kernel '%s'): %s has padded length %" PRIu64
                                      " at offset %" PRIu64 ", in the graph's kernel #%" PRIu32 " '%s' it has %" PRIu64 " at %" PRIu64
                                      " (a different kernel)", pre, ci, kn, cd, kb->comp_len[c], kb->comp_offset[c], tg->kernel,
                                      kg->name, kg->comp_len[c], kg->comp_offset[c]);
                    break;
                }
            if (st) break;
            if (!gf_graph_circuit_equal_(kb->circuit, kg->circuit)) {
                st = gf_error_set(err, GF_ERR_INVALID, "%s: call #%" PRIu32 " (kernel '%s'): its circuit (%" PRIu32 " layers, %" PRIu64
                                  " gates) differs from the graph's kernel #%" PRIu32 " '%s' (%" PRIu32 " layers, %" PRIu64
                                  " gates): a different kernel", pre, ci, kn, kb->circuit->n_layers, gf_circuit_n_gates(kb->circuit),
                                  tg->kernel, kg->name, kg->circuit->n_layers, gf_circuit_n_gates(kg->circuit));
                break;
            }
            verified[tb->kernel] = tg->kernel;
        }
        if ((tb->n_instances && tg->n_instances && tb->n_instances != tg->n_instances) || tb->parallel_count != tg->parallel_count) {
            st = gf_error_set(err, GF_ERR_INVALID, "%s: call #%" PRIu32 " (kernel '%s'): %" PRIu64 " instances (padded to %" PRIu64
                              "), the graph's template has %" PRIu64 " (padded to %" PRIu64 ")", pre, ci, kn, tb->n_instances,
                              tb->parallel_count, tg->n_instances, tg->parallel_count);
            break;
        }
        for (uint32_t c = 0; c < kb->n_components && !st; c++) {
            comp_desc(cd, sizeof cd, k, c);
            if (tb->broadcast[c] != tg->broadcast[c])
                st = gf_error_set(err, GF_ERR_INVALID, "%s: call #%" PRIu32 " (kernel '%s'): %s is %s here but %s in the graph", pre,
                                  ci, kn, cd, tb->broadcast[c] ? "broadcast" : "partitioned",
                                  tg->broadcast[c] ? "broadcast" : "partitioned");
            else if (tb->commit[c] != tg->commit[c])
                st = gf_error_set(err, GF_ERR_INVALID, "%s: call #%" PRIu32 " (kernel '%s'): %s reads commitment %" PRIu32
                                  ", the graph's template reads commitment %" PRIu32, pre, ci, kn, cd, tb->commit[c], tg->commit[c]);
            else if (b->commit_len[tb->commit[c]] != g->commit_len[tg->commit[c]])
                st = gf_error_set(err, GF_ERR_INVALID, "%s: call #%" PRIu32 " (kernel '%s'): %s reads commitment %" PRIu32
                                  " of padded length %" PRIu64 ", in the graph it has length %" PRIu64, pre, ci, kn, cd,
                                  tb->commit[c], b->commit_len[tb->commit[c]], g->commit_len[tg->commit[c]]);
        }
    }
    if (!st && b->n_templates < g->n_templates) {
        const gf_graph_template *tg = &g->templates[b->n_templates];
        st = gf_error_set(err, GF_ERR_INVALID, "%s: the program made %" PRIu32 " kernel calls, the graph has %" PRIu32
                          " templates (first missing: call #%" PRIu32 ", kernel '%s')", pre, b->n_templates, g->n_templates,
                          b->n_templates, kname(g->kernels[tg->kernel].name));
    } else if (!st && b->n_templates > g->n_templates) {
        st = gf_error_set(err, GF_ERR_INVALID, "%s: call #%" PRIu32 " (kernel '%s') has no template: the graph has only %" PRIu32
                          " templates", pre, g->n_templates, kname(ctx->calls[g->n_templates].name), g->n_templates);
    }
    if (!st && b->n_commitments != g->n_commitments)
        st = gf_error_set(err, GF_ERR_INVALID, "%s: the program has %" PRIu32 " committed vectors (%" PRIu32 " device memories "
                          "and hint vectors), the graph %" PRIu32, pre, b->n_commitments, ctx->n_dm, g->n_commitments);
    for (uint32_t i = 0; i < b->n_commitments && !st; i++)
        if (b->commit_len[i] != g->commit_len[i])
            st = gf_error_set(err, GF_ERR_INVALID, "%s: %s %" PRIu32 " has padded length %" PRIu64 ", in the graph %" PRIu64, pre,
                              i < ctx->n_dm ? "device memory" : "hint vector", i, b->commit_len[i], g->commit_len[i]);
    free(verified);
    return st;
}

gf_status gf_context_compile_graph(gf_context *ctx, gf_graph **out, gf_error *err) {
    if (!ctx || !out) return gf_error_set(err, GF_ERR_INVALID, "gf_context_compile_graph: NULL argument");
    *out = NULL;
    if (ctx->state != GF_CTX_RECORDING)
        return gf_error_set(err, GF_ERR_INVALID, "compile graph: the context is in state '%s' (compile or load only once)",
                            state_name(ctx->state));
    if (!ctx->n_calls) return gf_error_set(err, GF_ERR_INVALID, "compile graph: the program made no kernel call");
    gf_status st = ctx_resolve(ctx, err);
    if (!st) st = ctx_build_graph(ctx, 1, out, err);
    if (!st) ctx->state = GF_CTX_GRAPH_DONE;
    return st;
}

gf_status gf_context_load_graph(gf_context *ctx, const gf_graph *g, gf_error *err) {
    if (!ctx || !g) return gf_error_set(err, GF_ERR_INVALID, "gf_context_load_graph: NULL argument");
    if (ctx->state != GF_CTX_RECORDING)
        return gf_error_set(err, GF_ERR_INVALID, "load graph: the context is in state '%s' (compile or load only once)",
                            state_name(ctx->state));
    gf_status st = gf_graph_validate(g, err);
    if (st) return gf_error_prefix(err, "load graph");
    if (!ctx->n_calls) return gf_error_set(err, GF_ERR_INVALID, "load graph: the program made no kernel call");
    if ((st = ctx_resolve(ctx, err))) return st;
    gf_graph *b = NULL;
    if ((st = ctx_build_graph(ctx, 0, &b, err))) return st;
    st = ctx_compare(ctx, b, g, err);
    gf_graph_free_borrowed_(b);
    if (!st) ctx->state = GF_CTX_GRAPH_DONE;
    return st;
}

gf_status gf_context_solve_witness(gf_context *ctx, gf_error *err) {
    if (!ctx) return gf_error_set(err, GF_ERR_INVALID, "gf_context_solve_witness: NULL context");
    if (ctx->state != GF_CTX_GRAPH_DONE)
        return gf_error_set(err, GF_ERR_INVALID, "solve witness: the context is in state '%s'; compile or load the graph first%s",
                            state_name(ctx->state), ctx->state == GF_CTX_WITNESS_DONE ? " (the witness is already solved)" : "");
    ctx->state = GF_CTX_WITNESS_DONE;
    return GF_OK;
}

/* ---- witness export ----------------------------------------------------------------------- */

static void pad_rec(uint32_t j, uint32_t nd, const uint64_t *dims, const uint64_t *ss, const uint64_t *sd,
                    const gf_m31 *src, gf_m31 *dst) {
    uint64_t d = dims[j], p = gf_next_pow2(d);
    if (j + 1 == nd) memcpy(dst, src, (size_t)d * sizeof *dst);
    else
        for (uint64_t i = 0; i < d; i++) pad_rec(j + 1, nd, dims, ss, sd, src + i * ss[j], dst + i * sd[j]);
    for (uint64_t i = d; i < p; i++) memcpy(dst + i * sd[j], dst + (d - 1) * sd[j], (size_t)sd[j] * sizeof *dst);
}

/* dst := src padded per dimension of the chain's shape by replicating the last block. */
static void pad_chain(const split_t *s, const gf_m31 *src, gf_m31 *dst) {
    uint32_t nd = s->n - 1;
    if (nd == 0) { dst[0] = src[0]; return; }
    uint64_t dims[SPLIT_MAX], ss[SPLIT_MAX], sd[SPLIT_MAX];
    for (uint32_t j = 0; j < nd; j++) { dims[j] = s->p[nd - j] / s->p[nd - 1 - j]; ss[j] = s->p[nd - 1 - j]; }
    sd[nd - 1] = 1;
    for (uint32_t j = nd - 1; j-- > 0;) sd[j] = sd[j + 1] * gf_next_pow2(dims[j + 1]);
    pad_rec(0, nd, dims, ss, sd, src, dst);
}

/* The instance a padded slot holds: digits per instance dimension, clamped (replication). */
static uint64_t slot_instance(const split_t *I, uint64_t slot) {
    uint64_t l = 0;
    for (uint32_t j = 0; j + 1 < I->n; j++) {
        uint64_t D = I->p[j + 1] / I->p[j], R = gf_next_pow2(D);
        uint64_t dg = slot % R;
        slot /= R;
        l += (dg < D ? dg : D - 1) * I->p[j];
    }
    return l;
}

typedef struct export_job {
    const gf_context *ctx;
    gf_graph_witness *w;
    uint32_t *hint_call;     /* per hint commitment: its call */
} export_job;

static void export_commit(void *arg, int tid, size_t b, size_t e) {
    (void)tid;
    export_job *J = arg;
    const gf_context *ctx = J->ctx;
    for (size_t i = b; i < e; i++) {
        if (i < ctx->n_dm) {
            pad_chain(&ctx->dms[i].split, ctx->dms[i].vals, J->w->vec[i]);
            continue;
        }
        const ctx_call *cl = &ctx->calls[J->hint_call[i - ctx->n_dm]];
        const uint64_t nh = ctx->kerns[cl->kern].k->n_hints, L = gf_next_pow2(nh);
        gf_m31 *dst = J->w->vec[i];
        for (uint64_t s = 0; s < cl->P; s++) {
            const gf_m31 *src = cl->hints + slot_instance(&cl->inst, s) * nh;
            memcpy(dst + s * L, src, (size_t)nh * sizeof *dst);
            for (uint64_t j = nh; j < L; j++) dst[s * L + j] = src[nh - 1];
        }
    }
}

gf_status gf_context_export_witness(gf_context *ctx, const gf_graph *g, gf_graph_witness **out, gf_error *err) {
    if (!ctx || !g || !out) return gf_error_set(err, GF_ERR_INVALID, "gf_context_export_witness: NULL argument");
    *out = NULL;
    if (ctx->state != GF_CTX_WITNESS_DONE)
        return gf_error_set(err, GF_ERR_INVALID, "export witness: the context is in state '%s'; call solve_witness first",
                            state_name(ctx->state));
    gf_status st = gf_graph_validate(g, err);
    if (st) return gf_error_prefix(err, "export witness");
    gf_graph *b = NULL;
    if ((st = ctx_build_graph(ctx, 0, &b, err))) return st;
    st = ctx_compare(ctx, b, g, err);
    gf_graph_free_borrowed_(b);
    if (st) return gf_error_prefix(err, "export witness");
    gf_graph_witness *w = NULL;
    if ((st = gf_graph_witness_new(&w, g, err))) return st;
    uint32_t *hc = malloc((g->n_commitments - ctx->n_dm + 1) * sizeof *hc);
    if (!hc) { gf_graph_witness_free(w); return gf_error_set(err, GF_ERR_NOMEM, "export witness: out of memory"); }
    uint32_t h = 0;
    for (uint32_t ci = 0; ci < ctx->n_calls; ci++)
        if (ctx->kerns[ctx->calls[ci].kern].k->n_hints) hc[h++] = ci;
    export_job J = { ctx, w, hc };
    gf_pool_run(ctx->pool, w->n, export_commit, &J);
    free(hc);
    *out = w;
    return GF_OK;
}
