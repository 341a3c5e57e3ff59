#ifndef GF_COMMON_UTIL_H
#define GF_COMMON_UTIL_H
/* Small shared helpers: aligned allocation, timing, power-of-two arithmetic, peak RSS. */
#include <stddef.h>
#include <stdint.h>

/* 64-byte aligned, zero-filled; NULL on failure or overflow. Free with gf_free_aligned. */
void *gf_alloc_aligned(size_t count, size_t size);
void gf_free_aligned(void *p);
/* Asks for transparent huge pages on the 2 MiB-aligned part of [p, p + n) (a hint: memory
 * that is about to be written whole, e.g. a large output buffer). */
void gf_advise_huge(void *p, size_t n);
/* Makes [p, p + n) resident and writable in one call (memory about to be written whole):
 * cheaper than taking the page faults one by one. A hint, ignored where unsupported. */
void gf_prefault(void *p, size_t n);

double gf_now_seconds(void);           /* monotonic clock */
size_t gf_peak_rss_bytes(void);        /* this process's high-water resident set, 0 if unknown */

static inline int gf_is_pow2(uint64_t x) { return x && !(x & (x - 1)); }
static inline unsigned gf_log2_u64(uint64_t x) { return x ? 63u - (unsigned)__builtin_clzll(x) : 0; }
static inline uint64_t gf_next_pow2(uint64_t x) { return x <= 1 ? 1 : 1ull << (64 - __builtin_clzll(x - 1)); }

/* Little-endian (de)serialisation into byte buffers. */
static inline void gf_put_u32le(uint8_t *p, uint32_t v) { for (int i = 0; i < 4; i++) p[i] = (uint8_t)(v >> (8 * i)); }
static inline void gf_put_u64le(uint8_t *p, uint64_t v) { for (int i = 0; i < 8; i++) p[i] = (uint8_t)(v >> (8 * i)); }
static inline uint32_t gf_get_u32le(const uint8_t *p) { uint32_t v = 0; for (int i = 3; i >= 0; i--) v = (v << 8) | p[i]; return v; }
static inline uint64_t gf_get_u64le(const uint8_t *p) { uint64_t v = 0; for (int i = 7; i >= 0; i--) v = (v << 8) | p[i]; return v; }

#endif
