/* fd-store-integrations.c — integration rows. */
#include "fd-store-integrations.h"

#include <sqlite3.h>
#include <string.h>

void
fd_integration_free (FdIntegration *i)
{
  if (i == NULL)
    return;
  g_free (i->id);
  g_free (i->workspace_id);
  g_free (i->name);
  g_free (i->config);
  if (i->secret != NULL)
    explicit_bzero (i->secret, strlen (i->secret));
  g_free (i->secret);
  g_strfreev (i->fleets);
  g_strfreev (i->tags);
  g_free (i->inflight_batch);
  g_free (i->last_error);
  g_free (i);
}

const char *
fd_integration_type_name (FdIntegrationType type)
{
  return type == FD_INTEGRATION_POSTGRESQL ? "postgresql" : "webhook";
}

gboolean
fd_integration_type_parse (const char *name, FdIntegrationType *type)
{
  if (g_strcmp0 (name, "webhook") == 0)
    *type = FD_INTEGRATION_WEBHOOK;
  else if (g_strcmp0 (name, "postgresql") == 0)
    *type = FD_INTEGRATION_POSTGRESQL;
  else
    return FALSE;
  return TRUE;
}
