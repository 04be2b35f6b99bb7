/* fd-test-payload-util.h — what the payload tests (test-payload*.c) share: the fields of a scan
 * as one string, and the check that an error message is fit for a person.
 *
 * Header-only (static inline), like fd-test-api-util.h, so that each test program stays one
 * source file in the table of tests/meson.build.
 */
#pragma once

#include <string.h>

#include "ingest/fd-payload.h"

G_BEGIN_DECLS

static inline char *
fd_t_format_number (double v)
{
  char buf[G_ASCII_DTOSTR_BUF_SIZE];

  g_ascii_formatd (buf, sizeof buf, "%.15g", v);
  if (g_ascii_strtod (buf, NULL) != v)
    g_ascii_formatd (buf, sizeof buf, "%.17g", v);
  return g_strdup (buf);
}

/* The fields of the last scan as "path:type" or "path=number", separated by spaces. */
static inline char *
fd_t_fields (FdPayloadScanner *s)
{
  GString *out = g_string_new (NULL);

  for (guint i = 0; i < fd_payload_n_fields (s); i++)
    {
      const FdPayloadField *f = fd_payload_field (s, i);
      g_assert_cmpuint (strlen (f->path), ==, f->path_len);
      if (i > 0)
        g_string_append_c (out, ' ');
      g_string_append_len (out, f->path, f->path_len);
      if (f->type == FD_FIELD_NUMBER)
        {
          g_autofree char *n = fd_t_format_number (f->number);
          g_string_append_printf (out, "=%s", n);
        }
      else
        g_string_append_printf (out, ":%s", fd_field_type_name (f->type));
    }
  return g_string_free (out, FALSE);
}

/* A message is for people: printable on one line, short, and it says where when it says
 * "byte". */
static inline void
fd_t_assert_message_readable (const char *message, gsize len)
{
  const char *at;

  g_assert_true (g_utf8_validate (message, -1, NULL));
  for (const char *p = message; *p; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);
      GUnicodeType type = g_unichar_type (c);
      g_assert_true (c == ' '
                     || (g_unichar_isgraph (c) && type != G_UNICODE_LINE_SEPARATOR
                         && type != G_UNICODE_PARAGRAPH_SEPARATOR
                         && type != G_UNICODE_PRIVATE_USE));
    }
  g_assert_cmpuint (g_utf8_strlen (message, -1), <=, 120);
  at = strstr (message, "at byte ");
  if (at != NULL)
    g_assert_cmpuint (g_ascii_strtoull (at + 8, NULL, 10), <=, len);
}

G_END_DECLS
