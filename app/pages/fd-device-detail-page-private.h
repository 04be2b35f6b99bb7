/* fd-device-detail-page-private.h — what the device page's files share. */
#pragma once

#include "fd-device-detail-page.h"
#include "fd-ui.h"

G_BEGIN_DECLS

/* The device's connection as last heard of (RFC 3339 times as the server wrote them). */
typedef struct
{
  gboolean online;
  gboolean reported; /* the server reported presence (connected_at …) at all */
  char *transport;
  char *address;
  char *connected_at;
  char *disconnected_at;
  char *info; /* what the device reported (__info), on one line */
} FdPresence;

struct _FdDeviceDetailPage
{
  FdPane parent_instance;

  FdApiClient *client;
  FdEventsClient *events;
  FdDevice *device;
  FdPresence presence;
  guint live_readings;     /* readings shown from "data" events */
  JsonObject *last_device; /* the device as last fetched */
  char *example;           /* the curl command of the empty state */
  gboolean have_server;    /* the example names the server's device address */

  GCancellable *cancellable;      /* of everything for this device; cancelled on change */
  GCancellable *poll_cancellable; /* of the poll in flight; cancelled on unmap */
  guint poll_source;
  guint polls;
  guint poll_pending;       /* answers the poll in flight still waits for */
  GPtrArray *poll_tags;     /* JsonObject: the tags answer of the poll in flight */
  gboolean poll_error;      /* the poll in flight failed */
  gboolean failing;         /* the last poll failed: the next failure is not toasted again */
  GHashTable *reading_rows; /* tag -> FdReadingRow (owned by the list) */
  gboolean readings_loaded;

  AdwWindowTitle *window_title;
  GtkStack *stack;
  GtkLabel *name_label;
  GtkLabel *info_label;
  AdwActionRow *status_row;
  GtkWidget *status_dot;
  AdwActionRow *transport_row;
  AdwActionRow *address_row;
  AdwActionRow *info_row;
  GtkWidget *readings_spinner;
  GtkListBox *readings_list;
  GtkWidget *readings_empty;
  GtkLabel *example_label;
  GtkListBox *credentials_list;
  GtkListBox *variables_list;
  GHashTable *variable_rows; /* key -> AdwActionRow (owned by the list) */
  guint variables_source;    /* a coalesced read after variable.updated events */
  FdUiRead variables_read;
};

/* fd-device-detail-page.c */
/* "loading", "list" or "empty" */
void fd_device_detail_page_show_readings_state (FdDeviceDetailPage *self, const char *state);
/* Asks for the device and its tags now (after events may have been missed). */
void fd_device_detail_page_poll_now (FdDeviceDetailPage *self);

/* fd-device-detail-page-live.c */
void fd_device_detail_page_update_presence (FdDeviceDetailPage *self, JsonObject *device);
void fd_device_detail_page_show_presence (FdDeviceDetailPage *self, GDateTime *now);
void fd_device_detail_page_clear_presence (FdDeviceDetailPage *self);

/* fd-device-detail-page-credentials.c */
void fd_device_detail_page_class_init_credentials (GtkWidgetClass *widget_class);
void fd_device_detail_page_init_credentials (FdDeviceDetailPage *self);
void fd_device_detail_page_clear_credentials (FdDeviceDetailPage *self);
/* Lists the device's credentials again. */
void fd_device_detail_page_load_credentials (FdDeviceDetailPage *self);

/* fd-device-detail-page-variables.c */
void fd_device_detail_page_class_init_variables (GtkWidgetClass *widget_class);
void fd_device_detail_page_init_variables (FdDeviceDetailPage *self);
void fd_device_detail_page_clear_variables (FdDeviceDetailPage *self);
/* Lists the device's variables again. */
void fd_device_detail_page_load_variables (FdDeviceDetailPage *self);
/* Follows variable.updated events of @events. */
void fd_device_detail_page_connect_variables (FdDeviceDetailPage *self, FdEventsClient *events);

G_END_DECLS
