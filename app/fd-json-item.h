/* fd-json-item.h — one object of the API (a job, a job's execution) as an item of a list
 * model, and column-view columns whose cells read it: for lists whose rows are the API's
 * objects as they are, updated in place from events. */
#pragma once

#include <gtk/gtk.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

#define FD_TYPE_JSON_ITEM (fd_json_item_get_type ())
G_DECLARE_FINAL_TYPE (FdJsonItem, fd_json_item, FD, JSON_ITEM, GObject)

/* @key is the member that names the object in its list ("id", "device_id"). NULL if @object
 * has no string @key. */
FdJsonItem *fd_json_item_new (JsonObject *object, const char *key);
const char *fd_json_item_get_key (FdJsonItem *self);
JsonObject *fd_json_item_get_object (FdJsonItem *self);
/* Copies every member of @update into the item's object and emits "changed" once. */
void fd_json_item_merge (FdJsonItem *self, JsonObject *update);
/* Replaces the object (a newer read of the same thing) and emits "changed". */
void fd_json_item_replace (FdJsonItem *self, JsonObject *object);
/* Signal "changed" (): the object changed; cells read it again. */

/* The position of the item whose key is @key in @model (of FdJsonItem). */
gboolean fd_json_item_find (GListModel *model, const char *key, guint *position);

/* Replaces the items of @store (of FdJsonItem) by the objects of @list, in its order, each
 * named by its string member @key: an item already in @store for the same key is kept, and
 * replaced only if its object changed, so a reload keeps the scroll and redraws only what
 * changed. Elements that are not such objects are passed over. */
void fd_json_item_store_set (GListStore *store, JsonArray *list, const char *key);

/* What a cell shows of an object: its text (owned by the caller) and, optionally, a style
 * class ("success", "error", "warning", "dim-label" or NULL). */
typedef char *(*FdJsonItemText) (JsonObject *object, const char **css_class);

/* A column of labels: @text of each row's object, redrawn when the item changes; sorted by
 * the same text, or by the string member @sort_member when it is not NULL (times). */
GtkColumnViewColumn *fd_json_item_column_new (const char *title, FdJsonItemText text,
                                              const char *sort_member, gboolean expand);

/* One column of fd_json_item_column_new() as a row of a table of them; @width is a fixed
 * width in pixels, or 0 for the column's own. */
typedef struct
{
  const char *title;
  FdJsonItemText text;
  const char *sort_member;
  gboolean expand;
  int width;
} FdJsonItemColumnSpec;

/* Appends to @view a column for each of the @n @specs, in order. */
void fd_json_item_append_columns (GtkColumnView *view, const FdJsonItemColumnSpec *specs, guint n);

/* A column of a progress bar and a label: @fraction of each row's object (0..1) and @text. */
GtkColumnViewColumn *fd_json_item_progress_column_new (const char *title,
                                                       double (*fraction) (JsonObject *object),
                                                       FdJsonItemText text);

G_END_DECLS
