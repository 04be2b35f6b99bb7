/* fd-test-jobs.h — what the jobs tests share: jobs made and read through the operator API of
 * fd_tm_srv, a raw MQTT device's answers, and the device's expected map. */
#pragma once

#include "fd-test-mqtt.h"

G_BEGIN_DECLS

/* POST /workspaces/{ws}/jobs with @body; asserts @status and returns the answer. */
JsonNode *fd_tj_post (const char *workspace_id, const char *body, guint status);
JsonNode *fd_tj_get (const char *job_id);
/* The execution of @device_id in a GET /jobs/{id} answer (NULL when none). */
JsonObject *fd_tj_execution (JsonNode *job, const char *device_id);
/* Polls GET /jobs/{id} until the execution of @device_id is in @state (10 s at most); returns
 * the job. */
JsonNode *fd_tj_wait (const char *job_id, const char *device_id, const char *state);
/* Publishes @json on j/up/<device> with packet id @id and waits for its PUBACK. */
void fd_tj_up (FdTdRaw *r, const char *device_id, guint16 id, const char *json);
/* A raw MQTT session of @d subscribed to its j/dn topic. */
FdTdRaw *fd_tj_subscribed (const FdTdDevice *d);
/* Whether GET /devices/{id}/status's expected map holds @key. */
gboolean fd_tj_expected_has (const char *device_id, const char *key);
gint64 fd_tj_count (JsonNode *job, const char *state);

G_END_DECLS
