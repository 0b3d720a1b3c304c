#include "detect/threat/wrong_port.h"

#include <stddef.h>
#include <string.h>

struct port_apps {
  uint8_t proto;  /* 6 tcp, 17 udp */
  uint16_t port;
  const char *apps; /* ", "-separated */
};

/* IANA's assignments for protocols habit identifies, plus the TLS-wrapped
 * variants (465, 636, 993, 995, 5671, 8883) where TLS is what shows. */
static const struct port_apps table[] = {
    {6, 21, "ftp"},         {6, 22, "ssh"},          {6, 25, "smtp"},
    {6, 53, "dns"},         {17, 53, "dns"},         {17, 67, "dhcp"},
    {17, 68, "dhcp"},       {6, 80, "http, http2, grpc"},
    {6, 110, "pop3"},       {17, 123, "ntp"},        {6, 143, "imap"},
    {6, 389, "ldap"},       {6, 443, "tls"},         {17, 443, "quic"},
    {6, 445, "smb"},        {6, 465, "tls"},         {6, 587, "smtp"},
    {6, 636, "tls"},        {6, 993, "tls"},         {6, 995, "tls"},
    {6, 1883, "mqtt"},      {6, 3306, "mysql"},      {6, 5060, "sip"},
    {17, 5060, "sip"},      {6, 5432, "postgresql"}, {6, 5671, "tls"},
    {6, 5672, "amqp"},      {6, 6379, "redis"},      {6, 8883, "tls"},
    {6, 9042, "cassandra"}, {6, 9092, "kafka"},      {6, 11211, "memcached"},
    {17, 11211, "memcached"}, {6, 27017, "mongodb"},
};

const char *wrong_port_expected(uint8_t proto, uint16_t port) {
  for (size_t i = 0; i < sizeof table / sizeof table[0]; i++)
    if (table[i].proto == proto && table[i].port == port)
      return table[i].apps;
  return NULL;
}

/* Whether app is one of the ", "-separated names in list. */
static bool listed(const char *list, const char *app) {
  size_t n = strlen(app);
  for (const char *p = list; *p;) {
    const char *end = strchr(p, ',');
    size_t len = end ? (size_t)(end - p) : strlen(p);
    if (len == n && memcmp(p, app, n) == 0)
      return true;
    if (!end)
      break;
    p = end + 1;
    while (*p == ' ')
      p++;
  }
  return false;
}

bool wrong_port_check(uint8_t proto, uint16_t port, const char *app) {
  const char *expected = wrong_port_expected(proto, port);
  return expected && app[0] && !listed(expected, app);
}
