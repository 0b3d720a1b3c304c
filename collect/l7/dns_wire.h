/* collect/l7/dns_wire.h — reading DNS messages (RFC 1035 §4.1) safely.
 *
 * Contract: shared by the DNS probe and the DNS threat checks. Nothing here
 * reads past `len`. dns_read_name() follows compression pointers only
 * backwards (strictly before the run of labels each one ends), at most
 * DNS_MAX_HOPS of them, and at most 255 wire bytes: a pointer that goes
 * forward or to itself, or too many hops, is DNS_LOOP — what a compression
 * loop looks like; a name over 255 wire bytes is DNS_LONG; other impossible
 * encodings are DNS_BAD; a name the capture cuts is DNS_CUT.
 */
#ifndef HABIT_COLLECT_L7_DNS_WIRE_H
#define HABIT_COLLECT_L7_DNS_WIRE_H

#include <stddef.h>
#include <stdint.h>

#define DNS_HDR 12
#define DNS_MAX_HOPS 16
#define DNS_MAX_NAME 255 /* wire bytes, RFC 1035 §2.3.4 */

enum { DNS_LONG = -3, DNS_LOOP = -2, DNS_BAD = -1, DNS_CUT = 0, DNS_OK = 1 };

struct dns_hdr {
  uint16_t id, flags, qd, an, ns, ar;
};

static inline int dns_is_response(const struct dns_hdr *h) { return (h->flags & 0x8000) != 0; }
static inline unsigned dns_opcode(const struct dns_hdr *h) { return (h->flags >> 11) & 15u; }
static inline unsigned dns_rcode(const struct dns_hdr *h) { return h->flags & 15u; }

void dns_read_header(const uint8_t *m, struct dns_hdr *h);
/* Could a message of total bytes carry these counts? */
int dns_header_plausible(const struct dns_hdr *h, size_t total);
/* The name at off as dotted text into out (256 bytes; NULL: not wanted);
 * *next: the offset after the name where it started. */
int dns_read_name(const uint8_t *m, size_t len, size_t off, char *out, size_t *next);

#endif
