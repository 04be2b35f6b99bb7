/* fd-device.c — a device row: a loading row until its page of the list arrives.
 *
 * The device list hands out loading rows at once and fills the same objects in place when
 * their page arrives, so bound cells update through property notifications and the selection
 * and scroll position never jump.
 */
#include "config.h"

#include <glib/gi18n.h>

#include "fd-device.h"
#include "fd-json.h"

struct _FdDevice
{
  GObject parent_instance;

  gboolean loaded;
  gboolean online;
  char *id;
  char *name;
  char *fleet_id;
  char *fleet_name;
  char *created_at;
  char *last_seen;
  char *created_label;
  char *last_seen_label;
};

G_DEFINE_FINAL_TYPE (FdDevice, fd_device, G_TYPE_OBJECT)

enum
{
  PROP_0,
  PROP_LOADED,
  PROP_ID,
  PROP_NAME,
  PROP_FLEET_ID,
  PROP_FLEET_NAME,
  PROP_ONLINE,
  PROP_STATUS_LABEL,
  PROP_STATUS_CLASSES,
  PROP_CREATED_LABEL,
  PROP_LAST_SEEN_LABEL,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
fd_device_finalize (GObject *object)
{
  FdDevice *self = FD_DEVICE (object);

  g_free (self->id);
  g_free (self->name);
  g_free (self->fleet_id);
  g_free (self->fleet_name);
  g_free (self->created_at);
  g_free (self->last_seen);
  g_free (self->created_label);
  g_free (self->last_seen_label);

  G_OBJECT_CLASS (fd_device_parent_class)->finalize (object);
}

static void
fd_device_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  FdDevice *self = FD_DEVICE (object);

  switch (prop_id)
    {
    case PROP_LOADED:
      g_value_set_boolean (value, self->loaded);
      break;
    case PROP_ID:
      g_value_set_string (value, self->id);
      break;
    case PROP_NAME:
      g_value_set_string (value, self->name);
      break;
    case PROP_FLEET_ID:
      g_value_set_string (value, self->fleet_id);
      break;
    case PROP_FLEET_NAME:
      g_value_set_string (value, self->fleet_name);
      break;
    case PROP_ONLINE:
      g_value_set_boolean (value, self->online);
      break;
    case PROP_STATUS_LABEL:
      g_value_set_string (value, !self->loaded  ? ""
                                 : self->online ? C_ ("device", "Online")
                                                : C_ ("device", "Offline"));
      break;
    case PROP_STATUS_CLASSES:
      {
        /* The dot of the Status column: filled while online. */
        static const char *const online[] = { "fd-status-dot", "fd-online", NULL };
        static const char *const offline[] = { "fd-status-dot", NULL };
        static const char *const loading[] = { NULL };

        g_value_set_boxed (value, !self->loaded ? loading : self->online ? online : offline);
      }
      break;
    case PROP_CREATED_LABEL:
      g_value_set_string (value, self->created_label);
      break;
    case PROP_LAST_SEEN_LABEL:
      g_value_set_string (value, self->last_seen_label);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
fd_device_class_init (FdDeviceClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  const GParamFlags flags = G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY;

  object_class->finalize = fd_device_finalize;
  object_class->get_property = fd_device_get_property;

  properties[PROP_LOADED] = g_param_spec_boolean ("loaded", NULL, NULL, FALSE, flags);
  properties[PROP_ID] = g_param_spec_string ("id", NULL, NULL, NULL, flags);
  properties[PROP_NAME] = g_param_spec_string ("name", NULL, NULL, NULL, flags);
  properties[PROP_FLEET_ID] = g_param_spec_string ("fleet-id", NULL, NULL, NULL, flags);
  properties[PROP_FLEET_NAME] = g_param_spec_string ("fleet-name", NULL, NULL, NULL, flags);
  properties[PROP_ONLINE] = g_param_spec_boolean ("online", NULL, NULL, FALSE, flags);
  properties[PROP_STATUS_LABEL] = g_param_spec_string ("status-label", NULL, NULL, NULL, flags);
  properties[PROP_STATUS_CLASSES]
      = g_param_spec_boxed ("status-classes", NULL, NULL, G_TYPE_STRV, flags);
  properties[PROP_CREATED_LABEL] = g_param_spec_string ("created-label", NULL, NULL, NULL, flags);
  properties[PROP_LAST_SEEN_LABEL]
      = g_param_spec_string ("last-seen-label", NULL, NULL, NULL, flags);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
fd_device_init (FdDevice *self)
{
}

FdDevice *
fd_device_new_loading (void)
{
  return g_object_new (FD_TYPE_DEVICE, NULL);
}

FdDevice *
fd_device_new_from_json (JsonObject *object)
{
  FdDevice *self = g_object_new (FD_TYPE_DEVICE, NULL);

  fd_device_update_from_json (self, object);
  return self;
}

static void
fd_device_set_label (FdDevice *self, char **label, char *value, GParamSpec *pspec)
{
  g_autofree char *owned = value;

  if (g_strcmp0 (*label, owned) == 0)
    return;
  g_free (*label);
  *label = g_steal_pointer (&owned);
  g_object_notify_by_pspec (G_OBJECT (self), pspec);
}

static void
fd_device_notify_status (FdDevice *self)
{
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ONLINE]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATUS_LABEL]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATUS_CLASSES]);
}

void
fd_device_update_from_json (FdDevice *self, JsonObject *object)
{
  GObject *gobject = G_OBJECT (self);

  g_return_if_fail (FD_IS_DEVICE (self));

  g_object_freeze_notify (gobject);
  if (fd_json_update_string (object, "id", &self->id))
    g_object_notify_by_pspec (gobject, properties[PROP_ID]);
  if (fd_json_update_string (object, "name", &self->name))
    g_object_notify_by_pspec (gobject, properties[PROP_NAME]);
  if (fd_json_update_string (object, "fleet_id", &self->fleet_id))
    g_object_notify_by_pspec (gobject, properties[PROP_FLEET_ID]);
  if (fd_json_update_string (object, "fleet_name", &self->fleet_name))
    g_object_notify_by_pspec (gobject, properties[PROP_FLEET_NAME]);
  if (fd_json_update_boolean (object, "online", &self->online) || !self->loaded)
    fd_device_notify_status (self);
  if (fd_json_update_string (object, "created_at", &self->created_at))
    fd_device_set_label (self, &self->created_label, fd_json_format_time (self->created_at),
                         properties[PROP_CREATED_LABEL]);
  if (fd_json_update_string (object, "last_seen", &self->last_seen) || !self->loaded)
    fd_device_set_label (self, &self->last_seen_label,
                         self->last_seen != NULL ? fd_json_format_time (self->last_seen)
                                                 : g_strdup (C_ ("last seen", "Never")),
                         properties[PROP_LAST_SEEN_LABEL]);
  if (!self->loaded)
    {
      self->loaded = TRUE;
      g_object_notify_by_pspec (gobject, properties[PROP_LOADED]);
    }
  g_object_thaw_notify (gobject);
}

gboolean
fd_device_get_loaded (FdDevice *self)
{
  g_return_val_if_fail (FD_IS_DEVICE (self), FALSE);
  return self->loaded;
}

gboolean
fd_device_get_online (FdDevice *self)
{
  g_return_val_if_fail (FD_IS_DEVICE (self), FALSE);
  return self->online;
}

void
fd_device_set_online (FdDevice *self, gboolean online)
{
  g_return_if_fail (FD_IS_DEVICE (self));

  if (self->online == !!online)
    return;
  self->online = !!online;
  fd_device_notify_status (self);
}

void
fd_device_set_last_seen (FdDevice *self, const char *rfc3339)
{
  g_return_if_fail (FD_IS_DEVICE (self));

  /* The server writes every time in one format: the strings order as the times do. */
  if (rfc3339 == NULL || !self->loaded || g_strcmp0 (rfc3339, self->last_seen) <= 0)
    return;
  g_free (self->last_seen);
  self->last_seen = g_strdup (rfc3339);
  fd_device_set_label (self, &self->last_seen_label, fd_json_format_time (self->last_seen),
                       properties[PROP_LAST_SEEN_LABEL]);
}

const char *
fd_device_get_id (FdDevice *self)
{
  g_return_val_if_fail (FD_IS_DEVICE (self), NULL);
  return self->id;
}

const char *
fd_device_get_name (FdDevice *self)
{
  g_return_val_if_fail (FD_IS_DEVICE (self), NULL);
  return self->name;
}

const char *
fd_device_get_fleet_id (FdDevice *self)
{
  g_return_val_if_fail (FD_IS_DEVICE (self), NULL);
  return self->fleet_id;
}

const char *
fd_device_get_fleet_name (FdDevice *self)
{
  g_return_val_if_fail (FD_IS_DEVICE (self), NULL);
  return self->fleet_name;
}

const char *
fd_device_get_created_at (FdDevice *self)
{
  g_return_val_if_fail (FD_IS_DEVICE (self), NULL);
  return self->created_at;
}

const char *
fd_device_get_last_seen (FdDevice *self)
{
  g_return_val_if_fail (FD_IS_DEVICE (self), NULL);
  return self->last_seen;
}
