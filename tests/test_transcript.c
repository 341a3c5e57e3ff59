/* Fiat–Shamir transcript: known answers re-derived here from the construction in
 * docs/transcript.md using only gf_sha256 (and GMP for Fr), determinism, divergence on any
 * change, framing rules, get/set_state continuation, challenge ranges, rough uniformity and
 * the sticky-error contract. */
#include <gmp.h>
#include "testutil.h"
#include "common/util.h"
#include "hash/sha256.h"
#include "transcript/transcript.h"

#define R_HEX "30644e72e131a029b85045b68181585d2833e84879b9709143e1f593f0000001"

/* ---------- independent reference of the documented construction ---------- */

static void ref_init(uint8_t s[32], const char *tag) {
    uint8_t buf[512];
    size_t n = strlen(tag), off = 0;
    buf[off++] = 0x00;
    memcpy(buf + off, "gkrflow-transcript-v1", 21);
    off += 21;
    gf_put_u64le(buf + off, n);
    off += 8;
    memcpy(buf + off, tag, n);
    off += n;
    CHECK(gf_sha256(s, buf, off, NULL) == GF_OK);
}

/* s = H(0x01 || s || LE64(k) || P) */
static void ref_absorb(uint8_t s[32], uint64_t k, const uint8_t *p, size_t len) {
    uint8_t *buf = malloc(41 + len);
    buf[0] = 0x01;
    memcpy(buf + 1, s, 32);
    gf_put_u64le(buf + 33, k);
    if (len) memcpy(buf + 41, p, len);
    CHECK(gf_sha256(s, buf, 41 + len, NULL) == GF_OK);
    free(buf);
}

/* H(0x02 || s || LE64(k)) */
static void ref_block(uint8_t out[32], const uint8_t s[32], uint64_t k) {
    uint8_t buf[41];
    buf[0] = 0x02;
    memcpy(buf + 1, s, 32);
    gf_put_u64le(buf + 33, k);
    CHECK(gf_sha256(out, buf, sizeof buf, NULL) == GF_OK);
}

/* n M31 values from one word stream starting at block k (advances k). */
static void ref_m31_stream(const uint8_t s[32], uint64_t *k, uint32_t *out, size_t n) {
    uint8_t blk[32];
    unsigned pos = 8;
    for (size_t i = 0; i < n;) {
        if (pos == 8) { ref_block(blk, s, (*k)++); pos = 0; }
        uint32_t w = ((uint32_t)blk[4 * pos] | (uint32_t)blk[4 * pos + 1] << 8 |
                      (uint32_t)blk[4 * pos + 2] << 16 | (uint32_t)blk[4 * pos + 3] << 24) & 0x7fffffffu;
        pos++;
        if (w != 0x7fffffffu) out[i++] = w;
    }
}

/* A byte builder for P. */
typedef struct bytes { uint8_t *p; size_t n, cap; } bytes;
static void b_put(bytes *b, const void *d, size_t n) {
    if (b->n + n > b->cap) { b->cap = (b->n + n) * 2 + 64; b->p = realloc(b->p, b->cap); }
    memcpy(b->p + b->n, d, n);
    b->n += n;
}
static void b_u64(bytes *b, uint64_t v) { uint8_t x[8]; gf_put_u64le(x, v); b_put(b, x, 8); }
static void b_u32(bytes *b, uint32_t v) { uint8_t x[4]; gf_put_u32le(x, v); b_put(b, x, 4); }

/* ---------- helpers ---------- */

static int init_ok(gf_transcript *t, const char *tag) {
    gf_error err;
    gf_status st = gf_transcript_init(t, tag, &err);
    if (st != GF_OK) fprintf(stderr, "init: %s\n", err.msg);
    return st == GF_OK;
}

/* A varied session over 300 data bytes, every bit of which is bound (m31 values are built
 * from 3 bytes, so always canonical). `flip` >= 0 flips data bit flip%8 of byte flip/8.
 * Writes a 32-byte fingerprint of all its outputs. */
#define SESSION_DATA 300
static uint32_t get24(const uint8_t *p) { return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16; }
static void session(const char *tag, const uint8_t data[SESSION_DATA], long flip, uint8_t fp[32]) {
    uint8_t d[SESSION_DATA];
    memcpy(d, data, SESSION_DATA);
    if (flip >= 0) d[flip / 8] ^= (uint8_t)(1u << (flip % 8));
    gf_transcript t;
    REQUIRE(init_ok(&t, tag));
    gf_sha256_ctx acc;
    REQUIRE(gf_sha256_init(&acc, NULL) == GF_OK);
    gf_transcript_append_label(&t, "commit");
    gf_transcript_append_bytes(&t, d, 100);                          /* d[0..100) */
    gf_m31ext3 e = gf_transcript_challenge_m31ext3(&t);
    gf_sha256_update(&acc, &e, sizeof e, NULL);
    gf_transcript_append_u64(&t, gf_get_u64le(d + 100));            /* d[100..108) */
    for (int i = 0; i < 10; i++) {                                    /* d[108..198) */
        const uint8_t *q = d + 108 + 9 * i;
        gf_m31ext3 v = {{get24(q), get24(q + 3), get24(q + 6)}};
        gf_transcript_append_m31ext3(&t, v);
        if (i % 3 == 2) {
            gf_m31 c = gf_transcript_challenge_m31(&t);
            gf_sha256_update(&acc, &c, sizeof c, NULL);
        }
    }
    gf_m31 m[18];
    for (int i = 0; i < 18; i++) m[i] = get24(d + 198 + 3 * i);      /* d[198..252) */
    gf_transcript_append_m31s(&t, m, 18);
    gf_transcript_append_bytes(&t, d + 252, SESSION_DATA - 252);      /* d[252..300) */
    uint8_t out[32];
    gf_transcript_squeeze_bytes(&t, out, 32);
    gf_sha256_update(&acc, out, 32, NULL);
    gf_sha256_final(&acc, fp, NULL);
    gf_sha256_free(&acc);
    CHECK(gf_transcript_status(&t, NULL) == GF_OK);
    gf_transcript_free(&t);
}

/* ---------- tests ---------- */

static void test_kat_m31(gf_rng *rng) {
    (void)rng;
    const char *tag = "gkrflow-test-kat";
    gf_transcript t;
    REQUIRE(init_ok(&t, tag));
    gf_m31ext3 ev = {{1, 2, GF_M31_P - 1}};
    gf_transcript_append_label(&t, "round");
    gf_transcript_append_u64(&t, 0x0102030405060708ull);
    gf_transcript_append_m31(&t, 5);
    gf_transcript_append_m31ext3(&t, ev);
    gf_transcript_append_bytes(&t, "xyz", 3);
    gf_m31 c0 = gf_transcript_challenge_m31(&t);
    gf_m31 c1 = gf_transcript_challenge_m31(&t);
    gf_m31ext3 c2 = gf_transcript_challenge_m31ext3(&t);
    uint8_t sq[70];
    gf_transcript_squeeze_bytes(&t, sq, sizeof sq);
    uint8_t st[32];
    gf_transcript_get_state(&t, st);
    gf_transcript_append_m31(&t, 7);
    gf_m31 v[20];
    gf_transcript_challenge_m31_vec(&t, v, 20);
    gf_m31ext3 ve[5];
    gf_transcript_challenge_m31ext3_vec(&t, ve, 5);
    CHECK(gf_transcript_status(&t, NULL) == GF_OK);
    gf_transcript_free(&t);

    /* re-derivation */
    uint8_t s[32];
    ref_init(s, tag);
    bytes P = {0};
    b_u64(&P, 5); b_put(&P, "round", 5);
    b_u64(&P, 0x0102030405060708ull);
    b_u32(&P, 5);
    b_u32(&P, 1); b_u32(&P, 2); b_u32(&P, GF_M31_P - 1);
    b_put(&P, "xyz", 3);
    CHECK_EQ_U64(P.n, 8 + 5 + 8 + 4 + 12 + 3);
    ref_absorb(s, 0, P.p, P.n);
    uint64_t k = 0;
    uint32_t w;
    ref_m31_stream(s, &k, &w, 1);
    CHECK_EQ_U64(c0, w);
    CHECK_EQ_U64(k, 1);
    ref_m31_stream(s, &k, &w, 1);
    CHECK_EQ_U64(c1, w);
    uint32_t e3[3];
    ref_m31_stream(s, &k, e3, 3);
    CHECK(c2.c[0] == e3[0] && c2.c[1] == e3[1] && c2.c[2] == e3[2]);
    uint8_t blk[32];
    for (int i = 0; i < 3; i++) {
        ref_block(blk, s, k++);
        CHECK(memcmp(sq + 32 * i, blk, i < 2 ? 32 : 6) == 0);
    }
    CHECK_EQ_U64(k, 6);
    ref_absorb(s, k, NULL, 0);   /* get_state with only squeezes pending */
    CHECK(memcmp(st, s, 32) == 0);
    uint8_t seven[4] = {7, 0, 0, 0};
    ref_absorb(s, 0, seven, 4);
    k = 0;
    uint32_t rv[20], re[15];
    ref_m31_stream(s, &k, rv, 20);
    CHECK_EQ_U64(k, 3);   /* 20 words from 3 blocks (barring a rejection) */
    for (int i = 0; i < 20; i++) CHECK_EQ_U64(v[i], rv[i]);
    ref_m31_stream(s, &k, re, 15);
    for (int i = 0; i < 5; i++)
        for (int j = 0; j < 3; j++) CHECK_EQ_U64(ve[i].c[j], re[3 * i + j]);
    free(P.p);
}

/* A state whose first block has word 3 = 0xffffffff (found by an offline search of
 * s = LE64(i) || 0^24): the stream must skip it. */
static void test_rejection(gf_rng *rng) {
    (void)rng;
    uint8_t s[32] = {0}, blk[32];
    gf_put_u64le(s, 155091694u);
    ref_block(blk, s, 0);
    REQUIRE((gf_get_u32le(blk + 12) & GF_M31_P) == GF_M31_P);
    gf_transcript t;
    REQUIRE(init_ok(&t, "rej"));
    gf_transcript_set_state(&t, s);
    gf_m31 v[8];
    gf_transcript_challenge_m31_vec(&t, v, 8);
    for (int j = 0; j < 3; j++) CHECK_EQ_U64(v[j], gf_get_u32le(blk + 4 * j) & GF_M31_P);
    for (int j = 3; j < 7; j++) CHECK_EQ_U64(v[j], gf_get_u32le(blk + 4 * (j + 1)) & GF_M31_P);
    uint64_t k = 0;
    uint32_t rv[8];
    ref_m31_stream(s, &k, rv, 8);
    CHECK_EQ_U64(k, 2);
    for (int j = 0; j < 8; j++) CHECK_EQ_U64(v[j], rv[j]);
    gf_transcript_set_state(&t, s);
    gf_m31ext3 e[2];
    gf_transcript_challenge_m31ext3_vec(&t, e, 2);
    for (int j = 0; j < 3; j++) CHECK_EQ_U64(e[1].c[j], rv[3 + j]);
    CHECK(gf_transcript_status(&t, NULL) == GF_OK);
    gf_transcript_free(&t);
}

static void test_kat_bn254fr(gf_rng *rng) {
    (void)rng;
    gf_transcript t;
    REQUIRE(init_ok(&t, "gkrflow-test-bn254"));
    uint8_t abe[32];
    for (int i = 0; i < 32; i++) abe[i] = (uint8_t)(0x20 + i);   /* < r: top byte 0x20 */
    gf_bn254fr a;
    REQUIRE(gf_bn254fr_from_bytes_be(&a, abe) == 0);
    gf_transcript_append_bn254fr(&t, &a);
    gf_bn254fr c[3];
    gf_transcript_challenge_bn254fr(&t, &c[0]);
    gf_transcript_challenge_bn254fr_vec(&t, &c[1], 2);
    gf_transcript_free(&t);

    uint8_t s[32];
    ref_init(s, "gkrflow-test-bn254");
    ref_absorb(s, 0, abe, 32);
    mpz_t r, x;
    mpz_inits(r, x, NULL);
    mpz_set_str(r, R_HEX, 16);
    for (int i = 0; i < 3; i++) {
        uint8_t wide[64], got[32], want[32] = {0};
        ref_block(wide, s, 2 * (uint64_t)i);
        ref_block(wide + 32, s, 2 * (uint64_t)i + 1);
        mpz_import(x, 64, -1, 1, 0, 0, wide);    /* little-endian 512-bit integer */
        mpz_mod(x, x, r);
        size_t cnt = 0;
        uint8_t tmp[32];
        mpz_export(tmp, &cnt, 1, 1, 0, 0, x);   /* big-endian, minimal length */
        memcpy(want + 32 - cnt, tmp, cnt);
        gf_bn254fr_to_bytes_be(got, &c[i]);
        CHECK_MSG(memcmp(got, want, 32) == 0, "Fr challenge %d", i);
    }
    mpz_clears(r, x, NULL);
}

static void test_determinism(gf_rng *rng) {
    uint8_t data[SESSION_DATA], a[32], b[32];
    for (int i = 0; i < SESSION_DATA; i++) data[i] = (uint8_t)gf_rng_u32(rng);
    session("tag", data, -1, a);
    session("tag", data, -1, b);
    CHECK(memcmp(a, b, 32) == 0);
}

static void test_divergence_bytes_and_tag(gf_rng *rng) {
    uint8_t data[SESSION_DATA], base[32], fp[32];
    for (int i = 0; i < SESSION_DATA; i++) data[i] = (uint8_t)gf_rng_u32(rng);
    session("tag", data, -1, base);
    int diffs = 0, tries = 0;
    for (long byte = 0; byte < SESSION_DATA; byte++) {
        int bit = (int)gf_rng_below(rng, 8);
        session("tag", data, byte * 8 + bit, fp);
        tries++;
        diffs += memcmp(fp, base, 32) != 0;
        if (memcmp(fp, base, 32) == 0) fprintf(stderr, "no divergence at byte %ld bit %d\n", byte, bit);
    }
    CHECK_EQ_U64(diffs, tries);
    session("tah", data, -1, fp);
    CHECK(memcmp(fp, base, 32) != 0);
    session("tag ", data, -1, fp);
    CHECK(memcmp(fp, base, 32) != 0);
    session("", data, -1, fp);
    CHECK(memcmp(fp, base, 32) != 0);
}

/* Fingerprint of the next challenge block after a sequence of operations. */
typedef void (*ops_fn)(gf_transcript *t);
static void next_block(const char *tag, ops_fn f, uint8_t out[32]) {
    gf_transcript t;
    if (!init_ok(&t, tag)) { memset(out, 0, 32); return; }
    f(&t);
    gf_transcript_squeeze_bytes(&t, out, 32);
    CHECK(gf_transcript_status(&t, NULL) == GF_OK);
    gf_transcript_free(&t);
}
static void ops_label_ab(gf_transcript *t) { gf_transcript_append_label(t, "ab"); }
static void ops_label_a_b(gf_transcript *t) { gf_transcript_append_label(t, "a"); gf_transcript_append_label(t, "b"); }
static void ops_label_a_bytes_b(gf_transcript *t) { gf_transcript_append_label(t, "a"); gf_transcript_append_bytes(t, "b", 1); }
static void ops_len2_ab(gf_transcript *t) { gf_transcript_append_u64(t, 2); gf_transcript_append_bytes(t, "ab", 2); }
static void ops_len1_a_len1_b(gf_transcript *t) {
    gf_transcript_append_u64(t, 1); gf_transcript_append_bytes(t, "a", 1);
    gf_transcript_append_u64(t, 1); gf_transcript_append_bytes(t, "b", 1);
}
static void ops_ab(gf_transcript *t) { gf_transcript_append_bytes(t, "ab", 2); }
static void ops_a_b(gf_transcript *t) { gf_transcript_append_bytes(t, "a", 1); gf_transcript_append_bytes(t, "b", 1); }
static void ops_a_ch_b(gf_transcript *t) {
    gf_transcript_append_bytes(t, "a", 1); (void)gf_transcript_challenge_m31(t); gf_transcript_append_bytes(t, "b", 1);
}
static void ops_a_ch_ch_b(gf_transcript *t) {
    gf_transcript_append_bytes(t, "a", 1); (void)gf_transcript_challenge_m31(t);
    (void)gf_transcript_challenge_m31(t); gf_transcript_append_bytes(t, "b", 1);
}
static void ops_none(gf_transcript *t) { (void)t; }
static void ops_empty_bytes(gf_transcript *t) { gf_transcript_append_bytes(t, "", 0); }
static void ops_empty_label(gf_transcript *t) { gf_transcript_append_label(t, ""); }
static void ops_m31_5(gf_transcript *t) { gf_transcript_append_m31(t, 5); }
static void ops_u64_5(gf_transcript *t) { gf_transcript_append_u64(t, 5); }
static void ops_m31_p(gf_transcript *t) { gf_transcript_append_m31(t, GF_M31_P); }
static void ops_m31_0(gf_transcript *t) { gf_transcript_append_m31(t, 0); }

static void test_framing(gf_rng *rng) {
    (void)rng;
    uint8_t x[32], y[32];
    /* documented: raw bytes concatenate */
    next_block("t", ops_ab, x); next_block("t", ops_a_b, y);
    CHECK(memcmp(x, y, 32) == 0);
    /* length-prefixed or challenge-separated splits diverge */
    const ops_fn differ[][2] = {
        {ops_label_ab, ops_label_a_b}, {ops_label_ab, ops_label_a_bytes_b}, {ops_label_a_b, ops_label_a_bytes_b},
        {ops_len2_ab, ops_len1_a_len1_b}, {ops_ab, ops_a_ch_b}, {ops_a_ch_b, ops_a_ch_ch_b},
        {ops_none, ops_empty_label}, {ops_m31_5, ops_u64_5}, {ops_ab, ops_label_ab},
    };
    for (size_t i = 0; i < sizeof differ / sizeof differ[0]; i++) {
        next_block("t", differ[i][0], x);
        next_block("t", differ[i][1], y);
        CHECK_MSG(memcmp(x, y, 32) != 0, "pair %zu should diverge", i);
    }
    /* an empty append is no append; m31 inputs are bound as canonical values */
    next_block("t", ops_none, x); next_block("t", ops_empty_bytes, y);
    CHECK(memcmp(x, y, 32) == 0);
    next_block("t", ops_m31_p, x); next_block("t", ops_m31_0, y);
    CHECK(memcmp(x, y, 32) == 0);
}

/* Long P crossing the pending buffer, fed in random splits, vs one reference absorb. */
static void test_concat_long(gf_rng *rng) {
    for (int iter = 0; iter < 40; iter++) {
        size_t len = iter < 8 ? (size_t[]){0, 1, 214, 215, 216, 255, 256, 257}[iter] : (size_t)gf_rng_below(rng, 3000);
        uint8_t *d = malloc(len + 1);
        for (size_t i = 0; i < len; i++) d[i] = (uint8_t)gf_rng_u32(rng);
        gf_transcript t;
        REQUIRE(init_ok(&t, "concat"));
        size_t done = 0;
        while (done < len) {
            size_t k = (size_t)gf_rng_below(rng, iter % 2 ? 600 : 40);
            if (k > len - done) k = len - done;
            gf_transcript_append_bytes(&t, d + done, k);
            done += k;
        }
        uint8_t got[32], s[32], want[32];
        gf_transcript_squeeze_bytes(&t, got, 32);
        gf_transcript_free(&t);
        ref_init(s, "concat");
        if (len) ref_absorb(s, 0, d, len);
        ref_block(want, s, 0);
        CHECK_MSG(memcmp(got, want, 32) == 0, "len %zu", len);
        free(d);
    }
    /* typed vectors == element-wise appends == their byte encodings */
    gf_m31 m[100];
    gf_m31ext3 e[50];
    for (int i = 0; i < 100; i++) m[i] = gf_m31_random(rng);
    for (int i = 0; i < 50; i++) for (int j = 0; j < 3; j++) e[i].c[j] = gf_m31_random(rng);
    gf_transcript a, b, c;
    REQUIRE(init_ok(&a, "v") && init_ok(&b, "v") && init_ok(&c, "v"));
    gf_transcript_append_m31s(&a, m, 100);
    gf_transcript_append_m31ext3s(&a, e, 50);
    for (int i = 0; i < 100; i++) gf_transcript_append_m31(&b, m[i]);
    for (int i = 0; i < 50; i++) gf_transcript_append_m31ext3(&b, e[i]);
    uint8_t enc[4 * 100 + 12 * 50];
    for (int i = 0; i < 100; i++) gf_put_u32le(enc + 4 * i, m[i]);
    for (int i = 0; i < 50; i++) for (int j = 0; j < 3; j++) gf_put_u32le(enc + 400 + 12 * i + 4 * j, e[i].c[j]);
    gf_transcript_append_bytes(&c, enc, sizeof enc);
    uint8_t x[32], y[32], z[32];
    gf_transcript_squeeze_bytes(&a, x, 32);
    gf_transcript_squeeze_bytes(&b, y, 32);
    gf_transcript_squeeze_bytes(&c, z, 32);
    CHECK(memcmp(x, y, 32) == 0 && memcmp(x, z, 32) == 0);
    gf_transcript_free(&a); gf_transcript_free(&b); gf_transcript_free(&c);
}

static void test_get_set_state(gf_rng *rng) {
    uint8_t big[700];
    for (size_t i = 0; i < sizeof big; i++) big[i] = (uint8_t)gf_rng_u32(rng);
    /* case 0: pending bytes (streamed past the buffer); 1: only squeezes; 2: fresh state */
    for (int cs = 0; cs < 3; cs++) {
        gf_transcript t1, t2;
        REQUIRE(init_ok(&t1, "root") && init_ok(&t2, "other-rank"));
        gf_transcript_append_label(&t1, "x");
        (void)gf_transcript_challenge_m31ext3(&t1);
        if (cs == 0) gf_transcript_append_bytes(&t1, big, sizeof big);
        if (cs == 1) (void)gf_transcript_challenge_m31(&t1);
        uint8_t st[32], st2[32];
        gf_transcript_get_state(&t1, st);
        gf_transcript_get_state(&t1, st2);
        CHECK(memcmp(st, st2, 32) == 0);   /* idempotent */
        gf_transcript_append_bytes(&t2, big, 300);   /* pending on t2: discarded by set_state */
        gf_transcript_set_state(&t2, st);
        for (int r = 0; r < 5; r++) {
            gf_m31ext3 v[3] = {{{(gf_m31)r, 1, 2}}, {{3, 4, 5}}, {{6, 7, (gf_m31)(r * 1000)}}};
            gf_transcript_append_m31ext3s(&t1, v, 3);
            gf_transcript_append_m31ext3s(&t2, v, 3);
            gf_m31ext3 a = gf_transcript_challenge_m31ext3(&t1), b = gf_transcript_challenge_m31ext3(&t2);
            CHECK(gf_m31ext3_eq(a, b));
            gf_m31 ma = gf_transcript_challenge_m31(&t1), mb = gf_transcript_challenge_m31(&t2);
            CHECK_EQ_U64(ma, mb);
        }
        CHECK(gf_transcript_status(&t1, NULL) == GF_OK && gf_transcript_status(&t2, NULL) == GF_OK);
        gf_transcript_free(&t1);
        gf_transcript_free(&t2);
    }
    /* set_state from scratch equals continuing: state bytes are the whole state */
    gf_transcript a, b;
    REQUIRE(init_ok(&a, "s") && init_ok(&b, "s"));
    uint8_t st[32], x[32], y[32];
    gf_transcript_get_state(&a, st);
    gf_transcript_set_state(&b, st);
    gf_transcript_squeeze_bytes(&a, x, 32);
    gf_transcript_squeeze_bytes(&b, y, 32);
    CHECK(memcmp(x, y, 32) == 0);
    gf_transcript_free(&a);
    gf_transcript_free(&b);
}

static void test_ranges_and_uniformity(gf_rng *rng) {
    (void)rng;
    gf_transcript t;
    REQUIRE(init_ok(&t, "ranges"));
    enum { N = 10000 };
    static gf_m31 v[N];
    unsigned bitcount[31] = {0};
    for (int i = 0; i < N; i++) {
        if (i % 2) gf_transcript_append_u64(&t, (uint64_t)i);
        v[i] = (i % 3) ? gf_transcript_challenge_m31(&t) : 0;
        if (i % 3 == 0) gf_transcript_challenge_m31_vec(&t, &v[i], 1);
    }
    int ok = 1;
    for (int i = 0; i < N; i++) {
        ok &= v[i] < GF_M31_P;
        for (int b = 0; b < 31; b++) bitcount[b] += (v[i] >> b) & 1;
    }
    CHECK(ok);
    /* expected N/2 = 5000 per bit, sd = 50: allow 8 sd */
    for (int b = 0; b < 31; b++) CHECK_MSG(bitcount[b] > 4600 && bitcount[b] < 5400, "bit %d set %u times", b, bitcount[b]);
    static gf_m31ext3 e[N / 4];
    gf_transcript_challenge_m31ext3_vec(&t, e, N / 4);
    unsigned top = 0;
    ok = 1;
    for (int i = 0; i < N / 4; i++)
        for (int j = 0; j < 3; j++) { ok &= e[i].c[j] < GF_M31_P; top += e[i].c[j] >> 30; }
    CHECK(ok);
    CHECK_MSG(top > 3450 && top < 4050, "ext3 limb top bit set %u of 7500", top);   /* sd ~43 */
    /* vector of one == single challenge from the same state */
    gf_transcript a, b;
    REQUIRE(init_ok(&a, "one") && init_ok(&b, "one"));
    gf_m31ext3 s1 = gf_transcript_challenge_m31ext3(&a), s2;
    gf_transcript_challenge_m31ext3_vec(&b, &s2, 1);
    CHECK(gf_m31ext3_eq(s1, s2));
    gf_transcript_free(&a);
    gf_transcript_free(&b);
    /* Fr canonical: BE encoding < r; the top byte is spread over [0, 0x30] */
    mpz_t r, x;
    mpz_inits(r, x, NULL);
    mpz_set_str(r, R_HEX, 16);
    unsigned hi = 0;
    for (int i = 0; i < 500; i++) {
        gf_bn254fr f;
        uint8_t be[32];
        gf_transcript_challenge_bn254fr(&t, &f);
        gf_bn254fr_to_bytes_be(be, &f);
        mpz_import(x, 32, 1, 1, 0, 0, be);
        CHECK(mpz_cmp(x, r) < 0);
        hi += be[0] >= 0x18;
    }
    CHECK_MSG(hi > 150 && hi < 350, "Fr top byte >= 0x18 in %u of 500", hi);   /* expect ~250 */
    mpz_clears(r, x, NULL);
    CHECK(gf_transcript_status(&t, NULL) == GF_OK);
    gf_transcript_free(&t);
}

static void test_sticky_errors(gf_rng *rng) {
    (void)rng;
    gf_error err;
    gf_transcript t;
    CHECK(gf_transcript_init(&t, NULL, &err) == GF_ERR_INVALID);
    CHECK(strstr(err.msg, "NULL") != NULL);
    CHECK(gf_transcript_challenge_m31(&t) == 0);
    uint8_t st[32];
    memset(st, 0xaa, 32);
    gf_transcript_get_state(&t, st);
    for (int i = 0; i < 32; i++) CHECK(st[i] == 0);
    gf_transcript_free(&t);

    REQUIRE(init_ok(&t, "sticky"));
    gf_transcript_append_u64(&t, 1);
    gf_transcript_append_bytes(&t, NULL, 5);   /* records an error */
    gf_transcript_append_u64(&t, 2);           /* ignored */
    gf_m31ext3 e = gf_transcript_challenge_m31ext3(&t);
    CHECK(gf_m31ext3_is_zero(e));
    uint8_t sq[40];
    memset(sq, 0xaa, sizeof sq);
    gf_transcript_squeeze_bytes(&t, sq, sizeof sq);
    for (size_t i = 0; i < sizeof sq; i++) CHECK(sq[i] == 0);
    gf_bn254fr f;
    gf_transcript_challenge_bn254fr(&t, &f);
    CHECK(f.l[0] == 0 && f.l[1] == 0 && f.l[2] == 0 && f.l[3] == 0);
    gf_transcript_set_state(&t, (uint8_t[32]){1});   /* does not clear the error */
    CHECK(gf_transcript_status(&t, &err) == GF_ERR_INVALID);
    CHECK(strstr(err.msg, "append_bytes") != NULL);
    gf_transcript_free(&t);
    gf_transcript_free(&t);   /* idempotent */
    CHECK(gf_transcript_status(&t, NULL) != GF_OK);   /* use after free is reported, not UB */

    REQUIRE(init_ok(&t, "sticky2"));
    gf_transcript_append_label(&t, NULL);
    CHECK(gf_transcript_status(&t, &err) == GF_ERR_INVALID);
    gf_transcript_free(&t);
}

int main(void) {
    TEST_BEGIN();
    RUN(test_kat_m31);
    RUN(test_kat_bn254fr);
    RUN(test_rejection);
    RUN(test_determinism);
    RUN(test_divergence_bytes_and_tag);
    RUN(test_framing);
    RUN(test_concat_long);
    RUN(test_get_set_state);
    RUN(test_ranges_and_uniformity);
    RUN(test_sticky_errors);
    return TEST_END();
}
