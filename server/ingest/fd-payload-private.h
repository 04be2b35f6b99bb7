/* fd-payload-private.h — the JSON token scanners that fd-payload.c and fd-payload-batch.c share.
 *
 * All of them work on a span [start, end) of bytes that is not NUL-terminated; offsets in error
 * messages count bytes from @start, the first byte being byte 0.
 */
#pragma once

#include "ingest/fd-payload.h"

G_BEGIN_DECLS

/* 1 for the four bytes RFC 8259 counts as whitespace (space, tab, LF, CR), 0 for the rest. */
extern const guint8 fd_payload_ws[256];

/* 1 for the bytes that stand for themselves inside a string: ASCII from space on, but '"' and
 * '\\'. */
extern const guint8 fd_payload_plain[256];

const guchar *fd_payload_string_end_slow (const guchar *start, const guchar *open, const guchar *p,
                                          const guchar *end, gboolean *escaped, GError **error);

/* Scans the string whose opening quote is at @p - 1: checks UTF-8, escapes (\uXXXX surrogate
 * pairs included) and control characters. Returns the closing quote, or NULL with @error set.
 * *@escaped says whether the string has a backslash, that is whether its bytes differ from its
 * value. Inline for the common string, plain ASCII; the rest is fd_payload_string_end_slow(). */
static inline const guchar *
fd_payload_string_end (const guchar *start, const guchar *p, const guchar *end, gboolean *escaped,
                       GError **error)
{
  const guchar *q = p;

  while (q < end && fd_payload_plain[*q])
    q++;
  if (G_LIKELY (q < end && *q == '"'))
    {
      *escaped = FALSE;
      return q;
    }
  return fd_payload_string_end_slow (start, p - 1, q, end, escaped, error);
}

/* Writes the value of the string content [p, q) — already checked by fd_payload_string_end() —
 * to @out as UTF-8 and returns its length, which is never more than q - p. */
gsize fd_payload_string_decode (const guchar *p, const guchar *q, char *out);

/* What fd_payload_number_end() learns of a number on the way. */
typedef struct
{
  guint64 mantissa; /* its digits as one integer, if it has at most 19 */
  int digits;       /* how many, up to 20 (meaning: more than 19) */
  int exp10;        /* the exponent, less the digits after the '.' (if at most 19 digits) */
  gboolean negative;
  gboolean integer; /* no fraction, no exponent */
} FdPayloadNumber;

/* Scans the number starting at @p (a '-' or a digit). Returns the byte after it, or NULL with
 * @error set (leading zero, '.' or exponent without digits). */
const guchar *fd_payload_number_end (const guchar *start, const guchar *p, const guchar *end,
                                     FdPayloadNumber *num, GError **error);

/* The double of the number [p, q), scanned into @num by fd_payload_number_end(): the one
 * g_ascii_strtod() gives. FALSE when it does not fit a double (1e999). *@scratch
 * (*@scratch_size bytes) holds copies of numbers too long for the stack: grown when needed,
 * kept and freed by the caller. */
gboolean fd_payload_number_value (const guchar *p, const guchar *q, const FdPayloadNumber *num,
                                  char **scratch, gsize *scratch_size, double *value);

/* Sets SYNTAX "unexpected 'x' at byte N (@expected)", or "… ends at byte N" when @p is @end. */
gboolean fd_payload_fail_unexpected (GError **error, const guchar *start, const guchar *p,
                                     const guchar *end, const char *expected);

/* Renders the raw content of a checked string, [p, q), for a message: at most a few characters,
 * nothing non-printable (escapes are kept as written; controls, format characters, non-ASCII
 * spaces and separators are shown as \uXXXX or \UXXXXXXXX), "…" when cut. @out holds
 * FD_PAYLOAD_DESCRIBE_SIZE bytes. */
#define FD_PAYLOAD_DESCRIBE_CHARS 16
#define FD_PAYLOAD_DESCRIBE_SIZE (FD_PAYLOAD_DESCRIBE_CHARS * 10 + 4)
void fd_payload_describe (const guchar *p, const guchar *q, char *out);

/* Sets @error (when not NULL) to @code with the message; returns FALSE, for "return fail". */
gboolean fd_payload_fail (GError **error, FdPayloadError code, const char *format, ...)
    G_GNUC_PRINTF (3, 4);

G_END_DECLS
