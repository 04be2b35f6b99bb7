/* fd-device-client-connect.c — TCP (GSocketClient), then TLS trusting only the device's CA
 * and naming endpoint.host, with the device's client certificate; and cancelling. */
#include "fd-device-client-private.h"

#include <netinet/in.h>
#include <netinet/tcp.h>

/* ---- connecting ---------------------------------------------------------------------------- */

typedef struct
{
  FdDeviceClient *self;
  GCancellable *op; /* the operation this step belongs to */
} Step;

static Step *
step_new (FdDeviceClient *self)
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

/* FALSE when the operation the step belongs to is over (disconnected or cancelled): its result
 * is not wanted any more. */
static gboolean
step_current (Step *step)
{
  return step->self->op == step->op && !g_cancellable_is_cancelled (step->op);
}

/* What GIO's "Unacceptable TLS certificate" was about, in words a person can act on. */
static const char *
handshake_problem (FdDeviceClient *self)
{
  GTlsCertificateFlags flags
      = g_tls_connection_get_peer_certificate_errors (G_TLS_CONNECTION (self->tls));

  if (flags & G_TLS_CERTIFICATE_UNKNOWN_CA)
    return "TLS handshake: the server's certificate is not signed by the zdevice.json's cacert";
  if (flags & G_TLS_CERTIFICATE_BAD_IDENTITY)
    return "TLS handshake: the server's certificate does not name this host (endpoint.host)";
  if (flags & (G_TLS_CERTIFICATE_EXPIRED | G_TLS_CERTIFICATE_NOT_ACTIVATED))
    return "TLS handshake: the server's certificate is outside its validity dates";
  if (flags & G_TLS_CERTIFICATE_REVOKED)
    return "TLS handshake: the server's certificate is revoked";
  if (flags != 0)
    return "TLS handshake: the server's certificate is not acceptable";
  return "TLS handshake";
}

static void
handshake_done (GObject *source, GAsyncResult *result, gpointer data)
{
  Step *step = data;
  FdDeviceClient *self = step->self;
  GError *error = NULL;
  gboolean ok = g_tls_connection_handshake_finish (G_TLS_CONNECTION (source), result, &error);

  if (!step_current (step) || G_IO_STREAM (source) != self->tls)
    {
      g_clear_error (&error);
      step_free (step);
      return;
    }
  self->handshaking = FALSE;
  if (!ok)
    {
      fd_device_client_fail_io (self, handshake_problem (self), error);
      step_free (step);
      return;
    }
  self->in = G_POLLABLE_INPUT_STREAM (g_io_stream_get_input_stream (self->tls));
  self->out = G_POLLABLE_OUTPUT_STREAM (g_io_stream_get_output_stream (self->tls));
  self->last_used_us = g_get_monotonic_time ();
  if (self->connect_only)
    fd_device_client_succeed (self, NULL);
  else
    fd_device_client_pump_write (self);
  step_free (step);
}

static void
tcp_connected (GObject *source, GAsyncResult *result, gpointer data)
{
  static const char *const alpn[] = { "http/1.1", NULL };
  Step *step = data;
  FdDeviceClient *self = step->self;
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
      fd_device_client_fail_io (self, "connecting", error);
      step_free (step);
      return;
    }
  g_socket_set_option (g_socket_connection_get_socket (tcp), IPPROTO_TCP, TCP_NODELAY, 1, NULL);

  /* The database is given when the connection is made: left unset, GIO would load the
   * system's whole trust store into each new connection, and trust it too. */
  tls = g_initable_new (g_tls_backend_get_client_connection_type (g_tls_backend_get_default ()),
                        NULL, &error, "base-io-stream", tcp, "server-identity", self->identity,
                        "database", self->trust, "certificate", self->certificate,
                        "require-close-notify", FALSE, NULL);
  if (tls == NULL)
    {
      fd_device_client_fail_io (self, "starting TLS", error);
      step_free (step);
      return;
    }
  g_tls_connection_set_advertised_protocols (G_TLS_CONNECTION (tls), alpn);
  self->tls = tls;
  self->handshaking = TRUE;
  self->answers = 0;
  g_tls_connection_handshake_async (G_TLS_CONNECTION (tls), G_PRIORITY_DEFAULT, self->op,
                                    handshake_done, step);
}
void
fd_device_client_open (FdDeviceClient *self)
{
  g_socket_client_connect_async (
      self->socket_client, self->address ? G_SOCKET_CONNECTABLE (self->address) : self->identity,
      self->op, tcp_connected, step_new (self));
}

/* ---- cancelling ---------------------------------------------------------------------------- */

static gboolean
fail_cancelled (gpointer data)
{
  Step *step = data;

  if (step->self->op == step->op)
    fd_device_client_fail (step->self, g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED,
                                                            "the request was cancelled"));
  return G_SOURCE_REMOVE;
}

/* Runs inside g_cancellable_cancel(), where the handler may not be disconnected: the request
 * is failed from an idle callback instead. */
void
fd_device_client_on_cancelled (GCancellable *cancellable, gpointer data)
{
  FdDeviceClient *self = data;
  g_autoptr (GSource) idle = g_idle_source_new ();

  g_source_set_callback (idle, fail_cancelled, step_new (self), (GDestroyNotify)step_free);
  g_source_attach (idle, g_main_context_get_thread_default ());
  g_cancellable_cancel (self->op);
}
