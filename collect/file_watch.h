/* collect/file_watch.h — the file collector: accesses to watched paths as
 * EV_FILE events.
 *
 * Contract: file_watch_open() sets up one backend for a list of absolute
 * paths. A directory is watched with its entries (not deeper); a file alone.
 * Paths that do not exist are skipped and told to `note` (nothing to watch
 * at all is -ENOENT). The backend is fanotify (notification class,
 * FAN_REPORT_DFID_NAME: pid, exec, names of created and deleted entries)
 * when the kernel grants it, else inotify (same operations, no pid, exec seen
 * as open) — or the one asked for. file_watch_read() reads what is ready on
 * fw->fd (non-blocking) and hands each event to emit; events of this process
 * are dropped, queue overflows and malformed events are counted, never
 * silent. A watched file replaced by rename keeps being watched. No global
 * state; one thread per file_watch.
 */
#ifndef HABIT_COLLECT_FILE_WATCH_H
#define HABIT_COLLECT_FILE_WATCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "collect/fan_parse.h"
#include "core/error.h"
#include "core/event.h"

enum fw_backend { FW_AUTO = 0, FW_FANOTIFY = 1, FW_INOTIFY = 2 };

struct fw_watch {
  char rule[EV_PATH_MAX];  /* the path as given */
  char dir[EV_PATH_MAX];   /* canonical directory whose entries are reported:
                              the path itself, or a file's parent */
  char base[256];          /* a file watch: its name in dir; "" for a directory */
  bool is_dir;
  int dir_fd;              /* open on dir: fanotify's mount fd */
  uint8_t fsid[8];         /* fanotify: dir's file system and handle */
  int32_t handle_type;
  uint32_t handle_len;
  uint8_t handle[FAN_HANDLE_MAX];
  int wd_self, wd_dir;     /* inotify: the file's watch, the directory's */
};

struct fw_counters {
  uint64_t ops[EV_FILE_MOVE + 1]; /* events emitted, by enum ev_file_op */
  uint64_t overflows;   /* queue overflows reported by the kernel */
  uint64_t malformed;   /* buffers or events refused by the parser */
  uint64_t own;         /* events of this process, dropped */
  uint64_t unmatched;   /* events no watch claims (siblings of a watched file) */
  uint64_t unresolved;  /* events whose path could not be named */
  uint64_t rewatched;   /* watched files re-marked after being replaced */
};

typedef void (*fw_note_fn)(void *ctx, const char *msg);
typedef int (*fw_emit_fn)(void *ctx, const struct event *ev, struct hb_error *err);

struct file_watch {
  enum fw_backend backend;  /* the one in use */
  int fd;                   /* poll it for POLLIN */
  pid_t self;
  char fallback_reason[HB_ERROR_MAX]; /* why fanotify was not used, "" if it was */
  struct fw_watch *w;
  size_t n;
  struct fw_counters c;
  uint8_t *buf;
  size_t cap;
  const char *proc_root;
};

/* The sensitive paths watched by default (README § File collector). */
const char *const *file_watch_defaults(size_t *n);
const char *fw_backend_name(enum fw_backend b);

int file_watch_open(struct file_watch *fw, const char *const *paths, size_t n,
                    enum fw_backend want, fw_note_fn note, void *ctx,
                    struct hb_error *err);
/* Events emitted (>= 0), or a negative code: a read error, or emit's. */
int file_watch_read(struct file_watch *fw, fw_emit_fn emit, void *ctx,
                    struct hb_error *err);
void file_watch_close(struct file_watch *fw);

/* Backends (collect/file_fanotify.c, collect/file_inotify.c): used by
 * file_watch.c only. */
int fw_fanotify_open(struct file_watch *fw, struct hb_error *err);
int fw_fanotify_read(struct file_watch *fw, fw_emit_fn emit, void *ctx,
                     struct hb_error *err);
int fw_inotify_open(struct file_watch *fw, struct hb_error *err);
int fw_inotify_read(struct file_watch *fw, fw_emit_fn emit, void *ctx,
                    struct hb_error *err);
/* Shared by the backends: name the event's path from a watch and an entry
 * name (NULL: the watch's directory itself), fill the process fields, count
 * and emit one event per operation bit in ops (FW_OP_BIT(op)). */
#define FW_OP_BIT(op) (1u << (op))
int fw_emit(struct file_watch *fw, const struct fw_watch *w, const char *name,
            const char *full_path, unsigned ops, bool is_dir, uint32_t pid,
            fw_emit_fn emit, void *ctx, struct hb_error *err);
/* The most specific watch for an entry name under a directory watch list
 * match: a file watch of that name first, then a directory watch. pred
 * says whether watch i is the directory the event came from. */
const struct fw_watch *fw_match(const struct file_watch *fw, const char *name,
                                bool (*same_dir)(const struct fw_watch *w, const void *key),
                                const void *key);

#endif
