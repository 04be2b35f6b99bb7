/* fd-multi-picker.c — a menu button whose popover chooses any number of items.
 *
 * The popover holds a search entry over a list box: "All" first (on when nothing is chosen;
 * turning it on clears the choice), then one AdwActionRow per item with a check button. The
 * list is a GtkListBox: the Data pane offers at most 1000 devices, which it builds quickly.
 * Keyboard: the search entry has the focus when the popover opens, Down moves into the list,
 * Enter toggles the first match, arrows move between rows, Space toggles the row, Escape
 * closes. A toggle applies at once to the summary and FD_MULTI_PICKER_DEBOUNCE_MS later to
 * whoever listens to "changed", so that ticking three devices makes one refetch.
 */
#include "config.h"

#include <glib/gi18n.h>

#include "fd-multi-picker.h"

/* The popover's list scrolls past this height. */
#define FD_MULTI_PICKER_LIST_HEIGHT 320

struct _FdMultiPicker
{
  AdwBin parent_instance;

  GtkMenuButton *button;
  GtkLabel *summary;
  GtkPopover *popover;
  GtkSearchEntry *search;
  GtkListBox *list;
  GtkWidget *all_row;
  GtkCheckButton *all_check;

  char *all_label;
  char *several_format;
  GPtrArray *ids;     /* the items' ids, in order */
  GHashTable *names;  /* id -> name */
  GHashTable *chosen; /* set of ids */
  char *filter;       /* casefolded search text, NULL for none */
  gboolean updating;  /* checks being set by the picker, not toggled by the user */
  guint changed_source;
};

G_DEFINE_FINAL_TYPE (FdMultiPicker, fd_multi_picker, ADW_TYPE_BIN)

enum
{
  CHANGED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

/* The summary */

static void
fd_multi_picker_update_summary (FdMultiPicker *self)
{
  guint n = g_hash_table_size (self->chosen);
  g_autofree char *text = NULL;

  if (n == 0)
    text = g_strdup (self->all_label);
  else if (n == 1)
    {
      GHashTableIter iter;
      gpointer id;
      const char *name;

      g_hash_table_iter_init (&iter, self->chosen);
      g_hash_table_iter_next (&iter, &id, NULL);
      name = g_hash_table_lookup (self->names, id);
      text = g_strdup (name != NULL ? name : id);
    }
  else
    {
/* The format is the caller's ("%u Devices"), set with fd_multi_picker_set_labels(). */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
      text = g_strdup_printf (self->several_format, n);
#pragma GCC diagnostic pop
    }
  gtk_label_set_label (self->summary, text);
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->button), n > 1 ? text : NULL);

  self->updating = TRUE;
  gtk_check_button_set_active (self->all_check, n == 0);
  self->updating = FALSE;
}

static gboolean
fd_multi_picker_changed_cb (gpointer user_data)
{
  FdMultiPicker *self = user_data;

  self->changed_source = 0;
  g_signal_emit (self, signals[CHANGED], 0);
  return G_SOURCE_REMOVE;
}

static void
fd_multi_picker_changed_now (FdMultiPicker *self)
{
  g_clear_handle_id (&self->changed_source, g_source_remove);
  g_signal_emit (self, signals[CHANGED], 0);
}

static void
fd_multi_picker_changed_later (FdMultiPicker *self)
{
  g_clear_handle_id (&self->changed_source, g_source_remove);
  self->changed_source
      = g_timeout_add (FD_MULTI_PICKER_DEBOUNCE_MS, fd_multi_picker_changed_cb, self);
}

/* The rows */

static void
fd_multi_picker_item_toggled_cb (FdMultiPicker *self, GtkCheckButton *check)
{
  const char *id = g_object_get_data (G_OBJECT (check), "fd-id");

  if (self->updating || id == NULL)
    return;
  if (gtk_check_button_get_active (check))
    g_hash_table_add (self->chosen, g_strdup (id));
  else
    g_hash_table_remove (self->chosen, id);
  fd_multi_picker_update_summary (self);
  fd_multi_picker_changed_later (self);
}

static void
fd_multi_picker_all_toggled_cb (FdMultiPicker *self)
{
  if (self->updating)
    return;
  /* "All" is turned off only by choosing an item. */
  if (!gtk_check_button_get_active (self->all_check))
    {
      if (g_hash_table_size (self->chosen) == 0)
        {
          self->updating = TRUE;
          gtk_check_button_set_active (self->all_check, TRUE);
          self->updating = FALSE;
        }
      return;
    }
  fd_multi_picker_clear (self);
}

static GtkWidget *
fd_multi_picker_make_row (const char *title, GtkCheckButton **check_out)
{
  GtkWidget *row = adw_action_row_new ();
  GtkWidget *check = gtk_check_button_new ();

  /* Names are the user's text, not markup. */
  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  gtk_widget_set_valign (check, GTK_ALIGN_CENTER);
  /* The row has the focus and Space toggles it; the check is for the pointer. */
  gtk_widget_set_focusable (check, FALSE);
  adw_action_row_add_prefix (ADW_ACTION_ROW (row), check);
  adw_action_row_set_activatable_widget (ADW_ACTION_ROW (row), check);
  *check_out = GTK_CHECK_BUTTON (check);
  return row;
}

static void
fd_multi_picker_remove_items (FdMultiPicker *self)
{
  GtkWidget *child = gtk_widget_get_first_child (GTK_WIDGET (self->list));

  while (child != NULL)
    {
      GtkWidget *next = gtk_widget_get_next_sibling (child);

      if (child != self->all_row && GTK_IS_LIST_BOX_ROW (child))
        gtk_list_box_remove (self->list, child);
      child = next;
    }
}

/* Search */

static gboolean
fd_multi_picker_filter_cb (GtkListBoxRow *row, gpointer user_data)
{
  FdMultiPicker *self = user_data;
  const char *name;
  g_autofree char *folded = NULL;

  if (self->filter == NULL || GTK_WIDGET (row) == self->all_row)
    return TRUE;
  name = adw_preferences_row_get_title (ADW_PREFERENCES_ROW (row));
  folded = g_utf8_casefold (name, -1);
  return strstr (folded, self->filter) != NULL;
}

static void
fd_multi_picker_search_changed_cb (FdMultiPicker *self)
{
  const char *text = gtk_editable_get_text (GTK_EDITABLE (self->search));

  g_clear_pointer (&self->filter, g_free);
  if (text != NULL && *text != '\0')
    self->filter = g_utf8_casefold (text, -1);
  gtk_list_box_invalidate_filter (self->list);
}

/* The first item row the search lets through, NULL for none. */
static GtkWidget *
fd_multi_picker_first_match (FdMultiPicker *self)
{
  for (GtkWidget *child = gtk_widget_get_first_child (GTK_WIDGET (self->list)); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    if (child != self->all_row && GTK_IS_LIST_BOX_ROW (child)
        && gtk_widget_get_child_visible (child))
      return child;
  return NULL;
}

/* Enter in the search: toggles the only or first match. */
static void
fd_multi_picker_search_activate_cb (FdMultiPicker *self)
{
  GtkWidget *row = fd_multi_picker_first_match (self);

  if (row != NULL)
    gtk_widget_activate (row);
}

static gboolean
fd_multi_picker_search_key_cb (FdMultiPicker *self, guint keyval, guint keycode,
                               GdkModifierType state)
{
  GtkWidget *row;

  if (keyval != GDK_KEY_Down && keyval != GDK_KEY_KP_Down)
    return FALSE;
  row = fd_multi_picker_first_match (self);
  gtk_widget_grab_focus (row != NULL && self->filter != NULL ? row : self->all_row);
  return TRUE;
}

static void
fd_multi_picker_popover_shown_cb (FdMultiPicker *self)
{
  gtk_widget_grab_focus (GTK_WIDGET (self->search));
}

static void
fd_multi_picker_stop_search_cb (FdMultiPicker *self)
{
  gtk_popover_popdown (self->popover);
}

/* Public API */

GtkWidget *
fd_multi_picker_new (void)
{
  return g_object_new (FD_TYPE_MULTI_PICKER, NULL);
}

void
fd_multi_picker_set_labels (FdMultiPicker *self, const char *all, const char *several)
{
  g_return_if_fail (FD_IS_MULTI_PICKER (self));
  g_return_if_fail (all != NULL && several != NULL);

  g_free (self->all_label);
  self->all_label = g_strdup (all);
  g_free (self->several_format);
  self->several_format = g_strdup (several);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->all_row), all);
  fd_multi_picker_update_summary (self);
}

void
fd_multi_picker_set_items (FdMultiPicker *self, const char *const *ids, const char *const *names,
                           guint n)
{
  g_autoptr (GHashTable) kept = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  gboolean lost;

  g_return_if_fail (FD_IS_MULTI_PICKER (self));

  fd_multi_picker_remove_items (self);
  g_ptr_array_set_size (self->ids, 0);
  g_hash_table_remove_all (self->names);
  self->updating = TRUE;
  for (guint i = 0; i < n; i++)
    {
      GtkCheckButton *check;
      GtkWidget *row;

      if (ids[i] == NULL || names[i] == NULL || g_hash_table_contains (self->names, ids[i]))
        continue;
      g_ptr_array_add (self->ids, g_strdup (ids[i]));
      g_hash_table_replace (self->names, g_strdup (ids[i]), g_strdup (names[i]));
      row = fd_multi_picker_make_row (names[i], &check);
      g_object_set_data_full (G_OBJECT (check), "fd-id", g_strdup (ids[i]), g_free);
      if (g_hash_table_contains (self->chosen, ids[i]))
        {
          gtk_check_button_set_active (check, TRUE);
          g_hash_table_add (kept, g_strdup (ids[i]));
        }
      g_signal_connect_object (check, "toggled", G_CALLBACK (fd_multi_picker_item_toggled_cb), self,
                               G_CONNECT_SWAPPED);
      gtk_list_box_append (self->list, row);
    }
  self->updating = FALSE;
  /* The choice is what of it is still listed. */
  lost = g_hash_table_size (kept) != g_hash_table_size (self->chosen);
  g_hash_table_unref (self->chosen);
  self->chosen = g_steal_pointer (&kept);
  fd_multi_picker_update_summary (self);
  if (lost)
    fd_multi_picker_changed_now (self);
}

char **
fd_multi_picker_get_chosen (FdMultiPicker *self)
{
  GStrvBuilder *builder;
  char **chosen;

  g_return_val_if_fail (FD_IS_MULTI_PICKER (self), NULL);

  builder = g_strv_builder_new ();
  for (guint i = 0; i < self->ids->len; i++)
    if (g_hash_table_contains (self->chosen, self->ids->pdata[i]))
      g_strv_builder_add (builder, self->ids->pdata[i]);
  chosen = g_strv_builder_end (builder);
  g_strv_builder_unref (builder);
  return chosen;
}

gboolean
fd_multi_picker_includes (FdMultiPicker *self, const char *id)
{
  g_return_val_if_fail (FD_IS_MULTI_PICKER (self), FALSE);

  return g_hash_table_size (self->chosen) == 0
         || (id != NULL && g_hash_table_contains (self->chosen, id));
}

void
fd_multi_picker_clear (FdMultiPicker *self)
{
  g_return_if_fail (FD_IS_MULTI_PICKER (self));

  if (g_hash_table_size (self->chosen) == 0)
    {
      fd_multi_picker_update_summary (self);
      return;
    }
  g_hash_table_remove_all (self->chosen);
  self->updating = TRUE;
  for (GtkWidget *child = gtk_widget_get_first_child (GTK_WIDGET (self->list)); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *check = child != self->all_row && ADW_IS_ACTION_ROW (child)
                             ? adw_action_row_get_activatable_widget (ADW_ACTION_ROW (child))
                             : NULL;

      if (GTK_IS_CHECK_BUTTON (check))
        gtk_check_button_set_active (GTK_CHECK_BUTTON (check), FALSE);
    }
  self->updating = FALSE;
  fd_multi_picker_update_summary (self);
  fd_multi_picker_changed_now (self);
}

const char *
fd_multi_picker_get_summary (FdMultiPicker *self)
{
  g_return_val_if_fail (FD_IS_MULTI_PICKER (self), NULL);
  return gtk_label_get_label (self->summary);
}

GtkPopover *
fd_multi_picker_get_popover (FdMultiPicker *self)
{
  g_return_val_if_fail (FD_IS_MULTI_PICKER (self), NULL);
  return self->popover;
}

/* GObject */

static void
fd_multi_picker_dispose (GObject *object)
{
  FdMultiPicker *self = FD_MULTI_PICKER (object);

  g_clear_handle_id (&self->changed_source, g_source_remove);
  G_OBJECT_CLASS (fd_multi_picker_parent_class)->dispose (object);
}

static void
fd_multi_picker_finalize (GObject *object)
{
  FdMultiPicker *self = FD_MULTI_PICKER (object);

  g_free (self->all_label);
  g_free (self->several_format);
  g_free (self->filter);
  g_ptr_array_unref (self->ids);
  g_hash_table_unref (self->names);
  g_hash_table_unref (self->chosen);
  G_OBJECT_CLASS (fd_multi_picker_parent_class)->finalize (object);
}

static void
fd_multi_picker_class_init (FdMultiPickerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = fd_multi_picker_dispose;
  object_class->finalize = fd_multi_picker_finalize;

  signals[CHANGED] = g_signal_new ("changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL,
                                   NULL, NULL, G_TYPE_NONE, 0);
}

static void
fd_multi_picker_init (FdMultiPicker *self)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  GtkWidget *content = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);
  GtkWidget *scrolled = gtk_scrolled_window_new ();
  GtkEventController *keys = gtk_event_controller_key_new ();

  self->ids = g_ptr_array_new_with_free_func (g_free);
  self->names = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  self->chosen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->all_label = g_strdup (_ ("All"));
  self->several_format = g_strdup ("%u");

  /* The button: the summary, ellipsized, and the arrow of a drop-down. */
  self->button = GTK_MENU_BUTTON (gtk_menu_button_new ());
  self->summary = GTK_LABEL (gtk_label_new (NULL));
  gtk_label_set_ellipsize (self->summary, PANGO_ELLIPSIZE_END);
  gtk_label_set_max_width_chars (self->summary, 24);
  gtk_label_set_xalign (self->summary, 0);
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (self->summary));
  gtk_box_append (GTK_BOX (box), gtk_image_new_from_icon_name ("pan-down-symbolic"));
  gtk_menu_button_set_child (self->button, box);
  adw_bin_set_child (ADW_BIN (self), GTK_WIDGET (self->button));

  /* The popover: search, then the list. */
  self->search = GTK_SEARCH_ENTRY (gtk_search_entry_new ());
  g_signal_connect_object (self->search, "search-changed",
                           G_CALLBACK (fd_multi_picker_search_changed_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->search, "activate",
                           G_CALLBACK (fd_multi_picker_search_activate_cb), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (self->search, "stop-search", G_CALLBACK (fd_multi_picker_stop_search_cb),
                           self, G_CONNECT_SWAPPED);
  g_signal_connect_object (keys, "key-pressed", G_CALLBACK (fd_multi_picker_search_key_cb), self,
                           G_CONNECT_SWAPPED);
  gtk_widget_add_controller (GTK_WIDGET (self->search), keys);

  self->list = GTK_LIST_BOX (gtk_list_box_new ());
  gtk_list_box_set_selection_mode (self->list, GTK_SELECTION_NONE);
  gtk_list_box_set_filter_func (self->list, fd_multi_picker_filter_cb, self, NULL);
  gtk_widget_add_css_class (GTK_WIDGET (self->list), "boxed-list");
  self->all_row = fd_multi_picker_make_row (self->all_label, &self->all_check);
  gtk_check_button_set_active (self->all_check, TRUE);
  g_signal_connect_object (self->all_check, "toggled", G_CALLBACK (fd_multi_picker_all_toggled_cb),
                           self, G_CONNECT_SWAPPED);
  gtk_list_box_append (self->list, self->all_row);

  gtk_scrolled_window_set_policy (GTK_SCROLLED_WINDOW (scrolled), GTK_POLICY_NEVER,
                                  GTK_POLICY_AUTOMATIC);
  gtk_scrolled_window_set_propagate_natural_height (GTK_SCROLLED_WINDOW (scrolled), TRUE);
  gtk_scrolled_window_set_max_content_height (GTK_SCROLLED_WINDOW (scrolled),
                                              FD_MULTI_PICKER_LIST_HEIGHT);
  gtk_scrolled_window_set_min_content_width (GTK_SCROLLED_WINDOW (scrolled), 240);
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scrolled), GTK_WIDGET (self->list));

  gtk_box_append (GTK_BOX (content), GTK_WIDGET (self->search));
  gtk_box_append (GTK_BOX (content), scrolled);
  self->popover = GTK_POPOVER (gtk_popover_new ());
  gtk_popover_set_child (self->popover, content);
  g_signal_connect_object (self->popover, "map", G_CALLBACK (fd_multi_picker_popover_shown_cb),
                           self, G_CONNECT_SWAPPED);
  gtk_menu_button_set_popover (self->button, GTK_WIDGET (self->popover));

  fd_multi_picker_update_summary (self);
}
