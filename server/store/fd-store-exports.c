/* fd-store-exports.c — export rows and export schedules. */
#include "fd-store-exports.h"

void
fd_export_free (FdExport *e)
{
  if (e == NULL)
    return;
  g_free (e->id);
  g_free (e->workspace_id);
  g_free (e->schedule_id);
  g_free (e->format);
  g_free (e->selection);
  g_free (e->state);
  g_free (e->file);
  g_free (e->error);
  g_free (e->actor);
  g_free (e);
}

void
fd_export_schedule_free (FdExportSchedule *s)
{
  if (s == NULL)
    return;
  g_free (s->id);
  g_free (s->workspace_id);
  g_free (s->name);
  g_free (s->format);
  g_free (s->selection);
  g_free (s->folder);
  g_free (s);
}

#define EXPORT_COLUMNS                                                                             \
  "id, workspace_id, schedule_id, format, selection, start, \"end\", state, progress, rows,"       \
  " bytes, file, error, actor, created_at, started_at, finished_at"

static gpointer
export_from_row (sqlite3_stmt *stmt)
{
  FdExport *e = g_new0 (FdExport, 1);

  e->id = fd_db_column_dup (stmt, 0);
  e->workspace_id = fd_db_column_dup (stmt, 1);
  e->schedule_id = fd_db_column_dup (stmt, 2);
  e->format = fd_db_column_dup (stmt, 3);
  e->selection = fd_db_column_dup (stmt, 4);
  e->has_start = sqlite3_column_type (stmt, 5) != SQLITE_NULL;
  e->start = sqlite3_column_int64 (stmt, 5);
  e->has_end = sqlite3_column_type (stmt, 6) != SQLITE_NULL;
  e->end = sqlite3_column_int64 (stmt, 6);
  e->state = fd_db_column_dup (stmt, 7);
  e->progress = sqlite3_column_double (stmt, 8);
  e->rows = sqlite3_column_int64 (stmt, 9);
  e->bytes = sqlite3_column_int64 (stmt, 10);
  e->file = fd_db_column_dup (stmt, 11);
  e->error = fd_db_column_dup (stmt, 12);
  e->actor = fd_db_column_dup (stmt, 13);
  e->created_at = fd_db_column_time (stmt, 14);
  e->started_at = fd_db_column_time (stmt, 15);
  e->finished_at = fd_db_column_time (stmt, 16);
  return e;
}

gboolean
fd_store_export_insert (FdDb *db, const FdExport *e, GError **error)
{
  sqlite3_stmt *stmt = fd_db_prepare (db,
                                      "INSERT INTO export (" EXPORT_COLUMNS ")"
                                      " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, 0, 0, 0, ?9,"
                                      " ?10, ?11, ?12, NULL, NULL)",
                                      error);

  if (stmt == NULL)
    return FALSE;
  fd_db_bind_text (stmt, 1, e->id);
  fd_db_bind_text (stmt, 2, e->workspace_id);
  fd_db_bind_text (stmt, 3, e->schedule_id);
  fd_db_bind_text (stmt, 4, e->format);
  fd_db_bind_text (stmt, 5, e->selection);
  if (e->has_start)
    sqlite3_bind_int64 (stmt, 6, e->start);
  if (e->has_end)
    sqlite3_bind_int64 (stmt, 7, e->end);
  fd_db_bind_text (stmt, 8, e->state);
  fd_db_bind_text (stmt, 9, e->file);
  fd_db_bind_text (stmt, 10, e->error);
  fd_db_bind_text (stmt, 11, e->actor);
  sqlite3_bind_int64 (stmt, 12, e->created_at);
  if (!fd_db_step_done (db, stmt, NULL, error))
    return FALSE;
  if (e->finished_at > 0)
    {
      /* A run that failed before it started (its folder is gone) is recorded finished. */
      stmt = fd_db_prepare (db, "UPDATE export SET finished_at = ?2 WHERE id = ?1", error);
      if (stmt == NULL)
        return FALSE;
      fd_db_bind_text (stmt, 1, e->id);
      sqlite3_bind_int64 (stmt, 2, e->finished_at);
      return fd_db_step_done (db, stmt, NULL, error);
    }
  return TRUE;
}

/* An UPDATE or DELETE by id that touched no row names a schedule that is not there. */
static gboolean
schedule_changed (FdDb *db, const char *id, GError **error)
{
  if (sqlite3_changes (fd_db_handle (db)) == 0)
    {
      g_set_error (error, FD_STORE_ERROR, FD_STORE_ERROR_NOT_FOUND,
                   "export schedule %s does not exist", id);
      return FALSE;
    }
  return TRUE;
}

FdExport *
fd_store_export_get (FdDb *db, const char *id, GError **error)
{
  sqlite3_stmt *stmt
      = fd_db_prepare (db, "SELECT " EXPORT_COLUMNS " FROM export WHERE id = ?1", error);

  if (stmt == NULL)
    return NULL;
  fd_db_bind_text (stmt, 1, id);
  return fd_db_fetch_one (db, stmt, export_from_row, "export", id, error);
}

gboolean
fd_store_export_list (FdDb *db, const char *workspace_id, gint64 from, gint64 size, FdPage *page,
                      GError **error)
{
  if (!fd_store_workspace_exists (db, workspace_id, error))
    return FALSE;
  return fd_store_fetch_page (db, "SELECT count(*) FROM export WHERE workspace_id = ?1",
                              "SELECT " EXPORT_COLUMNS " FROM export WHERE workspace_id = ?1"
                              " ORDER BY created_at DESC, rowid DESC LIMIT ?2 OFFSET ?3",
                              workspace_id, from, size, export_from_row,
                              (GDestroyNotify)fd_export_free, page, error);
}

gboolean
fd_store_export_runs (FdDb *db, const char *schedule_id, gint64 from, gint64 size, FdPage *page,
                      GError **error)
{
  sqlite3_stmt *stmt = fd_db_prepare (db, "SELECT 1 FROM export_schedule WHERE id = ?1", error);
  gint64 exists = 0;

  if (stmt == NULL)
    return FALSE;
  fd_db_bind_text (stmt, 1, schedule_id);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    exists = 1;
  sqlite3_reset (stmt);
  if (!exists)
    {
      g_set_error (error, FD_STORE_ERROR, FD_STORE_ERROR_NOT_FOUND,
                   "export schedule %s does not exist", schedule_id);
      return FALSE;
    }
  return fd_store_fetch_page (db, "SELECT count(*) FROM export WHERE schedule_id = ?1",
                              "SELECT " EXPORT_COLUMNS " FROM export WHERE schedule_id = ?1"
                              " ORDER BY created_at DESC, rowid DESC LIMIT ?2 OFFSET ?3",
                              schedule_id, from, size, export_from_row,
                              (GDestroyNotify)fd_export_free, page, error);
}

gboolean
fd_store_export_start (FdDb *db, const char *id, gint64 now, gboolean *started, GError **error)
{
  sqlite3_stmt *stmt = fd_db_prepare (
      db, "UPDATE export SET state = 'running', started_at = ?2 WHERE id = ?1 AND state = 'queued'",
      error);

  if (stmt == NULL)
    return FALSE;
  fd_db_bind_text (stmt, 1, id);
  sqlite3_bind_int64 (stmt, 2, now);
  if (!fd_db_step_done (db, stmt, NULL, error))
    return FALSE;
  *started = sqlite3_changes (fd_db_handle (db)) > 0;
  return TRUE;
}

gboolean
fd_store_export_progress (FdDb *db, const char *id, double progress, gint64 rows, gint64 bytes,
                          GError **error)
{
  sqlite3_stmt *stmt = fd_db_prepare (db,
                                      "UPDATE export SET progress = ?2, rows = ?3, bytes = ?4"
                                      " WHERE id = ?1 AND state = 'running'",
                                      error);

  if (stmt == NULL)
    return FALSE;
  fd_db_bind_text (stmt, 1, id);
  sqlite3_bind_double (stmt, 2, CLAMP (progress, 0.0, 1.0));
  sqlite3_bind_int64 (stmt, 3, rows);
  sqlite3_bind_int64 (stmt, 4, bytes);
  return fd_db_step_done (db, stmt, NULL, error);
}

gboolean
fd_store_export_finish (FdDb *db, const char *id, const char *state, gint64 rows, gint64 bytes,
                        const char *file, const char *message, gint64 now, GError **error)
{
  sqlite3_stmt *stmt = fd_db_prepare (
      db,
      "UPDATE export SET state = ?2, rows = ?3, bytes = ?4, file = ?5, error = ?6,"
      " finished_at = ?7, progress = CASE WHEN ?2 = 'done' THEN 1 ELSE progress END"
      " WHERE id = ?1",
      error);

  if (stmt == NULL)
    return FALSE;
  fd_db_bind_text (stmt, 1, id);
  fd_db_bind_text (stmt, 2, state);
  sqlite3_bind_int64 (stmt, 3, rows);
  sqlite3_bind_int64 (stmt, 4, bytes);
  fd_db_bind_text (stmt, 5, file);
  fd_db_bind_text (stmt, 6, message);
  sqlite3_bind_int64 (stmt, 7, now);
  return fd_db_step_done (db, stmt, NULL, error);
}

gboolean
fd_store_export_cancel_queued (FdDb *db, const char *id, gint64 now, gboolean *canceled,
                               GError **error)
{
  sqlite3_stmt *stmt = fd_db_prepare (db,
                                      "UPDATE export SET state = 'canceled', file = NULL,"
                                      " finished_at = ?2 WHERE id = ?1 AND state = 'queued'",
                                      error);

  if (stmt == NULL)
    return FALSE;
  fd_db_bind_text (stmt, 1, id);
  sqlite3_bind_int64 (stmt, 2, now);
  if (!fd_db_step_done (db, stmt, NULL, error))
    return FALSE;
  *canceled = sqlite3_changes (fd_db_handle (db)) > 0;
  return TRUE;
}

gboolean
fd_store_export_delete (FdDb *db, const char *id, char **file, GError **error)
{
  g_autoptr (FdExport) e = fd_store_export_get (db, id, error);
  sqlite3_stmt *stmt;

  if (e == NULL)
    return FALSE;
  stmt = fd_db_prepare (db, "DELETE FROM export WHERE id = ?1", error);
  if (stmt == NULL)
    return FALSE;
  fd_db_bind_text (stmt, 1, id);
  if (!fd_db_step_done (db, stmt, NULL, error))
    return FALSE;
  *file = g_steal_pointer (&e->file);
  return TRUE;
}

static gboolean
collect_files (FdDb *db, sqlite3_stmt *stmt, GPtrArray *files, GError **error)
{
  int rc;

  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    if (sqlite3_column_type (stmt, 0) != SQLITE_NULL)
      g_ptr_array_add (files, fd_db_column_dup (stmt, 0));
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    {
      fd_db_set_error (db, error, "reading from the database");
      return FALSE;
    }
  return TRUE;
}

gboolean
fd_store_export_interrupt (FdDb *db, gint64 now, GPtrArray *files, GError **error)
{
  sqlite3_stmt *stmt
      = fd_db_prepare (db, "SELECT file FROM export WHERE state IN ('queued', 'running')", error);

  if (stmt == NULL || !collect_files (db, stmt, files, error))
    return FALSE;
  stmt = fd_db_prepare (db,
                        "UPDATE export SET state = 'failed', file = NULL, finished_at = ?1,"
                        " error = 'interrupted by a server restart'"
                        " WHERE state IN ('queued', 'running')",
                        error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, now);
  return fd_db_step_done (db, stmt, NULL, error);
}

gboolean
fd_store_export_expire (FdDb *db, gint64 before, const char *dir, GPtrArray *files, GError **error)
{
  sqlite3_stmt *stmt = fd_db_prepare (db,
                                      "SELECT file FROM export WHERE schedule_id IS NULL"
                                      " AND state = 'done' AND file IS NOT NULL"
                                      " AND finished_at < ?1"
                                      " AND substr (file, 1, length (?2)) = ?2",
                                      error);
  g_autofree char *prefix
      = g_str_has_suffix (dir, "/") ? g_strdup (dir) : g_strconcat (dir, "/", NULL);

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, before);
  fd_db_bind_text (stmt, 2, prefix);
  if (!collect_files (db, stmt, files, error))
    return FALSE;
  stmt = fd_db_prepare (db,
                        "UPDATE export SET file = NULL WHERE schedule_id IS NULL"
                        " AND state = 'done' AND file IS NOT NULL AND finished_at < ?1"
                        " AND substr (file, 1, length (?2)) = ?2",
                        error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, before);
  fd_db_bind_text (stmt, 2, prefix);
  return fd_db_step_done (db, stmt, NULL, error);
}

gboolean
fd_store_export_workspace_files (FdDb *db, const char *workspace_id, const char *dir,
                                 GPtrArray *files, GError **error)
{
  sqlite3_stmt *stmt
      = fd_db_prepare (db,
                       "SELECT file FROM export WHERE workspace_id = ?1"
                       " AND file IS NOT NULL AND substr (file, 1, length (?2)) = ?2",
                       error);
  g_autofree char *prefix
      = g_str_has_suffix (dir, "/") ? g_strdup (dir) : g_strconcat (dir, "/", NULL);

  if (stmt == NULL)
    return FALSE;
  fd_db_bind_text (stmt, 1, workspace_id);
  fd_db_bind_text (stmt, 2, prefix);
  return collect_files (db, stmt, files, error);
}

/* ---- schedules ------------------------------------------------------------------------------ */

#define SCHEDULE_COLUMNS                                                                           \
  "id, workspace_id, name, format, selection, period, time_of_day, weekday, folder, enabled,"      \
  " last_end, next_run, created_at, updated_at"

static gpointer
schedule_from_row (sqlite3_stmt *stmt)
{
  FdExportSchedule *s = g_new0 (FdExportSchedule, 1);
  const char *period = (const char *)sqlite3_column_text (stmt, 5);

  s->id = fd_db_column_dup (stmt, 0);
  s->workspace_id = fd_db_column_dup (stmt, 1);
  s->name = fd_db_column_dup (stmt, 2);
  s->format = fd_db_column_dup (stmt, 3);
  s->selection = fd_db_column_dup (stmt, 4);
  s->period = g_strcmp0 (period, "weekly") == 0 ? FD_EXPORT_PERIOD_WEEKLY : FD_EXPORT_PERIOD_DAILY;
  s->time_of_day = sqlite3_column_int (stmt, 6);
  s->weekday = sqlite3_column_int (stmt, 7);
  s->folder = fd_db_column_dup (stmt, 8);
  s->enabled = sqlite3_column_int (stmt, 9) != 0;
  s->last_end = fd_db_column_time (stmt, 10);
  s->next_run = sqlite3_column_int64 (stmt, 11);
  s->created_at = sqlite3_column_int64 (stmt, 12);
  s->updated_at = sqlite3_column_int64 (stmt, 13);
  return s;
}

static const char *
period_name (FdExportPeriod period)
{
  return period == FD_EXPORT_PERIOD_WEEKLY ? "weekly" : "daily";
}

static void
bind_weekday (sqlite3_stmt *stmt, int index, const FdExportSchedule *s)
{
  if (s->period == FD_EXPORT_PERIOD_WEEKLY)
    sqlite3_bind_int (stmt, index, s->weekday);
  else
    sqlite3_bind_null (stmt, index);
}

#define SCHEDULE_NAME_TAKEN "the workspace has an export schedule of that name already"

/* The nine settings a schedule's insert and update both write, from parameter @first on:
 * name, format, selection, period, time_of_day, weekday, folder, enabled, next_run. */
static void
bind_schedule_settings (sqlite3_stmt *stmt, int first, const FdExportSchedule *s)
{
  fd_db_bind_text (stmt, first, s->name);
  fd_db_bind_text (stmt, first + 1, s->format);
  fd_db_bind_text (stmt, first + 2, s->selection);
  fd_db_bind_text (stmt, first + 3, period_name (s->period));
  sqlite3_bind_int (stmt, first + 4, s->time_of_day);
  bind_weekday (stmt, first + 5, s);
  fd_db_bind_text (stmt, first + 6, s->folder);
  sqlite3_bind_int (stmt, first + 7, s->enabled);
  sqlite3_bind_int64 (stmt, first + 8, s->next_run);
}

gboolean
fd_store_export_schedule_insert (FdDb *db, const FdExportSchedule *s, GError **error)
{
  sqlite3_stmt *stmt;

  if (!fd_store_workspace_exists (db, s->workspace_id, error))
    return FALSE;
  stmt = fd_db_prepare (db,
                        "INSERT INTO export_schedule (" SCHEDULE_COLUMNS ")"
                        " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, NULL, ?11, ?12, ?12)",
                        error);
  if (stmt == NULL)
    return FALSE;
  fd_db_bind_text (stmt, 1, s->id);
  fd_db_bind_text (stmt, 2, s->workspace_id);
  bind_schedule_settings (stmt, 3, s);
  sqlite3_bind_int64 (stmt, 12, s->created_at);
  return fd_db_step_done (db, stmt, SCHEDULE_NAME_TAKEN, error);
}

FdExportSchedule *
fd_store_export_schedule_get (FdDb *db, const char *id, GError **error)
{
  sqlite3_stmt *stmt
      = fd_db_prepare (db, "SELECT " SCHEDULE_COLUMNS " FROM export_schedule WHERE id = ?1", error);

  if (stmt == NULL)
    return NULL;
  fd_db_bind_text (stmt, 1, id);
  return fd_db_fetch_one (db, stmt, schedule_from_row, "export schedule", id, error);
}

gboolean
fd_store_export_schedule_list (FdDb *db, const char *workspace_id, gint64 from, gint64 size,
                               FdPage *page, GError **error)
{
  if (!fd_store_workspace_exists (db, workspace_id, error))
    return FALSE;
  return fd_store_fetch_page (db, "SELECT count(*) FROM export_schedule WHERE workspace_id = ?1",
                              "SELECT " SCHEDULE_COLUMNS
                              " FROM export_schedule WHERE workspace_id = ?1"
                              " ORDER BY name LIMIT ?2 OFFSET ?3",
                              workspace_id, from, size, schedule_from_row,
                              (GDestroyNotify)fd_export_schedule_free, page, error);
}

gboolean
fd_store_export_schedule_all (FdDb *db, GPtrArray *into, GError **error)
{
  sqlite3_stmt *stmt = fd_db_prepare (db,
                                      "SELECT " SCHEDULE_COLUMNS " FROM export_schedule"
                                      " WHERE enabled ORDER BY next_run",
                                      error);

  if (stmt == NULL)
    return FALSE;
  return fd_db_fetch_all (db, stmt, schedule_from_row, into, error);
}

gboolean
fd_store_export_schedule_update (FdDb *db, const FdExportSchedule *s, GError **error)
{
  sqlite3_stmt *stmt = fd_db_prepare (
      db,
      "UPDATE export_schedule SET name = ?2, format = ?3, selection = ?4, period = ?5,"
      " time_of_day = ?6, weekday = ?7, folder = ?8, enabled = ?9, next_run = ?10,"
      " updated_at = ?11 WHERE id = ?1",
      error);

  if (stmt == NULL)
    return FALSE;
  fd_db_bind_text (stmt, 1, s->id);
  bind_schedule_settings (stmt, 2, s);
  sqlite3_bind_int64 (stmt, 11, s->updated_at);
  if (!fd_db_step_done (db, stmt, SCHEDULE_NAME_TAKEN, error))
    return FALSE;
  return schedule_changed (db, s->id, error);
}

gboolean
fd_store_export_schedule_delete (FdDb *db, const char *id, GError **error)
{
  sqlite3_stmt *stmt = fd_db_prepare (db, "DELETE FROM export_schedule WHERE id = ?1", error);

  if (stmt == NULL)
    return FALSE;
  fd_db_bind_text (stmt, 1, id);
  if (!fd_db_step_done (db, stmt, NULL, error))
    return FALSE;
  return schedule_changed (db, id, error);
}

gboolean
fd_store_export_schedule_advance (FdDb *db, const char *id, gint64 next_run, GError **error)
{
  sqlite3_stmt *stmt
      = fd_db_prepare (db, "UPDATE export_schedule SET next_run = ?2 WHERE id = ?1", error);

  if (stmt == NULL)
    return FALSE;
  fd_db_bind_text (stmt, 1, id);
  sqlite3_bind_int64 (stmt, 2, next_run);
  return fd_db_step_done (db, stmt, NULL, error);
}

gboolean
fd_store_export_schedule_set_last_end (FdDb *db, const char *id, gint64 last_end, GError **error)
{
  sqlite3_stmt *stmt = fd_db_prepare (
      db, "UPDATE export_schedule SET last_end = max (coalesce (last_end, 0), ?2) WHERE id = ?1",
      error);

  if (stmt == NULL)
    return FALSE;
  fd_db_bind_text (stmt, 1, id);
  sqlite3_bind_int64 (stmt, 2, last_end);
  return fd_db_step_done (db, stmt, NULL, error);
}
