/* fd-jobs.h — jobs: a command (@name with JSON args) to a set of devices, one execution per
 * device (queued → sent → succeeded | failed | timed_out | canceled, or rejected when the
 * device's manifest does not list the job), with a timeout and retries (docs/protocol.md,
 * zdm-protocol.md §4).
 *
 * Everything here runs on the engine thread; the store work runs on the writer. Entries of the
 * expected map are written in the same transaction as the executions and delivered after the
 * commit; a device's answer commits with the execution's new state (fd_ingest_up_full_async).
 */
#pragma once

#include <gio/gio.h>

#include "device/fd-device-auth.h"
#include "device/fd-downlink.h"
#include "events/fd-events.h"
#include "ingest/fd-ingest.h"
#include "store/fd-store-jobs.h"
#include "store/fd-store.h"

G_BEGIN_DECLS

#define FD_JOBS_ERROR (fd_jobs_error_quark ())
GQuark fd_jobs_error_quark (void);

typedef enum
{
  FD_JOBS_ERROR_INVALID,  /* a bad request; the error's field names what */
  FD_JOBS_ERROR_CONFLICT, /* the job is already final */
} FdJobsError;

/* Limits checked at the edge. */
#define FD_JOB_NAME_MAX 63
#define FD_JOB_TIMEOUT_MAX_S 604800
#define FD_JOB_TIMEOUT_DEFAULT_S 300
#define FD_JOB_RETRIES_MAX 10
#define FD_JOB_MAX_DEVICES 10000
#define FD_JOB_MAX_TARGETS 10000 /* devices and fleets listed in a request */
/* The args' JSON text: it is stored once per device, and must fit a device's message. */
#define FD_JOB_ARGS_MAX_BYTES (16 * 1024)

typedef struct _FdJobs FdJobs;

FdJobs *fd_jobs_new (FdStore *store, FdDownlink *downlink, FdEvents *events /* may be NULL */);
/* Timers (timeouts, retries) on the engine thread, from what the store holds. */
void fd_jobs_start (FdJobs *jobs);
void fd_jobs_free (FdJobs *jobs);

/* NULL when @name is a good job name: 1–63 of [A-Za-z0-9_.-], starting with a letter, not
 * "fota". Otherwise what is wrong. */
const char *fd_jobs_check_name (const char *name);

typedef struct
{
  char *workspace_id;
  char *name;
  char *args; /* JSON object text */
  char **devices;
  char **fleets;
  gint64 timeout_s;
  gint64 retries;
  char *actor;
} FdJobRequest;

void fd_job_request_free (FdJobRequest *request);

/* Creates the job (its executions, the @name entries, the audit entry) in one transaction,
 * then delivers. The result is the job (FdJob, counts as after delivery). Errors:
 * FD_JOBS_ERROR_INVALID (field in fd_jobs_error_field), FD_STORE_ERROR_NOT_FOUND (workspace). */
void fd_jobs_schedule_async (FdJobs *jobs, FdJobRequest *request /* taken */,
                             GAsyncReadyCallback cb, gpointer data);
FdJob *fd_jobs_schedule_finish (GAsyncResult *result, GError **error);
/* The field an FD_JOBS_ERROR_INVALID of schedule is about ("name", "devices", …). */
const char *fd_jobs_error_field (GAsyncResult *result);

/* Open executions → canceled, their entries dropped; the job canceled. CONFLICT when the job
 * is already final. The result is the job. */
void fd_jobs_cancel_async (FdJobs *jobs, const char *job_id, const char *actor,
                           GAsyncReadyCallback cb, gpointer data);
FdJob *fd_jobs_cancel_finish (GAsyncResult *result, GError **error);

/* A device answered @key ("@name" or "name"; never "fota"): stores the report through
 * fd_ingest_up_full_async with the execution's new state in the same savepoint. */
void fd_jobs_answer_async (FdJobs *jobs, FdIngest *ingest, FdDeviceIdentity *who, const char *key,
                           const char *value_json, GAsyncReadyCallback cb, gpointer data);
gboolean fd_jobs_answer_finish (GAsyncResult *result, GError **error);

/* @device_id was just answered a #status (or a GET /v1/dn with its entries): its queued
 * executions become sent. Fire and forget. */
void fd_jobs_status_sent (FdJobs *jobs, const char *device_id);

/* TRUE when @result_json (a device's answer) is a failure: an object with an "error" member, a
 * string starting with "unsupported", an array whose first element is a string starting with
 * "exception". */
gboolean fd_jobs_result_failed (const char *result_json, char **message);

G_END_DECLS
