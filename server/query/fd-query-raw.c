/* fd-query-raw.c — raw rows of a selection in device-time order, paged.
 *
 * Samples up to data_state 'sample_indexed' are found through sample_ts (stream, ts_device, id);
 * the tail above it is read from sample by rowid; both in the caller's read transaction. Each
 * stream is an ordered cursor on its index range, the tail one more (sorted in memory: it is
 * bounded by compaction), and a k-way merge on (ts_device, id) yields the rows in order. So a
 * page costs the rows before and in it, not every row in range: for one stream it is the index
 * range scan, for many a heap of one cursor per stream. Payloads are read only for rows that
 * are shown or that a filter must look at.
 */
#include "fd-query.h"
#include "ingest/fd-data-layout.h"

#include <string.h>

typedef struct
{
  gint64 ts;
  gint64 id;
  guint stream;
} Key;

typedef struct
{
  Key key;
  sqlite3_stmt *stmt; /* an index cursor, or NULL for the tail */
  const Key *tail;    /* the tail, sorted ascending */
  guint tail_len, tail_pos;
} Cursor;

typedef struct
{
  Cursor **heap;
  guint n;
  gboolean descending;
} Merge;

static int
key_cmp (const Key *a, const Key *b)
{
  if (a->ts != b->ts)
    return a->ts < b->ts ? -1 : 1;
  return a->id < b->id ? -1 : a->id > b->id ? 1 : 0;
}

static int
tail_cmp (gconstpointer a, gconstpointer b)
{
  return key_cmp (a, b);
}

static inline gboolean
before (const Merge *m, const Cursor *a, const Cursor *b)
{
  int c = key_cmp (&a->key, &b->key);
  return m->descending ? c > 0 : c < 0;
}

static void
sift_down (Merge *m, guint i)
{
  for (;;)
    {
      guint l = 2 * i + 1, r = l + 1, best = i;
      Cursor *t;

      if (l < m->n && before (m, m->heap[l], m->heap[best]))
        best = l;
      if (r < m->n && before (m, m->heap[r], m->heap[best]))
        best = r;
      if (best == i)
        return;
      t = m->heap[i];
      m->heap[i] = m->heap[best];
      m->heap[best] = t;
      i = best;
    }
}

/* Moves @c to its next row; FALSE when it has none (or on an error, in *@error). */
static gboolean
cursor_next (FdDb *db, Cursor *c, gboolean descending, GError **error)
{
  int rc;

  if (c->stmt == NULL)
    {
      if (c->tail_pos >= c->tail_len)
        return FALSE;
      c->key = c->tail[descending ? c->tail_len - 1 - c->tail_pos : c->tail_pos];
      c->tail_pos++;
      return TRUE;
    }
  rc = sqlite3_step (c->stmt);
  if (rc == SQLITE_ROW)
    {
      c->key.ts = sqlite3_column_int64 (c->stmt, 0);
      c->key.id = sqlite3_column_int64 (c->stmt, 1);
      return TRUE;
    }
  if (rc != SQLITE_DONE && error != NULL && *error == NULL)
    fd_db_set_error (db, error, "reading the sample index");
  return FALSE;
}

static gboolean
read_indexed (FdDb *db, gint64 *indexed, GError **error)
{
  sqlite3_stmt *stmt = fd_db_prepare (db, "SELECT value FROM data_state WHERE key = ?1", error);
  int rc;

  if (stmt == NULL)
    return FALSE;
  fd_db_bind_text (stmt, 1, FD_DATA_SAMPLE_INDEXED);
  *indexed = 0;
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    *indexed = sqlite3_column_int64 (stmt, 0);
  sqlite3_reset (stmt);
  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    {
      fd_db_set_error (db, error, "reading the sample index state");
      return FALSE;
    }
  return TRUE;
}

/* The tail's rows of the selected streams in range, sorted ascending. */
static gboolean
read_tail (FdDb *db, gint64 indexed, const FdQueryRaw *q, GHashTable *stream_index, GArray *tail,
           GError **error)
{
  sqlite3_stmt *stmt = fd_db_prepare (db,
                                      "SELECT id, stream, ts_device FROM sample WHERE id > ?1"
                                      " AND ts_device >= ?2 AND ts_device < ?3",
                                      error);
  int rc;

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, indexed);
  sqlite3_bind_int64 (stmt, 2, q->start);
  sqlite3_bind_int64 (stmt, 3, q->end);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      gint64 stream = sqlite3_column_int64 (stmt, 1);
      gpointer index;
      Key k;

      if (!g_hash_table_lookup_extended (stream_index, &stream, NULL, &index))
        continue;
      k.id = sqlite3_column_int64 (stmt, 0);
      k.ts = sqlite3_column_int64 (stmt, 2);
      k.stream = GPOINTER_TO_UINT (index);
      g_array_append_val (tail, k);
    }
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    {
      fd_db_set_error (db, error, "reading the samples not yet indexed");
      return FALSE;
    }
  g_array_sort (tail, tail_cmp);
  return TRUE;
}

static const char asc_sql[]
    = "SELECT ts_device, id FROM sample_ts WHERE stream = ?1 AND ts_device >= ?2"
      " AND ts_device < ?3 AND id <= ?4 ORDER BY ts_device, id";
static const char desc_sql[]
    = "SELECT ts_device, id FROM sample_ts WHERE stream = ?1 AND ts_device >= ?2"
      " AND ts_device < ?3 AND id <= ?4 ORDER BY ts_device DESC, id DESC";

static gboolean
fetch_sample (FdDb *db, gint64 id, gint64 *ts_in, const char **payload, GError **error)
{
  sqlite3_stmt *stmt = fd_db_prepare (db, "SELECT ts_in, payload FROM sample WHERE id = ?1", error);

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, id);
  if (sqlite3_step (stmt) != SQLITE_ROW)
    {
      fd_db_set_error (db, error, "reading a sample");
      sqlite3_reset (stmt);
      return FALSE;
    }
  /* valid until the statement is reset, by the next fetch */
  *ts_in = sqlite3_column_int64 (stmt, 0);
  *payload = (const char *)sqlite3_column_text (stmt, 1);
  return TRUE;
}

static void
row_clear (gpointer data)
{
  g_free (((FdQueryRow *)data)->payload);
}

void
fd_query_raw_result_clear (FdQueryRawResult *r)
{
  g_clear_pointer (&r->streams, g_array_unref);
  g_clear_pointer (&r->rows, g_array_unref);
}

static gboolean
merge_rows (FdDb *db, const FdQueryRaw *q, Merge *m, FdQueryRawResult *out, GArray *ids,
            GError **error)
{
  g_autoptr (FdQueryPayload) reader = fd_query_payload_new ();
  g_autoptr (GString) projected = g_string_new (NULL);
  gboolean filtered = q->n_filters > 0;
  gint64 skipped = 0;

  while (m->n > 0)
    {
      Cursor *c = m->heap[0];
      const char *payload = NULL;
      gint64 ts_in = 0;
      FdQueryRow row;

      /* rows skipped by from are read only when a filter must look at them */
      if (filtered)
        {
          if (!fetch_sample (db, c->key.id, &ts_in, &payload, error))
            return FALSE;
          if (!fd_query_payload_load (reader, payload)
              || !fd_query_payload_matches (reader, q->filters, q->n_filters))
            goto next;
        }
      if (skipped < q->from)
        {
          skipped++;
          goto next;
        }
      if ((gint64)out->rows->len >= q->size)
        {
          out->has_more = TRUE;
          break;
        }
      row.ts_device = c->key.ts;
      row.ts_in = ts_in;
      row.stream = c->key.stream;
      row.payload = NULL;
      if (!filtered)
        {
          /* Read once the merge's cursors are closed (fetch_payloads): SQLite walks every
           * open cursor of a connection each time it opens one, so a fetch per row with a
           * cursor per stream open costs rows x streams. */
          g_array_append_val (ids, c->key.id);
          g_array_append_val (out->rows, row);
          goto next;
        }
      if (q->fields != NULL)
        {
          g_string_truncate (projected, 0);
          fd_query_payload_project (reader, q->fields, projected);
          row.payload = g_strndup (projected->str, projected->len);
        }
      else
        row.payload = g_strdup (payload);
      g_array_append_val (out->rows, row);

    next:
      if (!cursor_next (db, c, m->descending, error))
        {
          if (error != NULL && *error != NULL)
            return FALSE;
          m->heap[0] = m->heap[--m->n];
        }
      sift_down (m, 0);
    }
  return TRUE;
}

/* The payloads of the page's rows (@ids, in row order) that merge_rows() left to read. */
static gboolean
fetch_payloads (FdDb *db, const FdQueryRaw *q, FdQueryRawResult *out, GArray *ids, GError **error)
{
  g_autoptr (FdQueryPayload) reader = fd_query_payload_new ();
  g_autoptr (GString) projected = g_string_new (NULL);

  for (guint i = 0; i < ids->len; i++)
    {
      FdQueryRow *row = &g_array_index (out->rows, FdQueryRow, i);
      const char *payload;

      if (!fetch_sample (db, g_array_index (ids, gint64, i), &row->ts_in, &payload, error))
        return FALSE;
      if (q->fields == NULL)
        row->payload = g_strdup (payload);
      else
        {
          g_string_assign (projected, "{}");
          if (fd_query_payload_load (reader, payload))
            {
              g_string_truncate (projected, 0);
              fd_query_payload_project (reader, q->fields, projected);
            }
          row->payload = g_strndup (projected->str, projected->len);
        }
    }
  return TRUE;
}

gboolean
fd_query_raw (FdDb *db, const FdQueryRaw *q, FdQueryRawResult *out, GError **error)
{
  g_autoptr (GArray) ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr (GHashTable) stream_index = g_hash_table_new (g_int64_hash, g_int64_equal);
  g_autoptr (GArray) tail = g_array_new (FALSE, FALSE, sizeof (Key));
  g_autofree Cursor *cursors = NULL;
  Merge m = { .descending = q->descending };
  gint64 indexed;
  gboolean ok = FALSE;
  guint n = 0;

  out->streams = fd_query_streams_new ();
  out->rows = g_array_new (FALSE, FALSE, sizeof (FdQueryRow));
  g_array_set_clear_func (out->rows, row_clear);
  out->has_more = FALSE;
  if (!fd_query_resolve_streams (db, &q->sel, out->streams, error))
    return FALSE;
  if (out->streams->len == 0 || q->end <= q->start)
    return TRUE;
  for (guint i = 0; i < out->streams->len; i++)
    g_hash_table_insert (stream_index, &g_array_index (out->streams, FdQueryStream, i).id,
                         GUINT_TO_POINTER (i));
  if (!read_indexed (db, &indexed, error) || !read_tail (db, indexed, q, stream_index, tail, error))
    return FALSE;

  cursors = g_new0 (Cursor, out->streams->len + 1);
  m.heap = g_new (Cursor *, out->streams->len + 1);
  for (guint i = 0; i <= out->streams->len; i++)
    {
      Cursor *c = &cursors[i];
      GError *local = NULL;

      n = i + 1;
      if (i == out->streams->len)
        {
          c->tail = (const Key *)(gpointer)tail->data;
          c->tail_len = tail->len;
        }
      else
        {
          if (sqlite3_prepare_v3 (fd_db_handle (db), q->descending ? desc_sql : asc_sql, -1, 0,
                                  &c->stmt, NULL)
              != SQLITE_OK)
            {
              fd_db_set_error (db, error, "preparing a sample index cursor");
              goto out;
            }
          sqlite3_bind_int64 (c->stmt, 1, g_array_index (out->streams, FdQueryStream, i).id);
          sqlite3_bind_int64 (c->stmt, 2, q->start);
          sqlite3_bind_int64 (c->stmt, 3, q->end);
          sqlite3_bind_int64 (c->stmt, 4, indexed);
          c->key.stream = i;
        }
      if (cursor_next (db, c, q->descending, &local))
        m.heap[m.n++] = c;
      else if (local != NULL)
        {
          g_propagate_error (error, local);
          goto out;
        }
    }
  for (guint i = m.n / 2; i-- > 0;)
    sift_down (&m, i);
  ok = merge_rows (db, q, &m, out, ids, error);

out:
  for (guint i = 0; i < n; i++)
    if (cursors[i].stmt != NULL)
      sqlite3_finalize (cursors[i].stmt);
  if (ok)
    ok = fetch_payloads (db, q, out, ids, error);
  /* The last fetch_sample() left its cached statement stepped: reset it (fd_db_prepare()
   * does), or it keeps this pooled connection's snapshot and later reads on it miss writes. */
  fd_db_prepare (db, "SELECT ts_in, payload FROM sample WHERE id = ?1", NULL);
  g_free (m.heap);
  return ok;
}
