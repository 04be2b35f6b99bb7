/* fd-jobs-page-view.c — the Jobs pane's widgets, built in code: a leaflet of the list (header
 * bar with Back, New Job and Search; a search bar; a stack of "no workspace", "loading",
 * "empty", "no results" and the column view) and the job page. */
#include "config.h"

#include <glib/gi18n.h>

#include "fd-jobs-format.h"
#include "fd-jobs-page-private.h"
#include "fd-json-item.h"
#include "fd-ui.h"

static GtkWidget *
fd_jobs_page_header (FdJobsPage *self)
{
  GtkWidget *header = fd_ui_pane_header_new (GTK_WIDGET (self), _ ("Jobs"), _ ("_New Job"),
                                             _ ("Run a Job on Devices (Ctrl+N)"));
  GtkWidget *search = gtk_toggle_button_new ();

  gtk_button_set_icon_name (GTK_BUTTON (search), "system-search-symbolic");
  gtk_widget_set_tooltip_text (search, _ ("Search Jobs (Ctrl+F)"));
  gtk_accessible_update_property (GTK_ACCESSIBLE (search), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _ ("Search Jobs"), -1);
  g_object_bind_property (search, "active", self->search_bar, "search-mode-enabled",
                          G_BINDING_SYNC_CREATE | G_BINDING_BIDIRECTIONAL);
  adw_header_bar_pack_end (ADW_HEADER_BAR (header), search);
  return header;
}

static GtkWidget *
fd_jobs_page_search (FdJobsPage *self)
{
  GtkWidget *clamp = adw_clamp_new ();

  self->search_bar = GTK_SEARCH_BAR (gtk_search_bar_new ());
  self->search_entry = GTK_SEARCH_ENTRY (gtk_search_entry_new ());
  g_object_set (self->search_entry, "placeholder-text", _ ("Search jobs by name"), NULL);
  g_signal_connect_object (self->search_entry, "search-changed",
                           G_CALLBACK (fd_jobs_page_search_changed_cb), self, G_CONNECT_SWAPPED);
  adw_clamp_set_maximum_size (ADW_CLAMP (clamp), 400);
  gtk_widget_set_hexpand (clamp, TRUE);
  adw_clamp_set_child (ADW_CLAMP (clamp), GTK_WIDGET (self->search_entry));
  gtk_search_bar_set_child (self->search_bar, clamp);
  gtk_search_bar_connect_entry (self->search_bar, GTK_EDITABLE (self->search_entry));
  return GTK_WIDGET (self->search_bar);
}

static void
fd_jobs_page_add_status (FdJobsPage *self, const char *name, const char *icon, const char *title,
                         const char *description, const char *button, const char *action)
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
  gtk_stack_add_named (self->stack, page, name);
}

static GtkWidget *
fd_jobs_page_list (FdJobsPage *self)
{
  GtkWidget *scrolled = gtk_scrolled_window_new ();
  GtkWidget *spinner = gtk_spinner_new ();
  GtkColumnViewColumn *column;

  self->stack = GTK_STACK (gtk_stack_new ());
  gtk_widget_set_vexpand (GTK_WIDGET (self->stack), TRUE);
  /* Only the page shown is measured: a homogeneous stack measures every status page's wrapped
   * text on each layout of the window, even while the pane is hidden. */
  gtk_stack_set_hhomogeneous (self->stack, FALSE);
  gtk_stack_set_vhomogeneous (self->stack, FALSE);
  fd_jobs_page_add_status (self, "no-workspace", "view-grid-symbolic", _ ("No Workspace"),
                           _ ("Jobs run on the devices of a workspace. Make one first."),
                           _ ("_New Workspace"), "win.new-workspace");

  gtk_spinner_set_spinning (GTK_SPINNER (spinner), TRUE);
  gtk_widget_set_size_request (spinner, 32, 32);
  gtk_widget_set_halign (spinner, GTK_ALIGN_CENTER);
  gtk_widget_set_valign (spinner, GTK_ALIGN_CENTER);
  gtk_stack_add_named (self->stack, spinner, "loading");

  fd_jobs_page_add_status (
      self, "empty", "system-run-symbolic", _ ("No Jobs Yet"),
      _ ("A job asks devices to do something — reset, run a self-test, report their "
         "configuration — and collects each device’s answer. Devices list the jobs they "
         "support in their manifest."),
      _ ("_New Job"), "pane.primary");
  fd_jobs_page_add_status (self, "no-results", "system-search-symbolic", _ ("No Results Found"),
                           _ ("No job matches the search."), NULL, NULL);

  self->view = GTK_COLUMN_VIEW (gtk_column_view_new (NULL));
  column = fd_json_item_column_new (C_ ("column", "Name"), fd_jobs_format_name, NULL, TRUE);
  gtk_column_view_append_column (self->view, column);
  g_object_unref (column);
  column = fd_json_item_column_new (C_ ("column", "Targets"), fd_jobs_format_targets, NULL, FALSE);
  gtk_column_view_column_set_fixed_width (column, 120);
  gtk_column_view_append_column (self->view, column);
  g_object_unref (column);
  column = fd_json_item_progress_column_new (C_ ("column", "Progress"), fd_jobs_format_fraction,
                                             fd_jobs_format_progress);
  gtk_column_view_column_set_fixed_width (column, 280);
  gtk_column_view_append_column (self->view, column);
  g_object_unref (column);
  column = fd_json_item_column_new (C_ ("column", "State"), fd_jobs_format_state, NULL, FALSE);
  gtk_column_view_column_set_fixed_width (column, 110);
  gtk_column_view_append_column (self->view, column);
  g_object_unref (column);
  self->created_column = fd_json_item_column_new (C_ ("column", "Created"), fd_jobs_format_created,
                                                  "created_at", FALSE);
  gtk_column_view_column_set_fixed_width (self->created_column, 160);
  gtk_column_view_append_column (self->view, self->created_column);
  g_object_unref (self->created_column);

  gtk_column_view_set_reorderable (self->view, FALSE);
  gtk_column_view_set_single_click_activate (self->view, FALSE);
  gtk_widget_add_css_class (GTK_WIDGET (self->view), "data-table");
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->view), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _ ("Jobs"), -1);
  g_signal_connect_object (self->view, "activate", G_CALLBACK (fd_jobs_page_activate_cb), self,
                           G_CONNECT_SWAPPED);
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scrolled), GTK_WIDGET (self->view));
  gtk_stack_add_named (self->stack, scrolled, "list");
  return GTK_WIDGET (self->stack);
}

void
fd_jobs_page_build (FdJobsPage *self)
{
  GtkWidget *list_page = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  GtkWidget *search = fd_jobs_page_search (self);
  AdwLeafletPage *page;

  gtk_box_append (GTK_BOX (list_page), fd_jobs_page_header (self));
  gtk_box_append (GTK_BOX (list_page), search);
  gtk_box_append (GTK_BOX (list_page), fd_jobs_page_list (self));
  /* Typing on the pane searches it. */
  gtk_search_bar_set_key_capture_widget (self->search_bar, list_page);
  self->list_page = list_page;

  self->leaflet = ADW_LEAFLET (adw_leaflet_new ());
  adw_leaflet_set_can_unfold (self->leaflet, FALSE);
  adw_leaflet_set_can_navigate_back (self->leaflet, TRUE);
  page = adw_leaflet_append (self->leaflet, list_page);
  adw_leaflet_page_set_name (page, "list");
  self->detail_page = g_object_new (FD_TYPE_JOB_DETAIL_PAGE, NULL);
  page = adw_leaflet_append (self->leaflet, GTK_WIDGET (self->detail_page));
  adw_leaflet_page_set_name (page, "job");
  adw_bin_set_child (ADW_BIN (self), GTK_WIDGET (self->leaflet));
}
