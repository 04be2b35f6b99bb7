/* test-gui-integrations.h — what the files of the Integrations GUI test share. */
#pragma once

#include <json-glib/json-glib.h>

#include "fd-application.h"
#include "fd-integrations-page.h"
#include "fd-window.h"

G_BEGIN_DECLS

extern FdApplication *fd_ti_app;
extern char *fd_ti_workspace_id;
extern char *fd_ti_files_dir;

FdWindow *fd_ti_window (void);
FdIntegrationsPage *fd_ti_page (void);
/* The operator API through the test's own client; asserts the status. */
JsonNode *fd_ti_api (const char *method, const char *path, const char *body, guint expected);
JsonObject *fd_ti_object (JsonNode *node);
/* The entry row titled @title under @root (waiting for it). */
GtkWidget *fd_ti_entry_row (GtkWidget *root, const char *title);
/* Clicks the sidebar row of the pane titled @title. */
void fd_ti_show_pane (const char *title);
/* A screenshot of the main window as NAME.png. */
char *fd_ti_shot (const char *name);
/* POSTs @body to /v1/@path of the device endpoint as door-01, with curl. */
void fd_ti_device_post (const char *path, const char *body);
/* An API time @seconds_from_now. */
char *fd_ti_iso_time (int seconds_from_now);

/* test-gui-integrations-alerts.c */
void fd_ti_alert_rule (void);
void fd_ti_notifications_start (void);
void fd_ti_alert_notification (void);
/* test-gui-integrations-pg.c */
void fd_ti_postgres (void);
/* Stops what the alerts' tests started. */
void fd_ti_alerts_after (void);

G_END_DECLS
