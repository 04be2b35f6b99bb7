/* fd-server-sorter.h — a column sorter that stands for an API `sort` key. */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define FD_TYPE_SERVER_SORTER (fd_server_sorter_get_type ())
G_DECLARE_FINAL_TYPE (FdServerSorter, fd_server_sorter, FD, SERVER_SORTER, GtkSorter)

/* @key is an API sort key of devices: "name", "fleet", "created_at", "last_seen" or "online". */
GtkSorter *fd_server_sorter_new (const char *key);
const char *fd_server_sorter_get_key (FdServerSorter *self);

/* The API `sort` value ("name", "-created_at", …) for the primary column of @view_sorter, the
 * sorter of a GtkColumnView whose columns use FdServerSorters; NULL when no column sorts. */
char *fd_server_sorter_dup_sort_param (GtkSorter *view_sorter);

G_END_DECLS
