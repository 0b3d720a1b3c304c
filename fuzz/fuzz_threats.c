/* fuzz/fuzz_threats.c — libFuzzer target for the packet-level threat
 * checks of detect/threat that read payload bytes: DNS messages (loops,
 * oversize, the question the tunnel tracker scores), TLS heartbeats over a
 * few packets of one flow, HTTP request heads (smuggling) and ICMP echo
 * payloads. Each payload sits in a buffer of exactly its captured length;
 * traps on a question name without its NUL or a verdict out of range;
 * ASan and UBSan do the rest.
 *
 * Input: byte 0 picks the check (low 2 bits) and flags (bit 2: over UDP /
 * direction of the first packet; bit 3: the declared length is larger than
 * what was captured); the rest is the payload, which the heartbeat check
 * cuts into packets at each 0xF0 0x0D pair.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "config/config.h"
#include "detect/threat/dns_threat.h"
#include "detect/threat/heartbleed.h"
#include "detect/threat/http_smuggle.h"
#include "detect/threat/icmp_tunnel.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The payload in a heap block of exactly n bytes (ASan sees any over-read). */
static uint8_t *exact_copy(const uint8_t *p, size_t n) {
  uint8_t *b = malloc(n ? n : 1);
  if (!b)
    abort();
  if (n)
    memcpy(b, p, n);
  return b;
}

static void fuzz_dns(const uint8_t *p, size_t n, int over_udp, size_t len) {
  static struct dns_tunnel_tracker tracker;
  static int ready;
  if (!ready) {
    struct config cfg;
    config_defaults(&cfg);
    dns_tunnel_init(&tracker, &cfg.detect.threats);
    config_free(&cfg);
    ready = 1;
  }
  uint8_t *b = exact_copy(p, n);
  struct dns_question q;
  const char *why = NULL;
  enum dns_msg_verdict v = dns_message_check(b, n, len, over_udp, &q, &why);
  if (v != DNS_MSG_FINE && v != DNS_MSG_LOOP && v != DNS_MSG_OVERSIZE && v != DNS_MSG_NOT_DNS)
    __builtin_trap();
  if (v == DNS_MSG_FINE) {
    if (!memchr(q.name, '\0', sizeof q.name))
      __builtin_trap();
    struct dns_tunnel_sign sign;
    (void)dns_tunnel_observe(&tracker, &q, 0, &sign);
  }
  free(b);
}

static void fuzz_heartbeat(const uint8_t *p, size_t n, int dir) {
  struct hb_state st = {0};
  size_t start = 0;
  for (size_t i = 0; i <= n; i++) {
    if (i < n && !(i + 1 < n && p[i] == 0xF0 && p[i + 1] == 0x0D))
      continue;
    uint8_t *b = exact_copy(p + start, i - start);
    uint32_t rec_len = 0, detail = 0;
    enum hb_verdict v = tls_heartbeat_check(&st, dir, b, (uint32_t)(i - start), &rec_len, &detail);
    if (v != HB_NONE && v != HB_ATTEMPT && v != HB_LEAK)
      __builtin_trap();
    free(b);
    dir ^= 1;
    start = i + 2;
    i++;
  }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size < 1)
    return 0;
  uint8_t sel = data[0];
  const uint8_t *p = data + 1;
  size_t n = size - 1;
  int flag = (sel >> 2) & 1;
  size_t len = (sel & 8) ? n + 100 : n;
  switch (sel & 3) {
  case 0:
    fuzz_dns(p, n, flag, len);
    break;
  case 1:
    fuzz_heartbeat(p, n, flag);
    break;
  case 2: {
    uint8_t *b = exact_copy(p, n);
    if (http_request_start(b, (uint32_t)n)) {
      const char *why = http_smuggling_check(b, (uint32_t)n);
      if (why && !*why)
        __builtin_trap();
    }
    free(b);
    break;
  }
  case 3: {
    uint8_t *b = exact_copy(p, n);
    const char *why = icmp_tunnel_check(b, (uint32_t)n, (uint32_t)len);
    if (why && !*why)
      __builtin_trap();
    free(b);
    break;
  }
  }
  return 0;
}
