/* fd-mqtt-private.h — what the MQTT server's files share: the server, its connections, the
 * packet handlers and the counters a later /metrics will read. */
#pragma once

#include "fd-mqtt-codec.h"
#include "fd-mqtt-server.h"

#include <libsoup/soup.h>

G_BEGIN_DECLS

/* The TLS handshake must be done this long after TCP accept. */
#define FD_MQTT_HANDSHAKE_S 10
/* A CONNECT is at most this long (a token is at most FD_JWT_MAX_BYTES): before a device is
 * known, nothing larger is buffered. */
#define FD_MQTT_MAX_CONNECT_BYTES (16 * 1024)
/* Down-messages waiting for inflight room, per connection; beyond, deliver() says no. */
#define FD_MQTT_MAX_QUEUED 64
/* An unacknowledged down-message is sent again (DUP) after this long; due ones are looked for
 * every FD_MQTT_RETRY_CHECK_S. */
#define FD_MQTT_RETRY_S 20
#define FD_MQTT_RETRY_CHECK_S 5
/* Readings of one connection gathered into one FdReadings. */
#define FD_MQTT_MAX_BATCH 1024
/* The batches of at most this many connections go to the store as one job (one task, one
 * callback). One job per dispatch of the poller would make the engine and the writer take
 * turns, each idle while the other works: with a few jobs per dispatch, they overlap. */
#define FD_MQTT_ROUND_CONNS 32
/* What one read takes from a socket, into the server's scratch buffer. */
#define FD_MQTT_READ_BYTES (64 * 1024)
/* How often the deadlines of every connection are looked at: one timer for all of them, not a
 * source each, which GLib's main loop would visit on every iteration. */
#define FD_MQTT_SWEEP_MS 250
/* Bytes waiting to be written to a peer that does not read: past it, the connection is closed. */
#define FD_MQTT_MAX_OUT_BYTES (4 * 1024 * 1024)

typedef struct
{
  guint64 connections;         /* TCP connections taken, WebSocket hand-overs included */
  guint64 refused_limit;       /* closed at once: over the per-address or global limit */
  guint64 handshakes_failed;   /* TLS failed */
  guint64 refused_certificate; /* client certificates fd_device_auth_certificate refused */
  guint64 connect_timeouts;    /* no CONNECT in time (TLS handshake included) */
  guint64 keepalive_timeouts;  /* silent for 1.5 x the keep-alive */
  guint64 refused_connect;     /* CONNACK with a non-zero code */
  guint64 protocol_errors;     /* a first packet that is not CONNECT, a malformed packet */
  guint64 oversized;           /* a packet over the limit */
  guint64 forbidden_topics;    /* a PUBLISH to a topic not the device's own */
  guint64 revoked;             /* sessions closed by a revocation or deletion */
  guint64 taken_over;          /* sessions ended by a newer one of the same device */
  guint64 publishes;           /* PUBLISH packets taken */
  guint64 readings;            /* readings committed */
  guint64 refused_payloads;    /* well-formed PUBLISHes whose payload was refused */
  guint64 refused_subscriptions;
  guint open;
} FdMqttServerStats;

const FdMqttServerStats *fd_mqtt_server_get_stats (FdMqttServer *server);
/* Counts a connection from @peer against the limits; FALSE (counted as refused) when over one. */
gboolean fd_mqtt_server_admit (FdMqttServer *server, const char *peer);

typedef struct _FdMqttConn FdMqttConn;
typedef struct _FdMqttPoller FdMqttPoller;
typedef struct _FdMqttWatch FdMqttWatch;

struct _FdMqttServer
{
  FdMqttConfig config; /* defaults filled in; address owned */
  FdPki *pki;
  FdDeviceAuth *auth;
  FdIngest *ingest;
  FdDeviceUp *up;
  FdSessions *sessions;
  GMainContext *context;

  GSocketService *service;
  GHashTable *conns;       /* open FdMqttConn* (owned references) */
  GHashTable *all;         /* every FdMqttConn alive, closed ones included (not owned) */
  GHashTable *per_address; /* peer address text -> count */
  gboolean shutting_down;
  gboolean watching;
  FdPayloadScanner *scanner; /* one per server: everything runs on the engine thread */
  guint8 *scratch;           /* FD_MQTT_READ_BYTES, what every read lands in */
  FdMqttPoller *poller;      /* every TLS connection's socket, once its handshake is done */
  guint round_depth;         /* > 0: data batches wait for fd_mqtt_round_end() */
  GPtrArray *round;          /* FdMqttConn* (references) whose batch waits for it */
  GSource *sweep;            /* closes connections past their deadline */
  FdMqttServerStats stats;
};

typedef enum
{
  FD_MQTT_CONN_HANDSHAKE,
  FD_MQTT_CONN_WAIT_CONNECT,
  FD_MQTT_CONN_OPEN,
  FD_MQTT_CONN_CLOSED,
} FdMqttConnState;

/* A down-message sent and not yet acknowledged, or waiting for room. */
typedef struct
{
  guint16 packet_id;
  gint64 sent_us; /* monotonic; 0 while queued */
  GBytes *payload;
} FdMqttDown;

/* Data PUBLISHes of one tag gathered for one commit. */
typedef struct
{
  FdReadings *readings; /* kept from batch to batch (its buffers reused); lent to the store */
  const char *tag;      /* NULL when nothing is gathered; else in tag_text */
  GString *tag_text;
  GArray *packet_ids; /* guint16: 0 for QoS 0 */
  GPtrArray *errors;  /* GBytes #error envelopes to send after the commit */
  guint count;        /* readings sent to the store */
} FdMqttBatch;

struct _FdMqttConn
{
  FdSession session; /* first: an FdSession* is an FdMqttConn* */
  gint ref_count;
  FdMqttServer *server;
  FdMqttConnState state;

  /* TLS transport */
  GSocketConnection *socket;
  GTlsConnection *tls;
  GSource *hello;     /* waits for the ClientHello before the handshake starts */
  FdMqttWatch *watch; /* in server->poller: input while not busy, output while blocked */
  gboolean handshaking;
  /* WebSocket transport */
  SoupWebsocketConnection *ws;

  GCancellable *cancellable;
  gint64 deadline_us; /* monotonic; CONNECT timeout, then keep-alive; 0: none */
  GSource *retry;     /* resends unacknowledged down-messages */
  char *peer;
  gboolean per_address_counted;

  FdDeviceIdentity *cert_id; /* from the TLS client certificate */
  gboolean cert_refused;
  char *dn_topic;    /* j/dn/<device> */
  char *up_topic;    /* j/up/<device> */
  char *data_prefix; /* j/data/<device>/ */
  guint keepalive_s;
  const char *close_reason; /* for fd_sessions_detach() */

  GByteArray *in;      /* bytes of packets not yet handled (a partial one, or held while busy) */
  gboolean busy;       /* waiting for the store: nothing more is handled until it answers */
  gboolean processing; /* packets are being handled: writes wait for the end of the round */
  gboolean closing;    /* closes once conn->out is written */
  gboolean attached;   /* in FdSessions */
  gboolean in_store;   /* a store callback holds a reference */
  FdMqttBatch batch;
  GByteArray *out;     /* to be written */
  GByteArray *writing; /* being written */
  gsize written;       /* of conn->writing, by TLS */

  guint16 next_packet_id;
  GQueue inflight; /* FdMqttDown*, sent */
  GQueue queued;   /* FdMqttDown*, waiting for inflight room */
};

/* fd-mqtt-session.c */
FdMqttConn *fd_mqtt_conn_new (FdMqttServer *server, FdTransport transport, char *peer);
FdMqttConn *fd_mqtt_conn_ref (FdMqttConn *conn);
void fd_mqtt_conn_unref (FdMqttConn *conn);
/* Closes at once, without a word to the peer; @reason goes to presence watchers. */
void fd_mqtt_conn_close (FdMqttConn *conn, const char *reason);
/* Bytes arrived: handles every complete packet (unless busy), keeps the rest, writes. */
void fd_mqtt_conn_feed (FdMqttConn *conn, const guint8 *data, gsize len);
/* The store answered: handle what was held back, then read again. */
void fd_mqtt_conn_resume (FdMqttConn *conn);
/* Writes what handlers put into conn->out (one write per wakeup). */
void fd_mqtt_conn_flush (FdMqttConn *conn);
/* Moves the deadline: @seconds from now, 0 for none. The server's sweep looks at it. */
void fd_mqtt_conn_arm (FdMqttConn *conn, guint seconds);
/* The deadline passed: closes, counting why. */
void fd_mqtt_conn_expire (FdMqttConn *conn);
/* Sends @envelope as a QoS 1 PUBLISH on j/dn/<device> (or queues it): FALSE when it cannot. */
gboolean fd_mqtt_conn_deliver (FdMqttConn *conn, GBytes *envelope);
/* Closes once what is in conn->out has been written (a refusing CONNACK). */
void fd_mqtt_conn_finish (FdMqttConn *conn, const char *reason);
/* The device is authenticated: sets its topics, state OPEN, attaches it to FdSessions. */
void fd_mqtt_conn_attach (FdMqttConn *conn);
/* Counts the error and closes. */
void fd_mqtt_conn_protocol_error (FdMqttConn *conn, const char *what);
/* The transport's part, set by fd-mqtt-tls.c and fd-mqtt-ws.c. */
void fd_mqtt_conn_start_reading (FdMqttConn *conn);
void fd_mqtt_conn_write (FdMqttConn *conn);

/* fd-mqtt-tls.c */
void fd_mqtt_tls_take (FdMqttServer *server, GSocketConnection *connection, char *peer);
void fd_mqtt_tls_unwatch (FdMqttConn *conn);

/* Packet handlers. Each returns FALSE when the connection was closed. */
gboolean fd_mqtt_handle_connect (FdMqttConn *conn, const FdMqttPacket *packet);
gboolean fd_mqtt_handle_publish (FdMqttConn *conn, const FdMqttPacket *packet);
gboolean fd_mqtt_handle_puback (FdMqttConn *conn, const FdMqttPacket *packet);
gboolean fd_mqtt_handle_subscribe (FdMqttConn *conn, const FdMqttPacket *packet);
gboolean fd_mqtt_handle_unsubscribe (FdMqttConn *conn, const FdMqttPacket *packet);
gboolean fd_mqtt_handle_pingreq (FdMqttConn *conn, const FdMqttPacket *packet);
gboolean fd_mqtt_handle_disconnect (FdMqttConn *conn, const FdMqttPacket *packet);
/* fd-mqtt-publish.c: submits what fd_mqtt_handle_publish() gathered (sets conn->busy); within
 * a round, it waits for the round's end, which sends every connection's batch as one job. */
void fd_mqtt_batch_submit (FdMqttConn *conn);
void fd_mqtt_round_begin (FdMqttServer *server);
void fd_mqtt_round_end (FdMqttServer *server);
void fd_mqtt_batch_clear (FdMqttBatch *batch);
/* TRUE when @packet is a data PUBLISH that can join the batch being gathered. */
gboolean fd_mqtt_publish_joins_batch (FdMqttConn *conn, const FdMqttPacket *packet);

/* fd-mqtt-ws.c */
void fd_mqtt_ws_write (FdMqttConn *conn);
void fd_mqtt_ws_close (FdMqttConn *conn);

G_END_DECLS
