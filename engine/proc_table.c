#include "engine/proc_table.h"

#include <stdlib.h>
#include <string.h>

#include "core/hash.h"

struct proc_key {
  uint64_t node;
  uint32_t pid, pad;
};

void proc_table_init(struct proc_table *t) {
  memset(t, 0, sizeof *t);
  keytab_init(&t->index, sizeof(struct proc_key));
}

void proc_table_free(struct proc_table *t) {
  keytab_free(&t->index);
  free(t->entries);
  t->entries = NULL;
}

uint64_t proc_table_node(const char *node) { return hb_hash_str(node, 0x70726f63); }

struct proc_entry *proc_table_get(struct proc_table *t, uint64_t node, uint32_t pid) {
  struct proc_key k = {node, pid, 0};
  struct keytab_entry *e = keytab_find(&t->index, &k);
  return e ? &t->entries[e->a - 1] : NULL;
}

/* Keep the live entries (compacted), index them again. */
static void drop_gone(struct proc_table *t) {
  uint32_t kept = 0;
  keytab_clear(&t->index);
  for (uint32_t i = 0; i < t->n; i++) {
    if (!t->entries[i].alive)
      continue;
    t->entries[kept] = t->entries[i];
    struct proc_key k = {t->entries[kept].node_hash, t->entries[kept].pid, 0};
    bool created;
    struct keytab_entry *e = keytab_get(&t->index, &k, &created);
    if (!e)
      break; /* out of memory: what is not indexed is forgotten */
    e->a = ++kept;
  }
  t->n = kept;
}

struct proc_entry *proc_table_put(struct proc_table *t, uint64_t node, uint32_t pid) {
  struct proc_entry *p = proc_table_get(t, node, pid);
  if (p) {
    p->alive = true;
    return p;
  }
  if (t->n == PROC_TABLE_MAX) {
    drop_gone(t);
    if (t->n == PROC_TABLE_MAX) {
      keytab_clear(&t->index);
      t->n = 0;
      t->resets++;
    }
  }
  if (t->n == t->cap) {
    uint32_t nc = t->cap ? t->cap * 2 : 256;
    struct proc_entry *ne = realloc(t->entries, (size_t)nc * sizeof *ne);
    if (!ne)
      return NULL;
    t->entries = ne;
    t->cap = nc;
  }
  struct proc_key k = {node, pid, 0};
  bool created;
  struct keytab_entry *e = keytab_get(&t->index, &k, &created);
  if (!e)
    return NULL;
  p = &t->entries[t->n];
  memset(p, 0, sizeof *p);
  p->node_hash = node;
  p->pid = pid;
  p->alive = true;
  e->a = ++t->n;
  return p;
}

void proc_table_exit(struct proc_table *t, uint64_t node, uint32_t pid) {
  struct proc_entry *p = proc_table_get(t, node, pid);
  if (p)
    p->alive = false;
}

size_t proc_table_tree(struct proc_table *t, uint64_t node, uint32_t pid,
                       const struct proc_entry *out[PROC_TREE_MAX]) {
  size_t n = 0;
  const struct proc_entry *p = proc_table_get(t, node, pid);
  while (p && p->ppid && n < PROC_TREE_MAX) {
    const struct proc_entry *parent = proc_table_get(t, node, p->ppid);
    if (!parent || parent == p)
      break;
    out[n++] = parent;
    p = parent;
  }
  return n;
}
