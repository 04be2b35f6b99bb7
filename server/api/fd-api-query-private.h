/* fd-api-query-private.h — what the data query routes (fd-api-query.c) and their parameter
 * parsing (fd-api-query-params.c) share. */
#pragma once

#include "fd-api-private.h"
#include "query/fd-query.h"

G_BEGIN_DECLS

typedef struct
{
  char **tags, **devices, **fleets;
  FdQuerySelection sel;
  /* raw */
  FdQueryRaw raw;
  char **fields;
  FdQueryFilter filters[FD_QUERY_MAX_FILTERS];
  guint n_filters;
  /* aggregate and series */
  FdQueryAggregate agg;
  char *field;
  guint fns;
  gboolean series; /* a chart, not an aggregate */
  FdDb *db;        /* during the job: device names */
  gboolean first_group, first_item;
  /* the outcome */
  GString *text;
  GError *problem; /* an FD_QUERY_ERROR: a 400 naming its parameter */
} FdApiQueryData;

void fd_api_query_data_free (gpointer data);

/* Replies 400 invalid_parameter about @field; returns FALSE. */
gboolean fd_api_query_bad (FdApiRequest *req, const char *field, const char *message);
/* Each of these reads its parameters into @d (or @out) or replies 400 and returns FALSE. */
/* tag, device, fleet, start, end; @default_range: an absent range is the last day up to now. */
gboolean fd_api_query_param_selection (FdApiRequest *req, FdApiQueryData *d, gboolean default_range,
                                       gint64 *start, gint64 *end);
gboolean fd_api_query_one_tag (FdApiRequest *req, FdApiQueryData *d);
gboolean fd_api_query_param_field (FdApiRequest *req, FdApiQueryData *d);
gboolean fd_api_query_param_fields (FdApiRequest *req, FdApiQueryData *d);
gboolean fd_api_query_param_filters (FdApiRequest *req, FdApiQueryData *d);
gboolean fd_api_query_param_fns (FdApiRequest *req, FdApiQueryData *d);
gboolean fd_api_query_param_bucket (FdApiRequest *req, gint64 *width);
gboolean fd_api_query_param_group (FdApiRequest *req, FdQueryGroup *group);

G_END_DECLS
