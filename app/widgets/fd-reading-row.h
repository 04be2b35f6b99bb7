/* fd-reading-row.h — one tag of a device and its latest reading, in "Latest Readings". */
#pragma once

#include <adwaita.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

#define FD_TYPE_READING_ROW (fd_reading_row_get_type ())
G_DECLARE_FINAL_TYPE (FdReadingRow, fd_reading_row, FD, READING_ROW, AdwActionRow)

GtkWidget *fd_reading_row_new (const char *tag);
const char *fd_reading_row_get_tag (FdReadingRow *self);
/* Shows @device_tag (an item of GET /devices/{id}/tags) as of @now; changes only the labels
 * whose text changed, so a poll that brings nothing new redraws nothing. */
void fd_reading_row_update (FdReadingRow *self, JsonObject *device_tag, GDateTime *now);

/* Shows the reading of a "data" event (its "payload", "timestamp_in" and "count" readings
 * since the last event). */
void fd_reading_row_add_live (FdReadingRow *self, JsonObject *data, GDateTime *now);
/* Updates only "12 s ago" to @now. */
void fd_reading_row_refresh (FdReadingRow *self, GDateTime *now);

G_END_DECLS
