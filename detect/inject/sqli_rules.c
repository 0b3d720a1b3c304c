/* detect/inject/sqli_rules.c — token patterns (see sqli_rules.h).
 *
 * The expression reader is deliberately loose: it accepts what any dialect
 * would, and its only job is to tell "a value, then SQL that parses" from
 * "a value, then words". Every loop advances i and stops at q->n.
 */
#include "detect/inject/sqli_rules.h"

#include <string.h>
#include <strings.h>

#define T(i) (&q->t[i])
#define TYPE(i) ((i) < q->n ? q->t[i].type : '\0')

static uint8_t inc(uint8_t v) { return v < 255 ? (uint8_t)(v + 1) : v; }

int sqli_tok_is_n(const struct sqli_seq *q, size_t i, const char *upper,
                  size_t l) {
  if (i >= q->n)
    return 0;
  const struct sqli_token *t = T(i);
  if (t->word)
    return t->word->name[0] == upper[0] && sqli_word_is(t->word, upper);
  /* Only names can spell a word outside the table. */
  return t->type == 'b' && t->len == l &&
         strncasecmp((const char *)q->s + t->pos, upper, l) == 0;
}

size_t sqli_paren_end(const struct sqli_seq *q, size_t i) {
  int depth = 0;
  for (; i < q->n; i++) {
    if (T(i)->type == '(')
      depth++;
    else if (T(i)->type == ')' && --depth <= 0)
      return i + 1;
  }
  return q->n;
}

static int is_var2(const struct sqli_seq *q, size_t i) {
  const struct sqli_token *t = T(i);
  return t->type == 'v' && t->len > 2 && q->s[t->pos + 1] == '@';
}

/* Danger carried by one token, without context: what sqli_danger() would
 * say for calls and system variables. */
static int token_danger(const struct sqli_seq *q, size_t i) {
  const struct sqli_token *t = T(i);
  if (is_var2(q, i))
    return 1;
  if (!t->word)
    return 0;
  uint16_t a = t->word->attr;
  if (a & (SQLI_W_EXEC | SQLI_W_ERR))
    return 1;
  if (t->type == 'f' && (a & (SQLI_W_TIME | SQLI_W_FILE)))
    return 1;
  return t->type == 'f' && (a & SQLI_W_INFO) && TYPE(i + 1) == '(' &&
         TYPE(i + 2) == ')';
}

void sqli_scan_group(const struct sqli_seq *q, size_t a, size_t b,
                     struct sqli_expr *e) {
  if (b > q->n)
    b = q->n;
  for (size_t k = a; k < b; k++) {
    const struct sqli_token *t = T(k);
    if (t->flags & SQLI_TF_CMP)
      e->cmp = inc(e->cmp);
    if (t->type == 'E')
      e->select = 1;
    if (t->type == '&')
      e->logic = inc(e->logic);
    if (t->type == 'b')
      e->names = inc(e->names);
    if (token_danger(q, k))
      e->danger = inc(e->danger);
    if (t->type == 'f') {
      e->calls = inc(e->calls);
      if (t->word && (t->word->attr & (SQLI_W_STR | SQLI_W_INFO)))
        e->funcs = inc(e->funcs);
    }
  }
}

/* Unary operators and prefixes that may stand before an operand. */
static int is_prefix(const struct sqli_seq *q, size_t i) {
  const struct sqli_token *t = T(i);
  if (t->type == 'o')
    return t->len == 1 && strchr("-+~!", q->s[t->pos]) ? 1
                                                         : sqli_tok_is(q, i, "NOT");
  return sqli_tok_is(q, i, "BINARY") || sqli_tok_is(q, i, "INTERVAL");
}

static size_t call(const struct sqli_seq *q, size_t i, struct sqli_expr *e) {
  if (TYPE(i + 1) != '(')
    return i + 1;
  size_t j = sqli_paren_end(q, i + 1);
  if (token_danger(q, i))
    e->danger = inc(e->danger);
  e->calls = inc(e->calls);
  const struct sqli_word *w = T(i)->word;
  if (w && (w->attr & (SQLI_W_STR | SQLI_W_INFO)))
    e->funcs = inc(e->funcs);
  sqli_scan_group(q, i + 2, j, e);
  return j;
}

/* name(.name)*, with "a..b" (MSSQL's default schema) and a call at the
 * end ("dbms_lock.sleep(5)"). */
static size_t dotted(const struct sqli_seq *q, size_t i, struct sqli_expr *e) {
  size_t j = i + 1;
  while (TYPE(j) == '.') {
    while (TYPE(j) == '.')
      j++;
    char c = TYPE(j);
    if (c == 'f')
      return call(q, j, e);
    if (c != 'b' && c != 'k' && c != 'n' && c != 'T' && c != 'E')
      return j;
    j++;
  }
  return j;
}

size_t sqli_operand(const struct sqli_seq *q, size_t i, struct sqli_expr *e) {
  size_t start = i;
  while (i < q->n && is_prefix(q, i))
    i++;
  if (i >= q->n)
    return start;
  const struct sqli_token *t = T(i);
  size_t j = i;
  switch (t->type) {
  case 'n':
    e->literals = inc(e->literals);
    j = i + 1;
    break;
  case 's':
    /* Adjacent strings are one: 'a' 'b' is 'ab'. */
    e->literals = inc(e->literals);
    for (j = i + 1; TYPE(j) == 's';)
      j++;
    break;
  case 'v':
    e->names = inc(e->names);
    if (is_var2(q, i))
      e->danger = inc(e->danger);
    j = i + 1;
    break;
  case 'b':
    e->names = inc(e->names);
    if (token_danger(q, i))
      e->danger = inc(e->danger);
    j = dotted(q, i, e);
    break;
  case 'f':
    j = call(q, i, e);
    break;
  case '(': {
    j = sqli_paren_end(q, i);
    uint8_t names = e->names;
    sqli_scan_group(q, i + 1, j, e);
    if (e->names == names && j > i + 2)
      e->literals = inc(e->literals); /* (1), ('a' OR 1): a value */
    break;
  }
  case 'k':
    if (sqli_tok_is(q, i, "CASE")) {
      for (j = i + 1; j < q->n && !sqli_tok_is(q, j, "END"); j++)
        ;
      sqli_scan_group(q, i + 1, j, e);
      j = j < q->n ? j + 1 : j;
    } else if ((sqli_tok_is(q, i, "EXISTS") || sqli_tok_is(q, i, "ANY")) &&
               TYPE(i + 1) == '(') {
      j = sqli_paren_end(q, i + 1);
      sqli_scan_group(q, i + 2, j, e);
    }
    break;
  default:
    break;
  }
  if (j == i)
    return start;
  e->operands = inc(e->operands);
  return j;
}

/* The operator at i and the words that belong to it ("IS NOT", "NOT LIKE",
 * "SOUNDS LIKE"). Returns the index of its right operand, or i when i is
 * not a binary operator. */
static size_t binop(const struct sqli_seq *q, size_t i, struct sqli_expr *e) {
  const struct sqli_token *t = T(i);
  if (t->type != 'o')
    return i;
  size_t k = i + 1;
  if (sqli_tok_is(q, i, "IS") && sqli_tok_is(q, k, "NOT"))
    k++;
  else if (sqli_tok_is(q, i, "NOT")) {
    if (k >= q->n || !(T(k)->flags & SQLI_TF_CMP))
      return i;
    k++;
  } else if (sqli_tok_is(q, i, "SOUNDS") && sqli_tok_is(q, k, "LIKE"))
    k++;
  if ((t->flags & SQLI_TF_CMP) || (k > i + 1 && (T(k - 1)->flags & SQLI_TF_CMP)))
    e->cmp = inc(e->cmp);
  e->ops = inc(e->ops);
  return k;
}

size_t sqli_expr_tail(const struct sqli_seq *q, size_t i, struct sqli_expr *e) {
  size_t j = i;
  while (j < q->n) {
    int between = sqli_tok_is(q, j, "BETWEEN");
    size_t k = binop(q, j, e);
    if (k == j)
      break;
    size_t next = sqli_operand(q, k, e);
    if (next == k)
      break; /* an operator with nothing after it is not ours */
    if (between && TYPE(next) == '&') {
      size_t m = sqli_operand(q, next + 1, e);
      next = m > next + 1 ? m : next;
    }
    j = next;
  }
  return j;
}

size_t sqli_expr(const struct sqli_seq *q, size_t i, struct sqli_expr *e) {
  size_t j = sqli_operand(q, i, e);
  return j == i ? i : sqli_expr_tail(q, j, e);
}

int sqli_union_select(const struct sqli_seq *q, size_t i, size_t *end) {
  if (TYPE(i) != 'U')
    return 0;
  size_t j = i + 1;
  if (sqli_tok_is(q, j, "ALL") || sqli_tok_is(q, j, "DISTINCT"))
    j++;
  while (TYPE(j) == '(')
    j++;
  if (TYPE(j) != 'E')
    return 0;
  *end = j + 1;
  return 1;
}

/* The select list: how SQL-like it is. Literals, calls, '*', variables
 * or paren groups anywhere in it make it SQL (60); names with commas or
 * dots are likely SQL (50); a single name is English as often (20). */
static int select_list(const struct sqli_seq *q, size_t *j) {
  while (sqli_tok_is(q, *j, "ALL") || sqli_tok_is(q, *j, "DISTINCT") ||
         sqli_tok_is(q, *j, "TOP") ||
         (TYPE(*j) == 'n' && *j > 0 && sqli_tok_is(q, *j - 1, "TOP")))
    (*j)++;
  int score = 0;
  for (size_t k = *j; k < q->n && k < *j + 64; k++) {
    char c = TYPE(k);
    const struct sqli_token *t = T(k);
    if (sqli_tok_is(q, k, "FROM") || c == ';' || c == 'U' || c == 'c' ||
        c == ')' || (c == 'k' && !sqli_tok_is(q, k, "CASE") &&
                     !sqli_tok_is(q, k, "AS")))
      break;
    if (strchr("nsvf(", c) || sqli_tok_is(q, k, "CASE") ||
        (c == 'o' && t->len == 1 && q->s[t->pos] == '*'))
      return 60;
    if (c == 'b' && (TYPE(k + 1) == ',' || TYPE(k + 1) == '.'))
      score = 50;
    else if (c == 'b' && score < 20)
      score = 20;
    else if (c != 'b' && c != ',' && c != '.' && !sqli_tok_is(q, k, "AS"))
      break;
  }
  return score;
}

/* What follows FROM name: SQL clauses that English does not have. */
static int sql_tail(const struct sqli_seq *q, size_t j) {
  if (TYPE(j) == '.' || TYPE(j) == ',')
    return 1;
  if (sqli_tok_is(q, j, "LIMIT") && TYPE(j + 1) == 'n')
    return 1;
  if ((sqli_tok_is(q, j, "ORDER") || sqli_tok_is(q, j, "GROUP")) &&
      sqli_tok_is(q, j + 1, "BY"))
    return 1;
  if (sqli_tok_is(q, j, "JOIN") || sqli_tok_is(q, j, "INNER") ||
      sqli_tok_is(q, j, "LEFT"))
    return 1;
  if (sqli_tok_is(q, j, "WHERE") || sqli_tok_is(q, j, "HAVING")) {
    struct sqli_expr e = {0};
    sqli_expr(q, j + 1, &e);
    return e.cmp > 0 || e.danger > 0 || e.select > 0;
  }
  return TYPE(j) == ')' || TYPE(j) == 'U';
}

int sqli_select(const struct sqli_seq *q, size_t i, size_t *end) {
  if (TYPE(i) != 'E')
    return 0;
  size_t j = i + 1;
  int score = select_list(q, &j);
  if (score == 0)
    return 0;
  int paren = i > 0 && TYPE(i - 1) == '(';
  /* FROM within this statement. */
  size_t k = j;
  while (k < q->n && !sqli_tok_is(q, k, "FROM") && TYPE(k) != ';' &&
         TYPE(k) != 'U' && TYPE(k) != 'c' && k - j < 64)
    k++;
  *end = k < q->n ? k + 1 : k;
  if (!sqli_tok_is(q, k, "FROM")) {
    /* (SELECT 1...) as an operand, or SELECT 1 then a comment or ';'. */
    if (score >= 60 && (paren || ((TYPE(k) == 'c' || TYPE(k) == ';') && k > j)))
      return 100;
    return score;
  }
  if (score >= 60)
    return 100;
  score += 30;
  size_t m = k + 1;
  if (TYPE(m) == '(')
    return 100; /* FROM (subquery) */
  if (TYPE(m) == 'b' || TYPE(m) == 'k') {
    size_t after = dotted(q, m, &(struct sqli_expr){0});
    if (paren || sql_tail(q, after) || after > m + 1) /* x.y: schema.table */
      score += 50;
    *end = after;
  }
  return score > 100 ? 100 : score;
}

static int next_word_in(const struct sqli_seq *q, size_t i,
                        const char *const *list) {
  for (; *list; list++)
    if (sqli_tok_is_n(q, i, *list, strlen(*list)))
      return 1;
  return 0;
}

static const char *const objects[] = {
    "TABLE", "DATABASE", "PROCEDURE", "FUNCTION", "USER", "LOGIN", "VIEW",
    "TRIGGER", "INDEX", "SCHEMA", "ROLE", "EVENT", "SERVER", NULL};

/* What may end a statement: the end, a comment, ';'. */
static int stmt_ends(const struct sqli_seq *q, size_t j) {
  return j >= q->n || TYPE(j) == 'c' || TYPE(j) == ';';
}

/* EXEC proc args: the procedure, then operands separated by commas (named
 * ones as @p=1), then the end. */
static int exec_stmt(const struct sqli_seq *q, size_t i, size_t *end) {
  size_t j = i + 1;
  if (TYPE(j) == '(') {
    *end = sqli_paren_end(q, j);
    return 100;
  }
  struct sqli_expr e = {0};
  size_t k = sqli_operand(q, j, &e);
  if (k == j || (TYPE(j) != 'b' && TYPE(j) != 'v' && TYPE(j) != 's' &&
                 TYPE(j) != 'f'))
    return 0;
  while (k < q->n && !stmt_ends(q, k)) {
    /* ',' between arguments; '||' concatenates (Oracle's EXECUTE
     * IMMEDIATE 'sel' || 'ect'). */
    size_t m = k + (TYPE(k) == ',' || TYPE(k) == '&' ? 1 : 0);
    size_t next = sqli_expr(q, m, &e);
    if (next == m)
      return 0;
    k = next;
  }
  *end = k;
  return 100;
}

int sqli_statement(const struct sqli_seq *q, size_t i, size_t *end) {
  *end = i + 1;
  if (i >= q->n)
    return 0;
  size_t j = i + 1;
  if (TYPE(i) == 'E')
    return sqli_select(q, i, end);
  if (TYPE(i) != 'T')
    return 0;
  /* MySQL's modifiers: DELETE LOW_PRIORITY IGNORE FROM ... */
  while (sqli_tok_is(q, j, "LOW_PRIORITY") || sqli_tok_is(q, j, "IGNORE") ||
         sqli_tok_is(q, j, "QUICK") || sqli_tok_is(q, j, "DELAYED") ||
         sqli_tok_is(q, j, "HIGH_PRIORITY"))
    j++;
  *end = j + 1 < q->n ? j + 1 : q->n;
  if (sqli_tok_is(q, i, "DROP") || sqli_tok_is(q, i, "TRUNCATE"))
    return next_word_in(q, j, objects) ? 100 : TYPE(j) == 'b' ? 80 : 0;
  if (sqli_tok_is(q, i, "CREATE") || sqli_tok_is(q, i, "ALTER"))
    return next_word_in(q, j, objects) ? 100 : 0;
  if (sqli_tok_is(q, i, "INSERT"))
    return sqli_tok_is(q, j, "INTO") ? 100 : 0;
  if (sqli_tok_is(q, i, "DELETE"))
    return sqli_tok_is(q, j, "FROM") ? 100 : 0;
  if (sqli_tok_is(q, i, "UPDATE")) {
    size_t k = TYPE(j) == 'b' ? dotted(q, j, &(struct sqli_expr){0}) : j;
    return k > j && sqli_tok_is(q, k, "SET") ? 100 : 0;
  }
  if (sqli_tok_is(q, i, "SHUTDOWN"))
    return stmt_ends(q, j) || sqli_tok_is(q, j, "WITH") ? 100 : 0;
  if (sqli_tok_is(q, i, "EXEC") || sqli_tok_is(q, i, "EXECUTE"))
    return exec_stmt(q, i, end);
  if (sqli_tok_is(q, i, "DECLARE"))
    return TYPE(j) == 'v' ? 100 : 0;
  if (sqli_tok_is(q, i, "SET"))
    return TYPE(j) == 'v' ? 100 : 0;
  if (sqli_tok_is(q, i, "WAITFOR"))
    return sqli_tok_is(q, j, "DELAY") || sqli_tok_is(q, j, "TIME") ? 100 : 0;
  if (sqli_tok_is(q, i, "IF")) {
    if (TYPE(j) == '(' || TYPE(j) == 'E' || sqli_tok_is(q, j, "NOT") ||
        sqli_tok_is(q, j, "EXISTS"))
      return 100;
    struct sqli_expr e = {0}; /* IF 1=1 DROP ... */
    size_t k = sqli_expr(q, j, &e);
    return e.cmp && (TYPE(k) == 'T' || TYPE(k) == 'E') ? 100 : 0;
  }
  if (sqli_tok_is(q, i, "USE"))
    return TYPE(j) == 'b' && (stmt_ends(q, j + 1) || TYPE(j + 1) == 'T') ? 80
                                                                         : 0;
  if (sqli_tok_is(q, i, "BEGIN"))
    return TYPE(j) == 'T' || TYPE(j) == 'E' || TYPE(j) == 'b' ? 80 : 0;
  if (sqli_tok_is(q, i, "CALL"))
    return TYPE(j) == 'f' ? 100 : (TYPE(j) == 'b' && stmt_ends(q, j + 1)) ? 80 : 0;
  if (sqli_tok_is(q, i, "LOAD"))
    return sqli_tok_is(q, j, "DATA") || sqli_tok_is(q, j, "XML") ? 100 : 0;
  if (sqli_tok_is(q, i, "GRANT") || sqli_tok_is(q, i, "REVOKE") ||
      sqli_tok_is(q, i, "ATTACH") || sqli_tok_is(q, i, "COPY") ||
      sqli_tok_is(q, i, "RENAME") || sqli_tok_is(q, i, "BACKUP"))
    return TYPE(j) == 'b' || TYPE(j) == 'k' || TYPE(j) == 'T' ? 90 : 0;
  if (sqli_tok_is(q, i, "SHOW") || sqli_tok_is(q, i, "KILL") ||
      sqli_tok_is(q, i, "PRAGMA") || sqli_tok_is(q, i, "RECONFIGURE"))
    return stmt_ends(q, j) || stmt_ends(q, j + 1) ? 80 : 0;
  return 0;
}

static int followed_by_dot(const struct sqli_seq *q, size_t i) {
  return TYPE(i + 1) == '.';
}

static int after_from(const struct sqli_seq *q, size_t i) {
  return i > 0 && (TYPE(i - 1) == '.' || TYPE(i - 1) == ',' ||
                   sqli_tok_is(q, i - 1, "FROM") || sqli_tok_is(q, i - 1, "JOIN"));
}

/* Danger of a word that is not a call. */
static int word_danger(const struct sqli_seq *q, size_t i, const char **rule) {
  uint16_t a = T(i)->word->attr;
  if (a & SQLI_W_EXEC)
    return *rule = "command-exec", 100;
  if ((a & SQLI_W_TIME) && followed_by_dot(q, i))
    return *rule = "time-delay", 100;
  if (sqli_tok_is(q, i, "WAITFOR") &&
      (sqli_tok_is(q, i + 1, "DELAY") || sqli_tok_is(q, i + 1, "TIME")))
    return *rule = "time-delay", 100;
  if ((a & SQLI_W_ERR) && followed_by_dot(q, i))
    return *rule = "error-based", 100;
  if (a & SQLI_W_FILE) {
    int into = i > 0 && sqli_tok_is(q, i - 1, "INTO");
    if (into || followed_by_dot(q, i) ||
        (sqli_tok_is(q, i, "BULK") && sqli_tok_is(q, i + 1, "INSERT")))
      return *rule = "file-access", 100;
  }
  if (a & SQLI_W_SYS) {
    *rule = "system-catalog";
    return followed_by_dot(q, i) || after_from(q, i) ? 100 : 50;
  }
  return 0;
}

int sqli_danger(const struct sqli_seq *q, size_t i, size_t *end,
                const char **rule) {
  const struct sqli_token *t = T(i);
  *end = i + 1;
  if (is_var2(q, i))
    return *rule = "server-info", 100;
  if (!t->word)
    return 0;
  uint16_t a = t->word->attr;
  if (t->type == 'f') {
    *end = TYPE(i + 1) == '(' ? sqli_paren_end(q, i + 1) : i + 1;
    if (a & SQLI_W_TIME)
      return *rule = "time-delay", 100;
    if (a & SQLI_W_EXEC)
      return *rule = "command-exec", 100;
    if (a & SQLI_W_FILE)
      return *rule = "file-access", 100;
    if (a & SQLI_W_ERR)
      return *rule = "error-based", 100;
    if ((a & SQLI_W_INFO) && TYPE(i + 1) == '(' && TYPE(i + 2) == ')')
      return *rule = "server-info", 100;
    return 0;
  }
  return word_danger(q, i, rule);
}
