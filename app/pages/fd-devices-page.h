/* fd-devices-page.h — the "Devices" pane: every device of the current workspace. */
#pragma once

#include <adwaita.h>

#include "fd-api-client.h"
#include "fd-device-detail-page.h"
#include "fd-device-model.h"
#include "fd-events-client.h"
#include "fd-pane.h"
#include "fd-workspace.h"

G_BEGIN_DECLS

#define FD_TYPE_DEVICES_PAGE (fd_devices_page_get_type ())
G_DECLARE_FINAL_TYPE (FdDevicesPage, fd_devices_page, FD, DEVICES_PAGE, FdPane)

void fd_devices_page_set_client (FdDevicesPage *self, FdApiClient *client);
/* The live events that keep the rows' online state and the device page up to date. */
void fd_devices_page_set_events (FdDevicesPage *self, FdEventsClient *events);
/* The workspace whose devices are listed, and its fleets (FdFleet, default first). */
void fd_devices_page_set_workspace (FdDevicesPage *self, FdWorkspace *workspace);
void fd_devices_page_set_fleets (FdDevicesPage *self, GListModel *fleets);

/* Lists the devices again (after fleets were renamed or deleted elsewhere). */
void fd_devices_page_reload (FdDevicesPage *self);

/* The list behind the column view (for tests). */
FdDeviceModel *fd_devices_page_get_model (FdDevicesPage *self);
GtkColumnView *fd_devices_page_get_column_view (FdDevicesPage *self);

/* Pushes the page of @device (a row of the list) on the pane's leaflet; and back to the list. */
void fd_devices_page_open_device (FdDevicesPage *self, FdDevice *device);
void fd_devices_page_show_list (FdDevicesPage *self);
/* Pushes the page of the device @device_id (listed or not), reading it first if needed. */
void fd_devices_page_open_device_id (FdDevicesPage *self, const char *device_id);
/* The device page (shown or not), for tests. */
FdDeviceDetailPage *fd_devices_page_get_detail_page (FdDevicesPage *self);

G_END_DECLS
