/* Kernel compiler: builder recording -> layered circuit + input layout + evaluator program.
 *
 * Pass 1 (symbolic). Every live variable gets an expression of degree <= 2 over "atoms":
 *   sum of c * [r] * x * y terms, where x, y are atoms (wires) and r an optional random
 *   value used as the gate coefficient itself.
 * Atoms are circuit-input wires (level 0) or materialized expressions: a wire at level L
 * computed by the gates of layer L-1 from wires of level L-1. An expression whose atoms
 * have level <= m can be the gate list of any wire at level >= m+1, so additions, constant
 * multiples and even products whose result is only used linearly cost no layer: they are
 * folded into the consuming wire. A product of two expressions is expanded term by term;
 * an operand is materialized only when it has degree 2, when both operands carry a random
 * factor, or when the expansion would be much larger than the operands. A gate coefficient
 * can be a random entry only with factor 1, so c * r terms with c != 1 read r from a wire.
 * Pass 2 (layering). The residual wires sit at level D (the highest residual
 * requirement). Liveness runs backwards over atoms (definitions only reference older
 * atoms), each live atom gets a wire on every level from its own up to the last level that
 * reads it (relay add gates with coefficient 1 fill the gap), then gates are emitted.
 * Relay saving: when a wire at level L sums terms computable two or more levels lower, those
 * terms become one partial-sum wire (recursively), so one value is relayed instead of each
 * of their atoms. */
#include "frontend/kernel_internal.h"
#include "common/util.h"
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#define CC_SHARE_MAX 32u          /* expression terms above which a shared value gets a wire */
#define CC_EXPAND_MIN 64u         /* products of up to this many terms are always expanded */

typedef struct term { gf_m31 c; uint32_t hi, lo, r; } term;   /* hi >= lo; 0 = none; r = random+1 */
typedef struct expr { term *t; uint32_t n, cap; } expr;

typedef struct atom {
    uint32_t level;
    int32_t need;          /* highest level holding this atom's wire (-1: dead) */
    int32_t comp;          /* level 0: component index */
    uint32_t def_n;
    uint64_t def_off;      /* level > 0: defining terms in cc.defs */
    uint64_t pos;          /* level 0: circuit input position */
    uint64_t w0;           /* first entry in cc.wires */
} atom;

typedef struct cc {
    const gf_kernel_builder *kb;
    gf_kernel *k;
    gf_error *err;
    gf_status st;
    uint8_t *live;
    uint32_t *left;              /* remaining constraint uses per variable */
    expr *ex;
    atom *atoms; uint32_t n_atoms, cap_atoms;
    uint32_t *r_atom;            /* per random index, 0 = none yet */
    term *defs; uint64_t n_defs, cap_defs;
    term *res; uint64_t n_res_t, cap_res_t;
    uint64_t *res_off; uint32_t *res_n; uint64_t *res_src; uint64_t n_res, cap_res;
    uint32_t depth;              /* D: level of the residual wires */
    expr tmp, tmp2;
    uint64_t *wires;
} cc;

static gf_status cc_fail(cc *c, gf_status code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static gf_status cc_fail(cc *c, gf_status code, const char *fmt, ...) {
    if (c->st != GF_OK) return c->st;
    c->st = code;
    if (c->err) {
        va_list ap;
        va_start(ap, fmt);
        c->err->code = code;
        vsnprintf(c->err->msg, sizeof c->err->msg, fmt, ap);
        va_end(ap);
    }
    return code;
}

static int cc_grow(cc *c, void **p, uint64_t *cap, uint64_t need, size_t elem) {
    if (need <= *cap) return 1;
    uint64_t nc = *cap ? *cap : 16;
    while (nc < need) nc *= 2;
    void *q = nc <= SIZE_MAX / elem ? realloc(*p, (size_t)(nc * elem)) : NULL;
    if (!q) { cc_fail(c, GF_ERR_NOMEM, "kernel compile: out of memory (%" PRIu64 " items)", nc); return 0; }
    *p = q;
    *cap = nc;
    return 1;
}

/* ---- expressions -------------------------------------------------------------------------- */

static int term_cmp(const term *a, const term *b) {
    if (a->hi != b->hi) return a->hi < b->hi ? -1 : 1;
    if (a->lo != b->lo) return a->lo < b->lo ? -1 : 1;
    if (a->r != b->r) return a->r < b->r ? -1 : 1;
    return 0;
}
static int term_qcmp(const void *a, const void *b) { return term_cmp(a, b); }

static int ex_reserve(cc *c, expr *e, uint64_t n) {
    if (n <= e->cap) return 1;
    if (n > UINT32_MAX) { cc_fail(c, GF_ERR_INVALID, "kernel compile: an expression exceeds 2^32 terms"); return 0; }
    uint64_t cap = e->cap;
    if (!cc_grow(c, (void **)&e->t, &cap, n, sizeof *e->t)) return 0;
    e->cap = (uint32_t)(cap > UINT32_MAX ? UINT32_MAX : cap);
    return 1;
}
static void ex_free(expr *e) { free(e->t); e->t = NULL; e->n = e->cap = 0; }

static int ex_set1(cc *c, expr *e, term t) {
    if (!ex_reserve(c, e, 1)) return 0;
    e->t[0] = t;
    e->n = t.c ? 1 : 0;
    return 1;
}
static int ex_copy(cc *c, expr *dst, const expr *src) {
    if (!ex_reserve(c, dst, src->n ? src->n : 1)) return 0;
    if (src->n) memcpy(dst->t, src->t, src->n * sizeof *src->t);
    dst->n = src->n;
    return 1;
}

/* Constant expression (no atom, no random)? */
static int ex_const(const expr *e, gf_m31 *v) {
    if (e->n == 0) { *v = 0; return 1; }
    if (e->n == 1 && !e->t[0].hi && !e->t[0].r) { *v = e->t[0].c; return 1; }
    return 0;
}
/* Exactly one atom with coefficient 1? */
static uint32_t ex_atom(const expr *e) {
    return e->n == 1 && e->t[0].c == 1 && !e->t[0].r && !e->t[0].lo ? e->t[0].hi : 0;
}
static int ex_has_quad(const expr *e) {
    for (uint32_t i = 0; i < e->n; i++) if (e->t[i].lo) return 1;
    return 0;
}
static int ex_has_rand(const expr *e) {
    for (uint32_t i = 0; i < e->n; i++) if (e->t[i].r) return 1;
    return 0;
}

static void ex_sort_merge(expr *e) {
    if (e->n > 1) qsort(e->t, e->n, sizeof *e->t, term_qcmp);
    uint32_t w = 0, z = 0;
    for (uint32_t i = 0; i < e->n; i++) {
        if (w && !term_cmp(&e->t[w - 1], &e->t[i])) e->t[w - 1].c = gf_m31_add(e->t[w - 1].c, e->t[i].c);
        else e->t[w++] = e->t[i];
    }
    for (uint32_t i = 0; i < w; i++)
        if (e->t[i].c) e->t[z++] = e->t[i];
    e->n = z;
}

static void ex_scale(expr *e, gf_m31 s) {
    if (s == 1) return;
    if (s == 0) { e->n = 0; return; }
    for (uint32_t i = 0; i < e->n; i++) e->t[i].c = gf_m31_mul(e->t[i].c, s);
}

/* out := ca*A + cb*B (sorted merge; out distinct from A and B). */
static int ex_lin(cc *c, expr *out, const expr *A, gf_m31 ca, const expr *B, gf_m31 cb) {
    if (!ex_reserve(c, out, (uint64_t)A->n + B->n + 1)) return 0;
    uint32_t i = 0, j = 0, w = 0;
    while (i < A->n || j < B->n) {
        int s = i == A->n ? 1 : j == B->n ? -1 : term_cmp(&A->t[i], &B->t[j]);
        term t;
        if (s < 0) { t = A->t[i++]; t.c = gf_m31_mul(t.c, ca); }
        else if (s > 0) { t = B->t[j++]; t.c = gf_m31_mul(t.c, cb); }
        else { t = A->t[i]; t.c = gf_m31_add(gf_m31_mul(A->t[i].c, ca), gf_m31_mul(B->t[j].c, cb)); i++; j++; }
        if (t.c) out->t[w++] = t;
    }
    out->n = w;
    return 1;
}

/* ---- atoms -------------------------------------------------------------------------------- */

static term mk_term(gf_m31 coef, uint32_t x, uint32_t y, uint32_t r) {
    term t = { coef, x > y ? x : y, x > y ? y : x, r };
    return t;
}

static uint32_t atom_new(cc *c, uint32_t level) {
    if (c->n_atoms >= UINT32_MAX - 1) { cc_fail(c, GF_ERR_INVALID, "kernel compile: more than 2^32 wires"); return 0; }
    uint64_t cap = c->cap_atoms;
    if (!cc_grow(c, (void **)&c->atoms, &cap, (uint64_t)c->n_atoms + 1, sizeof *c->atoms)) return 0;
    c->cap_atoms = (uint32_t)(cap > UINT32_MAX ? UINT32_MAX : cap);
    atom *a = &c->atoms[c->n_atoms];
    memset(a, 0, sizeof *a);
    a->level = level;
    a->need = -1;
    a->comp = -1;
    return c->n_atoms++;
}

static uint32_t atom_input(cc *c, int32_t comp, uint64_t pos) {
    uint32_t a = atom_new(c, 0);
    if (a) { c->atoms[a].comp = comp; c->atoms[a].pos = pos; }
    return a;
}

/* Level a term can be computed at (0 for a constant): one above its highest atom. */
static uint32_t term_level(const cc *c, const term *t) {
    uint32_t l = t->hi ? c->atoms[t->hi].level + 1 : 0;
    if (t->lo && c->atoms[t->lo].level + 1 > l) l = c->atoms[t->lo].level + 1;
    return l;
}

/* Required level of a wire computed from these terms (wires start at level 1). */
static uint32_t terms_level(const cc *c, const term *t, uint64_t n) {
    uint32_t L = 1;
    for (uint64_t i = 0; i < n; i++)
        if (term_level(c, &t[i]) > L) L = term_level(c, &t[i]);
    return L;
}

static uint32_t atom_def(cc *c, const term *t, uint32_t n);

/* Terms of a wire at level L that could be computed two or more levels lower are summed
 * into one wire (recursively), so one value is relayed up instead of each of their atoms.
 * Rewrites t in place; returns the new count, or -1 on error. */
static int64_t group_low(cc *c, term *t, uint32_t n, uint32_t L) {
    uint32_t cnt = 0;
    for (uint32_t i = 0; i < n; i++) cnt += t[i].hi && term_level(c, &t[i]) + 2 <= L;
    if (cnt < 2) return n;
    term *g = malloc(cnt * sizeof *g);
    if (!g) return cc_fail(c, GF_ERR_NOMEM, "kernel compile: out of memory"), -1;
    uint32_t w = 0, k = 0;
    for (uint32_t i = 0; i < n; i++) {
        if (t[i].hi && term_level(c, &t[i]) + 2 <= L) g[k++] = t[i];
        else t[w++] = t[i];
    }
    uint32_t a = atom_def(c, g, cnt);
    free(g);
    if (!a) return -1;
    t[w++] = mk_term(1, a, 0, 0);
    return w;
}

static uint32_t atom_def(cc *c, const term *t, uint32_t n) {
    uint32_t L = terms_level(c, t, n);
    if (L > GF_CIRCUIT_MAX_LAYERS) { cc_fail(c, GF_ERR_INVALID, "kernel compile: circuit deeper than %u layers", GF_CIRCUIT_MAX_LAYERS); return 0; }
    term *b = malloc((n ? n : 1) * sizeof *b);
    if (!b) { cc_fail(c, GF_ERR_NOMEM, "kernel compile: out of memory"); return 0; }
    memcpy(b, t, n * sizeof *t);
    int64_t m = group_low(c, b, n, L);
    uint32_t a = 0;
    if (m >= 0 && cc_grow(c, (void **)&c->defs, &c->cap_defs, c->n_defs + (uint64_t)m, sizeof *c->defs) &&
        (a = atom_new(c, L)) != 0) {
        memcpy(c->defs + c->n_defs, b, (size_t)m * sizeof *b);
        c->atoms[a].def_off = c->n_defs;
        c->atoms[a].def_n = (uint32_t)m;
        c->n_defs += (uint64_t)m;
    }
    free(b);
    return a;
}

/* The wire holding random value ri (a const gate with the random coefficient). */
static uint32_t atom_random(cc *c, uint32_t ri) {
    if (c->r_atom[ri]) return c->r_atom[ri];
    term t = { 1, 0, 0, ri + 1 };
    return c->r_atom[ri] = atom_def(c, &t, 1);
}

/* dst := src with every c*r term (c != 1) rewritten to read r from its wire. */
static int finalize(cc *c, const expr *src, expr *dst) {
    if (!ex_copy(c, dst, src)) return 0;
    int changed = 0;
    for (uint32_t i = 0; i < dst->n; i++) {
        term *t = &dst->t[i];
        if (!t->r || t->c == 1) continue;
        uint32_t R = atom_random(c, t->r - 1);
        if (!R) return 0;
        uint32_t x = t->hi;
        if (t->lo) {   /* c*r*x*y: x*y needs a wire of its own */
            term p = mk_term(1, t->hi, t->lo, 0);
            if (!(x = atom_def(c, &p, 1))) return 0;
        }
        t = &dst->t[i];
        *t = mk_term(t->c, R, x, 0);
        changed = 1;
    }
    if (changed) ex_sort_merge(dst);
    return 1;
}

static uint32_t materialize(cc *c, const expr *e) {
    uint32_t a = ex_atom(e);
    if (a) return a;
    if (e->n == 1 && e->t[0].c == 1 && e->t[0].r && !e->t[0].hi) return atom_random(c, e->t[0].r - 1);
    expr f = { 0 };
    if (!finalize(c, e, &f)) { ex_free(&f); return 0; }
    a = atom_def(c, f.t, f.n);
    ex_free(&f);
    return a;
}

static int materialize_var(cc *c, gf_var v) {
    if (ex_atom(&c->ex[v])) return 1;
    uint32_t a = materialize(c, &c->ex[v]);
    return a && ex_set1(c, &c->ex[v], mk_term(1, a, 0, 0));
}

/* The expression of operand v; a big expression with further uses gets its own wire. */
static expr *use(cc *c, gf_var v) {
    expr *e = &c->ex[v];
    if (c->left[v] >= 2 && e->n > CC_SHARE_MAX && !materialize_var(c, v)) return NULL;
    return e;
}
static void release(cc *c, gf_var v) {
    if (c->left[v] && --c->left[v] == 0) ex_free(&c->ex[v]);
}

/* ---- pass 1: expressions ------------------------------------------------------------------ */

static uint64_t hint_pos(const cc *c, uint32_t h) { return c->k->comp[c->k->hint_comp].offset + h; }

static int do_mul(cc *c, gf_var v, const kb_node *n) {
    expr *A = use(c, n->a), *B = use(c, n->b);
    if (!A || !B) return 0;
    expr *out = &c->ex[v];
    gf_m31 k;
    if ((n->flags & KB_F_DIVCHECK) && ex_const(B, &k) && k == 0) {
        cc_fail(c, GF_ERR_INVALID, "division by constant zero: the divisor (variable %" PRIu32 ") simplifies to 0", n->b);
        return 0;
    }
    if (ex_const(A, &k)) { if (!ex_copy(c, out, B)) return 0; ex_scale(out, k); return 1; }
    if (ex_const(B, &k)) { if (!ex_copy(c, out, A)) return 0; ex_scale(out, k); return 1; }
    if (ex_has_quad(A) && !materialize_var(c, n->a)) return 0;
    if (ex_has_quad(B) && !materialize_var(c, n->b)) return 0;
    if (ex_has_rand(A) && ex_has_rand(B) && !materialize_var(c, n->b)) return 0;
    for (int round = 0; round < 2; round++) {
        uint64_t na = A->n, nb = B->n;
        uint64_t lim = 4 * (na + nb) > CC_EXPAND_MIN ? 4 * (na + nb) : CC_EXPAND_MIN;
        if (na * nb <= lim) break;
        if (!materialize_var(c, na >= nb ? n->a : n->b)) return 0;
    }
    if (!ex_reserve(c, out, (uint64_t)A->n * B->n + 1)) return 0;
    uint32_t w = 0;
    for (uint32_t i = 0; i < A->n; i++)
        for (uint32_t j = 0; j < B->n; j++) {
            const term *x = &A->t[i], *y = &B->t[j];
            out->t[w++] = mk_term(gf_m31_mul(x->c, y->c), x->hi, y->hi, x->r | y->r);
        }
    out->n = w;
    ex_sort_merge(out);
    return 1;
}

/* ADD/SUB/NEG/MULC/ADDC. The first operand's buffer is reused on its last use. */
static int do_lin(cc *c, gf_var v, const kb_node *n) {
    expr *out = &c->ex[v];
    expr *A = use(c, n->a);
    if (!A) return 0;
    const int steal = c->left[n->a] == 1 && (n->op != KB_ADD && n->op != KB_SUB ? 1 : n->a != n->b);
    if (n->op == KB_NEG || n->op == KB_MULC) {
        if (steal) { *out = *A; memset(A, 0, sizeof *A); }
        else if (!ex_copy(c, out, A)) return 0;
        ex_scale(out, n->op == KB_NEG ? GF_M31_P - 1 : n->c);
        return 1;
    }
    expr cst = { 0 };
    term ct = mk_term(n->c, 0, 0, 0);
    const expr *B;
    gf_m31 cb = 1;
    if (n->op == KB_ADDC) { cst.t = &ct; cst.n = n->c ? 1 : 0; B = &cst; }
    else {
        if (!(B = use(c, n->b))) return 0;
        if (n->op == KB_SUB) cb = GF_M31_P - 1;
    }
    if (steal && (B->n == 0 || A->n == 0 || term_cmp(&A->t[A->n - 1], &B->t[0]) < 0)) {
        /* appending keeps the order: the common accumulate-into-a-sum pattern stays linear */
        if (!ex_reserve(c, A, (uint64_t)A->n + B->n)) return 0;
        for (uint32_t j = 0; j < B->n; j++) {
            A->t[A->n] = B->t[j];
            A->t[A->n].c = gf_m31_mul(B->t[j].c, cb);
            A->n++;
        }
        *out = *A;
        memset(A, 0, sizeof *A);
        return 1;
    }
    return ex_lin(c, out, A, 1, B, cb);
}

static int add_residual(cc *c, const expr *e, uint64_t src) {
    if (!finalize(c, e, &c->tmp)) return 0;
    gf_m31 k;
    if (ex_const(&c->tmp, &k)) {
        if (k == 0) return 1;   /* trivially true */
        char nm[128];
        gf_kernel_src_name_(c->k, src, nm, sizeof nm);
        cc_fail(c, GF_ERR_INVALID, "%s can never hold: it simplifies to the non-zero constant %" PRIu32, nm, k);
        return 0;
    }
    if (!cc_grow(c, (void **)&c->res, &c->cap_res_t, c->n_res_t + c->tmp.n, sizeof *c->res)) return 0;
    uint64_t cap = c->cap_res;
    if (!cc_grow(c, (void **)&c->res_off, &cap, c->n_res + 1, sizeof *c->res_off)) return 0;
    cap = c->cap_res;
    if (!cc_grow(c, (void **)&c->res_n, &cap, c->n_res + 1, sizeof *c->res_n)) return 0;
    cap = c->cap_res;
    if (!cc_grow(c, (void **)&c->res_src, &cap, c->n_res + 1, sizeof *c->res_src)) return 0;
    c->cap_res = cap;
    memcpy(c->res + c->n_res_t, c->tmp.t, c->tmp.n * sizeof *c->tmp.t);
    c->res_off[c->n_res] = c->n_res_t;
    c->res_n[c->n_res] = c->tmp.n;
    c->res_src[c->n_res] = src;
    c->n_res++;
    c->n_res_t += c->tmp.n;
    uint32_t L = terms_level(c, c->tmp.t, c->tmp.n);
    if (L > c->depth) c->depth = L;
    return 1;
}

static int pass1(cc *c) {
    const gf_kernel_builder *kb = c->kb;
    const gf_kernel *k = c->k;
    for (gf_var v = 1; v < kb->n_nodes; v++) {
        if (!c->live[v]) continue;
        const kb_node *n = &kb->nodes[v];
        expr *e = &c->ex[v];
        uint32_t a;
        int ok = 1;
        switch (n->op) {
        case KB_CONST:
            ok = ex_set1(c, e, mk_term(n->c, 0, 0, 0));
            break;
        case KB_INPUT: {
            const gf_kernel_io *io = &k->io[n->a];
            uint64_t pos = k->comp[io->in_comp].offset + gf_shape_padded_index(io->ndims, io->dims, n->b);
            ok = (a = atom_input(c, io->in_comp, pos)) && ex_set1(c, e, mk_term(1, a, 0, 0));
            break;
        }
        case KB_HINT_OUT:
        case KB_DIVQ:
            ok = (a = atom_input(c, k->hint_comp, hint_pos(c, n->h))) && ex_set1(c, e, mk_term(1, a, 0, 0));
            break;
        case KB_RANDOM:
            ok = ex_set1(c, e, (term){ 1, 0, 0, n->a + 1 });
            break;
        case KB_MUL:
            ok = do_mul(c, v, n);
            if (ok) { release(c, n->a); release(c, n->b); }
            break;
        default:
            ok = do_lin(c, v, n);
            if (ok) {
                release(c, n->a);
                if (n->op == KB_ADD || n->op == KB_SUB) release(c, n->b);
            }
            break;
        }
        if (!ok) return 0;
    }
    for (uint64_t i = 0; i < kb->n_asserts; i++) {
        gf_var v = kb->asserts[i];
        const expr *e = use(c, v);
        if (!e || !add_residual(c, e, i)) return 0;
        release(c, v);
    }
    for (uint32_t j = 0; j < kb->n_io; j++) {
        const gf_kernel_io *io = &k->io[j];
        if (!io->is_output) continue;
        for (uint64_t i = 0; i < io->len; i++) {
            gf_var v = kb->io[j].out[i];
            const expr *e = use(c, v);
            if (!e) return 0;
            uint32_t a = atom_input(c, io->out_comp,
                                    k->comp[io->out_comp].offset + gf_shape_padded_index(io->ndims, io->dims, i));
            term t = mk_term(1, a, 0, 0);
            expr ea = { &t, 1, 1 };
            if (!a || !ex_lin(c, &c->tmp2, e, 1, &ea, GF_M31_P - 1)) return 0;
            if (!add_residual(c, &c->tmp2, KRES_OUT | (uint64_t)j << 32 | i)) return 0;
            release(c, v);
        }
    }
    return 1;
}

/* ---- liveness, checks, layout ------------------------------------------------------------- */

static int prepare(cc *c) {
    const gf_kernel_builder *kb = c->kb;
    gf_kernel *k = c->k;
    uint64_t nn = kb->n_nodes;
    c->live = calloc(nn, 1);
    c->left = calloc(nn, sizeof *c->left);
    c->ex = calloc(nn, sizeof *c->ex);
    c->r_atom = calloc(kb->n_random + 1, sizeof *c->r_atom);
    if (!c->live || !c->left || !c->ex || !c->r_atom) return cc_fail(c, GF_ERR_NOMEM, "kernel compile: out of memory"), 0;
    atom_new(c, 0);   /* atom 0 means "none" in terms */
    if (c->st != GF_OK) return 0;
    for (uint32_t j = 0; j < kb->n_io; j++) {
        const kb_io *io = &kb->io[j];
        if (!io->spec.is_output) continue;
        for (uint64_t i = 0; i < io->spec.len; i++) {
            gf_var v = io->out[i];
            if (v == GF_VAR_NONE)
                return cc_fail(c, GF_ERR_INVALID, "output '%s'[%" PRIu64 "] is never assigned (gf_kb_set)", io->spec.name, i), 0;
            if (kb->nodes[v].flags & KB_F_TAINT)
                return cc_fail(c, GF_ERR_INVALID, "output '%s'[%" PRIu64 "] depends on a random value; random values "
                               "may only feed assertions", io->spec.name, i), 0;
            c->live[v] = 1;
            c->left[v]++;
        }
    }
    for (uint64_t i = 0; i < kb->n_asserts; i++) { c->live[kb->asserts[i]] = 1; c->left[kb->asserts[i]]++; }
    for (uint64_t v = nn - 1; v >= 1; v--) {
        if (!c->live[v]) continue;
        const kb_node *n = &kb->nodes[v];
        switch (n->op) {
        case KB_ADD: case KB_SUB: case KB_MUL:
            c->live[n->a] = c->live[n->b] = 1; c->left[n->a]++; c->left[n->b]++;
            break;
        case KB_NEG: case KB_MULC: case KB_ADDC:
            c->live[n->a] = 1; c->left[n->a]++;
            break;
        default:
            break;   /* leaves of the constraint system */
        }
    }
    /* components: inputs, outputs (spec order), hints */
    uint32_t nc = 0;
    for (uint32_t j = 0; j < kb->n_io; j++) nc += (uint32_t)kb->io[j].spec.is_input + (uint32_t)kb->io[j].spec.is_output;
    nc += kb->n_hint_vals ? 1 : 0;
    k->comp = calloc(nc ? nc : 1, sizeof *k->comp);
    uint64_t *lens = calloc(2 * (size_t)(nc ? nc : 1), sizeof *lens), *offs = lens + (nc ? nc : 1);
    if (!k->comp || !lens) { free(lens); return cc_fail(c, GF_ERR_NOMEM, "kernel compile: out of memory"), 0; }
    k->n_components = nc;
    uint32_t ci = 0;
    for (int pass = 0; pass < 2; pass++)
        for (uint32_t j = 0; j < k->n_io; j++) {
            gf_kernel_io *io = &k->io[j];
            if (pass == 0 ? !io->is_input : !io->is_output) continue;
            if (pass == 0) { io->in_offset = k->n_in_vals; k->n_in_vals += io->len; io->in_comp = (int32_t)ci; }
            else { io->out_offset = k->n_out_vals; k->n_out_vals += io->len; io->out_comp = (int32_t)ci; }
            k->comp[ci].kind = pass == 0 ? GF_KCOMP_INPUT : GF_KCOMP_OUTPUT;
            k->comp[ci].io = (int32_t)j;
            k->comp[ci].len = io->padded_len;
            ci++;
        }
    k->n_hints = kb->n_hint_vals;
    k->hint_comp = -1;
    if (k->n_hints) {
        k->hint_comp = (int32_t)ci;
        k->comp[ci].kind = GF_KCOMP_HINT;
        k->comp[ci].io = -1;
        k->comp[ci].len = gf_next_pow2(k->n_hints);
        ci++;
    }
    for (uint32_t i = 0; i < nc; i++) lens[i] = k->comp[i].len;
    gf_status s = gf_kernel_layout(nc, lens, offs, &k->layout_len, c->err);
    for (uint32_t i = 0; i < nc; i++) k->comp[i].offset = offs[i];
    free(lens);
    if (s != GF_OK) { c->st = s; return 0; }
    if (k->layout_len > (1ull << GF_CIRCUIT_MAX_LOG))
        return cc_fail(c, GF_ERR_INVALID, "kernel compile: input layout of %" PRIu64 " values exceeds 2^%u",
                       k->layout_len, GF_CIRCUIT_MAX_LOG), 0;
    return 1;
}

/* ---- evaluator program -------------------------------------------------------------------- */

static int build_prog(cc *c) {
    const gf_kernel_builder *kb = c->kb;
    gf_kernel *k = c->k;
    uint64_t nn = kb->n_nodes;
    struct gf_kernel_prog *p = calloc(1, sizeof *p);
    k->prog = p;
    uint8_t *el = calloc(nn, 1);
    uint8_t *callmark = calloc(kb->n_hcalls + 1, 1);
    if (!p || !el || !callmark) { free(el); free(callmark); return cc_fail(c, GF_ERR_NOMEM, "kernel compile: out of memory"), 0; }
    for (uint32_t j = 0; j < kb->n_io; j++)
        if (kb->io[j].spec.is_output)
            for (uint64_t i = 0; i < kb->io[j].spec.len; i++) el[kb->io[j].out[i]] = 1;
    for (uint64_t v = 1; v < nn; v++)
        if (kb->nodes[v].op == KB_HINT_OUT || kb->nodes[v].op == KB_DIVQ) el[v] = 1;
    uint64_t n_ins = 0;
    for (uint64_t v = nn - 1; v >= 1; v--) {
        if (!el[v]) continue;
        const kb_node *n = &kb->nodes[v];
        switch (n->op) {
        case KB_ADD: case KB_SUB: case KB_MUL: case KB_DIVQ: el[n->a] = el[n->b] = 1; break;
        case KB_NEG: case KB_MULC: case KB_ADDC: el[n->a] = 1; break;
        case KB_HINT_OUT:
            if (!callmark[n->a]) {
                const kb_hint *h = &kb->hints[n->a];
                for (uint32_t i = 0; i < h->n_in; i++) el[kb->hint_in[h->in_off + i]] = 1;
                callmark[n->a] = 1;
            }
            break;
        default: break;
        }
    }
    for (uint64_t v = 1; v < nn; v++)
        if (el[v] && !(kb->nodes[v].op == KB_HINT_OUT && kb->nodes[v].b != 0)) n_ins++;
    p->n_slots = nn;
    p->ins = calloc(n_ins ? n_ins : 1, sizeof *p->ins);
    p->out_slot = calloc(k->n_out_vals ? k->n_out_vals : 1, sizeof *p->out_slot);
    p->hint_slot = calloc(k->n_hints ? k->n_hints : 1, sizeof *p->hint_slot);
    p->calls = calloc(kb->n_hcalls ? kb->n_hcalls : 1, sizeof *p->calls);
    p->in_slots = calloc(kb->n_hint_in ? kb->n_hint_in : 1, sizeof *p->in_slots);
    if (!p->ins || !p->out_slot || !p->hint_slot || !p->calls || !p->in_slots) {
        free(el); free(callmark);
        return cc_fail(c, GF_ERR_NOMEM, "kernel compile: out of memory"), 0;
    }
    for (uint64_t v = 1; v < nn; v++) {
        if (!el[v]) continue;
        const kb_node *n = &kb->nodes[v];
        if (n->op == KB_HINT_OUT && n->b != 0) {   /* one instruction per call, at its first output */
            p->hint_slot[n->h] = (uint32_t)v;
            continue;
        }
        kprog_ins *in = &p->ins[p->n_ins];
        in->dst = (uint32_t)v; in->a = n->a; in->b = n->b; in->c = n->c;
        switch (n->op) {
        case KB_CONST: in->op = EV_CONST; break;
        case KB_INPUT: in->op = EV_INPUT; in->a = (uint32_t)(k->io[n->a].in_offset + n->b); break;
        case KB_ADD: in->op = EV_ADD; break;
        case KB_SUB: in->op = EV_SUB; break;
        case KB_NEG: in->op = EV_NEG; break;
        case KB_MULC: in->op = EV_MULC; break;
        case KB_ADDC: in->op = EV_ADDC; break;
        case KB_MUL: in->op = EV_MUL; break;
        case KB_DIVQ: in->op = EV_DIV; in->c = n->h; p->hint_slot[n->h] = (uint32_t)v; break;
        case KB_HINT_OUT:
            p->hint_slot[n->h] = (uint32_t)v;
            in->op = EV_HINT;
            in->a = p->n_calls;
            {
                const kb_hint *h = &kb->hints[n->a];
                kprog_hint *ph = &p->calls[p->n_calls++];
                memcpy(ph->name, h->name, sizeof ph->name);
                ph->fn = h->fn; ph->user = h->user;
                ph->in_off = h->in_off; ph->n_in = h->n_in; ph->n_out = h->n_out;
                ph->first_out = h->first_out;
                ph->call = n->a;
                if (h->n_in > p->max_in) p->max_in = h->n_in;
                if (h->n_out > p->max_out) p->max_out = h->n_out;
            }
            break;
        default:
            free(el); free(callmark);
            return cc_fail(c, GF_ERR_INTERNAL, "kernel compile: variable %" PRIu64 " (op %u) cannot be evaluated", v, n->op), 0;
        }
        p->n_ins++;
    }
    if (kb->n_hint_in) memcpy(p->in_slots, kb->hint_in, kb->n_hint_in * sizeof *p->in_slots);   /* slot = variable */
    for (uint32_t j = 0; j < kb->n_io; j++) {
        const kb_io *io = &kb->io[j];
        if (!io->spec.is_output) continue;
        for (uint64_t i = 0; i < io->spec.len; i++) p->out_slot[k->io[j].out_offset + i] = io->out[i];
    }
    free(el);
    free(callmark);
    return 1;
}

/* ---- pass 2: layering and gate emission --------------------------------------------------- */

/* Coefficient table under construction; constants deduplicated by value. */
typedef struct coef_tab {
    uint32_t *key, *val; uint64_t cap, n;      /* open addressing, key = value + 1 */
    uint8_t *kind; gf_m31 *v; uint64_t n_coef, cap_kind, cap_v;
} coef_tab;

static uint64_t coef_slot(const coef_tab *t, gf_m31 v) {
    uint64_t h = ((uint64_t)(v + 1) * 0x9E3779B97F4A7C15ull) >> 20 & (t->cap - 1);
    while (t->key[h] && t->key[h] != v + 1) h = (h + 1) & (t->cap - 1);
    return h;
}

static uint32_t coef_append(cc *c, coef_tab *t, uint8_t kind, gf_m31 v) {
    if (t->n_coef >= UINT32_MAX) { cc_fail(c, GF_ERR_INVALID, "kernel compile: too many coefficients"); return UINT32_MAX; }
    if (!cc_grow(c, (void **)&t->kind, &t->cap_kind, t->n_coef + 1, sizeof *t->kind) ||
        !cc_grow(c, (void **)&t->v, &t->cap_v, t->n_coef + 1, sizeof *t->v)) return UINT32_MAX;
    t->kind[t->n_coef] = kind;
    t->v[t->n_coef] = v;
    return (uint32_t)t->n_coef++;
}

static uint32_t coef_const(cc *c, coef_tab *t, gf_m31 v) {
    if (2 * (t->n + 1) > t->cap) {
        coef_tab o = *t;
        t->cap = o.cap ? 2 * o.cap : 1024;
        t->key = calloc(t->cap, sizeof *t->key);
        t->val = calloc(t->cap, sizeof *t->val);
        if (!t->key || !t->val) {
            free(t->key); free(t->val);
            t->key = o.key; t->val = o.val; t->cap = o.cap;
            cc_fail(c, GF_ERR_NOMEM, "kernel compile: out of memory");
            return UINT32_MAX;
        }
        for (uint64_t i = 0; i < o.cap; i++)
            if (o.key[i]) { uint64_t h = coef_slot(t, o.key[i] - 1); t->key[h] = o.key[i]; t->val[h] = o.val[i]; }
        free(o.key); free(o.val);
    }
    uint64_t h = coef_slot(t, v);
    if (!t->key[h]) {
        uint32_t idx = coef_append(c, t, GF_COEF_CONST, v);
        if (idx == UINT32_MAX) return idx;
        t->key[h] = v + 1;
        t->val[h] = idx;
        t->n++;
    }
    return t->val[h];
}

/* Gates of layer l computing wire `out` (of level l+1) from the terms. */
static int emit_terms(cc *c, gf_circuit *circ, uint64_t (*cur)[3], coef_tab *ct, const uint32_t *rcoef,
                      uint32_t l, const term *t, uint64_t n, uint64_t out) {
    gf_layer *ly = &circ->layers[l];
    const atom *at = c->atoms;
    for (uint64_t i = 0; i < n; i++) {
        uint32_t ci = t[i].r ? rcoef[t[i].r - 1] : coef_const(c, ct, t[i].c);
        if (ci == UINT32_MAX) return 0;
        if (t[i].lo) {
            gf_gate_mul *g = &ly->mul[cur[l][0]++];
            g->out = (uint32_t)out;
            g->in0 = (uint32_t)c->wires[at[t[i].hi].w0 + l - at[t[i].hi].level];
            g->in1 = (uint32_t)c->wires[at[t[i].lo].w0 + l - at[t[i].lo].level];
            g->coef = ci;
        } else if (t[i].hi) {
            gf_gate_add *g = &ly->add[cur[l][1]++];
            g->out = (uint32_t)out;
            g->in = (uint32_t)c->wires[at[t[i].hi].w0 + l - at[t[i].hi].level];
            g->coef = ci;
        } else {
            gf_gate_const *g = &ly->cst[cur[l][2]++];
            g->out = (uint32_t)out;
            g->coef = ci;
        }
    }
    return 1;
}

static void count_terms(uint64_t *ng, const term *t, uint64_t n) {
    for (uint64_t i = 0; i < n; i++) ng[t[i].lo ? 0 : t[i].hi ? 1 : 2]++;
}

static uint32_t log_of(uint64_t n) { uint32_t l = gf_log2_u64(gf_next_pow2(n)); return l < 1 ? 1 : l; }

static int pass2(cc *c) {
    gf_kernel *k = c->k;
    const uint32_t D = c->depth;
    if (D > GF_CIRCUIT_MAX_LAYERS)
        return cc_fail(c, GF_ERR_INVALID, "kernel compile: %" PRIu32 " layers exceed %u", D, GF_CIRCUIT_MAX_LAYERS), 0;
    for (uint64_t r = 0; r < c->n_res; r++) {
        int64_t m = group_low(c, c->res + c->res_off[r], c->res_n[r], D);
        if (m < 0) return 0;
        c->res_n[r] = (uint32_t)m;
    }
    atom *at = c->atoms;   /* after grouping: it may add atoms */
    /* liveness: residuals read level D-1, a definition reads one level below its atom */
    for (uint64_t r = 0; r < c->n_res; r++)
        for (uint64_t i = c->res_off[r]; i < c->res_off[r] + c->res_n[r]; i++) {
            if (c->res[i].hi) at[c->res[i].hi].need = (int32_t)D - 1;
            if (c->res[i].lo) at[c->res[i].lo].need = (int32_t)D - 1;
        }
    for (uint32_t a = c->n_atoms; a-- > 1;) {
        if (at[a].level == 0 || at[a].need < (int32_t)at[a].level) continue;
        int32_t nd = (int32_t)at[a].level - 1;
        for (uint32_t i = 0; i < at[a].def_n; i++) {
            const term *t = &c->defs[at[a].def_off + i];
            if (t->hi && at[t->hi].need < nd) at[t->hi].need = nd;
            if (t->lo && at[t->lo].need < nd) at[t->lo].need = nd;
        }
    }
    uint8_t *used = calloc(k->n_components + 1, 1);
    if (!used) return cc_fail(c, GF_ERR_NOMEM, "kernel compile: out of memory"), 0;
    for (uint32_t a = 1; a < c->n_atoms; a++)
        if (at[a].level == 0 && at[a].need >= 0) used[at[a].comp] = 1;
    for (uint32_t i = 0; i < k->n_components; i++)
        if (k->comp[i].kind == GF_KCOMP_INPUT && !used[i]) {
            free(used);
            return cc_fail(c, GF_ERR_INVALID, "unused IO: input '%s' does not reach any constraint",
                           k->io[k->comp[i].io].name), 0;
        }
    free(used);

    uint64_t *cnt = calloc((size_t)D + 1, sizeof *cnt);
    uint64_t (*ng)[3] = calloc(D, sizeof *ng);
    uint64_t (*cur)[3] = calloc(D, sizeof *cur);
    uint32_t *rcoef = calloc(c->kb->n_random + 1, sizeof *rcoef);
    coef_tab ct = { 0 };
    gf_circuit *circ = NULL;
    int ok = 0;
    if (!cnt || !ng || !cur || !rcoef) { cc_fail(c, GF_ERR_NOMEM, "kernel compile: out of memory"); goto done; }
    /* wire indices: level 0 is the layout position, above it atoms in id order */
    uint64_t nw = 0;
    for (uint32_t a = 1; a < c->n_atoms; a++)
        if (at[a].need >= (int32_t)at[a].level) { at[a].w0 = nw; nw += (uint64_t)(at[a].need - (int32_t)at[a].level) + 1; }
    c->wires = malloc((nw ? nw : 1) * sizeof *c->wires);
    if (!c->wires) { cc_fail(c, GF_ERR_NOMEM, "kernel compile: out of memory"); goto done; }
    k->n_relays = 0;
    for (uint32_t a = 1; a < c->n_atoms; a++) {
        if (at[a].need < (int32_t)at[a].level) continue;
        for (uint32_t l = at[a].level; l <= (uint32_t)at[a].need; l++)
            c->wires[at[a].w0 + l - at[a].level] = l == 0 ? at[a].pos : cnt[l]++;
        if (at[a].level) count_terms(ng[at[a].level - 1], c->defs + at[a].def_off, at[a].def_n);
        for (uint32_t l = at[a].level + 1; l <= (uint32_t)at[a].need; l++) { ng[l - 1][1]++; k->n_relays++; }
    }
    cnt[D] = c->n_res;
    for (uint64_t r = 0; r < c->n_res; r++) count_terms(ng[D - 1], c->res + c->res_off[r], c->res_n[r]);
    /* coefficients: every random value first (draw i = i-th gf_kb_random, used or not), then constants */
    for (uint32_t r = 0; r < c->kb->n_random; r++)
        if ((rcoef[r] = coef_append(c, &ct, GF_COEF_RANDOM, 0)) == UINT32_MAX) goto done;
    uint32_t one = coef_const(c, &ct, 1);
    if (one == UINT32_MAX) goto done;
    circ = gf_circuit_new(GF_FIELD_M31, D, c->err);
    if (!circ) { c->st = c->err ? c->err->code : GF_ERR_NOMEM; goto done; }
    for (uint32_t l = 0; l < D; l++) {
        uint32_t in_log = l == 0 ? log_of(k->layout_len) : log_of(cnt[l]);
        uint32_t out_log = log_of(cnt[l + 1]);
        if (in_log > GF_CIRCUIT_MAX_LOG || out_log > GF_CIRCUIT_MAX_LOG) {
            cc_fail(c, GF_ERR_INVALID, "kernel compile: level %" PRIu32 " holds more than 2^%u wires",
                    in_log > GF_CIRCUIT_MAX_LOG ? l : l + 1, GF_CIRCUIT_MAX_LOG);
            goto done;
        }
        gf_status s = gf_circuit_alloc_layer(circ, l, in_log, out_log, ng[l][0], ng[l][1], ng[l][2], c->err);
        if (s != GF_OK) { c->st = s; goto done; }
    }
    for (uint32_t a = 1; a < c->n_atoms; a++) {
        if (at[a].need < (int32_t)at[a].level) continue;
        uint32_t L = at[a].level;
        if (L && !emit_terms(c, circ, cur, &ct, rcoef, L - 1, c->defs + at[a].def_off, at[a].def_n, c->wires[at[a].w0]))
            goto done;
        for (uint32_t l = L + 1; l <= (uint32_t)at[a].need; l++) {
            gf_gate_add *g = &circ->layers[l - 1].add[cur[l - 1][1]++];
            g->out = (uint32_t)c->wires[at[a].w0 + l - L];
            g->in = (uint32_t)c->wires[at[a].w0 + l - 1 - L];
            g->coef = one;
        }
    }
    for (uint64_t r = 0; r < c->n_res; r++)
        if (!emit_terms(c, circ, cur, &ct, rcoef, D - 1, c->res + c->res_off[r], c->res_n[r], r)) goto done;
    gf_status s = gf_circuit_alloc_coefs(circ, (uint32_t)ct.n_coef, c->err);
    if (s != GF_OK) { c->st = s; goto done; }
    if (ct.n_coef) {
        memcpy(circ->coef_kind, ct.kind, ct.n_coef);
        memcpy(circ->coef_m31, ct.v, ct.n_coef * sizeof *ct.v);
    }
    if ((s = gf_circuit_validate(circ, c->err)) != GF_OK) {
        c->st = s;
        gf_error_prefix(c->err, "kernel compile produced an invalid circuit (internal error)");
        goto done;
    }
    k->circuit = circ;
    circ = NULL;
    k->n_residuals = c->n_res;
    k->resid_src = c->res_src;
    c->res_src = NULL;
    ok = 1;
done:
    gf_circuit_free(circ);
    free(cnt); free(ng); free(cur); free(rcoef);
    free(ct.key); free(ct.val); free(ct.kind); free(ct.v);
    return ok;
}

gf_status gf_kernel_compile(const gf_kernel_builder *kb, gf_kernel **out, gf_error *err) {
    if (!out) return gf_error_set(err, GF_ERR_INVALID, "gf_kernel_compile: out is NULL");
    *out = NULL;
    gf_status s = gf_kb_status(kb, err);
    if (s != GF_OK) return s;
    cc c;
    memset(&c, 0, sizeof c);
    c.kb = kb;
    c.err = err;
    gf_kernel *k = calloc(1, sizeof *k);
    if (!k) return gf_error_set(err, GF_ERR_NOMEM, "kernel compile: out of memory");
    c.k = k;
    k->field = kb->field;
    k->n_io = kb->n_io;
    k->io = calloc(kb->n_io ? kb->n_io : 1, sizeof *k->io);
    if (!k->io) { free(k); return gf_error_set(err, GF_ERR_NOMEM, "kernel compile: out of memory"); }
    for (uint32_t j = 0; j < kb->n_io; j++) k->io[j] = kb->io[j].spec;
    int ok = prepare(&c) && build_prog(&c) && pass1(&c);
    if (ok && c.n_res == 0)
        ok = 0, cc_fail(&c, GF_ERR_INVALID, "kernel has no constraints: it has no output and no assertion "
                        "that survives simplification (e.g. x - x == 0 is dropped)");
    ok = ok && pass2(&c);
    if (c.ex)
        for (uint64_t v = 0; v < kb->n_nodes; v++) ex_free(&c.ex[v]);
    free(c.ex); free(c.live); free(c.left); free(c.r_atom); free(c.atoms); free(c.defs);
    free(c.res); free(c.res_off); free(c.res_n); free(c.res_src); free(c.wires);
    ex_free(&c.tmp); ex_free(&c.tmp2);
    if (!ok) {
        gf_kernel_free(k);
        if (c.st == GF_OK) return gf_error_set(err, GF_ERR_INTERNAL, "kernel compile failed");
        return c.st;
    }
    *out = k;
    return GF_OK;
}

void gf_kernel_free(gf_kernel *k) {
    if (!k) return;
    if (k->prog) {
        free(k->prog->ins); free(k->prog->out_slot); free(k->prog->hint_slot);
        free(k->prog->calls); free(k->prog->in_slots);
        free(k->prog);
    }
    gf_circuit_free(k->circuit);
    free(k->io);
    free(k->comp);
    free(k->resid_src);
    free(k);
}
