/*
 * json.h - the one strict JSON gate: every JSON document whose content decides something
 * (a DSSE envelope, an in-toto statement, an override payload, an audit read by `report`)
 * passes through fg_json_parse_strict before cJSON builds its tree.
 *
 * Ownership: *root is the caller's, released with cJSON_Delete.
 */
#ifndef FAIRGATE_JSON_H
#define FAIRGATE_JSON_H

#include "fairgate.h"

struct cJSON;

#define FG_JSON_MAX_DEPTH 512 /* nesting of arrays and objects (cJSON's own limit is 1000) */

/* Parses exactly len bytes of text as one RFC 8259 JSON value and refuses, with the line
 * and column in err, what two readers could see differently: a UTF-8 byte order mark, a raw
 * NUL byte, the escape \u0000, invalid UTF-8 (raw or a lone surrogate escape), a key given
 * twice in one object (cJSON keeps the first, jq the last), and anything but whitespace
 * after the value. what names the document in messages ("DSSE envelope"); err->file is
 * left for the caller to fill. FG_ERR_INPUT on a refusal, FG_ERR_NOMEM, FG_ERR_LIMIT past
 * FG_JSON_MAX_DEPTH. */
FG_MUST_CHECK enum fg_status fg_json_parse_strict(const char *text, size_t len, const char *what,
                                                  struct cJSON **root, struct fg_error *err);

/* Whether two trees (from fg_json_parse_strict: no key twice) hold the same JSON value:
 * the same types, strings byte for byte, numbers as the same double (0.8 and 8e-1 are
 * equal, two doubles one ulp apart are not, unlike cJSON_Compare's tolerance), arrays in
 * order, objects with the same keys whatever their order. NULL equals only NULL. */
bool fg_json_equal(const struct cJSON *a, const struct cJSON *b);

#endif /* FAIRGATE_JSON_H */
