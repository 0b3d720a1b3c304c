/* models/policy_codec.h — the compiled policy: what enforcers decide from.
 *
 * Contract: policy_encode() compiles a model's whitelists — services,
 * edges (client, server, protocol, port: any application), programs (exe,
 * parent, user) and file accesses (exe, path, access) — and the mode in
 * force for each named service, with a default for the others, into one
 * compact, versioned byte string (malloc'd; no statistics, no members, no
 * times). policy_decode() turns such bytes back into a model and modes;
 * it refuses, with the offset and the reason, anything malformed: a wrong
 * magic, a count the bytes cannot hold, a string past its bound or with a
 * NUL, an unknown mode, an index out of range, trailing bytes. On refusal
 * nothing is allocated for the caller. Integers are little-endian. No
 * global state.
 */
#ifndef HABIT_MODELS_POLICY_CODEC_H
#define HABIT_MODELS_POLICY_CODEC_H

#include <stddef.h>
#include <stdint.h>

#include "core/error.h"
#include "models/model.h"
#include "models/store_modes.h"

#define POLICY_MAGIC "HBP1"
#define POLICY_MAX_BYTES (64u << 20)

struct policy {
  uint64_t version;     /* the engine's: a new compile, a new version */
  uint8_t default_mode; /* for a service not in modes */
  struct svc_mode *modes; /* only service and mode are set */
  size_t n_modes;
  struct model m;
};

int policy_encode(const struct model *m, const struct svc_mode *modes, size_t n_modes,
                  uint8_t default_mode, uint64_t version, uint8_t **out, size_t *len,
                  struct hb_error *err);
/* p is initialised here; free it with policy_free() after a success. */
int policy_decode(const uint8_t *buf, size_t len, struct policy *p, struct hb_error *err);
void policy_free(struct policy *p);
/* The mode p gives a service. */
uint8_t policy_mode(const struct policy *p, const char *service);

#endif
