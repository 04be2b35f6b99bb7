/* fd-store-conditions.h — conditions devices open and close, and a device's two status maps:
 * what it reported (device_report, "current") and what the operator expects it to take
 * (device_expected, "expected"). Times are epoch milliseconds.
 *
 * Every function here runs inside a store job (fd-store.h): on the writer for changes, on a
 * reader for queries.
 */
#pragma once

#include "fd-store-entities.h"

G_BEGIN_DECLS

/* A condition row. */
typedef struct
{
  char *device_id;
  char *workspace_id;
  char *fleet_id;
  char *uuid;
  char *tag;
  char *payload;  /* compact JSON text, or NULL */
  char *payloadf; /* compact JSON text, or NULL */
  gint64 start;   /* epoch ms (the device's time) */
  gint64 finish;  /* epoch ms; meaningful only when !open */
  gboolean open;
} FdCondition;

void fd_condition_free (FdCondition *condition);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (FdCondition, fd_condition_free)

/* A condition of the list, with its device's name (NULL when the device is gone). */
typedef struct
{
  FdCondition condition;
  char *device_name;
} FdConditionItem;

void fd_condition_item_free (FdConditionItem *item);

/* The condition @uuid of @device_id, or NULL (no error) when there is none. */
FdCondition *fd_store_condition_get (FdDb *db, const char *device_id, const char *uuid,
                                     GError **error);
/* Inserts @c (open, or closed when !c->open) stamped @now. */
gboolean fd_store_condition_insert (FdDb *db, const FdCondition *c, gint64 now, GError **error);
/* Writes payload, payloadf and finish of @c (an existing row) stamped @now. */
gboolean fd_store_condition_update (FdDb *db, const FdCondition *c, gint64 now, GError **error);
/* How many conditions @device_id has open. */
gboolean fd_store_condition_count_open (FdDb *db, const char *device_id, gint64 *count,
                                        GError **error);
/* Adds @device_id's open conditions (FdCondition *), oldest first, to @into. */
gboolean fd_store_condition_open_list (FdDb *db, const char *device_id, GPtrArray *into,
                                       GError **error);

typedef enum
{
  FD_CONDITION_STATUS_ANY,
  FD_CONDITION_STATUS_OPEN,
  FD_CONDITION_STATUS_CLOSED,
} FdConditionStatus;

/* What the conditions list keeps. Lists are NULL (any) or NULL-terminated, any of which
 * matches. @threshold_ms keeps conditions open at least that long (finish - start when closed,
 * @now - start while open; 0 keeps all); @start_from (included) and @start_to (excluded)
 * bound the start time (G_MININT64 and G_MAXINT64 keep all). */
typedef struct
{
  FdConditionStatus status;
  const char *const *tags;
  const char *const *devices;
  const char *const *fleets;
  gint64 threshold_ms;
  gint64 start_from;
  gint64 start_to;
  gint64 now;
} FdConditionFilter;

/* The page of @workspace_id's conditions (FdConditionItem *) matching @filter, newest start
 * first. NOT_FOUND when the workspace does not exist. */
gboolean fd_store_condition_list (FdDb *db, const char *workspace_id,
                                  const FdConditionFilter *filter, gint64 from, gint64 size,
                                  FdPage *page, GError **error);

/* An entry of a status map: key -> {"v": value, "t": t}. */
typedef struct
{
  char *key;
  char *value; /* JSON text */
  gint64 t;
} FdStatusEntry;

void fd_status_entry_free (FdStatusEntry *e);

/* expected[@key] = @value_json (replacing an older one), stamped @t. NOT_FOUND when the device
 * does not exist. */
gboolean fd_store_expected_set (FdDb *db, const char *device_id, const char *key,
                                const char *value_json, gint64 t, GError **error);
/* How many entries @device_id's expected map holds besides @key's. */
gboolean fd_store_expected_count_others (FdDb *db, const char *device_id, const char *key,
                                         gint64 *count, GError **error);
/* Adds @device_id's expected and current entries (FdStatusEntry *), by key. NOT_FOUND when
 * the device does not exist. */
gboolean fd_store_device_status (FdDb *db, const char *device_id, GPtrArray *expected,
                                 GPtrArray *current, GError **error);

G_END_DECLS
