/* fd-data-page-series.c — the Data pane's chart: GET /data/series for the selection with as
 * many points as the chart is wide, again after each zoom or pan (debounced, the request in
 * flight cancelled), and in live mode the recent tail only, at most once a second, when the
 * events stream says the selected tag of a selected device got readings.
 */
#include "config.h"

#include <glib/gi18n.h>

#include "fd-data-page-private.h"
#include "fd-json.h"
#include "fd-ui.h"

/* The API's limits for `points`. */
#define FD_DATA_PAGE_MIN_POINTS 2
#define FD_DATA_PAGE_MAX_POINTS 10000

/* The points of one series of an answer, in time order as the API gives them. */
static GArray *
fd_data_page_parse_points (JsonArray *points)
{
  guint n = json_array_get_length (points);
  GArray *parsed = g_array_sized_new (FALSE, FALSE, sizeof (FdChartPoint), n);

  for (guint i = 0; i < n; i++)
    {
      JsonNode *element = json_array_get_element (points, i);
      JsonArray *tuple;
      FdChartPoint point;

      if (!JSON_NODE_HOLDS_ARRAY (element))
        continue;
      tuple = json_node_get_array (element);
      if (json_array_get_length (tuple) < 5)
        continue;
      point.t = json_array_get_int_element (tuple, 0);
      point.min = json_array_get_double_element (tuple, 1);
      point.max = json_array_get_double_element (tuple, 2);
      point.avg = json_array_get_double_element (tuple, 3);
      point.count = json_array_get_int_element (tuple, 4);
      g_array_append_val (parsed, point);
    }
  return parsed;
}

/* Feeds the chart an answer: replacing every series (@tail FALSE) or appending to them. */
static gboolean
fd_data_page_feed (FdDataPage *self, JsonObject *answer, gboolean tail, GError **error)
{
  JsonNode *member = json_object_get_member (answer, "series");
  JsonArray *series;

  if (member == NULL || !JSON_NODE_HOLDS_ARRAY (member))
    {
      g_set_error (error, FD_API_ERROR, FD_API_ERROR_BAD_RESPONSE,
                   _ ("The server’s answer has no series"));
      return FALSE;
    }
  series = json_node_get_array (member);
  if (!tail)
    {
      fd_chart_clear (self->chart);
      g_hash_table_remove_all (self->series_ids);
      self->newest = self->start;
      self->aggregated = FALSE;
      self->bucket_ms = json_object_get_int_member_with_default (answer, "bucket_ms", 0);
    }

  for (guint i = 0; i < json_array_get_length (series); i++)
    {
      JsonObject *one = json_array_get_object_element (series, i);
      const char *id = one != NULL ? fd_json_get_string (one, "device_id") : NULL;
      const char *name = one != NULL ? fd_json_get_string (one, "device_name") : NULL;
      JsonNode *points_node = one != NULL ? json_object_get_member (one, "points") : NULL;
      g_autoptr (GArray) points = NULL;

      if (id == NULL || points_node == NULL || !JSON_NODE_HOLDS_ARRAY (points_node))
        continue;
      points = fd_data_page_parse_points (json_node_get_array (points_node));
      for (guint j = 0; j < points->len; j++)
        {
          FdChartPoint *point = &g_array_index (points, FdChartPoint, j);

          self->newest = MAX (self->newest, point->t);
          if (!tail && point->count > 1)
            self->aggregated = TRUE;
        }
      if (tail && g_hash_table_contains (self->series_ids, id))
        fd_chart_append_points (self->chart, id, (FdChartPoint *)points->data, points->len);
      else
        {
          fd_chart_set_series (self->chart, id, name != NULL ? name : id,
                               (FdChartPoint *)points->data, points->len);
          g_hash_table_add (self->series_ids, g_strdup (id));
        }
    }
  return TRUE;
}

static void
fd_data_page_series_loaded_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (FdDataPage) self = user_data;
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonNode) node = NULL;
  JsonObject *answer = NULL;

  node = fd_api_client_request_finish (FD_API_CLIENT (source), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  g_clear_object (&self->series_cancellable);
  if (node != NULL)
    answer = fd_json_get_object (node, &error);
  if (answer == NULL || !fd_data_page_feed (self, answer, FALSE, &error))
    {
      fd_chart_clear (self->chart);
      g_hash_table_remove_all (self->series_ids);
      fd_ui_toast_error (GTK_WIDGET (self), error);
      return;
    }
  fd_data_page_emit_selection_changed (self);
}

static GString *
fd_data_page_series_path (FdDataPage *self, gint64 start, gint64 end, guint points)
{
  g_autofree char *base
      = fd_api_path ("workspaces", fd_workspace_get_id (self->workspace), "data", "series", NULL);
  GString *path = g_string_new (base);
  g_autofree char *points_text = g_strdup_printf ("%u", points);
  g_autofree char *start_text = g_strdup_printf ("%" G_GINT64_FORMAT, start);
  g_autofree char *end_text = g_strdup_printf ("%" G_GINT64_FORMAT, end);

  fd_api_path_add_query (path, "tag", self->tag);
  fd_api_path_add_query (path, "field", self->field);
  fd_data_page_add_choice_query (self, path);
  fd_api_path_add_query (path, "start", start_text);
  fd_api_path_add_query (path, "end", end_text);
  fd_api_path_add_query (path, "points", points_text);
  return path;
}

void
fd_data_page_cancel_series (FdDataPage *self)
{
  g_clear_handle_id (&self->range_source, g_source_remove);
  g_clear_handle_id (&self->tail_source, g_source_remove);
  g_cancellable_cancel (self->series_cancellable);
  g_clear_object (&self->series_cancellable);
  g_cancellable_cancel (self->tail_cancellable);
  g_clear_object (&self->tail_cancellable);
}

void
fd_data_page_fetch_series (FdDataPage *self)
{
  g_autoptr (GString) path = NULL;
  guint points;

  /* A new request replaces the one in flight, and any tail: it has the newest points too. */
  fd_data_page_cancel_series (self);
  if (self->client == NULL || self->workspace == NULL || self->tag == NULL || self->field == NULL)
    {
      fd_chart_clear (self->chart);
      g_hash_table_remove_all (self->series_ids);
      self->aggregated = FALSE;
      self->bucket_ms = 0;
      fd_chart_set_empty_text (self->chart, self->tag != NULL && self->field == NULL
                                                ? _ ("This tag has no numeric fields to chart")
                                                : _ ("No readings in this range"));
      return;
    }
  fd_chart_set_empty_text (self->chart, _ ("No readings in this range"));

  points = CLAMP (fd_chart_get_wanted_points (self->chart), FD_DATA_PAGE_MIN_POINTS,
                  FD_DATA_PAGE_MAX_POINTS);
  path = fd_data_page_series_path (self, self->start, self->end, points);
  self->series_points = points;
  self->series_cancellable = g_cancellable_new ();
  self->series_requests++;
  fd_api_client_request_async (self->client, "GET", path->str, NULL, self->series_cancellable,
                               fd_data_page_series_loaded_cb, g_object_ref (self));
}

/* Zoom and pan */

static gboolean
fd_data_page_range_settled_cb (gpointer user_data)
{
  FdDataPage *self = user_data;

  self->range_source = 0;
  fd_data_page_refresh (self);
  return G_SOURCE_REMOVE;
}

void
fd_data_page_chart_range_changed_cb (FdDataPage *self, gint64 start, gint64 end, FdChart *chart)
{
  if (end <= start)
    return;
  /* The chart already shows the new range; only the presets and label follow now. */
  fd_data_page_set_range (self, start, end, 0);
  g_clear_handle_id (&self->range_source, g_source_remove);
  self->range_source
      = g_timeout_add (FD_DATA_PAGE_RANGE_DEBOUNCE_MS, fd_data_page_range_settled_cb, self);
}

static gboolean
fd_data_page_resized_cb (gpointer user_data)
{
  FdDataPage *self = user_data;

  self->range_source = 0;
  fd_data_page_fetch_series (self);
  return G_SOURCE_REMOVE;
}

void
fd_data_page_chart_resized (FdDataPage *self)
{
  guint wanted;

  if (self->series_points == 0 || self->range_source != 0 || self->tag == NULL
      || self->field == NULL || !gtk_widget_get_mapped (GTK_WIDGET (self->chart)))
    return;
  /* Points were asked for before the chart had its width (or it changed a lot since). */
  wanted = CLAMP (fd_chart_get_wanted_points (self->chart), FD_DATA_PAGE_MIN_POINTS,
                  FD_DATA_PAGE_MAX_POINTS);
  if (wanted * 2 < self->series_points * 3 && wanted * 3 > self->series_points * 2)
    return;
  self->range_source
      = g_timeout_add (FD_DATA_PAGE_RANGE_DEBOUNCE_MS, fd_data_page_resized_cb, self);
}

/* Live */

static gboolean fd_data_page_tail_due_cb (gpointer user_data);

static void
fd_data_page_tail_loaded_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (FdDataPage) self = user_data;
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonNode) node = NULL;
  JsonObject *answer = NULL;
  gint64 newest = self->newest;

  node = fd_api_client_request_finish (FD_API_CLIENT (source), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  g_clear_object (&self->tail_cancellable);
  if (node != NULL)
    answer = fd_json_get_object (node, &error);
  if (answer == NULL || !fd_data_page_feed (self, answer, TRUE, &error))
    fd_ui_toast_error (GTK_WIDGET (self), error);
  if (!gtk_toggle_button_get_active (self->live_button))
    return;
  /* The event said there are readings, the answer had none newer: the server may not show
   * them to queries yet. Ask again 1, 2, 4, 8 s later (not for ever). */
  if (answer != NULL && self->newest == newest && self->tail_retries < FD_DATA_PAGE_TAIL_RETRIES
      && self->tail_source == 0)
    {
      self->tail_source = g_timeout_add (FD_DATA_PAGE_LIVE_INTERVAL_MS << self->tail_retries,
                                         fd_data_page_tail_due_cb, self);
      self->tail_retries++;
    }
  fd_chart_get_range (self->chart, &self->start, &self->end);
  fd_data_page_set_range (self, self->start, self->end, self->preset_ms);
}

static void
fd_data_page_fetch_tail (FdDataPage *self)
{
  g_autoptr (GString) path = NULL;
  gint64 now = g_get_real_time () / 1000;
  /* Readings up to a minute ahead of this clock still count: device clocks differ. */
  gint64 end = now + 60000;
  gint64 start = self->newest + 1;
  gint64 width = MAX (self->bucket_ms, 1);
  guint points;

  if (self->tag == NULL || self->field == NULL || self->series_cancellable != NULL)
    return;
  /* The tail's buckets as wide as the chart's, so that the line keeps its resolution. */
  if (width > 1)
    start -= start % width;
  points = CLAMP ((end - start) / width + 1, FD_DATA_PAGE_MIN_POINTS, FD_DATA_PAGE_MAX_POINTS);
  path = fd_data_page_series_path (self, start, end, points);
  g_cancellable_cancel (self->tail_cancellable);
  g_clear_object (&self->tail_cancellable);
  self->tail_cancellable = g_cancellable_new ();
  self->last_tail_us = g_get_monotonic_time ();
  self->series_requests++;
  fd_api_client_request_async (self->client, "GET", path->str, NULL, self->tail_cancellable,
                               fd_data_page_tail_loaded_cb, g_object_ref (self));
}

static gboolean
fd_data_page_tail_due_cb (gpointer user_data)
{
  FdDataPage *self = user_data;

  self->tail_source = 0;
  fd_data_page_fetch_tail (self);
  return G_SOURCE_REMOVE;
}

/* At most one tail request a second, however many events arrive. */
static void
fd_data_page_want_tail (FdDataPage *self)
{
  gint64 since_ms = (g_get_monotonic_time () - self->last_tail_us) / 1000;

  if (self->tail_source != 0)
    return;
  if (since_ms >= FD_DATA_PAGE_LIVE_INTERVAL_MS && self->tail_cancellable == NULL)
    fd_data_page_fetch_tail (self);
  else
    self->tail_source = g_timeout_add (
        (guint)CLAMP (FD_DATA_PAGE_LIVE_INTERVAL_MS - since_ms, 1, FD_DATA_PAGE_LIVE_INTERVAL_MS),
        fd_data_page_tail_due_cb, self);
}

/* The table's first page again: its query from the same start (so that the pages after keep
 * their offsets) up to now, as the tail's. A user scrolled down stays on the rows shown; at
 * the top, the newest are shown. */
static gboolean
fd_data_page_rows_due_cb (gpointer user_data)
{
  FdDataPage *self = user_data;
  g_autofree char *path = NULL;
  GtkWidget *scrolled
      = gtk_widget_get_ancestor (GTK_WIDGET (self->table), GTK_TYPE_SCROLLED_WINDOW);
  GtkAdjustment *adjustment
      = scrolled != NULL ? gtk_scrolled_window_get_vadjustment (GTK_SCROLLED_WINDOW (scrolled))
                         : NULL;
  gboolean at_top = adjustment == NULL || gtk_adjustment_get_value (adjustment) <= 0;

  self->rows_source = 0;
  if (self->rows == NULL || self->tag == NULL || !gtk_toggle_button_get_active (self->live_button))
    return G_SOURCE_REMOVE;
  /* A page being fetched counts from the rows shown: the update waits for it. */
  if (fd_data_rows_get_loading (self->rows))
    {
      self->rows_source
          = g_timeout_add (FD_DATA_PAGE_LIVE_INTERVAL_MS, fd_data_page_rows_due_cb, self);
      return G_SOURCE_REMOVE;
    }
  path = fd_data_page_rows_path (self, self->rows_start, g_get_real_time () / 1000 + 60000);
  self->last_rows_us = g_get_monotonic_time ();
  fd_data_rows_update_head (self->rows, path, !at_top);
  return G_SOURCE_REMOVE;
}

/* An update of the table brought nothing new: as for the tail, the server may not show the
 * readings of the event to queries yet. Asked again 2, 4, 8, 16 s later. */
void
fd_data_page_rows_head_updated_cb (FdDataPage *self, guint added)
{
  if (added > 0 || self->rows_retries >= FD_DATA_PAGE_TAIL_RETRIES || self->rows_source != 0
      || !gtk_toggle_button_get_active (self->live_button))
    return;
  self->rows_source = g_timeout_add (FD_DATA_PAGE_ROWS_LIVE_INTERVAL_MS << self->rows_retries,
                                     fd_data_page_rows_due_cb, self);
  self->rows_retries++;
}

void
fd_data_page_want_rows_head (FdDataPage *self)
{
  gint64 since_ms = (g_get_monotonic_time () - self->last_rows_us) / 1000;

  if (self->rows_source != 0)
    return;
  self->rows_source = g_timeout_add ((guint)CLAMP (FD_DATA_PAGE_ROWS_LIVE_INTERVAL_MS - since_ms, 1,
                                                   FD_DATA_PAGE_ROWS_LIVE_INTERVAL_MS),
                                     fd_data_page_rows_due_cb, self);
}

void
fd_data_page_data_event_cb (FdDataPage *self, const char *workspace_id, const char *device_id,
                            JsonObject *data)
{
  if (!gtk_toggle_button_get_active (self->live_button) || self->workspace == NULL
      || g_strcmp0 (workspace_id, fd_workspace_get_id (self->workspace)) != 0
      || g_strcmp0 (fd_json_get_string (data, "tag"), self->tag) != 0)
    return;
  if (!fd_multi_picker_includes (self->device_picker, device_id)
      || !fd_multi_picker_includes (self->fleet_picker, fd_json_get_string (data, "fleet_id")))
    return;
  self->tail_retries = 0;
  fd_data_page_want_tail (self);
  self->rows_retries = 0;
  fd_data_page_want_rows_head (self);
}

void
fd_data_page_live_toggled_cb (FdDataPage *self, GtkToggleButton *button)
{
  gboolean live = gtk_toggle_button_get_active (button);

  fd_chart_set_live (self->chart, live);
  if (!live)
    {
      g_clear_handle_id (&self->tail_source, g_source_remove);
      return;
    }
  /* Following: the range's length, ending now. */
  {
    gint64 now = g_get_real_time () / 1000;
    gint64 span = self->preset_ms > 0 ? self->preset_ms : self->end - self->start;

    fd_data_page_set_range (self, now - span, now, self->preset_ms);
  }
  fd_chart_set_live (self->chart, TRUE);
  fd_data_page_refresh (self);
}

void
fd_data_page_live_stopped_cb (FdDataPage *self)
{
  gtk_toggle_button_set_active (self->live_button, FALSE);
}
