/* fd-mqtt-tls.c — the TLS transport of an MQTT connection: the handshake (started when the
 * ClientHello arrives), the client certificate, and reads and writes through the server's one
 * epoll set (fd-mqtt-poller.c) instead of a GSource per connection.
 *
 * Reads drain the GTlsConnection until it would block: GnuTLS may hold decrypted records that
 * the socket no longer shows as readable, so one read per wakeup could leave a packet waiting
 * for the next bytes. A busy connection does not ask for input; its socket is looked at again
 * (and drained) when the store answers. Writes go at once without blocking; only what the
 * socket does not take waits, and only then does the connection ask for EPOLLOUT.
 */
#include "config.h"

#include "fd-mqtt-poller.h"
#include "fd-mqtt-private.h"

#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>

/* What the connection waits for: input unless busy or closing, output while bytes wait. */
static void
watch_update (FdMqttConn *conn)
{
  if (conn->watch == NULL)
    return;
  fd_mqtt_watch_set (conn->watch, !conn->busy && !conn->closing, conn->writing->len > 0);
}

/* Reads until the stream would block, the connection is busy, or it ends. */
static void
tls_read (FdMqttConn *conn)
{
  FdMqttServer *server = conn->server;
  GPollableInputStream *in
      = G_POLLABLE_INPUT_STREAM (g_io_stream_get_input_stream (G_IO_STREAM (conn->tls)));

  for (;;)
    {
      g_autoptr (GError) error = NULL;
      gboolean drained = FALSE, ended = FALSE;
      gsize got = 0;

      /* As much as there is, up to the scratch buffer: more packets per batch under load. */
      while (got < FD_MQTT_READ_BYTES)
        {
          gssize n = g_pollable_input_stream_read_nonblocking (
              in, server->scratch + got, FD_MQTT_READ_BYTES - got, NULL, &error);
          if (n > 0)
            {
              got += (gsize)n;
              continue;
            }
          if (n < 0 && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK))
            drained = TRUE;
          else
            ended = TRUE;
          break;
        }
      if (ended && got == 0)
        {
          if (error != NULL)
            g_debug ("MQTT connection from %s: read: %s", conn->peer, error->message);
          fd_mqtt_conn_close (conn, error == NULL ? "connection closed" : "connection lost");
          return;
        }
      if (got > 0)
        fd_mqtt_conn_feed (conn, server->scratch, got);
      if (conn->state == FD_MQTT_CONN_CLOSED)
        return;
      if (conn->busy || conn->closing || drained)
        break;
      /* The scratch buffer was full, or the end came after data: the end shows again. */
    }
  watch_update (conn);
}

static void
tls_write_more (FdMqttConn *conn)
{
  GPollableOutputStream *out
      = G_POLLABLE_OUTPUT_STREAM (g_io_stream_get_output_stream (G_IO_STREAM (conn->tls)));

  while (conn->written < conn->writing->len)
    {
      g_autoptr (GError) error = NULL;
      gssize n = g_pollable_output_stream_write_nonblocking (
          out, conn->writing->data + conn->written, conn->writing->len - conn->written, NULL,
          &error);

      if (n > 0)
        {
          conn->written += (gsize)n;
          continue;
        }
      if (n < 0 && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK))
        {
          watch_update (conn); /* asks for EPOLLOUT */
          return;
        }
      g_debug ("MQTT connection from %s: write: %s", conn->peer,
               error ? error->message : "nothing written");
      fd_mqtt_conn_close (conn, "connection lost");
      return;
    }
  g_byte_array_set_size (conn->writing, 0);
  conn->written = 0;
  watch_update (conn);
  if (conn->out->len > 0 || conn->closing)
    fd_mqtt_conn_write (conn);
}

/* One buffer being written at a time; what handlers add meanwhile goes after it. */
void
fd_mqtt_conn_write (FdMqttConn *conn)
{
  GByteArray *swap;

  if (conn->ws != NULL)
    {
      fd_mqtt_ws_write (conn);
      return;
    }
  if (conn->writing->len > 0 || conn->watch == NULL)
    return;
  if (conn->out->len == 0)
    {
      if (conn->closing)
        fd_mqtt_conn_close (conn, conn->close_reason);
      return;
    }
  swap = conn->writing;
  conn->writing = conn->out;
  conn->out = swap;
  conn->written = 0;
  tls_write_more (conn);
}

static void
tls_ready (gpointer data, gboolean readable, gboolean writable)
{
  FdMqttConn *conn = fd_mqtt_conn_ref (data); /* a close may drop the last reference */

  if (writable && conn->writing->len > 0)
    tls_write_more (conn);
  if (readable && conn->state != FD_MQTT_CONN_CLOSED)
    {
      if (conn->busy || conn->closing)
        fd_mqtt_conn_close (conn, "connection lost"); /* a hang-up while not reading */
      else
        tls_read (conn);
    }
  fd_mqtt_conn_unref (conn);
}

/* After the handshake, and whenever the store answers: reads what is there (GnuTLS may hold
 * records the socket no longer shows), then waits for more. */
void
fd_mqtt_conn_start_reading (FdMqttConn *conn)
{
  if (conn->ws != NULL || conn->tls == NULL || conn->state == FD_MQTT_CONN_CLOSED || conn->closing)
    return;
  if (conn->watch == NULL)
    {
      int fd = g_socket_get_fd (g_socket_connection_get_socket (conn->socket));

      conn->watch = fd_mqtt_poller_add (conn->server->poller, fd, TRUE, FALSE, tls_ready, conn);
      if (conn->watch == NULL)
        {
          g_warning ("MQTT endpoint: cannot watch a connection: %s", g_strerror (errno));
          fd_mqtt_conn_close (conn, "cannot watch the connection");
          return;
        }
    }
  tls_read (conn);
}

/* Before the socket closes. */
void
fd_mqtt_tls_unwatch (FdMqttConn *conn)
{
  if (conn->watch != NULL)
    {
      fd_mqtt_watch_remove (conn->watch);
      conn->watch = NULL;
    }
}

/* Judges a client certificate during the handshake (on the engine thread). The handshake goes
 * on either way: a certificate that is not a live credential is refused at CONNECT with return
 * code 5, which a device can tell from a network failure. */
static gboolean
accept_certificate (GTlsConnection *tls, GTlsCertificate *peer, GTlsCertificateFlags errors,
                    gpointer user_data)
{
  FdMqttConn *conn = user_data;
  g_autoptr (GError) error = NULL;
  FdDeviceIdentity *id;

  if (conn->state == FD_MQTT_CONN_CLOSED)
    return FALSE;
  id = fd_device_auth_certificate (conn->server->auth, peer, &error);
  if (id == NULL)
    {
      conn->server->stats.refused_certificate++;
      conn->cert_refused = TRUE;
      g_debug ("MQTT connection from %s: client certificate refused: %s", conn->peer,
               error ? error->message : "no identity");
      return TRUE;
    }
  g_clear_pointer (&conn->cert_id, fd_device_identity_unref);
  conn->cert_id = id;
  return TRUE;
}

static void
handshake_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  FdMqttConn *conn = user_data;
  g_autoptr (GError) error = NULL;
  gboolean ok = g_tls_connection_handshake_finish (G_TLS_CONNECTION (source), result, &error);

  conn->handshaking = FALSE;
  if (conn->state == FD_MQTT_CONN_CLOSED)
    g_socket_close (g_socket_connection_get_socket (conn->socket), NULL); /* deferred */
  else if (!ok)
    {
      conn->server->stats.handshakes_failed++;
      g_debug ("MQTT connection from %s: TLS handshake: %s", conn->peer, error->message);
      fd_mqtt_conn_close (conn, "TLS handshake failed");
    }
  else if (g_tls_connection_get_protocol_version (conn->tls) < G_TLS_PROTOCOL_VERSION_TLS_1_2)
    {
      conn->server->stats.handshakes_failed++;
      fd_mqtt_conn_close (conn, "TLS older than 1.2");
    }
  else
    {
      conn->state = FD_MQTT_CONN_WAIT_CONNECT;
      fd_mqtt_conn_start_reading (conn);
    }
  fd_mqtt_conn_unref (conn);
}

static gboolean
hello_arrived (GSocket *socket, GIOCondition condition, gpointer user_data)
{
  FdMqttConn *conn = user_data;

  g_clear_pointer (&conn->hello, g_source_unref);
  conn->handshaking = TRUE;
  g_tls_connection_handshake_async (conn->tls, G_PRIORITY_DEFAULT, conn->cancellable,
                                    handshake_done, fd_mqtt_conn_ref (conn));
  return G_SOURCE_REMOVE;
}

/* A TCP connection admitted by the listener: TLS over it, @peer (taken) its address. */
void
fd_mqtt_tls_take (FdMqttServer *server, GSocketConnection *connection, char *peer)
{
  g_autoptr (GTlsCertificate) certificate = NULL;
  g_autoptr (GError) error = NULL;
  FdMqttConn *conn;
  gpointer tls;

  /* As the HTTPS endpoint does (fd-device-server.c): no CA database, so that a connection does
   * not load the system trust store, and a certificate request that names no CA, so that every
   * client sends its certificate, whoever issued it. */
  certificate = fd_pki_dup_server_certificate (server->pki);
  tls = g_initable_new (g_tls_backend_get_server_connection_type (g_tls_backend_get_default ()),
                        NULL, &error, "base-io-stream", connection, "certificate", certificate,
                        "database", NULL, "authentication-mode", G_TLS_AUTHENTICATION_REQUESTED,
                        "require-close-notify", FALSE, NULL);
  conn = fd_mqtt_conn_new (server, FD_TRANSPORT_MQTT, peer);
  conn->per_address_counted = TRUE;
  conn->socket = g_object_ref (connection);
  if (tls == NULL)
    {
      g_warning ("MQTT endpoint: cannot start TLS: %s", error->message);
      fd_mqtt_conn_close (conn, "TLS failed");
      return;
    }
  conn->tls = tls;
  g_socket_set_option (g_socket_connection_get_socket (connection), IPPROTO_TCP, TCP_NODELAY, 1,
                       NULL);
  g_signal_connect (tls, "accept-certificate", G_CALLBACK (accept_certificate), conn);
  /* The CONNECT timeout runs from the TCP accept, so it covers the handshake too. */
  fd_mqtt_conn_arm (conn, server->config.connect_timeout_s);
  /* The handshake takes a thread of GLib's pool while it runs: it starts only once the
   * ClientHello's first bytes are there. The socket joins the epoll set after it. */
  conn->hello = g_socket_create_source (g_socket_connection_get_socket (connection),
                                        G_IO_IN | G_IO_HUP | G_IO_ERR, NULL);
  g_source_set_callback (conn->hello, G_SOURCE_FUNC (hello_arrived), conn, NULL);
  g_source_attach (conn->hello, server->context);
}
