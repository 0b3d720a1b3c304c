/* habit engine — the daemon: collectors' events in, models and alerts out.
 *
 * It binds a PULL endpoint the collectors connect to, runs every event
 * through the same engine as `habit replay` (map, learn or detect per
 * service mode, threats in every mode), and writes what it learns to the
 * model one transaction per batch: every learn.batch_events flows and at
 * least every --flush seconds. A killed engine loses at most what came
 * since the last flush; a restarted one loads the model and goes on.
 * Alerts go to --alerts as EVE JSON lines (flushed each second) and, with
 * --publish, one message each on a PUB socket. Modes changed at run time
 * (habit policy mode) are read from the model within a second.
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zmq.h>

#include "cli/cli.h"
#include "cli/cli_util.h"
#include "config/config.h"
#include "core/bus.h"
#include "core/curve.h"
#include "core/order_bus.h"
#include "core/zap.h"
#include "core/timefmt.h"
#include "engine/engine.h"
#include "engine/policy_publish.h"
#include "models/store.h"

static const char engine_usage[] =
    "usage: habit engine --model M.db [--listen ENDPOINT] [--config C.yaml]\n"
    "                    [--mode discover|monitor] [--alerts FILE|-] [--flows FILE|-]\n"
    "                    [--publish ENDPOINT] [--enforcers ENDPOINT] [--flush SECONDS]\n"
    "                    [--curve-secret KEY --curve-clients FILE] [-q]\n"
    "\n"
    "Receives the events of live collectors (habit collect ...) and learns or\n"
    "checks them per service, as `habit replay` does with captures.\n"
    "\n"
    "  --model M.db         the model (SQLite; created if missing)\n"
    "  --listen ENDPOINT    where collectors connect (ipc://PATH, tcp://*:PORT);\n"
    "                       --listen, --publish, --enforcers, --alerts and\n"
    "                       --flush default to\n"
    "                       the config's engine section\n"
    "  --config C.yaml      services, modes, networks, thresholds\n"
    "  --mode MODE          discover or monitor for every service (default: the\n"
    "                       config's modes)\n"
    "  --alerts FILE        alerts as EVE JSON lines ('-' = stdout)\n"
    "  --flows FILE         every flow as EVE JSON lines ('-' = stdout)\n"
    "  --publish ENDPOINT   also publish each alert on a ZeroMQ PUB socket\n"
    "  --enforcers ENDPOINT publish there, for `habit enforce ... --engine`, the\n"
    "                       compiled policy (whitelists and modes, versioned: at\n"
    "                       each change, to each new subscriber, every 5 s) and\n"
    "                       orders: resets of\n"
    "                       connections with threats (protect mode, the\n"
    "                       config's enforce.reset)\n"
    "  --flush SECONDS      write what was learned at least this often (5)\n"
    "  --curve-secret KEY   encrypt and authenticate with CURVE: this engine's\n"
    "                       secret key file (habit keygen)\n"
    "  --curve-clients FILE the collectors' public keys, one a line: any other\n"
    "                       connection is refused (and logged)\n"
    "  -q, --quiet          no summary\n"
    "\n"
    "Stops on SIGINT/SIGTERM, writing what it learned. Exit: 0 ok, 2 bad usage\n"
    "or input, 3 failure of the machine.\n";

struct engine_opts {
  const char *model, *listen, *config, *alerts, *flows, *publish, *enforcers;
  const char *curve_secret, *curve_clients;
  uint8_t mode;
  unsigned flush_s;
  int quiet;
};

static int parse(int argc, char **argv, struct engine_opts *o) {
  static const struct option longopts[] = {
      {"model", required_argument, NULL, 'm'},   {"listen", required_argument, NULL, 'l'},
      {"config", required_argument, NULL, 'c'},  {"mode", required_argument, NULL, 'M'},
      {"alerts", required_argument, NULL, 'a'},  {"flows", required_argument, NULL, 'f'},
      {"publish", required_argument, NULL, 'p'}, {"flush", required_argument, NULL, 'F'},
      {"enforcers", required_argument, NULL, 'E'},
      {"curve-secret", required_argument, NULL, 'S'},
      {"curve-clients", required_argument, NULL, 'K'},
      {"quiet", no_argument, NULL, 'q'},         {"help", no_argument, NULL, 'h'},
      {0, 0, 0, 0},
  };
  memset(o, 0, sizeof *o);
  o->flush_s = 0; /* the config's, else 5 */
  optind = 1;
  int c;
  while ((c = getopt_long(argc, argv, "m:c:a:f:qh", longopts, NULL)) != -1) {
    switch (c) {
    case 'm': o->model = optarg; break;
    case 'l': o->listen = optarg; break;
    case 'c': o->config = optarg; break;
    case 'a': o->alerts = optarg; break;
    case 'f': o->flows = optarg; break;
    case 'p': o->publish = optarg; break;
    case 'E': o->enforcers = optarg; break;
    case 'S': o->curve_secret = optarg; break;
    case 'K': o->curve_clients = optarg; break;
    case 'q': o->quiet = 1; break;
    case 'M':
      o->mode = ev_mode_parse(optarg);
      if (o->mode != EV_MODE_DISCOVER && o->mode != EV_MODE_MONITOR) {
        cli_error("engine: --mode must be discover or monitor, not '%s'", optarg);
        return -1;
      }
      break;
    case 'F': {
      unsigned long v;
      if (cli_uint("engine", "flush", "seconds", optarg, 1, 3600, &v) < 0)
        return -1;
      o->flush_s = (unsigned)v;
      break;
    }
    case 'h': fputs(engine_usage, stdout); return 1;
    default: fputs(engine_usage, stderr); return -1;
    }
  }
  if (optind < argc) {
    cli_error("engine: unexpected argument '%s'", argv[optind]);
    return -1;
  }
  if (!o->model) {
    cli_error("engine: --model is required");
    return -1;
  }
  if (!o->curve_secret != !o->curve_clients) {
    cli_error("engine: --curve-secret and --curve-clients go together");
    return -1;
  }
  return 0;
}

/* The drop counters last reported by one collector (node, source). */
#define MAX_HEARD 64
struct heard {
  char node[EV_NAME_MAX];
  char source[EV_TEXT_MAX];
  uint64_t kernel, bus;
};

struct daemon {
  struct engine_opts o;
  struct config cfg;
  struct model model;
  struct store store;
  bool store_open, learn;
  FILE *alerts, *flows;
  void *zctx, *pub;
  struct order_pub orders;
  bool orders_open;
  struct policy_publish policy; /* compiled for the enforcers */
  struct bus_in in;
  bool in_open;
  struct bus_curve curve;
  char (*clients)[CURVE_KEY_LEN + 1];
  size_t n_clients;
  struct zap zap;
  struct svc_mode *modes;
  size_t n_modes;
  uint64_t *ready_since; /* per model service: when it became ready (0: not) */
  uint32_t n_ready;
  uint64_t collectors_ended, rejected;
  const volatile sig_atomic_t *stop;
  struct heard heard[MAX_HEARD]; /* drop counters each collector reported */
  size_t n_heard;
};

/* Can any service learn under these options? Without --mode, yes: a
 * service may be moved to discover at run time. */
static bool may_learn(const struct engine_opts *o) {
  return !o->mode || o->mode == EV_MODE_DISCOVER;
}

static void publish(void *ctx, const char *json, size_t len) {
  /* A slow subscriber loses messages (PUB drops at its high-water mark);
   * the alerts file keeps them all. */
  zmq_send(ctx, json, len ? len - 1 : 0, ZMQ_DONTWAIT); /* without the newline */
}

/* A reset the engine orders: the alert, as the enforcers read it. */
static void send_order(void *ctx, const char *node, const struct ev_alert *a) {
  struct event ev;
  memset(&ev, 0, sizeof ev);
  ev.kind = EV_ALERT;
  ev.ts_ns = hb_now_ns();
  snprintf(ev.node, sizeof ev.node, "%s", node);
  ev.u.alert = *a;
  order_pub_send(ctx, &ev); /* failures are counted in the summary */
}

static int prepare(struct daemon *d, struct hb_error *err) {
  int rc;
  config_defaults(&d->cfg);
  if (d->o.config && (rc = config_load(d->o.config, &d->cfg, err)) < 0)
    return rc;
  /* The config's engine section, where the command line says nothing. */
  const struct cfg_engine *ce = &d->cfg.engine;
  if (!d->o.listen && ce->listen[0])
    d->o.listen = ce->listen;
  if (!d->o.publish && ce->publish[0])
    d->o.publish = ce->publish;
  if (!d->o.enforcers && ce->enforcers[0])
    d->o.enforcers = ce->enforcers;
  if (!d->o.alerts && ce->alerts[0])
    d->o.alerts = ce->alerts;
  if (!d->o.flush_s)
    d->o.flush_s = ce->flush ? ce->flush : 5;
  if (!d->o.listen)
    return hb_fail(err, EINVAL, "engine: --listen (or engine.listen in the config) is required");
  d->learn = may_learn(&d->o);
  rc = store_open(&d->store, d->o.model, d->learn ? STORE_CREATE : STORE_READONLY, err);
  if (rc < 0)
    return rc;
  d->store_open = true;
  if ((rc = store_load(&d->store, &d->model, err)) < 0)
    return rc;
  if (d->o.alerts && !(d->alerts = cli_open_output(d->o.alerts, true, err)))
    return -EINVAL;
  if (d->o.flows && !(d->flows = cli_open_output(d->o.flows, true, err)))
    return -EINVAL;
  if (!(d->zctx = zmq_ctx_new()))
    return hb_fail(err, ENOMEM, "cannot create a ZeroMQ context");
  const struct bus_curve *curve = NULL;
  if (d->o.curve_secret) {
    d->curve.server = true;
    if ((rc = curve_read_key(d->o.curve_secret, d->curve.secret_key, err)) < 0 ||
        (rc = curve_read_list(d->o.curve_clients, &d->clients, &d->n_clients, err)) < 0 ||
        (rc = zap_start(&d->zap, d->zctx, (const char(*)[CURVE_KEY_LEN + 1])d->clients,
                        d->n_clients, "engine", err)) < 0)
      return rc;
    curve = &d->curve;
  }
  if ((rc = bus_in_open_secure(&d->in, d->zctx, d->o.listen, true, curve, err)) < 0)
    return rc;
  d->in_open = true;
  if (d->o.publish) {
    d->pub = zmq_socket(d->zctx, ZMQ_PUB);
    int linger = 0;
    if (!d->pub || zmq_setsockopt(d->pub, ZMQ_LINGER, &linger, sizeof linger) != 0 ||
        zmq_bind(d->pub, d->o.publish) != 0)
      return hb_fail(err, zmq_errno(), "cannot bind %s: %s", d->o.publish,
                     zmq_strerror(zmq_errno()));
  }
  if (d->o.enforcers) {
    /* With CURVE, only the listed keys may subscribe (the same ZAP handler
     * as for collectors): enforcers are clients like collectors. */
    if ((rc = order_pub_open(&d->orders, d->zctx, d->o.enforcers, curve, err)) < 0)
      return rc;
    d->orders_open = true;
  }
  return 0;
}

static void release(struct daemon *d) {
  if (d->in_open)
    bus_in_close(&d->in);
  if (d->pub)
    zmq_close(d->pub);
  if (d->orders_open)
    order_pub_close(&d->orders);
  policy_publish_free(&d->policy);
  zap_stop(&d->zap);
  if (d->zctx)
    zmq_ctx_term(d->zctx);
  free(d->clients);
  free(d->modes);
  free(d->ready_since);
  if (d->store_open)
    store_close(&d->store);
  if (d->alerts && d->alerts != stdout)
    fclose(d->alerts);
  if (d->flows && d->flows != stdout)
    fclose(d->flows);
  model_free(&d->model);
  config_free(&d->cfg);
}

/* A collector's counters (EV_STATS, EV_END): say when its drops rise, so a
 * loss anywhere shows in the engine's log within a second. */
static void heard_from(struct daemon *d, const struct event *ev, const struct ev_stats *s) {
  struct heard *h = NULL;
  for (size_t i = 0; i < d->n_heard && !h; i++)
    if (strcmp(d->heard[i].node, ev->node) == 0 && strcmp(d->heard[i].source, s->source) == 0)
      h = &d->heard[i];
  if (!h && d->n_heard < MAX_HEARD) {
    h = &d->heard[d->n_heard++];
    memset(h, 0, sizeof *h);
    memcpy(h->node, ev->node, sizeof h->node);
    memcpy(h->source, s->source, sizeof h->source);
  }
  if (!h || (s->dropped_kernel <= h->kernel && s->dropped_bus <= h->bus))
    return;
  if (!d->o.quiet)
    fprintf(stderr, "habit: engine: collector %s (%s) reports drops: kernel %llu, bus %llu\n",
            ev->node, s->source, (unsigned long long)s->dropped_kernel,
            (unsigned long long)s->dropped_bus);
  h->kernel = s->dropped_kernel;
  h->bus = s->dropped_bus;
}

static void ended(struct daemon *d, const struct event *ev) {
  d->collectors_ended++;
  const struct ev_stats *s = &ev->u.end.stats;
  bool host = strcmp(s->source, "proc") == 0 || strcmp(s->source, "file") == 0;
  if (!d->o.quiet)
    fprintf(stderr,
            "habit: engine: collector %s (%s) ended%s%s: %s %llu, flows %llu; "
            "dropped: kernel %llu, bus %llu\n",
            ev->node, s->source, ev->u.end.status ? " with an error: " : "",
            ev->u.end.message, host ? "events" : "packets", (unsigned long long)s->packets,
            (unsigned long long)s->flows, (unsigned long long)s->dropped_kernel,
            (unsigned long long)s->dropped_bus);
}

/* Use a new set of run-time modes (taking it over), saying what changed:
 * each service whose mode in force moves, and each back to the config. */
static void install_modes(struct daemon *d, struct engine *eng, struct svc_mode *modes,
                          size_t n) {
  for (size_t i = 0; i < n && !d->o.quiet; i++) {
    uint8_t before = engine_service_mode(eng, modes[i].service);
    if (before != modes[i].mode)
      fprintf(stderr, "habit: engine: service %s: %s -> %s (%s)\n", modes[i].service,
              ev_mode_name(before), ev_mode_name(modes[i].mode),
              modes[i].why[0] ? modes[i].why : "set at run time");
  }
  for (size_t j = 0; j < d->n_modes && !d->o.quiet; j++) {
    size_t i = 0;
    while (i < n && strcmp(d->modes[j].service, modes[i].service) != 0)
      i++;
    if (i == n)
      fprintf(stderr, "habit: engine: service %s: back to the config's mode\n",
              d->modes[j].service);
  }
  engine_set_modes(eng, modes, n);
  free(d->modes);
  d->modes = modes;
  d->n_modes = n;
}

/* Read the run-time modes from the model and use them. */
static int load_modes(struct daemon *d, struct engine *eng, struct hb_error *err) {
  struct svc_mode *modes;
  size_t n;
  int rc = store_load_modes(&d->store, &modes, &n, err);
  if (rc < 0)
    return rc;
  install_modes(d, eng, modes, n);
  return 0;
}

/* Reload the run-time modes when the model changed under us. */
static int reload_modes(struct daemon *d, struct engine *eng, struct hb_error *err) {
  return store_modes_changed(&d->store) ? load_modes(d, eng, err) : 0;
}

/* learn.auto_monitor: a service learning in discover whose readiness has
 * stayed under the bound (with enough flows) for that long moves to
 * monitor, as a run-time mode with the evidence as its reason. */
static int auto_monitor(struct daemon *d, struct engine *eng, struct hb_error *err) {
  const struct cfg_learn *l = &d->cfg.learn;
  if (!l->auto_monitor || d->o.mode || !d->learn)
    return 0;
  const struct model *m = &d->model;
  if (d->n_ready < m->n_services) {
    uint64_t *grown = realloc(d->ready_since, m->n_services * sizeof *grown);
    if (!grown)
      return hb_fail(err, ENOMEM, "out of memory");
    memset(grown + d->n_ready, 0, (m->n_services - d->n_ready) * sizeof *grown);
    d->ready_since = grown;
    d->n_ready = m->n_services;
  }
  uint64_t now = hb_mono_ns();
  bool moved = false;
  for (uint32_t i = 0; i < m->n_services; i++) {
    const char *name = m->services[i].name;
    if (engine_service_mode(eng, name) != EV_MODE_DISCOVER)
      continue;
    struct readiness r;
    model_readiness(m, i, &r);
    if (r.observations < l->auto_monitor_flows || r.p_new >= l->readiness_bound) {
      d->ready_since[i] = 0;
      continue;
    }
    if (!d->ready_since[i])
      d->ready_since[i] = now;
    if (now - d->ready_since[i] < (uint64_t)l->auto_monitor * 1000000000ull)
      continue;
    char why[128];
    snprintf(why, sizeof why,
             "ready: p_new %.4f < %g over %llu flows (%llu seen once) for %u s", r.p_new,
             l->readiness_bound, (unsigned long long)r.observations,
             (unsigned long long)r.singletons, l->auto_monitor);
    int rc = store_set_mode(&d->store, name, EV_MODE_MONITOR, why, err);
    if (rc < 0)
      return rc;
    moved = true;
  }
  if (!moved)
    return 0;
  /* Our own write does not move data_version: load the modes now. */
  return load_modes(d, eng, err);
}

/* Receive until told to stop; write what was learned every flush_s. */
static int serve(struct daemon *d, struct engine *eng, struct hb_error *err) {
  struct event *ev = calloc(1, sizeof *ev);
  if (!ev)
    return hb_fail(err, ENOMEM, "out of memory");
  uint64_t every = (uint64_t)d->o.flush_s * 1000000000ull;
  uint64_t next_flush = hb_mono_ns() + every, next_out = hb_mono_ns() + 1000000000ull;
  uint64_t next_join = 0;
  int rc = 0;
  while (!*d->stop) {
    struct hb_error e = {0, ""};
    int r = bus_in_next(&d->in, ev, 200, &e);
    if (r == -EBADMSG) {
      d->rejected++;
      cli_error("engine: %s", e.msg); /* a bad frame is skipped, not fatal */
    } else if (r < 0 && r != -EINTR) {
      rc = hb_fail(err, -r, "%s", e.msg);
      break;
    } else if (r == 1) {
      int h = engine_event(eng, ev, err);
      if (h < 0) {
        rc = h;
        break;
      }
      if (ev->kind == EV_STATS || ev->kind == EV_END)
        heard_from(d, ev, ev->kind == EV_STATS ? &ev->u.stats : &ev->u.end.stats);
      if (h == 1)
        ended(d, ev);
    }
    uint64_t now = hb_mono_ns();
    /* An enforcer that just subscribed gets the policy at once, not at
     * the next repeat (checked at most 10 times a second). */
    if (d->orders_open && now >= next_join) {
      next_join = now + 100000000ull;
      if (order_pub_joins(&d->orders) > 0) {
        policy_publish_again(&d->policy);
        if ((rc = policy_publish_tick(&d->policy, eng, &d->orders, err)) < 0)
          break;
      }
    }
    if (now >= next_out) {
      if ((rc = reload_modes(d, eng, err)) < 0 || (rc = auto_monitor(d, eng, err)) < 0)
        break;
      if (d->orders_open && (rc = policy_publish_tick(&d->policy, eng, &d->orders, err)) < 0)
        break;
      if (d->alerts)
        fflush(d->alerts);
      if (d->flows)
        fflush(d->flows);
      next_out = now + 1000000000ull;
    }
    if (d->learn && now >= next_flush) {
      if (eng->learner.pending && (rc = learner_flush(&eng->learner, err)) < 0)
        break;
      next_flush = now + every;
    }
  }
  free(ev);
  return rc;
}

int cmd_engine(int argc, char **argv) {
  struct daemon d;
  memset(&d, 0, sizeof d);
  model_init(&d.model);
  int prc = parse(argc, argv, &d.o);
  if (prc != 0)
    return prc > 0 ? EXIT_OK : EXIT_BAD_INPUT;
  struct hb_error err = {0, ""};
  int rc = prepare(&d, &err);
  if (rc < 0) {
    cli_error("%s", err.msg);
    release(&d);
    return cli_exit_for(rc);
  }
  d.stop = cli_catch_stop();
  struct engine eng;
  rc = engine_init(&eng, &d.cfg, &d.model, d.learn ? &d.store : NULL, d.o.mode, d.alerts,
                   d.flows);
  if (rc == 0)
    rc = reload_modes(&d, &eng, &err);
  if (rc == 0 && d.pub) {
    eng.alert_hook = publish;
    eng.alert_hook_ctx = d.pub;
  }
  if (rc == 0 && d.orders_open) {
    eng.order_hook = send_order;
    eng.order_hook_ctx = &d.orders;
    rc = policy_publish_tick(&d.policy, &eng, &d.orders, &err);
  }
  if (rc == 0 && !d.o.quiet)
    fprintf(stderr, "habit: engine: listening on %s, model %s (%s)%s%s\n", d.o.listen,
            d.o.model, d.learn ? "learning" : "read-only",
            d.orders_open ? ", orders for enforcers on " : "",
            d.orders_open ? d.o.enforcers : "");
  if (rc == 0)
    rc = serve(&d, &eng, &err);
  int frc = engine_finish(&eng, rc == 0 ? &err : &(struct hb_error){0, ""});
  if (rc == 0)
    rc = frc;
  if (rc == 0 && eng.write_error)
    rc = hb_fail(&err, eng.write_error, "cannot write output: %s", strerror(eng.write_error));
  if (rc < 0)
    cli_error("engine: %s", err.msg);
  else if (!d.o.quiet)
    fprintf(stderr,
            "habit: engine: %llu flows (learned %llu, checked %llu), alerts %llu "
            "(violation %llu, anomaly %llu, threat %llu), collectors ended %llu, "
            "bad frames %llu, refused connections %llu; process events: exec %llu, "
            "fork %llu, exit %llu, existing %llu (learned %llu, checked %llu); file events %llu "
            "(learned %llu, checked %llu); repeated host alerts suppressed %llu; process "
            "table resets %llu; resets ordered %llu; policy versions %llu (published "
            "%llu); orders sent %llu, failed %llu; enforcers' decisions %llu\n",
            (unsigned long long)eng.counts.flows, (unsigned long long)eng.counts.learned,
            (unsigned long long)eng.counts.checked,
            (unsigned long long)eng.counts.alerts_total,
            (unsigned long long)eng.counts.alerts[EV_CAT_VIOLATION],
            (unsigned long long)eng.counts.alerts[EV_CAT_ANOMALY],
            (unsigned long long)eng.counts.alerts[EV_CAT_THREAT],
            (unsigned long long)d.collectors_ended, (unsigned long long)d.rejected,
            (unsigned long long)atomic_load(&d.zap.refused),
            (unsigned long long)eng.counts.proc[EV_PROC_EXEC],
            (unsigned long long)eng.counts.proc[EV_PROC_FORK],
            (unsigned long long)eng.counts.proc[EV_PROC_EXIT],
            (unsigned long long)eng.counts.proc[EV_PROC_EXISTING],
            (unsigned long long)eng.host.procs_learned,
            (unsigned long long)eng.host.procs_checked, (unsigned long long)eng.counts.files,
            (unsigned long long)eng.host.files_learned,
            (unsigned long long)eng.host.files_checked,
            (unsigned long long)eng.host.suppressed, (unsigned long long)eng.procs.resets,
            (unsigned long long)eng.orders, (unsigned long long)d.policy.versions,
            (unsigned long long)d.policy.sends, (unsigned long long)d.orders.sent,
            (unsigned long long)d.orders.failed, (unsigned long long)eng.enforced);
  engine_free(&eng);
  release(&d);
  return rc < 0 ? cli_exit_for(rc) : EXIT_OK;
}
