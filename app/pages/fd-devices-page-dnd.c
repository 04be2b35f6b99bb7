/* fd-devices-page-dnd.c — files dropped on the "Devices" pane: a CSV file is imported (its
 * preview first), anything else is taken for a device's own certificate or CSR and opens
 * "Add Device" with it (which says what the file is if it is neither). */
#include "config.h"

#include "fd-devices-page-private.h"

static gboolean
fd_devices_page_is_csv (GFile *file)
{
  g_autofree char *name = g_file_get_basename (file);
  g_autofree char *lower = name != NULL ? g_ascii_strdown (name, -1) : NULL;
  g_autoptr (GFileInfo) info = NULL;
  const char *type;

  if (lower != NULL && g_str_has_suffix (lower, ".csv"))
    return TRUE;
  /* Local files only: the content type of a remote one is not worth a round trip here. */
  if (!g_file_is_native (file))
    return FALSE;
  info = g_file_query_info (file, G_FILE_ATTRIBUTE_STANDARD_FAST_CONTENT_TYPE,
                            G_FILE_QUERY_INFO_NONE, NULL, NULL);
  type = info != NULL
             ? g_file_info_get_attribute_string (info, G_FILE_ATTRIBUTE_STANDARD_FAST_CONTENT_TYPE)
             : NULL;
  return type != NULL && g_content_type_is_a (type, "text/csv");
}

static gboolean
fd_devices_page_drop_cb (GtkDropTarget *target, const GValue *value, double x, double y,
                         FdDevicesPage *self)
{
  GSList *files = gdk_file_list_get_files (g_value_get_boxed (value));
  GFile *file = files != NULL ? files->data : NULL;

  if (file == NULL || self->workspace == NULL)
    {
      g_slist_free (files);
      return FALSE;
    }
  if (fd_devices_page_is_csv (file))
    fd_devices_page_open_import (self, file);
  else
    fd_devices_page_open_provision (self, file);
  g_slist_free (files);
  return TRUE;
}

void
fd_devices_page_init_dnd (FdDevicesPage *self)
{
  GtkDropTarget *target = gtk_drop_target_new (GDK_TYPE_FILE_LIST, GDK_ACTION_COPY);

  g_signal_connect (target, "drop", G_CALLBACK (fd_devices_page_drop_cb), self);
  gtk_widget_add_controller (self->list_page, GTK_EVENT_CONTROLLER (target));
}
