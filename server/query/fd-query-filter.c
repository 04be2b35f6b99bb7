/* fd-query-filter.c — filters and field selections on stored payloads.
 *
 * A stored payload is the scanner's compact copy, so scanning it again gives its flattened
 * fields with where each value starts in the text: a filter compares the value in place and a
 * selection copies the value's bytes, and no JSON tree is built for a row.
 */
#include "fd-query.h"
#include "ingest/fd-payload-private.h"

#include <math.h>
#include <string.h>

/* Stored payloads passed the transport's limits; a reader must never refuse one of them. */
#define STORED_MAX_BYTES (16 * 1024 * 1024)
#define STORED_MAX_DEPTH 64

struct _FdQueryPayload
{
  FdPayloadScanner *scanner;
  const char *text;
  gsize len;
  char *scratch; /* decoded string values */
  gsize scratch_len;
};

void
fd_query_filter_clear (FdQueryFilter *filter)
{
  g_clear_pointer (&filter->path, g_free);
  g_clear_pointer (&filter->string, g_free);
}

const char *
fd_query_filter_parse (const char *text, FdQueryFilter *filter)
{
  const char *op = strpbrk (text, "<>=!");
  g_autofree char *path = NULL;
  g_autofree char *value = NULL;
  gsize op_len = 1;
  char *end = NULL;
  gsize n;

  memset (filter, 0, sizeof *filter);
  if (op == NULL)
    return "a filter is PATH OP VALUE, OP one of > >= < <= = !=";
  if (op[0] == '<' || op[0] == '>' || op[0] == '!')
    {
      if (op[1] == '=')
        op_len = 2;
      else if (op[0] == '!')
        return "a filter is PATH OP VALUE, OP one of > >= < <= = !=";
    }
  if (op[0] == '<')
    filter->op = op_len == 2 ? FD_QUERY_OP_LE : FD_QUERY_OP_LT;
  else if (op[0] == '>')
    filter->op = op_len == 2 ? FD_QUERY_OP_GE : FD_QUERY_OP_GT;
  else if (op[0] == '!')
    filter->op = FD_QUERY_OP_NE;
  else
    filter->op = FD_QUERY_OP_EQ;

  path = g_strstrip (g_strndup (text, op - text));
  value = g_strstrip (g_strdup (op + op_len));
  if (*path == '\0')
    return "a filter needs a field path before its operator";
  if (*value == '\0')
    return "a filter needs a value after its operator";
  if (strpbrk (value, "<>=!") != NULL && value[0] != '"')
    return "a filter has one operator; quote a string value that contains < > = or !";
  n = strlen (value);
  if (n >= 2 && value[0] == '"' && value[n - 1] == '"')
    {
      filter->type = FD_FIELD_STRING;
      filter->string = g_strndup (value + 1, n - 2);
    }
  else if (g_str_equal (value, "true") || g_str_equal (value, "false"))
    {
      filter->type = FD_FIELD_BOOLEAN;
      filter->number = value[0] == 't';
    }
  else if ((filter->number = g_ascii_strtod (value, &end), end != NULL && *end == '\0')
           && isfinite (filter->number) && (g_ascii_isdigit (value[0]) || value[0] == '-'))
    filter->type = FD_FIELD_NUMBER;
  else
    {
      filter->type = FD_FIELD_STRING;
      filter->string = g_steal_pointer (&value);
    }
  filter->path = g_steal_pointer (&path);
  return NULL;
}

FdQueryPayload *
fd_query_payload_new (void)
{
  FdQueryPayload *p = g_new0 (FdQueryPayload, 1);

  p->scanner = fd_payload_scanner_new ();
  fd_payload_scanner_set_limits (p->scanner, STORED_MAX_BYTES, STORED_MAX_DEPTH);
  return p;
}

void
fd_query_payload_free (FdQueryPayload *p)
{
  if (p == NULL)
    return;
  fd_payload_scanner_free (p->scanner);
  g_free (p->scratch);
  g_free (p);
}

gboolean
fd_query_payload_load (FdQueryPayload *p, const char *payload)
{
  p->text = payload;
  p->len = strlen (payload);
  return fd_payload_scan (p->scanner, payload, p->len, NULL);
}

static const FdPayloadField *
find_field (FdQueryPayload *p, const char *path)
{
  guint n = fd_payload_n_fields (p->scanner);

  for (guint i = 0; i < n; i++)
    {
      const FdPayloadField *f = fd_payload_field (p->scanner, i);
      if (strcmp (f->path, path) == 0)
        return f;
    }
  return NULL;
}

/* The end of the (already checked) value of @f in the loaded text. */
static const guchar *
value_end (FdQueryPayload *p, const FdPayloadField *f)
{
  const guchar *start = (const guchar *)p->text, *end = start + p->len;
  const guchar *v = start + f->value_offset, *q;
  gboolean escaped;
  FdPayloadNumber num;
  int depth = 0;

  switch (f->type)
    {
    case FD_FIELD_STRING:
      q = fd_payload_string_end (start, v + 1, end, &escaped, NULL);
      return q != NULL ? q + 1 : end;
    case FD_FIELD_NUMBER:
      q = fd_payload_number_end (start, v, end, &num, NULL);
      return q != NULL ? q : end;
    case FD_FIELD_BOOLEAN:
      return v + (*v == 't' ? 4 : 5);
    case FD_FIELD_NULL:
      return v + 4;
    case FD_FIELD_ARRAY:
    case FD_FIELD_OBJECT:
      for (q = v; q < end; q++)
        {
          if (*q == '"')
            {
              q = fd_payload_string_end (start, q + 1, end, &escaped, NULL);
              if (q == NULL)
                return end;
            }
          else if (*q == '[' || *q == '{')
            depth++;
          else if ((*q == ']' || *q == '}') && --depth == 0)
            return q + 1;
        }
      return end;
    }
  return end;
}

/* The value of string field @f, decoded, NUL-terminated, in the scratch buffer. */
static const char *
string_value (FdQueryPayload *p, const FdPayloadField *f)
{
  const guchar *v = (const guchar *)p->text + f->value_offset;
  const guchar *q = value_end (p, f) - 1;
  gsize n;

  if (p->scratch_len < (gsize)(q - v) + 1)
    {
      p->scratch_len = (q - v) + 1;
      p->scratch = g_realloc (p->scratch, p->scratch_len);
    }
  n = fd_payload_string_decode (v + 1, q, p->scratch);
  p->scratch[n] = '\0';
  return p->scratch;
}

static gboolean
compare (FdQueryOp op, int c)
{
  switch (op)
    {
    case FD_QUERY_OP_LT:
      return c < 0;
    case FD_QUERY_OP_LE:
      return c <= 0;
    case FD_QUERY_OP_GT:
      return c > 0;
    case FD_QUERY_OP_GE:
      return c >= 0;
    case FD_QUERY_OP_EQ:
      return c == 0;
    case FD_QUERY_OP_NE:
      return c != 0;
    }
  return FALSE;
}

/* A value of another type than the filter's is not equal to it and not ordered with it; a row
 * without the field passes no filter on it. */
static gboolean
matches (FdQueryPayload *p, const FdQueryFilter *filter)
{
  const FdPayloadField *f = find_field (p, filter->path);
  int c;

  if (f == NULL)
    return FALSE;
  if (f->type != filter->type)
    return filter->op == FD_QUERY_OP_NE;
  if (filter->type == FD_FIELD_STRING)
    c = strcmp (string_value (p, f), filter->string);
  else
    c = f->number < filter->number ? -1 : f->number > filter->number ? 1 : 0;
  return compare (filter->op, c);
}

gboolean
fd_query_payload_matches (FdQueryPayload *p, const FdQueryFilter *filters, guint n)
{
  for (guint i = 0; i < n; i++)
    if (!matches (p, &filters[i]))
      return FALSE;
  return TRUE;
}

void
fd_query_payload_project (FdQueryPayload *p, const char *const *fields, GString *out)
{
  gboolean first = TRUE;

  g_string_append_c (out, '{');
  for (guint i = 0; fields[i] != NULL; i++)
    {
      const FdPayloadField *f = find_field (p, fields[i]);
      const char *v;

      if (f == NULL)
        continue;
      if (!first)
        g_string_append_c (out, ',');
      first = FALSE;
      fd_query_json_string (out, fields[i]);
      g_string_append_c (out, ':');
      v = p->text + f->value_offset;
      g_string_append_len (out, v, (const char *)value_end (p, f) - v);
    }
  g_string_append_c (out, '}');
}
