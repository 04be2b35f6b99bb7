/* fd-device-tls.c — the CA a device trusts and its client certificate. */
/* memfd_create() */
#define _GNU_SOURCE

#include "fd-device-tls.h"

#include <errno.h>
#include <sys/mman.h>
#include <string.h>
#include <unistd.h>
#include <gnutls/gnutls.h>

static void
close_fd (gpointer data)
{
  close (GPOINTER_TO_INT (data));
}

GTlsDatabase *
fd_device_trust_new (const char *ca_pem, GError **error)
{
  g_autofree char *path = NULL;
  g_autoptr (GError) local = NULL;
  GTlsDatabase *db;
  gsize len = strlen (ca_pem);
  int fd;

  /* The GnuTLS backend reads the file again for every new connection, so it must live as long
   * as the database. An anonymous memory file, reached by its /proc/self/fd path, lives
   * exactly that long and leaves nothing behind, however the process ends. */
  fd = memfd_create ("fd-device-ca", MFD_CLOEXEC);
  if (fd < 0)
    {
      int saved = errno;
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
                   "cannot make a file for the CA: %s", g_strerror (saved));
      return NULL;
    }
  for (gsize off = 0; off < len;)
    {
      gssize n = write (fd, ca_pem + off, len - off);
      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        {
          int saved = errno;
          close (fd);
          g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved), "cannot write the CA: %s",
                       g_strerror (saved));
          return NULL;
        }
      off += (gsize)n;
    }
  path = g_strdup_printf ("/proc/self/fd/%d", fd);
  db = g_tls_file_database_new (path, &local);
  if (db == NULL)
    {
      close (fd);
      g_set_error (error, G_TLS_ERROR, G_TLS_ERROR_BAD_CERTIFICATE,
                   "cacert: not a usable CA certificate: %s", local->message);
      return NULL;
    }
  g_object_set_data_full (G_OBJECT (db), "fd-device-ca-fd", GINT_TO_POINTER (fd), close_fd);
  return db;
}

GTlsCertificate *
fd_device_certificate_new (const FdDeviceConfig *config, GError **error)
{
  g_autofree char *pem = NULL;
  g_autoptr (GError) local = NULL;
  gnutls_certificate_credentials_t creds = NULL;
  gnutls_datum_t cert_d, key_d;
  GTlsCertificate *cert;
  int rc;

  g_return_val_if_fail (config->mode == FD_DEVICE_MODE_CERTIFICATE, NULL);

  /* GIO would only find a mismatched pair in the handshake, as an unhelpful alert from the
   * server; GnuTLS checks that the key belongs to the certificate when they are loaded. */
  cert_d.data = (unsigned char *)config->clicert_pem;
  cert_d.size = (unsigned int)strlen (config->clicert_pem);
  key_d.data = (unsigned char *)config->prvkey_pem;
  key_d.size = (unsigned int)strlen (config->prvkey_pem);
  gnutls_certificate_allocate_credentials (&creds);
  rc = gnutls_certificate_set_x509_key_mem2 (creds, &cert_d, &key_d, GNUTLS_X509_FMT_PEM, NULL, 0);
  gnutls_certificate_free_credentials (creds);
  if (rc == GNUTLS_E_CERTIFICATE_KEY_MISMATCH)
    {
      g_set_error (error, G_TLS_ERROR, G_TLS_ERROR_BAD_CERTIFICATE,
                   "%s: prvkey is not the private key of clicert", config->source);
      return NULL;
    }
  if (rc < 0)
    {
      g_set_error (error, G_TLS_ERROR, G_TLS_ERROR_BAD_CERTIFICATE,
                   "%s: clicert and prvkey cannot be loaded: %s", config->source,
                   gnutls_strerror (rc));
      return NULL;
    }

  pem = g_strconcat (config->clicert_pem, "\n", config->prvkey_pem, NULL);
  cert = g_tls_certificate_new_from_pem (pem, -1, &local);
  explicit_bzero (pem, strlen (pem));
  if (cert == NULL)
    {
      g_set_error (error, G_TLS_ERROR, G_TLS_ERROR_BAD_CERTIFICATE,
                   "%s: clicert and prvkey cannot be loaded: %s", config->source, local->message);
      return NULL;
    }
  return cert;
}
