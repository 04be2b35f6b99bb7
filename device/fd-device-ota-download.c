/* fd-device-ota-download.c — the firmware, fetched in Range requests of `chunk` bytes over the
 * device's own HTTPS connection, hashed as it comes and not kept; paced to the download rate;
 * after a failed request it goes on from its offset, the hash state kept. */
#include "fd-device-ota-private.h"

#define RETRY_MS 1000
#define MAX_FAILURES 120

static void download_next (FdDeviceOta *ota);

static gboolean
on_timer (gpointer data)
{
  FdDeviceOta *ota = data;

  ota->timer = 0;
  download_next (ota);
  return G_SOURCE_REMOVE;
}

static void
retry_later (FdDeviceOta *ota, const char *why)
{
  if (++ota->failures > MAX_FAILURES)
    {
      g_autofree char *msg
          = g_strdup_printf ("download: gave up after %u failures: %s", MAX_FAILURES, why);
      fd_device_ota_finish (ota, "fail", msg);
      return;
    }
  ota->timer = g_timeout_add (RETRY_MS, on_timer, ota);
}

static void
on_chunk (GObject *source, GAsyncResult *result, gpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (FdDeviceResponse) r
      = fd_device_client_request_finish (FD_DEVICE_CLIENT (source), result, &error);
  FdDeviceOta *ota;
  gsize len = 0;
  const guint8 *body;
  guint progress;

  if (r == NULL && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return; /* stopped: @data may be gone */
  ota = data;
  if (r == NULL)
    {
      retry_later (ota, error->message);
      return;
    }
  body = r->body ? g_bytes_get_data (r->body, &len) : NULL;
  if (r->status == 429 || r->status >= 500)
    {
      retry_later (ota, r->reason);
      return;
    }
  if (r->status == 200 && !(ota->offset == 0 && (gint64)len == ota->t.size))
    {
      fd_device_ota_finish (ota, "fail", "download: the server ignored the Range request");
      return;
    }
  if (r->status != 200 && r->status != 206)
    {
      g_autofree char *code = NULL, *message = NULL;
      g_autofree char *msg = NULL;

      fd_device_response_get_error (r, &code, &message);
      msg = g_strdup_printf ("download: %u %s: %s", r->status, code ? code : r->reason,
                             message ? message : "(no message)");
      fd_device_ota_finish (ota, "fail", msg);
      return;
    }
  if (r->status == 206
      && (r->range_first != ota->offset || r->range_last - r->range_first + 1 != (gint64)len
          || (r->range_total >= 0 && r->range_total != ota->t.size) || len == 0))
    {
      fd_device_ota_finish (ota, "fail", "download: a Content-Range other than asked for");
      return;
    }
  ota->failures = 0;
  g_checksum_update (ota->sha, body, (gssize)len);
  ota->offset += (gint64)len;
  ota->fleet->firmware_bytes += len;
  progress = (guint)(ota->offset * 100 / ota->t.size);
  if (ota->offset >= ota->t.size)
    {
      fd_device_ota_downloaded (ota);
      return;
    }
  if (progress >= ota->next_progress)
    {
      fd_device_ota_status (ota, "downloading", progress / 10 * 10);
      ota->next_progress = progress / 10 * 10 + 10;
    }
  if (ota->rate > 0)
    {
      gint64 due
          = ota->pace_start_us
            + (gint64)((double)(ota->offset - ota->pace_start_offset) * G_USEC_PER_SEC / ota->rate);
      gint64 now = g_get_monotonic_time ();
      if (due > now)
        {
          ota->timer = g_timeout_add ((guint)((due - now + 999) / 1000), on_timer, ota);
          return;
        }
    }
  download_next (ota);
}

static void
download_next (FdDeviceOta *ota)
{
  gint64 last = MIN (ota->offset + (gint64)ota->chunk, ota->t.size) - 1;
  g_autofree char *range = g_strdup_printf (
      "Range: bytes=%" G_GINT64_FORMAT "-%" G_GINT64_FORMAT "\r\n", ota->offset, last);

  /* Going on from the offset after a failure, or on a new connection (the last one was
   * closed), with the hash state kept. */
  if (ota->offset > 0 && (ota->failures > 0 || !fd_device_client_is_connected (ota->client)))
    ota->fleet->download_resumes++;
  if (ota->failures > 0)
    {
      ota->pace_start_us = g_get_monotonic_time ();
      ota->pace_start_offset = ota->offset;
    }
  fd_device_client_request_full_async (ota->client, "GET", ota->t.path, range, NULL, NULL,
                                       ota->cancel, on_chunk, ota);
}

gboolean
fd_device_ota_download_start (FdDeviceOta *ota, GError **error)
{
  if (ota->client == NULL)
    {
      ota->client = fd_device_client_new (fd_device_config_copy (ota->config), ota->trust, error);
      if (ota->client == NULL)
        return FALSE;
      fd_device_client_set_addresses (ota->client, ota->https_address, ota->local_address);
    }
  ota->cancel = g_cancellable_new ();
  g_clear_pointer (&ota->sha, g_checksum_free);
  ota->sha = g_checksum_new (G_CHECKSUM_SHA256);
  ota->offset = 0;
  ota->failures = 0;
  ota->next_progress = 10;
  ota->pace_start_us = g_get_monotonic_time ();
  ota->pace_start_offset = 0;
  download_next (ota);
  return TRUE;
}

void
fd_device_ota_download_stop (FdDeviceOta *ota)
{
  g_clear_handle_id (&ota->timer, g_source_remove);
  if (ota->cancel != NULL)
    g_cancellable_cancel (ota->cancel);
  g_clear_object (&ota->cancel);
  /* The connection is not needed until the next update (2,000 devices, idle sockets). */
  if (ota->client != NULL)
    fd_device_client_disconnect (ota->client);
  g_clear_pointer (&ota->sha, g_checksum_free);
}
