/* fd-payload-batch.c — splitting a batch [{"ts": …, "payload": {…}}, …] into its readings, and
 * reading RFC 3339 times.
 *
 * The batch's own structure (the array, each element's two members, the ts) is checked
 * strictly here; each payload is only delimited, by counting brackets outside strings, and the
 * caller checks it with fd_payload_scan(). That split is sound: a payload that fd_payload_scan()
 * accepts is an object whose brackets match, so the delimited span is exactly that object.
 */
#include "ingest/fd-payload-private.h"

#include <string.h>

/* The last millisecond of 9999-12-31 (header: epoch ms lie in [0, this]). */
#define FD_EPOCH_MS_MAX G_GINT64_CONSTANT (253402300799999)
/* A ts string longer than this is not RFC 3339 ("2026-11-27T10:00:00.123456789+02:00" is 35). */
#define TS_MAX_BYTES 40

#define OFFSET(ptr) ((gsize)((ptr)-start))

/* ---- RFC 3339 -------------------------------------------------------------------------------- */

static int
digits (const char *p, guint n)
{
  int v = 0;

  for (guint i = 0; i < n; i++)
    {
      if (!g_ascii_isdigit (p[i]))
        return -1;
      v = v * 10 + (p[i] - '0');
    }
  return v;
}

static gboolean
is_leap (int y)
{
  return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

/* Days from 1970-01-01 to @y-@m-@d in the proleptic Gregorian calendar (H. Hinnant's
 * days_from_civil, for years 0-9999). */
static gint64
days_from_civil (int y, int m, int d)
{
  int era, yoe, doy, doe;

  y -= m <= 2;
  era = (y >= 0 ? y : y - 399) / 400;
  yoe = y - era * 400;
  doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return (gint64)era * 146097 + doe - 719468;
}

/* A leap second, "23:59:60" in UTC, is clamped to the last millisecond of second 59: the
 * reading is kept (a device that follows the leap second is not refused), in order, one
 * millisecond before the next minute. "60" at any other minute is refused. */
gboolean
fd_time_parse_rfc3339 (const char *text, gsize len, gint64 *ms)
{
  static const guint8 month_days[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
  int year, month, day, hour, minute, second, frac = 0, off_h = 0, off_m = 0, sign = 0;
  gsize i = 19, n;
  gint64 secs;

  g_return_val_if_fail (text != NULL || len == 0, FALSE);

  /* 2026-11-27T10:00:00 */
  if (len < 20 || text[4] != '-' || text[7] != '-' || (text[10] != 'T' && text[10] != 't')
      || text[13] != ':' || text[16] != ':')
    return FALSE;
  year = digits (text, 4);
  month = digits (text + 5, 2);
  day = digits (text + 8, 2);
  hour = digits (text + 11, 2);
  minute = digits (text + 14, 2);
  second = digits (text + 17, 2);
  if (year < 0 || month < 1 || month > 12 || day < 1 || hour < 0 || hour > 23 || minute < 0
      || minute > 59 || second < 0 || second > 60)
    return FALSE;
  if (day > month_days[month - 1] + (month == 2 && is_leap (year)))
    return FALSE;

  /* .123456789: milliseconds kept, the rest truncated */
  if (text[i] == '.')
    {
      for (n = 0, i++; i < len && g_ascii_isdigit (text[i]); n++, i++)
        if (n < 3)
          frac = frac * 10 + (text[i] - '0');
      if (n == 0 || n > 9)
        return FALSE;
      for (; n < 3; n++)
        frac *= 10;
    }

  /* Z, or +hh:mm / -hh:mm */
  if (i < len && (text[i] == 'Z' || text[i] == 'z'))
    i++;
  else if (i < len && (text[i] == '+' || text[i] == '-'))
    {
      if (len - i < 6 || text[i + 3] != ':')
        return FALSE;
      sign = text[i] == '+' ? 1 : -1;
      off_h = digits (text + i + 1, 2);
      off_m = digits (text + i + 4, 2);
      if (off_h < 0 || off_h > 23 || off_m < 0 || off_m > 59)
        return FALSE;
      i += 6;
    }
  else
    return FALSE;
  if (i != len)
    return FALSE;

  secs = days_from_civil (year, month, day) * 86400 + hour * 3600 + minute * 60 + MIN (second, 59)
         - sign * (off_h * 3600 + off_m * 60);
  if (second == 60)
    {
      if (((secs % 86400) + 86400) % 86400 != 86399)
        return FALSE;
      frac = 999;
    }
  if (ms != NULL)
    *ms = secs * 1000 + frac;
  return TRUE;
}

/* ---- the batch ------------------------------------------------------------------------------- */

#define SKIP_WS()                                                                                  \
  G_STMT_START                                                                                     \
  {                                                                                                \
    while (p < end && fd_payload_ws[*p])                                                           \
      p++;                                                                                         \
  }                                                                                                \
  G_STMT_END

/* The byte after the object opening at @p, by bracket count (strings skipped), or NULL. */
static const guchar *
delimit (const guchar *p, const guchar *end)
{
  gsize depth = 0;

  while (p < end)
    {
      guchar c = *p++;
      if (c == '"')
        {
          while (p < end && *p != '"')
            {
              if (*p == '\\' && ++p == end)
                return NULL;
              p++;
            }
          if (p == end)
            return NULL;
          p++;
        }
      else if (c == '{' || c == '[')
        depth++;
      else if ((c == '}' || c == ']') && --depth == 0)
        return p;
    }
  return NULL;
}

typedef enum
{
  MEMBER_OTHER,
  MEMBER_TS,
  MEMBER_PAYLOAD,
} Member;

static Member
member_of (const guchar *p, const guchar *q, gboolean escaped)
{
  char value[6 * 7]; /* "payload" is 7 characters, each written at most as \uXXXX */
  gsize len = q - p;

  if (len > sizeof value)
    return MEMBER_OTHER;
  if (escaped)
    len = fd_payload_string_decode (p, q, value);
  else
    memcpy (value, p, len);
  if (len == 2 && memcmp (value, "ts", 2) == 0)
    return MEMBER_TS;
  if (len == 7 && memcmp (value, "payload", 7) == 0)
    return MEMBER_PAYLOAD;
  return MEMBER_OTHER;
}

/* Reads the ts at @p into *@ms; returns the byte after it, or NULL with @error set. */
static const guchar *
read_ts (const guchar *start, const guchar *p, const guchar *end, guint index, gint64 *ms,
         GError **error)
{
  const guchar *q;
  gboolean flag;
  FdPayloadNumber num;

  if (p < end && *p == '"')
    {
      char value[TS_MAX_BYTES];
      gsize len;

      q = fd_payload_string_end (start, p + 1, end, &flag, error);
      if (q == NULL)
        return NULL;
      len = q - (p + 1);
      if (len > TS_MAX_BYTES)
        goto bad;
      if (flag)
        len = fd_payload_string_decode (p + 1, q, value);
      else
        memcpy (value, p + 1, len);
      if (!fd_time_parse_rfc3339 (value, len, ms))
        goto bad;
      q++;
    }
  else if (p < end && (*p == '-' || g_ascii_isdigit (*p)))
    {
      q = fd_payload_number_end (start, p, end, &num, error);
      if (q == NULL)
        return NULL;
      if (!num.integer)
        goto bad;
      if (*p == '-' || q - p > 15)
        goto range;
      *ms = 0;
      for (const guchar *d = p; d < q; d++)
        *ms = *ms * 10 + (*d - '0');
    }
  else
    goto bad;

  if (*ms < 0 || *ms > FD_EPOCH_MS_MAX)
    goto range;
  return q;

bad:
  fd_payload_fail (error, FD_PAYLOAD_ERROR_BATCH,
                   "reading %u: ts is not RFC 3339 or epoch milliseconds", index);
  return NULL;
range:
  fd_payload_fail (error, FD_PAYLOAD_ERROR_BATCH,
                   "reading %u: ts is not within the years 1970-9999", index);
  return NULL;
}

/* Reads the element at @p, an object of exactly "ts" and "payload", into @item. */
static const guchar *
read_element (const guchar *start, const guchar *p, const guchar *end, guint index,
              FdBatchItem *item, GError **error)
{
  gboolean have_ts = FALSE, have_payload = FALSE;

  if (p == end || *p != '{')
    {
      if (p < end && (*p == ']' || *p == ','))
        fd_payload_fail_unexpected (error, start, p, end, "a reading");
      else
        fd_payload_fail (error, FD_PAYLOAD_ERROR_BATCH, "reading %u is not an object", index);
      return NULL;
    }
  p++;
  SKIP_WS ();
  if (p < end && *p == '}')
    goto closed;
  for (;;)
    {
      const guchar *key = p, *q;
      gboolean escaped;
      Member m;

      if (p == end || *p != '"')
        {
          fd_payload_fail_unexpected (error, start, p, end, "a key");
          return NULL;
        }
      q = fd_payload_string_end (start, p + 1, end, &escaped, error);
      if (q == NULL)
        return NULL;
      m = member_of (p + 1, q, escaped);
      p = q + 1;
      SKIP_WS ();
      if (p == end || *p != ':')
        {
          fd_payload_fail_unexpected (error, start, p, end, "':'");
          return NULL;
        }
      p++;
      SKIP_WS ();
      if (m == MEMBER_OTHER)
        {
          char shown[FD_PAYLOAD_DESCRIBE_SIZE];
          fd_payload_describe (key + 1, q, shown);
          fd_payload_fail (error, FD_PAYLOAD_ERROR_BATCH,
                           "reading %u: \"%s\" is not a member of a reading (only ts and payload)",
                           index, shown);
          return NULL;
        }
      if ((m == MEMBER_TS && have_ts) || (m == MEMBER_PAYLOAD && have_payload))
        {
          fd_payload_fail (error, FD_PAYLOAD_ERROR_BATCH, "reading %u: %s appears twice", index,
                           m == MEMBER_TS ? "ts" : "payload");
          return NULL;
        }
      if (m == MEMBER_TS)
        {
          have_ts = TRUE;
          p = read_ts (start, p, end, index, &item->ts_ms, error);
          if (p == NULL)
            return NULL;
        }
      else
        {
          have_payload = TRUE;
          if (p == end || *p != '{')
            {
              fd_payload_fail (error, FD_PAYLOAD_ERROR_BATCH,
                               "reading %u: payload is not an object", index);
              return NULL;
            }
          q = delimit (p, end);
          if (q == NULL)
            {
              fd_payload_fail (error, FD_PAYLOAD_ERROR_SYNTAX,
                               "reading %u: the payload at byte %zu is not closed", index,
                               OFFSET (p));
              return NULL;
            }
          item->payload_offset = OFFSET (p);
          item->payload_len = q - p;
          p = q;
        }
      SKIP_WS ();
      if (p < end && *p == ',')
        {
          p++;
          SKIP_WS ();
          continue;
        }
      if (p < end && *p == '}')
        break;
      fd_payload_fail_unexpected (error, start, p, end, "',' or '}'");
      return NULL;
    }

closed:
  if (!have_ts || !have_payload)
    {
      fd_payload_fail (error, FD_PAYLOAD_ERROR_BATCH, "reading %u has no %s", index,
                       have_ts ? "payload" : "ts");
      return NULL;
    }
  return p + 1;
}

gboolean
fd_payload_scan_batch (FdPayloadScanner *scanner, const char *text, gsize len, guint max_items,
                       GArray *items, GError **error)
{
  const guchar *start, *p, *end;

  g_return_val_if_fail (text != NULL || len == 0, FALSE);
  g_return_val_if_fail (items != NULL && g_array_get_element_size (items) == sizeof (FdBatchItem),
                        FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  start = p = (const guchar *)(text != NULL ? text : "");
  end = start + len;
  g_array_set_size (items, 0);
  SKIP_WS ();
  if (p == end || *p != '[')
    return fd_payload_fail (error, FD_PAYLOAD_ERROR_BATCH, "the batch is not a JSON array");
  p++;
  SKIP_WS ();
  if (p < end && *p == ']')
    return fd_payload_fail (error, FD_PAYLOAD_ERROR_BATCH, "the batch is empty");
  for (guint index = 0;; index++)
    {
      FdBatchItem item = { 0 };

      if (index == max_items)
        {
          g_array_set_size (items, 0);
          return fd_payload_fail (error, FD_PAYLOAD_ERROR_BATCH,
                                  "the batch has more than %u readings", max_items);
        }
      p = read_element (start, p, end, index, &item, error);
      if (p == NULL)
        {
          g_array_set_size (items, 0);
          return FALSE;
        }
      g_array_append_val (items, item);
      SKIP_WS ();
      if (p < end && *p == ',')
        {
          p++;
          SKIP_WS ();
          continue;
        }
      if (p < end && *p == ']')
        break;
      g_array_set_size (items, 0);
      return fd_payload_fail_unexpected (error, start, p, end, "',' or ']'");
    }
  p++;
  SKIP_WS ();
  if (p != end)
    {
      g_array_set_size (items, 0);
      return fd_payload_fail_unexpected (error, start, p, end, "nothing after the batch");
    }
  return TRUE;
}
