/* core/addr.h — IPv4/IPv6 addresses and CIDR prefixes.
 *
 * Contract: an hb_addr holds an IPv4 address in b[0..3] (family 4) or an IPv6
 * address in b[0..15] (family 6); unused bytes are zero so addresses compare
 * with memcmp. Parsing rejects anything inet_pton would reject, and prefix
 * lengths beyond the family's width.
 */
#ifndef HABIT_CORE_ADDR_H
#define HABIT_CORE_ADDR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define HB_ADDR_STRLEN 46 /* INET6_ADDRSTRLEN */

struct hb_addr {
  uint8_t family; /* 4 or 6; 0 = unset */
  uint8_t b[16];
};

struct hb_cidr {
  struct hb_addr net; /* host bits cleared */
  uint8_t len;        /* prefix length */
};

/* Text form into out (at least HB_ADDR_STRLEN bytes); returns out. */
const char *hb_addr_str(const struct hb_addr *a, char *out);
/* Parse "10.0.0.1" or "fd00::1". 0 on success, -EINVAL otherwise. */
int hb_addr_parse(const char *s, struct hb_addr *out);
/* Parse "10.0.0.0/8", "fd00::/8" or a bare address (full-length prefix). */
int hb_cidr_parse(const char *s, struct hb_cidr *out);
bool hb_cidr_contains(const struct hb_cidr *c, const struct hb_addr *a);
bool hb_addr_eq(const struct hb_addr *a, const struct hb_addr *b);
/* Private, loopback, link-local, CGNAT and ULA ranges: habit's default
 * notion of "inside" when the config names none. */
bool hb_addr_is_private(const struct hb_addr *a);

#endif
