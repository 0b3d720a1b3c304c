/* models/model_host.c — the process and file whitelists of a model.
 *
 * Entries are found by hash (core/idxmap.h): a process by all four of its
 * fields, a file entry by (service, exe) and then by walking that
 * program's paths, since a prefix entry covers paths that are not its key.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "core/hash.h"
#include "models/model.h"

struct proc_key {
  uint32_t svc, uid;
  const char *exe, *parent;
};

static uint64_t proc_hash(const struct proc_key *k) {
  uint64_t h = hb_hash_str(k->exe, ((uint64_t)k->svc << 32) | k->uid);
  return hb_hash_str(k->parent, h);
}

static bool proc_eq(const void *ctx, uint32_t i, const void *key) {
  const struct model_proc *p = &((const struct model *)ctx)->procs[i];
  const struct proc_key *k = key;
  return p->service == k->svc && p->uid == k->uid && strcmp(p->exe, k->exe) == 0 &&
         strcmp(p->parent, k->parent) == 0;
}

uint32_t model_find_proc(const struct model *m, uint32_t svc, const char *exe,
                         const char *parent, uint32_t uid) {
  char e[EV_TEXT_MAX], pa[EV_TEXT_MAX];
  snprintf(e, sizeof e, "%s", exe);
  snprintf(pa, sizeof pa, "%s", parent);
  struct proc_key k = {svc, uid, e, pa};
  return idxmap_find(&m->by_proc, proc_hash(&k), proc_eq, m, &k);
}

int model_learn_proc(struct model *m, uint32_t svc, const char *exe, const char *parent,
                     uint32_t uid, uint64_t ts_ns, uint32_t *index) {
  uint32_t i = model_find_proc(m, svc, exe, parent, uid);
  if (i == IDXMAP_NONE) {
    if (model_reserve((void **)&m->procs, &m->cap_procs, m->n_procs, sizeof *m->procs) < 0)
      return -ENOMEM;
    i = m->n_procs;
    struct model_proc *p = &m->procs[i];
    memset(p, 0, sizeof *p);
    p->service = svc;
    p->uid = uid;
    snprintf(p->exe, sizeof p->exe, "%s", exe);
    snprintf(p->parent, sizeof p->parent, "%s", parent);
    p->first_ns = ts_ns;
    struct proc_key k = {svc, uid, p->exe, p->parent};
    if (idxmap_put(&m->by_proc, proc_hash(&k), i) < 0)
      return -ENOMEM;
    m->n_procs++;
  }
  struct model_proc *p = &m->procs[i];
  if (ts_ns < p->first_ns)
    p->first_ns = ts_ns;
  if (ts_ns > p->last_ns)
    p->last_ns = ts_ns;
  p->count++;
  p->dirty = true;
  if (index)
    *index = i;
  return 0;
}

struct file_key {
  uint32_t svc;
  const char *exe, *path; /* path NULL: any path of the program */
};

static uint64_t file_hash(uint32_t svc, const char *exe) { return hb_hash_str(exe, svc); }

static bool file_eq(const void *ctx, uint32_t i, const void *key) {
  const struct model_file *f = &((const struct model *)ctx)->files[i];
  const struct file_key *k = key;
  return f->service == k->svc && strcmp(f->exe, k->exe) == 0 &&
         (!k->path || strcmp(f->path, k->path) == 0);
}

int model_learn_file(struct model *m, uint32_t svc, const char *exe, const char *path,
                     uint8_t access, uint64_t ts_ns, uint32_t *index) {
  char e[EV_TEXT_MAX], pa[EV_TEXT_MAX];
  snprintf(e, sizeof e, "%s", exe);
  snprintf(pa, sizeof pa, "%s", path);
  struct file_key k = {svc, e, pa};
  uint64_t h = file_hash(svc, e);
  uint32_t i = idxmap_find(&m->by_file, h, file_eq, m, &k);
  if (i == IDXMAP_NONE) {
    if (model_reserve((void **)&m->files, &m->cap_files, m->n_files, sizeof *m->files) < 0)
      return -ENOMEM;
    i = m->n_files;
    struct model_file *f = &m->files[i];
    memset(f, 0, sizeof *f);
    f->service = svc;
    memcpy(f->exe, e, sizeof f->exe);
    memcpy(f->path, pa, sizeof f->path);
    f->first_ns = ts_ns;
    if (idxmap_put(&m->by_file, h, i) < 0)
      return -ENOMEM;
    m->n_files++;
  }
  struct model_file *f = &m->files[i];
  if (ts_ns < f->first_ns)
    f->first_ns = ts_ns;
  if (ts_ns > f->last_ns)
    f->last_ns = ts_ns;
  f->access |= access;
  f->count++;
  f->dirty = true;
  if (index)
    *index = i;
  return 0;
}

struct syscall_key {
  uint32_t svc;
  const char *name;
};

static bool syscall_eq(const void *ctx, uint32_t i, const void *key) {
  const struct model_syscall *c = &((const struct model *)ctx)->syscalls[i];
  const struct syscall_key *k = key;
  return c->service == k->svc && strcmp(c->name, k->name) == 0;
}

uint32_t model_find_syscall(const struct model *m, uint32_t svc, const char *name) {
  char n[SYSCALL_NAME_MAX];
  snprintf(n, sizeof n, "%s", name);
  struct syscall_key k = {svc, n};
  return idxmap_find(&m->by_syscall, hb_hash_str(n, svc), syscall_eq, m, &k);
}

int model_learn_syscall(struct model *m, uint32_t svc, const char *name, uint64_t count,
                        uint64_t ts_ns, uint32_t *index) {
  uint32_t i = model_find_syscall(m, svc, name);
  if (i == IDXMAP_NONE) {
    if (model_reserve((void **)&m->syscalls, &m->cap_syscalls, m->n_syscalls,
                      sizeof *m->syscalls) < 0)
      return -ENOMEM;
    i = m->n_syscalls;
    struct model_syscall *c = &m->syscalls[i];
    memset(c, 0, sizeof *c);
    c->service = svc;
    snprintf(c->name, sizeof c->name, "%s", name);
    c->first_ns = ts_ns;
    if (idxmap_put(&m->by_syscall, hb_hash_str(c->name, svc), i) < 0)
      return -ENOMEM;
    m->n_syscalls++;
  }
  struct model_syscall *c = &m->syscalls[i];
  if (ts_ns < c->first_ns)
    c->first_ns = ts_ns;
  if (ts_ns > c->last_ns)
    c->last_ns = ts_ns;
  c->count += count;
  c->dirty = true;
  if (index)
    *index = i;
  return 0;
}

static bool covers(const char *entry, const char *path) {
  size_t n = strlen(entry);
  if (n && entry[n - 1] == '/')
    return strncmp(entry, path, n) == 0;
  return strcmp(entry, path) == 0;
}

bool model_file_allowed(const struct model *m, uint32_t svc, const char *exe,
                        const char *path, uint8_t access) {
  char e[EV_TEXT_MAX];
  snprintf(e, sizeof e, "%s", exe);
  struct file_key k = {svc, e, NULL};
  size_t pos = 0;
  uint8_t have = 0;
  /* Several entries may cover the path (the file and its directory):
   * their accesses add up. */
  for (uint32_t i; (i = idxmap_next(&m->by_file, file_hash(svc, e), file_eq, m, &k, &pos)) !=
                   IDXMAP_NONE;)
    if (covers(m->files[i].path, path))
      have |= m->files[i].access;
  return (have & access) == access;
}

const char *file_access_text(uint8_t access, char out[4]) {
  size_t n = 0;
  if (access & FA_READ)
    out[n++] = 'r';
  if (access & FA_WRITE)
    out[n++] = 'w';
  if (access & FA_EXEC)
    out[n++] = 'x';
  out[n] = '\0';
  return out;
}

uint8_t file_access_parse(const char *s) {
  uint8_t a = 0;
  for (; *s; s++) {
    uint8_t bit = *s == 'r' ? FA_READ : *s == 'w' ? FA_WRITE : *s == 'x' ? FA_EXEC : 0;
    if (!bit || (a & bit))
      return 0;
    a |= bit;
  }
  return a;
}
