/* detect/inject/sqli_rules.h — patterns over SQL token sequences, shared by
 * the fragment scorer (sqli.c) and the statement checker (sql_statement.c).
 *
 * Contract: a sequence is tokens from sqli_lex() over the bytes s (block
 * comments already taken out where the caller wants them ignored). Every
 * function looks at t[i..n) only, returns 0 when nothing matches, never
 * reads past n, and reports the index just past what matched in *end.
 * Paren groups are skipped to their matching ')' (or to n when unclosed).
 */
#ifndef HABIT_DETECT_INJECT_SQLI_RULES_H
#define HABIT_DETECT_INJECT_SQLI_RULES_H

#include <stddef.h>
#include <stdint.h>

#include "detect/inject/sqli_lex.h"

struct sqli_seq {
  const uint8_t *s;
  const struct sqli_token *t;
  size_t n;
};

/* What an expression or a paren group holds. */
struct sqli_expr {
  uint8_t cmp;      /* comparisons */
  uint8_t ops;      /* binary operators */
  uint8_t logic;    /* AND/OR/XOR inside paren groups */
  uint8_t operands;
  uint8_t literals; /* numbers, strings, NULL/TRUE/FALSE */
  uint8_t names;    /* barewords, variables */
  uint8_t funcs;    /* calls of known string/info functions */
  uint8_t calls;    /* calls of any function */
  uint8_t select;   /* a SELECT inside */
  uint8_t danger;   /* time, file, exec, error-based, info() or @@var */
};

/* Is token i's table word, or the text of a name outside the table,
 * `upper` (l bytes), compared without case? sqli_tok_is() for literals. */
int sqli_tok_is_n(const struct sqli_seq *q, size_t i, const char *upper,
                  size_t l);
#define sqli_tok_is(q, i, lit) sqli_tok_is_n((q), (i), (lit), sizeof(lit) - 1)
/* Index after the ')' matching the '(' at i; n when unclosed. */
size_t sqli_paren_end(const struct sqli_seq *q, size_t i);
/* Fold what the tokens in [a, b) hold into e (no parsing, a scan). */
void sqli_scan_group(const struct sqli_seq *q, size_t a, size_t b,
                     struct sqli_expr *e);
/* One operand at i: literal, variable, name(.name)*, call, paren group,
 * CASE..END. Returns the index after it, or i when there is none. */
size_t sqli_operand(const struct sqli_seq *q, size_t i, struct sqli_expr *e);
/* operand (operator operand)*, with IS [NOT] x, NOT LIKE/IN/..., BETWEEN a
 * AND b, SOUNDS LIKE. Returns the index after it, or i. */
size_t sqli_expr(const struct sqli_seq *q, size_t i, struct sqli_expr *e);
/* (operator operand)+ starting at an operator: the rest of an expression
 * whose left side came before i. Returns the index after it, or i. */
size_t sqli_expr_tail(const struct sqli_seq *q, size_t i, struct sqli_expr *e);

/* UNION [ALL|DISTINCT] ['(']* SELECT at i. */
int sqli_union_select(const struct sqli_seq *q, size_t i, size_t *end);
/* A statement starting at i that does harm or probes: DROP TABLE, INSERT
 * INTO, DELETE FROM, UPDATE x SET, EXEC proc, DECLARE @v, SHUTDOWN,
 * WAITFOR DELAY, SELECT with a real select list, ... Returns 0..100. */
int sqli_statement(const struct sqli_seq *q, size_t i, size_t *end);
/* A SELECT at i with what makes it SQL rather than English ("select a
 * size"): a list of literals, calls, '*', variables or names with commas,
 * and FROM. Returns 0..100. */
int sqli_select(const struct sqli_seq *q, size_t i, size_t *end);
/* A single dangerous token or call at i (time delay, command execution,
 * file access, error-based extraction, server info, system catalogue).
 * Returns 0..100 and the rule's name in *rule. */
int sqli_danger(const struct sqli_seq *q, size_t i, size_t *end,
                const char **rule);

#endif
