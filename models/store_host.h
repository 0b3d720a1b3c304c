/* models/store_host.h — the process, file and syscall whitelists in the model file.
 *
 * Contract (for store.c): store_host_schema() creates the three tables when
 * they are missing (a model made before them gains them on its first
 * writable open; a read-only open of such a model loads none);
 * store_host_load() reads them into a model whose services are loaded;
 * store_host_write() writes the dirty entries inside the caller's
 * transaction and store_host_clean() marks them written.
 *
 *   processes(service, exe, parent_exe, uid, count, first_ns, last_ns)
 *   files(service, exe, path, access, count, first_ns, last_ns)
 *   syscalls(service, name, count, first_ns, last_ns)
 */
#ifndef HABIT_MODELS_STORE_HOST_H
#define HABIT_MODELS_STORE_HOST_H

#include "core/error.h"
#include "models/model.h"
#include "models/store.h"

int store_host_schema(struct store *st, struct hb_error *err);
int store_host_load(struct store *st, struct model *m, struct hb_error *err);
int store_host_write(struct store *st, struct model *m, struct hb_error *err);
void store_host_clean(struct model *m);

#endif
