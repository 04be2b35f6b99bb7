/* fd-json-item.c — an API object as a list item, and columns whose cells read it.
 *
 * A cell computes its text from the object when it is bound and again on "changed", so an
 * event that changes one execution redraws that row's cells only. The cells keep the
 * handler only while bound: a recycled cell never listens to an item it no longer shows.
 */
#include "config.h"

#include "fd-json-item.h"

struct _FdJsonItem
{
  GObject parent_instance;

  char *key;
  JsonObject *object;
};

G_DEFINE_FINAL_TYPE (FdJsonItem, fd_json_item, G_TYPE_OBJECT)

enum
{
  CHANGED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
fd_json_item_finalize (GObject *object)
{
  FdJsonItem *self = FD_JSON_ITEM (object);

  g_free (self->key);
  g_clear_pointer (&self->object, json_object_unref);
  G_OBJECT_CLASS (fd_json_item_parent_class)->finalize (object);
}

static void
fd_json_item_class_init (FdJsonItemClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = fd_json_item_finalize;
  signals[CHANGED] = g_signal_new ("changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL,
                                   NULL, NULL, G_TYPE_NONE, 0);
}

static void
fd_json_item_init (FdJsonItem *self)
{
}

FdJsonItem *
fd_json_item_new (JsonObject *object, const char *key)
{
  JsonNode *node = object != NULL ? json_object_get_member (object, key) : NULL;
  FdJsonItem *self;

  if (node == NULL || json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;
  self = g_object_new (FD_TYPE_JSON_ITEM, NULL);
  self->key = g_strdup (json_node_get_string (node));
  self->object = json_object_ref (object);
  return self;
}

const char *
fd_json_item_get_key (FdJsonItem *self)
{
  g_return_val_if_fail (FD_IS_JSON_ITEM (self), NULL);
  return self->key;
}

JsonObject *
fd_json_item_get_object (FdJsonItem *self)
{
  g_return_val_if_fail (FD_IS_JSON_ITEM (self), NULL);
  return self->object;
}

void
fd_json_item_merge (FdJsonItem *self, JsonObject *update)
{
  JsonObjectIter iter;
  const char *name;
  JsonNode *value;

  g_return_if_fail (FD_IS_JSON_ITEM (self));

  if (update == NULL)
    return;
  json_object_iter_init (&iter, update);
  while (json_object_iter_next (&iter, &name, &value))
    json_object_set_member (self->object, name, json_node_copy (value));
  g_signal_emit (self, signals[CHANGED], 0);
}

void
fd_json_item_replace (FdJsonItem *self, JsonObject *object)
{
  g_return_if_fail (FD_IS_JSON_ITEM (self));
  g_return_if_fail (object != NULL);

  json_object_ref (object);
  json_object_unref (self->object);
  self->object = object;
  g_signal_emit (self, signals[CHANGED], 0);
}

gboolean
fd_json_item_find (GListModel *model, const char *key, guint *position)
{
  guint n = g_list_model_get_n_items (model);

  for (guint i = 0; i < n; i++)
    {
      g_autoptr (FdJsonItem) item = g_list_model_get_item (model, i);

      if (g_strcmp0 (item->key, key) == 0)
        {
          if (position != NULL)
            *position = i;
          return TRUE;
        }
    }
  return FALSE;
}

void
fd_json_item_store_set (GListStore *store, JsonArray *list, const char *key)
{
  g_autoptr (GPtrArray) items = g_ptr_array_new_with_free_func (g_object_unref);

  g_return_if_fail (G_IS_LIST_STORE (store));

  for (guint i = 0; i < json_array_get_length (list); i++)
    {
      JsonNode *element = json_array_get_element (list, i);
      JsonObject *object = JSON_NODE_HOLDS_OBJECT (element) ? json_node_get_object (element) : NULL;
      JsonNode *name = object != NULL ? json_object_get_member (object, key) : NULL;
      FdJsonItem *item;
      guint position;

      if (object == NULL)
        continue;
      if (name != NULL && json_node_get_value_type (name) == G_TYPE_STRING
          && fd_json_item_find (G_LIST_MODEL (store), json_node_get_string (name), &position))
        {
          item = g_list_model_get_item (G_LIST_MODEL (store), position);
          if (!json_object_equal (item->object, object))
            fd_json_item_replace (item, object);
          g_ptr_array_add (items, item);
          continue;
        }
      item = fd_json_item_new (object, key);
      if (item != NULL)
        g_ptr_array_add (items, item);
    }
  g_list_store_splice (store, 0, g_list_model_get_n_items (G_LIST_MODEL (store)), items->pdata,
                       items->len);
}

/* Cells */

static const char *const fd_json_item_classes[] = { "success", "error", "warning", "dim-label" };

static void
fd_json_item_render (GtkListItem *list_item)
{
  FdJsonItem *item = gtk_list_item_get_item (list_item);
  GtkWidget *child = gtk_list_item_get_child (list_item);
  FdJsonItemText text = g_object_get_data (G_OBJECT (list_item), "fd-text");
  double (*fraction) (JsonObject *) = g_object_get_data (G_OBJECT (list_item), "fd-fraction");
  const char *css_class = NULL;
  g_autofree char *shown = NULL;
  GtkWidget *label = child;

  if (item == NULL || child == NULL)
    return;
  shown = text (item->object, &css_class);
  if (fraction != NULL)
    {
      GtkWidget *bar = gtk_widget_get_first_child (child);

      gtk_progress_bar_set_fraction (GTK_PROGRESS_BAR (bar), CLAMP (fraction (item->object), 0, 1));
      label = gtk_widget_get_next_sibling (bar);
    }
  /* An event changes one or two cells of a row: the others keep their layout and tooltip
   * (thousands of rows updated at once stay cheap). */
  if (g_strcmp0 (gtk_label_get_label (GTK_LABEL (label)), shown != NULL ? shown : "") != 0)
    {
      gtk_label_set_label (GTK_LABEL (label), shown != NULL ? shown : "");
      gtk_widget_set_tooltip_text (label, shown);
    }
  for (guint i = 0; i < G_N_ELEMENTS (fd_json_item_classes); i++)
    if (g_strcmp0 (css_class, fd_json_item_classes[i]) != 0)
      gtk_widget_remove_css_class (label, fd_json_item_classes[i]);
  if (css_class != NULL)
    gtk_widget_add_css_class (label, css_class);
}

static GtkWidget *
fd_json_item_label_new (void)
{
  GtkWidget *label = gtk_label_new (NULL);

  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_END);
  return label;
}

static void
fd_json_item_setup_cb (GtkSignalListItemFactory *factory, GtkListItem *list_item)
{
  gpointer fraction = g_object_get_data (G_OBJECT (factory), "fd-fraction");

  g_object_set_data (G_OBJECT (list_item), "fd-text",
                     g_object_get_data (G_OBJECT (factory), "fd-text"));
  g_object_set_data (G_OBJECT (list_item), "fd-fraction", fraction);
  if (fraction != NULL)
    {
      GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);
      GtkWidget *bar = gtk_progress_bar_new ();

      gtk_widget_set_valign (bar, GTK_ALIGN_CENTER);
      gtk_widget_add_css_class (bar, "fd-compact");
      gtk_box_append (GTK_BOX (box), bar);
      gtk_box_append (GTK_BOX (box), fd_json_item_label_new ());
      gtk_list_item_set_child (list_item, box);
    }
  else
    gtk_list_item_set_child (list_item, fd_json_item_label_new ());
}

static void
fd_json_item_bind_cb (GtkSignalListItemFactory *factory, GtkListItem *list_item)
{
  FdJsonItem *item = gtk_list_item_get_item (list_item);

  fd_json_item_render (list_item);
  if (item != NULL)
    g_signal_connect_object (item, "changed", G_CALLBACK (fd_json_item_render), list_item,
                             G_CONNECT_SWAPPED);
}

static void
fd_json_item_unbind_cb (GtkSignalListItemFactory *factory, GtkListItem *list_item)
{
  FdJsonItem *item = gtk_list_item_get_item (list_item);

  if (item != NULL)
    g_signal_handlers_disconnect_by_func (item, fd_json_item_render, list_item);
}

typedef struct
{
  FdJsonItemText text;
  char *sort_member;
} FdJsonItemSort;

static void
fd_json_item_sort_free (gpointer data)
{
  FdJsonItemSort *sort = data;

  g_free (sort->sort_member);
  g_free (sort);
}

static int
fd_json_item_compare (gconstpointer a, gconstpointer b, gpointer data)
{
  FdJsonItemSort *sort = data;
  JsonObject *first = FD_JSON_ITEM ((gpointer)a)->object;
  JsonObject *second = FD_JSON_ITEM ((gpointer)b)->object;
  g_autofree char *text_a = NULL;
  g_autofree char *text_b = NULL;
  JsonNode *node;

  if (sort->sort_member != NULL)
    {
      node = json_object_get_member (first, sort->sort_member);
      text_a = g_strdup (node != NULL && json_node_get_value_type (node) == G_TYPE_STRING
                             ? json_node_get_string (node)
                             : "");
      node = json_object_get_member (second, sort->sort_member);
      text_b = g_strdup (node != NULL && json_node_get_value_type (node) == G_TYPE_STRING
                             ? json_node_get_string (node)
                             : "");
      return g_strcmp0 (text_a, text_b);
    }
  text_a = sort->text (first, NULL);
  text_b = sort->text (second, NULL);
  return g_utf8_collate (text_a != NULL ? text_a : "", text_b != NULL ? text_b : "");
}

static GtkColumnViewColumn *
fd_json_item_make_column (const char *title, FdJsonItemText text, gpointer fraction,
                          const char *sort_member, gboolean expand)
{
  GtkListItemFactory *factory = gtk_signal_list_item_factory_new ();
  GtkColumnViewColumn *column;
  FdJsonItemSort *sort = g_new0 (FdJsonItemSort, 1);
  GtkSorter *sorter;

  g_object_set_data (G_OBJECT (factory), "fd-text", text);
  g_object_set_data (G_OBJECT (factory), "fd-fraction", fraction);
  g_signal_connect (factory, "setup", G_CALLBACK (fd_json_item_setup_cb), NULL);
  g_signal_connect (factory, "bind", G_CALLBACK (fd_json_item_bind_cb), NULL);
  g_signal_connect (factory, "unbind", G_CALLBACK (fd_json_item_unbind_cb), NULL);
  column = gtk_column_view_column_new (title, factory);
  gtk_column_view_column_set_resizable (column, TRUE);
  gtk_column_view_column_set_expand (column, expand);

  sort->text = text;
  sort->sort_member = g_strdup (sort_member);
  sorter = GTK_SORTER (gtk_custom_sorter_new (fd_json_item_compare, sort, fd_json_item_sort_free));
  gtk_column_view_column_set_sorter (column, sorter);
  g_object_unref (sorter);
  return column;
}

GtkColumnViewColumn *
fd_json_item_column_new (const char *title, FdJsonItemText text, const char *sort_member,
                         gboolean expand)
{
  g_return_val_if_fail (text != NULL, NULL);
  return fd_json_item_make_column (title, text, NULL, sort_member, expand);
}

GtkColumnViewColumn *
fd_json_item_progress_column_new (const char *title, double (*fraction) (JsonObject *object),
                                  FdJsonItemText text)
{
  g_return_val_if_fail (text != NULL && fraction != NULL, NULL);
  return fd_json_item_make_column (title, text, fraction, NULL, FALSE);
}

void
fd_json_item_append_columns (GtkColumnView *view, const FdJsonItemColumnSpec *specs, guint n)
{
  for (guint i = 0; i < n; i++)
    {
      GtkColumnViewColumn *column = fd_json_item_column_new (specs[i].title, specs[i].text,
                                                             specs[i].sort_member, specs[i].expand);

      if (specs[i].width > 0)
        gtk_column_view_column_set_fixed_width (column, specs[i].width);
      gtk_column_view_append_column (view, column);
      g_object_unref (column);
    }
}
