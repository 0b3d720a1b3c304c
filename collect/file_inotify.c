/* collect/file_inotify.c — the inotify backend of the file collector, for
 * kernels or containers where fanotify is refused.
 *
 * Same watches as fanotify (a directory with its entries; a file, plus its
 * parent's entry operations filtered by name) and the same operations, but
 * inotify does not say who: events carry pid 0 and no process fields, and
 * an exec is seen as an open. A watched file replaced by rename is watched
 * again when its name reappears.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/inotify.h>
#include <unistd.h>

#include "collect/file_watch.h"

#define ENTRY_MASK (IN_CREATE | IN_DELETE | IN_MOVED_FROM | IN_MOVED_TO)
#define FILE_MASK (IN_OPEN | IN_MODIFY)
#define DIR_MASK (FILE_MASK | ENTRY_MASK)

static int cannot(const char *what, const char *path, struct hb_error *err) {
  int code = errno;
  return hb_fail(err, code, "%s: %s: %s", path, what, strerror(code));
}

int fw_inotify_open(struct file_watch *fw, struct hb_error *err) {
  fw->fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
  if (fw->fd < 0) {
    int code = errno;
    return hb_fail(err, code, "inotify_init1: %s", strerror(code));
  }
  char path[EV_PATH_MAX + 256];
  for (size_t i = 0; i < fw->n; i++) {
    struct fw_watch *w = &fw->w[i];
    /* IN_MASK_ADD: a directory shared by several watches keeps every mask. */
    w->wd_dir = inotify_add_watch(fw->fd, w->dir,
                                  (w->is_dir ? DIR_MASK : ENTRY_MASK) | IN_MASK_ADD);
    if (w->wd_dir < 0)
      return cannot("cannot watch with inotify", w->rule, err);
    if (w->is_dir)
      continue;
    snprintf(path, sizeof path, "%s/%s", strcmp(w->dir, "/") ? w->dir : "", w->base);
    w->wd_self = inotify_add_watch(fw->fd, path, FILE_MASK | IN_MASK_ADD);
    if (w->wd_self < 0)
      return cannot("cannot watch with inotify", w->rule, err);
  }
  return 0;
}

static bool same_dir(const struct fw_watch *w, const void *key) {
  return w->wd_dir == *(const int *)key;
}

static unsigned ops_of(uint32_t mask) {
  unsigned ops = 0;
  if (mask & IN_OPEN)
    ops |= FW_OP_BIT(EV_FILE_OPEN);
  if (mask & IN_MODIFY)
    ops |= FW_OP_BIT(EV_FILE_MODIFY);
  if (mask & IN_CREATE)
    ops |= FW_OP_BIT(EV_FILE_CREATE);
  if (mask & IN_DELETE)
    ops |= FW_OP_BIT(EV_FILE_DELETE);
  if (mask & (IN_MOVED_FROM | IN_MOVED_TO))
    ops |= FW_OP_BIT(EV_FILE_MOVE);
  return ops;
}

static void rewatch(struct file_watch *fw, struct fw_watch *w, uint32_t mask) {
  if (w->is_dir || !(mask & (IN_CREATE | IN_MOVED_TO)))
    return;
  char path[EV_PATH_MAX + 256];
  snprintf(path, sizeof path, "%s/%s", strcmp(w->dir, "/") ? w->dir : "", w->base);
  int wd = inotify_add_watch(fw->fd, path, FILE_MASK | IN_MASK_ADD);
  if (wd >= 0) {
    w->wd_self = wd;
    fw->c.rewatched++;
  }
}

static int one_event(struct file_watch *fw, const struct inotify_event *e, fw_emit_fn emit,
                     void *ctx, struct hb_error *err) {
  if (e->mask & IN_Q_OVERFLOW) {
    fw->c.overflows++;
    return 0;
  }
  bool is_dir = (e->mask & IN_ISDIR) != 0;
  unsigned ops = ops_of(e->mask);
  if (is_dir)
    ops &= ~(FW_OP_BIT(EV_FILE_OPEN) | FW_OP_BIT(EV_FILE_MODIFY));
  if (!ops)
    return 0;
  const char *name = e->len ? e->name : NULL;
  /* The file's own watch: no name. */
  for (size_t i = 0; !name && i < fw->n; i++)
    if (!fw->w[i].is_dir && fw->w[i].wd_self == e->wd)
      return fw_emit(fw, &fw->w[i], fw->w[i].base, NULL, ops, is_dir, 0, emit, ctx, err);
  const struct fw_watch *w = fw_match(fw, name, same_dir, &e->wd);
  if (!w || (!w->is_dir && !name)) {
    fw->c.unmatched++;
    return 0;
  }
  rewatch(fw, (struct fw_watch *)w, e->mask);
  return fw_emit(fw, w, w->is_dir ? name : w->base, NULL, ops, is_dir, 0, emit, ctx, err);
}

int fw_inotify_read(struct file_watch *fw, fw_emit_fn emit, void *ctx,
                    struct hb_error *err) {
  int total = 0;
  for (;;) {
    ssize_t n = read(fw->fd, fw->buf, fw->cap);
    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0 && errno == EAGAIN)
      return total;
    if (n < 0)
      return cannot("cannot read", "inotify", err);
    if (n == 0)
      return total;
    size_t pos = 0, len = (size_t)n;
    while (pos < len) {
      struct inotify_event e;
      if (len - pos < sizeof e) {
        fw->c.malformed++;
        break;
      }
      memcpy(&e, fw->buf + pos, sizeof e);
      if (e.len > len - pos - sizeof e) {
        fw->c.malformed++;
        break;
      }
      const struct inotify_event *full = (const void *)(fw->buf + pos);
      if (e.len && !memchr(full->name, '\0', e.len)) {
        fw->c.malformed++;
        break;
      }
      pos += sizeof e + e.len;
      int got = one_event(fw, full, emit, ctx, err);
      if (got < 0)
        return got;
      total += got;
    }
  }
}
