/* fd-store-records.c — freeing the records the store hands out, and fetching a page of them. */
#include "fd-store-entities.h"

void
fd_workspace_free (FdWorkspace *w)
{
  if (w == NULL)
    return;
  g_free (w->id);
  g_free (w->name);
  g_free (w->description);
  g_free (w->default_fleet_id);
  g_free (w);
}

void
fd_fleet_free (FdFleet *f)
{
  if (f == NULL)
    return;
  g_free (f->id);
  g_free (f->workspace_id);
  g_free (f->name);
  g_free (f->description);
  g_free (f);
}

void
fd_device_free (FdDevice *d)
{
  if (d == NULL)
    return;
  g_free (d->id);
  g_free (d->workspace_id);
  g_free (d->fleet_id);
  g_free (d->fleet_name);
  g_free (d->name);
  g_free (d->firmware_version);
  g_free (d->transport);
  g_free (d->remote_address);
  g_free (d->info);
  g_free (d);
}

void
fd_token_free (FdToken *t)
{
  if (t == NULL)
    return;
  g_free (t->id);
  g_free (t->name);
  g_free (t);
}

void
fd_audit_entry_free (FdAuditEntry *e)
{
  if (e == NULL)
    return;
  g_free (e->actor);
  g_free (e->action);
  g_free (e->target);
  g_free (e->detail);
  g_free (e);
}

void
fd_page_clear (FdPage *page)
{
  g_clear_pointer (&page->items, g_ptr_array_unref);
  page->total = 0;
}

gboolean
fd_store_fetch_page (FdDb *db, const char *count_sql, const char *page_sql, const char *key,
                     gint64 from, gint64 size, FdDbRowFunc row, GDestroyNotify free_func,
                     FdPage *page, GError **error)
{
  sqlite3_stmt *stmt = fd_db_prepare (db, count_sql, error);

  if (stmt == NULL)
    return FALSE;
  fd_db_bind_text (stmt, 1, key);
  if (!fd_db_fetch_count (db, stmt, &page->total, error))
    return FALSE;
  stmt = fd_db_prepare (db, page_sql, error);
  if (stmt == NULL)
    return FALSE;
  fd_db_bind_text (stmt, 1, key);
  sqlite3_bind_int64 (stmt, 2, size);
  sqlite3_bind_int64 (stmt, 3, from);
  page->items = g_ptr_array_new_with_free_func (free_func);
  return fd_db_fetch_all (db, stmt, row, page->items, error);
}
