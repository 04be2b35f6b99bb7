/* test-device-http.c — the device endpoint's HTTP/1.1 parser, response writer and rate limiter,
 * on memory buffers: every input is tried whole and split byte by byte. */
#include "device/fd-device-http.h"
#include "device/fd-device-server.h"
#include "device/fd-rate-limit.h"

#include <json-glib/json-glib.h>
#include <string.h>

#define MAX_BODY 1000

/* Feeds @text in pieces of @step bytes (0: whole), parsing after each; returns the final
 * outcome. HEAD must come exactly once, and before REQUEST. */
static FdHttpParse
run (FdHttpParser *parser, const char *text, gsize len, gsize step)
{
  gsize off = 0;
  guint heads = 0;
  FdHttpParse r = FD_HTTP_NEED_MORE;

  if (step == 0)
    step = MAX (len, 1);
  while (off < len)
    {
      gsize n = MIN (step, len - off);
      if (!fd_http_parser_feed (parser, text + off, n))
        g_error ("the parser took fewer bytes than the request has (at %" G_GSIZE_FORMAT ")", off);
      off += n;
      for (;;)
        {
          r = fd_http_parser_parse (parser);
          if (r == FD_HTTP_HEAD)
            {
              heads++;
              continue;
            }
          break;
        }
      if (r == FD_HTTP_ERROR || r == FD_HTTP_REQUEST)
        break;
    }
  if (r == FD_HTTP_REQUEST)
    g_assert_cmpuint (heads, ==, 1);
  return r;
}

static FdHttpParser *
parse_ok (const char *text, gsize step)
{
  FdHttpParser *parser = fd_http_parser_new (MAX_BODY);

  g_assert_cmpint (run (parser, text, strlen (text), step), ==, FD_HTTP_REQUEST);
  return parser;
}

static void
test_simple_get (void)
{
  for (gsize step = 0; step <= 1; step++)
    {
      g_autoptr (FdHttpParser) parser
          = parse_ok ("GET /v1/whoami?x=1 HTTP/1.1\r\nHost: lab\r\nAuthorization: Bearer abc\r\n"
                      "User-Agent: t\r\n\r\n",
                      step);
      const FdHttpRequest *req = fd_http_parser_get_request (parser);

      g_assert_cmpstr (req->method, ==, "GET");
      g_assert_cmpstr (req->target, ==, "/v1/whoami?x=1");
      g_assert_cmpstr (req->path, ==, "/v1/whoami");
      g_assert_cmpstr (req->query, ==, "x=1");
      g_assert_cmpuint (req->minor, ==, 1);
      g_assert_true (req->keep_alive);
      g_assert_false (req->has_length);
      g_assert_cmpuint (req->content_length, ==, 0);
      g_assert_cmpstr (req->authorization, ==, "Bearer abc");
      g_assert_cmpuint (fd_http_parser_pending (parser), ==, 0);
    }
}

/* Byte by byte: the head is complete exactly at its last LF, the request at its last body byte,
 * never earlier. */
static void
test_byte_by_byte (void)
{
  const char *head = "POST /v1/data/t HTTP/1.1\r\nHost: x\r\ncontent-length:  7 \r\n"
                     "Content-Type: application/json\r\n\r\n";
  const char *body = "{\"a\":1}";
  g_autofree char *text = g_strconcat (head, body, NULL);
  g_autoptr (FdHttpParser) parser = fd_http_parser_new (MAX_BODY);
  gsize len = strlen (text), head_len = strlen (head);

  for (gsize i = 0; i < len; i++)
    {
      FdHttpParse r;
      g_assert_true (fd_http_parser_feed (parser, text + i, 1));
      r = fd_http_parser_parse (parser);
      if (i + 1 < head_len)
        g_assert_cmpint (r, ==, FD_HTTP_NEED_MORE);
      else if (i + 1 == head_len)
        {
          const FdHttpRequest *req;
          g_assert_cmpint (r, ==, FD_HTTP_HEAD);
          req = fd_http_parser_get_request (parser);
          g_assert_true (req->has_length);
          g_assert_cmpuint (req->content_length, ==, 7);
          g_assert_cmpstr (req->content_type, ==, "application/json");
          g_assert_false (fd_http_parser_body_complete (parser));
          g_assert_cmpint (fd_http_parser_parse (parser), ==, FD_HTTP_NEED_MORE);
        }
      else if (i + 1 < len)
        g_assert_cmpint (r, ==, FD_HTTP_NEED_MORE);
      else
        g_assert_cmpint (r, ==, FD_HTTP_REQUEST);
    }
  g_assert_cmpmem (fd_http_parser_get_request (parser)->body, 7, body, 7);
  g_assert_true (fd_http_parser_body_complete (parser));
}

/* Three requests in one read: each comes out in order after the one before was done with, and
 * nothing past the current request's body is asked for. */
static void
test_pipelining (void)
{
  const char *text = "POST /v1/up HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc"
                     "GET /v1/whoami HTTP/1.1\r\nHost: x\r\n\r\n"
                     "POST /v1/data/z HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n"
                     "Connection: close\r\n\r\nxy";
  const char *paths[] = { "/v1/up", "/v1/whoami", "/v1/data/z" };
  for (gsize step = 0; step <= 1; step++)
    {
      g_autoptr (FdHttpParser) parser = fd_http_parser_new (MAX_BODY);
      gsize len = strlen (text), off = 0;

      for (guint i = 0; i < G_N_ELEMENTS (paths); i++)
        {
          const FdHttpRequest *req;
          FdHttpParse r;
          gsize space;

          while ((r = fd_http_parser_parse (parser)) != FD_HTTP_REQUEST)
            {
              g_assert_cmpint (r, !=, FD_HTTP_ERROR);
              if (r == FD_HTTP_HEAD)
                continue;
              g_assert_cmpuint (off, <, len);
              fd_http_parser_get_space (parser, &space);
              space = MIN (space, step ? 1 : len - off);
              g_assert_true (fd_http_parser_feed (parser, text + off, space));
              off += space;
            }
          req = fd_http_parser_get_request (parser);
          g_assert_cmpstr (req->path, ==, paths[i]);
          g_assert_true (req->keep_alive == (i < 2));
          fd_http_parser_get_space (parser, &space);
          g_assert_cmpuint (space, ==, 0); /* read nothing until this one is answered */
          fd_http_parser_next (parser);
        }
      g_assert_cmpuint (off, ==, len);
      g_assert_cmpuint (fd_http_parser_pending (parser), ==, 0);
    }
}

static void
test_keep_alive (void)
{
  const struct
  {
    const char *text;
    gboolean keep_alive;
  } cases[] = {
    { "GET / HTTP/1.1\r\nHost: x\r\n\r\n", TRUE },
    { "GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", FALSE },
    { "GET / HTTP/1.1\r\nHost: x\r\nConnection: keep-alive, CLOSE\r\n\r\n", FALSE },
    { "GET / HTTP/1.1\r\nHost: x\r\nConnection: te\r\nConnection: close\r\n\r\n", FALSE },
    { "GET / HTTP/1.1\r\nHost: x\r\nConnection: closed\r\n\r\n", TRUE },
    { "GET / HTTP/1.0\r\n\r\n", FALSE },
    { "GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n", TRUE },
    { "GET / HTTP/1.0\r\nConnection: keep-alive\r\nConnection: close\r\n\r\n", FALSE },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    for (gsize step = 0; step <= 1; step++)
      {
        g_autoptr (FdHttpParser) parser = parse_ok (cases[i].text, step);
        g_assert_cmpint (fd_http_parser_get_request (parser)->keep_alive, ==, cases[i].keep_alive);
      }
}

static void
test_expect_continue (void)
{
  g_autoptr (FdHttpParser) p11 = fd_http_parser_new (MAX_BODY);
  g_autoptr (FdHttpParser) p10 = fd_http_parser_new (MAX_BODY);
  const char *h11 = "POST /v1/up HTTP/1.1\r\nHost: x\r\nExpect: 100-Continue\r\n"
                    "Content-Length: 5\r\n\r\n";
  const char *h10 = "POST /v1/up HTTP/1.0\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\n";

  g_assert_true (fd_http_parser_feed (p11, h11, strlen (h11)));
  g_assert_cmpint (fd_http_parser_parse (p11), ==, FD_HTTP_HEAD);
  g_assert_true (fd_http_parser_get_request (p11)->expect_continue);
  g_assert_cmpint (fd_http_parser_parse (p11), ==, FD_HTTP_NEED_MORE);
  /* HTTP/1.0 peers do not know 100 Continue: the expectation is ignored. */
  g_assert_true (fd_http_parser_feed (p10, h10, strlen (h10)));
  g_assert_cmpint (fd_http_parser_parse (p10), ==, FD_HTTP_HEAD);
  g_assert_false (fd_http_parser_get_request (p10)->expect_continue);
}

/* Empty lines before a request line are skipped (RFC 9112 2.2). */
static void
test_leading_empty_lines (void)
{
  g_autoptr (FdHttpParser) parser
      = parse_ok ("\r\n\r\nGET /v1/whoami HTTP/1.1\r\nHost: x\r\n\r\n", 1);
  g_assert_cmpstr (fd_http_parser_get_request (parser)->path, ==, "/v1/whoami");
}

typedef struct
{
  const char *text;
  guint status;
  const char *code;
} Refusal;

static const Refusal refusals[] = {
  /* line endings */
  { "GET / HTTP/1.1\nHost: x\n\n", 400, "bad_request" },
  { "GET / HTTP/1.1\r\nHost: x\n\r\n", 400, "bad_request" },
  { "GET / HTTP/1.1\r\nHost: x\r\n\n", 400, "bad_request" },
  { "\nGET / HTTP/1.1\r\nHost: x\r\n\r\n", 400, "bad_request" },
  { "GET / HTTP/1.1\r\nHost: x\rX: y\r\n\r\n", 400, "bad_request" },
  { "GET / HTTP/1.1\r\nHost: x\r\n\rZ\r\n", 400, "bad_request" },
  /* header syntax */
  { "GET / HTTP/1.1\r\nHost: x\r\nX-A: 1\r\n  folded\r\n\r\n", 400, "bad_request" },
  { "GET / HTTP/1.1\r\nHost: x\r\n\tX-A: 1\r\n\r\n", 400, "bad_request" },
  { "GET / HTTP/1.1\r\nHost : x\r\n\r\n", 400, "bad_request" },
  { "GET / HTTP/1.1\r\nHost: x\r\n: x\r\n\r\n", 400, "bad_request" },
  { "GET / HTTP/1.1\r\nHost: x\r\nNo colon\r\n\r\n", 400, "bad_request" },
  { "GET / HTTP/1.1\r\nHost: x\r\nX\xc3\xa9: 1\r\n\r\n", 400, "bad_request" },
  { "GET / HTTP/1.1\r\nHost: x\r\nX: a\x01z\r\n\r\n", 400, "bad_request" },
  { "GET / HTTP/1.1\r\nHost: x\r\nX: a\x7fz\r\n\r\n", 400, "bad_request" },
  { "GET / HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer a\r\nAuthorization: Bearer b\r\n\r\n", 400,
    "bad_request" },
  /* Host */
  { "GET / HTTP/1.1\r\n\r\n", 400, "bad_request" },
  { "GET / HTTP/1.1\r\nHost: x\r\nHost: y\r\n\r\n", 400, "bad_request" },
  { "GET / HTTP/1.0\r\nHost: x\r\nHost: y\r\n\r\n", 400, "bad_request" },
  /* request line */
  { "GET  / HTTP/1.1\r\nHost: x\r\n\r\n", 400, "bad_request" },
  { "GET / HTTP/1.1 \r\nHost: x\r\n\r\n", 400, "bad_request" },
  { "GET /\r\nHost: x\r\n\r\n", 400, "bad_request" },
  { "GET / http/1.1\r\nHost: x\r\n\r\n", 400, "bad_request" },
  { "GET / HTTP/1.10\r\nHost: x\r\n\r\n", 400, "bad_request" },
  { "GET http://lab/v1/whoami HTTP/1.1\r\nHost: x\r\n\r\n", 400, "bad_request" },
  { "OPTIONS * HTTP/1.1\r\nHost: x\r\n\r\n", 400, "bad_request" },
  { "GET /t\xc3\xa9 HTTP/1.1\r\nHost: x\r\n\r\n", 400, "bad_request" },
  { "G(T / HTTP/1.1\r\nHost: x\r\n\r\n", 400, "bad_request" },
  { "ABCDEFGHIJKLMNOPQ / HTTP/1.1\r\nHost: x\r\n\r\n", 400, "bad_request" },
  { "GET / HTTP/2.0\r\nHost: x\r\n\r\n", 505, "http_version_not_supported" },
  { "GET / HTTP/1.2\r\nHost: x\r\n\r\n", 505, "http_version_not_supported" },
  { "GET / HTTP/0.9\r\nHost: x\r\n\r\n", 505, "http_version_not_supported" },
  /* bodies */
  { "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n", 411, "length_required" },
  { "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nTransfer-Encoding: identity\r\n\r\n", 411,
    "length_required" },
  { "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nContent-Length: 3\r\n\r\n", 400,
    "bad_request" },
  { "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: -5\r\n\r\n", 413, "payload_too_large" },
  { "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: +5\r\n\r\n", 413, "payload_too_large" },
  { "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5 5\r\n\r\n", 413, "payload_too_large" },
  { "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 3, 3\r\n\r\n", 413, "payload_too_large" },
  { "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 0x10\r\n\r\n", 413, "payload_too_large" },
  { "POST / HTTP/1.1\r\nHost: x\r\nContent-Length:\r\n\r\n", 413, "payload_too_large" },
  { "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 18446744073709551616\r\n\r\n", 413,
    "payload_too_large" },
  { "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 1001\r\n\r\n", 413, "payload_too_large" },
};

static void
test_refusals (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (refusals); i++)
    for (gsize step = 0; step <= 1; step++)
      {
        g_autoptr (FdHttpParser) parser = fd_http_parser_new (MAX_BODY);
        const char *text = refusals[i].text;
        FdHttpParse r = run (parser, text, strlen (text), step);
        guint status;
        const char *code, *message;

        if (r != FD_HTTP_ERROR)
          g_error ("case %u (%s) was not refused", i, g_strescape (text, NULL));
        fd_http_parser_get_error (parser, &status, &code, &message);
        g_test_message ("case %u: %u %s: %s", i, status, code, message);
        g_assert_cmpuint (status, ==, refusals[i].status);
        g_assert_cmpstr (code, ==, refusals[i].code);
        g_assert_true (message != NULL && *message != '\0');
        /* A refusal is final, whatever else arrives. */
        g_assert_cmpint (fd_http_parser_parse (parser), ==, FD_HTTP_ERROR);
      }
}

/* Things that look odd but are HTTP. */
static void
test_accepted_oddities (void)
{
  const char *cases[] = {
    "GET / HTTP/1.0\r\n\r\n",                                        /* no Host in 1.0 */
    "GET / HTTP/1.1\r\nhOsT:x\r\n\r\n",                              /* case, no space */
    "GET / HTTP/1.1\r\nHost: x\r\nX-Empty:\r\n\r\n",                 /* empty value */
    "GET / HTTP/1.1\r\nHost: x\r\nX: caf\xc3\xa9 \t\r\n\r\n",        /* obs-text, trailing OWS */
    "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 0003\r\n\r\nabc", /* leading zeros */
    "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n",
    "ABCDEFGHIJKLMNOP / HTTP/1.1\r\nHost: x\r\n\r\n", /* a 16-character method */
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    for (gsize step = 0; step <= 1; step++)
      {
        g_autoptr (FdHttpParser) parser = parse_ok (cases[i], step);
        (void)parser;
      }
}

/* A head of @size bytes in all: request line, Host, a padding header, then header lines. */
static char *
head_of_size (gsize size, guint extra_lines)
{
  GString *s = g_string_new ("GET /v1/whoami HTTP/1.1\r\nHost: x\r\n");
  for (guint i = 0; i < extra_lines; i++)
    g_string_append_printf (s, "X-%u: y\r\n", i);
  g_string_append (s, "X-Pad: ");
  g_assert_cmpuint (s->len + 4, <=, size);
  while (s->len + 4 < size)
    g_string_append_c (s, 'a');
  g_string_append (s, "\r\n\r\n");
  g_assert_cmpuint (s->len, ==, size);
  return g_string_free (s, FALSE);
}

static void
test_head_limit (void)
{
  for (gsize step = 0; step <= 1; step++)
    {
      g_autofree char *exact = head_of_size (FD_DEVICE_MAX_HEAD_BYTES, 0);
      g_autofree char *over = head_of_size (FD_DEVICE_MAX_HEAD_BYTES + 1, 0);
      g_autoptr (FdHttpParser) ok = fd_http_parser_new (MAX_BODY);
      g_autoptr (FdHttpParser) bad = fd_http_parser_new (MAX_BODY);
      guint status;
      const char *code, *message;

      g_assert_cmpint (run (ok, exact, strlen (exact), step ? 1 : 0), ==, FD_HTTP_REQUEST);
      /* One byte more never fits: the parser refuses once it holds the limit without an end. */
      g_assert_false (fd_http_parser_feed (bad, over, strlen (over)));
      g_assert_cmpint (fd_http_parser_parse (bad), ==, FD_HTTP_ERROR);
      fd_http_parser_get_error (bad, &status, &code, &message);
      g_assert_cmpuint (status, ==, 431);
      g_assert_cmpstr (code, ==, "headers_too_large");
    }

  /* A head that never ends: refused exactly when the limit is reached, not before. */
  {
    g_autoptr (FdHttpParser) parser = fd_http_parser_new (MAX_BODY);
    g_autofree char *junk = g_strnfill (FD_DEVICE_MAX_HEAD_BYTES - 30, 'a');
    g_autofree char *text = g_strconcat ("GET / HTTP/1.1\r\nX: ", junk, NULL);
    gsize len = strlen (text);
    g_autofree char *rest = g_strnfill (FD_DEVICE_MAX_HEAD_BYTES - len, 'b');

    g_assert_true (fd_http_parser_feed (parser, text, len));
    g_assert_cmpint (fd_http_parser_parse (parser), ==, FD_HTTP_NEED_MORE);
    g_assert_true (fd_http_parser_feed (parser, rest, strlen (rest) - 1));
    g_assert_cmpint (fd_http_parser_parse (parser), ==, FD_HTTP_NEED_MORE);
    g_assert_true (fd_http_parser_feed (parser, "b", 1));
    g_assert_cmpint (fd_http_parser_parse (parser), ==, FD_HTTP_ERROR);
  }
}

static void
test_header_count_limit (void)
{
  g_autofree char *exact = head_of_size (2000, FD_HTTP_MAX_HEADERS - 2); /* + Host + X-Pad */
  g_autofree char *over = head_of_size (2000, FD_HTTP_MAX_HEADERS - 1);

  for (gsize step = 0; step <= 1; step++)
    {
      g_autoptr (FdHttpParser) ok = fd_http_parser_new (MAX_BODY);
      g_autoptr (FdHttpParser) bad = fd_http_parser_new (MAX_BODY);
      guint status;
      const char *code, *message;

      g_assert_cmpint (run (ok, exact, strlen (exact), step), ==, FD_HTTP_REQUEST);
      g_assert_cmpint (run (bad, over, strlen (over), step), ==, FD_HTTP_ERROR);
      fd_http_parser_get_error (bad, &status, &code, &message);
      g_assert_cmpuint (status, ==, 431);
      g_assert_cmpstr (code, ==, "headers_too_large");
    }
}

static void
test_body_limit (void)
{
  g_autofree char *body = g_strnfill (MAX_BODY, 'z');
  g_autofree char *exact = g_strdup_printf ("POST /v1/data/t HTTP/1.1\r\nHost: x\r\n"
                                            "Content-Length: %d\r\n\r\n%s",
                                            MAX_BODY, body);
  g_autofree char *over = g_strdup_printf ("POST /v1/data/t HTTP/1.1\r\nHost: x\r\n"
                                           "Content-Length: %d\r\n\r\n%sz",
                                           MAX_BODY + 1, body);
  for (gsize step = 0; step <= 1; step++)
    {
      g_autoptr (FdHttpParser) ok = fd_http_parser_new (MAX_BODY);
      g_autoptr (FdHttpParser) bad = fd_http_parser_new (MAX_BODY);
      guint status;
      const char *code, *message;

      g_assert_cmpint (run (ok, exact, strlen (exact), step), ==, FD_HTTP_REQUEST);
      g_assert_cmpuint (fd_http_parser_get_request (ok)->content_length, ==, MAX_BODY);
      g_assert_cmpint (run (bad, over, strlen (over), step), ==, FD_HTTP_ERROR);
      fd_http_parser_get_error (bad, &status, &code, &message);
      g_assert_cmpuint (status, ==, 413);
      g_assert_cmpstr (code, ==, "payload_too_large");
    }
  /* The real limit of the endpoint is taken, and only after the head says so is room made. */
  {
    g_autoptr (FdHttpParser) parser = fd_http_parser_new (FD_DEVICE_MAX_BODY_BYTES);
    g_autofree char *head = g_strdup_printf ("POST /v1/data/t HTTP/1.1\r\nHost: x\r\n"
                                             "Content-Length: %d\r\n\r\n",
                                             FD_DEVICE_MAX_BODY_BYTES);
    gsize space, total = 0;

    fd_http_parser_get_space (parser, &space);
    g_assert_cmpuint (space, <=, FD_DEVICE_MAX_HEAD_BYTES);
    g_assert_true (fd_http_parser_feed (parser, head, strlen (head)));
    g_assert_cmpint (fd_http_parser_parse (parser), ==, FD_HTTP_HEAD);
    while (fd_http_parser_get_space (parser, &space) != NULL)
      {
        total += space;
        fd_http_parser_advance (parser, space);
      }
    g_assert_cmpuint (total, ==, FD_DEVICE_MAX_BODY_BYTES);
    g_assert_cmpint (fd_http_parser_parse (parser), ==, FD_HTTP_REQUEST);
  }
}

static void
test_percent_decode (void)
{
  const struct
  {
    const char *in;
    const char *out; /* NULL: refused */
  } cases[] = {
    { "weather", "weather" },
    { "t%C3%A9", "t\xc3\xa9" },
    { "a%2fb", "a/b" },
    { "%7E_-.", "~_-." },
    { "", "" },
    { "%00", NULL },
    { "a%00b", NULL },
    { "%4", NULL },
    { "%", NULL },
    { "%zz", NULL },
    { "%G0", NULL },
    { "%FF", NULL },
    { "%C3", NULL },
    { "%ED%A0%80", NULL }, /* a surrogate */
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      const char *why = NULL;
      g_autofree char *out = fd_http_percent_decode (cases[i].in, strlen (cases[i].in), &why);
      g_assert_cmpstr (out, ==, cases[i].out);
      if (out == NULL)
        g_assert_nonnull (why);
    }
}

static char *
response_text (GBytes *bytes)
{
  gsize len;
  const char *data = g_bytes_get_data (bytes, &len);
  return g_strndup (data, len);
}

static void
test_response (void)
{
  const char *body = "{\"accepted\":1}";
  const char *extra[] = { "Retry-After: 1", NULL };
  g_autoptr (GBytes) plain = fd_http_response (202, NULL, body, strlen (body), FALSE, FALSE, FALSE);
  g_autoptr (GBytes) closing
      = fd_http_response (429, extra, body, strlen (body), TRUE, FALSE, FALSE);
  g_autoptr (GBytes) ka10 = fd_http_response (200, NULL, body, strlen (body), FALSE, TRUE, FALSE);
  g_autoptr (GBytes) head = fd_http_response (405, NULL, body, strlen (body), FALSE, FALSE, TRUE);
  g_autofree char *t1 = response_text (plain);
  g_autofree char *t2 = response_text (closing);
  g_autofree char *t3 = response_text (ka10);
  g_autofree char *t4 = response_text (head);

  g_assert_true (g_str_has_prefix (t1, "HTTP/1.1 202 Accepted\r\n"));
  g_assert_true (g_regex_match_simple ("\r\nDate: (Mon|Tue|Wed|Thu|Fri|Sat|Sun), [0-9]{2} "
                                       "[A-Z][a-z]{2} [0-9]{4} [0-9]{2}:[0-9]{2}:[0-9]{2} GMT\r\n",
                                       t1, 0, 0));
  g_assert_nonnull (strstr (t1, "\r\nContent-Type: application/json\r\n"));
  g_assert_nonnull (strstr (t1, "\r\nContent-Length: 14\r\n"));
  g_assert_null (strstr (t1, "Connection:"));
  g_assert_true (g_str_has_suffix (t1, "\r\n\r\n{\"accepted\":1}"));

  g_assert_true (g_str_has_prefix (t2, "HTTP/1.1 429 Too Many Requests\r\n"));
  g_assert_nonnull (strstr (t2, "\r\nRetry-After: 1\r\n"));
  g_assert_nonnull (strstr (t2, "\r\nConnection: close\r\n"));

  g_assert_nonnull (strstr (t3, "\r\nConnection: keep-alive\r\n"));

  /* An answer to HEAD: the length of the body it would have, and no body. */
  g_assert_nonnull (strstr (t4, "\r\nContent-Length: 14\r\n"));
  g_assert_true (g_str_has_suffix (t4, "\r\n\r\n"));
}

static void
test_error_json (void)
{
  g_autofree char *json
      = fd_http_error_json ("invalid_tag", "bad \"tag\" \\ \n\x01 caf\xc3\xa9 \xff");
  g_autoptr (JsonNode) node = json_from_string (json, NULL);
  JsonObject *error;

  g_assert_nonnull (node);
  error = json_object_get_object_member (json_node_get_object (node), "error");
  g_assert_cmpstr (json_object_get_string_member (error, "code"), ==, "invalid_tag");
  g_assert_cmpstr (json_object_get_string_member (error, "message"), ==,
                   "bad \"tag\" \\ \n\x01 caf\xc3\xa9 \xef\xbf\xbd");
}

static void
test_rate_limit (void)
{
  FdRateLimit *limit = fd_rate_limit_new (10, 20);
  gint64 t = (gint64)1000 * G_USEC_PER_SEC;
  guint retry = 0;

  for (guint i = 0; i < 20; i++)
    g_assert_true (fd_rate_limit_take (limit, "dev-a", t, &retry));
  g_assert_false (fd_rate_limit_take (limit, "dev-a", t, &retry));
  g_assert_cmpuint (retry, ==, 1);
  /* Another device has its own bucket. */
  g_assert_true (fd_rate_limit_take (limit, "dev-b", t, &retry));
  /* 10 per second: one token after 100 ms, not after 90. */
  g_assert_false (fd_rate_limit_take (limit, "dev-a", t + 90 * 1000, &retry));
  g_assert_true (fd_rate_limit_take (limit, "dev-a", t + 100 * 1000, &retry));
  g_assert_false (fd_rate_limit_take (limit, "dev-a", t + 100 * 1000, &retry));
  /* The bucket never holds more than the burst, however long it rested. */
  t += (gint64)3600 * G_USEC_PER_SEC;
  for (guint i = 0; i < 20; i++)
    g_assert_true (fd_rate_limit_take (limit, "dev-a", t, &retry));
  g_assert_false (fd_rate_limit_take (limit, "dev-a", t, &retry));
  /* Full buckets are forgotten: only the busy device is kept. */
  g_assert_cmpuint (fd_rate_limit_size (limit), ==, 1);
  fd_rate_limit_free (limit);

  /* burst 0 means twice the rate; rate 0 means no limit. */
  limit = fd_rate_limit_new (3, 0);
  for (guint i = 0; i < 6; i++)
    g_assert_true (fd_rate_limit_take (limit, "d", t, &retry));
  g_assert_false (fd_rate_limit_take (limit, "d", t, &retry));
  fd_rate_limit_free (limit);
  limit = fd_rate_limit_new (0, 0);
  for (guint i = 0; i < 10000; i++)
    g_assert_true (fd_rate_limit_take (limit, "d", t, &retry));
  fd_rate_limit_free (limit);
}

/* A WebSocket handshake: the upgrade is seen only with both Upgrade and Connection tokens; the
 * Sec-WebSocket-* values are kept, several Protocol headers joined; a second Key is refused. */
static void
test_websocket_head (void)
{
  g_autoptr (FdHttpParser) parser = parse_ok (
      "GET /mqtt HTTP/1.1\r\nHost: lab\r\nUpgrade: WebSocket\r\nConnection: keep-alive, Upgrade\r\n"
      "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
      "Sec-WebSocket-Protocol: chat\r\nSec-WebSocket-Protocol: mqtt\r\n\r\n",
      0);
  g_autoptr (FdHttpParser) plain
      = parse_ok ("GET /mqtt HTTP/1.1\r\nHost: lab\r\nUpgrade: websocket\r\n\r\n", 0);
  g_autoptr (FdHttpParser) twice = fd_http_parser_new (MAX_BODY);
  const char *two_keys = "GET /mqtt HTTP/1.1\r\nHost: lab\r\nSec-WebSocket-Key: a\r\n"
                         "Sec-WebSocket-Key: b\r\n\r\n";
  const FdHttpRequest *req = fd_http_parser_get_request (parser);

  g_assert_true (req->upgrade_websocket);
  g_assert_cmpstr (req->ws_key, ==, "dGhlIHNhbXBsZSBub25jZQ==");
  g_assert_cmpstr (req->ws_version, ==, "13");
  g_assert_cmpstr (req->ws_protocol, ==, "chat, mqtt");
  g_assert_false (fd_http_parser_get_request (plain)->upgrade_websocket);
  g_assert_cmpint (run (twice, two_keys, strlen (two_keys), 0), ==, FD_HTTP_ERROR);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/device-http/simple-get", test_simple_get);
  g_test_add_func ("/device-http/byte-by-byte", test_byte_by_byte);
  g_test_add_func ("/device-http/pipelining", test_pipelining);
  g_test_add_func ("/device-http/keep-alive", test_keep_alive);
  g_test_add_func ("/device-http/expect-continue", test_expect_continue);
  g_test_add_func ("/device-http/leading-empty-lines", test_leading_empty_lines);
  g_test_add_func ("/device-http/refusals", test_refusals);
  g_test_add_func ("/device-http/accepted-oddities", test_accepted_oddities);
  g_test_add_func ("/device-http/head-limit", test_head_limit);
  g_test_add_func ("/device-http/header-count-limit", test_header_count_limit);
  g_test_add_func ("/device-http/body-limit", test_body_limit);
  g_test_add_func ("/device-http/percent-decode", test_percent_decode);
  g_test_add_func ("/device-http/response", test_response);
  g_test_add_func ("/device-http/error-json", test_error_json);
  g_test_add_func ("/device-http/rate-limit", test_rate_limit);
  g_test_add_func ("/device-http/websocket-head", test_websocket_head);
  return g_test_run ();
}
