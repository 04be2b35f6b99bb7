/* fd-devices-page-private.h — what fd-devices-page.c and its actions file share. */
#pragma once

#include "fd-device.h"
#include "fd-devices-page.h"

G_BEGIN_DECLS

struct _FdDevicesPage
{
  AdwBin parent_instance;

  FdApiClient *client;
  GCancellable *cancellable;
  FdWorkspace *workspace;
  GListModel *fleets;       /* FdFleet of the workspace */
  GListStore *filter_items; /* "All Fleets" then the fleets, flattened for the filter */
  FdDeviceModel *model;
  GtkSingleSelection *selection;
  FdDevice *selected; /* watched for "loaded" */
  gboolean folded;
  gboolean fleets_changing; /* the fleets are being replaced, not chosen by the user */

  AdwWindowTitle *window_title;
  GtkDropDown *fleet_filter;
  GtkSearchBar *search_bar;
  GtkSearchEntry *search_entry;
  GtkWidget *primary_button;
  GtkStack *stack;
  GtkColumnView *column_view;
  GtkColumnViewColumn *name_column;
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

G_END_DECLS
