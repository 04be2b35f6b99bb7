/* fd-store-campaigns-private.h — what fd-store-campaigns.c and fd-store-campaign-targets.c share.
 */
#pragma once

/* The in-flight states (fd_target_state_in_flight) as an SQL list. */
#define IN_FLIGHT_SQL                                                                              \
  "('notified', 'downloading', 'downloaded', 'verified', 'installing', 'testing')"
