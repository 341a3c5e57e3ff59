/* SHA-256 via libcrypto: NIST known answers, incremental vs one-shot, context reuse, and a
 * naive FIPS 180-4 implementation in this file (constants derived exactly from the primes) as
 * an independent reference across block-boundary lengths. */
#include "testutil.h"
#include "hash/sha256.h"

static void hex_to_bytes(uint8_t *out, const char *hex) {
    for (size_t i = 0; hex[2 * i]; i++) {
        unsigned v;
        sscanf(hex + 2 * i, "%2x", &v);
        out[i] = (uint8_t)v;
    }
}

static int digest_is(const uint8_t d[32], const char *hex) {
    uint8_t want[32];
    hex_to_bytes(want, hex);
    return memcmp(d, want, 32) == 0;
}

/* ---- naive reference ---- */
typedef struct naive_consts { uint32_t k[64], h0[8]; } naive_consts;

static uint64_t icbrt_u128(unsigned __int128 x) {   /* floor(x^(1/3)) for x < 2^120 */
    uint64_t lo = 0, hi = 1ull << 41;
    while (hi - lo > 1) {
        uint64_t m = lo + (hi - lo) / 2;
        if ((unsigned __int128)m * m * m <= x) lo = m; else hi = m;
    }
    return lo;
}
static uint64_t isqrt_u128(unsigned __int128 x) {   /* floor(sqrt(x)) for x < 2^80 */
    uint64_t lo = 0, hi = 1ull << 41;
    while (hi - lo > 1) {
        uint64_t m = lo + (hi - lo) / 2;
        if ((unsigned __int128)m * m <= x) lo = m; else hi = m;
    }
    return lo;
}
/* K[i] = first 32 fraction bits of cbrt(prime i), H0[i] = of sqrt(prime i): exact integer roots. */
static void naive_init(naive_consts *c) {
    unsigned found = 0;
    for (uint64_t p = 2; found < 64; p++) {
        int prime = 1;
        for (uint64_t d = 2; d * d <= p; d++) if (p % d == 0) { prime = 0; break; }
        if (!prime) continue;
        c->k[found] = (uint32_t)icbrt_u128((unsigned __int128)p << 96);
        if (found < 8) c->h0[found] = (uint32_t)isqrt_u128((unsigned __int128)p << 64);
        found++;
    }
}
static uint32_t rotr(uint32_t x, int n) { return (x >> n) | (x << (32 - n)); }
static void naive_sha256(const naive_consts *c, uint8_t out[32], const uint8_t *msg, size_t len) {
    uint32_t h[8];
    memcpy(h, c->h0, sizeof h);
    size_t total = ((len + 9 + 63) / 64) * 64;
    uint8_t *m = calloc(total, 1);
    memcpy(m, msg, len);
    m[len] = 0x80;
    uint64_t bits = (uint64_t)len * 8;
    for (int i = 0; i < 8; i++) m[total - 1 - i] = (uint8_t)(bits >> (8 * i));
    for (size_t off = 0; off < total; off += 64) {
        uint32_t w[64];
        for (int i = 0; i < 16; i++)
            w[i] = (uint32_t)m[off + 4 * i] << 24 | (uint32_t)m[off + 4 * i + 1] << 16 |
                   (uint32_t)m[off + 4 * i + 2] << 8 | m[off + 4 * i + 3];
        for (int i = 16; i < 64; i++) {
            uint32_t s0 = rotr(w[i - 15], 7) ^ rotr(w[i - 15], 18) ^ (w[i - 15] >> 3);
            uint32_t s1 = rotr(w[i - 2], 17) ^ rotr(w[i - 2], 19) ^ (w[i - 2] >> 10);
            w[i] = w[i - 16] + s0 + w[i - 7] + s1;
        }
        uint32_t a = h[0], b = h[1], cc = h[2], d = h[3], e = h[4], f = h[5], g = h[6], hh = h[7];
        for (int i = 0; i < 64; i++) {
            uint32_t t1 = hh + (rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25)) + ((e & f) ^ (~e & g)) + c->k[i] + w[i];
            uint32_t t2 = (rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22)) + ((a & b) ^ (a & cc) ^ (b & cc));
            hh = g; g = f; f = e; e = d + t1; d = cc; cc = b; b = a; a = t1 + t2;
        }
        h[0] += a; h[1] += b; h[2] += cc; h[3] += d; h[4] += e; h[5] += f; h[6] += g; h[7] += hh;
    }
    free(m);
    for (int i = 0; i < 8; i++)
        for (int j = 0; j < 4; j++) out[4 * i + j] = (uint8_t)(h[i] >> (24 - 8 * j));
}

/* ---- tests ---- */
static const struct { const char *msg; const char *hex; } KAT[] = {
    {"", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"},
    {"abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"},
    {"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
     "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"},
    {"abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu",
     "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1"},
};
static const char *MILLION_A = "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0";

static void test_kat_oneshot(gf_rng *rng) {
    (void)rng;
    for (size_t i = 0; i < sizeof KAT / sizeof KAT[0]; i++) {
        uint8_t d[32];
        gf_error err;
        REQUIRE(gf_sha256(d, KAT[i].msg, strlen(KAT[i].msg), &err) == GF_OK);
        CHECK_MSG(digest_is(d, KAT[i].hex), "vector %zu", i);
    }
    uint8_t d[32];
    REQUIRE(gf_sha256(d, NULL, 0, NULL) == GF_OK);   /* empty input may be NULL */
    CHECK(digest_is(d, KAT[0].hex));
}

static void test_kat_naive_reference(gf_rng *rng) {
    (void)rng;
    naive_consts c;
    naive_init(&c);
    CHECK_EQ_U64(c.k[0], 0x428a2f98u);   /* spot checks of the derived constants */
    CHECK_EQ_U64(c.k[63], 0xc67178f2u);
    CHECK_EQ_U64(c.h0[0], 0x6a09e667u);
    CHECK_EQ_U64(c.h0[7], 0x5be0cd19u);
    for (size_t i = 0; i < sizeof KAT / sizeof KAT[0]; i++) {
        uint8_t d[32];
        naive_sha256(&c, d, (const uint8_t *)KAT[i].msg, strlen(KAT[i].msg));
        CHECK_MSG(digest_is(d, KAT[i].hex), "naive reference, vector %zu", i);
    }
}

static void test_million_a(gf_rng *rng) {
    size_t n = 1000000;
    uint8_t *buf = malloc(n);
    REQUIRE(buf);
    memset(buf, 'a', n);
    uint8_t d[32];
    CHECK(gf_sha256(d, buf, n, NULL) == GF_OK);
    CHECK(digest_is(d, MILLION_A));
    /* incremental, random chunk sizes */
    gf_sha256_ctx c;
    REQUIRE(gf_sha256_init(&c, NULL) == GF_OK);
    size_t done = 0;
    while (done < n) {
        size_t k = (size_t)gf_rng_below(rng, 5000);
        if (k > n - done) k = n - done;
        CHECK(gf_sha256_update(&c, buf + done, k, NULL) == GF_OK);
        done += k;
    }
    memset(d, 0, sizeof d);
    CHECK(gf_sha256_final(&c, d, NULL) == GF_OK);
    CHECK(digest_is(d, MILLION_A));
    gf_sha256_free(&c);
    free(buf);
}

static void test_incremental_random_splits(gf_rng *rng) {
    naive_consts nc;
    naive_init(&nc);
    gf_sha256_ctx c;
    REQUIRE(gf_sha256_init(&c, NULL) == GF_OK);
    uint8_t msg[700];
    for (int iter = 0; iter < 300; iter++) {
        size_t len = iter < 200 ? (size_t)iter : (size_t)gf_rng_below(rng, sizeof msg + 1);
        for (size_t i = 0; i < len; i++) msg[i] = (uint8_t)gf_rng_u32(rng);
        uint8_t one[32], inc[32], ref[32];
        CHECK(gf_sha256(one, msg, len, NULL) == GF_OK);
        naive_sha256(&nc, ref, msg, len);
        CHECK_MSG(memcmp(one, ref, 32) == 0, "one-shot vs naive, len %zu", len);
        /* the context is reused across iterations: final must leave it reset */
        size_t done = 0;
        while (done < len) {
            size_t k = (size_t)gf_rng_below(rng, 130);   /* includes 0-byte updates */
            if (k > len - done) k = len - done;
            CHECK(gf_sha256_update(&c, msg + done, k, NULL) == GF_OK);
            done += k;
        }
        CHECK(gf_sha256_final(&c, inc, NULL) == GF_OK);
        CHECK_MSG(memcmp(one, inc, 32) == 0, "incremental vs one-shot, len %zu", len);
    }
    gf_sha256_free(&c);
}

static void test_reset_and_free(gf_rng *rng) {
    (void)rng;
    gf_sha256_ctx c;
    REQUIRE(gf_sha256_init(&c, NULL) == GF_OK);
    uint8_t d[32];
    CHECK(gf_sha256_update(&c, "garbage", 7, NULL) == GF_OK);
    CHECK(gf_sha256_reset(&c, NULL) == GF_OK);
    CHECK(gf_sha256_update(&c, "abc", 3, NULL) == GF_OK);
    CHECK(gf_sha256_final(&c, d, NULL) == GF_OK);
    CHECK(digest_is(d, KAT[1].hex));
    CHECK(gf_sha256_final(&c, d, NULL) == GF_OK);   /* right after final: empty message */
    CHECK(digest_is(d, KAT[0].hex));
    gf_sha256_free(&c);
    gf_sha256_free(&c);   /* idempotent */
    gf_sha256_ctx z = {0};
    gf_sha256_free(&z);   /* zeroed context is fine */
    /* two live contexts do not interfere */
    gf_sha256_ctx a, b;
    REQUIRE(gf_sha256_init(&a, NULL) == GF_OK);
    REQUIRE(gf_sha256_init(&b, NULL) == GF_OK);
    CHECK(gf_sha256_update(&a, "ab", 2, NULL) == GF_OK);
    CHECK(gf_sha256_update(&b, "xyz", 3, NULL) == GF_OK);
    CHECK(gf_sha256_update(&a, "c", 1, NULL) == GF_OK);
    CHECK(gf_sha256_final(&a, d, NULL) == GF_OK);
    CHECK(digest_is(d, KAT[1].hex));
    gf_sha256_free(&a);
    gf_sha256_free(&b);
}

int main(void) {
    TEST_BEGIN();
    RUN(test_kat_oneshot);
    RUN(test_kat_naive_reference);
    RUN(test_million_a);
    RUN(test_incremental_random_splits);
    RUN(test_reset_and_free);
    return TEST_END();
}
