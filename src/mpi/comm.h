#ifndef GF_MPI_COMM_H
#define GF_MPI_COMM_H
/* gf_comm: the communicator every multi-process part of gkrflow goes through; src/mpi/ is the
 * only place that calls MPI. No global state: the caller owns each gf_comm and passes it
 * explicitly (world from gf_comm_init, groups from gf_comm_split, or gf_comm_self()).
 *
 * Guarantees (docs/mpi.md):
 * - gf_comm_self() is a size-1 communicator that makes no MPI call at all; every function
 *   accepts it, so single-process code runs the same paths without MPI_Init.
 * - Collectives are called by every member with the same arguments (root, lengths, colors
 *   in rank order); a bad root is rejected identically on every rank, before any message.
 * - MPI errors come back as GF_ERR_MPI naming the world rank and the MPI call (the
 *   communicator uses MPI_ERRORS_RETURN), never as a silent abort inside the library.
 * - No single MPI message exceeds max_message bytes (default 1 GiB, below MPI's 2 GiB int
 *   count limit): larger broadcasts and gathers are sent in chunks.
 * - reduce_sum is gather + sum on the root in rank order, so the result is exact and does
 *   not depend on the MPI implementation's reduction order.
 * - gf_comm_abort ends the whole job (MPI_Abort on the world) after printing
 *   "gkrflow: rank R: message", so a failing rank makes mpiexec exit non-zero, never hang.
 * - MPI is initialised with MPI_THREAD_FUNNELED: only the thread that called gf_comm_init
 *   may call the functions below (worker threads of gf_pool must not). */
#include <stddef.h>
#include <stdint.h>
#include "common/error.h"
#include "field/m31ext3.h"

#define GF_COMM_MAX_MESSAGE ((size_t)1 << 30)
#define GF_COMM_NO_GROUP (-1)   /* gf_comm_split color: this rank joins no group */

typedef enum gf_comm_kind {
    GF_COMM_KIND_NULL = 0,      /* not a member (split with GF_COMM_NO_GROUP) or finalised */
    GF_COMM_KIND_SELF = 1,      /* one process, no MPI */
    GF_COMM_KIND_MPI = 2
} gf_comm_kind;

typedef struct gf_comm {
    gf_comm_kind kind;
    int rank, size;             /* in this communicator */
    int world_rank, world_size; /* in the job, for messages */
    int owns_handle;            /* gf_comm_free / finalize frees the MPI communicator */
    int owns_mpi;               /* gf_comm_init called MPI_Init_thread: finalize ends MPI */
    size_t max_message;         /* largest single MPI message in bytes (>= 1) */
    union { void *p; uint64_t u[2]; } handle;   /* the MPI_Comm (opaque outside comm.c) */
    uint64_t *sent;             /* bytes this rank has sent (logical payload), shared with groups split from it */
} gf_comm;

/* True when this process was started by mpiexec (Open MPI, MPICH or PMIx variables set):
 * the caller should then use gf_comm_init, else gf_comm_self(). */
int gf_comm_launched_by_mpiexec(void);

gf_comm gf_comm_self(void);
/* MPI_Init_thread(FUNNELED) unless MPI is already initialised, then a private duplicate of
 * MPI_COMM_WORLD with MPI_ERRORS_RETURN. argc/argv may be NULL. */
gf_status gf_comm_init(gf_comm *comm, int *argc, char ***argv, gf_error *err);
/* Frees the world duplicate and, if gf_comm_init started MPI, calls MPI_Finalize. Every
 * communicator made by gf_comm_split must be freed first. No-op for self. */
gf_status gf_comm_finalize(gf_comm *comm, gf_error *err);

static inline int gf_comm_rank(const gf_comm *c) { return c->rank; }
static inline int gf_comm_size(const gf_comm *c) { return c->size; }
static inline int gf_comm_world_rank(const gf_comm *c) { return c->world_rank; }
static inline int gf_comm_world_size(const gf_comm *c) { return c->world_size; }
static inline int gf_comm_is_member(const gf_comm *c) { return c->kind != GF_COMM_KIND_NULL; }
/* Sets the largest single message (0 restores GF_COMM_MAX_MESSAGE; capped at INT_MAX).
 * Must be the same on every member. Small values exercise the chunked paths in tests. */
void gf_comm_set_max_message(gf_comm *c, size_t bytes);
/* Payload bytes this rank has sent through c and every group split from it since
 * gf_comm_init: a broadcast root counts len per receiving rank, a gather sender its block.
 * 0 for a self communicator. */
uint64_t gf_comm_bytes_sent(const gf_comm *c);

/* Collective over c: ranks with the same color >= 0 form one new communicator, ordered by
 * (key, rank in c); GF_COMM_NO_GROUP gives a non-member (kind NULL). Free with gf_comm_free. */
gf_status gf_comm_split(const gf_comm *c, int color, int key, gf_comm *out, gf_error *err);
void gf_comm_free(gf_comm *c);

gf_status gf_comm_barrier(const gf_comm *c, gf_error *err);
/* buf[0..len) of root is copied to every member; len must be equal on all of them. */
gf_status gf_comm_bcast(const gf_comm *c, void *buf, size_t len, int root, gf_error *err);
/* Broadcast of a buffer whose length only root knows: root passes *data and *len (unchanged);
 * the others receive a malloc'd copy in *data (free it; NULL when *len is 0). */
gf_status gf_comm_bcast_alloc(const gf_comm *c, uint8_t **data, size_t *len, int root, gf_error *err);
/* Point to point (not collective): send len bytes to rank dest of c; the peer calls
 * gf_comm_recv with the same len and src = this rank. Messages between one pair arrive in the
 * order sent; longer ones are chunked like broadcasts. A self or NULL communicator, or a peer
 * that is this rank or outside c, is GF_ERR_INVALID (there is no one to talk to). */
gf_status gf_comm_send(const gf_comm *c, const void *buf, size_t len, int dest, gf_error *err);
gf_status gf_comm_recv(const gf_comm *c, void *buf, size_t len, int src, gf_error *err);
/* Non-blocking send: posts the (chunked) send of buf[0..len) to dest, matched by the peer's
 * gf_comm_recv like gf_comm_send, and records it in *q; buf must stay untouched until
 * gf_comm_wait(q) returns. Lets a rank hand data to peers that take it later (with Open MPI's
 * single-copy transport the receiver does the copy) while it goes on working. */
typedef struct gf_comm_sends { void *req; size_t n, cap; } gf_comm_sends;   /* zero-initialise */
gf_status gf_comm_isend(const gf_comm *c, const void *buf, size_t len, int dest, gf_comm_sends *q, gf_error *err);
/* Waits for every send posted in q and empties it. A peer that never receives makes this
 * wait forever: on a failure that leaves sends unmatched, end the job (gf_comm_abort). */
gf_status gf_comm_wait(const gf_comm *c, gf_comm_sends *q, gf_error *err);
static inline int gf_comm_pending(const gf_comm_sends *q) { return q->n != 0; }
/* Every member sends `block` bytes; root receives size * block bytes in rank order in recv
 * (ignored, may be NULL, on the other ranks). */
gf_status gf_comm_gather(const gf_comm *c, const void *send, size_t block, void *recv, int root, gf_error *err);
/* The reverse of gather: root holds size * block bytes in rank order in send (ignored, may be
 * NULL, elsewhere); every member receives its own block in recv. */
gf_status gf_comm_scatter(const gf_comm *c, const void *send, size_t block, void *recv, int root, gf_error *err);
/* out[j] = sum over ranks (in rank order) of in[j], j < n, on root (out ignored elsewhere;
 * out may equal in). Elements must be canonical; a non-canonical one is reported by root
 * naming the sending rank. */
gf_status gf_comm_reduce_sum_m31ext3(const gf_comm *c, const gf_m31ext3 *in, size_t n, gf_m31ext3 *out,
                                      int root, gf_error *err);
/* Error agreement (collective): every member passes its own result; if any member failed,
 * every member returns the failure of the lowest failing rank, its message prefixed with
 * "rank R: ". Lets ranks reach the same decision instead of leaving peers in a collective. */
gf_status gf_comm_agree(const gf_comm *c, gf_status local, gf_error *err);

/* Prints "gkrflow: rank R: message" (R = world rank) to stderr and ends the whole job with
 * exit code `code` (1 if code is not in 1..255): MPI_Abort on the world communicator, or
 * exit() for a self communicator. */
_Noreturn void gf_comm_abort(const gf_comm *c, int code, const char *message);

#endif
