/* fd-device-client-io.c — a request out and its answer in, with non-blocking reads and writes
 * on the TLS streams and pollable sources: no thread and no GTask per read or write, so one
 * thread drives thousands of clients. */
#include "fd-device-client-private.h"

/* ---- reading the answer -------------------------------------------------------------------- */

static gboolean on_readable (GObject *stream, gpointer data);

/* With TLS 1.3 a client learns that the server refused its certificate only when it reads:
 * the handshake itself succeeded on the client's side. */
static const char *
first_read_problem (FdDeviceClient *self)
{
  if (self->config->mode == FD_DEVICE_MODE_CERTIFICATE && self->answers == 0)
    return "reading the first answer (the server may not accept this client certificate: "
           "unknown, revoked or expired?)";
  return "reading the answer";
}

static void
pump_read (FdDeviceClient *self)
{
  for (;;)
    {
      GError *error = NULL;
      gsize consumed = 0;
      gssize n;

      if (self->rcap - self->rlen < FD_DEVICE_CLIENT_READ_CHUNK)
        {
          self->rcap = MAX (self->rcap * 2, self->rlen + FD_DEVICE_CLIENT_READ_CHUNK);
          self->rbuf = g_realloc (self->rbuf, self->rcap);
        }
      n = g_pollable_input_stream_read_nonblocking (self->in, self->rbuf + self->rlen,
                                                    FD_DEVICE_CLIENT_READ_CHUNK, NULL, &error);
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
          fd_device_client_fail_io (self, first_read_problem (self), error);
          return;
        }
      if (n == 0)
        {
          fd_device_client_fail (
              self,
              g_error_new (FD_DEVICE_CLIENT_ERROR, FD_DEVICE_CLIENT_ERROR_CLOSED,
                           "%s:%u: %s: the server closed the connection %s", self->config->host,
                           self->config->https_port, first_read_problem (self),
                           self->rlen == 0 ? "without answering" : "in the middle of its answer"));
          return;
        }
      self->rlen += (gsize)n;
      switch (fd_device_http_reader_feed (&self->reader, self->rbuf, self->rlen, &consumed, &error))
        {
        case FD_DEVICE_HTTP_NEED_MORE:
          continue;
        case FD_DEVICE_HTTP_FAILED:
          fd_device_client_fail_io (self, "reading the answer", error);
          return;
        case FD_DEVICE_HTTP_DONE:
          {
            FdDeviceResponse *response = fd_device_http_reader_steal_response (&self->reader);
            /* We never send a second request before the answer to the first: bytes after the
             * answer mean we and the server disagree about where it ended. */
            if (consumed != self->rlen)
              response->keep_alive = FALSE;
            fd_device_client_succeed (self, response);
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

void
fd_device_client_pump_write (FdDeviceClient *self)
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
          fd_device_client_fail_io (self, "sending the request", error);
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
  fd_device_client_pump_write (self);
  return G_SOURCE_REMOVE;
}

/* TRUE when an idle connection is still open. The server closes idle connections (and says so
 * with close_notify or a FIN): reading finds that out, and a request is then sent on a new
 * connection instead of being lost on the old one. */
gboolean
fd_device_client_connection_alive (FdDeviceClient *self)
{
  GError *error = NULL;
  guint8 byte;
  gssize n;

  if (g_get_monotonic_time () - self->last_used_us < FD_DEVICE_CLIENT_IDLE_CHECK_US)
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
