/* fd-schedule-dialog.c — "New Schedule": name, format, columns, tags, period, time, weekday and
 * a folder on the server; POST /workspaces/{id}/export-schedules. An error the API pins on a
 * field ("field": "folder") is shown on that field's row and group.
 */
#include "config.h"

#include <glib/gi18n.h>

#include "fd-files.h"
#include "fd-json.h"
#include "fd-schedule-dialog.h"
#include "fd-ui.h"

/* What the API bounds a tag list to is its business; this only keeps a typo from sending
 * thousands. */
#define FD_SCHEDULE_MAX_TAGS 100

struct _FdScheduleDialog
{
  AdwWindow parent_instance;

  FdApiClient *client;
  char *workspace_id;
  GFile *folder;
  GCancellable *cancellable;
  gboolean creating;

  AdwPreferencesGroup *export_group;
  AdwPreferencesGroup *when_group;
  AdwPreferencesGroup *folder_group;
  AdwEntryRow *name_row;
  AdwComboRow *format_row;
  AdwComboRow *columns_row;
  AdwEntryRow *tags_row;
  AdwComboRow *period_row;
  AdwComboRow *weekday_row;
  AdwEntryRow *time_row;
  AdwActionRow *folder_row;
  GtkWidget *create_button;
};

G_DEFINE_FINAL_TYPE (FdScheduleDialog, fd_schedule_dialog, ADW_TYPE_WINDOW)

enum
{
  CREATED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static const char *const fd_schedule_formats[] = { "csv", "json", "ndjson" };
static const char *const fd_schedule_columns[] = { "fields", "payload" };
static const char *const fd_schedule_periods[] = { "daily", "weekly" };
static const char *const fd_schedule_weekdays[]
    = { "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday" };

gboolean
fd_schedule_time_is_valid (const char *text)
{
  if (text == NULL || strlen (text) != 5 || text[2] != ':' || !g_ascii_isdigit (text[0])
      || !g_ascii_isdigit (text[1]) || !g_ascii_isdigit (text[3]) || !g_ascii_isdigit (text[4]))
    return FALSE;
  return (text[0] - '0') * 10 + (text[1] - '0') <= 23 && text[3] - '0' <= 5;
}

/* Field errors */

static const char *const fd_schedule_group_descriptions[] = {
  NULL,
  N_ ("Each run exports the readings since the previous one."),
  N_ ("Files are named after the schedule and the end of the period they cover."),
};

static void
fd_schedule_dialog_clear_errors (FdScheduleDialog *self)
{
  AdwPreferencesGroup *groups[] = { self->export_group, self->when_group, self->folder_group };
  GtkWidget *rows[] = { GTK_WIDGET (self->name_row),    GTK_WIDGET (self->format_row),
                        GTK_WIDGET (self->columns_row), GTK_WIDGET (self->tags_row),
                        GTK_WIDGET (self->period_row),  GTK_WIDGET (self->weekday_row),
                        GTK_WIDGET (self->time_row),    GTK_WIDGET (self->folder_row) };

  for (guint i = 0; i < G_N_ELEMENTS (rows); i++)
    {
      gtk_widget_remove_css_class (rows[i], "error");
      gtk_widget_set_tooltip_text (rows[i], NULL);
    }
  for (guint i = 0; i < G_N_ELEMENTS (groups); i++)
    adw_preferences_group_set_description (groups[i], fd_schedule_group_descriptions[i]
                                                          ? _ (fd_schedule_group_descriptions[i])
                                                          : NULL);
}

/* Shows @message on the row of the API's @field (its group says it too, as a row has no room
 * for a sentence); FALSE if the field is not one of the dialog's. */
static gboolean
fd_schedule_dialog_show_error (FdScheduleDialog *self, const char *field, const char *message)
{
  const struct
  {
    const char *field;
    GtkWidget *row;
    AdwPreferencesGroup *group;
  } fields[] = {
    { "name", GTK_WIDGET (self->name_row), self->export_group },
    { "format", GTK_WIDGET (self->format_row), self->export_group },
    { "columns", GTK_WIDGET (self->columns_row), self->export_group },
    { "tags", GTK_WIDGET (self->tags_row), self->export_group },
    { "period", GTK_WIDGET (self->period_row), self->when_group },
    { "weekday", GTK_WIDGET (self->weekday_row), self->when_group },
    { "time", GTK_WIDGET (self->time_row), self->when_group },
    { "folder", GTK_WIDGET (self->folder_row), self->folder_group },
  };

  for (guint i = 0; field != NULL && i < G_N_ELEMENTS (fields); i++)
    if (g_str_equal (field, fields[i].field) || g_str_has_prefix (field, fields[i].field))
      {
        gtk_widget_add_css_class (fields[i].row, "error");
        gtk_widget_set_tooltip_text (fields[i].row, message);
        adw_preferences_group_set_description (fields[i].group, message);
        gtk_widget_grab_focus (fields[i].row);
        return TRUE;
      }
  return FALSE;
}

/* The form */

static void
fd_schedule_dialog_changed_cb (FdScheduleDialog *self)
{
  g_autofree char *name = fd_ui_dup_trimmed_text (GTK_EDITABLE (self->name_row));
  g_autofree char *time = fd_ui_dup_trimmed_text (GTK_EDITABLE (self->time_row));
  gboolean weekly = adw_combo_row_get_selected (self->period_row) == 1;
  gboolean time_ok = fd_schedule_time_is_valid (time);

  gtk_widget_set_visible (GTK_WIDGET (self->weekday_row), weekly);
  if (time_ok || *time == '\0')
    gtk_widget_remove_css_class (GTK_WIDGET (self->time_row), "error");
  else
    gtk_widget_add_css_class (GTK_WIDGET (self->time_row), "error");
  gtk_widget_set_sensitive (self->create_button,
                            !self->creating && *name != '\0' && time_ok && self->folder != NULL);
}

static void
fd_schedule_dialog_chosen_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (FdScheduleDialog) self = user_data;
  g_autoptr (GError) error = NULL;
  g_autoptr (GFile) folder = fd_files_choose_finish (result, &error);
  g_autofree char *path = NULL;

  if (folder == NULL)
    {
      if (error != NULL)
        fd_ui_toast_error (GTK_WIDGET (self), error);
      return;
    }
  path = g_file_get_path (folder);
  if (path == NULL)
    {
      fd_ui_toast (GTK_WIDGET (self), _ ("Choose a folder on this computer's disks"));
      return;
    }
  g_set_object (&self->folder, folder);
  adw_action_row_set_subtitle (self->folder_row, path);
  gtk_widget_remove_css_class (GTK_WIDGET (self->folder_row), "error");
  fd_schedule_dialog_changed_cb (self);
}

static void
fd_schedule_dialog_choose_cb (FdScheduleDialog *self)
{
  fd_files_choose_async (GTK_WINDOW (self), GTK_FILE_CHOOSER_ACTION_SELECT_FOLDER,
                         _ ("Folder for the Exports"), _ ("_Select"), NULL, NULL, self->cancellable,
                         fd_schedule_dialog_chosen_cb, g_object_ref (self));
}

static void
fd_schedule_add_tags (JsonBuilder *b, const char *text)
{
  g_auto (GStrv) parts = g_strsplit (text, ",", FD_SCHEDULE_MAX_TAGS + 1);

  json_builder_set_member_name (b, "tags");
  json_builder_begin_array (b);
  for (guint i = 0; parts[i] != NULL && i < FD_SCHEDULE_MAX_TAGS; i++)
    {
      g_strstrip (parts[i]);
      if (*parts[i] != '\0')
        json_builder_add_string_value (b, parts[i]);
    }
  json_builder_end_array (b);
}

static JsonNode *
fd_schedule_dialog_build_body (FdScheduleDialog *self)
{
  g_autoptr (JsonBuilder) b = json_builder_new ();
  g_autofree char *name = fd_ui_dup_trimmed_text (GTK_EDITABLE (self->name_row));
  g_autofree char *time = fd_ui_dup_trimmed_text (GTK_EDITABLE (self->time_row));
  g_autofree char *folder = g_file_get_path (self->folder);
  guint period = MIN (adw_combo_row_get_selected (self->period_row), 1);

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "name");
  json_builder_add_string_value (b, name);
  json_builder_set_member_name (b, "format");
  json_builder_add_string_value (
      b, fd_schedule_formats[MIN (adw_combo_row_get_selected (self->format_row), 2)]);
  json_builder_set_member_name (b, "columns");
  json_builder_add_string_value (
      b, fd_schedule_columns[MIN (adw_combo_row_get_selected (self->columns_row), 1)]);
  fd_schedule_add_tags (b, gtk_editable_get_text (GTK_EDITABLE (self->tags_row)));
  json_builder_set_member_name (b, "period");
  json_builder_add_string_value (b, fd_schedule_periods[period]);
  json_builder_set_member_name (b, "time");
  json_builder_add_string_value (b, time);
  if (period == 1)
    {
      json_builder_set_member_name (b, "weekday");
      json_builder_add_string_value (
          b, fd_schedule_weekdays[MIN (adw_combo_row_get_selected (self->weekday_row), 6)]);
    }
  json_builder_set_member_name (b, "folder");
  json_builder_add_string_value (b, folder);
  json_builder_end_object (b);
  return json_builder_get_root (b);
}

static void
fd_schedule_dialog_created_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (FdScheduleDialog) self = user_data;
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonNode) node = fd_api_client_request_finish (FD_API_CLIENT (source), result, &error);
  JsonObject *schedule = node != NULL ? fd_json_get_object (node, &error) : NULL;

  self->creating = FALSE;
  if (schedule == NULL)
    {
      JsonObject *details = fd_api_client_get_error_details (result);
      const char *field = details != NULL ? fd_json_get_string (details, "field") : NULL;

      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      fd_schedule_dialog_changed_cb (self);
      if (!fd_schedule_dialog_show_error (self, field, error->message))
        fd_ui_toast_error (GTK_WIDGET (self), error);
      return;
    }

  g_signal_emit (self, signals[CREATED], 0, schedule);
  gtk_window_destroy (GTK_WINDOW (self));
}

static void
fd_schedule_dialog_create_cb (FdScheduleDialog *self)
{
  g_autoptr (JsonNode) body = NULL;
  g_autofree char *path = NULL;

  if (self->folder == NULL || self->creating)
    return;
  fd_schedule_dialog_clear_errors (self);
  body = fd_schedule_dialog_build_body (self);
  path = fd_api_path ("workspaces", self->workspace_id, "export-schedules", NULL);
  self->creating = TRUE;
  gtk_widget_set_sensitive (self->create_button, FALSE);
  fd_api_client_request_async (self->client, "POST", path, body, self->cancellable,
                               fd_schedule_dialog_created_cb, g_object_ref (self));
}

static void
fd_schedule_dialog_dispose (GObject *object)
{
  FdScheduleDialog *self = FD_SCHEDULE_DIALOG (object);

  g_cancellable_cancel (self->cancellable);
  gtk_widget_dispose_template (GTK_WIDGET (self), FD_TYPE_SCHEDULE_DIALOG);
  G_OBJECT_CLASS (fd_schedule_dialog_parent_class)->dispose (object);
}

static void
fd_schedule_dialog_finalize (GObject *object)
{
  FdScheduleDialog *self = FD_SCHEDULE_DIALOG (object);

  g_clear_object (&self->client);
  g_clear_object (&self->folder);
  g_clear_object (&self->cancellable);
  g_free (self->workspace_id);
  G_OBJECT_CLASS (fd_schedule_dialog_parent_class)->finalize (object);
}

static void
fd_schedule_dialog_class_init (FdScheduleDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = fd_schedule_dialog_dispose;
  object_class->finalize = fd_schedule_dialog_finalize;

  signals[CREATED] = g_signal_new ("created", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL,
                                   NULL, NULL, G_TYPE_NONE, 1, JSON_TYPE_OBJECT);

  gtk_widget_class_set_template_from_resource (
      widget_class, "/io/github/fleetdesk/Fleetdesk/ui/fd-schedule-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, FdScheduleDialog, export_group);
  gtk_widget_class_bind_template_child (widget_class, FdScheduleDialog, when_group);
  gtk_widget_class_bind_template_child (widget_class, FdScheduleDialog, folder_group);
  gtk_widget_class_bind_template_child (widget_class, FdScheduleDialog, name_row);
  gtk_widget_class_bind_template_child (widget_class, FdScheduleDialog, format_row);
  gtk_widget_class_bind_template_child (widget_class, FdScheduleDialog, columns_row);
  gtk_widget_class_bind_template_child (widget_class, FdScheduleDialog, tags_row);
  gtk_widget_class_bind_template_child (widget_class, FdScheduleDialog, period_row);
  gtk_widget_class_bind_template_child (widget_class, FdScheduleDialog, weekday_row);
  gtk_widget_class_bind_template_child (widget_class, FdScheduleDialog, time_row);
  gtk_widget_class_bind_template_child (widget_class, FdScheduleDialog, folder_row);
  gtk_widget_class_bind_template_child (widget_class, FdScheduleDialog, create_button);
  gtk_widget_class_bind_template_callback (widget_class, fd_schedule_dialog_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, fd_schedule_dialog_choose_cb);
  gtk_widget_class_bind_template_callback (widget_class, fd_schedule_dialog_create_cb);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
fd_schedule_dialog_init (FdScheduleDialog *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  self->cancellable = g_cancellable_new ();
  fd_schedule_dialog_changed_cb (self);
}

FdScheduleDialog *
fd_schedule_dialog_new (GtkWindow *parent, FdApiClient *client, const char *workspace_id)
{
  FdScheduleDialog *self;

  g_return_val_if_fail (FD_IS_API_CLIENT (client), NULL);
  g_return_val_if_fail (workspace_id != NULL, NULL);

  self = g_object_new (FD_TYPE_SCHEDULE_DIALOG, "transient-for", parent, NULL);
  self->client = g_object_ref (client);
  self->workspace_id = g_strdup (workspace_id);
  return self;
}
