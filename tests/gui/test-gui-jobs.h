/* test-gui-jobs.h — what the files of the Jobs GUI test share. */
#pragma once

#include <json-glib/json-glib.h>

#include "fd-application.h"
#include "fd-window.h"

G_BEGIN_DECLS

/* tests/gui/jobs-device.py, running */
typedef struct
{
  GSubprocess *process;
  GOutputStream *in;
  GDataInputStream *out;
  GPtrArray *lines; /* what it printed so far */
} FdTjDevice;

extern FdApplication *fd_tj_app;
extern const char *fd_tj_base_url;
extern const char *fd_tj_token;
extern char *fd_tj_workspace_id;
extern char *fd_tj_device_id; /* pump-01, the device that answers */

FdWindow *fd_tj_window (void);
/* The operator API through the test's own client; asserts the status. */
JsonNode *fd_tj_api (const char *method, const char *path, const char *body, guint expected);
const char *fd_tj_string (JsonNode *node, const char *member);
/* Clicks the sidebar row of the pane titled @title. */
void fd_tj_show_pane (const char *title);
/* Waits until the device printed a line containing @text. */
void fd_tj_device_wait (const char *text);
/* Writes @command ("apply", "quit") to the device. */
void fd_tj_device_send (const char *command);

/* test-gui-jobs-run.c */
void fd_tj_bad_args (void);
void fd_tj_schedule (void);
void fd_tj_cancel (void);
/* test-gui-jobs-vars.c */
void fd_tj_variables (void);

G_END_DECLS
