/* test-gui.h — what the files of the GUI test share: the running app and helpers. */
#pragma once

#include <json-glib/json-glib.h>

#include "fd-application.h"
#include "fd-devices-page.h"
#include "fd-gui-device.h"
#include "fd-provision-window.h"
#include "fd-window.h"
#include "fd-workspaces-page.h"

G_BEGIN_DECLS

#define FD_GUI_MANY_DEVICES 2000

extern FdApplication *fd_test_app;
extern char *fd_test_data_dir;
extern const char *fd_test_base_url; /* of the app's engine */
extern const char *fd_test_token;
extern char *fd_test_files_dir; /* the user's files: certificates, CSV, saved credentials */

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

/* The number of devices of the lab, through the API. */
guint fd_test_lab_device_count (const char *fleet_name);

/* test-gui-devices.c */
void fd_test_devices (void);
void fd_test_many_devices (void);
void fd_test_fleet_filter (void);

/* test-gui-provision.c */
/* Opens "Add Device" with Ctrl+N and fills in @name and the @fleet-th fleet; returns a
 * reference to the window. */
FdProvisionWindow *fd_test_open_add_device (const char *name, guint fleet);
void fd_test_choose_method (FdProvisionWindow *window, const char *title);
void fd_test_wait_provision_state (FdProvisionWindow *window, const char *state);
/* Closes a window whose secret was not saved, answering "Discard". */
void fd_test_close_discarding (FdProvisionWindow *window, const char *screenshot);
/* Adds @name with a generated certificate and discards it. */
void fd_test_add_device (const char *name, guint fleet, const char *screenshot);
/* The first mapped widget under @root with @css_class. */
GtkWidget *fd_test_find_by_class (GtkWidget *root, const char *css_class);
JsonObject *fd_test_lab_device (JsonNode **holder, const char *name);
/* The JSON of the file at @path, and its permission bits. */
JsonNode *fd_test_read_json (const char *path, guint *mode);
void fd_test_wait_file (const char *path);
/* certtool @what ("--generate-self-signed", "--generate-request") with a new key: the PEM
 * file NAME.pem (and NAME.key) in fd_test_files_dir. */
char *fd_test_certtool (const char *what, const char *name, const char *cn);
void fd_test_add_generated (void);
void fd_test_add_own_certificate (void);
void fd_test_add_key (void);

/* test-gui-device-page.c */
void fd_test_device_page (void);
void fd_test_readings (void);

/* test-gui-data.c */
void fd_test_data (void);

/* test-gui-live.c */
void fd_test_live (void);

/* test-gui-peers.c */
/* sensor-01 on one HTTPS connection that stays open until fd_gui_device_disconnect(). */
void fd_test_device_connect (FdGuiDevice *device);
/* Starts dunst and waits until it owns org.freedesktop.Notifications. */
GSubprocess *fd_test_start_notification_server (void);
/* Whether dunst shows a notification now. */
gboolean fd_test_notification_shown_cb (gpointer data);
/* A screenshot of the whole screen, NAME.png in the screenshot folder. */
void fd_test_shot_screen (const char *name);

/* test-gui-import.c */
void fd_test_import_good (void);
/* Devices of the bigger import, whose progress is shown in place. */
#define FD_TEST_BULK_IMPORT 1000
void fd_test_import_progress (void);
void fd_test_import_bad (void);

/* test-gui-exports.c */
void fd_test_server_pane (void);
void fd_test_export (void);
void fd_test_schedules (void);

G_END_DECLS
