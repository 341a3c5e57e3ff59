/* Example kernels and programs (see kernels.h). */
#include "kernels.h"
#include <stdlib.h>

/* sum of a[0..n) into the scalar output */
static gf_status kernel_sum(uint64_t n, gf_kernel **out, gf_error *err) {
    *out = NULL;
    gf_kernel_builder *kb = gf_kb_new(GF_FIELD_M31, err);
    if (!kb) return err ? err->code : GF_ERR_NOMEM;
    int a = gf_kb_input(kb, "a", 1, &n);
    int b = gf_kb_output(kb, "b", 0, NULL);
    gf_var acc = gf_kb_in(kb, a, 0);
    for (uint64_t i = 1; i < n; i++) acc = gf_kb_add(kb, acc, gf_kb_in(kb, a, i));
    gf_kb_set(kb, b, 0, acc);
    gf_status st = gf_kernel_compile(kb, out, err);
    gf_kb_free(kb);
    return st;
}

gf_status gf_example_kernel_add_2(gf_kernel **out, gf_error *err) { return kernel_sum(2, out, err); }
gf_status gf_example_kernel_add_16(gf_kernel **out, gf_error *err) { return kernel_sum(16, out, err); }

gf_status gf_example_kernel_mul_line(uint64_t k, uint64_t m, gf_kernel **out, gf_error *err) {
    *out = NULL;
    gf_kernel_builder *kb = gf_kb_new(GF_FIELD_M31, err);
    if (!kb) return err ? err->code : GF_ERR_NOMEM;
    uint64_t bd[2] = { k, m };
    int a = gf_kb_input(kb, "a", 1, &k);
    int b = gf_kb_input(kb, "b", 2, bd);
    int c = gf_kb_output(kb, "c", 1, &m);
    for (uint64_t j = 0; j < m; j++) {
        gf_var acc = gf_kb_mul(kb, gf_kb_in(kb, a, 0), gf_kb_in(kb, b, j));
        for (uint64_t i = 1; i < k; i++)
            acc = gf_kb_add(kb, acc, gf_kb_mul(kb, gf_kb_in(kb, a, i), gf_kb_in(kb, b, i * m + j)));
        gf_kb_set(kb, c, j, acc);
    }
    gf_status st = gf_kernel_compile(kb, out, err);
    gf_kb_free(kb);
    return st;
}

gf_status gf_example_run_add(gf_context *ctx, const gf_kernel *add_2, const gf_kernel *add_16, const gf_m31 in[32],
                             gf_m31 *sum, gf_error *err) {
    const uint64_t d_in[2] = { 16, 2 }, d_row[2] = { 1, 16 };
    gf_handle a, b2, io[2];
    gf_status st = gf_context_copy_to_device(ctx, in, 2, d_in, &a, err);
    if (st) return st;
    io[0] = a; io[1] = GF_HANDLE_NONE;
    if ((st = gf_context_call_kernel(ctx, add_2, "add_2", 16, io, 2, err))) return st;
    if ((st = gf_context_reshape(ctx, io[1], 2, d_row, &b2, err))) return st;
    io[0] = b2; io[1] = GF_HANDLE_NONE;
    if ((st = gf_context_call_kernel(ctx, add_16, "add_16", 1, io, 2, err))) return st;
    gf_handle c;
    if ((st = gf_context_reshape(ctx, io[1], 0, NULL, &c, err))) return st;
    return gf_context_copy_to_host(ctx, c, sum, 1, err);
}

gf_status gf_example_run_matmul(gf_context *ctx, const gf_kernel *mul_line, uint64_t n, uint64_t k, uint64_t m,
                                const gf_m31 *a, const gf_m31 *b, gf_m31 *c, gf_error *err) {
    const uint64_t da[2] = { n, k }, db[2] = { k, m };
    gf_handle io[3];
    gf_status st = gf_context_copy_to_device(ctx, a, 2, da, &io[0], err);
    if (!st) st = gf_context_copy_to_device(ctx, b, 2, db, &io[1], err);
    if (st) return st;
    io[2] = GF_HANDLE_NONE;
    if ((st = gf_context_call_kernel(ctx, mul_line, "mul_line", n, io, 3, err))) return st;
    return gf_context_copy_to_host(ctx, io[2], c, n * m, err);
}
