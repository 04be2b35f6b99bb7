/* fd-import-row.c — one row of a CSV file checked by a dry run. Immutable: the preview shows
 * what the server answered, once. */
#include "config.h"

#include "fd-import-row.h"

struct _FdImportRow
{
  GObject parent_instance;

  guint line;
  char *line_label;
  char *name;
  char *fleet;
  char *credential;
};

G_DEFINE_FINAL_TYPE (FdImportRow, fd_import_row, G_TYPE_OBJECT)

enum
{
  PROP_0,
  PROP_LINE,
  PROP_LINE_LABEL,
  PROP_NAME,
  PROP_FLEET,
  PROP_CREDENTIAL,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
fd_import_row_finalize (GObject *object)
{
  FdImportRow *self = FD_IMPORT_ROW (object);

  g_free (self->line_label);
  g_free (self->name);
  g_free (self->fleet);
  g_free (self->credential);

  G_OBJECT_CLASS (fd_import_row_parent_class)->finalize (object);
}

static void
fd_import_row_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  FdImportRow *self = FD_IMPORT_ROW (object);

  switch (prop_id)
    {
    case PROP_LINE:
      g_value_set_uint (value, self->line);
      break;
    case PROP_LINE_LABEL:
      g_value_set_string (value, self->line_label);
      break;
    case PROP_NAME:
      g_value_set_string (value, self->name);
      break;
    case PROP_FLEET:
      g_value_set_string (value, self->fleet);
      break;
    case PROP_CREDENTIAL:
      g_value_set_string (value, self->credential);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
fd_import_row_class_init (FdImportRowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  const GParamFlags flags = G_PARAM_READABLE | G_PARAM_STATIC_STRINGS;

  object_class->finalize = fd_import_row_finalize;
  object_class->get_property = fd_import_row_get_property;

  properties[PROP_LINE] = g_param_spec_uint ("line", NULL, NULL, 0, G_MAXUINT, 0, flags);
  properties[PROP_LINE_LABEL] = g_param_spec_string ("line-label", NULL, NULL, NULL, flags);
  properties[PROP_NAME] = g_param_spec_string ("name", NULL, NULL, NULL, flags);
  properties[PROP_FLEET] = g_param_spec_string ("fleet", NULL, NULL, NULL, flags);
  properties[PROP_CREDENTIAL] = g_param_spec_string ("credential", NULL, NULL, NULL, flags);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
fd_import_row_init (FdImportRow *self)
{
}

FdImportRow *
fd_import_row_new (guint line, const char *name, const char *fleet, const char *credential)
{
  FdImportRow *self = g_object_new (FD_TYPE_IMPORT_ROW, NULL);

  self->line = line;
  self->line_label = g_strdup_printf ("%u", line);
  self->name = g_strdup (name);
  self->fleet = g_strdup (fleet);
  self->credential = g_strdup (credential);
  return self;
}

guint
fd_import_row_get_line (FdImportRow *self)
{
  g_return_val_if_fail (FD_IS_IMPORT_ROW (self), 0);
  return self->line;
}

const char *
fd_import_row_get_name (FdImportRow *self)
{
  g_return_val_if_fail (FD_IS_IMPORT_ROW (self), NULL);
  return self->name;
}
