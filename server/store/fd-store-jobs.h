/* fd-store-jobs.h — jobs and their executions (one per device), as the schema of migration 8
 * keeps them. Times are epoch ms, 0 for "not yet". The JSON columns (args, result) hold text
 * checked on the way in. */
#pragma once

#include "store/fd-db.h"
#include "store/fd-store-entities.h"

G_BEGIN_DECLS

typedef enum
{
  FD_EXEC_QUEUED,
  FD_EXEC_SENT,
  FD_EXEC_SUCCEEDED,
  FD_EXEC_FAILED,
  FD_EXEC_TIMED_OUT,
  FD_EXEC_CANCELED,
  FD_EXEC_REJECTED,
  FD_EXEC_N_STATES,
} FdExecState;

/* "queued", "sent", …; the values of an execution's "state" and of a job's "counts". */
const char *fd_exec_state_name (FdExecState state);
gboolean fd_exec_state_parse (const char *name, FdExecState *state);
/* Queued and sent are open; the others are final. */
#define FD_EXEC_STATE_IS_OPEN(s) ((s) == FD_EXEC_QUEUED || (s) == FD_EXEC_SENT)

typedef struct
{
  char *id;
  char *workspace_id;
  char *name;
  char *args; /* JSON object text */
  gint64 timeout_s;
  gint64 retries;
  char *state; /* "active", "done", "canceled" */
  char *actor;
  gint64 created_at;
  gint64 updated_at;
  gint64 finished_at;
  gint64 total;
  gint64 counts[FD_EXEC_N_STATES];
} FdJob;

void fd_job_free (FdJob *job);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (FdJob, fd_job_free)

typedef struct
{
  char *job_id;
  char *name;
  char *device_id;
  char *device_name;
  FdExecState state;
  gint64 attempts;
  char *result; /* JSON text or NULL */
  char *message;
  gint64 queued_at;
  gint64 sent_at;
  gint64 finished_at;
} FdJobExecution;

void fd_job_execution_free (FdJobExecution *e);

gboolean fd_store_job_insert (FdDb *db, const FdJob *job, GError **error);
/* The job with its total and counts. NOT_FOUND when there is none. */
FdJob *fd_store_job_get (FdDb *db, const char *id, GError **error);
gboolean fd_store_job_fill_counts (FdDb *db, FdJob *job, GError **error);
/* Jobs of a workspace, newest first; @state NULL for any. Items are FdJob with counts. */
gboolean fd_store_job_list (FdDb *db, const char *workspace_id, const char *state, gint64 from,
                            gint64 size, FdPage *page, GError **error);
/* A job's executions by device name (@state: -1 any); a device's executions, newest first. */
gboolean fd_store_job_executions (FdDb *db, const char *job_id, int state, gint64 from, gint64 size,
                                  FdPage *page, GError **error);
gboolean fd_store_device_executions (FdDb *db, const char *device_id, gint64 from, gint64 size,
                                     FdPage *page, GError **error);

gboolean fd_store_job_execution_insert (FdDb *db, const char *job_id, const char *device_id,
                                        FdExecState state, const char *message, gint64 now,
                                        GError **error);
/* Moves an execution to @state; a final state sets finished_at and clears the deadline. */
gboolean fd_store_job_execution_finish (FdDb *db, const char *job_id, const char *device_id,
                                        FdExecState state, const char *result, const char *message,
                                        gint64 now, GError **error);
/* A queued execution becomes sent (attempts + 1, the deadline from now); *@changed says whether
 * it was queued. */
gboolean fd_store_job_execution_sent (FdDb *db, const char *job_id, const char *device_id,
                                      gint64 now, gint64 deadline, gboolean *changed,
                                      GError **error);
/* When the job is active and has no open execution: done (finished_at now). *@done says it. */
gboolean fd_store_job_settle (FdDb *db, const char *job_id, gint64 now, gboolean *done,
                              GError **error);
gboolean fd_store_job_set_state (FdDb *db, const char *job_id, const char *state, gint64 now,
                                 GError **error);

/* The device's reported __manifest, or NULL (no error) when it has none. */
char *fd_store_device_manifest (FdDb *db, const char *device_id, GError **error);
/* The open deadline soonest to pass (G_MAXINT64 when none): the job_execution_open index. */
gboolean fd_store_job_next_deadline (FdDb *db, gint64 *deadline, GError **error);

G_END_DECLS
