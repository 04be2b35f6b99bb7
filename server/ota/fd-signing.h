/* fd-signing.h — a workspace's firmware signing key (GnuTLS): ECDSA P-256 or Ed25519, the
 * private key as PKCS#8 PEM in a file of mode 0600 written atomically, the public key as
 * SubjectPublicKeyInfo PEM. The signature of a manifest (docs/protocol.md): ECDSA → the DER
 * (X9.62) signature of the SHA-256 of its bytes; Ed25519 → the 64-byte signature of its bytes;
 * base64 either way.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define FD_SIGNING_ERROR (fd_signing_error_quark ())

typedef enum
{
  FD_SIGNING_ERROR_ALGORITHM, /* not "ecdsa-p256" or "ed25519" */
  FD_SIGNING_ERROR_FAILED,    /* GnuTLS or the file system failed */
} FdSigningError;

GQuark fd_signing_error_quark (void);

#define FD_SIGNING_ECDSA_P256 "ecdsa-p256"
#define FD_SIGNING_ED25519 "ed25519"

gboolean fd_signing_algorithm_valid (const char *algorithm);

/* Makes a new key of @algorithm, writes its private half to @path (mode 0600, through a
 * temporary file, fsync'd, renamed over any older one) and returns the public key's PEM. */
char *fd_signing_generate (const char *algorithm, const char *path, GError **error);

/* The base64 signature of @len bytes of @data by the private key in @path. */
char *fd_signing_sign (const char *path, const char *algorithm, const void *data, gsize len,
                       GError **error);

/* TRUE when @signature_b64 is @public_pem's signature of @data (tests, tools). */
gboolean fd_signing_verify (const char *public_pem, const char *algorithm, const void *data,
                            gsize len, const char *signature_b64, GError **error);

G_END_DECLS
