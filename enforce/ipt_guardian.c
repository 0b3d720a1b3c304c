#include "enforce/ipt_guardian.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define GUARDIAN_DONE 'q' /* the enforcer removed its rules itself */

/* In the guardian: wait for the word or for the enforcer's death. */
static void guard(int fd, struct ipt_rules *sets, size_t n) {
  signal(SIGINT, SIG_IGN);
  signal(SIGTERM, SIG_IGN);
  signal(SIGHUP, SIG_IGN);
  char c = 0;
  ssize_t got;
  do
    got = read(fd, &c, 1);
  while (got < 0 && errno == EINTR);
  if (got == 1 && c == GUARDIAN_DONE)
    _exit(0);
  for (size_t i = 0; i < n; i++)
    ipt_rules_remove(&sets[i]);
  _exit(0);
}

int ipt_guardian_start(struct ipt_guardian *g, const struct ipt_rules *sets, size_t n,
                       struct hb_error *err) {
  g->pid = 0;
  g->fd = -1;
  int p[2];
  if (pipe2(p, O_CLOEXEC) < 0)
    return hb_fail(err, errno, "guardian: pipe: %s", strerror(errno));
  pid_t pid = fork();
  if (pid < 0) {
    int e = errno;
    close(p[0]);
    close(p[1]);
    return hb_fail(err, e, "guardian: fork: %s", strerror(e));
  }
  if (pid == 0) {
    close(p[1]);
    /* Nothing of the enforcer's but the pipe: a queue socket kept open
     * here would keep the queue bound, and bypass off, after its death. */
    if (p[0] != 3 && dup2(p[0], 3) < 0)
      _exit(1);
    close_range(4, ~0U, 0);
    p[0] = 3;
    /* Its own copy: the enforcer's memory is gone when it matters. */
    struct ipt_rules copy[2];
    size_t k = n < 2 ? n : 2;
    memcpy(copy, sets, k * sizeof *copy);
    guard(p[0], copy, k);
  }
  close(p[0]);
  g->pid = pid;
  g->fd = p[1];
  return 0;
}

void ipt_guardian_stop(struct ipt_guardian *g) {
  if (g->fd >= 0) {
    char c = GUARDIAN_DONE;
    ssize_t w = write(g->fd, &c, 1);
    (void)w; /* a guardian already gone has nothing to be told */
    close(g->fd);
  }
  g->fd = -1;
  if (g->pid > 0)
    while (waitpid(g->pid, NULL, 0) < 0 && errno == EINTR)
      ;
  g->pid = 0;
}
