/* fd-engine-events.h — the engine's parts that feed the events bus (fd-engine-events.c). */
#pragma once

#include "conditions/fd-conditions.h"
#include "device/fd-device-sessions.h"
#include "events/fd-events.h"
#include "ingest/fd-ingest.h"
#include "integrations/fd-integrations.h"

G_BEGIN_DECLS

typedef struct _FdEngineObserver FdEngineObserver;

/* Watches @sessions and @conditions and observes @ingest (before its first write) for @events,
 * and wakes @integrations' workers when readings or conditions are committed. Freed with
 * fd_engine_events_free() once the ingest is. */
FdEngineObserver *fd_engine_events_connect (FdEvents *events, FdSessions *sessions,
                                            FdIngest *ingest, FdConditions *conditions,
                                            FdIntegrations *integrations);
/* Each before its object is freed; the ingest observer stays until the store is closed, so
 * the integrations are forgotten before they are freed (the writer may commit until then). */
void fd_engine_events_disconnect_sessions (FdEvents *events, FdSessions *sessions);
void fd_engine_events_disconnect_conditions (FdEngineObserver *observer, FdConditions *conditions);
void fd_engine_events_forget_integrations (FdEngineObserver *observer);
void fd_engine_events_free (FdEngineObserver *observer);

G_END_DECLS
