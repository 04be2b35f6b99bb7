/* fd-campaign-page-targets.c — the campaign view's table of target devices.
 *
 * Every target is read once (GET /campaigns/{id}/targets, paged) into a store of items, with
 * an index by device id; a campaign.target event then changes its item in place, so only the
 * rows on screen redraw, and events come in batches of FD_EVENTS_CLIENT_FLUSH_MS: thousands
 * of devices updating stay at most ~10 redraws a second. The message a device ends with is not
 * in the event: the targets are read again (into the same items) a moment after devices reach
 * a final state. The state drop-down and the search filter what is already loaded.
 */
#include "config.h"

#include <glib/gi18n.h>

#include "fd-campaign-page-private.h"
#include "fd-json.h"
#include "fd-ui.h"

/* After devices reach a final state, their messages are read this much later (one read for a
 * whole burst of them). */
#define FD_CAMPAIGN_TARGETS_RELOAD_MS 1000

/* The state drop-down's choices after "All States" (the API's names). */
static const char *const fd_target_filter_states[]
    = { "queued",  "notified",  "downloading", "downloaded", "verified",  "installing",
        "testing", "succeeded", "failed",      "reverted",   "timed_out", "skipped" };

static char *
fd_target_device_text (JsonObject *object, const char **css_class)
{
  const char *name = fd_json_get_string (object, "device_name");

  return g_strdup (name != NULL ? name : fd_json_get_string (object, "device_id"));
}

static char *
fd_target_stage_text (JsonObject *object, const char **css_class)
{
  return g_strdup_printf ("%" G_GINT64_FORMAT, fd_json_get_int (object, "stage", 0) + 1);
}

static char *
fd_target_state_text (JsonObject *object, const char **css_class)
{
  const char *state = fd_json_get_string (object, "state");

  if (css_class != NULL && g_strcmp0 (state, "succeeded") == 0)
    *css_class = "success";
  else if (css_class != NULL && fd_campaign_target_state_is_final (state)
           && g_strcmp0 (state, "skipped") != 0)
    *css_class = "error";
  return g_strdup (fd_campaign_target_state_label (state));
}

/* A bar with a figure only while the device works on the firmware. */
static gboolean
fd_target_in_flight (const char *state)
{
  return state != NULL && !g_str_equal (state, "queued") && !g_str_equal (state, "notified")
         && !fd_campaign_target_state_is_final (state);
}

static double
fd_target_progress_fraction (JsonObject *object)
{
  const char *state = fd_json_get_string (object, "state");

  if (g_strcmp0 (state, "succeeded") == 0)
    return 1.0;
  if (!fd_target_in_flight (state))
    return 0.0;
  return CLAMP (fd_json_get_int (object, "progress", 0), 0, 100) / 100.0;
}

static char *
fd_target_progress_text (JsonObject *object, const char **css_class)
{
  if (!fd_target_in_flight (fd_json_get_string (object, "state")))
    return NULL;
  return g_strdup_printf ("%" G_GINT64_FORMAT "%%",
                          CLAMP (fd_json_get_int (object, "progress", 0), 0, 100));
}

static char *
fd_target_message_text (JsonObject *object, const char **css_class)
{
  if (css_class != NULL)
    *css_class = "dim-label";
  return fd_json_dup_string (object, "message");
}

static char *
fd_target_updated_text (JsonObject *object, const char **css_class)
{
  if (css_class != NULL)
    *css_class = "dim-label";
  return fd_json_format_time (fd_json_get_string (object, "updated_at"));
}

static gboolean
fd_campaign_page_filter_cb (gpointer item, gpointer data)
{
  FdCampaignPage *self = data;
  JsonObject *target = fd_json_item_get_object (item);
  guint chosen = gtk_drop_down_get_selected (self->state_dropdown);
  const char *search = gtk_editable_get_text (GTK_EDITABLE (self->search_entry));

  if (chosen > 0 && chosen <= G_N_ELEMENTS (fd_target_filter_states)
      && g_strcmp0 (fd_json_get_string (target, "state"), fd_target_filter_states[chosen - 1]) != 0)
    return FALSE;
  if (search != NULL && *search != '\0')
    {
      g_autofree char *needle = g_utf8_casefold (search, -1);
      g_autofree char *name = fd_target_device_text (target, NULL);
      g_autofree char *haystack = g_utf8_casefold (name != NULL ? name : "", -1);
      const char *id = fd_json_get_string (target, "device_id");

      return strstr (haystack, needle) != NULL || (id != NULL && strstr (id, search) != NULL);
    }
  return TRUE;
}

static void
fd_campaign_page_refilter (FdCampaignPage *self)
{
  gtk_filter_changed (GTK_FILTER (self->filter), GTK_FILTER_CHANGE_DIFFERENT);
  gtk_stack_set_visible_child_name (
      self->target_stack,
      g_list_model_get_n_items (G_LIST_MODEL (self->filtered)) > 0 ? "list" : "empty");
}

static gboolean
fd_campaign_page_refilter_cb (gpointer data)
{
  FdCampaignPage *self = data;

  self->refilter_id = 0;
  fd_campaign_page_refilter (self);
  return G_SOURCE_REMOVE;
}

static void
fd_campaign_page_filters_changed_cb (FdCampaignPage *self)
{
  fd_campaign_page_refilter (self);
}

GtkWidget *
fd_campaign_page_targets_new (FdCampaignPage *self)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);
  GtkWidget *bar = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  GtkWidget *heading = gtk_label_new (_ ("Devices"));
  GtkWidget *scrolled = gtk_scrolled_window_new ();
  GtkWidget *frame = gtk_frame_new (NULL);
  GtkWidget *empty = adw_status_page_new ();
  g_autoptr (GtkStringList) states = gtk_string_list_new (NULL);
  GtkSortListModel *sorted;
  GtkColumnViewColumn *column;
  struct
  {
    const char *title;
    FdJsonItemText text;
    const char *sort_member;
    gboolean expand;
  } columns[] = {
    { C_ ("column", "Device"), fd_target_device_text, NULL, TRUE },
    { C_ ("column", "Stage"), fd_target_stage_text, NULL, FALSE },
    { C_ ("column", "State"), fd_target_state_text, NULL, FALSE },
  };

  gtk_widget_add_css_class (heading, "heading");
  gtk_label_set_xalign (GTK_LABEL (heading), 0);
  gtk_widget_set_hexpand (heading, TRUE);
  gtk_box_append (GTK_BOX (bar), heading);

  gtk_string_list_append (states, _ ("All States"));
  for (guint i = 0; i < G_N_ELEMENTS (fd_target_filter_states); i++)
    gtk_string_list_append (states, fd_campaign_target_state_label (fd_target_filter_states[i]));
  self->state_dropdown
      = GTK_DROP_DOWN (gtk_drop_down_new (G_LIST_MODEL (g_object_ref (states)), NULL));
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->state_dropdown), _ ("Show Devices in a State"));
  g_signal_connect_object (self->state_dropdown, "notify::selected",
                           G_CALLBACK (fd_campaign_page_filters_changed_cb), self,
                           G_CONNECT_SWAPPED);
  gtk_box_append (GTK_BOX (bar), GTK_WIDGET (self->state_dropdown));
  self->search_entry = GTK_SEARCH_ENTRY (gtk_search_entry_new ());
  g_object_set (self->search_entry, "placeholder-text", _ ("Search devices"), NULL);
  g_signal_connect_object (self->search_entry, "search-changed",
                           G_CALLBACK (fd_campaign_page_filters_changed_cb), self,
                           G_CONNECT_SWAPPED);
  gtk_box_append (GTK_BOX (bar), GTK_WIDGET (self->search_entry));
  gtk_box_append (GTK_BOX (box), bar);

  self->filter = gtk_custom_filter_new (fd_campaign_page_filter_cb, self, NULL);
  self->filtered = gtk_filter_list_model_new (G_LIST_MODEL (g_object_ref (self->targets)),
                                              GTK_FILTER (g_object_ref (self->filter)));
  sorted = gtk_sort_list_model_new (G_LIST_MODEL (g_object_ref (self->filtered)), NULL);
  self->target_view = GTK_COLUMN_VIEW (
      gtk_column_view_new (GTK_SELECTION_MODEL (gtk_no_selection_new (G_LIST_MODEL (sorted)))));
  gtk_sort_list_model_set_sorter (sorted, gtk_column_view_get_sorter (self->target_view));
  for (guint i = 0; i < G_N_ELEMENTS (columns); i++)
    {
      column = fd_json_item_column_new (columns[i].title, columns[i].text, columns[i].sort_member,
                                        columns[i].expand);
      gtk_column_view_append_column (self->target_view, column);
      g_object_unref (column);
    }
  column = fd_json_item_progress_column_new (C_ ("column", "Progress"), fd_target_progress_fraction,
                                             fd_target_progress_text);
  gtk_column_view_append_column (self->target_view, column);
  g_object_unref (column);
  column = fd_json_item_column_new (C_ ("column", "Message"), fd_target_message_text, NULL, TRUE);
  gtk_column_view_append_column (self->target_view, column);
  g_object_unref (column);
  column = fd_json_item_column_new (C_ ("column", "Updated"), fd_target_updated_text, "updated_at",
                                    FALSE);
  gtk_column_view_append_column (self->target_view, column);
  g_object_unref (column);
  gtk_widget_add_css_class (GTK_WIDGET (self->target_view), "data-table");

  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scrolled), GTK_WIDGET (self->target_view));
  gtk_scrolled_window_set_policy (GTK_SCROLLED_WINDOW (scrolled), GTK_POLICY_AUTOMATIC,
                                  GTK_POLICY_AUTOMATIC);
  adw_status_page_set_icon_name (ADW_STATUS_PAGE (empty), "system-search-symbolic");
  adw_status_page_set_title (ADW_STATUS_PAGE (empty), _ ("No Devices"));
  adw_status_page_set_description (ADW_STATUS_PAGE (empty),
                                   _ ("No device of the campaign matches the filters."));
  gtk_widget_add_css_class (empty, "compact");
  self->target_stack = GTK_STACK (gtk_stack_new ());
  gtk_stack_add_named (self->target_stack, empty, "empty");
  gtk_stack_add_named (self->target_stack, scrolled, "list");
  gtk_frame_set_child (GTK_FRAME (frame), GTK_WIDGET (self->target_stack));
  gtk_widget_set_vexpand (frame, TRUE);
  gtk_box_append (GTK_BOX (box), frame);
  gtk_widget_set_vexpand (box, TRUE);
  gtk_widget_set_margin_top (box, 18);
  gtk_widget_set_margin_start (box, 12);
  gtk_widget_set_margin_end (box, 12);
  gtk_widget_set_margin_bottom (box, 12);
  return box;
}

void
fd_campaign_page_clear_targets (FdCampaignPage *self)
{
  g_clear_handle_id (&self->targets_reload_id, g_source_remove);
  g_hash_table_remove_all (self->by_device);
  g_list_store_remove_all (self->targets);
  gtk_drop_down_set_selected (self->state_dropdown, 0);
  gtk_editable_set_text (GTK_EDITABLE (self->search_entry), "");
}

static void
fd_campaign_page_targets_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (FdCampaignPage) self = user_data;
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) items
      = fd_api_client_list_all_finish (FD_API_CLIENT (source), result, &error);
  g_autoptr (GPtrArray) added = NULL;

  self->targets_loading = FALSE;
  if (items == NULL)
    {
      fd_ui_toast_error (GTK_WIDGET (self), error);
      return;
    }
  /* Known devices' items are updated in place; new ones are appended in one splice. */
  added = g_ptr_array_new_with_free_func (g_object_unref);
  for (guint i = 0; i < items->len; i++)
    {
      JsonObject *target = g_ptr_array_index (items, i);
      const char *device = fd_json_get_string (target, "device_id");
      FdJsonItem *item;

      if (device == NULL)
        continue;
      item = g_hash_table_lookup (self->by_device, device);
      if (item != NULL)
        {
          fd_json_item_replace (item, target);
          continue;
        }
      if ((item = fd_json_item_new (target, "device_id")) == NULL)
        continue;
      g_hash_table_insert (self->by_device, g_strdup (device), item);
      g_ptr_array_add (added, item);
    }
  g_list_store_splice (self->targets, g_list_model_get_n_items (G_LIST_MODEL (self->targets)), 0,
                       added->pdata, added->len);
  fd_campaign_page_refilter (self);
  if (self->targets_again)
    fd_campaign_page_load_targets (self);
}

void
fd_campaign_page_load_targets (FdCampaignPage *self)
{
  g_autofree char *path = NULL;

  if (self->client == NULL || self->campaign_id == NULL)
    return;
  if (self->targets_loading)
    {
      self->targets_again = TRUE;
      return;
    }
  self->targets_loading = TRUE;
  self->targets_again = FALSE;
  path = fd_api_path ("campaigns", self->campaign_id, "targets", NULL);
  fd_api_client_list_all_async (self->client, path, self->cancellable, fd_campaign_page_targets_cb,
                                g_object_ref (self));
}

static gboolean
fd_campaign_page_targets_reload_cb (gpointer data)
{
  FdCampaignPage *self = data;

  self->targets_reload_id = 0;
  fd_campaign_page_load_targets (self);
  return G_SOURCE_REMOVE;
}

static void
fd_campaign_page_schedule_targets_reload (FdCampaignPage *self)
{
  if (self->targets_reload_id == 0)
    self->targets_reload_id
        = g_timeout_add (FD_CAMPAIGN_TARGETS_RELOAD_MS, fd_campaign_page_targets_reload_cb, self);
}

void
fd_campaign_page_target_event (FdCampaignPage *self, const char *device_id, JsonObject *data)
{
  FdJsonItem *item = g_hash_table_lookup (self->by_device, device_id);
  const char *state = fd_json_get_string (data, "state");
  g_autoptr (JsonObject) update = NULL;
  g_autoptr (GDateTime) now = NULL;
  g_autofree char *updated = NULL;

  if (item == NULL)
    {
      /* A device not read yet (the table is still loading): the next read has it. */
      fd_campaign_page_schedule_targets_reload (self);
      return;
    }
  update = json_object_new ();
  if (state != NULL)
    json_object_set_string_member (update, "state", state);
  if (json_object_has_member (data, "progress"))
    json_object_set_member (update, "progress",
                            json_node_copy (json_object_get_member (data, "progress")));
  now = g_date_time_new_now_utc ();
  updated = g_date_time_format_iso8601 (now);
  json_object_set_string_member (update, "updated_at", updated);
  fd_json_item_merge (item, update);

  if (fd_campaign_target_state_is_final (state))
    fd_campaign_page_schedule_targets_reload (self);
  /* A row may now match the filters or not: once per batch of events, not once per event. */
  if (self->refilter_id == 0
      && (gtk_drop_down_get_selected (self->state_dropdown) > 0
          || *gtk_editable_get_text (GTK_EDITABLE (self->search_entry)) != '\0'))
    self->refilter_id = g_idle_add (fd_campaign_page_refilter_cb, self);
}

GListModel *
fd_campaign_page_get_shown_targets (FdCampaignPage *self)
{
  g_return_val_if_fail (FD_IS_CAMPAIGN_PAGE (self), NULL);
  return G_LIST_MODEL (self->filtered);
}

void
fd_campaign_page_focus_search (FdCampaignPage *self)
{
  g_return_if_fail (FD_IS_CAMPAIGN_PAGE (self));
  gtk_widget_grab_focus (GTK_WIDGET (self->search_entry));
}
