/* fd-device-firmware-check.c — the manifest's signature, checked with GnuTLS. */
#include "fd-device-ota.h"

#include <string.h>
#include <gnutls/abstract.h>
#include <gnutls/gnutls.h>

gboolean
fd_device_firmware_check_signature (const char *algorithm, const char *public_key_pem,
                                    const char *manifest, const char *signature_b64, GError **error)
{
  gnutls_pubkey_t key = NULL;
  gnutls_sign_algorithm_t sign;
  gnutls_datum_t pem, data, sig;
  g_autofree guchar *raw = NULL;
  gsize raw_len = 0;
  int rc;

  if (algorithm == NULL || public_key_pem == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                   "zdevice.json has no firmware_key: the firmware cannot be checked");
      return FALSE;
    }
  if (g_str_equal (algorithm, "ecdsa-p256"))
    sign = GNUTLS_SIGN_ECDSA_SHA256;
  else if (g_str_equal (algorithm, "ed25519"))
    sign = GNUTLS_SIGN_EDDSA_ED25519;
  else
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                   "unknown signature algorithm \"%s\"", algorithm);
      return FALSE;
    }
  if (signature_b64 == NULL || *signature_b64 == '\0')
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "the manifest is not signed");
      return FALSE;
    }
  raw = g_base64_decode (signature_b64, &raw_len);
  if (raw_len == 0 || raw_len > 512)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "the signature is not base64");
      return FALSE;
    }
  pem.data = (unsigned char *)public_key_pem;
  pem.size = (unsigned)strlen (public_key_pem);
  data.data = (unsigned char *)manifest;
  data.size = (unsigned)strlen (manifest);
  sig.data = raw;
  sig.size = (unsigned)raw_len;
  if ((rc = gnutls_pubkey_init (&key)) < 0
      || (rc = gnutls_pubkey_import (key, &pem, GNUTLS_X509_FMT_PEM)) < 0)
    {
      if (key != NULL)
        gnutls_pubkey_deinit (key);
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "firmware_key.public_key: %s",
                   gnutls_strerror (rc));
      return FALSE;
    }
  rc = gnutls_pubkey_verify_data2 (key, sign, 0, &data, &sig);
  gnutls_pubkey_deinit (key);
  if (rc < 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   "the manifest's signature does not verify with firmware_key (%s)",
                   gnutls_strerror (rc));
      return FALSE;
    }
  return TRUE;
}
