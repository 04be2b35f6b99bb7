/* fd-format.c — values of the API as a person reads them.
 *
 * Every string here is shown in lists that update live, so each function is cheap and
 * deterministic for a given "now": a caller passes the same now to every row of one redraw.
 */
#include "config.h"

#include <glib/gi18n.h>

#include "fd-format.h"

/* A string value longer than this is cut in a payload line. */
#define FD_FORMAT_MAX_STRING_CHARS 40
/* An array whose JSON is longer than this is shown by its length. */
#define FD_FORMAT_MAX_ARRAY_CHARS 32

char *
fd_format_ago (GDateTime *then, GDateTime *now)
{
  GTimeSpan span = g_date_time_difference (now, then);
  gint64 seconds = span / G_TIME_SPAN_SECOND;
  gint64 n;

  if (seconds < 1)
    return g_strdup (C_ ("time ago", "just now"));
  if (seconds < 60)
    /* TRANSLATORS: a short time ago, in seconds ("12 s ago") */
    return g_strdup_printf (C_ ("time ago", "%d s ago"), (int)seconds);
  if (seconds < 3600)
    return g_strdup_printf (C_ ("time ago", "%d min ago"), (int)(seconds / 60));
  if (seconds < 86400)
    return g_strdup_printf (C_ ("time ago", "%d h ago"), (int)(seconds / 3600));
  n = seconds / 86400;
  return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%d day ago", "%d days ago", n), (int)n);
}

char *
fd_format_ago_rfc3339 (const char *rfc3339, GDateTime *now)
{
  g_autoptr (GDateTime) then
      = rfc3339 != NULL ? g_date_time_new_from_iso8601 (rfc3339, NULL) : NULL;

  return then != NULL ? fd_format_ago (then, now) : NULL;
}

char *
fd_format_exact_time (const char *rfc3339)
{
  g_autoptr (GDateTime) utc = NULL;
  g_autoptr (GDateTime) local = NULL;
  g_autofree char *seconds = NULL;

  utc = rfc3339 != NULL ? g_date_time_new_from_iso8601 (rfc3339, NULL) : NULL;
  if (utc == NULL)
    return NULL;
  local = g_date_time_to_local (utc);
  /* TRANSLATORS: an exact date and time in tooltips, see g_date_time_format() */
  seconds = g_date_time_format (local, C_ ("time format", "%Y-%m-%d %H:%M:%S"));
  return g_strdup_printf ("%s.%03d %s", seconds, g_date_time_get_microsecond (local) / 1000,
                          g_date_time_get_timezone_abbreviation (local));
}

/* "3 days", "5 months", "10 years": a rough length of time for expiry labels. */
static char *
fd_format_span (gint64 seconds)
{
  gint64 days = seconds / 86400;
  gint64 n;

  if (seconds < 3600)
    {
      n = MAX (seconds / 60, 1);
      return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%d minute", "%d minutes", n), (int)n);
    }
  if (days < 1)
    {
      n = seconds / 3600;
      return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%d hour", "%d hours", n), (int)n);
    }
  if (days < 60)
    return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%d day", "%d days", days), (int)days);
  /* Rounded: a certificate made for ten years a minute ago expires "in 10 years". */
  if (days < 730)
    {
      n = (days + 15) / 30;
      return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%d month", "%d months", n), (int)n);
    }
  n = (days + 182) / 365;
  return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%d year", "%d years", n), (int)n);
}

char *
fd_format_expiry (const char *rfc3339, GDateTime *now, FdExpiry *state)
{
  g_autoptr (GDateTime) when = NULL;
  g_autofree char *span = NULL;
  gint64 seconds;
  FdExpiry unused;

  if (state == NULL)
    state = &unused;

  when = rfc3339 != NULL ? g_date_time_new_from_iso8601 (rfc3339, NULL) : NULL;
  if (when == NULL)
    {
      *state = FD_EXPIRY_NEVER;
      return g_strdup (_ ("Never expires"));
    }

  seconds = g_date_time_difference (when, now) / G_TIME_SPAN_SECOND;
  if (seconds <= 0)
    {
      *state = FD_EXPIRY_EXPIRED;
      span = fd_format_span (-seconds);
      /* TRANSLATORS: %s is a length of time, "3 days" */
      return g_strdup_printf (_ ("Expired %s ago"), span);
    }

  *state = seconds < FD_FORMAT_EXPIRES_SOON_DAYS * 86400 ? FD_EXPIRY_SOON : FD_EXPIRY_LATER;
  span = fd_format_span (seconds);
  /* TRANSLATORS: %s is a length of time, "3 days" */
  return g_strdup_printf (_ ("Expires in %s"), span);
}

typedef struct
{
  GString *text;
  guint fields;
  guint max_fields;
} FdPayloadLine;

static void
fd_format_value (GString *text, JsonNode *node)
{
  if (JSON_NODE_HOLDS_NULL (node))
    g_string_append (text, "null");
  else if (JSON_NODE_HOLDS_ARRAY (node))
    {
      g_autofree char *json = json_to_string (node, FALSE);
      guint n = json_array_get_length (json_node_get_array (node));

      if (g_utf8_strlen (json, -1) <= FD_FORMAT_MAX_ARRAY_CHARS)
        g_string_append (text, json);
      else
        g_string_append_printf (text, g_dngettext (GETTEXT_PACKAGE, "[%u value]", "[%u values]", n),
                                n);
    }
  else
    switch (json_node_get_value_type (node))
      {
      case G_TYPE_INT64:
        g_string_append_printf (text, "%" G_GINT64_FORMAT, json_node_get_int (node));
        break;
      case G_TYPE_DOUBLE:
        /* In the user's locale, without the noise of a binary fraction. */
        g_string_append_printf (text, "%.10g", json_node_get_double (node));
        break;
      case G_TYPE_BOOLEAN:
        g_string_append (text, json_node_get_boolean (node) ? "true" : "false");
        break;
      case G_TYPE_STRING:
        {
          const char *value = json_node_get_string (node);

          if (g_utf8_strlen (value, -1) > FD_FORMAT_MAX_STRING_CHARS)
            {
              const char *end = g_utf8_offset_to_pointer (value, FD_FORMAT_MAX_STRING_CHARS);

              g_string_append_len (text, value, end - value);
              g_string_append (text, "…");
            }
          else
            g_string_append (text, value);
        }
        break;
      default:
        g_string_append (text, "?");
      }
}

static void
fd_format_object (FdPayloadLine *line, const char *prefix, JsonObject *object)
{
  /* In the order the device sent them: json_object_get_members() keeps it, an iterator over
   * the object does not. */
  g_autoptr (GList) names = json_object_get_members (object);

  for (GList *l = names; l != NULL; l = l->next)
    {
      const char *name = l->data;
      JsonNode *node = json_object_get_member (object, name);
      g_autofree char *path
          = prefix != NULL ? g_strconcat (prefix, ".", name, NULL) : g_strdup (name);

      if (JSON_NODE_HOLDS_OBJECT (node))
        {
          fd_format_object (line, path, json_node_get_object (node));
          continue;
        }

      line->fields++;
      if (line->fields > line->max_fields)
        continue;
      if (line->text->len > 0)
        g_string_append (line->text, " · ");
      g_string_append_printf (line->text, "%s ", path);
      fd_format_value (line->text, node);
    }
}

char *
fd_format_payload (JsonNode *payload, guint max_fields)
{
  FdPayloadLine line = { g_string_new (NULL), 0, MAX (max_fields, 1) };

  if (payload != NULL && JSON_NODE_HOLDS_OBJECT (payload))
    fd_format_object (&line, NULL, json_node_get_object (payload));
  else if (payload != NULL)
    fd_format_value (line.text, payload);

  if (line.fields > line.max_fields)
    {
      guint more = line.fields - line.max_fields;

      g_string_append (line.text, " · ");
      /* TRANSLATORS: after the first fields of a reading, how many are not shown */
      g_string_append_printf (
          line.text, g_dngettext (GETTEXT_PACKAGE, "+ %u more field", "+ %u more fields", more),
          more);
    }
  else if (line.fields == 0 && line.text->len == 0)
    g_string_append (line.text, _ ("(no fields)"));

  return g_string_free (line.text, FALSE);
}

char *
fd_format_fingerprint (const char *hex, gboolean full)
{
  GString *text;
  gsize len = hex != NULL ? strlen (hex) : 0;

  if (len != 64)
    return g_strdup (hex != NULL ? hex : "");
  for (gsize i = 0; i < len; i++)
    if (!g_ascii_isxdigit (hex[i]))
      return g_strdup (hex);

  text = g_string_new (NULL);
  for (gsize i = 0; i < len; i += 2)
    {
      if (!full && i == 4)
        {
          g_string_append (text, ":…");
          i = len - 6;
          continue;
        }
      if (text->len > 0)
        g_string_append_c (text, ':');
      g_string_append_c (text, g_ascii_toupper (hex[i]));
      g_string_append_c (text, g_ascii_toupper (hex[i + 1]));
    }
  return g_string_free (text, FALSE);
}

const char *
fd_format_credential_kind (const char *kind, const char *mode)
{
  if (g_strcmp0 (kind, "generated") == 0)
    return _ ("Generated certificate");
  if (g_strcmp0 (kind, "csr") == 0)
    return _ ("Signed CSR");
  if (g_strcmp0 (kind, "certificate") == 0)
    return _ ("Own certificate");
  if (g_strcmp0 (kind, "key") == 0 && g_strcmp0 (mode, "cloud_token") == 0)
    return _ ("Cloud token");
  if (g_strcmp0 (kind, "key") == 0)
    return _ ("Device key");
  return kind != NULL ? kind : _ ("None");
}

char *
fd_format_size (guint64 bytes)
{
  return g_format_size (bytes);
}

char *
fd_format_duration (double seconds)
{
  gint64 s = seconds > 0 ? (gint64)seconds : 0;

  if (s < 60)
    /* TRANSLATORS: a duration in seconds */
    return g_strdup_printf (C_ ("duration", "%d s"), (int)s);
  if (s < 3600)
    /* TRANSLATORS: a duration in minutes and seconds */
    return g_strdup_printf (C_ ("duration", "%d min %02d s"), (int)(s / 60), (int)(s % 60));
  if (s < 86400)
    /* TRANSLATORS: a duration in hours and minutes */
    return g_strdup_printf (C_ ("duration", "%d h %02d min"), (int)(s / 3600),
                            (int)(s % 3600 / 60));
  /* TRANSLATORS: a duration in days and hours ("2 d 5 h") */
  return g_strdup_printf (C_ ("duration", "%d d %d h"), (int)(s / 86400), (int)(s % 86400 / 3600));
}
