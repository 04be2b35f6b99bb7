/* fd-device-http.h — a small, strict HTTP/1.1 request reader and response writer for the device
 * endpoint. It knows nothing of sockets or TLS: bytes go into the parser's buffer, requests come
 * out, so every rule can be tested on plain memory.
 *
 * What it accepts: "METHOD SP /origin-form SP HTTP/1.1|HTTP/1.0" CRLF, header lines "name:
 * value" CRLF (name a token, no space before the colon), an empty line, then exactly
 * Content-Length bytes of body. Lines must end in CRLF: a bare LF or CR is refused (400), as is
 * obs-fold (a line starting with SP/HTAB). Limits: the head (request line to the empty line
 * included) at most FD_DEVICE_MAX_HEAD_BYTES (431 past it), at most FD_HTTP_MAX_HEADERS header
 * lines (431), a body at most the parser's max_body (413). Transfer-Encoding of any kind is 411;
 * a Content-Length that is not one plain decimal is 413, a repeated one 400. HTTP/1.1 requests
 * need exactly one Host. Every refusal is final: the caller answers it and closes.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define FD_HTTP_MAX_HEADERS 64
#define FD_HTTP_MAX_METHOD 16 /* longer method tokens are refused (400) */

typedef enum
{
  FD_HTTP_NEED_MORE, /* read more bytes into the parser */
  FD_HTTP_HEAD,      /* the head of a request is complete (once per request); parse again */
  FD_HTTP_REQUEST,   /* the head and the whole body are here */
  FD_HTTP_ERROR,     /* refused: see fd_http_parser_get_error(); answer and close */
} FdHttpParse;

typedef struct
{
  char *method;
  char *target;        /* the request-target as sent: "/v1/data/t%C3%A9?x=1" */
  char *path;          /* the target up to '?', still percent-encoded */
  char *query;         /* after '?', or NULL */
  guint minor;         /* 0 for HTTP/1.0, 1 for HTTP/1.1 */
  gboolean keep_alive; /* persistent after this request (version default + Connection) */
  gboolean expect_continue;
  gboolean has_length;  /* a Content-Length was sent */
  gsize content_length; /* 0 without one */
  char *authorization;  /* the Authorization value, or NULL */
  char *content_type;   /* or NULL */
  char *range;          /* the Range value (GET /v1/firmware), or NULL */
  char *if_range;       /* the If-Range value, or NULL */
  /* A WebSocket handshake (RFC 6455 §4.2.1): "Upgrade: websocket" with "Connection: upgrade",
   * and the Sec-WebSocket-* values as sent (several Protocol headers joined by ", "), or NULL. */
  gboolean upgrade_websocket;
  char *ws_key;
  char *ws_version;
  char *ws_protocol;
  const char *body; /* content_length bytes, valid until fd_http_parser_next() */
  gsize head_len;   /* bytes of the head, CRLF CRLF included */
} FdHttpRequest;

typedef struct _FdHttpParser FdHttpParser;

/* @max_body: the largest Content-Length taken (at most FD_DEVICE_MAX_BODY_BYTES in the server). */
FdHttpParser *fd_http_parser_new (gsize max_body);
void fd_http_parser_free (FdHttpParser *parser);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (FdHttpParser, fd_http_parser_free)

/* Where the next bytes read from the peer go, and how many fit (*@len). The buffer grows only
 * as the current request needs: up to the head limit while reading a head, then to exactly the
 * head plus its body. *@len is 0 when the current request is complete (read nothing until
 * fd_http_parser_next()) or refused. */
guint8 *fd_http_parser_get_space (FdHttpParser *parser, gsize *len);
/* @n bytes were written into the space fd_http_parser_get_space() gave. */
void fd_http_parser_advance (FdHttpParser *parser, gsize n);
/* Copies @data in, growing as above; FALSE when it does not all fit (tests, and pipelined
 * input beyond the current request is the caller's to hold back). */
gboolean fd_http_parser_feed (FdHttpParser *parser, const void *data, gsize len);

FdHttpParse fd_http_parser_parse (FdHttpParser *parser);
/* The request once fd_http_parser_parse() returned HEAD or REQUEST (body only with REQUEST). */
const FdHttpRequest *fd_http_parser_get_request (FdHttpParser *parser);
/* TRUE when the whole body of the current request is buffered. */
gboolean fd_http_parser_body_complete (FdHttpParser *parser);
/* After ERROR: the status (400, 411, 413, 431, 505), the error code and a message. */
void fd_http_parser_get_error (FdHttpParser *parser, guint *status, const char **code,
                               const char **message);

/* Drops the current request and keeps what followed it (pipelined bytes) for the next parse;
 * gives back memory a large body needed. */
void fd_http_parser_next (FdHttpParser *parser);
/* Bytes buffered that belong to no finished request (0: idle between requests). */
gsize fd_http_parser_pending (FdHttpParser *parser);

/* Percent-decodes @len bytes of a path segment. NULL (with a message in *@why) when a '%' is not
 * followed by two hex digits, decodes to NUL, or the result is not UTF-8. */
char *fd_http_percent_decode (const char *text, gsize len, const char **why);

/* The standard reason phrase of @status ("Accepted"). */
const char *fd_http_reason (guint status);

/* A complete response: status line, Content-Type: application/json, Content-Length, the
 * @extra header lines (each "Name: value", NULL-terminated array, may be NULL), Connection:
 * close when @close (or keep-alive for an HTTP/1.0 peer when @keep_alive_10), then @body unless
 * @omit_body (an answer to HEAD). */
GBytes *fd_http_response (guint status, const char *const *extra, const char *body, gsize body_len,
                          gboolean close, gboolean keep_alive_10, gboolean omit_body);

/* The head of an answer whose body is sent apart (a file): the status line, @content_type,
 * Content-Length: @length, the @extra lines (NULL-terminated, may be NULL), Connection as in
 * fd_http_response(), and the empty line. */
GBytes *fd_http_response_head (guint status, const char *content_type, guint64 length,
                               const char *const *extra, gboolean close, gboolean keep_alive_10);

/* {"error":{"code":@code,"message":@message}} with @message made valid UTF-8 and escaped. */
char *fd_http_error_json (const char *code, const char *message);
/* Appends @s (@len bytes, -1 for NUL-terminated) as a JSON string literal, quotes included. */
void fd_http_append_json_string (GString *out, const char *s, gssize len);

#define FD_HTTP_CONTINUE "HTTP/1.1 100 Continue\r\n\r\n"

G_END_DECLS
