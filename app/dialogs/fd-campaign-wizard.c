/* fd-campaign-wizard.c — "New Campaign", in three steps: the firmware (and the campaign's
 * name), the targets (fleets, devices; fd-campaign-wizard-targets.c), and the rollout (stages,
 * the wait between them, the success and failure rules, the per-device timeout).
 *
 * Each step says what is wrong with it under its fields as it is edited, and Next (or Start)
 * stays off until it is right; what only the server can tell (a field it refuses) comes back
 * under the step that has the field.
 */
#include "config.h"

#include <glib/gi18n.h>

#include "fd-campaign-wizard-private.h"
#include "fd-json-item.h"
#include "fd-json.h"
#include "fd-format.h"

G_DEFINE_FINAL_TYPE (FdCampaignWizard, fd_campaign_wizard, ADW_TYPE_WINDOW)

enum
{
  CREATED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static const char *const fd_wizard_pages[] = { "firmware", "targets", "rollout" };

static guint
fd_campaign_wizard_page_index (FdCampaignWizard *self)
{
  const char *name = gtk_stack_get_visible_child_name (self->pages);

  for (guint i = 0; i < G_N_ELEMENTS (fd_wizard_pages); i++)
    if (g_strcmp0 (name, fd_wizard_pages[i]) == 0)
      return i;
  return 0;
}

/* Validation */

static JsonObject *
fd_campaign_wizard_chosen_firmware (FdCampaignWizard *self)
{
  guint position = adw_combo_row_get_selected (self->firmware_row);
  g_autoptr (FdJsonItem) item = position != GTK_INVALID_LIST_POSITION
                                    ? g_list_model_get_item (self->firmware, position)
                                    : NULL;

  /* The model keeps the item, and the item its object. */
  return item != NULL ? fd_json_item_get_object (item) : NULL;
}

static gboolean
fd_campaign_wizard_check_rollout (FdCampaignWizard *self, JsonArray **stages)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonArray) parsed
      = fd_campaign_parse_stages (gtk_editable_get_text (GTK_EDITABLE (self->stages_row)), &error);

  gtk_widget_set_visible (GTK_WIDGET (self->stages_error), parsed == NULL);
  if (parsed == NULL)
    {
      gtk_label_set_text (self->stages_error, error->message);
      gtk_widget_add_css_class (GTK_WIDGET (self->stages_row), "error");
      return FALSE;
    }
  gtk_widget_remove_css_class (GTK_WIDGET (self->stages_row), "error");
  if (stages != NULL)
    *stages = g_steal_pointer (&parsed);
  return TRUE;
}

static gboolean
fd_campaign_wizard_page_valid (FdCampaignWizard *self, guint page)
{
  switch (page)
    {
    case 0:
      {
        g_autofree char *name
            = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->name_row))));
        return *name != '\0' && fd_campaign_wizard_chosen_firmware (self) != NULL;
      }
    case 1:
      return fd_campaign_wizard_check_targets (self);
    default:
      return fd_campaign_wizard_check_rollout (self, NULL);
    }
}

void
fd_campaign_wizard_update_buttons (FdCampaignWizard *self)
{
  guint page;
  gboolean last;
  g_autofree char *subtitle = NULL;

  if (self->next_button == NULL || self->pages == NULL)
    return;
  page = fd_campaign_wizard_page_index (self);
  last = page + 1 == G_N_ELEMENTS (fd_wizard_pages);
  gtk_widget_set_visible (self->back_button, page > 0);
  gtk_widget_set_visible (self->cancel_button, page == 0);
  gtk_widget_set_visible (self->next_button, !last);
  gtk_widget_set_visible (self->start_button, last);
  gtk_widget_set_sensitive (last ? self->start_button : self->next_button,
                            !self->starting && fd_campaign_wizard_page_valid (self, page));
  /* TRANSLATORS: the wizard's subtitle */
  subtitle = g_strdup_printf (_ ("Step %u of %u"), page + 1, (guint)G_N_ELEMENTS (fd_wizard_pages));
  adw_window_title_set_subtitle (self->title, subtitle);
}

static void
fd_campaign_wizard_show_page (FdCampaignWizard *self, guint page)
{
  gtk_stack_set_visible_child_name (self->pages, fd_wizard_pages[page]);
  if (page == 1 && !fd_campaign_wizard_check_targets (self))
    {
      gtk_label_set_text (self->targets_error, _ ("Choose at least one fleet or device."));
      gtk_widget_set_visible (GTK_WIDGET (self->targets_error), TRUE);
    }
  fd_campaign_wizard_update_buttons (self);
}

/* Starting */

static void
fd_campaign_wizard_show_error (FdCampaignWizard *self, const char *field, const char *message)
{
  static const struct
  {
    const char *field;
    guint page;
  } pages[] = {
    { "name", 0 },    { "firmware_id", 0 },   { "fleets", 1 }, { "devices", 1 },
    { "targets", 1 }, { "only_outdated", 1 }, { "stages", 2 },
  };
  guint page = 2;

  for (guint i = 0; field != NULL && i < G_N_ELEMENTS (pages); i++)
    if (g_str_equal (field, pages[i].field))
      page = pages[i].page;
  gtk_stack_set_visible_child_name (self->pages, fd_wizard_pages[page]);
  switch (page)
    {
    case 0:
      gtk_label_set_text (self->firmware_error, message);
      gtk_widget_set_visible (GTK_WIDGET (self->firmware_error), TRUE);
      break;
    case 1:
      gtk_label_set_text (self->targets_error, message);
      gtk_widget_set_visible (GTK_WIDGET (self->targets_error), TRUE);
      break;
    default:
      gtk_label_set_text (self->rollout_error, message);
      gtk_widget_set_visible (GTK_WIDGET (self->rollout_error), TRUE);
    }
  fd_campaign_wizard_update_buttons (self);
}

static void
fd_campaign_wizard_created_cb (GObject *source, GAsyncResult *result, gpointer data)
{
  g_autoptr (FdCampaignWizard) self = data;
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonNode) node = fd_api_client_request_finish (FD_API_CLIENT (source), result, &error);
  JsonObject *campaign = node != NULL ? fd_json_get_object (node, &error) : NULL;

  self->starting = FALSE;
  if (campaign == NULL)
    {
      JsonObject *details = fd_api_client_get_error_details (result);

      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        fd_campaign_wizard_show_error (self, fd_json_get_string (details, "field"), error->message);
      return;
    }
  g_signal_emit (self, signals[CREATED], 0, campaign);
  gtk_window_close (GTK_WINDOW (self));
}

static JsonNode *
fd_campaign_wizard_ids (GHashTable *chosen)
{
  JsonArray *array = json_array_new ();
  g_autoptr (GList) keys = g_list_sort (g_hash_table_get_keys (chosen), (GCompareFunc)strcmp);
  JsonNode *node = json_node_new (JSON_NODE_ARRAY);

  for (GList *l = keys; l != NULL; l = l->next)
    json_array_add_string_element (array, l->data);
  json_node_take_array (node, array);
  return node;
}

static void
fd_campaign_wizard_start (FdCampaignWizard *self)
{
  JsonObject *firmware = fd_campaign_wizard_chosen_firmware (self);
  g_autoptr (JsonArray) stages = NULL;
  g_autoptr (JsonNode) body = json_node_new (JSON_NODE_OBJECT);
  g_autofree char *path = NULL;
  g_autofree char *name = NULL;
  JsonObject *object = json_object_new ();
  JsonNode *stages_node;

  if (self->starting || firmware == NULL || !fd_campaign_wizard_check_rollout (self, &stages))
    return;
  name = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->name_row))));
  json_object_set_string_member (object, "name", name);
  json_object_set_string_member (object, "firmware_id", fd_json_get_string (firmware, "id"));
  json_object_set_member (object, "fleets", fd_campaign_wizard_ids (self->fleets));
  json_object_set_member (object, "devices", fd_campaign_wizard_ids (self->devices));
  json_object_set_boolean_member (object, "only_outdated",
                                  gtk_switch_get_active (self->outdated_switch));
  stages_node = json_node_new (JSON_NODE_ARRAY);
  json_node_set_array (stages_node, stages);
  json_object_set_member (object, "stages", stages_node);
  json_object_set_int_member (object, "min_wait_s",
                              gtk_spin_button_get_value_as_int (self->wait_spin) * 60);
  json_object_set_int_member (object, "success_threshold",
                              gtk_spin_button_get_value_as_int (self->success_spin));
  json_object_set_int_member (object, "failure_threshold",
                              gtk_spin_button_get_value_as_int (self->failure_spin));
  json_object_set_int_member (object, "failure_min",
                              gtk_spin_button_get_value_as_int (self->failure_min_spin));
  json_object_set_int_member (object, "device_timeout_s",
                              gtk_spin_button_get_value_as_int (self->timeout_spin) * 60);
  json_node_take_object (body, object);

  self->starting = TRUE;
  gtk_widget_set_visible (GTK_WIDGET (self->rollout_error), FALSE);
  fd_campaign_wizard_update_buttons (self);
  path = fd_api_path ("workspaces", self->workspace_id, "campaigns", NULL);
  fd_api_client_request_async (self->client, "POST", path, body, self->cancellable,
                               fd_campaign_wizard_created_cb, g_object_ref (self));
}

static void
fd_campaign_wizard_next_cb (FdCampaignWizard *self)
{
  guint page = fd_campaign_wizard_page_index (self);

  if (fd_campaign_wizard_page_valid (self, page) && page + 1 < G_N_ELEMENTS (fd_wizard_pages))
    fd_campaign_wizard_show_page (self, page + 1);
}

static void
fd_campaign_wizard_back_cb (FdCampaignWizard *self)
{
  guint page = fd_campaign_wizard_page_index (self);

  if (page > 0)
    fd_campaign_wizard_show_page (self, page - 1);
}

/* The firmware step */

static void
fd_campaign_wizard_firmware_changed_cb (FdCampaignWizard *self)
{
  JsonObject *firmware = fd_campaign_wizard_chosen_firmware (self);

  gtk_widget_set_visible (GTK_WIDGET (self->firmware_error), FALSE);
  if (firmware != NULL && !self->name_edited)
    {
      /* TRANSLATORS: a new campaign's suggested name, with the firmware's version */
      g_autofree char *name
          = g_strdup_printf (_ ("Update to %s"), fd_json_get_string (firmware, "version"));
      g_signal_handlers_block_matched (self->name_row, G_SIGNAL_MATCH_DATA, 0, 0, NULL, NULL, self);
      gtk_editable_set_text (GTK_EDITABLE (self->name_row), name);
      g_signal_handlers_unblock_matched (self->name_row, G_SIGNAL_MATCH_DATA, 0, 0, NULL, NULL,
                                         self);
    }
  fd_campaign_wizard_update_buttons (self);
}

static void
fd_campaign_wizard_name_changed_cb (FdCampaignWizard *self)
{
  self->name_edited = TRUE;
  gtk_widget_set_visible (GTK_WIDGET (self->firmware_error), FALSE);
  fd_campaign_wizard_update_buttons (self);
}

static char *
fd_campaign_wizard_firmware_label (FdJsonItem *item)
{
  JsonObject *firmware = fd_json_item_get_object (item);
  const char *target = fd_json_get_string (firmware, "target");
  g_autofree char *size = fd_format_size ((guint64)MAX (fd_json_get_int (firmware, "size", 0), 0));

  if (target != NULL && *target != '\0')
    /* TRANSLATORS: a firmware in the wizard: version, target, size */
    return g_strdup_printf (_ ("%s for %s · %s"), fd_json_get_string (firmware, "version"), target,
                            size);
  return g_strdup_printf ("%s · %s", fd_json_get_string (firmware, "version"), size);
}

static GtkWidget *
fd_campaign_wizard_error_label_new (void)
{
  GtkWidget *label = gtk_label_new (NULL);

  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_label_set_wrap (GTK_LABEL (label), TRUE);
  gtk_widget_add_css_class (label, "error");
  gtk_widget_set_margin_top (label, 12);
  gtk_widget_set_visible (label, FALSE);
  return label;
}

static GtkWidget *
fd_campaign_wizard_firmware_page_new (FdCampaignWizard *self)
{
  GtkWidget *page = adw_preferences_page_new ();
  GtkWidget *group = adw_preferences_group_new ();
  GtkExpression *expression = gtk_cclosure_expression_new (
      G_TYPE_STRING, NULL, 0, NULL, G_CALLBACK (fd_campaign_wizard_firmware_label), NULL, NULL);

  adw_preferences_group_set_title (ADW_PREFERENCES_GROUP (group), _ ("Firmware"));
  adw_preferences_group_set_description (
      ADW_PREFERENCES_GROUP (group),
      _ ("The devices download it, check its signature, install it and report back."));
  self->firmware_row = ADW_COMBO_ROW (adw_combo_row_new ());
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->firmware_row), _ ("Firmware"));
  adw_combo_row_set_expression (self->firmware_row, expression);
  adw_combo_row_set_model (self->firmware_row, self->firmware);
  g_signal_connect_object (self->firmware_row, "notify::selected",
                           G_CALLBACK (fd_campaign_wizard_firmware_changed_cb), self,
                           G_CONNECT_SWAPPED);
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (group), GTK_WIDGET (self->firmware_row));
  self->name_row = ADW_ENTRY_ROW (adw_entry_row_new ());
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->name_row), C_ ("campaign", "Name"));
  g_signal_connect_object (self->name_row, "changed",
                           G_CALLBACK (fd_campaign_wizard_name_changed_cb), self,
                           G_CONNECT_SWAPPED);
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (group), GTK_WIDGET (self->name_row));
  self->firmware_error = GTK_LABEL (fd_campaign_wizard_error_label_new ());
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (group), GTK_WIDGET (self->firmware_error));
  adw_preferences_page_add (ADW_PREFERENCES_PAGE (page), ADW_PREFERENCES_GROUP (group));
  return page;
}

/* The rollout step */

GtkWidget *
fd_campaign_wizard_spin_row_new (const char *title, const char *subtitle, double min, double max,
                                 double value, const char *unit, GtkSpinButton **spin)
{
  GtkWidget *row = adw_action_row_new ();
  GtkWidget *button = gtk_spin_button_new_with_range (min, max, 1);

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  if (subtitle != NULL)
    adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
  gtk_spin_button_set_value (GTK_SPIN_BUTTON (button), value);
  gtk_spin_button_set_numeric (GTK_SPIN_BUTTON (button), TRUE);
  gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
  gtk_accessible_update_property (GTK_ACCESSIBLE (button), GTK_ACCESSIBLE_PROPERTY_LABEL, title,
                                  -1);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), button);
  if (unit != NULL)
    {
      GtkWidget *label = gtk_label_new (unit);
      gtk_widget_add_css_class (label, "dim-label");
      adw_action_row_add_suffix (ADW_ACTION_ROW (row), label);
    }
  adw_action_row_set_activatable_widget (ADW_ACTION_ROW (row), button);
  *spin = GTK_SPIN_BUTTON (button);
  return row;
}

static void
fd_campaign_wizard_preset_changed_cb (FdCampaignWizard *self)
{
  const char *stages = fd_campaign_preset_stages (adw_combo_row_get_selected (self->preset_row));

  /* The presets fill the entry; "Custom" lets it be edited. */
  if (stages != NULL)
    gtk_editable_set_text (GTK_EDITABLE (self->stages_row), stages);
  gtk_editable_set_editable (GTK_EDITABLE (self->stages_row), stages == NULL);
  gtk_widget_set_sensitive (GTK_WIDGET (self->stages_row), stages == NULL);
  if (stages == NULL)
    gtk_widget_grab_focus (GTK_WIDGET (self->stages_row));
  fd_campaign_wizard_update_buttons (self);
}

static void
fd_campaign_wizard_rollout_changed_cb (FdCampaignWizard *self)
{
  gtk_widget_set_visible (GTK_WIDGET (self->rollout_error), FALSE);
  fd_campaign_wizard_update_buttons (self);
}

static GtkWidget *
fd_campaign_wizard_rollout_page_new (FdCampaignWizard *self)
{
  GtkWidget *page = adw_preferences_page_new ();
  GtkWidget *stages = adw_preferences_group_new ();
  GtkWidget *rules = adw_preferences_group_new ();
  const char *presets[] = { _ ("5% → 25% → 100%"), _ ("All at Once"), _ ("Custom"), NULL };
  GtkSpinButton **spins[] = { &self->wait_spin, &self->success_spin, &self->failure_spin,
                              &self->failure_min_spin, &self->timeout_spin };

  adw_preferences_group_set_title (ADW_PREFERENCES_GROUP (stages), _ ("Stages"));
  adw_preferences_group_set_description (
      ADW_PREFERENCES_GROUP (stages),
      _ ("Each stage is the share of the devices reached by its end: “5%” of them, or a number "
         "of devices. The next stage starts when enough of the last one succeeded."));
  self->preset_row = ADW_COMBO_ROW (adw_combo_row_new ());
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->preset_row), _ ("Rollout"));
  adw_combo_row_set_model (self->preset_row, G_LIST_MODEL (gtk_string_list_new (presets)));
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (stages), GTK_WIDGET (self->preset_row));
  self->stages_row = ADW_ENTRY_ROW (adw_entry_row_new ());
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->stages_row), _ ("Stages"));
  g_signal_connect_object (self->stages_row, "changed",
                           G_CALLBACK (fd_campaign_wizard_rollout_changed_cb), self,
                           G_CONNECT_SWAPPED);
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (stages), GTK_WIDGET (self->stages_row));
  self->stages_error = GTK_LABEL (fd_campaign_wizard_error_label_new ());
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (stages), GTK_WIDGET (self->stages_error));
  g_signal_connect_object (self->preset_row, "notify::selected",
                           G_CALLBACK (fd_campaign_wizard_preset_changed_cb), self,
                           G_CONNECT_SWAPPED);

  adw_preferences_group_set_title (ADW_PREFERENCES_GROUP (rules), _ ("Rules"));
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (rules),
                             fd_campaign_wizard_spin_row_new (
                                 _ ("Wait Between Stages"),
                                 _ ("At least this long after a stage started"), 0,
                                 FD_CAMPAIGN_MAX_WAIT_S / 60, 0, _ ("min"), &self->wait_spin));
  adw_preferences_group_add (
      ADW_PREFERENCES_GROUP (rules),
      fd_campaign_wizard_spin_row_new (_ ("Success Threshold"),
                                       _ ("Share of a stage that must succeed to go on"), 0, 100,
                                       90, "%", &self->success_spin));
  adw_preferences_group_add (
      ADW_PREFERENCES_GROUP (rules),
      fd_campaign_wizard_spin_row_new (_ ("Failure Threshold"),
                                       _ ("The campaign aborts when more devices fail than this"),
                                       0, 100, 20, "%", &self->failure_spin));
  adw_preferences_group_add (
      ADW_PREFERENCES_GROUP (rules),
      fd_campaign_wizard_spin_row_new (_ ("Minimum Finished"),
                                       _ ("Devices done before the failure threshold applies"), 1,
                                       100000, 10, NULL, &self->failure_min_spin));
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (rules),
                             fd_campaign_wizard_spin_row_new (
                                 _ ("Per-Device Timeout"),
                                 _ ("A device that has not finished by then has failed"), 1,
                                 FD_CAMPAIGN_MAX_WAIT_S / 60, 60, _ ("min"), &self->timeout_spin));
  for (guint i = 0; i < G_N_ELEMENTS (spins); i++)
    g_signal_connect_object (*spins[i], "value-changed",
                             G_CALLBACK (fd_campaign_wizard_rollout_changed_cb), self,
                             G_CONNECT_SWAPPED);
  self->rollout_error = GTK_LABEL (fd_campaign_wizard_error_label_new ());
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (rules), GTK_WIDGET (self->rollout_error));

  adw_preferences_page_add (ADW_PREFERENCES_PAGE (page), ADW_PREFERENCES_GROUP (stages));
  adw_preferences_page_add (ADW_PREFERENCES_PAGE (page), ADW_PREFERENCES_GROUP (rules));
  fd_campaign_wizard_preset_changed_cb (self);
  return page;
}

/* Construction */

static GtkWidget *
fd_campaign_wizard_header_new (FdCampaignWizard *self)
{
  GtkWidget *header = adw_header_bar_new ();

  self->title = ADW_WINDOW_TITLE (adw_window_title_new (_ ("New Campaign"), NULL));
  adw_header_bar_set_title_widget (ADW_HEADER_BAR (header), GTK_WIDGET (self->title));
  adw_header_bar_set_show_end_title_buttons (ADW_HEADER_BAR (header), FALSE);
  adw_header_bar_set_show_start_title_buttons (ADW_HEADER_BAR (header), FALSE);

  self->cancel_button = gtk_button_new_with_mnemonic (_ ("_Cancel"));
  g_signal_connect_object (self->cancel_button, "clicked", G_CALLBACK (gtk_window_close), self,
                           G_CONNECT_SWAPPED);
  adw_header_bar_pack_start (ADW_HEADER_BAR (header), self->cancel_button);
  self->back_button = gtk_button_new_with_mnemonic (_ ("_Back"));
  g_signal_connect_object (self->back_button, "clicked", G_CALLBACK (fd_campaign_wizard_back_cb),
                           self, G_CONNECT_SWAPPED);
  adw_header_bar_pack_start (ADW_HEADER_BAR (header), self->back_button);

  self->next_button = gtk_button_new_with_mnemonic (_ ("_Next"));
  gtk_widget_add_css_class (self->next_button, "suggested-action");
  g_signal_connect_object (self->next_button, "clicked", G_CALLBACK (fd_campaign_wizard_next_cb),
                           self, G_CONNECT_SWAPPED);
  adw_header_bar_pack_end (ADW_HEADER_BAR (header), self->next_button);
  self->start_button = gtk_button_new_with_mnemonic (_ ("_Start"));
  gtk_widget_add_css_class (self->start_button, "suggested-action");
  g_signal_connect_object (self->start_button, "clicked", G_CALLBACK (fd_campaign_wizard_start),
                           self, G_CONNECT_SWAPPED);
  adw_header_bar_pack_end (ADW_HEADER_BAR (header), self->start_button);
  return header;
}

static void
fd_campaign_wizard_dispose (GObject *object)
{
  FdCampaignWizard *self = FD_CAMPAIGN_WIZARD (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_handle_id (&self->search_id, g_source_remove);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->client);
  g_clear_object (&self->firmware);
  g_clear_pointer (&self->fleets, g_hash_table_unref);
  g_clear_pointer (&self->devices, g_hash_table_unref);
  g_clear_pointer (&self->workspace_id, g_free);
  G_OBJECT_CLASS (fd_campaign_wizard_parent_class)->dispose (object);
}

static void
fd_campaign_wizard_class_init (FdCampaignWizardClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = fd_campaign_wizard_dispose;
  signals[CREATED] = g_signal_new ("created", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL,
                                   NULL, NULL, G_TYPE_NONE, 1, JSON_TYPE_OBJECT);
  gtk_widget_class_add_binding_action (GTK_WIDGET_CLASS (klass), GDK_KEY_Escape, 0, "window.close",
                                       NULL);
}

static void
fd_campaign_wizard_init (FdCampaignWizard *self)
{
  self->cancellable = g_cancellable_new ();
  self->fleets = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  self->devices = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
}

FdCampaignWizard *
fd_campaign_wizard_new (GtkWindow *parent, FdApiClient *client, const char *workspace_id,
                        GListModel *firmware)
{
  FdCampaignWizard *self;
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  GtkWidget *header;

  g_return_val_if_fail (FD_IS_API_CLIENT (client), NULL);
  g_return_val_if_fail (workspace_id != NULL, NULL);

  self = g_object_new (FD_TYPE_CAMPAIGN_WIZARD, "modal", TRUE, "transient-for", parent,
                       "default-width", 600, "default-height", 680, "title", _ ("New Campaign"),
                       NULL);
  self->client = g_object_ref (client);
  self->workspace_id = g_strdup (workspace_id);
  self->firmware = g_object_ref (firmware);

  header = fd_campaign_wizard_header_new (self);
  gtk_box_append (GTK_BOX (box), header);
  self->pages = GTK_STACK (gtk_stack_new ());
  gtk_stack_set_transition_type (self->pages, GTK_STACK_TRANSITION_TYPE_SLIDE_LEFT_RIGHT);
  gtk_widget_set_vexpand (GTK_WIDGET (self->pages), TRUE);
  gtk_stack_add_named (self->pages, fd_campaign_wizard_firmware_page_new (self), "firmware");
  gtk_stack_add_named (self->pages, fd_campaign_wizard_targets_page_new (self), "targets");
  gtk_stack_add_named (self->pages, fd_campaign_wizard_rollout_page_new (self), "rollout");
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (self->pages));
  adw_window_set_content (ADW_WINDOW (self), box);

  fd_campaign_wizard_firmware_changed_cb (self);
  fd_campaign_wizard_load_fleets (self);
  fd_campaign_wizard_show_page (self, 0);
  return self;
}
