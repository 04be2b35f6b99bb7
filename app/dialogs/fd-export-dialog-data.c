/* fd-export-dialog-data.c — "Export…" of the Data pane: what the pane shows as an export
 * selection, the aggregate in view included when the chart shows buckets.
 */
#include "config.h"

#include "fd-application.h"
#include "fd-export-dialog-data.h"

/* "2026-11-27T10:00:00.123Z" */
static char *
fd_export_time_from_ms (gint64 ms)
{
  g_autoptr (GDateTime) time = g_date_time_new_from_unix_utc (ms / 1000);
  g_autofree char *seconds = NULL;

  if (time == NULL)
    return NULL;
  seconds = g_date_time_format (time, "%Y-%m-%dT%H:%M:%S");
  return g_strdup_printf ("%s.%03dZ", seconds, (int)(ms % 1000));
}

/* The API's bucket ("5m", "2h", "1d") of a width in ms; NULL when it is not whole minutes. */
static char *
fd_export_bucket_from_ms (gint64 ms)
{
  if (ms <= 0 || ms % 60000 != 0)
    return NULL;
  if (ms % 86400000 == 0)
    return g_strdup_printf ("%" G_GINT64_FORMAT "d", ms / 86400000);
  if (ms % 3600000 == 0)
    return g_strdup_printf ("%" G_GINT64_FORMAT "h", ms / 3600000);
  return g_strdup_printf ("%" G_GINT64_FORMAT "m", ms / 60000);
}

FdExportSelection *
fd_export_selection_new_from_data (const FdDataSelection *data)
{
  FdExportSelection *selection = g_new0 (FdExportSelection, 1);

  selection->workspace_id = g_strdup (data->workspace_id);
  if (data->tag != NULL)
    {
      selection->tags = g_new0 (char *, 2);
      selection->tags[0] = g_strdup (data->tag);
    }
  if (data->devices != NULL && data->devices[0] != NULL)
    selection->devices = g_strdupv (data->devices);
  if (data->fleets != NULL && data->fleets[0] != NULL)
    selection->fleets = g_strdupv (data->fleets);
  if (data->end > data->start)
    {
      selection->start = fd_export_time_from_ms (data->start);
      selection->end = fd_export_time_from_ms (data->end);
    }
  /* The chart's buckets, per device: min, max and mean as drawn, and how many readings. */
  if (data->aggregated && data->field != NULL
      && (selection->aggregate_bucket = fd_export_bucket_from_ms (data->bucket_ms)) != NULL)
    {
      selection->aggregate_field = g_strdup (data->field);
      selection->aggregate_fn = g_strdup ("avg,min,max,count");
      selection->aggregate_group = g_strdup ("device");
    }
  return selection;
}

static void
fd_export_dialog_export_requested_cb (FdDataPage *page)
{
  g_autoptr (FdDataSelection) data = fd_data_page_get_selection (page);
  g_autoptr (FdExportSelection) selection = NULL;
  GtkWindow *window = GTK_WINDOW (gtk_widget_get_root (GTK_WIDGET (page)));
  GApplication *application = g_application_get_default ();
  FdApiClient *client;

  if (data == NULL || !FD_IS_APPLICATION (application))
    return;
  client = fd_application_get_client (FD_APPLICATION (application));
  if (client == NULL)
    return;
  selection = fd_export_selection_new_from_data (data);
  gtk_window_present (GTK_WINDOW (fd_export_dialog_new (window, client, selection)));
}

void
fd_export_dialog_attach (GtkWidget *data_page)
{
  g_return_if_fail (FD_IS_DATA_PAGE (data_page));

  g_signal_connect (data_page, "export-requested",
                    G_CALLBACK (fd_export_dialog_export_requested_cb), NULL);
  fd_data_page_set_export_enabled (FD_DATA_PAGE (data_page), TRUE);
}
