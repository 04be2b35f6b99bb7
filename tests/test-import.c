/* test-import.c — bulk provisioning from CSV through the operator API: a good file makes every
 * device and credential; a file with any bad row makes nothing and names every bad row by the
 * line it starts on; a dry run only checks.
 */
#include "config.h"

#include "fd-test-api-util.h"

/* The import body limit (FD_API_MAX_IMPORT_BODY) */
#define FD_T_IMPORT_MAX (16 * 1024 * 1024)

static FdTestServer *srv;
static char *tmp;

typedef struct
{
  char *workspace;
  char *import_path;
  char *devices_path;
} Ws;

static Ws *
ws_new (const char *name)
{
  g_autoptr (JsonNode) wks = fd_t_make_workspace (srv, name);
  Ws *ws = g_new0 (Ws, 1);

  ws->workspace = g_strdup (fd_t_str (wks, "id"));
  ws->import_path = g_strdup_printf (FD_T_API "/workspaces/%s/devices/import", ws->workspace);
  ws->devices_path = g_strdup_printf (FD_T_API "/workspaces/%s/devices", ws->workspace);
  return ws;
}

static void
ws_free (Ws *ws)
{
  g_free (ws->workspace);
  g_free (ws->import_path);
  g_free (ws->devices_path);
  g_free (ws);
}
G_DEFINE_AUTOPTR_CLEANUP_FUNC (Ws, ws_free)

static JsonNode *
post_csv (const char *path, const char *csv, guint *status)
{
  return fd_test_api_full (srv, "POST", path, "text/csv", csv, strlen (csv), srv->token, status,
                           NULL);
}

/* A self-signed certificate or a CSR made by certtool, as PEM text. */
static char *
certtool_pem (const char *what, const char *name)
{
  return fd_test_certtool (tmp, name, what, "cn = \"x\"\nexpiration_days = 9\n", NULL, NULL);
}

static guint
count_lines (const char *text)
{
  guint n = 0;
  for (; *text; text++)
    n += *text == '\n';
  return n;
}

static void
test_good_file (void)
{
  g_autoptr (Ws) ws = ws_new ("Import good");
  g_autoptr (JsonNode) fleet = fd_t_make_fleet (srv, ws->workspace, "outdoor");
  g_autofree char *cert = certtool_pem ("--generate-self-signed", "imp-cert");
  g_autofree char *csr = certtool_pem ("--generate-request", "imp-csr");
  guint cert_lines = count_lines (cert);
  /* Line numbers: header 1, a 2, b 3, the certificate row starts on 4 and spans cert_lines+1
   * lines (the PEM ends with a newline inside the quotes), then the CSR row, then e. */
  g_autofree char *csv = g_strdup_printf ("name,fleet,credential,certificate,csr\r\n"
                                          "sensor-a,,generate,,\r\n"
                                          "sensor-b,outdoor,key,,\r\n"
                                          "sensor-c,%s,,\"%s\",\r\n"
                                          "sensor-d,,,,\"%s\"\r\n"
                                          "\r\n"
                                          "sensor-e,outdoor,none,,\r\n"
                                          "sensor-f,,cloud_token,,\r\n",
                                          fd_t_str (fleet, "id"), cert, csr);
  guint status = 0;
  g_autoptr (JsonNode) answer = post_csv (ws->import_path, csv, &status);
  g_autoptr (JsonNode) list = NULL;
  JsonArray *items;
  guint expect_lines[] = { 2, 3, 4, 5 + cert_lines, 0, 0 };

  expect_lines[4] = expect_lines[3] + count_lines (csr) + 2; /* the CSR row, then a blank line */
  expect_lines[5] = expect_lines[4] + 1;
  if (status != 201)
    g_error ("import: %u %s", status, json_to_string (answer, FALSE));
  items = fd_t_items (answer);
  g_assert_cmpuint (json_array_get_length (items), ==, 6);
  g_assert_cmpint (fd_t_int (answer, "total"), ==, 6);
  g_assert_nonnull (strstr (fd_t_str (answer, "cacert"), "BEGIN CERTIFICATE"));
  for (guint i = 0; i < 6; i++)
    g_assert_cmpint (fd_t_int (fd_t_item (answer, i), "line"), ==, expect_lines[i]);

  {
    JsonObject *a = json_node_get_object (fd_t_item (answer, 0));
    JsonArray *creds = json_object_get_array_member (a, "credentials");
    JsonObject *cred = json_array_get_object_element (creds, 0);
    JsonObject *dev = json_object_get_object_member (a, "device");
    g_assert_cmpstr (json_object_get_string_member (dev, "name"), ==, "sensor-a");
    g_assert_cmpstr (json_object_get_string_member (cred, "kind"), ==, "generated");
    g_assert_true (g_str_has_prefix (json_object_get_string_member (cred, "private_key"),
                                     "-----BEGIN PRIVATE KEY"));
  }
  {
    JsonObject *b = json_node_get_object (fd_t_item (answer, 1));
    JsonObject *cred
        = json_array_get_object_element (json_object_get_array_member (b, "credentials"), 0);
    g_assert_cmpstr (
        json_object_get_string_member (json_object_get_object_member (b, "device"), "fleet_id"), ==,
        fd_t_str (fleet, "id"));
    g_assert_cmpstr (json_object_get_string_member (cred, "mode"), ==, "device_token");
    g_assert_nonnull (json_object_get_string_member (cred, "secret"));
  }
  {
    JsonObject *c = json_node_get_object (fd_t_item (answer, 2));
    JsonObject *cred
        = json_array_get_object_element (json_object_get_array_member (c, "credentials"), 0);
    g_assert_cmpstr (json_object_get_string_member (cred, "kind"), ==, "certificate");
  }
  {
    JsonObject *d = json_node_get_object (fd_t_item (answer, 3));
    JsonObject *cred
        = json_array_get_object_element (json_object_get_array_member (d, "credentials"), 0);
    g_assert_cmpstr (json_object_get_string_member (cred, "kind"), ==, "csr");
  }
  {
    JsonObject *e = json_node_get_object (fd_t_item (answer, 4));
    g_assert_cmpuint (json_array_get_length (json_object_get_array_member (e, "credentials")), ==,
                      0);
  }

  list = fd_t_call (srv, "GET", ws->devices_path, NULL, 200);
  g_assert_cmpint (fd_t_int (list, "total"), ==, 6);
}

static void
assert_rows (JsonNode *answer, guint status, const guint *lines, const char *const *columns,
             guint n)
{
  JsonObject *err;
  JsonArray *rows;

  fd_t_assert_error (answer, status, 400, "invalid_csv", NULL);
  err = json_object_get_object_member (fd_t_obj (answer), "error");
  rows = json_object_get_array_member (err, "rows");
  if (json_array_get_length (rows) != n)
    g_error ("expected %u bad rows: %s", n, json_to_string (answer, FALSE));
  for (guint i = 0; i < n; i++)
    {
      JsonObject *row = json_array_get_object_element (rows, i);
      g_assert_cmpint (json_object_get_int_member (row, "line"), ==, lines[i]);
      if (columns[i] != NULL)
        g_assert_cmpstr (json_object_get_string_member (row, "column"), ==, columns[i]);
      g_assert_cmpstr (json_object_get_string_member (row, "message"), !=, "");
    }
}

static void
test_bad_row_creates_nothing (void)
{
  g_autoptr (Ws) ws = ws_new ("Import bad");
  const char *csv = "name,credential\n"
                    "good-1,generate\n"
                    "good-2,key\n"
                    "good-3,password\n" /* line 4: not a credential */
                    "good-4,none\n";
  guint status = 0;
  g_autoptr (JsonNode) answer = post_csv (ws->import_path, csv, &status);
  static const guint lines[] = { 4 };
  static const char *const columns[] = { "credential" };

  assert_rows (answer, status, lines, columns, 1);
  g_assert_cmpint (fd_t_total (srv, ws->devices_path), ==, 0);
}

static void
test_every_bad_row_listed (void)
{
  g_autoptr (Ws) ws = ws_new ("Import many");
  g_autofree char *existing = fd_test_make_device (srv, ws->workspace, "taken");
  const char *csv = "Name,Fleet\n"
                    "ok-1,\n"
                    "taken,\n"       /* 3: name exists */
                    "ok-1,\n"        /* 4: repeated in the file */
                    ",\n"            /* 5: empty name */
                    "ok-2,nowhere\n" /* 6: unknown fleet */
                    "ok-3,,extra\n"  /* 7: too many fields */
                    "ok-4,default\n";
  guint status = 0;
  g_autoptr (JsonNode) answer = post_csv (ws->import_path, csv, &status);
  static const guint lines[] = { 3, 4, 5, 6, 7 };
  static const char *const columns[] = { "name", "name", "name", "fleet", NULL };

  assert_rows (answer, status, lines, columns, G_N_ELEMENTS (lines));
  g_assert_cmpint (fd_t_total (srv, ws->devices_path), ==, 1);
}

static void
test_bad_pem_row (void)
{
  g_autoptr (Ws) ws = ws_new ("Import pem");
  const char *csv = "name,certificate\n"
                    "p-1,\"-----BEGIN CERTIFICATE-----\nnot base64 at all\n"
                    "-----END CERTIFICATE-----\n\"\n"
                    "p-2,\n";
  guint status = 0;
  g_autoptr (JsonNode) answer = post_csv (ws->import_path, csv, &status);
  static const guint lines[] = { 2 };
  static const char *const columns[] = { "certificate" };

  assert_rows (answer, status, lines, columns, 1);
  g_assert_cmpint (fd_t_total (srv, ws->devices_path), ==, 0);

  /* A certificate bound to a live credential already, or on two rows, is its row's error. */
  {
    g_autofree char *cert = certtool_pem ("--generate-self-signed", "twice");
    g_autofree char *first = g_strdup_printf ("name,certificate\np-3,\"%s\"\n", cert);
    g_autofree char *again = g_strdup_printf (
        "name,certificate\np-4,\"%s\"\np-5,\"%s\"\np-6,\"%s\"\n", cert, cert, cert);
    g_autofree char *fresh = certtool_pem ("--generate-self-signed", "fresh");
    g_autofree char *dup
        = g_strdup_printf ("name,certificate\np-7,\"%s\"\np-8,\"%s\"\n", fresh, fresh);
    guint cert_lines = count_lines (cert) + 1, fresh_lines = count_lines (fresh) + 1;
    const guint again_lines[] = { 2, 2 + cert_lines, 2 + 2 * cert_lines };
    const char *const again_columns[] = { "certificate", "certificate", "certificate" };
    const guint dup_lines[] = { 2 + fresh_lines };
    guint st = 0;
    g_autoptr (JsonNode) made = post_csv (ws->import_path, first, &st);
    g_autoptr (JsonNode) refused = NULL;
    g_autoptr (JsonNode) refused_dup = NULL;

    g_assert_cmpuint (st, ==, 201);
    refused = post_csv (ws->import_path, again, &st);
    assert_rows (refused, st, again_lines, again_columns, 3);
    refused_dup = post_csv (ws->import_path, dup, &st);
    assert_rows (refused_dup, st, dup_lines, again_columns, 1);
    g_assert_cmpint (fd_t_total (srv, ws->devices_path), ==, 1);
  }
}

static void
test_file_errors (void)
{
  g_autoptr (Ws) ws = ws_new ("Import files");
  static const struct
  {
    const char *csv;
    guint line;
    const char *column;
  } cases[] = {
    { "", 1, NULL },
    { "fleet\nx\n", 1, "name" },
    { "name,colour\nx,red\n", 1, "colour" },
    { "name,name\nx,y\n", 1, "name" },
    { "name\n\"unterminated\n", 2, NULL },
    { "name\nab\"c\n", 2, NULL },
    { "name\n\xff\xfe\n", 2, NULL },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      guint status = 0;
      g_autoptr (JsonNode) answer = post_csv (ws->import_path, cases[i].csv, &status);
      const char *const columns[] = { cases[i].column };
      const guint lines[] = { cases[i].line };

      g_test_message ("case %u", i);
      assert_rows (answer, status, lines, columns, 1);
    }
  g_assert_cmpint (fd_t_total (srv, ws->devices_path), ==, 0);

  /* A CSV file says so. */
  {
    guint status = 0;
    g_autoptr (JsonNode) answer = fd_test_api_full (
        srv, "POST", ws->import_path, "application/json", "{}", 2, srv->token, &status, NULL);
    fd_t_assert_error (answer, status, 415, "unsupported_media_type", NULL);
  }
}

static void
test_dry_run (void)
{
  g_autoptr (Ws) ws = ws_new ("Import dry");
  g_autofree char *path = g_strdup_printf ("%s?dry_run=true", ws->import_path);
  guint status = 0;
  g_autoptr (JsonNode) answer = post_csv (path, "name,credential\nd-1,generate\nd-2,\n", &status);

  g_assert_cmpuint (status, ==, 200);
  g_assert_cmpint (fd_t_int (answer, "total"), ==, 2);
  g_assert_cmpstr (fd_t_str (fd_t_item (answer, 0), "name"), ==, "d-1");
  g_assert_cmpstr (fd_t_str (fd_t_item (answer, 0), "credential"), ==, "generated");
  g_assert_true (fd_t_is_null (fd_t_item (answer, 0), "mode"));
  g_assert_true (fd_t_is_null (fd_t_item (answer, 1), "credential"));
  fd_t_assert_id (fd_t_str (fd_t_item (answer, 1), "fleet_id"), "flt");
  g_assert_cmpint (fd_t_total (srv, ws->devices_path), ==, 0);

  /* The certificates and CSRs are judged as the import would: a bad one is the same 400. */
  {
    g_autofree char *cert = certtool_pem ("--generate-self-signed", "dry-cert");
    g_autofree char *csr = certtool_pem ("--generate-request", "dry-csr");
    g_autofree char *bad = g_strdup_printf ("name,certificate,csr\n"
                                            "d-3,\"%s\",\n"
                                            "d-4,,\"%s\"\n"
                                            "d-5,\"not a certificate\",\n",
                                            cert, csr);
    guint lines[] = { 2 + count_lines (cert) + 1 + count_lines (csr) + 1 };
    const char *columns[] = { "certificate" };
    guint bad_status = 0;
    g_autoptr (JsonNode) refused = post_csv (path, bad, &bad_status);

    assert_rows (refused, bad_status, lines, columns, 1);
    g_assert_cmpint (fd_t_total (srv, ws->devices_path), ==, 0);
  }
}

/* The server's peak resident memory, kB. */
static guint64
server_peak_kb (void)
{
  g_autofree char *path = g_strdup_printf ("/proc/%d/status", (int)srv->pid);
  g_autofree char *text = NULL;
  const char *line;

  g_assert_true (g_file_get_contents (path, &text, NULL, NULL));
  line = strstr (text, "VmHWM:");
  g_assert_nonnull (line);
  return g_ascii_strtoull (line + strlen ("VmHWM:"), NULL, 10);
}

/* A 16 MiB file of one row with millions of empty fields is refused for its field count
 * without the server keeping every field: memory stays within a few copies of the body. */
static void
test_many_fields (void)
{
  g_autoptr (Ws) ws = ws_new ("Import fields");
  gsize n = FD_T_IMPORT_MAX - 64;
  g_autoptr (GString) csv = g_string_sized_new (n + 16);
  guint64 before, after;
  guint status = 0;
  g_autoptr (JsonNode) answer = NULL;
  static const guint lines[] = { 2 };
  static const char *const columns[] = { NULL };

  g_string_append (csv, "name\nx");
  g_string_set_size (csv, n);
  memset (csv->str + 6, ',', n - 7);
  csv->str[n - 1] = '\n';
  before = server_peak_kb ();
  answer = post_csv (ws->import_path, csv->str, &status);
  after = server_peak_kb ();
  g_test_message ("server peak memory: %" G_GUINT64_FORMAT " kB before, %" G_GUINT64_FORMAT
                  " kB after",
                  before, after);
  assert_rows (answer, status, lines, columns, 1);
  g_assert_cmpuint (after - before, <, 150 * 1024);
}

static void
test_row_limit (void)
{
  g_autoptr (Ws) ws = ws_new ("Import limit");
  g_autoptr (GString) csv = g_string_new ("name\n");
  guint status = 0;
  g_autoptr (JsonNode) answer = NULL;
  g_autofree char *rows = NULL;
  JsonObject *err;

  for (guint i = 0; i <= 10000; i++)
    g_string_append_printf (csv, "n-%05u\n", i);
  answer = post_csv (ws->import_path, csv->str, &status);
  fd_t_assert_error (answer, status, 400, "invalid_csv", NULL);
  err = json_object_get_object_member (fd_t_obj (answer), "error");
  rows = json_to_string (json_object_get_member (err, "rows"), FALSE);
  g_assert_nonnull (strstr (rows, "more than 10000 rows"));
  g_assert_cmpint (fd_t_total (srv, ws->devices_path), ==, 0);
}

int
main (int argc, char **argv)
{
  g_autoptr (GError) error = NULL;
  int ret;

  g_test_init (&argc, &argv, NULL);
  srv = fd_test_server_start ();
  fd_t_kill_server_on_abort (srv);
  tmp = g_dir_make_tmp ("fd-import-XXXXXX", &error);
  g_assert_no_error (error);

  g_test_add_func ("/import/good-file", test_good_file);
  g_test_add_func ("/import/bad-row-creates-nothing", test_bad_row_creates_nothing);
  g_test_add_func ("/import/every-bad-row-listed", test_every_bad_row_listed);
  g_test_add_func ("/import/bad-pem-row", test_bad_pem_row);
  g_test_add_func ("/import/file-errors", test_file_errors);
  g_test_add_func ("/import/dry-run", test_dry_run);
  g_test_add_func ("/import/row-limit", test_row_limit);
  g_test_add_func ("/import/many-fields", test_many_fields);

  ret = g_test_run ();
  fd_test_server_stop (srv);
  fd_test_rm_rf (tmp);
  return ret;
}
