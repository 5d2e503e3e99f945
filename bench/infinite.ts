import { infiniteMlp } from '../src/index.js';
import { uniformMatrix } from '../src/random.js';
import { type BenchCase, onBackend } from './suite.js';

export function infiniteCases(): BenchCase[] {
  const cases: BenchCase[] = [];
  const n = 2000;
  const d = 64;
  const x = uniformMatrix(n, d, 1);
  for (const activation of ['relu', 'erf'] as const) {
    const kernel = infiniteMlp({ depth: 3, activation, wStd: Math.SQRT2, bStd: 0.1 });
    const group = `infiniteMlp ${activation} depth 3 n=${n} d=${d}`;
    for (const backend of ['wasm', 'ts'] as const) cases.push(onBackend(backend, group, undefined, () => kernel.kernels(x)));
  }
  // tanh and sigmoid sum 144 closed forms per entry and layer (the scale-mixture rule), so a smaller n.
  const small = 500;
  const xSmall = uniformMatrix(small, d, 2);
  for (const activation of ['tanh', 'sigmoid'] as const) {
    const kernel = infiniteMlp({ depth: 3, activation, wStd: Math.SQRT2, bStd: 0.1 });
    const group = `infiniteMlp ${activation} depth 3 n=${small} d=${d}`;
    for (const backend of ['wasm', 'ts'] as const) cases.push(onBackend(backend, group, undefined, () => kernel.kernels(xSmall)));
  }
  return cases;
}
