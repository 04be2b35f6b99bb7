/* fd-workspaces-page.c — the "Workspaces & Fleets" pane.
 *
 * Workspaces and fleets are few (tens, not thousands), so both are boxed lists of rows with
 * their actions on them. The page owns the list of workspaces that the window's workspace
 * switcher shows and the notion of the current workspace: choosing a workspace here or in the
 * switcher is the same thing.
 */
#include "config.h"

#include <glib/gi18n.h>

#include "fd-fleet.h"
#include "fd-json.h"
#include "fd-ui.h"
#include "fd-workspaces-page.h"
#include "fd-workspaces-page-private.h"

G_DEFINE_FINAL_TYPE (FdWorkspacesPage, fd_workspaces_page, FD_TYPE_PANE)

enum
{
  PROP_0,
  PROP_WORKSPACE,
  PROP_WORKSPACES,
  N_PROPS
};

enum
{
  CHANGED,
  LOADED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

/* Workspaces */

static void
fd_workspaces_page_update_view (FdWorkspacesPage *self)
{
  const char *page = "list";

  if (self->client == NULL || self->loading)
    page = "loading";
  else if (self->load_error != NULL)
    page = "error";
  else if (g_list_model_get_n_items (G_LIST_MODEL (self->workspaces)) == 0)
    page = "empty";

  if (self->load_error != NULL)
    adw_status_page_set_description (self->error_page, self->load_error);
  gtk_stack_set_visible_child_name (self->stack, page);
}

static FdWorkspace *
fd_workspaces_page_find (FdWorkspacesPage *self, const char *id)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->workspaces));

  for (guint i = 0; id != NULL && i < n; i++)
    {
      g_autoptr (FdWorkspace) workspace
          = g_list_model_get_item (G_LIST_MODEL (self->workspaces), i);

      if (g_strcmp0 (fd_workspace_get_id (workspace), id) == 0)
        return workspace; /* the store keeps it alive */
    }
  return NULL;
}

/* Replaces the store's content by @objects, keeping the FdWorkspace of every known id. */
static void
fd_workspaces_page_merge (FdWorkspacesPage *self, GPtrArray *objects)
{
  g_autoptr (GPtrArray) merged = g_ptr_array_new_with_free_func (g_object_unref);

  for (guint i = 0; i < objects->len; i++)
    {
      JsonObject *object = g_ptr_array_index (objects, i);
      FdWorkspace *known = fd_workspaces_page_find (self, fd_json_get_string (object, "id"));

      if (known != NULL)
        {
          fd_workspace_update_from_json (known, object);
          g_ptr_array_add (merged, g_object_ref (known));
        }
      else
        {
          FdWorkspace *workspace = fd_workspace_new_from_json (object);
          if (workspace != NULL)
            g_ptr_array_add (merged, workspace);
        }
    }

  g_list_store_splice (self->workspaces, 0,
                       g_list_model_get_n_items (G_LIST_MODEL (self->workspaces)), merged->pdata,
                       merged->len);
}

typedef struct
{
  FdWorkspacesPage *self;
  char *select_id;    /* workspaces: the one to make current */
  char *workspace_id; /* fleets: whose */
} FdLoad;

static FdLoad *
fd_load_new (FdWorkspacesPage *self, const char *select_id, const char *workspace_id)
{
  FdLoad *load = g_new0 (FdLoad, 1);

  load->self = g_object_ref (self);
  load->select_id = g_strdup (select_id);
  load->workspace_id = g_strdup (workspace_id);
  return load;
}

static void
fd_load_free (FdLoad *load)
{
  g_object_unref (load->self);
  g_free (load->select_id);
  g_free (load->workspace_id);
  g_free (load);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (FdLoad, fd_load_free)

static void
fd_workspaces_page_load_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (FdLoad) load = user_data;
  FdWorkspacesPage *self = load->self;
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) items = NULL;
  FdWorkspace *select;

  items = fd_api_client_list_all_finish (FD_API_CLIENT (source), result, &error);
  if (items == NULL)
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;

      g_signal_emit (self, signals[LOADED], 0, error);
      self->loading = FALSE;
      if (g_list_model_get_n_items (G_LIST_MODEL (self->workspaces)) == 0)
        {
          g_free (self->load_error);
          self->load_error = g_strdup (error->message);
        }
      else
        fd_ui_toast_error (GTK_WIDGET (self), error);
      fd_workspaces_page_update_view (self);
      return;
    }

  self->loading = FALSE;
  g_clear_pointer (&self->load_error, g_free);
  fd_workspaces_page_merge (self, items);

  select = fd_workspaces_page_find (self, load->select_id);
  if (select == NULL && self->workspace != NULL)
    select = fd_workspaces_page_find (self, fd_workspace_get_id (self->workspace));
  if (select == NULL && g_list_model_get_n_items (G_LIST_MODEL (self->workspaces)) > 0)
    {
      g_autoptr (FdWorkspace) first = g_list_model_get_item (G_LIST_MODEL (self->workspaces), 0);
      select = first;
    }
  if (select == self->workspace)
    fd_workspaces_page_reload_fleets (self); /* their counts may have changed too */
  else
    fd_workspaces_page_set_workspace (self, select);
  fd_workspaces_page_update_view (self);
  g_signal_emit (self, signals[LOADED], 0, NULL);
}

void
fd_workspaces_page_reload (FdWorkspacesPage *self, const char *select_id)
{
  g_return_if_fail (FD_IS_WORKSPACES_PAGE (self));

  if (self->client == NULL)
    return;

  if (g_list_model_get_n_items (G_LIST_MODEL (self->workspaces)) == 0)
    self->loading = TRUE;
  fd_workspaces_page_update_view (self);
  fd_api_client_list_all_async (self->client, "/workspaces", self->cancellable,
                                fd_workspaces_page_load_cb, fd_load_new (self, select_id, NULL));
}

/* Fleets */

static void
fd_workspaces_page_fleets_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (FdLoad) load = user_data;
  FdWorkspacesPage *self = load->self;
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) items = NULL;
  g_autoptr (GPtrArray) fleets = g_ptr_array_new_with_free_func (g_object_unref);

  items = fd_api_client_list_all_finish (FD_API_CLIENT (source), result, &error);
  if (items == NULL)
    {
      fd_ui_toast_error (GTK_WIDGET (self), error);
      return;
    }

  /* The user may have switched workspace while this was on its way. */
  if (self->workspace == NULL
      || g_strcmp0 (fd_workspace_get_id (self->workspace), load->workspace_id) != 0)
    return;

  for (guint i = 0; i < items->len; i++)
    {
      FdFleet *fleet = fd_fleet_new_from_json (g_ptr_array_index (items, i));
      if (fleet != NULL)
        g_ptr_array_add (fleets, fleet);
    }
  g_list_store_splice (self->fleets, 0, g_list_model_get_n_items (G_LIST_MODEL (self->fleets)),
                       fleets->pdata, fleets->len);
}

void
fd_workspaces_page_reload_fleets (FdWorkspacesPage *self)
{
  const char *id;
  g_autofree char *path = NULL;

  if (self->client == NULL || self->workspace == NULL)
    {
      g_list_store_remove_all (self->fleets);
      return;
    }

  id = fd_workspace_get_id (self->workspace);
  path = fd_api_path ("workspaces", id, "fleets", NULL);
  fd_api_client_list_all_async (self->client, path, self->cancellable, fd_workspaces_page_fleets_cb,
                                fd_load_new (self, NULL, id));
}

FdFleet *
fd_workspaces_page_find_fleet (FdWorkspacesPage *self, const char *id)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->fleets));

  for (guint i = 0; id != NULL && i < n; i++)
    {
      g_autoptr (FdFleet) fleet = g_list_model_get_item (G_LIST_MODEL (self->fleets), i);

      if (g_strcmp0 (fd_fleet_get_id (fleet), id) == 0)
        return fleet;
    }
  return NULL;
}

FdWorkspace *
fd_workspaces_page_find_workspace (FdWorkspacesPage *self, const char *id)
{
  return fd_workspaces_page_find (self, id);
}

void
fd_workspaces_page_emit_changed (FdWorkspacesPage *self)
{
  g_signal_emit (self, signals[CHANGED], 0);
}

/* Rows */

static void
fd_workspaces_page_update_marks (FdWorkspacesPage *self)
{
  g_autofree char *title = NULL;

  for (GtkWidget *row = gtk_widget_get_first_child (GTK_WIDGET (self->workspace_list)); row != NULL;
       row = gtk_widget_get_next_sibling (row))
    {
      GtkWidget *mark = g_object_get_data (G_OBJECT (row), "fd-mark");
      if (mark != NULL)
        gtk_widget_set_opacity (mark, g_object_get_data (G_OBJECT (row), "fd-workspace")
                                          == (gpointer)self->workspace);
    }

  if (self->workspace != NULL)
    /* TRANSLATORS: the heading of the fleets of a workspace */
    title = g_strdup_printf (_ ("Fleets of “%s”"), fd_workspace_get_name (self->workspace));
  adw_preferences_group_set_title (self->fleets_group, title != NULL ? title : _ ("Fleets"));
  gtk_widget_set_visible (GTK_WIDGET (self->fleets_group), self->workspace != NULL);
}

/* A flat icon button on a row; @label names the action and the row for screen readers. */
static GtkWidget *
fd_workspaces_page_row_button (const char *icon_name, const char *tooltip, const char *label,
                               const char *action, const char *id)
{
  GtkWidget *button = gtk_button_new_from_icon_name (icon_name);

  gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
  gtk_widget_add_css_class (button, "flat");
  gtk_widget_set_tooltip_text (button, tooltip);
  gtk_accessible_update_property (GTK_ACCESSIBLE (button), GTK_ACCESSIBLE_PROPERTY_LABEL, label,
                                  -1);
  gtk_actionable_set_action_name (GTK_ACTIONABLE (button), action);
  gtk_actionable_set_action_target (GTK_ACTIONABLE (button), "s", id);
  return button;
}

static GtkWidget *
fd_workspaces_page_create_workspace_row (gpointer item, gpointer user_data)
{
  FdWorkspacesPage *self = user_data;
  FdWorkspace *workspace = item;
  const char *id = fd_workspace_get_id (workspace);
  GtkWidget *row = adw_action_row_new ();
  GtkWidget *mark = gtk_image_new_from_icon_name ("object-select-symbolic");
  g_autofree char *rename_label
      = g_strdup_printf (_ ("Rename Workspace “%s”"), fd_workspace_get_name (workspace));
  g_autofree char *delete_label
      = g_strdup_printf (_ ("Delete Workspace “%s”"), fd_workspace_get_name (workspace));

  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  g_object_bind_property (workspace, "name", row, "title", G_BINDING_SYNC_CREATE);
  g_object_bind_property (workspace, "summary", row, "subtitle", G_BINDING_SYNC_CREATE);
  gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), TRUE);
  gtk_widget_set_tooltip_text (row, _ ("Make this the current workspace"));

  gtk_widget_set_opacity (mark, workspace == self->workspace);
  adw_action_row_add_prefix (ADW_ACTION_ROW (row), mark);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row),
                             fd_workspaces_page_row_button ("document-edit-symbolic",
                                                            C_ ("action", "Rename"), rename_label,
                                                            "pane.rename-workspace", id));
  adw_action_row_add_suffix (ADW_ACTION_ROW (row),
                             fd_workspaces_page_row_button ("user-trash-symbolic",
                                                            C_ ("action", "Delete"), delete_label,
                                                            "pane.delete-workspace", id));

  g_object_set_data_full (G_OBJECT (row), "fd-workspace", g_object_ref (workspace), g_object_unref);
  g_object_set_data (G_OBJECT (row), "fd-mark", mark);
  return row;
}

static GtkWidget *
fd_workspaces_page_create_fleet_row (gpointer item, gpointer user_data)
{
  FdFleet *fleet = item;
  const char *id = fd_fleet_get_id (fleet);
  GtkWidget *row = adw_action_row_new ();
  GtkWidget *delete;
  g_autofree char *rename_label
      = g_strdup_printf (_ ("Rename Fleet “%s”"), fd_fleet_get_name (fleet));
  g_autofree char *delete_label
      = g_strdup_printf (_ ("Delete Fleet “%s”"), fd_fleet_get_name (fleet));

  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  g_object_bind_property (fleet, "name", row, "title", G_BINDING_SYNC_CREATE);
  g_object_bind_property (fleet, "summary", row, "subtitle", G_BINDING_SYNC_CREATE);

  adw_action_row_add_suffix (ADW_ACTION_ROW (row),
                             fd_workspaces_page_row_button ("document-edit-symbolic",
                                                            C_ ("action", "Rename"), rename_label,
                                                            "pane.rename-fleet", id));
  delete = fd_workspaces_page_row_button ("user-trash-symbolic", C_ ("action", "Delete"),
                                          delete_label, "pane.delete-fleet", id);
  if (fd_fleet_get_is_default (fleet))
    {
      /* An insensitive button shows no tooltip; say why it cannot be deleted on the row. */
      gtk_actionable_set_action_name (GTK_ACTIONABLE (delete), NULL);
      gtk_widget_set_sensitive (delete, FALSE);
      gtk_widget_set_tooltip_text (row, _ ("New devices go to the default fleet; it cannot be "
                                           "deleted"));
    }
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), delete);
  return row;
}

static void
fd_workspaces_page_row_activated_cb (FdWorkspacesPage *self, GtkListBoxRow *row)
{
  FdWorkspace *workspace = g_object_get_data (G_OBJECT (row), "fd-workspace");

  if (workspace != NULL)
    fd_workspaces_page_set_workspace (self, workspace);
}

static void
fd_workspaces_page_search_changed_cb (FdWorkspacesPage *self, GtkSearchEntry *entry)
{
  gtk_string_filter_set_search (self->filter, gtk_editable_get_text (GTK_EDITABLE (entry)));
}

/* Properties */

void
fd_workspaces_page_set_client (FdWorkspacesPage *self, FdApiClient *client)
{
  g_return_if_fail (FD_IS_WORKSPACES_PAGE (self));

  if (!g_set_object (&self->client, client))
    return;

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();
  fd_workspaces_page_update_view (self);
}

GListModel *
fd_workspaces_page_get_workspaces (FdWorkspacesPage *self)
{
  g_return_val_if_fail (FD_IS_WORKSPACES_PAGE (self), NULL);
  return G_LIST_MODEL (self->workspaces);
}

GListModel *
fd_workspaces_page_get_fleets (FdWorkspacesPage *self)
{
  g_return_val_if_fail (FD_IS_WORKSPACES_PAGE (self), NULL);
  return G_LIST_MODEL (self->fleets);
}

FdWorkspace *
fd_workspaces_page_get_workspace (FdWorkspacesPage *self)
{
  g_return_val_if_fail (FD_IS_WORKSPACES_PAGE (self), NULL);
  return self->workspace;
}

void
fd_workspaces_page_set_workspace (FdWorkspacesPage *self, FdWorkspace *workspace)
{
  g_return_if_fail (FD_IS_WORKSPACES_PAGE (self));

  if (self->workspace != NULL)
    g_signal_handlers_disconnect_by_func (self->workspace, fd_workspaces_page_update_marks, self);
  if (!g_set_object (&self->workspace, workspace))
    return;
  if (workspace != NULL)
    g_signal_connect_object (workspace, "notify::name",
                             G_CALLBACK (fd_workspaces_page_update_marks), self, G_CONNECT_SWAPPED);

  fd_workspaces_page_update_marks (self);
  g_list_store_remove_all (self->fleets);
  fd_workspaces_page_reload_fleets (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_WORKSPACE]);
}

static void
fd_workspaces_page_dispose (GObject *object)
{
  FdWorkspacesPage *self = FD_WORKSPACES_PAGE (object);

  g_cancellable_cancel (self->cancellable);
  gtk_widget_dispose_template (GTK_WIDGET (self), FD_TYPE_WORKSPACES_PAGE);
  g_clear_object (&self->client);
  g_clear_object (&self->workspace);

  G_OBJECT_CLASS (fd_workspaces_page_parent_class)->dispose (object);
}

static void
fd_workspaces_page_finalize (GObject *object)
{
  FdWorkspacesPage *self = FD_WORKSPACES_PAGE (object);

  g_clear_object (&self->cancellable);
  g_clear_object (&self->workspaces);
  g_clear_object (&self->fleets);
  g_clear_object (&self->filter);
  g_free (self->load_error);

  G_OBJECT_CLASS (fd_workspaces_page_parent_class)->finalize (object);
}

static void
fd_workspaces_page_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  FdWorkspacesPage *self = FD_WORKSPACES_PAGE (object);

  switch (prop_id)
    {
    case PROP_WORKSPACE:
      g_value_set_object (value, self->workspace);
      break;
    case PROP_WORKSPACES:
      g_value_set_object (value, self->workspaces);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
fd_workspaces_page_set_property (GObject *object, guint prop_id, const GValue *value,
                                 GParamSpec *pspec)
{
  FdWorkspacesPage *self = FD_WORKSPACES_PAGE (object);

  switch (prop_id)
    {
    case PROP_WORKSPACE:
      fd_workspaces_page_set_workspace (self, g_value_get_object (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
fd_workspaces_page_class_init (FdWorkspacesPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = fd_workspaces_page_dispose;
  object_class->finalize = fd_workspaces_page_finalize;
  object_class->get_property = fd_workspaces_page_get_property;
  object_class->set_property = fd_workspaces_page_set_property;

  properties[PROP_WORKSPACE]
      = g_param_spec_object ("workspace", NULL, NULL, FD_TYPE_WORKSPACE,
                             G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_WORKSPACES] = g_param_spec_object ("workspaces", NULL, NULL, G_TYPE_LIST_MODEL,
                                                     G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /* Workspaces or fleets were created, renamed or deleted here. */
  signals[CHANGED] = g_signal_new ("changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL,
                                   NULL, NULL, G_TYPE_NONE, 0);
  /* A reload finished: with NULL, or with the GError that stopped it. */
  signals[LOADED] = g_signal_new ("loaded", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL,
                                  NULL, NULL, G_TYPE_NONE, 1, G_TYPE_ERROR);

  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/fleetdesk/Fleetdesk/ui/"
                                                             "fd-workspaces-page.ui");
  gtk_widget_class_bind_template_child (widget_class, FdWorkspacesPage, primary_button);
  gtk_widget_class_bind_template_child (widget_class, FdWorkspacesPage, stack);
  gtk_widget_class_bind_template_child (widget_class, FdWorkspacesPage, error_page);
  gtk_widget_class_bind_template_child (widget_class, FdWorkspacesPage, search_bar);
  gtk_widget_class_bind_template_child (widget_class, FdWorkspacesPage, search_entry);
  gtk_widget_class_bind_template_child (widget_class, FdWorkspacesPage, workspace_list);
  gtk_widget_class_bind_template_child (widget_class, FdWorkspacesPage, fleets_group);
  gtk_widget_class_bind_template_child (widget_class, FdWorkspacesPage, fleet_list);
  gtk_widget_class_bind_template_callback (widget_class, fd_workspaces_page_row_activated_cb);
  gtk_widget_class_bind_template_callback (widget_class, fd_workspaces_page_search_changed_cb);

  fd_workspaces_page_class_init_actions (widget_class);
}

static void
fd_workspaces_page_init (FdWorkspacesPage *self)
{
  g_autoptr (GtkFilterListModel) filtered = NULL;

  gtk_widget_init_template (GTK_WIDGET (self));

  self->cancellable = g_cancellable_new ();
  self->workspaces = g_list_store_new (FD_TYPE_WORKSPACE);
  self->fleets = g_list_store_new (FD_TYPE_FLEET);
  self->filter
      = gtk_string_filter_new (gtk_property_expression_new (FD_TYPE_WORKSPACE, NULL, "name"));
  filtered = gtk_filter_list_model_new (g_object_ref (G_LIST_MODEL (self->workspaces)),
                                        g_object_ref (GTK_FILTER (self->filter)));

  gtk_list_box_bind_model (self->workspace_list, G_LIST_MODEL (filtered),
                           fd_workspaces_page_create_workspace_row, self, NULL);
  gtk_list_box_bind_model (self->fleet_list, G_LIST_MODEL (self->fleets),
                           fd_workspaces_page_create_fleet_row, self, NULL);
  g_signal_connect_object (self->workspaces, "items-changed",
                           G_CALLBACK (fd_workspaces_page_update_view), self, G_CONNECT_SWAPPED);
  gtk_search_bar_set_key_capture_widget (self->search_bar, GTK_WIDGET (self));
  /* Folded, the header bar is narrow: the primary action is an icon button then. */
  g_object_bind_property (self, "folded", self->primary_button, "visible",
                          G_BINDING_SYNC_CREATE | G_BINDING_INVERT_BOOLEAN);
  gtk_list_box_set_placeholder (self->workspace_list,
                                g_object_new (GTK_TYPE_LABEL, "label", _ ("No Matching Workspaces"),
                                              "margin-top", 12, "margin-bottom", 12, "css-classes",
                                              (const char *[]){ "dim-label", NULL }, NULL));

  fd_workspaces_page_update_marks (self);
  fd_workspaces_page_update_view (self);
}
