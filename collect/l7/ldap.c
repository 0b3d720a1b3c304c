/* collect/l7/ldap.c — LDAP (and CLDAP over UDP) by its BER-encoded
 * LDAPMessage (RFC 4511 §4.1.1, BER as restricted by §5.1).
 *
 * LDAPMessage ::= SEQUENCE { messageID INTEGER (0..2^31-1), protocolOp
 * CHOICE { [APPLICATION n] ... }, controls [0] OPTIONAL }. Checked, field
 * by field, against two ends as in tls.c: where the enclosing element says
 * it ends (a field past it is malformed: not LDAP) and where the captured
 * bytes end (a field past it is cut: keep what came before). Definite
 * lengths only, in at most 4 length octets (§5.1 forbids the indefinite
 * form); one-octet tags. A request's messageID is not 0 (§4.1.1.1). The
 * operation's first fields must have their types: bindRequest version
 * 1..3, name, and simple [0] / SASL [3] / Microsoft's sicily [9..11]
 * authentication; searchRequest baseObject, scope 0..3, derefAliases 0..3,
 * sizeLimit, timeLimit, typesOnly, a filter tag; the LDAPResult of every
 * response (resultCode, matchedDN, diagnosticMessage); and so on for every
 * operation of §4.
 * Facts: verb = the operation's name (bindRequest, searchRequest, ...: the
 * first message seen), object = the bind name, search base or entry DN of
 * the first request, user = the name of a simple bind.
 *
 * Confidence: a whole request or response 85, one cut by the capture after
 * its operation's first field 75; +5 on ports 389/3268; 100 once a request
 * and a response came in opposite directions.
 */
#include <string.h>

#include "collect/l7/l7.h"
#include "collect/l7/l7_util.h"

/* What the probe remembers, in scratch->raw[0]. */
#define LDAP_REQ 0x01u      /* a request was seen ... */
#define LDAP_REQ_DIR1 0x02u /* ... in direction 1 */
#define LDAP_RESP 0x04u     /* a response was seen ... */
#define LDAP_RESP_DIR1 0x08u
#define LDAP_CLAIMED 0x10u  /* we said MATCH: the flow is ours */
#define LDAP_OBJECT 0x20u   /* a request's DN is in the facts */

#define LDAP_MAX_MESSAGE (16u << 20) /* far above any real message */

enum { P_BAD = -1, P_CUT = 0, P_OK = 1 };

/* BER universal tags and LDAP's application tags (RFC 4511 §4). */
#define T_BOOLEAN 0x01
#define T_INTEGER 0x02
#define T_OCTETS 0x04
#define T_ENUM 0x0a
#define T_SEQUENCE 0x30

struct ber {
  const uint8_t *p;
  size_t pos, lim, cap; /* pos <= lim, pos <= cap */
};

/* One element's tag and length; the reader then stands at its value. */
static int ber_head(struct ber *b, unsigned *tag, size_t *len) {
  if (b->pos == b->lim)
    return P_BAD;
  if (b->pos == b->cap)
    return P_CUT;
  unsigned t = b->p[b->pos];
  if ((t & 0x1f) == 0x1f)
    return P_BAD; /* multi-octet tags: none in LDAP */
  size_t i = b->pos + 1;
  if (i == b->lim)
    return P_BAD;
  if (i == b->cap)
    return P_CUT;
  unsigned first = b->p[i++];
  size_t l = first;
  if (first & 0x80) {
    unsigned k = first & 0x7f;
    if (k == 0 || k > 4)
      return P_BAD; /* indefinite form, or absurd */
    if (k > b->lim - i)
      return P_BAD;
    if (k > b->cap - i)
      return P_CUT;
    l = 0;
    for (unsigned j = 0; j < k; j++)
      l = l << 8 | b->p[i++];
  }
  if (l > b->lim - i)
    return P_BAD;
  *tag = t;
  *len = l;
  b->pos = i;
  return P_OK;
}

/* An element of the given tag: *val and *vlen its value (only when all of it
 * was captured: *val is NULL otherwise), the reader past it. */
static int ber_take(struct ber *b, unsigned want, const uint8_t **val,
                    size_t *vlen) {
  unsigned tag = 0;
  size_t len = 0;
  int r = ber_head(b, &tag, &len);
  if (r != P_OK)
    return r;
  if (tag != want)
    return P_BAD;
  *vlen = len;
  *val = NULL;
  if (len > b->cap - b->pos) {
    b->pos = b->cap; /* cut inside the value */
    return P_CUT;
  }
  *val = b->p + b->pos;
  b->pos += len;
  return P_OK;
}

/* An INTEGER or ENUMERATED of 1..4 octets, non-negative. */
static int ber_uint(struct ber *b, unsigned want, uint32_t *v) {
  const uint8_t *val = NULL;
  size_t len = 0;
  int r = ber_take(b, want, &val, &len);
  if (r == P_CUT) /* len 0: the head itself is cut */
    return len <= 4 ? P_CUT : P_BAD;
  if (r != P_OK)
    return r;
  if (len < 1 || len > 4 || (val[0] & 0x80))
    return P_BAD;
  uint32_t x = 0;
  for (size_t i = 0; i < len; i++)
    x = x << 8 | val[i];
  *v = x;
  return P_OK;
}

/* The next element, whatever its tag (a context tag from a list). */
static int ber_any(struct ber *b, unsigned *tag, const uint8_t **val,
                   size_t *vlen) {
  size_t save = b->pos;
  int r = ber_head(b, tag, vlen);
  if (r != P_OK)
    return r;
  b->pos = save;
  return ber_take(b, *tag, val, vlen);
}

/* What the first fields of an operation's body must be. */
struct op {
  unsigned tag;
  const char *name;
  int response;
};

static const struct op ops[] = {
    {0x60, "bindRequest", 0},     {0x61, "bindResponse", 1},
    {0x42, "unbindRequest", 0},   {0x63, "searchRequest", 0},
    {0x64, "searchResEntry", 1},  {0x65, "searchResDone", 1},
    {0x73, "searchResRef", 1},    {0x66, "modifyRequest", 0},
    {0x67, "modifyResponse", 1},  {0x68, "addRequest", 0},
    {0x69, "addResponse", 1},     {0x4a, "delRequest", 0},
    {0x6b, "delResponse", 1},     {0x6c, "modDNRequest", 0},
    {0x6d, "modDNResponse", 1},   {0x6e, "compareRequest", 0},
    {0x6f, "compareResponse", 1}, {0x50, "abandonRequest", 0},
    {0x77, "extendedReq", 0},     {0x78, "extendedResp", 1},
    {0x79, "intermediateResponse", 1}};

static const struct op *find_op(unsigned tag) {
  for (size_t i = 0; i < sizeof ops / sizeof ops[0]; i++)
    if (ops[i].tag == tag)
      return &ops[i];
  return NULL;
}

/* What a message told. */
struct msg {
  const struct op *op;
  const uint8_t *dn; /* bind name, base or entry DN (complete) */
  size_t dn_len;
  int simple;        /* a simple bind: dn is a user */
  int whole;         /* every checked field was captured */
};

/* A result of P_OK or P_CUT after the first field is enough to claim;
 * remember whether all was there. */
#define STEP(expr)                                                            \
  do {                                                                        \
    int r_ = (expr);                                                          \
    if (r_ != P_OK) {                                                         \
      m->whole = 0;                                                           \
      return r_ == P_CUT && fields > 0 ? P_OK : r_;                           \
    }                                                                         \
    fields++;                                                                 \
  } while (0)

static int result_fields(struct ber *b, struct msg *m) {
  int fields = 0;
  uint32_t code = 0;
  const uint8_t *v = NULL;
  size_t n = 0;
  STEP(ber_uint(b, T_ENUM, &code));
  if (code > 0x7fff)
    return P_BAD;
  STEP(ber_take(b, T_OCTETS, &v, &n)); /* matchedDN */
  STEP(ber_take(b, T_OCTETS, &v, &n)); /* diagnosticMessage */
  return P_OK;
}

static int bind_request(struct ber *b, struct msg *m) {
  int fields = 0;
  uint32_t version = 0;
  unsigned tag = 0;
  const uint8_t *v = NULL;
  size_t n = 0;
  STEP(ber_uint(b, T_INTEGER, &version));
  if (version < 1 || version > 3)
    return P_BAD;
  STEP(ber_take(b, T_OCTETS, &v, &n));
  m->dn = v;
  m->dn_len = n;
  STEP(ber_any(b, &tag, &v, &n));
  /* simple [0], sasl [3]; Microsoft's sicily negotiation [9], [10], [11]. */
  if (tag != 0x80 && tag != 0xa3 && tag != 0x89 && tag != 0x8a && tag != 0x8b)
    return P_BAD;
  m->simple = tag == 0x80;
  return P_OK;
}

static int search_request(struct ber *b, struct msg *m) {
  int fields = 0;
  uint32_t x = 0;
  unsigned tag = 0;
  const uint8_t *v = NULL;
  size_t n = 0;
  STEP(ber_take(b, T_OCTETS, &v, &n));
  m->dn = v;
  m->dn_len = n;
  STEP(ber_uint(b, T_ENUM, &x)); /* scope */
  if (x > 3)
    return P_BAD;
  STEP(ber_uint(b, T_ENUM, &x)); /* derefAliases */
  if (x > 3)
    return P_BAD;
  STEP(ber_uint(b, T_INTEGER, &x)); /* sizeLimit */
  STEP(ber_uint(b, T_INTEGER, &x)); /* timeLimit */
  STEP(ber_take(b, T_BOOLEAN, &v, &n));
  if (n != 1)
    return P_BAD;
  STEP(ber_any(b, &tag, &v, &n));
  /* and, or, not, equalityMatch ... extensibleMatch [0..9]; present [7] is
   * primitive. */
  if (!((tag >= 0xa0 && tag <= 0xa9 && tag != 0xa7) || tag == 0x87))
    return P_BAD;
  return P_OK;
}

/* An entry DN then a SEQUENCE (modify, add), or DN, DN, BOOLEAN (modDN),
 * or DN then SEQUENCE (compare). */
static int dn_then(struct ber *b, struct msg *m, unsigned next) {
  int fields = 0;
  const uint8_t *v = NULL;
  size_t n = 0;
  STEP(ber_take(b, T_OCTETS, &v, &n));
  m->dn = v;
  m->dn_len = n;
  STEP(ber_take(b, next, &v, &n));
  if (next == T_OCTETS) { /* modDN: newrdn, then deleteoldrdn */
    STEP(ber_take(b, T_BOOLEAN, &v, &n));
    if (n != 1)
      return P_BAD;
  }
  return P_OK;
}

/* The body of the operation whose element b stands in. */
static int op_body(struct ber *b, struct msg *m, size_t len) {
  int fields = 0;
  unsigned tag = 0;
  const uint8_t *v = NULL;
  size_t n = 0;
  switch (m->op->tag) {
  case 0x60:
    return bind_request(b, m);
  case 0x63:
    return search_request(b, m);
  case 0x66:
  case 0x68:
    return dn_then(b, m, T_SEQUENCE);
  case 0x6e:
    return dn_then(b, m, T_SEQUENCE);
  case 0x6c:
    return dn_then(b, m, T_OCTETS);
  case 0x42: /* unbindRequest: NULL */
    return len == 0 ? P_OK : P_BAD;
  case 0x4a: /* delRequest: the DN itself */
    if (len == 0)
      return P_BAD;
    if (len <= b->cap - b->pos) {
      m->dn = b->p + b->pos;
      m->dn_len = len;
    }
    return P_OK;
  case 0x50: /* abandonRequest: the messageID */
    return len >= 1 && len <= 4 ? P_OK : P_BAD;
  case 0x77: /* extendedReq: requestName [0] */
    STEP(ber_any(b, &tag, &v, &n));
    return tag == 0x80 ? P_OK : P_BAD;
  case 0x64: /* searchResEntry: objectName, attributes */
    return dn_then(b, m, T_SEQUENCE);
  case 0x73: /* searchResRef: URIs */
    STEP(ber_take(b, T_OCTETS, &v, &n));
    return P_OK;
  case 0x79: /* intermediateResponse: optional [0], [1] */
    if (len == 0)
      return P_OK;
    STEP(ber_any(b, &tag, &v, &n));
    return tag == 0x80 || tag == 0x81 ? P_OK : P_BAD;
  default: /* every other response: an LDAPResult */
    return result_fields(b, m);
  }
}

/* One LDAPMessage at the start of p[0..n). */
static int parse_message(const uint8_t *p, size_t n, struct msg *m) {
  struct ber b = {p, 0, n, n};
  unsigned tag = 0;
  size_t len = 0;
  uint32_t id = 0;
  m->whole = 1;
  /* The outer SEQUENCE may go on past this packet: its end is only known
   * to be within the maximum. */
  b.lim = LDAP_MAX_MESSAGE;
  int r = ber_head(&b, &tag, &len);
  if (r != P_OK || tag != T_SEQUENCE)
    return r == P_CUT ? P_CUT : P_BAD;
  if (len < 5) /* messageID and an operation take at least 5 bytes */
    return P_BAD;
  b.lim = b.pos + len;
  if ((r = ber_uint(&b, T_INTEGER, &id)) != P_OK)
    return r;
  if ((r = ber_head(&b, &tag, &len)) != P_OK)
    return r;
  m->op = find_op(tag);
  if (!m->op || (id == 0 && !m->op->response))
    return P_BAD;
  struct ber body = {p, b.pos, b.pos + len, n};
  return op_body(&body, m, len); /* P_CUT: not even the first field */
}

static int usual_port(const struct l7_pkt *pkt) {
  return pkt->srv_port == 389 || pkt->srv_port == 3268;
}

static void store_facts(const struct msg *m, uint8_t *s,
                        struct l7_facts *facts) {
  if (!facts->u.gen.verb[0])
    l7_copy(facts->u.gen.verb, sizeof facts->u.gen.verb,
            (const uint8_t *)m->op->name, strlen(m->op->name));
  if (m->op->response || (*s & LDAP_OBJECT))
    return;
  *s |= LDAP_OBJECT;
  if (m->dn)
    l7_copy(facts->u.gen.object, sizeof facts->u.gen.object, m->dn, m->dn_len);
  if (m->dn && m->simple && m->dn_len)
    l7_copy(facts->u.gen.user, sizeof facts->u.gen.user, m->dn, m->dn_len);
}

int l7_probe_ldap(const struct l7_pkt *pkt, union l7_scratch *scratch,
                  struct l7_facts *facts, uint8_t *confidence) {
  if ((pkt->proto != L7_IP_TCP && pkt->proto != L7_IP_UDP) || pkt->len == 0)
    return L7_NO;
  uint8_t *s = &scratch->raw[0];
  struct msg m = {0};
  int r = parse_message(pkt->data, pkt->len, &m);
  if (r != P_OK) {
    if (*s & LDAP_CLAIMED) {
      l7_conf_floor(confidence, 75); /* the rest of a long message, SASL */
      return L7_MATCH;
    }
    return r == P_CUT ? L7_MORE : L7_NO;
  }
  int dir1 = pkt->dir & 1;
  /* The direction of the first request and of the first response. */
  if (m.op->response && !(*s & LDAP_RESP))
    *s |= (uint8_t)(LDAP_RESP | (dir1 ? LDAP_RESP_DIR1 : 0));
  else if (!m.op->response && !(*s & LDAP_REQ))
    *s |= (uint8_t)(LDAP_REQ | (dir1 ? LDAP_REQ_DIR1 : 0));
  store_facts(&m, s, facts);
  *s |= LDAP_CLAIMED;
  int both = (*s & LDAP_REQ) && (*s & LDAP_RESP) &&
             ((*s & LDAP_REQ_DIR1) != 0) != ((*s & LDAP_RESP_DIR1) != 0);
  if (both) {
    *confidence = 100;
    return (*s & LDAP_OBJECT) ? L7_DONE : L7_MATCH;
  }
  l7_conf_floor(confidence, l7_conf(m.whole ? 85 : 75, usual_port(pkt)));
  return L7_MATCH;
}
