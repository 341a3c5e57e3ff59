/* `gkrflow bench field`, BN254 Fr part: mul, sqr, mul-add and inverse throughput on one core.
 * Throughput kernels run GF_BN254FR_BENCH_CHAINS independent dependency chains so the CPU can
 * overlap multiplications; one chain would measure latency instead. */
#include <string.h>

#include "common/bench.h"
#include "common/rng.h"
#include "common/util.h"
#include "field/bn254fr.h"

#define GF_BN254FR_BENCH_CHAINS 8
/* ~0.05 s per run at 40e6 mul/s: with the default 5 runs the whole Fr part stays near 1.5 s. */
#define GF_BN254FR_BENCH_ITERS 250000
#define GF_BN254FR_BENCH_INVS 3000

typedef struct gf_bn254fr_bench_state {
    gf_bn254fr x[GF_BN254FR_BENCH_CHAINS], y[GF_BN254FR_BENCH_CHAINS], c[GF_BN254FR_BENCH_CHAINS];
} gf_bn254fr_bench_state;

/* Folds every chain into one word so the compiler cannot drop the work. */
static uint64_t gf_bn254fr_bench_sink(const gf_bn254fr_bench_state *s) {
    uint64_t h = 0;
    for (int k = 0; k < GF_BN254FR_BENCH_CHAINS; k++) h ^= s->x[k].l[0] ^ s->x[k].l[3];
    return h;
}

/* One timing per kernel: returns operations per second. */
#define GF_BN254FR_BENCH_KERNEL(name, body)                                              \
    static double name(gf_bn254fr_bench_state *s, uint64_t *sink) {                     \
        gf_bn254fr x[GF_BN254FR_BENCH_CHAINS];                                          \
        memcpy(x, s->x, sizeof x);                                                      \
        double t0 = gf_now_seconds();                                                   \
        for (int it = 0; it < GF_BN254FR_BENCH_ITERS; it++) {                           \
            for (int k = 0; k < GF_BN254FR_BENCH_CHAINS; k++) { body; }                 \
        }                                                                               \
        double dt = gf_now_seconds() - t0;                                              \
        memcpy(s->x, x, sizeof x);                                                      \
        *sink ^= gf_bn254fr_bench_sink(s);                                              \
        return (double)GF_BN254FR_BENCH_ITERS * GF_BN254FR_BENCH_CHAINS / dt;           \
    }

GF_BN254FR_BENCH_KERNEL(gf_bn254fr_bench_mul, gf_bn254fr_mul(&x[k], &x[k], &s->y[k]))
GF_BN254FR_BENCH_KERNEL(gf_bn254fr_bench_sqr, gf_bn254fr_sqr(&x[k], &x[k]))
GF_BN254FR_BENCH_KERNEL(gf_bn254fr_bench_muladd,
                        gf_bn254fr_mul(&x[k], &x[k], &s->y[k]); gf_bn254fr_add(&x[k], &x[k], &s->c[k]))
#ifdef GF_BN254FR_USE_ADX
/* the portable path, for comparison with the asm one this build uses */
GF_BN254FR_BENCH_KERNEL(gf_bn254fr_bench_mul_int128, gf_bn254fr_mul_int128(&x[k], &x[k], &s->y[k]))
#endif

static double gf_bn254fr_bench_inv(gf_bn254fr_bench_state *s, uint64_t *sink) {
    gf_bn254fr x = s->x[0];
    double t0 = gf_now_seconds();
    for (int it = 0; it < GF_BN254FR_BENCH_INVS; it++) {
        gf_bn254fr_inv(&x, &x);
        gf_bn254fr_add(&x, &x, &s->c[0]);   /* keeps the chain away from a 2-cycle */
    }
    double dt = gf_now_seconds() - t0;
    s->x[0] = x;
    *sink ^= gf_bn254fr_bench_sink(s);
    return GF_BN254FR_BENCH_INVS / dt;
}

static void gf_bn254fr_bench_run(gf_bench_out *out, int reps, gf_bn254fr_bench_state *s, uint64_t *sink,
                                 double (*kernel)(gf_bn254fr_bench_state *, uint64_t *),
                                 const char *metric, const char *unit) {
    double xs[1000];
    if (reps > 1000) reps = 1000;
    kernel(s, sink);   /* warm-up: clocks, caches */
    for (int i = 0; i < reps; i++) xs[i] = kernel(s, sink);
    gf_bench_emit(out, metric, gf_bench_median(xs, reps), unit);
}

void gf_bench_field_bn254(gf_bench_out *out, int reps) {
    gf_bn254fr_bench_state s;
    gf_rng rng;
    gf_rng_seed(&rng, 0x626e323534ull);
    for (int k = 0; k < GF_BN254FR_BENCH_CHAINS; k++) {
        gf_bn254fr_random(&s.x[k], &rng);
        gf_bn254fr_random(&s.y[k], &rng);
        gf_bn254fr_random(&s.c[k], &rng);
    }
    uint64_t sink = 0;
    gf_bench_note(out, "bn254fr: backend %s, %d independent chains", gf_bn254fr_backend(), GF_BN254FR_BENCH_CHAINS);
    gf_bn254fr_bench_run(out, reps, &s, &sink, gf_bn254fr_bench_mul, "bn254fr_mul", "mul/s");
    gf_bn254fr_bench_run(out, reps, &s, &sink, gf_bn254fr_bench_sqr, "bn254fr_sqr", "sqr/s");
    gf_bn254fr_bench_run(out, reps, &s, &sink, gf_bn254fr_bench_muladd, "bn254fr_muladd", "mul-add/s");
#ifdef GF_BN254FR_USE_ADX
    gf_bn254fr_bench_run(out, reps, &s, &sink, gf_bn254fr_bench_mul_int128, "bn254fr_mul_int128", "mul/s");
#endif
    gf_bn254fr_bench_run(out, reps, &s, &sink, gf_bn254fr_bench_inv, "bn254fr_inv", "inv/s");
    __asm__ volatile("" : : "r"(sink));   /* the results are used: keep the work */
}
