// Long loops (training, flows, Monte Carlo) run in chunks, so progress can be reported and a signal seen.

/**
 * Runs `steps` steps in about 20 chunks when there is progress to report or a signal to watch (one chunk
 * otherwise), and joins the loss curves: each chunk returns its starting loss and one per step. An aborted
 * signal stops it before the next chunk; a loss that is no longer finite stops it with a RangeError that
 * names the step and ends with `divergenceHint()` (computed only then).
 */
export function runInChunks(
  fn: string,
  steps: number,
  onProgress: ((done: number, total: number) => void) | undefined,
  signal: AbortSignal | undefined,
  chunk: (steps: number) => Float64Array,
  divergenceHint: () => string,
): Float64Array {
  const loss = new Float64Array(steps + 1);
  const size = chunkSize(steps, onProgress !== undefined || signal !== undefined);
  let done = 0;
  do {
    signal?.throwIfAborted();
    const count = Math.min(size, steps - done);
    const losses = chunk(count);
    const bad = losses.findIndex((value) => !Number.isFinite(value));
    if (bad >= 0) {
      throw new RangeError(
        `${fn}: the loss became ${losses[bad]} at step ${done + bad}; gradient descent diverged, ` +
          `and the parameters are left as they were before the call. ${divergenceHint()}`,
      );
    }
    loss.set(losses, done);
    done += count;
    onProgress?.(done, steps);
  } while (done < steps);
  return loss;
}

/** Steps per chunk of a long loop: about 20 chunks when someone watches (progress or a signal), else one. */
export function chunkSize(steps: number, watched: boolean): number {
  return watched ? Math.max(1, Math.ceil(steps / 20)) : Math.max(steps, 1);
}

/** The end of a divergence message: the learning rate against the largest stable one, when it can be computed. */
export function learningRateHint(learningRate: number, stable: () => number): string {
  try {
    const limit = stable();
    return `learningRate is ${learningRate}; maxLearningRate of the tangent kernel at the start is ${limit.toPrecision(4)}: use a smaller one`;
  } catch {
    return `learningRate is ${learningRate}: use a smaller one`;
  }
}
