/* collect/l7/apps_core.h — registry entries of the first protocols (see
 * L7_APPS in l7.h): X(ID, "name", probe function, weak). */
#ifndef HABIT_COLLECT_L7_APPS_CORE_H
#define HABIT_COLLECT_L7_APPS_CORE_H

#define L7_APPS_CORE(X)                                                       \
  X(HTTP, "http", l7_probe_http, 0)                                           \
  X(TLS, "tls", l7_probe_tls, 0)                                              \
  X(DNS, "dns", l7_probe_dns, 1)                                              \
  X(SSH, "ssh", l7_probe_ssh, 0)

#endif
