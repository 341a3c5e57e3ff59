#ifndef GF_FRONTEND_KERNEL_INTERNAL_H
#define GF_FRONTEND_KERNEL_INTERNAL_H
/* Private structures shared by builder.c, compile.c and kernel_eval.c.
 * Nodes are recorded in creation order, which is a topological order: operands always have
 * smaller ids. Node 0 is a placeholder so that GF_VAR_NONE is never valid. */
#include "frontend/kernel.h"

enum kb_op {
    KB_NONE = 0,
    KB_CONST,     /* c */
    KB_INPUT,     /* a = io, b = element */
    KB_HINT_OUT,  /* a = hint call, b = output position in it, h = hint value index */
    KB_DIVQ,      /* quotient a / b (a hint value), h = hint value index */
    KB_RANDOM,    /* a = random index */
    KB_ADD,       /* a + b */
    KB_SUB,       /* a - b */
    KB_NEG,       /* -a */
    KB_MULC,      /* a * c */
    KB_ADDC,      /* a + c */
    KB_MUL        /* a * b; flag KB_F_DIVCHECK: the q*b of a division (b is the divisor) */
};
enum { KB_F_TAINT = 1, KB_F_DIVCHECK = 2 };

typedef struct kb_node {
    uint8_t op, flags;
    uint32_t a, b;
    gf_m31 c;
    uint32_t h;
} kb_node;

typedef struct kb_hint {
    char name[GF_KERNEL_NAME_MAX];
    gf_hint_fn fn;
    void *user;
    uint64_t in_off;      /* into kb->hint_in */
    uint32_t n_in, n_out;
    gf_var first_out;     /* outputs are consecutive variables */
} kb_hint;

typedef struct kb_io {
    gf_kernel_io spec;    /* offsets and components are filled by the compiler */
    gf_var first_in;      /* is_input: element i is first_in + i */
    gf_var *out;          /* is_output: assigned variable per element (GF_VAR_NONE = unset) */
} kb_io;

struct gf_kernel_builder {
    int field;
    gf_error err;                 /* sticky; code GF_OK while healthy */
    kb_node *nodes; uint64_t n_nodes, cap_nodes;
    kb_io *io; uint32_t n_io, cap_io;
    kb_hint *hints; uint32_t n_hcalls, cap_hcalls;
    gf_var *hint_in; uint64_t n_hint_in, cap_hint_in;
    gf_var *asserts; uint64_t n_asserts, cap_asserts;
    uint32_t n_random;
    uint32_t n_hint_vals;
};

/* Evaluator program: one instruction per variable the outputs and hints depend on, in
 * creation order; slots are variable ids. */
enum { EV_CONST, EV_INPUT, EV_ADD, EV_SUB, EV_NEG, EV_MULC, EV_ADDC, EV_MUL, EV_DIV, EV_HINT };
typedef struct kprog_ins { uint32_t op, dst, a, b; gf_m31 c; } kprog_ins;
typedef struct kprog_hint {
    char name[GF_KERNEL_NAME_MAX];
    gf_hint_fn fn;
    void *user;
    uint64_t in_off;      /* into in_slots */
    uint32_t n_in, n_out;
    uint32_t first_out;   /* slot of output 0; outputs are consecutive */
    uint32_t call;        /* index among the builder's hint calls (for messages) */
} kprog_hint;

struct gf_kernel_prog {
    uint64_t n_slots;
    uint64_t n_ins; kprog_ins *ins;
    uint32_t *out_slot;   /* n_out_vals */
    uint32_t *hint_slot;  /* n_hints */
    uint32_t n_calls; kprog_hint *calls;
    uint32_t *in_slots;
    uint32_t max_in, max_out;
};

/* Residual sources: user assertion k -> k; output element -> RESID_OUT | io << 32 | elem. */
#define KRES_OUT (1ull << 63)
void gf_kernel_src_name_(const gf_kernel *k, uint64_t src, char *buf, size_t n);

#endif
