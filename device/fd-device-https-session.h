/* fd-device-https-session.h — a device that stays connected over HTTPS (docs/protocol.md): its
 * up-messages go one after the other as POST /v1/up (a # request's answer is its
 * down-message), and its down-messages come by long-polling GET /v1/dn?since=T&wait=S, since
 * being the largest version it got (the #status answer's entries count). An FdDeviceAgent runs
 * on it: #status, __manifest, jobs, variables, updates.
 *
 * Two connections of the device's own: one waits in the poll, the other carries the
 * up-messages (the agent's downloads take a third while an update runs). */
#pragma once

#include "fd-device-agent.h"
#include "fd-device-client.h"

G_BEGIN_DECLS

typedef struct _FdDeviceHttpsSession FdDeviceHttpsSession;

/* The longest poll asked for; under the client's socket timeout. */
#define FD_DEVICE_POLL_WAIT_S 25
#define FD_DEVICE_UP_QUEUE_MAX 1024

/* @config is copied. @trust, @remote, @local as for fd_device_client_new and _set_addresses
 * (each may be NULL); @options for the agent (its addresses are taken from @remote/@local). */
FdDeviceHttpsSession *fd_device_https_session_new (const FdDeviceConfig *config,
                                                   GTlsDatabase *trust, GSocketAddress *remote,
                                                   GSocketAddress *local,
                                                   const FdDeviceAgentOptions *options,
                                                   GError **error);
void fd_device_https_session_free (FdDeviceHttpsSession *s);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (FdDeviceHttpsSession, fd_device_https_session_free)

FdDeviceAgent *fd_device_https_session_get_agent (FdDeviceHttpsSession *s);
/* Called with each transport problem (the session goes on by itself). */
void fd_device_https_session_set_error_func (FdDeviceHttpsSession *s,
                                             void (*func) (const char *message, gpointer data),
                                             gpointer data);
void fd_device_https_session_start (FdDeviceHttpsSession *s);
void fd_device_https_session_stop (FdDeviceHttpsSession *s);
/* Up-messages waiting or in flight. */
guint fd_device_https_session_pending (FdDeviceHttpsSession *s);

G_END_DECLS
