/* test-device-https.c — connections to the HTTPS device endpoint of a real fleetdesk-server:
 * keep-alive, pipelining, TLS versions and certificates, revocation on open connections, limits
 * on connections, rates and time, and that hung-up clients leave nothing behind. Devices are
 * curl, gnutls-cli and the GIO client of fd-test-device.c. */
#include "fd-test-device.h"

#include <string.h>
#include <sys/wait.h>

static FdTdServer *shared; /* default limits, no rate limit */
static FdTdServer *strict; /* --device-rate=2, --device-idle-timeout=2 */

/* `curl URL1 URL2` uses one connection, and both requests are the same device. */
static void
test_keep_alive (void)
{
  g_autoptr (FdTdDevice) d = fd_td_cert_device (shared, "keepalive");
  g_autofree char *u = fd_td_url (shared, "/v1/whoami");
  const char *args[] = { "-v", "-w", "\\n", "--cert", d->cert, "--key", d->key, u, u, NULL };
  g_autofree char *out = NULL, *err = NULL;
  g_auto (GStrv) lines = NULL;

  g_assert_cmpint (fd_td_curl (shared, args, &out, &err), ==, 0);
  g_assert_nonnull (strstr (err, "Re-using existing connection"));
  lines = g_strsplit (g_strstrip (out), "\n", -1);
  g_assert_cmpuint (g_strv_length (lines), ==, 2);
  for (guint i = 0; i < 2; i++)
    {
      g_autoptr (JsonNode) node = json_from_string (lines[i], NULL);
      g_assert_cmpstr (fd_test_str (node, "device_id"), ==, d->id);
    }
}

/* A certificate bound to no credential fails the handshake; so does one whose credential was
 * revoked. */
static void
test_unknown_certificate (void)
{
  g_autoptr (FdTdDevice) d = fd_td_cert_device (shared, "cert-3");
  FdTdDevice stranger = { .cert = g_build_filename (shared->dir, "stranger.pem", NULL),
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

  g_assert_true (fd_td_handshake_refused (shared, &stranger));
  g_assert_false (fd_td_handshake_refused (shared, d));
  fd_td_revoke (shared, d);
  g_assert_true (fd_td_handshake_refused (shared, d));
  g_free (stranger.cert);
  g_free (stranger.key);
}

/* At most 64 connections from one address: the next one is closed at once, and there is room
 * again when one goes. */
static void
test_connection_limit (void)
{
  g_autoptr (FdTdDevice) d = fd_td_cert_device (shared, "many");
  g_autoptr (GPtrArray) open = g_ptr_array_new_with_free_func ((GDestroyNotify)fd_td_raw_free);
  g_autoptr (GError) error = NULL;
  g_autoptr (FdTdRaw) again = NULL;

  g_usleep (300 * 1000); /* connections of earlier tests are gone */
  for (guint i = 0; i < 64; i++)
    {
      FdTdRaw *r = fd_td_raw_open (shared, d, &error);
      g_assert_no_error (error);
      g_ptr_array_add (open, r);
    }
  g_assert_true (fd_td_handshake_refused (shared, d));
  g_ptr_array_remove_index (open, 0);
  for (guint tries = 0; tries < 50 && again == NULL; tries++)
    {
      g_clear_error (&error);
      g_usleep (50 * 1000);
      again = fd_td_raw_open (shared, d, &error);
    }
  g_assert_nonnull (again);
}

/* Revoking a credential closes its open connections at once, for either kind of credential;
 * afterwards the token is refused with 401. */
static void
test_revoked_mid_connection (void)
{
  g_autoptr (FdTdDevice) cert = fd_td_cert_device (shared, "revoke-cert");
  g_autoptr (FdTdDevice) cloud = fd_td_key_device (shared, "revoke-cloud", "cloud_token");
  g_autofree char *bearer = g_strdup_printf ("Authorization: Bearer %s\r\n", cloud->secret);
  g_autofree char *whoami = fd_td_request ("GET", "/v1/whoami", NULL, NULL);
  g_autofree char *whoami_bearer = fd_td_request ("GET", "/v1/whoami", bearer, NULL);
  g_autoptr (FdTdRaw) a = fd_td_raw_open (shared, cert, NULL);
  g_autoptr (FdTdRaw) b = fd_td_raw_open (shared, NULL, NULL);
  g_autoptr (FdTdRaw) c = NULL;
  g_auto (FdTdResponse) r1 = { 0 };
  g_auto (FdTdResponse) r2 = { 0 };
  g_auto (FdTdResponse) r3 = { 0 };
  g_autoptr (JsonNode) keep = NULL;

  fd_td_raw_send (a, whoami);
  g_assert_true (fd_td_raw_response (a, &r1));
  g_assert_cmpuint (r1.status, ==, 200);
  fd_td_raw_send (b, whoami_bearer);
  g_assert_true (fd_td_raw_response (b, &r2));
  g_assert_cmpuint (r2.status, ==, 200);

  fd_td_revoke (shared, cert);
  fd_td_revoke (shared, cloud);
  g_assert_true (fd_td_closed_by_server (a));
  g_assert_true (fd_td_closed_by_server (b));

  c = fd_td_raw_open (shared, NULL, NULL);
  fd_td_raw_send (c, whoami_bearer);
  g_assert_true (fd_td_raw_response (c, &r3));
  g_assert_cmpuint (r3.status, ==, 401);
  g_assert_cmpstr (fd_td_error_code (&r3, &keep), ==, "unauthorized");
  g_assert_true (fd_td_closed_by_server (c));
}

/* Deleting a device closes its connections at once; moving it to another fleet shows in
 * whoami on the same connection. */
static void
test_device_moved_and_deleted (void)
{
  g_autoptr (FdTdDevice) d = fd_td_cert_device (shared, "moved");
  g_autoptr (FdTdRaw) r = fd_td_raw_open (shared, d, NULL);
  g_autofree char *whoami = fd_td_request ("GET", "/v1/whoami", NULL, NULL);
  g_autofree char *fleets = g_strdup_printf ("/api/v1/workspaces/%s/fleets", shared->workspace);
  g_autoptr (JsonNode) fleet
      = fd_test_api_expect (shared->srv, "POST", fleets, "{\"name\": \"moved-to\"}", 201);
  g_autofree char *dev_path = g_strconcat ("/api/v1/devices/", d->id, NULL);
  g_autofree char *move = g_strdup_printf ("{\"fleet_id\": \"%s\"}", fd_test_str (fleet, "id"));
  g_autoptr (JsonNode) moved = fd_test_api_expect (shared->srv, "PATCH", dev_path, move, 200);
  g_autoptr (JsonNode) gone = NULL;
  g_auto (FdTdResponse) resp = { 0 };
  g_autoptr (JsonNode) node = NULL;

  fd_td_raw_send (r, whoami);
  g_assert_true (fd_td_raw_response (r, &resp));
  g_assert_cmpuint (resp.status, ==, 200);
  node = json_from_string (resp.body, NULL);
  g_assert_cmpstr (fd_test_str (node, "fleet_id"), ==, fd_test_str (fleet, "id"));

  gone = fd_test_api_expect (shared->srv, "DELETE", dev_path, NULL, 204);
  g_assert_true (fd_td_closed_by_server (r));
  g_assert_true (fd_td_handshake_refused (shared, d));
}

/* A body over 16 MiB is refused from its head: no byte of it is waited for. */
static void
test_too_large (void)
{
  g_autoptr (FdTdDevice) d = fd_td_cert_device (shared, "large");
  g_autoptr (FdTdRaw) r = fd_td_raw_open (shared, d, NULL);
  g_auto (FdTdResponse) resp = { 0 };
  g_autoptr (JsonNode) keep = NULL;

  fd_td_raw_send (r, "POST /v1/data/t HTTP/1.1\r\nHost: x\r\nContent-Length: 16777217\r\n\r\n{");
  g_assert_true (fd_td_raw_response (r, &resp));
  g_assert_cmpuint (resp.status, ==, 413);
  g_assert_cmpstr (fd_td_error_code (&resp, &keep), ==, "payload_too_large");
  g_assert_true (fd_td_closed_by_server (r));
}

/* Requests sent back to back on one connection are answered in order. */
static void
test_pipelining (void)
{
  g_autoptr (FdTdDevice) d = fd_td_cert_device (shared, "pipeline");
  g_autoptr (FdTdRaw) r = fd_td_raw_open (shared, d, NULL);
  g_autofree char *a = fd_td_request ("POST", "/v1/data/p", NULL, "{\"n\": 1}");
  g_autofree char *b = fd_td_request ("GET", "/v1/nothing", NULL, NULL);
  g_autofree char *c = fd_td_request ("GET", "/v1/whoami", NULL, NULL);
  g_autofree char *all = g_strconcat (a, b, c, NULL);
  const guint want[] = { 202, 404, 200 };

  fd_td_raw_send (r, all);
  for (guint i = 0; i < G_N_ELEMENTS (want); i++)
    {
      g_auto (FdTdResponse) resp = { 0 };
      g_assert_true (fd_td_raw_response (r, &resp));
      g_assert_cmpuint (resp.status, ==, want[i]);
    }
}

/* 300 connections that each send one request and hang up, at every stage, leave the server's
 * file descriptors where they were. */
static void
test_hung_up_clients (void)
{
  g_autoptr (FdTdDevice) d = fd_td_cert_device (shared, "hangup");
  g_autofree char *whoami = fd_td_request ("GET", "/v1/whoami", NULL, NULL);
  guint before, after = 0;

  {
    /* one connection first, so that lazily opened files are open before counting */
    g_autoptr (FdTdRaw) r = fd_td_raw_open (shared, d, NULL);
    g_auto (FdTdResponse) resp = { 0 };
    fd_td_raw_send (r, whoami);
    g_assert_true (fd_td_raw_response (r, &resp));
  }
  g_usleep (200 * 1000);
  before = fd_td_count_fds (shared->srv->pid);

  for (guint i = 0; i < 300; i++)
    {
      switch (i % 4)
        {
        case 0: /* after its answer, without a TLS close */
          {
            g_autoptr (FdTdRaw) r = fd_td_raw_open (shared, d, NULL);
            g_auto (FdTdResponse) resp = { 0 };
            fd_td_raw_send (r, whoami);
            g_assert_true (fd_td_raw_response (r, &resp));
            g_socket_close (g_socket_connection_get_socket (r->tcp), NULL);
            break;
          }
        case 1: /* before reading its answer */
          {
            g_autoptr (FdTdRaw) r = fd_td_raw_open (shared, d, NULL);
            fd_td_raw_send (r, whoami);
            break;
          }
        case 2: /* in the middle of a body */
          {
            g_autoptr (FdTdRaw) r = fd_td_raw_open (shared, d, NULL);
            fd_td_raw_send (
                r, "POST /v1/data/t HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{\"a\"");
            break;
          }
        case 3: /* before the TLS handshake */
          {
            g_autoptr (GSocketConnection) tcp = fd_td_tcp_connect (shared);
            g_io_stream_close (G_IO_STREAM (tcp), NULL, NULL);
            break;
          }
        }
    }
  for (guint tries = 0; tries < 50; tries++)
    {
      g_usleep (100 * 1000);
      after = fd_td_count_fds (shared->srv->pid);
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
  g_autoptr (FdTdDevice) d = fd_td_cert_device (strict, "rate");
  g_autoptr (FdTdRaw) r = fd_td_raw_open (strict, d, NULL);
  g_autofree char *data = fd_td_request ("POST", "/v1/data/r", NULL, "{\"n\": 1}");
  guint accepted = 0, limited = 0;

  /* rate 2/s, burst 4: the first four pass, then 429 on the same, still open, connection */
  for (guint i = 0; i < 8; i++)
    {
      g_auto (FdTdResponse) resp = { 0 };
      fd_td_raw_send (r, data);
      g_assert_true (fd_td_raw_response (r, &resp));
      if (resp.status == 202)
        accepted++;
      else
        {
          g_autoptr (JsonNode) keep = NULL;
          g_assert_cmpuint (resp.status, ==, 429);
          g_assert_cmpstr (fd_td_error_code (&resp, &keep), ==, "rate_limited");
          g_assert_true (fd_td_has_header (&resp, "Retry-After: 1"));
          g_assert_false (fd_td_has_header (&resp, "Connection: close"));
          limited++;
        }
    }
  g_assert_cmpuint (accepted, >=, 4);
  g_assert_cmpuint (accepted, <=, 5); /* one more token may have dripped in meanwhile */
  g_assert_cmpuint (limited, ==, 8 - accepted);

  /* after Retry-After, the connection works again */
  g_usleep (1100 * 1000);
  {
    g_auto (FdTdResponse) resp = { 0 };
    fd_td_raw_send (r, data);
    g_assert_true (fd_td_raw_response (r, &resp));
    g_assert_cmpuint (resp.status, ==, 202);
  }
}

static void
test_idle_timeout (void)
{
  g_autoptr (FdTdDevice) d = fd_td_cert_device (strict, "idle");
  g_autoptr (FdTdRaw) r = fd_td_raw_open (strict, d, NULL);
  g_autofree char *whoami = fd_td_request ("GET", "/v1/whoami", NULL, NULL);
  g_auto (FdTdResponse) resp = { 0 };
  gint64 start;

  fd_td_raw_send (r, whoami);
  g_assert_true (fd_td_raw_response (r, &resp));
  start = g_get_monotonic_time ();
  g_assert_true (fd_td_closed_by_server (r));
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
  g_test_add_func ("/device-https/keep-alive", test_keep_alive);
  g_test_add_func ("/device-https/unknown-certificate", test_unknown_certificate);
  g_test_add_func ("/device-https/revoked-mid-connection", test_revoked_mid_connection);
  g_test_add_func ("/device-https/device-moved-and-deleted", test_device_moved_and_deleted);
  g_test_add_func ("/device-https/connection-limit", test_connection_limit);
  g_test_add_func ("/device-https/too-large", test_too_large);
  g_test_add_func ("/device-https/pipelining", test_pipelining);
  g_test_add_func ("/device-https/hung-up-clients-leave-no-fds", test_hung_up_clients);
  g_test_add_func ("/device-https/tls-versions", test_tls_versions);
  g_test_add_func ("/device-https/rate-limit", test_rate_limit);
  g_test_add_func ("/device-https/idle-timeout", test_idle_timeout);

  shared = fd_td_server_start (shared_args);
  strict = fd_td_server_start (strict_args);
  status = g_test_run ();
  fd_td_server_stop (shared);
  fd_td_server_stop (strict);
  return status;
}
