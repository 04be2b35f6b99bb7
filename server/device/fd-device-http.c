/* fd-device-http.c — the strict HTTP/1.1 request parser and response writer of the device
 * endpoint (rules in fd-device-http.h). The head is scanned once, byte by byte as it arrives, so
 * a bare LF or CR, or one line too many, is refused the moment it is seen rather than after
 * waiting for an end of head that will never come.
 */
#include "config.h"

#include "fd-device-http.h"
#include "fd-device-server.h"

#include <string.h>

#define INITIAL_BUFFER 4096
/* After a large body, an idle connection keeps at most this much buffer. */
#define KEPT_BUFFER (16 * 1024)

typedef enum
{
  ST_HEAD,
  ST_BODY,
  ST_DONE,
  ST_ERROR,
} ParserState;

struct _FdHttpParser
{
  gsize max_body;
  guint8 *buf;
  gsize cap;
  gsize len;

  ParserState state;
  gboolean head_reported;
  /* Scanning the head. */
  gsize scanned;    /* bytes looked at */
  gsize line_start; /* where the current line begins */
  gsize head_start; /* where the request line begins (after empty lines, which are ignored) */
  guint n_lines;    /* complete lines, the request line included */

  FdHttpRequest req;
  guint err_status;
  const char *err_code;
  char *err_message;
};

FdHttpParser *
fd_http_parser_new (gsize max_body)
{
  FdHttpParser *parser = g_new0 (FdHttpParser, 1);

  parser->max_body = max_body;
  return parser;
}

static void
request_clear (FdHttpRequest *req)
{
  g_free (req->method);
  g_free (req->target);
  g_free (req->path);
  g_free (req->query);
  g_free (req->authorization);
  g_free (req->content_type);
  g_free (req->range);
  g_free (req->if_range);
  g_free (req->ws_key);
  g_free (req->ws_version);
  g_free (req->ws_protocol);
  memset (req, 0, sizeof *req);
}

void
fd_http_parser_free (FdHttpParser *parser)
{
  if (parser == NULL)
    return;
  request_clear (&parser->req);
  g_free (parser->err_message);
  g_free (parser->buf);
  g_free (parser);
}

static FdHttpParse fail (FdHttpParser *parser, guint status, const char *code, const char *format,
                         ...) G_GNUC_PRINTF (4, 5);

static FdHttpParse
fail (FdHttpParser *parser, guint status, const char *code, const char *format, ...)
{
  va_list args;

  parser->state = ST_ERROR;
  parser->err_status = status;
  parser->err_code = code;
  va_start (args, format);
  g_free (parser->err_message);
  parser->err_message = g_strdup_vprintf (format, args);
  va_end (args);
  return FD_HTTP_ERROR;
}

static gsize
request_end (FdHttpParser *parser)
{
  return parser->req.head_len + parser->req.content_length;
}

/* The most the buffer may hold in the current state. */
static gsize
buffer_limit (FdHttpParser *parser)
{
  switch (parser->state)
    {
    case ST_HEAD:
      return FD_DEVICE_MAX_HEAD_BYTES;
    case ST_BODY:
      return request_end (parser);
    default:
      return 0;
    }
}

guint8 *
fd_http_parser_get_space (FdHttpParser *parser, gsize *len)
{
  gsize limit = buffer_limit (parser);

  *len = 0;
  if (parser->len >= limit)
    return NULL;
  /* Grow geometrically, never past what this request may need. */
  if (parser->cap - parser->len < 1024 && parser->cap < limit)
    {
      gsize cap = MAX (parser->cap * 2, INITIAL_BUFFER);
      parser->cap = MIN (cap, limit);
      parser->buf = g_realloc (parser->buf, parser->cap);
    }
  *len = MIN (parser->cap, limit) - parser->len;
  return parser->buf + parser->len;
}

void
fd_http_parser_advance (FdHttpParser *parser, gsize n)
{
  g_return_if_fail (parser->len + n <= parser->cap);
  parser->len += n;
}

gboolean
fd_http_parser_feed (FdHttpParser *parser, const void *data, gsize len)
{
  const guint8 *bytes = data;

  while (len > 0)
    {
      gsize space;
      guint8 *to = fd_http_parser_get_space (parser, &space);
      gsize n = MIN (space, len);

      if (n == 0)
        return FALSE;
      memcpy (to, bytes, n);
      fd_http_parser_advance (parser, n);
      bytes += n;
      len -= n;
    }
  return TRUE;
}

/* RFC 9110 tchar. */
static gboolean
is_tchar (guint8 c)
{
  return g_ascii_isalnum (c) || (c != '\0' && strchr ("!#$%&'*+-.^_`|~", c) != NULL);
}

static gboolean
is_ows (guint8 c)
{
  return c == ' ' || c == '\t';
}

static FdHttpParse
parse_request_line (FdHttpParser *parser, const char *line, gsize len)
{
  FdHttpRequest *req = &parser->req;
  gsize i = 0, target_start, target_end;
  const char *version, *q;

  while (i < len && is_tchar (line[i]))
    i++;
  if (i == 0 || i >= len || line[i] != ' ')
    return fail (parser, 400, "bad_request", "the request line is not METHOD SP target SP version");
  if (i > FD_HTTP_MAX_METHOD)
    return fail (parser, 400, "bad_request", "the method is longer than %d characters",
                 FD_HTTP_MAX_METHOD);
  req->method = g_strndup (line, i);

  target_start = ++i;
  while (i < len && (guint8)line[i] > 0x20 && (guint8)line[i] < 0x7f)
    i++;
  target_end = i;
  if (i >= len || line[i] != ' ')
    return fail (parser, 400, "bad_request",
                 "the request target has a character outside visible ASCII, or the request line "
                 "has no version");
  if (target_end == target_start || line[target_start] != '/')
    return fail (parser, 400, "bad_request", "the request target must be a path starting with /");

  version = line + i + 1;
  if (len - (gsize)(version - line) != 8 || strncmp (version, "HTTP/", 5) != 0
      || !g_ascii_isdigit (version[5]) || version[6] != '.' || !g_ascii_isdigit (version[7]))
    return fail (parser, 400, "bad_request", "the request line does not end in HTTP/1.1");
  if (version[5] != '1' || (version[7] != '0' && version[7] != '1'))
    return fail (parser, 505, "http_version_not_supported",
                 "only HTTP/1.1 and HTTP/1.0 are spoken here");
  req->minor = version[7] - '0';

  req->target = g_strndup (line + target_start, target_end - target_start);
  q = strchr (req->target, '?');
  req->path = q ? g_strndup (req->target, q - req->target) : g_strdup (req->target);
  req->query = q ? g_strdup (q + 1) : NULL;
  return FD_HTTP_NEED_MORE;
}

typedef struct
{
  guint n_length;
  gboolean length_bad;
  guint64 length;
  gboolean transfer_encoding;
  gboolean conn_close;
  gboolean conn_keep_alive;
  gboolean conn_upgrade;
  gboolean upgrade_websocket;
  gboolean expect_continue;
  guint n_host;
} HeadFacts;

static gboolean
token_list_has (const char *value, gsize len, const char *token)
{
  gsize tlen = strlen (token), i = 0;

  while (i < len)
    {
      gsize start, end;
      while (i < len && (is_ows (value[i]) || value[i] == ','))
        i++;
      start = i;
      while (i < len && value[i] != ',')
        i++;
      end = i;
      while (end > start && is_ows (value[end - 1]))
        end--;
      if (end - start == tlen && g_ascii_strncasecmp (value + start, token, tlen) == 0)
        return TRUE;
    }
  return FALSE;
}

static gboolean
name_is (const char *name, gsize len, const char *want)
{
  return strlen (want) == len && g_ascii_strncasecmp (name, want, len) == 0;
}

static FdHttpParse
parse_header (FdHttpParser *parser, HeadFacts *facts, const char *line, gsize len)
{
  FdHttpRequest *req = &parser->req;
  gsize name_len = 0, vstart, vend;
  const char *value;
  gsize value_len;

  if (is_ows (line[0]))
    return fail (parser, 400, "bad_request",
                 "a header line starts with white space (obsolete line folding is not accepted)");
  while (name_len < len && is_tchar (line[name_len]))
    name_len++;
  if (name_len == 0 || name_len >= len || line[name_len] != ':')
    return fail (parser, 400, "bad_request",
                 "a header line is not name:value (a name is a token, with no space before the "
                 "colon)");
  vstart = name_len + 1;
  vend = len;
  while (vstart < vend && is_ows (line[vstart]))
    vstart++;
  while (vend > vstart && is_ows (line[vend - 1]))
    vend--;
  for (gsize i = vstart; i < vend; i++)
    {
      guint8 c = line[i];
      if (c < 0x20 && c != '\t')
        return fail (parser, 400, "bad_request", "a header value contains a control character");
      if (c == 0x7f)
        return fail (parser, 400, "bad_request", "a header value contains a control character");
    }
  value = line + vstart;
  value_len = vend - vstart;

  if (name_is (line, name_len, "Content-Length"))
    {
      guint64 n = 0;
      facts->n_length++;
      if (value_len == 0 || value_len > 20)
        facts->length_bad = TRUE;
      for (gsize i = 0; i < value_len && !facts->length_bad; i++)
        {
          if (!g_ascii_isdigit (value[i]) || n > (G_MAXUINT64 - 9) / 10)
            facts->length_bad = TRUE;
          else
            n = n * 10 + (guint64)(value[i] - '0');
        }
      facts->length = n;
    }
  else if (name_is (line, name_len, "Transfer-Encoding"))
    facts->transfer_encoding = TRUE;
  else if (name_is (line, name_len, "Connection"))
    {
      facts->conn_close |= token_list_has (value, value_len, "close");
      facts->conn_keep_alive |= token_list_has (value, value_len, "keep-alive");
      facts->conn_upgrade |= token_list_has (value, value_len, "upgrade");
    }
  else if (name_is (line, name_len, "Upgrade"))
    facts->upgrade_websocket |= token_list_has (value, value_len, "websocket");
  else if (name_is (line, name_len, "Sec-WebSocket-Key"))
    {
      if (req->ws_key != NULL)
        return fail (parser, 400, "bad_request", "more than one Sec-WebSocket-Key header");
      req->ws_key = g_strndup (value, value_len);
    }
  else if (name_is (line, name_len, "Sec-WebSocket-Version"))
    {
      if (req->ws_version != NULL)
        return fail (parser, 400, "bad_request", "more than one Sec-WebSocket-Version header");
      req->ws_version = g_strndup (value, value_len);
    }
  else if (name_is (line, name_len, "Sec-WebSocket-Protocol"))
    {
      g_autofree char *more = g_strndup (value, value_len);
      char *joined = req->ws_protocol ? g_strconcat (req->ws_protocol, ", ", more, NULL)
                                      : g_steal_pointer (&more);
      g_free (req->ws_protocol);
      req->ws_protocol = joined;
    }
  else if (name_is (line, name_len, "Expect"))
    facts->expect_continue
        |= value_len == 12 && g_ascii_strncasecmp (value, "100-continue", 12) == 0;
  else if (name_is (line, name_len, "Host"))
    facts->n_host++;
  else if (name_is (line, name_len, "Authorization"))
    {
      if (req->authorization != NULL)
        return fail (parser, 400, "bad_request", "more than one Authorization header");
      req->authorization = g_strndup (value, value_len);
    }
  else if (name_is (line, name_len, "Content-Type") && req->content_type == NULL)
    req->content_type = g_strndup (value, value_len);
  else if (name_is (line, name_len, "Range"))
    {
      /* Two Range headers are not one range: the request is refused, not guessed at. */
      if (req->range != NULL)
        return fail (parser, 400, "bad_request", "more than one Range header");
      req->range = g_strndup (value, value_len);
    }
  else if (name_is (line, name_len, "If-Range") && req->if_range == NULL)
    req->if_range = g_strndup (value, value_len);
  return FD_HTTP_NEED_MORE;
}

/* The head is buf[head_start, head_end): every line ends in CRLF, the last one is empty. */
static FdHttpParse
parse_head (FdHttpParser *parser, gsize head_end)
{
  FdHttpRequest *req = &parser->req;
  HeadFacts facts = { 0 };
  const char *p = (const char *)parser->buf + parser->head_start;
  const char *end = (const char *)parser->buf + head_end - 2; /* before the empty line's CRLF */
  gboolean first = TRUE;

  while (p < end)
    {
      const char *eol = memchr (p, '\r', end - p);
      FdHttpParse r;

      g_assert (eol != NULL); /* the scan checked that every CR is followed by LF */
      r = first ? parse_request_line (parser, p, eol - p)
                : parse_header (parser, &facts, p, eol - p);
      if (r == FD_HTTP_ERROR)
        return r;
      first = FALSE;
      p = eol + 2;
    }

  if (facts.transfer_encoding)
    return fail (parser, 411, "length_required",
                 "Transfer-Encoding is not accepted (chunked bodies neither): send a "
                 "Content-Length");
  if (facts.n_length > 1)
    return fail (parser, 400, "bad_request", "more than one Content-Length header");
  if (facts.length_bad)
    return fail (parser, 413, "payload_too_large",
                 "the Content-Length is not one plain decimal number");
  if (facts.length > parser->max_body)
    return fail (parser, 413, "payload_too_large",
                 "the body of %" G_GUINT64_FORMAT " bytes is over the limit of %" G_GSIZE_FORMAT
                 " bytes",
                 facts.length, parser->max_body);
  /* RFC 9112 3.2: more than one Host is refused whatever the version; HTTP/1.0 may omit it. */
  if (facts.n_host > 1)
    return fail (parser, 400, "bad_request", "more than one Host header");
  if (req->minor == 1 && facts.n_host != 1)
    return fail (parser, 400, "bad_request", "an HTTP/1.1 request needs exactly one Host header");

  req->upgrade_websocket = facts.upgrade_websocket && facts.conn_upgrade;
  req->has_length = facts.n_length == 1;
  req->content_length = (gsize)facts.length;
  req->head_len = head_end;
  req->keep_alive
      = req->minor == 1 ? !facts.conn_close : facts.conn_keep_alive && !facts.conn_close;
  /* RFC 9110 10.1.1: a 100-continue expectation of an HTTP/1.0 request is ignored. */
  req->expect_continue = facts.expect_continue && req->minor == 1;
  return FD_HTTP_HEAD;
}

/* Scans the bytes that arrived since last time for line ends; returns HEAD once the empty line
 * that ends the head is found. */
static FdHttpParse
scan_head (FdHttpParser *parser)
{
  for (gsize i = parser->scanned; i < parser->len; i++)
    {
      guint8 c = parser->buf[i];

      if (i > parser->line_start && parser->buf[i - 1] == '\r' && c != '\n')
        return fail (parser, 400, "bad_request", "a CR not followed by LF in the request head");
      if (c != '\n')
        continue;
      if (i == parser->line_start || parser->buf[i - 1] != '\r')
        return fail (parser, 400, "bad_request",
                     "a line of the request head ends in a bare LF (lines end in CRLF)");
      if (i - 1 == parser->line_start)
        {
          parser->scanned = i + 1;
          parser->line_start = i + 1;
          if (parser->n_lines == 0)
            {
              /* RFC 9112 2.2: empty lines before the request line are ignored. */
              parser->head_start = i + 1;
              continue;
            }
          return parse_head (parser, i + 1);
        }
      parser->n_lines++;
      if (parser->n_lines > 1 + FD_HTTP_MAX_HEADERS)
        return fail (parser, 431, "headers_too_large", "more than %d header lines",
                     FD_HTTP_MAX_HEADERS);
      parser->line_start = i + 1;
    }
  parser->scanned = parser->len;
  /* The buffer holds at most the limit (buffer_limit()): full without an end is too much. */
  if (parser->len >= FD_DEVICE_MAX_HEAD_BYTES)
    return fail (parser, 431, "headers_too_large", "the request line and headers are over %d bytes",
                 FD_DEVICE_MAX_HEAD_BYTES);
  return FD_HTTP_NEED_MORE;
}

FdHttpParse
fd_http_parser_parse (FdHttpParser *parser)
{
  switch (parser->state)
    {
    case ST_ERROR:
      return FD_HTTP_ERROR;
    case ST_HEAD:
      {
        FdHttpParse r = scan_head (parser);
        if (r != FD_HTTP_HEAD)
          return r;
        parser->state = ST_BODY;
        parser->head_reported = TRUE;
        return FD_HTTP_HEAD;
      }
    case ST_BODY:
      if (parser->len < request_end (parser))
        return FD_HTTP_NEED_MORE;
      parser->state = ST_DONE;
      parser->req.body = (const char *)parser->buf + parser->req.head_len;
      return FD_HTTP_REQUEST;
    case ST_DONE:
      return FD_HTTP_REQUEST;
    }
  g_assert_not_reached ();
}

const FdHttpRequest *
fd_http_parser_get_request (FdHttpParser *parser)
{
  g_return_val_if_fail (parser->state == ST_BODY || parser->state == ST_DONE, NULL);
  return &parser->req;
}

gboolean
fd_http_parser_body_complete (FdHttpParser *parser)
{
  return (parser->state == ST_BODY || parser->state == ST_DONE)
         && parser->len >= request_end (parser);
}

void
fd_http_parser_get_error (FdHttpParser *parser, guint *status, const char **code,
                          const char **message)
{
  g_return_if_fail (parser->state == ST_ERROR);
  *status = parser->err_status;
  *code = parser->err_code;
  *message = parser->err_message;
}

void
fd_http_parser_next (FdHttpParser *parser)
{
  gsize used;

  g_return_if_fail (parser->state == ST_DONE);
  used = request_end (parser);
  memmove (parser->buf, parser->buf + used, parser->len - used);
  parser->len -= used;
  request_clear (&parser->req);
  parser->state = ST_HEAD;
  parser->head_reported = FALSE;
  parser->scanned = parser->line_start = parser->head_start = 0;
  parser->n_lines = 0;
  if (parser->cap > KEPT_BUFFER && parser->len <= KEPT_BUFFER)
    {
      parser->cap = KEPT_BUFFER;
      parser->buf = g_realloc (parser->buf, parser->cap);
    }
}

gsize
fd_http_parser_pending (FdHttpParser *parser)
{
  return parser->state == ST_DONE ? parser->len - request_end (parser) : parser->len;
}

static int
hex_value (char c)
{
  if (c >= '0' && c <= '9')
    return c - '0';
  if (c >= 'a' && c <= 'f')
    return c - 'a' + 10;
  if (c >= 'A' && c <= 'F')
    return c - 'A' + 10;
  return -1;
}

char *
fd_http_percent_decode (const char *text, gsize len, const char **why)
{
  g_autoptr (GString) out = g_string_sized_new (len);

  for (gsize i = 0; i < len; i++)
    {
      int hi, lo;
      if (text[i] != '%')
        {
          if (text[i] == '\0')
            {
              *why = "it contains a NUL byte";
              return NULL;
            }
          g_string_append_c (out, text[i]);
          continue;
        }
      if (i + 2 >= len || (hi = hex_value (text[i + 1])) < 0 || (lo = hex_value (text[i + 2])) < 0)
        {
          *why = "a % is not followed by two hexadecimal digits";
          return NULL;
        }
      if (hi == 0 && lo == 0)
        {
          *why = "it contains %00";
          return NULL;
        }
      g_string_append_c (out, (char)(hi * 16 + lo));
      i += 2;
    }
  if (!g_utf8_validate (out->str, out->len, NULL))
    {
      *why = "it is not UTF-8 once percent-decoded";
      return NULL;
    }
  return g_string_free (g_steal_pointer (&out), FALSE);
}
