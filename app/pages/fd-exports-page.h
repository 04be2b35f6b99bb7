/* fd-exports-page.h — the "Exports" pane: the workspace's periodic exports (schedules) and its
 * recent one-off exports with their progress. */
#pragma once

#include <adwaita.h>

#include "fd-api-client.h"
#include "fd-pane.h"
#include "fd-workspace.h"

G_BEGIN_DECLS

/* How many of the newest one-off exports the pane lists. */
#define FD_EXPORTS_RECENT 20

#define FD_TYPE_EXPORTS_PAGE (fd_exports_page_get_type ())
G_DECLARE_FINAL_TYPE (FdExportsPage, fd_exports_page, FD, EXPORTS_PAGE, FdPane)

void fd_exports_page_set_client (FdExportsPage *self, FdApiClient *client);
/* The workspace whose exports are listed (NULL: none). */
void fd_exports_page_set_workspace (FdExportsPage *self, FdWorkspace *workspace);
/* Reads both lists again. */
void fd_exports_page_reload (FdExportsPage *self);

G_END_DECLS
