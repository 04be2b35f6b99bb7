/* fd-export-dialog-data.h — "Export…" of the Data pane (built with the Data pane). */
#pragma once

#include "fd-data-page.h"
#include "fd-export-dialog.h"

G_BEGIN_DECLS

/* What @data shows, as an export takes it: its tag, devices, fleets and range, and the
 * aggregate in view (avg, min, max and count per device and bucket) when the chart shows
 * buckets of whole minutes. */
FdExportSelection *fd_export_selection_new_from_data (const FdDataSelection *data);

/* Opens the Export dialog on @data_page's "export-requested" and enables its action. */
void fd_export_dialog_attach (GtkWidget *data_page);

G_END_DECLS
