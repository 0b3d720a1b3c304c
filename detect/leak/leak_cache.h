/* detect/leak/leak_cache.h — compiled pattern databases kept on disk.
 *
 * Compiling the leak patterns costs Hyperscan tens of milliseconds at
 * every start (more with many user patterns); loading a serialized
 * database costs well under one. The cache keeps one file per pattern set,
 * named by a 64-bit key the caller computes from everything the database
 * depends on (Hyperscan's version, the CPU features it was built for, the
 * patterns and their flags).
 *
 * Contract:
 * - leak_cache_load() returns 1 and a database (and each user pattern's
 *   enum leak_user_how) when dir holds a sound file for key; 0 when it does
 *   not — missing, unreadable, cut, from another pattern count, or refused
 *   by Hyperscan (another version or CPU). It never fails otherwise: a bad
 *   file is only a miss.
 * - leak_cache_store() writes the file through a temporary name and a
 *   rename, so a reader never sees half a file; it creates dir (and its
 *   missing parents) and ignores every error (a cache that cannot be written is no cache).
 * - dir NULL or "" turns both off.
 * File: "HBLEAK01", the key (8 bytes), the user count (4), one byte per
 * user pattern (how), the serialized database; little-endian.
 */
#ifndef HABIT_DETECT_LEAK_CACHE_H
#define HABIT_DETECT_LEAK_CACHE_H

#include <stddef.h>
#include <stdint.h>

#include <hs/hs.h>

int leak_cache_load(const char *dir, uint64_t key, size_t n_user, uint8_t *how,
                    hs_database_t **db);
void leak_cache_store(const char *dir, uint64_t key, size_t n_user, const uint8_t *how,
                      const hs_database_t *db);

#endif
