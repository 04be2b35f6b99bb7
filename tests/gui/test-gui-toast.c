/* test-gui-toast.c — fd_ui_toast in a real window under Xvfb when the main thread stalls, as it
 * does on a loaded machine.
 *
 * libadwaita 1.2 frees a toast dismissed while it is still sliding in and then writes to it when
 * the slide ends; fd_ui_toast must not replace a toast whose slide-in has not ended on the frame
 * clock, however old it is by the wall clock. Here a toast is shown, the main thread stalls for
 * longer than a slide-in before the next message (so the toast is old by the wall clock but no
 * frame has ended its slide), and stalls again after it (so that a fade-out started then would
 * end in the same frame as the slide-in). With the bug the process crashes in that frame
 * (MALLOC_PERTURB_ makes the freed memory garbage; valgrind shows an invalid write at once);
 * without it the newest message is what the overlay shows. */
#include "config.h"

#include "fd-gui-util.h"
#include "fd-ui.h"

static GtkWidget *window;
static GtkWidget *content;

static gboolean
mapped_cb (gpointer data)
{
  return gtk_widget_get_mapped (data);
}

static void
test_replace_while_stalled (void)
{
  GtkWidget *shown;

  fd_ui_toast (content, "Integration “Warehouse” added");
  g_usleep (450 * 1000);
  fd_ui_toast (content, "Test event delivered in 60 ms");
  g_usleep (400 * 1000);
  fd_gui_settle (1500);

  shown = fd_gui_find_label_prefix (window, "Test event delivered");
  g_assert_nonnull (shown);
  g_assert_null (fd_gui_find_label_prefix (window, "Integration “Warehouse” added"));

  /* Once settled, a new message replaces the toast (a fresh one, not a retitle). */
  fd_ui_toast (content, "Integration “Warehouse” saved");
  fd_gui_settle (1500);
  g_assert_nonnull (fd_gui_find_label_prefix (window, "Integration “Warehouse” saved"));
  g_assert_null (fd_gui_find_label_prefix (window, "Test event delivered"));
}

int
main (int argc, char *argv[])
{
  GtkWidget *overlay;

  /* Freed memory is overwritten, so that a write into a freed toast crashes here, not later. */
  g_setenv ("MALLOC_PERTURB_", "165", FALSE);
  g_test_init (&argc, &argv, NULL);
  gtk_init ();
  adw_init ();

  window = gtk_window_new ();
  gtk_window_set_default_size (GTK_WINDOW (window), 700, 400);
  overlay = adw_toast_overlay_new ();
  content = gtk_label_new ("content");
  adw_toast_overlay_set_child (ADW_TOAST_OVERLAY (overlay), content);
  gtk_window_set_child (GTK_WINDOW (window), overlay);
  gtk_window_present (GTK_WINDOW (window));
  fd_gui_wait (mapped_cb, overlay, 10, "the window to show");
  fd_gui_settle (500);

  g_test_add_func ("/toast/replace-while-stalled", test_replace_while_stalled);
  return g_test_run ();
}
