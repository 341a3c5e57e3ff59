#ifndef GF_TOOLS_FILES_H
#define GF_TOOLS_FILES_H
/* Whole-file I/O for the CLI and the example programs. Outputs are written atomically: into
 * a temporary file next to the target (PATH.tmp.PID), then renamed over it, so a failed run
 * leaves neither a partial file nor a changed old one. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include "common/error.h"

/* *data (malloc-owned, free it) receives the file's bytes; errors name the path. */
gf_status cli_read_file(const char *path, uint8_t **data, size_t *len, gf_error *err);
gf_status cli_write_file(const char *path, const uint8_t *data, size_t len, gf_error *err);
/* Atomic write through a stream: fn writes the content to f (ctx passed through). */
typedef gf_status (*cli_write_fn)(FILE *f, const void *ctx, gf_error *err);
gf_status cli_write_stream(const char *path, cli_write_fn fn, const void *ctx, gf_error *err);

#endif
