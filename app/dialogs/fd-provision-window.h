/* fd-provision-window.h — "Add Device" and "Add Credential": a device and how it
 * authenticates (a generated certificate, its own certificate or CSR, or a device key), then
 * the credentials, shown and saved once. */
#pragma once

#include <adwaita.h>

#include "fd-api-client.h"

G_BEGIN_DECLS

#define FD_TYPE_PROVISION_WINDOW (fd_provision_window_get_type ())
G_DECLARE_FINAL_TYPE (FdProvisionWindow, fd_provision_window, FD, PROVISION_WINDOW, AdwWindow)

/* Adds a device to workspace @workspace_id in one of @fleets (FdFleet), @fleet_id chosen
 * first. */
FdProvisionWindow *fd_provision_window_new_device (GtkWindow *parent, FdApiClient *client,
                                                   const char *workspace_id,
                                                   const char *workspace_name, GListModel *fleets,
                                                   const char *fleet_id);
/* Adds a credential to the existing device @device_id. */
FdProvisionWindow *fd_provision_window_new_credential (GtkWindow *parent, FdApiClient *client,
                                                       const char *device_id,
                                                       const char *device_name);

/* Chooses "the device's own certificate or CSR" and reads @file, as if the user had picked
 * it (a file dropped on the Devices pane). */
void fd_provision_window_set_pem_file (FdProvisionWindow *self, GFile *file);

/* The name row, the window's pages ("form", "working", "done", "failed"), for tests. */
const char *fd_provision_window_get_state (FdProvisionWindow *self);

G_END_DECLS
