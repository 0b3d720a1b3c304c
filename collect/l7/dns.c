/* collect/l7/dns.c — DNS over UDP, and over TCP with its 2-byte length.
 *
 * The header (RFC 1035 §4.1.1) is checked for what real messages never
 * break: a known opcode (0 query, 1 inverse, 2 status, 4 notify, 5 update),
 * the Z bit clear, rcode 0 in a query, section counts a message of that
 * kind can have. Then the first question: the name (with compression
 * pointers, each of which must point strictly before the run of labels it
 * ends — so a walk always terminates — and into the message past the
 * header; at most 16 hops and 255 bytes on the wire, hence 127 labels),
 * qtype and a known class. A response's first answer record is checked the same way; a
 * malformed one (a pointer loop, say) lowers the confidence.
 * Facts: qname (dotted, as on the wire; "." for the root; bytes that are
 * control characters or dots inside a label shown as '?'), qtype, and from
 * a response its rcode and answered=1.
 * NetBIOS name service uses the same wire format; its encoded names (one
 * 32-letter label of A..P) are left alone.
 *
 * Confidence: a query 80, a response without its query 80, -10 when the
 * question count is not 1; a plain query header whose name is cut or
 * malformed 50; +5 on ports 53/5353/5355; 100 for a query and the response
 * with its id (90 if that response is partly malformed).
 */
#include <string.h>

#include "collect/l7/dns_wire.h"
#include "collect/l7/l7.h"
#include "collect/l7/l7_util.h"

/* What the probe remembers, as bits of scratch->dns.saw_query (the query's
 * id is in scratch->dns.id). */
#define DNS_QUERY 0x01u    /* a query was seen; id holds its id */
#define DNS_RESP 0x02u     /* a response was seen */
#define DNS_BARE0 0x04u    /* TCP: a lone length prefix came in direction 0 */
#define DNS_BARE1 0x08u    /* ... in direction 1: next message has none */

enum { P_BAD = -1, P_CUT = 0, P_OK = 1 };

struct dns_msg {
  const uint8_t *m;
  size_t len;      /* bytes of the message that are here */
  size_t total;    /* its whole length: TCP's prefix, else the UDP maximum */
  struct dns_hdr h;
};

/* A loop or an overlong name is just another broken name to the probe. */
static int read_name(const uint8_t *m, size_t len, size_t off, char *out,
                     size_t *next) {
  int r = dns_read_name(m, len, off, out, next);
  return r < 0 ? P_BAD : r;
}

static int class_known(unsigned cls) {
  cls &= 0x7fff; /* mDNS: unicast-response / cache-flush bit */
  return cls == 1 || cls == 3 || cls == 4 || cls == 254 || cls == 255;
}

/* NetBIOS name service: first label of 32 letters A..P (RFC 1002 §4.1). */
static int is_netbios_name(const uint8_t *m, size_t len) {
  if (len < DNS_HDR + 33 || m[DNS_HDR] != 32)
    return 0;
  for (size_t i = 0; i < 32; i++)
    if (m[DNS_HDR + 1 + i] < 'A' || m[DNS_HDR + 1 + i] > 'P')
      return 0;
  return 1;
}

/* A name followed by type and class; *next is after them. */
static int read_entry(const struct dns_msg *d, size_t off, char *name,
                      uint16_t *type, size_t *next) {
  size_t after = 0;
  int r = read_name(d->m, d->len, off, name, &after);
  if (r != P_OK)
    return r;
  if (d->len - after < 4)
    return P_CUT;
  *type = l7_be16(d->m + after);
  if (*type == 0 || !class_known(l7_be16(d->m + after + 2)))
    return P_BAD;
  *next = after + 4;
  return P_OK;
}

/* The first answer record's owner name, type and class: P_OK when sane
 * (or when there is none), P_CUT when the capture ends inside it. */
static int check_answer(const struct dns_msg *d, size_t off) {
  if (!dns_is_response(&d->h) || d->h.an == 0)
    return P_OK;
  uint16_t type = 0;
  size_t next = 0;
  return read_entry(d, off, NULL, &type, &next);
}

struct question {
  char name[256];
  uint16_t qtype;
  int answer;    /* check_answer() */
  int answer_ok; /* answer != P_BAD */
};

/* The first question (and, as a check, the first answer). */
static int parse_question(const struct dns_msg *d, struct question *q) {
  size_t next = DNS_HDR;
  q->name[0] = '\0';
  q->qtype = 0;
  q->answer = P_OK;
  q->answer_ok = 1;
  if (d->h.qd > 0) {
    int r = read_entry(d, DNS_HDR, q->name, &q->qtype, &next);
    if (r != P_OK) {
      q->name[0] = '\0'; /* read_name leaves it unterminated */
      q->qtype = 0;
      return r;
    }
  }
  if (d->h.qd <= 1) {
    q->answer = check_answer(d, next);
    q->answer_ok = q->answer != P_BAD;
  }
  return P_OK;
}

static int usual_port(const struct l7_pkt *pkt) {
  return pkt->srv_port == 53 || pkt->srv_port == 5353 || pkt->srv_port == 5355;
}

static void store_question(struct l7_facts *facts, const struct question *q) {
  if (facts->u.dns.qname[0])
    return;
  l7_copy(facts->u.dns.qname, sizeof facts->u.dns.qname,
          (const uint8_t *)q->name, strlen(q->name));
  facts->u.dns.qtype = q->qtype;
}

static int on_query(const struct l7_pkt *pkt, union l7_scratch *s,
                    const struct dns_msg *d, const struct question *q,
                    struct l7_facts *facts, uint8_t *confidence) {
  if (s->dns.saw_query & (DNS_QUERY | DNS_RESP)) {
    l7_conf_floor(confidence, 70); /* a retry or the next query */
    return L7_MATCH;
  }
  s->dns.saw_query |= DNS_QUERY;
  s->dns.id = d->h.id;
  store_question(facts, q);
  *confidence = l7_conf(d->h.qd == 1 ? 80 : 70, usual_port(pkt));
  return L7_MATCH;
}

static int on_response(const struct l7_pkt *pkt, union l7_scratch *s,
                       const struct dns_msg *d, const struct question *q,
                       struct l7_facts *facts, uint8_t *confidence) {
  int answers_query = (s->dns.saw_query & DNS_QUERY) && s->dns.id == d->h.id;
  if ((s->dns.saw_query & DNS_QUERY) && !answers_query) {
    l7_conf_floor(confidence, 70); /* answers an earlier query */
    return L7_MATCH;
  }
  s->dns.saw_query |= DNS_RESP;
  store_question(facts, q);
  facts->u.dns.rcode = (uint8_t)dns_rcode(&d->h);
  facts->u.dns.answered = 1;
  if (answers_query)
    *confidence = q->answer_ok ? 100 : 90;
  else
    *confidence = l7_conf(d->h.qd == 1 && q->answer_ok ? 80 : 70,
                          usual_port(pkt));
  return L7_DONE;
}

/* Too little of the message to tell (a segment or snap length cut). */
static int undecided(const union l7_scratch *s, uint8_t *confidence) {
  if (!(s->dns.saw_query & (DNS_QUERY | DNS_RESP)))
    return L7_MORE;
  l7_conf_floor(confidence, 60);
  return L7_MATCH;
}

/* The header of an ordinary query: one question and nothing else but
 * perhaps an EDNS record. Eight bytes this constrained are DNS even when
 * the name after them is cut or malformed (a compression loop, a name that
 * runs past the datagram) — worth identifying, at a low confidence. */
static int is_plain_query(const struct dns_hdr *h) {
  return !dns_is_response(h) && dns_opcode(h) == 0 && h->qd == 1 && h->an == 0 &&
         h->ns == 0 && h->ar <= 1;
}

static int on_broken_query(const struct l7_pkt *pkt, union l7_scratch *s,
                           const struct dns_msg *d, uint8_t *confidence) {
  s->dns.saw_query |= DNS_QUERY;
  s->dns.id = d->h.id;
  *confidence = l7_conf(50, usual_port(pkt));
  return L7_MATCH;
}

/* Bytes that are not a DNS message. */
static int not_dns(const union l7_scratch *s, uint8_t *confidence) {
  if (!(s->dns.saw_query & (DNS_QUERY | DNS_RESP)))
    return L7_NO;
  l7_conf_floor(confidence, 60);
  return L7_MATCH; /* a claimed flow: one bad message does not undo it */
}

/* Where the message starts: over TCP after the length prefix, unless that
 * prefix came alone in the previous segment of this direction. Returns
 * P_CUT for a lone prefix (remembered), P_BAD for an impossible length. */
static int locate(const struct l7_pkt *pkt, union l7_scratch *s,
                  struct dns_msg *d) {
  d->m = pkt->data;
  d->len = pkt->len;
  d->total = 65535;
  if (pkt->proto == L7_IP_UDP)
    return P_OK;
  if (pkt->proto != L7_IP_TCP)
    return P_BAD;
  uint8_t bare = (pkt->dir & 1) ? DNS_BARE1 : DNS_BARE0;
  if (s->dns.saw_query & bare) {
    s->dns.saw_query &= (uint8_t)~bare;
    return P_OK;
  }
  if (pkt->len < 2)
    return P_CUT;
  size_t declared = l7_be16(pkt->data);
  if (declared < DNS_HDR)
    return P_BAD;
  if (pkt->len == 2) {
    s->dns.saw_query |= bare;
    return P_CUT;
  }
  d->m = pkt->data + 2;
  d->len = pkt->len - 2 < declared ? pkt->len - 2 : declared;
  d->total = declared;
  return P_OK;
}

int l7_probe_dns(const struct l7_pkt *pkt, union l7_scratch *scratch,
                 struct l7_facts *facts, uint8_t *confidence) {
  struct dns_msg d;
  int r = locate(pkt, scratch, &d);
  if (r == P_BAD)
    return not_dns(scratch, confidence);
  if (r == P_CUT || (d.len < DNS_HDR && pkt->proto == L7_IP_TCP))
    return undecided(scratch, confidence);
  if (d.len < DNS_HDR)
    return not_dns(scratch, confidence);
  dns_read_header(d.m, &d.h);
  if (!dns_header_plausible(&d.h, d.total) || is_netbios_name(d.m, d.len))
    return not_dns(scratch, confidence);
  struct question q;
  r = parse_question(&d, &q);
  if (r != P_OK && is_plain_query(&d.h) && !scratch->dns.saw_query)
    return on_broken_query(pkt, scratch, &d, confidence);
  if (r == P_BAD)
    return not_dns(scratch, confidence);
  /* Question cut short: still the answer to our query when the id says so
   * (its rcode is in the header); otherwise wait for more. */
  int ours = dns_is_response(&d.h) && (scratch->dns.saw_query & DNS_QUERY) &&
             scratch->dns.id == d.h.id;
  if (r == P_CUT && !ours)
    return undecided(scratch, confidence);
  /* Without a question, only a sane first answer (an mDNS announcement) or
   * the id of our query makes 12 bytes of header a DNS message. */
  if (d.h.qd == 0 && !ours && !(d.h.an > 0 && q.answer == P_OK))
    return not_dns(scratch, confidence);
  if (dns_is_response(&d.h))
    return on_response(pkt, scratch, &d, &q, facts, confidence);
  return on_query(pkt, scratch, &d, &q, facts, confidence);
}
