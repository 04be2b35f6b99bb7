/* fd-api-integrations-weak.c — TEMPORARY: weak stand-ins for the delivery workers
 * (server/integrations/fd-integrations.c, the "core" part of issue 7) and the PostgreSQL sink's
 * check and display (fd-sink-postgres.c, the "pg" part), so that the integrations API links
 * and its tests run before those are merged. A real definition overrides each of them; this
 * file goes once both are on main. */
#include "fd-api-integrations-private.h"

#include <libpq-fe.h>
#include <string.h>

__attribute__ ((weak)) const char *
fd_integration_state_name (FdIntegrationState state)
{
  static const char *const names[]
      = { "idle", "delivering", "retrying", "failing", "paused", "dropping" };
  return state < G_N_ELEMENTS (names) ? names[state] : "idle";
}

__attribute__ ((weak)) void
fd_integration_health_clear (FdIntegrationHealth *health)
{
  g_clear_pointer (&health->last_error, g_free);
}

__attribute__ ((weak)) void
fd_sink_result_clear (FdSinkResult *result)
{
  g_clear_pointer (&result->error, g_free);
}

__attribute__ ((weak)) void
fd_integrations_reload (FdIntegrations *self, const char *id)
{
}

__attribute__ ((weak)) gboolean
fd_integrations_get_health (FdIntegrations *self, const char *id, FdIntegrationHealth *health)
{
  return FALSE;
}

__attribute__ ((weak)) void
fd_integrations_test_async (FdIntegrations *self, const FdIntegration *integration,
                            GCancellable *cancellable, GAsyncReadyCallback callback,
                            gpointer user_data)
{
  g_autoptr (GTask) task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                           "this server cannot send test events yet");
}

__attribute__ ((weak)) gboolean
fd_integrations_test_finish (GAsyncResult *res, FdSinkResult *result, GError **error)
{
  return g_task_propagate_boolean (G_TASK (res), error);
}

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
