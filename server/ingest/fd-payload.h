/* fd-payload.h — checking and flattening what devices publish, without building a JSON tree.
 *
 * A payload is one JSON object. The scanner checks it in one pass (UTF-8, nesting depth, size,
 * strict JSON grammar, nothing after the object), writes a compact copy (whitespace outside
 * strings removed, everything else byte for byte) and lists its leaf fields: nested objects
 * are flattened into dotted paths ("a.b"); arrays are leaves of type ARRAY (not descended
 * into). Numbers are parsed to doubles for the numeric points. The scanner is reusable: its
 * buffers grow to the largest payload seen and are kept, so scanning allocates nothing in the
 * steady state. Not thread-safe: one scanner per thread.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define FD_PAYLOAD_ERROR (fd_payload_error_quark ())
GQuark fd_payload_error_quark (void);

typedef enum
{
  FD_PAYLOAD_ERROR_NOT_OBJECT, /* valid JSON, but not an object at the top */
  FD_PAYLOAD_ERROR_SYNTAX,     /* not JSON (the message says what and at which byte) */
  FD_PAYLOAD_ERROR_UTF8,       /* not UTF-8, or a \u escape that is not a Unicode scalar */
  FD_PAYLOAD_ERROR_TOO_DEEP,   /* nested deeper than the limit */
  FD_PAYLOAD_ERROR_TOO_LARGE,  /* over the byte limit, or too many fields, or a path too long */
  FD_PAYLOAD_ERROR_NUMBER,     /* a number that does not fit a double (1e999) */
  FD_PAYLOAD_ERROR_DUPLICATE,  /* the same key twice in one object */
  FD_PAYLOAD_ERROR_BATCH,      /* a batch that is not [{"ts", "payload"}, …] (message says why) */
} FdPayloadError;

/* Defaults; the limits a scanner applies are set with fd_payload_scanner_set_limits(). */
#define FD_PAYLOAD_DEFAULT_MAX_BYTES (64 * 1024)
#define FD_PAYLOAD_DEFAULT_MAX_DEPTH 8
#define FD_PAYLOAD_MAX_FIELDS 256     /* leaf fields per payload */
#define FD_PAYLOAD_MAX_PATH_BYTES 256 /* a flattened path, in bytes */
#define FD_PAYLOAD_MAX_BATCH 10000    /* readings in one batch */

typedef enum
{
  FD_FIELD_NUMBER,
  FD_FIELD_STRING,
  FD_FIELD_BOOLEAN,
  FD_FIELD_NULL,
  FD_FIELD_ARRAY,
  FD_FIELD_OBJECT, /* only for an empty object {} as a leaf */
} FdFieldType;

/* "number", "string", "boolean", "null", "array", "object". */
const char *fd_field_type_name (FdFieldType type);

typedef struct
{
  const char *path; /* NUL-terminated, owned by the scanner, valid until the next scan */
  guint path_len;
  FdFieldType type;
  double number;     /* for FD_FIELD_NUMBER */
  gsize value_offset; /* where its value starts in the scanned text (queries read it there) */
} FdPayloadField;

typedef struct _FdPayloadScanner FdPayloadScanner;

FdPayloadScanner *fd_payload_scanner_new (void);
void fd_payload_scanner_free (FdPayloadScanner *scanner);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (FdPayloadScanner, fd_payload_scanner_free)

/* @max_bytes: largest payload (and, for a batch, largest whole batch is the caller's business);
 * @max_depth: nesting of objects and arrays, the top object being depth 1. */
void fd_payload_scanner_set_limits (FdPayloadScanner *scanner, gsize max_bytes, guint max_depth);

/* Checks @text (@len bytes, not necessarily NUL-terminated) as one payload object. On success
 * the compact copy and the fields stay readable until the next call on this scanner. Keys are
 * unescaped into paths; a path containing a control character is refused (SYNTAX). */
gboolean fd_payload_scan (FdPayloadScanner *scanner, const char *text, gsize len, GError **error);

const char *fd_payload_compact (FdPayloadScanner *scanner, gsize *len);
guint fd_payload_n_fields (FdPayloadScanner *scanner);
const FdPayloadField *fd_payload_field (FdPayloadScanner *scanner, guint i);

/* One element of a batch: where its payload object lies in the batch text, and its time. */
typedef struct
{
  gsize payload_offset; /* into the batch text */
  gsize payload_len;
  gint64 ts_ms; /* the "ts": RFC 3339 (any offset, 0-9 fractional digits) or epoch ms */
} FdBatchItem;

/* Checks that @text is a JSON array of 1..@max_items objects, each exactly
 * {"ts": <RFC 3339 string | integer epoch ms>, "payload": {…}} (members in any order, no
 * others), and fills @items (an array of FdBatchItem, cleared first). The payloads themselves
 * are only delimited here: check each with fd_payload_scan(). Errors name the element index
 * ("reading 3: ts is not RFC 3339 or epoch milliseconds"). Epoch ms must lie in
 * [0, 253402300799999] (years 1970-9999). */
gboolean fd_payload_scan_batch (FdPayloadScanner *scanner, const char *text, gsize len,
                                guint max_items, GArray *items, GError **error);

/* Parses an RFC 3339 time ("2026-11-27T10:00:00Z", "…T10:00:00.123456+02:00"; 0-9 fractional
 * digits, 'T' or 't', 'Z'/'z' or ±hh:mm) into epoch ms (fraction truncated). Also used by the
 * operator API for query times. */
gboolean fd_time_parse_rfc3339 (const char *text, gsize len, gint64 *ms);

G_END_DECLS
