/* fd-integration-detail-page-private.h — what the integration page's files share. */
#pragma once

#include "fd-integration-detail-page.h"
#include "fd-ui.h"

G_BEGIN_DECLS

struct _FdIntegrationDetailPage
{
  AdwBin parent_instance;

  FdApiClient *client;
  FdEventsClient *events;
  char *integration_id;
  JsonObject *integration;
  GCancellable *cancellable; /* of the integration shown; cancelled when it changes */
  FdUiRead read;
  FdUiRead log_read;
  guint log_source;
  gboolean log_loaded;
  GListStore *deliveries; /* FdJsonItem keyed by id */

  AdwWindowTitle *title;
  GtkButton *pause_button;
  GtkWidget *test_button;
  GtkEntry *replay_entry;
  GtkMenuButton *replay_button;
  GtkLabel *state_label;
  GtkLabel *queue_label;
  GtkGrid *health_grid;
  GtkGrid *settings_grid;
  GtkStack *log_stack;
  GtkColumnView *log_view;
};

/* fd-integration-detail-page-view.c: the widgets; the actions are "detail.*". */
void fd_integration_detail_page_build (FdIntegrationDetailPage *self);
/* Shows @self->integration in the summary (state, counters, settings). */
void fd_integration_detail_page_show (FdIntegrationDetailPage *self);
/* "Replay From…"'s choices, hours ago (0 ends the list). */
extern const guint fd_integration_replay_hours[];

G_END_DECLS
