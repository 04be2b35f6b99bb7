/* test-pki.c — the local CA and the server certificate: files and modes, reopening, damaged
 * files never replaced, real TLS handshakes with gnutls-cli, reissue when the names change or
 * expiry nears (with an expiring certificate made by certtool). */
#include "fd-test-pki.h"

#include <glib/gstdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* --- the CA --- */

static void
test_ca_created (FdTpFixture *f, gconstpointer data)
{
  g_autoptr (FdPki) pki = fd_tp_open (f->dir, NULL);
  g_autofree char *ca_crt = fd_tp_path (f->dir, "ca.crt");
  g_autofree char *ca_key = fd_tp_path (f->dir, "ca.key");
  g_autofree char *srv_key = fd_tp_path (f->dir, "server.key");
  g_autofree char *srv_crt = fd_tp_path (f->dir, "server.crt");
  g_autofree char *info = fd_tp_certtool_info (ca_crt);
  g_autofree char *on_disk = fd_tp_read (ca_crt);
  g_autofree char *expected_fp = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (FdCertInfo) ca = NULL;
  g_autoptr (GRegex) serial_re = g_regex_new ("Serial Number \\(hex\\): ([0-9a-f]+)", 0, 0, NULL);
  g_autoptr (GMatchInfo) match = NULL;
  g_autofree char *serial = NULL;

  g_assert_cmpuint (fd_tp_mode (f->dir), ==, 0700);
  g_assert_cmpuint (fd_tp_mode (ca_key), ==, 0600);
  g_assert_cmpuint (fd_tp_mode (srv_key), ==, 0600);
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
  g_assert_cmpint (ca->not_after - fd_tp_now_ms (), >, (gint64)(FD_PKI_CA_DAYS - 1) * 86400000);

  /* No private key anywhere but in its file. */
  g_assert_null (strstr (fd_pki_get_ca_pem (pki), "PRIVATE"));
}

static void
test_ca_reopened (FdTpFixture *f, gconstpointer data)
{
  g_autofree char *srv_crt = fd_tp_path (f->dir, "server.crt");
  g_autofree char *fp = NULL, *srv_fp = NULL, *srv_fp2 = NULL;
  g_autofree char *pem = NULL;

  {
    g_autoptr (FdPki) pki = fd_tp_open (f->dir, NULL);
    fp = g_strdup (fd_pki_get_ca_fingerprint (pki));
    pem = g_strdup (fd_pki_get_ca_pem (pki));
    srv_fp = fd_tp_file_fingerprint (srv_crt);
  }
  {
    g_autoptr (FdPki) pki = fd_tp_open (f->dir, NULL);
    g_assert_cmpstr (fd_pki_get_ca_fingerprint (pki), ==, fp);
    g_assert_cmpstr (fd_pki_get_ca_pem (pki), ==, pem);
  }
  srv_fp2 = fd_tp_file_fingerprint (srv_crt);
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
test_ca_unsafe_dir (FdTpFixture *f, gconstpointer data)
{
  g_autofree char *real = fd_tp_path (f->root, "real");
  g_autofree char *link = fd_tp_path (f->root, "link");
  g_autofree char *open_dir = fd_tp_path (f->root, "open");
  g_autofree char *wide = fd_tp_path (f->root, "wide");

  g_assert_cmpint (g_mkdir (real, 0700), ==, 0);
  g_assert_cmpint (symlink (real, link), ==, 0);
  assert_open_fails (link, "symbolic link");

  g_assert_cmpint (g_mkdir (open_dir, 0700), ==, 0);
  g_assert_cmpint (chmod (open_dir, 0777), ==, 0);
  assert_open_fails (open_dir, "writable by other users");
  {
    g_autofree char *key = fd_tp_path (open_dir, "ca.key");
    g_assert_false (g_file_test (key, G_FILE_TEST_EXISTS));
  }
  g_assert_cmpint (chmod (open_dir, 0770), ==, 0);
  assert_open_fails (open_dir, "writable by other users");

  /* Readable by others but not writable: narrowed to 0700, then used. */
  g_assert_cmpint (g_mkdir (wide, 0700), ==, 0);
  g_assert_cmpint (chmod (wide, 0755), ==, 0);
  {
    g_autoptr (FdPki) pki = fd_tp_open (wide, NULL);
  }
  g_assert_cmpuint (fd_tp_mode (wide), ==, 0700);
}

static void
test_ca_damaged (FdTpFixture *f, gconstpointer data)
{
  g_autofree char *ca_key = fd_tp_path (f->dir, "ca.key");
  g_autofree char *ca_crt = fd_tp_path (f->dir, "ca.crt");
  g_autofree char *other = fd_tp_path (f->root, "other");
  g_autofree char *other_key = fd_tp_path (other, "ca.key");
  g_autofree char *good_key = NULL, *good_crt = NULL, *after = NULL;
  const char *garbage = "-----BEGIN PRIVATE KEY-----\nnot a key\n-----END PRIVATE KEY-----\n";

  {
    g_autoptr (FdPki) a = fd_tp_open (f->dir, NULL);
    g_autoptr (FdPki) b = fd_tp_open (other, NULL);
  }
  good_key = fd_tp_read (ca_key);
  good_crt = fd_tp_read (ca_crt);

  /* A corrupt key: an error naming it, and the file left as it was. */
  fd_tp_write (ca_key, garbage, 0600);
  assert_open_fails (f->dir, ca_key);
  after = fd_tp_read (ca_key);
  g_assert_cmpstr (after, ==, garbage);

  /* Another CA's key. */
  {
    g_autofree char *foreign = fd_tp_read (other_key);
    fd_tp_write (ca_key, foreign, 0600);
    assert_open_fails (f->dir, "does not belong to");
  }

  /* A corrupt certificate. */
  fd_tp_write (ca_key, good_key, 0600);
  fd_tp_write (ca_crt, "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n", 0644);
  assert_open_fails (f->dir, ca_crt);

  /* One file without the other: never a silent new CA. */
  g_assert_cmpint (g_unlink (ca_crt), ==, 0);
  assert_open_fails (f->dir, "ca.crt is missing");
  g_assert_false (g_file_test (ca_crt, G_FILE_TEST_EXISTS));
  fd_tp_write (ca_crt, good_crt, 0644);
  g_assert_cmpint (g_unlink (ca_key), ==, 0);
  assert_open_fails (f->dir, "ca.key is missing");

  /* A key others can read. */
  fd_tp_write (ca_key, good_key, 0644);
  g_assert_cmpint (chmod (ca_key, 0644), ==, 0);
  assert_open_fails (f->dir, "chmod 600");

  /* Restored: works again, same CA. */
  g_assert_cmpint (chmod (ca_key, 0600), ==, 0);
  {
    g_autoptr (FdPki) pki = fd_tp_open (f->dir, NULL);
    g_assert_cmpstr (fd_pki_get_ca_pem (pki), ==, good_crt);
  }
}

/* --- the server certificate --- */

static void
test_server_tls_handshake (FdTpFixture *f, gconstpointer data)
{
  g_autoptr (FdPki) pki = fd_tp_open (f->dir, NULL);
  g_autofree char *ca_file = fd_tp_path (f->dir, "ca.crt");
  g_autoptr (GTlsCertificate) cert = fd_pki_dup_server_certificate (pki);
  GTlsCertificate *issuer = g_tls_certificate_get_issuer (cert);
  g_autofree char *key_pem = NULL;
  FdTpTlsServer *srv;
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
  g_assert_cmpint (fd_pki_get_server_not_after (pki) - fd_tp_now_ms (), >,
                   (gint64)(FD_PKI_SERVER_DAYS - 1) * 86400000);

  srv = fd_tp_tls_server_start (pki, FALSE);
  for (guint i = 0; i < G_N_ELEMENTS (hosts); i++)
    {
      g_autofree char *out = NULL, *result = NULL;

      if (i == 2 && !srv->have_ipv6)
        {
          g_test_message ("no IPv6 loopback here: ::1 handshake not tried");
          continue;
        }
      if (!fd_tp_gnutls_cli (srv, ca_file, hosts[i], NULL, NULL, NULL, &out))
        g_error ("gnutls-cli to %s failed:\n%s", hosts[i], out);
      result = fd_tp_tls_server_next_result (srv);
      g_assert_cmpstr (result, ==, "ok");
    }
  {
    /* A name the certificate does not carry is refused by the client. */
    g_autofree char *out = NULL, *result = NULL;
    g_assert_false (
        fd_tp_gnutls_cli (srv, ca_file, "127.0.0.1", "other.example", NULL, NULL, &out));
    g_assert_nonnull (strstr (out, "does not match"));
    result = fd_tp_tls_server_next_result (srv);
    g_assert_cmpstr (result, !=, "ok");
  }
  {
    /* And a client that trusts another CA refuses it too. */
    g_autofree char *other = fd_tp_path (f->root, "other");
    g_autoptr (FdPki) other_pki = fd_tp_open (other, NULL);
    g_autofree char *other_ca = fd_tp_path (other, "ca.crt");
    g_autofree char *out = NULL, *result = NULL;
    g_assert_false (fd_tp_gnutls_cli (srv, other_ca, "localhost", NULL, NULL, NULL, &out));
    g_assert_nonnull (strstr (out, "NOT trusted"));
    result = fd_tp_tls_server_next_result (srv);
  }
  fd_tp_tls_server_stop (srv);
}

static void
test_server_names (FdTpFixture *f, gconstpointer data)
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
test_server_names_change (FdTpFixture *f, gconstpointer data)
{
  g_autofree char *srv_crt = fd_tp_path (f->dir, "server.crt");
  const char *fleet[] = { "fleet.example.org", NULL };
  const char *fleet_again[] = { "FLEET.example.org.", "localhost", NULL };
  const char *ip[] = { "10.1.2.3", NULL };
  g_autofree char *ca_fp = NULL, *fp0 = NULL, *fp1 = NULL, *fp2 = NULL, *fp3 = NULL;
  g_autofree char *info1 = NULL, *info3 = NULL;

  {
    g_autoptr (FdPki) pki = fd_tp_open (f->dir, NULL);
    ca_fp = g_strdup (fd_pki_get_ca_fingerprint (pki));
  }
  fp0 = fd_tp_file_fingerprint (srv_crt);
  {
    g_autoptr (FdPki) pki = fd_tp_open (f->dir, fleet);
  }
  fp1 = fd_tp_file_fingerprint (srv_crt);
  g_assert_cmpstr (fp1, !=, fp0);
  info1 = fd_tp_certtool_info (srv_crt);
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
    g_autoptr (FdPki) pki = fd_tp_open (f->dir, fleet_again);
  }
  fp2 = fd_tp_file_fingerprint (srv_crt);
  g_assert_cmpstr (fp2, ==, fp1);

  /* Another set: reissued, by the same CA. */
  {
    g_autoptr (FdPki) pki = fd_tp_open (f->dir, ip);
    g_assert_cmpstr (fd_pki_get_ca_fingerprint (pki), ==, ca_fp);
  }
  fp3 = fd_tp_file_fingerprint (srv_crt);
  g_assert_cmpstr (fp3, !=, fp1);
  info3 = fd_tp_certtool_info (srv_crt);
  g_assert_nonnull (strstr (info3, "IPAddress: 10.1.2.3"));
  g_assert_null (strstr (info3, "fleet.example.org"));
  g_assert_cmpuint (fd_tp_mode (srv_crt), !=, 0); /* still there */
  {
    g_autofree char *srv_key = fd_tp_path (f->dir, "server.key");
    g_assert_cmpuint (fd_tp_mode (srv_key), ==, 0600);
  }
}

/* Replaces server.key/server.crt with a certtool-made pair signed by the CA, valid @days, with
 * exactly the names the server wants; returns its fingerprint. */
static char *
certtool_server_cert (FdTpFixture *f, guint days)
{
  g_autofree char *ca_crt = fd_tp_path (f->dir, "ca.crt");
  g_autofree char *ca_key = fd_tp_path (f->dir, "ca.key");
  g_autofree char *srv_key = fd_tp_path (f->dir, "server.key");
  g_autofree char *srv_crt = fd_tp_path (f->dir, "server.crt");
  g_autofree char *tmpl_path = fd_tp_path (f->root, "server.tmpl");
  g_auto (GStrv) names = fd_pki_server_names (NULL);
  g_autoptr (GString) tmpl = g_string_new ("cn = \"localhost\"\ntls_www_server\nsigning_key\n");
  g_autofree char *days_opt = g_strdup_printf ("expiration_days = %u\n", days);

  g_string_append (tmpl, days_opt);
  for (guint i = 0; names[i]; i++)
    g_string_append_printf (tmpl, "%s = \"%s\"\n",
                            g_hostname_is_ip_address (names[i]) ? "ip_address" : "dns_name",
                            names[i]);
  fd_tp_write (tmpl_path, tmpl->str, 0600);
  g_unlink (srv_key);
  fd_tp_certtool_key (srv_key, "ecdsa", "secp256r1");
  g_assert_cmpint (chmod (srv_key, 0600), ==, 0);
  FD_TP_RUN_OK ("certtool", "--generate-certificate", "--no-text", "--load-privkey", srv_key,
                "--load-ca-certificate", ca_crt, "--load-ca-privkey", ca_key, "--template",
                tmpl_path, "--outfile", srv_crt);
  return fd_tp_file_fingerprint (srv_crt);
}

static void
test_server_expiring_renewed (FdTpFixture *f, gconstpointer data)
{
  g_autofree char *srv_crt = fd_tp_path (f->dir, "server.crt");
  g_autofree char *fp_good = NULL, *fp_old = NULL, *fp_new = NULL;

  {
    g_autoptr (FdPki) pki = fd_tp_open (f->dir, NULL);
  }

  /* A good certtool-made certificate with 100 days left is kept: so what follows is about the
   * expiry, nothing else. */
  fp_good = certtool_server_cert (f, 100);
  {
    g_autoptr (FdPki) pki = fd_tp_open (f->dir, NULL);
    gboolean renewed = TRUE;
    g_autoptr (GError) error = NULL;
    g_assert_cmpint (fd_pki_get_server_not_after (pki) - fd_tp_now_ms (), <,
                     (gint64)101 * 86400000);
    g_assert_true (fd_pki_renew_if_needed (pki, &renewed, &error));
    g_assert_no_error (error);
    g_assert_false (renewed);
  }
  {
    g_autofree char *fp_kept = fd_tp_file_fingerprint (srv_crt);
    g_assert_cmpstr (fp_kept, ==, fp_good);
  }

  /* 10 days left: renewed on open. */
  fp_old = certtool_server_cert (f, 10);
  {
    g_autoptr (FdPki) pki = fd_tp_open (f->dir, NULL);
    g_autoptr (GTlsCertificate) cert = fd_pki_dup_server_certificate (pki);
    g_autoptr (GByteArray) der = NULL;
    g_autoptr (FdCertInfo) info = NULL;

    g_assert_cmpint (fd_pki_get_server_not_after (pki) - fd_tp_now_ms (), >,
                     (gint64)(FD_PKI_SERVER_DAYS - 1) * 86400000);
    g_object_get (cert, "certificate", &der, NULL);
    info = fd_pki_parse_der (pki, der->data, der->len, NULL);
    fp_new = fd_tp_file_fingerprint (srv_crt);
    g_assert_cmpstr (info->fingerprint, ==, fp_new);
    g_assert_true (info->issued_by_ca);
  }
  g_assert_cmpstr (fp_new, !=, fp_old);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, fn) g_test_add (path, FdTpFixture, NULL, fd_tp_set_up, fn, fd_tp_tear_down)
  ADD ("/pki/ca/created", test_ca_created);
  ADD ("/pki/ca/reopened", test_ca_reopened);
  ADD ("/pki/ca/unsafe-dir", test_ca_unsafe_dir);
  ADD ("/pki/ca/damaged-never-replaced", test_ca_damaged);
  ADD ("/pki/server/tls-handshake", test_server_tls_handshake);
  ADD ("/pki/server/names", test_server_names);
  ADD ("/pki/server/names-change-reissues", test_server_names_change);
  ADD ("/pki/server/expiring-renewed", test_server_expiring_renewed);
#undef ADD
  return g_test_run ();
}
