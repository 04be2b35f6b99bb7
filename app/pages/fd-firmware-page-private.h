/* fd-firmware-page-private.h — what the files of the "Firmware & OTA" pane share. */
#pragma once

#include "fd-campaign-page.h"
#include "fd-firmware-page.h"
#include "fd-json-item.h"
#include "fd-ui.h"

G_BEGIN_DECLS

struct _FdFirmwarePage
{
  FdPane parent_instance;

  FdApiClient *client;
  FdWorkspace *workspace;
  FdEventsClient *events;
  GCancellable *cancellable; /* of the workspace's requests */

  AdwLeaflet *leaflet;
  GtkWidget *list_page;
  FdCampaignPage *campaign_page;
  GtkStack *stack; /* "none" (no workspace) or "list" */
  GtkWidget *drop_zone;
  GtkDropTarget *drop_target; /* on the window while the pane is shown */
  GtkWidget *window;          /* that window (not a reference) */

  /* The upload in progress */
  GtkRevealer *upload_revealer;
  GtkLabel *upload_label;
  GtkProgressBar *upload_bar;
  GCancellable *upload_cancellable;
  GtkWidget *upload_button;

  GListStore *firmware; /* FdJsonItem */
  GtkStack *firmware_stack;
  GtkColumnView *firmware_view;
  GListStore *campaigns; /* FdJsonItem */
  GtkStack *campaign_stack;
  GtkColumnView *campaign_view;
  FdUiRead campaigns_read;

  GHashTable *notified; /* campaign ids whose end was notified */
  guint notifications;
};

/* fd-firmware-page-upload.c */
void fd_firmware_page_init_upload (FdFirmwarePage *self);
void fd_firmware_page_choose_file (FdFirmwarePage *self);
void fd_firmware_page_attach_drop (FdFirmwarePage *self);
void fd_firmware_page_detach_drop (FdFirmwarePage *self);
void fd_firmware_page_confirm_delete (FdFirmwarePage *self, JsonObject *firmware);

/* fd-firmware-page-campaigns.c */
void fd_firmware_page_init_campaigns (FdFirmwarePage *self);
void fd_firmware_page_load_campaigns (FdFirmwarePage *self);
void fd_firmware_page_campaign_event_cb (FdFirmwarePage *self, const char *type,
                                         const char *workspace_id, const char *device_id,
                                         JsonObject *data);
void fd_firmware_page_new_campaign (FdFirmwarePage *self);
/* The campaign of @firmware_id that keeps it in use (running or paused), or NULL. */
JsonObject *fd_firmware_page_find_user (FdFirmwarePage *self, const char *firmware_id);

/* fd-firmware-page-list.c */
GtkColumnView *fd_firmware_page_firmware_view_new (FdFirmwarePage *self);
void fd_firmware_page_load_firmware (FdFirmwarePage *self);
/* The item of @store whose object's "id" is @id, or NULL (not a new reference). */
FdJsonItem *fd_json_store_find (GListStore *store, const char *id, guint *position);
/* Replaces @store's items by @items (JsonObject), keeping the items of unchanged ids. */
void fd_json_store_replace (GListStore *store, GPtrArray *items);

G_END_DECLS
