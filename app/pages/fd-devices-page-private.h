/* fd-devices-page-private.h — what fd-devices-page.c and its actions file share. */
#pragma once

#include "fd-device-detail-page.h"
#include "fd-device.h"
#include "fd-devices-page.h"

G_BEGIN_DECLS

struct _FdDevicesPage
{
  FdPane parent_instance;

  FdApiClient *client;
  FdEventsClient *events;
  GCancellable *cancellable;
  FdWorkspace *workspace;
  GListModel *fleets;       /* FdFleet of the workspace */
  GListStore *filter_items; /* "All Fleets" then the fleets, flattened for the filter */
  FdDeviceModel *model;
  GtkSingleSelection *selection;
  FdDevice *selected;       /* watched for "loaded" */
  gboolean fleets_changing; /* the fleets are being replaced, not chosen by the user */

  AdwLeaflet *leaflet;
  GtkWidget *list_page;
  FdDeviceDetailPage *detail_page;
  AdwWindowTitle *window_title;
  GtkDropDown *fleet_filter;
  GtkSearchBar *search_bar;
  GtkSearchEntry *search_entry;
  GtkWidget *primary_button;
  GtkStack *stack;
  GtkColumnView *column_view;
  GtkColumnViewColumn *name_column;
  GtkColumnViewColumn *status_column;
  GtkColumnViewColumn *fleet_column;
  GtkColumnViewColumn *created_column;
  GtkColumnViewColumn *last_seen_column;
  GtkActionBar *action_bar;
  GtkLabel *selection_label;
};

void fd_devices_page_class_init_actions (GtkWidgetClass *widget_class);
/* Enables the actions on the selected device when there is one whose data has arrived. */
void fd_devices_page_update_actions (FdDevicesPage *self);
FdDevice *fd_devices_page_get_selected (FdDevicesPage *self);
void fd_devices_page_emit_changed (FdDevicesPage *self);

/* "Add Device", with @pem_file (may be NULL) as the device's own certificate or CSR. */
void fd_devices_page_open_provision (FdDevicesPage *self, GFile *pem_file);
/* "Import Devices" of @csv_file. */
void fd_devices_page_open_import (FdDevicesPage *self, GFile *csv_file);

/* fd-devices-page-dnd.c: a CSV file dropped on the pane is imported; a certificate or CSR
 * adds a device with it. */
void fd_devices_page_init_dnd (FdDevicesPage *self);

G_END_DECLS
