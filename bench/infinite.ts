import { infiniteMlp } from '../src/index.js';
import { uniformMatrix } from '../src/random.js';
import { type BenchCase, onBackend } from './suite.js';

export function infiniteCases(): BenchCase[] {
  const cases: BenchCase[] = [];
  const d = 64;
  // tanh and sigmoid sum 144 closed forms per entry and layer (the scale-mixture rule), so a smaller n.
  const groups = [
    { n: 2000, activations: ['relu', 'erf'] },
    { n: 500, activations: ['tanh', 'sigmoid'] },
  ] as const;
  for (const { n, activations } of groups) {
    const x = uniformMatrix(n, d, n === 2000 ? 1 : 2);
    for (const activation of activations) {
      const kernel = infiniteMlp({ depth: 3, activation, wStd: Math.SQRT2, bStd: 0.1 });
      const group = `infiniteMlp ${activation} depth 3 n=${n} d=${d}`;
      for (const backend of ['wasm', 'ts'] as const) cases.push(onBackend(backend, group, undefined, () => kernel.kernels(x)));
    }
  }
  return cases;
}
