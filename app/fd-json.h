/* fd-json.h — small readers for the API's JSON: tolerant of missing members and nulls. */
#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* The string member @name, or NULL if it is missing, null or not a string. */
const char *fd_json_get_string (JsonObject *object, const char *name);

/* The object member @name, or NULL. */
JsonObject *fd_json_get_member_object (JsonObject *object, const char *name);

/* If @object has member @name, stores it in @field (a string, or NULL for null) and returns
 * TRUE when that changed @field. */
gboolean fd_json_update_string (JsonObject *object, const char *name, char **field);
gboolean fd_json_update_uint (JsonObject *object, const char *name, guint *field);
gboolean fd_json_update_boolean (JsonObject *object, const char *name, gboolean *field);

/* The "items" array of a list answer and its "total"; NULL with @error if @node is not one. */
JsonArray *fd_json_get_list (JsonNode *node, guint *total, GError **error);

/* The object of an answer; NULL with @error if @node is not an object. */
JsonObject *fd_json_get_object (JsonNode *node, GError **error);

/* An API time ("2026-11-27T10:00:00.123Z") as the user reads it, in local time. NULL if
 * @rfc3339 is NULL or not a time. */
char *fd_json_format_time (const char *rfc3339);

/* A copy of the string member @name, or "" if it is missing or not a string. */
char *fd_json_dup_string (JsonObject *object, const char *name);
/* The number member @name as an integer, or @fallback if it is missing or not a number. */
gint64 fd_json_get_int (JsonObject *object, const char *name, gint64 fallback);

G_END_DECLS
