/* fd-store-outbox-limits.c — how much an integration has queued, the limits that drop from it,
 * pruning, the retention floor, and the delivery log list.
 *
 * Dropping never deletes anything: it moves the cursors past the dropped items (samples stay
 * in the sample table for everyone else), counts them in dropped, and logs a "dropped" row, so
 * a limit is never silent.
 */
#include "fd-store-integrations.h"

#include <sqlite3.h>

/* A limit looks at this many items per call at most. */
#define LIMIT_SCAN_ITEMS 100000

#define DATA_MATCH                                                                                 \
  " FROM integration i, sample s JOIN stream st ON st.id = s.stream"                               \
  " WHERE i.id = ?1 AND s.id > ?2 AND st.workspace_id = i.workspace_id"                            \
  " AND (i.fleets IS NULL OR st.fleet_id IN (SELECT value FROM json_each (i.fleets)))"             \
  " AND (i.tags IS NULL OR st.tag IN (SELECT value FROM json_each (i.tags)))"

#define EVENT_MATCH                                                                                \
  " FROM integration i, outbox_event e"                                                            \
  " WHERE i.id = ?1 AND e.workspace_id = i.workspace_id AND e.id > ?2"                             \
  " AND (e.kind & i.kinds) != 0"                                                                   \
  " AND (i.fleets IS NULL OR e.fleet_id IS NULL"                                                   \
  "      OR e.fleet_id IN (SELECT value FROM json_each (i.fleets)))"                               \
  " AND (i.tags IS NULL OR e.tag IS NULL OR e.tag IN (SELECT value FROM json_each (i.tags)))"

static gboolean
count_range (FdDb *db, const char *id, gboolean data, gint64 after, gint64 upto, gint64 *n,
             GError **error)
{
  sqlite3_stmt *stmt
      = data ? fd_db_prepare (db, "SELECT count(*)" DATA_MATCH " AND s.id <= ?3", error)
             : fd_db_prepare (db, "SELECT count(*)" EVENT_MATCH " AND e.id <= ?3", error);

  if (stmt == NULL)
    return FALSE;
  fd_db_bind_text (stmt, 1, id);
  sqlite3_bind_int64 (stmt, 2, after);
  sqlite3_bind_int64 (stmt, 3, upto);
  return fd_db_fetch_count (db, stmt, n, error);
}

/* The time (ts_in / t) of the first queued item after @after, 0 when none. */
static gboolean
oldest (FdDb *db, const char *id, gboolean data, gint64 after, gint64 *t, GError **error)
{
  sqlite3_stmt *stmt
      = data ? fd_db_prepare (db, "SELECT s.ts_in" DATA_MATCH " ORDER BY s.id LIMIT 1", error)
             : fd_db_prepare (db, "SELECT e.t" EVENT_MATCH " ORDER BY e.id LIMIT 1", error);
  int rc;

  *t = 0;
  if (stmt == NULL)
    return FALSE;
  fd_db_bind_text (stmt, 1, id);
  sqlite3_bind_int64 (stmt, 2, after);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    *t = sqlite3_column_int64 (stmt, 0);
  sqlite3_reset (stmt);
  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    {
      fd_db_set_error (db, error, "reading an integration's oldest queued item");
      return FALSE;
    }
  return TRUE;
}

gboolean
fd_store_outbox_depth (FdDb *db, const FdIntegration *integration, gint64 *depth,
                       gint64 *oldest_out, GError **error)
{
  gint64 data = 0, events = 0, t_data = 0, t_events = 0;
  gboolean want_data = (integration->kinds & FD_OUTBOX_KIND_DATA) != 0;

  if ((want_data
       && (!count_range (db, integration->id, TRUE, integration->data_cursor, G_MAXINT64, &data,
                         error)
           || !oldest (db, integration->id, TRUE, integration->data_cursor, &t_data, error)))
      || !count_range (db, integration->id, FALSE, integration->event_cursor, G_MAXINT64, &events,
                       error)
      || !oldest (db, integration->id, FALSE, integration->event_cursor, &t_events, error))
    return FALSE;
  *depth = data + events;
  *oldest_out = t_data == 0 ? t_events : t_events == 0 ? t_data : MIN (t_data, t_events);
  return TRUE;
}

/* The last id (past @after) of the items older than @cutoff at the head of the queue, looking
 * at LIMIT_SCAN_ITEMS at most; @after when the first is not old. */
static gboolean
aged_to (FdDb *db, const char *id, gboolean data, gint64 after, gint64 cutoff, gint64 *to,
         GError **error)
{
  sqlite3_stmt *stmt
      = data
            ? fd_db_prepare (db, "SELECT s.id, s.ts_in" DATA_MATCH " ORDER BY s.id LIMIT ?3", error)
            : fd_db_prepare (db, "SELECT e.id, e.t" EVENT_MATCH " ORDER BY e.id LIMIT ?3", error);
  int rc;

  *to = after;
  if (stmt == NULL)
    return FALSE;
  fd_db_bind_text (stmt, 1, id);
  sqlite3_bind_int64 (stmt, 2, after);
  sqlite3_bind_int64 (stmt, 3, LIMIT_SCAN_ITEMS);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW && sqlite3_column_int64 (stmt, 1) < cutoff)
    *to = sqlite3_column_int64 (stmt, 0);
  sqlite3_reset (stmt);
  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    {
      fd_db_set_error (db, error, "reading an integration's old queued items");
      return FALSE;
    }
  return TRUE;
}

/* The id of the @n-th queued item after @after (1: the first), @after when there are fewer. */
static gboolean
nth_item (FdDb *db, const char *id, gboolean data, gint64 after, gint64 n, gint64 *to,
          GError **error)
{
  sqlite3_stmt *stmt
      = data
            ? fd_db_prepare (db, "SELECT s.id" DATA_MATCH " ORDER BY s.id LIMIT 1 OFFSET ?3", error)
            : fd_db_prepare (db, "SELECT e.id" EVENT_MATCH " ORDER BY e.id LIMIT 1 OFFSET ?3",
                             error);
  int rc;

  *to = after;
  if (stmt == NULL)
    return FALSE;
  fd_db_bind_text (stmt, 1, id);
  sqlite3_bind_int64 (stmt, 2, after);
  sqlite3_bind_int64 (stmt, 3, n - 1);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    *to = sqlite3_column_int64 (stmt, 0);
  sqlite3_reset (stmt);
  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    {
      fd_db_set_error (db, error, "reading an integration's queue");
      return FALSE;
    }
  return TRUE;
}

typedef struct
{
  gint64 data_cursor, event_cursor, max_queued, max_age_s, kinds;
  char *inflight_batch;
  gint64 inflight_kind, inflight_first, inflight_last;
} LimitRow;

static gboolean
limit_row (FdDb *db, const char *id, LimitRow *r, GError **error)
{
  sqlite3_stmt *stmt = fd_db_prepare (db,
                                      "SELECT data_cursor, event_cursor, max_queued, max_age_s,"
                                      " kinds, inflight_batch, inflight_kind, inflight_first,"
                                      " inflight_last FROM integration WHERE id = ?1",
                                      error);
  int rc;

  if (stmt == NULL)
    return FALSE;
  fd_db_bind_text (stmt, 1, id);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    {
      r->data_cursor = sqlite3_column_int64 (stmt, 0);
      r->event_cursor = sqlite3_column_int64 (stmt, 1);
      r->max_queued = sqlite3_column_int64 (stmt, 2);
      r->max_age_s = sqlite3_column_int64 (stmt, 3);
      r->kinds = sqlite3_column_int64 (stmt, 4);
      r->inflight_batch = fd_db_column_dup (stmt, 5);
      r->inflight_kind = sqlite3_column_int64 (stmt, 6);
      r->inflight_first = sqlite3_column_int64 (stmt, 7);
      r->inflight_last = sqlite3_column_int64 (stmt, 8);
    }
  sqlite3_reset (stmt);
  if (rc == SQLITE_DONE)
    {
      g_set_error (error, FD_STORE_ERROR, FD_STORE_ERROR_NOT_FOUND, "integration %s does not exist",
                   id);
      return FALSE;
    }
  if (rc != SQLITE_ROW)
    {
      fd_db_set_error (db, error, "reading an integration");
      return FALSE;
    }
  return TRUE;
}

static gboolean
log_dropped (FdDb *db, const char *id, const char *batch_id, FdOutboxKind kind, gint64 items,
             gint64 now, const char *why, GError **error)
{
  sqlite3_stmt *stmt = fd_db_prepare (db,
                                      "INSERT INTO delivery (integration_id, batch_id, kind,"
                                      " items, attempt, at, latency_ms, status, outcome, error)"
                                      " VALUES (?1, ?2, ?3, ?4, 0, ?5, 0, 0, 'dropped', ?6)",
                                      error);
  if (stmt == NULL)
    return FALSE;
  fd_db_bind_text (stmt, 1, id);
  fd_db_bind_text (stmt, 2, batch_id != NULL ? batch_id : "");
  sqlite3_bind_int64 (stmt, 3, kind);
  sqlite3_bind_int64 (stmt, 4, items);
  sqlite3_bind_int64 (stmt, 5, now);
  fd_db_bind_text (stmt, 6, why);
  return fd_db_step_done (db, stmt, NULL, error);
}

/* Where the cursor of one queue (@data or events) must go for the limits, and why. */
static gboolean
limit_target (FdDb *db, const char *id, gboolean data, gint64 cursor, const LimitRow *r, gint64 now,
              gint64 *to, const char **why, GError **error)
{
  gint64 depth = 0;

  *why = NULL;
  if (!aged_to (db, id, data, cursor, now - r->max_age_s * 1000, to, error))
    return FALSE;
  if (*to > cursor)
    *why = "older than the integration's max_age_s";
  if (data)
    {
      /* The queue cannot be longer than the ids above the cursor: most of the time that says
       * it is within max_queued without counting. */
      gint64 max = 0;
      sqlite3_stmt *stmt = fd_db_prepare (db, "SELECT coalesce (max (id), 0) FROM sample", error);
      if (stmt == NULL || !fd_db_fetch_count (db, stmt, &max, error))
        return FALSE;
      if (max - *to <= r->max_queued)
        return TRUE;
    }
  if (!count_range (db, id, data, *to, G_MAXINT64, &depth, error))
    return FALSE;
  if (depth > r->max_queued)
    {
      gint64 over_to = *to;
      if (!nth_item (db, id, data, *to, depth - r->max_queued, &over_to, error))
        return FALSE;
      *to = over_to;
      *why = "over the integration's max_queued";
    }
  return TRUE;
}

gboolean
fd_store_outbox_limit (FdDb *db, const char *id, gint64 now, gint64 *dropped, GError **error)
{
  LimitRow r = { 0 };
  gint64 data_to = 0, event_to = 0, n_data = 0, n_events = 0;
  const char *data_why = NULL, *event_why = NULL;
  gboolean drop_inflight = FALSE, ok = FALSE;
  sqlite3_stmt *stmt;

  *dropped = 0;
  if (!limit_row (db, id, &r, error))
    return FALSE;
  data_to = r.data_cursor;
  event_to = r.event_cursor;
  if ((r.kinds & FD_OUTBOX_KIND_DATA)
      && !limit_target (db, id, TRUE, r.data_cursor, &r, now, &data_to, &data_why, error))
    goto out;
  if (!limit_target (db, id, FALSE, r.event_cursor, &r, now, &event_to, &event_why, error))
    goto out;
  if (r.inflight_batch != NULL)
    {
      gboolean data = r.inflight_kind == FD_OUTBOX_KIND_DATA;
      gint64 *to = data ? &data_to : &event_to;
      if (*to >= r.inflight_first)
        {
          *to = MAX (*to, r.inflight_last);
          drop_inflight = TRUE;
        }
    }
  if ((data_to > r.data_cursor
       && !count_range (db, id, TRUE, r.data_cursor, data_to, &n_data, error))
      || (event_to > r.event_cursor
          && !count_range (db, id, FALSE, r.event_cursor, event_to, &n_events, error)))
    goto out;
  ok = TRUE;
  if (data_to == r.data_cursor && event_to == r.event_cursor)
    goto out;
  stmt = fd_db_prepare (db,
                        "UPDATE integration SET data_cursor = ?2, event_cursor = ?3,"
                        " dropped = dropped + ?4,"
                        " inflight_batch = CASE WHEN ?5 THEN NULL ELSE inflight_batch END,"
                        " inflight_kind = CASE WHEN ?5 THEN NULL ELSE inflight_kind END,"
                        " inflight_first = CASE WHEN ?5 THEN NULL ELSE inflight_first END,"
                        " inflight_last = CASE WHEN ?5 THEN NULL ELSE inflight_last END,"
                        " inflight_attempts = CASE WHEN ?5 THEN 0 ELSE inflight_attempts END"
                        " WHERE id = ?1",
                        error);
  ok = stmt != NULL;
  if (ok)
    {
      fd_db_bind_text (stmt, 1, id);
      sqlite3_bind_int64 (stmt, 2, data_to);
      sqlite3_bind_int64 (stmt, 3, event_to);
      sqlite3_bind_int64 (stmt, 4, n_data + n_events);
      sqlite3_bind_int (stmt, 5, drop_inflight);
      ok = fd_db_step_done (db, stmt, NULL, error);
    }
  if (ok && n_data > 0)
    ok = log_dropped (
        db, id, drop_inflight && r.inflight_kind == FD_OUTBOX_KIND_DATA ? r.inflight_batch : NULL,
        FD_OUTBOX_KIND_DATA, n_data, now, data_why ? data_why : "over a limit", error);
  if (ok && n_events > 0)
    ok = log_dropped (
        db, id, drop_inflight && r.inflight_kind != FD_OUTBOX_KIND_DATA ? r.inflight_batch : NULL,
        drop_inflight && r.inflight_kind != FD_OUTBOX_KIND_DATA ? (FdOutboxKind)r.inflight_kind
                                                                : FD_OUTBOX_KIND_CONDITIONS,
        n_events, now, event_why ? event_why : "over a limit", error);
  *dropped = n_data + n_events;
out:
  g_free (r.inflight_batch);
  return ok;
}

gboolean
fd_store_outbox_prune (FdDb *db, gint64 now, GError **error)
{
  g_autoptr (GPtrArray) ids = g_ptr_array_new_with_free_func (g_free);
  sqlite3_stmt *stmt;

  stmt = fd_db_prepare (db, "DELETE FROM delivery WHERE at < ?1", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, now - FD_DELIVERY_KEEP_MS);
  if (!fd_db_step_done (db, stmt, NULL, error))
    return FALSE;

  stmt = fd_db_prepare (db, "SELECT id FROM integration", error);
  if (stmt == NULL || !fd_db_fetch_strings (db, stmt, ids, "listing the integrations", error))
    return FALSE;
  for (guint i = 0; i < ids->len; i++)
    {
      stmt = fd_db_prepare (db,
                            "DELETE FROM delivery WHERE integration_id = ?1 AND id <="
                            " (SELECT id FROM delivery WHERE integration_id = ?1"
                            "  ORDER BY id DESC LIMIT 1 OFFSET ?2)",
                            error);
      if (stmt == NULL)
        return FALSE;
      fd_db_bind_text (stmt, 1, ids->pdata[i]);
      sqlite3_bind_int64 (stmt, 2, FD_DELIVERY_KEEP_ROWS);
      if (!fd_db_step_done (db, stmt, NULL, error))
        return FALSE;
    }

  stmt = fd_db_prepare (db,
                        "DELETE FROM outbox_event WHERE t < ?1 OR (t < ?2 AND id <="
                        " (SELECT coalesce (min (event_cursor), 9223372036854775807)"
                        "  FROM integration i WHERE i.workspace_id = outbox_event.workspace_id))",
                        error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, now - FD_OUTBOX_EVENT_MAX_MS);
  sqlite3_bind_int64 (stmt, 2, now - FD_OUTBOX_EVENT_KEEP_MS);
  return fd_db_step_done (db, stmt, NULL, error);
}

gboolean
fd_store_outbox_data_floor (FdDb *db, gint64 stream, gint64 *floor, GError **error)
{
  sqlite3_stmt *stmt = fd_db_prepare (db,
                                      "SELECT coalesce (min (i.data_cursor), 9223372036854775807)"
                                      " FROM stream s JOIN integration i"
                                      " ON i.workspace_id = s.workspace_id"
                                      " WHERE s.id = ?1 AND (i.kinds & 1) != 0",
                                      error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, stream);
  return fd_db_fetch_count (db, stmt, floor, error);
}

void
fd_delivery_free (FdDelivery *d)
{
  if (d == NULL)
    return;
  g_free (d->batch_id);
  g_free (d->outcome);
  g_free (d->error);
  g_free (d);
}

static gpointer
delivery_from_row (sqlite3_stmt *stmt)
{
  FdDelivery *d = g_new0 (FdDelivery, 1);

  d->id = sqlite3_column_int64 (stmt, 0);
  d->batch_id = fd_db_column_dup (stmt, 1);
  d->kind = (FdOutboxKind)sqlite3_column_int64 (stmt, 2);
  d->items = sqlite3_column_int64 (stmt, 3);
  d->attempt = sqlite3_column_int64 (stmt, 4);
  d->at = sqlite3_column_int64 (stmt, 5);
  d->latency_ms = sqlite3_column_int64 (stmt, 6);
  d->status = sqlite3_column_int (stmt, 7);
  d->outcome = fd_db_column_dup (stmt, 8);
  d->error = fd_db_column_dup (stmt, 9);
  return d;
}

gboolean
fd_store_delivery_list (FdDb *db, const char *integration_id, const char *outcome, gint64 from,
                        gint64 size, FdPage *page, GError **error)
{
  sqlite3_stmt *stmt;

  if (!fd_db_exists (db, "SELECT 1 FROM integration WHERE id = ?1", "integration", integration_id,
                     error))
    return FALSE;
  stmt = fd_db_prepare (db,
                        "SELECT count(*) FROM delivery WHERE integration_id = ?1"
                        " AND (?2 IS NULL OR outcome = ?2)",
                        error);
  if (stmt == NULL)
    return FALSE;
  fd_db_bind_text (stmt, 1, integration_id);
  fd_db_bind_text (stmt, 2, outcome);
  if (!fd_db_fetch_count (db, stmt, &page->total, error))
    return FALSE;
  stmt = fd_db_prepare (db,
                        "SELECT id, batch_id, kind, items, attempt, at, latency_ms, status,"
                        " outcome, error FROM delivery WHERE integration_id = ?1"
                        " AND (?2 IS NULL OR outcome = ?2) ORDER BY id DESC LIMIT ?4 OFFSET ?3",
                        error);
  if (stmt == NULL)
    return FALSE;
  fd_db_bind_text (stmt, 1, integration_id);
  fd_db_bind_text (stmt, 2, outcome);
  sqlite3_bind_int64 (stmt, 3, from);
  sqlite3_bind_int64 (stmt, 4, size);
  page->items = g_ptr_array_new_with_free_func ((GDestroyNotify)fd_delivery_free);
  return fd_db_fetch_all (db, stmt, delivery_from_row, page->items, error);
}
