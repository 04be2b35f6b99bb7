/* fd-jobs-page.h — the "Jobs" pane: the workspace's jobs (what was asked of which devices and
 * how far it got), "New Job" and, pushed on the pane's leaflet, one job's executions live. */
#pragma once

#include <adwaita.h>

#include "fd-api-client.h"
#include "fd-events-client.h"
#include "fd-job-detail-page.h"
#include "fd-pane.h"
#include "fd-workspace.h"

G_BEGIN_DECLS

/* The newest jobs listed. */
#define FD_JOBS_PAGE_MAX_JOBS 500
/* After a job.updated event of a job not in the list (made elsewhere), the list is read
 * again, at most this often. */
#define FD_JOBS_PAGE_RELOAD_MS 1000

#define FD_TYPE_JOBS_PAGE (fd_jobs_page_get_type ())
G_DECLARE_FINAL_TYPE (FdJobsPage, fd_jobs_page, FD, JOBS_PAGE, FdPane)

void fd_jobs_page_set_client (FdJobsPage *self, FdApiClient *client);
void fd_jobs_page_set_events (FdJobsPage *self, FdEventsClient *events);
/* The workspace whose jobs are listed (NULL: none). */
void fd_jobs_page_set_workspace (FdJobsPage *self, FdWorkspace *workspace);
void fd_jobs_page_reload (FdJobsPage *self);
/* Shows the job's page. */
void fd_jobs_page_open_job (FdJobsPage *self, const char *job_id);

/* For tests: the jobs (FdJsonItem keyed by id) in the view's order, the job page. */
GListModel *fd_jobs_page_get_jobs (FdJobsPage *self);
FdJobDetailPage *fd_jobs_page_get_detail_page (FdJobsPage *self);

G_END_DECLS
