#ifndef GF_TRANSCRIPT_TRANSCRIPT_H
#define GF_TRANSCRIPT_TRANSCRIPT_H
/* Fiat–Shamir transcript: a SHA-256 hash chain. The exact byte layout is the spec in
 * docs/transcript.md; in short, with H = SHA-256, LE64 = 8-byte little-endian:
 *   init(tag):   s = H(0x00 || "gkrflow-transcript-v1" || LE64(|tag|) || tag),  k = 0
 *   appends:     P ||= encoding of the value (P = bytes appended since s last changed)
 *   absorb:      s = H(0x01 || s || LE64(k) || P),  k = 0, P = empty
 *   block:       (absorb first if P is non-empty)  out = H(0x02 || s || LE64(k)),  k += 1
 * Challenges are read from fresh blocks; unused bytes of a call's last block are discarded.
 *
 * Invariants and rules for callers:
 * - P is a plain byte string: append_bytes(ab) is identical to append_bytes(a) then
 *   append_bytes(b). Data that is not fixed-size in the protocol must be framed by the caller
 *   (append_u64 of its length, or append_label, which is length-prefixed).
 * - Appends never fail loudly. An allocation/OpenSSL failure, a NULL argument or use after
 *   free sets a sticky error; from then on appends are ignored and every challenge, squeeze
 *   and get_state output is all-zero. Check gf_transcript_status once at the end.
 * - Field elements are bound as canonical values (inputs are reduced before encoding).
 * - get_state absorbs (even when only k > 0) so that (s, k=0, P=empty) is the full state;
 *   set_state installs it. Both sides of a protocol must call get_state at the same points.
 * The struct is public so callers can keep transcripts on the stack; treat fields as private.
 * A transcript holds OpenSSL objects: gf_transcript_free it; it is not shareable between
 * threads, but distinct transcripts are independent. */
#include <stddef.h>
#include <stdint.h>
#include "common/error.h"
#include "field/bn254fr.h"
#include "field/m31.h"
#include "field/m31ext3.h"
#include "hash/sha256.h"

#define GF_TRANSCRIPT_STATE_BYTES 32u
#define GF_TRANSCRIPT_BUF_BYTES 256u   /* pending bytes held before feeding libcrypto */
#define GF_TRANSCRIPT_ERRMSG 256u

typedef struct gf_transcript {
    gf_sha256_ctx h;          /* empty message unless `streaming` (then holds a prefix of the open absorb) */
    uint8_t state[GF_TRANSCRIPT_STATE_BYTES];   /* s */
    uint64_t squeezes;        /* k: blocks squeezed from s since s last changed */
    int absorbing;            /* an absorb is open: its 41-byte header has been written */
    int streaming;            /* part of the open absorb has already gone into h */
    size_t buf_len;           /* bytes of buf in use (0 unless absorbing) */
    gf_status status;         /* sticky */
    char errmsg[GF_TRANSCRIPT_ERRMSG];
    uint8_t buf[GF_TRANSCRIPT_BUF_BYTES];
} gf_transcript;

/* domain_tag: a NUL-terminated name of the protocol and its version (e.g. "gkrflow-gkr-m31-v1").
 * On failure the transcript is still safe to use (sticky error) and to free. */
gf_status gf_transcript_init(gf_transcript *t, const char *domain_tag, gf_error *err);
void gf_transcript_free(gf_transcript *t);

void gf_transcript_append_bytes(gf_transcript *t, const void *data, size_t len);   /* raw, no framing */
void gf_transcript_append_u64(gf_transcript *t, uint64_t v);                        /* 8 bytes LE */
void gf_transcript_append_label(gf_transcript *t, const char *label);               /* LE64(strlen) || bytes */
void gf_transcript_append_m31(gf_transcript *t, gf_m31 a);                          /* 4 bytes LE */
void gf_transcript_append_m31s(gf_transcript *t, const gf_m31 *a, size_t n);
void gf_transcript_append_m31ext3(gf_transcript *t, gf_m31ext3 a);                  /* 12 bytes: c0, c1, c2 LE */
void gf_transcript_append_m31ext3s(gf_transcript *t, const gf_m31ext3 *a, size_t n);
void gf_transcript_append_bn254fr(gf_transcript *t, const gf_bn254fr *a);           /* 32 bytes canonical BE */
void gf_transcript_append_bn254frs(gf_transcript *t, const gf_bn254fr *a, size_t n);

/* n bytes: the first n bytes of ceil(n/32) fresh blocks. n = 0 does nothing. */
void gf_transcript_squeeze_bytes(gf_transcript *t, uint8_t *out, size_t n);
/* M31 challenges read a stream of 32-bit LE words from fresh blocks (8 per block), keep the
 * low 31 bits and reject the value p: exactly uniform in [0, p). A vector call uses one
 * stream for all its elements, so it differs from n single calls (and is ~8x cheaper). */
gf_m31 gf_transcript_challenge_m31(gf_transcript *t);
void gf_transcript_challenge_m31_vec(gf_transcript *t, gf_m31 *out, size_t n);
/* Three accepted words c0, c1, c2 per element; limbs each uniform in [0, p). */
gf_m31ext3 gf_transcript_challenge_m31ext3(gf_transcript *t);
void gf_transcript_challenge_m31ext3_vec(gf_transcript *t, gf_m31ext3 *out, size_t n);
/* Two fresh blocks (64 bytes) -> gf_bn254fr_from_uniform64 (LE integer mod r, bias < 2^-250).
 * The vector call is n single calls. */
void gf_transcript_challenge_bn254fr(gf_transcript *t, gf_bn254fr *out);
void gf_transcript_challenge_bn254fr_vec(gf_transcript *t, gf_bn254fr *out, size_t n);

/* Absorbs if P is non-empty or k > 0, then returns s (MPI ranks broadcast it). */
void gf_transcript_get_state(gf_transcript *t, uint8_t out[GF_TRANSCRIPT_STATE_BYTES]);
/* s = in, k = 0; pending bytes are discarded (not hashed). Keeps a sticky error. */
void gf_transcript_set_state(gf_transcript *t, const uint8_t in[GF_TRANSCRIPT_STATE_BYTES]);

/* GF_OK, or the first error recorded since init (err filled with its message). */
gf_status gf_transcript_status(const gf_transcript *t, gf_error *err);

#endif
