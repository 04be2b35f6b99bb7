/* fd-api-private.h — what the API's files share: requests, routes, replies, job data. */
#pragma once

#include <json-glib/json-glib.h>
#include <libsoup/soup.h>

#include "device/fd-device-sessions.h"
#include "events/fd-events.h"
#include "fd-api.h"
#include "store/fd-store-entities.h"
#include "store/fd-store-firmware.h"
#include "store/fd-store-provision.h"

G_BEGIN_DECLS

typedef struct _FdApiRequest FdApiRequest;
typedef struct _FdApiContext FdApiContext;
typedef void (*FdApiHandler) (FdApiRequest *req);

typedef struct
{
  const char *method;
  const char *pattern; /* below /api/v1; "{id}", then "{cid}" or "{tag}", match one segment */
  FdApiHandler handler;
  gboolean public; /* no token needed */
  gsize max_body;  /* 0: FD_API_MAX_BODY */
} FdApiRoute;

struct _FdApiContext
{
  FdDownlink *downlink;
  FdPki *pki;
  FdDeviceAuth *auth;
  char *public_host;
  guint device_port;
  guint mqtt_port;
  /* live state (fd_api_set_live), NULL in tests that run the API alone */
  FdEvents *events;
  FdSessions *sessions;
  FdExports *exports;     /* NULL in tests that run the API alone */
  FdRetention *retention; /* NULL in tests that run the API alone */
  FdJobs *jobs;           /* NULL in tests that run the API alone */
  FdFirmware *firmware;   /* NULL in tests that run the API alone */
  FdOta *ota;             /* campaigns; NULL in tests that run the API alone */
  FdIntegrations *integrations; /* delivery workers; NULL in tests that run the API alone */
  FdAlerts *alerts;             /* alert rules ticker; NULL likewise */
};

typedef struct _FdApiEventStream FdApiEventStream;

struct _FdApi
{
  FdStore *store;
  FdApiContext context;
  FdDb *auth_db; /* read-only, used on the engine thread only */
  char *local_token;
  SoupServer *server;
  guint port;
  guint in_flight;
  guint workers; /* fd_api_run_worker() jobs not yet answered: shutdown waits for them */
  gboolean shutting_down;
  GHashTable *token_touched; /* token id -> last time (ms) last_used_at was written */
  GHashTable *event_streams; /* FdApiEventStream*: the open /events WebSockets */
};

typedef struct
{
  char *key;
  char *value;
} FdApiParam;

struct _FdApiRequest
{
  FdApi *api;
  SoupServerMessage *msg;
  GPtrArray *params;         /* FdApiParam*: the query string, in order, repeated keys kept */
  char *path_id;             /* the {id} segment, if the route has one (percent-decoded) */
  char *path_sub;            /* the second placeholder's segment ({cid}, {tag}), decoded */
  gsize max_body;            /* the route's body limit */
  char *actor;               /* who is asking, for the audit log */
  char *token_id;            /* the stored token it came with; NULL for the local app's */
  const char *invalid_field; /* the field an FD_STORE_ERROR_INVALID is about */
};

/* The data a store job works on: handlers fill in what their job needs. */
typedef struct
{
  char *actor;
  char *id;
  char *name;
  char *description;
  char *fleet_id;
  gboolean force;
  /* lists */
  char *search;
  char **fleets;
  int sort;
  char *action;
  char *target;
  gint64 from;
  gint64 size;
  int online; /* device list: -1 any, 0 or 1 */
  FdPage page;
  /* tokens */
  char *secret;
  char *secret_hash;
  /* what one resource family needs beyond the above */
  gpointer data;
  GDestroyNotify data_free;
  /* the outcome */
  gpointer result;
  GDestroyNotify result_free;
  FdFirmware *firmware; /* the API's (signing keys made on demand in a job), or NULL */
} FdApiJob;

FdApiJob *fd_api_job_new (FdApiRequest *req);
void fd_api_job_free (FdApiJob *job);

/* Route tables, one per resource family. */
extern const FdApiRoute fd_api_workspace_routes[];
extern const FdApiRoute fd_api_device_routes[];
extern const FdApiRoute fd_api_admin_routes[];
extern const FdApiRoute fd_api_credential_routes[];
extern const FdApiRoute fd_api_data_routes[];
extern const FdApiRoute fd_api_import_routes[];
extern const FdApiRoute fd_api_condition_routes[];
extern const FdApiRoute fd_api_event_routes[];
extern const FdApiRoute fd_api_export_routes[];
extern const FdApiRoute fd_api_export_schedule_routes[];
extern const FdApiRoute fd_api_query_routes[];
extern const FdApiRoute fd_api_job_routes[];
extern const FdApiRoute fd_api_firmware_routes[];

/* fd-api-server.c: the token check of a request (replies 401 and returns FALSE when it is not
 * good), and the refusal of a body over @limit from its headers (413 with @code, set on @msg;
 * TRUE when refused). The message names @shown_limit: what the person may send (a firmware
 * form's body may be a little larger than its file). */
gboolean fd_api_authenticate (FdApiRequest *req);
gboolean fd_api_body_refused (SoupServerMessage *msg, gsize limit, gsize shown_limit,
                              const char *code);
/* fd-api-firmware.c, in a store job: *@out = the signing key of @device_id's workspace, made
 * when it has none (on the writer). *@out stays NULL when @fw is NULL. */
gboolean fd_api_firmware_device_key (FdFirmware *fw, FdDb *db, const char *device_id,
                                     FdSigningKey **out, GError **error);
/* Sets "firmware_key": {"algorithm", "public_key"} (null without a key) on @obj. */
void fd_api_firmware_key_member (JsonObject *obj, const FdSigningKey *k);
/* fd-api-firmware-upload.c: TRUE when @route is the firmware upload, whose body it then takes
 * as it arrives (called from the request's got-headers). */
gboolean fd_api_firmware_got_headers (FdApi *api, SoupServerMessage *msg, const FdApiRoute *route);
extern const FdApiRoute fd_api_variable_routes[];
extern const FdApiRoute fd_api_campaign_routes[];
extern const FdApiRoute fd_api_integration_routes[];
extern const FdApiRoute fd_api_alert_routes[];

/* GET /metrics (fd-api-metrics.c), at the root: routed by fd-api-server.c itself. */
void fd_api_metrics (FdApiRequest *req);

/* POST /server/retention (fd-api-retention.c), routed with /server in fd-api-data.c. */
void fd_api_retention_run (FdApiRequest *req);

/* The events WebSockets (fd-api-events.c): set up, closed at shutdown, freed. */
void fd_api_events_init (FdApi *api);
void fd_api_events_shutdown (FdApi *api);
void fd_api_events_free (FdApi *api);
/* Closes the streams opened with token @token_id: it was revoked. */
void fd_api_events_token_revoked (FdApi *api, const char *token_id);

/* Replies. Each ends the request: it must be the last thing a handler or callback does. */
void fd_api_reply_json (FdApiRequest *req, guint status, JsonNode *node);
void fd_api_reply_empty (FdApiRequest *req, guint status);
/* A body that is not JSON (an export file, mapped: never copied into memory). */
void fd_api_reply_bytes (FdApiRequest *req, guint status, const char *content_type, GBytes *body);
/* Replies with JSON text the handler wrote itself (@text taken): large answers built without a
 * tree. */
void fd_api_reply_json_text (FdApiRequest *req, guint status, char *text, gsize len);
/* Ends the request without an answer of ours: the handler set the status itself (the
 * WebSocket handshake's 101). */
void fd_api_request_done (FdApiRequest *req);
void fd_api_reply_error (FdApiRequest *req, guint status, const char *code, const char *field,
                         const char *format, ...) G_GNUC_PRINTF (5, 6);
/* Maps a store (or other engine) error to its status and code. */
void fd_api_reply_gerror (FdApiRequest *req, const GError *error);

/* Runs @func on the writer / a reader, then @reply with the job (on success) or an error reply.
 * The request is paused meanwhile; the job is freed afterwards. */
typedef void (*FdApiReplyFunc) (FdApiRequest *req, FdApiJob *job);
void fd_api_run_write (FdApiRequest *req, FdStoreFunc func, FdApiJob *job, FdApiReplyFunc reply);
void fd_api_run_read (FdApiRequest *req, FdStoreFunc func, FdApiJob *job, FdApiReplyFunc reply);
/* A GET of one page of a list under the path's {id}: only "from" and "size" as parameters, the
 * id checked with @prefix (fd_api_path_id, naming @what), then @func reads the page into
 * job->page (job->id, from and size set) and @reply answers. */
void fd_api_run_page (FdApiRequest *req, const char *prefix, const char *what, FdStoreFunc func,
                      FdApiReplyFunc reply);

/* Runs @func on a worker thread (long work: parsing a big file, issuing many certificates;
 * it may use fd_store_read_sync / fd_store_write_sync), then @reply or an error reply. */
typedef gboolean (*FdApiWorkerFunc) (FdApiJob *job, GError **error);
void fd_api_run_worker (FdApiRequest *req, FdApiWorkerFunc func, FdApiJob *job,
                        FdApiReplyFunc reply);

/* For a handler that waits on something other than a store job: pauses the request and counts
 * it in flight (shutdown waits for it). Its callback replies, then calls fd_api_resume() with
 * the message this returned. */
SoupServerMessage *fd_api_pause (FdApiRequest *req);
void fd_api_resume (SoupServerMessage *msg);

/* Query parameters: fails (replying 400 invalid_parameter) on any key not in @allowed. */
gboolean fd_api_check_params (FdApiRequest *req, const char *const *allowed);
/* The single value of @key (NULL when absent); a repeated key is a 400 unless fetched as all. */
gboolean fd_api_param (FdApiRequest *req, const char *key, const char **value);
char **fd_api_param_all (FdApiRequest *req, const char *key);
/* The repeatable tag, device and fleet parameters of a data selection (conditions, data
 * queries), every value checked; a list is NULL when its key is absent. Replies 400
 * invalid_parameter naming the key and returns FALSE at the first bad value. */
gboolean fd_api_param_selection_lists (FdApiRequest *req, char ***tags, char ***devices,
                                       char ***fleets);
/* An integer parameter in [@min, @max] (min >= 0); *@value untouched when absent. */
gboolean fd_api_param_int (FdApiRequest *req, const char *key, gint64 min, gint64 max,
                           gint64 *value);
/* Keeps items [@from, @from + @size) of a list the store returned whole (short lists: a
 * device's credentials and tags); total stays the count of all of them. */
void fd_api_page_slice (FdPage *page, gint64 from, gint64 size);
/* Standard list parameters; reply 400 and return FALSE when invalid. */
gboolean fd_api_param_paging (FdApiRequest *req, gint64 *from, gint64 *size);
gboolean fd_api_param_search (FdApiRequest *req, char **search);
gboolean fd_api_param_bool (FdApiRequest *req, const char *key, gboolean *value);

/* The body as a JSON object, or a 400 reply and NULL. */
JsonObject *fd_api_body_object (FdApiRequest *req, JsonNode **owner);
/* A member that must be a string of 1..@max characters after trimming, without control
 * characters; @required decides whether absence is an error. On error replies 400 and returns
 * FALSE. *@out is NULL when absent. */
gboolean fd_api_body_name (FdApiRequest *req, JsonObject *obj, const char *member,
                           gboolean required, guint max, char **out);
/* A member that must be an ID with @prefix when present. */
gboolean fd_api_body_id (FdApiRequest *req, JsonObject *obj, const char *member, const char *prefix,
                         gboolean required, char **out);
/* An integer member in [@min, @max]; *@value untouched when absent. */
gboolean fd_api_body_int (FdApiRequest *req, JsonObject *obj, const char *member, gint64 min,
                          gint64 max, gint64 *value);
/* A member that must be an array of at most @max IDs with @prefix; *@out is NULL when absent or
 * null. Replies nothing: on a bad value returns FALSE with *@bad the index of the first element
 * that is no such ID, -1 when the member is no array or longer than @max, and the caller words
 * the 400 (jobs and campaigns word theirs differently). */
gboolean fd_api_body_ids (JsonObject *obj, const char *member, const char *prefix, guint max,
                          char ***out, int *bad);
/* Replies 400 naming the first member of @obj not in @allowed. */
gboolean fd_api_body_check_members (FdApiRequest *req, JsonObject *obj, const char *const *allowed);
/* Replies 404 unless the path {id} has @prefix and the ID shape; the message names @what. */
gboolean fd_api_path_id (FdApiRequest *req, const char *prefix, const char *what);

/* JSON of the records (fd-api-json.c). */
void fd_api_json_workspace (JsonBuilder *b, const FdWorkspace *w);
void fd_api_json_fleet (JsonBuilder *b, const FdFleet *f);
void fd_api_json_device (JsonBuilder *b, const FdDevice *d);
/* Sets @d's "online" and "last_seen" from the live sessions (the stored row lags behind). */
void fd_api_device_live (FdApi *api, FdDevice *d);
void fd_api_json_token (JsonBuilder *b, const FdToken *t, const char *secret);
void fd_api_json_audit (JsonBuilder *b, const FdAuditEntry *e);
void fd_api_json_time (JsonBuilder *b, const char *member, gint64 ms);
/* "member": value (a NULL string is JSON null). */
void fd_api_json_string (JsonBuilder *b, const char *member, const char *value);
void fd_api_json_int (JsonBuilder *b, const char *member, gint64 value);
/* "member": the JSON text @json parsed (null when NULL or not JSON). */
void fd_api_json_raw (JsonBuilder *b, const char *member, const char *json);
void fd_api_json_bool (JsonBuilder *b, const char *member, gboolean value);
/* "member": [the strings of @strv] (an empty array when NULL). */
void fd_api_json_strv (JsonBuilder *b, const char *member, char *const *strv);
typedef void (*FdApiJsonFunc) (JsonBuilder *b, gconstpointer record);
JsonNode *fd_api_json_page (const FdPage *page, FdApiJsonFunc func);
JsonNode *fd_api_json_one (gconstpointer record, FdApiJsonFunc func);

/* Provisioning JSON (fd-api-provision-json.c). */
void fd_api_json_credential (JsonBuilder *b, const FdCredential *c);
/* The zdevice.json object of @c (docs/protocol.md); @prvkey "" when not to be shown. */
JsonNode *fd_api_zdevice (FdApi *api, const FdCredential *c, const char *prvkey);
/* The "endpoint" object of zdevice.json. */
void fd_api_json_endpoint (JsonBuilder *b, FdApi *api);
/* "expires": an RFC 3339 time in the future, or a 400 naming the field. *@ms is 0 when absent. */
gboolean fd_api_body_future_time (FdApiRequest *req, JsonObject *obj, const char *member,
                                  gint64 *ms);
/* A string member holding PEM text of at most FD_PKI_MAX_PEM_BYTES. */
gboolean fd_api_body_pem (FdApiRequest *req, JsonObject *obj, const char *member, gboolean required,
                          const char **out);

/* The audit entry for a change, written in the same transaction as the change. */
gboolean fd_api_audit (FdDb *db, FdApiJob *job, const char *action, const char *target,
                       GError **error, ...) G_GNUC_NULL_TERMINATED;

G_END_DECLS
