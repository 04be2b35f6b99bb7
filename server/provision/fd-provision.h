/* fd-provision.h — making a device credential: issuing or signing its certificate, reading
 * one it brings, or making a device key; and reading a bulk-provisioning CSV file.
 *
 * Nothing here touches the store: the caller stores the result in a write job. Making a
 * credential may take a millisecond of CPU (a key pair, a signature): bulk callers run it on a
 * worker thread. Secrets are wiped when the result is freed.
 */
#pragma once

#include <gio/gio.h>

#include "pki/fd-pki.h"
#include "store/fd-store-provision.h"

G_BEGIN_DECLS

#define FD_PROVISION_ERROR (fd_provision_error_quark ())
GQuark fd_provision_error_quark (void);

typedef enum
{
  FD_PROVISION_ERROR_INVALID, /* the certificate / CSR / option is not acceptable (says why) */
  FD_PROVISION_ERROR_FAILED,  /* the CA could not sign */
} FdProvisionError;

#define FD_DEVICE_KEY_BYTES 32

typedef struct
{
  FdCredential tmpl;  /* what to store: device_id, kind, certificate facts or mode, expires */
  GBytes *secret;     /* to store: the HMAC key of a device-token key */
  char *secret_hash;  /* to store: SHA-256 of a cloud token */
  char *private_key;  /* to show once: the generated key pair's private key (PEM) */
  char *shown_secret; /* to show once: base64 of the device key, or the cloud token */
} FdNewCredential;

void fd_new_credential_free (FdNewCredential *c);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (FdNewCredential, fd_new_credential_free)

/* Makes a credential of @kind for @device_id. @pem is the CSR (csr) or the certificate
 * (certificate), else NULL; @mode is "device_token" (default) or "cloud_token" for keys;
 * @expires (epoch ms, 0: default) is ignored for imported certificates, whose own notAfter
 * counts. An imported certificate that has expired is INVALID. */
FdNewCredential *fd_provision_make (FdPki *pki, const char *device_id, FdCredentialKind kind,
                                    const char *pem, const char *mode, gint64 expires,
                                    GError **error);

G_END_DECLS
