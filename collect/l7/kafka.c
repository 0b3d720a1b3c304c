/* collect/l7/kafka.c — Apache Kafka (and Redpanda...) by its wire protocol.
 *
 * Every message is a 4-byte big-endian size then that many bytes. A request
 * starts with api_key (a known API, 0..92), api_version (0..20),
 * correlation_id (not negative) and client_id (a nullable string: -1, or a
 * 2-byte length of printable bytes that fits in the message); a flexible
 * version (request header v2) adds tagged fields. The size must be at
 * least that header's, at most 100 MiB (the broker's
 * socket.request.max.bytes), and agree with the segment: equal to what
 * follows it, larger (a long produce goes on in the next segments), or
 * smaller with another request's size and key after it (clients keep
 * several requests in flight). A response starts with the correlation_id
 * of a request: taken only as the answer to the request seen (a 4-byte
 * size and 4 bytes of id prove nothing alone).
 * Facts: verb = the API name ("Produce", "Fetch", "Metadata"...), the
 * connection set-up APIs (ApiVersions, SaslHandshake, SaslAuthenticate)
 * giving way to the first request after them, and discovery (Metadata,
 * FindCoordinator) to any other; object = the first topic of a Produce
 * (v0..v12), Fetch (v0..v12) or Metadata (v0..v12) request; user = the SASL
 * PLAIN or SCRAM user of SaslAuthenticate; software = the client's
 * client_software_name and version from ApiVersions v3+.
 *
 * Confidence: a request 85 (+5 on port 9092); 100 with the response that
 * carries its correlation_id. DONE once both sides are proved and a verb
 * other than set-up or discovery is known.
 */
#include <string.h>

#include "collect/l7/l7.h"
#include "collect/l7/l7_util.h"

/* What the probe remembers: bits of raw[0]; raw[1..3] the low 24 bits of
 * the first request's correlation_id. */
#define KF_CLI 0x01u   /* a request was seen (client proved) */
#define KF_SRV 0x02u   /* its response was seen (server proved) */
#define KF_TIER 0x0cu  /* the verb's tier: 0 set-up, 1 discovery, 2 other */
#define KF_TIER_SHIFT 2
#define KF_HASVERB 0x10u
#define KF_EARLY 0x20u /* a server segment came before any request */

#define KF_MAX_SIZE (100u << 20)
#define KF_MAX_KEY 92
#define KF_MAX_VERSION 20

#define API_PRODUCE 0
#define API_FETCH 1
#define API_METADATA 3
#define API_FIND_COORDINATOR 10
#define API_SASL_HANDSHAKE 17
#define API_API_VERSIONS 18
#define API_SASL_AUTHENTICATE 36

enum { P_BAD = -1, P_CUT = 0, P_OK = 1 };

static uint32_t be32(const uint8_t *p) {
  return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static int usual_port(const struct l7_pkt *pkt) { return pkt->srv_port == 9092; }

static const char *const api_names[] = {
    "Produce", "Fetch", "ListOffsets", "Metadata", "LeaderAndIsr",
    "StopReplica", "UpdateMetadata", "ControlledShutdown", "OffsetCommit",
    "OffsetFetch", "FindCoordinator", "JoinGroup", "Heartbeat", "LeaveGroup",
    "SyncGroup", "DescribeGroups", "ListGroups", "SaslHandshake", "ApiVersions",
    "CreateTopics", "DeleteTopics", "DeleteRecords", "InitProducerId",
    "OffsetForLeaderEpoch", "AddPartitionsToTxn", "AddOffsetsToTxn", "EndTxn",
    "WriteTxnMarkers", "TxnOffsetCommit", "DescribeAcls", "CreateAcls",
    "DeleteAcls", "DescribeConfigs", "AlterConfigs", "AlterReplicaLogDirs",
    "DescribeLogDirs", "SaslAuthenticate", "CreatePartitions",
    "CreateDelegationToken", "RenewDelegationToken", "ExpireDelegationToken",
    "DescribeDelegationToken", "DeleteGroups", "ElectLeaders",
    "IncrementalAlterConfigs", "AlterPartitionReassignments",
    "ListPartitionReassignments", "OffsetDelete", "DescribeClientQuotas",
    "AlterClientQuotas", "DescribeUserScramCredentials",
    "AlterUserScramCredentials", "Vote", "BeginQuorumEpoch", "EndQuorumEpoch",
    "DescribeQuorum", "AlterPartition", "UpdateFeatures", "Envelope",
    "FetchSnapshot", "DescribeCluster", "DescribeProducers",
    "BrokerRegistration", "BrokerHeartbeat", "UnregisterBroker",
    "DescribeTransactions", "ListTransactions", "AllocateProducerIds",
    "ConsumerGroupHeartbeat", "ConsumerGroupDescribe", "ControllerRegistration",
    "GetTelemetrySubscriptions", "PushTelemetry", "AssignReplicasToDirs",
    "ListClientMetricsResources", "DescribeTopicPartitions",
    "ShareGroupHeartbeat", "ShareGroupDescribe", "ShareFetch",
    "ShareAcknowledge"};
#define N_NAMED (sizeof api_names / sizeof api_names[0])

/* The first flexible version (compact strings, tagged fields) of the APIs
 * whose bodies are read; the header's tagged fields come with it. For the
 * others the body is not read and the header's end does not matter. */
static int flexible(unsigned key, unsigned version) {
  switch (key) {
  case API_PRODUCE: return version >= 9;
  case API_FETCH: return version >= 12;
  case API_METADATA: return version >= 9;
  case API_API_VERSIONS: return version >= 3;
  case API_SASL_AUTHENTICATE: return version >= 2;
  default: return 0;
  }
}

/* A bounded reader over the message's bytes that are here. */
struct cur {
  const uint8_t *p;
  size_t pos, end;
};

static int rd_int(struct cur *c, size_t k, uint32_t *v) {
  if (c->end - c->pos < k)
    return P_CUT;
  uint32_t x = 0;
  for (size_t i = 0; i < k; i++)
    x = x << 8 | c->p[c->pos + i];
  c->pos += k;
  *v = x;
  return P_OK;
}

static int skip(struct cur *c, size_t k) {
  if (c->end - c->pos < k)
    return P_CUT;
  c->pos += k;
  return P_OK;
}

static int uvarint(struct cur *c, uint32_t *v) {
  uint32_t x = 0;
  for (int shift = 0; shift < 35; shift += 7) {
    if (c->pos >= c->end)
      return P_CUT;
    uint8_t b = c->p[c->pos++];
    x |= (uint32_t)(b & 0x7f) << shift;
    if (!(b & 0x80)) {
      *v = x;
      return P_OK;
    }
  }
  return P_BAD;
}

/* A string (2-byte length, or a compact one: uvarint length + 1); *s NULL
 * for a null one. */
static int string(struct cur *c, int compact, const uint8_t **s, size_t *n) {
  uint32_t l = 0;
  int r;
  *s = NULL;
  *n = 0;
  if (compact) {
    if ((r = uvarint(c, &l)) != P_OK)
      return r;
    if (l == 0)
      return P_OK;
    l--;
  } else {
    if ((r = rd_int(c, 2, &l)) != P_OK)
      return r;
    if (l == 0xffff)
      return P_OK;
  }
  if (c->end - c->pos < l)
    return P_CUT;
  *s = c->p + c->pos;
  *n = l;
  c->pos += l;
  return P_OK;
}

/* Tagged fields: a count, then tag, size and bytes each. */
static int tags(struct cur *c) {
  uint32_t count = 0, tag = 0, size = 0;
  int r = uvarint(c, &count);
  if (r != P_OK)
    return r;
  if (count > 64)
    return P_BAD;
  for (uint32_t k = 0; k < count; k++) {
    if ((r = uvarint(c, &tag)) != P_OK || (r = uvarint(c, &size)) != P_OK ||
        (r = skip(c, size)) != P_OK)
      return r;
  }
  return P_OK;
}

/* An array's count (4 bytes, or compact: uvarint count + 1). */
static int array(struct cur *c, int compact, uint32_t *count) {
  int r;
  if (compact) {
    if ((r = uvarint(c, count)) != P_OK)
      return r;
    if (*count == 0)
      return P_BAD; /* null */
    (*count)--;
    return P_OK;
  }
  if ((r = rd_int(c, 4, count)) != P_OK)
    return r;
  return *count == 0xffffffffu ? P_BAD : P_OK;
}

static int printable(const uint8_t *s, size_t n) {
  for (size_t i = 0; i < n; i++)
    if (s[i] < 0x20 || s[i] == 0x7f)
      return 0;
  return 1;
}

struct request {
  unsigned key, version;
  uint32_t corr;
  struct cur body; /* from the body's start to what is here */
};

/* A request header at p[0..n): P_OK with *size the message size. */
static int parse_request(const uint8_t *p, size_t n, struct request *rq,
                         size_t *size) {
  if (n < 4)
    return P_CUT;
  uint32_t sz = be32(p);
  if (sz < 10 || sz > KF_MAX_SIZE)
    return P_BAD;
  if (n >= 6 && (l7_be16(p + 4) > KF_MAX_KEY))
    return P_BAD;
  if (n >= 8 && l7_be16(p + 6) > KF_MAX_VERSION)
    return P_BAD;
  if (n >= 9 && (p[8] & 0x80))
    return P_BAD; /* correlation_id < 0 */
  if (n < 14)
    return P_CUT;
  rq->key = l7_be16(p + 4);
  rq->version = l7_be16(p + 6);
  rq->corr = be32(p + 8);
  size_t have = n - 4 < sz ? n - 4 : sz;
  struct cur c = {p + 4, 10, have};
  unsigned idl = l7_be16(p + 12);
  if (idl != 0xffff) {
    if (idl > sz - 10 || idl > 1024)
      return P_BAD;
    size_t k = have - 10 < idl ? have - 10 : idl;
    if (!printable(p + 14, k))
      return P_BAD;
    if (k < idl)
      return have < sz ? P_CUT : P_BAD;
    c.pos += idl;
  }
  if (flexible(rq->key, rq->version)) {
    int r = tags(&c);
    if (r == P_BAD)
      return P_BAD;
  }
  rq->body = c;
  *size = sz;
  return P_OK;
}

/* Several requests in flight: what follows a request must start another. */
static int rest_ok(const uint8_t *p, size_t n, size_t size) {
  if (4 + size >= n)
    return 1;
  const uint8_t *q = p + 4 + size;
  size_t rest = n - 4 - size;
  if (rest < 4)
    return 1;
  uint32_t sz = be32(q);
  if (sz < 10 || sz > KF_MAX_SIZE)
    return 0;
  return rest < 6 || l7_be16(q + 4) <= KF_MAX_KEY;
}

/* The first topic name of a Produce, Fetch or Metadata request. */
static int first_topic(const struct request *rq, const uint8_t **t, size_t *tn) {
  struct cur c = rq->body;
  int fl = flexible(rq->key, rq->version);
  unsigned v = rq->version;
  uint32_t count = 0, x = 0;
  const uint8_t *s = NULL;
  size_t n = 0;
  if (v > 12)
    return P_BAD; /* topic ids instead of names */
  switch (rq->key) {
  case API_PRODUCE:
    if (v >= 3 && string(&c, fl, &s, &n) != P_OK) /* transactional_id */
      return P_CUT;
    if (rd_int(&c, 2, &x) != P_OK || rd_int(&c, 4, &x) != P_OK)
      return P_CUT;
    break;
  case API_FETCH:
    if (rd_int(&c, 4, &x) != P_OK || rd_int(&c, 4, &x) != P_OK ||
        rd_int(&c, 4, &x) != P_OK)
      return P_CUT;
    if ((v >= 3 && skip(&c, 4) != P_OK) || (v >= 4 && skip(&c, 1) != P_OK) ||
        (v >= 7 && skip(&c, 8) != P_OK))
      return P_CUT;
    break;
  case API_METADATA:
    break;
  default:
    return P_BAD;
  }
  if (array(&c, fl, &count) != P_OK || count == 0 || count > 100000)
    return P_BAD;
  if (rq->key == API_METADATA && v >= 10 && skip(&c, 16) != P_OK)
    return P_CUT;
  if (string(&c, fl, &s, &n) != P_OK || !s || n == 0 || !printable(s, n))
    return P_BAD;
  *t = s;
  *tn = n;
  return P_OK;
}

/* user of SaslAuthenticate: PLAIN "authzid\0user\0pass" or SCRAM's
 * "n,,n=user,r=...". */
static void sasl_user(const struct request *rq, struct l7_facts *facts) {
  struct cur c = rq->body;
  uint32_t l = 0;
  int fl = flexible(rq->key, rq->version);
  if (facts->u.gen.user[0])
    return;
  if (fl ? uvarint(&c, &l) != P_OK || l == 0 : rd_int(&c, 4, &l) != P_OK)
    return;
  if (fl)
    l--;
  if (l > c.end - c.pos)
    return;
  const uint8_t *t = c.p + c.pos, *u = NULL;
  size_t un = 0;
  if (l > 5 && memcmp(t, "n,,n=", 5) == 0) {
    u = t + 5;
    const uint8_t *comma = memchr(u, ',', l - 5);
    if (!comma)
      return;
    un = (size_t)(comma - u);
  } else {
    const uint8_t *z1 = memchr(t, 0, l);
    if (!z1)
      return;
    u = z1 + 1;
    const uint8_t *z2 = memchr(u, 0, l - (size_t)(u - t));
    if (!z2)
      return;
    un = (size_t)(z2 - u);
  }
  if (un)
    l7_copy(facts->u.gen.user, sizeof facts->u.gen.user, u, un);
}

/* ApiVersions v3+: client_software_name and client_software_version. */
static void client_software(const struct request *rq, struct l7_facts *facts) {
  struct cur c = rq->body;
  const uint8_t *name = NULL, *ver = NULL;
  size_t nn = 0, vn = 0;
  if (facts->u.gen.software[0] || string(&c, 1, &name, &nn) != P_OK ||
      string(&c, 1, &ver, &vn) != P_OK || !name || !ver || !printable(name, nn) ||
      !printable(ver, vn))
    return;
  char buf[64];
  size_t o = l7_copy(buf, 40, name, nn);
  buf[o++] = ' ';
  o += l7_copy(buf + o, sizeof buf - o, ver, vn);
  l7_copy(facts->u.gen.software, sizeof facts->u.gen.software,
          (const uint8_t *)buf, o);
}

static unsigned tier_of(unsigned key) {
  if (key == API_API_VERSIONS || key == API_SASL_HANDSHAKE ||
      key == API_SASL_AUTHENTICATE)
    return 0;
  if (key == API_METADATA || key == API_FIND_COORDINATOR)
    return 1;
  return 2;
}

static void request_facts(uint8_t *st, const struct request *rq,
                          struct l7_facts *facts) {
  if (rq->key == API_SASL_AUTHENTICATE)
    sasl_user(rq, facts);
  if (rq->key == API_API_VERSIONS && rq->version >= 3)
    client_software(rq, facts);
  unsigned tier = tier_of(rq->key);
  unsigned have = (*st & KF_TIER) >> KF_TIER_SHIFT;
  if ((*st & KF_HASVERB) && tier <= have)
    return;
  char name[32];
  if (rq->key < N_NAMED) {
    size_t l = strlen(api_names[rq->key]);
    memcpy(name, api_names[rq->key], l + 1);
  } else {
    static const char prefix[] = "ApiKey";
    memcpy(name, prefix, sizeof prefix - 1);
    name[6] = (char)('0' + rq->key / 10);
    name[7] = (char)('0' + rq->key % 10);
    name[8] = '\0';
  }
  l7_copy(facts->u.gen.verb, sizeof facts->u.gen.verb, (const uint8_t *)name,
          strlen(name));
  const uint8_t *t = NULL;
  size_t tn = 0;
  if (first_topic(rq, &t, &tn) == P_OK)
    l7_copy(facts->u.gen.object, sizeof facts->u.gen.object, t, tn);
  *st = (uint8_t)((*st & ~KF_TIER) | KF_HASVERB | (tier << KF_TIER_SHIFT));
}

static int verdict(uint8_t st) {
  unsigned tier = (st & KF_TIER) >> KF_TIER_SHIFT;
  return (st & (KF_CLI | KF_SRV)) == (KF_CLI | KF_SRV) && tier == 2 ? L7_DONE
                                                                     : L7_MATCH;
}

static int on_response(const struct l7_pkt *pkt, union l7_scratch *s,
                       uint8_t *confidence) {
  uint8_t *st = &s->raw[0];
  const uint8_t *p = pkt->data;
  if (!(*st & KF_CLI)) {
    /* A capture that starts mid-flow: wait for a request, once, if this
     * can be a response (a sane size that the segment fills exactly, or
     * that a full segment starts; a correlation id that is not negative). */
    if (*st & KF_EARLY)
      return L7_NO;
    if (pkt->len < 4)
      return L7_MORE;
    uint32_t sz = be32(p);
    if (sz < 4 || sz > KF_MAX_SIZE || pkt->len - 4 > sz ||
        (pkt->len - 4 < sz && pkt->len < 512) || (pkt->len >= 5 && (p[4] & 0x80)))
      return L7_NO;
    *st |= KF_EARLY;
    return L7_MORE;
  }
  if (pkt->len >= 8) {
    uint32_t sz = be32(p), corr = be32(p + 4);
    uint32_t want = (uint32_t)s->raw[1] << 16 | (uint32_t)s->raw[2] << 8 | s->raw[3];
    if (sz >= 4 && sz <= KF_MAX_SIZE && (corr & 0xffffffu) == want &&
        !(corr & 0x80000000u)) {
      *st |= KF_SRV;
      *confidence = 100;
      return verdict(*st);
    }
  }
  l7_conf_floor(confidence, 70);
  return verdict(*st);
}

int l7_probe_kafka(const struct l7_pkt *pkt, union l7_scratch *scratch,
                   struct l7_facts *facts, uint8_t *confidence) {
  if (pkt->proto != L7_IP_TCP || pkt->len == 0)
    return L7_NO;
  uint8_t *st = &scratch->raw[0];
  if (pkt->dir & 1)
    return on_response(pkt, scratch, confidence);
  struct request rq;
  size_t size = 0;
  int r = parse_request(pkt->data, pkt->len, &rq, &size);
  if (r == P_OK && !rest_ok(pkt->data, pkt->len, size))
    r = P_BAD;
  if (r != P_OK) {
    if (*st & KF_CLI) {
      l7_conf_floor(confidence, 70);
      return L7_MATCH; /* the rest of a long request */
    }
    return r == P_CUT ? L7_MORE : L7_NO;
  }
  if (!(*st & KF_CLI)) {
    scratch->raw[1] = (uint8_t)(rq.corr >> 16);
    scratch->raw[2] = (uint8_t)(rq.corr >> 8);
    scratch->raw[3] = (uint8_t)rq.corr;
  }
  *st |= KF_CLI;
  request_facts(st, &rq, facts);
  *confidence = (*st & KF_SRV) ? 100 : l7_conf(85, usual_port(pkt));
  return verdict(*st);
}
