/* fd-device-conn.c — one device connection: its TLS handshake, its deadline, the read →
 * answer → read cycle of persistent HTTP/1.1, its answers, and how it ends.
 *
 * A connection reads one request, answers it, and only then reads the next (pipelined bytes
 * already buffered are parsed first): a device never has more than one request in our hands,
 * and a slow store slows its senders instead of growing our buffers. Each connection has one
 * deadline source whose ready time moves with its state: the handshake, a request (from its
 * first byte), an idle keep-alive, an answer being taken, a lingering close.
 */
#include "config.h"

#include "fd-device-private.h"

#define LINGER_MAX_BYTES (1024 * 1024)

/* What a lingering peer still sends lands here and is thrown away: connections may share it. */
static guint8 linger_scratch[16384];

typedef enum
{
  CONN_HANDSHAKE,
  CONN_READING, /* between requests, or reading one */
  CONN_WORKING, /* a complete request is being handled */
  CONN_WRITING,
  CONN_LINGER, /* our last answer is sent; dropping what the peer still sends */
  CONN_CLOSED,
} ConnState;

static void conn_process (FdDeviceConn *conn);
static void conn_send (FdDeviceConn *conn, GBytes *bytes, gboolean close);

FdDeviceConn *
fd_device_conn_ref (FdDeviceConn *conn)
{
  g_atomic_int_inc (&conn->ref_count);
  return conn;
}

void
fd_device_conn_unref (FdDeviceConn *conn)
{
  if (!g_atomic_int_dec_and_test (&conn->ref_count))
    return;
  g_assert (conn->state == CONN_CLOSED);
  if (conn->server != NULL)
    g_hash_table_remove (conn->server->all, conn);
  if (conn->tls != NULL)
    g_signal_handlers_disconnect_by_data (conn->tls, conn);
  g_clear_object (&conn->tls);
  g_clear_object (&conn->socket);
  g_clear_object (&conn->cancellable);
  g_clear_pointer (&conn->parser, fd_http_parser_free);
  g_clear_pointer (&conn->cert_id, fd_device_identity_unref);
  g_clear_pointer (&conn->bearer_id, fd_device_identity_unref);
  g_clear_pointer (&conn->who, fd_device_identity_unref);
  g_clear_pointer (&conn->session.who, fd_device_identity_unref);
  if (conn->bearer_token != NULL)
    explicit_bzero (conn->bearer_token, strlen (conn->bearer_token));
  g_free (conn->bearer_token);
  g_clear_pointer (&conn->refusal, g_bytes_unref);
  g_clear_pointer (&conn->out, g_bytes_unref);
  g_clear_pointer (&conn->poll_got, g_ptr_array_unref);
  g_clear_pointer (&conn->file, fd_device_file_free);
  g_free (conn->tag);
  g_free (conn->peer);
  g_free (conn);
}

FdDeviceConn *
fd_device_conn_hold_for_store (FdDeviceConn *conn)
{
  conn->in_store = TRUE;
  return fd_device_conn_ref (conn);
}

gboolean
fd_device_conn_is_closed (FdDeviceConn *conn)
{
  return conn->state == CONN_CLOSED;
}

/* Deadlines: one source per connection that only has a ready time. */

static gboolean
deadline_dispatch (GSource *source, GSourceFunc callback, gpointer user_data)
{
  return callback (user_data);
}

static GSourceFuncs deadline_funcs = { NULL, NULL, deadline_dispatch, NULL, NULL, NULL };

static void
arm (FdDeviceConn *conn, guint seconds)
{
  g_source_set_ready_time (conn->deadline,
                           g_get_monotonic_time () + (gint64)seconds * G_USEC_PER_SEC);
}

static gboolean
deadline_passed (gpointer data)
{
  FdDeviceConn *conn = data;

  g_source_set_ready_time (conn->deadline, -1);
  /* An idle keep-alive running out is the normal end of a connection, not a fault. */
  if (conn->state != CONN_LINGER && (conn->state != CONN_READING || conn->in_request))
    conn->server->stats.timeouts++;
  fd_device_conn_close (conn);
  return G_SOURCE_CONTINUE;
}

static void
set_busy (FdDeviceConn *conn, gboolean busy)
{
  if (conn->busy == busy)
    return;
  conn->busy = busy;
  if (busy)
    conn->server->n_busy++;
  else
    conn->server->n_busy--;
}

static void
close_socket (FdDeviceConn *conn)
{
  GSocket *socket = g_socket_connection_get_socket (conn->socket);
  g_autoptr (GError) error = NULL;

  if (!g_socket_is_closed (socket) && !g_socket_close (socket, &error))
    g_debug ("device connection from %s: close: %s", conn->peer, error->message);
}

/* Closes at once, without a word to the peer. Pending operations are cancelled and let go of
 * the connection when they return. While the handshake runs in its worker thread the socket
 * stays open until it has returned: closing it under the thread could hand its descriptor
 * number to a new connection the thread would then read. */
void
fd_device_conn_close (FdDeviceConn *conn)
{
  FdDeviceServer *server = conn->server;

  if (conn->state == CONN_CLOSED)
    return;
  conn->state = CONN_CLOSED;
  set_busy (conn, FALSE);
  g_cancellable_cancel (conn->cancellable);
  if (conn->deadline != NULL)
    {
      g_source_destroy (conn->deadline);
      g_clear_pointer (&conn->deadline, g_source_unref);
    }
  if (conn->hello != NULL)
    {
      g_source_destroy (conn->hello);
      g_clear_pointer (&conn->hello, g_source_unref);
    }
  if (!conn->handshaking && !conn->handed_over)
    close_socket (conn);
  fd_device_poll_clear (conn);
  if (server->sessions != NULL)
    fd_sessions_detach (server->sessions, &conn->session, "disconnected");

  {
    guint n = GPOINTER_TO_UINT (g_hash_table_lookup (server->per_address, conn->peer));
    if (n <= 1)
      g_hash_table_remove (server->per_address, conn->peer);
    else
      g_hash_table_insert (server->per_address, g_strdup (conn->peer), GUINT_TO_POINTER (n - 1));
  }
  g_hash_table_remove (server->conns, conn); /* drops the table's reference, maybe the last */
}

/* Presence. */

static void
session_end (FdSession *session, FdSessionEnd why)
{
  FdDeviceConn *conn = (FdDeviceConn *)((char *)session - G_STRUCT_OFFSET (FdDeviceConn, session));

  (void)why;
  fd_device_conn_close (conn);
}

static const FdSessionOps session_ops = { fd_device_poll_deliver, session_end };

void
fd_device_conn_present (FdDeviceConn *conn)
{
  FdSessions *sessions = conn->server->sessions;

  if (sessions == NULL)
    return;
  if (conn->session.attached)
    {
      fd_sessions_seen (sessions, &conn->session);
      return;
    }
  /* A connection carries one device for good (fd-device-routes.c refuses a second one), so
   * the session's identity is set once. */
  if (conn->session.who == NULL)
    {
      conn->session.ops = &session_ops;
      conn->session.who = fd_device_identity_ref (conn->who);
      conn->session.transport = FD_TRANSPORT_HTTPS;
      conn->session.peer = conn->peer;
    }
  fd_sessions_attach (sessions, &conn->session);
}

/* Reading. */

static void
read_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  FdDeviceConn *conn = user_data;
  g_autoptr (GError) error = NULL;
  gssize n = g_input_stream_read_finish (G_INPUT_STREAM (source), result, &error);

  if (conn->state == CONN_CLOSED)
    goto out;
  if (n <= 0)
    {
      if (n < 0)
        g_debug ("device connection from %s: read: %s", conn->peer, error->message);
      fd_device_conn_close (conn);
      goto out;
    }
  if (!conn->in_request)
    {
      conn->in_request = TRUE;
      conn->request_deadline_us
          = g_get_monotonic_time () + (gint64)FD_DEVICE_REQUEST_S * G_USEC_PER_SEC;
      g_source_set_ready_time (conn->deadline, conn->request_deadline_us);
    }
  fd_http_parser_advance (conn->parser, (gsize)n);
  conn_process (conn);
out:
  fd_device_conn_unref (conn);
}

static void
start_read (FdDeviceConn *conn)
{
  gsize len;
  guint8 *space = fd_http_parser_get_space (conn->parser, &len);
  GInputStream *in = g_io_stream_get_input_stream (G_IO_STREAM (conn->tls));

  g_assert (len > 0);
  g_input_stream_read_async (in, space, len, G_PRIORITY_DEFAULT, conn->cancellable, read_done,
                             fd_device_conn_ref (conn));
}

/* Closing after an answer that says "Connection: close": our side is shut (the peer reads our
 * answer to its end, then EOF), and whatever the peer still sends is read and dropped for a
 * moment, so that our close does not turn into a reset that could destroy the answer before
 * the peer has read it. */
static void
linger_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  FdDeviceConn *conn = user_data;
  gssize n = g_input_stream_read_finish (G_INPUT_STREAM (source), result, NULL);

  if (conn->state != CONN_CLOSED)
    {
      if (n <= 0 || (gsize)n >= conn->linger_left)
        fd_device_conn_close (conn);
      else
        {
          GInputStream *in = g_io_stream_get_input_stream (G_IO_STREAM (conn->socket));
          conn->linger_left -= (gsize)n;
          g_input_stream_read_async (in, linger_scratch, sizeof linger_scratch, G_PRIORITY_DEFAULT,
                                     conn->cancellable, linger_done, fd_device_conn_ref (conn));
        }
    }
  fd_device_conn_unref (conn);
}

static void
conn_linger (FdDeviceConn *conn)
{
  GInputStream *in = g_io_stream_get_input_stream (G_IO_STREAM (conn->socket));

  conn->state = CONN_LINGER;
  conn->linger_left = LINGER_MAX_BYTES;
  g_socket_shutdown (g_socket_connection_get_socket (conn->socket), FALSE, TRUE, NULL);
  arm (conn, FD_DEVICE_LINGER_S);
  g_input_stream_read_async (in, linger_scratch, sizeof linger_scratch, G_PRIORITY_DEFAULT,
                             conn->cancellable, linger_done, fd_device_conn_ref (conn));
}

/* Writing. */

static void
next_request (FdDeviceConn *conn)
{
  fd_http_parser_next (conn->parser);
  conn->req = NULL;
  conn->route = 0;
  conn->continue_sent = FALSE;
  g_clear_pointer (&conn->who, fd_device_identity_unref);
  g_clear_pointer (&conn->refusal, g_bytes_unref);
  g_clear_pointer (&conn->tag, g_free);
  conn->state = CONN_READING;
  conn->in_request = fd_http_parser_pending (conn->parser) > 0;
  if (conn->in_request)
    {
      conn->request_deadline_us
          = g_get_monotonic_time () + (gint64)FD_DEVICE_REQUEST_S * G_USEC_PER_SEC;
      g_source_set_ready_time (conn->deadline, conn->request_deadline_us);
    }
  else
    arm (conn, conn->server->idle_timeout_s);
  conn_process (conn);
}

static void
write_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  FdDeviceConn *conn = user_data;
  g_autoptr (GError) error = NULL;
  gboolean ok = g_output_stream_write_all_finish (G_OUTPUT_STREAM (source), result, NULL, &error);

  if (conn->state == CONN_CLOSED)
    goto out;
  g_clear_pointer (&conn->out, g_bytes_unref);
  if (!ok)
    {
      g_debug ("device connection from %s: write: %s", conn->peer, error->message);
      fd_device_conn_close (conn);
    }
  else if (conn->writing_continue)
    {
      conn->writing_continue = FALSE;
      conn->state = CONN_READING;
      g_source_set_ready_time (conn->deadline, conn->request_deadline_us);
      conn_process (conn);
    }
  else
    {
      if (conn->file != NULL)
        {
          gboolean failed = FALSE;
          GBytes *more = fd_device_file_next (conn->file, &failed);

          if (more != NULL)
            {
              conn_send (conn, more, conn->close_after);
              goto out;
            }
          g_clear_pointer (&conn->file, fd_device_file_free);
          if (failed)
            {
              /* The head promised a length the body can no longer keep. */
              fd_device_conn_close (conn);
              goto out;
            }
        }
      set_busy (conn, FALSE);
      if (conn->upgrading)
        fd_device_upgrade_hand_over (conn);
      else if (conn->close_after)
        conn_linger (conn);
      else
        next_request (conn);
    }
out:
  fd_device_conn_unref (conn);
}

static void
conn_send (FdDeviceConn *conn, GBytes *bytes, gboolean close)
{
  GOutputStream *out = g_io_stream_get_output_stream (G_IO_STREAM (conn->tls));
  gsize len;
  const void *data = g_bytes_get_data (bytes, &len);

  g_assert (conn->out == NULL);
  if (!conn->writing_continue)
    set_busy (conn, TRUE);
  conn->out = bytes;
  conn->close_after = close;
  conn->state = CONN_WRITING;
  arm (conn, FD_DEVICE_WRITE_S);
  g_output_stream_write_all_async (out, data, len, G_PRIORITY_DEFAULT, conn->cancellable,
                                   write_done, fd_device_conn_ref (conn));
}

static void
count_answer (FdDeviceConn *conn, guint status)
{
  conn->server->stats.requests++;
  if (status / 100 < G_N_ELEMENTS (conn->server->stats.responses))
    conn->server->stats.responses[status / 100]++;
}

void
fd_device_reply_file (FdDeviceConn *conn, guint status, GBytes *head, FdDeviceFile *file,
                      gboolean close)
{
  count_answer (conn, status);
  conn->file = file;
  conn_send (conn, head, close);
}

void
fd_device_conn_switch_to_mqtt (FdDeviceConn *conn, GBytes *answer)
{
  conn->upgrading = TRUE;
  count_answer (conn, 101);
  conn_send (conn, answer, FALSE);
}

static GBytes *
build (FdDeviceConn *conn, guint status, const char *extra, const char *body, gboolean *close)
{
  const FdHttpRequest *req = conn->req;
  const char *extras[3] = { extra, NULL, NULL };

  if (req == NULL || !req->keep_alive || conn->server->shutting_down)
    *close = TRUE;
  if (status == 401)
    {
      extras[extra ? 1 : 0] = "WWW-Authenticate: Bearer realm=\"fleetdesk\"";
      *close = TRUE;
    }
  return fd_http_response (status, extras, body, strlen (body), *close,
                           req != NULL && req->minor == 0,
                           req != NULL && g_str_equal (req->method, "HEAD"));
}

void
fd_device_reply_json (FdDeviceConn *conn, guint status, const char *body, gboolean close)
{
  GBytes *bytes = build (conn, status, NULL, body, &close);

  count_answer (conn, status);
  conn_send (conn, bytes, close);
}

static void
reply_error_extra (FdDeviceConn *conn, guint status, const char *code, const char *extra,
                   gboolean close, const char *message)
{
  g_autofree char *body = fd_http_error_json (code, message);
  GBytes *bytes = build (conn, status, extra, body, &close);

  count_answer (conn, status);
  conn_send (conn, bytes, close);
}

void
fd_device_reply_error (FdDeviceConn *conn, guint status, const char *code, gboolean close,
                       const char *format, ...)
{
  g_autofree char *message = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);
  reply_error_extra (conn, status, code, NULL, close, message);
}

void
fd_device_reply_unauthorized (FdDeviceConn *conn, const char *format, ...)
{
  g_autofree char *message = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);
  reply_error_extra (conn, 401, "unauthorized", NULL, TRUE, message);
}

gboolean
fd_device_refuse (FdDeviceConn *conn, guint status, const char *code, const char *extra,
                  gboolean close, const char *format, ...)
{
  const FdHttpRequest *req = conn->req;
  g_autofree char *message = NULL;
  g_autofree char *body = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);

  if (!close
      && (fd_http_parser_body_complete (conn->parser)
          || (req->content_length <= FD_DEVICE_DISCARD_BYTES && !req->expect_continue)))
    {
      /* Sent once the body is read; conn_process() sends it instead of handling the request. */
      body = fd_http_error_json (code, message);
      conn->refusal = build (conn, status, extra, body, &close);
      conn->close_after = close;
      count_answer (conn, status);
      return FALSE;
    }
  reply_error_extra (conn, status, code, extra, TRUE, message);
  return FALSE;
}

static void
continue_sent (FdDeviceConn *conn)
{
  conn->continue_sent = TRUE;
  conn->writing_continue = TRUE; /* an interim answer: the request is not done */
  conn->server->stats.responses[1]++;
  conn_send (conn, g_bytes_new_static (FD_HTTP_CONTINUE, strlen (FD_HTTP_CONTINUE)), FALSE);
}

/* Parses what is buffered and does the next thing: read more, judge a head, handle a request,
 * or refuse what cannot be parsed. */
static void
conn_process (FdDeviceConn *conn)
{
  for (;;)
    {
      switch (fd_http_parser_parse (conn->parser))
        {
        case FD_HTTP_NEED_MORE:
          start_read (conn);
          return;

        case FD_HTTP_HEAD:
          conn->req = fd_http_parser_get_request (conn->parser);
          if (!fd_device_routes_head (conn, conn->req))
            {
              if (conn->refusal == NULL)
                return; /* answered now, and closing */
              continue; /* read the short body, then answer */
            }
          if (conn->req->expect_continue && !fd_http_parser_body_complete (conn->parser)
              && !conn->continue_sent)
            {
              continue_sent (conn);
              return;
            }
          continue;

        case FD_HTTP_REQUEST:
          conn->state = CONN_WORKING;
          g_source_set_ready_time (conn->deadline, -1);
          set_busy (conn, TRUE);
          if (conn->refusal != NULL)
            conn_send (conn, g_steal_pointer (&conn->refusal), conn->close_after);
          else
            fd_device_routes_handle (conn, conn->req);
          return;

        case FD_HTTP_ERROR:
          {
            guint status;
            const char *code, *message;
            fd_http_parser_get_error (conn->parser, &status, &code, &message);
            conn->req = NULL;
            reply_error_extra (conn, status, code, NULL, TRUE, message);
            return;
          }
        }
    }
}

/* TLS. */

/* Decides on a client certificate during the handshake (glib-networking calls this on the
 * context that started the handshake: the engine thread). The certificate is ours to judge:
 * the chain errors GIO found do not matter, only whether it is a live credential of a device. */
static gboolean
accept_certificate (GTlsConnection *tls, GTlsCertificate *peer, GTlsCertificateFlags errors,
                    gpointer user_data)
{
  FdDeviceConn *conn = user_data;
  g_autoptr (GError) error = NULL;
  FdDeviceIdentity *id;

  if (conn->state == CONN_CLOSED)
    return FALSE;
  if (!g_main_context_is_owner (conn->server->context))
    g_critical ("device endpoint: a client certificate is being judged off the engine thread");
  id = fd_device_auth_certificate (conn->server->auth, peer, &error);
  if (id == NULL)
    {
      conn->server->stats.refused_certificate++;
      g_debug ("device connection from %s: client certificate refused: %s", conn->peer,
               error ? error->message : "no identity");
      return FALSE;
    }
  g_clear_pointer (&conn->cert_id, fd_device_identity_unref);
  conn->cert_id = id;
  return TRUE;
}

static void
handshake_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  FdDeviceConn *conn = user_data;
  g_autoptr (GError) error = NULL;
  gboolean ok = g_tls_connection_handshake_finish (G_TLS_CONNECTION (source), result, &error);

  conn->handshaking = FALSE;
  if (conn->state == CONN_CLOSED)
    close_socket (conn); /* deferred by fd_device_conn_close() */
  else if (!ok)
    {
      conn->server->stats.handshakes_failed++;
      g_debug ("device connection from %s: TLS handshake: %s", conn->peer, error->message);
      fd_device_conn_close (conn);
    }
  else if (g_tls_connection_get_protocol_version (conn->tls) < G_TLS_PROTOCOL_VERSION_TLS_1_2)
    {
      /* glib-networking 2.74 on Debian 12 still negotiates TLS 1.0 and 1.1; we speak 1.2+. */
      conn->server->stats.handshakes_failed++;
      g_debug ("device connection from %s: TLS older than 1.2 refused", conn->peer);
      fd_device_conn_close (conn);
    }
  else
    {
      conn->state = CONN_READING;
      arm (conn, conn->server->idle_timeout_s);
      conn_process (conn);
    }
  fd_device_conn_unref (conn);
}

static gboolean
hello_arrived (GSocket *socket, GIOCondition condition, gpointer user_data)
{
  FdDeviceConn *conn = user_data;

  g_clear_pointer (&conn->hello, g_source_unref);
  conn->handshaking = TRUE;
  g_tls_connection_handshake_async (conn->tls, G_PRIORITY_DEFAULT, conn->cancellable,
                                    handshake_done, fd_device_conn_ref (conn));
  return G_SOURCE_REMOVE;
}

/* Starts the TLS handshake of a connection the server took, once the client speaks. */
void
fd_device_conn_start (FdDeviceServer *server, GSocketConnection *connection, GTlsConnection *tls,
                      char *peer, guint per_address)
{
  FdDeviceConn *conn = g_new0 (FdDeviceConn, 1);

  conn->ref_count = 1; /* the server's, in server->conns */
  conn->server = server;
  conn->socket = g_object_ref (connection);
  conn->tls = tls;
  conn->cancellable = g_cancellable_new ();
  conn->peer = peer;
  conn->parser = fd_http_parser_new (FD_DEVICE_MAX_BODY_BYTES);
  conn->state = CONN_HANDSHAKE;
  conn->deadline = g_source_new (&deadline_funcs, sizeof (GSource));
  g_source_set_callback (conn->deadline, deadline_passed, conn, NULL);
  g_source_attach (conn->deadline, server->context);
  g_hash_table_add (server->conns, conn);
  g_hash_table_add (server->all, conn);
  g_hash_table_insert (server->per_address, g_strdup (conn->peer),
                       GUINT_TO_POINTER (per_address + 1));

  g_signal_connect (tls, "accept-certificate", G_CALLBACK (accept_certificate), conn);
  arm (conn, FD_DEVICE_HANDSHAKE_S);
  /* glib-networking runs a handshake in a thread of GLib's shared pool and holds it while the
   * peer is silent: a peer that connects and says nothing must not take one. The handshake
   * starts when the ClientHello's first bytes are there (the deadline still applies). */
  conn->hello = g_socket_create_source (g_socket_connection_get_socket (connection),
                                        G_IO_IN | G_IO_HUP | G_IO_ERR, NULL);
  g_source_set_callback (conn->hello, G_SOURCE_FUNC (hello_arrived), conn, NULL);
  g_source_attach (conn->hello, server->context);
}
