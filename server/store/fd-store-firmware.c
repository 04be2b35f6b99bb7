/* fd-store-firmware.c — firmware rows, signing keys, and the download check. */
#include "fd-store-firmware.h"

void
fd_firmware_record_free (FdFirmwareRecord *r)
{
  if (r == NULL)
    return;
  g_free (r->id);
  g_free (r->workspace_id);
  g_free (r->version);
  g_free (r->target);
  g_free (r->description);
  g_free (r->sha256);
  g_free (r->manifest);
  g_free (r->signature);
  g_free (r->file);
  g_free (r->algorithm);
  g_free (r->in_use_by);
  g_free (r->in_use_state);
  g_free (r);
}

void
fd_signing_key_free (FdSigningKey *k)
{
  if (k == NULL)
    return;
  g_free (k->workspace_id);
  g_free (k->algorithm);
  g_free (k->public_key);
  g_free (k->key_file);
  g_free (k);
}

/* The live campaign that uses f.id, if any: running before paused before an aborted one whose
 * devices in flight still download it, then the oldest. */
#define LIVE_CAMPAIGN(column)                                                                      \
  "(SELECT c." column " FROM campaign c WHERE c.firmware_id = f.id"                                \
  " AND (c.state IN ('running', 'paused') OR (c.state = 'aborted' AND EXISTS (SELECT 1"          \
  " FROM campaign_target t WHERE t.campaign_id = c.id AND t.state IN ('notified', 'downloading',"  \
  " 'downloaded', 'verified', 'installing', 'testing'))))"                                          \
  " ORDER BY c.state DESC, c.created_at LIMIT 1)"

#define FIRMWARE_COLUMNS                                                                           \
  "f.id, f.workspace_id, f.version, f.target, f.description, f.size, f.sha256, f.manifest,"        \
  " f.signature, f.file, f.created_at, COALESCE (k.algorithm, 'ecdsa-p256'), " LIVE_CAMPAIGN (     \
      "id") ", " LIVE_CAMPAIGN ("state") " FROM firmware f LEFT JOIN signing_key k ON "            \
                                         "k.workspace_id = f.workspace_id"

static gpointer
firmware_from_row (sqlite3_stmt *stmt)
{
  FdFirmwareRecord *r = g_new0 (FdFirmwareRecord, 1);

  r->id = fd_db_column_dup (stmt, 0);
  r->workspace_id = fd_db_column_dup (stmt, 1);
  r->version = fd_db_column_dup (stmt, 2);
  r->target = fd_db_column_dup (stmt, 3);
  r->description = fd_db_column_dup (stmt, 4);
  r->size = sqlite3_column_int64 (stmt, 5);
  r->sha256 = fd_db_column_dup (stmt, 6);
  r->manifest = fd_db_column_dup (stmt, 7);
  r->signature = fd_db_column_dup (stmt, 8);
  r->file = fd_db_column_dup (stmt, 9);
  r->created_at = sqlite3_column_int64 (stmt, 10);
  r->algorithm = fd_db_column_dup (stmt, 11);
  r->in_use_by = fd_db_column_dup (stmt, 12);
  r->in_use_state = fd_db_column_dup (stmt, 13);
  return r;
}

gboolean
fd_store_firmware_get (FdDb *db, const char *id, FdFirmwareRecord **out, GError **error)
{
  sqlite3_stmt *stmt = fd_db_prepare (db, "SELECT " FIRMWARE_COLUMNS " WHERE f.id = ?1", error);

  *out = NULL;
  if (stmt == NULL)
    return FALSE;
  fd_db_bind_text (stmt, 1, id);
  *out = fd_db_fetch_one (db, stmt, firmware_from_row, "firmware", id, error);
  return *out != NULL;
}

gboolean
fd_store_firmware_assigned (FdDb *db, const char *firmware_id, const char *device_id,
                            gboolean *assigned, GError **error)
{
  sqlite3_stmt *stmt = fd_db_prepare (
      db,
      "SELECT count(*) FROM campaign_target t JOIN campaign c ON c.id = t.campaign_id"
      " WHERE t.device_id = ?2 AND c.firmware_id = ?1"
      " AND c.state IN ('running', 'paused', 'aborted')"
      " AND t.state NOT IN ('succeeded', 'failed', 'reverted', 'timed_out', 'skipped')",
      error);
  gint64 n = 0;

  *assigned = FALSE;
  if (stmt == NULL)
    return FALSE;
  fd_db_bind_text (stmt, 1, firmware_id);
  fd_db_bind_text (stmt, 2, device_id);
  if (!fd_db_fetch_count (db, stmt, &n, error))
    return FALSE;
  *assigned = n > 0;
  return TRUE;
}

gboolean
fd_store_firmware_insert (FdDb *db, const FdFirmwareRecord *r, const char *actor, GError **error)
{
  sqlite3_stmt *stmt;
  g_autofree char *conflict = NULL;

  if (!fd_store_workspace_exists (db, r->workspace_id, error))
    return FALSE;
  stmt = fd_db_prepare (db,
                        "INSERT INTO firmware (id, workspace_id, version, target, description,"
                        " size, sha256, manifest, signature, file, actor, created_at)"
                        " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
                        error);
  if (stmt == NULL)
    return FALSE;
  fd_db_bind_text (stmt, 1, r->id);
  fd_db_bind_text (stmt, 2, r->workspace_id);
  fd_db_bind_text (stmt, 3, r->version);
  fd_db_bind_text (stmt, 4, r->target);
  fd_db_bind_text (stmt, 5, r->description);
  sqlite3_bind_int64 (stmt, 6, r->size);
  fd_db_bind_text (stmt, 7, r->sha256);
  fd_db_bind_text (stmt, 8, r->manifest);
  fd_db_bind_text (stmt, 9, r->signature);
  fd_db_bind_text (stmt, 10, r->file);
  fd_db_bind_text (stmt, 11, actor);
  sqlite3_bind_int64 (stmt, 12, r->created_at);
  if (*r->target != '\0')
    conflict = g_strdup_printf ("the workspace has firmware version %s for target %s already",
                                r->version, r->target);
  else
    conflict = g_strdup_printf ("the workspace has firmware version %s already", r->version);
  return fd_db_step_done (db, stmt, conflict, error);
}

gboolean
fd_store_firmware_list (FdDb *db, const char *workspace_id, gint64 from, gint64 size, FdPage *page,
                        GError **error)
{
  if (!fd_store_workspace_exists (db, workspace_id, error))
    return FALSE;
  return fd_store_fetch_page (db, "SELECT count(*) FROM firmware WHERE workspace_id = ?1",
                              "SELECT " FIRMWARE_COLUMNS " WHERE f.workspace_id = ?1"
                              " ORDER BY f.created_at DESC, f.id LIMIT ?2 OFFSET ?3",
                              workspace_id, from, size, firmware_from_row,
                              (GDestroyNotify)fd_firmware_record_free, page, error);
}

gboolean
fd_store_firmware_delete (FdDb *db, const char *id, GError **error)
{
  g_autoptr (FdFirmwareRecord) r = NULL;
  sqlite3_stmt *stmt;

  if (!fd_store_firmware_get (db, id, &r, error))
    return FALSE;
  if (r->in_use_by != NULL)
    {
      g_set_error (error, FD_STORE_ERROR, FD_STORE_ERROR_CONFLICT,
                   "firmware %s is used by campaign %s (%s)", id, r->in_use_by, r->in_use_state);
      return FALSE;
    }
  stmt = fd_db_prepare (db, "DELETE FROM firmware WHERE id = ?1", error);
  if (stmt == NULL)
    return FALSE;
  fd_db_bind_text (stmt, 1, id);
  return fd_db_step_done (db, stmt, NULL, error);
}

gboolean
fd_store_firmware_count (FdDb *db, const char *workspace_id, gint64 *count, GError **error)
{
  sqlite3_stmt *stmt
      = fd_db_prepare (db, "SELECT count(*) FROM firmware WHERE workspace_id = ?1", error);

  if (stmt == NULL)
    return FALSE;
  fd_db_bind_text (stmt, 1, workspace_id);
  return fd_db_fetch_count (db, stmt, count, error);
}

static gpointer
file_from_row (sqlite3_stmt *stmt)
{
  return fd_db_column_dup (stmt, 0);
}

gboolean
fd_store_firmware_files (FdDb *db, const char *workspace_id, GPtrArray *into, GError **error)
{
  sqlite3_stmt *stmt
      = fd_db_prepare (db, "SELECT file FROM firmware WHERE workspace_id = ?1", error);

  if (stmt == NULL)
    return FALSE;
  fd_db_bind_text (stmt, 1, workspace_id);
  return fd_db_fetch_all (db, stmt, file_from_row, into, error);
}

static gpointer
key_from_row (sqlite3_stmt *stmt)
{
  FdSigningKey *k = g_new0 (FdSigningKey, 1);

  k->workspace_id = fd_db_column_dup (stmt, 0);
  k->algorithm = fd_db_column_dup (stmt, 1);
  k->public_key = fd_db_column_dup (stmt, 2);
  k->key_file = fd_db_column_dup (stmt, 3);
  k->created_at = sqlite3_column_int64 (stmt, 4);
  return k;
}

FdSigningKey *
fd_store_signing_key_get (FdDb *db, const char *workspace_id, GError **error)
{
  sqlite3_stmt *stmt = fd_db_prepare (db,
                                      "SELECT workspace_id, algorithm, public_key, key_file,"
                                      " created_at FROM signing_key WHERE workspace_id = ?1",
                                      error);
  g_autoptr (GPtrArray) rows = NULL;

  if (stmt == NULL)
    return NULL;
  fd_db_bind_text (stmt, 1, workspace_id);
  rows = g_ptr_array_new_with_free_func ((GDestroyNotify)fd_signing_key_free);
  if (!fd_db_fetch_all (db, stmt, key_from_row, rows, error) || rows->len == 0)
    return NULL;
  return g_ptr_array_steal_index (rows, 0);
}

gboolean
fd_store_signing_key_put (FdDb *db, const FdSigningKey *k, GError **error)
{
  sqlite3_stmt *stmt
      = fd_db_prepare (db,
                       "INSERT OR REPLACE INTO signing_key (workspace_id, algorithm, public_key,"
                       " key_file, created_at) VALUES (?1, ?2, ?3, ?4, ?5)",
                       error);

  if (stmt == NULL)
    return FALSE;
  fd_db_bind_text (stmt, 1, k->workspace_id);
  fd_db_bind_text (stmt, 2, k->algorithm);
  fd_db_bind_text (stmt, 3, k->public_key);
  fd_db_bind_text (stmt, 4, k->key_file);
  sqlite3_bind_int64 (stmt, 5, k->created_at);
  return fd_db_step_done (db, stmt, NULL, error);
}
