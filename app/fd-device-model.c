/* fd-device-model.c — the devices of a workspace as a lazy GListModel of FdDevice.
 *
 * A reload asks for page 0 (which also says `total`), then announces `total` rows at once.
 * get_item() of a row whose page has not arrived returns a loading FdDevice and queues
 * that page; when the page arrives its loading rows are filled in place, so bound cells update
 * by notification and selection and scrolling stay where they are.
 *
 * Pages are fetched newest-request-first with a few in flight, and the queue is bounded: when
 * a user drags the scrollbar across 100,000 rows only the pages near where they stop are
 * fetched. A page dropped from the queue is asked for again when its rows are bound again.
 *
 * Every reload or removal starts a new epoch: answers from an older epoch describe other
 * offsets and are thrown away.
 */
#include "config.h"

#include <gio/gio.h>

#include "fd-device-model.h"
#include "fd-json.h"

#define FD_DEVICE_MODEL_MAX_IN_FLIGHT 2
#define FD_DEVICE_MODEL_MAX_QUEUED 8

typedef enum
{
  FD_PAGE_NONE,
  FD_PAGE_QUEUED,
  FD_PAGE_IN_FLIGHT,
  FD_PAGE_LOADED,
} FdPageState;

struct _FdDeviceModel
{
  GObject parent_instance;

  FdApiClient *client;
  char *workspace_id;
  char *fleet_id;
  char *search;
  char *sort;

  GPtrArray *items;  /* FdDevice or NULL for a row never asked for; len = n_items */
  GByteArray *pages; /* FdPageState per page */
  GQueue queue;      /* page numbers, newest request first */
  guint in_flight;
  guint epoch;
  GCancellable *cancellable; /* of the current epoch */
  guint reload_source;
  guint pages_fetched;
  gboolean loading;
  GHashTable *index; /* device id -> FdDevice of items (not owned); NULL: to be rebuilt */
};

static void fd_device_model_list_model_init (GListModelInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (FdDeviceModel, fd_device_model, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL,
                                                      fd_device_model_list_model_init))

enum
{
  PROP_0,
  PROP_LOADING,
  PROP_N_ITEMS,
  N_PROPS
};

enum
{
  LOAD_FAILED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

typedef struct
{
  FdDeviceModel *self;
  guint epoch;
  guint page;
} FdPageFetch;

static void fd_device_model_pump (FdDeviceModel *self);

static void
fd_device_unref0 (gpointer device)
{
  if (device != NULL)
    g_object_unref (device);
}

static GType
fd_device_model_get_item_type (GListModel *model)
{
  return FD_TYPE_DEVICE;
}

static guint
fd_device_model_get_n_items (GListModel *model)
{
  return FD_DEVICE_MODEL (model)->items->len;
}

static void
fd_device_model_want_page (FdDeviceModel *self, guint page)
{
  if (page >= self->pages->len || self->pages->data[page] != FD_PAGE_NONE)
    return;

  self->pages->data[page] = FD_PAGE_QUEUED;
  g_queue_push_head (&self->queue, GUINT_TO_POINTER (page));
  while (self->queue.length > FD_DEVICE_MODEL_MAX_QUEUED)
    {
      guint dropped = GPOINTER_TO_UINT (g_queue_pop_tail (&self->queue));
      self->pages->data[dropped] = FD_PAGE_NONE;
    }
}

static gpointer
fd_device_model_get_item (GListModel *model, guint position)
{
  FdDeviceModel *self = FD_DEVICE_MODEL (model);
  FdDevice *device;

  if (position >= self->items->len)
    return NULL;

  device = g_ptr_array_index (self->items, position);
  if (device == NULL)
    {
      device = fd_device_new_loading ();
      self->items->pdata[position] = device;
    }

  /* While a reload is on its way these rows are about to be replaced: fetch nothing. */
  if (!fd_device_get_loaded (device) && !self->loading)
    {
      fd_device_model_want_page (self, position / FD_DEVICE_MODEL_PAGE_SIZE);
      fd_device_model_pump (self);
    }

  return g_object_ref (device);
}

static void
fd_device_model_list_model_init (GListModelInterface *iface)
{
  iface->get_item_type = fd_device_model_get_item_type;
  iface->get_n_items = fd_device_model_get_n_items;
  iface->get_item = fd_device_model_get_item;
}

static char *
fd_device_model_dup_path (FdDeviceModel *self, guint from)
{
  g_autofree char *base = fd_api_path ("workspaces", self->workspace_id, "devices", NULL);
  GString *path = g_string_new (base);
  g_autofree char *from_text = g_strdup_printf ("%u", from);
  g_autofree char *size_text = g_strdup_printf ("%u", FD_DEVICE_MODEL_PAGE_SIZE);

  fd_api_path_add_query (path, "from", from_text);
  fd_api_path_add_query (path, "size", size_text);
  fd_api_path_add_query (path, "sort", self->sort);
  fd_api_path_add_query (path, "fleet", self->fleet_id);
  if (self->search != NULL && *self->search != '\0')
    fd_api_path_add_query (path, "search", self->search);
  return g_string_free (path, FALSE);
}

static void
fd_device_model_set_loading (FdDeviceModel *self, gboolean loading)
{
  if (self->loading == loading)
    return;
  self->loading = loading;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LOADING]);
}

/* Forgets every request in flight or queued; their answers will be ignored. */
static void
fd_device_model_new_epoch (FdDeviceModel *self)
{
  self->epoch++;
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();
  self->in_flight = 0;
  g_queue_clear (&self->queue);
  memset (self->pages->data, FD_PAGE_NONE, self->pages->len);
}

/* Replaces every row by @n_items rows, the first ones from @first_page. */
static void
fd_device_model_replace (FdDeviceModel *self, guint n_items, JsonArray *first_page)
{
  guint old_n = self->items->len;
  guint n_first = first_page != NULL ? MIN (json_array_get_length (first_page), n_items) : 0;

  g_clear_pointer (&self->index, g_hash_table_unref);
  fd_device_model_set_loading (self, FALSE);

  /* Removed, then added: in one change GtkSingleSelection would look for its selected item
   * among all the new rows, asking for every one of them (and so for every page). */
  g_ptr_array_set_size (self->items, 0);
  g_byte_array_set_size (self->pages, 0);
  if (old_n != 0)
    g_list_model_items_changed (G_LIST_MODEL (self), 0, old_n, 0);

  g_ptr_array_set_size (self->items, n_items);
  for (guint i = 0; i < n_first; i++)
    {
      JsonNode *node = json_array_get_element (first_page, i);

      if (JSON_NODE_HOLDS_OBJECT (node))
        self->items->pdata[i] = fd_device_new_from_json (json_node_get_object (node));
    }
  g_byte_array_set_size (self->pages,
                         (n_items + FD_DEVICE_MODEL_PAGE_SIZE - 1) / FD_DEVICE_MODEL_PAGE_SIZE);
  memset (self->pages->data, FD_PAGE_NONE, self->pages->len);
  if (self->pages->len > 0 && n_first > 0)
    self->pages->data[0] = FD_PAGE_LOADED;

  if (n_items != 0)
    g_list_model_items_changed (G_LIST_MODEL (self), 0, 0, n_items);
  if (old_n != n_items)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_ITEMS]);
}

static void
fd_device_model_fill (FdDeviceModel *self, guint from, JsonArray *rows)
{
  guint n = json_array_get_length (rows);

  g_clear_pointer (&self->index, g_hash_table_unref);
  for (guint i = 0; i < n && from + i < self->items->len; i++)
    {
      JsonNode *node = json_array_get_element (rows, i);
      FdDevice *device = g_ptr_array_index (self->items, from + i);

      if (!JSON_NODE_HOLDS_OBJECT (node))
        continue;
      if (device != NULL)
        fd_device_update_from_json (device, json_node_get_object (node));
      else
        self->items->pdata[from + i] = fd_device_new_from_json (json_node_get_object (node));
    }
}

static void
fd_device_model_fetch_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  FdPageFetch *fetch = user_data;
  g_autoptr (FdDeviceModel) self = fetch->self;
  guint page = fetch->page;
  gboolean current = fetch->epoch == self->epoch;
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonNode) node = NULL;
  JsonArray *rows = NULL;
  guint total = 0;

  g_free (fetch);

  node = fd_api_client_request_finish (FD_API_CLIENT (source), result, &error);
  if (node != NULL)
    rows = fd_json_get_list (node, &total, &error);
  if (!current)
    return;

  self->in_flight--;
  if (rows == NULL)
    {
      if (page < self->pages->len)
        self->pages->data[page] = FD_PAGE_NONE;
      if (self->loading)
        fd_device_model_replace (self, 0, NULL);
      g_signal_emit (self, signals[LOAD_FAILED], 0, error);
      return;
    }

  self->pages_fetched++;
  if (self->loading)
    {
      fd_device_model_replace (self, total, rows);
    }
  else if (total != self->items->len)
    {
      /* Devices were added or deleted by someone else: every offset is off now. */
      fd_device_model_reload (self);
      return;
    }
  else
    {
      self->pages->data[page] = FD_PAGE_LOADED;
      fd_device_model_fill (self, page * FD_DEVICE_MODEL_PAGE_SIZE, rows);
    }

  fd_device_model_pump (self);
}

static void
fd_device_model_fetch (FdDeviceModel *self, guint page)
{
  g_autofree char *path = fd_device_model_dup_path (self, page * FD_DEVICE_MODEL_PAGE_SIZE);
  FdPageFetch *fetch = g_new0 (FdPageFetch, 1);

  fetch->self = g_object_ref (self);
  fetch->epoch = self->epoch;
  fetch->page = page;
  self->in_flight++;
  fd_api_client_request_async (self->client, "GET", path, NULL, self->cancellable,
                               fd_device_model_fetch_cb, fetch);
}

static void
fd_device_model_pump (FdDeviceModel *self)
{
  /* With a reload on its way every row is about to be replaced: fetch nothing meanwhile. */
  while (self->client != NULL && self->reload_source == 0
         && self->in_flight < FD_DEVICE_MODEL_MAX_IN_FLIGHT && !g_queue_is_empty (&self->queue))
    {
      guint page = GPOINTER_TO_UINT (g_queue_pop_head (&self->queue));

      self->pages->data[page] = FD_PAGE_IN_FLIGHT;
      fd_device_model_fetch (self, page);
    }
}

static gboolean
fd_device_model_reload_cb (gpointer user_data)
{
  FdDeviceModel *self = user_data;

  self->reload_source = 0;
  fd_device_model_new_epoch (self);

  if (self->client == NULL || self->workspace_id == NULL)
    {
      fd_device_model_replace (self, 0, NULL);
      return G_SOURCE_REMOVE;
    }

  fd_device_model_set_loading (self, TRUE);
  fd_device_model_fetch (self, 0);
  return G_SOURCE_REMOVE;
}

void
fd_device_model_reload (FdDeviceModel *self)
{
  g_return_if_fail (FD_IS_DEVICE_MODEL (self));

  if (self->reload_source != 0)
    return;

  /* Answers to requests already sent describe the old workspace, filter or sort: drop them now
   * rather than when the reload runs, or one arriving first would fill the new list. */
  fd_device_model_new_epoch (self);
  self->reload_source = g_idle_add (fd_device_model_reload_cb, self);
}

void
fd_device_model_remove (FdDeviceModel *self, FdDevice *device)
{
  guint position;

  g_return_if_fail (FD_IS_DEVICE_MODEL (self));
  g_return_if_fail (FD_IS_DEVICE (device));

  if (!g_ptr_array_find (self->items, device, &position))
    return;

  /* A reload under way replaces every row; a new epoch now would drop its first page and leave
   * the list loading for ever. Ask again instead, so the answer comes after the removal. */
  if (self->loading || self->reload_source != 0)
    {
      fd_device_model_reload (self);
      return;
    }

  fd_device_model_new_epoch (self);
  g_clear_pointer (&self->index, g_hash_table_unref);
  g_ptr_array_remove_index (self->items, position);
  g_byte_array_set_size (self->pages, (self->items->len + FD_DEVICE_MODEL_PAGE_SIZE - 1)
                                          / FD_DEVICE_MODEL_PAGE_SIZE);
  memset (self->pages->data, FD_PAGE_NONE, self->pages->len);

  /* Rows after @position moved up by one; loading rows on screen still wait for their data. */
  for (guint i = self->items->len; i-- > 0;)
    {
      FdDevice *row = g_ptr_array_index (self->items, i);

      if (row != NULL && !fd_device_get_loaded (row))
        fd_device_model_want_page (self, i / FD_DEVICE_MODEL_PAGE_SIZE);
    }

  g_list_model_items_changed (G_LIST_MODEL (self), position, 1, 0);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_ITEMS]);
  fd_device_model_pump (self);
}

static void
fd_device_model_set_string (FdDeviceModel *self, char **field, const char *value)
{
  if (value != NULL && *value == '\0')
    value = NULL;
  if (g_strcmp0 (*field, value) == 0)
    return;

  g_free (*field);
  *field = g_strdup (value);
  fd_device_model_reload (self);
}

void
fd_device_model_set_client (FdDeviceModel *self, FdApiClient *client)
{
  g_return_if_fail (FD_IS_DEVICE_MODEL (self));

  if (g_set_object (&self->client, client))
    fd_device_model_reload (self);
}

void
fd_device_model_set_workspace_id (FdDeviceModel *self, const char *workspace_id)
{
  g_return_if_fail (FD_IS_DEVICE_MODEL (self));
  fd_device_model_set_string (self, &self->workspace_id, workspace_id);
}

void
fd_device_model_set_fleet_id (FdDeviceModel *self, const char *fleet_id)
{
  g_return_if_fail (FD_IS_DEVICE_MODEL (self));
  fd_device_model_set_string (self, &self->fleet_id, fleet_id);
}

void
fd_device_model_set_search (FdDeviceModel *self, const char *search)
{
  g_return_if_fail (FD_IS_DEVICE_MODEL (self));
  fd_device_model_set_string (self, &self->search, search);
}

void
fd_device_model_set_sort (FdDeviceModel *self, const char *sort)
{
  g_return_if_fail (FD_IS_DEVICE_MODEL (self));
  fd_device_model_set_string (self, &self->sort, sort);
}

const char *
fd_device_model_get_search (FdDeviceModel *self)
{
  g_return_val_if_fail (FD_IS_DEVICE_MODEL (self), NULL);
  return self->search;
}

const char *
fd_device_model_get_fleet_id (FdDeviceModel *self)
{
  g_return_val_if_fail (FD_IS_DEVICE_MODEL (self), NULL);
  return self->fleet_id;
}

FdDevice *
fd_device_model_lookup (FdDeviceModel *self, const char *device_id)
{
  g_return_val_if_fail (FD_IS_DEVICE_MODEL (self), NULL);
  g_return_val_if_fail (device_id != NULL, NULL);

  /* Rebuilt at most once per page that arrived, however many events ask in between. */
  if (self->index == NULL)
    {
      self->index = g_hash_table_new (g_str_hash, g_str_equal);
      for (guint i = 0; i < self->items->len; i++)
        {
          FdDevice *device = g_ptr_array_index (self->items, i);

          if (device != NULL && fd_device_get_id (device) != NULL)
            g_hash_table_insert (self->index, (gpointer)fd_device_get_id (device), device);
        }
    }
  return g_hash_table_lookup (self->index, device_id);
}

gboolean
fd_device_model_get_loading (FdDeviceModel *self)
{
  g_return_val_if_fail (FD_IS_DEVICE_MODEL (self), FALSE);
  return self->loading;
}

guint
fd_device_model_get_pages_fetched (FdDeviceModel *self)
{
  g_return_val_if_fail (FD_IS_DEVICE_MODEL (self), 0);
  return self->pages_fetched;
}

static void
fd_device_model_dispose (GObject *object)
{
  FdDeviceModel *self = FD_DEVICE_MODEL (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_handle_id (&self->reload_source, g_source_remove);
  g_clear_object (&self->client);

  G_OBJECT_CLASS (fd_device_model_parent_class)->dispose (object);
}

static void
fd_device_model_finalize (GObject *object)
{
  FdDeviceModel *self = FD_DEVICE_MODEL (object);

  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->index, g_hash_table_unref);
  g_clear_pointer (&self->items, g_ptr_array_unref);
  g_clear_pointer (&self->pages, g_byte_array_unref);
  g_queue_clear (&self->queue);
  g_free (self->workspace_id);
  g_free (self->fleet_id);
  g_free (self->search);
  g_free (self->sort);

  G_OBJECT_CLASS (fd_device_model_parent_class)->finalize (object);
}

static void
fd_device_model_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  FdDeviceModel *self = FD_DEVICE_MODEL (object);

  switch (prop_id)
    {
    case PROP_LOADING:
      g_value_set_boolean (value, self->loading);
      break;
    case PROP_N_ITEMS:
      g_value_set_uint (value, self->items->len);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
fd_device_model_class_init (FdDeviceModelClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = fd_device_model_dispose;
  object_class->finalize = fd_device_model_finalize;
  object_class->get_property = fd_device_model_get_property;

  properties[PROP_LOADING]
      = g_param_spec_boolean ("loading", NULL, NULL, FALSE,
                              G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_N_ITEMS]
      = g_param_spec_uint ("n-items", NULL, NULL, 0, G_MAXUINT, 0,
                           G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /* A page or the count could not be fetched; the GError says why. */
  signals[LOAD_FAILED] = g_signal_new ("load-failed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                       0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_ERROR);
}

static void
fd_device_model_init (FdDeviceModel *self)
{
  self->items = g_ptr_array_new_with_free_func (fd_device_unref0);
  self->pages = g_byte_array_new ();
  self->cancellable = g_cancellable_new ();
  g_queue_init (&self->queue);
}

FdDeviceModel *
fd_device_model_new (void)
{
  return g_object_new (FD_TYPE_DEVICE_MODEL, NULL);
}
