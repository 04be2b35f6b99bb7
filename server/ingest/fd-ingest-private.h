/* fd-ingest-private.h — what fd-ingest.c and the writer side share. */
#pragma once

#include "fd-ingest.h"
#include "fd-util.h"

G_BEGIN_DECLS

typedef struct _FdIngestWriter FdIngestWriter;

typedef struct
{
  gsize payload_offset; /* into FdReadings.payloads, NUL-terminated there */
  gsize payload_len;
  gint64 ts_device;
  guint first_field;
  guint n_fields;
} FdReadingItem;

typedef struct
{
  gsize path_offset; /* into FdReadings.paths, NUL-terminated */
  FdFieldType type;
  double number;
} FdReadingField;

struct _FdReadings
{
  FdIngestWriter *writer;
  FdDeviceIdentity *who;
  char *tag;
  gint64 ts_in;
  GString *payloads;
  GString *paths;
  GArray *items;  /* FdReadingItem */
  GArray *fields; /* FdReadingField */
};

typedef struct
{
  FdIngestWriter *writer;
  FdDeviceIdentity *who;
  char *key;
  char *value;
  gint64 ts_in;
  FdStoreFunc also; /* run after the report is stored, in the same savepoint; may be NULL */
  gpointer also_data;
  GDestroyNotify also_destroy;
  gboolean applied; /* the writer set: a variable of this key became applied */
} FdUpMessage;

struct _FdIngest
{
  FdStore *store;
  FdIngestWriter *writer;
};

/* Compaction (fd-ingest-compact.c): what point_recent and the sample tail hold, counted on the
 * writer and read from the tables when not known. */
#define FD_INGEST_COMPACT_ROWS 256
#define FD_INGEST_COMPACT_POINTS 200000
#define FD_INGEST_COMPACT_AGE_MS 10000

typedef struct
{
  gboolean recent_known;
  gint64 recent_rows;
  gint64 recent_points;
  gint64 recent_oldest; /* t_in of its oldest row, epoch ms */
  gboolean indexed_known;
  gint64 indexed; /* data_state 'sample_indexed' */
  gboolean tail_known;
  gint64 tail_samples; /* samples with an id above it */
  gint64 tail_oldest;  /* ts_in of the oldest of them, epoch ms */
  guint rows, points, age_ms;
  gboolean forced; /* a flush asked for a compaction at this commit */
} FdIngestCompact;

void fd_ingest_compact_init (FdIngestCompact *c);
/* 0: the default. @points bounds both the waiting points and the unindexed samples. */
void fd_ingest_compact_set_thresholds (FdIngestCompact *c, guint rows, guint points, guint age_ms);
/* data_state 'sample_indexed' as this transaction sees it. */
gboolean fd_ingest_compact_indexed (FdIngestCompact *c, FdDb *db, gint64 *indexed, GError **error);
/* In before_commit, after the commit's rows were written: @points_row when it wrote a
 * point_recent row of @n_points, and @n_samples samples. Compacts when a threshold is reached
 * or a flush asked for it. */
gboolean fd_ingest_compact_commit (FdIngestCompact *c, FdDb *db, gint64 now, gboolean points_row,
                                   gint64 n_points, gint64 n_samples, GError **error);
void fd_ingest_compact_ended (FdIngestCompact *c, gboolean committed);
/* Store jobs: the rollups of the point blocks a database had when migration 6 ran (once;
 * @data unused), and the flush (@data the FdIngestCompact). */
gboolean fd_ingest_compact_backfill (FdDb *db, gpointer data, GError **error);
gboolean fd_ingest_compact_force (FdDb *db, gpointer data, GError **error);

FdIngestWriter *fd_ingest_writer_new (void);
FdIngestCompact *fd_ingest_writer_compact (FdIngestWriter *w);
void fd_ingest_writer_free (FdIngestWriter *writer);
extern const FdStoreHooks fd_ingest_writer_hooks;
void fd_ingest_writer_set_compaction (FdIngestWriter *w, guint rows, guint points, guint age_ms);
void fd_ingest_writer_set_observer (FdIngestWriter *w, FdIngestObserver observer,
                                    gpointer user_data);

/* The device's workspace and current fleet, read in this transaction (NOT_FOUND: deleted). */
gboolean fd_ingest_writer_device_place (FdDb *db, const char *device_id, char **workspace_id,
                                        char **fleet_id, GError **error);
/* @device_id was seen at @when: its last_seen is written with the transaction (at most once a
 * second per device). */
void fd_ingest_writer_note_seen (FdIngestWriter *w, const char *device_id, gint64 when);

/* Store jobs (FdStoreFunc) for an FdReadings and an FdUpMessage. */
gboolean fd_ingest_writer_store_readings (FdDb *db, gpointer data, GError **error);
gboolean fd_ingest_writer_store_up (FdDb *db, gpointer data, GError **error);

G_END_DECLS
