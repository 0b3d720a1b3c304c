/* collect/l7/quic.c — QUIC over UDP by its long-header packets (RFC 9000
 * §17.2, RFC 8999's invariants, RFC 9369 for version 2), without
 * decryption: the Initial packets' payload (and the TLS ClientHello with
 * its SNI inside) is encrypted with keys derived from the Destination
 * Connection ID (RFC 9001 §5.2), which would take HKDF-SHA256 and AES-GCM;
 * this probe identifies QUIC from the clear header fields alone and
 * reports no SNI.
 *
 * A long header: the form bit and the fixed bit set, a version habit knows
 * (1, 2 = 0x6b3343cf, drafts 27..34 = 0xff00001b..22), DCID and SCID
 * lengths at most 20 (§17.2), then per packet type (whose 2-bit code
 * differs in v2, RFC 9369 §3.2): Initial — a token length and token, a
 * Length (§16 variable-length integer) of at least 20 bytes (the packet
 * number and the 16-byte header-protection sample, RFC 9001 §5.4.2) that
 * fits the datagram; 0-RTT and Handshake — a Length the same way; Retry —
 * a token and the 16-byte integrity tag. A client's first datagram is an
 * Initial in a datagram of at least 1200 bytes (§14.1) with a DCID of at
 * least 8 (§7.2). The server answers with packets whose DCID is the
 * client's SCID: an Initial with no token (§17.2.2), a Handshake, a Retry,
 * or a Version Negotiation (version 0: a list of versions, §17.2.1).
 * Facts: software = the version ("QUIC v1", "QUIC v2", "QUIC draft-29");
 * verb = the first packet's type (Initial, Handshake, ...).
 *
 * Confidence: a client's Initial 85, a server's packets without it 75, +5
 * on port 443; 100 when the server's DCID matches the client's SCID (its
 * length and first two bytes).
 */
#include <string.h>

#include "collect/l7/l7.h"
#include "collect/l7/l7_util.h"

/* What the probe remembers: flags in scratch->raw[0], the client's SCID
 * length in raw[1] and its first two bytes in raw[2..3]. */
#define QUIC_CLIENT 0x01u      /* a client Initial was seen ... */
#define QUIC_CLIENT_DIR1 0x02u /* ... in direction 1 */
#define QUIC_SERVER 0x04u      /* a server packet was seen */
#define QUIC_CLAIMED 0x08u     /* we said MATCH: the flow is ours */

#define QUIC_MAX_CID 20
#define QUIC_MIN_INITIAL 1200
#define QUIC_MIN_CLIENT_DCID 8
#define QUIC_MIN_LENGTH 20 /* packet number (>= 4 with the sample offset) + 16 */
#define QUIC_TAG 16

enum { T_INITIAL, T_0RTT, T_HANDSHAKE, T_RETRY, T_VN };
static const char *const type_names[] = {"Initial", "0-RTT", "Handshake",
                                         "Retry", "VersionNegotiation"};

struct hdr {
  uint32_t version;
  int type;
  const uint8_t *dcid, *scid;
  size_t dcid_len, scid_len;
  uint64_t token_len;
};

/* The versions known and their names. */
static const char *version_name(uint32_t v) {
  if (v == 0x00000001)
    return "QUIC v1";
  if (v == 0x6b3343cf)
    return "QUIC v2";
  static const char *const drafts[] = {"QUIC draft-27", "QUIC draft-28",
                                       "QUIC draft-29", "QUIC draft-30",
                                       "QUIC draft-31", "QUIC draft-32",
                                       "QUIC draft-33", "QUIC draft-34"};
  if (v >= 0xff00001b && v <= 0xff000022)
    return drafts[v - 0xff00001b];
  return NULL;
}

/* A variable-length integer (RFC 9000 §16) at p[*i..n). */
static int varint(const uint8_t *p, size_t n, size_t *i, uint64_t *v) {
  if (*i >= n)
    return 0;
  size_t len = (size_t)1 << (p[*i] >> 6);
  if (len > n - *i)
    return 0;
  uint64_t x = p[*i] & 0x3f;
  for (size_t k = 1; k < len; k++)
    x = x << 8 | p[*i + k];
  *i += len;
  *v = x;
  return 1;
}

/* The long header at p[0..n), through the CIDs. *i is left after them. */
static int long_header(const uint8_t *p, size_t n, struct hdr *h, size_t *i) {
  if (n < 7 || !(p[0] & 0x80))
    return 0;
  h->version = (uint32_t)p[1] << 24 | l7_be24(p + 2);
  size_t k = 5;
  h->dcid_len = p[k++];
  if (h->version == 0) {
    /* Version Negotiation: CIDs up to 255 bytes (RFC 8999 §6). */
    h->type = T_VN;
  } else {
    if (!(p[0] & 0x40) || !version_name(h->version) || h->dcid_len > QUIC_MAX_CID)
      return 0;
    unsigned code = (p[0] >> 4) & 3;
    /* v2 rotates the codes: Retry 0, Initial 1, 0-RTT 2, Handshake 3. */
    h->type = h->version == 0x6b3343cf ? (int)((code + 3) & 3) : (int)code;
  }
  if (h->dcid_len > n - k)
    return 0;
  h->dcid = p + k;
  k += h->dcid_len;
  if (k >= n)
    return 0;
  h->scid_len = p[k++];
  if ((h->type != T_VN && h->scid_len > QUIC_MAX_CID) || h->scid_len > n - k)
    return 0;
  h->scid = p + k;
  k += h->scid_len;
  *i = k;
  return 1;
}

/* The rest of the first packet of the datagram: 1 when well formed. */
static int packet_body(const uint8_t *p, size_t n, size_t i, struct hdr *h) {
  uint64_t len = 0;
  switch (h->type) {
  case T_VN:
    /* A list of 32-bit versions, at least one, none of them 0. */
    if (n - i < 4 || (n - i) % 4)
      return 0;
    for (; i < n; i += 4)
      if (((uint32_t)p[i] << 24 | l7_be24(p + i + 1)) == 0)
        return 0;
    return 1;
  case T_RETRY:
    return n - i > QUIC_TAG; /* a token of at least 1 byte, then the tag */
  case T_INITIAL:
    if (!varint(p, n, &i, &h->token_len) || h->token_len > n - i)
      return 0;
    i += (size_t)h->token_len;
    /* fall through */
  default:
    if (!varint(p, n, &i, &len))
      return 0;
    return len >= QUIC_MIN_LENGTH && len <= n - i;
  }
}

static int usual_port(const struct l7_pkt *pkt) { return pkt->srv_port == 443; }

static void store_facts(const struct hdr *h, struct l7_facts *facts) {
  if (facts->u.gen.verb[0])
    return;
  const char *t = type_names[h->type];
  l7_copy(facts->u.gen.verb, sizeof facts->u.gen.verb, (const uint8_t *)t,
          strlen(t));
  const char *v = h->type == T_VN ? NULL : version_name(h->version);
  if (v)
    l7_copy(facts->u.gen.software, sizeof facts->u.gen.software,
            (const uint8_t *)v, strlen(v));
}

/* A client's first Initial (RFC 9000 §14.1, §7.2). */
static int client_initial(const struct l7_pkt *pkt, const struct hdr *h) {
  return h->type == T_INITIAL && pkt->len >= QUIC_MIN_INITIAL &&
         h->dcid_len >= QUIC_MIN_CLIENT_DCID;
}

/* A packet a server sends first. */
static int server_packet(const struct hdr *h) {
  return (h->type == T_INITIAL && h->token_len == 0) ||
         h->type == T_HANDSHAKE || h->type == T_RETRY || h->type == T_VN;
}

static int on_client(const struct l7_pkt *pkt, uint8_t *s, const struct hdr *h,
                     struct l7_facts *facts, uint8_t *confidence) {
  if (!(s[0] & QUIC_CLIENT)) {
    s[0] |= (uint8_t)(QUIC_CLIENT | ((pkt->dir & 1) ? QUIC_CLIENT_DIR1 : 0));
    s[1] = (uint8_t)h->scid_len;
    s[2] = h->scid_len > 0 ? h->scid[0] : 0;
    s[3] = h->scid_len > 1 ? h->scid[1] : 0;
  }
  store_facts(h, facts);
  s[0] |= QUIC_CLAIMED;
  l7_conf_floor(confidence, l7_conf(85, usual_port(pkt)));
  return L7_MATCH;
}

static int cid_matches(const uint8_t *s, const struct hdr *h) {
  if (h->dcid_len != s[1])
    return 0;
  return (h->dcid_len < 1 || h->dcid[0] == s[2]) &&
         (h->dcid_len < 2 || h->dcid[1] == s[3]);
}

static int on_server(const struct l7_pkt *pkt, uint8_t *s, const struct hdr *h,
                     struct l7_facts *facts, uint8_t *confidence) {
  int opposite = (s[0] & QUIC_CLIENT) &&
                 ((s[0] & QUIC_CLIENT_DIR1) != 0) != ((pkt->dir & 1) != 0);
  if (opposite && cid_matches(s, h)) {
    s[0] |= QUIC_SERVER | QUIC_CLAIMED;
    *confidence = 100;
    return L7_DONE;
  }
  if (h->type == T_VN && !(s[0] & QUIC_CLIENT))
    return L7_NO; /* version 0 alone: too little to go on */
  store_facts(h, facts);
  s[0] |= QUIC_SERVER | QUIC_CLAIMED;
  l7_conf_floor(confidence, l7_conf(75, usual_port(pkt)));
  return L7_MATCH;
}

int l7_probe_quic(const struct l7_pkt *pkt, union l7_scratch *scratch,
                  struct l7_facts *facts, uint8_t *confidence) {
  if (pkt->proto != L7_IP_UDP || pkt->len == 0)
    return L7_NO;
  uint8_t *s = scratch->raw;
  struct hdr h = {0};
  size_t i = 0;
  int ok = long_header(pkt->data, pkt->len, &h, &i) &&
           packet_body(pkt->data, pkt->len, i, &h);
  if (ok && client_initial(pkt, &h) && !(s[0] & QUIC_SERVER) &&
      (!(s[0] & QUIC_CLIENT) ||
       ((s[0] & QUIC_CLIENT_DIR1) != 0) == ((pkt->dir & 1) != 0)))
    return on_client(pkt, s, &h, facts, confidence);
  if (ok && server_packet(&h))
    return on_server(pkt, s, &h, facts, confidence);
  if (s[0] & QUIC_CLAIMED) {
    /* 1-RTT short-header packets and the like, after the handshake. */
    l7_conf_floor(confidence, 75);
    return L7_MATCH;
  }
  return L7_NO;
}
