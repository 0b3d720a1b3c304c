/* fuzz/fuzz_proc_conn.c — the process connector's datagram parser on
 * arbitrary bytes. Accepted or refused, it never reads past the input; a
 * refusal comes with a reason; records are never more than the messages
 * the bytes could hold (each takes at least 52 bytes). */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "collect/proc_conn.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  uint8_t *buf = malloc(size ? size : 1); /* exact size: ASan sees overreads */
  if (!buf)
    return 0;
  memcpy(buf, data, size);
  static struct proc_batch b;
  struct hb_error err = {0, ""};
  int rc = proc_conn_parse(buf, size, &b, &err);
  if (rc != 0 && err.msg[0] == '\0')
    abort();
  if (b.n > PROC_BATCH_MAX || b.n > size / 52)
    abort();
  for (size_t i = 0; i < b.n; i++)
    if (b.recs[i].type < PROC_REC_ACK || b.recs[i].type > PROC_REC_OTHER)
      abort();
  static struct proc_seq seq;
  for (size_t i = 0; i < b.n; i++)
    (void)proc_seq_note(&seq, b.recs[i].cpu, b.recs[i].seq);
  free(buf);
  return 0;
}
