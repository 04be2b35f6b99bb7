/* fd-cli-files.c — the files a command reads (a PEM, a CSV) and writes (zdevice.json).
 *
 * Reading is bounded and the file is named in every error. Writing is for secrets: the file is
 * mode 0600 from the moment it exists, it is written beside its final path and renamed, so that
 * a reader never sees half of it, and an existing file is never replaced unless asked.
 */
#define _GNU_SOURCE /* renameat2 */

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib/gi18n.h>
#include <glib/gstdio.h>

#include "fd-cli.h"

#define FD_CLI_READ_CHUNK 65536

struct _FdCliPrivateFile
{
  char *path;
  char *tmp_path; /* NULL once renamed or removed */
  int fd;         /* -1 once closed */
  gboolean overwrite;
  gboolean existed;
};

static void set_file_error (GError **error, int saved_errno, const char *format, ...)
    G_GNUC_PRINTF (3, 4);

/* "cannot read FILE: reason"; the arguments are display names. */
static void
set_file_error (GError **error, int saved_errno, const char *format, ...)
{
  g_autofree char *what = NULL;
  va_list args;

  va_start (args, format);
  what = g_strdup_vprintf (format, args);
  va_end (args);
  g_set_error (error, FD_CLI_ERROR, FD_CLI_ERROR_FILE, "%s: %s", what, g_strerror (saved_errno));
}

GBytes *
fd_cli_file_read (const char *path, gsize max_bytes, GError **error)
{
  g_autoptr (GByteArray) data = g_byte_array_new ();
  g_autofree char *display = g_filename_display_name (path);
  g_autofree guint8 *chunk = g_malloc (FD_CLI_READ_CHUNK);
  struct stat info;
  int fd = g_open (path, O_RDONLY | O_CLOEXEC, 0);

  if (fd < 0)
    {
      int saved_errno = errno;

      set_file_error (error, saved_errno, _ ("cannot read %s"), display);
      return NULL;
    }
  if (fstat (fd, &info) != 0 || !S_ISREG (info.st_mode))
    {
      close (fd);
      g_set_error (error, FD_CLI_ERROR, FD_CLI_ERROR_FILE, _ ("%s is not a regular file"), display);
      return NULL;
    }
  for (;;)
    {
      gssize n = read (fd, chunk, FD_CLI_READ_CHUNK);

      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        {
          int saved_errno = errno;

          close (fd);
          set_file_error (error, saved_errno, _ ("cannot read %s"), display);
          return NULL;
        }
      if (n == 0)
        break;
      if (data->len + (gsize)n > max_bytes)
        {
          g_autofree char *limit = g_format_size_full (max_bytes, G_FORMAT_SIZE_IEC_UNITS);

          close (fd);
          g_set_error (error, FD_CLI_ERROR, FD_CLI_ERROR_FILE, _ ("%s is larger than %s"), display,
                       limit);
          return NULL;
        }
      g_byte_array_append (data, chunk, (guint)n);
    }
  close (fd);
  return g_byte_array_free_to_bytes (g_steal_pointer (&data));
}

/* The end of the last "-----END …-----" in the @len bytes at @text, or NULL. */
static const char *
last_end_line (const char *text, gsize len)
{
  const char *found = NULL;

  for (const char *p = text; (p = g_strstr_len (p, len - (gsize)(p - text), "-----END ")) != NULL;)
    {
      const char *close = g_strstr_len (p + 9, len - (gsize)(p + 9 - text), "-----");

      if (close == NULL)
        break;
      found = close + 5;
      p = found;
    }
  return found;
}

/* The PEM text from @begin to @end, ending with one newline. */
static char *
pem_text (const char *begin, const char *end)
{
  return g_strdup_printf ("%.*s\n", (int)(end - begin), begin);
}

/* Sends the PEM blocks only: text before the first and after the last (what `certtool` and
 * `openssl x509 -text` write around them) is left out. What is between stays, so that the server
 * still judges a file with two blocks. */
char *
fd_cli_file_read_pem (const char *path, GError **error)
{
  g_autoptr (GBytes) bytes = fd_cli_file_read (path, FD_CLI_MAX_PEM_BYTES, error);
  g_autofree char *display = g_filename_display_name (path);
  const char *data;
  const char *begin;
  const char *end;
  gsize len = 0;

  if (bytes == NULL)
    return NULL;
  data = g_bytes_get_data (bytes, &len);
  if (len == 0)
    {
      g_set_error (error, FD_CLI_ERROR, FD_CLI_ERROR_FILE, _ ("%s is empty"), display);
      return NULL;
    }
  /* Text: UTF-8 without NUL or control characters other than line ends and tabs. A DER file
   * fails here, which is the usual mistake. */
  if (!g_utf8_validate_len (data, len, NULL))
    goto not_text;
  for (gsize i = 0; i < len; i++)
    if ((guchar)data[i] < 0x20 && data[i] != '\n' && data[i] != '\r' && data[i] != '\t')
      goto not_text;
  begin = g_strstr_len (data, len, "-----BEGIN ");
  end = begin != NULL ? last_end_line (begin, len - (gsize)(begin - data)) : NULL;
  if (begin == NULL || end == NULL)
    {
      g_set_error (error, FD_CLI_ERROR, FD_CLI_ERROR_FILE,
                   _ ("%s is not a PEM file (it has no -----BEGIN … -----END lines)"), display);
      return NULL;
    }
  return pem_text (begin, end);

not_text:
  g_set_error (error, FD_CLI_ERROR, FD_CLI_ERROR_FILE,
               _ ("%s is not UTF-8 text; a PEM file is expected (convert a DER file with "
                  "'certtool --inder')"),
               display);
  return NULL;
}

FdCliPrivateFile *
fd_cli_private_file_new (const char *path, gboolean overwrite, GError **error)
{
  g_autofree char *dir = g_path_get_dirname (path);
  g_autofree char *base = g_path_get_basename (path);
  g_autofree char *display = g_filename_display_name (path);
  g_autofree char *tmp_path = NULL;
  FdCliPrivateFile *file;
  struct stat info;
  int fd;

  if (lstat (path, &info) == 0)
    {
      if (S_ISDIR (info.st_mode))
        {
          g_set_error (error, FD_CLI_ERROR, FD_CLI_ERROR_FILE, _ ("%s is a directory"), display);
          return NULL;
        }
      if (!overwrite)
        {
          g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_EXIST, _ ("%s already exists"), display);
          return NULL;
        }
    }

  tmp_path = g_strdup_printf ("%s/.%s.XXXXXX", dir, base);
  fd = g_mkstemp_full (tmp_path, O_RDWR | O_CLOEXEC, 0600);
  if (fd < 0)
    {
      int saved_errno = errno;
      g_autofree char *dir_display = g_filename_display_name (dir);

      set_file_error (error, saved_errno, _ ("cannot write a file in %s"), dir_display);
      return NULL;
    }
  file = g_new0 (FdCliPrivateFile, 1);
  file->path = g_strdup (path);
  file->tmp_path = g_steal_pointer (&tmp_path);
  file->fd = fd;
  file->overwrite = overwrite;
  return file;
}

const char *
fd_cli_private_file_get_path (const FdCliPrivateFile *file)
{
  return file->path;
}

gboolean
fd_cli_private_file_existed (const FdCliPrivateFile *file)
{
  return file->existed;
}

/* Puts the written temporary file at its path; without overwrite, never over an existing
 * file, also one that appeared after fd_cli_private_file_new() looked. */
static int
rename_into_place (FdCliPrivateFile *file)
{
  if (file->overwrite)
    return rename (file->tmp_path, file->path);
  if (renameat2 (AT_FDCWD, file->tmp_path, AT_FDCWD, file->path, RENAME_NOREPLACE) == 0)
    return 0;
  if (errno != EINVAL && errno != ENOSYS)
    return -1;
  /* A file system without RENAME_NOREPLACE: link() refuses an existing name too. */
  if (link (file->tmp_path, file->path) != 0)
    return -1;
  g_unlink (file->tmp_path);
  return 0;
}

gboolean
fd_cli_private_file_commit (FdCliPrivateFile *file, const char *data, gsize len, GError **error)
{
  g_autofree char *display = g_filename_display_name (file->path);
  gsize done = 0;
  int saved_errno;

  g_return_val_if_fail (file->fd >= 0, FALSE);
  while (done < len)
    {
      gssize n = write (file->fd, data + done, len - done);

      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        goto failed;
      done += (gsize)n;
    }
  if (fsync (file->fd) != 0)
    goto failed;
  if (close (file->fd) != 0)
    {
      file->fd = -1;
      goto failed;
    }
  file->fd = -1;
  if (rename_into_place (file) != 0)
    {
      if (errno == EEXIST)
        {
          file->existed = TRUE;
          g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_EXIST, _ ("%s already exists"), display);
          return FALSE;
        }
      goto failed;
    }
  g_clear_pointer (&file->tmp_path, g_free);
  return TRUE;

failed:
  saved_errno = errno;
  set_file_error (error, saved_errno, _ ("cannot write %s"), display);
  return FALSE;
}

void
fd_cli_private_file_free (FdCliPrivateFile *file)
{
  if (file == NULL)
    return;
  if (file->fd >= 0)
    close (file->fd);
  if (file->tmp_path != NULL)
    g_unlink (file->tmp_path);
  g_free (file->tmp_path);
  g_free (file->path);
  g_free (file);
}

void
fd_cli_dir_sync (const char *path)
{
  g_autofree char *dir = g_path_get_dirname (path);
  int fd = g_open (dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0);

  /* Best effort: the file is written whole already; this only orders it before a crash. */
  if (fd >= 0)
    {
      fsync (fd);
      close (fd);
    }
}

gboolean
fd_cli_dir_prepare (const char *dir, GError **error)
{
  g_autofree char *display = g_filename_display_name (dir);
  struct stat info;

  if (g_mkdir_with_parents (dir, 0700) != 0)
    {
      int saved_errno = errno;

      set_file_error (error, saved_errno, _ ("cannot make the directory %s"), display);
      return FALSE;
    }
  if (stat (dir, &info) != 0 || !S_ISDIR (info.st_mode))
    {
      g_set_error (error, FD_CLI_ERROR, FD_CLI_ERROR_FILE, _ ("%s is not a directory"), display);
      return FALSE;
    }
  if (access (dir, W_OK | X_OK) != 0)
    {
      int saved_errno = errno;

      set_file_error (error, saved_errno, _ ("cannot write in %s"), display);
      return FALSE;
    }
  return TRUE;
}

char *
fd_cli_file_stem (const char *name)
{
  g_autofree char *valid = g_utf8_make_valid (name, -1);
  GString *stem = g_string_new (NULL);

  for (const char *p = valid; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);
      char utf8[8];
      gint n;

      if (c == '/' || g_unichar_iscntrl (c) || (c == '.' && p == valid))
        c = '_';
      n = g_unichar_to_utf8 (c, utf8);
      if (stem->len + (gsize)n > FD_CLI_MAX_FILE_STEM_BYTES)
        break;
      g_string_append_len (stem, utf8, n);
    }
  if (stem->len == 0)
    g_string_append_c (stem, '_');
  return g_string_free (stem, FALSE);
}
