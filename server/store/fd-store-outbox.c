/* fd-store-outbox.c — the integrations' queues: outbox events, batches, the delivery log. */
#include "fd-store-integrations.h"

#include <sqlite3.h>

static const struct
{
  FdOutboxKind kind;
  const char *name;
} kind_names[] = {
  { FD_OUTBOX_KIND_DATA, "data" },       { FD_OUTBOX_KIND_CONDITIONS, "conditions" },
  { FD_OUTBOX_KIND_DEVICES, "devices" }, { FD_OUTBOX_KIND_JOBS, "jobs" },
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
      db, "SELECT count(*) FROM integration WHERE workspace_id = ?1 AND (kinds & ?2) != 0",
      error);
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
  gboolean wanted = FALSE;
  sqlite3_stmt *stmt;

  g_return_val_if_fail (kind != FD_OUTBOX_KIND_DATA, FALSE);
  if (!fd_store_outbox_wanted (db, workspace_id, kind, &wanted, error))
    return FALSE;
  if (!wanted)
    return TRUE;
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
                        " AND (?2 IS NULL OR outcome = ?2) ORDER BY id DESC LIMIT ?3 OFFSET ?4",
                        error);
  if (stmt == NULL)
    return FALSE;
  fd_db_bind_text (stmt, 1, integration_id);
  fd_db_bind_text (stmt, 2, outcome);
  sqlite3_bind_int64 (stmt, 3, size);
  sqlite3_bind_int64 (stmt, 4, from);
  page->items = g_ptr_array_new_with_free_func ((GDestroyNotify)fd_delivery_free);
  return fd_db_fetch_all (db, stmt, delivery_from_row, page->items, error);
}
