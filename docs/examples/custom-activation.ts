// Activations written in JavaScript, after neural-tangents' elementwise examples: with their dual map given
// (elementwise) or found by Gauss–Hermite quadrature (elementwiseNumerical). For sin and ReLU, which have closed
// forms, the quadrature's NTK against them as the degree grows: smooth sin converges geometrically, ReLU's kink
// slowly. Then SiLU, z·σ(z), which has none: its NTK by quadrature against the empirical NTK of wide networks.
import { type Layer, type ScalarFunction, dense, elementwise, elementwiseNumerical, infinite, monteCarloNtk, relu, serial, sin } from 'ntk-wasm';
import { range, savePlot } from './output.js';

const model = (phi: Layer, width = 1) => serial(dense(width, { wStd: 1.5, bStd: 0.1 }), phi, dense(1, { wStd: 1.5 }));
const ntk = (phi: Layer, x: number[][]) => infinite(model(phi), { inputShape: [2] }).ntk(x).data;
const largestRelativeError = (values: Float64Array, exact: Float64Array) =>
  Math.max(...values.map((v, i) => Math.abs(v - exact[i]) / Math.abs(exact[i])));

const angles = range(0, Math.PI, 13);
const circle = angles.map((theta) => [1.5 * Math.cos(theta), 1.5 * Math.sin(theta)]);

// A dual map in closed form: E[sin u · sin v] = e^(−(q₁+q₂)/2)·sinh(c), and its derivative in c for the NTK.
const sineByHand = elementwise(Math.sin, {
  nngpFn: (c, q1, q2) => Math.exp(-(q1 + q2) / 2) * Math.sinh(c),
  dNngpFn: (c, q1, q2) => Math.exp(-(q1 + q2) / 2) * Math.cosh(c),
  df: Math.cos,
});
console.log(`sin with its dual map given: largest relative difference from sin() ${largestRelativeError(ntk(sineByHand, circle), ntk(sin(), circle)).toExponential(1)}`);

const degrees = [2, 4, 8, 16, 32, 64, 128];
const closedForms: [string, Layer, ScalarFunction, ScalarFunction][] = [
  ['sin', sin(), Math.sin, Math.cos],
  ['relu', relu(), (z) => Math.max(z, 0), (z) => (z > 0 ? 1 : 0)],
];
console.log('\nlargest relative error of the NTK by quadrature, by points per axis');
console.log(`${'deg'.padStart(6)} ${closedForms.map(([name]) => name.padStart(9)).join(' ')}`);
const errors = closedForms.map(([, exact, fn, df]) => {
  const reference = ntk(exact, circle);
  return degrees.map((deg) => Math.max(largestRelativeError(ntk(elementwiseNumerical(fn, { deg, df }), circle), reference), 1e-16));
});
degrees.forEach((deg, d) => console.log(`${String(deg).padStart(6)} ${errors.map((e) => e[d].toExponential(1).padStart(9)).join(' ')}`));
const series = closedForms.map(([name], k) => ({ label: `${name} by quadrature, against its closed form`, x: degrees, y: errors[k] }));
await savePlot('custom-activation', {
  title: 'elementwiseNumerical: error of the NTK against the closed form',
  xLabel: 'Gauss–Hermite points per axis (deg)',
  yLabel: 'largest relative error',
  logX: true,
  logY: true,
  series,
});

// SiLU has no closed-form dual map: quadrature at 64 points, and networks of width 2048 (the mean of 8).
const sigmoid = (z: number) => 1 / (1 + Math.exp(-z));
const silu = (z: number) => z * sigmoid(z);
const siluSlope = (z: number) => sigmoid(z) * (1 + z * (1 - sigmoid(z)));
const limit = infinite(model(elementwiseNumerical(silu, { deg: 64, df: siluSlope })), { inputShape: [2] }).ntk([circle[0]], circle).data;
const finite = monteCarloNtk(model(elementwise(silu, { df: siluSlope }), 2048), [circle[0]], circle, { inputShape: [2], samples: 8, seed: 3 }).data;
console.log('\nSiLU: Θ(x(0), x(θ)) by quadrature and from networks of width 2048, θ = 0, π/4, π/2, 3π/4, π');
for (const i of [0, 3, 6, 9, 12]) console.log(`  ${limit[i].toFixed(4)}  ${finite[i].toFixed(4)}`);
