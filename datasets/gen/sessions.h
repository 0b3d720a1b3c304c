/* datasets/gen/sessions.h — whole conversations of one protocol each.
 *
 * Contract: each function opens a TCP connection at t, runs one complete,
 * well-formed exchange of its protocol, closes it and counts one flow on the
 * given edge. It returns the time the client had what it asked for (the last
 * response segment), which is when the caller may go on; the teardown
 * packets may come after that. `out`, when not NULL, receives the first
 * packet's time and the client port (for the ground-truth file).
 */
#ifndef HABIT_GEN_SESSIONS_H
#define HABIT_GEN_SESSIONS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "world.h"

struct tcp_conn;
struct tcp_path;

struct session_out {
  int64_t start;
  uint16_t cport;
};

/* Open a connection from a fresh client port at t and count it on edge e. */
void session_open(struct world *w, struct tcp_conn *c, const struct host *cli,
                  const struct host *srv, uint16_t sport,
                  const struct tcp_path *path, int64_t t, enum edge e,
                  struct session_out *out);

/* api -> cache: GET key (or SET then GET when write), reply of value bytes. */
int64_t session_redis(struct world *w, int64_t t, const char *key, bool write,
                      size_t value);
/* api -> db: startup, AuthenticationOk..., one simple query, a result of
 * about `result` bytes, Terminate. */
int64_t session_pgsql(struct world *w, int64_t t, const char *sql,
                      size_t result);

struct tls_plan {
  const char *sni;
  size_t server_handshake; /* encrypted EE/Certificate/Finished bytes */
  size_t request;          /* client application data */
  size_t response;         /* server application data */
  int64_t server_think_us; /* between request and response */
};
int64_t session_tls(struct world *w, int64_t t, const struct host *cli,
                    const struct host *srv, uint16_t sport,
                    const struct tcp_path *path, const struct tls_plan *plan,
                    enum edge e, struct session_out *out);

enum ssh_style {
  SSH_INTERACTIVE, /* an operator typing commands */
  SSH_TUNNEL,      /* bulk data both ways, no typing */
};
int64_t session_ssh(struct world *w, int64_t t, const struct host *cli,
                    const struct host *srv, uint16_t sport,
                    const struct tcp_path *path, enum ssh_style style,
                    enum edge e, struct session_out *out);

#endif
