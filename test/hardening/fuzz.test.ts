// Random small architectures (test/helpers/architectures.ts) give the same kernels and networks on both backends
// and the same bits on 1, 2 and 3 threads. A few hundred seeds here; `npm run test:slow` runs thousands.
import { describe, it } from 'vitest';
import { fuzzArchitectures } from '../helpers/fuzz.js';

describe('random architectures', { timeout: 120_000 }, () => {
  it('200 seeds: infinite-width kernels, outputs, Jacobians and empirical NTKs agree across backends and thread counts', async () => {
    await fuzzArchitectures(0, 200);
  });
});
