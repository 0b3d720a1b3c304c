/* collect/l7/mqtt.c — MQTT 3.1, 3.1.1 and 5.0 over TCP.
 *
 * A control packet is a fixed header — type and flags in one byte, then
 * the remaining length as a variable-length integer of 1 to 4 bytes — and
 * that many bytes. The flags must be the ones the type requires (0010 for
 * PUBREL, SUBSCRIBE and UNSUBSCRIBE, 0000 for the others but PUBLISH, whose
 * QoS is 0..2). CONNECT carries the protocol name "MQTT" with level 4 or 5,
 * or "MQIsdp" with level 3, connect flags with the reserved bit clear and
 * a will QoS/retain only with the will flag (3.1.1: a password only with a
 * user name), the keep-alive, (5.0) properties, and the client id. CONNACK
 * has one flag bit and a return code (3.x: 0..5; 5.0: 0 or 0x80..0x9f).
 * PUBLISH has a topic of printable UTF-8 without wildcards and a non-zero
 * packet id when its QoS is not 0; SUBSCRIBE and UNSUBSCRIBE a non-zero
 * packet id and topic filters. Every packet of a segment is walked (the
 * last may run past it); lengths must agree with it.
 * Facts: verb = the packet type ("CONNECT" until the client publishes or
 * subscribes: "PUBLISH", "SUBSCRIBE", "UNSUBSCRIBE"); object = that
 * packet's topic (a subscription's first filter); user = CONNECT's user
 * name. MQTT has no software banner.
 *
 * Confidence: CONNECT 90 (+5 on port 1883); 100 with its CONNACK. Without
 * them (a capture that starts mid-flow): a segment holding a PUBLISH,
 * SUBSCRIBE or UNSUBSCRIBE 75, 90 once the other side sends MQTT packets
 * too (before or after); packets without a topic (PINGREQ, acks...) prove
 * nothing alone and are waited through, three segments at most. DONE when
 * both sides are proved and the client published or subscribed.
 */
#include <string.h>

#include "collect/l7/l7.h"
#include "collect/l7/l7_util.h"

/* What the probe remembers: bits of raw[0]; raw[1] the protocol level;
 * raw[2] how many topic-less segments came before any proof. */
#define MQ_CONNECT 0x01u  /* CONNECT seen (client proved) */
#define MQ_CONNACK 0x02u  /* CONNACK seen (server proved) */
#define MQ_CLI 0x04u      /* mid-flow: client packets with a topic */
#define MQ_SRV 0x08u      /* mid-flow: server packets */
#define MQ_DATA 0x10u     /* the verb is PUBLISH/SUBSCRIBE/UNSUBSCRIBE */
#define MQ_PLAIN0 0x20u   /* mid-flow: well-formed packets without a topic, */
#define MQ_PLAIN1 0x40u   /* ... from the client (0) or the server (1) */
#define MQ_MAX_PLAIN 3    /* such segments waited through (count in raw[2]) */

#define CONNECT 1
#define CONNACK 2
#define PUBLISH 3
#define PUBACK 4
#define PUBREC 5
#define PUBREL 6
#define PUBCOMP 7
#define SUBSCRIBE 8
#define SUBACK 9
#define UNSUBSCRIBE 10
#define UNSUBACK 11
#define PINGREQ 12
#define PINGRESP 13
#define DISCONNECT 14
#define AUTH 15

#define MQ_MAX_WALK 8

enum { P_BAD = -1, P_CUT = 0, P_OK = 1 };

static int usual_port(const struct l7_pkt *pkt) { return pkt->srv_port == 1883; }

/* A variable byte integer at p[*i]. */
static int varint(const uint8_t *p, size_t n, size_t *i, uint32_t *v) {
  uint32_t x = 0;
  for (int k = 0; k < 4; k++) {
    if (*i >= n)
      return P_CUT;
    uint8_t b = p[(*i)++];
    x |= (uint32_t)(b & 0x7f) << (7 * k);
    if (!(b & 0x80)) {
      *v = x;
      return P_OK;
    }
  }
  return P_BAD;
}

/* A 2-byte-length string at b[*i] within n (the packet's bytes here). */
static int str(const uint8_t *b, size_t n, size_t *i, const uint8_t **s,
               size_t *len) {
  if (n - *i < 2)
    return P_CUT;
  size_t l = l7_be16(b + *i);
  if (l > n - *i - 2)
    return P_CUT;
  *s = b + *i + 2;
  *len = l;
  *i += 2 + l;
  return P_OK;
}

static int text_ok(const uint8_t *s, size_t n) {
  for (size_t i = 0; i < n; i++)
    if (s[i] < 0x20 || s[i] == 0x7f)
      return 0;
  return 1;
}

/* A topic name: printable, no wildcards. */
static int topic_ok(const uint8_t *s, size_t n) {
  return n > 0 && text_ok(s, n) && !memchr(s, '+', n) && !memchr(s, '#', n);
}

struct pkt_info {
  uint8_t type, flags;
  const uint8_t *b; /* the variable header and payload */
  size_t len;       /* remaining length */
  size_t have;      /* bytes of it here */
};

/* A string of the packet at b[*i]: P_BAD when it runs past the packet's
 * remaining length, P_CUT when only past the bytes here. */
static int pstr(const struct pkt_info *pk, size_t *i, const uint8_t **s,
                size_t *len) {
  if (pk->len - *i >= 2 && pk->have - *i >= 2 &&
      l7_be16(pk->b + *i) > pk->len - *i - 2)
    return P_BAD;
  if (pk->len - *i < 2)
    return P_BAD;
  return str(pk->b, pk->have, i, s, len);
}

struct seen {
  int connect, connack, topic_pkt, any;
  uint8_t level;
  const uint8_t *user, *topic;
  size_t user_len, topic_len;
  uint8_t topic_type;
};

static int flags_ok(uint8_t type, uint8_t flags) {
  if (type == PUBLISH)
    return ((flags >> 1) & 3) != 3;
  if (type == PUBREL || type == SUBSCRIBE || type == UNSUBSCRIBE)
    return flags == 2;
  return flags == 0;
}

/* v5 properties: a length, then that many bytes (not looked into). */
static int skip_props(const uint8_t *b, size_t n, size_t *i) {
  uint32_t l = 0;
  int r = varint(b, n, i, &l);
  if (r != P_OK)
    return r;
  if (l > n - *i)
    return P_CUT;
  *i += l;
  return P_OK;
}

static int parse_connect(const struct pkt_info *pk, struct seen *sn) {
  const uint8_t *b = pk->b, *name = NULL, *s = NULL;
  size_t n = pk->have, i = 0, nl = 0, sl = 0;
  int r0 = pstr(pk, &i, &name, &nl);
  if (r0 != P_OK)
    return r0 == P_CUT && n < pk->len ? P_CUT : P_BAD;
  uint8_t want;
  if (nl == 4 && memcmp(name, "MQTT", 4) == 0)
    want = 0;
  else if (nl == 6 && memcmp(name, "MQIsdp", 6) == 0)
    want = 3;
  else
    return P_BAD;
  if (n - i < 4)
    return n < pk->len ? P_CUT : P_BAD;
  uint8_t level = b[i], cf = b[i + 1];
  if (want ? level != want : (level != 4 && level != 5))
    return P_BAD;
  int will = (cf >> 2) & 1, will_qos = (cf >> 3) & 3, will_retain = (cf >> 5) & 1;
  int pass = (cf >> 6) & 1, user = (cf >> 7) & 1;
  if ((cf & 1) || will_qos == 3 || (!will && (will_qos || will_retain)) ||
      (level < 5 && pass && !user))
    return P_BAD;
  i += 4;
  sn->level = level;
  if (level == 5) {
    int r = skip_props(b, n, &i);
    if (r != P_OK)
      return n < pk->len ? P_OK : P_BAD;
  }
  r0 = pstr(pk, &i, &s, &sl); /* client id */
  if (r0 != P_OK)
    return r0 == P_CUT && n < pk->len ? P_OK : P_BAD;
  if (sl > 256 || !text_ok(s, sl))
    return P_BAD;
  if (will) {
    if (level == 5 && skip_props(b, n, &i) != P_OK)
      return n < pk->len ? P_OK : P_BAD;
    if ((r0 = pstr(pk, &i, &s, &sl)) != P_OK || (r0 = pstr(pk, &i, &s, &sl)) != P_OK)
      return r0 == P_CUT && n < pk->len ? P_OK : P_BAD;
  }
  if (user) {
    if ((r0 = pstr(pk, &i, &s, &sl)) != P_OK)
      return r0 == P_CUT && n < pk->len ? P_OK : P_BAD;
    sn->user = s;
    sn->user_len = sl;
  }
  if (pass && (r0 = pstr(pk, &i, &s, &sl)) != P_OK)
    return r0 == P_CUT && n < pk->len ? P_OK : P_BAD;
  return i == pk->len || n < pk->len ? P_OK : P_BAD;
}

static int parse_connack(const struct pkt_info *pk, uint8_t level) {
  if (pk->len < 2 || pk->have < 2 || (pk->b[0] & 0xfe))
    return P_BAD;
  uint8_t rc = pk->b[1];
  if (pk->len == 2 && level != 5)
    return rc <= 5 ? P_OK : P_BAD;
  /* 5.0 (or a level not seen): reason code and properties. */
  return (rc == 0 || (rc >= 0x80 && rc <= 0x9f)) && pk->len >= 3 ? P_OK : P_BAD;
}

static int parse_publish(const struct pkt_info *pk, uint8_t level,
                         struct seen *sn) {
  const uint8_t *t = NULL;
  size_t tl = 0, i = 0;
  int r = pstr(pk, &i, &t, &tl);
  if (r != P_OK)
    return r == P_CUT && pk->have < pk->len ? P_CUT : P_BAD;
  if (!topic_ok(t, tl))
    return P_BAD;
  int qos = (pk->flags >> 1) & 3;
  if (qos) {
    if (pk->have - i < 2)
      return pk->have < pk->len ? P_OK : P_BAD;
    if (l7_be16(pk->b + i) == 0)
      return P_BAD;
  }
  (void)level;
  sn->topic = t;
  sn->topic_len = tl;
  return P_OK;
}

static int parse_subscribe(const struct pkt_info *pk, uint8_t level,
                           struct seen *sn) {
  size_t i = 0;
  if (pk->len < 2 + 3 || pk->have < 2)
    return pk->have < pk->len ? P_CUT : P_BAD;
  if (l7_be16(pk->b) == 0)
    return P_BAD;
  i = 2;
  if (level == 5) {
    int r = skip_props(pk->b, pk->have, &i);
    if (r != P_OK)
      return pk->have < pk->len ? P_CUT : P_BAD;
  }
  const uint8_t *t = NULL;
  size_t tl = 0;
  int r = pstr(pk, &i, &t, &tl);
  if (r != P_OK)
    return r == P_CUT && pk->have < pk->len ? P_CUT : P_BAD;
  if (tl == 0 || !text_ok(t, tl))
    return P_BAD;
  if (pk->type == SUBSCRIBE && i < pk->have) {
    uint8_t opt = pk->b[i];
    if ((opt & 3) == 3 || (level != 5 && (opt & 0xfc)) || (opt & 0xc0))
      return P_BAD;
  }
  sn->topic = t;
  sn->topic_len = tl;
  return P_OK;
}

/* Lengths a packet of a type may have (the fixed-size acks and pings). */
static int length_ok(uint8_t type, size_t len, uint8_t level) {
  switch (type) {
  case PUBACK: case PUBREC: case PUBREL: case PUBCOMP: case UNSUBACK:
    /* 5.0 may add a reason code and properties; unknown level: short. */
    return level == 5 ? len >= 2 : level == 0 ? len >= 2 && len <= 4 : len == 2;
  case SUBACK:
    return len >= 3;
  case PINGREQ: case PINGRESP:
    return len == 0;
  case DISCONNECT:
    return level == 5 ? 1 : level == 0 ? len <= 2 : len == 0;
  case AUTH:
    return level != 3 && level != 4;
  default:
    return 1;
  }
}

/* Walk the packets of a segment; from_client tells what types may come. */
static int walk(const uint8_t *p, size_t n, int from_client, uint8_t level,
                struct seen *sn) {
  size_t i = 0;
  memset(sn, 0, sizeof *sn);
  sn->level = level;
  for (int k = 0; k < MQ_MAX_WALK && i < n; k++) {
    struct pkt_info pk;
    pk.type = p[i] >> 4;
    pk.flags = p[i] & 0x0f;
    if (pk.type == 0 || !flags_ok(pk.type, pk.flags))
      return P_BAD;
    int client_type = pk.type == CONNECT || pk.type == SUBSCRIBE ||
                      pk.type == UNSUBSCRIBE || pk.type == PINGREQ;
    int server_type = pk.type == CONNACK || pk.type == SUBACK ||
                      pk.type == UNSUBACK || pk.type == PINGRESP;
    if ((from_client && server_type) || (!from_client && client_type))
      return P_BAD;
    size_t j = i + 1;
    uint32_t len = 0;
    int r = varint(p, n, &j, &len);
    if (r != P_OK)
      return k ? P_OK : r;
    pk.b = p + j;
    pk.len = len;
    pk.have = n - j < len ? n - j : len;
    if (!length_ok(pk.type, len, sn->level))
      return P_BAD;
    switch (pk.type) {
    case CONNECT:
      if (k != 0)
        return P_BAD;
      r = parse_connect(&pk, sn);
      if (r == P_OK)
        sn->connect = 1;
      break;
    case CONNACK:
      r = parse_connack(&pk, sn->level);
      if (r == P_OK)
        sn->connack = 1;
      break;
    case PUBLISH:
      r = parse_publish(&pk, sn->level, sn);
      break;
    case SUBSCRIBE:
    case UNSUBSCRIBE:
      r = parse_subscribe(&pk, sn->level, sn);
      break;
    default:
      r = P_OK;
      break;
    }
    if (r != P_OK)
      return k ? (r == P_CUT ? P_OK : P_BAD) : r;
    if ((pk.type == PUBLISH || pk.type == SUBSCRIBE || pk.type == UNSUBSCRIBE) &&
        !sn->topic_type) {
      sn->topic_type = pk.type;
      sn->topic_pkt = 1;
    }
    sn->any = 1;
    if (pk.have < len)
      return P_OK;
    i = j + len;
  }
  return P_OK;
}

static const char *type_name(uint8_t t) {
  return t == PUBLISH ? "PUBLISH" : t == SUBSCRIBE ? "SUBSCRIBE" : "UNSUBSCRIBE";
}

static void take_facts(uint8_t *st, const struct seen *sn, int from_client,
                       struct l7_facts *facts) {
  if (sn->connect) {
    if (sn->user && !facts->u.gen.user[0])
      l7_copy(facts->u.gen.user, sizeof facts->u.gen.user, sn->user, sn->user_len);
    if (!facts->u.gen.verb[0])
      l7_copy(facts->u.gen.verb, sizeof facts->u.gen.verb,
              (const uint8_t *)"CONNECT", 7);
  }
  if (sn->topic_type && !(*st & MQ_DATA) && (from_client || !facts->u.gen.verb[0])) {
    const char *name = type_name(sn->topic_type);
    l7_copy(facts->u.gen.verb, sizeof facts->u.gen.verb, (const uint8_t *)name,
            strlen(name));
    l7_copy(facts->u.gen.object, sizeof facts->u.gen.object, sn->topic,
            sn->topic_len);
    if (from_client)
      *st |= MQ_DATA;
  }
}

static int verdict(uint8_t st) {
  int both = (st & (MQ_CONNECT | MQ_CONNACK)) == (MQ_CONNECT | MQ_CONNACK) ||
             (st & (MQ_CLI | MQ_SRV)) == (MQ_CLI | MQ_SRV);
  return both && (st & MQ_DATA) ? L7_DONE : L7_MATCH;
}

int l7_probe_mqtt(const struct l7_pkt *pkt, union l7_scratch *scratch,
                  struct l7_facts *facts, uint8_t *confidence) {
  if (pkt->proto != L7_IP_TCP || pkt->len == 0)
    return L7_NO;
  uint8_t *st = &scratch->raw[0];
  int from_client = !(pkt->dir & 1);
  int claimed = (*st & (MQ_CONNECT | MQ_CONNACK | MQ_CLI | MQ_SRV)) != 0;
  struct seen sn;
  int r = walk(pkt->data, pkt->len, from_client, scratch->raw[1], &sn);
  if (r != P_OK) {
    if (claimed) {
      l7_conf_floor(confidence, 70);
      return L7_MATCH;
    }
    return r == P_CUT ? L7_MORE : L7_NO;
  }
  if (sn.connect) {
    scratch->raw[1] = sn.level;
    *st |= MQ_CONNECT;
  }
  if (sn.connack && (*st & MQ_CONNECT))
    *st |= MQ_CONNACK;
  take_facts(st, &sn, from_client, facts);
  if ((*st & (MQ_CONNECT | MQ_CONNACK)) == (MQ_CONNECT | MQ_CONNACK)) {
    *confidence = 100;
    return verdict(*st);
  }
  if (*st & MQ_CONNECT) {
    if (!from_client && !sn.connack) {
      l7_conf_floor(confidence, 80); /* the server answered, not with CONNACK */
      return L7_MATCH;
    }
    *confidence = (uint8_t)(claimed ? *confidence : l7_conf(90, usual_port(pkt)));
    return verdict(*st);
  }
  /* Mid-flow: a packet with a topic proves its side; well-formed packets
   * the other side sent before (PINGREQ/PINGRESP, acks) count for it. */
  if (sn.topic_pkt || claimed) {
    *st |= from_client ? MQ_CLI : MQ_SRV;
    if (*st & MQ_PLAIN0)
      *st |= MQ_CLI;
    if (*st & MQ_PLAIN1)
      *st |= MQ_SRV;
    if ((*st & (MQ_CLI | MQ_SRV)) == (MQ_CLI | MQ_SRV)) {
      *confidence = 90;
      return verdict(*st);
    }
    *confidence = l7_conf(75, usual_port(pkt));
    return L7_MATCH;
  }
  /* Two-byte packets prove nothing alone: wait through a few. */
  if (scratch->raw[2] >= MQ_MAX_PLAIN)
    return L7_NO;
  scratch->raw[2]++;
  *st |= from_client ? MQ_PLAIN0 : MQ_PLAIN1;
  return L7_MORE;
}
