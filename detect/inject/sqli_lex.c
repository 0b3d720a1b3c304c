/* detect/inject/sqli_lex.c — the SQL tokenizer (see sqli_lex.h).
 *
 * One function per token shape; lex_one() picks by the first byte. The
 * lexer is deliberately a union of dialects (MySQL comments and escapes,
 * MSSQL brackets, PostgreSQL casts): it must read what any back end would
 * execute, and a fragment does not say which back end it is aimed at.
 */
#include "detect/inject/sqli_lex.h"

#include <string.h>

struct lexer {
  const uint8_t *s;
  size_t n, i;
  uint8_t quote;   /* the context's quote, until its string is read */
  uint8_t in_exec; /* inside MySQL's executable comment */
};

static int is_space(uint8_t c) {
  return c == ' ' || (c >= '\t' && c <= '\r') || c == 0xA0;
}
static int is_digit(uint8_t c) { return c >= '0' && c <= '9'; }
static int is_alpha(uint8_t c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}
/* Names start with a letter, '_' or any non-ASCII byte (UTF-8, Latin-1)
 * but NBSP, which MSSQL and MySQL read as a space. */
static int is_word_start(uint8_t c) {
  return is_alpha(c) || c == '_' || (c >= 0x80 && c != 0xA0);
}
static int is_word(uint8_t c) {
  return is_word_start(c) || is_digit(c) || c == '$';
}
static int is_hex(uint8_t c) {
  return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

static void set(struct sqli_token *t, size_t pos, size_t end, char type) {
  t->pos = (uint32_t)pos;
  t->len = (uint32_t)(end - pos);
  t->type = type;
}

/* A string whose opening quote q is at i-1 (or before the input, in a
 * quoted context): up to the closing quote, with '' and, when bs, backslash
 * escapes. Returns the index after it. */
static size_t string_end(struct lexer *lx, size_t i, uint8_t q, int *open,
                         int bs) {
  const uint8_t *s = lx->s;
  while (i < lx->n) {
    if (bs && s[i] == '\\') {
      i += 2;
      continue;
    }
    if (s[i] == q) {
      if (i + 1 < lx->n && s[i + 1] == q) {
        i += 2;
        continue;
      }
      *open = 0;
      return i + 1;
    }
    i++;
  }
  *open = 1;
  return lx->n;
}

static void lex_string(struct lexer *lx, struct sqli_token *t, size_t start,
                       size_t body) {
  int open;
  size_t end = string_end(lx, body, lx->s[body - 1], &open, 1);
  set(t, start, end, 's');
  if (open)
    t->flags |= SQLI_TF_OPEN;
  lx->i = end;
}

/* A comment to the end of the line ("--", "#"). */
static void lex_line_comment(struct lexer *lx, struct sqli_token *t,
                             uint8_t flag) {
  size_t i = lx->i;
  const uint8_t *nl = memchr(lx->s + i, '\n', lx->n - i);
  size_t end = nl ? (size_t)(nl - lx->s) : lx->n;
  set(t, i, end, 'c');
  t->flags |= flag;
  lx->i = end;
}

/* Index of the "* /" closing a block comment whose body starts at i, or n. */
static size_t block_close(const struct lexer *lx, size_t i) {
  for (; i + 1 < lx->n; i++)
    if (lx->s[i] == '*' && lx->s[i + 1] == '/')
      return i;
  return lx->n;
}

static void lex_block_comment(struct lexer *lx, struct sqli_token *t) {
  size_t start = lx->i, close = block_close(lx, start + 2);
  size_t end = close < lx->n ? close + 2 : lx->n;
  set(t, start, end, 'c');
  t->flags |= SQLI_TF_BLOCK | (close < lx->n ? 0 : SQLI_TF_OPEN);
  lx->i = end;
}

static size_t word_end(const struct lexer *lx, size_t i) {
  while (i < lx->n && is_word(lx->s[i]))
    i++;
  return i;
}

/* Is the next non-space byte after i a '('? */
static int paren_follows(const struct lexer *lx, size_t i, int allow_space) {
  while (allow_space && i < lx->n && is_space(lx->s[i]))
    i++;
  return i < lx->n && lx->s[i] == '(';
}

/* "UNI/ **\/ON": a word at [a, b) directly followed by a short comment and
 * another word, joined when the whole is a table word. Returns the end of
 * the second word, or 0. */
static size_t try_join(const struct lexer *lx, size_t a, size_t b,
                       const struct sqli_word **w) {
  const uint8_t *s = lx->s;
  if (b + 3 >= lx->n || s[b] != '/' || s[b + 1] != '*' || s[b + 2] == '!')
    return 0;
  size_t close = block_close(lx, b + 2);
  if (close >= lx->n || close - b > 64 || close + 2 >= lx->n ||
      !is_word_start(s[close + 2]))
    return 0;
  size_t c = close + 2, d = word_end(lx, c);
  uint8_t buf[32];
  if ((b - a) + (d - c) > sizeof buf)
    return 0;
  memcpy(buf, s + a, b - a);
  memcpy(buf + (b - a), s + c, d - c);
  const struct sqli_word *j = sqli_word_find(buf, (b - a) + (d - c));
  if (!j)
    return 0;
  *w = j;
  return d;
}

static char word_type(const struct sqli_word *w, int call) {
  uint16_t a = w->attr;
  if (a & SQLI_W_UNION)
    return 'U';
  if (a & SQLI_W_SELECT)
    return 'E';
  if (a & SQLI_W_LOGIC)
    return '&';
  if (a & SQLI_W_OP)
    return 'o';
  if ((a & SQLI_W_FUNC) && call)
    return 'f';
  if (a & SQLI_W_LIT)
    return 'n';
  if (a & SQLI_W_STMT)
    return 'T';
  if (a & SQLI_W_KEYWORD)
    return 'k';
  return 'b';
}

static void lex_word(struct lexer *lx, struct sqli_token *t) {
  size_t a = lx->i, b = word_end(lx, a);
  const struct sqli_word *w = sqli_word_find(lx->s + a, b - a);
  size_t joined = try_join(lx, a, b, &w);
  if (joined) {
    b = joined;
    t->flags |= SQLI_TF_JOINED;
  }
  /* N'..', X'..', B'..', E'..': a prefixed string. */
  if (b - a == 1 && b < lx->n && (lx->s[b] == '\'') &&
      strchr("NnXxBbEe", lx->s[a])) {
    lx->i = b + 1;
    lex_string(lx, t, a, b + 1);
    return;
  }
  t->word = w;
  /* Built-ins may have space before '('; other names may not, so that
   * "Images (2)" stays words while "User(x)" is a call. */
  char type = w ? word_type(w, paren_follows(lx, b, 1))
                : (paren_follows(lx, b, 0) ? 'f' : 'b');
  set(t, a, b, type);
  lx->i = b;
  if (w && (w->attr & SQLI_W_OP) && (w->attr & SQLI_W_CMP))
    t->flags |= SQLI_TF_CMP;
}

/* Words that end a number when glued to it ("1union", "1or"): MSSQL reads
 * them so, and MySQL does after a decimal point. */
static int splits_number(const struct sqli_word *w) {
  return w && (w->attr & (SQLI_W_LOGIC | SQLI_W_UNION | SQLI_W_OP |
                          SQLI_W_KEYWORD | SQLI_W_STMT));
}

static void lex_number(struct lexer *lx, struct sqli_token *t) {
  const uint8_t *s = lx->s;
  size_t a = lx->i, i = a;
  if (s[i] == '0' && i + 1 < lx->n &&
      (s[i + 1] == 'x' || s[i + 1] == 'X' || s[i + 1] == 'b' ||
       s[i + 1] == 'B')) {
    size_t k = i + 2;
    while (k < lx->n && is_hex(s[k]))
      k++;
    if (k > i + 2 && (k >= lx->n || !is_word(s[k]))) {
      set(t, a, k, 'n');
      lx->i = k;
      return;
    }
  }
  int real = 0;
  while (i < lx->n && is_digit(s[i]))
    i++;
  if (i < lx->n && s[i] == '.') {
    real = 1;
    i++;
    while (i < lx->n && is_digit(s[i]))
      i++;
  }
  if (i < lx->n && (s[i] == 'e' || s[i] == 'E')) {
    size_t k = i + 1;
    if (k < lx->n && (s[k] == '+' || s[k] == '-'))
      k++;
    if (k < lx->n && is_digit(s[k])) {
      real = 1;
      for (i = k; i < lx->n && is_digit(s[i]); i++)
        ;
    }
  }
  if (i < lx->n && is_word(s[i])) {
    size_t e = word_end(lx, i);
    if (!real && !splits_number(sqli_word_find(s + i, e - i))) {
      set(t, a, e, 'b'); /* "14554532v", "4G": a name */
      lx->i = e;
      return;
    }
  }
  set(t, a, i, 'n');
  lx->i = i;
}

static void lex_variable(struct lexer *lx, struct sqli_token *t) {
  size_t a = lx->i, i = a + 1;
  if (i < lx->n && lx->s[i] == '@')
    i++;
  if (i < lx->n && (lx->s[i] == '\'' || lx->s[i] == '"' || lx->s[i] == '`')) {
    int open;
    i = string_end(lx, i + 1, lx->s[i], &open, 1);
  } else {
    /* T-SQL names may hold '#' and '$' too (@#, @a$). */
    while (i < lx->n && (is_word(lx->s[i]) || lx->s[i] == '.' ||
                         lx->s[i] == '#'))
      i++;
  }
  set(t, a, i, i > a + 1 ? 'v' : '?');
  lx->i = i;
}

/* `name` or [name]: a quoted identifier. A '[' not closed soon is just a
 * byte (JSON arrays, PHP params). */
static void lex_quoted_name(struct lexer *lx, struct sqli_token *t) {
  size_t a = lx->i;
  uint8_t close = lx->s[a] == '`' ? '`' : ']';
  size_t lim = close == ']' ? 64 : lx->n;
  for (size_t i = a + 1; i < lx->n && i - a <= lim; i++) {
    if (lx->s[i] == close) {
      set(t, a, i + 1, 'b');
      lx->i = i + 1;
      return;
    }
  }
  if (close == '`') {
    set(t, a, lx->n, 'b');
    t->flags |= SQLI_TF_OPEN;
    lx->i = lx->n;
    return;
  }
  set(t, a, a + 1, '?');
  lx->i = a + 1;
}

struct op {
  const char *text;
  char type;
  uint8_t flags;
};

/* Longest first within each leading byte. */
static const struct op ops[] = {
    {"<=>", 'o', SQLI_TF_CMP}, {"<>", 'o', SQLI_TF_CMP},
    {"<=", 'o', SQLI_TF_CMP},  {"<<", 'o', 0},
    {"<", 'o', SQLI_TF_CMP},   {">=", 'o', SQLI_TF_CMP},
    {">>", 'o', 0},            {">", 'o', SQLI_TF_CMP},
    {"!=", 'o', SQLI_TF_CMP},  {"!<", 'o', SQLI_TF_CMP},
    {"!>", 'o', SQLI_TF_CMP},  {"!", 'o', 0},
    {"==", 'o', SQLI_TF_CMP},  {"=", 'o', SQLI_TF_CMP},
    {"||", '&', 0},            {"|", 'o', 0},
    {"&&", '&', 0},            {"&", 'o', 0},
    {"::", 'o', 0},            {":=", 'o', 0},
    {":", 'o', 0},             {"+", 'o', 0},
    {"-", 'o', 0},             {"*", 'o', 0},
    {"/", 'o', 0},             {"%", 'o', 0},
    {"^", 'o', 0},             {"~", 'o', 0},
};

static void lex_operator(struct lexer *lx, struct sqli_token *t) {
  size_t a = lx->i, left = lx->n - a;
  char c = (char)lx->s[a];
  for (size_t k = 0; k < sizeof ops / sizeof ops[0]; k++) {
    if (ops[k].text[0] != c)
      continue;
    size_t l = ops[k].text[1] ? (ops[k].text[2] ? 3 : 2) : 1;
    if (l <= left && memcmp(lx->s + a, ops[k].text, l) == 0) {
      set(t, a, a + l, ops[k].type);
      t->flags |= ops[k].flags;
      lx->i = a + l;
      return;
    }
  }
  set(t, a, a + 1, '?');
  lx->i = a + 1;
}

/* "/ *!" and an optional version: the content is code. */
static int enter_exec_comment(struct lexer *lx) {
  size_t i = lx->i;
  if (i + 2 >= lx->n || lx->s[i] != '/' || lx->s[i + 1] != '*' ||
      lx->s[i + 2] != '!')
    return 0;
  i += 3;
  for (int k = 0; k < 6 && i < lx->n && is_digit(lx->s[i]); k++)
    i++;
  lx->i = i;
  lx->in_exec = 1;
  return 1;
}

/* Skip white space and the markers of executable comments. Returns 1 when
 * anything was skipped. */
static int skip_filler(struct lexer *lx) {
  size_t start = lx->i;
  for (;;) {
    while (lx->i < lx->n && is_space(lx->s[lx->i]))
      lx->i++;
    if (lx->in_exec && lx->i + 1 < lx->n && lx->s[lx->i] == '*' &&
        lx->s[lx->i + 1] == '/') {
      lx->i += 2;
      lx->in_exec = 0;
      continue;
    }
    if (!enter_exec_comment(lx))
      break;
  }
  return lx->i != start;
}

static void lex_punct_or_op(struct lexer *lx, struct sqli_token *t) {
  uint8_t c = lx->s[lx->i];
  if (c == '-' && lx->i + 1 < lx->n && lx->s[lx->i + 1] == '-') {
    size_t k = lx->i + 2;
    int weak = k < lx->n && !is_space(lx->s[k]) && lx->s[k] >= 0x20;
    lex_line_comment(lx, t, weak ? SQLI_TF_WEAK : 0);
  } else if (c == '#') {
    lex_line_comment(lx, t, SQLI_TF_HASH);
  } else if (c == '/' && lx->i + 1 < lx->n && lx->s[lx->i + 1] == '*') {
    lex_block_comment(lx, t);
  } else if (c && strchr(";(),.", c)) {
    set(t, lx->i, lx->i + 1, (char)c);
    lx->i++;
  } else if (c == '\\' && lx->i + 1 < lx->n && lx->s[lx->i + 1] == 'N') {
    set(t, lx->i, lx->i + 2, 'n'); /* MySQL's \N is NULL */
    lx->i += 2;
  } else {
    lex_operator(lx, t);
  }
}

/* One token at lx->i (after filler). */
static void lex_one(struct lexer *lx, struct sqli_token *t) {
  uint8_t c = lx->s[lx->i];
  if (c == '\'' || c == '"') {
    lx->i++;
    lex_string(lx, t, lx->i - 1, lx->i);
  } else if (is_digit(c) ||
             (c == '.' && lx->i + 1 < lx->n && is_digit(lx->s[lx->i + 1]))) {
    lex_number(lx, t);
  } else if (is_word_start(c)) {
    lex_word(lx, t);
  } else if (c == '@') {
    lex_variable(lx, t);
  } else if (c == '`' || c == '[') {
    lex_quoted_name(lx, t);
  } else {
    lex_punct_or_op(lx, t);
  }
}

/* The rest of the string the context opened. A backslash does not escape
 * here: only MySQL reads it so, and "\\'" breaks out of strings on every
 * other back end (and on MySQL when the application doubles quotes). */
static void lex_context_string(struct lexer *lx, struct sqli_token *t) {
  int open;
  size_t end = string_end(lx, 0, lx->quote, &open, 0);
  set(t, 0, end, 's');
  t->flags |= SQLI_TF_CTX | (open ? SQLI_TF_OPEN : 0);
  lx->i = end;
  lx->quote = 0;
}

size_t sqli_lex(const uint8_t *s, size_t n, enum sqli_ctx ctx,
                struct sqli_token *toks, size_t max, int *more) {
  struct lexer lx = {s, n, 0, 0, 0};
  lx.quote = ctx == SQLI_CTX_SQUOTE ? '\'' : ctx == SQLI_CTX_DQUOTE ? '"' : 0;
  size_t k = 0;
  *more = 0;
  while (k < max) {
    struct sqli_token *t = &toks[k];
    memset(t, 0, sizeof *t);
    if (lx.quote) {
      lex_context_string(&lx, t);
      k++;
      continue;
    }
    if (skip_filler(&lx))
      t->flags |= SQLI_TF_SPACE;
    if (lx.i >= n)
      return k;
    lex_one(&lx, t);
    k++;
  }
  skip_filler(&lx);
  *more = lx.i < n;
  return k;
}
