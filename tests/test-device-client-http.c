/* test-device-client-http.c — the device client's HTTP/1.1: requests are written as RFC 9112
 * has them, tags are percent-encoded, and the answer reader accepts what the RFC allows
 * (whole or byte by byte) and refuses the rest with an error a person can read.
 */
#include "config.h"

#include <string.h>

#include "fd-device-client.h"

/* ---- answers --------------------------------------------------------------------------------- */

static FdDeviceHttpResult
read_answer (const char *text, gsize len, gboolean byte_by_byte, FdDeviceResponse **out,
             GError **error)
{
  FdDeviceHttpReader reader;
  FdDeviceHttpResult r = FD_DEVICE_HTTP_NEED_MORE;
  gsize consumed = 0;

  fd_device_http_reader_init (&reader, 4096);
  for (gsize have = byte_by_byte ? 1 : len; have <= len; have++)
    {
      r = fd_device_http_reader_feed (&reader, (const guint8 *)text, have, &consumed, error);
      if (r != FD_DEVICE_HTTP_NEED_MORE)
        break;
    }
  if (r == FD_DEVICE_HTTP_DONE)
    {
      g_assert_cmpuint (consumed, ==, len);
      *out = fd_device_http_reader_steal_response (&reader);
    }
  fd_device_http_reader_reset (&reader);
  return r;
}

static void
test_http_answers (void)
{
  static const struct
  {
    const char *text;
    guint status;
    gboolean keep_alive;
    gint64 retry_after;
    const char *body;
  } cases[] = {
    { "HTTP/1.1 202 Accepted\r\nContent-Type: application/json\r\nContent-Length: 14\r\n\r\n"
      "{\"accepted\":1}",
      202, TRUE, -1, "{\"accepted\":1}" },
    { "HTTP/1.1 401 Unauthorized\r\nconnection: Close\r\ncontent-length: 2\r\n\r\n{}", 401, FALSE,
      -1, "{}" },
    { "HTTP/1.1 429 Too Many Requests\r\nRetry-After: 3\r\nContent-Length: 0\r\n\r\n", 429, TRUE, 3,
      "" },
    { "HTTP/1.0 200 OK\r\nContent-Length: 1\r\n\r\nx", 200, FALSE, -1, "x" },
    { "HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nContent-Length: 1\r\n\r\nx", 200, TRUE, -1,
      "x" },
    { "HTTP/1.1 204 No Content\r\n\r\n", 204, TRUE, -1, "" },
    { "HTTP/1.1 200 \r\nContent-Length: 2\r\nContent-Length: 2\r\nX-A:b\r\n\r\nok", 200, TRUE, -1,
      "ok" },
    { "HTTP/1.1 200\r\nContent-Length:  2 \r\n\r\nok", 200, TRUE, -1, "ok" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    for (int bytewise = 0; bytewise < 2; bytewise++)
      {
        g_autoptr (FdDeviceResponse) r = NULL;
        g_autoptr (GError) error = NULL;

        g_test_message ("answer %u%s", i, bytewise ? " byte by byte" : "");
        g_assert_cmpint (read_answer (cases[i].text, strlen (cases[i].text), bytewise, &r, &error),
                         ==, FD_DEVICE_HTTP_DONE);
        g_assert_no_error (error);
        g_assert_cmpuint (r->status, ==, cases[i].status);
        g_assert_cmpint (r->keep_alive, ==, cases[i].keep_alive);
        g_assert_cmpint (r->retry_after_s, ==, cases[i].retry_after);
        g_assert_cmpmem (g_bytes_get_data (r->body, NULL), g_bytes_get_size (r->body),
                         cases[i].body, strlen (cases[i].body));
      }

  /* The error of an error answer. */
  {
    const char *text = "HTTP/1.1 400 Bad Request\r\nContent-Length: 61\r\n\r\n"
                       "{\"error\": {\"code\": \"invalid_tag\", \"message\": \"tag is empty\"}}";
    g_autoptr (FdDeviceResponse) r = NULL;
    g_autofree char *code = NULL, *message = NULL;

    g_assert_cmpint (read_answer (text, strlen (text), FALSE, &r, NULL), ==, FD_DEVICE_HTTP_DONE);
    g_assert_true (fd_device_response_get_error (r, &code, &message));
    g_assert_cmpstr (code, ==, "invalid_tag");
    g_assert_cmpstr (message, ==, "tag is empty");
  }
}

static void
test_http_refused (void)
{
  g_autoptr (GString) big_head = g_string_new ("HTTP/1.1 200 OK\r\n");
  g_autoptr (GString) many = g_string_new ("HTTP/1.1 200 OK\r\n");
  static const struct
  {
    const char *text;
    FdDeviceHttpError code;
  } cases[] = {
    { "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nok\r\n0\r\n\r\n",
      FD_DEVICE_HTTP_ERROR_UNSUPPORTED },
    { "HTTP/1.1 200 OK\r\n\r\n", FD_DEVICE_HTTP_ERROR_UNSUPPORTED },
    { "HTTP/1.1 100 Continue\r\n\r\n", FD_DEVICE_HTTP_ERROR_UNSUPPORTED },
    { "HTTP/1.1 200 OK\nContent-Length: 0\r\n\r\n", FD_DEVICE_HTTP_ERROR_MALFORMED },
    { "HTTP/1.1 200 OK\r\nX: a\nContent-Length: 0\r\n\r\n", FD_DEVICE_HTTP_ERROR_MALFORMED },
    { "HTTP/1.1 200 OK\r\nX: a\r\n folded\r\nContent-Length: 0\r\n\r\n",
      FD_DEVICE_HTTP_ERROR_MALFORMED },
    { "HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab",
      FD_DEVICE_HTTP_ERROR_MALFORMED },
    { "HTTP/1.1 200 OK\r\nContent-Length: +1\r\n\r\na", FD_DEVICE_HTTP_ERROR_MALFORMED },
    { "HTTP/1.1 200 OK\r\nContent-Length: 1,1\r\n\r\na", FD_DEVICE_HTTP_ERROR_MALFORMED },
    { "HTTP/1.1 200 OK\r\nContent-Length: 5000\r\n\r\n", FD_DEVICE_HTTP_ERROR_TOO_LARGE },
    { "HTTP/2 200 OK\r\nContent-Length: 0\r\n\r\n", FD_DEVICE_HTTP_ERROR_MALFORMED },
    { "HTTP/1.1 20 OK\r\nContent-Length: 0\r\n\r\n", FD_DEVICE_HTTP_ERROR_MALFORMED },
    { "HTTP/1.1 200OK\r\nContent-Length: 0\r\n\r\n", FD_DEVICE_HTTP_ERROR_MALFORMED },
    { "HTTP/1.1 200 OK\r\nBad Name: x\r\nContent-Length: 0\r\n\r\n",
      FD_DEVICE_HTTP_ERROR_MALFORMED },
    { "HTTP/1.1 200 OK\r\n: x\r\nContent-Length: 0\r\n\r\n", FD_DEVICE_HTTP_ERROR_MALFORMED },
    { "SSH-2.0-OpenSSH_9.2\r\n\r\n", FD_DEVICE_HTTP_ERROR_MALFORMED },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr (FdDeviceResponse) r = NULL;
      g_autoptr (GError) error = NULL;

      g_test_message ("refused %u", i);
      g_assert_cmpint (read_answer (cases[i].text, strlen (cases[i].text), FALSE, &r, &error), ==,
                       FD_DEVICE_HTTP_FAILED);
      g_assert_error (error, FD_DEVICE_HTTP_ERROR, (gint)cases[i].code);
    }

  /* A head that never ends is refused at 16 KiB, whatever is still to come. */
  while (big_head->len < FD_DEVICE_HTTP_MAX_HEAD_BYTES + 10)
    g_string_append (big_head, "X-Filler: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\r\n");
  {
    g_autoptr (FdDeviceResponse) r = NULL;
    g_autoptr (GError) error = NULL;
    g_assert_cmpint (read_answer (big_head->str, big_head->len, FALSE, &r, &error), ==,
                     FD_DEVICE_HTTP_FAILED);
    g_assert_error (error, FD_DEVICE_HTTP_ERROR, FD_DEVICE_HTTP_ERROR_TOO_LARGE);
  }
  for (guint i = 0; i < FD_DEVICE_HTTP_MAX_HEADERS; i++)
    g_string_append_printf (many, "X-%u: y\r\n", i);
  g_string_append (many, "Content-Length: 0\r\n\r\n");
  {
    g_autoptr (FdDeviceResponse) r = NULL;
    g_autoptr (GError) error = NULL;
    g_assert_cmpint (read_answer (many->str, many->len, FALSE, &r, &error), ==,
                     FD_DEVICE_HTTP_FAILED);
    g_assert_error (error, FD_DEVICE_HTTP_ERROR, FD_DEVICE_HTTP_ERROR_TOO_LARGE);
  }
}

static void
test_http_requests (void)
{
  g_autoptr (GString) out = g_string_new (NULL);
  g_autofree char *path = fd_device_data_path ("wéather/1 x~");
  g_autoptr (GError) error = NULL;

  fd_device_http_append_request (out, "POST", "lab.example", 7443, "/v1/data/weather",
                                 "abc.def.ghi", "application/json", 12);
  g_assert_cmpstr (out->str, ==,
                   "POST /v1/data/weather HTTP/1.1\r\nHost: lab.example:7443\r\n"
                   "Authorization: Bearer abc.def.ghi\r\nContent-Type: application/json\r\n"
                   "Content-Length: 12\r\n\r\n");
  g_string_truncate (out, 0);
  fd_device_http_append_request (out, "GET", "::1", 7443, "/v1/whoami", NULL, NULL, -1);
  g_assert_cmpstr (out->str, ==, "GET /v1/whoami HTTP/1.1\r\nHost: [::1]:7443\r\n\r\n");

  g_assert_cmpstr (path, ==, "/v1/data/w%C3%A9ather%2F1%20x~");

  g_assert_true (fd_device_tag_check ("weather", NULL));
  g_assert_true (fd_device_tag_check ("température", NULL));
  for (guint i = 0; i < 4; i++)
    {
      static const char *const bad[] = { "", "a/b", "a b", "a#" };
      g_assert_false (fd_device_tag_check (bad[i], &error));
      g_clear_error (&error);
    }
  {
    g_autofree char *long_tag = g_strnfill (65, 'a');
    g_assert_false (fd_device_tag_check (long_tag, &error));
    g_clear_error (&error);
    long_tag[64] = '\0';
    g_assert_true (fd_device_tag_check (long_tag, NULL));
  }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/device-client-http/answers", test_http_answers);
  g_test_add_func ("/device-client-http/refused", test_http_refused);
  g_test_add_func ("/device-client-http/requests", test_http_requests);
  return g_test_run ();
}
