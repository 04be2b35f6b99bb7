/* test-cli-import.c — fleetdesk-cli end to end, bulk import and data: devices from CSV (a
 * good file with --credentials-dir, file names, a file with a bad row, a dry run), and the tags
 * and fields of data sent to the HTTPS device endpoint with curl, against a real
 * fleetdesk-server. Each test asserts what a person sees and what the server then holds.
 */
#include <sys/stat.h>

#include <glib/gstdio.h>

#include "fd-test-cli-provision.h"

static void
test_import (void)
{
  g_autofree char *wname = fd_test_cli_unique_name ("Imported");
  g_autoptr (JsonNode) wks = fd_t_make_workspace (fd_tcp_srv, wname);
  const char *workspace_id = fd_t_str (wks, "id");
  g_autoptr (JsonNode) north = fd_t_make_fleet (fd_tcp_srv, workspace_id, "north");
  g_autofree char *key = fd_tcp_make_key ();
  g_autofree char *csr = fd_tcp_make_csr (key, "csr-dev");
  g_autofree char *csr_pem_text = fd_tcp_read_text (csr);
  g_autofree char *csr_pem = fd_tcp_pem_block (csr_pem_text, "NEW CERTIFICATE REQUEST");
  g_autofree char *quoted_csr = NULL, *csv_text = NULL, *plain_line = NULL;
  g_autofree char *csv = fd_tcp_work_path ("devices.csv");
  g_autofree char *dir_parent = fd_tcp_work_path ("creds");
  g_autofree char *dir = g_build_filename (dir_parent, "lab", NULL);
  g_autofree char *wrote = NULL;
  g_autoptr (FdTestCliResult) imported = NULL;
  g_autoptr (JsonNode) devices = NULL;
  const char *const expected[][3] = {
    /* name, file, devinfo.mode */
    { "sensor-1", "sensor-1.zdevice.json", "certificate" },
    { "sensor-2", "sensor-2.zdevice.json", "device_token" },
    { "rack/3", "rack_3.zdevice.json", "cloud_token" },
    { ".hidden", "_hidden.zdevice.json", "device_token" },
    { "csr-dev", "csr-dev.zdevice.json", "certificate" },
  };
  GStatBuf info;
  guint files = 0;
  guint csr_newlines = 0;

  if (csr_pem == NULL)
    csr_pem = fd_tcp_pem_block (csr_pem_text, "CERTIFICATE REQUEST");
  g_assert_nonnull (csr_pem);
  quoted_csr = fd_tcp_csv_quote (csr_pem);
  for (const char *p = quoted_csr; *p != '\0'; p++)
    csr_newlines += *p == '\n';
  plain_line = g_strdup_printf ("%u", 7 + csr_newlines);
  /* The CSR spans lines: the row after it must still be numbered by where it starts. */
  csv_text = g_strdup_printf ("name,fleet,credential,csr\n"
                              "sensor-1,,generate,\n"
                              "sensor-2,north,key,\n"
                              "rack/3,,cloud_token,\n"
                              ".hidden,,key,\n"
                              "csr-dev,,,%s\n"
                              "plain,,none,\n",
                              quoted_csr);
  fd_tcp_write_text (csv, csv_text);

  imported
      = fd_test_cli_run ("device", "import", workspace_id, csv, "--credentials-dir", dir, NULL);
  fd_test_cli_assert_ok (imported);
  g_assert_true (g_str_has_prefix (imported->out, "LINE "));
  fd_test_cli_assert_in_column (imported->out, "NAME", "sensor-2");
  fd_test_cli_assert_in_column (imported->out, "FLEET", "north");
  fd_test_cli_assert_in_column (imported->out, "LINE", "6");
  fd_test_cli_assert_in_column (imported->out, "LINE", plain_line);
  fd_test_cli_assert_in_column (imported->out, "CREDENTIAL", "-");
  g_assert_nonnull (strstr (imported->out, "\nCreated 6 devices\n"));
  wrote = g_strdup_printf ("Wrote 5 zdevice.json files to %s\n", dir);
  g_assert_true (g_str_has_suffix (imported->out, wrote));

  /* The directory was made private; one private file per device with a credential. */
  g_assert_cmpint (g_stat (dir, &info), ==, 0);
  g_assert_cmpint (info.st_mode & 0777, ==, 0700);
  devices = fd_tcp_api_devices (workspace_id);
  g_assert_cmpint (fd_t_int (devices, "total"), ==, 6);
  fd_test_cli_assert_in_column (imported->out, "ID",
                                fd_t_str (fd_tcp_device_named (devices, "plain"), "id"));
  for (gsize i = 0; i < G_N_ELEMENTS (expected); i++)
    {
      g_autofree char *path = g_build_filename (dir, expected[i][1], NULL);
      g_autoptr (JsonNode) zdevice = fd_tcp_read_private_json (path);
      JsonNode *device = fd_tcp_device_named (devices, expected[i][0]);
      const char *device_id = fd_t_str (device, "id");
      g_autoptr (JsonNode) credential = fd_tcp_newest_credential (device_id);

      fd_tcp_assert_zdevice (zdevice, device_id, expected[i][2]);
      fd_tcp_assert_zdevice_like_server (zdevice, device_id, fd_t_str (credential, "id"));
      if (g_str_equal (expected[i][0], "csr-dev"))
        g_assert_cmpstr (fd_t_str (zdevice, "prvkey"), ==, "");
      else
        g_assert_cmpstr (fd_t_str (zdevice, "prvkey"), !=, "");
      files++;
    }
  {
    g_autoptr (GDir) listing = g_dir_open (dir, 0, NULL);

    while (g_dir_read_name (listing) != NULL)
      files--;
    g_assert_cmpuint (files, ==, 0); /* and nothing else: no file for "plain" */
  }
}

/* Two names that become one file name, and a file already there: nothing is replaced. */
static void
test_import_file_names (void)
{
  g_autofree char *wname = fd_test_cli_unique_name ("Names");
  g_autoptr (JsonNode) wks = fd_t_make_workspace (fd_tcp_srv, wname);
  const char *workspace_id = fd_t_str (wks, "id");
  g_autofree char *csv = fd_tcp_work_path ("names.csv");
  g_autofree char *dir = fd_tcp_work_path ("named");
  g_autofree char *taken = g_build_filename (dir, "x_y.zdevice.json", NULL);
  g_autofree char *kept = NULL, *wrote = NULL;
  g_autoptr (FdTestCliResult) imported = NULL;
  g_autoptr (JsonNode) devices = NULL;
  const char *const names[] = { "x/y", "x_y" };

  g_assert_cmpint (g_mkdir (dir, 0700), ==, 0);
  fd_tcp_write_text (taken, "not ours\n");
  fd_tcp_write_text (csv, "name,credential\nx/y,key\nx_y,key\n");
  imported
      = fd_test_cli_run ("device", "import", workspace_id, csv, "--credentials-dir", dir, NULL);
  fd_test_cli_assert_ok (imported);
  wrote = g_strdup_printf ("\nWrote 2 zdevice.json files to %s\n", dir);
  g_assert_true (g_str_has_suffix (imported->out, wrote));
  kept = fd_tcp_read_text (taken);
  g_assert_cmpstr (kept, ==, "not ours\n");
  devices = fd_tcp_api_devices (workspace_id);
  for (gsize i = 0; i < G_N_ELEMENTS (names); i++)
    {
      const char *device_id = fd_t_str (fd_tcp_device_named (devices, names[i]), "id");
      g_autofree char *name = g_strdup_printf ("x_y.%s.zdevice.json", device_id);
      g_autofree char *path = g_build_filename (dir, name, NULL);
      g_autoptr (JsonNode) zdevice = fd_tcp_read_private_json (path);

      fd_tcp_assert_zdevice (zdevice, device_id, "device_token");
      /* Each renamed file is named on stderr. */
      g_assert_nonnull (strstr (imported->err, name));
    }
}

static void
test_import_bad_row (void)
{
  g_autofree char *wname = fd_test_cli_unique_name ("Refused");
  g_autoptr (JsonNode) wks = fd_t_make_workspace (fd_tcp_srv, wname);
  const char *workspace_id = fd_t_str (wks, "id");
  g_autofree char *csv = fd_tcp_work_path ("bad.csv");
  g_autofree char *dir = fd_tcp_work_path ("never");
  g_autofree char *bad_line = NULL;
  g_autoptr (FdTestCliResult) refused = NULL;
  g_autoptr (JsonNode) devices = NULL;
  g_auto (GStrv) lines = NULL;

  fd_tcp_write_text (csv, "name,fleet,credential\n"
                          "ok-1,,generate\n"
                          "ok-2,nowhere,key\n"
                          "ok-3,,none\n");
  refused = fd_test_cli_run ("device", "import", workspace_id, csv, "--credentials-dir", dir, NULL);
  /* Every bad row as FILE:LINE: COLUMN: message, then the summary; exit 1. */
  g_assert_cmpint (refused->status, ==, 1);
  g_assert_cmpstr (refused->out, ==, "");
  bad_line = g_strdup_printf ("%s:3: fleet: ", csv);
  lines = g_strsplit (refused->err, "\n", -1);
  g_assert_cmpuint (g_strv_length (lines), ==, 3);
  g_assert_true (g_str_has_prefix (lines[0], bad_line));
  g_assert_nonnull (strstr (lines[0], "nowhere"));
  g_assert_true (g_str_has_prefix (lines[1], "fleetdesk-cli: "));
  g_assert_nonnull (strstr (lines[1], "1 bad row; nothing was created (invalid_csv)"));

  /* Nothing was created. */
  devices = fd_tcp_api_devices (workspace_id);
  g_assert_cmpint (fd_t_int (devices, "total"), ==, 0);
}

static void
test_import_dry_run (void)
{
  g_autofree char *wname = fd_test_cli_unique_name ("Checked");
  g_autoptr (JsonNode) wks = fd_t_make_workspace (fd_tcp_srv, wname);
  const char *workspace_id = fd_t_str (wks, "id");
  g_autofree char *csv = fd_tcp_work_path ("dry.csv");
  g_autoptr (FdTestCliResult) checked = NULL, checked_json = NULL;
  g_autoptr (JsonNode) devices = NULL, json = NULL;

  fd_tcp_write_text (csv, "name,credential\nd-1,generate\nd-2,cloud_token\nd-3,none\n");
  checked = fd_test_cli_run ("device", "import", workspace_id, csv, "--dry-run", NULL);
  fd_test_cli_assert_ok (checked);
  fd_test_cli_assert_in_column (checked->out, "NAME", "d-2");
  fd_test_cli_assert_in_column (checked->out, "FLEET", fd_t_str (wks, "default_fleet_id"));
  /* The kind of credential each row would get; none: "-". */
  fd_test_cli_assert_in_column (checked->out, "CREDENTIAL", "generated");
  fd_test_cli_assert_in_column (checked->out, "CREDENTIAL", "key");
  fd_test_cli_assert_in_column (checked->out, "CREDENTIAL", "-");
  fd_test_cli_assert_count_line (checked->out, "3 rows are good; nothing was created");
  checked_json
      = fd_test_cli_run ("--json", "device", "import", workspace_id, csv, "--dry-run", NULL);
  json = fd_test_cli_assert_json (checked_json, NULL);
  g_assert_cmpint (fd_t_int (json, "total"), ==, 3);

  devices = fd_tcp_api_devices (workspace_id);
  g_assert_cmpint (fd_t_int (devices, "total"), ==, 0);
}

/* Sends @payload under @tag with curl as the device holding @token (a cloud token), over the
 * HTTPS device endpoint. FALSE when that endpoint is not in this server at all. */
static gboolean
send_reading (const char *token, const char *tag_path, const char *payload)
{
  g_autofree char *url = g_strdup_printf ("https://localhost:%" G_GINT64_FORMAT "/v1/data/%s",
                                          fd_t_int (fd_tcp_server, "device_port"), tag_path);
  g_autofree char *authorization = g_strdup_printf ("Authorization: Bearer %s", token);
  g_autofree char *out = NULL;
  int status;
  const char *argv[]
      = { "curl",     "-sS",          "-o", "/dev/null",   "-w", "%{http_code}",
          "--cacert", fd_tcp_ca_path, "-H", authorization, "-H", "Content-Type: application/json",
          "-d",       payload,        url,  NULL };

  /* No port, or nothing listens there (curl's 7), or no such path yet. */
  if (fd_t_int (fd_tcp_server, "device_port") <= 0)
    return FALSE;
  status = fd_tcp_run_tool (argv, &out);
  if (status == 7 || g_strcmp0 (out, "404") == 0)
    return FALSE;
  g_assert_cmpint (status, ==, 0);
  g_assert_cmpstr (out, ==, "202");
  return TRUE;
}

/* A device with a cloud token, its id in *@device_id; the token. */
static char *
make_sender (const char *workspace_id, const char *name, char **device_id)
{
  g_autoptr (JsonNode) dev = fd_t_make_device (fd_tcp_srv, workspace_id, name, NULL);
  g_autofree char *path
      = g_strdup_printf (FD_T_API "/devices/%s/credentials", fd_t_str (dev, "id"));
  g_autofree char *body = fd_t_body ("kind", "key", "mode", "cloud_token", NULL);
  g_autoptr (JsonNode) credential = fd_t_call (fd_tcp_srv, "POST", path, body, 201);

  *device_id = g_strdup (fd_t_str (dev, "id"));
  return g_strdup (fd_t_str (credential, "secret"));
}

#define NO_DEVICE_ENDPOINT                                                                         \
  "the HTTPS device endpoint (POST /v1/data/{tag}, docs/protocol.md) is not in this "              \
  "fleetdesk-server yet, so no data can arrive"

/* Two devices send to "weather" and one to "météo" (a tag that must be percent-encoded). */
static gboolean
send_data (const char *workspace_id, char **first_device)
{
  g_autofree char *second_device = NULL;
  g_autofree char *token1 = make_sender (workspace_id, "station-1", first_device);
  g_autofree char *token2 = make_sender (workspace_id, "station-2", &second_device);

  if (!send_reading (token1, "weather", "{\"env\": {\"temp\": 21.5}, \"ok\": true}"))
    return FALSE;
  g_assert_true (send_reading (token1, "weather", "{\"env\": {\"temp\": 22}, \"ok\": false}"));
  g_assert_true (send_reading (token2, "weather", "{\"env\": {\"temp\": \"n/a\"}}"));
  g_assert_true (send_reading (token1, "m%C3%A9t%C3%A9o",
                               "{\"wind\": 3, \"note\": \"a long note that does not fit a "
                               "narrow terminal at all, not even nearly\"}"));
  return TRUE;
}

static void
test_data_tags_fields (void)
{
  g_autofree char *wname = fd_test_cli_unique_name ("Data");
  g_autoptr (JsonNode) wks = fd_t_make_workspace (fd_tcp_srv, wname);
  const char *workspace_id = fd_t_str (wks, "id");
  g_autofree char *device_id = NULL;
  g_autofree char *tags_path = g_strdup_printf (FD_T_API "/workspaces/%s/tags", workspace_id);
  g_autofree char *fields_path
      = g_strdup_printf (FD_T_API "/workspaces/%s/tags/weather/fields", workspace_id);
  g_autoptr (FdTestCliResult) tags = NULL, tags_json = NULL, searched = NULL;
  g_autoptr (FdTestCliResult) fields = NULL, fields_json = NULL, meteo = NULL;
  g_autoptr (JsonNode) api = NULL, json = NULL, api_fields = NULL, json_fields = NULL;

  if (!send_data (workspace_id, &device_id))
    {
      g_test_skip (NO_DEVICE_ENDPOINT);
      return;
    }

  tags = fd_test_cli_run ("data", "tags", workspace_id, NULL);
  fd_test_cli_assert_ok (tags);
  g_assert_true (g_str_has_prefix (tags->out, "TAG "));
  fd_test_cli_assert_in_column (tags->out, "TAG", "weather");
  fd_test_cli_assert_in_column (tags->out, "TAG", "météo");
  fd_test_cli_assert_in_column (tags->out, "DEVICES", "2");
  fd_test_cli_assert_in_column (tags->out, "READINGS", "3");
  fd_test_cli_assert_count_line (tags->out, "2 of 2 tags");
  api = fd_t_call (fd_tcp_srv, "GET", tags_path, NULL, 200);
  tags_json = fd_test_cli_run ("--json", "data", "tags", workspace_id, NULL);
  json = fd_test_cli_assert_json (tags_json, api);
  searched = fd_test_cli_run ("data", "tags", workspace_id, "--search", "MÉT", NULL);
  fd_test_cli_assert_ok (searched);
  g_assert_null (strstr (searched->out, "weather"));
  fd_test_cli_assert_count_line (searched->out, "1 of 1 tag");

  /* A path seen with two types is listed twice. */
  fields = fd_test_cli_run ("data", "fields", workspace_id, "weather", NULL);
  fd_test_cli_assert_ok (fields);
  fd_test_cli_assert_in_column (fields->out, "PATH", "env.temp");
  fd_test_cli_assert_in_column (fields->out, "TYPE", "number");
  fd_test_cli_assert_in_column (fields->out, "TYPE", "string");
  fd_test_cli_assert_in_column (fields->out, "TYPE", "boolean");
  api_fields = fd_t_call (fd_tcp_srv, "GET", fields_path, NULL, 200);
  {
    g_autofree char *count
        = g_strdup_printf ("%" G_GINT64_FORMAT " of %" G_GINT64_FORMAT " fields",
                           fd_t_int (api_fields, "total"), fd_t_int (api_fields, "total"));

    g_assert_cmpint (fd_t_int (api_fields, "total"), >=, 3);
    fd_test_cli_assert_count_line (fields->out, count);
  }
  fields_json = fd_test_cli_run ("data", "fields", workspace_id, "weather", "--json", NULL);
  json_fields = fd_test_cli_assert_json (fields_json, api_fields);
  meteo = fd_test_cli_run ("data", "fields", workspace_id, "météo", NULL);
  fd_test_cli_assert_ok (meteo);
  fd_test_cli_assert_in_column (meteo->out, "PATH", "wind");
  fd_test_cli_assert_count_line (meteo->out, "2 of 2 fields");
}

static void
test_device_tags (void)
{
  g_autofree char *wname = fd_test_cli_unique_name ("DeviceData");
  g_autoptr (JsonNode) wks = fd_t_make_workspace (fd_tcp_srv, wname);
  const char *workspace_id = fd_t_str (wks, "id");
  g_autofree char *device_id = NULL;
  g_autofree char *path = NULL;
  g_auto (GStrv) env = fd_test_cli_clean_env ();
  g_autoptr (FdTestCliResult) tags = NULL, tags_json = NULL;
  g_autoptr (JsonNode) api = NULL, json = NULL;
  g_auto (GStrv) lines = NULL;

  if (!send_data (workspace_id, &device_id))
    {
      g_test_skip (NO_DEVICE_ENDPOINT);
      return;
    }
  path = g_strdup_printf (FD_T_API "/devices/%s/tags", device_id);

  /* The latest payload, as compact JSON cut to the terminal's width. */
  env = g_environ_setenv (env, "COLUMNS", "70", TRUE);
  tags = fd_test_cli_run_env (env, "--server", fd_tcp_srv->url, "--token", fd_tcp_srv->token,
                              "device", "tags", device_id, NULL);
  fd_test_cli_assert_ok (tags);
  fd_test_cli_assert_in_column (tags->out, "TAG", "weather");
  fd_test_cli_assert_in_column (tags->out, "READINGS", "2");
  fd_test_cli_assert_in_column (tags->out, "LAST PAYLOAD", "{\"env\":{\"temp\":22},\"ok\":false}");
  fd_test_cli_assert_count_line (tags->out, "2 of 2 tags");
  lines = g_strsplit (tags->out, "\n", -1);
  for (gsize i = 0; lines[i] != NULL; i++)
    {
      g_assert_cmpint (g_utf8_strlen (lines[i], -1), <=, 70);
      if (g_str_has_prefix (lines[i], "météo"))
        g_assert_true (g_str_has_suffix (lines[i], "…"));
    }
  api = fd_t_call (fd_tcp_srv, "GET", path, NULL, 200);
  tags_json = fd_test_cli_run ("device", "tags", device_id, "--json", NULL);
  json = fd_test_cli_assert_json (tags_json, api);
}

int
main (int argc, char **argv)
{
  int ret;

  fd_tcp_setup (&argc, &argv);
  g_test_add_func ("/cli/import/credentials-dir", test_import);
  g_test_add_func ("/cli/import/file-names", test_import_file_names);
  g_test_add_func ("/cli/import/bad-row", test_import_bad_row);
  g_test_add_func ("/cli/import/dry-run", test_import_dry_run);
  g_test_add_func ("/cli/data/tags-fields", test_data_tags_fields);
  g_test_add_func ("/cli/data/device-tags", test_device_tags);

  ret = g_test_run ();
  fd_tcp_teardown ();
  return ret;
}
