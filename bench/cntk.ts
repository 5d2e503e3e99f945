// Convolutional kernels: the CNTK (NNGP + NTK) of a 3-layer CNN (3×3 SAME conv + relu, ×3) with globalAvgPool
// (position-pair covariances) and with flatten (same-position covariances only), and the structured empirical
// NTK of the same CNN at 64 channels. `npm run bench` also runs each workload alone in a child process
// (bench/peak.ts) for its peak RSS.
import { conv, dense, empiricalNtk, flatten, globalAvgPool, infinite, network, relu, serial, type Layer } from '../src/index.js';
import { uniformMatrix } from '../src/random.js';
import { type BenchCase, onBackend } from './suite.js';

/** The benchmark CNN: three 3×3 SAME convolutions with `channels` outputs and relu, then `readout` and dense(1). */
export function benchCnn(readout: Layer, channels = 1): Layer {
  const block = () => [conv(channels, [3, 3], { padding: 'SAME' }), relu()];
  return serial(...block(), ...block(), ...block(), readout, dense(1));
}

/** A CNTK workload: NNGP and NTK of the benchmark CNN on n random side × side images of one channel. */
const cntk = (readout: Layer, side: number, n: number, seed: number) => () => {
  const x = uniformMatrix(n, side * side, seed);
  const kernel = infinite(benchCnn(readout), { inputShape: [side, side, 1] });
  return () => kernel.kernels(x);
};

/** The workloads, by name: what each computes on its inputs (also run alone by bench/peak.ts). */
export const CNTK_WORKLOADS = {
  'CNTK globalAvgPool 8x8 n=200': cntk(globalAvgPool(), 8, 200, 1),
  'CNTK flatten 8x8 n=500': cntk(flatten(), 8, 500, 2),
  'CNTK flatten 28x28 n=1000': cntk(flatten(), 28, 1000, 3),
  'CNTK flatten 28x28 n=200': cntk(flatten(), 28, 200, 3),
  'empiricalNtk CNN 64 channels 8x8 n=200': () => {
    const x = uniformMatrix(200, 64, 4);
    const net = network(benchCnn(globalAvgPool(), 64), { inputShape: [8, 8, 1], seed: 0 });
    return () => empiricalNtk(net, x);
  },
} as const;

export type CntkWorkload = keyof typeof CNTK_WORKLOADS;

// The TS backend takes minutes on the largest workload; it is measured on the 200-image one beside it.
const WASM_ONLY: readonly CntkWorkload[] = ['CNTK flatten 28x28 n=1000'];

export function cntkCases(): BenchCase[] {
  const cases: BenchCase[] = [];
  for (const [name, make] of Object.entries(CNTK_WORKLOADS) as [CntkWorkload, () => () => unknown][]) {
    const run = make();
    // Runs of many seconds once, without warm-up; the rest as every other case.
    cases.push({ ...onBackend('wasm', name, undefined, run), slow: WASM_ONLY.includes(name) });
    if (!WASM_ONLY.includes(name)) cases.push({ ...onBackend('ts', name, undefined, run), slow: true });
  }
  return cases;
}
