#ifndef LF_TEST_JSON_WALK_H
#define LF_TEST_JSON_WALK_H

/*
 * A tiny JSON reader for the test vector files (host test code only): parses
 * a whole document into a tree of nodes. Enough of RFC 8259 for Wycheproof:
 * objects, arrays, strings with escapes (\uXXXX to UTF-8), numbers kept as
 * text, true/false/null. No third-party JSON library is available here.
 */

#include <stdbool.h>
#include <stddef.h>

enum json_type { JSON_NULL, JSON_BOOL, JSON_NUMBER, JSON_STRING, JSON_ARRAY, JSON_OBJECT };

struct json {
    enum json_type type;
    char *key;          /* member name inside an object, else NULL */
    char *text;         /* string value (unescaped) or number as written */
    bool boolean;       /* JSON_BOOL */
    struct json *child; /* first element or member (arrays, objects) */
    struct json *next;  /* next sibling */
};

/* Parse text (NUL-terminated); NULL on a syntax error (reported on stderr). */
struct json *json_parse(const char *text);
/* Read and parse a whole file; NULL if unreadable or malformed. */
struct json *json_load_file(const char *path);
void json_free(struct json *node);

/* Member of an object by name, or NULL. */
const struct json *json_get(const struct json *obj, const char *key);
/* String member by name, or NULL if absent or not a string. */
const char *json_get_str(const struct json *obj, const char *key);
/* Integer member by name, or -1 if absent or not a number. */
long json_get_long(const struct json *obj, const char *key);

#endif
