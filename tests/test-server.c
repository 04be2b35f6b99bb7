/* test-server.c — fleetdesk-server as an operator runs it: first start, lock, tokens, shutdown. */
#include "fd-test-server.h"

#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>

static int
run (const char *const *argv, char **out, char **err)
{
  g_autoptr (GError) error = NULL;
  int wstatus = 0;

  g_spawn_sync (NULL, (char **)argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, out, err, &wstatus, &error);
  g_assert_no_error (error);
  g_assert_true (WIFEXITED (wstatus));
  return WEXITSTATUS (wstatus);
}

static guint
file_mode (const char *dir, const char *name)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);
  struct stat st;

  g_assert_cmpint (stat (path, &st), ==, 0);
  return st.st_mode & 0777;
}

static void
test_first_start (void)
{
  FdTestServer *srv = fd_test_server_start ();
  g_autoptr (JsonNode) health = NULL;
  g_autoptr (JsonNode) tokens = NULL;
  guint status;

  g_assert_cmpuint (file_mode (srv->data_dir, ".") & 0077, ==, 0);
  g_assert_cmpuint (file_mode (srv->data_dir, "admin-token"), ==, 0600);
  g_assert_cmpuint (file_mode (srv->data_dir, "fleetdesk.db"), ==, 0600);
  g_assert_cmpuint (file_mode (srv->data_dir, "fleetdesk.db-wal"), ==, 0600);
  g_assert_cmpint (strlen (srv->token), >, 40);

  health = fd_test_api_full (srv, "GET", "/api/v1/health", NULL, NULL, 0, NULL, &status, NULL);
  g_assert_cmpuint (status, ==, 200);
  g_assert_cmpstr (fd_test_str (health, "status"), ==, "ok");

  /* the admin token works and is the only token */
  tokens = fd_test_api_expect (srv, "GET", "/api/v1/tokens", NULL, 200);
  g_assert_cmpint (fd_test_int (tokens, "total"), ==, 1);
  fd_test_server_stop (srv);
}

/* A second server on the same data directory refuses to start and says why. */
static void
test_second_server_refused (void)
{
  FdTestServer *srv = fd_test_server_start ();
  const char *argv[]
      = { g_getenv ("FD_SERVER_BIN"), "--data-dir", srv->data_dir, "--api-port=0", NULL };
  g_autofree char *out = NULL, *err = NULL;

  g_assert_cmpint (run (argv, &out, &err), ==, 1);
  g_assert_nonnull (strstr (err, "already using the data directory"));
  /* the first one still answers */
  {
    g_autoptr (JsonNode) node = fd_test_api_expect (srv, "GET", "/api/v1/workspaces", NULL, 200);
    g_assert_cmpint (fd_test_int (node, "total"), ==, 0);
  }
  fd_test_server_stop (srv);
}

/* Data and the admin token survive a restart; the admin token file is not replaced. */
static void
test_restart_keeps_data (void)
{
  FdTestServer *srv = fd_test_server_start ();
  g_autofree char *token_before = g_strdup (srv->token);
  g_autofree char *wks = fd_test_make_workspace (srv, "Persistent");
  g_autofree char *dev = fd_test_make_device (srv, wks, "sensor");
  g_autofree char *path = g_strdup_printf ("/api/v1/devices/%s", dev);
  g_autoptr (JsonNode) node = NULL;

  fd_test_server_restart (srv);
  g_assert_cmpstr (srv->token, ==, token_before);
  node = fd_test_api_expect (srv, "GET", path, NULL, 200);
  g_assert_cmpstr (fd_test_str (node, "name"), ==, "sensor");
  fd_test_server_stop (srv);
}

static void
test_token_commands (void)
{
  FdTestServer *srv = fd_test_server_start ();
  const char *bin = g_getenv ("FD_SERVER_BIN");
  const char *create[]
      = { bin, "token", "create", "--name", "ci", "--data-dir", srv->data_dir, NULL };
  const char *list[] = { bin, "token", "list", "--data-dir", srv->data_dir, NULL };
  const char *missing_name[] = { bin, "token", "create", "--data-dir", srv->data_dir, NULL };
  g_autofree char *out = NULL, *err = NULL, *list_out = NULL;
  g_auto (GStrv) fields = NULL;
  g_autofree char *secret = NULL, *id = NULL;
  g_autoptr (JsonNode) node = NULL;
  guint status;

  g_assert_cmpint (run (create, &out, &err), ==, 0);
  fields = g_strsplit (g_strstrip (out), "\t", -1);
  g_assert_cmpuint (g_strv_length (fields), ==, 2);
  id = g_strdup (fields[0]);
  secret = g_strdup (fields[1]);
  g_assert_true (g_str_has_prefix (id, "tok-"));

  /* the running server accepts the new token at once */
  node = fd_test_api_full (srv, "GET", "/api/v1/workspaces", NULL, NULL, 0, secret, &status, NULL);
  g_assert_cmpuint (status, ==, 200);
  g_clear_pointer (&node, json_node_unref);

  g_clear_pointer (&err, g_free);
  g_assert_cmpint (run (list, &list_out, &err), ==, 0);
  g_assert_nonnull (strstr (list_out, id));
  g_assert_nonnull (strstr (list_out, "ci"));
  g_assert_null (strstr (list_out, secret)); /* a secret is shown once */

  {
    const char *revoke[] = { bin, "token", "revoke", id, "--data-dir", srv->data_dir, NULL };
    g_autofree char *rout = NULL, *rerr = NULL;
    g_assert_cmpint (run (revoke, &rout, &rerr), ==, 0);
  }
  node = fd_test_api_full (srv, "GET", "/api/v1/workspaces", NULL, NULL, 0, secret, &status, NULL);
  g_assert_cmpuint (status, ==, 401);
  g_assert_cmpstr (fd_test_error_code (node), ==, "unauthorized");
  g_clear_pointer (&node, json_node_unref);

  {
    g_autofree char *mout = NULL, *merr = NULL;
    g_assert_cmpint (run (missing_name, &mout, &merr), ==, 2);
    g_assert_nonnull (strstr (merr, "--name"));
  }
  fd_test_server_stop (srv);
}

static void
test_bad_arguments (void)
{
  const char *bin = g_getenv ("FD_SERVER_BIN");
  const char *bad_port[] = { bin, "--api-port=70000", NULL };
  const char *extra[] = { bin, "bogus", NULL };
  const char *version[] = { bin, "--version", NULL };
  g_autofree char *o1 = NULL, *e1 = NULL, *o2 = NULL, *e2 = NULL, *o3 = NULL, *e3 = NULL;

  g_assert_cmpint (run (bad_port, &o1, &e1), ==, 2);
  g_assert_nonnull (strstr (e1, "--api-port"));
  g_assert_cmpint (run (extra, &o2, &e2), ==, 2);
  g_assert_cmpint (run (version, &o3, &e3), ==, 0);
  g_assert_true (g_str_has_prefix (o3, "fleetdesk-server "));
}

/* --- SIGTERM while requests are in flight --- */

typedef struct
{
  FdTestServer *srv;
  GPtrArray *acknowledged; /* names answered 201 */
  guint pending;
  guint answered;
  gboolean killed;
  GMainLoop *loop;
} Flood;

typedef struct
{
  Flood *flood;
  char *name;
  SoupMessage *msg;
} FloodRequest;

static void
flood_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  FloodRequest *fr = user_data;
  Flood *flood = fr->flood;
  g_autoptr (GBytes) body = soup_session_send_and_read_finish (SOUP_SESSION (source), result, NULL);
  guint status = soup_message_get_status (fr->msg);

  /* An answer is either a success or a clear refusal, never a half-written 5xx. */
  if (body != NULL && status != 0)
    {
      g_assert_true (status == 201 || status == 503);
      if (status == 201)
        g_ptr_array_add (flood->acknowledged, g_steal_pointer (&fr->name));
    }
  flood->answered++;
  if (!flood->killed && flood->answered >= 20)
    {
      flood->killed = TRUE;
      kill (flood->srv->pid, SIGTERM);
    }
  g_free (fr->name);
  g_object_unref (fr->msg);
  g_free (fr);
  if (--flood->pending == 0)
    g_main_loop_quit (flood->loop);
}

static void
test_sigterm_keeps_acknowledged (void)
{
  FdTestServer *srv = fd_test_server_start ();
  g_autofree char *wks = fd_test_make_workspace (srv, "Flood");
  g_autofree char *uri = g_strdup_printf ("%s/api/v1/workspaces/%s/devices", srv->url, wks);
  g_autofree char *auth = g_strconcat ("Bearer ", srv->token, NULL);
  g_autofree char *list = g_strdup_printf ("/api/v1/workspaces/%s/devices?size=1000", wks);
  g_autoptr (GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  g_autoptr (JsonNode) node = NULL;
  Flood flood = { .srv = srv, .loop = loop };
  int wstatus;

  flood.acknowledged = g_ptr_array_new_with_free_func (g_free);
  for (guint i = 0; i < 400; i++)
    {
      FloodRequest *fr = g_new0 (FloodRequest, 1);
      g_autofree char *body = NULL;
      g_autoptr (GBytes) bytes = NULL;

      fr->flood = &flood;
      fr->name = g_strdup_printf ("flood-%03u", i);
      body = g_strdup_printf ("{\"name\": \"%s\"}", fr->name);
      bytes = g_bytes_new (body, strlen (body));
      fr->msg = soup_message_new ("POST", uri);
      soup_message_headers_replace (soup_message_get_request_headers (fr->msg), "Authorization",
                                    auth);
      soup_message_set_request_body_from_bytes (fr->msg, "application/json", bytes);
      flood.pending++;
      soup_session_send_and_read_async (srv->session, fr->msg, G_PRIORITY_DEFAULT, NULL, flood_done,
                                        fr);
    }
  g_main_loop_run (loop);

  wstatus = fd_test_server_kill (srv, SIGTERM);
  g_assert_true (WIFEXITED (wstatus));
  g_assert_cmpint (WEXITSTATUS (wstatus), ==, 0);
  g_assert_cmpuint (flood.acknowledged->len, >=, 20);
  g_test_message ("%u of 400 creates acknowledged before the server stopped",
                  flood.acknowledged->len);

  /* every acknowledged device is there after a restart, and nothing else */
  fd_test_server_restart (srv);
  node = fd_test_api_expect (srv, "GET", list, NULL, 200);
  g_assert_cmpint (fd_test_int (node, "total"), ==, flood.acknowledged->len);
  {
    JsonArray *items = json_object_get_array_member (json_node_get_object (node), "items");
    g_autoptr (GHashTable) names = g_hash_table_new (g_str_hash, g_str_equal);
    for (guint i = 0; i < json_array_get_length (items); i++)
      g_hash_table_add (names, (gpointer)json_object_get_string_member (
                                   json_array_get_object_element (items, i), "name"));
    for (guint i = 0; i < flood.acknowledged->len; i++)
      g_assert_true (g_hash_table_contains (names, g_ptr_array_index (flood.acknowledged, i)));
  }
  g_ptr_array_unref (flood.acknowledged);
  fd_test_server_stop (srv);
}

/* Sends @request raw on a new connection and returns what the server answered, or NULL. */
static char *
raw_exchange (FdTestServer *srv, const char *request)
{
  g_autoptr (GSocketClient) client = g_socket_client_new ();
  g_autoptr (GSocketConnection) conn = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (GString) answer = g_string_new (NULL);
  guint port = (guint)g_ascii_strtoull (strrchr (srv->url, ':') + 1, NULL, 10);
  char buf[4096];
  gssize n;

  g_socket_client_set_timeout (client, 10);
  conn = g_socket_client_connect_to_host (client, "127.0.0.1", port, NULL, &error);
  g_assert_no_error (error);
  g_output_stream_write_all (g_io_stream_get_output_stream (G_IO_STREAM (conn)), request,
                             strlen (request), NULL, NULL, &error);
  g_assert_no_error (error);
  /* Read until the answer is complete (headers, then Content-Length bytes) or the server
   * closes: whichever comes first, so a keep-alive server does not stall the test. */
  while ((n = g_input_stream_read (g_io_stream_get_input_stream (G_IO_STREAM (conn)), buf,
                                   sizeof buf, NULL, NULL))
         > 0)
    {
      const char *end, *length;

      g_string_append_len (answer, buf, n);
      end = strstr (answer->str, "\r\n\r\n");
      length = g_strstr_len (answer->str, end ? end - answer->str : -1, "Content-Length: ");
      if (end != NULL && length != NULL
          && answer->len
                 >= (gsize)(end + 4 - answer->str) + g_ascii_strtoull (length + 16, NULL, 10))
        break;
    }
  return g_string_free (g_steal_pointer (&answer), FALSE);
}

/* Bodies are judged by their headers before a byte of them is read: too large, unmeasurable
 * (chunked) or a Content-Length that is not one plain number are all refused with 413 and the
 * JSON error, and nothing is created. */
static void
test_body_limits_from_headers (void)
{
  FdTestServer *srv = fd_test_server_start ();
  /* declared length, bytes actually sent: a body merely too large is sent whole (the server
   * reads and drops it, then answers); absurd lengths are answered at once */
  const struct
  {
    const char *length;
    gsize sent;
  } cases[] = { { "18446744073709551615", 0 }, { "-5", 0 }, { "70000", 70000 }, { "2000000", 0 } };
  g_autoptr (JsonNode) list = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *filler = g_strnfill (cases[i].sent, 'a');
      g_autofree char *request
          = g_strdup_printf ("POST /api/v1/workspaces HTTP/1.1\r\nHost: x\r\nAuthorization: "
                             "Bearer %s\r\nContent-Type: application/json\r\nContent-Length: "
                             "%s\r\n\r\n%s",
                             srv->token, cases[i].length, filler);
      g_autofree char *answer = raw_exchange (srv, request);
      g_test_message ("Content-Length %s: %.40s", cases[i].length, answer);
      g_assert_true (g_str_has_prefix (answer, "HTTP/1.1 413"));
      g_assert_nonnull (strstr (answer, "\"code\":\"payload_too_large\""));
    }
  {
    g_autofree char *request = g_strdup_printf (
        "POST /api/v1/workspaces HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\n"
        "Transfer-Encoding: chunked\r\n\r\nd\r\n{\"name\": \"x\"}\r\n0\r\n\r\n",
        srv->token);
    g_autofree char *answer = raw_exchange (srv, request);
    g_assert_true (g_str_has_prefix (answer, "HTTP/1.1 413"));
    g_assert_nonnull (strstr (answer, "chunked"));
  }
  list = fd_test_api_expect (srv, "GET", "/api/v1/workspaces", NULL, 200);
  g_assert_cmpint (fd_test_int (list, "total"), ==, 0);
  fd_test_server_stop (srv);
}

/* Connections that never send a request (port probes, health checks) do not hold up a clean
 * shutdown. */
static void
test_idle_connections_do_not_delay_shutdown (void)
{
  FdTestServer *srv = fd_test_server_start ();
  guint port = (guint)g_ascii_strtoull (strrchr (srv->url, ':') + 1, NULL, 10);
  g_autoptr (GSocketClient) client = g_socket_client_new ();
  g_autoptr (GPtrArray) conns = g_ptr_array_new_with_free_func (g_object_unref);
  gint64 start;
  int wstatus;

  for (guint i = 0; i < 3; i++)
    {
      GSocketConnection *conn
          = g_socket_client_connect_to_host (client, "127.0.0.1", port, NULL, NULL);
      g_assert_nonnull (conn);
      if (i < 2)
        g_io_stream_close (G_IO_STREAM (conn), NULL, NULL); /* probe: connect and hang up */
      g_ptr_array_add (conns, conn);                        /* the last one stays open */
    }
  g_usleep (100 * 1000);
  start = g_get_monotonic_time ();
  wstatus = fd_test_server_kill (srv, SIGTERM);
  g_assert_true (WIFEXITED (wstatus));
  g_assert_cmpint (WEXITSTATUS (wstatus), ==, 0);
  g_assert_cmpint (g_get_monotonic_time () - start, <, 3 * G_USEC_PER_SEC);
  fd_test_server_stop (srv);
}

static guint
count_fds (GPid pid)
{
  g_autofree char *path = g_strdup_printf ("/proc/%d/fd", (int)pid);
  g_autoptr (GDir) dir = g_dir_open (path, 0, NULL);
  guint n = 0;

  g_assert_nonnull (dir);
  while (g_dir_read_name (dir) != NULL)
    n++;
  return n;
}

/* Clients that make one request and hang up (curl, fleetdesk-cli) leave nothing open behind
 * them in the server: 300 of them do not grow its file descriptors. */
static void
test_hung_up_clients_leave_no_sockets (void)
{
  FdTestServer *srv = fd_test_server_start ();
  g_autofree char *list_request = g_strdup_printf (
      "GET /api/v1/workspaces HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\n\r\n", srv->token);
  guint before;

  /* the store's read connections open their files on first use */
  g_free (raw_exchange (srv, list_request));
  before = count_fds (srv->pid);
  for (guint i = 0; i < 100; i++)
    {
      g_autofree char *health
          = raw_exchange (srv, "GET /api/v1/health HTTP/1.1\r\nHost: x\r\n\r\n");
      g_autofree char *list = raw_exchange (srv, list_request);
      g_autofree char *missing = raw_exchange (srv, "GET /api/v1/nope HTTP/1.1\r\nHost: x\r\n\r\n");
      g_assert_true (g_str_has_prefix (health, "HTTP/1.1 200"));
      g_assert_true (g_str_has_prefix (list, "HTTP/1.1 200"));
      g_assert_true (g_str_has_prefix (missing, "HTTP/1.1 404"));
    }
  g_usleep (200 * 1000);
  g_assert_cmpuint (count_fds (srv->pid), <=, before + 8);
  fd_test_server_stop (srv);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/server/first-start", test_first_start);
  g_test_add_func ("/server/second-server-refused", test_second_server_refused);
  g_test_add_func ("/server/restart-keeps-data", test_restart_keeps_data);
  g_test_add_func ("/server/token-commands", test_token_commands);
  g_test_add_func ("/server/bad-arguments", test_bad_arguments);
  g_test_add_func ("/server/sigterm-keeps-acknowledged", test_sigterm_keeps_acknowledged);
  g_test_add_func ("/server/body-limits-from-headers", test_body_limits_from_headers);
  g_test_add_func ("/server/idle-connections-do-not-delay-shutdown",
                   test_idle_connections_do_not_delay_shutdown);
  g_test_add_func ("/server/hung-up-clients-leave-no-sockets",
                   test_hung_up_clients_leave_no_sockets);
  return g_test_run ();
}
