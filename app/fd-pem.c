/* fd-pem.c — what a PEM file a user picked holds.
 *
 * Only the label is read here: whether the certificate or CSR is acceptable (signature,
 * dates, already bound) is the server's judgement, which the API explains.
 */
#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "fd-pem.h"

#define FD_PEM_BEGIN "-----BEGIN "
#define FD_PEM_DASHES "-----"
/* Longer labels do not exist; a longer one means this is not PEM. */
#define FD_PEM_MAX_LABEL 64

G_DEFINE_QUARK (fd - pem - error - quark, fd_pem_error)

/* The label of the next "-----BEGIN LABEL-----" at or after @from, or NULL; @next is set to
 * just after it. */
static char *
fd_pem_next_label (const char *text, gsize len, gsize from, gsize *next)
{
  const gsize begin_len = strlen (FD_PEM_BEGIN);

  for (gsize i = from; i + begin_len < len; i++)
    {
      const char *label;
      const char *end;

      if (memcmp (text + i, FD_PEM_BEGIN, begin_len) != 0 || (i > 0 && text[i - 1] != '\n'))
        continue;
      label = text + i + begin_len;
      end = g_strstr_len (label, MIN (len - (label - text), FD_PEM_MAX_LABEL + 5), FD_PEM_DASHES);
      if (end == NULL || end == label || memchr (label, '\n', end - label) != NULL)
        continue;
      *next = end - text + strlen (FD_PEM_DASHES);
      return g_strndup (label, end - label);
    }
  return NULL;
}

gboolean
fd_pem_classify (const char *text, gsize len, FdPemKind *kind, GError **error)
{
  g_autofree char *label = NULL;
  g_autofree char *second = NULL;
  gsize next = 0;
  gsize after = 0;

  if (text == NULL || !g_utf8_validate (text, len, NULL) || memchr (text, '\0', len) != NULL)
    {
      g_set_error_literal (error, FD_PEM_ERROR, FD_PEM_ERROR_NOT_PEM,
                           _ ("This is not a text file. Choose the certificate or the CSR in "
                              "PEM format (a text file starting with “-----BEGIN”)."));
      return FALSE;
    }

  label = fd_pem_next_label (text, len, 0, &next);
  if (label == NULL)
    {
      g_set_error_literal (error, FD_PEM_ERROR, FD_PEM_ERROR_NOT_PEM,
                           _ ("This file holds no PEM block. Choose the certificate or the CSR in "
                              "PEM format (a text file starting with “-----BEGIN”)."));
      return FALSE;
    }

  if (g_str_has_suffix (label, "PRIVATE KEY"))
    {
      g_set_error_literal (error, FD_PEM_ERROR, FD_PEM_ERROR_PRIVATE_KEY,
                           _ ("This is a private key. It must stay on the device: choose the "
                              "device’s certificate or its certificate signing request instead."));
      return FALSE;
    }

  if (g_str_equal (label, "CERTIFICATE") || g_str_equal (label, "X509 CERTIFICATE")
      || g_str_equal (label, "TRUSTED CERTIFICATE"))
    *kind = FD_PEM_CERTIFICATE;
  else if (g_str_equal (label, "CERTIFICATE REQUEST")
           || g_str_equal (label, "NEW CERTIFICATE REQUEST"))
    *kind = FD_PEM_CSR;
  else
    {
      g_set_error (error, FD_PEM_ERROR, FD_PEM_ERROR_OTHER_LABEL,
                   _ ("This file holds a “%s”, not a certificate or a certificate signing "
                      "request."),
                   label);
      return FALSE;
    }

  /* The API takes one block: a chain would bind only its first certificate, silently. */
  second = fd_pem_next_label (text, len, next, &after);
  if (second != NULL)
    {
      g_set_error_literal (error, FD_PEM_ERROR, FD_PEM_ERROR_SEVERAL,
                           _ ("This file holds more than one PEM block (a certificate chain?). "
                              "Choose a file with only the device’s own certificate or CSR."));
      return FALSE;
    }
  return TRUE;
}

const char *
fd_pem_kind_describe (FdPemKind kind)
{
  return kind == FD_PEM_CSR ? _ ("Certificate signing request") : _ ("Certificate");
}
