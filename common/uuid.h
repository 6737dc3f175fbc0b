/* uuid.h - random (version 4) UUIDs for cases, revisions and devices */
#ifndef DT_UUID_H
#define DT_UUID_H

#define UUID_LEN 36 /* characters, without the NUL */

/* Writes a new random UUID ("8-4-4-4-12" lowercase hex) into out, which
 * holds at least UUID_LEN + 1 bytes. Uses libsodium's random source. */
void uuid_new(char *out);

/* 1 when s is a UUID in that form (any version), 0 otherwise. */
int uuid_valid(const char *s);

#endif
