/* fd-data-page.h — the "Data" pane: a tag's numeric field charted per device over a time
 * range (presets, a custom range, or the chart's own zoom), following new data live, and the
 * raw readings of the range in a paged table. */
#pragma once

#include <adwaita.h>

#include "fd-api-client.h"
#include "fd-events-client.h"
#include "fd-pane.h"
#include "fd-workspace.h"

G_BEGIN_DECLS

/* Rows of the raw table fetched per GET /data request. */
#define FD_DATA_PAGE_PAGE_SIZE 200
/* Live mode refetches the recent tail at most this often. */
#define FD_DATA_PAGE_LIVE_INTERVAL_MS 1000

/* What the chart shows: the selection "Export…" exports. Times are epoch ms, [start, end).
 * The arrays are NULL-terminated (empty for "all"); every string is owned by the struct. */
typedef struct
{
  char *workspace_id;
  char *tag;   /* NULL: no tag chosen yet */
  char *field; /* the charted field path ("temp", "gps.lat"); NULL without one */
  char **devices;
  char **fleets;
  gint64 start;
  gint64 end;
  /* Whether the chart shows buckets of several readings (the API's bucket_ms > 1 of the last
   * answer) rather than raw readings, and the bucket width in ms (0 when not aggregated). */
  gboolean aggregated;
  gint64 bucket_ms;
} FdDataSelection;

#define FD_TYPE_DATA_SELECTION (fd_data_selection_get_type ())
GType fd_data_selection_get_type (void) G_GNUC_CONST;
FdDataSelection *fd_data_selection_copy (const FdDataSelection *selection);
void fd_data_selection_free (FdDataSelection *selection);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (FdDataSelection, fd_data_selection_free)

#define FD_TYPE_DATA_PAGE (fd_data_page_get_type ())
G_DECLARE_FINAL_TYPE (FdDataPage, fd_data_page, FD, DATA_PAGE, FdPane)

void fd_data_page_set_client (FdDataPage *self, FdApiClient *client);
void fd_data_page_set_events (FdDataPage *self, FdEventsClient *events);
/* The workspace whose data is shown (NULL: none). */
void fd_data_page_set_workspace (FdDataPage *self, FdWorkspace *workspace);
/* Reads the tags again (and then the chart and table). */
void fd_data_page_reload (FdDataPage *self);

/* The selection in view; NULL when no workspace is set. Free with fd_data_selection_free(). */
FdDataSelection *fd_data_page_get_selection (FdDataPage *self);
/* The page's "data.export" action (the header bar's "Export…" button) emits the signal
 * "export-requested" (); it stays disabled until the exporter enables it here. */
void fd_data_page_set_export_enabled (FdDataPage *self, gboolean enabled);
/* Signal "selection-changed" (): what fd_data_page_get_selection() returns changed. */

/* For tests: the chart, the raw rows' model (FdDataRow, newest first) and how many series
 * requests / chart redraw batches were made. */
GtkWidget *fd_data_page_get_chart (FdDataPage *self);
GListModel *fd_data_page_get_rows (FdDataPage *self);
guint fd_data_page_get_series_requests (FdDataPage *self);

G_END_DECLS
