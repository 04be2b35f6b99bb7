/* fd-query-select.c — resolving a selection to streams and point series (fd-query-select.h).
 *
 * Lists are bound as one JSON array each and read with json_each(), so that one prepared
 * statement serves any number of names and no SQL is ever built from them. Streams are few
 * (devices x tags x fleets a device was in): reading them whole is cheap.
 */
#include "fd-query-select.h"
#include "fd-query.h"
#include "store/fd-store-entities.h"

#include <stdarg.h>

G_DEFINE_QUARK (fd - query - error - quark, fd_query_error)

const char *
fd_query_error_field (const GError *error)
{
  static const char *const fields[] = {
    [FD_QUERY_ERROR_TAG] = "tag",       [FD_QUERY_ERROR_DEVICE] = "device",
    [FD_QUERY_ERROR_FLEET] = "fleet",   [FD_QUERY_ERROR_FIELD] = "field",
    [FD_QUERY_ERROR_FIELDS] = "fields", [FD_QUERY_ERROR_FILTER] = "filter",
    [FD_QUERY_ERROR_BUCKET] = "bucket", [FD_QUERY_ERROR_SERIES] = "device",
  };

  if (error == NULL || error->domain != FD_QUERY_ERROR || error->code < 0
      || error->code >= (int)G_N_ELEMENTS (fields))
    return NULL;
  return fields[error->code];
}

static void
stream_clear (gpointer data)
{
  FdQueryStream *s = data;

  g_free (s->device_id);
  g_free (s->fleet_id);
  g_free (s->tag);
}

GArray *
fd_query_streams_new (void)
{
  GArray *streams = g_array_new (FALSE, TRUE, sizeof (FdQueryStream));

  g_array_set_clear_func (streams, stream_clear);
  return streams;
}

char *
fd_query_json_list (const char *const *items)
{
  GString *out;

  if (items == NULL || items[0] == NULL)
    return NULL;
  out = g_string_new ("[");
  for (guint i = 0; items[i] != NULL; i++)
    {
      if (i > 0)
        g_string_append_c (out, ',');
      fd_query_json_string (out, items[i]);
    }
  g_string_append_c (out, ']');
  return g_string_free (out, FALSE);
}

/* Whether @stmt (bound) has a row. */
static gboolean
has_row (FdDb *db, sqlite3_stmt *stmt, gboolean *found, GError **error)
{
  int rc = sqlite3_step (stmt);

  sqlite3_reset (stmt);
  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    {
      fd_db_set_error (db, error, "checking a data selection");
      return FALSE;
    }
  *found = rc == SQLITE_ROW;
  return TRUE;
}

/* Each name of @names must be found by @sql (?1 the workspace, ?2 the name). */
static gboolean
check_names (FdDb *db, const char *workspace_id, const char *const *names, const char *sql,
             FdQueryError code, const char *what, GError **error)
{
  for (guint i = 0; names != NULL && names[i] != NULL; i++)
    {
      sqlite3_stmt *stmt = fd_db_prepare (db, sql, error);
      gboolean found;

      if (stmt == NULL)
        return FALSE;
      fd_db_bind_text (stmt, 1, workspace_id);
      fd_db_bind_text (stmt, 2, names[i]);
      if (!has_row (db, stmt, &found, error))
        return FALSE;
      if (!found)
        {
          g_set_error (error, FD_QUERY_ERROR, code, "%s %s is not in workspace %s", what, names[i],
                       workspace_id);
          return FALSE;
        }
    }
  return TRUE;
}

static const char tag_sql[] = "SELECT 1 FROM stream WHERE workspace_id = ?1 AND tag = ?2 LIMIT 1";
/* A deleted device's data still names it: it may be asked for. */
static const char device_sql[]
    = "SELECT 1 FROM device WHERE id = ?2 AND workspace_id = ?1"
      " UNION ALL SELECT 1 FROM stream WHERE device_id = ?2 AND workspace_id = ?1 LIMIT 1";
static const char fleet_sql[]
    = "SELECT 1 FROM fleet WHERE id = ?2 AND workspace_id = ?1"
      " UNION ALL SELECT 1 FROM stream WHERE workspace_id = ?1 AND fleet_id = ?2 LIMIT 1";

gboolean
fd_query_resolve_streams (FdDb *db, const FdQuerySelection *sel, GArray *streams, GError **error)
{
  g_autofree char *tags = fd_query_json_list (sel->tags);
  g_autofree char *devices = fd_query_json_list (sel->devices);
  g_autofree char *fleets = fd_query_json_list (sel->fleets);
  sqlite3_stmt *stmt;
  int rc;

  if (!fd_store_workspace_exists (db, sel->workspace_id, error))
    return FALSE;
  if (!check_names (db, sel->workspace_id, sel->tags, tag_sql, FD_QUERY_ERROR_TAG, "tag", error)
      || !check_names (db, sel->workspace_id, sel->devices, device_sql, FD_QUERY_ERROR_DEVICE,
                       "device", error)
      || !check_names (db, sel->workspace_id, sel->fleets, fleet_sql, FD_QUERY_ERROR_FLEET, "fleet",
                       error))
    return FALSE;

  stmt = fd_db_prepare (db,
                        "SELECT id, device_id, fleet_id, tag FROM stream WHERE workspace_id = ?1"
                        " AND (?2 IS NULL OR tag IN (SELECT value FROM json_each (?2)))"
                        " AND (?3 IS NULL OR device_id IN (SELECT value FROM json_each (?3)))"
                        " AND (?4 IS NULL OR fleet_id IN (SELECT value FROM json_each (?4)))"
                        " ORDER BY id",
                        error);
  if (stmt == NULL)
    return FALSE;
  fd_db_bind_text (stmt, 1, sel->workspace_id);
  fd_db_bind_text (stmt, 2, tags);
  fd_db_bind_text (stmt, 3, devices);
  fd_db_bind_text (stmt, 4, fleets);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      FdQueryStream s = {
        .id = sqlite3_column_int64 (stmt, 0),
        .device_id = fd_db_column_dup (stmt, 1),
        .fleet_id = fd_db_column_dup (stmt, 2),
        .tag = fd_db_column_dup (stmt, 3),
      };
      g_array_append_val (streams, s);
    }
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    {
      fd_db_set_error (db, error, "reading the data streams");
      return FALSE;
    }
  return TRUE;
}

gboolean
fd_query_field_type (FdDb *db, const char *workspace_id, const char *const *tags, const char *path,
                     gboolean *known, gboolean *numeric, GError **error)
{
  g_autofree char *tag_list = fd_query_json_list (tags);
  sqlite3_stmt *stmt = fd_db_prepare (
      db,
      "SELECT max (type = 'number') FROM tag_field WHERE workspace_id = ?1 AND path = ?3"
      " AND (?2 IS NULL OR tag IN (SELECT value FROM json_each (?2)))",
      error);
  int rc;

  *known = *numeric = FALSE;
  if (stmt == NULL)
    return FALSE;
  fd_db_bind_text (stmt, 1, workspace_id);
  fd_db_bind_text (stmt, 2, tag_list);
  fd_db_bind_text (stmt, 3, path);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW && sqlite3_column_type (stmt, 0) != SQLITE_NULL)
    {
      *known = TRUE;
      *numeric = sqlite3_column_int (stmt, 0) != 0;
    }
  sqlite3_reset (stmt);
  if (rc != SQLITE_ROW)
    {
      fd_db_set_error (db, error, "reading the fields of a tag");
      return FALSE;
    }
  return TRUE;
}

gboolean
fd_query_resolve_series (FdDb *db, GArray *streams, const char *path, GArray *series,
                         GError **error)
{
  for (guint i = 0; i < streams->len; i++)
    {
      sqlite3_stmt *stmt
          = fd_db_prepare (db, "SELECT id FROM series WHERE stream = ?1 AND path = ?2", error);
      int rc;

      if (stmt == NULL)
        return FALSE;
      sqlite3_bind_int64 (stmt, 1, g_array_index (streams, FdQueryStream, i).id);
      fd_db_bind_text (stmt, 2, path);
      rc = sqlite3_step (stmt);
      if (rc == SQLITE_ROW)
        {
          FdQuerySeries s = { .id = sqlite3_column_int64 (stmt, 0), .stream = i };
          g_array_append_val (series, s);
        }
      sqlite3_reset (stmt);
      if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        {
          fd_db_set_error (db, error, "reading the point series");
          return FALSE;
        }
    }
  return TRUE;
}
