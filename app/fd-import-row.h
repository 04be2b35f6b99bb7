/* fd-import-row.h — one row of a CSV file checked by a dry run, for the import preview. */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

#define FD_TYPE_IMPORT_ROW (fd_import_row_get_type ())
G_DECLARE_FINAL_TYPE (FdImportRow, fd_import_row, FD, IMPORT_ROW, GObject)

/* @line is where the record starts in the file; @fleet and @credential are as shown. */
FdImportRow *fd_import_row_new (guint line, const char *name, const char *fleet,
                                const char *credential);
guint fd_import_row_get_line (FdImportRow *self);
const char *fd_import_row_get_name (FdImportRow *self);

G_END_DECLS
