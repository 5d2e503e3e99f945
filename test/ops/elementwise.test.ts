// elementwise(fn, { nngpFn, dNngpFn, df }) and elementwiseNumerical(fn, { deg, df }): the Gauss–Hermite rules
// against scipy's roots_hermite, the quadrature against neural-tangents' ElementwiseNumerical re-implemented in numpy
// at low degrees (test/fixtures/make_elementwise.py), and both against the 60-digit closed forms of sin and erf
// (test/fixtures/make_numerics.py); at finite width against φ and φ′ written out.
import { expect, it } from 'vitest';
import {
  Matrix,
  type ScalarFunction,
  avgPool,
  conv,
  dense,
  elementwise,
  elementwiseNumerical,
  empiricalNtk,
  flatten,
  infinite,
  network,
  serial,
  sin,
  tanh,
} from '../../src/index.js';
import { wasmHeap } from '../../src/backend/registry.js';
import { gaussHermite } from '../../src/core/quadrature.js';
import { erf as erfValue } from '../../src/ops/activations/unit.js';
import { type ClosedFormCase, expectClosedForms, expectOneHiddenLayer } from '../helpers/activations.js';
import { describeEachBackend } from '../helpers/backends.js';
import { expectClose, expectRelative } from '../helpers/close.js';
import { loadFixture } from '../helpers/fixtures.js';

type QuadratureCase = ClosedFormCase & { activation: 'tanh' | 'bump'; deg: number };
type SinusoidCase = ClosedFormCase & { activation: string; a: number; b: number; c: number };
type ErfCase = ClosedFormCase & { a: number; b: number; c: number };
const { hermiteRules, quadratureCases } = await loadFixture<{
  hermiteRules: { deg: number; nodes: number[]; weights: number[] }[];
  quadratureCases: QuadratureCase[];
}>('elementwise');
const { sinusoids, erfs } = await loadFixture<{ sinusoids: SinusoidCase[]; erfs: ErfCase[] }>('numerics');

const FUNCTIONS: Record<QuadratureCase['activation'], [ScalarFunction, ScalarFunction]> = {
  tanh: [Math.tanh, (x) => 1 / Math.cosh(x) ** 2],
  bump: [(x) => x * Math.exp((-x * x) / 4), (x) => (1 - (x * x) / 2) * Math.exp((-x * x) / 4)],
};

/** The variance of the fixture model's hidden layer (dense, wStd 1.5, no bias) at an input. */
const hiddenVariance = (x: number[]) => (2.25 * (x[0] ** 2 + x[1] ** 2)) / 2;

it("computes scipy's Gauss–Hermite rules (roots_hermite) from 1 to 500 points", () => {
  for (const { deg, nodes, weights } of hermiteRules) {
    const rule = gaussHermite(deg);
    // Nodes are eigenvalues, found to an absolute accuracy at the rule's width √(2·deg + 1): 1e-13 of that.
    const width = Math.sqrt(2 * deg + 1);
    nodes.forEach((node, i) =>
      expectRelative(rule.nodes[i], node, 1e-13 * (node === 0 ? 1 : Math.max(1, width / Math.abs(node))), `deg ${deg} node ${i}`, width),
    );
    // Weights below 1e-290 are beyond what either side computes to a relative accuracy.
    weights.forEach((weight, i) => {
      if (weight >= 1e-290) expectRelative(rule.weights[i], weight, 1e-12, `deg ${deg} weight ${i}`);
      else expect(rule.weights[i], `deg ${deg} weight ${i}`).toBeLessThan(1e-290);
    });
  }
});

describeEachBackend('elementwiseNumerical', () => {
  it("matches neural-tangents' ElementwiseNumerical (numpy) at 3, 8 and 25 points, where it is far from the integral", () => {
    expect(quadratureCases.length).toBe(36);
    expectClosedForms(
      quadratureCases,
      (c) => elementwiseNumerical(FUNCTIONS[c.activation][0], { deg: c.deg, df: FUNCTIONS[c.activation][1] }),
      (c) => `${c.activation} deg=${c.deg}`,
      () => 1e-13,
    );
  });

  it('agrees with the closed forms of sin and erf to 1e-10 at 50 points, on inputs where φ varies slowly against √q', () => {
    // The rule integrates polynomials of degree < 100 exactly, and entire functions as fast as their growth off the
    // real axis allows: sin(b·√(2q)·x) grows like e^(b√(2q)|y|), resolved by 50 points while b·√(2q) ≲ 3; erf(b·√(2q)·x)
    // like e^((b√(2q)·y)²), against the weight's e^(−x²) only while b·√(2q) < 1.
    const spread = (c: ClosedFormCase & { b: number }) => c.b * Math.sqrt(2 * Math.max(hiddenVariance(c.x), hiddenVariance(c.z)));
    const sines = sinusoids.filter((c) => c.activation === 'sin' && spread(c) <= 3);
    const errors = erfs.filter((c) => spread(c) <= 0.9);
    expect([sines.length, errors.length]).toEqual([expect.any(Number), expect.any(Number)]);
    expect(sines.length + errors.length).toBeGreaterThan(40);
    // Where the kernel is 0 (sin of orthogonal inputs), to that of the variance a² at the scale of the inputs.
    const scale = (c: ClosedFormCase & { a: number }) => c.a * c.a * Math.min(1, hiddenVariance(c.x));
    expectClosedForms(
      sines,
      (c) => elementwiseNumerical((z) => c.a * Math.sin(c.b * z + c.c), { deg: 50, df: (z) => c.a * c.b * Math.cos(c.b * z + c.c) }),
      (c) => `sin(a=${c.a}, b=${c.b}, c=${c.c}) by quadrature`,
      () => 1e-10,
      scale,
    );
    expectClosedForms(
      errors,
      (c) =>
        elementwiseNumerical((z) => c.a * erfValue(c.b * z) + c.c, {
          deg: 50,
          df: (z) => ((2 * c.a * c.b) / Math.sqrt(Math.PI)) * Math.exp(-c.b * c.b * z * z),
        }),
      (c) => `erf(a=${c.a}, b=${c.b}, c=${c.c}) by quadrature`,
      () => 1e-10,
      scale,
    );
  });

  it('takes φ′ by finite differences when df is not given (to 1e-11 here)', () => {
    const cases = sinusoids.filter(
      (c) => c.activation === 'sin' && c.a === 1 && c.b === 1 && c.c === 0 && hiddenVariance(c.x) <= 2 && hiddenVariance(c.z) <= 2,
    );
    expect(cases.length).toBeGreaterThan(4);
    expectClosedForms(
      cases,
      () => elementwiseNumerical(Math.sin, { deg: 50 }),
      () => 'sin by quadrature, φ′ by differences',
      () => 1e-11,
      (c) => Math.min(1, hiddenVariance(c.x)),
    );
  });

  it('works at any depth and on positions: a deep tanh network and a convolution read out by pooling and by flatten', () => {
    const x = Matrix.from([
      [0.3, -0.8, 0.5, 0.1, -0.2, 0.9],
      [1.1, 0.4, -0.6, 0.2, 0.7, -0.3],
      [-0.5, 0.2, 0.8, -1.0, 0.3, 0.6],
    ]);
    const deep = (act: () => ReturnType<typeof tanh> | ReturnType<typeof elementwiseNumerical>) =>
      serial(dense(8, { bStd: 0.2 }), act(), dense(8, { wStd: 1.3, bStd: 0.1 }), act(), dense(8), act(), dense(1));
    const numeric = infinite(
      deep(() => elementwiseNumerical(Math.tanh, { deg: 60, df: (z) => 1 / Math.cosh(z) ** 2 })),
      { inputShape: [6] },
    ).kernels(x);
    const closed = infinite(deep(tanh), { inputShape: [6] }).kernels(x);
    expectClose(numeric.nngp, closed.nngp, 1e-9, 'deep tanh nngp');
    expectClose(numeric.ntk, closed.ntk, 1e-9, 'deep tanh ntk');
    const sine = () => elementwiseNumerical(Math.sin, { deg: 50, df: Math.cos });
    for (const readout of [() => serial(avgPool([2]), flatten()), () => flatten()]) {
      const convolutional = (act: typeof sine | typeof sin) => serial(conv(4, [2], { padding: 'SAME', bStd: 0.1 }), act(), readout(), dense(1));
      const byQuadrature = infinite(convolutional(sine), { inputShape: [3, 2] }).kernels(x);
      const exact = infinite(convolutional(sin), { inputShape: [3, 2] }).kernels(x);
      expectClose(byQuadrature.nngp, exact.nngp, 1e-10, 'conv sin nngp');
      expectClose(byQuadrature.ntk, exact.ntk, 1e-10, 'conv sin ntk');
    }
  });
});

// E[erf(u)·erf(v)] and E[erf′(u)·erf′(v)] (Williams 1997), as a user would write them.
const erfNngp = (c: number, q1: number, q2: number) => (2 / Math.PI) * Math.asin((2 * c) / Math.sqrt((1 + 2 * q1) * (1 + 2 * q2)));
const erfSlope = (c: number, q1: number, q2: number) => 4 / Math.PI / Math.sqrt((1 + 2 * q1) * (1 + 2 * q2) - 4 * c * c);
const erfDerivative = (z: number) => (2 / Math.sqrt(Math.PI)) * Math.exp(-z * z);

describeEachBackend('elementwise', () => {
  const standardErf = erfs.filter((c) => c.a === 1 && c.b === 1 && c.c === 0);

  it('computes the kernels from a given dual map and its derivative (erf, against the 60-digit values)', () => {
    expect(standardErf.length).toBeGreaterThan(10);
    expectClosedForms(
      standardErf,
      () => elementwise(erfValue, { nngpFn: erfNngp, dNngpFn: erfSlope }),
      () => 'erf by its dual map',
      () => 1e-12,
    );
  });

  it('differentiates the dual map in the covariance when dNngpFn is not given, to 1e-8, or says it cannot', () => {
    // One-sided on the diagonal. Where the map bends on a scale far below √(q₁q₂) (erf's arcsine at q ≫ 1 turns
    // within 1/2 of the diagonal), the differences' error estimate exceeds 1e-7 and the call asks for dNngpFn.
    const outcomes = standardErf.map((c) => {
      try {
        expectClosedForms(
          [c],
          () => elementwise(undefined, { nngpFn: erfNngp }),
          () => 'erf, NTK by differences',
          () => 1e-8,
        );
        return 'close';
      } catch (error) {
        expect((error as Error).message).toMatch(/cannot be found by differences to 1e-7 \(estimated .+\); give dNngpFn$/);
        expect(hiddenVariance(c.x), `${c.pair} at |x| = ${Math.hypot(...c.x)}`).toBeGreaterThan(30);
        return 'refused';
      }
    });
    expect(outcomes.filter((outcome) => outcome === 'close').length).toBeGreaterThanOrEqual(10);
  });

  it('runs φ and φ′ at finite width: given, and φ′ by differences', () => {
    expectOneHiddenLayer(elementwise(Math.sin, { df: Math.cos }), Math.sin, Math.cos, 'sin');
    const net = (layer: ReturnType<typeof elementwise>) => network(serial(dense(6), layer, dense(2)), { inputShape: [3], seed: 4 });
    const x = Matrix.from([
      [0.2, -1.3, 0.7],
      [2.1, 0.4, -0.5],
    ]);
    expectClose(empiricalNtk(net(elementwise(erfValue)), x), empiricalNtk(net(elementwise(erfValue, { df: erfDerivative })), x), 1e-11, 'erf NTK');
    const given = net(elementwise(erfValue, { df: erfDerivative }));
    expectClose(
      empiricalNtk(given, x, undefined, { implementation: 'ntkVectorProducts' }),
      empiricalNtk(given, x, undefined, { implementation: 'jacobian' }),
      1e-13,
      'erf NTK by vector products',
    );
  });

  it('reports a function that fails with its arguments, and keeps working and its memory afterwards', () => {
    const heap = wasmHeap();
    const top = heap?.top;
    const x = Matrix.from([
      [0.5, 1.5],
      [-2, 0.1],
    ]);
    const partial = elementwise((z) => (z > 1 ? NaN : z));
    expect(() =>
      network(serial(dense(3), partial, dense(1)), { inputShape: [2], seed: 1 }).apply(
        Matrix.from([
          [5, 15],
          [-20, 1],
        ]),
      ),
    ).toThrow(/^network: model\.serial\[1\] \(elementwise\): fn returned NaN at x = /);
    const throwing = elementwiseNumerical((z) => {
      if (Math.abs(z) > 3) throw new Error('out of range');
      return z;
    });
    expect(() => infinite(serial(dense(3), throwing, dense(1)), { inputShape: [2] }).nngp(x)).toThrow(
      /^infinite: model\.serial\[1\] \(elementwise\): fn threw at x = -?[0-9.]+: out of range$/,
    );
    const badMap = elementwise(undefined, { nngpFn: () => Infinity });
    expect(() => infinite(serial(dense(3), badMap, dense(1)), { inputShape: [2] }).ntk(x)).toThrow(
      /^infinite: model\.serial\[1\] \(elementwise\): nngpFn returned Infinity at \(cov12, var1, var2\) = \(/,
    );
    expect(() =>
      infinite(
        serial(
          dense(3),
          elementwise((z) => String(z) as unknown as number, { nngpFn: erfNngp }),
          dense(1),
        ),
        { inputShape: [2] },
      ),
    ).not.toThrow();
    expect(() =>
      network(
        serial(
          dense(3),
          elementwise((z) => String(z) as unknown as number),
          dense(1),
        ),
        { inputShape: [2] },
      ).apply(x),
    ).toThrow(/fn returned "[-0-9.e]+" at x = /);
    const asynchronous = elementwise((async (z: number) => z) as unknown as (z: number) => number);
    expect(() => network(serial(dense(3), asynchronous, dense(1)), { inputShape: [2] }).apply(x)).toThrow(
      /^network: model\.serial\[1\] \(elementwise\): fn returned a Promise at x = .*; an elementwise layer needs synchronous functions, so it runs on this thread, not through spawnWorker$/,
    );
    expect(heap?.top).toBe(top);
    expectOneHiddenLayer(elementwise(Math.sin, { df: Math.cos }), Math.sin, Math.cos, 'sin after the errors');
  });

  it('refuses layers without the function a width needs, and bad options, naming them', () => {
    expect(() => infinite(serial(dense(3), elementwise(Math.sin), dense(1)), { inputShape: [2] })).toThrow(
      new RangeError('infinite: model.serial[1] (elementwise) has no nngpFn, so no infinite-width kernel: give one, or use elementwiseNumerical()'),
    );
    expect(() => network(serial(dense(3), elementwise(undefined, { nngpFn: erfNngp }), dense(1)), { inputShape: [2] })).toThrow(
      new RangeError('network: model.serial[1] (elementwise) has no fn, only its kernel: it has no finite-width network (use infinite())'),
    );
    expect(() => infinite(serial(elementwiseNumerical(Math.sin), dense(1)), { inputShape: [2] })).toThrow(/needs a Gaussian input at infinite width/);
    expect(() => elementwise()).toThrow(new TypeError('elementwise: give fn (finite width), options.nngpFn (infinite width), or both'));
    expect(() => elementwise(Math.sin, { dNngpFn: erfSlope })).toThrow(new TypeError('elementwise: dNngpFn is the derivative of nngpFn, which is missing'));
    expect(() => elementwise(undefined, { nngpFn: erfNngp, df: Math.cos })).toThrow(new TypeError('elementwise: df is the derivative of fn, which is missing'));
    expect(() => elementwise(3 as unknown as ScalarFunction)).toThrow(new TypeError('elementwise: fn must be a function, got 3'));
    expect(() => elementwise(Math.sin, { nngpFn: 'asin' as never })).toThrow(new TypeError('elementwise: options.nngpFn must be a function, got "asin"'));
    expect(() => elementwise(Math.sin, { nngp: erfNngp } as never)).toThrow(/elementwise: unknown option 'nngp'/);
    expect(() => elementwiseNumerical(Math.sin, { deg: 0 })).toThrow(new RangeError('elementwiseNumerical: deg must be ≥ 1, got 0'));
    expect(() => elementwiseNumerical(Math.sin, { deg: 2.5 })).toThrow(new RangeError('elementwiseNumerical: deg must be an integer, got 2.5'));
    expect(() => elementwiseNumerical(Math.sin, { deg: 1001 })).toThrow(new RangeError('elementwiseNumerical: deg must be ≤ 1000, got 1001'));
    expect(() => elementwiseNumerical(undefined as never)).toThrow(new TypeError('elementwiseNumerical: fn is required'));
    expect(elementwiseNumerical(Math.sin)).toEqual({ kind: 'elementwise', fn: Math.sin, deg: 25 });
  });
});
