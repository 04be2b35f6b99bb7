/* fd-integrations-page-view.c — the Integrations pane's widgets, built in code: a leaflet of
 * the list page (header bar with Back, Add Integration, the Integrations / Alerts switcher and
 * Search; a search bar; a view stack of the integrations — "no workspace", "loading",
 * "empty", "no results" or the column view — and the Alerts view) and the integration page. */
#include "config.h"

#include <glib/gi18n.h>

#include "fd-integrations-format.h"
#include "fd-integrations-page-private.h"
#include "fd-json-item.h"
#include "fd-ui.h"

static GtkWidget *
fd_integrations_page_header (FdIntegrationsPage *self, GtkWidget **switcher_title)
{
  GtkWidget *header
      = fd_ui_pane_header_new (GTK_WIDGET (self), _ ("Integrations"), _ ("_Add Integration"),
                               _ ("Forward Data to Your Own Application (Ctrl+N)"));
  GtkWidget *search = fd_ui_search_button_new (self->search_bar, _ ("Search Integrations (Ctrl+F)"),
                                               _ ("Search Integrations"));
  GtkWidget *title = adw_view_switcher_title_new ();

  adw_view_switcher_title_set_stack (ADW_VIEW_SWITCHER_TITLE (title), self->views);
  adw_view_switcher_title_set_title (ADW_VIEW_SWITCHER_TITLE (title), _ ("Integrations"));
  adw_header_bar_set_title_widget (ADW_HEADER_BAR (header), title);
  *switcher_title = title;

  adw_header_bar_pack_end (ADW_HEADER_BAR (header), search);
  return header;
}

static GtkWidget *
fd_integrations_page_search (FdIntegrationsPage *self)
{
  self->search_bar = fd_ui_search_bar_new (_ ("Search integrations by name"), &self->search_entry);
  g_signal_connect_object (self->search_entry, "search-changed",
                           G_CALLBACK (fd_integrations_page_search_changed_cb), self,
                           G_CONNECT_SWAPPED);
  return GTK_WIDGET (self->search_bar);
}

static void
fd_integrations_page_add_status (FdIntegrationsPage *self, const char *name, const char *icon,
                                 const char *title, const char *description, const char *button,
                                 const char *action)
{
  gtk_stack_add_named (self->stack,
                       fd_ui_status_page_new (icon, title, description, button, action), name);
}

static GtkWidget *
fd_integrations_page_list (FdIntegrationsPage *self)
{
  GtkWidget *scrolled = gtk_scrolled_window_new ();
  const FdJsonItemColumnSpec specs[] = {
    { C_ ("column", "Type"), fd_integrations_format_type, NULL, FALSE, 110 },
    { C_ ("column", "Health"), fd_integrations_format_health, NULL, FALSE, 110 },
    { C_ ("column", "Queued"), fd_integrations_format_queued, NULL, FALSE, 90 },
    { C_ ("column", "Rate"), fd_integrations_format_rate, NULL, FALSE, 80 },
    { C_ ("column", "Last Error"), fd_integrations_format_last_error, NULL, TRUE, 0 },
  };

  self->stack = fd_ui_state_stack_new ();
  fd_integrations_page_add_status (
      self, "no-workspace", "view-grid-symbolic", _ ("No Workspace"),
      _ ("Integrations forward the data of a workspace. Make one first."), _ ("_New Workspace"),
      "win.new-workspace");

  gtk_stack_add_named (self->stack, fd_ui_spinner_new (), "loading");

  fd_integrations_page_add_status (
      self, "empty", "network-transmit-receive-symbolic", _ ("No Integrations Yet"),
      _ ("Forward data to your own application: readings, conditions and device events are "
         "sent to a webhook or written into PostgreSQL, and kept queued while it is down."),
      _ ("_Add Integration"), "pane.primary");
  fd_integrations_page_add_status (self, "no-results", "system-search-symbolic",
                                   _ ("No Results Found"), _ ("No integration matches the search."),
                                   NULL, NULL);

  self->view = GTK_COLUMN_VIEW (gtk_column_view_new (NULL));
  self->name_column
      = fd_json_item_column_new (C_ ("column", "Name"), fd_integrations_format_name, NULL, FALSE);
  gtk_column_view_column_set_fixed_width (self->name_column, 220);
  gtk_column_view_append_column (self->view, self->name_column);
  g_object_unref (self->name_column);
  fd_json_item_append_columns (self->view, specs, G_N_ELEMENTS (specs));
  gtk_column_view_set_reorderable (self->view, FALSE);
  gtk_column_view_set_single_click_activate (self->view, FALSE);
  gtk_widget_add_css_class (GTK_WIDGET (self->view), "data-table");
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->view), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _ ("Integrations"), -1);
  g_signal_connect_object (self->view, "activate", G_CALLBACK (fd_integrations_page_activate_cb),
                           self, G_CONNECT_SWAPPED);
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scrolled), GTK_WIDGET (self->view));
  gtk_stack_add_named (self->stack, scrolled, "list");
  return GTK_WIDGET (self->stack);
}

void
fd_integrations_page_build (FdIntegrationsPage *self)
{
  GtkWidget *list_page = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  GtkWidget *search = fd_integrations_page_search (self);
  GtkWidget *switcher_bar = adw_view_switcher_bar_new ();
  GtkWidget *switcher_title = NULL;
  AdwViewStackPage *view;
  AdwLeafletPage *page;

  self->views = ADW_VIEW_STACK (adw_view_stack_new ());
  gtk_widget_set_vexpand (GTK_WIDGET (self->views), TRUE);
  view = adw_view_stack_add_titled (self->views, fd_integrations_page_list (self), "integrations",
                                    _ ("Integrations"));
  adw_view_stack_page_set_icon_name (view, "network-transmit-receive-symbolic");
  view = adw_view_stack_add_titled (self->views, fd_integrations_page_alerts_view (self), "alerts",
                                    _ ("Alerts"));
  adw_view_stack_page_set_icon_name (view, "dialog-warning-symbolic");

  gtk_box_append (GTK_BOX (list_page), fd_integrations_page_header (self, &switcher_title));
  gtk_box_append (GTK_BOX (list_page), search);
  gtk_box_append (GTK_BOX (list_page), GTK_WIDGET (self->views));
  /* On a narrow window the switcher moves to the bottom. */
  adw_view_switcher_bar_set_stack (ADW_VIEW_SWITCHER_BAR (switcher_bar), self->views);
  g_object_bind_property (switcher_title, "title-visible", switcher_bar, "reveal",
                          G_BINDING_SYNC_CREATE);
  gtk_box_append (GTK_BOX (list_page), switcher_bar);
  /* Typing on the pane searches it. */
  gtk_search_bar_set_key_capture_widget (self->search_bar, list_page);
  self->list_page = list_page;

  self->leaflet = ADW_LEAFLET (adw_leaflet_new ());
  adw_leaflet_set_can_unfold (self->leaflet, FALSE);
  adw_leaflet_set_can_navigate_back (self->leaflet, TRUE);
  page = adw_leaflet_append (self->leaflet, list_page);
  adw_leaflet_page_set_name (page, "list");
  self->detail_page = g_object_new (FD_TYPE_INTEGRATION_DETAIL_PAGE, NULL);
  page = adw_leaflet_append (self->leaflet, GTK_WIDGET (self->detail_page));
  adw_leaflet_page_set_name (page, "integration");
  adw_bin_set_child (ADW_BIN (self), GTK_WIDGET (self->leaflet));
}
