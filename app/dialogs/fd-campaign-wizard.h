/* fd-campaign-wizard.h — "New Campaign": a firmware, its target devices, and how it rolls out
 * (stages, waits, thresholds), in three steps. */
#pragma once

#include <adwaita.h>

#include "fd-api-client.h"

G_BEGIN_DECLS

/* The API's bounds on a campaign (docs/rest-api.md). */
#define FD_CAMPAIGN_MAX_STAGES 10
#define FD_CAMPAIGN_MAX_WAIT_S 604800
#define FD_CAMPAIGN_MIN_TIMEOUT_S 10

#define FD_TYPE_CAMPAIGN_WIZARD (fd_campaign_wizard_get_type ())
G_DECLARE_FINAL_TYPE (FdCampaignWizard, fd_campaign_wizard, FD, CAMPAIGN_WIZARD, AdwWindow)

/* A wizard over @parent starting a campaign in @workspace_id with one of @firmware
 * (FdJsonItem of firmware objects). Signal "created" (JsonObject *campaign) once the server
 * started it; the wizard then closes. */
FdCampaignWizard *fd_campaign_wizard_new (GtkWindow *parent, FdApiClient *client,
                                          const char *workspace_id, GListModel *firmware);

/* Parses "5%, 25%, 100%" (or "10, 50%, 100%": a bare number is a count of devices) into the
 * API's stages array; NULL with @error saying what is wrong otherwise. */
JsonArray *fd_campaign_parse_stages (const char *text, GError **error);
/* The stages of a preset: 0 "5% → 25% → 100%", 1 "All at once". */
const char *fd_campaign_preset_stages (guint preset);

G_END_DECLS
