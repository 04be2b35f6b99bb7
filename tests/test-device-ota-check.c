/* test-device-ota-check.c — what a device checks in a firmware update, without a server: the
 * manifest's signature (ECDSA P-256 and Ed25519 keys made with GnuTLS, the signatures made by
 * GnuTLS as the server makes them), a tampered manifest or another key refused; the
 * deterministic proportions of the fail rates; the Content-Range an answer carries. */
#include "config.h"

#include <string.h>
#include <gnutls/abstract.h>
#include <gnutls/gnutls.h>

#include "fd-device-agent.h"
#include "fd-device-client-http.h"
#include "fd-device-ota.h"

#define MANIFEST                                                                                   \
  "{\"firmware_id\":\"fw-1\",\"workspace_id\":\"wks-1\",\"version\":\"2.0.0\",\"target\":\"\","    \
  "\"size\":262144,\"sha256\":\"00\",\"created_at\":\"2026-12-01T17:00:00.000Z\"}"

/* A new key of @pk (and @bits: the curve), its public half as PEM, and @text's signature. */
static void
make_signed (gnutls_pk_algorithm_t pk, unsigned bits, gnutls_sign_algorithm_t sign,
             const char *text, char **pem_out, char **sig_b64_out)
{
  gnutls_privkey_t priv;
  gnutls_pubkey_t pub;
  gnutls_datum_t data = { (unsigned char *)text, (unsigned)strlen (text) };
  gnutls_datum_t sig = { 0 }, pem = { 0 };

  g_assert_cmpint (gnutls_privkey_init (&priv), ==, 0);
  g_assert_cmpint (gnutls_privkey_generate (priv, pk, bits, 0), ==, 0);
  g_assert_cmpint (gnutls_pubkey_init (&pub), ==, 0);
  g_assert_cmpint (gnutls_pubkey_import_privkey (pub, priv, 0, 0), ==, 0);
  g_assert_cmpint (gnutls_pubkey_export2 (pub, GNUTLS_X509_FMT_PEM, &pem), ==, 0);
  g_assert_cmpint (gnutls_privkey_sign_data2 (priv, sign, 0, &data, &sig), ==, 0);
  *pem_out = g_strndup ((const char *)pem.data, pem.size);
  *sig_b64_out = g_base64_encode (sig.data, sig.size);
  gnutls_free (pem.data);
  gnutls_free (sig.data);
  gnutls_pubkey_deinit (pub);
  gnutls_privkey_deinit (priv);
}

static void
check_algorithm (const char *name, gnutls_pk_algorithm_t pk, unsigned bits,
                 gnutls_sign_algorithm_t sign)
{
  g_autofree char *pem = NULL, *sig = NULL, *other_pem = NULL, *other_sig = NULL;
  g_autofree char *tampered = g_strdup (MANIFEST);
  g_autoptr (GError) error = NULL;

  make_signed (pk, bits, sign, MANIFEST, &pem, &sig);
  make_signed (pk, bits, sign, MANIFEST, &other_pem, &other_sig);
  g_assert_true (fd_device_firmware_check_signature (name, pem, MANIFEST, sig, &error));
  g_assert_no_error (error);

  /* One byte of the manifest changed: 2.0.0 → 2.0.1. */
  *strstr (tampered, "2.0.0") = '3';
  g_assert_false (fd_device_firmware_check_signature (name, pem, tampered, sig, &error));
  g_assert_nonnull (strstr (error->message, "does not verify"));
  g_clear_error (&error);
  /* Signed by another key of the same kind. */
  g_assert_false (fd_device_firmware_check_signature (name, pem, MANIFEST, other_sig, &error));
  g_clear_error (&error);
  /* Not base64, empty, or no key at all. */
  g_assert_false (fd_device_firmware_check_signature (name, pem, MANIFEST, "!!!", &error));
  g_clear_error (&error);
  g_assert_false (fd_device_firmware_check_signature (name, pem, MANIFEST, "", &error));
  g_clear_error (&error);
  g_assert_false (fd_device_firmware_check_signature (NULL, NULL, MANIFEST, sig, &error));
  g_assert_nonnull (strstr (error->message, "firmware_key"));
  g_clear_error (&error);
}

static void
test_signature_ecdsa (void)
{
  check_algorithm ("ecdsa-p256", GNUTLS_PK_ECDSA, GNUTLS_CURVE_TO_BITS (GNUTLS_ECC_CURVE_SECP256R1),
                   GNUTLS_SIGN_ECDSA_SHA256);
}

static void
test_signature_ed25519 (void)
{
  g_autofree char *pem = NULL, *sig = NULL;
  g_autoptr (GError) error = NULL;

  check_algorithm ("ed25519", GNUTLS_PK_EDDSA_ED25519,
                   GNUTLS_CURVE_TO_BITS (GNUTLS_ECC_CURVE_ED25519), GNUTLS_SIGN_EDDSA_ED25519);
  /* An Ed25519 signature checked as ECDSA is refused, not crashed on. */
  make_signed (GNUTLS_PK_EDDSA_ED25519, GNUTLS_CURVE_TO_BITS (GNUTLS_ECC_CURVE_ED25519),
               GNUTLS_SIGN_EDDSA_ED25519, MANIFEST, &pem, &sig);
  g_assert_false (fd_device_firmware_check_signature ("ecdsa-p256", pem, MANIFEST, sig, &error));
  g_clear_error (&error);
  g_assert_false (fd_device_firmware_check_signature ("rsa", pem, MANIFEST, sig, &error));
}

static void
test_proportion (void)
{
  guint picked = 0, first10 = 0;

  /* 30 % of 200: exactly 60, and 3 of the first 10 (the 4th, 7th and 10th). */
  for (guint64 k = 1; k <= 200; k++)
    if (fd_device_fleet_pick (0.3, k))
      {
        picked++;
        if (k <= 10)
          first10++;
      }
  g_assert_cmpuint (picked, ==, 60);
  g_assert_cmpuint (first10, ==, 3);
  g_assert_false (fd_device_fleet_pick (0.3, 3));
  g_assert_true (fd_device_fleet_pick (0.3, 4));
  g_assert_true (fd_device_fleet_pick (1.0, 1));
  g_assert_false (fd_device_fleet_pick (0.0, 1));
}

static FdDeviceResponse *
read_answer (const char *text, GError **error)
{
  FdDeviceHttpReader reader;
  gsize consumed = 0;
  FdDeviceResponse *r = NULL;

  fd_device_http_reader_init (&reader, 0);
  if (fd_device_http_reader_feed (&reader, (const guint8 *)text, strlen (text), &consumed, error)
      == FD_DEVICE_HTTP_DONE)
    r = fd_device_http_reader_steal_response (&reader);
  fd_device_http_reader_reset (&reader);
  return r;
}

static void
test_content_range (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (FdDeviceResponse) r
      = read_answer ("HTTP/1.1 206 Partial Content\r\nContent-Range: bytes 65536-65539/262144\r\n"
                     "ETag: \"abc\"\r\nContent-Length: 4\r\n\r\nwxyz",
                     &error);
  g_autoptr (FdDeviceResponse) star = NULL, none = NULL;
  g_autoptr (GString) req = g_string_new (NULL);

  g_assert_no_error (error);
  g_assert_cmpuint (r->status, ==, 206);
  g_assert_cmpint (r->range_first, ==, 65536);
  g_assert_cmpint (r->range_last, ==, 65539);
  g_assert_cmpint (r->range_total, ==, 262144);
  g_assert_cmpstr (r->etag, ==, "\"abc\"");
  star = read_answer ("HTTP/1.1 206 OK\r\nContent-Range: bytes 0-0/*\r\nContent-Length: 1\r\n\r\nx",
                      &error);
  g_assert_cmpint (star->range_total, ==, -1);
  none = read_answer ("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n", &error);
  g_assert_cmpint (none->range_first, ==, -1);
  /* last before first, a total not past last, another unit: malformed answers */
  g_assert_null (read_answer ("HTTP/1.1 206 OK\r\nContent-Range: bytes 9-3/100\r\n"
                              "Content-Length: 0\r\n\r\n",
                              &error));
  g_assert_error (error, FD_DEVICE_HTTP_ERROR, FD_DEVICE_HTTP_ERROR_MALFORMED);
  g_clear_error (&error);
  g_assert_null (read_answer ("HTTP/1.1 206 OK\r\nContent-Range: bytes 0-99/99\r\n"
                              "Content-Length: 0\r\n\r\n",
                              &error));
  g_clear_error (&error);
  g_assert_null (read_answer ("HTTP/1.1 206 OK\r\nContent-Range: items 0-1/9\r\n"
                              "Content-Length: 0\r\n\r\n",
                              &error));
  g_clear_error (&error);

  /* The request a chunk is asked with. */
  fd_device_http_append_request_full (req, "GET", "localhost", 7443, "/v1/firmware/fw-1", "JWT",
                                      "Range: bytes=0-65535\r\n", NULL, -1);
  g_assert_cmpstr (req->str, ==,
                   "GET /v1/firmware/fw-1 HTTP/1.1\r\nHost: localhost:7443\r\n"
                   "Authorization: Bearer JWT\r\nRange: bytes=0-65535\r\n\r\n");
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/device-ota-check/signature-ecdsa", test_signature_ecdsa);
  g_test_add_func ("/device-ota-check/signature-ed25519", test_signature_ed25519);
  g_test_add_func ("/device-ota-check/proportion", test_proportion);
  g_test_add_func ("/device-ota-check/content-range", test_content_range);
  return g_test_run ();
}
