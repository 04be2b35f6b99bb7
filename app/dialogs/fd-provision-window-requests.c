/* fd-provision-window-requests.c — the requests of "Add Device" and "Add Credential".
 *
 * Adding a device is two requests: POST /workspaces/{id}/devices, then POST
 * /devices/{id}/credentials. If the first fails nothing exists and the form shows why; if the
 * second fails the device exists without a credential, and the window says exactly that and
 * offers to send the credential again for that device (never the device again).
 */
#include "config.h"

#include <glib/gi18n.h>

#include "fd-fleet.h"
#include "fd-json.h"
#include "fd-provision-window-private.h"
#include "fd-ui.h"

/* The credential request for the form as it is now. */
static JsonNode *
fd_provision_window_credential_body (FdProvisionWindow *self)
{
  g_autoptr (JsonBuilder) builder = json_builder_new ();

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "kind");
  switch (self->method)
    {
    case FD_PROVISION_GENERATE:
      json_builder_add_string_value (builder, "generated");
      break;
    case FD_PROVISION_OWN:
      {
        const char *kind = self->pem_kind == FD_PEM_CSR ? "csr" : "certificate";

        json_builder_add_string_value (builder, kind);
        json_builder_set_member_name (builder, kind);
        json_builder_add_string_value (builder, self->pem_text);
      }
      break;
    case FD_PROVISION_KEY:
      json_builder_add_string_value (builder, "key");
      json_builder_set_member_name (builder, "mode");
      json_builder_add_string_value (builder, adw_combo_row_get_selected (self->mode_row) == 1
                                                  ? "cloud_token"
                                                  : "device_token");
      break;
    default:
      g_assert_not_reached ();
    }
  json_builder_end_object (builder);
  return json_builder_get_root (builder);
}

/* What went wrong with the credential, in words for the person who asked for it. */
static char *
fd_provision_window_describe_error (FdProvisionWindow *self, const GError *error,
                                    JsonObject *details)
{
  const char *field = fd_json_get_string (details, "field");
  const char *message = error->message;
  gboolean file = self->method == FD_PROVISION_OWN;
  const char *what
      = self->pem_kind == FD_PEM_CSR ? _ ("certificate signing request") : _ ("certificate");

  if (file && g_error_matches (error, FD_API_ERROR, FD_API_ERROR_CONFLICT))
    return g_strdup_printf (_ ("The certificate in “%s” already identifies a device. A "
                               "certificate can belong to only one live credential: revoke "
                               "the other one first, or use another certificate."),
                            self->pem_name);

  if (file && g_error_matches (error, FD_API_ERROR, FD_API_ERROR_INVALID_FIELD)
      && (g_strcmp0 (field, "csr") == 0 || g_strcmp0 (field, "certificate") == 0))
    {
      /* The API says "certificate: the certificate has expired": drop the field name. */
      g_autofree char *prefix = g_strconcat (field, ": ", NULL);

      if (g_str_has_prefix (message, prefix))
        message += strlen (prefix);
      /* TRANSLATORS: the first %s is "certificate" or "certificate signing request", the
       * second the file's name, the last the server's reason */
      return g_strdup_printf (_ ("Fleetdesk did not accept the %s in “%s”: %s."), what,
                              self->pem_name, message);
    }

  return g_strdup (message);
}

static void
fd_provision_window_credential_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (FdProvisionWindow) self = user_data;
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonNode) node = fd_api_client_request_finish (FD_API_CLIENT (source), result, &error);
  JsonObject *object = error == NULL ? fd_json_get_object (node, &error) : NULL;
  g_autofree char *message = NULL;

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  if (object == NULL)
    {
      message = fd_provision_window_describe_error (self, error,
                                                    fd_api_client_get_error_details (result));
      /* Adding a device: it exists now, without a credential. */
      if (self->workspace_id != NULL)
        fd_provision_window_show_failed (self, message);
      else
        fd_provision_window_show_form_error (self, message);
      return;
    }

  g_clear_pointer (&self->credential, json_object_unref);
  self->credential = json_object_ref (object);
  fd_provision_window_show_done (self);
  fd_provision_window_emit_credential_added (self);
}

static void
fd_provision_window_send_credential (FdProvisionWindow *self)
{
  g_autoptr (JsonNode) body = fd_provision_window_credential_body (self);
  g_autofree char *path
      = fd_api_path ("devices", fd_json_get_string (self->device, "id"), "credentials", NULL);

  adw_status_page_set_title (
      self->working_page, self->method == FD_PROVISION_GENERATE ? _ ("Generating the Certificate…")
                          : self->method == FD_PROVISION_KEY    ? _ ("Creating the Device Key…")
                                                             : _ ("Registering the Certificate…"));
  gtk_stack_set_visible_child_name (self->stack, "working");
  fd_provision_window_update (self);
  fd_api_client_request_async (self->client, "POST", path, body, self->cancellable,
                               fd_provision_window_credential_cb, g_object_ref (self));
}

static void
fd_provision_window_device_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (FdProvisionWindow) self = user_data;
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonNode) node = fd_api_client_request_finish (FD_API_CLIENT (source), result, &error);
  JsonObject *object = error == NULL ? fd_json_get_object (node, &error) : NULL;

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  if (object == NULL || fd_json_get_string (object, "id") == NULL)
    {
      g_autofree char *message = NULL;

      /* Nothing was made: the form says why, and the user fixes it there. */
      if (g_error_matches (error, FD_API_ERROR, FD_API_ERROR_CONFLICT))
        message = g_strdup_printf (_ ("The workspace already has a device named “%s”. Choose "
                                      "another name."),
                                   self->device_name);
      else
        message = g_strdup_printf (_ ("The device was not added: %s"),
                                   error != NULL ? error->message : _ ("no device id"));
      fd_provision_window_show_form_error (self, message);
      if (g_error_matches (error, FD_API_ERROR, FD_API_ERROR_CONFLICT))
        gtk_widget_grab_focus (GTK_WIDGET (self->name_row));
      return;
    }

  self->device = json_object_ref (object);
  g_free (self->device_name);
  self->device_name = g_strdup (fd_json_get_string (object, "name"));
  fd_provision_window_emit_device_added (self);
  fd_provision_window_send_credential (self);
}

void
fd_provision_window_submit (FdProvisionWindow *self)
{
  g_autoptr (JsonBuilder) builder = NULL;
  g_autoptr (JsonNode) body = NULL;
  g_autofree char *path = NULL;
  gpointer fleet;

  self->method = fd_provision_window_get_method (self);
  fd_provision_window_show_form_error (self, NULL);

  if (self->workspace_id == NULL)
    {
      fd_provision_window_send_credential (self);
      return;
    }

  g_free (self->device_name);
  self->device_name = fd_ui_dup_trimmed_text (GTK_EDITABLE (self->name_row));
  fleet = adw_combo_row_get_selected_item (self->fleet_row);

  builder = json_builder_new ();
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "name");
  json_builder_add_string_value (builder, self->device_name);
  if (FD_IS_FLEET (fleet) && fd_fleet_get_id (fleet) != NULL)
    {
      json_builder_set_member_name (builder, "fleet_id");
      json_builder_add_string_value (builder, fd_fleet_get_id (fleet));
    }
  json_builder_end_object (builder);
  body = json_builder_get_root (builder);
  path = fd_api_path ("workspaces", self->workspace_id, "devices", NULL);

  adw_status_page_set_title (self->working_page, _ ("Adding the Device…"));
  gtk_stack_set_visible_child_name (self->stack, "working");
  fd_provision_window_update (self);
  fd_api_client_request_async (self->client, "POST", path, body, self->cancellable,
                               fd_provision_window_device_cb, g_object_ref (self));
}

void
fd_provision_window_retry (FdProvisionWindow *self)
{
  g_return_if_fail (self->device != NULL);

  self->method = fd_provision_window_get_method (self);
  if (self->method == FD_PROVISION_OWN && self->pem_text == NULL)
    return; /* the file could not be read: its error is shown, choose another */
  fd_provision_window_send_credential (self);
}
