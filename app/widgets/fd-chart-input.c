/* fd-chart-input.c — how the user moves the chart's range: drag to select and zoom into a
 * range, scroll to pan, Ctrl+scroll to zoom around the pointer, Left/Right, +/- and Home on the
 * keyboard; and the hover guide and its tooltip. A drag changes the range once, at its end;
 * scrolls and repeated keys change it as they come and "range-changed" follows at the end of
 * the gesture (see fd_chart_user_set_range()). */
#include "config.h"

#include <math.h>

#include "fd-chart-private.h"

/* A drag shorter than this (in pixels) is a click, not a selection. */
#define FD_CHART_MIN_DRAG 4
#define FD_CHART_PAN_STEP 0.1
#define FD_CHART_ZOOM_STEP 1.25

static void
fd_chart_drag_begin_cb (GtkGestureDrag *gesture, double x, double y, gpointer data)
{
  FdChart *self = data;

  gtk_widget_grab_focus (GTK_WIDGET (self));
  if (x < self->plot.x || x > self->plot.x + self->plot.width || y < self->plot.y
      || y > self->plot.y + self->plot.height)
    {
      gtk_gesture_set_state (GTK_GESTURE (gesture), GTK_EVENT_SEQUENCE_DENIED);
      return;
    }
  self->selecting = TRUE;
  self->select_x0 = self->select_x1 = x;
}

static void
fd_chart_drag_update_cb (GtkGestureDrag *gesture, double dx, double dy, gpointer data)
{
  FdChart *self = data;

  if (!self->selecting)
    return;
  if (fabs (dx) >= FD_CHART_MIN_DRAG)
    gtk_gesture_set_state (GTK_GESTURE (gesture), GTK_EVENT_SEQUENCE_CLAIMED);
  self->select_x1 = self->select_x0 + dx;
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

static void
fd_chart_drag_end_cb (GtkGestureDrag *gesture, double dx, double dy, gpointer data)
{
  FdChart *self = data;

  if (!self->selecting)
    return;
  self->selecting = FALSE;
  gtk_widget_queue_draw (GTK_WIDGET (self));
  if (fabs (dx) >= FD_CHART_MIN_DRAG)
    fd_chart_zoom_to_selection (self, self->select_x0, self->select_x0 + dx);
}

static void
fd_chart_drag_cancel_cb (GtkGesture *gesture, GdkEventSequence *sequence, gpointer data)
{
  FdChart *self = data;

  self->selecting = FALSE;
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

static gboolean
fd_chart_scroll_cb (GtkEventControllerScroll *controller, double dx, double dy, gpointer data)
{
  FdChart *self = data;
  GdkModifierType state
      = gtk_event_controller_get_current_event_state (GTK_EVENT_CONTROLLER (controller));
  /* A wheel notch is a step; a touchpad gives pixels. */
  gboolean wheel = gtk_event_controller_scroll_get_unit (controller) == GDK_SCROLL_UNIT_WHEEL;
  double pixels = wheel ? 0 : 1.0 / MAX (self->plot.width, 1);

  if (state & GDK_CONTROL_MASK)
    {
      double notches = wheel ? dy : dy / 20;
      if (notches != 0)
        fd_chart_user_zoom (self, pow (FD_CHART_ZOOM_STEP, notches),
                            self->hovering ? self->hover_x : self->plot.x + self->plot.width / 2,
                            FALSE);
      return TRUE;
    }

  /* Down or right goes forward in time; Shift+wheel scrolls sideways already. */
  {
    double amount = fabs (dx) > fabs (dy) ? dx : dy;
    double fraction = wheel ? amount * FD_CHART_PAN_STEP : amount * pixels;
    if (fraction != 0)
      fd_chart_user_pan (self, fraction, FALSE);
  }
  return TRUE;
}

static void
fd_chart_scroll_end_cb (GtkEventControllerScroll *controller, gpointer data)
{
  FdChart *self = data;

  /* A touchpad says when its gesture ends: no need to wait. */
  if (self->range_changed_source != 0)
    {
      g_source_remove (self->range_changed_source);
      self->range_changed_source = 0;
      g_signal_emit_by_name (self, "range-changed", self->start, self->end);
    }
}

static void
fd_chart_motion_cb (GtkEventControllerMotion *controller, double x, double y, gpointer data)
{
  FdChart *self = data;

  self->hovering = TRUE;
  self->hover_x = x;
  self->hover_y = y;
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

static void
fd_chart_leave_cb (GtkEventControllerMotion *controller, gpointer data)
{
  FdChart *self = data;

  self->hovering = FALSE;
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

void
fd_chart_install_input (FdChart *self)
{
  GtkGesture *drag = gtk_gesture_drag_new ();
  GtkEventController *scroll
      = gtk_event_controller_scroll_new (GTK_EVENT_CONTROLLER_SCROLL_BOTH_AXES);
  GtkEventController *motion = gtk_event_controller_motion_new ();

  gtk_gesture_single_set_button (GTK_GESTURE_SINGLE (drag), GDK_BUTTON_PRIMARY);
  g_signal_connect (drag, "drag-begin", G_CALLBACK (fd_chart_drag_begin_cb), self);
  g_signal_connect (drag, "drag-update", G_CALLBACK (fd_chart_drag_update_cb), self);
  g_signal_connect (drag, "drag-end", G_CALLBACK (fd_chart_drag_end_cb), self);
  g_signal_connect (drag, "cancel", G_CALLBACK (fd_chart_drag_cancel_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (drag));

  g_signal_connect (scroll, "scroll", G_CALLBACK (fd_chart_scroll_cb), self);
  g_signal_connect (scroll, "scroll-end", G_CALLBACK (fd_chart_scroll_end_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self), scroll);

  g_signal_connect (motion, "enter", G_CALLBACK (fd_chart_motion_cb), self);
  g_signal_connect (motion, "motion", G_CALLBACK (fd_chart_motion_cb), self);
  g_signal_connect (motion, "leave", G_CALLBACK (fd_chart_leave_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self), motion);
}

static gboolean
fd_chart_pan_key (GtkWidget *widget, GVariant *args, gpointer data)
{
  fd_chart_user_pan (FD_CHART (widget), g_variant_get_double (args), FALSE);
  return TRUE;
}

static gboolean
fd_chart_zoom_key (GtkWidget *widget, GVariant *args, gpointer data)
{
  FdChart *self = FD_CHART (widget);

  fd_chart_user_zoom (self, g_variant_get_double (args), self->plot.x + self->plot.width / 2,
                      FALSE);
  return TRUE;
}

static gboolean
fd_chart_home_key (GtkWidget *widget, GVariant *args, gpointer data)
{
  FdChart *self = FD_CHART (widget);

  fd_chart_user_set_range (self, self->home_start, self->home_end, TRUE);
  return TRUE;
}

void
fd_chart_class_install_keys (GtkWidgetClass *widget_class)
{
  static const guint zoom_in[] = { GDK_KEY_plus, GDK_KEY_equal, GDK_KEY_KP_Add };
  static const guint zoom_out[] = { GDK_KEY_minus, GDK_KEY_KP_Subtract };

  gtk_widget_class_add_binding (widget_class, GDK_KEY_Left, 0, fd_chart_pan_key, "d",
                                -FD_CHART_PAN_STEP);
  gtk_widget_class_add_binding (widget_class, GDK_KEY_KP_Left, 0, fd_chart_pan_key, "d",
                                -FD_CHART_PAN_STEP);
  gtk_widget_class_add_binding (widget_class, GDK_KEY_Right, 0, fd_chart_pan_key, "d",
                                FD_CHART_PAN_STEP);
  gtk_widget_class_add_binding (widget_class, GDK_KEY_KP_Right, 0, fd_chart_pan_key, "d",
                                FD_CHART_PAN_STEP);
  for (guint i = 0; i < G_N_ELEMENTS (zoom_in); i++)
    gtk_widget_class_add_binding (widget_class, zoom_in[i], 0, fd_chart_zoom_key, "d",
                                  1 / FD_CHART_ZOOM_STEP);
  for (guint i = 0; i < G_N_ELEMENTS (zoom_out); i++)
    gtk_widget_class_add_binding (widget_class, zoom_out[i], 0, fd_chart_zoom_key, "d",
                                  FD_CHART_ZOOM_STEP);
  gtk_widget_class_add_binding (widget_class, GDK_KEY_Home, 0, fd_chart_home_key, NULL);
  gtk_widget_class_add_binding (widget_class, GDK_KEY_KP_Home, 0, fd_chart_home_key, NULL);
}

gboolean
fd_chart_query_tooltip (GtkWidget *widget, int x, int y, gboolean keyboard, GtkTooltip *tooltip)
{
  FdChart *self = FD_CHART (widget);
  g_autofree char *text = NULL;

  if (keyboard)
    return FALSE;
  text = fd_chart_describe_at (self, x, y);
  if (text == NULL)
    return FALSE;
  gtk_tooltip_set_text (tooltip, text);
  /* Asked again as soon as the pointer leaves this column. */
  gtk_tooltip_set_tip_area (tooltip,
                            &(GdkRectangle){ x, (int)self->plot.y, 1, (int)self->plot.height });
  return TRUE;
}
