/* enforce/ipt_rules.h — the iptables rules habit enforce net installs.
 *
 * Contract: ipt_rules_install() creates chain HABIT-Q<num> in the filter
 * table — first a pass for packets habit sends itself (mark NFQ_OWN_MARK:
 * resets and probes), then the answers to packets the guard rejected (mark
 * NFQ_REJECT_MARK: TCP reset, else ICMP port unreachable), then new
 * connections (conntrack NEW) to queue <num>, with --queue-bypass when
 * asked (no listener: packets pass) — and jumps to it from INPUT (to each
 * CIDR), OUTPUT (from each) and FORWARD (both ways), so only the selected
 * services' traffic is ever queued; established connections never are,
 * but for the ones ipt_rules_flow() names.
 * ipt_rules_remove() deletes exactly what was installed, and is safe to
 * call twice or after a failed install. ipt_rules_flow() adds the rules
 * that queue one connection's every packet (a reset ordered by the
 * engine: enforce/flow_reset.h). One set of rules is one family: IPv4
 * (iptables) or, with v6, IPv6 (ip6tables: the same rules, REJECT with
 * tcp-reset or icmp6-port-unreachable). The binary is run, never a shell.
 */
#ifndef HABIT_ENFORCE_IPT_RULES_H
#define HABIT_ENFORCE_IPT_RULES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/error.h"

#define IPT_MAX_CIDRS 64

struct ipt_rules {
  uint16_t queue;
  bool bypass;
  bool v6;            /* ip6tables, IPv6 CIDRs */
  char chain[32];
  char cidrs[IPT_MAX_CIDRS][48];
  size_t n_cidrs;
  size_t jumps;       /* jump rules installed (for removal) */
  bool chain_made;
};

int ipt_rules_install(struct ipt_rules *r, struct hb_error *err);
void ipt_rules_remove(struct ipt_rules *r);
/* Queue every packet from src:sport to dst:dport (TCP, IPv4 addresses as
 * text), established or not: a rule second in the chain (add), or its
 * removal (!add). 0, or -EIO when iptables refuses. ipt_rules_remove()
 * takes such rules away with the chain. */
int ipt_rules_flow(const struct ipt_rules *r, bool add, const char *src, uint16_t sport,
                   const char *dst, uint16_t dport);

#endif
