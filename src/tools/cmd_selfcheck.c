/* `gkrflow selfcheck`: quick known-answer and consistency checks of the arithmetic, the SIMD
 * backend this build uses, SHA-256 and the transcript. One line per check; exit 1 if any fails. */
#include <stdio.h>
#include <string.h>
#include "field/bn254fr.h"
#include "field/m31.h"
#include "field/m31ext3.h"
#include "field/m31x16.h"
#include "hash/sha256.h"
#include "transcript/transcript.h"
#include "tools/cli.h"

static int report(const char *what, int bad) {
    printf("%-56s %s\n", what, bad ? "FAIL" : "ok");
    return bad != 0;
}

int cmd_selfcheck(int argc, char **argv) {
    if (cli_has_help(argc, argv)) {
        printf("usage: gkrflow selfcheck\nRuns quick known-answer and consistency checks of the M31, M31Ext3 and BN254\n"
               "arithmetic, the M31x16 SIMD backend of this build against scalar M31, SHA-256 and the\n"
               "Fiat-Shamir transcript; prints one line per check and exits 1 if any fails.\n");
        return 0;
    }
    if (argc > 1) return cli_usage_error("selfcheck", "unknown argument '%s'", argv[1]);
    int failed = 0, bad = 0;
    gf_rng rng;
    gf_rng_seed(&rng, 1);
    for (int i = 0; i < 1000; i++) {
        gf_m31 a = gf_m31_random(&rng);
        if (a && gf_m31_mul(a, gf_m31_inv(a)) != 1) bad++;
        gf_m31ext3 e = gf_m31ext3_random(&rng);
        if (!gf_m31ext3_is_zero(e) && !gf_m31ext3_eq(gf_m31ext3_mul(e, gf_m31ext3_inv(e)), gf_m31ext3_one())) bad++;
    }
    failed += report("m31 / m31ext3 inverses (1000 random)", bad);
    bad = 0;
    for (int i = 0; i < 200; i++) {
        gf_m31x16 a, b;
        for (int s = 0; s < 16; s++) { a.v[s] = gf_m31_random(&rng); b.v[s] = s == 3 ? GF_M31_P - 1 : gf_m31_random(&rng); }
        gf_m31x16 m = gf_m31x16_mul(a, b), ad = gf_m31x16_add(a, b), sb = gf_m31x16_sub(a, b);
        for (int s = 0; s < 16; s++)
            bad += m.v[s] != gf_m31_mul(a.v[s], b.v[s]) || ad.v[s] != gf_m31_add(a.v[s], b.v[s]) || sb.v[s] != gf_m31_sub(a.v[s], b.v[s]);
    }
    char line[96];
    snprintf(line, sizeof line, "m31x16 %s backend = scalar m31 (200 random vectors)", gf_m31x16_backend());
    failed += report(line, bad);
    bad = 0;
    for (int i = 0; i < 200; i++) {
        gf_bn254fr a, inv, prod, one;
        gf_bn254fr_random(&a, &rng);
        gf_bn254fr_inv(&inv, &a);
        gf_bn254fr_mul(&prod, &a, &inv);
        gf_bn254fr_one(&one);
        bad += !gf_bn254fr_is_zero(&a) && !gf_bn254fr_eq(&prod, &one);
    }
    failed += report("bn254 fr inverses (200 random)", bad);
    /* SHA-256("abc") (FIPS 180-2 appendix B.1) */
    static const uint8_t abc[32] = {0xba, 0x78, 0x16, 0xbf, 0x8f, 0x01, 0xcf, 0xea, 0x41, 0x41, 0x40, 0xde, 0x5d, 0xae, 0x22, 0x23,
                                    0xb0, 0x03, 0x61, 0xa3, 0x96, 0x17, 0x7a, 0x9c, 0xb4, 0x10, 0xff, 0x61, 0xf2, 0x00, 0x15, 0xad};
    uint8_t d[32];
    gf_error err;
    bad = gf_sha256(d, "abc", 3, &err) != GF_OK || memcmp(d, abc, 32) != 0;
    failed += report("sha-256 known answer (\"abc\")", bad);
    /* transcript: same inputs -> same challenge; one changed byte -> a different one */
    gf_transcript t1, t2, t3;
    bad = gf_transcript_init(&t1, "selfcheck", &err) || gf_transcript_init(&t2, "selfcheck", &err) ||
          gf_transcript_init(&t3, "selfcheck", &err);
    if (!bad) {
        gf_transcript_append_bytes(&t1, "gkrflow", 7);
        gf_transcript_append_bytes(&t2, "gkrflow", 7);
        gf_transcript_append_bytes(&t3, "gkrflov", 7);
        gf_m31ext3 c1 = gf_transcript_challenge_m31ext3(&t1), c2 = gf_transcript_challenge_m31ext3(&t2),
                   c3 = gf_transcript_challenge_m31ext3(&t3);
        bad = !gf_m31ext3_eq(c1, c2) || gf_m31ext3_eq(c1, c3) || gf_transcript_status(&t1, &err);
    }
    gf_transcript_free(&t1);
    gf_transcript_free(&t2);
    gf_transcript_free(&t3);
    failed += report("transcript determinism and divergence", bad);
    return failed ? 1 : 0;
}
