/* fd-device-client-http.c — HTTP/1.1 requests and a strict reader of answers, for devices. */
#include "fd-device-client-http.h"

#include <string.h>
#include <json-glib/json-glib.h>

/* Not G_DEFINE_QUARK: clang-format would put spaces into the quark's name. */
GQuark
fd_device_http_error_quark (void)
{
  return g_quark_from_static_string ("fd-device-http-error-quark");
}

void
fd_device_response_free (FdDeviceResponse *response)
{
  if (response == NULL)
    return;
  g_free (response->reason);
  g_free (response->content_type);
  g_free (response->etag);
  g_clear_pointer (&response->body, g_bytes_unref);
  g_free (response);
}

gboolean
fd_device_response_get_error (FdDeviceResponse *response, char **code, char **message)
{
  g_autoptr (JsonParser) parser = json_parser_new_immutable ();
  gsize len = 0;
  const char *data = response->body ? g_bytes_get_data (response->body, &len) : NULL;
  JsonNode *root;
  JsonObject *err;

  *code = *message = NULL;
  if (len == 0 || !json_parser_load_from_data (parser, data, (gssize)len, NULL))
    return FALSE;
  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    return FALSE;
  err = json_object_get_object_member (json_node_get_object (root), "error");
  if (err == NULL)
    return FALSE;
  *code = g_strdup (json_object_get_string_member_with_default (err, "code", NULL));
  *message = g_strdup (json_object_get_string_member_with_default (err, "message", NULL));
  return *code != NULL || *message != NULL;
}

void
fd_device_http_append_request (GString *out, const char *method, const char *host, guint port,
                               const char *path, const char *bearer, const char *content_type,
                               gssize body_len)
{
  fd_device_http_append_request_full (out, method, host, port, path, bearer, NULL, content_type,
                                      body_len);
}

void
fd_device_http_append_request_full (GString *out, const char *method, const char *host, guint port,
                                    const char *path, const char *bearer, const char *extra,
                                    const char *content_type, gssize body_len)
{
  gboolean v6 = strchr (host, ':') != NULL;

  g_string_append_printf (out, "%s %s HTTP/1.1\r\nHost: %s%s%s:%u\r\n", method, path, v6 ? "[" : "",
                          host, v6 ? "]" : "", port);
  if (bearer != NULL)
    g_string_append_printf (out, "Authorization: Bearer %s\r\n", bearer);
  if (extra != NULL)
    g_string_append (out, extra);
  if (body_len >= 0)
    {
      if (content_type != NULL)
        g_string_append_printf (out, "Content-Type: %s\r\n", content_type);
      g_string_append_printf (out, "Content-Length: %" G_GSSIZE_FORMAT "\r\n", body_len);
    }
  g_string_append (out, "\r\n");
}

void
fd_device_http_append_segment (GString *out, const char *segment)
{
  static const char hex[] = "0123456789ABCDEF";

  for (const guchar *p = (const guchar *)segment; *p; p++)
    {
      if (g_ascii_isalnum (*p) || *p == '-' || *p == '_' || *p == '.' || *p == '~')
        g_string_append_c (out, (char)*p);
      else
        {
          g_string_append_c (out, '%');
          g_string_append_c (out, hex[*p >> 4]);
          g_string_append_c (out, hex[*p & 0xf]);
        }
    }
}

void
fd_device_http_reader_init (FdDeviceHttpReader *reader, gsize max_body)
{
  memset (reader, 0, sizeof *reader);
  reader->max_body = max_body ? max_body : FD_DEVICE_HTTP_MAX_BODY_BYTES;
}

void
fd_device_http_reader_reset (FdDeviceHttpReader *reader)
{
  gsize max_body = reader->max_body;

  g_clear_pointer (&reader->response, fd_device_response_free);
  fd_device_http_reader_init (reader, max_body);
}

FdDeviceResponse *
fd_device_http_reader_steal_response (FdDeviceHttpReader *reader)
{
  return g_steal_pointer (&reader->response);
}

static FdDeviceHttpResult
fail (GError **error, FdDeviceHttpError code, const char *what)
{
  g_set_error (error, FD_DEVICE_HTTP_ERROR, code, "the server's answer %s", what);
  return FD_DEVICE_HTTP_FAILED;
}

/* RFC 9110 token characters, for header names. */
static gboolean
is_tchar (char c)
{
  return g_ascii_isalnum (c) || (c != '\0' && strchr ("!#$%&'*+-.^_`|~", c) != NULL);
}

/* A strictly decimal number of at most 15 digits (Content-Length, Retry-After). */
static gboolean
parse_decimal (const char *s, gsize len, guint64 *out)
{
  guint64 v = 0;

  if (len == 0 || len > 15)
    return FALSE;
  for (gsize i = 0; i < len; i++)
    {
      if (!g_ascii_isdigit (s[i]))
        return FALSE;
      v = v * 10 + (guint64)(s[i] - '0');
    }
  *out = v;
  return TRUE;
}

/* Content-Range "bytes FIRST-LAST/TOTAL" (TOTAL may be "*"); FALSE when it is not one. */
static gboolean
parse_content_range (FdDeviceResponse *r, const char *v, gsize len)
{
  const char *end = v + len, *dash, *slash;
  guint64 first = 0, last = 0, total = 0;

  if (len < 6 || memcmp (v, "bytes ", 6) != 0)
    return FALSE;
  v += 6;
  dash = memchr (v, '-', (gsize)(end - v));
  slash = memchr (v, '/', (gsize)(end - v));
  if (dash == NULL || slash == NULL || slash < dash || !parse_decimal (v, (gsize)(dash - v), &first)
      || !parse_decimal (dash + 1, (gsize)(slash - dash - 1), &last) || last < first)
    return FALSE;
  if (end - slash == 2 && slash[1] == '*')
    r->range_total = -1;
  else if (parse_decimal (slash + 1, (gsize)(end - slash - 1), &total) && total > last)
    r->range_total = (gint64)total;
  else
    return FALSE;
  r->range_first = (gint64)first;
  r->range_last = (gint64)last;
  return TRUE;
}

/* TRUE when the comma-separated list @value (the Connection header) has @token. */
static gboolean
list_has_token (const char *value, gsize len, const char *token)
{
  gsize tlen = strlen (token);
  gsize i = 0;

  while (i < len)
    {
      gsize start, end;
      while (i < len && (value[i] == ' ' || value[i] == '\t' || value[i] == ','))
        i++;
      start = i;
      while (i < len && value[i] != ',')
        i++;
      end = i;
      while (end > start && (value[end - 1] == ' ' || value[end - 1] == '\t'))
        end--;
      if (end - start == tlen && g_ascii_strncasecmp (value + start, token, tlen) == 0)
        return TRUE;
    }
  return FALSE;
}

static FdDeviceHttpResult
parse_status_line (FdDeviceResponse *r, const char *line, gsize len, gboolean *http10,
                   GError **error)
{
  /* "HTTP/1.1 202 Accepted": the reason phrase may be empty, the space before it may not. */
  if (len < 12 || memcmp (line, "HTTP/1.", 7) != 0 || (line[7] != '0' && line[7] != '1')
      || line[8] != ' ' || !g_ascii_isdigit (line[9]) || !g_ascii_isdigit (line[10])
      || !g_ascii_isdigit (line[11]) || (len > 12 && line[12] != ' '))
    return fail (error, FD_DEVICE_HTTP_ERROR_MALFORMED,
                 "does not start with an HTTP/1.x status line");
  *http10 = line[7] == '0';
  r->status = (guint)((line[9] - '0') * 100 + (line[10] - '0') * 10 + (line[11] - '0'));
  if (r->status < 100)
    return fail (error, FD_DEVICE_HTTP_ERROR_MALFORMED, "has a status below 100");
  if (r->status < 200)
    return fail (error, FD_DEVICE_HTTP_ERROR_UNSUPPORTED,
                 "is an interim (1xx) answer, which this client never asks for");
  r->reason = g_strndup (len > 13 ? line + 13 : "", len > 13 ? len - 13 : 0);
  return FD_DEVICE_HTTP_DONE;
}

/* The CR of the CRLF that ends the line at @p (before @end), or NULL when a bare CR or LF
 * comes first. */
static const char *
line_end (const char *p, const char *end)
{
  for (; p < end; p++)
    {
      if (*p == '\n')
        return NULL;
      if (*p == '\r')
        return p[1] == '\n' ? p : NULL;
    }
  return NULL;
}

/* Parses the head (@len bytes, ending with the empty line) into reader->response. */
static FdDeviceHttpResult
parse_head (FdDeviceHttpReader *reader, const char *head, gsize len, GError **error)
{
  g_autoptr (FdDeviceResponse) r = g_new0 (FdDeviceResponse, 1);
  gboolean http10 = FALSE, have_length = FALSE, close = FALSE, keep_alive = FALSE;
  guint64 content_length = 0;
  guint headers = 0;
  const char *p = head, *end = head + len - 2; /* the final empty line's CRLF */
  const char *eol;

  r->retry_after_s = -1;
  r->range_first = r->range_last = r->range_total = -1;
  if (memchr (head, '\0', len) != NULL)
    return fail (error, FD_DEVICE_HTTP_ERROR_MALFORMED, "has a NUL byte in its head");

  eol = line_end (p, end);
  if (eol == NULL)
    return fail (error, FD_DEVICE_HTTP_ERROR_MALFORMED, "has a line not ended by CRLF");
  if (parse_status_line (r, p, (gsize)(eol - p), &http10, error) != FD_DEVICE_HTTP_DONE)
    return FD_DEVICE_HTTP_FAILED;
  p = eol + 2;

  while (p < end)
    {
      const char *colon, *value, *vend;
      gsize name_len;

      eol = line_end (p, end);
      if (eol == NULL)
        return fail (error, FD_DEVICE_HTTP_ERROR_MALFORMED, "has a line not ended by CRLF");
      if (*p == ' ' || *p == '\t')
        return fail (error, FD_DEVICE_HTTP_ERROR_MALFORMED, "uses obsolete line folding");
      if (++headers > FD_DEVICE_HTTP_MAX_HEADERS)
        return fail (error, FD_DEVICE_HTTP_ERROR_TOO_LARGE, "has too many header lines");
      colon = memchr (p, ':', (gsize)(eol - p));
      if (colon == NULL || colon == p)
        return fail (error, FD_DEVICE_HTTP_ERROR_MALFORMED, "has a header line without a name");
      for (const char *q = p; q < colon; q++)
        if (!is_tchar (*q))
          return fail (error, FD_DEVICE_HTTP_ERROR_MALFORMED, "has a bad header name");
      name_len = (gsize)(colon - p);
      value = colon + 1;
      vend = eol;
      while (value < vend && (*value == ' ' || *value == '\t'))
        value++;
      while (vend > value && (vend[-1] == ' ' || vend[-1] == '\t'))
        vend--;

#define NAME_IS(lit) (name_len == strlen (lit) && g_ascii_strncasecmp (p, lit, name_len) == 0)
      if (NAME_IS ("Content-Length"))
        {
          guint64 v = 0;
          if (!parse_decimal (value, (gsize)(vend - value), &v))
            return fail (error, FD_DEVICE_HTTP_ERROR_MALFORMED, "has a bad Content-Length");
          if (have_length && v != content_length)
            return fail (error, FD_DEVICE_HTTP_ERROR_MALFORMED,
                         "has two different Content-Length headers");
          have_length = TRUE;
          content_length = v;
        }
      else if (NAME_IS ("Transfer-Encoding"))
        return fail (error, FD_DEVICE_HTTP_ERROR_UNSUPPORTED,
                     "has a Transfer-Encoding (chunked), which this client does not read");
      else if (NAME_IS ("Connection"))
        {
          close |= list_has_token (value, (gsize)(vend - value), "close");
          keep_alive |= list_has_token (value, (gsize)(vend - value), "keep-alive");
        }
      else if (NAME_IS ("Retry-After"))
        {
          guint64 v = 0;
          if (parse_decimal (value, (gsize)(vend - value), &v))
            r->retry_after_s = (gint64)v;
        }
      else if (NAME_IS ("Content-Type") && r->content_type == NULL)
        r->content_type = g_strndup (value, (gsize)(vend - value));
      else if (NAME_IS ("ETag") && r->etag == NULL)
        r->etag = g_strndup (value, (gsize)(vend - value));
      else if (NAME_IS ("Content-Range"))
        {
          if (!parse_content_range (r, value, (gsize)(vend - value)))
            return fail (error, FD_DEVICE_HTTP_ERROR_MALFORMED, "has a bad Content-Range");
        }
#undef NAME_IS
      p = eol + 2;
    }

  if (!have_length)
    {
      if (r->status != 204 && r->status != 304)
        return fail (error, FD_DEVICE_HTTP_ERROR_UNSUPPORTED,
                     "has no Content-Length, which this client needs to find its end");
      content_length = 0;
    }
  if (content_length > reader->max_body)
    return fail (error, FD_DEVICE_HTTP_ERROR_TOO_LARGE, "has a body larger than allowed");
  r->keep_alive = http10 ? keep_alive && !close : !close;
  reader->head_len = len;
  reader->body_len = (gsize)content_length;
  reader->response = g_steal_pointer (&r);
  return FD_DEVICE_HTTP_DONE;
}

FdDeviceHttpResult
fd_device_http_reader_feed (FdDeviceHttpReader *reader, const guint8 *data, gsize len,
                            gsize *consumed, GError **error)
{
  *consumed = 0;
  if (reader->head_len == 0)
    {
      gsize from = reader->scanned > 3 ? reader->scanned - 3 : 0;
      gsize limit = MIN (len, (gsize)FD_DEVICE_HTTP_MAX_HEAD_BYTES);
      const guint8 *found = NULL;

      for (gsize i = from; i + 4 <= limit; i++)
        if (data[i] == '\r' && data[i + 1] == '\n' && data[i + 2] == '\r' && data[i + 3] == '\n')
          {
            found = data + i;
            break;
          }
      if (found == NULL)
        {
          reader->scanned = limit;
          if (len >= FD_DEVICE_HTTP_MAX_HEAD_BYTES)
            return fail (error, FD_DEVICE_HTTP_ERROR_TOO_LARGE, "has a head over 16 KiB");
          return FD_DEVICE_HTTP_NEED_MORE;
        }
      if (parse_head (reader, (const char *)data, (gsize)(found - data) + 4, error)
          != FD_DEVICE_HTTP_DONE)
        return FD_DEVICE_HTTP_FAILED;
    }
  if (len < reader->head_len + reader->body_len)
    return FD_DEVICE_HTTP_NEED_MORE;
  reader->response->body = g_bytes_new (data + reader->head_len, reader->body_len);
  *consumed = reader->head_len + reader->body_len;
  return FD_DEVICE_HTTP_DONE;
}
