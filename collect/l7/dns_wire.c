/* collect/l7/dns_wire.c — see dns_wire.h. */
#include "collect/l7/dns_wire.h"

#include "collect/l7/l7_util.h"

void dns_read_header(const uint8_t *m, struct dns_hdr *h) {
  h->id = l7_be16(m);
  h->flags = l7_be16(m + 2);
  h->qd = l7_be16(m + 4);
  h->an = l7_be16(m + 6);
  h->ns = l7_be16(m + 8);
  h->ar = l7_be16(m + 10);
}

/* Counts a message of this kind can carry. Queries carry at most a few
 * records (mDNS known answers, update prerequisites and updates, EDNS and
 * TSIG); a response may be large but its question count stays small, and
 * its records (11 bytes at least, 5 for a question) must fit its length. */
int dns_header_plausible(const struct dns_hdr *h, size_t total) {
  unsigned op = dns_opcode(h);
  size_t least = (size_t)h->qd * 5 + ((size_t)h->an + h->ns + h->ar) * 11;
  if (least > total - DNS_HDR)
    return 0;
  if (op == 3 || op > 5 || (h->flags & 0x0040))
    return 0;
  if (!dns_is_response(h))
    return h->qd >= 1 && h->qd <= 32 && dns_rcode(h) == 0 && h->an <= 64 &&
           h->ns <= 64 && h->ar <= 16;
  if (dns_rcode(h) > 11 || h->qd > 32)
    return 0;
  /* No question: only an mDNS announcement or an error reply. */
  return h->qd > 0 || h->an + h->ns + h->ar > 0 || dns_rcode(h) != 0;
}

/* One label's bytes as text: dots and control bytes would make the dotted
 * name ambiguous or unprintable. */
static size_t put_label(char *out, size_t o, const uint8_t *s, size_t n) {
  for (size_t i = 0; i < n; i++) {
    uint8_t c = s[i];
    out[o++] = (char)(c < 0x20 || c == 0x7f || c == '.' ? '?' : c);
  }
  return o;
}

/* Read the name at off. out (at least 256 bytes) gets the dotted text or
 * nothing when out is NULL; *next the offset after the name where it
 * started (after its first pointer, if any). */
int dns_read_name(const uint8_t *m, size_t len, size_t off, char *out,
                  size_t *next) {
  size_t pos = off, seg = off, wire = 1, o = 0;
  unsigned hops = 0;
  int jumped = 0;
  for (;;) {
    if (pos >= len)
      return DNS_CUT;
    uint8_t c = m[pos];
    if (c == 0) {
      if (!jumped)
        *next = pos + 1;
      break;
    }
    if ((c & 0xc0) == 0xc0) {
      if (pos + 1 >= len)
        return DNS_CUT;
      size_t target = (size_t)(c & 0x3f) << 8 | m[pos + 1];
      /* Strictly before the labels this pointer ends: every hop moves back,
       * so no sequence of pointers can loop. */
      if (target < DNS_HDR)
        return DNS_BAD;
      if (target >= seg || ++hops > DNS_MAX_HOPS)
        return DNS_LOOP;
      if (!jumped)
        *next = pos + 2;
      jumped = 1;
      pos = seg = target;
      continue;
    }
    if (c & 0xc0)
      return DNS_BAD; /* extended label types (RFC 6891 §5): obsolete */
    wire += 1u + c; /* 255 bytes bound the labels too: 127 at most */
    if (wire > DNS_MAX_NAME)
      return DNS_LONG;
    if (c > len - pos - 1)
      return DNS_CUT;
    if (out) {
      if (o)
        out[o++] = '.';
      o = put_label(out, o, m + pos + 1, c);
    }
    pos += 1u + c;
  }
  if (out) {
    if (o == 0)
      out[o++] = '.';
    out[o] = '\0';
  }
  return DNS_OK;
}

