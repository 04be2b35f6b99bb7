/* test-gui-ota.h — what the files of the Firmware & OTA GUI test share. */
#pragma once

#include <json-glib/json-glib.h>

#include "fd-application.h"
#include "fd-firmware-page.h"
#include "fd-window.h"

G_BEGIN_DECLS

#define OTA_MANY_DEVICES 2000

extern FdApplication *app;
extern const char *base_url;
extern const char *token;
extern char *workspace_id;

FdWindow *window (void);
FdFirmwarePage *pane (void);
/* Clicks the button labelled @label under @root and waits for its "clicked". */
void click (GtkWidget *root, const char *label);
/* A screenshot of the window, ota-NAME.png. */
void shot (const char *name);
/* A request to the app's engine; fails unless it answers @expected. */
JsonNode *api (const char *method, const char *path, const char *body, guint expected);
const char *member (JsonNode *node, const char *name);
/* Waits until a label under @root reads @text. */
void wait_label (GtkWidget *root, const char *text);
/* The pane shows a campaign's live view, loaded and slid in. */
gboolean live_view_shown_cb (gpointer data);
/* The pane sent at least GPOINTER_TO_UINT (@data) notifications. */
gboolean notified_cb (gpointer data);

/* test-gui-ota-many.c */
void fd_test_ota_many_targets (void);

G_END_DECLS
