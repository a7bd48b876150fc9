/*
 * fuzz_number.c - differential fuzz target: fg_decimal_fast (lib/util.c, Clinger's fast path
 * for the scores of lib/ingest.c) against strtod in the C locale (fg_strtod), the reference.
 *
 * The first input byte picks the mode: bit 0 clear, the rest of the input is the text as
 * is; set, the rest is made into a plain decimal (a sign, digits, a point, digits: each byte
 * a digit or the point), so that most inputs reach the division. Bits 1-2 pick the rounding
 * mode (to nearest, down, up, toward zero). Whenever fg_decimal_fast accepts a text:
 * - strtod reads all of it (nothing left over), without ERANGE, to the same double bit for
 *   bit (the sign of zero included), in that rounding mode;
 * - read_score's checks before the fast path would also have taken it: no leading space,
 *   no 'x' or 'X' (hexadecimal), finite; and it is [+-]digits[.digits] only.
 *
 *   make fuzz FUZZ_TARGETS=number   libFuzzer + ASan (clang), runs build-fuzz/fuzz_number
 *   fuzz_number DIR|FILE...         replays a corpus without libFuzzer (make check does)
 */
#include "fuzz.h"

#include "util.h"

#include <errno.h>
#include <fenv.h>
#include <math.h>

#define MAX_TEXT 64 /* longer texts all go to strtod: the fast path takes at most 40 bytes */

/* A plain decimal from bytes: '-' or '+' when the first byte says so, then a digit a byte
 * (a byte of 0xf0 or more: the point). */
static size_t plain(const uint8_t *data, size_t size, char *out)
{
    size_t len = 0;
    if (size > 0) {
        if (data[0] % 3 == 1)
            out[len++] = '-';
        else if (data[0] % 3 == 2)
            out[len++] = '+';
        data++;
        size--;
    }
    for (size_t i = 0; i < size && len < MAX_TEXT; i++)
        out[len++] = data[i] >= 0xf0 ? '.' : (char)('0' + data[i] % 10);
    return len;
}

static bool plain_form(const char *text, size_t len)
{
    size_t i = text[0] == '-' || text[0] == '+' ? 1 : 0, digits = 0, points = 0;
    for (; i < len; i++) {
        if (text[i] == '.')
            points++;
        else if (text[i] >= '0' && text[i] <= '9')
            digits++;
        else
            return false;
    }
    return digits > 0 && points <= 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const int modes[] = {FE_TONEAREST, FE_DOWNWARD, FE_UPWARD, FE_TOWARDZERO};
    if (size == 0)
        return 0;
    unsigned mode = data[0];
    char text[MAX_TEXT + 1];
    size_t len;
    if (mode & 1) {
        len = plain(data + 1, size - 1, text);
    } else {
        len = size - 1 < MAX_TEXT ? size - 1 : MAX_TEXT;
        memcpy(text, data + 1, len);
    }
    text[len] = '\0'; /* a NUL inside stays: the fast path must refuse it, as strtod stops */
    FUZZ_CHECK(fesetround(modes[(mode >> 1) & 3]) == 0);
    double fast = 0.0;
    bool taken = fg_decimal_fast(text, len, &fast);
    char *end = NULL;
    double reference = fg_strtod(text, &end);
    int saved = errno;
    FUZZ_CHECK(fesetround(FE_TONEAREST) == 0);
    if (!taken)
        return 0;
    FUZZ_CHECK(len > 0 && plain_form(text, len));
    FUZZ_CHECK(end == text + len);
    FUZZ_CHECK(saved == 0);
    FUZZ_CHECK(isfinite(fast));
    FUZZ_CHECK(memchr(text, 'x', len) == NULL && memchr(text, 'X', len) == NULL);
    FUZZ_CHECK(memcmp(&fast, &reference, sizeof fast) == 0);
    return 0;
}
