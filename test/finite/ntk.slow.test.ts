// The lazy regime (npm run test:slow): the empirical NTK moves less in training as the width grows.
import { expect, it } from 'vitest';
import { mlp, trainWithNtkChange } from '../../src/index.js';
import { uniformMatrix } from '../../src/random.js';
import { describeEachBackend } from '../helpers/backends.js';

describeEachBackend('the lazy regime', () => {
  it('the NTK moves less during training as the width grows (64 → 1024)', () => {
    const x = uniformMatrix(8, 2, 3);
    const y = uniformMatrix(8, 1, 4);
    const changes = [64, 256, 1024].map(
      (width) => trainWithNtkChange(mlp({ inputDim: 2, widths: [width, width], seed: 5 }), x, y, { learningRate: 1, steps: 50 }).relativeChange,
    );
    expect(changes[1]).toBeLessThan(changes[0]);
    expect(changes[2]).toBeLessThan(changes[1]);
    expect(changes[2]).toBeLessThan(0.5 * changes[0]);
  });
});
