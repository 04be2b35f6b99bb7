/* test-pki-devices.c — device certificates: generated ones (checked by certtool and used for
 * mutual TLS with gnutls-cli), CSRs made by certtool (EC, RSA; weak, foreign-typed, tampered and
 * badly pasted ones refused), the facts of certificates devices bring, and issuing speed. */
#include "fd-test-pki.h"

#include <string.h>

/* --- device certificates --- */

static void
test_device_issue (FdTpFixture *f, gconstpointer data)
{
  g_autoptr (FdPki) pki = fd_tp_open (f->dir, NULL);
  g_autoptr (GError) error = NULL;
  g_autofree char *key_pem = NULL;
  g_autoptr (FdCertInfo) info = NULL;
  g_autofree char *ca_file = fd_tp_path (f->dir, "ca.crt");
  g_autofree char *crt_file = fd_tp_path (f->root, "dev.crt");
  g_autofree char *key_file = fd_tp_path (f->root, "dev.key");
  g_autofree char *text = NULL, *key_text = NULL;
  gint64 t0 = fd_tp_now_ms ();
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

  fd_tp_write (crt_file, info->pem, 0600);
  fd_tp_write (key_file, key_pem, 0600);
  fd_tp_assert_certtool_verifies (ca_file, crt_file);
  text = fd_tp_certtool_info (crt_file);
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
    g_assert_true (fd_tp_run (&key_text, argv));
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
test_device_mutual_tls (FdTpFixture *f, gconstpointer data)
{
  g_autoptr (FdPki) pki = fd_tp_open (f->dir, NULL);
  g_autoptr (GError) error = NULL;
  g_autofree char *key_pem = NULL;
  g_autoptr (FdCertInfo) info = NULL;
  g_autofree char *ca_file = fd_tp_path (f->dir, "ca.crt");
  g_autofree char *crt_file = fd_tp_path (f->root, "dev.crt");
  g_autofree char *key_file = fd_tp_path (f->root, "dev.key");
  g_autofree char *out = NULL, *result = NULL;
  FdTpTlsServer *srv;

  info = fd_pki_issue_device (pki, "dev-mtls", 0, &key_pem, &error);
  g_assert_no_error (error);
  fd_tp_write (crt_file, info->pem, 0600);
  fd_tp_write (key_file, key_pem, 0600);

  srv = fd_tp_tls_server_start (pki, TRUE);
  if (!fd_tp_gnutls_cli (srv, ca_file, "localhost", NULL, crt_file, key_file, &out))
    g_error ("gnutls-cli with a device certificate failed:\n%s", out);
  result = fd_tp_tls_server_next_result (srv);
  g_assert_cmpstr (result, ==, "ok");
  g_assert_cmpstr (srv->peer_fingerprint, ==, info->fingerprint);

  /* Without a client certificate the handshake fails. */
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&result, g_free);
  g_assert_false (fd_tp_gnutls_cli (srv, ca_file, "localhost", NULL, NULL, NULL, &out));
  result = fd_tp_tls_server_next_result (srv);
  g_assert_cmpstr (result, !=, "ok");
  fd_tp_tls_server_stop (srv);
}

static char *
sign_csr_file (FdPki *pki, const char *csr_file, const char *device_id, GError **error,
               FdCertInfo **info_out)
{
  g_autofree char *pem = fd_tp_read (csr_file);
  *info_out = fd_pki_sign_csr (pki, pem, strlen (pem), device_id, 0, error);
  return *info_out ? g_strdup ((*info_out)->pem) : NULL;
}

static void
test_csr_signed (FdTpFixture *f, gconstpointer data)
{
  g_autoptr (FdPki) pki = fd_tp_open (f->dir, NULL);
  g_autofree char *ca_file = fd_tp_path (f->dir, "ca.crt");
  struct
  {
    const char *type, *size;
  } kinds[] = { { "ecdsa", "secp256r1" }, { "ecdsa", "secp384r1" }, { "rsa", "2048" } };

  for (guint i = 0; i < G_N_ELEMENTS (kinds); i++)
    {
      g_autofree char *name = g_strdup_printf ("csr%u", i);
      g_autofree char *csr = fd_tp_certtool_csr (f->root, name, kinds[i].type, kinds[i].size);
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
      fd_tp_write (crt_file, pem, 0600);
      fd_tp_assert_certtool_verifies (ca_file, crt_file);
      text = fd_tp_certtool_info (crt_file);
      g_assert_null (strstr (text, "evil"));
      g_assert_null (strstr (text, "Mallory"));
      g_assert_null (strstr (text, "TLS WWW Server"));
      g_assert_nonnull (strstr (text, "TLS WWW Client."));
      g_assert_nonnull (strstr (text, "Certificate Authority (CA): FALSE"));

      /* The certificate's key is the CSR's. */
      {
        const char *argv[] = { "certtool", "--crq-info", "--infile", csr, NULL };
        g_assert_true (fd_tp_run (&csr_text, argv));
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
test_csr_refused (FdTpFixture *f, gconstpointer data)
{
  g_autoptr (FdPki) pki = fd_tp_open (f->dir, NULL);
  g_autofree char *good = fd_tp_certtool_csr (f->root, "good", "ecdsa", "secp256r1");
  g_autofree char *weak = fd_tp_certtool_csr (f->root, "weak", "rsa", "1024");
  g_autofree char *ed = fd_tp_certtool_csr (f->root, "ed", "ed25519", NULL);
  g_autofree char *pem = fd_tp_read (good);
  g_autofree char *weak_pem = fd_tp_read (weak);
  g_autofree char *ed_pem = fd_tp_read (ed);
  g_autofree char *two = g_strconcat (pem, pem, NULL);
  g_autofree char *trailing = g_strconcat (pem, "and some notes\n", NULL);
  g_autofree char *leading = g_strconcat ("Here is my CSR:\n", pem, NULL);
  g_autofree char *spaced = g_strconcat ("\n\n  ", pem, "\r\n\n", NULL);
  g_autofree char *key_file = fd_tp_path (f->root, "good.key");
  g_autofree char *key_pem = fd_tp_read (key_file);
  g_autofree char *ca_pem = g_strdup (fd_pki_get_ca_pem (pki));
  g_autofree char *big = g_strnfill (FD_PKI_MAX_PEM_BYTES + 1, ' ');

  assert_csr_refused (pki, weak_pem, strlen (weak_pem), FD_PKI_ERROR_UNSUPPORTED, "RSA with 1024");
  assert_csr_refused (pki, ed_pem, strlen (ed_pem), FD_PKI_ERROR_UNSUPPORTED, "EdDSA");
  assert_csr_refused (pki, two, strlen (two), FD_PKI_ERROR_INVALID,
                      "expected one CERTIFICATE REQUEST block, found 2");
  /* Explanatory text around the block (RFC 7468) is fine: people paste what their tools
   * print, such as certtool's default description before the block. */
  {
    const char *argv[] = { "certtool", "--crq-info", "--infile", good, NULL };
    g_autofree char *described = NULL;
    const char *texts[3] = { trailing, leading, NULL };
    g_assert_true (fd_tp_run (&described, argv));
    g_assert_nonnull (strstr (described, "CERTIFICATE REQUEST-----"));
    texts[2] = described;
    for (guint i = 0; i < G_N_ELEMENTS (texts); i++)
      {
        g_autoptr (GError) error = NULL;
        g_autoptr (FdCertInfo) info = fd_pki_sign_csr (pki, texts[i], strlen (texts[i]),
                                                       "dev-aaaaaaaaaaaaaaaaaaaa", 0, &error);
        g_assert_no_error (error);
        g_assert_nonnull (info);
      }
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
test_parse_foreign (FdTpFixture *f, gconstpointer data)
{
  g_autoptr (FdPki) pki = fd_tp_open (f->dir, NULL);
  g_autofree char *key = fd_tp_path (f->root, "self.key");
  g_autofree char *tmpl = fd_tp_path (f->root, "self.tmpl");
  g_autofree char *crt = fd_tp_path (f->root, "self.crt");
  g_autofree char *pem = NULL, *crlf = NULL, *info_text = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (FdCertInfo) info = NULL;
  g_autoptr (FdCertInfo) again = NULL;
  g_autoptr (FdCertInfo) no_pki = NULL;
  gint64 t0 = fd_tp_now_ms ();

  fd_tp_certtool_key (key, "ecdsa", "secp256r1");
  fd_tp_write (tmpl,
               "cn = \"sensor 1\"\norganization = \"Acme\"\nexpiration_days = 100\n"
               "tls_www_client\nsigning_key\n",
               0600);
  FD_TP_RUN_OK ("certtool", "--generate-self-signed", "--no-text", "--load-privkey", key,
                "--template", tmpl, "--outfile", crt);
  pem = fd_tp_read (crt);
  info_text = fd_tp_certtool_info (crt);

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
    g_autofree char *key_pem = fd_tp_read (key);
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
test_parse_impostor_ca (FdTpFixture *f, gconstpointer data)
{
  g_autoptr (FdPki) pki = fd_tp_open (f->dir, NULL);
  g_autofree char *ca_pem = g_strdup (fd_pki_get_ca_pem (pki));
  g_autoptr (FdCertInfo) ours = fd_pki_parse_certificate (pki, ca_pem, strlen (ca_pem), NULL);
  g_autofree char *fake_key = fd_tp_path (f->root, "fake.key");
  g_autofree char *fake_crt = fd_tp_path (f->root, "fake.crt");
  g_autofree char *fake_tmpl = fd_tp_path (f->root, "fake.tmpl");
  g_autofree char *leaf_key = fd_tp_path (f->root, "leaf.key");
  g_autofree char *leaf_crt = fd_tp_path (f->root, "leaf.crt");
  g_autofree char *leaf_tmpl = fd_tp_path (f->root, "leaf.tmpl");
  g_autofree char *fake_text
      = g_strdup_printf ("cn = \"%s\"\nca\ncert_signing_key\n", ours->common_name);
  g_autofree char *pem = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (FdCertInfo) info = NULL;

  fd_tp_certtool_key (fake_key, "ecdsa", "secp256r1");
  fd_tp_write (fake_tmpl, fake_text, 0600);
  FD_TP_RUN_OK ("certtool", "--generate-self-signed", "--no-text", "--load-privkey", fake_key,
                "--template", fake_tmpl, "--outfile", fake_crt);
  fd_tp_certtool_key (leaf_key, "ecdsa", "secp256r1");
  fd_tp_write (leaf_tmpl, "cn = \"dev-impostor\"\ntls_www_client\n", 0600);
  FD_TP_RUN_OK ("certtool", "--generate-certificate", "--no-text", "--load-privkey", leaf_key,
                "--load-ca-certificate", fake_crt, "--load-ca-privkey", fake_key, "--template",
                leaf_tmpl, "--outfile", leaf_crt);

  pem = fd_tp_read (leaf_crt);
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
test_issue_speed (FdTpFixture *f, gconstpointer data)
{
  g_autoptr (FdPki) pki = fd_tp_open (f->dir, NULL);
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
  /* Timing is reported, not asserted: the machine is shared, and speed is measured by
   * bench/bench-ingest (bulk import of 10,000 devices). */

  for (guint j = 0; j < 2; j++)
    g_ptr_array_unref (jobs[j].fingerprints);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, fn) g_test_add (path, FdTpFixture, NULL, fd_tp_set_up, fn, fd_tp_tear_down)
  ADD ("/pki/device/issue", test_device_issue);
  ADD ("/pki/device/mutual-tls", test_device_mutual_tls);
  ADD ("/pki/device/issue-from-two-threads", test_issue_speed);
  ADD ("/pki/csr/signed", test_csr_signed);
  ADD ("/pki/csr/refused", test_csr_refused);
  ADD ("/pki/parse/foreign", test_parse_foreign);
  ADD ("/pki/parse/impostor-ca", test_parse_impostor_ca);
#undef ADD
  return g_test_run ();
}
