/* fd-test-device.c — helpers of the device endpoint tests (fd-test-device.h). */
#include "fd-test-device.h"

#include <glib/gstdio.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <string.h>
#include <sys/wait.h>

void
fd_td_device_free (FdTdDevice *d)
{
  g_free (d->id);
  g_free (d->workspace_id);
  g_free (d->credential_id);
  g_free (d->cert);
  g_free (d->key);
  g_free (d->secret);
  g_free (d);
}
FdTdServer *
fd_td_server_wrap (FdTestServer *srv, const char *workspace_name)
{
  FdTdServer *s = g_new0 (FdTdServer, 1);
  g_autoptr (GError) error = NULL;

  s->srv = srv;
  s->port = s->srv->device_port;
  s->dir = g_build_filename (s->srv->data_dir, "test-pem", NULL);
  g_assert_cmpint (g_mkdir (s->dir, 0700), ==, 0);
  s->ca = g_strdup (s->srv->ca_path);
  s->ca_db = g_tls_file_database_new (s->ca, &error);
  g_assert_no_error (error);
  s->workspace = fd_test_make_workspace (s->srv, workspace_name);
  return s;
}

void
fd_td_server_unwrap (FdTdServer *s)
{
  g_object_unref (s->ca_db);
  g_free (s->dir);
  g_free (s->ca);
  g_free (s->workspace);
  g_free (s);
}

FdTdServer *
fd_td_server_start (const char *const *args)
{
  return fd_td_server_wrap (fd_test_server_start_with_args (args), "devices");
}

void
fd_td_server_stop (FdTdServer *s)
{
  fd_test_server_stop (s->srv);
  fd_td_server_unwrap (s);
}

JsonNode *
fd_td_make_credential (FdTdServer *s, const char *device_id, const char *body)
{
  g_autofree char *path = g_strdup_printf ("/api/v1/devices/%s/credentials", device_id);
  return fd_test_api_expect (s->srv, "POST", path, body, 201);
}

/* A device with a generated key pair and certificate, written to PEM files. */
FdTdDevice *
fd_td_cert_device (FdTdServer *s, const char *name)
{
  FdTdDevice *d = g_new0 (FdTdDevice, 1);
  g_autoptr (JsonNode) cred = NULL;
  g_autoptr (GError) error = NULL;

  d->id = fd_test_make_device (s->srv, s->workspace, name);
  d->workspace_id = g_strdup (s->workspace);
  cred = fd_td_make_credential (s, d->id, "{\"kind\": \"generated\"}");
  d->credential_id = g_strdup (fd_test_str (cred, "id"));
  d->cert = g_strdup_printf ("%s/%s.pem", s->dir, d->id);
  d->key = g_strdup_printf ("%s/%s.key", s->dir, d->id);
  g_file_set_contents (d->cert, fd_test_str (cred, "certificate"), -1, &error);
  g_assert_no_error (error);
  g_file_set_contents (d->key, fd_test_str (cred, "private_key"), -1, &error);
  g_assert_no_error (error);
  return d;
}

/* A device with a key: "device_token" (JWTs) or "cloud_token". */
FdTdDevice *
fd_td_key_device (FdTdServer *s, const char *name, const char *mode)
{
  FdTdDevice *d = g_new0 (FdTdDevice, 1);
  g_autofree char *body = g_strdup_printf ("{\"kind\": \"key\", \"mode\": \"%s\"}", mode);
  g_autoptr (JsonNode) cred = NULL;

  d->id = fd_test_make_device (s->srv, s->workspace, name);
  d->workspace_id = g_strdup (s->workspace);
  cred = fd_td_make_credential (s, d->id, body);
  d->credential_id = g_strdup (fd_test_str (cred, "id"));
  d->secret = g_strdup (fd_test_str (cred, "secret"));
  d->key_id = fd_test_int (cred, "key_id");
  return d;
}

void
fd_td_revoke (FdTdServer *s, const FdTdDevice *d)
{
  g_autofree char *path
      = g_strdup_printf ("/api/v1/devices/%s/credentials/%s", d->id, d->credential_id);
  g_autoptr (JsonNode) none = fd_test_api_expect (s->srv, "DELETE", path, NULL, 204);
}

char *
fd_td_base64url (const guint8 *data, gsize len)
{
  char *s = g_base64_encode (data, len);
  gsize n = strlen (s);

  while (n > 0 && s[n - 1] == '=')
    s[--n] = '\0';
  g_strdelimit (s, "+", '-');
  g_strdelimit (s, "/", '_');
  return s;
}

/* An HS256 JWT as a device makes it (docs/protocol.md), independent of the server's code. */
char *
fd_td_jwt (const FdTdDevice *d, gint64 exp_s)
{
  const char *header = "{\"alg\":\"HS256\",\"typ\":\"JWT\"}";
  g_autofree char *claims = g_strdup_printf ("{\"sub\":\"%s\",\"key\":%" G_GINT64_FORMAT
                                             ",\"exp\":%" G_GINT64_FORMAT "}",
                                             d->id, d->key_id, exp_s);
  g_autofree char *h = fd_td_base64url ((const guint8 *)header, strlen (header));
  g_autofree char *c = fd_td_base64url ((const guint8 *)claims, strlen (claims));
  g_autofree char *input = g_strconcat (h, ".", c, NULL);
  gsize key_len = 0;
  g_autofree guint8 *key = g_base64_decode (d->secret, &key_len);
  g_autoptr (GHmac) hmac = g_hmac_new (G_CHECKSUM_SHA256, key, key_len);
  guint8 digest[32];
  gsize digest_len = sizeof digest;
  g_autofree char *sig = NULL;

  g_hmac_update (hmac, (const guint8 *)input, -1);
  g_hmac_get_digest (hmac, digest, &digest_len);
  sig = fd_td_base64url (digest, digest_len);
  return g_strconcat (input, ".", sig, NULL);
}

char *
fd_td_url (FdTdServer *s, const char *path)
{
  return g_strdup_printf ("https://localhost:%u%s", s->port, path);
}

/* Runs curl with --cacert and @args; returns its exit status, *@out and *@err. */
int
fd_td_curl (FdTdServer *s, const char *const *args, char **out, char **err)
{
  g_autoptr (GPtrArray) argv = g_ptr_array_new ();
  g_autoptr (GError) error = NULL;
  int wstatus = 0;

  g_ptr_array_add (argv, (char *)"curl");
  g_ptr_array_add (argv, (char *)"-sS");
  g_ptr_array_add (argv, (char *)"--max-time");
  g_ptr_array_add (argv, (char *)"20");
  g_ptr_array_add (argv, (char *)"--cacert");
  g_ptr_array_add (argv, s->ca);
  for (guint i = 0; args[i] != NULL; i++)
    g_ptr_array_add (argv, (char *)args[i]);
  g_ptr_array_add (argv, NULL);
  g_spawn_sync (NULL, (char **)argv->pdata, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, out, err,
                &wstatus, &error);
  g_assert_no_error (error);
  return WIFEXITED (wstatus) ? WEXITSTATUS (wstatus) : -1;
}

/* A device connection that sends exactly what a test says. */
void
fd_td_raw_free (FdTdRaw *r)
{
  if (r->tls != NULL)
    g_io_stream_close (r->tls, NULL, NULL);
  g_clear_object (&r->tls);
  g_clear_object (&r->tcp);
  g_clear_error (&r->error);
  g_string_free (r->in, TRUE);
  g_free (r);
}
GSocketConnection *
fd_td_tcp_connect (FdTdServer *s)
{
  return fd_td_tcp_connect_port (s->port);
}

GSocketConnection *
fd_td_tcp_connect_port (guint port)
{
  g_autoptr (GSocketClient) client = g_socket_client_new ();
  g_autoptr (GError) error = NULL;
  GSocketConnection *tcp;

  g_socket_client_set_timeout (client, 10);
  tcp = g_socket_client_connect_to_host (client, "127.0.0.1", (guint16)port, NULL, &error);
  g_assert_no_error (error);
  /* as curl does: without it, a request written right after the handshake waits 40 ms for an
   * ACK (Nagle and delayed ACK) */
  g_socket_set_option (g_socket_connection_get_socket (tcp), IPPROTO_TCP, TCP_NODELAY, 1, NULL);
  return tcp;
}

/* Connects with @d's certificate (NULL: none). NULL when the handshake fails. */
FdTdRaw *
fd_td_raw_open (FdTdServer *s, const FdTdDevice *d, GError **error)
{
  return fd_td_raw_open_port (s, s->port, d, error);
}

FdTdRaw *
fd_td_raw_open_port (FdTdServer *s, guint port, const FdTdDevice *d, GError **error)
{
  g_autoptr (GSocketConnection) tcp = fd_td_tcp_connect_port (port);
  g_autoptr (GSocketConnectable) name = g_network_address_new ("localhost", (guint16)port);
  /* The database at construction: g_tls_client_connection_new() would first load the system
   * trust store, 13 ms a connection with glib-networking 2.74. */
  g_autoptr (GIOStream) tls = g_initable_new (
      g_tls_backend_get_client_connection_type (g_tls_backend_get_default ()), NULL, error,
      "base-io-stream", tcp, "server-identity", name, "database", s->ca_db, NULL);
  FdTdRaw *r;

  g_assert_nonnull (tls);
  if (d != NULL && d->cert != NULL)
    {
      g_autoptr (GTlsCertificate) cert = g_tls_certificate_new_from_files (d->cert, d->key, NULL);
      g_assert_nonnull (cert);
      g_tls_connection_set_certificate (G_TLS_CONNECTION (tls), cert);
    }
  if (!g_tls_connection_handshake (G_TLS_CONNECTION (tls), NULL, error))
    return NULL;
  r = g_new0 (FdTdRaw, 1);
  r->tcp = g_steal_pointer (&tcp);
  r->tls = g_steal_pointer (&tls);
  r->in = g_string_new (NULL);
  return r;
}

void
fd_td_raw_send (FdTdRaw *r, const char *text)
{
  g_autoptr (GError) error = NULL;
  g_output_stream_write_all (g_io_stream_get_output_stream (r->tls), text, strlen (text), NULL,
                             NULL, &error);
  g_assert_no_error (error);
}

/* Reads more; FALSE at EOF or on an error (a reset, a TLS alert, the socket timeout), which
 * is kept in r->error. */
gboolean
fd_td_raw_fill (FdTdRaw *r)
{
  char buf[16384];
  gssize n;

  g_clear_error (&r->error);
  n = g_input_stream_read (g_io_stream_get_input_stream (r->tls), buf, sizeof buf, NULL, &r->error);
  if (n <= 0)
    return FALSE;
  g_string_append_len (r->in, buf, n);
  return TRUE;
}

void
fd_td_response_clear (FdTdResponse *resp)
{
  g_free (resp->head);
  g_free (resp->body);
}
/* Reads one response; FALSE when the connection ended first. */
gboolean
fd_td_raw_response (FdTdRaw *r, FdTdResponse *resp)
{
  const char *end;
  gsize head_len, body_len = 0;
  g_autofree char *lower = NULL;
  const char *cl;

  while ((end = strstr (r->in->str, "\r\n\r\n")) == NULL)
    if (!fd_td_raw_fill (r))
      return FALSE;
  head_len = end + 4 - r->in->str;
  resp->head = g_strndup (r->in->str, head_len);
  g_assert_true (g_str_has_prefix (resp->head, "HTTP/1.1 "));
  resp->status = (guint)g_ascii_strtoull (resp->head + 9, NULL, 10);
  lower = g_ascii_strdown (resp->head, -1);
  cl = strstr (lower, "\r\ncontent-length: ");
  g_assert_nonnull (cl);
  body_len = (gsize)g_ascii_strtoull (cl + 18, NULL, 10);
  while (r->in->len < head_len + body_len)
    if (!fd_td_raw_fill (r))
      return FALSE;
  resp->body = g_strndup (r->in->str + head_len, body_len);
  g_string_erase (r->in, 0, (gssize)(head_len + body_len));
  return TRUE;
}

gboolean
fd_td_has_header (const FdTdResponse *resp, const char *line)
{
  g_autofree char *want = g_strconcat ("\r\n", line, "\r\n", NULL);
  return strstr (resp->head, want) != NULL;
}

const char *
fd_td_error_code (const FdTdResponse *resp, JsonNode **keep)
{
  *keep = json_from_string (resp->body, NULL);
  g_assert_nonnull (*keep);
  return fd_test_error_code (*keep);
}

/* TRUE when the server ends the connection (EOF, a reset or a TLS alert) without answering,
 * before this client's socket timeout (10 s) runs out. */
gboolean
fd_td_closed_by_server (FdTdRaw *r)
{
  while (fd_td_raw_fill (r))
    ;
  if (g_error_matches (r->error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT))
    return FALSE;
  return r->in->len == 0;
}

char *
fd_td_request (const char *method, const char *path, const char *extra, const char *body)
{
  return g_strdup_printf ("%s %s HTTP/1.1\r\nHost: localhost\r\n%sContent-Length: %zu\r\n\r\n%s",
                          method, path, extra ? extra : "", body ? strlen (body) : 0,
                          body ? body : "");
}

guint
fd_td_count_fds (GPid pid)
{
  g_autofree char *path = g_strdup_printf ("/proc/%d/fd", (int)pid);
  g_autoptr (GDir) dir = g_dir_open (path, 0, NULL);
  guint n = 0;

  g_assert_nonnull (dir);
  while (g_dir_read_name (dir) != NULL)
    n++;
  return n;
}

/* TRUE when a handshake with @d's certificate is refused. With TLS 1.3 the client's handshake
 * ends before the server has judged its certificate: the refusal shows on the first read. */
gboolean
fd_td_handshake_refused (FdTdServer *s, const FdTdDevice *d)
{
  static const char whoami[] = "GET /v1/whoami HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
  g_autoptr (GError) error = NULL;
  g_autoptr (FdTdRaw) r = fd_td_raw_open (s, d, &error);
  g_auto (FdTdResponse) resp = { 0 };

  if (r == NULL)
    return TRUE;
  if (!g_output_stream_write_all (g_io_stream_get_output_stream (r->tls), whoami, strlen (whoami),
                                  NULL, NULL, NULL))
    return TRUE;
  if (fd_td_raw_response (r, &resp))
    return FALSE;
  /* neither an answer nor a refusal: the server sat on the connection */
  g_assert_false (g_error_matches (r->error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT));
  return TRUE;
}

void
fd_td_raw_up (FdTdRaw *r, const char *body, guint expected)
{
  g_autofree char *text = fd_td_request ("POST", "/v1/up", NULL, body);
  g_auto (FdTdResponse) resp = { 0 };

  fd_td_raw_send (r, text);
  g_assert_true (fd_td_raw_response (r, &resp));
  if (resp.status != expected)
    g_error ("POST /v1/up %s: expected %u, got %u %s", body, expected, resp.status, resp.body);
}

void
fd_td_raw_post (FdTdRaw *r, const char *path, const char *body, guint expected)
{
  g_autofree char *request = fd_td_request ("POST", path, NULL, body);
  g_auto (FdTdResponse) resp = { 0 };

  fd_td_raw_send (r, request);
  g_assert_true (fd_td_raw_response (r, &resp));
  if (resp.status != expected)
    g_error ("POST %s: %u %s", path, resp.status, resp.body);
}

void
fd_td_cert_devices (FdTdServer *s, FdTdDevice **devices, guint n)
{
  for (guint i = 0; i < n; i++)
    {
      g_autofree char *name = g_strdup_printf ("dev-%u", i);
      devices[i] = fd_td_cert_device (s, name);
    }
}

void
fd_td_raw_connect_all (FdTdServer *s, FdTdDevice *const *devices, FdTdRaw **conns, guint n)
{
  /* a restarted server has a new device port */
  s->port = s->srv->device_port;
  for (guint i = 0; i < n; i++)
    {
      g_clear_pointer (&conns[i], fd_td_raw_free);
      conns[i] = fd_td_raw_open (s, devices[i], NULL);
      g_assert_nonnull (conns[i]);
    }
}

void
fd_td_devices_free (FdTdDevice **devices, FdTdRaw **conns, guint n)
{
  for (guint i = 0; i < n; i++)
    {
      g_clear_pointer (&conns[i], fd_td_raw_free);
      g_clear_pointer (&devices[i], fd_td_device_free);
    }
}

void
fd_td_ingest_env (FdTdRaw *const *conns, guint n, guint first, guint count, guint per_post,
                  const char *extra)
{
  gint64 t0 = g_get_real_time () / 1000 - 3600 * 1000;

  for (guint done = 0; done < count; done += per_post)
    for (guint d = 0; d < n; d++)
      {
        g_autoptr (GString) batch = g_string_new ("[");
        for (guint k = 0; k < per_post && done + k < count; k++)
          g_string_append_printf (batch,
                                  "%s{\"ts\": %" G_GINT64_FORMAT ", \"payload\": {\"d\": %u, "
                                  "\"i\": %u%s}}",
                                  k ? "," : "", t0 + first + done + k, d, first + done + k, extra);
        g_string_append_c (batch, ']');
        fd_td_raw_post (conns[d], "/v1/data/env", batch->str, 202);
      }
}
