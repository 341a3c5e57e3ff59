#ifndef GF_FIELD_M31_BENCH_IMPL_H
#define GF_FIELD_M31_BENCH_IMPL_H
/* Throughput kernels for `gkrflow bench field` (m31_bench*.c), instantiated once per M31x16
 * backend. Each kernel runs several independent dependency chains (so it measures throughput,
 * not latency) for `n` iterations from values in seed[0..47] and returns a checksum of every
 * chain, so the work cannot be optimised away. Kernel k does GF_M31_BENCH_OPS[k] lane-ops per
 * iteration. */
#include <stdint.h>

enum {
    GF_M31_BENCH_MUL,          /* M31x16 x = x * m, 8 chains */
    GF_M31_BENCH_MULADD,       /* M31x16 x = x * m + c, 8 chains */
    GF_M31_BENCH_EXT_MUL,      /* M31Ext3x16 x = x * m, 4 chains */
    GF_M31_BENCH_EXT_MULADD,   /* M31Ext3x16 x = x * m + c, 4 chains */
    GF_M31_BENCH_EXT_SCALE,    /* M31Ext3x16 x = x * s (s: one M31Ext3), 4 chains */
    GF_M31_BENCH_EXT_MULBASE,  /* M31Ext3x16 x = x * b (b: M31x16), 4 chains */
    GF_M31_BENCH_NKERNELS
};
#define GF_M31_BENCH_OPS_INIT {8 * 16, 8 * 16, 4 * 16, 4 * 16, 4 * 16, 4 * 16}

typedef uint64_t (*gf_m31_bench_kernel_fn)(int kernel, uint64_t n, const uint32_t *seed);
/* m31_bench_avx512.c / m31_bench_avx2.c; call only after a run-time CPU check. */
uint64_t gf_m31_bench_kernel_avx512(int kernel, uint64_t n, const uint32_t *seed);
uint64_t gf_m31_bench_kernel_avx2(int kernel, uint64_t n, const uint32_t *seed);

#define GF_M31_BENCH_STEP8(F, ...)                                                                  \
    x0 = F(x0, __VA_ARGS__); x1 = F(x1, __VA_ARGS__); x2 = F(x2, __VA_ARGS__); x3 = F(x3, __VA_ARGS__); \
    x4 = F(x4, __VA_ARGS__); x5 = F(x5, __VA_ARGS__); x6 = F(x6, __VA_ARGS__); x7 = F(x7, __VA_ARGS__);
#define GF_M31_BENCH_STEP4(F, ...)                                                                  \
    e0 = F(e0, __VA_ARGS__); e1 = F(e1, __VA_ARGS__); e2 = F(e2, __VA_ARGS__); e3 = F(e3, __VA_ARGS__);
#define GF_M31_BENCH_LOOP(STEP) _Pragma("GCC unroll 1") for (uint64_t i = 0; i < n; i++) { STEP }

/* Defines `static uint64_t NAME(int kernel, uint64_t n, const uint32_t *seed)` on the M31x16
 * backend with suffix SFX; M31Ext3x16 runs on the translation unit's default backend. */
#define GF_M31_BENCH_DEFINE_KERNELS(NAME, SFX)                                                      \
static __attribute__((noinline)) uint64_t NAME##_x16(int muladd, uint64_t n, const uint32_t *seed) { \
    gf_m31x16 m = gf_m31x16_load##SFX(seed), c = gf_m31x16_load##SFX(seed + 16);                     \
    gf_m31x16 x0 = gf_m31x16_load##SFX(seed + 32), x1 = gf_m31x16_add##SFX(x0, m),                  \
              x2 = gf_m31x16_add##SFX(x1, m), x3 = gf_m31x16_add##SFX(x2, m),                        \
              x4 = gf_m31x16_add##SFX(x3, m), x5 = gf_m31x16_add##SFX(x4, m),                        \
              x6 = gf_m31x16_add##SFX(x5, m), x7 = gf_m31x16_add##SFX(x6, m);                        \
    if (muladd) GF_M31_BENCH_LOOP(GF_M31_BENCH_STEP8(gf_m31x16_mul_add##SFX, m, c))                  \
    else GF_M31_BENCH_LOOP(GF_M31_BENCH_STEP8(gf_m31x16_mul##SFX, m))                                \
    gf_m31x16 s = gf_m31x16_add##SFX(gf_m31x16_add##SFX(gf_m31x16_add##SFX(x0, x1), gf_m31x16_add##SFX(x2, x3)), \
                                     gf_m31x16_add##SFX(gf_m31x16_add##SFX(x4, x5), gf_m31x16_add##SFX(x6, x7))); \
    return gf_m31x16_hsum##SFX(s);                                                                   \
}                                                                                                    \
static __attribute__((noinline)) uint64_t NAME##_ext(int kernel, uint64_t n, const uint32_t *seed) { \
    gf_m31ext3x16 m, c;                                                                              \
    for (int k = 0; k < 3; k++) {                                                                    \
        m.c[k] = gf_m31x16_load(seed + 16 * k);                                                      \
        c.c[k] = gf_m31x16_load(seed + 16 * ((k + 1) % 3));                                          \
    }                                                                                                \
    gf_m31ext3 s = gf_m31ext3x16_lane(&m, 3);                                                        \
    gf_m31x16 b = c.c[1];                                                                            \
    gf_m31ext3x16 e0 = gf_m31ext3x16_add(m, c), e1 = gf_m31ext3x16_add(e0, c),                       \
                  e2 = gf_m31ext3x16_add(e1, c), e3 = gf_m31ext3x16_add(e2, c);                      \
    switch (kernel) {                                                                                \
    case GF_M31_BENCH_EXT_MUL: GF_M31_BENCH_LOOP(GF_M31_BENCH_STEP4(gf_m31ext3x16_mul, m)) break;    \
    case GF_M31_BENCH_EXT_MULADD: GF_M31_BENCH_LOOP(GF_M31_BENCH_STEP4(gf_m31ext3x16_mul_add, m, c)) break; \
    case GF_M31_BENCH_EXT_SCALE: GF_M31_BENCH_LOOP(GF_M31_BENCH_STEP4(gf_m31ext3x16_scale, s)) break; \
    default: GF_M31_BENCH_LOOP(GF_M31_BENCH_STEP4(gf_m31ext3x16_mul_base, b)) break;                 \
    }                                                                                                \
    gf_m31ext3 h = gf_m31ext3x16_hsum(gf_m31ext3x16_add(gf_m31ext3x16_add(e0, e1), gf_m31ext3x16_add(e2, e3))); \
    return ((uint64_t)h.c[0] << 32) ^ ((uint64_t)h.c[1] << 16) ^ h.c[2];                             \
}                                                                                                    \
static uint64_t NAME(int kernel, uint64_t n, const uint32_t *seed) {                                 \
    return kernel <= GF_M31_BENCH_MULADD ? NAME##_x16(kernel == GF_M31_BENCH_MULADD, n, seed)        \
                                         : NAME##_ext(kernel, n, seed);                              \
}

#endif
