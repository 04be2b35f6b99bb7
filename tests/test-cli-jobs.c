/* test-cli-jobs.c — what a person sees from `fleetdesk-cli variable …`, `job …` and `device jobs`
 * against a real server, with a device that answers on its HTTPS endpoint: the tables, the
 * key: value lines, --json, and the exit status (2 for a usage error, 1 when the API refuses). */
#include "fd-test-cli.h"
#include "fd-test-device.h"
#include "fd-test-jobs.h"

#include <glib/gstdio.h>
#include <string.h>

static FdTdServer *shared;

/* The table printed after the "Executions:" line of `job get` and `job schedule --wait`. */
static const char *
executions_table (const char *out)
{
  const char *at = strstr (out, "Executions:\n");

  g_assert_nonnull (at);
  return at + strlen ("Executions:\n");
}

static void
test_variables (void)
{
  g_autoptr (FdTdDevice) d = fd_td_cert_device (shared, "thermo-1");
  g_autoptr (FdTdRaw) r = fd_td_raw_open (shared, d, NULL);
  g_autoptr (FdTestCliResult) set = NULL, list = NULL, pending = NULL, get = NULL, json = NULL;
  g_autoptr (FdTestCliResult) none = NULL, unset = NULL, again = NULL, bad_json = NULL;
  g_autoptr (FdTestCliResult) missing = NULL, bad_key = NULL, after = NULL;
  g_autoptr (FdTestCliResult) slash = NULL, slash_get = NULL;
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
  fd_td_raw_up (r, "{\"key\": \"interval\", \"value\": 60}", 202);
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
  fd_test_cli_assert_usage (bad_json, "VALUE_JSON");
  missing = fd_test_cli_run ("variable", "set", d->id, "interval", NULL);
  fd_test_cli_assert_usage (missing, "VALUE_JSON");
  bad_key = fd_test_cli_run ("variable", "set", d->id, "@reset", "1", NULL);
  fd_test_cli_assert_fails (bad_key, "jobs");
  /* A '/' cannot travel in the path (an encoded one is a separator to the server, which would
   * answer "no API path"): the CLI names the problem before sending anything. */
  slash = fd_test_cli_run ("variable", "set", d->id, "a/b", "1", NULL);
  fd_test_cli_assert_usage (slash, "'/'");
  slash_get = fd_test_cli_run ("variable", "get", d->id, "a/b", NULL);
  fd_test_cli_assert_usage (slash_get, "'/'");
}

typedef struct
{
  FdTdRaw *r;
  const FdTdDevice *d;
  char *key;    /* what the device is told */
  char *answer; /* the up message it answers with */
} Answerer;

/* The device's side while the CLI waits: takes the job from j/dn and answers it. */
static gpointer
answer_thread (gpointer data)
{
  Answerer *a = data;
  g_autofree char *dn = g_strdup_printf ("j/dn/%s", a->d->id);
  g_autofree char *topic = g_strdup_printf ("j/up/%s", a->d->id);
  g_autoptr (JsonNode) msg = NULL;
  guint16 id;

  msg = fd_tm_expect_publish (a->r, dn, &id, NULL);
  g_assert_cmpstr (fd_tm_envelope_key (msg), ==, a->key);
  fd_tm_puback (a->r, id);
  fd_tm_raw_send_packet (a->r, fd_tm_publish_packet (topic, 9, a->answer, strlen (a->answer)));
  fd_tm_expect_puback (a->r, 9);
  return NULL;
}

/* `job schedule --wait` on a connected device: the CLI waits for its answer and shows the job
 * and the device's execution. */
static void
test_schedule_wait (void)
{
  g_autoptr (FdTdDevice) d = fd_td_cert_device (shared, "valve-1");
  g_autoptr (FdTdRaw) r = fd_tj_subscribed (d);
  Answerer a = { r, d, (char *)"@echo", (char *)"{\"key\":\"@echo\",\"value\":{\"x\":1}}" };
  GThread *device;
  g_autoptr (FdTestCliResult) run = NULL, list = NULL, mine = NULL, json = NULL;
  g_autoptr (JsonNode) parsed = NULL;
  g_autofree char *id = NULL;

  device = g_thread_new ("device", answer_thread, &a);
  run = fd_test_cli_run ("job", "schedule", shared->workspace, "echo", "--args", "{\"x\": 1}",
                         "--device", d->id, "--wait", NULL);
  g_thread_join (device);
  fd_test_cli_assert_ok (run);
  fd_test_cli_assert_kv (run->out, "name", "echo");
  fd_test_cli_assert_kv (run->out, "state", "done");
  fd_test_cli_assert_kv (run->out, "counts.succeeded", "1");
  fd_test_cli_assert_in_column (executions_table (run->out), "DEVICE", "valve-1");
  fd_test_cli_assert_in_column (executions_table (run->out), "STATE", "succeeded");
  fd_test_cli_assert_in_column (executions_table (run->out), "RESULT", "{\"x\":1}");
  id = fd_test_cli_kv_value (run->out, "id");
  g_assert_true (g_str_has_prefix (id, "job-"));

  list = fd_test_cli_run ("job", "list", shared->workspace, "--state", "done", NULL);
  fd_test_cli_assert_ok (list);
  fd_test_cli_assert_in_column (list->out, "ID", id);
  fd_test_cli_assert_in_column (list->out, "SUCCEEDED", "1");
  mine = fd_test_cli_run ("device", "jobs", d->id, NULL);
  fd_test_cli_assert_ok (mine);
  fd_test_cli_assert_in_column (mine->out, "JOB", id);
  fd_test_cli_assert_in_column (mine->out, "STATE", "succeeded");
  fd_test_cli_assert_count_line (mine->out, "1 of 1 job execution");
  json = fd_test_cli_run ("--json", "job", "get", id, NULL);
  parsed = fd_test_cli_assert_json (json, NULL);
  g_assert_cmpstr (fd_test_str (parsed, "state"), ==, "done");
}

/* A device that is offline: queued, shown by `job get`; `job cancel` ends it, a second cancel
 * is refused by the API (exit 1). */
static void
test_queued_and_cancel (void)
{
  g_autoptr (FdTdDevice) d = fd_td_cert_device (shared, "valve-2");
  g_autoptr (FdTestCliResult) run = NULL, get = NULL, cancel = NULL, again = NULL;
  g_autoptr (FdTestCliResult) older = NULL, newer = NULL, replaced = NULL;
  g_autofree char *id = NULL, *older_id = NULL;

  run = fd_test_cli_run ("job", "schedule", shared->workspace, "reset", "--device", d->id,
                         "--timeout", "60", "--retries", "2", NULL);
  fd_test_cli_assert_ok (run);
  fd_test_cli_assert_kv (run->out, "state", "active");
  fd_test_cli_assert_kv (run->out, "timeout_s", "60");
  fd_test_cli_assert_kv (run->out, "retries", "2");
  fd_test_cli_assert_kv (run->out, "counts.queued", "1");
  id = fd_test_cli_kv_value (run->out, "id");

  get = fd_test_cli_run ("job", "get", id, NULL);
  fd_test_cli_assert_ok (get);
  fd_test_cli_assert_in_column (executions_table (get->out), "DEVICE", "valve-2");
  fd_test_cli_assert_in_column (executions_table (get->out), "STATE", "queued");

  cancel = fd_test_cli_run ("job", "cancel", id, NULL);
  fd_test_cli_assert_ok (cancel);
  fd_test_cli_assert_kv (cancel->out, "state", "canceled");
  fd_test_cli_assert_kv (cancel->out, "counts.canceled", "1");
  again = fd_test_cli_run ("job", "cancel", id, NULL);
  g_assert_cmpint (again->status, ==, 1);

  /* Why an execution ended without a result shows in the table: a newer reset replaced it. */
  older = fd_test_cli_run ("job", "schedule", shared->workspace, "reset", "--device", d->id, NULL);
  fd_test_cli_assert_ok (older);
  older_id = fd_test_cli_kv_value (older->out, "id");
  newer = fd_test_cli_run ("job", "schedule", shared->workspace, "reset", "--device", d->id, NULL);
  fd_test_cli_assert_ok (newer);
  replaced = fd_test_cli_run ("job", "get", older_id, NULL);
  fd_test_cli_assert_ok (replaced);
  fd_test_cli_assert_in_column (executions_table (replaced->out), "STATE", "canceled");
  fd_test_cli_assert_in_column (executions_table (replaced->out), "MESSAGE", "replaced");
}

static void
test_job_usage (void)
{
  g_autoptr (FdTestCliResult) no_target = NULL, bad_args = NULL, bad_timeout = NULL;
  g_autoptr (FdTestCliResult) bad_retries = NULL, no_name = NULL, unknown = NULL;

  no_target = fd_test_cli_run ("job", "schedule", shared->workspace, "reset", NULL);
  fd_test_cli_assert_usage (no_target, "--device ID or --fleet ID");
  bad_args = fd_test_cli_run ("job", "schedule", shared->workspace, "reset", "--device", "dev-a",
                              "--args", "[1]", NULL);
  fd_test_cli_assert_usage (bad_args, "--args must be a JSON object");
  bad_timeout = fd_test_cli_run ("job", "schedule", shared->workspace, "reset", "--device", "dev-a",
                                 "--timeout", "0", NULL);
  fd_test_cli_assert_usage (bad_timeout, "--timeout");
  bad_retries = fd_test_cli_run ("job", "schedule", shared->workspace, "reset", "--device", "dev-a",
                                 "--retries", "11", NULL);
  fd_test_cli_assert_usage (bad_retries, "--retries");
  no_name = fd_test_cli_run ("job", "schedule", shared->workspace, NULL);
  fd_test_cli_assert_usage (no_name, "NAME");
  /* The API's 400: a device it does not know. */
  unknown = fd_test_cli_run ("job", "schedule", shared->workspace, "reset", "--device",
                             "dev-aaaaaaaaaaaaaaaaaaaa", NULL);
  fd_test_cli_assert_fails (unknown, "dev-aaaaaaaaaaaaaaaaaaaa");
}

int
main (int argc, char **argv)
{
  int status;

  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/cli-jobs/variables", test_variables);
  g_test_add_func ("/cli-jobs/schedule-wait", test_schedule_wait);
  g_test_add_func ("/cli-jobs/queued-and-cancel", test_queued_and_cancel);
  g_test_add_func ("/cli-jobs/usage", test_job_usage);

  /* The device helpers around the CLI tests' server. */
  shared = fd_td_server_wrap (fd_test_cli_start (), "cli-jobs");
  fd_tm_srv = shared;

  status = g_test_run ();
  fd_td_server_unwrap (shared);
  fd_test_cli_stop ();
  return status;
}
