/* fd-data-row.c — one raw reading of the Data pane's table. Immutable: a page that arrives
 * replaces its "Loading…" rows with new rows, so the list's items never change in place. */
#include "config.h"

#include <glib/gi18n.h>

#include "fd-data-row.h"
#include "fd-format.h"
#include "fd-json.h"

/* Fields of a payload shown on its line before "+ N more". */
#define FD_DATA_ROW_PAYLOAD_FIELDS 8

struct _FdDataRow
{
  GObject parent_instance;

  gboolean loading;
  gint64 timestamp;
  char *time;
  char *device_id;
  char *device;
  char *fleet;
  char *payload;
};

G_DEFINE_FINAL_TYPE (FdDataRow, fd_data_row, G_TYPE_OBJECT)

enum
{
  PROP_0,
  PROP_LOADING,
  PROP_TIME,
  PROP_DEVICE,
  PROP_FLEET,
  PROP_PAYLOAD,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static char *
fd_data_row_format_time (GDateTime *utc)
{
  g_autoptr (GDateTime) local = g_date_time_to_local (utc);
  g_autofree char *seconds = NULL;

  /* TRANSLATORS: a reading's time in the Data pane's table, see g_date_time_format() */
  seconds = g_date_time_format (local, C_ ("time format", "%Y-%m-%d %H:%M:%S"));
  return g_strdup_printf ("%s.%03d", seconds, g_date_time_get_microsecond (local) / 1000);
}

FdDataRow *
fd_data_row_new (JsonObject *object, const char *device_name, const char *fleet_name)
{
  const char *stamp = fd_json_get_string (object, "timestamp_device");
  g_autoptr (GDateTime) utc = stamp != NULL ? g_date_time_new_from_iso8601 (stamp, NULL) : NULL;
  FdDataRow *self;

  if (utc == NULL)
    return NULL;

  self = g_object_new (FD_TYPE_DATA_ROW, NULL);
  self->timestamp = g_date_time_to_unix (utc) * 1000 + g_date_time_get_microsecond (utc) / 1000;
  self->time = fd_data_row_format_time (utc);
  self->device_id = g_strdup (fd_json_get_string (object, "device_id"));
  self->device = g_strdup (device_name != NULL ? device_name : self->device_id);
  self->fleet
      = g_strdup (fleet_name != NULL ? fleet_name : fd_json_get_string (object, "fleet_id"));
  self->payload
      = fd_format_payload (json_object_get_member (object, "payload"), FD_DATA_ROW_PAYLOAD_FIELDS);
  return self;
}

FdDataRow *
fd_data_row_new_loading (void)
{
  FdDataRow *self = g_object_new (FD_TYPE_DATA_ROW, NULL);

  self->loading = TRUE;
  self->time = g_strdup (_ ("Loading…"));
  return self;
}

gboolean
fd_data_row_get_loading (FdDataRow *self)
{
  g_return_val_if_fail (FD_IS_DATA_ROW (self), FALSE);
  return self->loading;
}

gint64
fd_data_row_get_timestamp (FdDataRow *self)
{
  g_return_val_if_fail (FD_IS_DATA_ROW (self), 0);
  return self->timestamp;
}

const char *
fd_data_row_get_time (FdDataRow *self)
{
  g_return_val_if_fail (FD_IS_DATA_ROW (self), NULL);
  return self->time;
}

const char *
fd_data_row_get_device (FdDataRow *self)
{
  g_return_val_if_fail (FD_IS_DATA_ROW (self), NULL);
  return self->device;
}

const char *
fd_data_row_get_device_id (FdDataRow *self)
{
  g_return_val_if_fail (FD_IS_DATA_ROW (self), NULL);
  return self->device_id;
}

const char *
fd_data_row_get_fleet (FdDataRow *self)
{
  g_return_val_if_fail (FD_IS_DATA_ROW (self), NULL);
  return self->fleet;
}

const char *
fd_data_row_get_payload (FdDataRow *self)
{
  g_return_val_if_fail (FD_IS_DATA_ROW (self), NULL);
  return self->payload;
}

static void
fd_data_row_finalize (GObject *object)
{
  FdDataRow *self = FD_DATA_ROW (object);

  g_free (self->time);
  g_free (self->device_id);
  g_free (self->device);
  g_free (self->fleet);
  g_free (self->payload);
  G_OBJECT_CLASS (fd_data_row_parent_class)->finalize (object);
}

static void
fd_data_row_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  FdDataRow *self = FD_DATA_ROW (object);

  switch (prop_id)
    {
    case PROP_LOADING:
      g_value_set_boolean (value, self->loading);
      break;
    case PROP_TIME:
      g_value_set_string (value, self->time);
      break;
    case PROP_DEVICE:
      g_value_set_string (value, self->device);
      break;
    case PROP_FLEET:
      g_value_set_string (value, self->fleet);
      break;
    case PROP_PAYLOAD:
      g_value_set_string (value, self->payload);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
fd_data_row_class_init (FdDataRowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = fd_data_row_finalize;
  object_class->get_property = fd_data_row_get_property;

  properties[PROP_LOADING] = g_param_spec_boolean ("loading", NULL, NULL, FALSE,
                                                   G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_TIME]
      = g_param_spec_string ("time", NULL, NULL, NULL, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_DEVICE]
      = g_param_spec_string ("device", NULL, NULL, NULL, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_FLEET]
      = g_param_spec_string ("fleet", NULL, NULL, NULL, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_PAYLOAD] = g_param_spec_string ("payload", NULL, NULL, NULL,
                                                  G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
fd_data_row_init (FdDataRow *self)
{
}
