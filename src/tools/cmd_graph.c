/* Graph commands: setup, prove, verify (computation graphs, graph/graph.h) and inspect (any
 * gkrflow file). */
#define _GNU_SOURCE   /* open_memstream */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "circuit/binio.h"
#include "circuit/circuit.h"
#include "circuit/witness.h"
#include "common/buf.h"
#include "hash/sha256.h"
#include "common/pool.h"
#include "common/util.h"
#include "field/bn254fr.h"
#include "graph/graph.h"
#include "pcs/pcs.h"
#include "prover/circuit_proof.h"
#include "prover/graph_proof.h"
#include "mpi/comm.h"
#include "tools/cli.h"
#include "tools/files.h"
#include "tools/opts.h"

/* Longest list inspect prints in full (layers, commitments, templates, vectors). */
#define INSPECT_MAX_ROWS 64u
#define INSPECT_VALUES 8u

static void print_hex(FILE *o, const uint8_t *b, size_t n) {
    for (size_t i = 0; i < n; i++) fprintf(o, "%02x", b[i]);
}

static const char *plural(uint64_t n) { return n == 1 ? "" : "s"; }

static double mib(size_t bytes) { return (double)bytes / (1024.0 * 1024.0); }

/* The optional setup file checked against g (NULL path: the default transparent setup). */
static gf_status check_setup_file(const gf_graph *g, const char *gp, const char *sp, gf_error *err) {
    if (!sp) return GF_OK;
    uint8_t *d = NULL;
    size_t n = 0;
    gf_status st = cli_read_file(sp, &d, &n, err);
    if (!st && (st = gf_graph_check_setup(g, d, n, err))) gf_error_prefix(err, "setup %s (for graph %s)", sp, gp);
    free(d);
    return st;
}

int cmd_setup(int argc, char **argv) {
    const char *cmd = "setup";
    if (cli_has_help(argc, argv)) {
        printf("usage: gkrflow setup --graph G --out SETUP\n\n"
               "Writes the setup of a computation graph (made by a gkrflow program, e.g. the\n"
               "gkrflow-example-add example): the PCS parameters pinned to the graph's digest, and\n"
               "prints the time it took. The raw PCS is transparent, so the setup is small and\n"
               "optional for prove and verify; when given there, it must match the graph.\n"
               "The file is written atomically (nothing is written on failure).\n"
               "  --graph G     graph file (GKRFGRPH)\n"
               "  --out SETUP   setup file to write (GKRFSETP)\n");
        return 0;
    }
    const char *gp = NULL, *outp = NULL;
    cli_opt o[] = {{"--graph", &gp, NULL}, {"--out", &outp, NULL}};
    int rc = cli_parse(cmd, argc, argv, o, 2);
    if (rc) return rc;
    if (!gp || !outp) return cli_usage_error(cmd, "--graph and --out are required");
    gf_error err;
    gf_graph *g = NULL;
    gf_buf s;
    gf_buf_init(&s);
    int ret = 1;
    double t0 = gf_now_seconds();
    if (gf_graph_load(&g, gp, &err) || gf_graph_setup(g, &s, &err) || cli_write_file(outp, s.data, s.len, &err)) {
        cli_fail(cmd, &err);
    } else {
        printf("wrote %s: setup for graph %s (%u template%s, %u commitment%s), raw PCS (transparent), %zu bytes, %.3f s\n",
               outp, gp, g->n_templates, plural(g->n_templates), g->n_commitments, plural(g->n_commitments), s.len,
               gf_now_seconds() - t0);
        ret = 0;
    }
    gf_buf_free(&s);
    gf_graph_free(g);
    return ret;
}

/* Progress on stderr: one rewritten line per template (a terminal) or none. */
static void show_progress(void *ctx, uint32_t done, uint32_t n, const char *kernel, uint64_t instances) {
    (void)ctx;
    if (done < n)
        fprintf(stderr, "\rgkrflow prove: template %u/%u (kernel '%s', %llu instances)...      ", done + 1, n, kernel,
                (unsigned long long)instances);
    else
        fprintf(stderr, "\rgkrflow prove: %u/%u templates proved, writing the openings%30s\n", n, n, "");
    fflush(stderr);
}

/* A graph proof file: the prover's bytes, then the openings written from the witness. */
typedef struct { const gf_buf *proof; const gf_graph *g; const gf_graph_witness *w; } proof_file;
static gf_status write_proof(FILE *f, const void *ctx, gf_error *err) {
    const proof_file *p = ctx;
    if (p->proof->len && fwrite(p->proof->data, 1, p->proof->len, f) != p->proof->len)
        return gf_error_set(err, GF_ERR_IO, "write error");
    return gf_graph_write_openings(f, p->g, p->w, err);
}

int cmd_prove(int argc, char **argv) {
    const char *cmd = "prove";
    if (cli_has_help(argc, argv)) {
        printf("usage: gkrflow prove --graph G --witness W [--setup SETUP] --out PROOF [--threads T] [--quiet]\n\n"
               "Lightweight proving: proves that the committed vectors in the witness file satisfy\n"
               "every kernel call of the computation graph (one GKR proof per call, in call order,\n"
               "raw PCS openings). Needs only the graph and witness files, not the program or its\n"
               "kernels. Prints one line: templates, proof bytes, commit/GKR/open times, peak RSS.\n"
               "The proof is written atomically (nothing is written on failure).\n"
               "  --graph G        graph file (GKRFGRPH)\n"
               "  --witness W      graph witness file for G (GKRFGWIT)\n"
               "  --setup SETUP    setup file from 'gkrflow setup' (default: the transparent setup);\n"
               "                   rejected unless it was made for G\n"
               "  --out PROOF      proof file to write (GKRFGPRF)\n"
               "  --threads T      worker threads, 1..64 (default: GKRFLOW_THREADS or all online CPUs;\n"
               "                   1 per rank under mpiexec)\n"
               "  --quiet          print nothing on success\n"
               "  --json           print the summary as one JSON object (incl. bytes sent per rank)\n"
               "  --np R|auto      launch on R MPI ranks (mpiexec, through `gkrflow run`); auto applies\n"
               "                   the rank policy of `gkrflow run --help` to the graph's largest\n"
               "                   parallel count (ZKML_NUM_CPUS, ZKML_FORCE_OVERSUBSCRIBE)\n"
               "  --verbose        with --np: print the exact mpiexec command\n"
               "  --progress       report each template on stderr (default when stderr is a terminal)\n"
               "  --timings        every rank prints its time per step on stderr (ms): commit, set-up,\n"
               "                   inputs, evaluation, sumchecks, claims, opening (where ranks wait)\n"
               "Under mpiexec (or gkrflow run) every rank runs this command: rank 0 reads the files,\n"
               "sends the other ranks what they need and writes the proof, which is byte-identical to\n"
               "the single-process proof; the summary lists the bytes each rank sent. A call with\n"
               "fewer 16-instance blocks than ranks gets a smaller group of ranks, and such calls\n"
               "prove side by side (docs/mpi.md, \"Groups and waves\").\n");
        return 0;
    }
    const char *gp = NULL, *wp = NULL, *sp = NULL, *outp = NULL, *th = NULL, *np = NULL;
    int quiet = 0, json = 0, verbose = 0, progress = 0, timings = 0;
    cli_opt o[] = {{"--graph", &gp, NULL},  {"--witness", &wp, NULL}, {"--setup", &sp, NULL},
                   {"--out", &outp, NULL},  {"--threads", &th, NULL}, {"--quiet", NULL, &quiet},
                   {"--json", NULL, &json}, {"--np", &np, NULL},      {"--verbose", NULL, &verbose},
                   {"--progress", NULL, &progress}, {"--timings", NULL, &timings}};
    int rc = cli_parse(cmd, argc, argv, o, 11);
    if (rc) return rc;
    if (!gp || !wp || !outp) return cli_usage_error(cmd, "--graph, --witness and --out are required");
    if (np) {
        /* launch ourselves on R ranks: `gkrflow run [--np R | --max-parallel M] -- prove ...` */
        if (gf_comm_launched_by_mpiexec()) return cli_usage_error(cmd, "--np is for launching; this process already runs under mpiexec");
        char mp[32] = "";
        if (!strcmp(np, "auto")) {
            gf_error e2;
            gf_graph *g0 = NULL;
            if (gf_graph_load(&g0, gp, &e2)) return cli_fail(cmd, &e2);
            uint64_t m = 1;
            for (uint32_t t = 0; t < g0->n_templates; t++)
                if (g0->templates[t].parallel_count > m) m = g0->templates[t].parallel_count;
            gf_graph_free(g0);
            snprintf(mp, sizeof mp, "%" PRIu64, m);
        } else if (cli_int(cmd, "--np", np, 1, 4096) < 0) {
            return 2;
        }
        char *rargv[64];
        int rn = 0;
        rargv[rn++] = "run";
        if (mp[0]) { rargv[rn++] = "--max-parallel"; rargv[rn++] = mp; }
        else { rargv[rn++] = "--np"; rargv[rn++] = (char *)np; }
        if (verbose) rargv[rn++] = "--verbose";
        rargv[rn++] = "--";
        rargv[rn++] = "prove";
        for (int i = 1; i < argc && rn < 62; i++) {
            if (!strcmp(argv[i], "--np")) { i++; continue; }
            if (!strcmp(argv[i], "--verbose")) continue;
            if (!strcmp(argv[i], "--progress")) { rargv[rn++] = argv[i]; continue; }
            rargv[rn++] = argv[i];
        }
        rargv[rn] = NULL;
        return cmd_run(rn, rargv);
    }
    int threads = 1;
    gf_error terr;
    if (!th && gf_pool_env_threads(&threads, &terr)) return cli_usage_error(cmd, "%s", terr.msg);
    if (th && (threads = (int)cli_int(cmd, "--threads", th, 1, GF_POOL_MAX_THREADS)) < 0) return 2;
    gf_error err;
    gf_graph *g = NULL;
    gf_graph_witness *w = NULL;
    gf_pool *pool = NULL;
    gf_buf proof;
    gf_buf_init(&proof);
    gf_graph_prove_stats S;
    memset(&S, 0, sizeof S);
    int ret = 1;
    /* under mpiexec every rank runs this command: rank 0 reads the files and sends the graph;
     * all ranks prove together; rank 0 writes the proof */
    gf_comm world = gf_comm_self();
    int mpi = gf_comm_launched_by_mpiexec();
    if (mpi && gf_comm_init(&world, NULL, NULL, &err)) return cli_fail(cmd, &err);
    const int root = gf_comm_rank(&world) == 0, R = gf_comm_size(&world);
    if (mpi && !th) threads = 1;   /* one rank per core: no extra threads unless asked */
    gf_status st = GF_OK;
    uint8_t gdigest[32];   /* computed once by rank 0, for the witness check and the prover */
    if (root) {
        st = gf_graph_load(&g, gp, &err);
        if (!st) st = check_setup_file(g, gp, sp, &err);
        if (!st) st = gf_graph_witness_load(&w, wp, &err);
        if (!st) st = gf_graph_digest(g, gdigest, &err);
        if (!st && (st = gf_graph_witness_check_digest(w, g, gdigest, &err))) gf_error_prefix(&err, "witness %s does not fit graph %s", wp, gp);
    } else {
        /* OpenSSL's first hash loads its provider (~1 ms): done now, while rank 0 reads the
         * files, rather than inside the proof (rank 0 did it hashing the graph) */
        uint8_t h[32];
        (void)gf_sha256(h, "", 0, NULL);
    }
    if (R > 1) {
        st = gf_comm_agree(&world, st, &err);
        uint8_t *gb = NULL;
        size_t gl = 0;
        if (!st && root) {
            FILE *ms = open_memstream((char **)&gb, &gl);
            if (!ms) st = gf_error_set(&err, GF_ERR_NOMEM, "out of memory");
            else {
                st = gf_graph_write(g, ms, &err);
                if (fclose(ms) && !st) st = gf_error_set(&err, GF_ERR_NOMEM, "out of memory serialising the graph");
            }
        }
        if (R > 1) st = gf_comm_agree(&world, st, &err);
        if (!st) st = gf_comm_bcast_alloc(&world, &gb, &gl, 0, &err);
        if (!st && !root) {
            FILE *ms = fmemopen(gb, gl, "rb");
            if (!ms) st = gf_error_set(&err, GF_ERR_NOMEM, "out of memory");
            else { st = gf_graph_read(&g, ms, gp, &err); fclose(ms); }
        }
        free(gb);
        st = gf_comm_agree(&world, st, &err);
        /* the other ranks parsed (and validated) the very bytes rank 0 hashed: they take its
         * digest instead of hashing the graph again */
        if (!st) st = gf_comm_bcast(&world, gdigest, 32, 0, &err);
    }
    if (!st) st = gf_pool_new(&pool, threads, &err);
    /* the openings (the witness's vectors) go from the witness straight into the file */
    gf_graph_prove_opts popts = {NULL, NULL, gdigest, 1};
    if ((progress || (!quiet && !json && isatty(2))) && root) popts.progress = show_progress;
    if (!st && (st = gf_graph_prove_comm(g, w, &world, pool, &popts, root ? &proof : NULL, &S, &err)))
        gf_error_prefix(&err, "proving %s with %s", gp, wp);
    proof_file pf = {&proof, g, w};
    if (!st && root) st = cli_write_stream(outp, write_proof, &pf, &err);
    if (R > 1) st = gf_comm_agree(&world, st, &err);
    /* bytes each rank sent while proving (measured before this gather adds its own) */
    uint64_t *sent = calloc((size_t)R, sizeof *sent);
    uint64_t mine = gf_comm_bytes_sent(&world);
    if (timings && !st)
        fprintf(stderr, "rank %d: commit %.2f set-up %.2f inputs %.2f evaluation %.2f sumchecks %.2f claims %.2f opening %.2f ms\n",
                gf_comm_rank(&world), S.t_commit * 1e3, S.t_setup * 1e3, S.t_inputs * 1e3, S.t_eval * 1e3, S.t_sumcheck * 1e3,
                S.t_claims * 1e3, S.t_open * 1e3);
    if (!st && sent && R > 1) st = gf_comm_gather(&world, &mine, sizeof mine, sent, 0, &err);
    if (st) {
        if (root) cli_fail(cmd, &err);
    } else if (json && root) {
        ret = 0;
        printf("{\"templates\":%u,\"proof_bytes\":%zu,\"t_commit\":%.6f,\"t_gkr\":%.6f,\"t_open\":%.6f,\"t_total\":%.6f,"
               "\"t_setup\":%.6f,\"t_inputs\":%.6f,\"t_eval\":%.6f,\"t_sumcheck\":%.6f,\"t_claims\":%.6f,"
               "\"peak_rss\":%zu,\"ranks\":%d,\"threads\":%d,\"bytes_sent\":[",
               g->n_templates, (size_t)S.proof_bytes, S.t_commit, S.t_gkr, S.t_open, S.t_total, S.t_setup, S.t_inputs, S.t_eval,
               S.t_sumcheck, S.t_claims, S.peak_rss, R, threads);
        for (int q = 0; q < R; q++) printf("%s%" PRIu64, q ? "," : "", sent ? sent[q] : 0);
        printf("]}\n");
    } else {
        ret = 0;
        if (!quiet && root && R > 1) {
            printf("bytes sent per rank:");
            for (int q = 0; q < R; q++) printf(" %" PRIu64, sent ? sent[q] : 0);
            printf("\n");
        }
        if (!quiet && root)
            printf("proved %s: %u template%s, %u commitment%s, proof %zu bytes (openings %" PRIu64 "); commit %.3f s, "
                   "GKR %.3f s, open %.3f s, total %.3f s; peak RSS %.1f MiB; %d rank%s x %d thread%s -> %s\n",
                   gp, g->n_templates, plural(g->n_templates), g->n_commitments, plural(g->n_commitments), (size_t)S.proof_bytes,
                   S.opening_bytes, S.t_commit, S.t_gkr, S.t_open, S.t_total, mib(S.peak_rss), R, plural((uint32_t)R),
                   threads, plural((uint32_t)threads), outp);
    }
    free(sent);
    if (mpi) gf_comm_finalize(&world, NULL);
    gf_buf_free(&proof);
    gf_pool_free(pool);
    gf_graph_witness_free(w);
    gf_graph_free(g);
    return ret;
}

int cmd_verify(int argc, char **argv) {
    const char *cmd = "verify";
    if (cli_has_help(argc, argv)) {
        printf("usage: gkrflow verify --graph G --proof PROOF [--setup SETUP]\n\n"
               "Checks a proof made by 'gkrflow prove' against the computation graph. Prints\n"
               "'ok: ...' and exits 0 if it verifies; otherwise prints the precise reason (file,\n"
               "template, byte offset) and exits 1.\n"
               "  --graph G      graph file (GKRFGRPH)\n"
               "  --proof PROOF  graph proof file (GKRFGPRF)\n"
               "  --setup SETUP  setup file from 'gkrflow setup' (default: the transparent setup);\n"
               "                 rejected unless it was made for G\n");
        return 0;
    }
    const char *gp = NULL, *pp = NULL, *sp = NULL;
    cli_opt o[] = {{"--graph", &gp, NULL}, {"--proof", &pp, NULL}, {"--setup", &sp, NULL}};
    int rc = cli_parse(cmd, argc, argv, o, 3);
    if (rc) return rc;
    if (!gp || !pp) return cli_usage_error(cmd, "--graph and --proof are required");
    gf_error err;
    gf_graph *g = NULL;
    uint8_t *data = NULL;
    size_t len = 0;
    int ret = 1;
    gf_status st = gf_graph_load(&g, gp, &err);
    if (!st) st = check_setup_file(g, gp, sp, &err);
    if (!st) st = cli_read_file(pp, &data, &len, &err);
    double t0 = gf_now_seconds();
    if (!st && (st = gf_graph_verify(g, data, len, &err))) gf_error_prefix(&err, "%s (graph %s)", pp, gp);
    if (st) {
        cli_fail(cmd, &err);
    } else {
        printf("ok: %s verifies against graph %s: %u template%s, %u commitment%s, %zu bytes, verified in %.3f s\n", pp, gp,
               g->n_templates, plural(g->n_templates), g->n_commitments, plural(g->n_commitments), len, gf_now_seconds() - t0);
        ret = 0;
    }
    free(data);
    gf_graph_free(g);
    return ret;
}

/* ---------- inspect ---------- */

static void print_m31s(FILE *o, const gf_m31 *v, uint64_t n) {
    for (uint64_t i = 0; i < n && i < INSPECT_VALUES; i++) fprintf(o, " %" PRIu32, v[i]);
    if (n > INSPECT_VALUES) fprintf(o, " ...");
}

static void print_fr(FILE *o, const gf_bn254fr *a) {
    uint64_t c[4];
    gf_bn254fr_to_canonical(c, a);
    if (!c[1] && !c[2] && !c[3]) { fprintf(o, " %" PRIu64, c[0]); return; }
    fprintf(o, " 0x%016" PRIx64 "%016" PRIx64 "%016" PRIx64 "%016" PRIx64, c[3], c[2], c[1], c[0]);
}

/* "... and N more" after a capped list; returns 1 if row i is beyond the cap. */
static int capped(FILE *o, uint64_t i, uint64_t n, const char *what) {
    if (i < INSPECT_MAX_ROWS) return 0;
    if (i == INSPECT_MAX_ROWS) fprintf(o, "    ... and %" PRIu64 " more %s\n", n - i, what);
    return 1;
}

static int inspect_circuit(FILE *o, const char *path, gf_error *err) {
    gf_circuit *c = NULL;
    if (gf_circuit_load(&c, path, err)) return 1;
    uint8_t d[32];
    if (gf_circuit_digest(c, d, err)) { gf_circuit_free(c); return 1; }
    fprintf(o, "%s: gkrflow circuit (GKRFCIRC version 1)\n", path);
    fprintf(o, "  field: %s\n  layers: %u\n  gates: %" PRIu64 "\n  coefficients: %u (%u random)\n", gf_field_name(c->field),
           c->n_layers, gf_circuit_n_gates(c), c->n_coefs, gf_circuit_n_random(c));
    fprintf(o, "  input: 2^%u wires\n  output: 2^%u wires\n  digest: ", c->layers[0].in_log, c->layers[c->n_layers - 1].out_log);
    print_hex(o, d, 32);
    fprintf(o, "\n");
    for (uint32_t l = 0; l < c->n_layers; l++) {
        if (capped(o, l, c->n_layers, "layers")) break;
        const gf_layer *L = &c->layers[l];
        fprintf(o, "    layer %u: 2^%u -> 2^%u, mul %" PRIu64 ", add %" PRIu64 ", const %" PRIu64 "\n", l, L->in_log, L->out_log,
               L->n_mul, L->n_add, L->n_const);
    }
    gf_circuit_free(c);
    return 0;
}

static int inspect_witness(FILE *o, const char *path, gf_error *err) {
    gf_witness *w = NULL;
    if (gf_witness_load(&w, path, err)) return 1;
    fprintf(o, "%s: gkrflow circuit witness (GKRFWITN version 1)\n", path);
    fprintf(o, "  field: %s\n  instances: %" PRIu64 "\n  inputs per instance: %" PRIu64 "\n", gf_field_name(w->field),
           w->n_instances, w->n_inputs);
    for (uint64_t k = 0; k < w->n_instances && k < 4; k++) {
        fprintf(o, "    instance %" PRIu64 ":", k);
        if (w->m31) {
            print_m31s(o, w->m31 + k * w->n_inputs, w->n_inputs);
        } else {
            for (uint64_t i = 0; i < w->n_inputs && i < INSPECT_VALUES; i++) print_fr(o, &w->fr[k * w->n_inputs + i]);
            if (w->n_inputs > INSPECT_VALUES) fprintf(o, " ...");
        }
        fprintf(o, "\n");
    }
    if (w->n_instances > 4) fprintf(o, "    ... and %" PRIu64 " more instances\n", w->n_instances - 4);
    gf_witness_free(w);
    return 0;
}

static int inspect_graph(FILE *o, const char *path, gf_error *err) {
    gf_graph *g = NULL;
    if (gf_graph_load(&g, path, err)) return 1;
    uint8_t d[32];
    if (gf_graph_digest(g, d, err)) { gf_graph_free(g); return 1; }
    fprintf(o, "%s: gkrflow graph (GKRFGRPH version 1)\n  field: %s\n  digest: ", path, gf_field_name(g->field));
    print_hex(o, d, 32);
    fprintf(o, "\n  kernels: %u\n", g->n_kernels);
    for (uint32_t i = 0; i < g->n_kernels; i++) {
        if (capped(o, i, g->n_kernels, "kernels")) break;
        const gf_graph_kernel *k = &g->kernels[i];
        const gf_circuit *c = k->circuit;
        fprintf(o, "    kernel %u '%s': %u layer%s, %" PRIu64 " gates, %u random coefficients, input 2^%u, components:", i,
               k->name, c->n_layers, plural(c->n_layers), gf_circuit_n_gates(c), gf_circuit_n_random(c), c->layers[0].in_log);
        for (uint32_t j = 0; j < k->n_components; j++)
            fprintf(o, " %u:[%" PRIu64 ",+%" PRIu64 ")", j, k->comp_offset[j], k->comp_len[j]);
        fprintf(o, "\n");
    }
    fprintf(o, "  commitments: %u\n", g->n_commitments);
    for (uint32_t i = 0; i < g->n_commitments; i++) {
        if (capped(o, i, g->n_commitments, "commitments")) break;
        fprintf(o, "    commitment %u: length %" PRIu64 "\n", i, g->commit_len[i]);
    }
    fprintf(o, "  templates: %u\n", g->n_templates);
    for (uint32_t t = 0; t < g->n_templates; t++) {
        if (capped(o, t, g->n_templates, "templates")) break;
        const gf_graph_template *T = &g->templates[t];
        const gf_graph_kernel *k = &g->kernels[T->kernel];
        fprintf(o, "    template %u: kernel %u '%s', parallel count %" PRIu64 " (%" PRIu64 " instance%s), commitments [", t,
               T->kernel, k->name, T->parallel_count, T->n_instances, plural(T->n_instances));
        for (uint32_t j = 0; j < k->n_components; j++) fprintf(o, "%s%u", j ? ", " : "", T->commit[j]);
        fprintf(o, "], broadcast [");
        for (uint32_t j = 0; j < k->n_components; j++) fprintf(o, "%s%u", j ? ", " : "", T->broadcast[j]);
        fprintf(o, "]\n");
    }
    gf_graph_free(g);
    return 0;
}

static int inspect_graph_witness(FILE *o, const char *path, gf_error *err) {
    gf_graph_witness *w = NULL;
    if (gf_graph_witness_load(&w, path, err)) return 1;
    uint64_t total = 0;
    for (uint32_t i = 0; i < w->n; i++) total += w->len[i];
    fprintf(o, "%s: gkrflow graph witness (GKRFGWIT version 1)\n  graph digest: ", path);
    print_hex(o, w->graph_digest, 32);
    fprintf(o, "\n  vectors: %u (%" PRIu64 " values)\n", w->n, total);
    for (uint32_t i = 0; i < w->n; i++) {
        if (capped(o, i, w->n, "vectors")) break;
        fprintf(o, "    vector %u: length %" PRIu64 ":", i, w->len[i]);
        print_m31s(o, w->vec[i], w->len[i]);
        fprintf(o, "\n");
    }
    gf_graph_witness_free(w);
    return 0;
}

static const char *pcs_name(uint32_t id) { return id == GF_PCS_RAW ? "raw" : id == GF_PCS_KZG ? "kzg" : "unknown"; }

static int inspect_setup(FILE *o, const char *path, const uint8_t *p, size_t len, gf_error *err) {
    gf_reader r;
    gf_reader_init(&r, p, len);
    gf_reader_take(&r, 8, "magic");
    uint32_t ver = gf_reader_u32(&r, "version"), pcs = gf_reader_u32(&r, "pcs id");
    const uint8_t *d = gf_reader_take(&r, 32, "graph digest");
    if (gf_reader_status(&r, path, err)) return 1;
    if (gf_reader_remaining(&r)) {
        gf_error_set(err, GF_ERR_FORMAT, "%s: %zu unexpected bytes after the setup (offset %zu)", path, gf_reader_remaining(&r), r.pos);
        return 1;
    }
    fprintf(o, "%s: gkrflow setup (GKRFSETP version %u), %zu bytes\n  pcs: %s (%u)%s\n  graph digest: ", path, ver, len,
           pcs_name(pcs), pcs, pcs == GF_PCS_RAW ? ", transparent: no parameters" : "");
    print_hex(o, d, 32);
    fprintf(o, "\n");
    return 0;
}

static int inspect_circuit_proof(FILE *o, const char *path, const uint8_t *p, size_t len, gf_error *err) {
    gf_reader r;
    gf_reader_init(&r, p, len);
    gf_reader_take(&r, 8, "magic");
    uint32_t ver = gf_reader_u32(&r, "version"), field = gf_reader_u32(&r, "field"), flags = gf_reader_u32(&r, "flags");
    uint64_t n = gf_reader_u64(&r, "instance count"), K = gf_reader_u64(&r, "block count");
    const uint8_t *dg = gf_reader_take(&r, 32, "circuit digest");
    uint32_t pcs = gf_reader_u32(&r, "pcs id");
    const uint8_t *com = gf_reader_take(&r, 32, "commitment");
    if (gf_reader_status(&r, path, err)) return 1;
    unsigned eb = gf_field_elem_bytes((int)field);
    if (!eb) { gf_error_set(err, GF_ERR_FORMAT, "%s: offset 12: unknown field id %u", path, field); return 1; }
    uint64_t n_out = 0;
    if (flags & GF_PROOF_FLAG_PUBLIC_OUTPUTS) {
        size_t at = r.pos;
        n_out = gf_reader_u64(&r, "output count");
        if (!r.failed && n_out > gf_reader_remaining(&r) / eb) {
            gf_error_set(err, GF_ERR_FORMAT, "%s: offset %zu: %" PRIu64 " public outputs do not fit in the remaining %zu bytes",
                         path, at, n_out, gf_reader_remaining(&r));
            return 1;
        }
        gf_reader_take(&r, (size_t)n_out * eb, "public outputs");
    }
    uint64_t gl = gf_reader_u64(&r, "gkr length");
    gf_reader_take(&r, (size_t)gl, "gkr messages");
    uint64_t ol = gf_reader_u64(&r, "opening length");
    gf_reader_take(&r, (size_t)ol, "opening");
    if (gf_reader_status(&r, path, err)) return 1;
    if (gf_reader_remaining(&r)) {
        gf_error_set(err, GF_ERR_FORMAT, "%s: %zu unexpected bytes after the proof (offset %zu)", path, gf_reader_remaining(&r), r.pos);
        return 1;
    }
    fprintf(o, "%s: gkrflow circuit proof (GKRFPROF version %u), %zu bytes\n", path, ver, len);
    fprintf(o, "  field: %s\n  flags: 0x%x (%s)\n  instances: %" PRIu64 "\n  blocks: %" PRIu64 "\n  circuit digest: ",
           gf_field_name((int)field), flags,
           flags & GF_PROOF_FLAG_PUBLIC_OUTPUTS ? "public outputs" : "all outputs 0", n, K);
    print_hex(o, dg, 32);
    fprintf(o, "\n  pcs: %s (%u)\n  input commitment: ", pcs_name(pcs), pcs);
    print_hex(o, com, 32);
    fprintf(o, "\n");
    if (flags & GF_PROOF_FLAG_PUBLIC_OUTPUTS) fprintf(o, "  public outputs: %" PRIu64 " (%" PRIu64 " bytes)\n", n_out, n_out * eb);
    fprintf(o, "  GKR messages: %" PRIu64 " bytes\n  opening: %" PRIu64 " bytes\n", gl, ol);
    return 0;
}

/* The bytes after the template sections: one raw opening per commitment, ending exactly at
 * the end of the proof. Returns the opening count read, or -1 if the bytes do not parse. */
static int64_t parse_openings(gf_reader r, uint32_t nc, uint64_t *lens) {
    for (uint32_t i = 0; i < nc; i++) {
        uint64_t l = gf_reader_u64(&r, "opening length");
        if (r.failed || l > gf_reader_remaining(&r) / 4) return -1;
        gf_reader_take(&r, (size_t)l * 4, "opening");
        if (lens) lens[i] = l;
    }
    return gf_reader_remaining(&r) ? -1 : (int64_t)nc;
}

static int inspect_graph_proof(FILE *o, const char *path, const uint8_t *p, size_t len, const char *gp, gf_error *err) {
    gf_graph *g = NULL;
    uint8_t gd[32];
    if (gp && (gf_graph_load(&g, gp, err) || gf_graph_digest(g, gd, err))) { gf_graph_free(g); return 1; }
    gf_reader r;
    gf_reader_init(&r, p, len);
    gf_reader_take(&r, 8, "magic");
    uint32_t ver = gf_reader_u32(&r, "version"), field = gf_reader_u32(&r, "field");
    const uint8_t *dg = gf_reader_take(&r, 32, "graph digest");
    uint32_t pcs = gf_reader_u32(&r, "pcs id"), nc = gf_reader_u32(&r, "commitment count");
    size_t com_at = r.pos;
    const uint8_t *com = gf_reader_take(&r, (size_t)nc * 32, "commitments");
    uint32_t nt = gf_reader_u32(&r, "template count");
    int ret = 1;
    uint64_t *lens = NULL;
    if (gf_reader_status(&r, path, err)) goto out;
    if (g && memcmp(gd, dg, 32)) {
        gf_error_set(err, GF_ERR_INVALID, "%s: the proof is for another graph than %s (digest mismatch)", path, gp);
        goto out;
    }
    if (g && (nc != g->n_commitments || nt != g->n_templates)) {
        gf_error_set(err, GF_ERR_FORMAT, "%s: %u commitments and %u templates, graph %s has %u and %u", path, nc, nt, gp,
                     g->n_commitments, g->n_templates);
        goto out;
    }
    fprintf(o, "%s: gkrflow graph proof (GKRFGPRF version %u), %zu bytes\n  field: %s\n  graph digest: ", path, ver, len,
           gf_field_name((int)field));
    print_hex(o, dg, 32);
    fprintf(o, "\n  pcs: %s (%u)\n  commitments: %u (offset %zu)\n", pcs_name(pcs), pcs, nc, com_at);
    for (uint32_t i = 0; i < nc; i++) {
        if (capped(o, i, nc, "commitments")) break;
        fprintf(o, "    commitment %u: ", i);
        print_hex(o, com + 32 * (size_t)i, 32);
        fprintf(o, "\n");
    }
    fprintf(o, "  templates: %u%s\n", nt, g ? "" : " (component counts inferred; pass --graph to take them from the graph)");
    for (uint32_t t = 0; t < nt; t++) {
        size_t at = r.pos;
        uint32_t ti = gf_reader_u32(&r, "template index");
        uint64_t gl = gf_reader_u64(&r, "gkr length");
        gf_reader_take(&r, (size_t)gl, "gkr messages");
        uint32_t ncl = gf_reader_u32(&r, "claim count");
        if (gf_reader_status(&r, path, err)) goto out;
        if (ncl < 1 || ncl > 2) {
            gf_error_set(err, GF_ERR_FORMAT, "%s: offset %zu: template %u: claim count %u is not 1 or 2", path, r.pos - 4, t, ncl);
            goto out;
        }
        uint64_t ncomp = 0, per = 12ull * ncl;
        if (g) {
            ncomp = g->kernels[g->templates[t].kernel].n_components;
        } else {
            /* the claims end where the next template (index t + 1) or the openings begin */
            for (uint64_t c = 1; c <= gf_reader_remaining(&r) / per && !ncomp; c++) {
                gf_reader q = r;
                gf_reader_take(&q, (size_t)(c * per), "claims");
                if (t + 1 < nt ? gf_reader_u32(&q, "next") == t + 1 && !q.failed : parse_openings(q, nc, NULL) >= 0) ncomp = c;
            }
            if (!ncomp) {
                gf_error_set(err, GF_ERR_FORMAT, "%s: offset %zu: template %u: cannot delimit its claims (truncated or corrupt; "
                             "--graph gives the component counts)", path, r.pos, t);
                goto out;
            }
        }
        gf_reader_take(&r, (size_t)(ncomp * per), "component claims");
        if (gf_reader_status(&r, path, err)) goto out;
        if (!capped(o, t, nt, "templates")) {
            fprintf(o, "    template %u (offset %zu", ti, at);
            if (g) fprintf(o, ", kernel '%s'", g->kernels[g->templates[t].kernel].name);
            fprintf(o, "): GKR %" PRIu64 " bytes, %u claim%s x %" PRIu64 " component%s (%" PRIu64 " bytes)%s\n", gl, ncl,
                   plural(ncl), ncomp, plural(ncomp), ncomp * per, ti != t ? " [index out of order]" : "");
        }
    }
    lens = calloc((size_t)nc + 1, sizeof *lens);
    if (!lens) { gf_error_set(err, GF_ERR_NOMEM, "out of memory"); goto out; }
    size_t open_at = r.pos;
    if (parse_openings(r, nc, lens) < 0) {
        gf_error_set(err, GF_ERR_FORMAT, "%s: offset %zu: the PCS section is not %u raw openings ending at the end of the file "
                     "(truncated or corrupt)", path, open_at, nc);
        goto out;
    }
    fprintf(o, "  openings: %u raw vectors, %zu bytes (offset %zu), lengths:", nc, len - open_at, open_at);
    for (uint32_t i = 0; i < nc && i < INSPECT_MAX_ROWS; i++) fprintf(o, " %" PRIu64, lens[i]);
    fprintf(o, "%s\n", nc > INSPECT_MAX_ROWS ? " ..." : "");
    ret = 0;
out:
    free(lens);
    gf_graph_free(g);
    return ret;
}

int cmd_inspect(int argc, char **argv) {
    const char *cmd = "inspect";
    if (cli_has_help(argc, argv)) {
        printf("usage: gkrflow inspect FILE [--graph G]\n\n"
               "Recognises a gkrflow file by its magic and prints its contents in human terms:\n"
               "  GKRFCIRC circuit        field, layers, gates, input/output sizes, digest\n"
               "  GKRFWITN circuit witness field, instances, inputs, first values\n"
               "  GKRFGRPH graph          kernels (layers, gates, input layout), commitments and\n"
               "                           their lengths, templates (kernel, parallel count,\n"
               "                           commitment indices, broadcast flags), digest\n"
               "  GKRFGWIT graph witness  graph digest, vectors, lengths, first values\n"
               "  GKRFSETP setup          PCS, graph digest\n"
               "  GKRFPROF circuit proof  header fields, section sizes\n"
               "  GKRFGPRF graph proof    header fields, commitments, per-template sizes and claim\n"
               "                           counts, openings\n"
               "The whole file is checked as the readers do; a truncated or corrupt file is an error.\n"
               "  --graph G   for a graph proof: take each template's component count from G (and\n"
               "              check the proof is for G) instead of inferring it\n");
        return 0;
    }
    const char *path = NULL, *gp = NULL;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--graph")) {
            if (i + 1 >= argc) return cli_usage_error(cmd, "--graph needs a value");
            gp = argv[++i];
        } else if (argv[i][0] == '-' && argv[i][1]) {
            return cli_usage_error(cmd, "unknown argument '%s'", argv[i]);
        } else if (path) {
            return cli_usage_error(cmd, "only one FILE, got '%s' and '%s'", path, argv[i]);
        } else {
            path = argv[i];
        }
    }
    if (!path) return cli_usage_error(cmd, "FILE is required");
    gf_error err;
    gf_error_clear(&err);
    uint8_t m[8];
    size_t got = 0;
    FILE *f;
    if (gf_binio_open(&f, path, cmd, &err)) return cli_fail(cmd, &err);
    got = fread(m, 1, 8, f);
    fclose(f);
    if (got < 8) {
        if (got == 0) {
            fprintf(stderr, "gkrflow %s: %s: truncated: empty file (0 bytes), no gkrflow magic\n", cmd, path);
            return 1;
        }
        fprintf(stderr, "gkrflow %s: %s: truncated: %zu bytes, too short for an 8-byte gkrflow magic (found", cmd, path, got);
        for (size_t i = 0; i < got; i++) fprintf(stderr, " %02x", m[i]);
        fprintf(stderr, ")\n");
        return 1;
    }
    static const char *const kinds[] = {"GKRFCIRC", "GKRFWITN", "GKRFGRPH", "GKRFGWIT", "GKRFSETP", "GKRFPROF", "GKRFGPRF"};
    int kind = -1;
    for (int i = 0; i < 7; i++)
        if (!memcmp(m, kinds[i], 8)) kind = i;
    if (kind < 0) {
        fprintf(stderr, "gkrflow %s: %s: unknown magic \"", cmd, path);
        for (int i = 0; i < 8; i++) fputc(m[i] >= 0x20 && m[i] < 0x7f ? m[i] : '.', stderr);
        fprintf(stderr, "\" (bytes");
        for (int i = 0; i < 8; i++) fprintf(stderr, " %02x", m[i]);
        fprintf(stderr, "): not a gkrflow circuit, witness, graph, graph witness, setup or proof file\n");
        return 1;
    }
    if (gp && kind != 6) return cli_usage_error(cmd, "--graph applies to graph proofs only; %s is a %s file", path, kinds[kind]);
    /* files with a library reader are loaded by it; setups and proofs are parsed here */
    uint8_t *data = NULL;
    size_t len = 0;
    if (kind >= 4 && cli_read_file(path, &data, &len, &err)) return cli_fail(cmd, &err);
    /* printed into memory first, so a file found corrupt half way prints only the error */
    char *text = NULL;
    size_t text_len = 0;
    FILE *o = open_memstream(&text, &text_len);
    if (!o) { free(data); gf_error_set(&err, GF_ERR_NOMEM, "out of memory"); return cli_fail(cmd, &err); }
    int rc = 1;
    switch (kind) {
    case 0: rc = inspect_circuit(o, path, &err); break;
    case 1: rc = inspect_witness(o, path, &err); break;
    case 2: rc = inspect_graph(o, path, &err); break;
    case 3: rc = inspect_graph_witness(o, path, &err); break;
    case 4: rc = inspect_setup(o, path, data, len, &err); break;
    case 5: rc = inspect_circuit_proof(o, path, data, len, &err); break;
    default: rc = inspect_graph_proof(o, path, data, len, gp, &err); break;
    }
    if (fclose(o) != 0 && !rc) {
        gf_error_set(&err, GF_ERR_NOMEM, "out of memory");
        rc = 1;
    }
    if (!rc) fwrite(text, 1, text_len, stdout);
    free(text);
    free(data);
    if (rc) cli_fail(cmd, &err);
    return rc;
}
