#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "tools/cli.h"

int cli_has_help(int argc, char **argv) {
    for (int i = 1; i < argc; i++)
        if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) return 1;
    return 0;
}

int cli_fail(const char *cmd, const gf_error *err) {
    fprintf(stderr, "gkrflow %s: %s\n", cmd, err->msg[0] ? err->msg : gf_status_name(err->code));
    return 1;
}

int cli_usage_error(const char *cmd, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "gkrflow %s: ", cmd);
    vfprintf(stderr, fmt, ap);
    fprintf(stderr, "\n(see 'gkrflow %s --help')\n", cmd);
    va_end(ap);
    return 2;
}

long long cli_parse_count(const char *cmd, const char *opt, const char *val) {
    char *end = NULL;
    if (!val || !*val) { cli_usage_error(cmd, "%s needs a value", opt); return -1; }
    long long v = strtoll(val, &end, 10);
    if (*end || v < 0) { cli_usage_error(cmd, "%s: '%s' is not a non-negative integer", opt, val); return -1; }
    return v;
}

typedef struct { const char *name; int (*fn)(int, char **); const char *summary; } command;

static const command commands[] = {
    {"setup", cmd_setup, "write the (transparent) setup file of a computation graph"},
    {"prove", cmd_prove, "prove a graph witness against its computation graph (lightweight: files only)"},
    {"verify", cmd_verify, "verify a proof made by prove against the graph"},
    {"inspect", cmd_inspect, "print any gkrflow file (circuit, witness, graph, setup, proof) in human terms"},
    {"bench", cmd_bench, "run a benchmark and print a table (or JSON lines with --json)"},
    {"import-extracted", cmd_import_extracted, "convert an Expander-cpp extracted-gates circuit to a gkrflow circuit file"},
    {"keccak-witness", cmd_keccak_witness, "write a random witness file for the imported Keccak circuit"},
    {"prove-circuit", cmd_prove_circuit, "prove a witness file satisfies a layered circuit (GKR, raw PCS)"},
    {"verify-circuit", cmd_verify_circuit, "verify a proof made by prove-circuit"},
    {"run", cmd_run, "run a gkrflow command on several MPI ranks (mpiexec, rank policy: see --help)"},
    {"selfcheck", cmd_selfcheck, "quick consistency check of fields, SIMD backends and transcript"},
};
#define N_COMMANDS (sizeof commands / sizeof commands[0])

static void usage(FILE *f) {
    fprintf(f, "usage: gkrflow COMMAND [OPTIONS]   (gkrflow COMMAND --help for details)\n\ncommands:\n");
    for (size_t i = 0; i < N_COMMANDS; i++) fprintf(f, "  %-16s %s\n", commands[i].name, commands[i].summary);
    fprintf(f, "\noptions:\n  -h, --help       this text\n  --version        print the version\n");
}

int main(int argc, char **argv) {
    if (argc < 2) { usage(stderr); return 2; }
    if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help") || !strcmp(argv[1], "help")) { usage(stdout); return 0; }
    if (!strcmp(argv[1], "--version")) { printf("gkrflow %s\n", GKRFLOW_VERSION); return 0; }
    for (size_t i = 0; i < N_COMMANDS; i++)
        if (!strcmp(argv[1], commands[i].name)) return commands[i].fn(argc - 1, argv + 1);
    fprintf(stderr, "gkrflow: unknown command '%s'\n", argv[1]);
    usage(stderr);
    return 2;
}
