/* detect/threat/dns_threat.h — DNS messages that attack parsers, and DNS
 * used as a tunnel.
 *
 * Contract: dns_message_check() reads one DNS message (UDP payload, or TCP
 * payload after its 2-byte length) and reports a compression loop (a
 * pointer that does not go backwards, or too many hops) in any owner name
 * of the first DNS_CHECK_RECORDS records, or an oversize message (a name
 * over 255 bytes; over UDP, more than 512 bytes with no additional record
 * to carry EDNS, or more than 4096 bytes). It also gives the first
 * question's name and type. dns_tunnel_observe() takes the question of one
 * query and counts, per registered domain (the last two labels, three
 * under a two-letter country code with a short second level like co.uk),
 * a score of how much its queries look like data rather than names — +2
 * each for a label of `dns_label`+ bytes or a name of `dns_name`+, a byte
 * no host name has, a hex run of 32+, a subdomain of 24+ characters with
 * `dns_entropy`+ bits per character; +3 for a NULL query, +1 for TXT, MX
 * or CNAME with any of those — in windows of `dns_window` seconds; it
 * returns the domain's score at the query that takes it to `dns_score`,
 * once per domain and window. Memory: one entry per domain with such queries,
 * cleared past DNS_TUNNEL_MAX_DOMAINS.
 */
#ifndef HABIT_DETECT_THREAT_DNS_THREAT_H
#define HABIT_DETECT_THREAT_DNS_THREAT_H

#include <stddef.h>
#include <stdint.h>

#include "config/config.h"
#include "core/keytab.h"

#define DNS_CHECK_RECORDS 32
#define DNS_TUNNEL_MAX_DOMAINS (1u << 16)

enum dns_msg_verdict { DNS_MSG_FINE = 0, DNS_MSG_LOOP = 1, DNS_MSG_OVERSIZE = 2,
                       DNS_MSG_NOT_DNS = 3 };

struct dns_question {
  char name[256];
  uint16_t qtype;
  uint8_t is_query;
};

enum dns_msg_verdict dns_message_check(const uint8_t *m, size_t cap, size_t len,
                                       int over_udp, struct dns_question *q,
                                       const char **why);

struct dns_tunnel_tracker {
  struct cfg_threats cfg;
  struct keytab domains; /* hash(domain) -> a: count, b: window */
};

/* What made a name look like data (for the alert's words). */
struct dns_tunnel_sign {
  char domain[256];
  unsigned longest_label;
  double entropy;
};

void dns_tunnel_init(struct dns_tunnel_tracker *t, const struct cfg_threats *cfg);
void dns_tunnel_free(struct dns_tunnel_tracker *t);
uint64_t dns_tunnel_observe(struct dns_tunnel_tracker *t, const struct dns_question *q,
                            uint64_t ts_ns, struct dns_tunnel_sign *sign);

#endif
