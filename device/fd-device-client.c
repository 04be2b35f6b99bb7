/* fd-device-client.c — one device, one persistent TLS connection, one request at a time.
 *
 * The request path is non-blocking reads and writes on the TLS streams with pollable sources
 * (no thread, no GTask per read or write): a simulator drives thousands of these on one
 * thread. Connecting uses GSocketClient and the TLS handshake GIO's async handshake.
 */
#include "fd-device-client.h"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <string.h>

#include "fd-device-tls.h"

G_DEFINE_QUARK (fd - device - client - error - quark, fd_device_client_error)

#define READ_CHUNK 16384
/* A connection idle this long is checked for a close by the server before it is reused. */
#define IDLE_CHECK_US (G_USEC_PER_SEC / 2)

struct _FdDeviceClient
{
  GObject parent_instance;

  FdDeviceConfig *config;
  GTlsDatabase *trust;
  GTlsCertificate *certificate; /* certificate mode */
  GSocketConnectable *identity; /* endpoint.host:https_port: what the server must prove */
  GSocketAddress *address;      /* where to connect; NULL: resolve the identity */
  GSocketClient *socket_client;
  char *bearer;
  gint64 bearer_renew_s;

  /* The connection. */
  GIOStream *tls;
  GPollableInputStream *in;
  GPollableOutputStream *out;
  gboolean handshaking;
  gint64 last_used_us;

  /* The operation in flight: a connect, or a request (connecting first when needed). */
  GTask *task;
  GCancellable *op; /* ours, cancelled by disconnect and by the caller's cancellable */
  GCancellable *caller_cancellable;
  gulong caller_cancel_id;
  gboolean connect_only;
  GString *request;
  gsize written;
  guint8 *rbuf;
  gsize rlen, rcap;
  FdDeviceHttpReader reader;
  GSource *io_source;
};

G_DEFINE_FINAL_TYPE (FdDeviceClient, fd_device_client, G_TYPE_OBJECT)

static void drop_connection (FdDeviceClient *self);

static void
fd_device_client_dispose (GObject *object)
{
  FdDeviceClient *self = FD_DEVICE_CLIENT (object);

  fd_device_client_disconnect (self);
  G_OBJECT_CLASS (fd_device_client_parent_class)->dispose (object);
}

static void
fd_device_client_finalize (GObject *object)
{
  FdDeviceClient *self = FD_DEVICE_CLIENT (object);

  g_clear_object (&self->trust);
  g_clear_object (&self->certificate);
  g_clear_object (&self->identity);
  g_clear_object (&self->address);
  g_clear_object (&self->socket_client);
  if (self->bearer != NULL)
    explicit_bzero (self->bearer, strlen (self->bearer));
  g_free (self->bearer);
  g_string_free (self->request, TRUE);
  g_free (self->rbuf);
  fd_device_http_reader_reset (&self->reader);
  fd_device_config_free (self->config);
  G_OBJECT_CLASS (fd_device_client_parent_class)->finalize (object);
}

static void
fd_device_client_class_init (FdDeviceClientClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = fd_device_client_dispose;
  object_class->finalize = fd_device_client_finalize;
}

static void
fd_device_client_init (FdDeviceClient *self)
{
  self->request = g_string_sized_new (512);
  fd_device_http_reader_init (&self->reader, 0);
}

FdDeviceClient *
fd_device_client_new (FdDeviceConfig *config, GTlsDatabase *trust, GError **error)
{
  g_autoptr (FdDeviceClient) self = g_object_new (FD_TYPE_DEVICE_CLIENT, NULL);

  self->config = config;
  if (trust != NULL)
    self->trust = g_object_ref (trust);
  else if ((self->trust = fd_device_trust_new (config->cacert_pem, error)) == NULL)
    return NULL;
  if (config->mode == FD_DEVICE_MODE_CERTIFICATE
      && (self->certificate = fd_device_certificate_new (config, error)) == NULL)
    return NULL;
  self->identity = g_network_address_new (config->host, (guint16)config->https_port);
  self->socket_client = g_object_new (G_TYPE_SOCKET_CLIENT, "timeout", FD_DEVICE_CLIENT_TIMEOUT_S,
                                      "enable-proxy", FALSE, NULL);
  return g_steal_pointer (&self);
}

const FdDeviceConfig *
fd_device_client_get_config (FdDeviceClient *self)
{
  return self->config;
}

void
fd_device_client_set_addresses (FdDeviceClient *self, GSocketAddress *address,
                                GSocketAddress *local)
{
  g_set_object (&self->address, address);
  g_socket_client_set_local_address (self->socket_client, local);
}

gboolean
fd_device_client_is_connected (FdDeviceClient *self)
{
  return self->tls != NULL && !self->handshaking;
}

gboolean
fd_device_client_is_busy (FdDeviceClient *self)
{
  return self->task != NULL;
}

gboolean
fd_device_tag_check (const char *tag, GError **error)
{
  glong chars;

  if (!g_utf8_validate (tag, -1, NULL))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, "the tag is not UTF-8");
      return FALSE;
    }
  chars = g_utf8_strlen (tag, -1);
  if (chars < 1 || chars > 64)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   "the tag \"%s\" must be 1 to 64 characters long", tag);
      return FALSE;
    }
  for (const char *p = tag; *p; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);
      if (c == '/' || c == '#' || c == '+' || g_unichar_isspace (c) || g_unichar_iscntrl (c))
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                       "the tag \"%s\" has a character tags may not have (\"/\", \"#\", "
                       "\"+\", white space or a control character)",
                       tag);
          return FALSE;
        }
    }
  return TRUE;
}

char *
fd_device_data_path (const char *tag)
{
  GString *path = g_string_new ("/v1/data/");

  fd_device_http_append_segment (path, tag);
  return g_string_free (path, FALSE);
}

/* ---- ending the operation ------------------------------------------------------------------ */

static GTask *
take_task (FdDeviceClient *self)
{
  GTask *task = g_steal_pointer (&self->task);

  if (self->caller_cancel_id != 0)
    g_cancellable_disconnect (self->caller_cancellable, self->caller_cancel_id);
  self->caller_cancel_id = 0;
  g_clear_object (&self->caller_cancellable);
  /* Whatever step of it is still running (a handshake) is not wanted any more. */
  if (self->op != NULL)
    g_cancellable_cancel (self->op);
  g_clear_object (&self->op);
  if (self->io_source != NULL)
    {
      g_source_destroy (self->io_source);
      g_clear_pointer (&self->io_source, g_source_unref);
    }
  g_string_truncate (self->request, 0);
  self->written = 0;
  self->rlen = 0;
  fd_device_http_reader_reset (&self->reader);
  return task;
}

/* Fails the operation in flight with @error (taken) and closes the connection: after a
 * transport error nobody knows what state it is in. */
static void
fail (FdDeviceClient *self, GError *error)
{
  GTask *task = take_task (self);

  drop_connection (self);
  if (task != NULL)
    {
      g_task_return_error (task, error);
      g_object_unref (task);
    }
  else
    g_error_free (error);
}

static void
fail_io (FdDeviceClient *self, const char *what, GError *error)
{
  GError *wrapped = g_error_new (error->domain, error->code, "%s:%u: %s: %s", self->config->host,
                                 self->config->https_port, what, error->message);

  g_error_free (error);
  fail (self, wrapped);
}

static void
succeed (FdDeviceClient *self, FdDeviceResponse *response)
{
  GTask *task = take_task (self);

  self->last_used_us = g_get_monotonic_time ();
  if (response != NULL && !response->keep_alive)
    drop_connection (self);
  if (response != NULL)
    g_task_return_pointer (task, response, (GDestroyNotify)fd_device_response_free);
  else
    g_task_return_boolean (task, TRUE);
  g_object_unref (task);
}

static void
drop_connection (FdDeviceClient *self)
{
  if (self->tls == NULL)
    return;
  if (self->io_source != NULL)
    {
      g_source_destroy (self->io_source);
      g_clear_pointer (&self->io_source, g_source_unref);
    }
  /* During the handshake GIO's own operation holds the connection and is being cancelled; a
   * close now would wait for it. Otherwise close now: it sends close_notify and closes the
   * socket without waiting for the server. */
  if (!self->handshaking)
    g_io_stream_close (self->tls, NULL, NULL);
  self->handshaking = FALSE;
  self->in = NULL;
  self->out = NULL;
  g_clear_object (&self->tls);
}

void
fd_device_client_disconnect (FdDeviceClient *self)
{
  if (self->op != NULL)
    g_cancellable_cancel (self->op);
  if (self->task != NULL)
    fail (self,
          g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED, "the request was cancelled"));
  drop_connection (self);
}

/* ---- reading the answer -------------------------------------------------------------------- */

static gboolean on_readable (GObject *stream, gpointer data);

static void
pump_read (FdDeviceClient *self)
{
  for (;;)
    {
      GError *error = NULL;
      gsize consumed = 0;
      gssize n;

      if (self->rcap - self->rlen < READ_CHUNK)
        {
          self->rcap = MAX (self->rcap * 2, self->rlen + READ_CHUNK);
          self->rbuf = g_realloc (self->rbuf, self->rcap);
        }
      n = g_pollable_input_stream_read_nonblocking (self->in, self->rbuf + self->rlen, READ_CHUNK,
                                                    NULL, &error);
      if (n < 0 && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK))
        {
          g_error_free (error);
          self->io_source = g_pollable_input_stream_create_source (self->in, NULL);
          g_source_set_callback (self->io_source, G_SOURCE_FUNC (on_readable), self, NULL);
          g_source_attach (self->io_source, g_main_context_get_thread_default ());
          return;
        }
      if (n < 0)
        {
          fail_io (self, "reading the answer", error);
          return;
        }
      if (n == 0)
        {
          fail (self, g_error_new (FD_DEVICE_CLIENT_ERROR, FD_DEVICE_CLIENT_ERROR_CLOSED,
                                   "%s:%u: the server closed the connection %s", self->config->host,
                                   self->config->https_port,
                                   self->rlen == 0 ? "without answering"
                                                   : "in the middle of its answer"));
          return;
        }
      self->rlen += (gsize)n;
      switch (fd_device_http_reader_feed (&self->reader, self->rbuf, self->rlen, &consumed, &error))
        {
        case FD_DEVICE_HTTP_NEED_MORE:
          continue;
        case FD_DEVICE_HTTP_FAILED:
          fail_io (self, "reading the answer", error);
          return;
        case FD_DEVICE_HTTP_DONE:
          {
            FdDeviceResponse *response = fd_device_http_reader_steal_response (&self->reader);
            /* We never send a second request before the answer to the first: bytes after the
             * answer mean we and the server disagree about where it ended. */
            if (consumed != self->rlen)
              response->keep_alive = FALSE;
            succeed (self, response);
            return;
          }
        }
    }
}

static gboolean
on_readable (GObject *stream, gpointer data)
{
  FdDeviceClient *self = data;

  g_clear_pointer (&self->io_source, g_source_unref);
  pump_read (self);
  return G_SOURCE_REMOVE;
}

/* ---- writing the request ------------------------------------------------------------------- */

static gboolean on_writable (GObject *stream, gpointer data);

static void
pump_write (FdDeviceClient *self)
{
  while (self->written < self->request->len)
    {
      GError *error = NULL;
      gssize n = g_pollable_output_stream_write_nonblocking (
          self->out, self->request->str + self->written, self->request->len - self->written, NULL,
          &error);

      if (n < 0 && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK))
        {
          g_error_free (error);
          self->io_source = g_pollable_output_stream_create_source (self->out, NULL);
          g_source_set_callback (self->io_source, G_SOURCE_FUNC (on_writable), self, NULL);
          g_source_attach (self->io_source, g_main_context_get_thread_default ());
          return;
        }
      if (n < 0)
        {
          fail_io (self, "sending the request", error);
          return;
        }
      self->written += (gsize)n;
    }
  pump_read (self);
}

static gboolean
on_writable (GObject *stream, gpointer data)
{
  FdDeviceClient *self = data;

  g_clear_pointer (&self->io_source, g_source_unref);
  pump_write (self);
  return G_SOURCE_REMOVE;
}

/* TRUE when an idle connection is still open. The server closes idle connections (and says so
 * with close_notify or a FIN): reading finds that out, and a request is then sent on a new
 * connection instead of being lost on the old one. */
static gboolean
connection_alive (FdDeviceClient *self)
{
  GError *error = NULL;
  guint8 byte;
  gssize n;

  if (g_get_monotonic_time () - self->last_used_us < IDLE_CHECK_US)
    return TRUE;
  n = g_pollable_input_stream_read_nonblocking (self->in, &byte, 1, NULL, &error);
  if (n < 0 && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK))
    {
      g_error_free (error);
      return TRUE;
    }
  g_clear_error (&error);
  return FALSE;
}

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
      fail_io (self, "TLS handshake", error);
      step_free (step);
      return;
    }
  self->in = G_POLLABLE_INPUT_STREAM (g_io_stream_get_input_stream (self->tls));
  self->out = G_POLLABLE_OUTPUT_STREAM (g_io_stream_get_output_stream (self->tls));
  self->last_used_us = g_get_monotonic_time ();
  if (self->connect_only)
    succeed (self, NULL);
  else
    pump_write (self);
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
      fail_io (self, "connecting", error);
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
      fail_io (self, "starting TLS", error);
      step_free (step);
      return;
    }
  g_tls_connection_set_advertised_protocols (G_TLS_CONNECTION (tls), alpn);
  self->tls = tls;
  self->handshaking = TRUE;
  g_tls_connection_handshake_async (G_TLS_CONNECTION (tls), G_PRIORITY_DEFAULT, self->op,
                                    handshake_done, step);
}

static gboolean
fail_cancelled (gpointer data)
{
  Step *step = data;

  if (step->self->op == step->op)
    fail (step->self,
          g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED, "the request was cancelled"));
  return G_SOURCE_REMOVE;
}

/* Runs inside g_cancellable_cancel(), where the handler may not be disconnected: the request
 * is failed from an idle callback instead. */
static void
on_caller_cancelled (GCancellable *cancellable, gpointer data)
{
  FdDeviceClient *self = data;
  g_autoptr (GSource) idle = g_idle_source_new ();

  g_source_set_callback (idle, fail_cancelled, step_new (self), (GDestroyNotify)step_free);
  g_source_attach (idle, g_main_context_get_thread_default ());
  g_cancellable_cancel (self->op);
}

/* Starts @task as the operation in flight: connects when there is no usable connection, then
 * sends self->request (unless connect_only). */
static void
start (FdDeviceClient *self, GTask *task, GCancellable *cancellable, gboolean connect_only)
{
  self->task = task;
  self->connect_only = connect_only;
  self->op = g_cancellable_new ();
  if (cancellable != NULL)
    {
      self->caller_cancellable = g_object_ref (cancellable);
      self->caller_cancel_id
          = g_cancellable_connect (cancellable, G_CALLBACK (on_caller_cancelled), self, NULL);
    }
  if (self->tls != NULL && !connection_alive (self))
    drop_connection (self);
  if (self->tls != NULL)
    {
      if (connect_only)
        succeed (self, NULL);
      else
        pump_write (self);
      return;
    }
  g_socket_client_connect_async (
      self->socket_client, self->address ? G_SOCKET_CONNECTABLE (self->address) : self->identity,
      self->op, tcp_connected, step_new (self));
}

void
fd_device_client_connect_async (FdDeviceClient *self, GCancellable *cancellable,
                                GAsyncReadyCallback callback, gpointer user_data)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);

  g_task_set_source_tag (task, fd_device_client_connect_async);
  if (self->task != NULL)
    {
      g_task_return_new_error (task, FD_DEVICE_CLIENT_ERROR, FD_DEVICE_CLIENT_ERROR_BUSY,
                               "%s: a request is already in flight", self->config->device_id);
      g_object_unref (task);
      return;
    }
  start (self, task, cancellable, TRUE);
}

gboolean
fd_device_client_connect_finish (FdDeviceClient *self, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

/* The Authorization bearer for the next request, or NULL in certificate mode. A device token
 * is minted again well before it expires, so no request carries one that is about to. */
static const char *
current_bearer (FdDeviceClient *self)
{
  gint64 now_s = g_get_real_time () / G_USEC_PER_SEC;

  switch (self->config->mode)
    {
    case FD_DEVICE_MODE_CERTIFICATE:
      return NULL;
    case FD_DEVICE_MODE_CLOUD_TOKEN:
      return self->config->token;
    case FD_DEVICE_MODE_DEVICE_TOKEN:
      if (self->bearer == NULL || now_s >= self->bearer_renew_s)
        {
          g_free (self->bearer);
          self->bearer = fd_device_config_mint_jwt (self->config, now_s, FD_DEVICE_JWT_LIFETIME_S);
          self->bearer_renew_s = now_s + FD_DEVICE_JWT_LIFETIME_S - FD_DEVICE_JWT_RENEW_S;
        }
      return self->bearer;
    }
  return NULL;
}

void
fd_device_client_request_async (FdDeviceClient *self, const char *method, const char *path,
                                const char *content_type, GBytes *body, GCancellable *cancellable,
                                GAsyncReadyCallback callback, gpointer user_data)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);
  gsize body_len = 0;
  const char *body_data = body ? g_bytes_get_data (body, &body_len) : NULL;

  g_task_set_source_tag (task, fd_device_client_request_async);
  if (self->task != NULL)
    {
      g_task_return_new_error (task, FD_DEVICE_CLIENT_ERROR, FD_DEVICE_CLIENT_ERROR_BUSY,
                               "%s: a request is already in flight", self->config->device_id);
      g_object_unref (task);
      return;
    }
  fd_device_http_append_request (self->request, method, self->config->host,
                                 self->config->https_port, path, current_bearer (self),
                                 content_type, body ? (gssize)body_len : -1);
  if (body_len > 0)
    g_string_append_len (self->request, body_data, (gssize)body_len);
  start (self, task, cancellable, FALSE);
}

FdDeviceResponse *
fd_device_client_request_finish (FdDeviceClient *self, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}
