/* fd-integrations-page-alerts.c — the Integrations pane's "Alerts" view and the desktop
 * notifications of alerts.
 *
 * An alert rule says: a condition of these tags open longer than a threshold is an alert (the
 * server's FdAlerts ticker decides). The view lists the workspace's rules, with how many
 * alerts each has active, "Add Alert Rule" and Delete, and the active alerts. They are read
 * when the workspace changes and again (within FD_INTEGRATIONS_PAGE_RELOAD_MS, however many
 * events come) after each alert event of the workspace. Every alert.triggered event, of any
 * workspace, is a notification (g_application_send_notification) with the id
 * "alert-<rule>-<device>-<condition uuid>", which alert.resolved withdraws.
 */
#include "config.h"

#include <glib/gi18n.h>

#include "fd-format.h"
#include "fd-integrations-format.h"
#include "fd-integrations-page-private.h"
#include "fd-json.h"
#include "fd-ui.h"

/* A rule's row keeps its id here, for Delete. */
#define FD_ALERT_RULE_ID_KEY "fd-alert-rule-id"

static GtkWidget *
fd_integrations_alerts_list (GtkWidget *group, const char *empty, const char *label)
{
  GtkWidget *list = gtk_list_box_new ();

  gtk_list_box_set_selection_mode (GTK_LIST_BOX (list), GTK_SELECTION_NONE);
  gtk_widget_add_css_class (list, "boxed-list");
  gtk_list_box_set_placeholder (GTK_LIST_BOX (list), fd_ui_list_placeholder_new (empty));
  gtk_accessible_update_property (GTK_ACCESSIBLE (list), GTK_ACCESSIBLE_PROPERTY_LABEL, label, -1);
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (group), list);
  return list;
}

GtkWidget *
fd_integrations_page_alerts_view (FdIntegrationsPage *self)
{
  GtkWidget *scrolled = gtk_scrolled_window_new ();
  GtkWidget *clamp = adw_clamp_new ();
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 24);
  GtkWidget *rules = adw_preferences_group_new ();
  GtkWidget *alerts = adw_preferences_group_new ();
  GtkWidget *add = gtk_button_new_with_mnemonic (_ ("Add Alert _Rule…"));

  adw_preferences_group_set_title (ADW_PREFERENCES_GROUP (rules), _ ("Alert Rules"));
  adw_preferences_group_set_description (
      ADW_PREFERENCES_GROUP (rules),
      _ ("A condition of these tags open longer than the threshold triggers an alert: a "
         "desktop notification, and an event for the integrations that forward Alerts."));
  gtk_widget_add_css_class (add, "suggested-action");
  gtk_widget_set_valign (add, GTK_ALIGN_CENTER);
  gtk_actionable_set_action_name (GTK_ACTIONABLE (add), "pane.add-alert-rule");
  adw_preferences_group_set_header_suffix (ADW_PREFERENCES_GROUP (rules), add);
  self->rules_list = GTK_LIST_BOX (
      fd_integrations_alerts_list (rules, _ ("No alert rules yet."), _ ("Alert Rules")));

  adw_preferences_group_set_title (ADW_PREFERENCES_GROUP (alerts), _ ("Active Alerts"));
  self->alerts_list = GTK_LIST_BOX (fd_integrations_alerts_list (
      alerts, _ ("No condition is open longer than its rule allows."), _ ("Active Alerts")));

  gtk_box_append (GTK_BOX (box), rules);
  gtk_box_append (GTK_BOX (box), alerts);
  gtk_widget_set_margin_top (box, 24);
  gtk_widget_set_margin_bottom (box, 24);
  gtk_widget_set_margin_start (box, 12);
  gtk_widget_set_margin_end (box, 12);
  adw_clamp_set_maximum_size (ADW_CLAMP (clamp), 800);
  adw_clamp_set_child (ADW_CLAMP (clamp), box);
  gtk_scrolled_window_set_policy (GTK_SCROLLED_WINDOW (scrolled), GTK_POLICY_NEVER,
                                  GTK_POLICY_AUTOMATIC);
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scrolled), clamp);
  gtk_widget_set_vexpand (scrolled, TRUE);
  return scrolled;
}

/* The rows */

static void fd_integrations_delete_rule_cb (FdIntegrationsPage *self, GtkButton *button);

static void
fd_integrations_show_rules (FdIntegrationsPage *self)
{
  fd_ui_list_box_remove_all (self->rules_list);
  for (guint i = 0; i < self->rules->len; i++)
    {
      JsonObject *rule = g_ptr_array_index (self->rules, i);
      GtkWidget *row = adw_action_row_new ();
      GtkWidget *active = gtk_label_new (NULL);
      GtkWidget *delete = gtk_button_new_from_icon_name ("user-trash-symbolic");
      g_autofree char *subtitle = fd_alerts_format_rule (rule);
      gint64 n = fd_json_get_int (rule, "active", 0);
      g_autofree char *count
          = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%'" G_GINT64_FORMAT " active",
                                          "%'" G_GINT64_FORMAT " active", n),
                             n);
      g_autofree char *title = g_markup_escape_text (fd_json_get_string (rule, "name") ?: "", -1);
      g_autofree char *escaped = g_markup_escape_text (subtitle, -1);

      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
      adw_action_row_set_subtitle (ADW_ACTION_ROW (row), escaped);
      gtk_label_set_label (GTK_LABEL (active), count);
      gtk_widget_add_css_class (active, n > 0 ? "warning" : "dim-label");
      adw_action_row_add_suffix (ADW_ACTION_ROW (row), active);
      gtk_widget_set_valign (delete, GTK_ALIGN_CENTER);
      gtk_widget_add_css_class (delete, "flat");
      gtk_widget_set_tooltip_text (delete, _ ("Delete Alert Rule…"));
      gtk_accessible_update_property (GTK_ACCESSIBLE (delete), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                      _ ("Delete Alert Rule…"), -1);
      g_object_set_data_full (G_OBJECT (delete), FD_ALERT_RULE_ID_KEY,
                              g_strdup (fd_json_get_string (rule, "id")), g_free);
      g_signal_connect_object (delete, "clicked", G_CALLBACK (fd_integrations_delete_rule_cb), self,
                               G_CONNECT_SWAPPED);
      adw_action_row_add_suffix (ADW_ACTION_ROW (row), delete);
      gtk_list_box_append (self->rules_list, row);
    }
}

static void
fd_integrations_show_alerts (FdIntegrationsPage *self)
{
  g_autoptr (GDateTime) now = g_date_time_new_now_utc ();

  fd_ui_list_box_remove_all (self->alerts_list);
  for (guint i = 0; i < self->alerts->len; i++)
    {
      JsonObject *alert = g_ptr_array_index (self->alerts, i);
      GtkWidget *row = adw_action_row_new ();
      GtkWidget *icon = gtk_image_new_from_icon_name ("dialog-warning-symbolic");
      g_autofree char *title = fd_alerts_format_title (alert);
      g_autofree char *since
          = fd_format_ago_rfc3339 (fd_json_get_string (alert, "condition_start"), now);
      g_autofree char *subtitle = g_strdup_printf (
          /* TRANSLATORS: an alert rule's name, then "5 min ago" */
          _ ("Rule “%s” · open since %s"), fd_json_get_string (alert, "rule_name") ?: "",
          since != NULL ? since : "?");
      g_autofree char *escaped_title = g_markup_escape_text (title, -1);
      g_autofree char *escaped = g_markup_escape_text (subtitle, -1);

      gtk_widget_add_css_class (icon, "warning");
      adw_action_row_add_prefix (ADW_ACTION_ROW (row), icon);
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), escaped_title);
      adw_action_row_set_subtitle (ADW_ACTION_ROW (row), escaped);
      gtk_list_box_append (self->alerts_list, row);
    }
}

/* Reading */

static void
fd_integrations_keep (GPtrArray *into, JsonArray *list)
{
  g_ptr_array_set_size (into, 0);
  for (guint i = 0; i < json_array_get_length (list); i++)
    {
      JsonNode *element = json_array_get_element (list, i);

      if (JSON_NODE_HOLDS_OBJECT (element))
        g_ptr_array_add (into, json_object_ref (json_node_get_object (element)));
    }
}

static void
fd_integrations_rules_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (FdIntegrationsPage) self = user_data;
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonNode) node = fd_api_client_request_finish (FD_API_CLIENT (source), result, &error);
  JsonArray *list = node != NULL ? fd_json_get_list (node, NULL, &error) : NULL;

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  if (list == NULL)
    {
      fd_ui_toast_error (GTK_WIDGET (self), error);
      return;
    }
  fd_integrations_keep (self->rules, list);
  fd_integrations_show_rules (self);
}

static void
fd_integrations_alerts_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (FdIntegrationsPage) self = user_data;
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonNode) node = fd_api_client_request_finish (FD_API_CLIENT (source), result, &error);
  JsonArray *list = node != NULL ? fd_json_get_list (node, NULL, &error) : NULL;

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  if (list == NULL)
    {
      fd_ui_toast_error (GTK_WIDGET (self), error);
      return;
    }
  fd_integrations_keep (self->alerts, list);
  fd_integrations_show_alerts (self);
}

static gboolean
fd_integrations_alerts_timeout_cb (gpointer data)
{
  FdIntegrationsPage *self = data;

  self->alerts_source = 0;
  fd_integrations_page_reload_alerts (self, FALSE);
  return G_SOURCE_REMOVE;
}

void
fd_integrations_page_reload_alerts (FdIntegrationsPage *self, gboolean soon)
{
  const char *workspace_id;
  g_autofree char *rules = NULL;
  g_autofree char *base = NULL;
  g_autoptr (GString) alerts = NULL;
  g_autofree char *size = g_strdup_printf ("%d", FD_INTEGRATIONS_PAGE_MAX_ALERTS);

  if (soon)
    {
      if (self->alerts_source == 0)
        self->alerts_source = g_timeout_add (FD_INTEGRATIONS_PAGE_RELOAD_MS / 2,
                                             fd_integrations_alerts_timeout_cb, self);
      return;
    }
  g_clear_handle_id (&self->alerts_source, g_source_remove);
  g_cancellable_cancel (self->alerts_cancellable);
  g_clear_object (&self->alerts_cancellable);
  self->alerts_cancellable = g_cancellable_new ();
  if (self->client == NULL || self->workspace == NULL)
    {
      g_ptr_array_set_size (self->rules, 0);
      g_ptr_array_set_size (self->alerts, 0);
      fd_integrations_show_rules (self);
      fd_integrations_show_alerts (self);
      return;
    }
  workspace_id = fd_workspace_get_id (self->workspace);
  base = fd_api_path ("workspaces", workspace_id, "alert-rules", NULL);
  rules = g_strdup_printf ("%s?size=%d", base, FD_INTEGRATIONS_PAGE_MAX);
  fd_api_client_request_async (self->client, "GET", rules, NULL, self->alerts_cancellable,
                               fd_integrations_rules_cb, g_object_ref (self));
  g_clear_pointer (&base, g_free);
  base = fd_api_path ("workspaces", workspace_id, "alerts", NULL);
  alerts = g_string_new (base);
  fd_api_path_add_query (alerts, "state", "active");
  fd_api_path_add_query (alerts, "size", size);
  fd_api_client_request_async (self->client, "GET", alerts->str, NULL, self->alerts_cancellable,
                               fd_integrations_alerts_cb, g_object_ref (self));
}

/* Notifications */

void
fd_integrations_page_alert_event_cb (FdIntegrationsPage *self, const char *type,
                                     const char *workspace_id, JsonObject *alert)
{
  GApplication *application = g_application_get_default ();
  g_autofree char *id = fd_alerts_notification_id (alert);

  if (self->workspace != NULL
      && (workspace_id == NULL
          || g_strcmp0 (workspace_id, fd_workspace_get_id (self->workspace)) == 0))
    fd_integrations_page_reload_alerts (self, TRUE);
  if (application == NULL || id == NULL)
    return;

  if (g_str_equal (type, "alert.triggered"))
    {
      g_autoptr (GNotification) notification = NULL;
      g_autofree char *title = fd_alerts_format_title (alert);
      g_autofree char *body = NULL;
      g_autoptr (GDateTime) now = g_date_time_new_now_utc ();
      g_autofree char *since
          = fd_format_ago_rfc3339 (fd_json_get_string (alert, "condition_start"), now);

      body = g_strdup_printf (_ ("Alert rule “%s”: open since %s."),
                              fd_json_get_string (alert, "rule_name") ?: "",
                              since != NULL ? since : "?");
      notification = g_notification_new (title);
      g_notification_set_body (notification, body);
      g_notification_set_priority (notification, G_NOTIFICATION_PRIORITY_HIGH);
      g_notification_set_default_action (notification, "app.show-alerts");
      g_application_send_notification (application, id, notification);
      self->notifications++;
    }
  else if (g_str_equal (type, "alert.resolved"))
    {
      g_application_withdraw_notification (application, id);
      self->withdrawn++;
    }
}

/* Adding and deleting rules */

static void
fd_integrations_rule_added_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (FdIntegrationsPage) self = user_data;
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonNode) node = fd_api_client_request_finish (FD_API_CLIENT (source), result, &error);
  JsonObject *details = fd_api_client_get_error_details (result);
  g_autofree char *message = NULL;

  if (error != NULL)
    {
      const char *field = fd_json_get_string (details, "field");

      /* TRANSLATORS: a field of "Add Alert Rule" (tags, name), then the server's message */
      message = field != NULL
                    ? g_strdup_printf (_ ("Alert rule not added: %s: %s"), field, error->message)
                    : g_strdup_printf (_ ("Alert rule not added: %s"), error->message);
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        fd_ui_toast (GTK_WIDGET (self), message);
      return;
    }
  message = g_strdup_printf (_ ("Alert rule “%s” added"),
                             fd_json_get_string (json_node_get_object (node), "name"));
  fd_ui_toast (GTK_WIDGET (self), message);
  fd_integrations_page_reload_alerts (self, FALSE);
}

static void
fd_integrations_add_rule_response_cb (AdwMessageDialog *dialog, const char *response,
                                      FdIntegrationsPage *self)
{
  AdwEntryRow *name_row = g_object_get_data (G_OBJECT (dialog), "fd-name-row");
  AdwEntryRow *tags_row = g_object_get_data (G_OBJECT (dialog), "fd-tags-row");
  GtkSpinButton *minutes = g_object_get_data (G_OBJECT (dialog), "fd-minutes");
  g_autofree char *name = NULL;
  g_auto (GStrv) tags = NULL;
  JsonObject *body;
  JsonArray *array;
  g_autoptr (JsonNode) node = NULL;
  g_autofree char *path = NULL;

  if (!g_str_equal (response, "accept") || self->workspace == NULL || self->client == NULL)
    return;
  name = fd_ui_dup_trimmed_text (GTK_EDITABLE (name_row));
  tags = g_regex_split_simple ("[\\s,]+", gtk_editable_get_text (GTK_EDITABLE (tags_row)), 0, 0);
  body = json_object_new ();
  array = json_array_new ();
  json_object_set_string_member (body, "name", name);
  for (guint i = 0; tags[i] != NULL; i++)
    if (*tags[i] != '\0')
      json_array_add_string_element (array, tags[i]);
  json_object_set_array_member (body, "tags", array);
  json_object_set_int_member (body, "open_longer_than_s",
                              (gint64)gtk_spin_button_get_value_as_int (minutes) * 60);
  node = json_node_init_object (json_node_alloc (), body);
  json_object_unref (body);
  path = fd_api_path ("workspaces", fd_workspace_get_id (self->workspace), "alert-rules", NULL);
  fd_api_client_request_async (self->client, "POST", path, node, self->cancellable,
                               fd_integrations_rule_added_cb, g_object_ref (self));
}

void
fd_integrations_page_add_rule (GtkWidget *widget, const char *action, GVariant *param)
{
  FdIntegrationsPage *self = FD_INTEGRATIONS_PAGE (widget);
  GtkWidget *tags = adw_entry_row_new ();
  GtkWidget *minutes_row = adw_action_row_new ();
  GtkWidget *minutes = gtk_spin_button_new_with_range (1, FD_ALERT_RULE_MAX_MINUTES, 1);
  AdwEntryRow *name_row = NULL;
  AdwMessageDialog *dialog;

  if (self->workspace == NULL)
    return;
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (tags), _ ("Condition Tags"));
  gtk_widget_set_tooltip_text (tags, _ ("Tags separated by commas, for example battery_low"));
  dialog = fd_ui_name_dialog_new (
      widget, _ ("Add Alert Rule"),
      _ ("Alert when a condition of these tags stays open longer than the time below."), NULL,
      _ ("_Add"), tags, &name_row);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (minutes_row), _ ("Open Longer Than"));
  adw_action_row_set_subtitle (ADW_ACTION_ROW (minutes_row), _ ("Minutes"));
  gtk_spin_button_set_value (GTK_SPIN_BUTTON (minutes), 10);
  gtk_widget_set_valign (minutes, GTK_ALIGN_CENTER);
  gtk_accessible_update_property (GTK_ACCESSIBLE (minutes), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _ ("Open Longer Than, in Minutes"), -1);
  adw_action_row_add_suffix (ADW_ACTION_ROW (minutes_row), minutes);
  adw_action_row_set_activatable_widget (ADW_ACTION_ROW (minutes_row), minutes);
  /* Below the tags, in the dialog's list of rows. */
  gtk_list_box_append (GTK_LIST_BOX (gtk_widget_get_parent (tags)), minutes_row);
  g_object_set_data (G_OBJECT (dialog), "fd-name-row", name_row);
  g_object_set_data (G_OBJECT (dialog), "fd-tags-row", tags);
  g_object_set_data (G_OBJECT (dialog), "fd-minutes", minutes);
  g_signal_connect_object (dialog, "response", G_CALLBACK (fd_integrations_add_rule_response_cb),
                           self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
fd_integrations_rule_deleted_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (FdIntegrationsPage) self = user_data;
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonNode) node = fd_api_client_request_finish (FD_API_CLIENT (source), result, &error);

  if (error != NULL)
    fd_ui_toast_error (GTK_WIDGET (self), error);
  else
    fd_ui_toast (GTK_WIDGET (self), _ ("Alert rule deleted"));
  fd_integrations_page_reload_alerts (self, FALSE);
}

static void
fd_integrations_delete_rule_response_cb (AdwMessageDialog *dialog, const char *response,
                                         FdIntegrationsPage *self)
{
  const char *id = g_object_get_data (G_OBJECT (dialog), FD_ALERT_RULE_ID_KEY);
  g_autofree char *path = NULL;

  if (!g_str_equal (response, "accept") || id == NULL || self->client == NULL)
    return;
  /* The server deletes the rule's alerts without alert.resolved: their notifications go now. */
  for (guint i = 0; i < self->alerts->len; i++)
    {
      JsonObject *alert = g_ptr_array_index (self->alerts, i);
      g_autofree char *notification = fd_alerts_notification_id (alert);

      if (notification != NULL && g_application_get_default () != NULL
          && g_strcmp0 (fd_json_get_string (alert, "rule_id"), id) == 0)
        g_application_withdraw_notification (g_application_get_default (), notification);
    }
  path = fd_api_path ("alert-rules", id, NULL);
  fd_api_client_request_async (self->client, "DELETE", path, NULL, self->cancellable,
                               fd_integrations_rule_deleted_cb, g_object_ref (self));
}

static void
fd_integrations_delete_rule_cb (FdIntegrationsPage *self, GtkButton *button)
{
  const char *id = g_object_get_data (G_OBJECT (button), FD_ALERT_RULE_ID_KEY);
  const char *name = id;
  g_autofree char *heading = NULL;
  AdwMessageDialog *dialog;

  for (guint i = 0; i < self->rules->len; i++)
    if (g_strcmp0 (fd_json_get_string (g_ptr_array_index (self->rules, i), "id"), id) == 0)
      name = fd_json_get_string (g_ptr_array_index (self->rules, i), "name");
  heading = g_strdup_printf (_ ("Delete Alert Rule “%s”?"), name);
  dialog = fd_ui_confirm_dialog_new (
      GTK_WIDGET (self), heading,
      _ ("No more alerts are raised for its conditions, and its active alerts are closed."),
      _ ("_Delete"));
  g_object_set_data_full (G_OBJECT (dialog), FD_ALERT_RULE_ID_KEY, g_strdup (id), g_free);
  g_signal_connect_object (dialog, "response", G_CALLBACK (fd_integrations_delete_rule_response_cb),
                           self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

/* Public API */

GPtrArray *
fd_integrations_page_get_alert_rules (FdIntegrationsPage *self)
{
  g_return_val_if_fail (FD_IS_INTEGRATIONS_PAGE (self), NULL);
  return self->rules;
}

GPtrArray *
fd_integrations_page_get_alerts (FdIntegrationsPage *self)
{
  g_return_val_if_fail (FD_IS_INTEGRATIONS_PAGE (self), NULL);
  return self->alerts;
}

guint
fd_integrations_page_get_notifications (FdIntegrationsPage *self, guint *withdrawn)
{
  g_return_val_if_fail (FD_IS_INTEGRATIONS_PAGE (self), 0);
  if (withdrawn != NULL)
    *withdrawn = self->withdrawn;
  return self->notifications;
}

void
fd_integrations_page_alerts_dispose (FdIntegrationsPage *self)
{
  g_cancellable_cancel (self->alerts_cancellable);
  g_clear_object (&self->alerts_cancellable);
  g_clear_handle_id (&self->alerts_source, g_source_remove);
  g_clear_pointer (&self->rules, g_ptr_array_unref);
  g_clear_pointer (&self->alerts, g_ptr_array_unref);
}
