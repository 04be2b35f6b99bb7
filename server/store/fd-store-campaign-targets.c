/* fd-store-campaign-targets.c — a campaign's target rows: the device's target in flight, a
 * stage's queued and due ones, the list the API pages through. */
#include "fd-store-campaigns-private.h"
#include "fd-store-campaigns.h"

/* Targets */

#define TARGET_COLUMNS                                                                             \
  "SELECT t.campaign_id, t.device_id, d.name, t.stage, t.state, t.progress, t.attempts,"           \
  " t.message, t.from_version, t.notified_at, t.deadline, t.finished_at, t.updated_at"             \
  " FROM campaign_target t LEFT JOIN device d ON d.id = t.device_id"

static gpointer
target_from_row (sqlite3_stmt *stmt)
{
  FdCampaignTarget *t = g_new0 (FdCampaignTarget, 1);
  int state;

  t->campaign_id = fd_db_column_dup (stmt, 0);
  t->device_id = fd_db_column_dup (stmt, 1);
  t->device_name = fd_db_column_dup (stmt, 2);
  t->stage = sqlite3_column_int (stmt, 3);
  state = fd_target_state_from_name ((const char *)sqlite3_column_text (stmt, 4));
  t->state = state < 0 ? FD_TARGET_QUEUED : (FdTargetState)state;
  t->progress = sqlite3_column_int64 (stmt, 5);
  t->attempts = sqlite3_column_int64 (stmt, 6);
  t->message = fd_db_column_dup (stmt, 7);
  t->from_version = fd_db_column_dup (stmt, 8);
  t->notified_at = sqlite3_column_int64 (stmt, 9);
  t->deadline = sqlite3_column_int64 (stmt, 10);
  t->finished_at = sqlite3_column_int64 (stmt, 11);
  t->updated_at = sqlite3_column_int64 (stmt, 12);
  return t;
}

gboolean
fd_store_campaign_target_insert (FdDb *db, const FdCampaignTarget *t, gint64 position,
                                 GError **error)
{
  sqlite3_stmt *stmt = fd_db_prepare (
      db,
      "INSERT INTO campaign_target (campaign_id, device_id, position, stage, state, message,"
      " from_version, finished_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
      error);

  if (stmt == NULL)
    return FALSE;
  fd_db_bind_text (stmt, 1, t->campaign_id);
  fd_db_bind_text (stmt, 2, t->device_id);
  sqlite3_bind_int64 (stmt, 3, position);
  sqlite3_bind_int (stmt, 4, t->stage);
  fd_db_bind_text (stmt, 5, fd_target_state_name (t->state));
  fd_db_bind_text (stmt, 6, t->message);
  fd_db_bind_text (stmt, 7, t->from_version);
  fd_db_bind_time (stmt, 8, t->finished_at);
  sqlite3_bind_int64 (stmt, 9, t->updated_at);
  return fd_db_step_done (db, stmt, "the device is a target of the campaign already", error);
}

gboolean
fd_store_campaign_target_update (FdDb *db, const FdCampaignTarget *t, GError **error)
{
  sqlite3_stmt *stmt = fd_db_prepare (
      db,
      "UPDATE campaign_target SET state = ?3, progress = ?4, attempts = ?5, message = ?6,"
      " from_version = ?7, notified_at = ?8, deadline = ?9, finished_at = ?10, updated_at = ?11"
      " WHERE campaign_id = ?1 AND device_id = ?2",
      error);

  if (stmt == NULL)
    return FALSE;
  fd_db_bind_text (stmt, 1, t->campaign_id);
  fd_db_bind_text (stmt, 2, t->device_id);
  fd_db_bind_text (stmt, 3, fd_target_state_name (t->state));
  sqlite3_bind_int64 (stmt, 4, t->progress);
  sqlite3_bind_int64 (stmt, 5, t->attempts);
  fd_db_bind_text (stmt, 6, t->message);
  fd_db_bind_text (stmt, 7, t->from_version);
  fd_db_bind_time (stmt, 8, t->notified_at);
  fd_db_bind_time (stmt, 9, t->deadline);
  fd_db_bind_time (stmt, 10, t->finished_at);
  sqlite3_bind_int64 (stmt, 11, t->updated_at);
  return fd_db_step_done (db, stmt, NULL, error);
}

FdCampaignTarget *
fd_store_campaign_target_active (FdDb *db, const char *device_id, GError **error)
{
  /* The hot path of every report: one index search, no join. A target in flight is always of
   * a running, paused or aborted campaign (a campaign completes only when all are final), and
   * a device has at most one (a newer campaign's @fota skips the older target). */
  sqlite3_stmt *stmt = fd_db_prepare (
      db,
      "SELECT t.campaign_id, t.device_id, NULL, t.stage, t.state, t.progress, t.attempts,"
      " t.message, t.from_version, t.notified_at, t.deadline, t.finished_at, t.updated_at"
      " FROM campaign_target t WHERE t.device_id = ?1 AND t.state IN " IN_FLIGHT_SQL
      " ORDER BY t.notified_at DESC LIMIT 1",
      error);
  g_autoptr (GPtrArray) rows = NULL;

  if (stmt == NULL)
    return NULL;
  fd_db_bind_text (stmt, 1, device_id);
  rows = g_ptr_array_new_with_free_func ((GDestroyNotify)fd_campaign_target_free);
  if (!fd_db_fetch_all (db, stmt, target_from_row, rows, error) || rows->len == 0)
    return NULL;
  return g_ptr_array_steal_index (rows, 0);
}

gboolean
fd_store_campaign_targets_in (FdDb *db, const char *campaign_id, int stage, FdTargetState state,
                              GPtrArray *into, GError **error)
{
  sqlite3_stmt *stmt = fd_db_prepare (db,
                                      TARGET_COLUMNS " WHERE t.campaign_id = ?1 AND t.stage = ?2"
                                                     " AND t.state = ?3 ORDER BY t.position",
                                      error);

  if (stmt == NULL)
    return FALSE;
  fd_db_bind_text (stmt, 1, campaign_id);
  sqlite3_bind_int (stmt, 2, stage);
  fd_db_bind_text (stmt, 3, fd_target_state_name (state));
  return fd_db_fetch_all (db, stmt, target_from_row, into, error);
}

gboolean
fd_store_campaign_targets_due (FdDb *db, const char *campaign_id, int stage, gint64 now,
                               GPtrArray *into, GError **error)
{
  sqlite3_stmt *stmt = fd_db_prepare (db,
                                      TARGET_COLUMNS " WHERE t.campaign_id = ?1 AND t.stage = ?2"
                                                     " AND t.state IN " IN_FLIGHT_SQL
                                                     " AND t.deadline <= ?3 ORDER BY t.position",
                                      error);

  if (stmt == NULL)
    return FALSE;
  fd_db_bind_text (stmt, 1, campaign_id);
  sqlite3_bind_int (stmt, 2, stage);
  sqlite3_bind_int64 (stmt, 3, now);
  return fd_db_fetch_all (db, stmt, target_from_row, into, error);
}

gboolean
fd_store_campaign_next_deadline (FdDb *db, const char *campaign_id, int stage, gint64 *deadline,
                                 GError **error)
{
  sqlite3_stmt *stmt
      = fd_db_prepare (db,
                       "SELECT coalesce (min (deadline), 0) FROM campaign_target"
                       " WHERE campaign_id = ?1 AND stage = ?2 AND state IN " IN_FLIGHT_SQL,
                       error);

  if (stmt == NULL)
    return FALSE;
  fd_db_bind_text (stmt, 1, campaign_id);
  sqlite3_bind_int (stmt, 2, stage);
  return fd_db_fetch_count (db, stmt, deadline, error);
}

#define TARGET_FILTER                                                                              \
  " WHERE t.campaign_id = ?1 AND (?2 IS NULL OR t.state = ?2) AND (?3 < 0 OR t.stage = ?3)"        \
  " AND (?4 IS NULL OR instr (d.name_fold, ?4) > 0)"

gboolean
fd_store_campaign_target_list (FdDb *db, const char *campaign_id, int state, int stage,
                               const char *search, gint64 from, gint64 size, FdPage *page,
                               GError **error)
{
  g_autofree char *folded = search ? fd_db_fold (search) : NULL;
  sqlite3_stmt *stmt;

  if (!fd_store_campaign_exists (db, campaign_id, error))
    return FALSE;
  stmt = fd_db_prepare (db,
                        "SELECT count(*) FROM campaign_target t"
                        " LEFT JOIN device d ON d.id = t.device_id" TARGET_FILTER,
                        error);
  if (stmt == NULL)
    return FALSE;
  fd_db_bind_text (stmt, 1, campaign_id);
  fd_db_bind_text (stmt, 2, state < 0 ? NULL : fd_target_state_name (state));
  sqlite3_bind_int (stmt, 3, stage);
  fd_db_bind_text (stmt, 4, folded);
  if (!fd_db_fetch_count (db, stmt, &page->total, error))
    return FALSE;
  stmt = fd_db_prepare (db, TARGET_COLUMNS TARGET_FILTER " ORDER BY t.position LIMIT ?5 OFFSET ?6",
                        error);
  if (stmt == NULL)
    return FALSE;
  fd_db_bind_text (stmt, 1, campaign_id);
  fd_db_bind_text (stmt, 2, state < 0 ? NULL : fd_target_state_name (state));
  sqlite3_bind_int (stmt, 3, stage);
  fd_db_bind_text (stmt, 4, folded);
  sqlite3_bind_int64 (stmt, 5, size);
  sqlite3_bind_int64 (stmt, 6, from);
  page->items = g_ptr_array_new_with_free_func ((GDestroyNotify)fd_campaign_target_free);
  return fd_db_fetch_all (db, stmt, target_from_row, page->items, error);
}

gboolean
fd_store_campaign_target_replace (FdDb *db, const char *device_id, const char *campaign_id,
                                  gint64 now, GPtrArray *replaced, GError **error)
{
  sqlite3_stmt *stmt = fd_db_prepare (
      db,
      "UPDATE campaign_target SET state = 'skipped', message = 'replaced by campaign ' || ?2,"
      " finished_at = ?3, updated_at = ?3"
      " WHERE device_id = ?1 AND campaign_id <> ?2 AND state IN " IN_FLIGHT_SQL
      " RETURNING campaign_id",
      error);

  if (stmt == NULL)
    return FALSE;
  fd_db_bind_text (stmt, 1, device_id);
  fd_db_bind_text (stmt, 2, campaign_id);
  sqlite3_bind_int64 (stmt, 3, now);
  return fd_db_fetch_strings (db, stmt, replaced, "writing to the database", error);
}

gboolean
fd_store_campaign_target_progress (FdDb *db, const FdCampaignTarget *t, GError **error)
{
  sqlite3_stmt *stmt = fd_db_prepare (db,
                                      "UPDATE campaign_target SET progress = ?3, updated_at = ?4"
                                      " WHERE campaign_id = ?1 AND device_id = ?2",
                                      error);

  if (stmt == NULL)
    return FALSE;
  fd_db_bind_text (stmt, 1, t->campaign_id);
  fd_db_bind_text (stmt, 2, t->device_id);
  sqlite3_bind_int64 (stmt, 3, t->progress);
  sqlite3_bind_int64 (stmt, 4, t->updated_at);
  return fd_db_step_done (db, stmt, NULL, error);
}
