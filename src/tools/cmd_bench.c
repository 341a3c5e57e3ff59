#include <stdio.h>
#include <string.h>
#include "common/bench.h"
#include "tools/cli.h"

int gf_bench_field(int argc, char **argv, gf_bench_out *out);
int gf_bench_keccak(int argc, char **argv, gf_bench_out *out);
int gf_bench_graph(int argc, char **argv, gf_bench_out *out);
int gf_bench_mpi(int argc, char **argv, gf_bench_out *out);

typedef struct { const char *name; gf_bench_fn fn; const char *summary; } bench_entry;
static const bench_entry benches[] = {
    {"field", gf_bench_field, "field multiplications per second per core, each field and SIMD path"},
    {"graph", gf_bench_graph, "zkCUDA matmul 512x512 graph: prove split, proof size, verify time, peak RSS ratio"},
    {"mpi", gf_bench_mpi, "the 512x512 matmul graph proved on 1 and 2 MPI ranks: speed-up, bytes sent per rank"},
    {"keccak", gf_bench_keccak, "GKR proof of the Expander-cpp Keccak-f circuit: Keccaks/s, proof size, verify time"},
};
#define N_BENCHES (sizeof benches / sizeof benches[0])

static void bench_usage(FILE *f) {
    fprintf(f, "usage: gkrflow bench NAME [--json] [NAME's options]\n"
               "       gkrflow bench all [--json]\n\n"
               "Prints a table of figures (medians over repeated runs), or with --json one object\n"
               "per line: {\"bench\":..,\"metric\":..,\"value\":..,\"unit\":..}.\n\nbenchmarks:\n");
    for (size_t i = 0; i < N_BENCHES; i++) fprintf(f, "  %-10s %s\n", benches[i].name, benches[i].summary);
}

int cmd_bench(int argc, char **argv) {
    if (argc < 2 || (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))) {
        bench_usage(argc < 2 ? stderr : stdout);
        return argc < 2 ? 2 : 0;
    }
    /* strip --json wherever it is; the rest goes to the benchmark */
    int json = 0, n = 0;
    char *args[64];
    for (int i = 1; i < argc && n < 63; i++) {
        if (!strcmp(argv[i], "--json")) json = 1; else args[n++] = argv[i];
    }
    args[n] = NULL;
    int all = !strcmp(args[0], "all");
    int rc = 0, found = 0;
    for (size_t i = 0; i < N_BENCHES; i++) {
        if (!all && strcmp(args[0], benches[i].name)) continue;
        found = 1;
        gf_bench_out out;
        gf_bench_init(&out, stdout, benches[i].name, json);
        char *one[] = {(char *)benches[i].name, NULL};
        int r = all ? benches[i].fn(1, one, &out) : benches[i].fn(n, args, &out);
        if (r) rc = r;
    }
    if (!found) {
        fprintf(stderr, "gkrflow bench: unknown benchmark '%s'\n", args[0]);
        bench_usage(stderr);
        return 2;
    }
    return rc;
}
