/* fd-data-page.c — the "Data" pane.
 *
 * The pickers come first: the workspace's tags (GET /tags), the chosen tag's numeric fields
 * (GET /tags/{tag}/fields), its devices and fleets. Every change of the selection fetches the
 * chart's series and restarts the raw table's paged model for the range. The range (presets,
 * custom, the chart's zoom) is in fd-data-page-range.c, the series and live following in
 * fd-data-page-series.c. A workspace without tags shows the "No Data Yet" state.
 */
#include "config.h"

#include <glib/gi18n.h>

#include "fd-data-page-private.h"
#include "fd-json.h"
#include "fd-ui.h"

G_DEFINE_FINAL_TYPE (FdDataPage, fd_data_page, FD_TYPE_PANE)

G_DEFINE_BOXED_TYPE (FdDataSelection, fd_data_selection, fd_data_selection_copy,
                     fd_data_selection_free)

enum
{
  SELECTION_CHANGED,
  EXPORT_REQUESTED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

/* The selection */

FdDataSelection *
fd_data_selection_copy (const FdDataSelection *selection)
{
  FdDataSelection *copy = g_new0 (FdDataSelection, 1);

  *copy = *selection;
  copy->workspace_id = g_strdup (selection->workspace_id);
  copy->tag = g_strdup (selection->tag);
  copy->field = g_strdup (selection->field);
  copy->devices = g_strdupv (selection->devices);
  copy->fleets = g_strdupv (selection->fleets);
  return copy;
}

void
fd_data_selection_free (FdDataSelection *selection)
{
  if (selection == NULL)
    return;
  g_free (selection->workspace_id);
  g_free (selection->tag);
  g_free (selection->field);
  g_strfreev (selection->devices);
  g_strfreev (selection->fleets);
  g_free (selection);
}

static void
fd_data_page_add_ids_query (GString *path, const char *key, char **ids)
{
  for (guint i = 0; ids[i] != NULL; i++)
    fd_api_path_add_query (path, key, ids[i]);
}

void
fd_data_page_add_choice_query (FdDataPage *self, GString *path)
{
  g_auto (GStrv) devices = fd_multi_picker_get_chosen (self->device_picker);
  g_auto (GStrv) fleets = fd_multi_picker_get_chosen (self->fleet_picker);

  fd_data_page_add_ids_query (path, "device", devices);
  fd_data_page_add_ids_query (path, "fleet", fleets);
}

FdDataSelection *
fd_data_page_get_selection (FdDataPage *self)
{
  FdDataSelection *selection;

  g_return_val_if_fail (FD_IS_DATA_PAGE (self), NULL);

  if (self->workspace == NULL)
    return NULL;
  selection = g_new0 (FdDataSelection, 1);
  selection->workspace_id = g_strdup (fd_workspace_get_id (self->workspace));
  selection->tag = g_strdup (self->tag);
  selection->field = g_strdup (self->field);
  selection->devices = fd_multi_picker_get_chosen (self->device_picker);
  selection->fleets = fd_multi_picker_get_chosen (self->fleet_picker);
  selection->start = self->start;
  selection->end = self->end;
  selection->aggregated = self->aggregated;
  selection->bucket_ms = self->aggregated ? self->bucket_ms : 0;
  return selection;
}

void
fd_data_page_emit_selection_changed (FdDataPage *self)
{
  g_signal_emit (self, signals[SELECTION_CHANGED], 0);
}

/* The view */

void
fd_data_page_update_view (FdDataPage *self)
{
  const char *name;

  if (self->workspace == NULL)
    name = "no-workspace";
  else if (g_list_model_get_n_items (G_LIST_MODEL (self->tag_list)) > 0)
    name = "data";
  else if (self->tags_loading)
    name = "loading";
  else
    name = "empty";
  gtk_stack_set_visible_child_name (self->stack, name);
}

char *
fd_data_page_rows_path (FdDataPage *self, gint64 start, gint64 end)
{
  g_autofree char *base
      = fd_api_path ("workspaces", fd_workspace_get_id (self->workspace), "data", NULL);
  GString *path = g_string_new (base);
  g_autofree char *start_text = g_strdup_printf ("%" G_GINT64_FORMAT, start);
  g_autofree char *end_text = g_strdup_printf ("%" G_GINT64_FORMAT, end);

  fd_api_path_add_query (path, "tag", self->tag);
  fd_data_page_add_choice_query (self, path);
  fd_api_path_add_query (path, "start", start_text);
  fd_api_path_add_query (path, "end", end_text);
  fd_api_path_add_query (path, "sort", "-timestamp_device");
  return g_string_free (path, FALSE);
}

/* Restarts the raw table for the selection: newest first, in the range. */
static void
fd_data_page_refresh_rows (FdDataPage *self)
{
  g_autofree char *path = NULL;

  if (self->rows == NULL)
    return;
  g_clear_handle_id (&self->rows_source, g_source_remove);
  if (self->workspace == NULL || self->tag == NULL)
    {
      fd_data_rows_set_query (self->rows, NULL, NULL, NULL);
      return;
    }
  path = fd_data_page_rows_path (self, self->start, self->end);
  self->rows_start = self->start;
  fd_data_rows_set_query (self->rows, path, self->device_names, self->fleet_names);
}

void
fd_data_page_refresh (FdDataPage *self)
{
  fd_data_page_fetch_series (self);
  fd_data_page_refresh_rows (self);
  fd_data_page_emit_selection_changed (self);
}

/* "No readings in this range" over the table when its query found none. */
static void
fd_data_page_rows_changed_cb (FdDataPage *self)
{
  gtk_widget_set_visible (self->table_empty,
                          self->tag != NULL && !fd_data_rows_get_loading (self->rows)
                              && g_list_model_get_n_items (G_LIST_MODEL (self->rows)) == 0);
}

static void
fd_data_page_rows_failed_cb (FdDataPage *self, const GError *error)
{
  fd_ui_toast_error (GTK_WIDGET (self), error);
}

/* Actions */

static GtkWidget *
fd_data_page_find_search_entry (GtkWidget *widget)
{
  if (GTK_IS_SEARCH_ENTRY (widget))
    return widget;
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = fd_data_page_find_search_entry (child);

      if (found != NULL)
        return found;
    }
  return NULL;
}

/* The tag picker's list was shown: after Ctrl+F, the keyboard goes to its search entry (the
 * drop-down itself focuses the list). */
static void
fd_data_page_tag_list_mapped_cb (FdDataPage *self, GtkWidget *popover)
{
  GtkWidget *entry = fd_data_page_find_search_entry (popover);

  if (self->search_pending && entry != NULL)
    gtk_widget_grab_focus (entry);
  self->search_pending = FALSE;
}

static void
fd_data_page_search (GtkWidget *widget, const char *action, GVariant *param)
{
  FdDataPage *self = FD_DATA_PAGE (widget);

  if (!gtk_widget_is_sensitive (GTK_WIDGET (self->tag_dropdown))
      || !gtk_widget_get_mapped (GTK_WIDGET (self->tag_dropdown)))
    return;
  self->search_pending = TRUE;
  gtk_widget_grab_focus (GTK_WIDGET (self->tag_dropdown));
  g_signal_emit_by_name (self->tag_dropdown, "activate");
}

static void
fd_data_page_export (GtkWidget *widget, const char *action, GVariant *param)
{
  g_signal_emit (widget, signals[EXPORT_REQUESTED], 0);
}

/* Public API */

void
fd_data_page_set_export_enabled (FdDataPage *self, gboolean enabled)
{
  g_return_if_fail (FD_IS_DATA_PAGE (self));

  self->export_enabled = enabled;
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "data.export", enabled);
}

void
fd_data_page_set_client (FdDataPage *self, FdApiClient *client)
{
  g_return_if_fail (FD_IS_DATA_PAGE (self));

  if (!g_set_object (&self->client, client))
    return;
  g_clear_object (&self->rows);
  if (client != NULL)
    {
      GtkNoSelection *selection;

      self->rows = fd_data_rows_new (client, FD_DATA_PAGE_PAGE_SIZE);
      g_signal_connect_object (self->rows, "failed", G_CALLBACK (fd_data_page_rows_failed_cb), self,
                               G_CONNECT_SWAPPED);
      g_signal_connect_object (self->rows, "head-updated",
                               G_CALLBACK (fd_data_page_rows_head_updated_cb), self,
                               G_CONNECT_SWAPPED);
      g_signal_connect_object (self->rows, "items-changed",
                               G_CALLBACK (fd_data_page_rows_changed_cb), self, G_CONNECT_SWAPPED);
      selection = gtk_no_selection_new (g_object_ref (G_LIST_MODEL (self->rows)));
      gtk_column_view_set_model (self->table, GTK_SELECTION_MODEL (selection));
      g_object_unref (selection);
    }
  else
    gtk_column_view_set_model (self->table, NULL);
  fd_data_page_reload (self);
}

void
fd_data_page_set_events (FdDataPage *self, FdEventsClient *events)
{
  g_return_if_fail (FD_IS_DATA_PAGE (self));

  if (self->events != NULL)
    g_signal_handlers_disconnect_by_data (self->events, self);
  if (!g_set_object (&self->events, events) || events == NULL)
    return;
  g_signal_connect_object (events, "data", G_CALLBACK (fd_data_page_data_event_cb), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (events, "resync", G_CALLBACK (fd_data_page_reload), self,
                           G_CONNECT_SWAPPED);
}

void
fd_data_page_set_workspace (FdDataPage *self, FdWorkspace *workspace)
{
  g_return_if_fail (FD_IS_DATA_PAGE (self));

  if (!g_set_object (&self->workspace, workspace))
    return;
  /* Nothing of the last workspace's is shown for this one. */
  fd_data_page_cancel_series (self);
  g_cancellable_cancel (self->fields_cancellable);
  g_clear_pointer (&self->tag, g_free);
  g_clear_pointer (&self->field, g_free);
  fd_multi_picker_set_items (self->device_picker, NULL, NULL, 0);
  fd_multi_picker_set_items (self->fleet_picker, NULL, NULL, 0);
  fd_data_page_fill (self, self->tag_dropdown, self->tag_list, (const char *const[]){ NULL }, 0);
  fd_data_page_fill (self, self->field_dropdown, self->field_list, (const char *const[]){ NULL },
                     0);
  fd_chart_clear (self->chart);
  g_hash_table_remove_all (self->series_ids);
  if (self->rows != NULL)
    fd_data_rows_set_query (self->rows, NULL, NULL, NULL);
  fd_data_page_renew_preset (self);
  fd_data_page_reload (self);
  fd_data_page_emit_selection_changed (self);
}

GtkWidget *
fd_data_page_get_chart (FdDataPage *self)
{
  g_return_val_if_fail (FD_IS_DATA_PAGE (self), NULL);
  return GTK_WIDGET (self->chart);
}

GListModel *
fd_data_page_get_rows (FdDataPage *self)
{
  g_return_val_if_fail (FD_IS_DATA_PAGE (self), NULL);
  return self->rows != NULL ? G_LIST_MODEL (self->rows) : NULL;
}

guint
fd_data_page_get_series_requests (FdDataPage *self)
{
  g_return_val_if_fail (FD_IS_DATA_PAGE (self), 0);
  return self->series_requests;
}

/* GtkWidget */

static void
fd_data_page_size_allocate (GtkWidget *widget, int width, int height, int baseline)
{
  GTK_WIDGET_CLASS (fd_data_page_parent_class)->size_allocate (widget, width, height, baseline);
  fd_data_page_chart_resized (FD_DATA_PAGE (widget));
}

/* GObject */

static void
fd_data_page_dispose (GObject *object)
{
  FdDataPage *self = FD_DATA_PAGE (object);

  fd_data_page_cancel_series (self);
  g_clear_handle_id (&self->rows_source, g_source_remove);
  g_cancellable_cancel (self->tags_cancellable);
  g_cancellable_cancel (self->fields_cancellable);
  g_cancellable_cancel (self->names_cancellable);
  if (self->events != NULL)
    g_signal_handlers_disconnect_by_data (self->events, self);
  gtk_widget_dispose_template (GTK_WIDGET (self), FD_TYPE_DATA_PAGE);
  g_clear_object (&self->events);
  g_clear_object (&self->client);
  g_clear_object (&self->workspace);
  g_clear_object (&self->rows);
  g_clear_object (&self->tag_list);
  g_clear_object (&self->field_list);

  G_OBJECT_CLASS (fd_data_page_parent_class)->dispose (object);
}

static void
fd_data_page_finalize (GObject *object)
{
  FdDataPage *self = FD_DATA_PAGE (object);

  g_clear_object (&self->tags_cancellable);
  g_clear_object (&self->fields_cancellable);
  g_clear_object (&self->names_cancellable);
  g_clear_object (&self->series_cancellable);
  g_clear_object (&self->tail_cancellable);
  g_hash_table_unref (self->device_names);
  g_hash_table_unref (self->fleet_names);
  g_hash_table_unref (self->series_ids);
  g_free (self->tag);
  g_free (self->field);

  G_OBJECT_CLASS (fd_data_page_parent_class)->finalize (object);
}

static void
fd_data_page_class_init (FdDataPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = fd_data_page_dispose;
  object_class->finalize = fd_data_page_finalize;
  widget_class->size_allocate = fd_data_page_size_allocate;

  signals[SELECTION_CHANGED]
      = g_signal_new ("selection-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL,
                      NULL, NULL, G_TYPE_NONE, 0);
  signals[EXPORT_REQUESTED] = g_signal_new ("export-requested", G_TYPE_FROM_CLASS (klass),
                                            G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL, G_TYPE_NONE, 0);

  g_type_ensure (FD_TYPE_CHART);
  g_type_ensure (FD_TYPE_DATA_ROW);
  g_type_ensure (FD_TYPE_MULTI_PICKER);
  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/fleetdesk/Fleetdesk/ui/"
                                                             "fd-data-page.ui");
  gtk_widget_class_bind_template_child (widget_class, FdDataPage, stack);
  gtk_widget_class_bind_template_child (widget_class, FdDataPage, export_button);
  gtk_widget_class_bind_template_child (widget_class, FdDataPage, pickers);
  gtk_widget_class_bind_template_child (widget_class, FdDataPage, range_bar);
  gtk_widget_class_bind_template_child (widget_class, FdDataPage, tag_dropdown);
  gtk_widget_class_bind_template_child (widget_class, FdDataPage, field_dropdown);
  gtk_widget_class_bind_template_child (widget_class, FdDataPage, device_picker);
  gtk_widget_class_bind_template_child (widget_class, FdDataPage, fleet_picker);
  gtk_widget_class_bind_template_child (widget_class, FdDataPage, preset_1h);
  gtk_widget_class_bind_template_child (widget_class, FdDataPage, preset_24h);
  gtk_widget_class_bind_template_child (widget_class, FdDataPage, preset_7d);
  gtk_widget_class_bind_template_child (widget_class, FdDataPage, preset_30d);
  gtk_widget_class_bind_template_child (widget_class, FdDataPage, custom_button);
  gtk_widget_class_bind_template_child (widget_class, FdDataPage, custom_popover);
  gtk_widget_class_bind_template_child (widget_class, FdDataPage, start_calendar);
  gtk_widget_class_bind_template_child (widget_class, FdDataPage, end_calendar);
  gtk_widget_class_bind_template_child (widget_class, FdDataPage, start_time);
  gtk_widget_class_bind_template_child (widget_class, FdDataPage, end_time);
  gtk_widget_class_bind_template_child (widget_class, FdDataPage, custom_error);
  gtk_widget_class_bind_template_child (widget_class, FdDataPage, custom_apply);
  gtk_widget_class_bind_template_child (widget_class, FdDataPage, live_button);
  gtk_widget_class_bind_template_child (widget_class, FdDataPage, range_label);
  gtk_widget_class_bind_template_child (widget_class, FdDataPage, chart);
  gtk_widget_class_bind_template_child (widget_class, FdDataPage, table);
  gtk_widget_class_bind_template_child (widget_class, FdDataPage, table_empty);
  gtk_widget_class_bind_template_callback (widget_class, fd_data_page_tag_dropdown_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, fd_data_page_field_dropdown_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, fd_data_page_choice_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, fd_data_page_preset_toggled_cb);
  gtk_widget_class_bind_template_callback (widget_class, fd_data_page_custom_show_cb);
  gtk_widget_class_bind_template_callback (widget_class, fd_data_page_custom_edited_cb);
  gtk_widget_class_bind_template_callback (widget_class, fd_data_page_custom_apply_cb);
  gtk_widget_class_bind_template_callback (widget_class, fd_data_page_live_toggled_cb);

  /* "pane.search" is what the window's Ctrl+F activates: here, the tag picker's search. */
  gtk_widget_class_install_action (widget_class, "pane.search", NULL, fd_data_page_search);
  /* Enabled by the exporter (fd_data_page_set_export_enabled()). */
  gtk_widget_class_install_action (widget_class, "data.export", NULL, fd_data_page_export);
}

/* The flow boxes only wrap the toolbar on a narrow window: their children are not stops of
 * the keyboard focus, the pickers and buttons in them are. */
static void
fd_data_page_unfocus_children (GtkFlowBox *box)
{
  for (GtkWidget *child = gtk_widget_get_first_child (GTK_WIDGET (box)); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    gtk_widget_set_focusable (child, FALSE);
}

static void
fd_data_page_init (FdDataPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  fd_data_page_unfocus_children (self->pickers);
  fd_data_page_unfocus_children (self->range_bar);
  for (GtkWidget *child = gtk_widget_get_first_child (GTK_WIDGET (self->tag_dropdown));
       child != NULL; child = gtk_widget_get_next_sibling (child))
    if (GTK_IS_POPOVER (child))
      g_signal_connect_object (child, "map", G_CALLBACK (fd_data_page_tag_list_mapped_cb), self,
                               G_CONNECT_SWAPPED | G_CONNECT_AFTER);

  self->tag_list = gtk_string_list_new (NULL);
  self->field_list = gtk_string_list_new (NULL);
  /* TRANSLATORS: %u is 2 or more */
  fd_multi_picker_set_labels (self->device_picker, _ ("All Devices"), _ ("%u Devices"));
  /* TRANSLATORS: %u is 2 or more */
  fd_multi_picker_set_labels (self->fleet_picker, _ ("All Fleets"), _ ("%u Fleets"));
  self->device_names = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  self->fleet_names = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  self->series_ids = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);

  self->choices_changing = TRUE;
  gtk_drop_down_set_model (self->tag_dropdown, G_LIST_MODEL (self->tag_list));
  gtk_drop_down_set_model (self->field_dropdown, G_LIST_MODEL (self->field_list));
  self->choices_changing = FALSE;

  g_signal_connect_object (self->chart, "range-changed",
                           G_CALLBACK (fd_data_page_chart_range_changed_cb), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (self->chart, "live-stopped", G_CALLBACK (fd_data_page_live_stopped_cb),
                           self, G_CONNECT_SWAPPED);
  fd_chart_set_empty_text (self->chart, _ ("No readings in this range"));
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "data.export", FALSE);
  fd_data_page_init_range (self);
  fd_data_page_update_view (self);
}
