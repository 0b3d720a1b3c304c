/* detect/inject/sql_statement.h — injection signs in a whole SQL statement.
 *
 * Contract: sql_statement_check() reads one statement as an application
 * sent it over a SQL wire protocol (MySQL COM_QUERY, PostgreSQL simple
 * Query; the caller strips the protocol framing) and returns 1 when it
 * carries signs of injection that legitimate application SQL rarely has,
 * 0 when not; *out is always filled. It never allocates, keeps no state,
 * and looks at no more than SQL_STMT_MAX_INPUT bytes and
 * SQL_STMT_MAX_TOKENS tokens.
 *
 * Flagged (each scores 100):
 *   - a tautology after OR: OR 1=1, OR 'x'='x', OR 2>1 (two literals
 *     compared), or OR 1 / OR TRUE right before a comment or the end;
 *   - UNION [ALL] SELECT whose list is only NULLs and numbers (column-count
 *     probing: UNION SELECT NULL,NULL,3), or that reads the system
 *     catalogue (information_schema, sysobjects, pg_shadow, mysql.user,
 *     sqlite_master, ...), or server info (@@version, version(), user());
 *   - a stacked statement that destroys or escalates: ; DROP, ; TRUNCATE,
 *     ; SHUTDOWN, ; EXEC xp_..., ; GRANT, ; CREATE/ALTER USER or LOGIN,
 *     ; DECLARE ... EXEC, ; WAITFOR;
 *   - a comment right after a string or ')' whose text holds an odd number
 *     of quotes: the rest of the application's query, quote included, cut
 *     off (name='admin'-- ' AND pass='...');
 *   - delays and heavy queries (SLEEP(), BENCHMARK(), pg_sleep(), WAITFOR
 *     DELAY, DBMS_LOCK.SLEEP, RANDOMBLOB()), command execution (xp_cmdshell,
 *     sp_oacreate, sys_exec), file access (INTO OUTFILE/DUMPFILE,
 *     LOAD_FILE(), pg_read_file(), UTL_FILE/UTL_HTTP), error-based
 *     extraction (EXTRACTVALUE()/UPDATEXML() around a subquery or CONCAT).
 * Weak (60, not a detection alone): a string left unterminated at the end
 * (a capture cut short looks the same).
 *
 * Not flagged on purpose, as ORMs and query builders emit them: WHERE 1=1
 * AND ..., AND 1=0 (an empty IN list), UNION SELECT of real columns,
 * reading information_schema without UNION, multi-statement batches of
 * ordinary DML, comments (/ * app:foo * /), version() on its own.
 */
#ifndef HABIT_DETECT_INJECT_SQL_STATEMENT_H
#define HABIT_DETECT_INJECT_SQL_STATEMENT_H

#include <stddef.h>
#include <stdint.h>

#include "detect/inject/inject.h"

#define SQL_STMT_MAX_INPUT 16384 /* bytes of a statement looked at */
#define SQL_STMT_MAX_TOKENS 512  /* tokens looked at */

struct sql_statement_result {
  int detected;
  struct inj_finding f; /* context 'q' */
};

int sql_statement_check(const uint8_t *s, size_t n,
                        struct sql_statement_result *out);

#endif
