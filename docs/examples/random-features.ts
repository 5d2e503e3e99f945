// Random-feature kernels (1/P)·Σ_p φ_p(x)·φ_p(x′) with φ_p(x) = relu(w_p·x), w_p ~ N(0, I/d),
// converge to their limit, the arc-cosine kernel (the NNGP of one ReLU layer), as P grows.
import { Matrix, Random, infiniteMlp, matmul, randomMatrix } from 'ntk-wasm';
import { savePlot } from './output.js';

const d = 4;
const x = randomMatrix(20, d, { seed: 1 });
const limit = infiniteMlp({ depth: 1, activation: 'relu', bStd: null }).nngp(x);
const norm = Math.sqrt(limit.data.reduce((s, v) => s + v * v, 0));
const counts = [10, 30, 100, 300, 1000, 3000, 10000, 30000];
const seeds = [1, 2, 3, 4, 5, 6];
const errors = counts.map((features) => {
  // Root mean square over draws of the features.
  const squared = seeds.map((seed) => {
    const random = new Random(1000 * seed + features);
    const w = new Matrix(d, features, Float64Array.from({ length: d * features }, () => random.normal() / Math.sqrt(d)));
    const phi = matmul(x, w);
    for (let i = 0; i < phi.data.length; i++) phi.data[i] = Math.max(phi.data[i], 0);
    const k = matmul(phi, phi, { transB: true });
    return k.data.reduce((s, v, i) => s + (v / features - limit.data[i]) ** 2, 0) / norm ** 2;
  });
  const error = Math.sqrt(squared.reduce((s, v) => s + v, 0) / seeds.length);
  console.log(`P = ${String(features).padStart(5)}: ‖K_P − K_∞‖/‖K_∞‖ = ${error.toFixed(4)} (RMS over ${seeds.length} draws)`);
  return error;
});
await savePlot('random-features', {
  title: 'Random ReLU features → arc-cosine kernel',
  xLabel: 'number of random features P', yLabel: 'relative Frobenius error', logX: true, logY: true,
  series: [
    { label: 'measured', x: counts, y: errors, markers: true },
    { label: 'P^(−1/2)', x: counts, y: counts.map((p) => errors[0] * Math.sqrt(counts[0] / p)), style: 'dashed' },
  ],
});
