/* fd-ingest-up.c — the writer's job for an up message: the device's reported value of a key
 * (null clears it; at most FD_UP_MAX_KEYS keys per device), and the end of what the operator
 * expected of it under that key (zdm-protocol.md §4 step 6), in one transaction.
 */
#include "config.h"

#include "fd-ingest-private.h"
#include "store/fd-store-variables.h"

gboolean
fd_ingest_writer_store_up (FdDb *db, gpointer data, GError **error)
{
  FdUpMessage *m = data;
  g_autofree char *workspace_id = NULL, *fleet_id = NULL;
  sqlite3_stmt *stmt;

  if (!fd_ingest_writer_device_place (db, m->who->device_id, &workspace_id, &fleet_id, error))
    return FALSE;
  if (!g_str_equal (m->value, "null"))
    {
      gint64 others = 0;

      stmt = fd_db_prepare (
          db, "SELECT count(*) FROM device_report WHERE device_id = ?1 AND key != ?2", error);
      if (stmt == NULL)
        return FALSE;
      fd_db_bind_text (stmt, 1, m->who->device_id);
      fd_db_bind_text (stmt, 2, m->key);
      if (!fd_db_fetch_count (db, stmt, &others, error))
        return FALSE;
      if (others >= FD_UP_MAX_KEYS)
        {
          g_set_error (error, FD_INGEST_ERROR, FD_INGEST_ERROR_INVALID,
                       "device %s has reported %d keys, the most it may have; clear one with "
                       "a null value first",
                       m->who->device_id, FD_UP_MAX_KEYS);
          return FALSE;
        }
    }
  if (g_str_equal (m->value, "null"))
    stmt = fd_db_prepare (db, "DELETE FROM device_report WHERE device_id = ?1 AND key = ?2", error);
  else
    stmt = fd_db_prepare (db,
                          "INSERT INTO device_report (device_id, key, value, t)"
                          " VALUES (?1, ?2, ?3, ?4) ON CONFLICT (device_id, key)"
                          " DO UPDATE SET value = excluded.value, t = excluded.t",
                          error);
  if (stmt == NULL)
    return FALSE;
  fd_db_bind_text (stmt, 1, m->who->device_id);
  fd_db_bind_text (stmt, 2, m->key);
  if (!g_str_equal (m->value, "null"))
    {
      fd_db_bind_text (stmt, 3, m->value);
      sqlite3_bind_int64 (stmt, 4, m->ts_in);
    }
  if (!fd_db_step_done (db, stmt, NULL, error))
    return FALSE;
  /* The device answered @key: what the operator expected of it under that key is done. */
  stmt = fd_db_prepare (db, "DELETE FROM device_expected WHERE device_id = ?1 AND key = ?2", error);
  if (stmt == NULL)
    return FALSE;
  fd_db_bind_text (stmt, 1, m->who->device_id);
  fd_db_bind_text (stmt, 2, m->key);
  if (!fd_db_step_done (db, stmt, NULL, error))
    return FALSE;
  /* A plain key reported at or after the operator set it: the variable is applied. */
  if (m->key[0] != '@' && m->key[0] != '_' && !g_str_equal (m->value, "null")
      && !fd_store_variable_applied (db, m->who->device_id, m->key, m->ts_in, &m->applied, error))
    return FALSE;
  if (m->also != NULL && !m->also (db, m->also_data, error))
    return FALSE;
  fd_ingest_writer_note_seen (m->writer, m->who->device_id, m->ts_in);
  return TRUE;
}

