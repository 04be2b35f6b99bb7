/* fd-jobs-private.h — what the jobs files share: the module, and the changes a store job made,
 * told as events after its commit. */
#pragma once

#include "fd-jobs.h"

G_BEGIN_DECLS

struct _FdJobs
{
  FdStore *store;
  FdDownlink *downlink;
  FdEvents *events;
  guint timer;          /* the next deadline's source, 0 when none */
  gint64 timer_at;      /* its time (epoch ms), G_MAXINT64 when none */
  gboolean expiring;    /* an expiry pass is in the store */
  GHashTable *coalesce; /* job id -> JobUpdate*: job.updated at most 4/s per job */
  gboolean started;
  guint pending; /* store operations whose callbacks are still to come */
  gboolean freed;
};

/* One execution's new state, for the job.execution event and, with entry set, a delivery. */
typedef struct
{
  char *job_id;
  char *workspace_id;
  char *device_id;
  char *name;
  FdExecState state;
  gint64 attempts;
  char *result;
  char *entry; /* the @name value to deliver after the commit, or NULL */
  gint64 t;    /* its entry's time */
} FdJobChange;

void fd_job_change_free (FdJobChange *change);
/* A change array's element free function set. */
GPtrArray *fd_job_changes_new (void);
FdJobChange *fd_job_change_add (GPtrArray *changes, const char *job_id, const char *workspace_id,
                                const char *device_id, const char *name, FdExecState state,
                                gint64 attempts, const char *result);

/* After a commit: job.execution for each change, job.updated (coalesced) for their jobs. */
void fd_jobs_publish (FdJobs *jobs, GPtrArray *changes);
/* A deadline was set (epoch ms): the timer fires no later than it. */
void fd_jobs_note_deadline (FdJobs *jobs, gint64 deadline);
/* Store callbacks may come after fd_jobs_free (the store closes later): they hold the module
 * with fd_jobs_hold(); fd_jobs_release() is FALSE once it was freed (do nothing then). */
FdJobs *fd_jobs_hold (FdJobs *jobs);
gboolean fd_jobs_release (FdJobs *jobs);
/* "{\"args\": …, \"on_schedule\": \"\"}" */
char *fd_jobs_entry_value (const char *args);

G_END_DECLS
