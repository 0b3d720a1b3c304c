/* habit enforce net — refuse the connections a protected service never made.
 *
 * iptables sends the first packet of every new connection to or from the
 * config's services (their selector CIDRs) to an NFQUEUE; habit names the
 * two services as the engine does and, when either is in protect mode,
 * lets the connection go on only if its edge (client service, server
 * service, protocol, server port — any application) is in the model;
 * otherwise the packet is rejected (TCP reset / ICMP unreachable: the
 * connection fails at once and nothing reaches the peer). Established
 * connections never reach habit. The rules are removed on exit (SIGINT,
 * SIGTERM). Fail-open (--queue-bypass, or enforce.queue_bypass): while no
 * enforcer listens new connections pass, and a watcher removes the rules
 * if the enforcer is killed (enforce/ipt_guardian.h); fail-closed: killed,
 * its rules stay and new connections are dropped.
 * With --engine, it decides from the engine's compiled policy and takes
 * its orders (cli/enforce_policy.h): a connection with a threat is reset
 * mid-flow (enforce/flow_reset.h).
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/cli_util.h"
#include "cli/enforce_policy.h"
#include "collect/decode.h"
#include "core/json.h"
#include "core/timefmt.h"
#include "detect/signatures.h"
#include "enforce/flow_reset.h"
#include "enforce/ipt_guardian.h"
#include "enforce/ipt_rules.h"
#include "enforce/nfq_guard.h"
#include "services/service_map.h"

static const char net_usage[] =
    "usage: habit enforce net --config C.yaml (--model M.db | --engine ENDPOINT)\n"
    "                         [--queue N] [--queue-bypass] [--output FILE|-]\n"
    "                         [--report ENDPOINT] [--curve-server KEY --curve-secret KEY]\n"
    "                         [--duration SECONDS] [-q]\n"
    "\n"
    "Rejects, at their first packet, the connections of services in protect mode\n"
    "that are not edges of the model (iptables -j NFQUEUE, queue N, default 7361).\n"
    "Only the config's services' addresses are queued, only new connections.\n"
    "The rules go on SIGINT/SIGTERM. --queue-bypass (or the config's\n"
    "enforce.queue_bypass): fail-open, new connections pass while no enforcer\n"
    "listens and the rules are removed even after kill -9; without it,\n"
    "fail-closed: killed, the rules stay and new connections are dropped.\n"
    "--engine ENDPOINT (the engine's --enforcers): decide from the engine's\n"
    "compiled policy (with --model: from the file) and take its orders: a\n"
    "connection with a threat is reset, both ends, at once. Before the first\n"
    "policy, the config's enforce.no_policy: open (nothing blocked) or closed.\n"
    "--report ENDPOINT (the engine's --listen): every decision is also sent to\n"
    "the engine as an event (an alert whose action is blocked).\n"
    "--curve-server KEY --curve-secret KEY: CURVE to the engine's sockets (its\n"
    "public key, this enforcer's secret key; the engine lists the public one).\n"
    "IPv4 (iptables) and IPv6 (ip6tables). Needs root.\n";

struct enforce_net {
  const char *model_path, *cfg_path, *output, *engine, *report_to;
  const char *curve_server, *curve_secret;
  struct bus_curve curve;
  unsigned queue;
  bool bypass, quiet;
  double duration;
  struct enforce_policy pol;
  struct svc_map map;
  bool map_ready;
  struct decode_counters dc;
  FILE *out;
  struct json j;
  struct nfq_guard g;
  struct flow_reset resets;
  bool resets_open;
};

static int parse(int argc, char **argv, struct enforce_net *x) {
  static const struct option longopts[] = {
      {"model", required_argument, NULL, 'm'},    {"config", required_argument, NULL, 'c'},
      {"queue", required_argument, NULL, 'Q'},    {"queue-bypass", no_argument, NULL, 'b'},
      {"output", required_argument, NULL, 'o'},   {"duration", required_argument, NULL, 'd'},
      {"engine", required_argument, NULL, 'e'},  {"report", required_argument, NULL, 'r'},
      {"curve-server", required_argument, NULL, 'V'},
      {"curve-secret", required_argument, NULL, 'S'},
      {"quiet", no_argument, NULL, 'q'},          {"help", no_argument, NULL, 'h'},
      {0, 0, 0, 0},
  };
  x->queue = 7361;
  optind = 1;
  int ch;
  uint64_t v;
  while ((ch = getopt_long(argc, argv, "m:c:o:d:qh", longopts, NULL)) != -1) {
    switch (ch) {
    case 'm': x->model_path = optarg; break;
    case 'c': x->cfg_path = optarg; break;
    case 'Q':
      if (cli_uint("enforce net", "queue", "number", optarg, 0, 65535, &v) < 0)
        return -1;
      x->queue = (unsigned)v;
      break;
    case 'b': x->bypass = true; break;
    case 'o': x->output = optarg; break;
    case 'e': x->engine = optarg; break;
    case 'r': x->report_to = optarg; break;
    case 'V': x->curve_server = optarg; break;
    case 'S': x->curve_secret = optarg; break;
    case 'd': x->duration = atof(optarg); break;
    case 'q': x->quiet = true; break;
    case 'h': fputs(net_usage, stdout); return 1;
    default: fputs(net_usage, stderr); return -1;
    }
  }
  if (!x->curve_server != !x->curve_secret ||
      (x->curve_server && !x->engine && !x->report_to)) {
    cli_error("enforce net: --curve-server and --curve-secret go together, with --engine or "
              "--report");
    return -1;
  }
  if ((!x->model_path && !x->engine) || !x->cfg_path || optind != argc) {
    cli_error("enforce net: --config C.yaml and --model M.db or --engine ENDPOINT are "
              "required, and nothing else");
    return -1;
  }
  return 0;
}

/* The CIDRs of every configured service, by family: what the rules
 * queue (r[0] iptables, r[1] ip6tables). */
static int collect_cidrs(const struct config *cfg, struct ipt_rules r[2], struct hb_error *err) {
  r[1].v6 = true;
  for (size_t i = 0; i < cfg->n_services; i++)
    for (size_t j = 0; j < cfg->services[i].n_selectors; j++) {
      const struct cfg_selector *s = &cfg->services[i].selectors[j];
      for (size_t k = 0; k < s->n_cidrs; k++) {
        struct ipt_rules *f = &r[s->cidrs[k].net.family == 6];
        if (f->n_cidrs == IPT_MAX_CIDRS)
          return hb_fail(err, E2BIG, "more than %d service CIDRs of one family",
                         IPT_MAX_CIDRS);
        char a[HB_ADDR_STRLEN];
        snprintf(f->cidrs[f->n_cidrs++], sizeof f->cidrs[0], "%s/%u",
                 hb_addr_str(&s->cidrs[k].net, a), s->cidrs[k].len);
      }
    }
  if (r[0].n_cidrs + r[1].n_cidrs == 0)
    return hb_fail(err, EINVAL, "%s: no service has an address to guard", cfg->path);
  return 0;
}

static void report(struct enforce_net *x, const struct ev_flow *f) {
  char a[HB_ADDR_STRLEN], b[HB_ADDR_STRLEN];
  hb_addr_str(&f->cli, a);
  hb_addr_str(&f->srv, b);
  if (x->pol.reporting) {
    struct ev_alert al;
    memset(&al, 0, sizeof al);
    al.flow = *f;
    al.flow.state = EV_STATE_NEW;
    al.flow.first_ns = al.flow.last_ns = al.at_ns = hb_now_ns();
    al.signature_id = SIG_NEW_EDGE;
    al.category = EV_CAT_VIOLATION;
    al.severity = 2;
    al.mode = EV_MODE_PROTECT;
    snprintf(al.signature, sizeof al.signature, "connection refused by habit enforce net: "
             "%s -> %s %s/%u is not a learned edge", f->cli_service, f->srv_service,
             f->proto == 6 ? "tcp" : f->proto == 17 ? "udp" : "ip", f->srv_port);
    enforce_policy_report(&x->pol, &al);
  }
  if (!x->quiet)
    fprintf(stderr, "habit: enforce net: rejected %s:%u (%s) -> %s:%u (%s) %s: not a learned "
                    "edge\n", a, f->cli_port, f->cli_service, b, f->srv_port, f->srv_service,
            f->proto == 6 ? "tcp" : f->proto == 17 ? "udp" : "ip");
  if (!x->out)
    return;
  verdict_begin(&x->j, "connection");
  json_kstr(&x->j, "src_ip", a);
  json_ku64(&x->j, "src_port", f->cli_port);
  json_kstr(&x->j, "dest_ip", b);
  json_ku64(&x->j, "dest_port", f->srv_port);
  json_ku64(&x->j, "proto", f->proto);
  json_kstr(&x->j, "src_service", f->cli_service);
  json_kstr(&x->j, "dest_service", f->srv_service);
  verdict_end(&x->j, "not an edge learned in discover", x->out);
}

/* A packet of a connection the engine ordered reset: dropped, both ends
 * sent a reset (the first time, a verdict line). */
static void report_reset(struct enforce_net *x, const struct flow_reset_order *o) {
  const struct ev_alert *a = &o->alert;
  const struct ev_flow *f = &a->flow;
  char c[HB_ADDR_STRLEN], s[HB_ADDR_STRLEN];
  hb_addr_str(&f->cli, c);
  hb_addr_str(&f->srv, s);
  if (x->pol.reporting) {
    struct ev_alert al = *a;
    al.at_ns = hb_now_ns();
    snprintf(al.signature, sizeof al.signature, "connection reset by habit enforce net: %.*s",
             (int)(sizeof al.signature - 48), a->signature);
    enforce_policy_report(&x->pol, &al);
  }
  if (!x->quiet)
    fprintf(stderr, "habit: enforce net: reset %s:%u (%s) -> %s:%u (%s) tcp: threat %u: %s\n",
            c, f->cli_port, f->cli_service, s, f->srv_port, f->srv_service, a->signature_id,
            a->signature);
  if (!x->out)
    return;
  verdict_begin(&x->j, "connection");
  json_kstr(&x->j, "src_ip", c);
  json_ku64(&x->j, "src_port", f->cli_port);
  json_kstr(&x->j, "dest_ip", s);
  json_ku64(&x->j, "dest_port", f->srv_port);
  json_ku64(&x->j, "proto", f->proto);
  json_kstr(&x->j, "src_service", f->cli_service);
  json_kstr(&x->j, "dest_service", f->srv_service);
  json_kstr(&x->j, "how", "reset");
  json_ku64(&x->j, "signature_id", a->signature_id);
  verdict_end(&x->j, a->signature, x->out);
}

static uint8_t stricter(uint8_t a, uint8_t b) { return a > b ? a : b; }

static enum nfq_choice decide(void *ctx, const uint8_t *pkt, size_t len) {
  struct enforce_net *x = ctx;
  const struct flow_reset_order *o;
  switch (x->resets_open ? flow_reset_packet(&x->resets, pkt, len, &o) : FLOW_RESET_NOT_OURS) {
  case FLOW_RESET_PASS:
    return NFQ_ACCEPT;
  case FLOW_RESET_DROP:
    if (o->packets == 1)
      report_reset(x, o);
    return NFQ_DROP;
  case FLOW_RESET_NOT_OURS:
    break;
  }
  struct pkt_info pi;
  if (decode_packet(LINK_RAW, pkt, (uint32_t)len, (uint32_t)len, &pi, &x->dc) != DEC_OK ||
      (pi.proto != 6 && pi.proto != 17))
    return NFQ_ACCEPT;
  struct ev_flow f;
  memset(&f, 0, sizeof f);
  f.cli = pi.src;
  f.srv = pi.dst;
  f.cli_port = pi.sport;
  f.srv_port = pi.dport;
  f.proto = pi.proto;
  /* Named as the connection will be once answered: a learned server is
   * "IP:PORT" (services/service_map.h rule 2). */
  f.state = EV_STATE_ESTABLISHED;
  f.pkts_c2s = f.pkts_s2c = 1;
  struct svc_endpoint cli, srv;
  svc_map_flow(&x->map, &f, &cli, &srv);
  uint8_t mode = stricter(enforce_policy_mode(&x->pol, f.cli_service),
                          enforce_policy_mode(&x->pol, f.srv_service));
  if (mode != EV_MODE_PROTECT)
    return NFQ_ACCEPT;
  const struct model *m = &x->pol.m;
  struct edge_key k;
  memset(&k, 0, sizeof k);
  k.cli = model_find_service(m, f.cli_service);
  k.srv = model_find_service(m, f.srv_service);
  k.proto = f.proto;
  k.port = f.srv_port;
  size_t pos = 0;
  if (k.cli != IDXMAP_NONE && k.srv != IDXMAP_NONE &&
      model_next_edge_on_port(m, &k, &pos) != IDXMAP_NONE)
    return NFQ_ACCEPT;
  report(x, &f);
  return NFQ_REJECT;
}

/* An order of the engine: a threat's connection to reset. */
static void take_order(void *ctx, const struct event *ev) {
  struct enforce_net *x = ctx;
  const struct ev_alert *a = &ev->u.alert;
  if (ev->kind != EV_ALERT || a->action != EV_ACTION_BLOCKED || !x->resets_open)
    return;
  struct hb_error err = {0, ""};
  int rc = flow_reset_add(&x->resets, a, hb_mono_ns(), &err);
  if (rc < 0) {
    cli_error("enforce net: %s", err.msg);
  } else if (rc > 0 && !x->quiet) {
    /* From the packet with the threat to the rules in place. */
    uint64_t at = a->at_ns ? a->at_ns : ev->ts_ns, now = hb_now_ns();
    char c[HB_ADDR_STRLEN], s[HB_ADDR_STRLEN];
    fprintf(stderr, "habit: enforce net: order to reset %s:%u -> %s:%u (threat %u), in force "
                    "%.1f ms after the packet\n", hb_addr_str(&a->flow.cli, c),
            a->flow.cli_port, hb_addr_str(&a->flow.srv, s), a->flow.srv_port,
            a->signature_id, now > at ? (double)(now - at) / 1e6 : 0.0);
  }
}

static int queue_step(void *ctx, struct hb_error *err) {
  struct enforce_net *x = ctx;
  if (!x->engine)
    return nfq_guard_serve(&x->g, 200, err);
  /* The engine's messages wait at most this long (the loop takes them
   * between steps): ZeroMQ's fd is no plain readable fd. */
  flow_reset_expire(&x->resets, hb_mono_ns());
  return nfq_guard_serve(&x->g, 20, err);
}

int cmd_enforce_net(int argc, char **argv) {
  struct enforce_net *x = calloc(1, sizeof *x);
  struct ipt_rules *rules = calloc(2, sizeof *rules); /* IPv4, IPv6 */
  if (!x || !rules) {
    free(x);
    free(rules);
    cli_error("out of memory");
    return EXIT_FAILURE_RT;
  }
  int prc = parse(argc, argv, x);
  if (prc) {
    free(x);
    free(rules);
    return prc > 0 ? EXIT_OK : EXIT_BAD_INPUT;
  }
  struct hb_error err = {0, ""};
  json_init(&x->j);
  struct nfq_guard *g = &x->g;
  g->fd = -1;
  int rc = cli_curve_client(x->curve_server, x->curve_secret, &x->curve, &err);
  if (rc == 0)
    rc = enforce_policy_open(&x->pol, x->cfg_path, x->model_path, x->engine,
                             x->curve_server ? &x->curve : NULL, &err);
  x->pol.on_order = take_order;
  x->pol.order_ctx = x;
  if (rc == 0 && x->report_to)
    rc = enforce_policy_report_to(&x->pol, x->report_to, &err);
  if (rc == 0) {
    svc_map_init(&x->map, &x->pol.cfg);
    x->map_ready = true;
    rc = collect_cidrs(&x->pol.cfg, rules, &err);
  }
  if (rc == 0 && x->output && !(x->out = cli_open_output(x->output, true, &err)))
    rc = err.code ? err.code : -EIO;
  const volatile sig_atomic_t *stop = cli_catch_stop();
  /* The queue's listener first: with the rules in and no listener, new
   * connections would be dropped (or, bypassed, pass unchecked). */
  if (rc == 0)
    rc = nfq_guard_open(g, (uint16_t)x->queue, decide, x, &err);
  x->bypass |= x->pol.cfg.enforce.queue_bypass;
  for (int f = 0; f < 2; f++) {
    rules[f].queue = (uint16_t)x->queue;
    rules[f].bypass = x->bypass;
    if (rc == 0 && rules[f].n_cidrs)
      rc = ipt_rules_install(&rules[f], &err);
  }
  /* Fail-open: a watcher removes the rules if this process is killed. */
  struct ipt_guardian guardian = {.pid = 0, .fd = -1};
  if (rc == 0 && x->bypass)
    rc = ipt_guardian_start(&guardian, rules, 2, &err);
  if (rc == 0 && x->engine && (rc = flow_reset_open(&x->resets, rules, &err)) == 0)
    x->resets_open = true;
  if (rc == 0) {
    if (!x->quiet)
      fprintf(stderr, "habit: enforce net: enforcing on queue %u for %zu IPv4 and %zu IPv6 "
                      "CIDRs (%s)\n", x->queue, rules[0].n_cidrs, rules[1].n_cidrs,
              x->bypass ? "fail-open: --queue-bypass, rules removed even if killed"
                        : "fail-closed");
    if (!x->quiet && x->engine)
      fprintf(stderr, "habit: enforce net: taking %sorders from %s\n",
              x->model_path ? "" : "the policy and ", x->engine);
    rc = enforce_policy_loop(&x->pol, x->duration, stop, queue_step, x, &err);
  }
  struct flow_reset rs = x->resets;
  const struct order_sub *os = &x->pol.sub;
  if (x->resets_open) /* before the chain goes: it deletes its own rules */
    flow_reset_close(&x->resets);
  ipt_rules_remove(&rules[0]);
  ipt_rules_remove(&rules[1]);
  ipt_guardian_stop(&guardian); /* after: a kill in between leaves it to the watcher */
  nfq_guard_close(g);
  if (rc < 0)
    cli_error("enforce net: %s", err.msg);
  else if (!x->quiet)
    fprintf(stderr, "habit: enforce net: connections accepted %llu, rejected %llu; verdicts "
                    "failed %llu; policy reloads %llu (version %llu); messages from the "
                    "engine %llu (missed %llu, refused %llu); connections ordered reset "
                    "%llu (packets dropped %llu, resets sent %llu, probes %llu, failed %llu); "
                    "decisions reported %llu (dropped %llu); rules removed\n",
            (unsigned long long)g->accepted, (unsigned long long)g->rejected,
            (unsigned long long)g->failed_verdicts, (unsigned long long)x->pol.reloads,
            (unsigned long long)x->pol.version, (unsigned long long)os->received,
            (unsigned long long)os->missed,
            (unsigned long long)(os->rejected + x->pol.policies_refused),
            (unsigned long long)rs.ordered, (unsigned long long)rs.dropped,
            (unsigned long long)rs.resets_sent, (unsigned long long)rs.probes_sent,
            (unsigned long long)rs.send_failed, (unsigned long long)x->pol.reported,
            (unsigned long long)x->pol.report.dropped);
  if (x->out && x->out != stdout)
    fclose(x->out);
  if (x->map_ready)
    svc_map_free(&x->map);
  enforce_policy_close(&x->pol);
  json_free(&x->j);
  free(x);
  free(rules);
  return rc < 0 ? cli_exit_for(rc) : EXIT_OK;
}
