// A double as json.encode's Swift path writes it: Swift's Double.description, the shortest
// digits that read back as the same double (the closest to it among those), in decimal
// form ("9007199254740992.0", "0.0001", "-0.0") from 1e-4 up to 2^53, else exponential
// ("9.007199254740994e+15", "1e-05", "1.7976931348623157e+308": a sign and at least two exponent digits).
//
// The digits come from glibc's correctly rounded "%.16e" (rounded again to 15 and 16
// digits) and strtod, tried at 15, 16 and 17 significant digits. At 15 that is exact: two 15-digit decimals never read as the same
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

// The 17 significant digits of |d| correctly rounded ("%.16e"), which always read back as
// d: in `out` (no point), with the decimal exponent.
static void digits17(double d, char *out, int *exponent) {
    char text[40];
    snprintf(text, sizeof text, "%.16e", fabs(d));
    int k = 0;
    const char *p = text;
    for (; *p != 'e'; p++) if (*p != '.') out[k++] = *p;
    *exponent = atoi(p + 1);
}

// The k-digit decimal next above `digits`: carries, and a carry out of the first digit
// moves the exponent ("999" becomes "100", one power of ten up).
static void next_up(char *digits, int k, int *exponent) {
    int i = k - 1;
    while (i >= 0 && digits[i] == '9') digits[i--] = '0';
    if (i >= 0) { digits[i]++; return; }
    digits[0] = '1';
    (*exponent)++;
}

// The k significant digits of |d| correctly rounded, from its 17 (one printf per double,
// not one per length tried). Rounding the 17-digit form again agrees with rounding d
// itself unless the digits dropped are exactly 5 then zeros (the 17-digit form may have
// been rounded to that half): then printf rounds d at k digits.
static void rounded_digits(double d, const char *d17, int e17, int k, char *out, int *exponent) {
    int half = d17[k] == '5';
    for (int i = k + 1; i < 17 && half; i++) half = d17[i] == '0';
    if (half) {
        char text[40];
        snprintf(text, sizeof text, "%.*e", k - 1, fabs(d));
        int n = 0;
        const char *p = text;
        for (; *p != 'e'; p++) if (*p != '.') out[n++] = *p;
        *exponent = atoi(p + 1);
        return;
    }
    memcpy(out, d17, (size_t)k);
    *exponent = e17;
    if (d17[k] >= '5') next_up(out, k, exponent);
}

// Whether the decimal digits × 10^(exponent - k + 1), with d's sign, reads back as d (and,
// in *above, whether it is above |d|).
static int reads_back(double d, const char *digits, int k, int exponent, int *above) {
    char text[48], *o = text;
    memcpy(o, digits, (size_t)k);
    o += k;
    *o++ = 'e';
    int e = exponent - k + 1;
    if (e < 0) { *o++ = '-'; e = -e; }
    char rev[8];
    int n = 0;
    do { rev[n++] = (char)('0' + e % 10); e /= 10; } while (e);
    while (n) *o++ = rev[--n];
    *o = '\0';
    double v = strtod(text, NULL);
    if (above) *above = v > fabs(d);
    return v == fabs(d);
}

// The closest k-digit decimal that reads back as d, if one does: the correctly rounded
// one, or, for a power of two whose interval is wider above, the next one above it.
static int closest_that_reads_back(double d, const char *d17, int e17, int k, int power_of_two,
                                   char *digits, int *exponent) {
    int above;
    rounded_digits(d, d17, e17, k, digits, exponent);
    if (reads_back(d, digits, k, *exponent, &above)) return 1;
    if (!power_of_two || above) return 0;
    next_up(digits, k, exponent);
    return reads_back(d, digits, k, *exponent, NULL);
}

static const double exact_powers_of_ten[23] = {
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
    1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
};

// The common case without printf: |d| = a has a form of at most 15 significant digits,
// m × 10^-j with m < 10^15 and 0 <= j <= 22 (both exact doubles, so m / 10^j is rounded
// once, as strtod rounds the decimal). When it has one, a × 10^j is within 0.2 of m (a's
// own rounding and the product's), so rounding it finds m at the first j that works, and
// that form is the only one of 15 digits or fewer (DBL_DIG). Returns 1 with the digits,
// 0 when a has no such form, -1 when a is outside the range where the search is complete.
static int short_form(double a, char *digits, int *k, int *exponent) {
    if (a >= 1e15 || a < 1e-7) return -1;
    for (int j = 0; j <= 22; j++) {
        double scaled = a * exact_powers_of_ten[j];
        if (scaled >= 1e15) return 0;
        double m = nearbyint(scaled);
        if (m / exact_powers_of_ten[j] != a) continue;
        char rev[24];
        int n = 0;
        unsigned long long u = (unsigned long long)m;
        do { rev[n++] = (char)('0' + u % 10); u /= 10; } while (u);
        *exponent = n - 1 - j;
        int first = 0;
        while (first < n - 1 && rev[first] == '0') first++;   // trailing zeros
        *k = n - first;
        for (int i = 0; i < *k; i++) digits[i] = rev[n - 1 - i];
        return 1;
    }
    return 0;
}

size_t ud_json_format_double(double d, char *out) {
    if (!isfinite(d)) return 0;
    char *o = out;
    if (d == 0) {
        memcpy(o, signbit(d) ? "-0.0" : "0.0", signbit(d) ? 4 : 3);
        return signbit(d) ? 4 : 3;
    }
    if (fabs(d) < 0x1p-1022) return 0;   // subnormal
    char d17[24], digits[24];
    int e17, exponent = 0, k = 0, e2;
    int short_found = short_form(fabs(d), digits, &k, &exponent);
    if (short_found != 1) {
        int power_of_two = frexp(fabs(d), &e2) == 0.5;
        digits17(d, d17, &e17);
        if (short_found == -1 && closest_that_reads_back(d, d17, e17, 15, power_of_two, digits, &exponent)) {
            k = 15;
            while (k > 1 && digits[k - 1] == '0') k--;
        } else if (closest_that_reads_back(d, d17, e17, 16, power_of_two, digits, &exponent)) {
            k = 16;
        } else {
            memcpy(digits, d17, 17);
            exponent = e17;
            k = 17;
        }
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
