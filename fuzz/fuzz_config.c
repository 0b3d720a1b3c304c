/* fuzz/fuzz_config.c — config_parse on arbitrary bytes: it must accept or
 * refuse with a one-line message, never crash, leak or read out of bounds,
 * and leave defaults behind when it refuses. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "config/config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  /* An exact-size copy, not NUL-terminated: ASan sees any read past len. */
  char *text = malloc(size ? size : 1);
  if (!text)
    return 0;
  memcpy(text, data, size);
  struct config cfg;
  struct hb_error err = {0, ""};
  int rc = config_parse("fuzz.yaml", text, size, &cfg, &err);
  if (rc != 0) {
    /* Refused: one line, a code, and nothing left allocated. */
    if (rc != err.code || strchr(err.msg, '\n') || err.msg[0] == '\0' ||
        cfg.services || cfg.internal || cfg.externals)
      abort();
  } else {
    /* Every member has an address or a process key; ports and proto
     * only with an address. */
    for (size_t i = 0; i < cfg.n_services; i++)
      for (size_t j = 0; j < cfg.services[i].n_selectors; j++) {
        const struct cfg_selector *sel = &cfg.services[i].selectors[j];
        bool has_process = sel->cgroup || sel->container || sel->exe;
        if ((sel->n_cidrs == 0 && !has_process) ||
            (sel->n_cidrs == 0 && (sel->n_ports || sel->proto)))
          abort();
      }
  }
  config_free(&cfg);
  free(text);
  return 0;
}
