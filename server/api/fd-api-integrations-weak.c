/* fd-api-integrations-weak.c — TEMPORARY: weak stand-ins for the PostgreSQL sink's check and
 * display (fd-sink-postgres.c, the "pg" part of issue 7), so that the integrations API links
 * and its tests run before it is merged. A real definition overrides each of them; this file
 * goes once it is on main. (The delivery workers' stand-ins went with the core branch.) */
#include "fd-api-integrations-private.h"

#include <libpq-fe.h>
#include <string.h>

__attribute__ ((weak)) gboolean
fd_sink_postgres_check (const char *dsn, GError **error)
{
  g_autofree char *with_timeout = g_strdup_printf ("connect_timeout=5 %s", dsn);
  PGconn *conn = strstr (dsn, "://") == NULL ? PQconnectdb (with_timeout) : PQconnectdb (dsn);
  gboolean ok = PQstatus (conn) == CONNECTION_OK;

  if (!ok)
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "cannot connect to PostgreSQL: %s",
                 g_strchomp (PQerrorMessage (conn)));
  PQfinish (conn);
  return ok;
}

__attribute__ ((weak)) char *
fd_sink_postgres_display (const char *dsn, GError **error)
{
  char *message = NULL;
  PQconninfoOption *options = PQconninfoParse (dsn, &message);
  GString *out;

  if (options == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, "%s",
                   message != NULL ? g_strchomp (message) : "it does not parse");
      PQfreemem (message);
      return NULL;
    }
  out = g_string_new (NULL);
  for (PQconninfoOption *o = options; o->keyword != NULL; o++)
    if (o->val != NULL && o->val[0] != '\0' && strcmp (o->keyword, "password") != 0
        && (strcmp (o->keyword, "host") == 0 || strcmp (o->keyword, "hostaddr") == 0
            || strcmp (o->keyword, "port") == 0 || strcmp (o->keyword, "dbname") == 0
            || strcmp (o->keyword, "user") == 0))
      g_string_append_printf (out, "%s%s=%s", out->len > 0 ? " " : "", o->keyword, o->val);
  PQconninfoFree (options);
  return g_string_free (out, FALSE);
}
