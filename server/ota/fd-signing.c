/* fd-signing.c — firmware signing keys with GnuTLS. */
#include "fd-signing.h"
#include "fd-util.h"

#include <errno.h>
#include <fcntl.h>
#include <gnutls/abstract.h>
#include <gnutls/gnutls.h>
#include <gnutls/x509.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

G_DEFINE_QUARK (fd - signing - error - quark, fd_signing_error)

gboolean
fd_signing_algorithm_valid (const char *algorithm)
{
  return algorithm != NULL
         && (g_str_equal (algorithm, FD_SIGNING_ECDSA_P256)
             || g_str_equal (algorithm, FD_SIGNING_ED25519));
}

static gboolean
gnutls_failed (GError **error, int ret, const char *what)
{
  g_set_error (error, FD_SIGNING_ERROR, FD_SIGNING_ERROR_FAILED, "%s: %s", what,
               gnutls_strerror (ret));
  return FALSE;
}

static gnutls_sign_algorithm_t
sign_algorithm (const char *algorithm)
{
  return g_str_equal (algorithm, FD_SIGNING_ED25519) ? GNUTLS_SIGN_EDDSA_ED25519
                                                     : GNUTLS_SIGN_ECDSA_SHA256;
}

/* Writes @len bytes to @path through a temporary file beside it: a reader never sees half a
 * key, and a crash leaves the older key or the new one. */
static gboolean
write_secret_file (const char *path, const void *data, gsize len, GError **error)
{
  g_autofree char *tmp = NULL;
  guint8 rnd[8];
  int fd, err;

  fd_random_bytes (rnd, sizeof rnd);
  tmp = g_strdup_printf ("%s.%02x%02x%02x%02x%02x%02x%02x%02x.tmp", path, rnd[0], rnd[1], rnd[2],
                         rnd[3], rnd[4], rnd[5], rnd[6], rnd[7]);
  fd = open (tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (fd < 0)
    goto fail;
  if (!fd_write_all (fd, data, len) || fsync (fd) != 0)
    goto fail;
  err = close (fd);
  fd = -1;
  if (err != 0 || rename (tmp, path) != 0)
    goto fail;
  fd_fsync_dir_of (path);
  return TRUE;

fail:
  err = errno;
  if (fd >= 0)
    close (fd);
  unlink (tmp);
  g_set_error (error, FD_SIGNING_ERROR, FD_SIGNING_ERROR_FAILED, "cannot write the key %s: %s",
               path, g_strerror (err));
  return FALSE;
}

char *
fd_signing_generate (const char *algorithm, const char *path, GError **error)
{
  gnutls_x509_privkey_t x509 = NULL;
  gnutls_privkey_t priv = NULL;
  gnutls_pubkey_t pub = NULL;
  gnutls_datum_t pem = { NULL, 0 }, pub_pem = { NULL, 0 };
  char *result = NULL;
  int ret;

  if (!fd_signing_algorithm_valid (algorithm))
    {
      g_set_error (error, FD_SIGNING_ERROR, FD_SIGNING_ERROR_ALGORITHM,
                   "the algorithm must be \"ecdsa-p256\" or \"ed25519\"");
      return NULL;
    }
  if ((ret = gnutls_x509_privkey_init (&x509)) < 0)
    {
      gnutls_failed (error, ret, "making a key");
      goto out;
    }
  if (g_str_equal (algorithm, FD_SIGNING_ED25519))
    ret = gnutls_x509_privkey_generate (x509, GNUTLS_PK_EDDSA_ED25519,
                                        GNUTLS_CURVE_TO_BITS (GNUTLS_ECC_CURVE_ED25519), 0);
  else
    ret = gnutls_x509_privkey_generate (x509, GNUTLS_PK_ECDSA,
                                        GNUTLS_CURVE_TO_BITS (GNUTLS_ECC_CURVE_SECP256R1), 0);
  if (ret < 0)
    {
      gnutls_failed (error, ret, "making a key");
      goto out;
    }
  if ((ret = gnutls_x509_privkey_export2_pkcs8 (x509, GNUTLS_X509_FMT_PEM, NULL, GNUTLS_PKCS_PLAIN,
                                                &pem))
      < 0)
    {
      gnutls_failed (error, ret, "writing the key");
      goto out;
    }
  if ((ret = gnutls_privkey_init (&priv)) < 0
      || (ret = gnutls_privkey_import_x509 (priv, x509, 0)) < 0
      || (ret = gnutls_pubkey_init (&pub)) < 0
      || (ret = gnutls_pubkey_import_privkey (pub, priv, 0, 0)) < 0
      || (ret = gnutls_pubkey_export2 (pub, GNUTLS_X509_FMT_PEM, &pub_pem)) < 0)
    {
      gnutls_failed (error, ret, "taking the public key");
      goto out;
    }
  if (!write_secret_file (path, pem.data, pem.size, error))
    goto out;
  result = g_strndup ((const char *)pub_pem.data, pub_pem.size);

out:
  if (pem.data != NULL)
    {
      explicit_bzero (pem.data, pem.size);
      gnutls_free (pem.data);
    }
  gnutls_free (pub_pem.data);
  if (pub != NULL)
    gnutls_pubkey_deinit (pub);
  if (priv != NULL)
    gnutls_privkey_deinit (priv); /* not the x509 key: imported without the deinit flag */
  if (x509 != NULL)
    gnutls_x509_privkey_deinit (x509);
  return result;
}

char *
fd_signing_sign (const char *path, const char *algorithm, const void *data, gsize len,
                 GError **error)
{
  g_autoptr (GError) local_error = NULL;
  g_autofree char *pem = NULL;
  gsize pem_len = 0;
  gnutls_privkey_t priv = NULL;
  gnutls_datum_t key, in, sig = { NULL, 0 };
  char *result = NULL;
  int ret;

  if (!fd_signing_algorithm_valid (algorithm))
    {
      g_set_error (error, FD_SIGNING_ERROR, FD_SIGNING_ERROR_ALGORITHM,
                   "unknown signing algorithm %s", algorithm);
      return NULL;
    }
  if (!g_file_get_contents (path, &pem, &pem_len, &local_error))
    {
      g_set_error (error, FD_SIGNING_ERROR, FD_SIGNING_ERROR_FAILED,
                   "cannot read the signing key: %s", local_error->message);
      return NULL;
    }
  key.data = (unsigned char *)pem;
  key.size = (unsigned)pem_len;
  in.data = (unsigned char *)data;
  in.size = (unsigned)len;
  if ((ret = gnutls_privkey_init (&priv)) < 0
      || (ret = gnutls_privkey_import_x509_raw (priv, &key, GNUTLS_X509_FMT_PEM, NULL, 0)) < 0)
    gnutls_failed (error, ret, "reading the signing key");
  else if ((ret = gnutls_privkey_sign_data2 (priv, sign_algorithm (algorithm), 0, &in, &sig)) < 0)
    gnutls_failed (error, ret, "signing");
  else
    result = g_base64_encode (sig.data, sig.size);
  explicit_bzero (pem, pem_len);
  gnutls_free (sig.data);
  if (priv != NULL)
    gnutls_privkey_deinit (priv);
  return result;
}

gboolean
fd_signing_verify (const char *public_pem, const char *algorithm, const void *data, gsize len,
                   const char *signature_b64, GError **error)
{
  gnutls_pubkey_t pub = NULL;
  gnutls_datum_t key, in, sig;
  gsize sig_len = 0;
  g_autofree guchar *raw = g_base64_decode (signature_b64, &sig_len);
  gboolean ok = FALSE;
  int ret;

  key.data = (unsigned char *)public_pem;
  key.size = (unsigned)strlen (public_pem);
  in.data = (unsigned char *)data;
  in.size = (unsigned)len;
  sig.data = raw;
  sig.size = (unsigned)sig_len;
  if ((ret = gnutls_pubkey_init (&pub)) < 0
      || (ret = gnutls_pubkey_import (pub, &key, GNUTLS_X509_FMT_PEM)) < 0)
    gnutls_failed (error, ret, "reading the public key");
  else if ((ret = gnutls_pubkey_verify_data2 (pub, sign_algorithm (algorithm), 0, &in, &sig)) < 0)
    gnutls_failed (error, ret, "the signature does not verify");
  else
    ok = TRUE;
  if (pub != NULL)
    gnutls_pubkey_deinit (pub);
  return ok;
}
