#include "enforce/seccomp_run.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <seccomp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

struct seen_key {
  uint32_t arch;
  int32_t nr;
};

void sr_result_init(struct sr_result *r) {
  memset(r, 0, sizeof *r);
  keytab_init(&r->seen, sizeof(struct seen_key));
}

void sr_result_free(struct sr_result *r) { keytab_free(&r->seen); }

char *sr_seen_name(const uint8_t *key) {
  struct seen_key k;
  memcpy(&k, key, sizeof k);
  return seccomp_syscall_resolve_num_arch(k.arch, k.nr);
}

/* Does the kernel refuse on its own (protect, the mode fixed)? */
static bool kernel_protect(const struct sr_opts *o) {
  return o->mode == SR_PROTECT && !o->mode_now;
}

/* Are calls outside allow sent to habit to be checked (not learned)? */
static bool checked(const struct sr_opts *o) {
  return o->mode == SR_MONITOR || (o->mode == SR_PROTECT && o->mode_now);
}

/* The child's filter; NULL with *why set on failure. */
static scmp_filter_ctx build_filter(const struct sr_opts *o, int report_fd, const char **why) {
  uint32_t deny = o->kill ? SCMP_ACT_KILL_PROCESS : SCMP_ACT_ERRNO(EPERM);
  scmp_filter_ctx ctx = seccomp_init(kernel_protect(o) ? deny : SCMP_ACT_NOTIFY);
  *why = "seccomp_init";
  if (!ctx)
    return NULL;
  bool write_allowed = false;
  for (size_t i = 0; o->mode != SR_DISCOVER && i < o->n_allow; i++) {
    int nr = seccomp_syscall_resolve_name(o->allow[i]);
    if (nr == __NR_SCMP_ERROR)
      continue;
    /* monitor: execve stays a notification — it marks where counting
     * starts; note() knows it is allowed. */
    if (checked(o) && nr == SCMP_SYS(execve))
      continue;
    write_allowed |= nr == SCMP_SYS(write);
    if (seccomp_rule_add(ctx, SCMP_ACT_ALLOW, nr, 0) < 0) {
      *why = "seccomp_rule_add";
      seccomp_release(ctx);
      return NULL;
    }
  }
  int rc = 0;
  if (kernel_protect(o))
    rc = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(execve), 0);
  /* The listener's number goes to habit before anything is answered. */
  if (rc == 0 && !kernel_protect(o) && !write_allowed) {
    struct scmp_arg_cmp fd_is = {.arg = 0, .op = SCMP_CMP_EQ,
                                 .datum_a = (scmp_datum_t)report_fd, .datum_b = 0};
    rc = seccomp_rule_add_array(ctx, SCMP_ACT_ALLOW, SCMP_SYS(write), 1, &fd_is);
  }
  if (rc < 0) {
    *why = "seccomp_rule_add";
    seccomp_release(ctx);
    return NULL;
  }
  return ctx;
}

/* In the child: filter, report the listener, wait until habit holds it
 * (a learned close would otherwise pass in the kernel and close it first),
 * exec. Never returns. */
static void child(const struct sr_opts *o, int report_fd, int go_fd) {
  const char *why;
  scmp_filter_ctx ctx = build_filter(o, report_fd, &why);
  if (!ctx || seccomp_load(ctx) < 0) {
    dprintf(2, "habit: run: cannot install the seccomp filter (%s)\n", ctx ? "seccomp_load" : why);
    _exit(126);
  }
  int fd = -1;
  if (!kernel_protect(o))
    fd = seccomp_notify_fd(ctx);
  if (write(report_fd, &fd, sizeof fd) != (ssize_t)sizeof fd)
    _exit(126);
  /* From here habit answers: waiting, closing and exec'ing pass. */
  char go;
  if (fd >= 0 && read(go_fd, &go, 1) != 1)
    _exit(126);
  if (fd >= 0)
    close(fd);
  close(report_fd);
  close(go_fd);
  execvp(o->argv[0], o->argv);
  dprintf(2, "habit: run: %s: %s\n", o->argv[0], strerror(errno));
  _exit(errno == ENOENT ? 127 : 126);
}


static bool allowed(const struct sr_opts *o, const char *name) {
  for (size_t i = 0; i < o->n_allow; i++)
    if (strcmp(o->allow[i], name) == 0)
      return true;
  return false;
}

/* Count the call, and answer it in resp: let through, or - outside the
 * allowed names with protect in force now - refused (EPERM; kill: SIGSYS
 * to the process). Each name is reported the first time it is seen. */
static void note(const struct sr_opts *o, struct sr_result *r, const struct seccomp_notif *req,
                 struct seccomp_notif_resp *resp) {
  struct seen_key k = {req->data.arch, req->data.nr};
  bool created;
  struct keytab_entry *e = keytab_get(&r->seen, &k, &created);
  if (e)
    e->a++;
  if (!checked(o))
    return;
  char *name = seccomp_syscall_resolve_num_arch(k.arch, k.nr);
  if (!name || !allowed(o, name)) {
    bool first = e && created;
    if ((o->mode_now ? o->mode_now(o->ctx) : o->mode) == SR_PROTECT) {
      r->denied++;
      resp->flags = 0;
      resp->error = -EPERM;
      if (o->kill)
        kill((pid_t)req->pid, SIGSYS);
      if (first && o->on_denied)
        o->on_denied(o->ctx, name ? name : "?", (pid_t)req->pid);
    } else {
      r->violations++;
      if (first && o->on_violation)
        o->on_violation(o->ctx, name ? name : "?", (pid_t)req->pid);
    }
  }
  free(name);
}

/* Answer every notification until no task uses the filter any more. */
static int supervise(const struct sr_opts *o, struct sr_result *r, int fd, pid_t pid,
                     struct hb_error *err) {
  struct seccomp_notif *req;
  struct seccomp_notif_resp *resp;
  if (seccomp_notify_alloc(&req, &resp) < 0)
    return hb_fail(err, ENOMEM, "run: out of memory");
  int exec_nr = seccomp_syscall_resolve_name("execve");
  bool armed = false, reaped = false;
  int rc = 0;
  for (;;) {
    struct pollfd p = {.fd = fd, .events = POLLIN};
    int n = poll(&p, 1, 200);
    if (n < 0 && errno != EINTR) {
      rc = hb_fail(err, errno, "run: poll: %s", strerror(errno));
      break;
    }
    if (!reaped && waitpid(pid, &r->status, WNOHANG) == pid)
      reaped = true;
    if (n > 0 && (p.revents & POLLIN)) {
      memset(req, 0, sizeof *req);
      if (seccomp_notify_receive(fd, req) < 0)
        continue; /* the task died meanwhile */
      if (!armed && req->data.nr == exec_nr && (pid_t)req->pid == pid)
        armed = true;
      memset(resp, 0, sizeof *resp);
      resp->id = req->id;
      resp->flags = SECCOMP_USER_NOTIF_FLAG_CONTINUE;
      if (armed)
        note(o, r, req, resp);
      if (seccomp_notify_respond(fd, resp) == 0)
        r->notifications++;
      continue;
    }
    if (n > 0 && (p.revents & (POLLHUP | POLLERR)))
      break; /* every task under the filter has exited */
  }
  seccomp_notify_free(req, resp);
  if (!reaped && waitpid(pid, &r->status, 0) < 0 && rc == 0)
    rc = hb_fail(err, errno, "run: waitpid: %s", strerror(errno));
  return rc;
}

/* The listener the child reported, taken into this process. */
static int take_listener(pid_t pid, int child_fd, struct hb_error *err) {
  int pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
  if (pidfd < 0)
    return hb_fail(err, errno, "run: pidfd_open: %s", strerror(errno));
  int fd = (int)syscall(SYS_pidfd_getfd, pidfd, child_fd, 0);
  int e = errno;
  close(pidfd);
  if (fd < 0)
    return hb_fail(err, e, "run: pidfd_getfd: %s", strerror(e));
  return fd;
}

int seccomp_run(const struct sr_opts *o, struct sr_result *r, struct hb_error *err) {
  int pipefd[2], gofd[2];
  if (pipe2(pipefd, O_CLOEXEC) < 0)
    return hb_fail(err, errno, "run: pipe: %s", strerror(errno));
  if (pipe2(gofd, O_CLOEXEC) < 0) {
    int e = errno;
    close(pipefd[0]);
    close(pipefd[1]);
    return hb_fail(err, e, "run: pipe: %s", strerror(e));
  }
  pid_t pid = fork();
  if (pid < 0) {
    int e = errno;
    close(pipefd[0]);
    close(pipefd[1]);
    close(gofd[0]);
    close(gofd[1]);
    return hb_fail(err, e, "run: fork: %s", strerror(e));
  }
  if (pid == 0) {
    close(pipefd[0]);
    close(gofd[1]);
    child(o, pipefd[1], gofd[0]);
  }
  close(pipefd[1]);
  close(gofd[0]);
  int child_fd = -1;
  ssize_t got;
  do
    got = read(pipefd[0], &child_fd, sizeof child_fd);
  while (got < 0 && errno == EINTR);
  close(pipefd[0]);
  if (got != (ssize_t)sizeof child_fd) {
    close(gofd[1]);
    waitpid(pid, &r->status, 0);
    return hb_fail(err, EPERM, "run: the seccomp filter could not be installed");
  }
  if (kernel_protect(o)) {
    close(gofd[1]);
    while (waitpid(pid, &r->status, 0) < 0)
      if (errno != EINTR)
        return hb_fail(err, errno, "run: waitpid: %s", strerror(errno));
    return 0;
  }
  int fd = take_listener(pid, child_fd, err);
  bool went = fd >= 0 && write(gofd[1], "g", 1) == 1;
  close(gofd[1]);
  if (!went) {
    if (fd >= 0) {
      hb_fail(err, errno, "run: cannot start the command: %s", strerror(errno));
      close(fd);
    }
    kill(pid, SIGKILL);
    waitpid(pid, &r->status, 0);
    return err->code ? err->code : -EIO;
  }
  int rc = supervise(o, r, fd, pid, err);
  close(fd);
  return rc;
}
