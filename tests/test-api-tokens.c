/* test-api-tokens.c — API tokens and the audit log against a real fleetdesk-server: a token's
 * secret appears only in the answer that creates it, a created token works, a revoked one gets
 * 401; every change is in the audit log with its action and target, newest first, filtered by
 * action and target; reads record nothing. docs/rest-api.md is the contract.
 */
#include "fd-test-api-util.h"

static FdTestServer *srv;

static JsonNode *
find_item (JsonNode *list, const char *id)
{
  JsonArray *items = fd_t_items (list);

  for (guint i = 0; i < json_array_get_length (items); i++)
    if (g_strcmp0 (fd_t_str (json_array_get_element (items, i), "id"), id) == 0)
      return json_array_get_element (items, i);
  g_error ("%s is not in the list", id);
}

/* GET @path with @token (NULL: no Authorization header); returns the status. */
static guint
status_with_token (const char *method, const char *path, const char *body, const char *token)
{
  g_autoptr (JsonNode) node = NULL;
  guint status = 0;

  node = fd_test_api_full (srv, method, path, NULL, body, body ? strlen (body) : 0, token, &status,
                           NULL);
  if (status == 401)
    fd_t_assert_error (node, status, 401, "unauthorized", NULL);
  return status;
}

static void
test_token_lifecycle (void)
{
  gint64 before = fd_t_total (srv, FD_T_API "/tokens");
  g_autoptr (JsonNode) tok
      = fd_t_create (srv, FD_T_API "/tokens", "{\"name\": \"ci\"}", FD_T_API "/tokens");
  const char *id = fd_t_str (tok, "id");
  const char *secret = fd_t_str (tok, "token");
  g_autofree char *path = g_strdup_printf (FD_T_API "/tokens/%s", id);
  g_autoptr (JsonNode) list = NULL;
  g_autoptr (JsonNode) after_use = NULL;
  g_autoptr (JsonNode) after_revoke = NULL;
  g_autoptr (JsonNode) audit = NULL;
  gint64 audit_total;

  fd_t_assert_id (id, "tok");
  g_assert_cmpstr (fd_t_str (tok, "name"), ==, "ci");
  g_assert_false (fd_t_bool (tok, "revoked"));
  g_assert_true (fd_t_is_null (tok, "last_used_at"));
  fd_t_assert_time (fd_t_str (tok, "created_at"));
  g_assert_cmpuint (strlen (secret), >=, 20);
  g_assert_cmpstr (secret, !=, srv->token);

  list = fd_t_call (srv, "GET", FD_T_API "/tokens?size=1000", NULL, 200);
  g_assert_cmpint (fd_t_int (list, "total"), ==, before + 1);
  g_assert_false (fd_t_bool (find_item (list, id), "revoked"));

  /* The new token works, and what it does is audited under its name. */
  g_assert_cmpuint (status_with_token ("GET", FD_T_API "/workspaces", NULL, secret), ==, 200);
  g_assert_cmpuint (
      status_with_token ("POST", FD_T_API "/workspaces", "{\"name\": \"by ci\"}", secret), ==, 201);
  audit = fd_t_call (srv, "GET", FD_T_API "/audit?action=workspace.create&size=1", NULL, 200);
  {
    /* The actor is the token's id and its name: "tok-… (ci)". */
    g_autofree char *actor = g_strdup_printf ("%s (ci)", id);

    g_assert_cmpstr (fd_t_str (fd_t_item (audit, 0), "actor"), ==, actor);
  }
  after_use = fd_t_call (srv, "GET", FD_T_API "/tokens?size=1000", NULL, 200);
  fd_t_assert_time (fd_t_str (find_item (after_use, id), "last_used_at"));

  /* Revoked: every request with it is a 401 and writes nothing. */
  g_assert_null (fd_t_call (srv, "DELETE", path, NULL, 204));
  audit_total = fd_t_total (srv, FD_T_API "/audit");
  g_assert_cmpuint (status_with_token ("GET", FD_T_API "/workspaces", NULL, secret), ==, 401);
  g_assert_cmpuint (
      status_with_token ("POST", FD_T_API "/workspaces", "{\"name\": \"late\"}", secret), ==, 401);
  g_assert_cmpuint (status_with_token ("POST", FD_T_API "/tokens", "{\"name\": \"again\"}", secret),
                    ==, 401);
  g_assert_cmpint (fd_t_total (srv, FD_T_API "/audit"), ==, audit_total);
  g_assert_cmpint (fd_t_total (srv, FD_T_API "/workspaces?search=late"), ==, 0);

  /* Still listed, marked revoked; the admin token is unaffected. */
  after_revoke = fd_t_call (srv, "GET", FD_T_API "/tokens?size=1000", NULL, 200);
  g_assert_true (fd_t_bool (find_item (after_revoke, id), "revoked"));
  g_assert_cmpint (fd_t_int (after_revoke, "total"), ==, before + 1);
  g_assert_cmpuint (status_with_token ("GET", FD_T_API "/tokens", NULL, srv->token), ==, 200);

  fd_t_expect_error (srv, "DELETE", FD_T_API "/tokens/" FD_T_NO_TOK, NULL, 404, "not_found", NULL);
}

static void
test_token_names_not_unique (void)
{
  /* Unlike workspaces, fleets and devices, token names need not be unique. */
  g_autoptr (JsonNode) a
      = fd_t_create (srv, FD_T_API "/tokens", "{\"name\": \"twin\"}", FD_T_API "/tokens");
  g_autoptr (JsonNode) b
      = fd_t_create (srv, FD_T_API "/tokens", "{\"name\": \" twin \"}", FD_T_API "/tokens");

  g_assert_cmpstr (fd_t_str (b, "name"), ==, "twin");
  g_assert_cmpstr (fd_t_str (a, "id"), !=, fd_t_str (b, "id"));
  g_assert_cmpstr (fd_t_str (a, "token"), !=, fd_t_str (b, "token"));
}

static void
test_token_secret_once (void)
{
  g_autoptr (JsonNode) tok
      = fd_t_create (srv, FD_T_API "/tokens", "{\"name\": \"secretive\"}", FD_T_API "/tokens");
  g_autofree char *secret = g_strdup (fd_t_str (tok, "token"));
  g_autoptr (JsonNode) list = fd_t_call (srv, "GET", FD_T_API "/tokens?size=1000", NULL, 200);
  g_autoptr (JsonNode) audit = fd_t_call (srv, "GET", FD_T_API "/audit?size=1000", NULL, 200);
  g_autofree char *list_text = json_to_string (list, FALSE);
  g_autofree char *audit_text = json_to_string (audit, FALSE);
  JsonArray *items = fd_t_items (list);

  for (guint i = 0; i < json_array_get_length (items); i++)
    g_assert_false (
        json_object_has_member (json_node_get_object (json_array_get_element (items, i)), "token"));
  g_assert_null (strstr (list_text, secret));
  g_assert_null (strstr (audit_text, secret));
  g_assert_null (strstr (audit_text, srv->token));
}

/* The newest audit entry about @target: its action is @action, or starts with @prefix. */
static char *
assert_audited (const char *target, const char *prefix, const char *action)
{
  g_autofree char *path = g_strdup_printf (FD_T_API "/audit?target=%s&size=1", target);
  g_autoptr (JsonNode) list = fd_t_call (srv, "GET", path, NULL, 200);
  JsonNode *entry;
  JsonNode *detail;

  if (fd_t_int (list, "total") < 1)
    g_error ("no audit entry for %s (%s)", target, action ? action : prefix);
  entry = fd_t_item (list, 0);
  (void)fd_t_int (entry, "id");
  fd_t_assert_time (fd_t_str (entry, "at"));
  if (!g_regex_match_simple ("^tok-[a-z2-7]{20} \\(.+\\)$", fd_t_str (entry, "actor"), 0, 0))
    g_error ("audit actor \"%s\" is not \"tok-… (name)\"", fd_t_str (entry, "actor"));
  g_assert_cmpstr (fd_t_str (entry, "target"), ==, target);
  detail = json_object_get_member (fd_t_obj (entry), "detail");
  g_assert_true (detail != NULL && JSON_NODE_HOLDS_OBJECT (detail));
  if (action != NULL)
    g_assert_cmpstr (fd_t_str (entry, "action"), ==, action);
  else if (!g_str_has_prefix (fd_t_str (entry, "action"), prefix))
    g_error ("audit action \"%s\" for %s does not start with \"%s\"", fd_t_str (entry, "action"),
             target, prefix);
  return g_strdup (fd_t_str (entry, "action"));
}

static void
assert_distinct (const char *a, const char *b, const char *c)
{
  g_assert_cmpstr (a, !=, b);
  g_assert_cmpstr (b, !=, c);
  g_assert_cmpstr (a, !=, c);
}

static void
test_audit_every_mutation (void)
{
  gint64 total = fd_t_total (srv, FD_T_API "/audit");
  g_autoptr (JsonNode) wks = fd_t_make_workspace (srv, "Lab audit");
  const char *wks_id = fd_t_str (wks, "id");
  g_autofree char *wks_path = g_strdup_printf (FD_T_API "/workspaces/%s", wks_id);
  g_autoptr (JsonNode) fleet = NULL;
  g_autoptr (JsonNode) dev = NULL;
  g_autoptr (JsonNode) tok = NULL;
  g_autoptr (JsonNode) newest = NULL;
  g_autofree char *fleet_path = NULL;
  g_autofree char *dev_path = NULL;
  g_autofree char *tok_path = NULL;
  g_autofree char *move = NULL;
  g_autofree char *a_wc = NULL, *a_wu = NULL, *a_wd = NULL;
  g_autofree char *a_fc = NULL, *a_fu = NULL, *a_fd = NULL;
  g_autofree char *a_dc = NULL, *a_du = NULL, *a_dm = NULL, *a_dd = NULL;
  g_autofree char *a_tc = NULL, *a_td = NULL;

#define FD_T_GREW()                                                                                \
  G_STMT_START                                                                                     \
  {                                                                                                \
    gint64 now = fd_t_total (srv, FD_T_API "/audit");                                              \
    g_assert_cmpint (now, >, total);                                                               \
    total = now;                                                                                   \
  }                                                                                                \
  G_STMT_END

  FD_T_GREW ();
  a_wc = assert_audited (wks_id, NULL, "workspace.create");
  json_node_unref (fd_t_call (srv, "PATCH", wks_path, "{\"description\": \"x\"}", 200));
  FD_T_GREW ();
  a_wu = assert_audited (wks_id, "workspace.", NULL);

  fleet = fd_t_make_fleet (srv, wks_id, "line-1");
  fleet_path = g_strdup_printf (FD_T_API "/fleets/%s", fd_t_str (fleet, "id"));
  FD_T_GREW ();
  a_fc = assert_audited (fd_t_str (fleet, "id"), NULL, "fleet.create");
  json_node_unref (fd_t_call (srv, "PATCH", fleet_path, "{\"name\": \"line-2\"}", 200));
  FD_T_GREW ();
  a_fu = assert_audited (fd_t_str (fleet, "id"), "fleet.", NULL);

  dev = fd_t_make_device (srv, wks_id, "sensor-1", NULL);
  dev_path = g_strdup_printf (FD_T_API "/devices/%s", fd_t_str (dev, "id"));
  FD_T_GREW ();
  a_dc = assert_audited (fd_t_str (dev, "id"), NULL, "device.create");
  {
    g_autofree char *q = g_strdup_printf (FD_T_API "/audit?target=%s&size=1", fd_t_str (dev, "id"));
    g_autoptr (JsonNode) l = fd_t_call (srv, "GET", q, NULL, 200);
    JsonNode *detail = json_object_get_member (fd_t_obj (fd_t_item (l, 0)), "detail");

    g_assert_cmpstr (fd_t_str (detail, "name"), ==, "sensor-1");
    g_assert_cmpstr (fd_t_str (detail, "fleet_id"), ==, fd_t_str (wks, "default_fleet_id"));
  }
  json_node_unref (fd_t_call (srv, "PATCH", dev_path, "{\"name\": \"sensor-1b\"}", 200));
  FD_T_GREW ();
  a_du = assert_audited (fd_t_str (dev, "id"), "device.", NULL);
  move = fd_t_body ("fleet_id", fd_t_str (fleet, "id"), NULL);
  json_node_unref (fd_t_call (srv, "PATCH", dev_path, move, 200));
  FD_T_GREW ();
  a_dm = assert_audited (fd_t_str (dev, "id"), "device.", NULL);
  g_assert_null (fd_t_call (srv, "DELETE", dev_path, NULL, 204));
  FD_T_GREW ();
  a_dd = assert_audited (fd_t_str (dev, "id"), "device.", NULL);
  assert_distinct (a_dc, a_du, a_dd);

  g_assert_null (fd_t_call (srv, "DELETE", fleet_path, NULL, 204));
  FD_T_GREW ();
  a_fd = assert_audited (fd_t_str (fleet, "id"), "fleet.", NULL);
  assert_distinct (a_fc, a_fu, a_fd);

  tok = fd_t_create (srv, FD_T_API "/tokens", "{\"name\": \"audited\"}", FD_T_API "/tokens");
  tok_path = g_strdup_printf (FD_T_API "/tokens/%s", fd_t_str (tok, "id"));
  FD_T_GREW ();
  a_tc = assert_audited (fd_t_str (tok, "id"), NULL, "token.create");
  g_assert_null (fd_t_call (srv, "DELETE", tok_path, NULL, 204));
  FD_T_GREW ();
  a_td = assert_audited (fd_t_str (tok, "id"), "token.", NULL);
  g_assert_cmpstr (a_tc, !=, a_td);

  g_assert_null (fd_t_call (srv, "DELETE", wks_path, NULL, 204));
  FD_T_GREW ();
  a_wd = assert_audited (wks_id, "workspace.", NULL);
  assert_distinct (a_wc, a_wu, a_wd);
  (void)a_dm;

  /* Newest first: the last change is at the top of the whole log. */
  newest = fd_t_call (srv, "GET", FD_T_API "/audit?size=1", NULL, 200);
  g_assert_cmpstr (fd_t_str (fd_t_item (newest, 0), "target"), ==, wks_id);
#undef FD_T_GREW
}

static void
test_audit_filters_and_order (void)
{
  g_autoptr (JsonNode) wks = fd_t_make_workspace (srv, "Lab audit filters");
  const char *wks_id = fd_t_str (wks, "id");
  g_autoptr (JsonNode) all = NULL;
  g_autoptr (JsonNode) creates = NULL;
  g_autoptr (JsonNode) page = NULL;
  g_autofree char *target_q = NULL;
  g_autofree char *both_q = NULL;
  JsonArray *items;
  guint n_device_creates = 0;

  for (guint i = 0; i < 5; i++)
    {
      g_autofree char *name = g_strdup_printf ("audit-%u", i);
      g_autoptr (JsonNode) dev = fd_t_make_device (srv, wks_id, name, NULL);
    }

  all = fd_t_call (srv, "GET", FD_T_API "/audit?size=1000", NULL, 200);
  items = fd_t_items (all);
  g_assert_cmpuint (json_array_get_length (items), ==, fd_t_int (all, "total"));
  for (guint i = 0; i < json_array_get_length (items); i++)
    {
      JsonNode *e = json_array_get_element (items, i);

      if (g_strcmp0 (fd_t_str (e, "action"), "device.create") == 0)
        n_device_creates++;
      if (i > 0)
        {
          JsonNode *prev = json_array_get_element (items, i - 1);
          g_assert_cmpint (fd_t_int (prev, "id"), >, fd_t_int (e, "id"));
          g_assert_cmpstr (fd_t_str (prev, "at"), >=, fd_t_str (e, "at"));
        }
    }
  g_assert_cmpuint (n_device_creates, >=, 5);

  creates = fd_t_call (srv, "GET", FD_T_API "/audit?action=device.create&size=1000", NULL, 200);
  g_assert_cmpint (fd_t_int (creates, "total"), ==, n_device_creates);
  for (guint i = 0; i < json_array_get_length (fd_t_items (creates)); i++)
    g_assert_cmpstr (fd_t_str (fd_t_item (creates, i), "action"), ==, "device.create");

  /* Paging: a page is a slice of the whole, total unchanged. */
  page = fd_t_call (srv, "GET", FD_T_API "/audit?from=1&size=2", NULL, 200);
  g_assert_cmpint (fd_t_int (page, "total"), ==, fd_t_int (all, "total"));
  g_assert_cmpuint (json_array_get_length (fd_t_items (page)), ==, 2);
  g_assert_cmpint (fd_t_int (fd_t_item (page, 0), "id"), ==, fd_t_int (fd_t_item (all, 1), "id"));
  g_assert_cmpint (fd_t_int (fd_t_item (page, 1), "id"), ==, fd_t_int (fd_t_item (all, 2), "id"));

  target_q = g_strdup_printf (FD_T_API "/audit?target=%s", wks_id);
  {
    g_autoptr (JsonNode) about = fd_t_call (srv, "GET", target_q, NULL, 200);

    g_assert_cmpint (fd_t_int (about, "total"), >=, 1);
    for (guint i = 0; i < json_array_get_length (fd_t_items (about)); i++)
      g_assert_cmpstr (fd_t_str (fd_t_item (about, i), "target"), ==, wks_id);
  }
  both_q = g_strdup_printf (FD_T_API "/audit?target=%s&action=device.create", wks_id);
  g_assert_cmpint (fd_t_total (srv, both_q), ==, 0);
  g_assert_cmpint (fd_t_total (srv, FD_T_API "/audit?action=no.such.action"), ==, 0);
}

static void
test_audit_reads_not_recorded (void)
{
  gint64 total = fd_t_total (srv, FD_T_API "/audit");
  g_autoptr (JsonNode) wks = fd_t_call (srv, "GET", FD_T_API "/workspaces", NULL, 200);
  g_autoptr (JsonNode) tokens = fd_t_call (srv, "GET", FD_T_API "/tokens", NULL, 200);
  g_autoptr (JsonNode) health = fd_t_call (srv, "GET", FD_T_API "/health", NULL, 200);

  g_assert_cmpint (fd_t_total (srv, FD_T_API "/audit"), ==, total);
}

int
main (int argc, char **argv)
{
  int ret;

  g_test_init (&argc, &argv, NULL);
  srv = fd_test_server_start ();
  fd_t_kill_server_on_abort (srv);

  g_test_add_func ("/api/tokens/lifecycle", test_token_lifecycle);
  g_test_add_func ("/api/tokens/names-not-unique", test_token_names_not_unique);
  g_test_add_func ("/api/tokens/secret-only-once", test_token_secret_once);
  g_test_add_func ("/api/audit/every-mutation", test_audit_every_mutation);
  g_test_add_func ("/api/audit/filters-and-order", test_audit_filters_and_order);
  g_test_add_func ("/api/audit/reads-not-recorded", test_audit_reads_not_recorded);

  ret = g_test_run ();
  fd_test_server_stop (srv);
  return ret;
}
