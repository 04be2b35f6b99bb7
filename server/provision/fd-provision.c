/* fd-provision.c — making device credentials. */
#include "fd-provision.h"

#include "fd-util.h"

#include <string.h>

G_DEFINE_QUARK (fd - provision - error - quark, fd_provision_error)

static void
wipe (char *s)
{
  if (s != NULL)
    explicit_bzero (s, strlen (s));
  g_free (s);
}

void
fd_new_credential_free (FdNewCredential *c)
{
  if (c == NULL)
    return;
  g_free (c->tmpl.device_id);
  g_free (c->tmpl.fingerprint);
  g_free (c->tmpl.certificate);
  g_free (c->tmpl.subject);
  g_free (c->tmpl.issuer);
  g_free (c->tmpl.mode);
  g_clear_pointer (&c->secret, g_bytes_unref);
  g_free (c->secret_hash);
  wipe (c->private_key);
  wipe (c->shown_secret);
  g_free (c);
}

static void
take_cert (FdNewCredential *c, FdCertInfo *info)
{
  c->tmpl.fingerprint = g_strdup (info->fingerprint);
  c->tmpl.certificate = g_strdup (info->pem);
  c->tmpl.subject = g_strdup (info->subject);
  c->tmpl.issuer = g_strdup (info->issuer);
  c->tmpl.expires_at = info->not_after;
}

static void
pki_failed (GError *local_error, GError **error)
{
  gboolean invalid = local_error->domain == FD_PKI_ERROR
                     && (local_error->code == FD_PKI_ERROR_INVALID
                         || local_error->code == FD_PKI_ERROR_UNSUPPORTED);
  g_set_error_literal (error, FD_PROVISION_ERROR,
                       invalid ? FD_PROVISION_ERROR_INVALID : FD_PROVISION_ERROR_FAILED,
                       local_error->message);
  g_error_free (local_error);
}

FdNewCredential *
fd_provision_make (FdPki *pki, const char *device_id, FdCredentialKind kind, const char *pem,
                   const char *mode, gint64 expires, GError **error)
{
  g_autoptr (FdNewCredential) c = g_new0 (FdNewCredential, 1);
  g_autoptr (FdCertInfo) info = NULL;
  GError *local_error = NULL;

  c->tmpl.device_id = g_strdup (device_id);
  c->tmpl.kind = kind;

  switch (kind)
    {
    case FD_CREDENTIAL_GENERATED:
      info = fd_pki_issue_device (pki, device_id, expires, &c->private_key, &local_error);
      break;
    case FD_CREDENTIAL_CSR:
      info = fd_pki_sign_csr (pki, pem, strlen (pem), device_id, expires, &local_error);
      break;
    case FD_CREDENTIAL_CERTIFICATE:
      info = fd_pki_parse_certificate (pki, pem, strlen (pem), &local_error);
      if (info != NULL && info->not_after <= fd_now_ms ())
        {
          g_autofree char *when = fd_time_format_ms (info->not_after);
          g_set_error (error, FD_PROVISION_ERROR, FD_PROVISION_ERROR_INVALID,
                       "the certificate expired on %s", when);
          return NULL;
        }
      break;
    case FD_CREDENTIAL_KEY:
      {
        guint8 raw[FD_DEVICE_KEY_BYTES];

        c->tmpl.mode = g_strdup (mode ? mode : "device_token");
        c->tmpl.expires_at = expires;
        if (g_str_equal (c->tmpl.mode, "cloud_token"))
          {
            /* An opaque token that is its own password: only its hash is kept. */
            g_autofree char *body = fd_token_new_secret ();
            c->shown_secret = g_strconcat ("fdc_", body + strlen ("fdt_"), NULL);
            c->secret_hash = fd_token_hash (c->shown_secret);
            explicit_bzero (body, strlen (body));
          }
        else
          {
            fd_random_bytes (raw, sizeof raw);
            c->secret = fd_secret_bytes_new (raw, sizeof raw);
            c->shown_secret = g_base64_encode (raw, sizeof raw);
            explicit_bzero (raw, sizeof raw);
          }
        return g_steal_pointer (&c);
      }
    default:
      g_return_val_if_reached (NULL);
    }
  if (info == NULL)
    {
      pki_failed (local_error, error);
      return NULL;
    }
  take_cert (c, info);
  return g_steal_pointer (&c);
}
