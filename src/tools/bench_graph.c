/* `gkrflow bench graph`: the reference's zkCUDA matmul benchmark. c = a x b with b [512][512]
 * broadcast and one mul_line instance per row of a, for parallel counts 4, 8, 16 and 1024.
 * Each configuration runs in child processes: one builds the graph and witness files (the
 * user program), one proves from the files (as `gkrflow prove` does, so its peak RSS is the
 * prover's alone), one verifies. */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include "common/bench.h"
#include "common/rng.h"
#include "common/util.h"
#include "graph/context.h"
#include "kernels.h"
#include "mpi/comm.h"
#include "prover/graph_proof.h"

typedef struct {
    double t_commit, t_gkr, t_open, t_prove, t_verify, rss, proof_bytes, witness_bytes, graph_bytes;
    int ok;
    char msg[GF_ERROR_MSG_MAX + 64];
} result;

static long file_size(const char *p) {
    struct stat sb;
    return stat(p, &sb) == 0 ? (long)sb.st_size : -1;
}

static void build_files(uint64_t n, uint64_t k, uint64_t m, const char *gp, const char *wp, result *R) {
    gf_error err;
    gf_kernel *ml = NULL;
    gf_context *ctx = NULL;
    gf_graph *g = NULL;
    gf_graph_witness *w = NULL;
    gf_pool *pool = NULL;
    gf_rng rng;
    gf_rng_seed(&rng, 42);
    gf_m31 *a = malloc(n * k * sizeof *a), *b = malloc(k * m * sizeof *b), *c = malloc(n * m * sizeof *c);
    for (uint64_t i = 0; a && i < n * k; i++) a[i] = gf_m31_random(&rng);
    for (uint64_t i = 0; b && i < k * m; i++) b[i] = gf_m31_random(&rng);
    if (!a || !b || !c) { snprintf(R->msg, sizeof R->msg, "out of memory"); goto done; }
    if (gf_pool_new(&pool, gf_pool_default_threads(), &err) || gf_example_kernel_mul_line(k, m, &ml, &err) ||
        gf_context_new(&ctx, pool, &err) || gf_example_run_matmul(ctx, ml, n, k, m, a, b, c, &err) ||
        gf_context_compile_graph(ctx, &g, &err) || gf_context_solve_witness(ctx, &err) ||
        gf_context_export_witness(ctx, g, &w, &err) || gf_graph_save(g, gp, &err) || gf_graph_witness_save(w, wp, &err)) {
        snprintf(R->msg, sizeof R->msg, "%s", err.msg);
        goto done;
    }
    R->ok = 1;
done:
    gf_graph_witness_free(w);
    gf_graph_free(g);
    gf_context_free(ctx);
    gf_kernel_free(ml);
    gf_pool_free(pool);
    free(a); free(b); free(c);
}

static void prove_files(const char *gp, const char *wp, const char *pp, int threads, result *R) {
    gf_error err;
    gf_graph *g = NULL;
    gf_graph_witness *w = NULL;
    gf_pool *pool = NULL;
    gf_buf proof;
    gf_buf_init(&proof);
    gf_graph_prove_stats S;
    double t0 = gf_now_seconds();
    /* as `gkrflow prove` does: the openings go from the witness straight into the file */
    gf_graph_prove_opts opts;
    memset(&opts, 0, sizeof opts);
    opts.openings_by_caller = 1;
    gf_comm self = gf_comm_self();
    if (gf_graph_load(&g, gp, &err) || gf_graph_witness_load(&w, wp, &err) || gf_pool_new(&pool, threads, &err) ||
        gf_graph_prove_comm(g, w, &self, pool, &opts, &proof, &S, &err)) {
        snprintf(R->msg, sizeof R->msg, "%s", err.msg);
    } else {
        FILE *f = fopen(pp, "wb");
        if (!f || fwrite(proof.data, 1, proof.len, f) != proof.len || gf_graph_write_openings(f, g, w, &err))
            snprintf(R->msg, sizeof R->msg, "cannot write %s", pp);
        else R->ok = 1;
        if (f && fclose(f)) { R->ok = 0; snprintf(R->msg, sizeof R->msg, "cannot write %s", pp); }
        R->t_prove = gf_now_seconds() - t0;
        R->t_commit = S.t_commit; R->t_gkr = S.t_gkr; R->t_open = S.t_open;
        R->proof_bytes = (double)S.proof_bytes;
    }
    R->rss = (double)gf_peak_rss_bytes();
    gf_buf_free(&proof);
    gf_pool_free(pool);
    gf_graph_witness_free(w);
    gf_graph_free(g);
}

static void verify_files(const char *gp, const char *pp, result *R) {
    gf_error err;
    gf_graph *g = NULL;
    uint8_t *data = NULL;
    long len = file_size(pp);
    FILE *f = fopen(pp, "rb");
    if (len > 0 && f && (data = malloc((size_t)len)) && fread(data, 1, (size_t)len, f) == (size_t)len) {
        double t0 = gf_now_seconds();
        if (gf_graph_load(&g, gp, &err) || gf_graph_verify(g, data, (size_t)len, &err)) snprintf(R->msg, sizeof R->msg, "%s", err.msg);
        else R->ok = 1;
        R->t_verify = gf_now_seconds() - t0;
    } else {
        snprintf(R->msg, sizeof R->msg, "cannot read %s", pp);
    }
    if (f) fclose(f);
    free(data);
    gf_graph_free(g);
}

/* Runs fn in a child process and copies its result back through a pipe. */
typedef enum { JOB_BUILD, JOB_PROVE, JOB_VERIFY } job;
static int in_child(job j, uint64_t n, uint64_t k, uint64_t m, const char *gp, const char *wp, const char *pp, int threads,
                    result *R) {
    int fd[2];
    if (pipe(fd)) return -1;
    pid_t pid = fork();
    if (pid < 0) { close(fd[0]); close(fd[1]); return -1; }
    if (pid == 0) {
        close(fd[0]);
        result r;
        memset(&r, 0, sizeof r);
        if (j == JOB_BUILD) build_files(n, k, m, gp, wp, &r);
        else if (j == JOB_PROVE) prove_files(gp, wp, pp, threads, &r);
        else verify_files(gp, pp, &r);
        ssize_t wr = write(fd[1], &r, sizeof r);
        _exit(wr == (ssize_t)sizeof r ? 0 : 1);
    }
    close(fd[1]);
    result r;
    ssize_t got = read(fd[0], &r, sizeof r);
    close(fd[0]);
    int status = 0;
    waitpid(pid, &status, 0);
    if (got != (ssize_t)sizeof r) { snprintf(R->msg, sizeof R->msg, "child process failed (status %d)", status); return -1; }
    *R = r;
    return 0;
}

int gf_bench_graph(int argc, char **argv, gf_bench_out *out) {
    uint64_t counts[8] = {4, 8, 16, 1024};
    int nc = 4, reps = 3, threads = gf_pool_default_threads();
    uint64_t dim = 512;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            printf("usage: gkrflow bench graph [--counts N,N,...] [--dim D] [--reps R] [--threads T] [--json]\n\n"
                   "zkCUDA's matmul benchmark: c = a x b, b [D][D] broadcast, one mul_line instance per row of a,\n"
                   "for each parallel count N (default 4,8,16,1024; D = 512). Builds the graph and witness files,\n"
                   "then proves from the files in a separate process (as `gkrflow prove` does) and verifies.\n"
                   "Reports the prove time split (commit / GKR incl. evaluation / open), proof size, verify time,\n"
                   "peak RSS of the proving process and its ratio to 3 x witness file + graph file (the target\n"
                   "is < 1). Times are medians of R proofs (default 3).\n");
            return 0;
        } else if (!strcmp(a, "--counts") && v) {
            nc = 0;
            for (char *p = (char *)v; *p && nc < 8;) {
                char *e;
                unsigned long long c = strtoull(p, &e, 10);
                if (e == p || !gf_is_pow2(c) || c > 4096) { fprintf(stderr, "gkrflow bench graph: --counts takes powers of two up to 4096\n"); return 2; }
                counts[nc++] = c;
                p = *e == ',' ? e + 1 : e;
                if (*e && *e != ',') { fprintf(stderr, "gkrflow bench graph: bad --counts '%s'\n", v); return 2; }
            }
            i++;
        } else if (!strcmp(a, "--dim") && v) { dim = strtoull(v, NULL, 10); i++; }
        else if (!strcmp(a, "--reps") && v) { reps = atoi(v); i++; }
        else if (!strcmp(a, "--threads") && v) { threads = atoi(v); i++; }
        else { fprintf(stderr, "gkrflow bench graph: unknown or incomplete option '%s'\n", a); return 2; }
    }
    if (reps < 1 || reps > 20 || threads < 1 || threads > GF_POOL_MAX_THREADS || !gf_is_pow2(dim) || dim < 2 || dim > 2048 || nc < 1) {
        fprintf(stderr, "gkrflow bench graph: need 1 <= reps <= 20, 1 <= threads <= 64, dim a power of two in 2..2048\n");
        return 2;
    }
    char dir[] = "/tmp/gkrflow-bench-XXXXXX";
    if (!mkdtemp(dir)) { fprintf(stderr, "gkrflow bench graph: cannot create a temporary directory\n"); return 1; }
    char gp[64], wp[64], pp[64];
    snprintf(gp, sizeof gp, "%s/graph", dir);
    snprintf(wp, sizeof wp, "%s/witness", dir);
    snprintf(pp, sizeof pp, "%s/proof", dir);
    gf_bench_note(out, "matmul %llux%llu broadcast, %d threads, median of %d", (unsigned long long)dim, (unsigned long long)dim, threads, reps);
    int rc = 0;
    for (int ci = 0; ci < nc && !rc; ci++) {
        uint64_t N = counts[ci];
        result B, P[20], V[20];
        memset(&B, 0, sizeof B);
        if (in_child(JOB_BUILD, N, dim, dim, gp, wp, pp, threads, &B) || !B.ok) {
            fprintf(stderr, "gkrflow bench graph: N=%llu: building the files failed: %s\n", (unsigned long long)N, B.msg);
            rc = 1;
            break;
        }
        double tp[20], tc[20], tg[20], to[20], tv[20], rss = 0;
        for (int r = 0; r < reps; r++) {
            memset(&P[r], 0, sizeof P[r]);
            memset(&V[r], 0, sizeof V[r]);
            if (in_child(JOB_PROVE, N, dim, dim, gp, wp, pp, threads, &P[r]) || !P[r].ok ||
                in_child(JOB_VERIFY, N, dim, dim, gp, wp, pp, threads, &V[r]) || !V[r].ok) {
                fprintf(stderr, "gkrflow bench graph: N=%llu: %s%s\n", (unsigned long long)N, P[r].msg, V[r].msg);
                rc = 1;
                break;
            }
            tp[r] = P[r].t_prove; tc[r] = P[r].t_commit; tg[r] = P[r].t_gkr; to[r] = P[r].t_open; tv[r] = V[r].t_verify;
            if (P[r].rss > rss) rss = P[r].rss;
        }
        if (rc) break;
        double wbytes = (double)file_size(wp), gbytes = (double)file_size(gp);
        char m[96];
#define EMIT(name, val, unit) do { snprintf(m, sizeof m, "n%llu_" name, (unsigned long long)N); gf_bench_emit(out, m, val, unit); } while (0)
        EMIT("prove_s", gf_bench_median(tp, reps), "s");
        EMIT("prove_commit_s", gf_bench_median(tc, reps), "s");
        EMIT("prove_gkr_s", gf_bench_median(tg, reps), "s");
        EMIT("prove_open_s", gf_bench_median(to, reps), "s");
        EMIT("verify_s", gf_bench_median(tv, reps), "s");
        EMIT("proof_bytes", P[0].proof_bytes, "bytes");
        EMIT("witness_bytes", wbytes, "bytes");
        EMIT("graph_bytes", gbytes, "bytes");
        EMIT("prove_peak_rss_mb", rss / (1 << 20), "MiB");
        EMIT("rss_ratio", rss / (3 * wbytes + gbytes), "x (target < 1)");
#undef EMIT
    }
    unlink(gp); unlink(wp); unlink(pp);
    rmdir(dir);
    return rc;
}

/* `gkrflow bench mpi`: the 512x512 matmul graph (1024 instances) proved from its files by
 * `gkrflow prove` on 1 rank and on 2 ranks (through `gkrflow run`, one thread per rank);
 * times are the prover's own (mpiexec start-up excluded), medians of R runs. */
static int run_prove_json(const char *self, int ranks, const char *gp, const char *wp, const char *pp, double *t_total,
                          double *t_gkr, uint64_t *sent0, uint64_t *sent1, char *msg, size_t msglen) {
    char cmd[8192];
    if (ranks == 1)
        snprintf(cmd, sizeof cmd, "'%s' prove --graph '%s' --witness '%s' --out '%s' --threads 1 --json 2>&1", self, gp, wp, pp);
    else
        snprintf(cmd, sizeof cmd, "'%s' run --np %d -- prove --graph '%s' --witness '%s' --out '%s' --json 2>&1", self, ranks, gp, wp, pp);
    FILE *f = popen(cmd, "r");
    if (!f) { snprintf(msg, msglen, "cannot run the gkrflow binary"); return -1; }
    char line[4096];
    int ok = 0;
    *sent0 = *sent1 = 0;
    while (fgets(line, sizeof line, f)) {
        char *a = strstr(line, "\"t_total\":"), *b = strstr(line, "\"t_gkr\":"), *c = strstr(line, "\"bytes_sent\":[");
        if (a && b && c) {
            *t_total = strtod(a + 10, NULL);
            *t_gkr = strtod(b + 8, NULL);
            char *e;
            *sent0 = strtoull(c + 14, &e, 10);
            if (*e == ',') *sent1 = strtoull(e + 1, NULL, 10);
            ok = 1;
        } else {
            size_t l = strlen(line);
            if (l >= msglen) l = msglen - 1;
            memcpy(msg, line, l);
            msg[l] = 0;
        }
    }
    int rc = pclose(f);
    return ok && rc == 0 ? 0 : -1;
}

int gf_bench_mpi(int argc, char **argv, gf_bench_out *out) {
    int reps = 3;
    uint64_t n = 1024, dim = 512;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            printf("usage: gkrflow bench mpi [--reps R] [--n N] [--dim D] [--json]\n\n"
                   "Proves zkCUDA's matmul graph (N instances of mul_line, b [D][D] broadcast; default\n"
                   "N = 1024, D = 512) from its files with `gkrflow prove` on 1 rank and on 2 ranks\n"
                   "(`gkrflow run --np 2`, one thread per rank) and prints the prove times (the prover's\n"
                   "own timing, mpiexec start-up excluded; medians of R runs, default 3), the speed-up\n"
                   "(target >= 1.8x on a 2-core machine) and the bytes each rank sent.\n");
            return 0;
        } else if (!strcmp(a, "--reps") && v) { reps = atoi(v); i++; }
        else if (!strcmp(a, "--n") && v) { n = strtoull(v, NULL, 10); i++; }
        else if (!strcmp(a, "--dim") && v) { dim = strtoull(v, NULL, 10); i++; }
        else { fprintf(stderr, "gkrflow bench mpi: unknown or incomplete option '%s'\n", a); return 2; }
    }
    if (reps < 1 || reps > 20 || n < 1 || n > 4096 || dim < 2 || dim > 2048 || !gf_is_pow2(dim)) {
        fprintf(stderr, "gkrflow bench mpi: need 1 <= reps <= 20, 1 <= n <= 4096, dim a power of two in 2..2048\n");
        return 2;
    }
    char self[4096];
    ssize_t sl = readlink("/proc/self/exe", self, sizeof self - 1);
    if (sl <= 0) { fprintf(stderr, "gkrflow bench mpi: cannot find the gkrflow binary\n"); return 1; }
    self[sl] = 0;
    char dir[] = "/tmp/gkrflow-bench-XXXXXX";
    if (!mkdtemp(dir)) { fprintf(stderr, "gkrflow bench mpi: cannot create a temporary directory\n"); return 1; }
    char gp[64], wp[64], pp[64];
    snprintf(gp, sizeof gp, "%s/graph", dir);
    snprintf(wp, sizeof wp, "%s/witness", dir);
    snprintf(pp, sizeof pp, "%s/proof", dir);
    int rc = 0;
    result B;
    memset(&B, 0, sizeof B);
    if (in_child(JOB_BUILD, n, dim, dim, gp, wp, pp, 1, &B) || !B.ok) {
        fprintf(stderr, "gkrflow bench mpi: building the files failed: %s\n", B.msg);
        rc = 1;
    }
    double tt[2][20], tg[2][20];
    uint64_t s0 = 0, s1 = 0;
    char msg[4096] = "";
    for (int r = 0; r < reps && !rc; r++)
        for (int q = 0; q < 2 && !rc; q++) {
            uint64_t a = 0, b = 0;
            if (run_prove_json(self, q ? 2 : 1, gp, wp, pp, &tt[q][r], &tg[q][r], &a, &b, msg, sizeof msg)) {
                fprintf(stderr, "gkrflow bench mpi: proving on %d rank(s) failed: %s\n", q ? 2 : 1, msg);
                rc = 1;
            }
            if (q) { s0 = a; s1 = b; }
        }
    if (!rc) {
        gf_bench_note(out, "matmul %llux%llu broadcast, %llu instances; prover timing, median of %d", (unsigned long long)dim,
                      (unsigned long long)dim, (unsigned long long)n, reps);
        double t1 = gf_bench_median(tt[0], reps), t2 = gf_bench_median(tt[1], reps);
        gf_bench_emit(out, "prove_s_r1", t1, "s");
        gf_bench_emit(out, "prove_s_r2", t2, "s");
        gf_bench_emit(out, "prove_gkr_s_r1", gf_bench_median(tg[0], reps), "s");
        gf_bench_emit(out, "prove_gkr_s_r2", gf_bench_median(tg[1], reps), "s");
        gf_bench_emit(out, "speedup_r2", t1 / t2, "x (target >= 1.8)");
        gf_bench_emit(out, "bytes_sent_rank0_r2", (double)s0, "bytes");
        gf_bench_emit(out, "bytes_sent_rank1_r2", (double)s1, "bytes");
    }
    unlink(gp); unlink(wp); unlink(pp);
    rmdir(dir);
    return rc;
}
