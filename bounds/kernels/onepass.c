/* One-pass tests over whole float64 arrays, for tbounds.bounds.onepass (which also holds the numpy
 * reference every answer here must equal).  numpy needs a pass for the minimum, another for the maximum
 * and three for integrality (floor, compare, all); these read each value once.
 *
 * Every comparison is written so that NaN fails it (!(x >= lo) is true for NaN), as numpy's min and max
 * propagate NaN.  The loops are branch-free OR-reductions over chunks, which the compiler vectorises; a
 * failing chunk ends the pass.  Built with -fno-trapping-math (floor vectorises; no answer here reads the
 * floating-point flags) and -ffp-contract=off (a*b stays one correctly rounded product, as in numpy).
 */
#include <math.h>
#include <stdint.h>

#define CHUNK 2048

#define SWEEP(test)                                                        \
    for (int64_t s = 0; s < n; s += CHUNK) {                               \
        int64_t e = s + CHUNK < n ? s + CHUNK : n;                         \
        int bad = 0;                                                       \
        for (int64_t i = s; i < e; i++) bad |= (test);                     \
        if (bad) return 0;                                                 \
    }                                                                      \
    return 1;

/* 1 when every x[i] lies in the interval (each end open or closed) and, with integer, equals its floor. */
int interval_all(const double *x, int64_t n, double lo, double hi, int lo_open, int hi_open, int integer) {
    if (integer) {
        if (lo_open && hi_open)  { SWEEP(!(x[i] > lo) | !(x[i] < hi) | (x[i] != floor(x[i]))) }
        if (lo_open)             { SWEEP(!(x[i] > lo) | !(x[i] <= hi) | (x[i] != floor(x[i]))) }
        if (hi_open)             { SWEEP(!(x[i] >= lo) | !(x[i] < hi) | (x[i] != floor(x[i]))) }
        SWEEP(!(x[i] >= lo) | !(x[i] <= hi) | (x[i] != floor(x[i])))
    }
    if (lo_open && hi_open)      { SWEEP(!(x[i] > lo) | !(x[i] < hi)) }
    if (lo_open)                 { SWEEP(!(x[i] > lo) | !(x[i] <= hi)) }
    if (hi_open)                 { SWEEP(!(x[i] >= lo) | !(x[i] < hi)) }
    SWEEP(!(x[i] >= lo) | !(x[i] <= hi))
}

/* 1 when every i has left[i] <= right[i] (strict: <), each side one of
 *   kind 0: the constant c;  kind 1: c * x[i];  kind 2: x[i] * y[i]
 * (one rounding per side at most, so the value is numpy's whatever order it multiplies in). */
#define SIDE0(c, x, y) (c)
#define SIDE1(c, x, y) ((c) * (x)[i])
#define SIDE2(c, x, y) ((x)[i] * (y)[i])
#define PAIR(L, R)                                                                   \
    if (strict) { SWEEP(!(L(lc, lx, ly) < R(rc, rx, ry))) }                          \
    SWEEP(!(L(lc, lx, ly) <= R(rc, rx, ry)))

int relation_all(int64_t n, int strict, int lkind, double lc, const double *lx, const double *ly,
                 int rkind, double rc, const double *rx, const double *ry) {
    switch (lkind * 3 + rkind) {
        case 0: PAIR(SIDE0, SIDE0)
        case 1: PAIR(SIDE0, SIDE1)
        case 2: PAIR(SIDE0, SIDE2)
        case 3: PAIR(SIDE1, SIDE0)
        case 4: PAIR(SIDE1, SIDE1)
        case 5: PAIR(SIDE1, SIDE2)
        case 6: PAIR(SIDE2, SIDE0)
        case 7: PAIR(SIDE2, SIDE1)
        default: PAIR(SIDE2, SIDE2)
    }
}
