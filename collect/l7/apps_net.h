/* collect/l7/apps_net.h — registry entries of web, mail, file and network
 * services (see L7_APPS in l7.h): X(ID, "name", probe function, weak).
 * http2 and grpc are one examination (http2.c): the first header block
 * decides which of the two claims. NTP and DHCP are weak: a 48-byte NTP
 * header is easy to resemble, and both are asked after every strong probe
 * like DNS. */
#ifndef HABIT_COLLECT_L7_APPS_NET_H
#define HABIT_COLLECT_L7_APPS_NET_H

#define L7_APPS_NET(X)                                                        \
  X(HTTP2, "http2", l7_probe_http2, 0)                                        \
  X(GRPC, "grpc", l7_probe_grpc, 0)                                           \
  X(QUIC, "quic", l7_probe_quic, 0)                                           \
  X(SMTP, "smtp", l7_probe_smtp, 0)                                           \
  X(IMAP, "imap", l7_probe_imap, 0)                                           \
  X(POP3, "pop3", l7_probe_pop3, 0)                                           \
  X(FTP, "ftp", l7_probe_ftp, 0)                                              \
  X(LDAP, "ldap", l7_probe_ldap, 0)                                           \
  X(SMB, "smb", l7_probe_smb, 0)                                              \
  X(SIP, "sip", l7_probe_sip, 0)                                              \
  X(NTP, "ntp", l7_probe_ntp, 1)                                              \
  X(DHCP, "dhcp", l7_probe_dhcp, 1)

#endif
