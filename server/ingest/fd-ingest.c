/* fd-ingest.c — a request's readings, and their trip to the writer.
 *
 * An FdReadings is filled on the transport's thread: every payload copied once into one
 * buffer, every field into one array, so a request of 10,000 readings is a handful of
 * allocations. The writer side (fd-ingest-writer.c) stores it.
 */
#include "fd-ingest-private.h"

#include <string.h>

G_DEFINE_QUARK (fd - ingest - error - quark, fd_ingest_error)

const char *
fd_tag_check (const char *tag, gsize len)
{
  glong chars;

  if (len == 0)
    return "the tag is empty";
  if (!g_utf8_validate (tag, (gssize)len, NULL))
    return "the tag is not valid UTF-8";
  chars = g_utf8_strlen (tag, (gssize)len);
  if (chars > FD_TAG_MAX_CHARS)
    return "the tag is longer than 64 characters";
  for (const char *p = tag; p < tag + len; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);
      if (c == '/' || c == '#' || c == '+')
        return "the tag contains '/', '#' or '+'";
      if (g_unichar_iscntrl (c) || g_unichar_isspace (c) || c == 0)
        return "the tag contains whitespace or control characters";
    }
  return NULL;
}

FdReadings *
fd_readings_new (FdDeviceIdentity *who, const char *tag)
{
  FdReadings *r = g_new0 (FdReadings, 1);

  r->who = fd_device_identity_ref (who);
  r->tag = g_strdup (tag);
  r->payloads = g_string_sized_new (256);
  r->paths = g_string_sized_new (128);
  r->items = g_array_new (FALSE, FALSE, sizeof (FdReadingItem));
  r->fields = g_array_new (FALSE, FALSE, sizeof (FdReadingField));
  r->ts_in = fd_now_ms ();
  return r;
}

void
fd_readings_free (FdReadings *r)
{
  if (r == NULL)
    return;
  fd_device_identity_unref (r->who);
  g_free (r->tag);
  g_string_free (r->payloads, TRUE);
  g_string_free (r->paths, TRUE);
  g_array_unref (r->items);
  g_array_unref (r->fields);
  g_free (r);
}

void
fd_readings_reset (FdReadings *r, FdDeviceIdentity *who, const char *tag)
{
  if (r->who != who)
    {
      fd_device_identity_unref (r->who);
      r->who = fd_device_identity_ref (who);
    }
  if (strcmp (r->tag, tag) != 0)
    {
      g_free (r->tag);
      r->tag = g_strdup (tag);
    }
  g_string_truncate (r->payloads, 0);
  g_string_truncate (r->paths, 0);
  g_array_set_size (r->items, 0);
  g_array_set_size (r->fields, 0);
  r->ts_in = fd_now_ms ();
}

void
fd_readings_add (FdReadings *r, FdPayloadScanner *scanner, gint64 ts_device)
{
  FdReadingItem item = { 0 };
  gsize len;
  const char *compact = fd_payload_compact (scanner, &len);
  guint n = fd_payload_n_fields (scanner);

  item.payload_offset = r->payloads->len;
  item.payload_len = len;
  item.ts_device = ts_device == FD_READINGS_TS_ARRIVAL ? r->ts_in : ts_device;
  item.first_field = r->fields->len;
  item.n_fields = n;
  g_string_append_len (r->payloads, compact, (gssize)len);
  g_string_append_c (r->payloads, '\0');
  for (guint i = 0; i < n; i++)
    {
      const FdPayloadField *f = fd_payload_field (scanner, i);
      FdReadingField field = { .path_offset = r->paths->len, .type = f->type, .number = f->number };
      g_string_append_len (r->paths, f->path, f->path_len);
      g_string_append_c (r->paths, '\0');
      g_array_append_val (r->fields, field);
    }
  g_array_append_val (r->items, item);
}

guint
fd_readings_count (FdReadings *r)
{
  return r->items->len;
}

FdIngest *
fd_ingest_new (FdStore *store)
{
  FdIngest *ingest = g_new0 (FdIngest, 1);
  g_autoptr (GError) error = NULL;

  ingest->store = store;
  ingest->writer = fd_ingest_writer_new ();
  fd_store_set_hooks (store, &fd_ingest_writer_hooks, ingest->writer);
  /* Once after the upgrade to schema 6, before any reader asks: the rollups of the points
   * stored before it. If it fails, it is tried again at the next start. */
  if (!fd_store_write_sync (store, fd_ingest_compact_backfill, NULL, &error))
    g_warning ("computing the rollups of the stored points failed: %s", error->message);
  return ingest;
}

/* The store must be closed (its writer joined) before this: the writer state is its. */
void
fd_ingest_free (FdIngest *ingest)
{
  if (ingest == NULL)
    return;
  fd_ingest_writer_free (ingest->writer);
  g_free (ingest);
}

void
fd_ingest_set_compaction (FdIngest *ingest, guint rows, guint points, guint age_ms)
{
  fd_ingest_writer_set_compaction (ingest->writer, rows, points, age_ms);
}

gboolean
fd_ingest_flush_sync (FdIngest *ingest, GError **error)
{
  return fd_store_write_sync (ingest->store, fd_ingest_compact_force,
                              fd_ingest_writer_compact (ingest->writer), error);
}

void
fd_ingest_flush_async (FdIngest *ingest, GAsyncReadyCallback callback, gpointer user_data)
{
  fd_store_write_async (ingest->store, fd_ingest_compact_force,
                        fd_ingest_writer_compact (ingest->writer), NULL, callback, user_data);
}

gboolean
fd_ingest_flush_finish (GAsyncResult *result, GError **error)
{
  return fd_store_run_finish (result, error);
}

void
fd_ingest_set_observer (FdIngest *ingest, FdIngestObserver observer, gpointer user_data)
{
  fd_ingest_writer_set_observer (ingest->writer, observer, user_data);
}

void
fd_ingest_submit_async (FdIngest *ingest, FdReadings *readings, GAsyncReadyCallback callback,
                        gpointer user_data)
{
  readings->writer = ingest->writer;
  fd_store_write_async (ingest->store, fd_ingest_writer_store_readings, readings,
                        (GDestroyNotify)fd_readings_free, callback, user_data);
}

gboolean
fd_ingest_submit_finish (GAsyncResult *result, GError **error)
{
  return fd_store_run_finish (result, error);
}

/* fd_ingest_submit_many_async()'s job: the readings, and each one's error (NULL: stored). */
typedef struct
{
  GPtrArray *readings; /* FdReadings*, lent by the caller */
  GPtrArray *errors;   /* GError*, as many */
} ReadingsMany;

static void
error_free (gpointer error)
{
  if (error != NULL)
    g_error_free (error);
}

static void
readings_many_free (ReadingsMany *m)
{
  g_ptr_array_unref (m->readings);
  g_ptr_array_unref (m->errors);
  g_free (m);
}

/* The store's job runs in its savepoint; each FdReadings in its own inside it. Only when SQLite
 * rolled back the whole transaction under one (I/O error, disk full) does the job fail, and the
 * store answers every job of the transaction alike. */
static gboolean
store_many (FdDb *db, gpointer data, GError **error)
{
  ReadingsMany *m = data;

  for (guint i = 0; i < m->readings->len; i++)
    {
      GError *failed = NULL;
      sqlite3_stmt *stmt;

      /* Prepared once (fd_db_prepare keeps them): sqlite3_exec would parse the text of both
       * statements for every request of every job. */
      if ((stmt = fd_db_prepare (db, "SAVEPOINT readings", error)) == NULL
          || !fd_db_step_done (db, stmt, NULL, error))
        return FALSE;
      if (fd_ingest_writer_store_readings (db, m->readings->pdata[i], &failed)
          && (stmt = fd_db_prepare (db, "RELEASE readings", &failed)) != NULL
          && fd_db_step_done (db, stmt, NULL, &failed))
        continue;
      fd_db_exec (db, "ROLLBACK TO readings", NULL);
      fd_db_exec (db, "RELEASE readings", NULL);
      if (sqlite3_get_autocommit (fd_db_handle (db)))
        {
          g_propagate_error (error, failed);
          return FALSE;
        }
      m->errors->pdata[i] = failed;
    }
  return TRUE;
}

void
fd_ingest_submit_many_async (FdIngest *ingest, FdReadings **readings, guint n_readings,
                             GAsyncReadyCallback callback, gpointer user_data)
{
  ReadingsMany *m = g_new0 (ReadingsMany, 1);

  m->readings = g_ptr_array_sized_new (n_readings);
  m->errors = g_ptr_array_new_full (n_readings, error_free);
  for (guint i = 0; i < n_readings; i++)
    {
      readings[i]->writer = ingest->writer;
      g_ptr_array_add (m->readings, readings[i]);
    }
  g_ptr_array_set_size (m->errors, (gint)n_readings);
  fd_store_write_async (ingest->store, store_many, m, (GDestroyNotify)readings_many_free, callback,
                        user_data);
}

gboolean
fd_ingest_submit_many_finish (GAsyncResult *result, GError **error)
{
  return fd_store_run_finish (result, error);
}

const GError *
fd_ingest_submit_many_error (GAsyncResult *result, guint i)
{
  ReadingsMany *m = fd_store_run_get_data (result);

  g_return_val_if_fail (i < m->errors->len, NULL);
  return m->errors->pdata[i];
}

static void
up_message_free (FdUpMessage *m)
{
  fd_device_identity_unref (m->who);
  g_free (m->key);
  g_free (m->value);
  if (m->also_data != NULL && m->also_destroy != NULL)
    m->also_destroy (m->also_data);
  g_free (m);
}

void
fd_ingest_up_async (FdIngest *ingest, FdDeviceIdentity *who, const char *key,
                    const char *value_json, GAsyncReadyCallback callback, gpointer user_data)
{
  fd_ingest_up_full_async (ingest, who, key, value_json, NULL, NULL, NULL, callback, user_data);
}

void
fd_ingest_up_full_async (FdIngest *ingest, FdDeviceIdentity *who, const char *key,
                         const char *value_json, FdStoreFunc also, gpointer also_data,
                         GDestroyNotify also_destroy, GAsyncReadyCallback callback,
                         gpointer user_data)
{
  FdUpMessage *m = g_new0 (FdUpMessage, 1);

  m->also = also;
  m->also_data = also_data;
  m->also_destroy = also_destroy;

  m->writer = ingest->writer;
  m->who = fd_device_identity_ref (who);
  m->key = g_strdup (key);
  m->value = g_strdup (value_json);
  m->ts_in = fd_now_ms ();
  fd_store_write_async (ingest->store, fd_ingest_writer_store_up, m,
                        (GDestroyNotify)up_message_free, callback, user_data);
}

gboolean
fd_ingest_up_finish (GAsyncResult *result, GError **error)
{
  return fd_store_run_finish (result, error);
}

gint64
fd_ingest_up_get_time (GAsyncResult *result)
{
  FdUpMessage *m = fd_store_run_get_data (result);
  return m != NULL ? m->ts_in : 0;
}

gboolean
fd_ingest_up_get_applied (GAsyncResult *result)
{
  FdUpMessage *m = fd_store_run_get_data (result);
  return m != NULL && m->applied;
}
