/* detect/inject/sqli.h — SQL injection in one untrusted value.
 *
 * Contract: sqli_detect() reads s[0, n) as the application would receive
 * it (decode it first: decode.h), and returns 1 when it looks like SQL
 * injection, 0 when not; *out is always filled (score 0 when nothing was
 * found). It never allocates, keeps no state between calls, and looks at
 * no more than SQLI_MAX_INPUT bytes and SQLI_MAX_TOKENS tokens per context.
 *
 * How: the value is tokenized three times (sqli_lex.h), as if pasted bare
 * (a number or a name), inside '...' and inside "..." (a quoted context is
 * tried only when the value holds that quote). In each, the first token is
 * what the application meant the value to be; what comes after it — the
 * "break" — must read as SQL that does something: a boolean condition
 * (' OR 1=1, ' OR 'a'='a, 1 AND 2>1), a comment that cuts the rest of the
 * query (admin'--), an operator that re-opens the quote (A' - 'B), a UNION
 * SELECT, a stacked statement (; DROP TABLE), a clause (ORDER BY 3--,
 * WHERE 1=1). Anywhere in the code, some things are enough on their own:
 * UNION SELECT, delays (SLEEP(), BENCHMARK(), WAITFOR DELAY, pg_sleep()),
 * command execution (xp_cmdshell), file access (LOAD_FILE(), INTO
 * OUTFILE), error-based extraction (EXTRACTVALUE()), server info
 * (VERSION(), @@version), the system catalogue (information_schema.x),
 * nested string functions (ASCII(SUBSTRING(...))), CHAR(n) chains, and a
 * SELECT whose list is SQL rather than English (SELECT 1,2 FROM t; not
 * "select a size"). Strong rules score 100; weak ones (a bare "1--", a
 * single CHAR(65), information_schema alone) score less and add up.
 *
 * What is deliberately not flagged: apostrophes in names and words
 * ("O'Brien", "l'Hospitalet de l'Infant", "Y'ALL"), English with SQL words
 * ("select a size", "1 or 2 days", "WHERE IS GEORGE", "1-2 or more"),
 * search syntax ("foo" AND "bar", -word). Known false positive kept for
 * recall: a word followed by a quoted operator word, "select 'and'",
 * reads exactly like MySQL's implicit-conversion trick A 'AND' B.
 */
#ifndef HABIT_DETECT_INJECT_SQLI_H
#define HABIT_DETECT_INJECT_SQLI_H

#include <stddef.h>
#include <stdint.h>

#include "detect/inject/inject.h"

#define SQLI_MAX_INPUT 4096  /* bytes of a value looked at */
#define SQLI_MAX_TOKENS 160  /* tokens per context looked at */

struct sqli_result {
  int detected;
  struct inj_finding f; /* context 'n' bare, 's' in '...', 'd' in "..." */
};

int sqli_detect(const uint8_t *s, size_t n, struct sqli_result *out);

#endif
