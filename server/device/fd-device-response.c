/* fd-device-response.c — the device endpoint's answers: status line, headers, JSON bodies and
 * error objects (declared in fd-device-http.h). Every answer is application/json with a
 * Content-Length, so a client always knows where it ends.
 */
#include "config.h"

#include "fd-device-http.h"
#include "fd-util.h"

#include <string.h>

const char *
fd_http_reason (guint status)
{
  switch (status)
    {
    case 100:
      return "Continue";
    case 200:
      return "OK";
    case 202:
      return "Accepted";
    case 206:
      return "Partial Content";
    case 400:
      return "Bad Request";
    case 401:
      return "Unauthorized";
    case 404:
      return "Not Found";
    case 403:
      return "Forbidden";
    case 405:
      return "Method Not Allowed";
    case 408:
      return "Request Timeout";
    case 411:
      return "Length Required";
    case 413:
      return "Content Too Large";
    case 416:
      return "Range Not Satisfiable";
    case 426:
      return "Upgrade Required";
    case 429:
      return "Too Many Requests";
    case 431:
      return "Request Header Fields Too Large";
    case 500:
      return "Internal Server Error";
    case 503:
      return "Service Unavailable";
    case 505:
      return "HTTP Version Not Supported";
    default:
      return "Unknown";
    }
}

/* IMF-fixdate (RFC 9110 5.6.7), independent of the locale. */
static void
append_date (GString *out)
{
  static const char days[7][4] = { "Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun" };
  static const char months[12][4]
      = { "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };
  g_autoptr (GDateTime) now = g_date_time_new_now_utc ();

  g_string_append_printf (
      out, "Date: %s, %02d %s %04d %02d:%02d:%02d GMT\r\n",
      days[g_date_time_get_day_of_week (now) - 1], g_date_time_get_day_of_month (now),
      months[g_date_time_get_month (now) - 1], g_date_time_get_year (now),
      g_date_time_get_hour (now), g_date_time_get_minute (now), g_date_time_get_second (now));
}

/* The status line and headers, up to the blank line that ends them. */
static void
append_head (GString *out, guint status, const char *content_type, guint64 length,
             const char *const *extra, gboolean close, gboolean keep_alive_10)
{
  g_string_append_printf (out, "HTTP/1.1 %u %s\r\n", status, fd_http_reason (status));
  append_date (out);
  g_string_append_printf (out, "Content-Type: %s\r\nContent-Length: %" G_GUINT64_FORMAT "\r\n",
                          content_type, length);
  for (guint i = 0; extra != NULL && extra[i] != NULL; i++)
    g_string_append_printf (out, "%s\r\n", extra[i]);
  if (close)
    g_string_append (out, "Connection: close\r\n");
  else if (keep_alive_10)
    g_string_append (out, "Connection: keep-alive\r\n");
  g_string_append (out, "\r\n");
}

GBytes *
fd_http_response (guint status, const char *const *extra, const char *body, gsize body_len,
                  gboolean close, gboolean keep_alive_10, gboolean omit_body)
{
  GString *out = g_string_sized_new (160 + body_len);

  append_head (out, status, "application/json", body_len, extra, close, keep_alive_10);
  if (!omit_body)
    g_string_append_len (out, body, body_len);
  return g_string_free_to_bytes (out);
}

GBytes *
fd_http_response_head (guint status, const char *content_type, guint64 length,
                       const char *const *extra, gboolean close, gboolean keep_alive_10)
{
  GString *out = g_string_sized_new (256);

  append_head (out, status, content_type, length, extra, close, keep_alive_10);
  return g_string_free_to_bytes (out);
}

void
fd_http_append_json_string (GString *out, const char *s, gssize len)
{
  g_autofree char *valid = NULL;
  gsize n = len < 0 ? strlen (s) : (gsize)len;

  if (!g_utf8_validate (s, n, NULL))
    {
      valid = g_utf8_make_valid (s, n);
      s = valid;
      n = strlen (valid);
    }
  fd_json_append_string (out, s, n, TRUE);
}

char *
fd_http_error_json (const char *code, const char *message)
{
  GString *out = g_string_new ("{\"error\":{\"code\":");

  fd_http_append_json_string (out, code, -1);
  g_string_append (out, ",\"message\":");
  fd_http_append_json_string (out, message, -1);
  g_string_append (out, "}}");
  return g_string_free (out, FALSE);
}
