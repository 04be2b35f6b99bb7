/* fd-gui-util.h — driving the real app in a GUI test as a user would, and checking the result
 * through the operator API. */
#pragma once

#include <adwaita.h>
#include <json-glib/json-glib.h>

#include "fd-window.h"

G_BEGIN_DECLS

/* g_test_init(), without GLib's debug messages (GLib 2.74's test log handler prints every
 * one, GIO's and libsoup's, which would drown the test's own), and two new temporary folders:
 * @data_dir for the app's data (NAME-XXXXXX) and @files_dir for the test's files
 * (NAME-files-XXXXXX). */
void fd_gui_init (int *argc, char ***argv, const char *name, char **data_dir, char **files_dir);
/* Runs @app with the real command line of local mode on @data_dir and, once it is activated,
 * the test cases added; @after (may be NULL) runs after them, before the app quits. Then
 * removes @data_dir and @files_dir (may be NULL). Returns the app's exit status if it failed,
 * else the tests'. */
int fd_gui_run_tests (GApplication *app, const char *data_dir, const char *files_dir,
                      void (*after) (void));

/* The app's active window, which must be its main window. */
FdWindow *fd_gui_window (GApplication *app);

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
/* The first mapped label under @root whose text starts with @prefix (toasts say more than a
 * test can know in advance); NULL if none. */
GtkWidget *fd_gui_find_label_prefix (GtkWidget *root, const char *prefix);
/* Like fd_gui_find_label_prefix(), waiting up to @seconds for it; fails the test with @what
 * if none appears. */
GtkWidget *fd_gui_wait_for_label_prefix (GtkWidget *root, const char *prefix, double seconds,
                                         const char *what);
/* Clicks the mapped, sensitive button labelled @label under @root. */
void fd_gui_click (GtkWidget *root, const char *label);
/* Waits for a message dialog to be shown and returns it. */
AdwMessageDialog *fd_gui_wait_for_dialog (void);
/* Waits until no message dialog is shown. */
void fd_gui_wait_dialogs_closed (void);

/* Waits for a window of @type to be shown and returns a reference to it (the window is freed
 * as soon as it is closed otherwise). */
GtkWindow *fd_gui_wait_for_window (GType type);
/* Waits until @window (which the caller holds a reference to) is closed. */
void fd_gui_wait_window_closed (GtkWindow *window);

/* Answers the file chooser the app shows (GtkFileChooserNative falls back to a
 * GtkFileChooserDialog without a portal): asserts its suggested name is @expected_name (SAVE,
 * if not NULL), chooses @folder/@name (@name NULL: the folder itself, for SELECT_FOLDER) and
 * accepts, after a screenshot named @screenshot if not NULL. */
void fd_gui_answer_file_chooser (const char *folder, const char *name, const char *expected_name,
                                 const char *screenshot);

/* Emits "drop" of @path on the GtkDropTarget of @widget, as a drag and drop from a file
 * manager ends. Returns what the handler returned. */
gboolean fd_gui_drop_file (GtkWidget *widget, const char *path);

/* Runs @argv (a program from PATH), failing the test if it does not exit 0; returns its
 * standard output. */
char *fd_gui_run (const char *const *argv);

/* Saves a screenshot of @window (the Xvfb screen, cropped to it) as NAME.png into the test's
 * screenshot folder, and returns its path. */
char *fd_gui_screenshot (GtkWidget *window, const char *name);
/* The same without waiting for animations: for a state that lasts only moments. */
char *fd_gui_screenshot_now (GtkWidget *window, const char *name);

/* A blocking request to the API at @base_url (the test's own libsoup client). Returns the
 * answer's JSON (NULL for no body) and stores the HTTP status. */
JsonNode *fd_gui_api (const char *base_url, const char *token, const char *method, const char *path,
                      const char *body, guint *status);

/* fd_gui_api() that fails the test unless the answer's status is @expected. */
JsonNode *fd_gui_api_expect (const char *base_url, const char *token, const char *method,
                             const char *path, const char *body, guint expected);

/* Creates @n devices named PREFIX-00001… in @workspace_id over @concurrency connections. */
void fd_gui_api_create_devices (const char *base_url, const char *token, const char *workspace_id,
                                const char *prefix, guint n, guint concurrency);

G_END_DECLS
