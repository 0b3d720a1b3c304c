/* habit collect proc — the live process collector.
 *
 * Subscribes to the kernel's process connector first, then scans /proc for
 * what already runs (so nothing starts unseen in between), then turns each
 * exec, fork and exit into an EV_PROC event enriched from /proc, and writes
 * it as a JSON line (--output) and/or publishes it on the bus to an engine
 * (--connect, non-blocking: a full queue drops and counts, the collector
 * never waits for the engine). Threads are not processes: their clone and
 * exit are counted, not reported. SIGINT/SIGTERM stop it with a summary.
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>
#include <zmq.h>

#include "cli/cli.h"
#include "cli/cli_counters.h"
#include "collect/proc_conn.h"
#include "collect/proc_info.h"
#include "collect/proc_json.h"
#include "core/bus.h"
#include "core/json.h"
#include "core/timefmt.h"

static const char collect_proc_usage[] =
    "usage: habit collect proc [--connect ENDPOINT] [--output FILE|-]\n"
    "                          [--duration SECONDS] [--node NAME] [-q]\n"
    "\n"
    "Reports every process started (exec), forked and ended on this machine, from\n"
    "the kernel's process connector, with its exe, arguments, ids, cwd, parent\n"
    "exe, cgroup and container id read from /proc; the processes already running\n"
    "are reported once at start. Needs root; runs at nice -10 so that short\n"
    "processes are read from /proc before they are gone.\n"
    "\n"
    "  --connect ENDPOINT  publish events to an engine (ipc://PATH or tcp://H:P);\n"
    "                      never waits: events that find the queue full are\n"
    "                      dropped and counted\n"
    "  --output FILE       each event as one JSON line ('-' = stdout, the\n"
    "                      default when --connect is not given)\n"
    "  --duration SECONDS  stop after this long (default: until SIGINT/SIGTERM)\n"
    "  --node NAME         node name in events (default: the host name)\n"
    "  -q, --quiet         no ready line, no summary\n"
    "\n"
    "Exit: 0 ok, 2 bad usage or an output that cannot be written, 3 failure of\n"
    "the machine (no process connector, sockets, disk).\n";

#define PROC_ROOT "/proc"
#define RCVBUF (64 << 20) /* 64 MiB: a fork storm of ~1 M events fits */
#define FLUSH_NS 200000000ull
#define NICE_BOOST -10 /* like auditd's priority_boost: read /proc before the reap */
#define PARENT_SLOTS 65536 /* direct-mapped pid -> parent from fork events */

struct cp_opts {
  const char *connect, *output, *node;
  double duration;
  int quiet;
};

struct cp_counts {
  uint64_t by_op[EV_PROC_EXISTING + 1];
  uint64_t misses;  /* exec/existing events that lost their /proc facts */
  uint64_t reused;  /* of those, because the pid was already another's */
  uint64_t threads; /* thread clones and exits, not reported */
  uint64_t other;   /* uid/gid/sid/comm/ptrace/coredump notices */
};

struct cp_run {
  struct cp_opts o;
  FILE *out;
  struct json j;
  void *zctx;
  struct bus_out bus;
  struct cli_counters counters; /* EV_STATS / EV_END to the engine */
  bool bus_open;
  struct proc_conn *conn;
  struct proc_batch batch;
  struct event ev;
  struct cp_counts n;
  uint32_t *parent_pid, *parent_of; /* [slot]: pid, its parent */
  int write_errno;
  uint64_t bus_errors;
};

/* The one piece of process-wide state a signal handler can touch. */
static volatile sig_atomic_t stop_requested;

static void on_signal(int sig) {
  (void)sig;
  stop_requested = 1;
}

static int parse(int argc, char **argv, struct cp_opts *o) {
  static const struct option longopts[] = {
      {"connect", required_argument, NULL, 'c'},
      {"output", required_argument, NULL, 'o'},
      {"duration", required_argument, NULL, 'd'},
      {"node", required_argument, NULL, 'n'},
      {"quiet", no_argument, NULL, 'q'},
      {"help", no_argument, NULL, 'h'},
      {0, 0, 0, 0},
  };
  memset(o, 0, sizeof *o);
  optind = 1;
  int c;
  char *end;
  while ((c = getopt_long(argc, argv, "c:o:d:n:qh", longopts, NULL)) != -1) {
    switch (c) {
    case 'c': o->connect = optarg; break;
    case 'o': o->output = optarg; break;
    case 'n': o->node = optarg; break;
    case 'q': o->quiet = 1; break;
    case 'd':
      errno = 0;
      o->duration = strtod(optarg, &end);
      if (errno || end == optarg || *end || !(o->duration > 0) || o->duration > 1e9) {
        cli_error("collect proc: --duration must be a positive number of seconds, not '%s'",
                  optarg);
        return -1;
      }
      break;
    case 'h':
      fputs(collect_proc_usage, stdout);
      return 1;
    default:
      fputs(collect_proc_usage, stderr);
      return -1;
    }
  }
  if (optind < argc) {
    cli_error("collect proc: unexpected argument '%s'", argv[optind]);
    return -1;
  }
  if (o->connect && strncmp(o->connect, "ipc://", 6) != 0 &&
      strncmp(o->connect, "tcp://", 6) != 0) {
    cli_error("collect proc: --connect takes ipc://PATH or tcp://HOST:PORT, not '%s'",
              o->connect);
    return -1;
  }
  if (o->node && strlen(o->node) >= EV_NAME_MAX) {
    cli_error("collect proc: --node is longer than %d bytes", EV_NAME_MAX - 1);
    return -1;
  }
  if (!o->connect && !o->output)
    o->output = "-";
  return 0;
}

/* Hand one event to the outputs; failures are remembered, not fatal here. */
static void emit(struct cp_run *r) {
  struct event *ev = &r->ev;
  snprintf(ev->node, sizeof ev->node, "%s", r->o.node);
  r->n.by_op[ev->u.proc.op]++;
  if ((ev->u.proc.op == EV_PROC_EXEC || ev->u.proc.op == EV_PROC_EXISTING) &&
      (ev->u.proc.flags & EV_PROC_F_GONE))
    r->n.misses++;
  if (r->out) {
    json_reset(&r->j);
    proc_event_json(&r->j, ev);
    json_raw(&r->j, "\n", 1);
    if (json_failed(&r->j))
      r->write_errno = ENOMEM;
    else if (fwrite(r->j.buf, 1, r->j.len, r->out) != r->j.len && !r->write_errno)
      r->write_errno = errno ? errno : EIO;
  }
  if (r->bus_open) {
    struct hb_error err;
    if (bus_out_send(&r->bus, ev, &err) < 0)
      r->bus_errors++;
  }
}

static int on_existing(void *ctx, const struct ev_proc *p) {
  struct cp_run *r = ctx;
  memset(&r->ev, 0, sizeof r->ev);
  r->ev.kind = EV_PROC;
  r->ev.ts_ns = hb_now_ns();
  r->ev.u.proc = *p;
  emit(r);
  return r->write_errno ? -r->write_errno : 0;
}

static void note_parent(struct cp_run *r, uint32_t pid, uint32_t ppid) {
  r->parent_pid[pid % PARENT_SLOTS] = pid;
  r->parent_of[pid % PARENT_SLOTS] = ppid;
}

static uint32_t known_parent(const struct cp_run *r, uint32_t pid) {
  return r->parent_pid[pid % PARENT_SLOTS] == pid ? r->parent_of[pid % PARENT_SLOTS] : 0;
}

/* Did the process now at rec's pid start after the event (the one the
 * event is about ended, and its pid went to another)? Start times are
 * CLOCK_BOOTTIME, the event's CLOCK_MONOTONIC: compare on one clock, with
 * two clock ticks of slack for the start time's resolution. */
static bool pid_taken_since(const struct proc_rec *rec) {
  struct timespec boot, mono;
  uint64_t start = proc_info_start_ns(PROC_ROOT, rec->tgid);
  if (!start || clock_gettime(CLOCK_BOOTTIME, &boot) != 0 ||
      clock_gettime(CLOCK_MONOTONIC, &mono) != 0)
    return false;
  int64_t boot_minus_mono = ((int64_t)boot.tv_sec - mono.tv_sec) * 1000000000ll +
                            (boot.tv_nsec - mono.tv_nsec);
  uint64_t event_boot = rec->ktime_ns + (uint64_t)(boot_minus_mono > 0 ? boot_minus_mono : 0);
  return start > event_boot + 20000000ull;
}

/* The facts read belong to a newer process: keep only what the kernel
 * said, as for a process gone before it was read. */
static void forget_facts(struct cp_run *r, const struct proc_rec *rec, struct ev_proc *p) {
  p->exe[0] = p->argv[0] = p->cwd[0] = p->cgroup[0] = p->container_id[0] = '\0';
  p->comm[0] = p->parent_exe[0] = '\0';
  p->uid = p->gid = EV_PROC_ID_UNKNOWN;
  p->flags = EV_PROC_F_GONE;
  p->ppid = known_parent(r, rec->tgid);
  if (p->ppid)
    proc_info_exe(PROC_ROOT, p->ppid, p->parent_exe, sizeof p->parent_exe);
  r->n.reused++;
}

/* wait(2) status -> exit code 0..255, or -signal. */
static int32_t exit_code_of(uint32_t status) {
  if ((status & 0x7f) == 0)
    return (int32_t)((status >> 8) & 0xff);
  return -(int32_t)(status & 0x7f);
}

static void on_record(struct cp_run *r, const struct proc_rec *rec) {
  struct event *ev = &r->ev;
  struct ev_proc *p = &ev->u.proc;
  memset(ev, 0, sizeof *ev);
  ev->kind = EV_PROC;
  ev->ts_ns = proc_conn_walltime(r->conn, rec);
  p->pid = rec->pid;
  p->tgid = rec->tgid;
  p->uid = p->gid = EV_PROC_ID_UNKNOWN;
  if (rec->type == PROC_REC_ACK)
    return;
  if (rec->pid == 0 || rec->tgid == 0) { /* the idle task: nothing to say */
    r->n.other++;
    return;
  }
  switch (rec->type) {
  case PROC_REC_FORK:
    if (rec->pid != rec->tgid) {
      r->n.threads++;
      return;
    }
    p->op = EV_PROC_FORK;
    p->ppid = rec->parent_tgid;
    note_parent(r, rec->tgid, rec->parent_tgid);
    proc_info_exe(PROC_ROOT, p->ppid, p->parent_exe, sizeof p->parent_exe);
    break;
  case PROC_REC_EXEC:
    p->op = EV_PROC_EXEC;
    p->ppid = known_parent(r, rec->tgid);
    proc_info_fill(PROC_ROOT, rec->tgid, p);
    if (!(p->flags & EV_PROC_F_GONE) && pid_taken_since(rec))
      forget_facts(r, rec, p);
    if (p->ppid == 0)
      p->ppid = known_parent(r, rec->tgid);
    if (p->ppid && !p->parent_exe[0])
      proc_info_exe(PROC_ROOT, p->ppid, p->parent_exe, sizeof p->parent_exe);
    break;
  case PROC_REC_EXIT:
    if (rec->pid != rec->tgid) {
      r->n.threads++;
      return;
    }
    p->op = EV_PROC_EXIT;
    p->ppid = rec->parent_tgid ? rec->parent_tgid : known_parent(r, rec->tgid);
    p->exit_code = exit_code_of(rec->exit_code);
    break;
  default:
    r->n.other++;
    return;
  }
  emit(r);
}

/* The counters the engine hears (cli/cli_counters.h), as of now. */
static struct cli_counters *counters(struct cp_run *r) {
  struct cli_counters *c = &r->counters;
  c->node = r->o.node;
  c->source = "proc";
  c->events = 0;
  for (int i = EV_PROC_EXEC; i <= EV_PROC_EXISTING; i++)
    c->events += r->n.by_op[i];
  c->lost = r->conn ? r->conn->lost : 0;
  c->malformed = r->conn ? r->conn->malformed : 0;
  return c;
}

static void flush_outputs(struct cp_run *r) {
  if (r->out && fflush(r->out) != 0 && !r->write_errno)
    r->write_errno = errno;
  if (r->bus_open) {
    struct hb_error err;
    if (cli_counters_tick(counters(r), &r->bus, &err) < 0 || bus_out_flush(&r->bus, &err) < 0)
      r->bus_errors++;
  }
}

static void summary(const struct cp_run *r, double secs) {
  const struct cp_counts *n = &r->n;
  uint64_t total = 0;
  for (int i = EV_PROC_EXEC; i <= EV_PROC_EXISTING; i++)
    total += n->by_op[i];
  fprintf(stderr,
          "habit: collect proc: %llu events in %.1f s (exec %llu, fork %llu, exit %llu, "
          "existing %llu); threads %llu not reported\n",
          (unsigned long long)total, secs, (unsigned long long)n->by_op[EV_PROC_EXEC],
          (unsigned long long)n->by_op[EV_PROC_FORK],
          (unsigned long long)n->by_op[EV_PROC_EXIT],
          (unsigned long long)n->by_op[EV_PROC_EXISTING], (unsigned long long)n->threads);
  fprintf(stderr,
          "habit: collect proc: enrichment misses %llu (process gone before /proc was "
          "read; %llu of them had passed their pid on); netlink overruns (ENOBUFS) %llu, "
          "events lost %llu, malformed datagrams %llu\n",
          (unsigned long long)n->misses, (unsigned long long)n->reused,
          (unsigned long long)r->conn->overruns,
          (unsigned long long)r->conn->lost, (unsigned long long)r->conn->malformed);
  if (r->bus_open)
    fprintf(stderr,
            "habit: collect proc: bus %s: sent %llu, dropped %llu (queue full); counters "
            "sent %llu\n",
            r->o.connect, (unsigned long long)(r->bus.sent - r->counters.sent),
            (unsigned long long)r->bus.dropped, (unsigned long long)r->counters.sent);
}

static int open_outputs(struct cp_run *r, struct hb_error *err) {
  if (r->o.output) {
    if (strcmp(r->o.output, "-") == 0) {
      r->out = stdout;
    } else if (!(r->out = fopen(r->o.output, "w"))) {
      return hb_fail(err, errno, "%s: cannot write: %s", r->o.output, strerror(errno));
    }
  }
  if (r->o.connect) {
    if (!(r->zctx = zmq_ctx_new()))
      return hb_fail(err, ENOMEM, "cannot create a ZeroMQ context");
    int rc = bus_out_open(&r->bus, r->zctx, r->o.connect, false, false, err);
    if (rc < 0)
      return rc;
    r->bus_open = true;
  }
  return 0;
}

static void release(struct cp_run *r) {
  if (r->bus_open) {
    struct hb_error err;
    cli_counters_end(counters(r), &r->bus, &err);
    bus_out_close(&r->bus);
  }
  if (r->zctx)
    zmq_ctx_term(r->zctx);
  if (r->out && r->out != stdout)
    fclose(r->out);
  else if (r->out)
    fflush(r->out);
  if (r->conn)
    proc_conn_close(r->conn);
  free(r->conn);
  free(r->parent_pid);
  free(r->parent_of);
  json_free(&r->j);
}

/* Read the connector until stopped; 0 or a negative code with err. */
static int loop(struct cp_run *r, struct hb_error *err) {
  uint64_t t0 = hb_mono_ns(), last_flush = t0;
  uint64_t deadline = r->o.duration > 0 ? t0 + (uint64_t)(r->o.duration * 1e9) : 0;
  while (!stop_requested) {
    uint64_t now = hb_mono_ns();
    if (deadline && now >= deadline)
      break;
    int wait_ms = 200;
    if (deadline && (deadline - now) / 1000000 < (uint64_t)wait_ms)
      wait_ms = (int)((deadline - now) / 1000000) + 1;
    struct hb_error rerr = {0, ""};
    uint64_t bad = r->conn->malformed;
    int rc = proc_conn_read(r->conn, &r->batch, wait_ms, &rerr);
    if (rc < 0)
      return hb_fail(err, -rc, "%s", rerr.msg);
    if (r->conn->malformed != bad && !r->o.quiet)
      cli_error("collect proc: %s (skipped)", rerr.msg);
    for (size_t i = 0; i < r->batch.n; i++)
      on_record(r, &r->batch.recs[i]);
    if (r->write_errno)
      return hb_fail(err, r->write_errno == ENOMEM ? ENOMEM : EIO, "%s: cannot write: %s",
                     strcmp(r->o.output, "-") == 0 ? "stdout" : r->o.output,
                     strerror(r->write_errno));
    now = hb_mono_ns();
    if (rc == 0 || now - last_flush >= FLUSH_NS) {
      flush_outputs(r);
      last_flush = now;
    }
  }
  return 0;
}

int cmd_collect_proc(int argc, char **argv) {
  struct cp_run *r = calloc(1, sizeof *r);
  if (!r) {
    cli_error("out of memory");
    return EXIT_FAILURE_RT;
  }
  json_init(&r->j);
  int prc = parse(argc, argv, &r->o);
  if (prc != 0) {
    json_free(&r->j);
    free(r);
    return prc > 0 ? EXIT_OK : EXIT_BAD_INPUT;
  }
  char host[EV_NAME_MAX] = "";
  if (!r->o.node) {
    if (gethostname(host, sizeof host - 1) != 0)
      host[0] = '\0';
    r->o.node = host;
  }
  struct hb_error err = {0, ""};
  int code = EXIT_OK;
  int rc = open_outputs(r, &err);
  if (rc < 0) {
    cli_error("collect proc: %s", err.msg);
    code = cli_exit_for(rc); /* ENOMEM: 3; a bad path or endpoint: 2 */
    release(r);
    free(r);
    return code;
  }
  r->conn = malloc(sizeof *r->conn);
  r->parent_pid = calloc(PARENT_SLOTS, sizeof *r->parent_pid);
  r->parent_of = calloc(PARENT_SLOTS, sizeof *r->parent_of);
  if (!r->conn || !r->parent_pid || !r->parent_of) {
    cli_error("out of memory");
    release(r);
    free(r);
    return EXIT_FAILURE_RT;
  }
  /* Subscribe before the scan: a process started meanwhile is seen twice
   * at worst, never missed. */
  if ((rc = proc_conn_open(r->conn, RCVBUF, &err)) < 0) {
    free(r->conn);
    r->conn = NULL;
    cli_error("collect proc: %s", err.msg);
    release(r);
    free(r);
    return EXIT_FAILURE_RT;
  }
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_signal; /* no SA_RESTART: poll() returns EINTR */
  sigemptyset(&sa.sa_mask);
  sigaction(SIGINT, &sa, NULL);
  sigaction(SIGTERM, &sa, NULL);

  /* A short process can be reaped before /proc is read: being scheduled
   * soon after the kernel's message keeps enrichment misses rare. Best
   * effort; nothing changes without the privilege. */
  if (getpriority(PRIO_PROCESS, 0) > NICE_BOOST)
    setpriority(PRIO_PROCESS, 0, NICE_BOOST);
  uint64_t t0 = hb_mono_ns();
  rc = proc_scan(PROC_ROOT, on_existing, r, &err);
  if (rc < 0 && !err.msg[0])
    hb_fail(&err, -rc, "%s: cannot write: %s", r->o.output ? r->o.output : "output",
            strerror(-rc));
  if (rc == 0) {
    flush_outputs(r);
    if (!r->o.quiet)
      fprintf(stderr, "habit: collect proc: listening (%llu processes running)\n",
              (unsigned long long)r->n.by_op[EV_PROC_EXISTING]);
    rc = loop(r, &err);
  }
  flush_outputs(r);
  if (rc == 0 && r->write_errno)
    rc = hb_fail(&err, EIO, "cannot write output: %s", strerror(r->write_errno));
  if (rc < 0) {
    cli_error("collect proc: %s", err.msg);
    code = EXIT_FAILURE_RT;
  }
  if (!r->o.quiet)
    summary(r, (double)(hb_mono_ns() - t0) / 1e9);
  release(r);
  free(r);
  return code;
}
