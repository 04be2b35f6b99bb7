/* fd-integrations-format.c — integrations, deliveries and alerts as the Integrations pane
 * shows them. */
#include "config.h"

#include <glib/gi18n.h>

#include "fd-format.h"
#include "fd-integrations-format.h"
#include "fd-json.h"

/* Errors longer than this are cut in a cell (the detail page has the whole text). */
#define FD_INTEGRATIONS_ERROR_MAX_CHARS 160

const char *const fd_integration_kinds[] = {
  "data", "conditions", "devices", "jobs", "campaigns", "alerts", NULL,
};

const char *
fd_integration_kind_label (guint i)
{
  switch (i)
    {
    case 0:
      return C_ ("event kind", "Data");
    case 1:
      return C_ ("event kind", "Conditions");
    case 2:
      return C_ ("event kind", "Device online/offline");
    case 3:
      return C_ ("event kind", "Jobs");
    case 4:
      return C_ ("event kind", "Campaigns");
    case 5:
      return C_ ("event kind", "Alerts");
    default:
      return NULL;
    }
}

static void
fd_integrations_set_class (const char **css_class, const char *value)
{
  if (css_class != NULL)
    *css_class = value;
}

const char *
fd_integration_state_label (const char *state, const char **css_class)
{
  fd_integrations_set_class (css_class, NULL);
  if (g_strcmp0 (state, "delivering") == 0)
    {
      fd_integrations_set_class (css_class, "success");
      return C_ ("integration state", "Delivering");
    }
  if (g_strcmp0 (state, "retrying") == 0)
    {
      fd_integrations_set_class (css_class, "warning");
      return C_ ("integration state", "Retrying");
    }
  if (g_strcmp0 (state, "failing") == 0)
    {
      fd_integrations_set_class (css_class, "error");
      return C_ ("integration state", "Failing");
    }
  if (g_strcmp0 (state, "dropping") == 0)
    {
      fd_integrations_set_class (css_class, "error");
      return C_ ("integration state", "Dropping");
    }
  if (g_strcmp0 (state, "paused") == 0)
    {
      fd_integrations_set_class (css_class, "dim-label");
      return C_ ("integration state", "Paused");
    }
  if (g_strcmp0 (state, "idle") == 0)
    return C_ ("integration state", "Idle");
  fd_integrations_set_class (css_class, "dim-label");
  return C_ ("integration state", "Unknown");
}

static char *
fd_integrations_cut (const char *text)
{
  g_autofree char *start = NULL;

  if (text == NULL)
    return NULL;
  if (g_utf8_strlen (text, -1) <= FD_INTEGRATIONS_ERROR_MAX_CHARS)
    return g_strdup (text);
  start = g_utf8_substring (text, 0, FD_INTEGRATIONS_ERROR_MAX_CHARS);
  return g_strconcat (start, "…", NULL);
}

char *
fd_integrations_format_name (JsonObject *integration, const char **css_class)
{
  fd_integrations_set_class (css_class, NULL);
  return fd_json_dup_string (integration, "name");
}

char *
fd_integrations_format_type (JsonObject *integration, const char **css_class)
{
  const char *type = fd_json_get_string (integration, "type");

  fd_integrations_set_class (css_class, NULL);
  if (g_strcmp0 (type, "webhook") == 0)
    return g_strdup (C_ ("integration type", "Webhook"));
  if (g_strcmp0 (type, "postgresql") == 0)
    return g_strdup (C_ ("integration type", "PostgreSQL"));
  return g_strdup (type != NULL ? type : "");
}

char *
fd_integrations_format_health (JsonObject *integration, const char **css_class)
{
  JsonObject *health = fd_json_get_member_object (integration, "health");

  return g_strdup (fd_integration_state_label (fd_json_get_string (health, "state"), css_class));
}

char *
fd_integrations_format_queued (JsonObject *integration, const char **css_class)
{
  JsonObject *health = fd_json_get_member_object (integration, "health");
  gint64 queued = fd_json_get_int (health, "queue_depth", 0);

  fd_integrations_set_class (css_class, queued == 0 ? "dim-label" : NULL);
  return g_strdup_printf ("%'" G_GINT64_FORMAT, queued);
}

char *
fd_integrations_format_rate (JsonObject *integration, const char **css_class)
{
  JsonObject *health = fd_json_get_member_object (integration, "health");
  JsonNode *rate = health != NULL ? json_object_get_member (health, "rate_per_s") : NULL;
  double value = rate != NULL && JSON_NODE_HOLDS_VALUE (rate) ? json_node_get_double (rate) : 0;

  fd_integrations_set_class (css_class, value == 0 ? "dim-label" : NULL);
  /* TRANSLATORS: deliveries per second */
  return g_strdup_printf (_ ("%.1f/s"), value);
}

char *
fd_integrations_format_last_error (JsonObject *integration, const char **css_class)
{
  JsonObject *health = fd_json_get_member_object (integration, "health");
  const char *error = fd_json_get_string (health, "last_error");

  fd_integrations_set_class (css_class, error != NULL ? "error" : "dim-label");
  return error != NULL ? fd_integrations_cut (error) : g_strdup (C_ ("last error", "None"));
}

/* The delivery log */

char *
fd_deliveries_format_time (JsonObject *delivery, const char **css_class)
{
  const char *time = fd_json_get_string (delivery, "time");
  g_autoptr (GDateTime) utc = time != NULL ? g_date_time_new_from_iso8601 (time, NULL) : NULL;
  g_autoptr (GDateTime) local = utc != NULL ? g_date_time_to_local (utc) : NULL;

  fd_integrations_set_class (css_class, NULL);
  /* To the second, in local time: attempts of one batch come seconds apart. */
  return local != NULL
             ? g_date_time_format (local, C_ ("time format", "%Y-%m-%d %H:%M:%S"))
             : g_strdup ("");
}

char *
fd_deliveries_format_batch (JsonObject *delivery, const char **css_class)
{
  fd_integrations_set_class (css_class, "dim-label");
  return fd_json_dup_string (delivery, "batch_id");
}

char *
fd_deliveries_format_kind (JsonObject *delivery, const char **css_class)
{
  const char *kind = fd_json_get_string (delivery, "kind");

  fd_integrations_set_class (css_class, NULL);
  for (guint i = 0; fd_integration_kinds[i] != NULL; i++)
    if (g_strcmp0 (kind, fd_integration_kinds[i]) == 0)
      return g_strdup (fd_integration_kind_label (i));
  if (g_strcmp0 (kind, "test") == 0)
    return g_strdup (C_ ("event kind", "Test"));
  return g_strdup (kind != NULL ? kind : "");
}

char *
fd_deliveries_format_items (JsonObject *delivery, const char **css_class)
{
  fd_integrations_set_class (css_class, NULL);
  return g_strdup_printf ("%'" G_GINT64_FORMAT, fd_json_get_int (delivery, "items", 0));
}

char *
fd_deliveries_format_attempt (JsonObject *delivery, const char **css_class)
{
  fd_integrations_set_class (css_class, NULL);
  return g_strdup_printf ("%" G_GINT64_FORMAT, fd_json_get_int (delivery, "attempt", 1));
}

char *
fd_deliveries_format_status (JsonObject *delivery, const char **css_class)
{
  gint64 status = fd_json_get_int (delivery, "status", 0);

  fd_integrations_set_class (css_class, status == 0 ? "dim-label" : NULL);
  /* No HTTP status: a network error, a timeout, or PostgreSQL. */
  return status > 0 ? g_strdup_printf ("%" G_GINT64_FORMAT, status) : g_strdup ("—");
}

char *
fd_deliveries_format_latency (JsonObject *delivery, const char **css_class)
{
  fd_integrations_set_class (css_class, NULL);
  /* TRANSLATORS: milliseconds */
  return g_strdup_printf (_ ("%'" G_GINT64_FORMAT " ms"),
                          fd_json_get_int (delivery, "latency_ms", 0));
}

char *
fd_deliveries_format_outcome (JsonObject *delivery, const char **css_class)
{
  const char *outcome = fd_json_get_string (delivery, "outcome");

  fd_integrations_set_class (css_class, NULL);
  if (g_strcmp0 (outcome, "delivered") == 0)
    {
      fd_integrations_set_class (css_class, "success");
      return g_strdup (C_ ("delivery outcome", "Delivered"));
    }
  if (g_strcmp0 (outcome, "retry") == 0)
    {
      fd_integrations_set_class (css_class, "warning");
      return g_strdup (C_ ("delivery outcome", "Will Retry"));
    }
  if (g_strcmp0 (outcome, "failed") == 0)
    {
      fd_integrations_set_class (css_class, "error");
      return g_strdup (C_ ("delivery outcome", "Failed"));
    }
  if (g_strcmp0 (outcome, "dropped") == 0)
    {
      fd_integrations_set_class (css_class, "error");
      return g_strdup (C_ ("delivery outcome", "Dropped"));
    }
  return g_strdup (outcome != NULL ? outcome : "");
}

char *
fd_deliveries_format_error (JsonObject *delivery, const char **css_class)
{
  const char *error = fd_json_get_string (delivery, "error");

  fd_integrations_set_class (css_class, error != NULL ? "error" : NULL);
  return error != NULL ? fd_integrations_cut (error) : g_strdup ("");
}

char *
fd_integrations_format_test (JsonObject *result, gboolean *delivered)
{
  gboolean ok = FALSE;
  gint64 status = fd_json_get_int (result, "status", 0);
  gint64 latency = fd_json_get_int (result, "latency_ms", 0);
  const char *error = fd_json_get_string (result, "error");

  fd_json_update_boolean (result, "delivered", &ok);
  if (delivered != NULL)
    *delivered = ok;
  if (ok && status > 0)
    /* TRANSLATORS: an HTTP status, then milliseconds */
    return g_strdup_printf (
        _ ("Test event delivered: HTTP %" G_GINT64_FORMAT " in %'" G_GINT64_FORMAT " ms"), status,
        latency);
  if (ok)
    return g_strdup_printf (_ ("Test event delivered in %'" G_GINT64_FORMAT " ms"), latency);
  if (status > 0)
    return g_strdup_printf (_ ("Test event not delivered: HTTP %" G_GINT64_FORMAT " — %s"), status,
                            error != NULL ? error : _ ("no error given"));
  return g_strdup_printf (_ ("Test event not delivered: %s"),
                          error != NULL ? error : _ ("no error given"));
}

/* Alerts */

char *
fd_alerts_format_threshold (gint64 seconds)
{
  /* Rules are made in whole minutes or hours: "10 min", not "10 min 00 s". */
  if (seconds >= 3600 && seconds % 3600 == 0)
    return g_strdup_printf (C_ ("duration", "%" G_GINT64_FORMAT " h"), seconds / 3600);
  if (seconds >= 60 && seconds % 60 == 0)
    return g_strdup_printf (C_ ("duration", "%" G_GINT64_FORMAT " min"), seconds / 60);
  return fd_format_duration ((double)seconds);
}

char *
fd_alerts_format_rule (JsonObject *rule)
{
  JsonArray *tags = NULL;
  g_autoptr (GString) names = g_string_new (NULL);
  g_autofree char *threshold
      = fd_alerts_format_threshold (fd_json_get_int (rule, "open_longer_than_s", 0));

  if (rule != NULL && json_object_has_member (rule, "tags")
      && JSON_NODE_HOLDS_ARRAY (json_object_get_member (rule, "tags")))
    tags = json_object_get_array_member (rule, "tags");
  for (guint i = 0; tags != NULL && i < json_array_get_length (tags); i++)
    {
      const char *tag = json_array_get_string_element (tags, i);

      if (tag == NULL)
        continue;
      if (names->len > 0)
        g_string_append (names, ", ");
      g_string_append (names, tag);
    }
  if (names->len == 0)
    g_string_append (names, _ ("any tag"));
  /* TRANSLATORS: tags, then a duration ("10 min") */
  return g_strdup_printf (_ ("%s · open longer than %s"), names->str, threshold);
}

char *
fd_alerts_format_title (JsonObject *alert)
{
  const char *device = fd_json_get_string (alert, "device_name");

  if (device == NULL)
    device = fd_json_get_string (alert, "device_id");
  /* TRANSLATORS: a notification: a condition's tag, then the device's name */
  return g_strdup_printf (_ ("Condition open too long: %s on %s"),
                          fd_json_get_string (alert, "tag") ?: "?", device ?: "?");
}

char *
fd_alerts_notification_id (JsonObject *alert)
{
  const char *rule = fd_json_get_string (alert, "rule_id");
  const char *device = fd_json_get_string (alert, "device_id");
  const char *uuid = fd_json_get_string (alert, "condition_uuid");

  if (rule == NULL || device == NULL || uuid == NULL)
    return NULL;
  return g_strconcat ("alert-", rule, "-", device, "-", uuid, NULL);
}
