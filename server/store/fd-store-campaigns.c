/* fd-store-campaigns.c — campaign rows, their targets, and the counts per stage and state. */
#include "fd-store-campaigns.h"
#include "fd-store-campaigns-private.h"

#include <string.h>

static const char *const target_state_names[FD_TARGET_N_STATES] = {
  [FD_TARGET_QUEUED] = "queued",           [FD_TARGET_NOTIFIED] = "notified",
  [FD_TARGET_DOWNLOADING] = "downloading", [FD_TARGET_DOWNLOADED] = "downloaded",
  [FD_TARGET_VERIFIED] = "verified",       [FD_TARGET_INSTALLING] = "installing",
  [FD_TARGET_TESTING] = "testing",         [FD_TARGET_SUCCEEDED] = "succeeded",
  [FD_TARGET_FAILED] = "failed",           [FD_TARGET_REVERTED] = "reverted",
  [FD_TARGET_TIMED_OUT] = "timed_out",     [FD_TARGET_SKIPPED] = "skipped",
};

const char *
fd_target_state_name (FdTargetState state)
{
  g_return_val_if_fail (state < FD_TARGET_N_STATES, "queued");
  return target_state_names[state];
}

int
fd_target_state_from_name (const char *name)
{
  for (int i = 0; i < FD_TARGET_N_STATES; i++)
    if (name != NULL && g_str_equal (name, target_state_names[i]))
      return i;
  return -1;
}

gboolean
fd_target_state_is_final (FdTargetState state)
{
  return state >= FD_TARGET_SUCCEEDED;
}

gboolean
fd_target_state_in_flight (FdTargetState state)
{
  return state >= FD_TARGET_NOTIFIED && state <= FD_TARGET_TESTING;
}

void
fd_campaign_free (FdCampaign *c)
{
  if (c == NULL)
    return;
  g_free (c->id);
  g_free (c->workspace_id);
  g_free (c->name);
  g_free (c->firmware_id);
  g_free (c->firmware_version);
  g_free (c->state);
  g_free (c->reason);
  g_free (c->targets_json);
  g_free (c->actor);
  g_free (c);
}

void
fd_campaign_target_free (FdCampaignTarget *t)
{
  if (t == NULL)
    return;
  g_free (t->campaign_id);
  g_free (t->device_id);
  g_free (t->device_name);
  g_free (t->message);
  g_free (t->from_version);
  g_free (t);
}

char *
fd_campaign_stages_to_json (const FdCampaign *c)
{
  GString *s = g_string_new ("[");

  for (guint i = 0; i < c->n_stages; i++)
    {
      const FdCampaignStage *st = &c->stages[i];
      g_string_append_printf (s,
                              "%s{\"%s\":%" G_GINT64_FORMAT ",\"devices\":%" G_GINT64_FORMAT
                              ",\"started_at\":%" G_GINT64_FORMAT "}",
                              i ? "," : "", st->is_count ? "count" : "percent", st->value,
                              st->devices, st->started_at);
    }
  g_string_append_c (s, ']');
  return g_string_free (s, FALSE);
}

static gboolean
stages_from_json (FdDb *db, FdCampaign *c, const char *json, GError **error)
{
  sqlite3_stmt *stmt = fd_db_prepare (db,
                                      "SELECT json_extract (value, '$.count'),"
                                      " json_extract (value, '$.percent'),"
                                      " json_extract (value, '$.devices'),"
                                      " json_extract (value, '$.started_at')"
                                      " FROM json_each (?1) ORDER BY key",
                                      error);
  int rc;

  if (stmt == NULL)
    return FALSE;
  fd_db_bind_text (stmt, 1, json);
  c->n_stages = 0;
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW && c->n_stages < FD_CAMPAIGN_MAX_STAGES)
    {
      FdCampaignStage *st = &c->stages[c->n_stages++];
      st->is_count = sqlite3_column_type (stmt, 0) != SQLITE_NULL;
      st->value = sqlite3_column_int64 (stmt, st->is_count ? 0 : 1);
      st->devices = sqlite3_column_int64 (stmt, 2);
      st->started_at = sqlite3_column_int64 (stmt, 3);
    }
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE && rc != SQLITE_ROW)
    {
      fd_db_set_error (db, error, "reading a campaign's stages");
      return FALSE;
    }
  return TRUE;
}

#define CAMPAIGN_COLUMNS                                                                           \
  "SELECT c.id, c.workspace_id, c.name, c.firmware_id,"                                            \
  " json_extract (c.targets, '$.firmware_version'), c.state, c.reason, c.targets, c.actor,"        \
  " c.stages, c.stage, c.stage_started_at, c.min_wait_s, c.success_threshold,"                     \
  " c.failure_threshold, c.failure_min, c.device_timeout_s, c.only_outdated, c.created_at,"        \
  " c.updated_at, c.finished_at FROM campaign c"

/* The row; its stages (column 9) are parsed by finish_campaign(), which needs the connection. */
static gpointer
campaign_from_row (sqlite3_stmt *stmt)
{
  FdCampaign *c = g_new0 (FdCampaign, 1);

  c->id = fd_db_column_dup (stmt, 0);
  c->workspace_id = fd_db_column_dup (stmt, 1);
  c->name = fd_db_column_dup (stmt, 2);
  c->firmware_id = fd_db_column_dup (stmt, 3);
  c->firmware_version = fd_db_column_dup (stmt, 4);
  c->state = fd_db_column_dup (stmt, 5);
  c->reason = fd_db_column_dup (stmt, 6);
  c->targets_json = fd_db_column_dup (stmt, 7);
  c->actor = fd_db_column_dup (stmt, 8);
  c->stage = sqlite3_column_int (stmt, 10);
  c->stage_started_at = sqlite3_column_int64 (stmt, 11);
  c->min_wait_s = sqlite3_column_int64 (stmt, 12);
  c->success_threshold = sqlite3_column_double (stmt, 13);
  c->failure_threshold = sqlite3_column_double (stmt, 14);
  c->failure_min = sqlite3_column_int64 (stmt, 15);
  c->device_timeout_s = sqlite3_column_int64 (stmt, 16);
  c->only_outdated = sqlite3_column_int (stmt, 17) != 0;
  c->created_at = sqlite3_column_int64 (stmt, 18);
  c->updated_at = sqlite3_column_int64 (stmt, 19);
  c->finished_at = sqlite3_column_int64 (stmt, 20);
  return c;
}

/* Reads the stages and counts of campaigns fetched with CAMPAIGN_COLUMNS. */
static gboolean
finish_campaign (FdDb *db, FdCampaign *c, GError **error)
{
  sqlite3_stmt *stmt = fd_db_prepare (db, "SELECT stages FROM campaign WHERE id = ?1", error);
  g_autofree char *stages = NULL;

  if (stmt == NULL)
    return FALSE;
  fd_db_bind_text (stmt, 1, c->id);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    stages = fd_db_column_dup (stmt, 0);
  sqlite3_reset (stmt);
  return stages_from_json (db, c, stages ? stages : "[]", error)
         && fd_store_campaign_counts (db, c, error);
}

gboolean
fd_store_campaign_insert (FdDb *db, const FdCampaign *c, GError **error)
{
  sqlite3_stmt *stmt = fd_db_prepare (
      db,
      "INSERT INTO campaign (id, workspace_id, name, firmware_id, state, reason, targets, stages,"
      " stage, stage_started_at, min_wait_s, success_threshold, failure_threshold, failure_min,"
      " device_timeout_s, only_outdated, actor, created_at, updated_at, finished_at)"
      " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18,"
      " ?19, nullif (?20, 0))",
      error);
  g_autofree char *stages = fd_campaign_stages_to_json (c);

  if (stmt == NULL)
    return FALSE;
  fd_db_bind_text (stmt, 1, c->id);
  fd_db_bind_text (stmt, 2, c->workspace_id);
  fd_db_bind_text (stmt, 3, c->name);
  fd_db_bind_text (stmt, 4, c->firmware_id);
  fd_db_bind_text (stmt, 5, c->state);
  fd_db_bind_text (stmt, 6, c->reason);
  fd_db_bind_text (stmt, 7, c->targets_json);
  fd_db_bind_text (stmt, 8, stages);
  sqlite3_bind_int (stmt, 9, c->stage);
  sqlite3_bind_int64 (stmt, 10, c->stage_started_at);
  sqlite3_bind_int64 (stmt, 11, c->min_wait_s);
  sqlite3_bind_double (stmt, 12, c->success_threshold);
  sqlite3_bind_double (stmt, 13, c->failure_threshold);
  sqlite3_bind_int64 (stmt, 14, c->failure_min);
  sqlite3_bind_int64 (stmt, 15, c->device_timeout_s);
  sqlite3_bind_int (stmt, 16, c->only_outdated);
  fd_db_bind_text (stmt, 17, c->actor);
  sqlite3_bind_int64 (stmt, 18, c->created_at);
  sqlite3_bind_int64 (stmt, 19, c->updated_at);
  sqlite3_bind_int64 (stmt, 20, c->finished_at);
  return fd_db_step_done (db, stmt, "the campaign exists already", error);
}

gboolean
fd_store_campaign_update (FdDb *db, const FdCampaign *c, GError **error)
{
  sqlite3_stmt *stmt = fd_db_prepare (db,
                                      "UPDATE campaign SET state = ?2, reason = ?3, stage = ?4,"
                                      " stage_started_at = ?5, stages = ?6, updated_at = ?7,"
                                      " finished_at = nullif (?8, 0) WHERE id = ?1",
                                      error);
  g_autofree char *stages = fd_campaign_stages_to_json (c);

  if (stmt == NULL)
    return FALSE;
  fd_db_bind_text (stmt, 1, c->id);
  fd_db_bind_text (stmt, 2, c->state);
  fd_db_bind_text (stmt, 3, c->reason);
  sqlite3_bind_int (stmt, 4, c->stage);
  sqlite3_bind_int64 (stmt, 5, c->stage_started_at);
  fd_db_bind_text (stmt, 6, stages);
  sqlite3_bind_int64 (stmt, 7, c->updated_at);
  sqlite3_bind_int64 (stmt, 8, c->finished_at);
  return fd_db_step_done (db, stmt, NULL, error);
}

FdCampaign *
fd_store_campaign_get (FdDb *db, const char *id, GError **error)
{
  sqlite3_stmt *stmt = fd_db_prepare (db, CAMPAIGN_COLUMNS " WHERE c.id = ?1", error);
  g_autoptr (FdCampaign) c = NULL;

  if (stmt == NULL)
    return NULL;
  fd_db_bind_text (stmt, 1, id);
  c = fd_db_fetch_one (db, stmt, campaign_from_row, "campaign", id, error);
  if (c == NULL || !finish_campaign (db, c, error))
    return NULL;
  return g_steal_pointer (&c);
}

gboolean
fd_store_campaign_counts (FdDb *db, FdCampaign *c, GError **error)
{
  sqlite3_stmt *stmt = fd_db_prepare (db,
                                      "SELECT stage, state, count(*) FROM campaign_target"
                                      " WHERE campaign_id = ?1 GROUP BY stage, state",
                                      error);
  int rc;

  if (stmt == NULL)
    return FALSE;
  memset (c->counts, 0, sizeof c->counts);
  c->total = 0;
  fd_db_bind_text (stmt, 1, c->id);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      int stage = sqlite3_column_int (stmt, 0);
      int state = fd_target_state_from_name ((const char *)sqlite3_column_text (stmt, 1));
      gint64 n = sqlite3_column_int64 (stmt, 2);

      if (stage < 0 || stage >= FD_CAMPAIGN_MAX_STAGES || state < 0)
        continue;
      c->counts[stage][state] += n;
      c->total += n;
    }
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    {
      fd_db_set_error (db, error, "counting a campaign's targets");
      return FALSE;
    }
  return TRUE;
}

gboolean
fd_store_campaign_list (FdDb *db, const char *workspace_id, gint64 from, gint64 size, FdPage *page,
                        GError **error)
{
  if (!fd_store_workspace_exists (db, workspace_id, error)
      || !fd_store_fetch_page (db, "SELECT count(*) FROM campaign WHERE workspace_id = ?1",
                               CAMPAIGN_COLUMNS " WHERE c.workspace_id = ?1"
                                                " ORDER BY c.created_at DESC, c.rowid DESC"
                                                " LIMIT ?2 OFFSET ?3",
                               workspace_id, from, size, campaign_from_row,
                               (GDestroyNotify)fd_campaign_free, page, error))
    return FALSE;
  for (guint i = 0; i < page->items->len; i++)
    if (!finish_campaign (db, g_ptr_array_index (page->items, i), error))
      return FALSE;
  return TRUE;
}

gboolean
fd_store_campaign_active_ids (FdDb *db, GPtrArray *into, GError **error)
{
  sqlite3_stmt *stmt = fd_db_prepare (
      db,
      "SELECT c.id FROM campaign c WHERE c.state IN ('running', 'paused')"
      " OR (c.state = 'aborted' AND EXISTS (SELECT 1 FROM campaign_target t"
      " WHERE t.campaign_id = c.id AND t.stage = c.stage AND t.state IN " IN_FLIGHT_SQL "))"
      " ORDER BY c.created_at",
      error);

  if (stmt == NULL)
    return FALSE;
  return fd_db_fetch_strings (db, stmt, into, "listing running campaigns", error);
}

gboolean
fd_store_campaign_exists (FdDb *db, const char *id, GError **error)
{
  return fd_db_exists (db, "SELECT 1 FROM campaign WHERE id = ?1", "campaign", id, error);
}
