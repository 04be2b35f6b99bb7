/* fd-firmware-page.h — the "Firmware & OTA" pane: the workspace's firmware (upload by drag and
 * drop or a file chooser, with progress; delete) and its OTA campaigns (a wizard to start one,
 * a live view of each). */
#pragma once

#include <adwaita.h>

#include "fd-api-client.h"
#include "fd-events-client.h"
#include "fd-pane.h"
#include "fd-workspace.h"

G_BEGIN_DECLS

#define FD_TYPE_FIRMWARE_PAGE (fd_firmware_page_get_type ())
G_DECLARE_FINAL_TYPE (FdFirmwarePage, fd_firmware_page, FD, FIRMWARE_PAGE, FdPane)

void fd_firmware_page_set_client (FdFirmwarePage *self, FdApiClient *client);
void fd_firmware_page_set_workspace (FdFirmwarePage *self, FdWorkspace *workspace);
/* campaign.updated / campaign.target events: the campaigns list, the live view, and a desktop
 * notification when a campaign completes or aborts. */
void fd_firmware_page_set_events (FdFirmwarePage *self, FdEventsClient *events);
void fd_firmware_page_reload (FdFirmwarePage *self);

/* Uploads @file, asking for its version first (what a drop or the file chooser does). */
void fd_firmware_page_open_upload (FdFirmwarePage *self, GFile *file);
/* Shows the live view of campaign @campaign_id. */
void fd_firmware_page_open_campaign (FdFirmwarePage *self, const char *campaign_id);
/* For tests: the notifications sent so far. */
guint fd_firmware_page_get_notifications (FdFirmwarePage *self);

/* "1.4.2" from "sensor-fw-1.4.2.bin", "v2.0.0-rc1" from "v2.0.0-rc1.img"; NULL when the name
 * has no version in it. */
char *fd_firmware_guess_version (const char *file_name);

G_END_DECLS
