/* fd-import-window-save.c — the import's credentials into a folder: one <name>.zdevice.json per
 * credential, built from the credential's secret parts and the answer's endpoint and CA (the
 * layout of a single creation's zdevice), each created with mode 0600.
 *
 * A file already in the folder is never replaced (it may be another device's only copy of its
 * key): the new one is named <name>-<device id>.zdevice.json instead. The files are written in
 * a thread; the window stays responsive.
 */
#include "config.h"

#include <glib/gi18n.h>

#include "fd-files.h"
#include "fd-import-window-private.h"
#include "fd-json.h"
#include "fd-zdevice.h"

typedef struct
{
  char *name;     /* <device name>.zdevice.json */
  char *fallback; /* <device name>-<device id>.zdevice.json */
  GBytes *bytes;
} FdCredentialFile;

static void
fd_credential_file_free (FdCredentialFile *file)
{
  g_free (file->name);
  g_free (file->fallback);
  g_bytes_unref (file->bytes);
  g_free (file);
}

typedef struct
{
  GFile *folder;
  GPtrArray *files; /* FdCredentialFile */
  guint written;
} FdSave;

static void
fd_save_free (FdSave *save)
{
  g_object_unref (save->folder);
  g_ptr_array_unref (save->files);
  g_free (save);
}

/* Calls @func for every credential of the import answer @answer, with its device. */
static void
fd_import_window_foreach_credential (JsonNode *answer,
                                     void (*func) (JsonObject *device, JsonObject *credential,
                                                   gpointer data),
                                     gpointer data)
{
  JsonArray *items = fd_json_get_list (answer, NULL, NULL);
  guint n = items != NULL ? json_array_get_length (items) : 0;

  for (guint i = 0; i < n; i++)
    {
      JsonNode *element = json_array_get_element (items, i);
      JsonObject *item = JSON_NODE_HOLDS_OBJECT (element) ? json_node_get_object (element) : NULL;
      JsonObject *device = fd_json_get_member_object (item, "device");
      JsonNode *credentials = item != NULL ? json_object_get_member (item, "credentials") : NULL;
      JsonArray *array = credentials != NULL && JSON_NODE_HOLDS_ARRAY (credentials)
                             ? json_node_get_array (credentials)
                             : NULL;

      for (guint j = 0; device != NULL && array != NULL && j < json_array_get_length (array); j++)
        {
          JsonNode *credential = json_array_get_element (array, j);

          if (JSON_NODE_HOLDS_OBJECT (credential))
            func (device, json_node_get_object (credential), data);
        }
    }
}

typedef struct
{
  guint n_files;
  guint n_secrets;
} FdCount;

static void
fd_import_window_count_one (JsonObject *device, JsonObject *credential, gpointer data)
{
  FdCount *count = data;

  count->n_files++;
  if (fd_json_get_string (credential, "private_key") != NULL
      || fd_json_get_string (credential, "secret") != NULL)
    count->n_secrets++;
}

void
fd_import_window_count_files (JsonNode *answer, guint *n_files, guint *n_secrets)
{
  FdCount count = { 0, 0 };

  fd_import_window_foreach_credential (answer, fd_import_window_count_one, &count);
  *n_files = count.n_files;
  *n_secrets = count.n_secrets;
}

typedef struct
{
  JsonObject *endpoint;
  const char *cacert;
  JsonNode *firmware_key; /* the workspace's firmware signing key, or NULL */
  GPtrArray *files;
} FdCollect;

static void
fd_import_window_collect_one (JsonObject *device, JsonObject *credential, gpointer data)
{
  FdCollect *collect = data;
  const char *device_id = fd_json_get_string (device, "id");
  const char *name = fd_json_get_string (device, "name");
  g_autoptr (JsonNode) zdevice
      = fd_zdevice_from_import (credential, device_id, collect->endpoint, collect->cacert);
  g_autofree char *unique = g_strdup_printf ("%s-%s", name != NULL ? name : "", device_id);
  FdCredentialFile *file = g_new0 (FdCredentialFile, 1);

  /* Devices check the firmware they download with it, as in the server's own zdevice.json. */
  if (zdevice != NULL && collect->firmware_key != NULL)
    json_object_set_member (json_node_get_object (zdevice), "firmware_key",
                            json_node_copy (collect->firmware_key));
  file->name = fd_zdevice_file_name (name);
  file->fallback = fd_zdevice_file_name (unique);
  file->bytes = fd_zdevice_to_bytes (zdevice);
  g_ptr_array_add (collect->files, file);
}

static gboolean
fd_save_write (GFile *folder, const char *name, GBytes *bytes, GCancellable *cancellable,
               GError **error)
{
  g_autoptr (GFile) file = g_file_get_child (folder, name);
  g_autoptr (GFileOutputStream) stream = NULL;
  gsize size = 0;
  const guint8 *data = g_bytes_get_data (bytes, &size);

  stream = g_file_create (file, G_FILE_CREATE_PRIVATE, cancellable, error);
  if (stream == NULL)
    return FALSE;
  if (!g_output_stream_write_all (G_OUTPUT_STREAM (stream), data, size, NULL, cancellable, error))
    {
      /* A partial key file is worse than none. */
      g_output_stream_close (G_OUTPUT_STREAM (stream), NULL, NULL);
      g_file_delete (file, NULL, NULL);
      return FALSE;
    }
  return g_output_stream_close (G_OUTPUT_STREAM (stream), cancellable, error);
}

static void
fd_save_thread (GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
  FdSave *save = task_data;

  for (guint i = 0; i < save->files->len; i++)
    {
      FdCredentialFile *file = g_ptr_array_index (save->files, i);
      g_autoptr (GError) error = NULL;

      if (!fd_save_write (save->folder, file->name, file->bytes, cancellable, &error)
          && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_EXISTS))
        {
          g_clear_error (&error);
          fd_save_write (save->folder, file->fallback, file->bytes, cancellable, &error);
        }
      if (error != NULL)
        {
          g_task_return_new_error (
              task, error->domain, error->code,
              /* TRANSLATORS: the file, then why; the count says how many were written */
              g_dngettext (GETTEXT_PACKAGE, "%s: %s (%u file was written before it)",
                           "%s: %s (%u files were written before it)", save->written),
              file->name, error->message, save->written);
          return;
        }
      save->written++;
    }
  g_task_return_boolean (task, TRUE);
}

static void
fd_import_window_saved_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  FdImportWindow *self = FD_IMPORT_WINDOW (source);
  FdSave *save = g_task_get_task_data (G_TASK (result));
  g_autoptr (GError) error = NULL;
  g_autofree char *where = fd_files_describe (save->folder);
  g_autofree char *message = NULL;

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      message = g_strdup_printf (_ ("Could not save every credential file: %s"), error->message);
      gtk_label_set_label (self->saved_label, message);
      gtk_widget_add_css_class (GTK_WIDGET (self->saved_label), "error");
      gtk_widget_set_visible (GTK_WIDGET (self->saved_label), TRUE);
      gtk_widget_set_sensitive (self->save_button, TRUE);
      return;
    }

  self->saved = TRUE;
  message
      = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "Saved %u file in %s, readable only by you.",
                                      "Saved %u files in %s, readable only by you.", save->written),
                         save->written, where);
  gtk_label_set_label (self->saved_label, message);
  gtk_widget_remove_css_class (GTK_WIDGET (self->saved_label), "error");
  gtk_widget_set_visible (GTK_WIDGET (self->saved_label), TRUE);
  gtk_widget_set_sensitive (self->save_button, TRUE);
  fd_import_window_update (self);
}

static void
fd_import_window_folder_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (FdImportWindow) self = user_data;
  g_autoptr (GFile) folder = fd_files_choose_finish (result, NULL);
  JsonObject *answer = NULL;
  FdCollect collect = { 0 };
  g_autoptr (GTask) task = NULL;
  FdSave *save;

  if (folder == NULL || gtk_widget_in_destruction (GTK_WIDGET (self)))
    return;

  answer = json_node_get_object (self->answer);
  collect.endpoint = fd_json_get_member_object (answer, "endpoint");
  collect.cacert = fd_json_get_string (answer, "cacert");
  collect.firmware_key = json_object_get_member (answer, "firmware_key");
  collect.files = g_ptr_array_new_with_free_func ((GDestroyNotify)fd_credential_file_free);
  fd_import_window_foreach_credential (self->answer, fd_import_window_collect_one, &collect);

  save = g_new0 (FdSave, 1);
  save->folder = g_steal_pointer (&folder);
  save->files = collect.files;
  gtk_widget_set_sensitive (self->save_button, FALSE);
  task = g_task_new (self, self->cancellable, fd_import_window_saved_cb, NULL);
  g_task_set_source_tag (task, fd_import_window_folder_cb);
  g_task_set_task_data (task, save, (GDestroyNotify)fd_save_free);
  g_task_run_in_thread (task, fd_save_thread);
}

void
fd_import_window_save_to_folder (FdImportWindow *self)
{
  if (self->answer == NULL)
    return;
  fd_files_choose_async (GTK_WINDOW (self), GTK_FILE_CHOOSER_ACTION_SELECT_FOLDER,
                         _ ("Save Credentials to a Folder"), _ ("_Save Here"), NULL, NULL,
                         self->cancellable, fd_import_window_folder_cb, g_object_ref (self));
}
