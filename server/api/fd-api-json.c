/* fd-api-json.c — the JSON form of the store's records, and audit details. */
#include "fd-api-private.h"
#include "fd-util.h"

void
fd_api_json_string (JsonBuilder *b, const char *member, const char *value)
{
  fd_json_member_string (b, member, value);
}

void
fd_api_json_raw (JsonBuilder *b, const char *member, const char *json)
{
  fd_json_member_raw (b, member, json);
}

void
fd_api_json_int (JsonBuilder *b, const char *member, gint64 value)
{
  json_builder_set_member_name (b, member);
  json_builder_add_int_value (b, value);
}

void
fd_api_json_bool (JsonBuilder *b, const char *member, gboolean value)
{
  json_builder_set_member_name (b, member);
  json_builder_add_boolean_value (b, value);
}

void
fd_api_json_time (JsonBuilder *b, const char *member, gint64 ms)
{
  fd_json_member_time (b, member, ms);
}

void
fd_api_json_strv (JsonBuilder *b, const char *member, char *const *strv)
{
  json_builder_set_member_name (b, member);
  json_builder_begin_array (b);
  for (guint i = 0; strv != NULL && strv[i] != NULL; i++)
    json_builder_add_string_value (b, strv[i]);
  json_builder_end_array (b);
}

void
fd_api_json_workspace (JsonBuilder *b, const FdWorkspace *w)
{
  json_builder_begin_object (b);
  fd_api_json_string (b, "id", w->id);
  fd_api_json_string (b, "name", w->name);
  fd_api_json_string (b, "description", w->description);
  fd_api_json_string (b, "default_fleet_id", w->default_fleet_id);
  fd_api_json_int (b, "fleet_count", w->fleet_count);
  fd_api_json_int (b, "device_count", w->device_count);
  json_builder_set_member_name (b, "retention_days");
  if (w->retention_days > 0)
    json_builder_add_int_value (b, w->retention_days);
  else
    json_builder_add_null_value (b);
  json_builder_set_member_name (b, "rollup_retention_days");
  if (w->rollup_retention_days > 0)
    json_builder_add_int_value (b, w->rollup_retention_days);
  else
    json_builder_add_null_value (b);
  fd_api_json_time (b, "created_at", w->created_at);
  fd_api_json_time (b, "updated_at", w->updated_at);
  json_builder_end_object (b);
}

void
fd_api_json_fleet (JsonBuilder *b, const FdFleet *f)
{
  json_builder_begin_object (b);
  fd_api_json_string (b, "id", f->id);
  fd_api_json_string (b, "workspace_id", f->workspace_id);
  fd_api_json_string (b, "name", f->name);
  fd_api_json_string (b, "description", f->description);
  fd_api_json_bool (b, "is_default", f->is_default);
  fd_api_json_int (b, "device_count", f->device_count);
  fd_api_json_time (b, "created_at", f->created_at);
  fd_api_json_time (b, "updated_at", f->updated_at);
  json_builder_end_object (b);
}

void
fd_api_json_device (JsonBuilder *b, const FdDevice *d)
{
  json_builder_begin_object (b);
  fd_api_json_string (b, "id", d->id);
  fd_api_json_string (b, "workspace_id", d->workspace_id);
  fd_api_json_string (b, "fleet_id", d->fleet_id);
  fd_api_json_string (b, "fleet_name", d->fleet_name);
  fd_api_json_string (b, "name", d->name);
  fd_api_json_bool (b, "online", d->online);
  fd_api_json_time (b, "last_seen", d->last_seen);
  json_builder_set_member_name (b, "presence");
  json_builder_begin_object (b);
  fd_api_json_string (b, "transport", d->transport);
  fd_api_json_string (b, "address", d->remote_address);
  fd_api_json_time (b, "connected_at", d->connected_at);
  fd_api_json_time (b, "disconnected_at", d->disconnected_at);
  json_builder_end_object (b);
  json_builder_set_member_name (b, "info");
  {
    /* Stored as the device sent it, after the payload checks: it parses. */
    JsonNode *info = d->info != NULL ? json_from_string (d->info, NULL) : NULL;
    if (info != NULL)
      json_builder_add_value (b, info);
    else
      json_builder_add_null_value (b);
  }
  fd_api_json_string (b, "firmware_version", d->firmware_version);
  fd_api_json_time (b, "created_at", d->created_at);
  fd_api_json_time (b, "updated_at", d->updated_at);
  json_builder_end_object (b);
}

void
fd_api_json_token (JsonBuilder *b, const FdToken *t, const char *secret)
{
  json_builder_begin_object (b);
  fd_api_json_string (b, "id", t->id);
  fd_api_json_string (b, "name", t->name);
  fd_api_json_time (b, "created_at", t->created_at);
  fd_api_json_time (b, "last_used_at", t->last_used_at);
  fd_api_json_bool (b, "revoked", t->revoked_at != 0);
  if (secret != NULL)
    fd_api_json_string (b, "token", secret);
  json_builder_end_object (b);
}

void
fd_api_json_audit (JsonBuilder *b, const FdAuditEntry *e)
{
  g_autoptr (JsonNode) detail = json_from_string (e->detail, NULL);

  json_builder_begin_object (b);
  fd_api_json_int (b, "id", e->id);
  fd_api_json_time (b, "at", e->at);
  fd_api_json_string (b, "actor", e->actor);
  fd_api_json_string (b, "action", e->action);
  fd_api_json_string (b, "target", e->target);
  json_builder_set_member_name (b, "detail");
  if (detail != NULL)
    json_builder_add_value (b, g_steal_pointer (&detail));
  else
    {
      json_builder_begin_object (b);
      json_builder_end_object (b);
    }
  json_builder_end_object (b);
}

JsonNode *
fd_api_json_page (const FdPage *page, FdApiJsonFunc func)
{
  g_autoptr (JsonBuilder) b = json_builder_new ();

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "items");
  json_builder_begin_array (b);
  for (guint i = 0; page->items != NULL && i < page->items->len; i++)
    func (b, g_ptr_array_index (page->items, i));
  json_builder_end_array (b);
  fd_api_json_int (b, "total", page->total);
  json_builder_end_object (b);
  return json_builder_get_root (b);
}

JsonNode *
fd_api_json_one (gconstpointer record, FdApiJsonFunc func)
{
  g_autoptr (JsonBuilder) b = json_builder_new ();

  func (b, record);
  return json_builder_get_root (b);
}

gboolean
fd_api_audit (FdDb *db, FdApiJob *job, const char *action, const char *target, GError **error, ...)
{
  g_autoptr (JsonBuilder) b = json_builder_new ();
  g_autoptr (JsonNode) node = NULL;
  g_autofree char *detail = NULL;
  const char *key;
  va_list args;

  json_builder_begin_object (b);
  va_start (args, error);
  while ((key = va_arg (args, const char *)) != NULL)
    {
      const char *value = va_arg (args, const char *);
      if (value != NULL)
        fd_api_json_string (b, key, value);
    }
  va_end (args);
  json_builder_end_object (b);
  node = json_builder_get_root (b);
  detail = json_to_string (node, FALSE);
  return fd_store_audit_add (db, job->actor, action, target, detail, error);
}
