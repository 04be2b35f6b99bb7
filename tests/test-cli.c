/* test-cli.c — fleetdesk-cli end to end, the commands: the real binary ($FD_CLI_BIN) against a
 * real fleetdesk-server creates, lists, gets, updates and deletes workspaces, fleets, devices and
 * tokens, and lists the audit log. Each test asserts what a person at a terminal sees: the human
 * output (key: value lines, tables, count lines), --json output equal to the API's answer, and
 * the message and exit status when the API or the connection fails. Usage errors, --help,
 * configuration and completion are in test-cli-usage.c; the helpers are in fd-test-cli.c.
 */
#include <gio/gio.h>

#include "fd-test-api-util.h"
#include "fd-test-cli.h"

static FdTestServer *srv;

static JsonNode *
api_get (const char *path)
{
  return fd_t_call (srv, "GET", path, NULL, 200);
}

static void
test_workspace (void)
{
  g_autofree char *name = fd_test_cli_unique_name ("Lab");
  g_autofree char *renamed = fd_test_cli_unique_name ("Lab renamed");
  g_autoptr (FdTestCliResult) created
      = fd_test_cli_run ("workspace", "create", name, "--description", "racks", NULL);
  g_autofree char *id = fd_test_cli_kv_value (created->out, "id");
  g_autofree char *path = g_strdup_printf (FD_T_API "/workspaces/%s", id);
  g_autofree char *search_path = g_strdup_printf (FD_T_API "/workspaces?search=%s", name);
  g_autoptr (JsonNode) api = NULL;
  g_autoptr (JsonNode) api_list = NULL;
  g_autoptr (JsonNode) json = NULL;
  g_autoptr (FdTestCliResult) get = NULL, get_json = NULL, list = NULL, list_json = NULL;
  g_autoptr (FdTestCliResult) updated = NULL;

  /* create prints the object as aligned key: value lines. */
  fd_test_cli_assert_ok (created);
  fd_t_assert_id (id, "wks");
  fd_test_cli_assert_kv (created->out, "name", name);
  fd_test_cli_assert_kv (created->out, "description", "racks");
  fd_test_cli_assert_kv (created->out, "fleet_count", "1");
  fd_test_cli_assert_kv_aligned (created->out);
  api = api_get (path);

  get = fd_test_cli_run ("workspace", "get", id, NULL);
  fd_test_cli_assert_ok (get);
  fd_test_cli_assert_kv (get->out, "id", id);
  fd_test_cli_assert_kv (get->out, "default_fleet_id", fd_t_str (api, "default_fleet_id"));
  get_json = fd_test_cli_run ("--json", "workspace", "get", id, NULL);
  json = fd_test_cli_assert_json (get_json, api);

  /* list: a table with the name and a count line; --json is the API's answer. */
  list = fd_test_cli_run ("workspace", "list", "--search", name, NULL);
  fd_test_cli_assert_ok (list);
  g_assert_true (g_str_has_prefix (list->out, "ID"));
  fd_test_cli_assert_in_column (list->out, "NAME", name);
  fd_test_cli_assert_in_column (list->out, "ID", id);
  fd_test_cli_assert_in_column (list->out, "FLEETS", "1");
  fd_test_cli_assert_count_line (list->out, "1 of 1 workspace");
  api_list = api_get (search_path);
  list_json = fd_test_cli_run ("workspace", "list", "--search", name, "--json", NULL);
  g_clear_pointer (&json, json_node_unref);
  json = fd_test_cli_assert_json (list_json, api_list);

  updated
      = fd_test_cli_run ("workspace", "update", id, "--name", renamed, "--description", "", NULL);
  fd_test_cli_assert_ok (updated);
  fd_test_cli_assert_kv (updated->out, "name", renamed);
  g_clear_pointer (&api, json_node_unref);
  api = api_get (path);
  g_assert_cmpstr (fd_t_str (api, "name"), ==, renamed);
  g_assert_cmpstr (fd_t_str (api, "description"), ==, "");

  fd_test_cli_assert_deletes ("workspace", "workspace", id, "(not_found)");
}

static void
test_workspace_delete_force (void)
{
  g_autofree char *name = fd_test_cli_unique_name ("Busy");
  g_autoptr (JsonNode) wks = fd_t_make_workspace (srv, name);
  const char *id = fd_t_str (wks, "id");
  g_autoptr (JsonNode) dev = fd_t_make_device (srv, id, "d1", NULL);
  g_autoptr (FdTestCliResult) refused = fd_test_cli_run ("workspace", "delete", id, NULL);
  g_autoptr (FdTestCliResult) forced = NULL;
  g_autofree char *path = g_strdup_printf (FD_T_API "/workspaces/%s", id);
  guint status = 0;
  g_autoptr (JsonNode) after = NULL;

  fd_test_cli_assert_fails (refused, "(conflict)");
  forced = fd_test_cli_run ("workspace", "delete", id, "--force", "--json", NULL);
  /* --json prints the API's body, and a delete has none. */
  fd_test_cli_assert_ok (forced);
  g_assert_cmpstr (forced->out, ==, "");
  after = fd_test_api (srv, "GET", path, NULL, &status);
  g_assert_cmpuint (status, ==, 404);
}

static void
test_fleet (void)
{
  g_autofree char *wname = fd_test_cli_unique_name ("Fleets");
  g_autoptr (JsonNode) wks = fd_t_make_workspace (srv, wname);
  const char *wid = fd_t_str (wks, "id");
  g_autoptr (FdTestCliResult) created
      = fd_test_cli_run ("fleet", "create", wid, "north", "--description", "N", NULL);
  g_autofree char *id = fd_test_cli_kv_value (created->out, "id");
  g_autofree char *path = g_strdup_printf (FD_T_API "/fleets/%s", id);
  g_autofree char *list_path = g_strdup_printf (FD_T_API "/workspaces/%s/fleets", wid);
  g_autofree char *expected = NULL;
  g_autoptr (JsonNode) api = NULL, api_list = NULL, json = NULL, json2 = NULL;
  g_autoptr (FdTestCliResult) list = NULL, list_json = NULL, get_json = NULL, updated = NULL;
  g_autoptr (FdTestCliResult) deleted = NULL, default_delete = NULL;

  fd_test_cli_assert_ok (created);
  fd_t_assert_id (id, "flt");
  fd_test_cli_assert_kv (created->out, "workspace_id", wid);
  fd_test_cli_assert_kv (created->out, "is_default", "no");

  list = fd_test_cli_run ("fleet", "list", wid, NULL);
  fd_test_cli_assert_ok (list);
  g_assert_nonnull (strstr (list->out, "north"));
  g_assert_nonnull (strstr (list->out, "default"));
  fd_test_cli_assert_count_line (list->out, "2 of 2 fleets");
  api_list = api_get (list_path);
  list_json = fd_test_cli_run ("fleet", "list", wid, "--json", NULL);
  json = fd_test_cli_assert_json (list_json, api_list);

  api = api_get (path);
  get_json = fd_test_cli_run ("fleet", "get", id, "--json", NULL);
  json2 = fd_test_cli_assert_json (get_json, api);

  updated = fd_test_cli_run ("fleet", "update", id, "--name", "south", NULL);
  fd_test_cli_assert_ok (updated);
  fd_test_cli_assert_kv (updated->out, "name", "south");
  fd_test_cli_assert_kv (updated->out, "description", "N");

  default_delete = fd_test_cli_run ("fleet", "delete", fd_t_str (wks, "default_fleet_id"), NULL);
  fd_test_cli_assert_fails (default_delete, "(conflict)");
  deleted = fd_test_cli_run ("fleet", "delete", id, "--force", NULL);
  fd_test_cli_assert_ok (deleted);
  expected = g_strdup_printf ("Deleted fleet %s\n", id);
  g_assert_cmpstr (deleted->out, ==, expected);
}

static void
test_device (void)
{
  g_autofree char *wname = fd_test_cli_unique_name ("Devices");
  g_autoptr (JsonNode) wks = fd_t_make_workspace (srv, wname);
  const char *wid = fd_t_str (wks, "id");
  g_autoptr (JsonNode) north = fd_t_make_fleet (srv, wid, "north");
  g_autoptr (JsonNode) south = fd_t_make_fleet (srv, wid, "south");
  const char *north_id = fd_t_str (north, "id");
  const char *south_id = fd_t_str (south, "id");
  g_autoptr (FdTestCliResult) created
      = fd_test_cli_run ("device", "create", wid, "sensor-b", "--fleet", north_id, "--json", NULL);
  g_autoptr (JsonNode) dev = fd_test_cli_assert_json (created, NULL);
  const char *id = fd_t_str (dev, "id");
  g_autofree char *path = g_strdup_printf (FD_T_API "/devices/%s", id);
  g_autoptr (JsonNode) api = NULL, sorted = NULL;
  g_autoptr (FdTestCliResult) other = NULL, third = NULL, list = NULL, sorted_run = NULL;
  g_autoptr (FdTestCliResult) filtered_run = NULL, get = NULL, updated = NULL, moved = NULL;
  const char *a, *b, *c;

  g_assert_cmpstr (fd_t_str (dev, "fleet_id"), ==, north_id);
  api = api_get (path);
  g_assert_true (json_node_equal (dev, api));

  other = fd_test_cli_run ("device", "create", wid, "sensor-a", NULL);
  fd_test_cli_assert_ok (other);
  fd_test_cli_assert_kv (other->out, "fleet_id", fd_t_str (wks, "default_fleet_id"));
  fd_test_cli_assert_kv (other->out, "online", "no");
  third = fd_test_cli_run ("device", "create", wid, "sensor-c", "--fleet", south_id, NULL);
  fd_test_cli_assert_ok (third);

  /* The table names each device and its fleet, sorted by name by default. */
  list = fd_test_cli_run ("device", "list", wid, NULL);
  fd_test_cli_assert_ok (list);
  a = strstr (list->out, "sensor-a");
  b = strstr (list->out, "sensor-b");
  c = strstr (list->out, "sensor-c");
  g_assert_true (a != NULL && b != NULL && c != NULL && a < b && b < c);
  fd_test_cli_assert_in_column (list->out, "FLEET", "north");
  fd_test_cli_assert_count_line (list->out, "3 of 3 devices");

  sorted_run
      = fd_test_cli_run ("device", "list", wid, "--sort", "-name", "--size", "2", "--json", NULL);
  sorted = fd_test_cli_assert_json (sorted_run, NULL);
  g_assert_cmpint (fd_t_int (sorted, "total"), ==, 3);
  g_assert_cmpuint (json_array_get_length (fd_t_items (sorted)), ==, 2);
  g_assert_cmpstr (fd_t_str (fd_t_item (sorted, 0), "name"), ==, "sensor-c");

  /* --fleet may be repeated: devices in any of them. */
  filtered_run
      = fd_test_cli_run ("device", "list", wid, "--fleet", north_id, "--fleet", south_id, NULL);
  fd_test_cli_assert_ok (filtered_run);
  g_assert_null (strstr (filtered_run->out, "sensor-a"));
  fd_test_cli_assert_count_line (filtered_run->out, "2 of 2 devices");

  get = fd_test_cli_run ("device", "get", id, NULL);
  fd_test_cli_assert_ok (get);
  fd_test_cli_assert_kv (get->out, "name", "sensor-b");
  fd_test_cli_assert_kv (get->out, "fleet_name", "north");
  fd_test_cli_assert_kv (get->out, "last_seen", "-");

  updated = fd_test_cli_run ("device", "update", id, "--name", "sensor-b2", NULL);
  fd_test_cli_assert_ok (updated);
  fd_test_cli_assert_kv (updated->out, "name", "sensor-b2");

  moved = fd_test_cli_run ("device", "move", id, south_id, NULL);
  fd_test_cli_assert_ok (moved);
  fd_test_cli_assert_kv (moved->out, "fleet_id", south_id);
  g_clear_pointer (&api, json_node_unref);
  api = api_get (path);
  g_assert_cmpstr (fd_t_str (api, "fleet_id"), ==, south_id);
  g_assert_cmpstr (fd_t_str (api, "name"), ==, "sensor-b2");

  fd_test_cli_assert_deletes ("device", "device", id, "(not_found)");
}

static void
test_token (void)
{
  g_autofree char *name = fd_test_cli_unique_name ("ci");
  g_autoptr (FdTestCliResult) created = fd_test_cli_run ("token", "create", name, NULL);
  g_autofree char *id = fd_test_cli_kv_value (created->out, "id");
  g_autofree char *secret = fd_test_cli_kv_value (created->out, "token");
  g_autofree char *expected = NULL;
  g_auto (GStrv) env = fd_test_cli_clean_env ();
  g_autoptr (FdTestCliResult) with_new = NULL, list = NULL, list_json = NULL, revoked = NULL;
  g_autoptr (FdTestCliResult) refused = NULL;
  g_autoptr (JsonNode) api_list = NULL, json = NULL;

  /* The secret is shown once, with a note that it will not be shown again. */
  fd_test_cli_assert_ok (created);
  fd_t_assert_id (id, "tok");
  g_assert_nonnull (secret);
  g_assert_cmpstr (secret, !=, "");
  g_assert_cmpstr (created->err, !=, "");

  with_new = fd_test_cli_run_env (env, "--server", srv->url, "--token", secret, "workspace", "list",
                                  NULL);
  fd_test_cli_assert_ok (with_new);

  list = fd_test_cli_run ("token", "list", "--size", "1000", NULL);
  fd_test_cli_assert_ok (list);
  g_assert_nonnull (strstr (list->out, name));
  g_assert_null (strstr (list->out, secret));
  api_list = api_get (FD_T_API "/tokens?size=1000");
  list_json = fd_test_cli_run ("token", "list", "--size", "1000", "--json", NULL);
  json = fd_test_cli_assert_json (list_json, api_list);

  revoked = fd_test_cli_run ("token", "revoke", id, NULL);
  fd_test_cli_assert_ok (revoked);
  expected = g_strdup_printf ("Revoked token %s\n", id);
  g_assert_cmpstr (revoked->out, ==, expected);
  refused = fd_test_cli_run_env (env, "--server", srv->url, "--token", secret, "workspace", "list",
                                 NULL);
  fd_test_cli_assert_fails (refused, "(unauthorized)");
}

static void
test_audit (void)
{
  g_autofree char *wname = fd_test_cli_unique_name ("Audited");
  g_autoptr (JsonNode) wks = fd_t_make_workspace (srv, wname);
  g_autoptr (JsonNode) dev = fd_t_make_device (srv, fd_t_str (wks, "id"), "watched", NULL);
  const char *id = fd_t_str (dev, "id");
  g_autofree char *path = g_strdup_printf (FD_T_API "/audit?target=%s", id);
  g_autoptr (JsonNode) api = api_get (path);
  g_autoptr (FdTestCliResult) json_run
      = fd_test_cli_run ("audit", "list", "--target", id, "--json", NULL);
  g_autoptr (JsonNode) json = fd_test_cli_assert_json (json_run, api);
  g_autoptr (FdTestCliResult) table
      = fd_test_cli_run ("audit", "list", "--action", "device.create", "--target", id, NULL);

  g_assert_cmpint (fd_t_int (api, "total"), >=, 1);
  fd_test_cli_assert_ok (table);
  g_assert_nonnull (strstr (table->out, "ACTION"));
  g_assert_nonnull (strstr (table->out, "device.create"));
  g_assert_nonnull (strstr (table->out, id));
  fd_test_cli_assert_count_line (table->out, "1 of 1 audit entry");
}

static void
test_paging (void)
{
  g_autofree char *prefix = fd_test_cli_unique_name ("Paged");
  g_autoptr (FdTestCliResult) first = NULL, rest = NULL;

  for (int i = 0; i < 3; i++)
    {
      g_autofree char *name = g_strdup_printf ("%s-%d", prefix, i);
      g_autoptr (JsonNode) wks = fd_t_make_workspace (srv, name);
    }
  first = fd_test_cli_run ("workspace", "list", "--search", prefix, "--size", "2", NULL);
  fd_test_cli_assert_ok (first);
  fd_test_cli_assert_count_line (first->out, "2 of 3 workspaces");
  rest = fd_test_cli_run ("workspace", "list", "--search", prefix, "--from", "2", NULL);
  fd_test_cli_assert_ok (rest);
  fd_test_cli_assert_count_line (rest->out, "1 of 3 workspaces");
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
  g_autoptr (FdTestCliResult) result = fd_test_cli_run ("device", "get", FD_T_NO_DEV, NULL);

  /* The API's own message, then its code. */
  g_assert_cmpuint (status, ==, 404);
  fd_test_cli_assert_fails (result, "(not_found)");
  g_assert_cmpstr (result->err, ==, expected);
}

static void
test_error_bad_token (void)
{
  g_auto (GStrv) env = fd_test_cli_clean_env ();
  g_autoptr (FdTestCliResult) result = fd_test_cli_run_env (env, "--server", srv->url, "--token",
                                                            "tok-wrong", "workspace", "list", NULL);
  g_autoptr (FdTestCliResult) none
      = fd_test_cli_run_env (env, "--server", srv->url, "workspace", "list", NULL);

  fd_test_cli_assert_fails (result, "(unauthorized)");
  fd_test_cli_assert_fails (none, "(unauthorized)");
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
  g_auto (GStrv) env = fd_test_cli_clean_env ();
  g_autoptr (FdTestCliResult) result = NULL;

  /* A port bound but not listening refuses connections for as long as the socket is open. */
  g_assert_no_error (error);
  g_socket_bind (socket, any_port, FALSE, &error);
  g_assert_no_error (error);
  bound = g_socket_get_local_address (socket, &error);
  g_assert_no_error (error);
  url = g_strdup_printf ("http://127.0.0.1:%u",
                         g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound)));

  result = fd_test_cli_run_env (env, "--server", url, "--token", "x", "workspace", "list", NULL);
  fd_test_cli_assert_fails (result, url);
  g_assert_nonnull (strstr (result->err, "running"));
}

int
main (int argc, char **argv)
{
  int ret;

  g_test_init (&argc, &argv, NULL);
  srv = fd_test_cli_start ();
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

  ret = g_test_run ();
  fd_test_cli_stop ();
  return ret;
}
