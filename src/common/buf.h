#ifndef GF_COMMON_BUF_H
#define GF_COMMON_BUF_H
/* gf_buf: growable byte buffer for proofs and files. Appends never fail loudly: on
 * allocation failure the buffer sets a sticky `failed` flag and ignores later appends; check
 * once with gf_buf_status.
 * gf_reader: bounds-checked cursor over bytes. Reads past the end set a sticky error that
 * records the offset and what was being read; later reads return zeros. */
#include <stddef.h>
#include <stdint.h>
#include "common/error.h"

typedef struct gf_buf { uint8_t *data; size_t len, cap; int failed; } gf_buf;

void gf_buf_init(gf_buf *b);
void gf_buf_free(gf_buf *b);
void gf_buf_append(gf_buf *b, const void *p, size_t n);
/* Capacity for at least cap bytes in all (no change to the contents): a writer that knows
 * its final size avoids the doubling's copies and its up-to-2x overshoot. */
void gf_buf_ensure(gf_buf *b, size_t cap);
/* Appends n bytes the caller fills through the returned pointer (valid until the next append);
 * NULL, with the sticky failure set, if memory runs out. */
uint8_t *gf_buf_reserve(gf_buf *b, size_t n);
void gf_buf_u32(gf_buf *b, uint32_t v);
void gf_buf_u64(gf_buf *b, uint64_t v);
gf_status gf_buf_status(const gf_buf *b, gf_error *err);

typedef struct gf_reader {
    const uint8_t *p;
    size_t len, pos;
    int failed;
    size_t fail_pos;
    const char *fail_what;
} gf_reader;

void gf_reader_init(gf_reader *r, const void *p, size_t len);
/* Returns a pointer to n bytes or NULL (and sets the error) if fewer remain. */
const uint8_t *gf_reader_take(gf_reader *r, size_t n, const char *what);
uint32_t gf_reader_u32(gf_reader *r, const char *what);
uint64_t gf_reader_u64(gf_reader *r, const char *what);
static inline size_t gf_reader_remaining(const gf_reader *r) { return r->len - r->pos; }
/* GF_ERR_FORMAT naming `name`, the offset and the item if a read failed; else GF_OK. */
gf_status gf_reader_status(const gf_reader *r, const char *name, gf_error *err);

#endif
