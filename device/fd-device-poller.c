/* fd-device-poller.c — an epoll set as one GSource. */
#include "fd-device-poller.h"

#include <errno.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>
#include <gio/gio.h>
#include <glib-unix.h>

#define EVENTS_PER_ROUND 256

typedef struct
{
  int fd;
  FdDevicePollerFunc func;
  gpointer data;
} Watch;

struct _FdDevicePoller
{
  GSource *source;
  int epfd;
  GHashTable *watches; /* fd → Watch */
};

static gboolean
dispatch (gint epfd, GIOCondition condition, gpointer data)
{
  FdDevicePoller *p = data;
  struct epoll_event ev[EVENTS_PER_ROUND];
  int n = epoll_wait (p->epfd, ev, EVENTS_PER_ROUND, 0);

  for (int i = 0; i < n; i++)
    {
      /* A callback may remove (and close) any connection, this one or one later in the list:
       * look the watch up again rather than trusting a pointer. */
      Watch *w = g_hash_table_lookup (p->watches, GINT_TO_POINTER (ev[i].data.fd));
      if (w == NULL)
        continue;
      w->func (w->data, (ev[i].events & (EPOLLIN | EPOLLHUP | EPOLLERR)) != 0,
               (ev[i].events & EPOLLOUT) != 0);
    }
  return G_SOURCE_CONTINUE;
}

FdDevicePoller *
fd_device_poller_new (GMainContext *context, GError **error)
{
  FdDevicePoller *p;
  int epfd = epoll_create1 (EPOLL_CLOEXEC);

  if (epfd < 0)
    {
      int saved = errno;
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved), "epoll_create1: %s",
                   g_strerror (saved));
      return NULL;
    }
  p = g_new0 (FdDevicePoller, 1);
  p->epfd = epfd;
  p->watches = g_hash_table_new_full (NULL, NULL, NULL, g_free);
  p->source = g_unix_fd_source_new (epfd, G_IO_IN);
  g_source_set_callback (p->source, G_SOURCE_FUNC (dispatch), p, NULL);
  g_source_attach (p->source, context ? context : g_main_context_get_thread_default ());
  return p;
}

void
fd_device_poller_free (FdDevicePoller *p)
{
  if (p == NULL)
    return;
  g_source_destroy (p->source);
  g_source_unref (p->source);
  close (p->epfd);
  g_hash_table_unref (p->watches);
  g_free (p);
}

gboolean
fd_device_poller_add (FdDevicePoller *p, int fd, gboolean want_write, FdDevicePollerFunc func,
                      gpointer data)
{
  struct epoll_event ev = { .events = EPOLLIN | (want_write ? EPOLLOUT : 0), .data.fd = fd };
  Watch *w = g_new0 (Watch, 1);

  if (epoll_ctl (p->epfd, EPOLL_CTL_ADD, fd, &ev) < 0)
    {
      g_free (w);
      return FALSE;
    }
  w->fd = fd;
  w->func = func;
  w->data = data;
  g_hash_table_replace (p->watches, GINT_TO_POINTER (fd), w);
  return TRUE;
}

void
fd_device_poller_want_write (FdDevicePoller *p, int fd, gboolean want_write, gpointer data)
{
  struct epoll_event ev = { .events = EPOLLIN | (want_write ? EPOLLOUT : 0), .data.fd = fd };

  epoll_ctl (p->epfd, EPOLL_CTL_MOD, fd, &ev);
}

void
fd_device_poller_remove (FdDevicePoller *p, int fd)
{
  epoll_ctl (p->epfd, EPOLL_CTL_DEL, fd, NULL);
  g_hash_table_remove (p->watches, GINT_TO_POINTER (fd));
}
