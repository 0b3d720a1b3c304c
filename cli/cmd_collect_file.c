/* habit collect file — the file collector as a daemon: accesses to watched
 * paths as EV_FILE events, to an engine over the bus and/or as JSON lines.
 *
 * Everything that can be refused (options, the config, the watch list, the
 * outputs, the bus endpoint) is checked before the loop starts. The loop
 * polls the backend's fd and a signalfd for SIGINT/SIGTERM (no signal
 * handler, no global flag), so a signal ends it between two reads and the
 * summary is always printed. The bus is non-blocking: an engine that is
 * away or slow costs counted drops, never a stalled collector. */
#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <unistd.h>
#include <zmq.h>

#include "cli/cli.h"
#include "cli/cli_counters.h"
#include "collect/file_json.h"
#include "collect/file_watch.h"
#include "config/config.h"
#include "core/bus.h"
#include "core/json.h"
#include "core/timefmt.h"

static const char collect_file_usage[] =
    "usage: habit collect file [--watch PATH]... [--config C.yaml]\n"
    "                          [--connect ENDPOINT] [--output FILE|-]\n"
    "                          [--duration SECONDS] [--node NAME] [-q] [-v]\n"
    "\n"
    "Watches sensitive files and directories (fanotify; inotify when fanotify\n"
    "is refused) and reports each open, exec, modification, creation, deletion\n"
    "and rename with the process that did it. Runs until SIGINT/SIGTERM or\n"
    "--duration, then prints a summary on stderr.\n"
    "\n"
    "  --watch PATH       watch PATH (a file, or a directory and its entries);\n"
    "                     repeatable; replaces collect.file.watch of the config\n"
    "                     and the default list of sensitive paths\n"
    "  --config C.yaml    node name and collect.file.watch\n"
    "  --connect ENDPOINT publish events to an engine (ipc://PATH, tcp://H:P);\n"
    "                     never waits: events that find the queue full are\n"
    "                     counted as bus drops\n"
    "  --output FILE      each event as one JSON line ('-' = stdout)\n"
    "  --duration SECONDS stop after this many seconds\n"
    "  --node NAME        the node named in events (default: config, host name)\n"
    "  -q, --quiet        no summary\n"
    "  -v, --verbose      say which paths are skipped, more counters\n"
    "\n"
    "Exit: 0 ok, 2 bad usage or config (nothing to watch), 3 failure of the\n"
    "machine (fanotify/inotify, sockets, writing output).\n";

struct cf_opts {
  const char **watch;
  size_t n_watch;
  const char *config, *connect, *output, *node;
  double duration; /* 0: until a signal */
  enum fw_backend backend;
  int quiet, verbose;
};

static int parse_seconds(const char *s, double *out) {
  char *end;
  errno = 0;
  double v = strtod(s, &end);
  if (errno || end == s || *end || !(v > 0) || v > 1e9)
    return -1;
  *out = v;
  return 0;
}

static int parse(int argc, char **argv, struct cf_opts *o) {
  enum { OPT_BACKEND = 1000 };
  static const struct option longopts[] = {
      {"watch", required_argument, NULL, 'w'},
      {"config", required_argument, NULL, 'c'},
      {"connect", required_argument, NULL, 'C'},
      {"output", required_argument, NULL, 'o'},
      {"duration", required_argument, NULL, 'd'},
      {"node", required_argument, NULL, 'n'},
      {"quiet", no_argument, NULL, 'q'},
      {"verbose", no_argument, NULL, 'v'},
      {"backend", required_argument, NULL, OPT_BACKEND}, /* hidden: tests */
      {"help", no_argument, NULL, 'h'},
      {0, 0, 0, 0},
  };
  optind = 1;
  int c;
  while ((c = getopt_long(argc, argv, "w:c:C:o:d:n:qvh", longopts, NULL)) != -1) {
    switch (c) {
    case 'w':
      if (optarg[0] != '/') {
        cli_error("collect file: --watch '%s' is not an absolute path", optarg);
        return -1;
      }
      o->watch[o->n_watch++] = optarg;
      break;
    case 'c': o->config = optarg; break;
    case 'C': o->connect = optarg; break;
    case 'o': o->output = optarg; break;
    case 'n': o->node = optarg; break;
    case 'q': o->quiet = 1; break;
    case 'v': o->verbose = 1; break;
    case 'd':
      if (parse_seconds(optarg, &o->duration) < 0) {
        cli_error("collect file: --duration must be a positive number of seconds, not '%s'",
                  optarg);
        return -1;
      }
      break;
    case OPT_BACKEND:
      if (strcmp(optarg, "fanotify") == 0)
        o->backend = FW_FANOTIFY;
      else if (strcmp(optarg, "inotify") == 0)
        o->backend = FW_INOTIFY;
      else if (strcmp(optarg, "auto") == 0)
        o->backend = FW_AUTO;
      else {
        cli_error("collect file: --backend must be fanotify, inotify or auto, not '%s'", optarg);
        return -1;
      }
      break;
    case 'h':
      fputs(collect_file_usage, stdout);
      return 1;
    default:
      fputs(collect_file_usage, stderr);
      return -1;
    }
  }
  if (optind < argc) {
    cli_error("collect file: unexpected argument '%s' (paths go after --watch)", argv[optind]);
    return -1;
  }
  if (!o->connect && !o->output) {
    cli_error("collect file: nowhere to send events: give --output or --connect");
    return -1;
  }
  if (o->node && (!o->node[0] || strlen(o->node) >= EV_NAME_MAX)) {
    cli_error("collect file: --node must be 1 to %d bytes", EV_NAME_MAX - 1);
    return -1;
  }
  return 0;
}

struct cf_run {
  struct cf_opts o;
  struct config cfg;
  char node[EV_NAME_MAX];
  FILE *out;
  struct json j;
  void *zctx;
  struct bus_out bus;
  bool bus_open;
  struct cli_counters counters; /* EV_STATS / EV_END to the engine */
  struct file_watch fw;
  bool fw_open;
  int sfd;
  sigset_t old_mask;
  bool masked;
  int write_error;
};

static void note(void *ctx, const char *msg) {
  const struct cf_run *r = ctx;
  if (r->o.verbose)
    fprintf(stderr, "habit: %s\n", msg);
}

static int emit(void *ctx, const struct event *ev, struct hb_error *err) {
  struct cf_run *r = ctx;
  struct event e = *ev;
  memcpy(e.node, r->node, sizeof e.node);
  if (r->out) {
    json_reset(&r->j);
    file_event_json(&r->j, &e);
    json_raw(&r->j, "\n", 1);
    if (json_failed(&r->j))
      return hb_fail(err, ENOMEM, "out of memory");
    if (fwrite(r->j.buf, 1, r->j.len, r->out) != r->j.len)
      return hb_fail(err, EIO, "%s: cannot write: %s", r->o.output, strerror(errno));
  }
  if (r->bus_open)
    return bus_out_send(&r->bus, &e, err);
  return 0;
}

/* The paths to watch: --watch, else the config's, else the defaults. */
static const char *const *watch_list(const struct cf_run *r, size_t *n) {
  if (r->o.n_watch) {
    *n = r->o.n_watch;
    return r->o.watch;
  }
  if (r->cfg.collect.file.n_watch) {
    *n = r->cfg.collect.file.n_watch;
    return (const char *const *)r->cfg.collect.file.watch;
  }
  return file_watch_defaults(n);
}

static int open_bus(struct cf_run *r, struct hb_error *err) {
  if (!(r->zctx = zmq_ctx_new()))
    return hb_fail(err, ENOMEM, "cannot create a ZeroMQ context");
  int rc = bus_out_open(&r->bus, r->zctx, r->o.connect, false, false, err);
  if (rc < 0)
    return rc;
  r->bus_open = true;
  int linger = 1000; /* at exit, give an engine a second to take the rest */
  zmq_setsockopt(r->bus.sock, ZMQ_LINGER, &linger, sizeof linger);
  return 0;
}

static int prepare(struct cf_run *r, struct hb_error *err) {
  int rc;
  config_defaults(&r->cfg);
  if (r->o.config && (rc = config_load(r->o.config, &r->cfg, err)) < 0)
    return rc;
  snprintf(r->node, sizeof r->node, "%s", r->o.node ? r->o.node : r->cfg.node);
  if (r->o.output) {
    r->out = strcmp(r->o.output, "-") == 0 ? stdout : fopen(r->o.output, "w");
    if (!r->out)
      return hb_fail(err, EINVAL, "%s: cannot write: %s", r->o.output, strerror(errno));
  }
  if (r->o.connect && (rc = open_bus(r, err)) < 0)
    return rc == -EINVAL || rc == -EPROTONOSUPPORT ? -EINVAL : -EIO;
  size_t n;
  const char *const *paths = watch_list(r, &n);
  if ((rc = file_watch_open(&r->fw, paths, n, r->o.backend, note, r, err)) < 0)
    return rc == -ENOENT || rc == -EINVAL ? -EINVAL : -EIO;
  r->fw_open = true;
  if (r->fw.backend == FW_INOTIFY && r->o.backend == FW_AUTO && !r->o.quiet)
    fprintf(stderr, "habit: fanotify unavailable (%s); inotify reports no pid or exec\n",
            r->fw.fallback_reason);
  sigset_t mask;
  sigemptyset(&mask);
  sigaddset(&mask, SIGINT);
  sigaddset(&mask, SIGTERM);
  if (sigprocmask(SIG_BLOCK, &mask, &r->old_mask) != 0)
    return hb_fail(err, EIO, "cannot block signals: %s", strerror(errno));
  r->masked = true;
  if ((r->sfd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK)) < 0)
    return hb_fail(err, EIO, "signalfd: %s", strerror(errno));
  return 0;
}

/* The counters the engine hears (cli/cli_counters.h), as of now. */
static struct cli_counters *counters(struct cf_run *r) {
  struct cli_counters *c = &r->counters;
  c->node = r->node;
  c->source = "file";
  c->events = 0;
  for (int op = EV_FILE_OPEN; op <= EV_FILE_MOVE; op++)
    c->events += r->fw.c.ops[op];
  c->lost = r->fw.c.overflows;
  c->malformed = r->fw.c.malformed;
  return c;
}

static void release(struct cf_run *r) {
  if (r->bus_open && r->fw_open) {
    struct hb_error err;
    cli_counters_end(counters(r), &r->bus, &err);
  }
  if (r->fw_open)
    file_watch_close(&r->fw);
  if (r->sfd >= 0)
    close(r->sfd);
  if (r->masked)
    sigprocmask(SIG_SETMASK, &r->old_mask, NULL);
  if (r->bus_open)
    bus_out_close(&r->bus);
  if (r->zctx)
    zmq_ctx_term(r->zctx);
  if (r->out && r->out != stdout)
    fclose(r->out);
  json_free(&r->j);
  config_free(&r->cfg);
}

/* One read of the backend, then everything out of the process's buffers. */
static int drain(struct cf_run *r, struct hb_error *err) {
  int rc = file_watch_read(&r->fw, emit, r, err);
  if (rc < 0)
    return rc;
  if (r->bus_open && ((rc = cli_counters_tick(counters(r), &r->bus, err)) < 0 ||
                      (rc = bus_out_flush(&r->bus, err)) < 0))
    return rc;
  if (r->out && fflush(r->out) != 0)
    return hb_fail(err, EIO, "%s: cannot write: %s", r->o.output, strerror(errno));
  return 0;
}

static int loop(struct cf_run *r, struct hb_error *err) {
  uint64_t end = r->o.duration > 0 ? hb_mono_ns() + (uint64_t)(r->o.duration * 1e9) : 0;
  struct pollfd pf[2] = {{.fd = r->fw.fd, .events = POLLIN}, {.fd = r->sfd, .events = POLLIN}};
  for (;;) {
    int timeout = 1000;
    if (end) {
      uint64_t now = hb_mono_ns();
      if (now >= end)
        break;
      uint64_t left_ms = (end - now + 999999) / 1000000;
      if (left_ms < (uint64_t)timeout)
        timeout = (int)left_ms;
    }
    int n = poll(pf, 2, timeout);
    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0)
      return hb_fail(err, EIO, "poll: %s", strerror(errno));
    if (pf[0].revents || n == 0) { /* events, or a quiet second: counters */
      int rc = drain(r, err);
      if (rc < 0)
        return rc;
    }
    if (pf[1].revents) {
      struct signalfd_siginfo si; /* taken, so it is not delivered at unblock */
      if (read(r->sfd, &si, sizeof si) == (ssize_t)sizeof si)
        break;
    }
  }
  return drain(r, err); /* what came before the signal */
}

static void summary(const struct cf_run *r) {
  const struct fw_counters *c = &r->fw.c;
  uint64_t total = 0;
  for (int op = EV_FILE_OPEN; op <= EV_FILE_MOVE; op++)
    total += c->ops[op];
  fprintf(stderr,
          "habit: file collector (%s%s) on %zu path%s: events %llu (open %llu, modify %llu, "
          "create %llu, delete %llu, exec %llu, move %llu), overflows %llu, bus drops %llu\n",
          fw_backend_name(r->fw.backend),
          r->fw.backend == FW_INOTIFY ? ": no pid, exec seen as open" : "", r->fw.n,
          r->fw.n == 1 ? "" : "s", (unsigned long long)total,
          (unsigned long long)c->ops[EV_FILE_OPEN], (unsigned long long)c->ops[EV_FILE_MODIFY],
          (unsigned long long)c->ops[EV_FILE_CREATE], (unsigned long long)c->ops[EV_FILE_DELETE],
          (unsigned long long)c->ops[EV_FILE_EXEC], (unsigned long long)c->ops[EV_FILE_MOVE],
          (unsigned long long)c->overflows,
          (unsigned long long)(r->bus_open ? r->bus.dropped : 0));
  if (r->o.verbose || c->malformed || c->unresolved)
    fprintf(stderr,
            "habit: malformed %llu, unresolved %llu, own events dropped %llu, beside a "
            "watched file %llu, files watched again %llu, sent to bus %llu\n",
            (unsigned long long)c->malformed, (unsigned long long)c->unresolved,
            (unsigned long long)c->own, (unsigned long long)c->unmatched,
            (unsigned long long)c->rewatched,
            (unsigned long long)(r->bus_open ? r->bus.sent - r->counters.sent : 0));
}

int cmd_collect_file(int argc, char **argv) {
  struct cf_run r;
  memset(&r, 0, sizeof r);
  r.sfd = -1;
  json_init(&r.j);
  r.o.watch = calloc((size_t)argc + 1, sizeof *r.o.watch);
  if (!r.o.watch) {
    cli_error("out of memory");
    return EXIT_FAILURE_RT;
  }
  int prc = parse(argc, argv, &r.o);
  if (prc != 0) {
    free(r.o.watch);
    json_free(&r.j);
    return prc > 0 ? EXIT_OK : EXIT_BAD_INPUT;
  }
  struct hb_error err = {0, ""};
  int rc = prepare(&r, &err);
  if (rc == 0) {
    if (!r.o.quiet)
      fprintf(stderr, "habit: watching %zu path%s with %s\n", r.fw.n, r.fw.n == 1 ? "" : "s",
              fw_backend_name(r.fw.backend));
    rc = loop(&r, &err);
    if (rc < 0 && rc != -ENOMEM)
      rc = -EIO; /* a failure while running is the machine's */
  }
  if (rc < 0)
    cli_error("%s", err.msg);
  else if (!r.o.quiet)
    summary(&r);
  release(&r);
  free(r.o.watch);
  return rc < 0 ? cli_exit_for(rc) : EXIT_OK;
}
