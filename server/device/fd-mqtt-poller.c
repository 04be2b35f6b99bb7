/* fd-mqtt-poller.c — an epoll set as one GSource (fd-mqtt-poller.h). */
#include "config.h"

#include "fd-mqtt-poller.h"

#include <errno.h>
#include <sys/epoll.h>
#include <unistd.h>

#include <gio/gio.h>
#include <glib-unix.h>

/* Events taken from the kernel per epoll_wait; more ready sockets wait for the next dispatch. */
#define EVENTS_PER_ROUND 512

struct _FdMqttWatch
{
  FdMqttPoller *poller;
  int fd;
  guint32 events;        /* as registered */
  FdMqttPollerFunc func; /* NULL once removed */
  gpointer data;
};

struct _FdMqttPoller
{
  GSource *source;
  int epfd;
  FdMqttPollerRoundFunc round;
  gpointer round_data;
  gboolean dispatching;
  GPtrArray *removed; /* watches removed during a dispatch: freed at its end */
};

static guint32
events_for (gboolean want_read, gboolean want_write)
{
  return (want_read ? EPOLLIN : 0) | (want_write ? EPOLLOUT : 0);
}

static gboolean
dispatch (gint epfd, GIOCondition condition, gpointer data)
{
  FdMqttPoller *p = data;
  struct epoll_event ev[EVENTS_PER_ROUND];
  int n = epoll_wait (p->epfd, ev, EVENTS_PER_ROUND, 0);

  p->dispatching = TRUE;
  if (p->round != NULL)
    p->round (p->round_data, TRUE);
  for (int i = 0; i < n; i++)
    {
      /* A callback may remove any watch, this one or one later in the list: a removed watch
       * stays allocated until the end of the dispatch, with no function. */
      FdMqttWatch *w = ev[i].data.ptr;
      guint32 got = ev[i].events;

      if (w->func == NULL)
        continue;
      /* Input collected before the watch stopped asking for it (earlier in this round) is
       * not reported; a hang-up or an error always is. */
      if (!(w->events & EPOLLIN))
        got &= ~(guint32)EPOLLIN;
      if (!(w->events & EPOLLOUT))
        got &= ~(guint32)EPOLLOUT;
      if (got & (EPOLLIN | EPOLLOUT | EPOLLHUP | EPOLLERR))
        w->func (w->data, (got & (EPOLLIN | EPOLLHUP | EPOLLERR)) != 0, (got & EPOLLOUT) != 0);
    }
  if (p->round != NULL)
    p->round (p->round_data, FALSE);
  p->dispatching = FALSE;
  g_ptr_array_set_size (p->removed, 0);
  return G_SOURCE_CONTINUE;
}

FdMqttPoller *
fd_mqtt_poller_new (GMainContext *context, FdMqttPollerRoundFunc round, gpointer round_data,
                    GError **error)
{
  FdMqttPoller *p;
  int epfd = epoll_create1 (EPOLL_CLOEXEC);

  if (epfd < 0)
    {
      int saved = errno;
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved), "epoll_create1: %s",
                   g_strerror (saved));
      return NULL;
    }
  p = g_new0 (FdMqttPoller, 1);
  p->epfd = epfd;
  p->round = round;
  p->round_data = round_data;
  p->removed = g_ptr_array_new_with_free_func (g_free);
  p->source = g_unix_fd_source_new (epfd, G_IO_IN);
  g_source_set_callback (p->source, G_SOURCE_FUNC (dispatch), p, NULL);
  g_source_attach (p->source, context);
  return p;
}

/* Every watch must have been removed. */
void
fd_mqtt_poller_free (FdMqttPoller *p)
{
  if (p == NULL)
    return;
  g_source_destroy (p->source);
  g_source_unref (p->source);
  close (p->epfd);
  g_ptr_array_unref (p->removed);
  g_free (p);
}

FdMqttWatch *
fd_mqtt_poller_add (FdMqttPoller *p, int fd, gboolean want_read, gboolean want_write,
                    FdMqttPollerFunc func, gpointer data)
{
  FdMqttWatch *w = g_new0 (FdMqttWatch, 1);
  struct epoll_event ev = { .events = events_for (want_read, want_write), .data.ptr = w };

  if (epoll_ctl (p->epfd, EPOLL_CTL_ADD, fd, &ev) < 0)
    {
      int saved = errno;
      g_free (w);
      errno = saved;
      return NULL;
    }
  w->poller = p;
  w->fd = fd;
  w->events = ev.events;
  w->func = func;
  w->data = data;
  return w;
}

void
fd_mqtt_watch_set (FdMqttWatch *w, gboolean want_read, gboolean want_write)
{
  struct epoll_event ev = { .events = events_for (want_read, want_write), .data.ptr = w };

  if (ev.events == w->events)
    return;
  if (epoll_ctl (w->poller->epfd, EPOLL_CTL_MOD, w->fd, &ev) == 0)
    w->events = ev.events;
  else
    g_warning ("MQTT poller: epoll_ctl MOD on %d: %s", w->fd, g_strerror (errno));
}

void
fd_mqtt_watch_remove (FdMqttWatch *w)
{
  FdMqttPoller *p = w->poller;

  epoll_ctl (p->epfd, EPOLL_CTL_DEL, w->fd, NULL);
  w->func = NULL;
  if (p->dispatching)
    g_ptr_array_add (p->removed, w);
  else
    g_free (w);
}
