#include "models/store_modes.h"

#include <errno.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "core/timefmt.h"

#define MODES_SQL                                                                       \
  "CREATE TABLE IF NOT EXISTS modes(service TEXT PRIMARY KEY, mode INTEGER NOT NULL,"  \
  " changed_ns INTEGER NOT NULL, why TEXT NOT NULL)"

static int fail(struct store *st, struct hb_error *err, const char *what) {
  return hb_fail(err, EIO, "%s: %s: %s", st->path, what, sqlite3_errmsg(st->db));
}

int store_set_mode(struct store *st, const char *service, uint8_t mode, const char *why,
                   struct hb_error *err) {
  if (st->readonly)
    return hb_fail(err, EROFS, "%s: opened read-only", st->path);
  if (sqlite3_exec(st->db, MODES_SQL, NULL, NULL, NULL) != SQLITE_OK)
    return fail(st, err, "cannot create the modes table");
  sqlite3_stmt *q;
  const char *sql = mode ? "INSERT OR REPLACE INTO modes VALUES(?1, ?2, ?3, ?4)"
                         : "DELETE FROM modes WHERE service = ?1";
  if (sqlite3_prepare_v2(st->db, sql, -1, &q, NULL) != SQLITE_OK)
    return fail(st, err, "cannot set a mode");
  sqlite3_bind_text(q, 1, service, -1, SQLITE_STATIC);
  if (mode) {
    sqlite3_bind_int(q, 2, mode);
    sqlite3_bind_int64(q, 3, (sqlite3_int64)hb_now_ns());
    sqlite3_bind_text(q, 4, why ? why : "", -1, SQLITE_STATIC);
  }
  int rc = sqlite3_step(q) == SQLITE_DONE ? 0 : fail(st, err, "cannot set a mode");
  sqlite3_finalize(q);
  return rc;
}

int store_load_modes(struct store *st, struct svc_mode **out, size_t *n,
                     struct hb_error *err) {
  *out = NULL;
  *n = 0;
  sqlite3_stmt *q;
  if (sqlite3_prepare_v2(st->db, "SELECT service, mode, changed_ns, why FROM modes ORDER BY service",
                         -1, &q, NULL) != SQLITE_OK)
    return 0; /* no table: no run-time modes */
  size_t cap = 0;
  int rc = 0, step;
  while ((step = sqlite3_step(q)) == SQLITE_ROW) {
    int mode = sqlite3_column_int(q, 1);
    if (mode < EV_MODE_DISCOVER || mode > EV_MODE_PROTECT)
      continue; /* not one of ours: ignored */
    if (*n == cap) {
      cap = cap ? 2 * cap : 8;
      struct svc_mode *grown = realloc(*out, cap * sizeof **out);
      if (!grown) {
        rc = hb_fail(err, ENOMEM, "out of memory");
        break;
      }
      *out = grown;
    }
    struct svc_mode *m = &(*out)[(*n)++];
    const unsigned char *name = sqlite3_column_text(q, 0), *why = sqlite3_column_text(q, 3);
    snprintf(m->service, sizeof m->service, "%s", name ? (const char *)name : "");
    m->mode = (uint8_t)mode;
    sqlite3_int64 t = sqlite3_column_int64(q, 2);
    m->changed_ns = t > 0 ? (uint64_t)t : 0;
    snprintf(m->why, sizeof m->why, "%s", why ? (const char *)why : "");
  }
  if (rc == 0 && step != SQLITE_DONE && step != SQLITE_ROW)
    rc = fail(st, err, "cannot read the modes");
  sqlite3_finalize(q);
  if (rc < 0) {
    free(*out);
    *out = NULL;
    *n = 0;
  }
  return rc;
}

bool store_modes_changed(struct store *st) {
  sqlite3_stmt *q;
  if (sqlite3_prepare_v2(st->db, "PRAGMA data_version", -1, &q, NULL) != SQLITE_OK)
    return false;
  bool changed = false;
  if (sqlite3_step(q) == SQLITE_ROW) {
    int64_t v = sqlite3_column_int64(q, 0);
    changed = !st->data_version_seen || v != st->data_version;
    st->data_version = v;
    st->data_version_seen = true;
  }
  sqlite3_finalize(q);
  return changed;
}

uint8_t svc_mode_find(const struct svc_mode *modes, size_t n, const char *service) {
  for (size_t i = 0; i < n; i++)
    if (strcmp(modes[i].service, service) == 0)
      return modes[i].mode;
  return 0;
}
