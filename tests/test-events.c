/* test-events.c — GET /api/v1/events against a real server: a libsoup WebSocket client sees
 * what HTTPS devices do (data, coalesced; presence), filtered by workspace and type, and the
 * endpoint refuses what it should (no token, unknown parameters, no WebSocket). The device JSON
 * shows presence and the reported __info. */
#include "fd-test-device.h"

#include <string.h>
#include <sys/socket.h>

#define FD_EVENTS_MAX_QUEUED 1024 /* server/events/fd-events.h */

static FdTdServer *shared;

/* Long enough for a loaded machine; only a guard against hanging. */
#define WAIT_LIMIT_US (30 * G_USEC_PER_SEC)

typedef struct
{
  SoupSession *session;
  SoupWebsocketConnection *conn;
  GPtrArray *events; /* JsonNode* */
  gboolean closed;
  gushort close_code;
  guint status; /* of a refused handshake */
  gboolean done;
} Listener;

static void
on_message (SoupWebsocketConnection *conn, gint type, GBytes *message, gpointer user_data)
{
  Listener *l = user_data;
  g_autoptr (GError) error = NULL;
  JsonNode *node;

  g_assert_cmpint (type, ==, SOUP_WEBSOCKET_DATA_TEXT);
  node = json_from_string (g_bytes_get_data (message, NULL), &error);
  g_assert_no_error (error);
  g_ptr_array_add (l->events, node);
}

static void
on_closed (SoupWebsocketConnection *conn, gpointer user_data)
{
  Listener *l = user_data;

  l->closed = TRUE;
  l->close_code = soup_websocket_connection_get_close_code (conn);
}

static void
connected (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Listener *l = user_data;

  l->conn = soup_session_websocket_connect_finish (SOUP_SESSION (source), result, NULL);
  l->done = TRUE;
}

static void
iterate_until (gboolean *flag)
{
  gint64 deadline = g_get_monotonic_time () + WAIT_LIMIT_US;

  while (!*flag)
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_main_context_iteration (NULL, TRUE);
    }
}

/* Connects to /api/v1/events@query with @token (NULL: none). A refused handshake leaves
 * l->conn NULL and its HTTP status in l->status. */
static Listener *
listener_open (const char *query, const char *token)
{
  Listener *l = g_new0 (Listener, 1);
  g_autofree char *url = g_strconcat (shared->srv->url, "/api/v1/events", query, NULL);
  g_autoptr (SoupMessage) msg = soup_message_new ("GET", url);

  l->session = soup_session_new ();
  l->events = g_ptr_array_new_with_free_func ((GDestroyNotify)json_node_unref);
  if (token != NULL)
    {
      g_autofree char *auth = g_strconcat ("Bearer ", token, NULL);
      soup_message_headers_replace (soup_message_get_request_headers (msg), "Authorization", auth);
    }
  soup_session_websocket_connect_async (l->session, msg, NULL, NULL, G_PRIORITY_DEFAULT, NULL,
                                        connected, l);
  iterate_until (&l->done);
  l->status = soup_message_get_status (msg);
  if (l->conn != NULL)
    {
      g_signal_connect (l->conn, "message", G_CALLBACK (on_message), l);
      g_signal_connect (l->conn, "closed", G_CALLBACK (on_closed), l);
    }
  return l;
}

static void
listener_free (Listener *l)
{
  if (l->conn != NULL)
    {
      g_signal_handlers_disconnect_by_data (l->conn, l);
      if (soup_websocket_connection_get_state (l->conn) == SOUP_WEBSOCKET_STATE_OPEN)
        soup_websocket_connection_close (l->conn, SOUP_WEBSOCKET_CLOSE_NORMAL, NULL);
      g_object_unref (l->conn);
    }
  g_ptr_array_unref (l->events);
  g_object_unref (l->session);
  g_free (l);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Listener, listener_free)

static JsonObject *
event_at (Listener *l, guint i)
{
  return json_node_get_object (g_ptr_array_index (l->events, i));
}

static JsonObject *
event_data (JsonObject *event)
{
  return json_object_get_object_member (event, "data");
}

static gboolean
event_is (JsonObject *e, const char *type, const char *device_id)
{
  return g_str_equal (json_object_get_string_member (e, "type"), type)
         && g_strcmp0 (json_object_get_string_member (e, "device_id"), device_id) == 0;
}

/* Waits for the first event of @type from @device_id after index @from; returns its index. */
static guint
wait_event (Listener *l, guint from, const char *type, const char *device_id)
{
  gint64 deadline = g_get_monotonic_time () + WAIT_LIMIT_US;

  for (guint i = from;; i++)
    {
      while (i >= l->events->len)
        {
          if (g_get_monotonic_time () > deadline)
            g_error ("no %s event from %s", type, device_id);
          g_main_context_iteration (NULL, TRUE);
        }
      if (event_is (event_at (l, i), type, device_id))
        return i;
    }
}

/* Sums the counts of @device_id's data events of @tag. */
static gint64
data_count (Listener *l, const char *device_id, const char *tag, guint *n_events)
{
  gint64 sum = 0;

  *n_events = 0;
  for (guint i = 0; i < l->events->len; i++)
    {
      JsonObject *e = event_at (l, i);
      if (!event_is (e, "data", device_id)
          || !g_str_equal (json_object_get_string_member (event_data (e), "tag"), tag))
        continue;
      sum += json_object_get_int_member (event_data (e), "count");
      (*n_events)++;
    }
  return sum;
}

/* Posts @body to /v1/data/@tag on an open connection of the device. */
static void
post_data (FdTdRaw *raw, const char *tag, const char *body)
{
  g_autofree char *path = g_strconcat ("/v1/data/", tag, NULL);
  g_autofree char *req = fd_td_request ("POST", path, NULL, body);
  g_auto (FdTdResponse) resp = { 0 };

  fd_td_raw_send (raw, req);
  g_assert_true (fd_td_raw_response (raw, &resp));
  g_assert_cmpuint (resp.status, ==, 202);
}

static FdTdRaw *
device_connect (const FdTdDevice *d)
{
  g_autoptr (GError) error = NULL;
  FdTdRaw *raw = fd_td_raw_open (shared, d, &error);

  g_assert_no_error (error);
  return raw;
}

/* A WebSocket client that reads nothing after the handshake: a raw TCP connection with a tiny
 * receive buffer, so the server's writes back up soon. */
static GSocketConnection *
stuck_open (const char *query)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GUri) uri = g_uri_parse (shared->srv->url, G_URI_FLAGS_NONE, &error);
  g_autoptr (GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr (GSocketAddress) addr = NULL;
  g_autoptr (GSocket) socket = NULL;
  g_autoptr (GString) head = g_string_new (NULL);
  g_autofree char *req = NULL;
  GSocketConnection *conn;

  g_assert_no_error (error);
  addr = g_inet_socket_address_new (loopback, (guint16)g_uri_get_port (uri));
  socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, &error);
  g_assert_no_error (error);
  g_assert_true (g_socket_set_option (socket, SOL_SOCKET, SO_RCVBUF, 4096, &error));
  g_assert_true (g_socket_connect (socket, addr, NULL, &error));
  g_socket_set_timeout (socket, 30);
  conn = g_socket_connection_factory_create_connection (socket);
  req = g_strdup_printf ("GET /api/v1/events%s HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                         "Authorization: Bearer %s\r\nUpgrade: websocket\r\n"
                         "Connection: Upgrade\r\nSec-WebSocket-Version: 13\r\n"
                         "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n",
                         query, shared->srv->token);
  g_assert_true (g_output_stream_write_all (g_io_stream_get_output_stream (G_IO_STREAM (conn)), req,
                                            strlen (req), NULL, NULL, &error));
  /* Byte by byte up to the end of the head: nothing after it is taken. */
  while (!g_str_has_suffix (head->str, "\r\n\r\n"))
    {
      char c;
      g_assert_cmpint (g_input_stream_read (g_io_stream_get_input_stream (G_IO_STREAM (conn)), &c,
                                            1, NULL, &error),
                       ==, 1);
      g_string_append_c (head, c);
    }
  g_assert_true (g_str_has_prefix (head->str, "HTTP/1.1 101"));
  return conn;
}

/* Reads the server's frames to the end of the connection: how many text frames came and the
 * close code, 0 when the connection ended without a close frame. */
static gushort
stuck_drain (GSocketConnection *conn, guint *n_text)
{
  GInputStream *in = g_io_stream_get_input_stream (G_IO_STREAM (conn));
  g_autoptr (GByteArray) buf = g_byte_array_new ();
  guint8 chunk[65536];
  gsize at = 0;

  *n_text = 0;
  for (;;)
    {
      g_autoptr (GError) error = NULL;
      gssize n;

      /* Whole frames at the front of the buffer. */
      while (buf->len - at >= 2)
        {
          guint8 *h = buf->data + at;
          guint64 len = h[1] & 0x7f;
          gsize head = 2;

          if (len == 126)
            {
              if (buf->len - at < 4)
                break;
              len = ((guint64)h[2] << 8) | h[3];
              head = 4;
            }
          else if (len == 127)
            {
              if (buf->len - at < 10)
                break;
              len = 0;
              for (int i = 0; i < 8; i++)
                len = len << 8 | h[2 + i];
              head = 10;
            }
          if (buf->len - at < head + len)
            break;
          if ((h[0] & 0x0f) == 0x1)
            (*n_text)++;
          else if ((h[0] & 0x0f) == 0x8)
            return len >= 2 ? (gushort)(h[head] << 8 | h[head + 1]) : 1005;
          at += head + len;
        }
      n = g_input_stream_read (in, chunk, sizeof chunk, NULL, &error);
      if (n <= 0)
        return 0;
      g_byte_array_append (buf, chunk, (guint)n);
    }
}

typedef struct
{
  FdTdDevice *d;
  guint n_big, n_small;
  gboolean done;
} Flood;

/* Posts big readings, then small ones, each under its own tag (so none coalesce), pipelined
 * in chunks. On its own thread: the main thread keeps the well-behaved listener reading. */
static gpointer
flood (gpointer data)
{
  Flood *f = data;
  g_autoptr (FdTdRaw) raw = device_connect (f->d);
  g_autofree char *big = g_strnfill (60000, 'x');
  guint total = f->n_big + f->n_small;

  for (guint first = 0; first < total; first += 50)
    {
      g_autoptr (GString) chunk = g_string_new (NULL);
      guint last = MIN (first + 50, total);

      for (guint i = first; i < last; i++)
        {
          g_autofree char *path = g_strdup_printf ("/v1/data/flood-%u", i);
          g_autofree char *body = i < f->n_big ? g_strdup_printf ("{\"s\": \"%s\"}", big)
                                               : g_strdup_printf ("{\"i\": %u}", i);
          g_autofree char *req = fd_td_request ("POST", path, NULL, body);
          g_string_append (chunk, req);
        }
      fd_td_raw_send (raw, chunk->str);
      for (guint i = first; i < last; i++)
        {
          g_auto (FdTdResponse) resp = { 0 };
          g_assert_true (fd_td_raw_response (raw, &resp));
          g_assert_cmpuint (resp.status, ==, 202);
        }
    }
  post_data (raw, "marker", "{}");
  g_atomic_int_set (&f->done, TRUE);
  g_main_context_wakeup (NULL);
  return NULL;
}

static guint
count_tagged (Listener *l, const char *device_id, const char *prefix)
{
  guint n = 0;

  for (guint i = 0; i < l->events->len; i++)
    {
      JsonObject *e = event_at (l, i);
      if (event_is (e, "data", device_id)
          && g_str_has_prefix (json_object_get_string_member (event_data (e), "tag"), prefix))
        n++;
    }
  return n;
}

/* A consumer that stops reading is closed with 1008 once it is too far behind; one that keeps
 * reading gets every event meanwhile, the last (the marker) included. */
static void
test_slow_consumer (void)
{
  g_autoptr (FdTdDevice) d = fd_td_cert_device (shared, "events-flood");
  g_autofree char *query = g_strconcat ("?workspace=", d->workspace_id, "&type=data", NULL);
  g_autoptr (Listener) good = listener_open (query, shared->srv->token);
  g_autoptr (GSocketConnection) stuck = stuck_open (query);
  Flood f = { d, 100, FD_EVENTS_MAX_QUEUED + 100, FALSE };
  GThread *thread = g_thread_new ("flood", flood, &f);
  gint64 deadline = g_get_monotonic_time () + 4 * WAIT_LIMIT_US;
  guint n_text = 0;
  gushort code;

  while (!g_atomic_int_get (&f.done) || count_tagged (good, d->id, "marker") == 0)
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_main_context_iteration (NULL, TRUE);
    }
  g_thread_join (thread);
  g_assert_cmpuint (count_tagged (good, d->id, "flood-"), ==, f.n_big + f.n_small);
  g_assert_false (good->closed);

  code = stuck_drain (stuck, &n_text);
  g_test_message ("the stuck client got %u events, then close code %u", n_text, code);
  g_assert_cmpuint (code, ==, SOUP_WEBSOCKET_CLOSE_POLICY_VIOLATION);
  g_assert_cmpuint (n_text, <, f.n_big + f.n_small);
}

typedef struct
{
  char *line;
  gboolean done;
} LineRead;

static void
line_read (GObject *source, GAsyncResult *result, gpointer user_data)
{
  LineRead *r = user_data;

  r->line = g_data_input_stream_read_line_finish_utf8 (G_DATA_INPUT_STREAM (source), result, NULL,
                                                       NULL);
  r->done = TRUE;
}

static GSubprocess *
cli_spawn (const char *token, const char *const *extra, GError **error)
{
  g_autoptr (GPtrArray) argv = g_ptr_array_new ();

  g_ptr_array_add (argv, (char *)g_getenv ("FD_CLI_BIN"));
  g_ptr_array_add (argv, "--server");
  g_ptr_array_add (argv, shared->srv->url);
  g_ptr_array_add (argv, "--token");
  g_ptr_array_add (argv, (char *)token);
  for (guint i = 0; extra[i] != NULL; i++)
    g_ptr_array_add (argv, (char *)extra[i]);
  g_ptr_array_add (argv, NULL);
  return g_subprocess_newv ((const char *const *)argv->pdata,
                            G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE, error);
}

/* Posts a reading every 200 ms until the CLI prints a line (it may not be subscribed yet when
 * the first is posted); returns that line. */
static char *
cli_first_line (GSubprocess *cli, FdTdRaw *raw, const char *tag)
{
  g_autoptr (GDataInputStream) out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (cli));
  gint64 deadline = g_get_monotonic_time () + WAIT_LIMIT_US;
  LineRead r = { NULL, FALSE };

  g_data_input_stream_read_line_async (out, G_PRIORITY_DEFAULT, NULL, line_read, &r);
  while (!r.done)
    {
      gint64 next = g_get_monotonic_time () + 200 * 1000;

      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      post_data (raw, tag, "{\"v\": 7}");
      while (!r.done && g_get_monotonic_time () < next)
        g_main_context_iteration (NULL, FALSE) || (g_usleep (5000), TRUE);
    }
  g_assert_nonnull (r.line);
  return r.line;
}

/* `fleetdesk-cli events` prints one line per event, `--json` the event itself, and ends with
 * status 0 on Ctrl-C; a refused token is an error. */
static void
test_cli (void)
{
  g_autoptr (FdTdDevice) d = fd_td_cert_device (shared, "events-cli");
  g_autoptr (FdTdRaw) raw = device_connect (d);
  const char *const json_args[]
      = { "events", "--workspace", d->workspace_id, "--type", "data", "--json", NULL };
  const char *const text_args[] = { "events", "follow", "--type", "data", NULL };
  const char *const bad_token[] = { "events", NULL };
  g_autoptr (GError) error = NULL;
  g_autoptr (GSubprocess) json_cli = cli_spawn (shared->srv->token, json_args, &error);
  g_autoptr (GSubprocess) text_cli = NULL;
  g_autoptr (GSubprocess) refused = NULL;
  g_autofree char *line = NULL, *text = NULL, *err = NULL;
  g_autoptr (JsonNode) event = NULL;

  g_assert_no_error (error);
  line = cli_first_line (json_cli, raw, "cli-json");
  event = json_from_string (line, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (fd_test_str (event, "type"), ==, "data");
  g_assert_cmpstr (fd_test_str (event, "device_id"), ==, d->id);
  g_subprocess_send_signal (json_cli, SIGINT);
  g_assert_true (g_subprocess_wait (json_cli, NULL, &error));
  g_assert_true (g_subprocess_get_if_exited (json_cli));
  g_assert_cmpint (g_subprocess_get_exit_status (json_cli), ==, 0);

  text_cli = cli_spawn (shared->srv->token, text_args, &error);
  g_assert_no_error (error);
  text = cli_first_line (text_cli, raw, "cli-text");
  g_assert_nonnull (strstr (text, d->id));
  g_assert_nonnull (strstr (text, "cli-text"));
  g_assert_nonnull (strstr (text, "{\"v\":7}"));
  g_subprocess_send_signal (text_cli, SIGTERM);
  g_assert_true (g_subprocess_wait (text_cli, NULL, &error));
  g_assert_cmpint (g_subprocess_get_exit_status (text_cli), ==, 0);

  refused = cli_spawn ("fdt_WRONG", bad_token, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_communicate_utf8 (refused, NULL, NULL, NULL, &err, &error));
  g_assert_cmpint (g_subprocess_get_exit_status (refused), ==, 1);
  g_assert_nonnull (strstr (err, "token"));
}

static void
post_up (FdTdRaw *raw, const char *body, guint status)
{
  g_autofree char *req = fd_td_request ("POST", "/v1/up", NULL, body);
  g_auto (FdTdResponse) resp = { 0 };

  fd_td_raw_send (raw, req);
  g_assert_true (fd_td_raw_response (raw, &resp));
  g_assert_cmpuint (resp.status, ==, status);
}

/* A condition opened, opened again (an update) and closed over HTTPS: three events whose data
 * is the condition as the conditions list shows it; a second close is no news. */
static void
test_conditions (void)
{
  g_autoptr (FdTdDevice) d = fd_td_cert_device (shared, "events-condition");
  g_autofree char *query
      = g_strconcat ("?workspace=", d->workspace_id,
                     "&type=condition.opened&type=condition.updated&type=condition.closed", NULL);
  g_autofree char *list_path
      = g_strdup_printf ("/api/v1/workspaces/%s/conditions?device=%s", d->workspace_id, d->id);
  g_autoptr (Listener) l = listener_open (query, shared->srv->token);
  g_autoptr (FdTdRaw) raw = device_connect (d);
  g_autoptr (JsonNode) list = NULL;
  g_autoptr (GList) members = NULL;
  JsonObject *opened, *updated, *closed, *listed;
  guint at;

  post_up (raw,
           "{\"key\": \"condition\", \"value\": {\"uuid\": \"c-1\", \"tag\": \"battery\","
           " \"payload\": {\"lvl\": 15}, \"start\": \"2026-01-01T10:00:00Z\"}}",
           202);
  at = wait_event (l, 0, "condition.opened", d->id);
  opened = event_data (event_at (l, at));
  post_up (raw,
           "{\"key\": \"condition\", \"value\": {\"uuid\": \"c-1\", \"tag\": \"battery\","
           " \"payload\": {\"lvl\": 12}, \"start\": \"2026-01-01T10:00:00Z\"}}",
           202);
  at = wait_event (l, at + 1, "condition.updated", d->id);
  updated = event_data (event_at (l, at));
  post_up (raw,
           "{\"key\": \"condition\", \"value\": {\"uuid\": \"c-1\", \"payloadf\": {\"lvl\": 45},"
           " \"finish\": \"2026-01-01T10:30:00Z\"}}",
           202);
  at = wait_event (l, at + 1, "condition.closed", d->id);
  closed = event_data (event_at (l, at));

  g_assert_cmpstr (json_object_get_string_member (opened, "uuid"), ==, "c-1");
  g_assert_cmpstr (json_object_get_string_member (opened, "tag"), ==, "battery");
  g_assert_cmpstr (json_object_get_string_member (opened, "status"), ==, "open");
  g_assert_cmpint (
      json_object_get_int_member (json_object_get_object_member (opened, "payload"), "lvl"), ==,
      15);
  g_assert_true (json_object_get_null_member (opened, "finish"));
  g_assert_cmpint (
      json_object_get_int_member (json_object_get_object_member (updated, "payload"), "lvl"), ==,
      12);
  g_assert_cmpstr (json_object_get_string_member (closed, "status"), ==, "closed");
  g_assert_cmpstr (json_object_get_string_member (closed, "finish"), ==,
                   "2026-01-01T10:30:00.000Z");
  g_assert_cmpfloat (json_object_get_double_member (closed, "duration"), ==, 1800.0);
  g_assert_cmpint (
      json_object_get_int_member (json_object_get_object_member (closed, "payloadf"), "lvl"), ==,
      45);

  /* The same object as the conditions list (which may add the device's name). */
  list = fd_test_api_expect (shared->srv, "GET", list_path, NULL, 200);
  listed = json_array_get_object_element (
      json_object_get_array_member (json_node_get_object (list), "items"), 0);
  members = json_object_get_members (closed);
  for (GList *it = members; it != NULL; it = it->next)
    {
      g_autofree char *a = json_to_string (json_object_get_member (closed, it->data), FALSE);
      g_autofree char *b = json_to_string (json_object_get_member (listed, it->data), FALSE);
      g_assert_cmpstr (a, ==, b);
    }

  /* A second close changes nothing and says nothing; the marker after it is the next event. */
  post_up (raw,
           "{\"key\": \"condition\", \"value\": {\"uuid\": \"c-1\", \"finish\": "
           "\"2026-01-01T10:31:00Z\"}}",
           202);
  post_up (raw,
           "{\"key\": \"condition\", \"value\": {\"uuid\": \"c-2\", \"tag\": \"marker\","
           " \"start\": \"2026-01-01T11:00:00Z\"}}",
           202);
  g_assert_cmpuint (wait_event (l, at + 1, "condition.opened", d->id), ==, at + 1);
}

static void
test_refused (void)
{
  struct
  {
    const char *query;
    const char *token;
    guint status;
  } cases[] = {
    { "", NULL, 401 },
    { "", "fdt_NOTATOKEN", 401 },
    { "?colour=red", shared->srv->token, 400 },
    { "?type=device.exploded", shared->srv->token, 400 },
    { "?workspace=nonsense", shared->srv->token, 400 },
    { "?workspace=wks-aaaaaaaaaaaaaaaaaaaa", shared->srv->token, 404 },
    { "?workspace=a&workspace=b", shared->srv->token, 400 },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr (Listener) l = listener_open (cases[i].query, cases[i].token);
      g_assert_null (l->conn);
      g_assert_cmpuint (l->status, ==, cases[i].status);
    }
}

/* A plain GET (no WebSocket handshake) is told to upgrade. */
static void
test_not_websocket (void)
{
  guint status = 0;
  g_autoptr (JsonNode) body = fd_test_api (shared->srv, "GET", "/api/v1/events", NULL, &status);

  g_assert_cmpuint (status, ==, 426);
  g_assert_cmpstr (fd_test_error_code (body), ==, "upgrade_required");
}

/* One HTTPS post: one data event with its count, payload, tag, fleet and arrival time. */
static void
test_data_event (void)
{
  g_autoptr (FdTdDevice) d = fd_td_cert_device (shared, "events-data");
  g_autofree char *query = g_strconcat ("?workspace=", d->workspace_id, "&type=data", NULL);
  g_autoptr (Listener) l = listener_open (query, shared->srv->token);
  g_autoptr (FdTdRaw) raw = NULL;
  JsonObject *e, *data;

  g_assert_nonnull (l->conn);
  raw = device_connect (d);
  post_data (raw, "temp", "{\"celsius\": 21.5, \"ok\": true}");
  e = event_at (l, wait_event (l, 0, "data", d->id));
  data = event_data (e);
  g_assert_cmpstr (json_object_get_string_member (e, "workspace_id"), ==, d->workspace_id);
  g_assert_true (g_str_has_suffix (json_object_get_string_member (e, "time"), "Z"));
  g_assert_cmpstr (json_object_get_string_member (data, "tag"), ==, "temp");
  g_assert_true (g_str_has_prefix (json_object_get_string_member (data, "fleet_id"), "flt-"));
  g_assert_cmpint (json_object_get_int_member (data, "count"), ==, 1);
  g_assert_cmpfloat (
      json_object_get_double_member (json_object_get_object_member (data, "payload"), "celsius"),
      ==, 21.5);
  g_assert_true (g_str_has_suffix (json_object_get_string_member (data, "timestamp_in"), "Z"));
}

/* 50 readings posted one after the other, each answered (so each its own commit) before the
 * next and 20 ms apart, so that they span several flushes: fewer events than readings but more
 * than one, their counts adding up to 50, the newest payload in the last. Events of a series
 * are at least 1/4 s apart, so their number is bounded by the time the posts took, however
 * loaded the machine. */
static void
test_coalesced (void)
{
  g_autoptr (FdTdDevice) d = fd_td_cert_device (shared, "events-burst");
  g_autofree char *query = g_strconcat ("?workspace=", d->workspace_id, NULL);
  g_autoptr (Listener) l = listener_open (query, shared->srv->token);
  g_autoptr (FdTdRaw) raw = device_connect (d);
  gint64 start = g_get_monotonic_time (), deadline = start + WAIT_LIMIT_US, elapsed_ms;
  guint n_events = 0;
  JsonObject *last = NULL;

  for (guint i = 0; i < 50; i++)
    {
      g_autofree char *body = g_strdup_printf ("{\"i\": %u}", i);
      post_data (raw, "burst", body);
      g_usleep (20 * 1000);
    }
  while (data_count (l, d->id, "burst", &n_events) < 50)
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_main_context_iteration (NULL, TRUE);
    }
  elapsed_ms = (g_get_monotonic_time () - start) / 1000;
  g_assert_cmpint (data_count (l, d->id, "burst", &n_events), ==, 50);
  g_assert_cmpuint (n_events, <=, 2 + elapsed_ms * 4 / 1000);
  g_assert_cmpuint (n_events, >=, 2);
  if (elapsed_ms < 10000)
    g_assert_cmpuint (n_events, <, 50);
  for (guint i = 0; i < l->events->len; i++)
    if (event_is (event_at (l, i), "data", d->id))
      last = event_at (l, i);
  g_assert_cmpint (json_object_get_int_member (
                       json_object_get_object_member (event_data (last), "payload"), "i"),
                   ==, 49);
  g_test_message ("50 readings in %" G_GINT64_FORMAT " ms gave %u data events", elapsed_ms,
                  n_events);
}

/* A workspace filter sees only its workspace; a type filter only its types. Absence is checked
 * with a later marker event: events reach one connection in order. */
static void
test_filters (void)
{
  g_autofree char *other_ws = fd_test_make_workspace (shared->srv, "events-other");
  g_autofree char *main_ws = g_strdup (shared->workspace);
  g_autoptr (FdTdDevice) mine = fd_td_cert_device (shared, "events-mine");
  g_autoptr (FdTdDevice) theirs = NULL;
  g_autoptr (FdTdDevice) marker = NULL;
  g_autofree char *q_mine = g_strconcat ("?workspace=", main_ws, NULL);
  g_autoptr (Listener) all = listener_open ("", shared->srv->token);
  g_autoptr (Listener) only_mine = listener_open (q_mine, shared->srv->token);
  g_autoptr (Listener) only_online
      = listener_open ("?type=device.online&type=device.offline", shared->srv->token);
  g_autoptr (FdTdRaw) raw_theirs = NULL, raw_mine = NULL, raw_marker = NULL;
  guint at;

  g_free (shared->workspace);
  shared->workspace = g_strdup (other_ws);
  theirs = fd_td_cert_device (shared, "events-theirs");
  g_free (shared->workspace);
  shared->workspace = g_strdup (main_ws);
  marker = fd_td_cert_device (shared, "events-marker");

  raw_theirs = device_connect (theirs);
  post_data (raw_theirs, "t", "{\"x\": 1}");
  wait_event (all, 0, "data", theirs->id);

  raw_mine = device_connect (mine);
  post_data (raw_mine, "t", "{\"x\": 2}");
  at = wait_event (only_mine, 0, "data", mine->id);
  for (guint i = 0; i < at; i++)
    g_assert_cmpstr (json_object_get_string_member (event_at (only_mine, i), "workspace_id"), ==,
                     main_ws);
  wait_event (only_mine, 0, "device.online", mine->id);

  /* The type filter saw both devices come online, and nothing else before the marker. */
  raw_marker = device_connect (marker);
  post_data (raw_marker, "t", "{}");
  at = wait_event (only_online, 0, "device.online", marker->id);
  wait_event (only_online, 0, "device.online", theirs->id);
  wait_event (only_online, 0, "device.online", mine->id);
  for (guint i = 0; i <= at; i++)
    {
      const char *type = json_object_get_string_member (event_at (only_online, i), "type");
      g_assert_true (g_str_equal (type, "device.online") || g_str_equal (type, "device.offline"));
    }
}

/* An HTTPS connection: device.online when it opens, device.offline when it ends, and the device
 * JSON says so, with its presence and the __info it reported. */
static void
test_presence (void)
{
  g_autoptr (FdTdDevice) d = fd_td_cert_device (shared, "events-presence");
  g_autofree char *query = g_strconcat ("?workspace=", d->workspace_id, NULL);
  g_autofree char *path = g_strconcat ("/api/v1/devices/", d->id, NULL);
  g_autoptr (Listener) l = listener_open (query, shared->srv->token);
  g_autoptr (JsonNode) during = NULL, after = NULL;
  FdTdRaw *raw = device_connect (d);
  JsonObject *e, *dev, *presence, *info;
  guint online_at;

  {
    g_autofree char *req = fd_td_request ("POST", "/v1/up", NULL,
                                          "{\"key\": \"__info\", \"value\": {\"fw\": \"1.2.3\"}}");
    g_auto (FdTdResponse) resp = { 0 };
    fd_td_raw_send (raw, req);
    g_assert_true (fd_td_raw_response (raw, &resp));
    g_assert_cmpuint (resp.status, ==, 202);
  }
  online_at = wait_event (l, 0, "device.online", d->id);
  e = event_data (event_at (l, online_at));
  g_assert_cmpstr (json_object_get_string_member (e, "transport"), ==, "https");
  g_assert_nonnull (strstr (json_object_get_string_member (e, "address"), "127.0.0.1"));
  g_assert_true (g_str_has_suffix (json_object_get_string_member (e, "connected_at"), "Z"));

  /* Online is live: no waiting for the presence write. */
  during = fd_test_api_expect (shared->srv, "GET", path, NULL, 200);
  dev = json_node_get_object (during);
  g_assert_true (json_object_get_boolean_member (dev, "online"));
  g_assert_false (json_object_get_null_member (dev, "last_seen"));
  info = json_object_get_object_member (dev, "info");
  g_assert_nonnull (info);
  g_assert_cmpstr (json_object_get_string_member (info, "fw"), ==, "1.2.3");
  presence = json_object_get_object_member (dev, "presence");
  g_assert_nonnull (presence);
  g_assert_true (json_object_has_member (presence, "transport"));
  g_assert_true (json_object_has_member (presence, "disconnected_at"));

  {
    g_autofree char *list_path
        = g_strdup_printf ("/api/v1/workspaces/%s/devices?online=true", d->workspace_id);
    g_autoptr (JsonNode) list = fd_test_api_expect (shared->srv, "GET", list_path, NULL, 200);
    g_autoptr (JsonNode) bad = NULL;
    g_autofree char *bad_path
        = g_strdup_printf ("/api/v1/workspaces/%s/devices?online=maybe", d->workspace_id);
    guint status = 0;
    JsonArray *items = json_object_get_array_member (json_node_get_object (list), "items");
    gboolean found = FALSE;

    /* The stored row follows the registry a moment later; poll it, then it is listed. */
    for (int tries = 0; !found && tries < 400; tries++)
      {
        items = json_object_get_array_member (json_node_get_object (list), "items");
        for (guint i = 0; i < json_array_get_length (items); i++)
          found |= g_str_equal (
              json_object_get_string_member (json_array_get_object_element (items, i), "id"),
              d->id);
        if (!found)
          {
            g_usleep (25000);
            g_clear_pointer (&list, json_node_unref);
            list = fd_test_api_expect (shared->srv, "GET", list_path, NULL, 200);
          }
      }
    g_assert_true (found);
    bad = fd_test_api (shared->srv, "GET", bad_path, NULL, &status);
    g_assert_cmpuint (status, ==, 400);
  }

  fd_td_raw_free (raw);
  e = event_at (l, wait_event (l, online_at, "device.offline", d->id));
  g_assert_cmpstr (json_object_get_string_member (event_data (e), "transport"), ==, "https");
  g_assert_cmpstr (json_object_get_string_member (event_data (e), "reason"), ==, "disconnected");
  g_assert_true (
      g_str_has_suffix (json_object_get_string_member (event_data (e), "disconnected_at"), "Z"));

  after = fd_test_api_expect (shared->srv, "GET", path, NULL, 200);
  g_assert_false (json_object_get_boolean_member (json_node_get_object (after), "online"));
}

int
main (int argc, char **argv)
{
  int status;

  g_test_init (&argc, &argv, NULL);
  /* The flood of test_slow_consumer is far above the default per-device rate. */
  shared = fd_td_server_start ((const char *const[]){ "--device-rate", "0", NULL });
  g_test_add_func ("/events/refused", test_refused);
  g_test_add_func ("/events/not-websocket", test_not_websocket);
  g_test_add_func ("/events/data-event", test_data_event);
  g_test_add_func ("/events/coalesced", test_coalesced);
  g_test_add_func ("/events/filters", test_filters);
  g_test_add_func ("/events/presence", test_presence);
  g_test_add_func ("/events/slow-consumer", test_slow_consumer);
  g_test_add_func ("/events/conditions", test_conditions);
  g_test_add_func ("/events/cli", test_cli);
  status = g_test_run ();
  fd_td_server_stop (shared);
  return status;
}
