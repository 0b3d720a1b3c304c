/* core/curve.h — CURVE keys for the bus between hosts (ZeroMQ CurveZMQ).
 *
 * Contract: keys are Z85 text, 40 characters (32 bytes). A key file holds
 * one key on its first line (a secret key file: mode 0600, written by
 * curve_keygen()); a list of allowed clients holds one public key a line,
 * '#' comments and blank lines skipped. Every reader checks the length and
 * the alphabet and names the file and line of a bad key.
 * curve_apply() sets a socket's options before it binds or connects: a
 * server gets its secret key and the ZAP domain "habit" (so that
 * core/zap.h decides who may connect); a client gets its key pair and the
 * server's public key.
 */
#ifndef HABIT_CORE_CURVE_H
#define HABIT_CORE_CURVE_H

#include <stdbool.h>
#include <stddef.h>

#include "core/error.h"

#define CURVE_KEY_LEN 40
#define CURVE_DOMAIN "habit"

struct bus_curve {
  bool server;
  char public_key[CURVE_KEY_LEN + 1];
  char secret_key[CURVE_KEY_LEN + 1];
  char server_key[CURVE_KEY_LEN + 1]; /* client only: the server's public key */
};

/* Write NAME.key (secret, 0600) and NAME.pub (public); refuses to
 * overwrite either. */
int curve_keygen(const char *name, struct hb_error *err);
/* Read the first key of a file into out (CURVE_KEY_LEN + 1 bytes). */
int curve_read_key(const char *path, char *out, struct hb_error *err);
/* Derive the public key of a secret one. */
int curve_public_of(const char *secret, char *public_out, struct hb_error *err);
/* Read a list of public keys: *keys is malloc'd, n keys of
 * CURVE_KEY_LEN + 1 bytes each. */
int curve_read_list(const char *path, char (**keys)[CURVE_KEY_LEN + 1], size_t *n,
                    struct hb_error *err);
/* Set CURVE options on a ZeroMQ socket (before bind/connect). */
int curve_apply(void *sock, const struct bus_curve *c, struct hb_error *err);

#endif
