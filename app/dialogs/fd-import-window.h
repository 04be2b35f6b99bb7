/* fd-import-window.h — "Import Devices": a CSV file checked by a dry run and previewed, then
 * imported at once, then every device's credentials saved into a folder. */
#pragma once

#include <adwaita.h>

#include "fd-api-client.h"

G_BEGIN_DECLS

/* The API takes a CSV body of at most 16 MiB (docs/rest-api.md, "Bulk import"). */
#define FD_IMPORT_MAX_BYTES (16 * 1024 * 1024)

#define FD_TYPE_IMPORT_WINDOW (fd_import_window_get_type ())
G_DECLARE_FINAL_TYPE (FdImportWindow, fd_import_window, FD, IMPORT_WINDOW, AdwWindow)

/* Imports into workspace @workspace_id, whose @fleets (FdFleet) name the preview's fleets. */
FdImportWindow *fd_import_window_new (GtkWindow *parent, FdApiClient *client,
                                      const char *workspace_id, const char *workspace_name,
                                      GListModel *fleets);
/* Reads @file (refusing one over FD_IMPORT_MAX_BYTES before sending anything) and checks it
 * with a dry run. */
void fd_import_window_open_file (FdImportWindow *self, GFile *file);

/* The page shown: "checking", "preview", "errors", "importing", "done" or "failed". */
const char *fd_import_window_get_state (FdImportWindow *self);
/* The rows of the preview (FdImportRow) and of the error list (GtkStringObject), for tests. */
GListModel *fd_import_window_get_rows (FdImportWindow *self);
GListModel *fd_import_window_get_errors (FdImportWindow *self);

G_END_DECLS
