/* fd-export-dialog.h — "Export…": what to export (format, columns, raw rows or the aggregate in
 * view) and where to, then the export itself, followed in a toast. */
#pragma once

#include <adwaita.h>

#include "fd-api-client.h"

G_BEGIN_DECLS

/* What the Data pane shows: the rows an export takes. Times are RFC 3339 or NULL (open); the
 * lists are NULL or NULL-terminated. @aggregate_field is NULL when no aggregate is in view. */
typedef struct
{
  char *workspace_id;
  char **tags;
  char **devices;
  char **fleets;
  char *start;
  char *end;
  char *aggregate_field;
  char *aggregate_fn;     /* "avg,max" */
  char *aggregate_bucket; /* "1h", or NULL for none */
  char *aggregate_group;  /* "device", "fleet" or NULL for none */
} FdExportSelection;

FdExportSelection *fd_export_selection_copy (const FdExportSelection *selection);
void fd_export_selection_free (FdExportSelection *selection);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (FdExportSelection, fd_export_selection_free)

/* The file name an export of @selection suggests: "<tag>-<start>-<end>.<ext>", with the dates
 * as YYYYMMDD-HHMM in local time ("all" for a tag list that is empty or longer than one, and
 * "start"/"now" for open ends). */
char *fd_export_suggested_name (const FdExportSelection *selection, const char *format);

#define FD_TYPE_EXPORT_DIALOG (fd_export_dialog_get_type ())
G_DECLARE_FINAL_TYPE (FdExportDialog, fd_export_dialog, FD, EXPORT_DIALOG, AdwWindow)

/* A dialog over @parent (whose toasts follow the export once the dialog is closed). */
FdExportDialog *fd_export_dialog_new (GtkWindow *parent, FdApiClient *client,
                                      const FdExportSelection *selection);

/* Exports @selection into @destination, showing progress, cancel and the result as toasts in
 * the window of @widget. @body is the POST /workspaces/{id}/exports body. */
void fd_export_run_start (GtkWidget *widget, FdApiClient *client, const char *workspace_id,
                          JsonNode *body, GFile *destination);

G_END_DECLS
