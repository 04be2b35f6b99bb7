/* fd-downlink.h — the down channel: messages the server sends a device on j/dn/<device>, and
 * the device's "expected" map that keeps them for a device that is offline.
 *
 * ZDM's model (zdm-protocol.md §3, §4, §7): every down-message the operator sends (a job
 * "@name", a variable) is stored as expected[key] = {v, t} and sent at once to a connected,
 * subscribed device; a device that connects later finds it in the expected map of the #status
 * reply. When the device answers with the same key on j/up, the entry leaves the expected map
 * (fd-device-up.c does that in the same transaction as storing the answer).
 */
#pragma once

#include <gio/gio.h>

#include "device/fd-device-sessions.h"
#include "store/fd-store.h"

G_BEGIN_DECLS

#define FD_DOWNLINK_ERROR (fd_downlink_error_quark ())
GQuark fd_downlink_error_quark (void);

typedef enum
{
  FD_DOWNLINK_ERROR_INVALID,   /* a bad key or value */
  FD_DOWNLINK_ERROR_NOT_FOUND, /* no such device */
  FD_DOWNLINK_ERROR_FAILED,
  FD_DOWNLINK_ERROR_FULL,      /* the device's expected map holds the most entries it may */
} FdDownlinkError;
/* At shutdown, errors may also be FD_STORE_ERROR_CLOSED. */

/* A complete j/dn message: {"key": @key, "value": <@value_json>, "version": @version_ms}
 * (zdm-protocol.md §3.2: version is integer epoch ms). @value_json is trusted JSON text. */
GBytes *fd_downlink_envelope (const char *key, const char *value_json, gint64 version_ms);

typedef struct _FdDownlink FdDownlink;

FdDownlink *fd_downlink_new (FdStore *store, FdSessions *sessions);
void fd_downlink_free (FdDownlink *downlink);

/* Stores expected[@key] = @value_json for @device_id (replacing an older one), then, after the
 * commit, hands the envelope to the device's live session if it has one. Keys starting with
 * '#' are replies the server alone makes, and refused. The result says whether it was
 * delivered now (TRUE) or waits for the device's next #status (FALSE). */
void fd_downlink_send_async (FdDownlink *downlink, const char *device_id, const char *key,
                             const char *value_json, GAsyncReadyCallback callback,
                             gpointer user_data);
/* The same, also running @also (when not NULL) in the transaction that writes the entry, after
 * it, with @also_data (freed with @also_destroy): the operator API's audit entry. */
void fd_downlink_send_full_async (FdDownlink *downlink, const char *device_id, const char *key,
                                  const char *value_json, FdStoreFunc also, gpointer also_data,
                                  GDestroyNotify also_destroy, GAsyncReadyCallback callback,
                                  gpointer user_data);
gboolean fd_downlink_send_finish (GAsyncResult *result, gboolean *delivered, GError **error);
/* The entry's time ("t", epoch ms) of a send that succeeded. */
gint64 fd_downlink_send_get_time (GAsyncResult *result);

/* The parts of a send, for modules that write many entries in one store job of their own (jobs,
 * OTA campaigns): on the writer, fd_downlink_store_entry() stores expected[@key] (FULL when the
 * device already holds MAX other entries; NOT_FOUND when the device does not exist) and sets
 * *@t to its time, later than any other entry of the device (so GET /v1/dn?since= misses
 * none); fd_downlink_drop_entry() removes one (no error when absent). After the commit, on the
 * engine thread, fd_downlink_deliver() hands the message to the device's live session, if it
 * has one that takes it (MQTT subscribed to j/dn, or an HTTPS long poll): TRUE when taken. */
gboolean fd_downlink_store_entry (FdDb *db, const char *device_id, const char *key,
                                  const char *value_json, gint64 *t, GError **error);
gboolean fd_downlink_drop_entry (FdDb *db, const char *device_id, const char *key, GError **error);
gboolean fd_downlink_deliver (FdDownlink *downlink, const char *device_id, const char *key,
                              const char *value_json, gint64 t);

/* The value of the #status reply for @device_id: {"expected": {key: {"v", "t"}}, "current":
 * {key: {"v", "t"}}} (current = every key the device reported, '_' and '__' keys included).
 * Read on a reader. */
void fd_downlink_status_json_async (FdDownlink *downlink, const char *device_id,
                                    GAsyncReadyCallback callback, gpointer user_data);
char *fd_downlink_status_json_finish (GAsyncResult *result, GError **error);

G_END_DECLS
