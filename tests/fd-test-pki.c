/* fd-test-pki.c — helpers shared by the PKI and JWT tests (fd-test-pki.h). */
#include "fd-test-pki.h"

#include <glib/gstdio.h>
#include <string.h>
#include <sys/stat.h>

#include "fd-test-server.h"

void
fd_tp_set_up (FdTpFixture *f, gconstpointer data)
{
  f->root = g_dir_make_tmp ("fd-pki-XXXXXX", NULL);
  g_assert_nonnull (f->root);
  f->dir = g_build_filename (f->root, "pki", NULL);
}

void
fd_tp_tear_down (FdTpFixture *f, gconstpointer data)
{
  fd_test_rm_rf (f->root);
  g_free (f->root);
  g_free (f->dir);
}

char *
fd_tp_path (const char *dir, const char *name)
{
  return g_build_filename (dir, name, NULL);
}

void
fd_tp_write (const char *path, const char *text, int mode)
{
  g_autoptr (GError) error = NULL;
  g_assert_true (
      g_file_set_contents_full (path, text, -1, G_FILE_SET_CONTENTS_CONSISTENT, mode, &error));
  g_assert_no_error (error);
}

char *
fd_tp_read (const char *path)
{
  g_autoptr (GError) error = NULL;
  char *text = NULL;
  g_assert_true (g_file_get_contents (path, &text, NULL, &error));
  g_assert_no_error (error);
  return text;
}

guint
fd_tp_mode (const char *path)
{
  struct stat st;
  g_assert_cmpint (lstat (path, &st), ==, 0);
  return st.st_mode & 07777;
}

gboolean
fd_tp_run (char **output, const char *const *argv)
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

char *
fd_tp_certtool_info (const char *path)
{
  const char *argv[] = { "certtool", "-i", "--infile", path, NULL };
  char *out = NULL;
  g_assert_true (fd_tp_run (&out, argv));
  return out;
}

void
fd_tp_certtool_key (const char *path, const char *type, const char *size)
{
  if (g_strcmp0 (type, "rsa") == 0)
    FD_TP_RUN_OK ("certtool", "--generate-privkey", "--no-text", "--key-type", "rsa", "--bits",
                  size, "--outfile", path);
  else if (g_strcmp0 (type, "ecdsa") == 0)
    FD_TP_RUN_OK ("certtool", "--generate-privkey", "--no-text", "--key-type", "ecdsa", "--curve",
                  size, "--outfile", path);
  else
    FD_TP_RUN_OK ("certtool", "--generate-privkey", "--no-text", "--key-type", type, "--outfile",
                  path);
}

char *
fd_tp_certtool_csr (const char *dir, const char *name, const char *type, const char *size)
{
  g_autofree char *key = g_strdup_printf ("%s/%s.key", dir, name);
  g_autofree char *tmpl = g_strdup_printf ("%s/%s.tmpl", dir, name);
  char *csr = g_strdup_printf ("%s/%s.csr", dir, name);

  fd_tp_certtool_key (key, type, size);
  fd_tp_write (tmpl, "cn = \"evil\"\norganization = \"Mallory\"\ntls_www_server\nca\n", 0600);
  FD_TP_RUN_OK ("certtool", "--generate-request", "--no-text", "--load-privkey", key, "--template",
                tmpl, "--outfile", csr);
  return csr;
}

FdPki *
fd_tp_open (const char *dir, const char *const *names)
{
  g_autoptr (GError) error = NULL;
  FdPki *pki = fd_pki_open (dir, names, &error);
  g_assert_no_error (error);
  g_assert_nonnull (pki);
  return pki;
}

char *
fd_tp_file_fingerprint (const char *path)
{
  g_autofree char *pem = fd_tp_read (path);
  g_autoptr (GError) error = NULL;
  g_autoptr (FdCertInfo) info = fd_pki_parse_certificate (NULL, pem, strlen (pem), &error);
  g_assert_no_error (error);
  return g_strdup (info->fingerprint);
}

gint64
fd_tp_now_ms (void)
{
  return g_get_real_time () / 1000;
}

void
fd_tp_assert_certtool_verifies (const char *ca_file, const char *cert_file)
{
  const char *argv[]
      = { "certtool", "--verify", "--load-ca-certificate", ca_file, "--infile", cert_file, NULL };
  g_autofree char *out = NULL;
  if (!fd_tp_run (&out, argv) || strstr (out, "Verified") == NULL)
    g_error ("certtool --verify refused %s:\n%s", cert_file, out);
}

/* --- a TLS server on loopback --- */

static gboolean
on_accept_certificate (GTlsConnection *conn, GTlsCertificate *peer, GTlsCertificateFlags errors,
                       gpointer user_data)
{
  FdTpTlsServer *srv = user_data;
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
  FdTpTlsServer *srv = data;

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

FdTpTlsServer *
fd_tp_tls_server_start (FdPki *pki, gboolean require_client_cert)
{
  FdTpTlsServer *srv = g_new0 (FdTpTlsServer, 1);
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

char *
fd_tp_tls_server_next_result (FdTpTlsServer *srv)
{
  char *result = g_async_queue_timeout_pop (srv->results, 20 * G_USEC_PER_SEC);
  g_assert_nonnull (result);
  return result;
}

void
fd_tp_tls_server_stop (FdTpTlsServer *srv)
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

gboolean
fd_tp_gnutls_cli (FdTpTlsServer *srv, const char *ca_file, const char *host,
                  const char *verify_name, const char *cert, const char *key, char **output)
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
  return fd_tp_run (output, argv);
}
