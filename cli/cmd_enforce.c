/* habit enforce proc — refuse programs a protected service never ran.
 *
 * The policy is the model file (read-only, reloaded within a second of any
 * change: the engine's writes, `policy mode`); a service in protect mode
 * (run-time mode, else the config's) may exec only what its process
 * whitelist holds — (program, parent's program, uid), as the engine learned
 * it. Everything else — other services, other modes — is let through.
 * Each denial is one line on stderr and, with --output, one JSON line.
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <sys/types.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/cli_util.h"
#include "cli/enforce_policy.h"
#include "collect/proc_conn.h"
#include "collect/proc_info.h"
#include "config/config.h"
#include "core/json.h"
#include "core/timefmt.h"
#include "enforce/exec_guard.h"
#include "models/model.h"
#include "models/store.h"
#include "models/store_modes.h"
#include "services/service_proc.h"

static const char enforce_usage[] =
    "usage: habit enforce proc (--model M.db | --engine ENDPOINT) [--config C.yaml]\n"
    "                          [--curve-server KEY --curve-secret KEY] [--report ENDPOINT]\n"
    "                          [--guard PATH]...\n"
    "                          [--backend auto|fanotify|netlink] [--output FILE|-]\n"
    "                          [--duration SECONDS] [-q]\n"
    "\n"
    "Denies, before they start (fanotify FAN_OPEN_EXEC_PERM), the programs a\n"
    "service in protect mode never ran while learning: the caller's execve fails\n"
    "with EPERM. Files in a service's protected_files (config) may be opened only\n"
    "by its programs that opened them while learning (FAN_OPEN_PERM). Services are named as the engine names them (config selectors:\n"
    "cgroup, container, exe). --guard: a path whose file system is guarded\n"
    "(default /, /usr, /opt, /srv, /home, /tmp, /var). Stops on SIGINT/SIGTERM;\n"
    "when it stops, or is killed, nothing is denied any more (fail-open: the\n"
    "kernel's rule for fanotify). --backend netlink (or auto, when fanotify\n"
    "permission events are not available): kill at exec instead, from the process\n"
    "connector — the program starts, then dies; protected files are not enforced.\n"
    "--engine ENDPOINT (the engine's --enforcers): decide from the engine's\n"
    "compiled policy instead of a model file; before the first one, the config's\n"
    "enforce.no_policy: open (nothing denied) or closed (all denied).\n"
    "--curve-server KEY --curve-secret KEY: CURVE to the engine (its public key,\n"
    "this enforcer's secret key; the engine lists the public one).\n"
    "--report ENDPOINT (the engine's --listen): every refusal is also sent to the\n"
    "engine as an event (its alert says blocked).\n"
    "Needs root.\n";

#define MAX_GUARD 32

enum backend { BK_AUTO, BK_FANOTIFY, BK_NETLINK };

struct enforce {
  const char *model_path, *output, *engine, *curve_server, *curve_secret, *report_to;
  struct bus_curve curve;
  enum backend backend;
  uint64_t killed;
  const char *guard[MAX_GUARD];
  size_t n_guard;
  double duration;
  bool quiet;
  struct enforce_policy pol;
  FILE *out;
  struct json j;
};

static int parse(int argc, char **argv, struct enforce *x, const char **cfg_path) {
  static const struct option longopts[] = {
      {"model", required_argument, NULL, 'm'},  {"config", required_argument, NULL, 'c'},
      {"guard", required_argument, NULL, 'g'},  {"output", required_argument, NULL, 'o'},
      {"duration", required_argument, NULL, 'd'}, {"quiet", no_argument, NULL, 'q'},
      {"backend", required_argument, NULL, 'B'}, {"help", no_argument, NULL, 'h'},
      {"engine", required_argument, NULL, 'e'},  {"report", required_argument, NULL, 'r'},
      {"curve-server", required_argument, NULL, 'V'},
      {"curve-secret", required_argument, NULL, 'S'},
      {0, 0, 0, 0},
  };
  optind = 1;
  int ch;
  while ((ch = getopt_long(argc, argv, "m:c:g:o:d:qh", longopts, NULL)) != -1) {
    switch (ch) {
    case 'm': x->model_path = optarg; break;
    case 'c': *cfg_path = optarg; break;
    case 'g':
      if (x->n_guard == MAX_GUARD) {
        cli_error("enforce proc: at most %d --guard paths", MAX_GUARD);
        return -1;
      }
      x->guard[x->n_guard++] = optarg;
      break;
    case 'o': x->output = optarg; break;
    case 'e': x->engine = optarg; break;
    case 'r': x->report_to = optarg; break;
    case 'V': x->curve_server = optarg; break;
    case 'S': x->curve_secret = optarg; break;
    case 'd': x->duration = atof(optarg); break;
    case 'q': x->quiet = true; break;
    case 'B':
      if (strcmp(optarg, "auto") == 0)
        x->backend = BK_AUTO;
      else if (strcmp(optarg, "fanotify") == 0)
        x->backend = BK_FANOTIFY;
      else if (strcmp(optarg, "netlink") == 0)
        x->backend = BK_NETLINK;
      else {
        cli_error("enforce proc: --backend %s: expected auto, fanotify or netlink", optarg);
        return -1;
      }
      break;
    case 'h': fputs(enforce_usage, stdout); return 1;
    default: fputs(enforce_usage, stderr); return -1;
    }
  }
  if (!x->curve_server != !x->curve_secret ||
      (x->curve_server && !x->engine && !x->report_to)) {
    cli_error("enforce proc: --curve-server and --curve-secret go together, with --engine "
              "or --report");
    return -1;
  }
  if (!x->model_path == !x->engine || optind != argc) {
    cli_error("enforce proc: --model M.db or --engine ENDPOINT is required, and nothing "
              "else");
    return -1;
  }
  if (x->n_guard == 0) {
    static const char *const dflt[] = {"/", "/usr", "/opt", "/srv", "/home", "/tmp", "/var"};
    for (size_t i = 0; i < sizeof dflt / sizeof dflt[0]; i++)
      x->guard[x->n_guard++] = dflt[i];
  }
  return 0;
}

/* As the engine names a process that runs `path`: its own match, else the
 * service of the image that calls exec (its parent's), else inferred. */
static void service_of(const struct enforce *x, const char *path, const struct ev_proc *p,
                       char name[EV_NAME_MAX]) {
  struct proc_facts own = {path, p->cgroup, p->container_id};
  struct proc_facts caller = {p->exe, p->cgroup, p->container_id};
  if (!svc_proc_configured(&x->pol.cfg, &own, name) &&
      !svc_proc_configured(&x->pol.cfg, &caller, name))
    svc_proc_inferred(&own, name);
}

/* A refusal, to the engine (--report): the process event of the one that
 * asked, op denied, exe the program refused. */
static void report_exec_event(struct enforce *x, const char *path, const struct ev_proc *p) {
  if (!x->pol.reporting)
    return;
  struct event *ev = calloc(1, sizeof *ev);
  if (!ev)
    return;
  ev->kind = EV_PROC;
  ev->u.proc = *p;
  ev->u.proc.op = EV_PROC_DENIED;
  ev->u.proc.exit_code = 0;
  snprintf(ev->u.proc.exe, sizeof ev->u.proc.exe, "%s", path);
  ev->u.proc.argv[0] = '\0'; /* the asker's arguments, not the program's */
  enforce_policy_report_event(&x->pol, ev);
  free(ev);
}

static void report_open_event(struct enforce *x, const char *path, const struct ev_proc *p) {
  if (!x->pol.reporting)
    return;
  struct event *ev = calloc(1, sizeof *ev);
  if (!ev)
    return;
  ev->kind = EV_FILE;
  struct ev_file *f = &ev->u.file;
  f->op = EV_FILE_DENIED;
  f->pid = p->tgid;
  f->uid = p->uid;
  f->ppid = p->ppid;
  snprintf(f->path, sizeof f->path, "%s", path);
  snprintf(f->exe, sizeof f->exe, "%s", p->exe);
  snprintf(f->comm, sizeof f->comm, "%s", p->comm);
  snprintf(f->rule, sizeof f->rule, "%s", path);
  snprintf(f->cgroup, sizeof f->cgroup, "%s", p->cgroup);
  snprintf(f->container_id, sizeof f->container_id, "%s", p->container_id);
  enforce_policy_report_event(&x->pol, ev);
  free(ev);
}

static void report(struct enforce *x, const char *service, const char *path,
                   const struct ev_proc *p) {
  report_exec_event(x, path, p);
  if (!x->quiet)
    fprintf(stderr, "habit: enforce proc: denied %s in %s (pid %u, parent %s, uid %u)\n", path,
            service, p->tgid, p->parent_exe[0] ? p->parent_exe : "unknown", p->uid);
  if (!x->out)
    return;
  verdict_begin(&x->j, "exec");
  json_kstr(&x->j, "service", service);
  json_kstr(&x->j, "exe", path);
  json_kstr(&x->j, "parent_exe", p->parent_exe);
  json_ku64(&x->j, "pid", p->tgid);
  json_ku64(&x->j, "uid", p->uid);
  verdict_end(&x->j, "never run by the service while learning", x->out);
}

/* The kernel opens an ELF program's interpreter (ld.so) for exec too: it
 * is part of running the program already decided on. */
static bool interpreter(const char *path) {
  const char *base = strrchr(path, '/');
  base = base ? base + 1 : path;
  return (strncmp(base, "ld-", 3) == 0 || strncmp(base, "ld64", 4) == 0) && strstr(base, ".so");
}

/* Is path in the service's whitelist for this parent and user? A program
 * that exited before the collector could read it was learned by its task
 * name only ("[true]"): it matches the file name cut as the kernel cuts
 * task names. */
static bool whitelisted(const struct model *m, uint32_t svc, const char *path,
                        const struct ev_proc *p) {
  if (model_find_proc(m, svc, path, p->parent_exe, p->uid) != IDXMAP_NONE)
    return true;
  const char *base = strrchr(path, '/');
  char byname[EV_COMM_MAX + 2];
  snprintf(byname, sizeof byname, "[%.*s]", EV_COMM_MAX - 1, base ? base + 1 : path);
  return model_find_proc(m, svc, byname, p->parent_exe, p->uid) != IDXMAP_NONE;
}

/* The configured service that protects path (its protected_files hold
 * the path or a directory above it), or NULL. */
static const struct cfg_service *owner_of(const struct config *cfg, const char *path) {
  for (size_t i = 0; i < cfg->n_services; i++)
    for (size_t j = 0; j < cfg->services[i].n_protected_files; j++) {
      const char *p = cfg->services[i].protected_files[j];
      size_t n = strlen(p);
      if (strncmp(path, p, n) == 0 && (path[n] == '\0' || path[n] == '/' || p[n - 1] == '/'))
        return &cfg->services[i];
    }
  return NULL;
}

static void report_open(struct enforce *x, const char *owner, const char *service,
                        const char *path, const struct ev_proc *p) {
  report_open_event(x, path, p);
  if (!x->quiet)
    fprintf(stderr, "habit: enforce proc: denied open of %s (protected by %s) to %s in %s "
                    "(pid %u)\n", path, owner, p->exe[0] ? p->exe : "?", service, p->tgid);
  if (!x->out)
    return;
  verdict_begin(&x->j, "open");
  json_kstr(&x->j, "service", owner);
  json_kstr(&x->j, "path", path);
  json_kstr(&x->j, "exe", p->exe);
  json_kstr(&x->j, "process_service", service);
  json_ku64(&x->j, "pid", p->tgid);
  verdict_end(&x->j, "not a learned access of the service that protects it", x->out);
}

/* An open of a protected file: only the protecting service's programs that
 * opened it while learning may (when that service is in protect mode). */
static bool decide_open(struct enforce *x, uint32_t pid, const char *path) {
  const struct cfg_service *owner = owner_of(&x->pol.cfg, path);
  if (!owner || enforce_policy_mode(&x->pol, owner->name) != EV_MODE_PROTECT)
    return true;
  struct ev_proc p;
  memset(&p, 0, sizeof p);
  p.pid = p.tgid = pid;
  proc_info_fill("/proc", pid, &p);
  char service[EV_NAME_MAX];
  service_of(x, p.exe, &p, service);
  uint32_t svc = model_find_service(&x->pol.m, owner->name);
  if (strcmp(service, owner->name) == 0 && svc != IDXMAP_NONE &&
      model_file_allowed(&x->pol.m, svc, p.exe, path, FA_READ))
    return true;
  report_open(x, owner->name, service, path, &p);
  return false;
}

static bool decide(void *ctx, uint32_t pid, const char *path, bool exec) {
  struct enforce *x = ctx;
  if (!exec)
    return decide_open(x, pid, path);
  if (interpreter(path))
    return true;
  struct ev_proc p;
  memset(&p, 0, sizeof p);
  p.pid = p.tgid = pid;
  proc_info_fill("/proc", pid, &p);
  char service[EV_NAME_MAX];
  service_of(x, path, &p, service);
  if (enforce_policy_mode(&x->pol, service) != EV_MODE_PROTECT)
    return true;
  uint32_t svc = model_find_service(&x->pol.m, service);
  if (svc != IDXMAP_NONE && whitelisted(&x->pol.m, svc, path, &p))
    return true;
  report(x, service, path, &p);
  return false;
}

struct guard_step {
  struct enforce *x;
  struct exec_guard *g;
};

static int guard_step(void *ctx, struct hb_error *err) {
  struct guard_step *s = ctx;
  return exec_guard_serve(s->g, 200, decide, s->x, err);
}

/* The fallback: the process connector tells of each exec just after it
 * happened; a program the policy refuses is killed before it does much.
 * Also used when fanotify permission events are not available. */
struct netlink_step {
  struct enforce *x;
  struct proc_conn *c;
  struct proc_batch batch;
};

static int netlink_step(void *ctx, struct hb_error *err) {
  struct netlink_step *s = ctx;
  struct hb_error rerr = {0, ""};
  int rc = proc_conn_read(s->c, &s->batch, 200, &rerr);
  if (rc < 0)
    return hb_fail(err, -rc, "%s", rerr.msg);
  for (size_t i = 0; i < s->batch.n; i++) {
    const struct proc_rec *r = &s->batch.recs[i];
    if (r->type != PROC_REC_EXEC || r->tgid == (uint32_t)getpid())
      continue;
    char exe[EV_TEXT_MAX];
    proc_info_exe("/proc", r->tgid, exe, sizeof exe);
    if (exe[0] && !decide(s->x, r->tgid, exe, true) && kill((pid_t)r->tgid, SIGKILL) == 0)
      s->x->killed++;
  }
  return 0;
}

int cmd_enforce(int argc, char **argv) {
  if (argc >= 2 && strcmp(argv[1], "net") == 0)
    return cmd_enforce_net(argc - 1, argv + 1);
  if (argc < 2 || strcmp(argv[1], "proc") != 0) {
    if (argc >= 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
      fputs(enforce_usage, stdout);
      return EXIT_OK;
    }
    cli_error("enforce: expected 'proc' or 'net' (habit enforce proc --model M.db)");
    return EXIT_BAD_INPUT;
  }
  struct enforce *x = calloc(1, sizeof *x);
  if (!x) {
    cli_error("out of memory");
    return EXIT_FAILURE_RT;
  }
  const char *cfg_path = NULL;
  int prc = parse(argc - 1, argv + 1, x, &cfg_path);
  if (prc) {
    free(x);
    return prc > 0 ? EXIT_OK : EXIT_BAD_INPUT;
  }
  struct hb_error err = {0, ""};
  json_init(&x->j);
  struct exec_guard g = {.fd = -1};
  int rc = cli_curve_client(x->curve_server, x->curve_secret, &x->curve, &err);
  if (rc == 0)
    rc = enforce_policy_open(&x->pol, cfg_path, x->model_path, x->engine,
                             x->curve_server ? &x->curve : NULL, &err);
  if (rc == 0 && x->report_to)
    rc = enforce_policy_report_to(&x->pol, x->report_to, &err);
  if (rc == 0 && x->output && !(x->out = cli_open_output(x->output, true, &err)))
    rc = err.code ? err.code : -EIO;
  const volatile sig_atomic_t *stop = cli_catch_stop();
  bool netlink = x->backend == BK_NETLINK;
  if (rc == 0 && !netlink) {
    rc = exec_guard_open(&g, x->guard, x->n_guard, &err);
    if (rc < 0 && x->backend == BK_AUTO) {
      if (!x->quiet)
        cli_error("enforce proc: fanotify permission events unavailable (%s); killing at "
                  "exec from the process connector instead", err.msg);
      netlink = true;
      rc = 0;
    }
  }
  if (rc == 0 && netlink) {
    struct proc_conn *conn = malloc(sizeof *conn);
    if (!conn)
      rc = hb_fail(&err, ENOMEM, "out of memory");
    else if ((rc = proc_conn_open(conn, 4 << 20, &err)) == 0) {
      if (!x->quiet)
        fprintf(stderr, "habit: enforce proc: enforcing by kill at exec (netlink process "
                        "connector; protected files not enforced)\n");
      struct netlink_step *ns = calloc(1, sizeof *ns);
      if (!ns) {
        rc = hb_fail(&err, ENOMEM, "out of memory");
      } else {
        ns->x = x;
        ns->c = conn;
        rc = enforce_policy_loop(&x->pol, x->duration, stop, netlink_step, ns, &err);
        free(ns);
      }
      proc_conn_close(conn);
    }
    free(conn);
  }
  size_t protected = 0;
  for (size_t i = 0; rc == 0 && !netlink && i < x->pol.cfg.n_services; i++)
    for (size_t j = 0; rc == 0 && j < x->pol.cfg.services[i].n_protected_files; j++, protected++)
      rc = exec_guard_protect(&g, x->pol.cfg.services[i].protected_files[j], &err);
  if (rc == 0 && !netlink) {
    if (!x->quiet)
      fprintf(stderr, "habit: enforce proc: enforcing on %zu file system%s (fanotify exec "
                      "permission), %zu protected path%s\n", g.marked, g.marked == 1 ? "" : "s",
              protected, protected == 1 ? "" : "s");
    struct guard_step gs = {x, &g};
    rc = enforce_policy_loop(&x->pol, x->duration, stop, guard_step, &gs, &err);
  }
  exec_guard_close(&g);
  if (rc < 0)
    cli_error("enforce proc: %s", err.msg);
  else if (!x->quiet)
    fprintf(stderr, "habit: enforce proc: execs allowed %llu, denied %llu, unreadable %llu; "
                    "killed at exec %llu; policy reloads %llu; decisions reported %llu "
                    "(dropped %llu)\n",
            (unsigned long long)g.allowed, (unsigned long long)g.denied,
            (unsigned long long)g.unreadable, (unsigned long long)x->killed,
            (unsigned long long)x->pol.reloads, (unsigned long long)x->pol.reported,
            (unsigned long long)x->pol.report.dropped);
  if (x->out && x->out != stdout)
    fclose(x->out);
  enforce_policy_close(&x->pol);
  json_free(&x->j);
  free(x);
  return rc < 0 ? cli_exit_for(rc) : EXIT_OK;
}
