/* habit-gen: writes the datasets habit ships — a benign capture of the "shop"
 * app, an attack capture with planted attacks, a threats capture with planted
 * threats, and the ground truth of both. Deterministic: the same seed gives
 * byte-identical files. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "pcap.h"
#include "pkt.h"
#include "rng.h"
#include "shop.h"
#include "threats.h"
#include "world.h"

#define SEC 1000000ll
/* 2026-01-05T09:00:00Z, 2026-01-06T09:00:00Z and 2026-01-07T09:00:00Z. */
#define BENIGN_T0 (1767603600ll * SEC)
#define ATTACK_T0 (1767690000ll * SEC)
#define THREATS_T0 (1767776400ll * SEC)
#define BENIGN_DUR (30 * 60 * SEC)
#define ATTACK_DUR (10 * 60 * SEC)
#define THREATS_DUR (6 * 60 * SEC)

static void usage(FILE *f) {
  fputs(
      "usage: habit-gen --out DIR [--seed N]\n"
      "\n"
      "Writes DIR/shop-benign.pcap (30 min of the shop app's normal traffic,\n"
      "seed N), DIR/shop-attack.pcap (10 min of normal traffic with seed N+1\n"
      "plus four planted attacks), DIR/shop-attack.truth.tsv (one line per\n"
      "attack), DIR/shop-threats.pcap (6 min of normal traffic with seed N+2\n"
      "plus 18 planted threats: floods, fragments, injections, leaks,\n"
      "tunnels, Heartbleed) and DIR/shop-threats.truth.tsv (one line per\n"
      "threat). The same seed always gives the same bytes. Prints one\n"
      "summary line per capture.\n"
      "\n"
      "  --out DIR   output directory (created if missing)\n"
      "  --seed N    unsigned 64-bit seed, default 1\n"
      "  --help      this text\n"
      "\n"
      "Exit status: 0 ok, 1 write error, 2 bad usage.\n",
      f);
}

static void join(char *out, size_t n, const char *dir, const char *name) {
  if ((size_t)snprintf(out, n, "%s/%s", dir, name) >= n) {
    fprintf(stderr, "habit-gen: path too long: %s/%s\n", dir, name);
    exit(2);
  }
}

static void write_pcap(struct pcap_trace *tr, const char *path) {
  if (pcap_trace_write(tr, path) != 0) {
    fprintf(stderr, "habit-gen: %s: %s\n", path, strerror(errno));
    exit(1);
  }
}

/* "shop-benign.pcap packets=N bytes=B flows=F web=.. ... file_bytes=S" */
static void summary(const char *name, const char *path,
                    const struct pcap_trace *tr, const struct world *w) {
  unsigned flows = 0;
  for (int e = 0; e < EDGE_COUNT; e++) flows += w->flows[e];
  struct stat st;
  long long size = stat(path, &st) == 0 ? (long long)st.st_size : -1;
  printf("%s packets=%zu bytes=%llu flows=%u", name, pcap_trace_count(tr),
         (unsigned long long)pcap_trace_bytes(tr), flows);
  for (int e = 0; e < EDGE_COUNT; e++)
    printf(" %s=%u", edge_name((enum edge)e), w->flows[e]);
  printf(" scan_probes=%u file_bytes=%lld\n", w->scan_probes, size);
}

static void iso_time(int64_t us, char out[96]) {
  time_t secs = (time_t)(us / SEC);
  struct tm tm;
  gmtime_r(&secs, &tm);
  snprintf(out, 96, "%04d-%02d-%02dT%02d:%02d:%02d.%06uZ", tm.tm_year + 1900,
           tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
           (unsigned)(us % SEC));
}

static void port_str(int port, char out[16]) {
  if (port < 0)
    snprintf(out, 16, "*");
  else
    snprintf(out, 16, "%d", port);
}

/* `expected` names the column of truth.category; cli_net, when not NULL,
 * gives per line a network to write instead of the client address. */
static void write_truth(const char *path, const char *expected,
                        const struct truth *t, const char *const *cli_net,
                        size_t n) {
  FILE *f = fopen(path, "w");
  if (!f) {
    fprintf(stderr, "habit-gen: %s: %s\n", path, strerror(errno));
    exit(1);
  }
  fprintf(f,
          "id\tstart_iso\tcli_ip\tcli_port\tsrv_ip\tsrv_port\tproto\t"
          "%s\tdescription\n",
          expected);
  for (size_t i = 0; i < n; i++) {
    char ts[96], cli[16], srv[16], cport[16], sport[16];
    iso_time(t[i].start_us, ts);
    port_str(t[i].cli_port, cport);
    port_str(t[i].srv_port, sport);
    fprintf(f, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", t[i].id, ts,
            cli_net && cli_net[i] ? cli_net[i] : pkt_ip_str(t[i].cli_ip, cli),
            cport, pkt_ip_str(t[i].srv_ip, srv), sport, t[i].proto,
            t[i].category, t[i].description);
  }
  if (fclose(f) != 0) {
    fprintf(stderr, "habit-gen: %s: %s\n", path, strerror(errno));
    exit(1);
  }
}

static int parse_seed(const char *s, uint64_t *out) {
  char *end;
  errno = 0;
  if (!*s || *s == '-') return -1;
  unsigned long long v = strtoull(s, &end, 0);
  if (errno || *end) return -1;
  *out = v;
  return 0;
}

int main(int argc, char **argv) {
  const char *dir = NULL;
  uint64_t seed = 1;
  for (int i = 1; i < argc; i++) {
    if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
      usage(stdout);
      return 0;
    } else if (!strcmp(argv[i], "--out") && i + 1 < argc) {
      dir = argv[++i];
    } else if (!strcmp(argv[i], "--seed") && i + 1 < argc) {
      if (parse_seed(argv[++i], &seed) != 0) {
        fprintf(stderr, "habit-gen: bad seed '%s'\n", argv[i]);
        return 2;
      }
    } else {
      fprintf(stderr, "habit-gen: unexpected argument '%s'\n", argv[i]);
      usage(stderr);
      return 2;
    }
  }
  if (!dir) {
    usage(stderr);
    return 2;
  }
  if (mkdir(dir, 0777) != 0 && errno != EEXIST) {
    fprintf(stderr, "habit-gen: %s: %s\n", dir, strerror(errno));
    return 1;
  }
  char path[4096];

  struct rng rng;
  struct world w;
  struct pcap_trace *tr = pcap_trace_new();
  rng_seed(&rng, seed);
  world_init(&w, tr, &rng);
  shop_benign(&w, BENIGN_T0, BENIGN_DUR);
  join(path, sizeof(path), dir, "shop-benign.pcap");
  write_pcap(tr, path);
  summary("shop-benign.pcap", path, tr, &w);
  world_free(&w);
  pcap_trace_free(tr);

  /* The attack capture: the same app with the next seed, then the attacks
   * from a stream of their own (sharing the used ports). */
  struct rng attack_rng;
  struct truth truth[ATTACK_COUNT];
  tr = pcap_trace_new();
  rng_seed(&rng, seed + 1);
  world_init(&w, tr, &rng);
  shop_benign(&w, ATTACK_T0, ATTACK_DUR);
  rng_seed_stream(&attack_rng, seed + 1, "attacks");
  w.rng = &attack_rng;
  attack_plant(&w, ATTACK_T0, truth);
  join(path, sizeof(path), dir, "shop-attack.pcap");
  write_pcap(tr, path);
  summary("shop-attack.pcap", path, tr, &w);
  world_free(&w);
  pcap_trace_free(tr);

  join(path, sizeof(path), dir, "shop-attack.truth.tsv");
  write_truth(path, "expected_category", truth, NULL, ATTACK_COUNT);

  /* The threats capture: the app with the seed after that, then the
   * threats from a stream of their own. */
  struct rng threat_rng;
  struct threat_truth threats[THREAT_COUNT];
  tr = pcap_trace_new();
  rng_seed(&rng, seed + 2);
  world_init(&w, tr, &rng);
  shop_benign(&w, THREATS_T0, THREATS_DUR);
  rng_seed_stream(&threat_rng, seed + 2, "threats");
  w.rng = &threat_rng;
  threats_plant(&w, THREATS_T0, threats);
  join(path, sizeof(path), dir, "shop-threats.pcap");
  write_pcap(tr, path);
  summary("shop-threats.pcap", path, tr, &w);
  world_free(&w);
  pcap_trace_free(tr);

  join(path, sizeof(path), dir, "shop-threats.truth.tsv");
  struct truth lines[THREAT_COUNT];
  const char *nets[THREAT_COUNT];
  for (size_t i = 0; i < THREAT_COUNT; i++) {
    lines[i] = threats[i].t;
    nets[i] = threats[i].cli_net;
  }
  write_truth(path, "expected_sids", lines, nets, THREAT_COUNT);
  return 0;
}
