// Inputs of models on spatial data: one example per row, channels last. Rows may come as a Matrix, as
// number[][] (each row already flat) or nested as the examples' shapes ([n][h][w][c] or [n][l][c]).
import { Matrix, type MatrixInput } from '../matrix.js';

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

const describeShape = (shape: readonly number[]) => `[${shape.join(', ')}]`;

/** The lengths along the first elements of a nested array ([] for anything else). */
export function nestedShape(value: unknown): number[] {
  const shape: number[] = [];
  for (let v = value; Array.isArray(v); v = v[0]) shape.push(v.length);
  return shape;
}

/**
 * `x` as rows of a matrix input: unchanged when each example is already a flat row, else every example
 * (nested arrays of shape `inputShape`) flattened row-major; a RangeError names an example of the wrong shape.
 */
export function exampleRows(fn: string, name: string, x: ExamplesInput, inputShape: readonly number[]): MatrixInput {
  if (x instanceof Matrix || !Array.isArray(x) || x.length === 0 || !Array.isArray(x[0]) || !Array.isArray(x[0][0])) return x as MatrixInput;
  return x.map((example: unknown, i: number) => {
    const shape = nestedShape(example);
    const flat = (example as unknown[]).flat(inputShape.length) as number[];
    if (describeShape(shape) !== describeShape(inputShape) || flat.length !== inputShape.reduce((p, v) => p * v, 1)) {
      throw new RangeError(`${fn}: ${name}[${i}] has shape ${describeShape(shape)} but inputShape is ${describeShape(inputShape)}`);
    }
    return flat;
  });
}
