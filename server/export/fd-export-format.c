/* fd-export-format.c — the buffered export file and the CSV, JSON and NDJSON row formats.
 *
 * The hot loop (a payload CSV row) copies two cached timestamps, the stream's pre-rendered
 * identity and the payload quoted by libcsv into one buffer: no allocation per row.
 */
#include "fd-export-private.h"
#include "ingest/fd-payload-private.h"
#include "query/fd-query.h"

#include <csv.h>
#include <errno.h>
#include <fcntl.h>
#include <gio/gio.h>
#include <unistd.h>

#define OUT_BUFFER_BYTES (256 * 1024)
/* A stored payload larger than this is not taken apart for columns=fields. */
#define FIELDS_MAX_PAYLOAD (64 * 1024 * 1024)
#define FIELDS_MAX_DEPTH 64

gboolean
fd_export_format_parse (const char *name, FdExportFormat *format)
{
  if (g_strcmp0 (name, "csv") == 0)
    *format = FD_EXPORT_CSV;
  else if (g_strcmp0 (name, "json") == 0)
    *format = FD_EXPORT_JSON;
  else if (g_strcmp0 (name, "ndjson") == 0)
    *format = FD_EXPORT_NDJSON;
  else
    return FALSE;
  return TRUE;
}

const char *
fd_export_content_type (const char *format)
{
  if (g_strcmp0 (format, "csv") == 0)
    return "text/csv; charset=utf-8";
  if (g_strcmp0 (format, "json") == 0)
    return "application/json";
  if (g_strcmp0 (format, "ndjson") == 0)
    return "application/x-ndjson";
  return NULL;
}

/* ---- the file ------------------------------------------------------------------------------- */

gboolean
fd_export_out_open (FdExportOut *out, const char *path, GError **error)
{
  memset (out, 0, sizeof *out);
  /* Readings are the user's data: the owner and its group read them (a periodic export's
   * folder is often shared with the program that picks the files up), nobody else. */
  out->fd = open (path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0640);
  if (out->fd < 0)
    {
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errno), "cannot create %s: %s", path,
                   g_strerror (errno));
      return FALSE;
    }
  out->cap = OUT_BUFFER_BYTES;
  out->buf = g_malloc (out->cap);
  return TRUE;
}

gboolean
fd_export_out_flush (FdExportOut *out)
{
  gsize done = 0;

  if (out->error != NULL)
    {
      out->len = 0;
      return FALSE;
    }
  while (done < out->len)
    {
      ssize_t n = write (out->fd, out->buf + done, out->len - done);
      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        {
          int saved = errno;
          g_set_error (&out->error, G_IO_ERROR, g_io_error_from_errno (saved),
                       "writing the export file failed: %s", g_strerror (saved));
          out->len = 0;
          return FALSE;
        }
      done += (gsize)n;
    }
  out->len = 0;
  return TRUE;
}

char *
fd_export_out_reserve (FdExportOut *out, gsize n)
{
  if (out->cap - out->len < n)
    {
      fd_export_out_flush (out);
      if (out->cap < n)
        {
          out->cap = n;
          out->buf = g_realloc (out->buf, out->cap);
        }
    }
  return out->buf + out->len;
}

gboolean
fd_export_out_finish (FdExportOut *out, GError **error)
{
  gboolean ok = fd_export_out_flush (out);

  if (ok && fsync (out->fd) < 0)
    {
      g_set_error (&out->error, G_IO_ERROR, g_io_error_from_errno (errno),
                   "syncing the export file failed: %s", g_strerror (errno));
      ok = FALSE;
    }
  if (close (out->fd) < 0 && ok)
    {
      g_set_error (&out->error, G_IO_ERROR, g_io_error_from_errno (errno),
                   "closing the export file failed: %s", g_strerror (errno));
      ok = FALSE;
    }
  out->fd = -1;
  g_clear_pointer (&out->buf, g_free);
  if (!ok)
    g_propagate_error (error, g_steal_pointer (&out->error));
  return ok;
}

void
fd_export_out_abandon (FdExportOut *out)
{
  if (out->fd >= 0)
    close (out->fd);
  out->fd = -1;
  g_clear_pointer (&out->buf, g_free);
  g_clear_error (&out->error);
}

/* ---- rendering helpers ---------------------------------------------------------------------- */

static gboolean
csv_needs_quotes (const char *text, gsize len)
{
  for (gsize i = 0; i < len; i++)
    if (text[i] == '"' || text[i] == ',' || text[i] == '\r' || text[i] == '\n')
      return TRUE;
  return FALSE;
}

/* A CSV field: as it is, or quoted by libcsv when it holds a quote, comma or line end. */
static void
csv_field (FdExportOut *out, const char *text, gsize len, gboolean always_quote)
{
  if (!always_quote && !csv_needs_quotes (text, len))
    {
      fd_export_out_append (out, text, len);
      return;
    }
  {
    gsize need = 2 * len + 2;
    char *p = fd_export_out_reserve (out, need);
    gsize n = csv_write (p, need, text, len);
    out->len += n;
    out->bytes += n;
  }
}

static void
csv_field_string (GString *into, const char *text)
{
  gsize len = strlen (text);

  if (!csv_needs_quotes (text, len))
    {
      g_string_append_len (into, text, len);
      return;
    }
  {
    gsize need = 2 * len + 2, n;
    gsize at = into->len;
    g_string_set_size (into, at + need);
    n = csv_write (into->str + at, need, text, len);
    g_string_set_size (into, at + n);
  }
}

/* ---- fields of a payload -------------------------------------------------------------------- */

typedef struct
{
  const char *text; /* the value's JSON text in the payload */
  gsize len;
  FdFieldType type;
  gboolean set;
} FieldValue;

/* The end of the array or object opening at @p: brackets counted outside strings. */
static const char *
container_end (const char *p, const char *end)
{
  int depth = 0;

  for (; p < end; p++)
    {
      if (*p == '"')
        {
          for (p++; p < end && *p != '"'; p++)
            if (*p == '\\')
              p++;
        }
      else if (*p == '{' || *p == '[')
        depth++;
      else if ((*p == '}' || *p == ']') && --depth == 0)
        return p + 1;
    }
  return end;
}

static gsize
value_len (const FdPayloadField *f, const char *payload, gsize payload_len)
{
  const char *p = payload + f->value_offset, *end = payload + payload_len, *q;
  gboolean escaped;

  switch (f->type)
    {
    case FD_FIELD_NUMBER:
      for (q = p; q < end && (g_ascii_isdigit (*q) || strchr ("+-.eE", *q) != NULL); q++)
        ;
      return (gsize)(q - p);
    case FD_FIELD_STRING:
      q = (const char *)fd_payload_string_end ((const guchar *)payload, (const guchar *)p + 1,
                                               (const guchar *)end, &escaped, NULL);
      return q != NULL ? (gsize)(q + 1 - p) : (gsize)(end - p);
    case FD_FIELD_BOOLEAN:
      return *p == 't' ? 4 : 5;
    case FD_FIELD_NULL:
      return 4;
    case FD_FIELD_ARRAY:
    case FD_FIELD_OBJECT:
      return (gsize)(container_end (p, end) - p);
    }
  return 0;
}

/* ---- writers -------------------------------------------------------------------------------- */

struct _FdExportWriter
{
  FdExportFormat format;
  FdExportOut *out;
  FdQueryTimeCache device_time;
  FdQueryTimeCache in_time;
  gboolean first;
  /* columns=fields */
  char **fields;
  guint n_fields;
  GHashTable *columns; /* path -> index + 1 */
  FieldValue *values;
  FdPayloadScanner *scanner;
  char *decoded; /* a string value without its escapes */
  gsize decoded_cap;
};

FdExportWriter *
fd_export_writer_new (FdExportFormat format, char **fields, FdExportOut *out)
{
  FdExportWriter *w = g_new0 (FdExportWriter, 1);

  w->format = format;
  w->out = out;
  w->first = TRUE;
  w->device_time.second = G_MININT64;
  w->in_time.second = G_MININT64;
  if (fields != NULL)
    {
      w->fields = g_strdupv (fields);
      w->n_fields = g_strv_length (w->fields);
      w->columns = g_hash_table_new (g_str_hash, g_str_equal);
      for (guint i = 0; i < w->n_fields; i++)
        g_hash_table_insert (w->columns, w->fields[i], GUINT_TO_POINTER (i + 1));
      w->values = g_new0 (FieldValue, MAX (w->n_fields, 1));
      w->scanner = fd_payload_scanner_new ();
      fd_payload_scanner_set_limits (w->scanner, FIELDS_MAX_PAYLOAD, FIELDS_MAX_DEPTH);
    }
  return w;
}

void
fd_export_writer_free (FdExportWriter *w)
{
  if (w == NULL)
    return;
  g_clear_pointer (&w->columns, g_hash_table_unref);
  g_strfreev (w->fields);
  g_free (w->values);
  g_clear_pointer (&w->scanner, fd_payload_scanner_free);
  g_free (w->decoded);
  g_free (w);
}

void
fd_export_writer_prepare_stream (FdExportWriter *w, FdExportStream *stream)
{
  g_autoptr (GString) m = g_string_new (NULL);

  if (w->format == FD_EXPORT_CSV)
    {
      g_string_append_c (m, ',');
      csv_field_string (m, stream->fleet_id);
      g_string_append_c (m, ',');
      csv_field_string (m, stream->device_id);
      g_string_append_c (m, ',');
      csv_field_string (m, stream->tag);
      g_string_append_c (m, ',');
    }
  else
    {
      g_string_append (m, ",\"fleet_id\":");
      fd_query_json_string (m, stream->fleet_id);
      g_string_append (m, ",\"device_id\":");
      fd_query_json_string (m, stream->device_id);
      g_string_append (m, ",\"tag\":");
      fd_query_json_string (m, stream->tag);
      g_string_append (m, ",\"payload\":");
    }
  g_free (stream->middle);
  stream->middle_len = m->len;
  stream->middle = g_string_free (g_steal_pointer (&m), FALSE);
}

void
fd_export_writer_begin (FdExportWriter *w)
{
  if (w->format == FD_EXPORT_CSV)
    {
      g_autoptr (GString) h = g_string_new ("timestamp_device,timestamp_in,fleet_id,device_id,tag");
      if (w->fields == NULL)
        g_string_append (h, ",payload");
      for (guint i = 0; i < w->n_fields; i++)
        {
          g_string_append_c (h, ',');
          csv_field_string (h, w->fields[i]);
        }
      g_string_append (h, "\r\n");
      fd_export_out_append (w->out, h->str, h->len);
    }
  else if (w->format == FD_EXPORT_JSON)
    fd_export_out_append (w->out, "[", 1);
}

void
fd_export_writer_end (FdExportWriter *w)
{
  if (w->format == FD_EXPORT_JSON)
    fd_export_out_append (w->out, "\n]\n", 3);
}

/* Fills w->values from @payload; FALSE when the stored payload does not scan (then the row's
 * field columns are empty). */
static gboolean
collect_fields (FdExportWriter *w, const char *payload, gsize payload_len)
{
  memset (w->values, 0, sizeof (FieldValue) * w->n_fields);
  if (!fd_payload_scan (w->scanner, payload, payload_len, NULL))
    return FALSE;
  for (guint i = 0; i < fd_payload_n_fields (w->scanner); i++)
    {
      const FdPayloadField *f = fd_payload_field (w->scanner, i);
      guint column = GPOINTER_TO_UINT (g_hash_table_lookup (w->columns, f->path));
      FieldValue *v;

      if (column == 0)
        continue;
      v = &w->values[column - 1];
      v->text = payload + f->value_offset;
      v->len = value_len (f, payload, payload_len);
      v->type = f->type;
      v->set = TRUE;
    }
  return TRUE;
}

static void
csv_value (FdExportWriter *w, const FieldValue *v)
{
  gboolean escaped = FALSE;

  switch (v->type)
    {
    case FD_FIELD_NULL:
      return;
    case FD_FIELD_NUMBER:
    case FD_FIELD_BOOLEAN:
      fd_export_out_append (w->out, v->text, v->len);
      return;
    case FD_FIELD_STRING:
      escaped = memchr (v->text + 1, '\\', v->len - 2) != NULL;
      if (!escaped)
        {
          csv_field (w->out, v->text + 1, v->len - 2, FALSE);
          return;
        }
      if (w->decoded_cap < v->len)
        {
          w->decoded_cap = MAX (v->len, 256);
          w->decoded = g_realloc (w->decoded, w->decoded_cap);
        }
      {
        gsize n = fd_payload_string_decode ((const guchar *)v->text + 1,
                                            (const guchar *)v->text + v->len - 1, w->decoded);
        csv_field (w->out, w->decoded, n, FALSE);
      }
      return;
    case FD_FIELD_ARRAY:
    case FD_FIELD_OBJECT:
      csv_field (w->out, v->text, v->len, FALSE);
      return;
    }
}

static void
json_fields (FdExportWriter *w)
{
  gboolean first = TRUE;

  fd_export_out_append (w->out, "{", 1);
  for (guint i = 0; i < w->n_fields; i++)
    {
      const FieldValue *v = &w->values[i];
      g_autoptr (GString) key = NULL;

      if (!v->set)
        continue;
      key = g_string_new (first ? "" : ",");
      fd_query_json_string (key, w->fields[i]);
      g_string_append_c (key, ':');
      fd_export_out_append (w->out, key->str, key->len);
      fd_export_out_append (w->out, v->text, v->len);
      first = FALSE;
    }
  fd_export_out_append (w->out, "}", 1);
}

void
fd_export_writer_row (FdExportWriter *w, const FdExportStream *stream, gint64 ts_device,
                      gint64 ts_in, const char *payload, gsize payload_len)
{
  FdExportOut *out = w->out;
  char *p;

  if (w->format == FD_EXPORT_CSV)
    {
      p = fd_export_out_reserve (out, 2 * FD_QUERY_TIME_LEN + 1 + stream->middle_len);
      fd_query_format_time (&w->device_time, ts_device, p);
      p[FD_QUERY_TIME_LEN] = ',';
      fd_query_format_time (&w->in_time, ts_in, p + FD_QUERY_TIME_LEN + 1);
      memcpy (p + 2 * FD_QUERY_TIME_LEN + 1, stream->middle, stream->middle_len);
      out->len += 2 * FD_QUERY_TIME_LEN + 1 + stream->middle_len;
      out->bytes += 2 * FD_QUERY_TIME_LEN + 1 + stream->middle_len;
      if (w->fields == NULL)
        csv_field (out, payload, payload_len, TRUE);
      else
        {
          /* The middle ends with a comma: the columns follow, separated by commas. */
          collect_fields (w, payload, payload_len);
          for (guint i = 0; i < w->n_fields; i++)
            {
              if (i > 0)
                fd_export_out_append (out, ",", 1);
              if (w->values[i].set)
                csv_value (w, &w->values[i]);
            }
        }
      fd_export_out_append (out, "\r\n", 2);
      return;
    }

  /* JSON and NDJSON: the same object; JSON puts it in an array. */
  {
    static const char head[] = "{\"timestamp_device\":\"";
    static const char mid[] = "\",\"timestamp_in\":\"";
    gsize n = (sizeof head - 1) + FD_QUERY_TIME_LEN + (sizeof mid - 1) + FD_QUERY_TIME_LEN + 1;
    gsize lead = w->format != FD_EXPORT_JSON ? 0 : w->first ? 1 : 2;

    p = fd_export_out_reserve (out, lead + n + stream->middle_len);
    if (lead == 1)
      *p++ = '\n';
    else if (lead == 2)
      {
        *p++ = ',';
        *p++ = '\n';
      }
    memcpy (p, head, sizeof head - 1);
    p += sizeof head - 1;
    fd_query_format_time (&w->device_time, ts_device, p);
    p += FD_QUERY_TIME_LEN;
    memcpy (p, mid, sizeof mid - 1);
    p += sizeof mid - 1;
    fd_query_format_time (&w->in_time, ts_in, p);
    p += FD_QUERY_TIME_LEN;
    *p++ = '"';
    memcpy (p, stream->middle, stream->middle_len);
    out->len += lead + n + stream->middle_len;
    out->bytes += lead + n + stream->middle_len;
    w->first = FALSE;
    if (w->fields == NULL)
      fd_export_out_append (out, payload, payload_len);
    else
      {
        collect_fields (w, payload, payload_len);
        json_fields (w);
      }
    fd_export_out_append (out, w->format == FD_EXPORT_JSON ? "}" : "}\n",
                          w->format == FD_EXPORT_JSON ? 1 : 2);
  }
}
