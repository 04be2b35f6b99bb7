/* fd-data-page-range.c — the Data pane's time range: the presets (the last hour, day, week,
 * month up to now), a custom range chosen in a popover (two days and times of day, local
 * time, checked before it is used), and the label saying what is shown. The chart's own
 * zoom and pan change the range too (fd-data-page-series.c); the presets then show none.
 */
#include "config.h"

#include <glib/gi18n.h>

#include "fd-data-page-private.h"

#define FD_HOUR_MS G_GINT64_CONSTANT (3600000)
#define FD_DAY_MS (24 * FD_HOUR_MS)

static GtkToggleButton *
fd_data_page_preset_button (FdDataPage *self, gint64 preset_ms)
{
  if (preset_ms == FD_HOUR_MS)
    return self->preset_1h;
  if (preset_ms == FD_DAY_MS)
    return self->preset_24h;
  if (preset_ms == 7 * FD_DAY_MS)
    return self->preset_7d;
  if (preset_ms == 30 * FD_DAY_MS)
    return self->preset_30d;
  return NULL;
}

static gint64
fd_data_page_button_preset (FdDataPage *self, GtkToggleButton *button)
{
  if (button == self->preset_1h)
    return FD_HOUR_MS;
  if (button == self->preset_24h)
    return FD_DAY_MS;
  if (button == self->preset_7d)
    return 7 * FD_DAY_MS;
  if (button == self->preset_30d)
    return 30 * FD_DAY_MS;
  return 0;
}

static gint64
fd_data_page_now_ms (void)
{
  return g_get_real_time () / 1000;
}

static char *
fd_data_page_format_ms (gint64 ms, const char *format)
{
  g_autoptr (GDateTime) utc = g_date_time_new_from_unix_utc (ms / 1000);
  g_autoptr (GDateTime) local = utc != NULL ? g_date_time_to_local (utc) : NULL;

  return local != NULL ? g_date_time_format (local, format) : g_strdup ("");
}

static void
fd_data_page_update_range_label (FdDataPage *self)
{
  /* TRANSLATORS: the ends of the Data pane's range, see g_date_time_format() */
  const char *format = C_ ("time format", "%Y-%m-%d %H:%M");
  g_autofree char *start = fd_data_page_format_ms (self->start, format);
  g_autofree char *end = fd_data_page_format_ms (self->end, format);
  /* TRANSLATORS: the time range shown, from … to … */
  g_autofree char *label = g_strdup_printf (_ ("%s – %s"), start, end);

  gtk_label_set_label (self->range_label, label);
}

void
fd_data_page_set_range (FdDataPage *self, gint64 start, gint64 end, gint64 preset_ms)
{
  GtkToggleButton *button = fd_data_page_preset_button (self, preset_ms);
  GtkToggleButton *buttons[]
      = { self->preset_1h, self->preset_24h, self->preset_7d, self->preset_30d };

  self->start = start;
  self->end = end;
  self->preset_ms = button != NULL ? preset_ms : 0;
  self->presets_changing = TRUE;
  for (guint i = 0; i < G_N_ELEMENTS (buttons); i++)
    gtk_toggle_button_set_active (buttons[i], buttons[i] == button);
  self->presets_changing = FALSE;
  fd_chart_set_range (self->chart, start, end);
  fd_data_page_update_range_label (self);
}

void
fd_data_page_renew_preset (FdDataPage *self)
{
  gint64 now = fd_data_page_now_ms ();
  gint64 preset = self->preset_ms > 0 ? self->preset_ms : FD_DAY_MS;

  fd_data_page_set_range (self, now - preset, now, preset);
}

void
fd_data_page_preset_toggled_cb (FdDataPage *self, GtkToggleButton *button)
{
  gint64 now = fd_data_page_now_ms ();
  gint64 preset = fd_data_page_button_preset (self, button);

  if (self->presets_changing || !gtk_toggle_button_get_active (button))
    return;
  fd_data_page_set_range (self, now - preset, now, preset);
  fd_data_page_refresh (self);
}

/* The custom range */

gboolean
fd_data_page_parse_time_of_day (const char *text, int *seconds)
{
  unsigned hours = 0, minutes = 0, secs = 0;
  char extra;
  int n;

  if (text == NULL)
    return FALSE;
  n = sscanf (text, " %2u:%2u:%2u %c", &hours, &minutes, &secs, &extra);
  if (n != 2 && n != 3)
    return FALSE;
  if (n == 2 && sscanf (text, " %2u:%2u %c", &hours, &minutes, &extra) != 2)
    return FALSE;
  if (hours > 23 || minutes > 59 || secs > 59)
    return FALSE;
  *seconds = (int)(hours * 3600 + minutes * 60 + secs);
  return TRUE;
}

/* The time chosen in @calendar and @entry, epoch ms; FALSE if the entry is not a time. */
static gboolean
fd_data_page_custom_time (GtkCalendar *calendar, GtkEntry *entry, gint64 *ms)
{
  g_autoptr (GDateTime) day = gtk_calendar_get_date (calendar);
  g_autoptr (GDateTime) local = NULL;
  int seconds;

  if (!fd_data_page_parse_time_of_day (gtk_editable_get_text (GTK_EDITABLE (entry)), &seconds))
    return FALSE;
  local = g_date_time_new_local (g_date_time_get_year (day), g_date_time_get_month (day),
                                 g_date_time_get_day_of_month (day), seconds / 3600,
                                 seconds / 60 % 60, seconds % 60);
  if (local == NULL)
    return FALSE;
  *ms = g_date_time_to_unix (local) * 1000;
  return TRUE;
}

/* Checks the popover's range: NULL when it is good (and sets @start, @end), else what is
 * wrong, for the user. */
static const char *
fd_data_page_custom_check (FdDataPage *self, gint64 *start, gint64 *end)
{
  if (!fd_data_page_custom_time (self->start_calendar, self->start_time, start))
    return _ ("The start time is not a time of day (HH:MM).");
  if (!fd_data_page_custom_time (self->end_calendar, self->end_time, end))
    return _ ("The end time is not a time of day (HH:MM).");
  if (*end <= *start)
    return _ ("The end must be after the start.");
  return NULL;
}

static void
fd_data_page_custom_set (GtkCalendar *calendar, GtkEntry *entry, gint64 ms)
{
  g_autoptr (GDateTime) utc = g_date_time_new_from_unix_utc (ms / 1000);
  g_autoptr (GDateTime) local = g_date_time_to_local (utc);
  g_autofree char *time = g_date_time_format (local, "%H:%M");

  gtk_calendar_select_day (calendar, local);
  gtk_editable_set_text (GTK_EDITABLE (entry), time);
}

void
fd_data_page_custom_show_cb (FdDataPage *self)
{
  fd_data_page_custom_set (self->start_calendar, self->start_time, self->start);
  fd_data_page_custom_set (self->end_calendar, self->end_time, self->end);
  fd_data_page_custom_edited_cb (self);
}

void
fd_data_page_custom_edited_cb (FdDataPage *self)
{
  gint64 start, end;
  const char *problem = fd_data_page_custom_check (self, &start, &end);

  gtk_label_set_label (self->custom_error, problem != NULL ? problem : "");
  gtk_widget_set_visible (GTK_WIDGET (self->custom_error), problem != NULL);
  gtk_widget_set_sensitive (self->custom_apply, problem == NULL);
}

void
fd_data_page_custom_apply_cb (FdDataPage *self)
{
  gint64 start, end;

  if (fd_data_page_custom_check (self, &start, &end) != NULL)
    return;
  gtk_popover_popdown (self->custom_popover);
  gtk_toggle_button_set_active (self->live_button, FALSE);
  fd_data_page_set_range (self, start, end, 0);
  fd_data_page_refresh (self);
}

void
fd_data_page_init_range (FdDataPage *self)
{
  gtk_popover_set_default_widget (self->custom_popover, self->custom_apply);
  fd_data_page_renew_preset (self);
}
