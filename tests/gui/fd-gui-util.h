/* fd-gui-util.h — driving the real app in a GUI test as a user would, and checking the result
 * through the operator API. */
#pragma once

#include <adwaita.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* Runs the main loop until @check returns TRUE; fails the test after @seconds. */
void fd_gui_wait (gboolean (*check) (gpointer data), gpointer data, double seconds,
                  const char *what);
/* Runs the main loop for @ms milliseconds (lets animations and redraws finish). */
void fd_gui_settle (guint ms);

/* The first mapped widget under @root of @type whose label (button label, label text,
 * window, page or row title, or else tooltip) is @label; NULL for any label. */
GtkWidget *fd_gui_find (GtkWidget *root, GType type, const char *label);
/* Like fd_gui_find(), waiting up to a few seconds for it to appear; fails the test if not. */
GtkWidget *fd_gui_wait_for (GtkWidget *root, GType type, const char *label);
/* Clicks the mapped, sensitive button labelled @label under @root. */
void fd_gui_click (GtkWidget *root, const char *label);
/* Waits for a message dialog to be shown and returns it. */
AdwMessageDialog *fd_gui_wait_for_dialog (void);
/* Waits until no message dialog is shown. */
void fd_gui_wait_dialogs_closed (void);

/* Saves a screenshot of @window (the Xvfb screen, cropped to it) as NAME.png into the test's
 * screenshot folder, and returns its path. */
char *fd_gui_screenshot (GtkWidget *window, const char *name);

/* A blocking request to the API at @base_url (the test's own libsoup client). Returns the
 * answer's JSON (NULL for no body) and stores the HTTP status. */
JsonNode *fd_gui_api (const char *base_url, const char *token, const char *method, const char *path,
                      const char *body, guint *status);

/* Creates @n devices named PREFIX-00001… in @workspace_id over @concurrency connections. */
void fd_gui_api_create_devices (const char *base_url, const char *token, const char *workspace_id,
                                const char *prefix, guint n, guint concurrency);

G_END_DECLS
