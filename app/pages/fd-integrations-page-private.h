/* fd-integrations-page-private.h — what the Integrations pane's files share. */
#pragma once

#include "fd-integrations-page.h"

G_BEGIN_DECLS

struct _FdIntegrationsPage
{
  FdPane parent_instance;

  FdApiClient *client;
  FdEventsClient *events;
  FdWorkspace *workspace;
  GCancellable *cancellable; /* of the workspace's list; cancelled when it changes */
  gboolean loaded;
  guint reload_source;
  char *search; /* casefolded, NULL for none */

  GListStore *store; /* FdJsonItem keyed by id */
  GtkCustomFilter *filter;
  GtkFilterListModel *filtered;
  GtkSortListModel *sorted;

  AdwLeaflet *leaflet;
  GtkWidget *list_page;
  GtkSearchBar *search_bar;
  GtkSearchEntry *search_entry;
  AdwViewStack *views;
  GtkStack *stack;
  GtkColumnView *view;
  GtkColumnViewColumn *name_column;
  FdIntegrationDetailPage *detail_page;

  /* The Alerts view (fd-integrations-page-alerts.c) */
  GCancellable *alerts_cancellable;
  guint alerts_source;
  GtkListBox *rules_list;
  GtkListBox *alerts_list;
  GPtrArray *rules;  /* JsonObject */
  GPtrArray *alerts; /* JsonObject, active */
  guint notifications;
  guint withdrawn;
};

/* fd-integrations-page-view.c: the widgets (header bar with the views' switcher, search, the
 * list's states, the column view, the Alerts view, the integration page on the leaflet). */
void fd_integrations_page_build (FdIntegrationsPage *self);

/* fd-integrations-page.c */
void fd_integrations_page_activate_cb (FdIntegrationsPage *self, guint position,
                                       GtkColumnView *view);
void fd_integrations_page_search_changed_cb (FdIntegrationsPage *self, GtkSearchEntry *entry);

/* fd-integrations-page-alerts.c */
GtkWidget *fd_integrations_page_alerts_view (FdIntegrationsPage *self);
/* Reads the rules and the active alerts again (now, or @soon: within RELOAD_MS). */
void fd_integrations_page_reload_alerts (FdIntegrationsPage *self, gboolean soon);
void fd_integrations_page_alert_event_cb (FdIntegrationsPage *self, const char *type,
                                          const char *workspace_id, JsonObject *alert);
void fd_integrations_page_add_rule (GtkWidget *widget, const char *action, GVariant *param);
void fd_integrations_page_alerts_dispose (FdIntegrationsPage *self);

G_END_DECLS
