#ifndef GF_CIRCUIT_BINIO_H
#define GF_CIRCUIT_BINIO_H
/* Strict little-endian binary file I/O shared by the circuit and witness formats (internal
 * to src/circuit/).
 * gf_binio_reader: a cursor over a FILE* that knows its absolute byte offset and, for regular
 * files, the file size, so every error names the file, the offset and the item, and counts
 * read from the file are checked against the bytes that remain before anything is allocated
 * (for pipes, arrays grow in bounded chunks instead).
 * gf_binio_writer: buffered sink to a FILE* and/or a running SHA-256, so the canonical
 * encoding and its digest come from one code path. The first error is sticky. */
#include <stdint.h>
#include <stdio.h>
#include "common/error.h"
#include "hash/sha256.h"

typedef struct gf_binio_reader {
    FILE *f;
    const char *name;
    uint64_t off;     /* absolute offset of the next byte */
    int64_t size;     /* file size, or -1 if unknown */
} gf_binio_reader;

/* Opens PATH for reading; the one place the loaders' "NULL path" and "cannot open" errors are
 * worded (who: the calling function, for the NULL-path message). */
gf_status gf_binio_open(FILE **f, const char *path, const char *who, gf_error *err);
/* The savers' twin: gf_binio_create opens PATH for writing; gf_binio_finish closes it, turns a
 * failed close into an error, and on any error (st or close) prefixes PATH and removes the
 * partial file, so a failed save never leaves output behind. */
gf_status gf_binio_create(FILE **f, const char *path, const char *who, gf_error *err);
gf_status gf_binio_finish(FILE *f, const char *path, gf_status st, gf_error *err);
void gf_binio_reader_init(gf_binio_reader *r, FILE *f, const char *name);
gf_status gf_binio_read(gf_binio_reader *r, void *p, size_t n, const char *what, gf_error *err);
gf_status gf_binio_u32(gf_binio_reader *r, uint32_t *v, const char *what, gf_error *err);
gf_status gf_binio_u64(gf_binio_reader *r, uint64_t *v, const char *what, gf_error *err);
/* GF_ERR_FORMAT if count*elem overflows or (size known) exceeds the remaining bytes.
 * at: offset of the count field, for the message. */
gf_status gf_binio_check_room(gf_binio_reader *r, uint64_t count, uint64_t elem, uint64_t at,
                              const char *what, gf_error *err);
/* Allocates (malloc; at least 1 byte) and reads count elements of elem bytes. */
gf_status gf_binio_read_array(gf_binio_reader *r, void **out, uint64_t count, size_t elem,
                              uint64_t at, const char *what, gf_error *err);
/* GF_ERR_FORMAT naming the offset if any byte is left. */
gf_status gf_binio_expect_eof(gf_binio_reader *r, gf_error *err);
/* Little-endian u32 array in place (no-op on little-endian hosts). */
void gf_binio_le32_inplace(uint32_t *p, size_t n);

typedef struct gf_binio_writer {
    FILE *f;               /* may be NULL */
    gf_sha256_ctx *hash;   /* may be NULL */
    const char *name;
    uint64_t total;
    size_t len;
    gf_status st;
    gf_error *err;
    uint8_t buf[1 << 16];
} gf_binio_writer;

void gf_binio_writer_init(gf_binio_writer *w, FILE *f, gf_sha256_ctx *hash, const char *name, gf_error *err);
void gf_binio_put(gf_binio_writer *w, const void *p, size_t n);
void gf_binio_put_u32(gf_binio_writer *w, uint32_t v);
void gf_binio_put_u64(gf_binio_writer *w, uint64_t v);
/* Writes u32 values little-endian. */
void gf_binio_put_u32s(gf_binio_writer *w, const uint32_t *p, size_t n);
gf_status gf_binio_flush(gf_binio_writer *w);
/* The circuit's file encoding (gf_circuit_encoded_size bytes) into w, e.g. inside a graph
 * file or a digest; c must be valid (gf_circuit_validate). Defined in circuit_io.c. */
struct gf_circuit;
gf_status gf_circuit_encode(const struct gf_circuit *c, gf_binio_writer *w);

#endif
