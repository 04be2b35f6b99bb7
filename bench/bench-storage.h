/* bench-storage.h — what bench-storage's parts share: the generated store (cached in a
 * directory), the sqlite3 shell as a subprocess, the real fleetdesk-server over HTTP.
 */
#pragma once

#include <glib.h>
#include <sys/types.h>

G_BEGIN_DECLS

#define FD_STORAGE_DAYS 30
#define FD_STORAGE_HOUR_MS G_GINT64_CONSTANT (3600000)
#define FD_STORAGE_DAY_MS (24 * FD_STORAGE_HOUR_MS)
#define FD_STORAGE_TAG "env"        /* the telemetry tag: temp, hum, status (bat on some) */
#define FD_STORAGE_EVENT_TAG "door" /* a few events per device: open, code */

/* The generated store, as found in (or written to) the cache directory. */
typedef struct
{
  guint readings;
  guint devices;
  guint fleets;
  char *dir;     /* CACHE/r<readings>-d<devices> */
  char *fd_dir;  /* DIR/fd: fleetdesk-server's data directory */
  char *fd_db;   /* DIR/fd/fleetdesk.db */
  char *peer_db; /* DIR/peer.db: the plain readings table */
  char *meta;    /* DIR/meta.json: what was generated and how long it took */
  char *workspace_id;
  GPtrArray *fleet_ids;  /* char *, by fleet name (fleet-1 is the smallest) */
  GPtrArray *device_ids; /* char *, by device name */
  gint64 start_ms;       /* the 30 days [start, end), whole hours */
  gint64 end_ms;
  /* generation figures (from meta.json when cached) */
  double ingest_s;     /* readings through FdIngest, committed */
  double compact_s;    /* the forced compaction at the end */
  double peer_build_s; /* the peer's table, filled from the same samples */
  double peer_index_s; /* its (device, ts_device) index */
  gint64 fd_db_bytes;
  gint64 peer_db_bytes;
  gboolean generated; /* in this run (FALSE: from the cache) */
  gboolean flushed;   /* compacted at the end (fd_ingest_flush_sync) */
  guint tail_samples; /* samples above data_state 'sample_indexed' (0 after compaction) */
  guint recent_rows;  /* rows left in point_recent (0 after compaction) */
} FdStorageData;

/* Opens the store for @readings / @devices in @cache_dir, generating it (and the peer's table)
 * first when it is not there or @regenerate. Exits with a message on failure. */
FdStorageData *fd_storage_data_get (const char *cache_dir, guint readings, guint devices,
                                    gboolean regenerate);
void fd_storage_data_free (FdStorageData *data);

/* ---- sqlite3 shell --------------------------------------------------------------------- */

typedef struct
{
  double wall_ms;  /* the whole process, start-up included */
  double timer_ms; /* the sum of `.timer on`'s "real" lines: the statements alone */
  guint lines;     /* lines of output other than the timer's */
  char *first_line;
  char *last_line;
  gint64 peak_kib; /* the shell's peak RSS (GNU time's %M), -1 when unknown */
  gboolean ok;
} FdStorageShellRun;

/* Runs `@bin -readonly @db` (or read-write when !@read_only) with @script on its standard
 * input (".timer on" is prepended) and gathers what it printed. */
void fd_storage_shell_run (const char *bin, const char *db, gboolean read_only, const char *script,
                           FdStorageShellRun *run);
void fd_storage_shell_run_clear (FdStorageShellRun *run);

/* ---- fleetdesk-server ------------------------------------------------------------------ */

typedef struct _FdStorageServer FdStorageServer;

/* Starts FD_SERVER_BIN (or the one built with the bench) on @data_dir, waits for its ports. */
FdStorageServer *fd_storage_server_start (const char *data_dir);
void fd_storage_server_stop (FdStorageServer *srv);
pid_t fd_storage_server_pid (FdStorageServer *srv);

/* GET/POST/DELETE @path (under the server's URL) with the admin token; the status, the body
 * (free with g_bytes_unref, may be NULL) and the time from sending to the last body byte. */
GBytes *fd_storage_server_request (FdStorageServer *srv, const char *method, const char *path,
                                   const char *json_body, guint *status, double *ms);

/* The same GET through `curl` (a new process each time, a cross-check of the client): its
 * time_total in ms, -1 when curl is missing or the answer is not 200. */
double fd_storage_server_curl (FdStorageServer *srv, const char *path);

/* A field of /proc/PID/status in KiB ("VmHWM", "VmRSS"), -1 if unreadable. */
gint64 fd_storage_proc_kib (pid_t pid, const char *field);
/* Resets the peak RSS (VmHWM) of @pid to its current RSS (/proc/PID/clear_refs). */
gboolean fd_storage_proc_reset_peak (pid_t pid);

/* ---- statistics ------------------------------------------------------------------------ */

double fd_storage_median (GArray *values);
double fd_storage_ms_since (gint64 start_us);

G_END_DECLS
