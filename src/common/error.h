#ifndef GF_COMMON_ERROR_H
#define GF_COMMON_ERROR_H
/* Errors: every fallible library function returns a gf_status and, when given a non-NULL
 * gf_error*, fills it with a human-readable message that names the file, line or value at
 * fault. The library never exits, never prints on its own and keeps no global state. */
#include <stdarg.h>
#include <stddef.h>

typedef enum gf_status {
    GF_OK = 0,
    GF_ERR_INVALID = 1,   /* bad argument or unsupported input */
    GF_ERR_IO = 2,        /* file could not be opened/read/written */
    GF_ERR_FORMAT = 3,    /* malformed, truncated or inconsistent file or proof bytes */
    GF_ERR_NOMEM = 4,     /* allocation failed */
    GF_ERR_VERIFY = 5,    /* a proof was rejected */
    GF_ERR_WITNESS = 6,   /* the witness does not satisfy the circuit */
    GF_ERR_MPI = 7,       /* an MPI call or a peer rank failed */
    GF_ERR_INTERNAL = 8
} gf_status;

#define GF_ERROR_MSG_MAX 1024
typedef struct gf_error {
    gf_status code;
    char msg[GF_ERROR_MSG_MAX];
} gf_error;

/* Sets err (if non-NULL) and returns code, so callers can write `return gf_error_set(...)`. */
gf_status gf_error_set(gf_error *err, gf_status code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Prefixes the existing message with more context ("reading foo.gfc: ..."). */
gf_status gf_error_prefix(gf_error *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void gf_error_clear(gf_error *err);
const char *gf_status_name(gf_status code);

#endif
