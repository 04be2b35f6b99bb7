/* fd-query-json.c — writing answers as JSON text directly: a page of 175,000 rows or a chart of
 * 2,000,000 points is appended to one buffer, with no tree and no allocation per value. */
#include "fd-query.h"

#include <math.h>
#include <stdio.h>

void
fd_query_json_string (GString *out, const char *s)
{
  g_string_append_c (out, '"');
  for (const guchar *p = (const guchar *)s; *p != '\0'; p++)
    {
      switch (*p)
        {
        case '"':
          g_string_append (out, "\\\"");
          break;
        case '\\':
          g_string_append (out, "\\\\");
          break;
        case '\n':
          g_string_append (out, "\\n");
          break;
        case '\r':
          g_string_append (out, "\\r");
          break;
        case '\t':
          g_string_append (out, "\\t");
          break;
        default:
          if (*p < 0x20)
            g_string_append_printf (out, "\\u%04x", *p);
          else
            g_string_append_c (out, (char)*p);
        }
    }
  g_string_append_c (out, '"');
}

/* Days since 1970-01-01 to a civil date (H. Hinnant's algorithm, proleptic Gregorian). */
static void
civil_from_days (gint64 z, gint64 *y, int *m, int *d)
{
  gint64 era, doe, yoe, doy, mp;

  z += 719468;
  era = (z >= 0 ? z : z - 146096) / 146097;
  doe = z - era * 146097;
  yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  mp = (5 * doy + 2) / 153;
  *d = (int)(doy - (153 * mp + 2) / 5 + 1);
  *m = (int)(mp < 10 ? mp + 3 : mp - 9);
  *y = yoe + era * 400 + (*m <= 2);
}

void
fd_query_json_time (GString *out, gint64 ms)
{
  gint64 days = ms >= 0 ? ms / FD_DAY_MS : (ms - FD_DAY_MS + 1) / FD_DAY_MS;
  gint64 rest = ms - days * FD_DAY_MS, y;
  int m, d;
  char buf[40];

  civil_from_days (days, &y, &m, &d);
  snprintf (buf, sizeof buf, "\"%04d-%02d-%02dT%02d:%02d:%02d.%03dZ\"", (int)y, m, d,
            (int)(rest / FD_HOUR_MS), (int)(rest / FD_MINUTE_MS % 60), (int)(rest / 1000 % 60),
            (int)(rest % 1000));
  g_string_append (out, buf);
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
  /* whole numbers (counts, most sensor minima and maxima) without the cost of printf's %g */
  if (fabs (v) < 1e15 && v == (double)(gint64)v)
    {
      g_string_append_printf (out, "%" G_GINT64_FORMAT, (gint64)v);
      return;
    }
  /* else the shortest of 15 or 17 digits that reads back as the same double */
  g_ascii_formatd (buf, sizeof buf, "%.15g", v);
  if (g_ascii_strtod (buf, NULL) != v)
    g_ascii_formatd (buf, sizeof buf, "%.17g", v);
  g_string_append (out, buf);
}
