/* bench-ingest.h — what bench-ingest.c and bench-ingest-peer.c share (and the MQTT benches,
 * which link bench-ingest-peer.c too: the children a bench ends when it dies). */
#pragma once

#include <glib.h>
#include <sys/types.h>

G_BEGIN_DECLS

/* The peer: nginx serving the same TLS certificate and answering every POST /v1/… with
 * 202 {"accepted":1}, storing nothing. */
typedef struct
{
  char *prefix; /* temporary: nginx.conf, the certificate chain and key, logs */
  guint port;
  GPid pid; /* the master */
} FdBenchPeer;

/* The nginx binary (PATH, then /usr/sbin), or NULL. */
char *fd_bench_find_nginx (void);

/* Starts @nginx in a temporary prefix with DATA/pki's server certificate (+ the CA, as the
 * chain) and key, on a free loopback port. FALSE (with a message on stderr) if it would not
 * start. */
gboolean fd_bench_peer_start (FdBenchPeer *peer, const char *nginx, const char *pki_dir);
void fd_bench_peer_stop (FdBenchPeer *peer);

/* "VmRSS:" or "VmHWM:" of @pid in kB (0 when unknown). */
guint64 fd_bench_status_kb (pid_t pid, const char *field);
/* The same summed over @pid and its children (nginx's master and workers). */
guint64 fd_bench_status_kb_tree (pid_t pid, const char *field);
/* User + system CPU seconds of @pid (and of its children for the _tree variant). */
double fd_bench_cpu_s (pid_t pid);
double fd_bench_cpu_s_tree (pid_t pid);

/* The children a bench ends when it dies: its fleetdesk-server, the peer (nginx or
 * mosquitto) and the simulator, each 0 while not running. */
extern volatile pid_t fd_bench_server_pid, fd_bench_peer_pid, fd_bench_sim_pid;
/* On @sig (SIGABRT and SIGTRAP: a failed assertion), SIGTERM to those children, then the
 * signal's own end. */
void fd_bench_end_children_on (int sig);

G_END_DECLS
