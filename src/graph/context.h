#ifndef GF_GRAPH_CONTEXT_H
#define GF_GRAPH_CONTEXT_H
/* Context: zkCUDA's programming model (device memories, handles, kernel calls) recording a
 * computation graph (graph.h) and producing its witness. No global state: everything lives
 * in the gf_context.
 *
 * Model.
 *   - A device memory (DM) is a flat vector of M31 values, created by copy_to_device or as a
 *     kernel call's output. DMs are numbered in creation order; each is one committed vector.
 *   - A handle names a *view* of one DM: a shape whose product is the DM length. reshape
 *     returns a new handle on the same DM (old handles stay valid); transpose returns a
 *     transposed view, which only copy_to_host accepts (we do not implement bit orders, so a
 *     kernel never reads a transposed view: rejected, not silently mis-proved as in zkCUDA).
 *     Handles are small integers (GF_HANDLE_NONE = 0 is never valid), numbered in creation
 *     order, so a replay of the same program gets the same handles.
 *   - call_kernel(k, N, ios): ios[i] per kernel io (spec order). An input io's handle shape
 *     must equal the io shape K (broadcast: every instance reads the whole array) or be
 *     [N] ++ K (partitioned: instance p reads slice p). Anything else is an error, as is a
 *     call where every io is broadcast. Output slots must be GF_HANDLE_NONE and receive a new
 *     DM of shape [N] ++ K; an input-output slot holds its input handle and receives the new
 *     output handle. Input slots are left unchanged. All N instances are evaluated at call
 *     time (gf_kernel_eval, in parallel on the context's pool); assertions are not checked
 *     there (zkCUDA semantics: a violated one shows up as a non-zero residual when proving).
 *     Hint values are stored per call and become the call's hint commitment.
 *   - Shapes. Each DM keeps the sorted set of split points (suffix products) that its views
 *     used in calls require; consecutive points must divide each other, else "illegal shape
 *     operation". Unlike zkCUDA (which recompiles a kernel per padded shape), a compiled
 *     kernel has one fixed layout, so a view used in a call contributes every split of its
 *     shape, and another view may split a kernel dimension further only where the inner part
 *     is a power of two (the padded positions are then unchanged).
 *   - compile_graph: propagates split points to a fixpoint so that all non-broadcast
 *     components of a call factor their instances alike (zkCUDA step A), pads every DM per
 *     dimension of its split shape by replicating the last element/row/block, pads instance
 *     counts to powers of two (padding instances replicate real ones), and emits one template
 *     per call in call order: commitment indices of the inputs, the outputs, then the call's
 *     hint vector. Hint vectors get commitment ids after all DMs, in call order. Kernels are
 *     deduplicated by pointer (first-use order) and the graph owns copies of their circuits.
 *   - load_graph: for a context that replayed the same program with new data: checks that
 *     the graph is the one this program compiles to (kernels by template, so the i-th call is
 *     compared with the i-th template's kernel), naming the first differing call.
 *
 * State machine (errors instead of panics):
 *   RECORDING --compile_graph | load_graph--> GRAPH_DONE --solve_witness--> WITNESS_DONE.
 *   copy_to_device and call_kernel: RECORDING only (later DMs would shift the hint ids).
 *   compile/load: RECORDING only, once. solve_witness: GRAPH_DONE. export_witness:
 *   WITNESS_DONE. reshape, transpose, shape queries and copy_to_host: any state.
 *   A failed call_kernel / copy_to_device changes nothing. A failed compile/load leaves the
 *   context RECORDING.
 *
 * Lifetimes: kernels passed to call_kernel must outlive the context (it keeps pointers; the
 * graph does not). The pool (may be NULL: single-threaded) must outlive the context. */
#include <stdint.h>
#include "common/error.h"
#include "common/pool.h"
#include "field/m31.h"
#include "frontend/kernel.h"
#include "graph/graph.h"

typedef struct gf_context gf_context;
typedef uint32_t gf_handle;
#define GF_HANDLE_NONE 0u
#define GF_CONTEXT_MAX_DIMS 16u
/* A DM holds at most 2^34 values; its padded length is at most 2^40. */
#define GF_CONTEXT_MAX_LEN (1ull << 34)

enum { GF_CTX_RECORDING = 0, GF_CTX_GRAPH_DONE = 1, GF_CTX_WITNESS_DONE = 2 };

gf_status gf_context_new(gf_context **out, gf_pool *pool, gf_error *err);
void gf_context_free(gf_context *ctx);                 /* NULL ok */
int gf_context_state(const gf_context *ctx);

/* A new DM holding vals[0..prod(dims)) (canonical values), viewed with shape dims
 * (ndims = 0: a scalar). */
gf_status gf_context_copy_to_device(gf_context *ctx, const gf_m31 *vals, uint32_t ndims, const uint64_t *dims,
                                    gf_handle *out, gf_error *err);
/* A new view of h's DM with shape dims (same element count, else "illegal shape operation"
 * naming the handle and both shapes). h must not be transposed. */
gf_status gf_context_reshape(gf_context *ctx, gf_handle h, uint32_t ndims, const uint64_t *dims,
                             gf_handle *out, gf_error *err);
/* A transposed view: dimension j of the result is dimension axes[j] of h (axes a permutation
 * of 0..ndims-1). Only copy_to_host and further transposes accept it. */
gf_status gf_context_transpose(gf_context *ctx, gf_handle h, const uint32_t *axes, gf_handle *out, gf_error *err);
/* Shape of a view (dims: GF_CONTEXT_MAX_DIMS entries). */
gf_status gf_context_shape(const gf_context *ctx, gf_handle h, uint32_t *ndims, uint64_t *dims, gf_error *err);
uint64_t gf_context_len(const gf_context *ctx, gf_handle h);      /* element count, 0 if h is invalid */
/* The DM behind a handle (its commitment index in the graph), or -1 if h is invalid. */
int64_t gf_context_device_memory(const gf_context *ctx, gf_handle h);
/* out[0..n) := the view's values in row-major order of its shape (n = its element count). */
gf_status gf_context_copy_to_host(const gf_context *ctx, gf_handle h, gf_m31 *out, uint64_t n, gf_error *err);

/* One kernel call of parallel_count (>= 1) instances; ios: n_ios = k->n_io slots, see above.
 * name (may be NULL or "") names the kernel in the graph and in messages; a kernel called
 * several times keeps the name of its first call. */
gf_status gf_context_call_kernel(gf_context *ctx, const gf_kernel *k, const char *name, uint64_t parallel_count,
                                 gf_handle *ios, uint32_t n_ios, gf_error *err);

gf_status gf_context_compile_graph(gf_context *ctx, gf_graph **out, gf_error *err);
/* g must be the graph this program compiles to (GF_ERR_INVALID naming the first difference). */
gf_status gf_context_load_graph(gf_context *ctx, const gf_graph *g, gf_error *err);
/* Hints are computed at call time, so this only closes the witness. */
gf_status gf_context_solve_witness(gf_context *ctx, gf_error *err);
/* The committed vectors padded, in commitment order, with g's digest. g must match the
 * context (as for load_graph). */
gf_status gf_context_export_witness(gf_context *ctx, const gf_graph *g, gf_graph_witness **out, gf_error *err);

uint32_t gf_context_n_device_memories(const gf_context *ctx);
uint32_t gf_context_n_calls(const gf_context *ctx);

#endif
