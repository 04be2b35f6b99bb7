/* fd-export-dialog.c — "Export…" from the Data pane: format, columns, raw rows or the
 * aggregate in view, then a file to save into. The export itself runs on after the dialog
 * closes (fd-export-dialog-run.c), followed in the main window's toasts.
 */
#include "config.h"

#include <glib/gi18n.h>

#include "fd-export-dialog.h"
#include "fd-files.h"
#include "fd-ui.h"

struct _FdExportDialog
{
  AdwWindow parent_instance;

  FdApiClient *client;
  FdExportSelection *selection;
  GCancellable *cancellable; /* the file chooser */

  AdwActionRow *selection_row;
  AdwComboRow *content_row;
  AdwComboRow *format_row;
  AdwComboRow *columns_row;
  GtkWidget *export_button;
};

G_DEFINE_FINAL_TYPE (FdExportDialog, fd_export_dialog, ADW_TYPE_WINDOW)

static const char *const fd_export_formats[] = { "csv", "json", "ndjson" };
/* In the order of columns_row. */
static const char *const fd_export_columns[] = { "fields", "payload" };

/* The selection */

FdExportSelection *
fd_export_selection_copy (const FdExportSelection *selection)
{
  FdExportSelection *copy = g_new0 (FdExportSelection, 1);

  copy->workspace_id = g_strdup (selection->workspace_id);
  copy->tags = g_strdupv (selection->tags);
  copy->devices = g_strdupv (selection->devices);
  copy->fleets = g_strdupv (selection->fleets);
  copy->start = g_strdup (selection->start);
  copy->end = g_strdup (selection->end);
  copy->aggregate_field = g_strdup (selection->aggregate_field);
  copy->aggregate_fn = g_strdup (selection->aggregate_fn);
  copy->aggregate_bucket = g_strdup (selection->aggregate_bucket);
  copy->aggregate_group = g_strdup (selection->aggregate_group);
  return copy;
}

void
fd_export_selection_free (FdExportSelection *selection)
{
  if (selection == NULL)
    return;
  g_free (selection->workspace_id);
  g_strfreev (selection->tags);
  g_strfreev (selection->devices);
  g_strfreev (selection->fleets);
  g_free (selection->start);
  g_free (selection->end);
  g_free (selection->aggregate_field);
  g_free (selection->aggregate_fn);
  g_free (selection->aggregate_bucket);
  g_free (selection->aggregate_group);
  g_free (selection);
}

/* "20261127-1000" in local time; @fallback for no time. */
static char *
fd_export_name_time (const char *rfc3339, const char *fallback)
{
  g_autoptr (GDateTime) utc = NULL;
  g_autoptr (GDateTime) local = NULL;

  if (rfc3339 != NULL)
    utc = g_date_time_new_from_iso8601 (rfc3339, NULL);
  if (utc == NULL)
    return g_strdup (fallback);
  local = g_date_time_to_local (utc);
  return g_date_time_format (local, "%Y%m%d-%H%M");
}

char *
fd_export_suggested_name (const FdExportSelection *selection, const char *format)
{
  g_autofree char *tag = NULL;
  g_autofree char *start = fd_export_name_time (selection->start, "start");
  g_autofree char *end = NULL;

  if (selection->tags != NULL && g_strv_length (selection->tags) == 1)
    /* A tag may hold '/' (MQTT style): not in a file name. */
    tag = g_strcanon (g_strdup (selection->tags[0]), G_CSET_A_2_Z G_CSET_a_2_z G_CSET_DIGITS "-_.",
                      '_');
  else
    tag = g_strdup ("all");
  if (selection->end != NULL)
    end = fd_export_name_time (selection->end, "now");
  else
    {
      g_autoptr (GDateTime) now = g_date_time_new_now_local ();
      end = g_date_time_format (now, "%Y%m%d-%H%M");
    }
  return g_strdup_printf ("%s-%s-%s.%s", tag, start, end, format);
}

/* What the selection row says: "temp · 2 devices · 27 Nov 10:00 – 28 Nov 10:00". */
static char *
fd_export_describe (const FdExportSelection *selection)
{
  g_autoptr (GString) text = g_string_new (NULL);
  guint n;

  if (selection->tags != NULL && selection->tags[0] != NULL)
    {
      g_autofree char *tags = g_strjoinv (", ", selection->tags);
      g_string_append (text, tags);
    }
  else
    g_string_append (text, _ ("Every tag"));
  if (selection->devices != NULL && (n = g_strv_length (selection->devices)) > 0)
    g_string_append_printf (text, " · %s",
                            g_dngettext (GETTEXT_PACKAGE, "one device", "several devices", n));
  if (selection->fleets != NULL && (n = g_strv_length (selection->fleets)) > 0)
    g_string_append_printf (text, " · %s",
                            g_dngettext (GETTEXT_PACKAGE, "one fleet", "several fleets", n));
  if (selection->start != NULL || selection->end != NULL)
    {
      g_autoptr (GDateTime) start = NULL;
      g_autoptr (GDateTime) end = NULL;
      g_autofree char *from = NULL;
      g_autofree char *to = NULL;

      if (selection->start != NULL
          && (start = g_date_time_new_from_iso8601 (selection->start, NULL)))
        {
          g_autoptr (GDateTime) local = g_date_time_to_local (start);
          from = g_date_time_format (local, "%d %b %Y %H:%M");
        }
      if (selection->end != NULL && (end = g_date_time_new_from_iso8601 (selection->end, NULL)))
        {
          g_autoptr (GDateTime) local = g_date_time_to_local (end);
          to = g_date_time_format (local, "%d %b %Y %H:%M");
        }
      g_string_append_printf (text, " · %s – %s", from ? from : _ ("the first reading"),
                              to ? to : _ ("now"));
    }
  return g_string_free (g_steal_pointer (&text), FALSE);
}

static void
fd_export_add_list (JsonBuilder *b, const char *name, char **list)
{
  if (list == NULL || list[0] == NULL)
    return;
  json_builder_set_member_name (b, name);
  json_builder_begin_array (b);
  for (guint i = 0; list[i] != NULL; i++)
    json_builder_add_string_value (b, list[i]);
  json_builder_end_array (b);
}

static void
fd_export_add_string (JsonBuilder *b, const char *name, const char *value)
{
  if (value == NULL)
    return;
  json_builder_set_member_name (b, name);
  json_builder_add_string_value (b, value);
}

/* The POST /workspaces/{id}/exports body of what the dialog shows. */
static JsonNode *
fd_export_dialog_build_body (FdExportDialog *self)
{
  const FdExportSelection *s = self->selection;
  g_autoptr (JsonBuilder) b = json_builder_new ();
  guint format = adw_combo_row_get_selected (self->format_row);
  guint columns = adw_combo_row_get_selected (self->columns_row);
  gboolean aggregate = adw_combo_row_get_selected (self->content_row) == 1;

  json_builder_begin_object (b);
  fd_export_add_string (b, "format", fd_export_formats[MIN (format, 2)]);
  fd_export_add_string (b, "columns", fd_export_columns[MIN (columns, 1)]);
  fd_export_add_string (b, "start", s->start);
  fd_export_add_string (b, "end", s->end);
  fd_export_add_list (b, "tags", s->tags);
  fd_export_add_list (b, "devices", s->devices);
  fd_export_add_list (b, "fleets", s->fleets);
  if (aggregate && s->aggregate_field != NULL)
    {
      json_builder_set_member_name (b, "aggregate");
      json_builder_begin_object (b);
      fd_export_add_string (b, "field", s->aggregate_field);
      fd_export_add_string (b, "fn", s->aggregate_fn ? s->aggregate_fn : "avg");
      fd_export_add_string (b, "bucket", s->aggregate_bucket);
      fd_export_add_string (b, "group", s->aggregate_group);
      json_builder_end_object (b);
    }
  json_builder_end_object (b);
  return json_builder_get_root (b);
}

static void
fd_export_dialog_update_cb (FdExportDialog *self)
{
  /* The aggregate has its own columns: one per function. */
  gtk_widget_set_sensitive (GTK_WIDGET (self->columns_row),
                            adw_combo_row_get_selected (self->content_row) == 0);
}

static void
fd_export_dialog_chosen_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (FdExportDialog) self = user_data;
  g_autoptr (GError) error = NULL;
  g_autoptr (GFile) file = fd_files_choose_finish (result, &error);
  g_autoptr (JsonNode) body = NULL;
  GtkWindow *parent;

  gtk_widget_set_sensitive (self->export_button, TRUE);
  if (file == NULL)
    {
      if (error != NULL)
        fd_ui_toast_error (GTK_WIDGET (self), error);
      return;
    }

  parent = gtk_window_get_transient_for (GTK_WINDOW (self));
  body = fd_export_dialog_build_body (self);
  if (parent != NULL)
    fd_export_run_start (GTK_WIDGET (parent), self->client, self->selection->workspace_id, body,
                         file);
  gtk_window_destroy (GTK_WINDOW (self));
}

static void
fd_export_dialog_export_cb (FdExportDialog *self)
{
  guint format = MIN (adw_combo_row_get_selected (self->format_row), 2);
  g_autofree char *name = fd_export_suggested_name (self->selection, fd_export_formats[format]);

  gtk_widget_set_sensitive (self->export_button, FALSE);
  fd_files_choose_async (GTK_WINDOW (self), GTK_FILE_CHOOSER_ACTION_SAVE, _ ("Export Readings"),
                         _ ("_Export"), name, NULL, self->cancellable, fd_export_dialog_chosen_cb,
                         g_object_ref (self));
}

static void
fd_export_dialog_dispose (GObject *object)
{
  FdExportDialog *self = FD_EXPORT_DIALOG (object);

  g_cancellable_cancel (self->cancellable);
  gtk_widget_dispose_template (GTK_WIDGET (self), FD_TYPE_EXPORT_DIALOG);
  G_OBJECT_CLASS (fd_export_dialog_parent_class)->dispose (object);
}

static void
fd_export_dialog_finalize (GObject *object)
{
  FdExportDialog *self = FD_EXPORT_DIALOG (object);

  g_clear_object (&self->client);
  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->selection, fd_export_selection_free);
  G_OBJECT_CLASS (fd_export_dialog_parent_class)->finalize (object);
}

static void
fd_export_dialog_class_init (FdExportDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = fd_export_dialog_dispose;
  object_class->finalize = fd_export_dialog_finalize;

  gtk_widget_class_set_template_from_resource (
      widget_class, "/io/github/fleetdesk/Fleetdesk/ui/fd-export-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, FdExportDialog, selection_row);
  gtk_widget_class_bind_template_child (widget_class, FdExportDialog, content_row);
  gtk_widget_class_bind_template_child (widget_class, FdExportDialog, format_row);
  gtk_widget_class_bind_template_child (widget_class, FdExportDialog, columns_row);
  gtk_widget_class_bind_template_child (widget_class, FdExportDialog, export_button);
  gtk_widget_class_bind_template_callback (widget_class, fd_export_dialog_export_cb);
  gtk_widget_class_bind_template_callback (widget_class, fd_export_dialog_update_cb);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
fd_export_dialog_init (FdExportDialog *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  self->cancellable = g_cancellable_new ();
}

FdExportDialog *
fd_export_dialog_new (GtkWindow *parent, FdApiClient *client, const FdExportSelection *selection)
{
  FdExportDialog *self;
  g_autofree char *description = NULL;

  g_return_val_if_fail (FD_IS_API_CLIENT (client), NULL);
  g_return_val_if_fail (selection != NULL && selection->workspace_id != NULL, NULL);

  self = g_object_new (FD_TYPE_EXPORT_DIALOG, "transient-for", parent, NULL);
  self->client = g_object_ref (client);
  self->selection = fd_export_selection_copy (selection);

  description = fd_export_describe (selection);
  adw_action_row_set_subtitle (self->selection_row, description);
  /* Without an aggregate in view there is only one thing to export. */
  if (selection->aggregate_field == NULL)
    gtk_widget_set_sensitive (GTK_WIDGET (self->content_row), FALSE);
  fd_export_dialog_update_cb (self);
  return self;
}
