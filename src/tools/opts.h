#ifndef GF_TOOLS_OPTS_H
#define GF_TOOLS_OPTS_H
/* Tiny "--name value" / "--flag" option parser shared by the CLI commands. */
typedef struct cli_opt {
    const char *name;     /* "--circuit" */
    const char **value;   /* receives the value; NULL for a flag */
    int *flag;            /* set to 1 for a flag */
} cli_opt;

/* Returns 0, or prints a usage error naming cmd and returns 2. Rejects unknown options,
 * missing values and positional arguments. */
int cli_parse(const char *cmd, int argc, char **argv, const cli_opt *opts, int n_opts);
/* Parses an integer in [lo, hi] for option `opt`; prints a usage error and returns -1 if not. */
long long cli_int(const char *cmd, const char *opt, const char *val, long long lo, long long hi);
#endif
