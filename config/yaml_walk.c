#include "config/yaml_walk.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- messages ---------------------------------------------------------- */

static int vfail_mark(const struct yw *w, const yaml_mark_t *m,
                      const char *path, const char *fmt, va_list ap)
    __attribute__((format(printf, 4, 0)));

static int vfail_mark(const struct yw *w, const yaml_mark_t *m,
                      const char *path, const char *fmt, va_list ap) {
  char what[HB_ERROR_MAX];
  vsnprintf(what, sizeof what, fmt, ap);
  return hb_fail(w->err, EINVAL, "%s:%zu:%zu: %s%s%s", w->name, m->line + 1,
                 m->column + 1, path ? path : "", path ? ": " : "", what);
}

static int fail_mark(const struct yw *w, const yaml_mark_t *m,
                     const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int fail_mark(const struct yw *w, const yaml_mark_t *m,
                     const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  int rc = vfail_mark(w, m, NULL, fmt, ap);
  va_end(ap);
  return rc;
}

int yw_fail(const struct yw *w, const yaml_node_t *at, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  int rc = vfail_mark(w, &at->start_mark, NULL, fmt, ap);
  va_end(ap);
  return rc;
}

int yw_fail_at(const struct yw *w, const yaml_node_t *at,
               const struct yw_path *p, const char *fmt, ...) {
  char path[160];
  yw_path_str(p, path, sizeof path);
  va_list ap;
  va_start(ap, fmt);
  int rc = vfail_mark(w, &at->start_mark, path[0] ? path : NULL, fmt, ap);
  va_end(ap);
  return rc;
}

static size_t put(char *out, size_t cap, size_t at, const char *s, size_t n) {
  if (at + 1 >= cap)
    return at;
  if (n > cap - 1 - at)
    n = cap - 1 - at;
  memcpy(out + at, s, n);
  out[at + n] = '\0';
  return at + n;
}

/* Parents first; the root (NULL) writes nothing. */
static size_t path_put(const struct yw_path *p, char *out, size_t cap,
                       size_t at) {
  if (!p)
    return at;
  at = path_put(p->up, out, cap, at);
  if (p->key) {
    if (at > 0)
      at = put(out, cap, at, ".", 1);
    return put(out, cap, at, p->key, p->key_len);
  }
  char idx[32];
  int n = snprintf(idx, sizeof idx, "[%zu]", p->index);
  return put(out, cap, at, idx, (size_t)n);
}

const char *yw_path_str(const struct yw_path *p, char *out, size_t cap) {
  if (cap == 0)
    return out;
  out[0] = '\0';
  path_put(p, out, cap, 0);
  return out;
}

const char *yw_quote(const char *s, size_t len, char *out) {
  enum { BODY = 60 }; /* text bytes shown; YW_QUOTE_MAX leaves room */
  size_t at = 0;
  out[at++] = '\'';
  size_t i = 0;
  for (; i < len; i++) {
    unsigned char c = (unsigned char)s[i];
    char piece[8];
    int n = (c >= 0x20 && c < 0x7f)
                ? snprintf(piece, sizeof piece, "%c", c)
                : snprintf(piece, sizeof piece, "\\x%02x", c);
    if (at - 1 + (size_t)n > BODY)
      break;
    memcpy(out + at, piece, (size_t)n);
    at += (size_t)n;
  }
  if (i < len) {
    memcpy(out + at, "...", 3);
    at += 3;
  }
  out[at++] = '\'';
  out[at] = '\0';
  return out;
}

const char *yw_describe(const yaml_node_t *n, char *out) {
  const char *s;
  size_t len;
  if (n->type == YAML_MAPPING_NODE)
    snprintf(out, YW_QUOTE_MAX, "a mapping");
  else if (n->type == YAML_SEQUENCE_NODE)
    snprintf(out, YW_QUOTE_MAX, "a list");
  else if (yw_is_null(n))
    snprintf(out, YW_QUOTE_MAX, "nothing");
  else if (yw_scalar(n, &s, &len))
    yw_quote(s, len, out);
  else
    snprintf(out, YW_QUOTE_MAX, "an empty node");
  return out;
}

/* ---- loading ----------------------------------------------------------- */

/* Reader errors carry a byte offset, not a mark: count lines and
 * characters (UTF-8 lead bytes) up to it, as libyaml's marks do. */
static yaml_mark_t mark_at_offset(const char *text, size_t len, size_t off) {
  yaml_mark_t m = {.index = off, .line = 0, .column = 0};
  if (off > len)
    off = len;
  for (size_t i = 0; i < off; i++) {
    unsigned char c = (unsigned char)text[i];
    if (c == '\n') {
      m.line++;
      m.column = 0;
    } else if ((c & 0xc0) != 0x80) {
      m.column++;
    }
  }
  return m;
}

static int syntax_error(struct yw *w, const yaml_parser_t *p,
                        const char *text, size_t len) {
  const char *problem = p->problem ? p->problem : "unknown error";
  if (p->error == YAML_MEMORY_ERROR)
    return hb_fail(w->err, ENOMEM, "%s: out of memory while parsing",
                   w->name);
  if (p->error == YAML_READER_ERROR) {
    yaml_mark_t m = mark_at_offset(text, len, p->problem_offset);
    if (p->problem_value != -1)
      return fail_mark(w, &m, "syntax error: %s (value 0x%x)", problem,
                       (unsigned)p->problem_value);
    return fail_mark(w, &m, "syntax error: %s", problem);
  }
  const yaml_mark_t *pm = &p->problem_mark, *cm = &p->context_mark;
  if (!p->context)
    return fail_mark(w, pm, "syntax error: %s", problem);
  if (cm->line == pm->line)
    return fail_mark(w, pm, "syntax error: %s (%s)", problem, p->context);
  return fail_mark(w, pm, "syntax error: %s (%s at %zu:%zu)", problem,
                   p->context, cm->line + 1, cm->column + 1);
}

static void start_parser(yaml_parser_t *p, const char *text, size_t len) {
  yaml_parser_set_input_string(p, (const unsigned char *)text, len);
  yaml_parser_set_encoding(p, YAML_UTF8_ENCODING);
}

/* Far deeper than habit's schema (6 levels); the bound keeps libyaml's
 * scanner, whose cost per token grows with the nesting, linear. */
#define YW_MAX_DEPTH 32

struct lint_state {
  int docs;  /* documents started */
  int depth; /* open mappings and lists */
};

/* What one event brings that a configuration refuses, or 0. */
static int refuse_event(struct yw *w, const yaml_event_t *ev,
                        struct lint_state *st) {
  const yaml_mark_t *m = &ev->start_mark;
  const yaml_char_t *anchor = NULL, *tag = NULL;
  if (ev->type == YAML_SEQUENCE_START_EVENT ||
      ev->type == YAML_MAPPING_START_EVENT) {
    if (++st->depth > YW_MAX_DEPTH)
      return fail_mark(w, m, "nested deeper than %d levels", YW_MAX_DEPTH);
  } else if (ev->type == YAML_SEQUENCE_END_EVENT ||
             ev->type == YAML_MAPPING_END_EVENT) {
    st->depth--;
  }
  switch (ev->type) {
  case YAML_DOCUMENT_START_EVENT:
    if (++st->docs > 1)
      return fail_mark(w, m, "a second YAML document: a configuration file "
                             "holds one");
    return 0;
  case YAML_ALIAS_EVENT:
    return fail_mark(w, m, "aliases (*%s) are not supported",
                     (const char *)ev->data.alias.anchor);
  case YAML_SCALAR_EVENT:
    anchor = ev->data.scalar.anchor;
    tag = ev->data.scalar.tag;
    break;
  case YAML_SEQUENCE_START_EVENT:
    anchor = ev->data.sequence_start.anchor;
    tag = ev->data.sequence_start.tag;
    break;
  case YAML_MAPPING_START_EVENT:
    anchor = ev->data.mapping_start.anchor;
    tag = ev->data.mapping_start.tag;
    break;
  default:
    return 0;
  }
  if (anchor)
    return fail_mark(w, m, "anchors (&%s) are not supported",
                     (const char *)anchor);
  if (tag)
    return fail_mark(w, m, "tags (%s) are not supported", (const char *)tag);
  return 0;
}

/* First pass over the events: syntax errors, and what refuse_event refuses,
 * reported at their own place before any node exists. */
static int lint(struct yw *w, const char *text, size_t len) {
  yaml_parser_t p;
  if (!yaml_parser_initialize(&p))
    return hb_fail(w->err, ENOMEM, "%s: out of memory", w->name);
  start_parser(&p, text, len);
  int rc = 0;
  struct lint_state st = {0, 0};
  for (;;) {
    yaml_event_t ev;
    if (!yaml_parser_parse(&p, &ev)) {
      rc = syntax_error(w, &p, text, len);
      break;
    }
    rc = refuse_event(w, &ev, &st);
    int end = ev.type == YAML_STREAM_END_EVENT;
    yaml_event_delete(&ev);
    if (rc || end)
      break;
  }
  yaml_parser_delete(&p);
  return rc;
}

/* UTF-8 only. A UTF-8 byte order mark is dropped here: libyaml keeps it as
 * text once the encoding is set. UTF-16 and UTF-32 marks get a clear word
 * rather than "invalid leading UTF-8 octet". */
static int skip_bom(struct yw *w, const char **text, size_t *len) {
  const unsigned char *t = (const unsigned char *)*text;
  if (*len >= 3 && t[0] == 0xef && t[1] == 0xbb && t[2] == 0xbf) {
    *text += 3;
    *len -= 3;
    return 0;
  }
  if (*len >= 2 && ((t[0] == 0xff && t[1] == 0xfe) ||
                    (t[0] == 0xfe && t[1] == 0xff) ||
                    (t[0] == 0 && t[1] == 0)))
    return hb_fail(w->err, EINVAL,
                   "%s:1:1: the file is UTF-16 or UTF-32; habit reads UTF-8",
                   w->name);
  return 0;
}

int yw_load(struct yw *w, const char *name, const char *text, size_t len,
            struct hb_error *err) {
  memset(w, 0, sizeof *w);
  w->name = name;
  w->err = err;
  int rc = skip_bom(w, &text, &len);
  if (rc == 0)
    rc = lint(w, text, len);
  if (rc)
    return rc;
  yaml_parser_t p;
  if (!yaml_parser_initialize(&p))
    return hb_fail(err, ENOMEM, "%s: out of memory", name);
  start_parser(&p, text, len);
  if (yaml_parser_load(&p, &w->doc))
    w->loaded = true;
  else
    rc = syntax_error(w, &p, text, len);
  yaml_parser_delete(&p);
  return rc;
}

void yw_close(struct yw *w) {
  if (w->loaded)
    yaml_document_delete(&w->doc);
  w->loaded = false;
}

yaml_node_t *yw_root(struct yw *w) {
  return w->loaded ? yaml_document_get_root_node(&w->doc) : NULL;
}

yaml_node_t *yw_node(struct yw *w, int index) {
  return yaml_document_get_node(&w->doc, index);
}

/* ---- nodes ------------------------------------------------------------- */

bool yw_scalar(const yaml_node_t *n, const char **s, size_t *len) {
  if (n->type != YAML_SCALAR_NODE)
    return false;
  *s = (const char *)n->data.scalar.value;
  *len = n->data.scalar.length;
  return true;
}

bool yw_scalar_is(const yaml_node_t *n, const char *word) {
  const char *s;
  size_t len;
  return yw_scalar(n, &s, &len) && len == strlen(word) &&
         memcmp(s, word, len) == 0;
}

bool yw_is_null(const yaml_node_t *n) {
  if (n->type != YAML_SCALAR_NODE ||
      n->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
    return false;
  return yw_scalar_is(n, "") || yw_scalar_is(n, "~") ||
         yw_scalar_is(n, "null") || yw_scalar_is(n, "Null") ||
         yw_scalar_is(n, "NULL");
}

struct keyref {
  const yaml_node_t *node;
  size_t pos; /* in the mapping */
};

static int keyref_cmp(const void *a, const void *b) {
  const struct keyref *x = a, *y = b;
  size_t lx = x->node->data.scalar.length, ly = y->node->data.scalar.length;
  int c = memcmp(x->node->data.scalar.value, y->node->data.scalar.value,
                 lx < ly ? lx : ly);
  if (c == 0 && lx != ly)
    c = lx < ly ? -1 : 1;
  if (c == 0)
    c = x->pos < y->pos ? -1 : x->pos > y->pos;
  return c;
}

static bool same_key(const struct keyref *a, const struct keyref *b) {
  return a->node->data.scalar.length == b->node->data.scalar.length &&
         memcmp(a->node->data.scalar.value, b->node->data.scalar.value,
                a->node->data.scalar.length) == 0;
}

/* Sort the keys so repeats are neighbours; report the repeat that comes
 * first in the file. */
static int check_duplicates(struct yw *w, yaml_node_pair_t *pairs, size_t n,
                            const struct yw_path *p) {
  if (n < 2)
    return 0;
  struct keyref *k = calloc(n, sizeof *k);
  if (!k)
    return hb_fail(w->err, ENOMEM, "%s: out of memory", w->name);
  for (size_t i = 0; i < n; i++)
    k[i] = (struct keyref){yw_node(w, pairs[i].key), i};
  qsort(k, n, sizeof *k, keyref_cmp);
  /* Equal keys sort by position, so a run's second entry is its first
   * repeat and the entry before it the original. */
  const struct keyref *first = NULL, *again = NULL;
  for (size_t i = 1; i < n; i++)
    if (same_key(&k[i - 1], &k[i]) && (!again || k[i].pos < again->pos)) {
      again = &k[i];
      first = &k[i - 1];
    }
  int rc = 0;
  if (again) {
    char path[160], q[YW_QUOTE_MAX];
    yw_path_str(p, path, sizeof path);
    const yaml_char_t *s = again->node->data.scalar.value;
    rc = yw_fail(w, again->node, "duplicate key %s %s%s (first at %zu:%zu)",
                 yw_quote((const char *)s, again->node->data.scalar.length, q),
                 path[0] ? "in " : "at top level", path,
                 first->node->start_mark.line + 1,
                 first->node->start_mark.column + 1);
  }
  free(k);
  return rc;
}

int yw_mapping(struct yw *w, yaml_node_t *n, const struct yw_path *p,
               yaml_node_pair_t **pairs, size_t *n_pairs) {
  *pairs = NULL;
  *n_pairs = 0;
  if (yw_is_null(n))
    return 0;
  if (n->type != YAML_MAPPING_NODE) {
    char got[YW_QUOTE_MAX];
    return yw_fail_at(w, n, p, "expected a mapping, got %s",
                      yw_describe(n, got));
  }
  yaml_node_pair_t *pr = n->data.mapping.pairs.start;
  size_t count = (size_t)(n->data.mapping.pairs.top - pr);
  for (size_t i = 0; i < count; i++) {
    const yaml_node_t *k = yw_node(w, pr[i].key);
    char path[160], got[YW_QUOTE_MAX];
    yw_path_str(p, path, sizeof path);
    if (k->type != YAML_SCALAR_NODE || yw_is_null(k) ||
        k->data.scalar.length == 0)
      return yw_fail(w, k, "expected a name as key %s%s, got %s",
                     path[0] ? "in " : "at top level", path,
                     yw_describe(k, got));
  }
  int rc = check_duplicates(w, pr, count, p);
  if (rc)
    return rc;
  *pairs = pr;
  *n_pairs = count;
  return 0;
}

int yw_sequence(struct yw *w, yaml_node_t *n, const struct yw_path *p,
                yaml_node_item_t **items, size_t *n_items) {
  *items = NULL;
  *n_items = 0;
  if (n->type != YAML_SEQUENCE_NODE) {
    char got[YW_QUOTE_MAX];
    return yw_fail_at(w, n, p, "expected a list, got %s", yw_describe(n, got));
  }
  *items = n->data.sequence.items.start;
  *n_items = (size_t)(n->data.sequence.items.top - *items);
  return 0;
}

int yw_unknown_key(const struct yw *w, const yaml_node_t *key,
                   const struct yw_path *p, const char *expected) {
  char path[160], q[YW_QUOTE_MAX];
  yw_path_str(p, path, sizeof path);
  return yw_fail(w, key, "unknown key %s %s%s (expected one of: %s)",
                 yw_quote((const char *)key->data.scalar.value,
                          key->data.scalar.length, q),
                 path[0] ? "in " : "at top level", path, expected);
}
