// Elementwise math on f64x2 lanes.

/**
 * a·b + c. The relaxed-SIMD build fuses it where the hardware can (one rounding instead of two, so
 * results differ from the standard build in the last bits); the standard build multiplies, then adds.
 */
// @ts-ignore: decorator
@inline export function madd(a: v128, b: v128, c: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return f64x2.relaxed_madd(a, b, c);
  return f64x2.add(f64x2.mul(a, b), c);
}

const LOG2E: f64 = 1.4426950408889634;
const LN2_HI: f64 = 6.9314718036912381649e-1;
const LN2_LO: f64 = 1.90821492927058770002e-10;

const ROUNDING_MAGIC: f64 = 6755399441055744.0; // 1.5·2^52: adding it rounds to an integer kept in the low bits
const ROUNDING_MAGIC_BITS: i64 = 0x4338000000000000;
const EXP_UNDERFLOW: f64 = -708.3; // below this 2^k is subnormal; the result (< 3e-308) is flushed to 0
const EXP_OVERFLOW: f64 = 709.7;

/**
 * exp of both lanes, within a few ulps of Math.exp for results above 3e-308 (smaller ones are 0):
 * x = k·ln2 + r with |r| ≤ ln2/2, e^r by a polynomial of degree 11 (error below 2e-17), and 2^k
 * built in the exponent bits. Integer-only tricks (no float-to-int conversion, no 64-bit arithmetic
 * shifts) keep it to instructions every SIMD engine has; the relaxed build fuses its multiply-adds.
 */
// @ts-ignore: decorator
@inline export function expF64x2(x: v128): v128 {
  expParts(x);
  return v128.andnot(f64x2.mul(f64x2.add(f64x2.splat(1.0), expPolynomial), expScale), expUnderflow);
}

/**
 * e^x − 1 of both lanes, as expF64x2 but keeping the digits of small results: 2^k·(e^r − 1) + (2^k − 1), where
 * e^r − 1 is the polynomial without its constant term (for |x| ≤ ln2/2, k = 0 and that is all).
 */
// @ts-ignore: decorator
@inline export function expm1F64x2(x: v128): v128 {
  expParts(x);
  const m1 = madd(expPolynomial, expScale, f64x2.sub(expScale, f64x2.splat(1.0)));
  return v128.bitselect(f64x2.splat(-1.0), m1, expUnderflow);
}

// What expParts leaves for exp and expm1: e^r − 1, 2^k, and the lanes below the underflow limit.
let expPolynomial: v128 = f64x2.splat(0.0);
let expScale: v128 = f64x2.splat(0.0);
let expUnderflow: v128 = f64x2.splat(0.0);

// x = k·ln2 + r, |r| ≤ ln2/2; e^r − 1 by a degree-11 polynomial fitted on [−ln2/2, ln2/2] (a Chebyshev fit by
// scripts/exp_polynomial.py, relative error 2e-17 with these double coefficients), by Estrin's scheme: four
// dependent levels instead of Horner's eleven, so consecutive lanes overlap in the pipeline.
// @ts-ignore: decorator
@inline function expParts(x: v128): void {
  expUnderflow = f64x2.lt(x, f64x2.splat(EXP_UNDERFLOW));
  x = f64x2.pmin(f64x2.pmax(x, f64x2.splat(EXP_UNDERFLOW)), f64x2.splat(EXP_OVERFLOW));
  const shifted = madd(x, f64x2.splat(LOG2E), f64x2.splat(ROUNDING_MAGIC));
  const k = f64x2.sub(shifted, f64x2.splat(ROUNDING_MAGIC));
  let r = madd(k, f64x2.splat(-LN2_HI), x);
  r = madd(k, f64x2.splat(-LN2_LO), r);
  const r2 = f64x2.mul(r, r);
  const r4 = f64x2.mul(r2, r2);
  const r8 = f64x2.mul(r4, r4);
  const q1 = madd(r, f64x2.splat(0.1666666666666668), f64x2.splat(0.5000000000000019));
  const q2 = madd(r, f64x2.splat(0.008333333333319601), f64x2.splat(0.0416666666664881));
  const q3 = madd(r, f64x2.splat(0.00019841269890047113), f64x2.splat(0.0013888888952314775));
  const q4 = madd(r, f64x2.splat(2.755724091857897e-6), f64x2.splat(2.4801485482328494e-5));
  const q5 = madd(r, f64x2.splat(2.5110037605963777e-8), f64x2.splat(2.763263963904103e-7));
  const s0 = madd(q1, r2, r);
  const s1 = madd(q3, r2, q2);
  const s2 = madd(q5, r2, q4);
  expPolynomial = madd(s2, r8, madd(s1, r4, s0));
  const kInt = i64x2.sub(shifted, i64x2.splat(ROUNDING_MAGIC_BITS));
  expScale = i64x2.shl(i64x2.add(kInt, i64x2.splat(1023)), 52);
}

/** base^exponent for an integer exponent ≥ 1, by repeated squaring. */
// @ts-ignore: decorator
@inline export function powIntF64x2(base: v128, exponent: i32): v128 {
  let result = f64x2.splat(1.0);
  let square = base;
  let e = exponent;
  while (e > 0) {
    if (e & 1) result = f64x2.mul(result, square);
    e >>= 1;
    if (e > 0) square = f64x2.mul(square, square);
  }
  return result;
}

const ATAN_T3P8: f64 = 2.4142135623730950488; // tan(3π/8)
const ATAN_MOREBITS: f64 = 6.12323399573676588613e-17; // π/2 − fl(π/2)
const HALF_PI: f64 = 1.5707963267948966;
const QUARTER_PI: f64 = 0.7853981633974483;

/**
 * atan of both lanes (Cephes' reduction to |t| ≤ 0.66 and its rational approximation, relative error
 * about 1e-16), without branches: the three ranges are computed side by side and selected per lane.
 */
// @ts-ignore: decorator
@inline export function atanF64x2(x: v128): v128 {
  const ax = f64x2.abs(x);
  const big = f64x2.gt(ax, f64x2.splat(ATAN_T3P8));
  const mid = v128.andnot(f64x2.gt(ax, f64x2.splat(0.66)), big);
  const one = f64x2.splat(1.0);
  // One division for all three ranges: −1/|x|, (|x| − 1)/(|x| + 1) or |x|/1.
  const numerator = v128.bitselect(f64x2.splat(-1.0), v128.bitselect(f64x2.sub(ax, one), ax, mid), big);
  const denominator = v128.bitselect(ax, v128.bitselect(f64x2.add(ax, one), one, mid), big);
  const t = f64x2.div(numerator, denominator);
  let base = v128.and(big, f64x2.splat(HALF_PI + ATAN_MOREBITS));
  base = v128.bitselect(f64x2.splat(QUARTER_PI + 0.5 * ATAN_MOREBITS), base, mid);
  const z = f64x2.mul(t, t);
  let p = f64x2.splat(-8.750608600031904122785e-1);
  p = f64x2.add(f64x2.mul(p, z), f64x2.splat(-1.615753718733365076637e1));
  p = f64x2.add(f64x2.mul(p, z), f64x2.splat(-7.50085579231470466734e1));
  p = f64x2.add(f64x2.mul(p, z), f64x2.splat(-1.22886668449013617341e2));
  p = f64x2.add(f64x2.mul(p, z), f64x2.splat(-6.485021904942025371773e1));
  let q = f64x2.add(z, f64x2.splat(2.485846490142306297962e1));
  q = f64x2.add(f64x2.mul(q, z), f64x2.splat(1.650270098316988542046e2));
  q = f64x2.add(f64x2.mul(q, z), f64x2.splat(4.328810604912902668951e2));
  q = f64x2.add(f64x2.mul(q, z), f64x2.splat(4.853903996359136964868e2));
  q = f64x2.add(f64x2.mul(q, z), f64x2.splat(1.945506571482613964425e2));
  const r = f64x2.add(base, f64x2.add(t, f64x2.mul(t, f64x2.div(f64x2.mul(z, p), q))));
  // Restore the sign of x.
  return v128.or(r, v128.and(x, f64x2.splat(-0.0)));
}

const SQRT2: f64 = 1.4142135623730951;

/**
 * The natural logarithm of a positive normal x, within an ulp or two: x = m·2^e with m in [√½, √2), and
 * log m = 2·atanh(s), s = (m − 1)/(m + 1), |s| < 0.172, by its series to s²³ (Math.log would bring in kilobytes of code).
 */
export function logF64(x: f64): f64 {
  const bits = reinterpret<i64>(x);
  let e = <i32>((bits >> 52) & 0x7ff) - 1023;
  let m = reinterpret<f64>((bits & 0x000fffffffffffff) | 0x3ff0000000000000);
  if (m >= SQRT2) {
    m *= 0.5;
    e++;
  }
  const s = (m - 1.0) / (m + 1.0);
  const s2 = s * s;
  let series = 1.0 / 23.0;
  for (let k = 21; k >= 1; k -= 2) series = series * s2 + 1.0 / <f64>k;
  return <f64>e * LN2_HI + (<f64>e * LN2_LO + 2.0 * s * series);
}
