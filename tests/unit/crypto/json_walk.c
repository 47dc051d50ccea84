/* Recursive-descent JSON reader; see json_walk.h. */
#include "json_walk.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct json_parser {
    const char *p;
    const char *start;
    int depth;
};

#define JSON_MAX_DEPTH 64

static void skip_ws(struct json_parser *ps)
{
    while (*ps->p == ' ' || *ps->p == '\t' || *ps->p == '\n' || *ps->p == '\r') {
        ps->p++;
    }
}

static int fail(struct json_parser *ps, const char *what)
{
    fprintf(stderr, "json: %s at offset %ld\n", what, (long)(ps->p - ps->start));
    return -1;
}

static void put_utf8(char **out, unsigned long cp)
{
    char *o = *out;
    if (cp < 0x80) {
        *o++ = (char)cp;
    } else if (cp < 0x800) {
        *o++ = (char)(0xc0 | (cp >> 6));
        *o++ = (char)(0x80 | (cp & 0x3f));
    } else if (cp < 0x10000) {
        *o++ = (char)(0xe0 | (cp >> 12));
        *o++ = (char)(0x80 | ((cp >> 6) & 0x3f));
        *o++ = (char)(0x80 | (cp & 0x3f));
    } else {
        *o++ = (char)(0xf0 | (cp >> 18));
        *o++ = (char)(0x80 | ((cp >> 12) & 0x3f));
        *o++ = (char)(0x80 | ((cp >> 6) & 0x3f));
        *o++ = (char)(0x80 | (cp & 0x3f));
    }
    *out = o;
}

static int hex4(const char *s, unsigned long *v)
{
    *v = 0;
    for (int i = 0; i < 4; i++) {
        char c = s[i];
        int d = c >= '0' && c <= '9'   ? c - '0'
                : c >= 'a' && c <= 'f' ? c - 'a' + 10
                : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                       : -1;
        if (d < 0) {
            return -1;
        }
        *v = *v << 4 | (unsigned long)d;
    }
    return 0;
}

/* Parses a string starting at the opening quote; returns a malloc'd copy. */
static char *parse_string(struct json_parser *ps)
{
    const char *s = ps->p + 1;
    size_t cap = 0;
    while (s[cap] && s[cap] != '"') {
        cap += s[cap] == '\\' && s[cap + 1] ? 2 : 1;
    }
    char *out = malloc(cap + 1);
    char *o = out;
    if (!out) {
        return NULL;
    }
    while (*s != '"') {
        if (*s == '\0' || (unsigned char)*s < 0x20) {
            free(out);
            ps->p = s;
            fail(ps, "unterminated string");
            return NULL;
        }
        if (*s != '\\') {
            *o++ = *s++;
            continue;
        }
        s++;
        unsigned long cp;
        switch (*s) {
        case '"':
        case '\\':
        case '/':
            *o++ = *s;
            break;
        case 'b':
            *o++ = '\b';
            break;
        case 'f':
            *o++ = '\f';
            break;
        case 'n':
            *o++ = '\n';
            break;
        case 'r':
            *o++ = '\r';
            break;
        case 't':
            *o++ = '\t';
            break;
        case 'u':
            if (hex4(s + 1, &cp) != 0) {
                free(out);
                ps->p = s;
                fail(ps, "bad \\u escape");
                return NULL;
            }
            s += 4;
            if (cp >= 0xd800 && cp < 0xdc00 && s[1] == '\\' && s[2] == 'u') {
                unsigned long lo;
                if (hex4(s + 3, &lo) == 0 && lo >= 0xdc00 && lo < 0xe000) {
                    cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
                    s += 6;
                }
            }
            /* \uXXXX is 6 input bytes and at most 4 output bytes (a pair: 12 in, 4 out). */
            put_utf8(&o, cp);
            break;
        default:
            free(out);
            ps->p = s;
            fail(ps, "bad escape");
            return NULL;
        }
        s++;
    }
    *o = '\0';
    ps->p = s + 1;
    return out;
}

static int parse_value(struct json_parser *ps, struct json *node);

static int parse_container(struct json_parser *ps, struct json *node, char close)
{
    struct json **tail = &node->child;
    ps->p++;
    skip_ws(ps);
    if (*ps->p == close) {
        ps->p++;
        return 0;
    }
    for (;;) {
        struct json *item = calloc(1, sizeof(*item));
        if (!item) {
            return fail(ps, "out of memory");
        }
        *tail = item;
        tail = &item->next;
        skip_ws(ps);
        if (close == '}') {
            if (*ps->p != '"') {
                return fail(ps, "expected member name");
            }
            item->key = parse_string(ps);
            if (!item->key) {
                return -1;
            }
            skip_ws(ps);
            if (*ps->p != ':') {
                return fail(ps, "expected ':'");
            }
            ps->p++;
        }
        if (parse_value(ps, item) != 0) {
            return -1;
        }
        skip_ws(ps);
        if (*ps->p == ',') {
            ps->p++;
            continue;
        }
        if (*ps->p == close) {
            ps->p++;
            return 0;
        }
        return fail(ps, "expected ',' or end of container");
    }
}

static int parse_value(struct json_parser *ps, struct json *node)
{
    skip_ws(ps);
    char c = *ps->p;
    if (c == '{' || c == '[') {
        if (++ps->depth > JSON_MAX_DEPTH) {
            return fail(ps, "nested too deeply");
        }
        node->type = c == '{' ? JSON_OBJECT : JSON_ARRAY;
        int err = parse_container(ps, node, c == '{' ? '}' : ']');
        ps->depth--;
        return err;
    }
    if (c == '"') {
        node->type = JSON_STRING;
        node->text = parse_string(ps);
        return node->text ? 0 : -1;
    }
    if (c == '-' || (c >= '0' && c <= '9')) {
        const char *s = ps->p;
        while (*ps->p && strchr("+-0123456789.eE", *ps->p)) {
            ps->p++;
        }
        size_t n = (size_t)(ps->p - s);
        node->type = JSON_NUMBER;
        node->text = malloc(n + 1);
        if (!node->text) {
            return -1;
        }
        memcpy(node->text, s, n);
        node->text[n] = '\0';
        return 0;
    }
    static const struct {
        const char *word;
        enum json_type type;
        bool value;
    } words[] = {
        {"true", JSON_BOOL, true}, {"false", JSON_BOOL, false}, {"null", JSON_NULL, false}};
    for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++) {
        size_t n = strlen(words[i].word);
        if (strncmp(ps->p, words[i].word, n) == 0) {
            node->type = words[i].type;
            node->boolean = words[i].value;
            ps->p += n;
            return 0;
        }
    }
    return fail(ps, "unexpected character");
}

struct json *json_parse(const char *text)
{
    struct json_parser ps = {text, text, 0};
    struct json *root = calloc(1, sizeof(*root));
    if (!root) {
        return NULL;
    }
    if (parse_value(&ps, root) != 0) {
        json_free(root);
        return NULL;
    }
    skip_ws(&ps);
    if (*ps.p != '\0') {
        fail(&ps, "trailing characters");
        json_free(root);
        return NULL;
    }
    return root;
}

struct json *json_load_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        perror(path);
        return NULL;
    }
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *buf = n >= 0 ? malloc((size_t)n + 1) : NULL;
    struct json *root = NULL;
    if (buf && fread(buf, 1, (size_t)n, f) == (size_t)n) {
        buf[n] = '\0';
        root = json_parse(buf);
    }
    free(buf);
    fclose(f);
    return root;
}

void json_free(struct json *node)
{
    while (node) {
        struct json *next = node->next;
        json_free(node->child);
        free(node->key);
        free(node->text);
        free(node);
        node = next;
    }
}

const struct json *json_get(const struct json *obj, const char *key)
{
    if (!obj || obj->type != JSON_OBJECT) {
        return NULL;
    }
    for (const struct json *m = obj->child; m; m = m->next) {
        if (strcmp(m->key, key) == 0) {
            return m;
        }
    }
    return NULL;
}

const char *json_get_str(const struct json *obj, const char *key)
{
    const struct json *m = json_get(obj, key);
    return m && m->type == JSON_STRING ? m->text : NULL;
}

long json_get_long(const struct json *obj, const char *key)
{
    const struct json *m = json_get(obj, key);
    return m && m->type == JSON_NUMBER ? strtol(m->text, NULL, 10) : -1;
}
