/* fd-payload-tokens.c — strings and numbers of RFC 8259, checked byte by byte, and the messages
 * that point at a bad byte without repeating what the sender wrote. */
#include "ingest/fd-payload-private.h"

#include <float.h>
#include <math.h>
#include <string.h>

/* Numbers up to this long are converted from a copy on the stack. */
#define NUMBER_STACK_BYTES 64

#define OFFSET(ptr) ((gsize)((ptr)-start))

const guint8 fd_payload_ws[256] = { [' '] = 1, ['\t'] = 1, ['\n'] = 1, ['\r'] = 1 };

/* Inside a string: 0 a byte that stands for itself, 1 '"', 2 '\\', 3 a control character
 * (refused), 4 the first byte of a multi-byte UTF-8 sequence (or a stray byte). */
enum
{
  PLAIN,
  QUOTE,
  BACKSLASH,
  CONTROL,
  HIGH,
};

static const guint8 string_class[256] = {
  [0x00 ... 0x1f] = CONTROL,
  ['"'] = QUOTE,
  ['\\'] = BACKSLASH,
  [0x80 ... 0xff] = HIGH,
};

/* A hex digit's value plus one; 0 for anything else. */
static const guint8 hex_value[256] = {
  ['0'] = 1,  ['1'] = 2,  ['2'] = 3,  ['3'] = 4,  ['4'] = 5,  ['5'] = 6,  ['6'] = 7,  ['7'] = 8,
  ['8'] = 9,  ['9'] = 10, ['a'] = 11, ['b'] = 12, ['c'] = 13, ['d'] = 14, ['e'] = 15, ['f'] = 16,
  ['A'] = 11, ['B'] = 12, ['C'] = 13, ['D'] = 14, ['E'] = 15, ['F'] = 16,
};

gboolean
fd_payload_fail (GError **error, FdPayloadError code, const char *format, ...)
{
  va_list args;

  if (error == NULL)
    return FALSE;
  va_start (args, format);
  *error = g_error_new_valist (FD_PAYLOAD_ERROR, code, format, args);
  va_end (args);
  return FALSE;
}

gboolean
fd_payload_fail_unexpected (GError **error, const guchar *start, const guchar *p, const guchar *end,
                            const char *expected)
{
  if (p == end)
    return fd_payload_fail (error, FD_PAYLOAD_ERROR_SYNTAX,
                            "the text ends at byte %zu (expected %s)", OFFSET (p), expected);
  if (*p > 0x20 && *p < 0x7f)
    return fd_payload_fail (error, FD_PAYLOAD_ERROR_SYNTAX,
                            "unexpected '%c' at byte %zu (expected %s)", *p, OFFSET (p), expected);
  return fd_payload_fail (error, FD_PAYLOAD_ERROR_SYNTAX,
                          "unexpected byte 0x%02x at byte %zu (expected %s)", *p, OFFSET (p),
                          expected);
}

/* The four hex digits at @p as a code unit, or -1. */
static inline int
hex4 (const guchar *p)
{
  int a = hex_value[p[0]] - 1, b = hex_value[p[1]] - 1, c = hex_value[p[2]] - 1,
      d = hex_value[p[3]] - 1;

  if ((a | b | c | d) < 0)
    return -1;
  return a << 12 | b << 8 | c << 4 | d;
}

/* The end of the UTF-8 sequence starting at @p (RFC 3629: no overlong forms, no surrogates,
 * nothing above U+10FFFF), or NULL. */
static inline const guchar *
utf8_end (const guchar *p, const guchar *end)
{
  guchar c = p[0], lo = 0x80, hi = 0xbf;
  gsize n;

  if (c < 0xc2)
    return NULL;
  if (c < 0xe0)
    n = 2;
  else if (c < 0xf0)
    {
      n = 3;
      if (c == 0xe0)
        lo = 0xa0;
      else if (c == 0xed)
        hi = 0x9f;
    }
  else if (c < 0xf5)
    {
      n = 4;
      if (c == 0xf0)
        lo = 0x90;
      else if (c == 0xf4)
        hi = 0x8f;
    }
  else
    return NULL;
  if ((gsize)(end - p) < n || p[1] < lo || p[1] > hi)
    return NULL;
  for (gsize i = 2; i < n; i++)
    if ((p[i] & 0xc0) != 0x80)
      return NULL;
  return p + n;
}

const guint8 fd_payload_plain[256] = {
  [0x20 ... 0x21] = 1,
  [0x23 ... 0x5b] = 1, /* not '"' (0x22) */
  [0x5d ... 0x7f] = 1, /* not '\\' (0x5c) */
};

const guchar *
fd_payload_string_end_slow (const guchar *start, const guchar *open, const guchar *p,
                            const guchar *end, gboolean *escaped, GError **error)
{
  const guchar *next;
  int unit, low;

  *escaped = FALSE;
  for (;;)
    {
      while (p < end && string_class[*p] == PLAIN)
        p++;
      if (G_UNLIKELY (p == end))
        {
          fd_payload_fail (error, FD_PAYLOAD_ERROR_SYNTAX, "the string at byte %zu is not closed",
                           OFFSET (open));
          return NULL;
        }
      switch (string_class[*p])
        {
        case QUOTE:
          return p;

        case CONTROL:
          fd_payload_fail (error, FD_PAYLOAD_ERROR_SYNTAX,
                           "a control character (0x%02x) inside a string at byte %zu", *p,
                           OFFSET (p));
          return NULL;

        case HIGH:
          next = utf8_end (p, end);
          if (G_UNLIKELY (next == NULL))
            {
              fd_payload_fail (error, FD_PAYLOAD_ERROR_UTF8, "invalid UTF-8 at byte %zu",
                               OFFSET (p));
              return NULL;
            }
          p = next;
          break;

        default: /* BACKSLASH */
          *escaped = TRUE;
          if (G_UNLIKELY (end - p < 2))
            {
              fd_payload_fail (error, FD_PAYLOAD_ERROR_SYNTAX,
                               "the string at byte %zu is not closed", OFFSET (open));
              return NULL;
            }
          switch (p[1])
            {
            case '"':
            case '\\':
            case '/':
            case 'b':
            case 'f':
            case 'n':
            case 'r':
            case 't':
              p += 2;
              continue;
            case 'u':
              break;
            default:
              if (p[1] > 0x20 && p[1] < 0x7f)
                fd_payload_fail (error, FD_PAYLOAD_ERROR_SYNTAX,
                                 "an unknown escape '\\%c' at byte %zu", p[1], OFFSET (p));
              else
                fd_payload_fail (error, FD_PAYLOAD_ERROR_SYNTAX, "an unknown escape at byte %zu",
                                 OFFSET (p));
              return NULL;
            }
          if (end - p < 6 || (unit = hex4 (p + 2)) < 0)
            {
              fd_payload_fail (error, FD_PAYLOAD_ERROR_SYNTAX,
                               "a \\u escape without four hex digits at byte %zu", OFFSET (p));
              return NULL;
            }
          if (unit >= 0xd800 && unit <= 0xdbff)
            {
              /* A high surrogate is only a character with the low one right after it. */
              if (end - p >= 8 && p[6] == '\\' && p[7] == 'u')
                {
                  if (end - p < 12 || (low = hex4 (p + 8)) < 0)
                    {
                      fd_payload_fail (error, FD_PAYLOAD_ERROR_SYNTAX,
                                       "a \\u escape without four hex digits at byte %zu",
                                       OFFSET (p + 6));
                      return NULL;
                    }
                  if (low >= 0xdc00 && low <= 0xdfff)
                    {
                      p += 12;
                      continue;
                    }
                }
              unit = -unit;
            }
          else if (unit >= 0xdc00 && unit <= 0xdfff)
            unit = -unit;
          if (unit < 0)
            {
              fd_payload_fail (error, FD_PAYLOAD_ERROR_UTF8, "a lone surrogate \\u%04X at byte %zu",
                               -unit, OFFSET (p));
              return NULL;
            }
          p += 6;
          break;
        }
    }
}

gsize
fd_payload_string_decode (const guchar *p, const guchar *q, char *out)
{
  char *o = out;
  const guchar *run = p;

  while (p < q)
    {
      gunichar c;
      if (*p != '\\')
        {
          p++;
          continue;
        }
      memcpy (o, run, p - run);
      o += p - run;
      switch (p[1])
        {
        case 'b':
          *o++ = '\b';
          break;
        case 'f':
          *o++ = '\f';
          break;
        case 'n':
          *o++ = '\n';
          break;
        case 'r':
          *o++ = '\r';
          break;
        case 't':
          *o++ = '\t';
          break;
        case 'u':
          c = hex4 (p + 2);
          if (c >= 0xd800 && c <= 0xdbff)
            {
              c = 0x10000 + ((c - 0xd800) << 10) + (hex4 (p + 8) - 0xdc00);
              p += 6;
            }
          o += g_unichar_to_utf8 (c, o);
          p += 4;
          break;
        default: /* '"', '\\', '/' */
          *o++ = p[1];
          break;
        }
      p += 2;
      run = p;
    }
  memcpy (o, run, q - run);
  o += q - run;
  return o - out;
}

#define IS_DIGIT(c) ((guchar)((c) - '0') < 10)

const guchar *
fd_payload_number_end (const guchar *start, const guchar *p, const guchar *end,
                       FdPayloadNumber *num, GError **error)
{
  const guchar *first = p;
  guint64 m = 0;
  int digits = 0, e = 0, exp_value = 0;

  /* The digits are gathered into m on the way, for fd_payload_number_value()'s fast path. */
  num->negative = *p == '-';
  num->integer = TRUE;
  p += num->negative;
  if (p < end && *p == '0')
    {
      p++;
      digits = 1;
      if (p < end && IS_DIGIT (*p))
        {
          fd_payload_fail (error, FD_PAYLOAD_ERROR_SYNTAX,
                           "a number with a leading zero at byte %zu", OFFSET (first));
          return NULL;
        }
    }
  else if (p < end && IS_DIGIT (*p))
    {
      for (; p < end && IS_DIGIT (*p); p++)
        if (digits < 20) /* 20: too many for the fast path, and m no longer counts */
          {
            m = m * 10 + (*p - '0');
            digits++;
          }
    }
  else
    {
      fd_payload_fail (error, FD_PAYLOAD_ERROR_SYNTAX, "a '-' without digits at byte %zu",
                       OFFSET (first));
      return NULL;
    }
  if (p < end && *p == '.')
    {
      num->integer = FALSE;
      p++;
      if (p == end || !IS_DIGIT (*p))
        {
          fd_payload_fail (error, FD_PAYLOAD_ERROR_SYNTAX,
                           "a '.' without digits after it at byte %zu", OFFSET (p - 1));
          return NULL;
        }
      for (; p < end && IS_DIGIT (*p); p++)
        if (digits < 20)
          {
            m = m * 10 + (*p - '0');
            digits++;
            e--;
          }
    }
  if (p < end && (*p == 'e' || *p == 'E'))
    {
      const guchar *at = p;
      gboolean minus;

      num->integer = FALSE;
      p++;
      minus = p < end && *p == '-';
      if (p < end && (*p == '+' || *p == '-'))
        p++;
      if (p == end || !IS_DIGIT (*p))
        {
          fd_payload_fail (error, FD_PAYLOAD_ERROR_SYNTAX, "an exponent without digits at byte %zu",
                           OFFSET (at));
          return NULL;
        }
      for (; p < end && IS_DIGIT (*p); p++)
        if (exp_value < 100000)
          exp_value = exp_value * 10 + (*p - '0');
      e += minus ? -exp_value : exp_value;
    }
  num->mantissa = m;
  num->digits = digits;
  num->exp10 = e;
  return p;
}

/* Exact powers of ten: every one up to 1e22 is a double. */
static const double pow10_exact[] = {
  1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,  1e8,  1e9,  1e10, 1e11,
  1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
};

/* Clinger's fast path: when the digits, read as an integer m, are at most 2^53 and the decimal
 * exponent e is within ±22, the number is m * 10^e or m / 10^-e: one correctly rounded IEEE
 * operation on two exact doubles, which is the very double strtod() returns, without its cost
 * (most of the time of a scan otherwise). Only where doubles are computed in double precision
 * (not x87's extended one). The rest goes to g_ascii_strtod(). */
gboolean
fd_payload_number_value (const guchar *p, const guchar *q, const FdPayloadNumber *num,
                         char **scratch, gsize *scratch_size, double *value)
{
  char stack[NUMBER_STACK_BYTES];
  char *buf = stack;
  gsize n = q - p;

#if defined(FLT_EVAL_METHOD) && FLT_EVAL_METHOD == 0
  if (G_LIKELY (num->digits <= 19 && num->mantissa <= (G_GUINT64_CONSTANT (1) << 53)
                && num->exp10 >= -22 && num->exp10 <= 22))
    {
      double v = (double)num->mantissa;
      v = num->exp10 >= 0 ? v * pow10_exact[num->exp10] : v / pow10_exact[-num->exp10];
      *value = num->negative ? -v : v;
      return TRUE;
    }
#endif
  /* g_ascii_strtod() on a NUL-terminated copy of exactly the number */
  if (G_UNLIKELY (n >= sizeof stack))
    {
      if (n >= *scratch_size)
        {
          *scratch_size = n + 1;
          *scratch = g_realloc (*scratch, *scratch_size);
        }
      buf = *scratch;
    }
  memcpy (buf, p, n);
  buf[n] = '\0';
  *value = g_ascii_strtod (buf, NULL);
  return !isinf (*value);
}

/* Shown as itself in a message: not a control, format, private-use, unassigned or surrogate
 * code point, nor a space or a line or paragraph separator (ASCII space aside). */
static gboolean
is_shown (gunichar c)
{
  switch (g_unichar_type (c))
    {
    case G_UNICODE_CONTROL:
    case G_UNICODE_FORMAT:
    case G_UNICODE_UNASSIGNED:
    case G_UNICODE_PRIVATE_USE:
    case G_UNICODE_SURROGATE:
    case G_UNICODE_LINE_SEPARATOR:
    case G_UNICODE_PARAGRAPH_SEPARATOR:
    case G_UNICODE_SPACE_SEPARATOR:
      return c == ' ';
    default:
      return TRUE;
    }
}

void
fd_payload_describe (const guchar *p, const guchar *q, char *out)
{
  char *o = out;

  for (guint n = 0; p < q; n++)
    {
      gunichar c;
      const guchar *next;

      if (n == FD_PAYLOAD_DESCRIBE_CHARS)
        {
          strcpy (o, "…");
          return;
        }
      /* The string is checked: ASCII here is printable or DEL, escapes are printable. */
      if (*p < 0x7f)
        {
          *o++ = *p++;
          continue;
        }
      next = p + g_utf8_skip[*p];
      c = g_utf8_get_char ((const char *)p);
      if (is_shown (c))
        {
          memcpy (o, p, next - p);
          o += next - p;
        }
      else if (c <= 0xffff)
        o += g_snprintf (o, 7, "\\u%04X", c);
      else
        o += g_snprintf (o, 11, "\\U%08X", c);
      p = next;
    }
  *o = '\0';
}
