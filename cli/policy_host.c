#include "cli/policy_host.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/json.h"

void policy_yq(const char *s) {
  struct json j;
  json_init(&j);
  json_str(&j, s);
  if (!json_failed(&j))
    fwrite(j.buf, 1, j.len, stdout);
  json_free(&j);
}

static int cmp_procs(const void *a, const void *b, void *ctx) {
  const struct model *m = ctx;
  const struct model_proc *x = &m->procs[*(const uint32_t *)a], *y = &m->procs[*(const uint32_t *)b];
  int c = strcmp(m->services[x->service].name, m->services[y->service].name);
  if (!c)
    c = strcmp(x->exe, y->exe);
  if (!c)
    c = strcmp(x->parent, y->parent);
  if (!c)
    c = x->uid < y->uid ? -1 : x->uid > y->uid;
  return c;
}

static int cmp_files(const void *a, const void *b, void *ctx) {
  const struct model *m = ctx;
  const struct model_file *x = &m->files[*(const uint32_t *)a], *y = &m->files[*(const uint32_t *)b];
  int c = strcmp(m->services[x->service].name, m->services[y->service].name);
  if (!c)
    c = strcmp(x->exe, y->exe);
  if (!c)
    c = strcmp(x->path, y->path);
  return c;
}

static uint32_t *order(const struct model *m, uint32_t n,
                       int (*cmp)(const void *, const void *, void *)) {
  uint32_t *idx = malloc((n ? n : 1) * sizeof *idx);
  if (!idx)
    return NULL;
  for (uint32_t i = 0; i < n; i++)
    idx[i] = i;
  qsort_r(idx, n, sizeof *idx, cmp, (void *)m);
  return idx;
}

static void show_procs(const struct model *m, const uint32_t *idx, uint32_t want) {
  printf("processes:\n");
  for (uint32_t i = 0; i < m->n_procs; i++) {
    const struct model_proc *p = &m->procs[idx[i]];
    if (want != IDXMAP_NONE && p->service != want)
      continue;
    printf("  - {service: ");
    policy_yq(m->services[p->service].name);
    printf(", exe: ");
    policy_yq(p->exe);
    printf(", parent: ");
    policy_yq(p->parent);
    if (p->uid == EV_PROC_ID_UNKNOWN)
      printf(", uid: null");
    else
      printf(", uid: %u", p->uid);
    printf(", count: %llu}\n", (unsigned long long)p->count);
  }
}

static void show_files(const struct model *m, const uint32_t *idx, uint32_t want) {
  printf("files:\n");
  for (uint32_t i = 0; i < m->n_files; i++) {
    const struct model_file *f = &m->files[idx[i]];
    char acc[4];
    if (want != IDXMAP_NONE && f->service != want)
      continue;
    printf("  - {service: ");
    policy_yq(m->services[f->service].name);
    printf(", exe: ");
    policy_yq(f->exe);
    printf(", path: ");
    policy_yq(f->path);
    printf(", access: %s, count: %llu}\n", file_access_text(f->access, acc),
           (unsigned long long)f->count);
  }
}

static int cmp_syscalls(const void *a, const void *b, void *ctx) {
  const struct model *m = ctx;
  const struct model_syscall *x = &m->syscalls[*(const uint32_t *)a];
  const struct model_syscall *y = &m->syscalls[*(const uint32_t *)b];
  int c = strcmp(m->services[x->service].name, m->services[y->service].name);
  return c ? c : strcmp(x->name, y->name);
}

/* One line per service: its syscall names, sorted. */
static void show_syscalls(const struct model *m, const uint32_t *idx, uint32_t want) {
  printf("syscalls:\n");
  uint32_t cur = IDXMAP_NONE;
  for (uint32_t i = 0; i < m->n_syscalls; i++) {
    const struct model_syscall *c = &m->syscalls[idx[i]];
    if (want != IDXMAP_NONE && c->service != want)
      continue;
    if (c->service != cur) {
      printf(cur == IDXMAP_NONE ? "  " : "]\n  ");
      policy_yq(m->services[c->service].name);
      printf(": [");
      cur = c->service;
    } else {
      printf(", ");
    }
    printf("%s", c->name);
  }
  if (cur != IDXMAP_NONE)
    printf("]\n");
}

int policy_show_host(const struct model *m, uint32_t want) {
  uint32_t *procs = order(m, m->n_procs, cmp_procs);
  uint32_t *files = order(m, m->n_files, cmp_files);
  uint32_t *calls = order(m, m->n_syscalls, cmp_syscalls);
  int rc = procs && files && calls ? 0 : -ENOMEM;
  if (rc == 0 && m->n_procs)
    show_procs(m, procs, want);
  if (rc == 0 && m->n_files)
    show_files(m, files, want);
  if (rc == 0 && m->n_syscalls)
    show_syscalls(m, calls, want);
  free(procs);
  free(files);
  free(calls);
  return rc;
}
