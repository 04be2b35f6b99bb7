/* fd-cli-import.c — `device import WORKSPACE_ID CSV_FILE`: the file is sent as it is (text/csv)
 * and the server creates every device or none. What comes back is shown as a person needs it:
 * every bad row as FILE:LINE: COLUMN: message (the form compilers use, so editors jump to it),
 * or a table of the devices made; with --credentials-dir, one zdevice.json per credential.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include <glib/gi18n.h>
#include <json-glib/json-glib.h>

#include "fd-cli.h"

#define FD_CLI_ZDEVICE_SUFFIX ".zdevice.json"

static char *credential_cell (JsonObject *item);

static const FdCliColumn created_columns[] = {
  { NC_ ("table column", "LINE"), "line", FD_CLI_CELL_NUMBER },
  { NC_ ("table column", "ID"), "device.id", FD_CLI_CELL_TEXT },
  { NC_ ("table column", "NAME"), "device.name", FD_CLI_CELL_TEXT },
  { NC_ ("table column", "FLEET"), "device.fleet_name", FD_CLI_CELL_TEXT },
  { NC_ ("table column", "CREDENTIAL"), NULL, FD_CLI_CELL_FUNC, credential_cell },
  { NULL },
};

/* A dry run answers what it would do: {"line", "name", "fleet_id", "credential"}. */
static const FdCliColumn checked_columns[] = {
  { NC_ ("table column", "LINE"), "line", FD_CLI_CELL_NUMBER },
  { NC_ ("table column", "NAME"), "name", FD_CLI_CELL_TEXT },
  { NC_ ("table column", "FLEET"), "fleet_id", FD_CLI_CELL_TEXT },
  { NC_ ("table column", "CREDENTIAL"), "credential", FD_CLI_CELL_TEXT },
  { NULL },
};

gboolean
fd_cli_import_check (const FdCliInvocation *invocation, GError **error)
{
  if (fd_cli_invocation_has (invocation, "dry-run")
      && fd_cli_invocation_has (invocation, "credentials-dir"))
    {
      g_set_error_literal (error, FD_CLI_ERROR, FD_CLI_ERROR_USAGE,
                           _ ("--credentials-dir has nothing to write with --dry-run"));
      return FALSE;
    }
  return TRUE;
}

static JsonArray *
get_array (JsonObject *object, const char *name)
{
  JsonNode *node = object != NULL ? json_object_get_member (object, name) : NULL;

  return node != NULL && JSON_NODE_HOLDS_ARRAY (node) ? json_node_get_array (node) : NULL;
}

static JsonObject *
element_object (JsonArray *array, guint i)
{
  JsonNode *node = json_array_get_element (array, i);

  return JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
}

/* "crd-… (generated)" or "crd-… (device_token)" for a key, for each credential the row was
 * given; "-" for none. */
static char *
credential_cell (JsonObject *item)
{
  JsonArray *credentials = get_array (item, "credentials");
  GString *cell = g_string_new (NULL);

  for (guint i = 0; credentials != NULL && i < json_array_get_length (credentials); i++)
    {
      JsonObject *credential = element_object (credentials, i);
      const char *id = fd_cli_output_get_string (credential, "id");
      const char *kind = fd_cli_output_get_string (credential, "kind");
      const char *mode = fd_cli_output_get_string (credential, "mode");
      g_autofree char *text
          = mode != NULL
                ? g_strdup_printf ("%s (%s)", id != NULL ? id : "?", mode)
                : g_strdup_printf ("%s (%s)", id != NULL ? id : "?", kind != NULL ? kind : "?");
      g_autofree char *printable = fd_cli_output_printable (text);

      g_string_append_printf (cell, "%s%s", cell->len > 0 ? ", " : "", printable);
    }
  if (cell->len == 0)
    g_string_append (cell, "-");
  return g_string_free (cell, FALSE);
}

/* The "rows" of an error answer whose code is invalid_csv, or NULL. */
static JsonArray *
bad_rows (JsonNode *root)
{
  JsonNode *error_node
      = root != NULL ? json_object_get_member (json_node_get_object (root), "error") : NULL;
  JsonObject *error_object = error_node != NULL && JSON_NODE_HOLDS_OBJECT (error_node)
                                 ? json_node_get_object (error_node)
                                 : NULL;

  if (g_strcmp0 (fd_cli_output_get_string (error_object, "code"), "invalid_csv") != 0)
    return NULL;
  return get_array (error_object, "rows");
}

/* Every bad row on stderr, as FILE:LINE: COLUMN: message. */
static void
print_bad_rows (const char *csv_path, JsonArray *rows)
{
  g_autofree char *file = g_filename_display_name (csv_path);
  g_autoptr (GString) out = g_string_new (NULL);

  for (guint i = 0; i < json_array_get_length (rows); i++)
    {
      JsonObject *row = element_object (rows, i);
      JsonNode *line = row != NULL ? json_object_get_member (row, "line") : NULL;
      const char *column = fd_cli_output_get_string (row, "column");
      const char *message = fd_cli_output_get_string (row, "message");
      g_autofree char *printable_message = fd_cli_output_printable (message != NULL ? message : "");

      g_string_append (out, file);
      if (line != NULL && JSON_NODE_HOLDS_VALUE (line)
          && json_node_get_value_type (line) == G_TYPE_INT64)
        g_string_append_printf (out, ":%" G_GINT64_FORMAT, json_node_get_int (line));
      /* A row-wide problem (too many fields) names no column. */
      if (column != NULL)
        {
          g_autofree char *printable_column = fd_cli_output_printable (column);

          g_string_append_printf (out, ": %s", printable_column);
        }
      g_string_append_printf (out, ": %s\n", printable_message);
    }
  fflush (stdout);
  fputs (out->str, stderr);
}

/* Writes one zdevice.json into @dir: NAME.zdevice.json, or NAME.ID.zdevice.json when that is
 * taken (two names that differ only in a replaced character, or an earlier import). Never
 * replaces a file: the devices exist now, and an older file may be another device's only copy
 * of its secret. */
static gboolean
write_one (const char *dir, const char *stem, const char *id, gboolean first, JsonNode *zdevice,
           GError **error)
{
  for (int attempt = first ? 0 : 1; attempt < 2; attempt++)
    {
      g_autofree char *name = attempt == 0
                                  ? g_strconcat (stem, FD_CLI_ZDEVICE_SUFFIX, NULL)
                                  : g_strconcat (stem, ".", id, FD_CLI_ZDEVICE_SUFFIX, NULL);
      g_autofree char *path = g_build_filename (dir, name, NULL);
      g_autoptr (FdCliPrivateFile) file = NULL;
      g_autoptr (GError) local_error = NULL;

      file = fd_cli_private_file_new (path, FALSE, &local_error);
      if (file != NULL && fd_cli_zdevice_write (file, zdevice, &local_error))
        {
          if (attempt == 1 && first)
            {
              g_autofree char *display = g_filename_display_name (path);

              fflush (stdout);
              fprintf (stderr, _ ("%s: %s%s was taken; wrote %s instead\n"), FD_CLI_PROGRAM, stem,
                       FD_CLI_ZDEVICE_SUFFIX, display);
            }
          return TRUE;
        }
      if (!g_error_matches (local_error, G_FILE_ERROR, G_FILE_ERROR_EXIST) || attempt == 1)
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          return FALSE;
        }
    }
  g_assert_not_reached ();
}

/* One file per credential of every item; a file that cannot be written is reported and the
 * others are still written. Returns how many failed; *@written counts the others. */
static guint
write_credentials (const char *dir, JsonObject *root, guint *written)
{
  JsonArray *items = get_array (root, "items");
  JsonNode *endpoint = json_object_get_member (root, "endpoint");
  const char *cacert = fd_cli_output_get_string (root, "cacert");
  JsonNode *firmware_key = json_object_get_member (root, "firmware_key");
  guint failed = 0;

  *written = 0;
  for (guint i = 0; items != NULL && i < json_array_get_length (items); i++)
    {
      JsonObject *item = element_object (items, i);
      JsonNode *device = item != NULL ? json_object_get_member (item, "device") : NULL;
      JsonObject *device_object = device != NULL && JSON_NODE_HOLDS_OBJECT (device)
                                      ? json_node_get_object (device)
                                      : NULL;
      const char *name = fd_cli_output_get_string (device_object, "name");
      const char *device_id = fd_cli_output_get_string (device_object, "id");
      JsonArray *credentials = get_array (item, "credentials");
      g_autofree char *stem = fd_cli_file_stem (name != NULL ? name : "device");

      for (guint c = 0; credentials != NULL && c < json_array_get_length (credentials); c++)
        {
          JsonObject *credential = element_object (credentials, c);
          const char *credential_id = fd_cli_output_get_string (credential, "id");
          g_autoptr (GError) error = NULL;
          g_autoptr (JsonNode) zdevice = NULL;

          if (credential != NULL)
            zdevice = fd_cli_zdevice_build (credential, endpoint, cacert, &error);
          else
            g_set_error (&error, FD_CLI_ERROR, FD_CLI_ERROR_PROTOCOL,
                         _ ("the server's answer has a credential that is not an object"));
          /* The workspace's firmware signing key, as the server's own zdevice.json has it. */
          if (zdevice != NULL && firmware_key != NULL)
            json_object_set_member (json_node_get_object (zdevice), "firmware_key",
                                    json_node_copy (firmware_key));
          /* The first credential takes the device's name; more would be told apart by theirs. */
          if (zdevice != NULL
              && write_one (dir, stem, c == 0 ? device_id : credential_id, c == 0, zdevice, &error))
            {
              (*written)++;
              continue;
            }
          failed++;
          {
            g_autofree char *printable = fd_cli_output_printable (device_id ? device_id : "?");

            fflush (stdout);
            fprintf (stderr, _ ("%s: no zdevice.json for %s: %s\n"), FD_CLI_PROGRAM, printable,
                     error->message);
          }
        }
    }
  return failed;
}

static gboolean
show_answer (const FdCliInvocation *invocation, JsonObject *root, GError **error)
{
  gboolean dry_run = fd_cli_invocation_has (invocation, "dry-run");
  JsonArray *items = get_array (root, "items");
  g_autofree char *table = NULL;
  g_autofree char *count = NULL;
  g_autoptr (GString) out = g_string_new (NULL);
  guint n;

  if (items == NULL)
    {
      g_set_error (error, FD_CLI_ERROR, FD_CLI_ERROR_PROTOCOL,
                   _ ("the server's answer is not a list of items and a total"));
      return FALSE;
    }
  n = json_array_get_length (items);
  table = fd_cli_output_table (dry_run ? checked_columns : created_columns, items);
  if (dry_run)
    count = g_strdup_printf (ngettext ("%u row is good; nothing was created (dry run)",
                                       "%u rows are good; nothing was created (dry run)", n),
                             n);
  else
    count = g_strdup_printf (ngettext ("Created %u device", "Created %u devices", n), n);
  g_string_append_printf (out, "%s%s\n", table, count);
  return fd_cli_output_write (out->str, out->len, error);
}

gboolean
fd_cli_import_run (const FdCliInvocation *invocation, const FdCliEndpoint *endpoint, GError **error)
{
  const char *csv_path = g_ptr_array_index (invocation->args, 1);
  const char *dir = fd_cli_invocation_get (invocation, "credentials-dir");
  gboolean json = fd_cli_invocation_has (invocation, "json");
  g_autofree char *display = g_filename_display_name (csv_path);
  g_autofree char *path = NULL;
  g_autoptr (GBytes) csv = NULL;
  g_autoptr (GBytes) body = NULL;
  g_autoptr (GBytes) error_body = NULL;
  g_autoptr (GError) local_error = NULL;
  g_autoptr (JsonNode) root = NULL;
  FdCliRequest request = {
    .method = "POST",
    .content_type = "text/csv",
    .timeout_seconds = FD_CLI_IMPORT_TIMEOUT_SECONDS,
    .max_answer_bytes = FD_CLI_MAX_IMPORT_RESPONSE_BYTES,
  };
  guint written = 0;
  guint failed;

  csv = fd_cli_file_read (csv_path, FD_CLI_MAX_CSV_BYTES, error);
  if (csv == NULL)
    return FALSE;
  if (g_bytes_get_size (csv) == 0)
    {
      g_set_error (error, FD_CLI_ERROR, FD_CLI_ERROR_FILE, _ ("%s is empty"), display);
      return FALSE;
    }
  /* Before the devices (and their secrets) exist, not after. */
  if (dir != NULL && !fd_cli_dir_prepare (dir, error))
    return FALSE;

  path = fd_cli_request_path (invocation);
  request.path_and_query = path;
  request.body = csv;
  if (!fd_cli_http_send (endpoint, &request, &body, &error_body, &local_error))
    {
      g_autoptr (GError) ignored = NULL;
      g_autoptr (JsonNode) error_root
          = error_body != NULL ? fd_cli_output_parse (error_body, &ignored) : NULL;
      JsonArray *rows = bad_rows (error_root);

      if (rows != NULL)
        {
          guint bad = json_array_get_length (rows);

          print_bad_rows (csv_path, rows);
          g_set_error (error, FD_CLI_ERROR, FD_CLI_ERROR_API,
                       ngettext ("%s has %u bad row; nothing was created (invalid_csv)",
                                 "%s has %u bad rows; nothing was created (invalid_csv)", bad),
                       display, bad);
          return FALSE;
        }
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }

  if (json && !fd_cli_output_json (body, error))
    return FALSE;
  root = fd_cli_output_parse (body, error);
  if (root == NULL)
    return FALSE;
  if (!json && !show_answer (invocation, json_node_get_object (root), error))
    return FALSE;
  if (dir == NULL)
    return TRUE;

  failed = write_credentials (dir, json_node_get_object (root), &written);
  if (written > 0)
    {
      g_autofree char *probe = g_build_filename (dir, FD_CLI_ZDEVICE_SUFFIX, NULL);

      fd_cli_dir_sync (probe);
    }
  if (!json)
    {
      g_autofree char *dir_display = g_filename_display_name (dir);
      g_autofree char *line
          = g_strdup_printf (ngettext ("Wrote %u zdevice.json file to %s\n",
                                       "Wrote %u zdevice.json files to %s\n", written),
                             written, dir_display);

      if (!fd_cli_output_write (line, strlen (line), error))
        return FALSE;
    }
  if (failed > 0)
    {
      g_set_error (error, FD_CLI_ERROR, FD_CLI_ERROR_FILE,
                   ngettext ("the devices were created, but %u zdevice.json file was not "
                             "written: give that device a new credential with '%s device "
                             "credentials'",
                             "the devices were created, but %u zdevice.json files were not "
                             "written: give those devices new credentials with '%s device "
                             "credentials'",
                             failed),
                   failed, FD_CLI_PROGRAM);
      return FALSE;
    }
  return TRUE;
}
