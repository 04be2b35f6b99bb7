/* fd-pki-server.c — the server's own TLS certificate: kept while it is good, reissued (with a
 * new key) when it is missing, unreadable, from another CA, near its expiry, or names a
 * different set of hosts than the server answers to. Nobody pins it, so replacing it is safe;
 * it is the CA that must never change. */
#include "fd-pki-private.h"

#include <string.h>

#include "fd-util.h"

#define SERVER_KEY_FILE "server.key"
#define SERVER_CRT_FILE "server.crt"
#define MAX_DNS_NAME 253

static gboolean
dns_label_ok (const char *label, gsize len)
{
  if (len == 0 || len > 63 || label[0] == '-' || label[len - 1] == '-')
    return FALSE;
  for (gsize i = 0; i < len; i++)
    if (!g_ascii_isalnum (label[i]) && label[i] != '-')
      return FALSE;
  return TRUE;
}

char *
fd_pki_normalize_name (const char *name, gboolean *is_ip)
{
  g_autofree char *ascii = NULL;
  g_autofree char *lower = NULL;
  gsize len;

  if (is_ip != NULL)
    *is_ip = FALSE;
  if (name == NULL || *name == '\0' || strlen (name) > MAX_DNS_NAME)
    return NULL;
  if (g_hostname_is_ip_address (name))
    {
      g_autoptr (GInetAddress) addr = g_inet_address_new_from_string (name);
      if (addr == NULL)
        return NULL; /* a form GLib recognises but cannot parse, e.g. with a scope id */
      if (is_ip != NULL)
        *is_ip = TRUE;
      return g_inet_address_to_string (addr);
    }

  if (g_hostname_is_non_ascii (name))
    {
      ascii = g_hostname_to_ascii (name);
      if (ascii == NULL)
        return NULL;
      name = ascii;
    }
  lower = g_ascii_strdown (name, -1);
  len = strlen (lower);
  if (len > 0 && lower[len - 1] == '.')
    lower[--len] = '\0';
  if (len == 0 || len > MAX_DNS_NAME)
    return NULL;
  for (const char *p = lower;;)
    {
      const char *dot = strchr (p, '.');
      gsize n = dot != NULL ? (gsize)(dot - p) : strlen (p);
      if (!dns_label_ok (p, n))
        return NULL;
      if (dot == NULL)
        break;
      p = dot + 1;
    }
  return g_steal_pointer (&lower);
}

static void
add_name (GPtrArray *names, GHashTable *seen, const char *name)
{
  char *norm = fd_pki_normalize_name (name, NULL);

  if (norm == NULL || g_hash_table_contains (seen, norm))
    {
      g_free (norm);
      return;
    }
  g_hash_table_add (seen, norm);
  g_ptr_array_add (names, g_strdup (norm));
}

char **
fd_pki_server_names (const char *const *public_names)
{
  g_autoptr (GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  GPtrArray *names = g_ptr_array_new ();

  add_name (names, seen, "localhost");
  add_name (names, seen, "127.0.0.1");
  add_name (names, seen, "::1");
  /* A host name that is not a valid DNS name (some containers have one) is left out rather
   * than making a certificate no client could match. */
  add_name (names, seen, g_get_host_name ());
  for (gsize i = 0; public_names != NULL && public_names[i] != NULL; i++)
    add_name (names, seen, public_names[i]);
  g_ptr_array_add (names, NULL);
  return (char **)g_ptr_array_free (names, FALSE);
}

/* TRUE when the subjectAltNames of @crt are exactly @wanted, compared as sets. */
static gboolean
alt_names_match (gnutls_x509_crt_t crt, char **wanted)
{
  g_autoptr (GHashTable) have = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);

  for (unsigned i = 0;; i++)
    {
      char buf[MAX_DNS_NAME + 2];
      size_t size = sizeof buf;
      unsigned type = 0;
      char *name = NULL;
      int ret = gnutls_x509_crt_get_subject_alt_name2 (crt, i, buf, &size, &type, NULL);

      if (ret == GNUTLS_E_REQUESTED_DATA_NOT_AVAILABLE)
        break;
      if (ret < 0)
        return FALSE;
      if (type == GNUTLS_SAN_DNSNAME)
        name = g_ascii_strdown (buf, (gssize)size);
      else if (type == GNUTLS_SAN_IPADDRESS && (size == 4 || size == 16))
        {
          g_autoptr (GInetAddress) addr = g_inet_address_new_from_bytes (
              (const guint8 *)buf, size == 4 ? G_SOCKET_FAMILY_IPV4 : G_SOCKET_FAMILY_IPV6);
          name = g_inet_address_to_string (addr);
        }
      else
        return FALSE; /* nothing we put there */
      g_hash_table_add (have, name);
    }

  if (g_hash_table_size (have) != g_strv_length (wanted))
    return FALSE;
  for (gsize i = 0; wanted[i] != NULL; i++)
    if (!g_hash_table_contains (have, wanted[i]))
      return FALSE;
  return TRUE;
}

/* The GIO certificate: leaf, CA, key in one PEM text (glib-networking takes the certificates
 * after the first as the chain). The text holding the key is wiped. */
static GTlsCertificate *
make_tls_certificate (FdPki *pki, const char *crt_pem, const void *key_pem, gsize key_len,
                      GError **error)
{
  GString *all = g_string_sized_new (strlen (crt_pem) + strlen (pki->ca_pem) + key_len + 2);
  g_autoptr (GError) local = NULL;
  GTlsCertificate *cert;

  g_string_append (all, crt_pem);
  g_string_append (all, pki->ca_pem);
  g_string_append_len (all, key_pem, (gssize)key_len);
  cert = g_tls_certificate_new_from_pem (all->str, (gssize)all->len, &local);
  explicit_bzero (all->str, all->allocated_len);
  g_string_free (all, TRUE);
  if (cert == NULL)
    g_set_error (error, FD_PKI_ERROR, FD_PKI_ERROR_FAILED,
                 "cannot use the server certificate for TLS (is glib-networking installed?): %s",
                 local->message);
  return cert;
}

static void
set_current (FdPki *pki, GTlsCertificate *cert, gint64 not_after_ms)
{
  g_mutex_lock (&pki->server_lock);
  g_set_object (&pki->server_cert, cert);
  pki->server_not_after = not_after_ms;
  g_mutex_unlock (&pki->server_lock);
}

static gboolean
server_issue (FdPki *pki, GError **error)
{
  gnutls_privkey_t key = NULL;
  gnutls_pubkey_t pubkey = NULL;
  gnutls_x509_crt_t crt;
  gnutls_datum_t key_pem = { NULL, 0 };
  g_autofree char *crt_pem = NULL;
  g_autoptr (GTlsCertificate) cert = NULL;
  gint64 not_after_s = fd_now_ms () / 1000 + (gint64)FD_PKI_SERVER_DAYS * 86400;
  gboolean ok;

  if (!fd_pki_generate_key (&key, &pubkey, error))
    return FALSE;
  crt = fd_pki_build_certificate (pki, FD_PKI_PROFILE_SERVER, pubkey, NULL, pki->server_names[0],
                                  (const char *const *)pki->server_names, not_after_s, error);
  gnutls_pubkey_deinit (pubkey);
  if (crt != NULL)
    crt_pem = fd_pki_crt_pem (crt, error);
  g_clear_pointer (&crt, gnutls_x509_crt_deinit);

  /* The key first: after a crash between the two, the pair does not match and is reissued. */
  ok = crt_pem != NULL && fd_pki_export_key (key, &key_pem, error)
       && (cert = make_tls_certificate (pki, crt_pem, key_pem.data, key_pem.size, error)) != NULL
       && fd_pki_file_write (pki, SERVER_KEY_FILE, key_pem.data, key_pem.size, 0600, error)
       && fd_pki_file_write (pki, SERVER_CRT_FILE, crt_pem, strlen (crt_pem), 0644, error);
  fd_pki_datum_wipe (&key_pem);
  gnutls_privkey_deinit (key);
  if (ok)
    set_current (pki, cert, not_after_s * 1000);
  return ok;
}

static gboolean
expires_soon (gint64 not_after_s)
{
  return not_after_s - fd_now_ms () / 1000 < (gint64)FD_PKI_SERVER_RENEW_DAYS * 86400;
}

/* Loads server.key/server.crt when they are a good pair for the wanted names; else sets
 * @why to the reason they are not (for the log) and returns FALSE. */
static gboolean
server_load (FdPki *pki, const char **why)
{
  guint8 *key_data = NULL, *crt_data = NULL;
  gsize key_len = 0, crt_len = 0;
  gboolean missing = FALSE;
  g_autoptr (GBytes) der = NULL;
  g_autoptr (GBytes) crt_spki = NULL;
  g_autoptr (GBytes) key_spki = NULL;
  g_autoptr (GTlsCertificate) cert = NULL;
  gnutls_x509_crt_t crt = NULL;
  gnutls_pubkey_t pubkey = NULL;
  gnutls_privkey_t key = NULL;
  gnutls_datum_t d;
  gboolean ok = FALSE;
  time_t not_after;

  *why = "server.key or server.crt is missing";
  if (!fd_pki_file_read (pki, SERVER_KEY_FILE, TRUE, &key_data, &key_len, &missing, NULL))
    {
      if (!missing)
        *why = "server.key cannot be read or is not mode 0600";
      goto out;
    }
  if (!fd_pki_file_read (pki, SERVER_CRT_FILE, FALSE, &crt_data, &crt_len, &missing, NULL))
    {
      if (!missing)
        *why = "server.crt cannot be read";
      goto out;
    }

  *why = "server.crt is not a valid certificate";
  der = fd_pki_pem_decode_one ((const char *)crt_data, crt_len, &fd_pki_pem_certificate, NULL);
  if (der == NULL || gnutls_x509_crt_init (&crt) < 0)
    goto out;
  d.data = (unsigned char *)g_bytes_get_data (der, NULL);
  d.size = (unsigned int)g_bytes_get_size (der);
  if (gnutls_x509_crt_import (crt, &d, GNUTLS_X509_FMT_DER) < 0)
    goto out;

  *why = "server.key is not a valid private key, or does not match server.crt";
  d.data = key_data;
  d.size = (unsigned int)key_len;
  if (gnutls_privkey_init (&key) < 0
      || gnutls_privkey_import_x509_raw (key, &d, GNUTLS_X509_FMT_PEM, NULL, 0) < 0
      || gnutls_pubkey_init (&pubkey) < 0 || gnutls_pubkey_import_privkey (pubkey, key, 0, 0) < 0)
    goto out;
  crt_spki = fd_pki_crt_spki (crt, NULL);
  {
    gnutls_datum_t out = { NULL, 0 };
    if (gnutls_pubkey_export2 (pubkey, GNUTLS_X509_FMT_DER, &out) < 0)
      goto out;
    key_spki = g_bytes_new (out.data, out.size);
    gnutls_free (out.data);
  }
  if (crt_spki == NULL || !g_bytes_equal (crt_spki, key_spki))
    goto out;

  *why = "server.crt was not issued by this CA";
  if (!fd_pki_issued_by_ca (pki, crt, der))
    goto out;
  *why = "server.crt expires within " G_STRINGIFY (FD_PKI_SERVER_RENEW_DAYS) " days";
  not_after = gnutls_x509_crt_get_expiration_time (crt);
  if (not_after == (time_t)-1 || expires_soon ((gint64)not_after))
    goto out;
  *why = "server.crt is not valid yet (has the clock gone back?)";
  if ((gint64)gnutls_x509_crt_get_activation_time (crt) > fd_now_ms () / 1000 + 86400)
    goto out;
  *why = "server.crt does not carry exactly the server's names";
  if (!alt_names_match (crt, pki->server_names))
    goto out;

  *why = "GIO cannot use server.crt";
  {
    g_autofree char *pem = g_strndup ((const char *)crt_data, crt_len);
    cert = make_tls_certificate (pki, pem, key_data, key_len, NULL);
  }
  if (cert == NULL)
    goto out;
  set_current (pki, cert, (gint64)not_after * 1000);
  ok = TRUE;

out:
  g_clear_pointer (&crt, gnutls_x509_crt_deinit);
  g_clear_pointer (&pubkey, gnutls_pubkey_deinit);
  g_clear_pointer (&key, gnutls_privkey_deinit);
  fd_pki_wipe_free (key_data, key_len);
  g_free (crt_data);
  return ok;
}

gboolean
fd_pki_server_load_or_issue (FdPki *pki, GError **error)
{
  const char *why = NULL;
  gboolean ok;

  g_mutex_lock (&pki->renew_lock);
  ok = server_load (pki, &why);
  if (!ok)
    {
      /* Missing is the first start: nothing worth a message. */
      if (g_str_has_suffix (why, "is missing"))
        g_debug ("issuing the server certificate in %s", pki->dir);
      else
        g_message ("issuing a new server certificate in %s: %s", pki->dir, why);
      ok = server_issue (pki, error);
    }
  g_mutex_unlock (&pki->renew_lock);
  return ok;
}

gboolean
fd_pki_renew_if_needed (FdPki *pki, gboolean *renewed, GError **error)
{
  gboolean ok = TRUE;
  gint64 not_after_ms;

  g_return_val_if_fail (pki != NULL, FALSE);

  if (renewed != NULL)
    *renewed = FALSE;
  g_mutex_lock (&pki->renew_lock);
  g_mutex_lock (&pki->server_lock);
  not_after_ms = pki->server_not_after;
  g_mutex_unlock (&pki->server_lock);
  if (expires_soon (not_after_ms / 1000))
    {
      ok = server_issue (pki, error);
      if (ok && renewed != NULL)
        *renewed = TRUE;
    }
  g_mutex_unlock (&pki->renew_lock);
  return ok;
}

GTlsCertificate *
fd_pki_dup_server_certificate (FdPki *pki)
{
  GTlsCertificate *cert;

  g_return_val_if_fail (pki != NULL, NULL);

  g_mutex_lock (&pki->server_lock);
  cert = g_object_ref (pki->server_cert);
  g_mutex_unlock (&pki->server_lock);
  return cert;
}

gint64
fd_pki_get_server_not_after (FdPki *pki)
{
  gint64 not_after;

  g_return_val_if_fail (pki != NULL, 0);

  g_mutex_lock (&pki->server_lock);
  not_after = pki->server_not_after;
  g_mutex_unlock (&pki->server_lock);
  return not_after;
}
