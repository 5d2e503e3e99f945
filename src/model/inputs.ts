// Inputs of models on spatial data: one example per row, channels last. Rows may come as a Matrix, as
// number[][] (each row already flat) or nested as the examples' shapes ([n][h][w][c] or [n][l][c]).
import { Matrix, type MatrixInput } from '../matrix.js';
import { describeShape } from '../core/shapes.js';

/** Numbers nested to any depth: one example of a spatial model, `[h][w][c]` or `[l][c]`. */
export type NestedNumbers = readonly (number | NestedNumbers)[];

/**
 * Examples for a model: a {@link MatrixInput} with one flat row per example (channels last), or nested arrays
 * with one entry per example in the model's input shape (`[n][h][w][c]`, `[n][l][c]`).
 *
 * @example
 * ```ts
 * const images: ExamplesInput = [[[[1], [0]], [[0], [1]]]]; // one 2×2 image with one channel
 * ```
 */
export type ExamplesInput = MatrixInput | readonly NestedNumbers[];

/** The lengths along the first elements of a nested array ([] for anything else). */
export function nestedShape(value: unknown): number[] {
  const shape: number[] = [];
  for (let v = value; Array.isArray(v); v = v[0]) shape.push(v.length);
  return shape;
}

/**
 * The numbers of `value`, nested exactly as `shape` (row-major). A RangeError names the first array of another
 * length (`what` says whose shape it is), a TypeError the first entry that is not a finite number.
 */
export function flattenNested(fn: string, name: string, value: unknown, shape: readonly number[], what: string): Float64Array {
  const out = new Float64Array(shape.reduce((p, v) => p * v, 1));
  let at = 0;
  const visit = (v: unknown, depth: number, path: string): void => {
    if (depth === shape.length) {
      if (typeof v !== 'number' || !Number.isFinite(v)) {
        throw new TypeError(`${fn}: ${path} is ${typeof v === 'number' ? v : Array.isArray(v) ? 'an array' : typeof v}; entries must be finite numbers`);
      }
      out[at++] = v;
      return;
    }
    if (!Array.isArray(v) || v.length !== shape[depth]) {
      const found = Array.isArray(v) ? `has ${v.length} entries` : `is ${typeof v}`;
      throw new RangeError(`${fn}: ${path} ${found} where ${what} needs an array of ${shape[depth]}: the nesting is ragged`);
    }
    for (let i = 0; i < v.length; i++) visit(v[i], depth + 1, `${path}[${i}]`);
  };
  visit(value, 0, name);
  return out;
}

/**
 * `x` as rows of a matrix input: unchanged when each example is already a flat row, else every example
 * (nested arrays of shape `inputShape`, checked at every depth) flattened row-major; a RangeError names an
 * example of the wrong shape (the shape called `shapeName`), or the index where the nesting is ragged.
 */
export function exampleRows(fn: string, name: string, x: ExamplesInput, inputShape: readonly number[], shapeName = 'inputShape'): MatrixInput {
  if (x instanceof Matrix || !Array.isArray(x) || x.length === 0 || !Array.isArray(x[0]) || !Array.isArray(x[0][0])) return x as MatrixInput;
  const features = inputShape.reduce((p, v) => p * v, 1);
  const data = new Float64Array(x.length * features);
  x.forEach((example: unknown, i: number) => {
    const shape = nestedShape(example);
    if (describeShape(shape) !== describeShape(inputShape)) {
      throw new RangeError(`${fn}: ${name}[${i}] has shape ${describeShape(shape)} but ${shapeName} is ${describeShape(inputShape)}`);
    }
    data.set(flattenNested(fn, `${name}[${i}]`, example, inputShape, `${shapeName} ${describeShape(inputShape)}`), i * features);
  });
  return new Matrix(x.length, features, data);
}
