/* fd-engine.h — the Fleetdesk engine: store, operator API and (later) device transports.
 *
 * The engine runs on the thread-default GMainContext of the thread that starts it. The desktop
 * app uses FdEngineThread (fd-engine-thread.h) to run it on a thread of its own.
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define FD_ENGINE_DEFAULT_API_PORT 7080
#define FD_ENGINE_DEFAULT_DEVICE_PORT 7443
#define FD_ENGINE_DEFAULT_MQTT_PORT 8883

typedef struct
{
  char *data_dir;       /* NULL: $XDG_DATA_HOME/fleetdesk */
  char *api_address;    /* NULL: 127.0.0.1 */
  int api_port;         /* -1: FD_ENGINE_DEFAULT_API_PORT; 0: any free port */
  int device_port;      /* HTTPS device endpoint; -1: FD_ENGINE_DEFAULT_DEVICE_PORT; 0: any free */
  int mqtt_port;        /* MQTT over TLS; -1: FD_ENGINE_DEFAULT_MQTT_PORT; 0: any free port */
  char *device_address; /* NULL: every interface */
  char **public_names;  /* NULL-terminated; names devices use to reach this server */
  gsize max_payload_bytes;          /* 0: 64 KiB */
  int device_rate;                  /* requests per device per second; -1: default; 0: unlimited */
  guint device_idle_timeout_s;      /* an idle device connection is closed after it; 0: 60 s */
  gboolean device_port_fallback;    /* the device port is taken: use any free one (the app) */
  gsize mqtt_max_packet;            /* largest MQTT packet, bytes; 0: 256 KiB */
  guint mqtt_inflight;              /* unacknowledged down-messages per session; 0: 20 */
  guint mqtt_max_conns_per_address; /* 0: 2048 */
  guint mqtt_connect_timeout_s;     /* TCP accept to CONNECT; 0: 10 s */
  guint mqtt_max_topic_chars;       /* longest topic; 0: 256 */
  gboolean quiet;                   /* no start-up messages on stdout */
  char *test_clock_offset_file;     /* tests: the exports' clock runs this file's ms ahead */
  guint compact_rows;               /* commits with points before compaction; 0: 256 */
  guint compact_points;             /* points (and unindexed samples) before it; 0: 200,000 */
  guint export_max_rows_per_second; /* each export's raw rows; 0: unlimited */
  gsize firmware_max_bytes;         /* largest firmware upload; 0: 64 MiB (at most 1 GiB) */
  guint ota_tick_ms;                /* campaigns are evaluated this often; 0: 1000 */
  guint integration_backoff_ms;     /* first retry delay of a failed delivery; 0: 1000 */
  guint integration_backoff_max_ms; /* cap of that delay; 0: 300,000 */
  guint alert_tick_ms;              /* open conditions are checked for alerts this often; 0: 5000 */
} FdEngineConfig;

#define FD_TYPE_ENGINE (fd_engine_get_type ())
G_DECLARE_FINAL_TYPE (FdEngine, fd_engine, FD, ENGINE, GObject)

/* Makes the data directory (mode 0700), takes its lock, opens and migrates the store, and makes
 * the admin token on first start. Fails with a readable message when another process holds the
 * data directory. */
FdEngine *fd_engine_new (const FdEngineConfig *config, GError **error);

/* Starts listening on the API address and port (on the thread-default main context). */
gboolean fd_engine_start (FdEngine *self, GError **error);

/* Stops accepting requests, lets in-flight ones finish, then closes the store. Idempotent. */
void fd_engine_shutdown (FdEngine *self);

const char *fd_engine_get_data_dir (FdEngine *self);
guint fd_engine_get_api_port (FdEngine *self);
guint fd_engine_get_device_port (FdEngine *self);
guint fd_engine_get_mqtt_port (FdEngine *self);
/* "http://127.0.0.1:PORT" — the base URL without /api/v1. */
char *fd_engine_dup_api_url (FdEngine *self);
/* A token valid only for this run of the engine, never written to disk: the desktop app's. */
const char *fd_engine_get_local_token (FdEngine *self);

/* The default data directory: $XDG_DATA_HOME/fleetdesk. */
char *fd_engine_default_data_dir (void);

G_END_DECLS
