/* tests/unit/test_sql_statement.c — detect/inject/sql_statement: injection
 * signs in whole statements as applications send them (MySQL COM_QUERY,
 * PostgreSQL Query), and the application SQL that must stay quiet (what
 * ORMs and query builders emit). Statements sit in buffers of exactly
 * their length. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "detect/inject/sql_statement.h"

static int check(const char *sql, struct sql_statement_result *r) {
  size_t n = strlen(sql);
  uint8_t *b = malloc(n ? n : 1);
  assert_non_null(b);
  memcpy(b, sql, n);
  int d = sql_statement_check(b, n, r);
  free(b);
  return d;
}

struct want {
  const char *sql, *rule;
};

static const struct want attacks[] = {
    {"SELECT * FROM users WHERE name='' OR 1=1 -- ' AND pw='x'", "tautology"},
    {"SELECT * FROM users WHERE name='' OR 'x'='x'", "tautology"},
    {"SELECT * FROM t WHERE id=1 OR 2>1", "tautology"},
    {"SELECT * FROM t WHERE x=1 OR/**/1=1", "tautology"},
    {"select * from t where a='x' or true", "tautology"},
    {"SELECT a FROM t WHERE id=1 UNION SELECT NULL,NULL--", "union-padding"},
    {"SELECT * FROM t WHERE id='1' UNION ALL SELECT 1,2,3", "union-padding"},
    {"SELECT a,b FROM t WHERE id=-1 UNION SELECT table_name,2 FROM "
     "information_schema.tables",
     "union-catalog"},
    {"SELECT a FROM t UNION SELECT @@version", "union-catalog"},
    {"SELECT a FROM t UNION SELECT user, password FROM mysql.user", "union-catalog"},
    {"SELECT 1; DROP TABLE users", "stacked-query"},
    {"SELECT * FROM t WHERE a='x'; SHUTDOWN", "stacked-query"},
    {"SELECT * FROM t WHERE id=1; EXEC xp_cmdshell 'dir'", "stacked-query"},
    {"SELECT 1; CREATE USER evil IDENTIFIED BY 'x'", "stacked-query"},
    {"SELECT * FROM u WHERE name='admin'-- ' AND pass='x'", "quote-comment"},
    {"SELECT * FROM u WHERE name='admin'# ' AND pass='x'", "quote-comment"},
    {"SELECT * FROM t WHERE id=1 AND SLEEP(5)", "time-delay"},
    {"SELECT BENCHMARK(1000000,MD5(1))", "time-delay"},
    {"SELECT * FROM t WHERE id=1 AND 1=(SELECT 1 FROM pg_sleep(10))", "time-delay"},
    {"SELECT * FROM t WHERE id=1; WAITFOR DELAY '0:0:5'", "stacked-query"},
    {"SELECT * FROM t WHERE id=1 AND dbms_lock.sleep(5)", "time-delay"},
    {"SELECT * FROM t INTO OUTFILE '/var/www/x.php'", "file-access"},
    {"SELECT LOAD_FILE('/etc/passwd')", "file-access"},
    {"SELECT * FROM t WHERE id=1 AND extractvalue(1,concat(0x7e,(select "
     "user())))",
     "error-based"},
};

static void test_attacks(void **state) {
  (void)state;
  for (size_t i = 0; i < sizeof attacks / sizeof attacks[0]; i++) {
    struct sql_statement_result r;
    if (!check(attacks[i].sql, &r))
      fail_msg("not detected: %s", attacks[i].sql);
    if (strcmp(r.f.rule, attacks[i].rule) != 0)
      fail_msg("%s: rule %s, expected %s", attacks[i].sql, r.f.rule,
               attacks[i].rule);
    assert_int_equal(r.f.context, 'q');
    assert_true(r.f.evidence[0] != '\0');
  }
}

/* What applications send: none of it is flagged. */
static const char *const benign[] = {
    "SELECT * FROM users WHERE 1=1 AND id=?",
    "SELECT * FROM t WHERE id IN (1,2) AND 1=0",
    "SELECT * FROM t WHERE 1 != 1",
    "SELECT a FROM t UNION SELECT b FROM u",
    "SELECT a, 1 FROM t UNION ALL SELECT b, 2 FROM u ORDER BY 1",
    "SELECT table_name FROM information_schema.tables WHERE table_schema='x'",
    "INSERT INTO t VALUES (1,'O''Brien'); UPDATE t SET x=1",
    "/* app:web,route:/users */ SELECT version()",
    "SELECT * FROM t WHERE name = 'it''s' -- trailing note",
    "BEGIN; UPDATE a SET b=1 WHERE id=2; COMMIT;",
    "SELECT x FROM t WHERE a = 1 OR b = 2",
    "SELECT * FROM t WHERE a = 'x' OR a IS NULL",
    "SELECT * FROM products WHERE name LIKE '%o''brien%' ORDER BY 1",
    "SELECT \"User\".\"id\" FROM \"User\" WHERE \"User\".\"email\" = $1 LIMIT 1",
    "UPDATE users SET last_login = NOW() WHERE id = 42",
    "DELETE FROM sessions WHERE expires < CURRENT_TIMESTAMP",
    "SET NAMES utf8mb4",
    "CREATE TABLE IF NOT EXISTS t (id INT PRIMARY KEY, name TEXT)",
    "SELECT COUNT(*) FROM orders WHERE status IN ('new','paid') OR total > 100",
    "",
};

static void test_benign(void **state) {
  (void)state;
  for (size_t i = 0; i < sizeof benign / sizeof benign[0]; i++) {
    struct sql_statement_result r;
    if (check(benign[i], &r))
      fail_msg("false positive: %s (rule %s, %s)", benign[i], r.f.rule,
               r.f.evidence);
  }
}

/* An unterminated string at the end is weak: a capture cut short looks
 * the same. */
static void test_unbalanced(void **state) {
  (void)state;
  struct sql_statement_result r;
  assert_false(check("SELECT * FROM t WHERE name = 'abc", &r));
  assert_int_equal(r.f.score, 60);
  assert_string_equal(r.f.rule, "unbalanced-quote");
}

static void test_long_statement(void **state) {
  (void)state;
  size_t n = SQL_STMT_MAX_INPUT + 64;
  uint8_t *s = malloc(n);
  assert_non_null(s);
  memset(s, ' ', n);
  memcpy(s, "SELECT 1", 8);
  memcpy(s + SQL_STMT_MAX_INPUT + 8, "; DROP TABLE t", 14); /* beyond */
  struct sql_statement_result r;
  assert_false(sql_statement_check(s, n, &r));
  /* More tokens than SQL_STMT_MAX_TOKENS: the rest is not looked at. */
  for (size_t i = 0; i + 2 < SQL_STMT_MAX_INPUT; i += 2)
    memcpy(s + i, "1,", 2);
  assert_false(sql_statement_check(s, SQL_STMT_MAX_INPUT, &r));
  free(s);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_attacks),
      cmocka_unit_test(test_benign),
      cmocka_unit_test(test_unbalanced),
      cmocka_unit_test(test_long_statement),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
