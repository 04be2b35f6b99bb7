/* fd-job-dialog.h — "New Job": a job for chosen devices and fleets, its name among those the
 * devices' manifests declare (or any), its arguments (JSON, checked as typed), timeout and
 * retries. */
#pragma once

#include <adwaita.h>

#include "fd-api-client.h"

G_BEGIN_DECLS

/* Devices offered in the picker (the first by name), and devices whose manifests are read
 * for the names they declare. */
#define FD_JOB_DIALOG_MAX_DEVICES 1000
#define FD_JOB_DIALOG_MAX_MANIFESTS 50
/* Declared names offered as buttons under the name (any other may be typed). */
#define FD_JOB_DIALOG_MAX_OFFERED 6
/* The bounds of POST /workspaces/{id}/jobs. */
#define FD_JOB_TIMEOUT_MAX_S 604800
#define FD_JOB_TIMEOUT_DEFAULT_S 300
#define FD_JOB_RETRIES_MAX 10

#define FD_TYPE_JOB_DIALOG (fd_job_dialog_get_type ())
G_DECLARE_FINAL_TYPE (FdJobDialog, fd_job_dialog, FD, JOB_DIALOG, AdwWindow)

/* A dialog over @parent scheduling a job in @workspace_id. Signal "created" (JsonObject *job)
 * once the server made it; the dialog then closes. */
FdJobDialog *fd_job_dialog_new (GtkWindow *parent, FdApiClient *client, const char *workspace_id);

/* Whether the Schedule button is on (for tests). */
gboolean fd_job_dialog_can_schedule (FdJobDialog *self);
/* The error shown under the arguments, or NULL when none is shown (for tests). */
const char *fd_job_dialog_get_args_error (FdJobDialog *self);
/* The names the chosen devices' manifests declare, sorted (for tests). */
char **fd_job_dialog_get_declared (FdJobDialog *self);

/* fd-job-dialog-check.c: what the dialog checks as the user types. */
/* 1–63 of [A-Za-z0-9_.-], starting with a letter, not "fota". NULL if valid, else why. */
const char *fd_job_name_problem (const char *name);
/* @text parsed as the job's arguments: an object (blank text is {}). NULL with @message (owned
 * by the caller, "line 2: …") when it is not. */
JsonNode *fd_job_args_parse (const char *text, char **message);
/* The job names of a device's __manifest value (`{"jobs": [...]}` or the bare list), added to
 * @names (a set of strings). */
void fd_job_manifest_names (JsonNode *manifest, GHashTable *names);

G_END_DECLS
