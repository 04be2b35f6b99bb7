/* fd-reading-row.c — one tag of a device and its latest reading.
 *
 * Title: the tag; subtitle: the payload's fields on one line; at the end, how long ago it
 * arrived, with the exact time and the reading count as its tooltip.
 */
#include "config.h"

#include <glib/gi18n.h>

#include "fd-format.h"
#include "fd-json.h"
#include "fd-reading-row.h"

/* Fields shown on the line; the rest are counted. */
#define FD_READING_ROW_MAX_FIELDS 12

struct _FdReadingRow
{
  AdwActionRow parent_instance;

  char *tag;
  char *arrived; /* the shown reading's timestamp_in (RFC 3339, as the server writes it) */
  guint readings;
  GtkLabel *time_label;
};

G_DEFINE_FINAL_TYPE (FdReadingRow, fd_reading_row, ADW_TYPE_ACTION_ROW)

static void
fd_reading_row_finalize (GObject *object)
{
  FdReadingRow *self = FD_READING_ROW (object);

  g_free (self->tag);
  g_free (self->arrived);

  G_OBJECT_CLASS (fd_reading_row_parent_class)->finalize (object);
}

static void
fd_reading_row_class_init (FdReadingRowClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  G_OBJECT_CLASS (klass)->finalize = fd_reading_row_finalize;

  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/fleetdesk/Fleetdesk/ui/"
                                                             "fd-reading-row.ui");
  gtk_widget_class_bind_template_child (widget_class, FdReadingRow, time_label);
}

static void
fd_reading_row_init (FdReadingRow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

GtkWidget *
fd_reading_row_new (const char *tag)
{
  FdReadingRow *self = g_object_new (FD_TYPE_READING_ROW, NULL);

  self->tag = g_strdup (tag);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self), tag);
  return GTK_WIDGET (self);
}

const char *
fd_reading_row_get_tag (FdReadingRow *self)
{
  g_return_val_if_fail (FD_IS_READING_ROW (self), NULL);
  return self->tag;
}

static void
fd_reading_row_set_if_changed (GtkLabel *label, const char *text)
{
  if (g_strcmp0 (gtk_label_get_label (label), text) != 0)
    gtk_label_set_label (label, text);
}

void
fd_reading_row_update (FdReadingRow *self, JsonObject *device_tag, GDateTime *now)
{
  JsonObject *last = fd_json_get_member_object (device_tag, "last");
  const char *arrived = fd_json_get_string (last, "timestamp_in");
  const char *stamped = fd_json_get_string (last, "timestamp_device");
  const char *last_seen = fd_json_get_string (device_tag, "last_seen");
  JsonNode *payload = last != NULL ? json_object_get_member (last, "payload") : NULL;
  guint readings = 0;
  g_autofree char *fields = fd_format_payload (payload, FD_READING_ROW_MAX_FIELDS);
  g_autofree char *ago = NULL;
  g_autofree char *exact = NULL;
  g_autofree char *device_exact = NULL;
  g_autofree char *tooltip = NULL;

  g_return_if_fail (FD_IS_READING_ROW (self));

  fd_json_update_uint (device_tag, "readings", &readings);
  if (arrived == NULL)
    arrived = last_seen;
  /* A poll sent before a live reading arrived answers after it: keep the newer one. The
   * server writes every time in the same format, so the strings order as the times do. */
  if (arrived != NULL && self->arrived != NULL && strcmp (arrived, self->arrived) < 0)
    return;
  if (g_strcmp0 (arrived, self->arrived) != 0)
    {
      g_free (self->arrived);
      self->arrived = g_strdup (arrived);
    }
  self->readings = readings;
  ago = fd_format_ago_rfc3339 (arrived, now);
  exact = fd_format_exact_time (arrived);
  device_exact = g_strcmp0 (stamped, arrived) != 0 ? fd_format_exact_time (stamped) : NULL;

  if (g_strcmp0 (adw_action_row_get_subtitle (ADW_ACTION_ROW (self)), fields) != 0)
    adw_action_row_set_subtitle (ADW_ACTION_ROW (self), fields);
  fd_reading_row_set_if_changed (self->time_label, ago != NULL ? ago : "");

  if (device_exact != NULL)
    /* TRANSLATORS: a tooltip: when a reading arrived, when the device says it was taken, and
     * how many readings the tag has */
    tooltip = g_strdup_printf (
        g_dngettext (GETTEXT_PACKAGE, "Arrived %s\nMeasured %s (device clock)\n%u reading",
                     "Arrived %s\nMeasured %s (device clock)\n%u readings", readings),
        exact, device_exact, readings);
  else if (exact != NULL)
    tooltip = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "Arrived %s\n%u reading",
                                            "Arrived %s\n%u readings", readings),
                               exact, readings);
  if (g_strcmp0 (gtk_widget_get_tooltip_text (GTK_WIDGET (self->time_label)), tooltip) != 0)
    gtk_widget_set_tooltip_text (GTK_WIDGET (self->time_label), tooltip);
}

void
fd_reading_row_add_live (FdReadingRow *self, JsonObject *data, GDateTime *now)
{
  g_autoptr (JsonObject) device_tag = json_object_new ();
  JsonObject *last = json_object_new ();
  JsonNode *payload = json_object_get_member (data, "payload");
  const char *arrived = fd_json_get_string (data, "timestamp_in");
  guint count = 1;

  g_return_if_fail (FD_IS_READING_ROW (self));

  /* The shape of an item of GET /devices/{id}/tags, from a "data" event. */
  fd_json_update_uint (data, "count", &count);
  if (payload != NULL)
    json_object_set_member (last, "payload", json_node_copy (payload));
  if (arrived != NULL)
    json_object_set_string_member (last, "timestamp_in", arrived);
  json_object_set_object_member (device_tag, "last", last);
  json_object_set_int_member (device_tag, "readings", (gint64)self->readings + count);
  fd_reading_row_update (self, device_tag, now);
}

void
fd_reading_row_refresh (FdReadingRow *self, GDateTime *now)
{
  g_autofree char *ago = NULL;

  g_return_if_fail (FD_IS_READING_ROW (self));

  ago = fd_format_ago_rfc3339 (self->arrived, now);
  fd_reading_row_set_if_changed (self->time_label, ago != NULL ? ago : "");
}
