/* enforce/exec_guard.h — deny the exec of a program before it starts, and
 * the open of a protected file.
 *
 * Contract: exec_guard_open() asks fanotify for permission events
 * (FAN_OPEN_EXEC_PERM) on the file systems holding the given paths; from
 * then on every execve of a file there waits for this process's answer.
 * exec_guard_serve() reads what is pending and answers each event: the
 * decide callback gets the pid that is exec'ing and the program's path and
 * says allow (true) or deny (false: the caller's execve fails with EPERM).
 * exec_guard_protect() adds a protected path (FAN_OPEN_PERM on the file,
 * or on a directory's entries): its opens are decided the same way, with
 * exec false. Events of this process, and any event whose path cannot be
 * read, are allowed. When the guard's fd closes (exit, kill -9), the kernel lets
 * everything through again: fanotify enforcement is fail-open by nature.
 */
#ifndef HABIT_ENFORCE_EXEC_GUARD_H
#define HABIT_ENFORCE_EXEC_GUARD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/error.h"

typedef bool (*exec_decide_fn)(void *ctx, uint32_t pid, const char *path, bool exec);

struct exec_guard {
  int fd;
  size_t marked;                  /* file systems marked */
  uint64_t allowed, denied, unreadable;
};

int exec_guard_open(struct exec_guard *g, const char *const *paths, size_t n,
                    struct hb_error *err);
int exec_guard_protect(struct exec_guard *g, const char *path, struct hb_error *err);
/* Answer every pending event (waiting up to timeout_ms for the first).
 * 0, or negative with err on a read failure. */
int exec_guard_serve(struct exec_guard *g, int timeout_ms, exec_decide_fn decide, void *ctx,
                     struct hb_error *err);
void exec_guard_close(struct exec_guard *g);

#endif
