/* fd-format.h — values of the API as a person reads them: times relative to now, expiry,
 * payloads, fingerprints and credential kinds. */
#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

typedef enum
{
  FD_EXPIRY_NEVER,   /* no expiry */
  FD_EXPIRY_LATER,   /* more than FD_FORMAT_EXPIRES_SOON_DAYS away */
  FD_EXPIRY_SOON,    /* within FD_FORMAT_EXPIRES_SOON_DAYS */
  FD_EXPIRY_EXPIRED, /* in the past */
} FdExpiry;

/* A credential that expires within this many days is shown as a warning. */
#define FD_FORMAT_EXPIRES_SOON_DAYS 30

/* "just now", "12 s ago", "5 min ago", "3 h ago", "2 days ago". A time in the future (the
 * clocks disagree) reads "just now". */
char *fd_format_ago (GDateTime *then, GDateTime *now);
/* The same for an API time; NULL if @rfc3339 is NULL or not a time. */
char *fd_format_ago_rfc3339 (const char *rfc3339, GDateTime *now);

/* An API time in local time with seconds and milliseconds, for tooltips. */
char *fd_format_exact_time (const char *rfc3339);

/* "Never expires", "Expires in 3 days", "Expires in 10 years", "Expired 2 days ago"; @state
 * (may be NULL) tells how to style it. */
char *fd_format_expiry (const char *rfc3339, GDateTime *now, FdExpiry *state);

/* A reading's payload as one line: "temp 21.5 · hum 40 · env.co2 412" (nested objects are
 * flattened as "a.b"; at most @max_fields fields, then "+ N more"). */
char *fd_format_payload (JsonNode *payload, guint max_fields);

/* A SHA-256 fingerprint (64 hex digits) as "3F:9A:…:C2" (@full FALSE: the first and last two
 * bytes) or every byte ("3F:9A:12:…"). Anything else is returned as it is. */
char *fd_format_fingerprint (const char *hex, gboolean full);

/* "Generated certificate", "Signed CSR", "Own certificate", "Device key", "Cloud token". */
const char *fd_format_credential_kind (const char *kind, const char *mode);

/* How long a condition lasted: "42 s", "3 min 07 s", "2 h 05 min", "3 d 4 h". */
char *fd_format_duration (double seconds);

/* "12.5 kB" and the like. */
char *fd_format_size (guint64 bytes);

G_END_DECLS
