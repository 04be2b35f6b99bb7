/* test-cli-integrations.c — what a person sees from `fleetdesk-cli integration …` against a
 * real server: the secret printed once with a note, the settings as key: value lines, the list
 * with health, --json unchanged, and the exit status (2 for a usage error, 1 when the API
 * refuses: a URL that is not http(s), a header with a line break, an unreachable DSN). */
#include "fd-test-cli.h"

#include <string.h>

static FdTestServer *srv;
static char *wks;

static char *
create_one (const char *name)
{
  g_autoptr (FdTestCliResult) r
      = fd_test_cli_run ("--json", "integration", "create", wks, "--type", "webhook", "--name",
                         name, "--url", "http://127.0.0.1:9/in", NULL);
  g_autoptr (JsonNode) node = fd_test_cli_assert_json (r, NULL);

  return g_strdup (fd_test_str (node, "id"));
}

static void
test_create_list_get (void)
{
  g_autoptr (FdTestCliResult) created = NULL, list = NULL, get = NULL, json = NULL;
  g_autoptr (JsonNode) parsed = NULL;
  g_autofree char *id = NULL, *secret = NULL;

  created = fd_test_cli_run ("integration", "create", wks, "--type", "webhook", "--name", "my app",
                             "--url", "https://app.example/hook", "--header",
                             "Authorization: Bearer abc", "--kind", "data", "--kind", "alerts",
                             "--tag", "weather", "--batch-max", "50", "--batch-delay", "0",
                             "--max-age", "3600", NULL);
  fd_test_cli_assert_ok (created);
  fd_test_cli_assert_kv_aligned (created->out);
  fd_test_cli_assert_kv (created->out, "name", "my app");
  fd_test_cli_assert_kv (created->out, "url", "https://app.example/hook");
  fd_test_cli_assert_kv (created->out, "headers.Authorization", "Bearer abc");
  fd_test_cli_assert_kv (created->out, "batch_max", "50");
  fd_test_cli_assert_kv (created->out, "batch_delay_ms", "0");
  fd_test_cli_assert_kv (created->out, "max_age_s", "3600");
  fd_test_cli_assert_kv (created->out, "kinds", "[\"data\",\"alerts\"]");
  fd_test_cli_assert_kv (created->out, "health.state", "idle");
  id = fd_test_cli_kv_value (created->out, "id");
  secret = fd_test_cli_kv_value (created->out, "secret");
  g_assert_true (g_str_has_prefix (id, "int-"));
  g_assert_nonnull (secret);
  g_assert_cmpuint (strlen (secret), >=, 16);
  g_assert_nonnull (strstr (created->err, "not shown again"));

  list = fd_test_cli_run ("integration", "list", wks, NULL);
  fd_test_cli_assert_ok (list);
  g_assert_true (g_str_has_prefix (list->out, "ID"));
  fd_test_cli_assert_in_column (list->out, "ID", id);
  fd_test_cli_assert_in_column (list->out, "TYPE", "webhook");
  fd_test_cli_assert_in_column (list->out, "STATE", "idle");
  fd_test_cli_assert_count_line (list->out, "1 of 1 integration");
  g_assert_null (strstr (list->out, secret));

  get = fd_test_cli_run ("integration", "get", id, NULL);
  fd_test_cli_assert_ok (get);
  fd_test_cli_assert_kv (get->out, "has_secret", "yes");
  g_assert_null (fd_test_cli_kv_value (get->out, "secret"));
  g_assert_null (strstr (get->out, secret));
  g_assert_cmpstr (get->err, ==, "");

  json = fd_test_cli_run ("--json", "integration", "get", id, NULL);
  parsed = fd_test_cli_assert_json (json, NULL);
  g_assert_cmpstr (fd_test_str (parsed, "id"), ==, id);
  g_assert_false (json_object_has_member (json_node_get_object (parsed), "secret"));
}

static void
test_update_pause_replay_delete (void)
{
  g_autofree char *id = create_one ("lifecycle");
  g_autoptr (FdTestCliResult) updated = NULL, paused = NULL, resumed = NULL, replayed = NULL;
  g_autoptr (FdTestCliResult) log = NULL, failed_log = NULL;

  updated = fd_test_cli_run ("integration", "update", id, "--name", "renamed", "--secret",
                             "a-new-secret-0123456789", "--batch-max", "7", NULL);
  fd_test_cli_assert_ok (updated);
  fd_test_cli_assert_kv (updated->out, "name", "renamed");
  fd_test_cli_assert_kv (updated->out, "batch_max", "7");
  fd_test_cli_assert_kv (updated->out, "url", "http://127.0.0.1:9/in");
  g_assert_null (strstr (updated->out, "a-new-secret-0123456789"));
  g_assert_null (strstr (updated->err, "not shown again"));

  paused = fd_test_cli_run ("integration", "pause", id, NULL);
  fd_test_cli_assert_ok (paused);
  fd_test_cli_assert_kv (paused->out, "paused", "yes");
  fd_test_cli_assert_kv (paused->out, "health.state", "paused");
  resumed = fd_test_cli_run ("integration", "resume", id, NULL);
  fd_test_cli_assert_ok (resumed);
  fd_test_cli_assert_kv (resumed->out, "paused", "no");

  replayed = fd_test_cli_run ("integration", "replay", id, "--from", "2026-01-01T00:00:00Z", NULL);
  fd_test_cli_assert_ok (replayed);
  fd_test_cli_assert_kv (replayed->out, "id", id);

  /* nothing listens on port 9: the answer is shown and the exit status says it failed (1;
   * also when this server runs no delivery workers) */
  {
    g_autoptr (FdTestCliResult) test = fd_test_cli_run ("integration", "test", id, NULL);
    g_assert_cmpint (test->status, ==, 1);
    g_assert_true (strstr (test->err, "fleetdesk-cli: the test event was not delivered") != NULL
                   || strstr (test->err, "no integration delivery workers") != NULL);
  }

  log = fd_test_cli_run ("integration", "deliveries", id, NULL);
  fd_test_cli_assert_ok (log);
  /* the test attempt, when there was one, is the only line */
  g_assert_true (strstr (log->out, "0 of 0 delivery attempts") != NULL
                 || strstr (log->out, "1 of 1 delivery attempt") != NULL);
  failed_log = fd_test_cli_run ("integration", "deliveries", id, "--outcome", "failed", NULL);
  fd_test_cli_assert_ok (failed_log);

  fd_test_cli_assert_deletes ("integration", "integration", id, "does not exist");
}

static gint64
total (void)
{
  g_autoptr (FdTestCliResult) r = fd_test_cli_run ("--json", "integration", "list", wks, NULL);
  g_autoptr (JsonNode) node = fd_test_cli_assert_json (r, NULL);

  return fd_test_int (node, "total");
}

static void
test_refused (void)
{
  gint64 before = total ();
  g_autofree char *id = create_one ("to-update");
  g_autoptr (FdTestCliResult) ftp = NULL, newline = NULL, dsn = NULL, zero = NULL, no_url = NULL;
  g_autoptr (FdTestCliResult) no_colon = NULL, kind = NULL, nothing = NULL, no_type = NULL;
  g_autoptr (FdTestCliResult) no_from = NULL, reserved = NULL, bad_fleet = NULL;

  ftp = fd_test_cli_run ("integration", "create", wks, "--type", "webhook", "--name", "x", "--url",
                         "ftp://example.com/", NULL);
  /* the CLI's own check of a URL refuses it first: a usage error */
  fd_test_cli_assert_usage (ftp, "--url");
  /* the API's 400s: exit 1 with its message */
  newline = fd_test_cli_run ("integration", "create", wks, "--type", "webhook", "--name", "x",
                             "--url", "http://x/", "--header", "X-A: one\rX-B: two", NULL);
  fd_test_cli_assert_fails (newline, "line breaks");
  reserved
      = fd_test_cli_run ("integration", "create", wks, "--type", "webhook", "--name", "x", "--url",
                         "http://x/", "--header", "X-Fleetdesk-Signature: forged", NULL);
  fd_test_cli_assert_fails (reserved, "X-Fleetdesk-Signature");
  dsn = fd_test_cli_run ("integration", "create", wks, "--type", "postgresql", "--name", "pg",
                         "--dsn", "host=127.0.0.1 port=1 dbname=x user=y password=pw-in-dsn", NULL);
  fd_test_cli_assert_fails (dsn, "PostgreSQL");
  g_assert_nonnull (strstr (dsn->err, "unreachable"));
  g_assert_null (strstr (dsn->err, "pw-in-dsn"));
  bad_fleet = fd_test_cli_run ("integration", "create", wks, "--type", "webhook", "--name", "x",
                               "--url", "http://x/", "--fleet", "flt-aaaaaaaaaaaaaaaaaaaa", NULL);
  fd_test_cli_assert_fails (bad_fleet, "flt-aaaaaaaaaaaaaaaaaaaa");

  /* usage errors: exit 2, nothing sent */
  zero = fd_test_cli_run ("integration", "create", wks, "--type", "webhook", "--name", "x", "--url",
                          "http://x/", "--batch-max", "0", NULL);
  fd_test_cli_assert_usage (zero, "--batch-max");
  no_url = fd_test_cli_run ("integration", "create", wks, "--type", "webhook", "--name", "x", NULL);
  fd_test_cli_assert_usage (no_url, "--url");
  no_colon = fd_test_cli_run ("integration", "create", wks, "--type", "webhook", "--name", "x",
                              "--url", "http://x/", "--header", "nocolon", NULL);
  fd_test_cli_assert_usage (no_colon, "--header");
  kind = fd_test_cli_run ("integration", "create", wks, "--type", "webhook", "--name", "x", "--url",
                          "http://x/", "--kind", "weather", NULL);
  fd_test_cli_assert_usage (kind, "--kind");
  no_type
      = fd_test_cli_run ("integration", "create", wks, "--name", "x", "--url", "http://x/", NULL);
  fd_test_cli_assert_usage (no_type, "--type");
  nothing = fd_test_cli_run ("integration", "update", id, NULL);
  fd_test_cli_assert_usage (nothing, "change");
  no_from = fd_test_cli_run ("integration", "replay", id, NULL);
  fd_test_cli_assert_usage (no_from, "--from");

  g_assert_cmpint (total (), ==, before + 1);
}

int
main (int argc, char **argv)
{
  int status;

  g_test_init (&argc, &argv, NULL);
  srv = fd_test_cli_start ();
  wks = fd_test_make_workspace (srv, "cli-integrations");
  g_test_add_func ("/cli-integrations/create-list-get", test_create_list_get);
  g_test_add_func ("/cli-integrations/update-pause-replay-delete", test_update_pause_replay_delete);
  g_test_add_func ("/cli-integrations/refused", test_refused);

  status = g_test_run ();
  g_free (wks);
  fd_test_cli_stop ();
  return status;
}
