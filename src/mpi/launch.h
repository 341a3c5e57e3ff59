#ifndef GF_MPI_LAUNCH_H
#define GF_MPI_LAUNCH_H
/* Launcher policy: how many MPI ranks to start and the exact mpiexec command. No MPI calls.
 * Every input is injectable (environment through a getenv-like callback or explicit strings,
 * CPU topology through gf_cpu_source), so the policy is testable without touching the real
 * environment or machine.
 *
 * Policy (docs/mpi.md):
 *   cpus  = ZKML_NUM_CPUS if set, else the physical core count (both >= 1)
 *   R     = min(next_pow2(max parallel count), prev_pow2(cpus)), at least 1
 *           (a user-given --np R replaces this; it must be a power of two >= 1)
 *   --oversubscribe iff R > physical cores (what Open MPI counts as slots) or
 *           ZKML_FORCE_OVERSUBSCRIBE is true.
 * Unlike the reference launcher, ZKML_NUM_CPUS only caps R: it does not raise the threshold
 * for --oversubscribe, so ZKML_NUM_CPUS=32 on a 2-core machine starts 32 ranks that mpiexec
 * accepts. Invalid variables are errors naming the variable and the value, never silently
 * ignored. */
#include <stddef.h>
#include <stdint.h>
#include "common/error.h"

#define GF_LAUNCH_ENV_NUM_CPUS "ZKML_NUM_CPUS"
#define GF_LAUNCH_ENV_FORCE_OVERSUBSCRIBE "ZKML_FORCE_OVERSUBSCRIBE"
/* Largest accepted ZKML_NUM_CPUS / --np: mpiexec's -n is an int. */
#define GF_LAUNCH_MAX_CPUS 2147483647u
#define GF_LAUNCH_MAX_RANKS (1u << 30)

/* Saturating powers of two: next_pow2(0) = 1, next_pow2(x > 2^63) = 2^63 (saturated);
 * prev_pow2(0) = 0, else the largest power of two <= x. */
uint64_t gf_launch_next_pow2(uint64_t x);
uint64_t gf_launch_prev_pow2(uint64_t x);

typedef struct gf_launch_env {
    uint64_t num_cpus;          /* ZKML_NUM_CPUS, 0 when unset */
    int force_oversubscribe;    /* ZKML_FORCE_OVERSUBSCRIBE is 1/true/yes */
} gf_launch_env;

/* Parses the two variables from their values (NULL = unset).
 * ZKML_NUM_CPUS: decimal digits only, 1..GF_LAUNCH_MAX_CPUS (set-but-empty is an error).
 * ZKML_FORCE_OVERSUBSCRIBE: 1/true/yes (any case) forces, 0/false/no/empty does not. */
gf_status gf_launch_env_parse(gf_launch_env *out, const char *num_cpus, const char *force_oversubscribe,
                              gf_error *err);
/* Same, reading the values through getenv_fn(ctx, name) (returns NULL when unset). */
typedef const char *(*gf_getenv_fn)(void *ctx, const char *name);
gf_status gf_launch_env_read(gf_launch_env *out, gf_getenv_fn getenv_fn, void *ctx, gf_error *err);

/* Where the core count comes from. The system source reads /sys and /proc and respects the
 * process's CPU affinity (as Open MPI's slot count does). Tests supply their own. */
typedef struct gf_cpu_source {
    /* Whole file contents, malloc'd and NUL-terminated (caller frees), NULL if unreadable. */
    char *(*read_file)(void *ctx, const char *path);
    /* 1 if this process may run on CPU `cpu`; NULL means every CPU is allowed. */
    int (*cpu_allowed)(void *ctx, unsigned cpu);
    /* Online logical CPUs, the last resort; NULL or 0 means 1. */
    unsigned (*online_cpus)(void *ctx);
    void *ctx;
} gf_cpu_source;
gf_cpu_source gf_cpu_source_system(void);

/* Physical cores = distinct (package, die, core) among the allowed online CPUs, from
 * /sys/devices/system/cpu/online and cpuN/topology/{physical_package_id,die_id,core_id};
 * else distinct (physical id, core id) in /proc/cpuinfo; else online CPUs. Always >= 1. */
unsigned gf_launch_physical_cores(const gf_cpu_source *src);

typedef struct gf_launch_plan {
    uint64_t ranks;             /* R, a power of two >= 1 */
    uint64_t cpus;              /* ZKML_NUM_CPUS if set, else physical cores */
    uint64_t physical_cores;
    int cpus_from_env;          /* cpus came from ZKML_NUM_CPUS */
    int ranks_from_user;        /* R came from --np */
    int oversubscribe;          /* pass --oversubscribe */
    int oversubscribe_forced;   /* ... because ZKML_FORCE_OVERSUBSCRIBE said so */
} gf_launch_plan;

/* max_parallel: the largest parallel count of any template (0 is treated as 1).
 * np: a user-given rank count, 0 for automatic; it must be a power of two <= GF_LAUNCH_MAX_RANKS. */
gf_status gf_launch_plan_make(gf_launch_plan *out, const gf_launch_env *env, unsigned physical_cores,
                              uint64_t max_parallel, uint64_t np, gf_error *err);

/* The command `mpiexec -n R [--oversubscribe] BINARY ARGS...` plus the environment to add to
 * mpiexec's own (Open MPI refuses to run as root without OMPI_ALLOW_RUN_AS_ROOT=1 and
 * OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1). Everything is malloc'd and owned by the struct. */
typedef struct gf_launch_cmd {
    char **argv;                /* argc entries + NULL; argv[0] is the mpiexec program */
    size_t argc;
    char **env;                 /* envc "NAME=VALUE" entries + NULL */
    size_t envc;
} gf_launch_cmd;

gf_status gf_launch_cmd_build(gf_launch_cmd *out, const char *mpiexec, const gf_launch_plan *plan,
                              int as_root, const char *binary, size_t nargs, char *const *args,
                              gf_error *err);
void gf_launch_cmd_free(gf_launch_cmd *cmd);
/* Printable, copy-pasteable form for a POSIX shell: the environment assignments, then argv;
 * words with characters outside [A-Za-z0-9_@%+=:,./-] (or empty) are single-quoted.
 * malloc'd (caller frees), NULL on allocation failure. */
char *gf_launch_cmd_format(const gf_launch_cmd *cmd);
/* One word quoted as above (malloc'd, NULL on allocation failure). */
char *gf_launch_shell_quote(const char *word);

#endif
