#ifndef GF_EXAMPLES_KERNELS_H
#define GF_EXAMPLES_KERNELS_H
/* Example kernels and programs (zkCUDA's reference examples), reusable by tests and the CLI
 * demo. Kernels are M31; the caller frees them with gf_kernel_free. Programs run on a
 * context in the RECORDING state and leave it there (compile or load the graph afterwards). */
#include <stdint.h>
#include "common/error.h"
#include "field/m31.h"
#include "frontend/kernel.h"
#include "graph/context.h"

/* add_2: input a[2], output b (scalar) = a[0] + a[1]. */
gf_status gf_example_kernel_add_2(gf_kernel **out, gf_error *err);
/* add_16: input a[16], output b (scalar) = sum of a. */
gf_status gf_example_kernel_add_16(gf_kernel **out, gf_error *err);
/* mul_line: inputs a[k], b[k][m], output c[m] with c[j] = sum_i a[i] * b[i][j]. */
gf_status gf_example_kernel_mul_line(uint64_t k, uint64_t m, gf_kernel **out, gf_error *err);

/* zkCUDA's add example: in[32] copied as [16][2]; add_2 over 16 instances -> [16];
 * reshaped to [1][16]; add_16 once -> [1]; *sum receives the result (= sum of in).
 * Calls are named "add_2" and "add_16". */
gf_status gf_example_run_add(gf_context *ctx, const gf_kernel *add_2, const gf_kernel *add_16, const gf_m31 in[32],
                             gf_m31 *sum, gf_error *err);
/* Matrix product c[n][m] = a[n][k] * b[k][m] with one mul_line(k, m) instance per row of a
 * (a partitioned, b broadcast); c (n*m values, row-major) receives the result. The call is
 * named "mul_line". */
gf_status gf_example_run_matmul(gf_context *ctx, const gf_kernel *mul_line, uint64_t n, uint64_t k, uint64_t m,
                                const gf_m31 *a, const gf_m31 *b, gf_m31 *c, gf_error *err);

#endif
