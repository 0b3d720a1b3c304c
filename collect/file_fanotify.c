/* collect/file_fanotify.c — the fanotify backend of the file collector.
 *
 * One notification-class group reporting directory fids and names
 * (FAN_REPORT_DFID_NAME, Linux >= 5.9), so creations, deletions and renames
 * are named and every event carries the pid. Marks: a watched directory
 * gets every operation on itself and its entries (FAN_EVENT_ON_CHILD); a
 * watched file gets open/exec/modify on its inode, and its parent directory
 * gets the entry operations only (create, delete, rename), filtered by name
 * here — that is how a file replaced by rename (vipw, dpkg) is seen and
 * marked again. An event's directory is matched to a watch by file system
 * id and handle, taken once at setup; a file whose mark followed it out of
 * every watched directory is named through open_by_handle_at.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/fanotify.h>
#include <sys/statfs.h>
#include <unistd.h>

#include "collect/file_watch.h"

#define ENTRY_MASK (FAN_CREATE | FAN_DELETE | FAN_MOVED_FROM | FAN_MOVED_TO)
#define FILE_MASK (FAN_OPEN | FAN_OPEN_EXEC | FAN_MODIFY)
#define DIR_MASK (FILE_MASK | ENTRY_MASK | FAN_EVENT_ON_CHILD | FAN_ONDIR)

struct handle_buf {
  struct file_handle fh;
  unsigned char bytes[FAN_HANDLE_MAX];
};

static int cannot(const char *what, const char *path, struct hb_error *err) {
  int code = errno;
  return hb_fail(err, code, "%s: %s: %s", path, what, strerror(code));
}

static int mark(struct file_watch *fw, unsigned mask, int dirfd, const char *path,
                const char *name, struct hb_error *err) {
  if (fanotify_mark(fw->fd, FAN_MARK_ADD, mask, dirfd, path) != 0)
    return cannot("cannot watch with fanotify", name, err);
  return 0;
}

static int setup_watch(struct file_watch *fw, struct fw_watch *w, struct hb_error *err) {
  w->dir_fd = open(w->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (w->dir_fd < 0)
    return cannot("cannot open", w->dir, err);
  struct handle_buf h;
  h.fh.handle_bytes = FAN_HANDLE_MAX;
  int mount_id;
  if (name_to_handle_at(w->dir_fd, "", &h.fh, &mount_id, AT_EMPTY_PATH) != 0)
    return cannot("no file handle", w->dir, err);
  struct statfs sf;
  if (fstatfs(w->dir_fd, &sf) != 0)
    return cannot("cannot statfs", w->dir, err);
  memcpy(w->fsid, &sf.f_fsid, sizeof w->fsid);
  w->handle_type = h.fh.handle_type;
  w->handle_len = h.fh.handle_bytes;
  memcpy(w->handle, h.fh.f_handle, h.fh.handle_bytes);
  if (w->is_dir)
    return mark(fw, DIR_MASK, w->dir_fd, NULL, w->rule, err);
  int rc = mark(fw, ENTRY_MASK | FAN_ONDIR, w->dir_fd, NULL, w->rule, err);
  if (rc == 0)
    rc = mark(fw, FILE_MASK, w->dir_fd, w->base, w->rule, err);
  return rc;
}

int fw_fanotify_open(struct file_watch *fw, struct hb_error *err) {
  fw->fd = fanotify_init(FAN_CLASS_NOTIF | FAN_CLOEXEC | FAN_NONBLOCK | FAN_REPORT_DFID_NAME,
                         O_RDONLY | O_LARGEFILE | O_CLOEXEC);
  if (fw->fd < 0) {
    int code = errno;
    return hb_fail(err, code, "fanotify_init: %s", strerror(code));
  }
  for (size_t i = 0; i < fw->n; i++) {
    int rc = setup_watch(fw, &fw->w[i], err);
    if (rc < 0) {
      for (size_t j = 0; j <= i; j++)
        if (fw->w[j].dir_fd >= 0) {
          close(fw->w[j].dir_fd);
          fw->w[j].dir_fd = -1;
        }
      close(fw->fd);
      fw->fd = -1;
      return rc;
    }
  }
  return 0;
}

static bool same_dir(const struct fw_watch *w, const void *key) {
  const struct fan_event *e = key;
  return memcmp(w->fsid, e->fsid, sizeof w->fsid) == 0 && w->handle_type == e->handle_type &&
         w->handle_len == e->handle_len && memcmp(w->handle, e->handle, e->handle_len) == 0;
}

static unsigned ops_of(uint64_t mask) {
  unsigned ops = 0;
  if (mask & FAN_OPEN_EXEC)
    ops |= FW_OP_BIT(EV_FILE_EXEC);
  else if (mask & FAN_OPEN)
    ops |= FW_OP_BIT(EV_FILE_OPEN);
  if (mask & FAN_MODIFY)
    ops |= FW_OP_BIT(EV_FILE_MODIFY);
  if (mask & FAN_CREATE)
    ops |= FW_OP_BIT(EV_FILE_CREATE);
  if (mask & FAN_DELETE)
    ops |= FW_OP_BIT(EV_FILE_DELETE);
  if (mask & (FAN_MOVED_FROM | FAN_MOVED_TO))
    ops |= FW_OP_BIT(EV_FILE_MOVE);
  return ops;
}

/* The path of an event no watch claims, through its directory handle. */
static bool resolve(const struct file_watch *fw, const struct fan_event *e, char *out,
                    size_t cap) {
  int mount_fd = -1;
  for (size_t i = 0; i < fw->n && mount_fd < 0; i++)
    if (memcmp(fw->w[i].fsid, e->fsid, 8) == 0)
      mount_fd = fw->w[i].dir_fd;
  if (mount_fd < 0)
    return false;
  struct handle_buf h;
  h.fh.handle_bytes = e->handle_len;
  h.fh.handle_type = e->handle_type;
  memcpy(h.fh.f_handle, e->handle, e->handle_len);
  int fd = open_by_handle_at(mount_fd, &h.fh, O_PATH | O_CLOEXEC);
  if (fd < 0)
    return false;
  char link[64], dir[EV_PATH_MAX];
  snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
  ssize_t n = readlink(link, dir, sizeof dir - 1);
  close(fd);
  if (n <= 0)
    return false;
  dir[n] = '\0';
  int len = e->name && strcmp(e->name, ".") != 0
                ? snprintf(out, cap, "%s/%s", strcmp(dir, "/") ? dir : "", e->name)
                : snprintf(out, cap, "%s", dir);
  return len > 0 && (size_t)len < cap;
}

/* A watched file's name appeared again (created, or renamed over): mark
 * the new inode. */
static void rewatch(struct file_watch *fw, const struct fw_watch *w, uint64_t mask) {
  if (w->is_dir || !(mask & (FAN_CREATE | FAN_MOVED_TO)))
    return;
  if (fanotify_mark(fw->fd, FAN_MARK_ADD, FILE_MASK, w->dir_fd, w->base) == 0)
    fw->c.rewatched++;
}

static int one_event(struct file_watch *fw, const struct fan_event *e, fw_emit_fn emit,
                     void *ctx, struct hb_error *err) {
  if (e->fd >= 0)
    close(e->fd); /* not asked for with fid reporting; never kept */
  if (e->mask & FAN_Q_OVERFLOW) {
    fw->c.overflows++;
    return 0;
  }
  if (e->pid == fw->self) {
    fw->c.own++;
    return 0;
  }
  bool is_dir = (e->mask & FAN_ONDIR) != 0;
  unsigned ops = ops_of(e->mask);
  if (is_dir) /* listing a directory is not an access to watch */
    ops &= ~(FW_OP_BIT(EV_FILE_OPEN) | FW_OP_BIT(EV_FILE_EXEC) | FW_OP_BIT(EV_FILE_MODIFY));
  if (!ops)
    return 0;
  if (!e->has_dir) {
    fw->c.unresolved++;
    return 0;
  }
  uint32_t pid = e->pid > 0 ? (uint32_t)e->pid : 0;
  const struct fw_watch *w = fw_match(fw, e->name, same_dir, e);
  if (w) {
    rewatch(fw, w, e->mask);
    return fw_emit(fw, w, w->is_dir ? e->name : w->base, NULL, ops, is_dir, pid, emit, ctx,
                   err);
  }
  if (!(e->mask & FILE_MASK)) { /* an entry beside a watched file */
    fw->c.unmatched++;
    return 0;
  }
  char path[EV_PATH_MAX];
  if (!resolve(fw, e, path, sizeof path)) {
    fw->c.unresolved++;
    return 0;
  }
  return fw_emit(fw, NULL, NULL, path, ops, is_dir, pid, emit, ctx, err);
}

int fw_fanotify_read(struct file_watch *fw, fw_emit_fn emit, void *ctx,
                     struct hb_error *err) {
  int total = 0;
  for (;;) {
    ssize_t n = read(fw->fd, fw->buf, fw->cap);
    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0 && errno == EAGAIN)
      return total;
    if (n < 0)
      return cannot("cannot read", "fanotify", err);
    if (n == 0)
      return total;
    struct fan_reader r;
    fan_reader_init(&r, fw->buf, (size_t)n);
    struct fan_event e;
    struct hb_error perr;
    int rc;
    while ((rc = fan_next(&r, &e, &perr)) == 1) {
      int got = one_event(fw, &e, emit, ctx, err);
      if (got < 0)
        return got;
      total += got;
    }
    if (rc < 0)
      fw->c.malformed++;
  }
}
