#include "models/store_host.h"

#include <errno.h>
#include <sqlite3.h>
#include <string.h>

static const char *const host_sql =
    "CREATE TABLE IF NOT EXISTS processes(service TEXT NOT NULL, exe TEXT NOT NULL,"
    " parent_exe TEXT NOT NULL, uid INTEGER NOT NULL, count INTEGER NOT NULL,"
    " first_ns INTEGER NOT NULL, last_ns INTEGER NOT NULL,"
    " PRIMARY KEY(service, exe, parent_exe, uid));"
    "CREATE TABLE IF NOT EXISTS files(service TEXT NOT NULL, exe TEXT NOT NULL,"
    " path TEXT NOT NULL, access TEXT NOT NULL, count INTEGER NOT NULL,"
    " first_ns INTEGER NOT NULL, last_ns INTEGER NOT NULL,"
    " PRIMARY KEY(service, exe, path));"
    "CREATE TABLE IF NOT EXISTS syscalls(service TEXT NOT NULL, name TEXT NOT NULL,"
    " count INTEGER NOT NULL, first_ns INTEGER NOT NULL, last_ns INTEGER NOT NULL,"
    " PRIMARY KEY(service, name));";

static int sqlfail(struct store *st, struct hb_error *err, const char *what) {
  return hb_fail(err, EIO, "%s: %s: %s", st->path, what, sqlite3_errmsg(st->db));
}

static const char *text(sqlite3_stmt *q, int i) {
  const unsigned char *t = sqlite3_column_text(q, i);
  return t ? (const char *)t : "";
}

static uint64_t u64(sqlite3_stmt *q, int i) {
  sqlite3_int64 v = sqlite3_column_int64(q, i);
  return v < 0 ? 0 : (uint64_t)v;
}

int store_host_schema(struct store *st, struct hb_error *err) {
  char *msg = NULL;
  if (sqlite3_exec(st->db, host_sql, NULL, NULL, &msg) != SQLITE_OK) {
    int rc = hb_fail(err, EIO, "%s: cannot add the process and file tables: %s", st->path,
                     msg ? msg : "SQL error");
    sqlite3_free(msg);
    return rc;
  }
  st->host_tables = true;
  return 0;
}

static bool has_table(struct store *st, const char *name) {
  sqlite3_stmt *q;
  bool found = false;
  if (sqlite3_prepare_v2(st->db, "SELECT 1 FROM sqlite_master WHERE type='table' AND name=?",
                         -1, &q, NULL) != SQLITE_OK)
    return false;
  sqlite3_bind_text(q, 1, name, -1, SQLITE_STATIC);
  found = sqlite3_step(q) == SQLITE_ROW;
  sqlite3_finalize(q);
  return found;
}

/* The service a row names, which must have been loaded; a length check
 * keeps a damaged row from being cut into another's key. */
static int row_service(struct store *st, struct model *m, sqlite3_stmt *q, const char *table,
                       uint32_t *svc, struct hb_error *err) {
  *svc = model_find_service(m, text(q, 0));
  if (*svc == IDXMAP_NONE || strlen(text(q, 1)) >= EV_TEXT_MAX ||
      strlen(text(q, 2)) >= EV_TEXT_MAX)
    return hb_fail(err, EINVAL, "%s: %s row of service '%s', program '%s' is damaged", st->path,
                   table, text(q, 0), text(q, 1));
  return 0;
}

static int load_procs(struct store *st, struct model *m, struct hb_error *err) {
  sqlite3_stmt *q;
  if (sqlite3_prepare_v2(st->db,
                         "SELECT service, exe, parent_exe, uid, count, first_ns, last_ns "
                         "FROM processes ORDER BY rowid", -1, &q, NULL) != SQLITE_OK)
    return sqlfail(st, err, "cannot read processes");
  int rc = 0, step;
  while (rc == 0 && (step = sqlite3_step(q)) == SQLITE_ROW) {
    uint32_t svc, i;
    sqlite3_int64 uid = sqlite3_column_int64(q, 3);
    if ((rc = row_service(st, m, q, "processes", &svc, err)) < 0)
      break;
    if (uid < 0 || uid > UINT32_MAX) {
      rc = hb_fail(err, EINVAL, "%s: processes row of '%s' has uid %lld", st->path,
                   text(q, 1), (long long)uid);
      break;
    }
    if (model_learn_proc(m, svc, text(q, 1), text(q, 2), (uint32_t)uid, u64(q, 5), &i) < 0) {
      rc = hb_fail(err, ENOMEM, "%s: out of memory loading processes", st->path);
      break;
    }
    m->procs[i].count = u64(q, 4);
    m->procs[i].last_ns = u64(q, 6);
    m->procs[i].dirty = false;
  }
  if (rc == 0 && step != SQLITE_DONE)
    rc = sqlfail(st, err, "cannot read processes");
  sqlite3_finalize(q);
  return rc;
}

static int load_files(struct store *st, struct model *m, struct hb_error *err) {
  sqlite3_stmt *q;
  if (sqlite3_prepare_v2(st->db,
                         "SELECT service, exe, path, access, count, first_ns, last_ns "
                         "FROM files ORDER BY rowid", -1, &q, NULL) != SQLITE_OK)
    return sqlfail(st, err, "cannot read files");
  int rc = 0, step;
  while (rc == 0 && (step = sqlite3_step(q)) == SQLITE_ROW) {
    uint32_t svc, i;
    uint8_t access = file_access_parse(text(q, 3));
    if ((rc = row_service(st, m, q, "files", &svc, err)) < 0)
      break;
    if (!access) {
      rc = hb_fail(err, EINVAL, "%s: files row '%s' has access '%s' (expected r, w, x)",
                   st->path, text(q, 2), text(q, 3));
      break;
    }
    if (model_learn_file(m, svc, text(q, 1), text(q, 2), access, u64(q, 5), &i) < 0) {
      rc = hb_fail(err, ENOMEM, "%s: out of memory loading files", st->path);
      break;
    }
    m->files[i].count = u64(q, 4);
    m->files[i].last_ns = u64(q, 6);
    m->files[i].dirty = false;
  }
  if (rc == 0 && step != SQLITE_DONE)
    rc = sqlfail(st, err, "cannot read files");
  sqlite3_finalize(q);
  return rc;
}

static int load_syscalls(struct store *st, struct model *m, struct hb_error *err) {
  sqlite3_stmt *q;
  if (sqlite3_prepare_v2(st->db,
                         "SELECT service, name, count, first_ns, last_ns FROM syscalls "
                         "ORDER BY rowid", -1, &q, NULL) != SQLITE_OK)
    return sqlfail(st, err, "cannot read syscalls");
  int rc = 0, step;
  while (rc == 0 && (step = sqlite3_step(q)) == SQLITE_ROW) {
    uint32_t svc = model_find_service(m, text(q, 0)), i;
    const char *name = text(q, 1);
    if (svc == IDXMAP_NONE || !name[0] || strlen(name) >= SYSCALL_NAME_MAX) {
      rc = hb_fail(err, EINVAL, "%s: syscalls row '%s' of service '%s' is damaged", st->path,
                   name, text(q, 0));
      break;
    }
    if (model_learn_syscall(m, svc, name, u64(q, 2), u64(q, 3), &i) < 0) {
      rc = hb_fail(err, ENOMEM, "%s: out of memory loading syscalls", st->path);
      break;
    }
    m->syscalls[i].last_ns = u64(q, 4);
    m->syscalls[i].dirty = false;
  }
  if (rc == 0 && step != SQLITE_DONE)
    rc = sqlfail(st, err, "cannot read syscalls");
  sqlite3_finalize(q);
  return rc;
}

int store_host_load(struct store *st, struct model *m, struct hb_error *err) {
  int rc = 0;
  if (has_table(st, "processes"))
    rc = load_procs(st, m, err);
  if (rc == 0 && has_table(st, "files"))
    rc = load_files(st, m, err);
  if (rc == 0 && has_table(st, "syscalls"))
    rc = load_syscalls(st, m, err);
  return rc;
}

static int write_procs(struct store *st, struct model *m, struct hb_error *err) {
  sqlite3_stmt *q;
  if (sqlite3_prepare_v2(st->db, "INSERT OR REPLACE INTO processes VALUES(?,?,?,?,?,?,?)", -1,
                         &q, NULL) != SQLITE_OK)
    return sqlfail(st, err, "cannot write processes");
  int rc = 0;
  for (uint32_t i = 0; i < m->n_procs && rc == 0; i++) {
    const struct model_proc *p = &m->procs[i];
    if (!p->dirty)
      continue;
    sqlite3_bind_text(q, 1, m->services[p->service].name, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 2, p->exe, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 3, p->parent, -1, SQLITE_STATIC);
    sqlite3_bind_int64(q, 4, p->uid);
    sqlite3_bind_int64(q, 5, (sqlite3_int64)p->count);
    sqlite3_bind_int64(q, 6, (sqlite3_int64)p->first_ns);
    sqlite3_bind_int64(q, 7, (sqlite3_int64)p->last_ns);
    if (sqlite3_step(q) != SQLITE_DONE)
      rc = sqlfail(st, err, "cannot write a process");
    sqlite3_reset(q);
  }
  sqlite3_finalize(q);
  return rc;
}

static int write_files(struct store *st, struct model *m, struct hb_error *err) {
  sqlite3_stmt *q;
  if (sqlite3_prepare_v2(st->db, "INSERT OR REPLACE INTO files VALUES(?,?,?,?,?,?,?)", -1, &q,
                         NULL) != SQLITE_OK)
    return sqlfail(st, err, "cannot write files");
  int rc = 0;
  for (uint32_t i = 0; i < m->n_files && rc == 0; i++) {
    const struct model_file *f = &m->files[i];
    char acc[4];
    if (!f->dirty)
      continue;
    sqlite3_bind_text(q, 1, m->services[f->service].name, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 2, f->exe, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 3, f->path, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 4, file_access_text(f->access, acc), -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(q, 5, (sqlite3_int64)f->count);
    sqlite3_bind_int64(q, 6, (sqlite3_int64)f->first_ns);
    sqlite3_bind_int64(q, 7, (sqlite3_int64)f->last_ns);
    if (sqlite3_step(q) != SQLITE_DONE)
      rc = sqlfail(st, err, "cannot write a file entry");
    sqlite3_reset(q);
  }
  sqlite3_finalize(q);
  return rc;
}

static int write_syscalls(struct store *st, struct model *m, struct hb_error *err) {
  sqlite3_stmt *q;
  if (sqlite3_prepare_v2(st->db, "INSERT OR REPLACE INTO syscalls VALUES(?,?,?,?,?)", -1, &q,
                         NULL) != SQLITE_OK)
    return sqlfail(st, err, "cannot write syscalls");
  int rc = 0;
  for (uint32_t i = 0; i < m->n_syscalls && rc == 0; i++) {
    const struct model_syscall *c = &m->syscalls[i];
    if (!c->dirty)
      continue;
    sqlite3_bind_text(q, 1, m->services[c->service].name, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 2, c->name, -1, SQLITE_STATIC);
    sqlite3_bind_int64(q, 3, (sqlite3_int64)c->count);
    sqlite3_bind_int64(q, 4, (sqlite3_int64)c->first_ns);
    sqlite3_bind_int64(q, 5, (sqlite3_int64)c->last_ns);
    if (sqlite3_step(q) != SQLITE_DONE)
      rc = sqlfail(st, err, "cannot write a syscall");
    sqlite3_reset(q);
  }
  sqlite3_finalize(q);
  return rc;
}

int store_host_write(struct store *st, struct model *m, struct hb_error *err) {
  if (m->n_procs == 0 && m->n_files == 0 && m->n_syscalls == 0)
    return 0;
  int rc = st->host_tables ? 0 : store_host_schema(st, err);
  if (rc == 0)
    rc = write_procs(st, m, err);
  if (rc == 0)
    rc = write_files(st, m, err);
  if (rc == 0)
    rc = write_syscalls(st, m, err);
  return rc;
}

void store_host_clean(struct model *m) {
  for (uint32_t i = 0; i < m->n_procs; i++)
    m->procs[i].dirty = false;
  for (uint32_t i = 0; i < m->n_files; i++)
    m->files[i].dirty = false;
  for (uint32_t i = 0; i < m->n_syscalls; i++)
    m->syscalls[i].dirty = false;
}
