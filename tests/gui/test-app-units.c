/* test-app-units.c — the desktop app's pure helpers, without a display: how values read
 * (fd-format), what a PEM file is (fd-pem, against certtool's own files), zdevice.json files
 * from an import answer (fd-zdevice), private writes over an existing file (fd-files), and a
 * condition as the Conditions pane lists it (fd-condition-item), and the chart's axis ticks
 * (fd-chart-ticks). */
#include "config.h"

#include <glib/gstdio.h>
#include <locale.h>
#include <sys/stat.h>

#include "fd-chart-ticks.h"
#include "fd-api-client.h"
#include "fd-condition-item.h"
#include "fd-data-page-private.h"
#include "fd-data-row.h"
#include "fd-export-dialog.h"
#include "fd-files.h"
#include "fd-format.h"
#include "fd-pem.h"
#include "fd-schedule-dialog.h"
#include "fd-zdevice.h"

static char *tmp;

static GDateTime *
at (const char *iso)
{
  GDateTime *t = g_date_time_new_from_iso8601 (iso, NULL);

  g_assert_nonnull (t);
  return t;
}

static void
test_ago (void)
{
  g_autoptr (GDateTime) now = at ("2026-12-01T10:00:00.000Z");
  static const struct
  {
    const char *then;
    const char *text;
  } cases[] = {
    { "2026-12-01T10:00:00.000Z", "just now" },    { "2026-12-01T10:00:05.000Z", "just now" },
    { "2026-12-01T09:59:48.000Z", "12 s ago" },    { "2026-12-01T09:55:00.000Z", "5 min ago" },
    { "2026-12-01T07:00:00.000Z", "3 h ago" },     { "2026-11-30T10:00:00.000Z", "1 day ago" },
    { "2026-11-21T09:00:00.000Z", "10 days ago" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *text = fd_format_ago_rfc3339 (cases[i].then, now);
      g_assert_cmpstr (text, ==, cases[i].text);
    }
  g_assert_null (fd_format_ago_rfc3339 (NULL, now));
  g_assert_null (fd_format_ago_rfc3339 ("yesterday", now));
}

static void
test_duration (void)
{
  static const struct
  {
    double seconds;
    const char *text;
  } cases[] = {
    { -3, "0 s" },          { 0.4, "0 s" },
    { 42.9, "42 s" },       { 187, "3 min 07 s" },
    { 3600, "1 h 00 min" }, { 7530, "2 h 05 min" },
    { 86400, "1 d 0 h" },   { 3 * 86400 + 4 * 3600 + 59, "3 d 4 h" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *text = fd_format_duration (cases[i].seconds);
      g_assert_cmpstr (text, ==, cases[i].text);
    }
}

/* A condition as the API lists it: open, its duration following the pane's clock, then closed
 * with the server's duration. */
static void
test_condition_item (void)
{
  g_autoptr (GDateTime) now = g_date_time_new_from_iso8601 ("2026-12-01T12:01:30Z", NULL);
  g_autoptr (GDateTime) later = g_date_time_add_seconds (now, 60);
  g_autoptr (JsonNode) open = json_from_string (
      "{\"uuid\": \"c-1\", \"device_id\": \"dev-1\", \"workspace_id\": \"wks-1\","
      " \"tag\": \"battery_low\", \"payload\": {\"level\": 12}, \"payloadf\": null,"
      " \"start\": \"2026-12-01T12:00:00.000Z\", \"finish\": null, \"duration\": 80,"
      " \"status\": \"open\"}",
      NULL);
  g_autoptr (JsonNode) closed = json_from_string (
      "{\"uuid\": \"c-1\", \"device_id\": \"dev-1\", \"device_name\": \"sensor-01\","
      " \"tag\": \"battery_low\", \"start\": \"2026-12-01T12:00:00.000Z\","
      " \"finish\": \"2026-12-01T12:10:00.000Z\", \"duration\": 600.0, \"status\": \"closed\"}",
      NULL);
  g_autoptr (JsonNode) nameless = json_from_string ("{\"uuid\": \"c-2\", \"tag\": \"t\"}", NULL);
  g_autoptr (FdConditionItem) item = NULL;
  g_autofree char *label = NULL;
  g_autofree char *closed_label = NULL;

  g_assert_null (fd_condition_item_new (json_node_get_object (nameless), now));

  item = fd_condition_item_new (json_node_get_object (open), now);
  g_assert_nonnull (item);
  g_assert_true (fd_condition_item_get_open (item));
  g_assert_cmpstr (fd_condition_item_get_device_name (item), ==, "dev-1"); /* no name: the id */
  g_assert_cmpstr (fd_condition_item_get_payload_label (item), ==, "level 12");
  g_assert_cmpfloat (fd_condition_item_get_duration (item), ==, 90); /* the pane's clock */
  fd_condition_item_tick (item, later);
  g_object_get (item, "duration-label", &label, NULL);
  g_assert_cmpstr (label, ==, "2 min 30 s");

  fd_condition_item_update (item, json_node_get_object (closed), later);
  g_assert_false (fd_condition_item_get_open (item));
  g_assert_cmpstr (fd_condition_item_get_device_name (item), ==, "sensor-01");
  g_assert_cmpfloat (fd_condition_item_get_duration (item), ==, 600);
  fd_condition_item_tick (item, later); /* a closed one does not tick */
  g_object_get (item, "duration-label", &closed_label, NULL);
  g_assert_cmpstr (closed_label, ==, "10 min 00 s");
  g_assert_cmpstr (fd_condition_item_get_payload_label (item), ==, "level 12"); /* kept */
}

static void
test_expiry (void)
{
  g_autoptr (GDateTime) now = at ("2026-12-01T10:00:00.000Z");
  static const struct
  {
    const char *when;
    const char *text;
    FdExpiry state;
  } cases[] = {
    { NULL, "Never expires", FD_EXPIRY_NEVER },
    { "2036-11-28T10:00:00.000Z", "Expires in 10 years", FD_EXPIRY_LATER },
    { "2026-12-04T10:00:00.000Z", "Expires in 3 days", FD_EXPIRY_SOON },
    { "2026-12-01T12:00:00.000Z", "Expires in 2 hours", FD_EXPIRY_SOON },
    { "2027-03-01T10:00:00.000Z", "Expires in 3 months", FD_EXPIRY_LATER },
    { "2026-11-29T10:00:00.000Z", "Expired 2 days ago", FD_EXPIRY_EXPIRED },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      FdExpiry state = -1;
      g_autofree char *text = fd_format_expiry (cases[i].when, now, &state);

      g_assert_cmpstr (text, ==, cases[i].text);
      g_assert_cmpint (state, ==, cases[i].state);
    }
}

static void
test_payload (void)
{
  static const struct
  {
    const char *json;
    guint max;
    const char *text;
  } cases[] = {
    /* In the order sent, nested objects flattened. */
    { "{\"temp\": 21.5, \"hum\": 40, \"env\": {\"co2\": 412}}", 12,
      "temp 21.5 · hum 40 · env.co2 412" },
    { "{\"z\": 1, \"a\": {\"b\": {\"c\": true}}, \"s\": \"ok\", \"n\": null}", 12,
      "z 1 · a.b.c true · s ok · n null" },
    { "{\"v\": [1, 2, 3]}", 12, "v [1,2,3]" },
    { "{\"v\": [1111111111, 2222222222, 3333333333, 4444444444]}", 12, "v [4 values]" },
    { "{\"a\": 1, \"b\": 2, \"c\": 3, \"d\": 4}", 2, "a 1 · b 2 · + 2 more fields" },
    { "{\"name\": \"a string that goes on and on for far too long to show\"}", 12,
      "name a string that goes on and on for far too…" },
    { "{}", 12, "(no fields)" },
    { "{\"x\": 0.1, \"y\": -3e-7}", 12, "x 0.1 · y -3e-07" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr (JsonNode) node = json_from_string (cases[i].json, NULL);
      g_autofree char *text = fd_format_payload (node, cases[i].max);

      g_assert_cmpstr (text, ==, cases[i].text);
    }
}

static void
test_fingerprint (void)
{
  const char *hex = "3f9a12bc0000000000000000000000000000000000000000000000000000c211";
  g_autofree char *shortened = fd_format_fingerprint (hex, FALSE);
  g_autofree char *full = fd_format_fingerprint (hex, TRUE);
  g_autofree char *other = fd_format_fingerprint ("not-hex", FALSE);

  g_assert_cmpstr (shortened, ==, "3F:9A:…:C2:11");
  g_assert_true (g_str_has_prefix (full, "3F:9A:12:BC:00:"));
  g_assert_cmpuint (strlen (full), ==, 32 * 3 - 1);
  g_assert_cmpstr (other, ==, "not-hex");
  g_assert_cmpstr (fd_format_credential_kind ("key", "cloud_token"), ==, "Cloud token");
  g_assert_cmpstr (fd_format_credential_kind ("csr", NULL), ==, "Signed CSR");
  g_assert_cmpstr (fd_format_credential_kind (NULL, NULL), ==, "None");
}

/* certtool's output for @what with a new key, as text; the key in @key_text if not NULL. */
static char *
certtool (const char *what, char **key_text)
{
  g_autofree char *key = g_build_filename (tmp, "k.pem", NULL);
  g_autofree char *tmpl = g_build_filename (tmp, "t.cfg", NULL);
  g_autofree char *out = g_build_filename (tmp, "out.pem", NULL);
  const char *genkey[]
      = { "certtool", "--generate-privkey", "--key-type=ecdsa", "--outfile", key, NULL };
  const char *make[]
      = { "certtool", what, "--load-privkey", key, "--template", tmpl, "--outfile", out, NULL };
  char *text = NULL;
  int status = 0;

  g_assert_true (g_file_set_contents (tmpl, "cn = \"unit\"\nexpiration_days = 2\n", -1, NULL));
  g_assert_true (
      g_spawn_sync (NULL, (char **)genkey, NULL,
                    G_SPAWN_SEARCH_PATH | G_SPAWN_STDOUT_TO_DEV_NULL | G_SPAWN_STDERR_TO_DEV_NULL,
                    NULL, NULL, NULL, NULL, &status, NULL));
  g_assert_cmpint (status, ==, 0);
  g_assert_true (
      g_spawn_sync (NULL, (char **)make, NULL,
                    G_SPAWN_SEARCH_PATH | G_SPAWN_STDOUT_TO_DEV_NULL | G_SPAWN_STDERR_TO_DEV_NULL,
                    NULL, NULL, NULL, NULL, &status, NULL));
  g_assert_cmpint (status, ==, 0);
  g_assert_true (g_file_get_contents (out, &text, NULL, NULL));
  if (key_text != NULL)
    g_assert_true (g_file_get_contents (key, key_text, NULL, NULL));
  return text;
}

static void
test_pem (void)
{
  g_autofree char *key = NULL;
  g_autofree char *cert = certtool ("--generate-self-signed", &key);
  g_autofree char *csr = certtool ("--generate-request", NULL);
  g_autofree char *chain = g_strconcat (cert, cert, NULL);
  g_autofree char *explained = g_strconcat ("Issued for the lab\n", cert, "thanks\n", NULL);
  g_autoptr (GError) error = NULL;
  FdPemKind kind;

  g_assert_true (fd_pem_classify (cert, strlen (cert), &kind, &error));
  g_assert_no_error (error);
  g_assert_cmpint (kind, ==, FD_PEM_CERTIFICATE);
  g_assert_true (fd_pem_classify (explained, strlen (explained), &kind, NULL));
  g_assert_cmpint (kind, ==, FD_PEM_CERTIFICATE);
  g_assert_true (fd_pem_classify (csr, strlen (csr), &kind, NULL));
  g_assert_cmpint (kind, ==, FD_PEM_CSR);

  g_assert_false (fd_pem_classify (key, strlen (key), &kind, &error));
  g_assert_error (error, FD_PEM_ERROR, FD_PEM_ERROR_PRIVATE_KEY);
  g_clear_error (&error);
  g_assert_false (fd_pem_classify (chain, strlen (chain), &kind, &error));
  g_assert_error (error, FD_PEM_ERROR, FD_PEM_ERROR_SEVERAL);
  g_clear_error (&error);
  g_assert_false (fd_pem_classify ("hello", 5, &kind, &error));
  g_assert_error (error, FD_PEM_ERROR, FD_PEM_ERROR_NOT_PEM);
  g_clear_error (&error);
  g_assert_false (fd_pem_classify ("\xff\xfe", 2, &kind, &error));
  g_assert_error (error, FD_PEM_ERROR, FD_PEM_ERROR_NOT_PEM);
  g_clear_error (&error);
  g_assert_false (fd_pem_classify ("-----BEGIN PUBLIC KEY-----\nAA\n-----END PUBLIC KEY-----\n", 54,
                                   &kind, &error));
  g_assert_error (error, FD_PEM_ERROR, FD_PEM_ERROR_OTHER_LABEL);
}

static void
test_zdevice (void)
{
  g_autoptr (JsonNode) endpoint = json_from_string (
      "{\"host\": \"lab\", \"port\": 8883, \"mode\": \"secure\", \"https_port\": 7443}", NULL);
  g_autoptr (JsonNode) key = json_from_string (
      "{\"kind\": \"key\", \"mode\": \"device_token\", \"key_id\": 2, \"secret\": \"c2VjcmV0\"}",
      NULL);
  g_autoptr (JsonNode) cert = json_from_string (
      "{\"kind\": \"csr\", \"certificate\": \"CERT\", \"key_id\": null, \"mode\": null}", NULL);
  g_autoptr (JsonNode) a = fd_zdevice_from_import (json_node_get_object (key), "dev-a",
                                                   json_node_get_object (endpoint), "CA");
  g_autoptr (JsonNode) b = fd_zdevice_from_import (json_node_get_object (cert), "dev-b",
                                                   json_node_get_object (endpoint), "CA");
  g_autofree char *a_text = json_to_string (a, FALSE);
  g_autofree char *b_text = json_to_string (b, FALSE);
  g_autofree char *n1 = fd_zdevice_file_name ("sensor 1");
  g_autofree char *n2 = fd_zdevice_file_name ("../etc/pass\nwd");
  g_autofree char *n3 = fd_zdevice_file_name ("");

  /* The layout of the server's own zdevice (server/api/fd-api-provision-json.c). */
  g_assert_cmpstr (a_text, ==,
                   "{\"devinfo\":{\"device_id\":\"dev-a\",\"mode\":\"device_token\",\"key_id\":2,"
                   "\"key_type\":\"sym\"},\"prvkey\":\"c2VjcmV0\",\"endpoint\":{\"host\":\"lab\","
                   "\"port\":8883,\"mode\":\"secure\",\"https_port\":7443},\"cacert\":\"CA\"}");
  g_assert_cmpstr (b_text, ==,
                   "{\"devinfo\":{\"device_id\":\"dev-b\",\"mode\":\"certificate\"},\"prvkey\":"
                   "\"\",\"endpoint\":{\"host\":\"lab\",\"port\":8883,\"mode\":\"secure\","
                   "\"https_port\":7443},\"cacert\":\"CA\",\"clicert\":\"CERT\"}");
  g_assert_true (fd_zdevice_has_secret (a));
  g_assert_false (fd_zdevice_has_secret (b));
  g_assert_cmpstr (n1, ==, "sensor 1.zdevice.json");
  g_assert_cmpstr (n2, ==, "_._etc_pass_wd.zdevice.json");
  g_assert_cmpstr (n3, ==, "device.zdevice.json");
}

static void
done_cb (GObject *source, GAsyncResult *result, gpointer data)
{
  *(GAsyncResult **)data = g_object_ref (result);
}

static GAsyncResult *
wait_result (GAsyncResult **slot)
{
  while (*slot == NULL)
    g_main_context_iteration (NULL, TRUE);
  return *slot;
}

/* Saved over a file anyone could read, the secret is private all the same. */
static void
test_write_private (void)
{
  g_autofree char *path = g_build_filename (tmp, "old.zdevice.json", NULL);
  g_autoptr (GFile) file = g_file_new_for_path (path);
  g_autoptr (GBytes) bytes = g_bytes_new_static ("{\"prvkey\": \"secret\"}\n", 21);
  g_autoptr (GAsyncResult) result = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *text = NULL;
  GStatBuf st;

  g_assert_true (g_file_set_contents (path, "old", -1, NULL));
  g_assert_cmpint (g_chmod (path, 0644), ==, 0);
  fd_files_write_private_async (file, bytes, NULL, done_cb, &result);
  g_assert_true (fd_files_write_private_finish (wait_result (&result), &error));
  g_assert_no_error (error);
  g_assert_cmpint (g_stat (path, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 07777, ==, 0600);
  g_assert_true (g_file_get_contents (path, &text, NULL, NULL));
  g_assert_cmpstr (text, ==, "{\"prvkey\": \"secret\"}\n");
}

static void
test_read_bounded (void)
{
  g_autofree char *path = g_build_filename (tmp, "big.csv", NULL);
  g_autoptr (GFile) file = g_file_new_for_path (path);
  g_autoptr (GAsyncResult) small = NULL;
  g_autoptr (GAsyncResult) big = NULL;
  g_autoptr (GBytes) bytes = NULL;
  g_autoptr (GError) error = NULL;

  g_assert_true (g_file_set_contents (path, "0123456789", -1, NULL));
  fd_files_read_async (file, 10, NULL, done_cb, &small);
  bytes = fd_files_read_finish (wait_result (&small), &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_bytes_get_size (bytes), ==, 10);

  fd_files_read_async (file, 9, NULL, done_cb, &big);
  g_assert_null (fd_files_read_finish (wait_result (&big), &error));
  g_assert_error (error, FD_FILES_ERROR, FD_FILES_ERROR_TOO_LARGE);
  g_assert_nonnull (strstr (error->message, "big.csv"));
}

/* The labels of the ticks fd_chart_time_ticks() chooses, "label|context" joined by spaces. */
static char *
time_ticks (const char *start, const char *end, guint max_ticks, GTimeZone *tz)
{
  g_autoptr (GDateTime) from = at (start);
  g_autoptr (GDateTime) to = at (end);
  FdChartTimeTick ticks[FD_CHART_MAX_TIME_TICKS];
  GString *text = g_string_new (NULL);
  guint n = fd_chart_time_ticks (g_date_time_to_unix (from) * 1000, g_date_time_to_unix (to) * 1000,
                                 max_ticks, tz, ticks, NULL);

  g_assert_cmpuint (n, <=, max_ticks);
  for (guint i = 0; i < n; i++)
    {
      if (i > 0)
        g_string_append_c (text, ' ');
      g_string_append (text, ticks[i].label);
      if (ticks[i].context[0] != '\0')
        g_string_append_printf (text, "|%s", ticks[i].context);
    }
  return g_string_free (text, FALSE);
}

static void
test_chart_time_ticks (void)
{
  g_autoptr (GTimeZone) utc = g_time_zone_new_utc ();
  g_autoptr (GTimeZone) india = g_time_zone_new_identifier ("+05:30");
  g_autoptr (GTimeZone) rome = g_time_zone_new_identifier ("Europe/Rome");
  static const struct
  {
    const char *start, *end;
    guint max_ticks;
    const char *labels;
  } cases[] = {
    /* 1 minute: every 10 s, the day once */
    { "2026-12-01T14:03:00Z", "2026-12-01T14:04:00Z", 8,
      "14:03:00|Tue 1 Dec 14:03:10 14:03:20 14:03:30 14:03:40 14:03:50 14:04:00" },
    /* ranges that do not start on a tick */
    { "2026-12-01T14:03:07Z", "2026-12-01T14:04:07Z", 8,
      "14:03:10|Tue 1 Dec 14:03:20 14:03:30 14:03:40 14:03:50 14:04:00" },
    /* 2 hours: every 30 min, or 15 with more room */
    { "2026-12-01T12:00:00Z", "2026-12-01T14:00:00Z", 8,
      "12:00|Tue 1 Dec 12:30 13:00 13:30 14:00" },
    { "2026-12-01T12:00:00Z", "2026-12-01T14:00:00Z", 10,
      "12:00|Tue 1 Dec 12:15 12:30 12:45 13:00 13:15 13:30 13:45 14:00" },
    /* 3 days: every 12 h with the day where it changes, or one tick a day */
    { "2026-12-01T00:00:00Z", "2026-12-04T00:00:00Z", 8,
      "00:00|Tue 1 Dec 12:00 00:00|Wed 2 Dec 12:00 00:00|Thu 3 Dec 12:00 00:00|Fri 4 Dec" },
    { "2026-12-01T05:00:00Z", "2026-12-04T05:00:00Z", 5, "Wed 2|December 2026 Thu 3 Fri 4" },
    /* 2 months: the 1st and the 16th, the month where it changes; or weeks from Monday */
    { "2026-11-15T00:00:00Z", "2027-01-15T00:00:00Z", 8,
      "Mon 16|November 2026 Tue 1|December 2026 Wed 16 Fri 1|January 2027" },
    { "2026-11-15T00:00:00Z", "2027-01-15T00:00:00Z", 12,
      "Mon 16|November 2026 Mon 23 Mon 30 Mon 7|December 2026 Mon 14 Mon 21 Mon 28 "
      "Mon 4|January 2027 Mon 11" },
    /* 3 years: every 6 months with the year, or every year */
    { "2024-01-01T00:00:00Z", "2027-01-01T00:00:00Z", 8,
      "Jan|2024 Jul Jan|2025 Jul Jan|2026 Jul Jan|2027" },
    { "2024-01-01T00:00:00Z", "2027-01-01T00:00:00Z", 4, "2024 2025 2026 2027" },
    /* decades */
    { "1990-06-01T00:00:00Z", "2026-06-01T00:00:00Z", 6, "2000 2010 2020" },
    /* sub-second */
    { "2026-12-01T14:03:00Z", "2026-12-01T14:03:01Z", 6,
      "14:03:00.000|Tue 1 Dec 14:03:00.200 14:03:00.400 14:03:00.600 14:03:00.800 14:03:01.000" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *labels = time_ticks (cases[i].start, cases[i].end, cases[i].max_ticks, utc);
      g_assert_cmpstr (labels, ==, cases[i].labels);
    }

  /* Local time: ticks on the local hour, also where the offset is not whole hours. */
  {
    g_autofree char *labels = time_ticks ("2026-12-01T12:00:00Z", "2026-12-01T14:00:00Z", 8, india);
    g_assert_cmpstr (labels, ==, "17:30|Tue 1 Dec 18:00 18:30 19:00 19:30");
  }
  {
    /* One tick a day at local midnight, and the month in Rome's time. */
    g_autofree char *labels = time_ticks ("2026-11-29T12:00:00Z", "2026-12-02T12:00:00Z", 5, rome);
    g_assert_cmpstr (labels, ==, "Mon 30|November 2026 Tue 1|December 2026 Wed 2");
  }
  {
    /* Across the end of daylight saving time (25 October 2026, 03:00 → 02:00 in Rome). */
    g_autofree char *labels = time_ticks ("2026-10-24T22:00:00Z", "2026-10-25T10:00:00Z", 8, rome);
    g_assert_cmpstr (labels, ==, "00:00|Sun 25 Oct 02:00 04:00 06:00 08:00 10:00");
  }
}

static void
test_chart_value_ticks (void)
{
  static const struct
  {
    double span;
    guint max_ticks;
    double step;
  } steps[] = {
    { 5.5, 5, 2 }, { 0.37, 4, 0.1 },  { 1234, 6, 500 }, { 10, 5, 2 },
    { 10, 10, 1 }, { 3e-4, 3, 1e-4 }, { 8e6, 4, 2e6 },  { 0, 4, 1 },
  };
  static const struct
  {
    double value, step;
    const char *unit, *text;
  } values[] = {
    { 20, 2, "°C", "20 °C" },
    { 0.30000000000000004, 0.1, NULL, "0.3" },
    { -2.7755575615628914e-17, 0.1, NULL, "0.0" },
    { 1500, 500, "W", "1500 W" },
    { 0.015, 0.005, "", "0.015" },
    { -5, 5, "%", "-5 %" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (steps); i++)
    g_assert_cmpfloat_with_epsilon (fd_chart_nice_step (steps[i].span, steps[i].max_ticks),
                                    steps[i].step, steps[i].step * 1e-9);
  for (guint i = 0; i < G_N_ELEMENTS (values); i++)
    {
      g_autofree char *text
          = fd_chart_format_value (values[i].value, values[i].step, values[i].unit);
      g_assert_cmpstr (text, ==, values[i].text);
    }
}

/* The custom range's time of day: what a person types, and what is refused. */
static void
test_time_of_day (void)
{
  int seconds = -1;

  g_assert_true (fd_data_page_parse_time_of_day ("10:00", &seconds));
  g_assert_cmpint (seconds, ==, 36000);
  g_assert_true (fd_data_page_parse_time_of_day (" 9:05 ", &seconds));
  g_assert_cmpint (seconds, ==, 9 * 3600 + 5 * 60);
  g_assert_true (fd_data_page_parse_time_of_day ("23:59:59", &seconds));
  g_assert_cmpint (seconds, ==, 86399);
  g_assert_false (fd_data_page_parse_time_of_day ("24:00", &seconds));
  g_assert_false (fd_data_page_parse_time_of_day ("12:60", &seconds));
  g_assert_false (fd_data_page_parse_time_of_day ("12", &seconds));
  g_assert_false (fd_data_page_parse_time_of_day ("12:00 pm", &seconds));
  g_assert_false (fd_data_page_parse_time_of_day ("12:00:00:00", &seconds));
  g_assert_false (fd_data_page_parse_time_of_day ("", &seconds));
  g_assert_false (fd_data_page_parse_time_of_day (NULL, &seconds));
}

/* A raw reading as the table shows it: its time in local time with milliseconds. */
static void
test_data_row (void)
{
  g_autoptr (JsonNode) node = json_from_string (
      "{\"timestamp_device\": \"2026-11-27T10:00:00.123Z\", \"device_id\": \"dev-x\", "
      "\"fleet_id\": \"flt-y\", \"tag\": \"weather\", \"payload\": {\"temp\": 21.5}}",
      NULL);
  g_autoptr (FdDataRow) row = fd_data_row_new (json_node_get_object (node), "probe", NULL);
  g_autoptr (FdDataRow) loading = fd_data_row_new_loading ();
  g_autoptr (GDateTime) utc = g_date_time_new_utc (2026, 11, 27, 10, 0, 0.123);
  g_autoptr (GDateTime) local = g_date_time_to_local (utc);
  g_autofree char *seconds = g_date_time_format (local, "%Y-%m-%d %H:%M:%S");
  g_autofree char *expected = g_strdup_printf ("%s.123", seconds);

  g_assert_nonnull (row);
  g_assert_cmpstr (fd_data_row_get_time (row), ==, expected);
  g_assert_cmpint (fd_data_row_get_timestamp (row), ==, G_GINT64_CONSTANT (1795773600123));
  g_assert_cmpstr (fd_data_row_get_device (row), ==, "probe");
  g_assert_cmpstr (fd_data_row_get_fleet (row), ==, "flt-y");
  g_assert_cmpstr (fd_data_row_get_payload (row), ==, "temp 21.5");
  g_assert_false (fd_data_row_get_loading (row));
  g_assert_true (fd_data_row_get_loading (loading));
  g_assert_cmpstr (fd_data_row_get_time (loading), ==, "Loading…");

  json_object_remove_member (json_node_get_object (node), "timestamp_device");
  g_assert_null (fd_data_row_new (json_node_get_object (node), NULL, NULL));
}

static char *
local_stamp (const char *rfc3339)
{
  g_autoptr (GDateTime) utc = g_date_time_new_from_iso8601 (rfc3339, NULL);
  g_autoptr (GDateTime) local = g_date_time_to_local (utc);

  return g_date_time_format (local, "%Y%m%d-%H%M");
}

static void
test_export_name (void)
{
  char *one[] = { (char *)"sensors/temp 1", NULL };
  char *two[] = { (char *)"temp", (char *)"hum", NULL };
  FdExportSelection selection = {
    .workspace_id = (char *)"wks-x",
    .tags = one,
    .start = (char *)"2026-11-27T10:00:00.000Z",
    .end = (char *)"2026-11-28T10:30:00Z",
  };
  g_autofree char *start = local_stamp (selection.start);
  g_autofree char *end = local_stamp (selection.end);
  g_autofree char *expected = g_strdup_printf ("sensors_temp_1-%s-%s.csv", start, end);
  g_autofree char *name = fd_export_suggested_name (&selection, "csv");
  g_autofree char *several = NULL;
  g_autofree char *open = NULL;

  /* No '/' (a folder) nor spaces from a tag in the file name. */
  g_assert_cmpstr (name, ==, expected);
  selection.tags = two;
  several = fd_export_suggested_name (&selection, "ndjson");
  g_assert_true (g_str_has_prefix (several, "all-"));
  g_assert_true (g_str_has_suffix (several, ".ndjson"));
  selection.tags = NULL;
  selection.start = NULL;
  open = fd_export_suggested_name (&selection, "json");
  g_assert_true (g_str_has_prefix (open, "all-start-"));
}

static void
test_schedule_time (void)
{
  const char *good[] = { "00:00", "02:30", "23:59" };
  const char *bad[] = { "24:00", "2:30", "12:60", "ab:cd", "12:3", "12:300", "", "12.30" };

  for (guint i = 0; i < G_N_ELEMENTS (good); i++)
    g_assert_true (fd_schedule_time_is_valid (good[i]));
  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    g_assert_false (fd_schedule_time_is_valid (bad[i]));
  g_assert_false (fd_schedule_time_is_valid (NULL));
}

/* A server that answers by hand, so that it can also stop half way: /ok sends the body whole,
 * /busy a 409 with the API's error, /cut promises more than it sends and hangs up. */
static gboolean
serve_cb (GThreadedSocketService *service, GSocketConnection *connection, GObject *source,
          gpointer data)
{
  GInputStream *in = g_io_stream_get_input_stream (G_IO_STREAM (connection));
  GOutputStream *out = g_io_stream_get_output_stream (G_IO_STREAM (connection));
  g_autoptr (GString) request = g_string_new (NULL);
  const char *answer;
  char buffer[1024];

  while (strstr (request->str, "\r\n\r\n") == NULL)
    {
      gssize n = g_input_stream_read (in, buffer, sizeof buffer, NULL, NULL);
      if (n <= 0)
        return TRUE;
      g_string_append_len (request, buffer, n);
    }
  if (g_str_has_prefix (request->str, "GET /api/v1/ok "))
    answer
        = "HTTP/1.1 200 OK\r\nContent-Type: text/csv\r\nContent-Length: 12\r\n\r\na,b\r\n1,2\r\n..";
  else if (g_str_has_prefix (request->str, "GET /api/v1/busy "))
    answer = "HTTP/1.1 409 Conflict\r\nContent-Type: application/json\r\nContent-Length: 63\r\n\r\n"
             "{\"error\":{\"code\":\"not_ready\",\"message\":\"export is running\"}}  ";
  else
    answer = "HTTP/1.1 200 OK\r\nContent-Type: text/csv\r\nContent-Length: 100000\r\n\r\na,b\r\n1,";
  g_output_stream_write_all (out, answer, strlen (answer), NULL, NULL, NULL);
  g_io_stream_close (G_IO_STREAM (connection), NULL, NULL);
  return TRUE;
}

static gboolean
folder_is_empty_but (const char *folder, const char *name)
{
  g_autoptr (GDir) dir = g_dir_open (folder, 0, NULL);
  const char *entry;

  while ((entry = g_dir_read_name (dir)) != NULL)
    if (name == NULL || !g_str_equal (entry, name))
      return FALSE;
  return TRUE;
}

static void
test_download (void)
{
  g_autoptr (GSocketService) service = g_threaded_socket_service_new (2);
  g_autoptr (GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr (GSocketAddress) address = g_inet_socket_address_new (loopback, 0);
  g_autoptr (GSocketAddress) bound = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (FdApiClient) client = NULL;
  g_autofree char *url = NULL;
  g_autofree char *folder = g_build_filename (tmp, "downloads", NULL);
  g_autofree char *path = g_build_filename (folder, "out.csv", NULL);
  g_autoptr (GFile) file = g_file_new_for_path (path);
  g_autofree char *content = NULL;
  g_autoptr (GAsyncResult) ok = NULL;
  g_autoptr (GAsyncResult) busy = NULL;
  g_autoptr (GAsyncResult) cut = NULL;

  g_assert_cmpint (g_mkdir (folder, 0700), ==, 0);
  g_signal_connect (service, "run", G_CALLBACK (serve_cb), NULL);
  g_assert_true (g_socket_listener_add_address (G_SOCKET_LISTENER (service), address,
                                                G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, NULL,
                                                &bound, &error));
  g_assert_no_error (error);
  url = g_strdup_printf ("http://127.0.0.1:%u",
                         g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound)));
  client = fd_api_client_new (url, "secret");

  fd_api_client_download_async (client, "/ok", file, NULL, done_cb, &ok);
  g_assert_cmpint (fd_api_client_download_finish (client, wait_result (&ok), &error), ==, 12);
  g_assert_no_error (error);
  g_assert_true (g_file_get_contents (path, &content, NULL, NULL));
  g_assert_cmpstr (content, ==, "a,b\r\n1,2\r\n..");
  g_assert_true (folder_is_empty_but (folder, "out.csv"));

  /* An error answer is the API's message, and the file already there stays as it was. */
  fd_api_client_download_async (client, "/busy", file, NULL, done_cb, &busy);
  g_assert_cmpint (fd_api_client_download_finish (client, wait_result (&busy), &error), <, 0);
  g_assert_error (error, FD_API_ERROR, FD_API_ERROR_UNKNOWN);
  g_assert_cmpstr (error->message, ==, "export is running");
  g_clear_error (&error);

  /* Cut short: an error, the old file untouched, no partial file left in the folder. */
  fd_api_client_download_async (client, "/cut", file, NULL, done_cb, &cut);
  g_assert_cmpint (fd_api_client_download_finish (client, wait_result (&cut), &error), <, 0);
  g_assert_nonnull (error);
  g_clear_pointer (&content, g_free);
  g_assert_true (g_file_get_contents (path, &content, NULL, NULL));
  g_assert_cmpstr (content, ==, "a,b\r\n1,2\r\n..");
  g_assert_true (folder_is_empty_but (folder, "out.csv"));

  g_socket_service_stop (service);
}

int
main (int argc, char *argv[])
{
  g_autoptr (GError) error = NULL;
  int status;

  setlocale (LC_ALL, "C.UTF-8");
  g_test_init (&argc, &argv, NULL);
  tmp = g_dir_make_tmp ("fleetdesk-app-units-XXXXXX", &error);
  g_assert_no_error (error);

  g_test_add_func ("/app/format/ago", test_ago);
  g_test_add_func ("/app/export/suggested-name", test_export_name);
  g_test_add_func ("/app/export/schedule-time", test_schedule_time);
  g_test_add_func ("/app/export/download", test_download);
  g_test_add_func ("/app/format/expiry", test_expiry);
  g_test_add_func ("/app/format/duration", test_duration);
  g_test_add_func ("/app/condition-item", test_condition_item);
  g_test_add_func ("/app/format/payload", test_payload);
  g_test_add_func ("/app/data/time-of-day", test_time_of_day);
  g_test_add_func ("/app/data/row", test_data_row);
  g_test_add_func ("/app/format/fingerprint", test_fingerprint);
  g_test_add_func ("/app/pem", test_pem);
  g_test_add_func ("/app/zdevice", test_zdevice);
  g_test_add_func ("/app/files/write-private", test_write_private);
  g_test_add_func ("/app/files/read-bounded", test_read_bounded);
  g_test_add_func ("/app/chart/time-ticks", test_chart_time_ticks);
  g_test_add_func ("/app/chart/value-ticks", test_chart_value_ticks);
  status = g_test_run ();

  {
    const char *rm[] = { "rm", "-rf", tmp, NULL };
    g_spawn_sync (NULL, (char **)rm, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, NULL, NULL, NULL, NULL);
  }
  g_free (tmp);
  return status;
}
