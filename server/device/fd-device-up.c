/* fd-device-up.c — one up message, whatever carried it: judged as strictly as a data payload,
 * then answered (#status, #now, #conditions), handed to the conditions, or stored as the
 * device's reported value (docs/protocol.md, zdm-protocol.md §3).
 */
#include "config.h"

#include "fd-device-http.h"
#include "fd-device-up.h"
#include "fd-util.h"

#include <json-glib/json-glib.h>
#include <string.h>

G_DEFINE_QUARK (fd - device - up - error - quark, fd_device_up_error)

struct _FdDeviceUp
{
  FdIngest *ingest;
  FdConditions *conditions;
  FdDownlink *downlink;
  FdJobs *jobs;              /* may be NULL */
  FdOta *ota;                /* may be NULL */
  FdPayloadScanner *scanner; /* everything runs on the engine thread */
  FdEvents *events;          /* may be NULL */
};

FdDeviceUp *
fd_device_up_new (FdIngest *ingest, FdConditions *conditions, FdDownlink *downlink)
{
  FdDeviceUp *up = g_new0 (FdDeviceUp, 1);

  up->ingest = ingest;
  up->conditions = conditions;
  up->downlink = downlink;
  up->scanner = fd_payload_scanner_new ();
  return up;
}

void
fd_device_up_free (FdDeviceUp *up)
{
  if (up == NULL)
    return;
  fd_payload_scanner_free (up->scanner);
  g_free (up);
}

void
fd_device_up_set_events (FdDeviceUp *up, FdEvents *events)
{
  up->events = events;
}

void
fd_device_up_set_max_bytes (FdDeviceUp *up, gsize max_bytes)
{
  fd_payload_scanner_set_limits (up->scanner, max_bytes ? max_bytes : FD_PAYLOAD_DEFAULT_MAX_BYTES,
                                 FD_PAYLOAD_DEFAULT_MAX_DEPTH);
}

void
fd_device_up_set_lifecycle (FdDeviceUp *up, FdJobs *jobs, FdOta *ota)
{
  up->jobs = jobs;
  up->ota = ota;
}

void
fd_device_up_status_sent (FdDeviceUp *up, const char *device_id)
{
  if (up->jobs != NULL)
    fd_jobs_status_sent (up->jobs, device_id);
  if (up->ota != NULL)
    fd_ota_status_sent (up->ota, device_id);
}

GBytes *
fd_device_up_error_envelope (const char *topic, const char *message)
{
  g_autoptr (GString) value = g_string_new ("{\"topic\":");

  fd_http_append_json_string (value, topic, -1);
  g_string_append (value, ",\"message\":");
  fd_http_append_json_string (value, message, -1);
  g_string_append_c (value, '}');
  return fd_downlink_envelope ("#error", value->str, fd_now_ms ());
}

/* json-glib cuts a string at an escaped NUL; such a key or value is refused rather than
 * silently shortened. @text is JSON the payload scanner has already accepted. */
static gboolean
has_escaped_nul (const char *text, gsize len)
{
  gboolean in_string = FALSE;

  for (gsize i = 0; i < len; i++)
    {
      if (!in_string)
        in_string = text[i] == '"';
      else if (text[i] == '"')
        in_string = FALSE;
      else if (text[i] == '\\')
        {
          if (i + 5 < len && text[i + 1] == 'u' && strncmp (text + i + 2, "0000", 4) == 0)
            return TRUE;
          i++; /* the escaped character; \uXXXX's digits are plain characters */
        }
    }
  return FALSE;
}

/* NULL when @key is a good up-message key (fd-ingest.h). */
static const char *
check_key (const char *key)
{
  glong n = g_utf8_strlen (key, -1);

  if (n < 1 || n > FD_UP_KEY_MAX_CHARS)
    return "the key must be 1 to 64 characters";
  for (const char *p = key; *p != '\0'; p = g_utf8_next_char (p))
    if (g_unichar_iscntrl (g_utf8_get_char (p)))
      return "the key contains a control character";
  return NULL;
}

static gboolean
fail_invalid (GTask *task, const char *message)
{
  g_task_return_new_error (task, FD_DEVICE_UP_ERROR, FD_DEVICE_UP_ERROR_INVALID, "%s", message);
  g_object_unref (task);
  return FALSE;
}

/* Answers. */

static void
reply_with (GTask *task, const char *key, const char *value_json)
{
  g_task_return_pointer (task, fd_downlink_envelope (key, value_json, fd_now_ms ()),
                         (GDestroyNotify)g_bytes_unref);
  g_object_unref (task);
}

typedef struct
{
  FdDeviceUp *up;
  char *device_id;
} StatusCall;

static void
status_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  GTask *task = user_data;
  StatusCall *call = g_task_get_task_data (task);
  GError *error = NULL;
  g_autofree char *value = fd_downlink_status_json_finish (result, &error);

  if (value == NULL)
    {
      g_task_return_error (task, error);
      g_object_unref (task);
      return;
    }
  /* The answer holds every expected @job: they count as sent from now (no store write for a
   * device that expects nothing, the common case of a fleet connecting). */
  if (!g_str_has_prefix (value, "{\"expected\":{}"))
    fd_device_up_status_sent (call->up, call->device_id);
  reply_with (task, "#status", value);
}

static void
status_call_free (gpointer data)
{
  StatusCall *call = data;
  g_free (call->device_id);
  g_free (call);
}

static void
conditions_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  GTask *task = user_data;
  GError *error = NULL;
  g_autofree char *value = fd_conditions_open_json_finish (result, &error);

  if (value == NULL)
    {
      g_task_return_error (task, error);
      g_object_unref (task);
      return;
    }
  reply_with (task, "#conditions", value);
}

static void
fota_info_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  GTask *task = user_data;
  GError *error = NULL;
  g_autofree char *value = fd_ota_fota_info_finish (result, &error);

  if (value == NULL)
    {
      if (g_error_matches (error, FD_OTA_ERROR, FD_OTA_ERROR_NOT_FOUND))
        {
          g_task_return_new_error (task, FD_DEVICE_UP_ERROR, FD_DEVICE_UP_ERROR_UNKNOWN, "%s",
                                   error->message);
          g_error_free (error);
        }
      else
        g_task_return_error (task, error);
      g_object_unref (task);
      return;
    }
  reply_with (task, "#fota_info", value);
}

/* A request of the device: answered, nothing stored. */
static void
handle_request (FdDeviceUp *up, FdDeviceIdentity *who, const char *key, const char *value_json,
                GTask *task)
{
  if (g_str_equal (key, "#fota_info") && up->ota != NULL)
    fd_ota_fota_info_async (up->ota, who, value_json, fota_info_done, task);
  else if (g_str_equal (key, "#status"))
    {
      StatusCall *call = g_new0 (StatusCall, 1);
      call->up = up;
      call->device_id = g_strdup (who->device_id);
      g_task_set_task_data (task, call, status_call_free);
      fd_downlink_status_json_async (up->downlink, who->device_id, status_done, task);
    }
  else if (g_str_equal (key, "#conditions"))
    fd_conditions_open_json_async (up->conditions, who->device_id, conditions_done, task);
  else if (g_str_equal (key, "#now"))
    {
      gint64 now = fd_now_ms ();
      g_autofree char *value = g_strdup_printf (
          "{\"s\":%" G_GINT64_FORMAT ",\"ms\":%" G_GINT64_FORMAT "}", now / 1000, now);
      g_task_return_pointer (task, fd_downlink_envelope ("#now", value, now),
                             (GDestroyNotify)g_bytes_unref);
      g_object_unref (task);
    }
  else
    {
      g_task_return_new_error (task, FD_DEVICE_UP_ERROR, FD_DEVICE_UP_ERROR_UNKNOWN,
                               "this server does not answer %s (it answers #status, #now and "
                               "#conditions)",
                               key);
      g_object_unref (task);
    }
}

static void
condition_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  GTask *task = user_data;
  GError *error = NULL;

  if (fd_conditions_handle_finish (result, &error) < 0)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, NULL, NULL);
  g_object_unref (task);
}

typedef struct
{
  GTask *task;
  FdEvents *events;
  FdDeviceIdentity *who;
  char *key;
} StoredCall;

/* variable.updated {"key", "state": "applied"} once the report that applied it committed. */
static void
ota_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  GTask *task = user_data;
  GError *error = NULL;

  if (!fd_ota_up_finish (result, &error))
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, NULL, NULL);
  g_object_unref (task);
}

static gboolean
is_ota_key (const char *key)
{
  return g_str_equal (key, "@fota") || g_str_equal (key, "_fota_status")
         || g_str_equal (key, "__info");
}

static void
stored_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  StoredCall *call = user_data;
  GError *error = NULL;

  if (!fd_ingest_up_finish (result, &error))
    g_task_return_error (call->task, error);
  else
    {
      if (call->events != NULL && fd_ingest_up_get_applied (result))
        {
          GString *data = g_string_new ("{\"key\":");

          fd_http_append_json_string (data, call->key, -1);
          g_string_append (data, ",\"state\":\"applied\"}");
          fd_events_publish (call->events, "variable.updated", call->who->workspace_id,
                             call->who->device_id, data->str);
          g_string_free (data, TRUE);
        }
      g_task_return_pointer (call->task, NULL, NULL);
    }
  g_object_unref (call->task);
  fd_device_identity_unref (call->who);
  g_free (call->key);
  g_free (call);
}

static void
answered_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  GTask *task = user_data;
  GError *error = NULL;

  if (!fd_jobs_answer_finish (result, &error))
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, NULL, NULL);
  g_object_unref (task);
}

void
fd_device_up_handle_async (FdDeviceUp *up, FdDeviceIdentity *who, const char *json, gsize len,
                           GAsyncReadyCallback callback, gpointer user_data)
{
  GTask *task = g_task_new (NULL, NULL, callback, user_data);
  g_autoptr (JsonParser) parser = NULL;
  g_autoptr (GList) members = NULL;
  GError *error = NULL;
  JsonObject *obj;
  JsonNode *key, *value;
  const char *key_text, *why;

  g_task_set_source_tag (task, fd_device_up_handle_async);

  /* The scanner judges the JSON as strictly as data payloads: UTF-8, depth, duplicates. */
  if (!fd_payload_scan (up->scanner, json, len, &error))
    {
      g_task_return_error (task, error);
      g_object_unref (task);
      return;
    }
  if (has_escaped_nul (json, len))
    {
      fail_invalid (task, "a string of the message contains \\u0000");
      return;
    }
  parser = json_parser_new_immutable ();
  if (!json_parser_load_from_data (parser, json, (gssize)len, &error))
    {
      /* Cannot happen after the scanner, but json-glib is the one to build the tree. */
      g_task_return_new_error (task, FD_PAYLOAD_ERROR, FD_PAYLOAD_ERROR_SYNTAX, "%s",
                               error->message);
      g_error_free (error);
      g_object_unref (task);
      return;
    }
  obj = json_node_get_object (json_parser_get_root (parser));
  members = json_object_get_members (obj);
  for (GList *l = members; l != NULL; l = l->next)
    if (!g_str_equal (l->data, "key") && !g_str_equal (l->data, "value"))
      {
        g_autofree char *message = g_strdup_printf (
            "an up message has only \"key\" and \"value\", not \"%s\"", (const char *)l->data);
        fail_invalid (task, message);
        return;
      }
  key = json_object_get_member (obj, "key");
  value = json_object_get_member (obj, "value");
  if (key == NULL || value == NULL)
    {
      fail_invalid (task, "an up message is {\"key\": \"…\", \"value\": …}");
      return;
    }
  if (!JSON_NODE_HOLDS_VALUE (key) || json_node_get_value_type (key) != G_TYPE_STRING)
    {
      fail_invalid (task, "the key must be a string");
      return;
    }
  key_text = json_node_get_string (key);
  why = check_key (key_text);
  if (why != NULL)
    {
      fail_invalid (task, why);
      return;
    }

  if (key_text[0] == '#')
    {
      g_autofree char *value_json = json_to_string (value, FALSE);
      handle_request (up, who, key_text, value_json, task);
    }
  else if (g_str_equal (key_text, "condition"))
    {
      if (!JSON_NODE_HOLDS_OBJECT (value))
        {
          g_task_return_new_error (task, FD_CONDITIONS_ERROR, FD_CONDITIONS_ERROR_INVALID,
                                   "a condition's value is an object {\"uuid\", …}");
          g_object_unref (task);
          return;
        }
      /* The value is judged before this returns: the parser may go. */
      fd_conditions_handle_async (up->conditions, who, json_node_get_object (value), condition_done,
                                  task);
    }
  else if (up->ota != NULL && is_ota_key (key_text))
    {
      /* Stored as reported, with the device's campaign target moved in the same savepoint. */
      g_autofree char *value_json = json_to_string (value, FALSE);
      fd_ota_up_async (up->ota, up->ingest, who, key_text, value_json, ota_done, task);
    }
  else
    {
      /* Stored as reported; the ingest writer drops expected[key] in the same transaction. */
      g_autofree char *value_json = json_to_string (value, FALSE);

      /* A job's result: stored with the execution's new state. */
      if (key_text[0] == '@' && up->jobs != NULL && !g_str_equal (key_text, "@fota"))
        fd_jobs_answer_async (up->jobs, up->ingest, who, key_text, value_json, answered_done, task);
      else
        {
          StoredCall *call = g_new0 (StoredCall, 1);

          call->task = task;
          call->events = up->events;
          call->who = fd_device_identity_ref (who);
          call->key = g_strdup (key_text);
          fd_ingest_up_async (up->ingest, who, key_text, value_json, stored_done, call);
        }
    }
}

gboolean
fd_device_up_handle_finish (GAsyncResult *result, GBytes **reply, GError **error)
{
  GError *local = NULL;
  GBytes *bytes;

  g_return_val_if_fail (g_task_is_valid (result, NULL), FALSE);
  bytes = g_task_propagate_pointer (G_TASK (result), &local);
  if (local != NULL)
    {
      g_propagate_error (error, local);
      return FALSE;
    }
  if (reply != NULL)
    *reply = bytes;
  else if (bytes != NULL)
    g_bytes_unref (bytes);
  return TRUE;
}
