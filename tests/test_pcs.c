/* The PCS interface (pcs/pcs.h) with the raw scheme: single and batch openings, every claim
 * checked against an independent MLE evaluation, and rejection of wrong values, wrong
 * commitments, truncated openings and claims on missing vectors. */
#include <stdlib.h>
#include <string.h>
#include "gkr/mle.h"
#include "pcs/pcs.h"
#include "hash/sha256.h"
#include "common/util.h"
#include "testutil.h"

/* independent MLE: sum_i eq(point, i) v_i, term by term */
static gf_m31ext3 naive_mle(const gf_m31 *v, uint64_t len, const gf_m31ext3 *pt) {
    unsigned k = 0;
    while ((1ull << k) < len) k++;
    gf_m31ext3 acc = gf_m31ext3_zero();
    for (uint64_t i = 0; i < len; i++) {
        gf_m31ext3 w = gf_m31ext3_one();
        for (unsigned j = 0; j < k; j++) w = gf_m31ext3_mul(w, (i >> j) & 1 ? pt[j] : gf_m31ext3_sub(gf_m31ext3_one(), pt[j]));
        acc = gf_m31ext3_add(acc, gf_m31ext3_mul_base(w, v[i]));
    }
    return acc;
}

/* gf_mle_eval_m31 (packed, top variable first from 2^6 values on) against the term-by-term sum,
 * for every size up to 2^13, with edge values (0, p-1) and unaligned inputs */
static void test_mle_eval(gf_rng *rng) {
    for (unsigned k = 0; k <= 13; k++) {
        uint64_t n = 1ull << k;
        gf_m31 *buf = malloc((n + 1) * sizeof *buf), *v = buf + (k & 1);   /* odd k: not 64-byte aligned */
        for (uint64_t i = 0; i < n; i++) {
            uint64_t t = gf_rng_below(rng, 4);
            v[i] = t == 0 ? 0 : t == 1 ? GF_M31_P - 1 : gf_m31_random(rng);
        }
        gf_m31ext3 pt[13];
        for (unsigned j = 0; j < k; j++) pt[j] = gf_m31ext3_random(rng);
        CHECK_MSG(gf_m31ext3_eq(gf_mle_eval_m31(v, pt, k), naive_mle(v, n, pt)), "k = %u", k);
        /* at a Boolean point the MLE is the value there */
        uint64_t at = gf_rng_below(rng, n);
        for (unsigned j = 0; j < k; j++) pt[j] = (at >> j) & 1 ? gf_m31ext3_one() : gf_m31ext3_zero();
        CHECK(gf_m31ext3_eq(gf_mle_eval_m31(v, pt, k), gf_m31ext3_from_base(v[at])));
        free(buf);
    }
}

static void test_raw_scheme(gf_rng *rng) {
    const gf_pcs_m31 *s = gf_pcs_raw_m31();
    gf_error err;
    CHECK(s->id == GF_PCS_RAW && s->commitment_bytes == 32);
    gf_buf params;
    gf_buf_init(&params);
    CHECK(s->setup(20, &params, &err) == GF_OK && params.len == 0);
    enum { NV = 3, NC = 7 };
    uint64_t lens[NV] = {1, 16, 256};
    gf_m31 *vecs[NV];
    uint8_t com[NV][32];
    const uint8_t *coms[NV];
    for (int i = 0; i < NV; i++) {
        vecs[i] = malloc(lens[i] * sizeof(gf_m31));
        for (uint64_t x = 0; x < lens[i]; x++) vecs[i][x] = gf_m31_random(rng);
        REQUIRE(s->commit(NULL, 0, vecs[i], lens[i], com[i], &err) == GF_OK);
        coms[i] = com[i];
    }
    /* claims: several per vector */
    uint32_t vec_of[NC] = {0, 1, 1, 2, 2, 2, 1};
    gf_m31ext3 pts[NC][8], vals[NC];
    const gf_m31ext3 *pp[NC];
    for (int j = 0; j < NC; j++) {
        for (int q = 0; q < 8; q++) pts[j][q] = gf_m31ext3_random(rng);
        pp[j] = pts[j];
        vals[j] = naive_mle(vecs[vec_of[j]], lens[vec_of[j]], pts[j]);
    }
    gf_buf proof;
    gf_buf_init(&proof);
    REQUIRE(s->batch_open(NULL, 0, NV, (const gf_m31 *const *)vecs, lens, NC, vec_of, pp, NULL, &proof, &err) == GF_OK);
    gf_reader r;
    gf_reader_init(&r, proof.data, proof.len);
    CHECK_MSG(s->batch_verify(NULL, 0, NV, coms, lens, NC, vec_of, pp, vals, NULL, &r, &err) == GF_OK, "%s", err.msg);
    CHECK_EQ_U64(gf_reader_remaining(&r), 0);
    /* each claim's value changed: rejected, naming the vector */
    for (int j = 0; j < NC; j++) {
        gf_m31ext3 keep = vals[j];
        vals[j] = gf_m31ext3_add(vals[j], gf_m31ext3_one());
        gf_reader_init(&r, proof.data, proof.len);
        gf_status st = s->batch_verify(NULL, 0, NV, coms, lens, NC, vec_of, pp, vals, NULL, &r, &err);
        CHECK(st == GF_ERR_VERIFY);
        vals[j] = keep;
    }
    /* a commitment of another vector: rejected */
    uint8_t bad[32];
    memcpy(bad, com[2], 32);
    bad[7] ^= 1;
    coms[2] = bad;
    gf_reader_init(&r, proof.data, proof.len);
    CHECK(s->batch_verify(NULL, 0, NV, coms, lens, NC, vec_of, pp, vals, NULL, &r, &err) == GF_ERR_VERIFY);
    coms[2] = com[2];
    /* truncated opening; claim on a missing vector */
    gf_reader_init(&r, proof.data, proof.len - 3);
    CHECK(s->batch_verify(NULL, 0, NV, coms, lens, NC, vec_of, pp, vals, NULL, &r, &err) == GF_ERR_FORMAT);
    vec_of[3] = NV;
    gf_reader_init(&r, proof.data, proof.len);
    CHECK(s->batch_verify(NULL, 0, NV, coms, lens, NC, vec_of, pp, vals, NULL, &r, &err) == GF_ERR_INVALID);
    vec_of[3] = 2;
    /* single-vector helpers */
    gf_buf one;
    gf_buf_init(&one);
    const gf_m31ext3 *p1[2] = {pts[1], pts[2]};
    gf_m31ext3 v1[2] = {vals[1], vals[2]};
    REQUIRE(gf_pcs_m31_open(s, NULL, 0, vecs[1], lens[1], 2, p1, NULL, &one, &err) == GF_OK);
    gf_reader_init(&r, one.data, one.len);
    CHECK(gf_pcs_m31_verify(s, NULL, 0, com[1], lens[1], 2, p1, v1, NULL, &r, &err) == GF_OK);
    gf_buf_free(&one);
    gf_buf_free(&proof);
    gf_buf_free(&params);
    for (int i = 0; i < NV; i++) free(vecs[i]);
}

/* The chunked raw commitment against its definition written out with the plain SHA-256
 * (one digest per 2^15 values, then the tagged hash of len and the digests), and computed
 * from two halves' digests the way two ranks do. */
static void test_raw_commit_chunks(gf_rng *rng) {
    const uint64_t lens[] = {1, 2, 1024, GF_PCS_RAW_CHUNK, 2 * GF_PCS_RAW_CHUNK, 8 * GF_PCS_RAW_CHUNK};
    gf_error err;
    for (size_t t = 0; t < sizeof lens / sizeof *lens; t++) {
        const uint64_t len = lens[t], nc = len < GF_PCS_RAW_CHUNK ? 1 : len / GF_PCS_RAW_CHUNK;
        CHECK_EQ_U64(gf_pcs_raw_chunks(len), nc);
        gf_m31 *v = malloc(len * sizeof *v);
        uint8_t *buf = malloc(18 + 8 + 32 * nc), com[32], want[32], (*d)[32] = malloc(nc * 32);
        REQUIRE(v && buf && d);
        for (uint64_t i = 0; i < len; i++) v[i] = gf_m31_random(rng);
        memcpy(buf, "gkrflow/raw-pcs/v2", 18);
        gf_put_u64le(buf + 18, len);
        for (uint64_t c = 0; c < nc; c++) {
            uint64_t n = len - c * GF_PCS_RAW_CHUNK < GF_PCS_RAW_CHUNK ? len - c * GF_PCS_RAW_CHUNK : GF_PCS_RAW_CHUNK;
            uint8_t *le = malloc(4 * n);
            for (uint64_t i = 0; i < n; i++) gf_put_u32le(le + 4 * i, v[c * GF_PCS_RAW_CHUNK + i]);
            REQUIRE(gf_sha256(buf + 26 + 32 * c, le, 4 * n, &err) == GF_OK);
            free(le);
        }
        REQUIRE(gf_sha256(want, buf, 26 + 32 * nc, &err) == GF_OK);
        REQUIRE(gf_pcs_raw_commit_m31(v, len, com, &err) == GF_OK);
        CHECK_MSG(!memcmp(com, want, 32), "raw commitment of %llu values", (unsigned long long)len);
        if (nc >= 2) {   /* two holders of one half each */
            REQUIRE(gf_pcs_raw_chunk_digests_m31(v, len / 2, d, &err) == GF_OK);
            REQUIRE(gf_pcs_raw_chunk_digests_m31(v + len / 2, len / 2, d + nc / 2, &err) == GF_OK);
            REQUIRE(gf_pcs_raw_combine_m31(len, (const uint8_t(*)[32])d, com, &err) == GF_OK);
            CHECK(!memcmp(com, want, 32));
        }
        v[len - 1] ^= 1;   /* any value changes it */
        REQUIRE(gf_pcs_raw_commit_m31(v, len, com, &err) == GF_OK);
        CHECK(memcmp(com, want, 32) != 0);
        free(v); free(buf); free(d);
    }
}

int main(void) {
    TEST_BEGIN();
    RUN(test_mle_eval);
    RUN(test_raw_scheme);
    RUN(test_raw_commit_chunks);
    return TEST_END();
}
