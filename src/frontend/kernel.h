#ifndef GF_FRONTEND_KERNEL_H
#define GF_FRONTEND_KERNEL_H
/* Kernels: a builder for arithmetic kernels and their compiler to layered circuits.
 *
 * A kernel is the body of one zkCUDA-style "call": it reads input arrays, computes output
 * arrays and asserts constraints. The builder records operations on opaque variables
 * (gf_var); gf_kernel_compile turns the recording into
 *   - a layered circuit whose outputs are constraint residuals (all must be 0),
 *   - the circuit input layout (which committed component sits where), and
 *   - a constraint-free evaluator (inputs -> outputs and hint values) for call time.
 *
 * Semantics (as zkCUDA):
 *   - Every declared output element o is constrained by assert_equal(computed_o, expected_o),
 *     where expected_o is a circuit input (the committed output value).
 *   - The evaluator never looks at constraints: violated assertions are detected only when
 *     the circuit is evaluated/proved (a non-zero residual), never at call time.
 *   - Random values (gf_kb_random) are RANDOM coefficients drawn from the transcript after
 *     the inputs are committed, so they may only feed assertions: an output, a hint input or
 *     a division operand that depends on one is an error.
 *
 * Invariants:
 *   - Variable ids are > 0 (GF_VAR_NONE = 0 is never a valid variable). The elements of one
 *     input (or input-output) array have consecutive ids: element i is gf_kb_in(kb, io, 0) + i.
 *   - Arrays are row-major; a shape [16][2] is dims = {16, 2}; a scalar has ndims = 0.
 *   - The builder keeps the first error (sticky): a failing operation returns GF_VAR_NONE or
 *     -1, later operations are ignored, and gf_kb_status / gf_kernel_compile report it.
 *   - A compiled gf_kernel is immutable and independent of its builder; gf_kernel_eval is
 *     re-entrant (one scratch buffer per concurrent caller). Hint callbacks and their user
 *     pointers must outlive the kernel.
 *
 * Field: only GF_FIELD_M31 is implemented; the API passes the field id so BN254 can follow
 * without changing call sites (see docs/frontend.md). */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include "common/error.h"
#include "field/field.h"
#include "field/m31.h"
#include "circuit/circuit.h"

typedef uint32_t gf_var;
#define GF_VAR_NONE 0u
#define GF_KERNEL_MAX_DIMS 8u
#define GF_KERNEL_NAME_MAX 64u
/* Elements of one IO array, and hint values, number < 2^30 (the circuit's own limit). */
#define GF_KERNEL_MAX_LEN (1ull << 30)

typedef struct gf_kernel_builder gf_kernel_builder;

/* Hint: computes out[0..n_out) from in[0..n_in) at call time. Values must be canonical.
 * A non-GF_OK return aborts gf_kernel_eval with an error naming the hint. */
typedef gf_status (*gf_hint_fn)(const gf_m31 *in, size_t n_in, gf_m31 *out, size_t n_out, void *user);

/* ---- Builder ---------------------------------------------------------------------------- */

gf_kernel_builder *gf_kb_new(int field, gf_error *err);
void gf_kb_free(gf_kernel_builder *kb);          /* NULL ok */
/* The first error recorded by the builder (GF_OK if none), copied into err. */
gf_status gf_kb_status(const gf_kernel_builder *kb, gf_error *err);

/* IO declarations, in kernel parameter order. Return the io index (0, 1, ...) or -1.
 * Names are unique, 1..GF_KERNEL_NAME_MAX-1 characters; no dimension may be 0. */
int gf_kb_input(gf_kernel_builder *kb, const char *name, uint32_t ndims, const uint64_t *dims);
int gf_kb_output(gf_kernel_builder *kb, const char *name, uint32_t ndims, const uint64_t *dims);
/* Input-output: element i reads as gf_kb_in(kb, io, i); unless reassigned with gf_kb_set,
 * the output equals the input. */
int gf_kb_inout(gf_kernel_builder *kb, const char *name, uint32_t ndims, const uint64_t *dims);
uint64_t gf_kb_io_len(const gf_kernel_builder *kb, int io);     /* product of dims; 0 if bad io */
gf_var gf_kb_in(gf_kernel_builder *kb, int io, uint64_t i);      /* input element i (row-major) */
void gf_kb_set(gf_kernel_builder *kb, int io, uint64_t i, gf_var v);   /* output element i := v */

/* Arithmetic. Constants are reduced mod p. */
gf_var gf_kb_const(gf_kernel_builder *kb, uint64_t v);
gf_var gf_kb_add(gf_kernel_builder *kb, gf_var a, gf_var b);
gf_var gf_kb_sub(gf_kernel_builder *kb, gf_var a, gf_var b);
gf_var gf_kb_neg(gf_kernel_builder *kb, gf_var a);
gf_var gf_kb_mul(gf_kernel_builder *kb, gf_var a, gf_var b);
gf_var gf_kb_mul_const(gf_kernel_builder *kb, gf_var a, uint64_t c);
gf_var gf_kb_add_const(gf_kernel_builder *kb, gf_var a, uint64_t c);
/* a / b. A constant divisor folds to a multiplication (constant 0 is an error). Otherwise
 * the quotient q is a hint value computed at call time (b = 0 there is an error) and the
 * constraint a = q*b is asserted. */
gf_var gf_kb_div(gf_kernel_builder *kb, gf_var a, gf_var b);
void gf_kb_assert_zero(gf_kernel_builder *kb, gf_var a);
void gf_kb_assert_equal(gf_kernel_builder *kb, gf_var a, gf_var b);

/* A uniformly random base-field value drawn at proving time (a RANDOM coefficient).
 * Soundness: one M31 value gives ~2^-31 per use; for LogUp-style challenges use
 * gf_kb_random_ext3 (three draws forming an M31Ext3 element, ~2^-93). */
gf_var gf_kb_random(gf_kernel_builder *kb);

/* Emulated M31Ext3 = F_p[x]/(x^3 - 5) on triples of variables (c0 + c1 x + c2 x^2). */
void gf_kb_random_ext3(gf_kernel_builder *kb, gf_var out[3]);
void gf_kb_ext3_add(gf_kernel_builder *kb, const gf_var a[3], const gf_var b[3], gf_var out[3]);
void gf_kb_ext3_sub(gf_kernel_builder *kb, const gf_var a[3], const gf_var b[3], gf_var out[3]);
void gf_kb_ext3_mul(gf_kernel_builder *kb, const gf_var a[3], const gf_var b[3], gf_var out[3]);
void gf_kb_ext3_mul_base(gf_kernel_builder *kb, const gf_var a[3], gf_var b, gf_var out[3]);
void gf_kb_ext3_assert_equal(gf_kernel_builder *kb, const gf_var a[3], const gf_var b[3]);

/* User hint: out[0..n_out) receive new variables whose values fn computes at call time from
 * the values of in[0..n_in). The circuit does NOT constrain them: assert what must hold.
 * name (copied) appears in error messages. n_out >= 1. */
gf_status gf_kb_hint(gf_kernel_builder *kb, const char *name, gf_hint_fn fn, void *user,
                     const gf_var *in, size_t n_in, gf_var *out, size_t n_out);

/* ---- Compiled kernel -------------------------------------------------------------------- */

typedef struct gf_kernel_io {
    char name[GF_KERNEL_NAME_MAX];
    uint32_t ndims;
    uint64_t dims[GF_KERNEL_MAX_DIMS];
    uint64_t len;          /* product of dims (1 for a scalar) */
    uint64_t padded_len;   /* product of next_pow2(dims[j]) */
    int is_input, is_output;
    uint64_t in_offset;    /* is_input: first element in the flat inputs array */
    uint64_t out_offset;   /* is_output: first element in the flat outputs array */
    int32_t in_comp, out_comp;   /* component indices, -1 if none */
} gf_kernel_io;

enum { GF_KCOMP_INPUT = 0, GF_KCOMP_OUTPUT = 1, GF_KCOMP_HINT = 2 };

/* A slice of the circuit input: [offset, offset + len), len a power of two, offset % len == 0.
 * Components are numbered inputs (spec order), outputs (spec order), hints (if any). */
typedef struct gf_kernel_component {
    int kind;              /* GF_KCOMP_* */
    int32_t io;            /* io index, -1 for the hint component */
    uint64_t len;          /* padded length */
    uint64_t offset;
} gf_kernel_component;

struct gf_kernel_prog;     /* private: evaluator program */
struct gf_kernel_resid;    /* private: where each residual comes from */

typedef struct gf_kernel {
    int field;
    uint32_t n_io;
    gf_kernel_io *io;
    uint64_t n_in_vals;    /* flat inputs array length (inputs + input-outputs, spec order) */
    uint64_t n_out_vals;   /* flat outputs array length (outputs + input-outputs, spec order) */
    uint64_t n_hints;      /* hint values (user hints' outputs and division quotients) */
    uint32_t n_components;
    gf_kernel_component *comp;   /* by ORIGINAL component index */
    int32_t hint_comp;           /* component index of the hints, -1 if n_hints == 0 */
    uint64_t layout_len;         /* sum of component lengths (<= circuit input length) */
    uint64_t n_residuals;        /* outputs of the circuit that carry a constraint */
    uint64_t n_relays;           /* relay (copy) gates inserted by layering */
    gf_circuit *circuit;
    struct gf_kernel_prog *prog;
    uint64_t *resid_src;         /* per residual: assertion source (see gf_kernel_residual_name) */
} gf_kernel;

/* Compiles the builder's recording (the builder is not modified and may be freed after).
 * Errors: the builder's sticky error; no constraints; an input that reaches no constraint
 * ("unused IO"); an output element never assigned; an output depending on a random value;
 * division by a constant zero; an assertion that is a non-zero constant; size limits. */
gf_status gf_kernel_compile(const gf_kernel_builder *kb, gf_kernel **out, gf_error *err);
void gf_kernel_free(gf_kernel *k);                 /* NULL ok */

/* Call-time evaluation of ONE instance. inputs: n_in_vals values (spec order, each array
 * row-major, unpadded). outputs (n_out_vals) and hints (n_hints) may be NULL if not wanted.
 * scratch: gf_kernel_scratch_len(k) values owned by the caller (no allocation then), or NULL
 * to allocate internally. Errors: hint failures (naming the hint), division by zero. */
size_t gf_kernel_scratch_len(const gf_kernel *k);
gf_status gf_kernel_eval(const gf_kernel *k, const gf_m31 *inputs, gf_m31 *outputs, gf_m31 *hints,
                         gf_m31 *scratch, gf_error *err);

/* The circuit input of one instance (2^in_log values): every component padded per dimension
 * by replicating the last element (zkCUDA's device-memory padding, so it equals the slice the
 * prover reads from committed data), at its layout offset; the rest is zero. */
gf_status gf_kernel_assemble_input(const gf_kernel *k, const gf_m31 *inputs, const gf_m31 *outputs,
                                   const gf_m31 *hints, gf_m31 *circuit_input, gf_error *err);

/* Human-readable name of residual (circuit output) i: "assert #3" or "output 'c'[5]". */
void gf_kernel_residual_name(const gf_kernel *k, uint64_t i, char *buf, size_t n);
/* Per-layer sizes and gate counts, coefficients and layout. */
void gf_kernel_print_stats(FILE *f, const gf_kernel *k);

/* ---- Layout and shape helpers (shared with the graph layer) ----------------------------- */

/* Places n components of power-of-two lengths: sorted by length descending, ties by higher
 * index first, consecutive (so each is aligned to its length). offset[i] is indexed by the
 * original component index; *total receives the sum. Errors on a non-power-of-two length. */
gf_status gf_kernel_layout(uint32_t n, const uint64_t *len, uint64_t *offset, uint64_t *total,
                           gf_error *err);
/* Product of next_pow2(dims[j]) (1 for ndims = 0). */
uint64_t gf_shape_padded_len(uint32_t ndims, const uint64_t *dims);
/* Position of row-major element i of shape dims inside the padded shape. */
uint64_t gf_shape_padded_index(uint32_t ndims, const uint64_t *dims, uint64_t i);
/* dst[0..padded_len) := src (row-major, shape dims) padded per dimension by replicating the
 * last element/row/block. */
void gf_shape_pad_replicate_m31(uint32_t ndims, const uint64_t *dims, const gf_m31 *src, gf_m31 *dst);

#endif
