/* Graph proofs: see graph_proof.h. */
#include <stdlib.h>
#include <string.h>
#include "common/util.h"
#include "gkr/gkr.h"
#include "gkr/mle.h"
#include "pcs/pcs.h"
#include "prover/graph_proof.h"
#include "prover/proof_header.h"
#include "mpi/comm.h"

static const char MAGIC[8] = {'G', 'K', 'R', 'F', 'G', 'P', 'R', 'F'};
static const char SETUP_MAGIC[8] = {'G', 'K', 'R', 'F', 'S', 'E', 'T', 'P'};
static const char TAG[] = "gkrflow/graph-proof/v1";

/* ---------- shared by prover and verifier ---------- */

static gf_status template_transcript(gf_transcript *t, const gf_graph *g, const uint8_t digest[32], uint32_t ti,
                                     const uint8_t (*com)[32], gf_error *err) {
    gf_status st = gf_transcript_init(t, TAG, err);
    if (st) return st;
    const gf_graph_template *T = &g->templates[ti];
    const gf_graph_kernel *k = &g->kernels[T->kernel];
    gf_transcript_append_label(t, "graph");
    gf_transcript_append_bytes(t, digest, 32);
    gf_transcript_append_label(t, "template");
    gf_transcript_append_u64(t, ti);
    gf_transcript_append_label(t, "commitments");
    gf_transcript_append_u64(t, k->n_components);
    for (uint32_t i = 0; i < k->n_components; i++) {
        gf_transcript_append_u64(t, T->commit[i]);
        gf_transcript_append_bytes(t, com[T->commit[i]], 32);
        gf_transcript_append_u64(t, T->broadcast[i]);
    }
    return GF_OK;
}

static uint64_t blocks_of(uint64_t P) { return P < 16 ? 1 : P / 16; }

/* The point at which component i's committed vector is opened for a GKR input claim point
 * cp = (s[4], x[in_log], b[kb]); returns its length (coordinates written to out). */
static unsigned component_point(const gf_graph_kernel *k, const gf_graph_template *T, uint32_t i, const gf_m31ext3 *cp,
                                gf_m31ext3 *out) {
    unsigned in_log = k->circuit->layers[0].in_log, ni = gf_log2_u64(k->comp_len[i]), n = 0;
    for (unsigned j = 0; j < ni; j++) out[n++] = cp[4 + j];
    if (!T->broadcast[i]) {
        unsigned lp = gf_log2_u64(T->parallel_count);
        for (unsigned j = 0; j < lp && j < 4; j++) out[n++] = cp[j];
        for (unsigned j = 4; j < lp; j++) out[n++] = cp[4 + in_log + (j - 4)];
    }
    return n;
}

/* eq(x_high, bits of offset/len): selects component i's aligned slot in the circuit input. */
static gf_m31ext3 component_selector(const gf_graph_kernel *k, uint32_t i, const gf_m31ext3 *cp) {
    unsigned in_log = k->circuit->layers[0].in_log, ni = gf_log2_u64(k->comp_len[i]);
    uint64_t slot = k->comp_offset[i] >> ni;
    gf_m31ext3 e = gf_m31ext3_one();
    for (unsigned j = ni; j < in_log; j++) {
        gf_m31ext3 r = cp[4 + j];
        e = gf_m31ext3_mul(e, (slot >> (j - ni)) & 1 ? r : gf_m31ext3_sub(gf_m31ext3_one(), r));
    }
    return e;
}

/* Layer-0 wire x -> component + 1 (0 = padding) at map[x >> shift]. shift 0: one entry per
 * wire. In regions mode every component is an aligned power of two, so with shift = log2 of
 * the shortest one each entry lies in one component or in padding (component_map_coarse:
 * 1 KB for the 512x512 matmul instead of 2 MB). */
static uint32_t *component_map_at(const gf_graph_kernel *k, unsigned shift) {
    const size_t n = ((size_t)1 << k->circuit->layers[0].in_log) >> shift;
    uint32_t *map = calloc(n + 1, sizeof *map);
    if (!map) return NULL;
    for (uint32_t i = 0; i < k->n_components; i++)
        for (uint64_t x = 0; x < k->comp_len[i] >> shift; x++) map[(k->comp_offset[i] >> shift) + x] = i + 1;
    return map;
}
static uint32_t *component_map(const gf_graph_kernel *k) { return component_map_at(k, 0); }
static uint32_t *component_map_coarse(const gf_graph_kernel *k, unsigned *shift) {
    unsigned sh = k->circuit->layers[0].in_log;
    for (uint32_t i = 0; i < k->n_components; i++)
        if (gf_log2_u64(k->comp_len[i]) < sh) sh = gf_log2_u64(k->comp_len[i]);
    *shift = sh;
    return component_map_at(k, sh);
}

/* The circuit a template is proved with: the kernel's, except that a layer-0 multiplication
 * reading a broadcast value first and a per-instance value second is written the other way
 * round. Same polynomial, but the prover's per-instance tables then never cover broadcast
 * data (phase 1 sums over first inputs). Prover and verifier apply the same rule. *out is
 * NULL when nothing needs swapping. */
static gf_status oriented_circuit(const gf_graph_kernel *k, const gf_graph_template *T, gf_circuit **out, gf_error *err) {
    *out = NULL;
    const gf_circuit *c = k->circuit;
    const gf_layer *L0 = &c->layers[0];
    uint32_t *map = component_map(k);
    if (!map) return gf_error_set(err, GF_ERR_NOMEM, "out of memory");
    uint64_t nswap = 0;
#define IS_BC(x) (map[x] && T->broadcast[map[x] - 1])
    for (uint64_t g = 0; g < L0->n_mul; g++) nswap += IS_BC(L0->mul[g].in0) && !IS_BC(L0->mul[g].in1);
    if (!nswap) { free(map); return GF_OK; }
    gf_circuit *d = gf_circuit_new(c->field, c->n_layers, err);
    gf_status st = d ? gf_circuit_alloc_coefs(d, c->n_coefs, err) : GF_ERR_NOMEM;
    for (uint32_t l = 0; !st && l < c->n_layers; l++) {
        const gf_layer *S = &c->layers[l];
        if ((st = gf_circuit_alloc_layer(d, l, S->in_log, S->out_log, S->n_mul, S->n_add, S->n_const, err))) break;
        gf_layer *D = &d->layers[l];
        if (S->n_mul) memcpy(D->mul, S->mul, S->n_mul * sizeof *S->mul);
        if (S->n_add) memcpy(D->add, S->add, S->n_add * sizeof *S->add);
        if (S->n_const) memcpy(D->cst, S->cst, S->n_const * sizeof *S->cst);
    }
    if (!st) {
        if (c->n_coefs) {
            memcpy(d->coef_kind, c->coef_kind, c->n_coefs);
            memcpy(d->coef_m31, c->coef_m31, c->n_coefs * sizeof *c->coef_m31);
        }
        gf_layer *D0 = &d->layers[0];
        for (uint64_t g = 0; g < D0->n_mul; g++)
            if (IS_BC(D0->mul[g].in0) && !IS_BC(D0->mul[g].in1)) {
                uint32_t t = D0->mul[g].in0;
                D0->mul[g].in0 = D0->mul[g].in1;
                D0->mul[g].in1 = t;
            }
        st = gf_circuit_validate(d, err);
    }
#undef IS_BC
    free(map);
    if (st) { gf_circuit_free(d); return st ? st : gf_error_set(err, GF_ERR_NOMEM, "out of memory"); }
    *out = d;
    return GF_OK;
}

/* ---------- setup ---------- */

gf_status gf_graph_setup(const gf_graph *g, gf_buf *setup, gf_error *err) {
    uint8_t d[32];
    gf_status st = gf_graph_digest(g, d, err);
    if (st) return st;
    gf_buf_append(setup, SETUP_MAGIC, 8);
    gf_buf_u32(setup, 1);
    gf_buf_u32(setup, GF_PCS_RAW);
    gf_buf_append(setup, d, 32);
    return gf_buf_status(setup, err);
}

gf_status gf_graph_check_setup(const gf_graph *g, const uint8_t *setup, size_t len, gf_error *err) {
    if (!setup) return GF_OK;
    gf_reader r;
    gf_reader_init(&r, setup, len);
    const uint8_t *m = gf_reader_take(&r, 8, "magic");
    if (!m || memcmp(m, SETUP_MAGIC, 8)) return gf_error_set(err, GF_ERR_FORMAT, "not a gkrflow setup file (bad magic)");
    uint32_t ver = gf_reader_u32(&r, "version"), pcs = gf_reader_u32(&r, "pcs id");
    const uint8_t *d = gf_reader_take(&r, 32, "graph digest");
    gf_status st = gf_reader_status(&r, "setup", err);
    if (st) return st;
    if (ver != 1) return gf_error_set(err, GF_ERR_FORMAT, "setup version %u is not supported (expected 1)", ver);
    if (pcs != GF_PCS_RAW) return gf_error_set(err, GF_ERR_FORMAT, "setup is for PCS %u; only raw (1) is supported", pcs);
    if (gf_reader_remaining(&r)) return gf_error_set(err, GF_ERR_FORMAT, "setup has %zu trailing bytes", gf_reader_remaining(&r));
    uint8_t gd[32];
    if ((st = gf_graph_digest(g, gd, err))) return st;
    if (memcmp(gd, d, 32)) return gf_error_set(err, GF_ERR_INVALID, "setup was made for a different graph (digest mismatch)");
    return GF_OK;
}

/* ---------- prover ---------- */

/* Proving state for one template shape (kernel, block count, broadcast pattern), reused by
 * every template of that shape. Two input modes:
 *   packed:  vals[0] holds every instance's circuit input (small inputs, no broadcast);
 *   regions: layer 0 is fed from the components directly (broadcast data stays one copy), only
 *            the per-instance components are packed; vals[0] is not allocated. */
typedef struct {
    const gf_circuit *c;       /* the circuit proved (oriented copy or the kernel's) */
    gf_circuit *owned;         /* oriented copy, if any */
    uint32_t kernel;
    uint64_t K;
    uint8_t *bpat;             /* broadcast pattern it was built for */
    int regions;
    gf_m31x16 **vals;          /* vals[l] for l >= 1 (and l = 0 in packed mode) */
    gf_m31x16 ***bv;           /* per-block views for parallel evaluation */
    gf_gkr_m31_prover *gkr;
    gf_gkr_region *reg;        /* per component */
    gf_m31x16 **packed;        /* per component: K * len packed values (per-instance components) */
    uint32_t *map;             /* layer-0 wire x -> component + 1 at map[x >> map_shift] (regions mode) */
    unsigned map_shift;
    int out_fresh;             /* regions mode: layer 0's outputs not yet written (zero from gf_alloc_aligned) */
    uint32_t ncomp;
    const gf_comm *comm;       /* the group it proves with (groups live until the proof ends) */
    struct eval_col *cols;     /* regions mode: per 16 mul gates of layer 0, a column or xq = 0 */
} engine;

/* A column of layer 0 (regions mode): 16 mul gates (16-aligned) into one output o with one
 * coefficient, per-instance inputs x0 .. x0 + 15 of component xq - 1 (consecutive packed
 * vectors) times broadcast inputs y0 + s d of component yq - 1: one output of a
 * matrix-vector product (gf_gkr_m31_prover_columns). Evaluated as one 16-term dot product
 * per block straight from the packed inputs, with no per-gate look-ups. xq = 0: not one. */
typedef struct eval_col { uint32_t o, coef, xq, x0, yq, y0, d; } eval_col;
/* component (index + 1) of layer-0 wire w, 0 = padding: a scan of the few components, not
 * a look-up in the per-wire map (a cache miss per call on large inputs) */
static uint32_t comp_of(const engine *e, uint32_t w) {
    if (e->ncomp > 16) return e->map[w >> e->map_shift];
    for (uint32_t i = 0; i < e->ncomp; i++)
        if (w - e->reg[i].offset < e->reg[i].len) return i + 1;
    return 0;
}

/* The GKR prover's layer-0 columns (found once, with the same orientation rule) that
 * multiply per-instance inputs by broadcast ones. */
static void find_eval_cols(engine *e) {
    uint64_t nch = 0;
    const gf_gkr_column *gc = gf_gkr_m31_prover_columns(e->gkr, &nch);
    for (uint64_t i = 0; gc && i < nch; i++) {
        const gf_gkr_column *k = &gc[i];
        if (!k->d) continue;
        const uint32_t qx = comp_of(e, k->x), qy = comp_of(e, k->y);
        if (!qx || !qy || e->reg[qx - 1].shared || !e->reg[qy - 1].shared) continue;
        e->cols[i] = (eval_col){k->out, k->coef, qx, (uint32_t)(k->x - e->reg[qx - 1].offset), qy, (uint32_t)(k->y - e->reg[qy - 1].offset), k->d};
    }
}

static void engine_free(engine *e) {
    if (!e->c) return;
    for (uint64_t b = 0; e->bv && b < e->K; b++) free(e->bv[b]);
    free(e->bv);
    if (e->vals) {
        for (uint32_t l = e->regions ? 1 : 0; l <= e->c->n_layers; l++) gf_free_aligned(e->vals[l]);
        free(e->vals);
    }
    gf_gkr_m31_prover_free(e->gkr);
    for (uint32_t i = 0; e->packed && i < e->ncomp; i++) gf_free_aligned(e->packed[i]);
    free(e->packed);
    free(e->reg);
    free(e->map);
    free(e->cols);
    free(e->bpat);
    gf_circuit_free(e->owned);
    memset(e, 0, sizeof *e);
}

static int engine_matches(const engine *e, uint32_t kernel, const gf_graph_kernel *k, const gf_graph_template *T, uint64_t K,
                          const gf_comm *comm) {
    return e->c && e->kernel == kernel && e->K == K && e->comm == comm && !memcmp(e->bpat, T->broadcast, k->n_components);
}

static gf_status engine_init(engine *e, uint32_t kernel, const gf_graph_kernel *k, const gf_graph_template *T, uint64_t K,
                             const gf_comm *comm, gf_error *err) {
    memset(e, 0, sizeof *e);
    /* regions pay off when some component is broadcast; they need every component and gap to
     * span at least two wires (the prover checks the gaps) */
    int any_bc = 0, small = 0;
    for (uint32_t i = 0; i < k->n_components; i++) { any_bc |= T->broadcast[i]; small |= k->comp_len[i] < 2; }
    const int regions = any_bc && !small;
    /* with regions the GKR prover orients layer 0 itself (GF_GKR_ORIENT_SHARED_SECOND, the
     * rule oriented_circuit applies); otherwise it proves an oriented copy */
    gf_status st = regions ? GF_OK : oriented_circuit(k, T, &e->owned, err);
    if (st) return st;
    const gf_circuit *c = e->c = e->owned ? e->owned : k->circuit;
    e->regions = regions;
    e->kernel = kernel;
    e->K = K;
    e->comm = comm;
    e->bpat = malloc(k->n_components + 1);
    if (!e->bpat) { engine_free(e); return gf_error_set(err, GF_ERR_NOMEM, "out of memory"); }
    memcpy(e->bpat, T->broadcast, k->n_components);
    const uint32_t nl = c->n_layers;
    e->vals = calloc(nl + 1, sizeof *e->vals);
    if (!e->vals) { engine_free(e); return gf_error_set(err, GF_ERR_NOMEM, "out of memory"); }
    for (uint32_t l = e->regions ? 1 : 0; l <= nl; l++) {
        unsigned lg = l < nl ? c->layers[l].in_log : c->layers[nl - 1].out_log;
        e->vals[l] = gf_alloc_aligned(K << lg, sizeof(gf_m31x16));
        if (!e->vals[l]) { engine_free(e); return gf_error_set(err, GF_ERR_NOMEM, "out of memory for layer values (%llu blocks x 2^%u)", (unsigned long long)K, lg); }
    }
    if (e->regions) {
        e->reg = calloc(k->n_components, sizeof *e->reg);
        e->packed = calloc(k->n_components + 1, sizeof *e->packed);
        e->map = component_map_coarse(k, &e->map_shift);
        if (!e->reg || !e->packed || !e->map) { engine_free(e); return gf_error_set(err, GF_ERR_NOMEM, "out of memory"); }
        e->ncomp = k->n_components;
        for (uint32_t i = 0; i < k->n_components; i++) {
            e->reg[i].offset = k->comp_offset[i];
            e->reg[i].len = k->comp_len[i];
            e->reg[i].shared = T->broadcast[i];
            if (!T->broadcast[i]) {
                e->packed[i] = gf_alloc_aligned(K * k->comp_len[i], sizeof(gf_m31x16));
                if (!e->packed[i]) { engine_free(e); return gf_error_set(err, GF_ERR_NOMEM, "out of memory"); }
            }
        }
        st = gf_gkr_m31_prover_new_regions_comm(&e->gkr, c, K, k->n_components, e->reg, comm, GF_GKR_ORIENT_SHARED_SECOND, err);
        if (!st && !(e->cols = calloc(c->layers[0].n_mul / 16 + 1, sizeof *e->cols))) st = gf_error_set(err, GF_ERR_NOMEM, "out of memory");
        if (!st) find_eval_cols(e);
    } else {
        st = gf_gkr_m31_prover_new_comm(&e->gkr, c, K, comm, err);
    }
    if (st) { engine_free(e); return st; }
    e->bv = calloc(K, sizeof *e->bv);
    for (uint64_t b = 0; e->bv && b < K; b++) {
        e->bv[b] = malloc((nl + 1) * sizeof **e->bv);
        if (!e->bv[b]) break;
        for (uint32_t l = 0; l <= nl; l++) {
            unsigned lg = l < nl ? c->layers[l].in_log : c->layers[nl - 1].out_log;
            e->bv[b][l] = e->vals[l] ? e->vals[l] + (b << lg) : NULL;
        }
    }
    if (!e->bv || (K && !e->bv[K - 1])) { engine_free(e); return gf_error_set(err, GF_ERR_NOMEM, "out of memory"); }
    e->out_fresh = 1;
    return GF_OK;
}

typedef struct { engine *e; const gf_m31 *coefs; gf_status st; uint64_t ngroups; } eval_job;

/* A layer-0 source wire in regions mode: zero (a gap), one shared value, or per-block values
 * (block b's at p[b * stride]). */
typedef struct { int kind; gf_m31 s; const gf_m31x16 *p; uint64_t stride; } wire_src;
enum { SRC_ZERO = 0, SRC_SHARED = 1, SRC_PACKED = 2 };
static inline wire_src src_of(const engine *e, uint32_t x) {
    wire_src w = {SRC_ZERO, 0, NULL, 0};
    uint32_t q = e->map[x >> e->map_shift];
    if (!q) return w;
    const gf_gkr_region *R = &e->reg[q - 1];
    if (R->shared) { w.kind = SRC_SHARED; w.s = R->shared_vals[x - R->offset]; }
    else { w.kind = SRC_PACKED; w.p = e->packed[q - 1] + (x - R->offset); w.stride = R->len; }
    return w;
}

/* Layer 0 in regions mode for blocks [b0, b1): gate by gate, each gate's sources resolved
 * once and applied to every block (a broadcast operand and the coefficient fold into one
 * scalar), instead of two region look-ups per gate and block. */
static void eval_layer0_regions(engine *e, const gf_m31 *coefs, size_t b0, size_t b1) {
    const gf_layer *L = &e->c->layers[0];
    const size_t no = (size_t)1 << L->out_log;
    for (size_t b = b0; !e->out_fresh && b < b1; b++) memset(e->bv[b][1], 0, no * sizeof(gf_m31x16));
    /* runs of up to 16 gates into one output, each a per-instance value times a shared one
     * (a broadcast operand: a matrix-vector kernel's inner product) are one 16-term dot
     * product per block with the shared values as weights, reduced once per four terms */
    const gf_m31x16 zero = gf_m31x16_zero();
    for (uint64_t g = 0; g < L->n_mul;) {
        const eval_col *col = (g & 15) == 0 && g + 16 <= L->n_mul ? &e->cols[g >> 4] : NULL;
        if (col && col->xq) {
            uint32_t w[16];
            const gf_m31 cf = coefs[col->coef];
            const gf_m31 *sv = e->reg[col->yq - 1].shared_vals + col->y0;
            for (uint32_t s2 = 0; s2 < 16; s2++) w[s2] = cf == 1 ? sv[s2 * col->d] : gf_m31_mul(sv[s2 * col->d], cf);
            const gf_m31x16 *pk = e->packed[col->xq - 1] + col->x0;
            const uint64_t stride = e->reg[col->xq - 1].len;
            for (size_t b = b0; b < b1; b++)
                e->bv[b][1][col->o] = gf_m31x16_add(e->bv[b][1][col->o], gf_m31x16_dot16_scalar(pk + b * stride, w));
            g += 16;
            continue;
        }
        const uint32_t o = L->mul[g].out;
        const wire_src a = src_of(e, L->mul[g].in0), c = src_of(e, L->mul[g].in1);
        if (a.kind == SRC_ZERO || c.kind == SRC_ZERO) { g++; continue; }   /* a zero operand */
        const gf_m31 cf = coefs[L->mul[g].coef];
        if ((a.kind == SRC_SHARED) != (c.kind == SRC_SHARED)) {
            /* this gate and the next ones of the same kind into o, up to 16 */
            const gf_m31x16 *pk[16];
            uint64_t stride[16];
            uint32_t w[16];
            int n = 0;
            for (; g < L->n_mul && n < 16 && L->mul[g].out == o; g++) {
                const wire_src x = src_of(e, L->mul[g].in0), y = src_of(e, L->mul[g].in1);
                if (x.kind == SRC_ZERO || y.kind == SRC_ZERO) continue;
                if ((x.kind == SRC_SHARED) == (y.kind == SRC_SHARED)) break;
                const wire_src *sh = x.kind == SRC_SHARED ? &x : &y, *pv = x.kind == SRC_SHARED ? &y : &x;
                pk[n] = pv->p;
                stride[n] = pv->stride;
                w[n++] = gf_m31_mul(sh->s, coefs[L->mul[g].coef]);
            }
            if (n == 1) {   /* a lone gate (e.g. an elementwise product): one multiplication */
                for (size_t b = b0; b < b1; b++)
                    e->bv[b][1][o] = gf_m31x16_add(e->bv[b][1][o], gf_m31x16_mul_scalar(pk[0][b * stride[0]], w[0]));
                continue;
            }
            for (int k = n; k < 16; k++) { pk[k] = &zero; stride[k] = 0; w[k] = 0; }
            for (size_t b = b0; b < b1; b++) {
                gf_m31x16 t[16];
                for (int k = 0; k < 16; k++) t[k] = pk[k][b * stride[k]];
                e->bv[b][1][o] = gf_m31x16_add(e->bv[b][1][o], gf_m31x16_dot16_scalar(t, w));
            }
            continue;
        }
        g++;
        if (a.kind == SRC_SHARED) {   /* shared x shared: the same product in every instance */
            gf_m31x16 t = gf_m31x16_broadcast(gf_m31_mul(gf_m31_mul(a.s, c.s), cf));
            for (size_t b = b0; b < b1; b++) e->bv[b][1][o] = gf_m31x16_add(e->bv[b][1][o], t);
        } else {
            for (size_t b = b0; b < b1; b++) {
                gf_m31x16 t = gf_m31x16_mul(a.p[b * a.stride], c.p[b * c.stride]);
                e->bv[b][1][o] = gf_m31x16_add(e->bv[b][1][o], cf == 1 ? t : gf_m31x16_mul_scalar(t, cf));
            }
        }
    }
    for (uint64_t g = 0; g < L->n_add; g++) {
        const uint32_t o = L->add[g].out;
        const wire_src a = src_of(e, L->add[g].in);
        if (a.kind == SRC_ZERO) continue;
        const gf_m31 cf = coefs[L->add[g].coef];
        if (a.kind == SRC_SHARED) {
            gf_m31x16 t = gf_m31x16_broadcast(gf_m31_mul(a.s, cf));
            for (size_t b = b0; b < b1; b++) e->bv[b][1][o] = gf_m31x16_add(e->bv[b][1][o], t);
        } else {
            for (size_t b = b0; b < b1; b++)
                e->bv[b][1][o] = gf_m31x16_add(e->bv[b][1][o], cf == 1 ? a.p[b * a.stride] : gf_m31x16_mul_scalar(a.p[b * a.stride], cf));
        }
    }
    for (uint64_t g = 0; g < L->n_const; g++) {
        gf_m31x16 t = gf_m31x16_broadcast(coefs[L->cst[g].coef]);
        for (size_t b = b0; b < b1; b++) e->bv[b][1][L->cst[g].out] = gf_m31x16_add(e->bv[b][1][L->cst[g].out], t);
    }
}

#define EVAL_TILE 64   /* blocks per gate sweep: amortises resolving each gate run; 8: 0.089 s, 64: 0.077 s, all 64: same (512x512 matmul) */
static void eval_blocks(void *ctx, int tid, size_t b0, size_t b1) {
    (void)tid;
    eval_job *J = ctx;
    engine *e = J->e;
    const gf_circuit *c = e->c;
    for (size_t t = b0; e->regions && t < b1; t += EVAL_TILE) eval_layer0_regions(e, J->coefs, t, t + EVAL_TILE < b1 ? t + EVAL_TILE : b1);
    for (size_t b = b0; b < b1; b++) {
        if (!e->regions) {
            if (gf_circuit_eval_m31x16_into(c, J->coefs, 1, e->bv[b], NULL)) J->st = GF_ERR_INTERNAL;
            continue;
        }
        /* the rest of the circuit as usual */
        if (c->n_layers > 1) {
            gf_circuit rest = *c;
            rest.layers = c->layers + 1;
            rest.n_layers = c->n_layers - 1;
            if (gf_circuit_eval_m31x16_into(&rest, J->coefs, 1, e->bv[b] + 1, NULL)) J->st = GF_ERR_INTERNAL;
        }
    }
}

static void eval_groups(void *ctx, int tid, size_t g0, size_t g1) {
    eval_job *J = ctx;
    const uint64_t K = J->e->K, n = J->ngroups;
    eval_blocks(ctx, tid, (size_t)(K * g0 / n), (size_t)(K * g1 / n));
}

/* Lane s of global block b holds instance (16 b + s) mod P (so templates with P < 16 repeat
 * their instances across lanes). Packs global blocks [b0, b0 + nb) of a per-instance vector. */
static void pack_blocks(const gf_m31 *src, uint64_t len, uint64_t P, uint64_t b0, uint64_t nb, uint64_t stride, uint64_t off,
                        gf_m31x16 *dst) {
    for (uint64_t b = 0; b < nb; b++)
        for (int s = 0; s < 16; s++) {
            uint64_t p = (16 * (b0 + b) + (uint64_t)s) % P;
            for (uint64_t x = 0; x < len; x++) dst[b * stride + off + x].v[s] = src[p * len + x];
        }
}

/* The same over the pool's threads, a block per item. */
typedef struct { const gf_m31 *src; uint64_t len, P, b0, stride, off; gf_m31x16 *dst; } pack_job;
static void pack_some(void *ctx, int tid, size_t a, size_t b) {
    (void)tid;
    const pack_job *J = ctx;
    pack_blocks(J->src, J->len, J->P, J->b0 + a, b - a, J->stride, J->off, J->dst + a * J->stride);
}
static void pack_blocks_pool(gf_pool *pool, const gf_m31 *src, uint64_t len, uint64_t P, uint64_t b0, uint64_t nb,
                             uint64_t stride, uint64_t off, gf_m31x16 *dst) {
    pack_job J = {src, len, P, b0, stride, off, dst};
    gf_pool_run(pool, nb, pack_some, &J);
}

/* Who hashes commitment c of the first template T when its inputs were prefetched to R
 * ranks (every rank then holds its rows of T's per-instance vectors and T's broadcast
 * vectors whole; the raw commitment hashes 2^15-value chunks, then their digests):
 *   SPLIT: with 4 or more ranks, every rank hashes `share` chunks: its rows of a per-instance
 *          vector (when they are whole chunks) or an R-th of a broadcast vector's chunks;
 *   RANK1: rank 1 hashes a broadcast vector whole (2 ranks: rank 1 receives 3 MB while
 *          rank 0 sets up, so more hashing there would make rank 1 the later one);
 *   ROOT:  rank 0 hashes it (per-instance vectors on 2 ranks, vectors T does not use). */
enum { CM_ROOT = 0, CM_RANK1 = 1, CM_SPLIT = 2 };
typedef struct { int mode; uint32_t comp; uint64_t share; } commit_plan;
static commit_plan plan_commit(const gf_graph *g, const gf_graph_template *T, int R, uint32_t c) {
    const gf_graph_kernel *k = &g->kernels[T->kernel];
    commit_plan p = {CM_ROOT, 0, 0};
    int per = -1, bcs = -1;
    for (uint32_t i = 0; i < k->n_components; i++)
        if (T->commit[i] == c) {
            if (!T->broadcast[i] && per < 0) per = (int)i;
            if (T->broadcast[i] && bcs < 0) bcs = (int)i;
        }
    const uint64_t len = g->commit_len[c], nc = gf_pcs_raw_chunks(len);
    if (per >= 0) {
        if (R >= 4 && len % ((uint64_t)R * GF_PCS_RAW_CHUNK) == 0) p = (commit_plan){CM_SPLIT, (uint32_t)per, len / (uint64_t)R / GF_PCS_RAW_CHUNK};
    } else if (bcs >= 0) {
        p = R >= 4 && nc % (uint64_t)R == 0 ? (commit_plan){CM_SPLIT, (uint32_t)bcs, nc / (uint64_t)R} : (commit_plan){CM_RANK1, (uint32_t)bcs, 0};
    }
    return p;
}
/* Digest bytes rank q (>= 1) sends rank 0 for T: SPLIT shares, and rank 1's RANK1 commitments. */
static size_t commit_bytes_of(const gf_graph *g, const gf_graph_template *T, int R, int q) {
    size_t n = 0;
    for (uint32_t c = 0; c < g->n_commitments; c++) {
        const commit_plan p = plan_commit(g, T, R, c);
        n += p.mode == CM_SPLIT ? 32 * p.share : p.mode == CM_RANK1 && q == 1 ? 32 : 0;
    }
    return n;
}

/* Rank 0's commitments: all of them, or (T given, prefetched to R ranks) those plan_commit
 * leaves to rank 0. The raw commitment hashes 2^15-value chunks first: those of every vector
 * are hashed over the pool's threads, then each vector's digests are combined. */
typedef struct { const gf_graph_witness *w; uint32_t *vec; uint64_t *chunk; uint8_t (*dig)[32]; gf_status st; } commit_job;
static void commit_chunks(void *ctx, int tid, size_t i0, size_t i1) {
    (void)tid;
    commit_job *J = ctx;
    for (size_t i = i0; i < i1; i++) {
        const uint64_t len = J->w->len[J->vec[i]], a = J->chunk[i] * GF_PCS_RAW_CHUNK;
        if (gf_pcs_raw_chunk_digests_m31(J->w->vec[J->vec[i]] + a, len - a < GF_PCS_RAW_CHUNK ? len - a : GF_PCS_RAW_CHUNK, &J->dig[i], NULL))
            J->st = GF_ERR_NOMEM;
    }
}
static gf_status commit_all(const gf_graph *g, const gf_graph_template *T, int R, const gf_graph_witness *w, uint8_t (*com)[32],
                            gf_pool *pool, gf_error *err) {
    uint64_t n = 0;
    for (uint32_t c = 0; c < g->n_commitments; c++) n += gf_pcs_raw_chunks(w->len[c]);
    commit_job J = {w, malloc((n + 1) * sizeof(uint32_t)), malloc((n + 1) * sizeof(uint64_t)), malloc((n + 1) * 32), GF_OK};
    uint8_t *skip = calloc(g->n_commitments + 1, 1);
    gf_status st = J.vec && J.chunk && J.dig && skip ? GF_OK : gf_error_set(err, GF_ERR_NOMEM, "out of memory committing");
    for (uint32_t c = 0; !st && T && c < g->n_commitments; c++) skip[c] = plan_commit(g, T, R, c).mode != CM_ROOT;
    size_t m = 0;
    for (uint32_t c = 0; !st && c < g->n_commitments; c++)
        for (uint64_t q = 0; !skip[c] && q < gf_pcs_raw_chunks(w->len[c]); q++) { J.vec[m] = c; J.chunk[m] = q; m++; }
    if (!st) gf_pool_run(pool, m, commit_chunks, &J);
    if (!st && J.st) st = gf_error_set(err, GF_ERR_NOMEM, "hashing the committed vectors failed");
    for (uint32_t c = 0, at = 0; !st && c < g->n_commitments; c++) {
        if (skip[c]) continue;
        st = gf_pcs_raw_combine_m31(w->len[c], (const uint8_t(*)[32])&J.dig[at], com[c], err);
        at += (uint32_t)gf_pcs_raw_chunks(w->len[c]);
    }
    free(J.vec); free(J.chunk); free(J.dig); free(skip);
    return st;
}

/* Rank 0: the other ranks' parts of the first template's commitments (plan_commit), combined
 * with its own share of each SPLIT vector (the first `share` chunks). A lost peer ends the job. */
static gf_status commit_gather(const gf_graph *g, const gf_graph_template *T, const gf_comm *gc, const gf_graph_witness *w,
                               uint8_t (*com)[32], gf_error *err) {
    const int R = gf_comm_size(gc);
    uint8_t (**dig)[32] = calloc(g->n_commitments + 1, sizeof *dig);
    uint8_t *buf = malloc(commit_bytes_of(g, T, R, 1) + 1);   /* rank 1 sends the most (its RANK1 commitments too) */
    gf_status st = dig && buf ? GF_OK : gf_error_set(err, GF_ERR_NOMEM, "out of memory committing");
    for (uint32_t c = 0; !st && c < g->n_commitments; c++) {
        const commit_plan p = plan_commit(g, T, R, c);
        if (p.mode != CM_SPLIT) continue;
        if (!(dig[c] = malloc(gf_pcs_raw_chunks(w->len[c]) * 32))) st = gf_error_set(err, GF_ERR_NOMEM, "out of memory committing");
        else st = gf_pcs_raw_chunk_digests_m31(w->vec[c], p.share * GF_PCS_RAW_CHUNK, dig[c], err);
    }
    /* the peers posted their parts already: whatever failed, take them, then report */
    for (int q = 1; q < R; q++) {
        const size_t nb = commit_bytes_of(g, T, R, q);
        if (!nb) continue;
        if (!buf || gf_comm_recv(gc, buf, nb, q, err)) gf_comm_abort(gc, 1, err && err->msg[0] ? err->msg : "receiving commitment digests failed");
        size_t at = 0;
        for (uint32_t c = 0; c < g->n_commitments; c++) {
            const commit_plan p = plan_commit(g, T, R, c);
            if (p.mode == CM_SPLIT) {
                if (dig[c]) memcpy(dig[c][(uint64_t)q * p.share], buf + at, 32 * p.share);
                at += 32 * p.share;
            } else if (p.mode == CM_RANK1 && q == 1) {
                memcpy(com[c], buf + at, 32);
                at += 32;
            }
        }
    }
    for (uint32_t c = 0; !st && c < g->n_commitments; c++)
        if (dig[c]) st = gf_pcs_raw_combine_m31(w->len[c], (const uint8_t(*)[32])dig[c], com[c], err);
    for (uint32_t c = 0; dig && c < g->n_commitments; c++) free(dig[c]);
    free(dig);
    free(buf);
    return st;
}

/* Rank 0, before committing: posts rank q's inputs for template T (proved by the whole world,
 * 16 instances per block, so each rank's instances are one run of rows): its rows of every
 * per-instance vector and every broadcast vector whole. The ranks take them in pack_inputs
 * after their prover set-up, while rank 0 commits and sets up. */
static int inputs_prefetchable(const gf_graph_template *T, int R) {
    return R > 1 && T->parallel_count >= 16 && blocks_of(T->parallel_count) >= (uint64_t)R;
}
static gf_status post_inputs(const gf_graph *g, const gf_graph_template *T, const gf_graph_witness *w, const gf_comm *comm,
                             gf_comm_sends *pf, gf_error *err) {
    const gf_graph_kernel *k = &g->kernels[T->kernel];
    const int R = gf_comm_size(comm);
    const uint64_t rows = T->parallel_count / (uint64_t)R;   /* instances per rank */
    gf_status st = GF_OK;
    for (int q = 1; q < R && !st; q++)
        for (uint32_t i = 0; i < k->n_components && !st; i++) {
            const uint64_t len = k->comp_len[i];
            const gf_m31 *v = w->vec[T->commit[i]];
            if (T->broadcast[i]) st = gf_comm_isend(comm, v, len * sizeof *v, q, pf, err);
            else st = gf_comm_isend(comm, v + (uint64_t)q * rows * len, rows * len * sizeof *v, q, pf, err);
        }
    return st;
}

/* A rank other than 0 takes what post_inputs sent it: broadcast vectors into bc_bufs, its
 * rows of the others into rows[i]. Rank 0 is already sending: a failure here ends the job. */
static void recv_inputs(const gf_graph_kernel *k, const gf_graph_template *T, const gf_comm *comm, uint8_t **bc_bufs,
                        gf_m31 **rows, gf_error *err) {
    const uint64_t n_rows = T->parallel_count / (uint64_t)gf_comm_size(comm);
    for (uint32_t i = 0; i < k->n_components; i++) {
        const uint64_t n = T->broadcast[i] ? k->comp_len[i] : n_rows * k->comp_len[i];
        gf_m31 *dst;
        if (T->broadcast[i]) {
            gf_free_aligned(bc_bufs[i]);
            dst = (gf_m31 *)(bc_bufs[i] = gf_alloc_aligned(n, sizeof *dst));
        } else {
            dst = rows[i] = gf_alloc_aligned(n, sizeof *dst);
        }
        if (!dst) gf_comm_abort(comm, 1, "out of memory receiving a template's inputs");
        /* resident before the copy: faulting 4 KiB pages one by one inside the receive cost
         * more than the copy itself (0.7 vs 0.2 ms per MB) */
        gf_prefault(dst, n * sizeof *dst);
        if (gf_comm_recv(comm, dst, n * sizeof *dst, 0, err)) gf_comm_abort(comm, 1, err ? err->msg : "receiving a template's inputs failed");
    }
}

/* Fills the engine's inputs for this rank's blocks. The witness lives on the group root.
 * Prefetched (pf: the inputs were posted by post_inputs): every rank packs its own rows, the
 * root from the witness (then waits for its posted sends), the others from what they
 * receive. Otherwise the root packs every block and scatters them, and broadcasts the
 * broadcast vectors. Single process: packs directly. */
static gf_status pack_inputs(engine *e, const gf_graph_kernel *k, const gf_graph_template *T, const gf_graph_witness *w,
                             const gf_comm *comm, uint8_t **bc_bufs, gf_comm_sends *pf, gf_m31 *const *rows, gf_pool *pool,
                             gf_error *err) {
    const uint64_t P = T->parallel_count, K = e->K;
    const int R = gf_comm_size(comm), me = gf_comm_rank(comm);
    const uint64_t Kt = K * (uint64_t)R;
    const uint64_t m = e->regions ? 0 : (uint64_t)1 << e->c->layers[0].in_log;
    gf_status st = GF_OK;
    if (pf) {
        for (uint32_t i = 0; i < k->n_components; i++) {
            const uint64_t len = k->comp_len[i];
            const gf_m31 *src = me == 0 ? w->vec[T->commit[i]] : T->broadcast[i] ? (const gf_m31 *)bc_bufs[i] : rows[i];
            if (T->broadcast[i]) {
                if (e->regions) { e->reg[i].shared_vals = src; e->reg[i].packed = NULL; }
                else
                    for (uint64_t b = 0; b < K; b++)
                        for (uint64_t x = 0; x < len; x++) e->vals[0][b * m + k->comp_offset[i] + x] = gf_m31x16_broadcast(src[x]);
                continue;
            }
            /* this rank's rows: lane s of local block b is row 16 b + s */
            if (!e->regions && i == 0)   /* wires outside the components are zero */
                memset(e->vals[0], 0, K * m * sizeof *e->vals[0]);
            if (e->regions) pack_blocks_pool(pool, src, len, 16 * K, 0, K, len, 0, e->packed[i]);
            else pack_blocks_pool(pool, src, len, 16 * K, 0, K, m, k->comp_offset[i], e->vals[0]);
            if (e->regions) e->reg[i].packed = e->packed[i];
        }
        if (me == 0 && (st = gf_comm_wait(comm, pf, err))) gf_comm_abort(comm, 1, err ? err->msg : "sending a template's inputs failed");
        return e->regions ? gf_gkr_m31_prover_set_regions(e->gkr, e->reg, err) : GF_OK;
    }
    if (e->regions) {
        for (uint32_t i = 0; i < k->n_components && !st; i++) {
            const uint64_t len = k->comp_len[i];
            if (T->broadcast[i]) {
                if (R == 1) { e->reg[i].shared_vals = w->vec[T->commit[i]]; e->reg[i].packed = NULL; continue; }
                /* every member needs the whole broadcast vector */
                size_t bytes = len * sizeof(gf_m31);
                gf_free_aligned(bc_bufs[i]);
                bc_bufs[i] = gf_alloc_aligned(bytes, 1);
                if (!bc_bufs[i]) return gf_error_set(err, GF_ERR_NOMEM, "out of memory");
                if (me == 0) memcpy(bc_bufs[i], w->vec[T->commit[i]], bytes);
                st = gf_comm_bcast(comm, bc_bufs[i], bytes, 0, err);
                e->reg[i].shared_vals = (const gf_m31 *)bc_bufs[i];
                e->reg[i].packed = NULL;
                continue;
            }
            if (R == 1) {
                pack_blocks_pool(pool, w->vec[T->commit[i]], len, P, 0, K, len, 0, e->packed[i]);
            } else {
                /* rank 0 packs every block and sends each rank its own K blocks */
                gf_m31x16 *all = me == 0 ? gf_alloc_aligned(Kt * len, sizeof *all) : NULL;
                /* the other ranks are already waiting in the scatter: a failure here ends the job */
                if (me == 0 && !all) gf_comm_abort(comm, 1, "out of memory packing a template's inputs");
                if (me == 0) pack_blocks(w->vec[T->commit[i]], len, P, 0, Kt, len, 0, all);
                st = gf_comm_scatter(comm, all, K * len * sizeof *all, e->packed[i], 0, err);
                gf_free_aligned(all);
            }
            e->reg[i].packed = e->packed[i];
        }
        if (st) return st;
        return gf_gkr_m31_prover_set_regions(e->gkr, e->reg, err);
    }
    gf_m31x16 *all = R == 1 ? e->vals[0] : me == 0 ? gf_alloc_aligned(Kt * m, sizeof *all) : NULL;
    if (me == 0 && !all) {
        if (R > 1) gf_comm_abort(comm, 1, "out of memory packing a template's inputs");   /* peers wait in the scatter */
        return gf_error_set(err, GF_ERR_NOMEM, "out of memory");
    }
    if (me == 0) {
        memset(all, 0, Kt * m * sizeof *all);
        for (uint32_t i = 0; i < k->n_components; i++) {
            const uint64_t len = k->comp_len[i];
            if (T->broadcast[i]) {
                for (uint64_t b = 0; b < Kt; b++)
                    for (uint64_t x = 0; x < len; x++) all[b * m + k->comp_offset[i] + x] = gf_m31x16_broadcast(w->vec[T->commit[i]][x]);
            } else {
                pack_blocks(w->vec[T->commit[i]], len, P, 0, Kt, m, k->comp_offset[i], all);
            }
        }
    }
    if (R > 1) {
        /* every rank receives only its K blocks */
        st = gf_comm_scatter(comm, all, K * m * sizeof *all, e->vals[0], 0, err);
        gf_free_aligned(all);
    }
    return st;
}

static void send_ext(gf_transcript *t, gf_buf *proof, const gf_m31ext3 *v, size_t n) {
    gf_transcript_append_m31ext3s(t, v, n);
    for (size_t i = 0; i < n; i++) {
        uint8_t b[12];
        gf_m31ext3_to_bytes(b, v[i]);
        gf_buf_append(proof, b, 12);
    }
}

/* One component claim: the MLE of v (np variables) at pt into *out; v NULL: zero. */
typedef struct { const gf_m31 *v; gf_m31ext3 *pt; unsigned np; gf_m31ext3 *out; } claim_item;
static void claim_eval(void *ctx, int tid, size_t a, size_t b) {
    (void)tid;
    claim_item *it = ctx;
    for (size_t i = a; i < b; i++) *it[i].out = it[i].v ? gf_mle_eval_m31(it[i].v, it[i].pt, it[i].np) : gf_m31ext3_zero();
}

gf_status gf_graph_write_openings(FILE *f, const gf_graph *g, const gf_graph_witness *w, gf_error *err) {
    gf_status st = GF_OK;
    for (uint32_t i = 0; !st && i < g->n_commitments; i++) st = gf_pcs_raw_open_write_m31(f, w->vec[i], w->len[i], err);
    return st;
}

gf_status gf_graph_prove(const gf_graph *g, const gf_graph_witness *w, gf_pool *pool, gf_buf *proof,
                         gf_graph_prove_stats *stats, gf_error *err) {
    gf_comm self = gf_comm_self();
    return gf_graph_prove_comm(g, w, &self, pool, NULL, proof, stats, err);
}

/* Groups. A template of Kt blocks is proved by Rt = min(R, Kt) ranks (a power of two).
 * Templates are taken in order into waves: each gets the next aligned range [base, base + Rt)
 * of ranks while ranges fit in the world, and the groups of a wave prove their templates at
 * the same time. World rank 0 holds the witness: it sends a template's vectors to the
 * group's root (its lowest rank) when that is another rank, and collects each template's
 * proof section from it, in template order, after the wave. Every rank computes the same
 * schedule, so the collective splits that make the groups happen in the same order
 * everywhere; a group, once made, lives until the proof ends (engines keep using it). */
typedef struct { int base, size; gf_comm comm; } group;

static gf_status group_get(group *groups, int *n_groups, const gf_comm *world, int base, int size, const gf_comm **out,
                           gf_error *err) {
    const int me = gf_comm_rank(world);
    if (size == gf_comm_size(world)) { *out = world; return GF_OK; }
    for (int q = 0; q < *n_groups; q++)
        if (groups[q].base == base && groups[q].size == size) { *out = &groups[q].comm; return GF_OK; }
    group *G = &groups[*n_groups];
    gf_status st = gf_comm_split(world, me >= base && me < base + size ? 0 : GF_COMM_NO_GROUP, me, &G->comm, err);
    if (st) return st;
    G->base = base;
    G->size = size;
    (*n_groups)++;
    *out = &G->comm;
    return GF_OK;
}

/* A template's committed vectors, as its group root sees them: world rank 0's witness, or
 * copies received from rank 0 (vec entries of other commitments are NULL). */
typedef struct { gf_graph_witness w; gf_m31 **owned; } local_witness;

static void local_witness_free(local_witness *lw) {
    for (uint32_t i = 0; lw->owned && i < lw->w.n; i++) free(lw->owned[i]);
    free(lw->owned);
    free(lw->w.vec);
    memset(lw, 0, sizeof *lw);
}

/* Rank 0 sends, rank `to` receives, every distinct vector template T commits to. */
static gf_status move_template_vectors(const gf_graph *g, const gf_graph_template *T, const gf_graph_witness *w,
                                       const gf_comm *world, int to, local_witness *lw, gf_error *err) {
    const gf_graph_kernel *k = &g->kernels[T->kernel];
    const int me = gf_comm_rank(world);
    gf_status st = GF_OK;
    if (me == to) {
        lw->w.n = g->n_commitments;
        lw->w.len = g->commit_len;
        lw->w.vec = calloc(g->n_commitments + 1, sizeof *lw->w.vec);
        lw->owned = calloc(g->n_commitments + 1, sizeof *lw->owned);
        /* rank 0 is about to send: a rank that cannot receive must end the job, not leave it hanging */
        if (!lw->w.vec || !lw->owned) gf_comm_abort(world, 1, "out of memory receiving a template's vectors");
    }
    for (uint32_t i = 0; i < k->n_components && !st; i++) {
        const uint32_t c = T->commit[i];
        int dup = 0;
        for (uint32_t j = 0; j < i; j++) dup |= T->commit[j] == c;
        if (dup) continue;
        const size_t bytes = g->commit_len[c] * sizeof(gf_m31);
        if (me == 0) {
            st = gf_comm_send(world, w->vec[c], bytes, to, err);
            if (st) gf_comm_abort(world, 1, err ? err->msg : "sending a template's vectors failed");
        } else {
            lw->owned[c] = malloc(bytes ? bytes : 1);
            /* rank 0 is already sending: a failure here must end the job */
            if (!lw->owned[c]) gf_comm_abort(world, 1, "out of memory receiving a template's vectors");
            st = gf_comm_recv(world, lw->owned[c], bytes, 0, err);
            if (st) gf_comm_abort(world, 1, err ? err->msg : "receiving a template's vectors failed");
            lw->w.vec[c] = lw->owned[c];
        }
    }
    return st;
}

/* Proves template ti on group gc (this rank is a member). The group root (rank 0 of gc) has
 * the template's vectors in w and writes the template's proof section to tb. */
static gf_status prove_template(const gf_graph *g, uint32_t ti, const gf_graph_witness *w, const gf_comm *gc, engine *eng,
                                uint8_t **bc, const uint8_t digest[32], uint8_t (*com)[32], gf_pool *pool, gf_buf *tb,
                                gf_comm_sends *pf, gf_graph_prove_stats *S, gf_error *err) {
    const gf_graph_template *T = &g->templates[ti];
    const gf_graph_kernel *k = &g->kernels[T->kernel];
    const uint64_t Kt = blocks_of(T->parallel_count);
    const int Rt = gf_comm_size(gc), root = gf_comm_rank(gc) == 0;
    const uint64_t K = Kt / (uint64_t)Rt;
    gf_status st = GF_OK;
    engine *e = &eng[T->kernel];
    double t0 = gf_now_seconds(), t1;
    /* prefetched inputs are taken first: rank 0 waits for them before committing */
    gf_m31 **rows = pf && !root ? calloc(k->n_components + 1, sizeof *rows) : NULL;
    uint8_t *cdig = NULL;   /* this rank's commitment digests, posted to rank 0 */
    gf_comm_sends csend = {0};
    if (pf && !root) {
        if (!rows) gf_comm_abort(gc, 1, "out of memory receiving a template's inputs");
        recv_inputs(k, T, gc, bc, rows, err);
        /* this rank's part of the commitments (plan_commit), posted to rank 0; rank 0 waits
         * for them: a failure ends the job */
        const int q = gf_comm_rank(gc);
        const size_t nb = commit_bytes_of(g, T, Rt, q);
        if (nb && !(cdig = malloc(nb))) gf_comm_abort(gc, 1, "out of memory committing");
        size_t at = 0;
        for (uint32_t c = 0; nb && c < g->n_commitments; c++) {
            const commit_plan p = plan_commit(g, T, Rt, c);
            gf_status hs = GF_OK;
            if (p.mode == CM_SPLIT) {
                const gf_m31 *src = T->broadcast[p.comp] ? (const gf_m31 *)bc[p.comp] + (uint64_t)q * p.share * GF_PCS_RAW_CHUNK : rows[p.comp];
                hs = gf_pcs_raw_chunk_digests_m31(src, p.share * GF_PCS_RAW_CHUNK, (uint8_t(*)[32])(cdig + at), err);
                at += 32 * p.share;
            } else if (p.mode == CM_RANK1 && q == 1) {
                hs = gf_pcs_raw_m31()->commit(NULL, 0, (const gf_m31 *)bc[p.comp], g->commit_len[c], cdig + at, err);
                at += 32;
            }
            if (hs) gf_comm_abort(gc, 1, err ? err->msg : "committing failed");
        }
        if (nb && gf_comm_isend(gc, cdig, nb, 0, &csend, err)) gf_comm_abort(gc, 1, err ? err->msg : "sending digests failed");
    }
    t1 = gf_now_seconds(); S->t_inputs += t1 - t0; t0 = t1;
    if (e->c && !engine_matches(e, T->kernel, k, T, K, gc)) engine_free(e);
    if (!e->c) st = engine_init(e, T->kernel, k, T, K, gc, err);
    t1 = gf_now_seconds(); S->t_setup += t1 - t0; t0 = t1;
    if (!st) st = pack_inputs(e, k, T, w, gc, bc, pf, rows, pool, err);
    if (st) {
        /* peers wait for their inputs, or would wait for rank 0 to take their digests */
        if (pf) gf_comm_abort(gc, 1, err ? err->msg : "proving failed");
        for (uint32_t i = 0; rows && i < k->n_components; i++) gf_free_aligned(rows[i]);
        free(rows);
        free(cdig);
        return st;
    }
    t1 = gf_now_seconds(); S->t_inputs += t1 - t0; t0 = t1;
    if (pf && root) {   /* prefetch: the commitments were left to now (gf_graph_prove_comm) */
        st = commit_all(g, T, Rt, w, com, pool, err);
        /* the peers' digests are taken whatever happened (they wait until they are) */
        gf_error e2;
        const gf_status s2 = commit_gather(g, T, gc, w, com, st ? &e2 : err);
        if (!st) st = s2;
        t1 = gf_now_seconds(); S->t_commit += t1 - t0; S->t_commit_in_gkr = t1 - t0; t0 = t1;
    }
    const gf_circuit *c = e->c;
    gf_transcript t;
    memset(&t, 0, sizeof t);
    /* a failure on the root goes through the group's agreement below like any other (the
     * members are already waiting there) */
    if (root && !st) st = template_transcript(&t, g, digest, ti, (const uint8_t(*)[32])com, err);
    gf_m31 *coefs = NULL;
    gf_m31ext3 *pt = NULL;
    gf_gkr_claims cl;
    memset(&cl, 0, sizeof cl);
    if (root) { if (!st) st = gf_proof_draw_coefs_m31(c, &t, &coefs, err); }
    else if (!(coefs = malloc((c->n_coefs + 1) * sizeof *coefs))) st = gf_error_set(err, GF_ERR_NOMEM, "out of memory");
    if (Rt > 1) {
        st = gf_comm_agree(gc, st, err);
        if (!st) st = gf_comm_bcast(gc, coefs, c->n_coefs * sizeof *coefs, 0, err);
    }
    t1 = gf_now_seconds(); S->t_inputs += t1 - t0; t0 = t1;
    if (st) goto done;
    /* one contiguous group of blocks per thread: layer 0's gate runs are resolved once per
     * group, so small chunks would repeat that work */
    const uint64_t nth = (uint64_t)gf_pool_threads(pool);
    eval_job ej = {e, coefs, GF_OK, K < nth ? K : nth};
    gf_pool_run(pool, ej.ngroups, eval_groups, &ej);
    e->out_fresh = 0;
    if (ej.st) st = gf_error_set(err, GF_ERR_INTERNAL, "template %u: circuit evaluation failed", ti);
    if (Rt > 1) st = gf_comm_agree(gc, st, err);
    t1 = gf_now_seconds(); S->t_eval += t1 - t0; t0 = t1;
    if (st) goto done;
    if (root) {
        gf_buf_u32(tb, ti);
        gf_buf_u64(tb, gf_gkr_m31_proof_bytes(c, Kt));
    }
    if ((st = gf_gkr_m31_prover_run(e->gkr, coefs, e->vals, 0, root ? &t : NULL, root ? tb : NULL, pool, &cl, err))) {
        if (st == GF_ERR_WITNESS)
            gf_error_prefix(err, "template %u (kernel '%s', %llu instances)", ti, k->name, (unsigned long long)T->parallel_count);
        goto done;
    }
    t1 = gf_now_seconds(); S->t_sumcheck += t1 - t0; t0 = t1;
    /* The component claims: MLEs of the committed vectors at the claim points. Prefetched,
     * every rank holds its own rows (and the broadcast vectors whole), the run of instances
     * whose top kr index bits are its rank: it evaluates that slab (and the same slab of each
     * broadcast vector) at the point without those bits, and the root adds the R parts with
     * weights eq(top coordinates, rank). Otherwise the root evaluates them alone. */
    gf_m31ext3 *part = NULL, *parts = NULL, *eqr = NULL;
    const int split = pf && Rt > 1;
    const unsigned kr = gf_log2_u64((uint64_t)Rt);
    const size_t nv = (size_t)cl.n * k->n_components;
    if (root || split) {
        pt = malloc((cl.c[0].n_vars + 8) * sizeof *pt);
        part = malloc((nv + 1) * sizeof *part);
        parts = root && split ? malloc(((size_t)Rt * nv + 1) * sizeof *parts) : NULL;
        eqr = root && split ? malloc((size_t)Rt * sizeof *eqr) : NULL;
        if (!pt || !part || (root && split && (!parts || !eqr))) st = gf_error_set(err, GF_ERR_NOMEM, "out of memory");
    }
    /* the evaluations are independent: over the pool's threads */
    claim_item *items = (root || split) && !st ? calloc(nv + 1, sizeof *items) : NULL;
    gf_m31ext3 *pts = items ? malloc((nv + 1) * (cl.c[0].n_vars + 8) * sizeof *pts) : NULL;
    if ((root || split) && !st && (!items || !pts)) st = gf_error_set(err, GF_ERR_NOMEM, "out of memory");
    for (int q = 0; !st && q < (root || split ? cl.n : 0); q++)
        for (uint32_t i = 0; i < k->n_components; i++) {
            claim_item *it = &items[q * k->n_components + i];
            it->pt = pts + (size_t)(q * k->n_components + i) * (cl.c[0].n_vars + 8);
            it->out = &part[q * k->n_components + i];
            const unsigned np = component_point(k, T, i, cl.c[q].point, it->pt);
            const gf_m31 *v = root ? w->vec[T->commit[i]] : T->broadcast[i] ? (const gf_m31 *)bc[i] : rows[i];
            /* a broadcast vector shorter than the group: the root evaluates it whole */
            if (!split || np < kr) {
                it->v = root ? v : NULL;
                it->np = np;
                continue;
            }
            const uint64_t slab = (uint64_t)1 << (np - kr);
            const int mine = root || T->broadcast[i];   /* v holds every rank's slab */
            it->v = mine ? v + (uint64_t)gf_comm_rank(gc) * slab : v;
            it->np = np - kr;
        }
    if (!st && items) gf_pool_run(pool, nv, claim_eval, items);
    free(items);
    free(pts);
    if (split) {
        st = gf_comm_agree(gc, st, err);
        if (!st) st = gf_comm_gather(gc, part, nv * sizeof *part, parts, 0, err);
    }
    if (root && !st) {
        gf_buf_u32(tb, (uint32_t)cl.n);
        for (int q = 0; q < cl.n; q++) {
            gf_transcript_append_label(&t, "component-claims");
            for (uint32_t i = 0; i < k->n_components; i++) {
                gf_m31ext3 v = part[q * k->n_components + i];
                const unsigned np = component_point(k, T, i, cl.c[q].point, pt);
                if (split && np >= kr) {
                    gf_mle_eq_table(eqr, pt + np - kr, kr, gf_m31ext3_one());
                    v = gf_m31ext3_zero();
                    for (int r = 0; r < Rt; r++) v = gf_m31ext3_add(v, gf_m31ext3_mul(eqr[r], parts[(size_t)r * nv + q * k->n_components + i]));
                }
                send_ext(&t, tb, &v, 1);
            }
        }
        st = gf_transcript_status(&t, err);
        if (!st) st = gf_buf_status(tb, err);
    }
    free(part);
    free(parts);
    free(eqr);
    S->t_claims += gf_now_seconds() - t0;
done:
    /* rank 0 took the digests before its transcript (every rank passed the agreement since) */
    if (gf_comm_pending(&csend) && gf_comm_wait(gc, &csend, err)) gf_comm_abort(gc, 1, err ? err->msg : "sending digests failed");
    free(cdig);
    for (uint32_t i = 0; rows && i < k->n_components; i++) gf_free_aligned(rows[i]);
    free(rows);
    gf_gkr_claims_free(&cl);
    free(coefs);
    free(pt);
    if (root) gf_transcript_free(&t);
    return st;
}

gf_status gf_graph_prove_comm(const gf_graph *g, const gf_graph_witness *w, const gf_comm *comm, gf_pool *pool,
                              const gf_graph_prove_opts *opts, gf_buf *proof, gf_graph_prove_stats *stats,
                              gf_error *err) {
    gf_graph_prove_stats S;
    memset(&S, 0, sizeof S);
    void (*progress)(void *, uint32_t, uint32_t, const char *, uint64_t) = opts ? opts->progress : NULL;
    void *pctx = opts ? opts->progress_ctx : NULL;
    const int R = gf_comm_size(comm), me = gf_comm_rank(comm), root = me == 0;
    const int by_caller = opts && opts->openings_by_caller;
    /* instances are split into equal power-of-two block ranges: every rank sees the same R */
    if (!gf_is_pow2((uint64_t)R))
        return gf_error_set(err, GF_ERR_INVALID, "graph proving needs a power-of-two number of ranks (mpiexec -n 1, 2, 4, ...), got %d", R);
    /* the digest validates the graph; it is hashed once (the witness check reuses it), or
     * not at all when the caller passes it */
    uint8_t digest[32];
    gf_status st;
    if (opts && opts->digest) {
        memcpy(digest, opts->digest, 32);
        st = gf_graph_validate(g, err);
    } else {
        st = gf_graph_digest(g, digest, err);
    }
    if (!st && root) st = gf_graph_witness_check_digest(w, g, digest, err);
    /* the first template's inputs go out before the commitments (see post_inputs) */
    gf_comm_sends pf = {0};
    size_t com_at = 0;
    const int prefetch = g->n_templates && inputs_prefetchable(&g->templates[0], R);
    if (R > 1) st = gf_comm_agree(comm, st, err);
    if (!st && prefetch && root && (st = post_inputs(g, &g->templates[0], w, comm, &pf, err)))
        gf_comm_abort(comm, 1, err ? err->msg : "posting the inputs failed");
    /* rank 0 commits here, or (prefetch) in the first template once its inputs are packed,
     * so that no rank waits for the commitments before setting up its prover */
    uint8_t (*com)[32] = malloc(((size_t)g->n_commitments + 1) * 32);
    if (!com && !st) st = gf_error_set(err, GF_ERR_NOMEM, "out of memory");
    const gf_pcs_m31 *pcs = gf_pcs_raw_m31();
    double t0 = gf_now_seconds(), t1;
    if (!prefetch && root && !st) st = commit_all(g, NULL, R, w, com, pool, err);
    t1 = gf_now_seconds(); S.t_commit = t1 - t0; t0 = t1;
    if (R > 1) st = gf_comm_agree(comm, st, err);
    if (st) {
        if (gf_comm_pending(&pf)) gf_comm_abort(comm, 1, err ? err->msg : "proving failed");   /* peers would wait for their inputs */
        free(com);
        return st;
    }
    engine *eng = calloc(g->n_kernels, sizeof *eng);
    uint8_t **bc = NULL;
    uint32_t maxc = 1;
    for (uint32_t i = 0; i < g->n_kernels; i++) if (g->kernels[i].n_components > maxc) maxc = g->kernels[i].n_components;
    bc = calloc(maxc, sizeof *bc);
    group *groups = calloc((size_t)g->n_templates + 1, sizeof *groups);   /* each template makes at most one */
    int n_groups = 0;
    int *base = malloc(((size_t)g->n_templates + 1) * sizeof *base), *size = malloc(((size_t)g->n_templates + 1) * sizeof *size);
    gf_buf tb;
    gf_buf_init(&tb);
    local_witness lw;
    memset(&lw, 0, sizeof lw);
    if (!eng || !bc || !groups || !base || !size) st = gf_error_set(err, GF_ERR_NOMEM, "out of memory");
    if (R > 1) st = gf_comm_agree(comm, st, err);
    /* group roots other than rank 0 need the commitments for their templates' transcripts
     * (prefetch: once the first template, where rank 0 makes them, is proved) */
    if (!st && R > 1 && !prefetch) st = gf_comm_bcast(comm, com, (size_t)g->n_commitments * 32, 0, err);
    if (st) goto out;

    if (root) {
        /* the proof's size is known up to the claim counts (1 or 2 per template): reserve it */
        uint64_t total = 8 + 4 + 4 + 32 + 4 + 4 + 32ull * g->n_commitments + 4;
        for (uint32_t i = 0; !by_caller && i < g->n_commitments; i++) total += 8 + 4 * g->commit_len[i];
        for (uint32_t ti = 0; ti < g->n_templates; ti++) {
            const gf_graph_template *T = &g->templates[ti];
            const gf_graph_kernel *k = &g->kernels[T->kernel];
            total += 4 + 8 + gf_gkr_m31_proof_bytes(k->circuit, blocks_of(T->parallel_count)) + 4 + 2 * 12ull * k->n_components;
        }
        if (total <= SIZE_MAX) gf_buf_ensure(proof, proof->len + (size_t)total);
        gf_buf_append(proof, MAGIC, 8);
        gf_buf_u32(proof, GF_GRAPH_PROOF_VERSION);
        gf_buf_u32(proof, (uint32_t)g->field);
        gf_buf_append(proof, digest, 32);
        gf_buf_u32(proof, GF_PCS_RAW);
        gf_buf_u32(proof, g->n_commitments);
        com_at = proof->len;   /* prefetch: filled in once the first template has made them */
        for (uint32_t i = 0; i < g->n_commitments; i++) gf_buf_append(proof, com[i], 32);
        gf_buf_u32(proof, g->n_templates);
    }
    for (uint32_t ti = 0; ti < g->n_templates && !st;) {
        /* the wave [ti, tj) */
        uint32_t tj = ti;
        for (int off = 0; tj < g->n_templates; tj++) {
            const uint64_t Kt = blocks_of(g->templates[tj].parallel_count);
            const int Rt = (uint64_t)R < Kt ? R : (int)Kt;
            const int b = (off + Rt - 1) / Rt * Rt;
            if (b + Rt > R) break;
            base[tj] = b;
            size[tj] = Rt;
            off = b + Rt;
        }
        const gf_comm *mine = NULL;
        uint32_t my_t = 0;
        for (uint32_t t = ti; t < tj && !st; t++) {
            const gf_comm *gc = NULL;
            if ((st = group_get(groups, &n_groups, comm, base[t], size[t], &gc, err))) break;
            if (me >= base[t] && me < base[t] + size[t]) { mine = gc; my_t = t; }
            if (root && progress) progress(pctx, t, g->n_templates, g->kernels[g->templates[t].kernel].name, g->templates[t].parallel_count);
        }
        if (st) break;
        /* vectors to the group roots, then every group proves its template */
        gf_status ls = GF_OK;
        for (uint32_t t = ti; t < tj && !ls; t++)
            if (base[t] != 0 && (root || me == base[t])) ls = move_template_vectors(g, &g->templates[t], w, comm, base[t], &lw, err);
        const gf_graph_witness *tw = root ? w : &lw.w;
        tb.len = 0;
        if (!ls && mine) ls = prove_template(g, my_t, tw, mine, eng, bc, digest, com, pool, &tb,
                                          my_t == 0 && prefetch ? &pf : NULL, &S, err);
        local_witness_free(&lw);
        st = R > 1 ? gf_comm_agree(comm, ls, err) : ls;
        /* proof sections to rank 0, in template order; the peer of a failed transfer would wait
         * forever, so any failure here ends the job */
        for (uint32_t t = ti; t < tj && !st; t++) {
            if (base[t] == 0) {
                if (root) gf_buf_append(proof, tb.data, tb.len);
                continue;
            }
            uint8_t lenb[8];
            if (me == base[t]) {
                gf_put_u64le(lenb, tb.len);
                if (!(st = gf_comm_send(comm, lenb, 8, 0, err))) st = gf_comm_send(comm, tb.data, tb.len, 0, err);
                if (st) gf_comm_abort(comm, 1, err ? err->msg : "sending a template's proof section failed");
            } else if (root) {
                uint64_t n = 0;
                if (!(st = gf_comm_recv(comm, lenb, 8, base[t], err))) n = gf_get_u64le(lenb);
                uint8_t *dst = st ? NULL : gf_buf_reserve(proof, n);
                if (!st && !dst) gf_comm_abort(comm, 1, "out of memory collecting a template's proof section");
                if (!st) st = gf_comm_recv(comm, dst, n, base[t], err);
                if (st) gf_comm_abort(comm, 1, err ? err->msg : "receiving a template's proof section failed");
            }
        }
        if (R > 1) st = gf_comm_agree(comm, st, err);
        if (!st && prefetch && ti == 0) {
            if (root && !(st = gf_buf_status(proof, err))) memcpy(proof->data + com_at, com, (size_t)g->n_commitments * 32);
            if (R > 1) st = gf_comm_agree(comm, st, err);
            if (!st && R > 1) st = gf_comm_bcast(comm, com, (size_t)g->n_commitments * 32, 0, err);
        }
        ti = tj;
    }
    if (st) goto out;
    if (root && progress) progress(pctx, g->n_templates, g->n_templates, "", 0);
    t1 = gf_now_seconds(); S.t_gkr = t1 - t0 - S.t_commit_in_gkr; t0 = t1;
    if (root) {
        /* raw PCS: one batch opening of every vector (each claim was recorded per template),
         * or left to the caller (gf_graph_write_openings) */
        size_t before = proof->len;
        if (!by_caller &&
            (st = pcs->batch_open(NULL, 0, g->n_commitments, (const gf_m31 *const *)w->vec, w->len, 0, NULL, NULL, NULL, proof, err)))
            goto out;
        t1 = gf_now_seconds(); S.t_open = t1 - t0;
        if ((st = gf_buf_status(proof, err))) goto out;
        S.opening_bytes = proof->len - before;
        for (uint32_t i = 0; by_caller && i < g->n_commitments; i++) S.opening_bytes += 8 + 4 * w->len[i];
        S.proof_bytes = before + S.opening_bytes;
    }
    S.t_total = S.t_commit + S.t_gkr + S.t_open;
    S.peak_rss = gf_peak_rss_bytes();
    if (stats) *stats = S;
out:
    for (uint32_t i = 0; eng && i < g->n_kernels; i++) engine_free(&eng[i]);
    for (int q = 0; q < n_groups; q++) gf_comm_free(&groups[q].comm);
    for (uint32_t i = 0; bc && i < maxc; i++) gf_free_aligned(bc[i]);
    local_witness_free(&lw);
    gf_buf_free(&tb);
    free(groups);
    free(base);
    free(size);
    free(bc);
    free(eng);
    free(com);
    return st;
}

/* ---------- verifier ---------- */

typedef struct { uint32_t vec; unsigned n; gf_m31ext3 *point; gf_m31ext3 value; } open_claim;

gf_status gf_graph_verify(const gf_graph *g, const uint8_t *p, size_t len, gf_error *err) {
    gf_status st = gf_graph_validate(g, err);
    if (st) return st;
    gf_reader r;
    gf_reader_init(&r, p, len);
    const uint8_t *mg = gf_reader_take(&r, 8, "magic");
    if (!mg) return gf_error_set(err, GF_ERR_FORMAT, "proof truncated: %zu bytes, shorter than the 8-byte magic", len);
    if (memcmp(mg, MAGIC, 8)) return gf_error_set(err, GF_ERR_FORMAT, "not a gkrflow graph proof (bad magic)");
    uint32_t ver = gf_reader_u32(&r, "version"), field = gf_reader_u32(&r, "field");
    const uint8_t *pd = gf_reader_take(&r, 32, "graph digest");
    uint32_t pcs = gf_reader_u32(&r, "pcs id"), nc = gf_reader_u32(&r, "commitment count");
    if ((st = gf_reader_status(&r, "proof", err))) return st;
    if (ver != GF_GRAPH_PROOF_VERSION) return gf_error_set(err, GF_ERR_FORMAT, "proof version %u is not supported (expected %u)", ver, GF_GRAPH_PROOF_VERSION);
    if (field != (uint32_t)g->field) return gf_error_set(err, GF_ERR_FORMAT, "proof is for field %s, graph is %s", gf_field_name((int)field), gf_field_name(g->field));
    if (pcs != GF_PCS_RAW) return gf_error_set(err, GF_ERR_FORMAT, "proof uses PCS %u; only raw (1) is supported", pcs);
    uint8_t digest[32];
    if ((st = gf_graph_digest(g, digest, err))) return st;
    if (memcmp(pd, digest, 32)) return gf_error_set(err, GF_ERR_VERIFY, "proof was made for a different graph (digest mismatch)");
    if (nc != g->n_commitments)
        return gf_error_set(err, GF_ERR_VERIFY, "proof has %u commitments, the graph has %u", nc, g->n_commitments);
    const uint8_t *comb = gf_reader_take(&r, (size_t)nc * 32, "commitments");
    uint32_t nt = gf_reader_u32(&r, "template count");
    if ((st = gf_reader_status(&r, "proof", err))) return st;
    if (nt != g->n_templates)
        return gf_error_set(err, GF_ERR_VERIFY, "proof has %u template proofs, the graph has %u templates", nt, g->n_templates);
    const uint8_t(*com)[32] = (const uint8_t(*)[32])comb;
    size_t cap = 0, n_open = 0;
    open_claim *oc = NULL;
    gf_m31 *coefs = NULL;
    gf_gkr_claims cl;
    memset(&cl, 0, sizeof cl);
    gf_transcript t;
    memset(&t, 0, sizeof t);
    int have_t = 0;
    gf_circuit *oriented = NULL;
    for (uint32_t ti = 0; ti < nt; ti++) {
        const gf_graph_template *T = &g->templates[ti];
        const gf_graph_kernel *k = &g->kernels[T->kernel];
        gf_circuit_free(oriented);
        oriented = NULL;
        if ((st = oriented_circuit(k, T, &oriented, err))) goto out;
        const gf_circuit *c = oriented ? oriented : k->circuit;
        uint64_t K = blocks_of(T->parallel_count);
        uint32_t pti = gf_reader_u32(&r, "template index");
        uint64_t gl = gf_reader_u64(&r, "gkr length");
        if ((st = gf_reader_status(&r, "proof", err))) goto out;
        if (pti != ti) { st = gf_error_set(err, GF_ERR_VERIFY, "template proof %u is labelled %u (wrong order)", ti, pti); goto out; }
        if (gl != gf_gkr_m31_proof_bytes(c, K)) {
            st = gf_error_set(err, GF_ERR_FORMAT, "template %u: GKR section is %llu bytes, expected %llu", ti,
                              (unsigned long long)gl, (unsigned long long)gf_gkr_m31_proof_bytes(c, K));
            goto out;
        }
        if ((st = template_transcript(&t, g, digest, ti, com, err))) goto out;
        have_t = 1;
        if ((st = gf_proof_draw_coefs_m31(c, &t, &coefs, err))) goto out;
        if ((st = gf_gkr_m31_verify(c, coefs, K, NULL, &t, &r, &cl, err))) {
            gf_error_prefix(err, "template %u (kernel '%s')", ti, k->name);
            goto out;
        }
        free(coefs);
        coefs = NULL;
        uint32_t ncl = gf_reader_u32(&r, "claim count");
        if ((st = gf_reader_status(&r, "proof", err))) goto out;
        if ((int)ncl != cl.n) { st = gf_error_set(err, GF_ERR_VERIFY, "template %u: %u input claims, expected %d", ti, ncl, cl.n); goto out; }
        for (int q = 0; q < cl.n; q++) {
            gf_transcript_append_label(&t, "component-claims");
            gf_m31ext3 sum = gf_m31ext3_zero();
            for (uint32_t i = 0; i < k->n_components; i++) {
                size_t pos = r.pos;
                const uint8_t *b = gf_reader_take(&r, 12, "component claim");
                gf_m31ext3 v;
                if (!b) { st = gf_reader_status(&r, "proof", err); goto out; }
                if (gf_m31ext3_from_bytes(&v, b)) { st = gf_error_set(err, GF_ERR_FORMAT, "proof byte %zu: non-canonical claim", pos); goto out; }
                gf_transcript_append_m31ext3s(&t, &v, 1);
                sum = gf_m31ext3_add(sum, gf_m31ext3_mul(component_selector(k, i, cl.c[q].point), v));
                if (n_open == cap) {
                    cap = cap ? 2 * cap : 64;
                    open_claim *no = realloc(oc, cap * sizeof *oc);
                    if (!no) { st = gf_error_set(err, GF_ERR_NOMEM, "out of memory"); goto out; }
                    oc = no;
                }
                open_claim *o = &oc[n_open];
                o->point = malloc((cl.c[q].n_vars + 8) * sizeof *o->point);
                if (!o->point) { st = gf_error_set(err, GF_ERR_NOMEM, "out of memory"); goto out; }
                o->n = component_point(k, T, i, cl.c[q].point, o->point);
                o->vec = T->commit[i];
                o->value = v;
                n_open++;
            }
            if (!gf_m31ext3_eq(sum, cl.c[q].value)) {
                st = gf_error_set(err, GF_ERR_VERIFY, "template %u (kernel '%s'): the committed vectors' claims do not recombine to the GKR input claim %d",
                                  ti, k->name, q);
                goto out;
            }
        }
        if ((st = gf_transcript_status(&t, err))) goto out;
        gf_transcript_free(&t);
        have_t = 0;
        gf_gkr_claims_free(&cl);
    }
    /* every claim on every committed vector, checked by the scheme's batch verification */
    {
        const gf_m31ext3 **pts = malloc((n_open + 1) * sizeof *pts);
        gf_m31ext3 *vals = malloc((n_open + 1) * sizeof *vals);
        uint32_t *vec_of = malloc((n_open + 1) * sizeof *vec_of);
        const uint8_t **coms = malloc(((size_t)nc + 1) * sizeof *coms);
        if (!pts || !vals || !vec_of || !coms) st = gf_error_set(err, GF_ERR_NOMEM, "out of memory");
        for (size_t j = 0; !st && j < n_open; j++) { pts[j] = oc[j].point; vals[j] = oc[j].value; vec_of[j] = oc[j].vec; }
        for (uint32_t i = 0; !st && i < nc; i++) coms[i] = com[i];
        if (!st) st = gf_pcs_raw_m31()->batch_verify(NULL, 0, nc, coms, g->commit_len, n_open, vec_of, pts, vals, NULL, &r, err);
        free(pts); free(vals); free(vec_of); free(coms);
        if (st) goto out;
    }
    if (gf_reader_remaining(&r)) st = gf_error_set(err, GF_ERR_FORMAT, "%zu unexpected bytes after the end of the proof", gf_reader_remaining(&r));
out:
    gf_circuit_free(oriented);
    if (have_t) gf_transcript_free(&t);
    gf_gkr_claims_free(&cl);
    free(coefs);
    for (size_t j = 0; j < n_open; j++) free(oc[j].point);
    free(oc);
    return st;
}
