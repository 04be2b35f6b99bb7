/* fd-store-retention.h — deleting what is older than a workspace's retention, in small steps.
 *
 * A pass is planned once (fd_store_retention_plan, on a reader): one item per stream and per
 * series of each workspace that has a retention. Then fd_store_retention_step runs on the
 * writer, again and again, each time as its own store job: it deletes at most a few thousand
 * rows and returns, so the ingest jobs queued meanwhile are committed in between and a device
 * never waits long. The step works on a copy of the cursor and counts: the caller keeps them
 * only when the job committed. When the items are done, fd_store_retention_vacuum gives free
 * pages back to the file system, a step at a time too.
 */
#pragma once

#include "fd-store.h"

G_BEGIN_DECLS

typedef enum
{
  FD_RETENTION_SAMPLES,   /* a stream's samples and their sample_ts rows (raw cutoff) */
  FD_RETENTION_POINTS,    /* a series' point_block pairs (raw cutoff) */
  FD_RETENTION_ROLLUP_1H, /* a series' hour rollups (rollup cutoff) */
} FdRetentionKind;

typedef struct
{
  FdRetentionKind kind;
  gint64 id;     /* the stream or the series */
  gint64 cutoff; /* epoch ms: what is older goes */
} FdRetentionItem;

typedef struct
{
  gint64 samples_deleted;
  gint64 points_deleted;
  gint64 rollups_deleted;
} FdRetentionCounts;

/* Where a pass is: the next item, and the counts so far. */
typedef struct
{
  guint item;
  FdRetentionCounts counts;
} FdRetentionCursor;

/* Rows one step deletes at most (a point block counts for FD_RETENTION_BLOCK_WEIGHT rows):
 * about 5 ms of the writer on 2 shared cores, so a device's request waits little behind one
 * (1,000,000 readings, 825,000 deleted: 21.6 s, ingest p50 25 ms, p99 141 ms during the pass;
 * 2,000 rows a step made ingest's p50 66 ms and p99 494 ms). */
#define FD_RETENTION_STEP_ROWS 500
#define FD_RETENTION_BLOCK_WEIGHT 16
/* Pages one vacuum step gives back (1 MiB of 4 KiB pages). */
#define FD_RETENTION_VACUUM_PAGES 256

/* Appends to @items (FdRetentionItem) the work of a pass at @now (epoch ms). */
gboolean fd_store_retention_plan (FdDb *db, gint64 now, GArray *items, GError **error);

/* Deletes from @items at @cursor onwards at most a step's worth, advancing @cursor and its
 * counts. *@done is TRUE once every item is finished. */
gboolean fd_store_retention_step (FdDb *db, const GArray *items, FdRetentionCursor *cursor,
                                  gboolean *done, GError **error);

/* Frees at most FD_RETENTION_VACUUM_PAGES free pages; *@left is how many stay free. */
gboolean fd_store_retention_vacuum (FdDb *db, gint64 *left, GError **error);

/* The database's size and free space in bytes (page count and free list times page size). */
gboolean fd_store_database_size (FdDb *db, gint64 *size_bytes, gint64 *free_bytes, GError **error);

G_END_DECLS
