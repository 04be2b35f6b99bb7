/* fd-server-page.h — the "Server" pane: where devices connect, the CA they must trust, the
 * database's size, and how long each workspace keeps its readings. */
#pragma once

#include <adwaita.h>

#include "fd-api-client.h"
#include "fd-pane.h"

G_BEGIN_DECLS

#define FD_TYPE_SERVER_PAGE (fd_server_page_get_type ())
G_DECLARE_FINAL_TYPE (FdServerPage, fd_server_page, FD, SERVER_PAGE, FdPane)

void fd_server_page_set_client (FdServerPage *self, FdApiClient *client);
/* Reads the server's description and the workspaces' retention again. */
void fd_server_page_reload (FdServerPage *self);

/* For tests: whether a reload is still waiting for the server. */
gboolean fd_server_page_is_loading (FdServerPage *self);

G_END_DECLS
