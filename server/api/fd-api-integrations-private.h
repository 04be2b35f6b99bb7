/* fd-api-integrations-private.h — what the integrations API files share: the request body
 * checked at the edge (fd-api-integrations-body.c) and the JSON of an integration, its health
 * and its deliveries (fd-api-integrations-json.c). */
#pragma once

#include "fd-api-private.h"
#include "store/fd-store-integrations.h"

G_BEGIN_DECLS

/* A create or PATCH body, every member checked. Absent members are NULL / FALSE / -1. */
typedef struct
{
  gboolean has_type;
  FdIntegrationType type;
  char *name;
  char *url;
  JsonNode *headers; /* an object of strings, checked; NULL when absent */
  char *secret;
  char *dsn;
  gboolean has_kinds;
  guint kinds;
  gboolean has_fleets;
  char **fleets; /* NULL (also when given as [] or null): any */
  gboolean has_tags;
  char **tags;
  gint64 batch_max, batch_delay_ms, max_queued, max_age_s;
} FdApiIntegrationBody;

void fd_api_integration_body_clear (FdApiIntegrationBody *body);

/* Checks @obj (a create body when @create: type and name required, url for a webhook, dsn for
 * PostgreSQL; else a PATCH: type refused). Replies 400 naming the field and returns FALSE at
 * the first bad member. */
gboolean fd_api_integration_body_parse (FdApiRequest *req, JsonObject *obj, gboolean create,
                                        FdApiIntegrationBody *body);

/* Applies @body to @i (a new one with only workspace_id and type set, or a stored one): the
 * settings, config (webhook: url and headers, kept from the stored config when not given;
 * postgresql: the DSN shown without its password) and secret (the webhook secret, generated
 * for a new webhook without one; the DSN). FALSE with *@field and *@message (new) when a member
 * does not fit @i's type. */
gboolean fd_api_integration_apply (const FdApiIntegrationBody *body, FdIntegration *i,
                                   gboolean create, const char **field, char **message);

/* The integration object of the API (docs/openapi.yaml Integration): @health NULL builds it
 * from the row; @secret not NULL adds "secret" (the create answer only). */
void fd_api_json_integration (JsonBuilder *b, const FdIntegration *i,
                              const FdIntegrationHealth *health, const char *secret);
/* {"delivered", "status", "latency_ms", "error"} of a test delivery. */
JsonNode *fd_api_json_integration_test (const FdSinkResult *result);
/* A delivery log item (FdDelivery). */
void fd_api_json_delivery (JsonBuilder *b, gconstpointer record);

/* POST /integrations/{id}/test and /workspaces/{id}/integrations/test (an unsaved create
 * body): one integration.test event through the sink (fd-api-integrations-test.c). */
void fd_api_integration_test (FdApiRequest *req);
void fd_api_integration_test_unsaved (FdApiRequest *req);

G_END_DECLS
