/* detect/inject/sql_statement.c — checking a whole statement (see
 * sql_statement.h). The statement is lexed once, bare; comments are judged
 * first (they carry the cut-off rest of a query), then folded away so that
 * OR/ **\/1=1 reads as OR 1=1. */
#include "detect/inject/sql_statement.h"

#include <string.h>

#include "detect/inject/sqli_lex.h"
#include "detect/inject/sqli_rules.h"

struct st {
  struct sqli_seq q;
  struct sqli_token t[SQL_STMT_MAX_TOKENS];
  int score;
  const char *rule;
  size_t a, b; /* byte span */
};

#define TYPE(x, i) ((i) < (x)->q.n ? (x)->t[i].type : '\0')
#define IS(x, i, w) sqli_tok_is(&(x)->q, (i), (w))

/* Token span [i, j) as bytes. */
static void hit(struct st *x, int pts, const char *rule, size_t i, size_t j) {
  if (pts <= x->score || i >= x->q.n)
    return;
  if (j > x->q.n)
    j = x->q.n;
  if (j <= i)
    j = i + 1;
  x->score = pts;
  x->rule = rule;
  x->a = x->t[i].pos;
  x->b = x->t[j - 1].pos + x->t[j - 1].len;
}

/* A comment right after a string or ')' holding an odd number of quotes:
 * what is left of the application's query after the injected quote. */
static void quote_comments(struct st *x, const uint8_t *s) {
  for (size_t i = 1; i < x->q.n; i++) {
    const struct sqli_token *c = &x->t[i];
    char prev = x->t[i - 1].type;
    if (c->type != 'c' || (prev != 's' && prev != ')'))
      continue;
    unsigned sq = 0, dq = 0;
    for (size_t k = c->pos; k < c->pos + c->len; k++) {
      sq += s[k] == '\'';
      dq += s[k] == '"';
    }
    if ((sq & 1) || (dq & 1))
      hit(x, 100, "quote-comment", i - 1, i + 1);
  }
  size_t last = x->q.n - 1;
  if (x->q.n && x->t[last].type == 's' && (x->t[last].flags & SQLI_TF_OPEN))
    hit(x, 60, "unbalanced-quote", last, last + 1);
}

/* Drop comments (SQL reads them as space) and unary signs, in place. */
static size_t fold(struct sqli_token *t, size_t k, const uint8_t *s) {
  size_t o = 0;
  for (size_t i = 0; i < k; i++) {
    if (t[i].type == 'c')
      continue;
    char prev = o ? t[o - 1].type : 'o';
    if (t[i].type == 'o' && t[i].len == 1 && strchr("-+", s[t[i].pos]) &&
        strchr("o&(,kEU;", prev) && i + 1 < k && t[i + 1].type == 'n')
      continue;
    t[o++] = t[i];
  }
  return o;
}

static int same_literal_kind(char a, char b) {
  return (a == 'n' && b == 'n') || (a == 's' && b == 's');
}

/* OR 1=1, OR 'a'='a', OR 2>1; OR 1 / OR TRUE before the end. */
static void tautology(struct st *x, size_t i) {
  if (!IS(x, i, "OR") && !IS(x, i, "XOR"))
    return;
  size_t j = i + 1;
  while (TYPE(x, j) == '(')
    j++;
  char a = TYPE(x, j);
  if (same_literal_kind(a, TYPE(x, j + 2)) && j + 1 < x->q.n &&
      (x->t[j + 1].flags & SQLI_TF_CMP)) {
    hit(x, 100, "tautology", i, j + 3);
    return;
  }
  char after = TYPE(x, j + 1);
  if (a == 'n' && (after == '\0' || after == ';' || after == ')'))
    hit(x, 100, "tautology", i, j + 1);
}

/* The list after UNION SELECT: only NULLs and numbers? */
static int padding_only(const struct st *x, size_t j) {
  size_t items = 0;
  while (j < x->q.n) {
    if (TYPE(x, j) != 'n')
      return 0;
    items++;
    j++;
    if (TYPE(x, j) != ',')
      break;
    j++;
  }
  char end = TYPE(x, j);
  return items > 0 && (end == '\0' || end == ';' || end == ')' ||
                       end == 'U' || IS(x, j, "FROM") || IS(x, j, "LIMIT") ||
                       IS(x, j, "ORDER"));
}

/* Catalogue tables or server info in the selected part, up to ';'. */
static int reads_catalogue(const struct st *x, size_t j) {
  for (; j < x->q.n && TYPE(x, j) != ';'; j++) {
    const struct sqli_token *t = &x->t[j];
    size_t end;
    const char *rule;
    if (t->word && (t->word->attr & SQLI_W_SYS))
      return 1;
    if (sqli_danger(&x->q, j, &end, &rule) >= INJ_DETECT &&
        strcmp(rule, "server-info") == 0)
      return 1;
    if (t->type == 'b' && IS(x, j, "MYSQL") && TYPE(x, j + 1) == '.' &&
        IS(x, j + 2, "USER"))
      return 1;
  }
  return 0;
}

static void union_select(struct st *x, size_t i) {
  size_t end;
  if (!sqli_union_select(&x->q, i, &end))
    return;
  if (padding_only(x, end))
    hit(x, 100, "union-padding", i, end + 1);
  else if (reads_catalogue(x, end))
    hit(x, 100, "union-catalog", i, end);
}

/* What a stacked statement may not do. */
static void stacked(struct st *x, size_t i) {
  size_t j = i + 1;
  if (TYPE(x, j) != 'T')
    return;
  int bad = IS(x, j, "DROP") || IS(x, j, "TRUNCATE") || IS(x, j, "SHUTDOWN") ||
            IS(x, j, "GRANT") || IS(x, j, "WAITFOR") || IS(x, j, "DECLARE") ||
            ((IS(x, j, "CREATE") || IS(x, j, "ALTER")) &&
             (IS(x, j + 1, "USER") || IS(x, j + 1, "LOGIN")));
  if ((IS(x, j, "EXEC") || IS(x, j, "EXECUTE")) && j + 1 < x->q.n &&
      x->t[j + 1].word && (x->t[j + 1].word->attr & SQLI_W_EXEC))
    bad = 1;
  if ((IS(x, j, "EXEC") || IS(x, j, "EXECUTE")) && IS(x, j + 1, "MASTER"))
    bad = 1;
  if (bad)
    hit(x, 100, "stacked-query", i, j + 2);
}

/* Error-based extraction: EXTRACTVALUE(1, CONCAT(0x7e, (SELECT ...))). */
static int error_based(const struct st *x, size_t i) {
  size_t end = TYPE(x, i + 1) == '(' ? sqli_paren_end(&x->q, i + 1) : i + 1;
  for (size_t k = i + 2; k < end; k++)
    if (TYPE(x, k) == 'E' || IS(x, k, "CONCAT") ||
        (TYPE(x, k) == 'n' && x->t[k].len > 2 && x->q.s[x->t[k].pos] == '0' &&
         (x->q.s[x->t[k].pos + 1] | 0x20) == 'x'))
      return 1;
  return 0;
}

static void danger(struct st *x, size_t i) {
  size_t end;
  const char *rule = NULL;
  if (sqli_danger(&x->q, i, &end, &rule) < INJ_DETECT)
    return;
  if (!strcmp(rule, "time-delay") || !strcmp(rule, "command-exec") ||
      !strcmp(rule, "file-access") ||
      (!strcmp(rule, "error-based") && error_based(x, i)))
    hit(x, 100, rule, i, end);
}

int sql_statement_check(const uint8_t *s, size_t n,
                        struct sql_statement_result *out) {
  memset(out, 0, sizeof *out);
  if (n > SQL_STMT_MAX_INPUT)
    n = SQL_STMT_MAX_INPUT;
  struct st x;
  x.score = 0;
  x.rule = NULL;
  int more;
  size_t k = sqli_lex(s, n, SQLI_CTX_BARE, x.t, SQL_STMT_MAX_TOKENS, &more);
  x.q = (struct sqli_seq){s, x.t, k};
  quote_comments(&x, s);
  x.q.n = fold(x.t, k, s);
  for (size_t i = 0; i < x.q.n; i++) {
    char c = x.t[i].type;
    if (c == '&')
      tautology(&x, i);
    else if (c == 'U')
      union_select(&x, i);
    else if (c == ';')
      stacked(&x, i);
    danger(&x, i);
  }
  if (x.score == 0)
    return 0;
  out->f.score = (uint8_t)x.score;
  out->f.context = 'q';
  inj_finding_rule(&out->f, x.rule);
  inj_finding_evidence(&out->f, s, n, x.a, x.b - x.a);
  out->detected = x.score >= INJ_DETECT;
  return out->detected;
}
