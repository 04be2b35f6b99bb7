/* fd-api-metrics.c — GET /metrics: Prometheus text exposition (format 0.0.4) of the
 * integrations' queues and deliveries and a few engine gauges, behind the API's bearer token.
 * It lives at the root, not under /api/v1, where scrapers look for it. */
#include "config.h"

#include "fd-api-private.h"

void
fd_api_metrics (FdApiRequest *req)
{
  FdApi *api = req->api;
  GString *out = g_string_new (NULL);
  g_autoptr (GBytes) body = NULL;

  if (!fd_api_check_params (req, (const char *const[]){ NULL }))
    {
      g_string_free (out, TRUE);
      return;
    }
  g_string_append (out, "# HELP fleetdesk_build_info The running Fleetdesk.\n"
                        "# TYPE fleetdesk_build_info gauge\n");
  g_string_append_printf (out, "fleetdesk_build_info{version=\"%s\"} 1\n", PACKAGE_VERSION);
  g_string_append (out, "# HELP fleetdesk_api_requests_in_flight API requests being answered.\n"
                        "# TYPE fleetdesk_api_requests_in_flight gauge\n");
  g_string_append_printf (out, "fleetdesk_api_requests_in_flight %u\n", api->in_flight);
  g_string_append (out, "# HELP fleetdesk_event_streams Open /api/v1/events WebSockets.\n"
                        "# TYPE fleetdesk_event_streams gauge\n");
  g_string_append_printf (out, "fleetdesk_event_streams %u\n",
                          api->event_streams ? g_hash_table_size (api->event_streams) : 0);
  if (api->context.integrations != NULL)
    fd_integrations_metrics (api->context.integrations, out);
  body = g_string_free_to_bytes (out);
  fd_api_reply_bytes (req, SOUP_STATUS_OK, "text/plain; version=0.0.4; charset=utf-8", body);
}
