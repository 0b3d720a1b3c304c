/* core/json.h — a small JSON writer for one-object-a-line output.
 *
 * Contract: build one JSON value into a growable buffer with obj/arr/key/
 * value calls (commas are placed for you; top-level values get none, so
 * objects one a line are written with json_raw("\n") between them), then
 * take buf/len. json_strn is a value like json_str. Strings are
 * escaped per RFC 8259; bytes that are not valid UTF-8 are written as
 * \u00XX so the output is always valid JSON. Nesting is limited to
 * JSON_MAX_DEPTH. Out of memory is sticky: json_failed() tells.
 */
#ifndef HABIT_CORE_JSON_H
#define HABIT_CORE_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define JSON_MAX_DEPTH 16

struct json {
  char *buf;
  size_t len, cap;
  bool failed;
  int depth;
  bool need_comma[JSON_MAX_DEPTH + 1];
};

void json_init(struct json *j);
void json_free(struct json *j);
void json_reset(struct json *j); /* empty the buffer, keep its memory */
bool json_failed(const struct json *j);

void json_obj_begin(struct json *j);
void json_obj_end(struct json *j);
void json_arr_begin(struct json *j);
void json_arr_end(struct json *j);
void json_key(struct json *j, const char *key);

void json_str(struct json *j, const char *s);
void json_strn(struct json *j, const char *s, size_t n);
void json_u64(struct json *j, uint64_t v);
void json_i64(struct json *j, int64_t v);
void json_double(struct json *j, double v); /* non-finite -> null */
void json_bool(struct json *j, bool v);
void json_null(struct json *j);

/* Key + value in one call. */
void json_kstr(struct json *j, const char *key, const char *s);
void json_ku64(struct json *j, const char *key, uint64_t v);
void json_kdouble(struct json *j, const char *key, double v);

/* Append raw bytes (a newline between objects). */
void json_raw(struct json *j, const char *s, size_t n);

#endif
