/* The GKR prover across MPI ranks: every rank builds the same random circuit and instances
 * (same seed), proves its contiguous share of the blocks with the communicator, and rank 0
 * checks that the proof bytes equal the single-process proof of all instances and verify.
 * Run directly it uses one rank (self communicator); ctest also runs it under mpiexec. */
#include <stdlib.h>
#include <string.h>
#include "circuit/circuit.h"
#include "common/util.h"
#include "gkr/gkr.h"
#include "gkr/mle.h"
#include "mpi/comm.h"
#include "gkr_testcircuits.h"
#include "testutil.h"

static gf_comm *W;   /* the test's communicator (world or self), set in main */

static gf_status prove(const gf_circuit *c, const gf_m31 *coefs, const gf_m31x16 *input, uint64_t K, const gf_comm *comm,
                       gf_buf *proof, gf_gkr_claims *cl, gf_error *err) {
    gf_m31x16 **vals = NULL;
    gf_status st = gf_circuit_eval_m31x16(c, coefs, input, K, &vals, err);
    gf_gkr_m31_prover *G = NULL;
    if (!st) st = gf_gkr_m31_prover_new_comm(&G, c, K, comm, err);
    int root = gf_comm_rank(comm) == 0;
    gf_transcript t;
    if (!st && root) st = gf_transcript_init(&t, "test-mpigkr", err);
    if (!st) st = gf_gkr_m31_prover_run(G, coefs, vals, 1, root ? &t : NULL, root ? proof : NULL, NULL, cl, err);
    if (root) gf_transcript_free(&t);
    gf_gkr_m31_prover_free(G);
    gf_circuit_vals_free(c, vals);
    return st;
}

static void test_same_bytes(gf_rng *rng) {
    const int R = gf_comm_size(W), me = gf_comm_rank(W);
    gf_error err;
    for (int it = 0; it < 6; it++) {
        unsigned n = 2 + (unsigned)gf_rng_below(rng, 6), depth = 1 + (unsigned)gf_rng_below(rng, 3);
        uint64_t Kl = 1ull << gf_rng_below(rng, 3), K = Kl * (uint64_t)R;
        gf_circuit *c = gf_testc_m31_dense(rng, n, depth, 2);
        gf_m31 coefs[3] = {1, c->coef_m31[1], gf_m31_random(rng)};
        size_t m = (size_t)1 << n;
        gf_m31x16 *all = gf_alloc_aligned(K * m, sizeof *all);
        for (size_t i = 0; i < K * m; i++)
            for (int s = 0; s < 16; s++) all[i].v[s] = gf_m31_random(rng);
        gf_buf pm, ps;
        gf_buf_init(&pm);
        gf_buf_init(&ps);
        gf_gkr_claims cm, cs;
        gf_status st = prove(c, coefs, all + (size_t)me * Kl * m, Kl, W, &pm, &cm, &err);
        CHECK_MSG(st == GF_OK, "rank %d: %s", me, err.msg);
        if (me == 0 && !st) {
            gf_comm self = gf_comm_self();
            st = prove(c, coefs, all, K, &self, &ps, &cs, &err);
            CHECK_MSG(st == GF_OK, "%s", err.msg);
            CHECK_MSG(pm.len == ps.len && !memcmp(pm.data, ps.data, pm.len),
                      "%d ranks: proof differs from the single-process proof (n=%u depth=%u K=%llu)", R, n, depth, (unsigned long long)K);
            CHECK(cm.n == cs.n && gf_m31ext3_eq(cm.c[0].value, cs.c[0].value));
            /* and it verifies, with the claims matching the input */
            gf_m31x16 **vals = NULL;
            gf_circuit_eval_m31x16(c, coefs, all, K, &vals, &err);
            gf_transcript t;
            gf_transcript_init(&t, "test-mpigkr", &err);
            gf_reader r;
            gf_reader_init(&r, pm.data, pm.len);
            gf_gkr_claims vc;
            st = gf_gkr_m31_verify(c, coefs, K, (const gf_m31 *)vals[c->n_layers], &t, &r, &vc, &err);
            CHECK_MSG(st == GF_OK, "%s", err.msg);
            for (int q = 0; !st && q < vc.n; q++)
                CHECK(gf_m31ext3_eq(gf_mle_eval_m31((const gf_m31 *)all, vc.c[q].point, vc.c[q].n_vars), vc.c[q].value));
            if (!st) gf_gkr_claims_free(&vc);
            gf_transcript_free(&t);
            gf_circuit_vals_free(c, vals);
            gf_gkr_claims_free(&cs);
        }
        /* every rank has the claim points (the values are the root's): they equal rank 0's */
        if (!st && R > 1) {
            uint32_t nv = cm.c[0].n_vars;
            gf_m31ext3 *pts = malloc(2 * (size_t)nv * sizeof *pts);
            REQUIRE(pts);
            for (int q = 0; q < cm.n; q++) memcpy(pts + (size_t)q * nv, cm.c[q].point, nv * sizeof *pts);
            CHECK(gf_comm_bcast(W, pts, (size_t)cm.n * nv * sizeof *pts, 0, &err) == GF_OK);
            for (int q = 0; q < cm.n; q++)
                CHECK_MSG(!memcmp(pts + (size_t)q * nv, cm.c[q].point, nv * sizeof *pts), "rank %d: claim %d's point differs from rank 0's", me, q);
            free(pts);
        }
        gf_gkr_claims_free(&cm);
        gf_buf_free(&pm);
        gf_buf_free(&ps);
        gf_free_aligned(all);
        gf_circuit_free(c);
    }
}

int main(int argc, char **argv) {
    gf_comm comm;
    gf_error err;
    if (gf_comm_init(&comm, &argc, &argv, &err)) { fprintf(stderr, "%s\n", err.msg); return 1; }
    W = &comm;
    TEST_BEGIN();
    RUN(test_same_bytes);
    int failed = gf_t_failed;
    gf_status agreed = gf_comm_agree(&comm, failed ? GF_ERR_VERIFY : GF_OK, &err);
    int rc = gf_comm_rank(&comm) == 0 ? TEST_END() : (failed ? 1 : 0);
    if (agreed && !rc) rc = 1;
    gf_comm_finalize(&comm, &err);
    return rc;
}
