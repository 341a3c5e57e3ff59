/* Thread pool: many short jobs of varying sizes (the prover runs thousands per proof), each
 * summing its index range into per-thread accumulators; every job's total must be exact. A
 * chunk run twice or skipped (e.g. a late worker reading the next job's parameters) changes
 * the sum. Also: jobs smaller than the thread count, n = 0 and 1, and a NULL pool. */
#include <stdatomic.h>
#include "common/pool.h"
#include "testutil.h"

typedef struct { uint64_t acc[64]; _Atomic uint64_t calls; } job;

static void sum_range(void *ctx, int tid, size_t b, size_t e) {
    job *J = ctx;
    for (size_t i = b; i < e; i++) J->acc[tid] += i * i + 1;
    atomic_fetch_add(&J->calls, 1);
}

static uint64_t expect(size_t n) { uint64_t s = 0; for (size_t i = 0; i < n; i++) s += i * i + 1; return s; }

static void run_many(gf_rng *rng, gf_pool *pool, int jobs) {
    int bad = 0;
    for (int it = 0; it < jobs && bad < 5; it++) {
        size_t n = it % 7 == 0 ? (size_t)gf_rng_below(rng, 4) : (size_t)gf_rng_below(rng, 5000);
        job J;
        memset(J.acc, 0, sizeof J.acc);
        atomic_store(&J.calls, 0);
        gf_pool_run(pool, n, sum_range, &J);
        uint64_t s = 0;
        for (int t = 0; t < 64; t++) s += J.acc[t];
        if (s != expect(n)) { bad++; fprintf(stderr, "job %d, n = %zu: sum %llu, expected %llu\n", it, n, (unsigned long long)s, (unsigned long long)expect(n)); }
    }
    CHECK_EQ_U64(bad, 0);
}

static void test_pools(gf_rng *rng) {
    gf_error err;
    run_many(rng, NULL, 200);
    for (int threads = 1; threads <= 4; threads++) {
        gf_pool *p = NULL;
        REQUIRE(gf_pool_new(&p, threads, &err) == GF_OK);
        CHECK_EQ_U64(gf_pool_threads(p), threads);
        run_many(rng, p, 6000);
        gf_pool_free(p);
    }
    gf_pool *p = NULL;
    CHECK(gf_pool_new(&p, 0, &err) == GF_ERR_INVALID);
    CHECK(gf_pool_new(&p, GF_POOL_MAX_THREADS + 1, &err) == GF_ERR_INVALID);
    REQUIRE(gf_pool_new(&p, GF_POOL_MAX_THREADS, &err) == GF_OK);
    run_many(rng, p, 50);
    gf_pool_free(p);
}

int main(void) {
    TEST_BEGIN();
    RUN(test_pools);
    return TEST_END();
}
