/* fuzz/fuzz_keys.c — libFuzzer target for core/curve's key files: the
 * input as a file (a memfd) read as one key and as a list of allowed keys.
 * Traps on a key that is not 40 characters, or a list whose count and
 * keys disagree; ASan and UBSan do the rest. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "core/curve.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  int fd = memfd_create("keys", 0);
  if (fd < 0)
    return 0;
  if (size && write(fd, data, size) != (ssize_t)size) {
    close(fd);
    return 0;
  }
  char path[64];
  snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
  struct hb_error err = {0, ""};
  char key[CURVE_KEY_LEN + 1];
  if (curve_read_key(path, key, &err) == 0 && strlen(key) != CURVE_KEY_LEN)
    __builtin_trap();
  char (*keys)[CURVE_KEY_LEN + 1] = NULL;
  size_t n = 0;
  if (curve_read_list(path, &keys, &n, &err) == 0) {
    if (n == 0 || !keys)
      __builtin_trap();
    for (size_t i = 0; i < n; i++)
      if (strlen(keys[i]) != CURVE_KEY_LEN)
        __builtin_trap();
  } else if (keys || n) {
    __builtin_trap();
  }
  free(keys);
  close(fd);
  return 0;
}
