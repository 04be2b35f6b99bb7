/* fd-conditions-page-events.c — the Conditions pane kept up to date by condition.* events.
 *
 * An open or update puts the condition in "Open" (updated in place if it is listed); a close
 * takes it out. The history takes every change that matches its filters, so a closed
 * condition moves there at once. A notification is sent for every open of a chosen tag, in
 * any workspace; the lists show only the current workspace's.
 *
 * Events name the device by id only. The name shown (and notified) is the one the conditions
 * list gave, or else read once from GET /devices/{id}: events wait, in order, while a name
 * they need is being read.
 */
#include "config.h"

#include "fd-conditions-page-private.h"
#include "fd-json.h"

/* Names remembered; past this the table starts again (it is only a cache). */
#define FD_CONDITIONS_MAX_NAMES 10000

typedef struct
{
  char *type;
  JsonObject *object;
} FdPendingEvent;

static void
fd_pending_event_free (FdPendingEvent *event)
{
  g_free (event->type);
  json_object_unref (event->object);
  g_free (event);
}

void
fd_conditions_page_remember_name (FdConditionsPage *self, const char *device_id, const char *name)
{
  if (device_id == NULL || name == NULL)
    return;
  if (g_hash_table_size (self->device_names) >= FD_CONDITIONS_MAX_NAMES)
    g_hash_table_remove_all (self->device_names);
  g_hash_table_insert (self->device_names, g_strdup (device_id), g_strdup (name));
}

gboolean
fd_conditions_page_find (GListStore *store, const char *uuid, guint *position)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (store));

  for (guint i = 0; i < n; i++)
    {
      g_autoptr (FdConditionItem) item = g_list_model_get_item (G_LIST_MODEL (store), i);

      if (g_strcmp0 (fd_condition_item_get_uuid (item), uuid) == 0)
        {
          *position = i;
          return TRUE;
        }
    }
  return FALSE;
}

/* Puts @object's state into @store: updated where it is, added at the start if new. */
static void
fd_conditions_page_put (GListStore *store, JsonObject *object, FdConditionItem *fresh,
                        GDateTime *now)
{
  guint position;

  if (fd_conditions_page_find (store, fd_condition_item_get_uuid (fresh), &position))
    {
      g_autoptr (FdConditionItem) item = g_list_model_get_item (G_LIST_MODEL (store), position);

      fd_condition_item_update (item, object, now);
    }
  else
    g_list_store_insert (store, 0, fresh);
}

static void
fd_conditions_page_apply (FdConditionsPage *self, const char *type, JsonObject *object)
{
  g_autoptr (GDateTime) now = g_date_time_new_now_utc ();
  g_autoptr (FdConditionItem) fresh = fd_condition_item_new (object, now);
  guint position;

  if (fresh == NULL)
    return;
  if (g_str_equal (type, "condition.opened"))
    fd_conditions_page_notify_opened (self, fresh);
  if (self->workspace == NULL
      || g_strcmp0 (fd_condition_item_get_workspace_id (fresh),
                    fd_workspace_get_id (self->workspace))
             != 0)
    return;

  fd_conditions_page_learn (self, fresh);
  if (fd_condition_item_get_open (fresh))
    fd_conditions_page_put (self->open_store, object, fresh, now);
  else if (fd_conditions_page_find (self->open_store, fd_condition_item_get_uuid (fresh),
                                    &position))
    g_list_store_remove (self->open_store, position);

  /* The history follows its filters: a close moves the condition there if it matches. */
  if (fd_conditions_page_history_accepts (self, fresh))
    {
      if (!fd_conditions_page_find (self->history_store, fd_condition_item_get_uuid (fresh),
                                    &position))
        self->history_total++;
      fd_conditions_page_put (self->history_store, object, fresh, now);
    }
  else if (fd_conditions_page_find (self->history_store, fd_condition_item_get_uuid (fresh),
                                    &position))
    {
      g_list_store_remove (self->history_store, position);
      self->history_total = self->history_total > 0 ? self->history_total - 1 : 0;
    }
  fd_conditions_page_update_view (self);
}

static void fd_conditions_page_pump (FdConditionsPage *self);

static void
fd_conditions_page_name_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (FdConditionsPage) self = user_data;
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonNode) node = fd_api_client_request_finish (FD_API_CLIENT (source), result, &error);
  JsonObject *device = error == NULL ? fd_json_get_object (node, &error) : NULL;
  FdPendingEvent *head = g_queue_peek_head (&self->pending);
  const char *device_id;

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) || head == NULL)
    return;
  self->name_in_flight = FALSE;
  device_id = fd_json_get_string (head->object, "device_id");
  /* A device deleted meanwhile (or a server away) is shown by its id. */
  fd_conditions_page_remember_name (self, device_id,
                                    device != NULL && fd_json_get_string (device, "name") != NULL
                                        ? fd_json_get_string (device, "name")
                                        : device_id);
  fd_conditions_page_pump (self);
}

/* Applies the waiting events in order, as far as their devices' names are known. */
static void
fd_conditions_page_pump (FdConditionsPage *self)
{
  FdPendingEvent *head;

  while (!self->name_in_flight && (head = g_queue_peek_head (&self->pending)) != NULL)
    {
      const char *device_id = fd_json_get_string (head->object, "device_id");
      const char *name = fd_json_get_string (head->object, "device_name");

      if (name != NULL)
        fd_conditions_page_remember_name (self, device_id, name);
      else if (device_id != NULL && g_hash_table_contains (self->device_names, device_id))
        json_object_set_string_member (head->object, "device_name",
                                       g_hash_table_lookup (self->device_names, device_id));
      else if (device_id != NULL && self->client != NULL)
        {
          g_autofree char *path = fd_api_path ("devices", device_id, NULL);

          self->name_in_flight = TRUE;
          fd_api_client_request_async (self->client, "GET", path, NULL, self->names_cancellable,
                                       fd_conditions_page_name_cb, g_object_ref (self));
          return;
        }
      head = g_queue_pop_head (&self->pending);
      fd_conditions_page_apply (self, head->type, head->object);
      fd_pending_event_free (head);
    }
}

void
fd_conditions_page_condition_cb (FdConditionsPage *self, const char *type, JsonObject *object)
{
  FdPendingEvent *event = g_new0 (FdPendingEvent, 1);
  g_autoptr (JsonNode) node = json_node_init_object (json_node_alloc (), object);
  g_autoptr (JsonNode) copy = json_node_copy (node);

  /* A copy: the device's name is added to it, and other handlers see the event as sent. */
  event->type = g_strdup (type);
  event->object = json_node_dup_object (copy);
  g_queue_push_tail (&self->pending, event);
  fd_conditions_page_pump (self);
}

void
fd_conditions_page_init_events (FdConditionsPage *self)
{
  self->device_names = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  self->names_cancellable = g_cancellable_new ();
  g_queue_init (&self->pending);
}

void
fd_conditions_page_dispose_events (FdConditionsPage *self)
{
  g_cancellable_cancel (self->names_cancellable);
  g_clear_object (&self->names_cancellable);
  g_queue_clear_full (&self->pending, (GDestroyNotify)fd_pending_event_free);
  g_clear_pointer (&self->device_names, g_hash_table_unref);
  self->name_in_flight = FALSE;
}
