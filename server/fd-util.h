/* fd-util.h — identifiers, secrets, times and JSON strings shared by the engine. */
#pragma once

#include <glib.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* Fills @buf with cryptographically random bytes (getrandom); aborts if the kernel cannot. */
void fd_random_bytes (guint8 *buf, gsize len);

/* A new identifier: @prefix ("dev", "wks", …), a dash, and 20 random base32 characters. */
char *fd_id_new (const char *prefix);

/* TRUE when @id looks like an identifier with @prefix (bounded length, base32 alphabet). */
gboolean fd_id_is_valid (const char *id, const char *prefix);

/* A new API token secret: "fdt_" and 52 random base32 characters (260 bits). */
char *fd_token_new_secret (void);

/* The lowercase hex SHA-256 of @secret: what the store keeps instead of the secret. */
char *fd_token_hash (const char *secret);

/* TRUE when @a and @b are equal, in time that depends only on their lengths. */
gboolean fd_secret_equal (const char *a, const char *b);

/* A copy of @len bytes of secret @data that is wiped when its last reference goes. */
GBytes *fd_secret_bytes_new (gconstpointer data, gsize len);

/* One iteration of @context that waits at most @max_wait_ms for something to happen: drain
 * loops with a deadline call it, so that they look at their deadline even when nothing comes. */
void fd_main_context_iterate_for (GMainContext *context, guint max_wait_ms);

/* Wall-clock time in milliseconds since the epoch. */
gint64 fd_now_ms (void);

/* RFC 3339 UTC with milliseconds: "2026-11-27T10:00:00.123Z". */
char *fd_time_format_ms (gint64 ms);

/* Appends the @n bytes of @s (valid UTF-8: callers that cannot promise it make it so first)
 * as a JSON string literal, quotes included: '"', '\\' and control characters escaped, and
 * DEL too when @escape_del (what the device protocol's error answers do). */
void fd_json_append_string (GString *out, const char *s, gsize n, gboolean escape_del);

/* The members every record's JSON has, for the engine and the API alike (fd_api_json_string
 * and the others are these): "member": @value, JSON null when NULL; "member": @ms in RFC 3339,
 * null when 0 (never); "member": the JSON text @json parsed, null when NULL or not JSON. */
void fd_json_member_string (JsonBuilder *b, const char *member, const char *value);
void fd_json_member_time (JsonBuilder *b, const char *member, gint64 ms);
void fd_json_member_raw (JsonBuilder *b, const char *member, const char *json);

/* Writes all @len bytes to @fd (again after EINTR); FALSE with errno set on an error. */
gboolean fd_write_all (int fd, const void *data, gsize len);
/* fsync()s the directory holding @path, so that a rename into it is durable (best effort). */
void fd_fsync_dir_of (const char *path);

G_END_DECLS
