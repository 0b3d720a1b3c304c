/* detect/inject/sqli_words.c — the SQL word table (see sqli_lex.h).
 *
 * Sorted by strcmp of the upper-case names, for a binary search; the unit
 * test checks the order. What a word is decides its token class: set
 * operators, SELECT, logic, word operators, literals and statement starters
 * are their own classes; a function is 'f' only when '(' follows. The
 * danger attributes (TIME, INFO, FILE, EXEC, SYS, ERR, STR) are what the
 * scorers in sqli.c and sql_statement.c weigh.
 */
#include <string.h>

#include "detect/inject/sqli_lex.h"

#define W_K SQLI_W_KEYWORD
#define W_F SQLI_W_FUNC
#define W_TIME SQLI_W_TIME
#define W_INFO SQLI_W_INFO
#define W_FILE SQLI_W_FILE
#define W_EXEC SQLI_W_EXEC
#define W_SYS SQLI_W_SYS
#define W_ERR SQLI_W_ERR
#define W_STR SQLI_W_STR
#define W_STMT SQLI_W_STMT
#define W_LOGIC SQLI_W_LOGIC
#define W_OP SQLI_W_OP
#define W_CMP SQLI_W_CMP
#define W_LIT SQLI_W_LIT
#define W_UNION SQLI_W_UNION
#define W_SELECT SQLI_W_SELECT

static const struct sqli_word words[] = {
    {"ABS", W_F},
    {"AGAINST", W_K},
    {"ALL", W_K},
    {"ALL_TABLES", W_SYS},
    {"ALL_TAB_COLUMNS", W_SYS},
    {"ALL_USERS", W_SYS},
    {"ALTER", W_STMT},
    {"ANALYSE", W_K},
    {"AND", W_LOGIC},
    {"ANY", W_K},
    {"AS", W_K},
    {"ASC", W_K},
    {"ASCII", W_F | W_STR},
    {"ASCIISTR", W_F | W_STR},
    {"ATTACH", W_STMT},
    {"AVG", W_F},
    {"BACKUP", W_STMT},
    {"BEGIN", W_STMT},
    {"BENCHMARK", W_F | W_TIME},
    {"BETWEEN", W_OP | W_CMP},
    {"BIN", W_F | W_STR},
    {"BINARY", W_K},
    {"BOOLEAN", W_K},
    {"BULK", W_K | W_FILE},
    {"BY", W_K},
    {"CALL", W_STMT},
    {"CASE", W_K},
    {"CAST", W_F | W_STR},
    {"CEIL", W_F},
    {"CEILING", W_F},
    {"CHAR", W_F | W_STR},
    {"CHARINDEX", W_F | W_STR},
    {"CHAR_LENGTH", W_F | W_STR},
    {"CHR", W_F | W_STR},
    {"COALESCE", W_F | W_STR},
    {"COLLATE", W_OP},
    {"COMMIT", W_STMT},
    {"COMPRESS", W_F | W_STR},
    {"CONCAT", W_F | W_STR},
    {"CONCAT_WS", W_F | W_STR},
    {"CONNECTION_ID", W_F | W_INFO},
    {"CONV", W_F | W_STR},
    {"CONVERT", W_F | W_STR},
    {"COPY", W_STMT},
    {"COS", W_F},
    {"COUNT", W_F},
    {"CREATE", W_STMT},
    {"CROSS", W_K},
    {"CTXSYS", W_SYS},
    {"CURDATE", W_F | W_LIT},
    {"CURRENT_DATABASE", W_F | W_INFO},
    {"CURRENT_DATE", W_LIT},
    {"CURRENT_SCHEMA", W_F | W_INFO},
    {"CURRENT_TIME", W_LIT},
    {"CURRENT_TIMESTAMP", W_LIT},
    {"CURRENT_USER", W_F | W_INFO | W_LIT},
    {"DATABASE", W_K | W_F | W_INFO},
    {"DBA_TABLES", W_SYS},
    {"DBA_USERS", W_SYS},
    {"DBMS_LOCK", W_TIME},
    {"DBMS_PIPE", W_TIME},
    {"DBMS_UTILITY", W_ERR},
    {"DBMS_XMLGEN", W_ERR},
    {"DB_NAME", W_F | W_INFO},
    {"DEALLOCATE", W_STMT},
    {"DECLARE", W_STMT},
    {"DELAY", W_K | W_TIME},
    {"DELETE", W_STMT},
    {"DESC", W_K},
    {"DISTINCT", W_K},
    {"DIV", W_OP},
    {"DROP", W_STMT},
    {"DUAL", W_K},
    {"DUMPFILE", W_K | W_FILE},
    {"ELSE", W_K},
    {"ELT", W_F | W_STR},
    {"END", W_K},
    {"ESCAPE", W_OP},
    {"EXCEPT", W_UNION},
    {"EXEC", W_STMT},
    {"EXECUTE", W_STMT},
    {"EXISTS", W_K},
    {"EXP", W_F},
    {"EXTRACTVALUE", W_F | W_ERR},
    {"FALSE", W_LIT},
    {"FETCH", W_K},
    {"FIELD", W_F | W_STR},
    {"FILETOBLOB", W_F | W_FILE},
    {"FILETOCLOB", W_F | W_FILE},
    {"FLOOR", W_F | W_STR},
    {"FOR", W_K},
    {"FROM", W_K},
    {"FROM_BASE64", W_F | W_STR},
    {"FULL", W_K},
    {"GENERATE_SERIES", W_F | W_TIME},
    {"GEOMETRYCOLLECTION", W_F},
    {"GETDATE", W_F},
    {"GLOB", W_OP | W_CMP},
    {"GRANT", W_STMT},
    {"GROUP", W_K},
    {"GROUP_CONCAT", W_F | W_STR},
    {"GTID_SUBSET", W_F | W_ERR},
    {"HANDLER", W_STMT},
    {"HAS_DBACCESS", W_F | W_INFO},
    {"HAVING", W_K},
    {"HEX", W_F | W_STR},
    {"HEXTORAW", W_F | W_STR},
    {"HOST_NAME", W_F | W_INFO},
    {"IF", W_F | W_STMT},
    {"IFNULL", W_F | W_STR},
    {"IIF", W_F | W_STR},
    {"IN", W_OP | W_CMP},
    {"INFORMATION_SCHEMA", W_SYS},
    {"INNER", W_K},
    {"INSERT", W_STMT},
    {"INSTR", W_F | W_STR},
    {"INTERSECT", W_UNION},
    {"INTERVAL", W_K},
    {"INTO", W_K},
    {"IS", W_OP | W_CMP},
    {"ISNULL", W_F | W_STR},
    {"IS_SRVROLEMEMBER", W_F | W_INFO},
    {"JOIN", W_K},
    {"JSON_KEYS", W_F | W_ERR},
    {"KILL", W_STMT},
    {"LAST_INSERT_ID", W_F | W_INFO},
    {"LCASE", W_F | W_STR},
    {"LEFT", W_K | W_F | W_STR},
    {"LEN", W_F | W_STR},
    {"LENGTH", W_F | W_STR},
    {"LIKE", W_OP | W_CMP},
    {"LIMIT", W_K},
    {"LINESTRING", W_F},
    {"LISTAGG", W_F | W_STR},
    {"LN", W_F},
    {"LOAD", W_STMT},
    {"LOAD_FILE", W_F | W_FILE},
    {"LOCATE", W_F | W_STR},
    {"LOCK", W_K},
    {"LOG", W_F},
    {"LOWER", W_F | W_STR},
    {"LO_EXPORT", W_F | W_FILE},
    {"LO_IMPORT", W_F | W_FILE},
    {"LPAD", W_F | W_STR},
    {"LTRIM", W_F | W_STR},
    {"MAKE_SET", W_F | W_STR},
    {"MATCH", W_F},
    {"MAX", W_F},
    {"MD5", W_F | W_STR},
    {"MID", W_F | W_STR},
    {"MIN", W_F},
    {"MOD", W_OP | W_F},
    {"MODE", W_K},
    {"MSYSACCESSOBJECTS", W_SYS},
    {"MSYSACES", W_SYS},
    {"MSYSOBJECTS", W_SYS},
    {"MSYSQUERIES", W_SYS},
    {"MSYSRELATIONSHIPS", W_SYS},
    {"MULTILINESTRING", W_F},
    {"MULTIPOINT", W_F},
    {"MULTIPOLYGON", W_F},
    {"NAME_CONST", W_F | W_ERR},
    {"NCHAR", W_F | W_STR},
    {"NOT", W_OP},
    {"NOW", W_F},
    {"NULL", W_LIT},
    {"NULLIF", W_F | W_STR},
    {"NVL", W_F | W_STR},
    {"OFFSET", W_K},
    {"ON", W_K},
    {"OPENDATASOURCE", W_F | W_FILE},
    {"OPENQUERY", W_F | W_FILE},
    {"OPENROWSET", W_F | W_FILE},
    {"OR", W_LOGIC},
    {"ORD", W_F | W_STR},
    {"ORDER", W_K},
    {"OUTER", W_K},
    {"OUTFILE", W_K | W_FILE},
    {"PATINDEX", W_F | W_STR},
    {"PG_CATALOG", W_SYS},
    {"PG_CLASS", W_SYS},
    {"PG_DATABASE", W_SYS},
    {"PG_LS_DIR", W_F | W_FILE},
    {"PG_NAMESPACE", W_SYS},
    {"PG_READ_FILE", W_F | W_FILE},
    {"PG_SHADOW", W_SYS},
    {"PG_SLEEP", W_F | W_TIME},
    {"PG_SLEEP_FOR", W_F | W_TIME},
    {"PG_TABLES", W_SYS},
    {"PG_USER", W_SYS},
    {"PI", W_F},
    {"POLYGON", W_F},
    {"POSITION", W_F | W_STR},
    {"POW", W_F},
    {"POWER", W_F},
    {"PRAGMA", W_STMT},
    {"PROCEDURE", W_K},
    {"QUOTENAME", W_F | W_STR},
    {"RAND", W_F | W_STR},
    {"RANDOM", W_F},
    {"RANDOMBLOB", W_F | W_TIME},
    {"RAWTOHEX", W_F | W_STR},
    {"RDB$COLLATIONS", W_SYS},
    {"RDB$DATABASE", W_SYS},
    {"RDB$FIELDS", W_SYS},
    {"RDB$FUNCTIONS", W_SYS},
    {"RDB$RELATIONS", W_SYS},
    {"RDB$TYPES", W_SYS},
    {"RECEIVE_MESSAGE", W_F | W_TIME},
    {"RECONFIGURE", W_STMT},
    {"REGEXP", W_OP | W_CMP},
    {"RENAME", W_STMT},
    {"REPEAT", W_F | W_STR},
    {"REPLACE", W_F | W_STR},
    {"REPLICATE", W_F | W_STR},
    {"REVERSE", W_F | W_STR},
    {"REVOKE", W_STMT},
    {"RIGHT", W_K | W_F | W_STR},
    {"RLIKE", W_OP | W_CMP},
    {"ROLLBACK", W_STMT},
    {"ROUND", W_F},
    {"RPAD", W_F | W_STR},
    {"RTRIM", W_F | W_STR},
    {"SCHEMA", W_F | W_INFO},
    {"SCHEMA_NAME", W_F | W_INFO},
    {"SELECT", W_STMT | W_SELECT},
    {"SERVERPROPERTY", W_F | W_INFO},
    {"SESSION_USER", W_F | W_INFO},
    {"SET", W_STMT},
    {"SHA1", W_F | W_STR},
    {"SHA2", W_F | W_STR},
    {"SHOW", W_STMT},
    {"SHUTDOWN", W_STMT},
    {"SIN", W_F},
    {"SLEEP", W_F | W_TIME},
    {"SOUNDEX", W_F | W_STR},
    {"SOUNDS", W_OP | W_CMP},
    {"SPACE", W_F | W_STR},
    {"SP_ADDLOGIN", W_EXEC},
    {"SP_ADDSRVROLEMEMBER", W_EXEC},
    {"SP_CONFIGURE", W_EXEC},
    {"SP_EXECUTESQL", W_EXEC},
    {"SP_MAKEWEBTASK", W_EXEC},
    {"SP_OACREATE", W_EXEC},
    {"SP_OAMETHOD", W_EXEC},
    {"SP_PASSWORD", W_EXEC},
    {"SQLITE_MASTER", W_SYS},
    {"SQLITE_SCHEMA", W_SYS},
    {"SQLITE_TEMP_MASTER", W_SYS},
    {"SQLITE_VERSION", W_F | W_INFO},
    {"SQRT", W_F},
    {"STRCMP", W_F | W_STR},
    {"STRING_AGG", W_F | W_STR},
    {"STUFF", W_F | W_STR},
    {"SUBSTR", W_F | W_STR},
    {"SUBSTRING", W_F | W_STR},
    {"SUBSTRING_INDEX", W_F | W_STR},
    {"SUM", W_F},
    {"SUSER_NAME", W_F | W_INFO},
    {"SUSER_SNAME", W_F | W_INFO},
    {"SYSCAT", W_SYS},
    {"SYSCOLUMNS", W_SYS},
    {"SYSDATABASES", W_SYS},
    {"SYSDATE", W_F | W_LIT},
    {"SYSIBM", W_SYS},
    {"SYSLOGINS", W_SYS},
    {"SYSOBJECTS", W_SYS},
    {"SYSPROCESSES", W_SYS},
    {"SYSTEM_USER", W_F | W_INFO},
    {"SYSUSERS", W_SYS},
    {"SYSXLOGINS", W_SYS},
    {"SYS_EVAL", W_F | W_EXEC},
    {"SYS_EXEC", W_F | W_EXEC},
    {"TABLE", W_K},
    {"TAN", W_F},
    {"THEN", W_K},
    {"TOP", W_K},
    {"TO_BASE64", W_F | W_STR},
    {"TO_CHAR", W_F | W_STR},
    {"TRIM", W_F | W_STR},
    {"TRUE", W_LIT},
    {"TRUNCATE", W_STMT},
    {"UCASE", W_F | W_STR},
    {"UNCOMPRESS", W_F | W_STR},
    {"UNHEX", W_F | W_STR},
    {"UNICODE", W_F | W_STR},
    {"UNION", W_UNION},
    {"UNISTR", W_F | W_STR},
    {"UPDATE", W_STMT},
    {"UPDATEXML", W_F | W_ERR},
    {"UPPER", W_F | W_STR},
    {"USE", W_STMT},
    {"USER", W_F | W_INFO},
    {"USER_NAME", W_F | W_INFO},
    {"USER_TABLES", W_SYS},
    {"USER_TAB_COLUMNS", W_SYS},
    {"USING", W_K},
    {"UTC_DATE", W_F | W_LIT},
    {"UTC_TIME", W_F | W_LIT},
    {"UTL_FILE", W_FILE},
    {"UTL_HTTP", W_FILE},
    {"UTL_INADDR", W_FILE},
    {"VALUES", W_K},
    {"VERSION", W_F | W_INFO},
    {"WAITFOR", W_STMT | W_TIME},
    {"WHEN", W_K},
    {"WHERE", W_K},
    {"WITH", W_K},
    {"XMLTYPE", W_F | W_ERR},
    {"XOR", W_LOGIC},
    {"XP_AVAILABLEMEDIA", W_EXEC},
    {"XP_CMDSHELL", W_EXEC},
    {"XP_DIRTREE", W_EXEC},
    {"XP_FILEEXIST", W_EXEC},
    {"XP_LOGINCONFIG", W_EXEC},
    {"XP_NTSEC_ENUMDOMAINS", W_EXEC},
    {"XP_REGREAD", W_EXEC},
    {"XP_REGWRITE", W_EXEC},
    {"XP_SERVICECONTROL", W_EXEC},
};

#define NWORDS (sizeof words / sizeof words[0])
#define WORD_MAX 32 /* longer words are never in the table */

/* strcmp, inlined: the search runs for every word of every value. */
static int compare(const char *a, const char *b) {
  while (*a && *a == *b)
    a++, b++;
  return (unsigned char)*a - (unsigned char)*b;
}

const struct sqli_word *sqli_word_find(const uint8_t *w, size_t n) {
  /* No table word is shorter than 2 bytes, longer than WORD_MAX, or holds
   * a byte outside A-Z, 0-9, '_' and '$'. */
  if (n < 2 || n > WORD_MAX)
    return NULL;
  char up[WORD_MAX + 1];
  for (size_t i = 0; i < n; i++) {
    uint8_t c = w[i];
    if (c >= 'a' && c <= 'z')
      c = (uint8_t)(c - 32);
    else if (c >= 0x80 || !((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                            c == '_' || c == '$'))
      return NULL;
    up[i] = (char)c;
  }
  up[n] = '\0';
  size_t lo = 0, hi = NWORDS;
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    int c = compare(up, words[mid].name);
    if (c == 0)
      return &words[mid];
    if (c < 0)
      hi = mid;
    else
      lo = mid + 1;
  }
  return NULL;
}

int sqli_word_is(const struct sqli_word *w, const char *name) {
  return compare(w->name, name) == 0;
}

int sqli_words_sorted(void) {
  for (size_t i = 1; i < NWORDS; i++)
    if (strcmp(words[i - 1].name, words[i].name) >= 0)
      return 0;
  return 1;
}
