/* detect/inject/sqli.c — scoring a value's SQL token sequences (see sqli.h).
 *
 * Per context: lex, fold (inline comments and unary signs out), find the
 * break, judge what follows it, then look anywhere for what is enough on
 * its own. Scores: a strong hit (>= 100) wins outright; weak hits add up,
 * each kind once.
 */
#include "detect/inject/sqli.h"

#include <string.h>

#include "detect/inject/sqli_lex.h"
#include "detect/inject/sqli_rules.h"

/* Weak hits, each counted once. */
enum weak {
  WK_SELECT,
  WK_SYS,
  WK_CHAR,
  WK_COMMENT,
  WK_FUNC,
  WK_INFO,
  WK_LIMIT,
  WK_QUOTE_COMMENT,
  WK_STMT,
  WK_BOOL
};

struct hit {
  int score;
  const char *rule;
  size_t a, b; /* token span */
};

struct scan {
  struct sqli_seq q;
  struct sqli_token t[SQLI_MAX_TOKENS];
  enum sqli_ctx ctx;
  struct hit best, weak_best;
  int sum;
  unsigned weak_seen;
};

#define TYPE(sc, i) ((i) < (sc)->q.n ? (sc)->t[i].type : '\0')

static void strong(struct scan *sc, int pts, const char *rule, size_t a,
                   size_t b) {
  if (pts > sc->best.score)
    sc->best = (struct hit){pts, rule, a, b};
}

static void weak(struct scan *sc, enum weak id, int pts, const char *rule,
                 size_t a, size_t b) {
  if (pts >= INJ_DETECT) {
    strong(sc, pts, rule, a, b);
    return;
  }
  if (pts <= 0 || (sc->weak_seen & (1u << id)))
    return;
  sc->weak_seen |= 1u << id;
  sc->sum += pts;
  if (pts > sc->weak_best.score)
    sc->weak_best = (struct hit){pts, rule, a, b};
}

static int is_unary_char(uint8_t c) {
  return c == '-' || c == '+' || c == '~' || c == '!';
}

/* Can a unary operator stand after a token of this class? */
static int unary_position(char prev) {
  return prev == '\0' || strchr("o&(,kEU;", prev) != NULL;
}

/* Drop comments that code follows (SQL reads them as space: a line
 * comment ends at its newline) and unary signs (-1 is a number, like 1),
 * in place. A comment at the very end stays: it cuts off the rest of the
 * query. */
static size_t fold(struct sqli_token *t, size_t k, const uint8_t *s) {
  size_t o = 0;
  for (size_t i = 0; i < k; i++) {
    const struct sqli_token *x = &t[i];
    if (x->type == 'c' && i + 1 < k) {
      t[i + 1].flags |= SQLI_TF_SPACE;
      continue;
    }
    char prev = o ? t[o - 1].type : '\0';
    int unary = (x->type == 'o' && x->len == 1 && is_unary_char(s[x->pos])) ||
                (x->word && (sqli_word_is(x->word, "NOT") ||
                             sqli_word_is(x->word, "BINARY")));
    if (unary && unary_position(prev) && i + 1 < k &&
        strchr("nsvbf(o", t[i + 1].type) && !(o == 0 && x->type == 'k'))
      continue;
    t[o++] = *x;
  }
  return o;
}

static size_t skip_close(const struct scan *sc, size_t j) {
  while (TYPE(sc, j) == ')')
    j++;
  return j;
}

/* Is the token at i a string left open for the application's own closing
 * quote, which then closes it (the injection is balanced)? Only in the
 * single-quote context: double quotes are common in text (16", "LIKE"
 * STAMP) and are names, not strings, outside MySQL. */
static int balanced_end(const struct scan *sc, size_t i) {
  const struct sqli_token *t = &sc->t[i];
  return sc->ctx == SQLI_CTX_SQUOTE && i + 1 == sc->q.n && t->type == 's' &&
         (t->flags & SQLI_TF_OPEN) && sc->q.s[t->pos] == '\'';
}

static int is_clause(const struct scan *sc, size_t j) {
  static const char *const clauses[] = {"ORDER", "GROUP", "LIMIT", "HAVING",
                                        "INTO",  "PROCEDURE", "WHERE", NULL};
  for (const char *const *c = clauses; *c; c++)
    if (sqli_tok_is(&sc->q, j, *c))
      return 1;
  return 0;
}

/* What comes after an injected condition or expression ending at m. */
#define F_JUNK 0x00     /* words follow: English, not SQL */
#define F_END 0x01      /* the plain end of the value */
#define F_BALANCED 0x02 /* it consumed the quote left open (see above) */
#define F_COMMENT 0x04  /* a comment cuts the rest of the query */
#define F_LOGIC 0x08    /* another condition */
#define F_CLAUSE 0x10   /* ';', UNION, a clause (ORDER BY, LIMIT, ...) */
#define F_CUT (F_BALANCED | F_COMMENT) /* how injections end */

static int follows(const struct scan *sc, size_t m) {
  if (m > 0 && balanced_end(sc, m - 1))
    return F_BALANCED;
  m = skip_close(sc, m);
  if (m >= sc->q.n)
    return F_END;
  char c = TYPE(sc, m);
  if (c == 'c')
    return (sc->t[m].flags & SQLI_TF_WEAK) ? F_END : F_COMMENT;
  if (c == 'o' && m + 1 == sc->q.n)
    return F_END; /* "WHERE name=": the application's text goes on */
  if (c == '&')
    return F_LOGIC;
  if (c == ';' || c == 'U' || is_clause(sc, m))
    return F_CLAUSE;
  return F_JUNK;
}

/* A condition after AND/OR at `logic`, ending at m. A lone literal
 * (' OR 1--) counts when the injection is cut or balanced after it, not
 * when another condition follows ("WOOD" AND "SIGN" AND ...). */
static void score_condition(struct scan *sc, size_t logic, size_t m,
                            const struct sqli_expr *e, int at_break) {
  int f = follows(sc, m);
  int lone = e->operands == 1 && e->literals == 1 && e->names == 0;
  int literal = e->literals > 0 && e->names == 0;
  if (e->danger || e->select) {
    strong(sc, 100, "boolean-subquery", logic, m);
  } else if (e->cmp && (f || at_break) && (at_break || e->names == 0) &&
             (f || e->names == 0)) {
    /* With names it must end like SQL; 1=1 between literals is enough. */
    strong(sc, 100, "boolean-condition", logic, m);
  } else if (at_break && lone && (f & (F_CUT | F_CLAUSE))) {
    strong(sc, 100, "boolean-literal", logic, m);
  } else if (logic == 0 && literal && f == F_END) {
    strong(sc, 100, "boolean-literal", logic, m); /* the value is "OR 1" */
  } else if (at_break && literal && f == F_END &&
             sc->ctx == SQLI_CTX_SQUOTE && TYPE(sc, m - 1) == 'n') {
    strong(sc, 100, "boolean-literal", logic, m); /* ' or 1, 'or 2*0 */
  } else if (at_break && e->ops && (f & F_CUT)) {
    strong(sc, 100, "boolean-expression", logic, m); /* ' or x ^ '1 */
  } else if (at_break && e->funcs && f) {
    strong(sc, 100, "boolean-function", logic, m);
  }
}

/* Text of the context's string, without its closing quote, is one word:
 * what a login form gets ("admin'--") rather than prose ("SOAP 1 '#"). */
static int ctx_string_is_word(const struct scan *sc) {
  const struct sqli_token *t = &sc->t[0];
  if (t->len < 1 || t->len > 33)
    return 0;
  for (size_t i = t->pos; i + 1 < t->pos + t->len; i++)
    if (sc->q.s[i] <= ' ')
      return 0;
  return 1;
}

/* A comment that cuts the query cleanly: "-- ", a block comment, or a '#'
 * with nothing after it but symbols. */
static int clean_comment(const struct scan *sc, size_t j) {
  const struct sqli_token *t = &sc->t[j];
  if (t->flags & SQLI_TF_WEAK)
    return 0;
  if (!(t->flags & SQLI_TF_HASH))
    return 1;
  for (size_t i = t->pos + 1; i < t->pos + t->len; i++) {
    uint8_t c = sc->q.s[i];
    if ((c >= '0' && c <= '9') || ((c | 0x20) >= 'a' && (c | 0x20) <= 'z'))
      return 0;
  }
  return 1;
}

/* No names in t[a, b): literals, operators, calls and keywords only. */
static int no_names(const struct scan *sc, size_t a, size_t b) {
  for (size_t i = a; i < b && i < sc->q.n; i++)
    if (sc->t[i].type == 'b')
      return 0;
  return 1;
}

static void score_comment(struct scan *sc, size_t brk, size_t j) {
  if (sc->ctx == SQLI_CTX_BARE) {
    /* "(1) --", "( 'a' OR 1 ) --": an expression in parens, then cut. */
    if (sc->t[0].type == '(' && clean_comment(sc, j) && no_names(sc, 0, j))
      strong(sc, 100, "expression-comment", 0, j + 1);
    else
      weak(sc, WK_COMMENT, 40, "comment", brk, j + 1);
    return;
  }
  int pts = 70 + (ctx_string_is_word(sc) ? 20 : 0) +
            (clean_comment(sc, j) ? 20 : 0);
  weak(sc, WK_QUOTE_COMMENT, pts, "quote-comment", brk, j + 1);
}

/* An operator right after the break: the value is the left operand. */
static size_t score_operator(struct scan *sc, size_t j) {
  struct sqli_expr e = {0};
  size_t m = sqli_expr_tail(&sc->q, j, &e);
  if (m == j)
    return j;
  int f = follows(sc, m);
  if (e.danger || e.select) {
    strong(sc, 100, "expression-subquery", j, m);
  } else if (sc->ctx != SQLI_CTX_BARE && (f & F_CUT)) {
    strong(sc, 100, "quote-expression", j, m);
  } else if (e.funcs && f) {
    strong(sc, 100, "expression-function", j, m);
  } else if ((f & F_COMMENT) && e.names == 0 && clean_comment(sc, skip_close(sc, m))) {
    strong(sc, 100, "expression-comment", j, m + 1); /* 1-1-- */
  }
  return m;
}

/* ORDER BY 1, GROUP BY x: a list then the end. */
static void score_order_by(struct scan *sc, size_t j) {
  size_t m = j + 2;
  struct sqli_expr e = {0};
  for (int k = 0; k < 32; k++) {
    size_t next = sqli_expr(&sc->q, m, &e);
    if (next == m)
      break;
    m = next;
    if (TYPE(sc, m) != ',')
      break;
    m++;
  }
  if (sqli_tok_is(&sc->q, m, "ASC") || sqli_tok_is(&sc->q, m, "DESC"))
    m++;
  if (e.operands && follows(sc, m))
    strong(sc, 100, "order-by", j, m);
}

static void score_clause(struct scan *sc, size_t j) {
  const struct sqli_seq *q = &sc->q;
  if (sqli_tok_is(q, j, "AS") && TYPE(sc, j + 1) == 'b')
    j += 2; /* sqlmap's "1) AS x WHERE 1=1" */
  if ((sqli_tok_is(q, j, "ORDER") || sqli_tok_is(q, j, "GROUP")) &&
      sqli_tok_is(q, j + 1, "BY")) {
    score_order_by(sc, j);
  } else if (sqli_tok_is(q, j, "WHERE") || sqli_tok_is(q, j, "HAVING")) {
    struct sqli_expr e = {0};
    size_t m = sqli_expr(q, j + 1, &e);
    int sql = e.cmp || e.danger || e.select || (e.logic && e.names == 0);
    if (m > j + 1 && sql && follows(sc, m))
      strong(sc, 100, "where-clause", j, m);
    else if (m > j + 1 && e.literals && (follows(sc, m) & F_CUT))
      strong(sc, 100, "where-clause", j, m);
  } else if (sqli_tok_is(q, j, "LIMIT") && TYPE(sc, j + 1) == 'n') {
    int pts = sc->ctx == SQLI_CTX_BARE ? 60 : 100;
    weak(sc, WK_LIMIT, pts, "limit", j, j + 2);
  } else if (sqli_tok_is(q, j, "PROCEDURE") &&
             sqli_tok_is(q, j + 1, "ANALYSE")) {
    strong(sc, 100, "procedure-analyse", j, j + 2);
  } else if (sqli_tok_is(q, j, "FROM")) {
    for (size_t k = j + 1; k < q->n && k < j + 8; k++)
      if (sqli_tok_is(q, k, "WHERE"))
        score_clause(sc, k);
  }
}

/* "-1 UNION", "1/1/ **\/union#": a number, then UNION and nothing more
 * (a filter probe). Not after a word: "1950 UNION MADE", "european union"
 * are words. */
static void score_union_probe(struct scan *sc, size_t brk, size_t j) {
  if (sc->ctx == SQLI_CTX_BARE && (brk == 0 || sc->t[0].type != 'n'))
    return;
  char next = TYPE(sc, j + 1);
  if (next == '\0' || next == 'c' || next == 'U')
    strong(sc, 100, "union-probe", j, j + 1);
}

/* The break: where the value the application expected ends. In a quoted
 * context, after its string; bare, after the first operand. */
static size_t break_point(const struct scan *sc) {
  if (sc->ctx != SQLI_CTX_BARE)
    return 1;
  /* A list (IN (1,2,<here>)) is one value too. */
  struct sqli_expr e = {0};
  size_t j = sqli_operand(&sc->q, 0, &e);
  while (j > 0 && TYPE(sc, j) == ',') {
    size_t k = sqli_operand(&sc->q, j + 1, &e);
    if (k == j + 1)
      break;
    j = k;
  }
  return j;
}

/* 'OR'a='a: a logic word glued to the quotes on both sides. Prose puts
 * spaces around its words; only injections squeeze them in. */
static void quote_logic(struct scan *sc) {
  if (sc->ctx == SQLI_CTX_BARE || sc->q.n < 3 || sc->t[1].type != '&' ||
      !sc->t[1].word || (sc->t[1].flags & SQLI_TF_SPACE) ||
      sc->t[2].type != 's' || (sc->t[2].flags & SQLI_TF_SPACE))
    return;
  strong(sc, 100, "quote-logic", 1, 3);
}

static void after_break(struct scan *sc) {
  size_t brk = break_point(sc);
  quote_logic(sc);
  size_t j = skip_close(sc, brk);
  for (int round = 0; round < 16 && j < sc->q.n; round++) {
    char c = TYPE(sc, j);
    size_t m = j;
    if (c == '&') {
      struct sqli_expr e = {0};
      size_t end;
      if (TYPE(sc, j + 1) == 'E' && sqli_select(&sc->q, j + 1, &end) >= 50)
        strong(sc, 100, "boolean-subquery", j, end); /* AND SELECT ... */
      m = sqli_expr(&sc->q, j + 1, &e);
      if (m == j + 1)
        break;
      score_condition(sc, j, m, &e, 1);
    } else if (c == 'o' && sqli_tok_is(&sc->q, j, "IN") &&
               sqli_tok_is(&sc->q, j + 1, "BOOLEAN") &&
               sqli_tok_is(&sc->q, j + 2, "MODE")) {
      m = j + 3; /* the end of MATCH .. AGAINST ('x' IN BOOLEAN MODE) */
    } else if (c == 'o') {
      m = score_operator(sc, j);
    } else if (c == 'c') {
      score_comment(sc, j, j);
    } else if (c == ';' && sc->ctx != SQLI_CTX_BARE &&
               TYPE(sc, j + 1) == 'c') {
      strong(sc, 100, "quote-terminate", j, j + 2);
    } else if (c == 'k') {
      score_clause(sc, j);
    } else if (c == 'U') {
      score_union_probe(sc, brk, j);
    } else if ((c == 'T' || c == 'E') && brk > 0) {
      size_t end;
      int pts = sqli_statement(&sc->q, j, &end);
      weak(sc, WK_STMT, pts, "statement", j, end);
    }
    if (m == j)
      break;
    j = skip_close(sc, m);
  }
}

/* CHAR(65) and CHR(65): building strings without quotes. */
static int char_call(const struct scan *sc, size_t i) {
  return TYPE(sc, i) == 'f' && TYPE(sc, i + 1) == '(' &&
         TYPE(sc, i + 2) == 'n' &&
         (sqli_tok_is(&sc->q, i, "CHAR") || sqli_tok_is(&sc->q, i, "CHR"));
}

/* A string function whose arguments call another one, or select. */
static void score_nested(struct scan *sc, size_t i) {
  const struct sqli_token *t = &sc->t[i];
  if (!t->word || !(t->word->attr & (SQLI_W_STR | SQLI_W_INFO)) ||
      TYPE(sc, i + 1) != '(')
    return;
  size_t end = sqli_paren_end(&sc->q, i + 1);
  struct sqli_expr e = {0};
  sqli_scan_group(&sc->q, i + 2, end, &e);
  if (e.funcs || e.select || e.danger)
    strong(sc, 100, "nested-functions", i, end);
  else if ((t->word->attr & SQLI_W_INFO) && end > i + 3)
    weak(sc, WK_INFO, 30, "info-function", i, end);
}

/* (1=1), IIF(5=5,1,0), ELT(3=4,1): a comparison between two numbers as a
 * group's or a call's first argument, the boolean switch of blind SQLi. */
static void score_literal_cmp(struct scan *sc, size_t i) {
  size_t k = TYPE(sc, i) == 'f' ? i + 2 : i + 1;
  if (TYPE(sc, k - 1) != '(' || TYPE(sc, k) != 'n' || TYPE(sc, k + 2) != 'n' ||
      !(sc->t[k + 1].flags & SQLI_TF_CMP))
    return;
  char after = TYPE(sc, k + 3);
  if (after == ')' || after == ',' || after == '&')
    strong(sc, 100, "literal-comparison", i, k + 3);
}

/* CASE [x] WHEN a THEN b [ELSE c] END: SQL, not prose. */
static void score_case(struct scan *sc, size_t i) {
  size_t when = 0, then = 0;
  for (size_t k = i + 1; k < sc->q.n && k < i + 48; k++) {
    if (!when && sqli_tok_is(&sc->q, k, "WHEN"))
      when = k;
    else if (when && !then && sqli_tok_is(&sc->q, k, "THEN"))
      then = k;
    else if (then && sqli_tok_is(&sc->q, k, "END")) {
      if (when > i + 0 && then > when + 1 && k > then + 1)
        strong(sc, 100, "case-expression", i, k + 1);
      return;
    }
  }
}

static void anywhere_one(struct scan *sc, size_t i, int *chars) {
  const struct sqli_seq *q = &sc->q;
  size_t end;
  const char *rule = NULL;
  char c = TYPE(sc, i);
  if (c == 'U' && sqli_union_select(q, i, &end)) {
    strong(sc, 100, "union-select", i, end);
  } else if (c == 'E') {
    int pts = sqli_select(q, i, &end);
    weak(sc, WK_SELECT, pts, "select", i, end);
  } else if (c == 'T' && (i == 0 || TYPE(sc, i - 1) == ';')) {
    int pts = sqli_statement(q, i, &end);
    if (i > 0 && pts >= 80)
      pts = 100; /* after ';': stacked */
    weak(sc, WK_STMT, pts, i > 0 ? "stacked-query" : "statement", i, end);
  } else if (c == '&') {
    struct sqli_expr e = {0};
    size_t m = sqli_expr(q, i + 1, &e);
    if (m > i + 1)
      score_condition(sc, i, m, &e, 0);
  }
  if (c == ';' && TYPE(sc, i + 1) == 'E') {
    int pts = sqli_select(q, i + 1, &end);
    if (pts >= 50)
      strong(sc, 100, "stacked-query", i, end);
  }
  if (c == ';' && sqli_tok_is(q, i + 1, "IF") && TYPE(sc, i + 1) == 'f') {
    struct sqli_expr e = {0};
    size_t m = sqli_operand(q, i + 1, &e);
    if (e.cmp && (e.select || e.danger || TYPE(sc, m) == ';'))
      strong(sc, 100, "stacked-query", i, m); /* ;IF((1=2),SELECT..) */
  }
  if (c == 'k' && sqli_tok_is(q, i, "CASE"))
    score_case(sc, i);
  if (c == '(' || c == 'f')
    score_literal_cmp(sc, i);
  if (c == ';' && (sqli_tok_is(q, i + 1, "DESC") ||
                   sqli_tok_is(q, i + 1, "DESCRIBE")) &&
      TYPE(sc, i + 2) == 'b')
    strong(sc, 100, "stacked-query", i, i + 3);
  int d = sqli_danger(q, i, &end, &rule);
  if (d >= INJ_DETECT)
    strong(sc, d, rule, i, end);
  else if (d > 0)
    weak(sc, WK_SYS, d, rule, i, end);
  if (c == 'f') {
    score_nested(sc, i);
    if (char_call(sc, i) && ++*chars >= 2)
      strong(sc, 100, "char-encoding", i, i + 3);
    else if (char_call(sc, i))
      weak(sc, WK_CHAR, 50, "char-encoding", i, i + 3);
  }
}

static void anywhere(struct scan *sc) {
  int chars = 0;
  size_t from = sc->ctx == SQLI_CTX_BARE ? 0 : 1;
  for (size_t i = from; i < sc->q.n; i++)
    anywhere_one(sc, i, &chars);
}

static void fingerprint(const struct scan *sc, char *fp) {
  size_t k = 0;
  for (size_t i = 0; i < sc->q.n && k + 1 < INJ_FP_MAX; i++)
    fp[k++] = sc->t[i].type;
  fp[k] = '\0';
}

/* Byte span of a token span; in a quoted context the evidence starts at
 * the quote that breaks out. */
static void span(const struct scan *sc, const struct hit *h, size_t *off,
                 size_t *len) {
  size_t a = h->a < sc->q.n ? h->a : sc->q.n - 1;
  size_t b = h->b > a ? h->b : a + 1;
  if (b > sc->q.n)
    b = sc->q.n;
  size_t start = sc->t[a].pos;
  if (sc->ctx != SQLI_CTX_BARE && sc->t[0].len > 0 && a <= 1)
    start = sc->t[0].pos + sc->t[0].len - 1;
  size_t stop = sc->t[b - 1].pos + sc->t[b - 1].len;
  *off = start;
  *len = stop > start ? stop - start : 0;
}

/* Could any rule fire? They all need a table word, a string after the
 * break, a variable, a call, a comment, or SQL punctuation. Words and
 * numbers alone ("Vino Rioja", "Calle 12, 3B") cannot. */
static int worth_scoring(const struct scan *sc) {
  for (size_t i = sc->ctx == SQLI_CTX_BARE ? 0 : 1; i < sc->q.n; i++) {
    const struct sqli_token *t = &sc->t[i];
    if (t->word || (t->type != 'b' && t->type != 'n' && t->type != ',' &&
                    t->type != '.' && t->type != '?'))
      return 1;
  }
  return 0;
}

static void analyse(const uint8_t *s, size_t n, enum sqli_ctx ctx,
                    struct inj_finding *best) {
  struct scan sc;
  memset(&sc.best, 0, sizeof sc.best);
  sc.weak_best = sc.best;
  sc.sum = 0;
  sc.weak_seen = 0;
  sc.ctx = ctx;
  int more;
  size_t k = sqli_lex(s, n, ctx, sc.t, SQLI_MAX_TOKENS, &more);
  k = fold(sc.t, k, s);
  sc.q = (struct sqli_seq){s, sc.t, k};
  if (k == 0 || (ctx != SQLI_CTX_BARE && (sc.t[0].flags & SQLI_TF_OPEN)))
    return; /* the value never leaves its quotes */
  if (!worth_scoring(&sc))
    return;
  after_break(&sc);
  anywhere(&sc);
  const struct hit *h = &sc.best;
  int score = sc.best.score;
  if (score < INJ_DETECT && sc.sum > score) { /* weak hits add up */
    score = sc.sum;
    h = &sc.weak_best;
  }
  if (score == 0 || score <= best->score)
    return;
  inj_finding_clear(best);
  best->score = (uint8_t)(score > 255 ? 255 : score);
  best->context = ctx == SQLI_CTX_BARE ? 'n' : ctx == SQLI_CTX_SQUOTE ? 's' : 'd';
  inj_finding_rule(best, h->rule);
  fingerprint(&sc, best->fingerprint);
  size_t off, len;
  span(&sc, h, &off, &len);
  inj_finding_evidence(best, s, n, off, len);
}

/* Bytes without which a value cannot leave a bare context: quotes, white
 * space and controls (between words), ;()=<>#|&!^~*@+%`\[ . Not '/', '-',
 * '.', ',', ':': "/a/b.jsp", "2-3", "1,2" are values, and every rule
 * needs more than these. */
static int special(uint8_t c) {
  static const uint8_t map[256] = {
      [';'] = 1, ['('] = 1, [')'] = 1, ['='] = 1, ['<'] = 1, ['>'] = 1,
      ['#'] = 1, ['|'] = 1, ['&'] = 1, ['!'] = 1, ['^'] = 1, ['~'] = 1,
      ['*'] = 1, ['@'] = 1, ['+'] = 1, ['%'] = 1, ['`'] = 1, ['\\'] = 1,
      ['['] = 1, ['\''] = 1, ['"'] = 1};
  return c <= ' ' || map[c];
}

int sqli_detect(const uint8_t *s, size_t n, struct sqli_result *out) {
  memset(out, 0, sizeof *out);
  if (n > SQLI_MAX_INPUT)
    n = SQLI_MAX_INPUT;
  size_t i = 0;
  while (i < n && !special(s[i]) &&
         !(s[i] == '-' && i + 1 < n && s[i + 1] == '-')) /* a comment */
    i++;
  /* Words joined by . , - / : cannot be an injection: the common case. */
  if (i == n)
    return 0;
  int sq = memchr(s + i, '\'', n - i) != NULL;
  int dq = memchr(s + i, '"', n - i) != NULL;
  analyse(s, n, SQLI_CTX_BARE, &out->f);
  if (sq)
    analyse(s, n, SQLI_CTX_SQUOTE, &out->f);
  if (dq)
    analyse(s, n, SQLI_CTX_DQUOTE, &out->f);
  out->detected = out->f.score >= INJ_DETECT;
  return out->detected;
}
