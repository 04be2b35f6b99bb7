/* test-cli.c — fleetdesk-cli end to end: the real binary ($FD_CLI_BIN) against a real
 * fleetdesk-server. Each test asserts what a person at a terminal sees: stdout, stderr and the
 * exit status (0 done, 1 the API or the connection failed, 2 a usage error).
 */
#include "config.h"

#include <sys/wait.h>
#include <unistd.h>

#include <gio/gio.h>
#include <glib/gstdio.h>

#include "fd-test-api-util.h"

static FdTestServer *srv;
static char *empty_xdg_dir; /* an XDG_DATA_HOME without a fleetdesk directory */
static guint name_counter;

typedef struct
{
  int status;
  char *out;
  char *err;
} FdCliResult;

static void
fd_cli_result_free (FdCliResult *result)
{
  g_free (result->out);
  g_free (result->err);
  g_free (result);
}
G_DEFINE_AUTOPTR_CLEANUP_FUNC (FdCliResult, fd_cli_result_free)

/* The test's environment without anything that would steer the CLI: no FLEETDESK_* variables,
 * no proxy, no data directory, untranslated messages. */
static char **
clean_env (void)
{
  const char *drop[]
      = { "FLEETDESK_URL", "FLEETDESK_TOKEN", "http_proxy", "https_proxy", "HTTP_PROXY",
          "HTTPS_PROXY",   "all_proxy",       "ALL_PROXY",  "LANGUAGE" };
  char **env = g_get_environ ();

  for (gsize i = 0; i < G_N_ELEMENTS (drop); i++)
    env = g_environ_unsetenv (env, drop[i]);
  env = g_environ_setenv (env, "LC_ALL", "C.UTF-8", TRUE);
  env = g_environ_setenv (env, "XDG_DATA_HOME", empty_xdg_dir, TRUE);
  return env;
}

/* One g_test_message per line: a TAP comment cannot span lines. */
static void
log_lines (const char *stream, const char *text)
{
  g_auto (GStrv) lines = g_strsplit (text, "\n", -1);

  for (gsize i = 0; lines[i] != NULL; i++)
    if (lines[i][0] != '\0')
      g_test_message ("  %s| %s", stream, lines[i]);
}

static FdCliResult *
run_argv (char **env, GPtrArray *args)
{
  FdCliResult *result = g_new0 (FdCliResult, 1);
  g_autoptr (GPtrArray) argv = g_ptr_array_new ();
  g_autoptr (GError) error = NULL;
  g_autofree char *line = NULL;
  int wait_status = 0;

  g_ptr_array_add (argv, (char *)g_getenv ("FD_CLI_BIN"));
  g_assert_nonnull (argv->pdata[0]);
  for (guint i = 0; i < args->len; i++)
    g_ptr_array_add (argv, args->pdata[i]);
  g_ptr_array_add (argv, NULL);

  g_spawn_sync (NULL, (char **)argv->pdata, env, G_SPAWN_DEFAULT, NULL, NULL, &result->out,
                &result->err, &wait_status, &error);
  g_assert_no_error (error);
  g_assert_true (WIFEXITED (wait_status));
  result->status = WEXITSTATUS (wait_status);
  line = g_strjoinv (" ", (char **)argv->pdata + 1);
  g_test_message ("$ fleetdesk-cli %s  => %d", line, result->status);
  log_lines ("out", result->out);
  log_lines ("err", result->err);
  return result;
}

/* Runs the CLI with @env and the NULL-terminated arguments. */
static FdCliResult *
run_env (char **env, const char *first, ...)
{
  g_autoptr (GPtrArray) args = g_ptr_array_new ();
  va_list ap;

  va_start (ap, first);
  for (const char *a = first; a != NULL; a = va_arg (ap, const char *))
    g_ptr_array_add (args, (char *)a);
  va_end (ap);
  return run_argv (env, args);
}

/* Runs the CLI against the test server: --server and --token first, then the arguments. */
static FdCliResult *
run (const char *first, ...)
{
  g_autoptr (GPtrArray) args = g_ptr_array_new ();
  g_auto (GStrv) env = clean_env ();
  va_list ap;

  g_ptr_array_add (args, (char *)"--server");
  g_ptr_array_add (args, srv->url);
  g_ptr_array_add (args, (char *)"--token");
  g_ptr_array_add (args, srv->token);
  va_start (ap, first);
  for (const char *a = first; a != NULL; a = va_arg (ap, const char *))
    g_ptr_array_add (args, (char *)a);
  va_end (ap);
  return run_argv (env, args);
}

static void
assert_ok (FdCliResult *result)
{
  if (result->status != 0)
    g_error ("expected exit 0, got %d; stderr: %s", result->status, result->err);
}

/* Exit 1, nothing on stdout, "fleetdesk-cli: …@needle…" on stderr. */
static void
assert_fails (FdCliResult *result, const char *needle)
{
  g_assert_cmpint (result->status, ==, 1);
  g_assert_cmpstr (result->out, ==, "");
  g_assert_true (g_str_has_prefix (result->err, "fleetdesk-cli: "));
  if (strstr (result->err, needle) == NULL)
    g_error ("stderr does not mention \"%s\": %s", needle, result->err);
}

/* --json output: parses, and is the same JSON as @expected. */
static JsonNode *
assert_json (FdCliResult *result, JsonNode *expected)
{
  g_autoptr (GError) error = NULL;
  JsonNode *got;

  assert_ok (result);
  got = json_from_string (result->out, &error);
  g_assert_no_error (error);
  g_assert_nonnull (got);
  if (expected != NULL && !json_node_equal (got, expected))
    {
      g_autofree char *want = json_to_string (expected, FALSE);

      g_error ("--json output differs from the API's answer:\n%s\nvs\n%s", result->out, want);
    }
  return got;
}

/* The value of the "key: value" line for @key in human output, or NULL. */
static char *
kv_value (const char *out, const char *key)
{
  g_auto (GStrv) lines = g_strsplit (out, "\n", -1);
  g_autofree char *prefix = g_strconcat (key, ":", NULL);

  for (gsize i = 0; lines[i] != NULL; i++)
    if (g_str_has_prefix (lines[i], prefix))
      return g_strstrip (g_strdup (lines[i] + strlen (prefix)));
  return NULL;
}

static void
assert_kv (const char *out, const char *key, const char *value)
{
  g_autofree char *got = kv_value (out, key);

  if (g_strcmp0 (got, value) != 0)
    g_error ("expected a line \"%s: %s\" in:\n%s", key, value, out);
}

/* Every "key: value" line has its value in the same column. */
static void
assert_kv_aligned (const char *out)
{
  g_auto (GStrv) lines = g_strsplit (out, "\n", -1);
  gssize column = -1;

  for (gsize i = 0; lines[i] != NULL && *lines[i] != '\0'; i++)
    {
      const char *colon = strchr (lines[i], ':');
      const char *value;

      g_assert_nonnull (colon);
      for (value = colon + 1; *value == ' '; value++)
        ;
      if (*value == '\0')
        continue; /* an empty value */
      if (column < 0)
        column = value - lines[i];
      if (value - lines[i] != column)
        g_error ("values are not aligned:\n%s", out);
    }
}

/* In a table, some row has @cell in the column that @header heads in the first line. */
static void
assert_in_column (const char *out, const char *header, const char *cell)
{
  g_auto (GStrv) lines = g_strsplit (out, "\n", -1);
  const char *h = strstr (lines[0], header);
  glong column;

  g_assert_nonnull (h);
  column = g_utf8_strlen (lines[0], h - lines[0]);
  for (gsize i = 1; lines[i] != NULL; i++)
    {
      const char *c;

      if (g_utf8_strlen (lines[i], -1) <= column)
        continue;
      c = g_utf8_offset_to_pointer (lines[i], column);
      if (g_str_has_prefix (c, cell) && (c[strlen (cell)] == ' ' || c[strlen (cell)] == '\0'))
        return;
    }
  g_error ("\"%s\" is not in column %s:\n%s", cell, header, out);
}

/* The last line of a list: "N of TOTAL things". */
static void
assert_count_line (const char *out, const char *expected)
{
  g_auto (GStrv) lines = g_strsplit (out, "\n", -1);
  guint n = g_strv_length (lines);

  g_assert_cmpuint (n, >=, 2);
  g_assert_cmpstr (lines[n - 1], ==, "");
  if (!g_str_has_prefix (lines[n - 2], expected))
    g_error ("expected the list to end with \"%s\":\n%s", expected, out);
}

static char *
unique_name (const char *base)
{
  return g_strdup_printf ("%s-%u", base, ++name_counter);
}

static JsonNode *
api_get (const char *path)
{
  return fd_t_call (srv, "GET", path, NULL, 200);
}

static void
test_workspace (void)
{
  g_autofree char *name = unique_name ("Lab");
  g_autofree char *renamed = unique_name ("Lab renamed");
  g_autoptr (FdCliResult) created
      = run ("workspace", "create", name, "--description", "racks", NULL);
  g_autofree char *id = kv_value (created->out, "id");
  g_autofree char *path = g_strdup_printf (FD_T_API "/workspaces/%s", id);
  g_autofree char *search_path = g_strdup_printf (FD_T_API "/workspaces?search=%s", name);
  g_autofree char *expected = NULL;
  g_autoptr (JsonNode) api = NULL;
  g_autoptr (JsonNode) api_list = NULL;
  g_autoptr (JsonNode) json = NULL;
  g_autoptr (FdCliResult) get = NULL, get_json = NULL, list = NULL, list_json = NULL;
  g_autoptr (FdCliResult) updated = NULL, deleted = NULL, gone = NULL;

  /* create prints the object as aligned key: value lines. */
  assert_ok (created);
  fd_t_assert_id (id, "wks");
  assert_kv (created->out, "name", name);
  assert_kv (created->out, "description", "racks");
  assert_kv (created->out, "fleet_count", "1");
  assert_kv_aligned (created->out);
  api = api_get (path);

  get = run ("workspace", "get", id, NULL);
  assert_ok (get);
  assert_kv (get->out, "id", id);
  assert_kv (get->out, "default_fleet_id", fd_t_str (api, "default_fleet_id"));
  get_json = run ("--json", "workspace", "get", id, NULL);
  json = assert_json (get_json, api);

  /* list: a table with the name and a count line; --json is the API's answer. */
  list = run ("workspace", "list", "--search", name, NULL);
  assert_ok (list);
  g_assert_true (g_str_has_prefix (list->out, "ID"));
  assert_in_column (list->out, "NAME", name);
  assert_in_column (list->out, "ID", id);
  assert_in_column (list->out, "FLEETS", "1");
  assert_count_line (list->out, "1 of 1 workspace");
  api_list = api_get (search_path);
  list_json = run ("workspace", "list", "--search", name, "--json", NULL);
  g_clear_pointer (&json, json_node_unref);
  json = assert_json (list_json, api_list);

  updated = run ("workspace", "update", id, "--name", renamed, "--description", "", NULL);
  assert_ok (updated);
  assert_kv (updated->out, "name", renamed);
  g_clear_pointer (&api, json_node_unref);
  api = api_get (path);
  g_assert_cmpstr (fd_t_str (api, "name"), ==, renamed);
  g_assert_cmpstr (fd_t_str (api, "description"), ==, "");

  deleted = run ("workspace", "delete", id, NULL);
  assert_ok (deleted);
  expected = g_strdup_printf ("Deleted workspace %s\n", id);
  g_assert_cmpstr (deleted->out, ==, expected);
  gone = run ("workspace", "get", id, NULL);
  assert_fails (gone, "(not_found)");
}

static void
test_workspace_delete_force (void)
{
  g_autofree char *name = unique_name ("Busy");
  g_autoptr (JsonNode) wks = fd_t_make_workspace (srv, name);
  const char *id = fd_t_str (wks, "id");
  g_autoptr (JsonNode) dev = fd_t_make_device (srv, id, "d1", NULL);
  g_autoptr (FdCliResult) refused = run ("workspace", "delete", id, NULL);
  g_autoptr (FdCliResult) forced = NULL;
  g_autofree char *path = g_strdup_printf (FD_T_API "/workspaces/%s", id);
  guint status = 0;
  g_autoptr (JsonNode) after = NULL;

  assert_fails (refused, "(conflict)");
  forced = run ("workspace", "delete", id, "--force", "--json", NULL);
  /* --json prints the API's body, and a delete has none. */
  assert_ok (forced);
  g_assert_cmpstr (forced->out, ==, "");
  after = fd_test_api (srv, "GET", path, NULL, &status);
  g_assert_cmpuint (status, ==, 404);
}

static void
test_fleet (void)
{
  g_autofree char *wname = unique_name ("Fleets");
  g_autoptr (JsonNode) wks = fd_t_make_workspace (srv, wname);
  const char *wid = fd_t_str (wks, "id");
  g_autoptr (FdCliResult) created
      = run ("fleet", "create", wid, "north", "--description", "N", NULL);
  g_autofree char *id = kv_value (created->out, "id");
  g_autofree char *path = g_strdup_printf (FD_T_API "/fleets/%s", id);
  g_autofree char *list_path = g_strdup_printf (FD_T_API "/workspaces/%s/fleets", wid);
  g_autofree char *expected = NULL;
  g_autoptr (JsonNode) api = NULL, api_list = NULL, json = NULL, json2 = NULL;
  g_autoptr (FdCliResult) list = NULL, list_json = NULL, get_json = NULL, updated = NULL;
  g_autoptr (FdCliResult) deleted = NULL, default_delete = NULL;

  assert_ok (created);
  fd_t_assert_id (id, "flt");
  assert_kv (created->out, "workspace_id", wid);
  assert_kv (created->out, "is_default", "no");

  list = run ("fleet", "list", wid, NULL);
  assert_ok (list);
  g_assert_nonnull (strstr (list->out, "north"));
  g_assert_nonnull (strstr (list->out, "default"));
  assert_count_line (list->out, "2 of 2 fleets");
  api_list = api_get (list_path);
  list_json = run ("fleet", "list", wid, "--json", NULL);
  json = assert_json (list_json, api_list);

  api = api_get (path);
  get_json = run ("fleet", "get", id, "--json", NULL);
  json2 = assert_json (get_json, api);

  updated = run ("fleet", "update", id, "--name", "south", NULL);
  assert_ok (updated);
  assert_kv (updated->out, "name", "south");
  assert_kv (updated->out, "description", "N");

  default_delete = run ("fleet", "delete", fd_t_str (wks, "default_fleet_id"), NULL);
  assert_fails (default_delete, "(conflict)");
  deleted = run ("fleet", "delete", id, "--force", NULL);
  assert_ok (deleted);
  expected = g_strdup_printf ("Deleted fleet %s\n", id);
  g_assert_cmpstr (deleted->out, ==, expected);
}

static void
test_device (void)
{
  g_autofree char *wname = unique_name ("Devices");
  g_autoptr (JsonNode) wks = fd_t_make_workspace (srv, wname);
  const char *wid = fd_t_str (wks, "id");
  g_autoptr (JsonNode) north = fd_t_make_fleet (srv, wid, "north");
  g_autoptr (JsonNode) south = fd_t_make_fleet (srv, wid, "south");
  const char *north_id = fd_t_str (north, "id");
  const char *south_id = fd_t_str (south, "id");
  g_autoptr (FdCliResult) created
      = run ("device", "create", wid, "sensor-b", "--fleet", north_id, "--json", NULL);
  g_autoptr (JsonNode) dev = assert_json (created, NULL);
  const char *id = fd_t_str (dev, "id");
  g_autofree char *path = g_strdup_printf (FD_T_API "/devices/%s", id);
  g_autofree char *expected = NULL;
  g_autoptr (JsonNode) api = NULL, sorted = NULL;
  g_autoptr (FdCliResult) other = NULL, third = NULL, list = NULL, sorted_run = NULL;
  g_autoptr (FdCliResult) filtered_run = NULL, get = NULL, updated = NULL, moved = NULL;
  g_autoptr (FdCliResult) deleted = NULL, gone = NULL;
  const char *a, *b, *c;

  g_assert_cmpstr (fd_t_str (dev, "fleet_id"), ==, north_id);
  api = api_get (path);
  g_assert_true (json_node_equal (dev, api));

  other = run ("device", "create", wid, "sensor-a", NULL);
  assert_ok (other);
  assert_kv (other->out, "fleet_id", fd_t_str (wks, "default_fleet_id"));
  assert_kv (other->out, "online", "no");
  third = run ("device", "create", wid, "sensor-c", "--fleet", south_id, NULL);
  assert_ok (third);

  /* The table names each device and its fleet, sorted by name by default. */
  list = run ("device", "list", wid, NULL);
  assert_ok (list);
  a = strstr (list->out, "sensor-a");
  b = strstr (list->out, "sensor-b");
  c = strstr (list->out, "sensor-c");
  g_assert_true (a != NULL && b != NULL && c != NULL && a < b && b < c);
  assert_in_column (list->out, "FLEET", "north");
  assert_count_line (list->out, "3 of 3 devices");

  sorted_run = run ("device", "list", wid, "--sort", "-name", "--size", "2", "--json", NULL);
  sorted = assert_json (sorted_run, NULL);
  g_assert_cmpint (fd_t_int (sorted, "total"), ==, 3);
  g_assert_cmpuint (json_array_get_length (fd_t_items (sorted)), ==, 2);
  g_assert_cmpstr (fd_t_str (fd_t_item (sorted, 0), "name"), ==, "sensor-c");

  /* --fleet may be repeated: devices in any of them. */
  filtered_run = run ("device", "list", wid, "--fleet", north_id, "--fleet", south_id, NULL);
  assert_ok (filtered_run);
  g_assert_null (strstr (filtered_run->out, "sensor-a"));
  assert_count_line (filtered_run->out, "2 of 2 devices");

  get = run ("device", "get", id, NULL);
  assert_ok (get);
  assert_kv (get->out, "name", "sensor-b");
  assert_kv (get->out, "fleet_name", "north");
  assert_kv (get->out, "last_seen", "-");

  updated = run ("device", "update", id, "--name", "sensor-b2", NULL);
  assert_ok (updated);
  assert_kv (updated->out, "name", "sensor-b2");

  moved = run ("device", "move", id, south_id, NULL);
  assert_ok (moved);
  assert_kv (moved->out, "fleet_id", south_id);
  g_clear_pointer (&api, json_node_unref);
  api = api_get (path);
  g_assert_cmpstr (fd_t_str (api, "fleet_id"), ==, south_id);
  g_assert_cmpstr (fd_t_str (api, "name"), ==, "sensor-b2");

  deleted = run ("device", "delete", id, NULL);
  assert_ok (deleted);
  expected = g_strdup_printf ("Deleted device %s\n", id);
  g_assert_cmpstr (deleted->out, ==, expected);
  gone = run ("device", "get", id, NULL);
  assert_fails (gone, "(not_found)");
}

static void
test_token (void)
{
  g_autofree char *name = unique_name ("ci");
  g_autoptr (FdCliResult) created = run ("token", "create", name, NULL);
  g_autofree char *id = kv_value (created->out, "id");
  g_autofree char *secret = kv_value (created->out, "token");
  g_autofree char *expected = NULL;
  g_auto (GStrv) env = clean_env ();
  g_autoptr (FdCliResult) with_new = NULL, list = NULL, list_json = NULL, revoked = NULL;
  g_autoptr (FdCliResult) refused = NULL;
  g_autoptr (JsonNode) api_list = NULL, json = NULL;

  /* The secret is shown once, with a note that it will not be shown again. */
  assert_ok (created);
  fd_t_assert_id (id, "tok");
  g_assert_nonnull (secret);
  g_assert_cmpstr (secret, !=, "");
  g_assert_cmpstr (created->err, !=, "");

  with_new = run_env (env, "--server", srv->url, "--token", secret, "workspace", "list", NULL);
  assert_ok (with_new);

  list = run ("token", "list", "--size", "1000", NULL);
  assert_ok (list);
  g_assert_nonnull (strstr (list->out, name));
  g_assert_null (strstr (list->out, secret));
  api_list = api_get (FD_T_API "/tokens?size=1000");
  list_json = run ("token", "list", "--size", "1000", "--json", NULL);
  json = assert_json (list_json, api_list);

  revoked = run ("token", "revoke", id, NULL);
  assert_ok (revoked);
  expected = g_strdup_printf ("Revoked token %s\n", id);
  g_assert_cmpstr (revoked->out, ==, expected);
  refused = run_env (env, "--server", srv->url, "--token", secret, "workspace", "list", NULL);
  assert_fails (refused, "(unauthorized)");
}

static void
test_audit (void)
{
  g_autofree char *wname = unique_name ("Audited");
  g_autoptr (JsonNode) wks = fd_t_make_workspace (srv, wname);
  g_autoptr (JsonNode) dev = fd_t_make_device (srv, fd_t_str (wks, "id"), "watched", NULL);
  const char *id = fd_t_str (dev, "id");
  g_autofree char *path = g_strdup_printf (FD_T_API "/audit?target=%s", id);
  g_autoptr (JsonNode) api = api_get (path);
  g_autoptr (FdCliResult) json_run = run ("audit", "list", "--target", id, "--json", NULL);
  g_autoptr (JsonNode) json = assert_json (json_run, api);
  g_autoptr (FdCliResult) table
      = run ("audit", "list", "--action", "device.create", "--target", id, NULL);

  g_assert_cmpint (fd_t_int (api, "total"), >=, 1);
  assert_ok (table);
  g_assert_nonnull (strstr (table->out, "ACTION"));
  g_assert_nonnull (strstr (table->out, "device.create"));
  g_assert_nonnull (strstr (table->out, id));
  assert_count_line (table->out, "1 of 1 audit entry");
}

static void
test_paging (void)
{
  g_autofree char *prefix = unique_name ("Paged");
  g_autoptr (FdCliResult) first = NULL, rest = NULL;

  for (int i = 0; i < 3; i++)
    {
      g_autofree char *name = g_strdup_printf ("%s-%d", prefix, i);
      g_autoptr (JsonNode) wks = fd_t_make_workspace (srv, name);
    }
  first = run ("workspace", "list", "--search", prefix, "--size", "2", NULL);
  assert_ok (first);
  assert_count_line (first->out, "2 of 3 workspaces");
  rest = run ("workspace", "list", "--search", prefix, "--from", "2", NULL);
  assert_ok (rest);
  assert_count_line (rest->out, "1 of 3 workspaces");
}

static void
test_error_not_found (void)
{
  guint status = 0;
  g_autoptr (JsonNode) api
      = fd_test_api (srv, "GET", FD_T_API "/devices/" FD_T_NO_DEV, NULL, &status);
  JsonObject *error = json_object_get_object_member (fd_t_obj (api), "error");
  g_autofree char *expected = g_strdup_printf ("fleetdesk-cli: %s (not_found)\n",
                                               json_object_get_string_member (error, "message"));
  g_autoptr (FdCliResult) result = run ("device", "get", FD_T_NO_DEV, NULL);

  /* The API's own message, then its code. */
  g_assert_cmpuint (status, ==, 404);
  assert_fails (result, "(not_found)");
  g_assert_cmpstr (result->err, ==, expected);
}

static void
test_error_bad_token (void)
{
  g_auto (GStrv) env = clean_env ();
  g_autoptr (FdCliResult) result
      = run_env (env, "--server", srv->url, "--token", "tok-wrong", "workspace", "list", NULL);
  g_autoptr (FdCliResult) none = run_env (env, "--server", srv->url, "workspace", "list", NULL);

  assert_fails (result, "(unauthorized)");
  assert_fails (none, "(unauthorized)");
}

static void
test_error_no_server (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GSocket) socket
      = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, &error);
  g_autoptr (GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr (GSocketAddress) any_port = g_inet_socket_address_new (loopback, 0);
  g_autoptr (GSocketAddress) bound = NULL;
  g_autofree char *url = NULL;
  g_auto (GStrv) env = clean_env ();
  g_autoptr (FdCliResult) result = NULL;

  /* A port bound but not listening refuses connections for as long as the socket is open. */
  g_assert_no_error (error);
  g_socket_bind (socket, any_port, FALSE, &error);
  g_assert_no_error (error);
  bound = g_socket_get_local_address (socket, &error);
  g_assert_no_error (error);
  url = g_strdup_printf ("http://127.0.0.1:%u",
                         g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound)));

  result = run_env (env, "--server", url, "--token", "x", "workspace", "list", NULL);
  assert_fails (result, url);
  g_assert_nonnull (strstr (result->err, "running"));
}

static void
test_usage_errors (void)
{
  g_autofree char *long_name = g_strnfill (101, 'n');
  const char *const cases[][8] = {
    { NULL },
    { "bogus", NULL },
    { "workspace", NULL },
    { "workspace", "frob", NULL },
    { "workspace", "list", "--bogus", NULL },
    { "-x", "workspace", "list", NULL },
    { "workspace", "create", NULL },
    { "workspace", "get", "wks-a", "extra", NULL },
    { "workspace", "list", "--size", "abc", NULL },
    { "workspace", "list", "--size", "0", NULL },
    { "workspace", "list", "--size", "1001", NULL },
    { "workspace", "list", "--size", "5x", NULL },
    { "workspace", "list", "--from", "-1", NULL },
    { "workspace", "list", "--size", NULL },
    { "workspace", "list", "--json=yes", NULL },
    { "workspace", "update", "wks-a", NULL },
    { "workspace", "update", "wks-a", "--name", "a", "--name", "b", NULL },
    { "workspace", "create", long_name, NULL },
    { "workspace", "get", "wks a/../x", NULL },
    { "device", "list", "wks-a", "--sort", "size", NULL },
    { "device", "move", "dev-a", NULL },
    { "--server", "ftp://127.0.0.1", "workspace", "list", NULL },
  };
  g_auto (GStrv) env = clean_env ();

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr (GPtrArray) args = g_ptr_array_new ();
      g_autoptr (FdCliResult) result = NULL;
      g_auto (GStrv) lines = NULL;

      for (gsize j = 0; cases[i][j] != NULL; j++)
        g_ptr_array_add (args, (char *)cases[i][j]);
      result = run_argv (env, args);
      /* One line saying what is wrong, one pointing at --help; nothing sent anywhere. */
      g_assert_cmpint (result->status, ==, 2);
      g_assert_cmpstr (result->out, ==, "");
      lines = g_strsplit (result->err, "\n", -1);
      g_assert_cmpuint (g_strv_length (lines), ==, 3);
      g_assert_true (g_str_has_prefix (lines[0], "fleetdesk-cli: "));
      g_assert_nonnull (strstr (lines[1], "--help"));
    }
}

/* NOUN VERB --help and -h NOUN VERB (either may be NULL) print usage on stdout and exit 0. */
static void
assert_help (char **env, const char *noun, const char *verb)
{
  const char *const words[] = { noun, verb };

  for (int before = 0; before < 2; before++)
    {
      g_autoptr (GPtrArray) args = g_ptr_array_new ();
      g_autoptr (FdCliResult) result = NULL;
      g_autoptr (GString) usage = g_string_new ("Usage: fleetdesk-cli");
      char next;

      if (before)
        g_ptr_array_add (args, (char *)"-h");
      for (gsize j = 0; j < G_N_ELEMENTS (words) && words[j] != NULL; j++)
        {
          g_ptr_array_add (args, (char *)words[j]);
          g_string_append_printf (usage, " %s", words[j]);
        }
      if (!before)
        g_ptr_array_add (args, (char *)"--help");
      result = run_argv (env, args);
      g_assert_cmpint (result->status, ==, 0);
      g_assert_cmpstr (result->err, ==, "");
      next = result->out[MIN (strlen (result->out), usage->len)];
      if (!g_str_has_prefix (result->out, usage->str) || (next != ' ' && next != '\n'))
        g_error ("help does not start with \"%s\":\n%s", usage->str, result->out);
      if (verb != NULL && !g_str_equal (noun, "completion"))
        g_assert_nonnull (strstr (result->out, "--server URL"));
    }
}

static void
test_help (void)
{
  /* Every noun and verb a user can type. */
  const char *const nouns[][2] = {
    { "workspace", "create list get update delete" },
    { "fleet", "create list get update delete" },
    { "device", "create list get update move delete" },
    { "token", "create list revoke" },
    { "audit", "list" },
    { "completion", "bash" },
  };
  g_auto (GStrv) env = clean_env ();

  assert_help (env, NULL, NULL);
  for (gsize i = 0; i < G_N_ELEMENTS (nouns); i++)
    {
      g_auto (GStrv) verbs = g_strsplit (nouns[i][1], " ", -1);

      assert_help (env, nouns[i][0], NULL);
      for (gsize v = 0; verbs[v] != NULL; v++)
        assert_help (env, nouns[i][0], verbs[v]);
    }
}

static void
test_version (void)
{
  g_auto (GStrv) env = clean_env ();
  g_autoptr (FdCliResult) result = run_env (env, "--version", NULL);

  g_assert_cmpint (result->status, ==, 0);
  g_assert_cmpstr (result->out, ==, "fleetdesk-cli " PACKAGE_VERSION "\n");
}

static void
test_environment (void)
{
  g_auto (GStrv) env = clean_env ();
  g_autoptr (FdCliResult) from_env = NULL, option_wins = NULL;
  g_autofree char *name = unique_name ("Env");

  env = g_environ_setenv (env, "FLEETDESK_URL", srv->url, TRUE);
  env = g_environ_setenv (env, "FLEETDESK_TOKEN", srv->token, TRUE);
  from_env = run_env (env, "workspace", "create", name, NULL);
  assert_ok (from_env);
  assert_kv (from_env->out, "name", name);

  /* --token wins over FLEETDESK_TOKEN. */
  option_wins = run_env (env, "workspace", "list", "--token", "tok-wrong", NULL);
  assert_fails (option_wins, "(unauthorized)");
}

static void
test_data_dir (void)
{
  g_auto (GStrv) env = clean_env ();
  g_autoptr (GError) error = NULL;
  g_autofree char *xdg = g_dir_make_tmp ("fd-test-xdg-XXXXXX", &error);
  g_autofree char *link = g_build_filename (xdg, "fleetdesk", NULL);
  g_autofree char *missing = g_build_filename (xdg, "nowhere", NULL);
  g_autofree char *name = unique_name ("DataDir");
  g_autoptr (FdCliResult) explicit_dir = NULL, default_dir = NULL, no_dir = NULL;
  g_autoptr (FdCliResult) token_wins = NULL, missing_dir = NULL;

  g_assert_no_error (error);
  explicit_dir = run_env (env, "workspace", "create", name, "--data-dir", srv->data_dir, NULL);
  assert_ok (explicit_dir);
  assert_kv (explicit_dir->out, "name", name);

  /* Without a token, $XDG_DATA_HOME/fleetdesk is used when it has ports.json and admin-token. */
  no_dir = run_env (env, "workspace", "list", "--server", srv->url, NULL);
  assert_fails (no_dir, "(unauthorized)");
  g_assert_cmpint (symlink (srv->data_dir, link), ==, 0);
  env = g_environ_setenv (env, "XDG_DATA_HOME", xdg, TRUE);
  default_dir = run_env (env, "workspace", "list", "--search", name, NULL);
  assert_ok (default_dir);
  g_assert_nonnull (strstr (default_dir->out, name));

  token_wins = run_env (env, "--data-dir", srv->data_dir, "--token", "tok-wrong", "workspace",
                        "list", NULL);
  assert_fails (token_wins, "(unauthorized)");
  missing_dir = run_env (env, "--data-dir", missing, "workspace", "list", NULL);
  assert_fails (missing_dir, "ports.json");

  g_unlink (link);
  fd_test_rm_rf (xdg);
}

static void
test_completion (void)
{
  g_auto (GStrv) env = clean_env ();
  g_autoptr (FdCliResult) script = run_env (env, "completion", "bash", NULL);
  g_autofree char *installed_path
      = g_build_filename (g_getenv ("FD_SOURCE_DIR"), "cli", "fleetdesk-cli.bash-completion", NULL);
  g_autofree char *installed = NULL;
  g_autoptr (GError) error = NULL;
  const char *const cases[][2] = {
    { "de", "device" },
    { "device ", "create list get update move delete" },
    { "--json token r", "revoke" },
    { "device list wks-a --so", "--sort" },
    { "device list wks-a --sort -n", "-name" },
    { "workspace delete wks-a --f", "--force" },
  };

  /* The installed script is the one the binary generates from its command table. */
  assert_ok (script);
  g_file_get_contents (installed_path, &installed, NULL, &error);
  g_assert_no_error (error);
  if (g_strcmp0 (script->out, installed) != 0)
    g_error ("cli/fleetdesk-cli.bash-completion is stale: regenerate it with "
             "'fleetdesk-cli completion bash > cli/fleetdesk-cli.bash-completion'");

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *command = g_strdup_printf (
          "source \"$1\"; COMP_WORDS=(fleetdesk-cli %s); "
          "[[ \"$2\" == *' ' ]] && COMP_WORDS+=(''); COMP_CWORD=$((${#COMP_WORDS[@]} - 1)); "
          "_fleetdesk_cli; echo \"${COMPREPLY[*]}\"",
          cases[i][0]);
      g_autofree char *out = NULL;
      int wait_status = 0;
      const char *argv[] = { "bash", "-c", command, "bash", installed_path, cases[i][0], NULL };

      g_spawn_sync (NULL, (char **)argv, env, G_SPAWN_SEARCH_PATH, NULL, NULL, &out, NULL,
                    &wait_status, &error);
      g_assert_no_error (error);
      g_assert_cmpstr (g_strstrip (out), ==, cases[i][1]);
    }
}

int
main (int argc, char **argv)
{
  g_autoptr (GError) error = NULL;
  int ret;

  g_test_init (&argc, &argv, NULL);
  empty_xdg_dir = g_dir_make_tmp ("fd-test-cli-XXXXXX", &error);
  g_assert_no_error (error);
  srv = fd_test_server_start ();
  fd_t_kill_server_on_abort (srv);

  g_test_add_func ("/cli/workspace", test_workspace);
  g_test_add_func ("/cli/workspace/delete-force", test_workspace_delete_force);
  g_test_add_func ("/cli/fleet", test_fleet);
  g_test_add_func ("/cli/device", test_device);
  g_test_add_func ("/cli/token", test_token);
  g_test_add_func ("/cli/audit", test_audit);
  g_test_add_func ("/cli/paging", test_paging);
  g_test_add_func ("/cli/error/not-found", test_error_not_found);
  g_test_add_func ("/cli/error/bad-token", test_error_bad_token);
  g_test_add_func ("/cli/error/no-server", test_error_no_server);
  g_test_add_func ("/cli/error/usage", test_usage_errors);
  g_test_add_func ("/cli/help", test_help);
  g_test_add_func ("/cli/version", test_version);
  g_test_add_func ("/cli/environment", test_environment);
  g_test_add_func ("/cli/data-dir", test_data_dir);
  g_test_add_func ("/cli/completion", test_completion);

  ret = g_test_run ();
  fd_test_server_stop (srv);
  fd_test_rm_rf (empty_xdg_dir);
  g_free (empty_xdg_dir);
  return ret;
}
