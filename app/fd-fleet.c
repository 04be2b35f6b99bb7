/* fd-fleet.c — a fleet of a workspace, as the API describes it. */
#include "config.h"

#include <glib/gi18n.h>

#include "fd-fleet.h"
#include "fd-json.h"

struct _FdFleet
{
  GObject parent_instance;

  char *id;
  char *name;
  gboolean is_default;
  guint device_count;
};

G_DEFINE_FINAL_TYPE (FdFleet, fd_fleet, G_TYPE_OBJECT)

enum
{
  PROP_0,
  PROP_ID,
  PROP_NAME,
  PROP_IS_DEFAULT,
  PROP_DEVICE_COUNT,
  PROP_SUMMARY,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
fd_fleet_finalize (GObject *object)
{
  FdFleet *self = FD_FLEET (object);

  g_free (self->id);
  g_free (self->name);

  G_OBJECT_CLASS (fd_fleet_parent_class)->finalize (object);
}

/* "Default fleet, 12 devices" — the subtitle of a fleet in lists. */
static char *
fd_fleet_dup_summary (FdFleet *self)
{
  g_autofree char *devices = g_strdup_printf (
      g_dngettext (GETTEXT_PACKAGE, "%'u device", "%'u devices", self->device_count),
      self->device_count);

  if (!self->is_default)
    return g_steal_pointer (&devices);
  /* TRANSLATORS: "Default fleet, 12 devices" */
  return g_strdup_printf (_ ("Default fleet, %s"), devices);
}

static void
fd_fleet_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  FdFleet *self = FD_FLEET (object);

  switch (prop_id)
    {
    case PROP_ID:
      g_value_set_string (value, self->id);
      break;
    case PROP_NAME:
      g_value_set_string (value, self->name);
      break;
    case PROP_IS_DEFAULT:
      g_value_set_boolean (value, self->is_default);
      break;
    case PROP_DEVICE_COUNT:
      g_value_set_uint (value, self->device_count);
      break;
    case PROP_SUMMARY:
      g_value_take_string (value, fd_fleet_dup_summary (self));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
fd_fleet_class_init (FdFleetClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = fd_fleet_finalize;
  object_class->get_property = fd_fleet_get_property;

  properties[PROP_ID]
      = g_param_spec_string ("id", NULL, NULL, NULL, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_NAME]
      = g_param_spec_string ("name", NULL, NULL, NULL, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_IS_DEFAULT] = g_param_spec_boolean ("is-default", NULL, NULL, FALSE,
                                                      G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_DEVICE_COUNT] = g_param_spec_uint ("device-count", NULL, NULL, 0, G_MAXUINT, 0,
                                                     G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_SUMMARY] = g_param_spec_string ("summary", NULL, NULL, NULL,
                                                  G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
fd_fleet_init (FdFleet *self)
{
}

FdFleet *
fd_fleet_new_from_json (JsonObject *object)
{
  FdFleet *self;
  const char *id = fd_json_get_string (object, "id");

  if (id == NULL)
    return NULL;

  self = g_object_new (FD_TYPE_FLEET, NULL);
  self->id = g_strdup (id);
  fd_fleet_update_from_json (self, object);
  return self;
}

FdFleet *
fd_fleet_new_any (const char *name)
{
  FdFleet *self = g_object_new (FD_TYPE_FLEET, NULL);

  self->name = g_strdup (name);
  return self;
}

void
fd_fleet_update_from_json (FdFleet *self, JsonObject *object)
{
  gboolean summary_changed = FALSE;

  g_return_if_fail (FD_IS_FLEET (self));

  g_object_freeze_notify (G_OBJECT (self));
  if (fd_json_update_string (object, "name", &self->name))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_NAME]);
  if (fd_json_update_boolean (object, "is_default", &self->is_default))
    {
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_IS_DEFAULT]);
      summary_changed = TRUE;
    }
  if (fd_json_update_uint (object, "device_count", &self->device_count))
    {
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_DEVICE_COUNT]);
      summary_changed = TRUE;
    }
  if (summary_changed)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SUMMARY]);
  g_object_thaw_notify (G_OBJECT (self));
}

const char *
fd_fleet_get_id (FdFleet *self)
{
  g_return_val_if_fail (FD_IS_FLEET (self), NULL);
  return self->id;
}

const char *
fd_fleet_get_name (FdFleet *self)
{
  g_return_val_if_fail (FD_IS_FLEET (self), NULL);
  return self->name;
}

gboolean
fd_fleet_get_is_default (FdFleet *self)
{
  g_return_val_if_fail (FD_IS_FLEET (self), FALSE);
  return self->is_default;
}

guint
fd_fleet_get_device_count (FdFleet *self)
{
  g_return_val_if_fail (FD_IS_FLEET (self), 0);
  return self->device_count;
}
