/* test-cli-conditions.c — what a person sees from `fleetdesk-cli condition list`, `device send`,
 * `device status` and `device get` (its presence) against a real server, with conditions and
 * answers a device posted to its HTTPS endpoint. */
#include "fd-test-cli.h"
#include "fd-test-device.h"

#include <glib/gstdio.h>
#include <string.h>

static FdTdServer *shared;

/* The lines of @out that hold @needle. */
static guint
count_lines_with (const char *out, const char *needle)
{
  g_auto (GStrv) lines = g_strsplit (out, "\n", -1);
  guint n = 0;

  for (guint i = 0; lines[i] != NULL; i++)
    if (strstr (lines[i], needle) != NULL)
      n++;
  return n;
}

static void
test_condition_list (void)
{
  g_autoptr (FdTdDevice) d = fd_td_cert_device (shared, "pump-7");
  g_autoptr (FdTdRaw) r = fd_td_raw_open (shared, d, NULL);
  gint64 now = g_get_real_time () / 1000;
  g_autofree char *open_old = g_strdup_printf (
      "{\"key\": \"condition\", \"value\": {\"uuid\": \"bat-1\", \"tag\": \"battery\", "
      "\"payload\": {\"lvl\": 9}, \"start\": %" G_GINT64_FORMAT "}}",
      now - 2 * 3600 * 1000);
  g_autofree char *close_old = g_strdup_printf (
      "{\"key\": \"condition\", \"value\": {\"uuid\": \"bat-1\", \"payloadf\": {\"lvl\": 80}, "
      "\"finish\": %" G_GINT64_FORMAT "}}",
      now - 3600 * 1000);
  g_autofree char *open_new = g_strdup_printf (
      "{\"key\": \"condition\", \"value\": {\"uuid\": \"door-1\", \"tag\": \"door\", "
      "\"start\": %" G_GINT64_FORMAT "}}",
      now - 90 * 1000);
  g_autoptr (FdTestCliResult) all = NULL;
  g_autoptr (FdTestCliResult) closed = NULL;
  g_autoptr (FdTestCliResult) long_ones = NULL;
  g_autoptr (FdTestCliResult) by_device = NULL;
  g_autoptr (FdTestCliResult) json = NULL;
  g_autoptr (FdTestCliResult) bad = NULL;
  g_autoptr (JsonNode) parsed = NULL;

  fd_td_raw_up (r, open_old, 202);
  fd_td_raw_up (r, close_old, 202);
  fd_td_raw_up (r, open_new, 202);

  all = fd_test_cli_run ("condition", "list", shared->workspace, NULL);
  fd_test_cli_assert_ok (all);
  g_assert_true (g_str_has_prefix (all->out, "DEVICE"));
  for (const char *const *h
       = (const char *const[]){ "TAG", "UUID", "START", "DURATION", "STATUS", NULL };
       *h != NULL; h++)
    g_assert_nonnull (strstr (all->out, *h));
  fd_test_cli_assert_in_column (all->out, "DEVICE", "pump-7");
  fd_test_cli_assert_in_column (all->out, "UUID", "bat-1");
  fd_test_cli_assert_in_column (all->out, "UUID", "door-1");
  fd_test_cli_assert_in_column (all->out, "DURATION", "1h");
  fd_test_cli_assert_in_column (all->out, "STATUS", "open");
  fd_test_cli_assert_in_column (all->out, "STATUS", "closed");
  fd_test_cli_assert_count_line (all->out, "2 of 2 conditions");
  /* Newest start first: the door (90 s ago) above the battery (2 h ago). */
  g_assert_true (strstr (all->out, "door-1") < strstr (all->out, "bat-1"));

  closed = fd_test_cli_run ("condition", "list", shared->workspace, "--status", "closed", "--tag",
                            "battery", NULL);
  fd_test_cli_assert_ok (closed);
  g_assert_cmpuint (count_lines_with (closed->out, "bat-1"), ==, 1);
  g_assert_null (strstr (closed->out, "door-1"));
  g_assert_nonnull (strstr (closed->out, "1h 00m 00s"));
  fd_test_cli_assert_count_line (closed->out, "1 of 1 condition");

  long_ones = fd_test_cli_run ("condition", "list", shared->workspace, "--threshold", "1800", NULL);
  fd_test_cli_assert_ok (long_ones);
  g_assert_nonnull (strstr (long_ones->out, "bat-1"));
  g_assert_null (strstr (long_ones->out, "door-1"));

  by_device = fd_test_cli_run ("condition", "list", shared->workspace, "--device", d->id, "--tag",
                               "door", "--tag", "battery", NULL);
  fd_test_cli_assert_ok (by_device);
  fd_test_cli_assert_count_line (by_device->out, "2 of 2 conditions");

  json = fd_test_cli_run ("condition", "list", shared->workspace, "--status", "open", "--json",
                          NULL);
  parsed = fd_test_cli_assert_json (json, NULL);
  g_assert_cmpint (fd_test_int (parsed, "total"), ==, 1);

  bad = fd_test_cli_run ("condition", "list", shared->workspace, "--threshold", "soon", NULL);
  g_assert_cmpint (bad->status, ==, 2);
  g_assert_nonnull (strstr (bad->err, "--threshold"));
}

static void
test_send_and_status (void)
{
  g_autoptr (FdTdDevice) d = fd_td_cert_device (shared, "valve-3");
  g_autoptr (FdTestCliResult) sent = NULL;
  g_autoptr (FdTestCliResult) waiting = NULL;
  g_autoptr (FdTestCliResult) answered = NULL;
  g_autoptr (FdTestCliResult) not_json = NULL;
  g_autoptr (FdTestCliResult) refused = NULL;
  g_autoptr (FdTestCliResult) json = NULL;
  g_autoptr (FdTdRaw) r = NULL;
  g_autoptr (JsonNode) parsed = NULL;
  const char *current;

  sent = fd_test_cli_run ("device", "send", d->id, "@reset", "{\"args\": {\"hard\": true}}", NULL);
  fd_test_cli_assert_ok (sent);
  fd_test_cli_assert_kv (sent->out, "key", "@reset");
  fd_test_cli_assert_kv (sent->out, "delivered", "no");

  waiting = fd_test_cli_run ("device", "status", d->id, NULL);
  fd_test_cli_assert_ok (waiting);
  current = strstr (waiting->out, "Current");
  g_assert_nonnull (current);
  g_assert_true (g_str_has_prefix (waiting->out, "Expected"));
  g_assert_true (strstr (waiting->out, "@reset") < current);
  g_assert_nonnull (strstr (waiting->out, "{\"args\":{\"hard\":true}}"));
  g_assert_nonnull (strstr (current, "(none)"));

  /* The device answers the key: it moves from expected to current. */
  r = fd_td_raw_open (shared, d, NULL);
  fd_td_raw_up (r, "{\"key\": \"@reset\", \"value\": {\"done\": true}}", 202);
  answered = fd_test_cli_run ("device", "status", d->id, NULL);
  fd_test_cli_assert_ok (answered);
  current = strstr (answered->out, "Current");
  g_assert_nonnull (current);
  g_assert_true (strstr (answered->out, "(none)") < current);
  g_assert_nonnull (strstr (current, "@reset"));
  g_assert_nonnull (strstr (current, "{\"done\":true}"));

  json = fd_test_cli_run ("device", "status", d->id, "--json", NULL);
  parsed = fd_test_cli_assert_json (json, NULL);
  g_assert_true (json_object_has_member (
      json_object_get_object_member (json_node_get_object (parsed), "current"), "@reset"));

  not_json = fd_test_cli_run ("device", "send", d->id, "@reset", "{args}", NULL);
  g_assert_cmpint (not_json->status, ==, 2);
  g_assert_nonnull (strstr (not_json->err, "VALUE_JSON"));
  refused = fd_test_cli_run ("device", "send", d->id, "#status", "{}", NULL);
  fd_test_cli_assert_fails (refused, "#");
}

/* `device get` shows a nested object such as "presence" member by member, aligned with the
 * rest, not as JSON text; --json keeps the object. */
static void
test_device_get_presence (void)
{
  g_autofree char *name = fd_test_cli_unique_name ("valve");
  g_autoptr (FdTdDevice) d = fd_td_cert_device (shared, name);
  g_autoptr (FdTdRaw) r = fd_td_raw_open (shared, d, NULL);
  g_autoptr (FdTestCliResult) get = NULL;
  g_autoptr (FdTestCliResult) json = NULL;
  g_autoptr (JsonNode) root = NULL;
  JsonObject *presence;

  fd_td_raw_up (r, "{\"key\": \"temp_limit\", \"value\": 30}", 202);
  get = fd_test_cli_run ("device", "get", d->id, NULL);
  fd_test_cli_assert_ok (get);
  fd_test_cli_assert_kv (get->out, "name", name);
  fd_test_cli_assert_kv (get->out, "online", "yes");
  fd_test_cli_assert_kv (get->out, "presence.transport", "https");
  fd_test_cli_assert_kv (get->out, "presence.address", "127.0.0.1");
  g_assert_nonnull (fd_test_cli_kv_value (get->out, "presence.connected_at"));
  fd_test_cli_assert_kv (get->out, "presence.disconnected_at", "-");
  fd_test_cli_assert_kv (get->out, "info", "-");
  g_assert_null (strstr (get->out, "presence:"));
  g_assert_null (strstr (get->out, "{"));
  fd_test_cli_assert_kv_aligned (get->out);

  json = fd_test_cli_run ("device", "get", d->id, "--json", NULL);
  root = fd_test_cli_assert_json (json, NULL);
  presence = json_object_get_object_member (json_node_get_object (root), "presence");
  g_assert_cmpstr (json_object_get_string_member (presence, "transport"), ==, "https");
}

int
main (int argc, char **argv)
{
  int status;

  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/cli-conditions/condition-list", test_condition_list);
  g_test_add_func ("/cli-conditions/send-and-status", test_send_and_status);
  g_test_add_func ("/cli-conditions/device-get-presence", test_device_get_presence);

  /* The device helpers around the CLI tests' server. */
  shared = fd_td_server_wrap (fd_test_cli_start (), "cli-conditions");

  status = g_test_run ();
  fd_td_server_unwrap (shared);
  fd_test_cli_stop ();
  return status;
}
