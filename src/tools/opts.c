#include <stdlib.h>
#include <string.h>
#include "tools/cli.h"
#include "tools/opts.h"

int cli_parse(const char *cmd, int argc, char **argv, const cli_opt *opts, int n_opts) {
    for (int i = 1; i < argc; i++) {
        int found = 0;
        for (int k = 0; k < n_opts; k++) {
            if (strcmp(argv[i], opts[k].name)) continue;
            found = 1;
            if (opts[k].flag) { *opts[k].flag = 1; break; }
            if (i + 1 >= argc) return cli_usage_error(cmd, "%s needs a value", argv[i]);
            *opts[k].value = argv[++i];
            break;
        }
        if (!found) return cli_usage_error(cmd, "unknown argument '%s'", argv[i]);
    }
    return 0;
}

long long cli_int(const char *cmd, const char *opt, const char *val, long long lo, long long hi) {
    char *end = NULL;
    long long v = strtoll(val, &end, 10);
    if (!*val || *end || v < lo || v > hi) {
        cli_usage_error(cmd, "%s: '%s' is not an integer in %lld..%lld", opt, val, lo, hi);
        return -1;
    }
    return v;
}
