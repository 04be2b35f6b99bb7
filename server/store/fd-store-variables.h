/* fd-store-variables.h — a device's variables (its "device twin"): what the operator set for a
 * key (table variable, also stored as expected[key]) beside what the device last reported under
 * that key (device_report). A variable is applied once the device reported the key at or after
 * it was set (applied_at, written in the transaction that stores the report). Times are epoch
 * milliseconds.
 *
 * Every function here runs inside a store job (fd-store.h): on the writer for changes, on a
 * reader for queries.
 */
#pragma once

#include "fd-store-entities.h"

G_BEGIN_DECLS

typedef enum
{
  FD_VARIABLE_STATE_ANY,
  FD_VARIABLE_STATE_PENDING,  /* set, not reported since */
  FD_VARIABLE_STATE_APPLIED,  /* set, and reported at or after set_at */
  FD_VARIABLE_STATE_REPORTED, /* never set: a plain key the device reported on its own */
} FdVariableState;

/* One key of one device: the variable set (value NULL when none) and the report (reported
 * NULL when none). */
typedef struct
{
  char *device_id;
  char *device_name;
  char *key;
  char *value; /* compact JSON text, or NULL */
  gint64 set_at;
  gint64 applied_at; /* 0: not applied */
  char *reported;    /* compact JSON text, or NULL */
  gint64 reported_t;
} FdVariable;

void fd_variable_free (FdVariable *v);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (FdVariable, fd_variable_free)
FdVariableState fd_variable_state (const FdVariable *v);
const char *fd_variable_state_name (FdVariableState state);

/* Sets (or replaces) the variable, not applied. The caller stores expected[@key] itself
 * (fd_downlink_store_entry) and passes its t as @set_at. */
gboolean fd_store_variable_set (FdDb *db, const char *device_id, const char *key,
                                const char *value_json, gint64 set_at, const char *actor,
                                GError **error);
/* Removes the variable; *@existed says whether there was one. */
gboolean fd_store_variable_delete (FdDb *db, const char *device_id, const char *key,
                                   gboolean *existed, GError **error);
/* The device just reported @key at @ts: its variable, set at or before @ts and not yet applied,
 * becomes applied. *@applied says whether one did. One cached statement: the ingest writer
 * runs it for every plain key a device reports. */
gboolean fd_store_variable_applied (FdDb *db, const char *device_id, const char *key, gint64 ts,
                                    gboolean *applied, GError **error);
/* Every variable of @device_id and every plain key it reported (not starting with '@', '#' or
 * '_'), by key. NOT_FOUND when the device does not exist. */
gboolean fd_store_variable_list_device (FdDb *db, const char *device_id, GPtrArray *into,
                                        GError **error);
/* One key of @device_id: NULL with NOT_FOUND when neither set nor reported. */
FdVariable *fd_store_variable_get (FdDb *db, const char *device_id, const char *key,
                                   GError **error);
/* The devices of @workspace_id that have @key set or reported, in @state, by device name. */
gboolean fd_store_variable_list_key (FdDb *db, const char *workspace_id, const char *key,
                                     FdVariableState state, gint64 from, gint64 size, FdPage *page,
                                     GError **error);

G_END_DECLS
