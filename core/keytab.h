/* core/keytab.h — counters keyed by small fixed-size binary keys.
 *
 * Contract: a keytab maps keys of key_len bytes (at most KEYTAB_KEY_MAX) to
 * an entry holding two 64-bit words the caller uses as it likes (a count
 * and a time stamp, say). Open addressing; grows at 70% load; keytab_clear
 * empties it keeping its memory; keytab_each visits every live entry and
 * may ask to drop it. Keys are copied; pad them with zeros yourself.
 */
#ifndef HABIT_CORE_KEYTAB_H
#define HABIT_CORE_KEYTAB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define KEYTAB_KEY_MAX 48

struct keytab_entry {
  uint64_t hash;   /* 0 = empty slot */
  uint64_t a, b;   /* the caller's words */
  uint8_t key[KEYTAB_KEY_MAX];
};

struct keytab {
  struct keytab_entry *e;
  size_t cap, n, key_len;
};

void keytab_init(struct keytab *t, size_t key_len);
void keytab_free(struct keytab *t);
void keytab_clear(struct keytab *t);
/* The entry for key, created zeroed (*created = true) when absent. NULL only
 * when out of memory. The pointer is valid until the next insertion. */
struct keytab_entry *keytab_get(struct keytab *t, const void *key, bool *created);
struct keytab_entry *keytab_find(const struct keytab *t, const void *key);
/* Visit every entry; return true from fn to drop it. Order is the table's. */
void keytab_each(struct keytab *t, bool (*fn)(void *ctx, struct keytab_entry *e),
                 void *ctx);

#endif
