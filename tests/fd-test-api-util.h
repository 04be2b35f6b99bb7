/* fd-test-api-util.h — assertions shared by the operator API tests (test-api*.c).
 *
 * Header-only (static inline) so that each test program stays one source file in the table of
 * tests/meson.build. Every helper asserts what a user of the API sees: statuses, error codes,
 * the field an error names, the shape of ids and times.
 */
#pragma once

#include <signal.h>
#include <string.h>

#include "fd-test-server.h"

G_BEGIN_DECLS

#define FD_T_API "/api/v1"

/* A syntactically valid id that no server will ever have made. */
#define FD_T_NO_WKS "wks-aaaaaaaaaaaaaaaaaaaa"
#define FD_T_NO_FLT "flt-aaaaaaaaaaaaaaaaaaaa"
#define FD_T_NO_DEV "dev-aaaaaaaaaaaaaaaaaaaa"
#define FD_T_NO_TOK "tok-aaaaaaaaaaaaaaaaaaaa"

static inline JsonObject *
fd_t_obj (JsonNode *node)
{
  g_assert_nonnull (node);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (node));
  return json_node_get_object (node);
}

/* The member @name of @node as a string; fails the test if it is absent or not a string. */
static inline const char *
fd_t_str (JsonNode *node, const char *name)
{
  JsonNode *m = json_object_get_member (fd_t_obj (node), name);

  if (m == NULL || json_node_get_value_type (m) != G_TYPE_STRING)
    g_error ("member \"%s\" is missing or not a string", name);
  return json_node_get_string (m);
}

static inline gint64
fd_t_int (JsonNode *node, const char *name)
{
  JsonNode *m = json_object_get_member (fd_t_obj (node), name);

  if (m == NULL || json_node_get_value_type (m) != G_TYPE_INT64)
    g_error ("member \"%s\" is missing or not an integer", name);
  return json_node_get_int (m);
}

static inline gboolean
fd_t_bool (JsonNode *node, const char *name)
{
  JsonNode *m = json_object_get_member (fd_t_obj (node), name);

  if (m == NULL || json_node_get_value_type (m) != G_TYPE_BOOLEAN)
    g_error ("member \"%s\" is missing or not a boolean", name);
  return json_node_get_boolean (m);
}

/* TRUE when the member is present and JSON null. */
static inline gboolean
fd_t_is_null (JsonNode *node, const char *name)
{
  JsonNode *m = json_object_get_member (fd_t_obj (node), name);

  return m != NULL && JSON_NODE_HOLDS_NULL (m);
}

static inline JsonArray *
fd_t_items (JsonNode *list)
{
  JsonNode *m = json_object_get_member (fd_t_obj (list), "items");

  g_assert_nonnull (m);
  g_assert_true (JSON_NODE_HOLDS_ARRAY (m));
  return json_node_get_array (m);
}

static inline JsonNode *
fd_t_item (JsonNode *list, guint i)
{
  return json_array_get_element (fd_t_items (list), i);
}

static inline void
fd_t_assert_id (const char *id, const char *prefix)
{
  g_autofree char *pattern = g_strdup_printf ("^%s-[a-z2-7]{20}$", prefix);

  g_assert_nonnull (id);
  if (!g_regex_match_simple (pattern, id, 0, 0))
    g_error ("\"%s\" is not a %s- id (prefix and 20 base32 characters)", id, prefix);
}

/* RFC 3339 UTC with milliseconds, as the contract promises for every time. */
static inline void
fd_t_assert_time (const char *at)
{
  g_assert_nonnull (at);
  if (!g_regex_match_simple ("^\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z$", at, 0, 0))
    g_error ("\"%s\" is not RFC 3339 UTC with milliseconds", at);
}

/* Sends a request with the admin token and fails the test unless the status is @expected. */
static inline JsonNode *
fd_t_call (FdTestServer *srv, const char *method, const char *path, const char *body,
           guint expected)
{
  return fd_test_api_expect (srv, method, path, body, expected);
}

/* A JSON object with string members, from NULL-terminated name/value pairs (properly escaped). */
static inline char *
fd_t_body (const char *first_name, ...)
{
  g_autoptr (JsonBuilder) b = json_builder_new ();
  g_autoptr (JsonNode) root = NULL;
  const char *name = first_name;
  va_list ap;

  va_start (ap, first_name);
  json_builder_begin_object (b);
  while (name != NULL)
    {
      json_builder_set_member_name (b, name);
      json_builder_add_string_value (b, va_arg (ap, const char *));
      name = va_arg (ap, const char *);
    }
  json_builder_end_object (b);
  va_end (ap);
  root = json_builder_get_root (b);
  return json_to_string (root, FALSE);
}

/* TRUE when @message names @field: as written ("fleet_id"), in words ("fleet id"), or for an
 * id field by the object it refers to ("fleet flt-… is not in workspace …"). */
static inline gboolean
fd_t_message_names (const char *message, const char *field)
{
  g_autofree char *words = g_strdelimit (g_strdup (field), "_", ' ');
  g_autofree char *noun
      = g_str_has_suffix (field, "_id") ? g_strndup (field, strlen (field) - strlen ("_id")) : NULL;

  if (strstr (message, field) != NULL || strstr (message, words) != NULL)
    return TRUE;
  return noun != NULL && strstr (message, noun) != NULL;
}

/* Checks an error answer: status, stable code, and (when @field is not NULL) that `field`
 * names it and the message mentions it, so a person knows what to fix. Returns NULL when all
 * holds, else what is wrong. */
static inline char *
fd_t_check_error (JsonNode *node, guint status, guint expected_status, const char *code,
                  const char *field)
{
  g_autofree char *text = node ? json_to_string (node, FALSE) : g_strdup ("(no body)");
  JsonNode *err_node;
  JsonObject *err;
  const char *message;

  if (status != expected_status)
    return g_strdup_printf ("expected status %u (%s), got %u: %s", expected_status, code, status,
                            text);
  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    return g_strdup_printf ("error answer is not a JSON object: %s", text);
  err_node = json_object_get_member (json_node_get_object (node), "error");
  if (err_node == NULL || !JSON_NODE_HOLDS_OBJECT (err_node))
    return g_strdup_printf ("error answer has no \"error\" object: %s", text);
  err = json_node_get_object (err_node);
  if (g_strcmp0 (json_object_get_string_member_with_default (err, "code", NULL), code) != 0)
    return g_strdup_printf ("expected error code \"%s\": %s", code, text);
  message = json_object_get_string_member_with_default (err, "message", NULL);
  if (message == NULL || *message == '\0')
    return g_strdup_printf ("error has no message: %s", text);
  if (field != NULL)
    {
      if (g_strcmp0 (json_object_get_string_member_with_default (err, "field", NULL), field) != 0)
        return g_strdup_printf ("expected \"field\": \"%s\": %s", field, text);
      if (!fd_t_message_names (message, field))
        return g_strdup_printf ("the message does not name \"%s\": %s", field, text);
    }
  return NULL;
}

/* Like fd_t_check_error(), but fails the test program at once. */
static inline void
fd_t_assert_error (JsonNode *node, guint status, guint expected_status, const char *code,
                   const char *field)
{
  g_autofree char *wrong = fd_t_check_error (node, status, expected_status, code, field);

  if (wrong != NULL)
    g_error ("%s", wrong);
}

/* Sends a request and checks that it fails with @expected_status and @code (and @field). */
static inline void
fd_t_expect_error (FdTestServer *srv, const char *method, const char *path, const char *body,
                   guint expected_status, const char *code, const char *field)
{
  guint status = 0;
  g_autoptr (JsonNode) node = fd_test_api (srv, method, path, body, &status);

  if (status != expected_status)
    g_test_message ("%s %s %s", method, path, body ? body : "");
  fd_t_assert_error (node, status, expected_status, code, field);
}

/* `total` of the list at @path (GET, admin token, must answer 200). */
static inline gint64
fd_t_total (FdTestServer *srv, const char *path)
{
  g_autoptr (JsonNode) list = fd_t_call (srv, "GET", path, NULL, 200);

  return fd_t_int (list, "total");
}

/* The value of response header @name, or NULL. */
static inline char *
fd_t_header (SoupMessageHeaders *headers, const char *name)
{
  const char *v = headers ? soup_message_headers_get_one (headers, name) : NULL;

  return g_strdup (v);
}

/* Answers with a body are JSON: Content-Type application/json (a charset may follow). */
static inline void
fd_t_assert_json_type (SoupMessageHeaders *headers)
{
  const char *type = soup_message_headers_get_content_type (headers, NULL);

  if (g_strcmp0 (type, "application/json") != 0)
    g_error ("Content-Type is \"%s\", not application/json", type ? type : "(none)");
}

/* POST @body to @path expecting 201; checks the Location header points at the new object
 * (its path ends with @object_path_prefix followed by the new id) and returns the object. */
static inline JsonNode *
fd_t_create (FdTestServer *srv, const char *path, const char *body, const char *object_path_prefix)
{
  g_autoptr (SoupMessageHeaders) headers = NULL;
  g_autofree char *location = NULL;
  g_autofree char *want = NULL;
  guint status = 0;
  JsonNode *node = fd_test_api_full (srv, "POST", path, NULL, body, strlen (body), srv->token,
                                     &status, &headers);

  if (status != 201)
    {
      g_autofree char *text = node ? json_to_string (node, FALSE) : g_strdup ("(no body)");
      g_error ("POST %s %s: expected 201, got %u: %s", path, body, status, text);
    }
  fd_t_assert_json_type (headers);
  location = fd_t_header (headers, "Location");
  want = g_strconcat (object_path_prefix, "/", fd_t_str (node, "id"), NULL);
  if (location == NULL || !g_str_has_suffix (location, want))
    g_error ("POST %s: Location \"%s\" does not end with \"%s\"", path,
             location ? location : "(none)", want);
  return node;
}

static inline JsonNode *
fd_t_make_workspace (FdTestServer *srv, const char *name)
{
  g_autofree char *body = fd_t_body ("name", name, NULL);

  return fd_t_create (srv, FD_T_API "/workspaces", body, FD_T_API "/workspaces");
}

static inline JsonNode *
fd_t_make_fleet (FdTestServer *srv, const char *workspace_id, const char *name)
{
  g_autofree char *body = fd_t_body ("name", name, NULL);
  g_autofree char *path = g_strdup_printf (FD_T_API "/workspaces/%s/fleets", workspace_id);

  return fd_t_create (srv, path, body, FD_T_API "/fleets");
}

/* Makes a device; @fleet_id NULL leaves it to the workspace's default fleet. */
static inline JsonNode *
fd_t_make_device (FdTestServer *srv, const char *workspace_id, const char *name,
                  const char *fleet_id)
{
  g_autofree char *body = fleet_id ? fd_t_body ("name", name, "fleet_id", fleet_id, NULL)
                                   : fd_t_body ("name", name, NULL);
  g_autofree char *path = g_strdup_printf (FD_T_API "/workspaces/%s/devices", workspace_id);

  return fd_t_create (srv, path, body, FD_T_API "/devices");
}

/* GET @path (a single object) and return its `@member` as an integer. */
static inline gint64
fd_t_get_int (FdTestServer *srv, const char *path, const char *member)
{
  g_autoptr (JsonNode) node = fd_t_call (srv, "GET", path, NULL, 200);

  return fd_t_int (node, member);
}

static GPid fd_t_server_pid;

static inline void
fd_t_on_abort (int sig)
{
  kill (fd_t_server_pid, SIGTERM);
  signal (sig, SIG_DFL);
  raise (sig);
}

/* A failed assertion aborts the test program; without this its server would outlive it. */
static inline void
fd_t_kill_server_on_abort (FdTestServer *srv)
{
  fd_t_server_pid = srv->pid;
  signal (SIGABRT, fd_t_on_abort);
  signal (SIGTRAP, fd_t_on_abort);
}

G_END_DECLS
