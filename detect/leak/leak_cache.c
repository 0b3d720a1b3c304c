/* detect/leak/leak_cache.c — serialized Hyperscan databases on disk. */
#include "detect/leak/leak_cache.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define MAGIC "HBLEAK01"
#define HEAD (8 + 8 + 4)
#define MAX_FILE (64u << 20) /* far above any pattern set habit accepts */

static int file_name(char *out, size_t cap, const char *dir, uint64_t key) {
  int n = snprintf(out, cap, "%s/leaks-%016llx.hsdb", dir, (unsigned long long)key);
  return n > 0 && (size_t)n < cap ? 0 : -1;
}

static void put_le(uint8_t *p, uint64_t v, int n) {
  for (int i = 0; i < n; i++)
    p[i] = (uint8_t)(v >> (8 * i));
}

static uint64_t get_le(const uint8_t *p, int n) {
  uint64_t v = 0;
  for (int i = 0; i < n; i++)
    v |= (uint64_t)p[i] << (8 * i);
  return v;
}

/* The whole file in a malloc'd block, or NULL. */
static uint8_t *read_all(const char *path, size_t *len) {
  FILE *f = fopen(path, "rb");
  if (!f)
    return NULL;
  uint8_t *buf = NULL;
  struct stat st;
  if (fstat(fileno(f), &st) == 0 && st.st_size > HEAD && (uint64_t)st.st_size <= MAX_FILE &&
      (buf = malloc((size_t)st.st_size)) != NULL) {
    *len = fread(buf, 1, (size_t)st.st_size, f);
    if (*len != (size_t)st.st_size) {
      free(buf);
      buf = NULL;
    }
  }
  fclose(f);
  return buf;
}

int leak_cache_load(const char *dir, uint64_t key, size_t n_user, uint8_t *how,
                    hs_database_t **db) {
  *db = NULL;
  char path[4096];
  if (!dir || !dir[0] || file_name(path, sizeof path, dir, key) < 0)
    return 0;
  size_t len = 0;
  uint8_t *buf = read_all(path, &len);
  if (!buf)
    return 0;
  int ok = memcmp(buf, MAGIC, 8) == 0 && get_le(buf + 8, 8) == key &&
           get_le(buf + 16, 4) == n_user && len > HEAD + n_user;
  for (size_t i = 0; ok && i < n_user; i++)
    ok = buf[HEAD + i] <= 2; /* an enum leak_user_how */
  if (ok) {
    const uint8_t *ser = buf + HEAD + n_user;
    ok = hs_deserialize_database((const char *)ser, len - HEAD - n_user, db) == HS_SUCCESS;
  }
  if (ok)
    memcpy(how, buf + HEAD, n_user);
  else
    *db = NULL;
  free(buf);
  return ok;
}

/* mkdir -p: each missing level of dir. */
static int make_dirs(const char *dir) {
  char p[4096];
  int n = snprintf(p, sizeof p, "%s", dir);
  if (n <= 0 || (size_t)n >= sizeof p)
    return -1;
  for (char *s = p + 1; *s; s++) {
    if (*s != '/')
      continue;
    *s = '\0';
    if (mkdir(p, 0755) != 0 && errno != EEXIST)
      return -1;
    *s = '/';
  }
  return mkdir(p, 0755) != 0 && errno != EEXIST ? -1 : 0;
}

void leak_cache_store(const char *dir, uint64_t key, size_t n_user, const uint8_t *how,
                      const hs_database_t *db) {
  char path[4096], tmp[4096 + 32];
  if (!dir || !dir[0] || file_name(path, sizeof path, dir, key) < 0)
    return;
  if (make_dirs(dir) < 0)
    return;
  char *ser = NULL;
  size_t ser_len = 0;
  if (hs_serialize_database(db, &ser, &ser_len) != HS_SUCCESS)
    return;
  uint8_t head[HEAD];
  memcpy(head, MAGIC, 8);
  put_le(head + 8, key, 8);
  put_le(head + 16, n_user, 4);
  snprintf(tmp, sizeof tmp, "%s.%ld.tmp", path, (long)getpid());
  FILE *f = fopen(tmp, "wb");
  int ok = f != NULL;
  if (ok) {
    ok = fwrite(head, 1, HEAD, f) == HEAD && (n_user == 0 || fwrite(how, 1, n_user, f) == n_user) &&
         fwrite(ser, 1, ser_len, f) == ser_len;
    ok = fclose(f) == 0 && ok;
  }
  if (ok)
    ok = rename(tmp, path) == 0;
  if (!ok && f)
    unlink(tmp);
  free(ser); /* hs_serialize_database allocates with the misc allocator: malloc */
}
