/*
 * json.c - the strict JSON gate (json.h): a validating scan of the exact bytes given, then
 * cJSON builds the tree of a text the scan has proved unambiguous.
 *
 * Why a scan of our own: cJSON skips a UTF-8 byte order mark, cuts a string at \u0000 (so
 * "payloadType":"a\u0000b" reads as "a"), stops at a raw NUL when given a C string, keeps
 * the first of two equal keys where jq keeps the last, and with a length ignores what
 * follows the value. Any of these lets two readers of one signed document see different
 * things, so each is refused here, with the place.
 *
 * Invariants: the scan touches each byte once (keys are decoded into one arena per object
 * and sorted to find duplicates: O(k log k) per object); nesting is capped at
 * FG_JSON_MAX_DEPTH; numbers follow RFC 8259's grammar and are at most NUMBER_MAX
 * characters (cJSON cannot read longer ones).
 */
#include "json.h"
#include "fairgate.h"
#include "util.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#define NUMBER_MAX 63

/* ---- the scanner ---- */

#define PATH_MAX_CHARS 160

struct scan {
    const unsigned char *text;
    size_t len, pos;
    const char *what;
    struct fg_error *err;
    char path[PATH_MAX_CHARS]; /* where the scan is, "signatures[0].sig"; cut when long */
    size_t path_len;
};

/* Appends to the path (printable ASCII as is, other bytes as '?'), cut at its capacity. */
static void path_push(struct scan *s, const char *part, size_t n)
{
    for (size_t i = 0; i < n && s->path_len + 1 < sizeof s->path; i++) {
        unsigned char c = (unsigned char)part[i];
        s->path[s->path_len++] = c >= 0x20 && c < 0x7f ? (char)c : '?';
    }
    s->path[s->path_len] = '\0';
}

static void path_pop(struct scan *s, size_t len)
{
    s->path_len = len;
    s->path[len] = '\0';
}

static void place_of(const unsigned char *text, size_t offset, unsigned long *line,
                     unsigned long *column)
{
    *line = 1;
    *column = 1;
    for (size_t i = 0; i < offset; i++) {
        if (text[i] == '\n') {
            (*line)++;
            *column = 1;
        } else {
            (*column)++;
        }
    }
}

static enum fg_status refuse(const struct scan *s, enum fg_status code, size_t at, const char *fmt,
                             ...) FG_PRINTF(4, 5);

static enum fg_status refuse(const struct scan *s, enum fg_status code, size_t at, const char *fmt,
                             ...)
{
    char why[400];
    va_list ap;
    va_start(ap, fmt);
    fg_vsnprintf_c(why, sizeof why, fmt, ap);
    va_end(ap);
    unsigned long line, column;
    place_of(s->text, at, &line, &column);
    return fg_error_set(s->err, code, NULL, line, column, "%s is not JSON: %s", s->what, why);
}

/* One object's keys, decoded, to find a key given twice. */
struct key {
    size_t offset, len; /* in the arena */
    size_t at;          /* where the key starts in the text */
    const char *bytes;  /* arena + offset, set once the object is complete */
};

struct keys {
    char *arena;
    size_t arena_len, arena_cap;
    struct key *list;
    size_t n, cap;
};

static bool arena_put(struct keys *k, const void *bytes, size_t n)
{
    if (k == NULL)
        return true;
    if (k->arena == NULL || k->arena_len + n > k->arena_cap) {
        size_t cap = k->arena_cap ? k->arena_cap : 64;
        while (cap < k->arena_len + n)
            cap *= 2;
        char *grown = realloc(k->arena, cap);
        if (grown == NULL)
            return false;
        k->arena = grown;
        k->arena_cap = cap;
    }
    memcpy(k->arena + k->arena_len, bytes, n);
    k->arena_len += n;
    return true;
}

static int key_order(const void *a, const void *b)
{
    const struct key *x = a, *y = b;
    size_t n = x->len < y->len ? x->len : y->len;
    int c = n ? memcmp(x->bytes, y->bytes, n) : 0;
    if (c != 0)
        return c;
    if (x->len != y->len)
        return x->len < y->len ? -1 : 1;
    return x->at < y->at ? -1 : x->at > y->at;
}

static void skip_space(struct scan *s)
{
    while (s->pos < s->len) {
        unsigned char c = s->text[s->pos];
        if (c != ' ' && c != '\t' && c != '\n' && c != '\r')
            break;
        s->pos++;
    }
}

static int hex_value(unsigned char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* The four hex digits after "\u" at s->pos (which points at the 'u'). */
static bool read_hex4(struct scan *s, unsigned *out)
{
    if (s->len - s->pos < 5)
        return false;
    unsigned v = 0;
    for (size_t i = 1; i <= 4; i++) {
        int h = hex_value(s->text[s->pos + i]);
        if (h < 0)
            return false;
        v = v << 4 | (unsigned)h;
    }
    *out = v;
    s->pos += 5;
    return true;
}

static size_t utf8_encode(unsigned cp, unsigned char out[4])
{
    if (cp < 0x80) {
        out[0] = (unsigned char)cp;
        return 1;
    }
    if (cp < 0x800) {
        out[0] = (unsigned char)(0xc0 | cp >> 6);
        out[1] = (unsigned char)(0x80 | (cp & 0x3f));
        return 2;
    }
    if (cp < 0x10000) {
        out[0] = (unsigned char)(0xe0 | cp >> 12);
        out[1] = (unsigned char)(0x80 | ((cp >> 6) & 0x3f));
        out[2] = (unsigned char)(0x80 | (cp & 0x3f));
        return 3;
    }
    out[0] = (unsigned char)(0xf0 | cp >> 18);
    out[1] = (unsigned char)(0x80 | ((cp >> 12) & 0x3f));
    out[2] = (unsigned char)(0x80 | ((cp >> 6) & 0x3f));
    out[3] = (unsigned char)(0x80 | (cp & 0x3f));
    return 4;
}

/* A string at s->pos (a '"'); its decoded bytes go to keys' arena when keys is not NULL.
 * Raw bytes were checked to be UTF-8 before the scan began. */
static enum fg_status scan_string(struct scan *s, struct keys *keys)
{
    size_t start = s->pos++;
    for (;;) {
        if (s->pos >= s->len)
            return refuse(s, FG_ERR_INPUT, start, "a string is not closed");
        unsigned char c = s->text[s->pos];
        if (c == '"') {
            s->pos++;
            return FG_OK;
        }
        if (c < 0x20)
            return refuse(s, FG_ERR_INPUT, s->pos, "a raw control character (0x%02x) in a string",
                          c);
        if (c != '\\') {
            if (!arena_put(keys, &c, 1))
                return refuse(s, FG_ERR_NOMEM, s->pos, "out of memory");
            s->pos++;
            continue;
        }
        size_t escape = s->pos++;
        if (s->pos >= s->len)
            return refuse(s, FG_ERR_INPUT, escape, "a string is not closed");
        unsigned char e = s->text[s->pos];
        static const char simple[] = "\"\\/bfnrt", meaning[] = "\"\\/\b\f\n\r\t";
        const char *which = e != '\0' ? strchr(simple, e) : NULL;
        unsigned char bytes[4];
        size_t n = 1;
        if (which != NULL) {
            bytes[0] = (unsigned char)meaning[which - simple];
            s->pos++;
        } else if (e == 'u') {
            unsigned cp = 0, low = 0;
            if (!read_hex4(s, &cp))
                return refuse(s, FG_ERR_INPUT, escape, "\\u is not followed by four hex digits");
            if (cp == 0)
                return refuse(s, FG_ERR_INPUT, escape,
                              "the escape \\u0000 (a NUL character) in a string");
            if (cp >= 0xdc00 && cp <= 0xdfff)
                return refuse(s, FG_ERR_INPUT, escape, "a lone low surrogate \\u%04X", cp);
            if (cp >= 0xd800 && cp <= 0xdbff) {
                if (s->len - s->pos < 2 || s->text[s->pos] != '\\' || s->text[s->pos + 1] != 'u' ||
                    (s->pos++, !read_hex4(s, &low)) || low < 0xdc00 || low > 0xdfff)
                    return refuse(s, FG_ERR_INPUT, escape, "a lone high surrogate \\u%04X", cp);
                cp = 0x10000 + ((cp - 0xd800) << 10) + (low - 0xdc00);
            }
            n = utf8_encode(cp, bytes);
        } else {
            return refuse(s, FG_ERR_INPUT, escape, "an unknown escape '\\%c' in a string",
                          e >= 0x20 && e < 0x7f ? e : '?');
        }
        if (!arena_put(keys, bytes, n))
            return refuse(s, FG_ERR_NOMEM, s->pos, "out of memory");
    }
}

static bool is_digit(const struct scan *s)
{
    return s->pos < s->len && s->text[s->pos] >= '0' && s->text[s->pos] <= '9';
}

/* RFC 8259: -? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)? */
static enum fg_status scan_number(struct scan *s)
{
    size_t start = s->pos;
    if (s->text[s->pos] == '-')
        s->pos++;
    if (!is_digit(s))
        return refuse(s, FG_ERR_INPUT, start, "a malformed number");
    if (s->text[s->pos++] != '0')
        while (is_digit(s))
            s->pos++;
    if (s->pos < s->len && s->text[s->pos] == '.') {
        s->pos++;
        if (!is_digit(s))
            return refuse(s, FG_ERR_INPUT, start, "a malformed number");
        while (is_digit(s))
            s->pos++;
    }
    if (s->pos < s->len && (s->text[s->pos] == 'e' || s->text[s->pos] == 'E')) {
        s->pos++;
        if (s->pos < s->len && (s->text[s->pos] == '+' || s->text[s->pos] == '-'))
            s->pos++;
        if (!is_digit(s))
            return refuse(s, FG_ERR_INPUT, start, "a malformed number");
        while (is_digit(s))
            s->pos++;
    }
    if (s->pos - start > NUMBER_MAX)
        return refuse(s, FG_ERR_INPUT, start, "a number longer than %d characters", NUMBER_MAX);
    return FG_OK;
}

static enum fg_status scan_value(struct scan *s, unsigned depth);

/* Sorts the object's keys and refuses the second of two equal ones. */
static enum fg_status check_keys(struct scan *s, struct keys *k)
{
    for (size_t i = 0; i < k->n; i++)
        k->list[i].bytes = k->arena + k->list[i].offset;
    if (k->n > 1)
        qsort(k->list, k->n, sizeof *k->list, key_order);
    for (size_t i = 1; i < k->n; i++) {
        const struct key *a = &k->list[i - 1], *b = &k->list[i];
        if (a->len != b->len || (a->len != 0 && memcmp(a->bytes, b->bytes, a->len) != 0))
            continue;
        unsigned long line, column, first_line, first_column;
        place_of(s->text, a->at, &first_line, &first_column);
        place_of(s->text, b->at, &line, &column);
        size_t mark = s->path_len;
        path_push(s, a->bytes, a->len);
        char key[PATH_MAX_CHARS];
        snprintf(key, sizeof key, "%s", s->path + mark);
        path_pop(s, mark);
        return fg_error_set(s->err, FG_ERR_INPUT, NULL, line, column,
                            "%s is ambiguous: '%s' is given twice%s%s (first at %lu:%lu)", s->what,
                            key, s->path_len ? " in " : "", s->path, first_line, first_column);
    }
    return FG_OK;
}

static enum fg_status scan_object(struct scan *s, unsigned depth)
{
    struct keys k = {0};
    enum fg_status st = FG_OK;
    s->pos++; /* '{' */
    skip_space(s);
    if (s->pos < s->len && s->text[s->pos] == '}') {
        s->pos++;
        return FG_OK;
    }
    for (;;) {
        skip_space(s);
        if (s->pos >= s->len || s->text[s->pos] != '"') {
            st = refuse(s, FG_ERR_INPUT, s->pos, "expected a key (a string)");
            break;
        }
        if (k.n == k.cap) {
            size_t cap = k.cap ? k.cap * 2 : 8;
            struct key *grown = realloc(k.list, cap * sizeof *grown);
            if (grown == NULL) {
                st = refuse(s, FG_ERR_NOMEM, s->pos, "out of memory");
                break;
            }
            k.list = grown;
            k.cap = cap;
        }
        struct key *key = &k.list[k.n++];
        key->at = s->pos;
        key->offset = k.arena_len;
        /* the arena exists even when every key is empty: arena + offset is never NULL + 0 */
        if (!arena_put(&k, "", 0)) {
            st = refuse(s, FG_ERR_NOMEM, s->pos, "out of memory");
            break;
        }
        if ((st = scan_string(s, &k)) != FG_OK)
            break;
        key->len = k.arena_len - key->offset;
        skip_space(s);
        if (s->pos >= s->len || s->text[s->pos] != ':') {
            st = refuse(s, FG_ERR_INPUT, s->pos, "expected ':' after a key");
            break;
        }
        s->pos++;
        size_t mark = s->path_len;
        if (mark > 0)
            path_push(s, ".", 1);
        path_push(s, k.arena + key->offset, key->len);
        st = scan_value(s, depth + 1);
        if (st != FG_OK)
            break; /* the path stays: it names where the error is */
        path_pop(s, mark);
        skip_space(s);
        if (s->pos < s->len && s->text[s->pos] == ',') {
            s->pos++;
            continue;
        }
        if (s->pos < s->len && s->text[s->pos] == '}') {
            s->pos++;
            st = check_keys(s, &k);
            break;
        }
        st = refuse(s, FG_ERR_INPUT, s->pos, "expected ',' or '}' in an object");
        break;
    }
    free(k.arena);
    free(k.list);
    return st;
}

static enum fg_status scan_array(struct scan *s, unsigned depth)
{
    s->pos++; /* '[' */
    skip_space(s);
    if (s->pos < s->len && s->text[s->pos] == ']') {
        s->pos++;
        return FG_OK;
    }
    for (size_t index = 0;; index++) {
        size_t mark = s->path_len;
        char part[32];
        int n = snprintf(part, sizeof part, "[%zu]", index);
        path_push(s, part, n > 0 ? (size_t)n : 0);
        enum fg_status st = scan_value(s, depth + 1);
        if (st != FG_OK)
            return st;
        path_pop(s, mark);
        skip_space(s);
        if (s->pos < s->len && s->text[s->pos] == ',') {
            s->pos++;
            continue;
        }
        if (s->pos < s->len && s->text[s->pos] == ']') {
            s->pos++;
            return FG_OK;
        }
        return refuse(s, FG_ERR_INPUT, s->pos, "expected ',' or ']' in an array");
    }
}

static enum fg_status scan_value(struct scan *s, unsigned depth)
{
    skip_space(s);
    if (s->pos >= s->len)
        return refuse(s, FG_ERR_INPUT, s->pos, "a value is missing at the end");
    unsigned char c = s->text[s->pos];
    if ((c == '{' || c == '[') && depth >= FG_JSON_MAX_DEPTH)
        return refuse(s, FG_ERR_LIMIT, s->pos, "nested deeper than %d", FG_JSON_MAX_DEPTH);
    if (c == '{')
        return scan_object(s, depth);
    if (c == '[')
        return scan_array(s, depth);
    if (c == '"')
        return scan_string(s, NULL);
    if (c == '-' || (c >= '0' && c <= '9'))
        return scan_number(s);
    static const char *const literals[] = {"true", "false", "null"};
    for (size_t i = 0; i < 3; i++) {
        size_t n = strlen(literals[i]);
        if (s->len - s->pos >= n && memcmp(s->text + s->pos, literals[i], n) == 0) {
            s->pos += n;
            return FG_OK;
        }
    }
    if (c >= 0x20 && c < 0x7f)
        return refuse(s, FG_ERR_INPUT, s->pos, "unexpected character '%c'", c);
    return refuse(s, FG_ERR_INPUT, s->pos, "unexpected byte 0x%02x", c);
}

/* ---- the gate ---- */

enum fg_status fg_json_parse_strict(const char *text, size_t len, const char *what,
                                    struct cJSON **root, struct fg_error *err)
{
    *root = NULL;
    struct scan s = {(const unsigned char *)text, len, 0, what ? what : "the JSON", err, "", 0};
    if (text == NULL)
        return fg_error_set(err, FG_ERR_USAGE, NULL, 0, 0, "no JSON text given");
    if (len >= 3 && memcmp(text, "\xef\xbb\xbf", 3) == 0)
        return refuse(&s, FG_ERR_INPUT, 0, "it starts with a UTF-8 byte order mark");
    const char *nul = memchr(text, '\0', len);
    if (nul != NULL)
        return refuse(&s, FG_ERR_INPUT, (size_t)(nul - text), "a NUL byte");
    size_t valid = fg_utf8_valid_prefix(text, len);
    if (valid != len)
        return refuse(&s, FG_ERR_INPUT, valid, "invalid UTF-8 (byte 0x%02x)",
                      (unsigned char)text[valid]);
    skip_space(&s);
    if (s.pos == len)
        return refuse(&s, FG_ERR_INPUT, 0, "the text is empty");
    enum fg_status st = scan_value(&s, 0);
    if (st != FG_OK)
        return st;
    skip_space(&s);
    if (s.pos != len)
        return refuse(&s, FG_ERR_INPUT, s.pos, "%zu byte%s after the JSON value", len - s.pos,
                      len - s.pos == 1 ? "" : "s");
    const char *end = NULL;
    cJSON *tree = cJSON_ParseWithLengthOpts(text, len, &end, 0);
    if (tree == NULL) /* the scan accepted it: only memory can be short */
        return fg_error_set(err, FG_ERR_NOMEM, NULL, 0, 0, "out of memory parsing %s", s.what);
    *root = tree;
    return FG_OK;
}

/* ---- equality ---- */

bool fg_json_equal(const cJSON *a, const cJSON *b)
{
    if (a == NULL || b == NULL)
        return a == b;
    if ((a->type & 0xff) != (b->type & 0xff))
        return false;
    if (cJSON_IsNumber(a))
        return a->valuedouble == b->valuedouble; /* exact: cJSON_Compare allows an ulp or two */
    if (cJSON_IsString(a))
        return a->valuestring != NULL && b->valuestring != NULL &&
               strcmp(a->valuestring, b->valuestring) == 0;
    if (cJSON_IsArray(a)) {
        const cJSON *x = a->child, *y = b->child;
        for (; x != NULL && y != NULL; x = x->next, y = y->next)
            if (!fg_json_equal(x, y))
                return false;
        return x == NULL && y == NULL;
    }
    if (cJSON_IsObject(a)) {
        /* no key is given twice (the strict gate), so same count + each key of a in b */
        if (cJSON_GetArraySize(a) != cJSON_GetArraySize(b))
            return false;
        for (const cJSON *x = a->child; x != NULL; x = x->next)
            if (x->string == NULL ||
                !fg_json_equal(x, cJSON_GetObjectItemCaseSensitive(b, x->string)))
                return false;
        return true;
    }
    return true; /* true, false, null: the type says it all */
}
