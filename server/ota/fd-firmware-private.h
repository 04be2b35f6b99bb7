/* fd-firmware-private.h — what fd-firmware.c and fd-firmware-receive.c share. */
#pragma once

#include "fd-firmware.h"

G_BEGIN_DECLS

struct _FdFirmware
{
  FdStore *store;
  char *dir;      /* DATA/firmware */
  char *keys_dir; /* DATA/firmware/keys */
  gsize max_bytes;
};

G_END_DECLS
