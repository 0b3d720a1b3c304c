/* collect/file_proc.c — see file_proc.h. */
#include "collect/file_proc.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "collect/proc_info.h"

/* Up to cap-1 bytes of a small /proc file, NUL-terminated; -1 if unreadable. */
static ssize_t read_small(const char *path, char *out, size_t cap) {
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return -1;
  ssize_t n = read(fd, out, cap - 1);
  close(fd);
  if (n < 0)
    return -1;
  out[n] = '\0';
  return n;
}

/* The effective uid: the second number of the "Uid:" line. */
static uint32_t status_uid(const char *status) {
  const char *line = strstr(status, "\nUid:");
  if (!line)
    return EV_UID_UNKNOWN;
  char *end;
  strtoul(line + 5, &end, 10); /* real */
  const char *p = end;
  unsigned long euid = strtoul(p, &end, 10);
  if (end == p || euid >= EV_UID_UNKNOWN)
    return EV_UID_UNKNOWN;
  return (uint32_t)euid;
}

/* The parent's pid: the "PPid:" line; 0 when missing. */
static uint32_t status_ppid(const char *status) {
  const char *line = strstr(status, "\nPPid:");
  if (!line)
    return 0;
  unsigned long v = strtoul(line + 6, NULL, 10);
  return v > UINT32_MAX ? 0 : (uint32_t)v;
}

void file_proc_fill(const char *proc_root, uint32_t pid, struct ev_file *f) {
  char path[128], buf[2048];
  f->exe[0] = f->comm[0] = f->cgroup[0] = f->container_id[0] = '\0';
  f->uid = EV_UID_UNKNOWN;
  f->ppid = 0;
  if (pid == 0)
    return;
  snprintf(path, sizeof path, "%s/%u/exe", proc_root, pid);
  ssize_t n = readlink(path, f->exe, sizeof f->exe - 1);
  f->exe[n > 0 ? n : 0] = '\0';
  snprintf(path, sizeof path, "%s/%u/comm", proc_root, pid);
  n = read_small(path, buf, sizeof f->comm + 1);
  if (n > 0) {
    size_t len = strcspn(buf, "\n");
    if (len >= sizeof f->comm)
      len = sizeof f->comm - 1;
    memcpy(f->comm, buf, len);
    f->comm[len] = '\0';
  }
  snprintf(path, sizeof path, "%s/%u/status", proc_root, pid);
  if (read_small(path, buf, sizeof buf) > 0) {
    f->uid = status_uid(buf);
    f->ppid = status_ppid(buf);
  }
  snprintf(path, sizeof path, "%s/%u/cgroup", proc_root, pid);
  if ((n = read_small(path, buf, sizeof buf)) > 0)
    proc_parse_cgroup(buf, (size_t)n, f->cgroup, sizeof f->cgroup, f->container_id);
}
