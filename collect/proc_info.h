/* collect/proc_info.h — what /proc tells about a process.
 *
 * Contract: proc_info_fill() enriches an ev_proc from ROOT/PID/{exe, cmdline,
 * status, cwd, cgroup} and the parent's exe, where ROOT is "/proc" live and a
 * fake tree in tests. It never fails: a process that ended before (or while)
 * it was read keeps what was learned, with EV_PROC_F_GONE set and the rest
 * empty (uid/gid EV_PROC_ID_UNKNOWN, ppid 0 unless known); a kernel thread
 * gets EV_PROC_F_KTHREAD. The text parsers take bytes and a length (no NUL
 * needed) so they can be fuzzed; they never read past len and always
 * NUL-terminate what they write. proc_scan() walks ROOT for the processes
 * running at start-up, one EV_PROC_EXISTING record each.
 */
#ifndef HABIT_COLLECT_PROC_INFO_H
#define HABIT_COLLECT_PROC_INFO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/error.h"
#include "core/event.h"

struct proc_status {
  char name[EV_COMM_MAX]; /* Name: (comm) */
  char state;             /* first letter of State:, 0 when absent */
  uint32_t tgid, ppid;    /* Tgid:, PPid: */
  uint32_t uid, gid;      /* real ids (first of Uid:/Gid:); EV_PROC_ID_UNKNOWN */
  int kthread;            /* Kthread: 1/0, -1 when the kernel does not say */
  bool has_ppid;
};

/* Parse the text of /proc/PID/status. 0 when PPid, Uid and Gid were found,
 * -EBADMSG otherwise (what was found is kept). */
int proc_parse_status(const char *buf, size_t len, struct proc_status *st);

/* NUL-separated cmdline bytes -> arguments joined by single spaces in out
 * (cap bytes). more: the source had bytes beyond len. When it does not fit
 * it is cut and ends with "..." and *cut is set. Returns strlen(out). */
size_t proc_format_cmdline(const uint8_t *raw, size_t len, bool more, char *out,
                           size_t cap, bool *cut);

/* From /proc/PID/cgroup text: the cgroup path (v2 "0::/path" unless it is
 * "/", then the name=systemd path unless "/", then the first other v1 path
 * that is not "/", else "/") into
 * path (cap bytes), and the container id found in any line into cid
 * (EV_CONTAINER_MAX bytes, "" when none). 0, or -EBADMSG when no line
 * parsed. */
int proc_parse_cgroup(const char *buf, size_t len, char *path, size_t cap, char *cid);

/* The container id in a cgroup path: docker-<id>.scope, /docker/<id>,
 * cri-containerd-<id>.scope, crio-<id>[.scope], libpod-<id>[.scope], or a
 * component that is a bare 64-hex id (cgroupfs drivers). The deepest match
 * wins (the process's own container). true when found. */
bool proc_container_id(const char *path, size_t len, char *cid);

/* From /proc/PID/stat text: field 22, the start time in clock ticks after
 * boot (the name in field 2 may hold spaces and parentheses: fields are
 * counted from its last ')'). 0, or -EBADMSG. */
int proc_parse_stat_start(const char *buf, size_t len, uint64_t *ticks);
/* When root/pid started, in ns of CLOCK_BOOTTIME; 0 when unknown. A process
 * that started after the event about its pid is another process that took
 * the pid since (cmd_collect_proc.c uses it to refuse its facts). */
uint64_t proc_info_start_ns(const char *root, uint32_t pid);

/* Enrich p (op, pid, tgid already set) from root/pid. ppid already set (the
 * kernel said) is kept when status cannot be read. */
void proc_info_fill(const char *root, uint32_t pid, struct ev_proc *p);
/* Only the parent's exe into out (cap bytes); "" when unknown. */
void proc_info_exe(const char *root, uint32_t pid, char *out, size_t cap);

/* Call cb for every process under root (EV_PROC_EXISTING, enriched). Stops
 * at the first non-zero cb return and returns it; -errno with err when root
 * cannot be read. */
typedef int (*proc_scan_cb)(void *ctx, const struct ev_proc *p);
int proc_scan(const char *root, proc_scan_cb cb, void *ctx, struct hb_error *err);

#endif
