/* fd-integrations-private.h — what the files of FdIntegrations share: the service
 * (fd-integrations.c), the worker threads (fd-integrations-worker.c) and the bridge from live
 * events to the outbox (fd-integrations-bridge.c). */
#pragma once

#include "fd-integrations.h"

G_BEGIN_DECLS

/* Live events are published on the engine thread only: a worker hands them over through this,
 * which outlives the service (a queued hand-over finds events NULL after the free). */
typedef struct
{
  gint ref;
  FdEvents *events;      /* engine thread only; NULL once the service is freed */
  FdIntegrations *owner; /* likewise (store callbacks that come after the free) */
} FdIntegrationsPublisher;

void fd_integrations_publisher_unref (FdIntegrationsPublisher *publisher);

typedef struct _FdWorker FdWorker;

struct _FdIntegrations
{
  FdStore *store;
  FdIntegrationsConfig config;
  GMainContext *context; /* the engine's */
  FdIntegrationsPublisher *publisher;
  GMutex lock;
  GHashTable *workers; /* id -> FdWorker */
  gint64 last_prune;   /* epoch ms, under lock */
  FdEventSubscriber *bridge;
  GCancellable *cancellable; /* test sends */
  gboolean started;
};

struct _FdWorker
{
  FdIntegrations *owner;
  char *id;
  char *workspace_id;
  char *name;
  FdIntegrationType type;
  GThread *thread; /* NULL only while being restarted */
  GMutex lock;
  GCond cond;
  gboolean stop, reload, kicked;
  GCancellable *cancellable;
  FdIntegrationHealth health; /* under lock */
  gboolean dropping;
  GQueue rate; /* RateMark*: batches delivered in the last minute */
  FdIntegrationState published_state;
  gint64 published_at; /* monotonic µs */
};

/* fd-integrations-worker.c */
gpointer fd_worker_thread (gpointer data);
/* Publishes integration.updated for @worker now when its state changed or @force, else at
 * most once a second (any thread). */
void fd_worker_publish (FdWorker *worker, gboolean force);
/* The health object of the contract, plus "id" and "name", as compact JSON. */
char *fd_integration_health_json (const char *id, const char *name,
                                  const FdIntegrationHealth *health);

/* fd-integrations-bridge.c: device, job and campaign events into the outbox. */
void fd_integrations_bridge_start (FdIntegrations *self, FdEvents *events);
void fd_integrations_bridge_stop (FdIntegrations *self);

G_END_DECLS
