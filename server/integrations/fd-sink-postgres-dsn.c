/* fd-sink-postgres-dsn.c — the PostgreSQL sink's DSN: checking it, showing it without its
 * password, and keeping the password out of every message. */
#include "integrations/fd-sink-postgres-private.h"

#include <string.h>

#include "integrations/fd-sink.h"

/* Bounds the errors we log: a COPY context line quotes the row. */
#define PG_MESSAGE_MAX_CHARS 600

/* The password in @dsn, also when it does not parse (a malformed DSN's error message may
 * quote it): "password=…" in a key/value string or "user:…@" in a URI. */
char *
fd_pg_dsn_password (const char *dsn)
{
  PQconninfoOption *options = PQconninfoParse (dsn, NULL);
  char *password = NULL;
  const char *p;

  if (options != NULL)
    {
      for (PQconninfoOption *o = options; o->keyword != NULL; o++)
        if (strcmp (o->keyword, "password") == 0 && o->val != NULL && o->val[0] != '\0')
          password = g_strdup (o->val);
      PQconninfoFree (options);
      return password;
    }
  if ((p = strstr (dsn, "password")) != NULL)
    {
      p += strlen ("password");
      p += strspn (p, " \t=&");
      if (*p == '\'')
        p++;
      return g_strndup (p, strcspn (p, " \t'&"));
    }
  if ((p = strstr (dsn, "://")) != NULL)
    {
      const char *at = strchr (p + 3, '@');
      const char *colon = strchr (p + 3, ':');
      if (at != NULL && colon != NULL && colon < at && colon + 1 < at)
        return g_strndup (colon + 1, at - colon - 1);
    }
  return NULL;
}

/* @text on one line (libpq ends messages with a newline and indents continuations with a
 * tab, "Connection refused\n\tIs the server running…": a line that ends without punctuation
 * gets a full stop, so that the two sentences still read as two), bounded, with @password
 * replaced. */
char *
fd_pg_clean (const char *text, const char *password)
{
  GString *out = g_string_new (NULL);
  gboolean space = FALSE;

  for (const char *p = text != NULL ? text : ""; *p != '\0'; p++)
    {
      if (*p == '\n' || *p == '\r' || *p == '\t')
        {
          space = out->len > 0;
          continue;
        }
      if (space && g_ascii_isalnum (out->str[out->len - 1]))
        g_string_append_c (out, '.');
      if (space)
        g_string_append_c (out, ' ');
      space = FALSE;
      g_string_append_c (out, *p);
    }
  if (password != NULL && password[0] != '\0')
    g_string_replace (out, password, "********", 0);
  if (g_utf8_strlen (out->str, -1) > PG_MESSAGE_MAX_CHARS)
    {
      g_string_truncate (out, g_utf8_offset_to_pointer (out->str, PG_MESSAGE_MAX_CHARS) - out->str);
      g_string_append (out, "…");
    }
  if (out->len == 0)
    g_string_append (out, "unknown error");
  return g_string_free (out, FALSE);
}

/* A DSN we accept: a libpq key/value string or URI that parses (a bare database name, which
 * libpq would also take, is refused: the API documents the two forms). */
gboolean
fd_pg_dsn_check (const char *dsn, GError **error)
{
  PQconninfoOption *options;
  char *message = NULL;

  if (dsn == NULL || dsn[strspn (dsn, " \t\r\n")] == '\0')
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                           "the PostgreSQL DSN is empty");
      return FALSE;
    }
  options = PQconninfoParse (dsn, &message);
  if (options == NULL)
    {
      g_autofree char *password = fd_pg_dsn_password (dsn);
      g_autofree char *clean = fd_pg_clean (message != NULL ? message : "out of memory", password);
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   "not a PostgreSQL connection string: %s", clean);
      PQfreemem (message);
      return FALSE;
    }
  PQconninfoFree (options);
  return TRUE;
}

static void
pg_append_setting (GString *out, const char *keyword, const char *value)
{
  gboolean quote = value[0] == '\0' || strpbrk (value, " \t\r\n'\\") != NULL;

  if (out->len > 0)
    g_string_append_c (out, ' ');
  g_string_append_printf (out, "%s=", keyword);
  if (!quote)
    {
      g_string_append (out, value);
      return;
    }
  g_string_append_c (out, '\'');
  for (const char *p = value; *p != '\0'; p++)
    {
      if (*p == '\'' || *p == '\\')
        g_string_append_c (out, '\\');
      g_string_append_c (out, *p);
    }
  g_string_append_c (out, '\'');
}

char *
fd_sink_postgres_display (const char *dsn, GError **error)
{
  static const char *const first[] = { "host", "hostaddr", "port", "dbname", "user" };
  PQconninfoOption *options;
  GString *out;

  if (!fd_pg_dsn_check (dsn, error))
    return NULL;
  options = PQconninfoParse (dsn, NULL);
  if (options == NULL)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_FAILED, "out of memory");
      return NULL;
    }
  out = g_string_new (NULL);
  /* Where and who first, in the contract's order; then whatever else the DSN sets. */
  for (gsize i = 0; i < G_N_ELEMENTS (first); i++)
    for (PQconninfoOption *o = options; o->keyword != NULL; o++)
      if (strcmp (o->keyword, first[i]) == 0 && o->val != NULL)
        pg_append_setting (out, o->keyword, o->val);
  for (PQconninfoOption *o = options; o->keyword != NULL; o++)
    {
      gboolean shown = FALSE;

      for (gsize i = 0; i < G_N_ELEMENTS (first); i++)
        shown = shown || strcmp (o->keyword, first[i]) == 0;
      if (shown || o->val == NULL || strcmp (o->keyword, "password") == 0
          || strcmp (o->keyword, "sslpassword") == 0)
        continue;
      pg_append_setting (out, o->keyword, o->val);
    }
  PQconninfoFree (options);
  return g_string_free (out, FALSE);
}
