/* tests/unit/test_curve.c — core/curve: key files written by keygen read
 * back and pair up (the public key derives from the secret), lists of
 * allowed keys with comments and blanks, and every bad file refused with
 * its path and line. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "core/curve.h"

static char dir[64];

static int setup(void **state) {
  (void)state;
  snprintf(dir, sizeof dir, "/tmp/habit-curve-XXXXXX");
  return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state) {
  (void)state;
  char cmd[128];
  snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
  return system(cmd);
}

static void write_file(const char *name, const char *text, char *path, size_t cap) {
  snprintf(path, cap, "%s/%s", dir, name);
  FILE *f = fopen(path, "w");
  assert_non_null(f);
  fputs(text, f);
  fclose(f);
}

static void test_keygen_pair(void **state) {
  (void)state;
  char name[128], path[160], sec[CURVE_KEY_LEN + 1], pub[CURVE_KEY_LEN + 1],
      derived[CURVE_KEY_LEN + 1];
  struct hb_error err = {0, ""};
  snprintf(name, sizeof name, "%s/node", dir);
  assert_int_equal(curve_keygen(name, &err), 0);
  snprintf(path, sizeof path, "%s.key", name);
  struct stat st;
  assert_int_equal(stat(path, &st), 0);
  assert_int_equal(st.st_mode & 0777, 0600);
  assert_int_equal(curve_read_key(path, sec, &err), 0);
  snprintf(path, sizeof path, "%s.pub", name);
  assert_int_equal(curve_read_key(path, pub, &err), 0);
  assert_int_equal(curve_public_of(sec, derived, &err), 0);
  assert_string_equal(pub, derived);
  /* Never overwritten. */
  assert_int_equal(curve_keygen(name, &err), -EEXIST);
  assert_non_null(strstr(err.msg, "node.key: cannot create"));
}

static void test_lists(void **state) {
  (void)state;
  char path[160];
  struct hb_error err = {0, ""};
  char (*keys)[CURVE_KEY_LEN + 1];
  size_t n;
  write_file("ok.list",
             "# collectors\n\n  Yne@$w-vo<fVvi]a<NY6T1ed:M$fCG*[IaLV{hID  \n"
             "rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf7\n",
             path, sizeof path);
  assert_int_equal(curve_read_list(path, &keys, &n, &err), 0);
  assert_int_equal(n, 2);
  assert_string_equal(keys[0], "Yne@$w-vo<fVvi]a<NY6T1ed:M$fCG*[IaLV{hID");
  assert_string_equal(keys[1], "rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf7");
  free(keys);
  static const struct {
    const char *text, *want;
  } bad[] = {
      {"# nothing\n", "no keys"},
      {"Yne@$w-vo<fVvi]a<NY6T1ed:M$fCG*[IaLV{hID\nshort\n", "bad.list:2: not a CURVE"},
      {"Yne@$w-vo<fVvi]a<NY6T1ed:M$fCG*[IaLV{hIDX\n", "bad.list:1: not a CURVE"},
      {"Yne@$w-vo<fVvi]a<NY6T1ed:M$fCG*[IaLV{h\"D\n", "bad.list:1: not a CURVE"},
      {"Yne@$w-vo<fVvi]a<NY6T1ed:M$fCG*[IaLV{hID extra\n", "bad.list:1: not a CURVE"},
  };
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    write_file("bad.list", bad[i].text, path, sizeof path);
    assert_int_equal(curve_read_list(path, &keys, &n, &err), -EINVAL);
    assert_null(keys);
    if (!strstr(err.msg, bad[i].want))
      fail_msg("case %zu: '%s' lacks '%s'", i, err.msg, bad[i].want);
  }
  snprintf(path, sizeof path, "%s/missing", dir);
  assert_int_equal(curve_read_list(path, &keys, &n, &err), -ENOENT);
  char key[CURVE_KEY_LEN + 1];
  write_file("empty.key", "", path, sizeof path);
  assert_int_equal(curve_read_key(path, key, &err), -EINVAL);
  assert_non_null(strstr(err.msg, "empty.key:1: not a CURVE key"));
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_keygen_pair),
      cmocka_unit_test(test_lists),
  };
  return cmocka_run_group_tests(tests, setup, teardown);
}
