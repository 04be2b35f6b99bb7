/* fd-device-firmware.c — GET /v1/firmware/{id}: a device downloads the firmware of a campaign it
 * is a target of. One range per request (bytes=a-b, a-, -n) is answered 206; the body is read
 * from the file piece by piece as the peer takes it, so a download costs one piece of memory
 * (FILE_PIECE) whatever the file's size, and thousands of downloads stay flat. */
#include "config.h"

#include "fd-device-private.h"
#include "fd-util.h"
#include "store/fd-store-firmware.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* One TLS record's worth. */
#define FILE_PIECE (16 * 1024)

struct _FdDeviceFile
{
  int fd;
  guint64 offset;
  guint64 left;
};

void
fd_device_file_free (FdDeviceFile *file)
{
  if (file == NULL)
    return;
  if (file->fd >= 0)
    close (file->fd);
  g_free (file);
}

GBytes *
fd_device_file_next (FdDeviceFile *file, gboolean *failed)
{
  gsize want = (gsize)MIN (file->left, FILE_PIECE);
  guint8 *buf;
  ssize_t n;

  *failed = FALSE;
  if (want == 0)
    return NULL;
  buf = g_malloc (want);
  do
    n = pread (file->fd, buf, want, (off_t)file->offset);
  while (n < 0 && errno == EINTR);
  if (n <= 0)
    {
      /* A file cut short under us (or a disk error): the head promised more. */
      g_free (buf);
      *failed = TRUE;
      return NULL;
    }
  file->offset += (guint64)n;
  file->left -= (guint64)n;
  return g_bytes_new_take (buf, (gsize)n);
}

/* A single range of a @size-byte file: TRUE with [*@first, *@last] when @value is one
 * satisfiable range; FALSE with *@unsatisfiable when it is one range past the end. Anything
 * else (several ranges, another unit, bad syntax) is ignored: the whole file is sent (RFC 9110
 * §14.2 lets a server ignore Range). */
static gboolean
parse_range (const char *value, guint64 size, guint64 *first, guint64 *last,
             gboolean *unsatisfiable)
{
  const char *p = value, *dash;
  guint64 a = 0, b = 0;
  g_autofree char *left = NULL, *right = NULL;

  *unsatisfiable = FALSE;
  while (*p == ' ')
    p++;
  if (g_ascii_strncasecmp (p, "bytes=", 6) != 0 || strchr (p, ',') != NULL)
    return FALSE;
  p += 6;
  dash = strchr (p, '-');
  if (dash == NULL)
    return FALSE;
  left = g_strstrip (g_strndup (p, (gsize)(dash - p)));
  right = g_strstrip (g_strdup (dash + 1));
  if (*left == '\0')
    {
      /* bytes=-n: the last n bytes */
      if (!g_ascii_string_to_unsigned (right, 10, 0, G_MAXUINT64, &b, NULL))
        return FALSE;
      if (b == 0 || size == 0)
        {
          *unsatisfiable = TRUE;
          return FALSE;
        }
      *first = b >= size ? 0 : size - b;
      *last = size - 1;
      return TRUE;
    }
  if (!g_ascii_string_to_unsigned (left, 10, 0, G_MAXUINT64, &a, NULL))
    return FALSE;
  if (*right != '\0'
      && (!g_ascii_string_to_unsigned (right, 10, 0, G_MAXUINT64, &b, NULL) || b < a))
    return FALSE;
  if (a >= size)
    {
      *unsatisfiable = TRUE;
      return FALSE;
    }
  *first = a;
  *last = *right == '\0' || b >= size ? size - 1 : b;
  return TRUE;
}

typedef struct
{
  char *firmware_id;
  char *device_id;
  FdFirmwareRecord *record;
  gboolean assigned;
} DownloadJob;

static void
download_job_free (gpointer data)
{
  DownloadJob *job = data;

  g_free (job->firmware_id);
  g_free (job->device_id);
  fd_firmware_record_free (job->record);
  g_free (job);
}

static gboolean
download_read (FdDb *db, gpointer data, GError **error)
{
  DownloadJob *job = data;

  return fd_store_firmware_get (db, job->firmware_id, &job->record, error)
         && fd_store_firmware_assigned (db, job->firmware_id, job->device_id, &job->assigned,
                                        error);
}

static void
send_file (FdDeviceConn *conn, const FdFirmwareRecord *r)
{
  const FdHttpRequest *req = conn->req;
  gboolean closing = !req->keep_alive || conn->server->shutting_down;
  gboolean head_only = g_str_equal (req->method, "HEAD");
  g_autofree char *path = fd_firmware_path (conn->server->firmware, r->id);
  g_autofree char *etag = g_strdup_printf ("ETag: \"%s\"", r->sha256);
  g_autofree char *content_range = NULL;
  const char *extra[4] = { "Accept-Ranges: bytes", etag, NULL, NULL };
  guint64 size, first = 0, last = 0;
  gboolean ranged = FALSE, unsatisfiable = FALSE;
  FdDeviceFile *file;
  struct stat st;
  int fd = open (path, O_RDONLY | O_CLOEXEC);

  if (fd < 0 || fstat (fd, &st) != 0)
    {
      g_warning ("firmware %s: cannot open %s: %s", r->id, path, g_strerror (errno));
      if (fd >= 0)
        close (fd);
      fd_device_reply_error (conn, 500, "internal_error", FALSE,
                             "the file of firmware %s cannot be read", r->id);
      return;
    }
  size = (guint64)st.st_size;
  if (size == 0 || st.st_size != r->size)
    {
      g_warning ("firmware %s: %s has %" G_GUINT64_FORMAT " bytes, not the %" G_GINT64_FORMAT
                 " recorded",
                 r->id, path, size, r->size);
      close (fd);
      fd_device_reply_error (conn, 500, "internal_error", FALSE,
                             "the file of firmware %s is not the one recorded", r->id);
      return;
    }
  /* If-Range with another validator: the device's pieces are of another file; all of it. */
  if (req->range != NULL
      && (req->if_range == NULL || g_str_equal (req->if_range, etag + strlen ("ETag: "))))
    ranged = parse_range (req->range, size, &first, &last, &unsatisfiable);
  if (unsatisfiable)
    {
      g_autofree char *body
          = fd_http_error_json ("range_not_satisfiable", "the range is past the end of the file");
      content_range = g_strdup_printf ("Content-Range: bytes */%" G_GUINT64_FORMAT, size);
      extra[2] = content_range;
      close (fd);
      fd_device_reply_file (
          conn, 416,
          fd_http_response (416, extra, body, strlen (body), closing, req->minor == 0, head_only),
          NULL, closing);
      return;
    }
  if (!ranged)
    last = size - 1;
  else
    {
      content_range = g_strdup_printf ("Content-Range: bytes %" G_GUINT64_FORMAT
                                       "-%" G_GUINT64_FORMAT "/%" G_GUINT64_FORMAT,
                                       first, last, size);
      extra[2] = content_range;
    }
  file = g_new0 (FdDeviceFile, 1);
  file->fd = fd;
  file->offset = first;
  file->left = head_only ? 0 : last - first + 1;
  fd_device_reply_file (conn, ranged ? 206 : 200,
                        fd_http_response_head (ranged ? 206 : 200, "application/octet-stream",
                                               last - first + 1, extra, closing, req->minor == 0),
                        file, closing);
}

static void
download_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  FdDeviceConn *conn = user_data;
  g_autoptr (GError) error = NULL;
  gboolean ok = fd_store_run_finish (result, &error);
  DownloadJob *job = fd_store_run_get_data (result);

  conn->in_store = FALSE;
  if (fd_device_conn_is_closed (conn))
    ;
  else if (!ok && g_error_matches (error, FD_STORE_ERROR, FD_STORE_ERROR_NOT_FOUND))
    fd_device_reply_error (conn, 404, "not_found", FALSE, "firmware %s does not exist",
                           job->firmware_id);
  else if (!ok)
    fd_device_reply_error (conn, 500, "internal_error", FALSE, "the store failed: %s",
                           error->message);
  else if (!job->assigned)
    fd_device_reply_error (conn, 403, "not_assigned", FALSE,
                           "firmware %s is not assigned to device %s by a running campaign",
                           job->firmware_id, job->device_id);
  else
    send_file (conn, job->record);
  fd_device_conn_unref (conn);
}

void
fd_device_firmware_handle (FdDeviceConn *conn, const FdHttpRequest *req)
{
  DownloadJob *job = g_new0 (DownloadJob, 1);

  (void)req;
  job->firmware_id = g_strdup (conn->tag);
  job->device_id = g_strdup (conn->who->device_id);
  fd_store_read_async (conn->server->store, download_read, job, download_job_free, download_done,
                       fd_device_conn_hold_for_store (conn));
}
