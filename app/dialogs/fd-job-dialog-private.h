/* fd-job-dialog-private.h — what "New Job"'s files share: the widgets fd-job-dialog-view.c
 * builds for fd-job-dialog.c. */
#pragma once

#include "fd-job-dialog.h"
#include "fd-multi-picker.h"

G_BEGIN_DECLS

/* Builds the dialog's content and returns the widgets fd-job-dialog.c reads and updates. */
void fd_job_dialog_build_view (FdJobDialog *self, GtkWidget **schedule_button,
                               FdMultiPicker **devices, FdMultiPicker **fleets,
                               GtkLabel **targets_error, AdwEntryRow **name_row,
                               GtkLabel **name_error, GtkBox **declared_box,
                               GtkLabel **declared_label, GtkTextView **args_view,
                               GtkLabel **args_error, GtkSpinButton **timeout,
                               GtkSpinButton **retries);

G_END_DECLS
