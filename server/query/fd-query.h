/* fd-query.h — reading time series back: raw rows, exact aggregates, chart series.
 *
 * Everything runs on a reader connection inside one read transaction (fd_store_read_async), so
 * the indexed samples and the tail not yet indexed, or the rollups and the points they do not
 * cover, are one consistent state (CONTRACT-5 "Store invariants"). Times are epoch ms, ranges
 * are [start, end). Buckets are aligned to the UNIX epoch.
 */
#pragma once

#include "fd-query-select.h"
#include "ingest/fd-payload.h"

G_BEGIN_DECLS

#define FD_QUERY_MAX_SIZE 175000 /* raw rows per page */
#define FD_QUERY_DEFAULT_SIZE 100
#define FD_QUERY_MAX_FILTERS 16
#define FD_QUERY_MAX_FIELDS 64
#define FD_QUERY_MAX_BUCKETS 100000 /* buckets x groups of an aggregate */
#define FD_QUERY_MAX_SERIES 200     /* series (devices) of a chart */
#define FD_QUERY_MIN_POINTS 2
#define FD_QUERY_MAX_POINTS 10000
#define FD_QUERY_DEFAULT_POINTS 1000
/* The times a store holds: device times are years 1970-9999 (fd_payload_scan_batch). */
#define FD_QUERY_TIME_MIN G_GINT64_CONSTANT (0)
#define FD_QUERY_TIME_MAX G_GINT64_CONSTANT (253402300800000)

#define FD_MINUTE_MS G_GINT64_CONSTANT (60000)
#define FD_HOUR_MS G_GINT64_CONSTANT (3600000)
#define FD_DAY_MS G_GINT64_CONSTANT (86400000)

/* JSON text (fd-query-json.c): @s as a quoted, escaped string; @ms as an RFC 3339 UTC time
 * with milliseconds, quoted; @v as a number that reads back as the same double (null when not
 * finite). */
void fd_query_json_string (GString *out, const char *s);
void fd_query_json_time (GString *out, gint64 ms);
void fd_query_json_number (GString *out, double v);

/* @ms as RFC 3339 UTC with milliseconds into @out: FD_QUERY_TIME_LEN bytes
 * ("2026-11-27T10:00:00.123Z"), not NUL-terminated. The date and time of day are cached per
 * second in @cache (zero-filled before the first call), so that a run of rows in one second
 * (an export's) costs a copy each. Years outside 0-9999 (never stored) are clamped. */
typedef struct
{
  gint64 second;
  char text[20];
} FdQueryTimeCache;

#define FD_QUERY_TIME_LEN 24
void fd_query_format_time (FdQueryTimeCache *cache, gint64 ms, char *out);

/* ---- filters and field selection (fd-query-filter.c) ---- */

typedef enum
{
  FD_QUERY_OP_LT,
  FD_QUERY_OP_LE,
  FD_QUERY_OP_GT,
  FD_QUERY_OP_GE,
  FD_QUERY_OP_EQ,
  FD_QUERY_OP_NE,
} FdQueryOp;

typedef struct
{
  char *path;
  FdQueryOp op;
  FdFieldType type; /* NUMBER, STRING or BOOLEAN */
  double number;    /* NUMBER, BOOLEAN (0 or 1) */
  char *string;     /* STRING */
} FdQueryFilter;

/* Parses "field.PATH OP VALUE" or "PATH OP VALUE" (fd-query.h ops; VALUE a number, true/false,
 * or a string, optionally in double quotes). NULL on success, else what is wrong (static). */
const char *fd_query_filter_parse (const char *text, FdQueryFilter *filter);
void fd_query_filter_clear (FdQueryFilter *filter);

/* Reads stored payloads for filters and field selections: a payload scanner and scratch. */
typedef struct _FdQueryPayload FdQueryPayload;
FdQueryPayload *fd_query_payload_new (void);
void fd_query_payload_free (FdQueryPayload *p);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (FdQueryPayload, fd_query_payload_free)
/* Scans @payload (a stored compact payload, NUL-terminated). FALSE if it does not scan. */
gboolean fd_query_payload_load (FdQueryPayload *p, const char *payload);
/* Whether the loaded payload passes every filter. */
gboolean fd_query_payload_matches (FdQueryPayload *p, const FdQueryFilter *filters, guint n);
/* Appends {"path":value,…} of the @fields the loaded payload has (in @fields order). */
void fd_query_payload_project (FdQueryPayload *p, const char *const *fields, GString *out);

/* ---- raw rows (fd-query-raw.c) ---- */

typedef struct
{
  FdQuerySelection sel;
  gint64 start, end;
  gint64 from, size;
  gboolean descending;
  const char *const *fields; /* NULL: the whole payload */
  const FdQueryFilter *filters;
  guint n_filters;
} FdQueryRaw;

typedef struct
{
  gint64 ts_device;
  gint64 ts_in;
  guint stream; /* index into FdQueryRawResult.streams */
  char *payload;
} FdQueryRow;

typedef struct
{
  GArray *streams; /* FdQueryStream */
  GArray *rows;    /* FdQueryRow */
  gboolean has_more;
} FdQueryRawResult;

/* The page [from, from + size) of the rows of @q in device-time order (ties by arrival). */
gboolean fd_query_raw (FdDb *db, const FdQueryRaw *q, FdQueryRawResult *out, GError **error);
void fd_query_raw_result_clear (FdQueryRawResult *r);
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (FdQueryRawResult, fd_query_raw_result_clear)

/* ---- aggregates and series (fd-query-aggregate.c) ---- */

typedef enum
{
  FD_QUERY_FN_AVG = 1 << 0,
  FD_QUERY_FN_MIN = 1 << 1,
  FD_QUERY_FN_MAX = 1 << 2,
  FD_QUERY_FN_SUM = 1 << 3,
  FD_QUERY_FN_COUNT = 1 << 4,
  FD_QUERY_FN_FIRST = 1 << 5,
  FD_QUERY_FN_LAST = 1 << 6,
} FdQueryFn;

typedef enum
{
  FD_QUERY_GROUP_NONE,
  FD_QUERY_GROUP_DEVICE,
  FD_QUERY_GROUP_FLEET,
} FdQueryGroup;

/* One bucket of one group. first/last: the point with the lowest / highest device time, on a
 * tie the one stored first / last (ord: the order in which points were stored). */
typedef struct
{
  gint64 n;
  double sum, min, max, first, last;
  gint64 first_ts, last_ts;
  gint64 first_ord, last_ord;
} FdQueryAcc;

#define FD_QUERY_N_FNS 7 /* FdQueryFn bit i is the i-th of avg … last */
#define FD_QUERY_FN_NAMES "avg, min, max, sum, count, first, last"

/* The FdQueryFn mask of a comma list of names ("avg,max, count"): 0 when it names none, or
 * names something else (*@bad then that name, to free). */
guint fd_query_fns_parse (const char *list, char **bad);
/* "avg" for FD_QUERY_FN_AVG, and so on. */
const char *fd_query_fn_name (FdQueryFn fn);
/* The value of @fn (not COUNT, which is @a->n) in a non-empty bucket. */
double fd_query_acc_value (const FdQueryAcc *a, FdQueryFn fn);

/* The width in ms of a bucket "none" (0) or N followed by m, h or d, from a minute to
 * FD_QUERY_MAX_BUCKET_DAYS days; -1 when @text is neither. */
#define FD_QUERY_MAX_BUCKET_DAYS 10000
gint64 fd_query_bucket_parse (const char *text);

typedef struct
{
  FdQuerySelection sel; /* exactly one tag */
  const char *field;
  gint64 start, end;
  gint64 width; /* bucket width in ms, 0: one bucket for the whole range */
  FdQueryGroup group;
  guint max_groups;    /* 0: no limit but FD_QUERY_MAX_BUCKETS */
  gboolean stats_only; /* only n, sum, min, max are wanted: first / last not computed */
} FdQueryAggregate;

/* Called for each non-empty bucket, by group key then bucket start. @key is the device or fleet
 * id (NULL for GROUP_NONE). */
typedef void (*FdQueryEmit) (const char *key, gint64 bucket, const FdQueryAcc *acc,
                             gpointer user_data);
/* Called once per group, before its buckets (@key as above). */
typedef void (*FdQueryGroupStart) (const char *key, gpointer user_data);

gboolean fd_query_aggregate (FdDb *db, const FdQueryAggregate *q, FdQueryGroupStart group_start,
                             FdQueryEmit emit, gpointer user_data, GError **error);

/* The bucket width of a chart of [start, end) with at most @points buckets (aligned to the
 * epoch): at least 1 ms, whole minutes from a minute on, whole hours from 20 minutes on (so
 * that rollup_1h serves it: the chart may then have fewer than @points buckets). */
gint64 fd_query_series_width (gint64 start, gint64 end, guint points);

/* The name of device @device_id (NULL when it was deleted). */
char *fd_query_device_name (FdDb *db, const char *device_id, GError **error);

G_END_DECLS
