/* fd-campaign-page.h — the live view of one OTA campaign: its state, a progress bar per stage,
 * Pause/Resume/Abort, and every target device in a filterable table that follows the events
 * stream. */
#pragma once

#include <adwaita.h>

#include "fd-api-client.h"

G_BEGIN_DECLS

#define FD_TYPE_CAMPAIGN_PAGE (fd_campaign_page_get_type ())
G_DECLARE_FINAL_TYPE (FdCampaignPage, fd_campaign_page, FD, CAMPAIGN_PAGE, GtkBox)

FdCampaignPage *fd_campaign_page_new (void);
void fd_campaign_page_set_client (FdCampaignPage *self, FdApiClient *client);
/* Reads campaign @campaign_id and its targets, and shows them. */
void fd_campaign_page_show (FdCampaignPage *self, const char *campaign_id);
const char *fd_campaign_page_get_campaign_id (FdCampaignPage *self);
/* A campaign.updated or campaign.target event (of any campaign). */
void fd_campaign_page_event (FdCampaignPage *self, const char *type, const char *device_id,
                             JsonObject *data);
/* Puts the keyboard focus in the search of the devices. */
void fd_campaign_page_focus_search (FdCampaignPage *self);
/* For tests: the targets (FdJsonItem) the table shows, after its filters. */
GListModel *fd_campaign_page_get_shown_targets (FdCampaignPage *self);

/* "Running", "Paused", "Completed", "Aborted" (a campaign's state as the user reads it). */
const char *fd_campaign_state_label (const char *state);
/* "Notified", "Downloading", "Succeeded", … (a target's state). */
const char *fd_campaign_target_state_label (const char *state);
/* Targets in a final state among @counts ({state: n}). */
gint64 fd_campaign_count_final (JsonObject *counts);
/* Whether @state is a target's final state. */
gboolean fd_campaign_target_state_is_final (const char *state);

G_END_DECLS
