/* fd-test-store.h — a real store for the unit tests of the store's jobs: a fresh database in a
 * temporary directory, the test's rows written before the test starts. */
#pragma once

#include "store/fd-store.h"

G_BEGIN_DECLS

/* A store (2 readers) in a new temporary directory made from @dir_template
 * ("fd-outbox-XXXXXX"), returned in *@dir, after @setup (@data) ran in one write job; the test
 * fails when any of it does. */
FdStore *fd_test_store_open (const char *dir_template, FdStoreFunc setup, gpointer data,
                             char **dir);
/* Closes @store, then removes and frees *@dir. */
void fd_test_store_close (FdStore *store, char **dir);

G_END_DECLS
