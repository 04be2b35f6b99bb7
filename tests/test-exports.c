/* test-exports.c — one-off exports against a real server with HTTPS devices: CSV escaping read
 * back by Python's csv module and by libcsv, JSON and NDJSON holding exactly the rows of the
 * range, columns=fields with nested paths, and the 400s of a bad request. */
#include "fd-test-cli.h"
#include "fd-test-exports.h"

#include <csv.h>
#include <glib/gstdio.h>
#include <string.h>

static FdTdServer *shared;

static char *
rfc3339 (gint64 ms)
{
  g_autoptr (GDateTime) dt = g_date_time_new_from_unix_utc (ms / 1000);
  g_autofree char *base = g_date_time_format (dt, "%Y-%m-%dT%H:%M:%S");
  return g_strdup_printf ("%s.%03dZ", base, (int)(ms % 1000));
}

/* Posts @payloads (JSON texts) as one batch with device times @t0, @t0 + @step, … */
static void
post_batch (const FdTdDevice *d, const char *tag, const char *const *payloads, guint n, gint64 t0,
            gint64 step)
{
  g_autoptr (FdTdRaw) raw = fd_te_device_connect (shared, d);
  g_autoptr (GString) body = g_string_new ("[");

  for (guint i = 0; i < n; i++)
    g_string_append_printf (body, "%s{\"ts\":%" G_GINT64_FORMAT ",\"payload\":%s}", i ? "," : "",
                            t0 + (gint64)i * step, payloads[i]);
  g_string_append_c (body, ']');
  fd_te_post_data (raw, tag, body->str);
}

static char *
export_file (FdTestServer *srv, const char *workspace, const char *body, const char *type,
             JsonNode **object)
{
  g_autofree char *id = fd_tx_start (srv, workspace, body);
  g_autoptr (JsonNode) done = fd_tx_wait (srv, id);
  g_autofree char *content_type = NULL;
  g_autoptr (GBytes) bytes = NULL;
  guint status = 0;

  g_assert_cmpstr (fd_test_str (done, "state"), ==, "done");
  g_assert_cmpfloat (json_object_get_double_member (json_node_get_object (done), "progress"), ==,
                     1.0);
  bytes = fd_tx_download (srv, id, &content_type, &status);
  g_assert_cmpuint (status, ==, 200);
  g_assert_true (g_str_has_prefix (content_type, type));
  g_assert_cmpint (fd_test_int (done, "bytes"), ==, (gint64)g_bytes_get_size (bytes));
  if (object != NULL)
    *object = json_node_ref (done);
  return g_strndup (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes));
}

/* The rows of CSV @text as Python's csv module reads them: a JSON array of arrays. */
static JsonArray *
python_csv (const char *text, JsonNode **owner)
{
  g_autofree char *dir = g_dir_make_tmp ("fd-csv-XXXXXX", NULL);
  g_autofree char *path = fd_test_write_file (dir, "export.csv", text);
  const char *argv[] = { "python3", "-c",
                         "import csv, json, sys\n"
                         "with open(sys.argv[1], newline='', encoding='utf-8') as f:\n"
                         "    print(json.dumps(list(csv.reader(f, strict=True))))\n",
                         path, NULL };
  g_autofree char *out = NULL, *err = NULL;
  g_autoptr (GError) error = NULL;

  g_assert_cmpint (fd_test_run (argv, &out, &err), ==, 0);
  fd_test_rm_rf (dir);
  *owner = json_from_string (out, &error);
  g_assert_no_error (error);
  return json_node_get_array (*owner);
}

typedef struct
{
  GPtrArray *rows; /* GPtrArray of char* */
  GPtrArray *row;
} LibcsvRows;

static void
libcsv_field (void *data, size_t len, void *user_data)
{
  LibcsvRows *r = user_data;
  if (r->row == NULL)
    r->row = g_ptr_array_new_with_free_func (g_free);
  g_ptr_array_add (r->row, g_strndup (data, len));
}

static void
libcsv_row (int c, void *user_data)
{
  LibcsvRows *r = user_data;
  g_ptr_array_add (r->rows, r->row);
  r->row = NULL;
}

/* The rows of CSV @text as libcsv's strict parser reads them. */
static GPtrArray *
libcsv_parse (const char *text)
{
  struct csv_parser p;
  LibcsvRows r = { .rows = g_ptr_array_new_with_free_func ((GDestroyNotify)g_ptr_array_unref) };
  gsize len = strlen (text);

  g_assert_cmpint (csv_init (&p, CSV_STRICT | CSV_STRICT_FINI), ==, 0);
  g_assert_cmpuint (csv_parse (&p, text, len, libcsv_field, libcsv_row, &r), ==, len);
  g_assert_cmpint (csv_fini (&p, libcsv_field, libcsv_row, &r), ==, 0);
  csv_free (&p);
  g_assert_null (r.row);
  return r.rows;
}

static void
assert_same_rows (JsonArray *python, GPtrArray *libcsv, char ***expected, guint n_expected)
{
  g_assert_cmpuint (json_array_get_length (python), ==, n_expected);
  g_assert_cmpuint (libcsv->len, ==, n_expected);
  for (guint i = 0; i < n_expected; i++)
    {
      JsonArray *prow = json_array_get_array_element (python, i);
      GPtrArray *lrow = g_ptr_array_index (libcsv, i);
      guint n = g_strv_length (expected[i]);

      g_assert_cmpuint (json_array_get_length (prow), ==, n);
      g_assert_cmpuint (lrow->len, ==, n);
      for (guint j = 0; j < n; j++)
        {
          g_assert_cmpstr (json_array_get_string_element (prow, j), ==, expected[i][j]);
          g_assert_cmpstr (g_ptr_array_index (lrow, j), ==, expected[i][j]);
        }
    }
}

/* Payloads with commas, quotes, escaped newlines and UTF-8 come back exactly: the payload
 * column holds the stored JSON text, the field columns the decoded strings (with real line
 * breaks, quotes and commas), whichever RFC 4180 reader reads them. */
static void
test_csv_escaping (void)
{
  static const char *const payloads[] = {
    "{\"s\":\"a,b\"}",
    "{\"s\":\"say \\\"hi\\\", then go\"}",
    "{\"s\":\"line1\\nline2\\r\\nline3\"}",
    "{\"s\":\"UTF-8: \u00e9 \u00fc \u65e5\u672c \\ud83d\\ude80 \xf0\x9f\x9a\x80\"}",
    "{\"n\":1.50e3,\"s\":\"\"}",
    "{\"s\":\"\\\"\\\"\\\"\"}",
  };
  static const char *const decoded[] = {
    "a,b",
    "say \"hi\", then go",
    "line1\nline2\r\nline3",
    "UTF-8: \u00e9 \u00fc \u65e5\u672c \xf0\x9f\x9a\x80 \xf0\x9f\x9a\x80",
    "",
    "\"\"\"",
  };
  const guint n = G_N_ELEMENTS (payloads);
  g_autoptr (FdTdDevice) d = fd_td_cert_device (shared, "csv-escaping");
  gint64 t0 = 1764000000123;
  g_autofree char *body
      = g_strdup_printf ("{\"format\":\"csv\",\"devices\":[\"%s\"],\"tags\":[\"esc\"]}", d->id);
  g_autofree char *fields_body = g_strdup_printf (
      "{\"format\":\"csv\",\"devices\":[\"%s\"],\"tags\":[\"esc\"],\"columns\":\"fields\"}", d->id);
  g_autofree char *text = NULL, *fields_text = NULL;
  g_autoptr (JsonNode) python_owner = NULL;
  g_autoptr (GPtrArray) libcsv = NULL;
  g_autoptr (GPtrArray) expected = g_ptr_array_new_with_free_func ((GDestroyNotify)g_strfreev);
  g_autoptr (JsonNode) object = NULL;
  g_autofree char *fleet = NULL;

  post_batch (d, "esc", payloads, n, t0, 1001);
  text = export_file (shared->srv, d->workspace_id, body, "text/csv", &object);
  g_assert_cmpint (fd_test_int (object, "rows"), ==, n);
  /* RFC 4180: CRLF after every record, the header included. */
  g_assert_true (
      g_str_has_prefix (text, "timestamp_device,timestamp_in,fleet_id,device_id,tag,payload\r\n"));
  g_assert_true (g_str_has_suffix (text, "\r\n"));

  {
    JsonArray *python = python_csv (text, &python_owner);
    fleet = g_strdup (json_array_get_string_element (json_array_get_array_element (python, 1), 2));
    g_assert_true (g_str_has_prefix (fleet, "flt-"));
    g_ptr_array_add (expected, g_strsplit ("timestamp_device,timestamp_in,fleet_id,device_id,tag,"
                                           "payload",
                                           ",", -1));
    for (guint i = 0; i < n; i++)
      {
        JsonArray *row = json_array_get_array_element (python, i + 1);
        char **cells = g_new0 (char *, 7);
        cells[0] = rfc3339 (t0 + i * 1001);
        /* timestamp_in is the arrival time: checked for its shape, then taken as read. */
        cells[1] = g_strdup (json_array_get_string_element (row, 1));
        g_assert_true (g_regex_match_simple (
            "^\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z$", cells[1], 0, 0));
        cells[2] = g_strdup (fleet);
        cells[3] = g_strdup (d->id);
        cells[4] = g_strdup ("esc");
        cells[5] = g_strdup (payloads[i]);
        g_ptr_array_add (expected, cells);
      }
    libcsv = libcsv_parse (text);
    assert_same_rows (python, libcsv, (char ***)expected->pdata, expected->len);
  }

  /* columns=fields: n and s, sorted; strings decoded, numbers as written. */
  fields_text = export_file (shared->srv, d->workspace_id, fields_body, "text/csv", NULL);
  {
    g_autoptr (JsonNode) owner = NULL;
    JsonArray *python = python_csv (fields_text, &owner);
    g_autoptr (GPtrArray) parsed = libcsv_parse (fields_text);

    g_ptr_array_set_size (expected, 0);
    g_ptr_array_add (
        expected, g_strsplit ("timestamp_device,timestamp_in,fleet_id,device_id,tag,n,s", ",", -1));
    for (guint i = 0; i < n; i++)
      {
        JsonArray *row = json_array_get_array_element (python, i + 1);
        char **cells = g_new0 (char *, 8);
        cells[0] = rfc3339 (t0 + i * 1001);
        cells[1] = g_strdup (json_array_get_string_element (row, 1));
        cells[2] = g_strdup (fleet);
        cells[3] = g_strdup (d->id);
        cells[4] = g_strdup ("esc");
        cells[5] = g_strdup (i == 4 ? "1.50e3" : "");
        cells[6] = g_strdup (decoded[i]);
        g_ptr_array_add (expected, cells);
      }
    assert_same_rows (python, parsed, (char ***)expected->pdata, expected->len);
  }
}

static void
assert_row (JsonObject *row, const FdTdDevice *d, gint64 ts, gint64 i)
{
  g_autofree char *expected_ts = rfc3339 (ts);

  g_assert_cmpstr (json_object_get_string_member (row, "timestamp_device"), ==, expected_ts);
  g_assert_cmpstr (json_object_get_string_member (row, "device_id"), ==, d->id);
  g_assert_cmpstr (json_object_get_string_member (row, "tag"), ==, "range");
  g_assert_true (g_str_has_prefix (json_object_get_string_member (row, "fleet_id"), "flt-"));
  g_assert_cmpint (json_object_get_int_member (json_object_get_object_member (row, "payload"), "i"),
                   ==, i);
}

/* JSON (one array) and NDJSON (one object a line) hold exactly the rows of [start, end), in
 * the order they arrived. */
static void
test_json_range (void)
{
  g_autoptr (FdTdDevice) d = fd_td_cert_device (shared, "json-range");
  g_autoptr (GPtrArray) payloads = g_ptr_array_new_with_free_func (g_free);
  gint64 t0 = 1764100000000;
  g_autofree char *start = rfc3339 (t0 + 5000);
  g_autofree char *json_body = NULL, *nd_body = NULL, *json_text = NULL, *nd_text = NULL;
  g_autoptr (JsonNode) array = NULL;
  g_autoptr (GError) error = NULL;
  g_auto (GStrv) lines = NULL;

  for (guint i = 0; i < 20; i++)
    g_ptr_array_add (payloads, g_strdup_printf ("{\"i\":%u,\"text\":\"r\\u00e9ading %u\"}", i, i));
  post_batch (d, "range", (const char *const *)payloads->pdata, payloads->len, t0, 1000);

  /* start as RFC 3339, end as epoch ms: both are accepted. */
  json_body = g_strdup_printf ("{\"format\":\"json\",\"devices\":[\"%s\"],\"start\":\"%s\","
                               "\"end\":%" G_GINT64_FORMAT "}",
                               d->id, start, t0 + 15000);
  json_text = export_file (shared->srv, d->workspace_id, json_body, "application/json", NULL);
  array = json_from_string (json_text, &error);
  g_assert_no_error (error);
  g_assert_true (JSON_NODE_HOLDS_ARRAY (array));
  g_assert_cmpuint (json_array_get_length (json_node_get_array (array)), ==, 10);
  for (guint k = 0; k < 10; k++)
    assert_row (json_array_get_object_element (json_node_get_array (array), k), d,
                t0 + (5 + k) * 1000, 5 + k);

  nd_body = g_strdup_printf ("{\"format\":\"ndjson\",\"devices\":[\"%s\"],\"start\":\"%s\","
                             "\"end\":%" G_GINT64_FORMAT "}",
                             d->id, start, t0 + 15000);
  nd_text = export_file (shared->srv, d->workspace_id, nd_body, "application/x-ndjson", NULL);
  g_assert_true (g_str_has_suffix (nd_text, "}\n"));
  lines = g_strsplit (nd_text, "\n", -1);
  g_assert_cmpuint (g_strv_length (lines), ==, 11); /* the last is the empty one after \n */
  for (guint k = 0; k < 10; k++)
    {
      g_autoptr (JsonNode) row = json_from_string (lines[k], &error);
      g_assert_no_error (error);
      assert_row (json_node_get_object (row), d, t0 + (5 + k) * 1000, 5 + k);
    }

  /* An empty range is a valid, empty array. */
  {
    g_autofree char *empty_body = g_strdup_printf (
        "{\"format\":\"json\",\"devices\":[\"%s\"],\"start\":1,\"end\":2}", d->id);
    g_autofree char *empty
        = export_file (shared->srv, d->workspace_id, empty_body, "application/json", NULL);
    g_autoptr (JsonNode) node = json_from_string (empty, &error);
    g_assert_no_error (error);
    g_assert_cmpuint (json_array_get_length (json_node_get_array (node)), ==, 0);
  }
}

/* columns=fields: one column per recognised field of the tag, nested paths flattened and
 * sorted; numbers as written, strings unquoted, booleans true/false, null and absent empty,
 * arrays as their JSON. In JSON the payload holds those fields by path. */
static void
test_fields (void)
{
  static const char *const payloads[] = {
    "{\"a\":1,\"g\":{\"lat\":45.5,\"lon\":9.25},\"name\":\"x\",\"ok\":true,\"none\":null,"
    "\"list\":[1,\"b,c\"]}",
    "{\"a\":-2e-3,\"g\":{\"lat\":0}}",
  };
  g_autoptr (FdTdDevice) d = fd_td_cert_device (shared, "fields");
  g_autofree char *csv_body
      = g_strdup_printf ("{\"format\":\"csv\",\"devices\":[\"%s\"],\"columns\":\"fields\"}", d->id);
  g_autofree char *json_body = g_strdup_printf (
      "{\"format\":\"json\",\"devices\":[\"%s\"],\"tags\":[\"nested\"],\"columns\":\"fields\"}",
      d->id);
  g_autofree char *text = NULL, *json_text = NULL;
  g_autoptr (JsonNode) owner = NULL, array = NULL;
  JsonArray *rows;
  JsonObject *payload;

  post_batch (d, "nested", payloads, 2, 1764200000000, 1000);
  text = export_file (shared->srv, d->workspace_id, csv_body, "text/csv", NULL);
  rows = python_csv (text, &owner);
  g_assert_cmpuint (json_array_get_length (rows), ==, 3);
  {
    static const char *const header[] = { "timestamp_device",
                                          "timestamp_in",
                                          "fleet_id",
                                          "device_id",
                                          "tag",
                                          "a",
                                          "g.lat",
                                          "g.lon",
                                          "list",
                                          "name",
                                          "none",
                                          "ok" };
    static const char *const first[] = { "1", "45.5", "9.25", "[1,\"b,c\"]", "x", "", "true" };
    static const char *const second[] = { "-2e-3", "0", "", "", "", "", "" };
    JsonArray *h = json_array_get_array_element (rows, 0);
    JsonArray *r1 = json_array_get_array_element (rows, 1);
    JsonArray *r2 = json_array_get_array_element (rows, 2);

    g_assert_cmpuint (json_array_get_length (h), ==, G_N_ELEMENTS (header));
    for (guint i = 0; i < G_N_ELEMENTS (header); i++)
      g_assert_cmpstr (json_array_get_string_element (h, i), ==, header[i]);
    for (guint i = 0; i < G_N_ELEMENTS (first); i++)
      {
        g_assert_cmpstr (json_array_get_string_element (r1, i + 5), ==, first[i]);
        g_assert_cmpstr (json_array_get_string_element (r2, i + 5), ==, second[i]);
      }
  }

  json_text = export_file (shared->srv, d->workspace_id, json_body, "application/json", NULL);
  array = json_from_string (json_text, NULL);
  g_assert_nonnull (array);
  payload = json_object_get_object_member (
      json_array_get_object_element (json_node_get_array (array), 0), "payload");
  g_assert_cmpfloat (json_object_get_double_member (payload, "g.lat"), ==, 45.5);
  g_assert_cmpstr (json_object_get_string_member (payload, "name"), ==, "x");
  g_assert_true (json_object_get_boolean_member (payload, "ok"));
  g_assert_true (json_object_get_null_member (payload, "none"));
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (payload, "list")), ==, 2);
  payload = json_object_get_object_member (
      json_array_get_object_element (json_node_get_array (array), 1), "payload");
  g_assert_cmpuint (json_object_get_size (payload), ==, 2);
}

/* An aggregate export: rows bucket, device_id, count, avg, max of the exact aggregate. */
static void
test_aggregate (void)
{
  static const char *const payloads[]
      = { "{\"v\":1}", "{\"v\":2}", "{\"v\":3}", "{\"v\":10}", "{\"v\":20}", "{\"v\":30}" };
  g_autoptr (FdTdDevice) d = fd_td_cert_device (shared, "aggregate");
  gint64 t0 = 1764403200000; /* 2025-11-29T08:00:00Z, on the hour */
  g_autofree char *body = NULL, *text = NULL, *json_body = NULL, *json_text = NULL;
  g_autofree char *h0 = rfc3339 (t0), *h1 = rfc3339 (t0 + 3600000);
  g_autofree char *expected = NULL;
  g_autoptr (JsonNode) object = NULL, array = NULL;
  JsonObject *agg, *first;

  post_batch (d, "agg", payloads, 6, t0, 1200000); /* every 20 minutes: 3 an hour */
  body = g_strdup_printf ("{\"format\":\"csv\",\"tags\":[\"agg\"],\"devices\":[\"%s\"],"
                          "\"start\":%" G_GINT64_FORMAT ",\"end\":%" G_GINT64_FORMAT ","
                          "\"aggregate\":{\"field\":\"v\",\"fn\":\"avg,max\","
                          "\"bucket\":\"1h\",\"group\":\"device\"}}",
                          d->id, t0, t0 + 7200000);
  text = export_file (shared->srv, d->workspace_id, body, "text/csv", &object);
  expected = g_strdup_printf ("bucket,device_id,count,avg,max\r\n%s,%s,3,2,3\r\n"
                              "%s,%s,3,20,30\r\n",
                              h0, d->id, h1, d->id);
  g_assert_cmpstr (text, ==, expected);
  agg = json_object_get_object_member (json_node_get_object (object), "aggregate");
  g_assert_cmpstr (json_object_get_string_member (agg, "bucket"), ==, "1h");
  g_assert_cmpint (fd_test_int (object, "rows"), ==, 2);

  json_body = g_strdup_printf ("{\"format\":\"json\",\"tags\":[\"agg\"],"
                               "\"devices\":[\"%s\"],\"aggregate\":{\"field\":\"v\","
                               "\"fn\":[\"sum\",\"count\"]}}",
                               d->id);
  json_text = export_file (shared->srv, d->workspace_id, json_body, "application/json", NULL);
  array = json_from_string (json_text, NULL);
  g_assert_nonnull (array);
  g_assert_cmpuint (json_array_get_length (json_node_get_array (array)), ==, 1);
  first = json_array_get_object_element (json_node_get_array (array), 0);
  g_assert_cmpint (json_object_get_int_member (first, "count"), ==, 6);
  g_assert_cmpfloat (json_object_get_double_member (first, "sum"), ==, 66);

  /* The same aggregate from the CLI: data export --field … writes the same file. */
  {
    g_autofree char *dir = g_dir_make_tmp ("fd-agg-cli-XXXXXX", NULL);
    g_autofree char *file = g_build_filename (dir, "agg.csv", NULL);
    g_autofree char *start = g_strdup_printf ("%" G_GINT64_FORMAT, t0);
    g_autofree char *end = g_strdup_printf ("%" G_GINT64_FORMAT, t0 + 7200000);
    g_autofree char *cli_text = NULL;
    g_auto (GStrv) env = g_get_environ (); /* --server and --token name the server */
    g_autoptr (FdTestCliResult) r
        = fd_test_cli_run_env (env, "--server", shared->srv->url, "--token", shared->srv->token,
                               "data", "export", d->workspace_id, "--tag", "agg", "--device", d->id,
                               "--start", start, "--end", end, "--field", "v", "--fn", "avg,max",
                               "--bucket", "1h", "--group", "device", "--output", file, NULL);

    fd_test_cli_assert_ok (r);
    g_assert_nonnull (strstr (r->out, "Exported 2 rows to"));
    g_assert_true (g_file_get_contents (file, &cli_text, NULL, NULL));
    g_assert_cmpstr (cli_text, ==, expected);
    g_unlink (file);
    g_rmdir (dir);
  }
}

static void
expect_400 (const char *workspace, const char *body, const char *field)
{
  g_autofree char *path = g_strdup_printf ("/api/v1/workspaces/%s/exports", workspace);
  g_autoptr (JsonNode) node = fd_test_api_expect (shared->srv, "POST", path, body, 400);
  JsonObject *error = json_object_get_object_member (json_node_get_object (node), "error");

  g_assert_cmpstr (json_object_get_string_member_with_default (error, "field", ""), ==, field);
}

/* A bad format, columns, range, selection or an aggregate: 400 naming the member, nothing
 * recorded. A finished export cannot be canceled; an unknown one is 404. */
static void
test_errors (void)
{
  g_autoptr (FdTdDevice) d = fd_td_cert_device (shared, "errors");
  static const char *const payloads[] = { "{\"v\":1}" };
  g_autofree char *other = fd_test_make_workspace (shared->srv, "other-for-exports");
  g_autofree char *other_path = g_strdup_printf ("/api/v1/workspaces/%s", other);
  g_autoptr (JsonNode) other_ws = fd_test_api_expect (shared->srv, "GET", other_path, NULL, 200);
  g_autofree char *bad_fleet
      = g_strdup_printf ("{\"fleets\":[\"%s\"]}", fd_test_str (other_ws, "default_fleet_id"));
  g_autofree char *list_path = g_strdup_printf ("/api/v1/workspaces/%s/exports", d->workspace_id);
  g_autoptr (JsonNode) before = NULL, after = NULL;

  post_batch (d, "err", payloads, 1, 1764300000000, 1);
  before = fd_test_api_expect (shared->srv, "GET", list_path, NULL, 200);
  expect_400 (d->workspace_id, "{\"format\":\"xml\"}", "format");
  expect_400 (d->workspace_id, "{\"format\":3}", "format");
  expect_400 (d->workspace_id, "{\"columns\":\"all\"}", "columns");
  expect_400 (d->workspace_id, "{\"aggregate\":{\"field\":\"v\",\"fn\":\"avg\"}}", "tags");
  expect_400 (d->workspace_id,
              "{\"tags\":[\"err\"],\"aggregate\":{\"field\":\"v\",\"fn\":\"median\"}}",
              "aggregate");
  expect_400 (d->workspace_id,
              "{\"tags\":[\"err\"],\"aggregate\":{\"field\":\"nope\",\"fn\":\"avg\"}}",
              "aggregate");
  expect_400 (d->workspace_id,
              "{\"tags\":[\"err\"],\"aggregate\":{\"field\":\"v\",\"fn\":\"avg\","
              "\"bucket\":\"1h\"}}",
              "start");
  expect_400 (d->workspace_id, "{\"tags\":[\"never-sent\"]}", "tags");
  expect_400 (d->workspace_id, "{\"tags\":\"err\"}", "tags");
  expect_400 (d->workspace_id, "{\"devices\":[\"nope\"]}", "devices");
  expect_400 (d->workspace_id, "{\"devices\":[\"dev-aaaaaaaaaaaaaaaaaaaa\"]}", "devices");
  expect_400 (d->workspace_id, bad_fleet, "fleets");
  expect_400 (d->workspace_id, "{\"start\":\"yesterday\"}", "start");
  expect_400 (d->workspace_id, "{\"start\":2000,\"end\":1000}", "end");
  expect_400 (d->workspace_id, "{\"colour\":\"blue\"}", "colour");
  after = fd_test_api_expect (shared->srv, "GET", list_path, NULL, 200);
  g_assert_cmpint (fd_test_int (after, "total"), ==, fd_test_int (before, "total"));

  {
    g_autofree char *id = fd_tx_start (shared->srv, d->workspace_id, "{\"tags\":[\"err\"]}");
    g_autoptr (JsonNode) done = fd_tx_wait (shared->srv, id);
    g_autofree char *cancel = g_strdup_printf ("/api/v1/exports/%s/cancel", id);
    g_autofree char *path = g_strdup_printf ("/api/v1/exports/%s", id);
    g_autoptr (JsonNode) conflict = NULL, list = NULL, gone = NULL;
    g_autofree char *file = g_build_filename (shared->srv->data_dir, "exports",
                                              fd_test_str (done, "file_name"), NULL);
    guint status = 0;
    g_autoptr (GBytes) bytes = NULL;

    g_assert_cmpstr (fd_test_str (done, "state"), ==, "done");
    g_assert_true (g_file_test (file, G_FILE_TEST_EXISTS));
    conflict = fd_test_api_expect (shared->srv, "POST", cancel, NULL, 409);
    list = fd_test_api_expect (shared->srv, "GET", list_path, NULL, 200);
    g_assert_cmpstr (
        fd_test_str (json_array_get_element (
                         json_object_get_array_member (json_node_get_object (list), "items"), 0),
                     "id"),
        ==, id);
    fd_test_api_expect (shared->srv, "DELETE", path, NULL, 204);
    g_assert_false (g_file_test (file, G_FILE_TEST_EXISTS));
    gone = fd_test_api_expect (shared->srv, "GET", path, NULL, 404);
    bytes = fd_tx_download (shared->srv, id, NULL, &status);
    g_assert_cmpuint (status, ==, 404);
  }
  json_node_unref (fd_test_api_expect (shared->srv, "GET", "/api/v1/exports/not-an-id", NULL, 404));
}

int
main (int argc, char **argv)
{
  int rc;

  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/exports/csv-escaping", test_csv_escaping);
  g_test_add_func ("/exports/json-range", test_json_range);
  g_test_add_func ("/exports/fields", test_fields);
  g_test_add_func ("/exports/aggregate", test_aggregate);
  g_test_add_func ("/exports/errors", test_errors);
  shared = fd_td_server_start ((const char *const[]){ "--device-rate", "0", NULL });
  rc = g_test_run ();
  fd_td_server_stop (shared);
  return rc;
}
