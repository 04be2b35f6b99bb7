/* fd-files.c — the user's files: choosing them, reading them within a bound, writing secrets
 * privately.
 *
 * GtkFileDialog is GTK 4.10: the chooser is a GtkFileChooserNative, wrapped in a GTask so
 * that callers read like every other asynchronous step.
 */
#include "config.h"

#include <glib/gi18n.h>

#include "fd-files.h"

G_DEFINE_QUARK (fd - files - error - quark, fd_files_error)

/* Choosing */

typedef struct
{
  GtkFileChooserNative *native;
  gulong cancel_id;
} FdChoose;

static void
fd_choose_free (FdChoose *choose)
{
  if (choose->native != NULL)
    gtk_native_dialog_destroy (GTK_NATIVE_DIALOG (choose->native));
  g_clear_object (&choose->native);
  g_free (choose);
}

static void
fd_files_choose_response_cb (GtkNativeDialog *native, int response, gpointer user_data)
{
  g_autoptr (GTask) task = user_data;
  FdChoose *choose = g_task_get_task_data (task);
  GCancellable *cancellable = g_task_get_cancellable (task);

  if (choose->cancel_id != 0)
    g_cancellable_disconnect (cancellable, choose->cancel_id);
  choose->cancel_id = 0;
  g_signal_handlers_disconnect_by_func (native, fd_files_choose_response_cb, user_data);

  if (g_task_return_error_if_cancelled (task))
    return;
  if (response == GTK_RESPONSE_ACCEPT)
    g_task_return_pointer (task, gtk_file_chooser_get_file (GTK_FILE_CHOOSER (native)),
                           g_object_unref);
  else
    g_task_return_pointer (task, NULL, NULL);
}

static gboolean
fd_files_choose_cancel_idle (gpointer data)
{
  GtkNativeDialog *native = data;

  /* Answers "cancel" through the response handler, which sees the task cancelled. */
  gtk_native_dialog_hide (native);
  g_signal_emit_by_name (native, "response", GTK_RESPONSE_CANCEL);
  return G_SOURCE_REMOVE;
}

static void
fd_files_choose_cancelled_cb (GCancellable *cancellable, GtkNativeDialog *native)
{
  /* Not from this handler: the response handler disconnects it, which would deadlock here. */
  g_idle_add_full (G_PRIORITY_DEFAULT, fd_files_choose_cancel_idle, g_object_ref (native),
                   g_object_unref);
}

void
fd_files_choose_async (GtkWindow *parent, GtkFileChooserAction action, const char *title,
                       const char *accept_label, const char *current_name, GtkFileFilter *filter,
                       GCancellable *cancellable, GAsyncReadyCallback callback, gpointer user_data)
{
  GTask *task = g_task_new (NULL, cancellable, callback, user_data);
  FdChoose *choose = g_new0 (FdChoose, 1);

  g_task_set_source_tag (task, fd_files_choose_async);
  g_task_set_task_data (task, choose, (GDestroyNotify)fd_choose_free);

  choose->native = gtk_file_chooser_native_new (title, parent, action, accept_label, NULL);
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (choose->native), TRUE);
  if (current_name != NULL && action == GTK_FILE_CHOOSER_ACTION_SAVE)
    gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (choose->native), current_name);
  if (filter != NULL)
    {
      g_autoptr (GtkFileFilter) all = gtk_file_filter_new ();

      gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (choose->native), filter);
      gtk_file_filter_set_name (all, _ ("All Files"));
      gtk_file_filter_add_pattern (all, "*");
      gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (choose->native), all);
      gtk_file_chooser_set_filter (GTK_FILE_CHOOSER (choose->native), filter);
    }

  /* The task's own reference is the one the response handler drops. */
  g_signal_connect (choose->native, "response", G_CALLBACK (fd_files_choose_response_cb), task);
  if (cancellable != NULL)
    choose->cancel_id = g_cancellable_connect (
        cancellable, G_CALLBACK (fd_files_choose_cancelled_cb), choose->native, NULL);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (choose->native));
}

GFile *
fd_files_choose_finish (GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == fd_files_choose_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/* Reading */

static void
fd_files_read_thread (GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
  GFile *file = source;
  gsize max_bytes = GPOINTER_TO_SIZE (task_data);
  g_autoptr (GFileInfo) info = NULL;
  g_autoptr (GFileInputStream) stream = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *name = g_file_get_basename (file);
  g_autofree char *limit = g_format_size_full (max_bytes, G_FORMAT_SIZE_IEC_UNITS);
  g_autofree guint8 *buffer = NULL;
  gsize got = 0;

  info = g_file_query_info (file, G_FILE_ATTRIBUTE_STANDARD_SIZE, G_FILE_QUERY_INFO_NONE,
                            cancellable, &error);
  if (info == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  if ((guint64)g_file_info_get_size (info) > max_bytes)
    {
      /* In bytes too: a file just over the limit rounds to the limit. */
      g_autofree char *size = g_format_size_full (
          g_file_info_get_size (info), G_FORMAT_SIZE_IEC_UNITS | G_FORMAT_SIZE_LONG_FORMAT);

      g_task_return_new_error (task, FD_FILES_ERROR, FD_FILES_ERROR_TOO_LARGE,
                               _ ("“%s” is %s, over the limit of %s."), name, size, limit);
      return;
    }

  stream = g_file_read (file, cancellable, &error);
  if (stream == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  /* One byte more than allowed tells a file that grew since it was measured. */
  buffer = g_malloc (max_bytes + 1);
  if (!g_input_stream_read_all (G_INPUT_STREAM (stream), buffer, max_bytes + 1, &got, cancellable,
                                &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  if (got > max_bytes)
    {
      g_task_return_new_error (task, FD_FILES_ERROR, FD_FILES_ERROR_TOO_LARGE,
                               _ ("“%s” is larger than %s."), name, limit);
      return;
    }
  g_task_return_pointer (task, g_bytes_new_take (g_steal_pointer (&buffer), got),
                         (GDestroyNotify)g_bytes_unref);
}

void
fd_files_read_async (GFile *file, gsize max_bytes, GCancellable *cancellable,
                     GAsyncReadyCallback callback, gpointer user_data)
{
  g_autoptr (GTask) task = g_task_new (file, cancellable, callback, user_data);

  g_task_set_source_tag (task, fd_files_read_async);
  g_task_set_task_data (task, GSIZE_TO_POINTER (max_bytes), NULL);
  g_task_run_in_thread (task, fd_files_read_thread);
}

GBytes *
fd_files_read_finish (GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == fd_files_read_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/* Writing */

static void
fd_files_write_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GTask) task = user_data;
  GError *error = NULL;

  if (g_file_replace_contents_finish (G_FILE (source), result, NULL, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

void
fd_files_write_private_async (GFile *file, GBytes *bytes, GCancellable *cancellable,
                              GAsyncReadyCallback callback, gpointer user_data)
{
  GTask *task = g_task_new (file, cancellable, callback, user_data);

  g_task_set_source_tag (task, fd_files_write_private_async);
  /* Without REPLACE_DESTINATION, GIO copies the mode of the file being replaced onto the new
   * one: a key saved over an old 0644 file would be readable by everyone. */
  g_file_replace_contents_bytes_async (file, bytes, NULL, FALSE,
                                       G_FILE_CREATE_PRIVATE | G_FILE_CREATE_REPLACE_DESTINATION,
                                       cancellable, fd_files_write_cb, task);
}

gboolean
fd_files_write_private_finish (GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == fd_files_write_private_async,
                        FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

char *
fd_files_describe (GFile *file)
{
  char *path = g_file_get_path (file);

  if (path != NULL)
    return path;
  return g_file_get_parse_name (file);
}
