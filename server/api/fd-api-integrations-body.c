/* fd-api-integrations-body.c — an integration's create / PATCH body, checked at the edge: every
 * member bounded, a bad one answered 400 naming it, before any store work. */
#include "fd-api-integrations-private.h"
#include "fd-util.h"

#include <string.h>

/* Bounds not in fd-store-integrations.h: filter lists, a tag, a DSN, a header's size. */
#define MAX_FILTERS 256
#define MAX_TAG_BYTES 256
#define MAX_DSN_BYTES 4096
#define MAX_HEADER_NAME_BYTES 256
#define MAX_HEADER_VALUE_BYTES 4096
#define SECRET_MIN_CHARS 16
#define SECRET_MAX_CHARS 256

static const char *const members[]
    = { "type",   "name", "url",       "secret",         "headers",    "dsn",       "kinds",
        "fleets", "tags", "batch_max", "batch_delay_ms", "max_queued", "max_age_s", NULL };

/* Headers the sink sets itself: a configured one would contradict or forge them. */
static const char *const reserved_headers[]
    = { "Content-Type", "Content-Length", "Host", "Transfer-Encoding", "Connection", NULL };

void
fd_api_integration_body_clear (FdApiIntegrationBody *body)
{
  g_free (body->name);
  g_free (body->url);
  if (body->headers != NULL)
    json_node_unref (body->headers);
  if (body->secret != NULL)
    explicit_bzero (body->secret, strlen (body->secret));
  g_free (body->secret);
  if (body->dsn != NULL)
    explicit_bzero (body->dsn, strlen (body->dsn));
  g_free (body->dsn);
  g_strfreev (body->fleets);
  g_strfreev (body->tags);
  memset (body, 0, sizeof *body);
}

static gboolean
bad (FdApiRequest *req, const char *field, const char *message)
{
  fd_api_reply_error (req, SOUP_STATUS_BAD_REQUEST, "invalid_field", field, "%s", message);
  return FALSE;
}

/* A string member (NULL when absent); a non-string is a 400. */
static gboolean
string_member (FdApiRequest *req, JsonObject *obj, const char *member, const char *what,
               const char **out)
{
  JsonNode *node = json_object_get_member (obj, member);

  *out = NULL;
  if (node == NULL)
    return TRUE;
  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
    return bad (req, member, what);
  *out = json_node_get_string (node);
  return TRUE;
}

static gboolean
has_control (const char *text, gboolean allow_tab)
{
  for (const guchar *p = (const guchar *)text; *p != '\0'; p++)
    if ((*p < 0x20 && !(allow_tab && *p == '\t')) || *p == 0x7f)
      return TRUE;
  return FALSE;
}

/* http:// or https://, a host, at most FD_INTEGRATION_URL_MAX_CHARS. */
static gboolean
check_url (FdApiRequest *req, const char *text)
{
  g_autoptr (GUri) uri = NULL;
  const char *scheme;

  if (strlen (text) > FD_INTEGRATION_URL_MAX_CHARS)
    return bad (req, "url",
                "url is longer than " G_STRINGIFY (FD_INTEGRATION_URL_MAX_CHARS) " characters");
  if (!has_control (text, FALSE))
    uri = g_uri_parse (text, G_URI_FLAGS_NONE, NULL);
  scheme = uri != NULL ? g_uri_get_scheme (uri) : NULL;
  if (scheme == NULL
      || (g_ascii_strcasecmp (scheme, "http") != 0 && g_ascii_strcasecmp (scheme, "https") != 0))
    return bad (req, "url", "url must be an http:// or https:// URL");
  if (g_uri_get_host (uri) == NULL || g_uri_get_host (uri)[0] == '\0')
    return bad (req, "url", "url must name a host (https://host/path)");
  return TRUE;
}

/* RFC 7230 token characters. */
static gboolean
is_token (const char *name)
{
  if (name[0] == '\0')
    return FALSE;
  for (const char *p = name; *p != '\0'; p++)
    if (!g_ascii_isalnum (*p) && strchr ("!#$%&'*+-.^_`|~", *p) == NULL)
      return FALSE;
  return TRUE;
}

static gboolean
check_headers (FdApiRequest *req, JsonNode *node)
{
  JsonObject *obj;
  g_autoptr (GList) names = NULL;

  if (!JSON_NODE_HOLDS_OBJECT (node))
    return bad (req, "headers", "headers must be an object of header names to string values");
  obj = json_node_get_object (node);
  if (json_object_get_size (obj) > FD_INTEGRATION_MAX_HEADERS)
    return bad (req, "headers",
                "headers may hold at most " G_STRINGIFY (FD_INTEGRATION_MAX_HEADERS) " headers");
  names = json_object_get_members (obj);
  for (GList *l = names; l != NULL; l = l->next)
    {
      const char *name = l->data;
      JsonNode *value = json_object_get_member (obj, name);
      g_autofree char *message = NULL;

      if (strlen (name) > MAX_HEADER_NAME_BYTES || !is_token (name))
        message
            = g_strdup_printf ("headers: the name \"%.64s\" is not a valid HTTP header name", name);
      else if (g_ascii_strncasecmp (name, "X-Fleetdesk-", 12) == 0)
        message
            = g_strdup_printf ("headers: %s is set by Fleetdesk and cannot be configured", name);
      else
        for (guint r = 0; reserved_headers[r] != NULL; r++)
          if (g_ascii_strcasecmp (name, reserved_headers[r]) == 0)
            message = g_strdup_printf ("headers: %s is set by Fleetdesk and cannot be configured",
                                       name);
      for (GList *e = names; message == NULL && e != l; e = e->next)
        if (g_ascii_strcasecmp (e->data, name) == 0)
          message
              = g_strdup_printf ("headers: %s is given twice (names are not case-sensitive)", name);
      if (message == NULL
          && (!JSON_NODE_HOLDS_VALUE (value) || json_node_get_value_type (value) != G_TYPE_STRING))
        message = g_strdup_printf ("headers: the value of %s must be a string", name);
      else if (message == NULL && strlen (json_node_get_string (value)) > MAX_HEADER_VALUE_BYTES)
        message = g_strdup_printf ("headers: the value of %s is longer than %d bytes", name,
                                   MAX_HEADER_VALUE_BYTES);
      else if (message == NULL && has_control (json_node_get_string (value), TRUE))
        message = g_strdup_printf (
            "headers: the value of %s may not contain line breaks or control characters", name);
      if (message != NULL)
        return bad (req, "headers", message);
    }
  return TRUE;
}

static gboolean
parse_kinds (FdApiRequest *req, JsonNode *node, guint *kinds)
{
  JsonArray *array;

  *kinds = 0;
  if (!JSON_NODE_HOLDS_ARRAY (node))
    return bad (req, "kinds",
                "kinds must be an array of: data, conditions, devices, jobs, "
                "campaigns, alerts");
  array = json_node_get_array (node);
  for (guint n = 0; n < json_array_get_length (array); n++)
    {
      JsonNode *e = json_array_get_element (array, n);
      const char *name = JSON_NODE_HOLDS_VALUE (e) && json_node_get_value_type (e) == G_TYPE_STRING
                             ? json_node_get_string (e)
                             : NULL;
      FdOutboxKind kind;

      if (name == NULL || !fd_outbox_kind_parse (name, &kind) || kind == FD_OUTBOX_KIND_TEST)
        {
          g_autofree char *message = g_strdup_printf (
              "kinds[%u] is not one of: data, conditions, devices, jobs, campaigns, alerts", n);
          return bad (req, "kinds", message);
        }
      *kinds |= kind;
    }
  if (*kinds == 0)
    return bad (req, "kinds", "kinds must name at least one kind of event");
  return TRUE;
}

static gboolean
parse_tags (FdApiRequest *req, JsonNode *node, char ***out)
{
  g_autoptr (GPtrArray) tags = g_ptr_array_new_with_free_func (g_free);
  JsonArray *array;

  *out = NULL;
  if (JSON_NODE_HOLDS_NULL (node))
    return TRUE;
  if (!JSON_NODE_HOLDS_ARRAY (node)
      || json_array_get_length (json_node_get_array (node)) > MAX_FILTERS)
    return bad (req, "tags",
                "tags must be an array of at most " G_STRINGIFY (MAX_FILTERS) " tag names");
  array = json_node_get_array (node);
  for (guint n = 0; n < json_array_get_length (array); n++)
    {
      JsonNode *e = json_array_get_element (array, n);
      const char *tag = JSON_NODE_HOLDS_VALUE (e) && json_node_get_value_type (e) == G_TYPE_STRING
                            ? json_node_get_string (e)
                            : NULL;
      if (tag == NULL || tag[0] == '\0' || strlen (tag) > MAX_TAG_BYTES || has_control (tag, FALSE))
        {
          g_autofree char *message
              = g_strdup_printf ("tags[%u] must be a tag name of 1 to %d bytes", n, MAX_TAG_BYTES);
          return bad (req, "tags", message);
        }
      g_ptr_array_add (tags, g_strdup (tag));
    }
  if (tags->len == 0)
    return TRUE;
  g_ptr_array_add (tags, NULL);
  *out = (char **)g_ptr_array_free (g_steal_pointer (&tags), FALSE);
  return TRUE;
}

static gboolean
parse_secrets (FdApiRequest *req, JsonObject *obj, FdApiIntegrationBody *body)
{
  const char *text;
  glong len;

  if (!string_member (req, obj, "secret", "secret must be a string", &text))
    return FALSE;
  if (text != NULL)
    {
      len = g_utf8_strlen (text, -1);
      if (len < SECRET_MIN_CHARS || len > SECRET_MAX_CHARS || has_control (text, FALSE))
        return bad (req, "secret",
                    "secret must be " G_STRINGIFY (SECRET_MIN_CHARS) " to " G_STRINGIFY (
                        SECRET_MAX_CHARS) " characters without control characters");
      body->secret = g_strdup (text);
    }
  if (!string_member (req, obj, "dsn", "dsn must be a PostgreSQL connection string", &text))
    return FALSE;
  if (text != NULL)
    {
      if (text[0] == '\0' || strlen (text) > MAX_DSN_BYTES || has_control (text, FALSE))
        return bad (req, "dsn",
                    "dsn must be a PostgreSQL connection string (host=… dbname=… "
                    "user=… or postgresql://…) of at most " G_STRINGIFY (MAX_DSN_BYTES) " bytes");
      body->dsn = g_strdup (text);
    }
  return TRUE;
}

static gboolean
parse_numbers (FdApiRequest *req, JsonObject *obj, FdApiIntegrationBody *body)
{
  body->batch_max = body->batch_delay_ms = body->max_queued = body->max_age_s = -1;
  return fd_api_body_int (req, obj, "batch_max", 1, FD_INTEGRATION_BATCH_MAX_LIMIT,
                          &body->batch_max)
         && fd_api_body_int (req, obj, "batch_delay_ms", 0, FD_INTEGRATION_BATCH_DELAY_MS_LIMIT,
                             &body->batch_delay_ms)
         && fd_api_body_int (req, obj, "max_queued", 1, G_MAXINT64, &body->max_queued)
         && fd_api_body_int (req, obj, "max_age_s", 60, G_MAXINT32, &body->max_age_s);
}

gboolean
fd_api_integration_body_parse (FdApiRequest *req, JsonObject *obj, gboolean create,
                               FdApiIntegrationBody *body)
{
  const char *text;
  JsonNode *node;
  int bad_index;

  memset (body, 0, sizeof *body);
  if (!fd_api_body_check_members (req, obj, members))
    return FALSE;
  if (!string_member (req, obj, "type", "type must be webhook or postgresql", &text))
    return FALSE;
  if (text != NULL && !create)
    return bad (req, "type", "the type of an integration cannot be changed");
  if (text != NULL && !fd_integration_type_parse (text, &body->type))
    return bad (req, "type", "type must be webhook or postgresql");
  if (create && text == NULL)
    return bad (req, "type", "type (webhook or postgresql) is required");
  body->has_type = text != NULL;
  if (!fd_api_body_name (req, obj, "name", create, FD_INTEGRATION_NAME_MAX_CHARS, &body->name))
    return FALSE;
  if (!string_member (req, obj, "url", "url must be an http:// or https:// URL", &text))
    return FALSE;
  if (text != NULL && !check_url (req, text))
    return FALSE;
  body->url = g_strdup (text);
  if ((node = json_object_get_member (obj, "headers")) != NULL)
    {
      if (!check_headers (req, node))
        return FALSE;
      body->headers = json_node_ref (node);
    }
  if (!parse_secrets (req, obj, body))
    return FALSE;
  if ((node = json_object_get_member (obj, "kinds")) != NULL)
    {
      if (!parse_kinds (req, node, &body->kinds))
        return FALSE;
      body->has_kinds = TRUE;
    }
  body->has_fleets = json_object_has_member (obj, "fleets");
  if (!fd_api_body_ids (obj, "fleets", "flt", MAX_FILTERS, &body->fleets, &bad_index))
    {
      g_autofree char *message
          = bad_index < 0 ? g_strdup ("fleets must be an array of fleet IDs (flt-…)")
                          : g_strdup_printf ("fleets[%d] is not a fleet ID (flt-…)", bad_index);
      return bad (req, "fleets", message);
    }
  if (body->fleets != NULL && body->fleets[0] == NULL)
    g_clear_pointer (&body->fleets, g_strfreev);
  body->has_tags = (node = json_object_get_member (obj, "tags")) != NULL;
  if (node != NULL && !parse_tags (req, node, &body->tags))
    return FALSE;
  if (!parse_numbers (req, obj, body))
    return FALSE;
  if (create && body->type == FD_INTEGRATION_WEBHOOK && body->url == NULL)
    return bad (req, "url", "a webhook integration needs a url (http:// or https://)");
  if (create && body->type == FD_INTEGRATION_POSTGRESQL && body->dsn == NULL)
    return bad (req, "dsn",
                "a postgresql integration needs a dsn (host=… dbname=… user=… "
                "password=…)");
  return TRUE;
}

/* The stored webhook config's url and headers (either may be missing from a broken row). */
static void
config_parts (const char *config, char **url, JsonNode **headers)
{
  g_autoptr (JsonParser) parser = json_parser_new ();
  JsonObject *obj;

  *url = NULL;
  *headers = NULL;
  if (config == NULL || !json_parser_load_from_data (parser, config, -1, NULL)
      || !JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    return;
  obj = json_node_get_object (json_parser_get_root (parser));
  *url = g_strdup (json_object_get_string_member_with_default (obj, "url", NULL));
  if (json_object_has_member (obj, "headers"))
    *headers = json_node_copy (json_object_get_member (obj, "headers"));
}

static char *
webhook_config (const char *url, JsonNode *headers)
{
  g_autoptr (JsonBuilder) b = json_builder_new ();
  g_autoptr (JsonNode) root = NULL;

  json_builder_begin_object (b);
  fd_api_json_string (b, "url", url);
  json_builder_set_member_name (b, "headers");
  if (headers != NULL && JSON_NODE_HOLDS_OBJECT (headers))
    json_builder_add_value (b, json_node_copy (headers));
  else
    {
      json_builder_begin_object (b);
      json_builder_end_object (b);
    }
  json_builder_end_object (b);
  root = json_builder_get_root (b);
  return json_to_string (root, FALSE);
}

static gboolean
misfit (const char *member, FdIntegrationType type, const char **field, char **message)
{
  *field = member;
  *message = g_strdup_printf ("%s does not apply to a %s integration", member,
                              fd_integration_type_name (type));
  return FALSE;
}

gboolean
fd_api_integration_apply (const FdApiIntegrationBody *body, FdIntegration *i, gboolean create,
                          const char **field, char **message)
{
  *field = NULL;
  *message = NULL;
  if (i->type == FD_INTEGRATION_WEBHOOK)
    {
      g_autofree char *url = NULL;
      g_autoptr (JsonNode) headers = NULL;

      if (body->dsn != NULL)
        return misfit ("dsn", i->type, field, message);
      if (body->url != NULL || body->headers != NULL || create)
        {
          config_parts (i->config, &url, &headers);
          if (body->url != NULL)
            {
              g_free (url);
              url = g_strdup (body->url);
            }
          if (body->headers != NULL)
            {
              g_clear_pointer (&headers, json_node_unref);
              headers = json_node_copy (body->headers);
            }
          g_free (i->config);
          i->config = webhook_config (url, headers);
        }
      if (body->secret != NULL || (create && i->secret == NULL))
        {
          g_free (i->secret);
          i->secret = body->secret != NULL ? g_strdup (body->secret) : fd_token_new_secret ();
        }
    }
  else
    {
      if (body->url != NULL)
        return misfit ("url", i->type, field, message);
      if (body->headers != NULL)
        return misfit ("headers", i->type, field, message);
      if (body->secret != NULL)
        return misfit ("secret", i->type, field, message);
      if (body->dsn != NULL)
        {
          g_autoptr (GError) error = NULL;
          g_autofree char *shown = fd_sink_postgres_display (body->dsn, &error);
          g_autoptr (JsonBuilder) b = json_builder_new ();
          g_autoptr (JsonNode) root = NULL;

          if (shown == NULL)
            {
              *field = "dsn";
              *message = g_strdup_printf ("dsn is not a PostgreSQL connection string: %s",
                                          error != NULL ? error->message : "it does not parse");
              return FALSE;
            }
          json_builder_begin_object (b);
          fd_api_json_string (b, "database", shown);
          json_builder_end_object (b);
          root = json_builder_get_root (b);
          g_free (i->config);
          i->config = json_to_string (root, FALSE);
          if (i->secret != NULL)
            explicit_bzero (i->secret, strlen (i->secret));
          g_free (i->secret);
          i->secret = g_strdup (body->dsn);
        }
    }
  if (body->name != NULL)
    {
      g_free (i->name);
      i->name = g_strdup (body->name);
    }
  if (body->has_kinds)
    i->kinds = body->kinds;
  else if (create)
    i->kinds = FD_OUTBOX_KINDS_DEFAULT;
  if (body->has_fleets)
    {
      g_strfreev (i->fleets);
      i->fleets = g_strdupv (body->fleets);
    }
  if (body->has_tags)
    {
      g_strfreev (i->tags);
      i->tags = g_strdupv (body->tags);
    }
#define SETTING(member, fallback)                                                                  \
  if (body->member >= 0)                                                                           \
    i->member = body->member;                                                                      \
  else if (create)                                                                                 \
    i->member = fallback;
  SETTING (batch_max, FD_INTEGRATION_BATCH_MAX_DEFAULT)
  SETTING (batch_delay_ms, FD_INTEGRATION_BATCH_DELAY_MS_DEFAULT)
  SETTING (max_queued, FD_INTEGRATION_MAX_QUEUED_DEFAULT)
  SETTING (max_age_s, FD_INTEGRATION_MAX_AGE_S_DEFAULT)
#undef SETTING
  return TRUE;
}
