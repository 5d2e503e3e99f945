// Long kernel evaluations in blocks of rows, for progress and cancellation between them: several n1 × n2 results (a
// kernel and, say, its derivatives) built from calls on blocks of rows of equal cost.

/**
 * The `count` n1 × n2 results of `evaluate` in blocks of rows of equal cost: against every column, or (x1 with itself,
 * `symmetric`) the lower triangle up to each block's last row — the rows before the block, then the block with itself
 * (a symmetric call, so that every input meets itself as in one call) — mirrored at the end. `evaluate(r0, r1, c0,
 * columns, symmetric)` gives rows [r0, r1) against `columns` columns from c0 (with itself when `symmetric`), each
 * (r1 − r0) × columns, and whether they are finite. `onProgress` after each block, `signal` checked before each.
 */
export function inRowBlocks(
  n1: number,
  n2: number,
  symmetric: boolean,
  count: number,
  evaluate: (r0: number, r1: number, c0: number, columns: number, symmetric: boolean) => { results: Float64Array[]; finite: boolean },
  onProgress: ((rowsDone: number, rows: number) => void) | undefined,
  signal: AbortSignal | undefined,
): { results: Float64Array[]; finite: boolean } {
  const results = Array.from({ length: count }, () => new Float64Array(n1 * n2));
  let finite = true;
  const place = (r0: number, r1: number, c0: number, columns: number, self: boolean) => {
    const block = evaluate(r0, r1, c0, columns, self);
    block.results.forEach((values, m) => {
      for (let i = r0; i < r1; i++) {
        const width = self ? i - r0 + 1 : columns;
        results[m].set(values.subarray((i - r0) * columns, (i - r0) * columns + width), i * n2 + c0);
      }
    });
    finite &&= block.finite;
  };
  const blocks = Math.min(n1, 20);
  let r0 = 0;
  for (let b = 1; b <= blocks; b++) {
    signal?.throwIfAborted();
    const r1 = b === blocks ? n1 : Math.min(n1, Math.max(r0 + 1, Math.round(symmetric ? n1 * Math.sqrt(b / blocks) : (n1 * b) / blocks)));
    if (r1 <= r0) continue;
    if (!symmetric) place(r0, r1, 0, n2, false);
    else {
      if (r0 > 0) place(r0, r1, 0, r0, false);
      place(r0, r1, r0, r1 - r0, true);
    }
    r0 = r1;
    onProgress?.(r1, n1);
  }
  if (symmetric) {
    for (const values of results) {
      for (let i = 0; i < n1; i++) for (let j = 0; j < i; j++) values[j * n2 + i] = values[i * n2 + j];
    }
  }
  return { results, finite };
}
