/* fd-ui.c — what every pane shows the same way: toasts, name dialogs, confirmations. */
#include "config.h"

#include <string.h>

#include <glib/gi18n.h>

#include "fd-ui.h"

/* The toast an overlay shows, so that a newer one replaces it rather than waits behind it:
 * after a few quick edits, a queue of toasts would report each one seconds late. */
#define FD_UI_TOAST_KEY "fd-ui-toast"
/* Set on a toast once its slide-in has certainly ended. */
#define FD_UI_TOAST_SETTLED_KEY "fd-ui-toast-settled"
/* The longest slide-in of AdwToastOverlay 1.2 (REPLACE_DURATION: a toast shown while another
 * fades out), in frame-clock µs. */
#define FD_UI_TOAST_SHOW_US (500 * 1000)

/* libadwaita 1.2 frees a toast dismissed while it is still sliding in, but the slide-in animation
 * keeps itself alive and, when it ends, writes to the freed toast's record (valgrind: invalid
 * read/write in the animation's "done" handler under adw_animation_skip; in a loaded run of
 * gui-integrations a SIGSEGV in g_object_unref there). The slide-in is timed on the overlay's
 * frame clock, not the wall clock: on a loaded machine its frames come late, so a wall-clock age
 * says nothing about it. The toast is therefore "settled" only once the overlay has drawn a frame
 * whose time is past the longest slide-in from when it was added; in that frame the animation's
 * own tick ends it too. Until then a newer message retitles the toast instead of replacing it. */
typedef struct
{
  AdwToast *toast;
  gint64 added; /* frame-clock µs */
} FdUiToastWatch;

static void
fd_ui_toast_watch_free (gpointer data)
{
  FdUiToastWatch *watch = data;

  g_object_unref (watch->toast);
  g_free (watch);
}

static gboolean
fd_ui_toast_tick_cb (GtkWidget *overlay, GdkFrameClock *clock, gpointer data)
{
  FdUiToastWatch *watch = data;

  if (gdk_frame_clock_get_frame_time (clock) - watch->added < FD_UI_TOAST_SHOW_US)
    return G_SOURCE_CONTINUE;
  g_object_set_data (G_OBJECT (watch->toast), FD_UI_TOAST_SETTLED_KEY, GINT_TO_POINTER (TRUE));
  return G_SOURCE_REMOVE;
}

static void
fd_ui_toast_dismissed_cb (AdwToast *toast, GtkWidget *overlay)
{
  if (g_object_get_data (G_OBJECT (overlay), FD_UI_TOAST_KEY) == toast)
    g_object_set_data (G_OBJECT (overlay), FD_UI_TOAST_KEY, NULL);
}

void
fd_ui_toast (GtkWidget *widget, const char *message)
{
  GtkWidget *overlay = gtk_widget_get_ancestor (widget, ADW_TYPE_TOAST_OVERLAY);
  /* A toast's title is Pango markup: names and server messages are not. */
  g_autofree char *title = g_markup_escape_text (message, -1);
  GdkFrameClock *clock;
  FdUiToastWatch *watch;
  AdwToast *shown;
  AdwToast *toast;

  if (overlay == NULL)
    {
      g_warning ("%s", message);
      return;
    }

  shown = g_object_get_data (G_OBJECT (overlay), FD_UI_TOAST_KEY);
  if (shown != NULL && g_object_get_data (G_OBJECT (shown), FD_UI_TOAST_SETTLED_KEY) == NULL)
    {
      adw_toast_set_title (shown, title);
      return;
    }
  if (shown != NULL)
    adw_toast_dismiss (shown);

  toast = adw_toast_new (title);
  adw_toast_set_timeout (toast, 5);
  g_object_set_data_full (G_OBJECT (overlay), FD_UI_TOAST_KEY, g_object_ref (toast),
                          g_object_unref);
  g_signal_connect_object (toast, "dismissed", G_CALLBACK (fd_ui_toast_dismissed_cb), overlay, 0);
  adw_toast_overlay_add_toast (ADW_TOAST_OVERLAY (overlay), g_object_ref (toast));

  /* An overlay that is not mapped shows the toast without a slide (the animation ends at once);
   * the frame time is read after adding, so it is no earlier than the animation's start. */
  clock = gtk_widget_get_mapped (overlay) ? gtk_widget_get_frame_clock (overlay) : NULL;
  if (clock == NULL)
    {
      g_object_set_data (G_OBJECT (toast), FD_UI_TOAST_SETTLED_KEY, GINT_TO_POINTER (TRUE));
      g_object_unref (toast);
      return;
    }
  watch = g_new0 (FdUiToastWatch, 1);
  watch->toast = toast;
  watch->added = gdk_frame_clock_get_frame_time (clock);
  gtk_widget_add_tick_callback (overlay, fd_ui_toast_tick_cb, watch, fd_ui_toast_watch_free);
}

void
fd_ui_toast_error (GtkWidget *widget, const GError *error)
{
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  fd_ui_toast (widget, error->message);
}

char *
fd_ui_dup_trimmed_text (GtkEditable *editable)
{
  return g_strstrip (g_strdup (gtk_editable_get_text (editable)));
}

char *
fd_ui_dup_search_key (GtkEditable *editable)
{
  g_autofree char *text = fd_ui_dup_trimmed_text (editable);

  return *text != '\0' ? g_utf8_casefold (text, -1) : NULL;
}

gboolean
fd_ui_text_matches (const char *text, const char *key)
{
  g_autofree char *folded = text != NULL ? g_utf8_casefold (text, -1) : NULL;

  return folded != NULL && strstr (folded, key) != NULL;
}

static void
fd_ui_name_changed_cb (GtkEditable *editable, AdwMessageDialog *dialog)
{
  g_autofree char *name = fd_ui_dup_trimmed_text (editable);

  adw_message_dialog_set_response_enabled (dialog, "accept", *name != '\0');
}

static GtkWindow *
fd_ui_parent_window (GtkWidget *parent)
{
  GtkRoot *root = parent != NULL ? gtk_widget_get_root (parent) : NULL;

  return GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL;
}

AdwMessageDialog *
fd_ui_name_dialog_new (GtkWidget *parent, const char *heading, const char *body,
                       const char *initial_name, const char *accept_label, GtkWidget *extra_row,
                       AdwEntryRow **name_row)
{
  AdwMessageDialog *dialog;
  GtkWidget *list;
  GtkWidget *row;

  dialog
      = ADW_MESSAGE_DIALOG (adw_message_dialog_new (fd_ui_parent_window (parent), heading, body));
  adw_message_dialog_add_responses (dialog, "cancel", _ ("_Cancel"), "accept", accept_label, NULL);
  adw_message_dialog_set_response_appearance (dialog, "accept", ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_default_response (dialog, "accept");
  adw_message_dialog_set_close_response (dialog, "cancel");

  list = gtk_list_box_new ();
  gtk_list_box_set_selection_mode (GTK_LIST_BOX (list), GTK_SELECTION_NONE);
  gtk_widget_add_css_class (list, "boxed-list");

  row = adw_entry_row_new ();
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), C_ ("dialog field", "Name"));
  adw_entry_row_set_activates_default (ADW_ENTRY_ROW (row), TRUE);
  gtk_editable_set_text (GTK_EDITABLE (row), initial_name != NULL ? initial_name : "");
  g_signal_connect_object (row, "changed", G_CALLBACK (fd_ui_name_changed_cb), dialog, 0);
  fd_ui_name_changed_cb (GTK_EDITABLE (row), dialog);
  gtk_list_box_append (GTK_LIST_BOX (list), row);

  if (extra_row != NULL)
    gtk_list_box_append (GTK_LIST_BOX (list), extra_row);

  adw_message_dialog_set_extra_child (dialog, list);
  gtk_window_set_focus (GTK_WINDOW (dialog), row);

  if (name_row != NULL)
    *name_row = ADW_ENTRY_ROW (row);
  return dialog;
}

AdwMessageDialog *
fd_ui_confirm_dialog_new (GtkWidget *parent, const char *heading, const char *body,
                          const char *accept_label)
{
  AdwMessageDialog *dialog;

  dialog
      = ADW_MESSAGE_DIALOG (adw_message_dialog_new (fd_ui_parent_window (parent), heading, body));
  adw_message_dialog_add_responses (dialog, "cancel", _ ("_Cancel"), "accept", accept_label, NULL);
  adw_message_dialog_set_response_appearance (dialog, "accept", ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_default_response (dialog, "cancel");
  adw_message_dialog_set_close_response (dialog, "cancel");
  return dialog;
}

gboolean
fd_ui_read_begin (FdUiRead *read)
{
  if (read->in_flight)
    {
      read->again = TRUE;
      return FALSE;
    }
  read->in_flight = TRUE;
  read->again = FALSE;
  return TRUE;
}

gboolean
fd_ui_read_end (FdUiRead *read)
{
  read->in_flight = FALSE;
  return read->again;
}

GtkWidget *
fd_ui_pane_header_new (GtkWidget *pane, const char *title, const char *primary_label,
                       const char *primary_tooltip)
{
  GtkWidget *header = adw_header_bar_new ();
  GtkWidget *back = gtk_button_new_from_icon_name ("go-previous-symbolic");
  GtkWidget *primary = gtk_button_new_with_mnemonic (primary_label);

  adw_header_bar_set_title_widget (ADW_HEADER_BAR (header), adw_window_title_new (title, NULL));
  g_object_bind_property (pane, "folded", header, "show-start-title-buttons",
                          G_BINDING_SYNC_CREATE);

  gtk_widget_set_tooltip_text (back, _ ("Back"));
  gtk_accessible_update_property (GTK_ACCESSIBLE (back), GTK_ACCESSIBLE_PROPERTY_LABEL, _ ("Back"),
                                  -1);
  gtk_actionable_set_action_name (GTK_ACTIONABLE (back), "win.back");
  g_object_bind_property (pane, "folded", back, "visible", G_BINDING_SYNC_CREATE);
  adw_header_bar_pack_start (ADW_HEADER_BAR (header), back);

  gtk_widget_set_tooltip_text (primary, primary_tooltip);
  gtk_actionable_set_action_name (GTK_ACTIONABLE (primary), "pane.primary");
  gtk_widget_add_css_class (primary, "suggested-action");
  adw_header_bar_pack_start (ADW_HEADER_BAR (header), primary);
  return header;
}

GtkStack *
fd_ui_state_stack_new (void)
{
  GtkStack *stack = GTK_STACK (gtk_stack_new ());

  gtk_widget_set_vexpand (GTK_WIDGET (stack), TRUE);
  gtk_stack_set_hhomogeneous (stack, FALSE);
  gtk_stack_set_vhomogeneous (stack, FALSE);
  return stack;
}

GtkWidget *
fd_ui_spinner_new (void)
{
  GtkWidget *spinner = gtk_spinner_new ();

  gtk_spinner_set_spinning (GTK_SPINNER (spinner), TRUE);
  gtk_widget_set_size_request (spinner, 32, 32);
  gtk_widget_set_halign (spinner, GTK_ALIGN_CENTER);
  gtk_widget_set_valign (spinner, GTK_ALIGN_CENTER);
  return spinner;
}

GtkWidget *
fd_ui_status_page_new (const char *icon, const char *title, const char *description,
                       const char *button, const char *action)
{
  GtkWidget *page = adw_status_page_new ();

  adw_status_page_set_icon_name (ADW_STATUS_PAGE (page), icon);
  adw_status_page_set_title (ADW_STATUS_PAGE (page), title);
  adw_status_page_set_description (ADW_STATUS_PAGE (page), description);
  if (button != NULL)
    {
      GtkWidget *first = gtk_button_new_with_mnemonic (button);

      gtk_widget_set_halign (first, GTK_ALIGN_CENTER);
      gtk_actionable_set_action_name (GTK_ACTIONABLE (first), action);
      gtk_widget_add_css_class (first, "pill");
      gtk_widget_add_css_class (first, "suggested-action");
      adw_status_page_set_child (ADW_STATUS_PAGE (page), first);
    }
  return page;
}

GtkSearchBar *
fd_ui_search_bar_new (const char *placeholder, GtkSearchEntry **entry)
{
  GtkSearchBar *search_bar = GTK_SEARCH_BAR (gtk_search_bar_new ());
  GtkWidget *search_entry = gtk_search_entry_new ();
  GtkWidget *clamp = adw_clamp_new ();

  g_object_set (search_entry, "placeholder-text", placeholder, NULL);
  adw_clamp_set_maximum_size (ADW_CLAMP (clamp), 400);
  gtk_widget_set_hexpand (clamp, TRUE);
  adw_clamp_set_child (ADW_CLAMP (clamp), search_entry);
  gtk_search_bar_set_child (search_bar, clamp);
  gtk_search_bar_connect_entry (search_bar, GTK_EDITABLE (search_entry));
  *entry = GTK_SEARCH_ENTRY (search_entry);
  return search_bar;
}

GtkWidget *
fd_ui_search_button_new (GtkSearchBar *search_bar, const char *tooltip, const char *label)
{
  GtkWidget *search = gtk_toggle_button_new ();

  gtk_button_set_icon_name (GTK_BUTTON (search), "system-search-symbolic");
  gtk_widget_set_tooltip_text (search, tooltip);
  gtk_accessible_update_property (GTK_ACCESSIBLE (search), GTK_ACCESSIBLE_PROPERTY_LABEL, label,
                                  -1);
  g_object_bind_property (search, "active", search_bar, "search-mode-enabled",
                          G_BINDING_SYNC_CREATE | G_BINDING_BIDIRECTIONAL);
  return search;
}

GtkWidget *
fd_ui_list_placeholder_new (const char *text)
{
  GtkWidget *placeholder = gtk_label_new (text);

  gtk_label_set_wrap (GTK_LABEL (placeholder), TRUE);
  gtk_widget_add_css_class (placeholder, "dim-label");
  gtk_widget_set_margin_top (placeholder, 18);
  gtk_widget_set_margin_bottom (placeholder, 18);
  gtk_widget_set_margin_start (placeholder, 12);
  gtk_widget_set_margin_end (placeholder, 12);
  return placeholder;
}

void
fd_ui_list_box_remove_all (GtkListBox *list)
{
  GtkListBoxRow *row;

  while ((row = gtk_list_box_get_row_at_index (list, 0)) != NULL)
    gtk_list_box_remove (list, GTK_WIDGET (row));
}
