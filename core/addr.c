#include "core/addr.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *hb_addr_str(const struct hb_addr *a, char *out) {
  if (a->family == 4)
    inet_ntop(AF_INET, a->b, out, HB_ADDR_STRLEN);
  else if (a->family == 6)
    inet_ntop(AF_INET6, a->b, out, HB_ADDR_STRLEN);
  else
    snprintf(out, HB_ADDR_STRLEN, "-");
  return out;
}

int hb_addr_parse(const char *s, struct hb_addr *out) {
  memset(out, 0, sizeof *out);
  if (inet_pton(AF_INET, s, out->b) == 1) {
    out->family = 4;
    return 0;
  }
  if (inet_pton(AF_INET6, s, out->b) == 1) {
    out->family = 6;
    return 0;
  }
  memset(out, 0, sizeof *out);
  return -EINVAL;
}

static void clear_host_bits(struct hb_addr *a, unsigned len) {
  unsigned width = a->family == 4 ? 32 : 128;
  for (unsigned bit = len; bit < width; bit++)
    a->b[bit / 8] &= (uint8_t) ~(0x80u >> (bit % 8));
}

int hb_cidr_parse(const char *s, struct hb_cidr *out) {
  char buf[64];
  size_t n = strlen(s);
  if (n == 0 || n >= sizeof buf)
    return -EINVAL;
  memcpy(buf, s, n + 1);
  char *slash = strchr(buf, '/');
  long len = -1;
  if (slash) {
    *slash = '\0';
    /* Digits only: strtol would also take blanks and a sign. */
    if (slash[1] < '0' || slash[1] > '9')
      return -EINVAL;
    char *end = NULL;
    errno = 0;
    len = strtol(slash + 1, &end, 10);
    if (errno || end == slash + 1 || *end != '\0' || len < 0)
      return -EINVAL;
  }
  if (hb_addr_parse(buf, &out->net) < 0)
    return -EINVAL;
  long width = out->net.family == 4 ? 32 : 128;
  if (len < 0)
    len = width;
  if (len > width)
    return -EINVAL;
  out->len = (uint8_t)len;
  clear_host_bits(&out->net, (unsigned)len);
  return 0;
}

bool hb_cidr_contains(const struct hb_cidr *c, const struct hb_addr *a) {
  if (c->net.family != a->family)
    return false;
  unsigned full = c->len / 8, rest = c->len % 8;
  if (memcmp(c->net.b, a->b, full) != 0)
    return false;
  if (rest == 0)
    return true;
  uint8_t mask = (uint8_t)(0xffu << (8 - rest));
  return (a->b[full] & mask) == c->net.b[full];
}

bool hb_addr_eq(const struct hb_addr *a, const struct hb_addr *b) {
  return a->family == b->family && memcmp(a->b, b->b, 16) == 0;
}

bool hb_addr_is_private(const struct hb_addr *a) {
  const uint8_t *b = a->b;
  if (a->family == 4)
    return b[0] == 10 || b[0] == 127 ||                 /* 10/8, 127/8 */
           (b[0] == 172 && (b[1] & 0xf0) == 16) ||      /* 172.16/12 */
           (b[0] == 192 && b[1] == 168) ||              /* 192.168/16 */
           (b[0] == 169 && b[1] == 254) ||              /* 169.254/16 */
           (b[0] == 100 && (b[1] & 0xc0) == 64);        /* 100.64/10 */
  if (a->family == 6) {
    static const uint8_t loopback[16] = {[15] = 1};
    return memcmp(b, loopback, 16) == 0 ||             /* ::1 */
           (b[0] & 0xfe) == 0xfc ||                     /* fc00::/7 */
           (b[0] == 0xfe && (b[1] & 0xc0) == 0x80);     /* fe80::/10 */
  }
  return false;
}
