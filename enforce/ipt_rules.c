#include "enforce/ipt_rules.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "enforce/nfq_guard.h"

/* Run iptables (ip6tables with v6) with these arguments (NULL-terminated,
 * "-w" added): 0 when it exits 0. Its messages go to /dev/null: failures
 * are habit's to say. */
static int ipt_run(bool v6, const char *const *args) {
  const char *argv[32];
  size_t n = 0;
  argv[n++] = v6 ? "ip6tables" : "iptables";
  argv[n++] = "-w";
  for (; *args && n < 31; args++)
    argv[n++] = *args;
  argv[n] = NULL;
  pid_t pid = fork();
  if (pid < 0)
    return -errno;
  if (pid == 0) {
    int devnull = open("/dev/null", O_WRONLY);
    if (devnull >= 0) {
      dup2(devnull, 1);
      dup2(devnull, 2);
    }
    execvp(argv[0], (char *const *)argv);
    _exit(127);
  }
  int st;
  while (waitpid(pid, &st, 0) < 0)
    if (errno != EINTR)
      return -errno;
  return WIFEXITED(st) && WEXITSTATUS(st) == 0 ? 0 : -EIO;
}

#define ipt(args) ipt_run(r->v6, args)

#define JUMPS_PER_CIDR 4
static const char *const hooks[JUMPS_PER_CIDR] = {"INPUT", "OUTPUT", "FORWARD", "FORWARD"};
static const char *const sides[JUMPS_PER_CIDR] = {"-d", "-s", "-d", "-s"};

int ipt_rules_install(struct ipt_rules *r, struct hb_error *err) {
  char mark[16], queue[8];
  snprintf(mark, sizeof mark, "0x%x", NFQ_REJECT_MARK);
  snprintf(queue, sizeof queue, "%u", r->queue);
  snprintf(r->chain, sizeof r->chain, "HABIT-Q%u", r->queue);
  r->jumps = 0;
  r->chain_made = false;
  const char *mk[] = {"-N", r->chain, NULL};
  if (ipt(mk) < 0)
    return hb_fail(err, EIO, "%s: cannot create chain %s (is it installed, are we root, "
                   "does the chain exist already?)", r->v6 ? "ip6tables" : "iptables",
                   r->chain);
  r->chain_made = true;
  char own[16];
  snprintf(own, sizeof own, "0x%x", NFQ_OWN_MARK);
  const char *mine[] = {"-A", r->chain, "-m", "mark", "--mark", own, "-j", "ACCEPT", NULL};
  const char *rst[] = {"-A", r->chain, "-p", "tcp", "-m", "mark", "--mark", mark, "-j",
                       "REJECT", "--reject-with", "tcp-reset", NULL};
  const char *unreach[] = {"-A", r->chain, "-m", "mark", "--mark", mark, "-j", "REJECT", NULL};
  const char *q[] = {"-A", r->chain, "-m", "conntrack", "--ctstate", "NEW", "-j", "NFQUEUE",
                     "--queue-num", queue, r->bypass ? "--queue-bypass" : NULL, NULL};
  if (ipt(mine) < 0 || ipt(rst) < 0 || ipt(unreach) < 0 || ipt(q) < 0) {
    ipt_rules_remove(r);
    return hb_fail(err, EIO, "%s: cannot fill chain %s (REJECT, conntrack, NFQUEUE "
                   "targets missing?)", r->v6 ? "ip6tables" : "iptables", r->chain);
  }
  for (size_t i = 0; i < r->n_cidrs; i++)
    for (size_t k = 0; k < JUMPS_PER_CIDR; k++) {
      const char *jump[] = {"-I", hooks[k], sides[k], r->cidrs[i], "-j", r->chain, NULL};
      if (ipt(jump) < 0) {
        ipt_rules_remove(r);
        return hb_fail(err, EIO, "%s: cannot add %s %s %s -j %s",
                       r->v6 ? "ip6tables" : "iptables", hooks[k], sides[k], r->cidrs[i],
                       r->chain);
      }
      r->jumps++;
    }
  return 0;
}

void ipt_rules_remove(struct ipt_rules *r) {
  size_t done = 0;
  for (size_t i = 0; i < r->n_cidrs && done < r->jumps; i++)
    for (size_t k = 0; k < JUMPS_PER_CIDR && done < r->jumps; k++, done++) {
      const char *del[] = {"-D", hooks[k], sides[k], r->cidrs[i], "-j", r->chain, NULL};
      ipt(del);
    }
  r->jumps = 0;
  if (r->chain_made) {
    const char *flush[] = {"-F", r->chain, NULL};
    const char *rm[] = {"-X", r->chain, NULL};
    ipt(flush);
    ipt(rm);
  }
  r->chain_made = false;
}

int ipt_rules_flow(const struct ipt_rules *r, bool add, const char *src, uint16_t sport,
                   const char *dst, uint16_t dport) {
  char queue[8], sp[8], dp[8];
  snprintf(queue, sizeof queue, "%u", r->queue);
  snprintf(sp, sizeof sp, "%u", sport);
  snprintf(dp, sizeof dp, "%u", dport);
  /* -I CHAIN 2: after the rule that lets habit's own packets pass,
   * before the NEW rule; -D needs no position. */
  const char *ins[] = {"-I", r->chain, "2", "-p", "tcp", "-s", src, "--sport", sp, "-d", dst,
                       "--dport", dp, "-j", "NFQUEUE", "--queue-num", queue,
                       r->bypass ? "--queue-bypass" : NULL, NULL};
  const char *del[] = {"-D", r->chain, "-p", "tcp", "-s", src, "--sport", sp, "-d", dst,
                       "--dport", dp, "-j", "NFQUEUE", "--queue-num", queue,
                       r->bypass ? "--queue-bypass" : NULL, NULL};
  return ipt(add ? ins : del);
}
