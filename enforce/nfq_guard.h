/* enforce/nfq_guard.h — first packets of connections, held for a verdict.
 *
 * Contract: nfq_guard_open() binds NFQUEUE queue `num` (libnetfilter_queue,
 * whole packets); nfq_guard_serve() reads what the kernel queued (waiting
 * up to timeout_ms) and gives each packet to decide: NFQ_ACCEPT lets it
 * go on, NFQ_REJECT sends it back through the hook marked NFQ_REJECT_MARK
 * (the rules of enforce/ipt_rules.h answer it with a TCP reset or an ICMP
 * port unreachable: the connection fails at once, nothing reaches the
 * peer); NFQ_DROP drops it (the decider answered it itself). Packets are raw IP (decode with LINK_RAW). No global state.
 */
#ifndef HABIT_ENFORCE_NFQ_GUARD_H
#define HABIT_ENFORCE_NFQ_GUARD_H

#include <stddef.h>
#include <stdint.h>

#include "core/error.h"

#define NFQ_REJECT_MARK 0x48424954u /* "HBIT" */
#define NFQ_OWN_MARK 0x48425253u    /* "HBRS": packets habit sends itself */

enum nfq_choice { NFQ_ACCEPT = 1, NFQ_REJECT = 2, NFQ_DROP = 3 };
typedef enum nfq_choice (*nfq_decide_fn)(void *ctx, const uint8_t *pkt, size_t len);

struct nfq_guard {
  void *h, *qh;             /* struct nfq_handle, struct nfq_q_handle */
  int fd;
  nfq_decide_fn decide;
  void *ctx;
  uint64_t accepted, rejected, dropped, failed_verdicts;
};

int nfq_guard_open(struct nfq_guard *g, uint16_t num, nfq_decide_fn decide, void *ctx,
                   struct hb_error *err);
int nfq_guard_serve(struct nfq_guard *g, int timeout_ms, struct hb_error *err);
void nfq_guard_close(struct nfq_guard *g);

#endif
