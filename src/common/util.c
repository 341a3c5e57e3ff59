#define _GNU_SOURCE
#include "common/util.h"
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <time.h>

/* Large blocks come from anonymous mmap: zero pages are supplied on first touch, so scratch
 * sized for the worst layer costs resident memory only where it is used. A 64-byte header
 * before the returned pointer records how the block was obtained. */
#define GF_ALLOC_HDR 64
#define GF_ALLOC_MMAP_MIN (256u << 10)
#define GF_ALLOC_HUGE_MIN ((size_t)4 << 20)

void *gf_alloc_aligned(size_t count, size_t size) {
    if (size && count > SIZE_MAX / size) return NULL;
    size_t n = count * size;
    if (n > SIZE_MAX - 2 * GF_ALLOC_HDR) return NULL;
    n = (n + 63) & ~(size_t)63;
    if (n == 0) n = 64;
    size_t total = n + GF_ALLOC_HDR;
    uint8_t *base;
    if (total >= GF_ALLOC_MMAP_MIN) {
        void *m = mmap(NULL, total, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (m == MAP_FAILED) return NULL;
        /* large tables are streamed whole: 2 MiB pages cut the first-touch page faults (a
         * quarter of a 512x512 matmul proof's time with 4 KiB pages) and TLB misses; advice
         * only, ignored where transparent huge pages are off */
        if (total >= GF_ALLOC_HUGE_MIN) (void)madvise(m, total, MADV_HUGEPAGE);
        base = m;
        ((size_t *)base)[1] = 1;
    } else {
        base = aligned_alloc(64, total);
        if (!base) return NULL;
        memset(base, 0, total);
        ((size_t *)base)[1] = 0;
    }
    ((size_t *)base)[0] = total;
    return base + GF_ALLOC_HDR;
}

void gf_free_aligned(void *p) {
    if (!p) return;
    uint8_t *base = (uint8_t *)p - GF_ALLOC_HDR;
    size_t total = ((size_t *)base)[0];
    if (((size_t *)base)[1]) munmap(base, total);
    else free(base);
}

double gf_now_seconds(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

size_t gf_peak_rss_bytes(void) {
    struct rusage ru;
    if (getrusage(RUSAGE_SELF, &ru) != 0) return 0;
    return (size_t)ru.ru_maxrss * 1024;   /* Linux reports KiB */
}
