/* fd-pki-issue.c — making certificates: keys, the three profiles (CA, TLS server, TLS client),
 * device certificates from a new key pair or from a CSR.
 *
 * A CSR contributes its public key and nothing else: its subject and requested extensions are
 * ignored, so that a device cannot ask for another device's name, a CA bit or server usage. */
#include "fd-pki-private.h"

#include <string.h>

#include "fd-util.h"

/* The last second X.509 can express (99991231235959Z). */
#define FD_PKI_LAST_TIME_S G_GINT64_CONSTANT (253402300799)
/* RSA keys above this size cost more to check than any device needs. */
#define FD_PKI_MAX_RSA_BITS 8192

gboolean
fd_pki_generate_key (gnutls_privkey_t *key, gnutls_pubkey_t *pubkey, GError **error)
{
  int ret;

  *key = NULL;
  *pubkey = NULL;
  ret = gnutls_privkey_init (key);
  if (ret >= 0)
    ret = gnutls_privkey_generate2 (*key, GNUTLS_PK_ECDSA,
                                    GNUTLS_CURVE_TO_BITS (GNUTLS_ECC_CURVE_SECP256R1), 0, NULL, 0);
  if (ret >= 0)
    ret = gnutls_pubkey_init (pubkey);
  if (ret >= 0)
    ret = gnutls_pubkey_import_privkey (*pubkey, *key, 0, 0);
  if (ret < 0)
    {
      g_clear_pointer (key, gnutls_privkey_deinit);
      g_clear_pointer (pubkey, gnutls_pubkey_deinit);
      return fd_pki_gnutls_fail (ret, error, "cannot generate an ECDSA P-256 key");
    }
  return TRUE;
}

gboolean
fd_pki_export_key (gnutls_privkey_t key, gnutls_datum_t *pem, GError **error)
{
  gnutls_x509_privkey_t x509 = NULL;
  int ret;

  pem->data = NULL;
  pem->size = 0;
  ret = gnutls_privkey_export_x509 (key, &x509);
  if (ret >= 0)
    ret = gnutls_x509_privkey_export2_pkcs8 (x509, GNUTLS_X509_FMT_PEM, NULL, GNUTLS_PKCS_PLAIN,
                                             pem);
  if (x509 != NULL)
    gnutls_x509_privkey_deinit (x509);
  if (ret < 0)
    return fd_pki_gnutls_fail (ret, error, "cannot encode a private key");
  return TRUE;
}

GBytes *
fd_pki_crt_der (gnutls_x509_crt_t crt, GError **error)
{
  gnutls_datum_t d = { NULL, 0 };
  GBytes *der;
  int ret = gnutls_x509_crt_export2 (crt, GNUTLS_X509_FMT_DER, &d);

  if (ret < 0)
    {
      fd_pki_gnutls_fail (ret, error, "cannot encode a certificate");
      return NULL;
    }
  der = g_bytes_new (d.data, d.size);
  gnutls_free (d.data);
  return der;
}

char *
fd_pki_crt_pem (gnutls_x509_crt_t crt, GError **error)
{
  gnutls_datum_t d = { NULL, 0 };
  char *pem;
  int ret = gnutls_x509_crt_export2 (crt, GNUTLS_X509_FMT_PEM, &d);

  if (ret < 0)
    {
      fd_pki_gnutls_fail (ret, error, "cannot encode a certificate");
      return NULL;
    }
  pem = g_strndup ((const char *)d.data, d.size);
  gnutls_free (d.data);
  return pem;
}

static int
add_alt_names (gnutls_x509_crt_t crt, const char *const *names)
{
  for (gsize i = 0; names != NULL && names[i] != NULL; i++)
    {
      g_autoptr (GInetAddress) addr = g_inet_address_new_from_string (names[i]);
      int ret;

      if (addr != NULL)
        ret = gnutls_x509_crt_set_subject_alt_name (
            crt, GNUTLS_SAN_IPADDRESS, g_inet_address_to_bytes (addr),
            (unsigned)g_inet_address_get_native_size (addr), GNUTLS_FSAN_APPEND);
      else
        ret = gnutls_x509_crt_set_subject_alt_name (
            crt, GNUTLS_SAN_DNSNAME, names[i], (unsigned)strlen (names[i]), GNUTLS_FSAN_APPEND);
      if (ret < 0)
        return ret;
    }
  return 0;
}

gnutls_x509_crt_t
fd_pki_build_certificate (FdPki *pki, FdPkiProfile profile, gnutls_pubkey_t pubkey,
                          gnutls_privkey_t self_key, const char *common_name,
                          const char *const *names, gint64 not_after_s, GError **error)
{
  gnutls_x509_crt_t crt = NULL;
  guint8 serial[16];
  guint8 key_id[64];
  size_t key_id_len = sizeof key_id;
  gint64 now_s = fd_now_ms () / 1000;
  int ret;

  /* 126 random bits; the top bit clear keeps the INTEGER positive, a non-zero first byte keeps
   * its encoding 16 bytes long. */
  fd_random_bytes (serial, sizeof serial);
  serial[0] &= 0x7f;
  if (serial[0] == 0)
    serial[0] = 0x01;

  ret = gnutls_x509_crt_init (&crt);
  if (ret >= 0)
    ret = gnutls_x509_crt_set_version (crt, 3);
  if (ret >= 0)
    ret = gnutls_x509_crt_set_serial (crt, serial, sizeof serial);
  if (ret >= 0)
    ret = gnutls_x509_crt_set_dn_by_oid (crt, GNUTLS_OID_X520_COMMON_NAME, 0, common_name,
                                         (unsigned)strlen (common_name));
  if (ret >= 0)
    ret = gnutls_x509_crt_set_activation_time (crt, (time_t)(now_s - FD_PKI_CLOCK_SLACK_S));
  if (ret >= 0)
    ret = gnutls_x509_crt_set_expiration_time (crt, (time_t)not_after_s);
  if (ret >= 0)
    ret = gnutls_x509_crt_set_pubkey (crt, pubkey);
  if (ret >= 0)
    ret = gnutls_pubkey_get_key_id (pubkey, GNUTLS_KEYID_USE_SHA1, key_id, &key_id_len);
  if (ret >= 0)
    ret = gnutls_x509_crt_set_subject_key_id (crt, key_id, key_id_len);

  switch (profile)
    {
    case FD_PKI_PROFILE_CA:
      if (ret >= 0)
        ret = gnutls_x509_crt_set_basic_constraints (crt, 1, 0);
      if (ret >= 0)
        ret = gnutls_x509_crt_set_key_usage (crt, GNUTLS_KEY_KEY_CERT_SIGN | GNUTLS_KEY_CRL_SIGN);
      if (ret >= 0)
        ret = gnutls_x509_crt_privkey_sign (crt, crt, self_key, GNUTLS_DIG_SHA256, 0);
      break;

    case FD_PKI_PROFILE_SERVER:
    case FD_PKI_PROFILE_CLIENT:
      if (ret >= 0)
        ret = gnutls_x509_crt_set_basic_constraints (crt, 0, -1);
      if (ret >= 0)
        ret = gnutls_x509_crt_set_key_usage (crt, GNUTLS_KEY_DIGITAL_SIGNATURE);
      if (ret >= 0)
        ret = gnutls_x509_crt_set_key_purpose_oid (
            crt,
            profile == FD_PKI_PROFILE_SERVER ? GNUTLS_KP_TLS_WWW_SERVER : GNUTLS_KP_TLS_WWW_CLIENT,
            0);
      if (ret >= 0 && profile == FD_PKI_PROFILE_SERVER)
        ret = add_alt_names (crt, names);
      if (ret >= 0)
        ret = gnutls_x509_crt_set_authority_key_id (crt, pki->ca_key_id, pki->ca_key_id_len);
      if (ret >= 0)
        {
          g_mutex_lock (&pki->ca_lock);
          ret = gnutls_x509_crt_privkey_sign (crt, pki->ca_crt, pki->ca_key, GNUTLS_DIG_SHA256, 0);
          g_mutex_unlock (&pki->ca_lock);
        }
      break;
    }

  if (ret < 0)
    {
      g_clear_pointer (&crt, gnutls_x509_crt_deinit);
      fd_pki_gnutls_fail (ret, error, "cannot make a certificate");
      return NULL;
    }
  return crt;
}

/* The device id becomes the subject CN: bounded as X.509 bounds it, text only. */
static gboolean
check_device_id (const char *device_id, GError **error)
{
  gsize len = device_id != NULL ? strlen (device_id) : 0;

  if (len == 0)
    {
      g_set_error_literal (error, FD_PKI_ERROR, FD_PKI_ERROR_INVALID,
                           "a device id is needed: it becomes the certificate's common name");
      return FALSE;
    }
  if (len > FD_PKI_MAX_CN_BYTES)
    {
      g_set_error (error, FD_PKI_ERROR, FD_PKI_ERROR_INVALID,
                   "the device id is %" G_GSIZE_FORMAT " bytes long; a certificate's common name "
                   "holds at most %d",
                   len, FD_PKI_MAX_CN_BYTES);
      return FALSE;
    }
  if (!g_utf8_validate (device_id, (gssize)len, NULL))
    {
      g_set_error_literal (error, FD_PKI_ERROR, FD_PKI_ERROR_INVALID,
                           "the device id is not valid UTF-8");
      return FALSE;
    }
  for (gsize i = 0; i < len; i++)
    if ((guchar)device_id[i] < 0x20 || device_id[i] == 0x7f)
      {
        g_set_error_literal (error, FD_PKI_ERROR, FD_PKI_ERROR_INVALID,
                             "the device id contains control characters");
        return FALSE;
      }
  return TRUE;
}

static gboolean
device_not_after (gint64 not_after_ms, gint64 *not_after_s, GError **error)
{
  gint64 now_s = fd_now_ms () / 1000;

  if (not_after_ms == 0)
    {
      *not_after_s = now_s + (gint64)FD_PKI_DEVICE_DAYS * 86400;
      return TRUE;
    }
  if (not_after_ms / 1000 <= now_s)
    {
      g_set_error_literal (error, FD_PKI_ERROR, FD_PKI_ERROR_INVALID,
                           "the certificate's expiry date is in the past");
      return FALSE;
    }
  if (not_after_ms / 1000 > FD_PKI_LAST_TIME_S)
    {
      g_set_error_literal (error, FD_PKI_ERROR, FD_PKI_ERROR_INVALID,
                           "the certificate's expiry date is after the year 9999");
      return FALSE;
    }
  *not_after_s = not_after_ms / 1000;
  return TRUE;
}

static FdCertInfo *
info_of_new_certificate (FdPki *pki, gnutls_x509_crt_t crt, GError **error)
{
  g_autoptr (GBytes) der = fd_pki_crt_der (crt, error);

  if (der == NULL)
    return NULL;
  return fd_pki_cert_info_new (pki, crt, der, error);
}

FdCertInfo *
fd_pki_issue_device (FdPki *pki, const char *device_id, gint64 not_after, char **key_pem,
                     GError **error)
{
  gnutls_privkey_t key = NULL;
  gnutls_pubkey_t pubkey = NULL;
  gnutls_x509_crt_t crt = NULL;
  gnutls_datum_t pem = { NULL, 0 };
  FdCertInfo *info = NULL;
  gint64 not_after_s;

  g_return_val_if_fail (pki != NULL, NULL);
  g_return_val_if_fail (key_pem != NULL, NULL);

  *key_pem = NULL;
  if (!check_device_id (device_id, error) || !device_not_after (not_after, &not_after_s, error))
    return NULL;
  if (!fd_pki_generate_key (&key, &pubkey, error))
    return NULL;

  crt = fd_pki_build_certificate (pki, FD_PKI_PROFILE_CLIENT, pubkey, NULL, device_id, NULL,
                                  not_after_s, error);
  if (crt != NULL && fd_pki_export_key (key, &pem, error))
    info = info_of_new_certificate (pki, crt, error);
  if (info != NULL)
    *key_pem = g_strndup ((const char *)pem.data, pem.size);

  fd_pki_datum_wipe (&pem);
  g_clear_pointer (&crt, gnutls_x509_crt_deinit);
  gnutls_pubkey_deinit (pubkey);
  gnutls_privkey_deinit (key);
  return info;
}

/* Takes EC P-256/P-384 and RSA of 2048 to FD_PKI_MAX_RSA_BITS bits. */
static gboolean
check_csr_key (gnutls_pubkey_t pubkey, GError **error)
{
  unsigned bits = 0;
  int algo = gnutls_pubkey_get_pk_algorithm (pubkey, &bits);

  if (algo == GNUTLS_PK_RSA)
    {
      if (bits >= 2048 && bits <= FD_PKI_MAX_RSA_BITS)
        return TRUE;
      g_set_error (error, FD_PKI_ERROR, FD_PKI_ERROR_UNSUPPORTED,
                   "the CSR's key is RSA with %u bits; RSA keys must have 2048 to %d bits "
                   "(or use an EC P-256 key)",
                   bits, FD_PKI_MAX_RSA_BITS);
      return FALSE;
    }
  if (algo == GNUTLS_PK_ECDSA)
    {
      gnutls_ecc_curve_t curve = GNUTLS_ECC_CURVE_INVALID;
      gnutls_datum_t x = { NULL, 0 }, y = { NULL, 0 };

      if (gnutls_pubkey_export_ecc_raw2 (pubkey, &curve, &x, &y, 0) >= 0)
        {
          gnutls_free (x.data);
          gnutls_free (y.data);
        }
      if (curve == GNUTLS_ECC_CURVE_SECP256R1 || curve == GNUTLS_ECC_CURVE_SECP384R1)
        return TRUE;
      g_set_error (error, FD_PKI_ERROR, FD_PKI_ERROR_UNSUPPORTED,
                   "the CSR's key is on the EC curve %s; only P-256 and P-384 are signed",
                   curve != GNUTLS_ECC_CURVE_INVALID ? gnutls_ecc_curve_get_name (curve)
                                                     : "(unknown)");
      return FALSE;
    }
  g_set_error (error, FD_PKI_ERROR, FD_PKI_ERROR_UNSUPPORTED,
               "the CSR's key is of type %s; only EC P-256/P-384 and RSA (2048 bits or more) "
               "keys are signed",
               algo > 0 ? gnutls_pk_algorithm_get_name ((gnutls_pk_algorithm_t)algo) : "(unknown)");
  return FALSE;
}

FdCertInfo *
fd_pki_sign_csr (FdPki *pki, const char *csr_pem, gsize len, const char *device_id,
                 gint64 not_after, GError **error)
{
  g_autoptr (GBytes) der = NULL;
  gnutls_x509_crq_t crq = NULL;
  gnutls_pubkey_t pubkey = NULL;
  gnutls_x509_crt_t crt = NULL;
  FdCertInfo *info = NULL;
  gnutls_datum_t d;
  gint64 not_after_s;
  int ret;

  g_return_val_if_fail (pki != NULL, NULL);
  g_return_val_if_fail (csr_pem != NULL || len == 0, NULL);

  if (!check_device_id (device_id, error) || !device_not_after (not_after, &not_after_s, error))
    return NULL;
  der = fd_pki_pem_decode_one (csr_pem, len, &fd_pki_pem_request, error);
  if (der == NULL)
    return NULL;

  ret = gnutls_x509_crq_init (&crq);
  if (ret < 0)
    {
      fd_pki_gnutls_fail (ret, error, "cannot parse a CSR");
      return NULL;
    }
  d.data = (unsigned char *)g_bytes_get_data (der, NULL);
  d.size = (unsigned int)g_bytes_get_size (der);
  ret = gnutls_x509_crq_import (crq, &d, GNUTLS_X509_FMT_DER);
  if (ret < 0)
    {
      g_set_error (error, FD_PKI_ERROR, FD_PKI_ERROR_INVALID,
                   "the CSR is not a valid certificate request: %s", gnutls_strerror (ret));
      goto out;
    }
  ret = gnutls_pubkey_init (&pubkey);
  if (ret >= 0)
    ret = gnutls_pubkey_import_x509_crq (pubkey, crq, 0);
  if (ret < 0)
    {
      g_set_error (error, FD_PKI_ERROR, FD_PKI_ERROR_UNSUPPORTED,
                   "the CSR's public key cannot be read: %s", gnutls_strerror (ret));
      goto out;
    }
  if (!check_csr_key (pubkey, error))
    goto out;
  /* Proves that whoever made the CSR holds the private key of the public key in it. */
  ret = gnutls_x509_crq_verify (crq, 0);
  if (ret < 0)
    {
      g_set_error_literal (error, FD_PKI_ERROR, FD_PKI_ERROR_INVALID,
                           "the CSR's signature does not match its contents: it was changed "
                           "after it was made, or not signed with its own key");
      goto out;
    }

  crt = fd_pki_build_certificate (pki, FD_PKI_PROFILE_CLIENT, pubkey, NULL, device_id, NULL,
                                  not_after_s, error);
  if (crt != NULL)
    info = info_of_new_certificate (pki, crt, error);

out:
  g_clear_pointer (&crt, gnutls_x509_crt_deinit);
  g_clear_pointer (&pubkey, gnutls_pubkey_deinit);
  gnutls_x509_crq_deinit (crq);
  return info;
}
