/* fd-api-integrations-json.c — the JSON of an integration (its settings, never its secret, and
 * its health), of a test delivery and of the delivery log. */
#include "fd-api-integrations-private.h"

static void
kinds_member (JsonBuilder *b, guint kinds)
{
  json_builder_set_member_name (b, "kinds");
  json_builder_begin_array (b);
  for (guint bit = 1; bit < FD_OUTBOX_KIND_TEST; bit <<= 1)
    if (kinds & bit)
      json_builder_add_string_value (b, fd_outbox_kind_name (bit));
  json_builder_end_array (b);
}

/* The members of the stored config (url and headers, or database), copied as they are. */
static void
config_members (JsonBuilder *b, const FdIntegration *i)
{
  g_autoptr (JsonParser) parser = json_parser_new ();
  static const char *const webhook[] = { "url", "headers", NULL };
  static const char *const postgresql[] = { "database", NULL };
  const char *const *names = i->type == FD_INTEGRATION_WEBHOOK ? webhook : postgresql;
  JsonObject *obj = NULL;

  if (i->config != NULL && json_parser_load_from_data (parser, i->config, -1, NULL)
      && JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    obj = json_node_get_object (json_parser_get_root (parser));
  for (guint n = 0; names[n] != NULL; n++)
    {
      JsonNode *node = obj != NULL ? json_object_get_member (obj, names[n]) : NULL;
      json_builder_set_member_name (b, names[n]);
      if (node != NULL)
        json_builder_add_value (b, json_node_copy (node));
      else if (g_str_equal (names[n], "headers"))
        {
          json_builder_begin_object (b);
          json_builder_end_object (b);
        }
      else
        json_builder_add_null_value (b);
    }
}

static void
health_member (JsonBuilder *b, const FdIntegration *i, const FdIntegrationHealth *h)
{
  /* Without delivery workers (the API alone) the row is all there is to tell. */
  FdIntegrationHealth row = {
    .state = i->paused ? FD_INTEGRATION_PAUSED : FD_INTEGRATION_IDLE,
    .delivered = i->delivered,
    .failed = i->failed,
    .dropped = i->dropped,
    .last_error = i->last_error,
    .last_error_at = i->last_error_at,
    .last_success_at = i->last_success_at,
  };

  FdIntegrationState state;

  if (h == NULL)
    h = &row;
  /* The row says whether it is paused: the worker may not have taken the change in yet. */
  state = h->state;
  if (i->paused)
    state = FD_INTEGRATION_PAUSED;
  else if (state == FD_INTEGRATION_PAUSED)
    state = FD_INTEGRATION_IDLE;
  json_builder_set_member_name (b, "health");
  json_builder_begin_object (b);
  fd_api_json_string (b, "state", fd_integration_state_name (state));
  fd_api_json_int (b, "queue_depth", h->queue_depth);
  fd_api_json_time (b, "oldest_queued", h->oldest_queued);
  json_builder_set_member_name (b, "rate_per_s");
  json_builder_add_double_value (b, h->rate_per_s);
  fd_api_json_time (b, "next_attempt_at", h->next_attempt_at);
  fd_api_json_int (b, "delivered", h->delivered);
  fd_api_json_int (b, "failed", h->failed);
  fd_api_json_int (b, "dropped", h->dropped);
  fd_api_json_string (b, "last_error", h->last_error);
  fd_api_json_time (b, "last_error_at", h->last_error_at);
  fd_api_json_time (b, "last_success_at", h->last_success_at);
  json_builder_end_object (b);
}

void
fd_api_json_integration (JsonBuilder *b, const FdIntegration *i, const FdIntegrationHealth *health,
                         const char *secret)
{
  json_builder_begin_object (b);
  fd_api_json_string (b, "id", i->id);
  fd_api_json_string (b, "workspace_id", i->workspace_id);
  fd_api_json_string (b, "type", fd_integration_type_name (i->type));
  fd_api_json_string (b, "name", i->name);
  config_members (b, i);
  if (i->type == FD_INTEGRATION_WEBHOOK)
    fd_api_json_bool (b, "has_secret", i->secret != NULL && i->secret[0] != '\0');
  if (secret != NULL)
    fd_api_json_string (b, "secret", secret);
  kinds_member (b, i->kinds);
  fd_api_json_strv (b, "fleets", i->fleets);
  fd_api_json_strv (b, "tags", i->tags);
  fd_api_json_int (b, "batch_max", i->batch_max);
  fd_api_json_int (b, "batch_delay_ms", i->batch_delay_ms);
  fd_api_json_int (b, "max_queued", i->max_queued);
  fd_api_json_int (b, "max_age_s", i->max_age_s);
  fd_api_json_bool (b, "paused", i->paused);
  health_member (b, i, health);
  fd_api_json_time (b, "created_at", i->created_at);
  fd_api_json_time (b, "updated_at", i->updated_at);
  json_builder_end_object (b);
}

JsonNode *
fd_api_json_integration_test (const FdSinkResult *result)
{
  g_autoptr (JsonBuilder) b = json_builder_new ();

  json_builder_begin_object (b);
  fd_api_json_bool (b, "delivered", result->outcome == FD_SINK_DELIVERED);
  fd_api_json_int (b, "status", result->status);
  fd_api_json_int (b, "latency_ms", result->latency_ms);
  fd_api_json_string (b, "error", result->error);
  json_builder_end_object (b);
  return json_builder_get_root (b);
}

void
fd_api_json_delivery (JsonBuilder *b, gconstpointer record)
{
  const FdDelivery *d = record;

  json_builder_begin_object (b);
  fd_api_json_int (b, "id", d->id);
  fd_api_json_string (b, "batch_id", d->batch_id);
  fd_api_json_string (b, "kind", fd_outbox_kind_name (d->kind));
  fd_api_json_int (b, "items", d->items);
  fd_api_json_int (b, "attempt", d->attempt);
  fd_api_json_time (b, "time", d->at);
  fd_api_json_int (b, "latency_ms", d->latency_ms);
  fd_api_json_int (b, "status", d->status);
  fd_api_json_string (b, "outcome", d->outcome);
  fd_api_json_string (b, "error", d->error);
  json_builder_end_object (b);
}
