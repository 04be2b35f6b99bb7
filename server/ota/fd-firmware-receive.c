/* fd-firmware-receive.c — an upload as it arrives: the raw file, or a multipart/form-data body
 * (RFC 7578) whose "file" part goes to disk and whose other parts are short text fields. The
 * multipart reader keeps only what may still be the start of a delimiter, so memory stays a
 * few kilobytes whatever the file's size. */
#define _GNU_SOURCE /* memmem */
#include "fd-firmware-private.h"
#include "fd-util.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define MAX_PART_HEAD 8192
#define MAX_FIELD 4096
#define MAX_FIELDS 16
#define MAX_PREAMBLE 65536
#define MAX_BOUNDARY 70 /* RFC 2046 §5.1.1 */

typedef enum
{
  FORM_PREAMBLE,
  FORM_AFTER_DELIMITER, /* "--" ends the body, CRLF starts a part's head */
  FORM_HEAD,
  FORM_DATA,
  FORM_END,
} FormState;

struct _FdFirmwareReceiver
{
  FdFirmware *fw;
  char *id;
  char *part_path;
  char *bin_path;
  int fd;
  GChecksum *sha;
  gint64 size;
  char *sha256;
  GError *error;
  gboolean committed;
  /* multipart */
  char *delimiter; /* CRLF "--" boundary */
  gsize delimiter_len;
  GByteArray *buf;
  FormState state;
  gsize preamble;
  gboolean in_file;  /* the current part is the file */
  gboolean had_file; /* a file part was read */
  GString *field;    /* the current text part, or NULL when it is the file or ignored */
  char *field_name;
  GHashTable *fields; /* name -> value */
};

static void fail (FdFirmwareReceiver *r, int code, const char *format, ...) G_GNUC_PRINTF (3, 4);

static void
fail (FdFirmwareReceiver *r, int code, const char *format, ...)
{
  va_list args;

  if (r->error != NULL)
    return;
  va_start (args, format);
  r->error = g_error_new_valist (FD_FIRMWARE_ERROR, code, format, args);
  va_end (args);
  g_clear_pointer (&r->buf, g_byte_array_unref);
}

FdFirmwareReceiver *
fd_firmware_receiver_new (FdFirmware *fw, const char *boundary, GError **error)
{
  FdFirmwareReceiver *r;
  g_autofree char *id = fd_id_new ("fw");
  g_autofree char *part = g_strconcat (id, ".part", NULL);
  g_autofree char *bin = g_strconcat (id, ".bin", NULL);

  if (boundary != NULL && (*boundary == '\0' || strlen (boundary) > MAX_BOUNDARY))
    {
      g_set_error (error, FD_FIRMWARE_ERROR, FD_FIRMWARE_ERROR_FORM,
                   "the multipart boundary must be 1 to %d characters", MAX_BOUNDARY);
      return NULL;
    }
  r = g_new0 (FdFirmwareReceiver, 1);
  r->fw = fw;
  r->id = g_steal_pointer (&id);
  r->part_path = g_build_filename (fw->dir, part, NULL);
  r->bin_path = g_build_filename (fw->dir, bin, NULL);
  r->sha = g_checksum_new (G_CHECKSUM_SHA256);
  r->fd = open (r->part_path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0640);
  if (r->fd < 0)
    {
      g_set_error (error, FD_FIRMWARE_ERROR, FD_FIRMWARE_ERROR_IO, "cannot create %s: %s",
                   r->part_path, g_strerror (errno));
      fd_firmware_receiver_free (r);
      return NULL;
    }
  if (boundary != NULL)
    {
      r->delimiter = g_strconcat ("\r\n--", boundary, NULL);
      r->delimiter_len = strlen (r->delimiter);
      r->buf = g_byte_array_new ();
      /* The first delimiter has no CRLF before it: one is put in front of the body. */
      g_byte_array_append (r->buf, (const guint8 *)"\r\n", 2);
      r->fields = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
    }
  return r;
}

static void
file_write (FdFirmwareReceiver *r, const guint8 *data, gsize len)
{

  if (r->error != NULL || len == 0)
    return;
  if ((guint64)r->size + len > r->fw->max_bytes)
    {
      fail (r, FD_FIRMWARE_ERROR_TOO_LARGE,
            "the file is over the limit of %" G_GSIZE_FORMAT " bytes", r->fw->max_bytes);
      return;
    }
  g_checksum_update (r->sha, data, len);
  r->size += len;
  if (!fd_write_all (r->fd, data, len))
    fail (r, FD_FIRMWARE_ERROR_IO, "cannot write %s: %s", r->part_path, g_strerror (errno));
}

static void
part_data (FdFirmwareReceiver *r, const guint8 *data, gsize len)
{
  if (r->in_file)
    file_write (r, data, len);
  else if (r->field != NULL)
    {
      if (r->field->len + len > MAX_FIELD)
        fail (r, FD_FIRMWARE_ERROR_FORM, "the form field \"%s\" is longer than %d bytes",
              r->field_name, MAX_FIELD);
      else
        g_string_append_len (r->field, (const char *)data, (gssize)len);
    }
}

static void
part_end (FdFirmwareReceiver *r)
{
  if (r->field != NULL)
    {
      if (g_hash_table_size (r->fields) >= MAX_FIELDS)
        fail (r, FD_FIRMWARE_ERROR_FORM, "the form has more than %d fields", MAX_FIELDS);
      else
        g_hash_table_replace (r->fields, g_steal_pointer (&r->field_name),
                              g_string_free (g_steal_pointer (&r->field), FALSE));
    }
  if (r->in_file)
    r->had_file = TRUE;
  r->in_file = FALSE;
  g_clear_pointer (&r->field_name, g_free);
}

/* The name="…" of a Content-Disposition value, or NULL. */
static char *
disposition_name (const char *value)
{
  const char *p = value;

  while ((p = strstr (p, "name=")) != NULL)
    {
      if (p == value || p[-1] == ' ' || p[-1] == ';' || p[-1] == '\t')
        {
          const char *start = p + 5, *end;
          if (*start == '"')
            {
              start++;
              end = strchr (start, '"');
            }
          else
            end = start + strcspn (start, "; \t");
          if (end == NULL)
            return NULL;
          return g_strndup (start, (gsize)(end - start));
        }
      p += 5;
    }
  return NULL;
}

/* A part's head: its header lines, up to (not including) the empty line. */
static void
part_head (FdFirmwareReceiver *r, const char *head, gsize len)
{
  g_autofree char *text = g_strndup (head, len);
  g_auto (GStrv) lines = g_strsplit (text, "\r\n", -1);
  g_autofree char *name = NULL;

  for (guint i = 0; lines[i] != NULL; i++)
    if (g_ascii_strncasecmp (lines[i], "Content-Disposition:", 20) == 0)
      name = disposition_name (lines[i] + 20);
  if (name == NULL)
    {
      fail (r, FD_FIRMWARE_ERROR_FORM, "a part of the form has no Content-Disposition name");
      return;
    }
  if (g_str_equal (name, "file"))
    {
      if (r->had_file)
        {
          fail (r, FD_FIRMWARE_ERROR_FORM, "the form has more than one \"file\" part");
          return;
        }
      r->in_file = TRUE;
      return;
    }
  r->field = g_string_new (NULL);
  r->field_name = g_steal_pointer (&name);
}

static const guint8 *
find (const guint8 *data, gsize len, const char *what, gsize what_len)
{
  return memmem (data, len, what, what_len);
}

/* Moves through what is buffered as far as it can. */
static void
form_process (FdFirmwareReceiver *r)
{
  while (r->error == NULL)
    {
      GByteArray *buf = r->buf;
      const guint8 *hit;

      switch (r->state)
        {
        case FORM_PREAMBLE:
        case FORM_DATA:
          hit = find (buf->data, buf->len, r->delimiter, r->delimiter_len);
          if (hit == NULL)
            {
              /* All but what could be the start of a delimiter is the part's (or dropped). */
              gsize keep = MIN (buf->len, r->delimiter_len - 1), n = buf->len - keep;
              if (r->state == FORM_DATA)
                part_data (r, buf->data, n);
              else if ((r->preamble += n) > MAX_PREAMBLE)
                fail (r, FD_FIRMWARE_ERROR_FORM, "the multipart body has no boundary line");
              if (r->error == NULL)
                g_byte_array_remove_range (buf, 0, (guint)n);
              return;
            }
          if (r->state == FORM_DATA)
            {
              part_data (r, buf->data, (gsize)(hit - buf->data));
              part_end (r);
            }
          if (r->error == NULL)
            g_byte_array_remove_range (buf, 0, (guint)(hit - buf->data + r->delimiter_len));
          r->state = FORM_AFTER_DELIMITER;
          break;

        case FORM_AFTER_DELIMITER:
          if (buf->len < 2)
            return;
          if (memcmp (buf->data, "--", 2) == 0)
            {
              r->state = FORM_END;
              g_byte_array_set_size (buf, 0);
              return;
            }
          hit = find (buf->data, MIN (buf->len, 80), "\r\n", 2);
          if (hit == NULL)
            {
              if (buf->len >= 80)
                fail (r, FD_FIRMWARE_ERROR_FORM, "a boundary line of the form is malformed");
              return;
            }
          g_byte_array_remove_range (buf, 0, (guint)(hit - buf->data + 2));
          r->state = FORM_HEAD;
          break;

        case FORM_HEAD:
          if (buf->len >= 2 && memcmp (buf->data, "\r\n", 2) == 0)
            hit = buf->data; /* no header lines at all */
          else
            hit = find (buf->data, buf->len, "\r\n\r\n", 4);
          if (hit == NULL)
            {
              if (buf->len > MAX_PART_HEAD)
                fail (r, FD_FIRMWARE_ERROR_FORM, "a part's headers are over %d bytes",
                      MAX_PART_HEAD);
              return;
            }
          part_head (r, (const char *)buf->data, (gsize)(hit - buf->data));
          if (r->error == NULL)
            g_byte_array_remove_range (buf, 0,
                                       (guint)(hit - buf->data + (hit == buf->data ? 2 : 4)));
          r->state = FORM_DATA;
          break;

        case FORM_END:
          return;
        }
    }
}

void
fd_firmware_receiver_feed (FdFirmwareReceiver *r, const void *data, gsize len)
{
  if (r->error != NULL || len == 0)
    return;
  if (r->buf == NULL)
    {
      file_write (r, data, len);
      return;
    }
  if (r->state == FORM_END)
    return; /* the epilogue is ignored */
  g_byte_array_append (r->buf, data, (guint)len);
  form_process (r);
}

gboolean
fd_firmware_receiver_end (FdFirmwareReceiver *r, GError **error)
{
  if (r->error == NULL && r->delimiter != NULL && r->state != FORM_END)
    fail (r, FD_FIRMWARE_ERROR_FORM, "the multipart body ends before its closing boundary");
  if (r->error == NULL && (r->size == 0 || (r->delimiter != NULL && !r->had_file)))
    fail (r, FD_FIRMWARE_ERROR_EMPTY,
          r->delimiter != NULL && !r->had_file ? "the form has no \"file\" part"
                                               : "the file is empty");
  if (r->error != NULL)
    {
      fd_firmware_receiver_discard (r);
      g_propagate_error (error, g_error_copy (r->error));
      return FALSE;
    }
  r->sha256 = g_strdup (g_checksum_get_string (r->sha));
  return TRUE;
}

const char *
fd_firmware_receiver_get_id (FdFirmwareReceiver *r)
{
  return r->id;
}

const char *
fd_firmware_receiver_get_field (FdFirmwareReceiver *r, const char *name)
{
  return r->fields != NULL ? g_hash_table_lookup (r->fields, name) : NULL;
}

gint64
fd_firmware_receiver_get_size (FdFirmwareReceiver *r)
{
  return r->size;
}

const char *
fd_firmware_receiver_get_sha256 (FdFirmwareReceiver *r)
{
  return r->sha256;
}

gboolean
fd_firmware_receiver_commit (FdFirmwareReceiver *r, const char *expected_sha256, GError **error)
{
  int err;

  if (expected_sha256 != NULL && g_ascii_strcasecmp (expected_sha256, r->sha256) != 0)
    {
      fd_firmware_receiver_discard (r);
      g_set_error (error, FD_FIRMWARE_ERROR, FD_FIRMWARE_ERROR_SHA256,
                   "the file's sha256 is %s, not %s", r->sha256, expected_sha256);
      return FALSE;
    }
  /* The mode is set again: open() took the umask off it. */
  if (fchmod (r->fd, 0640) != 0 || fsync (r->fd) != 0)
    goto fail;
  err = close (r->fd);
  r->fd = -1;
  if (err != 0 || rename (r->part_path, r->bin_path) != 0)
    goto fail;
  r->committed = TRUE;
  fd_fsync_dir_of (r->bin_path);
  return TRUE;

fail:
  err = errno;
  fd_firmware_receiver_discard (r);
  g_set_error (error, FD_FIRMWARE_ERROR, FD_FIRMWARE_ERROR_IO, "cannot store %s: %s", r->bin_path,
               g_strerror (err));
  return FALSE;
}

void
fd_firmware_receiver_discard (FdFirmwareReceiver *r)
{
  if (r->fd >= 0)
    {
      close (r->fd);
      r->fd = -1;
    }
  g_unlink (r->committed ? r->bin_path : r->part_path);
  r->committed = FALSE;
}

void
fd_firmware_receiver_free (FdFirmwareReceiver *r)
{
  if (r == NULL)
    return;
  /* Not committed (an abandoned request): nothing of it stays. */
  if (r->fd >= 0)
    fd_firmware_receiver_discard (r);
  g_free (r->id);
  g_free (r->part_path);
  g_free (r->bin_path);
  g_checksum_free (r->sha);
  g_free (r->sha256);
  g_clear_error (&r->error);
  g_free (r->delimiter);
  if (r->buf != NULL)
    g_byte_array_unref (r->buf);
  if (r->field != NULL)
    g_string_free (r->field, TRUE);
  g_free (r->field_name);
  if (r->fields != NULL)
    g_hash_table_destroy (r->fields);
  g_free (r);
}
