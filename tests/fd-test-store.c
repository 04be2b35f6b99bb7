/* fd-test-store.c — a real store in a temporary directory for the store's unit tests. */
#include "fd-test-store.h"

#include "fd-test-server.h"

FdStore *
fd_test_store_open (const char *dir_template, FdStoreFunc setup, gpointer data, char **dir)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *path = NULL;
  FdStore *store;

  *dir = g_dir_make_tmp (dir_template, &error);
  g_assert_no_error (error);
  path = g_build_filename (*dir, "fleetdesk.db", NULL);
  store = fd_store_open (path, 2, &error);
  g_assert_no_error (error);
  g_assert_true (fd_store_write_sync (store, setup, data, &error));
  g_assert_no_error (error);
  return store;
}

void
fd_test_store_close (FdStore *store, char **dir)
{
  fd_store_close (store);
  fd_test_rm_rf (*dir);
  g_clear_pointer (dir, g_free);
}
