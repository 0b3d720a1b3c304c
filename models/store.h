/* models/store.h — a model in a SQLite file.
 *
 * Contract: store_open() opens (or, with STORE_CREATE, creates) a model file
 * and refuses anything that is not one of habit's — another SQLite
 * database, a text file, an empty file, a newer schema — with a message
 * naming the file, before writing a byte. STORE_READONLY opens it so that
 * nothing can change it. store_load() reads the whole model into memory.
 * Writes happen only in store_flush(), one transaction (a SAVEPOINT) per
 * batch of learned events, writing what is dirty; never per event. A run
 * (a replay) may wrap its batches in store_begin_run()/store_commit_run()
 * so that a capture is learned whole or not at all; store_commit_run()
 * also records a new model version. Schema: see store.c.
 */
#ifndef HABIT_MODELS_STORE_H
#define HABIT_MODELS_STORE_H

#include <stdbool.h>
#include <stdint.h>

#include "core/error.h"
#include "models/model.h"

#define STORE_SCHEMA_VERSION 1

enum store_flags { STORE_READONLY = 1, STORE_CREATE = 2 };

struct store {
  void *db; /* sqlite3 */
  char path[256];
  bool readonly;
  bool in_run;
  bool created;     /* this open created the file */
  uint64_t flushes; /* committed batches */
  int64_t data_version;    /* store_modes_changed(): last PRAGMA data_version */
  bool data_version_seen;
  bool host_tables;        /* store_host.c made sure its tables exist */
};

int store_open(struct store *st, const char *path, int flags, struct hb_error *err);
int store_load(struct store *st, struct model *m, struct hb_error *err);
int store_flush(struct store *st, struct model *m, struct hb_error *err);
int store_begin_run(struct store *st, struct hb_error *err);
int store_commit_run(struct store *st, const char *source, uint64_t flows,
                     struct hb_error *err);
void store_rollback_run(struct store *st);
/* Latest version number (0 for a model never learned into). */
int64_t store_version(struct store *st);
void store_close(struct store *st);
/* Close, and remove the file if this open created it: a failed first run
 * leaves nothing behind. */
void store_discard(struct store *st);

#endif
