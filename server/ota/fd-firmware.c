/* fd-firmware.c — where firmware files and signing keys live, and the signed manifest. */
#include "fd-firmware.h"
#include "fd-firmware-private.h"
#include "fd-signing.h"
#include "fd-util.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <string.h>

G_DEFINE_QUARK (fd - firmware - error - quark, fd_firmware_error)

FdFirmware *
fd_firmware_new (FdStore *store, const char *data_dir, gsize max_bytes)
{
  FdFirmware *fw = g_new0 (FdFirmware, 1);
  g_autoptr (GDir) dir = NULL;
  const char *name;

  fw->store = store;
  fw->dir = g_build_filename (data_dir, "firmware", NULL);
  fw->keys_dir = g_build_filename (fw->dir, "keys", NULL);
  fw->max_bytes
      = max_bytes ? MIN (max_bytes, FD_FIRMWARE_MAX_MAX_BYTES) : FD_FIRMWARE_DEFAULT_MAX_BYTES;
  if (g_mkdir_with_parents (fw->keys_dir, 0700) < 0)
    g_warning ("cannot create %s: %s", fw->keys_dir, g_strerror (errno));
  /* An upload that a crash interrupted never got its row: its .part file is nobody's. */
  dir = g_dir_open (fw->dir, 0, NULL);
  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    if (g_str_has_suffix (name, ".part"))
      {
        g_autofree char *path = g_build_filename (fw->dir, name, NULL);
        g_unlink (path);
      }
  return fw;
}

void
fd_firmware_free (FdFirmware *fw)
{
  if (fw == NULL)
    return;
  g_free (fw->dir);
  g_free (fw->keys_dir);
  g_free (fw);
}

gsize
fd_firmware_get_max_bytes (FdFirmware *fw)
{
  return fw->max_bytes;
}

char *
fd_firmware_path (FdFirmware *fw, const char *firmware_id)
{
  g_autofree char *name = g_strconcat (firmware_id, ".bin", NULL);
  return g_build_filename (fw->dir, name, NULL);
}

static char *
key_path (FdFirmware *fw, const char *key_file)
{
  return g_build_filename (fw->keys_dir, key_file, NULL);
}

static FdSigningKey *
make_key (FdFirmware *fw, FdDb *db, const char *workspace_id, const char *algorithm, GError **error)
{
  g_autoptr (FdSigningKey) k = g_new0 (FdSigningKey, 1);
  g_autofree char *path = NULL;

  k->workspace_id = g_strdup (workspace_id);
  k->algorithm = g_strdup (algorithm);
  k->key_file = g_strconcat (workspace_id, ".pem", NULL);
  k->created_at = fd_now_ms ();
  path = key_path (fw, k->key_file);
  k->public_key = fd_signing_generate (algorithm, path, error);
  if (k->public_key == NULL || !fd_store_signing_key_put (db, k, error))
    return NULL;
  return g_steal_pointer (&k);
}

FdSigningKey *
fd_firmware_ensure_key (FdFirmware *fw, FdDb *db, const char *workspace_id, GError **error)
{
  GError *local_error = NULL;
  FdSigningKey *k = fd_store_signing_key_get (db, workspace_id, &local_error);

  if (local_error != NULL)
    {
      g_propagate_error (error, local_error);
      return NULL;
    }
  if (k != NULL)
    return k;
  if (!fd_store_workspace_exists (db, workspace_id, error))
    return NULL;
  return make_key (fw, db, workspace_id, FD_SIGNING_ECDSA_P256, error);
}

FdSigningKey *
fd_firmware_set_key (FdFirmware *fw, FdDb *db, const char *workspace_id, const char *algorithm,
                     GError **error)
{
  gint64 n = 0;

  if (!fd_store_workspace_exists (db, workspace_id, error)
      || !fd_store_firmware_count (db, workspace_id, &n, error))
    return NULL;
  if (n > 0)
    {
      g_set_error (error, FD_STORE_ERROR, FD_STORE_ERROR_CONFLICT,
                   "workspace %s has firmware signed with its key already; the key cannot "
                   "change",
                   workspace_id);
      return NULL;
    }
  return make_key (fw, db, workspace_id, algorithm, error);
}

char *
fd_firmware_manifest (const FdFirmwareRecord *r)
{
  GString *out = g_string_new ("{\"firmware_id\":");
  g_autofree char *created = fd_time_format_ms (r->created_at);

  fd_json_append_string (out, r->id, strlen (r->id), FALSE);
  g_string_append (out, ",\"workspace_id\":");
  fd_json_append_string (out, r->workspace_id, strlen (r->workspace_id), FALSE);
  g_string_append (out, ",\"version\":");
  fd_json_append_string (out, r->version, strlen (r->version), FALSE);
  g_string_append (out, ",\"target\":");
  fd_json_append_string (out, r->target, strlen (r->target), FALSE);
  g_string_append_printf (out, ",\"size\":%" G_GINT64_FORMAT ",\"sha256\":", r->size);
  fd_json_append_string (out, r->sha256, strlen (r->sha256), FALSE);
  g_string_append (out, ",\"created_at\":");
  fd_json_append_string (out, created, strlen (created), FALSE);
  g_string_append_c (out, '}');
  return g_string_free (out, FALSE);
}

gboolean
fd_firmware_sign_and_insert (FdFirmware *fw, FdDb *db, FdFirmwareRecord *r, const char *actor,
                             GError **error)
{
  g_autoptr (FdSigningKey) k = fd_firmware_ensure_key (fw, db, r->workspace_id, error);
  g_autofree char *path = NULL;

  if (k == NULL)
    return FALSE;
  g_free (r->manifest);
  r->manifest = fd_firmware_manifest (r);
  path = key_path (fw, k->key_file);
  g_free (r->signature);
  r->signature = fd_signing_sign (path, k->algorithm, r->manifest, strlen (r->manifest), error);
  if (r->signature == NULL)
    return FALSE;
  g_free (r->algorithm);
  r->algorithm = g_strdup (k->algorithm);
  return fd_store_firmware_insert (db, r, actor, error);
}

void
fd_firmware_remove_file (FdFirmware *fw, const char *file)
{
  g_autofree char *path = NULL;

  /* Names come from our own rows; a separator would be a corrupt row, not a path to follow. */
  if (file == NULL || strchr (file, '/') != NULL || *file == '.')
    return;
  path = g_build_filename (fw->dir, file, NULL);
  if (g_unlink (path) < 0 && errno != ENOENT)
    g_warning ("cannot remove %s: %s", path, g_strerror (errno));
}

void
fd_firmware_remove_files (FdFirmware *fw, const char *workspace_id, GPtrArray *files)
{
  g_autofree char *name = g_strconcat (workspace_id, ".pem", NULL);
  g_autofree char *path = key_path (fw, name);

  for (guint i = 0; files != NULL && i < files->len; i++)
    fd_firmware_remove_file (fw, g_ptr_array_index (files, i));
  if (strchr (workspace_id, '/') == NULL && g_unlink (path) < 0 && errno != ENOENT)
    g_warning ("cannot remove %s: %s", path, g_strerror (errno));
}
