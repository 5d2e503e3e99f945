import { expect } from 'vitest';
import { Matrix, empiricalNtk, infinite, network, ready, setBackend } from '../../src/index.js';
import { uniformMatrix } from '../../src/random.js';
import { randomArchitecture } from './architectures.js';
import { expectClose, expectSameBits } from './close.js';

/** Every entry times 1 ± ε (the sign alternating): a rounding-sized change of each number. */
const nudged = (data: Float64Array) => data.map((v, i) => v * (1 + (i % 2 === 0 ? 1 : -1) * Number.EPSILON));

/**
 * Everything one seed computes: both kernels, the outputs, the Jacobian and the empirical NTK (structured, then by
 * vector products), flat. With `nudge`,
 * the finite network's inputs and parameters each moved by a rounding (see networkSensitivity).
 */
function results(seed: number, nudge = false): Float64Array[] {
  const { model, inputShape, vertices } = randomArchitecture(seed);
  const features = inputShape.reduce((p, v) => p * v, 1);
  let x = uniformMatrix(3, features, seed + 1);
  let z = uniformMatrix(2, features, seed + 2);
  // An aggregate layer's graphs: about a third of the edges, weights in (−1, 1).
  const graphs = (n: number, offset: number) =>
    vertices === undefined
      ? undefined
      : new Matrix(
          n,
          vertices ** 2,
          uniformMatrix(n, vertices ** 2, seed + offset).data.map((u, e) => (e % 3 === 0 ? 2 * u - 1 : 0)),
        );
  const [px, pz] = [graphs(3, 3), graphs(2, 4)];
  const graphsOf = (p: Matrix | undefined) => (p === undefined ? undefined : { pattern: p });
  const pairOf = (...p: (Matrix | undefined)[]) => (vertices === undefined ? {} : { pattern: p as [Matrix, Matrix?] });
  const kernels = infinite(model, { inputShape }).kernels(x, z, pairOf(px, pz));
  const net = network(model, { inputShape, seed });
  if (nudge) {
    [x, z] = [x, z].map((m) => new Matrix(m.rows, m.cols, nudged(m.data)));
    net.params = nudged(net.params);
  }
  return [
    kernels.nngp.data,
    kernels.ntk.data,
    infinite(model, { inputShape }).kernels(x, undefined, pairOf(px)).ntk.data,
    net.apply(x, graphsOf(px)).data,
    net.jacobian(z, graphsOf(pz)).data,
    empiricalNtk(net, x, z, pairOf(px, pz)).data,
    empiricalNtk(net, x, z, { implementation: 'ntkVectorProducts', ...pairOf(px, pz) }).data,
  ];
}

// Relative to the largest entry of each result. The three infinite-width kernels come first: where an
// architecture makes two inputs' correlation ±1 to within rounding (one input channel, then layerNorm and
// pooling), the ReLU-family slopes move with the square root of the last bits of their covariances, which the two
// backends round apart (fused multiply-adds, other summation orders): about 1 seed in 1000 differs by 2e-9
// there. The finite network's outputs, Jacobian and NTK are well conditioned.
const KERNEL_TOLERANCE = 1e-7;
const NETWORK_TOLERANCE = 1e-11;
const KERNEL_RESULTS = 3;

/** The largest difference relative to the largest entry. */
function normwise(a: Float64Array, b: Float64Array): number {
  let [largest, worst] = [0, 0];
  for (let i = 0; i < a.length; i++) [largest, worst] = [Math.max(largest, Math.abs(b[i])), Math.max(worst, Math.abs(a[i] - b[i]))];
  return largest === 0 ? worst : worst / largest;
}

/**
 * How far the finite network's results move when its inputs and parameters move by one rounding each (on this
 * backend): where an architecture amplifies rounding (cos or sin of pre-activations of 1e4, after exp and
 * products), two backends that round apart differ by as much, and the tolerance grows with it (10 times: their
 * roundings differ at every operation, not once). A wrong result differs by far more.
 */
function networkSensitivity(seed: number, r: number): number {
  return normwise(results(seed, true)[r], results(seed)[r]);
}

/**
 * Seeds [first, first + count): each on the WASM backend with 1, 2 and 3 threads (the same bits) and on the TS
 * backend (the same numbers to the tolerances above).
 */
export async function fuzzArchitectures(first: number, count: number): Promise<void> {
  const seeds = Array.from({ length: count }, (_, i) => first + i);
  // A kernel too large for float64 (growing activations such as exp after monomials, at depth) is an overflow
  // RangeError, which is right when every backend and thread count reports it alike; any other error fails.
  const run = () =>
    seeds.map((seed) => {
      try {
        return results(seed);
      } catch (error) {
        if (error instanceof RangeError && /overflow/.test(error.message)) return error.message;
        throw new Error(`${randomArchitecture(seed).description}: ${(error as Error).message}`);
      }
    });
  const same = (values: Float64Array[] | string, reference: Float64Array[] | string, s: number, what: string, check: (v: Float64Array, r: number) => void) => {
    if (typeof values === 'string' || typeof reference === 'string') {
      expect(values, `${randomArchitecture(seeds[s]).description}: ${what}`).toEqual(reference);
      return;
    }
    values.forEach(check);
  };
  await ready({ threads: 1 });
  const reference = run();
  const overflows = reference.filter((r) => typeof r === 'string').length;
  expect(overflows, `seeds whose kernels overflow float64, of ${count}`).toBeLessThanOrEqual(count / 100);
  // Forward mode along the Jacobian rows against the structured NTK, on the same backend.
  reference.forEach((values, s) => {
    if (typeof values === 'string') return;
    const [structured, vectorProducts] = values.slice(-2);
    expectClose(vectorProducts, structured, NETWORK_TOLERANCE, `${randomArchitecture(seeds[s]).description}: ntkVectorProducts vs structured`, 'normwise');
  });
  setBackend('ts');
  run().forEach((values, s) =>
    same(values, reference[s], s, 'ts vs wasm', (v, r) => {
      const expected = (reference[s] as Float64Array[])[r];
      let tolerance = r < KERNEL_RESULTS ? KERNEL_TOLERANCE : NETWORK_TOLERANCE;
      if (r >= KERNEL_RESULTS && normwise(v, expected) > tolerance) tolerance = Math.max(tolerance, 10 * networkSensitivity(seeds[s], r));
      expectClose(
        v,
        expected,
        tolerance,
        `${randomArchitecture(seeds[s]).description}, result ${r}, ts vs wasm (tolerance ${tolerance.toExponential(1)})`,
        'normwise',
      );
    }),
  );
  for (const threads of [2, 3]) {
    await ready({ threads });
    run().forEach((values, s) =>
      same(values, reference[s], s, `${threads} threads vs 1`, (v, r) =>
        expectSameBits(v, (reference[s] as Float64Array[])[r], `${randomArchitecture(seeds[s]).description}, result ${r}, ${threads} threads vs 1`),
      ),
    );
  }
  await ready();
  expect(reference.length).toBe(count);
}
