/* test-gui.h — what the files of the GUI test share: the running app and helpers. */
#pragma once

#include <json-glib/json-glib.h>

#include "fd-application.h"
#include "fd-devices-page.h"
#include "fd-window.h"
#include "fd-workspaces-page.h"

G_BEGIN_DECLS

#define FD_GUI_MANY_DEVICES 2000

extern FdApplication *fd_test_app;
extern char *fd_test_data_dir;
extern const char *fd_test_base_url; /* of the app's engine */
extern const char *fd_test_token;

FdWindow *fd_test_window (void);
FdDevicesPage *fd_test_devices_page (void);
FdWorkspacesPage *fd_test_workspaces_page (void);
/* Saves a screenshot of the window as NAME.png (see fd_gui_screenshot()). */
char *fd_test_shot (const char *name);
/* Clicks the sidebar row of the pane titled @title. */
void fd_test_show_pane (const char *title);
/* Types @name into the shown dialog's name row and clicks @button (after a screenshot if
 * @screenshot is not NULL). */
void fd_test_answer_name_dialog (const char *name, const char *button, const char *screenshot);

/* The operator API, through the test's own client */
JsonObject *fd_test_api_object (JsonNode *node);
JsonNode *fd_test_api_get (const char *path, guint expected_status);
/* The item named @name of the list at @path, or NULL; @holder keeps the answer alive. */
JsonObject *fd_test_api_find (JsonNode **holder, const char *path, const char *name);
/* Waits until the list at @path has (or no longer has) an item named @name. */
void fd_test_api_wait (const char *path, const char *name, gboolean present);
char *fd_test_workspace_id (const char *name);

/* test-gui-devices.c */
void fd_test_devices (void);
void fd_test_many_devices (void);
void fd_test_fleet_filter (void);

G_END_DECLS
