/* fd-integration-detail-page.h — one integration: its settings, its health live, Pause /
 * Resume, Replay From…, Send Test Event, Edit, Delete, and its delivery log. Pushed on the
 * Integrations pane's leaflet when an integration is opened. */
#pragma once

#include <adwaita.h>

#include "fd-api-client.h"
#include "fd-events-client.h"

G_BEGIN_DECLS

/* Attempts listed in the delivery log (newest first). */
#define FD_INTEGRATION_DETAIL_MAX_DELIVERIES 200
/* After an integration.updated event, the log is read again at most this often. */
#define FD_INTEGRATION_DETAIL_REFRESH_MS 1000

#define FD_TYPE_INTEGRATION_DETAIL_PAGE (fd_integration_detail_page_get_type ())
G_DECLARE_FINAL_TYPE (FdIntegrationDetailPage, fd_integration_detail_page, FD,
                      INTEGRATION_DETAIL_PAGE, AdwBin)

void fd_integration_detail_page_set_client (FdIntegrationDetailPage *self, FdApiClient *client);
void fd_integration_detail_page_set_events (FdIntegrationDetailPage *self, FdEventsClient *events);
/* Shows @integration_id; @integration (may be NULL) is what the list knows of it, shown until
 * it is read. NULL @integration_id shows nothing and stops every request. */
void fd_integration_detail_page_set_integration (FdIntegrationDetailPage *self,
                                                 const char *integration_id,
                                                 JsonObject *integration);
const char *fd_integration_detail_page_get_integration_id (FdIntegrationDetailPage *self);
/* The integration as last read or updated (NULL before it was read). */
JsonObject *fd_integration_detail_page_get_integration (FdIntegrationDetailPage *self);
/* The delivery log (FdJsonItem keyed by the id as a string), newest first. */
GListModel *fd_integration_detail_page_get_deliveries (FdIntegrationDetailPage *self);
/* Replays from @from (an RFC 3339 time) as "Replay From…" does. */
void fd_integration_detail_page_replay (FdIntegrationDetailPage *self, const char *from);

/* Signals:
 *   "changed" (JsonObject *integration)  read, edited, paused or resumed here: the list shows
 *                                        the same
 *   "deleted" (const char *id)           deleted here */

G_END_DECLS
