import { ready, setBackend, Falkon, KernelRidge, rbfKernel, randomMatrix, Matrix, customKernel } from '../src/index.js';
await ready({ threads: 2 });
for (const backend of ['wasm', 'ts'] as const) {
  setBackend(backend);
  const n = 300;
  const x = randomMatrix(n, 3, { seed: 1 });
  const y = new Matrix(n, 2, Float64Array.from({ length: 2 * n }, (_, i) => Math.sin(x.data[Math.floor(i / 2) * 3] * 3) + (i % 2)));
  const kernel = rbfKernel({ lengthscale: 0.8 });
  const kr = new KernelRidge(kernel, { ridge: 1e-2 }).fit(x, y);
  const f = new Falkon(kernel, { ridge: 1e-2, centers: n, tolerance: 1e-12, maxIterations: 50 }).fit(x, y);
  const xt = randomMatrix(50, 3, { seed: 2 });
  const a = kr.predict(xt).data, b = f.predict(xt).data;
  let err = 0, mx = 0;
  for (let i = 0; i < a.length; i++) { err = Math.max(err, Math.abs(a[i] - b[i])); mx = Math.max(mx, Math.abs(a[i])); }
  console.log(backend, 'iterations', f.iterations, f.converged, f.residual, 'max rel err', err / mx);
  const f2 = new Falkon(kernel, { ridge: 1e-2, centers: 50 }).fit(x, y);
  console.log(backend, 'm=50', f2.iterations, f2.converged, f2.residual, f2.predict(xt).data.slice(0, 3));
}
