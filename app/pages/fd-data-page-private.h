/* fd-data-page-private.h — what the Data pane's files share. */
#pragma once

#include "fd-chart.h"
#include "fd-data-page.h"
#include "fd-data-rows.h"
#include "fd-multi-picker.h"

G_BEGIN_DECLS

/* A user's zoom or pan is fetched this long after the last step of it, so that a drag or a
 * burst of scroll events makes one request (and the chart redraws at most ~10 times a second). */
#define FD_DATA_PAGE_RANGE_DEBOUNCE_MS 100
/* A tail that brings nothing new after a "data" event is asked again this many times, each
 * wait twice the last (1 s … 8 s: the server's compaction runs about every 10 s). */
#define FD_DATA_PAGE_TAIL_RETRIES 4
/* Live mode refreshes the raw table's first page at most this often. */
#define FD_DATA_PAGE_ROWS_LIVE_INTERVAL_MS 2000
/* Devices offered by the device picker (the first ones by name). */
#define FD_DATA_PAGE_MAX_DEVICES 1000

struct _FdDataPage
{
  FdPane parent_instance;

  FdApiClient *client;
  FdEventsClient *events;
  FdWorkspace *workspace;
  gboolean export_enabled;
  gboolean search_pending; /* Ctrl+F opened the tag picker: focus its search */

  /* The tag and field pickers' string lists (the devices and fleets are in their pickers). */
  GtkStringList *tag_list;
  GtkStringList *field_list; /* numeric fields of the tag */
  GHashTable *device_names;  /* id -> name */
  GHashTable *fleet_names;   /* id -> name */
  gboolean choices_changing; /* the pickers are being filled, not chosen from */
  gboolean tags_loading;
  char *tag;   /* chosen, NULL for none */
  char *field; /* chosen, NULL for none */
  GCancellable *tags_cancellable;
  GCancellable *fields_cancellable;
  GCancellable *names_cancellable;

  /* The range [start, end) in epoch ms; preset_ms its length when it is a preset ending now. */
  gint64 start;
  gint64 end;
  gint64 preset_ms;
  gboolean presets_changing;

  /* The chart's last answer. */
  gint64 bucket_ms;
  gboolean aggregated;
  GHashTable *series_ids; /* device ids of the series shown */
  gint64 newest;          /* the newest point's time, where the live tail starts */
  GCancellable *series_cancellable;
  guint range_source;
  guint series_requests;
  guint series_points; /* asked for in the last request */

  /* Live */
  GCancellable *tail_cancellable;
  guint tail_source;
  gint64 last_tail_us; /* monotonic time of the last tail request */
  guint tail_retries;  /* tails since the last event that brought nothing new */

  FdDataRows *rows;
  gint64 rows_start;   /* the start of the table's query */
  guint rows_source;   /* a live update of the table's first page, due */
  gint64 last_rows_us; /* monotonic time of the last one */
  guint rows_retries;  /* updates since the last event that brought nothing new */

  GtkStack *stack;
  GtkWidget *export_button;
  GtkFlowBox *pickers;
  GtkFlowBox *range_bar;
  GtkDropDown *tag_dropdown;
  GtkDropDown *field_dropdown;
  FdMultiPicker *device_picker;
  FdMultiPicker *fleet_picker;
  GtkToggleButton *preset_1h;
  GtkToggleButton *preset_24h;
  GtkToggleButton *preset_7d;
  GtkToggleButton *preset_30d;
  GtkMenuButton *custom_button;
  GtkPopover *custom_popover;
  GtkCalendar *start_calendar;
  GtkCalendar *end_calendar;
  GtkEntry *start_time;
  GtkEntry *end_time;
  GtkLabel *custom_error;
  GtkWidget *custom_apply;
  GtkToggleButton *live_button;
  GtkLabel *range_label;
  FdChart *chart;
  GtkColumnView *table;
  GtkWidget *table_empty;
};

/* fd-data-page.c */
void fd_data_page_update_view (FdDataPage *self);
/* Appends device=ID and fleet=ID for every device and fleet chosen (none: all). */
void fd_data_page_add_choice_query (FdDataPage *self, GString *path);
/* The selection changed: re-fetch the chart and the table. */
void fd_data_page_refresh (FdDataPage *self);
void fd_data_page_emit_selection_changed (FdDataPage *self);
/* The table's query: the selection in [start, end), newest first. */
char *fd_data_page_rows_path (FdDataPage *self, gint64 start, gint64 end);

/* fd-data-page-pickers.c */
/* Replaces the strings of @list with @strings (NULL-terminated), selecting the @keep-th in
 * @dropdown (the first if there are fewer), without it counting as the user's choice. */
void fd_data_page_fill (FdDataPage *self, GtkDropDown *dropdown, GtkStringList *list,
                        const char *const *strings, guint keep);
void fd_data_page_tag_dropdown_changed_cb (FdDataPage *self);
void fd_data_page_field_dropdown_changed_cb (FdDataPage *self);
/* The devices or fleets chosen changed (debounced by the picker). */
void fd_data_page_choice_changed_cb (FdDataPage *self);

/* fd-data-page-range.c: the presets, the custom range and the range label. */
void fd_data_page_init_range (FdDataPage *self);
/* Sets the range (and the chart's), marking it a preset of @preset_ms or none (0). */
void fd_data_page_set_range (FdDataPage *self, gint64 start, gint64 end, gint64 preset_ms);
/* A preset range ending now again (the presets are relative to now). */
void fd_data_page_renew_preset (FdDataPage *self);
void fd_data_page_preset_toggled_cb (FdDataPage *self, GtkToggleButton *button);
void fd_data_page_custom_show_cb (FdDataPage *self);
void fd_data_page_custom_edited_cb (FdDataPage *self);
void fd_data_page_custom_apply_cb (FdDataPage *self);
/* Parses "HH:MM" or "HH:MM:SS" into seconds of the day; FALSE if it is not a time. */
gboolean fd_data_page_parse_time_of_day (const char *text, int *seconds);

/* fd-data-page-series.c: the chart's series, and following live data. */
void fd_data_page_fetch_series (FdDataPage *self);
void fd_data_page_chart_range_changed_cb (FdDataPage *self, gint64 start, gint64 end,
                                          FdChart *chart);
void fd_data_page_live_stopped_cb (FdDataPage *self);
void fd_data_page_live_toggled_cb (FdDataPage *self, GtkToggleButton *button);
void fd_data_page_data_event_cb (FdDataPage *self, const char *workspace_id, const char *device_id,
                                 JsonObject *data);
void fd_data_page_cancel_series (FdDataPage *self);
/* Live: new readings came; the table's first page is fetched again (coalesced). */
void fd_data_page_want_rows_head (FdDataPage *self);
void fd_data_page_rows_head_updated_cb (FdDataPage *self, guint added);
/* The chart was resized: fetches again if it now wants far more or fewer points. */
void fd_data_page_chart_resized (FdDataPage *self);

G_END_DECLS
