/* test-pki.c — the local CA and the device JWT check, against real peers: certtool makes the
 * CSRs, foreign certificates and an expiring server certificate, and checks what we issue;
 * gnutls-cli does real TLS handshakes with the server certificate (and with a device
 * certificate as client); python3's standard library makes HS256 tokens. */
#include "fd-test-server.h"

#include <glib/gstdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "pki/fd-jwt.h"
#include "pki/fd-pki.h"

typedef struct
{
  char *root; /* temporary */
  char *dir;  /* ROOT/pki */
} Fixture;

static void
fixture_set_up (Fixture *f, gconstpointer data)
{
  f->root = g_dir_make_tmp ("fd-pki-XXXXXX", NULL);
  g_assert_nonnull (f->root);
  f->dir = g_build_filename (f->root, "pki", NULL);
}

static void
fixture_tear_down (Fixture *f, gconstpointer data)
{
  fd_test_rm_rf (f->root);
  g_free (f->root);
  g_free (f->dir);
}

/* --- helpers --- */

static char *
path_in (const char *dir, const char *name)
{
  return g_build_filename (dir, name, NULL);
}

static void
write_text (const char *path, const char *text, int mode)
{
  g_autoptr (GError) error = NULL;
  g_assert_true (
      g_file_set_contents_full (path, text, -1, G_FILE_SET_CONTENTS_CONSISTENT, mode, &error));
  g_assert_no_error (error);
}

static char *
read_text (const char *path)
{
  g_autoptr (GError) error = NULL;
  char *text = NULL;
  g_assert_true (g_file_get_contents (path, &text, NULL, &error));
  g_assert_no_error (error);
  return text;
}

static guint
file_mode (const char *path)
{
  struct stat st;
  g_assert_cmpint (lstat (path, &st), ==, 0);
  return st.st_mode & 07777;
}

/* Runs a program (NULL-terminated argv) with empty stdin; returns TRUE on exit status 0 and
 * hands back stdout and stderr together in @output. */
static gboolean
run (char **output, const char *const *argv)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GSubprocess) proc = NULL;
  g_autofree char *out = NULL, *err = NULL;
  gboolean ok;

  proc = g_subprocess_newv (argv,
                            G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_PIPE
                                | G_SUBPROCESS_FLAGS_STDERR_PIPE,
                            &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_communicate_utf8 (proc, "", NULL, &out, &err, &error));
  g_assert_no_error (error);
  ok = g_subprocess_get_if_exited (proc) && g_subprocess_get_exit_status (proc) == 0;
  if (output != NULL)
    *output = g_strconcat (out ? out : "", err ? err : "", NULL);
  return ok;
}

#define RUN_OK(...)                                                                                \
  G_STMT_START                                                                                     \
  {                                                                                                \
    const char *argv_[] = { __VA_ARGS__, NULL };                                                   \
    g_autofree char *out_ = NULL;                                                                  \
    if (!run (&out_, argv_))                                                                       \
      g_error ("%s failed:\n%s", argv_[0], out_);                                                  \
  }                                                                                                \
  G_STMT_END

/* certtool -i of a PEM file. */
static char *
certtool_info (const char *path)
{
  const char *argv[] = { "certtool", "-i", "--infile", path, NULL };
  char *out = NULL;
  g_assert_true (run (&out, argv));
  return out;
}

static void
certtool_key (const char *path, const char *type, const char *size)
{
  if (g_strcmp0 (type, "rsa") == 0)
    RUN_OK ("certtool", "--generate-privkey", "--no-text", "--key-type", "rsa", "--bits", size,
            "--outfile", path);
  else if (g_strcmp0 (type, "ecdsa") == 0)
    RUN_OK ("certtool", "--generate-privkey", "--no-text", "--key-type", "ecdsa", "--curve", size,
            "--outfile", path);
  else
    RUN_OK ("certtool", "--generate-privkey", "--no-text", "--key-type", type, "--outfile", path);
}

/* A CSR for a new key of @type/@size in DIR/NAME.csr (key in DIR/NAME.key), asking CN "evil". */
static char *
certtool_csr (const char *dir, const char *name, const char *type, const char *size)
{
  g_autofree char *key = g_strdup_printf ("%s/%s.key", dir, name);
  g_autofree char *tmpl = g_strdup_printf ("%s/%s.tmpl", dir, name);
  char *csr = g_strdup_printf ("%s/%s.csr", dir, name);

  certtool_key (key, type, size);
  write_text (tmpl, "cn = \"evil\"\norganization = \"Mallory\"\ntls_www_server\nca\n", 0600);
  RUN_OK ("certtool", "--generate-request", "--no-text", "--load-privkey", key, "--template", tmpl,
          "--outfile", csr);
  return csr;
}

static FdPki *
open_ok (const char *dir, const char *const *names)
{
  g_autoptr (GError) error = NULL;
  FdPki *pki = fd_pki_open (dir, names, &error);
  g_assert_no_error (error);
  g_assert_nonnull (pki);
  return pki;
}

static char *
file_fingerprint (const char *path)
{
  g_autofree char *pem = read_text (path);
  g_autoptr (GError) error = NULL;
  g_autoptr (FdCertInfo) info = fd_pki_parse_certificate (NULL, pem, strlen (pem), &error);
  g_assert_no_error (error);
  return g_strdup (info->fingerprint);
}

static gint64
now_ms (void)
{
  return g_get_real_time () / 1000;
}

/* --- the CA --- */

static void
test_ca_created (Fixture *f, gconstpointer data)
{
  g_autoptr (FdPki) pki = open_ok (f->dir, NULL);
  g_autofree char *ca_crt = path_in (f->dir, "ca.crt");
  g_autofree char *ca_key = path_in (f->dir, "ca.key");
  g_autofree char *srv_key = path_in (f->dir, "server.key");
  g_autofree char *srv_crt = path_in (f->dir, "server.crt");
  g_autofree char *info = certtool_info (ca_crt);
  g_autofree char *on_disk = read_text (ca_crt);
  g_autofree char *expected_fp = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (FdCertInfo) ca = NULL;
  g_autoptr (GRegex) serial_re = g_regex_new ("Serial Number \\(hex\\): ([0-9a-f]+)", 0, 0, NULL);
  g_autoptr (GMatchInfo) match = NULL;
  g_autofree char *serial = NULL;

  g_assert_cmpuint (file_mode (f->dir), ==, 0700);
  g_assert_cmpuint (file_mode (ca_key), ==, 0600);
  g_assert_cmpuint (file_mode (srv_key), ==, 0600);
  g_assert_true (g_file_test (srv_crt, G_FILE_TEST_IS_REGULAR));

  /* What certtool reads in it. */
  g_assert_nonnull (strstr (info, "Certificate Authority (CA): TRUE"));
  g_assert_nonnull (strstr (info, "Path Length Constraint: 0"));
  g_assert_nonnull (strstr (info, "Certificate signing."));
  g_assert_nonnull (strstr (info, "CRL signing."));
  g_assert_nonnull (strstr (info, "Subject Key Identifier"));
  g_assert_nonnull (strstr (info, "EC/ECDSA"));
  g_assert_nonnull (strstr (info, "Curve:\tSECP256R1"));
  g_assert_true (g_regex_match (serial_re, info, 0, &match));
  serial = g_match_info_fetch (match, 1);
  g_assert_cmpuint (strlen (serial), ==, 32);               /* 16 bytes */
  g_assert_cmpint (g_ascii_xdigit_value (serial[0]), <, 8); /* positive */

  /* What we report about it. */
  g_assert_cmpstr (fd_pki_get_ca_pem (pki), ==, on_disk);
  ca = fd_pki_parse_certificate (pki, on_disk, strlen (on_disk), &error);
  g_assert_no_error (error);
  g_assert_cmpstr (ca->fingerprint, ==, fd_pki_get_ca_fingerprint (pki));
  g_assert_cmpuint (strlen (ca->fingerprint), ==, 64);
  expected_fp = g_strdup_printf ("sha256:%s", ca->fingerprint);
  g_assert_nonnull (strstr (info, expected_fp)); /* certtool's own SHA-256 fingerprint */
  g_assert_true (g_str_has_prefix (ca->common_name, "Fleetdesk local CA "));
  g_assert_cmpuint (strlen (ca->common_name), ==, strlen ("Fleetdesk local CA ") + 8);
  for (const char *p = ca->common_name + strlen ("Fleetdesk local CA "); *p; p++)
    g_assert_nonnull (strchr ("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", *p));
  g_assert_true (ca->self_signed);
  g_assert_true (ca->issued_by_ca);
  g_assert_cmpstr (ca->subject, ==, ca->issuer);
  g_assert_cmpint (ca->not_after - now_ms (), >, (gint64)(FD_PKI_CA_DAYS - 1) * 86400000);

  /* No private key anywhere but in its file. */
  g_assert_null (strstr (fd_pki_get_ca_pem (pki), "PRIVATE"));
}

static void
test_ca_reopened (Fixture *f, gconstpointer data)
{
  g_autofree char *srv_crt = path_in (f->dir, "server.crt");
  g_autofree char *fp = NULL, *srv_fp = NULL, *srv_fp2 = NULL;
  g_autofree char *pem = NULL;

  {
    g_autoptr (FdPki) pki = open_ok (f->dir, NULL);
    fp = g_strdup (fd_pki_get_ca_fingerprint (pki));
    pem = g_strdup (fd_pki_get_ca_pem (pki));
    srv_fp = file_fingerprint (srv_crt);
  }
  {
    g_autoptr (FdPki) pki = open_ok (f->dir, NULL);
    g_assert_cmpstr (fd_pki_get_ca_fingerprint (pki), ==, fp);
    g_assert_cmpstr (fd_pki_get_ca_pem (pki), ==, pem);
  }
  srv_fp2 = file_fingerprint (srv_crt);
  g_assert_cmpstr (srv_fp2, ==, srv_fp); /* a good server certificate is kept */
}

static void
assert_open_fails (const char *dir, const char *needle)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (FdPki) pki = fd_pki_open (dir, NULL, &error);

  g_assert_null (pki);
  g_assert_nonnull (error);
  g_assert_true (error->domain == FD_PKI_ERROR);
  if (strstr (error->message, needle) == NULL)
    g_error ("“%s” does not mention “%s”", error->message, needle);
}

static void
test_ca_unsafe_dir (Fixture *f, gconstpointer data)
{
  g_autofree char *real = path_in (f->root, "real");
  g_autofree char *link = path_in (f->root, "link");
  g_autofree char *open_dir = path_in (f->root, "open");
  g_autofree char *wide = path_in (f->root, "wide");

  g_assert_cmpint (g_mkdir (real, 0700), ==, 0);
  g_assert_cmpint (symlink (real, link), ==, 0);
  assert_open_fails (link, "symbolic link");

  g_assert_cmpint (g_mkdir (open_dir, 0700), ==, 0);
  g_assert_cmpint (chmod (open_dir, 0777), ==, 0);
  assert_open_fails (open_dir, "writable by other users");
  {
    g_autofree char *key = path_in (open_dir, "ca.key");
    g_assert_false (g_file_test (key, G_FILE_TEST_EXISTS));
  }
  g_assert_cmpint (chmod (open_dir, 0770), ==, 0);
  assert_open_fails (open_dir, "writable by other users");

  /* Readable by others but not writable: narrowed to 0700, then used. */
  g_assert_cmpint (g_mkdir (wide, 0700), ==, 0);
  g_assert_cmpint (chmod (wide, 0755), ==, 0);
  {
    g_autoptr (FdPki) pki = open_ok (wide, NULL);
  }
  g_assert_cmpuint (file_mode (wide), ==, 0700);
}

static void
test_ca_damaged (Fixture *f, gconstpointer data)
{
  g_autofree char *ca_key = path_in (f->dir, "ca.key");
  g_autofree char *ca_crt = path_in (f->dir, "ca.crt");
  g_autofree char *other = path_in (f->root, "other");
  g_autofree char *other_key = path_in (other, "ca.key");
  g_autofree char *good_key = NULL, *good_crt = NULL, *after = NULL;
  const char *garbage = "-----BEGIN PRIVATE KEY-----\nnot a key\n-----END PRIVATE KEY-----\n";

  {
    g_autoptr (FdPki) a = open_ok (f->dir, NULL);
    g_autoptr (FdPki) b = open_ok (other, NULL);
  }
  good_key = read_text (ca_key);
  good_crt = read_text (ca_crt);

  /* A corrupt key: an error naming it, and the file left as it was. */
  write_text (ca_key, garbage, 0600);
  assert_open_fails (f->dir, ca_key);
  after = read_text (ca_key);
  g_assert_cmpstr (after, ==, garbage);

  /* Another CA's key. */
  {
    g_autofree char *foreign = read_text (other_key);
    write_text (ca_key, foreign, 0600);
    assert_open_fails (f->dir, "does not belong to");
  }

  /* A corrupt certificate. */
  write_text (ca_key, good_key, 0600);
  write_text (ca_crt, "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n", 0644);
  assert_open_fails (f->dir, ca_crt);

  /* One file without the other: never a silent new CA. */
  g_assert_cmpint (g_unlink (ca_crt), ==, 0);
  assert_open_fails (f->dir, "ca.crt is missing");
  g_assert_false (g_file_test (ca_crt, G_FILE_TEST_EXISTS));
  write_text (ca_crt, good_crt, 0644);
  g_assert_cmpint (g_unlink (ca_key), ==, 0);
  assert_open_fails (f->dir, "ca.key is missing");

  /* A key others can read. */
  write_text (ca_key, good_key, 0644);
  g_assert_cmpint (chmod (ca_key, 0644), ==, 0);
  assert_open_fails (f->dir, "chmod 600");

  /* Restored: works again, same CA. */
  g_assert_cmpint (chmod (ca_key, 0600), ==, 0);
  {
    g_autoptr (FdPki) pki = open_ok (f->dir, NULL);
    g_assert_cmpstr (fd_pki_get_ca_pem (pki), ==, good_crt);
  }
}

/* --- the server certificate --- */

typedef struct
{
  GSocketListener *listener;
  GCancellable *cancel;
  GTlsCertificate *cert;
  FdPki *pki;
  gboolean require_client_cert;
  guint16 port;
  gboolean have_ipv6;
  GAsyncQueue *results; /* "ok" or the handshake error, per connection */
  char *peer_fingerprint;
  GThread *thread;
} TlsServer;

static gboolean
on_accept_certificate (GTlsConnection *conn, GTlsCertificate *peer, GTlsCertificateFlags errors,
                       gpointer user_data)
{
  TlsServer *srv = user_data;
  g_autoptr (GByteArray) der = NULL;
  g_autoptr (FdCertInfo) info = NULL;

  /* The DER of a peer certificate is its "certificate" property. */
  g_object_get (peer, "certificate", &der, NULL);
  info = fd_pki_parse_der (srv->pki, der->data, der->len, NULL);
  if (info == NULL || !info->issued_by_ca)
    return FALSE;
  g_free (srv->peer_fingerprint);
  srv->peer_fingerprint = g_strdup (info->fingerprint);
  return TRUE;
}

static gpointer
tls_server_thread (gpointer data)
{
  TlsServer *srv = data;

  for (;;)
    {
      g_autoptr (GSocketConnection) conn = NULL;
      g_autoptr (GIOStream) tls = NULL;
      g_autoptr (GError) error = NULL;

      conn = g_socket_listener_accept (srv->listener, NULL, srv->cancel, NULL);
      if (conn == NULL)
        break;
      g_socket_set_timeout (g_socket_connection_get_socket (conn), 10);
      tls = g_tls_server_connection_new (G_IO_STREAM (conn), srv->cert, &error);
      g_assert_no_error (error);
      if (srv->require_client_cert)
        {
          g_object_set (tls, "authentication-mode", G_TLS_AUTHENTICATION_REQUIRED, NULL);
          g_signal_connect (tls, "accept-certificate", G_CALLBACK (on_accept_certificate), srv);
        }
      if (g_tls_connection_handshake (G_TLS_CONNECTION (tls), NULL, &error))
        {
          char buf[256];
          /* Until the client leaves: closing with its bytes unread would reset the connection. */
          g_output_stream_write_all (g_io_stream_get_output_stream (tls), "hello\n", 6, NULL, NULL,
                                     NULL);
          while (
              g_input_stream_read (g_io_stream_get_input_stream (tls), buf, sizeof buf, NULL, NULL)
              > 0)
            ;
          g_io_stream_close (tls, NULL, NULL);
          g_async_queue_push (srv->results, g_strdup ("ok"));
        }
      else
        g_async_queue_push (srv->results, g_strdup (error->message));
    }
  return NULL;
}

static TlsServer *
tls_server_start (FdPki *pki, gboolean require_client_cert)
{
  TlsServer *srv = g_new0 (TlsServer, 1);
  g_autoptr (GInetAddress) lo = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr (GSocketAddress) addr = g_inet_socket_address_new (lo, 0);
  g_autoptr (GSocketAddress) bound = NULL;
  g_autoptr (GError) error = NULL;

  srv->pki = pki;
  srv->cert = fd_pki_dup_server_certificate (pki);
  srv->require_client_cert = require_client_cert;
  srv->cancel = g_cancellable_new ();
  srv->results = g_async_queue_new_full (g_free);
  srv->listener = g_socket_listener_new ();
  g_socket_listener_add_address (srv->listener, addr, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP,
                                 NULL, &bound, &error);
  g_assert_no_error (error);
  srv->port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
  {
    /* ::1 on the same port when the machine has IPv6 loopback. */
    g_autoptr (GInetAddress) lo6 = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV6);
    g_autoptr (GSocketAddress) addr6 = g_inet_socket_address_new (lo6, srv->port);
    srv->have_ipv6 = g_socket_listener_add_address (srv->listener, addr6, G_SOCKET_TYPE_STREAM,
                                                    G_SOCKET_PROTOCOL_TCP, NULL, NULL, NULL);
  }
  srv->thread = g_thread_new ("tls-server", tls_server_thread, srv);
  return srv;
}

static char *
tls_server_next_result (TlsServer *srv)
{
  char *result = g_async_queue_timeout_pop (srv->results, 20 * G_USEC_PER_SEC);
  g_assert_nonnull (result);
  return result;
}

static void
tls_server_stop (TlsServer *srv)
{
  g_cancellable_cancel (srv->cancel);
  g_thread_join (srv->thread);
  g_socket_listener_close (srv->listener);
  g_object_unref (srv->listener);
  g_object_unref (srv->cancel);
  g_object_unref (srv->cert);
  g_async_queue_unref (srv->results);
  g_free (srv->peer_fingerprint);
  g_free (srv);
}

/* gnutls-cli to HOST on the test server, trusting only the Fleetdesk CA; @verify_name, when
 * set, is the name it checks instead of HOST. Returns whether the client succeeded. */
static gboolean
gnutls_cli (TlsServer *srv, const char *ca_file, const char *host, const char *verify_name,
            const char *cert, const char *key, char **output)
{
  g_autofree char *port = g_strdup_printf ("%u", srv->port);
  g_autofree char *verify
      = verify_name ? g_strdup_printf ("--verify-hostname=%s", verify_name) : NULL;
  g_autofree char *cert_opt = cert ? g_strdup_printf ("--x509certfile=%s", cert) : NULL;
  g_autofree char *key_opt = key ? g_strdup_printf ("--x509keyfile=%s", key) : NULL;
  const char *argv[12];
  guint n = 0;

  argv[n++] = "gnutls-cli";
  argv[n++] = "--x509cafile";
  argv[n++] = ca_file;
  argv[n++] = "-p";
  argv[n++] = port;
  if (verify)
    argv[n++] = verify;
  if (cert_opt)
    {
      argv[n++] = cert_opt;
      argv[n++] = key_opt;
    }
  argv[n++] = host;
  argv[n] = NULL;
  return run (output, argv);
}

static void
test_server_tls_handshake (Fixture *f, gconstpointer data)
{
  g_autoptr (FdPki) pki = open_ok (f->dir, NULL);
  g_autofree char *ca_file = path_in (f->dir, "ca.crt");
  g_autoptr (GTlsCertificate) cert = fd_pki_dup_server_certificate (pki);
  GTlsCertificate *issuer = g_tls_certificate_get_issuer (cert);
  g_autofree char *key_pem = NULL;
  TlsServer *srv;
  const char *hosts[] = { "localhost", "127.0.0.1", "::1" };

  /* The GIO certificate carries its key and the CA as issuer. */
  g_object_get (cert, "private-key-pem", &key_pem, NULL);
  g_assert_nonnull (key_pem);
  g_assert_nonnull (issuer);
  {
    g_autoptr (GByteArray) der = NULL;
    g_autoptr (FdCertInfo) info = NULL;
    g_object_get (issuer, "certificate", &der, NULL);
    info = fd_pki_parse_der (pki, der->data, der->len, NULL);
    g_assert_cmpstr (info->fingerprint, ==, fd_pki_get_ca_fingerprint (pki));
  }
  g_assert_cmpint (fd_pki_get_server_not_after (pki) - now_ms (), >,
                   (gint64)(FD_PKI_SERVER_DAYS - 1) * 86400000);

  srv = tls_server_start (pki, FALSE);
  for (guint i = 0; i < G_N_ELEMENTS (hosts); i++)
    {
      g_autofree char *out = NULL, *result = NULL;

      if (i == 2 && !srv->have_ipv6)
        {
          g_test_message ("no IPv6 loopback here: ::1 handshake not tried");
          continue;
        }
      if (!gnutls_cli (srv, ca_file, hosts[i], NULL, NULL, NULL, &out))
        g_error ("gnutls-cli to %s failed:\n%s", hosts[i], out);
      result = tls_server_next_result (srv);
      g_assert_cmpstr (result, ==, "ok");
    }
  {
    /* A name the certificate does not carry is refused by the client. */
    g_autofree char *out = NULL, *result = NULL;
    g_assert_false (gnutls_cli (srv, ca_file, "127.0.0.1", "other.example", NULL, NULL, &out));
    g_assert_nonnull (strstr (out, "does not match"));
    result = tls_server_next_result (srv);
    g_assert_cmpstr (result, !=, "ok");
  }
  {
    /* And a client that trusts another CA refuses it too. */
    g_autofree char *other = path_in (f->root, "other");
    g_autoptr (FdPki) other_pki = open_ok (other, NULL);
    g_autofree char *other_ca = path_in (other, "ca.crt");
    g_autofree char *out = NULL, *result = NULL;
    g_assert_false (gnutls_cli (srv, other_ca, "localhost", NULL, NULL, NULL, &out));
    g_assert_nonnull (strstr (out, "NOT trusted"));
    result = tls_server_next_result (srv);
  }
  tls_server_stop (srv);
}

static void
test_server_names (Fixture *f, gconstpointer data)
{
  const char *dup_names[] = { "LOCALHOST", "127.0.0.1", "Fleet.Example.org.", NULL };
  g_auto (GStrv) names = fd_pki_server_names (dup_names);
  g_autofree char *joined = g_strjoinv (",", names);
  g_autofree char *expected = NULL;
  g_autofree char *host = g_ascii_strdown (g_get_host_name (), -1);

  /* Order and no duplicates. */
  g_assert_cmpstr (names[0], ==, "localhost");
  g_assert_cmpstr (names[1], ==, "127.0.0.1");
  g_assert_cmpstr (names[2], ==, "::1");
  if (g_strcmp0 (host, "localhost") != 0)
    expected = g_strdup_printf ("localhost,127.0.0.1,::1,%s,fleet.example.org", host);
  else
    expected = g_strdup ("localhost,127.0.0.1,::1,fleet.example.org");
  g_assert_cmpstr (joined, ==, expected);

  {
    const char *bad[] = { "not a name!", NULL };
    g_autoptr (GError) error = NULL;
    g_autoptr (FdPki) pki = fd_pki_open (f->dir, bad, &error);
    g_assert_null (pki);
    g_assert_error (error, FD_PKI_ERROR, FD_PKI_ERROR_INVALID);
  }
}

static void
test_server_names_change (Fixture *f, gconstpointer data)
{
  g_autofree char *srv_crt = path_in (f->dir, "server.crt");
  const char *fleet[] = { "fleet.example.org", NULL };
  const char *fleet_again[] = { "FLEET.example.org.", "localhost", NULL };
  const char *ip[] = { "10.1.2.3", NULL };
  g_autofree char *ca_fp = NULL, *fp0 = NULL, *fp1 = NULL, *fp2 = NULL, *fp3 = NULL;
  g_autofree char *info1 = NULL, *info3 = NULL;

  {
    g_autoptr (FdPki) pki = open_ok (f->dir, NULL);
    ca_fp = g_strdup (fd_pki_get_ca_fingerprint (pki));
  }
  fp0 = file_fingerprint (srv_crt);
  {
    g_autoptr (FdPki) pki = open_ok (f->dir, fleet);
  }
  fp1 = file_fingerprint (srv_crt);
  g_assert_cmpstr (fp1, !=, fp0);
  info1 = certtool_info (srv_crt);
  g_assert_nonnull (strstr (info1, "DNSname: fleet.example.org"));
  g_assert_nonnull (strstr (info1, "DNSname: localhost"));
  g_assert_nonnull (strstr (info1, "IPAddress: 127.0.0.1"));
  g_assert_nonnull (strstr (info1, "IPAddress: ::1"));
  g_assert_nonnull (strstr (info1, "TLS WWW Server."));
  g_assert_nonnull (strstr (info1, "Digital signature."));
  g_assert_nonnull (strstr (info1, "Certificate Authority (CA): FALSE"));
  g_assert_nonnull (strstr (info1, "Subject: CN=localhost"));

  /* The same set, written differently: kept. */
  {
    g_autoptr (FdPki) pki = open_ok (f->dir, fleet_again);
  }
  fp2 = file_fingerprint (srv_crt);
  g_assert_cmpstr (fp2, ==, fp1);

  /* Another set: reissued, by the same CA. */
  {
    g_autoptr (FdPki) pki = open_ok (f->dir, ip);
    g_assert_cmpstr (fd_pki_get_ca_fingerprint (pki), ==, ca_fp);
  }
  fp3 = file_fingerprint (srv_crt);
  g_assert_cmpstr (fp3, !=, fp1);
  info3 = certtool_info (srv_crt);
  g_assert_nonnull (strstr (info3, "IPAddress: 10.1.2.3"));
  g_assert_null (strstr (info3, "fleet.example.org"));
  g_assert_cmpuint (file_mode (srv_crt), !=, 0); /* still there */
  {
    g_autofree char *srv_key = path_in (f->dir, "server.key");
    g_assert_cmpuint (file_mode (srv_key), ==, 0600);
  }
}

/* Replaces server.key/server.crt with a certtool-made pair signed by the CA, valid @days, with
 * exactly the names the server wants; returns its fingerprint. */
static char *
certtool_server_cert (Fixture *f, guint days)
{
  g_autofree char *ca_crt = path_in (f->dir, "ca.crt");
  g_autofree char *ca_key = path_in (f->dir, "ca.key");
  g_autofree char *srv_key = path_in (f->dir, "server.key");
  g_autofree char *srv_crt = path_in (f->dir, "server.crt");
  g_autofree char *tmpl_path = path_in (f->root, "server.tmpl");
  g_auto (GStrv) names = fd_pki_server_names (NULL);
  g_autoptr (GString) tmpl = g_string_new ("cn = \"localhost\"\ntls_www_server\nsigning_key\n");
  g_autofree char *days_opt = g_strdup_printf ("expiration_days = %u\n", days);

  g_string_append (tmpl, days_opt);
  for (guint i = 0; names[i]; i++)
    g_string_append_printf (tmpl, "%s = \"%s\"\n",
                            g_hostname_is_ip_address (names[i]) ? "ip_address" : "dns_name",
                            names[i]);
  write_text (tmpl_path, tmpl->str, 0600);
  g_unlink (srv_key);
  certtool_key (srv_key, "ecdsa", "secp256r1");
  g_assert_cmpint (chmod (srv_key, 0600), ==, 0);
  RUN_OK ("certtool", "--generate-certificate", "--no-text", "--load-privkey", srv_key,
          "--load-ca-certificate", ca_crt, "--load-ca-privkey", ca_key, "--template", tmpl_path,
          "--outfile", srv_crt);
  return file_fingerprint (srv_crt);
}

static void
test_server_expiring_renewed (Fixture *f, gconstpointer data)
{
  g_autofree char *srv_crt = path_in (f->dir, "server.crt");
  g_autofree char *fp_good = NULL, *fp_old = NULL, *fp_new = NULL;

  {
    g_autoptr (FdPki) pki = open_ok (f->dir, NULL);
  }

  /* A good certtool-made certificate with 100 days left is kept: so what follows is about the
   * expiry, nothing else. */
  fp_good = certtool_server_cert (f, 100);
  {
    g_autoptr (FdPki) pki = open_ok (f->dir, NULL);
    gboolean renewed = TRUE;
    g_autoptr (GError) error = NULL;
    g_assert_cmpint (fd_pki_get_server_not_after (pki) - now_ms (), <, (gint64)101 * 86400000);
    g_assert_true (fd_pki_renew_if_needed (pki, &renewed, &error));
    g_assert_no_error (error);
    g_assert_false (renewed);
  }
  g_assert_cmpstr (file_fingerprint (srv_crt), ==, fp_good);

  /* 10 days left: renewed on open. */
  fp_old = certtool_server_cert (f, 10);
  {
    g_autoptr (FdPki) pki = open_ok (f->dir, NULL);
    g_autoptr (GTlsCertificate) cert = fd_pki_dup_server_certificate (pki);
    g_autoptr (GByteArray) der = NULL;
    g_autoptr (FdCertInfo) info = NULL;

    g_assert_cmpint (fd_pki_get_server_not_after (pki) - now_ms (), >,
                     (gint64)(FD_PKI_SERVER_DAYS - 1) * 86400000);
    g_object_get (cert, "certificate", &der, NULL);
    info = fd_pki_parse_der (pki, der->data, der->len, NULL);
    fp_new = file_fingerprint (srv_crt);
    g_assert_cmpstr (info->fingerprint, ==, fp_new);
    g_assert_true (info->issued_by_ca);
  }
  g_assert_cmpstr (fp_new, !=, fp_old);
}

/* --- device certificates --- */

static void
assert_certtool_verifies (const char *ca_file, const char *cert_file)
{
  const char *argv[]
      = { "certtool", "--verify", "--load-ca-certificate", ca_file, "--infile", cert_file, NULL };
  g_autofree char *out = NULL;
  if (!run (&out, argv) || strstr (out, "Verified") == NULL)
    g_error ("certtool --verify refused %s:\n%s", cert_file, out);
}

static void
test_device_issue (Fixture *f, gconstpointer data)
{
  g_autoptr (FdPki) pki = open_ok (f->dir, NULL);
  g_autoptr (GError) error = NULL;
  g_autofree char *key_pem = NULL;
  g_autoptr (FdCertInfo) info = NULL;
  g_autofree char *ca_file = path_in (f->dir, "ca.crt");
  g_autofree char *crt_file = path_in (f->root, "dev.crt");
  g_autofree char *key_file = path_in (f->root, "dev.key");
  g_autofree char *text = NULL, *key_text = NULL;
  gint64 t0 = now_ms ();
  gint64 until = t0 + (gint64)30 * 86400000;

  info = fd_pki_issue_device (pki, "dev-abcdefghijklmnopqrst", 0, &key_pem, &error);
  g_assert_no_error (error);
  g_assert_true (g_str_has_prefix (key_pem, "-----BEGIN PRIVATE KEY-----\n"));
  g_assert_cmpstr (info->common_name, ==, "dev-abcdefghijklmnopqrst");
  g_assert_cmpstr (info->subject, ==, "CN=dev-abcdefghijklmnopqrst");
  g_assert_true (info->issued_by_ca);
  g_assert_false (info->self_signed);
  g_assert_cmpint (ABS (info->not_before - (t0 - 5 * 60000)), <, 5000);
  g_assert_cmpint (ABS (info->not_after - (t0 + (gint64)FD_PKI_DEVICE_DAYS * 86400000)), <, 5000);

  write_text (crt_file, info->pem, 0600);
  write_text (key_file, key_pem, 0600);
  assert_certtool_verifies (ca_file, crt_file);
  text = certtool_info (crt_file);
  g_assert_nonnull (strstr (text, "TLS WWW Client."));
  g_assert_nonnull (strstr (text, "Digital signature."));
  g_assert_nonnull (strstr (text, "Certificate Authority (CA): FALSE"));
  g_assert_nonnull (strstr (text, "Authority Key Identifier"));
  {
    /* The key is P-256 and belongs to the certificate. */
    const char *argv[] = { "certtool", "-k", "--infile", key_file, NULL };
    g_autofree char *cert_id = NULL;
    g_autoptr (GRegex) re
        = g_regex_new ("Public Key ID:\\s*(?:sha1:[0-9a-f]+\\s*)?sha256:([0-9a-f]+)", 0, 0, NULL);
    g_autoptr (GMatchInfo) m1 = NULL, m2 = NULL;
    g_autofree char *id1 = NULL, *id2 = NULL;
    g_assert_true (run (&key_text, argv));
    g_assert_nonnull (strstr (key_text, "SECP256R1"));
    g_assert_true (g_regex_match (re, key_text, 0, &m1));
    g_assert_true (g_regex_match (re, text, 0, &m2));
    id1 = g_match_info_fetch (m1, 1);
    id2 = g_match_info_fetch (m2, 1);
    g_assert_cmpstr (id1, ==, id2);
  }

  /* Explicit expiry, and refused ones. */
  {
    g_autofree char *k = NULL;
    g_autoptr (FdCertInfo) short_lived = fd_pki_issue_device (pki, "dev-2", until, &k, &error);
    g_assert_no_error (error);
    g_assert_cmpint (short_lived->not_after, ==, until / 1000 * 1000);
    g_assert_cmpstr (short_lived->fingerprint, !=, info->fingerprint);
  }
  {
    g_autofree char *k = NULL;
    g_autoptr (FdCertInfo) past = fd_pki_issue_device (pki, "dev-3", t0 - 1000, &k, &error);
    g_assert_null (past);
    g_assert_null (k);
    g_assert_error (error, FD_PKI_ERROR, FD_PKI_ERROR_INVALID);
    g_clear_error (&error);
  }
  {
    g_autofree char *k = NULL;
    g_autofree char *long_id = g_strnfill (65, 'x');
    g_autoptr (FdCertInfo) bad = fd_pki_issue_device (pki, long_id, 0, &k, &error);
    g_assert_null (bad);
    g_assert_error (error, FD_PKI_ERROR, FD_PKI_ERROR_INVALID);
    g_clear_error (&error);
    bad = fd_pki_issue_device (pki, "", 0, &k, &error);
    g_assert_null (bad);
    g_assert_error (error, FD_PKI_ERROR, FD_PKI_ERROR_INVALID);
  }
}

/* A device certificate works as a TLS client certificate against the server certificate, and
 * the server can tell it by its fingerprint. */
static void
test_device_mutual_tls (Fixture *f, gconstpointer data)
{
  g_autoptr (FdPki) pki = open_ok (f->dir, NULL);
  g_autoptr (GError) error = NULL;
  g_autofree char *key_pem = NULL;
  g_autoptr (FdCertInfo) info = NULL;
  g_autofree char *ca_file = path_in (f->dir, "ca.crt");
  g_autofree char *crt_file = path_in (f->root, "dev.crt");
  g_autofree char *key_file = path_in (f->root, "dev.key");
  g_autofree char *out = NULL, *result = NULL;
  TlsServer *srv;

  info = fd_pki_issue_device (pki, "dev-mtls", 0, &key_pem, &error);
  g_assert_no_error (error);
  write_text (crt_file, info->pem, 0600);
  write_text (key_file, key_pem, 0600);

  srv = tls_server_start (pki, TRUE);
  if (!gnutls_cli (srv, ca_file, "localhost", NULL, crt_file, key_file, &out))
    g_error ("gnutls-cli with a device certificate failed:\n%s", out);
  result = tls_server_next_result (srv);
  g_assert_cmpstr (result, ==, "ok");
  g_assert_cmpstr (srv->peer_fingerprint, ==, info->fingerprint);

  /* Without a client certificate the handshake fails. */
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&result, g_free);
  g_assert_false (gnutls_cli (srv, ca_file, "localhost", NULL, NULL, NULL, &out));
  result = tls_server_next_result (srv);
  g_assert_cmpstr (result, !=, "ok");
  tls_server_stop (srv);
}

static char *
sign_csr_file (FdPki *pki, const char *csr_file, const char *device_id, GError **error,
               FdCertInfo **info_out)
{
  g_autofree char *pem = read_text (csr_file);
  *info_out = fd_pki_sign_csr (pki, pem, strlen (pem), device_id, 0, error);
  return *info_out ? g_strdup ((*info_out)->pem) : NULL;
}

static void
test_csr_signed (Fixture *f, gconstpointer data)
{
  g_autoptr (FdPki) pki = open_ok (f->dir, NULL);
  g_autofree char *ca_file = path_in (f->dir, "ca.crt");
  struct
  {
    const char *type, *size;
  } kinds[] = { { "ecdsa", "secp256r1" }, { "ecdsa", "secp384r1" }, { "rsa", "2048" } };

  for (guint i = 0; i < G_N_ELEMENTS (kinds); i++)
    {
      g_autofree char *name = g_strdup_printf ("csr%u", i);
      g_autofree char *csr = certtool_csr (f->root, name, kinds[i].type, kinds[i].size);
      g_autofree char *crt_file = g_strdup_printf ("%s/%s.crt", f->root, name);
      g_autofree char *pem = NULL, *text = NULL, *csr_text = NULL;
      g_autoptr (GError) error = NULL;
      g_autoptr (FdCertInfo) info = NULL;
      g_autoptr (GRegex) re
          = g_regex_new ("Public Key ID:\\s*(?:sha1:[0-9a-f]+\\s*)?sha256:([0-9a-f]+)", 0, 0, NULL);
      g_autoptr (GMatchInfo) m1 = NULL, m2 = NULL;
      g_autofree char *id1 = NULL, *id2 = NULL;

      pem = sign_csr_file (pki, csr, "dev-csr-device", &error, &info);
      g_assert_no_error (error);
      /* CN forced; nothing else of the request's subject or extensions kept. */
      g_assert_cmpstr (info->common_name, ==, "dev-csr-device");
      g_assert_cmpstr (info->subject, ==, "CN=dev-csr-device");
      g_assert_true (info->issued_by_ca);
      write_text (crt_file, pem, 0600);
      assert_certtool_verifies (ca_file, crt_file);
      text = certtool_info (crt_file);
      g_assert_null (strstr (text, "evil"));
      g_assert_null (strstr (text, "Mallory"));
      g_assert_null (strstr (text, "TLS WWW Server"));
      g_assert_nonnull (strstr (text, "TLS WWW Client."));
      g_assert_nonnull (strstr (text, "Certificate Authority (CA): FALSE"));

      /* The certificate's key is the CSR's. */
      {
        const char *argv[] = { "certtool", "--crq-info", "--infile", csr, NULL };
        g_assert_true (run (&csr_text, argv));
      }
      g_assert_true (g_regex_match (re, csr_text, 0, &m1));
      g_assert_true (g_regex_match (re, text, 0, &m2));
      id1 = g_match_info_fetch (m1, 1);
      id2 = g_match_info_fetch (m2, 1);
      g_assert_cmpstr (id1, ==, id2);
    }
}

static void
assert_csr_refused (FdPki *pki, const char *pem, gsize len, int code, const char *needle)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (FdCertInfo) info = fd_pki_sign_csr (pki, pem, len, "dev-x", 0, &error);

  g_assert_null (info);
  g_assert_error (error, FD_PKI_ERROR, code);
  if (strstr (error->message, needle) == NULL)
    g_error ("“%s” does not mention “%s”", error->message, needle);
}

static void
test_csr_refused (Fixture *f, gconstpointer data)
{
  g_autoptr (FdPki) pki = open_ok (f->dir, NULL);
  g_autofree char *good = certtool_csr (f->root, "good", "ecdsa", "secp256r1");
  g_autofree char *weak = certtool_csr (f->root, "weak", "rsa", "1024");
  g_autofree char *ed = certtool_csr (f->root, "ed", "ed25519", NULL);
  g_autofree char *pem = read_text (good);
  g_autofree char *weak_pem = read_text (weak);
  g_autofree char *ed_pem = read_text (ed);
  g_autofree char *two = g_strconcat (pem, pem, NULL);
  g_autofree char *trailing = g_strconcat (pem, "and some notes\n", NULL);
  g_autofree char *leading = g_strconcat ("Here is my CSR:\n", pem, NULL);
  g_autofree char *spaced = g_strconcat ("\n\n  ", pem, "\r\n\n", NULL);
  g_autofree char *key_file = path_in (f->root, "good.key");
  g_autofree char *key_pem = read_text (key_file);
  g_autofree char *ca_pem = g_strdup (fd_pki_get_ca_pem (pki));
  g_autofree char *big = g_strnfill (FD_PKI_MAX_PEM_BYTES + 1, ' ');

  assert_csr_refused (pki, weak_pem, strlen (weak_pem), FD_PKI_ERROR_UNSUPPORTED, "RSA with 1024");
  assert_csr_refused (pki, ed_pem, strlen (ed_pem), FD_PKI_ERROR_UNSUPPORTED, "EdDSA");
  assert_csr_refused (pki, two, strlen (two), FD_PKI_ERROR_INVALID,
                      "expected one CERTIFICATE REQUEST block, found 2");
  assert_csr_refused (pki, trailing, strlen (trailing), FD_PKI_ERROR_INVALID,
                      "unexpected text at line");
  assert_csr_refused (pki, leading, strlen (leading), FD_PKI_ERROR_INVALID,
                      "unexpected text at line 1");
  {
    /* What certtool prints by default: a description, then the block. */
    const char *argv[] = { "certtool", "--crq-info", "--infile", good, NULL };
    g_autofree char *described = NULL;
    g_assert_true (run (&described, argv));
    g_assert_nonnull (strstr (described, "CERTIFICATE REQUEST-----"));
    assert_csr_refused (pki, described, strlen (described), FD_PKI_ERROR_INVALID, "--no-text");
  }
  assert_csr_refused (pki, ca_pem, strlen (ca_pem), FD_PKI_ERROR_INVALID,
                      "expected a CERTIFICATE REQUEST block, found a CERTIFICATE block");
  assert_csr_refused (pki, "hello", 5, FD_PKI_ERROR_INVALID, "the CSR is not valid PEM");
  assert_csr_refused (pki, big, strlen (big), FD_PKI_ERROR_INVALID, "too large");
  assert_csr_refused (pki, pem, strlen (pem) - 30, FD_PKI_ERROR_INVALID, "no END line");

  /* Whitespace around the block (and CRLF) is fine. */
  {
    g_autoptr (GError) error = NULL;
    g_autoptr (FdCertInfo) info = fd_pki_sign_csr (pki, spaced, strlen (spaced), "d", 0, &error);
    g_assert_no_error (error);
    g_assert_cmpstr (info->common_name, ==, "d");
  }

  /* A private key pasted instead: refused, and none of it in the message. */
  {
    g_autoptr (GError) error = NULL;
    g_autoptr (FdCertInfo) info = fd_pki_sign_csr (pki, key_pem, strlen (key_pem), "d", 0, &error);
    g_auto (GStrv) lines = g_strsplit (key_pem, "\n", -1);
    g_assert_null (info);
    g_assert_error (error, FD_PKI_ERROR, FD_PKI_ERROR_INVALID);
    g_assert_nonnull (strstr (error->message, "a certificate request was expected"));
    for (guint i = 1; lines[i] && !g_str_has_prefix (lines[i], "-----"); i++)
      g_assert_null (strstr (error->message, lines[i]));
  }

  /* Tampered: the requested CN changed after signing. */
  {
    g_autoptr (GError) error = NULL;
    g_autoptr (GString) b64 = g_string_new (NULL);
    g_auto (GStrv) lines = g_strsplit (pem, "\n", -1);
    g_autofree guchar *der = NULL;
    g_autofree char *enc = NULL, *tampered = NULL;
    gsize len = 0;
    guchar *evil;

    for (guint i = 1; lines[i] && !g_str_has_prefix (lines[i], "-----"); i++)
      g_string_append (b64, lines[i]);
    der = g_base64_decode (b64->str, &len);
    evil = NULL;
    for (gsize i = 0; i + 4 <= len && evil == NULL; i++)
      if (memcmp (der + i, "evil", 4) == 0)
        evil = der + i;
    g_assert_nonnull (evil);
    evil[3] = 'k';
    enc = g_base64_encode (der, len);
    tampered = g_strdup_printf ("-----BEGIN CERTIFICATE REQUEST-----\n%s\n"
                                "-----END CERTIFICATE REQUEST-----\n",
                                enc);
    assert_csr_refused (pki, tampered, strlen (tampered), FD_PKI_ERROR_INVALID, "signature");
  }
}

/* --- certificates devices bring --- */

static void
test_parse_foreign (Fixture *f, gconstpointer data)
{
  g_autoptr (FdPki) pki = open_ok (f->dir, NULL);
  g_autofree char *key = path_in (f->root, "self.key");
  g_autofree char *tmpl = path_in (f->root, "self.tmpl");
  g_autofree char *crt = path_in (f->root, "self.crt");
  g_autofree char *pem = NULL, *crlf = NULL, *info_text = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (FdCertInfo) info = NULL;
  g_autoptr (FdCertInfo) again = NULL;
  g_autoptr (FdCertInfo) no_pki = NULL;
  gint64 t0 = now_ms ();

  certtool_key (key, "ecdsa", "secp256r1");
  write_text (tmpl,
              "cn = \"sensor 1\"\norganization = \"Acme\"\nexpiration_days = 100\n"
              "tls_www_client\nsigning_key\n",
              0600);
  RUN_OK ("certtool", "--generate-self-signed", "--no-text", "--load-privkey", key, "--template",
          tmpl, "--outfile", crt);
  pem = read_text (crt);
  info_text = certtool_info (crt);

  info = fd_pki_parse_certificate (pki, pem, strlen (pem), &error);
  g_assert_no_error (error);
  g_assert_true (info->self_signed);
  g_assert_false (info->issued_by_ca);
  g_assert_cmpstr (info->common_name, ==, "sensor 1");
  g_assert_nonnull (strstr (info->subject, "CN=sensor 1"));
  g_assert_nonnull (strstr (info->subject, "O=Acme"));
  g_assert_cmpstr (info->issuer, ==, info->subject);
  g_assert_cmpint (ABS (info->not_before - t0), <, 120000);
  g_assert_cmpint (ABS (info->not_after - (t0 + (gint64)100 * 86400000)), <, 120000);
  {
    g_autofree char *fp = g_strdup_printf ("sha256:%s", info->fingerprint);
    g_assert_nonnull (strstr (info_text, fp));
  }
  g_assert_cmpstr (info->pem, ==, pem);

  /* CRLF, indentation and blank lines around it: the same certificate, re-encoded. */
  {
    g_auto (GStrv) lines = g_strsplit (pem, "\n", -1);
    g_autofree char *joined = g_strjoinv ("\r\n  ", lines);
    crlf = g_strconcat ("\r\n\n", joined, "\n\n", NULL);
  }
  again = fd_pki_parse_certificate (pki, crlf, strlen (crlf), &error);
  g_assert_no_error (error);
  g_assert_cmpstr (again->fingerprint, ==, info->fingerprint);
  g_assert_cmpstr (again->pem, ==, pem);

  no_pki = fd_pki_parse_certificate (NULL, pem, strlen (pem), &error);
  g_assert_no_error (error);
  g_assert_false (no_pki->issued_by_ca);
  g_assert_true (no_pki->self_signed);

  /* Its key pasted with it, or alone: refused without a word of it. */
  {
    g_autofree char *key_pem = read_text (key);
    g_autofree char *both = g_strconcat (pem, key_pem, NULL);
    g_auto (GStrv) lines = g_strsplit (key_pem, "\n", -1);
    const char *inputs[] = { both, key_pem };

    for (guint k = 0; k < G_N_ELEMENTS (inputs); k++)
      {
        g_autoptr (FdCertInfo) bad
            = fd_pki_parse_certificate (pki, inputs[k], strlen (inputs[k]), &error);
        g_assert_null (bad);
        g_assert_error (error, FD_PKI_ERROR, FD_PKI_ERROR_INVALID);
        g_assert_nonnull (strstr (error->message, "a certificate was expected"));
        for (guint i = 0; lines[i]; i++)
          if (strlen (lines[i]) > 8 && !g_str_has_prefix (lines[i], "-----"))
            g_assert_null (strstr (error->message, lines[i]));
        g_clear_error (&error);
      }
  }

  /* DER, as a TLS peer certificate arrives. */
  {
    g_autoptr (GTlsCertificate) gcert = g_tls_certificate_new_from_pem (pem, -1, &error);
    g_autoptr (GByteArray) der = NULL;
    g_autoptr (FdCertInfo) from_der = NULL;
    g_autofree char *fp = NULL;
    g_assert_no_error (error);
    g_object_get (gcert, "certificate", &der, NULL);
    from_der = fd_pki_parse_der (pki, der->data, der->len, &error);
    g_assert_no_error (error);
    g_assert_cmpstr (from_der->fingerprint, ==, info->fingerprint);
    fp = fd_pki_fingerprint_der (der->data, der->len);
    g_assert_cmpstr (fp, ==, info->fingerprint);
    /* One byte more is not the same certificate. */
    g_byte_array_append (der, (const guint8 *)"", 1);
    g_assert_null (fd_pki_parse_der (pki, der->data, der->len, &error));
    g_assert_error (error, FD_PKI_ERROR, FD_PKI_ERROR_INVALID);
  }
}

/* A CA made elsewhere with exactly our CA's name: its certificates are not ours. */
static void
test_parse_impostor_ca (Fixture *f, gconstpointer data)
{
  g_autoptr (FdPki) pki = open_ok (f->dir, NULL);
  g_autofree char *ca_pem = g_strdup (fd_pki_get_ca_pem (pki));
  g_autoptr (FdCertInfo) ours = fd_pki_parse_certificate (pki, ca_pem, strlen (ca_pem), NULL);
  g_autofree char *fake_key = path_in (f->root, "fake.key");
  g_autofree char *fake_crt = path_in (f->root, "fake.crt");
  g_autofree char *fake_tmpl = path_in (f->root, "fake.tmpl");
  g_autofree char *leaf_key = path_in (f->root, "leaf.key");
  g_autofree char *leaf_crt = path_in (f->root, "leaf.crt");
  g_autofree char *leaf_tmpl = path_in (f->root, "leaf.tmpl");
  g_autofree char *fake_text
      = g_strdup_printf ("cn = \"%s\"\nca\ncert_signing_key\n", ours->common_name);
  g_autofree char *pem = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (FdCertInfo) info = NULL;

  certtool_key (fake_key, "ecdsa", "secp256r1");
  write_text (fake_tmpl, fake_text, 0600);
  RUN_OK ("certtool", "--generate-self-signed", "--no-text", "--load-privkey", fake_key,
          "--template", fake_tmpl, "--outfile", fake_crt);
  certtool_key (leaf_key, "ecdsa", "secp256r1");
  write_text (leaf_tmpl, "cn = \"dev-impostor\"\ntls_www_client\n", 0600);
  RUN_OK ("certtool", "--generate-certificate", "--no-text", "--load-privkey", leaf_key,
          "--load-ca-certificate", fake_crt, "--load-ca-privkey", fake_key, "--template", leaf_tmpl,
          "--outfile", leaf_crt);

  pem = read_text (leaf_crt);
  info = fd_pki_parse_certificate (pki, pem, strlen (pem), &error);
  g_assert_no_error (error);
  g_assert_cmpstr (info->issuer, ==, ours->subject);
  g_assert_false (info->issued_by_ca);
  g_assert_false (info->self_signed);
}

/* --- speed and threads --- */

typedef struct
{
  FdPki *pki;
  guint count;
  GPtrArray *fingerprints;
} IssueJob;

static gpointer
issue_many (gpointer data)
{
  IssueJob *job = data;

  for (guint i = 0; i < job->count; i++)
    {
      g_autofree char *id = g_strdup_printf ("dev-%p-%u", (void *)job, i);
      g_autofree char *key = NULL;
      g_autoptr (GError) error = NULL;
      g_autoptr (FdCertInfo) info = fd_pki_issue_device (job->pki, id, 0, &key, &error);
      g_assert_no_error (error);
      g_assert_true (info->issued_by_ca);
      g_ptr_array_add (job->fingerprints, g_strdup (info->fingerprint));
    }
  return NULL;
}

static void
test_issue_speed (Fixture *f, gconstpointer data)
{
  g_autoptr (FdPki) pki = open_ok (f->dir, NULL);
  const char *env = g_getenv ("FD_TEST_PKI_ISSUES");
  guint count = env ? (guint)g_ascii_strtoull (env, NULL, 10) : 200;
  IssueJob jobs[2];
  GThread *threads[2];
  g_autoptr (GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);
  gint64 t0, t1, t2;
  double serial_ms, parallel_ms;

  for (guint j = 0; j < 2; j++)
    jobs[j] = (IssueJob){ pki, count, g_ptr_array_new_with_free_func (g_free) };

  t0 = g_get_monotonic_time ();
  issue_many (&jobs[0]);
  t1 = g_get_monotonic_time ();
  g_ptr_array_set_size (jobs[0].fingerprints, 0);

  /* Two threads at once: each signature under the CA lock, all of them valid. */
  for (guint j = 0; j < 2; j++)
    threads[j] = g_thread_new ("issue", issue_many, &jobs[j]);
  for (guint j = 0; j < 2; j++)
    g_thread_join (threads[j]);
  t2 = g_get_monotonic_time ();

  for (guint j = 0; j < 2; j++)
    {
      for (guint i = 0; i < jobs[j].fingerprints->len; i++)
        g_assert_true (g_hash_table_add (seen, jobs[j].fingerprints->pdata[i]));
    }
  g_assert_cmpuint (g_hash_table_size (seen), ==, 2 * count);

  serial_ms = (double)(t1 - t0) / 1000.0 / count;
  parallel_ms = (double)(t2 - t1) / 1000.0 / (2 * count);
  g_test_message ("fd_pki_issue_device: %.3f ms per issue on one thread (%u issues), %.3f ms per "
                  "issue with two threads (%u issues); 10,000 would take %.1f s",
                  serial_ms, count, parallel_ms, 2 * count, parallel_ms * 10000 / 1000);
  /* 10,000 in well under 30 s. */
  g_assert_cmpfloat (parallel_ms * 10000, <, 15000.0);

  for (guint j = 0; j < 2; j++)
    g_ptr_array_unref (jobs[j].fingerprints);
}

/* --- JWT --- */

static const guint8 jwt_key[32] = "0123456789abcdef0123456789abcdef";

/* A token made by python3's standard library, as a device's Python client would. */
static char *
python_token (const char *header_json, const char *claims_json, const guint8 *key, gsize key_len,
              const char *digest)
{
  const char *script = "import base64, hashlib, hmac, sys\n"
                       "b = lambda x: base64.urlsafe_b64encode(x).rstrip(b'=').decode()\n"
                       "key = base64.b64decode(sys.argv[1])\n"
                       "msg = b(sys.argv[2].encode()) + '.' + b(sys.argv[3].encode())\n"
                       "sig = hmac.new(key, msg.encode(), getattr(hashlib, sys.argv[4])).digest()\n"
                       "print(msg + '.' + b(sig))\n";
  g_autofree char *key_b64 = g_base64_encode (key, key_len);
  const char *argv[] = { "python3", "-c", script, key_b64, header_json, claims_json, digest, NULL };
  char *out = NULL;

  if (!run (&out, argv))
    g_error ("python3 failed: %s", out);
  g_strstrip (out);
  return out;
}

static void
assert_jwt_refused (const char *token, int code)
{
  g_autoptr (GError) error = NULL;
  FdJwtClaims claims = { { 0 }, 0, 0 };

  if (fd_jwt_verify (token, jwt_key, sizeof jwt_key, 1000, &claims, &error))
    g_error ("token accepted: %s", token);
  if (!g_error_matches (error, FD_JWT_ERROR, code))
    g_error ("token %s: expected code %d, got “%s”", token, code, error->message);
}

static void
test_jwt_round_trip (void)
{
  g_autofree char *token
      = fd_jwt_sign ("dev-abcdefghijklmnopqrst", 7, 2000, jwt_key, sizeof jwt_key);
  g_autoptr (GError) error = NULL;
  FdJwtClaims claims = { { 0 }, 0, 0 };
  g_autofree char *py = NULL;

  g_assert_true (fd_jwt_looks_like (token));
  g_assert_true (g_str_has_prefix (token, "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9."));
  g_assert_true (fd_jwt_verify (token, jwt_key, sizeof jwt_key, 1000, &claims, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (claims.sub, ==, "dev-abcdefghijklmnopqrst");
  g_assert_cmpint (claims.key, ==, 7);
  g_assert_cmpint (claims.exp, ==, 2000);

  /* Byte for byte what Python makes from the same header and claims. */
  py = python_token ("{\"alg\":\"HS256\",\"typ\":\"JWT\"}",
                     "{\"sub\":\"dev-abcdefghijklmnopqrst\",\"key\":7,\"exp\":2000}", jwt_key,
                     sizeof jwt_key, "sha256");
  g_assert_cmpstr (py, ==, token);

  /* Expired: exp must be later than now. */
  {
    g_autofree char *expired = fd_jwt_sign ("d", 0, 1000, jwt_key, sizeof jwt_key);
    g_autofree char *later = fd_jwt_sign ("d", 0, 1001, jwt_key, sizeof jwt_key);
    assert_jwt_refused (expired, FD_JWT_ERROR_EXPIRED);
    g_assert_true (fd_jwt_verify (later, jwt_key, sizeof jwt_key, 1000, NULL, NULL));
  }
  {
    const guint8 other[32] = "another key, also thirty-two by";
    g_autofree char *wrong = fd_jwt_sign ("d", 0, 2000, other, sizeof other);
    assert_jwt_refused (wrong, FD_JWT_ERROR_SIGNATURE);
  }
}

static void
test_jwt_python_interop (void)
{
  g_autoptr (GError) error = NULL;
  FdJwtClaims claims = { { 0 }, 0, 0 };
  /* json.dumps' default separators, with spaces, and no key claim; an extra claim ignored. */
  g_autofree char *py = python_token ("{\"alg\": \"HS256\", \"typ\": \"JWT\"}",
                                      "{\"sub\": \"dev-py\", \"exp\": 5000, \"iat\": 10}", jwt_key,
                                      sizeof jwt_key, "sha256");
  g_autofree char *no_typ = python_token ("{\"alg\":\"HS256\"}", "{\"sub\":\"d\",\"exp\":5000}",
                                          jwt_key, sizeof jwt_key, "sha256");

  g_assert_true (fd_jwt_verify (py, jwt_key, sizeof jwt_key, 1000, &claims, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (claims.sub, ==, "dev-py");
  g_assert_cmpint (claims.key, ==, 0);
  g_assert_cmpint (claims.exp, ==, 5000);
  g_assert_true (fd_jwt_verify (no_typ, jwt_key, sizeof jwt_key, 1000, NULL, &error));
  g_assert_no_error (error);

  /* peek reads the claims whatever the signature. */
  memset (&claims, 0, sizeof claims);
  g_assert_true (fd_jwt_peek (py, &claims, &error));
  g_assert_cmpstr (claims.sub, ==, "dev-py");
  {
    const guint8 other[32] = { 1 };
    FdJwtClaims c2 = { { 0 }, 0, 0 };
    g_autofree char *wrong
        = python_token ("{\"alg\":\"HS256\"}", "{\"sub\":\"x\",\"key\":3,\"exp\":9}", other,
                        sizeof other, "sha256");
    g_assert_true (fd_jwt_peek (wrong, &c2, &error));
    g_assert_cmpint (c2.key, ==, 3);
    assert_jwt_refused (wrong, FD_JWT_ERROR_SIGNATURE);
  }
}

static void
test_jwt_algorithms (void)
{
  const char *claims = "{\"sub\":\"d\",\"key\":1,\"exp\":5000}";
  g_autofree char *hs512 = python_token ("{\"alg\":\"HS512\",\"typ\":\"JWT\"}", claims, jwt_key,
                                         sizeof jwt_key, "sha512");
  g_autofree char *lower
      = python_token ("{\"alg\":\"hs256\"}", claims, jwt_key, sizeof jwt_key, "sha256");
  g_autofree char *missing
      = python_token ("{\"typ\":\"JWT\"}", claims, jwt_key, sizeof jwt_key, "sha256");
  g_autofree char *num = python_token ("{\"alg\":256}", claims, jwt_key, sizeof jwt_key, "sha256");
  g_autofree char *signed_none
      = python_token ("{\"alg\":\"none\"}", claims, jwt_key, sizeof jwt_key, "sha256");
  g_autofree char *none = g_strndup (signed_none, strrchr (signed_none, '.') + 1 - signed_none);

  assert_jwt_refused (hs512, FD_JWT_ERROR_ALGORITHM);
  assert_jwt_refused (lower, FD_JWT_ERROR_ALGORITHM);
  assert_jwt_refused (missing, FD_JWT_ERROR_ALGORITHM);
  assert_jwt_refused (num, FD_JWT_ERROR_ALGORITHM);
  assert_jwt_refused (signed_none, FD_JWT_ERROR_ALGORITHM);
  assert_jwt_refused (none, FD_JWT_ERROR_ALGORITHM); /* "xxx.yyy." */
  {
    FdJwtClaims c = { { 0 }, 0, 0 };
    g_autoptr (GError) error = NULL;
    g_assert_false (fd_jwt_peek (none, &c, &error));
    g_assert_error (error, FD_JWT_ERROR, FD_JWT_ERROR_ALGORITHM);
  }
}

static void
test_jwt_malformed (void)
{
  const char *hdr = "{\"alg\":\"HS256\"}";
  g_autofree char *good = fd_jwt_sign ("d", 1, 5000, jwt_key, sizeof jwt_key);
  g_autofree char *padded = g_strconcat (good, "=", NULL);
  g_autofree char *four = g_strconcat (good, ".AAAA", NULL);
  g_autofree char *two = g_strndup (good, strrchr (good, '.') - good);
  g_autofree char *space = g_strdup (good);
  g_autofree char *big = NULL;
  g_autofree char *long_sub = g_strnfill (FD_JWT_MAX_SUB_BYTES + 1, 's');
  g_autofree char *max_sub = g_strnfill (FD_JWT_MAX_SUB_BYTES, 's');
  g_autofree char *c_long = g_strdup_printf ("{\"sub\":\"%s\",\"exp\":5000}", long_sub);
  g_autofree char *c_max = g_strdup_printf ("{\"sub\":\"%s\",\"exp\":5000}", max_sub);
  struct
  {
    const char *header, *claims;
  } bad[] = {
    { hdr, "{\"sub\":\"d\"}" },                            /* no exp */
    { hdr, "{\"sub\":\"d\",\"exp\":5000.5}" },             /* exp not an integer */
    { hdr, "{\"sub\":\"d\",\"exp\":\"5000\"}" },           /* exp a string */
    { hdr, "{\"sub\":\"d\",\"key\":\"1\",\"exp\":5000}" }, /* key a string */
    { hdr, "{\"sub\":\"d\",\"key\":true,\"exp\":5000}" },
    { hdr, "{\"sub\":7,\"exp\":5000}" }, /* sub a number */
    { hdr, "{\"exp\":5000}" },           /* no sub */
    { hdr, "{\"sub\":\"\",\"exp\":5000}" },
    { hdr, c_long },
    { hdr, "[1,2]" },
    { hdr, "not json" },
    { "[\"HS256\"]", "{\"sub\":\"d\",\"exp\":5000}" },
    { "{\"alg\":\"HS256\",\"typ\":1}", "{\"sub\":\"d\",\"exp\":5000}" },
    { "{\"alg\":\"HS256\",\"crit\":[\"b64\"]}", "{\"sub\":\"d\",\"exp\":5000}" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autofree char *t
          = python_token (bad[i].header, bad[i].claims, jwt_key, sizeof jwt_key, "sha256");
      assert_jwt_refused (t, FD_JWT_ERROR_MALFORMED);
    }
  {
    g_autofree char *t = python_token (hdr, c_max, jwt_key, sizeof jwt_key, "sha256");
    FdJwtClaims c = { { 0 }, 0, 0 };
    g_autoptr (GError) error = NULL;
    g_assert_true (fd_jwt_verify (t, jwt_key, sizeof jwt_key, 1000, &c, &error));
    g_assert_cmpstr (c.sub, ==, max_sub);
  }

  space[10] = ' ';
  big = g_strnfill (FD_JWT_MAX_BYTES + 1, 'A');
  big[10] = '.';
  big[20] = '.';
  assert_jwt_refused (padded, FD_JWT_ERROR_MALFORMED);
  assert_jwt_refused (four, FD_JWT_ERROR_MALFORMED);
  assert_jwt_refused (two, FD_JWT_ERROR_MALFORMED);
  assert_jwt_refused (space, FD_JWT_ERROR_MALFORMED);
  assert_jwt_refused (big, FD_JWT_ERROR_MALFORMED);
  assert_jwt_refused ("", FD_JWT_ERROR_MALFORMED);
  assert_jwt_refused ("..", FD_JWT_ERROR_MALFORMED);
  assert_jwt_refused ("a.b.c", FD_JWT_ERROR_MALFORMED); /* "a" is no base64url length */
  g_assert_false (fd_jwt_looks_like (big));
  g_assert_false (fd_jwt_looks_like (two));
  g_assert_false (fd_jwt_looks_like ("fdt_abcdef"));
  g_assert_false (fd_jwt_looks_like (NULL));

  /* A signature of the wrong length, or with a flipped bit. */
  {
    g_autofree char *short_sig = g_strndup (good, strlen (good) - 4);
    g_autofree char *flipped = g_strdup (good);
    char *last = flipped + strlen (flipped) - 2;
    *last = *last == 'A' ? 'B' : 'A';
    assert_jwt_refused (short_sig, FD_JWT_ERROR_SIGNATURE);
    assert_jwt_refused (flipped, FD_JWT_ERROR_SIGNATURE);
  }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, fn) g_test_add (path, Fixture, NULL, fixture_set_up, fn, fixture_tear_down)
  ADD ("/pki/ca/created", test_ca_created);
  ADD ("/pki/ca/reopened", test_ca_reopened);
  ADD ("/pki/ca/unsafe-dir", test_ca_unsafe_dir);
  ADD ("/pki/ca/damaged-never-replaced", test_ca_damaged);
  ADD ("/pki/server/tls-handshake", test_server_tls_handshake);
  ADD ("/pki/server/names", test_server_names);
  ADD ("/pki/server/names-change-reissues", test_server_names_change);
  ADD ("/pki/server/expiring-renewed", test_server_expiring_renewed);
  ADD ("/pki/device/issue", test_device_issue);
  ADD ("/pki/device/mutual-tls", test_device_mutual_tls);
  ADD ("/pki/csr/signed", test_csr_signed);
  ADD ("/pki/csr/refused", test_csr_refused);
  ADD ("/pki/parse/foreign", test_parse_foreign);
  ADD ("/pki/parse/impostor-ca", test_parse_impostor_ca);
  ADD ("/pki/device/issue-speed", test_issue_speed);
#undef ADD
  g_test_add_func ("/jwt/round-trip", test_jwt_round_trip);
  g_test_add_func ("/jwt/python-interop", test_jwt_python_interop);
  g_test_add_func ("/jwt/algorithms", test_jwt_algorithms);
  g_test_add_func ("/jwt/malformed", test_jwt_malformed);
  return g_test_run ();
}
