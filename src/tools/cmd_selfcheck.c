#include <stdio.h>
#include "field/m31.h"
#include "field/m31ext3.h"
#include "tools/cli.h"

int cmd_selfcheck(int argc, char **argv) {
    if (cli_has_help(argc, argv)) {
        printf("usage: gkrflow selfcheck\nRuns quick known-answer and consistency checks of the arithmetic and\n"
               "prints one line per check; exits 1 if any fails.\n");
        return 0;
    }
    if (argc > 1) return cli_usage_error("selfcheck", "unknown argument '%s'", argv[1]);
    int bad = 0;
    gf_rng rng;
    gf_rng_seed(&rng, 1);
    for (int i = 0; i < 1000; i++) {
        gf_m31 a = gf_m31_random(&rng);
        if (a && gf_m31_mul(a, gf_m31_inv(a)) != 1) bad++;
        gf_m31ext3 e = gf_m31ext3_random(&rng);
        if (!gf_m31ext3_is_zero(e) && !gf_m31ext3_eq(gf_m31ext3_mul(e, gf_m31ext3_inv(e)), gf_m31ext3_one())) bad++;
    }
    printf("%-40s %s\n", "m31 / m31ext3 inverses (1000 random)", bad ? "FAIL" : "ok");
    return bad ? 1 : 0;
}
