/* fd-export.h — exports of stored data to files: one-off exports into DATA/exports/ and the
 * periodic exports of export schedules into their folders.
 *
 * Each export runs on a worker thread of its own with a read-only SQLite connection of its own
 * (a long export never holds one of the store's pooled readers), streams its rows with constant
 * memory into NAME.part, fsyncs it and renames it to NAME. Its progress is written to its
 * export row about every 0.5 s. Everything else (queue, cancel, schedules, expiry of old files)
 * runs on the thread-default main context of the thread that made the FdExports.
 */
#pragma once

#include <gio/gio.h>

#include "store/fd-store-exports.h"
#include "store/fd-store.h"

G_BEGIN_DECLS

#define FD_EXPORT_ERROR (fd_export_error_quark ())
GQuark fd_export_error_quark (void);

typedef enum
{
  FD_EXPORT_ERROR_FAILED,   /* writing the file failed (the message says why) */
  FD_EXPORT_ERROR_CANCELED, /* canceled by the operator */
  FD_EXPORT_ERROR_INVALID,  /* a selection the export cannot serve */
} FdExportError;

/* One-off export files are deleted this long after they were finished (their rows stay). */
#define FD_EXPORT_KEEP_MS (7 * 24 * 3600 * (gint64)1000)
/* Exports that run at the same time; more wait queued. */
#define FD_EXPORT_MAX_RUNNING 2

/* The time the scheduler and the expiry go by. @now_ms NULL: the real clock. @max_sleep_ms
 * bounds how long the scheduler sleeps between looks at the clock (0: 60 s), so that a clock
 * that jumps (a test's) is noticed soon. */
typedef struct
{
  gint64 (*now_ms) (gpointer data);
  gpointer data;
  guint max_sleep_ms;
} FdClock;

gint64 fd_clock_now (const FdClock *clock);

/* A clock running @offset milliseconds ahead of the real one, the offset read from @path
 * (one decimal integer; a missing file is 0) whenever the file changes: for tests only. */
FdClock *fd_clock_new_offset_file (const char *path);
void fd_clock_free (FdClock *clock);

/* The first local time (in @tz) after @after_ms at @time_of_day (minutes after midnight) on any
 * day (daily) or on @weekday (weekly, 1 = Monday … 7 = Sunday). A time that does not exist on a
 * day (a DST gap) is the first existing time after it; one that exists twice is the first. */
gint64 fd_export_next_run (FdExportPeriod period, int time_of_day, int weekday, gint64 after_ms,
                           GTimeZone *tz);
/* The same wall-clock time one period (1 or 7 days) before @run_ms, in @tz. */
gint64 fd_export_period_before (FdExportPeriod period, gint64 run_ms, GTimeZone *tz);

/* "csv", "json", "ndjson" -> file extension and Content-Type; NULL for an unknown format. */
const char *fd_export_content_type (const char *format);

typedef struct _FdExports FdExports;

/* @db_path is the store's file (read-only connections are opened on it), @dir the directory of
 * one-off export files (made if missing), @clock (NULL: real time) is kept, not owned. */
FdExports *fd_exports_new (FdStore *store, const char *db_path, const char *dir,
                           const FdClock *clock);

/* At most @rows_per_second raw rows per second per export (0: unlimited, the default): the
 * worker sleeps when it is ahead, in slices short enough that a cancel is seen promptly.
 * Applies to exports started after the call. */
void fd_exports_set_max_rows_per_second (FdExports *exports, guint rows_per_second);

/* Marks exports left queued or running by a previous process failed and removes their
 * partial files, deletes expired one-off files, and starts the scheduler. */
gboolean fd_exports_start (FdExports *exports, GError **error);

const char *fd_exports_get_dir (FdExports *exports);
/* The time by the exports' clock (what next_run is computed from). */
gint64 fd_exports_now (FdExports *exports);

/* Queues the export @e (its row committed as queued). */
void fd_exports_submit (FdExports *exports, const FdExport *e);

/* Cancels export @id if it is queued or running here, and calls back once its row says
 * canceled (or at once when it was neither). */
void fd_exports_cancel_async (FdExports *exports, const char *id, GAsyncReadyCallback callback,
                              gpointer user_data);
gboolean fd_exports_cancel_finish (GAsyncResult *result, GError **error);

/* Workspace @workspace_id was deleted (its export rows with it): its queued exports are
 * dropped, its running ones canceled, and @files (char *, from fd_store_export_workspace_files())
 * removed with their .part, now and again when a canceled worker has ended (it may have been
 * renaming its file). The scheduler reloads. */
void fd_exports_workspace_deleted (FdExports *exports, const char *workspace_id, GPtrArray *files);

/* The schedules changed in the store: the scheduler reloads them. */
void fd_exports_schedules_changed (FdExports *exports);

/* Stops the scheduler, cancels running exports (their rows say failed, "interrupted by a
 * server shutdown") and waits for their threads. Idempotent. */
void fd_exports_shutdown (FdExports *exports);
void fd_exports_free (FdExports *exports);

G_END_DECLS
