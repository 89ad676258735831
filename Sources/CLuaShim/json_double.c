// A double as json.encode's Swift path writes it: Swift's Double.description, the shortest
// digits that read back as the same double (the closest to it among those), in decimal
// form ("9007199254740992.0", "0.0001", "-0.0") from 1e-4 up to 2^53, else exponential
// ("9.007199254740994e+15", "1e-05", "1.7976931348623157e+308": a sign and at least two exponent digits).
//
// The digits come from glibc's correctly rounded "%.*e" and strtod, tried at 15, 16 and 17
// significant digits. At 15 that is exact: two 15-digit decimals never read as the same
// normal double (DBL_DIG), so the one that reads back, its trailing zeros dropped, is the
// only shortest form. At 16 and 17 the correctly rounded form is the closest candidate, and
// it reads back whenever any candidate does, because the decimals that read back form an
// interval centred on the value; for a power of two the interval is twice as wide above,
// so the next decimal up is tried too. Subnormals (fewer than 15 digits of precision)
// return 0: the caller hands them to the Swift path. Checked against Swift's description
// on 7 million doubles (random bit patterns, short decimals, large integers, powers of two
// and ten): no difference.
#include "internal.h"
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

// The `digits` significant digits of d correctly rounded ("%.*e"): in `out` (no point,
// trailing zeros kept), with the decimal exponent. Returns whether they read back as d.
static int rounded_digits(double d, int digits, char *out, int *exponent) {
    char text[40];
    snprintf(text, sizeof text, "%.*e", digits - 1, d);
    int k = 0;
    const char *p = text + (text[0] == '-');
    for (; *p != 'e'; p++) if (*p != '.') out[k++] = *p;
    *exponent = atoi(p + 1);
    return strtod(text, NULL) == d;
}

// Whether digits × 10^(exponent - k + 1), with d's sign, reads back as d.
static int reads_back(double d, const char *digits, int k, int exponent) {
    char text[48];
    snprintf(text, sizeof text, "%s%.*se%d", d < 0 ? "-" : "", k, digits, exponent - k + 1);
    return strtod(text, NULL) == d;
}

// The k-digit decimal next above `digits` (which is below |d|): carries, and a carry out
// of the first digit moves the exponent ("999" becomes "100", one power of ten up).
static void next_up(char *digits, int k, int *exponent) {
    int i = k - 1;
    while (i >= 0 && digits[i] == '9') digits[i--] = '0';
    if (i >= 0) { digits[i]++; return; }
    digits[0] = '1';
    (*exponent)++;
}

// The closest k-digit decimal that reads back as d, if one does: the correctly rounded
// one, or, for a power of two whose interval is wider above, the next one above it.
static int closest_that_reads_back(double d, int k, int power_of_two, char *digits, int *exponent) {
    if (rounded_digits(d, k, digits, exponent)) return 1;
    if (!power_of_two) return 0;
    char text[48];
    snprintf(text, sizeof text, "%.*se%d", k, digits, *exponent - k + 1);
    if (strtod(text, NULL) > fabs(d)) return 0;
    next_up(digits, k, exponent);
    return reads_back(d, digits, k, *exponent);
}

size_t ud_json_format_double(double d, char *out) {
    if (!isfinite(d)) return 0;
    char *o = out;
    if (d == 0) {
        memcpy(o, signbit(d) ? "-0.0" : "0.0", signbit(d) ? 4 : 3);
        return signbit(d) ? 4 : 3;
    }
    if (fabs(d) < 0x1p-1022) return 0;   // subnormal
    char digits[24];
    int exponent = 0, k, e2;
    int power_of_two = frexp(fabs(d), &e2) == 0.5;
    if (closest_that_reads_back(d, 15, power_of_two, digits, &exponent)) {
        k = 15;
        while (k > 1 && digits[k - 1] == '0') k--;
    } else if (closest_that_reads_back(d, 16, power_of_two, digits, &exponent)) {
        k = 16;
    } else if (closest_that_reads_back(d, 17, power_of_two, digits, &exponent)) {
        k = 17;
    } else {
        return 0;
    }
    if (signbit(d)) *o++ = '-';
    if (exponent < -4 || fabs(d) > 0x1p53) {
        *o++ = digits[0];
        if (k > 1) {
            *o++ = '.';
            memcpy(o, digits + 1, (size_t)k - 1);
            o += k - 1;
        }
        *o++ = 'e';
        *o++ = exponent < 0 ? '-' : '+';
        int e = abs(exponent);
        if (e >= 100) *o++ = (char)('0' + e / 100);
        *o++ = (char)('0' + e / 10 % 10);
        *o++ = (char)('0' + e % 10);
    } else if (exponent >= 0) {
        int whole = exponent + 1;        // digits before the point
        if (k <= whole) {
            memcpy(o, digits, (size_t)k);
            o += k;
            for (int i = k; i < whole; i++) *o++ = '0';
            *o++ = '.';
            *o++ = '0';
        } else {
            memcpy(o, digits, (size_t)whole);
            o += whole;
            *o++ = '.';
            memcpy(o, digits + whole, (size_t)(k - whole));
            o += k - whole;
        }
    } else {
        *o++ = '0';
        *o++ = '.';
        for (int i = 0; i < -exponent - 1; i++) *o++ = '0';
        memcpy(o, digits, (size_t)k);
        o += k;
    }
    return (size_t)(o - out);
}
