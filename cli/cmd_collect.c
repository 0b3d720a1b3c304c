/* habit collect — the live collectors, each sending events to an engine.
 * `collect net` captures an interface (collect/live_feed.c). */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zmq.h>

#include "cli/cli.h"
#include "cli/cli_leaks.h"
#include "cli/cli_util.h"
#include "collect/live_feed.h"
#include "collect/pkt_source.h"
#include "config/config.h"

static const char collect_usage[] =
    "usage: habit collect net --iface IF --connect ENDPOINT [--filter BPF]\n"
    "                         [--config C.yaml] [--no-dpi] [--duration SECONDS]\n"
    "                         [--node NAME] [--curve-server KEY --curve-secret KEY] [-q]\n"
    "\n"
    "       habit collect proc --help, habit collect file --help\n"
    "\n"
    "Runs a live collector and sends its events to an engine (habit engine):\n"
    "  net    packets of an interface (libpcap) -> flows, L7 apps, threats\n"
    "  proc   processes started, forked and ended (netlink process connector)\n"
    "  file   accesses to watched files (fanotify, else inotify)\n"
    "\n"
    "  --iface IF          the interface to capture (promiscuous)\n"
    "  --connect ENDPOINT  the engine's endpoint (ipc://PATH or tcp://HOST:PORT)\n"
    "  --filter BPF        a capture filter (tcpdump syntax)\n"
    "  --config C.yaml     flow timeouts, threat thresholds, leak patterns, node\n"
    "  --no-dpi            no payload work (no apps, no packet threats)\n"
    "  --duration SECONDS  stop after this long (default: until SIGINT/SIGTERM)\n"
    "  --node NAME         this node's name in events (default: config, hostname)\n"
    "  --curve-server KEY  the engine's public key file: encrypt with CURVE ...\n"
    "  --curve-secret KEY  ... and authenticate with this collector's secret key\n"
    "  -q, --quiet         no summary\n"
    "\n"
    "The collector never blocks on the engine: events that find its queue full\n"
    "are dropped and counted (the summary, and EV_STATS every second, say how\n"
    "many), as are the frames the kernel dropped.\n"
    "Exit: 0 ok, 2 bad usage or input, 3 failure of the machine.\n";

struct net_opts {
  const char *iface, *connect, *filter, *config, *node, *curve_server, *curve_secret;
  unsigned duration;
  int quiet, no_dpi;
};

static int parse_net(int argc, char **argv, struct net_opts *o) {
  enum { OPT_NO_DPI = 1000 };
  static const struct option longopts[] = {
      {"iface", required_argument, NULL, 'i'},   {"connect", required_argument, NULL, 'C'},
      {"filter", required_argument, NULL, 'f'},  {"config", required_argument, NULL, 'c'},
      {"duration", required_argument, NULL, 'd'}, {"node", required_argument, NULL, 'n'},
      {"no-dpi", no_argument, NULL, OPT_NO_DPI}, {"quiet", no_argument, NULL, 'q'},
      {"curve-server", required_argument, NULL, 'V'},
      {"curve-secret", required_argument, NULL, 'S'},
      {"help", no_argument, NULL, 'h'},          {0, 0, 0, 0},
  };
  memset(o, 0, sizeof *o);
  optind = 1;
  int c;
  while ((c = getopt_long(argc, argv, "i:c:qh", longopts, NULL)) != -1) {
    switch (c) {
    case 'i': o->iface = optarg; break;
    case 'C': o->connect = optarg; break;
    case 'f': o->filter = optarg; break;
    case 'c': o->config = optarg; break;
    case 'n': o->node = optarg; break;
    case 'V': o->curve_server = optarg; break;
    case 'S': o->curve_secret = optarg; break;
    case 'q': o->quiet = 1; break;
    case OPT_NO_DPI: o->no_dpi = 1; break;
    case 'd': {
      unsigned long v;
      if (cli_uint("collect net", "duration", "seconds", optarg, 1, 31536000, &v) < 0)
        return -1;
      o->duration = (unsigned)v;
      break;
    }
    case 'h': fputs(collect_usage, stdout); return 1;
    default: fputs(collect_usage, stderr); return -1;
    }
  }
  if (optind < argc) {
    cli_error("collect net: unexpected argument '%s'", argv[optind]);
    return -1;
  }
  if (!o->iface || !o->connect) {
    cli_error("collect net: --iface and --connect are required");
    return -1;
  }
  if (!o->curve_server != !o->curve_secret) {
    cli_error("collect net: --curve-server and --curve-secret go together");
    return -1;
  }
  return 0;
}

static void net_summary(const struct live_feed *lf) {
  const struct ev_stats *s = &lf->stats;
  fprintf(stderr,
          "habit: collect net %s: packets %llu (%llu bytes), flows %llu (evicted %llu); "
          "dropped: kernel %llu, bus %llu\n",
          lf->src->name, (unsigned long long)s->packets, (unsigned long long)s->bytes,
          (unsigned long long)s->flows, (unsigned long long)s->flows_evicted,
          (unsigned long long)s->dropped_kernel, (unsigned long long)s->dropped_bus);
}

static int collect_net(int argc, char **argv) {
  struct net_opts o;
  int prc = parse_net(argc, argv, &o);
  if (prc != 0)
    return prc > 0 ? EXIT_OK : EXIT_BAD_INPUT;
  struct hb_error err = {0, ""};
  struct config cfg;
  config_defaults(&cfg);
  struct leak_matcher *leaks = NULL;
  struct pkt_source src;
  memset(&src, 0, sizeof src);
  int rc = 0;
  if (o.config && (rc = config_load(o.config, &cfg, &err)) < 0)
    goto out;
  if (o.no_dpi)
    cfg.flow.dpi = false;
  if (o.node)
    snprintf(cfg.node, sizeof cfg.node, "%s", o.node);
  if (cfg.flow.dpi && (rc = cli_build_leaks(&cfg, o.config, &leaks, &err)) < 0)
    goto out;
  struct bus_curve curve;
  if ((rc = cli_curve_client(o.curve_server, o.curve_secret, &curve, &err)) < 0)
    goto out;
  if ((rc = pkt_source_open_live(&src, o.iface, o.filter, &err)) < 0)
    goto out;
  void *zctx = zmq_ctx_new();
  if (!zctx) {
    rc = hb_fail(&err, ENOMEM, "cannot create a ZeroMQ context");
    goto out;
  }
  const volatile sig_atomic_t *stop = cli_catch_stop();
  struct live_feed lf = {.src = &src, .cfg = &cfg, .zctx = zctx, .endpoint = o.connect,
                         .leaks = leaks, .curve = o.curve_server ? &curve : NULL,
                         .stop = stop, .duration_s = o.duration};
  if (!o.quiet)
    fprintf(stderr, "habit: collect net: capturing on %s, sending to %s\n", o.iface,
            o.connect);
  rc = live_feed_run(&lf);
  if (rc < 0)
    hb_fail(&err, -rc, "%s", lf.message);
  else if (!o.quiet)
    net_summary(&lf);
  zmq_ctx_term(zctx);
out:
  if (rc < 0)
    cli_error("%s", err.msg);
  pkt_source_close(&src);
  leak_matcher_free(leaks);
  config_free(&cfg);
  return rc < 0 ? cli_exit_for(rc) : EXIT_OK;
}

int cmd_collect(int argc, char **argv) {
  if (argc < 2) {
    cli_error("collect: which collector? (net, proc, file; habit collect --help)");
    return EXIT_BAD_INPUT;
  }
  if (strcmp(argv[1], "net") == 0)
    return collect_net(argc - 1, argv + 1);
  if (strcmp(argv[1], "file") == 0)
    return cmd_collect_file(argc - 1, argv + 1);
  if (strcmp(argv[1], "proc") == 0)
    return cmd_collect_proc(argc - 1, argv + 1);
  if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
    fputs(collect_usage, stdout);
    return EXIT_OK;
  }
  cli_error("collect: unknown collector '%s' (net, proc, file)", argv[1]);
  return EXIT_BAD_INPUT;
}
