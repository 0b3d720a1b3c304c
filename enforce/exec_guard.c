#include "enforce/exec_guard.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/fanotify.h>
#include <sys/stat.h>
#include <unistd.h>

int exec_guard_open(struct exec_guard *g, const char *const *paths, size_t n,
                    struct hb_error *err) {
  memset(g, 0, sizeof *g);
  g->fd = fanotify_init(FAN_CLASS_CONTENT | FAN_CLOEXEC | FAN_NONBLOCK,
                        O_RDONLY | O_LARGEFILE | O_CLOEXEC);
  if (g->fd < 0)
    return hb_fail(err, errno, "fanotify_init: %s (permission events need CAP_SYS_ADMIN and "
                   "CONFIG_FANOTIFY_ACCESS_PERMISSIONS)", strerror(errno));
  for (size_t i = 0; i < n; i++) {
    struct stat sb;
    if (stat(paths[i], &sb) != 0)
      continue; /* not on this machine */
    if (fanotify_mark(g->fd, FAN_MARK_ADD | FAN_MARK_FILESYSTEM, FAN_OPEN_EXEC_PERM, AT_FDCWD,
                      paths[i]) != 0) {
      int e = errno;
      close(g->fd);
      g->fd = -1;
      return hb_fail(err, e, "fanotify_mark %s: %s", paths[i], strerror(e));
    }
    g->marked++;
  }
  if (g->marked == 0) {
    close(g->fd);
    g->fd = -1;
    return hb_fail(err, ENOENT, "none of the paths to guard exists");
  }
  return 0;
}

int exec_guard_protect(struct exec_guard *g, const char *path, struct hb_error *err) {
  struct stat sb;
  if (stat(path, &sb) != 0)
    return hb_fail(err, errno, "%s: cannot protect: %s", path, strerror(errno));
  uint64_t mask = FAN_OPEN_PERM | (S_ISDIR(sb.st_mode) ? FAN_EVENT_ON_CHILD : 0);
  if (fanotify_mark(g->fd, FAN_MARK_ADD, mask, AT_FDCWD, path) != 0)
    return hb_fail(err, errno, "fanotify_mark %s: %s", path, strerror(errno));
  return 0;
}

static void answer(int fd, int event_fd, bool allow) {
  struct fanotify_response r = {.fd = event_fd, .response = allow ? FAN_ALLOW : FAN_DENY};
  /* A failed answer leaves the exec waiting until the group closes; there
   * is nothing better to do than to go on. */
  if (write(fd, &r, sizeof r) != (ssize_t)sizeof r)
    return;
}

static void one(struct exec_guard *g, const struct fanotify_event_metadata *m,
                exec_decide_fn decide, void *ctx) {
  if (m->fd < 0)
    return;
  bool allow = true;
  if ((m->mask & (FAN_OPEN_EXEC_PERM | FAN_OPEN_PERM)) && m->pid != getpid()) {
    char link[64], path[4096];
    snprintf(link, sizeof link, "/proc/self/fd/%d", m->fd);
    ssize_t n = readlink(link, path, sizeof path - 1);
    if (n <= 0) {
      g->unreadable++;
    } else {
      path[n] = '\0';
      allow = decide(ctx, (uint32_t)m->pid, path, (m->mask & FAN_OPEN_EXEC_PERM) != 0);
    }
  }
  answer(g->fd, m->fd, allow);
  if (allow)
    g->allowed++;
  else
    g->denied++;
  close(m->fd);
}

int exec_guard_serve(struct exec_guard *g, int timeout_ms, exec_decide_fn decide, void *ctx,
                     struct hb_error *err) {
  struct pollfd p = {.fd = g->fd, .events = POLLIN};
  int r = poll(&p, 1, timeout_ms);
  if (r < 0)
    return errno == EINTR ? 0 : hb_fail(err, errno, "poll: %s", strerror(errno));
  if (r == 0)
    return 0;
  char buf[8192] __attribute__((aligned(8)));
  for (;;) {
    ssize_t len = read(g->fd, buf, sizeof buf);
    if (len < 0) {
      if (errno == EAGAIN || errno == EINTR)
        return 0;
      return hb_fail(err, errno, "fanotify read: %s", strerror(errno));
    }
    const struct fanotify_event_metadata *m = (const void *)buf;
    for (; FAN_EVENT_OK(m, len); m = FAN_EVENT_NEXT(m, len))
      one(g, m, decide, ctx); /* every event is answered, whatever it is */
  }
}

void exec_guard_close(struct exec_guard *g) {
  if (g->fd >= 0)
    close(g->fd);
  g->fd = -1;
}
