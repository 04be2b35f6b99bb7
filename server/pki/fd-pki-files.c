/* fd-pki-files.c — the PKI directory and its files: a private directory reached through one
 * descriptor (no symlink games between the check and the use), bounded reads, and writes that
 * are atomic and never let a key exist with looser permissions than asked. */
#include "fd-pki-private.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fd-util.h"

void
fd_pki_wipe_free (void *data, gsize len)
{
  if (data == NULL)
    return;
  explicit_bzero (data, len);
  g_free (data);
}

void
fd_pki_datum_wipe (gnutls_datum_t *datum)
{
  if (datum->data == NULL)
    return;
  gnutls_memset (datum->data, 0, datum->size);
  gnutls_free (datum->data);
  datum->data = NULL;
  datum->size = 0;
}

static gboolean
set_errno_error (GError **error, int err, const char *what, const char *path)
{
  g_set_error (error, FD_PKI_ERROR, FD_PKI_ERROR_FAILED, "%s %s: %s", what, path, g_strerror (err));
  return FALSE;
}

/* Creates @dir with mode 0700 when missing, refuses it when it is a symlink, not a directory,
 * someone else's, or writable by group or others, and narrows a readable one to 0700. */
int
fd_pki_dir_open (const char *dir, GError **error)
{
  g_autofree char *parent = g_path_get_dirname (dir);
  struct stat st;
  int fd;

  if (g_mkdir_with_parents (parent, 0700) != 0)
    {
      set_errno_error (error, errno, "cannot create", parent);
      return -1;
    }
  if (mkdir (dir, 0700) != 0 && errno != EEXIST)
    {
      set_errno_error (error, errno, "cannot create", dir);
      return -1;
    }

  fd = open (dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0)
    {
      if (errno == ELOOP || errno == ENOTDIR)
        g_set_error (error, FD_PKI_ERROR, FD_PKI_ERROR_FAILED,
                     "%s is a symbolic link or not a directory; the PKI directory must be a "
                     "real directory",
                     dir);
      else
        set_errno_error (error, errno, "cannot open", dir);
      return -1;
    }
  if (fstat (fd, &st) != 0)
    {
      set_errno_error (error, errno, "cannot stat", dir);
      close (fd);
      return -1;
    }
  if (st.st_uid != geteuid ())
    {
      g_set_error (error, FD_PKI_ERROR, FD_PKI_ERROR_FAILED,
                   "%s belongs to another user (uid %u); the PKI directory must be yours", dir,
                   (guint)st.st_uid);
      close (fd);
      return -1;
    }
  if ((st.st_mode & (S_IWGRP | S_IWOTH)) != 0)
    {
      g_set_error (error, FD_PKI_ERROR, FD_PKI_ERROR_FAILED,
                   "%s is writable by other users (mode %04o), so its keys cannot be trusted; "
                   "check its contents, then chmod 700 it",
                   dir, (guint)(st.st_mode & 07777));
      close (fd);
      return -1;
    }
  if ((st.st_mode & 0077) != 0 && fchmod (fd, 0700) != 0)
    {
      set_errno_error (error, errno, "cannot chmod 700", dir);
      close (fd);
      return -1;
    }
  return fd;
}

gboolean
fd_pki_file_read (FdPki *pki, const char *name, gboolean secret, guint8 **data, gsize *len,
                  gboolean *missing, GError **error)
{
  g_autofree char *path = g_build_filename (pki->dir, name, NULL);
  struct stat st;
  guint8 *buf;
  gsize done = 0;
  int fd;

  *data = NULL;
  *len = 0;
  *missing = FALSE;

  fd = openat (pki->dir_fd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0)
    {
      if (errno == ENOENT)
        {
          *missing = TRUE;
          return FALSE;
        }
      return set_errno_error (error, errno, "cannot open", path);
    }
  if (fstat (fd, &st) != 0)
    {
      close (fd);
      return set_errno_error (error, errno, "cannot stat", path);
    }
  if (!S_ISREG (st.st_mode) || st.st_size > FD_PKI_MAX_FILE_BYTES)
    {
      close (fd);
      g_set_error (error, FD_PKI_ERROR, FD_PKI_ERROR_FAILED,
                   "%s is not a regular file of at most %d bytes", path, FD_PKI_MAX_FILE_BYTES);
      return FALSE;
    }
  if (secret && (st.st_mode & 0077) != 0)
    {
      close (fd);
      g_set_error (error, FD_PKI_ERROR, FD_PKI_ERROR_FAILED,
                   "%s is accessible to other users (mode %04o); a private key must be mode "
                   "0600: chmod 600 it if you trust it",
                   path, (guint)(st.st_mode & 07777));
      return FALSE;
    }

  /* One byte more than the size, so that a file growing under us is noticed, not truncated. */
  buf = g_malloc ((gsize)st.st_size + 1);
  for (;;)
    {
      ssize_t n = read (fd, buf + done, (gsize)st.st_size + 1 - done);
      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        {
          int err = errno;
          close (fd);
          fd_pki_wipe_free (buf, (gsize)st.st_size + 1);
          return set_errno_error (error, err, "cannot read", path);
        }
      if (n == 0)
        break;
      done += (gsize)n;
      if (done > (gsize)st.st_size)
        {
          close (fd);
          fd_pki_wipe_free (buf, (gsize)st.st_size + 1);
          g_set_error (error, FD_PKI_ERROR, FD_PKI_ERROR_FAILED, "%s changed while being read",
                       path);
          return FALSE;
        }
    }
  close (fd);
  buf[done] = '\0';
  *data = buf;
  *len = done;
  return TRUE;
}

gboolean
fd_pki_file_write (FdPki *pki, const char *name, const void *data, gsize len, int mode,
                   GError **error)
{
  g_autofree char *path = g_build_filename (pki->dir, name, NULL);
  char tmp[128];
  guint8 rnd[8];
  int fd = -1;

  for (int attempt = 0; attempt < 8 && fd < 0; attempt++)
    {
      fd_random_bytes (rnd, sizeof rnd);
      g_snprintf (tmp, sizeof tmp, ".%s.%02x%02x%02x%02x%02x%02x%02x%02x.tmp", name, rnd[0], rnd[1],
                  rnd[2], rnd[3], rnd[4], rnd[5], rnd[6], rnd[7]);
      fd = openat (pki->dir_fd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode);
      if (fd < 0 && errno != EEXIST)
        return set_errno_error (error, errno, "cannot create a temporary file beside", path);
    }
  if (fd < 0)
    return set_errno_error (error, EEXIST, "cannot create a temporary file beside", path);

  if (!fd_write_all (fd, data, len) || fsync (fd) != 0)
    goto fail;
  if (close (fd) != 0)
    {
      fd = -1;
      goto fail;
    }
  fd = -1;
  if (renameat (pki->dir_fd, tmp, pki->dir_fd, name) != 0)
    goto fail;
  /* The rename is durable only once the directory is. */
  if (fsync (pki->dir_fd) != 0)
    return set_errno_error (error, errno, "cannot sync the directory of", path);
  return TRUE;

fail:
  {
    int err = errno;
    if (fd >= 0)
      close (fd);
    unlinkat (pki->dir_fd, tmp, 0);
    return set_errno_error (error, err, "cannot write", path);
  }
}
