/* fd-condition-item.c — one condition as the Conditions pane lists it.
 *
 * Its labels are properties so that the pane's cells bind to them; the pane's one timer calls
 * fd_condition_item_tick() on open conditions, which notifies only when the shown duration
 * text changed.
 */
#include "config.h"

#include <glib/gi18n.h>

#include "fd-condition-item.h"
#include "fd-format.h"
#include "fd-json.h"

/* Payload fields shown in the list; the rest are counted. */
#define FD_CONDITION_ITEM_MAX_FIELDS 6

struct _FdConditionItem
{
  GObject parent_instance;

  char *uuid;
  char *workspace_id;
  char *device_id;
  char *device_name;
  char *tag;
  gboolean open;
  GDateTime *start;
  GDateTime *finish;
  double duration;
  char *start_label;
  char *finish_label;
  char *duration_label;
  char *payload_label;
};

G_DEFINE_FINAL_TYPE (FdConditionItem, fd_condition_item, G_TYPE_OBJECT)

enum
{
  PROP_0,
  PROP_DEVICE_NAME,
  PROP_TAG,
  PROP_OPEN,
  PROP_STATUS_LABEL,
  PROP_START_MS,
  PROP_START_LABEL,
  PROP_FINISH_LABEL,
  PROP_DURATION,
  PROP_DURATION_LABEL,
  PROP_PAYLOAD_LABEL,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
fd_condition_item_finalize (GObject *object)
{
  FdConditionItem *self = FD_CONDITION_ITEM (object);

  g_free (self->uuid);
  g_free (self->workspace_id);
  g_free (self->device_id);
  g_free (self->device_name);
  g_free (self->tag);
  g_clear_pointer (&self->start, g_date_time_unref);
  g_clear_pointer (&self->finish, g_date_time_unref);
  g_free (self->start_label);
  g_free (self->finish_label);
  g_free (self->duration_label);
  g_free (self->payload_label);

  G_OBJECT_CLASS (fd_condition_item_parent_class)->finalize (object);
}

static void
fd_condition_item_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  FdConditionItem *self = FD_CONDITION_ITEM (object);

  switch (prop_id)
    {
    case PROP_DEVICE_NAME:
      g_value_set_string (value, fd_condition_item_get_device_name (self));
      break;
    case PROP_TAG:
      g_value_set_string (value, self->tag);
      break;
    case PROP_OPEN:
      g_value_set_boolean (value, self->open);
      break;
    case PROP_STATUS_LABEL:
      g_value_set_string (value,
                          self->open ? C_ ("condition", "Open") : C_ ("condition", "Closed"));
      break;
    case PROP_START_MS:
      g_value_set_int64 (value, self->start != NULL
                                    ? g_date_time_to_unix (self->start) * 1000
                                          + g_date_time_get_microsecond (self->start) / 1000
                                    : 0);
      break;
    case PROP_START_LABEL:
      g_value_set_string (value, self->start_label);
      break;
    case PROP_FINISH_LABEL:
      g_value_set_string (value, self->finish_label);
      break;
    case PROP_DURATION:
      g_value_set_double (value, self->duration);
      break;
    case PROP_DURATION_LABEL:
      g_value_set_string (value, self->duration_label);
      break;
    case PROP_PAYLOAD_LABEL:
      g_value_set_string (value, self->payload_label);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
fd_condition_item_class_init (FdConditionItemClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  const GParamFlags flags = G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY;

  object_class->finalize = fd_condition_item_finalize;
  object_class->get_property = fd_condition_item_get_property;

  properties[PROP_DEVICE_NAME] = g_param_spec_string ("device-name", NULL, NULL, NULL, flags);
  properties[PROP_TAG] = g_param_spec_string ("tag", NULL, NULL, NULL, flags);
  properties[PROP_OPEN] = g_param_spec_boolean ("open", NULL, NULL, FALSE, flags);
  properties[PROP_STATUS_LABEL] = g_param_spec_string ("status-label", NULL, NULL, NULL, flags);
  properties[PROP_START_MS]
      = g_param_spec_int64 ("start-ms", NULL, NULL, G_MININT64, G_MAXINT64, 0, flags);
  properties[PROP_START_LABEL] = g_param_spec_string ("start-label", NULL, NULL, NULL, flags);
  properties[PROP_FINISH_LABEL] = g_param_spec_string ("finish-label", NULL, NULL, NULL, flags);
  properties[PROP_DURATION]
      = g_param_spec_double ("duration", NULL, NULL, 0, G_MAXDOUBLE, 0, flags);
  properties[PROP_DURATION_LABEL] = g_param_spec_string ("duration-label", NULL, NULL, NULL, flags);
  properties[PROP_PAYLOAD_LABEL] = g_param_spec_string ("payload-label", NULL, NULL, NULL, flags);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
fd_condition_item_init (FdConditionItem *self)
{
}

static void
fd_condition_item_set_label (FdConditionItem *self, char **label, char *value, guint prop)
{
  g_autofree char *owned = value;

  if (g_strcmp0 (*label, owned) == 0)
    return;
  g_free (*label);
  *label = g_steal_pointer (&owned);
  g_object_notify_by_pspec (G_OBJECT (self), properties[prop]);
}

static void
fd_condition_item_set_duration (FdConditionItem *self, double duration)
{
  if (duration != self->duration)
    {
      self->duration = duration;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_DURATION]);
    }
  fd_condition_item_set_label (self, &self->duration_label, fd_format_duration (duration),
                               PROP_DURATION_LABEL);
}

static void
fd_condition_item_set_time (GDateTime **field, const char *rfc3339)
{
  g_clear_pointer (field, g_date_time_unref);
  if (rfc3339 != NULL)
    *field = g_date_time_new_from_iso8601 (rfc3339, NULL);
}

void
fd_condition_item_tick (FdConditionItem *self, GDateTime *now)
{
  g_return_if_fail (FD_IS_CONDITION_ITEM (self));

  /* The device's clock may run ahead of this one: never a negative duration. */
  if (self->open && self->start != NULL)
    fd_condition_item_set_duration (self, MAX (0, g_date_time_difference (now, self->start) / 1e6));
}

void
fd_condition_item_update (FdConditionItem *self, JsonObject *object, GDateTime *now)
{
  GObject *gobject = G_OBJECT (self);
  JsonNode *payload = json_object_get_member (object, "payload");
  JsonNode *duration = json_object_get_member (object, "duration");
  const char *status = fd_json_get_string (object, "status");
  gboolean open;

  g_return_if_fail (FD_IS_CONDITION_ITEM (self));

  g_object_freeze_notify (gobject);
  fd_json_update_string (object, "workspace_id", &self->workspace_id);
  if (fd_json_update_string (object, "device_id", &self->device_id)
      | fd_json_update_string (object, "device_name", &self->device_name))
    g_object_notify_by_pspec (gobject, properties[PROP_DEVICE_NAME]);
  if (fd_json_update_string (object, "tag", &self->tag))
    g_object_notify_by_pspec (gobject, properties[PROP_TAG]);

  open = status != NULL ? g_str_equal (status, "open")
                        : fd_json_get_string (object, "finish") == NULL;
  if (open != self->open)
    {
      self->open = open;
      g_object_notify_by_pspec (gobject, properties[PROP_OPEN]);
      g_object_notify_by_pspec (gobject, properties[PROP_STATUS_LABEL]);
    }

  if (json_object_has_member (object, "start"))
    {
      fd_condition_item_set_time (&self->start, fd_json_get_string (object, "start"));
      g_object_notify_by_pspec (gobject, properties[PROP_START_MS]);
      fd_condition_item_set_label (self, &self->start_label,
                                   fd_json_format_time (fd_json_get_string (object, "start")),
                                   PROP_START_LABEL);
    }
  fd_condition_item_set_time (&self->finish, fd_json_get_string (object, "finish"));
  fd_condition_item_set_label (self, &self->finish_label,
                               open ? g_strdup ("")
                                    : fd_json_format_time (fd_json_get_string (object, "finish")),
                               PROP_FINISH_LABEL);

  if (payload != NULL)
    fd_condition_item_set_label (self, &self->payload_label,
                                 JSON_NODE_HOLDS_NULL (payload)
                                     ? g_strdup ("")
                                     : fd_format_payload (payload, FD_CONDITION_ITEM_MAX_FIELDS),
                                 PROP_PAYLOAD_LABEL);

  if (open)
    fd_condition_item_tick (self, now);
  else if (duration != NULL && JSON_NODE_HOLDS_VALUE (duration))
    fd_condition_item_set_duration (self, json_node_get_double (duration));
  else if (self->start != NULL && self->finish != NULL)
    fd_condition_item_set_duration (self, g_date_time_difference (self->finish, self->start) / 1e6);
  g_object_thaw_notify (gobject);
}

FdConditionItem *
fd_condition_item_new (JsonObject *object, GDateTime *now)
{
  FdConditionItem *self;

  g_return_val_if_fail (object != NULL, NULL);

  if (fd_json_get_string (object, "uuid") == NULL
      || fd_json_get_string (object, "device_id") == NULL
      || fd_json_get_string (object, "tag") == NULL)
    return NULL;

  self = g_object_new (FD_TYPE_CONDITION_ITEM, NULL);
  self->uuid = g_strdup (fd_json_get_string (object, "uuid"));
  self->payload_label = g_strdup ("");
  fd_condition_item_update (self, object, now);
  return self;
}

const char *
fd_condition_item_get_uuid (FdConditionItem *self)
{
  g_return_val_if_fail (FD_IS_CONDITION_ITEM (self), NULL);
  return self->uuid;
}

const char *
fd_condition_item_get_workspace_id (FdConditionItem *self)
{
  g_return_val_if_fail (FD_IS_CONDITION_ITEM (self), NULL);
  return self->workspace_id;
}

const char *
fd_condition_item_get_device_id (FdConditionItem *self)
{
  g_return_val_if_fail (FD_IS_CONDITION_ITEM (self), NULL);
  return self->device_id;
}

const char *
fd_condition_item_get_device_name (FdConditionItem *self)
{
  g_return_val_if_fail (FD_IS_CONDITION_ITEM (self), NULL);
  return self->device_name != NULL ? self->device_name : self->device_id;
}

const char *
fd_condition_item_get_tag (FdConditionItem *self)
{
  g_return_val_if_fail (FD_IS_CONDITION_ITEM (self), NULL);
  return self->tag;
}

gboolean
fd_condition_item_get_open (FdConditionItem *self)
{
  g_return_val_if_fail (FD_IS_CONDITION_ITEM (self), FALSE);
  return self->open;
}

double
fd_condition_item_get_duration (FdConditionItem *self)
{
  g_return_val_if_fail (FD_IS_CONDITION_ITEM (self), 0);
  return self->duration;
}

const char *
fd_condition_item_get_payload_label (FdConditionItem *self)
{
  g_return_val_if_fail (FD_IS_CONDITION_ITEM (self), NULL);
  return self->payload_label;
}
