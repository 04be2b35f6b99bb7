/* fd-device-sessions.h — who is connected now: one live session per connected device and
 * transport, presence (online / offline with its times, transport and address), and the way
 * down-messages reach a connected device.
 *
 * Everything here runs on the engine thread. A transport embeds an FdSession in its connection,
 * attaches it once the device is authenticated and detaches it when the connection ends; the
 * registry holds plain pointers, never references. Presence is written to the device row
 * through the store (online, transport, remote_address, connected_at, disconnected_at) without
 * anybody waiting for it, and watchers (the events stream) are told at once.
 *
 * MQTT sessions (TLS and WebSocket alike) of one device exclude each other: attaching a second
 * one ends the first (MQTT's session take-over). HTTPS connections of a device may be many at
 * once and never take anything over; they count for "online" but cannot take down-messages.
 */
#pragma once

#include <gio/gio.h>

#include "device/fd-device-auth.h"
#include "store/fd-store.h"

G_BEGIN_DECLS

typedef enum
{
  FD_TRANSPORT_MQTT,    /* MQTT over TLS (--mqtt-port) */
  FD_TRANSPORT_MQTT_WS, /* MQTT over WebSocket (wss://…:device-port/mqtt) */
  FD_TRANSPORT_HTTPS,   /* the HTTPS device endpoint */
} FdTransport;

/* "mqtt", "mqtt-ws", "https": the values of the API's presence "transport". */
const char *fd_transport_name (FdTransport transport);

typedef enum
{
  FD_SESSION_END_TAKEN_OVER, /* a new MQTT connection with the same client id */
  FD_SESSION_END_REVOKED,    /* the credential was revoked or the device deleted */
  FD_SESSION_END_SHUTDOWN,   /* the server is stopping */
} FdSessionEnd;

typedef struct _FdSession FdSession;

typedef struct
{
  /* Sends @envelope (a complete j/dn message, see fd_downlink_envelope()) to the device:
   * MQTT QoS 1, resent until PUBACK while the connection lasts. FALSE when the session cannot
   * take it (not subscribed to j/dn/<device>, or its queue of unacknowledged messages is full):
   * the message then stays only in the device's expected map. For HTTPS, the long poll
   * GET /v1/dn waiting on this session (fd_sessions_wait): it answers with @envelope, or, when
   * @envelope is NULL (a newer poll of the device took its place), with what it has. */
  gboolean (*deliver) (FdSession *session, GBytes *envelope);
  /* Ends the session from outside. The transport closes the connection and detaches the
   * session, possibly later (from its own callbacks), but never delivers anything after this. */
  void (*end) (FdSession *session, FdSessionEnd why);
} FdSessionOps;

struct _FdSession
{
  const FdSessionOps *ops;
  FdDeviceIdentity *who; /* set by the transport before attaching; the transport's reference */
  FdTransport transport;
  char *peer;          /* remote address, text; the transport's */
  gint64 connected_at; /* epoch ms, set by fd_sessions_attach() */
  gint64 last_seen;    /* epoch ms of the last message; fd_sessions_seen() */
  gboolean subscribed; /* MQTT: subscribed to its j/dn topic, so deliver() can work */
  gboolean attached;   /* private to the registry */
};

typedef struct _FdSessions FdSessions;

/* Presence changes, on the engine thread, after the registry changed (before the store write
 * has committed). @online is the device's state after the change: a device with two HTTPS
 * connections that loses one stays online and watchers are not told. */
typedef void (*FdPresenceFunc) (const FdSession *session, gboolean online, const char *reason,
                                gpointer user_data);

/* Marks every device offline in @store (synchronously: nothing is connected before this). */
FdSessions *fd_sessions_new (FdStore *store, GError **error);
/* Every session must be detached first. */
void fd_sessions_free (FdSessions *sessions);

void fd_sessions_add_watch (FdSessions *sessions, FdPresenceFunc func, gpointer user_data);
void fd_sessions_remove_watch (FdSessions *sessions, FdPresenceFunc func, gpointer user_data);

/* Attaches @session (who, transport, peer and ops set). For MQTT, a session of the same device
 * already attached is ended first with FD_SESSION_END_TAKEN_OVER and detached. Sets
 * connected_at and last_seen to now. */
void fd_sessions_attach (FdSessions *sessions, FdSession *session);
/* Detaches @session (a no-op when it is not attached). @reason (short text: "disconnected",
 * "keep-alive expired", "taken over", "revoked", "protocol error", …) goes to watchers. */
void fd_sessions_detach (FdSessions *sessions, FdSession *session, const char *reason);
/* A message arrived on @session: its last_seen is now (a clock reading, no store write). */
void fd_sessions_seen (FdSessions *sessions, FdSession *session);

/* The device's attached MQTT session, or NULL. */
FdSession *fd_sessions_lookup (FdSessions *sessions, const char *device_id);
/* Any session (MQTT or HTTPS) of the device is attached. */
gboolean fd_sessions_is_online (FdSessions *sessions, const char *device_id);
/* The last_seen of the device's newest attached session, or 0 when offline. */
gint64 fd_sessions_last_seen (FdSessions *sessions, const char *device_id);
/* Hands @envelope to the device's MQTT session when it has one that is subscribed, and to its
 * waiting long poll when it has one: TRUE when either took it. */
gboolean fd_sessions_deliver (FdSessions *sessions, const char *device_id, GBytes *envelope);
/* @session (HTTPS, attached) is the device's waiting long poll from now: a poll waiting before
 * it is told to answer (its deliver() with NULL). At most one per device. */
void fd_sessions_wait (FdSessions *sessions, FdSession *session);
/* @session waits no more (a no-op when it does not); detaching does this too. */
void fd_sessions_unwait (FdSessions *sessions, FdSession *session);
/* Ends every session of @device_id (NULL: every session) with @why: revocation and shutdown. */
void fd_sessions_end_device (FdSessions *sessions, const char *device_id, FdSessionEnd why);

/* Sessions attached now, by transport. */
guint fd_sessions_count (FdSessions *sessions, FdTransport transport);

G_END_DECLS
