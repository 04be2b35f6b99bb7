/* fd-job-detail-page-view.c — the widgets of the job page: the header bar (Back, the job's
 * name, Cancel Job…), a summary (state, progress, arguments, limits) and the executions'
 * column view. Built in code: its columns' cells read FdJsonItems (fd-json-item.h). */
#include "config.h"

#include <glib/gi18n.h>

#include "fd-job-detail-page.h"
#include "fd-jobs-format.h"
#include "fd-json-item.h"
#include "fd-ui.h"

void fd_job_detail_page_build (FdJobDetailPage *self, AdwWindowTitle **title,
                               GtkWidget **cancel_button, GtkLabel **state_label,
                               GtkProgressBar **progress, GtkLabel **progress_label,
                               GtkLabel **args_label, GtkLabel **limits_label, GtkStack **stack,
                               GtkColumnView **view);

static GtkWidget *
fd_job_detail_header (AdwWindowTitle **title, GtkWidget **cancel_button)
{
  GtkWidget *header = adw_header_bar_new ();
  GtkWidget *back = gtk_button_new_from_icon_name ("go-previous-symbolic");

  gtk_widget_set_tooltip_text (back, _ ("Back to Jobs"));
  gtk_accessible_update_property (GTK_ACCESSIBLE (back), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _ ("Back to Jobs"), -1);
  gtk_actionable_set_action_name (GTK_ACTIONABLE (back), "pane.show-list");
  adw_header_bar_pack_start (ADW_HEADER_BAR (header), back);

  *title = ADW_WINDOW_TITLE (adw_window_title_new ("", NULL));
  adw_header_bar_set_title_widget (ADW_HEADER_BAR (header), GTK_WIDGET (*title));

  *cancel_button = gtk_button_new_with_mnemonic (_ ("_Cancel Job…"));
  gtk_widget_set_tooltip_text (*cancel_button,
                               _ ("Withdraw the job from the devices that have not answered"));
  gtk_actionable_set_action_name (GTK_ACTIONABLE (*cancel_button), "detail.cancel-job");
  gtk_widget_add_css_class (*cancel_button, "destructive-action");
  adw_header_bar_pack_end (ADW_HEADER_BAR (header), *cancel_button);
  return header;
}

static GtkLabel *
fd_job_detail_label (GtkWidget *box, const char *text, const char *css_class)
{
  GtkWidget *label = gtk_label_new (text);

  gtk_label_set_xalign (GTK_LABEL (label), 0);
  if (css_class != NULL)
    gtk_widget_add_css_class (label, css_class);
  gtk_box_append (GTK_BOX (box), label);
  return GTK_LABEL (label);
}

static GtkWidget *
fd_job_detail_summary (GtkLabel **state_label, GtkProgressBar **progress, GtkLabel **progress_label,
                       GtkLabel **args_label, GtkLabel **limits_label)
{
  GtkWidget *summary = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);
  GtkWidget *line = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);
  GtkWidget *bar = gtk_progress_bar_new ();
  GtkWidget *details = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);

  gtk_widget_set_margin_top (summary, 12);
  gtk_widget_set_margin_bottom (summary, 12);
  /* Aligned with the text of the columns below. */
  gtk_widget_set_margin_start (summary, 6);
  gtk_widget_set_margin_end (summary, 6);

  *state_label = fd_job_detail_label (line, "", "heading");
  gtk_widget_set_valign (bar, GTK_ALIGN_CENTER);
  gtk_widget_set_hexpand (bar, TRUE);
  gtk_box_append (GTK_BOX (line), bar);
  *progress = GTK_PROGRESS_BAR (bar);
  *progress_label = fd_job_detail_label (line, "", NULL);
  gtk_box_append (GTK_BOX (summary), line);

  fd_job_detail_label (details, _ ("Arguments"), "dim-label");
  *args_label = fd_job_detail_label (details, "", "monospace");
  gtk_label_set_selectable (*args_label, TRUE);
  gtk_label_set_ellipsize (*args_label, PANGO_ELLIPSIZE_END);
  gtk_widget_set_hexpand (GTK_WIDGET (*args_label), TRUE);
  *limits_label = fd_job_detail_label (details, "", "dim-label");
  gtk_box_append (GTK_BOX (summary), details);
  return summary;
}

static GtkWidget *
fd_job_detail_list (GtkStack **stack, GtkColumnView **view)
{
  GtkWidget *scrolled = gtk_scrolled_window_new ();
  GtkColumnView *columns = GTK_COLUMN_VIEW (gtk_column_view_new (NULL));
  const FdJsonItemColumnSpec specs[] = {
    { C_ ("column", "Device"), fd_jobs_format_device, NULL, TRUE, 0 },
    { C_ ("column", "State"), fd_jobs_format_execution_state, NULL, FALSE, 110 },
    { C_ ("column", "Attempts"), fd_jobs_format_attempts, NULL, FALSE, 90 },
    { C_ ("column", "Result"), fd_jobs_format_result, NULL, TRUE, 0 },
    { C_ ("column", "Sent"), fd_jobs_format_sent, "sent_at", FALSE, 170 },
    { C_ ("column", "Finished"), fd_jobs_format_finished, "finished_at", FALSE, 170 },
  };

  *stack = fd_ui_state_stack_new ();
  gtk_stack_add_named (*stack, fd_ui_spinner_new (), "loading");
  gtk_stack_add_named (*stack,
                       fd_ui_status_page_new ("network-wired-symbolic", _ ("No Devices"),
                                              _ ("This job has no device to run on."), NULL, NULL),
                       "empty");

  fd_json_item_append_columns (columns, specs, G_N_ELEMENTS (specs));
  gtk_column_view_set_reorderable (columns, FALSE);
  gtk_widget_add_css_class (GTK_WIDGET (columns), "data-table");
  gtk_accessible_update_property (GTK_ACCESSIBLE (columns), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _ ("Executions"), -1);
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scrolled), GTK_WIDGET (columns));
  gtk_stack_add_named (*stack, scrolled, "list");
  *view = columns;
  return GTK_WIDGET (*stack);
}

void
fd_job_detail_page_build (FdJobDetailPage *self, AdwWindowTitle **title, GtkWidget **cancel_button,
                          GtkLabel **state_label, GtkProgressBar **progress,
                          GtkLabel **progress_label, GtkLabel **args_label, GtkLabel **limits_label,
                          GtkStack **stack, GtkColumnView **view)
{
  GtkWidget *content = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);

  gtk_box_append (GTK_BOX (content), fd_job_detail_header (title, cancel_button));
  gtk_box_append (GTK_BOX (content), fd_job_detail_summary (state_label, progress, progress_label,
                                                            args_label, limits_label));
  gtk_box_append (GTK_BOX (content), gtk_separator_new (GTK_ORIENTATION_HORIZONTAL));
  gtk_box_append (GTK_BOX (content), fd_job_detail_list (stack, view));
  adw_bin_set_child (ADW_BIN (self), content);
}
