/* fd-data-rows.c — a paged GListModel over GET /workspaces/{id}/data.
 *
 * The API gives no total count (only has_more), so the model holds the rows fetched so far
 * and, while there may be more, one page of "Loading…" rows after them. A list view asks for
 * the items it shows; asking for a "Loading…" row fetches the next page, which then replaces
 * those rows (and adds a new page of them if the answer says has_more). Scrolling down
 * therefore fetches as it goes, and nothing is fetched that is not looked at. A new query
 * cancels the page in flight; a generation number drops answers of earlier queries.
 */
#include "config.h"

#include "fd-data-rows.h"
#include "fd-json.h"

struct _FdDataRows
{
  GObject parent_instance;

  FdApiClient *client;
  guint page_size;
  char *path;
  GHashTable *device_names;
  GHashTable *fleet_names;
  GPtrArray *rows;    /* FdDataRow, fetched */
  GPtrArray *loading; /* FdDataRow "Loading…", made when asked for; NULL when there is none */
  guint n_loading;    /* "Loading…" rows after the fetched ones */
  GCancellable *cancellable;
  GCancellable *head_cancellable; /* fd_data_rows_update_head() */
  guint generation;
  guint requests;
};

static void fd_data_rows_list_model_init (GListModelInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (FdDataRows, fd_data_rows, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL,
                                                      fd_data_rows_list_model_init))

enum
{
  FAILED,
  HEAD_UPDATED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

typedef struct
{
  FdDataRows *self;
  guint generation;
  gboolean keep; /* an update of the head that keeps the rows after it */
} FdDataRowsFetch;

static void
fd_data_rows_fetch_free (FdDataRowsFetch *fetch)
{
  g_object_unref (fetch->self);
  g_free (fetch);
}

/* Replaces the "Loading…" rows with @rows, and a new page of them if @more. */
static void
fd_data_rows_replace_loading (FdDataRows *self, GPtrArray *rows, gboolean more)
{
  guint position = self->rows->len;
  guint removed = self->n_loading;
  guint added = rows != NULL ? rows->len : 0;

  if (rows != NULL)
    g_ptr_array_extend_and_steal (self->rows, g_ptr_array_ref (rows));
  g_clear_pointer (&self->loading, g_ptr_array_unref);
  self->n_loading = more ? self->page_size : 0;
  if (removed > 0 || added + self->n_loading > 0)
    g_list_model_items_changed (G_LIST_MODEL (self), position, removed, added + self->n_loading);
}

/* The rows of a GET /data answer's "result" appended to @rows. */
static void
fd_data_rows_parse (FdDataRows *self, JsonArray *result_rows, GPtrArray *rows)
{
  for (guint i = 0; i < json_array_get_length (result_rows); i++)
    {
      JsonNode *element = json_array_get_element (result_rows, i);
      JsonObject *object;
      const char *device_id;
      const char *fleet_id;
      FdDataRow *row;

      if (!JSON_NODE_HOLDS_OBJECT (element))
        continue;
      object = json_node_get_object (element);
      device_id = fd_json_get_string (object, "device_id");
      fleet_id = fd_json_get_string (object, "fleet_id");
      row = fd_data_row_new (object,
                             self->device_names != NULL && device_id != NULL
                                 ? g_hash_table_lookup (self->device_names, device_id)
                                 : NULL,
                             self->fleet_names != NULL && fleet_id != NULL
                                 ? g_hash_table_lookup (self->fleet_names, fleet_id)
                                 : NULL);
      if (row != NULL)
        g_ptr_array_add (rows, row);
    }
}

/* The "result" list of a GET /data answer, or NULL with @error set. */
static JsonArray *
fd_data_rows_result (JsonNode *node, JsonObject **answer_out, GError **error)
{
  JsonObject *answer = fd_json_get_object (node, error);
  JsonNode *member;

  if (answer == NULL)
    return NULL;
  member = json_object_get_member (answer, "result");
  if (member == NULL || !JSON_NODE_HOLDS_ARRAY (member))
    {
      g_set_error (error, FD_API_ERROR, FD_API_ERROR_BAD_RESPONSE,
                   "The server's answer has no “result” list");
      return NULL;
    }
  *answer_out = answer;
  return json_node_get_array (member);
}

static void
fd_data_rows_fetched_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  FdDataRowsFetch *fetch = user_data;
  FdDataRows *self = fetch->self;
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonNode) node = NULL;
  g_autoptr (GPtrArray) rows = g_ptr_array_new_with_free_func (g_object_unref);
  JsonObject *answer = NULL;
  JsonArray *result_rows = NULL;

  node = fd_api_client_request_finish (FD_API_CLIENT (source), result, &error);
  if (fetch->generation != self->generation)
    {
      fd_data_rows_fetch_free (fetch);
      return;
    }
  g_clear_object (&self->cancellable);
  if (node != NULL)
    result_rows = fd_data_rows_result (node, &answer, &error);
  if (result_rows == NULL)
    {
      fd_data_rows_replace_loading (self, NULL, FALSE);
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_signal_emit (self, signals[FAILED], 0, error);
      fd_data_rows_fetch_free (fetch);
      return;
    }

  fd_data_rows_parse (self, result_rows, rows);
  /* An answer without rows ends the list even if it claims more: nothing else would. */
  fd_data_rows_replace_loading (
      self, rows,
      rows->len > 0 && json_object_get_boolean_member_with_default (answer, "has_more", FALSE));
  fd_data_rows_fetch_free (fetch);
}

static void
fd_data_rows_fetch (FdDataRows *self)
{
  g_autoptr (GString) path = NULL;
  g_autofree char *from = NULL;
  g_autofree char *size = NULL;
  FdDataRowsFetch *fetch;

  if (self->cancellable != NULL || self->path == NULL)
    return;

  path = g_string_new (self->path);
  from = g_strdup_printf ("%u", self->rows->len);
  size = g_strdup_printf ("%u", self->page_size);
  fd_api_path_add_query (path, "from", from);
  fd_api_path_add_query (path, "size", size);

  fetch = g_new0 (FdDataRowsFetch, 1);
  fetch->self = g_object_ref (self);
  fetch->generation = self->generation;
  self->cancellable = g_cancellable_new ();
  self->requests++;
  fd_api_client_request_async (self->client, "GET", path->str, NULL, self->cancellable,
                               fd_data_rows_fetched_cb, fetch);
}

/* Whether @a and @b are the same reading (as far as the table shows them). */
static gboolean
fd_data_rows_same (FdDataRow *a, FdDataRow *b)
{
  return fd_data_row_get_timestamp (a) == fd_data_row_get_timestamp (b)
         && g_strcmp0 (fd_data_row_get_device_id (a), fd_data_row_get_device_id (b)) == 0
         && g_strcmp0 (fd_data_row_get_payload (a), fd_data_row_get_payload (b)) == 0;
}

static void
fd_data_rows_head_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  FdDataRowsFetch *fetch = user_data;
  FdDataRows *self = fetch->self;
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonNode) node = NULL;
  g_autoptr (GPtrArray) rows = g_ptr_array_new_with_free_func (g_object_unref);
  JsonObject *answer = NULL;
  JsonArray *result_rows = NULL;
  guint newer = G_MAXUINT;
  guint added = 0;

  node = fd_api_client_request_finish (FD_API_CLIENT (source), result, &error);
  if (fetch->generation != self->generation
      || g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      fd_data_rows_fetch_free (fetch);
      return;
    }
  g_clear_object (&self->head_cancellable);
  if (node != NULL)
    result_rows = fd_data_rows_result (node, &answer, &error);
  /* A page asked for meanwhile counts its offset from the rows before these: the next
   * update brings them. */
  if (result_rows == NULL || self->cancellable != NULL)
    {
      if (result_rows == NULL)
        g_signal_emit (self, signals[FAILED], 0, error);
      fd_data_rows_fetch_free (fetch);
      return;
    }
  fd_data_rows_parse (self, result_rows, rows);

  /* The rows before the one shown first are new: they go on top, and the offsets of the
   * pages after stay right, since they count the same rows. */
  for (guint i = 0; fetch->keep && self->rows->len > 0 && i < rows->len && newer == G_MAXUINT; i++)
    if (fd_data_rows_same (rows->pdata[i], self->rows->pdata[0]))
      newer = i;
  if (newer != G_MAXUINT)
    {
      added = newer;
      if (newer > 0)
        {
          g_ptr_array_set_size (rows, newer);
          for (guint i = newer; i > 0; i--)
            g_ptr_array_insert (self->rows, 0, g_object_ref (rows->pdata[i - 1]));
          g_list_model_items_changed (G_LIST_MODEL (self), 0, 0, newer);
        }
    }
  else
    {
      /* The list starts again with this page: asked to, or more than a page is new, or the
       * first row is gone. */
      guint removed = self->rows->len + self->n_loading;
      gboolean more = rows->len > 0
                      && json_object_get_boolean_member_with_default (answer, "has_more", FALSE);

      /* New: the rows before the one shown first (all of them if it is not among them). */
      added = rows->len;
      for (guint i = 0; self->rows->len > 0 && i < rows->len; i++)
        if (fd_data_rows_same (rows->pdata[i], self->rows->pdata[0]))
          {
            added = i;
            break;
          }

      g_ptr_array_set_size (self->rows, 0);
      g_ptr_array_extend_and_steal (self->rows, g_steal_pointer (&rows));
      g_clear_pointer (&self->loading, g_ptr_array_unref);
      self->n_loading = more ? self->page_size : 0;
      g_list_model_items_changed (G_LIST_MODEL (self), 0, removed,
                                  self->rows->len + self->n_loading);
    }
  g_signal_emit (self, signals[HEAD_UPDATED], 0, added);
  fd_data_rows_fetch_free (fetch);
}

void
fd_data_rows_update_head (FdDataRows *self, const char *path, gboolean keep_rows)
{
  g_autoptr (GString) query = NULL;
  g_autofree char *size = NULL;
  FdDataRowsFetch *fetch;

  g_return_if_fail (FD_IS_DATA_ROWS (self));
  g_return_if_fail (path != NULL);

  if (self->path == NULL || self->head_cancellable != NULL || self->cancellable != NULL)
    return;
  g_free (self->path);
  self->path = g_strdup (path);
  query = g_string_new (path);
  size = g_strdup_printf ("%u", self->page_size);
  fd_api_path_add_query (query, "from", "0");
  fd_api_path_add_query (query, "size", size);
  fetch = g_new0 (FdDataRowsFetch, 1);
  fetch->self = g_object_ref (self);
  fetch->generation = self->generation;
  fetch->keep = keep_rows;
  self->head_cancellable = g_cancellable_new ();
  self->requests++;
  fd_api_client_request_async (self->client, "GET", query->str, NULL, self->head_cancellable,
                               fd_data_rows_head_cb, fetch);
}

void
fd_data_rows_set_query (FdDataRows *self, const char *path, GHashTable *device_names,
                        GHashTable *fleet_names)
{
  guint removed;

  g_return_if_fail (FD_IS_DATA_ROWS (self));

  self->generation++;
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_cancellable_cancel (self->head_cancellable);
  g_clear_object (&self->head_cancellable);
  g_free (self->path);
  self->path = g_strdup (path);
  g_clear_pointer (&self->device_names, g_hash_table_unref);
  g_clear_pointer (&self->fleet_names, g_hash_table_unref);
  if (device_names != NULL)
    self->device_names = g_hash_table_ref (device_names);
  if (fleet_names != NULL)
    self->fleet_names = g_hash_table_ref (fleet_names);

  removed = self->rows->len + self->n_loading;
  g_ptr_array_set_size (self->rows, 0);
  g_clear_pointer (&self->loading, g_ptr_array_unref);
  self->n_loading = path != NULL ? self->page_size : 0;
  if (removed > 0 || self->n_loading > 0)
    g_list_model_items_changed (G_LIST_MODEL (self), 0, removed, self->n_loading);
  fd_data_rows_fetch (self);
}

gboolean
fd_data_rows_get_loading (FdDataRows *self)
{
  g_return_val_if_fail (FD_IS_DATA_ROWS (self), FALSE);
  return self->cancellable != NULL;
}

guint
fd_data_rows_get_n_fetched (FdDataRows *self)
{
  g_return_val_if_fail (FD_IS_DATA_ROWS (self), 0);
  return self->rows->len;
}

guint
fd_data_rows_get_requests (FdDataRows *self)
{
  g_return_val_if_fail (FD_IS_DATA_ROWS (self), 0);
  return self->requests;
}

/* GListModel */

static GType
fd_data_rows_get_item_type (GListModel *model)
{
  return FD_TYPE_DATA_ROW;
}

static guint
fd_data_rows_get_n_items (GListModel *model)
{
  FdDataRows *self = FD_DATA_ROWS (model);

  return self->rows->len + self->n_loading;
}

static gpointer
fd_data_rows_get_item (GListModel *model, guint position)
{
  FdDataRows *self = FD_DATA_ROWS (model);
  guint index;

  if (position < self->rows->len)
    return g_object_ref (g_ptr_array_index (self->rows, position));
  if (position - self->rows->len >= self->n_loading)
    return NULL;

  /* A row not fetched yet is being looked at: fetch its page. */
  fd_data_rows_fetch (self);
  index = position - self->rows->len;
  if (self->loading == NULL)
    self->loading = g_ptr_array_new_with_free_func (g_object_unref);
  while (self->loading->len <= index)
    g_ptr_array_add (self->loading, fd_data_row_new_loading ());
  return g_object_ref (g_ptr_array_index (self->loading, index));
}

static void
fd_data_rows_list_model_init (GListModelInterface *iface)
{
  iface->get_item_type = fd_data_rows_get_item_type;
  iface->get_n_items = fd_data_rows_get_n_items;
  iface->get_item = fd_data_rows_get_item;
}

/* GObject */

static void
fd_data_rows_dispose (GObject *object)
{
  FdDataRows *self = FD_DATA_ROWS (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_cancellable_cancel (self->head_cancellable);
  g_clear_object (&self->head_cancellable);
  g_clear_object (&self->client);
  g_clear_pointer (&self->device_names, g_hash_table_unref);
  g_clear_pointer (&self->fleet_names, g_hash_table_unref);
  g_clear_pointer (&self->loading, g_ptr_array_unref);
  G_OBJECT_CLASS (fd_data_rows_parent_class)->dispose (object);
}

static void
fd_data_rows_finalize (GObject *object)
{
  FdDataRows *self = FD_DATA_ROWS (object);

  g_ptr_array_unref (self->rows);
  g_free (self->path);
  G_OBJECT_CLASS (fd_data_rows_parent_class)->finalize (object);
}

static void
fd_data_rows_class_init (FdDataRowsClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = fd_data_rows_dispose;
  object_class->finalize = fd_data_rows_finalize;

  signals[FAILED] = g_signal_new ("failed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL,
                                  NULL, NULL, G_TYPE_NONE, 1, G_TYPE_ERROR);
  signals[HEAD_UPDATED]
      = g_signal_new ("head-updated", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                      NULL, G_TYPE_NONE, 1, G_TYPE_UINT);
}

static void
fd_data_rows_init (FdDataRows *self)
{
  self->rows = g_ptr_array_new_with_free_func (g_object_unref);
}

FdDataRows *
fd_data_rows_new (FdApiClient *client, guint page_size)
{
  FdDataRows *self;

  g_return_val_if_fail (FD_IS_API_CLIENT (client), NULL);
  g_return_val_if_fail (page_size > 0 && page_size <= 175000, NULL);

  self = g_object_new (FD_TYPE_DATA_ROWS, NULL);
  self->client = g_object_ref (client);
  self->page_size = page_size;
  return self;
}
