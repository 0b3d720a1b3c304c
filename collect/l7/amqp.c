/* collect/l7/amqp.c — AMQP 0-9-1 (RabbitMQ...) and AMQP 1.0 (ActiveMQ,
 * Azure Service Bus, Qpid...).
 *
 * A connection opens with the client's 8-byte protocol header: "AMQP" then
 * 0 0 9 1 (0-9-1), 1 1 0 9 (0-9), 1 1 8 0 (0-8), 1 1 0 10 (0-10), or
 * 0|2|3 1 0 0 (1.0: plain, TLS, SASL). A 0-9-1 server answers with the
 * Connection.Start method; a server that does not speak the version asked
 * for, and every 1.0 server, answers with a protocol header of its own.
 * 0-9-1 frames: type (1 method, 2 content header, 3 body, 8 heartbeat), a
 * 2-byte channel, a 4-byte size, the payload, and the frame-end octet 0xCE
 * right after it; a method payload starts with a known class and method
 * id, a content header with a known class and weight 0, a heartbeat has
 * channel 0 and no payload. Every frame of a segment is walked; the last
 * may run past it. 1.0 frames: a 4-byte size, data offset (2 or more),
 * type (0 AMQP, 1 SASL), channel, and a performative: the described list
 * 0x00 0x53 <code> with a known code.
 * Facts (0-9-1): verb = the method ("basic.publish", "queue.declare",
 * "basic.consume"...; connection, channel, qos, acks and the like giving
 * way to the first data method, the client's before the server's); object
 * = "exchange/routing-key" of basic.publish, basic.deliver, basic.return
 * and basic.get-ok (the routing key alone on the default exchange), the
 * queue of queue.* and basic.consume/get, the exchange of exchange.*;
 * user = the PLAIN or AMQPLAIN login of Connection.Start-Ok; software =
 * "product version" from Connection.Start's server properties. 1.0: verb =
 * the first performative after open/begin ("attach", "transfer"...).
 *
 * Confidence: the protocol header 90, a segment of well-formed frames with
 * a known method (a capture that starts mid-flow) 80, 1.0 frames without
 * the header 75; +5 on port 5672; 100 once the server answers the header
 * (Connection.Start or its own header). DONE once both sides are proved
 * and a data method is known.
 */
#include <string.h>

#include "collect/l7/l7.h"
#include "collect/l7/l7_util.h"

/* What the probe remembers: bits of raw[0]; raw[1] the verb's tier. */
#define AQ_CLI 0x01u   /* the client side is proved */
#define AQ_SRV 0x02u   /* the server side is proved */
#define AQ_HDR 0x04u   /* the client sent the protocol header */
#define AQ_V10 0x08u   /* AMQP 1.0 */
#define AQ_EARLY 0x10u /* frames without a method came first (mid-flow) */
#define AQ_VERB 0x20u  /* raw[1] holds the verb's tier */

#define TIER_SETUP 1   /* connection, channel, qos, acks... */
#define TIER_SERVER 2  /* what the server does (deliver, *-ok) */
#define TIER_DATA 3    /* what the client asks for */

#define AQ_FRAME_HDR 7
#define AQ_FRAME_END 0xce
#define AQ_MAX_FRAME (1u << 27)
#define AQ_MAX_WALK 16

enum { P_BAD = -1, P_CUT = 0, P_OK = 1 };

static uint32_t be32(const uint8_t *p) {
  return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static int usual_port(const struct l7_pkt *pkt) { return pkt->srv_port == 5672; }

struct method {
  uint16_t cls, id;
  const char *name;
  uint8_t from_server; /* 1: sent by the server, 2: either */
};

static const struct method methods[] = {
    {10, 10, "connection.start", 1},     {10, 11, "connection.start-ok", 0},
    {10, 20, "connection.secure", 1},    {10, 21, "connection.secure-ok", 0},
    {10, 30, "connection.tune", 1},      {10, 31, "connection.tune-ok", 0},
    {10, 40, "connection.open", 0},      {10, 41, "connection.open-ok", 1},
    {10, 50, "connection.close", 2},     {10, 51, "connection.close-ok", 2},
    {10, 60, "connection.blocked", 1},   {10, 61, "connection.unblocked", 1},
    {10, 70, "connection.update-secret", 1},
    {10, 71, "connection.update-secret-ok", 0},
    {20, 10, "channel.open", 0},         {20, 11, "channel.open-ok", 1},
    {20, 20, "channel.flow", 2},         {20, 21, "channel.flow-ok", 2},
    {20, 40, "channel.close", 2},        {20, 41, "channel.close-ok", 2},
    {40, 10, "exchange.declare", 0},     {40, 11, "exchange.declare-ok", 1},
    {40, 20, "exchange.delete", 0},      {40, 21, "exchange.delete-ok", 1},
    {40, 30, "exchange.bind", 0},        {40, 31, "exchange.bind-ok", 1},
    {40, 40, "exchange.unbind", 0},      {40, 51, "exchange.unbind-ok", 1},
    {50, 10, "queue.declare", 0},        {50, 11, "queue.declare-ok", 1},
    {50, 20, "queue.bind", 0},           {50, 21, "queue.bind-ok", 1},
    {50, 30, "queue.purge", 0},          {50, 31, "queue.purge-ok", 1},
    {50, 40, "queue.delete", 0},         {50, 41, "queue.delete-ok", 1},
    {50, 50, "queue.unbind", 0},         {50, 51, "queue.unbind-ok", 1},
    {60, 10, "basic.qos", 0},            {60, 11, "basic.qos-ok", 1},
    {60, 20, "basic.consume", 0},        {60, 21, "basic.consume-ok", 1},
    {60, 30, "basic.cancel", 2},         {60, 31, "basic.cancel-ok", 2},
    {60, 40, "basic.publish", 0},        {60, 50, "basic.return", 1},
    {60, 60, "basic.deliver", 1},        {60, 70, "basic.get", 0},
    {60, 71, "basic.get-ok", 1},         {60, 72, "basic.get-empty", 1},
    {60, 80, "basic.ack", 2},            {60, 90, "basic.reject", 0},
    {60, 100, "basic.recover-async", 0}, {60, 110, "basic.recover", 0},
    {60, 111, "basic.recover-ok", 1},    {60, 120, "basic.nack", 2},
    {85, 10, "confirm.select", 0},       {85, 11, "confirm.select-ok", 1},
    {90, 10, "tx.select", 0},            {90, 11, "tx.select-ok", 1},
    {90, 20, "tx.commit", 0},            {90, 21, "tx.commit-ok", 1},
    {90, 30, "tx.rollback", 0},          {90, 31, "tx.rollback-ok", 1},
};

static const struct method *find_method(uint16_t cls, uint16_t id) {
  for (size_t i = 0; i < sizeof methods / sizeof methods[0]; i++)
    if (methods[i].cls == cls && methods[i].id == id)
      return &methods[i];
  return NULL;
}

static int known_class(uint16_t cls) {
  return cls == 10 || cls == 20 || cls == 40 || cls == 50 || cls == 60 ||
         cls == 85 || cls == 90;
}

static unsigned tier_of(const struct method *m) {
  if (m->cls == 10 || m->cls == 20 || m->cls == 85 || m->cls == 90 ||
      (m->cls == 60 && (m->id == 10 || m->id >= 80)))
    return TIER_SETUP;
  return m->from_server == 1 ? TIER_SERVER : TIER_DATA;
}

/* The protocol header: 1 for 0-8..0-10, 2 for 1.0, 0 when not one. */
static int protocol_header(const uint8_t *p, size_t n) {
  if (n != 8 || memcmp(p, "AMQP", 4) != 0)
    return 0;
  const uint8_t *v = p + 4;
  if ((v[0] == 0 && v[1] == 0 && v[2] == 9 && v[3] == 1) ||
      (v[0] == 1 && v[1] == 1 && ((v[2] == 0 && (v[3] == 9 || v[3] == 10)) ||
                                  (v[2] == 8 && v[3] == 0))))
    return 1;
  if ((v[0] == 0 || v[0] == 2 || v[0] == 3) && v[1] == 1 && v[2] == 0 && v[3] == 0)
    return 2;
  return 0;
}

/* A prefix of "AMQP": wait for the rest. */
static int header_prefix(const uint8_t *p, size_t n) {
  return n < 8 && memcmp(p, "AMQP", n < 4 ? n : 4) == 0;
}

/* A short string at b[*i] (1-byte length) within n. */
static int shortstr(const uint8_t *b, size_t n, size_t *i, const uint8_t **s,
                    size_t *len) {
  if (*i >= n || b[*i] > n - *i - 1)
    return P_CUT;
  *len = b[*i];
  *s = b + *i + 1;
  *i += 1 + *len;
  return P_OK;
}

/* The size of a field value of type t at v (k bytes here), or 0 / -1. */
static int field_size(uint8_t t, const uint8_t *v, size_t k, size_t *sz) {
  switch (t) {
  case 't': case 'b': case 'B': *sz = 1; return P_OK;
  case 's': case 'u': *sz = 2; return P_OK;
  case 'I': case 'i': case 'f': *sz = 4; return P_OK;
  case 'l': case 'L': case 'd': case 'T': *sz = 8; return P_OK;
  case 'D': *sz = 5; return P_OK;
  case 'V': *sz = 0; return P_OK;
  case 'S': case 'F': case 'A': case 'x':
    if (k < 4)
      return P_CUT;
    *sz = 4 + (size_t)be32(v);
    return P_OK;
  default:
    return P_BAD;
  }
}

/* Look for string fields named key1/key2 in a field table at b[0..n). */
struct table_find {
  const char *key[2];
  const uint8_t *val[2];
  size_t len[2];
};

static void table_walk(const uint8_t *b, size_t n, struct table_find *tf) {
  size_t i = 0;
  for (int k = 0; k < 64 && i < n; k++) {
    const uint8_t *name = NULL;
    size_t nl = 0, sz = 0;
    if (shortstr(b, n, &i, &name, &nl) != P_OK || i >= n)
      return;
    uint8_t t = b[i++];
    if (field_size(t, b + i, n - i, &sz) != P_OK || sz > n - i)
      return;
    for (int j = 0; j < 2; j++)
      if (t == 'S' && tf->key[j] && strlen(tf->key[j]) == nl &&
          memcmp(tf->key[j], name, nl) == 0) {
        tf->val[j] = b + i + 4;
        tf->len[j] = sz - 4;
      }
    i += sz;
  }
}

/* A field table (4-byte length) at a[*i] within n. */
static int table_at(const uint8_t *a, size_t n, size_t *i, const uint8_t **t,
                    size_t *tl) {
  if (n - *i < 4)
    return P_CUT;
  size_t l = be32(a + *i);
  if (l > n - *i - 4)
    return P_CUT;
  *t = a + *i + 4;
  *tl = l;
  *i += 4 + l;
  return P_OK;
}

static void start_facts(const uint8_t *a, size_t n, struct l7_facts *facts) {
  size_t i = 2; /* version major, minor */
  const uint8_t *t = NULL;
  size_t tl = 0;
  if (facts->u.gen.software[0] || table_at(a, n, &i, &t, &tl) != P_OK)
    return;
  struct table_find tf = {{"product", "version"}, {NULL, NULL}, {0, 0}};
  table_walk(t, tl, &tf);
  if (!tf.val[0])
    return;
  char buf[64];
  size_t o = l7_copy(buf, 40, tf.val[0], tf.len[0]);
  if (tf.val[1]) {
    buf[o++] = ' ';
    o += l7_copy(buf + o, sizeof buf - o, tf.val[1], tf.len[1]);
  }
  l7_copy(facts->u.gen.software, sizeof facts->u.gen.software,
          (const uint8_t *)buf, o);
}

static void start_ok_facts(const uint8_t *a, size_t n, struct l7_facts *facts) {
  size_t i = 0;
  const uint8_t *t = NULL, *mech = NULL;
  size_t tl = 0, ml = 0;
  if (facts->u.gen.user[0] || table_at(a, n, &i, &t, &tl) != P_OK ||
      shortstr(a, n, &i, &mech, &ml) != P_OK || n - i < 4)
    return;
  size_t rl = be32(a + i);
  if (rl > n - i - 4)
    return;
  const uint8_t *r = a + i + 4;
  if (ml == 5 && memcmp(mech, "PLAIN", 5) == 0) {
    const uint8_t *z1 = memchr(r, 0, rl);
    if (!z1)
      return;
    const uint8_t *u = z1 + 1;
    const uint8_t *z2 = memchr(u, 0, rl - (size_t)(u - r));
    if (z2 && z2 > u)
      l7_copy(facts->u.gen.user, sizeof facts->u.gen.user, u, (size_t)(z2 - u));
  } else if (ml == 8 && memcmp(mech, "AMQPLAIN", 8) == 0) {
    /* The response is the inside of a field table. */
    struct table_find tf = {{"LOGIN", NULL}, {NULL, NULL}, {0, 0}};
    table_walk(r, rl, &tf);
    if (tf.val[0] && tf.len[0])
      l7_copy(facts->u.gen.user, sizeof facts->u.gen.user, tf.val[0], tf.len[0]);
  }
}

/* The object a method names (arguments a[0..n) after class and method). */
static void method_object(const struct method *m, const uint8_t *a, size_t n,
                          struct l7_facts *facts) {
  size_t i = 0;
  const uint8_t *x = NULL, *y = NULL;
  size_t xl = 0, yl = 0;
  int pair = 0;
  facts->u.gen.object[0] = '\0';
  if (m->cls == 60 && m->id == 40) { /* publish: reserved, exchange, key */
    i = 2;
    pair = 1;
  } else if (m->cls == 60 && m->id == 60) { /* deliver: tag, delivery, bit */
    if (shortstr(a, n, &i, &x, &xl) != P_OK)
      return;
    i += 9;
    pair = 1;
  } else if (m->cls == 60 && m->id == 50) { /* return: code, text */
    i = 2;
    if (shortstr(a, n, &i, &x, &xl) != P_OK)
      return;
    pair = 1;
  } else if (m->cls == 60 && m->id == 71) { /* get-ok: delivery, bit */
    i = 9;
    pair = 1;
  } else if ((m->cls == 50 || m->cls == 40) && !(m->id & 1)) {
    i = 2; /* reserved short, then the queue or exchange */
  } else if (m->cls == 60 && (m->id == 20 || m->id == 70)) {
    i = 2;
  } else {
    return;
  }
  if (shortstr(a, n, &i, &x, &xl) != P_OK)
    return;
  if (!pair) {
    l7_copy(facts->u.gen.object, sizeof facts->u.gen.object, x, xl);
    return;
  }
  if (shortstr(a, n, &i, &y, &yl) != P_OK)
    return;
  char buf[128];
  size_t o = 0;
  if (xl) {
    o = l7_copy(buf, 64, x, xl);
    buf[o++] = '/';
  }
  o += l7_copy(buf + o, sizeof buf - o, y, yl);
  l7_copy(facts->u.gen.object, sizeof facts->u.gen.object, (const uint8_t *)buf, o);
}

struct walk {
  int frames;                   /* whole frames */
  int methods;                  /* whole method frames */
  const struct method *first;   /* first method (whole or cut after its ids) */
  int saw_start;                /* Connection.Start */
};

static void on_method(union l7_scratch *s, const struct method *m,
                      const uint8_t *a, size_t n, int from_server,
                      struct l7_facts *facts) {
  if (m->cls == 10 && m->id == 10)
    start_facts(a, n, facts);
  else if (m->cls == 10 && m->id == 11)
    start_ok_facts(a, n, facts);
  unsigned tier = tier_of(m);
  if (from_server && tier == TIER_DATA)
    tier = TIER_SERVER;
  if ((s->raw[0] & AQ_VERB) && tier <= s->raw[1])
    return;
  l7_copy(facts->u.gen.verb, sizeof facts->u.gen.verb, (const uint8_t *)m->name,
          strlen(m->name));
  method_object(m, a, n, facts);
  s->raw[0] |= AQ_VERB;
  s->raw[1] = (uint8_t)tier;
}

/* Walk the 0-9-1 frames of a segment; facts only when take_facts. */
static int walk091(const uint8_t *p, size_t n, int from_server, int take_facts,
                   union l7_scratch *s, struct l7_facts *facts, struct walk *w) {
  size_t i = 0;
  memset(w, 0, sizeof *w);
  for (int k = 0; k < AQ_MAX_WALK && i < n; k++) {
    uint8_t type = p[i];
    if (type != 1 && type != 2 && type != 3 && type != 8)
      return P_BAD;
    if (n - i < AQ_FRAME_HDR)
      return k ? P_OK : P_CUT;
    uint16_t channel = (uint16_t)l7_be16(p + i + 1);
    uint32_t size = be32(p + i + 3);
    if (size > AQ_MAX_FRAME)
      return P_BAD;
    const uint8_t *pl = p + i + AQ_FRAME_HDR;
    size_t have = n - i - AQ_FRAME_HDR < size ? n - i - AQ_FRAME_HDR : size;
    int whole = have == size && n - i - AQ_FRAME_HDR > size;
    if (whole && pl[size] != AQ_FRAME_END)
      return P_BAD;
    if (type == 8 && (channel != 0 || size != 0))
      return P_BAD;
    if (type == 1) {
      if (size < 4)
        return P_BAD;
      if (have < 4)
        return k ? P_OK : P_CUT;
      const struct method *m = find_method((uint16_t)l7_be16(pl), (uint16_t)l7_be16(pl + 2));
      if (!m || (m->from_server == 1 && !from_server) ||
          (m->from_server == 0 && from_server))
        return P_BAD;
      if ((m->cls == 10) != (channel == 0))
        return P_BAD; /* connection methods on channel 0, others not */
      if (!w->first)
        w->first = m;
      if (m->cls == 10 && m->id == 10)
        w->saw_start = 1;
      if (take_facts)
        on_method(s, m, pl + 4, have - 4, from_server, facts);
      if (whole)
        w->methods++;
    } else if (type == 2) {
      if (size < 14)
        return P_BAD;
      if (have >= 4 && (!known_class((uint16_t)l7_be16(pl)) || l7_be16(pl + 2) != 0))
        return P_BAD;
    }
    if (!whole)
      return P_OK;
    w->frames++;
    i += AQ_FRAME_HDR + size + 1;
  }
  return P_OK;
}

/* AMQP 1.0 frame: size, doff, type, channel, and a performative. */
static int frame10(const uint8_t *p, size_t n, const char **perf) {
  static const char *const names[] = {"open", "begin", "attach", "flow", "transfer",
                                      "disposition", "detach", "end", "close"};
  static const char *const sasl[] = {"sasl-mechanisms", "sasl-init",
                                     "sasl-challenge", "sasl-response",
                                     "sasl-outcome"};
  if (n < 8)
    return P_CUT;
  uint32_t size = be32(p);
  uint8_t doff = p[4], type = p[5];
  if (size < 8 || size > AQ_MAX_FRAME || doff < 2 || (size_t)doff * 4 > size ||
      type > 1)
    return P_BAD;
  if (size == (size_t)doff * 4)
    return type == 0 ? P_OK : P_BAD; /* an empty frame: a heartbeat */
  size_t b = (size_t)doff * 4;
  if (n < b + 3)
    return P_CUT;
  if (p[b] != 0x00 || p[b + 1] != 0x53)
    return P_BAD;
  uint8_t code = p[b + 2];
  if (type == 0 && code >= 0x10 && code <= 0x18)
    *perf = names[code - 0x10];
  else if (type == 1 && code >= 0x40 && code <= 0x44)
    *perf = sasl[code - 0x40];
  else
    return P_BAD;
  return P_OK;
}

static int verdict(uint8_t st, const union l7_scratch *s) {
  if ((st & (AQ_CLI | AQ_SRV)) == (AQ_CLI | AQ_SRV) && (st & AQ_VERB) &&
      s->raw[1] >= TIER_SERVER)
    return L7_DONE;
  return L7_MATCH;
}

static int on_v10(const struct l7_pkt *pkt, union l7_scratch *s,
                  struct l7_facts *facts, uint8_t *confidence) {
  uint8_t *st = &s->raw[0];
  const char *perf = NULL;
  int r = frame10(pkt->data, pkt->len, &perf);
  if (r == P_OK) {
    if (pkt->dir & 1)
      *st |= AQ_SRV;
    else
      *st |= AQ_CLI;
    if (perf && !(pkt->dir & 1) && (!(*st & AQ_VERB) || s->raw[1] < TIER_DATA)) {
      int setup = !strcmp(perf, "open") || !strcmp(perf, "begin") ||
                  !strncmp(perf, "sasl", 4);
      if (!(*st & AQ_VERB) || !setup) {
        l7_copy(facts->u.gen.verb, sizeof facts->u.gen.verb,
                (const uint8_t *)perf, strlen(perf));
        *st |= AQ_VERB;
        s->raw[1] = setup ? TIER_SETUP : TIER_DATA;
      }
    }
  }
  if ((*st & (AQ_CLI | AQ_SRV)) == (AQ_CLI | AQ_SRV))
    *confidence = 100;
  else
    l7_conf_floor(confidence, 75);
  return verdict(*st, s);
}

int l7_probe_amqp(const struct l7_pkt *pkt, union l7_scratch *scratch,
                  struct l7_facts *facts, uint8_t *confidence) {
  if (pkt->proto != L7_IP_TCP || pkt->len == 0)
    return L7_NO;
  uint8_t *st = &scratch->raw[0];
  int from_server = (pkt->dir & 1) != 0;
  int claimed = (*st & (AQ_CLI | AQ_SRV)) != 0;
  int hv = protocol_header(pkt->data, pkt->len);
  if (hv) {
    if (!from_server) {
      *st |= AQ_CLI | AQ_HDR | (hv == 2 ? AQ_V10 : 0);
      *confidence = (*st & AQ_SRV) ? 100 : l7_conf(90, usual_port(pkt));
      return L7_MATCH;
    }
    if (*st & AQ_HDR) {
      /* The server's header: its 1.0 echo, or the version it speaks. */
      *st |= AQ_SRV;
      *confidence = 100;
      return (*st & AQ_V10) ? L7_MATCH : L7_DONE;
    }
  }
  if (!claimed && header_prefix(pkt->data, pkt->len))
    return L7_MORE;
  if (*st & AQ_V10)
    return on_v10(pkt, scratch, facts, confidence);
  struct walk w;
  int r = walk091(pkt->data, pkt->len, from_server, 0, scratch, facts, &w);
  if (r == P_BAD) {
    if (!claimed)
      return L7_NO;
    l7_conf_floor(confidence, 70);
    return verdict(*st, scratch);
  }
  if (r == P_CUT || !w.first) {
    /* Content or heartbeat frames only, or one header cut short. */
    if (claimed) {
      l7_conf_floor(confidence, 70);
      return verdict(*st, scratch);
    }
    if (*st & AQ_EARLY)
      return L7_NO;
    *st |= AQ_EARLY;
    return L7_MORE;
  }
  walk091(pkt->data, pkt->len, from_server, 1, scratch, facts, &w);
  *st |= from_server ? AQ_SRV : AQ_CLI;
  if ((*st & AQ_HDR) && from_server && w.saw_start)
    *confidence = 100;
  else if ((*st & (AQ_CLI | AQ_SRV)) == (AQ_CLI | AQ_SRV))
    *confidence = (*st & AQ_HDR) ? 100 : 95;
  else
    *confidence = l7_conf(80, usual_port(pkt));
  return verdict(*st, scratch);
}
