/* bench-storage-questions.h — the questions bench-storage asks each side, and the export. */
#pragma once

#include "bench-storage.h"

G_BEGIN_DECLS

#define FD_STORAGE_PAGE 10000
#define FD_STORAGE_SERIES_POINTS 2000

typedef enum
{
  FD_STORAGE_COUNT_RESULT, /* rows = length of "result" */
  FD_STORAGE_COUNT_POINTS, /* rows = points of the first series */
} FdStorageCount;

typedef struct _FdStorageBench FdStorageBench;
typedef struct _FdStorageQuestion FdStorageQuestion;

/* An in-process call of the engine for a question (@json: also writing the answer's JSON text
 * as the API does): its time in ms and the rows it gave. */
typedef gboolean (*FdStorageEngineFunc) (FdStorageBench *b, FdStorageQuestion *q, gboolean json,
                                         double *ms, guint *rows);

struct _FdStorageQuestion
{
  const char *label;
  char *api_path; /* under /api/v1 */
  FdStorageCount count;
  /* what is asked, for the engine in-process */
  gboolean raw;          /* a page of rows (else an aggregate or series) */
  const char *device_id; /* NULL: any */
  const char *fleet_id;  /* NULL: any */
  gint64 width;          /* aggregate bucket, ms */
  gint64 start_ms;       /* the range asked; 0, 0: the data's 30 days */
  gint64 end_ms;
  gboolean group_by_device;
  char *peer_sql;             /* over the plain readings table */
  char *peer_fd_sql;          /* over Fleetdesk's tables (NULL: not meaningful) */
  FdStorageEngineFunc engine; /* NULL: no such function in the engine */
  GArray *api_ms, *curl_ms, *engine_ms, *engine_json_ms, *peer_ms, *peer_fd_ms, *peer_wall_ms;
  guint api_rows, engine_rows, peer_rows, peer_fd_rows;
  gsize api_bytes;
  char *api_note;   /* why the API has no figure (status, message) */
  gint64 bucket_ms; /* series: the API's bucket width, used by the peers after the first answer */
};

typedef struct
{
  GArray *rows_per_s; /* double */
  GArray *seconds;    /* double, the whole export as the caller waits for it */
  guint64 rows;
  guint64 bytes;
  gint64 rss_before_kib; /* the exporting process before (server: VmRSS) */
  gint64 peak_kib;       /* the highest peak of the runs (server: VmHWM after a reset) */
  char *note;
} FdStorageExport;

struct _FdStorageBench
{
  FdStorageData *data;
  const char *sqlite3;
  guint runs;
  guint export_runs;
  double budget_s;       /* per side and question: no more timed runs once past it */
  gboolean no_fd_tables; /* skip the sqlite3 shell on Fleetdesk's own tables */
  FdStorageServer *server;
  double server_start_ms;
  GPtrArray *questions; /* FdStorageQuestion * */
  FdStorageExport export_api, export_engine, export_peer, export_peer_fd;
  gboolean exported;
  gboolean engine; /* the engine's query functions are in this build */
};

void fd_storage_questions_run (FdStorageBench *b);
void fd_storage_export_run (FdStorageBench *b);
void fd_storage_questions_report (FdStorageBench *b);
void fd_storage_questions_free (FdStorageBench *b);

/* Sets the questions' engine functions when the engine has them (bench-storage-engine.c). */
gboolean fd_storage_engine_attach (FdStorageBench *b);
void fd_storage_engine_detach (FdStorageBench *b);

/* One CSV export of everything by the export engine in this process
 * (bench-storage-export-engine.c); FALSE with @e's note when it cannot. */
gboolean fd_storage_export_engine_once (FdStorageBench *b, FdStorageExport *e);
void fd_storage_export_engine_close (void);

/* The SQL text of an id (ids are [a-z0-9-], quoted all the same). */
char *fd_storage_sql_quote (const char *text);

G_END_DECLS
