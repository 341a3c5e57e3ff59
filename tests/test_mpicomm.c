/* Communicator (src/mpi/comm.h). Every check runs on gf_comm_self() (no MPI at all) and,
 * when this program is started by mpiexec (ctest: mpicomm_np2), again on the world:
 * broadcast (every root, plain and chunked with tiny message limits, unknown-length),
 * gather (every root, direct and chunked), reduce-sum of M31Ext3 against a naive local sum
 * of every rank's data (all ranks derive all data from the shared seed), split (parity
 * groups with reversed keys, a one-member group and non-members), error agreement, bad
 * roots rejected on every rank before any message, point-to-point messages around a ring.
 * `test_mpicomm --abort-rank K` instead makes rank K call gf_comm_abort while the others
 * wait in a barrier that would never complete; `--kill-rank K` makes rank K die of SIGKILL
 * there instead (both used by tests/cli_mpi.sh). */
#include <signal.h>
#include <stdint.h>
#include "testutil.h"
#include "field/m31ext3.h"
#include "mpi/comm.h"

static gf_comm *C;   /* the communicator under test */

static void fill(uint8_t *p, size_t n, uint64_t seed) {
    gf_rng r;
    gf_rng_seed(&r, seed);
    for (size_t i = 0; i < n; i++) p[i] = (uint8_t)gf_rng_u64(&r);
}

static gf_m31ext3 elem(uint64_t seed, int rank, size_t j) {
    gf_rng r;
    gf_rng_seed(&r, seed * 1000003u + (uint64_t)rank * 7919u + j);
    gf_m31ext3 e = gf_m31ext3_random(&r);
    if (j % 5 == 0) e.c[0] = e.c[1] = e.c[2] = GF_M31_P - 1;   /* wrap-around sums */
    return e;
}

static const size_t limits[] = {0 /* default 1 GiB */, 1, 3, 64, 1000};
#define N_LIMITS (sizeof limits / sizeof *limits)
/* Keep each case to a few hundred messages: with more ranks than cores (or a busy machine)
 * every message can cost a scheduler time slice. */
#define MAX_ROUNDS 300
static int too_many_rounds(size_t bytes, size_t per_message) {
    return per_message && bytes / per_message > MAX_ROUNDS;
}

static void test_basic(gf_rng *rng) {
    (void)rng;
    CHECK(gf_comm_is_member(C));
    CHECK(gf_comm_size(C) >= 1 && gf_comm_rank(C) >= 0 && gf_comm_rank(C) < gf_comm_size(C));
    CHECK(gf_comm_world_size(C) == gf_comm_size(C) && gf_comm_world_rank(C) == gf_comm_rank(C));
    gf_error err = {0};
    CHECK(gf_comm_barrier(C, &err) == GF_OK);
    gf_comm s = gf_comm_self();
    CHECK(s.kind == GF_COMM_KIND_SELF && gf_comm_size(&s) == 1 && gf_comm_rank(&s) == 0 && s.max_message > 0);
}

static void test_bcast(gf_rng *rng) {
    const size_t lens[] = {0, 1, 7, 1000, 100003};
    const int size = gf_comm_size(C), me = gf_comm_rank(C);
    uint64_t seed = gf_rng_u64(rng);
    for (size_t li = 0; li < N_LIMITS; li++) {
        gf_comm_set_max_message(C, limits[li]);
        for (size_t k = 0; k < sizeof lens / sizeof *lens; k++) {
            if (too_many_rounds(lens[k], limits[li])) continue;
            for (int root = 0; root < size; root++) {
                size_t n = lens[k];
                uint8_t *buf = malloc(n + 1), *want = malloc(n + 1);
                REQUIRE(buf && want);
                fill(want, n, seed + k * 131 + (uint64_t)root);
                if (me == root) memcpy(buf, want, n);
                else memset(buf, 0xee, n);
                gf_error err = {0};
                CHECK_MSG(gf_comm_bcast(C, buf, n, root, &err) == GF_OK, "%s", err.msg);
                CHECK_MSG(!memcmp(buf, want, n), "len %zu root %d limit %zu", n, root, limits[li]);
                free(buf);
                free(want);
            }
        }
    }
    gf_comm_set_max_message(C, 0);
    CHECK(C->max_message == GF_COMM_MAX_MESSAGE);
    gf_comm_set_max_message(C, SIZE_MAX);
    CHECK(C->max_message == 2147483647u);   /* never above MPI's int count */
    gf_comm_set_max_message(C, 0);
}

static void test_bcast_alloc(gf_rng *rng) {
    const int size = gf_comm_size(C), me = gf_comm_rank(C);
    uint64_t seed = gf_rng_u64(rng);
    const size_t lens[] = {0, 1, 12345};
    for (size_t li = 0; li < N_LIMITS; li += 2) {
        gf_comm_set_max_message(C, limits[li]);
        for (size_t k = 0; k < 3; k++)
            for (int root = 0; root < size && !too_many_rounds(lens[k], limits[li]); root++) {
                size_t n = lens[k];
                uint8_t *want = malloc(n + 1);
                REQUIRE(want);
                fill(want, n, seed ^ (k * 977 + (uint64_t)root));
                uint8_t *data = me == root ? want : (uint8_t *)"junk";
                size_t len = me == root ? n : 999;
                gf_error err = {0};
                CHECK_MSG(gf_comm_bcast_alloc(C, &data, &len, root, &err) == GF_OK, "%s", err.msg);
                CHECK_EQ_U64(len, n);
                if (me == root) CHECK(data == want);
                else {
                    CHECK(n ? data != NULL : data == NULL);
                    CHECK(!n || !memcmp(data, want, n));
                    free(data);
                }
                free(want);
            }
    }
    gf_comm_set_max_message(C, 0);
}

static void test_gather(gf_rng *rng) {
    const int size = gf_comm_size(C), me = gf_comm_rank(C);
    uint64_t seed = gf_rng_u64(rng);
    const size_t blocks[] = {1, 13, 4096};
    for (size_t li = 0; li < N_LIMITS; li++) {
        gf_comm_set_max_message(C, limits[li]);
        for (size_t b = 0; b < 3; b++)
            for (int root = 0; root < size; root++) {
                size_t per = limits[li] ? limits[li] / (size_t)size : 0;
                if (limits[li] && too_many_rounds(blocks[b], per ? per : 1)) continue;
                size_t blk = blocks[b];
                uint8_t *mine = malloc(blk), *all = malloc(blk * (size_t)size + 1), *want = malloc(blk);
                REQUIRE(mine && all && want);
                fill(mine, blk, seed + (uint64_t)me * 1000 + b);
                memset(all, 0xcd, blk * (size_t)size + 1);
                gf_error err = {0};
                CHECK_MSG(gf_comm_gather(C, mine, blk, me == root ? all : NULL, root, &err) == GF_OK, "%s", err.msg);
                if (me == root) {
                    for (int r = 0; r < size; r++) {
                        fill(want, blk, seed + (uint64_t)r * 1000 + b);
                        CHECK_MSG(!memcmp(all + (size_t)r * blk, want, blk), "block %zu from rank %d, limit %zu", blk,
                                  r, limits[li]);
                    }
                    CHECK(all[blk * (size_t)size] == 0xcd);   /* nothing written past the end */
                }
                free(mine);
                free(all);
                free(want);
            }
    }
    gf_comm_set_max_message(C, 0);
    /* zero-size blocks are a no-op */
    gf_error err = {0};
    CHECK(gf_comm_gather(C, NULL, 0, NULL, 0, &err) == GF_OK);
}

static void test_scatter(gf_rng *rng) {
    const int size = gf_comm_size(C), me = gf_comm_rank(C);
    uint64_t seed = gf_rng_u64(rng);
    const size_t blocks[] = {1, 13, 4096};
    for (size_t li = 0; li < N_LIMITS; li++) {
        gf_comm_set_max_message(C, limits[li]);
        for (size_t b = 0; b < 3; b++)
            for (int root = 0; root < size; root++) {
                size_t per = limits[li] ? limits[li] / (size_t)size : 0;
                if (limits[li] && too_many_rounds(blocks[b], per ? per : 1)) continue;
                size_t blk = blocks[b];
                uint8_t *all = malloc(blk * (size_t)size), *mine = malloc(blk + 1), *want = malloc(blk);
                REQUIRE(all && mine && want);
                for (int r = 0; r < size; r++) fill(all + (size_t)r * blk, blk, seed + (uint64_t)r * 1000 + b);
                memset(mine, 0xcd, blk + 1);
                gf_error err = {0};
                CHECK_MSG(gf_comm_scatter(C, me == root ? all : NULL, blk, mine, root, &err) == GF_OK, "%s", err.msg);
                fill(want, blk, seed + (uint64_t)me * 1000 + b);
                CHECK_MSG(!memcmp(mine, want, blk), "block %zu to rank %d from root %d, limit %zu", blk, me, root, limits[li]);
                CHECK(mine[blk] == 0xcd);   /* nothing written past the end */
                free(all);
                free(mine);
                free(want);
            }
    }
    gf_comm_set_max_message(C, 0);
    gf_error err = {0};
    CHECK(gf_comm_scatter(C, NULL, 0, NULL, 0, &err) == GF_OK);
}

/* Point to point: a ring (each rank sends to the next and receives from the previous), plain
 * and chunked; every rank checks the bytes its predecessor derived from the shared seed.
 * Self, out-of-range and own-rank peers are rejected. */
static void test_p2p(gf_rng *rng) {
    const int size = gf_comm_size(C), me = gf_comm_rank(C);
    uint64_t seed = gf_rng_u64(rng);
    gf_error err = {0};
    uint8_t x = 0;
    CHECK(gf_comm_send(C, &x, 1, me, &err) == GF_ERR_INVALID);
    CHECK(gf_comm_recv(C, &x, 1, size, &err) == GF_ERR_INVALID);
    CHECK(gf_comm_send(C, &x, 1, -1, &err) == GF_ERR_INVALID);
    if (size < 2) return;
    const size_t lens[] = {1, 1000, 100003};
    for (size_t li = 0; li < N_LIMITS; li++) {
        gf_comm_set_max_message(C, limits[li]);
        for (size_t k = 0; k < 3; k++) {
            if (too_many_rounds(lens[k], limits[li])) continue;
            size_t n = lens[k];
            int next = (me + 1) % size, prev = (me + size - 1) % size;
            uint8_t *out = malloc(n), *in = malloc(n + 1), *want = malloc(n);
            REQUIRE(out && in && want);
            fill(out, n, seed + (uint64_t)me * 31 + k);
            fill(want, n, seed + (uint64_t)prev * 31 + k);
            memset(in, 0xab, n + 1);
            /* even ranks send first, odd ranks receive first: no deadlock for any size */
            gf_status a, b;
            if (me % 2 == 0) { a = gf_comm_send(C, out, n, next, &err); b = gf_comm_recv(C, in, n, prev, &err); }
            else { b = gf_comm_recv(C, in, n, prev, &err); a = gf_comm_send(C, out, n, next, &err); }
            CHECK_MSG(a == GF_OK && b == GF_OK, "%s", err.msg);
            CHECK_MSG(!memcmp(in, want, n) && in[n] == 0xab, "%zu bytes from rank %d, limit %zu", n, prev, limits[li]);
            free(out); free(in); free(want);
        }
    }
    gf_comm_set_max_message(C, 0);
}

/* Non-blocking sends: every rank posts two messages to the next rank (ordered), receives two
 * from the previous one with blocking receives, then waits; chunked under every limit. Every
 * rank posts before receiving, so nothing can deadlock whatever the sizes. */
static void test_isend(gf_rng *rng) {
    const int size = gf_comm_size(C), me = gf_comm_rank(C);
    uint64_t seed = gf_rng_u64(rng);
    gf_error err = {0};
    uint8_t x = 0;
    gf_comm_sends q = {0};
    CHECK(gf_comm_isend(C, &x, 1, me, &q, &err) == GF_ERR_INVALID);
    CHECK(!gf_comm_pending(&q));
    CHECK(gf_comm_wait(C, &q, &err) == GF_OK);   /* nothing posted */
    if (size < 2) return;
    const size_t lens[] = {1, 1000, 100003};
    for (size_t li = 0; li < N_LIMITS; li++) {
        gf_comm_set_max_message(C, limits[li]);
        for (size_t k = 0; k < 3; k++) {
            if (too_many_rounds(lens[k], limits[li])) continue;
            size_t n = lens[k];
            int next = (me + 1) % size, prev = (me + size - 1) % size;
            uint8_t *out = malloc(2 * n), *in = malloc(2 * n + 1), *want = malloc(2 * n);
            REQUIRE(out && in && want);
            fill(out, 2 * n, seed + (uint64_t)me * 37 + k);
            fill(want, 2 * n, seed + (uint64_t)prev * 37 + k);
            memset(in, 0xab, 2 * n + 1);
            gf_status a = gf_comm_isend(C, out, n, next, &q, &err);
            if (a == GF_OK) a = gf_comm_isend(C, out + n, n, next, &q, &err);
            CHECK(gf_comm_pending(&q));
            gf_status b = gf_comm_recv(C, in, n, prev, &err);
            if (b == GF_OK) b = gf_comm_recv(C, in + n, n, prev, &err);
            gf_status c = gf_comm_wait(C, &q, &err);
            CHECK_MSG(a == GF_OK && b == GF_OK && c == GF_OK, "%s", err.msg);
            CHECK(!gf_comm_pending(&q));
            CHECK_MSG(!memcmp(in, want, 2 * n) && in[2 * n] == 0xab, "%zu bytes twice from rank %d, limit %zu", n, prev, limits[li]);
            free(out); free(in); free(want);
        }
    }
    gf_comm_set_max_message(C, 0);
}

static void test_reduce(gf_rng *rng) {
    const int size = gf_comm_size(C), me = gf_comm_rank(C);
    uint64_t seed = gf_rng_u64(rng) & 0xffffff;
    const size_t ns[] = {1, 3, 1000, 40000};
    const size_t rlimits[] = {0, 1, 24, 1000};
    for (size_t li = 0; li < 4; li++) {
        gf_comm_set_max_message(C, rlimits[li]);
        for (size_t k = 0; k < 4; k++) {
            size_t n = ns[k];
            size_t per_slice = rlimits[li] ? rlimits[li] / (size_t)size / 12 : 0;
            if (rlimits[li] && too_many_rounds(n, per_slice ? per_slice : 1)) continue;
            for (int root = 0; root < size; root++) {
                gf_m31ext3 *in = malloc(n * sizeof *in), *out = malloc(n * sizeof *out);
                REQUIRE(in && out);
                for (size_t j = 0; j < n; j++) in[j] = elem(seed + k, me, j);
                int alias = (root + (int)k) % 2;   /* out == in on root half the time */
                gf_m31ext3 *dst = alias ? in : out;
                gf_error err = {0};
                CHECK_MSG(gf_comm_reduce_sum_m31ext3(C, in, n, me == root ? dst : NULL, root, &err) == GF_OK, "%s",
                          err.msg);
                if (me == root) {
                    int bad = 0;
                    for (size_t j = 0; j < n; j++) {
                        /* naive: sum limb by limb in 64 bits, reduce once */
                        uint64_t acc[3] = {0, 0, 0};
                        for (int r = 0; r < size; r++) {
                            gf_m31ext3 e = elem(seed + k, r, j);
                            for (int l = 0; l < 3; l++) acc[l] += e.c[l];
                        }
                        for (int l = 0; l < 3; l++) bad += dst[j].c[l] != (gf_m31)(acc[l] % GF_M31_P);
                    }
                    CHECK_MSG(!bad, "n %zu root %d limit %zu: %d wrong limbs", n, root, rlimits[li], bad);
                }
                free(in);
                free(out);
            }
        }
    }
    gf_comm_set_max_message(C, 0);
    /* a non-canonical element from the last rank is reported by the root, naming that rank;
     * with one element per message the root must keep taking part in the later slices */
    for (int lim = 0; lim < 2; lim++) {
        gf_comm_set_max_message(C, lim ? 1 : 0);
        gf_m31ext3 in[40], out[40];
        for (int j = 0; j < 40; j++) in[j] = gf_m31ext3_one();
        if (me == size - 1) in[2].c[1] = GF_M31_P;
        gf_error err = {0};
        gf_status s = gf_comm_reduce_sum_m31ext3(C, in, 40, out, 0, &err);
        if (me == 0) {
            char want[64];
            snprintf(want, sizeof want, "rank %d sent a non-canonical", size - 1);
            CHECK(s == GF_ERR_MPI && strstr(err.msg, want) && strstr(err.msg, "index 2"));
        } else {
            CHECK(s == GF_OK);
        }
        CHECK(gf_comm_barrier(C, &err) == GF_OK);   /* still in step */
    }
    gf_comm_set_max_message(C, 0);
}

static void test_split(gf_rng *rng) {
    (void)rng;
    const int size = gf_comm_size(C), me = gf_comm_rank(C);
    gf_error err = {0};
    /* parity groups, keys reversing the order */
    gf_comm g;
    REQUIRE(gf_comm_split(C, me % 2, -me, &g, &err) == GF_OK);
    int members = (size + (me % 2 == 0)) / 2;   /* ranks with my parity */
    CHECK(gf_comm_is_member(&g));
    CHECK_EQ_U64(gf_comm_size(&g), members);
    int expect_rank = 0;
    for (int r = me + 2; r < size; r += 2) expect_rank++;   /* higher ranks of my parity come first */
    CHECK_EQ_U64(gf_comm_rank(&g), expect_rank);
    CHECK(gf_comm_world_rank(&g) == gf_comm_world_rank(C) && gf_comm_world_size(&g) == gf_comm_world_size(C));
    /* the group root (highest world rank of my parity) broadcasts its world rank */
    int v = gf_comm_rank(&g) == 0 ? me : -1;
    CHECK(gf_comm_bcast(&g, &v, sizeof v, 0, &err) == GF_OK);
    int top = me;
    while (top + 2 < size) top += 2;
    CHECK_EQ_U64(v, top);
    /* a reduce inside the group only sums the group */
    gf_m31ext3 x = gf_m31ext3_from_base((gf_m31)(me + 1)), sum;
    CHECK(gf_comm_reduce_sum_m31ext3(&g, &x, 1, &sum, 0, &err) == GF_OK);
    if (gf_comm_rank(&g) == 0) {
        uint64_t want = 0;
        for (int r = me % 2; r < size; r += 2) want += (uint64_t)r + 1;
        CHECK(gf_m31ext3_eq(sum, gf_m31ext3_from_base((gf_m31)want)));
    }
    /* nested split of the group */
    gf_comm h;
    CHECK(gf_comm_split(&g, 0, 0, &h, &err) == GF_OK && gf_comm_size(&h) == gf_comm_size(&g));
    gf_comm_free(&h);
    gf_comm_free(&g);
    CHECK(!gf_comm_is_member(&g));

    /* only rank 0 in a group; the others are non-members and collectives reject them */
    gf_comm one;
    REQUIRE(gf_comm_split(C, me == 0 ? 5 : GF_COMM_NO_GROUP, 0, &one, &err) == GF_OK);
    if (me == 0) {
        CHECK(gf_comm_is_member(&one) && gf_comm_size(&one) == 1 && gf_comm_rank(&one) == 0);
        uint8_t b = 1;
        CHECK(gf_comm_bcast(&one, &b, 1, 0, &err) == GF_OK);
    } else {
        CHECK(!gf_comm_is_member(&one));
        uint8_t b = 1;
        CHECK(gf_comm_bcast(&one, &b, 1, 0, &err) == GF_ERR_INVALID && strstr(err.msg, "not a member"));
        CHECK(gf_comm_barrier(&one, &err) == GF_ERR_INVALID);
    }
    gf_comm_free(&one);
    /* a negative color other than GF_COMM_NO_GROUP is rejected (identically everywhere) */
    CHECK(gf_comm_split(C, -7, 0, &one, &err) == GF_ERR_INVALID && !gf_comm_is_member(&one));
    /* self and non-members */
    gf_comm self = gf_comm_self(), s2, s3;
    CHECK(gf_comm_split(&self, 3, 0, &s2, &err) == GF_OK && s2.kind == GF_COMM_KIND_SELF && gf_comm_size(&s2) == 1);
    CHECK(gf_comm_split(&self, GF_COMM_NO_GROUP, 0, &s3, &err) == GF_OK && !gf_comm_is_member(&s3));
    CHECK(gf_comm_split(&s3, 0, 0, &s2, &err) == GF_ERR_INVALID);
    gf_comm_free(&s2);
    gf_comm_free(&s3);
}

static void test_bad_root(gf_rng *rng) {
    (void)rng;
    const int size = gf_comm_size(C);
    gf_error err = {0};
    uint8_t b[8] = {0};
    gf_m31ext3 e = gf_m31ext3_one();
    uint8_t *d = b;
    size_t len = 8;
    const int roots[] = {-1, size, size + 5};
    for (int i = 0; i < 3; i++) {
        int r = roots[i];
        CHECK(gf_comm_bcast(C, b, 8, r, &err) == GF_ERR_INVALID && strstr(err.msg, "root"));
        CHECK(gf_comm_bcast_alloc(C, &d, &len, r, &err) == GF_ERR_INVALID);
        CHECK(gf_comm_gather(C, b, 1, b, r, &err) == GF_ERR_INVALID);
        CHECK(gf_comm_reduce_sum_m31ext3(C, &e, 1, &e, r, &err) == GF_ERR_INVALID);
    }
    CHECK(gf_comm_bcast(C, NULL, 8, 0, &err) == GF_ERR_INVALID);
    CHECK(gf_comm_bcast(C, NULL, 0, 0, &err) == GF_OK);
    CHECK(gf_comm_bcast(NULL, b, 8, 0, &err) == GF_ERR_INVALID);
    /* the communicator still works afterwards */
    CHECK(gf_comm_barrier(C, &err) == GF_OK);
}

static void test_agree(gf_rng *rng) {
    (void)rng;
    const int size = gf_comm_size(C), me = gf_comm_rank(C);
    gf_error err = {0};
    CHECK(gf_comm_agree(C, GF_OK, &err) == GF_OK);
    /* the last rank fails */
    gf_status local = GF_OK;
    if (me == size - 1) local = gf_error_set(&err, GF_ERR_IO, "cannot open witness.bin");
    gf_status s = gf_comm_agree(C, local, &err);
    char want[96];
    snprintf(want, sizeof want, "rank %d: cannot open witness.bin", size - 1);
    CHECK(s == GF_ERR_IO && err.code == GF_ERR_IO && !strcmp(err.msg, want));
    /* every rank fails: the lowest one's message wins */
    gf_error e2 = {0};
    local = gf_error_set(&e2, me == 0 ? GF_ERR_FORMAT : GF_ERR_NOMEM, "failure %d", me);
    s = gf_comm_agree(C, local, &e2);
    CHECK(s == GF_ERR_FORMAT && !strcmp(e2.msg, "rank 0: failure 0"));
    /* without an error struct: the status name */
    local = me == 0 ? GF_ERR_VERIFY : GF_OK;
    CHECK(gf_comm_agree(C, local, NULL) == GF_ERR_VERIFY);
}

static void run_all(void) {
    RUN(test_basic);
    RUN(test_bcast);
    RUN(test_bcast_alloc);
    RUN(test_gather);
    RUN(test_scatter);
    RUN(test_p2p);
    RUN(test_isend);
    RUN(test_reduce);
    RUN(test_split);
    RUN(test_bad_root);
    RUN(test_agree);
}

int main(int argc, char **argv) {
    int kill_mode = argc == 3 && !strcmp(argv[1], "--kill-rank");
    if (argc == 3 && (kill_mode || !strcmp(argv[1], "--abort-rank"))) {
        gf_comm w;
        gf_error err = {0};
        if (gf_comm_init(&w, &argc, &argv, &err)) { fprintf(stderr, "%s\n", err.msg); return 2; }
        int k = atoi(argv[2]);
        gf_comm_barrier(&w, &err);
        if (gf_comm_rank(&w) == k && kill_mode) raise(SIGKILL);   /* dies without a word */
        if (gf_comm_rank(&w) == k) gf_comm_abort(&w, 3, "deliberate failure (abort test)");
        gf_comm_barrier(&w, &err);   /* never completes: rank k is gone */
        fprintf(stderr, "rank %d: barrier returned: %s\n", gf_comm_rank(&w), err.msg);
        gf_comm_finalize(&w, &err);
        return 0;   /* reaching this is the failure the test looks for */
    }
    TEST_BEGIN();
    gf_comm self = gf_comm_self();
    C = &self;
    fprintf(stderr, "-- gf_comm_self()\n");
    run_all();
    gf_comm_finalize(&self, NULL);
    if (gf_comm_launched_by_mpiexec()) {
        gf_comm world;
        gf_error err = {0};
        if (gf_comm_init(&world, &argc, &argv, &err) != GF_OK) {
            fprintf(stderr, "gf_comm_init: %s\n", err.msg);
            return 1;
        }
        fprintf(stderr, "-- world rank %d of %d\n", gf_comm_rank(&world), gf_comm_size(&world));
        C = &world;
        run_all();
        CHECK(gf_comm_finalize(&world, &err) == GF_OK);
        CHECK(world.kind == GF_COMM_KIND_NULL);
    } else {
        fprintf(stderr, "not started by mpiexec: multi-rank checks run in the mpicomm_np2 test\n");
    }
    return TEST_END();
}
