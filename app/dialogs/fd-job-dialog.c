/* fd-job-dialog.c — "New Job".
 *
 * Targets are two pickers (devices of the workspace, its fleets). When the chosen devices
 * change, the manifests of the first FD_JOB_DIALOG_MAX_MANIFESTS are read (GET
 * /devices/{id}/status, current.__manifest) and the job names they declare are offered as
 * buttons under the name; any other valid name may be typed. The arguments are checked as
 * JSON on every change, the error shown under them, and Schedule stays off until the name,
 * the arguments and the targets are all valid. A server error is shown in the dialog, next to
 * the field it names when it names one.
 */
#include "config.h"

#include <glib/gi18n.h>

#include "fd-job-dialog-private.h"
#include "fd-json.h"
#include "fd-ui.h"

struct _FdJobDialog
{
  AdwWindow parent_instance;

  FdApiClient *client;
  char *workspace_id;
  GCancellable *cancellable;
  GCancellable *manifests_cancellable;
  guint manifests_pending;
  GHashTable *declared;  /* names the chosen devices declare */
  GHashTable *declaring; /* name -> how many of the read devices declare it */
  guint manifests_read;
  gboolean sending;

  GtkWidget *schedule_button;
  FdMultiPicker *devices;
  FdMultiPicker *fleets;
  GtkLabel *targets_error;
  AdwEntryRow *name_row;
  GtkLabel *name_error;
  GtkBox *declared_box;
  GtkLabel *declared_label;
  GtkTextView *args_view;
  GtkLabel *args_error;
  GtkSpinButton *timeout;
  GtkSpinButton *retries;
};

G_DEFINE_FINAL_TYPE (FdJobDialog, fd_job_dialog, ADW_TYPE_WINDOW)

enum
{
  CREATED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

void fd_job_dialog_build (FdJobDialog *self);

/* Checking */

static char *
fd_job_dialog_dup_args_text (FdJobDialog *self)
{
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (self->args_view);
  GtkTextIter start, end;

  gtk_text_buffer_get_bounds (buffer, &start, &end);
  return gtk_text_buffer_get_text (buffer, &start, &end, FALSE);
}

static void
fd_job_dialog_show_error (GtkLabel *label, const char *message)
{
  gtk_label_set_label (label, message != NULL ? message : "");
  gtk_widget_set_visible (GTK_WIDGET (label), message != NULL);
}

static void
fd_job_dialog_check (FdJobDialog *self)
{
  g_autofree char *name = fd_ui_dup_trimmed_text (GTK_EDITABLE (self->name_row));
  g_autofree char *args_text = fd_job_dialog_dup_args_text (self);
  g_autofree char *args_message = NULL;
  g_autoptr (JsonNode) args = fd_job_args_parse (args_text, &args_message);
  g_auto (GStrv) devices = fd_multi_picker_get_chosen (self->devices);
  g_auto (GStrv) fleets = fd_multi_picker_get_chosen (self->fleets);
  gboolean targets = g_strv_length (devices) + g_strv_length (fleets) > 0;
  const char *name_problem = *name != '\0' ? fd_job_name_problem (name) : NULL;
  g_autofree char *declared = NULL;

  fd_job_dialog_show_error (self->name_error, name_problem);
  fd_job_dialog_show_error (self->args_error, args_message);
  if (args_message != NULL)
    gtk_widget_add_css_class (GTK_WIDGET (self->args_view), "fd-invalid");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self->args_view), "fd-invalid");
  if (name_problem != NULL)
    gtk_widget_add_css_class (GTK_WIDGET (self->name_row), "error");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self->name_row), "error");

  /* How many of the devices read would reject the name. */
  if (*name != '\0' && name_problem == NULL && self->manifests_read > 0)
    {
      guint declaring = GPOINTER_TO_UINT (g_hash_table_lookup (self->declaring, name));

      if (declaring < self->manifests_read)
        declared = g_strdup_printf (
            g_dngettext (GETTEXT_PACKAGE,
                         "%u of the chosen devices does not list “%s” in its manifest: it will "
                         "reject the job.",
                         "%u of the chosen devices do not list “%s” in their manifests: they "
                         "will reject the job.",
                         self->manifests_read - declaring),
            self->manifests_read - declaring, name);
    }
  if (declared != NULL)
    gtk_label_set_label (self->declared_label, declared);
  else if (g_hash_table_size (self->declared) > 0)
    gtk_label_set_label (self->declared_label, _ ("Jobs the chosen devices list:"));
  else if (self->manifests_read > 0)
    gtk_label_set_label (self->declared_label,
                         _ ("The chosen devices list no jobs in their manifests."));
  gtk_widget_set_visible (GTK_WIDGET (self->declared_label),
                          self->manifests_read > 0 || declared != NULL);

  gtk_widget_set_visible (GTK_WIDGET (self->targets_error), !targets);
  gtk_widget_set_sensitive (self->schedule_button, !self->sending && targets && *name != '\0'
                                                       && name_problem == NULL && args != NULL);
}

gboolean
fd_job_dialog_can_schedule (FdJobDialog *self)
{
  g_return_val_if_fail (FD_IS_JOB_DIALOG (self), FALSE);
  return gtk_widget_get_sensitive (self->schedule_button);
}

const char *
fd_job_dialog_get_args_error (FdJobDialog *self)
{
  g_return_val_if_fail (FD_IS_JOB_DIALOG (self), NULL);
  return gtk_widget_get_visible (GTK_WIDGET (self->args_error))
             ? gtk_label_get_label (self->args_error)
             : NULL;
}

/* The names the chosen devices declare */

static void
fd_job_dialog_pick_name_cb (FdJobDialog *self, GtkButton *button)
{
  gtk_editable_set_text (GTK_EDITABLE (self->name_row), gtk_button_get_label (button));
  gtk_editable_set_position (GTK_EDITABLE (self->name_row), -1);
}

static void
fd_job_dialog_show_declared (FdJobDialog *self)
{
  g_auto (GStrv) names = fd_job_dialog_get_declared (self);
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->declared_box))) != NULL)
    gtk_box_remove (self->declared_box, child);
  for (guint i = 0; names[i] != NULL && i < FD_JOB_DIALOG_MAX_OFFERED; i++)
    {
      GtkWidget *button = gtk_button_new_with_label (names[i]);

      gtk_widget_set_tooltip_text (button, _ ("Use This Job"));
      g_signal_connect_object (button, "clicked", G_CALLBACK (fd_job_dialog_pick_name_cb), self,
                               G_CONNECT_SWAPPED);
      gtk_box_append (self->declared_box, button);
    }
  gtk_widget_set_visible (GTK_WIDGET (self->declared_box), names[0] != NULL);
  fd_job_dialog_check (self);
}

/* g_ptr_array_sort() hands pointers to the elements. */
static int
fd_job_dialog_compare_names (gconstpointer a, gconstpointer b)
{
  return g_strcmp0 (*(char *const *)a, *(char *const *)b);
}

char **
fd_job_dialog_get_declared (FdJobDialog *self)
{
  g_autoptr (GPtrArray) names = g_ptr_array_new ();
  GHashTableIter iter;
  gpointer name;

  g_return_val_if_fail (FD_IS_JOB_DIALOG (self), NULL);
  g_hash_table_iter_init (&iter, self->declared);
  while (g_hash_table_iter_next (&iter, &name, NULL))
    g_ptr_array_add (names, g_strdup (name));
  g_ptr_array_sort (names, fd_job_dialog_compare_names);
  g_ptr_array_add (names, NULL);
  return (char **)g_ptr_array_free (g_steal_pointer (&names), FALSE);
}

static void
fd_job_dialog_manifest_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (FdJobDialog) self = user_data;
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonNode) node = fd_api_client_request_finish (FD_API_CLIENT (source), result, &error);
  g_autoptr (GHashTable) names = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  JsonObject *status = node != NULL ? fd_json_get_object (node, NULL) : NULL;
  JsonObject *manifest
      = fd_json_get_member_object (fd_json_get_member_object (status, "current"), "__manifest");
  GHashTableIter iter;
  gpointer name;

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  self->manifests_pending--;
  if (manifest != NULL)
    {
      /* A device that reported no manifest takes any job: it does not count. */
      self->manifests_read++;
      fd_job_manifest_names (json_object_get_member (manifest, "v"), names);
      g_hash_table_iter_init (&iter, names);
      while (g_hash_table_iter_next (&iter, &name, NULL))
        {
          guint n = GPOINTER_TO_UINT (g_hash_table_lookup (self->declaring, name));

          g_hash_table_replace (self->declaring, g_strdup (name), GUINT_TO_POINTER (n + 1));
          g_hash_table_add (self->declared, g_strdup (name));
        }
    }
  if (self->manifests_pending == 0)
    fd_job_dialog_show_declared (self);
}

static void
fd_job_dialog_devices_changed_cb (FdJobDialog *self)
{
  g_auto (GStrv) chosen = fd_multi_picker_get_chosen (self->devices);

  g_cancellable_cancel (self->manifests_cancellable);
  g_clear_object (&self->manifests_cancellable);
  self->manifests_cancellable = g_cancellable_new ();
  self->manifests_pending = 0;
  self->manifests_read = 0;
  g_hash_table_remove_all (self->declared);
  g_hash_table_remove_all (self->declaring);
  for (guint i = 0; chosen[i] != NULL && i < FD_JOB_DIALOG_MAX_MANIFESTS; i++)
    {
      g_autofree char *path = fd_api_path ("devices", chosen[i], "status", NULL);

      self->manifests_pending++;
      fd_api_client_request_async (self->client, "GET", path, NULL, self->manifests_cancellable,
                                   fd_job_dialog_manifest_cb, g_object_ref (self));
    }
  if (self->manifests_pending == 0)
    fd_job_dialog_show_declared (self);
  fd_job_dialog_check (self);
}

/* The pickers' items */

static void
fd_job_dialog_items_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (FdMultiPicker) picker = user_data;
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonNode) node = fd_api_client_request_finish (FD_API_CLIENT (source), result, &error);
  JsonArray *items = node != NULL ? fd_json_get_list (node, NULL, &error) : NULL;
  g_autoptr (GPtrArray) ids = g_ptr_array_new ();
  g_autoptr (GPtrArray) names = g_ptr_array_new ();

  if (items == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        fd_ui_toast_error (GTK_WIDGET (picker), error);
      return;
    }
  for (guint i = 0; i < json_array_get_length (items); i++)
    {
      JsonNode *element = json_array_get_element (items, i);
      JsonObject *item = JSON_NODE_HOLDS_OBJECT (element) ? json_node_get_object (element) : NULL;

      if (fd_json_get_string (item, "id") == NULL || fd_json_get_string (item, "name") == NULL)
        continue;
      g_ptr_array_add (ids, (gpointer)fd_json_get_string (item, "id"));
      g_ptr_array_add (names, (gpointer)fd_json_get_string (item, "name"));
    }
  fd_multi_picker_set_items (picker, (const char *const *)ids->pdata,
                             (const char *const *)names->pdata, ids->len);
}

static void
fd_job_dialog_load_items (FdJobDialog *self, const char *what, FdMultiPicker *picker)
{
  g_autofree char *base = fd_api_path ("workspaces", self->workspace_id, what, NULL);
  g_autoptr (GString) path = g_string_new (base);
  g_autofree char *size = g_strdup_printf ("%d", FD_JOB_DIALOG_MAX_DEVICES);

  /* Fleets come default first, then by name; devices are asked by name. */
  if (g_str_equal (what, "devices"))
    fd_api_path_add_query (path, "sort", "name");
  fd_api_path_add_query (path, "size", size);
  fd_api_client_request_async (self->client, "GET", path->str, NULL, self->cancellable,
                               fd_job_dialog_items_cb, g_object_ref (picker));
}

/* Scheduling */

static void
fd_job_dialog_created_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (FdJobDialog) self = user_data;
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonNode) node = fd_api_client_request_finish (FD_API_CLIENT (source), result, &error);
  JsonObject *details = fd_api_client_get_error_details (result);
  JsonObject *job = node != NULL ? fd_json_get_object (node, &error) : NULL;
  const char *field = fd_json_get_string (details, "field");

  self->sending = FALSE;
  if (job == NULL)
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      if (g_strcmp0 (field, "name") == 0)
        fd_job_dialog_show_error (self->name_error, error->message);
      else if (g_strcmp0 (field, "args") == 0)
        fd_job_dialog_show_error (self->args_error, error->message);
      else
        fd_ui_toast_error (GTK_WIDGET (self->schedule_button), error);
      gtk_widget_set_sensitive (self->schedule_button, TRUE);
      return;
    }
  g_signal_emit (self, signals[CREATED], 0, job);
  gtk_window_close (GTK_WINDOW (self));
}

static void
fd_job_dialog_add_ids (JsonObject *body, const char *member, char **ids)
{
  JsonArray *array = json_array_new ();

  for (guint i = 0; ids[i] != NULL; i++)
    json_array_add_string_element (array, ids[i]);
  json_object_set_array_member (body, member, array);
}

static void
fd_job_dialog_schedule_cb (FdJobDialog *self)
{
  g_autofree char *name = fd_ui_dup_trimmed_text (GTK_EDITABLE (self->name_row));
  g_autofree char *args_text = fd_job_dialog_dup_args_text (self);
  g_autofree char *message = NULL;
  JsonNode *args = fd_job_args_parse (args_text, &message);
  g_auto (GStrv) devices = fd_multi_picker_get_chosen (self->devices);
  g_auto (GStrv) fleets = fd_multi_picker_get_chosen (self->fleets);
  g_autofree char *path = NULL;
  g_autoptr (JsonNode) node = NULL;
  JsonObject *body;

  if (args == NULL || fd_job_name_problem (name) != NULL)
    return;
  body = json_object_new ();
  json_object_set_string_member (body, "name", name);
  json_object_set_member (body, "args", args);
  fd_job_dialog_add_ids (body, "devices", devices);
  fd_job_dialog_add_ids (body, "fleets", fleets);
  json_object_set_int_member (body, "timeout_s", gtk_spin_button_get_value_as_int (self->timeout));
  json_object_set_int_member (body, "retries", gtk_spin_button_get_value_as_int (self->retries));
  node = json_node_init_object (json_node_alloc (), body);
  json_object_unref (body);

  self->sending = TRUE;
  gtk_widget_set_sensitive (self->schedule_button, FALSE);
  path = fd_api_path ("workspaces", self->workspace_id, "jobs", NULL);
  fd_api_client_request_async (self->client, "POST", path, node, self->cancellable,
                               fd_job_dialog_created_cb, g_object_ref (self));
}

/* GObject */

static void
fd_job_dialog_dispose (GObject *object)
{
  FdJobDialog *self = FD_JOB_DIALOG (object);

  g_cancellable_cancel (self->cancellable);
  g_cancellable_cancel (self->manifests_cancellable);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->manifests_cancellable);
  g_clear_object (&self->client);
  G_OBJECT_CLASS (fd_job_dialog_parent_class)->dispose (object);
}

static void
fd_job_dialog_finalize (GObject *object)
{
  FdJobDialog *self = FD_JOB_DIALOG (object);

  g_free (self->workspace_id);
  g_hash_table_unref (self->declared);
  g_hash_table_unref (self->declaring);
  G_OBJECT_CLASS (fd_job_dialog_parent_class)->finalize (object);
}

static void
fd_job_dialog_class_init (FdJobDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = fd_job_dialog_dispose;
  object_class->finalize = fd_job_dialog_finalize;

  signals[CREATED] = g_signal_new ("created", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL,
                                   NULL, NULL, G_TYPE_NONE, 1, JSON_TYPE_OBJECT);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
fd_job_dialog_init (FdJobDialog *self)
{
  self->cancellable = g_cancellable_new ();
  self->declared = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->declaring = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
}

FdJobDialog *
fd_job_dialog_new (GtkWindow *parent, FdApiClient *client, const char *workspace_id)
{
  FdJobDialog *self;

  g_return_val_if_fail (FD_IS_API_CLIENT (client), NULL);
  g_return_val_if_fail (workspace_id != NULL, NULL);

  self = g_object_new (FD_TYPE_JOB_DIALOG, "transient-for", parent, "modal", TRUE, "title",
                       _ ("New Job"), "default-width", 600, "default-height", 680, NULL);
  self->client = g_object_ref (client);
  self->workspace_id = g_strdup (workspace_id);
  fd_job_dialog_build_view (self, &self->schedule_button, &self->devices, &self->fleets,
                            &self->targets_error, &self->name_row, &self->name_error,
                            &self->declared_box, &self->declared_label, &self->args_view,
                            &self->args_error, &self->timeout, &self->retries);
  g_signal_connect_object (self->schedule_button, "clicked", G_CALLBACK (fd_job_dialog_schedule_cb),
                           self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->devices, "changed", G_CALLBACK (fd_job_dialog_devices_changed_cb),
                           self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->fleets, "changed", G_CALLBACK (fd_job_dialog_check), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (self->name_row, "changed", G_CALLBACK (fd_job_dialog_check), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (gtk_text_view_get_buffer (self->args_view), "changed",
                           G_CALLBACK (fd_job_dialog_check), self, G_CONNECT_SWAPPED);
  fd_job_dialog_load_items (self, "devices", self->devices);
  fd_job_dialog_load_items (self, "fleets", self->fleets);
  fd_job_dialog_check (self);
  return self;
}
