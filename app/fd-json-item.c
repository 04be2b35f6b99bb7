/* fd-json-item.c — API objects as list items, and column view columns over them.
 *
 * A cell connects to its item's notify::object while bound and disconnects when unbound, so
 * with a virtualised column view only the few dozen rows on screen listen, whatever the
 * number of items.
 */
#include "config.h"

#include "fd-json-item.h"
#include "fd-json.h"

struct _FdJsonItem
{
  GObject parent_instance;

  JsonObject *object;
};

G_DEFINE_FINAL_TYPE (FdJsonItem, fd_json_item, G_TYPE_OBJECT)

enum
{
  PROP_0,
  PROP_OBJECT,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
fd_json_item_finalize (GObject *object)
{
  g_clear_pointer (&FD_JSON_ITEM (object)->object, json_object_unref);
  G_OBJECT_CLASS (fd_json_item_parent_class)->finalize (object);
}

static void
fd_json_item_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  switch (prop_id)
    {
    case PROP_OBJECT:
      g_value_set_boxed (value, FD_JSON_ITEM (object)->object);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
fd_json_item_class_init (FdJsonItemClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = fd_json_item_finalize;
  object_class->get_property = fd_json_item_get_property;
  properties[PROP_OBJECT]
      = g_param_spec_boxed ("object", NULL, NULL, JSON_TYPE_OBJECT,
                            G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
fd_json_item_init (FdJsonItem *self)
{
}

FdJsonItem *
fd_json_item_new (JsonObject *object)
{
  FdJsonItem *self = g_object_new (FD_TYPE_JSON_ITEM, NULL);

  self->object = json_object_ref (object);
  return self;
}

JsonObject *
fd_json_item_get_object (FdJsonItem *self)
{
  g_return_val_if_fail (FD_IS_JSON_ITEM (self), NULL);
  return self->object;
}

void
fd_json_item_set_object (FdJsonItem *self, JsonObject *object)
{
  g_return_if_fail (FD_IS_JSON_ITEM (self));
  g_return_if_fail (object != NULL);

  json_object_ref (object);
  g_clear_pointer (&self->object, json_object_unref);
  self->object = object;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_OBJECT]);
}

void
fd_json_item_changed (FdJsonItem *self)
{
  g_return_if_fail (FD_IS_JSON_ITEM (self));
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_OBJECT]);
}

char *
fd_json_dup_string (JsonObject *object, const char *name)
{
  const char *value = fd_json_get_string (object, name);

  return g_strdup (value != NULL ? value : "");
}

gint64
fd_json_get_int (JsonObject *object, const char *name, gint64 fallback)
{
  JsonNode *node = object != NULL ? json_object_get_member (object, name) : NULL;

  if (node == NULL || JSON_NODE_TYPE (node) != JSON_NODE_VALUE)
    return fallback;
  switch (json_node_get_value_type (node))
    {
    case G_TYPE_INT64:
      return json_node_get_int (node);
    case G_TYPE_DOUBLE:
      return (gint64)json_node_get_double (node);
    default:
      return fallback;
    }
}

/* Columns */

typedef struct
{
  FdJsonTextFunc text;
  FdJsonFractionFunc fraction;
  gboolean dim;
  gboolean numeric;
} FdJsonColumn;

static void
fd_json_cell_update (GtkListItem *list_item)
{
  FdJsonColumn *column = g_object_get_data (G_OBJECT (list_item), "fd-column");
  FdJsonItem *item = gtk_list_item_get_item (list_item);
  GtkWidget *child = gtk_list_item_get_child (list_item);

  if (item == NULL || child == NULL)
    return;
  if (column->text != NULL)
    {
      g_autofree char *text = column->text (item->object);

      /* Most updates of a row change one or two of its cells: the others stay as they are
       * (no new layout, no new tooltip). */
      if (g_strcmp0 (gtk_label_get_text (GTK_LABEL (child)), text != NULL ? text : "") == 0)
        return;
      gtk_label_set_text (GTK_LABEL (child), text != NULL ? text : "");
      gtk_widget_set_tooltip_text (child, text != NULL && *text != '\0' ? text : NULL);
    }
  else
    {
      g_autofree char *text = NULL;
      double fraction = column->fraction (item->object, &text);

      fraction = CLAMP (fraction, 0.0, 1.0);
      if (gtk_progress_bar_get_fraction (GTK_PROGRESS_BAR (child)) != fraction)
        gtk_progress_bar_set_fraction (GTK_PROGRESS_BAR (child), fraction);
      if (g_strcmp0 (gtk_progress_bar_get_text (GTK_PROGRESS_BAR (child)), text) != 0)
        gtk_progress_bar_set_text (GTK_PROGRESS_BAR (child), text);
      gtk_progress_bar_set_show_text (GTK_PROGRESS_BAR (child), text != NULL);
    }
}

static void
fd_json_cell_setup_cb (GtkSignalListItemFactory *factory, GtkListItem *list_item,
                       FdJsonColumn *column)
{
  GtkWidget *child;

  g_object_set_data (G_OBJECT (list_item), "fd-column", column);
  if (column->text != NULL)
    {
      child = gtk_label_new (NULL);
      gtk_label_set_xalign (GTK_LABEL (child), column->numeric ? 1.0 : 0.0);
      gtk_label_set_ellipsize (GTK_LABEL (child), PANGO_ELLIPSIZE_END);
      if (column->dim)
        gtk_widget_add_css_class (child, "dim-label");
      if (column->numeric)
        gtk_widget_add_css_class (child, "numeric");
    }
  else
    {
      child = gtk_progress_bar_new ();
      gtk_widget_set_valign (child, GTK_ALIGN_CENTER);
    }
  gtk_list_item_set_child (list_item, child);
}

static void
fd_json_cell_notify_cb (FdJsonItem *item, GParamSpec *pspec, GtkListItem *list_item)
{
  fd_json_cell_update (list_item);
}

static void
fd_json_cell_bind_cb (GtkSignalListItemFactory *factory, GtkListItem *list_item,
                      FdJsonColumn *column)
{
  GObject *item = gtk_list_item_get_item (list_item);

  if (item == NULL)
    return;
  g_signal_connect (item, "notify::object", G_CALLBACK (fd_json_cell_notify_cb), list_item);
  fd_json_cell_update (list_item);
}

static void
fd_json_cell_unbind_cb (GtkSignalListItemFactory *factory, GtkListItem *list_item,
                        FdJsonColumn *column)
{
  GObject *item = gtk_list_item_get_item (list_item);

  if (item != NULL)
    g_signal_handlers_disconnect_by_func (item, fd_json_cell_notify_cb, list_item);
}

static GtkColumnViewColumn *
fd_json_column_new (const char *title, FdJsonColumn *column)
{
  GtkListItemFactory *factory = gtk_signal_list_item_factory_new ();

  g_signal_connect_data (factory, "setup", G_CALLBACK (fd_json_cell_setup_cb), column,
                         (GClosureNotify)(void (*) (void))g_free, 0);
  g_signal_connect (factory, "bind", G_CALLBACK (fd_json_cell_bind_cb), column);
  g_signal_connect (factory, "unbind", G_CALLBACK (fd_json_cell_unbind_cb), column);
  return gtk_column_view_column_new (title, factory);
}

GtkColumnViewColumn *
fd_json_text_column_new (const char *title, FdJsonTextFunc text, gboolean dim, gboolean numeric)
{
  FdJsonColumn *column = g_new0 (FdJsonColumn, 1);

  column->text = text;
  column->dim = dim;
  column->numeric = numeric;
  return fd_json_column_new (title, column);
}

GtkColumnViewColumn *
fd_json_progress_column_new (const char *title, FdJsonFractionFunc fraction)
{
  FdJsonColumn *column = g_new0 (FdJsonColumn, 1);

  column->fraction = fraction;
  return fd_json_column_new (title, column);
}
