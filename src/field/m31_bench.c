/* `gkrflow bench field`, M31 part: multiplications and multiply-adds per second on one core for
 * scalar M31, M31x16 on each backend this CPU runs, M31Ext3 and M31Ext3x16 (per backend).
 * Each figure is the median of `reps` timed runs of about 10 ms. The scalar kernels are built
 * with auto-vectorisation off, so "scalar" means one element per instruction. */
/* The library's default M31x16 backend (same rule as field/m31x16.h), before this file
 * forces its own M31Ext3x16 onto the scalar backend. */
#if defined(__x86_64__) && defined(__AVX512F__) && !defined(GKRFLOW_FORCE_SCALAR) && !defined(GKRFLOW_FORCE_AVX2)
#define GF_M31_BENCH_LIB_BACKEND "avx512"
#elif defined(__x86_64__) && defined(__AVX2__) && !defined(GKRFLOW_FORCE_SCALAR)
#define GF_M31_BENCH_LIB_BACKEND "avx2"
#else
#define GF_M31_BENCH_LIB_BACKEND "scalar"
#endif
#ifndef GKRFLOW_FORCE_SCALAR
#define GKRFLOW_FORCE_SCALAR 1
#endif
#include <stdlib.h>
#include "common/bench.h"
#include "common/rng.h"
#include "common/util.h"
#include "field/m31ext3x16.h"
#include "field/m31_bench_impl.h"

#define GF_M31_BENCH_SCALAR __attribute__((noinline, optimize("no-tree-vectorize")))

/* 8 chains x = x * m (+ c); returns a checksum. */
static GF_M31_BENCH_SCALAR uint64_t bench_m31(int muladd, uint64_t n, const uint32_t *seed) {
    gf_m31 m = seed[0], c = seed[1];
    gf_m31 x0 = seed[2], x1 = seed[3], x2 = seed[4], x3 = seed[5], x4 = seed[6], x5 = seed[7], x6 = seed[8], x7 = seed[9];
#define MUL_(x, ...) gf_m31_mul(x, m)
#define FMA_(x, ...) gf_m31_add(gf_m31_mul(x, m), c)
    if (muladd) GF_M31_BENCH_LOOP(GF_M31_BENCH_STEP8(FMA_, 0))
    else GF_M31_BENCH_LOOP(GF_M31_BENCH_STEP8(MUL_, 0))
#undef MUL_
#undef FMA_
    return (uint64_t)x0 + x1 + x2 + x3 + x4 + x5 + x6 + x7;
}

/* 4 chains e = e * m (+ c) in M31Ext3. */
static GF_M31_BENCH_SCALAR uint64_t bench_m31ext3(int muladd, uint64_t n, const uint32_t *seed) {
    gf_m31ext3 m = {{seed[0], seed[1], seed[2]}}, c = {{seed[3], seed[4], seed[5]}};
    gf_m31ext3 e0 = {{seed[6], seed[7], seed[8]}}, e1 = gf_m31ext3_add(e0, c), e2 = gf_m31ext3_add(e1, c),
               e3 = gf_m31ext3_add(e2, c);
#define MUL_(x, ...) gf_m31ext3_mul(x, m)
#define FMA_(x, ...) gf_m31ext3_add(gf_m31ext3_mul(x, m), c)
    if (muladd) GF_M31_BENCH_LOOP(GF_M31_BENCH_STEP4(FMA_, 0))
    else GF_M31_BENCH_LOOP(GF_M31_BENCH_STEP4(MUL_, 0))
#undef MUL_
#undef FMA_
    gf_m31ext3 s = gf_m31ext3_add(gf_m31ext3_add(e0, e1), gf_m31ext3_add(e2, e3));
    return ((uint64_t)s.c[0] << 32) ^ ((uint64_t)s.c[1] << 16) ^ s.c[2];
}

static uint64_t bench_scalar_fields(int kernel, uint64_t n, const uint32_t *seed) {
    return kernel < 2 ? bench_m31(kernel, n, seed) : bench_m31ext3(kernel - 2, n, seed);
}

/* M31x16 and M31Ext3x16 on the scalar backend (the forced default of this file). */
#pragma GCC push_options
#pragma GCC optimize("no-tree-vectorize")
GF_M31_BENCH_DEFINE_KERNELS(bench_generic, _generic)
/* 16 scalar lanes are already 16 independent chains; more chains only add spills. */
static __attribute__((noinline)) uint64_t bench_generic_x16_1(int muladd, uint64_t n, const uint32_t *seed) {
    gf_m31x16 m = gf_m31x16_load_generic(seed), c = gf_m31x16_load_generic(seed + 16);
    gf_m31x16 x = gf_m31x16_load_generic(seed + 32);
    if (muladd) GF_M31_BENCH_LOOP(x = gf_m31x16_mul_add_generic(x, m, c);)
    else GF_M31_BENCH_LOOP(x = gf_m31x16_mul_generic(x, m);)
    return gf_m31x16_hsum_generic(x);
}
#pragma GCC pop_options
static uint64_t bench_scalar_path(int kernel, uint64_t n, const uint32_t *seed) {
    return kernel <= GF_M31_BENCH_MULADD ? bench_generic_x16_1(kernel == GF_M31_BENCH_MULADD, n, seed)
                                         : bench_generic(kernel, n, seed);
}

/* Median over reps of ops/second, each run sized to about 10 ms. */
static double measure(gf_m31_bench_kernel_fn fn, int kernel, double ops_per_iter, int reps,
                      const uint32_t *seed, uint64_t *sink) {
    uint64_t n = 64;
    double t = 0;
    for (;;) {   /* calibrate: grow until one run takes >= 2 ms */
        double t0 = gf_now_seconds();
        *sink ^= fn(kernel, n, seed);
        t = gf_now_seconds() - t0;
        if (t >= 2e-3 || n >= (1ull << 40)) break;
        n *= 4;
    }
    double scale = 0.010 / (t > 1e-9 ? t : 1e-9);
    n = (uint64_t)((double)n * (scale < 1 ? 1 : scale));
    double *rates = malloc((size_t)reps * sizeof *rates);
    if (!rates) return 0;
    for (int r = 0; r < reps; r++) {
        double t0 = gf_now_seconds();
        *sink ^= fn(kernel, n, seed);
        double dt = gf_now_seconds() - t0;
        rates[r] = (double)n * ops_per_iter / (dt > 1e-9 ? dt : 1e-9);
    }
    double med = gf_bench_median(rates, reps);
    free(rates);
    return med;
}

/* x16_ops: lane-ops per iteration of fn's M31x16 kernels (the rest as GF_M31_BENCH_OPS_INIT). */
static void bench_path(gf_bench_out *out, const char *path, gf_m31_bench_kernel_fn fn, double x16_ops,
                       int reps, const uint32_t *seed, uint64_t *sink) {
    double ops[GF_M31_BENCH_NKERNELS] = GF_M31_BENCH_OPS_INIT;
    ops[GF_M31_BENCH_MUL] = ops[GF_M31_BENCH_MULADD] = x16_ops;
    static const char *const what[GF_M31_BENCH_NKERNELS][2] = {
        {"m31x16_%s_mul", "lane-mul/s"}, {"m31x16_%s_muladd", "lane-muladd/s"},
        {"m31ext3x16_%s_mul", "lane-mul/s"}, {"m31ext3x16_%s_muladd", "lane-muladd/s"},
        {"m31ext3x16_%s_scale", "lane-mul/s"}, {"m31ext3x16_%s_mul_base", "lane-mul/s"}};
    for (int k = 0; k < GF_M31_BENCH_NKERNELS; k++) {
        char metric[64];
        snprintf(metric, sizeof metric, what[k][0], path);
        gf_bench_emit(out, metric, measure(fn, k, ops[k], reps, seed, sink), what[k][1]);
    }
}

void gf_bench_field_m31(gf_bench_out *out, int reps) {
    uint32_t seed[48];
    gf_rng rng;
    gf_rng_seed(&rng, 31);
    for (int i = 0; i < 48; i++) seed[i] = gf_m31_random(&rng);
    volatile uint64_t sink_out;
    uint64_t sink = 0;

    gf_bench_emit(out, "m31_mul", measure(bench_scalar_fields, 0, 8, reps, seed, &sink), "mul/s");
    gf_bench_emit(out, "m31_muladd", measure(bench_scalar_fields, 1, 8, reps, seed, &sink), "muladd/s");
    gf_bench_emit(out, "m31ext3_mul", measure(bench_scalar_fields, 2, 4, reps, seed, &sink), "mul/s");
    gf_bench_emit(out, "m31ext3_muladd", measure(bench_scalar_fields, 3, 4, reps, seed, &sink), "muladd/s");
    bench_path(out, "scalar", bench_scalar_path, 16, reps, seed, &sink);
#if defined(__x86_64__)
    if (__builtin_cpu_supports("avx2")) bench_path(out, "avx2", gf_m31_bench_kernel_avx2, 8 * 16, reps, seed, &sink);
    else gf_bench_note(out, "m31: CPU has no AVX2, AVX2 path skipped");
    if (__builtin_cpu_supports("avx512f")) bench_path(out, "avx512", gf_m31_bench_kernel_avx512, 8 * 16, reps, seed, &sink);
    else gf_bench_note(out, "m31: CPU has no AVX-512F, AVX-512 path skipped");
#endif
    gf_bench_note(out, "m31: the library's M31x16 backend in this build: %s", GF_M31_BENCH_LIB_BACKEND);
    sink_out = sink;
    (void)sink_out;
}
