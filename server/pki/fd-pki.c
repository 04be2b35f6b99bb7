/* fd-pki.c — the local CA: made once, then loaded on every start; never replaced behind the
 * user's back, because every provisioned device trusts exactly this CA. */
#include "fd-pki-private.h"

#include <string.h>
#include <unistd.h>

#include "fd-util.h"

G_DEFINE_QUARK (fd - pki - error - quark, fd_pki_error)

#define CA_KEY_FILE "ca.key"
#define CA_CRT_FILE "ca.crt"

gboolean
fd_pki_gnutls_fail (int ret, GError **error, const char *what)
{
  g_set_error (error, FD_PKI_ERROR, FD_PKI_ERROR_FAILED, "%s: %s", what, gnutls_strerror (ret));
  return FALSE;
}

/* Fills the CA fields of @pki from its certificate and key (taking both). */
static gboolean
ca_adopt (FdPki *pki, gnutls_x509_crt_t crt, gnutls_privkey_t key, GError **error)
{
  gnutls_datum_t raw = { NULL, 0 };
  size_t id_len = sizeof pki->ca_key_id;
  int ret;

  pki->ca_crt = crt;
  pki->ca_key = key;
  pki->ca_der = fd_pki_crt_der (crt, error);
  if (pki->ca_der == NULL)
    return FALSE;
  pki->ca_pem = fd_pki_crt_pem (crt, error);
  if (pki->ca_pem == NULL)
    return FALSE;
  pki->ca_fingerprint = fd_pki_fingerprint_bytes (pki->ca_der);
  pki->ca_spki = fd_pki_crt_spki (crt, error);
  if (pki->ca_spki == NULL)
    return FALSE;

  ret = gnutls_x509_crt_get_raw_dn (crt, &raw);
  if (ret < 0)
    return fd_pki_gnutls_fail (ret, error, "cannot read the CA's subject");
  pki->ca_subject_raw = g_bytes_new (raw.data, raw.size);
  gnutls_free (raw.data);

  /* What issued certificates name as their authority key; a CA certificate made elsewhere
   * may lack a subject key id, then the key's own SHA-1 id stands in, as RFC 5280 suggests. */
  ret = gnutls_x509_crt_get_subject_key_id (crt, pki->ca_key_id, &id_len, NULL);
  if (ret < 0)
    {
      id_len = sizeof pki->ca_key_id;
      ret = gnutls_x509_crt_get_key_id (crt, GNUTLS_KEYID_USE_SHA1, pki->ca_key_id, &id_len);
    }
  if (ret < 0)
    return fd_pki_gnutls_fail (ret, error, "cannot read the CA's key id");
  pki->ca_key_id_len = id_len;
  return TRUE;
}

static char *
random_ca_name (void)
{
  static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  guint8 raw[8];
  char suffix[sizeof raw + 1];

  fd_random_bytes (raw, sizeof raw);
  for (gsize i = 0; i < sizeof raw; i++)
    suffix[i] = alphabet[raw[i] & 31];
  suffix[sizeof raw] = '\0';
  return g_strconcat ("Fleetdesk local CA ", suffix, NULL);
}

static gboolean
ca_create (FdPki *pki, GError **error)
{
  gnutls_privkey_t key = NULL;
  gnutls_pubkey_t pubkey = NULL;
  gnutls_x509_crt_t crt;
  gnutls_datum_t key_pem = { NULL, 0 };
  g_autofree char *name = random_ca_name ();
  g_autofree char *crt_pem = NULL;
  gint64 not_after_s = fd_now_ms () / 1000 + (gint64)FD_PKI_CA_DAYS * 86400;
  gboolean ok;

  if (!fd_pki_generate_key (&key, &pubkey, error))
    return FALSE;
  crt = fd_pki_build_certificate (pki, FD_PKI_PROFILE_CA, pubkey, key, name, NULL, not_after_s,
                                  error);
  gnutls_pubkey_deinit (pubkey);
  if (crt == NULL)
    {
      gnutls_privkey_deinit (key);
      return FALSE;
    }

  crt_pem = fd_pki_crt_pem (crt, error);
  /* The key first: a crash between the two writes leaves a key without certificate, which
   * fd_pki_open() reports instead of guessing. */
  ok = crt_pem != NULL && fd_pki_export_key (key, &key_pem, error)
       && fd_pki_file_write (pki, CA_KEY_FILE, key_pem.data, key_pem.size, 0600, error)
       && fd_pki_file_write (pki, CA_CRT_FILE, crt_pem, strlen (crt_pem), 0644, error);
  fd_pki_datum_wipe (&key_pem);
  if (!ok)
    {
      gnutls_x509_crt_deinit (crt);
      gnutls_privkey_deinit (key);
      return FALSE;
    }
  return ca_adopt (pki, crt, key, error);
}

static gboolean
spki_equal (GBytes *a, GBytes *b)
{
  return a != NULL && b != NULL && g_bytes_equal (a, b);
}

static GBytes *
privkey_spki (gnutls_privkey_t key)
{
  gnutls_pubkey_t pubkey = NULL;
  gnutls_datum_t out = { NULL, 0 };
  GBytes *spki = NULL;

  if (gnutls_pubkey_init (&pubkey) < 0)
    return NULL;
  if (gnutls_pubkey_import_privkey (pubkey, key, 0, 0) >= 0
      && gnutls_pubkey_export2 (pubkey, GNUTLS_X509_FMT_DER, &out) >= 0)
    {
      spki = g_bytes_new (out.data, out.size);
      gnutls_free (out.data);
    }
  gnutls_pubkey_deinit (pubkey);
  return spki;
}

static gboolean
ca_load (FdPki *pki, guint8 *key_data, gsize key_len, guint8 *crt_data, gsize crt_len,
         GError **error)
{
  g_autofree char *key_path = g_build_filename (pki->dir, CA_KEY_FILE, NULL);
  g_autofree char *crt_path = g_build_filename (pki->dir, CA_CRT_FILE, NULL);
  g_autoptr (GError) local = NULL;
  g_autoptr (GBytes) der = NULL;
  g_autoptr (GBytes) crt_spki = NULL;
  g_autoptr (GBytes) key_spki = NULL;
  gnutls_privkey_t key = NULL;
  gnutls_x509_crt_t crt = NULL;
  gnutls_datum_t d;
  unsigned int is_ca = 0;
  int ret;

  ret = gnutls_privkey_init (&key);
  if (ret < 0)
    return fd_pki_gnutls_fail (ret, error, "cannot load the CA key");
  d.data = key_data;
  d.size = (unsigned int)key_len;
  ret = gnutls_privkey_import_x509_raw (key, &d, GNUTLS_X509_FMT_PEM, NULL, 0);
  if (ret < 0)
    {
      gnutls_privkey_deinit (key);
      g_set_error (error, FD_PKI_ERROR, FD_PKI_ERROR_FAILED,
                   "%s is not a readable private key (%s); restore it from a backup: it is "
                   "never replaced automatically, because devices trust this CA",
                   key_path, gnutls_strerror (ret));
      return FALSE;
    }

  der = fd_pki_pem_decode_one ((const char *)crt_data, crt_len, &fd_pki_pem_certificate, &local);
  ret = gnutls_x509_crt_init (&crt);
  if (der != NULL && ret >= 0)
    {
      d.data = (unsigned char *)g_bytes_get_data (der, NULL);
      d.size = (unsigned int)g_bytes_get_size (der);
      ret = gnutls_x509_crt_import (crt, &d, GNUTLS_X509_FMT_DER);
    }
  if (der == NULL || ret < 0)
    {
      g_set_error (error, FD_PKI_ERROR, FD_PKI_ERROR_FAILED,
                   "%s is not a readable certificate (%s); restore it from a backup: it is "
                   "never replaced automatically, because devices trust this CA",
                   crt_path, local != NULL ? local->message : gnutls_strerror (ret));
      goto fail;
    }
  if (gnutls_x509_crt_get_basic_constraints (crt, NULL, &is_ca, NULL) < 0 || !is_ca)
    {
      g_set_error (error, FD_PKI_ERROR, FD_PKI_ERROR_FAILED,
                   "%s is not a CA certificate; restore the CA's own certificate from a backup",
                   crt_path);
      goto fail;
    }
  crt_spki = fd_pki_crt_spki (crt, NULL);
  key_spki = privkey_spki (key);
  if (!spki_equal (crt_spki, key_spki))
    {
      g_set_error (error, FD_PKI_ERROR, FD_PKI_ERROR_FAILED,
                   "%s does not belong to %s (they are from different CAs); restore the "
                   "matching pair from a backup",
                   key_path, crt_path);
      goto fail;
    }
  return ca_adopt (pki, crt, key, error);

fail:
  gnutls_x509_crt_deinit (crt);
  gnutls_privkey_deinit (key);
  return FALSE;
}

/* Loads the CA, or makes it when neither of its files exists. One file without the other is
 * an error: making a new CA then would silently cut off every device. */
static gboolean
ca_open (FdPki *pki, GError **error)
{
  guint8 *key_data = NULL, *crt_data = NULL;
  gsize key_len = 0, crt_len = 0;
  gboolean key_missing = FALSE, crt_missing = FALSE, ok;

  if (!fd_pki_file_read (pki, CA_KEY_FILE, TRUE, &key_data, &key_len, &key_missing, error)
      && !key_missing)
    return FALSE;
  if (!fd_pki_file_read (pki, CA_CRT_FILE, FALSE, &crt_data, &crt_len, &crt_missing, error)
      && !crt_missing)
    {
      fd_pki_wipe_free (key_data, key_len);
      return FALSE;
    }

  if (key_missing && crt_missing)
    ok = ca_create (pki, error);
  else if (key_missing || crt_missing)
    {
      g_autofree char *have
          = g_build_filename (pki->dir, key_missing ? CA_CRT_FILE : CA_KEY_FILE, NULL);
      g_set_error (error, FD_PKI_ERROR, FD_PKI_ERROR_FAILED,
                   "%s exists but %s is missing; restore %s from a backup (devices trust this "
                   "CA), or move %s away to make a new CA, which devices will not trust",
                   have, key_missing ? CA_KEY_FILE : CA_CRT_FILE,
                   key_missing ? CA_KEY_FILE : CA_CRT_FILE, have);
      ok = FALSE;
    }
  else
    ok = ca_load (pki, key_data, key_len, crt_data, crt_len, error);

  fd_pki_wipe_free (key_data, key_len);
  g_free (crt_data);
  return ok;
}

FdPki *
fd_pki_open (const char *dir, const char *const *public_names, GError **error)
{
  g_autoptr (FdPki) pki = NULL;

  g_return_val_if_fail (dir != NULL, NULL);

  for (gsize i = 0; public_names != NULL && public_names[i] != NULL; i++)
    {
      g_autofree char *norm = fd_pki_normalize_name (public_names[i], NULL);
      if (norm == NULL)
        {
          g_set_error (error, FD_PKI_ERROR, FD_PKI_ERROR_INVALID,
                       "the public name “%.80s” is neither a DNS name nor an IP address",
                       public_names[i]);
          return NULL;
        }
    }

  pki = g_new0 (FdPki, 1);
  pki->dir_fd = -1;
  g_mutex_init (&pki->ca_lock);
  g_mutex_init (&pki->renew_lock);
  g_mutex_init (&pki->server_lock);
  pki->dir = g_strdup (dir);
  pki->server_names = fd_pki_server_names (public_names);

  pki->dir_fd = fd_pki_dir_open (dir, error);
  if (pki->dir_fd < 0)
    return NULL;
  if (!ca_open (pki, error))
    return NULL;
  if (!fd_pki_server_load_or_issue (pki, error))
    return NULL;
  return g_steal_pointer (&pki);
}

void
fd_pki_free (FdPki *pki)
{
  if (pki == NULL)
    return;
  if (pki->dir_fd >= 0)
    close (pki->dir_fd);
  g_clear_pointer (&pki->ca_crt, gnutls_x509_crt_deinit);
  g_clear_pointer (&pki->ca_key, gnutls_privkey_deinit);
  g_clear_pointer (&pki->ca_der, g_bytes_unref);
  g_clear_pointer (&pki->ca_spki, g_bytes_unref);
  g_clear_pointer (&pki->ca_subject_raw, g_bytes_unref);
  g_free (pki->ca_pem);
  g_free (pki->ca_fingerprint);
  g_strfreev (pki->server_names);
  g_clear_object (&pki->server_cert);
  g_mutex_clear (&pki->ca_lock);
  g_mutex_clear (&pki->renew_lock);
  g_mutex_clear (&pki->server_lock);
  g_free (pki->dir);
  g_free (pki);
}

const char *
fd_pki_get_ca_pem (FdPki *pki)
{
  return pki->ca_pem;
}

const char *
fd_pki_get_ca_fingerprint (FdPki *pki)
{
  return pki->ca_fingerprint;
}
