import { Bench } from 'tinybench';
import { Matrix as MlMatrix } from 'ml-matrix';
import { ready, setBackend } from '../src/index.js';
import type { BackendName } from '../src/backend/types.js';
import type { ReadyOptions } from '../src/index.js';

/** One measured call; `flops` turns its median time into GFLOPS. */
export interface BenchCase {
  /** What is measured and at which size, e.g. `matmul n=512`; rows of one group are compared. */
  group: string;
  /** Who computes it: a backend or a reference library. */
  impl: string;
  flops?: number;
  run: () => unknown;
  /** Seconds per call: measured once, without warm-up. */
  slow?: boolean;
  /** Runs before the case is measured (loads the WASM configuration it needs). */
  before?: () => Promise<void>;
  /** False when the case needs what the case before it left (a fitted model): its first call alone means nothing. */
  firstCall?: false;
}

/**
 * A case on one of the library's backends: switches to it before every call (a negligible cost). WASM
 * cases run on the default configuration of ready() unless `options` says otherwise.
 */
export function onBackend(backend: BackendName, group: string, flops: number | undefined, body: () => unknown, options: ReadyOptions = {}): BenchCase {
  return {
    group,
    impl: backend,
    flops,
    before: () => ready(options),
    run: () => {
      setBackend(backend);
      return body();
    },
  };
}

/** The same matrix as an ml-matrix Matrix, for the JavaScript reference libraries. */
export function toMl(m: { rows: number; cols: number; data: Float64Array }): MlMatrix {
  return new MlMatrix(Array.from({ length: m.rows }, (_, i) => Array.from(m.data.subarray(i * m.cols, (i + 1) * m.cols))));
}

/** The median of a case's timed calls after its warm-up (tinybench, with these options), in ms. */
export async function medianMs(c: BenchCase, options: ConstructorParameters<typeof Bench>[0]): Promise<number> {
  await c.before?.();
  const bench = new Bench(options);
  bench.add(`${c.group} ${c.impl}`, c.run);
  await bench.run();
  const { result } = bench.tasks[0];
  if (result.state !== 'completed') throw new Error(`${c.group} ${c.impl}: ${result.state}`);
  return result.latency.p50;
}
