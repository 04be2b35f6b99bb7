/* fd-job-detail-page.c — one job and its executions.
 *
 * The job is read once (GET /jobs/{id} with its executions); then job.execution events change
 * the execution rows in place (state, attempts, result) and job.updated events the summary.
 * Events do not carry every field (times, messages): after a burst of them the job is read
 * again, at most every FD_JOB_DETAIL_REFRESH_MS (every FD_JOB_DETAIL_REFRESH_LARGE_MS for a
 * large job) and one read at a time, so a job of 10,000 devices answering at once costs a few
 * reads, not 10,000.
 */
#include "config.h"

#include <glib/gi18n.h>

#include "fd-job-detail-page.h"
#include "fd-jobs-format.h"
#include "fd-json-item.h"
#include "fd-json.h"
#include "fd-ui.h"

struct _FdJobDetailPage
{
  AdwBin parent_instance;

  FdApiClient *client;
  FdEventsClient *events;
  char *job_id;
  JsonObject *job;
  GCancellable *cancellable; /* of this job's requests */
  gboolean reading;
  gboolean read_again; /* an event came while a read was in flight */
  guint refresh_source;
  guint reads;

  GListStore *store; /* FdJsonItem keyed by device_id */
  GHashTable *index; /* device_id -> FdJsonItem of the store: 10,000 rows are found at once */
  GtkSortListModel *sorted;

  AdwWindowTitle *title;
  GtkWidget *cancel_button;
  GtkLabel *state_label;
  GtkProgressBar *progress;
  GtkLabel *progress_label;
  GtkLabel *args_label;
  GtkLabel *limits_label;
  GtkStack *stack;
  GtkColumnView *view;
};

G_DEFINE_FINAL_TYPE (FdJobDetailPage, fd_job_detail_page, ADW_TYPE_BIN)

enum
{
  JOB_CHANGED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void fd_job_detail_page_read (FdJobDetailPage *self);

/* The summary */

static void
fd_job_detail_page_show_job (FdJobDetailPage *self)
{
  JsonObject *job = self->job;
  const char *css_class = NULL;
  g_autofree char *state = NULL;
  g_autofree char *progress = NULL;
  g_autofree char *args = NULL;
  g_autofree char *limits = NULL;
  JsonNode *args_node;
  guint timeout = 0, retries = 0;

  if (job == NULL)
    return;
  adw_window_title_set_title (self->title, fd_json_get_string (job, "name"));
  adw_window_title_set_subtitle (self->title, self->job_id);

  state = fd_jobs_format_state (job, &css_class);
  gtk_label_set_label (self->state_label, state);
  gtk_widget_remove_css_class (GTK_WIDGET (self->state_label), "success");
  gtk_widget_remove_css_class (GTK_WIDGET (self->state_label), "dim-label");
  if (css_class != NULL)
    gtk_widget_add_css_class (GTK_WIDGET (self->state_label), css_class);

  progress = fd_jobs_format_progress (job, &css_class);
  gtk_label_set_label (self->progress_label, progress);
  gtk_progress_bar_set_fraction (self->progress, fd_jobs_format_fraction (job));

  args_node = json_object_get_member (job, "args");
  args = args_node != NULL ? json_to_string (args_node, FALSE) : g_strdup ("{}");
  gtk_label_set_label (self->args_label, args);

  fd_json_update_uint (job, "timeout_s", &timeout);
  fd_json_update_uint (job, "retries", &retries);
  /* TRANSLATORS: a job's limits: "Timeout 300 s · 2 retries" */
  limits = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "Timeout %u s · %u retry",
                                         "Timeout %u s · %u retries", retries),
                            timeout, retries);
  gtk_label_set_label (self->limits_label, limits);

  gtk_widget_set_sensitive (self->cancel_button,
                            g_strcmp0 (fd_json_get_string (job, "state"), "active") == 0);
}

static void
fd_job_detail_page_update_stack (FdJobDetailPage *self)
{
  if (g_list_model_get_n_items (G_LIST_MODEL (self->store)) > 0)
    gtk_stack_set_visible_child_name (self->stack, "list");
  else if (self->reading && self->reads <= 1)
    gtk_stack_set_visible_child_name (self->stack, "loading");
  else
    gtk_stack_set_visible_child_name (self->stack, "empty");
}

/* Reading the job */

static void
fd_job_detail_page_show_executions (FdJobDetailPage *self, JsonArray *items)
{
  g_autoptr (GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr (GPtrArray) added = g_ptr_array_new_with_free_func (g_object_unref);

  for (guint i = 0; i < json_array_get_length (items); i++)
    {
      JsonNode *element = json_array_get_element (items, i);
      JsonObject *execution;
      const char *device;
      FdJsonItem *item;

      if (!JSON_NODE_HOLDS_OBJECT (element))
        continue;
      execution = json_node_get_object (element);
      device = fd_json_get_string (execution, "device_id");
      if (device == NULL)
        continue;
      g_hash_table_add (seen, (gpointer)device);
      item = g_hash_table_lookup (self->index, device);
      if (item != NULL)
        {
          /* Only what changed redraws. */
          if (!json_object_equal (fd_json_item_get_object (item), execution))
            fd_json_item_replace (item, execution);
        }
      else if ((item = fd_json_item_new (execution, "device_id")) != NULL)
        {
          g_hash_table_insert (self->index, (gpointer)fd_json_item_get_key (item),
                               g_object_ref (item));
          g_ptr_array_add (added, item);
        }
    }

  /* Executions no longer listed (never, but a read is the truth). */
  if (g_hash_table_size (seen) < g_hash_table_size (self->index))
    for (guint i = g_list_model_get_n_items (G_LIST_MODEL (self->store)); i-- > 0;)
      {
        g_autoptr (FdJsonItem) item = g_list_model_get_item (G_LIST_MODEL (self->store), i);

        if (!g_hash_table_contains (seen, fd_json_item_get_key (item)))
          {
            g_hash_table_remove (self->index, fd_json_item_get_key (item));
            g_list_store_remove (self->store, i);
          }
      }
  g_list_store_splice (self->store, g_list_model_get_n_items (G_LIST_MODEL (self->store)), 0,
                       added->pdata, added->len);
}

static void
fd_job_detail_page_set_job_object (FdJobDetailPage *self, JsonObject *job)
{
  JsonObject *copy = json_object_new ();
  JsonObjectIter iter;
  const char *name;
  JsonNode *value;

  /* The job without its executions, which are the rows. */
  json_object_iter_init (&iter, job);
  while (json_object_iter_next (&iter, &name, &value))
    if (g_strcmp0 (name, "executions") != 0)
      json_object_set_member (copy, name, json_node_copy (value));
  g_clear_pointer (&self->job, json_object_unref);
  self->job = copy;
  fd_job_detail_page_show_job (self);
  g_signal_emit (self, signals[JOB_CHANGED], 0, self->job);
}

static void
fd_job_detail_page_read_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (FdJobDetailPage) self = user_data;
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonNode) node = fd_api_client_request_finish (FD_API_CLIENT (source), result, &error);
  JsonObject *job = node != NULL ? fd_json_get_object (node, &error) : NULL;
  JsonObject *executions = fd_json_get_member_object (job, "executions");
  JsonNode *items = executions != NULL ? json_object_get_member (executions, "items") : NULL;

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  self->reading = FALSE;
  if (job == NULL)
    fd_ui_toast_error (GTK_WIDGET (self), error);
  else
    {
      fd_job_detail_page_set_job_object (self, job);
      if (items != NULL && JSON_NODE_HOLDS_ARRAY (items))
        fd_job_detail_page_show_executions (self, json_node_get_array (items));
    }
  fd_job_detail_page_update_stack (self);
  if (self->read_again)
    {
      self->read_again = FALSE;
      fd_job_detail_page_read (self);
    }
}

static void
fd_job_detail_page_read (FdJobDetailPage *self)
{
  g_autofree char *base = NULL;
  g_autoptr (GString) path = NULL;
  g_autofree char *size = g_strdup_printf ("%d", FD_JOB_DETAIL_MAX_EXECUTIONS);

  if (self->client == NULL || self->job_id == NULL)
    return;
  if (self->reading)
    {
      self->read_again = TRUE;
      return;
    }
  self->reading = TRUE;
  self->reads++;
  base = fd_api_path ("jobs", self->job_id, NULL);
  path = g_string_new (base);
  fd_api_path_add_query (path, "size", size);
  fd_api_client_request_async (self->client, "GET", path->str, NULL, self->cancellable,
                               fd_job_detail_page_read_cb, g_object_ref (self));
  fd_job_detail_page_update_stack (self);
}

static gboolean
fd_job_detail_page_refresh_cb (gpointer data)
{
  FdJobDetailPage *self = data;

  self->refresh_source = 0;
  fd_job_detail_page_read (self);
  return G_SOURCE_REMOVE;
}

static void
fd_job_detail_page_refresh_later (FdJobDetailPage *self)
{
  gboolean large = g_list_model_get_n_items (G_LIST_MODEL (self->store)) > FD_JOB_DETAIL_LARGE;

  if (self->refresh_source == 0 && self->job_id != NULL)
    self->refresh_source
        = g_timeout_add (large ? FD_JOB_DETAIL_REFRESH_LARGE_MS : FD_JOB_DETAIL_REFRESH_MS,
                         fd_job_detail_page_refresh_cb, self);
}

/* Events */

static void
fd_job_detail_page_copy_members (JsonObject *to, JsonObject *from, const char *const *members)
{
  for (guint i = 0; members[i] != NULL; i++)
    if (json_object_has_member (from, members[i]))
      json_object_set_member (to, members[i],
                              json_node_copy (json_object_get_member (from, members[i])));
}

static void
fd_job_detail_page_job_event_cb (FdJobDetailPage *self, const char *type, const char *workspace_id,
                                 const char *device_id, JsonObject *data)
{
  FdJsonItem *item;

  if (self->job_id == NULL || g_strcmp0 (fd_json_get_string (data, "job_id"), self->job_id) != 0)
    return;

  if (g_str_equal (type, "job.updated"))
    {
      static const char *const members[] = { "state", "counts", NULL };

      if (self->job != NULL)
        {
          fd_job_detail_page_copy_members (self->job, data, members);
          fd_job_detail_page_show_job (self);
          g_signal_emit (self, signals[JOB_CHANGED], 0, self->job);
        }
      return;
    }

  item = device_id != NULL ? g_hash_table_lookup (self->index, device_id) : NULL;
  if (item != NULL)
    {
      static const char *const members[] = { "state", "attempts", "result", NULL };
      g_autoptr (JsonObject) update = json_object_new ();

      fd_job_detail_page_copy_members (update, data, members);
      fd_json_item_merge (item, update);
    }
  /* Times and messages come with the next read. */
  fd_job_detail_page_refresh_later (self);
}

static void
fd_job_detail_page_resync_cb (FdJobDetailPage *self)
{
  fd_job_detail_page_read (self);
}

/* Cancel */

static void
fd_job_detail_page_canceled_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (FdJobDetailPage) self = user_data;
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonNode) node = fd_api_client_request_finish (FD_API_CLIENT (source), result, &error);
  JsonObject *job = node != NULL ? fd_json_get_object (node, &error) : NULL;
  g_autofree char *message = NULL;

  if (job == NULL)
    {
      fd_ui_toast_error (GTK_WIDGET (self), error);
      return;
    }
  message = g_strdup_printf (_ ("Job “%s” canceled"), fd_json_get_string (job, "name"));
  fd_ui_toast (GTK_WIDGET (self), message);
  if (g_strcmp0 (fd_json_get_string (job, "id"), self->job_id) != 0)
    return;
  fd_job_detail_page_set_job_object (self, job);
  fd_job_detail_page_read (self);
}

static void
fd_job_detail_page_cancel_response_cb (AdwMessageDialog *dialog, const char *response,
                                       FdJobDetailPage *self)
{
  g_autofree char *path = NULL;

  if (g_strcmp0 (response, "accept") != 0 || self->client == NULL || self->job_id == NULL)
    return;
  path = fd_api_path ("jobs", self->job_id, "cancel", NULL);
  fd_api_client_request_async (self->client, "POST", path, NULL, self->cancellable,
                               fd_job_detail_page_canceled_cb, g_object_ref (self));
}

static void
fd_job_detail_page_cancel_job (GtkWidget *widget, const char *action, GVariant *param)
{
  FdJobDetailPage *self = FD_JOB_DETAIL_PAGE (widget);
  JsonObject *counts = fd_json_get_member_object (self->job, "counts");
  guint open = 0, sent = 0;
  g_autofree char *heading = NULL;
  g_autofree char *body = NULL;
  AdwMessageDialog *dialog;

  if (self->job == NULL)
    return;
  fd_json_update_uint (counts, "queued", &open);
  fd_json_update_uint (counts, "sent", &sent);
  open += sent;
  heading = g_strdup_printf (_ ("Cancel Job “%s”?"), fd_json_get_string (self->job, "name"));
  body = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                       "%'u device has not answered yet: it will not run the job "
                                       "and its waiting message is withdrawn. Results already "
                                       "received are kept.",
                                       "%'u devices have not answered yet: they will not run the "
                                       "job and their waiting messages are withdrawn. Results "
                                       "already received are kept.",
                                       open),
                          open);
  dialog = fd_ui_confirm_dialog_new (widget, heading, body, _ ("Cancel _Job"));
  adw_message_dialog_set_response_label (dialog, "cancel", _ ("_Keep Running"));
  g_signal_connect_object (dialog, "response", G_CALLBACK (fd_job_detail_page_cancel_response_cb),
                           self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

/* Public API */

void
fd_job_detail_page_set_client (FdJobDetailPage *self, FdApiClient *client)
{
  g_return_if_fail (FD_IS_JOB_DETAIL_PAGE (self));
  g_set_object (&self->client, client);
}

void
fd_job_detail_page_set_events (FdJobDetailPage *self, FdEventsClient *events)
{
  g_return_if_fail (FD_IS_JOB_DETAIL_PAGE (self));

  if (self->events != NULL)
    g_signal_handlers_disconnect_by_data (self->events, self);
  if (!g_set_object (&self->events, events) || events == NULL)
    return;
  g_signal_connect_object (events, "job", G_CALLBACK (fd_job_detail_page_job_event_cb), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (events, "resync", G_CALLBACK (fd_job_detail_page_resync_cb), self,
                           G_CONNECT_SWAPPED);
}

void
fd_job_detail_page_set_job (FdJobDetailPage *self, const char *job_id, JsonObject *job)
{
  g_return_if_fail (FD_IS_JOB_DETAIL_PAGE (self));

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();
  g_clear_handle_id (&self->refresh_source, g_source_remove);
  self->reading = FALSE;
  self->read_again = FALSE;
  self->reads = 0;
  g_clear_pointer (&self->job, json_object_unref);
  g_list_store_remove_all (self->store);
  g_hash_table_remove_all (self->index);
  g_free (self->job_id);
  self->job_id = g_strdup (job_id);
  if (job_id == NULL)
    return;
  if (job != NULL)
    {
      self->job = json_object_ref (job);
      fd_job_detail_page_show_job (self);
    }
  else
    {
      adw_window_title_set_title (self->title, job_id);
      adw_window_title_set_subtitle (self->title, NULL);
    }
  fd_job_detail_page_read (self);
}

const char *
fd_job_detail_page_get_job_id (FdJobDetailPage *self)
{
  g_return_val_if_fail (FD_IS_JOB_DETAIL_PAGE (self), NULL);
  return self->job_id;
}

JsonObject *
fd_job_detail_page_get_job (FdJobDetailPage *self)
{
  g_return_val_if_fail (FD_IS_JOB_DETAIL_PAGE (self), NULL);
  return self->job;
}

GListModel *
fd_job_detail_page_get_executions (FdJobDetailPage *self)
{
  g_return_val_if_fail (FD_IS_JOB_DETAIL_PAGE (self), NULL);
  return G_LIST_MODEL (self->sorted);
}

guint
fd_job_detail_page_get_reads (FdJobDetailPage *self)
{
  g_return_val_if_fail (FD_IS_JOB_DETAIL_PAGE (self), 0);
  return self->reads;
}

/* GObject */

static void
fd_job_detail_page_dispose (GObject *object)
{
  FdJobDetailPage *self = FD_JOB_DETAIL_PAGE (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_handle_id (&self->refresh_source, g_source_remove);
  if (self->events != NULL)
    g_signal_handlers_disconnect_by_data (self->events, self);
  g_clear_object (&self->events);
  g_clear_object (&self->client);
  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->job, json_object_unref);
  g_clear_pointer (&self->job_id, g_free);
  adw_bin_set_child (ADW_BIN (self), NULL);
  g_clear_object (&self->sorted);
  g_clear_object (&self->store);
  g_clear_pointer (&self->index, g_hash_table_unref);
  G_OBJECT_CLASS (fd_job_detail_page_parent_class)->dispose (object);
}

static void
fd_job_detail_page_class_init (FdJobDetailPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = fd_job_detail_page_dispose;

  signals[JOB_CHANGED] = g_signal_new ("job-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                       0, NULL, NULL, NULL, G_TYPE_NONE, 1, JSON_TYPE_OBJECT);
  gtk_widget_class_install_action (widget_class, "detail.cancel-job", NULL,
                                   fd_job_detail_page_cancel_job);
}

/* Building the page: fd-job-detail-page-view.c */
void fd_job_detail_page_build (FdJobDetailPage *self, AdwWindowTitle **title,
                               GtkWidget **cancel_button, GtkLabel **state_label,
                               GtkProgressBar **progress, GtkLabel **progress_label,
                               GtkLabel **args_label, GtkLabel **limits_label, GtkStack **stack,
                               GtkColumnView **view);

static void
fd_job_detail_page_init (FdJobDetailPage *self)
{
  GtkSorter *sorter;
  GtkNoSelection *selection;

  self->cancellable = g_cancellable_new ();
  self->store = g_list_store_new (FD_TYPE_JSON_ITEM);
  self->index = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, g_object_unref);
  fd_job_detail_page_build (self, &self->title, &self->cancel_button, &self->state_label,
                            &self->progress, &self->progress_label, &self->args_label,
                            &self->limits_label, &self->stack, &self->view);
  sorter = gtk_column_view_get_sorter (self->view);
  self->sorted
      = gtk_sort_list_model_new (g_object_ref (G_LIST_MODEL (self->store)), g_object_ref (sorter));
  selection = gtk_no_selection_new (g_object_ref (G_LIST_MODEL (self->sorted)));
  gtk_column_view_set_model (self->view, GTK_SELECTION_MODEL (selection));
  g_object_unref (selection);
  gtk_widget_set_sensitive (self->cancel_button, FALSE);
}
