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
  GtkWidget *search
      = fd_ui_search_button_new (self->search_bar, _ ("Search Jobs (Ctrl+F)"), _ ("Search Jobs"));

  adw_header_bar_pack_end (ADW_HEADER_BAR (header), search);
  return header;
}

static GtkWidget *
fd_jobs_page_search (FdJobsPage *self)
{
  self->search_bar = fd_ui_search_bar_new (_ ("Search jobs by name"), &self->search_entry);
  g_signal_connect_object (self->search_entry, "search-changed",
                           G_CALLBACK (fd_jobs_page_search_changed_cb), self, G_CONNECT_SWAPPED);
  return GTK_WIDGET (self->search_bar);
}

static void
fd_jobs_page_add_status (FdJobsPage *self, const char *name, const char *icon, const char *title,
                         const char *description, const char *button, const char *action)
{
  gtk_stack_add_named (self->stack,
                       fd_ui_status_page_new (icon, title, description, button, action), name);
}

static GtkWidget *
fd_jobs_page_list (FdJobsPage *self)
{
  GtkWidget *scrolled = gtk_scrolled_window_new ();
  GtkColumnViewColumn *column;

  self->stack = fd_ui_state_stack_new ();
  fd_jobs_page_add_status (self, "no-workspace", "view-grid-symbolic", _ ("No Workspace"),
                           _ ("Jobs run on the devices of a workspace. Make one first."),
                           _ ("_New Workspace"), "win.new-workspace");

  gtk_stack_add_named (self->stack, fd_ui_spinner_new (), "loading");

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
