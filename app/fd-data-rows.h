/* fd-data-rows.h — the raw readings of a query (GET /workspaces/{id}/data) as a GListModel
 * that fetches them a page at a time, when a row past the fetched ones is asked for (that
 * is, becomes visible in a list view). Rows not fetched yet are FdDataRow "Loading…" rows. */
#pragma once

#include <gio/gio.h>

#include "fd-api-client.h"
#include "fd-data-row.h"

G_BEGIN_DECLS

#define FD_TYPE_DATA_ROWS (fd_data_rows_get_type ())
G_DECLARE_FINAL_TYPE (FdDataRows, fd_data_rows, FD, DATA_ROWS, GObject)

/* @page_size rows per request (1..175000). */
FdDataRows *fd_data_rows_new (FdApiClient *client, guint page_size);

/* Starts over with the query @path ("/workspaces/wks-x/data?tag=…&sort=…", without from and
 * size; NULL: no rows). @device_names and @fleet_names (id -> name; may be NULL) name the
 * rows' devices and fleets. The first page is fetched at once. */
void fd_data_rows_set_query (FdDataRows *self, const char *path, GHashTable *device_names,
                             GHashTable *fleet_names);
/* Fetches the first page of @path (the query with a later end). With @keep_rows, the rows
 * newer than the first one shown go on top of the others (a list view scrolled down stays on
 * its rows); without, or with more than a page of new rows, the list starts over with that
 * page (without "Loading…" rows in between). Later pages are fetched from @path. Does nothing
 * while a page or an update is being fetched. */
void fd_data_rows_update_head (FdDataRows *self, const char *path, gboolean keep_rows);
/* Whether a page is being fetched. */
gboolean fd_data_rows_get_loading (FdDataRows *self);
/* Rows fetched so far. */
guint fd_data_rows_get_n_fetched (FdDataRows *self);
/* How many pages were requested since the model was made (for tests). */
guint fd_data_rows_get_requests (FdDataRows *self);

/* Signal "head-updated" (guint added): an fd_data_rows_update_head() answer came, with
 * @added rows newer than the first one shown before.
 * Signal "failed" (GError *error): a page could not be fetched (its rows are dropped; asking
 * for a row past the end again retries). */

G_END_DECLS
