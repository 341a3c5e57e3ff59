#include "common/error.h"
#include <stdio.h>
#include <string.h>

gf_status gf_error_set(gf_error *err, gf_status code, const char *fmt, ...) {
    if (err) {
        va_list ap;
        va_start(ap, fmt);
        err->code = code;
        vsnprintf(err->msg, sizeof err->msg, fmt, ap);
        va_end(ap);
    }
    return code;
}

gf_status gf_error_prefix(gf_error *err, const char *fmt, ...) {
    if (!err) return GF_OK;
    char prefix[GF_ERROR_MSG_MAX], old[GF_ERROR_MSG_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(prefix, sizeof prefix, fmt, ap);
    va_end(ap);
    memcpy(old, err->msg, sizeof old);
    size_t n = strnlen(prefix, sizeof prefix - 1);
    if (n > sizeof err->msg - 3) n = sizeof err->msg - 3;
    memcpy(err->msg, prefix, n);
    memcpy(err->msg + n, ": ", 2);
    size_t room = sizeof err->msg - n - 3, m = strnlen(old, room);
    memcpy(err->msg + n + 2, old, m);
    err->msg[n + 2 + m] = 0;
    return err->code;
}

void gf_error_clear(gf_error *err) {
    if (err) { err->code = GF_OK; err->msg[0] = 0; }
}

const char *gf_status_name(gf_status code) {
    switch (code) {
    case GF_OK: return "ok";
    case GF_ERR_INVALID: return "invalid argument";
    case GF_ERR_IO: return "I/O error";
    case GF_ERR_FORMAT: return "format error";
    case GF_ERR_NOMEM: return "out of memory";
    case GF_ERR_VERIFY: return "verification failed";
    case GF_ERR_WITNESS: return "witness does not satisfy the circuit";
    case GF_ERR_MPI: return "MPI error";
    case GF_ERR_INTERNAL: return "internal error";
    }
    return "unknown error";
}
