/* Whole-circuit proofs (prover/circuit_proof.h) for N = 1 .. 1024 instances, including
 * counts that need padding: round trip, header and tamper rejection, a proof checked against
 * another circuit, and the reusable prover giving the same bytes as the one-shot call. */
#include <stdlib.h>
#include <string.h>
#include "circuit/circuit.h"
#include "common/util.h"
#include "prover/circuit_proof.h"
#include "gkr_testcircuits.h"
#include "testutil.h"

static void test_counts(gf_rng *rng) {
    gf_error err;
    gf_circuit *c = gf_testc_m31_dense(rng, 4, 3, 1), *other = gf_testc_m31_dense(rng, 4, 3, 1);
    uint64_t counts[] = {1, 2, 3, 15, 16, 17, 100, 1024};
    for (size_t ci = 0; ci < sizeof counts / sizeof counts[0]; ci++) {
        uint64_t n = counts[ci], m = gf_circuit_input_len(c);
        gf_m31 *in = malloc(n * m * sizeof *in);
        for (uint64_t i = 0; i < n * m; i++) in[i] = gf_m31_random(rng);
        gf_buf p;
        gf_buf_init(&p);
        gf_prove_stats S;
        gf_status st = gf_circuit_prove_m31(c, in, n, 1, NULL, &p, &S, &err);
        CHECK_MSG(st == GF_OK, "n=%llu: %s", (unsigned long long)n, err.msg);
        uint64_t nv = 0;
        uint32_t flags = 0;
        st = gf_circuit_verify_m31(c, p.data, p.len, &nv, &flags, &err);
        CHECK_MSG(st == GF_OK, "n=%llu: %s", (unsigned long long)n, err.msg);
        CHECK_EQ_U64(nv, n);
        CHECK(flags & GF_PROOF_FLAG_PUBLIC_OUTPUTS);
        CHECK_EQ_U64(p.len, S.proof_bytes);
        /* against another circuit: rejected */
        CHECK(gf_circuit_verify_m31(other, p.data, p.len, NULL, NULL, &err) != GF_OK);
        /* sampled byte flips and a truncation: rejected */
        size_t accepted = 0;
        for (size_t i = 0; i < p.len; i += 1 + p.len / 97) {
            p.data[i] ^= 4;
            accepted += gf_circuit_verify_m31(c, p.data, p.len, NULL, NULL, &err) == GF_OK;
            p.data[i] ^= 4;
        }
        CHECK_EQ_U64(accepted, 0);
        CHECK(gf_circuit_verify_m31(c, p.data, p.len - 1, NULL, NULL, &err) == GF_ERR_FORMAT);
        gf_buf_free(&p);
        free(in);
    }
    gf_circuit_free(c);
    gf_circuit_free(other);
}

static void test_reusable_prover(gf_rng *rng) {
    gf_error err;
    gf_circuit *c = gf_testc_m31_dense(rng, 5, 2, 1);
    uint64_t K = 4, m = gf_circuit_input_len(c);
    gf_m31x16 *packed = gf_alloc_aligned(K * m, sizeof *packed);
    for (uint64_t i = 0; i < K * m; i++)
        for (int s = 0; s < 16; s++) packed[i].v[s] = gf_m31_random(rng);
    gf_buf a, b;
    gf_buf_init(&a);
    gf_buf_init(&b);
    REQUIRE(gf_circuit_prove_packed_m31(c, packed, K, 1, NULL, &a, NULL, &err) == GF_OK);
    gf_circuit_prover *p = NULL;
    gf_pool *pool = NULL;
    REQUIRE(gf_pool_new(&pool, 2, &err) == GF_OK);
    REQUIRE(gf_circuit_prover_new(&p, c, K, &err) == GF_OK);
    for (int rep = 0; rep < 3; rep++) {   /* reuse must not leak state between proofs */
        b.len = 0;
        CHECK(gf_circuit_prover_prove(p, packed, 16 * K, 1, pool, &b, NULL, &err) == GF_OK);
        CHECK(a.len == b.len && !memcmp(a.data, b.data, a.len));
    }
    gf_circuit_prover_free(p);
    gf_pool_free(pool);
    gf_buf_free(&a);
    gf_buf_free(&b);
    gf_free_aligned(packed);
    gf_circuit_free(c);
}

int main(void) {
    TEST_BEGIN();
    RUN(test_counts);
    RUN(test_reusable_prover);
    return TEST_END();
}
