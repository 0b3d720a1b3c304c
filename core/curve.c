#include "core/curve.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zmq.h>

static bool z85_char(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
         strchr(".-:+=^!/*?&<>()[]{}@%$#", c) != NULL;
}

/* A line holding exactly one key (surrounding blanks allowed). */
static int parse_key(const char *line, char *out) {
  while (*line == ' ' || *line == '\t')
    line++;
  size_t n = 0;
  while (line[n] && line[n] != '\n' && line[n] != '\r' && line[n] != ' ' && line[n] != '\t')
    n++;
  const char *rest = line + n;
  while (*rest == ' ' || *rest == '\t' || *rest == '\r' || *rest == '\n')
    rest++;
  if (n != CURVE_KEY_LEN || *rest)
    return -1;
  for (size_t i = 0; i < n; i++)
    if (!z85_char(line[i]))
      return -1;
  memcpy(out, line, n);
  out[n] = '\0';
  return 0;
}

static int write_new(const char *path, const char *text, mode_t mode, struct hb_error *err) {
  int fd = open(path, O_WRONLY | O_CREAT | O_EXCL, mode);
  if (fd < 0)
    return hb_fail(err, errno, "%s: cannot create: %s", path, strerror(errno));
  size_t len = strlen(text);
  ssize_t w = write(fd, text, len);
  int saved = errno;
  if (close(fd) != 0 || w != (ssize_t)len) {
    unlink(path);
    return hb_fail(err, w < 0 ? saved : EIO, "%s: cannot write", path);
  }
  return 0;
}

int curve_keygen(const char *name, struct hb_error *err) {
  char pub[CURVE_KEY_LEN + 1], sec[CURVE_KEY_LEN + 1];
  if (zmq_curve_keypair(pub, sec) != 0)
    return hb_fail(err, ENOTSUP, "this ZeroMQ has no CURVE support");
  char path[4096], text[CURVE_KEY_LEN + 2];
  snprintf(path, sizeof path, "%s.key", name);
  snprintf(text, sizeof text, "%s\n", sec);
  int rc = write_new(path, text, 0600, err);
  if (rc < 0)
    return rc;
  snprintf(path, sizeof path, "%s.pub", name);
  snprintf(text, sizeof text, "%s\n", pub);
  if ((rc = write_new(path, text, 0644, err)) < 0) {
    snprintf(path, sizeof path, "%s.key", name);
    unlink(path);
  }
  return rc;
}

int curve_read_key(const char *path, char *out, struct hb_error *err) {
  FILE *f = fopen(path, "r");
  if (!f)
    return hb_fail(err, errno, "%s: cannot read: %s", path, strerror(errno));
  char line[256];
  int rc = fgets(line, sizeof line, f) && parse_key(line, out) == 0
               ? 0
               : hb_fail(err, EINVAL, "%s:1: not a CURVE key (40 Z85 characters)", path);
  fclose(f);
  return rc;
}

int curve_public_of(const char *secret, char *public_out, struct hb_error *err) {
  if (zmq_curve_public(public_out, secret) != 0)
    return hb_fail(err, EINVAL, "cannot derive the public key: %s", zmq_strerror(zmq_errno()));
  return 0;
}

int curve_read_list(const char *path, char (**keys)[CURVE_KEY_LEN + 1], size_t *n,
                    struct hb_error *err) {
  *keys = NULL;
  *n = 0;
  FILE *f = fopen(path, "r");
  if (!f)
    return hb_fail(err, errno, "%s: cannot read: %s", path, strerror(errno));
  char line[256];
  size_t cap = 0, lineno = 0;
  int rc = 0;
  while (rc == 0 && fgets(line, sizeof line, f)) {
    lineno++;
    const char *p = line;
    while (*p == ' ' || *p == '\t')
      p++;
    if (*p == '#' || *p == '\n' || *p == '\r' || *p == '\0')
      continue;
    if (*n == cap) {
      cap = cap ? 2 * cap : 8;
      void *grown = realloc(*keys, cap * sizeof **keys);
      if (!grown) {
        rc = hb_fail(err, ENOMEM, "out of memory");
        break;
      }
      *keys = grown;
    }
    if (parse_key(p, (*keys)[*n]) != 0)
      rc = hb_fail(err, EINVAL, "%s:%zu: not a CURVE public key (40 Z85 characters)", path,
                   lineno);
    else
      (*n)++;
  }
  fclose(f);
  if (rc == 0 && *n == 0)
    rc = hb_fail(err, EINVAL, "%s: no keys", path);
  if (rc < 0) {
    free(*keys);
    *keys = NULL;
    *n = 0;
  }
  return rc;
}

int curve_apply(void *sock, const struct bus_curve *c, struct hb_error *err) {
  int one = 1, rc;
  if (c->server) {
    rc = zmq_setsockopt(sock, ZMQ_CURVE_SERVER, &one, sizeof one) ||
         zmq_setsockopt(sock, ZMQ_CURVE_SECRETKEY, c->secret_key, CURVE_KEY_LEN) ||
         zmq_setsockopt(sock, ZMQ_ZAP_DOMAIN, CURVE_DOMAIN, strlen(CURVE_DOMAIN));
  } else {
    rc = zmq_setsockopt(sock, ZMQ_CURVE_SERVERKEY, c->server_key, CURVE_KEY_LEN) ||
         zmq_setsockopt(sock, ZMQ_CURVE_PUBLICKEY, c->public_key, CURVE_KEY_LEN) ||
         zmq_setsockopt(sock, ZMQ_CURVE_SECRETKEY, c->secret_key, CURVE_KEY_LEN);
  }
  if (rc)
    return hb_fail(err, EINVAL, "cannot set CURVE keys: %s", zmq_strerror(zmq_errno()));
  return 0;
}
