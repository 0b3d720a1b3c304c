/* tests/tools/syscall_probe.c — a program whose syscalls a test controls,
 * for habit run (tests/e2e/run_seccomp.sh): it prints "ok"; given
 * "getpriority" it also calls getpriority(2) — a call neither the C library
 * nor the sanitizers' start-up make — and prints "getpriority: ok" or
 * "getpriority: <error>". Exit 0 either way: the test reads the output. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>

int main(int argc, char **argv) {
  printf("ok\n");
  if (argc > 1 && strcmp(argv[1], "getpriority") == 0) {
    errno = 0;
    int p = getpriority(PRIO_PROCESS, 0);
    printf("getpriority: %s\n", p == -1 && errno ? strerror(errno) : "ok");
  }
  return 0;
}
