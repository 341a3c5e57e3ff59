#define _GNU_SOURCE
#include "common/pool.h"
#include "common/util.h"
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <unistd.h>

/* Work is cut into a few chunks per thread and claimed through an atomic counter, so a
 * worker that is descheduled (shared machine, oversubscribed ranks) does not stall the
 * loop: the caller and the other workers take its chunks. A job ends only when every worker
 * has acknowledged it, so no worker can still be claiming chunks when the next job's
 * parameters and counters are written (a late worker would otherwise run a chunk of the
 * next job twice). */
#define CHUNKS_PER_THREAD 8

struct gf_pool {
    int n;                          /* threads including the caller */
    pthread_t *th;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    _Atomic unsigned long gen;      /* bumped once per job */
    struct { _Alignas(64) _Atomic size_t next; } *own;   /* per thread: next own chunk to claim */
    _Atomic size_t done;            /* chunks finished */
    _Atomic int acked;              /* workers done with the current job */
    _Atomic int stop;
    gf_pool_fn fn;
    void *ctx;
    size_t njobs, nchunks;
};

typedef struct { gf_pool *p; int tid; } worker_arg;

static inline void cpu_relax(void) {
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#endif
}

/* Chunks of owner o are [o * cpt, (o + 1) * cpt) of nchunks = n_threads * cpt. */
static void work(gf_pool *p, int tid) {
    const size_t n = p->njobs, c = p->nchunks, cpt = c / (size_t)p->n;
    for (int d = 0; d < p->n; d++) {
        int o = (tid + d) % p->n;
        for (;;) {
            size_t k = atomic_fetch_add_explicit(&p->own[o].next, 1, memory_order_acq_rel);
            if (k >= cpt) break;
            k += (size_t)o * cpt;
            size_t b = n * k / c, e = n * (k + 1) / c;
            if (b < e) p->fn(p->ctx, tid, b, e);
            atomic_fetch_add_explicit(&p->done, 1, memory_order_acq_rel);
        }
    }
}

static void *worker(void *argp) {
    worker_arg *a = argp;
    gf_pool *p = a->p;
    int tid = a->tid;
    free(a);
    unsigned long seen = 0;
    for (;;) {
        unsigned long g;
        int spins = 0;
        while ((g = atomic_load_explicit(&p->gen, memory_order_acquire)) == seen && !atomic_load(&p->stop)) {
            /* spin briefly, then yield the core (other work may be waiting for it), then sleep */
            if (++spins < 4000) { cpu_relax(); continue; }
            if (spins < 4200) { sched_yield(); continue; }
            pthread_mutex_lock(&p->mu);
            while (atomic_load(&p->gen) == seen && !atomic_load(&p->stop)) pthread_cond_wait(&p->cv, &p->mu);
            pthread_mutex_unlock(&p->mu);
        }
        if (atomic_load(&p->stop)) return NULL;
        seen = g;
        work(p, tid);
        atomic_fetch_add_explicit(&p->acked, 1, memory_order_acq_rel);
    }
}

gf_status gf_pool_new(gf_pool **out, int n_threads, gf_error *err) {
    *out = NULL;
    if (n_threads < 1 || n_threads > GF_POOL_MAX_THREADS)
        return gf_error_set(err, GF_ERR_INVALID, "thread count %d out of range 1..%d", n_threads, GF_POOL_MAX_THREADS);
    gf_pool *p = calloc(1, sizeof *p);
    if (!p) return gf_error_set(err, GF_ERR_NOMEM, "out of memory creating a thread pool");
    p->n = n_threads;
    pthread_mutex_init(&p->mu, NULL);
    pthread_cond_init(&p->cv, NULL);
    p->th = calloc((size_t)n_threads, sizeof *p->th);
    p->own = gf_alloc_aligned((size_t)n_threads, sizeof *p->own);
    if (!p->th || !p->own) { gf_pool_free(p); return gf_error_set(err, GF_ERR_NOMEM, "out of memory creating a thread pool"); }
    for (int i = 1; i < n_threads; i++) {
        worker_arg *a = malloc(sizeof *a);
        if (a) { a->p = p; a->tid = i; }
        if (!a || pthread_create(&p->th[i], NULL, worker, a) != 0) {
            free(a);
            p->n = i;   /* only join what started */
            gf_pool_free(p);
            return gf_error_set(err, GF_ERR_INTERNAL, "could not start worker thread %d of %d", i, n_threads);
        }
    }
    *out = p;
    return GF_OK;
}

void gf_pool_free(gf_pool *p) {
    if (!p) return;
    pthread_mutex_lock(&p->mu);
    atomic_store(&p->stop, 1);
    pthread_cond_broadcast(&p->cv);
    pthread_mutex_unlock(&p->mu);
    for (int i = 1; i < p->n; i++)
        if (p->th && p->th[i]) pthread_join(p->th[i], NULL);
    pthread_mutex_destroy(&p->mu);
    pthread_cond_destroy(&p->cv);
    free(p->th);
    gf_free_aligned(p->own);
    free(p);
}

int gf_pool_threads(const gf_pool *p) { return p ? p->n : 1; }

void gf_pool_run(gf_pool *p, size_t n, gf_pool_fn fn, void *ctx) {
    if (n == 0) return;
    if (!p || p->n == 1 || n == 1) { fn(ctx, 0, 0, n); return; }
    /* every thread owns the same number of chunks; with fewer items than that, some chunks
     * are empty (b == e) and cost one counter increment */
    p->fn = fn;
    p->ctx = ctx;
    p->njobs = n;
    p->nchunks = (size_t)p->n * (n >= (size_t)p->n * CHUNKS_PER_THREAD ? CHUNKS_PER_THREAD : 1);
    for (int i = 0; i < p->n; i++) atomic_store_explicit(&p->own[i].next, 0, memory_order_relaxed);
    atomic_store(&p->done, 0);
    atomic_store(&p->acked, 0);
    pthread_mutex_lock(&p->mu);
    atomic_fetch_add_explicit(&p->gen, 1, memory_order_release);
    pthread_cond_broadcast(&p->cv);
    pthread_mutex_unlock(&p->mu);
    work(p, 0);
    for (int spins = 0; atomic_load_explicit(&p->done, memory_order_acquire) < p->nchunks ||
                        atomic_load_explicit(&p->acked, memory_order_acquire) < p->n - 1; spins++) {
        if (spins < 4000) cpu_relax();
        else sched_yield();   /* a worker holding a chunk was descheduled: give it the core */
    }
}

gf_status gf_pool_env_threads(int *out, gf_error *err) {
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    *out = n >= 1 ? (int)(n > GF_POOL_MAX_THREADS ? GF_POOL_MAX_THREADS : n) : 1;
    const char *s = getenv("GKRFLOW_THREADS");
    if (!s || !*s) return GF_OK;
    long v = 0;
    int ok = 1;
    for (const char *q = s; *q; q++) {   /* decimal digits only: no sign, spaces or hex */
        if (*q < '0' || *q > '9' || v > GF_POOL_MAX_THREADS) { ok = 0; break; }
        v = v * 10 + (*q - '0');
    }
    if (!ok || v < 1 || v > GF_POOL_MAX_THREADS)
        return gf_error_set(err, GF_ERR_INVALID, "GKRFLOW_THREADS='%s' is not a thread count in 1..%d", s, GF_POOL_MAX_THREADS);
    *out = (int)v;
    return GF_OK;
}

int gf_pool_default_threads(void) {
    int n;
    (void)gf_pool_env_threads(&n, NULL);   /* an invalid value leaves the online CPU count */
    return n;
}
