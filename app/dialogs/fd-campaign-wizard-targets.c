/* fd-campaign-wizard-targets.c — the wizard's second step: which devices a campaign updates.
 *
 * Fleets are few: each is a row with a check box. Devices may be a hundred thousand: a search
 * lists at most FD_WIZARD_DEVICE_RESULTS of them by name, each with a check box, and the
 * devices chosen stay chosen across searches.
 */
#include "config.h"

#include <glib/gi18n.h>

#include "fd-campaign-wizard-private.h"
#include "fd-json.h"

#define FD_WIZARD_DEVICE_RESULTS 50
/* The search runs this long after the last key press. */
#define FD_WIZARD_SEARCH_DELAY_MS 250

static void
fd_campaign_wizard_update_chosen (FdCampaignWizard *self)
{
  guint fleets = g_hash_table_size (self->fleets);
  guint devices = g_hash_table_size (self->devices);
  g_autofree char *fleet_text
      = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u fleet", "%u fleets", fleets), fleets);
  g_autofree char *device_text = g_strdup_printf (
      g_dngettext (GETTEXT_PACKAGE, "%u device", "%u devices", devices), devices);
  /* TRANSLATORS: "2 fleets and 3 devices chosen" */
  g_autofree char *text = g_strdup_printf (_ ("%s and %s chosen"), fleet_text, device_text);

  gtk_label_set_text (self->chosen_label, text);
  if (fleets + devices > 0)
    gtk_widget_set_visible (GTK_WIDGET (self->targets_error), FALSE);
  fd_campaign_wizard_update_buttons (self);
}

gboolean
fd_campaign_wizard_check_targets (FdCampaignWizard *self)
{
  gboolean any = g_hash_table_size (self->fleets) + g_hash_table_size (self->devices) > 0;

  return any;
}

static void
fd_campaign_wizard_check_toggled_cb (GtkCheckButton *check, FdCampaignWizard *self)
{
  GHashTable *chosen = g_object_get_data (G_OBJECT (check), "fd-chosen");
  const char *id = g_object_get_data (G_OBJECT (check), "fd-id");
  const char *name = g_object_get_data (G_OBJECT (check), "fd-name");

  if (gtk_check_button_get_active (check))
    g_hash_table_insert (chosen, g_strdup (id), g_strdup (name));
  else
    g_hash_table_remove (chosen, id);
  fd_campaign_wizard_update_chosen (self);
}

static GtkWidget *
fd_campaign_wizard_check_row_new (FdCampaignWizard *self, GHashTable *chosen, const char *id,
                                  const char *name, const char *subtitle)
{
  GtkWidget *row = adw_action_row_new ();
  GtkWidget *check = gtk_check_button_new ();

  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), name);
  if (subtitle != NULL)
    adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
  gtk_check_button_set_active (GTK_CHECK_BUTTON (check), g_hash_table_contains (chosen, id));
  gtk_accessible_update_property (GTK_ACCESSIBLE (check), GTK_ACCESSIBLE_PROPERTY_LABEL, name, -1);
  g_object_set_data (G_OBJECT (check), "fd-chosen", chosen);
  g_object_set_data_full (G_OBJECT (check), "fd-id", g_strdup (id), g_free);
  g_object_set_data_full (G_OBJECT (check), "fd-name", g_strdup (name), g_free);
  g_signal_connect_object (check, "toggled", G_CALLBACK (fd_campaign_wizard_check_toggled_cb), self,
                           0);
  adw_action_row_add_prefix (ADW_ACTION_ROW (row), check);
  adw_action_row_set_activatable_widget (ADW_ACTION_ROW (row), check);
  return row;
}

static void
fd_campaign_wizard_clear (GtkListBox *list)
{
  GtkListBoxRow *row;

  while ((row = gtk_list_box_get_row_at_index (list, 0)) != NULL)
    gtk_list_box_remove (list, GTK_WIDGET (row));
}

static void
fd_campaign_wizard_fleets_cb (GObject *source, GAsyncResult *result, gpointer data)
{
  g_autoptr (FdCampaignWizard) self = data;
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) items
      = fd_api_client_list_all_finish (FD_API_CLIENT (source), result, &error);

  if (items == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          gtk_label_set_text (self->targets_error, error->message);
          gtk_widget_set_visible (GTK_WIDGET (self->targets_error), TRUE);
        }
      return;
    }
  fd_campaign_wizard_clear (self->fleet_list);
  for (guint i = 0; i < items->len; i++)
    {
      JsonObject *fleet = g_ptr_array_index (items, i);
      JsonNode *count = json_object_get_member (fleet, "device_count");
      g_autofree char *subtitle = NULL;

      if (fd_json_get_string (fleet, "id") == NULL || fd_json_get_string (fleet, "name") == NULL)
        continue;
      if (count != NULL && JSON_NODE_HOLDS_VALUE (count))
        subtitle = g_strdup_printf (
            g_dngettext (GETTEXT_PACKAGE, "%d device", "%d devices", json_node_get_int (count)),
            (int)json_node_get_int (count));
      gtk_list_box_append (
          self->fleet_list,
          fd_campaign_wizard_check_row_new (self, self->fleets, fd_json_get_string (fleet, "id"),
                                            fd_json_get_string (fleet, "name"), subtitle));
    }
}

void
fd_campaign_wizard_load_fleets (FdCampaignWizard *self)
{
  g_autofree char *path = fd_api_path ("workspaces", self->workspace_id, "fleets", NULL);

  fd_api_client_list_all_async (self->client, path, self->cancellable, fd_campaign_wizard_fleets_cb,
                                g_object_ref (self));
}

static void
fd_campaign_wizard_devices_cb (GObject *source, GAsyncResult *result, gpointer data)
{
  g_autoptr (FdCampaignWizard) self = data;
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonNode) node = fd_api_client_request_finish (FD_API_CLIENT (source), result, &error);
  JsonArray *items = node != NULL ? fd_json_get_list (node, NULL, &error) : NULL;

  if (items == NULL)
    return;
  fd_campaign_wizard_clear (self->device_list);
  for (guint i = 0; i < json_array_get_length (items); i++)
    {
      JsonNode *element = json_array_get_element (items, i);
      JsonObject *device = JSON_NODE_HOLDS_OBJECT (element) ? json_node_get_object (element) : NULL;
      const char *id = fd_json_get_string (device, "id");
      const char *name = fd_json_get_string (device, "name");

      if (id != NULL && name != NULL)
        gtk_list_box_append (
            self->device_list,
            fd_campaign_wizard_check_row_new (self, self->devices, id, name,
                                              fd_json_get_string (device, "firmware_version")));
    }
}

static gboolean
fd_campaign_wizard_search_cb (gpointer data)
{
  FdCampaignWizard *self = data;
  g_autofree char *base = fd_api_path ("workspaces", self->workspace_id, "devices", NULL);
  g_autoptr (GString) path = g_string_new (base);
  g_autofree char *size = g_strdup_printf ("%d", FD_WIZARD_DEVICE_RESULTS);
  const char *text = gtk_editable_get_text (GTK_EDITABLE (self->device_search));

  self->search_id = 0;
  if (*text != '\0')
    fd_api_path_add_query (path, "search", text);
  fd_api_path_add_query (path, "size", size);
  fd_api_client_request_async (self->client, "GET", path->str, NULL, self->cancellable,
                               fd_campaign_wizard_devices_cb, g_object_ref (self));
  return G_SOURCE_REMOVE;
}

static void
fd_campaign_wizard_search_changed_cb (FdCampaignWizard *self)
{
  g_clear_handle_id (&self->search_id, g_source_remove);
  self->search_id = g_timeout_add (FD_WIZARD_SEARCH_DELAY_MS, fd_campaign_wizard_search_cb, self);
}

static GtkWidget *
fd_campaign_wizard_boxed_list_new (const char *empty)
{
  GtkWidget *list = gtk_list_box_new ();
  GtkWidget *placeholder = gtk_label_new (empty);

  gtk_list_box_set_selection_mode (GTK_LIST_BOX (list), GTK_SELECTION_NONE);
  gtk_widget_add_css_class (list, "boxed-list");
  gtk_widget_add_css_class (placeholder, "dim-label");
  gtk_widget_set_margin_top (placeholder, 12);
  gtk_widget_set_margin_bottom (placeholder, 12);
  gtk_list_box_set_placeholder (GTK_LIST_BOX (list), placeholder);
  return list;
}

GtkWidget *
fd_campaign_wizard_targets_page_new (FdCampaignWizard *self)
{
  GtkWidget *page = adw_preferences_page_new ();
  GtkWidget *fleets = adw_preferences_group_new ();
  GtkWidget *devices = adw_preferences_group_new ();
  GtkWidget *options = adw_preferences_group_new ();
  GtkWidget *outdated = adw_action_row_new ();
  GtkWidget *search_list = gtk_list_box_new ();

  adw_preferences_group_set_title (ADW_PREFERENCES_GROUP (fleets), _ ("Fleets"));
  adw_preferences_group_set_description (ADW_PREFERENCES_GROUP (fleets),
                                         _ ("Every device of a chosen fleet is a target."));
  self->fleet_list = GTK_LIST_BOX (fd_campaign_wizard_boxed_list_new (_ ("No fleets")));
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (fleets), GTK_WIDGET (self->fleet_list));

  adw_preferences_group_set_title (ADW_PREFERENCES_GROUP (devices), _ ("Devices"));
  adw_preferences_group_set_description (ADW_PREFERENCES_GROUP (devices),
                                         _ ("Search by name and choose single devices."));
  gtk_list_box_set_selection_mode (GTK_LIST_BOX (search_list), GTK_SELECTION_NONE);
  gtk_widget_add_css_class (search_list, "boxed-list");
  self->device_search = ADW_ENTRY_ROW (adw_entry_row_new ());
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->device_search), _ ("Search Devices"));
  g_signal_connect_object (self->device_search, "changed",
                           G_CALLBACK (fd_campaign_wizard_search_changed_cb), self,
                           G_CONNECT_SWAPPED);
  gtk_list_box_append (GTK_LIST_BOX (search_list), GTK_WIDGET (self->device_search));
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (devices), search_list);
  self->device_list
      = GTK_LIST_BOX (fd_campaign_wizard_boxed_list_new (_ ("No device has such a name")));
  gtk_widget_set_margin_top (GTK_WIDGET (self->device_list), 12);
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (devices), GTK_WIDGET (self->device_list));

  self->chosen_label = GTK_LABEL (gtk_label_new (NULL));
  gtk_label_set_xalign (self->chosen_label, 0);
  gtk_widget_add_css_class (GTK_WIDGET (self->chosen_label), "dim-label");
  self->targets_error = GTK_LABEL (gtk_label_new (NULL));
  gtk_label_set_xalign (self->targets_error, 0);
  gtk_label_set_wrap (self->targets_error, TRUE);
  gtk_widget_add_css_class (GTK_WIDGET (self->targets_error), "error");
  gtk_widget_set_visible (GTK_WIDGET (self->targets_error), FALSE);
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (options), GTK_WIDGET (self->chosen_label));
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (options), GTK_WIDGET (self->targets_error));

  self->outdated_switch = GTK_SWITCH (gtk_switch_new ());
  gtk_switch_set_active (self->outdated_switch, TRUE);
  gtk_widget_set_valign (GTK_WIDGET (self->outdated_switch), GTK_ALIGN_CENTER);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (outdated),
                                 _ ("Only Devices Whose Firmware Differs"));
  adw_action_row_set_subtitle (ADW_ACTION_ROW (outdated),
                               _ ("Devices that already run this version are skipped."));
  adw_action_row_add_suffix (ADW_ACTION_ROW (outdated), GTK_WIDGET (self->outdated_switch));
  adw_action_row_set_activatable_widget (ADW_ACTION_ROW (outdated),
                                         GTK_WIDGET (self->outdated_switch));
  {
    GtkWidget *list = gtk_list_box_new ();

    gtk_list_box_set_selection_mode (GTK_LIST_BOX (list), GTK_SELECTION_NONE);
    gtk_widget_add_css_class (list, "boxed-list");
    gtk_widget_set_margin_top (list, 12);
    gtk_list_box_append (GTK_LIST_BOX (list), outdated);
    adw_preferences_group_add (ADW_PREFERENCES_GROUP (options), list);
  }

  adw_preferences_page_add (ADW_PREFERENCES_PAGE (page), ADW_PREFERENCES_GROUP (options));
  adw_preferences_page_add (ADW_PREFERENCES_PAGE (page), ADW_PREFERENCES_GROUP (fleets));
  adw_preferences_page_add (ADW_PREFERENCES_PAGE (page), ADW_PREFERENCES_GROUP (devices));
  fd_campaign_wizard_update_chosen (self);
  fd_campaign_wizard_search_cb (self);
  return page;
}
