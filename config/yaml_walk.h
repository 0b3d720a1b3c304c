/* config/yaml_walk.h — load one strict YAML document and walk it by hand.
 *
 * Contract: yw_load() parses text into a libyaml document and refuses what a
 * configuration file has no use for and could only make ambiguous: more than
 * one document, anchors, aliases and explicit tags. Every failure, there and
 * in the walk, is one line "name:line:col: what" (1-based, libyaml's marks)
 * in the caller's hb_error. A walk carries a yw_path (a chain of keys and
 * list indexes on the stack) so messages can say where they are
 * ("services.web.members[0]"). Nothing here knows habit's schema.
 */
#ifndef HABIT_CONFIG_YAML_WALK_H
#define HABIT_CONFIG_YAML_WALK_H

#include <stdbool.h>
#include <stddef.h>

#include <yaml.h>

#include "core/error.h"

struct yw {
  yaml_document_t doc;
  bool loaded;        /* doc must be deleted */
  const char *name;   /* file name for messages */
  struct hb_error *err;
};

/* Where a node is: a key under its parent mapping, or an index in a list.
 * The root has up == NULL and key == NULL. */
struct yw_path {
  const struct yw_path *up;
  const char *key; /* NULL for a list item */
  size_t key_len;
  size_t index;
};

/* Parse text (len bytes, need not be NUL-terminated). 0 on success, with the
 * document in w; a negative errno-style code otherwise, w left unloaded. */
int yw_load(struct yw *w, const char *name, const char *text, size_t len,
            struct hb_error *err);
void yw_close(struct yw *w);
/* The root node, or NULL for an empty stream. */
yaml_node_t *yw_root(struct yw *w);
yaml_node_t *yw_node(struct yw *w, int index);

/* "name:line:col: " + message, at node's start; returns -EINVAL. */
int yw_fail(const struct yw *w, const yaml_node_t *at, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* "name:line:col: path: " + message; at the root, no "path: ". */
int yw_fail_at(const struct yw *w, const yaml_node_t *at,
               const struct yw_path *p, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* The dotted form of a path ("services.web.members[0]"), "" at the root;
 * cut to fit cap. Returns out. */
const char *yw_path_str(const struct yw_path *p, char *out, size_t cap);
/* A scalar's text for a message: quoted, control and non-ASCII bytes as
 * \xNN, long text cut with "...". out needs YW_QUOTE_MAX bytes. */
#define YW_QUOTE_MAX 96
const char *yw_quote(const char *s, size_t len, char *out);
/* "a mapping", "a list", "nothing" or "'text'": what a node is, for
 * "expected X, got Y". out needs YW_QUOTE_MAX bytes. */
const char *yw_describe(const yaml_node_t *n, char *out);

/* A plain empty scalar, "~" or "null": YAML's null. */
bool yw_is_null(const yaml_node_t *n);
/* A scalar and its text; embedded NULs are kept (len counts them). */
bool yw_scalar(const yaml_node_t *n, const char **s, size_t *len);
/* The scalar equals the NUL-terminated word exactly. */
bool yw_scalar_is(const yaml_node_t *n, const char *word);

/* A mapping whose keys are non-empty scalars, each once. A null node counts
 * as the empty mapping (*n_pairs = 0). Fails with a message otherwise:
 * "expected a mapping", "duplicate key 'x' in services (first at 3:3)". */
int yw_mapping(struct yw *w, yaml_node_t *n, const struct yw_path *p,
               yaml_node_pair_t **pairs, size_t *n_pairs);
/* A list (null is not a list). */
int yw_sequence(struct yw *w, yaml_node_t *n, const struct yw_path *p,
                yaml_node_item_t **items, size_t *n_items);
/* "unknown key 'k' in <path> (expected one of: <expected>)" at the key. */
int yw_unknown_key(const struct yw *w, const yaml_node_t *key,
                   const struct yw_path *p, const char *expected);

#endif
