// Level-1 helpers shared by the factorizations: f64x2 body, scalar tail.

// @ts-ignore: decorator
@inline export function dot(x: usize, y: usize, len: i32): f64 {
  let acc = f64x2.splat(0.0);
  let i = 0;
  for (; i + 2 <= len; i += 2) {
    const off = (<usize>i) << 3;
    acc = f64x2.add(acc, f64x2.mul(v128.load(x + off), v128.load(y + off)));
  }
  let sum = f64x2.extract_lane(acc, 0) + f64x2.extract_lane(acc, 1);
  for (; i < len; i++) {
    const off = (<usize>i) << 3;
    sum += load<f64>(x + off) * load<f64>(y + off);
  }
  return sum;
}

/** y ← y + alpha·x */
// @ts-ignore: decorator
@inline export function axpy(len: i32, alpha: f64, x: usize, y: usize): void {
  const av = f64x2.splat(alpha);
  let i = 0;
  for (; i + 2 <= len; i += 2) {
    const off = (<usize>i) << 3;
    v128.store(y + off, f64x2.add(v128.load(y + off), f64x2.mul(av, v128.load(x + off))));
  }
  for (; i < len; i++) {
    const off = (<usize>i) << 3;
    store<f64>(y + off, load<f64>(y + off) + alpha * load<f64>(x + off));
  }
}

/** x ← x / divisor */
// @ts-ignore: decorator
@inline export function divide(len: i32, divisor: f64, x: usize): void {
  const dv = f64x2.splat(divisor);
  let i = 0;
  for (; i + 2 <= len; i += 2) {
    const off = (<usize>i) << 3;
    v128.store(x + off, f64x2.div(v128.load(x + off), dv));
  }
  for (; i < len; i++) {
    const off = (<usize>i) << 3;
    store<f64>(x + off, load<f64>(x + off) / divisor);
  }
}

/**
 * Whether all `count` doubles at `x` are finite: x − x is 0 for finite x and NaN otherwise, so the sums
 * stay 0 exactly when every entry is finite. Results are checked this way before they are copied out.
 */
export function allFinite(x: usize, count: i32): i32 {
  let acc = f64x2.splat(0.0);
  let i = 0;
  for (; i + 2 <= count; i += 2) {
    const v = v128.load(x + ((<usize>i) << 3));
    acc = f64x2.add(acc, f64x2.sub(v, v));
  }
  let sum = f64x2.extract_lane(acc, 0) + f64x2.extract_lane(acc, 1);
  for (; i < count; i++) {
    const v = load<f64>(x + ((<usize>i) << 3));
    sum += v - v;
  }
  return sum == 0.0 ? 1 : 0;
}
