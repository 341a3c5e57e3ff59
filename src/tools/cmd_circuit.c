/* Single-circuit commands: import-extracted, prove-circuit, verify-circuit. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "circuit/circuit.h"
#include "circuit/witness.h"
#include "common/pool.h"
#include "common/util.h"
#include "prover/circuit_proof.h"
#include "tools/cli.h"
#include "tools/files.h"
#include "tools/opts.h"

int cmd_import_extracted(int argc, char **argv) {
    const char *cmd = "import-extracted";
    if (cli_has_help(argc, argv)) {
        printf("usage: gkrflow import-extracted --mul MUL.txt[.xz] --add ADD.txt[.xz] --out CIRCUIT\n\n"
               "Converts an Expander-cpp \"extracted gates\" circuit (one mul file and one add file,\n"
               "optionally xz-compressed) into a gkrflow circuit file and prints its layer sizes.\n");
        return 0;
    }
    const char *mul = NULL, *add = NULL, *outp = NULL;
    cli_opt o[] = {{"--mul", &mul, NULL}, {"--add", &add, NULL}, {"--out", &outp, NULL}};
    int rc = cli_parse(cmd, argc, argv, o, 3);
    if (rc) return rc;
    if (!mul || !add || !outp) return cli_usage_error(cmd, "--mul, --add and --out are required");
    gf_error err;
    gf_circuit *c = NULL;
    if (gf_circuit_import_extracted(&c, mul, add, &err)) return cli_fail(cmd, &err);
    if (gf_circuit_save(c, outp, &err)) { gf_circuit_free(c); return cli_fail(cmd, &err); }
    printf("wrote %s: %u layers, %llu gates, input 2^%u wires, output 2^%u wires\n", outp, c->n_layers,
           (unsigned long long)gf_circuit_n_gates(c), c->layers[0].in_log, c->layers[c->n_layers - 1].out_log);
    gf_circuit_free(c);
    return 0;
}

int cmd_prove_circuit(int argc, char **argv) {
    const char *cmd = "prove-circuit";
    if (cli_has_help(argc, argv)) {
        printf("usage: gkrflow prove-circuit --circuit C --witness W --out PROOF [--public-outputs]\n"
               "                              [--threads T] [--quiet]\n\n"
               "Proves that every instance in the witness file satisfies the circuit (all outputs 0)\n"
               "with data-parallel GKR over the circuit's field (M31 or BN254 Fr) and the raw PCS.\n"
               "Instances are padded to a power of two (>= 16 for M31) by repeating the last one.\n"
               "The proof is written atomically (nothing is written on failure).\n"
               "  --public-outputs  prove instead that the inputs evaluate to the outputs listed in the\n"
               "                    proof (for circuits that compute values, such as the Keccak one)\n"
               "  --threads T       worker threads, 1..64 (default: GKRFLOW_THREADS or all online CPUs)\n");
        return 0;
    }
    const char *cp = NULL, *wp = NULL, *outp = NULL, *th = NULL;
    int quiet = 0, pub = 0;
    cli_opt o[] = {{"--circuit", &cp, NULL}, {"--witness", &wp, NULL}, {"--out", &outp, NULL}, {"--threads", &th, NULL},
                   {"--quiet", NULL, &quiet}, {"--public-outputs", NULL, &pub}};
    int rc = cli_parse(cmd, argc, argv, o, 6);
    if (rc) return rc;
    if (!cp || !wp || !outp) return cli_usage_error(cmd, "--circuit, --witness and --out are required");
    int threads = 1;
    gf_error terr;
    if (!th && gf_pool_env_threads(&threads, &terr)) return cli_usage_error(cmd, "%s", terr.msg);
    if (th && (threads = (int)cli_int(cmd, "--threads", th, 1, GF_POOL_MAX_THREADS)) < 0) return 2;
    gf_error err;
    gf_circuit *c = NULL;
    gf_witness *w = NULL;
    gf_pool *pool = NULL;
    gf_buf proof;
    gf_buf_init(&proof);
    gf_prove_stats S;
    int ret = 1;
    if (gf_circuit_load(&c, cp, &err) || gf_witness_load(&w, wp, &err) || gf_witness_check(w, c, &err) ||
        gf_pool_new(&pool, threads, &err) ||
        (c->field == GF_FIELD_BN254 ? gf_circuit_prove_bn254(c, w->fr, w->n_instances, pub, pool, &proof, &S, &err)
                                    : gf_circuit_prove_m31(c, w->m31, w->n_instances, pub, pool, &proof, &S, &err)) ||
        cli_write_file(outp, proof.data, proof.len, &err)) {
        cli_fail(cmd, &err);
    } else {
        ret = 0;
        if (!quiet)
            printf("proved %llu instances: %zu bytes (GKR %llu, opening %llu), %.3f s "
                   "(commit %.3f, evaluate %.3f, GKR %.3f, open %.3f), %d threads -> %s\n",
                   (unsigned long long)w->n_instances, proof.len, (unsigned long long)S.gkr_bytes,
                   (unsigned long long)S.opening_bytes, S.t_total, S.t_commit, S.t_eval, S.t_gkr, S.t_open, threads, outp);
    }
    gf_buf_free(&proof);
    gf_pool_free(pool);
    gf_witness_free(w);
    gf_circuit_free(c);
    return ret;
}

int cmd_verify_circuit(int argc, char **argv) {
    const char *cmd = "verify-circuit";
    if (cli_has_help(argc, argv)) {
        printf("usage: gkrflow verify-circuit --circuit C --proof PROOF\n\n"
               "Checks a proof made by prove-circuit. Prints 'ok' and exits 0 if it verifies;\n"
               "otherwise prints the precise reason and exits 1.\n");
        return 0;
    }
    const char *cp = NULL, *pp = NULL;
    cli_opt o[] = {{"--circuit", &cp, NULL}, {"--proof", &pp, NULL}};
    int rc = cli_parse(cmd, argc, argv, o, 2);
    if (rc) return rc;
    if (!cp || !pp) return cli_usage_error(cmd, "--circuit and --proof are required");
    gf_error err;
    gf_circuit *c = NULL;
    uint8_t *data = NULL;
    size_t len = 0;
    uint64_t n = 0;
    uint32_t flags = 0;
    double t0 = gf_now_seconds();
    int ret = 1;
    if (gf_circuit_load(&c, cp, &err) || cli_read_file(pp, &data, &len, &err)) {
        cli_fail(cmd, &err);   /* the loaders name their file */
    } else if (c->field == GF_FIELD_BN254 ? gf_circuit_verify_bn254(c, data, len, &n, &flags, &err)
                                          : gf_circuit_verify_m31(c, data, len, &n, &flags, &err)) {
        gf_error_prefix(&err, "%s", pp);
        cli_fail(cmd, &err);
    } else {
        printf("ok: %llu instances verified in %.3f s (%s)\n", (unsigned long long)n, gf_now_seconds() - t0,
               flags & GF_PROOF_FLAG_PUBLIC_OUTPUTS ? "inputs evaluate to the public outputs in the proof" : "all outputs are 0");
        ret = 0;
    }
    free(data);
    gf_circuit_free(c);
    return ret;
}
