/* test-api.c — the operator API's objects, end to end against a real fleetdesk-server:
 * health, workspaces (with their default fleet and counts), fleets and devices (create, read,
 * update, move, delete, force). Lists are in test-api-lists.c, tokens and audit in
 * test-api-tokens.c, errors in test-api-errors.c. docs/rest-api.md is the contract.
 */
#include "config.h"

#include "fd-test-api-util.h"

static FdTestServer *srv;

static void
test_health (void)
{
  g_autoptr (JsonNode) node = NULL;
  g_autoptr (SoupMessageHeaders) headers = NULL;
  guint status = 0;

  /* No Authorization header: health is the one path that needs none. */
  node = fd_test_api_full (srv, "GET", FD_T_API "/health", NULL, NULL, 0, NULL, &status, &headers);
  g_assert_cmpuint (status, ==, 200);
  fd_t_assert_json_type (headers);
  g_assert_cmpstr (fd_t_str (node, "status"), ==, "ok");
  g_assert_cmpstr (fd_t_str (node, "version"), ==, PACKAGE_VERSION);
}

static void
assert_workspace_shape (JsonNode *wks)
{
  fd_t_assert_id (fd_t_str (wks, "id"), "wks");
  fd_t_assert_id (fd_t_str (wks, "default_fleet_id"), "flt");
  fd_t_assert_time (fd_t_str (wks, "created_at"));
  fd_t_assert_time (fd_t_str (wks, "updated_at"));
  (void)fd_t_str (wks, "description");
  (void)fd_t_int (wks, "fleet_count");
  (void)fd_t_int (wks, "device_count");
}

static void
test_workspace_crud (void)
{
  g_autoptr (JsonNode) wks = NULL;
  g_autoptr (JsonNode) again = NULL;
  g_autoptr (JsonNode) fleet = NULL;
  g_autoptr (JsonNode) fleets = NULL;
  g_autoptr (JsonNode) patched = NULL;
  g_autoptr (JsonNode) renamed = NULL;
  g_autoptr (JsonNode) described = NULL;
  g_autofree char *path = NULL;
  g_autofree char *fleet_path = NULL;
  g_autofree char *fleets_path = NULL;
  g_autofree char *text1 = NULL;
  g_autofree char *text2 = NULL;

  /* Leading and trailing blanks are not part of a name. */
  wks = fd_t_make_workspace (srv, "  Lab crud  ");
  assert_workspace_shape (wks);
  g_assert_cmpstr (fd_t_str (wks, "name"), ==, "Lab crud");
  g_assert_cmpstr (fd_t_str (wks, "description"), ==, "");
  g_assert_cmpint (fd_t_int (wks, "fleet_count"), ==, 1);
  g_assert_cmpint (fd_t_int (wks, "device_count"), ==, 0);
  g_assert_cmpstr (fd_t_str (wks, "created_at"), ==, fd_t_str (wks, "updated_at"));

  path = g_strdup_printf (FD_T_API "/workspaces/%s", fd_t_str (wks, "id"));
  again = fd_t_call (srv, "GET", path, NULL, 200);
  text1 = json_to_string (wks, FALSE);
  text2 = json_to_string (again, FALSE);
  g_assert_cmpstr (text1, ==, text2);

  /* The default fleet is made with the workspace. */
  fleet_path = g_strdup_printf (FD_T_API "/fleets/%s", fd_t_str (wks, "default_fleet_id"));
  fleet = fd_t_call (srv, "GET", fleet_path, NULL, 200);
  g_assert_cmpstr (fd_t_str (fleet, "name"), ==, "default");
  g_assert_true (fd_t_bool (fleet, "is_default"));
  g_assert_cmpstr (fd_t_str (fleet, "workspace_id"), ==, fd_t_str (wks, "id"));
  g_assert_cmpint (fd_t_int (fleet, "device_count"), ==, 0);
  fleets_path = g_strdup_printf ("%s/fleets", path);
  fleets = fd_t_call (srv, "GET", fleets_path, NULL, 200);
  g_assert_cmpint (fd_t_int (fleets, "total"), ==, 1);
  g_assert_cmpstr (fd_t_str (fd_t_item (fleets, 0), "id"), ==, fd_t_str (wks, "default_fleet_id"));

  /* PATCH changes only the fields given. */
  described = fd_t_call (srv, "PATCH", path, "{\"description\": \"the lab bench\"}", 200);
  g_assert_cmpstr (fd_t_str (described, "name"), ==, "Lab crud");
  g_assert_cmpstr (fd_t_str (described, "description"), ==, "the lab bench");
  g_assert_cmpstr (fd_t_str (described, "created_at"), ==, fd_t_str (wks, "created_at"));
  g_assert_cmpstr (fd_t_str (described, "updated_at"), >=, fd_t_str (wks, "updated_at"));
  renamed = fd_t_call (srv, "PATCH", path, "{\"name\": \"Lab crud renamed\"}", 200);
  g_assert_cmpstr (fd_t_str (renamed, "name"), ==, "Lab crud renamed");
  g_assert_cmpstr (fd_t_str (renamed, "description"), ==, "the lab bench");
  patched = fd_t_call (srv, "GET", path, NULL, 200);
  g_assert_cmpstr (fd_t_str (patched, "name"), ==, "Lab crud renamed");
  g_assert_cmpstr (fd_t_str (patched, "description"), ==, "the lab bench");

  /* An empty workspace goes without force, and its default fleet with it. */
  g_assert_null (fd_t_call (srv, "DELETE", path, NULL, 204));
  fd_t_expect_error (srv, "GET", path, NULL, 404, "not_found", NULL);
  fd_t_expect_error (srv, "GET", fleet_path, NULL, 404, "not_found", NULL);
  fd_t_expect_error (srv, "DELETE", path, NULL, 404, "not_found", NULL);
}

static void
test_workspace_create_description (void)
{
  /* Only names are barred from control characters: a description keeps its lines. */
  g_autofree char *body
      = fd_t_body ("name", "Lab described", "description", "bench 4\nrow 2\tleft", NULL);
  g_autoptr (JsonNode) wks
      = fd_t_create (srv, FD_T_API "/workspaces", body, FD_T_API "/workspaces");

  g_assert_cmpstr (fd_t_str (wks, "description"), ==, "bench 4\nrow 2\tleft");
}

static void
test_workspace_counts (void)
{
  g_autoptr (JsonNode) wks = fd_t_make_workspace (srv, "Lab counts");
  const char *id = fd_t_str (wks, "id");
  g_autofree char *path = g_strdup_printf (FD_T_API "/workspaces/%s", id);
  g_autoptr (JsonNode) fleet = fd_t_make_fleet (srv, id, "line-1");
  g_autoptr (JsonNode) d1 = fd_t_make_device (srv, id, "c-1", NULL);
  g_autoptr (JsonNode) d2 = fd_t_make_device (srv, id, "c-2", fd_t_str (fleet, "id"));
  g_autoptr (JsonNode) d3 = fd_t_make_device (srv, id, "c-3", fd_t_str (fleet, "id"));
  g_autofree char *fleet_path = g_strdup_printf (FD_T_API "/fleets/%s", fd_t_str (fleet, "id"));
  g_autofree char *default_path
      = g_strdup_printf (FD_T_API "/fleets/%s", fd_t_str (wks, "default_fleet_id"));
  g_autofree char *d1_path = g_strdup_printf (FD_T_API "/devices/%s", fd_t_str (d1, "id"));

  g_assert_cmpint (fd_t_get_int (srv, path, "fleet_count"), ==, 2);
  g_assert_cmpint (fd_t_get_int (srv, path, "device_count"), ==, 3);
  g_assert_cmpint (fd_t_get_int (srv, fleet_path, "device_count"), ==, 2);
  g_assert_cmpint (fd_t_get_int (srv, default_path, "device_count"), ==, 1);

  g_assert_null (fd_t_call (srv, "DELETE", d1_path, NULL, 204));
  g_assert_cmpint (fd_t_get_int (srv, path, "device_count"), ==, 2);
  g_assert_cmpint (fd_t_get_int (srv, default_path, "device_count"), ==, 0);
}

static void
test_workspace_delete_force (void)
{
  g_autoptr (JsonNode) wks = fd_t_make_workspace (srv, "Lab force");
  const char *id = fd_t_str (wks, "id");
  g_autoptr (JsonNode) fleet = fd_t_make_fleet (srv, id, "line-1");
  g_autoptr (JsonNode) dev = fd_t_make_device (srv, id, "f-1", fd_t_str (fleet, "id"));
  g_autofree char *path = g_strdup_printf (FD_T_API "/workspaces/%s", id);
  g_autofree char *path_false = g_strdup_printf ("%s?force=false", path);
  g_autofree char *path_force = g_strdup_printf ("%s?force=true", path);
  g_autofree char *fleet_path = g_strdup_printf (FD_T_API "/fleets/%s", fd_t_str (fleet, "id"));
  g_autofree char *dev_path = g_strdup_printf (FD_T_API "/devices/%s", fd_t_str (dev, "id"));

  fd_t_expect_error (srv, "DELETE", path, NULL, 409, "conflict", NULL);
  fd_t_expect_error (srv, "DELETE", path_false, NULL, 409, "conflict", NULL);
  g_assert_cmpint (fd_t_get_int (srv, path, "device_count"), ==, 1);

  /* force deletes its fleets and devices too. */
  g_assert_null (fd_t_call (srv, "DELETE", path_force, NULL, 204));
  fd_t_expect_error (srv, "GET", path, NULL, 404, "not_found", NULL);
  fd_t_expect_error (srv, "GET", fleet_path, NULL, 404, "not_found", NULL);
  fd_t_expect_error (srv, "GET", dev_path, NULL, 404, "not_found", NULL);
}

static void
test_workspace_delete_fleets_only (void)
{
  /* Only devices make a workspace "non-empty": extra fleets do not need force. */
  g_autoptr (JsonNode) wks = fd_t_make_workspace (srv, "Lab fleets only");
  g_autoptr (JsonNode) fleet = fd_t_make_fleet (srv, fd_t_str (wks, "id"), "line-1");
  g_autofree char *path = g_strdup_printf (FD_T_API "/workspaces/%s", fd_t_str (wks, "id"));
  g_autofree char *fleet_path = g_strdup_printf (FD_T_API "/fleets/%s", fd_t_str (fleet, "id"));

  g_assert_null (fd_t_call (srv, "DELETE", path, NULL, 204));
  fd_t_expect_error (srv, "GET", fleet_path, NULL, 404, "not_found", NULL);
}

static void
test_fleet_crud (void)
{
  g_autoptr (JsonNode) wks = fd_t_make_workspace (srv, "Lab fleets");
  const char *wks_id = fd_t_str (wks, "id");
  g_autofree char *body = fd_t_body ("name", " line-7 ", "description", "north wall", NULL);
  g_autofree char *create_path = g_strdup_printf (FD_T_API "/workspaces/%s/fleets", wks_id);
  g_autoptr (JsonNode) fleet = fd_t_create (srv, create_path, body, FD_T_API "/fleets");
  g_autofree char *path = g_strdup_printf (FD_T_API "/fleets/%s", fd_t_str (fleet, "id"));
  g_autoptr (JsonNode) got = NULL;
  g_autoptr (JsonNode) patched = NULL;
  g_autoptr (JsonNode) redescribed = NULL;
  g_autofree char *t1 = NULL;
  g_autofree char *t2 = NULL;

  fd_t_assert_id (fd_t_str (fleet, "id"), "flt");
  g_assert_cmpstr (fd_t_str (fleet, "workspace_id"), ==, wks_id);
  g_assert_cmpstr (fd_t_str (fleet, "name"), ==, "line-7");
  g_assert_cmpstr (fd_t_str (fleet, "description"), ==, "north wall");
  g_assert_false (fd_t_bool (fleet, "is_default"));
  g_assert_cmpint (fd_t_int (fleet, "device_count"), ==, 0);
  fd_t_assert_time (fd_t_str (fleet, "created_at"));
  fd_t_assert_time (fd_t_str (fleet, "updated_at"));

  got = fd_t_call (srv, "GET", path, NULL, 200);
  t1 = json_to_string (fleet, FALSE);
  t2 = json_to_string (got, FALSE);
  g_assert_cmpstr (t1, ==, t2);

  patched = fd_t_call (srv, "PATCH", path, "{\"name\": \"line-8\"}", 200);
  g_assert_cmpstr (fd_t_str (patched, "name"), ==, "line-8");
  g_assert_cmpstr (fd_t_str (patched, "description"), ==, "north wall");
  redescribed = fd_t_call (srv, "PATCH", path, "{\"description\": \"\"}", 200);
  g_assert_cmpstr (fd_t_str (redescribed, "name"), ==, "line-8");
  g_assert_cmpstr (fd_t_str (redescribed, "description"), ==, "");

  g_assert_null (fd_t_call (srv, "DELETE", path, NULL, 204));
  fd_t_expect_error (srv, "GET", path, NULL, 404, "not_found", NULL);
  g_assert_cmpint (fd_t_total (srv, create_path), ==, 1);
}

static void
test_fleet_delete_rules (void)
{
  g_autoptr (JsonNode) wks = fd_t_make_workspace (srv, "Lab fleet rules");
  const char *wks_id = fd_t_str (wks, "id");
  g_autoptr (JsonNode) fleet = fd_t_make_fleet (srv, wks_id, "line-1");
  g_autoptr (JsonNode) dev = fd_t_make_device (srv, wks_id, "r-1", fd_t_str (fleet, "id"));
  g_autofree char *default_path
      = g_strdup_printf (FD_T_API "/fleets/%s", fd_t_str (wks, "default_fleet_id"));
  g_autofree char *default_force = g_strdup_printf ("%s?force=true", default_path);
  g_autofree char *path = g_strdup_printf (FD_T_API "/fleets/%s", fd_t_str (fleet, "id"));
  g_autofree char *path_false = g_strdup_printf ("%s?force=false", path);
  g_autofree char *path_force = g_strdup_printf ("%s?force=true", path);
  g_autofree char *dev_path = g_strdup_printf (FD_T_API "/devices/%s", fd_t_str (dev, "id"));
  g_autofree char *wks_path = g_strdup_printf (FD_T_API "/workspaces/%s", wks_id);

  /* The default fleet is never deleted, not even with force. */
  fd_t_expect_error (srv, "DELETE", default_path, NULL, 409, "conflict", NULL);
  fd_t_expect_error (srv, "DELETE", default_force, NULL, 409, "conflict", NULL);

  fd_t_expect_error (srv, "DELETE", path, NULL, 409, "conflict", NULL);
  fd_t_expect_error (srv, "DELETE", path_false, NULL, 409, "conflict", NULL);
  g_assert_cmpint (fd_t_get_int (srv, path, "device_count"), ==, 1);

  /* force deletes its devices with it. */
  g_assert_null (fd_t_call (srv, "DELETE", path_force, NULL, 204));
  fd_t_expect_error (srv, "GET", path, NULL, 404, "not_found", NULL);
  fd_t_expect_error (srv, "GET", dev_path, NULL, 404, "not_found", NULL);
  g_assert_cmpint (fd_t_get_int (srv, wks_path, "fleet_count"), ==, 1);
  g_assert_cmpint (fd_t_get_int (srv, wks_path, "device_count"), ==, 0);
}

static void
test_device_crud (void)
{
  g_autoptr (JsonNode) wks = fd_t_make_workspace (srv, "Lab devices");
  const char *wks_id = fd_t_str (wks, "id");
  g_autoptr (JsonNode) fleet = fd_t_make_fleet (srv, wks_id, "line-1");
  g_autoptr (JsonNode) dev = fd_t_make_device (srv, wks_id, " sensor-1 ", NULL);
  g_autoptr (JsonNode) dev2 = fd_t_make_device (srv, wks_id, "sensor-2", fd_t_str (fleet, "id"));
  g_autofree char *path = g_strdup_printf (FD_T_API "/devices/%s", fd_t_str (dev, "id"));
  g_autoptr (JsonNode) got = NULL;
  g_autoptr (JsonNode) renamed = NULL;
  g_autofree char *t1 = NULL;
  g_autofree char *t2 = NULL;

  /* Without fleet_id a device lands in the default fleet. */
  fd_t_assert_id (fd_t_str (dev, "id"), "dev");
  g_assert_cmpstr (fd_t_str (dev, "workspace_id"), ==, wks_id);
  g_assert_cmpstr (fd_t_str (dev, "fleet_id"), ==, fd_t_str (wks, "default_fleet_id"));
  g_assert_cmpstr (fd_t_str (dev, "fleet_name"), ==, "default");
  g_assert_cmpstr (fd_t_str (dev, "name"), ==, "sensor-1");
  g_assert_false (fd_t_bool (dev, "online"));
  g_assert_true (fd_t_is_null (dev, "last_seen"));
  g_assert_true (fd_t_is_null (dev, "firmware_version"));
  fd_t_assert_time (fd_t_str (dev, "created_at"));
  fd_t_assert_time (fd_t_str (dev, "updated_at"));

  g_assert_cmpstr (fd_t_str (dev2, "fleet_id"), ==, fd_t_str (fleet, "id"));
  g_assert_cmpstr (fd_t_str (dev2, "fleet_name"), ==, "line-1");

  got = fd_t_call (srv, "GET", path, NULL, 200);
  t1 = json_to_string (dev, FALSE);
  t2 = json_to_string (got, FALSE);
  g_assert_cmpstr (t1, ==, t2);

  renamed = fd_t_call (srv, "PATCH", path, "{\"name\": \"sensor-1b\"}", 200);
  g_assert_cmpstr (fd_t_str (renamed, "name"), ==, "sensor-1b");
  g_assert_cmpstr (fd_t_str (renamed, "fleet_id"), ==, fd_t_str (dev, "fleet_id"));
  g_assert_cmpstr (fd_t_str (renamed, "created_at"), ==, fd_t_str (dev, "created_at"));
  g_assert_cmpstr (fd_t_str (renamed, "updated_at"), >=, fd_t_str (dev, "updated_at"));

  g_assert_null (fd_t_call (srv, "DELETE", path, NULL, 204));
  fd_t_expect_error (srv, "GET", path, NULL, 404, "not_found", NULL);
  fd_t_expect_error (srv, "DELETE", path, NULL, 404, "not_found", NULL);
}

static void
test_device_move (void)
{
  g_autoptr (JsonNode) wks = fd_t_make_workspace (srv, "Lab move");
  g_autoptr (JsonNode) other = fd_t_make_workspace (srv, "Lab move other");
  const char *wks_id = fd_t_str (wks, "id");
  g_autoptr (JsonNode) fleet = fd_t_make_fleet (srv, wks_id, "line-1");
  g_autoptr (JsonNode) foreign = fd_t_make_fleet (srv, fd_t_str (other, "id"), "line-1");
  g_autoptr (JsonNode) dev = fd_t_make_device (srv, wks_id, "mover", NULL);
  g_autofree char *path = g_strdup_printf (FD_T_API "/devices/%s", fd_t_str (dev, "id"));
  g_autofree char *fleet_path = g_strdup_printf (FD_T_API "/fleets/%s", fd_t_str (fleet, "id"));
  g_autofree char *default_path
      = g_strdup_printf (FD_T_API "/fleets/%s", fd_t_str (wks, "default_fleet_id"));
  g_autofree char *move = fd_t_body ("fleet_id", fd_t_str (fleet, "id"), NULL);
  g_autofree char *move_back = fd_t_body ("fleet_id", fd_t_str (wks, "default_fleet_id"), NULL);
  g_autofree char *move_away = fd_t_body ("fleet_id", fd_t_str (foreign, "id"), NULL);
  g_autoptr (JsonNode) moved = NULL;
  g_autoptr (JsonNode) back = NULL;
  g_autoptr (JsonNode) still = NULL;

  moved = fd_t_call (srv, "PATCH", path, move, 200);
  g_assert_cmpstr (fd_t_str (moved, "fleet_id"), ==, fd_t_str (fleet, "id"));
  g_assert_cmpstr (fd_t_str (moved, "fleet_name"), ==, "line-1");
  g_assert_cmpstr (fd_t_str (moved, "name"), ==, "mover");
  g_assert_cmpint (fd_t_get_int (srv, fleet_path, "device_count"), ==, 1);
  g_assert_cmpint (fd_t_get_int (srv, default_path, "device_count"), ==, 0);

  /* A device never leaves its workspace. */
  fd_t_expect_error (srv, "PATCH", path, move_away, 400, "invalid_field", "fleet_id");
  still = fd_t_call (srv, "GET", path, NULL, 200);
  g_assert_cmpstr (fd_t_str (still, "fleet_id"), ==, fd_t_str (fleet, "id"));
  g_assert_cmpstr (fd_t_str (still, "workspace_id"), ==, wks_id);

  back = fd_t_call (srv, "PATCH", path, move_back, 200);
  g_assert_cmpstr (fd_t_str (back, "fleet_name"), ==, "default");
  g_assert_cmpint (fd_t_get_int (srv, fleet_path, "device_count"), ==, 0);
  g_assert_cmpint (fd_t_get_int (srv, default_path, "device_count"), ==, 1);
}

static void
test_device_create_foreign_fleet (void)
{
  g_autoptr (JsonNode) wks = fd_t_make_workspace (srv, "Lab foreign");
  g_autoptr (JsonNode) other = fd_t_make_workspace (srv, "Lab foreign other");
  g_autofree char *body
      = fd_t_body ("name", "stray", "fleet_id", fd_t_str (other, "default_fleet_id"), NULL);
  g_autofree char *path = g_strdup_printf (FD_T_API "/workspaces/%s/devices", fd_t_str (wks, "id"));

  fd_t_expect_error (srv, "POST", path, body, 400, "invalid_field", "fleet_id");
  g_assert_cmpint (fd_t_total (srv, path), ==, 0);
}

static void
test_names_scope (void)
{
  /* The same fleet or device name in another workspace is a different thing: allowed. */
  g_autoptr (JsonNode) a = fd_t_make_workspace (srv, "Lab scope A");
  g_autoptr (JsonNode) b = fd_t_make_workspace (srv, "Lab scope B");
  g_autoptr (JsonNode) fa = fd_t_make_fleet (srv, fd_t_str (a, "id"), "line-1");
  g_autoptr (JsonNode) fb = fd_t_make_fleet (srv, fd_t_str (b, "id"), "line-1");
  g_autoptr (JsonNode) da = fd_t_make_device (srv, fd_t_str (a, "id"), "sensor-1", NULL);
  g_autoptr (JsonNode) db = fd_t_make_device (srv, fd_t_str (b, "id"), "sensor-1", NULL);
  g_autoptr (JsonNode) da2
      = fd_t_make_device (srv, fd_t_str (a, "id"), "sensor-2", fd_t_str (fa, "id"));
  g_autofree char *da2_path = g_strdup_printf (FD_T_API "/devices/%s", fd_t_str (da2, "id"));
  g_autofree char *fa_path = g_strdup_printf (FD_T_API "/fleets/%s", fd_t_str (fa, "id"));
  g_autoptr (JsonNode) same = NULL;
  g_autoptr (JsonNode) same_fleet = NULL;

  g_assert_cmpstr (fd_t_str (fa, "name"), ==, fd_t_str (fb, "name"));
  g_assert_cmpstr (fd_t_str (da, "name"), ==, fd_t_str (db, "name"));
  /* Renaming to its own name is not a conflict with itself. */
  same = fd_t_call (srv, "PATCH", da2_path, "{\"name\": \"sensor-2\"}", 200);
  g_assert_cmpstr (fd_t_str (same, "name"), ==, "sensor-2");
  same_fleet = fd_t_call (srv, "PATCH", fa_path, "{\"name\": \"line-1\"}", 200);
  g_assert_cmpstr (fd_t_str (same_fleet, "name"), ==, "line-1");
}

static void
test_name_bounds (void)
{
  /* 100 characters after trimming is the longest name; 1000 the longest description. */
  g_autofree char *name100 = g_strnfill (100, 'n');
  g_autofree char *padded = g_strdup_printf ("   %s   ", name100);
  g_autofree char *desc1000 = g_strnfill (1000, 'd');
  g_autofree char *body = fd_t_body ("name", padded, "description", desc1000, NULL);
  g_autoptr (JsonNode) wks
      = fd_t_create (srv, FD_T_API "/workspaces", body, FD_T_API "/workspaces");
  g_autoptr (JsonNode) dev = fd_t_make_device (srv, fd_t_str (wks, "id"), name100, NULL);
  g_autoptr (JsonNode) utf8 = fd_t_make_device (srv, fd_t_str (wks, "id"), "Fühler 温度 ✓", NULL);
  g_autoptr (GString) wide = g_string_new (NULL);
  g_autoptr (JsonNode) wide_dev = NULL;

  /* Limits count characters, not bytes: 100 two-byte characters are a valid name. */
  for (guint i = 0; i < 100; i++)
    g_string_append (wide, "ü");
  wide_dev = fd_t_make_device (srv, fd_t_str (wks, "id"), wide->str, NULL);
  g_assert_cmpstr (fd_t_str (wide_dev, "name"), ==, wide->str);
  for (guint i = 100; i < 1000; i++)
    g_string_append (wide, "ü");
  {
    g_autofree char *path = g_strdup_printf (FD_T_API "/workspaces/%s", fd_t_str (wks, "id"));
    g_autofree char *patch = fd_t_body ("description", wide->str, NULL);
    g_autoptr (JsonNode) patched = fd_t_call (srv, "PATCH", path, patch, 200);

    g_assert_cmpstr (fd_t_str (patched, "description"), ==, wide->str);
  }

  g_assert_cmpstr (fd_t_str (wks, "name"), ==, name100);
  g_assert_cmpstr (fd_t_str (wks, "description"), ==, desc1000);
  g_assert_cmpstr (fd_t_str (dev, "name"), ==, name100);
  g_assert_cmpstr (fd_t_str (utf8, "name"), ==, "Fühler 温度 ✓");
}

int
main (int argc, char **argv)
{
  int ret;

  g_test_init (&argc, &argv, NULL);
  srv = fd_test_server_start ();
  fd_t_kill_server_on_abort (srv);

  g_test_add_func ("/api/health", test_health);
  g_test_add_func ("/api/workspace/crud", test_workspace_crud);
  g_test_add_func ("/api/workspace/create-description", test_workspace_create_description);
  g_test_add_func ("/api/workspace/counts", test_workspace_counts);
  g_test_add_func ("/api/workspace/delete-force", test_workspace_delete_force);
  g_test_add_func ("/api/workspace/delete-fleets-only", test_workspace_delete_fleets_only);
  g_test_add_func ("/api/fleet/crud", test_fleet_crud);
  g_test_add_func ("/api/fleet/delete-rules", test_fleet_delete_rules);
  g_test_add_func ("/api/device/crud", test_device_crud);
  g_test_add_func ("/api/device/move", test_device_move);
  g_test_add_func ("/api/device/create-in-foreign-fleet", test_device_create_foreign_fleet);
  g_test_add_func ("/api/names/scope", test_names_scope);
  g_test_add_func ("/api/names/bounds", test_name_bounds);

  ret = g_test_run ();
  fd_test_server_stop (srv);
  return ret;
}
