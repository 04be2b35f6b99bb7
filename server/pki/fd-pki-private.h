/* fd-pki-private.h — what the files of the local CA share: the FdPki state, the atomic file
 * helpers, strict PEM decoding and the certificate builder. Not for use outside server/pki/. */
#pragma once

#include "fd-pki.h"

#include <gnutls/abstract.h>
#include <gnutls/gnutls.h>
#include <gnutls/x509.h>

G_BEGIN_DECLS

struct _FdPki
{
  char *dir;
  int dir_fd; /* DIR, opened O_DIRECTORY|O_NOFOLLOW: every file is reached through it */

  /* The CA. Set once by fd_pki_open(), read-only afterwards except through ca_lock. */
  GMutex ca_lock; /* GnuTLS objects are not documented thread-safe: one signer at a time */
  gnutls_x509_crt_t ca_crt;
  gnutls_privkey_t ca_key;
  GBytes *ca_der;
  GBytes *ca_spki;        /* the CA's SubjectPublicKeyInfo, DER: checked against without the lock */
  GBytes *ca_subject_raw; /* the CA's subject DN, DER, as an issuer must name it */
  guint8 ca_key_id[64];
  gsize ca_key_id_len;
  char *ca_pem;
  char *ca_fingerprint;

  /* The server certificate. */
  char **server_names; /* what it must carry (fd_pki_server_names) */
  GMutex renew_lock;   /* one reissue at a time: key and certificate files stay a pair */
  GMutex server_lock;  /* guards the two fields below */
  GTlsCertificate *server_cert;
  gint64 server_not_after; /* epoch ms */
};

/* Time the certificates start before "now", so that a device whose clock runs a little behind
 * accepts a certificate issued this minute. */
#define FD_PKI_CLOCK_SLACK_S (5 * 60)
/* Our own files are small; anything bigger is not one of them. */
#define FD_PKI_MAX_FILE_BYTES (64 * 1024)
/* X.520 ub-common-name. */
#define FD_PKI_MAX_CN_BYTES 64

/* fd-pki.c */
/* Sets a GError of FD_PKI_ERROR_FAILED from a GnuTLS return code; returns FALSE. */
gboolean fd_pki_gnutls_fail (int ret, GError **error, const char *what);

/* fd-pki-files.c */
int fd_pki_dir_open (const char *dir, GError **error);
/* Reads DIR/@name into a buffer the caller wipes (fd_pki_wipe_free). Returns FALSE with
 * *@missing = TRUE and no error when the file does not exist. */
gboolean fd_pki_file_read (FdPki *pki, const char *name, gboolean secret, guint8 **data, gsize *len,
                           gboolean *missing, GError **error);
/* Writes DIR/@name atomically (temporary file created O_EXCL with @mode, fsync, rename, fsync
 * of DIR). */
gboolean fd_pki_file_write (FdPki *pki, const char *name, const void *data, gsize len, int mode,
                            GError **error);
void fd_pki_wipe_free (void *data, gsize len);
void fd_pki_datum_wipe (gnutls_datum_t *datum);

/* fd-pki-parse.c */
/* What a PEM text is expected to hold, for fd_pki_pem_decode_one and its messages. */
typedef struct
{
  const char *what;   /* "the CSR": the subject of "… is not valid PEM" */
  const char *noun;   /* "a certificate request": "… was expected" */
  const char *label;  /* "CERTIFICATE REQUEST" */
  const char *label2; /* another accepted label ("NEW CERTIFICATE REQUEST"), or NULL */
} FdPemKind;

extern const FdPemKind fd_pki_pem_certificate;
extern const FdPemKind fd_pki_pem_request;

/* Decodes @text as exactly one PEM block of @kind and nothing else but whitespace, strictly
 * (no headers, no stray characters). Refuses a private key without echoing any of it. */
GBytes *fd_pki_pem_decode_one (const char *text, gsize len, const FdPemKind *kind, GError **error);
/* TRUE when @crt (whose DER is @der) carries a valid signature by the key @spki (DER
 * SubjectPublicKeyInfo). @allow_sha1 accepts SHA-1 signatures (for self-signed facts only). */
gboolean fd_pki_signed_by (gnutls_x509_crt_t crt, GBytes *der, GBytes *spki, gboolean allow_sha1);
/* TRUE when @crt names the CA as issuer and carries a valid signature of the CA key. */
gboolean fd_pki_issued_by_ca (FdPki *pki, gnutls_x509_crt_t crt, GBytes *der);
FdCertInfo *fd_pki_cert_info_new (FdPki *pki, gnutls_x509_crt_t crt, GBytes *der, GError **error);
char *fd_pki_fingerprint_bytes (GBytes *der);
/* The SubjectPublicKeyInfo of @crt as DER. */
GBytes *fd_pki_crt_spki (gnutls_x509_crt_t crt, GError **error);

/* fd-pki-issue.c */
typedef enum
{
  FD_PKI_PROFILE_CA,
  FD_PKI_PROFILE_SERVER,
  FD_PKI_PROFILE_CLIENT,
} FdPkiProfile;

/* A new certificate for @pubkey: a random positive 16-byte serial, CN = @common_name, valid
 * from now minus the clock slack to @not_after_s, the extensions of @profile, and for SERVER
 * the subjectAltNames @names. Self-signed by @self_key for CA, else signed by the CA. */
gnutls_x509_crt_t fd_pki_build_certificate (FdPki *pki, FdPkiProfile profile,
                                            gnutls_pubkey_t pubkey, gnutls_privkey_t self_key,
                                            const char *common_name, const char *const *names,
                                            gint64 not_after_s, GError **error);
/* A new ECDSA P-256 key. */
gboolean fd_pki_generate_key (gnutls_privkey_t *key, gnutls_pubkey_t *pubkey, GError **error);
/* @key as unencrypted PKCS#8 PEM in memory the caller wipes (fd_pki_datum_wipe). */
gboolean fd_pki_export_key (gnutls_privkey_t key, gnutls_datum_t *pem, GError **error);
/* DER and PEM of @crt. */
GBytes *fd_pki_crt_der (gnutls_x509_crt_t crt, GError **error);
char *fd_pki_crt_pem (gnutls_x509_crt_t crt, GError **error);

/* fd-pki-server.c */
gboolean fd_pki_server_load_or_issue (FdPki *pki, GError **error);
/* Normalises a name for a subjectAltName: an IP address in its canonical text form, a DNS name
 * lowercased. NULL when @name is neither. */
char *fd_pki_normalize_name (const char *name, gboolean *is_ip);

G_END_DECLS
