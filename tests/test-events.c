/* test-events.c — GET /api/v1/events itself, against a real server: what it refuses (no token,
 * unknown parameters, no WebSocket), its workspace and type filters, a consumer that stops
 * reading closed with 1008 while one that reads gets everything, a revoked token's streams
 * closed, and streams closed with 1001 when the server stops. */
#include "fd-test-events.h"

#include <string.h>
#include <sys/socket.h>

#define FD_EVENTS_MAX_QUEUED 1024 /* server/events/fd-events.h */

static FdTdServer *shared;

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
 * close code, 0 when the connection ended without a close frame (libsoup gives up its close
 * handshake after 5 s and closes the connection, so a frame still queued behind the events
 * the client never read is not sent). Each read waits at most a second and the whole drain
 * FD_TE_WAIT_LIMIT_US: a server that keeps the connection open fails the test. */
static gushort
stuck_drain (GSocketConnection *conn, guint *n_text)
{
  GInputStream *in = g_io_stream_get_input_stream (G_IO_STREAM (conn));
  g_autoptr (GByteArray) buf = g_byte_array_new ();
  gint64 deadline = g_get_monotonic_time () + FD_TE_WAIT_LIMIT_US;
  guint8 chunk[65536];
  gsize at = 0;

  *n_text = 0;
  /* With the tiny receive buffer the window it reopens stays below loopback's MSS, so the
   * server's kernel may only send on its zero-window probes, which back off the longer the
   * client did not read: a big buffer now lets the backlog come at once. */
  g_assert_true (g_socket_set_option (g_socket_connection_get_socket (conn), SOL_SOCKET, SO_RCVBUF,
                                      4 * 1024 * 1024, NULL));
  g_socket_set_timeout (g_socket_connection_get_socket (conn), 1);
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
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      n = g_input_stream_read (in, chunk, sizeof chunk, NULL, &error);
      if (n < 0 && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT))
        continue;
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
  g_autoptr (FdTdRaw) raw = fd_te_device_connect (shared, f->d);
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
  fd_te_post_data (raw, "marker", "{}");
  g_atomic_int_set (&f->done, TRUE);
  g_main_context_wakeup (NULL);
  return NULL;
}

static guint
count_tagged (FdTeListener *l, const char *device_id, const char *prefix)
{
  guint n = 0;

  for (guint i = 0; i < l->events->len; i++)
    {
      JsonObject *e = fd_te_event_at (l, i);
      if (fd_te_event_is (e, "data", device_id)
          && g_str_has_prefix (json_object_get_string_member (fd_te_event_data (e), "tag"), prefix))
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
  g_autoptr (FdTeListener) good = fd_te_listener_open (shared, query, shared->srv->token);
  g_autoptr (GSocketConnection) stuck = stuck_open (query);
  Flood f = { d, 100, FD_EVENTS_MAX_QUEUED + 100, FALSE };
  GThread *thread = g_thread_new ("flood", flood, &f);
  gint64 deadline = g_get_monotonic_time () + 4 * FD_TE_WAIT_LIMIT_US;
  guint n_text = 0;
  gushort code;

  /* The marker is posted after every flood reading was answered, and one device's events are
   * published in the order their tags were first posted (also within one commit and one
   * flush), so it comes last. */
  while (!g_atomic_int_get (&f.done) || count_tagged (good, d->id, "marker") == 0)
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_assert_false (good->closed);
      fd_te_iterate ();
    }
  g_thread_join (thread);
  g_assert_cmpuint (count_tagged (good, d->id, "flood-"), ==, f.n_big + f.n_small);
  g_assert_false (good->closed);

  /* Dropped: the 1008 close frame, or the connection ended without it (see stuck_drain()). */
  code = stuck_drain (stuck, &n_text);
  g_test_message ("the stuck client got %u events, then close code %u", n_text, code);
  g_assert_true (code == SOUP_WEBSOCKET_CLOSE_POLICY_VIOLATION || code == 0);
  g_assert_cmpuint (n_text, <, f.n_big + f.n_small);
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
      g_autoptr (FdTeListener) l = fd_te_listener_open (shared, cases[i].query, cases[i].token);
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
  g_autoptr (FdTeListener) all = fd_te_listener_open (shared, "", shared->srv->token);
  g_autoptr (FdTeListener) only_mine = fd_te_listener_open (shared, q_mine, shared->srv->token);
  g_autoptr (FdTeListener) only_online
      = fd_te_listener_open (shared, "?type=device.online&type=device.offline", shared->srv->token);
  g_autoptr (FdTdRaw) raw_theirs = NULL, raw_mine = NULL, raw_marker = NULL;
  guint at;

  g_free (shared->workspace);
  shared->workspace = g_strdup (other_ws);
  theirs = fd_td_cert_device (shared, "events-theirs");
  g_free (shared->workspace);
  shared->workspace = g_strdup (main_ws);
  marker = fd_td_cert_device (shared, "events-marker");

  raw_theirs = fd_te_device_connect (shared, theirs);
  fd_te_post_data (raw_theirs, "t", "{\"x\": 1}");
  fd_te_wait_event (all, 0, "data", theirs->id);

  raw_mine = fd_te_device_connect (shared, mine);
  fd_te_post_data (raw_mine, "t", "{\"x\": 2}");
  at = fd_te_wait_event (only_mine, 0, "data", mine->id);
  for (guint i = 0; i < at; i++)
    g_assert_cmpstr (json_object_get_string_member (fd_te_event_at (only_mine, i), "workspace_id"),
                     ==, main_ws);
  fd_te_wait_event (only_mine, 0, "device.online", mine->id);

  /* The type filter saw both devices come online, and nothing else before the marker. */
  raw_marker = fd_te_device_connect (shared, marker);
  fd_te_post_data (raw_marker, "t", "{}");
  at = fd_te_wait_event (only_online, 0, "device.online", marker->id);
  fd_te_wait_event (only_online, 0, "device.online", theirs->id);
  fd_te_wait_event (only_online, 0, "device.online", mine->id);
  for (guint i = 0; i <= at; i++)
    {
      const char *type = json_object_get_string_member (fd_te_event_at (only_online, i), "type");
      g_assert_true (g_str_equal (type, "device.online") || g_str_equal (type, "device.offline"));
    }
}

/* Revoking a token closes the streams opened with it, and only those. */
static void
test_token_revoked (void)
{
  g_autoptr (JsonNode) token = fd_test_api_expect (shared->srv, "POST", "/api/v1/tokens",
                                                   "{\"name\": \"events-watcher\"}", 201);
  g_autofree char *path = g_strconcat ("/api/v1/tokens/", fd_test_str (token, "id"), NULL);
  g_autoptr (FdTeListener) watcher = fd_te_listener_open (shared, "", fd_test_str (token, "token"));
  g_autoptr (FdTeListener) admin = fd_te_listener_open (shared, "", shared->srv->token);
  g_autoptr (JsonNode) gone = NULL;
  g_autoptr (FdTdDevice) d = NULL;
  g_autoptr (FdTdRaw) raw = NULL;

  g_assert_nonnull (watcher->conn);
  gone = fd_test_api_expect (shared->srv, "DELETE", path, NULL, 204);
  fd_te_iterate_until (&watcher->closed);
  g_assert_cmpuint (watcher->close_code, ==, SOUP_WEBSOCKET_CLOSE_POLICY_VIOLATION);

  d = fd_td_cert_device (shared, "events-after-revoke");
  raw = fd_te_device_connect (shared, d);
  fd_te_post_data (raw, "t", "{}");
  fd_te_wait_event (admin, 0, "data", d->id);
  g_assert_false (admin->closed);
}

/* A server that stops closes its event streams with 1001 and still exits cleanly (the restart
 * asserts that). */
static void
test_shutdown (void)
{
  g_autoptr (FdTeListener) l = fd_te_listener_open (shared, "", shared->srv->token);

  g_assert_nonnull (l->conn);
  fd_test_server_restart (shared->srv);
  shared->port = shared->srv->device_port;
  fd_te_iterate_until (&l->closed);
  g_assert_cmpuint (l->close_code, ==, SOUP_WEBSOCKET_CLOSE_GOING_AWAY);
  g_clear_pointer (&l, fd_te_listener_free);
  /* And a new one serves a new stream. */
  l = fd_te_listener_open (shared, "", shared->srv->token);
  g_assert_nonnull (l->conn);
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
  g_test_add_func ("/events/filters", test_filters);
  g_test_add_func ("/events/slow-consumer", test_slow_consumer);
  g_test_add_func ("/events/token-revoked", test_token_revoked);
  g_test_add_func ("/events/shutdown", test_shutdown);
  status = g_test_run ();
  fd_td_server_stop (shared);
  return status;
}
