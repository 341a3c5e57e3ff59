/* `gkrflow bench keccak`: proves the Expander-cpp Keccak-f circuit (8 permutations per
 * instance) for 32 instances per proof, counted as Expander-cpp does: 256 Keccaks/proof. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "circuit/circuit.h"
#include "circuit/keccak_witness.h"
#include "circuit/witness.h"
#include "common/bench.h"
#include "common/pool.h"
#include "common/util.h"
#include "prover/circuit_proof.h"

#define KECCAKS_PER_INSTANCE 8
/* The prover object is built once per thread count and reused, as a service proving many
 * batches would; the first proof's timing includes no allocation either way. */

/* Finds the workload directory: $GKRFLOW_SHARED, ../shared, or beside the executable. */
static int find_workload(char *mul, char *add, size_t cap) {
    const char *cands[3] = {getenv("GKRFLOW_SHARED"), "../shared", NULL};
    char exe[4096];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    static const char rel[] = "/../../shared";
    if (n > 0 && (size_t)n < sizeof exe - sizeof rel) {
        exe[n] = 0;
        char *slash = strrchr(exe, '/');
        if (slash) { *slash = 0; strcat(exe, rel); cands[2] = exe; }
    }
    for (int i = 0; i < 3; i++) {
        if (!cands[i]) continue;
        snprintf(mul, cap, "%s/workloads/expander-cpp-keccak/ExtractedCircuitMul.txt.xz", cands[i]);
        snprintf(add, cap, "%s/workloads/expander-cpp-keccak/ExtractedCircuitAdd.txt.xz", cands[i]);
        if (access(mul, R_OK) == 0 && access(add, R_OK) == 0) return 0;
    }
    return -1;
}

int gf_bench_keccak(int argc, char **argv, gf_bench_out *out) {
    int reps = 5, threads = 0, instances = 32;
    char mul[4200], add[4200];
    const char *mulp = NULL, *addp = NULL;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            printf("usage: gkrflow bench keccak [--threads T] [--reps N] [--instances N] [--mul F --add F] [--json]\n\n"
                   "Proves the Expander-cpp Keccak-f benchmark circuit (8 Keccak-f per instance) for N\n"
                   "instances per proof (default 32 = 256 Keccaks, as Expander-cpp counts), N reps\n"
                   "(default 5), and reports the median: Keccaks proved per second, prove time split,\n"
                   "proof size, verify time and peak RSS. Without --threads it runs with 1 thread and\n"
                   "with all online CPUs. The circuit is read from $GKRFLOW_SHARED/workloads/...\n"
                   "(or ../shared) unless --mul/--add are given. Reference: Expander-cpp (M31, AVX-512)\n"
                   "reaches about 205 Keccaks/s on one core and 450/s on two on this machine kind.\n");
            return 0;
        } else if (!strcmp(a, "--threads") && v) { threads = atoi(v); i++; }
        else if (!strcmp(a, "--reps") && v) { reps = atoi(v); i++; }
        else if (!strcmp(a, "--instances") && v) { instances = atoi(v); i++; }
        else if (!strcmp(a, "--mul") && v) { mulp = v; i++; }
        else if (!strcmp(a, "--add") && v) { addp = v; i++; }
        else { fprintf(stderr, "gkrflow bench keccak: unknown or incomplete option '%s'\n", a); return 2; }
    }
    if (reps < 1 || reps > 100 || threads < 0 || threads > GF_POOL_MAX_THREADS || instances < 16 || instances > 4096 || !gf_is_pow2((uint64_t)instances)) {
        fprintf(stderr, "gkrflow bench keccak: need 1 <= reps <= 100, 0 <= threads <= 64, instances a power of two in 16..4096\n");
        return 2;
    }
    if (!mulp || !addp) {
        if (find_workload(mul, add, sizeof mul)) {
            fprintf(stderr, "gkrflow bench keccak: Keccak workload not found (set GKRFLOW_SHARED to the shared/ directory or pass --mul/--add)\n");
            return 1;
        }
        mulp = mul; addp = add;
    }
    gf_error err;
    gf_circuit *c = NULL;
    gf_witness *w = NULL;
    double t0 = gf_now_seconds();
    if (gf_circuit_import_extracted(&c, mulp, addp, &err) ||
        gf_keccak_extracted_witness(c, (uint64_t)instances, 1, &w, &err)) {
        fprintf(stderr, "gkrflow bench keccak: %s\n", err.msg);
        gf_circuit_free(c);
        return 1;
    }
    gf_bench_note(out, "circuit: %u layers, %llu gates, input 2^%u; %d instances x %d Keccak-f = %d per proof; loaded in %.2f s",
                  c->n_layers, (unsigned long long)gf_circuit_n_gates(c), c->layers[0].in_log, instances,
                  KECCAKS_PER_INSTANCE, instances * KECCAKS_PER_INSTANCE, gf_now_seconds() - t0);
    int tlist[2] = {1, gf_pool_default_threads()}, nt = tlist[1] > 1 ? 2 : 1;
    if (threads) { tlist[0] = threads; nt = 1; }
    int rc = 0;
    double *ts = calloc((size_t)reps, sizeof *ts), *vs = calloc((size_t)reps, sizeof *vs);
    double *tc = calloc((size_t)reps, sizeof *tc), *te = calloc((size_t)reps, sizeof *te), *tg = calloc((size_t)reps, sizeof *tg);
    for (int ti = 0; ti < nt && !rc; ti++) {
        gf_pool *pool = NULL;
        gf_circuit_prover *prover = NULL;
        if (gf_pool_new(&pool, tlist[ti], &err) || gf_circuit_prover_new(&prover, c, (uint64_t)instances / 16, &err) ||
            gf_witness_pack_m31x16(w, 0, (uint64_t)instances / 16, gf_circuit_prover_input(prover), &err)) {
            fprintf(stderr, "gkrflow bench keccak: %s\n", err.msg);
            gf_pool_free(pool);
            gf_circuit_prover_free(prover);
            rc = 1;
            break;
        }
        size_t psize = 0;
        for (int r = 0; r < reps && !rc; r++) {
            gf_buf proof;
            gf_buf_init(&proof);
            gf_prove_stats S;
            double a = gf_now_seconds();
            if (gf_circuit_prover_prove(prover, NULL, (uint64_t)instances, 1, pool, &proof, &S, &err)) {
                fprintf(stderr, "gkrflow bench keccak: %s\n", err.msg); rc = 1;
            } else {
                ts[r] = gf_now_seconds() - a;
                tc[r] = S.t_commit; te[r] = S.t_eval; tg[r] = S.t_gkr;
                psize = proof.len;
                a = gf_now_seconds();
                if (gf_circuit_verify_m31(c, proof.data, proof.len, NULL, NULL, &err)) {
                    fprintf(stderr, "gkrflow bench keccak: own proof did not verify: %s\n", err.msg); rc = 1;
                }
                vs[r] = gf_now_seconds() - a;
            }
            gf_buf_free(&proof);
        }
        gf_pool_free(pool);
        gf_circuit_prover_free(prover);
        if (rc) break;
        char m[96];
        double med = gf_bench_median(ts, reps);
        double kps = instances * KECCAKS_PER_INSTANCE / med;
        snprintf(m, sizeof m, "keccak_per_s_t%d", tlist[ti]); gf_bench_emit(out, m, kps, "keccak/s");
        snprintf(m, sizeof m, "keccak_per_s_per_core_t%d", tlist[ti]); gf_bench_emit(out, m, kps / tlist[ti], "keccak/s/core");
        snprintf(m, sizeof m, "prove_s_t%d", tlist[ti]); gf_bench_emit(out, m, med, "s");
        snprintf(m, sizeof m, "prove_commit_s_t%d", tlist[ti]); gf_bench_emit(out, m, gf_bench_median(tc, reps), "s");
        snprintf(m, sizeof m, "prove_eval_s_t%d", tlist[ti]); gf_bench_emit(out, m, gf_bench_median(te, reps), "s");
        snprintf(m, sizeof m, "prove_gkr_s_t%d", tlist[ti]); gf_bench_emit(out, m, gf_bench_median(tg, reps), "s");
        snprintf(m, sizeof m, "verify_s_t%d", tlist[ti]); gf_bench_emit(out, m, gf_bench_median(vs, reps), "s");
        if (ti == 0) gf_bench_emit(out, "proof_bytes", (double)psize, "bytes");
        double ref = tlist[ti] == 1 ? 205.0 : tlist[ti] == 2 ? 450.0 : 0;
        if (ref > 0) {
            snprintf(m, sizeof m, "ratio_vs_expander_cpp_t%d", tlist[ti]);
            gf_bench_emit(out, m, kps / ref, "x");
        }
    }
    if (!rc) gf_bench_emit(out, "peak_rss_mb", (double)gf_peak_rss_bytes() / (1 << 20), "MiB");
    free(ts); free(vs); free(tc); free(te); free(tg);
    gf_witness_free(w);
    gf_circuit_free(c);
    return rc;
}
