/* fd-json-item.h — one API object (a firmware, a campaign, a campaign's target) as a list item,
 * and GtkColumnView columns that show what a function makes of it. Cells follow the item: a
 * new object (from an event or a reload) redraws only the rows that show it. */
#pragma once

#include <gtk/gtk.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

#define FD_TYPE_JSON_ITEM (fd_json_item_get_type ())
G_DECLARE_FINAL_TYPE (FdJsonItem, fd_json_item, FD, JSON_ITEM, GObject)

FdJsonItem *fd_json_item_new (JsonObject *object);
JsonObject *fd_json_item_get_object (FdJsonItem *self);
/* Replaces the object (notify::object). */
void fd_json_item_set_object (FdJsonItem *self, JsonObject *object);
/* Tells the cells that the object was changed in place (notify::object). */
void fd_json_item_changed (FdJsonItem *self);

/* The text of a cell (a new string, or NULL for an empty cell). */
typedef char *(*FdJsonTextFunc) (JsonObject *object);
/* The fraction of a progress bar (0..1) and its text (a new string or NULL). */
typedef double (*FdJsonFractionFunc) (JsonObject *object, char **text);

/* A column of labels; @dim: secondary text (times, hashes); @numeric: right-aligned tabular
 * figures. */
GtkColumnViewColumn *fd_json_text_column_new (const char *title, FdJsonTextFunc text, gboolean dim,
                                              gboolean numeric);
/* A column of progress bars. */
GtkColumnViewColumn *fd_json_progress_column_new (const char *title, FdJsonFractionFunc fraction);

/* A copy of the string member @name or "". */
char *fd_json_dup_string (JsonObject *object, const char *name);
/* The integer member @name (a number), or @fallback. */
gint64 fd_json_get_int (JsonObject *object, const char *name, gint64 fallback);

G_END_DECLS
