/* fuzz/fuzz_proc_info.c — the /proc text parsers (status, cgroup, cmdline,
 * container ids, stat's start time) on arbitrary bytes. The first byte picks the parser; the
 * rest is the file. Outputs must stay NUL-terminated within their buffers,
 * a container id is 64 lowercase hex digits or nothing, and a formatted
 * argv is no longer than its source or marked cut. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "collect/proc_info.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_id(const char *cid) {
  size_t n = strnlen(cid, EV_CONTAINER_MAX);
  if (n == EV_CONTAINER_MAX || (n != 0 && n != 64) ||
      strspn(cid, "0123456789abcdef") != n)
    abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size < 1)
    return 0;
  uint8_t which = data[0];
  size--;
  char *buf = malloc(size ? size : 1); /* exact size, no NUL: ASan sees overreads */
  if (!buf)
    return 0;
  memcpy(buf, data + 1, size);
  switch (which % 5) {
  case 0: {
    struct proc_status st;
    proc_parse_status(buf, size, &st);
    if (strnlen(st.name, sizeof st.name) == sizeof st.name)
      abort();
    break;
  }
  case 1: {
    char path[EV_TEXT_MAX], cid[EV_CONTAINER_MAX];
    int rc = proc_parse_cgroup(buf, size, path, sizeof path, cid);
    if (strnlen(path, sizeof path) == sizeof path || (rc == 0 && path[0] != '/'))
      abort();
    check_id(cid);
    break;
  }
  case 2: {
    char out[EV_ARGV_MAX];
    bool cut;
    size_t cap = (which >> 2) % 2 ? sizeof out : 1 + (which >> 3) % 16;
    size_t n = proc_format_cmdline((const uint8_t *)buf, size, (which & 0x80) != 0, out, cap,
                                   &cut);
    if (n >= cap || strlen(out) != n || (!cut && n > size))
      abort();
    break;
  }
  case 4: {
    uint64_t ticks = 0;
    if (proc_parse_stat_start(buf, size, &ticks) == 0 && !memchr(buf, ')', size))
      abort();
    break;
  }
  default: {
    char cid[EV_CONTAINER_MAX];
    bool found = proc_container_id(buf, size, cid);
    check_id(cid);
    if (found != (cid[0] != '\0'))
      abort();
    break;
  }
  }
  free(buf);
  return 0;
}
