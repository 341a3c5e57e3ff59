/* gkrflow run: start a gkrflow command on R MPI ranks through mpiexec (policy in src/mpi/launch.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "mpi/comm.h"
#include "mpi/launch.h"
#include "tools/cli.h"

static const char *real_getenv(void *ctx, const char *name) {
    (void)ctx;
    return getenv(name);
}

static void run_help(void) {
    printf("usage: gkrflow run [--np R] [--max-parallel N] [--mpiexec PROGRAM] [--verbose] [--dry-run]\n"
           "                   -- COMMAND [ARGS...]\n\n"
           "Runs `gkrflow COMMAND ARGS...` on R MPI ranks: execs\n"
           "  mpiexec -n R [--oversubscribe] /path/to/gkrflow COMMAND ARGS...\n\n"
           "  --np R            rank count (a power of two); default from the policy below\n"
           "  --max-parallel N  largest parallel count of any template (default 1)\n"
           "  --mpiexec PROG    the launcher to exec (default: mpiexec, found on PATH)\n"
           "  --verbose         print the policy inputs and the exact command to stderr\n"
           "  --dry-run         print the exact command to stdout and exit without running it\n\n"
           "Policy: cpus = ZKML_NUM_CPUS if set, else the physical core count;\n"
           "  R = min(next_pow2(N), prev_pow2(cpus)), at least 1;\n"
           "  --oversubscribe when R exceeds the physical cores or ZKML_FORCE_OVERSUBSCRIBE is set.\n"
           "Environment:\n"
           "  ZKML_NUM_CPUS             a positive integer (anything else is an error)\n"
           "  ZKML_FORCE_OVERSUBSCRIBE  1/true/yes or 0/false/no/empty\n"
           "When run as root, OMPI_ALLOW_RUN_AS_ROOT=1 and OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 are set\n"
           "for mpiexec. Exit status: that of mpiexec (non-zero if any rank fails); 2 for usage\n"
           "or environment errors; 1 if mpiexec cannot be started. See docs/mpi.md.\n");
}

int cmd_run(int argc, char **argv) {
    const char *cmd = "run";
    const char *np_s = NULL, *maxpar_s = NULL, *mpiexec = "mpiexec";
    int verbose = 0, dry = 0, i = 1;
    for (; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--")) break;
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) { run_help(); return 0; }
        if (!strcmp(a, "--verbose")) { verbose = 1; continue; }
        if (!strcmp(a, "--dry-run")) { dry = 1; continue; }
        const char **dst = !strcmp(a, "--np") ? &np_s : !strcmp(a, "--max-parallel") ? &maxpar_s
                         : !strcmp(a, "--mpiexec") ? &mpiexec : NULL;
        if (!dst) {
            if (a[0] == '-') return cli_usage_error(cmd, "unknown option '%s'", a);
            return cli_usage_error(cmd, "put '--' before the command to run ('gkrflow run -- %s ...')", a);
        }
        if (i + 1 >= argc) return cli_usage_error(cmd, "%s needs a value", a);
        *dst = argv[++i];
    }
    if (i >= argc || i + 1 >= argc) return cli_usage_error(cmd, "no command given after '--'");
    char **inner = argv + i + 1;
    size_t ninner = (size_t)(argc - i - 1);
    if (!strcmp(inner[0], "run")) return cli_usage_error(cmd, "'run' cannot start itself on every rank");
    if (!*mpiexec) return cli_usage_error(cmd, "--mpiexec needs a program");

    long long np = 0, maxpar = 1;
    if (np_s && (np = cli_parse_count(cmd, "--np", np_s)) < 0) return 2;
    if (np_s && np == 0) return cli_usage_error(cmd, "--np 0: at least one rank is needed");
    if (maxpar_s && (maxpar = cli_parse_count(cmd, "--max-parallel", maxpar_s)) < 0) return 2;

    gf_error err = {0};
    gf_launch_env env;
    if (gf_launch_env_read(&env, real_getenv, NULL, &err)) return cli_usage_error(cmd, "%s", err.msg);
    if (gf_comm_launched_by_mpiexec())
        return cli_usage_error(cmd, "already running under mpiexec: run the command itself on each rank");
    gf_cpu_source sys = gf_cpu_source_system();
    unsigned cores = gf_launch_physical_cores(&sys);
    gf_launch_plan plan;
    if (gf_launch_plan_make(&plan, &env, cores, (uint64_t)maxpar, (uint64_t)np, &err))
        return cli_usage_error(cmd, "%s", err.msg);

    char self[4096];
    ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
    if (n <= 0 || (size_t)n >= sizeof self - 1) {
        fprintf(stderr, "gkrflow run: cannot find the gkrflow binary (/proc/self/exe)\n");
        return 1;
    }
    self[n] = 0;
    gf_launch_cmd lc;
    if (gf_launch_cmd_build(&lc, mpiexec, &plan, geteuid() == 0, self, ninner, inner, &err)) return cli_fail(cmd, &err);
    char *shown = gf_launch_cmd_format(&lc);
    if (!shown) { gf_launch_cmd_free(&lc); fprintf(stderr, "gkrflow run: out of memory\n"); return 1; }
    if (verbose) {
        if (plan.ranks_from_user)
            fprintf(stderr, "gkrflow run: R = %llu (--np)", (unsigned long long)plan.ranks);
        else
            fprintf(stderr, "gkrflow run: R = %llu = min(next_pow2(max parallel %lld), prev_pow2(%llu cpus from %s))",
                    (unsigned long long)plan.ranks, maxpar, (unsigned long long)plan.cpus,
                    plan.cpus_from_env ? "ZKML_NUM_CPUS" : "physical cores");
        fprintf(stderr, "; %llu physical cores; %s\n", (unsigned long long)plan.physical_cores,
                plan.oversubscribe_forced ? "--oversubscribe forced by ZKML_FORCE_OVERSUBSCRIBE"
                : plan.oversubscribe      ? "--oversubscribe: more ranks than physical cores"
                                          : "no oversubscription");
        fprintf(stderr, "gkrflow run: %s\n", shown);
    }
    if (dry) {
        printf("%s\n", shown);
        free(shown);
        gf_launch_cmd_free(&lc);
        return 0;
    }
    free(shown);
    for (size_t k = 0; k < lc.envc; k++) {
        char *eq = strchr(lc.env[k], '=');
        *eq = 0;
        int bad = setenv(lc.env[k], eq + 1, 1);
        *eq = '=';
        if (bad) { gf_launch_cmd_free(&lc); fprintf(stderr, "gkrflow run: cannot set the environment\n"); return 1; }
    }
    fflush(stdout);
    fflush(stderr);
    execvp(lc.argv[0], lc.argv);
    int e = errno;
    if (e == ENOENT)
        fprintf(stderr, "gkrflow run: %s not found%s (install Open MPI: the openmpi-bin package)\n", lc.argv[0],
                strchr(lc.argv[0], '/') ? "" : " on PATH");
    else
        fprintf(stderr, "gkrflow run: cannot execute %s: %s\n", lc.argv[0], strerror(e));
    gf_launch_cmd_free(&lc);
    return 1;
}
