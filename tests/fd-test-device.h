/* fd-test-device.h — what the device endpoint tests share: a real fleetdesk-server with its CA,
 * devices made through the operator API, curl, and a GIO TLS client that sends exactly the bytes
 * a test needs (pipelining, hang-ups, idle connections). */
#pragma once

#include "fd-test-server.h"

#include <gio/gio.h>

G_BEGIN_DECLS

typedef struct
{
  char *id;
  char *workspace_id;
  char *credential_id;
  char *cert; /* PEM files, certificate credentials only */
  char *key;
  char *secret; /* key credentials only */
  gint64 key_id;
} FdTdDevice;

typedef struct
{
  FdTestServer *srv;
  guint port;
  char *dir; /* PEM files */
  char *ca;
  GTlsDatabase *ca_db;
  char *workspace;
} FdTdServer;

typedef struct
{
  GSocketConnection *tcp;
  GIOStream *tls;
  GString *in;
  GError *error; /* of the last read */
} FdTdRaw;

typedef struct
{
  guint status;
  char *head;
  char *body;
} FdTdResponse;

/* A server with @args (NULL-terminated), its CA, a directory for PEM files and a workspace. */
FdTdServer *fd_td_server_start (const char *const *args);
void fd_td_server_stop (FdTdServer *s);
/* The same around a server started elsewhere (the CLI tests' one), with a workspace
 * @workspace_name; unwrap frees what wrap made and leaves the server running. */
FdTdServer *fd_td_server_wrap (FdTestServer *srv, const char *workspace_name);
void fd_td_server_unwrap (FdTdServer *s);

/* A device with a generated certificate (PEM files written), or a key: @mode "device_token"
 * (JWTs) or "cloud_token". */
FdTdDevice *fd_td_cert_device (FdTdServer *s, const char *name);
FdTdDevice *fd_td_key_device (FdTdServer *s, const char *name, const char *mode);
void fd_td_device_free (FdTdDevice *d);
JsonNode *fd_td_make_credential (FdTdServer *s, const char *device_id, const char *body);
/* Revokes @d's credential through the API. */
void fd_td_revoke (FdTdServer *s, const FdTdDevice *d);
/* An HS256 JWT as a device makes it (docs/protocol.md), with its own HMAC code. */
char *fd_td_jwt (const FdTdDevice *d, gint64 exp_s);
char *fd_td_base64url (const guint8 *data, gsize len);

/* https://localhost:PORT@path */
char *fd_td_url (FdTdServer *s, const char *path);
/* Runs curl -sS --cacert CA @args; returns its exit status, *@out and *@err. */
int fd_td_curl (FdTdServer *s, const char *const *args, char **out, char **err);

GSocketConnection *fd_td_tcp_connect (FdTdServer *s);
GSocketConnection *fd_td_tcp_connect_port (guint port);
/* Connects with @d's certificate (NULL, or a key device: none). NULL when the handshake fails. */
FdTdRaw *fd_td_raw_open (FdTdServer *s, const FdTdDevice *d, GError **error);
/* The same on another port of the server (MQTT). */
FdTdRaw *fd_td_raw_open_port (FdTdServer *s, guint port, const FdTdDevice *d, GError **error);
void fd_td_raw_free (FdTdRaw *r);
void fd_td_raw_send (FdTdRaw *r, const char *text);
gboolean fd_td_raw_fill (FdTdRaw *r);
/* Reads one response; FALSE when the connection ended first. */
gboolean fd_td_raw_response (FdTdRaw *r, FdTdResponse *resp);
void fd_td_response_clear (FdTdResponse *resp);
/* TRUE when the server ends the connection (EOF, reset, TLS alert) without answering, before
 * the client's 10 s socket timeout. */
gboolean fd_td_closed_by_server (FdTdRaw *r);
/* TRUE when a handshake with @d's certificate is refused. */
gboolean fd_td_handshake_refused (FdTdServer *s, const FdTdDevice *d);

/* The exact header line @line ("Allow: POST") is in @resp. */
gboolean fd_td_has_header (const FdTdResponse *resp, const char *line);
/* The error code of @resp's JSON body; *@keep owns the parsed body. */
const char *fd_td_error_code (const FdTdResponse *resp, JsonNode **keep);
/* "METHOD PATH HTTP/1.1" with Host, @extra header lines, a Content-Length and @body. */
char *fd_td_request (const char *method, const char *path, const char *extra, const char *body);
guint fd_td_count_fds (GPid pid);
/* POST /v1/up @body on @r's kept-alive connection; fails the test unless it is answered
 * @expected. */
void fd_td_raw_up (FdTdRaw *r, const char *body, guint expected);
/* The same for POST @path (a device's /v1/data/TAG …). */
void fd_td_raw_post (FdTdRaw *r, const char *path, const char *body, guint expected);

/* The engine tests' devices: @n certificate devices dev-0, dev-1 …, and each one's kept-alive
 * connection to the device port (opened again after a restart by fd_td_raw_connect_all). */
void fd_td_cert_devices (FdTdServer *s, FdTdDevice **devices, guint n);
void fd_td_raw_connect_all (FdTdServer *s, FdTdDevice *const *devices, FdTdRaw **conns, guint n);
void fd_td_devices_free (FdTdDevice **devices, FdTdRaw **conns, guint n);
/* Readings @first .. @first + @count - 1 of each of the @n devices to /v1/data/env, payload
 * {"d": device, "i": index@extra} (@extra: more members, ", \"s\": …", or ""), an hour ago
 * on, posted @per_post at a time, devices taking turns. */
void fd_td_ingest_env (FdTdRaw *const *conns, guint n, guint first, guint count, guint per_post,
                       const char *extra);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (FdTdDevice, fd_td_device_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (FdTdRaw, fd_td_raw_free)
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (FdTdResponse, fd_td_response_clear)

G_END_DECLS
