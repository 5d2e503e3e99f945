import { expect } from 'vitest';
import { Matrix } from '../../src/index.js';

type Numbers = ArrayLike<number> | Matrix | number[][];

function flatten(x: Numbers): { values: ArrayLike<number>; shape: string } {
  if (x instanceof Matrix) return { values: x.data, shape: `${x.rows}x${x.cols}` };
  const first = (x as ArrayLike<unknown>)[0];
  if (Array.isArray(first)) {
    const rows = x as number[][];
    return { values: rows.flat(), shape: `${rows.length}x${first.length}` };
  }
  return { values: x as ArrayLike<number>, shape: `${x.length}` };
}

/**
 * Asserts |a − b| ≤ tol·max(|a|, |b|) elementwise, with both finite (so NaN never passes), and equal shapes.
 * `scale: 'normwise'` measures every entry against the largest expected entry instead — for results whose
 * entries come from sums that cancel (products, eigenvectors, residuals), where that is the accuracy float64
 * can give. The failure names the first bad index and both values.
 */
export function expectClose(actual: Numbers, expected: Numbers, tol: number, label = 'value', scale?: 'normwise'): void {
  const a = flatten(actual);
  const e = flatten(expected);
  expect(a.shape, `${label}: shape`).toBe(e.shape);
  let largest = 0;
  if (scale === 'normwise') for (let i = 0; i < e.values.length; i++) largest = Math.max(largest, Math.abs(e.values[i]));
  let worst = -1;
  let worstRatio = 0;
  for (let i = 0; i < a.values.length; i++) {
    const x = a.values[i];
    const y = e.values[i];
    if (!Number.isFinite(x) || !Number.isFinite(y)) {
      throw new Error(`${label}[${i}]: non-finite value (actual ${x}, expected ${y})`);
    }
    if (x === y) continue;
    const ratio = Math.abs(x - y) / (tol * (scale === 'normwise' ? largest : Math.max(Math.abs(x), Math.abs(y))));
    if (ratio > worstRatio) {
      worstRatio = ratio;
      worst = i;
    }
  }
  if (worstRatio > 1) {
    throw new Error(
      `${label} (${a.shape}): entry ${worst} is ${a.values[worst]} but expected ${e.values[worst]} ` +
        `(off by ${Math.abs(a.values[worst] - e.values[worst]).toExponential(3)}, tolerance ${tol})`,
    );
  }
}

/**
 * |actual − expected| ≤ tol·|expected|, both finite; where the true value is 0, |actual| ≤ tol·scale (the
 * size of the terms it is made of).
 */
export function expectRelative(actual: number, expected: number, tol: number, label: string, scale = 0): void {
  expect(Number.isFinite(actual), `${label}: ${actual} is not finite`).toBe(true);
  const bound = tol * (expected === 0 ? scale : Math.abs(expected));
  expect(Math.abs(actual - expected), `${label}: ${actual} vs ${expected}`).toBeLessThanOrEqual(bound);
}

/**
 * Asserts the same length and bit-for-bit equal entries (NaN only where NaN); the failure names the first
 * differing index. Linear time, unlike a deep equality on large typed arrays.
 */
export function expectSameBits(actual: Float64Array, expected: Float64Array, label = 'value'): void {
  expect(actual.length, `${label}: length`).toBe(expected.length);
  for (let i = 0; i < actual.length; i++) {
    if (!Object.is(actual[i], expected[i])) throw new Error(`${label}: entry ${i} is ${actual[i]} but expected ${expected[i]} bit for bit`);
  }
}

/** Seeded uniform(-1, 1) entries, reproducible across runs and backends. */
export { uniformMatrix as randomMatrix } from '../../src/random.js';

/** Textbook triple loop: an independent check of the blocked kernels at sizes too big for fixtures. */
export function naiveMatmul(a: Matrix, b: Matrix): Matrix {
  const c = new Matrix(a.rows, b.cols);
  for (let i = 0; i < a.rows; i++) {
    for (let j = 0; j < b.cols; j++) {
      let s = 0;
      for (let p = 0; p < a.cols; p++) s += a.data[i * a.cols + p] * b.data[p * b.cols + j];
      c.data[i * b.cols + j] = s;
    }
  }
  return c;
}

/** Entry by entry to `tol` relative (both finite, shapes equal); entries that are exactly 0 to tol·(the largest entry). */
export function expectEntries(
  actual: { get(i: number, j: number): number; rows: number; cols: number },
  expected: number[][],
  tol: number,
  label: string,
): void {
  expect(`${actual.rows}x${actual.cols}`, `${label} shape`).toBe(`${expected.length}x${expected[0].length}`);
  const scale = Math.max(...expected.flat().map(Math.abs));
  expected.forEach((row, i) => row.forEach((v, j) => expectRelative(actual.get(i, j), v, tol, `${label}[${i}][${j}]`, scale)));
}
