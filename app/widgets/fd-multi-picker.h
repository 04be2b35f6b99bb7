/* fd-multi-picker.h — a button that picks any number of items (devices, fleets) from a list:
 * its label summarises the choice ("All Devices", "probe-a", "3 Devices"), its popover has a
 * search entry, "All" (which clears the choice) and a check row per item. */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

/* Toggles within this long of each other make one "changed" signal (one refetch). */
#define FD_MULTI_PICKER_DEBOUNCE_MS 300

#define FD_TYPE_MULTI_PICKER (fd_multi_picker_get_type ())
G_DECLARE_FINAL_TYPE (FdMultiPicker, fd_multi_picker, FD, MULTI_PICKER, AdwBin)

GtkWidget *fd_multi_picker_new (void);
/* The label for no choice ("All Devices") and the printf format of a count of 2 or more
 * ("%u Devices"). */
void fd_multi_picker_set_labels (FdMultiPicker *self, const char *all, const char *several);
/* Replaces the items by @n ids and their names. The chosen ids that are still items stay
 * chosen; if some are gone, "changed" is emitted. */
void fd_multi_picker_set_items (FdMultiPicker *self, const char *const *ids,
                                const char *const *names, guint n);
/* The chosen ids in the items' order, NULL-terminated; empty for "all". */
char **fd_multi_picker_get_chosen (FdMultiPicker *self);
/* Whether @id is chosen, or nothing is (then every id is in the choice). */
gboolean fd_multi_picker_includes (FdMultiPicker *self, const char *id);
/* Chooses none: "All". */
void fd_multi_picker_clear (FdMultiPicker *self);
/* The text of the button. */
const char *fd_multi_picker_get_summary (FdMultiPicker *self);
GtkPopover *fd_multi_picker_get_popover (FdMultiPicker *self);
/* Signal "changed" (): the choice changed, FD_MULTI_PICKER_DEBOUNCE_MS after its last toggle
 * (at once for fd_multi_picker_clear() and items that went away). */

G_END_DECLS
