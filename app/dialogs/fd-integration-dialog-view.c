/* fd-integration-dialog-view.c — the widgets of the integration form: Cancel and
 * Create/Save in the header bar, then the groups Integration (type, name), Webhook (URL,
 * secret), PostgreSQL (DSN), Headers, Events, Filters, Batching and Test. Under each group a
 * note shows the server's error for a field of that group. */
#include "config.h"

#include <glib/gi18n.h>

#include "fd-integration-dialog-private.h"

#define FD_HEADER_NAME_KEY "fd-header-name"
#define FD_HEADER_VALUE_KEY "fd-header-value"

static GtkLabel *
fd_integration_dialog_note (GtkWidget *group, const char *text, const char *css_class)
{
  GtkWidget *label = gtk_label_new (text);

  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_label_set_wrap (GTK_LABEL (label), TRUE);
  gtk_widget_set_margin_top (label, 6);
  if (css_class != NULL)
    gtk_widget_add_css_class (label, css_class);
  if (text == NULL)
    gtk_widget_set_visible (label, FALSE);
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (group), label);
  return GTK_LABEL (label);
}

/* The error note of @group, shown for each of the API's @fields (NULL-terminated). */
static void
fd_integration_dialog_error_note (FdIntegrationDialog *self, GtkWidget *group,
                                  const char *const *fields)
{
  GtkLabel *note = fd_integration_dialog_note (group, NULL, "error");

  for (guint i = 0; fields[i] != NULL; i++)
    g_hash_table_insert (self->notes, g_strdup (fields[i]), note);
}

static GtkWidget *
fd_integration_dialog_group (GtkWidget *groups, const char *title, const char *description)
{
  GtkWidget *group = adw_preferences_group_new ();

  adw_preferences_group_set_title (ADW_PREFERENCES_GROUP (group), title);
  if (description != NULL)
    adw_preferences_group_set_description (ADW_PREFERENCES_GROUP (group), description);
  gtk_box_append (GTK_BOX (groups), group);
  return group;
}

static GtkWidget *
fd_integration_dialog_entry_row (GtkWidget *group, GtkWidget *row, const char *title)
{
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (group), row);
  return row;
}

static GtkWidget *
fd_integration_dialog_spin_row (GtkWidget *group, const char *title, const char *subtitle,
                                double min, double max, double value, GtkSpinButton **spin)
{
  GtkWidget *row = adw_action_row_new ();

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
  *spin = GTK_SPIN_BUTTON (gtk_spin_button_new_with_range (min, max, 1));
  gtk_spin_button_set_value (*spin, value);
  gtk_widget_set_valign (GTK_WIDGET (*spin), GTK_ALIGN_CENTER);
  gtk_accessible_update_property (GTK_ACCESSIBLE (*spin), GTK_ACCESSIBLE_PROPERTY_LABEL, title, -1);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), GTK_WIDGET (*spin));
  adw_action_row_set_activatable_widget (ADW_ACTION_ROW (row), GTK_WIDGET (*spin));
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (group), row);
  return row;
}

GtkEditable *
fd_integration_dialog_header_name (GtkWidget *row)
{
  return g_object_get_data (G_OBJECT (row), FD_HEADER_NAME_KEY);
}

GtkEditable *
fd_integration_dialog_header_value (GtkWidget *row)
{
  return g_object_get_data (G_OBJECT (row), FD_HEADER_VALUE_KEY);
}

GtkWidget *
fd_integration_dialog_header_row_new (FdIntegrationDialog *self, const char *name,
                                      const char *value)
{
  /* An AdwPreferencesRow, so that the group puts it in its boxed list. */
  GtkWidget *row = g_object_new (ADW_TYPE_PREFERENCES_ROW, "activatable", FALSE, NULL);
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  GtkWidget *name_entry = gtk_entry_new ();
  GtkWidget *value_entry = gtk_entry_new ();
  GtkWidget *remove = gtk_button_new_from_icon_name ("list-remove-symbolic");

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), _ ("Header"));
  gtk_entry_set_placeholder_text (GTK_ENTRY (name_entry), C_ ("header", "Name"));
  gtk_accessible_update_property (GTK_ACCESSIBLE (name_entry), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _ ("Header Name"), -1);
  gtk_editable_set_text (GTK_EDITABLE (name_entry), name != NULL ? name : "");
  gtk_entry_set_placeholder_text (GTK_ENTRY (value_entry), C_ ("header", "Value"));
  gtk_accessible_update_property (GTK_ACCESSIBLE (value_entry), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _ ("Header Value"), -1);
  gtk_editable_set_text (GTK_EDITABLE (value_entry), value != NULL ? value : "");
  gtk_widget_set_hexpand (value_entry, TRUE);
  gtk_widget_set_tooltip_text (remove, _ ("Remove Header"));
  gtk_accessible_update_property (GTK_ACCESSIBLE (remove), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _ ("Remove Header"), -1);
  gtk_widget_add_css_class (remove, "flat");
  g_object_set_data (G_OBJECT (remove), "fd-header-row", row);
  g_signal_connect_object (remove, "clicked", G_CALLBACK (fd_integration_dialog_remove_header_cb),
                           self, G_CONNECT_SWAPPED);
  g_signal_connect_object (name_entry, "changed", G_CALLBACK (fd_integration_dialog_check), self,
                           G_CONNECT_SWAPPED);

  gtk_box_append (GTK_BOX (box), name_entry);
  gtk_box_append (GTK_BOX (box), value_entry);
  gtk_box_append (GTK_BOX (box), remove);
  gtk_widget_set_margin_top (box, 6);
  gtk_widget_set_margin_bottom (box, 6);
  gtk_widget_set_margin_start (box, 12);
  gtk_widget_set_margin_end (box, 6);
  gtk_list_box_row_set_child (GTK_LIST_BOX_ROW (row), box);
  g_object_set_data (G_OBJECT (row), FD_HEADER_NAME_KEY, name_entry);
  g_object_set_data (G_OBJECT (row), FD_HEADER_VALUE_KEY, value_entry);
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (self->headers_group), row);
  g_ptr_array_add (self->header_rows, row);
  return row;
}

static void
fd_integration_dialog_add_header_cb (FdIntegrationDialog *self)
{
  GtkWidget *row;

  if (self->header_rows->len >= FD_INTEGRATION_DIALOG_MAX_HEADERS)
    return;
  row = fd_integration_dialog_header_row_new (self, NULL, NULL);
  gtk_widget_grab_focus (GTK_WIDGET (fd_integration_dialog_header_name (row)));
  fd_integration_dialog_check (self);
}

static GtkWidget *
fd_integration_dialog_header (FdIntegrationDialog *self)
{
  GtkWidget *header = adw_header_bar_new ();
  GtkWidget *cancel = gtk_button_new_with_mnemonic (_ ("_Cancel"));

  adw_header_bar_set_show_end_title_buttons (ADW_HEADER_BAR (header), FALSE);
  adw_header_bar_set_show_start_title_buttons (ADW_HEADER_BAR (header), FALSE);
  gtk_actionable_set_action_name (GTK_ACTIONABLE (cancel), "window.close");
  adw_header_bar_pack_start (ADW_HEADER_BAR (header), cancel);
  self->save_button
      = gtk_button_new_with_mnemonic (self->integration != NULL ? _ ("_Save") : _ ("C_reate"));
  gtk_widget_add_css_class (self->save_button, "suggested-action");
  adw_header_bar_pack_end (ADW_HEADER_BAR (header), self->save_button);
  gtk_window_set_default_widget (GTK_WINDOW (self), self->save_button);
  return header;
}

static void
fd_integration_dialog_destination (FdIntegrationDialog *self, GtkWidget *groups)
{
  GtkWidget *group = fd_integration_dialog_group (groups, _ ("Integration"), NULL);
  GtkStringList *types = gtk_string_list_new (NULL);
  const char *secret_hint;

  gtk_string_list_append (types, C_ ("integration type", "Webhook"));
  gtk_string_list_append (types, C_ ("integration type", "PostgreSQL"));
  self->type_row = ADW_COMBO_ROW (adw_combo_row_new ());
  adw_combo_row_set_model (self->type_row, G_LIST_MODEL (types));
  g_object_unref (types);
  fd_integration_dialog_entry_row (group, GTK_WIDGET (self->type_row), _ ("Type"));
  self->name_row = ADW_ENTRY_ROW (
      fd_integration_dialog_entry_row (group, adw_entry_row_new (), C_ ("integration", "Name")));
  adw_entry_row_set_activates_default (self->name_row, TRUE);
  fd_integration_dialog_error_note (self, group, (const char *[]){ "name", "type", NULL });

  self->webhook_group = fd_integration_dialog_group (
      groups, _ ("Webhook"),
      _ ("Each batch is POSTed as JSON to this address, signed with the secret "
         "(X-Fleetdesk-Signature)."));
  self->url_row = ADW_ENTRY_ROW (
      fd_integration_dialog_entry_row (self->webhook_group, adw_entry_row_new (), _ ("URL")));
  adw_entry_row_set_input_purpose (self->url_row, GTK_INPUT_PURPOSE_URL);
  self->secret_row = ADW_PASSWORD_ENTRY_ROW (fd_integration_dialog_entry_row (
      self->webhook_group, adw_password_entry_row_new (), _ ("Secret (optional)")));
  secret_hint = self->integration != NULL
                    ? _ ("Leave the secret empty to keep the current one.")
                    : _ ("The secret is generated when left empty, and shown once.");
  fd_integration_dialog_note (self->webhook_group, secret_hint, "dim-label");
  fd_integration_dialog_error_note (self, self->webhook_group,
                                    (const char *[]){ "url", "secret", NULL });

  self->postgres_group = fd_integration_dialog_group (
      groups, _ ("PostgreSQL"),
      _ ("Readings, conditions and events are written into this database (see "
         "docs/integrations.md for its tables)."));
  self->dsn_row = ADW_PASSWORD_ENTRY_ROW (fd_integration_dialog_entry_row (
      self->postgres_group, adw_password_entry_row_new (), _ ("Connection (DSN)")));
  fd_integration_dialog_note (self->postgres_group,
                              self->integration != NULL
                                  ? _ ("Leave the DSN empty to keep the current connection.")
                                  : _ ("For example: host=127.0.0.1 dbname=fleet user=fleetdesk "
                                       "password=…"),
                              "dim-label");
  fd_integration_dialog_error_note (self, self->postgres_group, (const char *[]){ "dsn", NULL });
}

static void
fd_integration_dialog_headers (FdIntegrationDialog *self, GtkWidget *groups)
{
  GtkWidget *add = gtk_button_new_from_icon_name ("list-add-symbolic");

  self->headers_group = fd_integration_dialog_group (
      groups, _ ("Headers"), _ ("Sent with every request, for example Authorization."));
  gtk_widget_set_tooltip_text (add, _ ("Add Header"));
  gtk_accessible_update_property (GTK_ACCESSIBLE (add), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _ ("Add Header"), -1);
  gtk_widget_add_css_class (add, "flat");
  g_signal_connect_object (add, "clicked", G_CALLBACK (fd_integration_dialog_add_header_cb), self,
                           G_CONNECT_SWAPPED);
  adw_preferences_group_set_header_suffix (ADW_PREFERENCES_GROUP (self->headers_group), add);
  fd_integration_dialog_error_note (self, self->headers_group, (const char *[]){ "headers", NULL });
}

static void
fd_integration_dialog_events (FdIntegrationDialog *self, GtkWidget *groups)
{
  GtkWidget *group
      = fd_integration_dialog_group (groups, _ ("Events"), _ ("What this integration forwards."));

  for (guint i = 0; i < FD_INTEGRATION_N_KINDS; i++)
    {
      GtkWidget *row = adw_action_row_new ();
      GtkWidget *check = gtk_check_button_new ();

      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), fd_integration_kind_label (i));
      gtk_accessible_update_property (GTK_ACCESSIBLE (check), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                      fd_integration_kind_label (i), -1);
      gtk_widget_set_valign (check, GTK_ALIGN_CENTER);
      adw_action_row_add_prefix (ADW_ACTION_ROW (row), check);
      adw_action_row_set_activatable_widget (ADW_ACTION_ROW (row), check);
      g_signal_connect_object (check, "toggled", G_CALLBACK (fd_integration_dialog_check), self,
                               G_CONNECT_SWAPPED);
      self->kinds[i] = GTK_CHECK_BUTTON (check);
      adw_preferences_group_add (ADW_PREFERENCES_GROUP (group), row);
    }
  fd_integration_dialog_error_note (self, group, (const char *[]){ "kinds", NULL });
}

static void
fd_integration_dialog_filters (FdIntegrationDialog *self, GtkWidget *groups)
{
  GtkWidget *group = fd_integration_dialog_group (
      groups, _ ("Filters"),
      _ ("Only readings and conditions of these fleets and tags, separated by commas; empty "
         "forwards all."));

  self->fleets_row = ADW_ENTRY_ROW (
      fd_integration_dialog_entry_row (group, adw_entry_row_new (), _ ("Fleets (IDs)")));
  self->tags_row
      = ADW_ENTRY_ROW (fd_integration_dialog_entry_row (group, adw_entry_row_new (), _ ("Tags")));
  fd_integration_dialog_error_note (self, group, (const char *[]){ "fleets", "tags", NULL });

  group = fd_integration_dialog_group (groups, _ ("Batching"), NULL);
  fd_integration_dialog_spin_row (group, _ ("Batch Size"), NULL, 1, FD_INTEGRATION_BATCH_MAX,
                                  FD_INTEGRATION_BATCH_DEFAULT, &self->batch_max);
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->batch_max),
                               _ ("Most readings or events in one request"));
  fd_integration_dialog_spin_row (
      group, _ ("Max Delay"), _ ("Milliseconds a batch waits to fill up"), 0,
      FD_INTEGRATION_DELAY_MAX_MS, FD_INTEGRATION_DELAY_DEFAULT_MS, &self->batch_delay);
  fd_integration_dialog_error_note (
      self, group,
      (const char *[]){ "batch_max", "batch_delay_ms", "max_queued", "max_age_s", NULL });
}

static void
fd_integration_dialog_test (FdIntegrationDialog *self, GtkWidget *groups)
{
  GtkWidget *group = fd_integration_dialog_group (
      groups, _ ("Test"),
      _ ("Sends one integration.test event with the settings above; nothing is saved."));
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);

  self->test_button = gtk_button_new_with_mnemonic (_ ("Send _Test Event"));
  gtk_widget_set_valign (self->test_button, GTK_ALIGN_CENTER);
  self->test_label = GTK_LABEL (gtk_label_new (NULL));
  gtk_label_set_xalign (self->test_label, 0);
  gtk_label_set_wrap (self->test_label, TRUE);
  gtk_label_set_selectable (self->test_label, TRUE);
  gtk_widget_set_hexpand (GTK_WIDGET (self->test_label), TRUE);
  gtk_box_append (GTK_BOX (box), self->test_button);
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (self->test_label));
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (group), box);
}

void
fd_integration_dialog_build_view (FdIntegrationDialog *self)
{
  GtkWidget *toasts = adw_toast_overlay_new ();
  GtkWidget *content = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  GtkWidget *scrolled = gtk_scrolled_window_new ();
  GtkWidget *clamp = adw_clamp_new ();
  GtkWidget *groups = gtk_box_new (GTK_ORIENTATION_VERTICAL, 24);

  gtk_box_append (GTK_BOX (content), fd_integration_dialog_header (self));
  fd_integration_dialog_destination (self, groups);
  fd_integration_dialog_headers (self, groups);
  fd_integration_dialog_events (self, groups);
  fd_integration_dialog_filters (self, groups);
  fd_integration_dialog_test (self, groups);

  gtk_widget_set_margin_top (groups, 24);
  gtk_widget_set_margin_bottom (groups, 24);
  gtk_widget_set_margin_start (groups, 12);
  gtk_widget_set_margin_end (groups, 12);
  adw_clamp_set_maximum_size (ADW_CLAMP (clamp), 600);
  adw_clamp_set_child (ADW_CLAMP (clamp), groups);
  gtk_scrolled_window_set_policy (GTK_SCROLLED_WINDOW (scrolled), GTK_POLICY_NEVER,
                                  GTK_POLICY_AUTOMATIC);
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scrolled), clamp);
  gtk_widget_set_vexpand (scrolled, TRUE);
  gtk_box_append (GTK_BOX (content), scrolled);
  adw_toast_overlay_set_child (ADW_TOAST_OVERLAY (toasts), content);
  adw_window_set_content (ADW_WINDOW (self), toasts);
}
