/* habit policy export — a learned model in another tool's format.
 *
 * --format seccomp: the service's syscall set (habit run, discover) as the
 * OCI / Docker seccomp profile JSON that `docker run --security-opt
 * seccomp=FILE` and Kubernetes' localhost profiles take: default action
 * ERRNO (EPERM) — or KILL_PROCESS with --kill —, the architectures of this
 * machine, and one ALLOW rule with the learned names, sorted (execve
 * always among them, as under habit run).
 */
#include <errno.h>
#include <getopt.h>
#include <seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/cli_util.h"
#include "core/json.h"
#include "models/model.h"
#include "models/store.h"

static const char export_usage[] =
    "usage: habit policy export --model M.db --format seccomp [--service NAME]\n"
    "                           [--kill] [--output FILE|-]\n"
    "\n"
    "--format seccomp writes the service's learned syscalls (habit run --mode\n"
    "discover) as an OCI/Docker seccomp profile (JSON) to --output (default -).\n"
    "--service may be left out when one service has syscalls. --kill: calls\n"
    "outside the profile kill the process instead of failing with EPERM.\n";

static int cmp_names(const void *a, const void *b) {
  return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The architectures a profile for this machine lists (Docker's archMap). */
static void architectures(struct json *j) {
  json_key(j, "architectures");
  json_arr_begin(j);
  switch (seccomp_arch_native()) {
  case SCMP_ARCH_X86_64:
    json_str(j, "SCMP_ARCH_X86_64");
    json_str(j, "SCMP_ARCH_X86");
    json_str(j, "SCMP_ARCH_X32");
    break;
  case SCMP_ARCH_AARCH64:
    json_str(j, "SCMP_ARCH_AARCH64");
    json_str(j, "SCMP_ARCH_ARM");
    break;
  default:
    json_str(j, "SCMP_ARCH_NATIVE");
  }
  json_arr_end(j);
}

static void profile(struct json *j, const char **names, size_t n, bool kill) {
  json_obj_begin(j);
  json_kstr(j, "defaultAction", kill ? "SCMP_ACT_KILL_PROCESS" : "SCMP_ACT_ERRNO");
  if (!kill)
    json_ku64(j, "defaultErrnoRet", EPERM);
  architectures(j);
  json_key(j, "syscalls");
  json_arr_begin(j);
  json_obj_begin(j);
  json_key(j, "names");
  json_arr_begin(j);
  for (size_t i = 0; i < n; i++)
    json_str(j, names[i]);
  json_arr_end(j);
  json_kstr(j, "action", "SCMP_ACT_ALLOW");
  json_obj_end(j);
  json_arr_end(j);
  json_obj_end(j);
  json_raw(j, "\n", 1);
}

/* The service to export: the one asked for, else the only one with syscalls. */
static int pick(const struct model *m, const char *want, uint32_t *svc, struct hb_error *err,
                const char *path) {
  if (want) {
    *svc = model_find_service(m, want);
    if (*svc == IDXMAP_NONE)
      return hb_fail(err, ENOENT, "%s: no service named '%s'", path, want);
    return 0;
  }
  *svc = IDXMAP_NONE;
  for (uint32_t i = 0; i < m->n_syscalls; i++) {
    if (*svc != IDXMAP_NONE && m->syscalls[i].service != *svc)
      return hb_fail(err, EINVAL, "%s: several services have syscalls: name one with --service",
                     path);
    *svc = m->syscalls[i].service;
  }
  if (*svc == IDXMAP_NONE)
    return hb_fail(err, ENOENT, "%s: no service has syscalls (learn them with habit run)", path);
  return 0;
}

static int write_profile(const struct model *m, uint32_t svc, bool kill, FILE *out,
                         struct hb_error *err) {
  const char **names = malloc((m->n_syscalls + 1) * sizeof *names);
  if (!names)
    return hb_fail(err, ENOMEM, "out of memory");
  size_t n = 0;
  bool exec = false;
  for (uint32_t i = 0; i < m->n_syscalls; i++)
    if (m->syscalls[i].service == svc) {
      names[n++] = m->syscalls[i].name;
      exec |= strcmp(m->syscalls[i].name, "execve") == 0;
    }
  int rc = 0;
  if (n == 0)
    rc = hb_fail(err, ENOENT, "service '%s' has no syscalls (learn them with habit run)",
                 m->services[svc].name);
  if (rc == 0) {
    if (!exec)
      names[n++] = "execve";
    qsort(names, n, sizeof *names, cmp_names);
    struct json j;
    json_init(&j);
    profile(&j, names, n, kill);
    if (json_failed(&j))
      rc = hb_fail(err, ENOMEM, "out of memory");
    else if (fwrite(j.buf, 1, j.len, out) != j.len || fflush(out) != 0)
      rc = hb_fail(err, EIO, "cannot write the profile: %s", strerror(errno));
    json_free(&j);
  }
  free(names);
  return rc;
}

int cmd_policy_export(int argc, char **argv) {
  static const struct option longopts[] = {
      {"model", required_argument, NULL, 'm'},  {"format", required_argument, NULL, 'f'},
      {"service", required_argument, NULL, 's'}, {"kill", no_argument, NULL, 'k'},
      {"output", required_argument, NULL, 'o'}, {"help", no_argument, NULL, 'h'},
      {0, 0, 0, 0},
  };
  const char *path = NULL, *format = NULL, *service = NULL, *output = "-";
  bool kill = false;
  optind = 1;
  int ch;
  while ((ch = getopt_long(argc, argv, "m:f:s:o:h", longopts, NULL)) != -1) {
    switch (ch) {
    case 'm': path = optarg; break;
    case 'f': format = optarg; break;
    case 's': service = optarg; break;
    case 'k': kill = true; break;
    case 'o': output = optarg; break;
    case 'h': fputs(export_usage, stdout); return EXIT_OK;
    default: fputs(export_usage, stderr); return EXIT_BAD_INPUT;
    }
  }
  if (!path || !format || optind != argc) {
    cli_error("policy export: --model M.db and --format are required, and nothing else");
    return EXIT_BAD_INPUT;
  }
  if (strcmp(format, "seccomp") != 0) {
    cli_error("policy export: --format %s: only 'seccomp' is built so far", format);
    return EXIT_BAD_INPUT;
  }
  struct hb_error err = {0, ""};
  struct store st;
  struct model m;
  model_init(&m);
  int rc = store_open(&st, path, STORE_READONLY, &err);
  bool opened = rc == 0;
  uint32_t svc = IDXMAP_NONE;
  if (rc == 0)
    rc = store_load(&st, &m, &err);
  if (rc == 0)
    rc = pick(&m, service, &svc, &err, path);
  FILE *out = NULL;
  if (rc == 0 && !(out = cli_open_output(output, false, &err)))
    rc = err.code ? err.code : -EIO;
  if (rc == 0)
    rc = write_profile(&m, svc, kill, out, &err);
  if (out && out != stdout)
    fclose(out);
  if (rc < 0)
    cli_error("policy export: %s", err.msg);
  if (opened)
    store_close(&st);
  model_free(&m);
  return rc < 0 ? cli_exit_for(rc) : EXIT_OK;
}
