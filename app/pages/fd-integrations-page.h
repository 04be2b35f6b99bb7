/* fd-integrations-page.h — the "Integrations" pane: the workspace's integrations (webhooks,
 * PostgreSQL) with their health live, "Add Integration", and, pushed on the pane's leaflet,
 * one integration's page; a second view lists the alert rules and the active alerts, and
 * alert.triggered events become desktop notifications. */
#pragma once

#include <adwaita.h>

#include "fd-api-client.h"
#include "fd-events-client.h"
#include "fd-integration-detail-page.h"
#include "fd-pane.h"
#include "fd-workspace.h"

G_BEGIN_DECLS

/* Integrations and alert rules listed (a workspace has a handful). */
#define FD_INTEGRATIONS_PAGE_MAX 500
/* Active alerts listed. */
#define FD_INTEGRATIONS_PAGE_MAX_ALERTS 500
/* After an event about an integration or alert not shown (made elsewhere), the list is read
 * again, at most this often. */
#define FD_INTEGRATIONS_PAGE_RELOAD_MS 1000
/* The longest "open longer than" offered by "Add Alert Rule", in minutes (a week). */
#define FD_ALERT_RULE_MAX_MINUTES 10080

#define FD_TYPE_INTEGRATIONS_PAGE (fd_integrations_page_get_type ())
G_DECLARE_FINAL_TYPE (FdIntegrationsPage, fd_integrations_page, FD, INTEGRATIONS_PAGE, FdPane)

void fd_integrations_page_set_client (FdIntegrationsPage *self, FdApiClient *client);
void fd_integrations_page_set_events (FdIntegrationsPage *self, FdEventsClient *events);
/* The workspace whose integrations and alerts are listed (NULL: none). */
void fd_integrations_page_set_workspace (FdIntegrationsPage *self, FdWorkspace *workspace);
void fd_integrations_page_reload (FdIntegrationsPage *self);
/* Shows the integration's page. */
void fd_integrations_page_open_integration (FdIntegrationsPage *self, const char *id);
/* Shows the view "integrations" or "alerts". */
void fd_integrations_page_show_view (FdIntegrationsPage *self, const char *name);

/* For tests: the integrations (FdJsonItem keyed by id) in the view's order, the integration
 * page, the alert rules and active alerts as last read (JsonObject), and how many
 * notifications were sent and withdrawn. */
GListModel *fd_integrations_page_get_integrations (FdIntegrationsPage *self);
FdIntegrationDetailPage *fd_integrations_page_get_detail_page (FdIntegrationsPage *self);
GPtrArray *fd_integrations_page_get_alert_rules (FdIntegrationsPage *self);
GPtrArray *fd_integrations_page_get_alerts (FdIntegrationsPage *self);
guint fd_integrations_page_get_notifications (FdIntegrationsPage *self, guint *withdrawn);

G_END_DECLS
