/* test-cli-jobs.c — what a person sees from `fleetdesk-cli variable …`, `job …` and `device jobs`
 * against a real server, with a device that answers on its HTTPS endpoint: the tables, the
 * key: value lines, --json, and the exit status (2 for a usage error, 1 when the API refuses). */
#include "fd-test-cli.h"
#include "fd-test-device.h"

#include <glib/gstdio.h>
#include <string.h>

static FdTdServer *shared;

static void
up (FdTdRaw *r, const char *body, guint expected)
{
  g_autofree char *text = fd_td_request ("POST", "/v1/up", NULL, body);
  g_auto (FdTdResponse) resp = { 0 };

  fd_td_raw_send (r, text);
  g_assert_true (fd_td_raw_response (r, &resp));
  if (resp.status != expected)
    g_error ("POST /v1/up %s: expected %u, got %u %s", body, expected, resp.status, resp.body);
}

static void
assert_usage (FdTestCliResult *result, const char *needle)
{
  g_assert_cmpint (result->status, ==, 2);
  g_assert_cmpstr (result->out, ==, "");
  if (strstr (result->err, needle) == NULL)
    g_error ("expected \"%s\" in stderr: %s", needle, result->err);
}

static void
test_variables (void)
{
  g_autoptr (FdTdDevice) d = fd_td_cert_device (shared, "thermo-1");
  g_autoptr (FdTdRaw) r = fd_td_raw_open (shared, d, NULL);
  g_autoptr (FdTestCliResult) set = NULL, list = NULL, pending = NULL, get = NULL, json = NULL;
  g_autoptr (FdTestCliResult) none = NULL, unset = NULL, again = NULL, bad_json = NULL;
  g_autoptr (FdTestCliResult) missing = NULL, bad_key = NULL, after = NULL;
  g_autoptr (JsonNode) parsed = NULL;

  set = fd_test_cli_run ("variable", "set", d->id, "interval", "60", NULL);
  fd_test_cli_assert_ok (set);
  fd_test_cli_assert_kv (set->out, "key", "interval");
  fd_test_cli_assert_kv (set->out, "value", "60");
  fd_test_cli_assert_kv (set->out, "state", "pending");
  fd_test_cli_assert_kv (set->out, "delivered", "no");
  fd_test_cli_assert_kv_aligned (set->out);

  list = fd_test_cli_run ("variable", "list", d->id, NULL);
  fd_test_cli_assert_ok (list);
  g_assert_true (g_str_has_prefix (list->out, "KEY"));
  fd_test_cli_assert_in_column (list->out, "KEY", "interval");
  fd_test_cli_assert_in_column (list->out, "STATE", "pending");
  fd_test_cli_assert_in_column (list->out, "EXPECTED", "60");
  fd_test_cli_assert_count_line (list->out, "1 of 1 variable");

  pending = fd_test_cli_run ("variable", "pending", shared->workspace, "interval", NULL);
  fd_test_cli_assert_ok (pending);
  fd_test_cli_assert_in_column (pending->out, "DEVICE", "thermo-1");
  fd_test_cli_assert_count_line (pending->out, "1 of 1 device");

  /* The device takes it and says so. */
  up (r, "{\"key\": \"interval\", \"value\": 60}", 202);
  get = fd_test_cli_run ("variable", "get", d->id, "interval", NULL);
  fd_test_cli_assert_ok (get);
  fd_test_cli_assert_kv (get->out, "state", "applied");
  fd_test_cli_assert_kv (get->out, "reported.value", "60");
  json = fd_test_cli_run ("--json", "variable", "get", d->id, "interval", NULL);
  parsed = fd_test_cli_assert_json (json, NULL);
  g_assert_cmpstr (fd_test_str (parsed, "state"), ==, "applied");
  none = fd_test_cli_run ("variable", "pending", shared->workspace, "interval", NULL);
  fd_test_cli_assert_ok (none);
  fd_test_cli_assert_count_line (none->out, "0 of 0 devices");

  unset = fd_test_cli_run ("variable", "unset", d->id, "interval", NULL);
  fd_test_cli_assert_ok (unset);
  g_assert_cmpstr (unset->out, ==, "Unset variable interval\n");
  again = fd_test_cli_run ("variable", "unset", d->id, "interval", NULL);
  fd_test_cli_assert_fails (again, "has no variable interval");
  /* What the device reported stays, as a key it reported on its own. */
  after = fd_test_cli_run ("variable", "list", d->id, NULL);
  fd_test_cli_assert_in_column (after->out, "STATE", "reported");

  bad_json = fd_test_cli_run ("variable", "set", d->id, "interval", "sixty", NULL);
  assert_usage (bad_json, "VALUE_JSON");
  missing = fd_test_cli_run ("variable", "set", d->id, "interval", NULL);
  assert_usage (missing, "VALUE_JSON");
  bad_key = fd_test_cli_run ("variable", "set", d->id, "@reset", "1", NULL);
  fd_test_cli_assert_fails (bad_key, "jobs");
}

int
main (int argc, char **argv)
{
  g_autoptr (GError) error = NULL;
  int status;

  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/cli-jobs/variables", test_variables);

  /* The device helpers around the CLI tests' server. */
  shared = g_new0 (FdTdServer, 1);
  shared->srv = fd_test_cli_start ();
  shared->port = shared->srv->device_port;
  shared->dir = g_build_filename (shared->srv->data_dir, "test-pem", NULL);
  g_assert_cmpint (g_mkdir (shared->dir, 0700), ==, 0);
  shared->ca = g_strdup (shared->srv->ca_path);
  shared->ca_db = g_tls_file_database_new (shared->ca, &error);
  g_assert_no_error (error);
  shared->workspace = fd_test_make_workspace (shared->srv, "cli-jobs");

  status = g_test_run ();
  g_object_unref (shared->ca_db);
  g_free (shared->dir);
  g_free (shared->ca);
  g_free (shared->workspace);
  g_free (shared);
  fd_test_cli_stop ();
  return status;
}
