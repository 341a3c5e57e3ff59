/* Launcher policy (src/mpi/launch.h), no MPI: parsing of ZKML_NUM_CPUS and
 * ZKML_FORCE_OVERSUBSCRIBE (every accepted and rejected form, messages naming the variable
 * and value), power-of-two edges against a naive loop, the rank-count table and a brute-force
 * comparison with a naive restatement of the policy, core counting from fake /sys and
 * /proc/cpuinfo trees (SMT, packages, dies, affinity, gaps, fallbacks), and command
 * construction: exact argv, root environment, and shell quoting checked by /bin/sh itself. */
#include <stdint.h>
#include <unistd.h>
#include "testutil.h"
#include "mpi/launch.h"

/* ---------------------------------------------------------------- environment parsing */

static int parse_ok(const char *cpus, const char *force, uint64_t want_cpus, int want_force) {
    gf_launch_env e = {99, 99};
    gf_error err = {0};
    gf_status s = gf_launch_env_parse(&e, cpus, force, &err);
    if (s != GF_OK) { fprintf(stderr, "  unexpected error: %s\n", err.msg); return 0; }
    return e.num_cpus == want_cpus && e.force_oversubscribe == want_force;
}

/* Rejected, with a message naming `var` and (if non-empty) the value. */
static int parse_bad(const char *cpus, const char *force, const char *var, const char *value) {
    gf_launch_env e = {7, 1};
    gf_error err = {0};
    gf_status s = gf_launch_env_parse(&e, cpus, force, &err);
    int ok = s == GF_ERR_INVALID && err.code == GF_ERR_INVALID && strstr(err.msg, var) != NULL &&
             (!*value || strstr(err.msg, value) != NULL) && e.num_cpus == 7 && e.force_oversubscribe == 1;
    if (!ok) fprintf(stderr, "  for %s='%s': status %d, message '%s'\n", var, value, (int)s, err.msg);
    return ok;
}

static void test_env_num_cpus(gf_rng *rng) {
    (void)rng;
    CHECK(parse_ok(NULL, NULL, 0, 0));
    CHECK(parse_ok("1", NULL, 1, 0));
    CHECK(parse_ok("32", NULL, 32, 0));
    CHECK(parse_ok("007", NULL, 7, 0));
    CHECK(parse_ok("2147483647", NULL, 2147483647u, 0));
    const char *bad[] = {"0", "-1", "abc", "", " 4", "4 ", "+4", "4x", "0x10", "1e3", "3.0", "00",
                         "2147483648", "4294967296", "99999999999999999999999999", "18446744073709551617"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
        CHECK_MSG(parse_bad(bad[i], NULL, "ZKML_NUM_CPUS", bad[i]), "value '%s'", bad[i]);
    /* the empty value is named as empty */
    gf_launch_env e;
    gf_error err = {0};
    CHECK(gf_launch_env_parse(&e, "", NULL, &err) == GF_ERR_INVALID && strstr(err.msg, "empty"));
    /* a long value is cut in the message, which stays well-formed */
    char longv[300];
    memset(longv, '9', sizeof longv - 1);
    longv[sizeof longv - 1] = 0;
    CHECK(gf_launch_env_parse(&e, longv, NULL, &err) == GF_ERR_INVALID);
    CHECK(strstr(err.msg, "ZKML_NUM_CPUS") && strstr(err.msg, "...") && strlen(err.msg) < 200);
    /* NULL err is allowed */
    CHECK(gf_launch_env_parse(&e, "x", NULL, NULL) == GF_ERR_INVALID);
}

static void test_env_force(gf_rng *rng) {
    (void)rng;
    const char *yes[] = {"1", "true", "TRUE", "True", "yes", "YES", "yEs"};
    const char *no[] = {"", "0", "false", "FALSE", "no", "No"};
    for (size_t i = 0; i < sizeof yes / sizeof *yes; i++) CHECK_MSG(parse_ok(NULL, yes[i], 0, 1), "'%s'", yes[i]);
    for (size_t i = 0; i < sizeof no / sizeof *no; i++) CHECK_MSG(parse_ok(NULL, no[i], 0, 0), "'%s'", no[i]);
    const char *bad[] = {"2", "on", "off", "y", "n", "maybe", " 1", "1 ", "truee", "-1", "01"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
        CHECK_MSG(parse_bad(NULL, bad[i], "ZKML_FORCE_OVERSUBSCRIBE", bad[i]), "value '%s'", bad[i]);
    CHECK(parse_ok("4", "yes", 4, 1));
    CHECK(parse_bad("0", "1", "ZKML_NUM_CPUS", "0"));
    CHECK(parse_bad("4", "bogus", "ZKML_FORCE_OVERSUBSCRIBE", "bogus"));
}

/* getenv-like lookup in a NAME=VALUE table, counting the names asked for */
typedef struct fake_env { const char *const *vars; int asked_cpus, asked_force, asked_other; } fake_env;

static const char *fake_getenv(void *ctx, const char *name) {
    fake_env *f = ctx;
    if (!strcmp(name, "ZKML_NUM_CPUS")) f->asked_cpus++;
    else if (!strcmp(name, "ZKML_FORCE_OVERSUBSCRIBE")) f->asked_force++;
    else f->asked_other++;
    size_t n = strlen(name);
    for (const char *const *v = f->vars; *v; v++)
        if (!strncmp(*v, name, n) && (*v)[n] == '=') return *v + n + 1;
    return NULL;
}

static void test_env_read(gf_rng *rng) {
    (void)rng;
    const char *vars1[] = {"PATH=/bin", "ZKML_NUM_CPUS=32", "ZKML_FORCE_OVERSUBSCRIBE=1", NULL};
    fake_env f = {vars1, 0, 0, 0};
    gf_launch_env e;
    gf_error err = {0};
    CHECK(gf_launch_env_read(&e, fake_getenv, &f, &err) == GF_OK);
    CHECK(e.num_cpus == 32 && e.force_oversubscribe == 1);
    CHECK(f.asked_cpus == 1 && f.asked_force == 1 && f.asked_other == 0);
    const char *vars2[] = {"ZKML_NUM_CPUSX=3", "XZKML_NUM_CPUS=5", NULL};
    fake_env g = {vars2, 0, 0, 0};
    CHECK(gf_launch_env_read(&e, fake_getenv, &g, &err) == GF_OK && e.num_cpus == 0 && !e.force_oversubscribe);
    const char *vars3[] = {"ZKML_NUM_CPUS=-1", NULL};
    fake_env h = {vars3, 0, 0, 0};
    CHECK(gf_launch_env_read(&e, fake_getenv, &h, &err) == GF_ERR_INVALID && strstr(err.msg, "ZKML_NUM_CPUS='-1'"));
    CHECK(gf_launch_env_read(&e, NULL, NULL, &err) == GF_ERR_INVALID);
}

/* ---------------------------------------------------------------- powers of two */

static uint64_t naive_next(uint64_t x) {
    uint64_t p = 1;
    while (p < x && p < (1ull << 63)) p <<= 1;
    return p;
}
static uint64_t naive_prev(uint64_t x) {
    if (!x) return 0;
    uint64_t p = 1;
    while (p <= x / 2) p <<= 1;
    return p;
}

static void test_pow2(gf_rng *rng) {
    const uint64_t T = 1ull << 63, M = UINT64_MAX;
    CHECK_EQ_U64(gf_launch_next_pow2(0), 1);
    CHECK_EQ_U64(gf_launch_next_pow2(1), 1);
    CHECK_EQ_U64(gf_launch_next_pow2(2), 2);
    CHECK_EQ_U64(gf_launch_next_pow2(3), 4);
    CHECK_EQ_U64(gf_launch_next_pow2(1025), 2048);
    CHECK_EQ_U64(gf_launch_next_pow2((1ull << 62) + 1), T);
    CHECK_EQ_U64(gf_launch_next_pow2(T - 1), T);
    CHECK_EQ_U64(gf_launch_next_pow2(T), T);
    CHECK_EQ_U64(gf_launch_next_pow2(T + 1), T);   /* saturates */
    CHECK_EQ_U64(gf_launch_next_pow2(M), T);
    CHECK_EQ_U64(gf_launch_prev_pow2(0), 0);
    CHECK_EQ_U64(gf_launch_prev_pow2(1), 1);
    CHECK_EQ_U64(gf_launch_prev_pow2(2), 2);
    CHECK_EQ_U64(gf_launch_prev_pow2(3), 2);
    CHECK_EQ_U64(gf_launch_prev_pow2(1023), 512);
    CHECK_EQ_U64(gf_launch_prev_pow2(T - 1), T / 2);
    CHECK_EQ_U64(gf_launch_prev_pow2(T), T);
    CHECK_EQ_U64(gf_launch_prev_pow2(M), T);
    for (uint64_t x = 0; x < 5000; x++) {
        CHECK_EQ_U64(gf_launch_next_pow2(x), naive_next(x));
        CHECK_EQ_U64(gf_launch_prev_pow2(x), naive_prev(x));
    }
    for (int i = 0; i < 2000; i++) {
        uint64_t x = gf_rng_u64(rng) >> (gf_rng_u32(rng) % 64);
        CHECK_EQ_U64(gf_launch_next_pow2(x), naive_next(x));
        CHECK_EQ_U64(gf_launch_prev_pow2(x), naive_prev(x));
    }
}

/* ---------------------------------------------------------------- rank-count policy */

typedef struct plan_case {
    uint64_t env_cpus; int force; unsigned cores; uint64_t max_par; uint64_t np;
    uint64_t ranks; int over; uint64_t cpus;
} plan_case;

static void test_plan_table(gf_rng *rng) {
    (void)rng;
    const plan_case cases[] = {
        /* env  force cores maxpar np   ->  R   over cpus */
        {0, 0, 2, 1, 0, 1, 0, 2},
        {0, 0, 2, 0, 0, 1, 0, 2},            /* no templates: one rank */
        {0, 0, 2, 2, 0, 2, 0, 2},
        {0, 0, 2, 3, 0, 2, 0, 2},
        {0, 0, 2, 1000, 0, 2, 0, 2},
        {0, 0, 6, 1000, 0, 4, 0, 6},         /* cores rounded down */
        {0, 0, 6, 3, 0, 4, 0, 6},            /* parallel count rounded up */
        {0, 0, 64, 5, 0, 8, 0, 64},
        {0, 0, 0, 8, 0, 1, 0, 1},            /* unknown cores count as 1 */
        {32, 0, 2, 64, 0, 32, 1, 32},        /* ZKML_NUM_CPUS=32 on 2 cores: 32 ranks, oversubscribed */
        {32, 1, 2, 64, 0, 32, 1, 32},        /* ... and forced: same command */
        {32, 0, 2, 8, 0, 8, 1, 32},
        {32, 0, 2, 1, 0, 1, 0, 32},
        {32, 0, 64, 64, 0, 32, 0, 32},       /* within the cores: no flag */
        {32, 1, 64, 64, 0, 32, 1, 32},       /* forced */
        {1, 0, 64, 64, 0, 1, 0, 1},
        {3, 0, 64, 64, 0, 2, 0, 3},
        {0, 1, 2, 1, 0, 1, 1, 2},            /* forced even for one rank */
        {0, 0, 2, 1, 2, 2, 0, 2},            /* --np */
        {0, 0, 2, 1, 4, 4, 1, 2},            /* --np above the cores */
        {0, 0, 2, 1000, 1, 1, 0, 2},
        {4, 0, 2, 1, 8, 8, 1, 4},            /* --np ignores ZKML_NUM_CPUS for R */
        {0, 0, 2, 1, 1u << 30, 1u << 30, 1, 2},
        {2147483647u, 0, 2, UINT64_MAX, 0, 1u << 30, 1, 2147483647u},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        const plan_case *c = &cases[i];
        gf_launch_env env = {c->env_cpus, c->force};
        gf_launch_plan p;
        gf_error err = {0};
        gf_status s = gf_launch_plan_make(&p, &env, c->cores, c->max_par, c->np, &err);
        CHECK_MSG(s == GF_OK, "case %zu: %s", i, err.msg);
        if (s) continue;
        CHECK_MSG(p.ranks == c->ranks && p.oversubscribe == c->over && p.cpus == c->cpus,
                  "case %zu: R=%llu over=%d cpus=%llu", i, (unsigned long long)p.ranks, p.oversubscribe,
                  (unsigned long long)p.cpus);
        CHECK(p.ranks_from_user == (c->np != 0));
        CHECK(p.cpus_from_env == (c->env_cpus != 0));
        CHECK(p.oversubscribe_forced == c->force);
        CHECK(p.physical_cores == (c->cores ? c->cores : 1));
    }
    /* NULL env = nothing set */
    gf_launch_plan p;
    CHECK(gf_launch_plan_make(&p, NULL, 4, 16, 0, NULL) == GF_OK && p.ranks == 4 && !p.oversubscribe);
    /* invalid --np */
    const uint64_t bad_np[] = {3, 6, 12, (1ull << 30) + 1, 1ull << 31, 1ull << 40, UINT64_MAX};
    for (size_t i = 0; i < sizeof bad_np / sizeof *bad_np; i++) {
        gf_error err = {0};
        char want[40];
        snprintf(want, sizeof want, "--np %llu", (unsigned long long)bad_np[i]);
        CHECK(gf_launch_plan_make(&p, NULL, 2, 1, bad_np[i], &err) == GF_ERR_INVALID);
        CHECK_MSG(strstr(err.msg, want) != NULL, "message '%s'", err.msg);
    }
}

/* Naive restatement of the policy over a grid, independent of the table above. */
static void test_plan_grid(gf_rng *rng) {
    (void)rng;
    for (uint64_t envc = 0; envc <= 40; envc++)
        for (unsigned cores = 1; cores <= 40; cores++)
            for (uint64_t mp = 0; mp <= 70; mp++)
                for (int force = 0; force < 2; force++) {
                    gf_launch_env env = {envc, force};
                    gf_launch_plan p;
                    if (gf_launch_plan_make(&p, &env, cores, mp, 0, NULL) != GF_OK) { CHECK(0); return; }
                    uint64_t cpus = envc ? envc : cores, want = 1, cap = 1;
                    while (want < mp) want *= 2;
                    while (cap * 2 <= cpus) cap *= 2;
                    uint64_t r = want < cap ? want : cap;
                    int over = force || r > cores;
                    if (p.ranks != r || p.oversubscribe != over) {
                        CHECK_MSG(0, "env %llu cores %u maxpar %llu force %d: R=%llu over=%d, want %llu %d",
                                  (unsigned long long)envc, cores, (unsigned long long)mp, force,
                                  (unsigned long long)p.ranks, p.oversubscribe, (unsigned long long)r, over);
                        return;
                    }
                }
}

/* ---------------------------------------------------------------- core counting */

typedef struct fake_fs {
    const char *const *files;   /* path, content, path, content, ..., NULL */
    const int *allowed;         /* NULL: all; else -1-terminated list */
    unsigned online;
} fake_fs;

static char *fake_read(void *ctx, const char *path) {
    const fake_fs *f = ctx;
    for (const char *const *p = f->files; *p; p += 2)
        if (!strcmp(*p, path)) {
            size_t n = strlen(p[1]) + 1;
            char *s = malloc(n);
            if (s) memcpy(s, p[1], n);
            return s;
        }
    return NULL;
}
static int fake_allowed(void *ctx, unsigned cpu) {
    const fake_fs *f = ctx;
    if (!f->allowed) return 1;
    for (const int *a = f->allowed; *a >= 0; a++)
        if ((unsigned)*a == cpu) return 1;
    return 0;
}
static unsigned fake_online(void *ctx) { return ((const fake_fs *)ctx)->online; }

static unsigned cores_of(const char *const *files, const int *allowed, unsigned online) {
    fake_fs f = {files, allowed, online};
    gf_cpu_source src = {fake_read, fake_allowed, fake_online, &f};
    return gf_launch_physical_cores(&src);
}

#define T(cpu, name) "/sys/devices/system/cpu/cpu" #cpu "/topology/" name
#define CPU(cpu, pkg, core) T(cpu, "physical_package_id"), pkg "\n", T(cpu, "core_id"), core "\n"
#define ONLINE(list) "/sys/devices/system/cpu/online", list "\n"

static void test_cores(gf_rng *rng) {
    (void)rng;
    /* 2 cores x 2 hyperthreads */
    const char *smt[] = {ONLINE("0-3"), CPU(0, "0", "0"), CPU(1, "0", "1"), CPU(2, "0", "0"), CPU(3, "0", "1"), NULL};
    CHECK_EQ_U64(cores_of(smt, NULL, 4), 2);
    const int aff_same_core[] = {0, 2, -1}, aff_two[] = {1, 2, -1}, aff_none[] = {-1};
    CHECK_EQ_U64(cores_of(smt, aff_same_core, 4), 1);
    CHECK_EQ_U64(cores_of(smt, aff_two, 4), 2);
    CHECK_EQ_U64(cores_of(smt, aff_none, 4), 4);   /* nothing allowed: counted nothing, fall back */
    /* two packages with the same core ids */
    const char *pkgs[] = {ONLINE("0-7"), CPU(0, "0", "0"), CPU(1, "0", "1"), CPU(2, "0", "2"), CPU(3, "0", "3"),
                          CPU(4, "1", "0"), CPU(5, "1", "1"), CPU(6, "1", "2"), CPU(7, "1", "3"), NULL};
    CHECK_EQ_U64(cores_of(pkgs, NULL, 8), 8);
    /* gaps in the online list (cpu1 offline, its files absent) */
    const char *gaps[] = {ONLINE("0,2-3"), CPU(0, "0", "0"), CPU(2, "0", "2"), CPU(3, "0", "3"), NULL};
    CHECK_EQ_U64(cores_of(gaps, NULL, 3), 3);
    /* core ids restart per die */
    const char *dies[] = {ONLINE("0-1"), CPU(0, "0", "0"), T(0, "die_id"), "0\n", CPU(1, "0", "0"), T(1, "die_id"), "1\n",
                          NULL};
    CHECK_EQ_U64(cores_of(dies, NULL, 2), 2);
    /* a missing topology file: /proc/cpuinfo instead */
    const char *cpuinfo_smt =
        "processor\t: 0\nphysical id\t: 0\ncore id\t\t: 0\nflags\t\t: fpu\n\n"
        "processor\t: 1\nphysical id\t: 0\ncore id\t\t: 1\n\n"
        "processor\t: 2\nphysical id\t: 0\ncore id\t\t: 0\n\n"
        "processor\t: 3\nphysical id\t: 0\ncore id\t\t: 1\n\n";
    const char *broken[] = {ONLINE("0-3"), CPU(0, "0", "0"), CPU(2, "0", "0"), CPU(3, "0", "1"),
                            "/proc/cpuinfo", cpuinfo_smt, NULL};
    CHECK_EQ_U64(cores_of(broken, NULL, 4), 2);
    CHECK_EQ_U64(cores_of(broken, aff_same_core, 4), 1);   /* affinity applies to cpuinfo too */
    const char *badlist[] = {ONLINE("zero"), "/proc/cpuinfo", cpuinfo_smt, NULL};
    CHECK_EQ_U64(cores_of(badlist, NULL, 4), 2);
    const char *reversed[] = {ONLINE("3-1"), "/proc/cpuinfo", cpuinfo_smt, NULL};
    CHECK_EQ_U64(cores_of(reversed, NULL, 4), 2);
    /* cpuinfo without a trailing blank line, two sockets */
    const char *two_sockets[] = {"/proc/cpuinfo",
                                 "processor : 0\nphysical id : 0\ncore id : 0\n\n"
                                 "processor : 1\nphysical id : 1\ncore id : 0",
                                 NULL};
    CHECK_EQ_U64(cores_of(two_sockets, NULL, 2), 2);
    /* ARM-style cpuinfo (no core id): online CPUs */
    const char *arm[] = {"/proc/cpuinfo", "processor\t: 0\nBogoMIPS\t: 50\n\nprocessor\t: 1\nBogoMIPS\t: 50\n\n", NULL};
    CHECK_EQ_U64(cores_of(arm, NULL, 6), 6);
    /* nothing at all */
    const char *none[] = {NULL};
    CHECK_EQ_U64(cores_of(none, NULL, 0), 1);
    CHECK_EQ_U64(gf_launch_physical_cores(NULL), 1);
    gf_cpu_source empty = {NULL, NULL, NULL, NULL};
    CHECK_EQ_U64(gf_launch_physical_cores(&empty), 1);
    /* this machine: between 1 and the online CPUs */
    gf_cpu_source sys = gf_cpu_source_system();
    unsigned n = gf_launch_physical_cores(&sys);
    long online = sysconf(_SC_NPROCESSORS_ONLN);
    CHECK(n >= 1 && (online <= 0 || n <= (unsigned)online));
    fprintf(stderr, "  this machine: %u physical cores, %ld online CPUs\n", n, online);
}

/* ---------------------------------------------------------------- command construction */

static int argv_is(const gf_launch_cmd *c, const char *const *want) {
    size_t n = 0;
    while (want[n]) n++;
    if (c->argc != n || c->argv[n] != NULL) return 0;
    for (size_t i = 0; i < n; i++)
        if (strcmp(c->argv[i], want[i])) return 0;
    return 1;
}

static void test_cmd(gf_rng *rng) {
    (void)rng;
    gf_launch_plan plan;
    gf_launch_env env = {0, 0};
    REQUIRE(gf_launch_plan_make(&plan, &env, 2, 2, 0, NULL) == GF_OK);
    char *args[] = {"prove", "--graph", "my graph.gfg", "--out", "it's.proof"};
    gf_launch_cmd c;
    gf_error err = {0};
    REQUIRE(gf_launch_cmd_build(&c, "mpiexec", &plan, 0, "/opt/gkrflow/bin/gkrflow", 5, args, &err) == GF_OK);
    const char *want1[] = {"mpiexec", "-n", "2", "/opt/gkrflow/bin/gkrflow", "prove", "--graph", "my graph.gfg",
                           "--out", "it's.proof", NULL};
    CHECK(argv_is(&c, want1));
    CHECK(c.envc == 0 && c.env && c.env[0] == NULL);
    char *s = gf_launch_cmd_format(&c);
    CHECK(s && !strcmp(s, "mpiexec -n 2 /opt/gkrflow/bin/gkrflow prove --graph 'my graph.gfg' --out 'it'\\''s.proof'"));
    if (s) fprintf(stderr, "  %s\n", s);
    free(s);
    gf_launch_cmd_free(&c);
    CHECK(c.argv == NULL && c.argc == 0);
    gf_launch_cmd_free(&c);   /* twice is harmless */

    /* ZKML_NUM_CPUS=32 on 2 cores, as root */
    env.num_cpus = 32;
    REQUIRE(gf_launch_plan_make(&plan, &env, 2, 100, 0, NULL) == GF_OK);
    char *args2[] = {"selfcheck"};
    REQUIRE(gf_launch_cmd_build(&c, "/usr/bin/mpiexec", &plan, 1, "/x/gkrflow", 1, args2, &err) == GF_OK);
    const char *want2[] = {"/usr/bin/mpiexec", "-n", "32", "--oversubscribe", "/x/gkrflow", "selfcheck", NULL};
    CHECK(argv_is(&c, want2));
    CHECK(c.envc == 2 && c.env[2] == NULL && !strcmp(c.env[0], "OMPI_ALLOW_RUN_AS_ROOT=1") &&
          !strcmp(c.env[1], "OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1"));
    s = gf_launch_cmd_format(&c);
    CHECK(s && !strcmp(s, "OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 /usr/bin/mpiexec -n 32 "
                          "--oversubscribe /x/gkrflow selfcheck"));
    free(s);
    gf_launch_cmd_free(&c);

    /* no arguments after the binary */
    REQUIRE(gf_launch_cmd_build(&c, "mpiexec", &plan, 0, "g", 0, NULL, &err) == GF_OK);
    const char *want3[] = {"mpiexec", "-n", "32", "--oversubscribe", "g", NULL};
    CHECK(argv_is(&c, want3));
    gf_launch_cmd_free(&c);

    /* rejected inputs */
    gf_launch_plan badp = plan;
    badp.ranks = 3;
    CHECK(gf_launch_cmd_build(&c, "mpiexec", &badp, 0, "g", 0, NULL, &err) == GF_ERR_INVALID && c.argv == NULL);
    badp.ranks = 0;
    CHECK(gf_launch_cmd_build(&c, "mpiexec", &badp, 0, "g", 0, NULL, &err) == GF_ERR_INVALID);
    CHECK(gf_launch_cmd_build(&c, "mpiexec", &plan, 0, NULL, 0, NULL, &err) == GF_ERR_INVALID);
    CHECK(gf_launch_cmd_build(&c, "", &plan, 0, "g", 0, NULL, &err) == GF_ERR_INVALID);
    char *nullarg[] = {"a", NULL};
    CHECK(gf_launch_cmd_build(&c, "mpiexec", &plan, 0, "g", 2, nullarg, &err) == GF_ERR_INVALID);
    CHECK(gf_launch_cmd_build(&c, "mpiexec", &plan, 0, "g", 1, NULL, &err) == GF_ERR_INVALID);
}

static void test_quote(gf_rng *rng) {
    (void)rng;
    const char *pairs[][2] = {
        {"plain", "plain"},
        {"a-b_c.d/e:f,g@h%i+j=k", "a-b_c.d/e:f,g@h%i+j=k"},
        {"", "''"},
        {"a b", "'a b'"},
        {"it's", "'it'\\''s'"},
        {"'", "''\\'''"},
        {"$HOME", "'$HOME'"},
        {"*", "'*'"},
        {"~", "'~'"},
        {"a\nb", "'a\nb'"},
    };
    for (size_t i = 0; i < sizeof pairs / sizeof *pairs; i++) {
        char *q = gf_launch_shell_quote(pairs[i][0]);
        CHECK_MSG(q && !strcmp(q, pairs[i][1]), "quote(%s) = %s", pairs[i][0], q ? q : "(null)");
        free(q);
    }
}

/* The shell is the reference: `sh -c 'printf "%s\0" QUOTED...'` must print the words back. */
static void test_quote_with_shell(gf_rng *rng) {
    if (access("/bin/sh", X_OK)) SKIP("no /bin/sh");
    const char *words[] = {"x", "", "a b", "it's", "\"dq\"", "back\\slash", "$(echo no)", "`no`", "*", "?",
                           "a\tb", "new\nline", "semi;colon", "amp&", "pipe|", "<>", "#hash", "~user", "!bang",
                           "'''", "{a,b}", "[ab]", "--opt=1", "ünïcödé"};
    const size_t n = sizeof words / sizeof *words;
    char rnd[4][24];
    for (int k = 0; k < 4; k++) {   /* random printable noise too */
        for (int j = 0; j < 23; j++) rnd[k][j] = (char)(32 + gf_rng_below(rng, 95));
        rnd[k][23] = 0;
    }
    char cmdline[8192] = "printf '%s\\001'";
    for (size_t i = 0; i < n + 4; i++) {
        char *q = gf_launch_shell_quote(i < n ? words[i] : rnd[i - n]);
        REQUIRE(q);
        strcat(cmdline, " ");
        strcat(cmdline, q);
        free(q);
    }
    /* run it through sh via a quoted -c argument (quoted by the function under test) */
    char *outer = gf_launch_shell_quote(cmdline);
    REQUIRE(outer);
    char *full = malloc(strlen(outer) + 32);
    REQUIRE(full);
    sprintf(full, "/bin/sh -c %s", outer);
    free(outer);
    FILE *p = popen(full, "r");
    free(full);
    REQUIRE(p);
    char out[8192];
    size_t len = fread(out, 1, sizeof out - 1, p);
    pclose(p);
    out[len] = 0;
    size_t off = 0;
    for (size_t i = 0; i < n + 4; i++) {
        const char *w = i < n ? words[i] : rnd[i - n];
        size_t wl = strlen(w);
        CHECK_MSG(off + wl < len + 1 && !memcmp(out + off, w, wl) && out[off + wl] == '\001', "word %zu '%s'", i, w);
        char *e = memchr(out + off, '\001', len - off);
        if (!e) break;
        off = (size_t)(e - out) + 1;
    }
    CHECK(off == len);
}

int main(void) {
    TEST_BEGIN();
    RUN(test_env_num_cpus);
    RUN(test_env_force);
    RUN(test_env_read);
    RUN(test_pow2);
    RUN(test_plan_table);
    RUN(test_plan_grid);
    RUN(test_cores);
    RUN(test_cmd);
    RUN(test_quote);
    RUN(test_quote_with_shell);
    return TEST_END();
}
