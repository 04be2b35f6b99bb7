/* fd-data-row.h — one raw reading of the Data pane's table (GET /workspaces/{id}/data), or a
 * row still being fetched ("Loading…"). */
#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

#define FD_TYPE_DATA_ROW (fd_data_row_get_type ())
G_DECLARE_FINAL_TYPE (FdDataRow, fd_data_row, FD, DATA_ROW, GObject)

/* A row of a /data answer; @device_name and @fleet_name (may be NULL: the ids are shown) are
 * what the table shows for its device and fleet. NULL if @object has no timestamp_device. */
FdDataRow *fd_data_row_new (JsonObject *object, const char *device_name, const char *fleet_name);
/* A row whose page has not arrived yet. */
FdDataRow *fd_data_row_new_loading (void);

gboolean fd_data_row_get_loading (FdDataRow *self);
/* Epoch ms of timestamp_device (0 while loading). */
gint64 fd_data_row_get_timestamp (FdDataRow *self);
/* As shown: local time with seconds, the device's and fleet's names, the payload on a line. */
const char *fd_data_row_get_time (FdDataRow *self);
const char *fd_data_row_get_device (FdDataRow *self);
const char *fd_data_row_get_fleet (FdDataRow *self);
const char *fd_data_row_get_payload (FdDataRow *self);
const char *fd_data_row_get_device_id (FdDataRow *self);

G_END_DECLS
