/* fd-jobs-format.h — jobs and their executions as the Jobs pane's cells show them. Each
 * function is an FdJsonItemText (or a fraction) over an API object. */
#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* A job (GET /workspaces/{id}/jobs items, GET /jobs/{id}) */
char *fd_jobs_format_name (JsonObject *job, const char **css_class);
/* "1 device", "10 devices" */
char *fd_jobs_format_targets (JsonObject *job, const char **css_class);
/* "8/10 succeeded", "8/10 succeeded · 2 failed" */
char *fd_jobs_format_progress (JsonObject *job, const char **css_class);
/* The share of the targets that succeeded, 0..1. */
double fd_jobs_format_fraction (JsonObject *job);
/* "Active", "Done", "Canceled" */
char *fd_jobs_format_state (JsonObject *job, const char **css_class);
char *fd_jobs_format_created (JsonObject *job, const char **css_class);

/* An execution (the "executions" of GET /jobs/{id}) */
char *fd_jobs_format_device (JsonObject *execution, const char **css_class);
/* "Queued", "Sent", "Succeeded", "Failed", "Timed Out", "Canceled", "Rejected" */
char *fd_jobs_format_execution_state (JsonObject *execution, const char **css_class);
char *fd_jobs_format_attempts (JsonObject *execution, const char **css_class);
/* The result as compact JSON, else the message ("replaced by job-…"), else "—". */
char *fd_jobs_format_result (JsonObject *execution, const char **css_class);
char *fd_jobs_format_sent (JsonObject *execution, const char **css_class);
char *fd_jobs_format_finished (JsonObject *execution, const char **css_class);

/* The label of an execution state alone ("timed_out" -> "Timed Out"). */
const char *fd_jobs_execution_state_label (const char *state);
/* Whether an execution state is final. */
gboolean fd_jobs_execution_state_final (const char *state);

G_END_DECLS
