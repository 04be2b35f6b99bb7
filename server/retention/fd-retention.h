/* fd-retention.h — retention passes: when they run, one at a time, and what they report.
 *
 * A pass deletes what is older than each workspace's retention (fd-store-retention.h) as a
 * chain of small store jobs on the thread-default main context it was made on, then gives the
 * freed pages back to the file system. Passes run after a start-up delay, then periodically,
 * and on request; a request made while a pass runs is answered by the next pass, which starts
 * when the running one ends (it may have looked at a workspace before its retention changed).
 */
#pragma once

#include <gio/gio.h>

#include "store/fd-store-retention.h"

G_BEGIN_DECLS

typedef struct _FdRetention FdRetention;

FdRetention *fd_retention_new (FdStore *store);
/* Ends the running pass at its next step (its callers get FD_STORE_ERROR_CLOSED) and any timer,
 * then frees. */
void fd_retention_free (FdRetention *retention);

/* Runs a pass @delay_s seconds from now and then every @period_s seconds. */
void fd_retention_schedule (FdRetention *retention, guint delay_s, guint period_s);

/* No new pass starts; the running one ends at its next step. For shutdown, before the store
 * closes (callbacks still run on the main context). */
void fd_retention_stop (FdRetention *retention);

/* Runs a pass as soon as none is running and reports what it deleted. */
void fd_retention_run_async (FdRetention *retention, GAsyncReadyCallback callback,
                             gpointer user_data);
gboolean fd_retention_run_finish (GAsyncResult *result, FdRetentionCounts *counts, GError **error);

G_END_DECLS
