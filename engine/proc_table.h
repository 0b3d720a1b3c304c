/* engine/proc_table.h — the processes the engine knows of, per node.
 *
 * Contract: an entry per (node, process id) remembers what the process
 * runs, its parent, its user and the service it was given, from the
 * process collector's events (exec, fork, start-up scan); an exit marks it
 * gone but keeps it, so a file event or a child that arrives late still
 * finds it until the table needs the room. The table is bounded
 * (PROC_TABLE_MAX): when full it drops the gone entries, and when all are
 * alive it starts over (counted in `resets`). proc_table_tree() walks the
 * parents for an alert's evidence. Pointers returned are valid until the
 * next put.
 */
#ifndef HABIT_ENGINE_PROC_TABLE_H
#define HABIT_ENGINE_PROC_TABLE_H

#include <stdbool.h>
#include <stdint.h>

#include "core/event.h"
#include "core/keytab.h"

#define PROC_TABLE_MAX 32768
#define PROC_TREE_MAX 8  /* ancestors in an alert's process tree */

struct proc_entry {
  uint64_t node_hash;
  uint32_t pid, ppid, uid;
  bool alive;
  uint8_t svc_kind;               /* enum svc_kind of the service */
  char exe[EV_TEXT_MAX];          /* "" when unknown */
  char service[EV_NAME_MAX];      /* "" for a parent known only from its
                                     child's event (exe, pid) */
};

struct proc_table {
  struct keytab index;           /* (node_hash, pid) -> a: entry index + 1 */
  struct proc_entry *entries;
  uint32_t n, cap;
  uint64_t resets;               /* times the table started over */
};

void proc_table_init(struct proc_table *t);
void proc_table_free(struct proc_table *t);
uint64_t proc_table_node(const char *node);
struct proc_entry *proc_table_get(struct proc_table *t, uint64_t node, uint32_t pid);
/* The entry for (node, pid), created (alive, fields empty) when absent;
 * NULL when out of memory. */
struct proc_entry *proc_table_put(struct proc_table *t, uint64_t node, uint32_t pid);
void proc_table_exit(struct proc_table *t, uint64_t node, uint32_t pid);
/* The ancestors of pid, nearest first (pid itself not included): up to
 * PROC_TREE_MAX, stopping at an unknown parent or pid 0/1's parent. */
size_t proc_table_tree(struct proc_table *t, uint64_t node, uint32_t pid,
                       const struct proc_entry *out[PROC_TREE_MAX]);

#endif
