/* fd-device-client.c — one device, one persistent TLS connection, one request at a time.
 *
 * This file: the object, its operations (connect, request) and how each ends. Reading and
 * writing are in fd-device-client-io.c, connecting in fd-device-client-connect.c.
 */
#include "fd-device-client-private.h"

#include <string.h>

#include "fd-device-tls.h"

/* Not G_DEFINE_QUARK: clang-format would put spaces into the quark's name. */
GQuark
fd_device_client_error_quark (void)
{
  return g_quark_from_static_string ("fd-device-client-error-quark");
}

G_DEFINE_FINAL_TYPE (FdDeviceClient, fd_device_client, G_TYPE_OBJECT)

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
void
fd_device_client_fail (FdDeviceClient *self, GError *error)
{
  GTask *task = take_task (self);

  fd_device_client_drop_connection (self);
  if (task != NULL)
    {
      g_task_return_error (task, error);
      g_object_unref (task);
    }
  else
    g_error_free (error);
}

void
fd_device_client_fail_io (FdDeviceClient *self, const char *what, GError *error)
{
  GError *wrapped = g_error_new (error->domain, error->code, "%s:%u: %s: %s", self->config->host,
                                 self->config->https_port, what, error->message);

  g_error_free (error);
  fd_device_client_fail (self, wrapped);
}

void
fd_device_client_succeed (FdDeviceClient *self, FdDeviceResponse *response)
{
  GTask *task = take_task (self);

  self->last_used_us = g_get_monotonic_time ();
  if (response != NULL)
    self->answers++;
  if (response != NULL && !response->keep_alive)
    fd_device_client_drop_connection (self);
  if (response != NULL)
    g_task_return_pointer (task, response, (GDestroyNotify)fd_device_response_free);
  else
    g_task_return_boolean (task, TRUE);
  g_object_unref (task);
}

void
fd_device_client_drop_connection (FdDeviceClient *self)
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
    fd_device_client_fail (
        self, g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED, "the request was cancelled"));
  fd_device_client_drop_connection (self);
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
      self->caller_cancel_id = g_cancellable_connect (
          cancellable, G_CALLBACK (fd_device_client_on_cancelled), self, NULL);
    }
  if (self->tls != NULL && !fd_device_client_connection_alive (self))
    fd_device_client_drop_connection (self);
  if (self->tls != NULL)
    {
      if (connect_only)
        fd_device_client_succeed (self, NULL);
      else
        fd_device_client_pump_write (self);
      return;
    }
  fd_device_client_open (self);
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
const char *
fd_device_client_bearer (FdDeviceClient *self, gint64 now_s)
{
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
  fd_device_client_request_full_async (self, method, path, NULL, content_type, body, cancellable,
                                       callback, user_data);
}

void
fd_device_client_request_full_async (FdDeviceClient *self, const char *method, const char *path,
                                     const char *extra, const char *content_type, GBytes *body,
                                     GCancellable *cancellable, GAsyncReadyCallback callback,
                                     gpointer user_data)
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
  fd_device_http_append_request_full (
      self->request, method, self->config->host, self->config->https_port, path,
      fd_device_client_bearer (self, g_get_real_time () / G_USEC_PER_SEC), extra, content_type,
      body ? (gssize)body_len : -1);
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
