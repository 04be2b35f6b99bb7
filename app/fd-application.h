/* fd-application.h — the Fleetdesk application: local engine or remote server, and its window. */
#pragma once

#include <adwaita.h>

#include "fd-api-client.h"

G_BEGIN_DECLS

#define FD_TYPE_APPLICATION (fd_application_get_type ())
G_DECLARE_FINAL_TYPE (FdApplication, fd_application, FD, APPLICATION, AdwApplication)

FdApplication *fd_application_new (void);

/* The client of the server the window talks to; NULL until the engine listens. */
FdApiClient *fd_application_get_client (FdApplication *self);

G_END_DECLS
