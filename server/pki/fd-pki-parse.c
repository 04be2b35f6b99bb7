/* fd-pki-parse.c — reading what people paste and devices present: strict PEM, the facts of a
 * certificate, and signature checks done on the certificate's own bytes.
 *
 * PEM is decoded here rather than by GnuTLS because GnuTLS takes the first block it finds and
 * ignores the rest: a pasted certificate followed by its private key, or two CSRs, must be
 * refused with a message saying which, and a private key must never be echoed back. */
#include "fd-pki-private.h"

#include <string.h>

const FdPemKind fd_pki_pem_certificate = {
  "the certificate",
  "a certificate",
  "CERTIFICATE",
  NULL,
};

const FdPemKind fd_pki_pem_request = {
  "the CSR",
  "a certificate request",
  "CERTIFICATE REQUEST",
  "NEW CERTIFICATE REQUEST",
};

#define BEGIN_MARK "-----BEGIN "
#define END_MARK "-----END "
#define DASHES "-----"
/* Labels longer than this, or with other characters than A-Z, 0-9 and spaces, are not echoed. */
#define MAX_ECHO_LABEL 40

static gboolean invalid (GError **error, const char *format, ...) G_GNUC_PRINTF (2, 3);

static gboolean
invalid (GError **error, const char *format, ...)
{
  g_autofree char *message = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);
  g_set_error_literal (error, FD_PKI_ERROR, FD_PKI_ERROR_INVALID, message);
  return FALSE;
}

static gboolean
has_prefix_len (const char *s, gsize n, const char *prefix)
{
  gsize pn = strlen (prefix);
  return n >= pn && memcmp (s, prefix, pn) == 0;
}

static gboolean
has_suffix_len (const char *s, gsize n, const char *suffix)
{
  gsize sn = strlen (suffix);
  return n >= sn && memcmp (s + n - sn, suffix, sn) == 0;
}

static gboolean
label_is (const char *label, gsize n, const char *want)
{
  return want != NULL && strlen (want) == n && memcmp (label, want, n) == 0;
}

/* The label as it may be quoted back: only when it is short and made of label characters. */
static char *
label_for_message (const char *label, gsize n)
{
  if (n == 0 || n > MAX_ECHO_LABEL)
    return g_strdup ("an unrecognised");
  for (gsize i = 0; i < n; i++)
    if (!g_ascii_isupper (label[i]) && !g_ascii_isdigit (label[i]) && label[i] != ' ')
      return g_strdup ("an unrecognised");
  return g_strdup_printf ("%s %.*s", strchr ("AEIOU", label[0]) != NULL ? "an" : "a", (int)n,
                          label);
}

static gboolean
is_base64_char (char c)
{
  return g_ascii_isalnum (c) || c == '+' || c == '/' || c == '=';
}

/* TRUE when @b64 is whole base64: length a multiple of 4 and '=' only as final padding. */
static gboolean
base64_is_whole (const GString *b64)
{
  gsize n = b64->len, pad = 0;

  if (n == 0 || n % 4 != 0)
    return FALSE;
  while (pad < 2 && b64->str[n - 1 - pad] == '=')
    pad++;
  for (gsize i = 0; i < n - pad; i++)
    if (b64->str[i] == '=')
      return FALSE;
  return TRUE;
}

GBytes *
fd_pki_pem_decode_one (const char *text, gsize len, const FdPemKind *kind, GError **error)
{
  const char *p = text, *end = text + len;
  g_autoptr (GString) b64 = g_string_new (NULL);
  const char *label = NULL; /* of the block being read */
  gsize label_len = 0;
  g_autofree char *first_label = NULL;
  gboolean first_ok = FALSE, inside = FALSE;
  guint line = 0, n_blocks = 0, bad_line = 0, begin_line = 0;
  guchar *der;
  gsize der_len;

  if (len > FD_PKI_MAX_PEM_BYTES)
    {
      invalid (error, "%s is too large (%" G_GSIZE_FORMAT " bytes; at most %d are accepted)",
               kind->what, len, FD_PKI_MAX_PEM_BYTES);
      return NULL;
    }
  /* Checked first and on the whole text, so that no later message can quote any of a key. */
  if (g_strstr_len (text, len, "PRIVATE KEY") != NULL)
    {
      invalid (error,
               "%s was expected, but the text contains a private key (it was not kept): "
               "paste only the -----BEGIN %s----- block, and keep the private key secret",
               kind->noun, kind->label);
      return NULL;
    }

  while (p < end)
    {
      const char *nl = memchr (p, '\n', (gsize)(end - p));
      const char *s = p, *e = nl != NULL ? nl : end;
      gsize n;

      p = nl != NULL ? nl + 1 : end;
      line++;
      while (s < e && (*s == ' ' || *s == '\t' || *s == '\r'))
        s++;
      while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r'))
        e--;
      n = (gsize)(e - s);

      /* Text around a block is allowed (RFC 7468 explanatory text: what certtool and
       * openssl print before it); inside a block only base64 is. */
      for (gsize i = 0; inside && i < n; i++)
        if (((guchar)s[i] < 0x20 && s[i] != '\t') || (guchar)s[i] >= 0x7f)
          {
            invalid (error,
                     "%s is not valid PEM: line %u holds bytes that are not text; paste the "
                     "text form (-----BEGIN %s-----)",
                     kind->what, line, kind->label);
            return NULL;
          }

      if (!inside)
        {
          if (n == 0)
            continue;
          if (has_prefix_len (s, n, BEGIN_MARK) && has_suffix_len (s, n, DASHES)
              && n >= strlen (BEGIN_MARK) + strlen (DASHES))
            {
              label = s + strlen (BEGIN_MARK);
              label_len = n - strlen (BEGIN_MARK) - strlen (DASHES);
              inside = TRUE;
              begin_line = line;
              if (++n_blocks == 1)
                {
                  first_label = label_for_message (label, label_len);
                  first_ok = label_is (label, label_len, kind->label)
                             || label_is (label, label_len, kind->label2);
                }
              continue;
            }
          continue;
        }

      if (has_prefix_len (s, n, END_MARK))
        {
          const char *end_label = s + strlen (END_MARK);
          gsize end_len = n - strlen (END_MARK);

          if (!has_suffix_len (end_label, end_len, DASHES) || end_len - strlen (DASHES) != label_len
              || memcmp (end_label, label, label_len) != 0)
            {
              invalid (error,
                       "%s is not valid PEM: the END line at line %u does not match its "
                       "BEGIN line",
                       kind->what, line);
              return NULL;
            }
          inside = FALSE;
          continue;
        }
      if (has_prefix_len (s, n, BEGIN_MARK))
        {
          invalid (error,
                   "%s is not valid PEM: a block starts at line %u before the previous "
                   "one has its END line",
                   kind->what, line);
          return NULL;
        }
      if (n_blocks != 1)
        continue;
      for (gsize i = 0; i < n; i++)
        if (!is_base64_char (s[i]) && bad_line == 0)
          bad_line = line;
      g_string_append_len (b64, s, (gssize)n);
    }

  if (inside)
    {
      invalid (error, "%s is not valid PEM: the block that begins at line %u has no END line",
               kind->what, begin_line);
      return NULL;
    }
  if (n_blocks == 0)
    {
      invalid (error, "%s is not valid PEM: no -----BEGIN %s----- line found", kind->what,
               kind->label);
      return NULL;
    }
  if (n_blocks > 1)
    {
      invalid (error, "expected one %s block, found %u", kind->label, n_blocks);
      return NULL;
    }
  if (!first_ok)
    {
      invalid (error, "expected a %s block, found %s block", kind->label, first_label);
      return NULL;
    }
  if (bad_line != 0)
    {
      invalid (error, "%s is not valid PEM: invalid base64 at line %u", kind->what, bad_line);
      return NULL;
    }
  if (!base64_is_whole (b64))
    {
      invalid (error, "%s is not valid PEM: its base64 text is cut short or wrongly padded",
               kind->what);
      return NULL;
    }
  der = g_base64_decode (b64->str, &der_len);
  if (der_len == 0)
    {
      g_free (der);
      invalid (error, "%s is not valid PEM: the %s block is empty", kind->what, kind->label);
      return NULL;
    }
  return g_bytes_new_take (der, der_len);
}

/* Reads a DER SEQUENCE header at @p: its header length and its content length. */
static gboolean
der_sequence (const guint8 *p, gsize len, gsize *header, gsize *content)
{
  gsize n, value = 0;

  if (len < 2 || p[0] != 0x30)
    return FALSE;
  if (p[1] < 0x80)
    {
      *header = 2;
      *content = p[1];
    }
  else
    {
      n = p[1] & 0x7f;
      if (n == 0 || n > 4 || len < 2 + n)
        return FALSE;
      for (gsize i = 0; i < n; i++)
        value = (value << 8) | p[2 + i];
      *header = 2 + n;
      *content = value;
    }
  return *content <= len - *header;
}

/* The tbsCertificate of a DER Certificate: the bytes its signature covers. */
static gboolean
der_tbs (const guint8 *der, gsize len, gnutls_datum_t *tbs)
{
  gsize outer_hdr, outer_len, inner_hdr, inner_len;

  if (!der_sequence (der, len, &outer_hdr, &outer_len))
    return FALSE;
  if (!der_sequence (der + outer_hdr, outer_len, &inner_hdr, &inner_len))
    return FALSE;
  tbs->data = (unsigned char *)der + outer_hdr;
  tbs->size = (unsigned int)(inner_hdr + inner_len);
  return TRUE;
}

gboolean
fd_pki_signed_by (gnutls_x509_crt_t crt, GBytes *der, GBytes *spki, gboolean allow_sha1)
{
  gnutls_pubkey_t pubkey = NULL;
  gnutls_datum_t key_der, tbs, sig;
  guint8 sig_buf[2048];
  size_t sig_len = sizeof sig_buf;
  int algo, ret;
  gsize der_len;
  const guint8 *der_data = g_bytes_get_data (der, &der_len);

  algo = gnutls_x509_crt_get_signature_algorithm (crt);
  if (algo <= 0 || !der_tbs (der_data, der_len, &tbs))
    return FALSE;
  if (gnutls_x509_crt_get_signature (crt, (char *)sig_buf, &sig_len) < 0)
    return FALSE;
  sig.data = sig_buf;
  sig.size = (unsigned int)sig_len;

  key_der.data = (unsigned char *)g_bytes_get_data (spki, NULL);
  key_der.size = (unsigned int)g_bytes_get_size (spki);
  if (gnutls_pubkey_init (&pubkey) < 0)
    return FALSE;
  ret = gnutls_pubkey_import (pubkey, &key_der, GNUTLS_X509_FMT_DER);
  if (ret >= 0)
    ret = gnutls_pubkey_verify_data2 (pubkey, (gnutls_sign_algorithm_t)algo,
                                      allow_sha1 ? GNUTLS_VERIFY_ALLOW_SIGN_WITH_SHA1 : 0, &tbs,
                                      &sig);
  gnutls_pubkey_deinit (pubkey);
  return ret >= 0;
}

gboolean
fd_pki_issued_by_ca (FdPki *pki, gnutls_x509_crt_t crt, GBytes *der)
{
  gnutls_datum_t issuer = { NULL, 0 };
  gboolean same;

  if (gnutls_x509_crt_get_raw_issuer_dn (crt, &issuer) < 0)
    return FALSE;
  same = issuer.size == g_bytes_get_size (pki->ca_subject_raw)
         && memcmp (issuer.data, g_bytes_get_data (pki->ca_subject_raw, NULL), issuer.size) == 0;
  gnutls_free (issuer.data);
  return same && fd_pki_signed_by (crt, der, pki->ca_spki, FALSE);
}

GBytes *
fd_pki_crt_spki (gnutls_x509_crt_t crt, GError **error)
{
  gnutls_pubkey_t pubkey = NULL;
  gnutls_datum_t out = { NULL, 0 };
  GBytes *spki;
  int ret;

  ret = gnutls_pubkey_init (&pubkey);
  if (ret >= 0)
    ret = gnutls_pubkey_import_x509 (pubkey, crt, 0);
  if (ret >= 0)
    ret = gnutls_pubkey_export2 (pubkey, GNUTLS_X509_FMT_DER, &out);
  if (pubkey != NULL)
    gnutls_pubkey_deinit (pubkey);
  if (ret < 0)
    {
      fd_pki_gnutls_fail (ret, error, "cannot read the certificate's public key");
      return NULL;
    }
  spki = g_bytes_new (out.data, out.size);
  gnutls_free (out.data);
  return spki;
}

char *
fd_pki_fingerprint_der (const guint8 *der, gsize len)
{
  return g_compute_checksum_for_data (G_CHECKSUM_SHA256, der, len);
}

char *
fd_pki_fingerprint_bytes (GBytes *der)
{
  gsize len;
  const guint8 *data = g_bytes_get_data (der, &len);
  return fd_pki_fingerprint_der (data, len);
}

static char *
take_datum (gnutls_datum_t *d)
{
  char *s = g_strndup ((const char *)d->data, d->size);
  gnutls_free (d->data);
  d->data = NULL;
  return s;
}

static char *
common_name (gnutls_x509_crt_t crt)
{
  char buf[1024];
  size_t size = sizeof buf - 1;

  if (gnutls_x509_crt_get_dn_by_oid (crt, GNUTLS_OID_X520_COMMON_NAME, 0, 0, buf, &size) < 0)
    return NULL;
  buf[MIN (size, sizeof buf - 1)] = '\0';
  return g_strdup (buf);
}

/* A certificate whose notAfter is 99991231235959Z ("no well-defined expiration", RFC 5280) is
 * reported by GnuTLS as -1. */
#define NO_EXPIRY_MS G_GINT64_CONSTANT (253402300799000)

FdCertInfo *
fd_pki_cert_info_new (FdPki *pki, gnutls_x509_crt_t crt, GBytes *der, GError **error)
{
  g_autoptr (FdCertInfo) info = g_new0 (FdCertInfo, 1);
  gnutls_datum_t d = { NULL, 0 };
  time_t t;
  int ret;

  ret = gnutls_x509_crt_export2 (crt, GNUTLS_X509_FMT_PEM, &d);
  if (ret < 0)
    {
      fd_pki_gnutls_fail (ret, error, "cannot encode the certificate");
      return NULL;
    }
  info->pem = take_datum (&d);
  info->fingerprint = fd_pki_fingerprint_bytes (der);

  if (gnutls_x509_crt_get_dn3 (crt, &d, 0) >= 0)
    info->subject = take_datum (&d);
  else
    info->subject = g_strdup ("");
  if (gnutls_x509_crt_get_issuer_dn3 (crt, &d, 0) >= 0)
    info->issuer = take_datum (&d);
  else
    info->issuer = g_strdup ("");
  info->common_name = common_name (crt);

  t = gnutls_x509_crt_get_activation_time (crt);
  if (t == (time_t)-1)
    {
      invalid (error, "the certificate has no readable validity dates");
      return NULL;
    }
  info->not_before = (gint64)t * 1000;
  t = gnutls_x509_crt_get_expiration_time (crt);
  info->not_after = t == (time_t)-1 ? NO_EXPIRY_MS : (gint64)t * 1000;

  if (gnutls_x509_crt_check_issuer (crt, crt))
    {
      g_autoptr (GBytes) own = fd_pki_crt_spki (crt, NULL);
      info->self_signed = own != NULL && fd_pki_signed_by (crt, der, own, TRUE);
    }
  info->issued_by_ca = pki != NULL && fd_pki_issued_by_ca (pki, crt, der);
  return g_steal_pointer (&info);
}

void
fd_cert_info_free (FdCertInfo *info)
{
  if (info == NULL)
    return;
  g_free (info->pem);
  g_free (info->fingerprint);
  g_free (info->subject);
  g_free (info->common_name);
  g_free (info->issuer);
  g_free (info);
}

FdCertInfo *
fd_pki_parse_der (FdPki *pki, const guint8 *der, gsize len, GError **error)
{
  gnutls_x509_crt_t crt = NULL;
  g_autoptr (GBytes) bytes = NULL;
  gnutls_datum_t d;
  gsize header, content;
  FdCertInfo *info;
  int ret;

  if (der == NULL || len == 0 || len > FD_PKI_MAX_PEM_BYTES)
    {
      invalid (error, "the certificate must be 1 to %d bytes of DER", FD_PKI_MAX_PEM_BYTES);
      return NULL;
    }
  /* GnuTLS would ignore bytes after the certificate; they would then change its fingerprint
   * without changing the certificate. */
  if (!der_sequence (der, len, &header, &content) || header + content != len)
    {
      invalid (error, "the certificate is not valid DER: its length does not match its data");
      return NULL;
    }

  ret = gnutls_x509_crt_init (&crt);
  if (ret < 0)
    {
      fd_pki_gnutls_fail (ret, error, "cannot parse a certificate");
      return NULL;
    }
  d.data = (unsigned char *)der;
  d.size = (unsigned int)len;
  ret = gnutls_x509_crt_import (crt, &d, GNUTLS_X509_FMT_DER);
  if (ret < 0)
    {
      gnutls_x509_crt_deinit (crt);
      invalid (error, "the certificate is not a valid X.509 certificate: %s",
               gnutls_strerror (ret));
      return NULL;
    }
  bytes = g_bytes_new (der, len);
  info = fd_pki_cert_info_new (pki, crt, bytes, error);
  gnutls_x509_crt_deinit (crt);
  return info;
}

FdCertInfo *
fd_pki_parse_certificate (FdPki *pki, const char *pem, gsize len, GError **error)
{
  g_autoptr (GBytes) der = NULL;

  g_return_val_if_fail (pem != NULL || len == 0, NULL);

  der = fd_pki_pem_decode_one (pem, len, &fd_pki_pem_certificate, error);
  if (der == NULL)
    return NULL;
  return fd_pki_parse_der (pki, g_bytes_get_data (der, NULL), g_bytes_get_size (der), error);
}
