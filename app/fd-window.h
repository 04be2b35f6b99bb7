/* fd-window.h — the main window: a sidebar of panes and the current pane. */
#pragma once

#include <adwaita.h>

#include "fd-api-client.h"
#include "fd-events-client.h"

G_BEGIN_DECLS

#define FD_TYPE_WINDOW (fd_window_get_type ())
G_DECLARE_FINAL_TYPE (FdWindow, fd_window, FD, WINDOW, AdwApplicationWindow)

FdWindow *fd_window_new (GtkApplication *application);

/* Shows "Starting…" with @message until fd_window_set_client() or fd_window_show_failure(). */
void fd_window_show_starting (FdWindow *self, const char *message);
/* Connects the panes to the server behind @client; the window shows them once the workspaces
 * were read, or explains why they could not be. */
void fd_window_set_client (FdWindow *self, FdApiClient *client);
/* Replaces the panes by a page explaining that Fleetdesk cannot work, and why. */
void fd_window_show_failure (FdWindow *self, const char *icon_name, const char *title,
                             const char *message);

/* Shows the pane named "devices", "conditions" or "workspaces". */
void fd_window_show_pane (FdWindow *self, const char *name);
/* The pane with this name, for tests: an FdDevicesPage, FdConditionsPage or FdWorkspacesPage. */
GtkWidget *fd_window_get_pane (FdWindow *self, const char *name);
/* The events stream the panes follow (NULL before fd_window_set_client()). */
FdEventsClient *fd_window_get_events (FdWindow *self);
/* The name of the page of the window shown: "starting", "failed" or "main". */
const char *fd_window_get_state (FdWindow *self);

G_END_DECLS
