/* habit run — a command under its service's seccomp profile (DESIGN §1).
 *
 * discover records the syscalls the command and its children make into the
 * service's syscall set in the model (one transaction when it ends);
 * monitor lets the learned ones through in the kernel and reports the
 * others (letting them through); protect installs the learned set as an
 * allowlist: anything else fails with EPERM, or kills with --kill. The
 * exit code is the command's (128 + signal when killed); habit's own
 * failures before the command runs are 2 (usage, model) and 3 (machine).
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "cli/cli.h"
#include "core/timefmt.h"
#include "enforce/seccomp_run.h"
#include "models/model.h"
#include "models/store.h"
#include "models/store_modes.h"

static const char run_usage[] =
    "usage: habit run --model M.db --service NAME [--mode discover|monitor|protect]\n"
    "                 [--kill] -- COMMAND [ARG...]\n"
    "\n"
    "Runs COMMAND under a seccomp filter for the service NAME:\n"
    "  discover  records every syscall COMMAND and its children make into the\n"
    "            service's syscall set in M.db (created if missing);\n"
    "  monitor   learned syscalls pass; others are reported on stderr and pass;\n"
    "  protect   learned syscalls pass; others fail with EPERM (--kill: the\n"
    "            process is killed with SIGSYS).\n"
    "Without --mode: the service's mode set with habit policy mode, else discover.\n"
    "execve is always allowed. no_new_privs is set (setuid programs do not gain\n"
    "privileges). Exit: COMMAND's code (128 + signal when killed); before it runs,\n"
    "2 bad usage or model, 3 failure of the machine. Needs Linux >= 5.9.\n";

struct run_opts {
  const char *model, *service;
  enum sr_mode mode; /* 0: from the model */
  bool kill;
  char **argv;
};

static int parse(int argc, char **argv, struct run_opts *o) {
  static const struct option longopts[] = {
      {"model", required_argument, NULL, 'm'}, {"service", required_argument, NULL, 's'},
      {"mode", required_argument, NULL, 'M'},  {"kill", no_argument, NULL, 'k'},
      {"help", no_argument, NULL, 'h'},        {0, 0, 0, 0},
  };
  memset(o, 0, sizeof *o);
  optind = 1;
  int ch;
  while ((ch = getopt_long(argc, argv, "+m:s:h", longopts, NULL)) != -1) {
    switch (ch) {
    case 'm': o->model = optarg; break;
    case 's': o->service = optarg; break;
    case 'k': o->kill = true; break;
    case 'M':
      o->mode = (enum sr_mode)ev_mode_parse(optarg);
      if (!o->mode) {
        cli_error("run: --mode %s: expected discover, monitor or protect", optarg);
        return -1;
      }
      break;
    case 'h': fputs(run_usage, stdout); return 1;
    default: fputs(run_usage, stderr); return -1;
    }
  }
  if (!o->model || !o->service || optind >= argc) {
    cli_error("run: --model, --service and a command (after --) are required");
    return -1;
  }
  if (!o->service[0] || strlen(o->service) >= EV_NAME_MAX) {
    cli_error("run: --service: a name of 1 to %d bytes", EV_NAME_MAX - 1);
    return -1;
  }
  o->argv = argv + optind;
  return 0;
}

/* The mode set at run time for the service, else discover. */
static enum sr_mode model_mode(struct store *st, const char *service, struct hb_error *err) {
  struct svc_mode *modes = NULL;
  size_t n = 0;
  enum sr_mode mode = SR_DISCOVER;
  if (store_load_modes(st, &modes, &n, err) < 0)
    return 0;
  for (size_t i = 0; i < n; i++)
    if (strcmp(modes[i].service, service) == 0)
      mode = (enum sr_mode)modes[i].mode;
  free(modes);
  return mode;
}

/* While the command runs: the service, and its mode as `policy mode` sets
 * it when no --mode fixed it (re-read at most every 200 ms). */
struct run_ctx {
  const char *service;
  struct store *st;
  enum sr_mode mode;
  uint64_t next_check;
};

static enum sr_mode mode_now(void *ctx) {
  struct run_ctx *c = ctx;
  uint64_t now = hb_mono_ns();
  if (now < c->next_check)
    return c->mode;
  c->next_check = now + 200000000ull;
  if (!store_modes_changed(c->st))
    return c->mode;
  struct hb_error err = {0, ""};
  enum sr_mode m = model_mode(c->st, c->service, &err);
  if (m && m != c->mode) {
    fprintf(stderr, "habit: run: %s: now in %s (policy mode)\n", c->service,
            ev_mode_name((uint8_t)m));
    c->mode = m;
  }
  return c->mode;
}

static void on_violation(void *ctx, const char *name, pid_t pid) {
  const struct run_ctx *c = ctx;
  fprintf(stderr, "habit: run: %s: syscall %s (pid %d) was never made while learning "
                  "(monitor: let through)\n", c->service, name, (int)pid);
}

static void on_denied(void *ctx, const char *name, pid_t pid) {
  const struct run_ctx *c = ctx;
  fprintf(stderr, "habit: run: %s: syscall %s (pid %d) was never made while learning "
                  "(protect: refused)\n", c->service, name, (int)pid);
}

/* Fold what discover saw into the model, in one transaction. */
static int learn(struct store *st, struct model *m, const struct run_opts *o,
                 struct sr_result *r, struct hb_error *err) {
  uint32_t svc;
  uint32_t before = m->n_syscalls;
  if (model_get_service(m, o->service, SVC_CONFIGURED, &svc) < 0)
    return hb_fail(err, ENOMEM, "out of memory");
  uint64_t now = hb_now_ns();
  for (size_t i = 0; i < r->seen.cap; i++) {
    struct keytab_entry *e = &r->seen.e[i];
    if (!e->hash)
      continue;
    char *name = sr_seen_name(e->key);
    int rc = name ? model_learn_syscall(m, svc, name, e->a, now, NULL) : 0;
    free(name);
    if (rc < 0)
      return hb_fail(err, ENOMEM, "out of memory");
  }
  int rc = store_begin_run(st, err);
  if (rc == 0)
    rc = store_flush(st, m, err);
  if (rc == 0)
    rc = store_commit_run(st, o->argv[0], 0, err);
  if (rc == 0)
    fprintf(stderr, "habit: run: %s: %zu syscalls seen, %u new to the model\n", o->service,
            r->seen.n, (unsigned)(m->n_syscalls - before));
  return rc;
}

/* The service's learned names (pointers into m). */
static const char **learned(const struct model *m, const char *service, size_t *n) {
  uint32_t svc = model_find_service(m, service);
  const char **names = malloc((m->n_syscalls + 1) * sizeof *names);
  *n = 0;
  for (uint32_t i = 0; names && svc != IDXMAP_NONE && i < m->n_syscalls; i++)
    if (m->syscalls[i].service == svc)
      names[(*n)++] = m->syscalls[i].name;
  return names;
}

static int exit_code(int status) {
  if (WIFEXITED(status))
    return WEXITSTATUS(status);
  if (WIFSIGNALED(status))
    return 128 + WTERMSIG(status);
  return EXIT_FAILURE_RT;
}

int cmd_run(int argc, char **argv) {
  struct run_opts o;
  int prc = parse(argc, argv, &o);
  if (prc)
    return prc > 0 ? EXIT_OK : EXIT_BAD_INPUT;
  struct hb_error err = {0, ""};
  struct store st;
  struct model m;
  model_init(&m);
  int rc = store_open(&st, o.model, o.mode == SR_DISCOVER || !o.mode ? STORE_CREATE : STORE_READONLY,
                      &err);
  bool opened = rc == 0;
  if (rc == 0)
    rc = store_load(&st, &m, &err);
  /* Without --mode the model's mode is followed while the command runs. */
  bool follow = !o.mode;
  if (rc == 0 && !o.mode && !(o.mode = model_mode(&st, o.service, &err)))
    rc = -EIO;
  struct run_ctx rctx = {.service = o.service, .st = &st, .mode = o.mode};
  if (rc == 0 && follow)
    store_modes_changed(&st); /* what model_mode read is the state to follow */
  size_t n = 0;
  const char **names = NULL;
  if (rc == 0 && o.mode != SR_DISCOVER) {
    if (!(names = learned(&m, o.service, &n)))
      rc = hb_fail(&err, ENOMEM, "out of memory");
    else if (n == 0)
      rc = hb_fail(&err, ENOENT, "%s: service '%s' has no syscalls learned (run it with "
                   "--mode discover first)", o.model, o.service);
  }
  struct sr_result r;
  sr_result_init(&r);
  int code = EXIT_OK;
  if (rc == 0) {
    rctx.mode = o.mode;
    struct sr_opts so = {.mode = o.mode, .kill = o.kill, .argv = o.argv, .allow = names,
                         .n_allow = n, .on_violation = on_violation, .on_denied = on_denied,
                         .mode_now = follow && o.mode != SR_DISCOVER ? mode_now : NULL,
                         .ctx = &rctx};
    signal(SIGPIPE, SIG_IGN);
    rc = seccomp_run(&so, &r, &err);
    if (rc == 0) {
      code = exit_code(r.status);
      if (o.mode == SR_DISCOVER)
        rc = learn(&st, &m, &o, &r, &err);
      else if (o.mode == SR_MONITOR || so.mode_now)
        fprintf(stderr, "habit: run: %s: %llu calls outside the learned set let through, "
                        "%llu refused by habit\n", o.service,
                (unsigned long long)r.violations, (unsigned long long)r.denied);
    }
  }
  if (rc < 0) {
    cli_error("run: %s", err.msg);
    code = cli_exit_for(rc);
  }
  sr_result_free(&r);
  free(names);
  if (opened)
    store_close(&st);
  model_free(&m);
  return code;
}
