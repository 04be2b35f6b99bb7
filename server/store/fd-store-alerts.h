/* fd-store-alerts.h — alert rules and the alerts they raise (tables alert_rule and alert of
 * migration 9). A rule names tags and a threshold; an open condition of one of its tags that
 * has been open longer than the threshold raises one alert row per (rule, device, condition),
 * resolved when the condition closes or goes. Times are epoch ms, 0 for "none".
 *
 * Every function runs inside a store job (fd-store.h): on the writer for changes, on a reader
 * for queries.
 */
#pragma once

#include <json-glib/json-glib.h>

#include "store/fd-db.h"
#include "store/fd-store-entities.h"

G_BEGIN_DECLS

#define FD_ALERT_RULE_NAME_MAX_CHARS 128
#define FD_ALERT_RULE_MAX_TAGS 32
#define FD_ALERT_RULE_THRESHOLD_MIN_S 1
#define FD_ALERT_RULE_THRESHOLD_MAX_S (30 * 24 * 3600)

typedef struct
{
  char *id; /* alr-… */
  char *workspace_id;
  char *name;
  char **tags; /* at least one */
  gint64 threshold_ms;
  gint64 active; /* how many of its alerts are active (read only) */
  gint64 created_at;
  gint64 updated_at;
} FdAlertRule;

void fd_alert_rule_free (FdAlertRule *rule);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (FdAlertRule, fd_alert_rule_free)

/* An alert, with the names the API shows. */
typedef struct
{
  char *rule_id;
  char *rule_name;
  char *workspace_id;
  char *device_id;
  char *device_name; /* NULL when unknown */
  char *fleet_id;    /* the condition's (outbox filter), NULL when unknown */
  char *tag;
  char *condition_uuid;
  gint64 condition_start; /* the device's time */
  gint64 triggered_at;
  gint64 resolved_at; /* 0: active */
} FdAlert;

void fd_alert_free (FdAlert *alert);

/* The alert object of the API, the events and the webhooks:
 * {"rule_id","rule_name","device_id","device_name","tag","condition_uuid","condition_start",
 *  "triggered_at","resolved_at","state"}. */
void fd_alert_build (JsonBuilder *b, const FdAlert *alert);
char *fd_alert_to_json (const FdAlert *alert);

/* Creates @rule (id and times set here). NOT_FOUND when the workspace does not exist. */
gboolean fd_store_alert_rule_create (FdDb *db, FdAlertRule *rule, gint64 now, GError **error);
/* The rule @id, or NULL with NOT_FOUND. */
FdAlertRule *fd_store_alert_rule_get (FdDb *db, const char *id, GError **error);
/* @workspace_id's rules (FdAlertRule *), oldest first. NOT_FOUND when it does not exist. */
gboolean fd_store_alert_rule_list (FdDb *db, const char *workspace_id, gint64 from, gint64 size,
                                   FdPage *page, GError **error);
/* Writes name, tags and threshold of @rule stamped @now (updated_at set). NOT_FOUND when gone. */
gboolean fd_store_alert_rule_update (FdDb *db, FdAlertRule *rule, gint64 now, GError **error);
/* Deletes the rule and its alerts. NOT_FOUND when gone. */
gboolean fd_store_alert_rule_delete (FdDb *db, const char *id, GError **error);

typedef enum
{
  FD_ALERT_STATE_ANY,
  FD_ALERT_STATE_ACTIVE,
  FD_ALERT_STATE_RESOLVED,
} FdAlertState;

/* @workspace_id's alerts (FdAlert *) in @state, newest triggered first. NOT_FOUND when the
 * workspace does not exist. */
gboolean fd_store_alert_list (FdDb *db, const char *workspace_id, FdAlertState state, gint64 from,
                              gint64 size, FdPage *page, GError **error);

/* The check (writer): every open condition of a rule's tags opened (server time: a device's
 * clock may be off) at least the rule's threshold before @now, with no alert yet, gets an
 * alert row triggered at @now; every active alert whose condition closed or went, or whose
 * tag the rule no longer names, is resolved at @now. Each comes with its outbox event
 * (alert.triggered / alert.resolved, kind alerts) in this same transaction. The alerts
 * (FdAlert *) are added to @triggered and @resolved for the live events. */
gboolean fd_store_alerts_check (FdDb *db, gint64 now, GPtrArray *triggered, GPtrArray *resolved,
                                GError **error);

G_END_DECLS
