/* Schema (version 1). Services and edges are keyed by name, so a model file
 * reads the same in any process; distributions are loghist blobs.
 *
 *   meta(key PRIMARY KEY, value)          format=habit-model, schema=1
 *   versions(version PRIMARY KEY, created_ns, source, flows)
 *   services(name PRIMARY KEY, kind, first_ns, last_ns, flows, members_over)
 *   members(service, member, role, first_ns, last_ns, count)
 *   edges(client, server, proto, port, app, count, first_ns, last_ns,
 *         <one BLOB column per edge metric>)
 *   modes(service PRIMARY KEY, mode, changed_ns, why)   (store_modes.c;
 *         created on the first run-time mode change)
 *   processes(...), files(...)   process and file whitelists (store_host.c;
 *         created when first written; older models simply lack them)
 */
#include "models/store.h"

#include <errno.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/timefmt.h"
#include "models/store_host.h"

#define FORMAT_NAME "habit-model"

static const char *const schema_sql =
    "PRAGMA journal_mode=WAL;"
    "CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);"
    "CREATE TABLE versions(version INTEGER PRIMARY KEY, created_ns INTEGER NOT NULL,"
    " source TEXT NOT NULL, flows INTEGER NOT NULL);"
    "CREATE TABLE services(name TEXT PRIMARY KEY, kind TEXT NOT NULL,"
    " first_ns INTEGER NOT NULL, last_ns INTEGER NOT NULL, flows INTEGER NOT NULL,"
    " members_over INTEGER NOT NULL);"
    "CREATE TABLE members(service TEXT NOT NULL, member TEXT NOT NULL, role TEXT NOT NULL,"
    " first_ns INTEGER NOT NULL, last_ns INTEGER NOT NULL, count INTEGER NOT NULL,"
    " PRIMARY KEY(service, member));"
    "CREATE TABLE edges(client TEXT NOT NULL, server TEXT NOT NULL, proto INTEGER NOT NULL,"
    " port INTEGER NOT NULL, app TEXT NOT NULL, count INTEGER NOT NULL,"
    " first_ns INTEGER NOT NULL, last_ns INTEGER NOT NULL,"
    " bytes_toserver BLOB NOT NULL, bytes_toclient BLOB NOT NULL, packets BLOB NOT NULL,"
    " duration_ms BLOB NOT NULL, connections_per_minute BLOB NOT NULL,"
    " PRIMARY KEY(client, server, proto, port, app));";

static int sqlfail(struct store *st, struct hb_error *err, const char *what) {
  return hb_fail(err, EIO, "%s: %s: %s", st->path, what,
                 st->db ? sqlite3_errmsg(st->db) : "no database");
}

static int exec(struct store *st, const char *sql, struct hb_error *err) {
  char *msg = NULL;
  if (sqlite3_exec(st->db, sql, NULL, NULL, &msg) != SQLITE_OK) {
    int rc = hb_fail(err, EIO, "%s: %s", st->path, msg ? msg : "SQL error");
    sqlite3_free(msg);
    return rc;
  }
  return 0;
}

/* Refuse files that are not SQLite before SQLite sees them. */
static int check_header(const char *path, struct hb_error *err) {
  FILE *f = fopen(path, "rb");
  if (!f)
    return hb_fail(err, errno, "%s: cannot open model: %s", path, strerror(errno));
  char head[16];
  size_t n = fread(head, 1, sizeof head, f);
  fclose(f);
  if (n == 0)
    return hb_fail(err, EINVAL, "%s: not a habit model (empty file)", path);
  if (n < sizeof head || memcmp(head, "SQLite format 3", 16) != 0)
    return hb_fail(err, EINVAL, "%s: not a habit model (not an SQLite database)", path);
  return 0;
}

static int get_meta(struct store *st, const char *key, char *out, size_t cap,
                    struct hb_error *err) {
  sqlite3_stmt *q;
  if (sqlite3_prepare_v2(st->db, "SELECT value FROM meta WHERE key=?", -1, &q, NULL) !=
      SQLITE_OK)
    return hb_fail(err, EINVAL, "%s: not a habit model (no habit meta table: %s)",
                   st->path, sqlite3_errmsg(st->db));
  sqlite3_bind_text(q, 1, key, -1, SQLITE_STATIC);
  int rc = sqlite3_step(q);
  if (rc == SQLITE_ROW) {
    const unsigned char *v = sqlite3_column_text(q, 0);
    snprintf(out, cap, "%s", v ? (const char *)v : "");
    rc = 0;
  } else if (rc == SQLITE_DONE) {
    rc = hb_fail(err, EINVAL, "%s: not a habit model (meta has no '%s')", st->path, key);
  } else {
    rc = sqlfail(st, err, "cannot read meta");
  }
  sqlite3_finalize(q);
  return rc;
}

static int check_identity(struct store *st, struct hb_error *err) {
  char v[64];
  int rc = get_meta(st, "format", v, sizeof v, err);
  if (rc < 0)
    return rc;
  if (strcmp(v, FORMAT_NAME) != 0)
    return hb_fail(err, EINVAL, "%s: not a habit model (format is '%s')", st->path, v);
  rc = get_meta(st, "schema", v, sizeof v, err);
  if (rc < 0)
    return rc;
  if (atoi(v) != STORE_SCHEMA_VERSION)
    return hb_fail(err, EINVAL, "%s: model schema %s, this habit reads schema %d",
                   st->path, v, STORE_SCHEMA_VERSION);
  return 0;
}

static int create_schema(struct store *st, struct hb_error *err) {
  char sql[256];
  int rc = exec(st, schema_sql, err);
  if (rc < 0)
    return rc;
  snprintf(sql, sizeof sql,
           "INSERT INTO meta VALUES('format','" FORMAT_NAME "'),('schema','%d');",
           STORE_SCHEMA_VERSION);
  return exec(st, sql, err);
}

int store_open(struct store *st, const char *path, int flags, struct hb_error *err) {
  memset(st, 0, sizeof *st);
  /* A cut path would name, and store_discard remove, another file. */
  if (strlen(path) >= sizeof st->path)
    return hb_fail(err, ENAMETOOLONG, "%.64s...: model path too long (%zu bytes, at most %zu)",
                   path, strlen(path), sizeof st->path - 1);
  snprintf(st->path, sizeof st->path, "%s", path);
  st->readonly = flags & STORE_READONLY;
  struct stat sb;
  bool exists = stat(path, &sb) == 0;
  if (exists && S_ISDIR(sb.st_mode))
    return hb_fail(err, EISDIR, "%s: is a directory, not a model file", path);
  if (!exists && !(flags & STORE_CREATE))
    return hb_fail(err, ENOENT, "%s: no such model (learn one first with --mode discover)",
                   path);
  if (exists) {
    int rc = check_header(path, err);
    if (rc < 0)
      return rc;
  }
  int oflags = st->readonly ? SQLITE_OPEN_READONLY
                            : SQLITE_OPEN_READWRITE | (exists ? 0 : SQLITE_OPEN_CREATE);
  sqlite3 *db = NULL;
  if (sqlite3_open_v2(path, &db, oflags, NULL) != SQLITE_OK) {
    int rc = hb_fail(err, EIO, "%s: cannot open model: %s", path,
                     db ? sqlite3_errmsg(db) : "out of memory");
    sqlite3_close(db);
    return rc;
  }
  st->db = db;
  st->created = !exists;
  sqlite3_busy_timeout(db, 5000);
  int rc = exists ? check_identity(st, err) : create_schema(st, err);
  if (rc == 0 && !st->readonly)
    rc = exec(st, "PRAGMA synchronous=NORMAL;", err);
  if (rc < 0) {
    sqlite3_close(db);
    st->db = NULL;
    if (!exists)
      remove(path);
  }
  return rc;
}

void store_close(struct store *st) {
  if (st->db) {
    if (st->in_run)
      store_rollback_run(st);
    sqlite3_close(st->db);
  }
  st->db = NULL;
}

void store_discard(struct store *st) {
  bool created = st->created;
  store_close(st);
  if (created) {
    char p[300];
    remove(st->path);
    snprintf(p, sizeof p, "%s-wal", st->path);
    remove(p);
    snprintf(p, sizeof p, "%s-shm", st->path);
    remove(p);
  }
}

static const char *col_text(sqlite3_stmt *q, int i) {
  const unsigned char *t = sqlite3_column_text(q, i);
  return t ? (const char *)t : "";
}

static uint64_t col_u64(sqlite3_stmt *q, int i) {
  sqlite3_int64 v = sqlite3_column_int64(q, i);
  return v < 0 ? 0 : (uint64_t)v;
}

static int load_services(struct store *st, struct model *m, struct hb_error *err) {
  sqlite3_stmt *q;
  if (sqlite3_prepare_v2(st->db,
                         "SELECT name, kind, first_ns, last_ns, flows, members_over "
                         "FROM services ORDER BY rowid", -1, &q, NULL) != SQLITE_OK)
    return sqlfail(st, err, "cannot read services");
  int rc;
  while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
    const char *name = col_text(q, 0);
    uint8_t kind = svc_kind_parse(col_text(q, 1));
    uint32_t i;
    if (!kind || !name[0] || model_get_service(m, name, kind, &i) < 0) {
      /* The column texts die with the statement: format first. */
      int e = hb_fail(err, EINVAL, "%s: service '%s' is damaged (kind '%s')", st->path,
                      name, col_text(q, 1));
      sqlite3_finalize(q);
      return e;
    }
    struct model_service *s = &m->services[i];
    s->first_ns = col_u64(q, 2);
    s->last_ns = col_u64(q, 3);
    s->flows = col_u64(q, 4);
    s->members_over = col_u64(q, 5);
    s->dirty = false;
  }
  sqlite3_finalize(q);
  return rc == SQLITE_DONE ? 0 : sqlfail(st, err, "cannot read services");
}

static int load_members(struct store *st, struct model *m, struct hb_error *err) {
  sqlite3_stmt *q;
  if (sqlite3_prepare_v2(st->db,
                         "SELECT service, member, role, first_ns, last_ns, count "
                         "FROM members ORDER BY rowid", -1, &q, NULL) != SQLITE_OK)
    return sqlfail(st, err, "cannot read members");
  int rc;
  while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
    uint32_t svc = model_find_service(m, col_text(q, 0));
    const char *role = col_text(q, 2);
    uint8_t r = strcmp(role, "server") == 0 ? ROLE_SERVER : ROLE_CLIENT;
    uint32_t before = m->n_members;
    if (svc == IDXMAP_NONE ||
        model_note_member(m, svc, col_text(q, 1), r, col_u64(q, 3)) < 0) {
      int e = hb_fail(err, EINVAL, "%s: member '%s' of unknown service '%s'", st->path,
                      col_text(q, 1), col_text(q, 0));
      sqlite3_finalize(q);
      return e;
    }
    /* It must have been added, or the fields below would land on another
     * member (a repeat, or one beyond the bound). */
    if (m->n_members != before + 1) {
      int e = hb_fail(err, EINVAL, "%s: member '%s' of service '%s' is damaged (repeated or "
                      "beyond %d members)", st->path, col_text(q, 1), col_text(q, 0),
                      MODEL_MAX_MEMBERS);
      sqlite3_finalize(q);
      return e;
    }
    struct model_member *mm = &m->members[m->n_members - 1];
    mm->last_ns = col_u64(q, 4);
    mm->count = col_u64(q, 5);
    mm->dirty = false;
    m->services[svc].dirty = false;
  }
  sqlite3_finalize(q);
  return rc == SQLITE_DONE ? 0 : sqlfail(st, err, "cannot read members");
}

static int load_edges(struct store *st, struct model *m, struct hb_error *err) {
  sqlite3_stmt *q;
  if (sqlite3_prepare_v2(st->db,
                         "SELECT client, server, proto, port, app, count, first_ns, last_ns,"
                         " bytes_toserver, bytes_toclient, packets, duration_ms,"
                         " connections_per_minute FROM edges ORDER BY rowid",
                         -1, &q, NULL) != SQLITE_OK)
    return sqlfail(st, err, "cannot read edges");
  int rc;
  while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
    struct edge_key k;
    memset(&k, 0, sizeof k);
    k.cli = model_find_service(m, col_text(q, 0));
    k.srv = model_find_service(m, col_text(q, 1));
    int proto = sqlite3_column_int(q, 2), port = sqlite3_column_int(q, 3);
    const char *app = col_text(q, 4);
    uint32_t i;
    if (k.cli == IDXMAP_NONE || k.srv == IDXMAP_NONE || proto < 0 || proto > 255 ||
        port < 0 || port > 65535 || strlen(app) >= sizeof k.app) {
      int e = hb_fail(err, EINVAL, "%s: edge %s -> %s is damaged", st->path,
                      col_text(q, 0), col_text(q, 1));
      sqlite3_finalize(q);
      return e;
    }
    k.proto = (uint8_t)proto;
    k.port = (uint16_t)port;
    memcpy(k.app, app, strlen(app) + 1);
    if (model_get_edge(m, &k, &i) < 0) {
      sqlite3_finalize(q);
      return hb_fail(err, ENOMEM, "%s: out of memory loading edges", st->path);
    }
    struct model_edge *e = &m->edges[i];
    e->count = col_u64(q, 5);
    e->first_ns = col_u64(q, 6);
    e->last_ns = col_u64(q, 7);
    for (int j = 0; j < EM_COUNT; j++) {
      loghist_free(&e->h[j]);
      const void *blob = sqlite3_column_blob(q, 8 + j);
      int len = sqlite3_column_bytes(q, 8 + j);
      if (loghist_deserialize(&e->h[j], blob, (size_t)len, err) < 0) {
        hb_error_prefix(err, "%s: edge %s -> %s %s: ", st->path, col_text(q, 0),
                        col_text(q, 1), edge_metric_name((enum edge_metric)j));
        sqlite3_finalize(q);
        return -EBADMSG;
      }
    }
    e->dirty = false;
  }
  sqlite3_finalize(q);
  return rc == SQLITE_DONE ? 0 : sqlfail(st, err, "cannot read edges");
}

int store_load(struct store *st, struct model *m, struct hb_error *err) {
  int rc = load_services(st, m, err);
  if (rc == 0)
    rc = load_members(st, m, err);
  if (rc == 0)
    rc = load_edges(st, m, err);
  if (rc == 0)
    rc = store_host_load(st, m, err);
  return rc;
}

int64_t store_version(struct store *st) {
  sqlite3_stmt *q;
  int64_t v = 0;
  if (sqlite3_prepare_v2(st->db, "SELECT max(version) FROM versions", -1, &q, NULL) ==
      SQLITE_OK) {
    if (sqlite3_step(q) == SQLITE_ROW)
      v = sqlite3_column_int64(q, 0);
    sqlite3_finalize(q);
  }
  return v;
}

static int write_services(struct store *st, struct model *m, struct hb_error *err) {
  sqlite3_stmt *q;
  if (sqlite3_prepare_v2(st->db, "INSERT OR REPLACE INTO services VALUES(?,?,?,?,?,?)",
                         -1, &q, NULL) != SQLITE_OK)
    return sqlfail(st, err, "cannot write services");
  for (uint32_t i = 0; i < m->n_services; i++) {
    struct model_service *s = &m->services[i];
    if (!s->dirty)
      continue;
    sqlite3_bind_text(q, 1, s->name, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 2, svc_kind_name(s->kind), -1, SQLITE_STATIC);
    sqlite3_bind_int64(q, 3, (sqlite3_int64)s->first_ns);
    sqlite3_bind_int64(q, 4, (sqlite3_int64)s->last_ns);
    sqlite3_bind_int64(q, 5, (sqlite3_int64)s->flows);
    sqlite3_bind_int64(q, 6, (sqlite3_int64)s->members_over);
    if (sqlite3_step(q) != SQLITE_DONE) {
      sqlite3_finalize(q);
      return sqlfail(st, err, "cannot write a service");
    }
    sqlite3_reset(q);
  }
  sqlite3_finalize(q);
  return 0;
}

static int write_members(struct store *st, struct model *m, struct hb_error *err) {
  sqlite3_stmt *q;
  if (sqlite3_prepare_v2(st->db, "INSERT OR REPLACE INTO members VALUES(?,?,?,?,?,?)",
                         -1, &q, NULL) != SQLITE_OK)
    return sqlfail(st, err, "cannot write members");
  for (uint32_t i = 0; i < m->n_members; i++) {
    struct model_member *mm = &m->members[i];
    if (!mm->dirty)
      continue;
    sqlite3_bind_text(q, 1, m->services[mm->service].name, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 2, mm->text, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 3, member_role_name(mm->role), -1, SQLITE_STATIC);
    sqlite3_bind_int64(q, 4, (sqlite3_int64)mm->first_ns);
    sqlite3_bind_int64(q, 5, (sqlite3_int64)mm->last_ns);
    sqlite3_bind_int64(q, 6, (sqlite3_int64)mm->count);
    if (sqlite3_step(q) != SQLITE_DONE) {
      sqlite3_finalize(q);
      return sqlfail(st, err, "cannot write a member");
    }
    sqlite3_reset(q);
  }
  sqlite3_finalize(q);
  return 0;
}

static int write_edges(struct store *st, struct model *m, struct hb_error *err) {
  sqlite3_stmt *q;
  if (sqlite3_prepare_v2(st->db,
                         "INSERT OR REPLACE INTO edges VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?)",
                         -1, &q, NULL) != SQLITE_OK)
    return sqlfail(st, err, "cannot write edges");
  uint8_t *buf = NULL;
  size_t cap = 0;
  int rc = 0;
  for (uint32_t i = 0; i < m->n_edges && rc == 0; i++) {
    struct model_edge *e = &m->edges[i];
    if (!e->dirty)
      continue;
    sqlite3_bind_text(q, 1, m->services[e->k.cli].name, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 2, m->services[e->k.srv].name, -1, SQLITE_STATIC);
    sqlite3_bind_int(q, 3, e->k.proto);
    sqlite3_bind_int(q, 4, e->k.port);
    sqlite3_bind_text(q, 5, e->k.app, -1, SQLITE_STATIC);
    sqlite3_bind_int64(q, 6, (sqlite3_int64)e->count);
    sqlite3_bind_int64(q, 7, (sqlite3_int64)e->first_ns);
    sqlite3_bind_int64(q, 8, (sqlite3_int64)e->last_ns);
    for (int j = 0; j < EM_COUNT; j++) {
      size_t n = loghist_serialized_size(&e->h[j]);
      if (n > cap) {
        free(buf);
        cap = n * 2;
        buf = malloc(cap);
        if (!buf) {
          rc = hb_fail(err, ENOMEM, "%s: out of memory writing edges", st->path);
          break;
        }
      }
      loghist_serialize(&e->h[j], buf);
      sqlite3_bind_blob(q, 9 + j, buf, (int)n, SQLITE_TRANSIENT);
    }
    if (rc == 0 && sqlite3_step(q) != SQLITE_DONE)
      rc = sqlfail(st, err, "cannot write an edge");
    sqlite3_reset(q);
  }
  free(buf);
  sqlite3_finalize(q);
  return rc;
}

static void clear_dirty(struct model *m) {
  for (uint32_t i = 0; i < m->n_services; i++)
    m->services[i].dirty = false;
  for (uint32_t i = 0; i < m->n_members; i++)
    m->members[i].dirty = false;
  for (uint32_t i = 0; i < m->n_edges; i++)
    m->edges[i].dirty = false;
  store_host_clean(m);
}

int store_flush(struct store *st, struct model *m, struct hb_error *err) {
  if (st->readonly)
    return hb_fail(err, EROFS, "%s: model opened read-only", st->path);
  int rc = exec(st, "SAVEPOINT batch;", err);
  if (rc < 0)
    return rc;
  rc = write_services(st, m, err);
  if (rc == 0)
    rc = write_members(st, m, err);
  if (rc == 0)
    rc = write_edges(st, m, err);
  if (rc == 0)
    rc = store_host_write(st, m, err);
  if (rc < 0) {
    exec(st, "ROLLBACK TO batch; RELEASE batch;", NULL);
    st->host_tables = false; /* made in this batch, perhaps: gone with it */
    return rc;
  }
  rc = exec(st, "RELEASE batch;", err);
  if (rc == 0) {
    clear_dirty(m);
    st->flushes++;
  }
  return rc;
}

int store_begin_run(struct store *st, struct hb_error *err) {
  if (st->readonly)
    return hb_fail(err, EROFS, "%s: model opened read-only", st->path);
  int rc = exec(st, "BEGIN IMMEDIATE;", err);
  if (rc == 0)
    st->in_run = true;
  return rc;
}

int store_commit_run(struct store *st, const char *source, uint64_t flows,
                     struct hb_error *err) {
  sqlite3_stmt *q;
  if (sqlite3_prepare_v2(st->db, "INSERT INTO versions(created_ns, source, flows) VALUES(?,?,?)",
                         -1, &q, NULL) != SQLITE_OK)
    return sqlfail(st, err, "cannot record the model version");
  sqlite3_bind_int64(q, 1, (sqlite3_int64)hb_now_ns());
  sqlite3_bind_text(q, 2, source, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64(q, 3, (sqlite3_int64)flows);
  int rc = sqlite3_step(q) == SQLITE_DONE ? 0 : sqlfail(st, err, "cannot record the model version");
  sqlite3_finalize(q);
  if (rc < 0)
    return rc;
  if (st->in_run) {
    rc = exec(st, "COMMIT;", err);
    if (rc == 0)
      st->in_run = false;
  }
  return rc;
}

void store_rollback_run(struct store *st) {
  if (st->in_run)
    exec(st, "ROLLBACK;", NULL);
  st->in_run = false;
  st->host_tables = false;
}
