/* Witness generators: keccak-witness (random states for the Expander-cpp Keccak circuit). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "circuit/circuit.h"
#include "circuit/keccak_witness.h"
#include "circuit/witness.h"
#include "common/util.h"
#include "tools/cli.h"
#include "tools/opts.h"

#define KECCAK_WITNESS_MAX_INSTANCES 4096

/* Unsigned 64-bit decimal (or 0x hex); prints a usage error naming the option on failure. */
static int parse_u64(const char *cmd, const char *opt, const char *val, uint64_t *out) {
    char *end = NULL;
    errno = 0;
    /* strtoull accepts a sign and wraps "-1" around: reject anything not starting with a digit */
    unsigned long long v = val[0] >= '0' && val[0] <= '9' ? strtoull(val, &end, 0) : 0;
    if (!end || *end || errno == ERANGE) {
        cli_usage_error(cmd, "%s: '%s' is not an unsigned 64-bit integer", opt, val);
        return -1;
    }
    *out = v;
    return 0;
}

int cmd_keccak_witness(int argc, char **argv) {
    const char *cmd = "keccak-witness";
    if (cli_has_help(argc, argv)) {
        printf("usage: gkrflow keccak-witness --circuit C --instances N [--seed S] --out W\n\n"
               "Writes a witness file for the Expander-cpp Keccak circuit C (made by import-extracted):\n"
               "N instances, each 8 Keccak-f[1600] permutations of uniformly random 1600-bit states\n"
               "(constant-one wires set, unused inputs 0), deterministic in the seed. The circuit\n"
               "computes the permutations, so prove it with prove-circuit --public-outputs.\n"
               "  --instances N  a power of two, 1..%d\n"
               "  --seed S       unsigned 64-bit integer (decimal or 0x hex), default 1\n",
               KECCAK_WITNESS_MAX_INSTANCES);
        return 0;
    }
    const char *cp = NULL, *np = NULL, *sp = NULL, *outp = NULL;
    cli_opt o[] = {{"--circuit", &cp, NULL}, {"--instances", &np, NULL}, {"--seed", &sp, NULL}, {"--out", &outp, NULL}};
    int rc = cli_parse(cmd, argc, argv, o, 4);
    if (rc) return rc;
    if (!cp || !np || !outp) return cli_usage_error(cmd, "--circuit, --instances and --out are required");
    long long n = cli_int(cmd, "--instances", np, 1, KECCAK_WITNESS_MAX_INSTANCES);
    if (n < 0) return 2;
    if (!gf_is_pow2((uint64_t)n)) return cli_usage_error(cmd, "--instances: %lld is not a power of two", n);
    uint64_t seed = 1;
    if (sp && parse_u64(cmd, "--seed", sp, &seed)) return 2;

    gf_error err;
    gf_circuit *c = NULL;
    gf_witness *w = NULL;
    int ret = 1;
    if (gf_circuit_load(&c, cp, &err) || gf_keccak_extracted_witness(c, (uint64_t)n, seed, &w, &err) ||
        gf_witness_save(w, outp, &err)) {
        cli_fail(cmd, &err);
    } else {
        printf("wrote %s: %lld instances x %llu inputs (%lld Keccak-f permutations), seed %llu\n", outp, n,
               (unsigned long long)w->n_inputs, n * (long long)GF_KECCAK_EXTRACTED_PERMS, (unsigned long long)seed);
        ret = 0;
    }
    gf_witness_free(w);
    gf_circuit_free(c);
    return ret;
}
