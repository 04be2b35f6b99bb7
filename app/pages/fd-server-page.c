/* fd-server-page.c — the "Server" pane: GET /server (addresses, CA, database) and, in
 * fd-server-page-retention.c, how long each workspace keeps its data.
 *
 * Everything here changes slowly, so the pane reads it again each time it is shown rather
 * than following events.
 */
#include "config.h"

#include <glib/gi18n.h>

#include "fd-format.h"
#include "fd-json.h"
#include "fd-server-page-private.h"
#include "fd-ui.h"

G_DEFINE_FINAL_TYPE (FdServerPage, fd_server_page, FD_TYPE_PANE)

static void
fd_server_page_set_row (AdwActionRow *row, const char *value)
{
  adw_action_row_set_subtitle (row, value != NULL && *value != '\0' ? value : _ ("Unknown"));
}

static void
fd_server_page_set_port (AdwActionRow *row, const char *host, JsonObject *object,
                         const char *member)
{
  gint64 port = json_object_get_int_member_with_default (object, member, 0);
  g_autofree char *text = NULL;

  if (port > 0)
    /* TRANSLATORS: a host name and a port */
    text = g_strdup_printf (_ ("%s, port %" G_GINT64_FORMAT), host, port);
  else
    text = g_strdup (_ ("Not listening"));
  fd_server_page_set_row (row, text);
}

static void
fd_server_page_set_size (AdwActionRow *row, JsonObject *database, const char *member)
{
  g_autofree char *text = NULL;

  if (database != NULL && json_object_has_member (database, member))
    text = g_format_size (json_object_get_int_member_with_default (database, member, 0));
  fd_server_page_set_row (row, text);
}

static void
fd_server_page_show_info (FdServerPage *self, JsonObject *info)
{
  const char *public_name = fd_json_get_string (info, "public_name");
  g_autofree char *host = NULL;
  JsonObject *ca = fd_json_get_member_object (info, "ca");
  JsonObject *server_cert = fd_json_get_member_object (info, "server_certificate");
  JsonObject *database = fd_json_get_member_object (info, "database");
  g_autoptr (GUri) uri
      = g_uri_parse (fd_api_client_get_base_url (self->client), G_URI_FLAGS_NONE, NULL);

  /* The name devices are given, else the address the app reaches the server at. */
  if (public_name != NULL && *public_name != '\0')
    host = g_strdup (public_name);
  else
    host = g_strdup (uri != NULL && g_uri_get_host (uri) ? g_uri_get_host (uri) : "localhost");

  fd_server_page_set_port (self->api_row, host, info, "api_port");
  fd_server_page_set_port (self->device_row, host, info, "device_port");
  fd_server_page_set_port (self->mqtt_row, host, info, "mqtt_port");

  if (server_cert != NULL && json_object_has_member (server_cert, "names")
      && JSON_NODE_HOLDS_ARRAY (json_object_get_member (server_cert, "names")))
    {
      JsonArray *names = json_object_get_array_member (server_cert, "names");
      g_autoptr (GString) text = g_string_new (NULL);

      for (guint i = 0; i < json_array_get_length (names); i++)
        {
          const char *name = json_node_get_string (json_array_get_element (names, i));
          if (name != NULL)
            g_string_append_printf (text, "%s%s", text->len > 0 ? ", " : "", name);
        }
      fd_server_page_set_row (self->names_row, text->str);
    }
  else
    fd_server_page_set_row (self->names_row, NULL);

  if (ca != NULL)
    {
      g_autofree char *fingerprint
          = fd_format_fingerprint (fd_json_get_string (ca, "fingerprint"), TRUE);
      g_autofree char *expiry = fd_json_format_time (fd_json_get_string (ca, "not_after"));

      fd_server_page_set_row (self->ca_row, fingerprint);
      fd_server_page_set_row (self->ca_expiry_row, expiry);
    }
  else
    {
      fd_server_page_set_row (self->ca_row, NULL);
      fd_server_page_set_row (self->ca_expiry_row, NULL);
    }

  fd_server_page_set_row (self->path_row,
                          database != NULL ? fd_json_get_string (database, "path") : NULL);
  fd_server_page_set_size (self->size_row, database, "size_bytes");
  fd_server_page_set_size (self->free_row, database, "free_bytes");
  fd_server_page_set_size (self->wal_row, database, "wal_bytes");
}

static void
fd_server_page_info_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (FdServerPage) self = user_data;
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonNode) node = fd_api_client_request_finish (FD_API_CLIENT (source), result, &error);
  JsonObject *info = node != NULL ? fd_json_get_object (node, &error) : NULL;

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  self->loading--;
  if (info == NULL)
    {
      fd_ui_toast_error (GTK_WIDGET (self), error);
      return;
    }
  fd_server_page_show_info (self, info);
}

static void
fd_server_page_workspaces_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (FdServerPage) self = user_data;
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) items
      = fd_api_client_list_all_finish (FD_API_CLIENT (source), result, &error);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  self->loading--;
  if (items == NULL)
    {
      fd_ui_toast_error (GTK_WIDGET (self), error);
      return;
    }
  fd_server_page_set_workspaces (self, items);
}

void
fd_server_page_reload (FdServerPage *self)
{
  g_return_if_fail (FD_IS_SERVER_PAGE (self));

  if (self->client == NULL)
    return;
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();
  self->loading = 2;
  fd_api_client_request_async (self->client, "GET", "/server", NULL, self->cancellable,
                               fd_server_page_info_cb, g_object_ref (self));
  fd_api_client_list_all_async (self->client, "/workspaces", self->cancellable,
                                fd_server_page_workspaces_cb, g_object_ref (self));
}

gboolean
fd_server_page_is_loading (FdServerPage *self)
{
  g_return_val_if_fail (FD_IS_SERVER_PAGE (self), FALSE);
  return self->loading > 0;
}

void
fd_server_page_set_client (FdServerPage *self, FdApiClient *client)
{
  g_return_if_fail (FD_IS_SERVER_PAGE (self));

  g_set_object (&self->client, client);
  if (gtk_widget_get_mapped (GTK_WIDGET (self)))
    fd_server_page_reload (self);
}

static void
fd_server_page_map (GtkWidget *widget)
{
  GTK_WIDGET_CLASS (fd_server_page_parent_class)->map (widget);
  fd_server_page_reload (FD_SERVER_PAGE (widget));
}

static void
fd_server_page_reload_action (GtkWidget *widget, const char *action, GVariant *param)
{
  fd_server_page_reload (FD_SERVER_PAGE (widget));
}

static void
fd_server_page_clean_up_action (GtkWidget *widget, const char *action, GVariant *param)
{
  fd_server_page_clean_up (FD_SERVER_PAGE (widget));
}

static void
fd_server_page_dispose (GObject *object)
{
  FdServerPage *self = FD_SERVER_PAGE (object);

  g_cancellable_cancel (self->cancellable);
  gtk_widget_dispose_template (GTK_WIDGET (self), FD_TYPE_SERVER_PAGE);
  g_clear_pointer (&self->retention_groups, g_ptr_array_unref);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->client);
  G_OBJECT_CLASS (fd_server_page_parent_class)->dispose (object);
}

static void
fd_server_page_class_init (FdServerPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = fd_server_page_dispose;
  widget_class->map = fd_server_page_map;

  gtk_widget_class_set_template_from_resource (
      widget_class, "/io/github/fleetdesk/Fleetdesk/ui/fd-server-page.ui");
  gtk_widget_class_bind_template_child (widget_class, FdServerPage, api_row);
  gtk_widget_class_bind_template_child (widget_class, FdServerPage, device_row);
  gtk_widget_class_bind_template_child (widget_class, FdServerPage, mqtt_row);
  gtk_widget_class_bind_template_child (widget_class, FdServerPage, names_row);
  gtk_widget_class_bind_template_child (widget_class, FdServerPage, ca_row);
  gtk_widget_class_bind_template_child (widget_class, FdServerPage, ca_expiry_row);
  gtk_widget_class_bind_template_child (widget_class, FdServerPage, path_row);
  gtk_widget_class_bind_template_child (widget_class, FdServerPage, size_row);
  gtk_widget_class_bind_template_child (widget_class, FdServerPage, free_row);
  gtk_widget_class_bind_template_child (widget_class, FdServerPage, wal_row);
  gtk_widget_class_bind_template_child (widget_class, FdServerPage, cleanup_button);
  gtk_widget_class_bind_template_child (widget_class, FdServerPage, retention_box);

  gtk_widget_class_install_action (widget_class, "pane.reload", NULL, fd_server_page_reload_action);
  gtk_widget_class_install_action (widget_class, "pane.clean-up", NULL,
                                   fd_server_page_clean_up_action);
}

static void
fd_server_page_init (FdServerPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  self->cancellable = g_cancellable_new ();
  self->retention_groups = g_ptr_array_new ();
}
