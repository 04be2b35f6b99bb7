/* test-device-messages.c — up messages through POST /v1/up of a real fleetdesk-server: the
 * answers to #status, #now and #conditions in the shapes Zerynth's clients read
 * (zdm-protocol.md §3.2), conditions opened, updated and closed as a device sees it, and a
 * down-message waiting in the expected map until the device answers it. */
#include "fd-test-device.h"

#include <string.h>

static FdTdServer *shared;

/* Posts @body to /v1/up on @r; returns the parsed answer and its status. */
static JsonNode *
up (FdTdRaw *r, const char *body, guint *status)
{
  g_autofree char *text = fd_td_request ("POST", "/v1/up", NULL, body);
  g_auto (FdTdResponse) resp = { 0 };
  JsonNode *node;

  fd_td_raw_send (r, text);
  g_assert_true (fd_td_raw_response (r, &resp));
  g_assert_true (fd_td_has_header (&resp, "Content-Type: application/json"));
  node = json_from_string (resp.body, NULL);
  g_assert_nonnull (node);
  *status = resp.status;
  return node;
}

static JsonNode *
up_expect (FdTdRaw *r, const char *body, guint expected)
{
  guint status;
  JsonNode *node = up (r, body, &status);

  if (status != expected)
    {
      g_autofree char *text = json_to_string (node, FALSE);
      g_error ("POST /v1/up %s: expected %u, got %u %s", body, expected, status, text);
    }
  return node;
}

/* A j/dn answer: {"key": @key, "value": {…}, "version": <integer epoch ms>}, nothing else. */
static JsonObject *
dn_value (JsonNode *node, const char *key)
{
  JsonObject *obj = json_node_get_object (node);
  JsonNode *version = json_object_get_member (obj, "version");

  g_assert_cmpuint (json_object_get_size (obj), ==, 3);
  g_assert_cmpstr (json_object_get_string_member (obj, "key"), ==, key);
  g_assert_nonnull (version);
  g_assert_cmpint (json_node_get_value_type (version), ==, G_TYPE_INT64);
  g_assert_cmpint (json_node_get_int (version), >, G_GINT64_CONSTANT (1600000000000));
  g_assert_true (JSON_NODE_HOLDS_OBJECT (json_object_get_member (obj, "value")));
  return json_object_get_object_member (obj, "value");
}

static JsonObject *
obj_member (JsonObject *obj, const char *member)
{
  JsonNode *node = json_object_get_member (obj, member);
  g_assert_nonnull (node);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (node));
  return json_node_get_object (node);
}

static void
test_status_now (void)
{
  g_autoptr (FdTdDevice) d = fd_td_cert_device (shared, "requests");
  g_autoptr (FdTdRaw) r = fd_td_raw_open (shared, d, NULL);
  g_autoptr (JsonNode) first = up_expect (r, "{\"key\": \"#status\", \"value\": {}}", 200);
  g_autoptr (JsonNode) manifest
      = up_expect (r, "{\"key\": \"__manifest\", \"value\": {\"jobs\": [\"reset\"]}}", 202);
  g_autoptr (JsonNode) fota = up_expect (r, "{\"key\": \"_fota_status\", \"value\": 5}", 202);
  g_autoptr (JsonNode) second = up_expect (r, "{\"key\": \"#status\", \"value\": {}}", 200);
  g_autoptr (JsonNode) now = up_expect (r, "{\"key\": \"#now\", \"value\": {}}", 200);
  JsonObject *value = dn_value (first, "#status"), *current, *entry;
  gint64 before = g_get_real_time () / 1000, s, ms;

  /* A new device: both maps empty, never null. */
  g_assert_cmpuint (json_object_get_size (value), ==, 2);
  g_assert_cmpuint (json_object_get_size (obj_member (value, "expected")), ==, 0);
  g_assert_cmpuint (json_object_get_size (obj_member (value, "current")), ==, 0);

  /* Every reported key comes back, '_' and '__' keys too, as {"v", "t"}. */
  value = dn_value (second, "#status");
  g_assert_cmpuint (json_object_get_size (obj_member (value, "expected")), ==, 0);
  current = obj_member (value, "current");
  g_assert_cmpuint (json_object_get_size (current), ==, 2);
  entry = obj_member (current, "__manifest");
  g_assert_cmpuint (json_object_get_size (entry), ==, 2);
  g_assert_cmpstr (json_array_get_string_element (
                       json_object_get_array_member (obj_member (entry, "v"), "jobs"), 0),
                   ==, "reset");
  g_assert_cmpint (json_object_get_int_member (entry, "t"), >, G_GINT64_CONSTANT (1600000000000));
  g_assert_cmpint (json_object_get_int_member (obj_member (current, "_fota_status"), "v"), ==, 5);

  /* #now: epoch seconds in "s" (what V3 reads), milliseconds in "ms". */
  value = dn_value (now, "#now");
  s = json_object_get_int_member (value, "s");
  ms = json_object_get_int_member (value, "ms");
  g_assert_cmpint (s, ==, ms / 1000);
  g_assert_cmpint (ABS (ms - before), <, 24 * 3600 * 1000);
}

static void
test_conditions (void)
{
  g_autoptr (FdTdDevice) d = fd_td_cert_device (shared, "conditions");
  g_autoptr (FdTdRaw) r = fd_td_raw_open (shared, d, NULL);
  g_autoptr (JsonNode) none = up_expect (r, "{\"key\": \"#conditions\", \"value\": {}}", 200);
  g_autoptr (JsonNode) opened = up_expect (
      r,
      "{\"key\": \"condition\", \"value\": {\"uuid\": \"1699990000123.456\", \"tag\": "
      "\"battery\", \"payload\": {\"lvl\": 15}, \"start\": \"2023-11-14T19:46:40.123456Z\"}}",
      202);
  g_autoptr (JsonNode) other
      = up_expect (r,
                   "{\"key\": \"condition\", \"value\": {\"uuid\": \"u-2\", \"tag\": \"door\", "
                   "\"payload\": null, \"start\": 1700000000000}}",
                   202);
  g_autoptr (JsonNode) updated = up_expect (
      r,
      "{\"key\": \"condition\", \"value\": {\"uuid\": \"1699990000123.456\", \"tag\": "
      "\"battery\", \"payload\": {\"lvl\": 12}, \"start\": \"2023-11-14T19:46:40.123456Z\"}}",
      202);
  g_autoptr (JsonNode) open_list = up_expect (r, "{\"key\": \"#conditions\", \"value\": {}}", 200);
  g_autoptr (JsonNode) closed = up_expect (
      r,
      "{\"key\": \"condition\", \"value\": {\"uuid\": \"1699990000123.456\", \"payloadf\": "
      "{\"lvl\": 45}, \"finish\": \"2023-11-14T21:10:02.000001+01:00\"}}",
      202);
  g_autoptr (JsonNode) twice = up_expect (
      r,
      "{\"key\": \"condition\", \"value\": {\"uuid\": \"1699990000123.456\", \"payloadf\": "
      "null, \"finish\": \"2023-11-14T20:30:00Z\"}}",
      202);
  g_autoptr (JsonNode) after = up_expect (r, "{\"key\": \"#conditions\", \"value\": {}}", 200);
  JsonObject *value, *entry;

  g_assert_cmpint (fd_test_int (opened, "accepted"), ==, 1);
  g_assert_cmpint (fd_test_int (twice, "accepted"), ==, 1);
  g_assert_cmpuint (json_object_get_size (dn_value (none, "#conditions")), ==, 0);

  /* {uuid: {"tag", "start"}} of the open ones, start in RFC 3339 with ms. */
  value = dn_value (open_list, "#conditions");
  g_assert_cmpuint (json_object_get_size (value), ==, 2);
  entry = obj_member (value, "1699990000123.456");
  g_assert_cmpuint (json_object_get_size (entry), ==, 2);
  g_assert_cmpstr (json_object_get_string_member (entry, "tag"), ==, "battery");
  g_assert_cmpstr (json_object_get_string_member (entry, "start"), ==, "2023-11-14T19:46:40.123Z");
  entry = obj_member (value, "u-2");
  g_assert_cmpstr (json_object_get_string_member (entry, "start"), ==, "2023-11-14T22:13:20.000Z");

  value = dn_value (after, "#conditions");
  g_assert_cmpuint (json_object_get_size (value), ==, 1);
  g_assert_true (json_object_has_member (value, "u-2"));
}

static void
test_condition_refusals (void)
{
  g_autoptr (FdTdDevice) d = fd_td_cert_device (shared, "condition-refusals");
  g_autoptr (FdTdRaw) r = fd_td_raw_open (shared, d, NULL);
  g_autofree char *long_uuid = g_strnfill (65, 'u');
  g_autofree char *long_uuid_open = g_strdup_printf (
      "{\"key\": \"condition\", \"value\": {\"uuid\": \"%s\", \"tag\": \"t\", \"start\": 0}}",
      long_uuid);
  const struct
  {
    const char *body;
    guint status;
    const char *code;
    const char *names; /* the message must name it */
  } cases[] = {
    { "{\"key\": \"condition\", \"value\": {\"uuid\": \"never\", \"finish\": 1700000000000}}", 404,
      "condition_not_open", "never" },
    { "{\"key\": \"condition\", \"value\": {\"uuid\": \"u\", \"tag\": \"t\", \"start\": "
      "\"yesterday\"}}",
      400, "invalid_condition", "start" },
    { "{\"key\": \"condition\", \"value\": {\"uuid\": \"u\", \"tag\": \"t\", \"start\": "
      "\"2023-11-14T19:46:40.1234567890Z\"}}",
      400, "invalid_condition", "start" },
    { "{\"key\": \"condition\", \"value\": {\"uuid\": \"u\", \"tag\": \"a/b\", \"start\": 0}}", 400,
      "invalid_condition", "tag" },
    { "{\"key\": \"condition\", \"value\": {\"uuid\": \"u\", \"start\": 0}}", 400,
      "invalid_condition", "tag" },
    { "{\"key\": \"condition\", \"value\": {\"tag\": \"t\", \"start\": 0}}", 400,
      "invalid_condition", "uuid" },
    { long_uuid_open, 400, "invalid_condition", "uuid" },
    { "{\"key\": \"condition\", \"value\": {\"uuid\": \"u\", \"tag\": \"t\", \"start\": 0, "
      "\"payload\": 5}}",
      400, "invalid_condition", "payload" },
    { "{\"key\": \"condition\", \"value\": {\"uuid\": \"u\", \"tag\": \"t\", \"start\": 0, "
      "\"finish\": 1}}",
      400, "invalid_condition", "finish" },
    { "{\"key\": \"condition\", \"value\": {\"uuid\": \"u\", \"tag\": \"t\", \"start\": 0, "
      "\"colour\": 1}}",
      400, "invalid_condition", "colour" },
  };
  g_autoptr (JsonNode) opened = up_expect (
      r,
      "{\"key\": \"condition\", \"value\": {\"uuid\": \"late\", \"tag\": \"t\", \"start\": "
      "\"2026-01-01T12:00:00+02:00\"}}",
      202);
  g_autoptr (JsonNode) early = NULL;
  g_autoptr (JsonNode) old_style = NULL;
  g_autoptr (JsonNode) reopen = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr (JsonNode) node = up_expect (r, cases[i].body, cases[i].status);
      JsonObject *err = json_object_get_object_member (json_node_get_object (node), "error");

      g_test_message ("case %u: %s", i, cases[i].body);
      g_assert_cmpstr (json_object_get_string_member (err, "code"), ==, cases[i].code);
      g_assert_nonnull (strstr (json_object_get_string_member (err, "message"), cases[i].names));
    }

  /* A close before its start is refused; the condition stays open. */
  early = up_expect (r,
                     "{\"key\": \"condition\", \"value\": {\"uuid\": \"late\", \"finish\": "
                     "\"2026-01-01T09:59:59.999Z\"}}",
                     400);
  g_assert_cmpstr (fd_test_error_code (early), ==, "invalid_condition");
  /* A close as clients before PY@9e8e8b5 sent it: "payload" for payloadf. */
  old_style = up_expect (r,
                         "{\"key\": \"condition\", \"value\": {\"uuid\": \"late\", \"payload\": "
                         "{\"x\": 1}, \"finish\": \"2026-01-01T10:00:00Z\"}}",
                         202);
  /* A closed uuid is not opened again. */
  reopen = up_expect (r,
                      "{\"key\": \"condition\", \"value\": {\"uuid\": \"late\", \"tag\": \"t\", "
                      "\"start\": 0}}",
                      400);
  g_assert_cmpstr (fd_test_error_code (reopen), ==, "invalid_condition");
}

/* Everything a device adds to its #status answer or its open conditions is bounded. */
static void
test_limits (void)
{
  g_autoptr (FdTdDevice) d = fd_td_cert_device (shared, "limits");
  g_autoptr (FdTdRaw) r = fd_td_raw_open (shared, d, NULL);
  g_autoptr (JsonNode) over_keys = NULL, again = NULL, cleared = NULL, replaced = NULL;
  g_autoptr (JsonNode) over_open = NULL, closed = NULL, reopened = NULL;

  for (guint i = 0; i < 256; i++)
    {
      g_autofree char *body = g_strdup_printf ("{\"key\": \"k%u\", \"value\": %u}", i, i);
      g_autoptr (JsonNode) node = up_expect (r, body, 202);
    }
  over_keys = up_expect (r, "{\"key\": \"k256\", \"value\": 1}", 400);
  g_assert_cmpstr (fd_test_error_code (over_keys), ==, "invalid_message");
  {
    g_autofree char *text = json_to_string (over_keys, FALSE);
    g_assert_nonnull (strstr (text, "256"));
  }
  /* A key it has may change; a cleared one makes room. */
  again = up_expect (r, "{\"key\": \"k7\", \"value\": \"seven\"}", 202);
  cleared = up_expect (r, "{\"key\": \"k0\", \"value\": null}", 202);
  replaced = up_expect (r, "{\"key\": \"k256\", \"value\": 1}", 202);

  for (guint i = 0; i < 256; i++)
    {
      g_autofree char *body = g_strdup_printf (
          "{\"key\": \"condition\", \"value\": {\"uuid\": \"c%u\", \"tag\": \"t\", "
          "\"start\": %u}}",
          i, i);
      g_autoptr (JsonNode) node = up_expect (r, body, 202);
    }
  over_open = up_expect (
      r, "{\"key\": \"condition\", \"value\": {\"uuid\": \"c256\", \"tag\": \"t\", \"start\": 1}}",
      400);
  g_assert_cmpstr (fd_test_error_code (over_open), ==, "invalid_condition");
  closed = up_expect (r, "{\"key\": \"condition\", \"value\": {\"uuid\": \"c3\", \"finish\": 9}}",
                      202);
  reopened = up_expect (
      r, "{\"key\": \"condition\", \"value\": {\"uuid\": \"c256\", \"tag\": \"t\", \"start\": 1}}",
      202);
}

int
main (int argc, char **argv)
{
  const char *args[] = { "--device-rate=0", NULL };
  int status;

  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/device-messages/status-now", test_status_now);
  g_test_add_func ("/device-messages/conditions", test_conditions);
  g_test_add_func ("/device-messages/condition-refusals", test_condition_refusals);
  g_test_add_func ("/device-messages/limits", test_limits);

  shared = fd_td_server_start (args);
  status = g_test_run ();
  fd_td_server_stop (shared);
  return status;
}
