/* fd-provision-window.c — "Add Device" and "Add Credential".
 *
 * One modal window walks through the form (name and fleet, then how the device
 * authenticates), the requests (fd-provision-window-requests.c) and the result: the new
 * credential, its secret shown this once with "Save Credentials…", which writes the answer's
 * zdevice.json with mode 0600. Fleetdesk keeps no secret, so closing before saving one asks
 * first. If the device was made but its credential was not, the window says so and offers to
 * try the credential again: the user always knows whether the device exists.
 */
#include "config.h"

#include <glib/gi18n.h>

#include "fd-files.h"
#include "fd-fleet.h"
#include "fd-format.h"
#include "fd-json.h"
#include "fd-provision-window-private.h"
#include "fd-ui.h"

G_DEFINE_FINAL_TYPE (FdProvisionWindow, fd_provision_window, ADW_TYPE_WINDOW)

enum
{
  DEVICE_ADDED,
  CREDENTIAL_ADDED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

FdProvisionMethod
fd_provision_window_get_method (FdProvisionWindow *self)
{
  if (gtk_check_button_get_active (self->own_check))
    return FD_PROVISION_OWN;
  if (gtk_check_button_get_active (self->key_check))
    return FD_PROVISION_KEY;
  return FD_PROVISION_GENERATE;
}

const char *
fd_provision_window_get_state (FdProvisionWindow *self)
{
  g_return_val_if_fail (FD_IS_PROVISION_WINDOW (self), NULL);
  return gtk_stack_get_visible_child_name (self->stack);
}

static gboolean
fd_provision_window_form_valid (FdProvisionWindow *self)
{
  g_autofree char *name = fd_ui_dup_trimmed_text (GTK_EDITABLE (self->name_row));

  if (self->workspace_id != NULL && *name == '\0')
    return FALSE;
  if (fd_provision_window_get_method (self) == FD_PROVISION_OWN
      && (self->pem_text == NULL || self->reading))
    return FALSE;
  return TRUE;
}

void
fd_provision_window_update (FdProvisionWindow *self)
{
  const char *page = gtk_stack_get_visible_child_name (self->stack);
  FdProvisionMethod method = fd_provision_window_get_method (self);
  gboolean form = g_strcmp0 (page, "form") == 0;

  gtk_widget_set_visible (self->device_group, self->workspace_id != NULL);
  gtk_widget_set_visible (self->file_group, method == FD_PROVISION_OWN);
  gtk_widget_set_visible (GTK_WIDGET (self->file_error),
                          method == FD_PROVISION_OWN
                              && *gtk_label_get_label (self->file_error) != '\0');
  gtk_widget_set_visible (self->key_group, method == FD_PROVISION_KEY);

  gtk_widget_set_visible (self->cancel_button, form || g_strcmp0 (page, "working") == 0);
  gtk_widget_set_sensitive (self->cancel_button, form);
  if (form)
    {
      gtk_button_set_label (self->accept_button,
                            self->workspace_id != NULL ? _ ("_Add") : _ ("C_reate"));
      gtk_widget_set_sensitive (GTK_WIDGET (self->accept_button),
                                fd_provision_window_form_valid (self));
    }
  else if (g_strcmp0 (page, "working") == 0)
    gtk_widget_set_sensitive (GTK_WIDGET (self->accept_button), FALSE);
  else
    {
      gtk_button_set_label (self->accept_button,
                            g_strcmp0 (page, "done") == 0 ? _ ("_Done") : _ ("_Close"));
      gtk_widget_set_sensitive (GTK_WIDGET (self->accept_button), TRUE);
    }
  /* One suggested action at a time: while a secret waits to be saved, that is saving it. */
  if (fd_provision_window_unsaved_secret (self))
    {
      gtk_widget_remove_css_class (GTK_WIDGET (self->accept_button), "suggested-action");
      gtk_widget_add_css_class (self->save_button, "suggested-action");
    }
  else
    {
      gtk_widget_add_css_class (GTK_WIDGET (self->accept_button), "suggested-action");
      gtk_widget_remove_css_class (self->save_button, "suggested-action");
    }
  gtk_widget_set_visible (self->other_file_button, method == FD_PROVISION_OWN);
  gtk_widget_set_sensitive (self->retry_button, !self->reading);
  gtk_widget_set_sensitive (self->other_file_button, !self->reading);
}

static void
fd_provision_window_update_cb (FdProvisionWindow *self)
{
  fd_provision_window_update (self);
}

void
fd_provision_window_show_form_error (FdProvisionWindow *self, const char *message)
{
  gtk_label_set_label (self->form_error, message != NULL ? message : "");
  gtk_widget_set_visible (GTK_WIDGET (self->form_error), message != NULL);
  if (message != NULL)
    gtk_stack_set_visible_child_name (self->stack, "form");
  fd_provision_window_update (self);
}

static void
fd_provision_window_accept_cb (FdProvisionWindow *self)
{
  const char *page = gtk_stack_get_visible_child_name (self->stack);

  if (g_strcmp0 (page, "form") == 0)
    {
      if (fd_provision_window_form_valid (self))
        fd_provision_window_submit (self);
    }
  else if (g_strcmp0 (page, "working") != 0)
    gtk_window_close (GTK_WINDOW (self));
}

static void
fd_provision_window_retry_cb (FdProvisionWindow *self)
{
  fd_provision_window_retry (self);
}

/* The PEM file */

static void
fd_provision_window_set_file_error (FdProvisionWindow *self, const char *message)
{
  gtk_label_set_label (self->file_error, message != NULL ? message : "");
  fd_provision_window_update (self);
}

static void
fd_provision_window_read_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (FdProvisionWindow) self = user_data;
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) bytes = fd_files_read_finish (result, &error);
  g_autofree char *name = g_file_get_basename (G_FILE (source));
  g_autofree char *size = NULL;
  g_autofree char *subtitle = NULL;
  FdPemKind kind = FD_PEM_CERTIFICATE;
  gsize len = 0;
  const char *data;

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  self->reading = FALSE;
  g_clear_pointer (&self->pem_text, g_free);
  g_clear_pointer (&self->pem_name, g_free);

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->file_row), name);
  if (bytes != NULL)
    {
      data = g_bytes_get_data (bytes, &len);
      if (!fd_pem_classify (data, len, &kind, &error))
        g_clear_pointer (&bytes, g_bytes_unref);
    }
  if (bytes == NULL)
    {
      adw_action_row_set_subtitle (self->file_row, _ ("Not usable"));
      fd_provision_window_set_file_error (self, error->message);
      /* Chosen on the "failed" page: say it there, where the user is. */
      if (self->retry_after_read)
        fd_provision_window_show_failed (self, error->message);
      self->retry_after_read = FALSE;
      fd_provision_window_update (self);
      return;
    }

  self->pem_text = g_strndup (data, len);
  self->pem_name = g_steal_pointer (&name);
  self->pem_kind = kind;
  size = fd_format_size (len);
  /* TRANSLATORS: what a chosen file holds, and its size: "Certificate · 1.2 kB" */
  subtitle = g_strdup_printf (_ ("%s · %s"), fd_pem_kind_describe (kind), size);
  adw_action_row_set_subtitle (self->file_row, subtitle);
  fd_provision_window_set_file_error (self, NULL);

  if (self->retry_after_read)
    {
      self->retry_after_read = FALSE;
      fd_provision_window_retry (self);
    }
}

void
fd_provision_window_set_pem_file (FdProvisionWindow *self, GFile *file)
{
  g_return_if_fail (FD_IS_PROVISION_WINDOW (self));
  g_return_if_fail (G_IS_FILE (file));

  gtk_check_button_set_active (self->own_check, TRUE);
  self->reading = TRUE;
  adw_action_row_set_subtitle (self->file_row, _ ("Reading…"));
  fd_provision_window_update (self);
  fd_files_read_async (file, FD_PEM_MAX_BYTES, self->cancellable, fd_provision_window_read_cb,
                       g_object_ref (self));
}

static void
fd_provision_window_chosen_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (FdProvisionWindow) self = user_data;
  g_autoptr (GError) error = NULL;
  g_autoptr (GFile) file = fd_files_choose_finish (result, &error);

  if (file != NULL)
    fd_provision_window_set_pem_file (self, file);
  else
    self->retry_after_read = FALSE;
}

static void
fd_provision_window_choose_file_cb (FdProvisionWindow *self, GtkWidget *button)
{
  static const char *const patterns[] = { "*.pem", "*.crt", "*.cer", "*.csr", "*.req" };
  g_autoptr (GtkFileFilter) filter = gtk_file_filter_new ();

  gtk_file_filter_set_name (filter, _ ("Certificates and CSRs (PEM)"));
  for (guint i = 0; i < G_N_ELEMENTS (patterns); i++)
    gtk_file_filter_add_pattern (filter, patterns[i]);
  gtk_file_filter_add_mime_type (filter, "application/x-x509-ca-cert");
  gtk_file_filter_add_mime_type (filter, "application/pkcs10");

  /* From the "failed" page, the new file is sent as soon as it has been read. */
  self->retry_after_read = button == self->other_file_button;
  fd_files_choose_async (GTK_WINDOW (self), GTK_FILE_CHOOSER_ACTION_OPEN,
                         _ ("Choose a Certificate or CSR"), _ ("_Open"), NULL, filter,
                         self->cancellable, fd_provision_window_chosen_cb, g_object_ref (self));
}

static gboolean
fd_provision_window_drop_cb (GtkDropTarget *target, const GValue *value, double x, double y,
                             FdProvisionWindow *self)
{
  GSList *files = gdk_file_list_get_files (g_value_get_boxed (value));
  const char *page = gtk_stack_get_visible_child_name (self->stack);
  gboolean failed = g_strcmp0 (page, "failed") == 0;

  if (files == NULL || self->reading || (g_strcmp0 (page, "form") != 0 && !failed)
      || (failed && fd_provision_window_get_method (self) != FD_PROVISION_OWN))
    {
      g_slist_free (files);
      return FALSE;
    }
  self->retry_after_read = failed;
  fd_provision_window_set_pem_file (self, files->data);
  g_slist_free (files);
  return TRUE;
}

/* GObject */

void
fd_provision_window_emit_device_added (FdProvisionWindow *self)
{
  g_signal_emit (self, signals[DEVICE_ADDED], 0, self->device);
}

void
fd_provision_window_emit_credential_added (FdProvisionWindow *self)
{
  g_signal_emit (self, signals[CREDENTIAL_ADDED], 0, self->credential);
}

static void
fd_provision_window_dispose (GObject *object)
{
  FdProvisionWindow *self = FD_PROVISION_WINDOW (object);

  g_cancellable_cancel (self->cancellable);
  gtk_widget_dispose_template (GTK_WIDGET (self), FD_TYPE_PROVISION_WINDOW);
  g_clear_object (&self->client);

  G_OBJECT_CLASS (fd_provision_window_parent_class)->dispose (object);
}

static void
fd_provision_window_finalize (GObject *object)
{
  FdProvisionWindow *self = FD_PROVISION_WINDOW (object);

  g_clear_object (&self->cancellable);
  g_free (self->workspace_id);
  g_free (self->device_name);
  g_clear_pointer (&self->device, json_object_unref);
  g_clear_pointer (&self->credential, json_object_unref);
  g_free (self->pem_text);
  g_free (self->pem_name);

  G_OBJECT_CLASS (fd_provision_window_parent_class)->finalize (object);
}

static void
fd_provision_window_class_init (FdProvisionWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  object_class->dispose = fd_provision_window_dispose;
  object_class->finalize = fd_provision_window_finalize;
  window_class->close_request = fd_provision_window_close_request;

  /* The device as the API answered its creation. */
  signals[DEVICE_ADDED]
      = g_signal_new ("device-added", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                      NULL, G_TYPE_NONE, 1, JSON_TYPE_OBJECT);
  /* The credential as the API answered its creation (with its secret parts). */
  signals[CREDENTIAL_ADDED]
      = g_signal_new ("credential-added", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL,
                      NULL, NULL, G_TYPE_NONE, 1, JSON_TYPE_OBJECT);

  g_type_ensure (FD_TYPE_FLEET);
  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/fleetdesk/Fleetdesk/ui/"
                                                             "fd-provision-window.ui");
  gtk_widget_class_bind_template_child (widget_class, FdProvisionWindow, copy_content);
  gtk_widget_class_bind_template_child (widget_class, FdProvisionWindow, window_title);
  gtk_widget_class_bind_template_child (widget_class, FdProvisionWindow, cancel_button);
  gtk_widget_class_bind_template_child (widget_class, FdProvisionWindow, accept_button);
  gtk_widget_class_bind_template_child (widget_class, FdProvisionWindow, stack);
  gtk_widget_class_bind_template_child (widget_class, FdProvisionWindow, form_error);
  gtk_widget_class_bind_template_child (widget_class, FdProvisionWindow, device_group);
  gtk_widget_class_bind_template_child (widget_class, FdProvisionWindow, name_row);
  gtk_widget_class_bind_template_child (widget_class, FdProvisionWindow, fleet_row);
  gtk_widget_class_bind_template_child (widget_class, FdProvisionWindow, generate_check);
  gtk_widget_class_bind_template_child (widget_class, FdProvisionWindow, own_check);
  gtk_widget_class_bind_template_child (widget_class, FdProvisionWindow, key_check);
  gtk_widget_class_bind_template_child (widget_class, FdProvisionWindow, file_group);
  gtk_widget_class_bind_template_child (widget_class, FdProvisionWindow, file_row);
  gtk_widget_class_bind_template_child (widget_class, FdProvisionWindow, choose_button);
  gtk_widget_class_bind_template_child (widget_class, FdProvisionWindow, file_error);
  gtk_widget_class_bind_template_child (widget_class, FdProvisionWindow, key_group);
  gtk_widget_class_bind_template_child (widget_class, FdProvisionWindow, mode_row);
  gtk_widget_class_bind_template_child (widget_class, FdProvisionWindow, working_page);
  gtk_widget_class_bind_template_child (widget_class, FdProvisionWindow, done_title);
  gtk_widget_class_bind_template_child (widget_class, FdProvisionWindow, done_body);
  gtk_widget_class_bind_template_child (widget_class, FdProvisionWindow, secret_warning);
  gtk_widget_class_bind_template_child (widget_class, FdProvisionWindow, secret_warning_label);
  gtk_widget_class_bind_template_child (widget_class, FdProvisionWindow, secret_group);
  gtk_widget_class_bind_template_child (widget_class, FdProvisionWindow, secret_label);
  gtk_widget_class_bind_template_child (widget_class, FdProvisionWindow, credential_group);
  gtk_widget_class_bind_template_child (widget_class, FdProvisionWindow, kind_row);
  gtk_widget_class_bind_template_child (widget_class, FdProvisionWindow, subject_row);
  gtk_widget_class_bind_template_child (widget_class, FdProvisionWindow, fingerprint_row);
  gtk_widget_class_bind_template_child (widget_class, FdProvisionWindow, expires_row);
  gtk_widget_class_bind_template_child (widget_class, FdProvisionWindow, save_button);
  gtk_widget_class_bind_template_child (widget_class, FdProvisionWindow, saved_label);
  gtk_widget_class_bind_template_child (widget_class, FdProvisionWindow, failed_page);
  gtk_widget_class_bind_template_child (widget_class, FdProvisionWindow, retry_button);
  gtk_widget_class_bind_template_child (widget_class, FdProvisionWindow, other_file_button);
  gtk_widget_class_bind_template_callback (widget_class, fd_provision_window_accept_cb);
  gtk_widget_class_bind_template_callback (widget_class, fd_provision_window_update_cb);
  gtk_widget_class_bind_template_callback (widget_class, fd_provision_window_choose_file_cb);
  gtk_widget_class_bind_template_callback (widget_class, fd_provision_window_copy_cb);
  gtk_widget_class_bind_template_callback (widget_class, fd_provision_window_save_cb);
  gtk_widget_class_bind_template_callback (widget_class, fd_provision_window_retry_cb);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
fd_provision_window_init (FdProvisionWindow *self)
{
  GtkDropTarget *target;

  gtk_widget_init_template (GTK_WIDGET (self));
  self->cancellable = g_cancellable_new ();

  target = gtk_drop_target_new (GDK_TYPE_FILE_LIST, GDK_ACTION_COPY);
  g_signal_connect (target, "drop", G_CALLBACK (fd_provision_window_drop_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self->stack), GTK_EVENT_CONTROLLER (target));

  gtk_window_set_default_widget (GTK_WINDOW (self), GTK_WIDGET (self->accept_button));
}

static FdProvisionWindow *
fd_provision_window_new (GtkWindow *parent, FdApiClient *client)
{
  FdProvisionWindow *self = g_object_new (FD_TYPE_PROVISION_WINDOW, "transient-for", parent, NULL);

  self->client = g_object_ref (client);
  return self;
}

FdProvisionWindow *
fd_provision_window_new_device (GtkWindow *parent, FdApiClient *client, const char *workspace_id,
                                const char *workspace_name, GListModel *fleets,
                                const char *fleet_id)
{
  FdProvisionWindow *self = fd_provision_window_new (parent, client);
  g_autofree char *subtitle = NULL;
  guint n = g_list_model_get_n_items (fleets);

  g_return_val_if_fail (workspace_id != NULL, self);

  self->workspace_id = g_strdup (workspace_id);
  gtk_window_set_title (GTK_WINDOW (self), _ ("Add Device"));
  adw_window_title_set_title (self->window_title, _ ("Add Device"));
  /* TRANSLATORS: under "Add Device": where it goes */
  subtitle = g_strdup_printf (_ ("To workspace “%s”"), workspace_name);
  adw_window_title_set_subtitle (self->window_title, subtitle);

  adw_combo_row_set_model (self->fleet_row, fleets);
  for (guint i = 0; fleet_id != NULL && i < n; i++)
    {
      g_autoptr (FdFleet) fleet = g_list_model_get_item (fleets, i);

      if (g_strcmp0 (fd_fleet_get_id (fleet), fleet_id) == 0)
        adw_combo_row_set_selected (self->fleet_row, i);
    }
  gtk_window_set_focus (GTK_WINDOW (self), GTK_WIDGET (self->name_row));
  gtk_stack_set_visible_child_name (self->stack, "form");
  fd_provision_window_update (self);
  return self;
}

FdProvisionWindow *
fd_provision_window_new_credential (GtkWindow *parent, FdApiClient *client, const char *device_id,
                                    const char *device_name)
{
  FdProvisionWindow *self = fd_provision_window_new (parent, client);
  g_autoptr (JsonObject) device = json_object_new ();

  json_object_set_string_member (device, "id", device_id);
  json_object_set_string_member (device, "name", device_name);
  self->device = g_steal_pointer (&device);
  self->device_name = g_strdup (device_name);
  gtk_window_set_title (GTK_WINDOW (self), _ ("Add Credential"));
  adw_window_title_set_title (self->window_title, _ ("Add Credential"));
  adw_window_title_set_subtitle (self->window_title, device_name);
  gtk_window_set_focus (GTK_WINDOW (self), GTK_WIDGET (self->generate_check));
  gtk_stack_set_visible_child_name (self->stack, "form");
  fd_provision_window_update (self);
  return self;
}
