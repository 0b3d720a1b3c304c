/* detect/inject/sqli_lex.h — a SQL tokenizer for untrusted fragments.
 *
 * Contract: sqli_lex() cuts s[0, n) into at most `max` tokens, as SQL would
 * read it when the fragment is pasted into a query in one of three places:
 * bare (a number or a name: WHERE id=<here>), inside '...' or inside "...".
 * In a quoted context the first token is the rest of the string the
 * application opened (type 's', flag SQLI_TF_CTX); what follows its closing
 * quote is code. The tokenizer is forgiving: it never fails, it reads every
 * byte at most a few times, never past n, and it never allocates.
 *
 * Token classes (one byte each; a fingerprint is a string of them):
 *   s string ('..', "..", N'..', X'..', unterminated ones flagged OPEN)
 *   n number (decimal, 0x hex, 0b, 1.5e3) or literal (NULL, TRUE, FALSE)
 *   v variable (@x, @@version, @'x')
 *   b bareword or identifier (`x`, [x], names not in the word table)
 *   k keyword (FROM, WHERE, BY, ...)       E SELECT     U UNION/INTERSECT/EXCEPT
 *   T statement starter (DROP, INSERT, EXEC, DECLARE, SHUTDOWN, WAITFOR, ...)
 *   & logic (AND, OR, XOR, &&, ||)         o operator (=, <, +, LIKE, IS, DIV..)
 *   f function (a known function, or any name directly followed by '(')
 *   c comment (--, #, / * * /)             ; ( ) , . punctuation
 *   ? anything else
 * Comments: "--" to the end of the line (flag WEAK when not followed by
 * white space, as MySQL then reads two minuses); '#' to the end of the line
 * (flag HASH); block comments, whose content is skipped, except MySQL's
 * executable ones ("/ *!50000 ... * /"), whose content is lexed as code. A
 * name cut by an empty comment ("UNI/ **\/ON") is joined when the joined
 * word is in the table (flag JOINED): filters that strip comments make it
 * one word. Backslash escapes inside strings (MySQL); '' and "" too.
 */
#ifndef HABIT_DETECT_INJECT_SQLI_LEX_H
#define HABIT_DETECT_INJECT_SQLI_LEX_H

#include <stddef.h>
#include <stdint.h>

enum sqli_ctx { SQLI_CTX_BARE = 0, SQLI_CTX_SQUOTE = 1, SQLI_CTX_DQUOTE = 2 };

/* Token flags. */
#define SQLI_TF_OPEN 0x01u   /* string, comment or quoted name not closed */
#define SQLI_TF_CTX 0x02u    /* the string the context opened */
#define SQLI_TF_CMP 0x04u    /* a comparison operator (=, <, LIKE, IN, ...) */
#define SQLI_TF_WEAK 0x08u   /* "--" not followed by white space */
#define SQLI_TF_HASH 0x10u   /* a '#' comment */
#define SQLI_TF_BLOCK 0x20u  /* a block comment */
#define SQLI_TF_JOINED 0x40u /* a word joined across an empty comment */
#define SQLI_TF_SPACE 0x80u  /* white space or a comment came before it */

/* Attributes of words in the table. */
#define SQLI_W_KEYWORD 0x0001u /* reserved word */
#define SQLI_W_FUNC 0x0002u    /* a built-in function */
#define SQLI_W_TIME 0x0004u    /* delays or heavy queries (SLEEP, ...) */
#define SQLI_W_INFO 0x0008u    /* tells about the server (VERSION(), ...) */
#define SQLI_W_FILE 0x0010u    /* reads or writes files (LOAD_FILE, ...) */
#define SQLI_W_EXEC 0x0020u    /* runs commands (xp_cmdshell, ...) */
#define SQLI_W_SYS 0x0040u     /* system catalogue (information_schema...) */
#define SQLI_W_ERR 0x0080u     /* error-based extraction (EXTRACTVALUE...) */
#define SQLI_W_STR 0x0100u     /* string/char functions used to extract */
#define SQLI_W_STMT 0x0200u    /* starts a statement */
#define SQLI_W_LOGIC 0x0400u   /* AND, OR, XOR */
#define SQLI_W_OP 0x0800u      /* word operator (LIKE, DIV, IS, ...) */
#define SQLI_W_CMP 0x1000u     /* ... that compares */
#define SQLI_W_LIT 0x2000u     /* literal (NULL, TRUE, FALSE) */
#define SQLI_W_UNION 0x4000u   /* set operator */
#define SQLI_W_SELECT 0x8000u  /* SELECT */

struct sqli_word {
  const char *name; /* upper case */
  uint16_t attr;
};

/* Look a word up (any case); NULL when it is not in the table. */
const struct sqli_word *sqli_word_find(const uint8_t *w, size_t n);
/* Is t's word the table entry called name (upper case)? */
#define SQLI_WORD_IS(t, nm) ((t)->word && (t)->word->name[0] == (nm)[0] && \
                             sqli_word_is((t)->word, (nm)))
int sqli_word_is(const struct sqli_word *w, const char *name);
/* Self-check for the unit test: is the table in strcmp order? */
int sqli_words_sorted(void);

struct sqli_token {
  uint32_t pos, len;             /* span in the input */
  char type;                     /* class, see above */
  uint8_t flags;                 /* SQLI_TF_* */
  const struct sqli_word *word;  /* table entry, or NULL */
};

/* Tokenize s[0, n) in context ctx into toks[0, max). Returns the count;
 * *more is set when tokens were left out because max was reached. */
size_t sqli_lex(const uint8_t *s, size_t n, enum sqli_ctx ctx,
                struct sqli_token *toks, size_t max, int *more);

#endif
