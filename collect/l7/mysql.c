/* collect/l7/mysql.c — MySQL and MariaDB by their client/server protocol.
 *
 * Every message is a packet: a 3-byte little-endian payload length, a
 * sequence number, the payload. Recognised:
 *  - the server's greeting (Protocol::Handshake v10, sequence 0): 0x0a, a
 *    version string of printable bytes that starts with a digit and ends
 *    with a NUL, then thread id, 8 bytes of scramble and a zero filler —
 *    or, when the server refuses the host, an ERR packet (0xff, an error
 *    code 1000..1999 and printable text) filling the segment exactly;
 *  - the client's HandshakeResponse41 or SSLRequest (sequence 1): 4 bytes
 *    of capabilities with CLIENT_PROTOCOL_41, max packet size, character
 *    set and 19 zero bytes of filler (MariaDB keeps its extended
 *    capabilities in the last 4 of the 23), then the user name and its
 *    NUL; the SSLRequest is those 32 bytes alone with CLIENT_SSL, and TLS
 *    follows;
 *  - commands (sequence 0): COM_QUERY and COM_STMT_PREPARE whose text
 *    starts with an SQL verb (with query attributes, CLIENT_QUERY_ATTRIBUTES,
 *    the parameters before the text are walked), and the short fixed-size
 *    commands (ping, quit, statistics, init_db, stmt_close...) which are
 *    taken only once the server's answer agrees;
 *  - the server's answer with the next sequence number: OK (0x00, 7 bytes
 *    at least), ERR (0xff and an error code, '#' and a SQL state when long
 *    enough), EOF or auth switch (0xfe), auth more data (0x01), LOCAL
 *    INFILE (0xfb), or a result set's column count followed by a column
 *    definition ("\x03def") with the sequence number after it.
 * A packet cut by the segment is judged on what is there; bytes after a
 * packet must start the next packet with the next sequence number.
 * Facts: software = the greeting's version string; user = the handshake
 * response's user name; verb and object = the SQL verb and first table of
 * the first query or prepared statement (l7_sql.h).
 *
 * Confidence: greeting 90, handshake response without greeting 85, query
 * 80, refusing ERR greeting 70, a short command and its answer 85; +5 on
 * port 3306; 100 once both sides are proved (greeting and handshake
 * response, or a command and its answer). DONE once TLS starts or when
 * both sides are proved and a verb is known.
 */
#include <string.h>

#include "collect/l7/l7.h"
#include "collect/l7/l7_sql.h"
#include "collect/l7/l7_util.h"

/* What the probe remembers: bits of raw[0] and raw[1]; raw[2] holds the
 * sequence number the server's next answer must carry. */
#define MY_SRV 0x01u      /* the server side is proved */
#define MY_CLI 0x02u      /* the client side is proved */
#define MY_ROLE 0x04u     /* roles are known ... */
#define MY_SRV_DIR1 0x08u /* ... and the server is direction 1 */
#define MY_WAIT 0x10u     /* a client message awaits its answer */
#define MY_WEAK 0x20u     /* ... and it alone proves nothing (short command) */
#define MY_QATTR 0x40u    /* the client asked for query attributes */
#define MY_TLS 0x80u      /* the client asked for TLS */
#define MY_FRAMED 0x01u   /* raw[1]: a consistently framed packet, unplaced */
#define MY_GREETED 0x02u  /* raw[1]: the greeting came (the next client packet is the handshake) */

#define MY_HDR 4
#define MY_MAX_VERSION 63

#define CLIENT_CONNECT_WITH_DB 0x00000008u
#define CLIENT_PROTOCOL_41 0x00000200u
#define CLIENT_SSL 0x00000800u
#define CLIENT_SECURE_CONNECTION 0x00008000u
#define CLIENT_PLUGIN_AUTH_LENENC 0x00200000u
#define CLIENT_QUERY_ATTRIBUTES 0x08000000u

#define COM_QUIT 0x01
#define COM_INIT_DB 0x02
#define COM_QUERY 0x03
#define COM_FIELD_LIST 0x04
#define COM_STATISTICS 0x09
#define COM_PING 0x0e
#define COM_CHANGE_USER 0x11
#define COM_STMT_PREPARE 0x16
#define COM_STMT_EXECUTE 0x17
#define COM_STMT_CLOSE 0x19
#define COM_STMT_RESET 0x1a
#define COM_SET_OPTION 0x1b
#define COM_STMT_FETCH 0x1c
#define COM_RESET_CONNECTION 0x1f

enum { P_BAD = -1, P_CUT = 0, P_OK = 1 };

/* One packet: its payload as far as the segment holds it. */
struct my_pkt {
  const uint8_t *p; /* payload */
  size_t plen;      /* declared payload length */
  size_t have;      /* payload bytes in this segment (<= plen) */
  uint8_t seq;
};

static uint32_t le16(const uint8_t *p) { return (uint32_t)p[0] | (uint32_t)p[1] << 8; }
static uint32_t le24(const uint8_t *p) { return le16(p) | (uint32_t)p[2] << 16; }
static uint32_t le32(const uint8_t *p) { return le24(p) | (uint32_t)p[3] << 24; }

static int is_print(uint8_t c) { return c >= 0x20 && c < 0x7f; }

static int usual_port(const struct l7_pkt *pkt) { return pkt->srv_port == 3306; }

/* The packet at data[off]; P_CUT when not even its header is here. */
static int packet_at(const uint8_t *d, size_t n, size_t off, struct my_pkt *m) {
  if (n - off < MY_HDR)
    return P_CUT;
  m->plen = le24(d + off);
  m->seq = d[off + 3];
  m->p = d + off + MY_HDR;
  size_t rest = n - off - MY_HDR;
  m->have = rest < m->plen ? rest : m->plen;
  return m->plen == 0 ? P_BAD : P_OK;
}

/* After the first packet: the next one must follow with seq + 1 (a result
 * set, an answer with several packets). 0: not so; 1: so, the last packet
 * running past the segment; 2: so, ending exactly with it. */
static int chain_ok(const uint8_t *d, size_t n, const struct my_pkt *first) {
  size_t off = MY_HDR + first->plen;
  uint8_t seq = first->seq;
  for (int k = 0; k < 8 && off < n; k++) {
    struct my_pkt m;
    int r = packet_at(d, n, off, &m);
    if (r == P_CUT)
      return 1; /* a header cut by the segment */
    if (r == P_BAD || m.seq != (uint8_t)(seq + 1))
      return 0;
    seq = m.seq;
    off += MY_HDR + m.plen;
  }
  return off == n ? 2 : 1;
}

/* Protocol::Handshake v10. P_CUT: a prefix of one. */
static int parse_greeting(const struct my_pkt *m, const uint8_t **ver,
                          size_t *ver_len) {
  if (m->seq != 0 || m->plen < 1 + 2 + 15)
    return P_BAD;
  if (m->have < 1)
    return P_CUT;
  if (m->p[0] != 10)
    return P_BAD;
  size_t i = 1;
  while (i < m->have && i - 1 <= MY_MAX_VERSION && is_print(m->p[i]))
    i++;
  if (i == m->have)
    return i - 1 <= MY_MAX_VERSION ? P_CUT : P_BAD;
  if (m->p[i] != 0 || i == 1 || m->p[1] < '0' || m->p[1] > '9')
    return P_BAD;
  *ver = m->p + 1;
  *ver_len = i - 1;
  /* thread id 4, scramble 8, filler 1, capabilities 2 */
  if (i + 1 + 15 > m->plen)
    return P_BAD;
  if (m->have < i + 1 + 13)
    return P_CUT;
  return m->p[i + 1 + 12] == 0 ? P_OK : P_BAD;
}

/* A server that refuses the client before any handshake: ERR, sequence 0,
 * a server error code, printable text, exactly one packet. */
static int is_refusal(const struct l7_pkt *pkt, const struct my_pkt *m) {
  if (m->seq != 0 || m->plen < 3 + 10 || m->have != m->plen || m->p[0] != 0xff ||
      pkt->len != MY_HDR + m->plen)
    return 0;
  uint32_t code = le16(m->p + 1);
  if (code < 1000 || code > 1999)
    return 0;
  for (size_t i = 3; i < m->plen; i++)
    if (!is_print(m->p[i]))
      return 0;
  return 1;
}

struct handshake {
  uint32_t caps;
  const uint8_t *user;
  size_t user_len;
  int ssl; /* an SSLRequest */
};

/* HandshakeResponse41 or SSLRequest (sequence 1). */
static int parse_handshake(const struct my_pkt *m, struct handshake *h) {
  if (m->seq != 1 || m->plen < 32)
    return P_BAD;
  size_t k = m->have < 32 ? m->have : 32;
  if (k >= 2 && !(le16(m->p) & CLIENT_PROTOCOL_41))
    return P_BAD;
  for (size_t i = 9; i < k && i < 28; i++)
    if (m->p[i] != 0)
      return P_BAD;
  if (k < 32)
    return P_CUT;
  h->caps = le32(m->p);
  if (m->plen == 32) {
    if (!(h->caps & CLIENT_SSL))
      return P_BAD;
    h->ssl = 1;
    return P_OK;
  }
  size_t i = 32;
  while (i < m->have && i - 32 < 64 && m->p[i] >= 0x20 && m->p[i] != 0x7f)
    i++;
  if (i == m->have)
    return i - 32 < 64 ? P_CUT : P_BAD;
  if (m->p[i] != 0)
    return P_BAD;
  h->user = m->p + 32;
  h->user_len = i - 32;
  /* The auth response must fit in the packet. */
  size_t a = i + 1;
  if (a >= m->plen)
    return P_OK; /* old clients may end after the user */
  if (a >= m->have)
    return P_CUT;
  size_t alen = m->p[a];
  if (h->caps & CLIENT_PLUGIN_AUTH_LENENC) {
    if (alen > 0xfa)
      return alen == 0xfc || alen == 0xfd ? P_OK : P_BAD; /* long: rare */
    a += 1 + alen;
  } else if (h->caps & CLIENT_SECURE_CONNECTION) {
    a += 1 + alen;
  } else {
    const uint8_t *nul = memchr(m->p + a, 0, m->have - a);
    if (!nul)
      return m->have < m->plen ? P_CUT : P_BAD;
    a = (size_t)(nul - m->p) + 1;
  }
  return a <= m->plen ? P_OK : P_BAD;
}

/* A length-encoded integer at p[*i] (within end). */
static int lenenc(const uint8_t *p, size_t end, size_t *i, uint64_t *v) {
  if (*i >= end)
    return P_CUT;
  uint8_t c = p[(*i)++];
  size_t k = c < 0xfb ? 0 : c == 0xfc ? 2 : c == 0xfd ? 3 : c == 0xfe ? 8 : 99;
  if (k == 99)
    return P_BAD;
  if (k == 0) {
    *v = c;
    return P_OK;
  }
  if (end - *i < k)
    return P_CUT;
  uint64_t x = 0;
  for (size_t j = 0; j < k; j++)
    x |= (uint64_t)p[*i + j] << (8 * j);
  *i += k;
  *v = x;
  return P_OK;
}

/* Size of one binary-protocol value of a type (query attributes); -1 for
 * the length-prefixed ones. */
static int fixed_size(uint8_t type) {
  switch (type) {
  case 0x01: return 1;                       /* TINY */
  case 0x02: case 0x0d: return 2;            /* SHORT, YEAR */
  case 0x03: case 0x04: case 0x09: return 4; /* LONG, FLOAT, INT24 */
  case 0x05: case 0x08: return 8;            /* DOUBLE, LONGLONG */
  case 0x06: return 0;                       /* NULL */
  default: return -1;
  }
}

/* Where a COM_QUERY's text starts when the client sent query attributes:
 * parameter count, set count, then (with parameters) a null bitmap, the
 * types and names, and the values. 0 when it cannot be walked. */
static size_t query_attr_skip(const uint8_t *p, size_t have) {
  size_t i = 1;
  uint64_t n = 0, sets = 0;
  if (lenenc(p, have, &i, &n) != P_OK || lenenc(p, have, &i, &sets) != P_OK ||
      sets != 1 || n > 64)
    return 0;
  if (n == 0)
    return i;
  uint8_t types[64];
  size_t nb = (size_t)(n + 7) / 8;
  if (have - i < nb + 1 || p[i + nb] != 1)
    return 0;
  const uint8_t *nulls = p + i;
  i += nb + 1;
  for (size_t k = 0; k < n; k++) {
    uint64_t len = 0;
    if (have - i < 2)
      return 0;
    types[k] = p[i];
    i += 2;
    if (lenenc(p, have, &i, &len) != P_OK || len > have - i)
      return 0;
    i += (size_t)len;
  }
  for (size_t k = 0; k < n; k++) {
    if (nulls[k / 8] & (1u << (k % 8)))
      continue;
    int f = fixed_size(types[k]);
    uint64_t len = (uint64_t)f;
    if (f < 0 && lenenc(p, have, &i, &len) != P_OK)
      return 0;
    if (len > have - i)
      return 0;
    i += (size_t)len;
  }
  return i;
}

/* The text of a COM_QUERY or COM_STMT_PREPARE, or NULL. */
static const uint8_t *query_text(const struct my_pkt *m, int qattr, size_t *n) {
  size_t at = 1;
  if (m->p[0] == COM_QUERY && qattr)
    at = query_attr_skip(m->p, m->have);
  if (at == 0 || at > m->have)
    return NULL;
  *n = m->have - at;
  return m->p + at;
}

/* Is this a command the client may send (sequence 0)? 2: its text is SQL;
 * 1: a known command of a plausible size; 3: a query cut before its verb
 * is whole; 0: no. */
static int command_kind(const struct my_pkt *m, int qattr) {
  if (m->seq != 0 || m->have < 1)
    return 0;
  uint8_t c = m->p[0];
  size_t n = 0;
  switch (c) {
  case COM_QUERY:
  case COM_STMT_PREPARE: {
    const uint8_t *q = query_text(m, qattr, &n);
    if (q && l7_sql_looks_like(q, n))
      return 2;
    /* Query attributes we did not see negotiated: "00 01" before the text. */
    if (c == COM_QUERY && !qattr && m->have > 3 && m->p[1] == 0 && m->p[2] == 1 &&
        l7_sql_looks_like(m->p + 3, m->have - 3))
      return 2;
    if (m->have < m->plen && (!q || l7_sql_maybe_verb(q, n)))
      return 3;
    return 0;
  }
  case COM_QUIT:
  case COM_STATISTICS:
  case COM_PING:
  case COM_RESET_CONNECTION:
    return m->plen == 1;
  case COM_STMT_CLOSE:
  case COM_STMT_RESET:
    return m->plen == 5;
  case COM_SET_OPTION:
    return m->plen == 3 && m->have == 3 && m->p[2] == 0 && m->p[1] <= 1;
  case COM_STMT_FETCH:
    return m->plen == 9;
  case COM_STMT_EXECUTE:
    return m->plen >= 10 && (m->have < 10 || m->p[5] <= 0x0f);
  case COM_INIT_DB:
  case COM_FIELD_LIST:
    for (size_t i = 1; i < m->have; i++)
      if (!is_print(m->p[i]) && !(c == COM_FIELD_LIST && m->p[i] == 0))
        return 0;
    return m->plen > 1 && m->plen < 256;
  default:
    return 0;
  }
}

/* The server's first packet of an answer (sequence checked by the caller). */
static int answer_ok(const uint8_t *d, size_t n, const struct my_pkt *m) {
  if (m->have < 1)
    return 0;
  uint8_t c = m->p[0];
  if (c == 0x00)
    return m->plen >= 3; /* OK: affected rows, insert id, [status, warnings] */
  if (c == 0xff) {
    if (m->plen < 3 || (m->have >= 3 && le16(m->p + 1) < 1000))
      return 0;
    return m->plen < 9 || m->have < 4 || m->p[3] == '#';
  }
  if (c == 0xfe || c == 0x01 || c == 0xfb)
    return chain_ok(d, n, m); /* EOF, auth switch, more data, LOCAL INFILE */
  if (c < 0xfb || c == 0xfc) {
    /* A result set: column count alone, then "\x03def" with seq + 1. */
    if (m->plen != (c == 0xfc ? 3u : 1u))
      return 0;
    size_t off = MY_HDR + m->plen;
    if (n - off < MY_HDR + 4)
      return n == off;
    return d[off + 3] == (uint8_t)(m->seq + 1) &&
           memcmp(d + off + MY_HDR, "\x03" "def", 4) == 0;
  }
  return 0;
}

/* Is this packet from the server? */
static int from_server(const struct l7_pkt *pkt, uint8_t st) {
  return ((st & MY_SRV_DIR1) != 0) == ((pkt->dir & 1) != 0);
}

static void set_role(const struct l7_pkt *pkt, uint8_t *st, int server) {
  if (*st & MY_ROLE)
    return;
  int srv_dir1 = server ? (pkt->dir & 1) : !(pkt->dir & 1);
  *st |= (uint8_t)(MY_ROLE | (srv_dir1 ? MY_SRV_DIR1 : 0));
}

static uint8_t both_or(uint8_t st, unsigned base, const struct l7_pkt *pkt) {
  if ((st & (MY_SRV | MY_CLI)) == (MY_SRV | MY_CLI))
    return 100;
  return l7_conf(base, usual_port(pkt));
}

/* The verdict once claimed: DONE when there is nothing more to learn. */
static int verdict(uint8_t st, const struct l7_facts *facts) {
  if (st & MY_TLS)
    return L7_DONE;
  if ((st & (MY_SRV | MY_CLI)) == (MY_SRV | MY_CLI) && facts->u.gen.verb[0])
    return L7_DONE;
  return L7_MATCH;
}

static int on_greeting(const struct l7_pkt *pkt, union l7_scratch *s,
                       struct l7_facts *facts, const uint8_t *ver, size_t vlen,
                       uint8_t *confidence) {
  uint8_t *st = &s->raw[0];
  set_role(pkt, st, 1);
  if (!(*st & MY_SRV))
    l7_copy(facts->u.gen.software, sizeof facts->u.gen.software, ver, vlen);
  *st |= MY_SRV;
  s->raw[1] |= MY_GREETED;
  *confidence = both_or(*st, 90, pkt);
  return verdict(*st, facts);
}

static int on_handshake(const struct l7_pkt *pkt, union l7_scratch *s,
                        struct l7_facts *facts, const struct handshake *h,
                        uint8_t *confidence) {
  uint8_t *st = &s->raw[0];
  set_role(pkt, st, 0);
  *st |= MY_CLI;
  if (h->caps & CLIENT_QUERY_ATTRIBUTES)
    *st |= MY_QATTR;
  if (h->ssl)
    *st |= MY_TLS;
  else {
    *st |= MY_WAIT;
    s->raw[2] = 2;
  }
  if (h->user && !facts->u.gen.user[0])
    l7_copy(facts->u.gen.user, sizeof facts->u.gen.user, h->user, h->user_len);
  *confidence = both_or(*st, 85, pkt);
  return verdict(*st, facts);
}

static int on_command(const struct l7_pkt *pkt, union l7_scratch *s,
                      struct l7_facts *facts, const struct my_pkt *m, int kind,
                      uint8_t *confidence) {
  uint8_t *st = &s->raw[0];
  int was_claimed = (*st & (MY_SRV | MY_CLI)) != 0;
  set_role(pkt, st, 0);
  *st |= MY_WAIT;
  s->raw[2] = 1;
  if (kind == 2) {
    *st &= (uint8_t)~MY_WEAK;
    if (!facts->u.gen.verb[0]) {
      size_t n = 0;
      const uint8_t *q = query_text(m, (*st & MY_QATTR) != 0, &n);
      if (q && !l7_sql_looks_like(q, n) && m->have > 3)
        q = m->p + 3, n = m->have - 3; /* attributes seen by command_kind */
      if (q)
        l7_sql_facts(q, n, m->have == m->plen, facts->u.gen.verb,
                     sizeof facts->u.gen.verb,
                     facts->u.gen.object, sizeof facts->u.gen.object);
    }
    *st |= MY_CLI;
    *confidence = both_or(*st, 80, pkt);
    return verdict(*st, facts);
  }
  if (!was_claimed) {
    *st |= MY_WEAK;
    return L7_MORE;
  }
  l7_conf_floor(confidence, 80);
  return verdict(*st, facts);
}

static int on_answer(const struct l7_pkt *pkt, union l7_scratch *s,
                     struct l7_facts *facts, uint8_t *confidence) {
  uint8_t *st = &s->raw[0];
  /* A short command alone proved nothing; with its answer it is MySQL,
   * though less surely than a greeting and a handshake. */
  int weak_pair = (*st & MY_WEAK) && !(*st & (MY_SRV | MY_CLI));
  *st &= (uint8_t)~(MY_WAIT | MY_WEAK);
  *st |= MY_SRV | MY_CLI;
  *confidence = weak_pair ? l7_conf(85, usual_port(pkt)) : 100;
  return verdict(*st, facts);
}

/* Nothing recognisable: undecided before any claim, else nothing new. */
static int other(union l7_scratch *s, int framed, const struct l7_facts *facts,
                 uint8_t *confidence) {
  uint8_t st = s->raw[0];
  if (!(st & (MY_SRV | MY_CLI))) {
    /* One segment of packets framed exactly (a capture that starts
     * mid-flow, on the server's side): wait for the client's next command.
     * Not after a short command: its answer was this. */
    if (framed == 2 && !(st & MY_WEAK) && !(s->raw[1] & MY_FRAMED)) {
      s->raw[1] |= MY_FRAMED;
      return L7_MORE;
    }
    return L7_NO;
  }
  l7_conf_floor(confidence, 70);
  return verdict(st, facts);
}

int l7_probe_mysql(const struct l7_pkt *pkt, union l7_scratch *scratch,
                   struct l7_facts *facts, uint8_t *confidence) {
  if (pkt->proto != L7_IP_TCP || pkt->len == 0)
    return L7_NO;
  uint8_t *st = &scratch->raw[0];
  if (*st & MY_TLS) {
    l7_conf_floor(confidence, 90);
    return L7_DONE;
  }
  struct my_pkt m;
  int r = packet_at(pkt->data, pkt->len, 0, &m);
  if (r == P_CUT)
    return (*st & (MY_SRV | MY_CLI)) ? (l7_conf_floor(confidence, 70), L7_MATCH)
                                     : L7_MORE;
  /* Bytes after the packet must be the next packet of the same message. */
  int framed = r == P_OK ? chain_ok(pkt->data, pkt->len, &m) : 0;
  if (r == P_BAD || !framed)
    return other(scratch, 0, facts, confidence);
  int known = (*st & MY_ROLE) != 0;
  int srv = known && from_server(pkt, *st);
  int cli = known && !srv;

  if (!cli) {
    const uint8_t *ver = NULL;
    size_t vlen = 0;
    /* The greeting comes alone: nothing after it. */
    int g = pkt->len > MY_HDR + m.plen ? P_BAD : parse_greeting(&m, &ver, &vlen);
    if (g == P_OK)
      return on_greeting(pkt, scratch, facts, ver, vlen, confidence);
    if (g == P_CUT && !known)
      return L7_MORE;
    if (!known && is_refusal(pkt, &m)) {
      set_role(pkt, st, 1);
      *st |= MY_SRV;
      *confidence = l7_conf(70, usual_port(pkt));
      return L7_DONE;
    }
    if (srv && (*st & MY_WAIT) && m.seq == scratch->raw[2] &&
        answer_ok(pkt->data, pkt->len, &m))
      return on_answer(pkt, scratch, facts, confidence);
  }
  if (!srv) {
    struct handshake h = {0};
    /* Only after a greeting, or as the first thing we see. */
    if (m.seq == 1 && (!known || (scratch->raw[1] & MY_GREETED))) {
      int hr = parse_handshake(&m, &h);
      if (hr == P_OK || (hr == P_CUT && m.have >= 32))
        return on_handshake(pkt, scratch, facts, &h, confidence);
      if (hr == P_CUT && !known)
        return L7_MORE;
    }
    int kind = command_kind(&m, (*st & MY_QATTR) != 0);
    if (kind == 3)
      return (*st & (MY_SRV | MY_CLI)) ? (l7_conf_floor(confidence, 70), L7_MATCH)
                                       : L7_MORE;
    if (kind)
      return on_command(pkt, scratch, facts, &m, kind, confidence);
  }
  return other(scratch, framed, facts, confidence);
}
