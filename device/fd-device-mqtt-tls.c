/* fd-device-mqtt-tls.c — MQTT over TLS: TCP (GSocketClient), TLS trusting only the device's CA
 * and naming endpoint.host, with the client certificate; then non-blocking reads from one
 * persistent pollable source and writes that wait for writability only when the socket is
 * full. */
#include "fd-device-mqtt-private.h"

#include <netinet/in.h>
#include <netinet/tcp.h>

typedef struct
{
  FdDeviceMqtt *self;
  GCancellable *op;
} Step;

static Step *
step_new (FdDeviceMqtt *self)
{
  Step *step = g_new0 (Step, 1);

  step->self = g_object_ref (self);
  step->op = g_object_ref (self->op);
  return step;
}

static void
step_free (Step *step)
{
  g_object_unref (step->self);
  g_object_unref (step->op);
  g_free (step);
}

static gboolean
step_current (Step *step)
{
  return step->self->op == step->op && !g_cancellable_is_cancelled (step->op);
}

static void
fail_io (FdDeviceMqtt *self, const char *what, GError *error)
{
  guint port = g_network_address_get_port (G_NETWORK_ADDRESS (self->identity));
  GError *wrapped = g_error_new (error->domain, error->code, "%s:%u: %s: %s", self->config->host,
                                 port, what, error->message);

  g_error_free (error);
  fd_device_mqtt_fail (self, wrapped);
}

/* ---- reading ------------------------------------------------------------------------------- */

/* Reads until the stream would block; FALSE when the connection was closed meanwhile. */
static gboolean
read_all (FdDeviceMqtt *self)
{
  guint8 buf[FD_DEVICE_MQTT_READ_CHUNK];

  for (;;)
    {
      GError *error = NULL;
      gssize n = g_pollable_input_stream_read_nonblocking (self->in, buf, sizeof buf, NULL, &error);

      if (n < 0 && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK))
        {
          g_error_free (error);
          return TRUE;
        }
      if (n < 0)
        {
          /* With TLS 1.3 a refused client certificate shows only here, as an alert. */
          fail_io (self,
                   self->state == FD_DEVICE_MQTT_STATE_CONNACK && self->certificate != NULL
                       ? "reading the CONNACK (the server may not accept this client "
                         "certificate: unknown, revoked or expired?)"
                       : "reading",
                   error);
          return FALSE;
        }
      if (n == 0)
        {
          fd_device_mqtt_fail (
              self, g_error_new (FD_DEVICE_MQTT_ERROR, FD_DEVICE_MQTT_ERROR_CLOSED,
                                 "%s: the server closed the connection%s", self->config->host,
                                 self->state == FD_DEVICE_MQTT_STATE_CONNACK ? " without a CONNACK"
                                                                             : ""));
          return FALSE;
        }
      if (!fd_device_mqtt_feed (self, buf, (gsize)n))
        return FALSE;
    }
}

static gboolean
on_readable (GObject *stream, gpointer data)
{
  /* The source is destroyed when the connection closed meanwhile. */
  return read_all (data) ? G_SOURCE_CONTINUE : G_SOURCE_REMOVE;
}

static void
on_poll (gpointer data, gboolean readable, gboolean writable)
{
  FdDeviceMqtt *self = data;

  if (self->in == NULL)
    return;
  if (writable && self->want_write)
    {
      self->want_write = FALSE;
      fd_device_poller_want_write (self->poller, self->fd, FALSE, self);
      fd_device_mqtt_tls_flush (self);
      if (self->in == NULL)
        return;
    }
  if (readable)
    read_all (self);
}

/* ---- writing ------------------------------------------------------------------------------- */

static gboolean
on_writable (GObject *stream, gpointer data)
{
  FdDeviceMqtt *self = data;

  g_clear_pointer (&self->write_source, g_source_unref);
  fd_device_mqtt_tls_flush (self);
  return G_SOURCE_REMOVE;
}

void
fd_device_mqtt_tls_flush (FdDeviceMqtt *self)
{
  if (self->out == NULL || self->write_source != NULL || self->want_write)
    return;
  while (self->woff < self->wbuf->len)
    {
      GError *error = NULL;
      gssize n = g_pollable_output_stream_write_nonblocking (
          self->out, self->wbuf->str + self->woff, self->wbuf->len - self->woff, NULL, &error);

      if (n < 0 && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK))
        {
          g_error_free (error);
          if (self->poller != NULL)
            {
              self->want_write = TRUE;
              fd_device_poller_want_write (self->poller, self->fd, TRUE, self);
              return;
            }
          self->write_source = g_pollable_output_stream_create_source (self->out, NULL);
          g_source_set_callback (self->write_source, G_SOURCE_FUNC (on_writable), self, NULL);
          g_source_attach (self->write_source, g_main_context_get_thread_default ());
          return;
        }
      if (n < 0)
        {
          fail_io (self, "sending", error);
          return;
        }
      self->woff += (gsize)n;
    }
  g_string_truncate (self->wbuf, 0);
  self->woff = 0;
}

/* ---- connecting ---------------------------------------------------------------------------- */

static const char *
handshake_problem (FdDeviceMqtt *self)
{
  GTlsCertificateFlags flags
      = g_tls_connection_get_peer_certificate_errors (G_TLS_CONNECTION (self->tls));

  if (flags & G_TLS_CERTIFICATE_UNKNOWN_CA)
    return "TLS handshake: the server's certificate is not signed by the zdevice.json's cacert";
  if (flags & G_TLS_CERTIFICATE_BAD_IDENTITY)
    return "TLS handshake: the server's certificate does not name this host (endpoint.host)";
  if (flags & (G_TLS_CERTIFICATE_EXPIRED | G_TLS_CERTIFICATE_NOT_ACTIVATED))
    return "TLS handshake: the server's certificate is outside its validity dates";
  if (flags != 0)
    return "TLS handshake: the server's certificate is not acceptable";
  return "TLS handshake";
}

static void
handshake_done (GObject *source, GAsyncResult *result, gpointer data)
{
  Step *step = data;
  FdDeviceMqtt *self = step->self;
  GError *error = NULL;
  gboolean ok = g_tls_connection_handshake_finish (G_TLS_CONNECTION (source), result, &error);

  if (!step_current (step) || G_IO_STREAM (source) != self->tls)
    {
      g_clear_error (&error);
      step_free (step);
      return;
    }
  if (!ok)
    {
      fail_io (self, handshake_problem (self), error);
      step_free (step);
      return;
    }
  self->in = G_POLLABLE_INPUT_STREAM (g_io_stream_get_input_stream (self->tls));
  self->out = G_POLLABLE_OUTPUT_STREAM (g_io_stream_get_output_stream (self->tls));
  if (self->poller != NULL)
    {
      self->fd = self->socket_fd;
      fd_device_poller_add (self->poller, self->fd, FALSE, on_poll, self);
    }
  else
    {
      self->read_source = g_pollable_input_stream_create_source (self->in, NULL);
      g_source_set_callback (self->read_source, G_SOURCE_FUNC (on_readable), self, NULL);
      g_source_attach (self->read_source, g_main_context_get_thread_default ());
    }
  fd_device_mqtt_transport_up (self);
  step_free (step);
}

static void
tcp_connected (GObject *source, GAsyncResult *result, gpointer data)
{
  Step *step = data;
  FdDeviceMqtt *self = step->self;
  GError *error = NULL;
  g_autoptr (GSocketConnection) tcp
      = g_socket_client_connect_finish (G_SOCKET_CLIENT (source), result, &error);
  GIOStream *tls;

  if (!step_current (step))
    {
      g_clear_error (&error);
      step_free (step);
      return;
    }
  if (tcp == NULL)
    {
      fail_io (self, "connecting", error);
      step_free (step);
      return;
    }
  g_socket_set_option (g_socket_connection_get_socket (tcp), IPPROTO_TCP, TCP_NODELAY, 1, NULL);
  self->socket_fd = g_socket_get_fd (g_socket_connection_get_socket (tcp));
  /* As the HTTPS client: the database given at construction, or GIO would load (and trust)
   * the system's whole store for every connection. */
  tls = g_initable_new (g_tls_backend_get_client_connection_type (g_tls_backend_get_default ()),
                        NULL, &error, "base-io-stream", tcp, "server-identity", self->identity,
                        "database", self->trust, "certificate", self->certificate,
                        "require-close-notify", FALSE, NULL);
  if (tls == NULL)
    {
      fail_io (self, "starting TLS", error);
      step_free (step);
      return;
    }
  self->tls = tls;
  g_tls_connection_handshake_async (G_TLS_CONNECTION (tls), G_PRIORITY_DEFAULT, self->op,
                                    handshake_done, step);
}

void
fd_device_mqtt_tls_open (FdDeviceMqtt *self)
{
  if (self->socket_client == NULL)
    self->socket_client
        = g_object_new (G_TYPE_SOCKET_CLIENT, "timeout", FD_DEVICE_MQTT_CONNECT_TIMEOUT_S,
                        "enable-proxy", FALSE, NULL);
  g_socket_client_set_local_address (self->socket_client, self->local);
  g_socket_client_connect_async (
      self->socket_client, self->address ? G_SOCKET_CONNECTABLE (self->address) : self->identity,
      self->op, tcp_connected, step_new (self));
}

void
fd_device_mqtt_tls_close (FdDeviceMqtt *self)
{
  if (self->read_source != NULL)
    {
      g_source_destroy (self->read_source);
      g_clear_pointer (&self->read_source, g_source_unref);
    }
  if (self->write_source != NULL)
    {
      g_source_destroy (self->write_source);
      g_clear_pointer (&self->write_source, g_source_unref);
    }
  if (self->fd >= 0)
    fd_device_poller_remove (self->poller, self->fd);
  self->fd = -1;
  self->want_write = FALSE;
  /* During the handshake GIO's own operation holds the stream and is being cancelled. */
  if (self->tls != NULL && self->in != NULL)
    g_io_stream_close (self->tls, NULL, NULL);
  self->in = NULL;
  self->out = NULL;
  g_clear_object (&self->tls);
}
