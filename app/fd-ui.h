/* fd-ui.h — what every pane shows the same way: toasts, name dialogs, confirmations. */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

/* Shows @message as a toast in the window of @widget. */
void fd_ui_toast (GtkWidget *widget, const char *message);
/* Shows @error's message as a toast; a cancelled operation shows nothing. */
void fd_ui_toast_error (GtkWidget *widget, const GError *error);

/* A dialog asking for a name: responses "cancel" and "accept" (@accept_label, suggested and
 * the default, enabled while the name is not blank). @extra_row, if not NULL, is added below
 * the name row. The name row is returned in @name_row. */
AdwMessageDialog *fd_ui_name_dialog_new (GtkWidget *parent, const char *heading, const char *body,
                                         const char *initial_name, const char *accept_label,
                                         GtkWidget *extra_row, AdwEntryRow **name_row);

/* A dialog confirming something that cannot be undone: responses "cancel" (the default) and
 * "accept" (@accept_label, destructive). */
AdwMessageDialog *fd_ui_confirm_dialog_new (GtkWidget *parent, const char *heading,
                                            const char *body, const char *accept_label);

/* The header bar of a pane that is a leaflet of a list and a page: @title, a Back button
 * ("win.back") shown while @pane's "folded" is TRUE, and the suggested button @primary_label
 * (with a mnemonic) that activates "pane.primary", with @primary_tooltip. */
GtkWidget *fd_ui_pane_header_new (GtkWidget *pane, const char *title, const char *primary_label,
                                  const char *primary_tooltip);

/* A stack of the states of a view ("loading", "empty", "list"…), expanding vertically. Only
 * the page shown is measured: a homogeneous stack measures every status page's wrapped text on
 * each layout of the window, even while the pane is hidden. */
GtkStack *fd_ui_state_stack_new (void);

/* What a view shows while it is read: a spinning spinner, centred. */
GtkWidget *fd_ui_spinner_new (void);

/* A status page: @icon, @title and @description; if @button is not NULL, a suggested pill
 * button of that mnemonic label activating @action. */
GtkWidget *fd_ui_status_page_new (const char *icon, const char *title, const char *description,
                                  const char *button, const char *action);

/* A pane's search bar: a search entry of @placeholder (returned in @entry) in a clamp. */
GtkSearchBar *fd_ui_search_bar_new (const char *placeholder, GtkSearchEntry **entry);

/* The header bar's toggle button of @search_bar: @tooltip, and @label for screen readers. */
GtkWidget *fd_ui_search_button_new (GtkSearchBar *search_bar, const char *tooltip,
                                    const char *label);

/* What an empty list box shows instead of rows: @text, dimmed and wrapped, with room around. */
GtkWidget *fd_ui_list_placeholder_new (const char *text);

/* Removes every row of @list. */
void fd_ui_list_box_remove_all (GtkListBox *list);

/* One read of a list or an object in flight at a time: a read asked for while one is in
 * flight is made once, after it (a burst of events costs one more read, not one each). */
typedef struct
{
  gboolean in_flight;
  gboolean again; /* asked for while a read was in flight */
} FdUiRead;

/* Whether to start a read now; if one is in flight, marks it to be made again instead. */
gboolean fd_ui_read_begin (FdUiRead *read);
/* The read in flight has ended (or been cancelled): the next may start. Returns whether one
 * was asked for meanwhile. */
gboolean fd_ui_read_end (FdUiRead *read);

/* A copy of the trimmed text of @editable. */
char *fd_ui_dup_trimmed_text (GtkEditable *editable);

/* What a search entry searches for: its trimmed text casefolded, NULL when it is blank. */
char *fd_ui_dup_search_key (GtkEditable *editable);
/* Whether @text (NULL: FALSE), casefolded, contains @key (of fd_ui_dup_search_key()). */
gboolean fd_ui_text_matches (const char *text, const char *key);

G_END_DECLS
