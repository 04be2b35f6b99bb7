/* fd-workspaces-page-actions.c — what the user can do on the "Workspaces & Fleets" pane:
 * create, rename and delete workspaces and fleets, each through a dialog and one API call. */
#include "config.h"

#include <glib/gi18n.h>

#include "fd-json.h"
#include "fd-ui.h"
#include "fd-workspaces-page-private.h"

typedef enum
{
  FD_EDIT_CREATE_WORKSPACE,
  FD_EDIT_RENAME_WORKSPACE,
  FD_EDIT_DELETE_WORKSPACE,
  FD_EDIT_CREATE_FLEET,
  FD_EDIT_RENAME_FLEET,
  FD_EDIT_DELETE_FLEET,
} FdEditKind;

/* One edit, from its dialog to the API's answer. */
typedef struct
{
  FdWorkspacesPage *self;
  FdEditKind kind;
  char *id;   /* the workspace or fleet edited; for a new fleet, its workspace */
  char *name; /* the name shown in messages */
  gboolean force;
  AdwEntryRow *name_row;
} FdEdit;

static void
fd_edit_free (FdEdit *edit)
{
  g_object_unref (edit->self);
  g_free (edit->id);
  g_free (edit->name);
  g_free (edit);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (FdEdit, fd_edit_free)

static FdEdit *
fd_edit_new (FdWorkspacesPage *self, FdEditKind kind, const char *id, const char *name)
{
  FdEdit *edit = g_new0 (FdEdit, 1);

  edit->self = g_object_ref (self);
  edit->kind = kind;
  edit->id = g_strdup (id);
  edit->name = g_strdup (name);
  return edit;
}

static char *
fd_edit_dup_done_message (FdEdit *edit)
{
  switch (edit->kind)
    {
    case FD_EDIT_CREATE_WORKSPACE:
      return g_strdup_printf (_ ("Workspace “%s” created"), edit->name);
    case FD_EDIT_RENAME_WORKSPACE:
      return g_strdup_printf (_ ("Workspace renamed to “%s”"), edit->name);
    case FD_EDIT_DELETE_WORKSPACE:
      return g_strdup_printf (_ ("Workspace “%s” deleted"), edit->name);
    case FD_EDIT_CREATE_FLEET:
      return g_strdup_printf (_ ("Fleet “%s” created"), edit->name);
    case FD_EDIT_RENAME_FLEET:
      return g_strdup_printf (_ ("Fleet renamed to “%s”"), edit->name);
    case FD_EDIT_DELETE_FLEET:
      return g_strdup_printf (_ ("Fleet “%s” deleted"), edit->name);
    default:
      g_assert_not_reached ();
    }
}

static void
fd_edit_done_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (FdEdit) edit = user_data;
  FdWorkspacesPage *self = edit->self;
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonNode) node = NULL;
  g_autofree char *message = NULL;
  const char *select_id = NULL;

  node = fd_api_client_request_finish (FD_API_CLIENT (source), result, &error);
  if (error != NULL)
    {
      fd_ui_toast_error (GTK_WIDGET (self), error);
      return;
    }

  if (edit->kind == FD_EDIT_CREATE_WORKSPACE)
    select_id = fd_json_get_string (fd_json_get_object (node, NULL), "id");

  message = fd_edit_dup_done_message (edit);
  fd_ui_toast (GTK_WIDGET (self), message);

  /* Counts, names and their order changed: ask the server rather than guess. */
  fd_workspaces_page_reload (self, select_id); /* and the fleets of the current one */
  fd_workspaces_page_emit_changed (self);
}

static void
fd_edit_send (FdEdit *edit)
{
  FdWorkspacesPage *self = edit->self;
  g_autoptr (JsonBuilder) builder = json_builder_new ();
  g_autoptr (JsonNode) body = NULL;
  g_autoptr (GString) path = NULL;
  g_autofree char *base = NULL;
  const char *method;

  switch (edit->kind)
    {
    case FD_EDIT_CREATE_WORKSPACE:
      method = "POST", base = g_strdup ("/workspaces");
      break;
    case FD_EDIT_RENAME_WORKSPACE:
      method = "PATCH", base = fd_api_path ("workspaces", edit->id, NULL);
      break;
    case FD_EDIT_DELETE_WORKSPACE:
      method = "DELETE", base = fd_api_path ("workspaces", edit->id, NULL);
      break;
    case FD_EDIT_CREATE_FLEET:
      method = "POST", base = fd_api_path ("workspaces", edit->id, "fleets", NULL);
      break;
    case FD_EDIT_RENAME_FLEET:
      method = "PATCH", base = fd_api_path ("fleets", edit->id, NULL);
      break;
    case FD_EDIT_DELETE_FLEET:
      method = "DELETE", base = fd_api_path ("fleets", edit->id, NULL);
      break;
    default:
      g_assert_not_reached ();
    }

  path = g_string_new (base);
  if (g_str_equal (method, "DELETE"))
    {
      if (edit->force)
        fd_api_path_add_query (path, "force", "true");
    }
  else
    {
      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "name");
      json_builder_add_string_value (builder, edit->name);
      json_builder_end_object (builder);
      body = json_builder_get_root (builder);
    }

  fd_api_client_request_async (self->client, method, path->str, body, self->cancellable,
                               fd_edit_done_cb, edit);
}

static void
fd_edit_response_cb (AdwMessageDialog *dialog, const char *response, FdEdit *edit)
{
  /* Without a client the page was disposed while the dialog was open. */
  if (g_strcmp0 (response, "accept") != 0 || edit->self->client == NULL)
    {
      fd_edit_free (edit);
      return;
    }

  if (edit->name_row != NULL)
    {
      g_free (edit->name);
      edit->name = fd_ui_dup_trimmed_text (GTK_EDITABLE (edit->name_row));
    }
  fd_edit_send (edit);
}

static void
fd_edit_ask (FdEdit *edit, AdwMessageDialog *dialog)
{
  g_signal_connect (dialog, "response", G_CALLBACK (fd_edit_response_cb), edit);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
fd_workspaces_page_new_workspace (GtkWidget *widget, const char *action, GVariant *param)
{
  FdWorkspacesPage *self = FD_WORKSPACES_PAGE (widget);
  FdEdit *edit;

  if (self->client == NULL)
    return;

  edit = fd_edit_new (self, FD_EDIT_CREATE_WORKSPACE, NULL, NULL);
  fd_edit_ask (edit, fd_ui_name_dialog_new (widget, _ ("New Workspace"),
                                            _ ("A workspace holds fleets of devices. It starts "
                                               "with a default fleet."),
                                            NULL, _ ("C_reate"), NULL, &edit->name_row));
}

static void
fd_workspaces_page_rename_workspace (GtkWidget *widget, const char *action, GVariant *param)
{
  FdWorkspacesPage *self = FD_WORKSPACES_PAGE (widget);
  FdWorkspace *workspace
      = fd_workspaces_page_find_workspace (self, g_variant_get_string (param, NULL));
  FdEdit *edit;

  if (workspace == NULL)
    return;

  edit = fd_edit_new (self, FD_EDIT_RENAME_WORKSPACE, fd_workspace_get_id (workspace), NULL);
  fd_edit_ask (edit, fd_ui_name_dialog_new (widget, _ ("Rename Workspace"), NULL,
                                            fd_workspace_get_name (workspace), _ ("_Rename"), NULL,
                                            &edit->name_row));
}

static void
fd_workspaces_page_delete_workspace (GtkWidget *widget, const char *action, GVariant *param)
{
  FdWorkspacesPage *self = FD_WORKSPACES_PAGE (widget);
  FdWorkspace *workspace
      = fd_workspaces_page_find_workspace (self, g_variant_get_string (param, NULL));
  g_autofree char *heading = NULL;
  g_autofree char *body = NULL;
  guint devices, fleets;
  FdEdit *edit;

  if (workspace == NULL)
    return;

  devices = fd_workspace_get_device_count (workspace);
  fleets = fd_workspace_get_fleet_count (workspace);
  heading = g_strdup_printf (_ ("Delete Workspace “%s”?"), fd_workspace_get_name (workspace));
  if (devices > 0)
    {
      g_autofree char *devices_text = g_strdup_printf (
          g_dngettext (GETTEXT_PACKAGE, "%'u device", "%'u devices", devices), devices);
      g_autofree char *fleets_text = g_strdup_printf (
          g_dngettext (GETTEXT_PACKAGE, "%u fleet", "%u fleets", fleets), fleets);

      /* TRANSLATORS: "Its 3 fleets and 120 devices, with their credentials…" */
      body = g_strdup_printf (_ ("Its %s and %s, with their credentials, will be deleted too. This "
                                 "cannot be undone."),
                              fleets_text, devices_text);
    }
  else
    body = g_strdup (_ ("Its fleets will be deleted too. This cannot be undone."));

  edit = fd_edit_new (self, FD_EDIT_DELETE_WORKSPACE, fd_workspace_get_id (workspace),
                      fd_workspace_get_name (workspace));
  edit->force = devices > 0;
  fd_edit_ask (edit, fd_ui_confirm_dialog_new (widget, heading, body, _ ("_Delete")));
}

static void
fd_workspaces_page_new_fleet (GtkWidget *widget, const char *action, GVariant *param)
{
  FdWorkspacesPage *self = FD_WORKSPACES_PAGE (widget);
  g_autofree char *body = NULL;
  FdEdit *edit;

  if (self->workspace == NULL)
    return;

  body = g_strdup_printf (_ ("The fleet will belong to workspace “%s”."),
                          fd_workspace_get_name (self->workspace));
  edit = fd_edit_new (self, FD_EDIT_CREATE_FLEET, fd_workspace_get_id (self->workspace), NULL);
  fd_edit_ask (edit, fd_ui_name_dialog_new (widget, _ ("New Fleet"), body, NULL, _ ("C_reate"),
                                            NULL, &edit->name_row));
}

static void
fd_workspaces_page_rename_fleet (GtkWidget *widget, const char *action, GVariant *param)
{
  FdWorkspacesPage *self = FD_WORKSPACES_PAGE (widget);
  FdFleet *fleet = fd_workspaces_page_find_fleet (self, g_variant_get_string (param, NULL));
  FdEdit *edit;

  if (fleet == NULL)
    return;

  edit = fd_edit_new (self, FD_EDIT_RENAME_FLEET, fd_fleet_get_id (fleet), NULL);
  fd_edit_ask (edit,
               fd_ui_name_dialog_new (widget, _ ("Rename Fleet"), NULL, fd_fleet_get_name (fleet),
                                      _ ("_Rename"), NULL, &edit->name_row));
}

static void
fd_workspaces_page_delete_fleet (GtkWidget *widget, const char *action, GVariant *param)
{
  FdWorkspacesPage *self = FD_WORKSPACES_PAGE (widget);
  FdFleet *fleet = fd_workspaces_page_find_fleet (self, g_variant_get_string (param, NULL));
  g_autofree char *heading = NULL;
  g_autofree char *body = NULL;
  guint devices;
  FdEdit *edit;

  if (fleet == NULL || fd_fleet_get_is_default (fleet))
    return;

  devices = fd_fleet_get_device_count (fleet);
  heading = g_strdup_printf (_ ("Delete Fleet “%s”?"), fd_fleet_get_name (fleet));
  if (devices > 0)
    body = g_strdup_printf (
        g_dngettext (GETTEXT_PACKAGE,
                     "Its %'u device, with its credentials, will be deleted too. "
                     "This cannot be undone.",
                     "Its %'u devices, with their credentials, will be deleted "
                     "too. This cannot be undone.",
                     devices),
        devices);
  else
    body = g_strdup (_ ("The fleet has no devices. This cannot be undone."));

  edit = fd_edit_new (self, FD_EDIT_DELETE_FLEET, fd_fleet_get_id (fleet),
                      fd_fleet_get_name (fleet));
  edit->force = devices > 0;
  fd_edit_ask (edit, fd_ui_confirm_dialog_new (widget, heading, body, _ ("_Delete")));
}

static void
fd_workspaces_page_toggle_search (GtkWidget *widget, const char *action, GVariant *param)
{
  FdWorkspacesPage *self = FD_WORKSPACES_PAGE (widget);
  gboolean enabled = !gtk_search_bar_get_search_mode (self->search_bar);

  gtk_search_bar_set_search_mode (self->search_bar, enabled);
  if (enabled)
    gtk_widget_grab_focus (GTK_WIDGET (self->search_entry));
}

static void
fd_workspaces_page_retry (GtkWidget *widget, const char *action, GVariant *param)
{
  fd_workspaces_page_reload (FD_WORKSPACES_PAGE (widget), NULL);
}

void
fd_workspaces_page_class_init_actions (GtkWidgetClass *widget_class)
{
  /* "pane.primary" and "pane.search" are what the window's Ctrl+N and Ctrl+F activate. */
  gtk_widget_class_install_action (widget_class, "pane.primary", NULL,
                                   fd_workspaces_page_new_workspace);
  gtk_widget_class_install_action (widget_class, "pane.search", NULL,
                                   fd_workspaces_page_toggle_search);
  gtk_widget_class_install_action (widget_class, "pane.reload", NULL, fd_workspaces_page_retry);
  gtk_widget_class_install_action (widget_class, "pane.rename-workspace", "s",
                                   fd_workspaces_page_rename_workspace);
  gtk_widget_class_install_action (widget_class, "pane.delete-workspace", "s",
                                   fd_workspaces_page_delete_workspace);
  gtk_widget_class_install_action (widget_class, "pane.new-fleet", NULL,
                                   fd_workspaces_page_new_fleet);
  gtk_widget_class_install_action (widget_class, "pane.rename-fleet", "s",
                                   fd_workspaces_page_rename_fleet);
  gtk_widget_class_install_action (widget_class, "pane.delete-fleet", "s",
                                   fd_workspaces_page_delete_fleet);
}
