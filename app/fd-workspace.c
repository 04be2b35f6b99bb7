/* fd-workspace.c — a workspace as the API describes it, kept up to date in place. */
#include "config.h"

#include <glib/gi18n.h>

#include "fd-json.h"
#include "fd-workspace.h"

struct _FdWorkspace
{
  GObject parent_instance;

  char *id;
  char *name;
  char *description;
  char *default_fleet_id;
  guint fleet_count;
  guint device_count;
};

G_DEFINE_FINAL_TYPE (FdWorkspace, fd_workspace, G_TYPE_OBJECT)

enum
{
  PROP_0,
  PROP_ID,
  PROP_NAME,
  PROP_DESCRIPTION,
  PROP_FLEET_COUNT,
  PROP_DEVICE_COUNT,
  PROP_SUMMARY,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
fd_workspace_finalize (GObject *object)
{
  FdWorkspace *self = FD_WORKSPACE (object);

  g_free (self->id);
  g_free (self->name);
  g_free (self->description);
  g_free (self->default_fleet_id);

  G_OBJECT_CLASS (fd_workspace_parent_class)->finalize (object);
}

/* "3 fleets, 120 devices" — the subtitle of a workspace in lists. */
static char *
fd_workspace_dup_summary (FdWorkspace *self)
{
  g_autofree char *fleets = g_strdup_printf (
      g_dngettext (GETTEXT_PACKAGE, "%u fleet", "%u fleets", self->fleet_count), self->fleet_count);
  g_autofree char *devices = g_strdup_printf (
      g_dngettext (GETTEXT_PACKAGE, "%'u device", "%'u devices", self->device_count),
      self->device_count);

  /* TRANSLATORS: "3 fleets, 120 devices" */
  return g_strdup_printf (C_ ("workspace summary", "%s, %s"), fleets, devices);
}

static void
fd_workspace_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  FdWorkspace *self = FD_WORKSPACE (object);

  switch (prop_id)
    {
    case PROP_ID:
      g_value_set_string (value, self->id);
      break;
    case PROP_NAME:
      g_value_set_string (value, self->name);
      break;
    case PROP_DESCRIPTION:
      g_value_set_string (value, self->description);
      break;
    case PROP_FLEET_COUNT:
      g_value_set_uint (value, self->fleet_count);
      break;
    case PROP_DEVICE_COUNT:
      g_value_set_uint (value, self->device_count);
      break;
    case PROP_SUMMARY:
      g_value_take_string (value, fd_workspace_dup_summary (self));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
fd_workspace_class_init (FdWorkspaceClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = fd_workspace_finalize;
  object_class->get_property = fd_workspace_get_property;

  properties[PROP_ID]
      = g_param_spec_string ("id", NULL, NULL, NULL, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_NAME]
      = g_param_spec_string ("name", NULL, NULL, NULL, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_DESCRIPTION] = g_param_spec_string ("description", NULL, NULL, NULL,
                                                      G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_FLEET_COUNT] = g_param_spec_uint ("fleet-count", NULL, NULL, 0, G_MAXUINT, 0,
                                                    G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_DEVICE_COUNT] = g_param_spec_uint ("device-count", NULL, NULL, 0, G_MAXUINT, 0,
                                                     G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_SUMMARY] = g_param_spec_string ("summary", NULL, NULL, NULL,
                                                  G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
fd_workspace_init (FdWorkspace *self)
{
}

FdWorkspace *
fd_workspace_new_from_json (JsonObject *object)
{
  FdWorkspace *self;
  const char *id = fd_json_get_string (object, "id");

  if (id == NULL)
    return NULL;

  self = g_object_new (FD_TYPE_WORKSPACE, NULL);
  self->id = g_strdup (id);
  fd_workspace_update_from_json (self, object);
  return self;
}

void
fd_workspace_update_from_json (FdWorkspace *self, JsonObject *object)
{
  gboolean counts_changed = FALSE;

  g_return_if_fail (FD_IS_WORKSPACE (self));

  g_object_freeze_notify (G_OBJECT (self));
  if (fd_json_update_string (object, "name", &self->name))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_NAME]);
  if (fd_json_update_string (object, "description", &self->description))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_DESCRIPTION]);
  fd_json_update_string (object, "default_fleet_id", &self->default_fleet_id);
  if (fd_json_update_uint (object, "fleet_count", &self->fleet_count))
    {
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_FLEET_COUNT]);
      counts_changed = TRUE;
    }
  if (fd_json_update_uint (object, "device_count", &self->device_count))
    {
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_DEVICE_COUNT]);
      counts_changed = TRUE;
    }
  if (counts_changed)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SUMMARY]);
  g_object_thaw_notify (G_OBJECT (self));
}

const char *
fd_workspace_get_id (FdWorkspace *self)
{
  g_return_val_if_fail (FD_IS_WORKSPACE (self), NULL);
  return self->id;
}

const char *
fd_workspace_get_name (FdWorkspace *self)
{
  g_return_val_if_fail (FD_IS_WORKSPACE (self), NULL);
  return self->name;
}

const char *
fd_workspace_get_default_fleet_id (FdWorkspace *self)
{
  g_return_val_if_fail (FD_IS_WORKSPACE (self), NULL);
  return self->default_fleet_id;
}

guint
fd_workspace_get_fleet_count (FdWorkspace *self)
{
  g_return_val_if_fail (FD_IS_WORKSPACE (self), 0);
  return self->fleet_count;
}

guint
fd_workspace_get_device_count (FdWorkspace *self)
{
  g_return_val_if_fail (FD_IS_WORKSPACE (self), 0);
  return self->device_count;
}
