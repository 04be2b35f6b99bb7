/* fd-engine.c — the engine: data directory, lock, store, admin token, operator API and the
 * HTTPS device endpoint. */
#include "config.h"

#include "fd-engine.h"
#include "api/fd-api.h"
#include "conditions/fd-conditions.h"
#include "device/fd-device-auth.h"
#include "device/fd-device-server.h"
#include "device/fd-mqtt-server.h"
#include "device/fd-device-sessions.h"
#include "device/fd-device-up.h"
#include "device/fd-downlink.h"
#include "events/fd-events.h"
#include "export/fd-export.h"
#include "fd-engine-events.h"
#include "fd-util.h"
#include "ingest/fd-ingest.h"
#include "integrations/fd-integrations.h"
#include "integrations/fd-alerts.h"
#include "jobs/fd-jobs.h"
#include "ota/fd-ota.h"
#include "pki/fd-pki.h"
#include "ota/fd-firmware.h"
#include "retention/fd-retention.h"
#include "store/fd-store-entities.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <sys/file.h>
#include <unistd.h>

#define FD_ENGINE_READERS 4
/* In-flight API requests get this long to finish at shutdown. */
#define FD_ENGINE_DRAIN_MS 10000
/* The server certificate is checked for renewal this often. */
#define FD_ENGINE_RENEW_CHECK_S (12 * 60 * 60)
/* Retention runs this long after start-up (not during it: a restart after an upgrade has
 * enough to do), then every hour. */
#define FD_ENGINE_RETENTION_DELAY_S (5 * 60)
#define FD_ENGINE_RETENTION_PERIOD_S (60 * 60)

struct _FdEngine
{
  GObject parent_instance;

  char *data_dir;
  char *api_address;
  int api_port;
  int device_port;
  int mqtt_port;
  char *device_address;
  char *public_host;
  gsize max_payload_bytes;
  int device_rate;
  guint device_idle_timeout_s;
  gboolean device_port_fallback;
  FdMqttConfig mqtt_config;
  gboolean quiet;
  guint compact_rows;
  guint compact_points;
  guint export_max_rows_per_second;
  gsize firmware_max_bytes;
  guint ota_tick_ms;
  guint alert_tick_ms;
  int lock_fd;
  char *local_token;
  FdStore *store;
  FdPki *pki;
  FdDeviceAuth *auth;
  FdIngest *ingest;
  FdSessions *sessions;
  FdConditions *conditions;
  FdDownlink *downlink;
  FdDeviceUp *up;
  FdOta *ota;
  FdEvents *events;
  FdEngineObserver *observer;
  FdIntegrations *integrations;
  FdIntegrationsConfig integrations_config;
  FdJobs *jobs;
  FdDeviceServer *devices;
  FdMqttServer *mqtt;
  FdApi *api;
  FdExports *exports;
  FdClock *test_clock;
  char *db_path;
  FdRetention *retention;
  FdFirmware *firmware;
  FdAlerts *alerts;
  guint renew_source;
  gboolean started;
};

G_DEFINE_FINAL_TYPE (FdEngine, fd_engine, G_TYPE_OBJECT)

char *
fd_engine_default_data_dir (void)
{
  return g_build_filename (g_get_user_data_dir (), "fleetdesk", NULL);
}

static void
fd_engine_finalize (GObject *object)
{
  FdEngine *self = FD_ENGINE (object);

  fd_engine_shutdown (self);
  g_free (self->data_dir);
  g_free (self->api_address);
  g_free (self->device_address);
  g_free (self->public_host);
  g_free (self->db_path);
  fd_clock_free (self->test_clock);
  if (self->local_token != NULL)
    explicit_bzero (self->local_token, strlen (self->local_token));
  g_free (self->local_token);
  G_OBJECT_CLASS (fd_engine_parent_class)->finalize (object);
}

static void
fd_engine_class_init (FdEngineClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = fd_engine_finalize;
}

static void
fd_engine_init (FdEngine *self)
{
  self->lock_fd = -1;
}

/* Takes an exclusive lock on DATA/fleetdesk.lock, so that two engines never share a store. It
 * is a flock(), which belongs to the open file: a second engine in the same process is refused
 * too, and the lock goes away with the process, even when it is killed. */
static gboolean
take_lock (FdEngine *self, GError **error)
{
  g_autofree char *path = g_build_filename (self->data_dir, "fleetdesk.lock", NULL);
  g_autofree char *pid = NULL;
  int fd = open (path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);

  if (fd < 0)
    {
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errno), "cannot open %s: %s", path,
                   g_strerror (errno));
      return FALSE;
    }
  if (flock (fd, LOCK_EX | LOCK_NB) < 0)
    {
      char buf[32] = { 0 };
      ssize_t n = pread (fd, buf, sizeof buf - 1, 0);
      g_strstrip (buf);
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_BUSY,
                   "another Fleetdesk%s%s%s is already using the data directory %s; stop it "
                   "first, or use another --data-dir",
                   n > 0 ? " (process " : "", n > 0 ? buf : "", n > 0 ? ")" : "", self->data_dir);
      close (fd);
      return FALSE;
    }
  pid = g_strdup_printf ("%d\n", (int)getpid ());
  if (ftruncate (fd, 0) < 0 || pwrite (fd, pid, strlen (pid), 0) < 0)
    g_warning ("could not write the pid into %s: %s", path, g_strerror (errno));
  self->lock_fd = fd;
  return TRUE;
}

typedef struct
{
  char *hash;
  gboolean made;
} AdminTokenJob;

static gboolean
admin_token_job (FdDb *db, gpointer data, GError **error)
{
  AdminTokenJob *job = data;
  FdPage page = { 0 };
  g_autoptr (FdToken) token = NULL;
  gboolean ok = fd_store_token_list (db, 0, 1, &page, error);

  if (!ok || page.total > 0)
    {
      fd_page_clear (&page);
      return ok;
    }
  fd_page_clear (&page);
  token = fd_store_token_create (db, "admin", job->hash, error);
  if (token == NULL)
    return FALSE;
  job->made = TRUE;
  return fd_store_audit_add (db, "fleetdesk-server", "token.create", token->id,
                             "{\"name\":\"admin\"}", error);
}

/* On first start (no token in the store), makes the admin token and writes it to
 * DATA/admin-token with mode 0600. The file is written before the token is committed, so a
 * crash in between leaves an unused file, never a token nobody knows. */
static gboolean
ensure_admin_token (FdEngine *self, GError **error)
{
  g_autofree char *path = g_build_filename (self->data_dir, "admin-token", NULL);
  g_autofree char *secret = fd_token_new_secret ();
  g_autofree char *line = g_strconcat (secret, "\n", NULL);
  AdminTokenJob job = { .hash = fd_token_hash (secret) };
  gboolean ok;
  int fd;

  fd = open (path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd < 0 || fchmod (fd, 0600) < 0 || write (fd, line, strlen (line)) != (ssize_t)strlen (line)
      || fsync (fd) < 0)
    {
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errno), "cannot write %s: %s", path,
                   g_strerror (errno));
      if (fd >= 0)
        close (fd);
      g_free (job.hash);
      return FALSE;
    }
  close (fd);

  ok = fd_store_write_sync (self->store, admin_token_job, &job, error);
  g_free (job.hash);
  explicit_bzero (secret, strlen (secret));
  explicit_bzero (line, strlen (line));
  if (ok && !job.made)
    {
      /* Not the first start: the file we just wrote holds a secret no token matches. Put back
       * nothing; the real admin token was shown (and stored in this file) on first start. */
      g_unlink (path);
    }
  else if (ok && !self->quiet)
    g_print ("fleetdesk-server: created the admin token in %s (mode 0600)\n", path);
  return ok;
}

FdEngine *
fd_engine_new (const FdEngineConfig *config, GError **error)
{
  g_autoptr (FdEngine) self = g_object_new (FD_TYPE_ENGINE, NULL);
  g_autofree char *db_path = NULL;
  g_autofree char *token_path = NULL;

  self->data_dir = config->data_dir ? g_canonicalize_filename (config->data_dir, NULL)
                                    : fd_engine_default_data_dir ();
  self->api_address = g_strdup (config->api_address ? config->api_address : "127.0.0.1");
  self->api_port = config->api_port < 0 ? FD_ENGINE_DEFAULT_API_PORT : config->api_port;
  self->device_port = config->device_port < 0 ? FD_ENGINE_DEFAULT_DEVICE_PORT : config->device_port;
  self->mqtt_port = config->mqtt_port < 0 ? FD_ENGINE_DEFAULT_MQTT_PORT : config->mqtt_port;
  self->device_address = g_strdup (config->device_address);
  self->public_host
      = g_strdup (config->public_names && config->public_names[0] ? config->public_names[0]
                                                                  : g_get_host_name ());
  self->max_payload_bytes = config->max_payload_bytes;
  self->compact_rows = config->compact_rows;
  self->compact_points = config->compact_points;
  self->export_max_rows_per_second = config->export_max_rows_per_second;
  self->firmware_max_bytes = config->firmware_max_bytes;
  self->ota_tick_ms = config->ota_tick_ms;
  self->alert_tick_ms = config->alert_tick_ms;
  self->device_rate = config->device_rate < 0 ? FD_DEVICE_DEFAULT_RATE : config->device_rate;
  self->device_idle_timeout_s = config->device_idle_timeout_s;
  self->device_port_fallback = config->device_port_fallback;
  self->mqtt_config.max_packet_bytes = config->mqtt_max_packet;
  self->mqtt_config.max_payload_bytes = config->max_payload_bytes;
  self->mqtt_config.max_inflight = config->mqtt_inflight;
  self->mqtt_config.max_conns_per_address = config->mqtt_max_conns_per_address;
  self->mqtt_config.connect_timeout_s = config->mqtt_connect_timeout_s;
  self->mqtt_config.max_topic_chars = config->mqtt_max_topic_chars;
  self->quiet = config->quiet;
  self->integrations_config.backoff_ms = config->integration_backoff_ms;
  self->integrations_config.backoff_max_ms = config->integration_backoff_max_ms;
  if (config->test_clock_offset_file != NULL)
    self->test_clock = fd_clock_new_offset_file (config->test_clock_offset_file);

  if (g_mkdir_with_parents (self->data_dir, 0700) < 0)
    {
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errno),
                   "cannot create the data directory %s: %s", self->data_dir, g_strerror (errno));
      return NULL;
    }
  if (!take_lock (self, error))
    return NULL;

  db_path = g_build_filename (self->data_dir, "fleetdesk.db", NULL);
  /* Made private before SQLite creates it: its -wal and -shm files take the same mode. */
  {
    int fd = open (db_path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (fd < 0)
      {
        g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errno), "cannot open %s: %s",
                     db_path, g_strerror (errno));
        return NULL;
      }
    close (fd);
  }
  self->store = fd_store_open (db_path, FD_ENGINE_READERS, error);
  if (self->store == NULL)
    return NULL;

  token_path = g_build_filename (self->data_dir, "admin-token", NULL);
  if (!g_file_test (token_path, G_FILE_TEST_EXISTS) && !ensure_admin_token (self, error))
    return NULL;

  {
    g_autofree char *pki_dir = g_build_filename (self->data_dir, "pki", NULL);
    self->pki = fd_pki_open (pki_dir, (const char *const *)config->public_names, error);
    if (self->pki == NULL)
      return NULL;
  }
  self->auth = fd_device_auth_new (db_path, error);
  if (self->auth == NULL)
    return NULL;
  self->ingest = fd_ingest_new (self->store);
  if (self->compact_rows > 0 || self->compact_points > 0)
    fd_ingest_set_compaction (self->ingest, self->compact_rows, self->compact_points, 0);
  self->sessions = fd_sessions_new (self->store, error);
  if (self->sessions == NULL)
    return NULL;
  self->conditions = fd_conditions_new (self->store);
  self->downlink = fd_downlink_new (self->store, self->sessions);
  self->up = fd_device_up_new (self->ingest, self->conditions, self->downlink);
  fd_device_up_set_max_bytes (self->up, self->max_payload_bytes);
  self->events = fd_events_new ();
  self->integrations = fd_integrations_new (self->store, self->events, &self->integrations_config);
  self->observer = fd_engine_events_connect (self->events, self->sessions, self->ingest,
                                             self->conditions, self->integrations);
  self->jobs = fd_jobs_new (self->store, self->downlink, self->events);
  fd_device_up_set_events (self->up, self->events);
  self->firmware = fd_firmware_new (self->store, self->data_dir, self->firmware_max_bytes);
  self->ota = fd_ota_new (self->store, self->downlink, self->firmware, self->events);
  fd_ota_set_tick_ms (self->ota, self->ota_tick_ms);
  fd_device_up_set_lifecycle (self->up, self->jobs, self->ota);
  self->alerts = fd_alerts_new (self->store, self->events, self->alert_tick_ms);

  self->local_token = fd_token_new_secret ();
  self->api = fd_api_new (self->store, db_path, self->local_token, error);
  if (self->api == NULL)
    return NULL;
  fd_api_set_downlink (self->api, self->downlink);
  fd_api_set_ota (self->api, self->ota);
  fd_api_set_live (self->api, self->events, self->sessions);
  fd_api_set_jobs (self->api, self->jobs);
  fd_api_set_integrations (self->api, self->integrations);
  fd_api_set_alerts (self->api, self->alerts);
  self->db_path = g_steal_pointer (&db_path);
  self->retention = fd_retention_new (self->store);
  fd_api_set_retention (self->api, self->retention);
  fd_api_set_firmware (self->api, self->firmware);
  return g_steal_pointer (&self);
}

static gboolean
write_ports (FdEngine *self, GError **error)
{
  g_autofree char *path = g_build_filename (self->data_dir, "ports.json", NULL);
  g_autofree char *json = g_strdup_printf (
      "{\"api_address\": \"%s\", \"api\": %u, \"device\": %u, \"mqtt\": %d}\n", self->api_address,
      fd_api_get_port (self->api), fd_engine_get_device_port (self), self->mqtt_port);

  return g_file_set_contents_full (path, json, -1, G_FILE_SET_CONTENTS_CONSISTENT, 0644, error);
}

static gboolean
renew_certificate (gpointer data)
{
  FdEngine *self = data;
  g_autoptr (GError) error = NULL;
  gboolean renewed = FALSE;

  if (!fd_pki_renew_if_needed (self->pki, &renewed, &error))
    g_warning ("could not renew the server certificate: %s", error->message);
  else if (renewed && !self->quiet)
    g_print ("fleetdesk-server: renewed the server certificate\n");
  return G_SOURCE_CONTINUE;
}

/* Starts the HTTPS device endpoint; with device_port_fallback, a taken port gives way to any
 * free one (the desktop app must start even when another Fleetdesk holds 7443). */
static gboolean
start_devices (FdEngine *self, GError **error)
{
  FdDeviceServerConfig config = {
    .address = self->device_address,
    .port = (guint)self->device_port,
    .max_payload_bytes = self->max_payload_bytes,
    .rate_per_s = (guint)self->device_rate,
    .idle_timeout_s = self->device_idle_timeout_s,
  };
  g_autoptr (GError) local = NULL;

  self->devices
      = fd_device_server_new (&config, self->pki, self->auth, self->ingest, self->up, self->store);
  fd_device_server_set_sessions (self->devices, self->sessions);
  fd_device_server_set_firmware (self->devices, self->firmware);
  if (!fd_device_server_listen (self->devices, &local))
    {
      if (!self->device_port_fallback || config.port == 0
          || !g_error_matches (local, G_IO_ERROR, G_IO_ERROR_ADDRESS_IN_USE))
        {
          g_propagate_error (error, g_steal_pointer (&local));
          return FALSE;
        }
      /* Said once, plainly: zdevice.json files made now name the other port. Not a warning:
       * it is how the desktop app copes with another Fleetdesk on the machine. */
      g_message ("the device port %u is in use by another program; devices are served on a "
                 "free port instead (new zdevice.json files name it)",
                 config.port);
      g_clear_pointer (&self->devices, fd_device_server_free);
      config.port = 0;
      self->devices = fd_device_server_new (&config, self->pki, self->auth, self->ingest, self->up,
                                            self->store);
      fd_device_server_set_sessions (self->devices, self->sessions);
      fd_device_server_set_firmware (self->devices, self->firmware);
      if (!fd_device_server_listen (self->devices, error))
        return FALSE;
    }
  self->device_port = (int)fd_device_server_get_port (self->devices);
  return TRUE;
}

/* MQTT over TLS, and over WebSocket through the HTTPS endpoint's /mqtt. */
static gboolean
start_mqtt (FdEngine *self, GError **error)
{
  FdMqttConfig config = self->mqtt_config;
  g_autoptr (GError) local = NULL;

  config.address = self->device_address;
  config.port = (guint)self->mqtt_port;
  self->mqtt
      = fd_mqtt_server_new (&config, self->pki, self->auth, self->ingest, self->up, self->sessions);
  if (!fd_mqtt_server_listen (self->mqtt, &local))
    {
      /* As for the HTTPS port: the desktop app must start even when a broker (mosquitto on
       * 8883 is common on an IoT developer's machine) holds the port. */
      if (!self->device_port_fallback || config.port == 0
          || !g_error_matches (local, G_IO_ERROR, G_IO_ERROR_ADDRESS_IN_USE))
        {
          g_propagate_error (error, g_steal_pointer (&local));
          return FALSE;
        }
      g_message ("the MQTT port %u is in use by another program; MQTT is served on a free port "
                 "instead (new zdevice.json files name it)",
                 config.port);
      g_clear_pointer (&self->mqtt, fd_mqtt_server_free);
      config.port = 0;
      self->mqtt = fd_mqtt_server_new (&config, self->pki, self->auth, self->ingest, self->up,
                                       self->sessions);
      if (!fd_mqtt_server_listen (self->mqtt, error))
        return FALSE;
    }
  self->mqtt_port = (int)fd_mqtt_server_get_port (self->mqtt);
  fd_device_server_set_mqtt (self->devices, self->mqtt);
  return TRUE;
}

gboolean
fd_engine_start (FdEngine *self, GError **error)
{
  g_return_val_if_fail (!self->started, FALSE);

  if (!start_devices (self, error) || !start_mqtt (self, error))
    return FALSE;
  {
    /* On the engine's context: exports left by a previous run are settled before the API
     * answers for them. */
    g_autofree char *dir = g_build_filename (self->data_dir, "exports", NULL);
    self->exports = fd_exports_new (self->store, self->db_path, dir, self->test_clock);
    fd_exports_set_max_rows_per_second (self->exports, self->export_max_rows_per_second);
    if (!fd_exports_start (self->exports, error))
      return FALSE;
    fd_api_set_exports (self->api, self->exports);
  }
  fd_api_set_provisioning (self->api, self->pki, self->auth, self->public_host,
                           (guint)self->device_port, (guint)self->mqtt_port);
  /* Campaigns left running by the previous run go on before the API answers for them. */
  fd_ota_set_device_url (self->ota, self->public_host, (guint)self->device_port);
  if (!fd_ota_start (self->ota, error))
    return FALSE;
  /* Before the API answers for them: their health is there from the first request. */
  if (!fd_integrations_start (self->integrations, error))
    return FALSE;
  if (!fd_api_listen (self->api, self->api_address, (guint)self->api_port, error))
    return FALSE;
  if (!write_ports (self, error))
    return FALSE;
  fd_jobs_start (self->jobs);
  fd_alerts_start (self->alerts);
  self->renew_source = g_timeout_add_seconds (FD_ENGINE_RENEW_CHECK_S, renew_certificate, self);
  fd_retention_schedule (self->retention, FD_ENGINE_RETENTION_DELAY_S,
                         FD_ENGINE_RETENTION_PERIOD_S);
  self->started = TRUE;
  if (!self->quiet)
    {
      g_print ("fleetdesk-server %s: operator API on http://%s:%u/api/v1 (data in %s)\n",
               PACKAGE_VERSION, self->api_address, fd_api_get_port (self->api), self->data_dir);
      g_print ("fleetdesk-server: HTTPS device endpoint on port %u (MQTT over WebSocket at "
               "/mqtt), MQTT over TLS on port %u\n",
               fd_engine_get_device_port (self), fd_engine_get_mqtt_port (self));
      g_print ("fleetdesk-server: devices reach %s; CA fingerprint SHA-256 %s\n", self->public_host,
               fd_pki_get_ca_fingerprint (self->pki));
    }
  return TRUE;
}

void
fd_engine_shutdown (FdEngine *self)
{
  g_clear_handle_id (&self->renew_source, g_source_remove);
  /* A running pass ends at its next step, while the API drain below still runs its callbacks. */
  if (self->retention != NULL)
    fd_retention_stop (self->retention);
  /* Devices first: their requests waiting for the store are answered before it closes. The
   * HTTPS endpoint stops before MQTT, so that it hands no WebSocket over any more; it is freed
   * after it, as it points at the MQTT server. */
  if (self->devices != NULL)
    fd_device_server_shutdown (self->devices, FD_ENGINE_DRAIN_MS);
  if (self->mqtt != NULL)
    {
      fd_mqtt_server_shutdown (self->mqtt, FD_ENGINE_DRAIN_MS);
      g_clear_pointer (&self->mqtt, fd_mqtt_server_free);
    }
  g_clear_pointer (&self->devices, fd_device_server_free);
  if (self->api != NULL)
    {
      fd_api_shutdown (self->api, FD_ENGINE_DRAIN_MS);
      g_clear_pointer (&self->api, fd_api_free);
    }
  /* Every connection is closed by now, so every session detached; their presence writes are
   * queued and the store's close below finishes them. */
  if (self->sessions != NULL)
    fd_engine_events_disconnect_sessions (self->events, self->sessions);
  g_clear_pointer (&self->sessions, fd_sessions_free);
  /* After the API (no new export), before the store (a worker's last write needs it). */
  g_clear_pointer (&self->exports, fd_exports_free);
  /* After the API (which reloads them), before the store: a stopping worker's request is
   * cancelled and its batch stays in flight, resent at the next start. */
  if (self->observer != NULL)
    fd_engine_events_forget_integrations (self->observer);
  g_clear_pointer (&self->integrations, fd_integrations_free);
  /* Its tick stops here; callbacks of its jobs still queued find it closing (fd-ota.h). */
  g_clear_pointer (&self->ota, fd_ota_free);
  /* Likewise: its tick stops; a check still queued is finished by the store's close. */
  g_clear_pointer (&self->alerts, fd_alerts_free);
  g_clear_pointer (&self->store, fd_store_close);
  g_clear_pointer (&self->retention, fd_retention_free);
  g_clear_pointer (&self->firmware, fd_firmware_free);
  /* After the transports, whose requests they answered, were drained. */
  g_clear_pointer (&self->up, fd_device_up_free);
  g_clear_pointer (&self->jobs, fd_jobs_free);
  g_clear_pointer (&self->downlink, fd_downlink_free);
  if (self->conditions != NULL && self->observer != NULL)
    fd_engine_events_disconnect_conditions (self->observer, self->conditions);
  g_clear_pointer (&self->conditions, fd_conditions_free);
  /* After the store: its writer thread used the ingest state and the events bus until it was
   * joined. */
  g_clear_pointer (&self->ingest, fd_ingest_free);
  g_clear_pointer (&self->observer, fd_engine_events_free);
  g_clear_pointer (&self->events, fd_events_free);
  g_clear_pointer (&self->auth, fd_device_auth_free);
  g_clear_pointer (&self->pki, fd_pki_free);
  if (self->lock_fd >= 0)
    {
      g_autofree char *ports = g_build_filename (self->data_dir, "ports.json", NULL);
      if (self->started)
        g_unlink (ports);
      close (self->lock_fd);
      self->lock_fd = -1;
    }
}

const char *
fd_engine_get_data_dir (FdEngine *self)
{
  return self->data_dir;
}

guint
fd_engine_get_api_port (FdEngine *self)
{
  return self->api ? fd_api_get_port (self->api) : 0;
}

guint
fd_engine_get_device_port (FdEngine *self)
{
  return (guint)self->device_port;
}

guint
fd_engine_get_mqtt_port (FdEngine *self)
{
  return (guint)self->mqtt_port;
}

char *
fd_engine_dup_api_url (FdEngine *self)
{
  const char *host = self->api_address;

  if (g_str_equal (host, "0.0.0.0"))
    host = "127.0.0.1";
  if (strchr (host, ':') != NULL)
    return g_strdup_printf ("http://[%s]:%u", g_str_equal (host, "::") ? "::1" : host,
                            fd_engine_get_api_port (self));
  return g_strdup_printf ("http://%s:%u", host, fd_engine_get_api_port (self));
}

const char *
fd_engine_get_local_token (FdEngine *self)
{
  return self->local_token;
}
