#include "mpi/comm.h"
#include "common/util.h"
#include <limits.h>
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

_Static_assert(sizeof(MPI_Comm) <= sizeof(((gf_comm *)0)->handle), "MPI_Comm does not fit gf_comm.handle");

static MPI_Comm handle_get(const gf_comm *c) {
    MPI_Comm m;
    memcpy(&m, &c->handle, sizeof m);
    return m;
}

static void handle_set(gf_comm *c, MPI_Comm m) {
    memset(&c->handle, 0, sizeof c->handle);
    memcpy(&c->handle, &m, sizeof m);
}

static gf_status mpi_fail(const gf_comm *c, int rc, const char *op, gf_error *err) {
    char text[MPI_MAX_ERROR_STRING + 1];
    int len = 0;
    if (MPI_Error_string(rc, text, &len) != MPI_SUCCESS) len = snprintf(text, sizeof text, "MPI error %d", rc);
    text[len < 0 ? 0 : len > MPI_MAX_ERROR_STRING ? MPI_MAX_ERROR_STRING : len] = 0;
    return gf_error_set(err, GF_ERR_MPI, "rank %d: %s failed: %s", c->world_rank, op, text);
}

/* Checks shared by every collective; identical on all members, so all reject together. */
static gf_status check_member(const gf_comm *c, const char *op, gf_error *err) {
    if (!c || c->kind == GF_COMM_KIND_NULL)
        return gf_error_set(err, GF_ERR_INVALID, "%s: this rank is not a member of the communicator", op);
    return GF_OK;
}

static gf_status check_root(const gf_comm *c, int root, const char *op, gf_error *err) {
    gf_status s = check_member(c, op, err);
    if (s) return s;
    if (root < 0 || root >= c->size)
        return gf_error_set(err, GF_ERR_INVALID, "%s: root %d is not a rank of a communicator of size %d", op, root,
                            c->size);
    return GF_OK;
}

static size_t max_msg(const gf_comm *c) { return c->max_message ? c->max_message : GF_COMM_MAX_MESSAGE; }

int gf_comm_launched_by_mpiexec(void) {
    return getenv("OMPI_COMM_WORLD_SIZE") || getenv("PMIX_RANK") || getenv("PMI_SIZE") || getenv("PMI_RANK");
}

gf_comm gf_comm_self(void) {
    gf_comm c;
    memset(&c, 0, sizeof c);
    c.kind = GF_COMM_KIND_SELF;
    c.size = c.world_size = 1;
    c.max_message = GF_COMM_MAX_MESSAGE;
    return c;
}

void gf_comm_set_max_message(gf_comm *c, size_t bytes) {
    if (!bytes) bytes = GF_COMM_MAX_MESSAGE;
    c->max_message = bytes > (size_t)INT_MAX ? (size_t)INT_MAX : bytes;
}

gf_status gf_comm_init(gf_comm *comm, int *argc, char ***argv, gf_error *err) {
    memset(comm, 0, sizeof *comm);
    int inited = 0, finalized = 0, provided = 0, rc;
    MPI_Finalized(&finalized);
    if (finalized) return gf_error_set(err, GF_ERR_MPI, "MPI was already finalised in this process");
    MPI_Initialized(&inited);
    gf_comm tmp = gf_comm_self();   /* for error messages before the rank is known */
    if (!inited) {
        rc = MPI_Init_thread(argc, argv, MPI_THREAD_FUNNELED, &provided);
        if (rc != MPI_SUCCESS) return mpi_fail(&tmp, rc, "MPI_Init_thread", err);
        comm->owns_mpi = 1;
    } else {
        MPI_Query_thread(&provided);
    }
    MPI_Comm dup = MPI_COMM_NULL;
    MPI_Comm_rank(MPI_COMM_WORLD, &tmp.world_rank);
    if (provided < MPI_THREAD_FUNNELED) {
        gf_error_set(err, GF_ERR_MPI, "rank %d: MPI provides thread level %d, below MPI_THREAD_FUNNELED",
                     tmp.world_rank, provided);
        goto fail;
    }
    /* a private duplicate: our messages never match anyone else's on MPI_COMM_WORLD */
    if ((rc = MPI_Comm_dup(MPI_COMM_WORLD, &dup)) != MPI_SUCCESS) { mpi_fail(&tmp, rc, "MPI_Comm_dup", err); goto fail; }
    if ((rc = MPI_Comm_set_errhandler(dup, MPI_ERRORS_RETURN)) != MPI_SUCCESS) {
        mpi_fail(&tmp, rc, "MPI_Comm_set_errhandler", err);
        goto fail;
    }
    comm->kind = GF_COMM_KIND_MPI;
    MPI_Comm_rank(dup, &comm->rank);
    MPI_Comm_size(dup, &comm->size);
    comm->world_rank = comm->rank;
    comm->world_size = comm->size;
    comm->owns_handle = 1;
    comm->max_message = GF_COMM_MAX_MESSAGE;
    comm->sent = calloc(1, sizeof *comm->sent);
    if (!comm->sent) { gf_error_set(err, GF_ERR_NOMEM, "out of memory"); goto fail; }
    handle_set(comm, dup);
    return GF_OK;
fail:
    if (dup != MPI_COMM_NULL) MPI_Comm_free(&dup);
    if (comm->owns_mpi) MPI_Finalize();
    comm->owns_mpi = 0;
    return err ? err->code : GF_ERR_MPI;
}

gf_status gf_comm_finalize(gf_comm *comm, gf_error *err) {
    if (!comm || comm->kind != GF_COMM_KIND_MPI) {
        if (comm) memset(comm, 0, sizeof *comm);
        return GF_OK;
    }
    gf_status s = GF_OK;
    if (comm->owns_handle) {
        MPI_Comm m = handle_get(comm);
        int rc = MPI_Comm_free(&m);
        if (rc != MPI_SUCCESS) s = mpi_fail(comm, rc, "MPI_Comm_free", err);
    }
    if (comm->owns_mpi) {
        int rc = MPI_Finalize();
        if (rc != MPI_SUCCESS && !s) s = mpi_fail(comm, rc, "MPI_Finalize", err);
    }
    free(comm->sent);
    memset(comm, 0, sizeof *comm);
    return s;
}

gf_status gf_comm_split(const gf_comm *c, int color, int key, gf_comm *out, gf_error *err) {
    gf_comm r;
    memset(&r, 0, sizeof r);
    gf_status s = check_member(c, "gf_comm_split", err);
    if (s) { *out = r; return s; }
    if (color < 0 && color != GF_COMM_NO_GROUP) {
        *out = r;
        return gf_error_set(err, GF_ERR_INVALID, "gf_comm_split: color %d is negative", color);
    }
    r.world_rank = c->world_rank;
    r.world_size = c->world_size;
    r.max_message = c->max_message;
    r.sent = c->sent;
    r.rank = -1;
    if (c->kind == GF_COMM_KIND_SELF) {
        if (color != GF_COMM_NO_GROUP) { r.kind = GF_COMM_KIND_SELF; r.rank = 0; r.size = 1; }
        *out = r;
        return GF_OK;
    }
    MPI_Comm m = MPI_COMM_NULL;
    int rc = MPI_Comm_split(handle_get(c), color == GF_COMM_NO_GROUP ? MPI_UNDEFINED : color, key, &m);
    if (rc != MPI_SUCCESS) { *out = r; return mpi_fail(c, rc, "MPI_Comm_split", err); }
    if (m != MPI_COMM_NULL) {
        MPI_Comm_set_errhandler(m, MPI_ERRORS_RETURN);
        r.kind = GF_COMM_KIND_MPI;
        r.owns_handle = 1;
        MPI_Comm_rank(m, &r.rank);
        MPI_Comm_size(m, &r.size);
        handle_set(&r, m);
    }
    *out = r;
    return GF_OK;
}

uint64_t gf_comm_bytes_sent(const gf_comm *c) { return c && c->sent ? *c->sent : 0; }

void gf_comm_free(gf_comm *c) {
    if (!c) return;
    if (c->kind == GF_COMM_KIND_MPI && c->owns_handle && !c->owns_mpi) {
        MPI_Comm m = handle_get(c);
        MPI_Comm_free(&m);
    }
    if (c->owns_mpi) return;   /* the world: gf_comm_finalize ends it */
    memset(c, 0, sizeof *c);
}

gf_status gf_comm_barrier(const gf_comm *c, gf_error *err) {
    gf_status s = check_member(c, "gf_comm_barrier", err);
    if (s || c->kind == GF_COMM_KIND_SELF) return s;
    int rc = MPI_Barrier(handle_get(c));
    return rc == MPI_SUCCESS ? GF_OK : mpi_fail(c, rc, "MPI_Barrier", err);
}

gf_status gf_comm_bcast(const gf_comm *c, void *buf, size_t len, int root, gf_error *err) {
    gf_status s = check_root(c, root, "gf_comm_bcast", err);
    if (s || !len) return s;
    if (!buf) return gf_error_set(err, GF_ERR_INVALID, "gf_comm_bcast: NULL buffer for %zu bytes", len);
    if (c->kind == GF_COMM_KIND_SELF) return GF_OK;
    const size_t chunk = max_msg(c);
    MPI_Comm m = handle_get(c);
    for (size_t off = 0; off < len; off += chunk) {
        size_t n = len - off < chunk ? len - off : chunk;
        int rc = MPI_Bcast((uint8_t *)buf + off, (int)n, MPI_BYTE, root, m);
        if (rc != MPI_SUCCESS) return mpi_fail(c, rc, "MPI_Bcast", err);
        if (c->sent && c->rank == root) *c->sent += (uint64_t)n * (uint64_t)(c->size - 1);
    }
    return GF_OK;
}

/* Point to point: chunks of at most max_message bytes, tag fixed, so a send matches exactly
 * one recv of the same length from the same peer (MPI keeps order between a pair). */
#define GF_COMM_P2P_TAG 7301
static gf_status check_peer(const gf_comm *c, int peer, const char *op, gf_error *err) {
    if (c->kind == GF_COMM_KIND_NULL) return gf_error_set(err, GF_ERR_INVALID, "%s: not a member of this communicator", op);
    if (peer < 0 || peer >= c->size || peer == c->rank)
        return gf_error_set(err, GF_ERR_INVALID, "%s: peer %d is not another rank of this communicator (size %d, rank %d)", op, peer,
                            c->size, c->rank);
    return GF_OK;
}

gf_status gf_comm_send(const gf_comm *c, const void *buf, size_t len, int dest, gf_error *err) {
    gf_status s = check_peer(c, dest, "gf_comm_send", err);
    if (s || !len) return s;
    if (!buf) return gf_error_set(err, GF_ERR_INVALID, "gf_comm_send: NULL buffer for %zu bytes", len);
    const size_t chunk = max_msg(c);
    MPI_Comm m = handle_get(c);
    for (size_t off = 0; off < len; off += chunk) {
        size_t n = len - off < chunk ? len - off : chunk;
        int rc = MPI_Send((const uint8_t *)buf + off, (int)n, MPI_BYTE, dest, GF_COMM_P2P_TAG, m);
        if (rc != MPI_SUCCESS) return mpi_fail(c, rc, "MPI_Send", err);
        if (c->sent) *c->sent += n;
    }
    return GF_OK;
}

gf_status gf_comm_isend(const gf_comm *c, const void *buf, size_t len, int dest, gf_comm_sends *q, gf_error *err) {
    gf_status s = check_peer(c, dest, "gf_comm_isend", err);
    if (s || !len) return s;
    if (!buf) return gf_error_set(err, GF_ERR_INVALID, "gf_comm_isend: NULL buffer for %zu bytes", len);
    const size_t chunk = max_msg(c);
    MPI_Comm m = handle_get(c);
    for (size_t off = 0; off < len; off += chunk) {
        if (q->n == q->cap) {
            size_t cap = q->cap ? 2 * q->cap : 8;
            MPI_Request *r = realloc(q->req, cap * sizeof *r);
            if (!r) return gf_error_set(err, GF_ERR_NOMEM, "rank %d: out of memory posting sends", c->world_rank);
            q->req = r;
            q->cap = cap;
        }
        size_t n = len - off < chunk ? len - off : chunk;
        int rc = MPI_Isend((const uint8_t *)buf + off, (int)n, MPI_BYTE, dest, GF_COMM_P2P_TAG, m, (MPI_Request *)q->req + q->n);
        if (rc != MPI_SUCCESS) return mpi_fail(c, rc, "MPI_Isend", err);
        q->n++;
        if (c->sent) *c->sent += n;
    }
    return GF_OK;
}

gf_status gf_comm_wait(const gf_comm *c, gf_comm_sends *q, gf_error *err) {
    gf_status s = GF_OK;
    if (q->n) {
        int rc = MPI_Waitall((int)q->n, (MPI_Request *)q->req, MPI_STATUSES_IGNORE);
        if (rc != MPI_SUCCESS) s = mpi_fail(c, rc, "MPI_Waitall", err);
    }
    free(q->req);
    memset(q, 0, sizeof *q);
    return s;
}

gf_status gf_comm_recv(const gf_comm *c, void *buf, size_t len, int src, gf_error *err) {
    gf_status s = check_peer(c, src, "gf_comm_recv", err);
    if (s || !len) return s;
    if (!buf) return gf_error_set(err, GF_ERR_INVALID, "gf_comm_recv: NULL buffer for %zu bytes", len);
    const size_t chunk = max_msg(c);
    MPI_Comm m = handle_get(c);
    for (size_t off = 0; off < len; off += chunk) {
        size_t n = len - off < chunk ? len - off : chunk;
        MPI_Status stt;
        int rc = MPI_Recv((uint8_t *)buf + off, (int)n, MPI_BYTE, src, GF_COMM_P2P_TAG, m, &stt);
        if (rc != MPI_SUCCESS) return mpi_fail(c, rc, "MPI_Recv", err);
        int got = 0;
        MPI_Get_count(&stt, MPI_BYTE, &got);
        if ((size_t)got != n)
            return gf_error_set(err, GF_ERR_MPI, "rank %d: gf_comm_recv from rank %d: got %d bytes, expected %zu", c->world_rank, src, got, n);
    }
    return GF_OK;
}

gf_status gf_comm_bcast_alloc(const gf_comm *c, uint8_t **data, size_t *len, int root, gf_error *err) {
    gf_status s = check_root(c, root, "gf_comm_bcast_alloc", err);
    if (s || c->kind == GF_COMM_KIND_SELF) return s;
    uint8_t lenbuf[8];
    const int is_root = c->rank == root;
    if (is_root) gf_put_u64le(lenbuf, (uint64_t)*len);
    if ((s = gf_comm_bcast(c, lenbuf, sizeof lenbuf, root, err))) return s;
    const uint64_t n = gf_get_u64le(lenbuf);
    if (!is_root) {
        *data = NULL;
        *len = 0;
        if (n > SIZE_MAX) return gf_error_set(err, GF_ERR_NOMEM, "rank %d: broadcast of %llu bytes does not fit memory",
                                              c->world_rank, (unsigned long long)n);
        if (n) {
            *data = malloc((size_t)n);
            /* a failed allocation cannot leave the root alone in the next broadcast: the
             * caller must abort the job (gf_comm_abort) or every later collective hangs */
            if (!*data) return gf_error_set(err, GF_ERR_NOMEM, "rank %d: cannot allocate %llu bytes for a broadcast",
                                            c->world_rank, (unsigned long long)n);
        }
        *len = (size_t)n;
    }
    s = gf_comm_bcast(c, *data, (size_t)n, root, err);
    if (s && !is_root) { free(*data); *data = NULL; *len = 0; }
    return s;
}

gf_status gf_comm_gather(const gf_comm *c, const void *send, size_t block, void *recv, int root, gf_error *err) {
    gf_status s = check_root(c, root, "gf_comm_gather", err);
    if (s || !block) return s;
    const int is_root = c->rank == root;
    if (!send || (is_root && !recv))
        return gf_error_set(err, GF_ERR_INVALID, "gf_comm_gather: NULL buffer for blocks of %zu bytes", block);
    if (c->kind == GF_COMM_KIND_SELF) {
        if (recv != send) memmove(recv, send, block);
        return GF_OK;
    }
    const size_t size = (size_t)c->size;
    if (is_root && block > SIZE_MAX / size)
        return gf_error_set(err, GF_ERR_NOMEM, "gf_comm_gather: %d blocks of %zu bytes overflow", c->size, block);
    /* each round moves `per` bytes from every rank, so the root receives at most max_message
     * (or one byte per rank when max_message < size) */
    size_t per = max_msg(c) / size;
    if (per == 0) per = 1;
    MPI_Comm m = handle_get(c);
    if (c->sent && !is_root) *c->sent += block;
    if (block <= per) {
        int rc = MPI_Gather(send, (int)block, MPI_BYTE, recv, (int)block, MPI_BYTE, root, m);
        return rc == MPI_SUCCESS ? GF_OK : mpi_fail(c, rc, "MPI_Gather", err);
    }
    uint8_t *tmp = NULL;
    /* rank-major rounds land in a staging buffer and are copied to their block offsets */
    if (is_root && !(tmp = malloc(per * size)))
        return gf_error_set(err, GF_ERR_NOMEM, "gf_comm_gather: cannot allocate %zu bytes", per * size);
    for (size_t off = 0; off < block; off += per) {
        size_t n = block - off < per ? block - off : per;
        int rc = MPI_Gather((const uint8_t *)send + off, (int)n, MPI_BYTE, tmp, (int)n, MPI_BYTE, root, m);
        if (rc != MPI_SUCCESS) { free(tmp); return mpi_fail(c, rc, "MPI_Gather", err); }
        if (is_root)
            for (size_t r = 0; r < size; r++) memcpy((uint8_t *)recv + r * block + off, tmp + r * n, n);
    }
    free(tmp);
    return GF_OK;
}

gf_status gf_comm_scatter(const gf_comm *c, const void *send, size_t block, void *recv, int root, gf_error *err) {
    gf_status s = check_root(c, root, "gf_comm_scatter", err);
    if (s || !block) return s;
    const int is_root = c->rank == root;
    if (!recv || (is_root && !send))
        return gf_error_set(err, GF_ERR_INVALID, "gf_comm_scatter: NULL buffer for blocks of %zu bytes", block);
    if (c->kind == GF_COMM_KIND_SELF) {
        if (recv != send) memmove(recv, send, block);
        return GF_OK;
    }
    const size_t size = (size_t)c->size;
    if (is_root && block > SIZE_MAX / size)
        return gf_error_set(err, GF_ERR_NOMEM, "gf_comm_scatter: %d blocks of %zu bytes overflow", c->size, block);
    /* as gather: each round moves `per` bytes to every rank, staged rank-major on the root */
    size_t per = max_msg(c) / size;
    if (per == 0) per = 1;
    MPI_Comm m = handle_get(c);
    if (c->sent && is_root) *c->sent += (uint64_t)block * (uint64_t)(size - 1);
    if (block <= per) {
        int rc = MPI_Scatter(send, (int)block, MPI_BYTE, recv, (int)block, MPI_BYTE, root, m);
        return rc == MPI_SUCCESS ? GF_OK : mpi_fail(c, rc, "MPI_Scatter", err);
    }
    uint8_t *tmp = NULL;
    if (is_root && !(tmp = malloc(per * size)))
        return gf_error_set(err, GF_ERR_NOMEM, "gf_comm_scatter: cannot allocate %zu bytes", per * size);
    for (size_t off = 0; off < block; off += per) {
        size_t n = block - off < per ? block - off : per;
        if (is_root)
            for (size_t r = 0; r < size; r++) memcpy(tmp + r * n, (const uint8_t *)send + r * block + off, n);
        int rc = MPI_Scatter(tmp, (int)n, MPI_BYTE, (uint8_t *)recv + off, (int)n, MPI_BYTE, root, m);
        if (rc != MPI_SUCCESS) { free(tmp); return mpi_fail(c, rc, "MPI_Scatter", err); }
    }
    free(tmp);
    return GF_OK;
}

#define REDUCE_STAGING_MAX ((size_t)64 << 20)   /* bytes the root buffers per slice */

gf_status gf_comm_reduce_sum_m31ext3(const gf_comm *c, const gf_m31ext3 *in, size_t n, gf_m31ext3 *out,
                                      int root, gf_error *err) {
    gf_status s = check_root(c, root, "gf_comm_reduce_sum_m31ext3", err);
    if (s || !n) return s;
    const int is_root = c->rank == root;
    if (!in || (is_root && !out))
        return gf_error_set(err, GF_ERR_INVALID, "gf_comm_reduce_sum_m31ext3: NULL array of %zu elements", n);
    if (c->kind == GF_COMM_KIND_SELF) {
        for (size_t j = 0; j < n; j++) {
            for (int k = 0; k < 3; k++)
                if (in[j].c[k] >= GF_M31_P)
                    return gf_error_set(err, GF_ERR_MPI, "rank 0 sent a non-canonical M31Ext3 element at index %zu", j);
            out[j] = in[j];
        }
        return GF_OK;
    }
    /* Elements travel as their canonical 12-byte encoding (independent of struct layout and
     * byte order). The slice size depends only on n, size and max_message: equal everywhere. */
    const size_t size = (size_t)c->size;
    size_t budget = max_msg(c) < REDUCE_STAGING_MAX ? max_msg(c) : REDUCE_STAGING_MAX;
    size_t slice = budget / size / 12;
    if (slice == 0) slice = 1;
    if (slice > n) slice = n;
    uint8_t *mine = malloc(slice * 12), *all = is_root ? malloc(slice * 12 * size) : NULL;
    if (!mine || (is_root && !all)) {
        free(mine);
        free(all);
        return gf_error_set(err, GF_ERR_NOMEM, "rank %d: cannot allocate reduce buffers", c->world_rank);
    }
    gf_status bad = GF_OK;   /* a bad element stops the summing, not the gathers: peers still send */
    for (size_t base = 0; base < n && !s; base += slice) {
        size_t cnt = n - base < slice ? n - base : slice;
        for (size_t j = 0; j < cnt; j++) gf_m31ext3_to_bytes(mine + 12 * j, in[base + j]);
        s = gf_comm_gather(c, mine, cnt * 12, all, root, err);
        if (s || !is_root || bad) continue;
        for (size_t j = 0; j < cnt && !bad; j++) {
            gf_m31ext3 acc = gf_m31ext3_zero(), v;
            for (size_t r = 0; r < size; r++) {
                if (gf_m31ext3_from_bytes(&v, all + (r * cnt + j) * 12)) {
                    bad = gf_error_set(err, GF_ERR_MPI, "rank %zu sent a non-canonical M31Ext3 element at index %zu",
                                     r, base + j);
                    break;
                }
                acc = gf_m31ext3_add(acc, v);
            }
            out[base + j] = acc;
        }
    }
    free(mine);
    free(all);
    return s ? s : bad;
}

gf_status gf_comm_agree(const gf_comm *c, gf_status local, gf_error *err) {
    gf_status s = check_member(c, "gf_comm_agree", err);
    if (s) return s;
    struct { int code; char msg[GF_ERROR_MSG_MAX]; } verdict;
    memset(&verdict, 0, sizeof verdict);
    if (local != GF_OK) {
        const char *text = err && err->msg[0] ? err->msg : gf_status_name(local);
        /* an agreement over a group already named the rank: do not name it twice */
        char prefix[32];
        snprintf(prefix, sizeof prefix, "rank %d: ", c->world_rank);
        int n = strncmp(text, prefix, strlen(prefix)) ? snprintf(verdict.msg, sizeof verdict.msg, "%s", prefix) : 0;
        size_t room = sizeof verdict.msg - (size_t)n - 1, tl = strnlen(text, room);   /* long messages are cut */
        memcpy(verdict.msg + n, text, tl);
        verdict.msg[(size_t)n + tl] = 0;
        verdict.code = (int)local;
    }
    if (c->kind == GF_COMM_KIND_SELF) return local == GF_OK ? GF_OK : gf_error_set(err, local, "%s", verdict.msg);
    /* lowest failing rank (size if none), then its verdict: no allocation, two collectives */
    int mine = local != GF_OK ? c->rank : c->size, first = c->size;
    MPI_Comm m = handle_get(c);
    int rc = MPI_Allreduce(&mine, &first, 1, MPI_INT, MPI_MIN, m);
    if (rc != MPI_SUCCESS) return mpi_fail(c, rc, "MPI_Allreduce", err);
    if (first >= c->size) return GF_OK;
    if ((rc = MPI_Bcast(&verdict, (int)sizeof verdict, MPI_BYTE, first, m)) != MPI_SUCCESS)
        return mpi_fail(c, rc, "MPI_Bcast", err);
    verdict.msg[sizeof verdict.msg - 1] = 0;
    return gf_error_set(err, verdict.code > 0 ? (gf_status)verdict.code : GF_ERR_INTERNAL, "%s", verdict.msg);
}

_Noreturn void gf_comm_abort(const gf_comm *c, int code, const char *message) {
    if (code < 1 || code > 255) code = 1;
    fprintf(stderr, "gkrflow: rank %d: %s\n", c ? c->world_rank : 0, message ? message : "aborted");
    fflush(stderr);
    if (c && c->kind == GF_COMM_KIND_MPI) {
        int inited = 0, finalized = 0;
        MPI_Initialized(&inited);
        MPI_Finalized(&finalized);
        /* the world, not c: a group failure must end every rank, not only the group */
        if (inited && !finalized) MPI_Abort(MPI_COMM_WORLD, code);
        _exit(code);
    }
    exit(code);
}
