#include "detect/threat/icmp_tunnel.h"

#include <stddef.h>

#define STAMP 16      /* ping programs put a timestamp first */
#define MIN_CONTENT 16

/* An IPv4 or IPv6 header that fits the payload: IP over ICMP. */
static int carries_ip(const uint8_t *p, uint32_t cap, uint32_t len) {
  if (cap >= 20 && (p[0] >> 4) == 4 && (p[0] & 15) >= 5) {
    uint32_t total = (uint32_t)p[2] << 8 | p[3];
    return total >= 20 && total <= len && (p[9] == 1 || p[9] == 6 || p[9] == 17);
  }
  if (cap >= 40 && (p[0] >> 4) == 6) {
    uint32_t total = 40u + ((uint32_t)p[4] << 8 | p[5]);
    return total <= len;
  }
  return 0;
}

/* The share (in %) of neighbouring bytes that follow a ping pattern. */
static unsigned patterned_percent(const uint8_t *p, uint32_t n) {
  unsigned ok = 0;
  for (uint32_t i = 1; i < n; i++) {
    uint8_t a = p[i - 1], b = p[i];
    if (b == (uint8_t)(a + 1) || b == a || (a == 'w' && b == 'a'))
      ok++;
  }
  return n > 1 ? ok * 100u / (n - 1) : 100u;
}

const char *icmp_tunnel_check(const uint8_t *p, uint32_t cap, uint32_t len) {
  uint32_t n = cap < len ? cap : len;
  int judged = n > STAMP + MIN_CONTENT;
  /* The pattern first: a ping's timestamp may start like an IP header
   * (a tv_sec whose low byte is 0x60 looks like IPv6 with no payload). */
  if (judged && patterned_percent(p + STAMP, n - STAMP) >= 90)
    return NULL;
  if (carries_ip(p, cap, len))
    return "the echo payload carries an IP packet";
  if (!judged)
    return NULL; /* too little captured to judge; big pings are not news */
  return "the echo payload follows no ping pattern";
}
