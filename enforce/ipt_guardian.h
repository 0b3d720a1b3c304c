/* enforce/ipt_guardian.h — fail-open that survives kill -9: a watcher that
 * removes habit's iptables rules when the enforcer dies, however it dies.
 *
 * Contract: ipt_guardian_start() forks a small process that holds a copy
 * of the installed rule sets and waits on a pipe whose write end only the
 * enforcer holds (close-on-exec, so the iptables it runs never keep it).
 * When the enforcer ends on its own it calls ipt_guardian_stop(): the
 * guardian is told it is done, and exits without touching anything (the
 * enforcer removes its rules itself). If the enforcer dies any other way
 * (SIGKILL, a crash), the pipe closes unannounced and the guardian removes
 * every rule (ipt_rules_remove) and exits. The guardian ignores SIGINT,
 * SIGTERM and SIGHUP (a terminal's ^C reaches the whole group; the
 * enforcer's own clean-up handles it). Only for fail-open: fail-closed
 * rules are meant to stay and block.
 */
#ifndef HABIT_ENFORCE_IPT_GUARDIAN_H
#define HABIT_ENFORCE_IPT_GUARDIAN_H

#include <stddef.h>
#include <sys/types.h>

#include "core/error.h"
#include "enforce/ipt_rules.h"

struct ipt_guardian {
  pid_t pid;    /* 0: none */
  int fd;       /* the write end; -1: none */
};

int ipt_guardian_start(struct ipt_guardian *g, const struct ipt_rules *sets, size_t n,
                       struct hb_error *err);
void ipt_guardian_stop(struct ipt_guardian *g);

#endif
