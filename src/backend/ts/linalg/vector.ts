// Level-1 helpers of the reference factorizations (assembly/linalg/vector.ts).

/** x[xOff..]·y[yOff..] over len entries. */
export function dot(x: Float64Array, xOff: number, y: Float64Array, yOff: number, len: number): number {
  let sum = 0;
  for (let i = 0; i < len; i++) sum += x[xOff + i] * y[yOff + i];
  return sum;
}

/** y[yOff..] += alpha·x[xOff..] over len entries. */
export function axpy(len: number, alpha: number, x: Float64Array, xOff: number, y: Float64Array, yOff: number): void {
  for (let i = 0; i < len; i++) y[yOff + i] += alpha * x[xOff + i];
}
