/* test-cli-alerts.c — what a person sees from `fleetdesk-cli alert …` against a real server
 * (--alert-tick-ms 100) and a device on its HTTPS endpoint: the rule's key: value lines, the
 * tables, the alert that a condition open too long raises and its closing resolves, --json,
 * and the exit status (2 for a usage error, 1 when the API refuses). */
#include "fd-test-cli.h"
#include "fd-test-device.h"

#include <string.h>

static FdTdServer *shared;

/* Runs `alert active WS [--state STATE]` until its count line is @count_line. */
static FdTestCliResult *
wait_alerts (const char *state, const char *count_line)
{
  gint64 deadline = g_get_monotonic_time () + 30 * G_USEC_PER_SEC;

  for (;;)
    {
      FdTestCliResult *r
          = fd_test_cli_run ("alert", "active", shared->workspace, "--state", state, NULL);

      fd_test_cli_assert_ok (r);
      if (strstr (r->out, count_line) != NULL)
        return r;
      if (g_get_monotonic_time () > deadline)
        g_error ("alert active --state %s never said \"%s\":\n%s", state, count_line, r->out);
      fd_test_cli_result_free (r);
      g_usleep (100 * 1000);
    }
}

static void
test_rules_and_alerts (void)
{
  g_autoptr (FdTdDevice) d = fd_td_cert_device (shared, "cli-alert-pump");
  g_autoptr (FdTdRaw) r = fd_td_raw_open (shared, d, NULL);
  g_autoptr (FdTestCliResult) create = NULL, list = NULL, get = NULL, update = NULL, json = NULL;
  g_autoptr (FdTestCliResult) active = NULL, resolved = NULL;
  g_autoptr (FdTestCliResult) none = NULL;
  g_autoptr (JsonNode) parsed = NULL;
  g_autofree char *id = NULL;

  create = fd_test_cli_run ("alert", "create", shared->workspace, "--name", "Battery low", "--tag",
                            "battery", "--tag", "power", "--open-longer-than", "600", NULL);
  fd_test_cli_assert_ok (create);
  id = fd_test_cli_kv_value (create->out, "id");
  g_assert_true (g_str_has_prefix (id, "alr-"));
  fd_test_cli_assert_kv (create->out, "name", "Battery low");
  fd_test_cli_assert_kv (create->out, "open_longer_than_s", "600");
  fd_test_cli_assert_kv (create->out, "active", "0");
  fd_test_cli_assert_kv_aligned (create->out);

  list = fd_test_cli_run ("alert", "list", shared->workspace, NULL);
  fd_test_cli_assert_ok (list);
  fd_test_cli_assert_in_column (list->out, "ID", id);
  fd_test_cli_assert_in_column (list->out, "NAME", "Battery low");
  fd_test_cli_assert_in_column (list->out, "OPEN LONGER THAN (S)", "600");
  fd_test_cli_assert_count_line (list->out, "1 of 1 alert rule");

  update = fd_test_cli_run ("alert", "update", id, "--open-longer-than", "1", "--tag", "battery",
                            NULL);
  fd_test_cli_assert_ok (update);
  fd_test_cli_assert_kv (update->out, "open_longer_than_s", "1");
  fd_test_cli_assert_kv (update->out, "name", "Battery low");

  json = fd_test_cli_run ("--json", "alert", "get", id, NULL);
  fd_test_cli_assert_ok (json);
  parsed = json_from_string (json->out, NULL);
  g_assert_nonnull (parsed);
  g_assert_cmpuint (
      json_array_get_length (json_object_get_array_member (json_node_get_object (parsed), "tags")),
      ==, 1);

  /* The device opens a battery condition: after a second it is an alert. */
  fd_td_raw_up (r,
                "{\"key\": \"condition\", \"value\": {\"uuid\": \"c-1\", \"tag\": \"battery\","
                " \"start\": \"2026-01-01T10:00:00Z\"}}",
                202);
  active = wait_alerts ("active", "1 of 1 alert");
  fd_test_cli_assert_in_column (active->out, "RULE", "Battery low");
  fd_test_cli_assert_in_column (active->out, "DEVICE", "cli-alert-pump");
  fd_test_cli_assert_in_column (active->out, "TAG", "battery");
  fd_test_cli_assert_in_column (active->out, "STATE", "active");
  get = fd_test_cli_run ("alert", "get", id, NULL);
  fd_test_cli_assert_ok (get);
  fd_test_cli_assert_kv (get->out, "active", "1");

  /* It closes: resolved. */
  fd_td_raw_up (r,
                "{\"key\": \"condition\", \"value\": {\"uuid\": \"c-1\","
                " \"finish\": \"2026-01-01T10:30:00Z\"}}",
                202);
  resolved = wait_alerts ("resolved", "1 of 1 alert");
  fd_test_cli_assert_in_column (resolved->out, "STATE", "resolved");
  none = fd_test_cli_run ("alert", "active", shared->workspace, NULL);
  fd_test_cli_assert_ok (none);
  fd_test_cli_assert_count_line (none->out, "0 of 0 alerts");

  fd_test_cli_assert_deletes ("alert", "alert rule", id, "does not exist");
}

static void
test_usage (void)
{
  g_autoptr (FdTestCliResult) zero = NULL, no_tag = NULL, nothing = NULL, bad_tag = NULL;
  g_autoptr (FdTestCliResult) too_long = NULL, bad_state = NULL, no_ws = NULL;

  zero = fd_test_cli_run ("alert", "create", shared->workspace, "--name", "n", "--tag", "t",
                          "--open-longer-than", "0", NULL);
  fd_test_cli_assert_usage (zero, "--open-longer-than");
  too_long = fd_test_cli_run ("alert", "create", shared->workspace, "--name", "n", "--tag", "t",
                              "--open-longer-than", "2592001", NULL);
  fd_test_cli_assert_usage (too_long, "--open-longer-than");
  no_tag = fd_test_cli_run ("alert", "create", shared->workspace, "--name", "n",
                            "--open-longer-than", "60", NULL);
  fd_test_cli_assert_usage (no_tag, "--tag");
  bad_tag = fd_test_cli_run ("alert", "create", shared->workspace, "--name", "n", "--tag", "a/b",
                             "--open-longer-than", "60", NULL);
  fd_test_cli_assert_usage (bad_tag, "--tag");
  nothing = fd_test_cli_run ("alert", "update", "alr-aaaaaaaaaaaaaaaaaaaa", NULL);
  fd_test_cli_assert_usage (nothing, "nothing to change");
  bad_state = fd_test_cli_run ("alert", "active", shared->workspace, "--state", "open", NULL);
  fd_test_cli_assert_usage (bad_state, "--state");
  /* The API refuses: exit 1 with its message. */
  no_ws = fd_test_cli_run ("alert", "create", "wks-aaaaaaaaaaaaaaaaaaaa", "--name", "n", "--tag",
                           "t", "--open-longer-than", "60", NULL);
  fd_test_cli_assert_fails (no_ws, "does not exist");
}

int
main (int argc, char **argv)
{
  static const char *const args[] = { "--alert-tick-ms=100", NULL };
  FdTestServer *srv;
  int status;

  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/cli-alerts/rules-and-alerts", test_rules_and_alerts);
  g_test_add_func ("/cli-alerts/usage", test_usage);

  /* Ticks of 100 ms rather than 5 s: the alert comes a second after the condition opens. */
  srv = fd_test_cli_start ();
  fd_test_server_restart_with_args (srv, args);
  shared = fd_td_server_wrap (srv, "cli-alerts");

  status = g_test_run ();
  fd_td_server_unwrap (shared);
  fd_test_cli_stop ();
  return status;
}
