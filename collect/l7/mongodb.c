/* collect/l7/mongodb.c — MongoDB by its wire protocol.
 *
 * Every message starts with a 16-byte little-endian header: messageLength
 * (the whole message, header included; at most 48,000,000, the server's
 * maxMessageSizeBytes), requestID, responseTo, opCode. The opcodes taken:
 * OP_MSG (2013), OP_QUERY (2004) and OP_REPLY (1), the legacy writes
 * OP_UPDATE/INSERT/GET_MORE/DELETE/KILL_CURSORS (2001..2007) and
 * OP_COMPRESSED (2012). A message's length must fit the segment (equal to
 * it, longer when the message goes on, or shorter with a sane header after
 * it), and its body must parse: OP_MSG flag bits other than checksumPresent,
 * moreToCome and exhaustAllowed clear, a kind-0 section (or a kind-1 one:
 * size, identifier) and a BSON document; OP_QUERY flags, a collection name
 * "db.coll" and a document; OP_REPLY flags, cursor, counts and, when it
 * returns any, a document; OP_COMPRESSED a known original opcode and
 * compressor. A BSON document is checked as far as it is here: its size
 * within the message, element types, C-string names, value sizes, and its
 * terminating 0.
 * A request has responseTo 0 (or -1, as some drivers send) and an answer
 * names the request it answers; OP_REPLY is always an answer.
 * Facts: verb = the command (the first element's name: "find", "insert",
 * "aggregate"...; for the legacy opcodes "query", "insert", "update",
 * "delete", "getMore", "killCursors"), the hand-shake and authentication
 * commands (hello, isMaster, saslStart, buildInfo, ping...) giving way to
 * the first command after them; object = the collection ("db.coll" with
 * the command's $db when visible: a command's first value when it is a
 * string, or the legacy full collection name); user = the SCRAM user
 * ("n,,n=<user>,r=" in saslStart or speculativeAuthenticate); software =
 * the server version from a buildInfo answer (a "version" string beside a
 * "gitVersion").
 *
 * Confidence: a request with a well-formed document 85, OP_COMPRESSED 80,
 * an answer without its request 75; +5 on port 27017; 100 for an answer to
 * the request seen (responseTo equal to its requestID). DONE once both
 * sides are proved and a non-hand-shake verb is known.
 */
#include <string.h>

#include "collect/l7/l7.h"
#include "collect/l7/l7_util.h"

/* What the probe remembers: bits of raw[0]; raw[1..3] the low 24 bits of
 * the first request's requestID. */
#define MG_REQ 0x01u   /* a request was seen (client proved) */
#define MG_REPLY 0x02u /* an answer was seen (server proved) */
#define MG_FINAL 0x04u /* the verb is not a hand-shake command's */
#define MG_EARLY 0x08u /* an unplaced message was seen (mid-flow) */

#define MG_HDR 16
#define MG_MAX_MSG 48000000u
#define MG_MAX_ELEMENTS 64 /* elements walked in one document */

#define OP_REPLY 1
#define OP_UPDATE 2001
#define OP_INSERT 2002
#define OP_QUERY 2004
#define OP_GET_MORE 2005
#define OP_DELETE 2006
#define OP_KILL_CURSORS 2007
#define OP_COMPRESSED 2012
#define OP_MSG 2013

enum { P_BAD = -1, P_CUT = 0, P_OK = 1 };

static uint32_t le32(const uint8_t *p) {
  return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
         (uint32_t)p[3] << 24;
}

/* Where the bytes of lit (k of them) first occur in p[0..n), or NULL. */
static const uint8_t *find(const uint8_t *p, size_t n, const char *lit, size_t k) {
  for (size_t i = 0; k && i + k <= n; i++)
    if (p[i] == (uint8_t)lit[0] && memcmp(p + i, lit, k) == 0)
      return p + i;
  return NULL;
}

static int usual_port(const struct l7_pkt *pkt) { return pkt->srv_port == 27017; }

static int known_opcode(uint32_t op) {
  return op == OP_REPLY || (op >= OP_UPDATE && op <= OP_KILL_CURSORS && op != 2003) ||
         op == OP_COMPRESSED || op == OP_MSG;
}

/* Length of the C string at p[0..n) without its NUL, or n when it has none. */
static size_t cstr(const uint8_t *p, size_t n) {
  const uint8_t *z = memchr(p, 0, n);
  return z ? (size_t)(z - p) : n;
}

/* One BSON element. */
struct elem {
  uint8_t type;
  const uint8_t *name;
  size_t name_len;
  const uint8_t *val; /* value bytes (a string's after its length) */
  size_t val_len;
};

/* A BSON document being read: bytes p[0..have) of a document of size
 * bytes; lim bounds the size (its container). */
struct doc {
  const uint8_t *p;
  size_t size, have, pos;
};

static int doc_open(const uint8_t *p, size_t have, size_t lim, struct doc *d) {
  if (have < 4)
    return P_CUT;
  size_t size = le32(p);
  if (size < 5 || size > lim)
    return P_BAD;
  d->p = p;
  d->size = size;
  d->have = have < size ? have : size;
  d->pos = 4;
  return P_OK;
}

/* Size of a value of type t at v (k bytes here); (size_t)-1 when bad,
 * (size_t)-2 when cut. */
#define SZ_BAD ((size_t)-1)
#define SZ_CUT ((size_t)-2)
static size_t value_size(uint8_t t, const uint8_t *v, size_t k) {
  switch (t) {
  case 0x01: case 0x09: case 0x11: case 0x12: return 8;
  case 0x07: return 12;
  case 0x08: return 1;
  case 0x10: return 4;
  case 0x13: return 16;
  case 0x06: case 0x0a: case 0x7f: case 0xff: return 0;
  case 0x02: case 0x0d: case 0x0e: { /* string */
    if (k < 4)
      return SZ_CUT;
    size_t l = le32(v);
    return l < 1 ? SZ_BAD : 4 + l;
  }
  case 0x0c: { /* DBPointer: string then 12 bytes */
    if (k < 4)
      return SZ_CUT;
    size_t l = le32(v);
    return l < 1 ? SZ_BAD : 4 + l + 12;
  }
  case 0x03: case 0x04: case 0x0f: { /* document, array, code with scope */
    if (k < 4)
      return SZ_CUT;
    size_t l = le32(v);
    return l < 5 ? SZ_BAD : l;
  }
  case 0x05: { /* binary: length, subtype, bytes */
    if (k < 4)
      return SZ_CUT;
    size_t l = le32(v);
    return l > MG_MAX_MSG ? SZ_BAD : 4 + 1 + l;
  }
  case 0x0b: { /* regex: two C strings */
    size_t a = cstr(v, k);
    if (a == k)
      return SZ_CUT;
    size_t b = cstr(v + a + 1, k - a - 1);
    return b == k - a - 1 ? SZ_CUT : a + 1 + b + 1;
  }
  default:
    return SZ_BAD;
  }
}

/* The next element; P_OK with e->type == 0 when the terminating 0 is read
 * (at the document's end, else P_BAD); P_CUT when the data ends first. */
static int doc_next(struct doc *d, struct elem *e) {
  if (d->pos >= d->have)
    return P_CUT;
  uint8_t t = d->p[d->pos];
  if (t == 0) {
    e->type = 0;
    return d->pos + 1 == d->size ? P_OK : P_BAD;
  }
  size_t at = d->pos + 1, room = d->have - at;
  size_t nl = cstr(d->p + at, room);
  if (nl == room)
    return d->have < d->size ? P_CUT : P_BAD;
  size_t v = at + nl + 1;
  size_t sz = value_size(t, d->p + v, d->have - v);
  if (sz == SZ_BAD)
    return P_BAD;
  if (sz == SZ_CUT)
    return d->have < d->size ? P_CUT : P_BAD;
  if (v > d->size - 1 || sz > d->size - 1 - v)
    return P_BAD; /* past the document's terminating 0 */
  e->type = t;
  e->name = d->p + at;
  e->name_len = nl;
  e->val = d->p + v;
  e->val_len = sz;
  if (t == 0x02 || t == 0x0d || t == 0x0e) {
    /* A string: its length counts the NUL that must end it. */
    if (v + sz <= d->have && d->p[v + sz - 1] != 0)
      return P_BAD;
    e->val = d->p + v + 4;
    e->val_len = sz - 5;
  }
  if (v + sz > d->have) {
    d->pos = d->have;
    return e->type == 0x02 ? P_CUT : P_OK; /* a cut value: usable if not a string */
  }
  d->pos = v + sz;
  return P_OK;
}

/* What one message says. */
struct msg {
  uint32_t len, id, reply_to, op;
  int request;
  const uint8_t *cmd;   /* first element's name */
  size_t cmd_len;
  const uint8_t *coll;  /* first element's string value, or a full name */
  size_t coll_len;
  const uint8_t *db;    /* $db */
  size_t db_len;
  const uint8_t *version; /* "version" beside "gitVersion" */
  size_t version_len;
  int git;
  const char *legacy;   /* verb of a legacy opcode */
};

static int is_name_byte(uint8_t c) { return c >= 0x20 && c != 0x7f; }

static int name_ok(const uint8_t *s, size_t n) {
  if (n == 0 || n > 128)
    return 0;
  for (size_t i = 0; i < n; i++)
    if (!is_name_byte(s[i]))
      return 0;
  return 1;
}

/* Walk a document: P_OK when its beginning is sound (at least one element
 * or its end read), facts noted in m. */
static int walk_doc(const uint8_t *p, size_t have, size_t lim, struct msg *m,
                    int first_is_cmd) {
  struct doc d;
  int r = doc_open(p, have, lim, &d);
  if (r != P_OK)
    return r;
  struct elem e;
  int k = 0;
  for (; k < MG_MAX_ELEMENTS; k++) {
    r = doc_next(&d, &e);
    if (r == P_BAD)
      return P_BAD;
    if (r == P_CUT)
      return k ? P_OK : P_CUT;
    if (e.type == 0)
      return P_OK;
    if (!name_ok(e.name, e.name_len))
      return P_BAD;
    if (k == 0 && first_is_cmd) {
      m->cmd = e.name;
      m->cmd_len = e.name_len;
      if (e.type == 0x02 && e.val_len > 0 && e.val_len < 256) {
        m->coll = e.val;
        m->coll_len = e.val_len;
      }
    }
    if (e.type == 0x02 && e.name_len == 3 && memcmp(e.name, "$db", 3) == 0) {
      m->db = e.val;
      m->db_len = e.val_len;
    }
    if (e.type == 0x02 && e.name_len == 7 && memcmp(e.name, "version", 7) == 0) {
      m->version = e.val;
      m->version_len = e.val_len;
    }
    if (e.name_len == 10 && memcmp(e.name, "gitVersion", 10) == 0)
      m->git = 1;
  }
  return P_OK;
}

/* OP_MSG body at b[0..k) of a message of body length blen. */
static int parse_op_msg(const uint8_t *b, size_t k, size_t blen, struct msg *m) {
  if (k < 4)
    return P_CUT;
  uint32_t flags = le32(b);
  if (flags & ~(0x1u | 0x2u | 0x10000u))
    return P_BAD;
  size_t end = blen - ((flags & 1u) ? 4 : 0); /* checksum */
  if (end < 4 + 1 + 5)
    return P_BAD;
  if (k < 5)
    return P_CUT;
  size_t i = 4;
  uint8_t kind = b[i++];
  if (kind == 1) {
    /* A document sequence: size, identifier, documents; the kind-0 body
     * comes after it. */
    if (k - i < 4)
      return P_CUT;
    size_t sz = le32(b + i);
    if (sz < 4 + 2 || sz > end - i)
      return P_BAD;
    size_t idl = cstr(b + i + 4, k - i - 4);
    if (idl == k - i - 4)
      return P_CUT;
    if (!name_ok(b + i + 4, idl) || 4 + idl + 1 > sz)
      return P_BAD;
    i += sz;
    if (i >= k)
      return P_OK;
    kind = b[i++];
  }
  if (kind != 0)
    return P_BAD;
  if (i >= k)
    return P_CUT;
  return walk_doc(b + i, k - i, end - i, m, 1);
}

/* "db.coll" C string at b: its length, 0 when bad, SZ_CUT when cut. */
static size_t full_name(const uint8_t *b, size_t k) {
  size_t n = cstr(b, k);
  if (n == k)
    return n < 256 ? SZ_CUT : 0;
  if (n < 3 || n > 255 || !memchr(b, '.', n) || !name_ok(b, n))
    return 0;
  return n;
}

static int parse_op_query(const uint8_t *b, size_t k, size_t blen,
                          struct msg *m) {
  if (k < 4)
    return P_CUT;
  if (le32(b) & ~0xfeu)
    return P_BAD;
  size_t n = full_name(b + 4, k - 4);
  if (n == 0)
    return P_BAD;
  if (n == SZ_CUT)
    return P_CUT;
  size_t doc = 4 + n + 1 + 8;
  if (doc + 5 > blen)
    return P_BAD;
  int cmd = n > 5 && memcmp(b + 4 + n - 5, ".$cmd", 5) == 0;
  if (!cmd) {
    m->legacy = "query";
    m->coll = b + 4;
    m->coll_len = n;
  } else {
    m->db = b + 4;
    m->db_len = n - 5;
  }
  if (k <= doc)
    return P_OK;
  return walk_doc(b + doc, k - doc, blen - doc, m, cmd);
}

static int parse_op_reply(const uint8_t *b, size_t k, size_t blen,
                          struct msg *m) {
  if (blen < 20)
    return P_BAD;
  if (k < 4)
    return P_CUT;
  if (le32(b) & ~0xfu)
    return P_BAD;
  if (k < 20)
    return P_CUT;
  uint32_t returned = le32(b + 16);
  if (returned == 0)
    return blen == 20 ? P_OK : P_BAD;
  if (returned > (blen - 20) / 5)
    return P_BAD;
  if (k == 20)
    return P_OK;
  return walk_doc(b + 20, k - 20, blen - 20, m, 0);
}

/* Legacy writes and reads: ZERO or flags, a full collection name, more. */
static int parse_legacy(uint32_t op, const uint8_t *b, size_t k, size_t blen,
                        struct msg *m) {
  if (k < 4)
    return P_CUT;
  uint32_t first = le32(b);
  if (op == OP_KILL_CURSORS) {
    if (first != 0 || blen < 8)
      return P_BAD;
    if (k < 8)
      return P_CUT;
    m->legacy = "killCursors";
    return blen == 8 + 8 * (size_t)le32(b + 4) ? P_OK : P_BAD;
  }
  if (op != OP_INSERT && first != 0)
    return P_BAD;
  if (op == OP_INSERT && (first & ~1u))
    return P_BAD;
  size_t n = full_name(b + 4, k - 4);
  if (n == 0)
    return P_BAD;
  if (n == SZ_CUT)
    return P_CUT;
  m->coll = b + 4;
  m->coll_len = n;
  m->legacy = op == OP_INSERT ? "insert" : op == OP_UPDATE ? "update"
              : op == OP_DELETE ? "delete" : "getMore";
  size_t after = 4 + n + 1;
  if (op == OP_GET_MORE)
    return blen == after + 12 ? P_OK : P_BAD;
  size_t doc = after + (op == OP_INSERT ? 0 : 4);
  if (doc + 5 > blen)
    return P_BAD;
  if (k <= doc)
    return P_OK;
  return walk_doc(b + doc, k - doc, blen - doc, m, 0);
}

static int parse_compressed(const uint8_t *b, size_t k, size_t blen) {
  if (blen < 9 + 1)
    return P_BAD;
  if (k < 9)
    return P_CUT;
  uint32_t orig = le32(b), size = le32(b + 4);
  if (!known_opcode(orig) || orig == OP_COMPRESSED || size > MG_MAX_MSG ||
      b[8] > 3)
    return P_BAD;
  return P_OK;
}

/* The header and body of the message at d[0..n). */
static int parse_msg(const uint8_t *d, size_t n, struct msg *m) {
  memset(m, 0, sizeof *m);
  if (n < 4)
    return P_CUT;
  m->len = le32(d);
  if (m->len < MG_HDR + 4 || m->len > MG_MAX_MSG)
    return P_BAD;
  if (n < MG_HDR)
    return P_CUT;
  m->id = le32(d + 4);
  m->reply_to = le32(d + 8);
  m->op = le32(d + 12);
  if (!known_opcode(m->op))
    return P_BAD;
  m->request = m->op != OP_REPLY && (m->reply_to == 0 || m->reply_to == 0xffffffffu);
  size_t blen = m->len - MG_HDR;
  size_t k = n - MG_HDR < blen ? n - MG_HDR : blen;
  const uint8_t *b = d + MG_HDR;
  switch (m->op) {
  case OP_MSG:
    return parse_op_msg(b, k, blen, m);
  case OP_QUERY:
    return parse_op_query(b, k, blen, m);
  case OP_REPLY:
    return parse_op_reply(b, k, blen, m);
  case OP_COMPRESSED:
    return parse_compressed(b, k, blen);
  default:
    if (!m->request)
      return P_BAD; /* legacy opcodes are requests */
    return parse_legacy(m->op, b, k, blen, m);
  }
}

/* Bytes after the first message must start a sane one. */
static int rest_ok(const uint8_t *d, size_t n, const struct msg *m) {
  if (m->len >= n)
    return 1;
  size_t rest = n - m->len;
  const uint8_t *q = d + m->len;
  if (rest < 4)
    return 1;
  uint32_t len = le32(q);
  if (len < MG_HDR + 4 || len > MG_MAX_MSG)
    return 0;
  return rest < MG_HDR || known_opcode(le32(q + 12));
}

static int word_is(const uint8_t *s, size_t n, const char *lit) {
  return strlen(lit) == n && memcmp(s, lit, n) == 0;
}

/* Hand-shake, authentication and housekeeping commands. */
static int is_setup(const uint8_t *s, size_t n) {
  static const char *const setup[] = {
      "hello", "isMaster", "ismaster", "saslStart", "saslContinue",
      "authenticate", "getnonce", "buildInfo", "buildinfo", "ping",
      "endSessions", "whatsmyuri", "getLastError", "getlasterror",
      "getFreeMonitoringStatus", "atlasVersion", "getParameter",
      "getCmdLineOpts", "logout"};
  for (size_t i = 0; i < sizeof setup / sizeof setup[0]; i++)
    if (word_is(s, n, setup[i]))
      return 1;
  return 0;
}

/* The SCRAM client-first message "n,,n=<user>,r=<nonce>" anywhere in d. */
static void scram_user(const uint8_t *d, size_t n, struct l7_facts *facts) {
  if (facts->u.gen.user[0])
    return;
  const uint8_t *at = find(d, n, "n,,n=", 5);
  if (!at)
    return;
  at += 5;
  size_t rest = n - (size_t)(at - d), k = 0;
  while (k < rest && k < 256 && at[k] != ',')
    k++;
  if (k < rest && at[k] == ',' && k > 0)
    l7_copy(facts->u.gen.user, sizeof facts->u.gen.user, at, k);
}

static void request_facts(uint8_t *st, const struct l7_pkt *pkt,
                          const struct msg *m, struct l7_facts *facts) {
  scram_user(pkt->data, pkt->len < m->len ? pkt->len : m->len, facts);
  if (*st & MG_FINAL)
    return;
  const uint8_t *verb = m->legacy ? (const uint8_t *)m->legacy : m->cmd;
  size_t verb_len = m->legacy ? strlen(m->legacy) : m->cmd_len;
  if (!verb)
    return;
  int setup = !m->legacy && is_setup(verb, verb_len);
  if (setup && facts->u.gen.verb[0])
    return;
  l7_copy(facts->u.gen.verb, sizeof facts->u.gen.verb, verb, verb_len);
  facts->u.gen.object[0] = '\0';
  if (!setup && m->coll) {
    char buf[256];
    size_t o = 0;
    if (m->db && !m->legacy && m->db_len < 100) {
      o = l7_copy(buf, sizeof buf, m->db, m->db_len);
      buf[o++] = '.';
    }
    size_t take = m->coll_len < sizeof buf - 1 - o ? m->coll_len : sizeof buf - 1 - o;
    memcpy(buf + o, m->coll, take);
    l7_copy(facts->u.gen.object, sizeof facts->u.gen.object, (const uint8_t *)buf,
            o + take);
  }
  if (!setup)
    *st |= MG_FINAL;
}

static int verdict(uint8_t st) {
  return (st & (MG_REQ | MG_REPLY | MG_FINAL)) == (MG_REQ | MG_REPLY | MG_FINAL)
             ? L7_DONE
             : L7_MATCH;
}

static uint32_t stored_id(const union l7_scratch *s) {
  return (uint32_t)s->raw[1] | (uint32_t)s->raw[2] << 8 | (uint32_t)s->raw[3] << 16;
}

int l7_probe_mongodb(const struct l7_pkt *pkt, union l7_scratch *scratch,
                     struct l7_facts *facts, uint8_t *confidence) {
  if (pkt->proto != L7_IP_TCP || pkt->len == 0)
    return L7_NO;
  uint8_t *st = &scratch->raw[0];
  int claimed = (*st & (MG_REQ | MG_REPLY)) != 0;
  struct msg m;
  int r = parse_msg(pkt->data, pkt->len, &m);
  if (r == P_OK && !rest_ok(pkt->data, pkt->len, &m))
    r = P_BAD;
  if (r != P_OK) {
    if (claimed) {
      l7_conf_floor(confidence, 70);
      return L7_MATCH; /* the rest of a long message, most likely */
    }
    return r == P_CUT ? L7_MORE : L7_NO;
  }
  if (m.request) {
    if (!(*st & MG_REQ)) {
      scratch->raw[1] = (uint8_t)m.id;
      scratch->raw[2] = (uint8_t)(m.id >> 8);
      scratch->raw[3] = (uint8_t)(m.id >> 16);
    }
    *st |= MG_REQ;
    request_facts(st, pkt, &m, facts);
    if (*st & MG_REPLY)
      *confidence = 100;
    else
      *confidence = l7_conf(m.op == OP_COMPRESSED ? 80 : 85, usual_port(pkt));
    return verdict(*st);
  }
  /* An answer. */
  if (m.git && m.version && !facts->u.gen.software[0])
    l7_copy(facts->u.gen.software, sizeof facts->u.gen.software, m.version,
            m.version_len);
  int ours = (*st & MG_REQ) && (m.reply_to & 0xffffffu) == stored_id(scratch);
  if ((*st & MG_REQ) && !(*st & MG_REPLY) && !ours) {
    /* An answer to a request we did not see: the same protocol still. */
    l7_conf_floor(confidence, 85);
    *st |= MG_REPLY;
    return verdict(*st);
  }
  *st |= MG_REPLY;
  if (ours) {
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
