// The main demo: loads the WASM backend, solves a small kernel system, and times a matmul on both backends.
// Run: npm run demo
import { Matrix, cholesky, eigh, getBackend, gram, matmul, randomMatrix, ready, setBackend, solveSpd } from 'ntk-wasm';

await ready();
console.log(`backend after ready(): ${getBackend()}`);

// The linear model's NTK: K(x, x') = x·x' + 1, here for four points on a line.
const x = Matrix.from([[-1], [0], [1], [2]]);
const features = Matrix.from(x.toArray().map(([v]) => [v, 1]));
const k = gram(features);
console.log('K = x·xᵀ + 1 =', k.toArray());

// Its eigenvalues say how fast gradient descent fits each direction (du/dt = −K(u − y)).
const round = (v: number, digits: number) => (Math.abs(v) < 1e-12 ? 0 : +v.toFixed(digits));
console.log('eigenvalues of K:', Array.from(eigh(k).values, (v) => round(v, 6)));

// K is rank 2, so a ridge makes the system solvable: α = (K + 0.1·I)⁻¹ y.
const ridge = new Matrix(4, 4, k.data.map((v, i) => v + (i % 5 === 0 ? 0.1 : 0)));
const y = Matrix.from([[1], [0.5], [0], [-0.5]]);
const alpha = solveSpd(ridge, y);
console.log('α =', alpha.toArray().map(([v]) => round(v, 6)));
console.log('L =', cholesky(ridge).toArray().map((row) => row.map((v) => round(v, 4))));

for (const backend of ['wasm', 'ts'] as const) {
  setBackend(backend);
  const n = 512;
  const a = randomMatrix(n, n, { seed: 1 });
  const b = randomMatrix(n, n, { seed: 2 });
  // A few calls first: the engine compiles hot WASM with its optimizing tier after the first runs.
  for (let i = 0; i < 3; i++) matmul(a, b);
  const start = performance.now();
  matmul(a, b);
  const ms = performance.now() - start;
  console.log(`${backend}: ${n}x${n} matmul in ${ms.toFixed(1)} ms (${((2 * n ** 3) / ms / 1e6).toFixed(1)} GFLOPS)`);
}
