/* fd-firmware-page-list.c — the pane's firmware list: a column view of the workspace's
 * firmware (version, target, size, the start of its SHA-256, when it was uploaded, whether a
 * campaign uses it) with a Delete button per row; and the stores of API objects the pane's
 * lists share.
 */
#include "config.h"

#include <glib/gi18n.h>

#include "fd-firmware-page-private.h"
#include "fd-format.h"
#include "fd-json.h"
#include "fd-ui.h"

/* Stores of API objects */

FdJsonItem *
fd_json_store_find (GListStore *store, const char *id, guint *position)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (store));

  for (guint i = 0; id != NULL && i < n; i++)
    {
      g_autoptr (FdJsonItem) item = g_list_model_get_item (G_LIST_MODEL (store), i);

      if (g_strcmp0 (fd_json_item_get_key (item), id) == 0)
        {
          if (position != NULL)
            *position = i;
          return item; /* the store keeps its reference */
        }
    }
  return NULL;
}

void
fd_json_store_replace (GListStore *store, GPtrArray *items)
{
  g_autoptr (GPtrArray) fresh = g_ptr_array_new_with_free_func (g_object_unref);

  for (guint i = 0; i < items->len; i++)
    {
      JsonObject *object = g_ptr_array_index (items, i);
      FdJsonItem *kept = fd_json_store_find (store, fd_json_get_string (object, "id"), NULL);

      FdJsonItem *item;

      if (kept != NULL)
        {
          fd_json_item_replace (kept, object);
          g_ptr_array_add (fresh, g_object_ref (kept));
        }
      else if ((item = fd_json_item_new (object, "id")) != NULL)
        g_ptr_array_add (fresh, item);
    }
  g_list_store_splice (store, 0, g_list_model_get_n_items (G_LIST_MODEL (store)), fresh->pdata,
                       fresh->len);
}

/* Firmware list */

static char *
fd_firmware_version_text (JsonObject *object, const char **css_class)
{
  return fd_json_dup_string (object, "version");
}

static char *
fd_firmware_target_text (JsonObject *object, const char **css_class)
{
  const char *target = fd_json_get_string (object, "target");

  /* TRANSLATORS: the Target column of firmware made for any device */
  return g_strdup (target != NULL && *target != '\0' ? target : C_ ("firmware target", "Any"));
}

static char *
fd_firmware_size_text (JsonObject *object, const char **css_class)
{
  return fd_format_size ((guint64)MAX (fd_json_get_int (object, "size", 0), 0));
}

static char *
fd_firmware_sha_text (JsonObject *object, const char **css_class)
{
  const char *sha = fd_json_get_string (object, "sha256");

  if (css_class != NULL)
    *css_class = "dim-label";
  return sha != NULL ? g_strndup (sha, 12) : NULL;
}

static char *
fd_firmware_created_text (JsonObject *object, const char **css_class)
{
  if (css_class != NULL)
    *css_class = "dim-label";
  return fd_json_format_time (fd_json_get_string (object, "created_at"));
}

static char *
fd_firmware_in_use_text (JsonObject *object, const char **css_class)
{
  JsonNode *node = json_object_get_member (object, "in_use");
  gboolean in_use = node != NULL && JSON_NODE_HOLDS_VALUE (node) && json_node_get_boolean (node);

  /* TRANSLATORS: the In Use column: a running or paused campaign uses the firmware */
  return g_strdup (in_use ? C_ ("firmware in use", "Yes") : C_ ("firmware in use", "No"));
}

static void
fd_firmware_page_delete_clicked_cb (GtkButton *button, FdFirmwarePage *self)
{
  GtkListItem *list_item = g_object_get_data (G_OBJECT (button), "fd-list-item");
  FdJsonItem *item = gtk_list_item_get_item (list_item);

  if (item != NULL)
    fd_firmware_page_confirm_delete (self, fd_json_item_get_object (item));
}

static void
fd_firmware_page_delete_setup_cb (GtkSignalListItemFactory *factory, GtkListItem *list_item,
                                  FdFirmwarePage *self)
{
  GtkWidget *button = gtk_button_new_from_icon_name ("user-trash-symbolic");

  gtk_widget_set_tooltip_text (button, _ ("Delete Firmware"));
  gtk_accessible_update_property (GTK_ACCESSIBLE (button), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _ ("Delete"), -1);
  gtk_widget_add_css_class (button, "flat");
  gtk_widget_set_halign (button, GTK_ALIGN_CENTER);
  g_object_set_data (G_OBJECT (button), "fd-list-item", list_item);
  g_signal_connect_object (button, "clicked", G_CALLBACK (fd_firmware_page_delete_clicked_cb), self,
                           0);
  gtk_list_item_set_child (list_item, button);
}

GtkColumnView *
fd_firmware_page_firmware_view_new (FdFirmwarePage *self)
{
  GtkSortListModel *sorted
      = gtk_sort_list_model_new (G_LIST_MODEL (g_object_ref (self->firmware)), NULL);
  GtkColumnView *view = GTK_COLUMN_VIEW (
      gtk_column_view_new (GTK_SELECTION_MODEL (gtk_no_selection_new (G_LIST_MODEL (sorted)))));
  GtkListItemFactory *factory;
  GtkColumnViewColumn *column;
  const FdJsonItemColumnSpec columns[] = {
    { C_ ("column", "Version"), fd_firmware_version_text, NULL, TRUE, 0 },
    { C_ ("column", "Target"), fd_firmware_target_text, NULL, FALSE, 0 },
    { C_ ("column", "Size"), fd_firmware_size_text, NULL, FALSE, 0 },
    { C_ ("column", "SHA-256"), fd_firmware_sha_text, NULL, FALSE, 0 },
    { C_ ("column", "Created"), fd_firmware_created_text, "created_at", FALSE, 0 },
    { C_ ("column", "In Use"), fd_firmware_in_use_text, NULL, FALSE, 0 },
  };

  gtk_sort_list_model_set_sorter (sorted, gtk_column_view_get_sorter (view));
  fd_json_item_append_columns (view, columns, G_N_ELEMENTS (columns));
  factory = gtk_signal_list_item_factory_new ();
  g_signal_connect_object (factory, "setup", G_CALLBACK (fd_firmware_page_delete_setup_cb), self,
                           0);
  column = gtk_column_view_column_new (NULL, factory);
  gtk_column_view_append_column (view, column);
  g_object_unref (column);
  gtk_widget_add_css_class (GTK_WIDGET (view), "data-table");
  return view;
}

static void
fd_firmware_page_firmware_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (FdFirmwarePage) self = user_data;
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) items
      = fd_api_client_list_all_finish (FD_API_CLIENT (source), result, &error);

  if (items == NULL)
    {
      fd_ui_toast_error (GTK_WIDGET (self), error);
      return;
    }
  fd_json_store_replace (self->firmware, items);
  gtk_stack_set_visible_child_name (self->firmware_stack, items->len > 0 ? "list" : "empty");
}

void
fd_firmware_page_load_firmware (FdFirmwarePage *self)
{
  g_autofree char *path = NULL;

  if (self->client == NULL || self->workspace == NULL)
    return;
  path = fd_api_path ("workspaces", fd_workspace_get_id (self->workspace), "firmware", NULL);
  fd_api_client_list_all_async (self->client, path, self->cancellable, fd_firmware_page_firmware_cb,
                                g_object_ref (self));
}
