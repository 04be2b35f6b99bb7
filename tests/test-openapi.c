/* test-openapi.c — docs/openapi.yaml and the router describe the same API.
 *
 * The router's routes come from `$FD_SERVER_BIN routes` (one "METHOD /api/v1/path/{id}" per
 * line); the document's from a line-based reading of $FD_SOURCE_DIR/docs/openapi.yaml, which
 * relies on the layout the document states at its top:
 *   - `paths:` and `servers:` start at column 0;
 *   - a path key sits at exactly 2 spaces, unquoted, starts with `/` and ends with `:`;
 *   - an operation key (get, put, post, patch, delete, head, options, trace) sits at exactly
 *     4 spaces under its path; other keys at 4 spaces (`parameters:`) are not operations;
 *   - `security: []` at exactly 6 spaces under an operation marks it as needing no token;
 *   - the first `- url:` under `servers:` is the prefix of every path (`/api/v1`), except
 *     under a path whose own `servers:` (4 spaces, before its operations) names another with
 *     `- url:` at 6 spaces (`/metrics` is at the root).
 * A line that breaks the layout fails the test with its number, rather than being misread.
 *
 * Both sets are compared both ways and every difference is printed. Then the document is
 * checked against the running server: each operation without a token answers 401 (200 for
 * those with `security: []`), and each path answers an undocumented method with 405 and an
 * Allow header listing exactly the documented methods.
 */
#include "config.h"

#include "fd-test-api-util.h"

static FdTestServer *srv;

typedef struct
{
  char *openapi;      /* value of `openapi:` */
  char *info_version; /* `info: version:` */
  char *prefix;       /* path of the first server url, e.g. "/api/v1" */
  GPtrArray *ops;     /* "METHOD /prefix/path", in document order */
  GHashTable *public; /* ops with `security: []` */
  GHashTable *paths;  /* "/prefix/path" -> GPtrArray of methods */
} FdApiDoc;

static FdApiDoc *doc;

static const char *const http_methods[]
    = { "get", "put", "post", "patch", "delete", "head", "options", "trace" };

static gboolean
is_method (const char *key)
{
  for (guint i = 0; i < G_N_ELEMENTS (http_methods); i++)
    if (strcmp (key, http_methods[i]) == 0)
      return TRUE;
  return FALSE;
}

/* The key of "key: value" (NULL if the line has no ':'), and its value. */
static char *
split_key (const char *text, char **value)
{
  const char *colon = strchr (text, ':');

  if (colon == NULL)
    return NULL;
  if (value != NULL)
    *value = g_strstrip (g_strdup (colon + 1));
  return g_strndup (text, colon - text);
}

static char *
unquote (char *s)
{
  gsize n = strlen (s);

  if (n >= 2 && (s[0] == '\'' || s[0] == '"') && s[n - 1] == s[0])
    {
      memmove (s, s + 1, n - 2);
      s[n - 2] = '\0';
    }
  return s;
}

static char *
url_path (const char *url)
{
  const char *p = strstr (url, "://");
  g_autofree char *path = NULL;

  if (p != NULL)
    p = strchr (p + 3, '/');
  else
    p = url;
  path = g_strdup (p ? p : "");
  while (g_str_has_suffix (path, "/"))
    path[strlen (path) - 1] = '\0';
  return g_steal_pointer (&path);
}

static void
fd_api_doc_add_op (FdApiDoc *d, const char *prefix, const char *path, const char *method)
{
  g_autofree char *full = g_strconcat (prefix ? prefix : d->prefix ? d->prefix : "", path, NULL);
  g_autofree char *upper = g_ascii_strup (method, -1);
  GPtrArray *methods = g_hash_table_lookup (d->paths, full);

  if (methods == NULL)
    {
      methods = g_ptr_array_new_with_free_func (g_free);
      g_hash_table_insert (d->paths, g_strdup (full), methods);
    }
  g_ptr_array_add (methods, g_strdup (upper));
  g_ptr_array_add (d->ops, g_strdup_printf ("%s %s", upper, full));
}

/* Reads the document; fails the test (and returns NULL) on a line outside the layout. */
static FdApiDoc *
fd_api_doc_read (const char *file)
{
  g_autofree char *contents = NULL;
  g_autoptr (GError) error = NULL;
  g_auto (GStrv) lines = NULL;
  FdApiDoc *d = g_new0 (FdApiDoc, 1);
  g_autofree char *section = NULL;
  g_autofree char *path = NULL;
  const char *op = NULL;               /* the last operation, while inside it */
  g_autofree char *path_prefix = NULL; /* the path's own server, if it has one */
  gboolean in_path_servers = FALSE;

  g_file_get_contents (file, &contents, NULL, &error);
  g_assert_no_error (error);
  d->ops = g_ptr_array_new_with_free_func (g_free);
  d->public = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  d->paths
      = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify)g_ptr_array_unref);

  lines = g_strsplit (contents, "\n", -1);
  for (guint n = 0; lines[n] != NULL; n++)
    {
      char *line = g_strchomp (lines[n]);
      const char *text = line + strspn (line, " ");
      gsize indent = text - line;
      g_autofree char *value = NULL;
      g_autofree char *key = NULL;

      if (*text == '\0' || *text == '#')
        continue;
      if (*text == '\t')
        g_error ("%s:%u: a tab in the indentation", file, n + 1);
      key = split_key (text, &value);

      if (indent == 0)
        {
          g_free (section);
          section = g_strdup (key ? key : "");
          g_clear_pointer (&path, g_free);
          op = NULL;
          if (g_strcmp0 (key, "openapi") == 0)
            d->openapi = g_strdup (unquote (value));
        }
      else if (g_strcmp0 (section, "info") == 0 && indent == 2 && g_strcmp0 (key, "version") == 0)
        d->info_version = g_strdup (unquote (value));
      else if (g_strcmp0 (section, "servers") == 0 && indent == 2 && d->prefix == NULL
               && g_str_has_prefix (text, "- url:"))
        d->prefix = url_path (unquote (g_strstrip (strchr (text, ':') + 1)));
      else if (g_strcmp0 (section, "paths") == 0 && indent == 2)
        {
          if (*text != '/' || key == NULL || *value != '\0')
            g_error ("%s:%u: expected an unquoted path key like \"  /devices/{id}:\", got \"%s\"",
                     file, n + 1, line);
          g_free (path);
          path = g_steal_pointer (&key);
          op = NULL;
          g_clear_pointer (&path_prefix, g_free);
          in_path_servers = FALSE;
        }
      else if (g_strcmp0 (section, "paths") == 0 && indent == 4)
        {
          if (path == NULL || key == NULL)
            g_error ("%s:%u: a key at 4 spaces outside a path: \"%s\"", file, n + 1, line);
          op = NULL;
          in_path_servers = g_strcmp0 (key, "servers") == 0;
          if (is_method (key))
            {
              if (d->prefix == NULL)
                g_error ("%s:%u: `servers:` must come before `paths:`", file, n + 1);
              fd_api_doc_add_op (d, path_prefix, path, key);
              op = d->ops->pdata[d->ops->len - 1];
            }
        }
      else if (in_path_servers && indent == 6 && g_str_has_prefix (text, "- url:"))
        {
          g_free (path_prefix);
          path_prefix = url_path (unquote (g_strstrip (strchr (text, ':') + 1)));
        }
      else if (op != NULL && indent == 6 && g_strcmp0 (key, "security") == 0
               && strcmp (value, "[]") == 0)
        g_hash_table_add (d->public, g_strdup (op));
    }
  return d;
}

static void
fd_api_doc_free (FdApiDoc *d)
{
  g_free (d->openapi);
  g_free (d->info_version);
  g_free (d->prefix);
  g_ptr_array_unref (d->ops);
  g_hash_table_unref (d->public);
  g_hash_table_unref (d->paths);
  g_free (d);
}

/* The router's routes, one "METHOD /path" each, from `fleetdesk-server routes`. */
static GPtrArray *
router_routes (void)
{
  const char *bin = g_getenv ("FD_SERVER_BIN");
  const char *argv[] = { bin, "routes", NULL };
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autoptr (GError) error = NULL;
  g_auto (GStrv) lines = NULL;
  GPtrArray *routes = g_ptr_array_new_with_free_func (g_free);
  int wait_status = 0;

  g_assert_nonnull (bin);
  g_spawn_sync (NULL, (char **)argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, &out, &err, &wait_status,
                &error);
  g_assert_no_error (error);
  if (!g_spawn_check_wait_status (wait_status, &error))
    g_error ("%s routes: %s\n%s", bin, error->message, err);

  lines = g_strsplit (out, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_auto (GStrv) words = g_strsplit_set (g_strstrip (lines[i]), " \t", -1);
      g_autoptr (GStrvBuilder) kept = g_strv_builder_new ();
      g_auto (GStrv) parts = NULL;

      for (guint w = 0; words[w] != NULL; w++)
        if (*words[w] != '\0')
          g_strv_builder_add (kept, words[w]);
      parts = g_strv_builder_end (kept);
      if (parts[0] == NULL || parts[0][0] == '#')
        continue;
      if (g_strv_length (parts) != 2)
        g_error ("%s routes: expected \"METHOD /path\", got \"%s\"", bin, lines[i]);
      g_ptr_array_add (routes, g_strdup_printf ("%s %s", parts[0], parts[1]));
    }
  return routes;
}

static int
compare_strings (gconstpointer a, gconstpointer b)
{
  return strcmp (*(char *const *)a, *(char *const *)b);
}

/* Prints each of @a not in @b; returns how many. */
static guint
report_missing (GPtrArray *a, GPtrArray *b, const char *what)
{
  g_autoptr (GHashTable) set = g_hash_table_new (g_str_hash, g_str_equal);
  guint missing = 0;

  for (guint i = 0; i < b->len; i++)
    g_hash_table_add (set, b->pdata[i]);
  g_ptr_array_sort (a, compare_strings);
  for (guint i = 0; i < a->len; i++)
    if (!g_hash_table_contains (set, a->pdata[i]))
      {
        g_test_message ("%s: %s", what, (char *)a->pdata[i]);
        missing++;
      }
  return missing;
}

static void
test_document (void)
{
  g_assert_cmpstr (doc->openapi, ==, "3.0.3");
  g_assert_cmpstr (doc->info_version, ==, PACKAGE_VERSION);
  g_assert_cmpstr (doc->prefix, ==, FD_T_API);
  g_assert_cmpuint (doc->ops->len, >, 0);
  g_assert_true (g_hash_table_contains (doc->public, "GET " FD_T_API "/health"));
  g_assert_cmpuint (g_hash_table_size (doc->public), ==, 1);
}

static void
test_routes_match_document (void)
{
  g_autoptr (GPtrArray) routes = router_routes ();
  g_autoptr (GPtrArray) ops = g_ptr_array_copy (doc->ops, (GCopyFunc)g_strdup, NULL);
  guint undocumented, unrouted;

  g_ptr_array_set_free_func (ops, g_free);
  undocumented = report_missing (routes, ops, "the router has, docs/openapi.yaml lacks");
  unrouted = report_missing (ops, routes, "docs/openapi.yaml has, the router lacks");
  if (undocumented + unrouted > 0)
    g_test_fail_printf ("%u routes not in docs/openapi.yaml, %u documented operations not routed "
                        "(each is listed above)",
                        undocumented, unrouted);
}

/* @path with each {param} replaced by an id of the kind the previous segment names. */
static char *
concrete_path (const char *path)
{
  g_auto (GStrv) segs = g_strsplit (path, "/", -1);

  for (guint i = 1; segs[i] != NULL; i++)
    if (segs[i][0] == '{')
      {
        const char *kind = segs[i - 1];
        const char *id = g_str_equal (kind, "workspaces") ? FD_T_NO_WKS
                         : g_str_equal (kind, "fleets")   ? FD_T_NO_FLT
                         : g_str_equal (kind, "devices")  ? FD_T_NO_DEV
                         : g_str_equal (kind, "tokens")   ? FD_T_NO_TOK
                                                          : "x";
        g_free (segs[i]);
        segs[i] = g_strdup (id);
      }
  return g_strjoinv ("/", segs);
}

static void
test_live_auth (void)
{
  for (guint i = 0; i < doc->ops->len; i++)
    {
      const char *op = doc->ops->pdata[i];
      g_auto (GStrv) mp = g_strsplit (op, " ", 2);
      g_autofree char *path = concrete_path (mp[1]);
      gboolean has_body = g_str_equal (mp[0], "POST") || g_str_equal (mp[0], "PATCH");
      g_autoptr (JsonNode) node = NULL;
      guint status = 0;

      node = fd_test_api_full (srv, mp[0], path, NULL, has_body ? "{}" : NULL, has_body ? 2 : 0,
                               NULL, &status, NULL);
      if (g_hash_table_contains (doc->public, op))
        {
          if (status != 200)
            g_test_fail_printf ("%s without a token: %u, but the document says it needs none", op,
                                status);
        }
      else if (status != 401)
        g_test_fail_printf ("%s without a token: %u, but the document says it needs one", op,
                            status);
    }
}

static const char *
fd_allow_header (SoupMessageHeaders *headers)
{
  const char *allow = soup_message_headers_get_one (headers, "Allow");

  return allow ? allow : "";
}

static void
test_live_allow (void)
{
  GHashTableIter iter;
  gpointer key, value;

  g_hash_table_iter_init (&iter, doc->paths);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      GPtrArray *methods = value;
      g_autofree char *path = concrete_path (key);
      g_autoptr (GPtrArray) want = g_ptr_array_copy (methods, (GCopyFunc)g_strdup, NULL);
      g_autoptr (GPtrArray) got = g_ptr_array_new_with_free_func (g_free);
      g_autoptr (SoupMessageHeaders) headers = NULL;
      g_autoptr (JsonNode) node = NULL;
      g_auto (GStrv) allow = NULL;
      g_autofree char *want_s = NULL;
      g_autofree char *got_s = NULL;
      const char *probe = "PUT";
      guint status = 0;

      for (guint i = 0; i < methods->len; i++)
        if (g_str_equal (methods->pdata[i], probe))
          probe = "TRACE";
      node = fd_test_api_full (srv, probe, path, NULL, NULL, 0, srv->token, &status, &headers);
      if (status != 405)
        {
          g_test_fail_printf ("%s %s: %u, expected 405", probe, (char *)key, status);
          continue;
        }
      allow = g_strsplit (fd_allow_header (headers), ",", -1);
      for (guint i = 0; allow[i] != NULL; i++)
        {
          char *m = g_strstrip (allow[i]);
          if (*m != '\0' && !g_str_equal (m, "HEAD") && !g_str_equal (m, "OPTIONS"))
            g_ptr_array_add (got, g_ascii_strup (m, -1));
        }
      g_ptr_array_set_free_func (want, g_free);
      g_ptr_array_sort (want, compare_strings);
      g_ptr_array_sort (got, compare_strings);
      g_ptr_array_add (want, NULL);
      g_ptr_array_add (got, NULL);
      want_s = g_strjoinv (", ", (char **)want->pdata);
      got_s = g_strjoinv (", ", (char **)got->pdata);
      if (!g_str_equal (want_s, got_s))
        g_test_fail_printf ("%s %s: Allow lists [%s], the document [%s]", probe, (char *)key, got_s,
                            want_s);
    }
}

int
main (int argc, char **argv)
{
  const char *source_dir = g_getenv ("FD_SOURCE_DIR");
  g_autofree char *file = NULL;
  int ret;

  g_test_init (&argc, &argv, NULL);
  g_assert_nonnull (source_dir);
  file = g_build_filename (source_dir, "docs", "openapi.yaml", NULL);
  doc = fd_api_doc_read (file);
  srv = fd_test_server_start ();
  fd_t_kill_server_on_abort (srv);

  g_test_add_func ("/openapi/document", test_document);
  g_test_add_func ("/openapi/routes-match-document", test_routes_match_document);
  g_test_add_func ("/openapi/live/auth", test_live_auth);
  g_test_add_func ("/openapi/live/allow", test_live_allow);

  ret = g_test_run ();
  fd_test_server_stop (srv);
  fd_api_doc_free (doc);
  return ret;
}
