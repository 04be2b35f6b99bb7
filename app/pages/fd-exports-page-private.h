/* fd-exports-page-private.h — what the files of the Exports pane share. */
#pragma once

#include "fd-exports-page.h"

G_BEGIN_DECLS

struct _FdExportsPage
{
  FdPane parent_instance;

  FdApiClient *client;
  FdWorkspace *workspace;
  GCancellable *cancellable; /* of the workspace's requests: cancelled when it changes */
  guint poll_id;
  gboolean polling; /* a poll of the exports is in flight */

  GtkStack *stack;
  GtkListBox *schedule_list;
  GtkListBox *export_list;
};

/* fd-exports-page-rows.c */
/* A row for an export object: state, progress while it runs (with Cancel), rows and size. */
GtkWidget *fd_exports_page_export_row_new (FdExportsPage *self, JsonObject *export);
/* A row for a schedule object: period, next run, the last run's result, enable switch,
 * delete, and the history of its runs (with their errors) when expanded. @created: the
 * schedule was just made (it has no runs to read). */
GtkWidget *fd_exports_page_schedule_row_new (FdExportsPage *self, JsonObject *schedule,
                                             gboolean created);
/* "Done · 12,345 rows · 1.2 MB", "Running · 42 %", "Failed: …". */
char *fd_exports_describe_state (JsonObject *export);
/* "Every day at 02:00", "Every Monday at 02:00". */
char *fd_exports_describe_period (JsonObject *schedule);

G_END_DECLS
