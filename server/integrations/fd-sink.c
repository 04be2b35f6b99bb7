/* fd-sink.c — making the sink of an integration, and the calls every sink answers. */
#include "config.h"

#include "fd-sink.h"

#include <json-glib/json-glib.h>

void
fd_sink_result_clear (FdSinkResult *result)
{
  g_clear_pointer (&result->error, g_free);
  result->outcome = FD_SINK_DELIVERED;
  result->status = 0;
  result->retry_after_ms = 0;
  result->latency_ms = 0;
}

void
fd_sink_deliver (FdSink *sink, const FdOutboxBatch *batch, GCancellable *cancellable,
                 FdSinkResult *result)
{
  sink->klass->deliver (sink, batch, cancellable, result);
}

void
fd_sink_free (FdSink *sink)
{
  if (sink != NULL)
    sink->klass->free (sink);
}

/* A webhook's config: {"url": "...", "headers": {"Name": "value", ...}}. */
static FdSink *
webhook_new (const FdIntegration *integration, GError **error)
{
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autoptr (GPtrArray) names = g_ptr_array_new ();
  g_autoptr (GPtrArray) values = g_ptr_array_new ();
  JsonObject *config, *headers = NULL;
  const char *url;

  if (!json_parser_load_from_data (parser, integration->config, -1, NULL)
      || !JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   "integration %s has a config that is not a JSON object", integration->id);
      return NULL;
    }
  config = json_node_get_object (json_parser_get_root (parser));
  url = json_object_get_string_member_with_default (config, "url", NULL);
  if (url == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "integration %s has no url",
                   integration->id);
      return NULL;
    }
  if (json_object_has_member (config, "headers")
      && JSON_NODE_HOLDS_OBJECT (json_object_get_member (config, "headers")))
    headers = json_object_get_object_member (config, "headers");
  if (headers != NULL)
    {
      g_autoptr (GList) members = json_object_get_members (headers);
      for (GList *l = members; l != NULL; l = l->next)
        {
          const char *value = json_object_get_string_member_with_default (headers, l->data, NULL);
          if (value == NULL)
            continue;
          g_ptr_array_add (names, l->data);
          g_ptr_array_add (values, (gpointer)value);
        }
    }
  g_ptr_array_add (names, NULL);
  g_ptr_array_add (values, NULL);
  return fd_sink_webhook_new (integration->id, url, (const char *const *)names->pdata,
                              (const char *const *)values->pdata, integration->secret, error);
}

FdSink *
fd_sink_new (const FdIntegration *integration, GError **error)
{
  switch (integration->type)
    {
    case FD_INTEGRATION_WEBHOOK:
      return webhook_new (integration, error);
    case FD_INTEGRATION_POSTGRESQL:
      return fd_sink_postgres_new (integration->id, integration->secret, error);
    default:
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED, "unknown sink type");
      return NULL;
    }
}
