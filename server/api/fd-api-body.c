/* fd-api-body.c — request bodies: one JSON object, every field bounded and checked. */
#include "fd-api-private.h"
#include "fd-util.h"

#include <string.h>

/* Nesting deeper than this is refused before it is walked. */
#define MAX_JSON_DEPTH 8

/* Checks that the body is one JSON value nested at most MAX_JSON_DEPTH levels, with nothing but
 * whitespace after it (json-glib would take "{…} {…}" and use the last), and rewrites every
 * escaped NUL (\u0000) as \u001f: json-glib would silently cut the string at the NUL
 * ("ab\u0000cd" becomes "ab"), while a control character survives parsing and is refused by the
 * field's own check, which names the field. */
static gboolean
prescan (char *text, gsize len)
{
  int depth = 0;
  gboolean in_string = FALSE, closed = FALSE;

  for (gsize i = 0; i < len; i++)
    {
      char c = text[i];
      if (in_string)
        {
          if (c == '\\' && i + 5 < len && memcmp (text + i + 1, "u0000", 5) == 0)
            memcpy (text + i + 1, "u001f", 5);
          if (c == '\\')
            i++;
          else if (c == '"')
            in_string = FALSE;
          continue;
        }
      if (closed && !g_ascii_isspace (c))
        return FALSE;
      if (c == '"')
        in_string = TRUE;
      else if (c == '{' || c == '[')
        {
          if (++depth > MAX_JSON_DEPTH)
            return FALSE;
        }
      else if ((c == '}' || c == ']') && --depth == 0)
        closed = TRUE;
    }
  return TRUE;
}

JsonObject *
fd_api_body_object (FdApiRequest *req, JsonNode **owner)
{
  SoupMessageBody *body = soup_server_message_get_request_body (req->msg);
  g_autoptr (GBytes) bytes = soup_message_body_flatten (body);
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonParser) parser = NULL;
  gsize len = 0;
  const char *raw = g_bytes_get_data (bytes, &len);
  g_autofree char *data = g_memdup2 (raw, len); /* prescan() edits it */

  *owner = NULL;
  /* The route's limit (the got-headers check already refused a declared length over it). */
  if (len > req->max_body)
    {
      fd_api_reply_error (req, SOUP_STATUS_REQUEST_ENTITY_TOO_LARGE, "payload_too_large", NULL,
                          "the request body is over the limit of %" G_GSIZE_FORMAT " bytes",
                          req->max_body);
      return NULL;
    }
  if (len == 0)
    {
      fd_api_reply_error (req, SOUP_STATUS_BAD_REQUEST, "malformed_json", NULL,
                          "this request needs a JSON object as its body");
      return NULL;
    }
  if (!g_utf8_validate (data, len, NULL) || !prescan (data, len))
    {
      fd_api_reply_error (req, SOUP_STATUS_BAD_REQUEST, "malformed_json", NULL,
                          "the body must be one UTF-8 JSON object, nested at most %d levels",
                          MAX_JSON_DEPTH);
      return NULL;
    }
  parser = json_parser_new_immutable ();
  if (!json_parser_load_from_data (parser, data, (gssize)len, &error))
    {
      fd_api_reply_error (req, SOUP_STATUS_BAD_REQUEST, "malformed_json", NULL,
                          "the body is not valid JSON: %s", error->message);
      return NULL;
    }
  if (json_parser_get_root (parser) == NULL
      || !JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    {
      fd_api_reply_error (req, SOUP_STATUS_BAD_REQUEST, "malformed_json", NULL,
                          "the body must be a JSON object");
      return NULL;
    }
  *owner = json_node_ref (json_parser_get_root (parser));
  return json_node_get_object (*owner);
}

gboolean
fd_api_body_check_members (FdApiRequest *req, JsonObject *obj, const char *const *allowed)
{
  g_autoptr (GList) members = json_object_get_members (obj);

  for (GList *l = members; l != NULL; l = l->next)
    if (!g_strv_contains (allowed, l->data))
      {
        fd_api_reply_error (req, SOUP_STATUS_BAD_REQUEST, "invalid_field", l->data,
                            "unknown field \"%s\"", (const char *)l->data);
        return FALSE;
      }
  return TRUE;
}

/* The member as a string, or a 400 naming it. NULL in *@out when absent and not required. */
static gboolean
body_string (FdApiRequest *req, JsonObject *obj, const char *member, gboolean required,
             const char **out)
{
  JsonNode *node = json_object_get_member (obj, member);

  *out = NULL;
  if (node == NULL)
    {
      if (!required)
        return TRUE;
      fd_api_reply_error (req, SOUP_STATUS_BAD_REQUEST, "invalid_field", member,
                          "the field \"%s\" is required", member);
      return FALSE;
    }
  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
    {
      fd_api_reply_error (req, SOUP_STATUS_BAD_REQUEST, "invalid_field", member,
                          "the field \"%s\" must be a string", member);
      return FALSE;
    }
  *out = json_node_get_string (node);
  /* json-glib turns an unpaired surrogate escape (\udc00) into bytes that are not UTF-8. */
  if (!g_utf8_validate (*out, -1, NULL))
    {
      *out = NULL;
      fd_api_reply_error (req, SOUP_STATUS_BAD_REQUEST, "invalid_field", member,
                          "the field \"%s\" is not valid UTF-8 text", member);
      return FALSE;
    }
  return TRUE;
}

gboolean
fd_api_body_name (FdApiRequest *req, JsonObject *obj, const char *member, gboolean required,
                  guint max, char **out)
{
  const char *raw;
  g_autofree char *text = NULL;
  glong len;

  *out = NULL;
  if (!body_string (req, obj, member, required, &raw))
    return FALSE;
  if (raw == NULL)
    return TRUE;
  text = g_strstrip (g_strdup (raw));
  len = g_utf8_strlen (text, -1);
  /* A description may be empty; a name may not. */
  if (len == 0 && !g_str_equal (member, "description"))
    {
      fd_api_reply_error (req, SOUP_STATUS_BAD_REQUEST, "invalid_field", member,
                          "the field \"%s\" must not be empty", member);
      return FALSE;
    }
  if (len > (glong)max)
    {
      fd_api_reply_error (req, SOUP_STATUS_BAD_REQUEST, "invalid_field", member,
                          "the field \"%s\" is longer than %u characters", member, max);
      return FALSE;
    }
  for (const char *p = text; *p; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);
      gboolean layout = c == '\n' || c == '\t' || c == '\r';
      if (g_unichar_iscntrl (c) && !(g_str_equal (member, "description") && layout))
        {
          fd_api_reply_error (req, SOUP_STATUS_BAD_REQUEST, "invalid_field", member,
                              "the field \"%s\" must not contain control characters", member);
          return FALSE;
        }
    }
  *out = g_steal_pointer (&text);
  return TRUE;
}

gboolean
fd_api_body_id (FdApiRequest *req, JsonObject *obj, const char *member, const char *prefix,
                gboolean required, char **out)
{
  const char *raw;

  *out = NULL;
  if (!body_string (req, obj, member, required, &raw))
    return FALSE;
  if (raw == NULL)
    return TRUE;
  if (!fd_id_is_valid (raw, prefix))
    {
      fd_api_reply_error (req, SOUP_STATUS_BAD_REQUEST, "invalid_field", member,
                          "the field \"%s\" must be an ID like %s-…", member, prefix);
      return FALSE;
    }
  *out = g_strdup (raw);
  return TRUE;
}
