#ifndef GF_TOOLS_CLI_H
#define GF_TOOLS_CLI_H
/* The gkrflow command-line tool: argument parsing and file I/O only; all work is done by the
 * library. Each command is `int cmd_x(int argc, char **argv)` with argv[0] = command name,
 * returning the process exit code (0 ok, 1 rejected/failed, 2 usage error). */
#include "common/error.h"

int cli_has_help(int argc, char **argv);   /* -h / --help anywhere */
int cli_fail(const char *cmd, const gf_error *err);   /* prints "gkrflow CMD: msg", returns 1 */
int cli_usage_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Parses a non-negative integer option value; on error prints and returns -1. */
long long cli_parse_count(const char *cmd, const char *opt, const char *val);

int cmd_bench(int argc, char **argv);
int cmd_selfcheck(int argc, char **argv);
int cmd_import_extracted(int argc, char **argv);
int cmd_prove_circuit(int argc, char **argv);
int cmd_verify_circuit(int argc, char **argv);
int cmd_setup(int argc, char **argv);
int cmd_prove(int argc, char **argv);
int cmd_verify(int argc, char **argv);
int cmd_inspect(int argc, char **argv);
int cmd_keccak_witness(int argc, char **argv);
int cmd_run(int argc, char **argv);

#endif
