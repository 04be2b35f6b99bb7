/* fd-device-detail-page-variables.c — the device page's "Variables": each key the server asks
 * the device to hold (expected) and what the device last reported of it, with a visible "Not
 * Applied Yet" until the device reports the key after it was set; "Set Variable…", change and
 * remove.
 *
 * The list is read when the device is shown and again after variable.updated events of this
 * device, coalesced (FD_DEVICE_VARIABLES_RELOAD_MS, one read at a time): a variable set on a
 * whole fleet sends an event per device, but this page reads once.
 */
#include "config.h"

#include <glib/gi18n.h>

#include "fd-device-detail-page-private.h"
#include "fd-json.h"
#include "fd-ui.h"

#define FD_DEVICE_VARIABLES_RELOAD_MS 200
/* The API's bounds on a variable's key. */
#define FD_VARIABLE_KEY_MAX 64
/* Values longer than this are cut in the row (the tooltip has them whole). */
#define FD_VARIABLE_VALUE_MAX_CHARS 80

/* One request about one variable of the device shown when it began. */
typedef struct
{
  FdDeviceDetailPage *self;
  GCancellable *cancellable; /* the page's, for this device */
  char *key;
  AdwEntryRow *key_row;
  AdwEntryRow *value_row;
  GtkLabel *error_label;
} FdVariableAction;

static FdVariableAction *
fd_variable_action_new (FdDeviceDetailPage *self, const char *key)
{
  FdVariableAction *action = g_new0 (FdVariableAction, 1);

  action->self = g_object_ref (self);
  action->cancellable = g_object_ref (self->cancellable);
  action->key = g_strdup (key);
  return action;
}

static void
fd_variable_action_free (FdVariableAction *action)
{
  g_object_unref (action->self);
  g_object_unref (action->cancellable);
  g_free (action->key);
  g_free (action);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (FdVariableAction, fd_variable_action_free)

/* What the API takes as a variable's key. NULL if valid, else why. */
static const char *
fd_variable_key_problem (const char *key)
{
  if (*key == '\0')
    return _ ("The variable needs a key.");
  if (g_utf8_strlen (key, -1) > FD_VARIABLE_KEY_MAX)
    return _ ("A key has at most 64 characters.");
  for (const char *c = key; *c != '\0'; c = g_utf8_next_char (c))
    if (g_unichar_iscntrl (g_utf8_get_char (c)))
      return _ ("A key has no control characters.");
  if (key[0] == '@' || key[0] == '#' || key[0] == '_')
    return _ ("Keys starting with “@”, “#” or “_” are the protocol’s own (jobs, requests, "
              "device reports).");
  if (g_str_equal (key, "condition") || g_str_equal (key, "event"))
    return _ ("“condition” and “event” are the protocol’s own keys.");
  return NULL;
}

/* A JSON value on one line, cut to @max characters (0: whole). */
static char *
fd_variable_format_value (JsonObject *holder, guint max)
{
  JsonNode *value = holder != NULL ? json_object_get_member (holder, "value") : NULL;
  g_autofree char *text = NULL;

  if (value == NULL)
    return NULL;
  text = json_to_string (value, FALSE);
  if (max > 0 && g_utf8_strlen (text, -1) > max)
    {
      *g_utf8_offset_to_pointer (text, max) = '\0';
      return g_strconcat (text, "…", NULL);
    }
  return g_steal_pointer (&text);
}

/* The rows */

void
fd_device_detail_page_clear_variables (FdDeviceDetailPage *self)
{
  GHashTableIter iter;
  gpointer row;

  g_clear_handle_id (&self->variables_source, g_source_remove);
  self->variables_loading = FALSE;
  self->variables_again = FALSE;
  g_hash_table_iter_init (&iter, self->variable_rows);
  while (g_hash_table_iter_next (&iter, NULL, &row))
    gtk_list_box_remove (self->variables_list, row);
  g_hash_table_remove_all (self->variable_rows);
}

static GtkWidget *
fd_variable_button (const char *icon, const char *tooltip, const char *action, const char *key)
{
  GtkWidget *button = gtk_button_new_from_icon_name (icon);

  gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
  gtk_widget_set_tooltip_text (button, tooltip);
  gtk_accessible_update_property (GTK_ACCESSIBLE (button), GTK_ACCESSIBLE_PROPERTY_LABEL, tooltip,
                                  -1);
  gtk_widget_add_css_class (button, "flat");
  gtk_actionable_set_action_name (GTK_ACTIONABLE (button), action);
  gtk_actionable_set_action_target (GTK_ACTIONABLE (button), "s", key);
  return button;
}

static GtkWidget *
fd_variable_row_new (const char *key)
{
  GtkWidget *row = adw_action_row_new ();
  GtkWidget *state = gtk_label_new (NULL);
  GtkWidget *remove;

  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), key);
  adw_action_row_set_subtitle_lines (ADW_ACTION_ROW (row), 2);
  gtk_widget_add_css_class (state, "fd-variable-state");
  gtk_widget_set_valign (state, GTK_ALIGN_CENTER);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), state);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row),
                             fd_variable_button ("document-edit-symbolic", _ ("Change Value"),
                                                 "detail.edit-variable", key));
  remove = fd_variable_button ("user-trash-symbolic", _ ("Remove Variable"),
                               "detail.remove-variable", key);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), remove);
  g_object_set_data (G_OBJECT (row), "fd-state-label", state);
  g_object_set_data (G_OBJECT (row), "fd-remove", remove);
  return row;
}

static void
fd_variable_row_update (GtkWidget *row, JsonObject *variable)
{
  JsonObject *expected = fd_json_get_member_object (variable, "expected");
  JsonObject *reported = fd_json_get_member_object (variable, "reported");
  const char *state = fd_json_get_string (variable, "state");
  GtkWidget *label = g_object_get_data (G_OBJECT (row), "fd-state-label");
  g_autofree char *asked = fd_variable_format_value (expected, FD_VARIABLE_VALUE_MAX_CHARS);
  g_autofree char *has = fd_variable_format_value (reported, FD_VARIABLE_VALUE_MAX_CHARS);
  g_autofree char *asked_whole = fd_variable_format_value (expected, 0);
  g_autofree char *has_whole = fd_variable_format_value (reported, 0);
  g_autofree char *set_at = fd_json_format_time (fd_json_get_string (expected, "set_at"));
  g_autofree char *subtitle = NULL;
  g_autofree char *tooltip = NULL;

  if (asked != NULL && has != NULL)
    /* TRANSLATORS: a variable's value as set, then as the device last reported it */
    subtitle = g_strdup_printf (_ ("Set to %s · the device reported %s"), asked, has);
  else if (asked != NULL)
    /* TRANSLATORS: a variable's value as set; the device never reported the key */
    subtitle = g_strdup_printf (_ ("Set to %s · not reported by the device"), asked);
  else
    subtitle = g_strdup_printf (_ ("Reported by the device: %s"), has != NULL ? has : "null");
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
  gtk_widget_set_tooltip_text (row, asked_whole != NULL ? asked_whole : has_whole);
  /* What "Change Value" starts from. */
  g_object_set_data_full (G_OBJECT (row), "fd-value",
                          g_strdup (asked_whole != NULL ? asked_whole : has_whole), g_free);

  gtk_widget_remove_css_class (label, "warning");
  gtk_widget_remove_css_class (label, "success");
  gtk_widget_remove_css_class (label, "dim-label");
  if (g_strcmp0 (state, "pending") == 0)
    {
      gtk_label_set_label (GTK_LABEL (label), _ ("Not Applied Yet"));
      gtk_widget_add_css_class (label, "warning");
      /* TRANSLATORS: the tooltip of "Not Applied Yet": when the value was set */
      tooltip = g_strdup_printf (_ ("The device has not reported this value since it was set (%s)"),
                                 set_at != NULL ? set_at : "");
    }
  else if (g_strcmp0 (state, "applied") == 0)
    {
      gtk_label_set_label (GTK_LABEL (label), C_ ("variable", "Applied"));
      gtk_widget_add_css_class (label, "success");
      tooltip = g_strdup (_ ("The device reported the key after it was set"));
    }
  else
    {
      gtk_label_set_label (GTK_LABEL (label), C_ ("variable", "Reported"));
      gtk_widget_add_css_class (label, "dim-label");
      tooltip = g_strdup (_ ("The device reports this key; the server does not ask for a value"));
    }
  gtk_widget_set_tooltip_text (label, tooltip);
  g_object_set_data_full (G_OBJECT (row), "fd-state", g_strdup (state), g_free);

  /* Only what the server asks for can be withdrawn. */
  gtk_widget_set_visible (g_object_get_data (G_OBJECT (row), "fd-remove"), expected != NULL);
}

const char *
fd_device_detail_page_get_variable_state (FdDeviceDetailPage *self, const char *key)
{
  GtkWidget *row;

  g_return_val_if_fail (FD_IS_DEVICE_DETAIL_PAGE (self), NULL);
  row = g_hash_table_lookup (self->variable_rows, key);
  return row != NULL ? g_object_get_data (G_OBJECT (row), "fd-state") : NULL;
}

/* Reading */

static void
fd_device_detail_page_variables_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (FdVariableAction) action = user_data;
  FdDeviceDetailPage *self = action->self;
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonNode) node = fd_api_client_request_finish (FD_API_CLIENT (source), result, &error);
  JsonArray *items = error == NULL ? fd_json_get_list (node, NULL, &error) : NULL;
  g_autoptr (GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);
  GHashTableIter iter;
  gpointer key, row;

  if (g_cancellable_is_cancelled (action->cancellable))
    return;
  self->variables_loading = FALSE;
  if (items == NULL)
    {
      /* A server without variables (404 on the route) shows the empty list. */
      if (!g_error_matches (error, FD_API_ERROR, FD_API_ERROR_NOT_FOUND))
        fd_ui_toast_error (GTK_WIDGET (self), error);
      return;
    }

  for (guint i = 0; i < json_array_get_length (items); i++)
    {
      JsonNode *element = json_array_get_element (items, i);
      JsonObject *variable
          = JSON_NODE_HOLDS_OBJECT (element) ? json_node_get_object (element) : NULL;
      const char *name = fd_json_get_string (variable, "key");

      if (name == NULL)
        continue;
      row = g_hash_table_lookup (self->variable_rows, name);
      if (row == NULL)
        {
          row = fd_variable_row_new (name);
          g_hash_table_insert (self->variable_rows, g_strdup (name), row);
          gtk_list_box_append (self->variables_list, row);
        }
      g_hash_table_add (seen, (gpointer)adw_preferences_row_get_title (row));
      fd_variable_row_update (row, variable);
    }
  g_hash_table_iter_init (&iter, self->variable_rows);
  while (g_hash_table_iter_next (&iter, &key, &row))
    if (!g_hash_table_contains (seen, key))
      {
        gtk_list_box_remove (self->variables_list, row);
        g_hash_table_iter_remove (&iter);
      }

  if (self->variables_again)
    {
      self->variables_again = FALSE;
      fd_device_detail_page_load_variables (self);
    }
}

void
fd_device_detail_page_load_variables (FdDeviceDetailPage *self)
{
  g_autofree char *path = NULL;

  if (self->client == NULL || self->device == NULL)
    return;
  if (self->variables_loading)
    {
      self->variables_again = TRUE;
      return;
    }
  self->variables_loading = TRUE;
  path = fd_api_path ("devices", fd_device_get_id (self->device), "variables", NULL);
  fd_api_client_request_async (self->client, "GET", path, NULL, self->cancellable,
                               fd_device_detail_page_variables_cb,
                               fd_variable_action_new (self, NULL));
}

static gboolean
fd_device_detail_page_variables_later_cb (gpointer data)
{
  FdDeviceDetailPage *self = data;

  self->variables_source = 0;
  fd_device_detail_page_load_variables (self);
  return G_SOURCE_REMOVE;
}

static void
fd_device_detail_page_variable_event_cb (FdDeviceDetailPage *self, const char *device_id,
                                         JsonObject *data)
{
  if (self->device == NULL || g_strcmp0 (fd_device_get_id (self->device), device_id) != 0
      || self->variables_source != 0)
    return;
  self->variables_source = g_timeout_add (FD_DEVICE_VARIABLES_RELOAD_MS,
                                          fd_device_detail_page_variables_later_cb, self);
}

void
fd_device_detail_page_connect_variables (FdDeviceDetailPage *self, FdEventsClient *events)
{
  g_signal_connect_object (events, "variable", G_CALLBACK (fd_device_detail_page_variable_event_cb),
                           self, G_CONNECT_SWAPPED);
}

/* Set and change */

static void
fd_device_detail_page_variable_set_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (FdVariableAction) action = user_data;
  FdDeviceDetailPage *self = action->self;
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonNode) node = fd_api_client_request_finish (FD_API_CLIENT (source), result, &error);
  JsonObject *answer = error == NULL ? fd_json_get_object (node, &error) : NULL;
  gboolean delivered = FALSE;
  g_autofree char *message = NULL;

  if (g_cancellable_is_cancelled (action->cancellable))
    return;
  if (answer == NULL)
    {
      fd_ui_toast_error (GTK_WIDGET (self), error);
      return;
    }
  fd_json_update_boolean (answer, "delivered", &delivered);
  if (delivered)
    message = g_strdup_printf (_ ("“%s” sent to the device"), action->key);
  else
    message
        = g_strdup_printf (_ ("“%s” set: the device gets it when it next connects"), action->key);
  fd_ui_toast (GTK_WIDGET (self), message);
  fd_device_detail_page_load_variables (self);
}

/* The value row's text as JSON; NULL with @message when it is not. A bare word that is not
 * JSON is not taken as a string: "on" and "\"on\"" mean different things to a device. */
static JsonNode *
fd_variable_parse_value (const char *text, const char **message)
{
  g_autoptr (JsonParser) parser = json_parser_new ();

  if (*text == '\0')
    {
      *message = _ ("The value is JSON: a number, true, false, null, \"text\", [ … ] or { … }.");
      return NULL;
    }
  if (!json_parser_load_from_data (parser, text, -1, NULL) || json_parser_get_root (parser) == NULL)
    {
      *message = _ ("Not JSON. Write text in quotes (\"on\"), and numbers, true, false and "
                    "null as they are.");
      return NULL;
    }
  return json_node_copy (json_parser_get_root (parser));
}

static void
fd_variable_dialog_check_cb (AdwMessageDialog *dialog)
{
  FdVariableAction *action = g_object_get_data (G_OBJECT (dialog), "fd-action");
  g_autofree char *key = fd_ui_dup_trimmed_text (GTK_EDITABLE (action->key_row));
  g_autofree char *text = fd_ui_dup_trimmed_text (GTK_EDITABLE (action->value_row));
  const char *problem = fd_variable_key_problem (key);
  const char *value_problem = NULL;
  g_autoptr (JsonNode) value = NULL;

  if (problem == NULL)
    {
      value = fd_variable_parse_value (text, &value_problem);
      /* An empty value is not an error yet: the user has not typed it. */
      problem = *text != '\0' ? value_problem : NULL;
    }
  else if (*key == '\0')
    problem = NULL;
  gtk_label_set_label (action->error_label, problem != NULL ? problem : "");
  gtk_widget_set_visible (GTK_WIDGET (action->error_label), problem != NULL);
  adw_message_dialog_set_response_enabled (dialog, "set", value != NULL);
}

static void
fd_variable_dialog_response_cb (AdwMessageDialog *dialog, const char *response)
{
  FdVariableAction *action = g_object_get_data (G_OBJECT (dialog), "fd-action");
  FdDeviceDetailPage *self = action->self;
  g_autofree char *key = fd_ui_dup_trimmed_text (GTK_EDITABLE (action->key_row));
  g_autofree char *text = fd_ui_dup_trimmed_text (GTK_EDITABLE (action->value_row));
  const char *problem = NULL;
  JsonNode *value;
  g_autoptr (JsonNode) body = NULL;
  g_autofree char *path = NULL;
  FdVariableAction *request;
  JsonObject *object;

  if (g_strcmp0 (response, "set") != 0 || fd_variable_key_problem (key) != NULL
      || g_cancellable_is_cancelled (action->cancellable))
    return;
  value = fd_variable_parse_value (text, &problem);
  if (value == NULL)
    return;
  object = json_object_new ();
  json_object_set_member (object, "value", value);
  body = json_node_init_object (json_node_alloc (), object);
  json_object_unref (object);
  request = fd_variable_action_new (self, key);
  path = fd_api_path ("devices", fd_device_get_id (self->device), "variables", key, NULL);
  fd_api_client_request_async (self->client, "PUT", path, body, self->cancellable,
                               fd_device_detail_page_variable_set_cb, request);
}

static GtkWidget *
fd_variable_entry_row (const char *title, const char *text, AdwEntryRow **row)
{
  *row = ADW_ENTRY_ROW (adw_entry_row_new ());
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (*row), title);
  gtk_editable_set_text (GTK_EDITABLE (*row), text != NULL ? text : "");
  return GTK_WIDGET (*row);
}

static void
fd_device_detail_page_variable_dialog (FdDeviceDetailPage *self, const char *key, const char *value)
{
  FdVariableAction *action = fd_variable_action_new (self, key);
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 12);
  GtkWidget *list = gtk_list_box_new ();
  AdwMessageDialog *dialog;
  g_autofree char *heading = NULL;

  if (key != NULL)
    heading = g_strdup_printf (_ ("Change “%s”"), key);
  dialog = ADW_MESSAGE_DIALOG (adw_message_dialog_new (
      GTK_WINDOW (gtk_widget_get_root (GTK_WIDGET (self))),
      heading != NULL ? heading : _ ("Set Variable"),
      _ ("The device is asked to apply the value; it shows as not applied until the device "
         "reports the key back.")));
  adw_message_dialog_add_responses (dialog, "cancel", _ ("_Cancel"), "set", _ ("_Set"), NULL);
  adw_message_dialog_set_response_appearance (dialog, "set", ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_default_response (dialog, "set");
  adw_message_dialog_set_close_response (dialog, "cancel");

  gtk_list_box_set_selection_mode (GTK_LIST_BOX (list), GTK_SELECTION_NONE);
  gtk_widget_add_css_class (list, "boxed-list");
  gtk_list_box_append (GTK_LIST_BOX (list),
                       fd_variable_entry_row (_ ("Key"), key, &action->key_row));
  gtk_list_box_append (GTK_LIST_BOX (list),
                       fd_variable_entry_row (_ ("Value (JSON)"), value, &action->value_row));
  gtk_widget_set_sensitive (GTK_WIDGET (action->key_row), key == NULL);
  gtk_box_append (GTK_BOX (box), list);
  action->error_label = GTK_LABEL (gtk_label_new (NULL));
  gtk_label_set_wrap (action->error_label, TRUE);
  gtk_label_set_xalign (action->error_label, 0);
  gtk_widget_add_css_class (GTK_WIDGET (action->error_label), "error");
  gtk_widget_set_visible (GTK_WIDGET (action->error_label), FALSE);
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (action->error_label));
  adw_message_dialog_set_extra_child (dialog, box);

  g_object_set_data_full (G_OBJECT (dialog), "fd-action", action,
                          (GDestroyNotify)fd_variable_action_free);
  g_signal_connect_swapped (action->key_row, "changed", G_CALLBACK (fd_variable_dialog_check_cb),
                            dialog);
  g_signal_connect_swapped (action->value_row, "changed", G_CALLBACK (fd_variable_dialog_check_cb),
                            dialog);
  g_signal_connect (dialog, "response", G_CALLBACK (fd_variable_dialog_response_cb), NULL);
  fd_variable_dialog_check_cb (dialog);
  gtk_window_present (GTK_WINDOW (dialog));
  gtk_widget_grab_focus (GTK_WIDGET (key != NULL ? action->value_row : action->key_row));
}

static void
fd_device_detail_page_set_variable (GtkWidget *widget, const char *action_name, GVariant *param)
{
  FdDeviceDetailPage *self = FD_DEVICE_DETAIL_PAGE (widget);

  if (self->client != NULL && self->device != NULL)
    fd_device_detail_page_variable_dialog (self, NULL, NULL);
}

static void
fd_device_detail_page_edit_variable (GtkWidget *widget, const char *action_name, GVariant *param)
{
  FdDeviceDetailPage *self = FD_DEVICE_DETAIL_PAGE (widget);
  const char *key = g_variant_get_string (param, NULL);
  GtkWidget *row = g_hash_table_lookup (self->variable_rows, key);
  const char *value = row != NULL ? g_object_get_data (G_OBJECT (row), "fd-value") : NULL;

  if (self->client != NULL && self->device != NULL)
    fd_device_detail_page_variable_dialog (self, key, value);
}

/* Remove */

static void
fd_device_detail_page_variable_removed_cb (GObject *source, GAsyncResult *result,
                                           gpointer user_data)
{
  g_autoptr (FdVariableAction) action = user_data;
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonNode) node = fd_api_client_request_finish (FD_API_CLIENT (source), result, &error);
  g_autofree char *message = NULL;

  if (g_cancellable_is_cancelled (action->cancellable))
    return;
  if (error != NULL)
    {
      fd_ui_toast_error (GTK_WIDGET (action->self), error);
      return;
    }
  message = g_strdup_printf (_ ("Variable “%s” removed"), action->key);
  fd_ui_toast (GTK_WIDGET (action->self), message);
  fd_device_detail_page_load_variables (action->self);
}

static void
fd_variable_remove_response_cb (AdwMessageDialog *dialog, const char *response)
{
  FdVariableAction *action = g_object_get_data (G_OBJECT (dialog), "fd-action");
  FdDeviceDetailPage *self = action->self;
  g_autofree char *path = NULL;

  if (g_strcmp0 (response, "accept") != 0 || g_cancellable_is_cancelled (action->cancellable))
    return;
  path = fd_api_path ("devices", fd_device_get_id (self->device), "variables", action->key, NULL);
  fd_api_client_request_async (self->client, "DELETE", path, NULL, self->cancellable,
                               fd_device_detail_page_variable_removed_cb,
                               fd_variable_action_new (self, action->key));
}

static void
fd_device_detail_page_remove_variable (GtkWidget *widget, const char *action_name, GVariant *param)
{
  FdDeviceDetailPage *self = FD_DEVICE_DETAIL_PAGE (widget);
  const char *key = g_variant_get_string (param, NULL);
  g_autofree char *heading = NULL;
  g_autofree char *body = NULL;
  AdwMessageDialog *dialog;

  if (self->client == NULL || self->device == NULL)
    return;
  heading = g_strdup_printf (_ ("Remove Variable “%s”?"), key);
  body = g_strdup_printf (_ ("The server stops asking “%s” to hold this value. The device keeps "
                             "what it already applied."),
                          fd_device_get_name (self->device));
  dialog = fd_ui_confirm_dialog_new (widget, heading, body, _ ("_Remove"));
  g_object_set_data_full (G_OBJECT (dialog), "fd-action", fd_variable_action_new (self, key),
                          (GDestroyNotify)fd_variable_action_free);
  g_signal_connect (dialog, "response", G_CALLBACK (fd_variable_remove_response_cb), NULL);
  gtk_window_present (GTK_WINDOW (dialog));
}

void
fd_device_detail_page_class_init_variables (GtkWidgetClass *widget_class)
{
  gtk_widget_class_install_action (widget_class, "detail.set-variable", NULL,
                                   fd_device_detail_page_set_variable);
  gtk_widget_class_install_action (widget_class, "detail.edit-variable", "s",
                                   fd_device_detail_page_edit_variable);
  gtk_widget_class_install_action (widget_class, "detail.remove-variable", "s",
                                   fd_device_detail_page_remove_variable);
}

void
fd_device_detail_page_init_variables (FdDeviceDetailPage *self)
{
  GtkWidget *placeholder = gtk_label_new (
      _ ("No variables. Set one to have the device hold a value, such as a setpoint."));

  self->variable_rows = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  gtk_label_set_wrap (GTK_LABEL (placeholder), TRUE);
  gtk_widget_add_css_class (placeholder, "dim-label");
  gtk_widget_set_margin_top (placeholder, 18);
  gtk_widget_set_margin_bottom (placeholder, 18);
  gtk_widget_set_margin_start (placeholder, 12);
  gtk_widget_set_margin_end (placeholder, 12);
  gtk_list_box_set_placeholder (self->variables_list, placeholder);
}
