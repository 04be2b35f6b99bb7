/* fd-device-private.h — what the device endpoint's files share: the server, its connections,
 * their replies, and the counters a later /metrics will read. */
#pragma once

#include "fd-device-http.h"
#include "fd-device-server.h"
#include "fd-device-sessions.h"
#include "fd-rate-limit.h"
#include "ota/fd-firmware.h"

G_BEGIN_DECLS

/* Concurrent connections: beyond either limit a new connection is closed at once. */
#define FD_DEVICE_MAX_CONNS_PER_ADDRESS 64
#define FD_DEVICE_MAX_CONNS 4096
/* Deadlines, seconds. */
#define FD_DEVICE_HANDSHAKE_S 10
#define FD_DEVICE_REQUEST_S 30 /* a request's head and body, from its first byte */
#define FD_DEVICE_WRITE_S 30   /* an answer, to be taken by the peer */
#define FD_DEVICE_LINGER_S 2   /* reading what a peer still sends after our last answer */
/* A request refused from its head keeps the connection when its body is at most this long (it
 * is read and dropped); a longer body is not waited for: the answer closes the connection. */
#define FD_DEVICE_DISCARD_BYTES (64 * 1024)

typedef struct
{
  guint64 connections;         /* TCP connections taken */
  guint64 refused_limit;       /* closed at once: over the per-address or global limit */
  guint64 handshakes_failed;   /* TLS failed, an unknown certificate included */
  guint64 refused_certificate; /* client certificates fd_device_auth_certificate refused */
  guint64 timeouts;            /* handshake, request, idle or write deadline passed */
  guint64 revoked;             /* connections closed by a revocation or deletion */
  guint64 requests;            /* answered requests */
  guint64 responses[6];        /* by status class: [1] 1xx … [5] 5xx */
  guint open;                  /* connections open now */
} FdDeviceServerStats;

const FdDeviceServerStats *fd_device_server_get_stats (FdDeviceServer *server);

typedef struct _FdDeviceConn FdDeviceConn;
/* A file an answer's body is sent from (fd-device-firmware.c). */
typedef struct _FdDeviceFile FdDeviceFile;

struct _FdDeviceServer
{
  char *address;
  guint port;
  gsize max_payload;
  guint idle_timeout_s;
  FdPki *pki;
  FdDeviceAuth *auth;
  FdIngest *ingest;
  FdDeviceUp *up;
  FdStore *store;
  FdSessions *sessions; /* NULL: presence is not kept (tests of the endpoint alone) */
  FdMqttServer *mqtt;   /* takes the WebSocket connections of GET /mqtt; may be NULL */
  GMainContext *context;

  GSocketService *service;
  GHashTable *conns;       /* open FdDeviceConn* (owned references) */
  GHashTable *all;         /* every FdDeviceConn alive, closed ones included (not owned) */
  GHashTable *per_address; /* peer address text -> count */
  guint n_busy;            /* requests being handled or answered */
  gboolean shutting_down;
  gboolean watching;
  FdRateLimit *rate;
  FdPayloadScanner *scanner; /* one per server: everything runs on the engine thread */
  GArray *batch;             /* FdBatchItem, reused */
  FdDeviceServerStats stats;
  FdFirmware *firmware; /* GET /v1/firmware/{id}; NULL: 404 */
};

struct _FdDeviceConn
{
  gint ref_count;
  FdDeviceServer *server; /* NULL once closed */
  GSocketConnection *socket;
  GTlsConnection *tls;
  GCancellable *cancellable;
  char *peer;
  FdHttpParser *parser;
  GSource *deadline;
  GSource *hello; /* waits for the client's first bytes before the handshake starts */
  int state;

  FdDeviceIdentity *cert_id;   /* from the handshake: the connection's for good */
  FdDeviceIdentity *bearer_id; /* the last bearer's, with its token text */
  char *bearer_token;
  FdDeviceIdentity *who;      /* the current request's device */
  GBytes *refusal;            /* an answer decided from the head, sent once the body is read */
  GBytes *out;                /* the answer being written */
  const FdHttpRequest *req;   /* the current request, from its head on */
  int route;                  /* fd-device-routes.c's, for the current request */
  char *tag;                  /* the decoded {tag} of a data request, {id} of a firmware one */
  FdDeviceFile *file;         /* the rest of the answer's body, sent after conn->out */
  guint accepted;             /* readings of the request waiting for the store */
  gint64 request_deadline_us; /* 30 s from the request's first byte */
  gboolean in_request;        /* a byte of the next request has arrived */
  gboolean handshaking;       /* the TLS handshake (a worker thread) is running */
  gboolean busy;              /* counted in server->n_busy */
  gboolean writing_continue;  /* the answer being written is 100 Continue */
  gboolean in_store;          /* a store callback holds a reference */
  gsize linger_left;
  gboolean close_after;
  gboolean continue_sent;
  gboolean upgrading;   /* the answer being written is 101: the connection goes to MQTT */
  gboolean handed_over; /* its TLS stream belongs to the MQTT server now */
  FdSession session;    /* presence: attached from the first authenticated request on */
  /* GET /v1/dn (fd-device-poll.c) */
  gboolean polling;      /* a poll is being answered or waits */
  gboolean poll_reading; /* its store read runs: deliveries are kept in poll_got */
  gboolean poll_now;     /* answer when the read returns, even with nothing */
  gint64 poll_since;
  guint poll_wait_s;
  GPtrArray *poll_got; /* GBytes envelopes delivered while reading */
  GSource *poll_timer;
};

/* fd-device-conn.c. Takes @tls (and @peer) over and starts its handshake; @per_address is how
 * many connections @peer had before this one. */
void fd_device_conn_start (FdDeviceServer *server, GSocketConnection *connection,
                           GTlsConnection *tls, char *peer, guint per_address);
/* The connection's device is known (conn->who): it counts as online until the connection ends. */
void fd_device_conn_present (FdDeviceConn *conn);
/* Closes at once, without a word to the peer. */
void fd_device_conn_close (FdDeviceConn *conn);
/* Sends @answer (101 Switching Protocols to a WebSocket handshake at /mqtt); once it is written,
 * the TLS stream is handed to the MQTT server and this connection ends. */
void fd_device_conn_switch_to_mqtt (FdDeviceConn *conn, GBytes *answer);
FdDeviceConn *fd_device_conn_ref (FdDeviceConn *conn);
void fd_device_conn_unref (FdDeviceConn *conn);
/* A reference for a store operation's callback, which cannot be cancelled: it must clear
 * conn->in_store when it runs. */
FdDeviceConn *fd_device_conn_hold_for_store (FdDeviceConn *conn);
/* TRUE when the connection was closed meanwhile (a late store callback): drop the result. */
gboolean fd_device_conn_is_closed (FdDeviceConn *conn);

/* Ends the current request with an answer; @close also closes the connection after it. */
void fd_device_reply_json (FdDeviceConn *conn, guint status, const char *body, gboolean close);
void fd_device_reply_error (FdDeviceConn *conn, guint status, const char *code, gboolean close,
                            const char *format, ...) G_GNUC_PRINTF (5, 6);
/* Answers 401 unauthorized and closes. */
void fd_device_reply_unauthorized (FdDeviceConn *conn, const char *format, ...)
    G_GNUC_PRINTF (2, 3);
/* Refuses the request whose head was just read, with an optional @extra header line. Unless
 * @close, a body still to come is read and dropped first when it is short (at most
 * FD_DEVICE_DISCARD_BYTES, no 100-continue pending), so the connection stays usable; otherwise
 * the answer goes now and closes. Returns FALSE, for fd_device_routes_head() to return. */
gboolean fd_device_refuse (FdDeviceConn *conn, guint status, const char *code, const char *extra,
                           gboolean close, const char *format, ...) G_GNUC_PRINTF (6, 7);

/* Sends @head (counted as @status), then the body from @file (taken; NULL: none) piece by
 * piece, each written before the next is read. */
void fd_device_reply_file (FdDeviceConn *conn, guint status, GBytes *head, FdDeviceFile *file,
                           gboolean close);

/* fd-device-firmware.c: GET (and HEAD) /v1/firmware/{id}, the id in conn->tag. */
void fd_device_firmware_handle (FdDeviceConn *conn, const FdHttpRequest *req);
/* The next piece of @file, or NULL at its end (*@failed when reading failed). */
GBytes *fd_device_file_next (FdDeviceFile *file, gboolean *failed);
void fd_device_file_free (FdDeviceFile *file);

/* fd-device-upgrade.c: GET /mqtt. Judges the WebSocket handshake from its head (as
 * fd_device_routes_head() does), then answers 101 and hands the connection over. */
gboolean fd_device_upgrade_head (FdDeviceConn *conn, const FdHttpRequest *req);
void fd_device_upgrade_handle (FdDeviceConn *conn, const FdHttpRequest *req);
/* The 101 is written (fd-device-conn.c's write_done): the stream goes to the MQTT server. */
void fd_device_upgrade_hand_over (FdDeviceConn *conn);

/* fd-device-poll.c: GET /v1/dn?since=T&wait=S, the HTTPS devices' down channel. */
#define FD_DEVICE_POLL_MAX_WAIT_S 30
void fd_device_poll_handle (FdDeviceConn *conn, const FdHttpRequest *req);
/* The session's deliver(): a waiting poll answers with @envelope (NULL: with what it has). */
gboolean fd_device_poll_deliver (FdSession *session, GBytes *envelope);
/* The waiting poll of @conn (if any) answers now with what it has ([] mostly): shutdown. */
void fd_device_poll_release (FdDeviceConn *conn);
/* The connection closes: the poll waits no more. */
void fd_device_poll_clear (FdDeviceConn *conn);

/* fd-device-routes.c. Judges a request from its head: TRUE to read its body and go on; FALSE
 * when it was refused (an answer is on its way, or set in conn->refusal to follow the body). */
gboolean fd_device_routes_head (FdDeviceConn *conn, const FdHttpRequest *req);
/* Handles a request whose body is here; answers it, now or from a store callback. */
void fd_device_routes_handle (FdDeviceConn *conn, const FdHttpRequest *req);

G_END_DECLS
