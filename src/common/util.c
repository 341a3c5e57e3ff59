#define _GNU_SOURCE
#include "common/util.h"
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <time.h>

/* Large blocks come from anonymous mmap: zero pages are supplied on first touch, so scratch
 * sized for the worst layer costs resident memory only where it is used. A 64-byte header
 * before the returned pointer records how the block was obtained (mapping start and length,
 * or 0 for malloc). Blocks of 1 MiB and more start on a 2 MiB boundary and ask for
 * transparent huge pages (a block under 2 MiB takes one whole page): tables are streamed
 * whole, and a first-touch fault costs ~2 us per 4 KiB page here (0.5 ms per MiB, a quarter
 * of a 512x512 matmul proof's time) against ~0.1 ms per 2 MiB page. Advice only, ignored
 * where huge pages are off. */
#define GF_ALLOC_HDR 64
#define GF_ALLOC_MMAP_MIN (256u << 10)
#define GF_ALLOC_HUGE ((size_t)2 << 20)

void *gf_alloc_aligned(size_t count, size_t size) {
    if (size && count > SIZE_MAX / size) return NULL;
    size_t n = count * size;
    if (n > SIZE_MAX - 2 * GF_ALLOC_HUGE - 2 * GF_ALLOC_HDR) return NULL;
    n = (n + 63) & ~(size_t)63;
    if (n == 0) n = 64;
    if (n + GF_ALLOC_HDR >= GF_ALLOC_MMAP_MIN) {
        const int huge = n >= GF_ALLOC_HUGE / 2;
        if (huge && n < GF_ALLOC_HUGE) n = GF_ALLOC_HUGE;   /* one whole huge page: <= 1 MiB unused */
        /* room for the header in front of a 2 MiB-aligned start when huge */
        size_t len = huge ? n + GF_ALLOC_HUGE + 4096 : n + GF_ALLOC_HDR;
        uint8_t *m = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (m == MAP_FAILED) return NULL;
        uint8_t *p = m + GF_ALLOC_HDR;
        if (huge) {
            p = (uint8_t *)(((uintptr_t)m + 4096 + GF_ALLOC_HUGE - 1) & ~(uintptr_t)(GF_ALLOC_HUGE - 1));
            /* give back the unused head and tail (whole pages) */
            uint8_t *keep = p - 4096, *end = p + ((n + 4095) & ~(size_t)4095);
            if (keep > m) munmap(m, (size_t)(keep - m));
            if (m + len > end) munmap(end, (size_t)(m + len - end));
            m = keep;
            len = (size_t)(end - keep);
            (void)madvise(p, (size_t)(end - p), MADV_HUGEPAGE);
        }
        ((size_t *)(p - GF_ALLOC_HDR))[0] = len;
        ((uintptr_t *)(p - GF_ALLOC_HDR))[1] = (uintptr_t)m;
        return p;
    }
    uint8_t *base = aligned_alloc(64, n + GF_ALLOC_HDR);
    if (!base) return NULL;
    memset(base, 0, n + GF_ALLOC_HDR);
    ((size_t *)base)[0] = n + GF_ALLOC_HDR;
    ((uintptr_t *)base)[1] = 0;
    return base + GF_ALLOC_HDR;
}

void gf_advise_huge(void *p, size_t n) {
    uintptr_t a = ((uintptr_t)p + GF_ALLOC_HUGE - 1) & ~(uintptr_t)(GF_ALLOC_HUGE - 1), e = ((uintptr_t)p + n) & ~(uintptr_t)(GF_ALLOC_HUGE - 1);
    if (e > a) (void)madvise((void *)a, e - a, MADV_HUGEPAGE);
}

#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE 23   /* Linux 5.14 */
#endif
void gf_prefault(void *p, size_t n) {
    uintptr_t a = ((uintptr_t)p + 4095) & ~(uintptr_t)4095, e = ((uintptr_t)p + n) & ~(uintptr_t)4095;
    if (e > a) (void)madvise((void *)a, e - a, MADV_POPULATE_WRITE);   /* EINVAL before 5.14: pages fault as usual */
}

void gf_free_aligned(void *p) {
    if (!p) return;
    uint8_t *h = (uint8_t *)p - GF_ALLOC_HDR;
    uintptr_t m = ((uintptr_t *)h)[1];
    if (m) munmap((void *)m, ((size_t *)h)[0]);
    else free(h);
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
