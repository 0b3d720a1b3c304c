#include "sessions.h"

#include "buf.h"
#include "proto.h"
#include "rng.h"
#include "tcp.h"

#define MSS 1460u

void session_open(struct world *w, struct tcp_conn *c, const struct host *cli,
                  const struct host *srv, uint16_t sport,
                  const struct tcp_path *path, int64_t t, enum edge e,
                  struct session_out *out) {
  uint16_t cport = world_port(w, cli, srv, sport);
  tcp_open(c, w->tr, w->rng, cli, cport, srv, sport, path, t);
  w->flows[e]++;
  if (out) {
    out->start = t;
    out->cport = cport;
  }
}

/* Send what b holds and empty it. */
static void push(struct tcp_conn *c, int from, struct buf *b,
                 enum tcp_ack_mode mode) {
  tcp_send(c, from, b->p, b->len, mode);
  buf_reset(b);
}

/* Same for a run of encrypted SSH packets: whole packets per segment. */
static void push_ssh(struct tcp_conn *c, int from, struct buf *b,
                     enum tcp_ack_mode mode) {
  tcp_send_framed(c, from, b->p, b->len, ssh_frame_encrypted, mode);
  buf_reset(b);
}

int64_t session_redis(struct world *w, int64_t t, const char *key, bool write,
                      size_t value) {
  struct tcp_path path;
  struct tcp_conn c;
  struct buf b;
  buf_init(&b);
  tcp_path_lan(&path, w->rng);
  session_open(w, &c, &host_api, &host_cache, 6379, &path, t, EDGE_CACHE, NULL);
  if (write) {
    resp_command_value(&b, w->rng, "SET", key, value);
    push(&c, TCP_CLI, &b, TCP_REPLY_FOLLOWS);
    tcp_idle(&c, rng_range(w->rng, 10, 60));
    resp_simple(&b, "OK");
    push(&c, TCP_SRV, &b, TCP_REPLY_FOLLOWS);
  }
  const char *get[] = {"GET", key};
  resp_command(&b, 2, get);
  push(&c, TCP_CLI, &b, TCP_REPLY_FOLLOWS);
  tcp_idle(&c, rng_range(w->rng, 10, 60));
  resp_bulk_json(&b, w->rng, value);
  push(&c, TCP_SRV, &b, TCP_REPLY_FOLLOWS);
  int64_t done = c.now;
  tcp_close(&c, TCP_CLI);
  buf_free(&b);
  return done;
}

int64_t session_pgsql(struct world *w, int64_t t, const char *sql,
                      size_t result) {
  struct tcp_path path;
  struct tcp_conn c;
  struct buf b;
  buf_init(&b);
  tcp_path_lan(&path, w->rng);
  session_open(w, &c, &host_api, &host_db, 5432, &path, t, EDGE_DB, NULL);
  pg_startup(&b, "shop", "shop", "shop-api");
  push(&c, TCP_CLI, &b, TCP_REPLY_FOLLOWS);
  tcp_idle(&c, rng_range(w->rng, 200, 900)); /* backend fork */
  pg_auth_ok(&b, w->rng);
  push(&c, TCP_SRV, &b, TCP_REPLY_FOLLOWS);
  pg_query(&b, sql);
  push(&c, TCP_CLI, &b, TCP_REPLY_FOLLOWS);
  tcp_idle(&c, rng_range(w->rng, 300, 4000)); /* planning and execution */
  pg_result(&b, w->rng, result);
  tcp_send_framed(&c, TCP_SRV, b.p, b.len, pg_frame, TCP_REPLY_FOLLOWS);
  buf_reset(&b);
  int64_t done = c.now;
  pg_terminate(&b);
  push(&c, TCP_CLI, &b, TCP_REPLY_FOLLOWS);
  tcp_close(&c, TCP_CLI);
  buf_free(&b);
  return done;
}

int64_t session_tls(struct world *w, int64_t t, const struct host *cli,
                    const struct host *srv, uint16_t sport,
                    const struct tcp_path *path, const struct tls_plan *plan,
                    enum edge e, struct session_out *out) {
  struct tcp_conn c;
  struct buf b;
  uint8_t sid[TLS_SID_LEN];
  buf_init(&b);
  session_open(w, &c, cli, srv, sport, path, t, e, out);
  tls_client_hello(&b, w->rng, plan->sni, sid);
  push(&c, TCP_CLI, &b, TCP_REPLY_FOLLOWS);
  tcp_idle(&c, rng_range(w->rng, 300, 1500));
  /* ServerHello and ChangeCipherSpec, then the encrypted handshake in
   * records cut to segment boundaries. */
  tls_server_hello(&b, w->rng, sid);
  tls_change_cipher_spec(&b);
  tls_app_data(&b, w->rng, plan->server_handshake, MSS);
  push(&c, TCP_SRV, &b, TCP_REPLY_FOLLOWS);
  tcp_idle(&c, rng_range(w->rng, 200, 800));
  tls_change_cipher_spec(&b);
  tls_app_data(&b, w->rng, 5 + 53, MSS); /* Finished */
  push(&c, TCP_CLI, &b, TCP_REPLY_FOLLOWS);
  tls_app_data(&b, w->rng, plan->request, MSS);
  push(&c, TCP_CLI, &b, TCP_REPLY_FOLLOWS);
  tcp_idle(&c, plan->server_think_us);
  tls_app_data(&b, w->rng, plan->response, MSS);
  push(&c, TCP_SRV, &b, TCP_REPLY_FOLLOWS);
  int64_t done = c.now;
  tls_encrypted_alert(&b, w->rng);
  push(&c, TCP_CLI, &b, TCP_REPLY_FOLLOWS);
  tcp_close(&c, TCP_CLI);
  buf_free(&b);
  return done;
}

/* Encrypted SSH packets carrying `total` payload bytes, at most 1200 each. */
static void ssh_stream(struct buf *b, struct rng *r, size_t total) {
  while (total > 0) {
    size_t n = total < 1200 ? total : 1200;
    ssh_encrypted(b, r, n);
    total -= n;
  }
}

static void ssh_handshake(struct tcp_conn *c, struct rng *r, struct buf *b) {
  ssh_banner(b, SSH_BANNER); /* the server speaks first */
  push(c, TCP_SRV, b, TCP_REPLY_FOLLOWS);
  ssh_banner(b, SSH_BANNER);
  push(c, TCP_CLI, b, TCP_REPLY_FOLLOWS);
  ssh_kexinit(b, r, true);
  push(c, TCP_SRV, b, TCP_REPLY_FOLLOWS);
  ssh_kexinit(b, r, false);
  push(c, TCP_CLI, b, TCP_REPLY_FOLLOWS);
  ssh_kex_ecdh_init(b, r);
  push(c, TCP_CLI, b, TCP_REPLY_FOLLOWS);
  tcp_idle(c, rng_range(r, 500, 2000)); /* key exchange math */
  /* NEWKEYS in a segment of its own keeps both within the snaplen, so a
   * dissector sees where the server's encryption starts. */
  ssh_kex_ecdh_reply(b, r);
  push(c, TCP_SRV, b, TCP_REPLY_FOLLOWS);
  ssh_newkeys(b);
  push(c, TCP_SRV, b, TCP_REPLY_FOLLOWS);
  ssh_newkeys(b);
  ssh_encrypted(b, r, 17); /* SERVICE_REQUEST ssh-userauth */
  push(c, TCP_CLI, b, TCP_REPLY_FOLLOWS);
  /* Service accept, then public-key authentication and a session channel:
   * request/response sizes of OpenSSH's exchanges. */
  static const size_t steps[][2] = {
      {0, 17}, {420, 340}, {560, 1}, {24, 16}, {120, 0}};
  for (size_t i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
    if (steps[i][0]) {
      ssh_encrypted(b, r, steps[i][0]);
      push(c, TCP_CLI, b, TCP_REPLY_FOLLOWS);
    }
    if (steps[i][1]) {
      tcp_idle(c, rng_range(r, 50, 400));
      ssh_encrypted(b, r, steps[i][1]);
      push(c, TCP_SRV, b, TCP_REPLY_FOLLOWS);
    }
  }
}

static void ssh_interactive(struct tcp_conn *c, struct rng *r, struct buf *b) {
  tcp_idle(c, rng_range(r, 1000, 5000));
  ssh_stream(b, r, (size_t)rng_range(r, 400, 900)); /* motd and prompt */
  push_ssh(c, TCP_SRV, b, TCP_ACK_NOW);
  int commands = (int)rng_range(r, 3, 8);
  for (int i = 0; i < commands; i++) {
    tcp_idle(c, rng_range(r, 1000000, 6000000)); /* reading, thinking */
    int keys = (int)rng_range(r, 4, 24);
    for (int k = 0; k < keys; k++) {
      if (k) tcp_idle(c, rng_range(r, 60000, 250000));
      ssh_encrypted(b, r, 10); /* CHANNEL_DATA, one character */
      push(c, TCP_CLI, b, TCP_REPLY_FOLLOWS);
      ssh_encrypted(b, r, 10); /* its echo */
      push(c, TCP_SRV, b, TCP_ACK_NOW);
    }
    tcp_idle(c, rng_range(r, 2000, 60000));
    ssh_stream(b, r, (size_t)rng_range(r, 80, 6000)); /* command output */
    push_ssh(c, TCP_SRV, b, TCP_ACK_NOW);
  }
}

static void ssh_tunnel(struct tcp_conn *c, struct rng *r, struct buf *b) {
  int rounds = (int)rng_range(r, 12, 24);
  for (int i = 0; i < rounds; i++) {
    tcp_idle(c, rng_range(r, 100000, 1500000));
    ssh_stream(b, r, (size_t)rng_range(r, 800, 12000));
    push_ssh(c, TCP_CLI, b, TCP_REPLY_FOLLOWS);
    tcp_idle(c, rng_range(r, 1000, 20000));
    ssh_stream(b, r, (size_t)rng_range(r, 200, 4000));
    push_ssh(c, TCP_SRV, b, TCP_ACK_NOW);
  }
}

int64_t session_ssh(struct world *w, int64_t t, const struct host *cli,
                    const struct host *srv, uint16_t sport,
                    const struct tcp_path *path, enum ssh_style style,
                    enum edge e, struct session_out *out) {
  struct tcp_conn c;
  struct buf b;
  buf_init(&b);
  session_open(w, &c, cli, srv, sport, path, t, e, out);
  ssh_handshake(&c, w->rng, &b);
  if (style == SSH_INTERACTIVE)
    ssh_interactive(&c, w->rng, &b);
  else
    ssh_tunnel(&c, w->rng, &b);
  tcp_idle(&c, rng_range(w->rng, 200000, 2000000));
  ssh_encrypted(&b, w->rng, 12); /* CHANNEL_EOF + CHANNEL_CLOSE */
  push(&c, TCP_CLI, &b, TCP_REPLY_FOLLOWS);
  ssh_encrypted(&b, w->rng, 40); /* exit-status, CHANNEL_CLOSE */
  push(&c, TCP_SRV, &b, TCP_REPLY_FOLLOWS);
  int64_t done = c.now;
  tcp_close(&c, TCP_CLI);
  buf_free(&b);
  return done;
}
