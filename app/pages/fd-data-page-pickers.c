/* fd-data-page-pickers.c — the Data pane's pickers: the workspace's tags (GET /tags), the
 * chosen tag's numeric fields (GET /tags/{tag}/fields), and any number of its devices (of the
 * first FD_DATA_PAGE_MAX_DEVICES by name) and fleets, none meaning all. The devices' and
 * fleets' names are also what the raw table shows for their ids. A choice made keeps its
 * place when a list is read again, if it is still there.
 */
#include "config.h"

#include <glib/gi18n.h>

#include "fd-data-page-private.h"
#include "fd-json.h"
#include "fd-ui.h"

/* Replaces the strings of @list with @strings, keeping @keep selected in @dropdown if it is
 * still there (else the first). */
void
fd_data_page_fill (FdDataPage *self, GtkDropDown *dropdown, GtkStringList *list,
                   const char *const *strings, guint keep)
{
  self->choices_changing = TRUE;
  gtk_string_list_splice (list, 0, g_list_model_get_n_items (G_LIST_MODEL (list)), strings);
  gtk_drop_down_set_selected (dropdown, keep < g_strv_length ((char **)strings) ? keep : 0);
  self->choices_changing = FALSE;
}

/* Fields */

static void
fd_data_page_choose_field (FdDataPage *self)
{
  guint selected = gtk_drop_down_get_selected (self->field_dropdown);
  const char *field = selected != GTK_INVALID_LIST_POSITION
                          ? gtk_string_list_get_string (self->field_list, selected)
                          : NULL;

  g_free (self->field);
  self->field = g_strdup (field);
}

static void
fd_data_page_fields_loaded_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (FdDataPage) self = user_data;
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) objects = NULL;
  g_autoptr (GPtrArray) paths = g_ptr_array_new ();
  guint keep = 0;

  objects = fd_api_client_list_all_finish (FD_API_CLIENT (source), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  g_clear_object (&self->fields_cancellable);
  if (objects == NULL)
    fd_ui_toast_error (GTK_WIDGET (self), error);

  /* A path seen with two types is listed twice: once is enough. */
  for (guint i = 0; objects != NULL && i < objects->len; i++)
    {
      const char *path = fd_json_get_string (objects->pdata[i], "path");
      const char *type = fd_json_get_string (objects->pdata[i], "type");

      if (path != NULL && g_strcmp0 (type, "number") == 0
          && !g_ptr_array_find_with_equal_func (paths, path, g_str_equal, NULL))
        g_ptr_array_add (paths, (gpointer)path);
    }
  /* The field chosen before stays chosen if the tag has it. */
  for (guint i = 0; self->field != NULL && i < paths->len; i++)
    if (g_str_equal (paths->pdata[i], self->field))
      keep = i;
  g_ptr_array_add (paths, NULL);
  fd_data_page_fill (self, self->field_dropdown, self->field_list,
                     (const char *const *)paths->pdata, keep);
  gtk_widget_set_sensitive (GTK_WIDGET (self->field_dropdown), paths->len > 1);
  fd_data_page_choose_field (self);
  fd_data_page_refresh (self);
}

static void
fd_data_page_load_fields (FdDataPage *self)
{
  g_autofree char *path = NULL;

  g_cancellable_cancel (self->fields_cancellable);
  g_clear_object (&self->fields_cancellable);
  if (self->client == NULL || self->workspace == NULL || self->tag == NULL)
    return;
  self->fields_cancellable = g_cancellable_new ();
  path = fd_api_path ("workspaces", fd_workspace_get_id (self->workspace), "tags", self->tag,
                      "fields", NULL);
  fd_api_client_list_all_async (self->client, path, self->fields_cancellable,
                                fd_data_page_fields_loaded_cb, g_object_ref (self));
}

/* Tags */

static void
fd_data_page_choose_tag (FdDataPage *self)
{
  guint selected = gtk_drop_down_get_selected (self->tag_dropdown);
  const char *tag = selected != GTK_INVALID_LIST_POSITION
                        ? gtk_string_list_get_string (self->tag_list, selected)
                        : NULL;

  if (g_strcmp0 (tag, self->tag) == 0 && self->fields_cancellable == NULL
      && g_list_model_get_n_items (G_LIST_MODEL (self->field_list)) > 0)
    return;
  g_free (self->tag);
  self->tag = g_strdup (tag);
  fd_data_page_load_fields (self);
}

static void
fd_data_page_tags_loaded_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (FdDataPage) self = user_data;
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) objects = NULL;
  g_autoptr (GPtrArray) tags = g_ptr_array_new ();

  objects = fd_api_client_list_all_finish (FD_API_CLIENT (source), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  g_clear_object (&self->tags_cancellable);
  self->tags_loading = FALSE;
  if (objects == NULL)
    {
      fd_ui_toast_error (GTK_WIDGET (self), error);
      fd_data_page_update_view (self);
      return;
    }

  for (guint i = 0; i < objects->len; i++)
    {
      const char *tag = fd_json_get_string (objects->pdata[i], "tag");

      if (tag != NULL)
        g_ptr_array_add (tags, (gpointer)tag);
    }
  g_ptr_array_add (tags, NULL);
  {
    g_autofree char *kept = g_strdup (self->tag);
    guint keep = 0;

    for (guint i = 0; kept != NULL && tags->pdata[i] != NULL; i++)
      if (g_str_equal (tags->pdata[i], kept))
        keep = i;
    fd_data_page_fill (self, self->tag_dropdown, self->tag_list, (const char *const *)tags->pdata,
                       keep);
  }
  fd_data_page_update_view (self);
  fd_data_page_choose_tag (self);
}

/* Devices and fleets: the pickers, and the names the table shows. */

static void
fd_data_page_fill_names (FdDataPage *self, GPtrArray *objects, FdMultiPicker *picker,
                         GHashTable *names)
{
  g_autoptr (GPtrArray) ids = g_ptr_array_new ();
  g_autoptr (GPtrArray) labels = g_ptr_array_new ();

  g_hash_table_remove_all (names);
  for (guint i = 0; objects != NULL && i < objects->len; i++)
    {
      const char *id = fd_json_get_string (objects->pdata[i], "id");
      const char *name = fd_json_get_string (objects->pdata[i], "name");

      if (id == NULL || name == NULL)
        continue;
      g_ptr_array_add (ids, (gpointer)id);
      g_ptr_array_add (labels, (gpointer)name);
      g_hash_table_replace (names, g_strdup (id), g_strdup (name));
    }
  fd_multi_picker_set_items (picker, (const char *const *)ids->pdata,
                             (const char *const *)labels->pdata, ids->len);
}

static void
fd_data_page_fleets_loaded_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (FdDataPage) self = user_data;
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) objects = NULL;

  objects = fd_api_client_list_all_finish (FD_API_CLIENT (source), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  if (objects == NULL)
    fd_ui_toast_error (GTK_WIDGET (self), error);
  fd_data_page_fill_names (self, objects, self->fleet_picker, self->fleet_names);
}

static void
fd_data_page_devices_loaded_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (FdDataPage) self = user_data;
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonNode) node = NULL;
  g_autoptr (GPtrArray) objects = g_ptr_array_new ();
  JsonArray *list = NULL;

  node = fd_api_client_request_finish (FD_API_CLIENT (source), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  if (node != NULL)
    list = fd_json_get_list (node, NULL, &error);
  if (list == NULL)
    fd_ui_toast_error (GTK_WIDGET (self), error);
  for (guint i = 0; list != NULL && i < json_array_get_length (list); i++)
    {
      JsonNode *element = json_array_get_element (list, i);

      if (JSON_NODE_HOLDS_OBJECT (element))
        g_ptr_array_add (objects, json_node_get_object (element));
    }
  fd_data_page_fill_names (self, objects, self->device_picker, self->device_names);
}

static void
fd_data_page_load_names (FdDataPage *self)
{
  g_autofree char *fleets = NULL;
  g_autofree char *base = NULL;
  g_autoptr (GString) devices = NULL;
  g_autofree char *size = g_strdup_printf ("%d", FD_DATA_PAGE_MAX_DEVICES);

  g_cancellable_cancel (self->names_cancellable);
  g_clear_object (&self->names_cancellable);
  if (self->client == NULL || self->workspace == NULL)
    return;
  self->names_cancellable = g_cancellable_new ();
  fleets = fd_api_path ("workspaces", fd_workspace_get_id (self->workspace), "fleets", NULL);
  fd_api_client_list_all_async (self->client, fleets, self->names_cancellable,
                                fd_data_page_fleets_loaded_cb, g_object_ref (self));
  base = fd_api_path ("workspaces", fd_workspace_get_id (self->workspace), "devices", NULL);
  devices = g_string_new (base);
  fd_api_path_add_query (devices, "sort", "name");
  fd_api_path_add_query (devices, "size", size);
  fd_api_client_request_async (self->client, "GET", devices->str, NULL, self->names_cancellable,
                               fd_data_page_devices_loaded_cb, g_object_ref (self));
}

void
fd_data_page_reload (FdDataPage *self)
{
  g_autofree char *path = NULL;

  g_return_if_fail (FD_IS_DATA_PAGE (self));

  g_cancellable_cancel (self->tags_cancellable);
  g_clear_object (&self->tags_cancellable);
  self->tags_loading = FALSE;
  if (self->client != NULL && self->workspace != NULL)
    {
      self->tags_cancellable = g_cancellable_new ();
      self->tags_loading = TRUE;
      path = fd_api_path ("workspaces", fd_workspace_get_id (self->workspace), "tags", NULL);
      fd_api_client_list_all_async (self->client, path, self->tags_cancellable,
                                    fd_data_page_tags_loaded_cb, g_object_ref (self));
      fd_data_page_load_names (self);
    }
  fd_data_page_update_view (self);
}

/* The pickers' callbacks */

void
fd_data_page_tag_dropdown_changed_cb (FdDataPage *self)
{
  if (!self->choices_changing)
    fd_data_page_choose_tag (self);
}

void
fd_data_page_field_dropdown_changed_cb (FdDataPage *self)
{
  if (self->choices_changing)
    return;
  fd_data_page_choose_field (self);
  fd_data_page_fetch_series (self);
  fd_data_page_emit_selection_changed (self);
}

void
fd_data_page_choice_changed_cb (FdDataPage *self)
{
  if (self->tag != NULL)
    fd_data_page_refresh (self);
}
