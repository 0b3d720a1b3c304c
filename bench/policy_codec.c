/* bench/policy_codec.c — what the compiled policy costs: its size, and the
 * time to compile it (the engine, at each change) and to decode it into
 * the copy an enforcer swaps in.
 *
 *   policy_codec [--services N] [--edges N] [--programs N] [--files N]
 *                [--runs N]
 *     Builds a model of that size (default 1000 services, 20000 edges,
 *     5000 programs, 2000 file accesses; names and paths as long as real
 *     ones), then encodes and decodes it `runs` (9) times and prints the
 *     bytes, and the median, min and max of each. The baseline in the same
 *     run: building the same model again from nothing right after the
 *     decode, under the same conditions (the first model still alive): a
 *     decode costs what building the whitelists costs, the bytes' parsing
 *     aside.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/timefmt.h"
#include "models/policy_codec.h"

static int cmp_u64(const void *a, const void *b) {
  uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
  return x < y ? -1 : x > y;
}

struct sizes {
  unsigned services, edges, programs, files;
};

static int build(struct model *m, const struct sizes *z) {
  model_init(m);
  char name[64], text[256];
  for (unsigned i = 0; i < z->services; i++) {
    uint32_t idx;
    snprintf(name, sizeof name, "service-%05u.prod.example", i);
    if (model_get_service(m, name, SVC_CONFIGURED, &idx) < 0)
      return -1;
  }
  for (unsigned i = 0; i < z->edges; i++) {
    struct edge_key k = {.cli = i % z->services, .srv = (i * 7 + 1) % z->services,
                         .port = (uint16_t)(1024 + i % 50000), .proto = 6};
    uint32_t idx;
    if (model_get_edge(m, &k, &idx) < 0)
      return -1;
  }
  for (unsigned i = 0; i < z->programs; i++) {
    snprintf(text, sizeof text, "/usr/lib/app-%u/bin/worker-%u", i % 97, i);
    if (model_learn_proc(m, i % z->services, text, "/usr/bin/bash", 1000, 1, NULL) < 0)
      return -1;
  }
  for (unsigned i = 0; i < z->files; i++) {
    snprintf(text, sizeof text, "/srv/data/tenant-%u/config-%u.yaml", i % 31, i);
    if (model_learn_file(m, i % z->services, "/usr/bin/python3.11", text, FA_READ, 1, NULL) <
        0)
      return -1;
  }
  return 0;
}

static void report(const char *what, uint64_t *t, int runs) {
  qsort(t, (size_t)runs, sizeof *t, cmp_u64);
  printf("%-28s median %8.3f ms   min %8.3f   max %8.3f\n", what, t[runs / 2] / 1e6,
         t[0] / 1e6, t[runs - 1] / 1e6);
}

int main(int argc, char **argv) {
  struct sizes z = {1000, 20000, 5000, 2000};
  int runs = 9;
  for (int i = 1; i + 1 < argc; i += 2) {
    unsigned v = (unsigned)strtoul(argv[i + 1], NULL, 10);
    if (!strcmp(argv[i], "--services")) z.services = v ? v : 1;
    else if (!strcmp(argv[i], "--edges")) z.edges = v;
    else if (!strcmp(argv[i], "--programs")) z.programs = v;
    else if (!strcmp(argv[i], "--files")) z.files = v;
    else if (!strcmp(argv[i], "--runs")) runs = v ? (int)v : 1;
    else {
      fprintf(stderr, "policy_codec: unknown option %s\n", argv[i]);
      return 2;
    }
  }
  uint64_t *tb = calloc((size_t)runs, 8), *te = calloc((size_t)runs, 8),
           *td = calloc((size_t)runs, 8);
  if (!tb || !te || !td)
    return 3;
  struct model m;
  size_t bytes = 0;
  struct hb_error err = {0, ""};
  for (int r = 0; r < runs; r++) {
    uint64_t t0 = hb_mono_ns();
    if (build(&m, &z) < 0)
      return 3;
    uint64_t t1 = hb_mono_ns();
    static const struct svc_mode modes[] = {{.service = "service-00001.prod.example",
                                             .mode = EV_MODE_PROTECT}};
    uint8_t *buf;
    if (policy_encode(&m, modes, 1, EV_MODE_MONITOR, 1, &buf, &bytes, &err) < 0) {
      fprintf(stderr, "policy_codec: %s\n", err.msg);
      return 3;
    }
    uint64_t t2 = hb_mono_ns();
    struct policy p;
    if (policy_decode(buf, bytes, &p, &err) < 0) {
      fprintf(stderr, "policy_codec: %s\n", err.msg);
      return 3;
    }
    uint64_t t3 = hb_mono_ns();
    if (p.m.n_edges != m.n_edges || p.m.n_procs != m.n_procs || p.m.n_files != m.n_files)
      return 4;
    struct model again;
    uint64_t t4 = hb_mono_ns();
    if (build(&again, &z) < 0)
      return 3;
    uint64_t t5 = hb_mono_ns();
    model_free(&again);
    policy_free(&p);
    free(buf);
    model_free(&m);
    (void)t0;
    tb[r] = t5 - t4;
    te[r] = t2 - t1;
    td[r] = t3 - t2;
  }
  printf("model: %u services, %u edges, %u programs, %u file accesses; policy %zu bytes "
         "(%.1f per entry); %d runs\n", z.services, z.edges, z.programs, z.files, bytes,
         (double)bytes / (z.services + z.edges + z.programs + z.files), runs);
  report("build it again (baseline)", tb, runs);
  report("encode (engine)", te, runs);
  report("decode (enforcer)", td, runs);
  free(tb);
  free(te);
  free(td);
  return 0;
}
