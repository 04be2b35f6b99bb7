/* fd-store-outbox.c — the integrations' queues: outbox events, reading batches, recording them
 * in flight and done.
 *
 * The data queue of an integration is the sample table above its data_cursor, filtered by a
 * join with stream and the integration row itself (fleets and tags are JSON arrays there, read
 * with json_each), so a filter change applies at the next read and no SQL is ever formatted.
 * Every update of a batch names the batch_id in flight in its WHERE clause: a replay, a limit
 * or a delete that dropped it meanwhile makes the update change nothing, and the worker reads
 * again from the cursors as they are.
 */
#include "fd-store-integrations.h"

#include <sqlite3.h>
#include <string.h>

static const struct
{
  FdOutboxKind kind;
  const char *name;
} kind_names[] = {
  { FD_OUTBOX_KIND_DATA, "data" },           { FD_OUTBOX_KIND_CONDITIONS, "conditions" },
  { FD_OUTBOX_KIND_DEVICES, "devices" },     { FD_OUTBOX_KIND_JOBS, "jobs" },
  { FD_OUTBOX_KIND_CAMPAIGNS, "campaigns" }, { FD_OUTBOX_KIND_ALERTS, "alerts" },
  { FD_OUTBOX_KIND_TEST, "test" },
};

const char *
fd_outbox_kind_name (FdOutboxKind kind)
{
  for (gsize i = 0; i < G_N_ELEMENTS (kind_names); i++)
    if (kind_names[i].kind == kind)
      return kind_names[i].name;
  return "unknown";
}

gboolean
fd_outbox_kind_parse (const char *name, FdOutboxKind *kind)
{
  for (gsize i = 0; i < G_N_ELEMENTS (kind_names); i++)
    if (g_strcmp0 (kind_names[i].name, name) == 0)
      {
        *kind = kind_names[i].kind;
        return TRUE;
      }
  return FALSE;
}

gboolean
fd_store_outbox_wanted (FdDb *db, const char *workspace_id, FdOutboxKind kind, gboolean *wanted,
                        GError **error)
{
  sqlite3_stmt *stmt = fd_db_prepare (
      db, "SELECT count(*) FROM integration WHERE workspace_id = ?1 AND (kinds & ?2) != 0", error);
  gint64 n = 0;

  if (stmt == NULL)
    return FALSE;
  fd_db_bind_text (stmt, 1, workspace_id);
  sqlite3_bind_int64 (stmt, 2, kind);
  if (!fd_db_fetch_count (db, stmt, &n, error))
    return FALSE;
  *wanted = n > 0;
  return TRUE;
}

gboolean
fd_store_outbox_event_add (FdDb *db, const char *workspace_id, FdOutboxKind kind,
                           const char *fleet_id, const char *device_id, const char *tag, gint64 t,
                           const char *body, GError **error)
{
  sqlite3_stmt *stmt;

  g_return_val_if_fail (kind != FD_OUTBOX_KIND_DATA, FALSE);
  stmt = fd_db_prepare (db,
                        "INSERT INTO outbox_event (workspace_id, kind, fleet_id, device_id, tag, "
                        "t, body) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                        error);
  if (stmt == NULL)
    return FALSE;
  fd_db_bind_text (stmt, 1, workspace_id);
  sqlite3_bind_int64 (stmt, 2, kind);
  fd_db_bind_text (stmt, 3, fleet_id);
  fd_db_bind_text (stmt, 4, device_id);
  fd_db_bind_text (stmt, 5, tag);
  sqlite3_bind_int64 (stmt, 6, t);
  fd_db_bind_text (stmt, 7, body);
  return fd_db_step_done (db, stmt, NULL, error);
}

void
fd_outbox_batch_free (FdOutboxBatch *batch)
{
  if (batch == NULL)
    return;
  g_free (batch->batch_id);
  if (batch->items != NULL)
    g_array_unref (batch->items);
  if (batch->strings != NULL)
    g_string_chunk_free (batch->strings);
  g_free (batch);
}

static FdOutboxBatch *
batch_new (FdOutboxKind kind)
{
  FdOutboxBatch *batch = g_new0 (FdOutboxBatch, 1);

  batch->kind = kind;
  batch->items = g_array_new (FALSE, TRUE, sizeof (FdOutboxItem));
  batch->strings = g_string_chunk_new (64 * 1024);
  return batch;
}

static const char *
chunk_text (FdOutboxBatch *batch, sqlite3_stmt *stmt, int column)
{
  const char *text = (const char *)sqlite3_column_text (stmt, column);
  return text != NULL ? g_string_chunk_insert_const (batch->strings, text) : NULL;
}

/* Both item queries give: id, workspace_id, fleet_id, device_id, tag, ts_device, ts_in,
 * payload (or body), kind. */
static void
add_item (FdOutboxBatch *batch, sqlite3_stmt *stmt)
{
  FdOutboxItem item = { 0 };
  const char *payload = (const char *)sqlite3_column_text (stmt, 7);
  gsize len = (gsize)sqlite3_column_bytes (stmt, 7);

  item.id = sqlite3_column_int64 (stmt, 0);
  item.kind = (FdOutboxKind)sqlite3_column_int64 (stmt, 8);
  item.workspace_id = chunk_text (batch, stmt, 1);
  item.fleet_id = chunk_text (batch, stmt, 2);
  item.device_id = chunk_text (batch, stmt, 3);
  item.tag = chunk_text (batch, stmt, 4);
  item.ts_device = sqlite3_column_int64 (stmt, 5);
  item.ts_in = sqlite3_column_int64 (stmt, 6);
  item.payload = g_string_chunk_insert_len (batch->strings, payload ? payload : "null",
                                            payload ? (gssize)len : 4);
  item.payload_len = payload ? len : 4;
  batch->bytes += item.payload_len;
  if (batch->items->len == 0)
    batch->first_id = item.id;
  batch->last_id = item.id;
  g_array_append_val (batch->items, item);
}

#define DATA_ITEMS_SQL                                                                             \
  "SELECT s.id, st.workspace_id, st.fleet_id, st.device_id, st.tag, s.ts_device, s.ts_in,"         \
  " s.payload, 1 FROM integration i, sample s JOIN stream st ON st.id = s.stream"                  \
  " WHERE i.id = ?1 AND s.id > ?2 AND s.id <= ?3 AND st.workspace_id = i.workspace_id"             \
  " AND (i.fleets IS NULL OR st.fleet_id IN (SELECT value FROM json_each (i.fleets)))"             \
  " AND (i.tags IS NULL OR st.tag IN (SELECT value FROM json_each (i.tags)))"                      \
  " ORDER BY s.id LIMIT ?4"

#define EVENT_ITEMS_SQL                                                                            \
  "SELECT e.id, e.workspace_id, e.fleet_id, e.device_id, e.tag, e.t, e.t, e.body, e.kind"          \
  " FROM integration i, outbox_event e"                                                            \
  " WHERE i.id = ?1 AND e.workspace_id = i.workspace_id AND e.id > ?2 AND e.id <= ?3"              \
  " AND (e.kind & i.kinds & ?5) != 0"                                                              \
  " AND (i.fleets IS NULL OR e.fleet_id IS NULL"                                                   \
  "      OR e.fleet_id IN (SELECT value FROM json_each (i.fleets)))"                               \
  " AND (i.tags IS NULL OR e.tag IS NULL OR e.tag IN (SELECT value FROM json_each (i.tags)))"      \
  " ORDER BY e.id LIMIT ?4"

/* The payload bytes of @batch have reached @max_bytes (0: no bound). */
static gboolean
batch_full (const FdOutboxBatch *batch, gsize max_bytes)
{
  return max_bytes > 0 && batch->bytes >= max_bytes;
}

/* Data items of @id in (@after, @upto], at most @limit and about @max_bytes; *@cut when the
 * bytes stopped it. */
static gboolean
read_data (FdDb *db, const char *id, gint64 after, gint64 upto, gint64 limit, gsize max_bytes,
           FdOutboxBatch *batch, gboolean *cut, GError **error)
{
  sqlite3_stmt *stmt = fd_db_prepare (db, DATA_ITEMS_SQL, error);
  int rc;

  if (stmt == NULL)
    return FALSE;
  fd_db_bind_text (stmt, 1, id);
  sqlite3_bind_int64 (stmt, 2, after);
  sqlite3_bind_int64 (stmt, 3, upto);
  sqlite3_bind_int64 (stmt, 4, limit);
  *cut = FALSE;
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      add_item (batch, stmt);
      if (batch_full (batch, max_bytes))
        {
          *cut = TRUE;
          break;
        }
    }
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE && !*cut)
    {
      fd_db_set_error (db, error, "reading an integration's queued readings");
      return FALSE;
    }
  return TRUE;
}

/* Events of @id in (@after, @upto] of the kinds @kinds: the first ones, of one kind (the first
 * one's), up to the first of another kind, at most @limit and about @max_bytes. */
static gboolean
read_events (FdDb *db, const char *id, gint64 after, gint64 upto, guint kinds, gint64 limit,
             gsize max_bytes, FdOutboxBatch *batch, GError **error)
{
  sqlite3_stmt *stmt = fd_db_prepare (db, EVENT_ITEMS_SQL, error);
  int rc;

  if (stmt == NULL)
    return FALSE;
  fd_db_bind_text (stmt, 1, id);
  sqlite3_bind_int64 (stmt, 2, after);
  sqlite3_bind_int64 (stmt, 3, upto);
  sqlite3_bind_int64 (stmt, 4, limit);
  sqlite3_bind_int64 (stmt, 5, kinds);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      FdOutboxKind kind = (FdOutboxKind)sqlite3_column_int64 (stmt, 8);

      if (batch->items->len == 0)
        batch->kind = kind;
      else if (kind != batch->kind || batch_full (batch, max_bytes))
        break;
      add_item (batch, stmt);
    }
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE && rc != SQLITE_ROW)
    {
      fd_db_set_error (db, error, "reading an integration's queued events");
      return FALSE;
    }
  batch->scanned_to = batch->last_id;
  return TRUE;
}

static gboolean
max_sample_id (FdDb *db, gint64 *max, GError **error)
{
  sqlite3_stmt *stmt = fd_db_prepare (db, "SELECT coalesce (max (id), 0) FROM sample", error);
  return stmt != NULL && fd_db_fetch_count (db, stmt, max, error);
}

static gint64
batch_limit (const FdIntegration *integration)
{
  return CLAMP (integration->batch_max, 1, FD_INTEGRATION_BATCH_MAX_LIMIT);
}

gboolean
fd_store_outbox_read (FdDb *db, const FdIntegration *integration, FdOutboxBatch **out,
                      GError **error)
{
  g_autoptr (FdOutboxBatch) batch = NULL;
  guint event_kinds = integration->kinds & FD_OUTBOX_KINDS_ALL & ~FD_OUTBOX_KIND_DATA;
  gint64 max = 0, upto;
  gboolean cut = FALSE;

  *out = NULL;
  if (event_kinds != 0)
    {
      batch = batch_new (0);
      if (!read_events (db, integration->id, integration->event_cursor, G_MAXINT64, event_kinds,
                        batch_limit (integration), FD_OUTBOX_BATCH_MAX_BYTES, batch, error))
        return FALSE;
      if (batch->items->len > 0)
        {
          *out = g_steal_pointer (&batch);
          return TRUE;
        }
      g_clear_pointer (&batch, fd_outbox_batch_free);
    }
  if ((integration->kinds & FD_OUTBOX_KIND_DATA) == 0)
    return TRUE;
  if (!max_sample_id (db, &max, error))
    return FALSE;
  if (max <= integration->data_cursor)
    return TRUE;
  upto = MIN (max, integration->data_cursor + FD_OUTBOX_SCAN_ROWS);
  batch = batch_new (FD_OUTBOX_KIND_DATA);
  if (!read_data (db, integration->id, integration->data_cursor, upto, batch_limit (integration),
                  FD_OUTBOX_BATCH_MAX_BYTES, batch, &cut, error))
    return FALSE;
  /* A full batch may have stopped short of @upto: the items after it are the next batch's. */
  batch->scanned_to
      = cut || (gint64)batch->items->len == batch_limit (integration) ? batch->last_id : upto;
  *out = g_steal_pointer (&batch);
  return TRUE;
}

gboolean
fd_store_outbox_recompose (FdDb *db, const FdIntegration *integration, FdOutboxBatch **out,
                           GError **error)
{
  g_autoptr (FdOutboxBatch) batch = batch_new ((FdOutboxKind)integration->inflight_kind);
  gboolean ok, cut = FALSE;

  *out = NULL;
  g_return_val_if_fail (integration->inflight_batch != NULL, FALSE);
  if (integration->inflight_kind == FD_OUTBOX_KIND_DATA)
    ok = read_data (db, integration->id, integration->inflight_first - 1,
                    integration->inflight_last, FD_INTEGRATION_BATCH_MAX_LIMIT, 0, batch, &cut,
                    error);
  else
    ok = read_events (db, integration->id, integration->inflight_first - 1,
                      integration->inflight_last, integration->inflight_kind,
                      FD_INTEGRATION_BATCH_MAX_LIMIT, 0, batch, error);
  if (!ok)
    return FALSE;
  batch->kind = (FdOutboxKind)integration->inflight_kind;
  batch->batch_id = g_strdup (integration->inflight_batch);
  batch->first_id = integration->inflight_first;
  batch->last_id = integration->inflight_last;
  batch->scanned_to = integration->inflight_last;
  *out = g_steal_pointer (&batch);
  return TRUE;
}

gboolean
fd_store_outbox_begin (FdDb *db, const char *integration_id, gint64 data_cursor,
                       gint64 event_cursor, FdOutboxBatch *batch, gboolean *begun, GError **error)
{
  sqlite3_stmt *stmt;
  gint64 seq = 0;

  *begun = FALSE;
  g_return_val_if_fail (batch->items->len > 0, FALSE);
  stmt = fd_db_prepare (db,
                        "UPDATE integration SET batch_seq = batch_seq + 1,"
                        " inflight_batch = id || '-' || (batch_seq + 1), inflight_kind = ?4,"
                        " inflight_first = ?5, inflight_last = ?6, inflight_attempts = 0"
                        " WHERE id = ?1 AND inflight_batch IS NULL AND data_cursor = ?2"
                        " AND event_cursor = ?3 AND paused = 0",
                        error);
  if (stmt == NULL)
    return FALSE;
  fd_db_bind_text (stmt, 1, integration_id);
  sqlite3_bind_int64 (stmt, 2, data_cursor);
  sqlite3_bind_int64 (stmt, 3, event_cursor);
  sqlite3_bind_int64 (stmt, 4, batch->kind);
  sqlite3_bind_int64 (stmt, 5, batch->first_id);
  sqlite3_bind_int64 (stmt, 6, batch->last_id);
  if (!fd_db_step_done (db, stmt, NULL, error))
    return FALSE;
  if (sqlite3_changes (fd_db_handle (db)) == 0)
    return TRUE;
  stmt = fd_db_prepare (db, "SELECT batch_seq FROM integration WHERE id = ?1", error);
  if (stmt == NULL)
    return FALSE;
  fd_db_bind_text (stmt, 1, integration_id);
  if (!fd_db_fetch_count (db, stmt, &seq, error))
    return FALSE;
  g_free (batch->batch_id);
  batch->batch_id = g_strdup_printf ("%s-%" G_GINT64_FORMAT, integration_id, seq);
  *begun = TRUE;
  return TRUE;
}

static gboolean
insert_delivery (FdDb *db, const char *integration_id, const FdOutboxBatch *batch,
                 const FdDeliveryAttempt *attempt, gint64 number, GError **error)
{
  sqlite3_stmt *stmt = fd_db_prepare (db,
                                      "INSERT INTO delivery (integration_id, batch_id, kind,"
                                      " items, attempt, at, latency_ms, status, outcome, error)"
                                      " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
                                      error);
  if (stmt == NULL)
    return FALSE;
  fd_db_bind_text (stmt, 1, integration_id);
  fd_db_bind_text (stmt, 2, batch->batch_id);
  sqlite3_bind_int64 (stmt, 3, batch->kind);
  sqlite3_bind_int64 (stmt, 4, batch->items->len);
  sqlite3_bind_int64 (stmt, 5, number);
  sqlite3_bind_int64 (stmt, 6, attempt->at);
  sqlite3_bind_int64 (stmt, 7, attempt->latency_ms);
  sqlite3_bind_int (stmt, 8, attempt->status);
  fd_db_bind_text (stmt, 9, attempt->outcome);
  fd_db_bind_text (stmt, 10, attempt->error);
  return fd_db_step_done (db, stmt, NULL, error);
}

gboolean
fd_store_delivery_add (FdDb *db, const char *integration_id, const FdOutboxBatch *batch,
                       const FdDeliveryAttempt *attempt, GError **error)
{
  if (!fd_db_exists (db, "SELECT 1 FROM integration WHERE id = ?1", "integration", integration_id,
                     error))
    return FALSE;
  return insert_delivery (db, integration_id, batch, attempt, 1, error);
}

/* Logs @attempt of @batch if it is still the one in flight; *@current says whether it is. */
static gboolean
log_attempt (FdDb *db, const char *integration_id, const FdOutboxBatch *batch,
             const FdDeliveryAttempt *attempt, gboolean *current, GError **error)
{
  sqlite3_stmt *stmt = fd_db_prepare (db,
                                      "SELECT inflight_attempts FROM integration"
                                      " WHERE id = ?1 AND inflight_batch = ?2",
                                      error);
  gint64 attempts = 0;
  int rc;

  *current = FALSE;
  if (stmt == NULL)
    return FALSE;
  fd_db_bind_text (stmt, 1, integration_id);
  fd_db_bind_text (stmt, 2, batch->batch_id);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    attempts = sqlite3_column_int64 (stmt, 0);
  sqlite3_reset (stmt);
  if (rc == SQLITE_DONE)
    return TRUE;
  if (rc != SQLITE_ROW)
    {
      fd_db_set_error (db, error, "reading the batch in flight");
      return FALSE;
    }
  *current = TRUE;
  return insert_delivery (db, integration_id, batch, attempt, attempts + 1, error);
}

gboolean
fd_store_outbox_done (FdDb *db, const char *integration_id, const FdOutboxBatch *batch,
                      const FdDeliveryAttempt *attempt, gboolean *done, GError **error)
{
  gboolean delivered = g_str_equal (attempt->outcome, "delivered");
  sqlite3_stmt *stmt;

  if (!log_attempt (db, integration_id, batch, attempt, done, error))
    return FALSE;
  if (!*done)
    return TRUE;
  stmt = fd_db_prepare (
      db,
      "UPDATE integration SET"
      " data_cursor = CASE WHEN ?3 = 1 THEN max (data_cursor, ?4) ELSE data_cursor END,"
      " event_cursor = CASE WHEN ?3 = 1 THEN event_cursor ELSE max (event_cursor, ?4) END,"
      " inflight_batch = NULL, inflight_kind = NULL, inflight_first = NULL,"
      " inflight_last = NULL, inflight_attempts = 0,"
      " delivered = delivered + CASE WHEN ?5 THEN ?6 ELSE 0 END,"
      " failed = failed + CASE WHEN ?5 THEN 0 ELSE ?6 END,"
      " last_success_at = CASE WHEN ?5 THEN ?7 ELSE last_success_at END,"
      " last_error = CASE WHEN ?5 THEN last_error ELSE ?8 END,"
      " last_error_at = CASE WHEN ?5 THEN last_error_at ELSE ?7 END"
      " WHERE id = ?1 AND inflight_batch = ?2",
      error);
  if (stmt == NULL)
    return FALSE;
  fd_db_bind_text (stmt, 1, integration_id);
  fd_db_bind_text (stmt, 2, batch->batch_id);
  sqlite3_bind_int (stmt, 3, batch->kind == FD_OUTBOX_KIND_DATA);
  sqlite3_bind_int64 (stmt, 4, MAX (batch->scanned_to, batch->last_id));
  sqlite3_bind_int (stmt, 5, delivered);
  sqlite3_bind_int64 (stmt, 6, batch->items->len);
  sqlite3_bind_int64 (stmt, 7, attempt->at);
  fd_db_bind_text (stmt, 8, attempt->error);
  return fd_db_step_done (db, stmt, NULL, error);
}

gboolean
fd_store_outbox_attempt (FdDb *db, const char *integration_id, const FdOutboxBatch *batch,
                         const FdDeliveryAttempt *attempt, gboolean *current, GError **error)
{
  sqlite3_stmt *stmt;

  if (!log_attempt (db, integration_id, batch, attempt, current, error))
    return FALSE;
  if (!*current)
    return TRUE;
  stmt = fd_db_prepare (db,
                        "UPDATE integration SET inflight_attempts = inflight_attempts + 1,"
                        " last_error = ?3, last_error_at = ?4"
                        " WHERE id = ?1 AND inflight_batch = ?2",
                        error);
  if (stmt == NULL)
    return FALSE;
  fd_db_bind_text (stmt, 1, integration_id);
  fd_db_bind_text (stmt, 2, batch->batch_id);
  fd_db_bind_text (stmt, 3, attempt->error);
  sqlite3_bind_int64 (stmt, 4, attempt->at);
  return fd_db_step_done (db, stmt, NULL, error);
}

gboolean
fd_store_outbox_skip (FdDb *db, const char *integration_id, gint64 from, gint64 to, GError **error)
{
  sqlite3_stmt *stmt = fd_db_prepare (db,
                                      "UPDATE integration SET data_cursor = ?3"
                                      " WHERE id = ?1 AND data_cursor = ?2"
                                      " AND inflight_batch IS NULL AND ?3 > ?2",
                                      error);
  if (stmt == NULL)
    return FALSE;
  fd_db_bind_text (stmt, 1, integration_id);
  sqlite3_bind_int64 (stmt, 2, from);
  sqlite3_bind_int64 (stmt, 3, to);
  return fd_db_step_done (db, stmt, NULL, error);
}
