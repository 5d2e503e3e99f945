// Elementwise math on f64x2 lanes.

const LOG2E: f64 = 1.4426950408889634;
const LN2_HI: f64 = 6.93147180369123816490e-1;
const LN2_LO: f64 = 1.90821492927058770002e-10;

/**
 * exp of both lanes, within a few ulps of Math.exp: x = k·ln2 + r with |r| ≤ ln2/2, e^r by its Taylor
 * series to r¹³ (truncation below 1e-17), then 2^k applied as two factors so subnormal results are right.
 * Lanes below −746 give 0 and above 709 are clamped there.
 */
// @ts-ignore: decorator
@inline export function expF64x2(x: v128): v128 {
  x = f64x2.min(f64x2.max(x, f64x2.splat(-746.0)), f64x2.splat(709.0));
  const k = f64x2.nearest(f64x2.mul(x, f64x2.splat(LOG2E)));
  let r = f64x2.sub(x, f64x2.mul(k, f64x2.splat(LN2_HI)));
  r = f64x2.sub(r, f64x2.mul(k, f64x2.splat(LN2_LO)));
  // Horner from 1/13! down to 1/0!.
  let p = f64x2.splat(1.6059043836821613e-10);
  p = f64x2.add(f64x2.mul(p, r), f64x2.splat(2.08767569878681e-9));
  p = f64x2.add(f64x2.mul(p, r), f64x2.splat(2.505210838544172e-8));
  p = f64x2.add(f64x2.mul(p, r), f64x2.splat(2.755731922398589e-7));
  p = f64x2.add(f64x2.mul(p, r), f64x2.splat(2.7557319223985893e-6));
  p = f64x2.add(f64x2.mul(p, r), f64x2.splat(2.48015873015873e-5));
  p = f64x2.add(f64x2.mul(p, r), f64x2.splat(1.984126984126984e-4));
  p = f64x2.add(f64x2.mul(p, r), f64x2.splat(1.388888888888889e-3));
  p = f64x2.add(f64x2.mul(p, r), f64x2.splat(8.333333333333333e-3));
  p = f64x2.add(f64x2.mul(p, r), f64x2.splat(4.1666666666666664e-2));
  p = f64x2.add(f64x2.mul(p, r), f64x2.splat(0.16666666666666666));
  p = f64x2.add(f64x2.mul(p, r), f64x2.splat(0.5));
  p = f64x2.add(f64x2.mul(p, r), f64x2.splat(1.0));
  p = f64x2.add(f64x2.mul(p, r), f64x2.splat(1.0));
  const ki = i64x2.extend_low_i32x4_s(i32x4.trunc_sat_f64x2_s_zero(k));
  const k1 = i64x2.shr_s(ki, 1);
  const k2 = i64x2.sub(ki, k1);
  const bias = i64x2.splat(1023);
  const scale1 = i64x2.shl(i64x2.add(k1, bias), 52);
  const scale2 = i64x2.shl(i64x2.add(k2, bias), 52);
  return f64x2.mul(f64x2.mul(p, scale1), scale2);
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
