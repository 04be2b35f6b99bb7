/* fd-pem.h — what a PEM file a user picked holds: a certificate or a CSR, read within the
 * API's bound. */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* The API takes PEM text of at most 16 KiB (docs/rest-api.md, "Provisioning"). */
#define FD_PEM_MAX_BYTES (16 * 1024)

#define FD_PEM_ERROR (fd_pem_error_quark ())

typedef enum
{
  FD_PEM_ERROR_NOT_PEM,     /* no "-----BEGIN …-----" line, or not text */
  FD_PEM_ERROR_PRIVATE_KEY, /* a private key: it must stay on the device */
  FD_PEM_ERROR_OTHER_LABEL, /* PEM, but neither a certificate nor a CSR */
  FD_PEM_ERROR_SEVERAL,     /* more than one PEM block (a chain) */
} FdPemError;

GQuark fd_pem_error_quark (void);

typedef enum
{
  FD_PEM_CERTIFICATE,
  FD_PEM_CSR,
} FdPemKind;

/* Decides from the PEM label whether @text (@len bytes) is a certificate or a CSR. The error
 * says, in words for the user, what the file is instead. */
gboolean fd_pem_classify (const char *text, gsize len, FdPemKind *kind, GError **error);

/* "Certificate" or "Certificate signing request". */
const char *fd_pem_kind_describe (FdPemKind kind);

G_END_DECLS
