/* fd-query-select.h — which stored data a selection names: streams and point series.
 *
 * A selection is a workspace and optional lists of tags, devices and fleets (each "any of",
 * the lists ANDed). It resolves to the streams (one per device, fleet and tag as data arrived:
 * a device that moved keeps a stream per fleet) and, for a field path, to their point series.
 * Every name is checked against the workspace: a tag never seen there, a device or fleet of
 * another workspace, a field no selected tag has are errors (an FD_QUERY_ERROR naming the
 * parameter), so that a typo is not answered with an empty result. Used by raw queries,
 * aggregates, series and exports, on a reader connection.
 */
#pragma once

#include "store/fd-db.h"

G_BEGIN_DECLS

#define FD_QUERY_ERROR (fd_query_error_quark ())
GQuark fd_query_error_quark (void);

/* Each code names the parameter the problem is in; the message says what is wrong. */
typedef enum
{
  FD_QUERY_ERROR_TAG,    /* a tag never seen in the workspace */
  FD_QUERY_ERROR_DEVICE, /* a device not in the workspace */
  FD_QUERY_ERROR_FLEET,  /* a fleet not in the workspace */
  FD_QUERY_ERROR_FIELD,  /* the aggregated field: unknown, or not numeric */
  FD_QUERY_ERROR_FIELDS, /* a selected field that no selected tag has */
  FD_QUERY_ERROR_FILTER, /* a filter on a field that no selected tag has */
  FD_QUERY_ERROR_BUCKET, /* too many buckets x groups */
  FD_QUERY_ERROR_SERIES, /* too many series for a chart */
} FdQueryError;

/* The parameter an FD_QUERY_ERROR is about ("tag", "device", "fields", …), for the API. */
const char *fd_query_error_field (const GError *error);

typedef struct
{
  const char *workspace_id;
  const char *const *tags; /* NULL-terminated, or NULL: any */
  const char *const *devices;
  const char *const *fleets;
} FdQuerySelection;

typedef struct
{
  gint64 id;
  char *device_id;
  char *fleet_id;
  char *tag;
} FdQueryStream;

typedef struct
{
  gint64 id;
  guint stream; /* index into the streams it was resolved from */
} FdQuerySeries;

/* The streams of @sel (FdQueryStream, in id order) into @streams, an array made by
 * fd_query_streams_new(). Fails (TAG, DEVICE, FLEET) when a name is unknown in the workspace
 * (NOT_FOUND of FD_STORE_ERROR when the workspace does not exist). */
GArray *fd_query_streams_new (void);
gboolean fd_query_resolve_streams (FdDb *db, const FdQuerySelection *sel, GArray *streams,
                                   GError **error);

/* Whether @path is a field of one of @tags (any tag of the workspace when NULL) in
 * @workspace_id (*@known), and whether it was ever a number (*@numeric). */
gboolean fd_query_field_type (FdDb *db, const char *workspace_id, const char *const *tags,
                              const char *path, gboolean *known, gboolean *numeric, GError **error);

/* @items as a JSON array of strings, NULL when there are none (a list bound for json_each). */
char *fd_query_json_list (const char *const *items);

/* The point series of @path in each of @streams (FdQuerySeries, in stream order), into
 * @series; streams without one are left out. */
gboolean fd_query_resolve_series (FdDb *db, GArray *streams, const char *path, GArray *series,
                                  GError **error);

G_END_DECLS
