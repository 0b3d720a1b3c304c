/* habit replay — the whole pipeline on capture files, in one process.
 *
 * Everything that can be refused is checked before anything is written:
 * options, the config, every capture's header and link type, the model.
 * Then the pcap collector runs on its own thread and talks to the engine
 * (this thread) over ZeroMQ inproc://, exactly as the daemons do over
 * ipc:// or tcp://. A discover run is one transaction around the store's
 * batches: a capture that turns out cut mid-record changes nothing. */
#include <errno.h>
#include <getopt.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zmq.h>

#include "cli/cli.h"
#include "cli/cli_util.h"
#include "cli/cli_leaks.h"
#include "cli/progress.h"
#include "collect/file_feed.h"
#include "config/config.h"
#include "core/bus.h"
#include "core/timefmt.h"
#include "detect/leak/leak.h"
#include "engine/engine.h"
#include "models/store.h"

static const char replay_usage[] =
    "usage: habit replay --model M.db [--mode discover|monitor] [--config C.yaml]\n"
    "                    [--alerts FILE|-] [--flows FILE|-] [--fail-on-alert]\n"
    "                    [--no-dpi] [-q] [-v] [--no-progress] CAPTURE...\n"
    "\n"
    "Replays pcap/pcapng captures through habit's pipeline (collector -> bus ->\n"
    "engine). In discover mode it learns each service's whitelist and statistics\n"
    "into the model (created if missing; learning again merges). In monitor mode\n"
    "it checks the traffic against the model, which it never changes, and writes\n"
    "alerts. Threats are raised in both modes.\n"
    "\n"
    "  --model M.db       the model (SQLite)\n"
    "  --mode MODE        discover or monitor for every service; default: each\n"
    "                     service's mode in the config, else the config's, else\n"
    "                     discover\n"
    "  --config C.yaml    services, networks, timeouts, thresholds\n"
    "  --alerts FILE      alerts as EVE JSON lines ('-' = stdout)\n"
    "  --flows FILE       every flow as EVE JSON lines ('-' = stdout)\n"
    "  --fail-on-alert    exit 1 when any alert was raised\n"
    "  --no-dpi           no payload work: flows carry no L7 app and no packet\n"
    "                     threat is looked for (the baseline DPI's cost is\n"
    "                     measured against; scans and whitelists still work)\n"
    "  -q, --quiet        no summary, no progress\n"
    "  -v, --verbose      more counters in the summary\n"
    "  --no-progress      no progress line on a terminal\n"
    "\n"
    "Exit: 0 ok, 1 alerts with --fail-on-alert, 2 bad usage or input (nothing\n"
    "learned), 3 failure of the machine.\n";

#define ENDPOINT "inproc://habit-replay"

struct replay_opts {
  const char *model, *config, *alerts, *flows;
  uint8_t mode;
  int fail_on_alert, quiet, verbose, progress, no_dpi;
  char **files;
  int n_files;
};

static int parse(int argc, char **argv, struct replay_opts *o) {
  enum { OPT_NO_PROGRESS = 1000, OPT_FAIL, OPT_NO_DPI };
  static const struct option longopts[] = {
      {"model", required_argument, NULL, 'm'},
      {"mode", required_argument, NULL, 'M'},
      {"config", required_argument, NULL, 'c'},
      {"alerts", required_argument, NULL, 'a'},
      {"flows", required_argument, NULL, 'f'},
      {"fail-on-alert", no_argument, NULL, OPT_FAIL},
      {"quiet", no_argument, NULL, 'q'},
      {"verbose", no_argument, NULL, 'v'},
      {"no-progress", no_argument, NULL, OPT_NO_PROGRESS},
      {"no-dpi", no_argument, NULL, OPT_NO_DPI},
      {"help", no_argument, NULL, 'h'},
      {0, 0, 0, 0},
  };
  memset(o, 0, sizeof *o);
  o->progress = 1;
  optind = 1;
  int c;
  while ((c = getopt_long(argc, argv, "m:c:a:f:qvh", longopts, NULL)) != -1) {
    switch (c) {
    case 'm': o->model = optarg; break;
    case 'c': o->config = optarg; break;
    case 'a': o->alerts = optarg; break;
    case 'f': o->flows = optarg; break;
    case 'q': o->quiet = 1; break;
    case 'v': o->verbose = 1; break;
    case OPT_FAIL: o->fail_on_alert = 1; break;
    case OPT_NO_PROGRESS: o->progress = 0; break;
    case OPT_NO_DPI: o->no_dpi = 1; break;
    case 'M':
      o->mode = ev_mode_parse(optarg);
      if (o->mode != EV_MODE_DISCOVER && o->mode != EV_MODE_MONITOR) {
        cli_error("replay: --mode must be discover or monitor, not '%s'%s", optarg,
                  o->mode == EV_MODE_PROTECT ? " (a capture cannot be blocked)" : "");
        return -1;
      }
      break;
    case 'h':
      fputs(replay_usage, stdout);
      return 1;
    default:
      fputs(replay_usage, stderr);
      return -1;
    }
  }
  o->files = argv + optind;
  o->n_files = argc - optind;
  if (!o->model) {
    cli_error("replay: --model is required");
    return -1;
  }
  if (o->n_files == 0) {
    cli_error("replay: no capture files given");
    return -1;
  }
  return 0;
}

/* Does any service resolve to discover under these options? */
static bool may_learn(const struct replay_opts *o, const struct config *cfg) {
  if (o->mode)
    return o->mode == EV_MODE_DISCOVER;
  if (cfg->default_mode == 0 || cfg->default_mode == EV_MODE_DISCOVER)
    return true;
  for (size_t i = 0; i < cfg->n_services; i++)
    if (cfg->services[i].mode == EV_MODE_DISCOVER)
      return true;
  return false;
}

struct feed_thread {
  struct file_feed ff;
  atomic_int done;
};

static void *feed_main(void *arg) {
  struct feed_thread *t = arg;
  file_feed_run(&t->ff);
  atomic_store(&t->done, 1);
  return NULL;
}

/* Pump the bus into the engine until EV_END (1), or a failure (< 0). */
static int pump(struct bus_in *in, struct engine *eng, struct feed_thread *t,
                struct hb_error *err) {
  struct event *ev = malloc(sizeof *ev);
  if (!ev)
    return hb_fail(err, ENOMEM, "out of memory");
  int rc;
  for (;;) {
    rc = bus_in_next(in, ev, 200, err);
    if (rc == 0) {
      if (atomic_load(&t->done) && (rc = bus_in_next(in, ev, 0, err)) == 0) {
        rc = hb_fail(err, EIO, "the collector stopped without a word (status %d)",
                     t->ff.status);
        break;
      }
      if (rc == 0)
        continue;
    }
    if (rc < 0)
      break;
    rc = engine_event(eng, ev, err);
    if (rc != 0)
      break;
  }
  free(ev);
  return rc;
}

static void summary(const struct replay_opts *o, const struct engine *e, double secs,
                    const struct model *m, int64_t version) {
  const struct ev_stats *s = &e->end.stats;
  const struct engine_counts *c = &e->counts;
  fprintf(stderr,
          "habit: replayed %d file%s: packets %llu (%.1f MB), flows %llu, in %.2f s "
          "(%.2f Mpps)\n",
          o->n_files, o->n_files == 1 ? "" : "s", (unsigned long long)s->packets,
          (double)s->bytes / 1e6, (unsigned long long)s->flows, secs,
          secs > 0 ? (double)s->packets / secs / 1e6 : 0.0);
  if (o->verbose || s->truncated || s->malformed)
    fprintf(stderr,
            "habit: decoded ip %llu, non-ip %llu, truncated %llu, malformed %llu, "
            "fragments %llu, flows evicted %llu\n",
            (unsigned long long)s->ip_packets, (unsigned long long)s->non_ip,
            (unsigned long long)s->truncated, (unsigned long long)s->malformed,
            (unsigned long long)s->fragments, (unsigned long long)s->flows_evicted);
  fprintf(stderr,
          "habit: learned %llu flows, checked %llu; alerts %llu (violation %llu, "
          "anomaly %llu, threat %llu)\n",
          (unsigned long long)c->learned, (unsigned long long)c->checked,
          (unsigned long long)c->alerts_total, (unsigned long long)c->alerts[EV_CAT_VIOLATION],
          (unsigned long long)c->alerts[EV_CAT_ANOMALY],
          (unsigned long long)c->alerts[EV_CAT_THREAT]);
  fprintf(stderr, "habit: model %s version %lld: %u services, %u edges\n", o->model,
          (long long)version, m->n_services, m->n_edges);
}

/* The source string recorded with a model version. */
static void describe_sources(const struct replay_opts *o, char *out, size_t cap) {
  size_t used = 0;
  out[0] = '\0';
  for (int i = 0; i < o->n_files && used < cap; i++)
    used += (size_t)snprintf(out + used, cap - used, "%s%s", i ? " " : "", o->files[i]);
}

struct replay_run {
  struct replay_opts o;
  struct config cfg;
  struct pkt_source *sources;
  uint64_t *sizes;
  struct store store;
  bool store_open, learn;
  struct model model;
  FILE *alerts, *flows;
  struct leak_matcher *leaks;
};

static int prepare(struct replay_run *r, struct hb_error *err) {
  int rc = 0;
  config_defaults(&r->cfg);
  if (r->o.config && (rc = config_load(r->o.config, &r->cfg, err)) < 0)
    return rc;
  if (r->o.no_dpi)
    r->cfg.flow.dpi = false;
  if (r->cfg.flow.dpi && (rc = cli_build_leaks(&r->cfg, r->o.config, &r->leaks, err)) < 0) /* no payloads: no leaks */
    return rc;
  r->sources = calloc((size_t)r->o.n_files, sizeof *r->sources);
  r->sizes = calloc((size_t)r->o.n_files, sizeof *r->sizes);
  if (!r->sources || !r->sizes)
    return hb_fail(err, ENOMEM, "out of memory");
  for (int i = 0; i < r->o.n_files; i++) {
    if ((rc = pkt_source_open_file(&r->sources[i], r->o.files[i], err)) < 0)
      return rc;
    r->sizes[i] = r->sources[i].size;
  }
  r->learn = may_learn(&r->o, &r->cfg);
  rc = store_open(&r->store, r->o.model, r->learn ? STORE_CREATE : STORE_READONLY, err);
  if (rc < 0)
    return rc;
  r->store_open = true;
  if ((rc = store_load(&r->store, &r->model, err)) < 0)
    return rc;
  if (r->o.alerts && !(r->alerts = cli_open_output(r->o.alerts, false, err)))
    return -EINVAL;
  if (r->o.flows && !(r->flows = cli_open_output(r->o.flows, false, err)))
    return -EINVAL;
  if (r->learn && (rc = store_begin_run(&r->store, err)) < 0)
    return rc;
  return 0;
}

static void release(struct replay_run *r, bool failed) {
  if (r->store_open) {
    if (failed)
      store_discard(&r->store);
    else
      store_close(&r->store);
  }
  for (int i = 0; r->sources && i < r->o.n_files; i++)
    pkt_source_close(&r->sources[i]);
  if (r->alerts && r->alerts != stdout)
    fclose(r->alerts);
  if (r->flows && r->flows != stdout)
    fclose(r->flows);
  model_free(&r->model);
  leak_matcher_free(r->leaks);
  config_free(&r->cfg);
  free(r->sources);
  free(r->sizes);
}

/* Run the pipeline; returns 0 or a negative code with err set. */
static int run(struct replay_run *r, struct engine *eng, struct hb_error *err) {
  void *zctx = zmq_ctx_new();
  if (!zctx)
    return hb_fail(err, ENOMEM, "cannot create a ZeroMQ context");
  struct bus_in in;
  int rc = bus_in_open(&in, zctx, ENDPOINT, true, err);
  if (rc < 0) {
    zmq_ctx_term(zctx);
    return rc;
  }
  struct progress prog;
  progress_init(&prog, r->o.progress && !r->o.quiet && isatty(2), r->sizes,
                (size_t)r->o.n_files);
  struct feed_thread t = {
      .ff = {.sources = r->sources, .n_sources = (size_t)r->o.n_files, .cfg = &r->cfg,
             .zctx = zctx, .endpoint = ENDPOINT, .leaks = r->leaks,
             .progress = progress_update, .progress_ctx = &prog},
  };
  atomic_init(&t.done, 0);
  pthread_t th;
  if (pthread_create(&th, NULL, feed_main, &t) != 0) {
    bus_in_close(&in);
    zmq_ctx_term(zctx);
    return hb_fail(err, EAGAIN, "cannot start the collector thread");
  }
  rc = pump(&in, eng, &t, err);
  pthread_join(th, NULL);
  progress_done(&prog);
  bus_in_close(&in);
  zmq_ctx_term(zctx);
  if (rc < 0)
    return rc;
  if (eng->end.status < 0)
    return hb_fail(err, -eng->end.status, "%s", eng->end.message);
  return 0;
}

int cmd_replay(int argc, char **argv) {
  struct replay_run r;
  memset(&r, 0, sizeof r);
  model_init(&r.model);
  int prc = parse(argc, argv, &r.o);
  if (prc != 0)
    return prc > 0 ? EXIT_OK : EXIT_BAD_INPUT;

  struct hb_error err = {0, ""};
  int rc = prepare(&r, &err);
  if (rc < 0) {
    cli_error("%s", err.msg);
    release(&r, true);
    return cli_exit_for(rc);
  }
  struct engine eng;
  uint64_t t0 = hb_mono_ns();
  rc = engine_init(&eng, &r.cfg, &r.model, r.learn ? &r.store : NULL, r.o.mode, r.alerts,
                   r.flows);
  if (rc == 0)
    rc = run(&r, &eng, &err);
  if (rc == 0)
    rc = engine_finish(&eng, &err);
  if (rc == 0 && eng.write_error)
    rc = hb_fail(&err, eng.write_error, "cannot write output: %s", strerror(eng.write_error));
  if (rc == 0 && r.learn) {
    char src[1024];
    describe_sources(&r.o, src, sizeof src);
    rc = store_commit_run(&r.store, src, eng.counts.learned, &err);
  }
  double secs = (double)(hb_mono_ns() - t0) / 1e9;
  if (rc < 0) {
    if (r.learn)
      cli_error("%s (nothing learned: %s is as it was)", err.msg, r.o.model);
    else
      cli_error("%s", err.msg);
    engine_free(&eng);
    release(&r, true);
    return cli_exit_for(rc);
  }
  if (!r.o.quiet)
    summary(&r.o, &eng, secs, &r.model, store_version(&r.store));
  uint64_t alerts = eng.counts.alerts_total;
  engine_free(&eng);
  release(&r, false);
  return r.o.fail_on_alert && alerts ? EXIT_ALERTS : EXIT_OK;
}
