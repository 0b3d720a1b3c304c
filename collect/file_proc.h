/* collect/file_proc.h — who a process is, from /proc, at the moment asked.
 *
 * Contract: file_proc_fill() sets exe (readlink /proc/PID/exe), comm, the
 * effective uid, the parent pid, the cgroup path and container id of pid in
 * *f. What cannot be read — the process has exited,
 * or /proc hides it — is left empty ("" / EV_UID_UNKNOWN); that is not an
 * error: events about short-lived processes are still worth reporting.
 * proc_root is "/proc" except in tests.
 */
#ifndef HABIT_COLLECT_FILE_PROC_H
#define HABIT_COLLECT_FILE_PROC_H

#include <stdint.h>

#include "core/event.h"

void file_proc_fill(const char *proc_root, uint32_t pid, struct ev_file *f);

#endif
