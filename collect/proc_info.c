/* Enrichment from /proc. The parsers work on bounded bytes; the readers
 * around them turn every failure into a flag, because a process is free to
 * end at any moment and the event must still go out. */
#include "collect/proc_info.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "core/text.h"

#define CMDLINE_READ 4096 /* enough to know argv does not fit EV_ARGV_MAX */
#define STATUS_READ 4096  /* the ids come in the first lines */
#define CGROUP_READ 4096

/* --- parsers ------------------------------------------------------------ */

/* Next line of [*p, end): sets *line and *n, advances *p past the newline. */
static bool next_line(const char **p, const char *end, const char **line, size_t *n) {
  if (*p >= end)
    return false;
  const char *nl = memchr(*p, '\n', (size_t)(end - *p));
  *line = *p;
  *n = nl ? (size_t)(nl - *p) : (size_t)(end - *p);
  *p = nl ? nl + 1 : end;
  return true;
}

/* A decimal u32 at s (n bytes) after blanks; false when none or too big. */
static bool parse_u32(const char *s, size_t n, uint32_t *out) {
  size_t i = 0;
  while (i < n && (s[i] == ' ' || s[i] == '\t'))
    i++;
  if (i == n || s[i] < '0' || s[i] > '9')
    return false;
  uint64_t v = 0;
  for (; i < n && s[i] >= '0' && s[i] <= '9'; i++) {
    v = v * 10 + (uint64_t)(s[i] - '0');
    if (v > UINT32_MAX)
      return false;
  }
  *out = (uint32_t)v;
  return true;
}

/* Does line (n bytes) start with key? Then *val and *vn hold the rest. */
static bool key_is(const char *line, size_t n, const char *key, const char **val,
                   size_t *vn) {
  size_t k = strlen(key);
  if (n < k || memcmp(line, key, k) != 0)
    return false;
  *val = line + k;
  *vn = n - k;
  return true;
}

/* Copy n bytes into out (cap), cut to fit, NULs dropped. */
static void copy_text(char *out, size_t cap, const char *s, size_t n) {
  size_t o = 0;
  for (size_t i = 0; i < n && o + 1 < cap; i++)
    if (s[i] != '\0')
      out[o++] = s[i];
  out[o] = '\0';
}

int proc_parse_status(const char *buf, size_t len, struct proc_status *st) {
  memset(st, 0, sizeof *st);
  st->uid = st->gid = EV_PROC_ID_UNKNOWN;
  st->kthread = -1;
  bool has_uid = false, has_gid = false;
  const char *p = buf, *end = buf + len, *line, *v;
  size_t n, vn;
  while (next_line(&p, end, &line, &n)) {
    if (key_is(line, n, "Name:", &v, &vn)) {
      while (vn && (*v == ' ' || *v == '\t'))
        v++, vn--;
      copy_text(st->name, sizeof st->name, v, vn);
    } else if (key_is(line, n, "State:", &v, &vn)) {
      while (vn && (*v == ' ' || *v == '\t'))
        v++, vn--;
      st->state = vn ? v[0] : 0;
    } else if (key_is(line, n, "Tgid:", &v, &vn)) {
      parse_u32(v, vn, &st->tgid);
    } else if (key_is(line, n, "PPid:", &v, &vn)) {
      st->has_ppid = parse_u32(v, vn, &st->ppid);
    } else if (key_is(line, n, "Uid:", &v, &vn)) {
      has_uid = parse_u32(v, vn, &st->uid);
    } else if (key_is(line, n, "Gid:", &v, &vn)) {
      has_gid = parse_u32(v, vn, &st->gid);
    } else if (key_is(line, n, "Kthread:", &v, &vn)) {
      uint32_t k;
      if (parse_u32(v, vn, &k))
        st->kthread = k != 0;
    }
  }
  return st->has_ppid && has_uid && has_gid ? 0 : -EBADMSG;
}

size_t proc_format_cmdline(const uint8_t *raw, size_t len, bool more, char *out,
                           size_t cap, bool *cut) {
  *cut = false;
  if (cap == 0)
    return 0;
  /* One NUL ends the last argument; it is not a separator. */
  if (len > 0 && raw[len - 1] == '\0' && !more)
    len--;
  size_t o = 0;
  bool fits = !more && len < cap;
  size_t room = fits ? len : (cap > 4 ? cap - 4 : 0);
  for (size_t i = 0; i < len && o < room; i++)
    out[o++] = raw[i] == '\0' ? ' ' : (char)raw[i];
  if (!fits) {
    for (int k = 0; k < 3 && o + 1 < cap; k++)
      out[o++] = '.';
    *cut = true;
  }
  out[o] = '\0';
  return o;
}

static bool is_hex64(const char *s, size_t n) {
  if (n < 64)
    return false;
  for (size_t i = 0; i < 64; i++)
    if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
      return false;
  return true;
}

/* A container id in one path component (n bytes), or false. */
static bool id_in_component(const char *c, size_t n, char *cid) {
  static const char *const prefixes[] = {"docker-", "cri-containerd-", "crio-", "libpod-", ""};
  for (size_t i = 0; i < sizeof prefixes / sizeof prefixes[0]; i++) {
    size_t pl = strlen(prefixes[i]);
    if (n < pl + 64 || memcmp(c, prefixes[i], pl) != 0 || !is_hex64(c + pl, n - pl))
      continue;
    size_t rest = n - pl - 64; /* nothing, or ".scope" */
    if (rest != 0 && !(rest == 6 && memcmp(c + pl + 64, ".scope", 6) == 0))
      continue;
    memcpy(cid, c + pl, 64);
    cid[64] = '\0';
    return true;
  }
  return false;
}

bool proc_container_id(const char *path, size_t len, char *cid) {
  cid[0] = '\0';
  size_t end = len;
  while (end > 0) {
    size_t start = end;
    while (start > 0 && path[start - 1] != '/')
      start--;
    if (id_in_component(path + start, end - start, cid))
      return true;
    end = start > 0 ? start - 1 : 0;
  }
  return false;
}

int proc_parse_cgroup(const char *buf, size_t len, char *path, size_t cap, char *cid) {
  path[0] = '\0';
  cid[0] = '\0';
  const char *p = buf, *end = buf + len, *line;
  size_t n;
  const char *v2 = NULL, *systemd = NULL, *other = NULL;
  size_t v2n = 0, systemdn = 0, othern = 0;
  bool any = false;
  while (next_line(&p, end, &line, &n)) {
    /* hierarchy-id:controllers:path — the path may itself hold ':' */
    const char *c1 = memchr(line, ':', n);
    if (!c1)
      continue;
    const char *c2 = memchr(c1 + 1, ':', n - (size_t)(c1 + 1 - line));
    if (!c2)
      continue;
    const char *cp = c2 + 1;
    size_t cn = n - (size_t)(cp - line);
    if (cn == 0 || cp[0] != '/')
      continue;
    any = true;
    size_t hl = (size_t)(c1 - line), ctl = (size_t)(c2 - c1 - 1);
    if (hl == 1 && line[0] == '0' && ctl == 0) {
      v2 = cp, v2n = cn;
    } else if (ctl == 12 && memcmp(c1 + 1, "name=systemd", 12) == 0) {
      systemd = cp, systemdn = cn;
    } else if (!other && cn > 1) {
      other = cp, othern = cn;
    }
    if (!cid[0])
      proc_container_id(cp, cn, cid);
  }
  if (!any)
    return -EBADMSG;
  /* Hybrid systems leave the v2 tree (and often v1 ones) at "/": the first
   * path that is not the root says more. */
  if (v2 && v2n > 1)
    copy_text(path, cap, v2, v2n);
  else if (systemd && systemdn > 1)
    copy_text(path, cap, systemd, systemdn);
  else if (other)
    copy_text(path, cap, other, othern);
  else
    copy_text(path, cap, "/", 1);
  return 0;
}

/* --- readers ------------------------------------------------------------ */

/* Read up to cap bytes of root/pid/name; bytes read or -errno. */
static ssize_t read_proc(const char *root, uint32_t pid, const char *name, void *buf,
                         size_t cap) {
  char path[4096];
  snprintf(path, sizeof path, "%s/%u/%s", root, pid, name);
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return -errno;
  size_t got = 0;
  while (got < cap) {
    ssize_t n = read(fd, (char *)buf + got, cap - got);
    if (n < 0) {
      if (errno == EINTR)
        continue;
      int e = errno;
      close(fd);
      return got ? (ssize_t)got : -e;
    }
    if (n == 0)
      break;
    got += (size_t)n;
  }
  close(fd);
  return (ssize_t)got;
}

/* readlink root/pid/name into out (cap bytes); 0 or -errno ("" in out). */
static int read_link(const char *root, uint32_t pid, const char *name, char *out,
                     size_t cap) {
  char path[4096];
  snprintf(path, sizeof path, "%s/%u/%s", root, pid, name);
  ssize_t n = readlink(path, out, cap - 1);
  if (n < 0) {
    out[0] = '\0';
    return -errno;
  }
  out[n] = '\0';
  return 0;
}

void proc_info_exe(const char *root, uint32_t pid, char *out, size_t cap) {
  if (pid == 0 || read_link(root, pid, "exe", out, cap) < 0)
    out[0] = '\0';
}

void proc_info_fill(const char *root, uint32_t pid, struct ev_proc *p) {
  /* exe first: it is what a short-lived process loses soonest. */
  /* ENOENT/ESRCH: no process, or no mm (a zombie, a kernel thread); other
   * errors (EACCES on some init processes) say nothing about its life. */
  int exe_rc = read_link(root, pid, "exe", p->exe, sizeof p->exe);
  bool exe_gone = exe_rc == -ENOENT || exe_rc == -ESRCH;
  uint8_t raw[CMDLINE_READ];
  ssize_t n = read_proc(root, pid, "cmdline", raw, sizeof raw);
  if (n >= 0) {
    bool cut;
    proc_format_cmdline(raw, (size_t)n, (size_t)n == sizeof raw, p->argv, sizeof p->argv,
                        &cut);
    if (cut)
      p->flags |= EV_PROC_F_ARGV_CUT;
  }
  char text[STATUS_READ];
  struct proc_status st;
  ssize_t sn = read_proc(root, pid, "status", text, sizeof text);
  bool have_status = sn > 0 && proc_parse_status(text, (size_t)sn, &st) == 0;
  if (have_status) {
    p->uid = st.uid;
    p->gid = st.gid;
    p->ppid = st.ppid;
    snprintf(p->comm, sizeof p->comm, "%s", st.name);
  } else {
    p->uid = p->gid = EV_PROC_ID_UNKNOWN;
  }
  read_link(root, pid, "cwd", p->cwd, sizeof p->cwd);
  ssize_t cn = read_proc(root, pid, "cgroup", text, sizeof text);
  if (cn > 0)
    proc_parse_cgroup(text, (size_t)cn, p->cgroup, sizeof p->cgroup, p->container_id);
  else
    p->cgroup[0] = p->container_id[0] = '\0';
  proc_info_exe(root, p->ppid, p->parent_exe, sizeof p->parent_exe);

  bool kthread = have_status && (st.kthread == 1 || (st.kthread == -1 &&
                                 (pid == 2 || st.ppid == 2)));
  bool zombie = have_status && (st.state == 'Z' || st.state == 'X');
  if (kthread)
    p->flags |= EV_PROC_F_KTHREAD;
  else if (!have_status || zombie || exe_gone)
    p->flags |= EV_PROC_F_GONE;
}

int proc_parse_stat_start(const char *buf, size_t len, uint64_t *ticks) {
  const char *end = buf + len, *p = NULL;
  for (const char *q = buf; q < end; q++)
    if (*q == ')')
      p = q;
  if (!p)
    return -EBADMSG;
  p++;
  /* After the name: " state ppid ..." — field 3 is the first token. */
  for (int field = 3; field < 22; field++) {
    if (p >= end || *p != ' ')
      return -EBADMSG;
    p++;
    while (p < end && *p != ' ')
      p++;
  }
  if (p >= end || *p != ' ')
    return -EBADMSG;
  p++;
  uint64_t v = 0;
  const char *digits = p;
  while (p < end && *p >= '0' && *p <= '9') {
    if (v > (UINT64_MAX - 9) / 10)
      return -EBADMSG;
    v = v * 10 + (uint64_t)(*p++ - '0');
  }
  if (p == digits || (p < end && *p != ' ' && *p != '\n'))
    return -EBADMSG;
  *ticks = v;
  return 0;
}

uint64_t proc_info_start_ns(const char *root, uint32_t pid) {
  char text[STATUS_READ];
  uint64_t ticks;
  long hz = sysconf(_SC_CLK_TCK);
  ssize_t n = read_proc(root, pid, "stat", text, sizeof text);
  if (n <= 0 || hz <= 0 || proc_parse_stat_start(text, (size_t)n, &ticks) < 0)
    return 0;
  return ticks * (1000000000ull / (uint64_t)hz);
}

int proc_scan(const char *root, proc_scan_cb cb, void *ctx, struct hb_error *err) {
  DIR *d = opendir(root);
  if (!d)
    return hb_fail(err, errno, "%s: cannot list processes: %s", root, strerror(errno));
  int rc = 0;
  struct dirent *de;
  while (rc == 0 && (de = readdir(d)) != NULL) {
    uint32_t pid;
    size_t len = strlen(de->d_name);
    if (!parse_u32(de->d_name, len, &pid) || pid == 0 ||
        strspn(de->d_name, "0123456789") != len)
      continue;
    struct ev_proc p;
    memset(&p, 0, sizeof p);
    p.op = EV_PROC_EXISTING;
    p.pid = p.tgid = pid;
    proc_info_fill(root, pid, &p);
    rc = cb(ctx, &p);
  }
  closedir(d);
  return rc;
}
