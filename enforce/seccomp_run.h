/* enforce/seccomp_run.h — run a command under a seccomp filter (habit run).
 *
 * Contract: seccomp_run() forks, installs a filter in the child (libseccomp,
 * no_new_privs set) and execs argv there; the filter and its supervision
 * follow the mode:
 *  - SR_DISCOVER: every syscall of the command and its descendants is sent
 *    to habit (user notification), counted by name and let through;
 *  - SR_MONITOR: the allowed names pass in the kernel; any other is sent to
 *    habit, reported through on_violation (once per name) and let through;
 *  - SR_PROTECT: the allowed names pass, any other fails with EPERM (or,
 *    with kill, kills the process: SIGSYS); habit only waits.
 * With mode_now set (monitor or protect), the mode may change while the
 * command runs: the allowed names pass in the kernel, any other is sent to
 * habit and answered by the mode mode_now() gives at that moment - protect:
 * EPERM (kill: SIGSYS to the process), reported through on_denied once per
 * name; anything else: let through and reported through on_violation.
 * execve is always allowed (what runs is the process whitelist's business).
 * Counting starts at the command's first execve: the child's own set-up is
 * not the command's. Returns 0 with the child's wait status in *status once
 * the command and every descendant under the filter are gone, or negative
 * with err set (nothing was run, or supervision failed).
 */
#ifndef HABIT_ENFORCE_SECCOMP_RUN_H
#define HABIT_ENFORCE_SECCOMP_RUN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "core/error.h"
#include "core/keytab.h"

enum sr_mode { SR_DISCOVER = 1, SR_MONITOR = 2, SR_PROTECT = 3 };

struct sr_opts {
  enum sr_mode mode;
  bool kill;                   /* protect: kill instead of EPERM */
  char *const *argv;           /* the command, argv[0] looked up in PATH */
  const char *const *allow;    /* syscall names (monitor, protect) */
  size_t n_allow;
  /* monitor: a syscall outside allow, the first time its name is seen. */
  void (*on_violation)(void *ctx, const char *name, pid_t pid);
  /* Optional: the mode in force now (see above), and a refusal it made. */
  enum sr_mode (*mode_now)(void *ctx);
  void (*on_denied)(void *ctx, const char *name, pid_t pid);
  void *ctx;
};

struct sr_result {
  int status;                  /* the command's wait status */
  struct keytab seen;          /* key (arch, nr): a = calls (discover, monitor) */
  uint64_t notifications;      /* answered */
  uint64_t violations;         /* monitor: calls outside allow, let through */
  uint64_t denied;             /* mode_now protect: calls refused by habit */
  size_t unknown_names;        /* allow names this architecture lacks */
};

void sr_result_init(struct sr_result *r);
void sr_result_free(struct sr_result *r);
int seccomp_run(const struct sr_opts *o, struct sr_result *r, struct hb_error *err);
/* The name of a seen syscall key (keytab entry key); NULL when unknown. The
 * string is libseccomp's (free() it). */
char *sr_seen_name(const uint8_t *key);

#endif
