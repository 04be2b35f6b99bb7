/* fd-workspaces-page-private.h — what fd-workspaces-page.c and its actions file share. */
#pragma once

#include "fd-fleet.h"
#include "fd-workspaces-page.h"

G_BEGIN_DECLS

struct _FdWorkspacesPage
{
  FdPane parent_instance;

  FdApiClient *client;
  GCancellable *cancellable;
  GListStore *workspaces; /* FdWorkspace */
  GListStore *fleets;     /* FdFleet of the current workspace */
  GtkStringFilter *filter;
  FdWorkspace *workspace;
  char *load_error;
  gboolean loading;

  GtkWidget *primary_button;
  GtkStack *stack;
  AdwStatusPage *error_page;
  GtkSearchBar *search_bar;
  GtkSearchEntry *search_entry;
  GtkListBox *workspace_list;
  AdwPreferencesGroup *fleets_group;
  GtkListBox *fleet_list;
};

void fd_workspaces_page_class_init_actions (GtkWidgetClass *widget_class);
void fd_workspaces_page_reload_fleets (FdWorkspacesPage *self);
FdWorkspace *fd_workspaces_page_find_workspace (FdWorkspacesPage *self, const char *id);
FdFleet *fd_workspaces_page_find_fleet (FdWorkspacesPage *self, const char *id);
void fd_workspaces_page_emit_changed (FdWorkspacesPage *self);

G_END_DECLS
