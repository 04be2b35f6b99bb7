/* fd-ingest-private.h — what fd-ingest.c and the writer side share. */
#pragma once

#include "fd-ingest.h"
#include "fd-util.h"

G_BEGIN_DECLS

typedef struct _FdIngestWriter FdIngestWriter;

typedef struct
{
  gsize payload_offset; /* into FdReadings.payloads, NUL-terminated there */
  gsize payload_len;
  gint64 ts_device;
  guint first_field;
  guint n_fields;
} FdReadingItem;

typedef struct
{
  gsize path_offset; /* into FdReadings.paths, NUL-terminated */
  FdFieldType type;
  double number;
} FdReadingField;

struct _FdReadings
{
  FdIngestWriter *writer;
  FdDeviceIdentity *who;
  char *tag;
  gint64 ts_in;
  GString *payloads;
  GString *paths;
  GArray *items;  /* FdReadingItem */
  GArray *fields; /* FdReadingField */
};

typedef struct
{
  FdIngestWriter *writer;
  FdDeviceIdentity *who;
  char *key;
  char *value;
  gint64 ts_in;
} FdUpMessage;

struct _FdIngest
{
  FdStore *store;
  FdIngestWriter *writer;
};

FdIngestWriter *fd_ingest_writer_new (void);
void fd_ingest_writer_free (FdIngestWriter *writer);
extern const FdStoreHooks fd_ingest_writer_hooks;
void fd_ingest_writer_set_compaction (FdIngestWriter *w, guint rows, guint points, guint age_ms);
void fd_ingest_writer_set_observer (FdIngestWriter *w, FdIngestObserver observer,
                                    gpointer user_data);

/* The device's workspace and current fleet, read in this transaction (NOT_FOUND: deleted). */
gboolean fd_ingest_writer_device_place (FdDb *db, const char *device_id, char **workspace_id,
                                        char **fleet_id, GError **error);
/* @device_id was seen at @when: its last_seen is written with the transaction (at most once a
 * second per device). */
void fd_ingest_writer_note_seen (FdIngestWriter *w, const char *device_id, gint64 when);

/* Store jobs (FdStoreFunc) for an FdReadings and an FdUpMessage. */
gboolean fd_ingest_writer_store_readings (FdDb *db, gpointer data, GError **error);
gboolean fd_ingest_writer_store_up (FdDb *db, gpointer data, GError **error);

G_END_DECLS
