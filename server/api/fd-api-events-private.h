/* fd-api-events-private.h — what the events endpoint's two files share. */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* @n bytes went to the base stream. */
typedef void (*FdCountedFunc) (gsize n, gpointer user_data);

#define FD_TYPE_COUNTED_OUTPUT (fd_counted_output_get_type ())
G_DECLARE_FINAL_TYPE (FdCountedOutput, fd_counted_output, FD, COUNTED_OUTPUT, GOutputStream)
void fd_counted_output_set_func (FdCountedOutput *self, FdCountedFunc func, gpointer user_data);

#define FD_TYPE_COUNTED_STREAM (fd_counted_stream_get_type ())
G_DECLARE_FINAL_TYPE (FdCountedStream, fd_counted_stream, FD, COUNTED_STREAM, GIOStream)

/* Reads from @base as it is; writes go to @base's output, and @func hears of each. */
FdCountedStream *fd_counted_stream_new (GIOStream *base, FdCountedFunc func, gpointer user_data);
/* @func is not called any more. */
void fd_counted_stream_forget (FdCountedStream *self);

G_END_DECLS
