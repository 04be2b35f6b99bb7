/* fd-pki.h — the local certificate authority (GnuTLS): the CA itself, the server's own TLS
 * certificate, device certificates (generated or signed from a CSR), and the facts of any
 * certificate a device brings (fingerprint, subject, validity).
 *
 * Everything lives in DATA/pki/ (mode 0700): ca.key and server.key are mode 0600 and never
 * leave that directory; no function here returns or logs a CA or server private key. Keys are
 * ECDSA P-256. All functions are safe to call from any thread once fd_pki_open() returned.
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define FD_PKI_ERROR (fd_pki_error_quark ())
GQuark fd_pki_error_quark (void);

typedef enum
{
  FD_PKI_ERROR_INVALID,     /* the PEM text is not what was asked for (message names why) */
  FD_PKI_ERROR_UNSUPPORTED, /* a well-formed input of a kind we do not take (e.g. an RSA-512 key) */
  FD_PKI_ERROR_FAILED,      /* file I/O or GnuTLS failed (disk full, unreadable file) */
} FdPkiError;

/* Bounds on inputs, checked before GnuTLS sees them. */
#define FD_PKI_MAX_PEM_BYTES (16 * 1024)
/* Lifetimes. */
#define FD_PKI_CA_DAYS (20 * 365)
#define FD_PKI_SERVER_DAYS 397
#define FD_PKI_SERVER_RENEW_DAYS 30   /* reissued when it would expire within this many days */
#define FD_PKI_DEVICE_DAYS (10 * 365) /* default lifetime of a device certificate */

typedef struct _FdPki FdPki;

/* Opens @dir (creating it with mode 0700): loads the CA from ca.key/ca.crt or makes a new one
 * (ECDSA P-256, CN "Fleetdesk local CA <random>"), then loads server.key/server.crt and reissues
 * the server certificate when it is missing, expires within FD_PKI_SERVER_RENEW_DAYS, or does
 * not cover every name of fd_pki_server_names (@public_names). Files are written atomically
 * (temporary file + rename), keys with mode 0600 from creation. */
FdPki *fd_pki_open (const char *dir, const char *const *public_names, GError **error);
void fd_pki_free (FdPki *pki);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (FdPki, fd_pki_free)

/* The names the server certificate carries as subjectAltName: "localhost", "127.0.0.1", "::1",
 * the host name (g_get_host_name), then @public_names (DNS names or IP addresses), without
 * duplicates. */
char **fd_pki_server_names (const char *const *public_names);

/* Reissues the server certificate if it expires within FD_PKI_SERVER_RENEW_DAYS (the engine
 * calls this daily). *@renewed tells whether it did. */
gboolean fd_pki_renew_if_needed (FdPki *pki, gboolean *renewed, GError **error);

/* The CA certificate, PEM (what devices put in zdevice.json "cacert"). */
const char *fd_pki_get_ca_pem (FdPki *pki);
/* SHA-256 fingerprint of the CA certificate, lowercase hex. */
const char *fd_pki_get_ca_fingerprint (FdPki *pki);
/* A new reference to the server's certificate with its private key and the CA in its chain,
 * for GTlsServerConnection. Changes when the certificate is renewed. */
GTlsCertificate *fd_pki_dup_server_certificate (FdPki *pki);
/* Expiry of the current server certificate, epoch ms. */
gint64 fd_pki_get_server_not_after (FdPki *pki);

/* What a certificate says about itself. */
typedef struct
{
  char *pem;         /* the certificate, re-encoded as one canonical PEM block */
  char *fingerprint; /* SHA-256 of the DER, 64 lowercase hex characters */
  char *subject;     /* the subject DN, RFC 4514 ("CN=dev-…,O=…") */
  char *common_name; /* the subject CN, or NULL */
  char *issuer;      /* the issuer DN */
  gint64 not_before; /* epoch ms */
  gint64 not_after;  /* epoch ms */
  gboolean self_signed;
  gboolean issued_by_ca; /* signed by this Fleetdesk CA (verified signature) */
} FdCertInfo;

void fd_cert_info_free (FdCertInfo *info);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (FdCertInfo, fd_cert_info_free)

/* Parses @pem (at most FD_PKI_MAX_PEM_BYTES, exactly one CERTIFICATE block; surrounding
 * whitespace allowed, anything else is INVALID with a message naming it). @pki may be NULL
 * (then issued_by_ca is FALSE). Does not judge validity dates: callers decide. */
FdCertInfo *fd_pki_parse_certificate (FdPki *pki, const char *pem, gsize len, GError **error);

/* Facts of a DER certificate (e.g. the peer certificate of a TLS connection). */
FdCertInfo *fd_pki_parse_der (FdPki *pki, const guint8 *der, gsize len, GError **error);

/* SHA-256 of @der as lowercase hex. */
char *fd_pki_fingerprint_der (const guint8 *der, gsize len);

/* A new ECDSA P-256 key pair and a certificate for it signed by the CA: subject CN =
 * @device_id, TLS client usage, valid from now (minus 5 minutes of clock slack) until
 * @not_after (epoch ms; 0 means FD_PKI_DEVICE_DAYS). Returns the private key (PKCS#8 PEM,
 * unencrypted) in @key_pem and the certificate's facts. */
FdCertInfo *fd_pki_issue_device (FdPki *pki, const char *device_id, gint64 not_after,
                                 char **key_pem, GError **error);

/* Signs the CSR in @csr_pem (at most FD_PKI_MAX_PEM_BYTES, one CERTIFICATE REQUEST block, its
 * self-signature verified; EC P-256/P-384 or RSA >= 2048 bits) with the CA: the public key is
 * the CSR's, the subject is CN = @device_id whatever the CSR asked, TLS client usage, validity
 * as for fd_pki_issue_device(). */
FdCertInfo *fd_pki_sign_csr (FdPki *pki, const char *csr_pem, gsize len, const char *device_id,
                             gint64 not_after, GError **error);

G_END_DECLS
