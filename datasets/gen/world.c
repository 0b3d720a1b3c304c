#include "world.h"

#include <stdlib.h>

#include "buf.h"
#include "proto.h"
#include "rng.h"

#define IP(a, b, c, d) ((uint32_t)(a) << 24 | (b) << 16 | (c) << 8 | (d))
/* Docker-style locally administered MACs: 02:42 and the IPv4 address. */
#define MAC(d) \
  { 0x02, 0x42, 10, 1, 0, (d) }
#define GW_MAC MAC(1)

const struct host host_resolver = {"resolver", IP(10, 1, 0, 2), MAC(2), 64};
const struct host host_operator = {"operator", IP(10, 1, 0, 5), MAC(5), 64};
const struct host host_web = {"web", IP(10, 1, 0, 10), MAC(10), 64};
const struct host host_api = {"api", IP(10, 1, 0, 20), MAC(20), 64};
const struct host host_db = {"db", IP(10, 1, 0, 30), MAC(30), 64};
const struct host host_cache = {"cache", IP(10, 1, 0, 40), MAC(40), 64};
/* Outside the subnet: frames carry the gateway's MAC, TTLs show the hops. */
const struct host host_payments = {"payments", IP(198, 51, 100, 7), GW_MAC, 55};
const struct host host_c2 = {"c2", IP(192, 0, 2, 66), GW_MAC, 47};

static const char UA_FIREFOX[] =
    "Mozilla/5.0 (X11; Linux x86_64; rv:121.0) Gecko/20100101 Firefox/121.0";
static const char UA_CHROME_WIN[] =
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 "
    "(KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36";
static const char UA_SAFARI[] =
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_2) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/17.2 Safari/605.1.15";
static const char UA_IPHONE[] =
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_2 like Mac OS X) "
    "AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.2 Mobile/15E148 "
    "Safari/604.1";

/* Windows clients start at TTL 128, the others at 64; RTTs 10-40 ms. */
#define USER(d, ttl, rtt_ms, ua) \
  { {"user", IP(203, 0, 113, d), GW_MAC, ttl}, (rtt_ms)*1000, ua }
const struct user shop_users[SHOP_USERS] = {
    USER(10, 52, 18, UA_FIREFOX),     USER(11, 114, 24, UA_CHROME_WIN),
    USER(12, 50, 31, UA_SAFARI),      USER(13, 51, 12, UA_IPHONE),
    USER(14, 116, 27, UA_CHROME_WIN), USER(15, 53, 35, UA_FIREFOX),
    USER(16, 49, 15, UA_SAFARI),      USER(17, 113, 22, UA_CHROME_WIN),
    USER(18, 50, 39, UA_IPHONE),      USER(19, 54, 11, UA_FIREFOX),
    USER(20, 115, 29, UA_CHROME_WIN), USER(21, 52, 20, UA_SAFARI),
    USER(22, 51, 33, UA_IPHONE),      USER(23, 117, 14, UA_CHROME_WIN),
    USER(24, 53, 26, UA_FIREFOX),     USER(25, 50, 37, UA_SAFARI),
    USER(26, 112, 17, UA_CHROME_WIN), USER(27, 52, 23, UA_IPHONE),
    USER(28, 49, 30, UA_FIREFOX),     USER(29, 114, 10, UA_CHROME_WIN),
    USER(30, 51, 40, UA_SAFARI),      USER(31, 53, 19, UA_IPHONE),
    USER(32, 116, 25, UA_CHROME_WIN), USER(33, 50, 34, UA_FIREFOX),
    USER(34, 52, 13, UA_SAFARI),      USER(35, 113, 28, UA_CHROME_WIN),
    USER(36, 54, 36, UA_IPHONE),      USER(37, 51, 16, UA_FIREFOX),
    USER(38, 115, 21, UA_CHROME_WIN), USER(39, 50, 32, UA_SAFARI),
    USER(40, 53, 38, UA_IPHONE),
};

const char *edge_name(enum edge e) {
  static const char *const names[EDGE_COUNT] = {
      "web", "api", "db", "cache", "payments", "dns", "ssh", "attack"};
  return names[e];
}

void world_init(struct world *w, struct pcap_trace *tr, struct rng *rng) {
  *w = (struct world){.tr = tr, .rng = rng, .used_cap = 1u << 16};
  w->used = calloc(w->used_cap, sizeof(*w->used));
  if (!w->used) gen_die("out of memory");
}

void world_free(struct world *w) {
  free(w->used);
  w->used = NULL;
}

/* Insert key; false if it was already there. */
static int set_add(struct world *w, uint64_t key) {
  if (2 * (w->used_n + 1) > w->used_cap) gen_die("too many connections");
  size_t mask = w->used_cap - 1;
  size_t i = (size_t)((key * 0x9e3779b97f4a7c15ull) >> 40) & mask;
  for (; w->used[i]; i = (i + 1) & mask)
    if (w->used[i] == key) return 0;
  w->used[i] = key;
  w->used_n++;
  return 1;
}

uint16_t world_port(struct world *w, const struct host *cli,
                    const struct host *srv, uint16_t sport) {
  for (;;) {
    uint16_t port = (uint16_t)rng_range(w->rng, 32768, 60999);
    /* Client address and port exactly; the server folded into 16 bits (a
     * fold collision only costs a redraw). Never zero: port >= 32768. */
    uint64_t key = (uint64_t)cli->ip << 32 | (uint64_t)port << 16 |
                   ((srv->ip ^ (srv->ip >> 16) ^ sport) & 0xffff);
    if (set_add(w, key)) return port;
  }
}

int64_t world_dns(struct world *w, const struct host *cli, const char *name,
                  uint32_t addr, uint32_t ttl, int64_t t) {
  struct buf b;
  buf_init(&b);
  uint16_t port = world_port(w, cli, &host_resolver, 53);
  uint16_t id = (uint16_t)rng_next(w->rng);
  dns_query_a(&b, id, name);
  pkt_udp(w->tr, t, cli, &host_resolver, (uint16_t)rng_next(w->rng), port, 53,
          b.p, b.len);
  /* The cluster resolver answers from cache in a fraction of a millisecond. */
  int64_t ta = t + rng_range(w->rng, 150, 900);
  buf_reset(&b);
  dns_answer_a(&b, id, name, &addr, 1, ttl);
  pkt_udp(w->tr, ta, &host_resolver, cli, (uint16_t)rng_next(w->rng), 53, port,
          b.p, b.len);
  buf_free(&b);
  w->flows[EDGE_DNS]++;
  return ta + rng_range(w->rng, 20, 80);
}
