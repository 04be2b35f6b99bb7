/* fd-job-detail-page.h — one job: what was asked, and each device's execution, live. Pushed
 * on the Jobs pane's leaflet when a job is opened. */
#pragma once

#include <adwaita.h>

#include "fd-api-client.h"
#include "fd-events-client.h"

G_BEGIN_DECLS

/* After an event, the job is read again (times, messages) at most this often; a job of more
 * than FD_JOB_DETAIL_LARGE executions (a read of megabytes) at most every
 * FD_JOB_DETAIL_REFRESH_LARGE_MS: its rows' states still change at once from the events. */
#define FD_JOB_DETAIL_REFRESH_MS 500
#define FD_JOB_DETAIL_LARGE 1000
#define FD_JOB_DETAIL_REFRESH_LARGE_MS 5000
/* Executions listed (the API's largest page). */
#define FD_JOB_DETAIL_MAX_EXECUTIONS 10000

#define FD_TYPE_JOB_DETAIL_PAGE (fd_job_detail_page_get_type ())
G_DECLARE_FINAL_TYPE (FdJobDetailPage, fd_job_detail_page, FD, JOB_DETAIL_PAGE, AdwBin)

void fd_job_detail_page_set_client (FdJobDetailPage *self, FdApiClient *client);
void fd_job_detail_page_set_events (FdJobDetailPage *self, FdEventsClient *events);
/* Shows the job @job_id; @job (may be NULL) is what the list knows of it, shown until the
 * job is read. NULL @job_id shows nothing and stops every request. */
void fd_job_detail_page_set_job (FdJobDetailPage *self, const char *job_id, JsonObject *job);
const char *fd_job_detail_page_get_job_id (FdJobDetailPage *self);
/* The job as last read or updated (NULL before it was read). */
JsonObject *fd_job_detail_page_get_job (FdJobDetailPage *self);
/* The executions (FdJsonItem keyed by device_id), in the view's order. */
GListModel *fd_job_detail_page_get_executions (FdJobDetailPage *self);
/* How many times the job was read (for tests: events are coalesced). */
guint fd_job_detail_page_get_reads (FdJobDetailPage *self);

/* Signal "job-changed" (JsonObject *job): the job's state or counts changed here (a cancel, a
 * read), so that the list shows the same. */

G_END_DECLS
