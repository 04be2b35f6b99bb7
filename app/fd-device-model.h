/* fd-device-model.h — the devices of a workspace as a lazy GListModel of FdDevice.
 *
 * It knows the number of matching devices after one request and fetches the rows in pages as
 * a view asks for them, so a list of 100,000 devices costs what the visible rows cost. */
#pragma once

#include "fd-api-client.h"
#include "fd-device.h"

G_BEGIN_DECLS

#define FD_DEVICE_MODEL_PAGE_SIZE 200

#define FD_TYPE_DEVICE_MODEL (fd_device_model_get_type ())
G_DECLARE_FINAL_TYPE (FdDeviceModel, fd_device_model, FD, DEVICE_MODEL, GObject)

FdDeviceModel *fd_device_model_new (void);

void fd_device_model_set_client (FdDeviceModel *self, FdApiClient *client);
/* Each setter reloads the list (once per main loop iteration, however many are called). NULL
 * means no workspace (an empty list), every fleet, no search, the server's default sort. */
void fd_device_model_set_workspace_id (FdDeviceModel *self, const char *workspace_id);
void fd_device_model_set_fleet_id (FdDeviceModel *self, const char *fleet_id);
void fd_device_model_set_search (FdDeviceModel *self, const char *search);
void fd_device_model_set_sort (FdDeviceModel *self, const char *sort);
const char *fd_device_model_get_search (FdDeviceModel *self);
const char *fd_device_model_get_fleet_id (FdDeviceModel *self);

/* Asks for the count again and drops every fetched row (after the new count arrived). */
void fd_device_model_reload (FdDeviceModel *self);
/* Takes @device out of the list at once, after the server deleted it. */
void fd_device_model_remove (FdDeviceModel *self, FdDevice *device);

/* The row of @device_id if its page was fetched, else NULL (it will arrive up to date). */
FdDevice *fd_device_model_lookup (FdDeviceModel *self, const char *device_id);

/* TRUE from a reload until its first page arrived (or failed). */
gboolean fd_device_model_get_loading (FdDeviceModel *self);
/* How many page requests were answered since the model was made (for tests and benchmarks). */
guint fd_device_model_get_pages_fetched (FdDeviceModel *self);

G_END_DECLS
