/* fd-conditions-page-filters.c — the Conditions pane's history filters (status, tag, device,
 * how long open) and the search of both lists by device or tag.
 *
 * The history's filters are the API's (status, tag, device, threshold): changing one reads
 * the history again. Their tag and device choices are the ones seen in the conditions read
 * or received so far, so every choice finds something. The search is done here, on what is
 * listed, as the user types.
 */
#include "config.h"

#include <glib/gi18n.h>

#include "fd-conditions-page-private.h"
#include "fd-ui.h"

/* The threshold drop-down's choices, in seconds. */
static const guint fd_conditions_thresholds[] = { 0, 60, 600, 3600, 86400 };

enum
{
  FD_STATUS_CLOSED,
  FD_STATUS_OPEN,
  FD_STATUS_ANY,
};

static gboolean
fd_conditions_page_search_match (gpointer item, gpointer user_data)
{
  FdConditionsPage *self = user_data;

  return self->search == NULL
         || fd_ui_text_matches (fd_condition_item_get_device_name (item), self->search)
         || fd_ui_text_matches (fd_condition_item_get_tag (item), self->search);
}

void
fd_conditions_page_search_changed_cb (FdConditionsPage *self, GtkSearchEntry *entry)
{
  g_free (self->search);
  self->search = fd_ui_dup_search_key (GTK_EDITABLE (entry));
  gtk_filter_changed (self->search_filter, GTK_FILTER_CHANGE_DIFFERENT);
  fd_conditions_page_update_view (self);
}

void
fd_conditions_page_stop_search_cb (FdConditionsPage *self, GtkSearchEntry *entry)
{
  gtk_editable_set_text (GTK_EDITABLE (entry), "");
  gtk_search_bar_set_search_mode (self->search_bar, FALSE);
}

void
fd_conditions_page_filter_changed_cb (FdConditionsPage *self)
{
  if (!self->choices_changing)
    fd_conditions_page_load_history (self);
}

/* The chosen tag, device id and threshold; NULL / 0 for any. */
static const char *
fd_conditions_page_chosen_tag (FdConditionsPage *self)
{
  guint selected = gtk_drop_down_get_selected (self->tag_filter);

  return selected > 0 && selected != GTK_INVALID_LIST_POSITION
             ? gtk_string_list_get_string (self->tag_choices, selected)
             : NULL;
}

static const char *
fd_conditions_page_chosen_device (FdConditionsPage *self)
{
  guint selected = gtk_drop_down_get_selected (self->device_filter);

  return selected < self->device_ids->len ? g_ptr_array_index (self->device_ids, selected) : NULL;
}

static guint
fd_conditions_page_chosen_threshold (FdConditionsPage *self)
{
  guint selected = gtk_drop_down_get_selected (self->threshold_filter);

  return selected < G_N_ELEMENTS (fd_conditions_thresholds) ? fd_conditions_thresholds[selected]
                                                            : 0;
}

char *
fd_conditions_page_dup_history_query (FdConditionsPage *self)
{
  GString *query = g_string_new ("");
  guint status = gtk_drop_down_get_selected (self->status_filter);
  guint threshold = fd_conditions_page_chosen_threshold (self);
  g_autofree char *threshold_text = g_strdup_printf ("%u", threshold);
  g_autofree char *size = g_strdup_printf ("%u", FD_CONDITIONS_HISTORY_SIZE);

  if (status == FD_STATUS_CLOSED)
    fd_api_path_add_query (query, "status", "closed");
  else if (status == FD_STATUS_OPEN)
    fd_api_path_add_query (query, "status", "open");
  fd_api_path_add_query (query, "tag", fd_conditions_page_chosen_tag (self));
  fd_api_path_add_query (query, "device", fd_conditions_page_chosen_device (self));
  if (threshold > 0)
    fd_api_path_add_query (query, "threshold", threshold_text);
  fd_api_path_add_query (query, "size", size);
  return g_string_free (query, FALSE);
}

gboolean
fd_conditions_page_history_accepts (FdConditionsPage *self, FdConditionItem *item)
{
  guint status = gtk_drop_down_get_selected (self->status_filter);
  const char *tag = fd_conditions_page_chosen_tag (self);
  const char *device = fd_conditions_page_chosen_device (self);
  gboolean open = fd_condition_item_get_open (item);

  if ((status == FD_STATUS_CLOSED && open) || (status == FD_STATUS_OPEN && !open))
    return FALSE;
  if (tag != NULL && g_strcmp0 (tag, fd_condition_item_get_tag (item)) != 0)
    return FALSE;
  if (device != NULL && g_strcmp0 (device, fd_condition_item_get_device_id (item)) != 0)
    return FALSE;
  /* An open condition shorter than the threshold now may pass it later: the next read of the
   * history shows it then. */
  return fd_condition_item_get_duration (item) >= fd_conditions_page_chosen_threshold (self);
}

/* Inserts @text into @list (after its first item, kept sorted) unless it is there; returns
 * the position, or G_MAXUINT if it was there already. */
static guint
fd_conditions_page_insert_choice (GtkStringList *list, const char *text)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (list));
  guint position = n;

  for (guint i = 1; i < n; i++)
    {
      int order = g_utf8_collate (text, gtk_string_list_get_string (list, i));

      if (order == 0)
        return G_MAXUINT;
      if (order < 0 && position == n)
        position = i;
    }
  {
    const char *const additions[] = { text, NULL };

    gtk_string_list_splice (list, position, 0, additions);
  }
  return position;
}

/* device_ids[0] is NULL, for "All Devices". */
static gboolean
fd_conditions_page_same_id (gconstpointer a, gconstpointer b)
{
  return g_strcmp0 (a, b) == 0;
}

void
fd_conditions_page_learn (FdConditionsPage *self, FdConditionItem *item)
{
  const char *device_id = fd_condition_item_get_device_id (item);
  guint position;

  /* The drop-downs keep their selected item across the insertion: not a new choice. */
  self->choices_changing = TRUE;
  fd_conditions_page_insert_choice (self->tag_choices, fd_condition_item_get_tag (item));
  if (!g_ptr_array_find_with_equal_func (self->device_ids, device_id, fd_conditions_page_same_id,
                                         NULL))
    {
      /* Devices are listed by name; two of the same name are both listed. */
      GtkStringList *names = self->device_choices;
      const char *name = fd_condition_item_get_device_name (item);
      guint n = g_list_model_get_n_items (G_LIST_MODEL (names));
      const char *const additions[] = { name, NULL };

      for (position = 1; position < n; position++)
        if (g_utf8_collate (name, gtk_string_list_get_string (names, position)) < 0)
          break;
      g_ptr_array_insert (self->device_ids, position, g_strdup (device_id));
      gtk_string_list_splice (names, position, 0, additions);
    }
  self->choices_changing = FALSE;
}

void
fd_conditions_page_forget_choices (FdConditionsPage *self)
{
  guint n_tags = g_list_model_get_n_items (G_LIST_MODEL (self->tag_choices));
  guint n_devices = g_list_model_get_n_items (G_LIST_MODEL (self->device_choices));

  self->choices_changing = TRUE;
  gtk_drop_down_set_selected (self->tag_filter, 0);
  gtk_drop_down_set_selected (self->device_filter, 0);
  gtk_string_list_splice (self->tag_choices, 1, n_tags - 1, NULL);
  gtk_string_list_splice (self->device_choices, 1, n_devices - 1, NULL);
  g_ptr_array_set_size (self->device_ids, 1);
  self->choices_changing = FALSE;
}

void
fd_conditions_page_init_filters (FdConditionsPage *self)
{
  const char *const any_tag[] = { _ ("All Tags"), NULL };
  const char *const any_device[] = { _ ("All Devices"), NULL };

  self->tag_choices = gtk_string_list_new (any_tag);
  self->device_choices = gtk_string_list_new (any_device);
  self->device_ids = g_ptr_array_new_with_free_func (g_free);
  g_ptr_array_add (self->device_ids, NULL);
  self->search_filter
      = GTK_FILTER (gtk_custom_filter_new (fd_conditions_page_search_match, self, NULL));

  self->choices_changing = TRUE;
  gtk_drop_down_set_model (self->tag_filter, G_LIST_MODEL (self->tag_choices));
  gtk_drop_down_set_model (self->device_filter, G_LIST_MODEL (self->device_choices));
  self->choices_changing = FALSE;
}

void
fd_conditions_page_finalize_filters (FdConditionsPage *self)
{
  g_clear_object (&self->tag_choices);
  g_clear_object (&self->device_choices);
  g_clear_pointer (&self->device_ids, g_ptr_array_unref);
  g_clear_pointer (&self->search, g_free);
  g_clear_pointer (&self->notify_tags, g_strfreev);
}
