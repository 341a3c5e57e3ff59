#define _GNU_SOURCE   /* sched_getaffinity, CPU_ALLOC */
#include "mpi/launch.h"
#include "common/util.h"
#include <ctype.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

uint64_t gf_launch_next_pow2(uint64_t x) {
    if (x <= 1) return 1;
    if (x > (1ull << 63)) return 1ull << 63;
    return 1ull << (64 - __builtin_clzll(x - 1));
}

uint64_t gf_launch_prev_pow2(uint64_t x) { return x ? 1ull << (63 - __builtin_clzll(x)) : 0; }

/* ---------------------------------------------------------------- environment */

/* Values are echoed in messages: cut long or odd ones so a message stays one short line. */
static void printable(char out[64], const char *s) {
    size_t n = 0;
    for (; *s && n < 60; s++) out[n++] = isprint((unsigned char)*s) ? *s : '?';
    if (*s) { out[n++] = '.'; out[n++] = '.'; out[n++] = '.'; }
    out[n] = 0;
}

gf_status gf_launch_env_parse(gf_launch_env *out, const char *num_cpus, const char *force, gf_error *err) {
    gf_launch_env e = {0, 0};
    char shown[64];
    if (num_cpus) {
        printable(shown, num_cpus);
        uint64_t v = 0;
        const char *p = num_cpus;
        if (!*p)
            return gf_error_set(err, GF_ERR_INVALID, "%s is set but empty (unset it, or give a positive integer)",
                                GF_LAUNCH_ENV_NUM_CPUS);
        for (; *p; p++) {
            if (*p < '0' || *p > '9')
                return gf_error_set(err, GF_ERR_INVALID, "%s='%s' is not a positive integer",
                                    GF_LAUNCH_ENV_NUM_CPUS, shown);
            v = v * 10 + (uint64_t)(*p - '0');
            if (v > GF_LAUNCH_MAX_CPUS)
                return gf_error_set(err, GF_ERR_INVALID, "%s='%s' is too large (at most %u)",
                                    GF_LAUNCH_ENV_NUM_CPUS, shown, GF_LAUNCH_MAX_CPUS);
        }
        if (v == 0)
            return gf_error_set(err, GF_ERR_INVALID, "%s='%s' must be at least 1", GF_LAUNCH_ENV_NUM_CPUS, shown);
        e.num_cpus = v;
    }
    if (force) {
        static const char *const yes[] = {"1", "true", "yes"}, *const no[] = {"", "0", "false", "no"};
        int known = 0;
        for (size_t i = 0; i < sizeof yes / sizeof *yes; i++)
            if (!strcasecmp(force, yes[i])) { e.force_oversubscribe = 1; known = 1; }
        for (size_t i = 0; i < sizeof no / sizeof *no; i++)
            if (!strcasecmp(force, no[i])) known = 1;
        if (!known) {
            printable(shown, force);
            return gf_error_set(err, GF_ERR_INVALID, "%s='%s' is not a boolean (use 1/true/yes or 0/false/no)",
                                GF_LAUNCH_ENV_FORCE_OVERSUBSCRIBE, shown);
        }
    }
    *out = e;
    return GF_OK;
}

gf_status gf_launch_env_read(gf_launch_env *out, gf_getenv_fn getenv_fn, void *ctx, gf_error *err) {
    if (!getenv_fn) return gf_error_set(err, GF_ERR_INVALID, "gf_launch_env_read: no getenv function");
    return gf_launch_env_parse(out, getenv_fn(ctx, GF_LAUNCH_ENV_NUM_CPUS),
                               getenv_fn(ctx, GF_LAUNCH_ENV_FORCE_OVERSUBSCRIBE), err);
}

/* ---------------------------------------------------------------- core count */

static char *sys_read_file(void *ctx, const char *path) {
    (void)ctx;
    FILE *f = fopen(path, "r");
    if (!f) return NULL;
    size_t n = 0, cap = 4096;
    char *buf = malloc(cap);
    while (buf) {
        n += fread(buf + n, 1, cap - n - 1, f);
        if (n < cap - 1) break;
        char *nb = realloc(buf, cap * 2);
        if (!nb) { free(buf); buf = NULL; break; }
        buf = nb;
        cap *= 2;
    }
    int bad = ferror(f);
    fclose(f);
    if (!buf) return NULL;
    if (bad) { free(buf); return NULL; }
    buf[n] = 0;
    return buf;
}

static int sys_cpu_allowed(void *ctx, unsigned cpu) {
    (void)ctx;
    const int ncpu = cpu < 8192 ? 8192 : (int)cpu + 1;
    cpu_set_t *set = CPU_ALLOC(ncpu);
    if (!set) return 1;
    size_t sz = CPU_ALLOC_SIZE(ncpu);
    CPU_ZERO_S(sz, set);
    int ok = 1;
    if (sched_getaffinity(0, sz, set) == 0) ok = CPU_ISSET_S(cpu, sz, set) != 0;
    CPU_FREE(set);
    return ok;
}

static unsigned sys_online_cpus(void *ctx) {
    (void)ctx;
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n > 0 ? (unsigned)n : 1;
}

gf_cpu_source gf_cpu_source_system(void) {
    gf_cpu_source s = {sys_read_file, sys_cpu_allowed, sys_online_cpus, NULL};
    return s;
}

#define MAX_CPU_INDEX 65536u   /* ignore absurd CPU numbers in malformed files */

typedef struct core_key { long v[4]; } core_key;   /* package, die, cluster, core */

static int core_key_cmp(const void *a, const void *b) {
    const core_key *x = a, *y = b;
    for (int i = 0; i < 4; i++)
        if (x->v[i] != y->v[i]) return x->v[i] < y->v[i] ? -1 : 1;
    return 0;
}

static unsigned count_distinct(core_key *keys, size_t n) {
    if (!n) return 0;
    qsort(keys, n, sizeof *keys, core_key_cmp);
    unsigned d = 1;
    for (size_t i = 1; i < n; i++) d += core_key_cmp(&keys[i - 1], &keys[i]) != 0;
    return d;
}

/* Parses one integer file of the topology directory; 0 if absent/malformed. */
static int read_topology_value(const gf_cpu_source *src, unsigned cpu, const char *name, long *out) {
    char path[128];
    snprintf(path, sizeof path, "/sys/devices/system/cpu/cpu%u/topology/%s", cpu, name);
    char *s = src->read_file(src->ctx, path);
    if (!s) return 0;
    char *end = NULL;
    long v = strtol(s, &end, 10);
    int ok = end != s && (*end == 0 || isspace((unsigned char)*end));
    free(s);
    if (ok) *out = v;
    return ok;
}

static int allowed(const gf_cpu_source *src, unsigned cpu) {
    return !src->cpu_allowed || src->cpu_allowed(src->ctx, cpu);
}

/* Appends one key, growing the array; returns 0 on allocation failure. */
static int push_key(core_key **keys, size_t *n, size_t *cap, core_key k) {
    if (*n == *cap) {
        size_t nc = *cap ? *cap * 2 : 64;
        core_key *nk = realloc(*keys, nc * sizeof *nk);
        if (!nk) return 0;
        *keys = nk;
        *cap = nc;
    }
    (*keys)[(*n)++] = k;
    return 1;
}

/* /sys/devices/system/cpu/online is a list like "0-3,8,10-11". 0 = unusable. */
static unsigned cores_from_sysfs(const gf_cpu_source *src) {
    char *list = src->read_file(src->ctx, "/sys/devices/system/cpu/online");
    if (!list) return 0;
    core_key *keys = NULL;
    size_t n = 0, cap = 0;
    int ok = 1;
    const char *p = list;
    while (ok && *p && *p != '\n') {
        char *end = NULL;
        unsigned long lo = strtoul(p, &end, 10), hi = lo;
        if (end == p) { ok = 0; break; }
        p = end;
        if (*p == '-') {
            hi = strtoul(p + 1, &end, 10);
            if (end == p + 1) { ok = 0; break; }
            p = end;
        }
        if (lo > hi || hi >= MAX_CPU_INDEX) { ok = 0; break; }
        for (unsigned long c = lo; ok && c <= hi; c++) {
            if (!allowed(src, (unsigned)c)) continue;
            core_key k = {{0, 0, 0, 0}};
            if (!read_topology_value(src, (unsigned)c, "physical_package_id", &k.v[0]) ||
                !read_topology_value(src, (unsigned)c, "core_id", &k.v[3])) { ok = 0; break; }
            /* optional levels: where core_id restarts per die or cluster they keep cores apart */
            read_topology_value(src, (unsigned)c, "die_id", &k.v[1]);
            read_topology_value(src, (unsigned)c, "cluster_id", &k.v[2]);
            ok = push_key(&keys, &n, &cap, k);
        }
        if (*p == ',') p++;
        else if (*p && *p != '\n') ok = 0;
    }
    free(list);
    unsigned r = ok ? count_distinct(keys, n) : 0;
    free(keys);
    return r;
}

/* "key<spaces/tabs>: value" lines; blocks separated by blank lines, one per logical CPU. */
static unsigned cores_from_cpuinfo(const gf_cpu_source *src) {
    char *info = src->read_file(src->ctx, "/proc/cpuinfo");
    if (!info) return 0;
    core_key *keys = NULL;
    size_t n = 0, cap = 0;
    int ok = 1, in_block = 0, have_cpu = 0, have_pkg = 0, have_core = 0;
    long cpu = -1;
    core_key k = {{0, 0, 0, 0}};
    for (char *line = info; ok;) {
        char *nl = strchr(line, '\n');
        if (nl) *nl = 0;
        int blank = 1;
        for (const char *q = line; *q; q++) blank &= isspace((unsigned char)*q) != 0;
        if (blank) {
            if (in_block) {
                if (!have_cpu || !have_pkg || !have_core) ok = 0;
                else if (cpu < 0 || cpu >= (long)MAX_CPU_INDEX) ok = 0;
                else if (allowed(src, (unsigned)cpu)) ok = push_key(&keys, &n, &cap, k);
            }
            in_block = have_cpu = have_pkg = have_core = 0;
            k = (core_key){{0, 0, 0, 0}};
        } else {
            in_block = 1;
            char *colon = strchr(line, ':');
            if (colon) {
                char *e = colon;
                while (e > line && isspace((unsigned char)e[-1])) e--;
                size_t klen = (size_t)(e - line);
                long v = strtol(colon + 1, NULL, 10);
                if (klen == 9 && !strncmp(line, "processor", 9)) { cpu = v; have_cpu = 1; }
                else if (klen == 11 && !strncmp(line, "physical id", 11)) { k.v[0] = v; have_pkg = 1; }
                else if (klen == 7 && !strncmp(line, "core id", 7)) { k.v[3] = v; have_core = 1; }
            }
        }
        if (!nl) {
            if (in_block) {   /* last block without a trailing blank line */
                if (!have_cpu || !have_pkg || !have_core || cpu < 0 || cpu >= (long)MAX_CPU_INDEX) ok = 0;
                else if (allowed(src, (unsigned)cpu)) ok = push_key(&keys, &n, &cap, k);
            }
            break;
        }
        line = nl + 1;
    }
    free(info);
    unsigned r = ok ? count_distinct(keys, n) : 0;
    free(keys);
    return r;
}

unsigned gf_launch_physical_cores(const gf_cpu_source *src) {
    unsigned r = 0;
    if (src && src->read_file) {
        r = cores_from_sysfs(src);
        if (!r) r = cores_from_cpuinfo(src);
    }
    if (!r && src && src->online_cpus) r = src->online_cpus(src->ctx);
    return r ? r : 1;
}

/* ---------------------------------------------------------------- plan */

gf_status gf_launch_plan_make(gf_launch_plan *out, const gf_launch_env *env, unsigned physical_cores,
                              uint64_t max_parallel, uint64_t np, gf_error *err) {
    gf_launch_plan p;
    memset(&p, 0, sizeof p);
    p.physical_cores = physical_cores ? physical_cores : 1;
    p.cpus_from_env = env && env->num_cpus;
    p.cpus = p.cpus_from_env ? env->num_cpus : p.physical_cores;
    if (np) {
        if (!gf_is_pow2(np) || np > GF_LAUNCH_MAX_RANKS)
            return gf_error_set(err, GF_ERR_INVALID, "--np %llu is not a power of two in 1..%u",
                                (unsigned long long)np, GF_LAUNCH_MAX_RANKS);
        p.ranks = np;
        p.ranks_from_user = 1;
    } else {
        uint64_t want = gf_launch_next_pow2(max_parallel), have = gf_launch_prev_pow2(p.cpus);
        p.ranks = want < have ? want : have;
        if (p.ranks < 1) p.ranks = 1;
    }
    p.oversubscribe_forced = env && env->force_oversubscribe;
    p.oversubscribe = p.oversubscribe_forced || p.ranks > p.physical_cores;
    *out = p;
    return GF_OK;
}

/* ---------------------------------------------------------------- command */

static char *dup_str(const char *s) {
    size_t n = strlen(s) + 1;
    char *d = malloc(n);
    if (d) memcpy(d, s, n);
    return d;
}

static void free_strv(char **v, size_t n) {
    if (!v) return;
    for (size_t i = 0; i < n; i++) free(v[i]);
    free(v);
}

void gf_launch_cmd_free(gf_launch_cmd *cmd) {
    if (!cmd) return;
    free_strv(cmd->argv, cmd->argc);
    free_strv(cmd->env, cmd->envc);
    memset(cmd, 0, sizeof *cmd);
}

gf_status gf_launch_cmd_build(gf_launch_cmd *out, const char *mpiexec, const gf_launch_plan *plan,
                              int as_root, const char *binary, size_t nargs, char *const *args,
                              gf_error *err) {
    memset(out, 0, sizeof *out);
    if (!mpiexec || !*mpiexec || !binary || !*binary || !plan || (nargs && !args))
        return gf_error_set(err, GF_ERR_INVALID, "gf_launch_cmd_build: missing mpiexec, binary, plan or arguments");
    if (!gf_is_pow2(plan->ranks) || plan->ranks > GF_LAUNCH_MAX_RANKS)
        return gf_error_set(err, GF_ERR_INVALID, "rank count %llu is not a power of two in 1..%u",
                            (unsigned long long)plan->ranks, GF_LAUNCH_MAX_RANKS);
    for (size_t i = 0; i < nargs; i++)
        if (!args[i]) return gf_error_set(err, GF_ERR_INVALID, "gf_launch_cmd_build: argument %zu is NULL", i);
    size_t cap = 5 + nargs;
    out->argv = calloc(cap + 1, sizeof *out->argv);
    out->env = calloc(3, sizeof *out->env);
    if (!out->argv || !out->env) goto nomem;
    char nbuf[24];
    snprintf(nbuf, sizeof nbuf, "%llu", (unsigned long long)plan->ranks);
    const char *fixed[4] = {mpiexec, "-n", nbuf, "--oversubscribe"};
    for (int i = 0; i < 4; i++) {
        if (i == 3 && !plan->oversubscribe) break;
        if (!(out->argv[out->argc] = dup_str(fixed[i]))) goto nomem;
        out->argc++;
    }
    if (!(out->argv[out->argc] = dup_str(binary))) goto nomem;
    out->argc++;
    for (size_t i = 0; i < nargs; i++) {
        if (!(out->argv[out->argc] = dup_str(args[i]))) goto nomem;
        out->argc++;
    }
    if (as_root) {
        const char *e[2] = {"OMPI_ALLOW_RUN_AS_ROOT=1", "OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1"};
        for (int i = 0; i < 2; i++) {
            if (!(out->env[out->envc] = dup_str(e[i]))) goto nomem;
            out->envc++;
        }
    }
    return GF_OK;
nomem:
    gf_launch_cmd_free(out);
    return gf_error_set(err, GF_ERR_NOMEM, "out of memory building the mpiexec command");
}

static int shell_safe(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || strchr("_@%+=:,./-", c);
}

/* Writes the quoted word into out (if non-NULL) and returns its length. */
static size_t quote_into(char *out, const char *w) {
    int plain = *w != 0;
    for (const char *p = w; *p && plain; p++) plain = shell_safe(*p);
    size_t n = 0;
    if (plain) {
        n = strlen(w);
        if (out) memcpy(out, w, n);
        return n;
    }
    /* 'it'\''s': close the quote, an escaped quote, reopen */
    if (out) out[n] = '\'';
    n++;
    for (const char *p = w; *p; p++) {
        if (*p == '\'') {
            if (out) memcpy(out + n, "'\\''", 4);
            n += 4;
        } else {
            if (out) out[n] = *p;
            n++;
        }
    }
    if (out) out[n] = '\'';
    return n + 1;
}

char *gf_launch_shell_quote(const char *word) {
    size_t n = quote_into(NULL, word);
    char *s = malloc(n + 1);
    if (!s) return NULL;
    quote_into(s, word);
    s[n] = 0;
    return s;
}

char *gf_launch_cmd_format(const gf_launch_cmd *cmd) {
    size_t total = 1;
    for (int pass = 0; pass < 2; pass++) {
        char *s = pass ? malloc(total) : NULL;
        if (pass && !s) return NULL;
        size_t n = 0;
        for (size_t i = 0; i < cmd->envc + cmd->argc; i++) {
            const char *w = i < cmd->envc ? cmd->env[i] : cmd->argv[i - cmd->envc];
            if (n) {
                if (s) s[n] = ' ';
                n++;
            }
            if (i < cmd->envc) {   /* NAME=VALUE: quote only the value so it stays an assignment */
                const char *eq = strchr(w, '=');
                size_t nl = eq ? (size_t)(eq - w) + 1 : 0;
                if (s) memcpy(s + n, w, nl);
                n += nl;
                n += quote_into(s ? s + n : NULL, w + nl);
            } else {
                n += quote_into(s ? s + n : NULL, w);
            }
        }
        if (s) { s[n] = 0; return s; }
        total = n + 1;
    }
    return NULL;
}
