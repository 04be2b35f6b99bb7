/* test-api-integrations.c — the integrations API against a real fleetdesk-server: a webhook is
 * created with its secret shown once (201, Location), never again; every bad input of issue 7
 * (a URL that is not http(s), a header with a newline, batch_max 0, an unknown kind or fleet,
 * an unreachable PostgreSQL DSN) is a 400 naming the field and creates nothing; PATCH, pause,
 * resume, replay and delete do what they say and are audited; "Send test event" reaches a real
 * libsoup receiver with a signed request. docs/rest-api.md ("Integrations") is the contract.
 */
#include "fd-test-api-util.h"
#include "fd-test-pg.h"

static FdTestServer *srv;
static char *wks;

static char *
list_path (void)
{
  return g_strdup_printf (FD_T_API "/workspaces/%s/integrations", wks);
}

static JsonNode *
create_webhook (const char *extra)
{
  g_autofree char *path = list_path ();
  g_autofree char *body = g_strdup_printf (
      "{\"type\": \"webhook\", \"name\": \"hook\", \"url\": \"https://example.com/in\"%s}",
      extra != NULL ? extra : "");
  return fd_t_create (srv, path, body, FD_T_API "/integrations");
}

static JsonNode *
member (JsonNode *node, const char *name)
{
  JsonNode *m = json_object_get_member (fd_t_obj (node), name);

  if (m == NULL)
    g_error ("member \"%s\" is missing", name);
  return m;
}

static void
test_create_secret_once (void)
{
  g_autofree char *list = list_path ();
  g_autoptr (JsonNode) created = create_webhook (
      ", \"headers\": {\"Authorization\": \"Bearer x\"}, \"kinds\": [\"data\", \"alerts\"],"
      " \"tags\": [\"weather\"], \"batch_max\": 10");
  const char *id = fd_t_str (created, "id");
  g_autofree char *path = g_strdup_printf (FD_T_API "/integrations/%s", id);
  g_autoptr (JsonNode) got = fd_t_call (srv, "GET", path, NULL, 200);
  g_autoptr (JsonNode) items = fd_t_call (srv, "GET", list, NULL, 200);
  g_autofree char *got_text = json_to_string (got, FALSE);
  g_autofree char *list_text = json_to_string (items, FALSE);
  const char *secret = fd_t_str (created, "secret");
  JsonNode *health = member (got, "health");

  fd_t_assert_id (id, "int");
  g_assert_cmpstr (fd_t_str (created, "workspace_id"), ==, wks);
  g_assert_cmpstr (fd_t_str (created, "type"), ==, "webhook");
  g_assert_cmpuint (strlen (secret), >=, 16);
  g_assert_true (fd_t_bool (created, "has_secret"));
  g_assert_cmpstr (fd_t_str (got, "url"), ==, "https://example.com/in");
  g_assert_cmpstr (fd_t_str (member (got, "headers"), "Authorization"), ==, "Bearer x");
  g_assert_cmpint (fd_t_int (got, "batch_max"), ==, 10);
  g_assert_cmpint (fd_t_int (got, "batch_delay_ms"), ==, 1000);
  g_assert_cmpint (fd_t_int (got, "max_age_s"), ==, 604800);
  g_assert_cmpuint (json_array_get_length (json_node_get_array (member (got, "kinds"))), ==, 2);
  g_assert_cmpstr (json_array_get_string_element (json_node_get_array (member (got, "kinds")), 1),
                   ==, "alerts");
  g_assert_cmpuint (json_array_get_length (json_node_get_array (member (got, "fleets"))), ==, 0);
  g_assert_false (fd_t_bool (got, "paused"));
  g_assert_true (fd_t_bool (got, "has_secret"));
  g_assert_cmpstr (fd_t_str (health, "state"), !=, "paused");
  g_assert_cmpint (fd_t_int (health, "delivered"), ==, 0);
  fd_t_assert_time (fd_t_str (got, "created_at"));
  /* the secret is in no other answer */
  g_assert_false (json_object_has_member (fd_t_obj (got), "secret"));
  g_assert_null (strstr (got_text, secret));
  g_assert_null (strstr (list_text, secret));

  /* a given secret is used and shown once; defaults: data and conditions */
  {
    g_autoptr (JsonNode) given = create_webhook (", \"secret\": \"0123456789abcdef-given\"");
    JsonArray *kinds = json_node_get_array (member (given, "kinds"));
    g_assert_cmpstr (fd_t_str (given, "secret"), ==, "0123456789abcdef-given");
    g_assert_cmpuint (json_array_get_length (kinds), ==, 2);
    g_assert_cmpstr (json_array_get_string_element (kinds, 0), ==, "data");
    g_assert_cmpstr (json_array_get_string_element (kinds, 1), ==, "conditions");
  }
}

/* Each bad body is a 400 (@code, naming @field) and the list's total does not move. */
static void
expect_refused (const char *body, const char *code, const char *field)
{
  g_autofree char *path = list_path ();
  gint64 before = fd_t_total (srv, path);

  fd_t_expect_error (srv, "POST", path, body, 400, code, field);
  g_assert_cmpint (fd_t_total (srv, path), ==, before);
}

static void
test_bad_input (void)
{
  g_autofree char *unknown_fleet = g_strdup_printf (
      "{\"type\": \"webhook\", \"name\": \"h\", \"url\": \"http://x/\", \"fleets\": [\"%s\"]}",
      FD_T_NO_FLT);
  g_autofree char *long_url = g_strdup_printf (
      "{\"type\": \"webhook\", \"name\": \"h\", \"url\": \"http://x/%0*d\"}", 2100, 0);

  expect_refused ("{\"type\": \"webhook\", \"name\": \"h\", \"url\": \"ftp://example.com/\"}",
                  "invalid_field", "url");
  expect_refused ("{\"type\": \"webhook\", \"name\": \"h\", \"url\": \"example.com/in\"}",
                  "invalid_field", "url");
  expect_refused ("{\"type\": \"webhook\", \"name\": \"h\", \"url\": \"http:///nohost\"}",
                  "invalid_field", "url");
  expect_refused (long_url, "invalid_field", "url");
  expect_refused ("{\"type\": \"webhook\", \"name\": \"h\"}", "invalid_field", "url");
  expect_refused ("{\"type\": \"webhook\", \"name\": \"h\", \"url\": \"http://x/\","
                  " \"headers\": {\"X-Mine\": \"a\\r\\nX-Evil: 1\"}}",
                  "invalid_field", "headers");
  expect_refused ("{\"type\": \"webhook\", \"name\": \"h\", \"url\": \"http://x/\","
                  " \"headers\": {\"Bad Name\": \"a\"}}",
                  "invalid_field", "headers");
  expect_refused ("{\"type\": \"webhook\", \"name\": \"h\", \"url\": \"http://x/\","
                  " \"headers\": {\"X-Fleetdesk-Signature\": \"forged\"}}",
                  "invalid_field", "headers");
  expect_refused ("{\"type\": \"webhook\", \"name\": \"h\", \"url\": \"http://x/\","
                  " \"headers\": {\"content-type\": \"text/plain\"}}",
                  "invalid_field", "headers");
  expect_refused ("{\"type\": \"webhook\", \"name\": \"h\", \"url\": \"http://x/\","
                  " \"headers\": {\"X-Key\": \"1\", \"x-key\": \"2\"}}",
                  "invalid_field", "headers");
  expect_refused ("{\"type\": \"webhook\", \"name\": \"h\", \"url\": \"http://x/\","
                  " \"headers\": {\"A\": 1}}",
                  "invalid_field", "headers");
  expect_refused (
      "{\"type\": \"webhook\", \"name\": \"h\", \"url\": \"http://x/\", \"batch_max\": 0}",
      "invalid_field", "batch_max");
  expect_refused ("{\"type\": \"webhook\", \"name\": \"h\", \"url\": \"http://x/\","
                  " \"batch_max\": 10001}",
                  "invalid_field", "batch_max");
  expect_refused ("{\"type\": \"webhook\", \"name\": \"h\", \"url\": \"http://x/\","
                  " \"batch_delay_ms\": -1}",
                  "invalid_field", "batch_delay_ms");
  expect_refused (
      "{\"type\": \"webhook\", \"name\": \"h\", \"url\": \"http://x/\", \"max_age_s\": 59}",
      "invalid_field", "max_age_s");
  expect_refused (
      "{\"type\": \"webhook\", \"name\": \"h\", \"url\": \"http://x/\", \"max_queued\": 0}",
      "invalid_field", "max_queued");
  expect_refused ("{\"type\": \"webhook\", \"name\": \"h\", \"url\": \"http://x/\","
                  " \"kinds\": [\"data\", \"weather\"]}",
                  "invalid_field", "kinds");
  expect_refused ("{\"type\": \"webhook\", \"name\": \"h\", \"url\": \"http://x/\","
                  " \"kinds\": [\"test\"]}",
                  "invalid_field", "kinds");
  expect_refused (unknown_fleet, "invalid_field", "fleets");
  expect_refused ("{\"type\": \"webhook\", \"name\": \"h\", \"url\": \"http://x/\","
                  " \"fleets\": [\"nope\"]}",
                  "invalid_field", "fleets");
  expect_refused ("{\"type\": \"webhook\", \"name\": \"h\", \"url\": \"http://x/\", \"tags\": [1]}",
                  "invalid_field", "tags");
  expect_refused ("{\"type\": \"webhook\", \"name\": \"h\", \"url\": \"http://x/\","
                  " \"secret\": \"short\"}",
                  "invalid_field", "secret");
  expect_refused ("{\"type\": \"webhook\", \"name\": \"\", \"url\": \"http://x/\"}",
                  "invalid_field", "name");
  expect_refused ("{\"type\": \"smtp\", \"name\": \"h\"}", "invalid_field", "type");
  expect_refused ("{\"name\": \"h\", \"url\": \"http://x/\"}", "invalid_field", "type");
  expect_refused ("{\"type\": \"webhook\", \"name\": \"h\", \"url\": \"http://x/\", \"colour\": 1}",
                  "invalid_field", "colour");
  expect_refused ("{\"type\": \"webhook\", \"name\": \"h\", \"url\": \"http://x/\","
                  " \"dsn\": \"host=x\"}",
                  "invalid_field", "dsn");
  expect_refused ("{\"type\": \"postgresql\", \"name\": \"p\"}", "invalid_field", "dsn");
  expect_refused ("{\"type\": \"postgresql\", \"name\": \"p\", \"dsn\": \"host=x\","
                  " \"url\": \"http://x/\"}",
                  "invalid_field", "url");
  /* nothing listens on port 1: the database is tried before anything is stored */
  {
    g_autofree char *path = list_path ();
    gint64 before = fd_t_total (srv, path);
    guint status = 0;
    g_autoptr (JsonNode) node = fd_test_api (
        srv, "POST", path,
        "{\"type\": \"postgresql\", \"name\": \"p\","
        " \"dsn\": \"host=127.0.0.1 port=1 dbname=x user=y password=hunter2secret\"}",
        &status);
    g_autofree char *text = json_to_string (node, FALSE);

    fd_t_assert_error (node, status, 400, "unreachable", "dsn");
    g_assert_null (strstr (text, "hunter2secret"));
    g_assert_nonnull (strstr (text, "PostgreSQL"));
    /* libpq's two lines read as two sentences on one */
    g_assert_nonnull (strstr (text, "Connection refused. Is the server running"));
    g_assert_cmpint (fd_t_total (srv, path), ==, before);
  }
  /* an unknown workspace */
  fd_t_expect_error (srv, "POST", FD_T_API "/workspaces/" FD_T_NO_WKS "/integrations",
                     "{\"type\": \"webhook\", \"name\": \"h\", \"url\": \"http://x/\"}", 404,
                     "not_found", NULL);
}

/* A PostgreSQL the tests can use (fd-test-pg.h: FLEETDESK_TEST_PG_DSN, or
 * script/postgres-test-server when it is unset; a schema of its own): created after its DSN
 * was tried, shown without the password, never with a secret; a new DSN that does not connect
 * is refused and the old one kept. */
static void
test_postgresql (void)
{
  g_autoptr (FdTestPg) pg = fd_test_pg_new ();
  const char *dsn = pg->dsn;
  g_autofree char *list = list_path ();
  g_autofree char *body = NULL, *path = NULL, *created_text = NULL, *got_text = NULL;
  g_autofree char *password = NULL;
  g_autoptr (JsonNode) created = NULL, got = NULL;
  const char *p = strstr (pg->base_dsn, "password=");

  /* script/postgres-test-server's role has a password (unquoted hex) */
  g_assert_nonnull (p);
  p += strlen ("password=");
  password = g_strndup (p, strcspn (p, " "));
  g_assert_cmpuint (strlen (password), >=, 8);
  body = fd_test_pg_integration_body (dsn, -1, -1);
  created = fd_t_create (srv, list, body, FD_T_API "/integrations");
  path = g_strdup_printf (FD_T_API "/integrations/%s", fd_t_str (created, "id"));
  got = fd_t_call (srv, "GET", path, NULL, 200);
  created_text = json_to_string (created, FALSE);
  got_text = json_to_string (got, FALSE);
  g_assert_cmpstr (fd_t_str (got, "type"), ==, "postgresql");
  g_assert_nonnull (strstr (fd_t_str (got, "database"), "dbname="));
  g_assert_null (strstr (fd_t_str (got, "database"), "password"));
  g_assert_null (strstr (created_text, password));
  g_assert_null (strstr (got_text, password));
  g_assert_false (json_object_has_member (fd_t_obj (created), "secret"));
  g_assert_false (json_object_has_member (fd_t_obj (got), "url"));
  fd_t_expect_error (srv, "PATCH", path, "{\"dsn\": \"host=127.0.0.1 port=1 dbname=x\"}", 400,
                     "unreachable", "dsn");
  fd_t_expect_error (srv, "PATCH", path, "{\"url\": \"http://x/\"}", 400, "invalid_field", "url");
  {
    g_autoptr (JsonNode) still = fd_t_call (srv, "GET", path, NULL, 200);
    g_assert_cmpstr (fd_t_str (still, "database"), ==, fd_t_str (got, "database"));
  }
  fd_t_call (srv, "DELETE", path, NULL, 204);
}

static void
test_patch (void)
{
  g_autoptr (JsonNode) created = create_webhook (NULL);
  g_autofree char *path = g_strdup_printf (FD_T_API "/integrations/%s", fd_t_str (created, "id"));
  g_autofree char *fleets = g_strdup_printf (FD_T_API "/workspaces/%s/fleets", wks);
  g_autoptr (JsonNode) fleet_list = fd_t_call (srv, "GET", fleets, NULL, 200);
  const char *fleet = fd_t_str (fd_t_item (fleet_list, 0), "id");
  g_autofree char *body = g_strdup_printf (
      "{\"name\": \"renamed\", \"url\": \"http://127.0.0.1:9/h\", \"batch_max\": 7,"
      " \"kinds\": [\"devices\"], \"fleets\": [\"%s\"], \"secret\": \"another-secret-0123\"}",
      fleet);
  g_autoptr (JsonNode) patched = fd_t_call (srv, "PATCH", path, body, 200);
  g_autofree char *text = json_to_string (patched, FALSE);
  g_autoptr (JsonNode) got = NULL;

  g_assert_cmpstr (fd_t_str (patched, "name"), ==, "renamed");
  g_assert_cmpstr (fd_t_str (patched, "url"), ==, "http://127.0.0.1:9/h");
  g_assert_cmpint (fd_t_int (patched, "batch_max"), ==, 7);
  g_assert_cmpstr (
      json_array_get_string_element (json_node_get_array (member (patched, "fleets")), 0), ==,
      fleet);
  g_assert_null (strstr (text, "another-secret-0123"));
  g_assert_false (json_object_has_member (fd_t_obj (patched), "secret"));
  /* a PATCH changes only what it names; a bad one changes nothing */
  fd_t_expect_error (srv, "PATCH", path, "{\"batch_max\": 0}", 400, "invalid_field", "batch_max");
  fd_t_expect_error (srv, "PATCH", path, "{\"type\": \"postgresql\"}", 400, "invalid_field",
                     "type");
  fd_t_expect_error (srv, "PATCH", path, "{\"url\": \"file:///etc/passwd\"}", 400, "invalid_field",
                     "url");
  {
    g_autofree char *bad = g_strdup_printf ("{\"fleets\": [\"%s\"]}", FD_T_NO_FLT);
    fd_t_expect_error (srv, "PATCH", path, bad, 400, "invalid_field", "fleets");
  }
  got = fd_t_call (srv, "PATCH", path, "{\"tags\": [\"t\"]}", 200);
  g_assert_cmpstr (fd_t_str (got, "name"), ==, "renamed");
  g_assert_cmpint (fd_t_int (got, "batch_max"), ==, 7);
  g_assert_cmpstr (fd_t_str (got, "url"), ==, "http://127.0.0.1:9/h");
  g_assert_cmpuint (json_array_get_length (json_node_get_array (member (got, "fleets"))), ==, 1);
  fd_t_expect_error (srv, "PATCH", FD_T_API "/integrations/int-aaaaaaaaaaaaaaaaaaaa",
                     "{\"name\": \"x\"}", 404, "not_found", NULL);
}

static gint64
audit_count (const char *action, const char *target)
{
  g_autofree char *path = g_strdup_printf (FD_T_API "/audit?action=%s&target=%s", action, target);
  return fd_t_total (srv, path);
}

static void
test_pause_resume_replay_delete (void)
{
  g_autoptr (JsonNode) created = create_webhook (NULL);
  const char *id = fd_t_str (created, "id");
  g_autofree char *path = g_strdup_printf (FD_T_API "/integrations/%s", id);
  g_autofree char *pause = g_strconcat (path, "/pause", NULL);
  g_autofree char *resume = g_strconcat (path, "/resume", NULL);
  g_autofree char *replay = g_strconcat (path, "/replay", NULL);
  g_autofree char *deliveries = g_strconcat (path, "/deliveries", NULL);
  g_autoptr (JsonNode) paused = fd_t_call (srv, "POST", pause, NULL, 200);
  g_autoptr (JsonNode) got = fd_t_call (srv, "GET", path, NULL, 200);
  g_autoptr (JsonNode) resumed = NULL;
  g_autoptr (JsonNode) replayed = NULL;
  g_autoptr (JsonNode) log = NULL;

  g_assert_true (fd_t_bool (paused, "paused"));
  g_assert_cmpstr (fd_t_str (member (paused, "health"), "state"), ==, "paused");
  g_assert_cmpstr (fd_t_str (member (got, "health"), "state"), ==, "paused");
  resumed = fd_t_call (srv, "POST", resume, NULL, 200);
  g_assert_false (fd_t_bool (resumed, "paused"));
  g_assert_cmpstr (fd_t_str (member (resumed, "health"), "state"), !=, "paused");

  replayed = fd_t_call (srv, "POST", replay, "{\"from\": \"2026-01-01T00:00:00Z\"}", 200);
  g_assert_cmpstr (fd_t_str (replayed, "id"), ==, id);
  fd_t_call (srv, "POST", replay, "{\"from\": 0}", 200);
  fd_t_expect_error (srv, "POST", replay, "{}", 400, "invalid_field", "from");
  fd_t_expect_error (srv, "POST", replay, "{\"from\": \"yesterday\"}", 400, "invalid_field",
                     "from");
  {
    /* A time that is there but wrong is not "required". */
    guint status = 0;
    g_autoptr (JsonNode) bad
        = fd_test_api (srv, "POST", replay, "{\"from\": \"yesterday\"}", &status);
    const char *message = json_object_get_string_member (
        json_object_get_object_member (json_node_get_object (bad), "error"), "message");

    g_assert_cmpuint (status, ==, 400);
    g_assert_nonnull (strstr (message, "from must be an RFC 3339 time"));
  }
  g_assert_cmpint (audit_count ("integration.create", id), ==, 1);
  g_assert_cmpint (audit_count ("integration.pause", id), ==, 1);
  g_assert_cmpint (audit_count ("integration.resume", id), ==, 1);
  g_assert_cmpint (audit_count ("integration.replay", id), ==, 2);

  log = fd_t_call (srv, "GET", deliveries, NULL, 200);
  g_assert_cmpint (fd_t_int (log, "total"), >=, 0);
  g_assert_nonnull (fd_t_items (log));
  {
    g_autofree char *q = g_strconcat (deliveries, "?outcome=failed&size=5", NULL);
    g_autofree char *bad = g_strconcat (deliveries, "?outcome=lost", NULL);
    g_autofree char *unknown = g_strconcat (deliveries, "?colour=1", NULL);
    g_autoptr (JsonNode) failed = fd_t_call (srv, "GET", q, NULL, 200);
    g_assert_cmpint (fd_t_int (failed, "total"), ==, 0);
    fd_t_expect_error (srv, "GET", bad, NULL, 400, "invalid_parameter", "outcome");
    fd_t_expect_error (srv, "GET", unknown, NULL, 400, "invalid_parameter", "colour");
  }

  fd_t_call (srv, "DELETE", path, NULL, 204);
  g_assert_cmpint (audit_count ("integration.delete", id), ==, 1);
  fd_t_expect_error (srv, "GET", path, NULL, 404, "not_found", NULL);
  fd_t_expect_error (srv, "DELETE", path, NULL, 404, "not_found", NULL);
  fd_t_expect_error (srv, "POST", pause, NULL, 404, "not_found", NULL);
  fd_t_expect_error (srv, "GET", deliveries, NULL, 404, "not_found", NULL);
  fd_t_expect_error (srv, "GET", FD_T_API "/integrations/nope", NULL, 404, "not_found", NULL);
}

static void
test_list_paging (void)
{
  g_autofree char *ws_name = g_strdup_printf ("paging-%d", g_random_int ());
  g_autofree char *other = fd_test_make_workspace (srv, ws_name);
  g_autofree char *path = g_strdup_printf (FD_T_API "/workspaces/%s/integrations", other);
  g_autofree char *page = g_strconcat (path, "?from=1&size=1", NULL);
  g_autoptr (JsonNode) second = NULL;
  char *names[3] = { NULL };

  for (int n = 0; n < 3; n++)
    {
      g_autofree char *body = g_strdup_printf (
          "{\"type\": \"webhook\", \"name\": \"n%d\", \"url\": \"http://x/\"}", n);
      g_autoptr (JsonNode) c = fd_t_create (srv, path, body, FD_T_API "/integrations");
      names[n] = g_strdup (fd_t_str (c, "name"));
    }
  second = fd_t_call (srv, "GET", page, NULL, 200);
  g_assert_cmpint (fd_t_int (second, "total"), ==, 3);
  g_assert_cmpuint (json_array_get_length (fd_t_items (second)), ==, 1);
  g_assert_cmpstr (fd_t_str (fd_t_item (second, 0), "name"), ==, "n1");
  fd_t_expect_error (srv, "GET", FD_T_API "/workspaces/" FD_T_NO_WKS "/integrations", NULL, 404,
                     "not_found", NULL);
  for (int n = 0; n < 3; n++)
    g_free (names[n]);
}

/* --- a real receiver for "Send test event" --- */

typedef struct
{
  GMainContext *context;
  GMainLoop *loop;
  SoupServer *server;
  GThread *thread;
  guint port;
  GMutex lock;
  guint requests;
  char *signature;
  char *batch;
  char *body;
} Receiver;

static void
receive (SoupServer *server, SoupServerMessage *msg, const char *path, GHashTable *query,
         gpointer user_data)
{
  Receiver *r = user_data;
  SoupMessageHeaders *h = soup_server_message_get_request_headers (msg);
  SoupMessageBody *body = soup_server_message_get_request_body (msg);

  g_mutex_lock (&r->lock);
  r->requests++;
  g_free (r->signature);
  r->signature = g_strdup (soup_message_headers_get_one (h, "X-Fleetdesk-Signature"));
  g_free (r->batch);
  r->batch = g_strdup (soup_message_headers_get_one (h, "X-Fleetdesk-Batch"));
  g_free (r->body);
  r->body = g_strndup (body->data, body->length);
  g_mutex_unlock (&r->lock);
  soup_server_message_set_status (msg, 200, NULL);
}

static gpointer
receiver_thread (gpointer data)
{
  Receiver *r = data;

  g_main_context_push_thread_default (r->context);
  g_main_loop_run (r->loop);
  g_main_context_pop_thread_default (r->context);
  return NULL;
}

static Receiver *
receiver_start (void)
{
  Receiver *r = g_new0 (Receiver, 1);
  g_autoptr (GError) error = NULL;
  GSList *uris;

  r->context = g_main_context_new ();
  r->loop = g_main_loop_new (r->context, FALSE);
  g_mutex_init (&r->lock);
  g_main_context_push_thread_default (r->context);
  r->server = soup_server_new (NULL, NULL);
  soup_server_add_handler (r->server, "/", receive, r, NULL);
  g_assert_true (soup_server_listen_local (r->server, 0, SOUP_SERVER_LISTEN_IPV4_ONLY, &error));
  g_assert_no_error (error);
  g_main_context_pop_thread_default (r->context);
  uris = soup_server_get_uris (r->server);
  r->port = g_uri_get_port (uris->data);
  g_slist_free_full (uris, (GDestroyNotify)g_uri_unref);
  r->thread = g_thread_new ("receiver", receiver_thread, r);
  return r;
}

static void
receiver_stop (Receiver *r)
{
  g_main_loop_quit (r->loop);
  g_thread_join (r->thread);
  g_object_unref (r->server);
  g_main_loop_unref (r->loop);
  g_main_context_unref (r->context);
  g_free (r->signature);
  g_free (r->batch);
  g_free (r->body);
  g_mutex_clear (&r->lock);
  g_free (r);
}

static void
test_send_test_event (void)
{
  Receiver *r = receiver_start ();
  g_autofree char *list = list_path ();
  g_autofree char *url = g_strdup_printf ("http://127.0.0.1:%u/hook", r->port);
  g_autofree char *body
      = g_strdup_printf ("{\"type\": \"webhook\", \"name\": \"t\", \"url\": \"%s\"}", url);
  g_autofree char *unsaved = g_strconcat (list, "/test", NULL);
  g_autoptr (JsonNode) created = fd_t_create (srv, list, body, FD_T_API "/integrations");
  g_autofree char *test
      = g_strdup_printf (FD_T_API "/integrations/%s/test", fd_t_str (created, "id"));
  g_autofree char *deliveries
      = g_strdup_printf (FD_T_API "/integrations/%s/deliveries", fd_t_str (created, "id"));
  gint64 before = fd_t_total (srv, list);
  guint status = 0;
  g_autoptr (JsonNode) result = fd_test_api (srv, "POST", test, NULL, &status);
  g_autoptr (JsonNode) log = NULL;

  g_assert_cmpuint (status, ==, 200);
  g_assert_true (fd_t_bool (result, "delivered"));
  g_assert_cmpint (fd_t_int (result, "status"), ==, 200);
  g_assert_cmpint (fd_t_int (result, "latency_ms"), >=, 0);
  g_assert_true (fd_t_is_null (result, "error"));
  g_mutex_lock (&r->lock);
  g_assert_cmpuint (r->requests, ==, 1);
  g_assert_true (g_str_has_prefix (r->signature, "sha256="));
  g_assert_nonnull (strstr (r->body, "integration.test"));
  g_mutex_unlock (&r->lock);

  /* the attempt is in the log, in the documented shape */
  log = fd_t_call (srv, "GET", deliveries, NULL, 200);
  g_assert_cmpint (fd_t_int (log, "total"), >=, 1);
  {
    JsonNode *d = fd_t_item (log, 0);
    g_assert_cmpstr (fd_t_str (d, "kind"), ==, "test");
    g_assert_cmpstr (fd_t_str (d, "outcome"), ==, "delivered");
    g_assert_cmpint (fd_t_int (d, "status"), ==, 200);
    g_assert_cmpint (fd_t_int (d, "attempt"), >=, 1);
    g_assert_cmpint (fd_t_int (d, "items"), >=, 1);
    fd_t_assert_time (fd_t_str (d, "time"));
    fd_test_str (d, "batch_id");
    fd_t_int (d, "latency_ms");
    fd_t_int (d, "id");
  }

  /* an unsaved form: the same event, nothing created */
  {
    g_autoptr (JsonNode) again = fd_t_call (srv, "POST", unsaved, body, 200);
    g_assert_true (fd_t_bool (again, "delivered"));
    g_assert_cmpint (fd_t_total (srv, list), ==, before);
    g_mutex_lock (&r->lock);
    g_assert_cmpuint (r->requests, ==, 2);
    g_mutex_unlock (&r->lock);
  }
  /* a receiver that is not there: an answer, not an error */
  {
    g_autoptr (JsonNode) down = fd_t_call (
        srv, "POST", unsaved,
        "{\"type\": \"webhook\", \"name\": \"t\", \"url\": \"http://127.0.0.1:1/\"}", 200);
    g_assert_false (fd_t_bool (down, "delivered"));
    fd_t_str (down, "error");
  }
  fd_t_expect_error (srv, "POST", unsaved, "{\"type\": \"webhook\", \"name\": \"t\"}", 400,
                     "invalid_field", "url");
  receiver_stop (r);
}

/* An HTTPS receiver that asks for a client certificate (here: the server's own device port,
 * which asks every client for one) gets the handshake without one at once: the answer names
 * the TLS problem (its certificate is not one this machine trusts) rather than a timeout. */
static void
test_tls_receiver_asking_certificate (void)
{
  g_autofree char *list = list_path ();
  g_autofree char *unsaved = g_strconcat (list, "/test", NULL);
  g_autofree char *body = g_strdup_printf (
      "{\"type\": \"webhook\", \"name\": \"t\", \"url\": \"https://127.0.0.1:%u/hook\"}",
      srv->device_port);
  gint64 start = g_get_monotonic_time ();
  g_autoptr (JsonNode) result = fd_t_call (srv, "POST", unsaved, body, 200);

  g_assert_cmpint (g_get_monotonic_time () - start, <, 10 * G_USEC_PER_SEC);
  g_assert_false (fd_t_bool (result, "delivered"));
  g_assert_cmpint (fd_t_int (result, "status"), ==, 0);
  g_assert_nonnull (strstr (fd_t_str (result, "error"), "TLS certificate"));
}

int
main (int argc, char **argv)
{
  int ret;

  g_test_init (&argc, &argv, NULL);
  srv = fd_test_server_start ();
  fd_t_kill_server_on_abort (srv);
  wks = fd_test_make_workspace (srv, "integrations");

  g_test_add_func ("/api/integrations/create-secret-once", test_create_secret_once);
  g_test_add_func ("/api/integrations/bad-input", test_bad_input);
  g_test_add_func ("/api/integrations/postgresql", test_postgresql);
  g_test_add_func ("/api/integrations/patch", test_patch);
  g_test_add_func ("/api/integrations/pause-resume-replay-delete", test_pause_resume_replay_delete);
  g_test_add_func ("/api/integrations/list-paging", test_list_paging);
  g_test_add_func ("/api/integrations/send-test-event", test_send_test_event);
  g_test_add_func ("/api/integrations/tls-receiver-asking-certificate",
                   test_tls_receiver_asking_certificate);

  ret = g_test_run ();
  g_free (wks);
  fd_test_server_stop (srv);
  return ret;
}
