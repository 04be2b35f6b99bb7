/* fd-pane.h — what every pane of the window (and the device page) is: a bin with "folded",
 * whether the window's sidebar is folded away. The window binds it to its leaflet's; the
 * header bar then shows a back button and the window's buttons at its start
 * (fd_ui_pane_header_new(), or the pane's .ui file). */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define FD_TYPE_PANE (fd_pane_get_type ())
G_DECLARE_DERIVABLE_TYPE (FdPane, fd_pane, FD, PANE, AdwBin)

struct _FdPaneClass
{
  AdwBinClass parent_class;
};

gboolean fd_pane_get_folded (FdPane *self);

G_END_DECLS
