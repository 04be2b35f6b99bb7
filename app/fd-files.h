/* fd-files.h — the user's files: choosing them, reading them within a bound, and writing
 * secrets so that only the user can read them. */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define FD_FILES_ERROR (fd_files_error_quark ())

typedef enum
{
  FD_FILES_ERROR_TOO_LARGE, /* the file is over the bound the caller gave */
} FdFilesError;

GQuark fd_files_error_quark (void);

/* Asks for a file (GtkFileChooserNative: the portal in a sandbox) with @action OPEN, SAVE
 * (suggesting @current_name) or SELECT_FOLDER. @filter may be NULL. Cancelling @cancellable
 * closes the chooser. */
void fd_files_choose_async (GtkWindow *parent, GtkFileChooserAction action, const char *title,
                            const char *accept_label, const char *current_name,
                            GtkFileFilter *filter, GCancellable *cancellable,
                            GAsyncReadyCallback callback, gpointer user_data);
/* The chosen file, or NULL without error when the user cancelled. */
GFile *fd_files_choose_finish (GAsyncResult *result, GError **error);

/* Reads @file in a thread if it is at most @max_bytes long; a longer one is an
 * FD_FILES_ERROR_TOO_LARGE error naming the bound, without reading it. */
void fd_files_read_async (GFile *file, gsize max_bytes, GCancellable *cancellable,
                          GAsyncReadyCallback callback, gpointer user_data);
GBytes *fd_files_read_finish (GAsyncResult *result, GError **error);

/* Writes @bytes to @file, replacing it, with mode 0600 even when it existed with another
 * mode (the temporary file is private and renamed over the old one). */
void fd_files_write_private_async (GFile *file, GBytes *bytes, GCancellable *cancellable,
                                   GAsyncReadyCallback callback, gpointer user_data);
gboolean fd_files_write_private_finish (GAsyncResult *result, GError **error);

/* A name the user sees for @file: its display name, or its path. */
char *fd_files_describe (GFile *file);

G_END_DECLS
