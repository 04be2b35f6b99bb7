/* fd-export-private.h — what the export files share: the job a worker runs, the buffered file
 * it writes and the row formats. */
#pragma once

#include "fd-export.h"
#include "ingest/fd-payload.h"
#include "query/fd-query.h"

#include <json-glib/json-glib.h>

#include <string.h>

G_BEGIN_DECLS

typedef enum
{
  FD_EXPORT_CSV,
  FD_EXPORT_JSON,
  FD_EXPORT_NDJSON,
} FdExportFormat;

gboolean fd_export_format_parse (const char *name, FdExportFormat *format);

/* A buffered file: bytes are copied into @buf and written when it fills. The first error is
 * kept in @error and makes every later call a no-op. */
typedef struct
{
  int fd;
  char *buf;
  gsize len;
  gsize cap;
  gint64 bytes; /* written to the file so far plus what is buffered */
  GError *error;
} FdExportOut;

gboolean fd_export_out_open (FdExportOut *out, const char *path, GError **error);
gboolean fd_export_out_flush (FdExportOut *out);
/* Makes room for @n more bytes in the buffer (flushing, or growing it for one huge value);
 * returns where to write them. */
char *fd_export_out_reserve (FdExportOut *out, gsize n);
static inline void
fd_export_out_append (FdExportOut *out, const char *data, gsize n)
{
  char *p = fd_export_out_reserve (out, n);
  memcpy (p, data, n);
  out->len += n;
  out->bytes += n;
}
/* Flushes, fsyncs and closes; FALSE (with the error) when any write failed. */
gboolean fd_export_out_finish (FdExportOut *out, GError **error);
/* Closes without syncing (an export that failed or was canceled). */
void fd_export_out_abandon (FdExportOut *out);

/* A stream of the selection, with its identity pre-rendered for the row formats. */
typedef struct
{
  gint64 id;
  char *fleet_id;
  char *device_id;
  char *tag;
  char *middle; /* CSV: ",fleet,device,tag," — JSON: ,"fleet_id":…,"tag":…,"payload": */
  gsize middle_len;
} FdExportStream;

/* Writes rows of one format; made once per export. */
typedef struct _FdExportWriter FdExportWriter;

/* @fields: NULL (the payload column) or the sorted recognised field paths (columns=fields). */
FdExportWriter *fd_export_writer_new (FdExportFormat format, char **fields, FdExportOut *out);
void fd_export_writer_free (FdExportWriter *w);
/* Renders @stream's middle for this writer's format. */
void fd_export_writer_prepare_stream (FdExportWriter *w, FdExportStream *stream);
void fd_export_writer_begin (FdExportWriter *w);
void fd_export_writer_row (FdExportWriter *w, const FdExportStream *stream, gint64 ts_device,
                           gint64 ts_in, const char *payload, gsize payload_len);
void fd_export_writer_end (FdExportWriter *w);

/* What a worker runs. Made and freed on the main context; the worker reads it and writes only
 * the outcome fields, which the main context reads after the worker signalled its end. */
typedef struct
{
  FdExports *owner;
  FdStore *store;
  char *db_path;
  FdExport *row;             /* as inserted: id, workspace, format, selection, range, file */
  gint cancel;               /* 0; 1 canceled by the operator; 2 by a shutdown (atomic) */
  guint max_rows_per_second; /* 0: unlimited */
  gboolean discard; /* its workspace was deleted: remove its DATA/exports file when it ended */
  GThread *thread;
  GPtrArray *waiters; /* GTask*: cancel calls waiting for the end */
  /* outcome */
  char *state;
  gint64 rows;
  gint64 bytes;
  char *error;
} FdExportJob;

/* The worker thread's body: runs @job to its end, records it in the store, then tells the
 * owner (fd_exports_job_ended() on the main context). */
gpointer fd_export_job_run (gpointer job);
void fd_exports_job_ended (FdExportJob *job);

/* A list member ("tags", "fleets", "devices") of a stored selection as a NULL-terminated
 * array, NULL when absent or empty (any). */
char **fd_export_selection_list (JsonObject *selection, const char *member);

/* An aggregate export (fd-export-aggregate.c): the selection's "aggregate" {field, fn (comma
 * list), bucket_ms (0: none), group} over [@start, @end), written to @out. */
gboolean fd_export_aggregate (FdDb *db, const char *workspace_id, JsonObject *selection,
                              gint64 start, gint64 end, FdExportFormat format, FdExportOut *out,
                              gint64 *rows, GError **error);

/* The scheduler (fd-export-schedule.c), on the main context. */
typedef struct _FdExportScheduler FdExportScheduler;
FdExportScheduler *fd_export_scheduler_new (FdExports *exports, FdStore *store,
                                            const FdClock *clock);
void fd_export_scheduler_reload (FdExportScheduler *s);
void fd_export_scheduler_free (FdExportScheduler *s);
/* Deletes the files of one-off exports finished more than FD_EXPORT_KEEP_MS before @now. */
void fd_exports_expire (FdExports *exports, gint64 now);

G_END_DECLS
