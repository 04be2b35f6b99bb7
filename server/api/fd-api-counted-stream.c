/* fd-api-counted-stream.c — a GIOStream over another that counts the bytes written through it.
 *
 * libsoup 3.2's SoupWebsocketConnection queues outgoing frames without bound and says nothing
 * of its queue (soup_websocket_connection_get_buffered_amount is 3.6). Wrapped around the
 * stolen HTTP connection, this stream tells the events endpoint how many bytes of what it
 * handed to libsoup have really gone to the socket, and calls it back as they go. Reading is
 * the base stream's own input, untouched.
 */
#include "fd-api-events-private.h"

struct _FdCountedOutput
{
  GOutputStream parent_instance;
  GOutputStream *base; /* pollable */
  FdCountedFunc func;
  gpointer user_data;
};

static void fd_counted_output_pollable_init (GPollableOutputStreamInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (FdCountedOutput, fd_counted_output, G_TYPE_OUTPUT_STREAM,
                               G_IMPLEMENT_INTERFACE (G_TYPE_POLLABLE_OUTPUT_STREAM,
                                                      fd_counted_output_pollable_init))

static void
counted (FdCountedOutput *self, gssize n)
{
  if (n > 0 && self->func != NULL)
    self->func ((gsize)n, self->user_data);
}

static gssize
counted_write (GOutputStream *stream, const void *buffer, gsize count, GCancellable *cancellable,
               GError **error)
{
  FdCountedOutput *self = FD_COUNTED_OUTPUT (stream);
  gssize n = g_output_stream_write (self->base, buffer, count, cancellable, error);

  counted (self, n);
  return n;
}

static gboolean
counted_flush (GOutputStream *stream, GCancellable *cancellable, GError **error)
{
  return g_output_stream_flush (FD_COUNTED_OUTPUT (stream)->base, cancellable, error);
}

/* The base stream is closed with the GIOStream, not here. */
static gboolean
counted_close (GOutputStream *stream, GCancellable *cancellable, GError **error)
{
  return TRUE;
}

static gboolean
counted_can_poll (GPollableOutputStream *stream)
{
  return g_pollable_output_stream_can_poll (
      G_POLLABLE_OUTPUT_STREAM (FD_COUNTED_OUTPUT (stream)->base));
}

static gboolean
counted_is_writable (GPollableOutputStream *stream)
{
  return g_pollable_output_stream_is_writable (
      G_POLLABLE_OUTPUT_STREAM (FD_COUNTED_OUTPUT (stream)->base));
}

static GSource *
counted_create_source (GPollableOutputStream *stream, GCancellable *cancellable)
{
  FdCountedOutput *self = FD_COUNTED_OUTPUT (stream);
  g_autoptr (GSource) base
      = g_pollable_output_stream_create_source (G_POLLABLE_OUTPUT_STREAM (self->base), cancellable);

  /* So that the callback is handed this stream, not the base. */
  return g_pollable_source_new_full (stream, base, cancellable);
}

static gssize
counted_write_nonblocking (GPollableOutputStream *stream, const void *buffer, gsize count,
                           GError **error)
{
  FdCountedOutput *self = FD_COUNTED_OUTPUT (stream);
  gssize n = g_pollable_output_stream_write_nonblocking (G_POLLABLE_OUTPUT_STREAM (self->base),
                                                         buffer, count, NULL, error);

  counted (self, n);
  return n;
}

static void
fd_counted_output_pollable_init (GPollableOutputStreamInterface *iface)
{
  iface->can_poll = counted_can_poll;
  iface->is_writable = counted_is_writable;
  iface->create_source = counted_create_source;
  iface->write_nonblocking = counted_write_nonblocking;
}

static void
fd_counted_output_finalize (GObject *object)
{
  g_clear_object (&FD_COUNTED_OUTPUT (object)->base);
  G_OBJECT_CLASS (fd_counted_output_parent_class)->finalize (object);
}

static void
fd_counted_output_class_init (FdCountedOutputClass *klass)
{
  GOutputStreamClass *stream_class = G_OUTPUT_STREAM_CLASS (klass);

  G_OBJECT_CLASS (klass)->finalize = fd_counted_output_finalize;
  stream_class->write_fn = counted_write;
  stream_class->flush = counted_flush;
  stream_class->close_fn = counted_close;
}

static void
fd_counted_output_init (FdCountedOutput *self)
{
}

void
fd_counted_output_set_func (FdCountedOutput *self, FdCountedFunc func, gpointer user_data)
{
  self->func = func;
  self->user_data = user_data;
}

/* The GIOStream: the base's input, the counted output. */

struct _FdCountedStream
{
  GIOStream parent_instance;
  GIOStream *base;
  FdCountedOutput *output;
};

G_DEFINE_FINAL_TYPE (FdCountedStream, fd_counted_stream, G_TYPE_IO_STREAM)

static GInputStream *
get_input_stream (GIOStream *stream)
{
  return g_io_stream_get_input_stream (FD_COUNTED_STREAM (stream)->base);
}

static GOutputStream *
get_output_stream (GIOStream *stream)
{
  return G_OUTPUT_STREAM (FD_COUNTED_STREAM (stream)->output);
}

static gboolean
stream_close (GIOStream *stream, GCancellable *cancellable, GError **error)
{
  return g_io_stream_close (FD_COUNTED_STREAM (stream)->base, cancellable, error);
}

static void
base_closed (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GTask) task = user_data;
  GError *error = NULL;

  if (g_io_stream_close_finish (G_IO_STREAM (source), result, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

/* Closed on the caller's context like the base's own close (GIOStream's default would close
 * on a worker thread). */
static void
stream_close_async (GIOStream *stream, int io_priority, GCancellable *cancellable,
                    GAsyncReadyCallback callback, gpointer user_data)
{
  GTask *task = g_task_new (stream, cancellable, callback, user_data);

  g_task_set_source_tag (task, stream_close_async);
  g_io_stream_close_async (FD_COUNTED_STREAM (stream)->base, io_priority, cancellable, base_closed,
                           task);
}

static gboolean
stream_close_finish (GIOStream *stream, GAsyncResult *result, GError **error)
{
  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
fd_counted_stream_finalize (GObject *object)
{
  FdCountedStream *self = FD_COUNTED_STREAM (object);

  g_clear_object (&self->output);
  g_clear_object (&self->base);
  G_OBJECT_CLASS (fd_counted_stream_parent_class)->finalize (object);
}

static void
fd_counted_stream_class_init (FdCountedStreamClass *klass)
{
  GIOStreamClass *io_class = G_IO_STREAM_CLASS (klass);

  G_OBJECT_CLASS (klass)->finalize = fd_counted_stream_finalize;
  io_class->get_input_stream = get_input_stream;
  io_class->get_output_stream = get_output_stream;
  io_class->close_fn = stream_close;
  io_class->close_async = stream_close_async;
  io_class->close_finish = stream_close_finish;
}

static void
fd_counted_stream_init (FdCountedStream *self)
{
}

FdCountedStream *
fd_counted_stream_new (GIOStream *base, FdCountedFunc func, gpointer user_data)
{
  FdCountedStream *self = g_object_new (FD_TYPE_COUNTED_STREAM, NULL);

  self->base = g_object_ref (base);
  self->output = g_object_new (FD_TYPE_COUNTED_OUTPUT, NULL);
  self->output->base = g_object_ref (g_io_stream_get_output_stream (base));
  fd_counted_output_set_func (self->output, func, user_data);
  return self;
}

void
fd_counted_stream_forget (FdCountedStream *self)
{
  fd_counted_output_set_func (self->output, NULL, NULL);
}
