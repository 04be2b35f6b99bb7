/* fd-test-server.c — a real fleetdesk-server per test program, and a small HTTP client. */
#include "fd-test-server.h"

#include <errno.h>
#include <string.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <glib/gstdio.h>
#include <sqlite3.h>

void
fd_test_rm_rf (const char *path)
{
  g_autoptr (GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  if (dir != NULL)
    {
      while ((name = g_dir_read_name (dir)) != NULL)
        {
          g_autofree char *child = g_build_filename (path, name, NULL);
          if (g_file_test (child, G_FILE_TEST_IS_DIR)
              && !g_file_test (child, G_FILE_TEST_IS_SYMLINK))
            fd_test_rm_rf (child);
          else
            g_unlink (child);
        }
    }
  g_rmdir (path);
}

static gboolean
read_ports (FdTestServer *srv)
{
  g_autofree char *ports_path = g_build_filename (srv->data_dir, "ports.json", NULL);
  g_autofree char *contents = NULL;
  g_autoptr (JsonNode) node = NULL;
  JsonObject *obj;

  if (!g_file_get_contents (ports_path, &contents, NULL, NULL))
    return FALSE;
  node = json_from_string (contents, NULL);
  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    return FALSE;
  obj = json_node_get_object (node);
  srv->url = g_strdup_printf (
      "http://%s:%" G_GINT64_FORMAT,
      json_object_get_string_member_with_default (obj, "api_address", "127.0.0.1"),
      json_object_get_int_member_with_default (obj, "api", 0));
  srv->device_port = (guint)json_object_get_int_member_with_default (obj, "device", 0);
  srv->device_url = g_strdup_printf ("https://localhost:%u", srv->device_port);
  srv->mqtt_port = (guint)json_object_get_int_member_with_default (obj, "mqtt", 0);
  srv->ca_path = g_build_filename (srv->data_dir, "pki", "ca.crt", NULL);
  return TRUE;
}

/* The server dies with the test, even when the test is killed. */
static void
die_with_parent (gpointer data)
{
  prctl (PR_SET_PDEATHSIG, SIGKILL);
}

static void
spawn_server (FdTestServer *srv, const char *const *extra_args)
{
  const char *bin = g_getenv ("FD_SERVER_BIN");
  g_autoptr (GPtrArray) argv = g_ptr_array_new ();
  g_autoptr (GError) error = NULL;
  g_autofree char *token_path = NULL;
  g_autofree char *ports_path = g_build_filename (srv->data_dir, "ports.json", NULL);
  gint64 deadline;

  g_assert_nonnull (bin);
  g_unlink (ports_path);
  g_clear_pointer (&srv->url, g_free);
  g_clear_pointer (&srv->token, g_free);
  g_clear_pointer (&srv->device_url, g_free);
  g_clear_pointer (&srv->ca_path, g_free);

  g_ptr_array_add (argv, (char *)bin);
  g_ptr_array_add (argv, (char *)"--data-dir");
  g_ptr_array_add (argv, srv->data_dir);
  g_ptr_array_add (argv, (char *)"--api-port=0");
  g_ptr_array_add (argv, (char *)"--device-port=0");
  g_ptr_array_add (argv, (char *)"--mqtt-port=0");
  for (guint i = 0; extra_args != NULL && extra_args[i] != NULL; i++)
    g_ptr_array_add (argv, (char *)extra_args[i]);
  g_ptr_array_add (argv, NULL);

  /* The server's stdout would mix into the test's TAP stream; its stderr stays visible. */
  g_spawn_async (NULL, (char **)argv->pdata, NULL,
                 G_SPAWN_DO_NOT_REAP_CHILD | G_SPAWN_STDOUT_TO_DEV_NULL, die_with_parent, NULL,
                 &srv->pid, &error);
  g_assert_no_error (error);

  deadline = g_get_monotonic_time () + 20 * G_USEC_PER_SEC;
  while (!read_ports (srv))
    {
      int wstatus;
      if (waitpid (srv->pid, &wstatus, WNOHANG) == srv->pid)
        g_error ("fleetdesk-server exited during start-up (status %d)", wstatus);
      if (g_get_monotonic_time () > deadline)
        g_error ("fleetdesk-server did not write ports.json within 20 s");
      g_usleep (10 * 1000);
    }

  token_path = g_build_filename (srv->data_dir, "admin-token", NULL);
  g_file_get_contents (token_path, &srv->token, NULL, &error);
  g_assert_no_error (error);
  g_strstrip (srv->token);
}

FdTestServer *
fd_test_server_start_with_args (const char *const *extra_args)
{
  g_autoptr (GError) error = NULL;
  FdTestServer *srv = g_new0 (FdTestServer, 1);

  srv->data_dir = g_dir_make_tmp ("fd-test-XXXXXX", &error);
  g_assert_no_error (error);
  spawn_server (srv, extra_args);
  srv->session = soup_session_new_with_options ("timeout", 60, "max-conns-per-host", 8, NULL);
  return srv;
}

int
fd_test_server_kill (FdTestServer *srv, int signum)
{
  int wstatus = 0;

  g_assert_cmpint (srv->pid, >, 0); /* kill (0, …) would signal the whole test group */
  kill (srv->pid, signum);
  while (waitpid (srv->pid, &wstatus, 0) < 0 && errno == EINTR)
    ;
  g_spawn_close_pid (srv->pid);
  srv->pid = 0;
  return wstatus;
}

void
fd_test_server_restart_with_args (FdTestServer *srv, const char *const *extra_args)
{
  if (srv->pid != 0)
    {
      int wstatus = fd_test_server_kill (srv, SIGTERM);
      g_assert_true (WIFEXITED (wstatus));
      g_assert_cmpint (WEXITSTATUS (wstatus), ==, 0);
    }
  soup_session_abort (srv->session);
  spawn_server (srv, extra_args);
}

void
fd_test_server_restart (FdTestServer *srv)
{
  fd_test_server_restart_with_args (srv, NULL);
}

FdTestServer *
fd_test_server_start (void)
{
  return fd_test_server_start_with_args (NULL);
}

void
fd_test_server_stop (FdTestServer *srv)
{
  if (srv == NULL)
    return;
  g_clear_object (&srv->session);
  if (srv->pid != 0)
    {
      int wstatus = fd_test_server_kill (srv, SIGTERM);
      g_assert_true (WIFEXITED (wstatus));
      g_assert_cmpint (WEXITSTATUS (wstatus), ==, 0);
    }
  fd_test_rm_rf (srv->data_dir);
  g_free (srv->data_dir);
  g_free (srv->url);
  g_free (srv->token);
  g_free (srv->device_url);
  g_free (srv->ca_path);
  g_free (srv);
}

int
fd_test_run (const char *const *argv, char **out, char **err)
{
  g_autoptr (GError) error = NULL;
  int wait_status = 0;

  g_spawn_sync (NULL, (char **)argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, out, err, &wait_status,
                &error);
  g_assert_no_error (error);
  if (!WIFEXITED (wait_status))
    return -1;
  return WEXITSTATUS (wait_status);
}

char *
fd_test_certtool (const char *dir, const char *name, const char *what, const char *template_text,
                  char **pem_path, char **key_path)
{
  g_autofree char *key = g_strdup_printf ("%s/%s.key", dir, name);
  g_autofree char *tmpl_name = g_strdup_printf ("%s.cfg", name);
  g_autofree char *tmpl = fd_test_write_file (dir, tmpl_name, template_text);
  g_autofree char *out = g_strdup_printf ("%s/%s.pem", dir, name);
  const char *genkey[] = {
    "certtool", "--generate-privkey", "--key-type=ecdsa", "--curve=secp256r1", "--outfile", key,
    NULL
  };
  const char *make[]
      = { "certtool", what, "--load-privkey", key, "--template", tmpl, "--outfile", out, NULL };
  g_autofree char *err = NULL;
  char *text = NULL;

  if (fd_test_run (genkey, NULL, &err) != 0)
    g_error ("certtool --generate-privkey failed: %s", err);
  g_clear_pointer (&err, g_free);
  if (fd_test_run (make, NULL, &err) != 0)
    g_error ("certtool %s failed: %s", what, err);
  g_assert_true (g_file_get_contents (out, &text, NULL, NULL));
  if (pem_path != NULL)
    *pem_path = g_steal_pointer (&out);
  if (key_path != NULL)
    *key_path = g_steal_pointer (&key);
  return text;
}

char *
fd_test_write_file (const char *dir, const char *name, const char *text)
{
  g_autoptr (GError) error = NULL;
  char *path = g_build_filename (dir, name, NULL);

  g_file_set_contents (path, text, -1, &error);
  g_assert_no_error (error);
  return path;
}

JsonNode *
fd_test_api_full (FdTestServer *srv, const char *method, const char *path, const char *content_type,
                  const char *body, gsize body_len, const char *token, guint *status_out,
                  SoupMessageHeaders **headers_out)
{
  g_autofree char *uri = g_strconcat (srv->url, path, NULL);
  g_autoptr (SoupMessage) msg = soup_message_new (method, uri);
  g_autoptr (GBytes) answer = NULL;
  g_autoptr (GError) error = NULL;
  gsize len = 0;
  const char *data;

  g_assert_nonnull (msg);
  if (token != NULL)
    {
      g_autofree char *auth = g_strconcat ("Bearer ", token, NULL);
      soup_message_headers_replace (soup_message_get_request_headers (msg), "Authorization", auth);
    }
  if (body != NULL)
    {
      g_autoptr (GBytes) bytes = g_bytes_new (body, body_len);
      soup_message_set_request_body_from_bytes (
          msg, content_type ? content_type : "application/json", bytes);
    }
  answer = soup_session_send_and_read (srv->session, msg, NULL, &error);
  g_assert_no_error (error);
  if (status_out != NULL)
    *status_out = soup_message_get_status (msg);
  if (headers_out != NULL)
    *headers_out = soup_message_headers_ref (soup_message_get_response_headers (msg));

  data = g_bytes_get_data (answer, &len);
  if (len == 0)
    return NULL;
  {
    g_autofree char *text = g_strndup (data, len);
    JsonNode *node = json_from_string (text, &error);
    if (node == NULL)
      g_error ("%s %s: answer is not JSON (%s): %s", method, path, error->message, text);
    return node;
  }
}

JsonNode *
fd_test_api (FdTestServer *srv, const char *method, const char *path, const char *body,
             guint *status_out)
{
  return fd_test_api_full (srv, method, path, NULL, body, body ? strlen (body) : 0, srv->token,
                           status_out, NULL);
}

JsonNode *
fd_test_api_expect (FdTestServer *srv, const char *method, const char *path, const char *body,
                    guint expected_status)
{
  guint status = 0;
  JsonNode *node = fd_test_api (srv, method, path, body, &status);

  if (status != expected_status)
    {
      g_autofree char *text = node ? json_to_string (node, FALSE) : g_strdup ("(no body)");
      g_error ("%s %s: expected status %u, got %u: %s", method, path, expected_status, status,
               text);
    }
  return node;
}

char *
fd_test_make_workspace (FdTestServer *srv, const char *name)
{
  g_autoptr (JsonBuilder) b = json_builder_new ();
  g_autoptr (JsonNode) req = NULL;
  g_autoptr (JsonNode) node = NULL;
  g_autofree char *body = NULL;

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "name");
  json_builder_add_string_value (b, name);
  json_builder_end_object (b);
  req = json_builder_get_root (b);
  body = json_to_string (req, FALSE);
  node = fd_test_api_expect (srv, "POST", "/api/v1/workspaces", body, 201);
  return g_strdup (fd_test_str (node, "id"));
}

char *
fd_test_make_device (FdTestServer *srv, const char *workspace_id, const char *name)
{
  g_autoptr (JsonBuilder) b = json_builder_new ();
  g_autoptr (JsonNode) req = NULL;
  g_autoptr (JsonNode) node = NULL;
  g_autofree char *body = NULL;
  g_autofree char *path = g_strdup_printf ("/api/v1/workspaces/%s/devices", workspace_id);

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "name");
  json_builder_add_string_value (b, name);
  json_builder_end_object (b);
  req = json_builder_get_root (b);
  body = json_to_string (req, FALSE);
  node = fd_test_api_expect (srv, "POST", path, body, 201);
  return g_strdup (fd_test_str (node, "id"));
}

const char *
fd_test_str (JsonNode *node, const char *member)
{
  g_assert_nonnull (node);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (node));
  return json_object_get_string_member_with_default (json_node_get_object (node), member, NULL);
}

gint64
fd_test_int (JsonNode *node, const char *member)
{
  g_assert_nonnull (node);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (node));
  return json_object_get_int_member_with_default (json_node_get_object (node), member, -1);
}

const char *
fd_test_error_code (JsonNode *node)
{
  JsonObject *err;

  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    return NULL;
  err = json_object_get_object_member (json_node_get_object (node), "error");
  return err ? json_object_get_string_member_with_default (err, "code", NULL) : NULL;
}

static void
random_id (char *out, const char *prefix)
{
  static const char alphabet[] = "abcdefghijklmnopqrstuvwxyz234567";
  gsize plen = strlen (prefix);

  memcpy (out, prefix, plen);
  out[plen] = '-';
  for (guint i = 0; i < 20; i++)
    out[plen + 1 + i] = alphabet[g_random_int_range (0, 32)];
  out[plen + 21] = '\0';
}

void
fd_test_server_seed_devices (FdTestServer *srv, const char *workspace_id, const char *prefix,
                             guint n)
{
  g_autofree char *db_path = g_build_filename (srv->data_dir, "fleetdesk.db", NULL);
  sqlite3 *db = NULL;
  sqlite3_stmt *fleet = NULL, *insert = NULL;
  g_autofree char *fleet_id = NULL;
  gint64 now = g_get_real_time () / 1000;

  g_assert_cmpint (sqlite3_open (db_path, &db), ==, SQLITE_OK);
  sqlite3_busy_timeout (db, 10000);
  g_assert_cmpint (sqlite3_exec (db, "BEGIN IMMEDIATE", NULL, NULL, NULL), ==, SQLITE_OK);
  g_assert_cmpint (
      sqlite3_prepare_v2 (db, "SELECT id FROM fleet WHERE workspace_id = ?1 AND is_default", -1,
                          &fleet, NULL),
      ==, SQLITE_OK);
  sqlite3_bind_text (fleet, 1, workspace_id, -1, SQLITE_STATIC);
  g_assert_cmpint (sqlite3_step (fleet), ==, SQLITE_ROW);
  fleet_id = g_strdup ((const char *)sqlite3_column_text (fleet, 0));
  sqlite3_finalize (fleet);

  g_assert_cmpint (sqlite3_prepare_v2 (db,
                                       "INSERT INTO device (id, workspace_id, fleet_id, name,"
                                       " name_fold, created_at, updated_at)"
                                       " VALUES (?1, ?2, ?3, ?4, ?6, ?5, ?5)",
                                       -1, &insert, NULL),
                   ==, SQLITE_OK);
  for (guint i = 1; i <= n; i++)
    {
      char id[32], name[128];
      random_id (id, "dev");
      g_snprintf (name, sizeof name, "%s-%06u", prefix, i);
      sqlite3_bind_text (insert, 1, id, -1, SQLITE_TRANSIENT);
      sqlite3_bind_text (insert, 2, workspace_id, -1, SQLITE_STATIC);
      sqlite3_bind_text (insert, 3, fleet_id, -1, SQLITE_STATIC);
      sqlite3_bind_text (insert, 4, name, -1, SQLITE_TRANSIENT);
      sqlite3_bind_int64 (insert, 5, now + i);
      {
        g_autofree char *folded = g_utf8_casefold (name, -1);
        sqlite3_bind_text (insert, 6, folded, -1, SQLITE_TRANSIENT);
      }
      g_assert_cmpint (sqlite3_step (insert), ==, SQLITE_DONE);
      sqlite3_reset (insert);
    }
  sqlite3_finalize (insert);
  g_assert_cmpint (sqlite3_exec (db, "COMMIT", NULL, NULL, NULL), ==, SQLITE_OK);
  sqlite3_close (db);
}
