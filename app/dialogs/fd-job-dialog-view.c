/* fd-job-dialog-view.c — the widgets of "New Job": Cancel and Schedule in the header bar,
 * then the groups Targets, Job (name, the names the devices declare), Arguments (a JSON text
 * view with its error under it) and Limits (timeout, retries). */
#include "config.h"

#include <glib/gi18n.h>

#include "fd-job-dialog.h"
#include "fd-multi-picker.h"

void fd_job_dialog_build_view (FdJobDialog *self, GtkWidget **schedule_button,
                               FdMultiPicker **devices, FdMultiPicker **fleets,
                               GtkLabel **targets_error, AdwEntryRow **name_row,
                               GtkLabel **name_error, GtkBox **declared_box,
                               GtkLabel **declared_label, GtkTextView **args_view,
                               GtkLabel **args_error, GtkSpinButton **timeout,
                               GtkSpinButton **retries);

static GtkLabel *
fd_job_dialog_note (const char *text, const char *css_class)
{
  GtkWidget *label = gtk_label_new (text);

  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_label_set_wrap (GTK_LABEL (label), TRUE);
  gtk_widget_set_margin_top (label, 6);
  if (css_class != NULL)
    gtk_widget_add_css_class (label, css_class);
  return GTK_LABEL (label);
}

static GtkWidget *
fd_job_dialog_picker_row (const char *title, const char *subtitle, const char *none,
                          const char *several, FdMultiPicker **picker)
{
  GtkWidget *row = adw_action_row_new ();

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
  *picker = FD_MULTI_PICKER (fd_multi_picker_new ());
  fd_multi_picker_set_labels (*picker, none, several);
  gtk_widget_set_valign (GTK_WIDGET (*picker), GTK_ALIGN_CENTER);
  gtk_widget_set_tooltip_text (GTK_WIDGET (*picker), title);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), GTK_WIDGET (*picker));
  return row;
}

static GtkWidget *
fd_job_dialog_spin_row (const char *title, const char *subtitle, double min, double max,
                        double value, GtkSpinButton **spin)
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
  return row;
}

static GtkWidget *
fd_job_dialog_header (FdJobDialog *self, GtkWidget **schedule_button)
{
  GtkWidget *header = adw_header_bar_new ();
  GtkWidget *cancel = gtk_button_new_with_mnemonic (_ ("_Cancel"));

  adw_header_bar_set_show_end_title_buttons (ADW_HEADER_BAR (header), FALSE);
  adw_header_bar_set_show_start_title_buttons (ADW_HEADER_BAR (header), FALSE);
  gtk_actionable_set_action_name (GTK_ACTIONABLE (cancel), "window.close");
  adw_header_bar_pack_start (ADW_HEADER_BAR (header), cancel);
  *schedule_button = gtk_button_new_with_mnemonic (_ ("_Schedule"));
  gtk_widget_add_css_class (*schedule_button, "suggested-action");
  adw_header_bar_pack_end (ADW_HEADER_BAR (header), *schedule_button);
  gtk_window_set_default_widget (GTK_WINDOW (self), *schedule_button);
  return header;
}

void
fd_job_dialog_build_view (FdJobDialog *self, GtkWidget **schedule_button, FdMultiPicker **devices,
                          FdMultiPicker **fleets, GtkLabel **targets_error, AdwEntryRow **name_row,
                          GtkLabel **name_error, GtkBox **declared_box, GtkLabel **declared_label,
                          GtkTextView **args_view, GtkLabel **args_error, GtkSpinButton **timeout,
                          GtkSpinButton **retries)
{
  GtkWidget *toasts = adw_toast_overlay_new ();
  GtkWidget *content = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  GtkWidget *scrolled = gtk_scrolled_window_new ();
  GtkWidget *clamp = adw_clamp_new ();
  GtkWidget *groups = gtk_box_new (GTK_ORIENTATION_VERTICAL, 24);
  GtkWidget *targets = adw_preferences_group_new ();
  GtkWidget *job = adw_preferences_group_new ();
  GtkWidget *args = adw_preferences_group_new ();
  GtkWidget *limits = adw_preferences_group_new ();
  GtkWidget *frame = gtk_frame_new (NULL);
  GtkWidget *args_scrolled = gtk_scrolled_window_new ();

  gtk_box_append (GTK_BOX (content), fd_job_dialog_header (self, schedule_button));

  adw_preferences_group_set_title (ADW_PREFERENCES_GROUP (targets), _ ("Targets"));
  adw_preferences_group_set_description (
      ADW_PREFERENCES_GROUP (targets),
      _ ("The job runs on every device chosen and every device of the fleets chosen."));
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (targets),
                             fd_job_dialog_picker_row (_ ("Devices"), NULL, C_ ("devices", "None"),
                                                       _ ("%u Devices"), devices));
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (targets),
                             fd_job_dialog_picker_row (_ ("Fleets"), NULL, C_ ("fleets", "None"),
                                                       _ ("%u Fleets"), fleets));
  *targets_error = fd_job_dialog_note (_ ("Choose at least one device or fleet."), "dim-label");
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (targets), GTK_WIDGET (*targets_error));

  adw_preferences_group_set_title (ADW_PREFERENCES_GROUP (job), _ ("Job"));
  *name_row = ADW_ENTRY_ROW (adw_entry_row_new ());
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (*name_row), _ ("Name"));
  /* Enter schedules, as Schedule is the default (when it is on). */
  adw_entry_row_set_activates_default (*name_row, TRUE);
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (job), GTK_WIDGET (*name_row));
  *name_error = fd_job_dialog_note (NULL, "error");
  gtk_widget_set_visible (GTK_WIDGET (*name_error), FALSE);
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (job), GTK_WIDGET (*name_error));
  *declared_label = fd_job_dialog_note (NULL, "dim-label");
  gtk_widget_set_visible (GTK_WIDGET (*declared_label), FALSE);
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (job), GTK_WIDGET (*declared_label));
  /* A row of buttons, not a GtkFlowBox: GTK 4.8 measures a flow box's height for a width it
   * does not get here, and it overlaps the next group. */
  *declared_box = GTK_BOX (gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6));
  gtk_widget_set_margin_top (GTK_WIDGET (*declared_box), 6);
  gtk_widget_set_visible (GTK_WIDGET (*declared_box), FALSE);
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (job), GTK_WIDGET (*declared_box));

  adw_preferences_group_set_title (ADW_PREFERENCES_GROUP (args), _ ("Arguments"));
  adw_preferences_group_set_description (ADW_PREFERENCES_GROUP (args),
                                         _ ("A JSON object handed to the job on each device."));
  *args_view = GTK_TEXT_VIEW (gtk_text_view_new ());
  gtk_text_view_set_monospace (*args_view, TRUE);
  gtk_text_view_set_wrap_mode (*args_view, GTK_WRAP_WORD_CHAR);
  gtk_text_view_set_top_margin (*args_view, 12);
  gtk_text_view_set_bottom_margin (*args_view, 12);
  gtk_text_view_set_left_margin (*args_view, 12);
  gtk_text_view_set_right_margin (*args_view, 12);
  gtk_text_buffer_set_text (gtk_text_view_get_buffer (*args_view), "{}", -1);
  gtk_accessible_update_property (GTK_ACCESSIBLE (*args_view), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _ ("Arguments"), -1);
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (args_scrolled), GTK_WIDGET (*args_view));
  gtk_scrolled_window_set_min_content_height (GTK_SCROLLED_WINDOW (args_scrolled), 96);
  gtk_scrolled_window_set_policy (GTK_SCROLLED_WINDOW (args_scrolled), GTK_POLICY_NEVER,
                                  GTK_POLICY_AUTOMATIC);
  gtk_frame_set_child (GTK_FRAME (frame), args_scrolled);
  gtk_widget_add_css_class (frame, "fd-args");
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (args), frame);
  *args_error = fd_job_dialog_note (NULL, "error");
  gtk_widget_set_visible (GTK_WIDGET (*args_error), FALSE);
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (args), GTK_WIDGET (*args_error));

  adw_preferences_group_set_title (ADW_PREFERENCES_GROUP (limits), _ ("Limits"));
  adw_preferences_group_add (
      ADW_PREFERENCES_GROUP (limits),
      fd_job_dialog_spin_row (_ ("Timeout"),
                              _ ("Seconds a device has to answer once it got the job"), 1,
                              FD_JOB_TIMEOUT_MAX_S, FD_JOB_TIMEOUT_DEFAULT_S, timeout));
  adw_preferences_group_add (
      ADW_PREFERENCES_GROUP (limits),
      fd_job_dialog_spin_row (_ ("Retries"), _ ("Times the job is sent again after a timeout"), 0,
                              FD_JOB_RETRIES_MAX, 0, retries));

  gtk_box_append (GTK_BOX (groups), targets);
  gtk_box_append (GTK_BOX (groups), job);
  gtk_box_append (GTK_BOX (groups), args);
  gtk_box_append (GTK_BOX (groups), limits);
  gtk_widget_set_margin_top (groups, 24);
  gtk_widget_set_margin_bottom (groups, 24);
  gtk_widget_set_margin_start (groups, 12);
  gtk_widget_set_margin_end (groups, 12);
  adw_clamp_set_maximum_size (ADW_CLAMP (clamp), 560);
  adw_clamp_set_child (ADW_CLAMP (clamp), groups);
  gtk_scrolled_window_set_policy (GTK_SCROLLED_WINDOW (scrolled), GTK_POLICY_NEVER,
                                  GTK_POLICY_AUTOMATIC);
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scrolled), clamp);
  gtk_widget_set_vexpand (scrolled, TRUE);
  gtk_box_append (GTK_BOX (content), scrolled);
  adw_toast_overlay_set_child (ADW_TOAST_OVERLAY (toasts), content);
  adw_window_set_content (ADW_WINDOW (self), toasts);
}
