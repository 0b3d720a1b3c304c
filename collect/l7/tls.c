/* collect/l7/tls.c — TLS (and SSL 3.0) by its handshake records.
 *
 * A record header (RFC 8446 §5.1: type, legacy version 0x0300..0x0304,
 * length) carrying a ClientHello or ServerHello (§4.1.2, §4.1.3), parsed
 * field by field against two ends: the end the structure declares (a field
 * past it is malformed: not TLS) and the end of the captured bytes (a field
 * past it is cut by the snap length or by segmentation: keep what came
 * before). Facts: SNI (server_name, RFC 6066 §3), the first ALPN protocol
 * (RFC 7301), and the version — the ServerHello's (with supported_versions
 * for TLS 1.3) when seen, else the highest the client offers, GREASE
 * (RFC 8701) ignored and TLS 1.3 drafts (0x7fxx) counted as 0x0304. Only
 * complete names are taken: a cut SNI would be a wrong name. An SSLv2
 * compatible ClientHello is recognised too (its version is 0x0002 or the
 * SSL 3/TLS version it offers).
 *
 * Confidence: a complete ClientHello 95, one cut short 85, an SSLv2 hello
 * 80, a ServerHello without a ClientHello 85; +5 on port 443; 100 with both
 * hellos; 70 when the server answers a ClientHello with something not TLS;
 * 60 for a flow seen only mid-stream (two packets that start with records).
 */
#include <string.h>

#include "collect/l7/l7.h"
#include "collect/l7/l7_util.h"

/* What the probe remembers, as bits of scratch->tls.saw_client_hello. */
#define TLS_CH 0x01u      /* a ClientHello was seen */
#define TLS_CH_DIR1 0x02u /* ... in direction 1 */
#define TLS_SH 0x04u      /* a ServerHello was seen */
#define TLS_REC 0x08u     /* a record that is not a hello (mid-flow) */

#define TLS_REC_HANDSHAKE 22
#define TLS_HS_CLIENT_HELLO 1
#define TLS_HS_SERVER_HELLO 2
#define TLS_MAX_RECORD (16384 + 2048) /* ciphertext bound, RFC 5246 §6.2.3 */

#define TLS_EXT_SERVER_NAME 0
#define TLS_EXT_ALPN 16
#define TLS_EXT_SUPPORTED_VERSIONS 43

enum { P_BAD = -1, P_CUT = 0, P_OK = 1 };

/* A bounded reader: lim is where the enclosing structure says it ends, cap
 * where the captured bytes end. pos <= lim and pos <= cap always. */
struct cur {
  const uint8_t *p;
  size_t pos, lim, cap;
};

static int take(struct cur *c, size_t k, const uint8_t **out) {
  if (k > c->lim - c->pos)
    return P_BAD;
  if (k > c->cap - c->pos)
    return P_CUT;
  *out = c->p + c->pos;
  c->pos += k;
  return P_OK;
}

static int take8(struct cur *c, unsigned *v) {
  const uint8_t *b = NULL;
  int r = take(c, 1, &b);
  if (r == P_OK)
    *v = b[0];
  return r;
}

static int take16(struct cur *c, unsigned *v) {
  const uint8_t *b = NULL;
  int r = take(c, 2, &b);
  if (r == P_OK)
    *v = l7_be16(b);
  return r;
}

/* A field whose length is given by a 1- or 2-byte prefix. */
static int take_vec(struct cur *c, int prefix, const uint8_t **out,
                    unsigned *len) {
  int r = prefix == 1 ? take8(c, len) : take16(c, len);
  return r == P_OK ? take(c, *len, out) : r;
}

struct hello {
  uint16_t version;  /* legacy_version */
  uint16_t best;     /* highest supported_versions entry, 0 when absent */
  const uint8_t *sni, *alpn;
  size_t sni_len, alpn_len;
};

/* A version we store, or 0 for one we ignore. GREASE values (0x?a?a, RFC
 * 8701) and anything unknown fall outside both ranges. */
static uint16_t usable_version(unsigned v) {
  if (v >= 0x0300 && v <= 0x0304)
    return (uint16_t)v;
  if ((v >> 8) == 0x7f)
    return 0x0304; /* TLS 1.3 draft */
  return 0;
}

static void ext_server_name(const uint8_t *b, size_t n, struct hello *h) {
  struct cur c = {b, 0, n, n};
  const uint8_t *list = NULL, *name = NULL;
  unsigned list_len = 0, type = 0, name_len = 0;
  if (take_vec(&c, 2, &list, &list_len) != P_OK)
    return;
  struct cur l = {list, 0, list_len, list_len};
  while (take8(&l, &type) == P_OK && take_vec(&l, 2, &name, &name_len) == P_OK) {
    if (type == 0) { /* host_name */
      h->sni = name;
      h->sni_len = name_len;
      return;
    }
  }
}

static void ext_alpn(const uint8_t *b, size_t n, struct hello *h) {
  struct cur c = {b, 0, n, n};
  const uint8_t *list = NULL, *name = NULL;
  unsigned list_len = 0, name_len = 0;
  if (take_vec(&c, 2, &list, &list_len) != P_OK)
    return;
  struct cur l = {list, 0, list_len, list_len};
  if (take_vec(&l, 1, &name, &name_len) == P_OK) {
    h->alpn = name;
    h->alpn_len = name_len;
  }
}

/* ClientHello: a list of versions; ServerHello: the one selected. */
static void ext_versions(const uint8_t *b, size_t n, int server,
                         struct hello *h) {
  if (server) {
    if (n == 2)
      h->best = usable_version(l7_be16(b));
    return;
  }
  if (n < 1 || b[0] + 1u > n || b[0] % 2)
    return;
  for (size_t i = 1; i + 1 < 1u + b[0]; i += 2) {
    uint16_t v = usable_version(l7_be16(b + i));
    if (v > h->best)
      h->best = v;
  }
}

/* Walk the extensions block; only complete extensions are looked into. */
static int parse_extensions(struct cur *c, int server, struct hello *h) {
  unsigned ext_len = 0, type = 0, len = 0;
  int r = take16(c, &ext_len);
  if (r != P_OK)
    return r;
  if (ext_len > c->lim - c->pos)
    return P_BAD;
  struct cur e = {c->p, c->pos, c->pos + ext_len, c->cap};
  while (e.pos < e.lim) {
    const uint8_t *body = NULL;
    if ((r = take16(&e, &type)) != P_OK || (r = take_vec(&e, 2, &body, &len)) != P_OK)
      return r;
    if (type == TLS_EXT_SERVER_NAME && !server)
      ext_server_name(body, len, h);
    else if (type == TLS_EXT_ALPN && !server)
      ext_alpn(body, len, h);
    else if (type == TLS_EXT_SUPPORTED_VERSIONS)
      ext_versions(body, len, server, h);
  }
  return P_OK;
}

/* The fields both hellos start with: version, random, session id. */
static int parse_hello_head(struct cur *c, struct hello *h) {
  const uint8_t *b = NULL;
  unsigned v = 0, sid_len = 0;
  int r = take16(c, &v);
  if (r != P_OK)
    return r;
  if (v < 0x0300 || v > 0x0304)
    return P_BAD;
  h->version = (uint16_t)v;
  if ((r = take(c, 32, &b)) != P_OK || (r = take8(c, &sid_len)) != P_OK)
    return r;
  if (sid_len > 32)
    return P_BAD;
  return take(c, sid_len, &b);
}

static int parse_client_hello(struct cur *c, struct hello *h) {
  const uint8_t *b = NULL;
  unsigned n_suites = 0, n_comp = 0;
  int r = parse_hello_head(c, h);
  if (r != P_OK)
    return r;
  if ((r = take16(c, &n_suites)) != P_OK)
    return r;
  if (n_suites == 0 || n_suites % 2)
    return P_BAD;
  if ((r = take(c, n_suites, &b)) != P_OK || (r = take8(c, &n_comp)) != P_OK)
    return r;
  if (n_comp == 0)
    return P_BAD;
  if ((r = take(c, n_comp, &b)) != P_OK)
    return r;
  if (c->pos == c->lim)
    return P_OK; /* no extensions (SSL 3.0, old TLS) */
  return parse_extensions(c, 0, h);
}

static int parse_server_hello(struct cur *c, struct hello *h) {
  const uint8_t *b = NULL;
  int r = parse_hello_head(c, h);
  if (r != P_OK)
    return r;
  if ((r = take(c, 3, &b)) != P_OK) /* cipher suite, compression */
    return r;
  if (c->pos == c->lim)
    return P_OK;
  return parse_extensions(c, 1, h);
}

/* The 5-byte record header; *rlen is the record's declared length. */
static int record_header(const uint8_t *p, size_t n, size_t *rlen) {
  if (p[0] < 20 || p[0] > 24) /* change_cipher_spec .. heartbeat */
    return P_BAD;
  if ((n > 1 && p[1] != 3) || (n > 2 && p[2] > 4))
    return P_BAD;
  if (n < 5)
    return P_CUT;
  *rlen = l7_be16(p + 3);
  if (*rlen == 0 || *rlen > TLS_MAX_RECORD)
    return P_BAD;
  return P_OK;
}

/* SSLv2 CLIENT-HELLO (2-byte header with the high bit set), accepted only
 * when its four lengths add up exactly: cheap and hard to hit by chance. */
static int sslv2_client_hello(const uint8_t *p, size_t n, uint16_t *version) {
  if (n < 11)
    return P_CUT;
  unsigned len = (unsigned)(p[0] & 0x7f) << 8 | p[1];
  unsigned v = l7_be16(p + 3), cs = l7_be16(p + 5), sid = l7_be16(p + 7),
           chl = l7_be16(p + 9);
  if (p[2] != 1 || (v != 0x0002 && (v < 0x0300 || v > 0x0303)))
    return P_BAD;
  if (cs == 0 || cs % 3 || (sid != 0 && sid != 16) || chl < 16 || chl > 32)
    return P_BAD;
  if (9 + cs + sid + chl != len)
    return P_BAD;
  *version = (uint16_t)v;
  return P_OK;
}

static int usual_port(const struct l7_pkt *pkt) { return pkt->srv_port == 443; }

static int opposite_to_client(const struct l7_pkt *pkt, uint8_t st) {
  return ((st & TLS_CH_DIR1) != 0) != ((pkt->dir & 1) != 0);
}

/* Bytes that are not a TLS record here. */
static int not_tls(const struct l7_pkt *pkt, uint8_t *st, uint8_t *confidence) {
  if (!(*st & (TLS_CH | TLS_SH)))
    return L7_NO;
  if ((*st & TLS_CH) && !(*st & TLS_SH) && opposite_to_client(pkt, *st)) {
    /* The client spoke TLS, the server answers in something else (an
     * HTTP error page from a plain-text server, say). */
    *confidence = 70;
    return L7_DONE;
  }
  l7_conf_floor(confidence, 60); /* rest of a hello cut across segments */
  return L7_MATCH;
}

/* A reader over the hello after its handshake header, or 0 when the record
 * cannot even hold that header and the version (a hello cut into tiny
 * records, which no real stack sends). A hello longer than its record goes
 * on in the next record, whose header sits in the way: stop at this
 * record's end. */
static int hello_cursor(const struct l7_pkt *pkt, size_t rlen, struct cur *c) {
  if (rlen < 4 + 2)
    return 0;
  size_t n = pkt->len, cap = n < 5 + rlen ? n : 5 + rlen;
  *c = (struct cur){pkt->data, 9, 9 + l7_be24(pkt->data + 6), cap};
  return 1;
}

static void store_name(char *dst, size_t cap, const uint8_t *s, size_t n) {
  if (s && !dst[0])
    l7_copy(dst, cap, s, n);
}

static int on_client_hello(const struct l7_pkt *pkt, size_t rlen, uint8_t *st,
                           struct l7_facts *facts, uint8_t *confidence) {
  struct cur c;
  if (!hello_cursor(pkt, rlen, &c))
    return not_tls(pkt, st, confidence);
  struct hello h = {0};
  int r = parse_client_hello(&c, &h);
  if (r == P_BAD)
    return not_tls(pkt, st, confidence);
  if (*st & TLS_CH) { /* again, after a HelloRetryRequest */
    l7_conf_floor(confidence, 85);
    return L7_MATCH;
  }
  *st |= (uint8_t)(TLS_CH | ((pkt->dir & 1) ? TLS_CH_DIR1 : 0));
  store_name(facts->u.tls.sni, sizeof facts->u.tls.sni, h.sni, h.sni_len);
  store_name(facts->u.tls.alpn, sizeof facts->u.tls.alpn, h.alpn, h.alpn_len);
  if (!(*st & TLS_SH))
    facts->u.tls.version = h.best ? h.best : h.version;
  if (*st & TLS_SH) {
    *confidence = 100;
    return L7_DONE;
  }
  *confidence = l7_conf(r == P_OK ? 95 : 85, usual_port(pkt));
  return L7_MATCH;
}

static int on_server_hello(const struct l7_pkt *pkt, size_t rlen, uint8_t *st,
                           struct l7_facts *facts, uint8_t *confidence) {
  struct cur c;
  struct hello h = {0};
  if (!hello_cursor(pkt, rlen, &c) || parse_server_hello(&c, &h) == P_BAD)
    return not_tls(pkt, st, confidence);
  if (*st & TLS_SH) {
    l7_conf_floor(confidence, 85);
    return L7_MATCH;
  }
  *st |= TLS_SH;
  facts->u.tls.version = h.best ? h.best : h.version;
  *confidence = (*st & TLS_CH) ? 100 : l7_conf(85, usual_port(pkt));
  return L7_DONE;
}

/* A well-formed record that is not a hello. */
static int on_other_record(const struct l7_pkt *pkt, uint8_t *st,
                           uint8_t *confidence) {
  if (*st & (TLS_CH | TLS_SH)) {
    l7_conf_floor(confidence, 60);
    /* An alert straight after the ClientHello: the server refused. */
    if (pkt->data[0] == 21 && !(*st & TLS_SH) && opposite_to_client(pkt, *st))
      return L7_DONE;
    return L7_MATCH;
  }
  /* Mid-flow: one record header could be chance, two in a row are not. */
  if (*st & TLS_REC) {
    *confidence = 60;
    return L7_MATCH;
  }
  *st |= TLS_REC;
  return L7_MORE;
}

/* SSLv2 SERVER-HELLO: the same kind of exact length check. */
static int sslv2_server_hello(const uint8_t *p, size_t n, uint16_t *version) {
  if (n < 13)
    return P_CUT;
  unsigned len = (unsigned)(p[0] & 0x7f) << 8 | p[1];
  unsigned v = l7_be16(p + 5), cert = l7_be16(p + 7), cs = l7_be16(p + 9),
           cid = l7_be16(p + 11);
  if (p[2] != 4 || p[3] > 1 || (v != 0x0002 && (v < 0x0300 || v > 0x0303)))
    return P_BAD;
  if (cs % 3 || cid < 16 || cid > 32 || 11 + cert + cs + cid != len)
    return P_BAD;
  *version = (uint16_t)v;
  return P_OK;
}

static int on_sslv2(const struct l7_pkt *pkt, uint8_t *st,
                    struct l7_facts *facts, uint8_t *confidence) {
  uint16_t version = 0;
  if (pkt->len > 2 && pkt->data[2] == 4) {
    if (sslv2_server_hello(pkt->data, pkt->len, &version) != P_OK)
      return not_tls(pkt, st, confidence);
    *st |= TLS_SH;
    facts->u.tls.version = version;
    *confidence = (*st & TLS_CH) ? 100 : l7_conf(80, usual_port(pkt));
    return L7_DONE;
  }
  int r = sslv2_client_hello(pkt->data, pkt->len, &version);
  if (r == P_BAD)
    return not_tls(pkt, st, confidence);
  if (r == P_CUT || (*st & TLS_CH)) {
    if (!(*st & TLS_CH))
      return L7_MORE;
    l7_conf_floor(confidence, 80);
    return L7_MATCH;
  }
  *st |= (uint8_t)(TLS_CH | ((pkt->dir & 1) ? TLS_CH_DIR1 : 0));
  facts->u.tls.version = version;
  *confidence = l7_conf(80, usual_port(pkt));
  return L7_MATCH;
}

int l7_probe_tls(const struct l7_pkt *pkt, union l7_scratch *scratch,
                 struct l7_facts *facts, uint8_t *confidence) {
  if (pkt->proto != L7_IP_TCP || pkt->len == 0)
    return L7_NO;
  uint8_t *st = &scratch->tls.saw_client_hello;
  const uint8_t *p = pkt->data;
  if ((p[0] & 0x80) && !(*st & TLS_SH))
    return on_sslv2(pkt, st, facts, confidence);
  size_t rlen = 0;
  int r = record_header(p, pkt->len, &rlen);
  /* Mid-flow, after one record header: the rest of a long record. */
  if (r == P_BAD && *st == TLS_REC)
    return L7_MORE;
  if (r == P_BAD)
    return not_tls(pkt, st, confidence);
  /* A hello is taken once its version is in: record header, handshake
   * header and the 2-byte version, 11 bytes. */
  if (r == P_CUT || (p[0] == TLS_REC_HANDSHAKE && pkt->len < 11)) {
    if (*st & (TLS_CH | TLS_SH))
      l7_conf_floor(confidence, 60);
    return *st & (TLS_CH | TLS_SH) ? L7_MATCH : L7_MORE;
  }
  if (p[0] == TLS_REC_HANDSHAKE && p[5] == TLS_HS_CLIENT_HELLO)
    return on_client_hello(pkt, rlen, st, facts, confidence);
  if (p[0] == TLS_REC_HANDSHAKE && p[5] == TLS_HS_SERVER_HELLO)
    return on_server_hello(pkt, rlen, st, facts, confidence);
  return on_other_record(pkt, st, confidence);
}
