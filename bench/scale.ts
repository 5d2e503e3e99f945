// Kernel regression on many points: Falkon (Nyström centers, 20 iterations of preconditioned conjugate gradients,
// K(x, C) by blocks of rows) at n = 200,000, and at n = 20,000 where the TypeScript backend runs too. bench/sklearn_peer.py
// times scikit-learn's Nystroem + Ridge on the same problem in the same run. `npm run bench -- --skip scale`
// leaves the group out (it takes a few minutes).
import { Falkon, rbfKernel } from '../src/index.js';
import { Matrix } from '../src/matrix.js';
import { Random } from '../src/random.js';
import { type BenchCase, onBackend } from './suite.js';

/** The problem of the scale group, shared with bench/sklearn_peer.py: d = 8, m = 2000 centers, RBF ℓ = 2, ridge 1, 20 iterations. */
export const SCALE = { d: 8, m: 2000, lengthscale: 2, ridge: 1, iterations: 20 };

/** Standard normal x (n × d) and y = sin(x₀) + x₁x₂/2 + noise/10. */
export function scaleData(n: number, seed: number): { x: Matrix; y: Matrix } {
  const random = new Random(seed);
  const { d } = SCALE;
  const x = new Matrix(
    n,
    d,
    Float64Array.from({ length: n * d }, () => random.normal()),
  );
  const y = new Matrix(
    n,
    1,
    Float64Array.from({ length: n }, (_, i) => Math.sin(x.data[i * d]) + (x.data[i * d + 1] * x.data[i * d + 2]) / 2 + random.normal() / 10),
  );
  return { x, y };
}

const falkon = () =>
  new Falkon(rbfKernel({ lengthscale: SCALE.lengthscale }), { ridge: SCALE.ridge, centers: SCALE.m, maxIterations: SCALE.iterations, tolerance: 0 });

/** The workloads whose peak memory bench/peak.ts measures (each alone in a process). */
export const SCALE_WORKLOADS = {
  'scale n=200000 d=8 m=2000 fit+predict': () => {
    const { x, y } = scaleData(200_000, 1);
    return () => falkon().fit(x, y).predict(x);
  },
};

export function scaleCases(): BenchCase[] {
  const cases: BenchCase[] = [];
  for (const n of [20_000, 200_000]) {
    const { x, y } = scaleData(n, 1);
    for (const backend of n === 20_000 ? (['wasm', 'ts'] as const) : (['wasm'] as const)) {
      let model: Falkon | undefined;
      cases.push({ ...onBackend(backend, `scale n=${n} d=8 m=2000 fit`, undefined, () => (model = falkon().fit(x, y))), slow: true });
      cases.push({ ...onBackend(backend, `scale n=${n} d=8 m=2000 predict n rows`, undefined, () => model!.predict(x)), slow: true, firstCall: false });
    }
  }
  return cases;
}
