/* fd-store-integrations.c — integration rows. */
#include "fd-store-integrations.h"

#include "fd-util.h"

#include <sqlite3.h>
#include <string.h>

void
fd_integration_free (FdIntegration *i)
{
  if (i == NULL)
    return;
  g_free (i->id);
  g_free (i->workspace_id);
  g_free (i->name);
  g_free (i->config);
  if (i->secret != NULL)
    explicit_bzero (i->secret, strlen (i->secret));
  g_free (i->secret);
  g_strfreev (i->fleets);
  g_strfreev (i->tags);
  g_free (i->inflight_batch);
  g_free (i->last_error);
  g_free (i);
}

const char *
fd_integration_type_name (FdIntegrationType type)
{
  return type == FD_INTEGRATION_POSTGRESQL ? "postgresql" : "webhook";
}

gboolean
fd_integration_type_parse (const char *name, FdIntegrationType *type)
{
  if (g_strcmp0 (name, "webhook") == 0)
    *type = FD_INTEGRATION_WEBHOOK;
  else if (g_strcmp0 (name, "postgresql") == 0)
    *type = FD_INTEGRATION_POSTGRESQL;
  else
    return FALSE;
  return TRUE;
}

/* fleets and tags are kept as JSON arrays of strings (NULL: any), so that SQL can look into
 * them with json_each(); they are read back the same way. */
static char *
strv_to_json (char **strv)
{
  GString *out;

  if (strv == NULL || strv[0] == NULL)
    return NULL;
  out = g_string_new ("[");
  for (guint i = 0; strv[i] != NULL; i++)
    {
      if (i > 0)
        g_string_append_c (out, ',');
      fd_json_append_string (out, strv[i], strlen (strv[i]), FALSE);
    }
  g_string_append_c (out, ']');
  return g_string_free (out, FALSE);
}

static char **
strv_from_json (FdDb *db, const char *json)
{
  sqlite3_stmt *stmt;
  g_autoptr (GPtrArray) values = NULL;

  if (json == NULL)
    return NULL;
  stmt = fd_db_prepare (db, "SELECT value FROM json_each (?1)", NULL);
  if (stmt == NULL)
    return NULL;
  fd_db_bind_text (stmt, 1, json);
  values = g_ptr_array_new_with_free_func (g_free);
  if (!fd_db_fetch_strings (db, stmt, values, "integration filters", NULL) || values->len == 0)
    return NULL;
  g_ptr_array_add (values, NULL);
  return (char **)g_ptr_array_free (g_steal_pointer (&values), FALSE);
}

#define INTEGRATION_COLUMNS                                                                        \
  "id, workspace_id, type, name, config, secret, kinds, fleets, tags, batch_max,"                  \
  " batch_delay_ms, max_queued, max_age_s, paused, data_cursor, event_cursor, batch_seq,"          \
  " inflight_batch, inflight_kind, inflight_first, inflight_last, inflight_attempts, delivered,"   \
  " failed, dropped, last_error, last_error_at, last_success_at, created_at, updated_at"

/* The row, with fleets and tags still as their JSON text (config's neighbours): the callers
 * with a connection turn them into lists (row functions get none). */
typedef struct
{
  FdIntegration integration;
  char *fleets_json;
  char *tags_json;
} Row;

static gpointer
row_from_stmt (sqlite3_stmt *stmt)
{
  Row *r = g_new0 (Row, 1);
  FdIntegration *i = &r->integration;

  i->id = fd_db_column_dup (stmt, 0);
  i->workspace_id = fd_db_column_dup (stmt, 1);
  fd_integration_type_parse ((const char *)sqlite3_column_text (stmt, 2), &i->type);
  i->name = fd_db_column_dup (stmt, 3);
  i->config = fd_db_column_dup (stmt, 4);
  i->secret = fd_db_column_dup (stmt, 5);
  i->kinds = (guint)sqlite3_column_int64 (stmt, 6);
  r->fleets_json = fd_db_column_dup (stmt, 7);
  r->tags_json = fd_db_column_dup (stmt, 8);
  i->batch_max = sqlite3_column_int64 (stmt, 9);
  i->batch_delay_ms = sqlite3_column_int64 (stmt, 10);
  i->max_queued = sqlite3_column_int64 (stmt, 11);
  i->max_age_s = sqlite3_column_int64 (stmt, 12);
  i->paused = sqlite3_column_int (stmt, 13) != 0;
  i->data_cursor = sqlite3_column_int64 (stmt, 14);
  i->event_cursor = sqlite3_column_int64 (stmt, 15);
  i->batch_seq = sqlite3_column_int64 (stmt, 16);
  i->inflight_batch = fd_db_column_dup (stmt, 17);
  i->inflight_kind = (guint)sqlite3_column_int64 (stmt, 18);
  i->inflight_first = sqlite3_column_int64 (stmt, 19);
  i->inflight_last = sqlite3_column_int64 (stmt, 20);
  i->inflight_attempts = sqlite3_column_int64 (stmt, 21);
  i->delivered = sqlite3_column_int64 (stmt, 22);
  i->failed = sqlite3_column_int64 (stmt, 23);
  i->dropped = sqlite3_column_int64 (stmt, 24);
  i->last_error = fd_db_column_dup (stmt, 25);
  i->last_error_at = fd_db_column_time (stmt, 26);
  i->last_success_at = fd_db_column_time (stmt, 27);
  i->created_at = sqlite3_column_int64 (stmt, 28);
  i->updated_at = sqlite3_column_int64 (stmt, 29);
  return r;
}

/* The integration of @r, its filter lists parsed; @r is freed. */
static FdIntegration *
row_finish (FdDb *db, Row *r)
{
  FdIntegration *i = g_memdup2 (&r->integration, sizeof *i);

  i->fleets = strv_from_json (db, r->fleets_json);
  i->tags = strv_from_json (db, r->tags_json);
  g_free (r->fleets_json);
  g_free (r->tags_json);
  g_free (r);
  return i;
}

/* An UPDATE or DELETE by id that touched no row names an integration that is not there. */
static gboolean
changed (FdDb *db, const char *id, GError **error)
{
  if (sqlite3_changes (fd_db_handle (db)) > 0)
    return TRUE;
  g_set_error (error, FD_STORE_ERROR, FD_STORE_ERROR_NOT_FOUND, "integration %s does not exist",
               id);
  return FALSE;
}

static gboolean
check_fleets (FdDb *db, const char *workspace_id, char **fleets, GError **error)
{
  for (guint n = 0; fleets != NULL && fleets[n] != NULL; n++)
    {
      sqlite3_stmt *stmt = fd_db_prepare (
          db, "SELECT count(*) FROM fleet WHERE id = ?1 AND workspace_id = ?2", error);
      gint64 found = 0;

      if (stmt == NULL)
        return FALSE;
      fd_db_bind_text (stmt, 1, fleets[n]);
      fd_db_bind_text (stmt, 2, workspace_id);
      if (!fd_db_fetch_count (db, stmt, &found, error))
        return FALSE;
      if (found == 0)
        {
          g_set_error (error, FD_STORE_ERROR, FD_STORE_ERROR_NOT_FOUND,
                       "fleet %s does not exist in workspace %s", fleets[n], workspace_id);
          return FALSE;
        }
    }
  return TRUE;
}

/* The settings, bound from ?@first on: name, config, secret, kinds, fleets, tags, batch_max,
 * batch_delay_ms, max_queued, max_age_s. */
static void
bind_settings (sqlite3_stmt *stmt, int first, const FdIntegration *i)
{
  g_autofree char *fleets = strv_to_json (i->fleets);
  g_autofree char *tags = strv_to_json (i->tags);

  fd_db_bind_text (stmt, first, i->name);
  fd_db_bind_text (stmt, first + 1, i->config);
  fd_db_bind_text (stmt, first + 2, i->secret);
  sqlite3_bind_int64 (stmt, first + 3, i->kinds);
  /* SQLITE_TRANSIENT: the JSON texts are freed when this returns */
  if (fleets != NULL)
    sqlite3_bind_text (stmt, first + 4, fleets, -1, SQLITE_TRANSIENT);
  else
    sqlite3_bind_null (stmt, first + 4);
  if (tags != NULL)
    sqlite3_bind_text (stmt, first + 5, tags, -1, SQLITE_TRANSIENT);
  else
    sqlite3_bind_null (stmt, first + 5);
  sqlite3_bind_int64 (stmt, first + 6, i->batch_max);
  sqlite3_bind_int64 (stmt, first + 7, i->batch_delay_ms);
  sqlite3_bind_int64 (stmt, first + 8, i->max_queued);
  sqlite3_bind_int64 (stmt, first + 9, i->max_age_s);
}

static gboolean
max_id (FdDb *db, const char *sql, gint64 *out, GError **error)
{
  sqlite3_stmt *stmt = fd_db_prepare (db, sql, error);
  return stmt != NULL && fd_db_fetch_count (db, stmt, out, error);
}

gboolean
fd_store_integration_create (FdDb *db, FdIntegration *i, gint64 now, GError **error)
{
  sqlite3_stmt *stmt;
  gint64 data_cursor = 0, event_cursor = 0;

  if (!fd_store_workspace_exists (db, i->workspace_id, error)
      || !check_fleets (db, i->workspace_id, i->fleets, error))
    return FALSE;
  /* outbox_event is AUTOINCREMENT: its sequence is past ids already pruned, which max(id) of
   * an emptied table would not be. */
  if (!max_id (db, "SELECT coalesce (max (id), 0) FROM sample", &data_cursor, error)
      || !max_id (db,
                  "SELECT max (coalesce ((SELECT seq FROM sqlite_sequence"
                  " WHERE name = 'outbox_event'), 0), coalesce ((SELECT max (id)"
                  " FROM outbox_event), 0))",
                  &event_cursor, error))
    return FALSE;
  stmt = fd_db_prepare (db,
                        "INSERT INTO integration (id, workspace_id, type, name, config, secret,"
                        " kinds, fleets, tags, batch_max, batch_delay_ms, max_queued, max_age_s,"
                        " paused, data_cursor, event_cursor, created_at, updated_at)"
                        " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14,"
                        " ?15, ?16, ?17, ?17)",
                        error);
  if (stmt == NULL)
    return FALSE;
  g_free (i->id);
  i->id = fd_id_new ("int");
  i->data_cursor = data_cursor;
  i->event_cursor = event_cursor;
  i->batch_seq = 0;
  i->delivered = i->failed = i->dropped = 0;
  i->created_at = i->updated_at = now;
  fd_db_bind_text (stmt, 1, i->id);
  fd_db_bind_text (stmt, 2, i->workspace_id);
  fd_db_bind_text (stmt, 3, fd_integration_type_name (i->type));
  bind_settings (stmt, 4, i);
  sqlite3_bind_int (stmt, 14, i->paused ? 1 : 0);
  sqlite3_bind_int64 (stmt, 15, data_cursor);
  sqlite3_bind_int64 (stmt, 16, event_cursor);
  sqlite3_bind_int64 (stmt, 17, now);
  return fd_db_step_done (db, stmt, NULL, error);
}

FdIntegration *
fd_store_integration_get (FdDb *db, const char *id, GError **error)
{
  sqlite3_stmt *stmt
      = fd_db_prepare (db, "SELECT " INTEGRATION_COLUMNS " FROM integration WHERE id = ?1", error);
  Row *r;

  if (stmt == NULL)
    return NULL;
  fd_db_bind_text (stmt, 1, id);
  r = fd_db_fetch_one (db, stmt, row_from_stmt, "integration", id, error);
  return r != NULL ? row_finish (db, r) : NULL;
}

gboolean
fd_store_integration_list (FdDb *db, const char *workspace_id, gint64 from, gint64 size,
                           FdPage *page, GError **error)
{
  sqlite3_stmt *stmt;
  g_autoptr (GPtrArray) rows = g_ptr_array_new ();

  if (workspace_id != NULL && !fd_store_workspace_exists (db, workspace_id, error))
    return FALSE;
  stmt = fd_db_prepare (
      db, "SELECT count(*) FROM integration WHERE ?1 IS NULL OR workspace_id = ?1", error);
  if (stmt == NULL)
    return FALSE;
  fd_db_bind_text (stmt, 1, workspace_id);
  if (!fd_db_fetch_count (db, stmt, &page->total, error))
    return FALSE;
  stmt = fd_db_prepare (db,
                        "SELECT " INTEGRATION_COLUMNS " FROM integration"
                        " WHERE ?1 IS NULL OR workspace_id = ?1"
                        " ORDER BY created_at, rowid LIMIT ?2 OFFSET ?3",
                        error);
  if (stmt == NULL)
    return FALSE;
  fd_db_bind_text (stmt, 1, workspace_id);
  sqlite3_bind_int64 (stmt, 2, size);
  sqlite3_bind_int64 (stmt, 3, from);
  page->items = g_ptr_array_new_with_free_func ((GDestroyNotify)fd_integration_free);
  /* the rows are all read before their lists are parsed: that uses the connection again */
  if (!fd_db_fetch_all (db, stmt, row_from_stmt, rows, error))
    {
      for (guint n = 0; n < rows->len; n++)
        fd_integration_free (row_finish (db, rows->pdata[n]));
      return FALSE;
    }
  for (guint n = 0; n < rows->len; n++)
    g_ptr_array_add (page->items, row_finish (db, rows->pdata[n]));
  return TRUE;
}

gboolean
fd_store_integration_update (FdDb *db, const FdIntegration *i, gint64 now, GError **error)
{
  g_autofree char *workspace_id = NULL;
  sqlite3_stmt *stmt
      = fd_db_prepare (db, "SELECT workspace_id FROM integration WHERE id = ?1", error);

  if (stmt == NULL)
    return FALSE;
  fd_db_bind_text (stmt, 1, i->id);
  if (!fd_db_fetch_string (db, stmt, &workspace_id, "integration", error))
    return FALSE;
  if (workspace_id == NULL)
    {
      g_set_error (error, FD_STORE_ERROR, FD_STORE_ERROR_NOT_FOUND, "integration %s does not exist",
                   i->id);
      return FALSE;
    }
  if (!check_fleets (db, workspace_id, i->fleets, error))
    return FALSE;
  stmt = fd_db_prepare (db,
                        "UPDATE integration SET name = ?2, config = ?3, secret = ?4, kinds = ?5,"
                        " fleets = ?6, tags = ?7, batch_max = ?8, batch_delay_ms = ?9,"
                        " max_queued = ?10, max_age_s = ?11, updated_at = ?12 WHERE id = ?1",
                        error);
  if (stmt == NULL)
    return FALSE;
  fd_db_bind_text (stmt, 1, i->id);
  bind_settings (stmt, 2, i);
  sqlite3_bind_int64 (stmt, 12, now);
  return fd_db_step_done (db, stmt, NULL, error) && changed (db, i->id, error);
}

gboolean
fd_store_integration_delete (FdDb *db, const char *id, GError **error)
{
  sqlite3_stmt *stmt = fd_db_prepare (db, "DELETE FROM integration WHERE id = ?1", error);

  if (stmt == NULL)
    return FALSE;
  fd_db_bind_text (stmt, 1, id);
  return fd_db_step_done (db, stmt, NULL, error) && changed (db, id, error);
}

gboolean
fd_store_integration_set_paused (FdDb *db, const char *id, gboolean paused, gint64 now,
                                 GError **error)
{
  sqlite3_stmt *stmt = fd_db_prepare (
      db, "UPDATE integration SET paused = ?2, updated_at = ?3 WHERE id = ?1", error);

  if (stmt == NULL)
    return FALSE;
  fd_db_bind_text (stmt, 1, id);
  sqlite3_bind_int (stmt, 2, paused ? 1 : 0);
  sqlite3_bind_int64 (stmt, 3, now);
  return fd_db_step_done (db, stmt, NULL, error) && changed (db, id, error);
}

/* The cursors only ever move back here: "just before the first row at or after @from_ms",
 * or where they are when that is earlier. Neither ts_in nor t is indexed, so this scans: a
 * replay is rare and asked for by a person. The batch in flight is forgotten (its items are
 * queued again behind the new cursors). */
gboolean
fd_store_integration_replay (FdDb *db, const char *id, gint64 from_ms, gint64 now, GError **error)
{
  sqlite3_stmt *stmt = fd_db_prepare (
      db,
      "UPDATE integration SET"
      " data_cursor = min (data_cursor, coalesce ((SELECT min (id) - 1 FROM sample"
      "   WHERE ts_in >= ?2), data_cursor)),"
      " event_cursor = min (event_cursor, coalesce ((SELECT min (id) - 1 FROM outbox_event"
      "   WHERE workspace_id = integration.workspace_id AND t >= ?2), event_cursor)),"
      " inflight_batch = NULL, inflight_kind = NULL, inflight_first = NULL,"
      " inflight_last = NULL, inflight_attempts = 0, updated_at = ?3"
      " WHERE id = ?1",
      error);

  if (stmt == NULL)
    return FALSE;
  fd_db_bind_text (stmt, 1, id);
  sqlite3_bind_int64 (stmt, 2, from_ms);
  sqlite3_bind_int64 (stmt, 3, now);
  return fd_db_step_done (db, stmt, NULL, error) && changed (db, id, error);
}
