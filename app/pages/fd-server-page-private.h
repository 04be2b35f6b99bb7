/* fd-server-page-private.h — what fd-server-page.c and its retention file share. */
#pragma once

#include "fd-server-page.h"

G_BEGIN_DECLS

struct _FdServerPage
{
  FdPane parent_instance;

  FdApiClient *client;
  GCancellable *cancellable;
  guint loading; /* requests of the last reload in flight */

  AdwActionRow *api_row;
  AdwActionRow *device_row;
  AdwActionRow *mqtt_row;
  AdwActionRow *names_row;
  AdwActionRow *ca_row;
  AdwActionRow *ca_expiry_row;
  AdwActionRow *path_row;
  AdwActionRow *size_row;
  AdwActionRow *free_row;
  AdwActionRow *wal_row;
  GtkWidget *cleanup_button;
  GtkBox *retention_box;
  GPtrArray *retention_groups; /* AdwPreferencesGroup, one per workspace */
};

/* Shows the retention of each workspace (JsonObject of GET /workspaces). */
void fd_server_page_set_workspaces (FdServerPage *self, GPtrArray *workspaces);
/* The "Clean Up Now" button. */
void fd_server_page_clean_up (FdServerPage *self);

G_END_DECLS
