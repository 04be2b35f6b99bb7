/* fd-server-sorter.c — a column sorter that stands for an API `sort` key.
 *
 * The device list is sorted by the server, so the column view never sorts rows itself; it
 * only has to tell which column the user sorted by and in which direction. GTK 4.8 has no
 * public API for that (gtk_column_view_sorter_get_primary_sort_column() is 4.10), but the
 * column view's sorter compares with its columns' sorters in order, primary first, inverting
 * descending ones. So fd_server_sorter_dup_sort_param() compares two probe items: the first
 * FdServerSorter asked answers "smaller" and records itself, and the sign of the overall
 * answer is the direction. (Two probes, because gtk_sorter_compare() answers "equal" for an
 * item compared with itself without asking anyone.)
 */
#include "config.h"

#include "fd-device.h"
#include "fd-server-sorter.h"

struct _FdServerSorter
{
  GtkSorter parent_instance;

  char *key;
};

G_DEFINE_FINAL_TYPE (FdServerSorter, fd_server_sorter, GTK_TYPE_SORTER)

enum
{
  PROP_0,
  PROP_KEY,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static GObject *fd_server_sorter_probes[2];
static FdServerSorter *fd_server_sorter_probe_hit;

static const char *
fd_server_sorter_value (FdServerSorter *self, FdDevice *device)
{
  if (g_strcmp0 (self->key, "fleet") == 0)
    return fd_device_get_fleet_name (device);
  if (g_strcmp0 (self->key, "created_at") == 0)
    return fd_device_get_created_at (device);
  if (g_strcmp0 (self->key, "last_seen") == 0)
    return fd_device_get_last_seen (device);
  if (g_strcmp0 (self->key, "online") == 0)
    return fd_device_get_online (device) ? "1" : "0";
  return fd_device_get_name (device);
}

static GtkOrdering
fd_server_sorter_compare (GtkSorter *sorter, gpointer item1, gpointer item2)
{
  FdServerSorter *self = FD_SERVER_SORTER (sorter);

  if (item1 == fd_server_sorter_probes[0] && item2 == fd_server_sorter_probes[1])
    {
      fd_server_sorter_probe_hit = self;
      return GTK_ORDERING_SMALLER;
    }

  /* Rows are in server order already; this is only the same order for completeness. */
  if (!FD_IS_DEVICE (item1) || !FD_IS_DEVICE (item2))
    return GTK_ORDERING_EQUAL;
  return gtk_ordering_from_cmpfunc (
      g_strcmp0 (fd_server_sorter_value (self, item1), fd_server_sorter_value (self, item2)));
}

static GtkSorterOrder
fd_server_sorter_get_order (GtkSorter *sorter)
{
  return GTK_SORTER_ORDER_PARTIAL;
}

static void
fd_server_sorter_finalize (GObject *object)
{
  FdServerSorter *self = FD_SERVER_SORTER (object);

  g_free (self->key);

  G_OBJECT_CLASS (fd_server_sorter_parent_class)->finalize (object);
}

static void
fd_server_sorter_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  FdServerSorter *self = FD_SERVER_SORTER (object);

  switch (prop_id)
    {
    case PROP_KEY:
      g_value_set_string (value, self->key);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
fd_server_sorter_set_property (GObject *object, guint prop_id, const GValue *value,
                               GParamSpec *pspec)
{
  FdServerSorter *self = FD_SERVER_SORTER (object);

  switch (prop_id)
    {
    case PROP_KEY:
      g_free (self->key);
      self->key = g_value_dup_string (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
fd_server_sorter_class_init (FdServerSorterClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkSorterClass *sorter_class = GTK_SORTER_CLASS (klass);

  object_class->finalize = fd_server_sorter_finalize;
  object_class->get_property = fd_server_sorter_get_property;
  object_class->set_property = fd_server_sorter_set_property;
  sorter_class->compare = fd_server_sorter_compare;
  sorter_class->get_order = fd_server_sorter_get_order;

  properties[PROP_KEY]
      = g_param_spec_string ("key", NULL, NULL, "name",
                             G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  fd_server_sorter_probes[0] = g_object_new (G_TYPE_OBJECT, NULL);
  fd_server_sorter_probes[1] = g_object_new (G_TYPE_OBJECT, NULL);
}

static void
fd_server_sorter_init (FdServerSorter *self)
{
}

GtkSorter *
fd_server_sorter_new (const char *key)
{
  return g_object_new (FD_TYPE_SERVER_SORTER, "key", key, NULL);
}

const char *
fd_server_sorter_get_key (FdServerSorter *self)
{
  g_return_val_if_fail (FD_IS_SERVER_SORTER (self), NULL);
  return self->key;
}

char *
fd_server_sorter_dup_sort_param (GtkSorter *view_sorter)
{
  GtkOrdering order;
  FdServerSorter *hit;

  g_return_val_if_fail (GTK_IS_SORTER (view_sorter), NULL);

  if (fd_server_sorter_probes[0] == NULL) /* no FdServerSorter was ever made */
    return NULL;

  fd_server_sorter_probe_hit = NULL;
  order = gtk_sorter_compare (view_sorter, fd_server_sorter_probes[0], fd_server_sorter_probes[1]);
  hit = g_steal_pointer (&fd_server_sorter_probe_hit);

  if (hit == NULL || order == GTK_ORDERING_EQUAL)
    return NULL;
  return g_strconcat (order == GTK_ORDERING_LARGER ? "-" : "", hit->key, NULL);
}
