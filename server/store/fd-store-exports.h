/* fd-store-exports.h — export rows (one-off exports and the runs of periodic ones) and export
 * schedules (migration 7). Times are epoch milliseconds; 0 stands for "not set" (NULL).
 *
 * Every function here runs inside a store job (fd-store.h): on the writer for changes, on a
 * reader for queries.
 */
#pragma once

#include "fd-store-entities.h"

G_BEGIN_DECLS

/* An export row. @file is the path the finished file has (or will have: the worker writes
 * @file ".part" first); NULL once a failed or canceled export's file was removed, or an old
 * one-off file expired. */
typedef struct
{
  char *id;
  char *workspace_id;
  char *schedule_id; /* NULL for a one-off export */
  char *format;      /* "csv", "json", "ndjson" */
  char *selection;   /* JSON: {"tags","fleets","devices","columns","aggregate"} */
  gboolean has_start, has_end;
  gint64 start, end; /* the device-time range [start, end) when has_* */
  char *state;       /* "queued", "running", "done", "failed", "canceled" */
  double progress;
  gint64 rows;
  gint64 bytes;
  char *file;
  char *error;
  char *actor;
  gint64 created_at;
  gint64 started_at;
  gint64 finished_at;
} FdExport;

void fd_export_free (FdExport *e);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (FdExport, fd_export_free)

gboolean fd_store_export_insert (FdDb *db, const FdExport *e, GError **error);
FdExport *fd_store_export_get (FdDb *db, const char *id, GError **error);
/* @workspace_id's exports (FdExport *), newest first. NOT_FOUND when it does not exist. */
gboolean fd_store_export_list (FdDb *db, const char *workspace_id, gint64 from, gint64 size,
                               FdPage *page, GError **error);
/* The runs of schedule @schedule_id, newest first. NOT_FOUND when it does not exist. */
gboolean fd_store_export_runs (FdDb *db, const char *schedule_id, gint64 from, gint64 size,
                               FdPage *page, GError **error);
/* queued -> running at @now; *@started is FALSE when the export was no longer queued. */
gboolean fd_store_export_start (FdDb *db, const char *id, gint64 now, gboolean *started,
                                GError **error);
/* Progress of a running export (nothing changes once it left "running"). */
gboolean fd_store_export_progress (FdDb *db, const char *id, double progress, gint64 rows,
                                   gint64 bytes, GError **error);
/* The end of an export: @state "done" (progress 1), "failed" or "canceled"; @file NULL clears
 * the file; @message the error, or NULL. */
gboolean fd_store_export_finish (FdDb *db, const char *id, const char *state, gint64 rows,
                                 gint64 bytes, const char *file, const char *message, gint64 now,
                                 GError **error);
/* queued -> canceled at @now; *@canceled is FALSE when it was not queued. */
gboolean fd_store_export_cancel_queued (FdDb *db, const char *id, gint64 now, gboolean *canceled,
                                        GError **error);
/* Deletes the row; *@file gets its file (NULL when none). NOT_FOUND when it does not exist. */
gboolean fd_store_export_delete (FdDb *db, const char *id, char **file, GError **error);
/* Marks every queued or running export failed ("interrupted by a server restart") and adds
 * their planned files (char *) to @files, for the caller to remove with their .part. */
gboolean fd_store_export_interrupt (FdDb *db, gint64 now, GPtrArray *files, GError **error);
/* One-off exports done before @before that still have a file under @dir: adds the files
 * (char *) to @files and clears them in the rows (which stay, state done). Only files under
 * @dir: the runs of a deleted schedule (schedule_id NULL now) keep theirs, in its folder. */
gboolean fd_store_export_expire (FdDb *db, gint64 before, const char *dir, GPtrArray *files,
                                 GError **error);

/* The files under @dir (one-off exports) of @workspace_id's exports in any state, planned or
 * written (char *, into @files): what deleting the workspace, whose rows cascade, would leave
 * behind. The runs of schedules keep theirs, in their folders. */
gboolean fd_store_export_workspace_files (FdDb *db, const char *workspace_id, const char *dir,
                                          GPtrArray *files, GError **error);

typedef enum
{
  FD_EXPORT_PERIOD_DAILY,
  FD_EXPORT_PERIOD_WEEKLY,
} FdExportPeriod;

typedef struct
{
  char *id;
  char *workspace_id;
  char *name;
  char *format;
  char *selection; /* as for FdExport */
  FdExportPeriod period;
  int time_of_day; /* minutes after local midnight, 0..1439 */
  int weekday;     /* weekly: 1 (Monday) .. 7 (Sunday), G_DATE_WEEKDAY numbering; else 0 */
  char *folder;
  gboolean enabled;
  gint64 last_end; /* 0: no run yet */
  gint64 next_run;
  gint64 created_at;
  gint64 updated_at;
} FdExportSchedule;

void fd_export_schedule_free (FdExportSchedule *s);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (FdExportSchedule, fd_export_schedule_free)

/* Inserts @s (its id, times set); CONFLICT when the workspace has a schedule of that name. */
gboolean fd_store_export_schedule_insert (FdDb *db, const FdExportSchedule *s, GError **error);
FdExportSchedule *fd_store_export_schedule_get (FdDb *db, const char *id, GError **error);
gboolean fd_store_export_schedule_list (FdDb *db, const char *workspace_id, gint64 from,
                                        gint64 size, FdPage *page, GError **error);
/* Every enabled schedule (FdExportSchedule *), soonest first: what the scheduler runs. */
gboolean fd_store_export_schedule_all (FdDb *db, GPtrArray *into, GError **error);
/* Writes every settable field of @s (name, format, selection, period, time, weekday, folder,
 * enabled, next_run) and updated_at. */
gboolean fd_store_export_schedule_update (FdDb *db, const FdExportSchedule *s, GError **error);
gboolean fd_store_export_schedule_delete (FdDb *db, const char *id, GError **error);
/* Moves the schedule on to @next_run (a run was started). */
gboolean fd_store_export_schedule_advance (FdDb *db, const char *id, gint64 next_run,
                                           GError **error);
/* A run that covered up to @last_end succeeded: the next one starts there. */
gboolean fd_store_export_schedule_set_last_end (FdDb *db, const char *id, gint64 last_end,
                                                GError **error);

G_END_DECLS
