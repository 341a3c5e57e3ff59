#ifndef GF_COMMON_POOL_H
#define GF_COMMON_POOL_H
/* gf_pool: a fixed set of worker threads for data-parallel loops inside one process.
 * gf_pool_run(pool, n, fn, ctx) splits [0, n) into contiguous chunks (a few per thread),
 * which the caller's thread and the workers claim until none is left; it returns when all
 * are done. fn may therefore be called several times with the same thread index: per-thread
 * accumulators must add, not assign. Workers spin briefly
 * before sleeping because a proof runs thousands of short parallel loops (one per sumcheck
 * round), where a condition-variable wake-up alone would cost more than the work.
 * One pool is used by one caller thread at a time. A NULL pool or 1 thread runs inline. */
#include <stddef.h>
#include "common/error.h"

/* Per-thread accumulators in the provers are sized for this many threads; more cores are
 * used through MPI ranks. */
#define GF_POOL_MAX_THREADS 64

typedef struct gf_pool gf_pool;
/* fn is called as fn(ctx, thread_index, begin, end) with begin < end. */
typedef void (*gf_pool_fn)(void *ctx, int tid, size_t begin, size_t end);

gf_status gf_pool_new(gf_pool **out, int n_threads, gf_error *err);
void gf_pool_free(gf_pool *p);
int gf_pool_threads(const gf_pool *p);     /* 1 for NULL */
void gf_pool_run(gf_pool *p, size_t n, gf_pool_fn fn, void *ctx);
/* Threads to use by default: GKRFLOW_THREADS if set and valid, else online CPUs (at most
 * GF_POOL_MAX_THREADS). */
int gf_pool_default_threads(void);
/* The same, but a GKRFLOW_THREADS that is set and not a decimal count in 1..GF_POOL_MAX_THREADS
 * is GF_ERR_INVALID naming the variable and its value (*out then holds the CPU count). */
gf_status gf_pool_env_threads(int *out, gf_error *err);

#endif
