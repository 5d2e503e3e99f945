// The order-to-chaos phase diagram of deep erf networks (Poole et al. 2016, Schoenholz et al. 2017; neural-tangents'
// "Phase diagram" notebook), from the kernels and their exact hyperparameter derivatives. One layer maps an input variance
// q to V(q) = σw²·E[erf(u)²] + σb² (u ~ N(0, q)); deep inside a network the variance sits at the fixed point q* = V(q*),
// and χ₁ = σw²·E[erf′(u)²] at q* says whether nearby inputs' correlation contracts (χ₁ < 1, ordered) or grows (χ₁ > 1,
// chaotic). Both come from the infinite-width kernels of serial(dense(1, { wStd: √q }), erf(), dense(1, { wStd: σw,
// bStd: σb })) on the input 1: its NNGP is V(q), its NTK minus its NNGP is χ₁·q, and kernelGradients gives their
// derivatives in √q, σw and σb. q* by Newton's method on V(q) − q; the critical line χ₁(σw, q*(σw, σb)) = 1 by Newton's
// method in σw with the total derivative dχ₁/dσw = ∂χ₁/∂σw + ∂χ₁/∂q·dq*/dσw, dq*/dσw = (∂V/∂σw)/(1 − ∂V/∂q).
// Prints q* and χ₁ on a grid and the critical σw for several σb (at σb → 0 it tends to √(π/4) = 0.8862, where
// erf′(0)² = 4/π), checks the critical line against erf's closed forms, and draws it with the lines χ₁ = 0.5 and 2.
import { dense, erf, infinite, serial } from 'ntk-wasm';
import { range, savePlot } from './output.js';

const [S, W] = ['model.serial[0].wStd', 'model.serial[2].wStd'];

/** V(q) and χ₁ at (q, σw, σb), with their partial derivatives in q, σw and σb. */
function layer(q: number, wStd: number, bStd: number) {
  const s = Math.sqrt(q);
  const model = infinite(serial(dense(1, { wStd: s, bStd: null }), erf(), dense(1, { wStd, bStd })), { inputShape: [1] });
  const { nngp, ntk, gradients } = model.kernelGradients([[1]]);
  const v = nngp.get(0, 0);
  const chi = (ntk.get(0, 0) - v) / q;
  const dChi = (name: string) => (gradients[name].ntk.get(0, 0) - gradients[name].nngp.get(0, 0)) / q;
  // d/dq = (d/ds)/(2s); χ₁ = (Θ − Σ)/q also divides by q.
  return {
    v,
    chi,
    vq: gradients[S].nngp.get(0, 0) / (2 * s),
    vw: gradients[W].nngp.get(0, 0),
    chiq: dChi(S) / (2 * s) - chi / q,
    chiw: dChi(W),
  };
}

/** The fixed point q* of V for (σw, σb): Newton's method where V′(q) < 1 (near q*, which is stable), else q ← V(q). */
function fixedPoint(wStd: number, bStd: number): number {
  let q = 1;
  for (let step = 0; step < 200; step++) {
    const { v, vq } = layer(q, wStd, bStd);
    const newton = q - (v - q) / (vq - 1);
    const next = vq < 1 && newton > 0 ? newton : v;
    if (Math.abs(next - q) <= 1e-14 * q) return next;
    q = next;
  }
  throw new Error(`no fixed point for σw ${wStd}, σb ${bStd}`);
}

/** σw where χ₁ at the fixed point equals `level`, for σb, by Newton's method with the total derivative. */
function criticalWeight(bStd: number, level: number, start: number): number {
  let wStd = start;
  for (let step = 0; step < 100; step++) {
    const q = fixedPoint(wStd, bStd);
    const { chi, vq, vw, chiq, chiw } = layer(q, wStd, bStd);
    const slope = chiw + (chiq * vw) / (1 - vq);
    // Halving at most: a step past 0 would leave the weights' range.
    const next = Math.max(wStd - (chi - level) / slope, wStd / 2);
    if (Math.abs(next - wStd) <= 1e-13 * wStd) return next;
    wStd = next;
  }
  throw new Error(`no σw with χ₁ = ${level} for σb ${bStd}`);
}

console.log('q* and χ₁ at the fixed point (erf):');
console.log(`${'σw \\ σb'.padEnd(8)}${[0.05, 0.5, 1, 2].map((b) => `σb ${b}`.padStart(22)).join('')}`);
for (const w of [0.5, 1, 1.5, 2, 3, 4]) {
  const cells = [0.05, 0.5, 1, 2].map((b) => {
    const q = fixedPoint(w, b);
    return `${q.toFixed(4)} / ${layer(q, w, b).chi.toFixed(4)}`.padStart(22);
  });
  console.log(`${String(w).padEnd(8)}${cells.join('')}`);
}
const biases = range(0.01, 2, 40);
const lines = [0.5, 1, 2].map((level) => {
  // From the σb → 0 limit, σw² = level·π/4; then each σb from the last.
  let start = Math.sqrt((level * Math.PI) / 4);
  const weights = biases.map((b) => (start = criticalWeight(b, level, start)));
  return { level, weights };
});
const critical = lines.find((l) => l.level === 1)!.weights;
console.log(`critical σw (χ₁ = 1): ${[0, 5, 10, 20, 39].map((i) => `σb ${biases[i].toFixed(3)}: ${critical[i].toFixed(4)}`).join(', ')}`);
console.log(`at σb ${biases[0]}: ${critical[0].toFixed(4)} (σb → 0: √(π/4) = ${Math.sqrt(Math.PI / 4).toFixed(4)})`);
// Checked against erf's closed forms: V(q) = σw²·(2/π)·asin(2q/(1 + 2q)) + σb², χ₁ = σw²·(4/π)/√(1 + 4q).
const worst = biases.reduce((w, b, i) => {
  const q = fixedPoint(critical[i], b);
  const v = critical[i] ** 2 * (2 / Math.PI) * Math.asin((2 * q) / (1 + 2 * q)) + b * b;
  const chi = (critical[i] ** 2 * (4 / Math.PI)) / Math.sqrt(1 + 4 * q);
  return Math.max(w, Math.abs(v - q) / q, Math.abs(chi - 1));
}, 0);
console.log(`along the critical line, the closed forms give |V(q*) − q*|/q* and |χ₁ − 1| at most ${worst.toExponential(1)}`);
await savePlot('phase-diagram', {
  title: 'Deep erf networks: ordered (χ₁ < 1) and chaotic (χ₁ > 1) phases',
  xLabel: 'σb',
  yLabel: 'σw',
  series: lines.map(({ level, weights }) => ({
    label: level === 1 ? 'χ₁ = 1 (the edge of chaos)' : `χ₁ = ${level}`,
    x: biases,
    y: weights,
    ...(level === 1 ? {} : { style: 'dashed' as const }),
  })),
});
