#include "detect/threat/dns_threat.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "collect/l7/dns_wire.h"
#include "core/hash.h"

#define UDP_PLAIN_MAX 512
#define UDP_EDNS_MAX 4096
#define SUBDOMAIN_MIN 24

static uint16_t be16(const uint8_t *p) { return (uint16_t)(p[0] << 8 | p[1]); }

/* Walk the records' owner names; rdata is skipped by its length. */
static int walk_records(const uint8_t *m, size_t cap, const struct dns_hdr *h,
                        struct dns_question *q) {
  size_t off = DNS_HDR;
  unsigned total = (unsigned)h->qd + h->an + h->ns + h->ar;
  for (unsigned i = 0; i < total && i < DNS_CHECK_RECORDS; i++) {
    size_t next = 0;
    char *out = i == 0 && h->qd ? q->name : NULL;
    int r = dns_read_name(m, cap, off, out, &next);
    if (r != DNS_OK)
      return r;
    if (i < h->qd) {
      if (next + 4 > cap)
        return DNS_CUT;
      if (i == 0)
        q->qtype = be16(m + next);
      off = next + 4;
    } else {
      if (next + 10 > cap)
        return DNS_CUT;
      off = next + 10 + be16(m + next + 8);
    }
  }
  return DNS_OK;
}

enum dns_msg_verdict dns_message_check(const uint8_t *m, size_t cap, size_t len,
                                       int over_udp, struct dns_question *q,
                                       const char **why) {
  memset(q, 0, sizeof *q);
  *why = NULL;
  if (cap < DNS_HDR || len < DNS_HDR)
    return DNS_MSG_NOT_DNS;
  struct dns_hdr h;
  dns_read_header(m, &h);
  if (!dns_header_plausible(&h, len))
    return DNS_MSG_NOT_DNS;
  q->is_query = !dns_is_response(&h);
  if (over_udp && len > UDP_EDNS_MAX) {
    *why = "a DNS message over UDP larger than 4096 bytes";
    return DNS_MSG_OVERSIZE;
  }
  if (over_udp && len > UDP_PLAIN_MAX && h.ar == 0) {
    *why = "a DNS message over UDP larger than 512 bytes without EDNS";
    return DNS_MSG_OVERSIZE;
  }
  int r = walk_records(m, cap < len ? cap : len, &h, q);
  if (r == DNS_LOOP) {
    *why = "a DNS name whose compression pointers loop or point forward";
    return DNS_MSG_LOOP;
  }
  if (r == DNS_LONG) {
    *why = "a DNS name longer than 255 bytes";
    return DNS_MSG_OVERSIZE;
  }
  return DNS_MSG_FINE;
}

void dns_tunnel_init(struct dns_tunnel_tracker *t, const struct cfg_threats *cfg) {
  t->cfg = *cfg;
  keytab_init(&t->domains, sizeof(uint64_t));
}

void dns_tunnel_free(struct dns_tunnel_tracker *t) { keytab_free(&t->domains); }

/* Where the registered domain starts in name (dotted, no trailing dot). */
static size_t registered_start(const char *name, size_t n) {
  size_t dots[3] = {n, n, n};
  int found = 0;
  for (size_t i = n; i-- > 0 && found < 3;)
    if (name[i] == '.')
      dots[found++] = i;
  if (found < 1)
    return 0;
  size_t tld_len = n - dots[0] - 1;
  size_t second_len = found >= 2 ? dots[0] - dots[1] - 1 : dots[0];
  /* co.uk, com.au, ac.jp: keep a third label. */
  if (tld_len == 2 && second_len <= 3 && found >= 2)
    return found >= 3 ? dots[2] + 1 : 0;
  return found >= 2 ? dots[1] + 1 : 0;
}

static double entropy_bits(const char *s, size_t n) {
  unsigned counts[256] = {0};
  size_t used = 0;
  for (size_t i = 0; i < n; i++)
    if (s[i] != '.') {
      counts[(uint8_t)s[i]]++;
      used++;
    }
  double e = 0;
  for (int c = 0; c < 256; c++)
    if (counts[c]) {
      double p = (double)counts[c] / (double)used;
      e -= p * log2(p);
    }
  return e;
}

static unsigned longest_label(const char *s, size_t n) {
  unsigned best = 0, cur = 0;
  for (size_t i = 0; i < n; i++) {
    cur = s[i] == '.' ? 0 : cur + 1;
    if (cur > best)
      best = cur;
  }
  return best;
}

static int hostname_byte(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
         c == '-' || c == '_' || c == '.';
}

/* The longest run of hex digits in a label. */
static unsigned longest_hex_label(const char *s, size_t n) {
  unsigned best = 0, cur = 0;
  for (size_t i = 0; i < n; i++) {
    char c = s[i];
    int hex = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
    cur = hex ? cur + 1 : 0;
    if (c == '.')
      cur = 0;
    if (cur > best)
      best = cur;
  }
  return best;
}

/* How much one query looks like data rather than a name (0: not at all).
 * Each sign adds: record types tunnels favour, labels far longer than
 * names use, bytes no host name has, long hex strings, high entropy. */
static unsigned query_score(const struct cfg_threats *cfg, const struct dns_question *q,
                            size_t n, size_t sub, unsigned longest, double ent) {
  unsigned score = 0, data = 0;
  if (longest >= cfg->dns_label || n >= cfg->dns_name)
    data += 2;
  for (size_t i = 0; i < sub; i++)
    if (!hostname_byte(q->name[i])) {
      data += 2;
      break;
    }
  if (longest_hex_label(q->name, sub) >= 32)
    data += 2;
  if (sub >= SUBDOMAIN_MIN && ent >= cfg->dns_entropy)
    data += 2;
  score = data;
  if (q->qtype == 10) /* NULL: iodine's favourite, nobody else's */
    score += 3;
  else if (data && (q->qtype == 16 || q->qtype == 15 || q->qtype == 5))
    score += 1;   /* TXT, MX, CNAME carry data back */
  return score;
}

uint64_t dns_tunnel_observe(struct dns_tunnel_tracker *t, const struct dns_question *q,
                            uint64_t ts_ns, struct dns_tunnel_sign *sign) {
  size_t n = strnlen(q->name, sizeof q->name);
  if (!q->is_query || n == 0)
    return 0;
  size_t reg = registered_start(q->name, n);
  size_t sub = reg > 0 ? reg - 1 : 0; /* the subdomain, without its dot */
  unsigned longest = longest_label(q->name, n);
  double ent = sub >= SUBDOMAIN_MIN ? entropy_bits(q->name, sub) : 0;
  unsigned score = query_score(&t->cfg, q, n, sub, longest, ent);
  if (!score)
    return 0;
  uint64_t key = hb_hash_bytes(q->name + reg, n - reg, 0x646e73u);
  if (t->domains.n >= DNS_TUNNEL_MAX_DOMAINS)
    keytab_clear(&t->domains);
  bool created;
  struct keytab_entry *e = keytab_get(&t->domains, &key, &created);
  if (!e)
    return 0;
  uint64_t window = ts_ns / ((uint64_t)t->cfg.dns_window * 1000000000ull);
  if (created || e->b != window) {
    e->a = 0;
    e->b = window;
  }
  uint64_t before = e->a;
  e->a += score;
  if (before >= t->cfg.dns_score || e->a < t->cfg.dns_score)
    return 0;
  snprintf(sign->domain, sizeof sign->domain, "%s", q->name + reg);
  sign->longest_label = longest;
  sign->entropy = ent;
  return e->a;
}
