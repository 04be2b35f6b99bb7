/* fd-conditions-page-notify.c — desktop notifications when a condition of a chosen tag opens.
 *
 * The chosen tags are the GSettings key notify-condition-tags, edited in the pane's
 * "Notify When Opened" popover: one switch per tag seen (or chosen before), and an entry for
 * a tag not seen yet. A notification is sent through g_application_send_notification() for
 * each condition.opened event of a chosen tag, in any workspace; clicking it shows the pane.
 */
#include "config.h"

#include <glib/gi18n.h>

#include "fd-conditions-page-private.h"

#define FD_CONDITIONS_NOTIFY_KEY "notify-condition-tags"
/* Tags are at most this long (the server's own bound on a tag). */
#define FD_CONDITIONS_TAG_MAX_CHARS 256

static char **
fd_conditions_page_dup_notify_tags (FdConditionsPage *self)
{
  if (self->settings != NULL)
    return g_settings_get_strv (self->settings, FD_CONDITIONS_NOTIFY_KEY);
  return g_strdupv (self->notify_tags != NULL ? self->notify_tags : (char *[]){ NULL });
}

gboolean
fd_conditions_page_notifies (FdConditionsPage *self, const char *tag)
{
  g_auto (GStrv) tags = fd_conditions_page_dup_notify_tags (self);

  return tag != NULL && g_strv_contains ((const char *const *)tags, tag);
}

static void
fd_conditions_page_set_notifies (FdConditionsPage *self, const char *tag, gboolean notify)
{
  g_auto (GStrv) tags = fd_conditions_page_dup_notify_tags (self);
  g_autoptr (GStrvBuilder) builder = g_strv_builder_new ();
  g_auto (GStrv) changed = NULL;

  for (guint i = 0; tags[i] != NULL; i++)
    if (!g_str_equal (tags[i], tag))
      g_strv_builder_add (builder, tags[i]);
  if (notify)
    g_strv_builder_add (builder, tag);
  changed = g_strv_builder_end (builder);

  if (self->settings != NULL)
    g_settings_set_strv (self->settings, FD_CONDITIONS_NOTIFY_KEY, (const char *const *)changed);
  else
    {
      g_strfreev (self->notify_tags);
      self->notify_tags = g_steal_pointer (&changed);
    }
}

void
fd_conditions_page_notify_opened (FdConditionsPage *self, FdConditionItem *item)
{
  GApplication *application = g_application_get_default ();
  g_autoptr (GNotification) notification = NULL;
  g_autofree char *title = NULL;
  g_autofree char *id = NULL;
  const char *details = fd_condition_item_get_payload_label (item);

  if (application == NULL || !fd_conditions_page_notifies (self, fd_condition_item_get_tag (item)))
    return;

  /* TRANSLATORS: a notification: a condition's tag ("battery_low"), then the device's name */
  title = g_strdup_printf (_ ("“%s” opened on %s"), fd_condition_item_get_tag (item),
                           fd_condition_item_get_device_name (item));
  notification = g_notification_new (title);
  g_notification_set_body (notification, details != NULL && *details != '\0'
                                             ? details
                                             : _ ("The device opened this condition just now."));
  g_notification_set_default_action (notification, "app.show-conditions");
  id = g_strconcat ("condition-", fd_condition_item_get_uuid (item), NULL);
  g_application_send_notification (application, id, notification);
  self->notifications++;
}

/* The popover */

static void
fd_conditions_page_switch_cb (GtkSwitch *toggle, GParamSpec *pspec, FdConditionsPage *self)
{
  const char *tag = g_object_get_data (G_OBJECT (toggle), "fd-tag");

  fd_conditions_page_set_notifies (self, tag, gtk_switch_get_active (toggle));
}

static void
fd_conditions_page_add_notify_row (FdConditionsPage *self, const char *tag)
{
  GtkWidget *row = adw_action_row_new ();
  GtkWidget *toggle = gtk_switch_new ();
  g_autofree char *label = NULL;

  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), tag);
  gtk_widget_set_valign (toggle, GTK_ALIGN_CENTER);
  gtk_switch_set_active (GTK_SWITCH (toggle), fd_conditions_page_notifies (self, tag));
  /* TRANSLATORS: the accessible name of a switch in the notifications popover */
  label = g_strdup_printf (_ ("Notify When “%s” Opens"), tag);
  gtk_accessible_update_property (GTK_ACCESSIBLE (toggle), GTK_ACCESSIBLE_PROPERTY_LABEL, label,
                                  -1);
  g_object_set_data_full (G_OBJECT (toggle), "fd-tag", g_strdup (tag), g_free);
  g_signal_connect_object (toggle, "notify::active", G_CALLBACK (fd_conditions_page_switch_cb),
                           self, 0);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), toggle);
  adw_action_row_set_activatable_widget (ADW_ACTION_ROW (row), toggle);
  gtk_list_box_append (self->notify_list, row);
}

static int
fd_conditions_page_compare_tags (gconstpointer a, gconstpointer b)
{
  return g_utf8_collate (*(const char *const *)a, *(const char *const *)b);
}

/* Lists the tags seen and the tags chosen before, each with its switch. */
void
fd_conditions_page_notify_popover_show_cb (FdConditionsPage *self)
{
  g_auto (GStrv) chosen = fd_conditions_page_dup_notify_tags (self);
  g_autoptr (GPtrArray) tags = g_ptr_array_new ();
  guint n_seen = g_list_model_get_n_items (G_LIST_MODEL (self->tag_choices));
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->notify_list))) != NULL)
    gtk_list_box_remove (self->notify_list, child);

  for (guint i = 1; i < n_seen; i++) /* after "All Tags" */
    g_ptr_array_add (tags, (gpointer)gtk_string_list_get_string (self->tag_choices, i));
  for (guint i = 0; chosen[i] != NULL; i++)
    if (!g_ptr_array_find_with_equal_func (tags, chosen[i], g_str_equal, NULL))
      g_ptr_array_add (tags, chosen[i]);
  g_ptr_array_sort (tags, fd_conditions_page_compare_tags);

  for (guint i = 0; i < tags->len; i++)
    fd_conditions_page_add_notify_row (self, g_ptr_array_index (tags, i));
  gtk_widget_set_visible (GTK_WIDGET (self->notify_list), tags->len > 0);
}

void
fd_conditions_page_notify_add_cb (FdConditionsPage *self)
{
  g_autofree char *tag
      = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->notify_entry))));

  if (*tag == '\0' || g_utf8_strlen (tag, -1) > FD_CONDITIONS_TAG_MAX_CHARS)
    {
      gtk_widget_error_bell (GTK_WIDGET (self->notify_entry));
      return;
    }
  fd_conditions_page_set_notifies (self, tag, TRUE);
  gtk_editable_set_text (GTK_EDITABLE (self->notify_entry), "");
  fd_conditions_page_notify_popover_show_cb (self);
}

void
fd_conditions_page_init_notify (FdConditionsPage *self)
{
  GSettingsSchemaSource *source = g_settings_schema_source_get_default ();
  g_autoptr (GSettingsSchema) schema = NULL;

  if (source != NULL)
    schema = g_settings_schema_source_lookup (source, APP_ID, TRUE);
  if (schema != NULL && g_settings_schema_has_key (schema, FD_CONDITIONS_NOTIFY_KEY))
    self->settings = g_settings_new_full (schema, NULL, NULL);
}
