/* fd-pane.c — the "folded" property every pane has, in one place. */
#include "config.h"

#include "fd-pane.h"

typedef struct
{
  gboolean folded;
} FdPanePrivate;

G_DEFINE_TYPE_WITH_PRIVATE (FdPane, fd_pane, ADW_TYPE_BIN)

enum
{
  PROP_0,
  PROP_FOLDED,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

gboolean
fd_pane_get_folded (FdPane *self)
{
  FdPanePrivate *priv = fd_pane_get_instance_private (self);

  g_return_val_if_fail (FD_IS_PANE (self), FALSE);
  return priv->folded;
}

static void
fd_pane_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  switch (prop_id)
    {
    case PROP_FOLDED:
      g_value_set_boolean (value, fd_pane_get_folded (FD_PANE (object)));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
fd_pane_set_property (GObject *object, guint prop_id, const GValue *value, GParamSpec *pspec)
{
  FdPanePrivate *priv = fd_pane_get_instance_private (FD_PANE (object));

  switch (prop_id)
    {
    case PROP_FOLDED:
      if (priv->folded != g_value_get_boolean (value))
        {
          priv->folded = g_value_get_boolean (value);
          g_object_notify_by_pspec (object, pspec);
        }
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
fd_pane_class_init (FdPaneClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->get_property = fd_pane_get_property;
  object_class->set_property = fd_pane_set_property;

  /* Whether the window's sidebar is folded away: the header bar then shows a back button. */
  properties[PROP_FOLDED]
      = g_param_spec_boolean ("folded", NULL, NULL, FALSE,
                              G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
fd_pane_init (FdPane *self)
{
}
