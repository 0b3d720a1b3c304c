/* detect/threat/frag.h — IP fragments that overlap or reassemble too big.
 *
 * Contract: frag_observe() takes one fragment (decode's pkt_info fields
 * fragment, frag_offset, frag_len, more_frags, ip_id) and says whether it
 * overlaps a fragment of the same datagram seen before (exact repeats, a
 * retransmission, do not count) or ends past 65,535 bytes (the ping of
 * death); a datagram is reported once, for whichever comes first. Datagrams are tracked in a fixed table of FRAG_SLOTS slots (a new
 * datagram takes the slot of whatever hashed there before, so memory never
 * grows), each remembering up to FRAG_RANGES fragments for FRAG_TIMEOUT
 * seconds of capture time.
 */
#ifndef HABIT_DETECT_THREAT_FRAG_H
#define HABIT_DETECT_THREAT_FRAG_H

#include <stdint.h>

#include "collect/decode.h"

#define FRAG_SLOTS 4096
#define FRAG_RANGES 16
#define FRAG_TIMEOUT 30

enum frag_verdict { FRAG_FINE = 0, FRAG_OVERLAP = 1, FRAG_TOO_BIG = 2 };

struct frag_range {
  uint32_t off, len;
};

struct frag_slot {
  struct hb_addr src, dst;
  uint32_t id;
  uint8_t proto, used, n, alerted;
  uint16_t sport, dport; /* from the first fragment, when seen */
  uint8_t have_ports;
  uint64_t seen_ns;
  struct frag_range r[FRAG_RANGES];
};

struct frag_tracker {
  struct frag_slot *slots; /* FRAG_SLOTS, allocated at first use */
};

void frag_init(struct frag_tracker *t);
void frag_free(struct frag_tracker *t);
/* For a packet with p->fragment set. *overlap_with gets the offset of the
 * fragment it overlaps (FRAG_OVERLAP). */
enum frag_verdict frag_observe(struct frag_tracker *t, const struct pkt_info *p,
                               uint64_t ts_ns, uint32_t *overlap_with);
/* The transport ports of p's datagram, from its first fragment if it was
 * seen (non-first fragments carry none). 1 when known. */
int frag_ports(const struct frag_tracker *t, const struct pkt_info *p, uint16_t *sport,
               uint16_t *dport);

#endif
