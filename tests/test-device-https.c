/* test-device-https.c — the HTTPS device endpoint of a real fleetdesk-server, with the devices
 * played by curl, gnutls-cli and a GIO TLS client that can send exactly the bytes a test needs
 * (pipelining, hang-ups, idle connections). Credentials are made with the operator API. */
#include "fd-test-server.h"

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <string.h>
#include <sys/wait.h>

typedef struct
{
  char *id;
  char *workspace_id;
  char *credential_id;
  char *cert; /* PEM files, certificate credentials only */
  char *key;
  char *secret; /* key credentials only */
  gint64 key_id;
} Device;

typedef struct
{
  FdTestServer *srv;
  guint port;
  char *dir; /* PEM files */
  char *ca;
  GTlsDatabase *ca_db;
  char *workspace;
} Server;

static void
device_free (Device *d)
{
  g_free (d->id);
  g_free (d->workspace_id);
  g_free (d->credential_id);
  g_free (d->cert);
  g_free (d->key);
  g_free (d->secret);
  g_free (d);
}
G_DEFINE_AUTOPTR_CLEANUP_FUNC (Device, device_free)

static Server *
server_start (const char *const *args)
{
  Server *s = g_new0 (Server, 1);
  g_autoptr (GError) error = NULL;

  s->srv = fd_test_server_start_with_args (args);
  s->port = s->srv->device_port;
  s->dir = g_build_filename (s->srv->data_dir, "test-pem", NULL);
  g_assert_cmpint (g_mkdir (s->dir, 0700), ==, 0);
  s->ca = g_strdup (s->srv->ca_path);
  s->ca_db = g_tls_file_database_new (s->ca, &error);
  g_assert_no_error (error);
  s->workspace = fd_test_make_workspace (s->srv, "devices");
  return s;
}

static void
server_stop (Server *s)
{
  fd_test_server_stop (s->srv);
  g_object_unref (s->ca_db);
  g_free (s->dir);
  g_free (s->ca);
  g_free (s->workspace);
  g_free (s);
}

static JsonNode *
make_credential (Server *s, const char *device_id, const char *body)
{
  g_autofree char *path = g_strdup_printf ("/api/v1/devices/%s/credentials", device_id);
  return fd_test_api_expect (s->srv, "POST", path, body, 201);
}

/* A device with a generated key pair and certificate, written to PEM files. */
static Device *
make_cert_device (Server *s, const char *name)
{
  Device *d = g_new0 (Device, 1);
  g_autoptr (JsonNode) cred = NULL;
  g_autoptr (GError) error = NULL;

  d->id = fd_test_make_device (s->srv, s->workspace, name);
  d->workspace_id = g_strdup (s->workspace);
  cred = make_credential (s, d->id, "{\"kind\": \"generated\"}");
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
static Device *
make_key_device (Server *s, const char *name, const char *mode)
{
  Device *d = g_new0 (Device, 1);
  g_autofree char *body = g_strdup_printf ("{\"kind\": \"key\", \"mode\": \"%s\"}", mode);
  g_autoptr (JsonNode) cred = NULL;

  d->id = fd_test_make_device (s->srv, s->workspace, name);
  d->workspace_id = g_strdup (s->workspace);
  cred = make_credential (s, d->id, body);
  d->credential_id = g_strdup (fd_test_str (cred, "id"));
  d->secret = g_strdup (fd_test_str (cred, "secret"));
  d->key_id = fd_test_int (cred, "key_id");
  return d;
}

static void
revoke_credential (Server *s, const Device *d)
{
  g_autofree char *path
      = g_strdup_printf ("/api/v1/devices/%s/credentials/%s", d->id, d->credential_id);
  g_autoptr (JsonNode) none = fd_test_api_expect (s->srv, "DELETE", path, NULL, 204);
}

static char *
base64url (const guint8 *data, gsize len)
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
static char *
make_jwt (const Device *d, gint64 exp_s)
{
  const char *header = "{\"alg\":\"HS256\",\"typ\":\"JWT\"}";
  g_autofree char *claims = g_strdup_printf ("{\"sub\":\"%s\",\"key\":%" G_GINT64_FORMAT
                                             ",\"exp\":%" G_GINT64_FORMAT "}",
                                             d->id, d->key_id, exp_s);
  g_autofree char *h = base64url ((const guint8 *)header, strlen (header));
  g_autofree char *c = base64url ((const guint8 *)claims, strlen (claims));
  g_autofree char *input = g_strconcat (h, ".", c, NULL);
  gsize key_len = 0;
  g_autofree guint8 *key = g_base64_decode (d->secret, &key_len);
  g_autoptr (GHmac) hmac = g_hmac_new (G_CHECKSUM_SHA256, key, key_len);
  guint8 digest[32];
  gsize digest_len = sizeof digest;
  g_autofree char *sig = NULL;

  g_hmac_update (hmac, (const guint8 *)input, -1);
  g_hmac_get_digest (hmac, digest, &digest_len);
  sig = base64url (digest, digest_len);
  return g_strconcat (input, ".", sig, NULL);
}

static char *
url (Server *s, const char *path)
{
  return g_strdup_printf ("https://localhost:%u%s", s->port, path);
}

/* Runs curl with --cacert and @args; returns its exit status, *@out and *@err. */
static int
run_curl (Server *s, const char *const *args, char **out, char **err)
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
typedef struct
{
  GSocketConnection *tcp;
  GIOStream *tls;
  GString *in;
  GError *error; /* of the last read */
} Raw;

static void
raw_free (Raw *r)
{
  if (r->tls != NULL)
    g_io_stream_close (r->tls, NULL, NULL);
  g_clear_object (&r->tls);
  g_clear_object (&r->tcp);
  g_clear_error (&r->error);
  g_string_free (r->in, TRUE);
  g_free (r);
}
G_DEFINE_AUTOPTR_CLEANUP_FUNC (Raw, raw_free)

static GSocketConnection *
tcp_connect (Server *s)
{
  g_autoptr (GSocketClient) client = g_socket_client_new ();
  g_autoptr (GError) error = NULL;
  GSocketConnection *tcp;

  g_socket_client_set_timeout (client, 10);
  tcp = g_socket_client_connect_to_host (client, "127.0.0.1", (guint16)s->port, NULL, &error);
  g_assert_no_error (error);
  /* as curl does: without it, a request written right after the handshake waits 40 ms for an
   * ACK (Nagle and delayed ACK) */
  g_socket_set_option (g_socket_connection_get_socket (tcp), IPPROTO_TCP, TCP_NODELAY, 1, NULL);
  return tcp;
}

/* Connects with @d's certificate (NULL: none). NULL when the handshake fails. */
static Raw *
raw_open (Server *s, const Device *d, GError **error)
{
  g_autoptr (GSocketConnection) tcp = tcp_connect (s);
  g_autoptr (GSocketConnectable) name = g_network_address_new ("localhost", (guint16)s->port);
  /* The database at construction: g_tls_client_connection_new() would first load the system
   * trust store, 13 ms a connection with glib-networking 2.74. */
  g_autoptr (GIOStream) tls = g_initable_new (
      g_tls_backend_get_client_connection_type (g_tls_backend_get_default ()), NULL, error,
      "base-io-stream", tcp, "server-identity", name, "database", s->ca_db, NULL);
  Raw *r;

  g_assert_nonnull (tls);
  if (d != NULL && d->cert != NULL)
    {
      g_autoptr (GTlsCertificate) cert = g_tls_certificate_new_from_files (d->cert, d->key, NULL);
      g_assert_nonnull (cert);
      g_tls_connection_set_certificate (G_TLS_CONNECTION (tls), cert);
    }
  if (!g_tls_connection_handshake (G_TLS_CONNECTION (tls), NULL, error))
    return NULL;
  r = g_new0 (Raw, 1);
  r->tcp = g_steal_pointer (&tcp);
  r->tls = g_steal_pointer (&tls);
  r->in = g_string_new (NULL);
  return r;
}

static void
raw_send (Raw *r, const char *text)
{
  g_autoptr (GError) error = NULL;
  g_output_stream_write_all (g_io_stream_get_output_stream (r->tls), text, strlen (text), NULL,
                             NULL, &error);
  g_assert_no_error (error);
}

/* Reads more; FALSE at EOF or on an error (a reset, a TLS alert, the socket timeout), which
 * is kept in r->error. */
static gboolean
raw_fill (Raw *r)
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

typedef struct
{
  guint status;
  char *head;
  char *body;
} Response;

static void
response_clear (Response *resp)
{
  g_free (resp->head);
  g_free (resp->body);
}
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Response, response_clear)

/* Reads one response; FALSE when the connection ended first. */
static gboolean
raw_response (Raw *r, Response *resp)
{
  const char *end;
  gsize head_len, body_len = 0;
  g_autofree char *lower = NULL;
  const char *cl;

  while ((end = strstr (r->in->str, "\r\n\r\n")) == NULL)
    if (!raw_fill (r))
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
    if (!raw_fill (r))
      return FALSE;
  resp->body = g_strndup (r->in->str + head_len, body_len);
  g_string_erase (r->in, 0, (gssize)(head_len + body_len));
  return TRUE;
}

static gboolean
has_header (const Response *resp, const char *line)
{
  g_autofree char *want = g_strconcat ("\r\n", line, "\r\n", NULL);
  return strstr (resp->head, want) != NULL;
}

static const char *
error_code (const Response *resp, JsonNode **keep)
{
  *keep = json_from_string (resp->body, NULL);
  g_assert_nonnull (*keep);
  return fd_test_error_code (*keep);
}

/* TRUE when the server ends the connection (EOF, a reset or a TLS alert) without answering,
 * before this client's socket timeout (10 s) runs out. */
static gboolean
raw_closed_by_server (Raw *r)
{
  while (raw_fill (r))
    ;
  if (g_error_matches (r->error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT))
    return FALSE;
  return r->in->len == 0;
}

static char *
request (const char *method, const char *path, const char *extra, const char *body)
{
  return g_strdup_printf ("%s %s HTTP/1.1\r\nHost: localhost\r\n%sContent-Length: %zu\r\n\r\n%s",
                          method, path, extra ? extra : "", body ? strlen (body) : 0,
                          body ? body : "");
}

static guint
count_fds (GPid pid)
{
  g_autofree char *path = g_strdup_printf ("/proc/%d/fd", (int)pid);
  g_autoptr (GDir) dir = g_dir_open (path, 0, NULL);
  guint n = 0;

  g_assert_nonnull (dir);
  while (g_dir_read_name (dir) != NULL)
    n++;
  return n;
}

/* --- the tests --- */

static Server *shared; /* default limits, no rate limit */
static Server *strict; /* --device-rate=2, --device-idle-timeout=2 */

static void
test_whoami_certificate (void)
{
  g_autoptr (Device) d = make_cert_device (shared, "cert-1");
  g_autofree char *u = url (shared, "/v1/whoami");
  const char *args[] = { "--cert", d->cert, "--key", d->key, u, NULL };
  g_autofree char *out = NULL, *err = NULL;
  g_autoptr (JsonNode) node = NULL;
  g_autofree char *dev_path = g_strconcat ("/api/v1/devices/", d->id, NULL);
  g_autoptr (JsonNode) device = fd_test_api_expect (shared->srv, "GET", dev_path, NULL, 200);

  g_assert_cmpint (run_curl (shared, args, &out, &err), ==, 0);
  node = json_from_string (out, NULL);
  g_assert_nonnull (node);
  g_assert_cmpstr (fd_test_str (node, "device_id"), ==, d->id);
  g_assert_cmpstr (fd_test_str (node, "workspace_id"), ==, shared->workspace);
  g_assert_cmpstr (fd_test_str (node, "fleet_id"), ==, fd_test_str (device, "fleet_id"));
  g_assert_cmpstr (fd_test_str (node, "credential_id"), ==, d->credential_id);
  g_assert_cmpstr (fd_test_str (node, "auth"), ==, "certificate");
}

/* `curl URL1 URL2` uses one connection, and both requests are the same device. */
static void
test_keep_alive (void)
{
  g_autoptr (Device) d = make_cert_device (shared, "keepalive");
  g_autofree char *u = url (shared, "/v1/whoami");
  const char *args[] = { "-v", "-w", "\\n", "--cert", d->cert, "--key", d->key, u, u, NULL };
  g_autofree char *out = NULL, *err = NULL;
  g_auto (GStrv) lines = NULL;

  g_assert_cmpint (run_curl (shared, args, &out, &err), ==, 0);
  g_assert_nonnull (strstr (err, "Re-using existing connection"));
  lines = g_strsplit (g_strstrip (out), "\n", -1);
  g_assert_cmpuint (g_strv_length (lines), ==, 2);
  for (guint i = 0; i < 2; i++)
    {
      g_autoptr (JsonNode) node = json_from_string (lines[i], NULL);
      g_assert_cmpstr (fd_test_str (node, "device_id"), ==, d->id);
    }
}

static void
test_tokens (void)
{
  g_autoptr (Device) jwt_dev = make_key_device (shared, "jwt-1", "device_token");
  g_autoptr (Device) cloud = make_key_device (shared, "cloud-1", "cloud_token");
  g_autoptr (Device) cert = make_cert_device (shared, "cert-2");
  g_autofree char *jwt = make_jwt (jwt_dev, g_get_real_time () / G_USEC_PER_SEC + 600);
  g_autofree char *expired = make_jwt (jwt_dev, g_get_real_time () / G_USEC_PER_SEC - 10);
  g_autofree char *h_jwt = g_strconcat ("Authorization: Bearer ", jwt, NULL);
  g_autofree char *h_exp = g_strconcat ("Authorization: Bearer ", expired, NULL);
  g_autofree char *h_cloud = g_strconcat ("Authorization: Bearer ", cloud->secret, NULL);
  g_autofree char *u = url (shared, "/v1/whoami");
  const struct
  {
    const char *const *args;
    const char *auth; /* NULL: 401 */
    const char *device;
  } cases[] = {
    { (const char *[]){ "-H", h_jwt, u, NULL }, "jwt", jwt_dev->id },
    { (const char *[]){ "-H", h_cloud, u, NULL }, "cloud_token", cloud->id },
    { (const char *[]){ "-H", h_exp, u, NULL }, NULL, NULL },
    { (const char *[]){ "-H", "Authorization: Bearer nonsense", u, NULL }, NULL, NULL },
    { (const char *[]){ "-H", "Authorization: Basic dXNlcjpwdw==", u, NULL }, NULL, NULL },
    { (const char *[]){ u, NULL }, NULL, NULL },
    /* a certificate connection refuses another device's bearer */
    { (const char *[]){ "--cert", cert->cert, "--key", cert->key, "-H", h_jwt, u, NULL }, NULL,
      NULL },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr (GPtrArray) args = g_ptr_array_new ();
      g_autofree char *out = NULL, *err = NULL;
      g_autoptr (JsonNode) node = NULL;

      g_ptr_array_add (args, (char *)"-i");
      for (guint j = 0; cases[i].args[j] != NULL; j++)
        g_ptr_array_add (args, (char *)cases[i].args[j]);
      g_ptr_array_add (args, NULL);
      g_assert_cmpint (run_curl (shared, (const char *const *)args->pdata, &out, &err), ==, 0);
      node = json_from_string (strstr (out, "\r\n\r\n") + 4, NULL);
      g_assert_nonnull (node);
      if (cases[i].auth == NULL)
        {
          g_assert_true (g_str_has_prefix (out, "HTTP/1.1 401 "));
          g_assert_nonnull (strstr (out, "\r\nWWW-Authenticate: Bearer"));
          g_assert_nonnull (strstr (out, "\r\nConnection: close\r\n"));
          g_assert_cmpstr (fd_test_error_code (node), ==, "unauthorized");
        }
      else
        {
          g_assert_true (g_str_has_prefix (out, "HTTP/1.1 200 "));
          g_assert_cmpstr (fd_test_str (node, "auth"), ==, cases[i].auth);
          g_assert_cmpstr (fd_test_str (node, "device_id"), ==, cases[i].device);
        }
    }
}

/* TRUE when a handshake with @d's certificate is refused. With TLS 1.3 the client's handshake
 * ends before the server has judged its certificate: the refusal shows on the first read. */
static gboolean
handshake_refused (Server *s, const Device *d)
{
  static const char whoami[] = "GET /v1/whoami HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
  g_autoptr (GError) error = NULL;
  g_autoptr (Raw) r = raw_open (s, d, &error);
  g_auto (Response) resp = { 0 };

  if (r == NULL)
    return TRUE;
  if (!g_output_stream_write_all (g_io_stream_get_output_stream (r->tls), whoami, strlen (whoami),
                                  NULL, NULL, NULL))
    return TRUE;
  if (raw_response (r, &resp))
    return FALSE;
  /* neither an answer nor a refusal: the server sat on the connection */
  g_assert_false (g_error_matches (r->error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT));
  return TRUE;
}

/* A certificate bound to no credential fails the handshake; so does one whose credential was
 * revoked. */
static void
test_unknown_certificate (void)
{
  g_autoptr (Device) d = make_cert_device (shared, "cert-3");
  Device stranger = { .cert = g_build_filename (shared->dir, "stranger.pem", NULL),
                      .key = g_build_filename (shared->dir, "stranger.key", NULL) };
  g_autofree char *tmpl = g_build_filename (shared->dir, "stranger.tmpl", NULL);
  g_autofree char *cmd = g_strdup_printf (
      "sh -c 'certtool --generate-privkey --key-type=ecdsa --outfile %s && "
      "certtool --generate-self-signed --load-privkey %s --template %s --outfile %s' "
      ">/dev/null 2>&1",
      stranger.key, stranger.key, tmpl, stranger.cert);
  g_autoptr (GError) error = NULL;
  int wstatus = -1;

  g_file_set_contents (tmpl, "cn = \"stranger\"\ntls_www_client\nexpiration_days = 30\n", -1,
                       &error);
  g_assert_no_error (error);
  g_spawn_command_line_sync (cmd, NULL, NULL, &wstatus, &error);
  g_assert_no_error (error);
  g_assert_true (WIFEXITED (wstatus) && WEXITSTATUS (wstatus) == 0);

  g_assert_true (handshake_refused (shared, &stranger));
  g_assert_false (handshake_refused (shared, d));
  revoke_credential (shared, d);
  g_assert_true (handshake_refused (shared, d));
  g_free (stranger.cert);
  g_free (stranger.key);
}

/* At most 64 connections from one address: the next one is closed at once, and there is room
 * again when one goes. */
static void
test_connection_limit (void)
{
  g_autoptr (Device) d = make_cert_device (shared, "many");
  g_autoptr (GPtrArray) open = g_ptr_array_new_with_free_func ((GDestroyNotify)raw_free);
  g_autoptr (GError) error = NULL;
  g_autoptr (Raw) again = NULL;

  g_usleep (300 * 1000); /* connections of earlier tests are gone */
  for (guint i = 0; i < 64; i++)
    {
      Raw *r = raw_open (shared, d, &error);
      g_assert_no_error (error);
      g_ptr_array_add (open, r);
    }
  g_assert_true (handshake_refused (shared, d));
  g_ptr_array_remove_index (open, 0);
  for (guint tries = 0; tries < 50 && again == NULL; tries++)
    {
      g_clear_error (&error);
      g_usleep (50 * 1000);
      again = raw_open (shared, d, &error);
    }
  g_assert_nonnull (again);
}

/* Revoking a credential closes its open connections at once, for either kind of credential;
 * afterwards the token is refused with 401. */
static void
test_revoked_mid_connection (void)
{
  g_autoptr (Device) cert = make_cert_device (shared, "revoke-cert");
  g_autoptr (Device) cloud = make_key_device (shared, "revoke-cloud", "cloud_token");
  g_autofree char *bearer = g_strdup_printf ("Authorization: Bearer %s\r\n", cloud->secret);
  g_autofree char *whoami = request ("GET", "/v1/whoami", NULL, NULL);
  g_autofree char *whoami_bearer = request ("GET", "/v1/whoami", bearer, NULL);
  g_autoptr (Raw) a = raw_open (shared, cert, NULL);
  g_autoptr (Raw) b = raw_open (shared, NULL, NULL);
  g_autoptr (Raw) c = NULL;
  g_auto (Response) r1 = { 0 };
  g_auto (Response) r2 = { 0 };
  g_auto (Response) r3 = { 0 };
  g_autoptr (JsonNode) keep = NULL;

  raw_send (a, whoami);
  g_assert_true (raw_response (a, &r1));
  g_assert_cmpuint (r1.status, ==, 200);
  raw_send (b, whoami_bearer);
  g_assert_true (raw_response (b, &r2));
  g_assert_cmpuint (r2.status, ==, 200);

  revoke_credential (shared, cert);
  revoke_credential (shared, cloud);
  g_assert_true (raw_closed_by_server (a));
  g_assert_true (raw_closed_by_server (b));

  c = raw_open (shared, NULL, NULL);
  raw_send (c, whoami_bearer);
  g_assert_true (raw_response (c, &r3));
  g_assert_cmpuint (r3.status, ==, 401);
  g_assert_cmpstr (error_code (&r3, &keep), ==, "unauthorized");
  g_assert_true (raw_closed_by_server (c));
}

/* Deleting a device closes its connections at once; moving it to another fleet shows in
 * whoami on the same connection. */
static void
test_device_moved_and_deleted (void)
{
  g_autoptr (Device) d = make_cert_device (shared, "moved");
  g_autoptr (Raw) r = raw_open (shared, d, NULL);
  g_autofree char *whoami = request ("GET", "/v1/whoami", NULL, NULL);
  g_autofree char *fleets = g_strdup_printf ("/api/v1/workspaces/%s/fleets", shared->workspace);
  g_autoptr (JsonNode) fleet
      = fd_test_api_expect (shared->srv, "POST", fleets, "{\"name\": \"moved-to\"}", 201);
  g_autofree char *dev_path = g_strconcat ("/api/v1/devices/", d->id, NULL);
  g_autofree char *move = g_strdup_printf ("{\"fleet_id\": \"%s\"}", fd_test_str (fleet, "id"));
  g_autoptr (JsonNode) moved = fd_test_api_expect (shared->srv, "PATCH", dev_path, move, 200);
  g_autoptr (JsonNode) gone = NULL;
  g_auto (Response) resp = { 0 };
  g_autoptr (JsonNode) node = NULL;

  raw_send (r, whoami);
  g_assert_true (raw_response (r, &resp));
  g_assert_cmpuint (resp.status, ==, 200);
  node = json_from_string (resp.body, NULL);
  g_assert_cmpstr (fd_test_str (node, "fleet_id"), ==, fd_test_str (fleet, "id"));

  gone = fd_test_api_expect (shared->srv, "DELETE", dev_path, NULL, 204);
  g_assert_true (raw_closed_by_server (r));
  g_assert_true (handshake_refused (shared, d));
}

static void
test_data_and_up (void)
{
  g_autoptr (Device) d = make_cert_device (shared, "data-1");
  g_autoptr (Raw) r = raw_open (shared, d, NULL);
  g_autofree char *single = request ("POST", "/v1/data/weather", NULL, "{\"temp\": 21.5}");
  g_autofree char *batch
      = request ("POST", "/v1/data/weather", NULL,
                 "[{\"ts\": \"2026-11-27T10:00:00Z\", \"payload\": {\"temp\": 20}},"
                 " {\"ts\": 1795780800000, \"payload\": {\"temp\": 19}}]");
  g_autofree char *encoded = request ("POST", "/v1/data/t%C3%A9", NULL, "{\"x\": true}");
  g_autofree char *up
      = request ("POST", "/v1/up", NULL, "{\"key\": \"__info\", \"value\": {\"fw\": \"1.2\"}}");
  g_autofree char *path = g_strdup_printf ("/api/v1/devices/%s/tags", d->id);
  const struct
  {
    const char *req;
    guint accepted;
  } cases[] = { { single, 1 }, { batch, 2 }, { encoded, 1 }, { up, 1 } };
  g_autoptr (JsonNode) tags = NULL;
  JsonArray *items;
  gint64 weather = -1;

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_auto (Response) resp = { 0 };
      g_autoptr (JsonNode) node = NULL;
      raw_send (r, cases[i].req);
      g_assert_true (raw_response (r, &resp));
      g_assert_cmpuint (resp.status, ==, 202);
      g_assert_true (has_header (&resp, "Content-Type: application/json"));
      node = json_from_string (resp.body, NULL);
      g_assert_cmpint (fd_test_int (node, "accepted"), ==, cases[i].accepted);
    }

  /* A 202 means committed: the operator API sees it at once. */
  tags = fd_test_api_expect (shared->srv, "GET", path, NULL, 200);
  items = json_object_get_array_member (json_node_get_object (tags), "items");
  for (guint i = 0; i < json_array_get_length (items); i++)
    {
      JsonObject *t = json_array_get_object_element (items, i);
      if (g_str_equal (json_object_get_string_member (t, "tag"), "weather"))
        weather = json_object_get_int_member (t, "readings");
    }
  g_assert_cmpint (weather, ==, 3);
}

typedef struct
{
  const char *method;
  const char *path;
  const char *extra;
  const char *body;
  guint status;
  const char *code;
  const char *header; /* a header line the answer must have, or NULL */
  gboolean closes;
} Refused;

static void
test_refusals (void)
{
  g_autoptr (Device) d = make_cert_device (shared, "refusals");
  g_autofree char *long_tag = g_strnfill (65, 'a');
  g_autofree char *long_tag_path = g_strconcat ("/v1/data/", long_tag, NULL);
  g_autofree char *long_key = g_strdup_printf ("{\"key\": \"%s\", \"value\": 1}", long_tag);
  const Refused cases[] = {
    { "GET", "/v1/nothing", NULL, NULL, 404, "not_found", NULL, FALSE },
    { "GET", "/v1/data/t", NULL, NULL, 405, "method_not_allowed", "Allow: POST", FALSE },
    { "POST", "/v1/whoami", NULL, "{}", 405, "method_not_allowed", "Allow: GET", FALSE },
    { "POST", "/v1/data/", NULL, "{}", 400, "invalid_tag", NULL, FALSE },
    { "POST", "/v1/data/a+b", NULL, "{}", 400, "invalid_tag", NULL, FALSE },
    { "POST", "/v1/data/a%2Fb", NULL, "{}", 400, "invalid_tag", NULL, FALSE },
    { "POST", "/v1/data/a%00b", NULL, "{}", 400, "invalid_tag", NULL, FALSE },
    { "POST", "/v1/data/%FF", NULL, "{}", 400, "invalid_tag", NULL, FALSE },
    { "POST", long_tag_path, NULL, "{}", 400, "invalid_tag", NULL, FALSE },
    { "POST", "/v1/data/t", NULL, "", 400, "invalid_payload", NULL, FALSE },
    { "POST", "/v1/data/t", NULL, "42", 400, "invalid_payload", NULL, FALSE },
    { "POST", "/v1/data/t", NULL, "{\"a\": 1, \"a\": 2}", 400, "invalid_payload", NULL, FALSE },
    { "POST", "/v1/data/t", NULL, "{\"a\": 1} x", 400, "invalid_payload", NULL, FALSE },
    { "POST", "/v1/data/t", NULL, "[{\"ts\": \"yesterday\", \"payload\": {}}]", 400,
      "invalid_batch", NULL, FALSE },
    { "POST", "/v1/data/t", NULL, "[{\"ts\": 1, \"payload\": {\"a\": 1}}, {\"ts\": 2}]", 400,
      "invalid_batch", NULL, FALSE },
    { "POST", "/v1/up", NULL, "{\"key\": \"#now\", \"value\": 1}", 400, "invalid_message", NULL,
      FALSE },
    { "POST", "/v1/up", NULL, "{\"key\": \"a\"}", 400, "invalid_message", NULL, FALSE },
    { "POST", "/v1/up", NULL, "{\"key\": 5, \"value\": 1}", 400, "invalid_message", NULL, FALSE },
    { "POST", "/v1/up", NULL, "{\"key\": \"a\\u0000b\", \"value\": 1}", 400, "invalid_message",
      NULL, FALSE },
    { "POST", "/v1/up", NULL, long_key, 400, "invalid_message", NULL, FALSE },
    { "POST", "/v1/data/t", "Transfer-Encoding: chunked\r\n", NULL, 411, "length_required", NULL,
      TRUE },
    { "POST", "/v1/data/t", "Content-Length: 5\r\n", "{}", 400, "bad_request", NULL, TRUE },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr (Raw) r = raw_open (shared, d, NULL);
      g_autofree char *text
          = request (cases[i].method, cases[i].path, cases[i].extra, cases[i].body);
      g_auto (Response) resp = { 0 };
      g_autoptr (JsonNode) keep = NULL;

      g_test_message ("case %u: %s %s", i, cases[i].method, cases[i].path);
      raw_send (r, text);
      g_assert_true (raw_response (r, &resp));
      g_assert_cmpuint (resp.status, ==, cases[i].status);
      g_assert_cmpstr (error_code (&resp, &keep), ==, cases[i].code);
      g_assert_true (has_header (&resp, "Content-Type: application/json"));
      if (cases[i].header != NULL)
        g_assert_true (has_header (&resp, cases[i].header));
      g_assert_cmpint (has_header (&resp, "Connection: close"), ==, cases[i].closes);
      if (cases[i].closes)
        g_assert_true (raw_closed_by_server (r));
      else
        {
          /* The connection is still good for the next request. */
          g_autofree char *next = request ("GET", "/v1/whoami", NULL, NULL);
          g_auto (Response) again = { 0 };
          raw_send (r, next);
          g_assert_true (raw_response (r, &again));
          g_assert_cmpuint (again.status, ==, 200);
        }
    }
}

/* A body over 16 MiB is refused from its head: no byte of it is waited for. */
static void
test_too_large (void)
{
  g_autoptr (Device) d = make_cert_device (shared, "large");
  g_autoptr (Raw) r = raw_open (shared, d, NULL);
  g_auto (Response) resp = { 0 };
  g_autoptr (JsonNode) keep = NULL;

  raw_send (r, "POST /v1/data/t HTTP/1.1\r\nHost: x\r\nContent-Length: 16777217\r\n\r\n{");
  g_assert_true (raw_response (r, &resp));
  g_assert_cmpuint (resp.status, ==, 413);
  g_assert_cmpstr (error_code (&resp, &keep), ==, "payload_too_large");
  g_assert_true (raw_closed_by_server (r));
}

/* Requests sent back to back on one connection are answered in order. */
static void
test_pipelining (void)
{
  g_autoptr (Device) d = make_cert_device (shared, "pipeline");
  g_autoptr (Raw) r = raw_open (shared, d, NULL);
  g_autofree char *a = request ("POST", "/v1/data/p", NULL, "{\"n\": 1}");
  g_autofree char *b = request ("GET", "/v1/nothing", NULL, NULL);
  g_autofree char *c = request ("GET", "/v1/whoami", NULL, NULL);
  g_autofree char *all = g_strconcat (a, b, c, NULL);
  const guint want[] = { 202, 404, 200 };

  raw_send (r, all);
  for (guint i = 0; i < G_N_ELEMENTS (want); i++)
    {
      g_auto (Response) resp = { 0 };
      g_assert_true (raw_response (r, &resp));
      g_assert_cmpuint (resp.status, ==, want[i]);
    }
}

/* 300 connections that each send one request and hang up, at every stage, leave the server's
 * file descriptors where they were. */
static void
test_hung_up_clients (void)
{
  g_autoptr (Device) d = make_cert_device (shared, "hangup");
  g_autofree char *whoami = request ("GET", "/v1/whoami", NULL, NULL);
  guint before, after = 0;

  {
    /* one connection first, so that lazily opened files are open before counting */
    g_autoptr (Raw) r = raw_open (shared, d, NULL);
    g_auto (Response) resp = { 0 };
    raw_send (r, whoami);
    g_assert_true (raw_response (r, &resp));
  }
  g_usleep (200 * 1000);
  before = count_fds (shared->srv->pid);

  for (guint i = 0; i < 300; i++)
    {
      switch (i % 4)
        {
        case 0: /* after its answer, without a TLS close */
          {
            g_autoptr (Raw) r = raw_open (shared, d, NULL);
            g_auto (Response) resp = { 0 };
            raw_send (r, whoami);
            g_assert_true (raw_response (r, &resp));
            g_socket_close (g_socket_connection_get_socket (r->tcp), NULL);
            break;
          }
        case 1: /* before reading its answer */
          {
            g_autoptr (Raw) r = raw_open (shared, d, NULL);
            raw_send (r, whoami);
            break;
          }
        case 2: /* in the middle of a body */
          {
            g_autoptr (Raw) r = raw_open (shared, d, NULL);
            raw_send (r,
                      "POST /v1/data/t HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{\"a\"");
            break;
          }
        case 3: /* before the TLS handshake */
          {
            g_autoptr (GSocketConnection) tcp = tcp_connect (shared);
            g_io_stream_close (G_IO_STREAM (tcp), NULL, NULL);
            break;
          }
        }
    }
  for (guint tries = 0; tries < 50; tries++)
    {
      g_usleep (100 * 1000);
      after = count_fds (shared->srv->pid);
      if (after <= before + 2)
        break;
    }
  g_test_message ("server fds: %u before, %u after 300 hung-up connections", before, after);
  g_assert_cmpuint (after, <=, before + 2);
}

/* Protocols older than TLS 1.2 are refused; 1.2 works (the answer is a 401 without a
 * credential). */
static void
test_tls_versions (void)
{
  const char *versions[] = { "TLS1.0", "TLS1.1", "TLS1.2", "TLS1.3" };

  for (guint i = 0; i < G_N_ELEMENTS (versions); i++)
    {
      g_autofree char *priority = g_strdup_printf ("NORMAL:-VERS-ALL:+VERS-%s", versions[i]);
      g_autofree char *port = g_strdup_printf ("%u", shared->port);
      const char *argv[] = { "gnutls-cli", "--x509cafile", shared->ca,  "--priority", priority,
                             "-p",         port,           "localhost", NULL };
      g_autoptr (GSubprocess) proc = NULL;
      g_autoptr (GError) error = NULL;
      g_autofree char *out = NULL;
      gboolean answered;

      proc = g_subprocess_newv (argv,
                                G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_PIPE
                                    | G_SUBPROCESS_FLAGS_STDERR_MERGE,
                                &error);
      g_assert_no_error (error);
      g_subprocess_communicate_utf8 (proc, "GET /v1/whoami HTTP/1.1\r\nHost: x\r\n\r\n", NULL, &out,
                                     NULL, &error);
      g_assert_no_error (error);
      answered = strstr (out, "HTTP/1.1 401") != NULL;
      g_test_message ("%s: %s", versions[i], answered ? "answered" : "refused");
      g_assert_cmpint (answered, ==, i >= 2);
    }
}

/* --- limits: --device-rate=2 --device-idle-timeout=2 --- */

static void
test_rate_limit (void)
{
  g_autoptr (Device) d = make_cert_device (strict, "rate");
  g_autoptr (Raw) r = raw_open (strict, d, NULL);
  g_autofree char *data = request ("POST", "/v1/data/r", NULL, "{\"n\": 1}");
  guint accepted = 0, limited = 0;

  /* rate 2/s, burst 4: the first four pass, then 429 on the same, still open, connection */
  for (guint i = 0; i < 8; i++)
    {
      g_auto (Response) resp = { 0 };
      raw_send (r, data);
      g_assert_true (raw_response (r, &resp));
      if (resp.status == 202)
        accepted++;
      else
        {
          g_autoptr (JsonNode) keep = NULL;
          g_assert_cmpuint (resp.status, ==, 429);
          g_assert_cmpstr (error_code (&resp, &keep), ==, "rate_limited");
          g_assert_true (has_header (&resp, "Retry-After: 1"));
          g_assert_false (has_header (&resp, "Connection: close"));
          limited++;
        }
    }
  g_assert_cmpuint (accepted, >=, 4);
  g_assert_cmpuint (accepted, <=, 5); /* one more token may have dripped in meanwhile */
  g_assert_cmpuint (limited, ==, 8 - accepted);

  /* after Retry-After, the connection works again */
  g_usleep (1100 * 1000);
  {
    g_auto (Response) resp = { 0 };
    raw_send (r, data);
    g_assert_true (raw_response (r, &resp));
    g_assert_cmpuint (resp.status, ==, 202);
  }
}

static void
test_idle_timeout (void)
{
  g_autoptr (Device) d = make_cert_device (strict, "idle");
  g_autoptr (Raw) r = raw_open (strict, d, NULL);
  g_autofree char *whoami = request ("GET", "/v1/whoami", NULL, NULL);
  g_auto (Response) resp = { 0 };
  gint64 start;

  raw_send (r, whoami);
  g_assert_true (raw_response (r, &resp));
  start = g_get_monotonic_time ();
  g_assert_true (raw_closed_by_server (r));
  /* closed by the idle timeout (2 s), not by the socket timeout of this client (10 s) */
  g_assert_cmpint (g_get_monotonic_time () - start, >=, 1500 * 1000);
  g_assert_cmpint (g_get_monotonic_time () - start, <, 6 * G_USEC_PER_SEC);
}

int
main (int argc, char **argv)
{
  const char *shared_args[] = { "--device-rate=0", NULL };
  const char *strict_args[] = { "--device-rate=2", "--device-idle-timeout=2", NULL };
  int status;

  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/device-https/whoami-certificate", test_whoami_certificate);
  g_test_add_func ("/device-https/keep-alive", test_keep_alive);
  g_test_add_func ("/device-https/tokens", test_tokens);
  g_test_add_func ("/device-https/unknown-certificate", test_unknown_certificate);
  g_test_add_func ("/device-https/revoked-mid-connection", test_revoked_mid_connection);
  g_test_add_func ("/device-https/device-moved-and-deleted", test_device_moved_and_deleted);
  g_test_add_func ("/device-https/connection-limit", test_connection_limit);
  g_test_add_func ("/device-https/data-and-up", test_data_and_up);
  g_test_add_func ("/device-https/refusals", test_refusals);
  g_test_add_func ("/device-https/too-large", test_too_large);
  g_test_add_func ("/device-https/pipelining", test_pipelining);
  g_test_add_func ("/device-https/hung-up-clients-leave-no-fds", test_hung_up_clients);
  g_test_add_func ("/device-https/tls-versions", test_tls_versions);
  g_test_add_func ("/device-https/rate-limit", test_rate_limit);
  g_test_add_func ("/device-https/idle-timeout", test_idle_timeout);

  shared = server_start (shared_args);
  strict = server_start (strict_args);
  status = g_test_run ();
  server_stop (shared);
  server_stop (strict);
  return status;
}
