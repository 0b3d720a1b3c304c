/* habit policy show — a model as YAML people can read and diff.
 *
 * Output is deterministic: services sorted by name, edges by (from, to,
 * proto, port, app); strings are double-quoted (JSON escaping is valid YAML),
 * so inferred names like "10.1.0.30:5432" stay scalars. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/policy_host.h"
#include "config/config.h"
#include "core/json.h"
#include "core/timefmt.h"
#include "detect/explain.h"
#include "models/store.h"
#include "models/store_modes.h"

static const char policy_usage[] =
    "usage: habit policy show --model M.db [--service NAME] [--config C.yaml] [--network]\n"
    "       habit policy mode --model M.db SERVICE MODE (see policy mode --help)\n"
    "       habit policy export --model M.db --format seccomp (see policy export --help)\n"
    "\n"
    "Prints what the model has learned, as YAML: each service with its kind,\n"
    "members (the addresses and ports that were mapped to it) and readiness\n"
    "(the Good-Turing estimate that its next flow shows an edge never seen);\n"
    "then every edge (client service -> server service, protocol, port, app)\n"
    "with its count and learned distributions (median, p99, max); then the\n"
    "process whitelist (service, exe, parent exe, uid) and the file whitelist\n"
    "(service, exe, path or directory prefix, access r/w/x).\n"
    "--network shows only the network part: services that took part in flows,\n"
    "and edges (to compare a live model with a replayed one).\n"
    "--config gives the readiness bound (learn.readiness_bound, default 0.01).\n";

struct show_ctx {
  const struct model *m;
  const char *service;
  double bound;
  bool network; /* services with flows and edges only */
};


static int cmp_services(const void *a, const void *b, void *ctx) {
  const struct model_service *s = ((const struct model *)ctx)->services;
  return strcmp(s[*(const uint32_t *)a].name, s[*(const uint32_t *)b].name);
}

static int cmp_edges(const void *a, const void *b, void *ctx) {
  const struct model *m = ctx;
  const struct edge_key *x = &m->edges[*(const uint32_t *)a].k;
  const struct edge_key *y = &m->edges[*(const uint32_t *)b].k;
  int c = strcmp(m->services[x->cli].name, m->services[y->cli].name);
  if (!c)
    c = strcmp(m->services[x->srv].name, m->services[y->srv].name);
  if (!c)
    c = (int)x->proto - (int)y->proto;
  if (!c)
    c = (int)x->port - (int)y->port;
  if (!c)
    c = strcmp(x->app, y->app);
  return c;
}

static int cmp_members(const void *a, const void *b, void *ctx) {
  const struct model_member *mm = ((const struct model *)ctx)->members;
  const struct model_member *x = &mm[*(const uint32_t *)a], *y = &mm[*(const uint32_t *)b];
  if (x->role != y->role)
    return (int)x->role - (int)y->role;
  return strcmp(x->text, y->text);
}

static uint32_t *sorted(const struct model *m, uint32_t n,
                        int (*cmp)(const void *, const void *, void *)) {
  uint32_t *idx = malloc((n ? n : 1) * sizeof *idx);
  if (!idx)
    return NULL;
  for (uint32_t i = 0; i < n; i++)
    idx[i] = i;
  qsort_r(idx, n, sizeof *idx, cmp, (void *)m);
  return idx;
}

static void show_service(const struct show_ctx *c, uint32_t si, const uint32_t *members) {
  const struct model *m = c->m;
  const struct model_service *s = &m->services[si];
  char t1[HB_TIME_STRLEN], t2[HB_TIME_STRLEN];
  struct readiness r;
  if (c->network)
    model_readiness_network(m, si, &r);
  else
    model_readiness(m, si, &r);
  printf("  ");
  policy_yq(s->name);
  printf(":\n    kind: %s\n    flows: %llu\n    first_seen: \"%s\"\n    last_seen: \"%s\"\n",
         svc_kind_name(s->kind), (unsigned long long)s->flows, hb_time_iso(s->first_ns, t1),
         hb_time_iso(s->last_ns, t2));
  printf("    readiness: {observations: %llu, behaviors: %llu, singletons: %llu, "
         "p_new: %.6f, bound: %g, ready: %s}\n",
         (unsigned long long)r.observations, (unsigned long long)r.behaviors,
         (unsigned long long)r.singletons, r.p_new, c->bound,
         r.p_new <= c->bound ? "true" : "false");
  printf("    members:\n");
  for (uint32_t i = 0; i < m->n_members; i++) {
    const struct model_member *mm = &m->members[members[i]];
    if (mm->service != si)
      continue;
    printf("      - {address: ");
    policy_yq(mm->text);
    printf(", role: %s, flows: %llu}\n", member_role_name(mm->role),
           (unsigned long long)mm->count);
  }
  if (s->members_over)
    printf("    members_not_listed: %llu\n", (unsigned long long)s->members_over);
}

static void show_metric(const struct loghist *h, enum edge_metric em) {
  char a[32], b[32], c[32];
  printf("    %s: {n: %llu, median: ", edge_metric_name(em), (unsigned long long)h->n);
  policy_yq(explain_metric(em, loghist_quantile(h, 0.5), a, sizeof a));
  printf(", p99: ");
  policy_yq(explain_metric(em, loghist_quantile(h, 0.99), b, sizeof b));
  printf(", max: ");
  policy_yq(explain_metric(em, h->max, c, sizeof c));
  printf("}\n");
}

static void show_edge(const struct show_ctx *c, uint32_t ei) {
  const struct model *m = c->m;
  const struct model_edge *e = &m->edges[ei];
  printf("  - from: ");
  policy_yq(m->services[e->k.cli].name);
  printf("\n    to: ");
  policy_yq(m->services[e->k.srv].name);
  printf("\n    proto: %s\n    port: %u\n    app: ", explain_proto(e->k.proto), e->k.port);
  policy_yq(e->k.app);
  printf("\n    flows: %llu\n", (unsigned long long)e->count);
  for (int k = 0; k < EM_COUNT; k++)
    if (e->h[k].n)
      show_metric(&e->h[k], (enum edge_metric)k);
}

static int show(const struct show_ctx *c) {
  const struct model *m = c->m;
  uint32_t *svcs = sorted(m, m->n_services, cmp_services);
  uint32_t *edges = sorted(m, m->n_edges, cmp_edges);
  uint32_t *members = sorted(m, m->n_members, cmp_members);
  if (!svcs || !edges || !members) {
    free(svcs);
    free(edges);
    free(members);
    return -ENOMEM;
  }
  uint32_t want = c->service ? model_find_service(m, c->service) : IDXMAP_NONE;
  printf("services:\n");
  for (uint32_t i = 0; i < m->n_services; i++)
    if ((!c->service || svcs[i] == want) && (!c->network || m->services[svcs[i]].flows))
      show_service(c, svcs[i], members);
  printf("edges:\n");
  for (uint32_t i = 0; i < m->n_edges; i++) {
    const struct edge_key *k = &m->edges[edges[i]].k;
    if (!c->service || k->cli == want || k->srv == want)
      show_edge(c, edges[i]);
  }
  free(svcs);
  free(edges);
  free(members);
  return c->network ? 0 : policy_show_host(m, want);
}

/* Modes set at run time, when there are any (a model without them prints
 * as before, so outputs still diff cleanly). */
static int show_modes(struct store *st, struct hb_error *err) {
  struct svc_mode *modes;
  size_t n;
  int rc = store_load_modes(st, &modes, &n, err);
  if (rc < 0 || n == 0)
    return rc;
  printf("modes:\n");
  for (size_t i = 0; i < n; i++) {
    char when[HB_TIME_STRLEN];
    hb_time_iso(modes[i].changed_ns, when);
    printf("  \"%s\": {mode: %s, since: \"%s\", why: \"%s\"}\n", modes[i].service,
           ev_mode_name(modes[i].mode), when, modes[i].why);
  }
  free(modes);
  return 0;
}

static int policy_show(int argc, char **argv) {
  static const struct option longopts[] = {
      {"model", required_argument, NULL, 'm'},
      {"service", required_argument, NULL, 's'},
      {"config", required_argument, NULL, 'c'},
      {"network", no_argument, NULL, 'n'},
      {"help", no_argument, NULL, 'h'},
      {0, 0, 0, 0},
  };
  const char *path = NULL, *service = NULL, *cfg_path = NULL;
  bool network = false;
  optind = 1;
  int ch;
  while ((ch = getopt_long(argc, argv, "m:s:c:nh", longopts, NULL)) != -1) {
    switch (ch) {
    case 'm': path = optarg; break;
    case 's': service = optarg; break;
    case 'c': cfg_path = optarg; break;
    case 'n': network = true; break;
    case 'h': fputs(policy_usage, stdout); return EXIT_OK;
    default: fputs(policy_usage, stderr); return EXIT_BAD_INPUT;
    }
  }
  if (!path || optind != argc) {
    cli_error("policy show: --model M.db is required, and nothing else");
    return EXIT_BAD_INPUT;
  }
  struct hb_error err = {0, ""};
  struct config cfg;
  config_defaults(&cfg);
  struct store st;
  struct model m;
  model_init(&m);
  int rc = cfg_path ? config_load(cfg_path, &cfg, &err) : 0;
  bool opened = false;
  if (rc == 0) {
    rc = store_open(&st, path, STORE_READONLY, &err);
    opened = rc == 0;
  }
  if (rc == 0)
    rc = store_load(&st, &m, &err);
  if (rc == 0 && service && model_find_service(&m, service) == IDXMAP_NONE)
    rc = hb_fail(&err, ENOENT, "%s: no service named '%s'", path, service);
  if (rc == 0) {
    struct show_ctx c = {&m, service, cfg.learn.readiness_bound, network};
    printf("# habit model %s, version %lld\n", path, (long long)store_version(&st));
    rc = show(&c);
    if (rc < 0)
      hb_fail(&err, -rc, "out of memory");
    if (rc == 0 && !network)
      rc = show_modes(&st, &err);
  }
  if (rc < 0)
    cli_error("%s", err.msg);
  if (opened)
    store_close(&st);
  model_free(&m);
  config_free(&cfg);
  return rc < 0 ? cli_exit_for(rc) : EXIT_OK;
}

int cmd_policy(int argc, char **argv) {
  if (argc >= 2 && strcmp(argv[1], "show") == 0)
    return policy_show(argc - 1, argv + 1);
  if (argc >= 2 && strcmp(argv[1], "mode") == 0)
    return cmd_policy_mode(argc - 1, argv + 1);
  if (argc >= 2 && strcmp(argv[1], "export") == 0)
    return cmd_policy_export(argc - 1, argv + 1);
  if (argc >= 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
    fputs(policy_usage, stdout);
    return EXIT_OK;
  }
  cli_error("policy: expected 'show', 'mode' or 'export' (habit policy show --model M.db)");
  return EXIT_BAD_INPUT;
}
