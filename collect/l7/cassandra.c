/* collect/l7/cassandra.c — Cassandra (and ScyllaDB) by the CQL native
 * protocol, versions 3 to 5.
 *
 * A frame has a 9-byte header: version (0x03..0x05 for a request, with
 * 0x80 set for a response), flags (compression, tracing, custom payload,
 * warning, beta: bits above 0x1f clear), a 2-byte stream id, an opcode and
 * a 4-byte body length (at most 256 MiB) that agrees with the segment: the
 * body fills it, runs past it, or another header of the same version
 * follows. The opcode must be one of its direction's: STARTUP, OPTIONS,
 * QUERY, PREPARE, EXECUTE, REGISTER, BATCH, AUTH_RESPONSE for requests;
 * ERROR, READY, AUTHENTICATE, SUPPORTED, RESULT, EVENT, AUTH_CHALLENGE,
 * AUTH_SUCCESS for responses. Bodies are checked when uncompressed:
 * OPTIONS and READY are empty, STARTUP is a string map holding
 * CQL_VERSION, QUERY and PREPARE a long string of CQL then (QUERY) a
 * consistency level, ERROR a known code and a string, RESULT a kind 1..5,
 * AUTHENTICATE a class name, SUPPORTED a string multimap. A request's
 * stream id is not negative (the server's events use -1).
 * Protocol v5 wraps frames in checksummed segments once STARTUP is
 * answered; those are not read (the flow is claimed by then).
 * Nodes talk to each other on another protocol (internode messaging, port
 * 7000): its handshake starts with the magic 0xCA552DFA and a 4-byte
 * flags word, from both sides; taken as Cassandra without facts.
 * Facts: verb = the CQL verb of the first QUERY or PREPARE (opcode names,
 * "OPTIONS" or "STARTUP", until one comes); object = its first table
 * ("keyspace.table" as written); user = the PLAIN authentication's user
 * (AUTH_RESPONSE "\0user\0password"); software = the client's DRIVER_NAME
 * and DRIVER_VERSION from STARTUP (the server does not tell its own).
 *
 * Confidence: STARTUP 90, QUERY or PREPARE with CQL 85, OPTIONS 80, any
 * other request 75, a response without its request 75; +5 on port 9042;
 * 100 for a response on the stream of the request seen, in its version.
 * The internode magic 80 (+5 on port 7000), from both sides 100. DONE
 * once both sides are proved and a CQL verb is known, or both sent the
 * internode magic.
 */
#include <string.h>

#include "collect/l7/l7.h"
#include "collect/l7/l7_sql.h"
#include "collect/l7/l7_util.h"

/* What the probe remembers: bits of raw[0]; raw[1] the request's version
 * byte; raw[2..3] its stream id. */
#define CQ_CLI 0x01u   /* a request was seen (client proved) */
#define CQ_SRV 0x02u   /* a response was seen (server proved) */
#define CQ_CQL 0x04u   /* the verb is a CQL statement's */
#define CQ_NODE0 0x10u /* the internode magic came in direction 0 */
#define CQ_NODE1 0x20u /* ... in direction 1 */

#define CQ_HDR 9
#define CQ_NODE_MAGIC 0xca552dfau
#define CQ_MAX_BODY (256u << 20)

#define OP_ERROR 0x00
#define OP_STARTUP 0x01
#define OP_READY 0x02
#define OP_AUTHENTICATE 0x03
#define OP_OPTIONS 0x05
#define OP_SUPPORTED 0x06
#define OP_QUERY 0x07
#define OP_RESULT 0x08
#define OP_PREPARE 0x09
#define OP_EXECUTE 0x0a
#define OP_REGISTER 0x0b
#define OP_EVENT 0x0c
#define OP_BATCH 0x0d
#define OP_AUTH_CHALLENGE 0x0e
#define OP_AUTH_RESPONSE 0x0f
#define OP_AUTH_SUCCESS 0x10

enum { P_BAD = -1, P_CUT = 0, P_OK = 1 };

static uint32_t be32(const uint8_t *p) {
  return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static int usual_port(const struct l7_pkt *pkt) { return pkt->srv_port == 9042; }

static int request_op(uint8_t op) {
  return op == OP_STARTUP || op == OP_OPTIONS || op == OP_QUERY ||
         op == OP_PREPARE || op == OP_EXECUTE || op == OP_REGISTER ||
         op == OP_BATCH || op == OP_AUTH_RESPONSE;
}

static int response_op(uint8_t op) {
  return op == OP_ERROR || op == OP_READY || op == OP_AUTHENTICATE ||
         op == OP_SUPPORTED || op == OP_RESULT || op == OP_EVENT ||
         op == OP_AUTH_CHALLENGE || op == OP_AUTH_SUCCESS;
}

struct frame {
  uint8_t version; /* with the response bit */
  uint8_t flags, op;
  uint16_t stream;
  uint32_t len;
  const uint8_t *b; /* body, have bytes of it here */
  size_t have;
};

/* A [string] (2-byte length) at b[*i], within have; P_CUT when cut. */
static int string_at(const uint8_t *b, size_t have, size_t *i,
                     const uint8_t **s, size_t *n) {
  if (have - *i < 2)
    return P_CUT;
  size_t l = l7_be16(b + *i);
  if (l > have - *i - 2)
    return P_CUT;
  *s = b + *i + 2;
  *n = l;
  *i += 2 + l;
  return P_OK;
}

static int printable(const uint8_t *s, size_t n) {
  for (size_t i = 0; i < n; i++)
    if (s[i] < 0x20 || s[i] == 0x7f)
      return 0;
  return 1;
}

struct startup {
  const uint8_t *driver, *driver_version;
  size_t driver_len, driver_version_len;
};

/* STARTUP's string map: printable keys, CQL_VERSION among them. */
static int check_startup(const struct frame *f, struct startup *su) {
  if (f->have < 2)
    return f->len < 2 ? P_BAD : P_CUT;
  size_t n = l7_be16(f->b), i = 2;
  if (n == 0 || n > 16)
    return P_BAD;
  int cql = 0;
  for (size_t k = 0; k < n; k++) {
    const uint8_t *key = NULL, *val = NULL;
    size_t kl = 0, vl = 0;
    if (string_at(f->b, f->have, &i, &key, &kl) != P_OK ||
        string_at(f->b, f->have, &i, &val, &vl) != P_OK)
      return f->have < f->len ? P_CUT : P_BAD;
    if (kl == 0 || kl > 64 || !printable(key, kl) || !printable(val, vl))
      return P_BAD;
    if (kl == 11 && memcmp(key, "CQL_VERSION", 11) == 0)
      cql = 1;
    else if (kl == 11 && memcmp(key, "DRIVER_NAME", 11) == 0)
      su->driver = val, su->driver_len = vl;
    else if (kl == 14 && memcmp(key, "DRIVER_VERSION", 14) == 0)
      su->driver_version = val, su->driver_version_len = vl;
  }
  return cql && i == f->len ? P_OK : P_BAD;
}

/* QUERY and PREPARE: a long string of CQL, then (QUERY) a consistency. */
static int check_query(const struct frame *f, const uint8_t **q, size_t *qn) {
  if (f->have < 4)
    return P_CUT;
  uint32_t l = be32(f->b);
  if (l == 0 || l > f->len - 4)
    return P_BAD;
  if (f->op == OP_QUERY) {
    if (f->len < 4 + l + 2)
      return P_BAD;
    if (f->have >= 4 + l + 2 && l7_be16(f->b + 4 + l) > 0x000a)
      return P_BAD; /* consistency ANY .. LOCAL_ONE */
  }
  *q = f->b + 4;
  *qn = f->have - 4 < l ? f->have - 4 : l;
  if (l7_sql_looks_like(*q, *qn))
    return P_OK;
  return *qn < l && l7_sql_maybe_verb(*q, *qn) ? P_CUT : P_BAD;
}

static int known_error(uint32_t code) {
  static const uint32_t codes[] = {0x0000, 0x000a, 0x0100, 0x1000, 0x1001,
                                   0x1002, 0x1003, 0x1100, 0x1200, 0x1300,
                                   0x1400, 0x1500, 0x1600, 0x2000, 0x2100,
                                   0x2200, 0x2300, 0x2400, 0x2500};
  for (size_t i = 0; i < sizeof codes / sizeof codes[0]; i++)
    if (codes[i] == code)
      return 1;
  return 0;
}

/* A response body, as far as it is here. */
static int check_response(const struct frame *f) {
  const uint8_t *s = NULL;
  size_t n = 0, i = 0;
  switch (f->op) {
  case OP_READY:
    return f->len == 0 ? P_OK : P_BAD;
  case OP_ERROR:
    if (f->len < 6)
      return P_BAD;
    if (f->have < 4)
      return P_CUT;
    if (!known_error(be32(f->b)))
      return P_BAD;
    i = 4;
    return string_at(f->b, f->have, &i, &s, &n) == P_OK || f->have < f->len ? P_OK
                                                                            : P_BAD;
  case OP_RESULT:
    if (f->len < 4)
      return P_BAD;
    if (f->have < 4)
      return P_CUT;
    return be32(f->b) >= 1 && be32(f->b) <= 5 ? P_OK : P_BAD;
  case OP_AUTHENTICATE:
  case OP_EVENT:
    if (string_at(f->b, f->have, &i, &s, &n) != P_OK)
      return f->have < f->len ? P_CUT : P_BAD;
    return n > 0 && printable(s, n) ? P_OK : P_BAD;
  case OP_SUPPORTED:
    if (f->len < 2)
      return P_BAD;
    if (f->have < 2)
      return P_CUT;
    return l7_be16(f->b) >= 1 && l7_be16(f->b) <= 32 ? P_OK : P_BAD;
  default:
    return f->len >= 4 ? P_OK : P_BAD; /* [bytes] of a SASL token */
  }
}

static int parse_header(const uint8_t *p, size_t n, struct frame *f) {
  uint8_t v = p[0] & 0x7f;
  if (v < 3 || v > 5)
    return P_BAD;
  f->version = p[0];
  if (n < 2)
    return P_CUT;
  f->flags = p[1];
  if (f->flags & 0xe0)
    return P_BAD;
  if (n < 5)
    return P_CUT;
  f->stream = (uint16_t)l7_be16(p + 2);
  f->op = p[4];
  int resp = (p[0] & 0x80) != 0;
  if (resp ? !response_op(f->op) : !request_op(f->op))
    return P_BAD;
  if (!resp && (f->stream & 0x8000))
    return P_BAD;
  if (n < CQ_HDR)
    return P_CUT;
  f->len = be32(p + 5);
  if (f->len > CQ_MAX_BODY)
    return P_BAD;
  f->b = p + CQ_HDR;
  f->have = n - CQ_HDR < f->len ? n - CQ_HDR : f->len;
  /* After this frame: nothing, or another header of the same version. */
  size_t end = CQ_HDR + (size_t)f->len;
  if (end < n && p[end] != p[0])
    return P_BAD;
  return P_OK;
}

static const char *op_name(uint8_t op) {
  switch (op) {
  case OP_STARTUP: return "STARTUP";
  case OP_OPTIONS: return "OPTIONS";
  case OP_EXECUTE: return "EXECUTE";
  case OP_REGISTER: return "REGISTER";
  case OP_BATCH: return "BATCH";
  case OP_AUTH_RESPONSE: return "AUTH_RESPONSE";
  default: return "";
  }
}

/* PLAIN: "authzid\0user\0password" in AUTH_RESPONSE's [bytes]. */
static void plain_user(const struct frame *f, struct l7_facts *facts) {
  if (f->have < 4 || facts->u.gen.user[0])
    return;
  uint32_t l = be32(f->b);
  if (l > f->have - 4)
    return;
  const uint8_t *t = f->b + 4;
  const uint8_t *z1 = memchr(t, 0, l);
  if (!z1)
    return;
  size_t off = (size_t)(z1 - t) + 1;
  const uint8_t *z2 = memchr(t + off, 0, l - off);
  if (z2 && z2 > t + off)
    l7_copy(facts->u.gen.user, sizeof facts->u.gen.user, t + off,
            (size_t)(z2 - (t + off)));
}

static void store_request(union l7_scratch *s, const struct frame *f) {
  s->raw[1] = f->version;
  s->raw[2] = (uint8_t)(f->stream >> 8);
  s->raw[3] = (uint8_t)f->stream;
}

static int on_request(const struct l7_pkt *pkt, union l7_scratch *s,
                      const struct frame *f, struct l7_facts *facts,
                      uint8_t *confidence) {
  uint8_t *st = &s->raw[0];
  unsigned base = 75;
  const uint8_t *q = NULL;
  size_t qn = 0;
  int compressed = (f->flags & 0x01) != 0;
  if (!compressed) {
    if (f->op == OP_OPTIONS) {
      if (f->len != 0)
        return P_BAD;
      base = 80;
    } else if (f->op == OP_STARTUP) {
      struct startup su = {0};
      int r = check_startup(f, &su);
      if (r != P_OK)
        return r;
      base = 90;
      if (su.driver && !facts->u.gen.software[0]) {
        char buf[64];
        size_t o = l7_copy(buf, 40, su.driver, su.driver_len);
        if (su.driver_version) {
          buf[o++] = ' ';
          o += l7_copy(buf + o, sizeof buf - o, su.driver_version,
                       su.driver_version_len);
        }
        l7_copy(facts->u.gen.software, sizeof facts->u.gen.software,
                (const uint8_t *)buf, o);
      }
    } else if (f->op == OP_QUERY || f->op == OP_PREPARE) {
      int r = check_query(f, &q, &qn);
      if (r != P_OK)
        return r;
      base = 85;
    } else if (f->op == OP_AUTH_RESPONSE) {
      plain_user(f, facts);
    } else if (f->len == 0) {
      return P_BAD; /* EXECUTE, REGISTER, BATCH have bodies */
    }
  } else if (!(*st & (CQ_CLI | CQ_SRV))) {
    return P_CUT; /* compressed: nothing to check, wait for the answer */
  }
  if (!(*st & CQ_CLI))
    store_request(s, f);
  *st |= CQ_CLI;
  if (q && !(*st & CQ_CQL)) {
    facts->u.gen.object[0] = '\0';
    if (l7_sql_facts(q, qn, qn == be32(f->b), facts->u.gen.verb,
                     sizeof facts->u.gen.verb, facts->u.gen.object,
                     sizeof facts->u.gen.object))
      *st |= CQ_CQL;
  } else if (!facts->u.gen.verb[0]) {
    const char *name = op_name(f->op);
    l7_copy(facts->u.gen.verb, sizeof facts->u.gen.verb, (const uint8_t *)name,
            strlen(name));
  }
  if (*st & CQ_SRV)
    *confidence = 100;
  else
    *confidence = l7_conf(base, usual_port(pkt));
  return P_OK;
}

static int verdict(uint8_t st) {
  return (st & (CQ_CLI | CQ_SRV | CQ_CQL)) == (CQ_CLI | CQ_SRV | CQ_CQL) ? L7_DONE
                                                                         : L7_MATCH;
}

/* The internode handshake's magic (a prefix of it: wait). */
static int on_node(const struct l7_pkt *pkt, uint8_t *st, uint8_t *confidence) {
  static const uint8_t magic[4] = {0xca, 0x55, 0x2d, 0xfa};
  size_t k = pkt->len < 4 ? pkt->len : 4;
  if (memcmp(pkt->data, magic, k) != 0)
    return L7_NO;
  if (pkt->len < 8)
    return (*st & (CQ_NODE0 | CQ_NODE1)) ? L7_MATCH : L7_MORE;
  *st |= (pkt->dir & 1) ? CQ_NODE1 : CQ_NODE0;
  if ((*st & (CQ_NODE0 | CQ_NODE1)) == (CQ_NODE0 | CQ_NODE1)) {
    *confidence = 100;
    return L7_DONE;
  }
  *confidence = l7_conf(80, pkt->srv_port == 7000);
  return L7_MATCH;
}

int l7_probe_cassandra(const struct l7_pkt *pkt, union l7_scratch *scratch,
                       struct l7_facts *facts, uint8_t *confidence) {
  if (pkt->proto != L7_IP_TCP || pkt->len == 0)
    return L7_NO;
  uint8_t *st = &scratch->raw[0];
  int claimed = (*st & (CQ_CLI | CQ_SRV)) != 0;
  if (pkt->data[0] == 0xca && !claimed) {
    int v = on_node(pkt, st, confidence);
    if (v != L7_NO)
      return v;
  }
  if (*st & (CQ_NODE0 | CQ_NODE1)) {
    l7_conf_floor(confidence, 80);
    return L7_MATCH; /* internode messages after the handshake */
  }
  struct frame f;
  int r = parse_header(pkt->data, pkt->len, &f);
  if (r == P_OK && !(f.version & 0x80)) {
    r = on_request(pkt, scratch, &f, facts, confidence);
    if (r == P_OK)
      return verdict(*st);
  } else if (r == P_OK) {
    /* A compressed body cannot be checked: taken only in a claimed flow. */
    r = (f.flags & 0x01) ? (claimed ? P_OK : P_CUT) : check_response(&f);
    if (r == P_OK) {
      int ours = (*st & CQ_CLI) && (f.version & 0x7f) == (scratch->raw[1] & 0x7f) &&
                 f.stream == (uint16_t)(scratch->raw[2] << 8 | scratch->raw[3]);
      /* A server answers a version it does not speak with an ERROR in its
       * own version, on the same stream. */
      int downgrade = (*st & CQ_CLI) && f.op == OP_ERROR &&
                      f.stream == (uint16_t)(scratch->raw[2] << 8 | scratch->raw[3]);
      *st |= CQ_SRV;
      if (ours || downgrade) {
        *confidence = 100;
        return verdict(*st);
      }
      if (claimed) {
        l7_conf_floor(confidence, 75);
        return verdict(*st);
      }
      *confidence = l7_conf(75, usual_port(pkt));
      return L7_MATCH;
    }
  }
  if (claimed) {
    l7_conf_floor(confidence, 70);
    return L7_MATCH; /* v5 segments, or the rest of a long frame */
  }
  if (r == P_CUT)
    return L7_MORE;
  return L7_NO;
}
