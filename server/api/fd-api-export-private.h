/* fd-api-export-private.h — what the two export route files share: the selection members of a
 * body (format, columns, tags, fleets, devices), the check of a selection in the store, the
 * 503 of a server without exports and the paged lists of exports. */
#pragma once

#include "fd-api-private.h"
#include "store/fd-store-exports.h"

G_BEGIN_DECLS

/* At most this many tags, fleets or devices in one selection. */
#define FD_API_MAX_EXPORT_LIST 1000

typedef struct
{
  char *format;  /* "csv" default */
  char *columns; /* "payload" default */
  char **tags;   /* NULL-terminated; empty: all */
  char **fleets;
  char **devices;
  char *aggregate; /* JSON object text {field, fn, bucket, bucket_ms, group}, or NULL */
} FdApiSelection;

void fd_api_selection_clear (FdApiSelection *s);
/* Reads the selection members of @obj; @defaults FALSE (a PATCH) leaves absent ones NULL.
 * Replies 400 and returns FALSE when one is invalid. */
gboolean fd_api_selection_parse (FdApiRequest *req, JsonObject *obj, gboolean defaults,
                                 FdApiSelection *s);
/* The stored selection JSON of @s. */
char *fd_api_selection_json (const FdApiSelection *s);
/* Reads a stored selection JSON back into @s (lists and columns). */
void fd_api_selection_from_json (const char *json, FdApiSelection *s);
/* "columns", "tags", "fleets", "devices" members from a stored selection JSON. */
void fd_api_json_selection (JsonBuilder *b, const char *selection);

/* In a store job, through the query engine's resolver (fd-query-select.h): NULL when every
 * tag was seen in @workspace_id and every fleet and device is one of its own (or its data is),
 * else the member at fault ("tags", "fleets", "devices") with *@message. NULL with @error set
 * when the store failed, or NOT_FOUND when the workspace does not exist. */
const char *fd_api_selection_check (FdDb *db, const char *workspace_id, const FdApiSelection *s,
                                    char **message, GError **error);

/* The check of a new export's or schedule's selection in its create job: FALSE with @error
 * when workspace @workspace_id does not exist or the store failed; else TRUE, with
 * *@bad_member (and *@message) set as fd_api_selection_check() sets them, or NULL. */
gboolean fd_api_selection_check_new (FdDb *db, const char *workspace_id, const FdApiSelection *s,
                                     const char **bad_member, char **message, GError **error);

/* The body's "aggregate" {field, fn, bucket, group} of export @e (its range set) into
 * @sel->aggregate; replies 400 and returns FALSE when it is not one the export can run. */
gboolean fd_api_export_parse_aggregate (FdApiRequest *req, JsonNode *node, FdApiSelection *sel,
                                        const FdExport *e);

void fd_api_json_export (JsonBuilder *b, gconstpointer record);
/* FALSE, with a 503 "unavailable" reply, when this server runs no exports engine. */
gboolean fd_api_export_need_exports (FdApiRequest *req);
/* Replies 200 with the job's page of exports. */
void fd_api_export_page_reply (FdApiRequest *req, FdApiJob *job);

G_END_DECLS
