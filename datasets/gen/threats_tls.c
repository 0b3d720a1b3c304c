/* Heartbleed (CVE-2014-0160) against web:443. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "proto.h"
#include "rng.h"
#include "tcp.h"
#include "threats.h"

#define MS 1000ll
#define MSS 1460u /* tcp.c's segment size */

/* What a vulnerable server's heap gives away: pieces of other users'
 * requests. ASCII only, so no segment of the leak starts with a byte that
 * could pass for a TLS record type, and no request line, which a dissector
 * would take for HTTP spoken on 443. */
static void heap_bytes(struct rng *r, uint8_t *p, size_t n) {
  static const char *const pieces[] = {
      "Host: shop.example\r\n",
      "Cookie: session=",
      "Content-Type: application/x-www-form-urlencoded\r\n",
      "card_holder=M+Rossi&csrf=",
      "password=",
      "Authorization: Basic ",
      "Referer: https://shop.example/checkout\r\n",
      "\r\n\r\n",
  };
  static const char fill[] = "0123456789abcdef";
  size_t i = 0;
  while (i < n) {
    const char *s = pieces[rng_below(r, sizeof(pieces) / sizeof(pieces[0]))];
    for (size_t k = 0; s[k] && i < n; k++) p[i++] = (uint8_t)s[k];
    size_t run = (size_t)rng_range(r, 8, 64);
    for (size_t k = 0; k < run && i < n; k++)
      p[i++] = (uint8_t)fill[rng_below(r, 16)];
  }
}

/* 203.0.113.208 completes a TLS 1.2 handshake with web:443 (plaintext
 * hellos, RSA key exchange), then sends a 19-byte heartbeat request whose
 * payload_length claims 16,384 bytes; web answers with a 16,403-byte
 * heartbeat response carrying 16,384 bytes of its memory. */
void threat_heartbleed(struct world *w, int64_t t, struct threat_truth *tr) {
  struct rng *r = w->rng;
  const struct host cli =
      threat_outside("attacker", IPV4(203, 0, 113, 208), 54);
  struct tcp_conn c;
  struct session_out out;
  threat_connect(w, &c, &cli, &host_web, 443, rng_range(r, 25 * MS, 35 * MS), t,
                 &out);
  struct buf b;
  buf_init(&b);
  tls12_client_hello(&b, r, "shop.example");
  tcp_send(&c, TCP_CLI, b.p, b.len, TCP_REPLY_FOLLOWS);
  buf_reset(&b);
  tcp_idle(&c, rng_range(r, 300, 1500));
  tls12_server_flight(&b, r, "shop.example");
  tcp_send(&c, TCP_SRV, b.p, b.len, TCP_REPLY_FOLLOWS);
  buf_reset(&b);
  tls12_client_finish(&b, r);
  tcp_send(&c, TCP_CLI, b.p, b.len, TCP_REPLY_FOLLOWS);
  buf_reset(&b);
  tcp_idle(&c, rng_range(r, 500, 2000)); /* the RSA decryption */
  tls12_server_finish(&b, r);
  tcp_send(&c, TCP_SRV, b.p, b.len, TCP_REPLY_FOLLOWS);
  buf_reset(&b);
  enum { CLAIMED = 16384 };
  tls_heartbeat(&b, r, 1, CLAIMED, NULL, 0);
  tcp_send(&c, TCP_CLI, b.p, b.len, TCP_REPLY_FOLLOWS);
  buf_reset(&b);
  tcp_idle(&c, rng_range(r, 50, 300));
  uint8_t *heap = malloc(CLAIMED);
  if (!heap) gen_die("out of memory");
  heap_bytes(r, heap, CLAIMED);
  /* The response's segments start every MSS bytes, the heap 8 bytes into
   * the first. A later segment that starts with four printable characters
   * is left alone by a TLS dissector, which would otherwise read a record
   * header out of the text and complain about it. */
  for (size_t i = MSS - 8; i + 4 <= CLAIMED; i += MSS)
    for (size_t k = i; k < i + 4; k++)
      if (heap[k] < 0x20 || heap[k] > 0x7e) heap[k] = '.';
  tls_heartbeat(&b, r, 2, CLAIMED, heap, CLAIMED);
  free(heap);
  tcp_send(&c, TCP_SRV, b.p, b.len, TCP_ACK_NOW);
  buf_reset(&b);
  tcp_idle(&c, rng_range(r, 5 * MS, 20 * MS));
  tcp_close(&c, TCP_CLI);
  buf_free(&b);
  threat_truth(
      tr, "heartbleed", out.start, cli.ip, out.cport, host_web.ip, 443, "tcp",
      "3040,3041",
      "Heartbleed: after a TLS 1.2 handshake 203.0.113.208 sends web:443 "
      "a 19-byte heartbeat claiming 16384 bytes; web answers with a "
      "16403-byte heartbeat of its memory");
}
