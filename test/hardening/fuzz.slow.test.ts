// The architecture fuzz of fuzz.test.ts at scale: 20,000 more seeds (about two minutes on this 2-core machine; every seventh a volume, every fifth with convLocal).
import { describe, it } from 'vitest';
import { fuzzArchitectures } from '../helpers/fuzz.js';

describe('random architectures, many seeds', () => {
  it('20,000 seeds agree across backends and thread counts', async () => {
    await fuzzArchitectures(300, 20_000);
  }, 600_000);
});
