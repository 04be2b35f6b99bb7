/* fd-device-client-http.h — the little HTTP/1.1 a device needs (RFC 9112): requests with a
 * Content-Length, and a strict reader of answers (status line, headers, a Content-Length body,
 * bounded sizes). Chunked answers, interim (1xx) answers and obsolete line folding are errors:
 * the Fleetdesk device endpoint sends none, and a device should not guess.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define FD_DEVICE_HTTP_ERROR (fd_device_http_error_quark ())
GQuark fd_device_http_error_quark (void);

typedef enum
{
  FD_DEVICE_HTTP_ERROR_MALFORMED,   /* not an HTTP/1.x answer as RFC 9112 has it */
  FD_DEVICE_HTTP_ERROR_TOO_LARGE,   /* head or body over its bound */
  FD_DEVICE_HTTP_ERROR_UNSUPPORTED, /* chunked, 1xx, no Content-Length */
} FdDeviceHttpError;

#define FD_DEVICE_HTTP_MAX_HEAD_BYTES (16 * 1024)
#define FD_DEVICE_HTTP_MAX_HEADERS 64
#define FD_DEVICE_HTTP_MAX_BODY_BYTES (1024 * 1024)

typedef struct
{
  guint status;
  char *reason;
  gboolean keep_alive;  /* FALSE: the server closes the connection after this answer */
  gint64 retry_after_s; /* Retry-After in seconds; -1 when absent */
  char *content_type;   /* NULL when absent */
  char *etag;           /* NULL when absent */
  /* Content-Range "bytes FIRST-LAST/TOTAL" of a 206 (TOTAL -1 when "*"); all -1 when absent */
  gint64 range_first, range_last, range_total;
  GBytes *body;
} FdDeviceResponse;

void fd_device_response_free (FdDeviceResponse *response);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (FdDeviceResponse, fd_device_response_free)

/* The answer's error {"error": {"code", "message"}}: code and message, or NULL when the body is
 * not one. */
gboolean fd_device_response_get_error (FdDeviceResponse *response, char **code, char **message);

/* Appends a request head: "METHOD PATH HTTP/1.1", Host, Authorization (when @bearer is not
 * NULL), Content-Type and Content-Length (when @body_len is not -1), then the empty line. */
void fd_device_http_append_request (GString *out, const char *method, const char *host, guint port,
                                    const char *path, const char *bearer, const char *content_type,
                                    gssize body_len);
/* The same with @extra header lines (each ending in CRLF; may be NULL) after Authorization. */
void fd_device_http_append_request_full (GString *out, const char *method, const char *host,
                                         guint port, const char *path, const char *bearer,
                                         const char *extra, const char *content_type,
                                         gssize body_len);

/* Appends @segment percent-encoded: everything but ASCII letters, digits, "-", "_", ".", "~". */
void fd_device_http_append_segment (GString *out, const char *segment);

typedef enum
{
  FD_DEVICE_HTTP_NEED_MORE,
  FD_DEVICE_HTTP_DONE,
  FD_DEVICE_HTTP_FAILED,
} FdDeviceHttpResult;

/* Reads one answer from the bytes received so far. Feed it the whole buffer each time more has
 * arrived (it remembers how far it looked); on DONE, *consumed says how many bytes the answer
 * took and _steal_response gives it. Reset before the next answer. */
typedef struct
{
  gsize scanned;  /* bytes already searched for the end of the head */
  gsize head_len; /* 0 until the head was read */
  gsize body_len;
  gsize max_body;
  FdDeviceResponse *response;
} FdDeviceHttpReader;

void fd_device_http_reader_init (FdDeviceHttpReader *reader, gsize max_body);
void fd_device_http_reader_reset (FdDeviceHttpReader *reader);
FdDeviceHttpResult fd_device_http_reader_feed (FdDeviceHttpReader *reader, const guint8 *data,
                                               gsize len, gsize *consumed, GError **error);
FdDeviceResponse *fd_device_http_reader_steal_response (FdDeviceHttpReader *reader);

G_END_DECLS
