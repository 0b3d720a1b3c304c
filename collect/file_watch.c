/* collect/file_watch.c — the watch list and what both backends share:
 * naming an event's path, matching it to a rule, the process fields, and
 * one event per operation. The syscalls live in file_fanotify.c and
 * file_inotify.c; the fanotify buffer parser in fan_parse.c. */
#include "collect/file_watch.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "collect/file_proc.h"

#define READ_BUF (64 * 1024)

static const char *const defaults[] = {
    "/etc/passwd",   "/etc/shadow",    "/etc/group",      "/etc/sudoers",
    "/etc/sudoers.d", "/etc/ssh",      "/root/.ssh",      "/bin",
    "/sbin",          "/usr/bin",      "/usr/sbin",       "/usr/local/bin",
    "/var/lib/dpkg",  "/etc/cron.d",   "/etc/crontab",    "/etc/ld.so.preload",
};

const char *const *file_watch_defaults(size_t *n) {
  *n = sizeof defaults / sizeof defaults[0];
  return defaults;
}

const char *fw_backend_name(enum fw_backend b) {
  switch (b) {
  case FW_FANOTIFY: return "fanotify";
  case FW_INOTIFY: return "inotify";
  default: return "auto";
  }
}

static void note_f(fw_note_fn note, void *ctx, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void note_f(fw_note_fn note, void *ctx, const char *fmt, ...) {
  if (!note)
    return;
  char msg[EV_PATH_MAX * 2 + 64];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  note(ctx, msg);
}

/* Fill w from the path as given: canonical dir, base, directory or not.
 * 1 when set, 0 when the path is to be skipped (told to note), < 0 on error. */
static int prepare_watch(struct fw_watch *w, const char *given, fw_note_fn note, void *ctx,
                         struct hb_error *err) {
  memset(w, 0, sizeof *w);
  w->dir_fd = w->wd_self = w->wd_dir = -1;
  if (given[0] != '/')
    return hb_fail(err, EINVAL, "watch path '%s' is not absolute", given);
  if (strlen(given) >= sizeof w->rule)
    return hb_fail(err, ENAMETOOLONG, "watch path '%.60s...' is longer than %d bytes", given,
                   EV_PATH_MAX - 1);
  snprintf(w->rule, sizeof w->rule, "%s", given);
  char real[PATH_MAX];
  struct stat st;
  if (!realpath(given, real) || stat(real, &st) != 0) {
    note_f(note, ctx, "%s: not watched: %s", given, strerror(errno));
    return 0;
  }
  if (strlen(real) >= sizeof w->dir) {
    note_f(note, ctx, "%s: not watched: its real path is too long", given);
    return 0;
  }
  w->is_dir = S_ISDIR(st.st_mode);
  if (w->is_dir) {
    snprintf(w->dir, sizeof w->dir, "%s", real);
    return 1;
  }
  char *slash = strrchr(real, '/');
  if (strlen(slash + 1) >= sizeof w->base) {
    note_f(note, ctx, "%s: not watched: its name is too long", given);
    return 0;
  }
  snprintf(w->base, sizeof w->base, "%s", slash + 1);
  if (slash == real)
    snprintf(w->dir, sizeof w->dir, "/");
  else
    snprintf(w->dir, sizeof w->dir, "%.*s", (int)(slash - real), real);
  return 1;
}

/* Another watch already covers the same thing (/bin is /usr/bin). */
static const struct fw_watch *duplicate(const struct file_watch *fw, const struct fw_watch *w) {
  for (size_t i = 0; i < fw->n; i++)
    if (strcmp(fw->w[i].dir, w->dir) == 0 && strcmp(fw->w[i].base, w->base) == 0)
      return &fw->w[i];
  return NULL;
}

static bool open_fails_over(int code) {
  return code == EPERM || code == ENOSYS || code == EINVAL || code == EACCES ||
         code == EOPNOTSUPP || code == ENODEV || code == EXDEV;
}

int file_watch_open(struct file_watch *fw, const char *const *paths, size_t n,
                    enum fw_backend want, fw_note_fn note, void *ctx,
                    struct hb_error *err) {
  memset(fw, 0, sizeof *fw);
  fw->fd = -1;
  fw->self = getpid();
  fw->proc_root = "/proc";
  fw->w = calloc(n ? n : 1, sizeof *fw->w);
  fw->buf = malloc(READ_BUF);
  fw->cap = READ_BUF;
  if (!fw->w || !fw->buf) {
    file_watch_close(fw);
    return hb_fail(err, ENOMEM, "out of memory");
  }
  for (size_t i = 0; i < n; i++) {
    struct fw_watch *w = &fw->w[fw->n];
    int rc = prepare_watch(w, paths[i], note, ctx, err);
    if (rc < 0) {
      file_watch_close(fw);
      return rc;
    }
    const struct fw_watch *same = rc ? duplicate(fw, w) : NULL;
    if (same)
      note_f(note, ctx, "%s: same as %s, watched once", w->rule, same->rule);
    else if (rc)
      fw->n++;
  }
  if (fw->n == 0) {
    file_watch_close(fw);
    return hb_fail(err, ENOENT, "nothing to watch: none of the %zu paths exists", n);
  }
  int rc = -EINVAL;
  if (want != FW_INOTIFY) {
    rc = fw_fanotify_open(fw, err);
    if (rc == 0) {
      fw->backend = FW_FANOTIFY;
      return 0;
    }
    if (want == FW_FANOTIFY || !open_fails_over(-rc)) {
      file_watch_close(fw);
      return rc;
    }
    snprintf(fw->fallback_reason, sizeof fw->fallback_reason, "%s", err ? err->msg : "");
    note_f(note, ctx, "fanotify unavailable (%s): using inotify", fw->fallback_reason);
  }
  rc = fw_inotify_open(fw, err);
  if (rc < 0) {
    file_watch_close(fw);
    return rc;
  }
  fw->backend = FW_INOTIFY;
  return 0;
}

int file_watch_read(struct file_watch *fw, fw_emit_fn emit, void *ctx,
                    struct hb_error *err) {
  if (fw->backend == FW_FANOTIFY)
    return fw_fanotify_read(fw, emit, ctx, err);
  return fw_inotify_read(fw, emit, ctx, err);
}

void file_watch_close(struct file_watch *fw) {
  if (fw->fd >= 0)
    close(fw->fd);
  for (size_t i = 0; fw->w && i < fw->n; i++)
    if (fw->w[i].dir_fd >= 0)
      close(fw->w[i].dir_fd);
  free(fw->w);
  free(fw->buf);
  fw->w = NULL;
  fw->buf = NULL;
  fw->n = 0;
  fw->fd = -1;
}

const struct fw_watch *fw_match(const struct file_watch *fw, const char *name,
                                bool (*same_dir)(const struct fw_watch *w, const void *key),
                                const void *key) {
  const struct fw_watch *dir_hit = NULL;
  for (size_t i = 0; i < fw->n; i++) {
    const struct fw_watch *w = &fw->w[i];
    if (!same_dir(w, key))
      continue;
    if (!w->is_dir && name && strcmp(name, w->base) == 0)
      return w;
    if (w->is_dir && !dir_hit)
      dir_hit = w;
  }
  return dir_hit;
}

/* Order of the events one merged kernel record turns into. */
static const uint8_t op_order[] = {EV_FILE_CREATE, EV_FILE_EXEC,   EV_FILE_OPEN,
                                   EV_FILE_MODIFY, EV_FILE_MOVE,   EV_FILE_DELETE};

int fw_emit(struct file_watch *fw, const struct fw_watch *w, const char *name,
            const char *full_path, unsigned ops, bool is_dir, uint32_t pid,
            fw_emit_fn emit, void *ctx, struct hb_error *err) {
  struct event *ev = calloc(1, sizeof *ev);
  if (!ev)
    return hb_fail(err, ENOMEM, "out of memory");
  struct ev_file *f = &ev->u.file;
  int len;
  if (full_path)
    len = snprintf(f->path, sizeof f->path, "%s", full_path);
  else if (!name || strcmp(name, ".") == 0)
    len = snprintf(f->path, sizeof f->path, "%s", w->dir);
  else
    len = snprintf(f->path, sizeof f->path, "%s%s%s", w->dir,
                   strcmp(w->dir, "/") == 0 ? "" : "/", name);
  if (len < 0 || (size_t)len >= sizeof f->path || f->path[0] != '/') {
    fw->c.unresolved++;
    free(ev);
    return 0;
  }
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  ev->kind = EV_FILE;
  ev->ts_ns = (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
  f->pid = pid;
  f->is_dir = is_dir;
  if (w)
    snprintf(f->rule, sizeof f->rule, "%s", w->rule);
  file_proc_fill(fw->proc_root, pid, f);
  int emitted = 0;
  for (size_t i = 0; i < sizeof op_order; i++) {
    if (!(ops & FW_OP_BIT(op_order[i])))
      continue;
    f->op = op_order[i];
    int rc = emit(ctx, ev, err);
    if (rc < 0) {
      free(ev);
      return rc;
    }
    fw->c.ops[f->op]++;
    emitted++;
  }
  free(ev);
  return emitted;
}
