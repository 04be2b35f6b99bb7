/* fd-conditions.c — opening, updating and closing the conditions devices report, and the
 * #conditions answer (docs/protocol.md, zdm-protocol.md §5).
 *
 * A "condition" up message is judged here (members, uuid, tag, times) on the engine thread;
 * what it changes is decided on the writer, from the row as it is in the same transaction, so
 * two messages about one uuid never race. Watchers hear of a change after its COMMIT.
 */
#include "config.h"

#include "fd-conditions.h"
#include "fd-util.h"
#include "ingest/fd-ingest.h"
#include "ingest/fd-payload.h"
#include "store/fd-store-integrations.h"

#include <string.h>

G_DEFINE_QUARK (fd - conditions - error - quark, fd_conditions_error)

/* A device may hold this many conditions open at once: the #conditions answer lists them all. */
#define MAX_OPEN_PER_DEVICE 256
/* Epoch ms of 9999-12-31T23:59:59.999Z, the last time RFC 3339 can write. */
#define EPOCH_MS_MAX G_GINT64_CONSTANT (253402300799999)

typedef struct
{
  FdConditionFunc func;
  gpointer user_data;
} Watch;

struct _FdConditions
{
  FdStore *store;
  GArray *watches; /* Watch */
};

double
fd_condition_duration (const FdCondition *c, gint64 now_ms)
{
  gint64 end = c->open ? now_ms : c->finish;
  return end > c->start ? (double)(end - c->start) / 1000.0 : 0.0;
}

void
fd_condition_build_json (JsonBuilder *b, const FdCondition *c, const char *device_name,
                         gint64 now_ms)
{
  g_autofree char *start = fd_time_format_ms (c->start);
  g_autofree char *finish = c->open ? NULL : fd_time_format_ms (c->finish);

  json_builder_begin_object (b);
  fd_json_member_string (b, "uuid", c->uuid);
  fd_json_member_string (b, "device_id", c->device_id);
  if (device_name != NULL)
    fd_json_member_string (b, "device_name", device_name);
  fd_json_member_string (b, "workspace_id", c->workspace_id);
  fd_json_member_string (b, "fleet_id", c->fleet_id);
  fd_json_member_string (b, "tag", c->tag);
  fd_json_member_raw (b, "payload", c->payload);
  fd_json_member_raw (b, "payloadf", c->payloadf);
  fd_json_member_string (b, "start", start);
  fd_json_member_string (b, "finish", finish);
  json_builder_set_member_name (b, "duration");
  json_builder_add_double_value (b, fd_condition_duration (c, now_ms));
  fd_json_member_string (b, "status", c->open ? "open" : "closed");
  json_builder_end_object (b);
}

gboolean
fd_condition_parse_time (JsonNode *node, gint64 *ms)
{
  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node))
    return FALSE;
  if (json_node_get_value_type (node) == G_TYPE_STRING)
    {
      const char *text = json_node_get_string (node);
      if (!fd_time_parse_rfc3339 (text, strlen (text), ms))
        return FALSE;
    }
  else if (json_node_get_value_type (node) == G_TYPE_INT64)
    *ms = json_node_get_int (node);
  else
    return FALSE;
  return *ms >= 0 && *ms <= EPOCH_MS_MAX;
}

FdConditions *
fd_conditions_new (FdStore *store)
{
  FdConditions *self = g_new0 (FdConditions, 1);

  self->store = store;
  self->watches = g_array_new (FALSE, FALSE, sizeof (Watch));
  return self;
}

void
fd_conditions_free (FdConditions *self)
{
  if (self == NULL)
    return;
  g_array_unref (self->watches);
  g_free (self);
}

void
fd_conditions_add_watch (FdConditions *self, FdConditionFunc func, gpointer user_data)
{
  Watch w = { func, user_data };
  g_array_append_val (self->watches, w);
}

void
fd_conditions_remove_watch (FdConditions *self, FdConditionFunc func, gpointer user_data)
{
  for (guint i = 0; i < self->watches->len; i++)
    {
      Watch *w = &g_array_index (self->watches, Watch, i);
      if (w->func == func && w->user_data == user_data)
        {
          g_array_remove_index (self->watches, i);
          return;
        }
    }
}

/* Judging the value. */

static gboolean invalid (GError **error, const char *format, ...) G_GNUC_PRINTF (2, 3);

static gboolean
invalid (GError **error, const char *format, ...)
{
  va_list args;
  g_autofree char *message = NULL;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);
  g_set_error_literal (error, FD_CONDITIONS_ERROR, FD_CONDITIONS_ERROR_INVALID, message);
  return FALSE;
}

static gboolean
is_string (JsonNode *node)
{
  return node != NULL && JSON_NODE_HOLDS_VALUE (node)
         && json_node_get_value_type (node) == G_TYPE_STRING;
}

/* A payload: an object, null or absent (*@json NULL for the two last). */
static gboolean
take_payload (JsonObject *value, const char *member, char **json, GError **error)
{
  JsonNode *node = json_object_get_member (value, member);

  *json = NULL;
  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return TRUE;
  if (!JSON_NODE_HOLDS_OBJECT (node))
    return invalid (error, "the condition's \"%s\" must be an object or null", member);
  *json = json_to_string (node, FALSE);
  return TRUE;
}

static gboolean
check_members (JsonObject *value, const char *const *allowed, const char *what, GError **error)
{
  g_autoptr (GList) members = json_object_get_members (value);

  for (GList *l = members; l != NULL; l = l->next)
    if (!g_strv_contains (allowed, l->data))
      return invalid (error, "a condition %s has no member \"%s\"", what, (const char *)l->data);
  return TRUE;
}

typedef struct
{
  FdConditions *self;
  FdDeviceIdentity *who;
  gboolean close;
  char *uuid;
  char *tag;
  char *payload; /* payload of an open, payloadf of a close */
  gint64 time;   /* start of an open, finish of a close */
  gint64 now;
  /* the outcome */
  FdCondition *row;
  FdConditionChange change;
} HandleJob;

static void
handle_job_free (gpointer data)
{
  HandleJob *job = data;

  fd_device_identity_unref (job->who);
  g_free (job->uuid);
  g_free (job->tag);
  g_free (job->payload);
  fd_condition_free (job->row);
  g_free (job);
}

/* Fills @job from @value, or says what is wrong with it. */
static gboolean
judge (HandleJob *job, JsonObject *value, GError **error)
{
  static const char *const open_members[] = { "uuid", "tag", "payload", "start", NULL };
  static const char *const close_members[] = { "uuid", "payloadf", "payload", "finish", NULL };
  JsonNode *uuid = json_object_get_member (value, "uuid");
  JsonNode *start = json_object_get_member (value, "start");
  JsonNode *finish = json_object_get_member (value, "finish");
  const char *text;
  glong chars;

  if (!is_string (uuid))
    return invalid (error, "a condition needs a \"uuid\" string");
  text = json_node_get_string (uuid);
  chars = g_utf8_strlen (text, -1);
  if (chars < 1 || chars > FD_CONDITION_UUID_MAX_CHARS)
    return invalid (error, "the condition's uuid must be 1 to %d characters",
                    FD_CONDITION_UUID_MAX_CHARS);
  for (const char *p = text; *p != '\0'; p = g_utf8_next_char (p))
    if (g_unichar_iscntrl (g_utf8_get_char (p)))
      return invalid (error, "the condition's uuid contains a control character");
  job->uuid = g_strdup (text);

  if (start != NULL && finish != NULL)
    return invalid (error, "a condition message opens (\"start\") or closes (\"finish\"), "
                           "not both");
  if (start == NULL && finish == NULL)
    return invalid (error, "a condition message needs \"start\" (to open) or \"finish\" (to "
                           "close)");
  job->close = finish != NULL;
  if (!check_members (value, job->close ? close_members : open_members,
                      job->close ? "close" : "open", error))
    return FALSE;
  if (!fd_condition_parse_time (job->close ? finish : start, &job->time))
    return invalid (error,
                    "the condition's \"%s\" must be an RFC 3339 time or epoch milliseconds "
                    "within the years 1970-9999",
                    job->close ? "finish" : "start");

  if (job->close)
    {
      /* Clients before PY@9e8e8b5 sent a close's final payload as "payload". */
      const char *member = json_object_has_member (value, "payloadf") ? "payloadf" : "payload";
      if (json_object_has_member (value, "payloadf") && json_object_has_member (value, "payload"))
        return invalid (error, "a condition close has \"payloadf\" or \"payload\", not both");
      return take_payload (value, member, &job->payload, error);
    }

  if (!is_string (json_object_get_member (value, "tag")))
    return invalid (error, "a condition open needs a \"tag\" string");
  text = json_object_get_string_member (value, "tag");
  {
    const char *why = fd_tag_check (text, strlen (text));
    if (why != NULL)
      return invalid (error, "the condition's tag is not good: %s", why);
  }
  job->tag = g_strdup (text);
  return take_payload (value, "payload", &job->payload, error);
}

/* Queues the change for the integrations in its own transaction, as the ZDM condition stream
 * shows it (zdm-protocol.md §8.2): {"uuid", "tag", "workspace_id", "device_id", "fleet_id",
 * "device_name", "payload", "payloadf", "start", "finish", "duration"}. */
static gboolean
queue_for_integrations (FdDb *db, const FdCondition *c, const char *device_name, gint64 now,
                        GError **error)
{
  g_autoptr (FdDevice) device = NULL;
  g_autoptr (GString) body = NULL;
  g_autofree char *start = NULL;
  char duration[G_ASCII_DTOSTR_BUF_SIZE];
  gboolean wanted = FALSE;

  if (!fd_store_outbox_wanted (db, c->workspace_id, FD_OUTBOX_KIND_CONDITIONS, &wanted, error))
    return FALSE;
  if (!wanted)
    return TRUE;
  if (device_name == NULL)
    {
      device = fd_store_device_get (db, c->device_id, error);
      if (device == NULL)
        return FALSE;
      device_name = device->name;
    }
  body = g_string_new ("{\"uuid\":");
  fd_json_append_string (body, c->uuid, strlen (c->uuid), FALSE);
  g_string_append (body, ",\"tag\":");
  fd_json_append_string (body, c->tag, strlen (c->tag), FALSE);
  g_string_append (body, ",\"workspace_id\":");
  fd_json_append_string (body, c->workspace_id, strlen (c->workspace_id), FALSE);
  g_string_append (body, ",\"device_id\":");
  fd_json_append_string (body, c->device_id, strlen (c->device_id), FALSE);
  g_string_append (body, ",\"fleet_id\":");
  fd_json_append_string (body, c->fleet_id, strlen (c->fleet_id), FALSE);
  g_string_append (body, ",\"device_name\":");
  fd_json_append_string (body, device_name, strlen (device_name), FALSE);
  g_string_append_printf (body, ",\"payload\":%s,\"payloadf\":%s", c->payload ? c->payload : "null",
                          c->payloadf ? c->payloadf : "null");
  start = fd_time_format_ms (c->start);
  g_string_append_printf (body, ",\"start\":\"%s\",\"finish\":", start);
  if (c->open)
    g_string_append (body, "null");
  else
    {
      g_autofree char *finish = fd_time_format_ms (c->finish);
      g_string_append_printf (body, "\"%s\"", finish);
    }
  g_ascii_formatd (duration, sizeof duration, "%.3f", fd_condition_duration (c, now));
  g_string_append_printf (body, ",\"duration\":%s}", duration);
  return fd_store_outbox_event_add (db, c->workspace_id, FD_OUTBOX_KIND_CONDITIONS, c->fleet_id,
                                    c->device_id, c->tag, now, body->str, error);
}

/* On the writer: what the message changes, decided from the row as it is now. */
static gboolean
handle_write (FdDb *db, gpointer data, GError **error)
{
  HandleJob *job = data;
  const char *device_id = job->who->device_id;
  g_autoptr (GError) local = NULL;
  FdCondition *row = fd_store_condition_get (db, device_id, job->uuid, &local);

  if (local != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local));
      return FALSE;
    }
  job->row = row;

  if (job->close)
    {
      if (row == NULL)
        {
          g_set_error (error, FD_CONDITIONS_ERROR, FD_CONDITIONS_ERROR_NOT_OPEN,
                       "condition %s was never opened", job->uuid);
          return FALSE;
        }
      if (!row->open)
        {
          job->change = FD_CONDITION_ALREADY_CLOSED;
          return TRUE;
        }
      if (job->time < row->start)
        return invalid (error, "condition %s cannot finish before it started", job->uuid);
      g_free (row->payloadf);
      row->payloadf = g_steal_pointer (&job->payload);
      row->finish = job->time;
      row->open = FALSE;
      job->change = FD_CONDITION_CLOSED;
      return fd_store_condition_update (db, row, job->now, error)
             && queue_for_integrations (db, row, NULL, job->now, error);
    }

  if (row != NULL && !row->open)
    return invalid (error, "condition %s is closed; a new condition needs a new uuid", job->uuid);
  if (row != NULL)
    {
      g_free (row->payload);
      row->payload = g_steal_pointer (&job->payload);
      job->change = FD_CONDITION_UPDATED;
      return fd_store_condition_update (db, row, job->now, error)
             && queue_for_integrations (db, row, NULL, job->now, error);
    }

  {
    g_autoptr (FdDevice) device = fd_store_device_get (db, device_id, error);
    gint64 n_open = 0;

    if (device == NULL || !fd_store_condition_count_open (db, device_id, &n_open, error))
      return FALSE;
    if (n_open >= MAX_OPEN_PER_DEVICE)
      return invalid (error,
                      "device %s has %d conditions open, the most it may have; close "
                      "some first",
                      device_id, MAX_OPEN_PER_DEVICE);
    row = g_new0 (FdCondition, 1);
    row->device_id = g_strdup (device_id);
    row->workspace_id = g_strdup (device->workspace_id);
    row->fleet_id = g_strdup (device->fleet_id);
    row->uuid = g_strdup (job->uuid);
    row->tag = g_strdup (job->tag);
    row->payload = g_steal_pointer (&job->payload);
    row->start = job->time;
    row->open = TRUE;
    job->row = row;
    job->change = FD_CONDITION_OPENED;
    return fd_store_condition_insert (db, row, job->now, error)
           && queue_for_integrations (db, row, device->name, job->now, error);
  }
}

static void
handle_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GTask) task = user_data;
  g_autoptr (GError) error = NULL;
  HandleJob *job = fd_store_run_get_data (result);

  if (!fd_store_run_finish (result, &error))
    {
      if (g_error_matches (error, FD_CONDITIONS_ERROR, FD_CONDITIONS_ERROR_NOT_OPEN))
        g_message ("device %s closed condition %s, which it never opened; ignored",
                   job->who->device_id, job->uuid);
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  if (job->change == FD_CONDITION_ALREADY_CLOSED)
    g_message ("device %s closed condition %s a second time; nothing changed", job->who->device_id,
               job->uuid);
  for (guint i = 0; i < job->self->watches->len; i++)
    {
      Watch *w = &g_array_index (job->self->watches, Watch, i);
      w->func (job->row, job->change, w->user_data);
    }
  g_task_return_int (task, job->change);
}

void
fd_conditions_handle_async (FdConditions *self, FdDeviceIdentity *who, JsonObject *value,
                            GAsyncReadyCallback callback, gpointer user_data)
{
  GTask *task = g_task_new (NULL, NULL, callback, user_data);
  HandleJob *job = g_new0 (HandleJob, 1);
  GError *error = NULL;

  g_task_set_source_tag (task, fd_conditions_handle_async);
  job->self = self;
  job->who = fd_device_identity_ref (who);
  job->now = fd_now_ms ();
  if (!judge (job, value, &error))
    {
      handle_job_free (job);
      g_task_return_error (task, error);
      g_object_unref (task);
      return;
    }
  fd_store_write_async (self->store, handle_write, job, handle_job_free, handle_done, task);
}

int
fd_conditions_handle_finish (GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), -1);
  return (int)g_task_propagate_int (G_TASK (result), error);
}

/* #conditions */

typedef struct
{
  char *device_id;
  GPtrArray *rows; /* FdCondition */
} OpenJob;

static void
open_job_free (gpointer data)
{
  OpenJob *job = data;

  g_free (job->device_id);
  g_ptr_array_unref (job->rows);
  g_free (job);
}

static gboolean
open_read (FdDb *db, gpointer data, GError **error)
{
  OpenJob *job = data;
  return fd_store_condition_open_list (db, job->device_id, job->rows, error);
}

static void
open_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GTask) task = user_data;
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonBuilder) b = NULL;
  g_autoptr (JsonNode) root = NULL;
  OpenJob *job = fd_store_run_get_data (result);

  if (!fd_store_run_finish (result, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  b = json_builder_new ();
  json_builder_begin_object (b);
  for (guint i = 0; i < job->rows->len; i++)
    {
      const FdCondition *c = g_ptr_array_index (job->rows, i);
      g_autofree char *start = fd_time_format_ms (c->start);

      json_builder_set_member_name (b, c->uuid);
      json_builder_begin_object (b);
      fd_json_member_string (b, "tag", c->tag);
      fd_json_member_string (b, "start", start);
      json_builder_end_object (b);
    }
  json_builder_end_object (b);
  root = json_builder_get_root (b);
  g_task_return_pointer (task, json_to_string (root, FALSE), g_free);
}

void
fd_conditions_open_json_async (FdConditions *self, const char *device_id,
                               GAsyncReadyCallback callback, gpointer user_data)
{
  GTask *task = g_task_new (NULL, NULL, callback, user_data);
  OpenJob *job = g_new0 (OpenJob, 1);

  g_task_set_source_tag (task, fd_conditions_open_json_async);
  job->device_id = g_strdup (device_id);
  job->rows = g_ptr_array_new_with_free_func ((GDestroyNotify)fd_condition_free);
  fd_store_read_async (self->store, open_read, job, open_job_free, open_done, task);
}

char *
fd_conditions_open_json_finish (GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}
