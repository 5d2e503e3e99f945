// Every public function gives the same bits on 1, 2 and 3 threads: row splits give each row the same
// arithmetic, and reductions add their partials over a partition fixed by the problem's size.
import { describe, it } from 'vitest';
import { ready } from '../../../src/index.js';
import { expectSameBits } from '../../helpers/close.js';
import { bits, publicResults } from '../../helpers/public-results.js';

describe('determinism across thread counts', { timeout: 120_000 }, () => {
  it('every public function gives the same bits on 1, 2 and 3 threads', async () => {
    await ready({ threads: 1 });
    const reference = publicResults();
    for (const threads of [2, 3]) {
      await ready({ threads });
      const results = publicResults();
      for (const [name, result] of Object.entries(results)) expectSameBits(bits(result), bits(reference[name]), `${name} (${threads} threads vs 1)`);
    }
    await ready();
  });
});
