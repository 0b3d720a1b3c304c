/* tests/tools/syscall_probe.c — a program whose syscalls a test controls,
 * for habit run (tests/e2e/run_seccomp.sh): it prints "ok"; given
 * "getpriority" it also calls getpriority(2) — a call neither the C library
 * nor the sanitizers' start-up make — and prints "getpriority: ok" or
 * "getpriority: <error>"; given "getpriority-loop N", it does so N times,
 * 100 ms apart, a line each (a mode changed while it runs shows); given
 * "nap", it sleeps 100 ms once (to learn the sleep the loop makes). Exit 0
 * either way: the test reads the output. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <time.h>

int main(int argc, char **argv) {
  printf("ok\n");
  if (argc > 1 && strcmp(argv[1], "nap") == 0)
    nanosleep(&(struct timespec){0, 100000000}, NULL);
  int n = argc > 1 && strcmp(argv[1], "getpriority") == 0 ? 1
          : argc > 2 && strcmp(argv[1], "getpriority-loop") == 0 ? atoi(argv[2])
                                                                 : 0;
  for (int i = 0; i < n; i++) {
    if (i > 0)
      nanosleep(&(struct timespec){0, 100000000}, NULL);
    errno = 0;
    int p = getpriority(PRIO_PROCESS, 0);
    printf("getpriority: %s\n", p == -1 && errno ? strerror(errno) : "ok");
    fflush(stdout);
  }
  return 0;
}
