/* fd-store-entities.h — workspaces, fleets, devices, API tokens and the audit log.
 *
 * Every function here runs inside a store job (fd-store.h): on the writer for changes, on a
 * reader for queries. Times are epoch milliseconds; 0 means "never" for optional times.
 */
#pragma once

#include "fd-store.h"

G_BEGIN_DECLS

typedef struct
{
  char *id;
  char *name;
  char *description;
  char *default_fleet_id;
  gint64 created_at;
  gint64 updated_at;
  gint64 fleet_count;
  gint64 device_count;
  /* raw data / hour rollups are deleted after this many days; 0: kept for ever */
  gint64 retention_days;
  gint64 rollup_retention_days;
} FdWorkspace;

typedef struct
{
  char *id;
  char *workspace_id;
  char *name;
  char *description;
  gboolean is_default;
  gint64 created_at;
  gint64 updated_at;
  gint64 device_count;
} FdFleet;

typedef struct
{
  char *id;
  char *workspace_id;
  char *fleet_id;
  char *fleet_name;
  char *name;
  char *firmware_version;
  gboolean online;
  gint64 created_at;
  gint64 updated_at;
  gint64 last_seen;
  /* presence as last recorded (fd-device-sessions.c): NULL / 0 when never connected */
  char *transport;
  char *remote_address;
  gint64 connected_at;
  gint64 disconnected_at;
  char *info; /* the device's reported "__info" value, JSON text, or NULL */
} FdDevice;

typedef struct
{
  char *id;
  char *name;
  gint64 created_at;
  gint64 last_used_at;
  gint64 revoked_at;
} FdToken;

typedef struct
{
  gint64 id;
  gint64 at;
  char *actor;
  char *action;
  char *target;
  char *detail; /* a JSON object, as text */
} FdAuditEntry;

void fd_workspace_free (FdWorkspace *w);
void fd_fleet_free (FdFleet *f);
void fd_device_free (FdDevice *d);
void fd_token_free (FdToken *t);
void fd_audit_entry_free (FdAuditEntry *e);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (FdWorkspace, fd_workspace_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (FdFleet, fd_fleet_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (FdDevice, fd_device_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (FdToken, fd_token_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (FdAuditEntry, fd_audit_entry_free)

/* A page of a list: the items (owned) and how many match in all. */
typedef struct
{
  GPtrArray *items;
  gint64 total;
} FdPage;

void fd_page_clear (FdPage *page);
/* The one shape of a listing: count the rows that one key selects, then fetch one page of
 * them into @page (items freed with @free_func); @count_sql and @page_sql both take the key as
 * ?1, @page_sql the page as ?2 (size) and ?3 (from). */
gboolean fd_store_fetch_page (FdDb *db, const char *count_sql, const char *page_sql,
                              const char *key, gint64 from, gint64 size, FdDbRowFunc row,
                              GDestroyNotify free_func, FdPage *page, GError **error);

typedef enum
{
  FD_DEVICE_SORT_NAME,
  FD_DEVICE_SORT_NAME_DESC,
  FD_DEVICE_SORT_CREATED,
  FD_DEVICE_SORT_CREATED_DESC,
  FD_DEVICE_SORT_LAST_SEEN,
  FD_DEVICE_SORT_LAST_SEEN_DESC,
  FD_DEVICE_SORT_FLEET,
  FD_DEVICE_SORT_FLEET_DESC,
  FD_DEVICE_SORT_ONLINE,      /* offline first, then by name */
  FD_DEVICE_SORT_ONLINE_DESC, /* online first, then by name */
} FdDeviceSort;

/* Workspaces. Creating one makes its default fleet, named "default". */
FdWorkspace *fd_store_workspace_create (FdDb *db, const char *name, const char *description,
                                        GError **error);
FdWorkspace *fd_store_workspace_get (FdDb *db, const char *id, GError **error);
/* Cheaper than _get (no counts): TRUE, or FALSE with NOT_FOUND. */
gboolean fd_store_workspace_exists (FdDb *db, const char *id, GError **error);
/* The workspace's default fleet, or NULL with NOT_FOUND when the workspace does not exist. */
char *fd_store_workspace_default_fleet (FdDb *db, const char *id, GError **error);
gboolean fd_store_workspace_list (FdDb *db, const char *search, gint64 from, gint64 size,
                                  FdPage *page, GError **error);
FdWorkspace *fd_store_workspace_update (FdDb *db, const char *id, const char *name,
                                        const char *description, GError **error);
/* Sets the retention (days, 0: for ever) of what @set_raw / @set_rollup say, leaving the other
 * as it is. INVALID unless the result keeps rollups at least as long as raw data (rollups kept
 * for ever when raw data is). */
#define FD_STORE_RETENTION_MAX_DAYS 36500
FdWorkspace *fd_store_workspace_set_retention (FdDb *db, const char *id, gboolean set_raw,
                                               gint64 raw_days, gboolean set_rollup,
                                               gint64 rollup_days, GError **error);
/* Refuses (CONFLICT) when it has devices, unless @force. */
gboolean fd_store_workspace_delete (FdDb *db, const char *id, gboolean force, GError **error);

/* Fleets. */
FdFleet *fd_store_fleet_create (FdDb *db, const char *workspace_id, const char *name,
                                const char *description, GError **error);
FdFleet *fd_store_fleet_get (FdDb *db, const char *id, GError **error);
gboolean fd_store_fleet_list (FdDb *db, const char *workspace_id, const char *search, gint64 from,
                              gint64 size, FdPage *page, GError **error);
FdFleet *fd_store_fleet_update (FdDb *db, const char *id, const char *name, const char *description,
                                GError **error);
/* Refuses (CONFLICT) the default fleet, and a fleet with devices unless @force. */
gboolean fd_store_fleet_delete (FdDb *db, const char *id, gboolean force, GError **error);

/* Devices. A NULL @fleet_id means the workspace's default fleet; a fleet of another workspace
 * is INVALID. */
FdDevice *fd_store_device_create (FdDb *db, const char *workspace_id, const char *fleet_id,
                                  const char *name, GError **error);
/* The same with the id chosen by the caller (bulk import makes ids before certificates). */
FdDevice *fd_store_device_create_with_id (FdDb *db, const char *id, const char *workspace_id,
                                          const char *fleet_id, const char *name, GError **error);
FdDevice *fd_store_device_get (FdDb *db, const char *id, GError **error);
/* Cheaper than _get: TRUE, or FALSE with NOT_FOUND "device … does not exist". */
gboolean fd_store_device_exists (FdDb *db, const char *id, GError **error);
/* Adds the ids of the devices of @workspace_id and/or @fleet_id (NULL: any) to @into (char *). */
gboolean fd_store_device_ids (FdDb *db, const char *workspace_id, const char *fleet_id,
                              GPtrArray *into, GError **error);
/* Adds to @taken (a set of char *) each name of the JSON array @names_json that a device of
 * @workspace_id already has. */
gboolean fd_store_device_names_taken (FdDb *db, const char *workspace_id, const char *names_json,
                                      GHashTable *taken, GError **error);
/* @fleet_ids: NULL or a NULL-terminated list of fleets, any of which matches. @online: -1 any,
 * 0 or 1 only devices whose row says so. */
gboolean fd_store_device_list (FdDb *db, const char *workspace_id, const char *const *fleet_ids,
                               const char *search, int online, FdDeviceSort sort, gint64 from,
                               gint64 size, FdPage *page, GError **error);
FdDevice *fd_store_device_update (FdDb *db, const char *id, const char *name, const char *fleet_id,
                                  GError **error);
gboolean fd_store_device_delete (FdDb *db, const char *id, GError **error);

/* API tokens: only the hash of a secret is kept. */
FdToken *fd_store_token_create (FdDb *db, const char *name, const char *secret_hash,
                                GError **error);
/* The live (not revoked) token with this hash, or NULL (no error) when there is none. */
FdToken *fd_store_token_lookup (FdDb *db, const char *secret_hash, GError **error);
gboolean fd_store_token_list (FdDb *db, gint64 from, gint64 size, FdPage *page, GError **error);
gboolean fd_store_token_revoke (FdDb *db, const char *id, GError **error);
gboolean fd_store_token_touch (FdDb *db, const char *id, gint64 when, GError **error);

/* The audit log. */
gboolean fd_store_audit_add (FdDb *db, const char *actor, const char *action, const char *target,
                             const char *detail, GError **error);
gboolean fd_store_audit_list (FdDb *db, const char *action, const char *target, gint64 from,
                              gint64 size, FdPage *page, GError **error);

G_END_DECLS
