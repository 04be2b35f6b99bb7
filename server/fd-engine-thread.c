/* fd-engine-thread.c — an engine on its own thread and main context (the desktop app's). */
#include "fd-engine-thread.h"

struct _FdEngineThread
{
  GThread *thread;
  GMainContext *context;
  GMainLoop *loop;
  FdEngineConfig config;
  FdEngine *engine;
  char *url;
  char *token;
  char *data_dir;

  GMutex mutex;
  GCond cond;
  gboolean ready;
  GError *error;
};

static gpointer
engine_thread_main (gpointer data)
{
  FdEngineThread *self = data;
  g_autoptr (FdEngine) engine = NULL;
  GError *error = NULL;

  g_main_context_push_thread_default (self->context);
  engine = fd_engine_new (&self->config, &error);
  if (engine != NULL && !fd_engine_start (engine, &error))
    g_clear_object (&engine);

  g_mutex_lock (&self->mutex);
  if (engine != NULL)
    {
      self->engine = engine;
      self->url = fd_engine_dup_api_url (engine);
      self->token = g_strdup (fd_engine_get_local_token (engine));
      self->data_dir = g_strdup (fd_engine_get_data_dir (engine));
    }
  self->error = error;
  self->ready = TRUE;
  g_cond_signal (&self->cond);
  g_mutex_unlock (&self->mutex);

  if (engine != NULL)
    {
      g_main_loop_run (self->loop);
      fd_engine_shutdown (engine);
    }
  g_main_context_pop_thread_default (self->context);
  return NULL;
}

static void
engine_thread_free (FdEngineThread *self)
{
  g_main_loop_unref (self->loop);
  g_main_context_unref (self->context);
  g_free (self->config.data_dir);
  g_free (self->config.api_address);
  g_free (self->url);
  g_free (self->token);
  g_free (self->data_dir);
  g_mutex_clear (&self->mutex);
  g_cond_clear (&self->cond);
  g_free (self);
}

FdEngineThread *
fd_engine_thread_start (const FdEngineConfig *config, GError **error)
{
  FdEngineThread *self = g_new0 (FdEngineThread, 1);

  self->config = *config;
  self->config.data_dir = g_strdup (config->data_dir);
  self->config.api_address = g_strdup (config->api_address);
  self->context = g_main_context_new ();
  self->loop = g_main_loop_new (self->context, FALSE);
  g_mutex_init (&self->mutex);
  g_cond_init (&self->cond);

  self->thread = g_thread_new ("fd-engine", engine_thread_main, self);
  g_mutex_lock (&self->mutex);
  while (!self->ready)
    g_cond_wait (&self->cond, &self->mutex);
  g_mutex_unlock (&self->mutex);

  if (self->error != NULL)
    {
      g_propagate_error (error, self->error);
      g_thread_join (self->thread);
      engine_thread_free (self);
      return NULL;
    }
  return self;
}

const char *
fd_engine_thread_get_url (FdEngineThread *self)
{
  return self->url;
}

const char *
fd_engine_thread_get_token (FdEngineThread *self)
{
  return self->token;
}

const char *
fd_engine_thread_get_data_dir (FdEngineThread *self)
{
  return self->data_dir;
}

static gboolean
quit_loop (gpointer data)
{
  g_main_loop_quit (data);
  return G_SOURCE_REMOVE;
}

void
fd_engine_thread_stop (FdEngineThread *self)
{
  if (self == NULL)
    return;
  g_main_context_invoke (self->context, quit_loop, self->loop);
  g_thread_join (self->thread);
  engine_thread_free (self);
}
