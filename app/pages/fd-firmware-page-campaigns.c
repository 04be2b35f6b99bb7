/* fd-firmware-page-campaigns.c — the pane's campaigns: their list (kept current by
 * campaign.updated events), the wizard that starts one, and a desktop notification when one
 * completes or aborts (in any workspace: the operator may be looking at another one).
 */
#include "config.h"

#include <glib/gi18n.h>

#include "fd-campaign-wizard.h"
#include "fd-firmware-page-private.h"
#include "fd-json.h"
#include "fd-ui.h"

static char *
fd_campaign_name_text (JsonObject *object, const char **css_class)
{
  return fd_json_dup_string (object, "name");
}

static char *
fd_campaign_firmware_text (JsonObject *object, const char **css_class)
{
  return fd_json_dup_string (object, "firmware_version");
}

static char *
fd_campaign_state_text (JsonObject *object, const char **css_class)
{
  const char *reason = fd_json_get_string (object, "reason");
  const char *state = fd_campaign_state_label (fd_json_get_string (object, "state"));

  if (css_class != NULL && g_strcmp0 (fd_json_get_string (object, "state"), "aborted") == 0)
    *css_class = "error";
  else if (css_class != NULL && g_strcmp0 (fd_json_get_string (object, "state"), "completed") == 0)
    *css_class = "success";

  if (reason != NULL && *reason != '\0')
    /* TRANSLATORS: a campaign's state, then why it is so ("Aborted: 3 of 5 devices failed") */
    return g_strdup_printf (_ ("%s: %s"), state, reason);
  return g_strdup (state);
}

static double
fd_campaign_progress_fraction (JsonObject *object)
{
  gint64 total = fd_json_get_int (object, "total", 0);
  gint64 final = fd_campaign_count_final (fd_json_get_member_object (object, "counts"));

  return total > 0 ? (double) final / total : 0.0;
}

static char *
fd_campaign_progress_text (JsonObject *object, const char **css_class)
{
  gint64 total = fd_json_get_int (object, "total", 0);
  gint64 final = fd_campaign_count_final (fd_json_get_member_object (object, "counts"));

  /* TRANSLATORS: devices done of the campaign's devices */
  return g_strdup_printf (_ ("%'" G_GINT64_FORMAT " of %'" G_GINT64_FORMAT), final, total);
}

static char *
fd_campaign_created_text (JsonObject *object, const char **css_class)
{
  if (css_class != NULL)
    *css_class = "dim-label";
  return fd_json_format_time (fd_json_get_string (object, "created_at"));
}

void
fd_firmware_page_init_campaigns (FdFirmwarePage *self)
{
  GtkSortListModel *sorted
      = gtk_sort_list_model_new (G_LIST_MODEL (g_object_ref (self->campaigns)), NULL);
  GtkSingleSelection *selection = gtk_single_selection_new (G_LIST_MODEL (sorted));
  GtkColumnViewColumn *column;
  struct
  {
    const char *title;
    FdJsonItemText text;
    const char *sort_member;
    gboolean expand;
  } columns[] = {
    { C_ ("column", "Name"), fd_campaign_name_text, NULL, TRUE },
    { C_ ("column", "Firmware"), fd_campaign_firmware_text, NULL, FALSE },
    { C_ ("column", "State"), fd_campaign_state_text, NULL, TRUE },
  };

  /* A row opens its campaign: none is picked out before. */
  gtk_single_selection_set_autoselect (selection, FALSE);
  gtk_single_selection_set_can_unselect (selection, TRUE);
  self->campaign_view = GTK_COLUMN_VIEW (gtk_column_view_new (GTK_SELECTION_MODEL (selection)));
  gtk_sort_list_model_set_sorter (sorted, gtk_column_view_get_sorter (self->campaign_view));
  gtk_column_view_set_single_click_activate (self->campaign_view, TRUE);
  for (guint i = 0; i < G_N_ELEMENTS (columns); i++)
    {
      column = fd_json_item_column_new (columns[i].title, columns[i].text, columns[i].sort_member,
                                        columns[i].expand);
      gtk_column_view_append_column (self->campaign_view, column);
      g_object_unref (column);
    }
  column = fd_json_item_progress_column_new (
      C_ ("column", "Progress"), fd_campaign_progress_fraction, fd_campaign_progress_text);
  gtk_column_view_append_column (self->campaign_view, column);
  g_object_unref (column);
  column = fd_json_item_column_new (C_ ("column", "Created"), fd_campaign_created_text,
                                    "created_at", FALSE);
  gtk_column_view_append_column (self->campaign_view, column);
  g_object_unref (column);
  gtk_widget_add_css_class (GTK_WIDGET (self->campaign_view), "data-table");
}

static void
fd_firmware_page_campaigns_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (FdFirmwarePage) self = user_data;
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) items
      = fd_api_client_list_all_finish (FD_API_CLIENT (source), result, &error);

  self->campaigns_loading = FALSE;
  if (items == NULL)
    {
      fd_ui_toast_error (GTK_WIDGET (self), error);
      return;
    }
  fd_json_store_replace (self->campaigns, items);
  gtk_stack_set_visible_child_name (self->campaign_stack, items->len > 0 ? "list" : "empty");
  if (self->campaigns_again)
    fd_firmware_page_load_campaigns (self);
}

void
fd_firmware_page_load_campaigns (FdFirmwarePage *self)
{
  g_autofree char *path = NULL;

  if (self->client == NULL || self->workspace == NULL)
    return;
  /* One read at a time: a burst of new campaigns costs one more read, not one each. */
  if (self->campaigns_loading)
    {
      self->campaigns_again = TRUE;
      return;
    }
  self->campaigns_loading = TRUE;
  self->campaigns_again = FALSE;
  path = fd_api_path ("workspaces", fd_workspace_get_id (self->workspace), "campaigns", NULL);
  fd_api_client_list_all_async (self->client, path, self->cancellable,
                                fd_firmware_page_campaigns_cb, g_object_ref (self));
}

JsonObject *
fd_firmware_page_find_user (FdFirmwarePage *self, const char *firmware_id)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->campaigns));

  for (guint i = 0; i < n; i++)
    {
      g_autoptr (FdJsonItem) item = g_list_model_get_item (G_LIST_MODEL (self->campaigns), i);
      JsonObject *campaign = fd_json_item_get_object (item);
      const char *state = fd_json_get_string (campaign, "state");

      if (g_strcmp0 (fd_json_get_string (campaign, "firmware_id"), firmware_id) == 0
          && (g_strcmp0 (state, "running") == 0 || g_strcmp0 (state, "paused") == 0))
        return campaign;
    }
  return NULL;
}

/* Events */

static void
fd_firmware_page_notify_end (FdFirmwarePage *self, JsonObject *data)
{
  GApplication *application = g_application_get_default ();
  const char *id = fd_json_get_string (data, "campaign_id");
  const char *name = fd_json_get_string (data, "name");
  const char *state = fd_json_get_string (data, "state");
  const char *reason = fd_json_get_string (data, "reason");
  g_autoptr (GNotification) notification = NULL;
  g_autofree char *title = NULL;
  g_autofree char *notification_id = NULL;
  g_autofree char *body = NULL;
  gboolean completed = g_strcmp0 (state, "completed") == 0;

  if (!completed && g_strcmp0 (state, "aborted") != 0)
    return;
  /* Targets still in flight after an abort keep sending updates: one notification each. */
  if (application == NULL || id == NULL || g_hash_table_contains (self->notified, id))
    return;
  g_hash_table_add (self->notified, g_strdup (id));

  if (name == NULL)
    name = id;
  /* TRANSLATORS: a desktop notification; the campaign's name */
  title = completed ? g_strdup_printf (_ ("Campaign “%s” completed"), name)
                    : g_strdup_printf (_ ("Campaign “%s” aborted"), name);
  if (completed)
    {
      JsonObject *counts = fd_json_get_member_object (data, "counts");
      gint64 succeeded = fd_json_get_int (counts, "succeeded", 0);

      body = g_strdup_printf (
          g_dngettext (GETTEXT_PACKAGE, "%'" G_GINT64_FORMAT " device runs the new firmware.",
                       "%'" G_GINT64_FORMAT " devices run the new firmware.", succeeded),
          succeeded);
    }
  else
    body = g_strdup (reason != NULL && *reason != '\0' ? reason : _ ("It was stopped."));
  notification = g_notification_new (title);
  g_notification_set_body (notification, body);
  g_notification_set_priority (notification, completed ? G_NOTIFICATION_PRIORITY_NORMAL
                                                       : G_NOTIFICATION_PRIORITY_HIGH);
  g_notification_set_default_action_and_target (notification, "app.show-campaign", "s", id);
  notification_id = g_strconcat ("campaign-", id, NULL);
  g_application_send_notification (application, notification_id, notification);
  self->notifications++;
}

void
fd_firmware_page_campaign_event_cb (FdFirmwarePage *self, const char *type,
                                    const char *workspace_id, const char *device_id,
                                    JsonObject *data)
{
  const char *id = fd_json_get_string (data, "campaign_id");

  fd_campaign_page_event (self->campaign_page, type, device_id, data);
  if (!g_str_equal (type, "campaign.updated") || id == NULL)
    return;

  fd_firmware_page_notify_end (self, data);
  /* The lists are the current workspace's. */
  if (self->workspace == NULL
      || g_strcmp0 (workspace_id, fd_workspace_get_id (self->workspace)) != 0)
    return;
  {
    FdJsonItem *item = fd_json_store_find (self->campaigns, id, NULL);
    static const char *const members[] = { "state", "stage", "counts", "reason", "name" };
    g_autoptr (JsonObject) update = json_object_new ();

    if (item == NULL)
      {
        /* A campaign this list does not have yet (made elsewhere): it also puts a firmware
         * in use. */
        fd_firmware_page_load_campaigns (self);
        fd_firmware_page_load_firmware (self);
        return;
      }
    /* A campaign that ends no longer keeps its firmware in use. */
    if (g_strcmp0 (fd_json_get_string (fd_json_item_get_object (item), "state"),
                   fd_json_get_string (data, "state"))
        != 0)
      fd_firmware_page_load_firmware (self);
    for (guint i = 0; i < G_N_ELEMENTS (members); i++)
      if (json_object_has_member (data, members[i]))
        json_object_set_member (update, members[i],
                                json_node_copy (json_object_get_member (data, members[i])));
    fd_json_item_merge (item, update);
  }
}

/* The wizard */

static void
fd_firmware_page_campaign_created_cb (FdFirmwarePage *self, JsonObject *campaign)
{
  g_autofree char *message
      = g_strdup_printf (_ ("Campaign “%s” started"), fd_json_get_string (campaign, "name"));

  fd_ui_toast (GTK_WIDGET (self), message);
  if (fd_json_store_find (self->campaigns, fd_json_get_string (campaign, "id"), NULL) == NULL)
    {
      g_autoptr (FdJsonItem) item = fd_json_item_new (campaign, "id");
      if (item != NULL)
        g_list_store_insert (self->campaigns, 0, item);
    }
  gtk_stack_set_visible_child_name (self->campaign_stack, "list");
  fd_firmware_page_load_campaigns (self);
  fd_firmware_page_load_firmware (self); /* its firmware is in use now */
  fd_firmware_page_open_campaign (self, fd_json_get_string (campaign, "id"));
}

void
fd_firmware_page_new_campaign (FdFirmwarePage *self)
{
  FdCampaignWizard *wizard;

  if (self->client == NULL || self->workspace == NULL)
    return;
  if (g_list_model_get_n_items (G_LIST_MODEL (self->firmware)) == 0)
    {
      fd_ui_toast (GTK_WIDGET (self), _ ("Upload a firmware first: a campaign rolls one out"));
      return;
    }
  wizard = fd_campaign_wizard_new (GTK_WINDOW (gtk_widget_get_root (GTK_WIDGET (self))),
                                   self->client, fd_workspace_get_id (self->workspace),
                                   G_LIST_MODEL (self->firmware));
  g_signal_connect_object (wizard, "created", G_CALLBACK (fd_firmware_page_campaign_created_cb),
                           self, G_CONNECT_SWAPPED);
  gtk_window_present (GTK_WINDOW (wizard));
}
