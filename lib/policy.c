/*
 * policy.c - the policy module: reads a YAML policy (DESIGN.md section 4) into a validated,
 * self-contained struct fg_policy.
 *
 * Two passes.
 *  1. libyaml's event parser builds a small tree of nodes (scalars, lists, mappings), each
 *     with its 1-based place in the file. This pass refuses what the language never needs:
 *     anchors and aliases (no billion laughs), tags, a second document, nesting deeper than
 *     FG_MAX_POLICY_DEPTH, more than MAX_NODES nodes, non-scalar and duplicate mapping keys,
 *     NUL characters inside strings.
 *  2. The tree is validated key by key (unknown keys, types, ranges, cross references) and
 *     copied into the struct.
 *
 * Invariants:
 *  - A policy that loads is complete: every gate spec carries its own reference (explicit
 *    values deep-copied), min_group_size, on_small_group and enforce, defaults applied.
 *  - Numbers come only from plain (unquoted) scalars that parse fully; a quoted "0.8" where a
 *    number is expected is a type error, so a typo can never silently weaken a gate.
 *  - Every error names the offending key (unknown key) or value (bad value), or the mapping
 *    that lacks a required key, as file:line:column; names get a did-you-mean hint.
 *  - On failure *out is NULL and nothing stays allocated; the node tree never outlives a call.
 */
#define _POSIX_C_SOURCE 200809L

#include "policy.h"
#include "fairgate.h"
#include "inequality.h"
#include "metric.h"
#include "util.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <yaml.h>

/* A policy has a few hundred nodes; this caps the tree of a hostile 1 MiB file. */
#define MAX_NODES   65536
#define MAX_GATE_ID 64

/* ---- names ---- */

static const char *const disparity_text[] = {[FG_DISPARITY_NONE] = "none",
                                             [FG_DISPARITY_RATIO] = "ratio",
                                             [FG_DISPARITY_DIFFERENCE] = "difference",
                                             [FG_DISPARITY_SIGNED_DIFFERENCE] = "signed_difference",
                                             [FG_DISPARITY_VALUE] = "value"};
static const char *const reference_text[] = {[FG_REFERENCE_HIGHEST] = "highest",
                                             [FG_REFERENCE_LARGEST] = "largest",
                                             [FG_REFERENCE_EXPLICIT] = "explicit",
                                             [FG_REFERENCE_BETWEEN_GROUPS] = "between_groups",
                                             [FG_REFERENCE_REST] = "rest"};
static const char *const small_group_text[] = {
    [FG_SMALL_GROUP_FAIL] = "fail", [FG_SMALL_GROUP_WARN] = "warn", [FG_SMALL_GROUP_SKIP] = "skip"};
static const char *const evidence_text[] = {[FG_EVIDENCE_POINT] = "point",
                                            [FG_EVIDENCE_SIGNIFICANT] = "significant",
                                            [FG_EVIDENCE_CONFIDENT] = "confident"};
static const char *const correction_text[] = {
    [FG_CORRECTION_HOLM] = "holm", [FG_CORRECTION_BH] = "bh", [FG_CORRECTION_NONE] = "none"};
static const char *const enforce_text[] = {
    [FG_ENFORCE_BLOCK] = "block", [FG_ENFORCE_WARN] = "warn"};

#define N_OF(array) (sizeof(array) / sizeof((array)[0]))

/* Returns from the calling function when a step fails. */
#define TRY(step)                                                                                  \
    do {                                                                                           \
        enum fg_status try_status_ = (step);                                                       \
        if (try_status_ != FG_OK)                                                                  \
            return try_status_;                                                                    \
    } while (0)

static const char *name_in(const char *const *names, size_t n, unsigned index)
{
    return index < n && names[index] != NULL ? names[index] : "unknown";
}

const char *fg_disparity_name(enum fg_disparity disparity)
{
    return name_in(disparity_text, N_OF(disparity_text), (unsigned)disparity);
}

const char *fg_reference_kind_name(enum fg_reference_kind kind)
{
    return name_in(reference_text, N_OF(reference_text), (unsigned)kind);
}

const char *fg_small_group_name(enum fg_small_group mode)
{
    return name_in(small_group_text, N_OF(small_group_text), (unsigned)mode);
}

const char *fg_evidence_name(enum fg_evidence evidence)
{
    return name_in(evidence_text, N_OF(evidence_text), (unsigned)evidence);
}

const char *fg_correction_name(enum fg_correction correction)
{
    return name_in(correction_text, N_OF(correction_text), (unsigned)correction);
}

const char *fg_enforce_name(enum fg_enforce enforce)
{
    return name_in(enforce_text, N_OF(enforce_text), (unsigned)enforce);
}

/* ---- attribute sets ---- */

size_t fg_policy_attrset_count(const struct fg_policy *policy)
{
    return policy->data.n_protected + policy->data.n_intersections;
}

void fg_policy_attrset(const struct fg_policy *policy, size_t index, struct fg_attrset *out)
{
    memset(out, 0, sizeof *out);
    if (index < policy->data.n_protected) {
        out->n = 1;
        out->attrs[0] = index;
        return;
    }
    index -= policy->data.n_protected;
    if (index >= policy->data.n_intersections)
        return; /* out of range: an empty set */
    out->n = policy->data.intersection_sizes[index];
    memcpy(out->attrs, policy->data.intersections[index], out->n * sizeof out->attrs[0]);
}

/* ---- freeing ---- */

static void reference_free(struct fg_reference *reference, size_t n_values)
{
    if (reference->values != NULL) {
        for (size_t i = 0; i < n_values; i++)
            free(reference->values[i]);
        free(reference->values);
    }
    reference->values = NULL;
}

static void model_free(struct fg_model_spec *model)
{
    free(model->prediction);
    free(model->score);
    model->prediction = NULL;
    model->score = NULL;
}

void fg_policy_free(struct fg_policy *policy)
{
    if (policy == NULL)
        return;
    size_t n_protected = policy->data.n_protected;
    free(policy->path);
    free(policy->name);
    free(policy->data.id);
    free(policy->data.label);
    free(policy->data.positive_label);
    for (size_t i = 0; i < n_protected; i++)
        free(policy->data.protected[i]);
    free(policy->data.protected);
    free(policy->data.intersections);
    free(policy->data.intersection_sizes);
    model_free(&policy->data.candidate);
    model_free(&policy->data.incumbent);
    free(policy->data.favorable_prediction);
    reference_free(&policy->defaults.reference, n_protected);
    for (size_t i = 0; i < policy->n_gates; i++) {
        free(policy->gates[i].id);
        free(policy->gates[i].description);
        reference_free(&policy->gates[i].reference, n_protected);
    }
    free(policy->gates);
    for (size_t i = 0; i < policy->overrides.n_approvers; i++) {
        free(policy->overrides.approvers[i].name);
        free(policy->overrides.approvers[i].role);
        free(policy->overrides.approvers[i].public_key);
    }
    free(policy->overrides.approvers);
    for (size_t i = 0; i < policy->overrides.n_not_overridable; i++)
        free(policy->overrides.not_overridable[i]);
    free(policy->overrides.not_overridable);
    free(policy);
}

/* ---- the node tree ---- */

enum node_kind { NODE_SCALAR, NODE_LIST, NODE_MAP };

struct node {
    enum node_kind kind;
    struct fg_mark mark; /* 1-based start */
    char *text;          /* scalar: the value, NUL-terminated (never holds a NUL) */
    size_t len;
    bool plain;          /* scalar: written without quotes or block indicators */
    struct node **items; /* list: elements; mapping: key, value, key, value, ... */
    size_t n, cap;
};

static void node_free(struct node *node)
{
    if (node == NULL)
        return;
    for (size_t i = 0; i < node->n; i++)
        node_free(node->items[i]);
    free(node->items);
    free(node->text);
    free(node);
}

static size_t map_size(const struct node *map)
{
    return map->n / 2;
}

static const struct node *map_key(const struct node *map, size_t i)
{
    return map->items[2 * i];
}

static const struct node *map_value(const struct node *map, size_t i)
{
    return map->items[2 * i + 1];
}

static bool text_is(const struct node *scalar, const char *word)
{
    return scalar->kind == NODE_SCALAR && strcmp(scalar->text, word) == 0;
}

/* The key node named key in map, or NULL. */
static const struct node *lookup_key(const struct node *map, const char *key)
{
    for (size_t i = 0; i < map_size(map); i++)
        if (text_is(map_key(map, i), key))
            return map_key(map, i);
    return NULL;
}

static const struct node *lookup(const struct node *map, const char *key)
{
    for (size_t i = 0; i < map_size(map); i++)
        if (text_is(map_key(map, i), key))
            return map_value(map, i);
    return NULL;
}

/* YAML's plain spellings of "nothing". */
static bool is_null(const struct node *node)
{
    return node->kind == NODE_SCALAR && node->plain &&
           (node->len == 0 || strcmp(node->text, "~") == 0 || strcmp(node->text, "null") == 0 ||
            strcmp(node->text, "Null") == 0 || strcmp(node->text, "NULL") == 0);
}

static const char *kind_name(const struct node *node)
{
    if (node->kind == NODE_MAP)
        return "a mapping";
    if (node->kind == NODE_LIST)
        return "a list";
    return is_null(node) ? "an empty value" : "a scalar";
}

/* ---- errors ---- */

struct ctx {
    const char *file;
    struct fg_error *err;
    bool lint; /* fg_policy_lint: reads approvers' key files for a hint and to check pins */
};

/* User text shown in a message: at most 60 bytes, control characters as '?'. */
struct shown {
    char s[80];
};

static struct shown show(const char *text)
{
    struct shown out;
    size_t len = strlen(text), i = 0;
    for (; i < len && i < 60; i++) {
        unsigned char ch = (unsigned char)text[i];
        out.s[i] = ch < 0x20 || ch == 0x7f ? '?' : (char)ch;
    }
    if (i < len) {
        /* Do not cut a UTF-8 sequence in half: back up to its lead byte. */
        while (i > 0 && ((unsigned char)text[i] & 0xc0) == 0x80)
            i--;
        memcpy(out.s + i, "...", 3);
        i += 3;
    }
    out.s[i] = '\0';
    return out;
}

FG_PRINTF(5, 0)
static enum fg_status vfail(const struct ctx *c, enum fg_status code, unsigned long line,
                            unsigned long column, const char *fmt, va_list ap)
{
    char message[sizeof c->err->message];
    fg_vsnprintf_c(message, sizeof message, fmt, ap);
    for (char *ch = message; *ch != '\0'; ch++) /* one line, whatever the policy holds */
        if ((unsigned char)*ch < 0x20 || *ch == 0x7f)
            *ch = '?';
    return fg_error_set(c->err, code, c->file, line, column, "%s", message);
}

FG_PRINTF(4, 5)
static enum fg_status fail_mark(const struct ctx *c, enum fg_status code, const yaml_mark_t *mark,
                                const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    enum fg_status st =
        vfail(c, code, (unsigned long)mark->line + 1, (unsigned long)mark->column + 1, fmt, ap);
    va_end(ap);
    return st;
}

/* An FG_ERR_POLICY error at node. */
FG_PRINTF(3, 4)
static enum fg_status fail(const struct ctx *c, const struct node *at, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    enum fg_status st = vfail(c, FG_ERR_POLICY, at->mark.line, at->mark.column, fmt, ap);
    va_end(ap);
    return st;
}

FG_PRINTF(3, 4)
static enum fg_status fail_limit(const struct ctx *c, const struct node *at, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    enum fg_status st = vfail(c, FG_ERR_LIMIT, at->mark.line, at->mark.column, fmt, ap);
    va_end(ap);
    return st;
}

static enum fg_status nomem(const struct ctx *c)
{
    return fg_error_set(c->err, FG_ERR_NOMEM, c->file, 0, 0, "out of memory");
}

/* " (did you mean 'x'?)" or " (expected one of: a, b, c)" or "" into buf. */
static void hint(char *buf, size_t size, const char *word, const char *const *names, size_t n,
                 bool list_when_no_match)
{
    buf[0] = '\0';
    const char *close = fg_did_you_mean(word, names, n);
    if (close != NULL) {
        snprintf(buf, size, " (did you mean '%s'?)", close);
        return;
    }
    if (!list_when_no_match || n == 0)
        return;
    size_t used = (size_t)snprintf(buf, size, " (expected one of: ");
    for (size_t i = 0; i < n && used < size; i++)
        used += (size_t)snprintf(buf + used, size - used, "%s%s", i ? ", " : "", names[i]);
    if (used < size)
        snprintf(buf + used, size - used, ")");
}

/* ---- pass 1: YAML events to a tree ---- */

struct builder {
    const struct ctx *c;
    struct node *stack[FG_MAX_POLICY_DEPTH];
    size_t depth;
    struct node *root;
    size_t n_nodes;
    int documents;
    bool done;
};

/* libyaml returns 1 on success; this is the one place that knows. */
static enum fg_status next_event(const struct ctx *c, yaml_parser_t *parser, const char *text,
                                 size_t len, yaml_event_t *event)
{
    if (yaml_parser_parse(parser, event) == 1)
        return FG_OK;
    if (parser->error == YAML_MEMORY_ERROR)
        return nomem(c);
    const char *problem = parser->problem ? parser->problem : "malformed YAML";
    if (parser->error == YAML_READER_ERROR) {
        /* Reader errors carry a byte offset, not a mark. */
        unsigned long line = 1, column = 1;
        for (size_t i = 0; i < parser->problem_offset && i < len; i++) {
            if (text[i] == '\n') {
                line++;
                column = 1;
            } else if (((unsigned char)text[i] & 0xc0) != 0x80) {
                column++;
            }
        }
        return fg_error_set(c->err, FG_ERR_POLICY, c->file, line, column, "YAML syntax error: %s",
                            problem);
    }
    if (parser->context != NULL)
        return fail_mark(c, FG_ERR_POLICY, &parser->problem_mark,
                         "YAML syntax error: %s (%s at line %lu)", problem, parser->context,
                         (unsigned long)parser->context_mark.line + 1);
    return fail_mark(c, FG_ERR_POLICY, &parser->problem_mark, "YAML syntax error: %s", problem);
}

static enum fg_status new_node(struct builder *b, enum node_kind kind, const yaml_mark_t *mark,
                               struct node **out)
{
    *out = NULL;
    if (b->n_nodes >= MAX_NODES)
        return fail_mark(b->c, FG_ERR_LIMIT, mark, "the policy has more than %d YAML nodes",
                         MAX_NODES);
    struct node *node = calloc(1, sizeof *node);
    if (node == NULL)
        return nomem(b->c);
    node->kind = kind;
    node->mark.line = (unsigned long)mark->line + 1;
    node->mark.column = (unsigned long)mark->column + 1;
    b->n_nodes++;
    *out = node;
    return FG_OK;
}

/* Hands node to its parent (or makes it the root); frees it when that fails. */
static enum fg_status attach(struct builder *b, struct node *node)
{
    if (b->depth == 0) {
        b->root = node;
        return FG_OK;
    }
    struct node *parent = b->stack[b->depth - 1];
    if (parent->n == parent->cap) {
        size_t cap = parent->cap ? parent->cap * 2 : 8;
        struct node **items = realloc(parent->items, cap * sizeof *items);
        if (items == NULL) {
            node_free(node);
            return nomem(b->c);
        }
        parent->items = items;
        parent->cap = cap;
    }
    parent->items[parent->n++] = node;
    return FG_OK;
}

/* Refuses what no policy needs on any node: anchors and tags. */
static enum fg_status check_node_event(struct builder *b, const yaml_event_t *event,
                                       const yaml_char_t *anchor, const yaml_char_t *tag)
{
    if (anchor != NULL)
        return fail_mark(b->c, FG_ERR_POLICY, &event->start_mark,
                         "YAML anchors and aliases are not allowed in a policy");
    if (tag != NULL)
        return fail_mark(b->c, FG_ERR_POLICY, &event->start_mark,
                         "YAML tags ('%s') are not allowed in a policy", show((const char *)tag).s);
    if (b->depth > 0) {
        const struct node *parent = b->stack[b->depth - 1];
        if (parent->kind == NODE_MAP && parent->n % 2 == 0 && event->type != YAML_SCALAR_EVENT)
            return fail_mark(b->c, FG_ERR_POLICY, &event->start_mark,
                             "a mapping key must be a string, not a %s",
                             event->type == YAML_MAPPING_START_EVENT ? "mapping" : "list");
    }
    return FG_OK;
}

struct key_ref {
    const struct node *key;
    size_t index;
};

static int key_ref_cmp(const void *a, const void *b)
{
    const struct key_ref *x = a, *y = b;
    size_t n = x->key->len < y->key->len ? x->key->len : y->key->len;
    int d = memcmp(x->key->text, y->key->text, n);
    if (d != 0)
        return d;
    if (x->key->len != y->key->len)
        return x->key->len < y->key->len ? -1 : 1;
    return x->index < y->index ? -1 : x->index > y->index;
}

/* Refuses a key given twice; reports the earliest second occurrence. O(n log n). */
static enum fg_status check_duplicate_keys(const struct ctx *c, const struct node *map)
{
    size_t n = map_size(map);
    if (n < 2)
        return FG_OK;
    struct key_ref *refs = malloc(n * sizeof *refs);
    if (refs == NULL)
        return nomem(c);
    for (size_t i = 0; i < n; i++) {
        refs[i].key = map_key(map, i);
        refs[i].index = i;
    }
    qsort(refs, n, sizeof *refs, key_ref_cmp);
    size_t second = SIZE_MAX, first = 0;
    for (size_t i = 1; i < n; i++) {
        bool same = refs[i].key->len == refs[i - 1].key->len &&
                    memcmp(refs[i].key->text, refs[i - 1].key->text, refs[i].key->len) == 0;
        bool starts_run = i < 2 || !(refs[i - 1].key->len == refs[i - 2].key->len &&
                                     memcmp(refs[i - 1].key->text, refs[i - 2].key->text,
                                            refs[i - 1].key->len) == 0);
        if (same && starts_run && refs[i].index < second) {
            second = refs[i].index;
            first = refs[i - 1].index;
        }
    }
    free(refs);
    if (second == SIZE_MAX)
        return FG_OK;
    return fail(c, map_key(map, second), "duplicate key '%s' (first given at line %lu)",
                show(map_key(map, second)->text).s, map_key(map, first)->mark.line);
}

static enum fg_status on_scalar(struct builder *b, const yaml_event_t *event)
{
    TRY(check_node_event(b, event, event->data.scalar.anchor, event->data.scalar.tag));
    const char *value = (const char *)event->data.scalar.value;
    size_t len = event->data.scalar.length;
    if (memchr(value, '\0', len) != NULL)
        return fail_mark(b->c, FG_ERR_POLICY, &event->start_mark,
                         "a string in a policy must not contain a NUL character");
    struct node *node;
    TRY(new_node(b, NODE_SCALAR, &event->start_mark, &node));
    node->text = fg_strndup(value, len);
    if (node->text == NULL) {
        free(node);
        return nomem(b->c);
    }
    node->len = len;
    node->plain = event->data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
    return attach(b, node);
}

static enum fg_status on_start(struct builder *b, const yaml_event_t *event, enum node_kind kind,
                               const yaml_char_t *anchor, const yaml_char_t *tag)
{
    TRY(check_node_event(b, event, anchor, tag));
    if (b->depth == FG_MAX_POLICY_DEPTH)
        return fail_mark(b->c, FG_ERR_LIMIT, &event->start_mark,
                         "the policy nests deeper than %d levels", FG_MAX_POLICY_DEPTH);
    struct node *node;
    TRY(new_node(b, kind, &event->start_mark, &node));
    TRY(attach(b, node));
    b->stack[b->depth++] = node;
    return FG_OK;
}

static enum fg_status on_event(struct builder *b, const yaml_event_t *event)
{
    switch (event->type) {
    case YAML_DOCUMENT_START_EVENT:
        if (b->documents++ > 0)
            return fail_mark(b->c, FG_ERR_POLICY, &event->start_mark,
                             "a policy is one YAML document, but a second document starts here");
        return FG_OK;
    case YAML_ALIAS_EVENT:
        return fail_mark(b->c, FG_ERR_POLICY, &event->start_mark,
                         "YAML anchors and aliases are not allowed in a policy");
    case YAML_SCALAR_EVENT:
        return on_scalar(b, event);
    case YAML_SEQUENCE_START_EVENT:
        return on_start(b, event, NODE_LIST, event->data.sequence_start.anchor,
                        event->data.sequence_start.tag);
    case YAML_MAPPING_START_EVENT:
        return on_start(b, event, NODE_MAP, event->data.mapping_start.anchor,
                        event->data.mapping_start.tag);
    case YAML_MAPPING_END_EVENT: {
        enum fg_status st = check_duplicate_keys(b->c, b->stack[b->depth - 1]);
        b->depth--;
        return st;
    }
    case YAML_SEQUENCE_END_EVENT:
        b->depth--;
        return FG_OK;
    case YAML_STREAM_END_EVENT:
        b->done = true;
        return FG_OK;
    default: /* stream start, document end */
        return FG_OK;
    }
}

static enum fg_status build_tree(const struct ctx *c, const char *text, size_t len,
                                 struct node **out)
{
    *out = NULL;
    yaml_parser_t parser;
    if (yaml_parser_initialize(&parser) != 1)
        return nomem(c);
    yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
    struct builder b = {.c = c};
    enum fg_status st = FG_OK;
    while (st == FG_OK && !b.done) {
        yaml_event_t event;
        st = next_event(c, &parser, text, len, &event);
        if (st != FG_OK)
            break;
        st = on_event(&b, &event);
        yaml_event_delete(&event);
    }
    yaml_parser_delete(&parser);
    if (st == FG_OK && (b.root == NULL || is_null(b.root)))
        st = fg_error_set(c->err, FG_ERR_POLICY, c->file, 1, 1, "the policy is empty");
    if (st != FG_OK) {
        node_free(b.root);
        return st;
    }
    *out = b.root;
    return FG_OK;
}

/* ---- pass 2: typed values ---- */

static enum fg_status want_map(const struct ctx *c, const struct node *node, const char *what)
{
    if (node->kind == NODE_MAP)
        return FG_OK;
    return fail(c, node, "'%s' must be a mapping, not %s", what, kind_name(node));
}

static enum fg_status want_list(const struct ctx *c, const struct node *node, const char *what)
{
    if (node->kind == NODE_LIST)
        return FG_OK;
    return fail(c, node, "'%s' must be a list, not %s", what, kind_name(node));
}

/* A string (plain or quoted); ~, null and empty values are refused. */
static enum fg_status want_string(const struct ctx *c, const struct node *node, const char *what,
                                  bool allow_empty)
{
    if (node->kind != NODE_SCALAR || is_null(node))
        return fail(c, node, "'%s' must be a string, not %s", what, kind_name(node));
    if (node->len == 0 && !allow_empty)
        return fail(c, node, "'%s' must not be an empty string", what);
    return FG_OK;
}

static enum fg_status get_string(const struct ctx *c, const struct node *node, const char *what,
                                 bool allow_empty, char **out)
{
    TRY(want_string(c, node, what, allow_empty));
    *out = fg_strdup(node->text);
    return *out ? FG_OK : nomem(c);
}

static bool is_digit(char ch)
{
    return ch >= '0' && ch <= '9';
}

/* [-+]? (digits [. digits?] | . digits) ([eE] [-+]? digits)? - no hex, inf or nan. */
static bool decimal_syntax(const char *s)
{
    size_t digits = 0;
    if (*s == '+' || *s == '-')
        s++;
    for (; is_digit(*s); s++)
        digits++;
    if (*s == '.')
        for (s++; is_digit(*s); s++)
            digits++;
    if (digits == 0)
        return false;
    if (*s == 'e' || *s == 'E') {
        s++;
        if (*s == '+' || *s == '-')
            s++;
        if (!is_digit(*s))
            return false;
        while (is_digit(*s))
            s++;
    }
    return *s == '\0';
}

static enum fg_status want_plain(const struct ctx *c, const struct node *node, const char *what,
                                 const char *type)
{
    if (node->kind != NODE_SCALAR || is_null(node))
        return fail(c, node, "'%s' must be %s, not %s", what, type, kind_name(node));
    if (!node->plain)
        return fail(c, node, "'%s' must be %s, not a quoted string (write %s without quotes)", what,
                    type, show(node->text).s);
    return FG_OK;
}

static enum fg_status get_number(const struct ctx *c, const struct node *node, const char *what,
                                 double *out)
{
    TRY(want_plain(c, node, what, "a number"));
    if (!decimal_syntax(node->text))
        return fail(c, node, "'%s' must be a number, not '%s'", what, show(node->text).s);
    char *end = NULL;
    errno = 0;
    double value = fg_strtod(node->text, &end);
    if (errno != 0 || end != node->text + node->len || !isfinite(value))
        return fail(c, node, "'%s' is out of range: %s", what, show(node->text).s);
    *out = value;
    return FG_OK;
}

/* A plain decimal digit string without leading zeros (no sign, no octal look-alikes). */
static enum fg_status get_uint(const struct ctx *c, const struct node *node, const char *what,
                               uint64_t *out)
{
    TRY(want_plain(c, node, what, "a whole number"));
    for (size_t i = 0; i < node->len; i++)
        if (!is_digit(node->text[i]))
            return fail(c, node, "'%s' must be a whole number, not '%s'", what, show(node->text).s);
    if (node->len > 1 && node->text[0] == '0')
        return fail(c, node, "'%s' must be written without leading zeros: '%s'", what,
                    show(node->text).s);
    char *end = NULL;
    errno = 0;
    unsigned long long value = strtoull(node->text, &end, 10);
    if (errno != 0 || end != node->text + node->len || value > UINT64_MAX)
        return fail(c, node, "'%s' is out of range: %s", what, show(node->text).s);
    *out = (uint64_t)value;
    return FG_OK;
}

/* One of names[0..n) (plain or quoted); kind names the thing in messages ("metric"). */
static enum fg_status get_choice(const struct ctx *c, const struct node *node, const char *what,
                                 const char *kind, const char *const *names, size_t n, size_t *out)
{
    TRY(want_string(c, node, what, false));
    for (size_t i = 0; i < n; i++) {
        if (strcmp(node->text, names[i]) == 0) {
            *out = i;
            return FG_OK;
        }
    }
    char tip[400];
    hint(tip, sizeof tip, node->text, names, n, true);
    return fail(c, node, "unknown %s '%s'%s", kind, show(node->text).s, tip);
}

/* Refuses the first key of map (in file order) that is not in allowed. */
static enum fg_status check_keys(const struct ctx *c, const struct node *map,
                                 const char *const *allowed, size_t n_allowed, const char *where)
{
    for (size_t i = 0; i < map_size(map); i++) {
        const struct node *key = map_key(map, i);
        bool known = false;
        for (size_t j = 0; j < n_allowed && !known; j++)
            known = strcmp(key->text, allowed[j]) == 0;
        if (known)
            continue;
        char tip[400];
        hint(tip, sizeof tip, key->text, allowed, n_allowed, true);
        return fail(c, key, "unknown key '%s' %s%s", show(key->text).s, where, tip);
    }
    return FG_OK;
}

/* ---- data ---- */

static const char *const model_keys[] = {"prediction", "score", "threshold", "favorable"};
static const char *const favorable_names[] = {"above", "below"};

static enum fg_status parse_model(const struct ctx *c, const struct node *node, const char *what,
                                  struct fg_model_spec *model)
{
    TRY(want_map(c, node, what));
    char where[64];
    snprintf(where, sizeof where, "in '%s'", what);
    TRY(check_keys(c, node, model_keys, N_OF(model_keys), where));
    const struct node *prediction = lookup(node, "prediction"), *score = lookup(node, "score");
    const struct node *threshold = lookup(node, "threshold");
    const struct node *favorable = lookup(node, "favorable");
    if (prediction != NULL && score != NULL)
        return fail(c, lookup_key(node, "score"),
                    "'%s' has both 'prediction' and 'score'; give one of them", what);
    if (prediction == NULL && score == NULL)
        return fail(c, node, "'%s' has no 'prediction' or 'score' column", what);
    if (prediction != NULL) {
        if (threshold != NULL)
            return fail(c, lookup_key(node, "threshold"),
                        "'threshold' applies to 'score', not to 'prediction'");
        if (favorable != NULL)
            return fail(c, lookup_key(node, "favorable"),
                        "'favorable' applies to 'score', not to 'prediction'");
        model->present = true;
        model->column_mark = prediction->mark;
        return get_string(c, prediction, "prediction", false, &model->prediction);
    }
    if (threshold == NULL)
        return fail(c, node, "'%s' has 'score' but no 'threshold'", what);
    TRY(get_number(c, threshold, "threshold", &model->threshold));
    model->favorable = FG_FAVORABLE_ABOVE;
    if (favorable != NULL) {
        size_t i = 0;
        TRY(get_choice(c, favorable, "favorable", "'favorable' value", favorable_names,
                       N_OF(favorable_names), &i));
        model->favorable = i == 0 ? FG_FAVORABLE_ABOVE : FG_FAVORABLE_BELOW;
    }
    model->present = true;
    model->column_mark = score->mark;
    return get_string(c, score, "score", false, &model->score);
}

static enum fg_status parse_protected(const struct ctx *c, const struct node *list,
                                      struct fg_policy *p)
{
    TRY(want_list(c, list, "protected"));
    if (list->n == 0)
        return fail(c, list, "'protected' is empty; name at least one protected attribute");
    if (list->n > FG_MAX_PROTECTED)
        return fail_limit(c, list, "'protected' lists %zu attributes; the limit is %d", list->n,
                          FG_MAX_PROTECTED);
    p->data.protected = calloc(list->n, sizeof *p->data.protected);
    if (p->data.protected == NULL)
        return nomem(c);
    for (size_t i = 0; i < list->n; i++) {
        const struct node *item = list->items[i];
        TRY(want_string(c, item, "protected", false));
        for (size_t j = 0; j < i; j++)
            if (strcmp(item->text, list->items[j]->text) == 0)
                return fail(c, item, "'%s' is listed twice in 'protected'", show(item->text).s);
        if ((p->data.protected[i] = fg_strdup(item->text)) == NULL)
            return nomem(c);
        p->data.protected_marks[i] = item->mark;
        p->data.n_protected = i + 1;
    }
    return FG_OK;
}

/* Index of name in protected, or an error with a hint at node. */
static enum fg_status protected_index(const struct ctx *c, const struct fg_policy *p,
                                      const struct node *node, const char *context, size_t *out)
{
    for (size_t i = 0; i < p->data.n_protected; i++) {
        if (strcmp(node->text, p->data.protected[i]) == 0) {
            *out = i;
            return FG_OK;
        }
    }
    char tip[400];
    hint(tip, sizeof tip, node->text, (const char *const *)p->data.protected, p->data.n_protected,
         true);
    return fail(c, node, "'%s' %s is not a protected attribute%s", show(node->text).s, context,
                tip);
}

/* intersections: all - every combination of two or more protected attributes, by size and
 * then in the order the attributes are listed (sex & race, sex & age, race & age, then
 * sex & race & age). */
static enum fg_status all_intersections(const struct ctx *c, const struct node *at,
                                        struct fg_policy *p)
{
    size_t k = p->data.n_protected;
    size_t total = k < 2 ? 0 : ((size_t)1 << k) - 1 - k;
    if (total > FG_MAX_INTERSECTIONS)
        return fail_limit(c, at,
                          "'intersections: all' of %zu protected attributes makes %zu "
                          "intersections; the limit is %d (list the ones you need)",
                          k, total, FG_MAX_INTERSECTIONS);
    if (total == 0)
        return FG_OK;
    p->data.intersections = calloc(total, sizeof *p->data.intersections);
    p->data.intersection_sizes = calloc(total, sizeof *p->data.intersection_sizes);
    if (p->data.intersections == NULL || p->data.intersection_sizes == NULL)
        return nomem(c);
    size_t n = 0;
    for (size_t size = 2; size <= k; size++) {
        for (uint32_t set = 0; set < (UINT32_C(1) << k); set++) {
            size_t bits = 0;
            for (uint32_t rest = set; rest != 0; rest &= rest - 1)
                bits++;
            if (bits != size)
                continue;
            size_t m = 0;
            for (size_t a = 0; a < k; a++)
                if (set & (UINT32_C(1) << a))
                    p->data.intersections[n][m++] = a;
            p->data.intersection_sizes[n++] = size;
        }
    }
    p->data.n_intersections = n;
    return FG_OK;
}

static enum fg_status parse_intersections(const struct ctx *c, const struct node *list,
                                          struct fg_policy *p)
{
    if (list->kind == NODE_SCALAR && strcmp(list->text, "all") == 0)
        return all_intersections(c, list, p);
    TRY(want_list(c, list, "intersections"));
    if (list->n > FG_MAX_INTERSECTIONS)
        return fail_limit(c, list, "'intersections' lists %zu intersections; the limit is %d",
                          list->n, FG_MAX_INTERSECTIONS);
    if (list->n == 0)
        return FG_OK;
    p->data.intersections = calloc(list->n, sizeof *p->data.intersections);
    p->data.intersection_sizes = calloc(list->n, sizeof *p->data.intersection_sizes);
    if (p->data.intersections == NULL || p->data.intersection_sizes == NULL)
        return nomem(c);
    uint32_t sets[FG_MAX_INTERSECTIONS]; /* member bit sets, to find repeats */
    for (size_t i = 0; i < list->n; i++) {
        const struct node *item = list->items[i];
        if (item->kind != NODE_LIST)
            return fail(c, item,
                        "each intersection must be a list of protected attributes, "
                        "not %s",
                        kind_name(item));
        if (item->n < 2)
            return fail(c, item, "an intersection needs at least two protected attributes");
        uint32_t set = 0;
        for (size_t j = 0; j < item->n; j++) {
            const struct node *member = item->items[j];
            size_t index = 0;
            TRY(want_string(c, member, "intersections", false));
            TRY(protected_index(c, p, member, "in an intersection", &index));
            if (set & (UINT32_C(1) << index))
                return fail(c, member, "'%s' appears twice in this intersection",
                            show(member->text).s);
            set |= UINT32_C(1) << index;
            p->data.intersections[i][j] = index;
        }
        for (size_t k = 0; k < i; k++)
            if (sets[k] == set)
                return fail(c, item, "this intersection repeats the one at line %lu",
                            list->items[k]->mark.line);
        sets[i] = set;
        p->data.intersection_sizes[i] = item->n;
        p->data.n_intersections = i + 1;
    }
    return FG_OK;
}

static const char *const data_keys[] = {
    "id",        "label",     "positive_label",       "protected", "intersections",
    "candidate", "incumbent", "favorable_prediction", "missing",   "delimiter",
    "join"};
static const char *const missing_names[] = {"error", "drop"};
static const char *const join_names[] = {"id", "position"};

static enum fg_status parse_data(const struct ctx *c, const struct node *data, struct fg_policy *p)
{
    TRY(want_map(c, data, "data"));
    TRY(check_keys(c, data, data_keys, N_OF(data_keys), "in 'data'"));
    static const char *const required[] = {"label", "positive_label", "protected", "candidate"};
    for (size_t i = 0; i < N_OF(required); i++)
        if (lookup(data, required[i]) == NULL)
            return fail(c, data, "'data' has no '%s'", required[i]);
    const struct node *node;
    if ((node = lookup(data, "id")) != NULL) {
        TRY(get_string(c, node, "id", false, &p->data.id));
        p->data.id_mark = node->mark;
    }
    node = lookup(data, "label");
    TRY(get_string(c, node, "label", false, &p->data.label));
    p->data.label_mark = node->mark;
    TRY(get_string(c, lookup(data, "positive_label"), "positive_label", false,
                   &p->data.positive_label));
    TRY(parse_protected(c, lookup(data, "protected"), p));
    if ((node = lookup(data, "intersections")) != NULL)
        TRY(parse_intersections(c, node, p));
    TRY(parse_model(c, lookup(data, "candidate"), "candidate", &p->data.candidate));
    if ((node = lookup(data, "incumbent")) != NULL)
        TRY(parse_model(c, node, "incumbent", &p->data.incumbent));
    if ((node = lookup(data, "favorable_prediction")) != NULL) {
        TRY(get_string(c, node, "favorable_prediction", false, &p->data.favorable_prediction));
    } else if (p->data.candidate.prediction != NULL || p->data.incumbent.prediction != NULL) {
        return fail(c, data,
                    "'data' has no 'favorable_prediction', which a 'prediction' column "
                    "needs");
    }
    p->data.missing = FG_MISSING_ERROR;
    if ((node = lookup(data, "missing")) != NULL) {
        size_t i = 0;
        TRY(get_choice(c, node, "missing", "'missing' value", missing_names, N_OF(missing_names),
                       &i));
        p->data.missing = i == 0 ? FG_MISSING_ERROR : FG_MISSING_DROP;
    }
    /* Two files are matched by id, or by position only when the policy says so: rows in
     * another order would be paired silently with the wrong rows. */
    p->data.join = FG_JOIN_UNSET;
    if ((node = lookup(data, "join")) != NULL) {
        size_t i = 0;
        TRY(get_choice(c, node, "join", "'join' value", join_names, N_OF(join_names), &i));
        p->data.join = i == 0 ? FG_JOIN_ID : FG_JOIN_POSITION;
        if (p->data.join == FG_JOIN_ID && p->data.id == NULL)
            return fail(c, node,
                        "'join: id' needs 'data.id', the column that identifies a row in both "
                        "files");
        if (p->data.join == FG_JOIN_POSITION && p->data.id != NULL)
            return fail(c, node,
                        "'join: position' contradicts 'data.id' (two files are then joined by "
                        "id); drop one of them");
    }
    p->data.delimiter = ',';
    if ((node = lookup(data, "delimiter")) != NULL) {
        TRY(want_string(c, node, "delimiter", false));
        if (node->len != 1)
            return fail(c, node, "'delimiter' must be a single byte, not '%s'", show(node->text).s);
        char ch = node->text[0];
        if (ch == '"' || ch == '\n' || ch == '\r')
            return fail(c, node, "'delimiter' must not be a quote or a line break");
        p->data.delimiter = ch;
    }
    return FG_OK;
}

/* ---- defaults and references ---- */

static const char *const reference_names[] = {"highest", "largest", "between_groups", "rest"};
static const char *const small_group_names[] = {"fail", "warn", "skip"};

static enum fg_status parse_reference(const struct ctx *c, const struct node *node,
                                      const struct fg_policy *p, struct fg_reference *out)
{
    if (node->kind == NODE_SCALAR) {
        size_t i = 0;
        TRY(get_choice(c, node, "reference", "reference", reference_names, N_OF(reference_names),
                       &i));
        static const enum fg_reference_kind kinds[] = {FG_REFERENCE_HIGHEST, FG_REFERENCE_LARGEST,
                                                       FG_REFERENCE_BETWEEN_GROUPS,
                                                       FG_REFERENCE_REST};
        out->kind = kinds[i];
        return FG_OK;
    }
    if (node->kind != NODE_MAP)
        return fail(c, node,
                    "'reference' must be highest, largest, between_groups or a mapping of each "
                    "protected attribute to its reference value (or rest), not %s",
                    kind_name(node));
    size_t n = p->data.n_protected;
    out->kind = FG_REFERENCE_EXPLICIT;
    out->values = calloc(n, sizeof *out->values);
    if (out->values == NULL)
        return nomem(c);
    for (size_t i = 0; i < map_size(node); i++) {
        const struct node *key = map_key(node, i), *value = map_value(node, i);
        size_t index = 0;
        TRY(protected_index(c, p, key, "in 'reference'", &index));
        TRY(get_string(c, value, p->data.protected[index], false, &out->values[index]));
    }
    for (size_t i = 0; i < n; i++)
        if (out->values[i] == NULL)
            return fail(c, node, "'reference' has no value for protected attribute '%s'",
                        show(p->data.protected[i]).s);
    return FG_OK;
}

static enum fg_status copy_reference(const struct ctx *c, const struct fg_reference *from,
                                     size_t n_values, struct fg_reference *to)
{
    to->kind = from->kind;
    to->values = NULL;
    if (from->values == NULL)
        return FG_OK;
    to->values = calloc(n_values, sizeof *to->values);
    if (to->values == NULL)
        return nomem(c);
    for (size_t i = 0; i < n_values; i++)
        if ((to->values[i] = fg_strdup(from->values[i])) == NULL)
            return nomem(c);
    return FG_OK;
}

static enum fg_status get_small_group(const struct ctx *c, const struct node *node,
                                      enum fg_small_group *out)
{
    size_t i = 0;
    enum fg_status st = get_choice(c, node, "on_small_group", "'on_small_group' value",
                                   small_group_names, N_OF(small_group_names), &i);
    if (st == FG_OK) {
        static const enum fg_small_group modes[] = {FG_SMALL_GROUP_FAIL, FG_SMALL_GROUP_WARN,
                                                    FG_SMALL_GROUP_SKIP};
        *out = modes[i];
    }
    return st;
}

/* 'enforce': block (a failure fails the verdict) or warn (advisory: reported only). */
static enum fg_status get_enforce(const struct ctx *c, const struct node *node,
                                  enum fg_enforce *out)
{
    static const char *const names[] = {"block", "warn"};
    size_t i = 0;
    TRY(get_choice(c, node, "enforce", "'enforce' value", names, N_OF(names), &i));
    *out = i == 0 ? FG_ENFORCE_BLOCK : FG_ENFORCE_WARN;
    return FG_OK;
}

static const char *const defaults_keys[] = {"reference", "min_group_size", "on_small_group",
                                            "evidence",  "alpha",          "correction",
                                            "bootstrap", "enforce"};
static const char *const evidence_names[] = {"point", "significant", "confident"};
static const char *const correction_names[] = {"holm", "bh", "none"};
static const char *const bootstrap_keys[] = {"resamples", "seed"};

/* The statistical settings a gate inherits from defaults and may override: evidence,
 * alpha, correction, bootstrap {resamples, seed}. */
struct stats_settings {
    enum fg_evidence evidence;
    double alpha;
    enum fg_correction correction;
    uint64_t resamples, seed;
};

static enum fg_status parse_stats_settings(const struct ctx *c, const struct node *map,
                                           const char *where, struct stats_settings *s)
{
    const struct node *value;
    size_t i = 0;
    if ((value = lookup(map, "evidence")) != NULL) {
        TRY(get_choice(c, value, "evidence", "evidence mode", evidence_names, N_OF(evidence_names),
                       &i));
        s->evidence = (enum fg_evidence)i;
    }
    if ((value = lookup(map, "alpha")) != NULL) {
        TRY(get_number(c, value, "alpha", &s->alpha));
        if (!(s->alpha > 0 && s->alpha <= 0.5))
            return fail(c, value,
                        "'alpha' is %s, but it must be greater than 0 and at most 0.5 "
                        "(0.05 is usual)",
                        show(value->text).s);
    }
    if ((value = lookup(map, "correction")) != NULL) {
        TRY(get_choice(c, value, "correction", "correction", correction_names,
                       N_OF(correction_names), &i));
        s->correction = (enum fg_correction)i;
    }
    if ((value = lookup(map, "bootstrap")) != NULL) {
        TRY(want_map(c, value, "bootstrap"));
        char in[160];
        snprintf(in, sizeof in, "in 'bootstrap' %s", where);
        TRY(check_keys(c, value, bootstrap_keys, N_OF(bootstrap_keys), in));
        const struct node *v;
        if ((v = lookup(value, "resamples")) != NULL) {
            TRY(get_uint(c, v, "resamples", &s->resamples));
            if (s->resamples < 100 || s->resamples > FG_MAX_RESAMPLES)
                return fail(c, v,
                            "'resamples' is %s, but it must be between 100 and %d "
                            "(2000 is usual)",
                            show(v->text).s, FG_MAX_RESAMPLES);
        }
        if ((v = lookup(value, "seed")) != NULL)
            TRY(get_uint(c, v, "seed", &s->seed));
    }
    return FG_OK;
}

static enum fg_status parse_defaults(const struct ctx *c, const struct node *node,
                                     struct fg_policy *p)
{
    TRY(want_map(c, node, "defaults"));
    TRY(check_keys(c, node, defaults_keys, N_OF(defaults_keys), "in 'defaults'"));
    const struct node *value;
    if ((value = lookup(node, "reference")) != NULL)
        TRY(parse_reference(c, value, p, &p->defaults.reference));
    if ((value = lookup(node, "min_group_size")) != NULL)
        TRY(get_uint(c, value, "min_group_size", &p->defaults.min_group_size));
    if ((value = lookup(node, "on_small_group")) != NULL)
        TRY(get_small_group(c, value, &p->defaults.on_small_group));
    if ((value = lookup(node, "enforce")) != NULL)
        TRY(get_enforce(c, value, &p->defaults.enforce));
    struct stats_settings s = {p->defaults.evidence, p->defaults.alpha, p->defaults.correction,
                               p->defaults.resamples, p->defaults.seed};
    TRY(parse_stats_settings(c, node, "in 'defaults'", &s));
    p->defaults.evidence = s.evidence;
    p->defaults.alpha = s.alpha;
    p->defaults.correction = s.correction;
    p->defaults.resamples = s.resamples;
    p->defaults.seed = s.seed;
    return FG_OK;
}

/* ---- gates ---- */

static const char *const gate_keys[] = {"id",
                                        "metric",
                                        "description",
                                        "disparity",
                                        "min",
                                        "max",
                                        "overall",
                                        "vs_incumbent",
                                        "reference",
                                        "min_group_size",
                                        "on_small_group",
                                        "evidence",
                                        "alpha",
                                        "correction",
                                        "bootstrap",
                                        "bins",
                                        "enforce",
                                        "ge_alpha",
                                        "strata"};
static const char *const disparity_names[] = {"ratio", "difference", "signed_difference"};
static const char *const bound_keys[] = {"min", "max"};
static const char *const vs_incumbent_keys[] = {"max_worsening"};

static bool gate_id_ok(const char *id, size_t len)
{
    if (len == 0 || len > MAX_GATE_ID)
        return false;
    for (size_t i = 0; i < len; i++) {
        char ch = id[i];
        if (!(is_digit(ch) || (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || ch == '.' ||
              ch == '_' || ch == '-'))
            return false;
    }
    return true;
}

/* min and max (either may be absent) from map into the spec, each checked by range. */
struct bound_rule {
    double low, high;   /* allowed closed range ... */
    bool low_exclusive; /* ... except low itself when set */
    const char *explain;
};

static enum fg_status parse_bounds(const struct ctx *c, const struct node *map,
                                   const struct bound_rule *rule, struct fg_gate_spec *spec)
{
    const struct node *nodes[2] = {lookup(map, "min"), lookup(map, "max")};
    double values[2] = {0, 0};
    for (size_t i = 0; i < 2; i++) {
        if (nodes[i] == NULL)
            continue;
        TRY(get_number(c, nodes[i], bound_keys[i], &values[i]));
        double v = values[i];
        bool low_ok = rule->low_exclusive ? v > rule->low : v >= rule->low;
        if (!low_ok || v > rule->high)
            return fail(c, nodes[i], "'%s' is %s, but %s", bound_keys[i], show(nodes[i]->text).s,
                        rule->explain);
    }
    spec->has_min = nodes[0] != NULL;
    spec->has_max = nodes[1] != NULL;
    spec->min = values[0];
    spec->max = values[1];
    if (spec->has_min && spec->has_max && spec->min > spec->max)
        return fail(c, nodes[0], "'min' (%s) is greater than 'max' (%s)", show(nodes[0]->text).s,
                    show(nodes[1]->text).s);
    return FG_OK;
}

static enum fg_status parse_vs_incumbent(const struct ctx *c, const struct node *node,
                                         const char *gate_name, struct fg_gate_spec *spec)
{
    TRY(want_map(c, node, "vs_incumbent"));
    char where[128];
    snprintf(where, sizeof where, "in 'vs_incumbent' of %s", gate_name);
    TRY(check_keys(c, node, vs_incumbent_keys, N_OF(vs_incumbent_keys), where));
    const struct node *value = lookup(node, "max_worsening");
    if (value == NULL)
        return fail(c, node, "'vs_incumbent' of %s has no 'max_worsening'", gate_name);
    TRY(get_number(c, value, "max_worsening", &spec->max_worsening));
    if (!(spec->max_worsening >= 0 && spec->max_worsening <= 1))
        return fail(c, value, "'max_worsening' is %s, but it must be between 0 and 1",
                    show(value->text).s);
    spec->has_max_worsening = true;
    return FG_OK;
}

static enum fg_status parse_overall_gate(const struct ctx *c, const struct node *gate,
                                         const char *gate_name, struct fg_gate_spec *spec)
{
    static const char *const not_here[] = {"disparity", "min", "max", "reference"};
    for (size_t i = 0; i < N_OF(not_here); i++) {
        const struct node *key = lookup_key(gate, not_here[i]);
        if (key != NULL)
            return fail(c, key, "'%s' does not apply to an overall gate%s", not_here[i],
                        i == 1 || i == 2 ? "; put it inside 'overall'" : "");
    }
    if (fg_metric_catalog[spec->metric].groups_only ||
        (spec->alias != NULL && !fg_metric_is_index(spec->metric)))
        return fail(c, lookup(gate, "metric"),
                    "metric '%s' compares groups and cannot be used in an overall gate",
                    spec->alias != NULL ? spec->alias->name : fg_metric_name(spec->metric));
    spec->overall = true;
    spec->disparity = FG_DISPARITY_NONE;
    const struct node *overall = lookup(gate, "overall");
    TRY(want_map(c, overall, "overall"));
    char where[128];
    snprintf(where, sizeof where, "in 'overall' of %s", gate_name);
    TRY(check_keys(c, overall, bound_keys, N_OF(bound_keys), where));
    struct bound_rule rule = {0, 1, false, "an overall bound on a rate must be between 0 and 1"};
    if (spec->metric == FG_METRIC_COUNT) {
        rule.high = HUGE_VAL;
        rule.explain = "an overall bound on count must be at least 0";
    } else if (fg_metric_kind(spec->metric) == FG_METRIC_KIND_COUNT_RATIO) {
        rule.high = HUGE_VAL;
        rule.explain = "an overall bound on a count ratio must be at least 0";
    } else if (fg_metric_is_index(spec->metric)) {
        rule.high = HUGE_VAL;
        rule.explain = "an overall bound on an inequality index must be at least 0";
    }
    TRY(parse_bounds(c, overall, &rule, spec));
    const struct node *vs = lookup(gate, "vs_incumbent");
    if (vs != NULL) {
        if (fg_metric_direction(spec->metric) == 0)
            return fail(c, lookup_key(gate, "vs_incumbent"),
                        "'vs_incumbent' on an overall gate needs a metric where higher or lower "
                        "is better; %s has no better direction",
                        fg_metric_name(spec->metric));
        TRY(parse_vs_incumbent(c, vs, gate_name, spec));
    }
    if (!spec->has_min && !spec->has_max && !spec->has_max_worsening)
        return fail(c, gate, "%s sets no bound: give 'overall: {min, max}' or 'vs_incumbent'",
                    gate_name);
    return FG_OK;
}

/* ---- disparities and aliases ---- */

/* The disparity an alias fixes (AIF360: unprivileged - privileged; Clarify: a - d or d - a). */
static enum fg_disparity alias_disparity(const struct fg_metric_alias *alias)
{
    switch (alias->form) {
    case FG_ALIAS_RATIO:
        return FG_DISPARITY_RATIO;
    case FG_ALIAS_DIFFERENCE:
        return FG_DISPARITY_DIFFERENCE;
    default:
        return FG_DISPARITY_SIGNED_DIFFERENCE;
    }
}

/* The gate's 'disparity', or the one its alias fixes; a 'disparity' that contradicts the
 * alias is an error that says what the alias means. */
static enum fg_status parse_disparity(const struct ctx *c, const struct node *node,
                                      struct fg_gate_spec *spec)
{
    size_t i = 0;
    if (node != NULL)
        TRY(get_choice(c, node, "disparity", "disparity", disparity_names, N_OF(disparity_names),
                       &i));
    enum fg_disparity given = (enum fg_disparity)(FG_DISPARITY_RATIO + i);
    if (spec->alias == NULL) {
        spec->disparity = given;
        return FG_OK;
    }
    spec->disparity = alias_disparity(spec->alias);
    spec->reference_minus_group = spec->alias->form == FG_ALIAS_REFERENCE_MINUS_GROUP;
    if (node != NULL && given != spec->disparity)
        return fail(c, node,
                    "'disparity: %s' conflicts with metric '%s', which is %s (%s, %s) with the "
                    "reference as the privileged group: that is disparity %s%s; drop "
                    "'disparity', or name the metric '%s' to choose the disparity yourself",
                    disparity_names[i], spec->alias->name, spec->alias->definition,
                    fg_metric_name(spec->metric), spec->alias->source,
                    fg_disparity_name(spec->disparity),
                    spec->reference_minus_group ? " (reference - group)" : "",
                    fg_metric_name(spec->metric));
    return FG_OK;
}

/* The range of a disparity gate's min and max. */
static const struct bound_rule *disparity_bound_rule(const struct fg_gate_spec *spec)
{
    static const struct bound_rule ratio = {0, HUGE_VAL, true,
                                            "a ratio bound must be greater than 0"};
    static const struct bound_rule difference = {
        0, 1, false, "a difference bound (an absolute gap) must be between 0 and 1"};
    static const struct bound_rule signed_difference = {
        -1, 1, false, "a signed_difference bound on a rate must be between -1 and 1"};
    static const struct bound_rule count_difference = {
        0, HUGE_VAL, false, "a difference bound (an absolute gap) must be at least 0"};
    static const struct bound_rule count_signed = {-HUGE_VAL, HUGE_VAL, false, "?"};
    bool count_ratio = fg_metric_kind(spec->metric) == FG_METRIC_KIND_COUNT_RATIO;
    if (spec->disparity == FG_DISPARITY_RATIO)
        return &ratio;
    if (spec->disparity == FG_DISPARITY_DIFFERENCE)
        return count_ratio ? &count_difference : &difference;
    return count_ratio ? &count_signed : &signed_difference;
}

/* What the metric and its alias ask of the rest of the gate: an alias's privileged group is
 * an explicit reference; an average has no ratio; a signed difference needs one reference
 * group; a count ratio or an average has no interval (evidence: point). */
static enum fg_status check_gate_metric(const struct ctx *c, const struct node *gate,
                                        const char *gate_name, const struct fg_gate_spec *spec)
{
    const struct node *at = lookup(gate, "metric");
    enum fg_metric_kind kind = fg_metric_kind(spec->metric);
    const struct node *ref_node = lookup(gate, "reference") ? lookup(gate, "reference") : at;
    if (spec->alias != NULL && spec->reference.kind != FG_REFERENCE_EXPLICIT &&
        spec->reference.kind != FG_REFERENCE_REST)
        return fail(c, ref_node,
                    "metric '%s' compares each group with the privileged group, which must be an "
                    "explicit 'reference' (for example reference: {sex: Male}), or 'rest' "
                    "(Clarify's facet against all other rows), not '%s'",
                    spec->alias->name, fg_reference_kind_name(spec->reference.kind));
    if (spec->reference.kind == FG_REFERENCE_REST && fg_metric_is_score(spec->metric))
        return fail(c, ref_node,
                    "reference 'rest' compares a group with the rows outside it, which fairgate "
                    "counts but does not score: metric '%s' needs another reference",
                    fg_metric_name(spec->metric));
    if (kind == FG_METRIC_KIND_AVERAGE && spec->disparity == FG_DISPARITY_RATIO)
        return fail(c, lookup(gate, "disparity"),
                    "metric '%s' is compared as a difference or signed_difference (the mean of two "
                    "rate differences), not as a ratio",
                    fg_metric_name(spec->metric));
    if (spec->disparity == FG_DISPARITY_SIGNED_DIFFERENCE &&
        spec->reference.kind == FG_REFERENCE_BETWEEN_GROUPS)
        return fail(c, lookup(gate, "reference") ? lookup(gate, "reference") : gate,
                    "%s: a signed_difference compares each group with one reference group; "
                    "'between_groups' (worst over best) has no sign",
                    gate_name);
    if ((kind == FG_METRIC_KIND_COUNT_RATIO || kind == FG_METRIC_KIND_AVERAGE ||
         kind == FG_METRIC_KIND_PAIR) &&
        spec->evidence != FG_EVIDENCE_POINT)
        return fail(c, lookup(gate, "evidence") ? lookup(gate, "evidence") : gate,
                    "%s: evidence '%s' needs an interval, which fairgate does not compute for "
                    "'%s'; give 'evidence: point' on this gate",
                    gate_name, fg_evidence_name(spec->evidence), fg_metric_name(spec->metric));
    return FG_OK;
}

/* A pair metric (class_imbalance, label_*, conditional_demographic_disparity*) is itself a
 * comparison of the group with its reference: no 'disparity'; bounds on its value
 * (class_imbalance and the demographic disparities in [-1, 1], the others at least 0). */
static enum fg_status parse_pair_gate(const struct ctx *c, const struct node *gate,
                                      const char *gate_name, struct fg_gate_spec *spec)
{
    static const struct bound_rule imbalance = {-1, 1, false,
                                                "a class_imbalance bound must be between -1 and 1"};
    static const struct bound_rule disparity = {
        -1, 1, false, "a bound on a conditional demographic disparity must be between -1 and 1"};
    static const struct bound_rule divergence = {
        0, HUGE_VAL, false, "a bound on a label divergence or distance must be at least 0"};
    const struct node *node = lookup_key(gate, "disparity");
    const char *name = spec->alias != NULL ? spec->alias->name : fg_metric_name(spec->metric);
    if (node != NULL)
        return fail(c, node,
                    "metric '%s' compares each group with its reference by itself; drop "
                    "'disparity' and bound its value with 'min'/'max'",
                    name);
    spec->disparity = FG_DISPARITY_VALUE;
    TRY(parse_bounds(c, gate,
                     spec->metric == FG_METRIC_CLASS_IMBALANCE ? &imbalance
                     : fg_metric_takes_strata(spec->metric)    ? &disparity
                                                               : &divergence,
                     spec));
    if ((node = lookup(gate, "vs_incumbent")) != NULL)
        TRY(parse_vs_incumbent(c, node, gate_name, spec));
    if (!spec->has_min && !spec->has_max && !spec->has_max_worsening)
        return fail(c, gate, "%s sets no bound: give 'min', 'max' or 'vs_incumbent'", gate_name);
    return FG_OK;
}

static enum fg_status parse_disparity_gate(const struct ctx *c, const struct node *gate,
                                           const char *gate_name, struct fg_gate_spec *spec)
{
    if (spec->metric == FG_METRIC_COUNT)
        return fail(c, lookup(gate, "metric"),
                    "metric 'count' is allowed only in an overall gate (overall: {min: N})");
    if (fg_metric_is_index(spec->metric))
        return fail(c, lookup(gate, "metric"),
                    "metric '%s' is an inequality index, bounded as it is: give "
                    "'overall: {max: ...}' (%s), not a disparity",
                    spec->alias != NULL ? spec->alias->name : fg_metric_name(spec->metric),
                    fg_metric_kind(spec->metric) == FG_METRIC_KIND_INDEX
                        ? "of the whole population"
                        : "one value per protected attribute and intersection");
    const struct node *node = lookup(gate, "disparity");
    if (fg_metric_kind(spec->metric) == FG_METRIC_KIND_PAIR)
        return parse_pair_gate(c, gate, gate_name, spec);
    if (node == NULL && spec->alias == NULL)
        return fail(c, gate,
                    "%s has no 'disparity' (ratio, difference or signed_difference; or 'overall' "
                    "for a bound on the whole population)",
                    gate_name);
    TRY(parse_disparity(c, node, spec));
    TRY(parse_bounds(c, gate, disparity_bound_rule(spec), spec));
    if ((node = lookup(gate, "vs_incumbent")) != NULL)
        TRY(parse_vs_incumbent(c, node, gate_name, spec));
    if (!spec->has_min && !spec->has_max && !spec->has_max_worsening)
        return fail(c, gate, "%s sets no bound: give 'min', 'max' or 'vs_incumbent'", gate_name);
    return FG_OK;
}

/* The gate's 'id': present, well formed and not used by an earlier gate. */
static enum fg_status parse_gate_id(const struct ctx *c, const struct node *gates, size_t index,
                                    const char *gate_name, struct fg_policy *p)
{
    const struct node *gate = gates->items[index];
    const struct node *id = lookup(gate, "id");
    if (id == NULL)
        return fail(c, gate, "%s has no 'id'", gate_name);
    TRY(want_string(c, id, "id", false));
    if (!gate_id_ok(id->text, id->len))
        return fail(c, id,
                    "gate id '%s' must be 1 to %d characters from A-Z, a-z, 0-9, '.', '_', '-'",
                    show(id->text).s, MAX_GATE_ID);
    for (size_t j = 0; j < index; j++)
        if (strcmp(p->gates[j].id, id->text) == 0)
            return fail(c, id, "duplicate gate id '%s' (first used at line %lu)", show(id->text).s,
                        lookup(gates->items[j], "id")->mark.line);
    if ((p->gates[index].id = fg_strdup(id->text)) == NULL)
        return nomem(c);
    return FG_OK;
}

/* A calibration_gap gate's 'bins': the same in every calibration_gap gate of the policy. */
static enum fg_status parse_gate_bins(const struct ctx *c, const struct node *gate,
                                      const struct fg_gate_spec *spec, struct fg_policy *p)
{
    const struct node *node = lookup(gate, "bins");
    if (node == NULL)
        return FG_OK;
    if (spec->metric != FG_METRIC_CALIBRATION_GAP)
        return fail(c, lookup_key(gate, "bins"),
                    "'bins' applies only to metric 'calibration_gap', not to '%s'",
                    fg_metric_name(spec->metric));
    uint64_t bins = 0;
    TRY(get_uint(c, node, "bins", &bins));
    if (bins < 1 || bins > FG_MAX_BINS)
        return fail(c, node, "'bins' is %s, but it must be between 1 and %d", show(node->text).s,
                    FG_MAX_BINS);
    if (p->calibration_bins_mark.line != 0 && p->calibration_bins != bins)
        return fail(c, node,
                    "'bins' is %s, but the calibration_gap gate at line %lu uses %u; every "
                    "calibration_gap gate of a policy uses the same bins",
                    show(node->text).s, p->calibration_bins_mark.line, p->calibration_bins);
    p->calibration_bins = (unsigned)bins;
    p->calibration_bins_mark = node->mark;
    return FG_OK;
}

/* The gate's 'metric' (a score metric only with the candidate's scores) and its 'bins'. */
static enum fg_status parse_gate_metric(const struct ctx *c, const struct node *gate,
                                        const char *gate_name, struct fg_gate_spec *spec,
                                        struct fg_policy *p)
{
    const struct node *node = lookup(gate, "metric");
    if (node == NULL)
        return fail(c, gate, "%s has no 'metric'", gate_name);
    size_t metric = 0;
    TRY(want_string(c, node, "metric", false));
    if ((spec->alias = fg_metric_alias_lookup(node->text)) != NULL) {
        spec->metric = spec->alias->metric;
        return FG_OK;
    }
    const char *names[FG_METRIC__N + FG_MAX_ALIASES];
    size_t n = 0;
    for (size_t i = 0; i < FG_METRIC__N; i++)
        names[n++] = fg_metric_catalog[i].name;
    for (size_t i = 0; i < fg_metric_n_aliases && n < N_OF(names); i++)
        names[n++] = fg_metric_aliases[i].name;
    TRY(get_choice(c, node, "metric", "metric", names, n, &metric));
    spec->metric = (enum fg_metric)metric;
    if (fg_metric_is_score(spec->metric) && p->data.candidate.score == NULL)
        return fail(c, node,
                    "metric '%s' needs the candidate's scores: give 'data.candidate' as "
                    "{score: COLUMN, threshold: T}",
                    fg_metric_name(spec->metric));
    return parse_gate_bins(c, gate, spec, p);
}

/* The gate's 'ge_alpha': GE's alpha for the metrics that take one (default 2, as AIF360's
 * generalized_entropy_index, classification_metric.py:692); an alias that fixes alpha
 * (clarify.GE: 2) refuses another. */
/* Foulds et al.'s differential fairness metrics: one value per attribute set like the
 * between_group_ indices, but no alpha of their own. */
static bool differential_fairness(enum fg_metric metric)
{
    return metric == FG_METRIC_SMOOTHED_EMPIRICAL_DIFFERENTIAL_FAIRNESS ||
           metric == FG_METRIC_DIFFERENTIAL_FAIRNESS_BIAS_AMPLIFICATION;
}

static enum fg_status parse_gate_alpha(const struct ctx *c, const struct node *gate,
                                       struct fg_gate_spec *spec)
{
    const struct node *node = lookup(gate, "ge_alpha");
    const char *name = spec->alias != NULL ? spec->alias->name : fg_metric_name(spec->metric);
    spec->ge_alpha = 0.0;
    if (!fg_metric_takes_alpha(spec->metric)) {
        if (node != NULL)
            return fail(c, lookup_key(gate, "ge_alpha"),
                        "'ge_alpha' applies to generalized_entropy_index and its between_group_ "
                        "and within_group_ forms, not to '%s'%s",
                        name,
                        fg_metric_is_index(spec->metric) && !differential_fairness(spec->metric)
                            ? " (its alpha is fixed: 1 for Theil, 2 for the coefficient of "
                              "variation)"
                            : "");
        return FG_OK;
    }
    double fixed = spec->alias != NULL && spec->alias->form == FG_ALIAS_INDEX_ALPHA2 ? 2.0 : 0.0;
    spec->ge_alpha = fixed > 0.0 ? fixed : FG_DEFAULT_GE_ALPHA;
    if (node == NULL)
        return FG_OK;
    double alpha = 0.0;
    TRY(get_number(c, node, "ge_alpha", &alpha));
    if (fixed > 0.0 && alpha != fixed)
        return fail(c, node,
                    "'ge_alpha' is %s, but metric '%s' is GE with alpha %g (%s); drop "
                    "'ge_alpha', or name the metric 'generalized_entropy_index'",
                    show(node->text).s, name, fixed, spec->alias->source);
    if (fabs(alpha) > FG_MAX_GE_ALPHA)
        return fail(c, node, "'ge_alpha' is %s, but it must be between -%d and %d",
                    show(node->text).s, FG_MAX_GE_ALPHA, FG_MAX_GE_ALPHA);
    spec->ge_alpha = alpha;
    return FG_OK;
}

/* The gate's 'strata', which the conditional demographic disparities need and no other metric
 * takes: a protected attribute (so the counts carry it), not the only one (the facets are the
 * groups of the attribute sets without it). */
static enum fg_status parse_gate_strata(const struct ctx *c, const struct node *gate,
                                        struct fg_gate_spec *spec, const struct fg_policy *p)
{
    const struct node *node = lookup(gate, "strata");
    const char *name = spec->alias != NULL ? spec->alias->name : fg_metric_name(spec->metric);
    spec->strata = 0;
    if (!fg_metric_takes_strata(spec->metric)) {
        if (node != NULL)
            return fail(c, lookup_key(gate, "strata"),
                        "'strata' applies to the conditional demographic disparities "
                        "(clarify.CDDL, clarify.CDDPL), not to '%s'",
                        name);
        return FG_OK;
    }
    if (node == NULL)
        return fail(c, lookup(gate, "metric"),
                    "metric '%s' is computed within strata: give 'strata', the protected "
                    "attribute whose values are the strata (for example strata: %s)",
                    name, p->data.protected[p->data.n_protected - 1]);
    TRY(want_string(c, node, "strata", false));
    for (size_t i = 0; i < p->data.n_protected; i++) {
        if (strcmp(node->text, p->data.protected[i]) != 0)
            continue;
        if (p->data.n_protected < 2)
            return fail(c, node,
                        "strata '%s' is the only protected attribute, so there is no facet to "
                        "compare within it: declare the facet's attribute in data.protected too",
                        show(node->text).s);
        spec->strata = i;
        return FG_OK;
    }
    char tip[400];
    hint(tip, sizeof tip, node->text, (const char *const *)p->data.protected, p->data.n_protected,
         true);
    return fail(c, node,
                "strata '%s' is not a protected attribute: declare it in data.protected (the "
                "counts carry only those columns)%s",
                show(node->text).s, tip);
}

/* Which groups the gate compares and how: 'reference', 'min_group_size' and
 * 'on_small_group', and whether its failure blocks ('enforce'), each defaulting to the
 * policy's defaults. */
static enum fg_status parse_gate_groups(const struct ctx *c, const struct node *gate,
                                        struct fg_gate_spec *spec, struct fg_policy *p)
{
    const struct node *node;
    if ((node = lookup(gate, "reference")) != NULL)
        TRY(parse_reference(c, node, p, &spec->reference));
    else
        TRY(copy_reference(c, &p->defaults.reference, p->data.n_protected, &spec->reference));
    spec->min_group_size = p->defaults.min_group_size;
    if ((node = lookup(gate, "min_group_size")) != NULL)
        TRY(get_uint(c, node, "min_group_size", &spec->min_group_size));
    spec->on_small_group = p->defaults.on_small_group;
    if ((node = lookup(gate, "on_small_group")) != NULL)
        TRY(get_small_group(c, node, &spec->on_small_group));
    spec->enforce = p->defaults.enforce;
    if ((node = lookup(gate, "enforce")) != NULL)
        TRY(get_enforce(c, node, &spec->enforce));
    return FG_OK;
}

/* The gate's statistical settings (evidence, alpha, correction, resamples, seed), defaulting
 * to the policy's; an interval only for a rate, 'bootstrap' only with 'vs_incumbent'. */
static enum fg_status parse_gate_evidence(const struct ctx *c, const struct node *gate,
                                          const char *gate_name, const char *where,
                                          struct fg_gate_spec *spec, const struct fg_policy *p)
{
    struct stats_settings s = {p->defaults.evidence, p->defaults.alpha, p->defaults.correction,
                               p->defaults.resamples, p->defaults.seed};
    TRY(parse_stats_settings(c, gate, where, &s));
    spec->evidence = s.evidence;
    spec->alpha = s.alpha;
    spec->correction = s.correction;
    spec->resamples = s.resamples;
    spec->seed = s.seed;
    if ((fg_metric_is_score(spec->metric) || fg_metric_is_index(spec->metric)) &&
        spec->evidence != FG_EVIDENCE_POINT)
        return fail(c, lookup(gate, "evidence") ? lookup(gate, "evidence") : gate,
                    "%s: evidence '%s' needs an interval, which fairgate computes for the rates, "
                    "not for the %s metric '%s'; give 'evidence: point' on this gate",
                    gate_name, fg_evidence_name(spec->evidence),
                    fg_metric_is_score(spec->metric) ? "score" : "inequality index",
                    fg_metric_name(spec->metric));
    const struct node *node = lookup_key(gate, "bootstrap");
    if (node != NULL && !spec->has_max_worsening)
        return fail(c, node,
                    "'bootstrap' applies to a gate with 'vs_incumbent' (the paired bootstrap "
                    "of the change against the incumbent)");
    return FG_OK;
}

static enum fg_status parse_gate(const struct ctx *c, const struct node *gates, size_t index,
                                 struct fg_policy *p)
{
    const struct node *gate = gates->items[index];
    struct fg_gate_spec *spec = &p->gates[index];
    char gate_name[96];
    if (gate->kind != NODE_MAP)
        return fail(c, gate, "gate #%zu must be a mapping, not %s", index + 1, kind_name(gate));
    const struct node *id = lookup(gate, "id");
    if (id != NULL && id->kind == NODE_SCALAR && !is_null(id))
        snprintf(gate_name, sizeof gate_name, "gate '%s'", show(id->text).s);
    else
        snprintf(gate_name, sizeof gate_name, "gate #%zu", index + 1);
    spec->mark = gate->mark;
    char where[128];
    snprintf(where, sizeof where, "in %s", gate_name);
    TRY(check_keys(c, gate, gate_keys, N_OF(gate_keys), where));
    TRY(parse_gate_id(c, gates, index, gate_name, p));
    TRY(parse_gate_metric(c, gate, gate_name, spec, p));
    TRY(parse_gate_alpha(c, gate, spec));
    TRY(parse_gate_strata(c, gate, spec, p));
    const struct node *node = lookup(gate, "description");
    if (node != NULL) {
        TRY(want_string(c, node, "description", true));
        if ((spec->description = fg_strdup(node->text)) == NULL)
            return nomem(c);
    }
    TRY(lookup(gate, "overall") != NULL ? parse_overall_gate(c, gate, gate_name, spec)
                                        : parse_disparity_gate(c, gate, gate_name, spec));
    TRY(parse_gate_groups(c, gate, spec, p));
    TRY(parse_gate_evidence(c, gate, gate_name, where, spec, p));
    return spec->overall ? FG_OK : check_gate_metric(c, gate, gate_name, spec);
}

static enum fg_status parse_gates(const struct ctx *c, const struct node *gates,
                                  struct fg_policy *p)
{
    TRY(want_list(c, gates, "gates"));
    if (gates->n == 0)
        return fail(c, gates, "'gates' is empty; a policy needs at least one gate");
    if (gates->n > FG_MAX_GATES)
        return fail_limit(c, gates, "'gates' lists %zu gates; the limit is %d", gates->n,
                          FG_MAX_GATES);
    p->gates = calloc(gates->n, sizeof *p->gates);
    if (p->gates == NULL)
        return nomem(c);
    p->n_gates = gates->n; /* zeroed specs free cleanly */
    for (size_t i = 0; i < gates->n; i++)
        TRY(parse_gate(c, gates, i, p));
    return FG_OK;
}

/* ---- overrides ---- */

static const char *const overrides_keys[] = {"approvers", "required_approvals", "max_days",
                                             "not_overridable"};
static const char *const approver_keys[] = {"name", "role", "public_key", "keyid"};

#define PEM_PUBLIC_KEY "-----BEGIN PUBLIC KEY-----"

bool fg_approver_key_path(const char *policy_path, const char *public_key, char *out, size_t size)
{
    const char *slash = strrchr(policy_path, '/');
    int n =
        public_key[0] == '/' || slash == NULL
            ? snprintf(out, size, "%s", public_key)
            : snprintf(out, size, "%.*s/%s", (int)(slash - policy_path), policy_path, public_key);
    return n >= 0 && (size_t)n < size;
}

/* An approver named its key by path and pinned no keyid: the error says how to pin it, and
 * lint, when it can read the key file, gives the exact line to add. */
static enum fg_status missing_keyid(const struct ctx *c, const struct node *item,
                                    const struct fg_approver *approver)
{
    char path[4096], id[65] = "";
    struct fg_key *key = NULL;
    struct fg_error ignored = {0};
    if (c->lint && fg_approver_key_path(c->file, approver->public_key, path, sizeof path) &&
        fg_key_load_public(path, &key, &ignored) == FG_OK) {
        fg_key_id(key, id);
        fg_key_free(key);
        return fail(c, item,
                    "approver '%s' names its public key by path, so the policy must pin it: "
                    "add the line 'keyid: %s' to this approver",
                    show(approver->name).s, id);
    }
    return fail(c, item,
                "approver '%s' names its public key by path, so the policy must pin it: add "
                "'keyid: <64 hex digits>', the 'key id' that `fairgate keygen` printed (or "
                "`openssl pkey -pubin -in %s -outform DER | sha256sum`; `fairgate lint` prints "
                "the line when it can read the file)",
                show(approver->name).s, show(approver->public_key).s);
}

/* lint reads an approver's key file as check and override will: it must exist, hold an
 * Ed25519 public key (not a private key, another kind of key or anything else) and be the
 * key the policy pins, so that a policy lint accepts does not stop the pipeline with exit 2.
 * Errors at the approver's public_key (a file that does not serve) or keyid (another key). */
static enum fg_status lint_key_file(const struct ctx *c, const struct node *item,
                                    const struct fg_approver *approver)
{
    const struct node *pem = lookup(item, "public_key"), *keyid = lookup(item, "keyid");
    char path[4096], id[65] = "";
    if (!fg_approver_key_path(c->file, approver->public_key, path, sizeof path))
        return fail(c, pem, "approver '%s': the path of its public_key is too long",
                    show(approver->name).s);
    struct fg_key *key = NULL;
    struct fg_error key_err = {0};
    enum fg_status st = fg_key_load_public(path, &key, &key_err);
    if (st == FG_ERR_NOMEM)
        return nomem(c);
    if (st != FG_OK)
        return fail(c, pem, "approver '%s': public_key %s: %s", show(approver->name).s,
                    show(path).s, key_err.message);
    fg_key_id(key, id);
    fg_key_free(key);
    if (strcmp(id, approver->keyid) == 0)
        return FG_OK;
    return fail(c, keyid,
                "approver '%s': keyid %s is not the id of its key file %s (%s): restore the "
                "approver's key file, or, if the approver's key really changed, put its id here",
                show(approver->name).s, approver->keyid, show(path).s, id);
}

/* Reads the key pin of one approver entry: keyid, and the inline key's own id. */
static enum fg_status parse_approver_key(const struct ctx *c, const struct node *item,
                                         struct fg_approver *approver)
{
    const struct node *keyid = lookup(item, "keyid");
    const struct node *pem = lookup(item, "public_key");
    if (keyid != NULL) {
        TRY(want_string(c, keyid, "keyid", false));
        if (!fg_is_hex64(keyid->text))
            return fail(c, keyid,
                        "'keyid' must be 64 lowercase hex digits (the 'key id' that `fairgate "
                        "keygen` printed), not '%s'",
                        show(keyid->text).s);
    }
    /* PEM text is inline whatever block it holds: a private key (or anything with a PEM
     * line) pasted here is refused as such, never taken for a path and echoed in the error. */
    approver->inline_key = strncmp(pem->text, PEM_PUBLIC_KEY, strlen(PEM_PUBLIC_KEY)) == 0 ||
                           strstr(pem->text, "-----BEGIN ") != NULL ||
                           strchr(pem->text, '\n') != NULL;
    if (!approver->inline_key) {
        if (keyid == NULL)
            return missing_keyid(c, item, approver);
        memcpy(approver->keyid, keyid->text, sizeof approver->keyid);
        return FG_OK; /* lint reads the file once the whole policy has parsed */
    }
    char where[64];
    snprintf(where, sizeof where, "%s:%lu:%lu", c->file, pem->mark.line, pem->mark.column);
    struct fg_key *key = NULL;
    struct fg_error key_err = {0};
    enum fg_status st = fg_key_parse_public(where, pem->text, pem->len, &key, &key_err);
    if (st == FG_ERR_NOMEM)
        return nomem(c);
    if (st != FG_OK)
        return fail(c, pem, "the inline public_key of approver '%s': %s", show(approver->name).s,
                    key_err.message);
    fg_key_id(key, approver->keyid);
    fg_key_free(key);
    if (keyid != NULL && strcmp(keyid->text, approver->keyid) != 0)
        return fail(c, keyid, "approver '%s': keyid %s is not the id of the inline public_key (%s)",
                    show(approver->name).s, keyid->text, approver->keyid);
    return FG_OK;
}

static enum fg_status parse_approvers(const struct ctx *c, const struct node *list,
                                      struct fg_override_policy *o)
{
    TRY(want_list(c, list, "approvers"));
    if (list->n == 0)
        return fail(c, list, "'approvers' is empty; list at least one approver");
    o->approvers = calloc(list->n, sizeof *o->approvers);
    if (o->approvers == NULL)
        return nomem(c);
    o->n_approvers = list->n;
    for (size_t i = 0; i < list->n; i++) {
        const struct node *item = list->items[i];
        struct fg_approver *approver = &o->approvers[i];
        char where[64];
        if (item->kind != NODE_MAP)
            return fail(c, item, "approver #%zu must be a mapping, not %s", i + 1, kind_name(item));
        approver->mark = item->mark;
        snprintf(where, sizeof where, "in approver #%zu", i + 1);
        TRY(check_keys(c, item, approver_keys, N_OF(approver_keys), where));
        char **fields[] = {&approver->name, &approver->role, &approver->public_key};
        for (size_t k = 0; k < N_OF(fields); k++) {
            const struct node *value = lookup(item, approver_keys[k]);
            if (value == NULL)
                return fail(c, item, "approver #%zu has no '%s'", i + 1, approver_keys[k]);
            TRY(get_string(c, value, approver_keys[k], false, fields[k]));
        }
        for (size_t j = 0; j < i; j++)
            if (strcmp(o->approvers[j].name, approver->name) == 0)
                return fail(c, lookup(item, "name"), "approver '%s' is listed twice",
                            show(approver->name).s);
        TRY(parse_approver_key(c, item, approver));
        /* One key, one approver: else one signature would count as two approvals. */
        for (size_t j = 0; j < i; j++)
            if (strcmp(o->approvers[j].keyid, approver->keyid) == 0)
                return fail(c, item,
                            "approver '%s' has the same key as approver '%s' (line %lu; key id "
                            "%.16s...): each approver needs a key of their own, or one "
                            "signature would count as two approvals",
                            show(approver->name).s, show(o->approvers[j].name).s,
                            o->approvers[j].mark.line, approver->keyid);
    }
    return FG_OK;
}

static enum fg_status parse_not_overridable(const struct ctx *c, const struct node *list,
                                            struct fg_policy *p)
{
    struct fg_override_policy *o = &p->overrides;
    TRY(want_list(c, list, "not_overridable"));
    if (list->n == 0)
        return FG_OK;
    o->not_overridable = calloc(list->n, sizeof *o->not_overridable);
    if (o->not_overridable == NULL)
        return nomem(c);
    o->n_not_overridable = list->n;
    const char *ids[FG_MAX_GATES];
    for (size_t i = 0; i < p->n_gates; i++)
        ids[i] = p->gates[i].id;
    for (size_t i = 0; i < list->n; i++) {
        const struct node *item = list->items[i];
        TRY(want_string(c, item, "not_overridable", false));
        bool found = false;
        for (size_t j = 0; j < p->n_gates && !found; j++)
            found = strcmp(ids[j], item->text) == 0;
        if (!found) {
            char tip[400];
            hint(tip, sizeof tip, item->text, ids, p->n_gates, false);
            return fail(c, item, "'not_overridable' names unknown gate '%s'%s", show(item->text).s,
                        tip);
        }
        for (size_t j = 0; j < i; j++)
            if (strcmp(o->not_overridable[j], item->text) == 0)
                return fail(c, item, "gate '%s' is listed twice in 'not_overridable'",
                            show(item->text).s);
        if ((o->not_overridable[i] = fg_strdup(item->text)) == NULL)
            return nomem(c);
    }
    return FG_OK;
}

/* lint: every approver's key file, after the policy's text has passed (so that an error in
 * the text is reported first, wherever it is). */
static enum fg_status lint_key_files(const struct ctx *c, const struct node *overrides,
                                     const struct fg_override_policy *o)
{
    const struct node *list = lookup(overrides, "approvers");
    for (size_t i = 0; i < o->n_approvers; i++)
        if (!o->approvers[i].inline_key)
            TRY(lint_key_file(c, list->items[i], &o->approvers[i]));
    return FG_OK;
}

static enum fg_status parse_overrides(const struct ctx *c, const struct node *node,
                                      struct fg_policy *p)
{
    struct fg_override_policy *o = &p->overrides;
    TRY(want_map(c, node, "overrides"));
    TRY(check_keys(c, node, overrides_keys, N_OF(overrides_keys), "in 'overrides'"));
    const struct node *value = lookup(node, "approvers");
    if (value == NULL)
        return fail(c, node, "'overrides' has no 'approvers'");
    TRY(parse_approvers(c, value, o));
    o->required_approvals = 1;
    if ((value = lookup(node, "required_approvals")) != NULL) {
        TRY(get_uint(c, value, "required_approvals", &o->required_approvals));
        if (o->required_approvals < 1)
            return fail(c, value, "'required_approvals' must be at least 1");
        if (o->required_approvals > o->n_approvers)
            return fail(c, value, "'required_approvals' is %s, but only %zu approver%s listed",
                        show(value->text).s, o->n_approvers, o->n_approvers == 1 ? " is" : "s are");
    }
    o->max_days = 30;
    if ((value = lookup(node, "max_days")) != NULL) {
        TRY(get_uint(c, value, "max_days", &o->max_days));
        if (o->max_days < 1 || o->max_days > 3650)
            return fail(c, value, "'max_days' is %s, but it must be between 1 and 3650",
                        show(value->text).s);
    }
    if ((value = lookup(node, "not_overridable")) != NULL)
        TRY(parse_not_overridable(c, value, p));
    p->has_overrides = true;
    return FG_OK;
}

/* ---- the whole policy ---- */

static const char *const top_keys[] = {"version", "name", "data", "defaults", "gates", "overrides"};

static enum fg_status parse_policy(const struct ctx *c, const struct node *root,
                                   struct fg_policy *p)
{
    if (root->kind != NODE_MAP)
        return fail(c, root,
                    "a policy must be a mapping (version, name, data, gates, ...), "
                    "not %s",
                    kind_name(root));
    TRY(check_keys(c, root, top_keys, N_OF(top_keys), "at the top level"));
    static const char *const required[] = {"version", "name", "data", "gates"};
    for (size_t i = 0; i < N_OF(required); i++)
        if (lookup(root, required[i]) == NULL)
            return fail(c, root, "the policy has no '%s'", required[i]);
    const struct node *node = lookup(root, "version");
    uint64_t version;
    TRY(get_uint(c, node, "version", &version));
    if (version != 1)
        return fail(c, node, "unsupported policy version %s; this fairgate reads version 1",
                    show(node->text).s);
    p->version = 1;
    TRY(get_string(c, lookup(root, "name"), "name", false, &p->name));
    TRY(parse_data(c, lookup(root, "data"), p));
    p->defaults.reference.kind = FG_REFERENCE_HIGHEST;
    p->defaults.min_group_size = 0;
    p->defaults.on_small_group = FG_SMALL_GROUP_WARN;
    p->defaults.evidence = FG_EVIDENCE_POINT;
    p->defaults.alpha = FG_DEFAULT_ALPHA;
    p->defaults.correction = FG_CORRECTION_HOLM;
    p->defaults.resamples = FG_DEFAULT_RESAMPLES;
    p->defaults.seed = FG_DEFAULT_SEED;
    p->defaults.enforce = FG_ENFORCE_BLOCK;
    p->calibration_bins = FG_DEFAULT_BINS;
    if ((node = lookup(root, "defaults")) != NULL)
        TRY(parse_defaults(c, node, p));
    TRY(parse_gates(c, lookup(root, "gates"), p));
    if ((node = lookup(root, "overrides")) != NULL)
        TRY(parse_overrides(c, node, p));
    if (c->lint && p->has_overrides)
        TRY(lint_key_files(c, node, &p->overrides));
    return FG_OK;
}

/* ---- entry points ---- */

/* Appends line (cut at size - 1 bytes by snprintf's n) to the malloc'd *out; frees it and
 * answers false when out of memory. */
static bool add_warning(char **out, size_t *len, const char *line, int n, size_t size)
{
    if (n < 0)
        return true;
    size_t add = (size_t)n < size ? (size_t)n : size - 1;
    char *grown = realloc(*out, *len + add + 1);
    if (grown == NULL) {
        free(*out);
        *out = NULL;
        return false;
    }
    memcpy(grown + *len, line, add + 1);
    *out = grown;
    *len += add;
    return true;
}

char *fg_policy_warnings(const struct fg_policy *policy)
{
    size_t len = 0, advisory = 0;
    char *out = calloc(1, 1), line[1024];
    for (size_t i = 0; out != NULL && i < policy->n_gates; i++) {
        const struct fg_gate_spec *g = &policy->gates[i];
        advisory += g->enforce == FG_ENFORCE_WARN;
        if (!g->has_max_worsening || policy->data.incumbent.present)
            continue;
        int n = snprintf(line, sizeof line,
                         "%s:%lu:%lu: warning: gate '%s' compares with the incumbent "
                         "(vs_incumbent), but data names no incumbent: it is never evaluated "
                         "(its results are insufficient_data; on_small_group decides whether "
                         "that fails, warns or is skipped)\n",
                         policy->path, g->mark.line, g->mark.column, g->id);
        add_warning(&out, &len, line, n, sizeof line);
    }
    if (out != NULL && policy->n_gates > 0 && advisory == policy->n_gates) {
        const struct fg_gate_spec *g = &policy->gates[0];
        int n = snprintf(line, sizeof line,
                         "%s:%lu:%lu: warning: every gate is advisory (enforce: warn): no "
                         "gate can fail the check; give 'enforce: block' to the gates that "
                         "must\n",
                         policy->path, g->mark.line, g->mark.column);
        add_warning(&out, &len, line, n, sizeof line);
    }
    return out;
}

/* The SHA-256 of the parsed policy's canonical serialisation (lib/policy_canon.c). */
static enum fg_status canonical_digest(struct fg_policy *policy, struct fg_error *err)
{
    char *text = NULL;
    enum fg_status st = fg_policy_canonical(policy, &text, err);
    if (st == FG_OK)
        st = fg_sha256_hex(text, strlen(text), policy->canonical_sha256, err);
    free(text);
    return st;
}

static enum fg_status policy_parse(const char *name, const char *text, size_t len, bool lint,
                                   struct fg_policy **out, struct fg_error *err)
{
    if (out == NULL)
        return fg_error_set(err, FG_ERR_USAGE, name, 0, 0, "fg_policy_parse: out is NULL");
    *out = NULL;
    if (text == NULL && len > 0)
        return fg_error_set(err, FG_ERR_USAGE, name, 0, 0, "fg_policy_parse: text is NULL");
    if (len > FG_MAX_POLICY_BYTES)
        return fg_error_set(err, FG_ERR_LIMIT, name, 0, 0,
                            "the policy is larger than the limit of %u bytes",
                            (unsigned)FG_MAX_POLICY_BYTES);
    struct ctx c = {.file = name, .err = err, .lint = lint};
    struct node *root = NULL;
    TRY(build_tree(&c, text ? text : "", len, &root));
    struct fg_policy *policy = calloc(1, sizeof *policy);
    if (policy == NULL || (policy->path = fg_strdup(name ? name : "")) == NULL) {
        free(policy);
        node_free(root);
        return nomem(&c);
    }
    enum fg_status st = fg_sha256_hex(text ? text : "", len, policy->sha256, err);
    if (st == FG_OK)
        st = parse_policy(&c, root, policy);
    node_free(root);
    if (st == FG_OK)
        st = canonical_digest(policy, err);
    if (st != FG_OK) {
        fg_policy_free(policy);
        return st;
    }
    *out = policy;
    return FG_OK;
}

enum fg_status fg_policy_parse(const char *name, const char *text, size_t len,
                               struct fg_policy **out, struct fg_error *err)
{
    return policy_parse(name, text, len, false, out, err);
}

static enum fg_status policy_load(const char *path, bool lint, struct fg_policy **out,
                                  struct fg_error *err)
{
    if (out == NULL || path == NULL)
        return fg_error_set(err, FG_ERR_USAGE, path, 0, 0, "fg_policy_load: no path or out");
    *out = NULL;
    char *text = NULL;
    size_t len = 0;
    TRY(fg_file_read_all(path, FG_MAX_POLICY_BYTES, &text, &len, err));
    enum fg_status st = policy_parse(path, text, len, lint, out, err);
    free(text);
    return st;
}

enum fg_status fg_policy_load(const char *path, struct fg_policy **out, struct fg_error *err)
{
    return policy_load(path, false, out, err);
}

enum fg_status fg_policy_lint(const char *path, struct fg_policy **out, struct fg_error *err)
{
    return policy_load(path, true, out, err);
}

const char *fg_policy_sha256(const struct fg_policy *policy)
{
    return policy->sha256;
}

const char *fg_policy_canonical_sha256(const struct fg_policy *policy)
{
    return policy->canonical_sha256;
}
