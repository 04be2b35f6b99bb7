/* fd-workspaces-page.h — the "Workspaces & Fleets" pane. */
#pragma once

#include <adwaita.h>

#include "fd-api-client.h"
#include "fd-pane.h"
#include "fd-workspace.h"

G_BEGIN_DECLS

#define FD_TYPE_WORKSPACES_PAGE (fd_workspaces_page_get_type ())
G_DECLARE_FINAL_TYPE (FdWorkspacesPage, fd_workspaces_page, FD, WORKSPACES_PAGE, FdPane)

void fd_workspaces_page_set_client (FdWorkspacesPage *self, FdApiClient *client);

/* Every workspace (FdWorkspace), by name; the same objects live on across reloads. */
GListModel *fd_workspaces_page_get_workspaces (FdWorkspacesPage *self);

/* The fleets (FdFleet) of the current workspace, the default one first. */
GListModel *fd_workspaces_page_get_fleets (FdWorkspacesPage *self);

/* The workspace the window works on; NULL when there is none. */
FdWorkspace *fd_workspaces_page_get_workspace (FdWorkspacesPage *self);
void fd_workspaces_page_set_workspace (FdWorkspacesPage *self, FdWorkspace *workspace);

/* Fetches the workspaces again; then makes @select_id current if it exists, otherwise keeps the
 * current one, otherwise the first one. */
void fd_workspaces_page_reload (FdWorkspacesPage *self, const char *select_id);

G_END_DECLS
