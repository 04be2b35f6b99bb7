/* fd-engine-thread.h — runs an FdEngine on a thread of its own, for the desktop app. */
#pragma once

#include "fd-engine.h"

G_BEGIN_DECLS

typedef struct _FdEngineThread FdEngineThread;

/* Starts the engine on a new thread with its own GMainContext and waits only until it listens
 * (the store is opened and migrated first). Returns NULL with @error set if it cannot start. */
FdEngineThread *fd_engine_thread_start (const FdEngineConfig *config, GError **error);

/* "http://127.0.0.1:PORT" of the engine's operator API. */
const char *fd_engine_thread_get_url (FdEngineThread *self);
/* The engine's local token for this run. */
const char *fd_engine_thread_get_token (FdEngineThread *self);
const char *fd_engine_thread_get_data_dir (FdEngineThread *self);

/* Shuts the engine down (in-flight requests finish), joins the thread and frees @self. */
void fd_engine_thread_stop (FdEngineThread *self);

G_END_DECLS
