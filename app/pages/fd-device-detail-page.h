/* fd-device-detail-page.h — one device: its latest readings, live, and its credentials. Pushed
 * on the Devices pane's leaflet when a row is opened. */
#pragma once

#include <adwaita.h>

#include "fd-api-client.h"
#include "fd-device.h"
#include "fd-events-client.h"
#include "fd-pane.h"

G_BEGIN_DECLS

/* How often the readings are asked for while the page is shown (live readings come from the
 * events stream in between; the polls keep "12 s ago" current). */
#define FD_DEVICE_DETAIL_POLL_MS 2000

#define FD_TYPE_DEVICE_DETAIL_PAGE (fd_device_detail_page_get_type ())
G_DECLARE_FINAL_TYPE (FdDeviceDetailPage, fd_device_detail_page, FD, DEVICE_DETAIL_PAGE, FdPane)

void fd_device_detail_page_set_client (FdDeviceDetailPage *self, FdApiClient *client);
/* Live readings and presence (fd-device-detail-page-live.c). */
void fd_device_detail_page_set_events (FdDeviceDetailPage *self, FdEventsClient *events);
/* Shows @device (NULL: nothing, and every request stops). */
void fd_device_detail_page_set_device (FdDeviceDetailPage *self, FdDevice *device);
FdDevice *fd_device_detail_page_get_device (FdDeviceDetailPage *self);

/* How many times the readings were asked for (for tests: polling stops while hidden). */
guint fd_device_detail_page_get_polls (FdDeviceDetailPage *self);
/* How many readings were shown from "data" events (for tests). */
guint fd_device_detail_page_get_live_readings (FdDeviceDetailPage *self);

/* For tests: the state of variable @key as shown ("pending", "applied", "reported"), or NULL
 * when it is not listed. */
const char *fd_device_detail_page_get_variable_state (FdDeviceDetailPage *self, const char *key);

G_END_DECLS
