import { expect } from 'vitest';
import { empiricalNtk, infinite, network, ready, setBackend } from '../../src/index.js';
import { uniformMatrix } from '../../src/random.js';
import { randomArchitecture } from './architectures.js';
import { expectClose, expectSameBits } from './close.js';

/** Everything one seed computes: both kernels, the outputs, the Jacobian and the empirical NTK, flat. */
function results(seed: number): Float64Array[] {
  const { model, inputShape } = randomArchitecture(seed);
  const features = inputShape.reduce((p, v) => p * v, 1);
  const x = uniformMatrix(3, features, seed + 1);
  const z = uniformMatrix(2, features, seed + 2);
  const kernels = infinite(model, { inputShape }).kernels(x, z);
  const net = network(model, { inputShape, seed });
  return [
    kernels.nngp.data,
    kernels.ntk.data,
    infinite(model, { inputShape }).kernels(x).ntk.data,
    net.apply(x).data,
    net.jacobian(z).data,
    empiricalNtk(net, x, z).data,
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
  setBackend('ts');
  run().forEach((values, s) =>
    same(values, reference[s], s, 'ts vs wasm', (v, r) =>
      expectClose(
        v,
        (reference[s] as Float64Array[])[r],
        r < KERNEL_RESULTS ? KERNEL_TOLERANCE : NETWORK_TOLERANCE,
        `${randomArchitecture(seeds[s]).description}, result ${r}, ts vs wasm`,
        'normwise',
      ),
    ),
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
