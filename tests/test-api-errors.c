/* test-api-errors.c — every error of docs/rest-api.md against a real fleetdesk-server, one
 * table row per failing request: its status, its stable code, the field it names (and that the
 * message names it too), the Allow header of a 405 — and that nothing was half-written: the
 * totals of every list and the objects of a fixture are the same after the request as before.
 */
#include "fd-test-api-util.h"

#define FD_T_BODY_LIMIT (64 * 1024)

/* A failing request. Paths are under /api/v1; paths, bodies and `in_message` may name the
 * fixture's objects: {A} {B} workspaces; {DA} {DB} their default fleets; {FA} {FA2} fleets of A,
 * {FB} a fleet of B; {D} (in {FA}) {D2} (in {FA2}) devices of A. {N101} is a 101-character name,
 * {D1001} a 1001-character description, {U101} 101 two-byte characters; a body of exactly
 * "{BIG}" is 64 KiB + 1 byte of JSON. `auth`: NULL sends the admin token, "" no Authorization
 * header, else the header's value ({ADMIN} is the admin token). */
typedef struct
{
  const char *name;
  const char *method;
  const char *path;
  const char *body;
  const char *auth;
  guint status;
  const char *code;
  const char *field;
  const char *in_message;
  const char *allow;
} FdErrorCase;

#define NOWKS FD_T_NO_WKS
#define NOFLT FD_T_NO_FLT
#define NODEV FD_T_NO_DEV
#define NOTOK FD_T_NO_TOK
/* clang-format off */
#define BAD(n, m, p, b, code, f) { n, m, p, b, NULL, 400, code, f, NULL, NULL }
#define AUTH(n, m, p, b, a) { n, m, p, b, a, 401, "unauthorized", NULL, NULL, NULL }
#define MISSING(n, m, p, b, id) { n, m, p, b, NULL, 404, "not_found", NULL, id, NULL }
#define NOMETHOD(n, m, p, allow) \
  { n, m, p, NULL, NULL, 405, "method_not_allowed", NULL, NULL, allow }
#define CONFLICT(n, m, p, b) { n, m, p, b, NULL, 409, "conflict", NULL, NULL, NULL }
#define TOOBIG(n, m, p) { n, m, p, "{BIG}", NULL, 413, "payload_too_large", NULL, NULL, NULL }
#define MJ "malformed_json"
#define IF "invalid_field"
#define IP "invalid_parameter"

static const FdErrorCase cases[] = {
  BAD ("400/malformed/garbage", "POST", "/workspaces", "{not json", MJ, NULL),
  BAD ("400/malformed/array", "POST", "/workspaces", "[1, 2]", MJ, NULL),
  BAD ("400/malformed/string", "POST", "/workspaces", "\"Lab\"", MJ, NULL),
  BAD ("400/malformed/empty", "POST", "/workspaces", "", MJ, NULL),
  BAD ("400/malformed/truncated-patch", "PATCH", "/workspaces/{A}", "{\"name\": ", MJ, NULL),
  BAD ("400/malformed/null-fleet", "POST", "/workspaces/{A}/fleets", "null", MJ, NULL),
  BAD ("400/malformed/number-fleet-patch", "PATCH", "/fleets/{FA}", "42", MJ, NULL),
  BAD ("400/malformed/device", "POST", "/workspaces/{A}/devices", "{,}", MJ, NULL),
  BAD ("400/malformed/device-patch-array", "PATCH", "/devices/{D}", "[]", MJ, NULL),
  BAD ("400/malformed/token", "POST", "/tokens", "{", MJ, NULL),
  BAD ("400/malformed/two-objects", "POST", "/workspaces", "{\"name\": \"x\"} {\"name\": \"y\"}",
       MJ, NULL),
  BAD ("400/malformed/object-then-text", "POST", "/workspaces", "{\"name\": \"x\"} 1", MJ, NULL),
  BAD ("400/field/missing-name", "POST", "/workspaces", "{}", IF, "name"),
  BAD ("400/field/only-description", "POST", "/workspaces", "{\"description\": \"x\"}", IF, "name"),
  BAD ("400/field/name-101", "POST", "/workspaces", "{\"name\": \"{N101}\"}", IF, "name"),
  BAD ("400/field/name-blank", "POST", "/workspaces", "{\"name\": \"   \"}", IF, "name"),
  BAD ("400/field/name-whitespace", "POST", "/workspaces", "{\"name\": \" \\t\\n \"}", IF, "name"),
  BAD ("400/field/name-number", "POST", "/workspaces", "{\"name\": 42}", IF, "name"),
  BAD ("400/field/name-null", "POST", "/workspaces", "{\"name\": null}", IF, "name"),
  BAD ("400/field/name-array", "POST", "/workspaces", "{\"name\": [\"Lab\"]}", IF, "name"),
  BAD ("400/field/name-object", "POST", "/workspaces", "{\"name\": {\"x\": 1}}", IF, "name"),
  BAD ("400/field/name-control", "POST", "/workspaces", "{\"name\": \"a\\u0001b\"}", IF, "name"),
  BAD ("400/field/name-tab", "POST", "/workspaces", "{\"name\": \"a\\tb\"}", IF, "name"),
  BAD ("400/field/name-nul", "POST", "/workspaces", "{\"name\": \"ab\\u0000cd\"}", IF, "name"),
  BAD ("400/field/device-name-nul", "POST", "/workspaces/{A}/devices", "{\"name\": \"d\\u0000x\"}",
       IF, "name"),
  BAD ("400/field/token-name-nul", "POST", "/tokens", "{\"name\": \"t\\u0000\"}", IF, "name"),
  BAD ("400/field/name-lone-surrogate", "POST", "/workspaces", "{\"name\": \"x\\udc00y\"}", IF,
       "name"),
  BAD ("400/field/name-del", "POST", "/workspaces", "{\"name\": \"a\\u007fb\"}", IF, "name"),
  BAD ("400/field/name-101-chars", "POST", "/workspaces", "{\"name\": \"{U101}\"}", IF, "name"),
  BAD ("400/field/description-1001", "POST", "/workspaces",
       "{\"name\": \"ok\", \"description\": \"{D1001}\"}", IF, "description"),
  BAD ("400/field/description-number", "POST", "/workspaces",
       "{\"name\": \"ok\", \"description\": 5}", IF, "description"),
  BAD ("400/field/patch-name-empty", "PATCH", "/workspaces/{A}", "{\"name\": \"\"}", IF, "name"),
  BAD ("400/field/patch-name-number", "PATCH", "/workspaces/{A}", "{\"name\": 101}", IF, "name"),
  BAD ("400/field/patch-description-1001", "PATCH", "/workspaces/{A}",
       "{\"description\": \"{D1001}\"}", IF, "description"),
  BAD ("400/field/fleet-missing-name", "POST", "/workspaces/{A}/fleets", "{}", IF, "name"),
  BAD ("400/field/fleet-name-101", "POST", "/workspaces/{A}/fleets", "{\"name\": \"{N101}\"}", IF,
       "name"),
  BAD ("400/field/fleet-patch-blank", "PATCH", "/fleets/{FA}", "{\"name\": \"  \"}", IF, "name"),
  BAD ("400/field/fleet-patch-description", "PATCH", "/fleets/{FA}", "{\"description\": false}",
       IF, "description"),
  BAD ("400/field/device-missing-name", "POST", "/workspaces/{A}/devices", "{}", IF, "name"),
  BAD ("400/field/device-name-101", "POST", "/workspaces/{A}/devices", "{\"name\": \"{N101}\"}",
       IF, "name"),
  BAD ("400/field/device-foreign-fleet", "POST", "/workspaces/{A}/devices",
       "{\"name\": \"new-1\", \"fleet_id\": \"{FB}\"}", IF, "fleet_id"),
  BAD ("400/field/device-unknown-fleet", "POST", "/workspaces/{A}/devices",
       "{\"name\": \"new-2\", \"fleet_id\": \"" NOFLT "\"}", IF, "fleet_id"),
  BAD ("400/field/device-fleet-number", "POST", "/workspaces/{A}/devices",
       "{\"name\": \"new-3\", \"fleet_id\": 7}", IF, "fleet_id"),
  BAD ("400/field/device-move-foreign", "PATCH", "/devices/{D}", "{\"fleet_id\": \"{FB}\"}", IF,
       "fleet_id"),
  BAD ("400/field/device-move-unknown", "PATCH", "/devices/{D}",
       "{\"fleet_id\": \"" NOFLT "\"}", IF, "fleet_id"),
  BAD ("400/field/device-name-bool", "PATCH", "/devices/{D}", "{\"name\": true}", IF, "name"),
  BAD ("400/field/device-name-empty", "PATCH", "/devices/{D}", "{\"name\": \"\"}", IF, "name"),
  BAD ("400/field/token-missing-name", "POST", "/tokens", "{}", IF, "name"),
  BAD ("400/field/token-name-101", "POST", "/tokens", "{\"name\": \"{N101}\"}", IF, "name"),
  BAD ("400/field/token-name-number", "POST", "/tokens", "{\"name\": 1}", IF, "name"),
  BAD ("400/param/unknown", "GET", "/workspaces?bogus=1", NULL, IP, "bogus"),
  BAD ("400/param/size-0", "GET", "/workspaces?size=0", NULL, IP, "size"),
  BAD ("400/param/size-1001", "GET", "/workspaces?size=1001", NULL, IP, "size"),
  BAD ("400/param/size-word", "GET", "/workspaces?size=ten", NULL, IP, "size"),
  BAD ("400/param/size-empty", "GET", "/workspaces?size=", NULL, IP, "size"),
  BAD ("400/param/from-word", "GET", "/workspaces?from=abc", NULL, IP, "from"),
  BAD ("400/param/from-negative", "GET", "/workspaces?from=-1", NULL, IP, "from"),
  BAD ("400/param/from-fraction", "GET", "/workspaces?from=1.5", NULL, IP, "from"),
  BAD ("400/param/fleets-unknown", "GET", "/workspaces/{A}/fleets?colour=red", NULL, IP, "colour"),
  BAD ("400/param/fleets-size-0", "GET", "/workspaces/{A}/fleets?size=0", NULL, IP, "size"),
  BAD ("400/param/devices-sort", "GET", "/workspaces/{A}/devices?sort=colour", NULL, IP, "sort"),
  BAD ("400/param/devices-fleet-not-an-id", "GET", "/workspaces/{A}/devices?fleet=nonsense", NULL,
       IP, "fleet"),
  BAD ("400/param/devices-unknown", "GET", "/workspaces/{A}/devices?nope=1", NULL, IP, "nope"),
  BAD ("400/param/devices-size-1001", "GET", "/workspaces/{A}/devices?size=1001", NULL, IP,
       "size"),
  BAD ("400/param/devices-from-word", "GET", "/workspaces/{A}/devices?from=x", NULL, IP, "from"),
  BAD ("400/param/tokens-size-0", "GET", "/tokens?size=0", NULL, IP, "size"),
  BAD ("400/param/tokens-search", "GET", "/tokens?search=ci", NULL, IP, "search"),
  BAD ("400/param/audit-size-1001", "GET", "/audit?size=1001", NULL, IP, "size"),
  BAD ("400/param/audit-unknown", "GET", "/audit?bogus=1", NULL, IP, "bogus"),
  BAD ("400/param/audit-sort", "GET", "/audit?sort=name", NULL, IP, "sort"),
  BAD ("400/param/workspace-force", "DELETE", "/workspaces/{A}?force=maybe", NULL, IP, "force"),
  BAD ("400/param/fleet-force", "DELETE", "/fleets/{FA}?force=yes", NULL, IP, "force"),
  AUTH ("401/none", "GET", "/workspaces", NULL, ""),
  AUTH ("401/unknown-token", "GET", "/workspaces", NULL, "Bearer not-a-token"),
  AUTH ("401/token-suffix", "GET", "/workspaces", NULL, "Bearer {ADMIN}x"),
  AUTH ("401/empty-bearer", "GET", "/workspaces", NULL, "Bearer "),
  AUTH ("401/basic", "GET", "/workspaces", NULL, "Basic {ADMIN}"),
  AUTH ("401/create", "POST", "/workspaces", "{\"name\": \"sneaky\"}", ""),
  AUTH ("401/delete", "DELETE", "/workspaces/{B}?force=true", NULL, ""),
  AUTH ("401/delete-device", "DELETE", "/devices/{D}", NULL, "Bearer not-a-token"),
  AUTH ("401/audit", "GET", "/audit", NULL, ""),
  AUTH ("401/token", "POST", "/tokens", "{\"name\": \"mine\"}", ""),
  /* A path that is not UTF-8 once decoded is quoted back made valid: the answer stays JSON. */
  MISSING ("404/path/not-utf8", "GET", "/x%FF", NULL, "/api/v1/x"),
  MISSING ("404/workspace-get", "GET", "/workspaces/" NOWKS, NULL, NOWKS),
  MISSING ("404/workspace-patch", "PATCH", "/workspaces/" NOWKS, "{\"name\": \"x\"}", NOWKS),
  MISSING ("404/workspace-delete", "DELETE", "/workspaces/" NOWKS, NULL, NOWKS),
  MISSING ("404/workspace-fleets", "GET", "/workspaces/" NOWKS "/fleets", NULL, NOWKS),
  MISSING ("404/workspace-fleet-create", "POST", "/workspaces/" NOWKS "/fleets",
           "{\"name\": \"x\"}", NOWKS),
  MISSING ("404/workspace-devices", "GET", "/workspaces/" NOWKS "/devices", NULL, NOWKS),
  MISSING ("404/workspace-device-create", "POST", "/workspaces/" NOWKS "/devices",
           "{\"name\": \"x\"}", NOWKS),
  MISSING ("404/fleet-get", "GET", "/fleets/" NOFLT, NULL, NOFLT),
  MISSING ("404/fleet-patch", "PATCH", "/fleets/" NOFLT, "{\"name\": \"x\"}", NOFLT),
  MISSING ("404/fleet-delete", "DELETE", "/fleets/" NOFLT, NULL, NOFLT),
  MISSING ("404/device-get", "GET", "/devices/" NODEV, NULL, NODEV),
  MISSING ("404/device-patch", "PATCH", "/devices/" NODEV, "{\"name\": \"x\"}", NODEV),
  MISSING ("404/device-delete", "DELETE", "/devices/" NODEV, NULL, NODEV),
  MISSING ("404/token-delete", "DELETE", "/tokens/" NOTOK, NULL, NOTOK),
  MISSING ("404/workspace-id-as-device", "GET", "/devices/{A}", NULL, "{A}"),
  MISSING ("404/not-an-id", "GET", "/devices/nonsense", NULL, NULL),
  MISSING ("404/path", "GET", "/nope", NULL, NULL),
  MISSING ("404/path-under-workspace", "GET", "/workspaces/{A}/nope", NULL, NULL),
  MISSING ("404/path-devices-collection", "POST", "/devices", "{\"name\": \"x\"}", NULL),
  MISSING ("404/path-fleets-collection", "GET", "/fleets", NULL, NULL),
  MISSING ("404/path-nested-fleet", "GET", "/workspaces/{A}/fleets/{FA}", NULL, NULL),
  NOMETHOD ("405/workspaces", "DELETE", "/workspaces", "GET, POST"),
  NOMETHOD ("405/workspace", "PUT", "/workspaces/{A}", "GET, PATCH, DELETE"),
  NOMETHOD ("405/fleets", "PATCH", "/workspaces/{A}/fleets", "GET, POST"),
  NOMETHOD ("405/fleet", "POST", "/fleets/{FA}", "GET, PATCH, DELETE"),
  NOMETHOD ("405/devices", "DELETE", "/workspaces/{A}/devices", "GET, POST"),
  NOMETHOD ("405/device", "PUT", "/devices/{D}", "GET, PATCH, DELETE"),
  NOMETHOD ("405/tokens", "PATCH", "/tokens", "GET, POST"),
  NOMETHOD ("405/token", "GET", "/tokens/" NOTOK, "DELETE"),
  NOMETHOD ("405/audit", "POST", "/audit", "GET"),
  NOMETHOD ("405/health", "POST", "/health", "GET"),
  CONFLICT ("409/workspace-name", "POST", "/workspaces", "{\"name\": \"errors-B\"}"),
  CONFLICT ("409/workspace-name-trimmed", "POST", "/workspaces", "{\"name\": \"  errors-B  \"}"),
  CONFLICT ("409/workspace-rename", "PATCH", "/workspaces/{A}", "{\"name\": \"errors-B\"}"),
  CONFLICT ("409/fleet-default-name", "POST", "/workspaces/{A}/fleets", "{\"name\": \"default\"}"),
  CONFLICT ("409/fleet-name", "POST", "/workspaces/{A}/fleets", "{\"name\": \"line-1\"}"),
  CONFLICT ("409/fleet-rename", "PATCH", "/fleets/{FA2}", "{\"name\": \"line-1\"}"),
  CONFLICT ("409/default-fleet-rename", "PATCH", "/fleets/{DA}", "{\"name\": \"line-2\"}"),
  CONFLICT ("409/device-name", "POST", "/workspaces/{A}/devices", "{\"name\": \"sensor-1\"}"),
  CONFLICT ("409/device-name-other-fleet", "POST", "/workspaces/{A}/devices",
            "{\"name\": \"sensor-1\", \"fleet_id\": \"{FA2}\"}"),
  CONFLICT ("409/device-rename", "PATCH", "/devices/{D2}", "{\"name\": \"sensor-1\"}"),
  CONFLICT ("409/delete-default-fleet", "DELETE", "/fleets/{DA}", NULL),
  CONFLICT ("409/delete-default-fleet-force", "DELETE", "/fleets/{DA}?force=true", NULL),
  CONFLICT ("409/delete-default-fleet-with-devices", "DELETE", "/fleets/{DB}?force=true", NULL),
  CONFLICT ("409/delete-fleet-with-devices", "DELETE", "/fleets/{FA}", NULL),
  CONFLICT ("409/delete-fleet-force-false", "DELETE", "/fleets/{FA}?force=false", NULL),
  CONFLICT ("409/delete-workspace-with-devices", "DELETE", "/workspaces/{A}", NULL),
  CONFLICT ("409/delete-workspace-force-false", "DELETE", "/workspaces/{A}?force=false", NULL),
  TOOBIG ("413/workspace-create", "POST", "/workspaces"),
  TOOBIG ("413/workspace-patch", "PATCH", "/workspaces/{A}"),
  TOOBIG ("413/fleet-create", "POST", "/workspaces/{A}/fleets"),
  TOOBIG ("413/device-create", "POST", "/workspaces/{A}/devices"),
  TOOBIG ("413/device-patch", "PATCH", "/devices/{D}"),
  TOOBIG ("413/token-create", "POST", "/tokens"),
};
/* clang-format on */

static FdTestServer *srv;
static char *fixture[9][2]; /* placeholder, id */

/* A JSON object of @len bytes: {"name":"big"} padded with blanks (JSON whitespace). */
static char *
padded_body (gsize len)
{
  const char *head = "{\"name\": \"big-body\"";
  g_autoptr (GString) s = g_string_new (head);

  while (s->len < len - 1)
    g_string_append_c (s, ' ');
  g_string_append_c (s, '}');
  g_assert_cmpuint (s->len, ==, len);
  return g_string_free (g_steal_pointer (&s), FALSE);
}

static char *
expand (const char *text)
{
  g_autoptr (GString) s = NULL;
  g_autofree char *n101 = g_strnfill (101, 'x');
  g_autofree char *d1001 = g_strnfill (1001, 'd');
  g_autoptr (GString) u101 = g_string_new (NULL);

  if (text == NULL)
    return NULL;
  if (strcmp (text, "{BIG}") == 0)
    return padded_body (FD_T_BODY_LIMIT + 1);
  s = g_string_new (text);
  /* Longest placeholders first: {FA2} before {FA}, {D2} before {D}. */
  for (guint i = 0; i < G_N_ELEMENTS (fixture); i++)
    g_string_replace (s, fixture[i][0], fixture[i][1], 0);
  g_string_replace (s, "{N101}", n101, 0);
  for (guint i = 0; i < 101; i++)
    g_string_append (u101, "ü");
  g_string_replace (s, "{U101}", u101->str, 0);
  g_string_replace (s, "{D1001}", d1001, 0);
  g_string_replace (s, "{ADMIN}", srv->token, 0);
  return g_string_free (g_steal_pointer (&s), FALSE);
}

/* One request with any Authorization header (or none); the answer's status, headers and
 * text. */
static char *
send_raw (const char *method, const char *path, const char *body, const char *authorization,
          guint *status, SoupMessageHeaders **headers)
{
  g_autofree char *uri = g_strconcat (srv->url, FD_T_API, path, NULL);
  g_autoptr (SoupMessage) msg = soup_message_new (method, uri);
  g_autoptr (GBytes) answer = NULL;
  g_autoptr (GError) error = NULL;

  g_assert_nonnull (msg);
  if (authorization != NULL)
    soup_message_headers_replace (soup_message_get_request_headers (msg), "Authorization",
                                  authorization);
  if (body != NULL)
    {
      g_autoptr (GBytes) bytes = g_bytes_new (body, strlen (body));
      soup_message_set_request_body_from_bytes (msg, "application/json", bytes);
    }
  answer = soup_session_send_and_read (srv->session, msg, NULL, &error);
  g_assert_no_error (error);
  *status = soup_message_get_status (msg);
  *headers = soup_message_headers_ref (soup_message_get_response_headers (msg));
  return g_strndup (g_bytes_get_data (answer, NULL), g_bytes_get_size (answer));
}

/* Everything a failed request must leave as it was: the total of every list and the fixture's
 * objects as the API shows them. */
static char *
snapshot (void)
{
  static const char *lists[] = { "/workspaces",
                                 "/audit",
                                 "/tokens",
                                 "/workspaces/{A}/fleets",
                                 "/workspaces/{A}/devices",
                                 "/workspaces/{B}/fleets",
                                 "/workspaces/{B}/devices" };
  static const char *objects[]
      = { "/workspaces/{A}", "/workspaces/{B}", "/fleets/{FA}", "/fleets/{FA2}",
          "/fleets/{DA}",    "/fleets/{FB}",    "/devices/{D}", "/devices/{D2}" };
  g_autoptr (GString) s = g_string_new (NULL);

  for (guint i = 0; i < G_N_ELEMENTS (lists); i++)
    {
      g_autofree char *path = expand (lists[i]);
      g_autofree char *full = g_strconcat (FD_T_API, path, NULL);

      g_string_append_printf (s, "%s total %" G_GINT64_FORMAT "\n", lists[i],
                              fd_t_total (srv, full));
    }
  for (guint i = 0; i < G_N_ELEMENTS (objects); i++)
    {
      g_autofree char *path = expand (objects[i]);
      g_autofree char *full = g_strconcat (FD_T_API, path, NULL);
      g_autoptr (JsonNode) node = fd_t_call (srv, "GET", full, NULL, 200);
      g_autofree char *text = json_to_string (node, FALSE);

      g_string_append_printf (s, "%s %s\n", objects[i], text);
    }
  return g_string_free (g_steal_pointer (&s), FALSE);
}

static int
compare_strings (gconstpointer a, gconstpointer b)
{
  return strcmp (*(char *const *)a, *(char *const *)b);
}

/* The methods of an Allow header, upper case, sorted, without HEAD and OPTIONS (which a
 * server may add on its own). */
static char *
allow_set (const char *allow)
{
  g_auto (GStrv) parts = g_strsplit (allow ? allow : "", ",", -1);
  g_autoptr (GPtrArray) kept = g_ptr_array_new_with_free_func (g_free);

  for (guint i = 0; parts[i] != NULL; i++)
    {
      char *m = g_ascii_strup (g_strstrip (parts[i]), -1);

      if (*m == '\0' || strcmp (m, "HEAD") == 0 || strcmp (m, "OPTIONS") == 0)
        g_free (m);
      else
        g_ptr_array_add (kept, m);
    }
  g_ptr_array_sort (kept, compare_strings);
  g_ptr_array_add (kept, NULL);
  return g_strjoinv (",", (char **)kept->pdata);
}

/* The lines of @after that differ from @before, as "- old" / "+ new". */
static void
append_changes (GString *out, const char *before, const char *after)
{
  g_auto (GStrv) b = g_strsplit (before, "\n", -1);
  g_auto (GStrv) a = g_strsplit (after, "\n", -1);

  for (guint i = 0; b[i] != NULL && a[i] != NULL; i++)
    if (strcmp (a[i], b[i]) != 0)
      g_string_append_printf (out, "\n  - %s\n  + %s", b[i], a[i]);
}

/* Checks one row. A mismatch fails the test without stopping the program, so that a run with
 * --keep-going (-k) lists every row the server gets wrong. */
static void
run_case (gconstpointer data)
{
  const FdErrorCase *c = data;
  g_autofree char *path = expand (c->path);
  g_autofree char *body = expand (c->body);
  g_autofree char *auth = NULL;
  g_autofree char *before = snapshot ();
  g_autofree char *after = NULL;
  g_autofree char *text = NULL;
  g_autofree char *wrong = NULL;
  g_autoptr (SoupMessageHeaders) headers = NULL;
  g_autoptr (JsonNode) node = NULL;
  g_autoptr (GString) problems = g_string_new (NULL);
  const char *type;
  guint status = 0;

  if (c->auth == NULL)
    auth = g_strconcat ("Bearer ", srv->token, NULL);
  else if (*c->auth != '\0')
    auth = expand (c->auth);

  text = send_raw (c->method, path, body, auth, &status, &headers);
  node = json_from_string (text, NULL);
  wrong = fd_t_check_error (node, status, c->status, c->code, c->field);
  if (wrong != NULL)
    g_string_append_printf (problems, "; %s", wrong);
  type = soup_message_headers_get_content_type (headers, NULL);
  if (g_strcmp0 (type, "application/json") != 0)
    g_string_append_printf (problems, "; Content-Type is \"%s\", not application/json",
                            type ? type : "(none)");
  if (wrong == NULL && c->in_message != NULL)
    {
      g_autofree char *want = expand (c->in_message);
      JsonObject *err = json_object_get_object_member (fd_t_obj (node), "error");
      const char *message = json_object_get_string_member_with_default (err, "message", "");

      if (strstr (message, want) == NULL)
        g_string_append_printf (problems, "; the message \"%s\" does not name %s", message, want);
    }
  if (c->allow != NULL)
    {
      g_autofree char *want = allow_set (c->allow);
      g_autofree char *got = allow_set (soup_message_headers_get_one (headers, "Allow"));

      if (strcmp (got, want) != 0)
        g_string_append_printf (problems, "; Allow lists [%s], expected [%s]", got, want);
    }

  /* Nothing half-written. */
  after = snapshot ();
  if (strcmp (after, before) != 0)
    {
      g_string_append (problems, "; the failed request changed the state:");
      append_changes (problems, before, after);
    }
  if (problems->len > 0)
    g_test_fail_printf ("%s %s%s%s", c->method, FD_T_API, path, problems->str);
}

static void
test_body_at_limit (void)
{
  /* Exactly 64 KiB is still accepted. */
  g_autofree char *body = padded_body (FD_T_BODY_LIMIT);
  g_autoptr (JsonNode) wks
      = fd_t_create (srv, FD_T_API "/workspaces", body, FD_T_API "/workspaces");

  g_assert_cmpstr (fd_t_str (wks, "name"), ==, "big-body");
}

static void
test_health_without_token (void)
{
  guint status = 0;
  g_autoptr (SoupMessageHeaders) headers = NULL;
  g_autofree char *text = send_raw ("GET", "/health", NULL, NULL, &status, &headers);
  g_autoptr (JsonNode) node = json_from_string (text, NULL);

  g_assert_cmpuint (status, ==, 200);
  g_assert_cmpstr (fd_t_str (node, "status"), ==, "ok");
}

static void
make_fixture (void)
{
  g_autoptr (JsonNode) a = fd_t_make_workspace (srv, "errors-A");
  g_autoptr (JsonNode) b = fd_t_make_workspace (srv, "errors-B");
  g_autoptr (JsonNode) fa = fd_t_make_fleet (srv, fd_t_str (a, "id"), "line-1");
  g_autoptr (JsonNode) fa2 = fd_t_make_fleet (srv, fd_t_str (a, "id"), "line-2");
  g_autoptr (JsonNode) fb = fd_t_make_fleet (srv, fd_t_str (b, "id"), "line-1");
  g_autoptr (JsonNode) d
      = fd_t_make_device (srv, fd_t_str (a, "id"), "sensor-1", fd_t_str (fa, "id"));
  g_autoptr (JsonNode) d2
      = fd_t_make_device (srv, fd_t_str (a, "id"), "sensor-2", fd_t_str (fa2, "id"));
  /* The same device name in another workspace is fine. */
  g_autoptr (JsonNode) db = fd_t_make_device (srv, fd_t_str (b, "id"), "sensor-1", NULL);
  const char *ids[][2] = {
    { "{FA2}", fd_t_str (fa2, "id") },
    { "{FA}", fd_t_str (fa, "id") },
    { "{FB}", fd_t_str (fb, "id") },
    { "{DA}", fd_t_str (a, "default_fleet_id") },
    { "{DB}", fd_t_str (b, "default_fleet_id") },
    { "{D2}", fd_t_str (d2, "id") },
    { "{D}", fd_t_str (d, "id") },
    { "{A}", fd_t_str (a, "id") },
    { "{B}", fd_t_str (b, "id") },
  };

  G_STATIC_ASSERT (G_N_ELEMENTS (ids) == G_N_ELEMENTS (fixture));
  g_assert_cmpstr (fd_t_str (db, "name"), ==, fd_t_str (d, "name"));
  for (guint i = 0; i < G_N_ELEMENTS (ids); i++)
    {
      fixture[i][0] = g_strdup (ids[i][0]);
      fixture[i][1] = g_strdup (ids[i][1]);
    }
}

int
main (int argc, char **argv)
{
  int ret;

  g_test_init (&argc, &argv, NULL);
  srv = fd_test_server_start ();
  fd_t_kill_server_on_abort (srv);
  make_fixture ();

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *name = g_strconcat ("/api-errors/", cases[i].name, NULL);
      g_test_add_data_func (name, &cases[i], run_case);
    }
  g_test_add_func ("/api-errors/413/at-limit-accepted", test_body_at_limit);
  g_test_add_func ("/api-errors/401/health-needs-no-token", test_health_without_token);

  ret = g_test_run ();
  fd_test_server_stop (srv);
  for (guint i = 0; i < G_N_ELEMENTS (fixture); i++)
    {
      g_free (fixture[i][0]);
      g_free (fixture[i][1]);
    }
  return ret;
}
