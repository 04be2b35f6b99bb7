/* fd-store-tags.c — the read side of ingested data: tags, fields per tag, latest readings. */
#include "fd-store-provision.h"

void
fd_tag_info_free (FdTagInfo *t)
{
  if (t == NULL)
    return;
  g_free (t->tag);
  g_free (t);
}

void
fd_field_info_free (FdFieldInfo *f)
{
  if (f == NULL)
    return;
  g_free (f->path);
  g_free (f->type);
  g_free (f);
}

void
fd_device_tag_free (FdDeviceTag *t)
{
  if (t == NULL)
    return;
  g_free (t->tag);
  g_free (t->payload);
  g_free (t);
}

/* Streams are few (devices x tags x fleets a device was in), so grouping them is cheap. */
#define TAG_FILTER " WHERE workspace_id = ?1 AND (?2 IS NULL OR instr (fd_fold (tag), ?2) > 0)"

static gpointer
tag_from_row (sqlite3_stmt *stmt)
{
  FdTagInfo *t = g_new0 (FdTagInfo, 1);

  t->tag = fd_db_column_dup (stmt, 0);
  t->devices = sqlite3_column_int64 (stmt, 1);
  t->readings = sqlite3_column_int64 (stmt, 2);
  t->first_seen = sqlite3_column_int64 (stmt, 3);
  t->last_seen = sqlite3_column_int64 (stmt, 4);
  t->fields = sqlite3_column_int64 (stmt, 5);
  return t;
}

gboolean
fd_store_tag_list (FdDb *db, const char *workspace_id, const char *search, gint64 from, gint64 size,
                   FdPage *page, GError **error)
{
  g_autofree char *pattern = search ? fd_db_fold (search) : NULL;
  sqlite3_stmt *stmt;

  if (!fd_store_workspace_exists (db, workspace_id, error))
    return FALSE;
  stmt = fd_db_prepare (db, "SELECT count(DISTINCT tag) FROM stream" TAG_FILTER, error);
  if (stmt == NULL)
    return FALSE;
  fd_db_bind_text (stmt, 1, workspace_id);
  fd_db_bind_text (stmt, 2, pattern);
  if (!fd_db_fetch_count (db, stmt, &page->total, error))
    return FALSE;

  stmt = fd_db_prepare (db,
                        "SELECT s.tag, count(DISTINCT s.device_id), sum(s.readings),"
                        " min(s.first_seen), max(s.last_seen),"
                        " (SELECT count(*) FROM tag_field f"
                        "   WHERE f.workspace_id = ?1 AND f.tag = s.tag)"
                        " FROM stream s" TAG_FILTER " GROUP BY s.tag ORDER BY s.tag"
                        " LIMIT ?3 OFFSET ?4",
                        error);
  if (stmt == NULL)
    return FALSE;
  fd_db_bind_text (stmt, 1, workspace_id);
  fd_db_bind_text (stmt, 2, pattern);
  sqlite3_bind_int64 (stmt, 3, size);
  sqlite3_bind_int64 (stmt, 4, from);
  page->items = g_ptr_array_new_with_free_func ((GDestroyNotify)fd_tag_info_free);
  return fd_db_fetch_all (db, stmt, tag_from_row, page->items, error);
}

static gpointer
field_from_row (sqlite3_stmt *stmt)
{
  FdFieldInfo *f = g_new0 (FdFieldInfo, 1);

  f->path = fd_db_column_dup (stmt, 0);
  f->type = fd_db_column_dup (stmt, 1);
  f->first_seen = sqlite3_column_int64 (stmt, 2);
  return f;
}

gboolean
fd_store_tag_fields (FdDb *db, const char *workspace_id, const char *tag, gint64 from, gint64 size,
                     FdPage *page, GError **error)
{
  sqlite3_stmt *stmt;

  if (!fd_store_workspace_exists (db, workspace_id, error))
    return FALSE;
  stmt = fd_db_prepare (db, "SELECT count(*) FROM tag_field WHERE workspace_id = ?1 AND tag = ?2",
                        error);
  if (stmt == NULL)
    return FALSE;
  fd_db_bind_text (stmt, 1, workspace_id);
  fd_db_bind_text (stmt, 2, tag);
  if (!fd_db_fetch_count (db, stmt, &page->total, error))
    return FALSE;
  stmt = fd_db_prepare (db,
                        "SELECT path, type, first_seen FROM tag_field"
                        " WHERE workspace_id = ?1 AND tag = ?2 ORDER BY path, type"
                        " LIMIT ?3 OFFSET ?4",
                        error);
  if (stmt == NULL)
    return FALSE;
  fd_db_bind_text (stmt, 1, workspace_id);
  fd_db_bind_text (stmt, 2, tag);
  sqlite3_bind_int64 (stmt, 3, size);
  sqlite3_bind_int64 (stmt, 4, from);
  page->items = g_ptr_array_new_with_free_func ((GDestroyNotify)fd_field_info_free);
  return fd_db_fetch_all (db, stmt, field_from_row, page->items, error);
}

static gpointer
device_tag_from_row (sqlite3_stmt *stmt)
{
  FdDeviceTag *t = g_new0 (FdDeviceTag, 1);

  t->tag = fd_db_column_dup (stmt, 0);
  t->readings = sqlite3_column_int64 (stmt, 1);
  t->first_seen = sqlite3_column_int64 (stmt, 2);
  t->last_seen = sqlite3_column_int64 (stmt, 3);
  t->ts_device = sqlite3_column_int64 (stmt, 4);
  t->ts_in = sqlite3_column_int64 (stmt, 5);
  t->payload = fd_db_column_dup (stmt, 6);
  return t;
}

gboolean
fd_store_device_tags (FdDb *db, const char *device_id, FdPage *page, GError **error)
{
  sqlite3_stmt *stmt;

  if (!fd_store_device_exists (db, device_id, error))
    return FALSE;
  /* A device that moved between fleets has one stream per fleet and tag: the latest sample is
   * the one with the highest id among them. */
  stmt = fd_db_prepare (db,
                        "SELECT t.tag, t.readings, t.first_seen, t.last_seen, x.ts_device,"
                        " x.ts_in, x.payload FROM"
                        " (SELECT tag, sum(readings) AS readings, min(first_seen) AS first_seen,"
                        "   max(last_seen) AS last_seen, max(last_sample) AS last_sample"
                        "   FROM stream WHERE device_id = ?1 GROUP BY tag) t"
                        " LEFT JOIN sample x ON x.id = t.last_sample ORDER BY t.tag",
                        error);
  if (stmt == NULL)
    return FALSE;
  fd_db_bind_text (stmt, 1, device_id);
  page->items = g_ptr_array_new_with_free_func ((GDestroyNotify)fd_device_tag_free);
  if (!fd_db_fetch_all (db, stmt, device_tag_from_row, page->items, error))
    return FALSE;
  page->total = page->items->len;
  return TRUE;
}
