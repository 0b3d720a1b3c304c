/* collect/l7/l7_sql.h — what the SQL-speaking probes (mysql.c,
 * postgresql.c, cassandra.c) read in a statement: its verb and the first
 * table it names. Private to l7/, static inline like l7_util.h: no state,
 * no allocation, nothing read past the length given.
 *
 * This is not a parser. The verb is the first word after blanks, comments
 * (including MySQL's executable "/ *!40101 ... * /" ones, whose text counts)
 * and opening parentheses. The table is the first identifier after FROM,
 * INTO, UPDATE, JOIN, TABLE or COPY, found by a scan that skips string
 * literals and comments, so a FROM inside a quoted value names nothing. A
 * subquery ("FROM (SELECT ... FROM t)") yields its inner table.
 */
#ifndef HABIT_COLLECT_L7_SQL_H
#define HABIT_COLLECT_L7_SQL_H

#include <stddef.h>
#include <stdint.h>

#include "collect/l7/l7_util.h"

#define L7_SQL_SCAN_MAX 4096 /* bytes of a statement searched for a table */

static inline int l7_sql_is_alpha(uint8_t c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static inline int l7_sql_is_word(uint8_t c) {
  return l7_sql_is_alpha(c) || (c >= '0' && c <= '9') || c == '_' || c == '$' ||
         c >= 0x80;
}

static inline int l7_sql_is_blank(uint8_t c) {
  return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f';
}

/* Past blanks and comments from i; "/ *!NNNNN" opens an executable comment
 * whose text is SQL, so only its marker is skipped (the closing "* /" then
 * reads as punctuation). '#' starts a comment only where hash says so: it
 * does in MySQL, but inside a PostgreSQL statement it is an operator. */
static inline size_t l7_sql_skip_x(const uint8_t *q, size_t n, size_t i,
                                   int hash) {
  while (i < n) {
    if (l7_sql_is_blank(q[i])) {
      i++;
    } else if (q[i] == '/' && i + 1 < n && q[i + 1] == '*') {
      if (i + 2 < n && q[i + 2] == '!') {
        i += 3;
        while (i < n && q[i] >= '0' && q[i] <= '9')
          i++;
        continue;
      }
      i += 2;
      while (i < n && !(q[i] == '*' && i + 1 < n && q[i + 1] == '/'))
        i++;
      i = i + 2 < n ? i + 2 : n;
    } else if ((q[i] == '-' && i + 1 < n && q[i + 1] == '-') ||
               (hash && q[i] == '#')) {
      while (i < n && q[i] != '\n')
        i++;
    } else {
      break;
    }
  }
  return i;
}

static inline size_t l7_sql_skip(const uint8_t *q, size_t n, size_t i) {
  return l7_sql_skip_x(q, n, i, 0);
}

/* Length of the word at q[i] (0 when none starts there). */
static inline size_t l7_sql_word(const uint8_t *q, size_t n, size_t i) {
  size_t j = i;
  if (j < n && (l7_sql_is_alpha(q[j]) || q[j] == '_'))
    while (j < n && l7_sql_is_word(q[j]))
      j++;
  return j - i;
}

/* Statement verbs of MySQL, PostgreSQL and CQL, upper case. */
static inline int l7_sql_known_verb(const uint8_t *w, size_t n) {
  static const char *const verbs[] = {
      "select", "insert", "update", "delete", "replace", "upsert", "merge",
      "with", "values", "table", "set", "show", "use", "create", "drop",
      "alter", "truncate", "rename", "grant", "revoke", "begin", "start",
      "commit", "rollback", "savepoint", "release", "end", "abort", "lock",
      "unlock", "call", "do", "explain", "describe", "desc", "analyze",
      "analyse", "optimize", "repair", "check", "checksum", "flush", "kill",
      "reset", "purge", "load", "handler", "prepare", "execute", "deallocate",
      "xa", "install", "uninstall", "help", "binlog", "cache", "change",
      "signal", "resignal", "get", "copy", "listen", "unlisten", "notify",
      "vacuum", "declare", "fetch", "close", "move", "discard", "comment",
      "cluster", "reindex", "refresh", "security", "import", "checkpoint",
      "batch", "apply", "list"};
  if (n < 2 || n > 10)
    return 0;
  for (size_t i = 0; i < sizeof verbs / sizeof verbs[0]; i++) {
    size_t l = 0;
    while (verbs[i][l])
      l++;
    if (l == n && l7_ieq(w, verbs[i], n))
      return 1;
  }
  return 0;
}

/* Where the statement's verb starts: past blanks, comments and '('. */
static inline size_t l7_sql_verb_at(const uint8_t *q, size_t n) {
  size_t i = l7_sql_skip_x(q, n, 0, 1);
  while (i < n && q[i] == '(')
    i = l7_sql_skip_x(q, n, i + 1, 1);
  return i;
}

/* 1 when the text starts (after blanks, comments, parentheses) with a known
 * statement verb followed by something that may follow one. */
static inline int l7_sql_looks_like(const uint8_t *q, size_t n) {
  size_t i = l7_sql_verb_at(q, n);
  size_t w = l7_sql_word(q, n, i);
  if (!l7_sql_known_verb(q + i, w))
    return 0;
  if (i + w == n)
    return 1;
  uint8_t c = q[i + w];
  return l7_sql_is_blank(c) || c == ';' || c == '(' || c == '/' || c == '-' ||
         c == '*' || c == '@' || c == '`' || c == '"' || c == '\0';
}

/* Text cut by the segment that may still become a statement: blanks and
 * up to 10 letters (the start of a verb). */
static inline int l7_sql_maybe_verb(const uint8_t *q, size_t n) {
  size_t i = 0;
  while (i < n && l7_sql_is_blank(q[i]))
    i++;
  size_t w = 0;
  while (i + w < n && l7_sql_is_alpha(q[i + w]))
    w++;
  return i + w == n && w <= 10;
}

/* Past a quoted string or identifier starting at q[i] (its quote char);
 * a doubled quote or a backslash escapes (MySQL strings). */
static inline size_t l7_sql_past_quoted(const uint8_t *q, size_t n, size_t i) {
  uint8_t quote = q[i++];
  while (i < n) {
    if (q[i] == '\\' && quote == '\'') {
      i += 2;
      continue;
    }
    if (q[i] == quote) {
      if (i + 1 < n && q[i + 1] == quote) {
        i += 2;
        continue;
      }
      return i + 1;
    }
    i++;
  }
  return n;
}

/* Words after which a table name is not yet the next token. */
static inline int l7_sql_noise_word(const uint8_t *w, size_t n) {
  return (n == 2 && l7_ieq(w, "if", 2)) || (n == 3 && l7_ieq(w, "not", 3)) ||
         (n == 6 && l7_ieq(w, "exists", 6)) || (n == 4 && l7_ieq(w, "only", 4)) ||
         (n == 6 && l7_ieq(w, "ignore", 6)) ||
         (n == 12 && l7_ieq(w, "low_priority", 12)) ||
         (n == 9 && l7_ieq(w, "temporary", 9)) ||
         (n == 7 && l7_ieq(w, "lateral", 7));
}

/* Words that cannot be the table after the trigger word. */
static inline int l7_sql_not_table(const uint8_t *w, size_t n) {
  return (n == 6 && (l7_ieq(w, "select", 6) || l7_ieq(w, "values", 6))) ||
         (n == 4 && l7_ieq(w, "with", 4)) || (n == 3 && l7_ieq(w, "set", 3)) ||
         (n == 5 && l7_ieq(w, "where", 5));
}

static inline int l7_sql_trigger(const uint8_t *w, size_t n) {
  return (n == 4 && (l7_ieq(w, "from", 4) || l7_ieq(w, "into", 4) ||
                     l7_ieq(w, "join", 4) || l7_ieq(w, "copy", 4))) ||
         (n == 5 && l7_ieq(w, "table", 5)) || (n == 6 && l7_ieq(w, "update", 6));
}

/* Copy the (possibly qualified, possibly quoted) name at q[i] into out
 * (cap bytes), quotes left out: `db`.`t` -> db.t. Returns its length (0:
 * no name there). */
static inline size_t l7_sql_name(const uint8_t *q, size_t n, size_t i,
                                 char *out, size_t cap) {
  uint8_t buf[128];
  size_t o = 0;
  for (;;) {
    if (i < n && (q[i] == '`' || q[i] == '"' || q[i] == '[')) {
      uint8_t close = q[i] == '[' ? ']' : q[i];
      size_t j = i + 1;
      while (j < n && q[j] != close) {
        if (o < sizeof buf)
          buf[o++] = q[j];
        j++;
      }
      if (j == n)
        return 0; /* cut inside the quotes: not a name we trust */
      i = j + 1;
    } else {
      size_t w = l7_sql_word(q, n, i);
      if (w == 0)
        break;
      for (size_t k = 0; k < w; k++)
        if (o < sizeof buf)
          buf[o++] = q[i + k];
      i += w;
    }
    if (i < n && q[i] == '.' && o < sizeof buf) {
      buf[o++] = '.';
      i++;
      continue;
    }
    break;
  }
  if (o && buf[o - 1] == '.')
    o--;
  return o ? l7_copy(out, cap, buf, o) : 0;
}

/* The first table the statement names, into out; 0 when none is seen.
 * complete: q[0..n) is the whole statement (else it is cut, and a name
 * running into the cut may be half a name). */
static inline size_t l7_sql_table(const uint8_t *q, size_t n, int complete,
                                  char *out, size_t cap) {
  if (n > L7_SQL_SCAN_MAX) {
    n = L7_SQL_SCAN_MAX;
    complete = 0;
  }
  size_t i = 0;
  while (i < n) {
    i = l7_sql_skip(q, n, i);
    if (i >= n)
      break;
    uint8_t c = q[i];
    if (c == '\'') {
      i = l7_sql_past_quoted(q, n, i);
      continue;
    }
    size_t w = l7_sql_word(q, n, i);
    if (w == 0) {
      i = (c == '`' || c == '"') ? l7_sql_past_quoted(q, n, i) : i + 1;
      continue;
    }
    int trig = l7_sql_trigger(q + i, w);
    i += w;
    if (!trig)
      continue;
    size_t j = l7_sql_skip(q, n, i);
    for (;;) {
      size_t k = l7_sql_word(q, n, j);
      if (k == 0 || !l7_sql_noise_word(q + j, k))
        break;
      j = l7_sql_skip(q, n, j + k);
    }
    size_t k = l7_sql_word(q, n, j);
    if (k && (l7_sql_not_table(q + j, k) || l7_sql_trigger(q + j, k)))
      continue;
    /* A word cut by the end of the data may be half a name. */
    if (k && j + k == n && !complete)
      return 0;
    size_t got = l7_sql_name(q, n, j, out, cap);
    if (got)
      return got;
  }
  return 0;
}

/* Verb (upper case) and first table of a statement (complete: see
 * l7_sql_table); the verb only when it is a known one, and then the table
 * only if object is still empty. Returns 1 when the verb is known. */
static inline int l7_sql_facts(const uint8_t *q, size_t n, int complete,
                               char *verb, size_t vcap, char *object,
                               size_t ocap) {
  size_t i = l7_sql_verb_at(q, n);
  size_t w = l7_sql_word(q, n, i);
  if (!l7_sql_known_verb(q + i, w))
    return 0;
  uint8_t up[16];
  for (size_t k = 0; k < w; k++) {
    uint8_t c = q[i + k];
    up[k] = (uint8_t)(c >= 'a' && c <= 'z' ? c - 32 : c);
  }
  l7_copy(verb, vcap, up, w);
  if (!object[0])
    l7_sql_table(q, n, complete, object, ocap);
  return 1;
}

#endif
