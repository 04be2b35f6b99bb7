/* fd-cli-values.c — what each kind of value on the command line may be (FdCliValue): checked
 * once, by the parser, so that nothing after it sees an unchecked argument.
 */
#include "config.h"

#include <string.h>

#include <glib/gi18n.h>

#include "fd-cli.h"

/* Longest piece of a rejected value quoted back in an error message. */
#define FD_CLI_QUOTE_BYTES 40
/* "2030-01-01T00:00:00.123456789+01:00" and a little. */
#define FD_CLI_MAX_TIME_BYTES 40

char *
fd_cli_quote (const char *text)
{
  g_autofree char *escaped = g_strescape (text, NULL);

  if (strlen (escaped) > FD_CLI_QUOTE_BYTES)
    return g_strdup_printf ("%.*s…", FD_CLI_QUOTE_BYTES, escaped);
  return g_steal_pointer (&escaped);
}

static gboolean
check_chars (const char *text, const char *allowed_punct, gsize max_bytes)
{
  gsize len = strlen (text);

  if (len == 0 || len > max_bytes)
    return FALSE;
  for (const char *p = text; *p != '\0'; p++)
    if (!g_ascii_isalnum (*p) && strchr (allowed_punct, *p) == NULL)
      return FALSE;
  return TRUE;
}

static gboolean
check_text (const char *label, const char *text, glong max_chars, GError **error)
{
  g_autofree char *trimmed = NULL;

  if (!g_utf8_validate (text, -1, NULL))
    {
      g_set_error (error, FD_CLI_ERROR, FD_CLI_ERROR_USAGE, _ ("%s is not valid UTF-8 text"),
                   label);
      return FALSE;
    }
  trimmed = g_strstrip (g_strdup (text));
  if (g_utf8_strlen (trimmed, -1) > max_chars)
    {
      g_set_error (error, FD_CLI_ERROR, FD_CLI_ERROR_USAGE, _ ("%s is longer than %ld characters"),
                   label, max_chars);
      return FALSE;
    }
  return TRUE;
}

static gboolean
check_number (const char *label, const char *text, guint min, guint max, GError **error)
{
  guint64 number;

  /* Strict: decimal digits only, no sign, no spaces, within bounds. */
  if (!g_ascii_string_to_unsigned (text, 10, min, max, &number, NULL))
    {
      g_autofree char *quoted = fd_cli_quote (text);

      g_set_error (error, FD_CLI_ERROR, FD_CLI_ERROR_USAGE,
                   _ ("%s: '%s' is not a whole number from %u to %u"), label, quoted, min, max);
      return FALSE;
    }
  return TRUE;
}

static gboolean
check_url (const char *label, const char *text, GError **error)
{
  g_autoptr (GUri) uri = NULL;

  if (strlen (text) <= FD_CLI_MAX_URL_BYTES)
    uri = g_uri_parse (text, G_URI_FLAGS_NONE, NULL);
  if (uri == NULL || g_uri_get_host (uri) == NULL || *g_uri_get_host (uri) == '\0'
      || (g_strcmp0 (g_uri_get_scheme (uri), "http") != 0
          && g_strcmp0 (g_uri_get_scheme (uri), "https") != 0)
      || g_uri_get_query (uri) != NULL || g_uri_get_fragment (uri) != NULL)
    {
      g_autofree char *quoted = fd_cli_quote (text);

      g_set_error (error, FD_CLI_ERROR, FD_CLI_ERROR_USAGE,
                   _ ("%s: '%s' is not an http:// or https:// server URL"), label, quoted);
      return FALSE;
    }
  return TRUE;
}

/* RFC 3339 exactly (ISO 8601 allows much more: week dates, no time zone…), and a real time;
 * or epoch milliseconds, as the API takes them (notes/conventions.md). */
static gboolean
check_time (const char *label, const char *text, GError **error)
{
  g_autoptr (GDateTime) parsed = NULL;

  if (g_regex_match_simple ("^[0-9]{1,15}$", text, 0, 0))
    return TRUE;
  if (strlen (text) <= FD_CLI_MAX_TIME_BYTES
      && g_regex_match_simple ("^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}"
                               "(\\.[0-9]{1,9})?(Z|[+-][0-9]{2}:[0-9]{2})$",
                               text, G_REGEX_CASELESS, 0))
    parsed = g_date_time_new_from_iso8601 (text, NULL);
  if (parsed == NULL)
    {
      g_autofree char *quoted = fd_cli_quote (text);

      g_set_error (error, FD_CLI_ERROR, FD_CLI_ERROR_USAGE,
                   _ ("%s: '%s' is not an RFC 3339 time such as 2030-01-01T00:00:00Z"
                      " nor epoch milliseconds"),
                   label, quoted);
      return FALSE;
    }
  return TRUE;
}

/* The tag rule of docs/protocol.md, so that a typo is caught here rather than as a 404. */
static gboolean
check_tag (const char *label, const char *text, GError **error)
{
  g_autofree char *quoted = fd_cli_quote (text);
  gboolean bad_char = FALSE;

  if (!g_utf8_validate (text, -1, NULL))
    {
      g_set_error (error, FD_CLI_ERROR, FD_CLI_ERROR_USAGE, _ ("%s is not valid UTF-8 text"),
                   label);
      return FALSE;
    }
  if (*text == '\0' || g_utf8_strlen (text, -1) > FD_CLI_MAX_TAG_CHARS)
    {
      g_set_error (error, FD_CLI_ERROR, FD_CLI_ERROR_USAGE,
                   _ ("%s: '%s' is not a tag of 1 to %d characters"), label, quoted,
                   FD_CLI_MAX_TAG_CHARS);
      return FALSE;
    }
  for (const char *p = text; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (c == '/' || c == '#' || c == '+' || g_unichar_isspace (c) || g_unichar_iscntrl (c))
        bad_char = TRUE;
    }
  if (bad_char)
    {
      g_set_error (error, FD_CLI_ERROR, FD_CLI_ERROR_USAGE,
                   _ ("%s: '%s' is not a tag: it may not have '/', '#', '+', spaces or control "
                      "characters"),
                   label, quoted);
      return FALSE;
    }
  return TRUE;
}

static gboolean
check_seconds (const char *label, const char *text, GError **error)
{
  char *end = NULL;
  double seconds = g_ascii_strtod (text, &end);

  /* Plain decimal: digits with an optional fraction, no sign, exponent or spaces. */
  if (!g_regex_match_simple ("^[0-9]{1,10}(\\.[0-9]{1,3})?$", text, 0, 0) || *end != '\0'
      || seconds > FD_CLI_MAX_SECONDS)
    {
      g_autofree char *quoted = fd_cli_quote (text);

      g_set_error (error, FD_CLI_ERROR, FD_CLI_ERROR_USAGE,
                   _ ("%s: '%s' is not a number of seconds such as 300 or 1.5"), label, quoted);
      return FALSE;
    }
  return TRUE;
}

static gboolean
check_json (const char *label, const char *text, GError **error)
{
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autoptr (GError) local = NULL;

  if (strlen (text) > FD_CLI_MAX_ARG_BYTES)
    {
      g_set_error (error, FD_CLI_ERROR, FD_CLI_ERROR_USAGE, _ ("%s is longer than %d bytes"), label,
                   FD_CLI_MAX_ARG_BYTES);
      return FALSE;
    }
  if (!json_parser_load_from_data (parser, text, -1, &local)
      || json_parser_get_root (parser) == NULL)
    {
      g_set_error (error, FD_CLI_ERROR, FD_CLI_ERROR_USAGE,
                   _ ("%s is not JSON (%s); quote it for the shell: '{\"a\": 1}', '\"text\"'"),
                   label, local ? local->message : _ ("empty"));
      return FALSE;
    }
  return TRUE;
}

gboolean
fd_cli_check_value (const FdCliParam *param, const char *label, const char *text, GError **error)
{
  g_autofree char *option_label = NULL;

  if (label == NULL)
    label = param->metavar != NULL ? (option_label = g_strconcat ("--", param->name, NULL))
                                   : param->name;

  switch (param->value)
    {
    case FD_CLI_VALUE_FLAG:
      return TRUE;

    case FD_CLI_VALUE_ID:
      if (!check_chars (text, "-_", FD_CLI_MAX_ID_BYTES))
        {
          g_autofree char *quoted = fd_cli_quote (text);

          g_set_error (error, FD_CLI_ERROR, FD_CLI_ERROR_USAGE,
                       _ ("%s: '%s' is not an ID (letters, digits, '-' and '_')"), label, quoted);
          return FALSE;
        }
      return TRUE;

    case FD_CLI_VALUE_ACTION:
      if (!check_chars (text, ".-_", FD_CLI_MAX_ACTION_BYTES))
        {
          g_autofree char *quoted = fd_cli_quote (text);

          g_set_error (error, FD_CLI_ERROR, FD_CLI_ERROR_USAGE,
                       _ ("%s: '%s' is not an action such as device.create"), label, quoted);
          return FALSE;
        }
      return TRUE;

    case FD_CLI_VALUE_NAME:
      return check_text (label, text, FD_CLI_MAX_NAME_CHARS, error);

    case FD_CLI_VALUE_TEXT:
      return check_text (label, text, FD_CLI_MAX_DESCRIPTION_CHARS, error);

    case FD_CLI_VALUE_OFFSET:
      return check_number (label, text, 0, FD_CLI_MAX_FROM, error);

    case FD_CLI_VALUE_PAGE_SIZE:
      return check_number (label, text, 1, FD_CLI_MAX_PAGE_SIZE, error);

    case FD_CLI_VALUE_CHOICE:
      if (!g_strv_contains ((const char *const *)param->choices, text))
        {
          g_autofree char *quoted = fd_cli_quote (text);
          g_autofree char *choices = g_strjoinv (", ", (char **)param->choices);

          g_set_error (error, FD_CLI_ERROR, FD_CLI_ERROR_USAGE, _ ("%s: '%s' is not one of %s"),
                       label, quoted, choices);
          return FALSE;
        }
      return TRUE;

    case FD_CLI_VALUE_URL:
      return check_url (label, text, error);

    case FD_CLI_VALUE_TOKEN:
      /* Printable ASCII without spaces: anything else could not be sent in a header. The
       * token itself is never repeated in a message. */
      for (const char *p = text; *p != '\0'; p++)
        if (*p <= ' ' || *p > '~')
          {
            g_set_error (error, FD_CLI_ERROR, FD_CLI_ERROR_USAGE,
                         _ ("%s: a token has only printable ASCII characters"), label);
            return FALSE;
          }
      if (*text == '\0' || strlen (text) > FD_CLI_MAX_TOKEN_BYTES)
        {
          g_set_error (error, FD_CLI_ERROR, FD_CLI_ERROR_USAGE,
                       _ ("%s: a token has 1 to %d characters"), label, FD_CLI_MAX_TOKEN_BYTES);
          return FALSE;
        }
      return TRUE;

    case FD_CLI_VALUE_DIR:
      if (*text == '\0')
        {
          g_set_error (error, FD_CLI_ERROR, FD_CLI_ERROR_USAGE,
                       _ ("%s: the directory name is empty"), label);
          return FALSE;
        }
      return TRUE;

    case FD_CLI_VALUE_FILE:
      if (*text == '\0')
        {
          g_set_error (error, FD_CLI_ERROR, FD_CLI_ERROR_USAGE, _ ("%s: the file name is empty"),
                       label);
          return FALSE;
        }
      return TRUE;

    case FD_CLI_VALUE_TIME:
      return check_time (label, text, error);

    case FD_CLI_VALUE_TAG:
      return check_tag (label, text, error);

    case FD_CLI_VALUE_SECONDS:
      return check_seconds (label, text, error);

    case FD_CLI_VALUE_JSON:
      return check_json (label, text, error);

    case FD_CLI_VALUE_DAYS:
      if (g_str_equal (text, "none")
          || g_ascii_string_to_unsigned (text, 10, 1, FD_CLI_MAX_DAYS, NULL, NULL))
        return TRUE;
      {
        g_autofree char *quoted = fd_cli_quote (text);

        g_set_error (error, FD_CLI_ERROR, FD_CLI_ERROR_USAGE,
                     _ ("%s: '%s' is not a number of days from 1 to %d, or none (keep for ever)"),
                     label, quoted, FD_CLI_MAX_DAYS);
      }
      return FALSE;
    }
  g_assert_not_reached ();
}
