// What the activation tests share (test/ops/activations/): the 60-digit cases of neural-tangents' kernel_fn in a
// one-hidden-layer model (test/fixtures/make_numerics.py, closed_form_cases), and a finite network of one hidden
// layer with given weights whose output and empirical NTK are written out from φ and φ′.
import { type Layer, Network, dense, empiricalNtk, infinite, serial } from '../../src/index.js';
import { expectRelative } from './close.js';

/** A case of make_numerics.py's closed_form_cases: inputs x and z, the kernels, and the activation's parameters. */
export interface ClosedFormCase {
  x: number[];
  z: number[];
  pair: string;
  nngp: number;
  ntk: number;
  a?: number;
  b?: number;
  /** Other parameters of the activation (erf's c, rbf's gamma, degrees, …). */
  [parameter: string]: unknown;
}

/**
 * Checks the NNGP and NTK of dense (wStd 1.5, no bias) → φ → dense (the fixture's model) at each case, relative
 * to `tolerance(case)`; where the value is 0, to that of `scale(case)`.
 */
export function expectClosedForms<C extends ClosedFormCase>(
  cases: C[],
  activation: (c: C) => Layer,
  name: (c: C) => string,
  tolerance: (c: C) => number = () => 1e-12,
  scale: (c: C) => number = () => 0,
): void {
  const layer = { wStd: 1.5, bStd: 0 };
  for (const c of cases) {
    const k = infinite(serial(dense(8, layer), activation(c), dense(1, layer)), { inputShape: [2] }).kernels([c.x], [c.z]);
    const label = `${name(c)} |x|=${Math.hypot(...c.x).toExponential(1)} ${c.pair}`;
    expectRelative(k.nngp.get(0, 0), c.nngp, tolerance(c), `${label} nngp`, scale(c));
    expectRelative(k.ntk.get(0, 0), c.ntk, tolerance(c), `${label} ntk`, scale(c));
  }
}

// Two hidden units, standard parameterization (the weights as given), one input.
const W1 = [
  [1, 0.5],
  [-0.3, 2],
];
const B1 = [0.1, -0.2];
const W2 = [0.7, -1.1];
const B2 = 0.05;
const X = [0.4, -0.9];

/**
 * Checks a network of one hidden layer with given weights against φ and φ′ written out: its output
 * Σ φ(h_j)·w2_j + b2, and its empirical NTK, the sum of the squared derivatives in each parameter: φ(h_j) for w2,
 * 1 for b2, w2_j·φ′(h_j)·(x, 1) for the first layer's weights and biases.
 */
export function expectOneHiddenLayer(activation: Layer, phi: (h: number) => number, slope: (h: number) => number, label: string): void {
  const standard = { parameterization: 'standard' as const };
  const net = Network.fromWeights(serial(dense(2, standard), activation, dense(1, standard)), {
    inputShape: [2],
    weights: [
      { W: W1, b: B1 },
      { W: W2.map((v) => [v]), b: [B2] },
    ],
  });
  const hidden = [0, 1].map((j) => X[0] * W1[0][j] + X[1] * W1[1][j] + B1[j]);
  expectRelative(
    net.apply([X]).get(0, 0),
    hidden.reduce((sum, h, j) => sum + phi(h) * W2[j], B2),
    1e-14,
    `${label} apply`,
  );
  const ntk = hidden.reduce((sum, h, j) => sum + phi(h) ** 2 + (W2[j] * slope(h)) ** 2 * (X[0] ** 2 + X[1] ** 2 + 1), 1);
  expectRelative(empiricalNtk(net, [X]).get(0, 0), ntk, 1e-14, `${label} empirical NTK`);
}

/**
 * 1e-12, plus what the rounding of the inputs' covariance (a few ulps of c) moves a kernel that turns on the angle
 * between the inputs (sign, the step function): ε/√(1 − ρ²), 7e-10 at 1 − ρ = 1e-14. Exactly ±1 is exact.
 */
export function angleTolerance(c: ClosedFormCase): number {
  const rho = (c.x[0] * c.z[0] + c.x[1] * c.z[1]) / (Math.hypot(...c.x) * Math.hypot(...c.z));
  return 1e-12 + (Math.abs(rho) < 1 ? (4 * Number.EPSILON) / Math.sqrt(1 - rho * rho) : 0);
}
