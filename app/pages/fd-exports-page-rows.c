/* fd-exports-page-rows.c — the rows of the Exports pane: one per export (its state, a progress
 * bar and Cancel while it runs) and one per schedule (enable, delete, its runs).
 */
#include "config.h"

#include <glib/gi18n.h>

#include "fd-exports-page-private.h"
#include "fd-files.h"
#include "fd-json.h"
#include "fd-ui.h"

/* A schedule's history lists at most this many runs, the newest. */
#define FD_EXPORTS_MAX_RUNS 20

static const char *
fd_exports_format_name (const char *format)
{
  if (g_strcmp0 (format, "csv") == 0)
    return "CSV";
  if (g_strcmp0 (format, "json") == 0)
    return "JSON";
  if (g_strcmp0 (format, "ndjson") == 0)
    return "NDJSON";
  return format != NULL ? format : "";
}

char *
fd_exports_describe_state (JsonObject *export)
{
  const char *state = fd_json_get_string (export, "state");
  gint64 rows = json_object_get_int_member_with_default (export, "rows", 0);
  gint64 bytes = json_object_get_int_member_with_default (export, "bytes", 0);

  if (g_strcmp0 (state, "done") == 0)
    {
      g_autofree char *size = g_format_size (bytes);
      g_autofree char *count
          = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%'" G_GINT64_FORMAT " row",
                                          "%'" G_GINT64_FORMAT " rows", rows),
                             rows);
      /* TRANSLATORS: "Done · 12,345 rows · 1.2 MB" */
      return g_strdup_printf (_ ("Done · %s · %s"), count, size);
    }
  if (g_strcmp0 (state, "failed") == 0)
    {
      const char *error = fd_json_get_string (export, "error");
      return g_strdup_printf (_ ("Failed: %s"), error ? error : _ ("the server did not say why"));
    }
  if (g_strcmp0 (state, "canceled") == 0)
    return g_strdup (_ ("Canceled"));
  if (g_strcmp0 (state, "queued") == 0)
    return g_strdup (_ ("Waiting to start"));
  {
    double progress = json_object_get_double_member_with_default (export, "progress", 0);
    /* TRANSLATORS: an export's progress */
    return g_strdup_printf (_ ("Running · %d %%"), (int)(CLAMP (progress, 0, 1) * 100));
  }
}

char *
fd_exports_describe_period (JsonObject *schedule)
{
  const char *time = fd_json_get_string (schedule, "time");
  const char *weekday = fd_json_get_string (schedule, "weekday");
  static const char *const days[][2] = {
    { "monday", N_ ("Monday") },       { "tuesday", N_ ("Tuesday") },
    { "wednesday", N_ ("Wednesday") }, { "thursday", N_ ("Thursday") },
    { "friday", N_ ("Friday") },       { "saturday", N_ ("Saturday") },
    { "sunday", N_ ("Sunday") },
  };

  if (time == NULL)
    time = "?";
  if (g_strcmp0 (fd_json_get_string (schedule, "period"), "weekly") == 0)
    for (guint i = 0; i < G_N_ELEMENTS (days); i++)
      if (g_strcmp0 (weekday, days[i][0]) == 0)
        /* TRANSLATORS: "Every Monday at 02:00" */
        return g_strdup_printf (_ ("Every %s at %s"), _ (days[i][1]), time);
  return g_strdup_printf (_ ("Every day at %s"), time);
}

/* One export */

static void
fd_exports_cancel_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (FdExportsPage) self = user_data;
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonNode) node = fd_api_client_request_finish (FD_API_CLIENT (source), result, &error);

  if (error != NULL)
    fd_ui_toast_error (GTK_WIDGET (self), error);
  fd_exports_page_reload (self);
}

static void
fd_exports_cancel_clicked_cb (GtkButton *button, FdExportsPage *self)
{
  const char *id = g_object_get_data (G_OBJECT (button), "fd-export-id");
  g_autofree char *path = fd_api_path ("exports", id, "cancel", NULL);

  gtk_widget_set_sensitive (GTK_WIDGET (button), FALSE);
  fd_api_client_request_async (self->client, "POST", path, NULL, NULL, fd_exports_cancel_cb,
                               g_object_ref (self));
}

typedef struct
{
  FdExportsPage *page;
  char *id;
} FdExportSave;

static void
fd_export_save_free (FdExportSave *save)
{
  g_object_unref (save->page);
  g_free (save->id);
  g_free (save);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (FdExportSave, fd_export_save_free)

static void
fd_exports_saved_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (FdExportsPage) self = user_data;
  g_autoptr (GError) error = NULL;

  if (fd_api_client_download_finish (FD_API_CLIENT (source), result, &error) < 0)
    fd_ui_toast_error (GTK_WIDGET (self), error);
  else
    fd_ui_toast (GTK_WIDGET (self), _ ("Export saved"));
}

static void
fd_exports_save_chosen_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (FdExportSave) save = user_data;
  g_autoptr (GError) error = NULL;
  g_autoptr (GFile) file = fd_files_choose_finish (result, &error);
  g_autofree char *path = NULL;

  if (file == NULL)
    {
      if (error != NULL)
        fd_ui_toast_error (GTK_WIDGET (save->page), error);
      return;
    }
  path = fd_api_path ("exports", save->id, "file", NULL);
  fd_api_client_download_async (save->page->client, path, file, NULL, fd_exports_saved_cb,
                                g_object_ref (save->page));
}

static void
fd_exports_save_clicked_cb (GtkButton *button, FdExportsPage *self)
{
  FdExportSave *save = g_new0 (FdExportSave, 1);

  save->page = g_object_ref (self);
  save->id = g_strdup (g_object_get_data (G_OBJECT (button), "fd-export-id"));
  fd_files_choose_async (GTK_WINDOW (gtk_widget_get_root (GTK_WIDGET (button))),
                         GTK_FILE_CHOOSER_ACTION_SAVE, _ ("Save the Export"), _ ("_Save"),
                         g_object_get_data (G_OBJECT (button), "fd-file-name"), NULL, NULL,
                         fd_exports_save_chosen_cb, save);
}

GtkWidget *
fd_exports_page_export_row_new (FdExportsPage *self, JsonObject *export)
{
  GtkWidget *row = adw_action_row_new ();
  const char *state = fd_json_get_string (export, "state");
  const char *file_name = fd_json_get_string (export, "file_name");
  g_autofree char *created = fd_json_format_time (fd_json_get_string (export, "created_at"));
  g_autofree char *subtitle = fd_exports_describe_state (export);
  g_autofree char *title = NULL;

  /* TRANSLATORS: "CSV export, 27 Nov 2026 10:00" */
  title = g_strdup_printf (_ ("%s export, %s"),
                           fd_exports_format_name (fd_json_get_string (export, "format")),
                           created ? created : "");
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
  if (file_name != NULL)
    gtk_widget_set_tooltip_text (row, file_name);
  if (g_strcmp0 (state, "failed") == 0)
    gtk_widget_add_css_class (row, "error");

  if (g_strcmp0 (state, "queued") == 0 || g_strcmp0 (state, "running") == 0)
    {
      GtkWidget *bar = gtk_progress_bar_new ();
      GtkWidget *cancel = gtk_button_new_from_icon_name ("process-stop-symbolic");

      gtk_progress_bar_set_fraction (
          GTK_PROGRESS_BAR (bar),
          CLAMP (json_object_get_double_member_with_default (export, "progress", 0), 0, 1));
      gtk_widget_set_valign (bar, GTK_ALIGN_CENTER);
      gtk_widget_set_size_request (bar, 120, -1);
      adw_action_row_add_suffix (ADW_ACTION_ROW (row), bar);

      gtk_widget_set_valign (cancel, GTK_ALIGN_CENTER);
      gtk_widget_set_tooltip_text (cancel, _ ("Cancel the Export"));
      gtk_widget_add_css_class (cancel, "flat");
      g_object_set_data_full (G_OBJECT (cancel), "fd-export-id",
                              g_strdup (fd_json_get_string (export, "id")), g_free);
      g_signal_connect_object (cancel, "clicked", G_CALLBACK (fd_exports_cancel_clicked_cb), self,
                               0);
      adw_action_row_add_suffix (ADW_ACTION_ROW (row), cancel);
    }
  else if (g_strcmp0 (state, "done") == 0)
    {
      GtkWidget *save = gtk_button_new_from_icon_name ("document-save-symbolic");

      gtk_widget_set_valign (save, GTK_ALIGN_CENTER);
      gtk_widget_set_tooltip_text (save, _ ("Save a Copy…"));
      gtk_widget_add_css_class (save, "flat");
      g_object_set_data_full (G_OBJECT (save), "fd-export-id",
                              g_strdup (fd_json_get_string (export, "id")), g_free);
      g_object_set_data_full (G_OBJECT (save), "fd-file-name", g_strdup (file_name), g_free);
      g_signal_connect_object (save, "clicked", G_CALLBACK (fd_exports_save_clicked_cb), self, 0);
      adw_action_row_add_suffix (ADW_ACTION_ROW (row), save);
    }
  return row;
}

/* One schedule */

typedef struct
{
  FdExportsPage *page;
  char *id;
  char *name;
  char *subtitle; /* without the last run */
  GtkWidget *row; /* AdwExpanderRow */
  GtkSwitch *enabled;
  GPtrArray *run_rows;
  GCancellable *cancellable;
  gboolean updating;
} FdScheduleRow;

static void
fd_schedule_row_free (FdScheduleRow *schedule)
{
  g_cancellable_cancel (schedule->cancellable);
  g_clear_object (&schedule->cancellable);
  g_ptr_array_unref (schedule->run_rows);
  g_free (schedule->id);
  g_free (schedule->name);
  g_free (schedule->subtitle);
  g_free (schedule);
}

static void
fd_schedule_row_show_runs (FdScheduleRow *schedule, GPtrArray *runs)
{
  g_autofree char *subtitle = NULL;

  for (guint i = 0; i < schedule->run_rows->len; i++)
    adw_expander_row_remove (ADW_EXPANDER_ROW (schedule->row),
                             g_ptr_array_index (schedule->run_rows, i));
  g_ptr_array_set_size (schedule->run_rows, 0);

  if (runs->len == 0)
    {
      GtkWidget *row = adw_action_row_new ();

      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), _ ("Not run yet"));
      adw_expander_row_add_row (ADW_EXPANDER_ROW (schedule->row), row);
      g_ptr_array_add (schedule->run_rows, row);
      subtitle = g_strdup_printf (_ ("%s · not run yet"), schedule->subtitle);
    }
  else
    {
      g_autofree char *last = fd_exports_describe_state (g_ptr_array_index (runs, 0));
      /* TRANSLATORS: the schedule's period and next run, then the result of its last run */
      subtitle = g_strdup_printf (_ ("%s · last run: %s"), schedule->subtitle, last);
    }
  adw_expander_row_set_subtitle (ADW_EXPANDER_ROW (schedule->row), subtitle);

  for (guint i = 0; i < runs->len && i < FD_EXPORTS_MAX_RUNS; i++)
    {
      JsonObject *run = g_ptr_array_index (runs, i);
      GtkWidget *row = adw_action_row_new ();
      g_autofree char *when = fd_json_format_time (fd_json_get_string (run, "finished_at")
                                                       ? fd_json_get_string (run, "finished_at")
                                                       : fd_json_get_string (run, "created_at"));
      g_autofree char *state = fd_exports_describe_state (run);

      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), when ? when : "");
      adw_action_row_set_subtitle (ADW_ACTION_ROW (row), state);
      adw_action_row_set_subtitle_lines (ADW_ACTION_ROW (row), 3);
      if (fd_json_get_string (run, "file_name") != NULL)
        gtk_widget_set_tooltip_text (row, fd_json_get_string (run, "file_name"));
      if (g_strcmp0 (fd_json_get_string (run, "state"), "failed") == 0)
        gtk_widget_add_css_class (row, "error");
      adw_expander_row_add_row (ADW_EXPANDER_ROW (schedule->row), row);
      g_ptr_array_add (schedule->run_rows, row);
    }
}

static void
fd_schedule_row_runs_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  FdScheduleRow *schedule = user_data;
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) runs
      = fd_api_client_list_all_finish (FD_API_CLIENT (source), result, &error);

  if (runs == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        fd_ui_toast_error (schedule->row, error);
      return;
    }
  fd_schedule_row_show_runs (schedule, runs);
}

static void
fd_schedule_row_patched_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  FdScheduleRow *schedule = user_data;
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonNode) node = fd_api_client_request_finish (FD_API_CLIENT (source), result, &error);
  JsonObject *object = node != NULL ? fd_json_get_object (node, &error) : NULL;

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  if (object == NULL)
    fd_ui_toast_error (schedule->row, error);
  /* What the server keeps, whether or not the change went through. */
  schedule->updating = TRUE;
  if (object != NULL)
    gtk_switch_set_active (schedule->enabled,
                           json_object_get_boolean_member_with_default (object, "enabled", TRUE));
  else
    gtk_switch_set_active (schedule->enabled, !gtk_switch_get_active (schedule->enabled));
  schedule->updating = FALSE;
}

static void
fd_schedule_row_enabled_cb (GtkSwitch *widget, GParamSpec *pspec, FdScheduleRow *schedule)
{
  g_autoptr (JsonBuilder) b = json_builder_new ();
  g_autoptr (JsonNode) body = NULL;
  g_autofree char *path = fd_api_path ("export-schedules", schedule->id, NULL);

  if (schedule->updating)
    return;
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "enabled");
  json_builder_add_boolean_value (b, gtk_switch_get_active (widget));
  json_builder_end_object (b);
  body = json_builder_get_root (b);
  fd_api_client_request_async (schedule->page->client, "PATCH", path, body, schedule->cancellable,
                               fd_schedule_row_patched_cb, schedule);
}

typedef struct
{
  FdExportsPage *page;
  GtkWidget *row; /* a strong reference */
  char *id;
} FdScheduleDelete;

static void
fd_schedule_delete_free (FdScheduleDelete *delete)
{
  g_object_unref (delete->page);
  g_object_unref (delete->row);
  g_free (delete->id);
  g_free (delete);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (FdScheduleDelete, fd_schedule_delete_free)

static void
fd_schedule_row_deleted_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (FdScheduleDelete) delete = user_data;
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonNode) node = fd_api_client_request_finish (FD_API_CLIENT (source), result, &error);
  GtkWidget *list = gtk_widget_get_parent (delete->row);

  if (error != NULL)
    {
      fd_ui_toast_error (GTK_WIDGET (delete->page), error);
      return;
    }
  /* The row goes now: a list read at once may still have the schedule. */
  if (list == GTK_WIDGET (delete->page->schedule_list))
    gtk_list_box_remove (delete->page->schedule_list, delete->row);
}

static void
fd_schedule_row_confirm_cb (AdwMessageDialog *dialog, const char *response, gpointer user_data)
{
  FdScheduleDelete *asked = g_object_get_data (G_OBJECT (dialog), "fd-schedule-delete");
  FdScheduleDelete *delete;
  g_autofree char *path = NULL;

  if (g_strcmp0 (response, "accept") != 0 || asked == NULL || asked->page->client == NULL)
    return;
  /* The dialog's own goes with it: the request holds its own. */
  delete = g_new0 (FdScheduleDelete, 1);
  delete->page = g_object_ref (asked->page);
  delete->row = g_object_ref (asked->row);
  delete->id = g_strdup (asked->id);
  path = fd_api_path ("export-schedules", delete->id, NULL);
  fd_api_client_request_async (delete->page->client, "DELETE", path, NULL, NULL,
                               fd_schedule_row_deleted_cb, delete);
}

static void
fd_schedule_row_delete_cb (GtkButton *button, FdScheduleRow *schedule)
{
  g_autofree char *heading = g_strdup_printf (_ ("Delete Schedule “%s”?"), schedule->name);
  AdwMessageDialog *dialog = fd_ui_confirm_dialog_new (
      GTK_WIDGET (button), heading,
      _ ("No more files will be written for it and its history of runs is lost. Files it already "
         "wrote stay in their folder."),
      _ ("_Delete"));
  FdScheduleDelete *delete = g_new0 (FdScheduleDelete, 1);

  delete->page = g_object_ref (schedule->page);
  delete->row = g_object_ref (schedule->row);
  delete->id = g_strdup (schedule->id);
  g_object_set_data_full (G_OBJECT (dialog), "fd-schedule-delete", delete,
                          (GDestroyNotify)fd_schedule_delete_free);
  g_signal_connect (dialog, "response", G_CALLBACK (fd_schedule_row_confirm_cb), NULL);
  gtk_window_present (GTK_WINDOW (dialog));
}

GtkWidget *
fd_exports_page_schedule_row_new (FdExportsPage *self, JsonObject *schedule_object,
                                  gboolean created)
{
  GtkWidget *row = adw_expander_row_new ();
  GtkWidget *enabled = gtk_switch_new ();
  GtkWidget *delete = gtk_button_new_from_icon_name ("user-trash-symbolic");
  FdScheduleRow *schedule = g_new0 (FdScheduleRow, 1);
  const char *name = fd_json_get_string (schedule_object, "name");
  const char *folder = fd_json_get_string (schedule_object, "folder");
  g_autofree char *period = fd_exports_describe_period (schedule_object);
  g_autofree char *next = fd_json_format_time (fd_json_get_string (schedule_object, "next_run"));
  g_autofree char *runs_path = NULL;
  g_autofree char *title = NULL;

  schedule->page = self;
  schedule->id = g_strdup (fd_json_get_string (schedule_object, "id"));
  schedule->name = g_strdup (name ? name : "");
  schedule->row = row;
  schedule->enabled = GTK_SWITCH (enabled);
  schedule->run_rows = g_ptr_array_new ();
  schedule->cancellable = g_cancellable_new ();
  /* TRANSLATORS: "Every day at 02:00, CSV · next run 28 Nov 2026 02:00" */
  schedule->subtitle
      = g_strdup_printf (_ ("%s, %s · next run %s"), period,
                         fd_exports_format_name (fd_json_get_string (schedule_object, "format")),
                         next ? next : _ ("not planned"));
  g_object_set_data_full (G_OBJECT (row), "fd-schedule", schedule,
                          (GDestroyNotify)fd_schedule_row_free);

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), schedule->name);
  adw_expander_row_set_subtitle (ADW_EXPANDER_ROW (row), schedule->subtitle);
  if (folder != NULL)
    gtk_widget_set_tooltip_text (row, folder);

  gtk_switch_set_active (GTK_SWITCH (enabled), json_object_get_boolean_member_with_default (
                                                   schedule_object, "enabled", TRUE));
  gtk_widget_set_valign (enabled, GTK_ALIGN_CENTER);
  gtk_widget_set_tooltip_text (enabled, _ ("Run This Schedule"));
  g_signal_connect (enabled, "notify::active", G_CALLBACK (fd_schedule_row_enabled_cb), schedule);
  adw_expander_row_add_action (ADW_EXPANDER_ROW (row), enabled);

  gtk_widget_set_valign (delete, GTK_ALIGN_CENTER);
  gtk_widget_set_tooltip_text (delete, _ ("Delete"));
  gtk_widget_add_css_class (delete, "flat");
  g_signal_connect (delete, "clicked", G_CALLBACK (fd_schedule_row_delete_cb), schedule);
  adw_expander_row_add_action (ADW_EXPANDER_ROW (row), delete);

  if (created)
    {
      /* Just made: no runs yet, and nothing to ask the server. */
      g_autoptr (GPtrArray) none = g_ptr_array_new ();
      fd_schedule_row_show_runs (schedule, none);
      return row;
    }
  runs_path = fd_api_path ("export-schedules", schedule->id, "runs", NULL);
  fd_api_client_list_all_async (self->client, runs_path, schedule->cancellable,
                                fd_schedule_row_runs_cb, schedule);
  return row;
}
