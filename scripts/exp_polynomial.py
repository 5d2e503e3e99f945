"""The coefficients of e^r on [-ln2/2, ln2/2] in expF64x2 (assembly/math.ts): a degree-11 Chebyshev fit by mpmath
at 40 digits, rounded to doubles, and the largest relative error of the rounded polynomial on a grid.
Run: python3 scripts/exp_polynomial.py"""
import mpmath as mp

mp.mp.dps = 40
half_ln2 = mp.log(2) / 2
poly, _ = mp.chebyfit(mp.exp, [-half_ln2, half_ln2], 12, error=True)
coefficients = [float(c) for c in poly[::-1]]  # c0 … c11
worst = mp.mpf(0)
for i in range(2001):
    r = -half_ln2 + 2 * half_ln2 * i / 2000
    value = mp.mpf(0)
    for c in reversed(coefficients):
        value = value * r + mp.mpf(c)
    worst = max(worst, abs(value / mp.exp(r) - 1))
print("coefficients c0 … c11:", ", ".join(repr(c) for c in coefficients))
print("largest relative error:", mp.nstr(worst, 3))
