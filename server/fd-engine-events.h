/* fd-engine-events.h — the engine's parts that feed the events bus (fd-engine-events.c). */
#pragma once

#include "conditions/fd-conditions.h"
#include "device/fd-device-sessions.h"
#include "events/fd-events.h"
#include "ingest/fd-ingest.h"

G_BEGIN_DECLS

/* Watches @sessions and @conditions and observes @ingest (before its first write) for @events. */
void fd_engine_events_connect (FdEvents *events, FdSessions *sessions, FdIngest *ingest,
                               FdConditions *conditions);
/* Each before its object is freed; the ingest observer stays until the store is closed. */
void fd_engine_events_disconnect_sessions (FdEvents *events, FdSessions *sessions);
void fd_engine_events_disconnect_conditions (FdEvents *events, FdConditions *conditions);

G_END_DECLS
