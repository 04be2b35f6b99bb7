/* fd-query-json.c — writing answers as JSON text directly: a page of 175,000 rows or a chart of
 * 2,000,000 points is appended to one buffer, with no tree and no allocation per value. */
#include "fd-query.h"
#include "fd-util.h"

#include <math.h>
#include <string.h>

void
fd_query_json_string (GString *out, const char *s)
{
  /* Stored text is UTF-8 already (payloads are checked on the way in); DEL stays as it is. */
  fd_json_append_string (out, s, strlen (s), FALSE);
}

/* ---- times ---------------------------------------------------------------------------------- */

static void
put2 (char *p, int v)
{
  p[0] = (char)('0' + v / 10);
  p[1] = (char)('0' + v % 10);
}

/* The civil date of @days since 1970-01-01 (proleptic Gregorian), by era arithmetic. */
static void
civil_from_days (gint64 days, int *year, int *month, int *day)
{
  gint64 z = days + 719468;
  gint64 era = (z >= 0 ? z : z - 146096) / 146097;
  gint64 doe = z - era * 146097;
  gint64 yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  gint64 doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  gint64 mp = (5 * doy + 2) / 153;
  gint64 d = doy - (153 * mp + 2) / 5 + 1;
  gint64 m = mp < 10 ? mp + 3 : mp - 9;

  *year = (int)(yoe + era * 400 + (m <= 2));
  *month = (int)m;
  *day = (int)d;
}

void
fd_query_format_time (FdQueryTimeCache *cache, gint64 ms, char *out)
{
  gint64 second = ms >= 0 ? ms / 1000 : (ms - 999) / 1000;
  int millis = (int)(ms - second * 1000);

  if (G_UNLIKELY (second != cache->second || cache->text[0] == '\0'))
    {
      gint64 days = second >= 0 ? second / 86400 : (second - 86399) / 86400;
      int sod = (int)(second - days * 86400);
      int year, month, day;

      civil_from_days (days, &year, &month, &day);
      year = CLAMP (year, 0, 9999);
      put2 (cache->text, year / 100);
      put2 (cache->text + 2, year % 100);
      cache->text[4] = '-';
      put2 (cache->text + 5, month);
      cache->text[7] = '-';
      put2 (cache->text + 8, day);
      cache->text[10] = 'T';
      put2 (cache->text + 11, sod / 3600);
      cache->text[13] = ':';
      put2 (cache->text + 14, sod / 60 % 60);
      cache->text[16] = ':';
      put2 (cache->text + 17, sod % 60);
      cache->text[19] = '.';
      cache->second = second;
    }
  memcpy (out, cache->text, 20);
  out[20] = (char)('0' + millis / 100);
  put2 (out + 21, millis % 100);
  out[23] = 'Z';
}

void
fd_query_json_time (GString *out, gint64 ms)
{
  FdQueryTimeCache cache = { 0 };
  char text[FD_QUERY_TIME_LEN];

  fd_query_format_time (&cache, ms, text);
  g_string_append_c (out, '"');
  g_string_append_len (out, text, FD_QUERY_TIME_LEN);
  g_string_append_c (out, '"');
}

void
fd_query_json_number (GString *out, double v)
{
  char buf[G_ASCII_DTOSTR_BUF_SIZE];

  if (!isfinite (v))
    {
      g_string_append (out, "null");
      return;
    }
  /* whole numbers (counts, most sensor minima and maxima) without the cost of printf */
  if (fabs (v) < 1e15 && v == (double)(gint64)v)
    {
      gint64 n = (gint64)v;
      guint64 u = n < 0 ? (guint64)(-n) : (guint64)n;
      char *p = buf + sizeof buf;

      *--p = '\0';
      do
        *--p = (char)('0' + u % 10);
      while ((u /= 10) != 0);
      if (n < 0)
        *--p = '-';
      g_string_append (out, p);
      return;
    }
  /* else 15 significant digits, what a double always holds exactly in decimal: an average
   * reads 21.7333333333333, not 21.733333333333334 (17 digits, the round trip, cost a second
   * printf and a strtod for almost every average: most of a fleet aggregate's time). */
  g_ascii_formatd (buf, sizeof buf, "%.15g", v);
  g_string_append (out, buf);
}
