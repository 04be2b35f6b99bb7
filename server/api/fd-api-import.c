/* fd-api-import.c — POST /workspaces/{id}/devices/import: bulk provisioning from a CSV file.
 *
 * All or nothing. The whole file is read and every row checked (names, fleets, credentials,
 * each certificate and CSR) before anything is made; if any row is wrong, the answer lists
 * every wrong row by the line it starts on and nothing is created. Then credentials are made
 * (key pairs, signatures: the slow part) and everything is written in one store job, so the
 * devices appear together or not at all. The work runs on a worker thread: the engine thread
 * keeps answering meanwhile.
 */
#include "fd-api-private.h"
#include "fd-util.h"
#include "provision/fd-provision.h"

#include <csv.h>
#include <string.h>

static const char *const import_params[] = { "dry_run", NULL };
static const char *const known_columns[]
    = { "name", "fleet", "credential", "certificate", "csr", NULL };

typedef struct
{
  guint line;
  char *cells[G_N_ELEMENTS (known_columns) - 1]; /* by known_columns index; NULL when empty */
  char *fleet_id;
  int kind; /* FdCredentialKind, or -1 for none */
  const char *mode;
  char *device_id;
  FdNewCredential *made;
  FdDevice *device;
  FdCredential *credential;
} Row;

enum
{
  COL_NAME,
  COL_FLEET,
  COL_CREDENTIAL,
  COL_CERTIFICATE,
  COL_CSR,
};

typedef struct
{
  FdStore *store;
  FdPki *pki;
  FdFirmware *firmware;
  FdSigningKey *firmware_key; /* the workspace's, for the devices' zdevice.json */
  char *workspace_id;
  gboolean dry_run;
  GBytes *body;

  /* parsing */
  int columns[G_N_ELEMENTS (known_columns)]; /* file column -> known column, or -1 */
  guint n_columns;
  gboolean header_done;
  gboolean header_bad;
  GPtrArray *cells; /* the record being read: its first fields only (see on_field) */
  guint n_fields;   /* every field of the record being read */
  guint line, record_line;
  gboolean too_many;

  GPtrArray *rows;   /* Row* */
  GPtrArray *errors; /* JsonNode* objects {"line", "column", "message"} */
} Import;

static void
row_free (Row *row)
{
  for (guint i = 0; i < G_N_ELEMENTS (row->cells); i++)
    g_free (row->cells[i]);
  g_free (row->fleet_id);
  g_free (row->device_id);
  fd_new_credential_free (row->made);
  fd_device_free (row->device);
  fd_credential_free (row->credential);
  g_free (row);
}

static void
import_free (Import *im)
{
  g_free (im->workspace_id);
  g_clear_pointer (&im->firmware_key, fd_signing_key_free);
  g_bytes_unref (im->body);
  g_ptr_array_unref (im->cells);
  g_ptr_array_unref (im->rows);
  g_ptr_array_unref (im->errors);
  g_free (im);
}

static void row_error (Import *im, guint line, const char *column, const char *format, ...)
    G_GNUC_PRINTF (4, 5);

static void
row_error (Import *im, guint line, const char *column, const char *format, ...)
{
  g_autoptr (JsonBuilder) b = json_builder_new ();
  g_autofree char *message = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "line");
  json_builder_add_int_value (b, line);
  json_builder_set_member_name (b, "column");
  if (column != NULL)
    json_builder_add_string_value (b, column);
  else
    json_builder_add_null_value (b);
  json_builder_set_member_name (b, "message");
  json_builder_add_string_value (b, message);
  json_builder_end_object (b);
  g_ptr_array_add (im->errors, json_builder_get_root (b));
}

/* --- reading the file --- */

/* Fields past the most a header may name are counted, not kept: a 16 MiB row of commas would
 * otherwise be 16 million allocations (700 MB). */
static void
on_field (void *text, size_t len, void *data)
{
  Import *im = data;

  im->n_fields++;
  if (im->cells->len < G_N_ELEMENTS (im->columns))
    g_ptr_array_add (im->cells, text ? g_strndup (text, len) : g_strdup (""));
}

static void
read_header (Import *im)
{
  GHashTable *seen = g_hash_table_new (g_str_hash, g_str_equal);

  im->n_columns = im->n_fields;
  for (guint i = 0; i < im->cells->len && i < G_N_ELEMENTS (im->columns); i++)
    {
      char *name = g_strstrip ((char *)g_ptr_array_index (im->cells, i));
      g_autofree char *lower = g_ascii_strdown (name, -1);
      int found = -1;

      for (guint k = 0; known_columns[k] != NULL; k++)
        if (g_str_equal (lower, known_columns[k]))
          found = (int)k;
      im->columns[i] = found;
      if (found < 0)
        row_error (im, im->record_line, name,
                   "unknown column \"%s\" (the columns are name, fleet, credential, "
                   "certificate, csr)",
                   name);
      else if (!g_hash_table_add (seen, (gpointer)known_columns[found]))
        row_error (im, im->record_line, known_columns[found], "the column \"%s\" appears twice",
                   known_columns[found]);
    }
  if (im->n_fields > G_N_ELEMENTS (im->columns))
    row_error (im, im->record_line, NULL, "the header has %u columns; there are only 5 kinds",
               im->n_fields);
  else if (!g_hash_table_contains (seen, "name"))
    row_error (im, im->record_line, "name", "the header has no \"name\" column");
  im->header_bad = im->errors->len > 0;
  g_hash_table_unref (seen);
}

static void
on_record (int terminator, void *data)
{
  Import *im = data;
  Row *row;

  if (!im->header_done)
    {
      read_header (im);
      im->header_done = TRUE;
      g_ptr_array_set_size (im->cells, 0);
      im->n_fields = 0;
      return;
    }
  if (im->rows->len >= FD_API_MAX_IMPORT_ROWS)
    {
      im->too_many = TRUE;
      g_ptr_array_set_size (im->cells, 0);
      im->n_fields = 0;
      return;
    }
  row = g_new0 (Row, 1);
  row->line = im->record_line;
  row->kind = -1;
  if (im->n_fields != im->n_columns)
    row_error (im, row->line, NULL, "the row has %u fields; the header has %u", im->n_fields,
               im->n_columns);
  for (guint i = 0; i < im->cells->len && i < im->n_columns && i < G_N_ELEMENTS (im->columns); i++)
    {
      char *cell = g_ptr_array_index (im->cells, i);
      /* A column named twice (already an error of the header) keeps its first cell. */
      if (im->columns[i] >= 0 && *cell != '\0' && row->cells[im->columns[i]] == NULL)
        row->cells[im->columns[i]] = g_strdup (cell);
    }
  g_ptr_array_add (im->rows, row);
  g_ptr_array_set_size (im->cells, 0);
  im->n_fields = 0;
}

/* Feeds the file line by line, so that a record's first line is known even when a quoted
 * field (a PEM block) spans several lines. */
static gboolean
parse_file (Import *im)
{
  gsize len;
  const char *text = g_bytes_get_data (im->body, &len);
  const char *end = text + len, *p = text, *bad;
  gboolean at_boundary = TRUE, in_quotes = FALSE;
  struct csv_parser parser;

  if (!g_utf8_validate (text, (gssize)len, &bad))
    {
      guint line = 1;
      for (const char *q = text; q < bad; q++)
        line += *q == '\n';
      row_error (im, line, NULL, "the file is not UTF-8 text (at byte %" G_GSIZE_FORMAT ")",
                 (gsize)(bad - text));
      return FALSE;
    }
  if (len >= 3 && memcmp (p, "\xef\xbb\xbf", 3) == 0)
    p += 3; /* the byte order mark spreadsheets write */

  csv_init (&parser, CSV_STRICT | CSV_STRICT_FINI | CSV_APPEND_NULL);
  im->line = 1;
  im->record_line = 1;
  while (p < end)
    {
      const char *nl = memchr (p, '\n', (gsize)(end - p));
      gsize n = nl ? (gsize)(nl - p + 1) : (gsize)(end - p);
      gboolean blank = n == 1 || (n == 2 && p[0] == '\r');

      /* A record starts on the first non-blank line outside a quoted field; libcsv skips
       * blank lines itself. */
      if (at_boundary && !blank)
        {
          im->record_line = im->line;
          at_boundary = FALSE;
        }
      if (csv_parse (&parser, p, n, on_field, on_record, im) != n)
        {
          row_error (im, im->line, NULL, "the file is not valid CSV here: %s",
                     csv_strerror (csv_error (&parser)));
          csv_free (&parser);
          return FALSE;
        }
      /* A doubled quote inside a quoted field toggles twice: the parity of the quotes says
       * whether the line ended inside a quoted field. */
      for (gsize i = 0; i < n; i++)
        in_quotes ^= p[i] == '"';
      if (!in_quotes)
        at_boundary = TRUE;
      p += n;
      if (nl != NULL)
        im->line++;
    }
  if (csv_fini (&parser, on_field, on_record, im) != 0)
    {
      row_error (im, im->record_line, NULL, "the file ends inside a quoted field");
      csv_free (&parser);
      return FALSE;
    }
  csv_free (&parser);
  if (!im->header_done)
    {
      row_error (im, 1, NULL, "the file is empty: it needs a header row (name,fleet,credential)");
      return FALSE;
    }
  if (im->too_many)
    row_error (im, im->line, NULL, "the file has more than %d rows", FD_API_MAX_IMPORT_ROWS);
  /* Row errors so far (a wrong number of fields) still let every other row be checked; a
   * header that is wrong does not. */
  return !im->header_bad;
}

/* --- checking the rows --- */

static gboolean
check_name (Import *im, Row *row, GHashTable *names)
{
  char *name = row->cells[COL_NAME];
  glong chars;

  if (name == NULL || *g_strstrip (name) == '\0')
    {
      row_error (im, row->line, "name", "the name is empty");
      return FALSE;
    }
  chars = g_utf8_strlen (name, -1);
  if (chars > FD_API_MAX_NAME)
    {
      row_error (im, row->line, "name", "the name is longer than %d characters", FD_API_MAX_NAME);
      return FALSE;
    }
  for (const char *q = name; *q; q = g_utf8_next_char (q))
    if (g_unichar_iscntrl (g_utf8_get_char (q)))
      {
        row_error (im, row->line, "name", "the name contains control characters");
        return FALSE;
      }
  if (g_hash_table_contains (names, name))
    {
      row_error (im, row->line, "name", "the name \"%s\" is also on line %u", name,
                 GPOINTER_TO_UINT (g_hash_table_lookup (names, name)));
      return FALSE;
    }
  g_hash_table_insert (names, name, GUINT_TO_POINTER (row->line));
  return TRUE;
}

static void
check_credential (Import *im, Row *row)
{
  const char *cred = row->cells[COL_CREDENTIAL];
  int given = (cred != NULL && g_ascii_strcasecmp (g_strstrip ((char *)cred), "none") != 0)
              + (row->cells[COL_CERTIFICATE] != NULL) + (row->cells[COL_CSR] != NULL);

  if (given > 1)
    {
      row_error (im, row->line, "credential",
                 "a row may have only one of credential, certificate and csr");
      return;
    }
  if (row->cells[COL_CERTIFICATE] != NULL)
    row->kind = FD_CREDENTIAL_CERTIFICATE;
  else if (row->cells[COL_CSR] != NULL)
    row->kind = FD_CREDENTIAL_CSR;
  else if (cred == NULL || g_ascii_strcasecmp (cred, "none") == 0)
    row->kind = -1;
  else if (g_ascii_strcasecmp (cred, "generate") == 0)
    row->kind = FD_CREDENTIAL_GENERATED;
  else if (g_ascii_strcasecmp (cred, "key") == 0)
    {
      row->kind = FD_CREDENTIAL_KEY;
      row->mode = "device_token";
    }
  else if (g_ascii_strcasecmp (cred, "cloud_token") == 0)
    {
      row->kind = FD_CREDENTIAL_KEY;
      row->mode = "cloud_token";
    }
  else
    row_error (im, row->line, "credential",
               "the credential must be generate, key, cloud_token or none, not \"%.40s\"", cred);
}

typedef struct
{
  Import *im;
  GHashTable *taken;
  GHashTable *fleet_names; /* name -> id */
  GHashTable *fleet_ids;   /* id -> id */
  char *default_fleet;
} CheckRead;

static gboolean
check_read_job (FdDb *db, gpointer data, GError **error)
{
  CheckRead *c = data;
  Import *im = c->im;
  g_autoptr (JsonBuilder) b = json_builder_new ();
  g_autoptr (JsonNode) names = NULL;
  g_autofree char *names_json = NULL;
  FdPage page = { 0 };

  c->default_fleet = fd_store_workspace_default_fleet (db, im->workspace_id, error);
  if (c->default_fleet == NULL)
    return FALSE;
  if (!fd_store_fleet_list (db, im->workspace_id, NULL, 0, G_MAXINT32, &page, error))
    return FALSE;
  for (guint i = 0; i < page.items->len; i++)
    {
      FdFleet *f = g_ptr_array_index (page.items, i);
      g_hash_table_insert (c->fleet_names, g_strdup (f->name), g_strdup (f->id));
      g_hash_table_insert (c->fleet_ids, g_strdup (f->id), g_strdup (f->id));
    }
  fd_page_clear (&page);

  json_builder_begin_array (b);
  for (guint i = 0; i < im->rows->len; i++)
    {
      Row *row = g_ptr_array_index (im->rows, i);
      if (row->cells[COL_NAME] != NULL)
        json_builder_add_string_value (b, row->cells[COL_NAME]);
    }
  json_builder_end_array (b);
  names = json_builder_get_root (b);
  names_json = json_to_string (names, FALSE);
  return fd_store_device_names_taken (db, im->workspace_id, names_json, c->taken, error);
}

static gboolean
check_rows (Import *im, GError **error)
{
  g_autoptr (GHashTable) names = g_hash_table_new (g_str_hash, g_str_equal);
  CheckRead c = { im };
  gboolean ok;

  for (guint i = 0; i < im->rows->len; i++)
    {
      Row *row = g_ptr_array_index (im->rows, i);
      check_name (im, row, names);
      check_credential (im, row);
    }

  c.taken = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  c.fleet_names = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  c.fleet_ids = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  ok = fd_store_read_sync (im->store, check_read_job, &c, error);
  for (guint i = 0; ok && i < im->rows->len; i++)
    {
      Row *row = g_ptr_array_index (im->rows, i);
      const char *fleet = row->cells[COL_FLEET] ? g_strstrip (row->cells[COL_FLEET]) : NULL;
      const char *id;

      if (row->cells[COL_NAME] != NULL && g_hash_table_contains (c.taken, row->cells[COL_NAME]))
        row_error (im, row->line, "name", "the workspace already has a device named \"%s\"",
                   row->cells[COL_NAME]);
      if (fleet == NULL || *fleet == '\0')
        id = c.default_fleet;
      else if ((id = g_hash_table_lookup (c.fleet_ids, fleet)) == NULL
               && (id = g_hash_table_lookup (c.fleet_names, fleet)) == NULL)
        row_error (im, row->line, "fleet", "the workspace has no fleet \"%.100s\"", fleet);
      row->fleet_id = g_strdup (id);
    }
  g_hash_table_unref (c.taken);
  g_hash_table_unref (c.fleet_names);
  g_hash_table_unref (c.fleet_ids);
  g_free (c.default_fleet);
  return ok;
}

/* Makes every row's credential; a certificate or CSR that is not acceptable is a row error.
 * With @pem_only (a dry run) only the rows that bring a certificate or CSR are judged, the
 * same way (what is made for them holds no secret and is never stored). */
static gboolean
make_credentials (Import *im, gboolean pem_only, GError **error)
{
  for (guint i = 0; i < im->rows->len; i++)
    {
      Row *row = g_ptr_array_index (im->rows, i);
      const char *pem = row->kind == FD_CREDENTIAL_CERTIFICATE ? row->cells[COL_CERTIFICATE]
                        : row->kind == FD_CREDENTIAL_CSR       ? row->cells[COL_CSR]
                                                               : NULL;
      g_autoptr (GError) local_error = NULL;

      if (row->device_id == NULL)
        row->device_id = fd_id_new ("dev");
      if (row->kind < 0 || (pem_only && pem == NULL))
        continue;
      if (pem != NULL && strlen (pem) > FD_PKI_MAX_PEM_BYTES)
        {
          row_error (im, row->line,
                     known_columns[row->kind == FD_CREDENTIAL_CSR ? COL_CSR : COL_CERTIFICATE],
                     "the PEM text is longer than %d bytes", FD_PKI_MAX_PEM_BYTES);
          continue;
        }
      row->made
          = fd_provision_make (im->pki, row->device_id, row->kind, pem, row->mode, 0, &local_error);
      if (row->made == NULL)
        {
          if (!g_error_matches (local_error, FD_PROVISION_ERROR, FD_PROVISION_ERROR_INVALID))
            {
              g_propagate_error (error, g_steal_pointer (&local_error));
              return FALSE;
            }
          row_error (im, row->line,
                     row->kind == FD_CREDENTIAL_CSR           ? "csr"
                     : row->kind == FD_CREDENTIAL_CERTIFICATE ? "certificate"
                                                              : "credential",
                     "%s", local_error->message);
        }
    }
  return TRUE;
}

typedef struct
{
  Import *im;
  GHashTable *bound; /* fingerprint -> credential id of a live credential */
} BoundRead;

static gboolean
bound_read_job (FdDb *db, gpointer data, GError **error)
{
  BoundRead *b = data;

  for (guint i = 0; i < b->im->rows->len; i++)
    {
      Row *row = g_ptr_array_index (b->im->rows, i);
      g_autoptr (FdCredentialMatch) m = NULL;
      GError *local_error = NULL;

      if (row->made == NULL || row->kind != FD_CREDENTIAL_CERTIFICATE)
        continue;
      m = fd_store_credential_by_fingerprint (db, row->made->tmpl.fingerprint, &local_error);
      if (local_error != NULL)
        {
          g_propagate_error (error, local_error);
          return FALSE;
        }
      if (m != NULL)
        g_hash_table_insert (b->bound, g_strdup (row->made->tmpl.fingerprint),
                             g_strdup (m->credential_id));
    }
  return TRUE;
}

/* A certificate is bound to at most one live credential: one already bound, or on two rows of
 * the file, is an error of its row (the write would otherwise fail as a whole with a 409 that
 * names no line). */
static gboolean
check_fingerprints (Import *im, GError **error)
{
  g_autoptr (GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);
  BoundRead b = { im, g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free) };
  gboolean ok = fd_store_read_sync (im->store, bound_read_job, &b, error);

  for (guint i = 0; ok && i < im->rows->len; i++)
    {
      Row *row = g_ptr_array_index (im->rows, i);
      const char *fp, *bound;

      if (row->made == NULL || row->kind != FD_CREDENTIAL_CERTIFICATE)
        continue;
      fp = row->made->tmpl.fingerprint;
      if ((bound = g_hash_table_lookup (b.bound, fp)) != NULL)
        row_error (im, row->line, "certificate",
                   "the certificate (SHA-256 %.16s…) is already bound to the live credential "
                   "%s; revoke that one first",
                   fp, bound);
      else if (g_hash_table_contains (seen, fp))
        row_error (im, row->line, "certificate", "the same certificate is also on line %u",
                   GPOINTER_TO_UINT (g_hash_table_lookup (seen, fp)));
      else
        g_hash_table_insert (seen, (gpointer)fp, GUINT_TO_POINTER (row->line));
    }
  g_hash_table_unref (b.bound);
  return ok;
}

typedef struct
{
  Import *im;
  const char *actor;
} WriteCall;

static gboolean
write_job (FdDb *db, gpointer data, GError **error)
{
  WriteCall *w = data;
  Import *im = w->im;

  for (guint i = 0; i < im->rows->len; i++)
    {
      Row *row = g_ptr_array_index (im->rows, i);

      row->device = fd_store_device_create_with_id (db, row->device_id, im->workspace_id,
                                                    row->fleet_id, row->cells[COL_NAME], error);
      if (row->device == NULL)
        return FALSE;
      if (!fd_store_audit_add (db, w->actor, "device.create", row->device_id,
                               "{\"via\":\"import\"}", error))
        return FALSE;
      if (row->made == NULL)
        continue;
      row->credential = fd_store_credential_create (db, &row->made->tmpl, row->made->secret,
                                                    row->made->secret_hash, error);
      if (row->credential == NULL)
        return FALSE;
      if (!fd_store_audit_add (db, w->actor, "credential.create", row->credential->id,
                               "{\"via\":\"import\"}", error))
        return FALSE;
    }
  /* Devices check the firmware they download with the workspace's key: it goes into every
   * zdevice.json made from this answer. */
  if (im->firmware != NULL && im->rows->len > 0)
    {
      im->firmware_key = fd_firmware_ensure_key (im->firmware, db, im->workspace_id, error);
      if (im->firmware_key == NULL)
        return FALSE;
    }
  return TRUE;
}

static int
by_line (gconstpointer a, gconstpointer b)
{
  JsonObject *ra = json_node_get_object (*(JsonNode **)a);
  JsonObject *rb = json_node_get_object (*(JsonNode **)b);
  gint64 la = json_object_get_int_member (ra, "line"), lb = json_object_get_int_member (rb, "line");

  return la < lb ? -1 : la > lb;
}

static gboolean
import_worker (FdApiJob *job, GError **error)
{
  Import *im = job->data;
  WriteCall w = { im, job->actor };

  if (!parse_file (im))
    return TRUE;
  if (!check_rows (im, error))
    return FALSE;
  if (im->errors->len > 0)
    return TRUE;
  /* A dry run judges every certificate and CSR too: it answers what the import would. */
  if (!make_credentials (im, im->dry_run, error) || !check_fingerprints (im, error))
    return FALSE;
  if (im->dry_run)
    return TRUE;
  if (im->errors->len > 0)
    return TRUE;
  return fd_store_write_sync (im->store, write_job, &w, error);
}

/* --- answering --- */

static void
reply_row_errors (FdApiRequest *req, Import *im)
{
  g_autoptr (JsonBuilder) b = json_builder_new ();
  g_autoptr (JsonNode) node = NULL;
  g_autofree char *message = g_strdup_printf (
      g_dngettext (NULL, "%u row of the file is wrong; nothing was created",
                   "%u rows of the file are wrong; nothing was created", im->errors->len),
      im->errors->len);

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "error");
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "code");
  json_builder_add_string_value (b, "invalid_csv");
  json_builder_set_member_name (b, "message");
  json_builder_add_string_value (b, message);
  json_builder_set_member_name (b, "rows");
  json_builder_begin_array (b);
  g_ptr_array_sort (im->errors, by_line); /* stable: a row's problems keep their order */
  for (guint i = 0; i < im->errors->len; i++)
    json_builder_add_value (b, json_node_ref (g_ptr_array_index (im->errors, i)));
  json_builder_end_array (b);
  json_builder_end_object (b);
  json_builder_end_object (b);
  node = json_builder_get_root (b);
  fd_api_reply_json (req, SOUP_STATUS_BAD_REQUEST, node);
}

static void
import_reply (FdApiRequest *req, FdApiJob *job)
{
  Import *im = job->data;
  g_autoptr (JsonBuilder) b = json_builder_new ();
  g_autoptr (JsonNode) node = NULL;

  if (im->errors->len > 0)
    {
      reply_row_errors (req, im);
      return;
    }
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "items");
  json_builder_begin_array (b);
  for (guint i = 0; i < im->rows->len; i++)
    {
      Row *row = g_ptr_array_index (im->rows, i);

      json_builder_begin_object (b);
      json_builder_set_member_name (b, "line");
      json_builder_add_int_value (b, row->line);
      if (im->dry_run)
        {
          json_builder_set_member_name (b, "name");
          json_builder_add_string_value (b, row->cells[COL_NAME]);
          json_builder_set_member_name (b, "fleet_id");
          json_builder_add_string_value (b, row->fleet_id);
          json_builder_set_member_name (b, "credential");
          if (row->kind < 0)
            json_builder_add_null_value (b);
          else
            json_builder_add_string_value (b, fd_credential_kind_name (row->kind));
          json_builder_set_member_name (b, "mode");
          if (row->mode != NULL)
            json_builder_add_string_value (b, row->mode);
          else
            json_builder_add_null_value (b);
        }
      else
        {
          json_builder_set_member_name (b, "device");
          fd_api_json_device (b, row->device);
          json_builder_set_member_name (b, "credentials");
          json_builder_begin_array (b);
          if (row->credential != NULL)
            {
              g_autoptr (JsonNode) cred
                  = fd_api_json_one (row->credential, (FdApiJsonFunc)fd_api_json_credential);
              JsonObject *obj = json_node_get_object (cred);
              if (row->made->private_key != NULL)
                json_object_set_string_member (obj, "private_key", row->made->private_key);
              if (row->made->shown_secret != NULL)
                json_object_set_string_member (obj, "secret", row->made->shown_secret);
              json_builder_add_value (b, g_steal_pointer (&cred));
            }
          json_builder_end_array (b);
        }
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
  json_builder_set_member_name (b, "total");
  json_builder_add_int_value (b, im->rows->len);
  if (!im->dry_run)
    {
      json_builder_set_member_name (b, "endpoint");
      fd_api_json_endpoint (b, req->api);
      json_builder_set_member_name (b, "cacert");
      json_builder_add_string_value (
          b, req->api->context.pki ? fd_pki_get_ca_pem (req->api->context.pki) : "");
    }
  json_builder_end_object (b);
  node = json_builder_get_root (b);
  if (!im->dry_run)
    fd_api_firmware_key_member (json_node_get_object (node), im->firmware_key);
  fd_api_reply_json (req, im->dry_run ? SOUP_STATUS_OK : SOUP_STATUS_CREATED, node);
}

static void
device_import (FdApiRequest *req)
{
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (req->msg);
  const char *type = soup_message_headers_get_content_type (headers, NULL);
  SoupMessageBody *body = soup_server_message_get_request_body (req->msg);
  gboolean dry_run;
  FdApiJob *job;
  Import *im;

  if (!fd_api_check_params (req, import_params) || !fd_api_path_id (req, "wks", "workspace")
      || !fd_api_param_bool (req, "dry_run", &dry_run))
    return;
  if (type == NULL
      || !(g_ascii_strcasecmp (type, "text/csv") == 0
           || g_ascii_strcasecmp (type, "application/csv") == 0))
    {
      fd_api_reply_error (req, SOUP_STATUS_UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type", NULL,
                          "the body must be a CSV file (Content-Type: text/csv)");
      return;
    }
  im = g_new0 (Import, 1);
  im->store = req->api->store;
  im->pki = req->api->context.pki;
  im->firmware = req->api->context.firmware;
  im->workspace_id = g_strdup (req->path_id);
  im->dry_run = dry_run;
  im->body = soup_message_body_flatten (body);
  im->cells = g_ptr_array_new_with_free_func (g_free);
  im->rows = g_ptr_array_new_with_free_func ((GDestroyNotify)row_free);
  im->errors = g_ptr_array_new_with_free_func ((GDestroyNotify)json_node_unref);
  job = fd_api_job_new (req);
  job->data = im;
  job->data_free = (GDestroyNotify)import_free;
  fd_api_run_worker (req, import_worker, job, import_reply);
}

const FdApiRoute fd_api_import_routes[] = {
  { "POST", "/workspaces/{id}/devices/import", device_import, FALSE, FD_API_MAX_IMPORT_BODY },
  { NULL, NULL, NULL, FALSE, 0 },
};
