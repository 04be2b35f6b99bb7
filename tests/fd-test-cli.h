/* fd-test-cli.h — runs the real fleetdesk-cli ($FD_CLI_BIN) for the CLI tests (test-cli*.c) and
 * asserts what a person at a terminal sees: stdout, stderr and the exit status (0 done, 1 the
 * API or the connection failed, 2 a usage error).
 */
#pragma once

#include "fd-test-server.h"

G_BEGIN_DECLS

typedef struct
{
  int status;
  char *out;
  char *err;
} FdTestCliResult;

void fd_test_cli_result_free (FdTestCliResult *result);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (FdTestCliResult, fd_test_cli_result_free)

/* Call once from main() after g_test_init(): makes an empty XDG_DATA_HOME (one without a
 * fleetdesk directory) and starts the server that fd_test_cli_run() talks to. */
FdTestServer *fd_test_cli_start (void);
/* Stops that server and removes the directory. */
void fd_test_cli_stop (void);

/* The test's environment without anything that would steer the CLI: no FLEETDESK_* variables,
 * no proxy, no data directory, untranslated messages. */
char **fd_test_cli_clean_env (void);

/* Runs the CLI with @env and @args (a GPtrArray of strings, without the program name). */
FdTestCliResult *fd_test_cli_run_argv (char **env, GPtrArray *args);
/* Runs the CLI with @env and the NULL-terminated arguments. */
FdTestCliResult *fd_test_cli_run_env (char **env, const char *first, ...) G_GNUC_NULL_TERMINATED;
/* Runs the CLI against the test server: --server and --token first, then the arguments. */
FdTestCliResult *fd_test_cli_run (const char *first, ...) G_GNUC_NULL_TERMINATED;

/* Exit 0, or the test fails showing stderr. */
void fd_test_cli_assert_ok (FdTestCliResult *result);
/* Exit 2 (a usage error), nothing on stdout, @needle on stderr. */
void fd_test_cli_assert_usage (FdTestCliResult *result, const char *needle);
/* Exit 1, nothing on stdout, "fleetdesk-cli: …@needle…" on stderr. */
void fd_test_cli_assert_fails (FdTestCliResult *result, const char *needle);
/* `@noun delete @id` says "Deleted @what @id", and `@noun get @id` fails then, @gone_needle on
 * stderr. */
void fd_test_cli_assert_deletes (const char *noun, const char *what, const char *id,
                                 const char *gone_needle);
/* --json output: exit 0, parses, and (unless @expected is NULL) is the same JSON as @expected.
 * Returns the parsed output. */
JsonNode *fd_test_cli_assert_json (FdTestCliResult *result, JsonNode *expected);

/* The value of the "key: value" line for @key in human output, or NULL. */
char *fd_test_cli_kv_value (const char *out, const char *key);
/* @out has a line "@key: @value". */
void fd_test_cli_assert_kv (const char *out, const char *key, const char *value);
/* Every "key: value" line has its value in the same column. */
void fd_test_cli_assert_kv_aligned (const char *out);
/* In a table, some row has @cell in the column that @header heads in the first line. */
void fd_test_cli_assert_in_column (const char *out, const char *header, const char *cell);
/* The last line of a list: "N of TOTAL things", starting with @expected. */
void fd_test_cli_assert_count_line (const char *out, const char *expected);

/* "@base-N", with N counting up for the whole test program. */
char *fd_test_cli_unique_name (const char *base);

G_END_DECLS
