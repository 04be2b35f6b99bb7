/* fd-api-exports.c — one-off exports: /workspaces/{id}/exports and /exports/{id}[/file|/cancel].
 * The work itself is done by the engine's FdExports (server/export/); these routes record an
 * export, hand it over, and show its row. */
#include "config.h"
#include "fd-api-export-private.h"
#include "fd-util.h"
#include "ingest/fd-ingest.h"
#include "ingest/fd-payload.h"
#include "query/fd-query.h"

#include <glib/gstdio.h>
#include <string.h>

static const char *const create_members[]
    = { "format", "start", "end", "tags", "fleets", "devices", "columns", "aggregate", NULL };
static const char *const list_params[] = { "from", "size", NULL };

/* ---- the selection -------------------------------------------------------------------------- */

void
fd_api_selection_clear (FdApiSelection *s)
{
  g_clear_pointer (&s->format, g_free);
  g_clear_pointer (&s->columns, g_free);
  g_clear_pointer (&s->tags, g_strfreev);
  g_clear_pointer (&s->fleets, g_strfreev);
  g_clear_pointer (&s->devices, g_strfreev);
  g_clear_pointer (&s->aggregate, g_free);
}

static gboolean
body_list (FdApiRequest *req, JsonObject *obj, const char *member, const char *prefix, char ***out)
{
  JsonNode *node = json_object_get_member (obj, member);
  g_autoptr (GPtrArray) values = NULL;
  JsonArray *array;

  if (node == NULL)
    return TRUE;
  if (!JSON_NODE_HOLDS_ARRAY (node)
      || json_array_get_length (json_node_get_array (node)) > FD_API_MAX_EXPORT_LIST)
    {
      fd_api_reply_error (req, SOUP_STATUS_BAD_REQUEST, "invalid_field", member,
                          "%s must be an array of at most %d strings", member,
                          FD_API_MAX_EXPORT_LIST);
      return FALSE;
    }
  array = json_node_get_array (node);
  values = g_ptr_array_new_with_free_func (g_free);
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonNode *item = json_array_get_element (array, i);
      const char *text;
      const char *why = NULL;

      if (!JSON_NODE_HOLDS_VALUE (item) || json_node_get_value_type (item) != G_TYPE_STRING)
        why = "must hold strings";
      else
        {
          text = json_node_get_string (item);
          if (prefix == NULL)
            why = fd_tag_check (text, strlen (text));
          else if (!fd_id_is_valid (text, prefix))
            why = g_str_equal (prefix, "dev") ? "must hold device IDs like dev-…"
                                              : "must hold fleet IDs like flt-…";
        }
      if (why != NULL)
        {
          fd_api_reply_error (req, SOUP_STATUS_BAD_REQUEST, "invalid_field", member,
                              "%s %s (item %u)", member, why, i);
          return FALSE;
        }
      g_ptr_array_add (values, g_strdup (json_node_get_string (item)));
    }
  g_ptr_array_add (values, NULL);
  *out = (char **)g_ptr_array_steal (values, NULL);
  return TRUE;
}

static gboolean
body_choice (FdApiRequest *req, JsonObject *obj, const char *member, const char *const *choices,
             const char *fallback, char **out)
{
  JsonNode *node = json_object_get_member (obj, member);
  const char *text;

  *out = NULL;
  if (node == NULL)
    {
      *out = g_strdup (fallback);
      return TRUE;
    }
  text = JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_STRING
             ? json_node_get_string (node)
             : NULL;
  for (guint i = 0; text != NULL && choices[i] != NULL; i++)
    if (g_str_equal (text, choices[i]))
      {
        *out = g_strdup (text);
        return TRUE;
      }
  {
    g_autofree char *list = g_strjoinv (", ", (char **)choices);
    fd_api_reply_error (req, SOUP_STATUS_BAD_REQUEST, "invalid_field", member,
                        "%s must be one of %s", member, list);
  }
  return FALSE;
}

gboolean
fd_api_selection_parse (FdApiRequest *req, JsonObject *obj, gboolean defaults, FdApiSelection *s)
{
  static const char *const formats[] = { "csv", "json", "ndjson", NULL };
  static const char *const columns[] = { "payload", "fields", NULL };

  return body_choice (req, obj, "format", formats, defaults ? "csv" : NULL, &s->format)
         && body_choice (req, obj, "columns", columns, defaults ? "payload" : NULL, &s->columns)
         && body_list (req, obj, "tags", NULL, &s->tags)
         && body_list (req, obj, "fleets", "flt", &s->fleets)
         && body_list (req, obj, "devices", "dev", &s->devices);
}

static void
add_list (JsonBuilder *b, const char *member, char **values)
{
  json_builder_set_member_name (b, member);
  json_builder_begin_array (b);
  for (guint i = 0; values != NULL && values[i] != NULL; i++)
    json_builder_add_string_value (b, values[i]);
  json_builder_end_array (b);
}

char *
fd_api_selection_json (const FdApiSelection *s)
{
  g_autoptr (JsonBuilder) b = json_builder_new ();
  g_autoptr (JsonNode) node = NULL;

  json_builder_begin_object (b);
  add_list (b, "tags", s->tags);
  add_list (b, "fleets", s->fleets);
  add_list (b, "devices", s->devices);
  fd_api_json_string (b, "columns", s->columns ? s->columns : "payload");
  json_builder_set_member_name (b, "aggregate");
  if (s->aggregate != NULL)
    json_builder_add_value (b, json_from_string (s->aggregate, NULL));
  else
    json_builder_add_null_value (b);
  json_builder_end_object (b);
  node = json_builder_get_root (b);
  return json_to_string (node, FALSE);
}

static char **
strv_member (JsonObject *obj, const char *member)
{
  JsonNode *node = json_object_get_member (obj, member);
  g_autoptr (GPtrArray) values = g_ptr_array_new_with_free_func (g_free);

  if (node == NULL || !JSON_NODE_HOLDS_ARRAY (node))
    return NULL;
  for (guint i = 0; i < json_array_get_length (json_node_get_array (node)); i++)
    {
      const char *text = json_array_get_string_element (json_node_get_array (node), i);
      if (text != NULL)
        g_ptr_array_add (values, g_strdup (text));
    }
  if (values->len == 0)
    return NULL;
  g_ptr_array_add (values, NULL);
  return (char **)g_ptr_array_steal (values, NULL);
}

void
fd_api_selection_from_json (const char *json, FdApiSelection *s)
{
  g_autoptr (JsonNode) node = json_from_string (json, NULL);
  JsonObject *obj;

  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    return;
  obj = json_node_get_object (node);
  g_free (s->columns);
  s->columns = g_strdup (json_object_get_string_member_with_default (obj, "columns", "payload"));
  g_strfreev (s->tags);
  s->tags = strv_member (obj, "tags");
  g_strfreev (s->fleets);
  s->fleets = strv_member (obj, "fleets");
  g_strfreev (s->devices);
  s->devices = strv_member (obj, "devices");
}

void
fd_api_json_selection (JsonBuilder *b, const char *selection)
{
  FdApiSelection s = { 0 };

  fd_api_selection_from_json (selection, &s);
  fd_api_json_string (b, "columns", s.columns ? s.columns : "payload");
  add_list (b, "tags", s.tags);
  add_list (b, "fleets", s.fleets);
  add_list (b, "devices", s.devices);
  fd_api_selection_clear (&s);
}

static char *
json_strv (char **values)
{
  g_autoptr (JsonBuilder) b = json_builder_new ();
  g_autoptr (JsonNode) node = NULL;

  if (values == NULL || values[0] == NULL)
    return NULL;
  json_builder_begin_array (b);
  for (guint i = 0; values[i] != NULL; i++)
    json_builder_add_string_value (b, values[i]);
  json_builder_end_array (b);
  node = json_builder_get_root (b);
  return json_to_string (node, FALSE);
}

/* The first of @values (as a JSON array) that @sql (?1 workspace, ?2 the array) returns. */
static gboolean
first_unknown (FdDb *db, const char *sql, const char *workspace_id, char **values, char **out,
               GError **error)
{
  g_autofree char *list = json_strv (values);
  sqlite3_stmt *stmt;
  int rc;

  *out = NULL;
  if (list == NULL)
    return TRUE;
  stmt = fd_db_prepare (db, sql, error);
  if (stmt == NULL)
    return FALSE;
  fd_db_bind_text (stmt, 1, workspace_id);
  fd_db_bind_text (stmt, 2, list);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    *out = fd_db_column_dup (stmt, 0);
  sqlite3_reset (stmt);
  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    {
      fd_db_set_error (db, error, "reading from the database");
      return FALSE;
    }
  return TRUE;
}

const char *
fd_api_selection_check (FdDb *db, const char *workspace_id, const FdApiSelection *s, char **message,
                        GError **error)
{
  g_autofree char *bad = NULL;

  *message = NULL;
  if (!first_unknown (db,
                      "SELECT j.value FROM json_each (?2) j WHERE NOT EXISTS (SELECT 1 FROM stream"
                      " WHERE workspace_id = ?1 AND tag = j.value) LIMIT 1",
                      workspace_id, s->tags, &bad, error))
    return NULL;
  if (bad != NULL)
    {
      *message = g_strdup_printf ("no device of this workspace has sent the tag %s", bad);
      return "tags";
    }
  if (!first_unknown (db,
                      "SELECT j.value FROM json_each (?2) j WHERE NOT EXISTS (SELECT 1 FROM fleet"
                      " WHERE workspace_id = ?1 AND id = j.value) LIMIT 1",
                      workspace_id, s->fleets, &bad, error))
    return NULL;
  if (bad != NULL)
    {
      *message = g_strdup_printf ("fleet %s is not a fleet of this workspace", bad);
      return "fleets";
    }
  if (!first_unknown (db,
                      "SELECT j.value FROM json_each (?2) j WHERE NOT EXISTS (SELECT 1 FROM device"
                      " WHERE workspace_id = ?1 AND id = j.value) LIMIT 1",
                      workspace_id, s->devices, &bad, error))
    return NULL;
  if (bad != NULL)
    {
      *message = g_strdup_printf ("device %s is not a device of this workspace", bad);
      return "devices";
    }
  return NULL;
}

/* ---- the export object ---------------------------------------------------------------------- */

static void
json_optional_time (JsonBuilder *b, const char *member, gboolean set, gint64 ms)
{
  if (set)
    {
      g_autofree char *text = fd_time_format_ms (ms);
      fd_api_json_string (b, member, text);
    }
  else
    fd_api_json_string (b, member, NULL);
}

void
fd_api_json_export (JsonBuilder *b, gconstpointer record)
{
  const FdExport *e = record;
  gboolean done = g_strcmp0 (e->state, "done") == 0;
  g_autofree char *name = done && e->file ? g_path_get_basename (e->file) : NULL;

  json_builder_begin_object (b);
  fd_api_json_string (b, "id", e->id);
  fd_api_json_string (b, "workspace_id", e->workspace_id);
  fd_api_json_string (b, "schedule_id", e->schedule_id);
  fd_api_json_string (b, "format", e->format);
  fd_api_json_selection (b, e->selection);
  json_optional_time (b, "start", e->has_start, e->start);
  json_optional_time (b, "end", e->has_end, e->end);
  json_builder_set_member_name (b, "aggregate");
  {
    g_autoptr (JsonNode) sel = json_from_string (e->selection, NULL);
    JsonNode *agg = sel != NULL && JSON_NODE_HOLDS_OBJECT (sel)
                        ? json_object_get_member (json_node_get_object (sel), "aggregate")
                        : NULL;
    if (agg != NULL && JSON_NODE_HOLDS_OBJECT (agg))
      {
        JsonObject *o = json_node_get_object (agg);
        json_builder_begin_object (b);
        fd_api_json_string (b, "field", json_object_get_string_member (o, "field"));
        fd_api_json_string (b, "fn", json_object_get_string_member (o, "fn"));
        fd_api_json_string (b, "bucket", json_object_get_string_member (o, "bucket"));
        fd_api_json_string (b, "group", json_object_get_string_member (o, "group"));
        json_builder_end_object (b);
      }
    else
      json_builder_add_null_value (b);
  }
  fd_api_json_string (b, "state", e->state);
  json_builder_set_member_name (b, "progress");
  json_builder_add_double_value (b, e->progress);
  fd_api_json_int (b, "rows", e->rows);
  fd_api_json_int (b, "bytes", e->bytes);
  fd_api_json_string (b, "error", e->error);
  fd_api_json_string (b, "file_name", name);
  fd_api_json_time (b, "created_at", e->created_at);
  fd_api_json_time (b, "started_at", e->started_at);
  fd_api_json_time (b, "finished_at", e->finished_at);
  json_builder_end_object (b);
}

/* ---- POST /workspaces/{id}/exports ---------------------------------------------------------- */

#define MAX_BUCKET_MS (10000 * FD_DAY_MS)

static gboolean
bad_aggregate (FdApiRequest *req, const char *message)
{
  fd_api_reply_error (req, SOUP_STATUS_BAD_REQUEST, "invalid_field", "aggregate", "%s", message);
  return FALSE;
}

/* "none" or N followed by m, h or d, as GET /data/aggregate takes it. */
static gint64
bucket_width (const char *text)
{
  char *end = NULL;
  guint64 n;
  gint64 unit;

  if (g_str_equal (text, "none"))
    return 0;
  n = g_ascii_isdigit (text[0]) ? g_ascii_strtoull (text, &end, 10) : 0;
  unit = end == NULL || end[0] == '\0' || end[1] != '\0' ? 0
         : end[0] == 'm'                                 ? FD_MINUTE_MS
         : end[0] == 'h'                                 ? FD_HOUR_MS
         : end[0] == 'd'                                 ? FD_DAY_MS
                                                         : 0;
  if (n == 0 || unit == 0 || n > (guint64)(MAX_BUCKET_MS / unit))
    return -1;
  return (gint64)n * unit;
}

/* The body's aggregate {field, fn, bucket, group} into @sel->aggregate (stored normalised). */
static gboolean
parse_aggregate (FdApiRequest *req, JsonNode *node, FdApiSelection *sel, const FdExport *e)
{
  JsonObject *obj;
  const char *field, *bucket, *group, *bad = NULL;
  g_autofree char *fn = NULL;
  JsonNode *fn_node;
  gint64 width;
  g_autoptr (JsonBuilder) b = json_builder_new ();
  g_autoptr (JsonNode) root = NULL;
  static const char *const allowed[] = { "field", "fn", "bucket", "group", NULL };

  if (!JSON_NODE_HOLDS_OBJECT (node))
    return bad_aggregate (req, "aggregate must be an object {field, fn, bucket, group}");
  obj = json_node_get_object (node);
  {
    GList *names = json_object_get_members (obj);
    gboolean known = TRUE;
    for (GList *m = names; m != NULL; m = m->next)
      known = known && g_strv_contains (allowed, m->data);
    g_list_free (names);
    if (!known)
      return bad_aggregate (req, "aggregate takes field, fn, bucket and group");
  }
  field = json_object_get_string_member_with_default (obj, "field", NULL);
  if (field == NULL || *field == '\0')
    return bad_aggregate (req, "aggregate.field (a numeric field path) is required");
  fn_node = json_object_get_member (obj, "fn");
  if (fn_node != NULL && JSON_NODE_HOLDS_ARRAY (fn_node))
    {
      g_autoptr (GString) list = g_string_new (NULL);
      JsonArray *a = json_node_get_array (fn_node);
      for (guint i = 0; i < json_array_get_length (a); i++)
        {
          const char *name = json_array_get_string_element (a, i);
          g_string_append_printf (list, "%s%s", i ? "," : "", name ? name : "?");
        }
      fn = g_string_free (g_steal_pointer (&list), FALSE);
    }
  else if (fn_node != NULL && JSON_NODE_HOLDS_VALUE (fn_node)
           && json_node_get_value_type (fn_node) == G_TYPE_STRING)
    fn = g_strdup (json_node_get_string (fn_node));
  if (fn == NULL || fd_export_aggregate_fns (fn, &bad) == 0)
    return bad_aggregate (req, bad ? bad : "aggregate.fn is required");
  bucket = json_object_get_string_member_with_default (obj, "bucket", "none");
  width = bucket_width (bucket);
  if (width < 0)
    return bad_aggregate (req, "aggregate.bucket must be none or a number followed by m, h or d "
                               "(1m, 5m, 1h, 1d, 7d), at least 1m");
  group = json_object_get_string_member_with_default (obj, "group", "none");
  if (!g_str_equal (group, "none") && !g_str_equal (group, "device")
      && !g_str_equal (group, "fleet"))
    return bad_aggregate (req, "aggregate.group must be none, device or fleet");
  if (sel->tags == NULL || g_strv_length (sel->tags) != 1)
    {
      fd_api_reply_error (req, SOUP_STATUS_BAD_REQUEST, "invalid_field", "tags",
                          "an aggregate export needs exactly one tag");
      return FALSE;
    }
  if (width > 0 && (!e->has_start || !e->has_end))
    {
      fd_api_reply_error (req, SOUP_STATUS_BAD_REQUEST, "invalid_field", "start",
                          "a bucketed aggregate export needs start and end");
      return FALSE;
    }
  if (width > 0 && (e->end - e->start) / width >= FD_QUERY_MAX_BUCKETS)
    return bad_aggregate (req, "the range holds more than 100000 buckets: use a wider bucket");

  json_builder_begin_object (b);
  fd_api_json_string (b, "field", field);
  fd_api_json_string (b, "fn", fn);
  fd_api_json_string (b, "bucket", bucket);
  fd_api_json_int (b, "bucket_ms", width);
  fd_api_json_string (b, "group", group);
  json_builder_end_object (b);
  root = json_builder_get_root (b);
  sel->aggregate = json_to_string (root, FALSE);
  return TRUE;
}

typedef struct
{
  FdApiSelection selection;
  FdExport *row;
  const char *bad_member;
  char *bad_message;
} CreateData;

static void
create_data_free (gpointer data)
{
  CreateData *d = data;

  fd_api_selection_clear (&d->selection);
  fd_export_free (d->row);
  g_free (d->bad_message);
  g_free (d);
}

static gboolean
need_exports (FdApiRequest *req)
{
  if (req->api->context.exports != NULL)
    return TRUE;
  fd_api_reply_error (req, SOUP_STATUS_SERVICE_UNAVAILABLE, "unavailable", NULL,
                      "this server runs no exports");
  return FALSE;
}

/* "start" / "end": RFC 3339 or epoch ms; *@set FALSE when absent. */
static gboolean
body_time (FdApiRequest *req, JsonObject *obj, const char *member, gboolean *set, gint64 *ms)
{
  JsonNode *node = json_object_get_member (obj, member);

  *set = FALSE;
  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return TRUE;
  if (JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_STRING)
    {
      const char *text = json_node_get_string (node);
      if (fd_time_parse_rfc3339 (text, strlen (text), ms))
        {
          *set = TRUE;
          return TRUE;
        }
    }
  else if (JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_INT64
           && json_node_get_int (node) >= 0)
    {
      *ms = json_node_get_int (node);
      *set = TRUE;
      return TRUE;
    }
  fd_api_reply_error (req, SOUP_STATUS_BAD_REQUEST, "invalid_field", member,
                      "%s must be an RFC 3339 time (2026-11-27T10:00:00Z) or epoch milliseconds",
                      member);
  return FALSE;
}

static gboolean
create_job (FdDb *db, gpointer data, GError **error)
{
  FdApiJob *job = data;
  CreateData *d = job->data;

  if (!fd_store_workspace_exists (db, job->id, error))
    return FALSE;
  d->bad_member = fd_api_selection_check (db, job->id, &d->selection, &d->bad_message, error);
  if (d->bad_member != NULL)
    return TRUE;
  if (error != NULL && *error != NULL)
    return FALSE;
  if (d->selection.aggregate != NULL)
    {
      g_autoptr (JsonNode) agg = json_from_string (d->selection.aggregate, NULL);
      const char *field = json_object_get_string_member (json_node_get_object (agg), "field");
      gboolean known = FALSE, numeric = FALSE;

      if (!fd_query_field_type (db, job->id, (const char *const *)d->selection.tags, field, &known,
                                &numeric, error))
        return FALSE;
      if (!known || !numeric)
        {
          d->bad_member = "aggregate";
          d->bad_message = g_strdup_printf ("%s is not %s field of tag %s", field,
                                            known ? "a numeric" : "a", d->selection.tags[0]);
          return TRUE;
        }
    }
  return fd_store_export_insert (db, d->row, error)
         && fd_api_audit (db, job, "export.create", d->row->id, error, "format", d->row->format,
                          NULL);
}

static void
reply_export (FdApiRequest *req, guint status, const FdExport *e)
{
  g_autoptr (JsonNode) node = fd_api_json_one (e, fd_api_json_export);
  fd_api_reply_json (req, status, node);
}

static void
create_reply (FdApiRequest *req, FdApiJob *job)
{
  CreateData *d = job->data;

  if (d->bad_member != NULL)
    {
      fd_api_reply_error (req, SOUP_STATUS_BAD_REQUEST, "invalid_field", d->bad_member, "%s",
                          d->bad_message);
      return;
    }
  fd_exports_submit (req->api->context.exports, d->row);
  reply_export (req, SOUP_STATUS_ACCEPTED, d->row);
}

static void
export_create (FdApiRequest *req)
{
  g_autoptr (JsonNode) owner = NULL;
  JsonObject *obj;
  CreateData *d;
  FdExport *e;
  FdApiJob *job;
  JsonNode *aggregate;
  g_autofree char *name = NULL;

  if (!fd_api_check_params (req, NULL) || !fd_api_path_id (req, "wks", "workspace")
      || !need_exports (req))
    return;
  obj = fd_api_body_object (req, &owner);
  if (obj == NULL || !fd_api_body_check_members (req, obj, create_members))
    return;
  d = g_new0 (CreateData, 1);
  e = d->row = g_new0 (FdExport, 1);
  if (!fd_api_selection_parse (req, obj, TRUE, &d->selection)
      || !body_time (req, obj, "start", &e->has_start, &e->start)
      || !body_time (req, obj, "end", &e->has_end, &e->end))
    {
      create_data_free (d);
      return;
    }
  if (e->has_start && e->has_end && e->end <= e->start)
    {
      create_data_free (d);
      fd_api_reply_error (req, SOUP_STATUS_BAD_REQUEST, "invalid_field", "end",
                          "end must be after start");
      return;
    }
  aggregate = json_object_get_member (obj, "aggregate");
  if (aggregate != NULL && !JSON_NODE_HOLDS_NULL (aggregate)
      && !parse_aggregate (req, aggregate, &d->selection, e))
    {
      create_data_free (d);
      return;
    }
  e->id = fd_id_new ("exp");
  e->workspace_id = g_strdup (req->path_id);
  e->format = g_strdup (d->selection.format);
  e->selection = fd_api_selection_json (&d->selection);
  e->state = g_strdup ("queued");
  name = g_strdup_printf ("%s.%s", e->id, e->format);
  e->file = g_build_filename (fd_exports_get_dir (req->api->context.exports), name, NULL);
  e->actor = g_strdup (req->actor);
  e->created_at = fd_now_ms ();

  job = fd_api_job_new (req);
  job->data = d;
  job->data_free = create_data_free;
  fd_api_run_write (req, create_job, job, create_reply);
}

/* ---- GET /workspaces/{id}/exports, GET /exports/{id} ---------------------------------------- */

static gboolean
list_job (FdDb *db, gpointer data, GError **error)
{
  FdApiJob *job = data;
  return fd_store_export_list (db, job->id, job->from, job->size, &job->page, error);
}

static void
page_reply (FdApiRequest *req, FdApiJob *job)
{
  g_autoptr (JsonNode) node = fd_api_json_page (&job->page, fd_api_json_export);
  fd_api_reply_json (req, SOUP_STATUS_OK, node);
}

static void
export_list (FdApiRequest *req)
{
  FdApiJob *job;
  gint64 from, size;

  if (!fd_api_check_params (req, list_params) || !fd_api_path_id (req, "wks", "workspace")
      || !fd_api_param_paging (req, &from, &size))
    return;
  job = fd_api_job_new (req);
  job->from = from;
  job->size = size;
  fd_api_run_read (req, list_job, job, page_reply);
}

static gboolean
get_job (FdDb *db, gpointer data, GError **error)
{
  FdApiJob *job = data;

  job->result = fd_store_export_get (db, job->id, error);
  job->result_free = (GDestroyNotify)fd_export_free;
  return job->result != NULL;
}

static void
get_reply (FdApiRequest *req, FdApiJob *job)
{
  reply_export (req, SOUP_STATUS_OK, job->result);
}

static void
export_get (FdApiRequest *req)
{
  if (!fd_api_check_params (req, NULL) || !fd_api_path_id (req, "exp", "export"))
    return;
  fd_api_run_read (req, get_job, fd_api_job_new (req), get_reply);
}

/* ---- GET /exports/{id}/file ----------------------------------------------------------------- */

static void
file_reply (FdApiRequest *req, FdApiJob *job)
{
  const FdExport *e = job->result;
  g_autoptr (GError) error = NULL;
  g_autoptr (GMappedFile) mapped = NULL;
  g_autoptr (GBytes) bytes = NULL;
  g_autofree char *name = NULL;
  g_autofree char *disposition = NULL;

  if (g_strcmp0 (e->state, "done") != 0)
    {
      fd_api_reply_error (req, SOUP_STATUS_CONFLICT, "not_ready", NULL,
                          "export %s is %s; its file can be downloaded once it is done", e->id,
                          e->state);
      return;
    }
  if (e->file == NULL || (mapped = g_mapped_file_new (e->file, FALSE, &error)) == NULL)
    {
      fd_api_reply_error (req, SOUP_STATUS_NOT_FOUND, "not_found", NULL,
                          "the file of export %s is gone (one-off export files are kept 7 days)",
                          e->id);
      return;
    }
  /* The mapping stays valid after the file is deleted (an expiry, a DELETE): the download
   * in progress completes. */
  bytes = g_mapped_file_get_bytes (mapped);
  name = g_path_get_basename (e->file);
  disposition = g_strdup_printf ("attachment; filename=\"%s\"", name);
  soup_message_headers_replace (soup_server_message_get_response_headers (req->msg),
                                "Content-Disposition", disposition);
  fd_api_reply_bytes (req, SOUP_STATUS_OK, fd_export_content_type (e->format), bytes);
}

static void
export_file (FdApiRequest *req)
{
  if (!fd_api_check_params (req, NULL) || !fd_api_path_id (req, "exp", "export"))
    return;
  fd_api_run_read (req, get_job, fd_api_job_new (req), file_reply);
}

/* ---- POST /exports/{id}/cancel, DELETE /exports/{id} ---------------------------------------- */

typedef struct
{
  FdApiRequest *req;
  SoupServerMessage *msg;
  FdApiJob *job;
  gboolean delete;
} CancelCall;

static gboolean
delete_job (FdDb *db, gpointer data, GError **error)
{
  FdApiJob *job = data;
  char *file = NULL;

  if (!fd_store_export_delete (db, job->id, &file, error))
    return FALSE;
  job->result = file;
  job->result_free = g_free;
  return fd_api_audit (db, job, "export.delete", job->id, error, NULL);
}

static void
cancel_stored (GObject *source, GAsyncResult *result, gpointer user_data)
{
  CancelCall *call = user_data;
  FdApiJob *job = fd_store_run_get_data (result);
  g_autoptr (GError) error = NULL;

  if (!fd_store_run_finish (result, &error))
    fd_api_reply_gerror (call->req, error);
  else if (call->delete)
    {
      if (job->result != NULL)
        {
          g_autofree char *part = g_strconcat (job->result, ".part", NULL);
          g_unlink (job->result);
          g_unlink (part);
        }
      fd_api_reply_empty (call->req, SOUP_STATUS_NO_CONTENT);
    }
  else
    {
      const FdExport *e = job->result;
      if (g_strcmp0 (e->state, "canceled") == 0)
        reply_export (call->req, SOUP_STATUS_OK, e);
      else
        fd_api_reply_error (call->req, SOUP_STATUS_CONFLICT, "conflict", NULL,
                            "export %s has ended already (%s)", e->id, e->state);
    }
  fd_api_resume (call->msg);
  g_free (call);
}

static void
canceled (GObject *source, GAsyncResult *result, gpointer user_data)
{
  CancelCall *call = user_data;
  g_autoptr (GError) error = NULL;

  fd_exports_cancel_finish (result, &error);
  if (call->delete)
    fd_store_write_async (call->req->api->store, delete_job, call->job,
                          (GDestroyNotify)fd_api_job_free, cancel_stored, call);
  else
    fd_store_read_async (call->req->api->store, get_job, call->job, (GDestroyNotify)fd_api_job_free,
                         cancel_stored, call);
}

static void
cancel_or_delete (FdApiRequest *req, gboolean delete)
{
  CancelCall *call;

  if (!fd_api_check_params (req, NULL) || !fd_api_path_id (req, "exp", "export")
      || !need_exports (req))
    return;
  call = g_new0 (CancelCall, 1);
  call->req = req;
  call->job = fd_api_job_new (req);
  call->delete = delete;
  call->msg = fd_api_pause (req);
  fd_exports_cancel_async (req->api->context.exports, req->path_id, canceled, call);
}

static void
export_cancel (FdApiRequest *req)
{
  cancel_or_delete (req, FALSE);
}

static void
export_delete (FdApiRequest *req)
{
  cancel_or_delete (req, TRUE);
}

const FdApiRoute fd_api_export_routes[] = {
  { "POST", "/workspaces/{id}/exports", export_create, FALSE, 0 },
  { "GET", "/workspaces/{id}/exports", export_list, FALSE, 0 },
  { "GET", "/exports/{id}", export_get, FALSE, 0 },
  { "DELETE", "/exports/{id}", export_delete, FALSE, 0 },
  { "GET", "/exports/{id}/file", export_file, FALSE, 0 },
  { "POST", "/exports/{id}/cancel", export_cancel, FALSE, 0 },
  { NULL, NULL, NULL, FALSE, 0 },
};
