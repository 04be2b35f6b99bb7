/* test-gui-jobs-run.c — "New Job" and a job's page, driven as a user would: arguments that are
 * not JSON are refused in place; "echo" scheduled on pump-01 turns Succeeded with the device's
 * answer; "sleep", scheduled on the pumps' fleet, which pump-01 never answers and pump-02
 * never gets, is canceled. */
#include "config.h"

#include "fd-gui-util.h"
#include "fd-job-detail-page.h"
#include "fd-job-dialog.h"
#include "fd-jobs-page.h"
#include "fd-json-item.h"
#include "fd-multi-picker.h"
#include "test-gui-jobs.h"

static FdJobsPage *
jobs_page (void)
{
  return FD_JOBS_PAGE (fd_window_get_pane (fd_tj_window (), "jobs"));
}

static FdJobDetailPage *
detail_page (void)
{
  return fd_jobs_page_get_detail_page (jobs_page ());
}

/* "New Job" with Ctrl+N on the Jobs pane. */
static FdJobDialog *
open_dialog (void)
{
  fd_tj_show_pane ("Jobs");
  gtk_widget_activate_action (GTK_WIDGET (fd_tj_window ()), "win.primary", NULL);
  return FD_JOB_DIALOG (fd_gui_wait_for_window (FD_TYPE_JOB_DIALOG));
}

static gboolean
declared_cb (gpointer data)
{
  g_auto (GStrv) names = fd_job_dialog_get_declared (data);

  return g_strv_contains ((const char *const *)names, "echo");
}

/* Ticks @names in the dialog's picker @title ("Devices", "Fleets"), as a user does in its
 * popover. */
static void
choose (FdJobDialog *dialog, const char *title, const char *const *names, const char *screenshot)
{
  FdMultiPicker *picker
      = FD_MULTI_PICKER (fd_gui_wait_for (GTK_WIDGET (dialog), FD_TYPE_MULTI_PICKER, title));
  GtkPopover *popover = fd_multi_picker_get_popover (picker);

  gtk_popover_popup (popover);
  fd_gui_settle (300);
  for (guint i = 0; names[i] != NULL; i++)
    {
      GtkWidget *row = fd_gui_wait_for (GTK_WIDGET (popover), ADW_TYPE_ACTION_ROW, names[i]);
      GtkWidget *check = fd_gui_find (row, GTK_TYPE_CHECK_BUTTON, NULL);

      g_assert_nonnull (check);
      gtk_check_button_set_active (GTK_CHECK_BUTTON (check), TRUE);
    }
  if (screenshot != NULL)
    g_free (fd_gui_screenshot (GTK_WIDGET (dialog), screenshot));
  gtk_popover_popdown (popover);
}

static void
choose_devices (FdJobDialog *dialog, const char *const *names, const char *screenshot)
{
  choose (dialog, "Devices", names, screenshot);
  fd_gui_wait (declared_cb, dialog, 10, "the names pump-01 declares");
}

static gboolean
name_is_cb (gpointer data)
{
  GtkWidget *row = fd_gui_find (data, ADW_TYPE_ENTRY_ROW, "Name");

  return row != NULL
         && g_strcmp0 (gtk_editable_get_text (GTK_EDITABLE (row)),
                       g_object_get_data (G_OBJECT (data), "fd-test-name"))
                == 0;
}

/* Clicks the name among those the devices declare; the name row takes it. */
static void
pick_name (FdJobDialog *dialog, const char *name)
{
  g_object_set_data (G_OBJECT (dialog), "fd-test-name", (gpointer)name);
  fd_gui_click (GTK_WIDGET (dialog), name);
  fd_gui_wait (name_is_cb, dialog, 5, "the name row to take the name clicked");
}

static void
set_args (FdJobDialog *dialog, const char *text)
{
  GtkWidget *view = fd_gui_find (GTK_WIDGET (dialog), GTK_TYPE_TEXT_VIEW, NULL);

  g_assert_nonnull (view);
  gtk_text_buffer_set_text (gtk_text_view_get_buffer (GTK_TEXT_VIEW (view)), text, -1);
}

static const char *
execution_state (const char *device_name)
{
  GListModel *executions = fd_job_detail_page_get_executions (detail_page ());

  for (guint i = 0; i < g_list_model_get_n_items (executions); i++)
    {
      g_autoptr (FdJsonItem) item = g_list_model_get_item (executions, i);
      JsonObject *execution = fd_json_item_get_object (item);

      if (g_strcmp0 (json_object_get_string_member (execution, "device_name"), device_name) == 0)
        return json_object_get_string_member (execution, "state");
    }
  return NULL;
}

typedef struct
{
  const char *device;
  const char *state;
} StateWait;

static gboolean
execution_state_cb (gpointer data)
{
  StateWait *wait = data;

  return g_strcmp0 (execution_state (wait->device), wait->state) == 0;
}

static void
wait_execution (const char *device_name, const char *state)
{
  StateWait wait = { device_name, state };
  g_autofree char *what = g_strdup_printf ("%s's execution to be %s", device_name, state);

  fd_gui_wait (execution_state_cb, &wait, 20, what);
}

static gboolean
args_error_cb (gpointer data)
{
  return fd_job_dialog_get_args_error (data) != NULL;
}

void
fd_tj_bad_args (void)
{
  const char *const devices[] = { "pump-01", NULL };
  g_autoptr (FdJobDialog) dialog = open_dialog ();
  GtkWidget *schedule;
  const char *message;

  /* Nothing chosen yet: Schedule is off. */
  fd_gui_settle (300);
  schedule = fd_gui_find (GTK_WIDGET (dialog), GTK_TYPE_BUTTON, "_Schedule");
  g_assert_nonnull (schedule);
  g_assert_false (gtk_widget_get_sensitive (schedule));
  choose_devices (dialog, devices, "jobs-02-pick-devices");
  /* The job the device declares, offered under the name: one click. */
  pick_name (dialog, "echo");
  g_assert_true (fd_job_dialog_can_schedule (dialog));

  set_args (dialog, "{\"n\": 1,");
  fd_gui_wait (args_error_cb, dialog, 5, "the arguments' error");
  message = fd_job_dialog_get_args_error (dialog);
  g_test_message ("arguments error: %s", message);
  /* Says where, as a person finds it: line and column. */
  g_assert_true (g_str_has_prefix (message, "Line 1, column "));
  g_assert_nonnull (fd_gui_find (GTK_WIDGET (dialog), GTK_TYPE_LABEL, message));
  g_assert_false (fd_job_dialog_can_schedule (dialog));
  g_assert_false (gtk_widget_get_sensitive (schedule));
  g_free (fd_gui_screenshot (GTK_WIDGET (dialog), "jobs-03-bad-args"));

  /* An array is JSON, but not the object a job takes. */
  set_args (dialog, "[1, 2]");
  fd_gui_settle (50);
  g_assert_cmpstr (fd_job_dialog_get_args_error (dialog), ==,
                   "The arguments are a JSON object, such as {\"s\": 5}.");
  g_assert_false (fd_job_dialog_can_schedule (dialog));

  set_args (dialog, "{\"n\": 1}");
  fd_gui_settle (50);
  g_assert_null (fd_job_dialog_get_args_error (dialog));
  g_assert_true (fd_job_dialog_can_schedule (dialog));

  gtk_window_close (GTK_WINDOW (dialog));
  fd_gui_wait_window_closed (GTK_WINDOW (dialog));
}

static gboolean
list_shows_cb (gpointer data)
{
  return fd_gui_find (GTK_WIDGET (jobs_page ()), GTK_TYPE_LABEL, data) != NULL;
}

static gboolean
detail_hidden_cb (gpointer data)
{
  return !gtk_widget_get_mapped (GTK_WIDGET (detail_page ()));
}

void
fd_tj_schedule (void)
{
  const char *const devices[] = { "pump-01", NULL };
  g_autoptr (FdJobDialog) dialog = open_dialog ();
  g_autoptr (JsonNode) job = NULL;
  g_autofree char *path = NULL;
  JsonObject *shown;

  choose_devices (dialog, devices, NULL);
  pick_name (dialog, "echo");
  set_args (dialog, "{\"n\": 1}");
  fd_gui_settle (50);
  g_free (fd_gui_screenshot (GTK_WIDGET (dialog), "jobs-04-new-job"));
  fd_gui_click (GTK_WIDGET (dialog), "_Schedule");
  fd_gui_wait_window_closed (GTK_WINDOW (dialog));

  /* The job's page opens on it; the device answers; its row turns Succeeded. */
  wait_execution ("pump-01", "succeeded");
  fd_gui_wait_for (GTK_WIDGET (detail_page ()), GTK_TYPE_LABEL, "Succeeded");
  fd_gui_wait_for (GTK_WIDGET (detail_page ()), GTK_TYPE_LABEL, "{\"echo\":{\"n\":1}}");
  fd_gui_wait_for (GTK_WIDGET (detail_page ()), GTK_TYPE_LABEL, "1/1 succeeded");
  g_free (fd_gui_screenshot (GTK_WIDGET (fd_tj_window ()), "jobs-05-succeeded"));

  shown = fd_job_detail_page_get_job (detail_page ());
  path = g_strdup_printf ("/jobs/%s", json_object_get_string_member (shown, "id"));
  job = fd_tj_api ("GET", path, NULL, 200);
  g_assert_cmpstr (fd_tj_string (job, "state"), ==, "done");
  g_assert_cmpstr (fd_tj_string (job, "name"), ==, "echo");

  fd_gui_click (GTK_WIDGET (detail_page ()), "Back to Jobs");
  fd_gui_wait (detail_hidden_cb, NULL, 10, "the list to slide back");
  fd_gui_wait (list_shows_cb, "1/1 succeeded", 10, "the list's progress");
  fd_gui_wait (list_shows_cb, "Done", 10, "the list's state");
  g_free (fd_gui_screenshot (GTK_WIDGET (fd_tj_window ()), "jobs-06-list"));
}

static gboolean
job_canceled_cb (gpointer data)
{
  JsonObject *job = fd_job_detail_page_get_job (detail_page ());

  return job != NULL && g_strcmp0 (json_object_get_string_member (job, "state"), "canceled") == 0;
}

void
fd_tj_cancel (void)
{
  const char *const fleets[] = { "default", NULL };
  g_autoptr (FdJobDialog) dialog = open_dialog ();
  AdwMessageDialog *confirm;
  GtkWidget *name;

  /* Both pumps, through their fleet. */
  choose (dialog, "Fleets", fleets, NULL);
  name = fd_gui_wait_for (GTK_WIDGET (dialog), ADW_TYPE_ENTRY_ROW, "Name");
  gtk_editable_set_text (GTK_EDITABLE (name), "sleep");
  fd_gui_click (GTK_WIDGET (dialog), "_Schedule");
  fd_gui_wait_window_closed (GTK_WINDOW (dialog));

  /* pump-01 got it and says nothing; pump-02 never connected: it waits for it. */
  fd_tj_device_wait ("{\"job\": \"sleep\"}");
  wait_execution ("pump-01", "sent");
  wait_execution ("pump-02", "queued");
  g_free (fd_gui_screenshot (GTK_WIDGET (fd_tj_window ()), "jobs-07-sent"));

  fd_gui_click (GTK_WIDGET (detail_page ()), "_Cancel Job…");
  confirm = fd_gui_wait_for_dialog ();
  g_assert_cmpstr (adw_message_dialog_get_heading (confirm), ==, "Cancel Job “sleep”?");
  g_assert_nonnull (strstr (adw_message_dialog_get_body (confirm), "2 devices"));
  g_free (fd_gui_screenshot (GTK_WIDGET (confirm), "jobs-08-cancel-dialog"));
  fd_gui_click (GTK_WIDGET (confirm), "Cancel _Job");
  fd_gui_wait_dialogs_closed ();

  fd_gui_wait (job_canceled_cb, NULL, 10, "the job to be canceled");
  wait_execution ("pump-01", "canceled");
  wait_execution ("pump-02", "canceled");
  /* Nothing left to cancel. */
  g_assert_false (gtk_widget_get_sensitive (
      fd_gui_find (GTK_WIDGET (detail_page ()), GTK_TYPE_BUTTON, "_Cancel Job…")));
  g_free (fd_gui_screenshot (GTK_WIDGET (fd_tj_window ()), "jobs-09-canceled"));
}
